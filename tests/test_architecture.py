"""The architecture holds: data flows one way (see ARCHITECTURE.md).

An AST walk over ``lstm_doctor/`` resolves every ``import lstm_doctor...`` and
``from lstm_doctor... import`` (relative imports too), at module level and inside
functions, and checks:

* no import circle among module-level imports;
* no renderer imports rules, stats, context, experiment or data (lazily or not);
* no rule imports the experiment package, and the experiment package imports no rule;
* ``findings`` (the Report model) imports no renderer at module level;
* every module is under 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lstm_doctor"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest known module that ``name`` names (``a.b.c`` -> ``a.b`` if ``c`` is a name)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """``(imported module, at module level)`` for every lstm_doctor import of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                   ast.Lambda))
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and \
                    child.test.id == "TYPE_CHECKING":
                continue  # typing-only imports do not run
            if isinstance(child, ast.Import):
                for alias in child.names:
                    target = _resolve(alias.name, known)
                    if target:
                        out.append((target, inner))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".")
                    base = base if is_package else base[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    prefix = ".".join(base + ([child.module] if child.module else []))
                else:
                    prefix = child.module or ""
                if not prefix.startswith("lstm_doctor"):
                    continue
                for alias in child.names:
                    target = _resolve(f"{prefix}.{alias.name}", known) or \
                        _resolve(prefix, known)
                    if target and target != module:
                        out.append((target, inner))
            visit(child, inner)

    visit(tree, True)
    return out


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    known = set(modules)
    return {m: _imports(m, p, known) for m, p in modules.items()}


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_import_circle(graph):
    edges = {m: {t for t, top in deps if top and t != m} for m, deps in graph.items()}
    # a package's __init__ importing its own submodules is not a circle
    edges = {m: {t for t in ts if not _in(t, m)} for m, ts in edges.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def dfs(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif not state.get(nxt):
                dfs(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if not state.get(node):
            dfs(node)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


FORBIDDEN_FOR_RENDERERS = ("lstm_doctor.rules", "lstm_doctor.stats", "lstm_doctor.context",
                           "lstm_doctor.experiment", "lstm_doctor.data")


def test_renderers_only_see_the_report(graph):
    bad = [(m, t) for m, deps in graph.items() if _in(m, "lstm_doctor.render")
           for t, _ in deps if any(_in(t, f) for f in FORBIDDEN_FOR_RENDERERS)]
    assert not bad, bad


def test_rules_and_experiment_do_not_import_each_other(graph):
    bad = [(m, t) for m, deps in graph.items() for t, _ in deps
           if (_in(m, "lstm_doctor.rules") and _in(t, "lstm_doctor.experiment"))
           or (_in(m, "lstm_doctor.experiment") and _in(t, "lstm_doctor.rules"))]
    assert not bad, bad


def test_the_report_model_imports_no_renderer(graph):
    bad = [t for t, top in graph["lstm_doctor.findings"]
           if top and _in(t, "lstm_doctor.render")]
    assert not bad, bad


def test_every_module_is_under_600_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) >= MAX_LINES}
    assert not long, long
