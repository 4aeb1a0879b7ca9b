"""The kiosk: a read-only directory of one organization's public contacts and companies, for a wall screen or
an intranet page, opened with a kiosk link (`/kiosk/<token>`) instead of a user login; and the Settings
section where owners create, list and revoke those links.

The token travels in the path of the page's address and nowhere else: it is not put in any storage, cookie or
shared state; the screen keeps the link it opened (re-checked by every query, so a revocation empties an open
screen at once). Framing is refused unless the link lists the origins that may frame it.
"""
from __future__ import annotations

from babel.numbers import format_decimal
from fastapi import Request
from nicegui import ui

from models import i18n
from models.errors import NotFound
from models.i18n import N_, _
from models.kiosk import service as kiosk
from models.kiosk.service import Entry
from models.kiosk.tables import DEFAULT_FIELDS, IDLE_DEFAULT, KioskLink
from models.validation import display_phone
from web.headers import allow_framing

from . import language, moments
from .feedback import FAILED, attempt
from .session import PageContext
from .widgets import country_name, secret_list, secret_row, section_title, show_once
from .page_route import page

TITLE = 'Directory · Rubrica'  # until the page is built in its language
KIND_OPTIONS = {'all': N_('All'), 'contact': N_('People'), 'company': N_('Companies')}
SECTION_TITLES = {'contact': N_('People'), 'company': N_('Companies')}
MORE_BUTTONS = {'contact': N_('Show more people'), 'company': N_('Show more companies')}
SHOWN_PER_KIND = 12  # per kind on the start screen and after each search; "Show more" adds kiosk.PAGE_SIZE

# Client-side idle timer: any touch, click, key or scroll re-arms it; when it fires, the server resets the screen.
# Only an integer (validated between IDLE_MIN and IDLE_MAX seconds) is put into this script.
IDLE_SCRIPT = '''<script>
(() => {
  const idleMs = %d;
  let timer = null;
  const arm = () => { clearTimeout(timer); timer = setTimeout(() => { emitEvent('kiosk_idle'); arm(); }, idleMs); };
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll', 'input'])
    window.addEventListener(type, arm, {capture: true, passive: true});
  arm();
})();
</script>'''


def _number(value: int) -> str:
    return format_decimal(value, locale=i18n.current())


def _titled() -> None:
    ui.page_title(_('Directory') + ' · Rubrica')


def not_found() -> None:
    """No link to take a language from: the browser's."""
    ui.status_code(404)
    language.set_page_language()
    _titled()
    with ui.column().classes('w-full h-screen items-center justify-center gap-4'):
        ui.icon('link_off', size='4rem').classes('text-grey-6')
        ui.label(_('This kiosk link does not exist or was revoked.')).classes('text-h5 text-center') \
            .mark('kiosk-not-found')
        ui.label(_('Ask an owner of the organization for a new link (Settings → Kiosk links).')) \
            .classes('text-grey-8 text-center')


@page('/kiosk', title=TITLE)
async def kiosk_without_link():
    not_found()


@page('/kiosk/{token}', title=TITLE)
async def kiosk_page(token: str, request: Request):
    try:
        link = await kiosk.link_for_token(token)
    except NotFound:
        not_found()
        return
    allow_framing(request, link.frame_origins)
    language.set_page_language(link.language)
    _titled()
    moments.set_page_zone()
    moments.tell_browser_zone()
    await KioskScreen(link).build()


