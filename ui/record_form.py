"""The fields of a contact or company: shown in clear sections, and edited in the same sections."""
from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from models import access
from models.i18n import N_, _
from models.labels import field_label, registration_label
from models.records.tables import COMPANY, CONTACT, Company, Kind, Record
from models.validation import ADDRESS_FIELDS, MAX_ADDRESSES, MAX_EMAILS, MAX_PHONES, display_phone, record_country

from .company_picker import CompanyPicker
from .description import DescriptionEditor, description_view
from .session import PageContext
from .widgets import country_name, country_select, field_style

ADDRESS_LABELS = {'street': N_('Street'), 'city': N_('City'), 'postal_code': N_('Postal code'),
                  'province': N_('Province'), 'country': N_('Country')}
OPTION_LABELS = {'type': N_('Type'), 'role': N_('Role'), 'sector': N_('Sector')}


def _section(title: str):
    card = ui.card().classes('w-full')
    with card:
        ui.label(title).classes('text-subtitle1 text-grey-9')
    return card


def _value_row(label: str, value: str, mark: str) -> None:
    with ui.row().classes('gap-2 items-baseline no-wrap'):
        ui.label(label).classes('text-grey-7 min-w-[7rem]')
        ui.label(value or '—').classes('break-all').mark(mark)


# ---------------------------------------------------------------- view

def record_details(ctx: PageContext, kind: Kind, record: Record, company: Company | None,
                   member_names: dict[int, str]) -> None:
    region = ctx.org.country
    with ui.element('div').classes('grid grid-cols-1 lg:grid-cols-2 gap-2 w-full'):
        _details_sections(kind, record, company, region)
    with _section(_('Description')):
        description_view(record.description, member_names)


def _details_sections(kind: Kind, record: Record, company: Company | None, region: str) -> None:
    with _section(_('Person') if kind is CONTACT else _('Company')):
        if kind is CONTACT:
            _value_row(_('First name'), record.first_name, 'view-first_name')
            _value_row(_('Last name'), record.last_name, 'view-last_name')
            _value_row(_('Role'), record.role, 'view-role')
        else:
            _value_row(_('Name'), record.name, 'view-name')
            _value_row(_('Sector'), record.sector, 'view-sector')
        _value_row(_('Type'), record.type, 'view-type')
        if kind is CONTACT:
            with ui.row().classes('gap-2 items-baseline no-wrap'):
                ui.label(_('Company')).classes('text-grey-7 min-w-[7rem]')
                if company:
                    ui.link(company.name, f'/companies/{company.id}').mark('view-company')
                else:
                    ui.label('—').mark('view-company')

    with _section(_('Email and phone')):
        for i, email in enumerate(record.emails):
            with ui.row().classes('gap-2 items-baseline no-wrap'):
                ui.label(field_label(f'emails[{i}]')).classes('text-grey-7 min-w-[7rem]')
                ui.link(email, f'mailto:{email}').classes('break-all').mark('view-email')
        if record.pec:  # certified mail is written to like any other address
            with ui.row().classes('gap-2 items-baseline no-wrap'):
                ui.label(_('PEC')).classes('text-grey-7 min-w-[7rem]')
                ui.link(record.pec, f'mailto:{record.pec}').classes('break-all').mark('view-pec')
        else:
            _value_row(_('PEC'), '', 'view-pec')
        for i, phone in enumerate(record.phones):
            with ui.row().classes('gap-2 items-baseline no-wrap'):
                ui.label(field_label(f'phones[{i}]')).classes('text-grey-7 min-w-[7rem]')
                ui.link(display_phone(phone, region), f'tel:{phone}').mark('view-phone')
        if not record.emails and not record.phones:
            ui.label(_('No email or phone yet.')).classes('text-grey-6')

    with _section(_('Addresses')):
        for address in record.addresses:
            lines = [address.get('street', ''),
                     ' '.join(p for p in (address.get('postal_code', ''), address.get('city', ''),
                                          f"({address['province']})" if address.get('province') else '') if p),
                     country_name(address.get('country'))]
            ui.label('\n'.join(line for line in lines if line)).classes('whitespace-pre-line').mark('view-address')
        if not record.addresses:
            ui.label(_('No address yet.')).classes('text-grey-6')

    with _section(_('VAT number / tax code')):
        ui.label(record.vat_number or '—').classes('font-mono').mark('view-vat_number')
        if kind is COMPANY:
            _local_rows(record, region)


def shows_sdi_code(region: str, record: Record | None) -> bool:
    """The codice destinatario SDI is an Italian field: on the cards of an organization in Italy, and on any card
    that has one (given through the API or an import)."""
    return region == 'IT' or bool(record is not None and record.sdi_code)


def _local_rows(record: Record, region: str) -> None:
    if shows_sdi_code(region, record):
        _value_row(field_label('sdi_code'), record.sdi_code, 'view-sdi_code')
    _value_row(registration_label(record_country(record.addresses, region)), record.registration_number,
               'view-registration_number')


# ---------------------------------------------------------------- edit

