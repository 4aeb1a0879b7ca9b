"""Small reusable pieces of UI."""
from __future__ import annotations

import gettext
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TypeVar

import pycountry
from nicegui import ui

from models import i18n
from models.i18n import _
from models.text import fold

T = TypeVar('T')


# One look for every input, select and picker of a form: outlined and dense, and errors (and hints) that take room
# under their field and wrap there, instead of a fixed one-line space that long messages spill out of.
FIELD_PROPS = 'outlined dense hide-bottom-space'

E = TypeVar('E', bound=ui.element)


def field_style(element: E) -> E:
    """`element` (an input, a select, a picker) with the form fields' one look."""
    return element.props(FIELD_PROPS)


def _common_name(country) -> str:
    """'South Korea' rather than 'Korea, Republic of': the name people use, where pycountry knows one."""
    return getattr(country, 'common_name', None) or country.name


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _countries(language: str) -> dict[str, str]:
    names = gettext.translation('iso3166-1', pycountry.LOCALES_DIR, languages=[language], fallback=True)
    named = {c.alpha_2: names.gettext(_common_name(c)) for c in pycountry.countries}
    return dict(sorted(named.items(), key=lambda item: fold(item[1])))


def country_options() -> dict[str, str]:
    """Every country by its name in the reader's language ('IT' -> 'Italy', 'Italia'), in the order of the names
    (accents aside: Åland among the A)."""
    return _countries(i18n.current())


def country_name(code: str | None) -> str:
    """A country as people read it: 'IT' -> 'Italy' ('Italia'…); a code pycountry does not know is shown as it is."""
    return country_options().get((code or '').upper(), code or '')


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """'1 company', '3 companies', '0 attachments': a count with its noun in the right number."""
    return f'{count:,} {singular if count == 1 else plural or singular + "s"}'


def country_select(label: str, value: str | None = 'IT', *, mark: str | None = None, clearable: bool = False):
    select = ui.select(country_options(), label=label, value=value or None, with_input=True, clearable=clearable)
    if mark:
        select.mark(mark)
    return select


def section_title(text: str, intro: str = '') -> None:
    ui.label(text).classes('text-h6 q-mt-md')
    if intro:
        ui.label(intro).classes('text-grey-8')


def secret_list(load: Callable[[], Awaitable[list[T]]], row: Callable[[T, Callable[[], None]], None], *,
                empty: str, empty_mark: str) -> ui.refreshable:
    """The list of someone's secrets (API tokens, kiosk links), as loaded by `load`: `row(item, refresh)` draws
    each one, or a line says there are none. Draw it with `await`, redraw it with its `refresh()`."""
    @ui.refreshable
    async def listing() -> None:
        items = await load()
        if not items:
            ui.label(empty).classes('text-grey-7').mark(empty_mark)
        for item in items:
            row(item, listing.refresh)
    return listing


def secret_row(name: str, hint: str, details: list[tuple[str, str]], revoke: Callable, *, mark: str,
               classes: str = '', name_classes: str = '', name_mark: str | None = None) -> None:
    """One secret in its list (an API token, a kiosk link): its name, its first characters, what is known of it
    (each a text and its classes) and a Revoke button; marked `{mark}-row` and `{mark}-revoke`."""
    with ui.row().classes(f'items-center w-full gap-4 {classes}'.strip()).mark(f'{mark}-row'):
        label = ui.label(name).classes(f'font-medium {name_classes}'.strip())
        if name_mark:
            label.mark(name_mark)
        ui.label(f'{hint}…').classes('font-mono text-grey-8')
        for text, text_classes in details:
            ui.label(text).classes(text_classes)
        ui.button(_('Revoke'), on_click=revoke).props('flat color=negative').mark(f'{mark}-revoke')


def show_once(title: str, warning: str, secret: str, *, mark: str) -> None:
    """A dialog with a secret the server keeps no copy of (a token, a kiosk link): shown whole, wrapped rather than
    cut off in its box, with a button that copies it."""
    with ui.dialog() as shown, ui.card().classes('w-[40rem] max-w-full'):
        ui.label(title).classes('text-h6')
        ui.label(warning).classes('text-warning')
        ui.textarea(value=secret).props('readonly outlined autogrow').classes('w-full font-mono') \
            .style('word-break: break-all').mark(mark)

        def copy() -> None:
            ui.clipboard.write(secret)
            ui.notify(_('Copied'), type='positive')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(_('Copy'), icon='content_copy', on_click=copy).mark(f'{mark}-copy')
            ui.button(_('Done'), on_click=shown.close).mark(f'{mark}-done')
    shown.open()