class KioskScreen:
    """One screen's state: what is searched, which kind is shown, how many, and which card is open.

    Handlers load first and render after (the render functions do not wait on anything), and only the answer to
    the latest request is shown, so fast typing can neither duplicate nor reorder results.
    """

    def __init__(self, link: KioskLink) -> None:
        self.link = link
        self.region = link.org.country
        self.query = ''
        self.kind = 'all'
        self.pages: dict[str, kiosk.Results] = {}
        self.card: kiosk.Card | None = None
        self.card_missing = False
        self.gone = False
        self.generation = 0

    # ------------------------------------------------------------ layout

    async def build(self) -> None:
        ui.query('body').classes('bg-grey-2')
        ui.add_body_html(IDLE_SCRIPT % (int(self.link.idle_seconds) * 1000))
        ui.on('kiosk_idle', self.reset)
        await self.load()
        with ui.column().classes('w-full max-w-[110rem] mx-auto p-4 sm:p-8 gap-6'):
            with ui.row().classes('w-full items-center no-wrap gap-4'):
                ui.icon('contacts', size='3rem').classes('text-primary')
                with ui.column().classes('gap-0'):
                    ui.label(self.link.org.name).classes('text-h4 font-medium').mark('kiosk-org')
                    ui.label(_('Directory')).classes('text-h6 text-grey-8')
            self.search = ui.input(placeholder=_('Search people and companies'), on_change=self.searched) \
                .props('outlined rounded clearable debounce=300 bg-color=white input-class="text-h5" '
                       'input-style="min-height: 4.5rem" autocomplete=off spellcheck=false') \
                .classes('w-full text-h5 kiosk-search').mark('kiosk-search')
            with self.search.add_slot('prepend'):
                ui.icon('search', size='2.5rem')
            kinds = {name: _(text) for name, text in KIND_OPTIONS.items()}
            self.kinds = ui.toggle(kinds, value='all', on_change=self.kind_changed) \
                .props('spread no-caps size=xl toggle-color=primary color=white text-color=black') \
                .classes('w-full max-w-2xl text-h6').mark('kiosk-kind')
            self.results()
        with ui.dialog().props('transition-show=fade transition-hide=fade') as self.dialog, \
                ui.card().classes('w-full max-w-4xl p-6 sm:p-10'):
            self.card_view()
        self.dialog.on('hide', self.card_closed)

    async def load(self, more: str | None = None) -> bool:
        """Fetch the first results for the current search, or the next page of one kind (`more`); False when a
        newer request overtook this one."""
        self.generation += 1
        mine = self.generation
        kinds = ('contact', 'company') if self.kind == 'all' else (self.kind,)
        try:
            if more:
                shown = self.pages[more].entries
                page = await kiosk.search_directory(self.link, more, q=self.query, limit=kiosk.PAGE_SIZE,
                                                    offset=len(shown))
                pages = {**self.pages, more: kiosk.Results(shown + page.entries, page.total)}
            else:
                pages = {k: await kiosk.search_directory(self.link, k, q=self.query, limit=SHOWN_PER_KIND)
                         for k in kinds}
        except NotFound:
            self.gone, pages = True, {}
        if mine != self.generation:
            return False
        self.pages = pages
        return True

    @ui.refreshable_method
    def results(self) -> None:
        if self.gone:
            ui.label(_('This kiosk link was revoked.')).classes('text-h5 text-negative q-my-xl').mark('kiosk-gone')
            return
        if not any(page.total for page in self.pages.values()):
            ui.label(_('Nothing found.') if self.query.strip() else _('The directory is empty.')) \
                .classes('text-h5 text-grey-8 q-my-xl').mark('kiosk-nothing')
            return
        for kind_name, page in self.pages.items():
            if not page.total:
                continue
            with ui.row().classes('w-full items-baseline gap-3'):
                ui.label(_(SECTION_TITLES[kind_name])).classes('text-h5')
                ui.label(_number(page.total)).classes('text-h6 text-grey-7').mark(f'kiosk-total-{kind_name}')
            with ui.element('div').classes('w-full grid grid-cols-1 md:grid-cols-2 xl:grid-cols-3 gap-4'):
                for entry in page.entries:
                    self.tile(entry)
            if page.total > len(page.entries):
                ui.button(_(MORE_BUTTONS[kind_name]),
                          on_click=lambda k=kind_name: self.more(k)) \
                    .props('outline size=xl no-caps').classes('w-full sm:w-auto min-h-[4rem]') \
                    .mark(f'kiosk-more-{kind_name}')

    def tile(self, entry: Entry) -> None:
        detail = ' · '.join(part for part in (entry.type, entry.role, entry.company_name, entry.sector) if part)
        with ui.card().classes('w-full min-h-[6rem] cursor-pointer justify-center q-pa-lg kiosk-tile') \
                .props('flat bordered').on('click', lambda e=entry: self.open_card(e.kind, e.id)) \
                .mark('kiosk-result', f'kiosk-{entry.kind}-{entry.id}'):
            with ui.row().classes('items-center no-wrap gap-4 w-full'):
                ui.icon('person' if entry.kind == 'contact' else 'business', size='2.5rem').classes('text-primary')
                with ui.column().classes('gap-1 min-w-0'):
                    ui.label(entry.name).classes('text-h6 leading-tight break-words').mark('kiosk-result-name')
                    if detail:
                        ui.label(detail).classes('text-body1 text-grey-8 break-words')

    @ui.refreshable_method
    def card_view(self) -> None:
        if self.card_missing:
            ui.label(_('This record is no longer in the directory.')).classes('text-h6').mark('kiosk-card-missing')
            self._close_button()
            return
        if self.card is None:
            return
        entry = self.card.entry
        with ui.column().classes('w-full gap-4 kiosk-card').mark('kiosk-card'):
            with ui.row().classes('w-full items-center no-wrap gap-4'):
                ui.icon('person' if entry.kind == 'contact' else 'business', size='3.5rem').classes('text-primary')
                with ui.column().classes('gap-0 min-w-0'):
                    ui.label(entry.name).classes('text-h4 break-words kiosk-card-name').mark('kiosk-card-name')
                    detail = ' · '.join(part for part in (entry.type, entry.role, entry.sector) if part)
                    if detail:
                        ui.label(detail).classes('text-h6 text-grey-8')
            if entry.company_id:
                ui.button(entry.company_name, icon='business',
                          on_click=lambda: self.open_card('company', entry.company_id)) \
                    .props('outline no-caps size=lg').classes('min-h-[3.5rem]').mark('kiosk-card-company')
            self._details(entry)
            if entry.kind == 'company' and self.card.contacts_total:
                ui.label(_('People ({count})', count=_number(self.card.contacts_total))).classes('text-h6 q-mt-md')
                with ui.element('div').classes('w-full grid grid-cols-1 md:grid-cols-2 gap-3'):
                    for person in self.card.contacts:
                        ui.button(person.name or '—', icon='person',
                                  on_click=lambda p=person: self.open_card('contact', p.id)) \
                            .props('flat no-caps align=left size=lg').classes('w-full min-h-[3.5rem]') \
                            .mark('kiosk-card-person')
            self._close_button()

    def _details(self, entry: Entry) -> None:
        rows = [('phone', display_phone(p, self.region), f'tel:{p}', 'kiosk-card-phone') for p in entry.phones]
        rows += [('mail', e, f'mailto:{e}', 'kiosk-card-email') for e in entry.emails]
        if entry.pec:
            rows.append(('verified', f'PEC {entry.pec}', f'mailto:{entry.pec}', 'kiosk-card-pec'))
        for icon, text, target, marker in rows:
            with ui.row().classes('items-center no-wrap gap-4 min-h-[3.5rem]'):
                ui.icon(icon, size='2rem').classes('text-grey-7')
                ui.link(text, target).classes('text-h6 break-all').mark(marker)
        for address in entry.addresses:
            text = ', '.join(part for part in (address.get('street'), address.get('postal_code'),
                                               address.get('city'), address.get('province'),
                                               country_name(address.get('country'))) if part)
            if text:
                with ui.row().classes('items-center no-wrap gap-4 min-h-[3.5rem]'):
                    ui.icon('place', size='2rem').classes('text-grey-7')
                    ui.label(text).classes('text-h6 break-words').mark('kiosk-card-address')
        if not rows and not entry.addresses:
            ui.label(_('No phone or email in the directory.')).classes('text-grey-8')

    def _close_button(self) -> None:
        ui.button(_('Back'), icon='arrow_back', on_click=self.dialog.close) \
            .props('unelevated size=xl no-caps').classes('w-full sm:w-auto min-h-[4rem] q-mt-md') \
            .mark('kiosk-card-close')

    # ------------------------------------------------------------ actions

    async def refresh_results(self, more: str | None = None) -> None:
        if await self.load(more):
            self.results.refresh()

    async def searched(self) -> None:
        self.query = self.search.value or ''
        await self.refresh_results()

    async def kind_changed(self) -> None:
        self.kind = self.kinds.value or 'all'
        await self.refresh_results()

    async def more(self, kind_name: str) -> None:
        await self.refresh_results(more=kind_name)

    async def open_card(self, kind_name: str, record_id: int) -> None:
        try:
            self.card, self.card_missing = await kiosk.directory_card(self.link, kind_name, record_id), False
        except NotFound:
            self.card, self.card_missing = None, True
        self.card_view.refresh()
        self.dialog.open()

    def card_closed(self) -> None:
        self.card, self.card_missing = None, False

    async def reset(self) -> None:
        """Back to the start: no search, all kinds, first results, no card, at the top."""
        self.dialog.close()
        self.card_closed()
        ui.run_javascript('window.scrollTo(0, 0)')
        if not self.query and self.kind == 'all' and all(len(p.entries) <= SHOWN_PER_KIND for p in self.pages.values()):
            return
        self.query, self.kind = '', 'all'
        self.search.value, self.kinds.value = '', 'all'  # their change handlers load the same start screen
        await self.refresh_results()


