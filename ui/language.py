"""The language a page speaks: the user's choice (Settings, the user menu), else the browser's `Accept-Language`,
else English. Chosen when the page is built and kept in the page's client storage, where the page's event
handlers, which run in tasks of their own, find it again (registered with models.i18n by `install`)."""
from __future__ import annotations

from nicegui import context, core

from models import i18n

LANGUAGE_KEY = 'rubrica.language'  # in the page's client storage


def set_page_language(chosen: str = '') -> str:
    """While building a page: the language it speaks from now on (and the one its handlers will speak).
    In an HTTP route that is not a page, the user's choice wins over the request's Accept-Language alone."""
    try:
        client = context.client
    except RuntimeError:
        if i18n.supported(chosen):
            i18n.use(chosen)
        return i18n.current()
    header = client.request.headers.get('accept-language') if client.request is not None else None
    language = i18n.supported(chosen) or i18n.negotiate(header)
    client.storage[LANGUAGE_KEY] = language
    i18n.use(language)
    return language


def page_language() -> str | None:
    """The open page's language, for code that runs outside the request that built it; None outside pages."""
    if not core.app.is_started:  # a text made while modules load: asking NiceGUI for a client now would make one
        return None
    try:
        return context.client.storage.get(LANGUAGE_KEY)
    except RuntimeError:
        return None


def pin_page_language() -> None:
    """In a page's event handler: keep the page's language for the rest of this handler's task. Once a handler has
    closed its dialog, the element it was called from is gone and the page cannot be found from it any more."""
    if (language := page_language()) is not None:
        i18n.use(language)


def install() -> None:
    i18n.resolve_with(page_language)
