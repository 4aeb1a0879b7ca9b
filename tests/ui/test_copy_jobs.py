"""A copy into another organization as a background job on the pages: the header's jobs list tells its outcome (how
many copied, how many skipped) once it has ended."""
from __future__ import annotations

from nicegui.testing import User

from models.jobs import queue
from models.jobs.tables import Job
from models.records import service as records
from models.records.tables import CONTACT, Contact
from tests.drivers import log_in
from tests.ui.test_imports import WAIT
from tests.ui.test_jobs import until


async def test_the_header_lists_a_copy_job_with_its_outcome(user: User, acme, target):
    source = acme.owner.membership
    made = [await records.create_record(CONTACT, source, {'last_name': name, 'emails': [f'{name}@example.com']})
            for name in ('uno', 'due', 'tre')]
    await records.create_record(CONTACT, target.owner.membership, {'last_name': 'Già', 'emails': ['tre@example.com']})
    job = await queue.start_copy(source, target_org_id=target.id, contact_ids=[c.id for c in made])
    await until(lambda: Job.exists(id=job.id, status='succeeded'))
    assert await Contact.filter(org_id=target.id).count() == 3
    await log_in(user, acme.owner, path='/contacts')
    user.find(marker='jobs-button').click()
    await user.should_see('Copy to another organization', marker='job-title', retries=WAIT)
    await user.should_see('Copied 2 contacts and 0 companies, skipped 1 record', marker='job-text', retries=WAIT)
