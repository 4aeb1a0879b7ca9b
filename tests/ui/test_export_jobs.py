"""A list larger than export_jobs.BACKGROUND_FROM is exported by a background job from its Export menu (NiceGUI's
simulated user): the header's jobs button shows it, then a Download link to its file, the same bytes as the
instant download of a smaller list; someone else gets no file. Smaller lists still download at once."""
from __future__ import annotations

import pytest
from nicegui.testing import User

from models.jobs import exports as export_jobs, queue
from models.jobs.tables import Job
from models.records import service as records
from models.records.tables import CONTACT
from tests.drivers import element, log_in
from tests.ui.test_jobs import until
from tests.ui.test_record_list import total_is

WAIT = 100


async def test_a_large_list_is_exported_by_a_job_the_header_offers_to_download(user: User, acme,
                                                                              monkeypatch: pytest.MonkeyPatch):
    for name in ('Uno', 'Due', 'Tre', 'Quattro'):
        await records.create_record(CONTACT, acme.member.membership, {'last_name': name, 'type': 'Client'})
    await records.create_record(CONTACT, acme.member.membership, {'last_name': 'Cinque'})
    await log_in(user, acme.member, path='/contacts?type=Client')
    await total_is(user, '4 contacts')
    # the list as filtered, exported at once while it is small
    user.find(marker='list-export-csv-semicolon').click()
    instant = (await user.download.next(timeout=5)).content
    assert not await Job.exists(owner_id=acme.member.user.id)
    monkeypatch.setattr(export_jobs, 'BACKGROUND_FROM', 3)  # 4 records are "many" from here on
    user.find(marker='list-export-csv-semicolon').click()
    await until(lambda: Job.exists(owner_id=acme.member.user.id, kind='export'))
    job = await Job.get(owner_id=acme.member.user.id, kind='export')
    await until(lambda: Job.exists(id=job.id, status='succeeded'))
    user.find(marker='jobs-button').click()
    await user.should_see('contacts.csv', marker='job-title', retries=WAIT)
    await user.should_see('4 records exported', marker='job-text', retries=WAIT)
    link = element(user, 'job-download')
    assert link.props['href'] == f'/job-files/{job.id}'
    download = await user.http_client.get(link.props['href'])
    assert download.status_code == 200, download.text
    assert download.content == instant and b'Cinque' not in download.content
    assert 'attachment' in download.headers['content-disposition']


async def test_someone_elses_export_file_is_not_found_on_the_pages(user: User, acme):
    await records.create_record(CONTACT, acme.owner.membership, {'last_name': 'Uno'})
    job = await queue.start_export(acme.owner.membership, filename='contacts.csv')
    await until(lambda: Job.exists(id=job.id, status='succeeded'))
    await log_in(user, acme.member, path='/contacts')
    assert (await user.http_client.get(f'/job-files/{job.id}')).status_code == 404
    assert (await user.http_client.get('/job-files/nothing')).status_code == 404
