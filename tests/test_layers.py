"""The layers import only downwards: ui/ and api/ never import each other, web/ (what both need of HTTP) imports
neither, and models/ and integrations/ know nothing of the web. Read from the source with `ast`, imports inside
functions included."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# what each top-level package may never import (its first name: `api` forbids `api` and `api.limits`)
FORBIDDEN = {
    'ui': {'api'},
    'api': {'ui'},
    'web': {'ui', 'api'},
    'models': {'ui', 'api', 'web', 'nicegui', 'fastapi', 'starlette'},
    'integrations': {'ui', 'api', 'web', 'models', 'nicegui', 'fastapi', 'starlette'},
}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the file; relative imports stay inside their package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(package: str) -> list[str]:
    return [f'{path.relative_to(ROOT)}:{line} imports {module}'
            for path in sorted((ROOT / package).rglob('*.py'))
            for line, module in imported(path) if module.split('.')[0] in FORBIDDEN[package]]


@pytest.mark.parametrize('package', sorted(FORBIDDEN))
def test_a_layer_imports_nothing_it_must_not(package):
    assert (ROOT / package).is_dir()
    assert violations(package) == []


def test_the_check_sees_imports_inside_functions_and_dotted_names(tmp_path):
    source = tmp_path / 'page.py'
    source.write_text('from nicegui import ui\n\ndef f():\n    from api.limits import BodyLimit\n    import ui.guard\n'
                      '    from . import session\n')
    assert [module for _, module in imported(source)] == ['nicegui', 'api.limits', 'ui.guard']
