"""A test that asserts only inside a loop over something that may be empty passes when the
loop never runs. Every test here asserts at least once outside such a loop (a guard that the
loop ran, or its real check), and no test asserts a truth about the test itself.

Read from the source (ast). A loop over a written, non-empty list or tuple always runs, so its
body counts as outside; `pytest.raises` and schemathesis' `call_and_validate` are assertions."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ASSERTING_CALLS = {"raises", "call_and_validate", "fail"}


def _sure(loop: ast.AST) -> bool:
    return (
        isinstance(loop, ast.For)
        and isinstance(loop.iter, ast.List | ast.Tuple)
        and bool(loop.iter.elts)
    )


def assertions(function: ast.FunctionDef) -> tuple[int, int]:
    """(asserting outside any loop that may not run, asserting only inside one)."""
    outside = inside = 0

    def walk(node: ast.AST, in_loop: bool) -> None:
        nonlocal outside, inside
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue  # a nested helper asserts when it is called
            asserting = isinstance(child, ast.Assert) or (
                isinstance(child, ast.Call)
                and getattr(child.func, "attr", getattr(child.func, "id", "")) in ASSERTING_CALLS
            )
            if asserting:
                if in_loop:
                    inside += 1
                else:
                    outside += 1
            looping = isinstance(child, ast.For | ast.While) and not _sure(child)
            walk(child, in_loop or looping)

    walk(function, False)
    return outside, inside


def functions_of_the_suite():
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                yield path, node


def test_no_test_asserts_only_inside_a_loop_that_may_not_run():
    found = list(functions_of_the_suite())
    assert len(found) > 700  # the whole suite was read
    offenders = [
        f"{path.name}:{node.lineno} {node.name}"
        for path, node in found
        if assertions(node) == (0, assertions(node)[1]) and assertions(node)[1] > 0
    ]
    assert not offenders, "assert that the loop ran:\n" + "\n".join(offenders)


def test_the_reader_tells_a_guarded_loop_from_a_bare_one():
    bare = ast.parse("def test_x(rows):\n    for r in rows:\n        assert r\n").body[0]
    guarded = ast.parse(
        "def test_x(rows):\n    assert rows\n    for r in rows:\n        assert r\n"
    ).body[0]
    written = ast.parse("def test_x():\n    for r in [1, 2]:\n        assert r\n").body[0]
    assert assertions(bare) == (0, 1)
    assert assertions(guarded) == (1, 1)
    assert assertions(written) == (1, 0)


def test_no_test_asserts_a_truth_about_a_name():
    """`assert f.__name__ == "f"` or `assert some_function` check nothing."""
    offenders = []
    for path, node in functions_of_the_suite():
        for child in ast.walk(node):
            if not isinstance(child, ast.Assert):
                continue
            test = child.test
            if isinstance(test, ast.Compare) and isinstance(test.left, ast.Attribute):
                if test.left.attr == "__name__":
                    offenders.append(f"{path.name}:{child.lineno}")
    assert not offenders, offenders
