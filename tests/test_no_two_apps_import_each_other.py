"""The apps form layers: no app imports one that imports it back, at the top of a module or
inside a function. From the bottom: core (shared helpers and bases), regions, orgs, tickets,
dispatch, open311, dashboards, evaluation; the project package (settings, urls, the API, the
demo, and `jiceng.project`: the home page, navigation, admin site, health, metrics, backups,
seed-demo) sits on top. A lower app that must let a higher one act exposes hooks that the
higher one registers in its AppConfig.ready (`tickets.hooks`, `core.observe.subject_of`).

The imports are read from the source (ast), not from what happens to be loaded."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jiceng"
PROJECT = "(project)"  # jiceng/*.py and jiceng/project/
CORE_IMPORTS_NOTHING = "core"


def app_of(parts: tuple[str, ...]) -> str:
    if len(parts) > 1 and (SRC / parts[0]).is_dir() and parts[0] != "project":
        return parts[0]
    return PROJECT


def imports() -> dict[str, dict[str, set[str]]]:
    """app → imported app → the files that import it."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if "migrations" in rel:
            continue
        app = app_of(rel)
        package = ["jiceng", *rel[:-1]]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    names = [".".join(base + ([node.module] if node.module else []))]
                else:
                    names = [node.module or ""]
                names += [f"{names[0]}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] != "jiceng" or len(parts) < 2:
                    continue
                target = app_of((*tuple(parts[1:]), "x"))
                if target != app:
                    graph.setdefault(app, {}).setdefault(target, set()).add("/".join(rel))
    return graph


def cycles(graph) -> dict[frozenset, str]:
    found = {}
    for a, targets in graph.items():
        for b in targets:
            if a in graph.get(b, {}):
                pair = frozenset({a, b})
                found[pair] = (
                    f"{a} → {b} ({', '.join(sorted(graph[a][b]))}); "
                    f"{b} → {a} ({', '.join(sorted(graph[b][a]))})"
                )
    return found


def test_tickets_and_dispatch_do_not_import_each_other():
    graph = imports()
    assert "dispatch" not in graph.get("tickets", {}), graph["tickets"].get("dispatch")


def test_no_two_apps_import_each_other():
    found = cycles(imports())
    assert not found, "apps that import each other:\n" + "\n".join(found.values())


def test_core_imports_no_app():
    graph = imports()
    assert set(graph.get(CORE_IMPORTS_NOTHING, {})) == set(), graph.get("core")


def test_the_reader_sees_an_import_inside_a_function():
    tree = imports()
    # tickets.access imports orgs at the top; evaluation imports tickets inside functions too
    assert "orgs" in tree["tickets"] and "regions" in tree["orgs"]
