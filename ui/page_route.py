"""How every page of Rubrica is declared: NiceGUI's `ui.page` with a longer build time.

NiceGUI answers 500 when a page's function has not built it within `response_timeout` (3 s by default). Under a
heavy load (bench/load.py: 100 people on one process) pages wait in the database's queue longer than that; a page
that arrives late is better than an error page, so a page may take PAGE_BUILD_SECONDS.
"""
from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

PAGE_BUILD_SECONDS = 20.0


def page(path: str, **options) -> Callable:
    """`ui.page(path, …)` with Rubrica's build time (tests/test_architecture.py: no page uses ui.page directly)."""
    return ui.page(path, response_timeout=PAGE_BUILD_SECONDS, **options)
