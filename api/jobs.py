"""The caller's background jobs (imports, copies into another organization): their progress and outcome, and
cancelling one."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import StreamingResponse

from models.jobs import exports, queue, store
from models.jobs.tables import Job
from web.downloads import file_response

from .deps import CurrentUser
from .errors import responses
from .schemas import Id, JsonRoute, Offset

router = APIRouter(tags=['jobs'], route_class=JsonRoute)


class JobOut(BaseModel):
    id: int
    org_id: int
    kind: str
    status: Literal['queued', 'running', 'succeeded', 'failed', 'cancelled']
    step: str
    done: int
    total: int
    message: str
    result: dict | None
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobOut]
    total: int


def job_item(job: Job) -> dict:
    return {name: getattr(job, name) for name in JobOut.model_fields} | {'message': store.message_of(job)}


@router.get('/jobs', response_model=JobPage, summary="The caller's background jobs, newest first",
            description='`step`, `done` and `total` tell how far a running job got (an import: `checking` then '
                        '`writing` rows); a finished import\'s `result` is `{"import": id}` (its report is '
                        'GET /orgs/{org}/imports/{id}); a copy\'s steps are `prepared` then `copying`, its `result` what '
                        'POST /orgs/{org}/copy answers; an export\'s step is `exporting` (`done` of `total` records), '
                        'its `result` `{"filename", "content_type", "records", "size", "expires_at", "file"}` '
                        '(GET /jobs/{id}/file downloads it until `expires_at`).')
async def list_jobs(user: CurrentUser,
                    limit: Annotated[int, Query(ge=1, le=store.MAX_PAGE_SIZE)] = store.PAGE_SIZE,
                    offset: Offset = 0) -> dict:
    items, total = await store.page(user.id, limit=limit, offset=offset)
    return {'items': [job_item(job) for job in items], 'total': total}


@router.get('/jobs/{job_id}', response_model=JobOut, responses=responses(404),
            summary="One of the caller's jobs (anyone else's: 404)")
async def get_job(job_id: Id, user: CurrentUser) -> dict:
    return job_item(await store.get(user.id, job_id))


@router.post('/jobs/{job_id}/cancel', status_code=202, response_model=JobOut, responses=responses(404),
             summary='Ask a job to stop',
             description='A queued job is cancelled at once; a running one stops at its next chunk and takes back '
                         'what it wrote (an import leaves nothing). Its owner may, and an owner of its '
                         "organization; anyone else's job is 404. A finished job is answered as it is.")
async def cancel_job(job_id: Id, user: CurrentUser) -> dict:
    return job_item(await queue.cancel(user.id, job_id))


@router.get('/jobs/{job_id}/file', response_class=StreamingResponse, responses=responses(404) | {
                200: {'content': {'text/csv': {}, 'text/vcard': {}}, 'description': "The export's file"}},
            summary="A finished export's file (its owner alone, for 24 hours)",
            description="The file an export job wrote (POST /orgs/{org}/contacts/exports or companies/exports), "
                        "while it is kept: 24 hours after the job finished, then it is removed. Anyone else's job, a "
                        "job that is not a finished export, or one whose file expired: 404.")
async def download_job_file(job_id: Id, user: CurrentUser, request: Request) -> StreamingResponse:
    found = await exports.open_file(user.id, job_id, request.app.state.integrations)
    return file_response(found.filename, found.content_type, found.chunks, found.size)
