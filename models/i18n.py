"""The languages Rubrica speaks: English, Italian and French, from gettext catalogs (locales/<lang>/LC_MESSAGES/messages.po).

Every text a person reads is written in English in the code inside `_()` (or `ngettext()` when it counts
something) and looked up in the reader's catalog when it is shown. Texts defined before anyone reads them (a table
of labels at the top of a module) are marked with `N_()` and translated with `_()` where they are shown.

Who reads decides the language: the API sets it per request from `Accept-Language`, a page per page and per event
from the user's choice or the browser's. Inside a page (its build and its event handlers, which run in tasks of
their own) the page's language answers, through the resolver the page layer registers (`resolve_with`); elsewhere
(an API request, an import worker) the language of the task, a context variable set with `use`.

The catalogs are compiled when first used (no build step): `.po` files are the only source, kept in the repository
and refreshed by `make messages`; tests/test_messages.py fails when one misses or keeps a text the code has not.
"""
from __future__ import annotations

import functools
import gettext
from collections.abc import Callable
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.numbers import format_decimal
from babel.messages.pofile import read_po

LANGUAGES = {'en': 'English', 'it': 'Italiano', 'fr': 'Français'}  # each in its own language, for the switch
DEFAULT = 'en'
LOCALES_DIR = Path(__file__).resolve().parent.parent / 'locales'
DOMAIN = 'messages'
ROOT = LOCALES_DIR.parent
# where `make messages` and the tests look for texts
TRANSLATED_CODE = ('models', 'ui', 'api', 'dav', 'web', 'main.py')

_current: ContextVar[str | None] = ContextVar('rubrica_language', default=None)
_resolver: Callable[[], str | None] | None = None


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / 'LC_MESSAGES' / f'{DOMAIN}.po'


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language (English is the code's own text)."""
    path = catalog_path(language)
    if language == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open('rb') as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def texts_in_code() -> set[str | tuple[str, str]]:
    """Every text the code marks for translation: a string, or (singular, plural) for a counted one."""
    found = []
    for name in TRANSLATED_CODE:
        path = ROOT / name
        if path.is_dir():
            found += [message for _, _, message, _, _ in extract_from_dir(path, keywords=DEFAULT_KEYWORDS)]
        else:
            found += [message for _, message, _, _ in extract_from_file('python', path)]
    return {message if isinstance(message, str) else tuple(message) for message in found}


def translated(string: str | tuple[str, ...] | None) -> bool:
    """Whether a catalog entry's translation is there (every plural form of it)."""
    return bool(string) and (isinstance(string, str) or all(string))


def spellings(message: str) -> set[str]:
    """A text as each language writes it ('Supplier', 'Fornitore', 'Fournisseur')."""
    return {message if language == DEFAULT else translations(language).gettext(message) for language in LANGUAGES}


def supported(language: object) -> str | None:
    """A language Rubrica speaks, from a tag such as 'it', 'it-IT' or 'fr_CA'; None for anything else."""
    if not isinstance(language, str):
        return None
    primary = language.strip().replace('_', '-').split('-')[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best language for an `Accept-Language` header (RFC 9110 weights), English when none fits."""
    choices = []
    for position, part in enumerate((accept_language or '')[:500].split(',')):
        tag, _, params = part.partition(';')
        weight = 1.0
        for param in params.split(';'):
            name, _, value = param.strip().partition('=')
            if name == 'q':
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if (language := supported(tag)) and weight > 0:
            choices.append((-weight, position, language))
    return min(choices)[2] if choices else DEFAULT


def use(language: str | None) -> None:
    """From here on in this task (a request, a page being built), texts are in this language."""
    _current.set(supported(language) or DEFAULT)


def resolve_with(resolver: Callable[[], str | None]) -> None:
    """Ask this first (the page layer's: the language of the open page, None outside pages)."""
    global _resolver
    _resolver = resolver


def current() -> str:
    """The open page's language when there is one (the resolver's; a page's handlers may run in a task whose
    context last served another request), else this task's (an API request, an import worker), else English."""
    language = _resolver() if _resolver is not None else None
    return supported(language or _current.get()) or DEFAULT


def _(message: str, /, **values: object) -> str:
    """The reader's translation of `message`, with `{name}` placeholders filled from `values`."""
    translated = translations(current()).gettext(message)
    return translated.format(**values) if values else translated


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form of `singular`/`plural` that the reader's language uses for `count` (filled in as `{count}`)."""
    language = current()
    translated = translations(language).ngettext(singular, plural, count)
    return translated.format(count=format_decimal(count, locale=language), **values)


def number(value: int | float, pattern: str | None = None) -> str:
    """A number written the reader's way ('1,200' in English, '1.200' in Italian, '1 200' in French), for the
    numbers of a text that are not its `{count}`; `pattern` as Babel's ('#,##0.0': one decimal always)."""
    return format_decimal(value, format=pattern, locale=current())


def N_(message: str, /) -> str:  # noqa: N802 - the name gettext tools look for
    """Marks a text for the catalogs where it is defined; `_()` translates it where it is shown."""
    return message
