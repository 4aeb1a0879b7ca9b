"""The global search: contacts and companies matching a query, best first, through the same gate as lists."""
from __future__ import annotations

from fastapi import APIRouter, Query

from models.records import search, service as records

from .deps import OrgMembership
from .records import COMPANY, CONTACT, page_json
from .schemas import JsonRoute, Offset

router = APIRouter(tags=['search'], route_class=JsonRoute)


@router.get('/orgs/{org}/search')
async def search_everything(actor: OrgMembership, q: str = Query('', max_length=search.MAX_QUERY),
                            limit: int = Query(10, ge=1, le=200), offset: Offset = 0) -> dict:
    """Contacts and companies whose names, emails, PEC, phones or VAT number match `q` (accent- and
    case-insensitive, word starts first), each kind paginated by `limit`/`offset`, with its total.
    Only records the caller may see; guests get 403, as for lists."""
    results = await records.find(actor, q, limit=limit, offset=offset)
    return {'q': q, 'contacts': await page_json(CONTACT, actor, results.contacts),
            'companies': await page_json(COMPANY, actor, results.companies)}
