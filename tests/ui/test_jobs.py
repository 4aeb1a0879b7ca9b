"""Background jobs on the pages (NiceGUI's simulated user): an import started on the import page goes on after the
page is left, the header of any page shows it with its progress and Cancel, its page shows it again, and a
cancelled import leaves nothing."""
from __future__ import annotations

import asyncio

from nicegui.testing import User

from models.jobs import queue, store
from models.jobs.tables import Job
from models.records.tables import Contact
from tests.drivers import element, log_in
from tests.ui.test_imports import WAIT, upload


def many(rows: int) -> bytes:
    lines = ['First Name,Last Name,E-mail Address'] + [f'Ann{n},Lee{n},ann{n}@example.com' for n in range(rows)]
    return ('\n'.join(lines) + '\n').encode()


async def until(check, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError('never happened')


async def test_an_import_goes_on_after_its_page_is_left_and_the_header_shows_it(user: User, acme):
    await log_in(user, acme.owner, path='/import')
    await upload(user, 'many.csv', data=many(3000))
    await user.should_see('many.csv', marker='import-summary', retries=WAIT)
    user.find(marker='import-run').click()
    await until(lambda: Job.exists(owner_id=acme.owner.user.id))
    await user.open('/contacts')  # the import page is gone; its import is not
    job = await Job.get(owner_id=acme.owner.user.id)
    await until(lambda: Job.exists(id=job.id, status='succeeded'))
    assert await Contact.filter(org_id=acme.id).count() == 3000
    await user.open('/')  # any page of the owner: the header lists the job with its outcome and a link
    user.find(marker='jobs-button').click()
    await user.should_see('many.csv', marker='job-link', retries=WAIT)
    await user.should_see('Done', marker='job-text', retries=WAIT)
    await user.open(f'/import?job={job.id}')  # its page: the report, once it has finished
    await user.should_see('created', marker='import-report-summary', retries=WAIT)


async def test_a_running_import_shows_its_progress_and_cancel_takes_it_all_back(user: User, acme):
    owner = acme.owner
    job = await queue.start_import(owner.membership, kind='contact', data=many(8000), filename='big.csv')
    await log_in(user, owner, path=f'/import?job={job.id}')  # its page, while it runs
    await until(lambda: Job.exists(id=job.id, status='running', done__gt=0))
    await user.should_see(marker='import-progress', retries=WAIT)
    user.find(marker='jobs-button').click()
    await user.should_see('big.csv', marker='job-link', retries=WAIT)
    await user.should_see(marker='job-progress', retries=WAIT)
    user.find(marker='job-cancel').click()
    await until(lambda: Job.exists(id=job.id, status='cancelled'))
    assert not await Contact.filter(org_id=acme.id).exists()
    await user.should_see('Cancelled: what it had written was taken back', marker='import-problem', retries=WAIT)
    # someone else's job: its page does not exist for them
    assert (await store.page(acme.member.user.id))[1] == 0
