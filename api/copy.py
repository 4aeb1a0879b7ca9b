"""Copy contacts and companies into another organization (as a background job)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from starlette.responses import JSONResponse

from models.errors import Conflict
from models.jobs import queue as jobs, store as job_store
from models.jobs.tables import Status as JobStatus

from .deps import OrgMembership
from .errors import responses
from .jobs import JobOut, job_item
from .schemas import Body, Id, JsonRoute

router = APIRouter(tags=['copy'], route_class=JsonRoute)


class CopyRequest(Body):
    target_org_id: Id
    contact_ids: list[Id] = []
    company_ids: list[Id] = []
    copy_anyway: bool = False  # also copy records that already exist in the target (same email or VAT number)
    wait: bool = True  # false: answer 202 with the job at once (GET /api/v1/jobs/{id} follows it)


class Skipped(BaseModel):
    id: int
    kind: str
    reason: str


class CopyResult(BaseModel):
    contacts: dict[str, int]
    companies: dict[str, int]
    skipped: list[Skipped]
    companies_created: int
    attachments: int


@router.post('/orgs/{org}/copy', response_model=CopyResult, responses=responses(409) | {202: {'model': JobOut,
                                                                   'description': 'wait=false: the job, queued'}})
async def copy_to_organization(body: CopyRequest, actor: OrgMembership) -> dict | JSONResponse:
    """Copy the records the caller can see; `contacts`/`companies` map source ids to new ids (of the selected
    companies); `companies_created` counts every company written in the target (contacts' companies too),
    `attachments` the attachments copied. The copy runs as a background job (all or nothing); by default the answer
    waits for its end. `wait: false`: 202 at once with the job, whose `result` is this answer once it succeeded."""
    job = await jobs.start_copy(actor, target_org_id=body.target_org_id, contact_ids=body.contact_ids,
                                company_ids=body.company_ids, copy_anyway=body.copy_anyway, waited=body.wait)
    if not body.wait:
        return JSONResponse(jsonable_encoder(JobOut(**job_item(job))), status_code=202)
    job = await job_store.wait(job)
    if job.status == JobStatus.CANCELLED.value:  # its owner cancelled it meanwhile (from a page): nothing was copied
        raise Conflict(job_store.message_of(job))
    if job.status != JobStatus.SUCCEEDED.value:
        if (refusal := job_store.failure(job)) is not None:
            raise refusal
        raise RuntimeError(f'copy job {job.id} failed unexpectedly')  # a 500, as when the copy ran in the request
    return job.result