class RecordForm:
    """Inputs for every field; `data()` returns what to save, `elements` maps field names to inputs so that
    errors show next to the field they name."""

    def __init__(self, ctx: PageContext, kind: Kind, record: Record | None, *, lists: dict[str, list[str]],
                 member_names: dict[int, str], names: dict[int, str] | None = None, company: Company | None = None,
                 prefill: dict | None = None, on_change: Callable[[], None] | None = None) -> None:
        self.ctx, self.kind, self.record = ctx, kind, record
        prefill = prefill or {}
        self.elements: dict[str, object] = {}

        def current(name: str, default=''):
            return getattr(record, name) if record is not None else prefill.get(name, default)

        with _section(_('Person') if kind is CONTACT else _('Company')):
            with ui.row().classes('w-full gap-2'):
                if kind is CONTACT:
                    self._text('first_name', _('First name'), current('first_name'))
                    self._text('last_name', _('Last name'), current('last_name'))
                else:
                    self._text('name', _('Name'), current('name'), grow=True)
            with ui.row().classes('w-full gap-2'):
                for name, list_kind in kind.options.items():
                    self._option(name, lists.get(list_kind, []), current(name))
            if kind is CONTACT:
                self.company = CompanyPicker(ctx, company_id=company.id if company else None,
                                             company_name=company.name if company else '')

        with _section(_('Email and phone')):
            emails = list(current('emails', []))
            phones = [display_phone(p, ctx.org.country) for p in current('phones', [])]
            with ui.row().classes('w-full gap-2'):
                for i in range(MAX_EMAILS):
                    self._text(f'emails[{i}]', field_label(f'emails[{i}]'), emails[i] if i < len(emails) else '',
                               kind='email')
            self._text('pec', _('PEC (certified email)'), current('pec'), kind='email')
            with ui.row().classes('w-full gap-2'):
                for i in range(MAX_PHONES):
                    self._text(f'phones[{i}]', field_label(f'phones[{i}]'), phones[i] if i < len(phones) else '',
                               kind='tel')

        with _section(_('Addresses')):
            addresses = list(current('addresses', []))
            for i in range(MAX_ADDRESSES):
                address = addresses[i] if i < len(addresses) else {}
                with ui.expansion(field_label(f'addresses[{i}]'), value=bool(address) or i == 0).classes('w-full') \
                        .mark(f'address-{i}'):
                    with ui.row().classes('w-full gap-2'):
                        for part in ADDRESS_FIELDS:
                            key = f'addresses[{i}].{part}'
                            if part == 'country':
                                self.elements[key] = field_style(country_select(
                                    _(ADDRESS_LABELS[part]), address.get(part) or None, mark=f'field-{key}',
                                    clearable=True)).classes('min-w-[12rem] grow')
                            else:
                                self._text(key, _(ADDRESS_LABELS[part]), address.get(part, ''))

        with _section(_('VAT number / tax code')):
            vat_number = self._text('vat_number', _('VAT number or tax code'), current('vat_number'), grow=True)
            vat_number.props['hint'] = _('Partita IVA, codice fiscale or an EU VAT number')  # a text with quotes
            if kind is COMPANY:
                self._local_inputs(record, current)

        with _section(_('Description')):
            self.description = DescriptionEditor(current('description'), member_names, names).mark('field-description')
            self.elements['description'] = self.description

        with _section(_('Visibility')):
            may_change = record is None or access.may_change_visibility(ctx.membership, record)
            self.private = ui.switch(_('Private: only I and the people mentioned see it'),
                                     value=(current('visibility', 'public') == 'private')).mark('field-visibility')
            self.elements['visibility'] = self.private
            if not may_change:
                self.private.disable()
                ui.label(_('Only the person who created it can change its visibility.')).classes('text-grey-7')

        if on_change is not None:  # every input, and the company picked
            for element in self.elements.values():
                element.on_value_change(lambda: on_change())
            if kind is CONTACT:
                self.company.on_change = on_change

    def _local_inputs(self, record: Record | None, current: Callable[..., object]) -> None:
        """A company's local fields: the SDI code (Italy) and the register number, named for the company's country
        (SIREN/SIRET in France)."""
        region = self.ctx.org.country
        with ui.row().classes('w-full gap-2'):
            if shows_sdi_code(region, record):
                self._text('sdi_code', field_label('sdi_code'), current('sdi_code'))
            country = record_country(record.addresses if record is not None else current('addresses', []), region)
            self._text('registration_number', registration_label(country), current('registration_number'))

    def _text(self, key: str, label: str, value: str, *, kind: str = 'text', grow: bool = False):
        element = field_style(ui.input(label, value=value or '')).props(f'type={kind}') \
            .classes('grow' if grow else 'min-w-[12rem] grow').mark(f'field-{key}')
        self.elements[key] = element
        return element

    def _option(self, name: str, options: list[str], value: str):
        choices = list(options) + ([value] if value and value not in options else [])
        element = field_style(ui.select(choices, label=_(OPTION_LABELS[name]), value=value or None, clearable=True)) \
            .classes('min-w-[12rem] grow').mark(f'field-{name}')
        self.elements[name] = element
        return element

    def _value(self, key: str) -> str:
        return (self.elements[key].value or '').strip()

    def data(self) -> dict:
        data: dict[str, object] = {name: self._value(name) for name in self.kind.options}
        names = ('first_name', 'last_name') if self.kind is CONTACT else ('name',)
        data |= {name: self._value(name) for name in names}
        data['emails'] = [self._value(f'emails[{i}]') for i in range(MAX_EMAILS)]
        data['phones'] = [self._value(f'phones[{i}]') for i in range(MAX_PHONES)]
        data['pec'] = self._value('pec')
        data['addresses'] = [{part: self._value(f'addresses[{i}].{part}') for part in ADDRESS_FIELDS}
                             for i in range(MAX_ADDRESSES)]
        data['vat_number'] = self._value('vat_number')
        data |= {name: self._value(name) for name in ('sdi_code', 'registration_number') if name in self.elements}
        data['description'] = self.description.value or ''
        data['visibility'] = 'private' if self.private.value else 'public'
        if self.kind is CONTACT:
            data |= self.company.data
        return data
