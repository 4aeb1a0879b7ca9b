"""Small reusable pieces of UI."""
from __future__ import annotations

from functools import lru_cache

import pycountry
from nicegui import ui


@lru_cache(maxsize=1)
def country_options() -> dict[str, str]:
    return {c.alpha_2: f'{c.name} ({c.alpha_2})' for c in sorted(pycountry.countries, key=lambda c: c.name)}


def country_select(label: str, value: str | None = 'IT', *, mark: str | None = None, clearable: bool = False):
    select = ui.select(country_options(), label=label, value=value or None, with_input=True, clearable=clearable)
    if mark:
        select.mark(mark)
    return select


def section_title(text: str) -> None:
    ui.label(text).classes('text-h6 q-mt-md')
