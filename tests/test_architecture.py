"""The architecture, checked on the source with the standard library's `ast`: no import cycle between modules,
no import hidden inside a function in models/, the layers import only downwards, and tables are leaves.

The module graph has an edge for every project import, at the top of a module or inside a function, relative
imports resolved. Importing `a.b.c` (or `from a.b import c`) also runs the __init__ of `a` and `a.b`, so those
packages are edges too, except the importer's own packages, which are always imported before it anyway.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# web/: the code the pages and the API share; dav/: CardDAV, a twin of api/
PACKAGES = ('models', 'ui', 'api', 'integrations', 'web', 'dav')
MODULES = ('main.py', 'settings.py')
# What a tables module may import besides tortoise and the standard library: shared leaves only (models.i18n for
# N_, which marks the words a table defines for the catalogs).
TABLE_LEAVES = {'models.validation', 'models.i18n'}


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    line: int
    in_function: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _sources() -> dict[str, Path]:
    found = {path.stem: ROOT / path for path in map(Path, MODULES) if (ROOT / path).exists()}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob('*.py')) if (ROOT / package).is_dir() else ():
            found[_module_name(path)] = path
    return found


SOURCES = _sources()


def _package_of(module: str) -> str:
    return module if SOURCES[module].name == '__init__.py' else module.rpartition('.')[0]


def _ancestors(module: str) -> list[str]:
    parts = module.split('.')
    return ['.'.join(parts[:n]) for n in range(1, len(parts))]


class _Visitor(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module, self.depth, self.found = module, 0, []

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, node: ast.AST, names: list[str]) -> None:
        for name in names:
            self.found.append(Import(self.module, name, node.lineno, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        self._add(node, [alias.name for alias in node.names])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = _package_of(self.module).split('.')
            base = base[:len(base) - (node.level - 1)]
            source = '.'.join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ''
        # `from a import b` imports a, and also a.b when b is a module
        self._add(node, [source] + [f'{source}.{alias.name}' for alias in node.names
                                    if f'{source}.{alias.name}' in SOURCES])


def _imports() -> list[Import]:
    found: list[Import] = []
    for module, path in SOURCES.items():
        visitor = _Visitor(module)
        visitor.visit(ast.parse(path.read_text(), str(path)))
        found += visitor.found
    return found


IMPORTS = _imports()


def _project(name: str) -> str | None:
    """The project module an imported name is, or lies in (`models.access.require` -> `models.access`)."""
    while name and name not in SOURCES:
        name = name.rpartition('.')[0]
    return name or None


def _graph() -> dict[str, dict[str, Import]]:
    graph: dict[str, dict[str, Import]] = {module: {} for module in SOURCES}
    for found in IMPORTS:
        target = _project(found.target)
        if target is None:
            continue
        own = set(_ancestors(found.importer))
        for module in [*_ancestors(target), target]:
            if module in SOURCES and module not in own and module != found.importer:
                graph[found.importer].setdefault(module, found)
    return graph


def _components(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return result


def _cycle(graph: dict[str, dict[str, Import]], component: list[str]) -> list[Import]:
    """One cycle through the first module of a component, as the imports that make it (shortest first)."""
    members, start = set(component), component[0]
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target, found in graph[node].items():
            if target == start:
                return paths[node] + [found]
            if target in members and target not in paths:
                paths[target] = paths[node] + [found]
                queue.append(target)
    raise AssertionError(f'no cycle found in {component}')


def _described(imports: list[Import]) -> str:
    return '\n'.join(f'  {found.importer} -> {found.target} ({SOURCES[found.importer].relative_to(ROOT)}:'
                     f'{found.line}{", inside a function" if found.in_function else ""})' for found in imports)


def test_no_import_cycle_between_modules():
    graph = _graph()
    cycles = [component for component in _components(graph) if len(component) > 1]
    assert not cycles, 'import cycles:\n' + '\n\n'.join(_described(_cycle(graph, c)) for c in cycles)


def test_no_module_of_models_imports_a_project_module_inside_a_function():
    hidden = [found for found in IMPORTS if found.importer.startswith('models')
              and found.in_function and _project(found.target)]
    assert not hidden, ('imports inside functions (import at the top of the module; if that makes a cycle, move '
                        'the shared piece down):\n' + _described(hidden))


# What each layer may never import: ui/ and api/ are twins that never import each other, web/ (the HTTP code both
# share) imports neither, models/ and integrations/ know nothing of the web (nor integrations/ of the data).
FORBIDDEN = {
    'ui': ('api', 'dav', 'main'),
    'api': ('ui', 'dav', 'main'),
    'dav': ('ui', 'api', 'main'),
    'web': ('ui', 'api', 'dav', 'main'),
    'models': ('ui', 'api', 'web', 'dav', 'main', 'settings', 'nicegui', 'fastapi', 'starlette'),
    'integrations': ('ui', 'api', 'web', 'dav', 'models', 'main', 'settings', 'nicegui', 'fastapi', 'starlette'),
}


def _importing(layer: str, forbidden: tuple[str, ...]) -> list[Import]:
    return [found for found in IMPORTS if found.importer.split('.')[0] == layer
            and (_project(found.target) or found.target).split('.')[0] in forbidden]


@pytest.mark.parametrize('layer', sorted(FORBIDDEN))
def test_a_layer_imports_nothing_it_must_not(layer):
    assert (ROOT / layer).is_dir()
    wrong = _importing(layer, FORBIDDEN[layer])
    assert not wrong, _described(wrong)


def _tables_modules() -> list[str]:
    return sorted(module for module, path in SOURCES.items()
                  if module.startswith('models.') and path.name == 'tables.py')


def test_tables_are_leaves():
    assert _tables_modules(), 'no models/**/tables.py found'
    wrong = [found for found in IMPORTS if found.importer in _tables_modules()
             and (target := _project(found.target)) and target not in TABLE_LEAVES
             and target not in _ancestors(found.importer)]
    assert not wrong, ('a tables module imports only tortoise, the standard library and '
                       f'{sorted(TABLE_LEAVES)}; declare relations by name (\'models.User\'):\n' + _described(wrong))


def test_the_packages_of_models_are_maps_without_code():
    """Importing a package runs no code of its own, so it can never hide a cycle: its __init__ is a docstring."""
    wrong = []
    for module, path in SOURCES.items():
        if module.startswith('models') and path.name == '__init__.py' and 'migrations' not in module:
            body = ast.parse(path.read_text()).body
            if not (len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
                wrong.append(str(path.relative_to(ROOT)))
    assert not wrong, f'an __init__.py of models/ holds more than its docstring: {wrong}'


def test_the_database_loads_every_tables_module():
    from models.db import MODEL_MODULES

    assert sorted(MODEL_MODULES) == _tables_modules()


def _imported_by(folder: str) -> list[tuple[Path, int, str]]:
    """Every absolute import in the Python files of a folder that is not a layer of the app: (file, line, name)."""
    found = []
    for path in sorted((ROOT / folder).rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found += [(path, node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                found.append((path, node.lineno, node.module or ''))
    return found


def test_tests_never_import_bench_and_the_app_neither_of_them():
    """bench/ may use the tests' harness (tests/server.py starts a real server); the tests do not depend on the
    bench scripts, and nothing of the app imports either."""
    wrong = [f'  {path.relative_to(ROOT)}:{line} imports {name}'
             for path, line, name in _imported_by('tests') if name.split('.')[0] == 'bench']
    wrong += [f'  {SOURCES[found.importer].relative_to(ROOT)}:{found.line} imports {found.target}'
              for found in IMPORTS if found.target.split('.')[0] in ('tests', 'bench')]
    assert not wrong, '\n'.join(wrong)


def test_every_page_is_declared_with_rubricas_build_time():
    """A page declared with NiceGUI's `ui.page` would answer 500 after 3 s under load; ui/page_route.py's `page`
    gives every page the same, longer build time."""
    direct = []
    for path in sorted((ROOT / 'ui').glob('*.py')):
        if path.name == 'page_route.py':
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Attribute) and node.attr == 'page' and isinstance(node.value, ast.Name) \
                    and node.value.id == 'ui':
                direct.append(f'{path.relative_to(ROOT)}:{node.lineno}')
    assert not direct, f'ui.page used directly (use ui/page_route.page): {direct}'