# ------------------------------------------------------------------ Settings → Kiosk links (owners)

FIELD_LABELS = {'company': N_('Company'), 'role': N_('Role'), 'sector': N_('Sector'), 'type': N_('Type'),
                'work_email': N_('Work email (the first)'), 'emails': N_('Every email'),
                'work_phone': N_('Work phone (the first)'), 'phones': N_('Every phone'), 'pec': N_('PEC'),
                'addresses': N_('Addresses')}


def _field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def _fields_text(shown: list[str]) -> str:
    return ', '.join([_('name'), *(_field_label(f).lower() for f in shown)])


def fields_select(value: list[str]) -> ui.select:
    """The fields a kiosk link shows besides the name (models/kiosk/service.py KIOSK_FIELDS)."""
    return ui.select({name: _field_label(name) for name in kiosk.KIOSK_FIELDS}, value=list(value),
                     multiple=True, label=_('Shows, besides the name')).props('use-chips outlined') \
        .classes('min-w-[22rem] grow')


def language_select(value: str) -> ui.select:
    """The language a kiosk link's screen speaks: one Rubrica speaks, or the browser's."""
    return ui.select({'': _("The browser's language"), **i18n.LANGUAGES}, value=value, label=_('Language')) \
        .props('outlined').classes('min-w-[14rem]')


