"""No import circle among jiceng's modules, counting the imports made inside functions. A lazy
import hides a circle from Python's loader, not from a reader: a module that needs one below
it imports it at the top, and a lower module that must let a higher one act exposes a hook.

The apps form layers too. From the bottom: core (shared helpers and bases), regions, orgs,
tickets, dispatch, open311, dashboards, evaluation; the project package (settings, urls, the
API, the demo, and `jiceng.project`) sits on top. A lower app that must let a higher one act
exposes hooks that the higher one registers in its AppConfig.ready (`tickets.hooks`,
`core.observe.subject_of`).

The imports are read from the source (ast), not from what happens to be loaded."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = SRC / "jiceng"
PROJECT = "(project)"  # jiceng/*.py and jiceng/project/


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for p in ROOT.rglob("*.py")
        if "migrations" not in p.relative_to(ROOT).parts
    }


def imported(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """The jiceng modules `path` imports, anywhere in it (top level, functions, classes).
    `from package import name` counts as importing the submodule when `name` is one, else the
    package itself."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                for alias in node.names
            ]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(path, name, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def app_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 and (ROOT / parts[1]).is_dir() and parts[1] != "project":
        return parts[1]
    return PROJECT


def test_no_module_imports_itself_through_others():
    found = circles(graph())
    assert not found, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_a_circle_through_a_function_is_found(tmp_path):
    """The check can fail: a lazy import inside a function closes a circle it reports."""
    edges = graph()
    edges["jiceng.tickets.models"] = edges["jiceng.tickets.models"] | {"jiceng.tickets.services"}
    assert any("jiceng.tickets.models" in c for c in circles(edges))
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from jiceng.tickets import services\n")
    assert imported(lazy, "jiceng.lazy", modules()) == {"jiceng.tickets.services"}


def test_no_two_apps_import_each_other():
    apps: dict[str, set[str]] = {}
    for module, targets in graph().items():
        for target in targets:
            if app_of(target) != app_of(module):
                apps.setdefault(app_of(module), set()).add(app_of(target))
    pairs = {
        frozenset({a, b}) for a, targets in apps.items() for b in targets if a in apps.get(b, ())
    }
    assert not pairs, pairs
    assert "dispatch" not in apps["tickets"]
    assert apps.get("core", set()) == set()  # core imports no app
    assert "orgs" in apps["tickets"] and "regions" in apps["orgs"]
