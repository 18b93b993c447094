"""The apps form layers: no app imports one that imports it back, at the top of a module or
inside a function. `tickets` exposes hooks that `dispatch` registers (`tickets.hooks`), so
tickets never imports dispatch.

The imports are read from the source (ast), not from what happens to be loaded. Cycles that
are still to be broken are listed in KNOWN, each with the way out; the list may only shrink:
a new cycle fails, and so does a listed one that is gone (take it off the list)."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jiceng"
PROJECT = "(project)"  # jiceng/*.py: settings, urls, api, demo, cli

# Still to break (issue 15, "the house"): core is to keep only shared helpers and bases, with
# the home page, navigation, admin site, backup, health check and seed-demo moving to the
# project package; regions' pages and admin that list units move next to orgs.
KNOWN = {
    frozenset({"core", PROJECT}),
    frozenset({"core", "dispatch"}),
    frozenset({"core", "evaluation"}),
    frozenset({"core", "orgs"}),
    frozenset({"core", "regions"}),
    frozenset({"core", "tickets"}),
    frozenset({"orgs", "regions"}),
}


def app_of(parts: tuple[str, ...]) -> str:
    return parts[0] if len(parts) > 1 and (SRC / parts[0]).is_dir() else PROJECT


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
                target = (
                    app_of((*tuple(parts[1:]), "x"))
                    if len(parts) > 2
                    else (parts[1] if (SRC / parts[1]).is_dir() else PROJECT)
                )
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


def test_no_new_cycle_between_apps_and_none_listed_that_is_gone():
    found = cycles(imports())
    new = {pair: why for pair, why in found.items() if pair not in KNOWN}
    assert not new, "apps that import each other:\n" + "\n".join(new.values())
    gone = [sorted(pair) for pair in KNOWN if pair not in found]
    assert not gone, f"these cycles are broken now; take them off KNOWN: {gone}"


def test_the_reader_sees_an_import_inside_a_function():
    tree = imports()
    # tickets.access imports orgs at the top; evaluation imports tickets inside functions too
    assert "orgs" in tree["tickets"] and "regions" in tree["orgs"]
