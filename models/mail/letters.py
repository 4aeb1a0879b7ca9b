"""What a mail says, in its recipient's language, and its two bodies (plain text and HTML) from the templates.

Every mail has the same shape, a Letter: a greeting, paragraphs, at most one action (a button in HTML, the bare
link in text) and a closing. The texts are translated by the code that writes the letter, inside `spoken_in`, so
that they are in the recipient's language whatever language the request that sends it speaks.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import jinja2

from .. import i18n

T = TypeVar('T')

# HTML is autoescaped (a name like "<b>Eve</b>" is shown as typed, never as markup); the text body is not HTML
_templates = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / 'templates'),
                                autoescape=jinja2.select_autoescape(enabled_extensions=('html',),
                                                                    default_for_string=True, default=False),
                                undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@dataclass(frozen=True)
class Letter:
    """The texts of one mail, already in the recipient's language (user text in them is plain text)."""
    subject: str
    greeting: str
    paragraphs: list[str] = field(default_factory=list)
    action: str = ''  # the label of the one link the mail asks to follow
    link: str = ''
    closing: str = ''
    language: str = i18n.DEFAULT


def spoken_in(language: str, write: Callable[[], T]) -> T:
    """What `write` returns, with every `_()` in it translated into `language` ('' or unknown: English); the
    caller's own language is left as it was."""
    def in_language() -> T:
        i18n.use(language)
        return write()
    return contextvars.copy_context().run(in_language)


def bodies(letter: Letter) -> tuple[str, str]:
    """The plain-text and the HTML body of a letter."""
    values = {'letter': letter}
    return _templates.get_template('letter.txt').render(values), _templates.get_template('letter.html').render(values)