def _language_text(link: KioskLink) -> str:
    return _('language: {language}', language=i18n.LANGUAGES.get(link.language) or _("the browser's"))


def _origins_text(link: KioskLink) -> str:
    return ', '.join(link.frame_origins) if link.frame_origins else _('no framing (open it full screen)')


async def kiosk_links_section(ctx: PageContext) -> None:
    """Create, list and revoke the organization's kiosk links. Mount it for owners (Action.MANAGE_KIOSK)."""
    section_title(_('Kiosk links'), _(
        "A kiosk link opens a read-only directory of this organization's public contacts and companies, without "
        'logging in: for a wall screen or an intranet page. It shows the name and the fields you choose (by '
        'default company, role, sector, the work email and phone, which are the first email and phone of a '
        'record), and finds records by those only. Private records, descriptions and attachments are never shown. '
        'It speaks the language you choose, or that of the browser. Anyone with the link can open it; revoke it '
        'when it is no longer used.'))

    def link_row(link: KioskLink, refresh) -> None:
        async def revoke() -> None:
            if await attempt(kiosk.revoke_kiosk_link(actor=ctx.membership, link_id=link.id)) is not FAILED:
                ui.notify(_('Kiosk link revoked'), type='positive')
            refresh()
        last_opened = _('never opened') if link.last_used_at is None \
            else _('last opened {moment}', moment=moments.moment(link.last_used_at))
        secret_row(link.name, link.hint,
                   [(_('shows: {fields}', fields=_fields_text(link.shown_fields)), 'text-grey-9'),
                    (_('back to start after {seconds} s', seconds=_number(link.idle_seconds)), 'text-grey-7'),
                    (_language_text(link), 'text-grey-7'),
                    (_('framed by: {origins}', origins=_origins_text(link)), 'text-grey-7 break-all'),
                    (_('created {day}', day=moments.day(link.created_at)), 'text-grey-7'),
                    (last_opened, 'text-grey-7')],
                   revoke, mark='kiosk', classes='flex-wrap', name_classes='min-w-[10rem]', name_mark='kiosk-row-name')
        ui.button(_('Change fields or language'), icon='tune', on_click=lambda: edit_link(link)) \
            .props('flat dense').mark('kiosk-edit-fields')

    def edit_link(link: KioskLink) -> None:
        with ui.dialog(value=True) as dialog, ui.card().classes('max-w-lg'):
            ui.label(_('What "{name}" shows', name=link.name)).classes('text-h6')
            chosen = fields_select(link.shown_fields).mark('kiosk-edit-fields-select')
            spoken = language_select(link.language).mark('kiosk-edit-language')

            async def save() -> None:
                done = await attempt(kiosk.change_kiosk_link(actor=ctx.membership, link_id=link.id,
                                                             shown_fields=chosen.value or [],
                                                             language=spoken.value or ''),
                                     {'shown_fields': chosen, 'language': spoken})
                if done is FAILED:
                    return
                dialog.close()
                ui.notify(_('Kiosk link saved: open screens show its fields from their next search, and its '
                            'language once reloaded'), type='positive')
                link_list.refresh()
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=dialog.close).props('flat')
                ui.button(_('Save'), on_click=save).mark('kiosk-edit-fields-save')

    link_list = secret_list(lambda: kiosk.list_kiosk_links(ctx.membership), link_row,
                            empty=_('No kiosk links yet.'), empty_mark='no-kiosk-links')

    with ui.card().classes('w-full'):
        with ui.row().classes('items-start gap-2 flex-wrap w-full'):
            name = ui.input(_('Name'), placeholder=_('e.g. Reception screen')).classes('min-w-[14rem]') \
                .mark('kiosk-name')
            idle = ui.number(_('Back to start after (seconds)'), value=IDLE_DEFAULT, min=kiosk.IDLE_MIN,
                             max=kiosk.IDLE_MAX, step=1, precision=0).classes('min-w-[14rem]').mark('kiosk-idle')
            origins = ui.textarea(_('Allowed framing origins (optional)'),
                                  placeholder=_('https://intranet.example.com, one per line')) \
                .props('autogrow').classes('min-w-[22rem] grow').mark('kiosk-origins')
            fields = fields_select(DEFAULT_FIELDS).mark('kiosk-fields')
            spoken = language_select('').mark('kiosk-language')

        async def create() -> None:
            created = await attempt(kiosk.create_kiosk_link(actor=ctx.membership, name=name.value,
                                                            idle=idle.value, frame_origins=origins.value,
                                                            shown_fields=fields.value or [],
                                                            language=spoken.value or ''),
                                    {'name': name, 'idle_seconds': idle, 'frame_origins': origins,
                                     'shown_fields': fields, 'language': spoken})
            if created is FAILED:
                return
            raw = created[1]
            name.value, origins.value, fields.value, spoken.value = '', '', list(DEFAULT_FIELDS), ''
            address = f'{str(ui.context.client.request.base_url).rstrip("/")}/kiosk/{raw}'
            show_once(_('Your new kiosk link'), _('Copy it now: it is shown only once. Anyone with it sees the '
                                                  'public directory.'), address, mark='kiosk-link-url')
            link_list.refresh()
        ui.button(_('Create kiosk link'), on_click=create).mark('kiosk-create')
        ui.separator()
        await link_list()
