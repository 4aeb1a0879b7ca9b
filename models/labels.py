"""The names people read for fields. Errors are keyed by field (`emails[0]`, `addresses[1].city`, `vat_number`)
so that pages and API clients can place them; a message a person reads names the field by its label instead
("Email 1", "Address 2, city", "VAT number"), in the reader's language: the tables hold the English labels,
marked for the catalogs, and field_label translates them when it is called."""
from __future__ import annotations

import re

from .i18n import N_, _

LABELS = {
    'first_name': N_('First name'), 'last_name': N_('Last name'), 'name': N_('Name'), 'company_id': N_('Company'),
    'company_name': N_('Company'), 'company': N_('Company'), 'company_vat': N_('Company VAT number'),
    'role': N_('Role'), 'type': N_('Type'), 'sector': N_('Sector'), 'description': N_('Description'),
    'emails': N_('Emails'), 'email': N_('Email'), 'pec': N_('PEC (certified email)'), 'phones': N_('Phones'),
    'addresses': N_('Addresses'), 'vat_number': N_('VAT number'), 'visibility': N_('Visibility'),
    'street': N_('street'), 'city': N_('city'), 'postal_code': N_('postal code'), 'province': N_('province'),
    'country': N_('Country'), 'contact_types': N_('Contact types'), 'contact_roles': N_('Contact roles'),
    'company_types': N_('Company types'), 'sectors': N_('Sectors'), 'current_password': N_('Current password'),
    'password': N_('Password'), 'idle_seconds': N_('Idle time'), 'frame_origins': N_('Sites that may frame it'),
    'target_org_id': N_('Target organization'), 'contact_ids': N_('Contacts'), 'project_id': N_('Project'),
    'quota_mb': N_('Quota'), 'file': N_('File'), 'mapping': N_('Column mapping'), 'mode': N_('Mode'),
    'kind': N_('Kind'), 'shown_fields': N_('Fields shown'), 'move_to': N_('Move to'), 'choices': N_('Choice'),
    'limit': N_('Limit'), 'offset': N_('Offset'), 'sort': N_('Sort'), 'version': N_('Version'),
    'format': N_('Format'), 'status': N_('Status'), 'separator': N_('Separator'), 'attachments': N_('Attachments'),
    'tax_code': N_('Tax code'), 'full_name': N_('Full name'), 'time_zone': N_('Time zone'),
    'new_password': N_('New password'), 'sdi_code': N_('SDI recipient code'),
    'registration_number': N_('Company registration number'), 'text': N_('Text'),
}
# the register number where the country has one that is checked (validation.registration_number)
NATIONAL_REGISTRATION = {'FR': N_('SIREN/SIRET')}
# one of them, numbered from 1: "Email 2"
ITEMS = {'emails': N_('Email {number}'), 'phones': N_('Phone {number}'), 'addresses': N_('Address {number}')}
_PART = re.compile(r'([A-Za-z_]\w*)(?:\[(\d+)\])?')


def _word(name: str) -> str:
    return _(LABELS[name]) if name in LABELS else name.replace('_', ' ').capitalize()


def registration_label(country: str) -> str:
    """The name of a company's register number in its country: 'SIREN/SIRET' in France, else the general one."""
    return _(NATIONAL_REGISTRATION.get(country, LABELS['registration_number']))


def field_label(key: str) -> str:
    """'emails[0]' -> 'Email 1'; 'addresses[1].city' -> 'Address 2, city'; 'sectors[4]' -> 'Sectors, value 5';
    'vat_number' -> 'VAT number'; a key it does not know reads as words ('due_date' -> 'Due date')."""
    parts = []
    for piece in key.split('.'):
        match = _PART.fullmatch(piece)
        if match is None:
            return key
        name, index = match.groups()
        label = _word(name) if not parts else _(LABELS[name]) if name in LABELS else name.replace('_', ' ')
        if index is not None:
            number = int(index) + 1
            label = _(ITEMS[name], number=number) if name in ITEMS else _('{label}, value {number}', label=label,
                                                                             number=number)
        parts.append(label)
    return ', '.join(parts)
