"""The dashboard's figures (models/records/dashboard.py), the same the page shows."""
from __future__ import annotations

from fastapi import APIRouter

from models.records import dashboard

from .deps import OrgMembership
from .schemas import JsonRoute

router = APIRouter(route_class=JsonRoute)


@router.get('/orgs/{org}/dashboard', tags=['dashboard'])
async def get_dashboard(actor: OrgMembership) -> dict:
    figures = await dashboard.dashboard(actor)

    def by_type(counts):
        return [{'type': t.type, 'count': t.count} for t in counts]

    def entries(items):
        return [{'kind': e.kind, 'id': e.id, 'name': e.name, 'type': e.type, 'updated_at': e.updated_at,
                 'updated_by': e.updated_by} for e in items]

    return {'contacts': {'total': figures.contacts_total, 'by_type': by_type(figures.contacts_by_type)},
            'companies': {'total': figures.companies_total, 'by_type': by_type(figures.companies_by_type)},
            'recent': entries(figures.recent),
            'mentions': {'total': figures.mentions_total, 'items': entries(figures.mentions)},
            'work': [{'kind': w.kind, 'id': w.id, 'title': w.title, 'status': w.status, 'due_date': w.due_date,
                      'priority': w.priority, 'contacts': [{'id': i, 'name': n} for i, n in w.contacts]}
                     for w in figures.work]}
