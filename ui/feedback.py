"""Shows the data layer's errors to the user: next to the field that is wrong, or as a message."""
from __future__ import annotations

import inspect
from collections.abc import Awaitable, Mapping
from typing import TypeVar

from nicegui import ui

from models.errors import RubricaError, ValidationFailed
from models.i18n import _
from models.labels import field_label

from . import language, session

T = TypeVar('T')
FAILED = object()  # returned by attempt() when the action did not happen
FLASH_KEY = 'rubrica.flash'  # in the browser's storage: a message for the next page it opens


def flash(message: str) -> None:
    """Tell the person on the next page this browser opens (a notification sent now is lost when this page goes)."""
    session.browser_storage()[FLASH_KEY] = message


def show_flash() -> None:
    """While building a page: the message the previous page left, if any, as a notification."""
    message = session.browser_storage().pop(FLASH_KEY, None)
    if isinstance(message, str):
        ui.notify(message, type='positive')


def _element_for(field: str, elements: Mapping[str, object]):
    """'emails[1]' is shown next to the 'emails[1]' input if there is one, else next to 'emails'."""
    return elements.get(field) or elements.get(field.split('[', 1)[0].split('.', 1)[0])


def clear_errors(elements: Mapping[str, object]) -> None:
    for element in elements.values():
        if hasattr(element, 'error'):
            element.error = None


async def attempt(action: Awaitable[T], elements: Mapping[str, object] | None = None, *,
                  passing: tuple[type[Exception], ...] = ()) -> T | object:
    """Run one models/ call; on a refusal tell the user what is wrong and return FAILED.

    First the page's visitor is checked again (still logged in, still in the organization with the same role): a
    page stays open for hours, and what it was allowed when it was built may no longer hold. If not, the call is not
    made, and the page says so and reloads (see session.PageContext.refresh).

    Errors of the `passing` types are raised for the caller to handle itself.
    """
    elements = elements or {}
    language.pin_page_language()  # what the handler says after this call speaks the page's language, dialog closed or not
    clear_errors(elements)
    current = False
    try:
        current = await session.still_current()
    finally:
        if not current and inspect.iscoroutine(action):
            action.close()  # not run (refused, or the handler was cancelled while checking): nothing of it ran
    if not current:
        return FAILED
    try:
        return await action
    except passing:
        raise
    except ValidationFailed as e:
        unplaced = []
        for field, message in e.errors.items():
            element = _element_for(field, elements)
            if element is not None and hasattr(element, 'error'):
                element.error = message
            else:
                unplaced.append(f'{field_label(field)}: {message}')
        ui.notify(_('Please correct the highlighted fields') if not unplaced else '; '.join(unplaced),
                  type='negative', multi_line=True)
    except RubricaError as e:
        ui.notify(e.message, type='negative', multi_line=True)
    return FAILED
