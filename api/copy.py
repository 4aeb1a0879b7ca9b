"""Copy contacts and companies into another organization."""
from __future__ import annotations

from fastapi import APIRouter

from models.records.copy import copy_records

from .deps import AppIntegrations, OrgMembership
from .errors import responses
from .schemas import Body, Id, JsonRoute

router = APIRouter(tags=['copy'], route_class=JsonRoute)


class CopyRequest(Body):
    target_org_id: Id
    contact_ids: list[Id] = []
    company_ids: list[Id] = []
    copy_anyway: bool = False  # also copy records that already exist in the target (same email or VAT number)


@router.post('/orgs/{org}/copy', responses=responses(409))
async def copy_to_organization(body: CopyRequest, actor: OrgMembership, integrations: AppIntegrations) -> dict:
    """Copy the records the caller can see; `contacts`/`companies` map source ids to new ids (of the selected
    companies); `companies_created` counts every company written in the target (contacts' companies too),
    `attachments` the attachments copied."""
    report = await copy_records(actor=actor, target_org_id=body.target_org_id, contact_ids=body.contact_ids,
                                company_ids=body.company_ids, copy_anyway=body.copy_anyway,
                                integrations=integrations)
    return {'contacts': {str(k): v for k, v in report.contacts.items()},
            'companies': {str(k): v for k, v in report.companies.items()}, 'skipped': report.skipped,
            'companies_created': report.companies_created, 'attachments': report.attachments}
