"""docs/evaluation.md shows the evaluation's workflow tables as `jiceng flows` prints them from
the code: a change to a table or to who may take a step that is not in the docs fails here."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

DOC = Path(__file__).resolve().parent.parent / "docs" / "evaluation.md"


def test_the_docs_hold_the_tables_the_code_applies():
    out = StringIO()
    call_command("flows", stdout=out)
    printed = out.getvalue().strip()
    assert "| 审核通过（`review`） | 已计算 | 已审核 | 考评员 | 是 |" in printed
    assert printed in DOC.read_text("utf-8")
