"""The names people read for fields. Errors are keyed by field (`emails[0]`, `addresses[1].city`, `vat_number`)
so that pages and API clients can place them; a message a person reads names the field by its label instead
("Email 1", "Address 2, city", "VAT number")."""
from __future__ import annotations

import re

LABELS = {
    'first_name': 'First name', 'last_name': 'Last name', 'name': 'Name', 'company_id': 'Company',
    'company_name': 'Company', 'company': 'Company', 'company_vat': 'Company VAT number', 'role': 'Role',
    'type': 'Type', 'sector': 'Sector', 'description': 'Description', 'emails': 'Emails', 'email': 'Email',
    'pec': 'PEC (certified email)', 'phones': 'Phones', 'addresses': 'Addresses', 'vat_number': 'VAT number',
    'visibility': 'Visibility', 'street': 'street', 'city': 'city', 'postal_code': 'postal code',
    'province': 'province', 'country': 'Country', 'contact_types': 'Contact types', 'contact_roles': 'Contact roles',
    'company_types': 'Company types', 'sectors': 'Sectors', 'current_password': 'Current password',
    'password': 'Password', 'idle_seconds': 'Idle time', 'frame_origins': 'Sites that may frame it',
    'target_org_id': 'Target organization', 'contact_ids': 'Contacts', 'project_id': 'Project',
    'quota_mb': 'Quota', 'file': 'File', 'mapping': 'Column mapping', 'mode': 'Mode', 'kind': 'Kind',
    'shown_fields': 'Fields shown', 'move_to': 'Move to', 'choices': 'Choice',
}
ITEMS = {'emails': 'Email', 'phones': 'Phone', 'addresses': 'Address'}  # one of them, numbered from 1: "Email 2"
_PART = re.compile(r'([A-Za-z_]\w*)(?:\[(\d+)\])?')


def _word(name: str) -> str:
    return LABELS.get(name) or name.replace('_', ' ').capitalize()


def field_label(key: str) -> str:
    """'emails[0]' -> 'Email 1'; 'addresses[1].city' -> 'Address 2, city'; 'sectors[4]' -> 'Sectors, value 5';
    'vat_number' -> 'VAT number'; a key it does not know reads as words ('due_date' -> 'Due date')."""
    parts = []
    for piece in key.split('.'):
        match = _PART.fullmatch(piece)
        if match is None:
            return key
        name, index = match.groups()
        label = _word(name) if not parts else LABELS.get(name, name.replace('_', ' '))
        if index is not None:
            label = f'{ITEMS[name]} {int(index) + 1}' if name in ITEMS else f'{label}, value {int(index) + 1}'
        parts.append(label)
    return ', '.join(parts)
