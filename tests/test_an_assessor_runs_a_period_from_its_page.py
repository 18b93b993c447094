"""An assessor runs an assessment period from its page: downloads the figures sheet, imports it
filled in (a bad file is refused whole, with row numbers), then collects, computes, reviews,
publishes and corrects. Every change leaves a record; others cannot act."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiceng import factories
from jiceng.evaluation.models import (
    AssessmentPeriod,
    EnteredValue,
    EvaluationEvent,
    Indicator,
    Scheme,
    SchemeIndicator,
)

S = AssessmentPeriod.State


@pytest.fixture
def period(world):
    scheme = Scheme.objects.create(name="社区党组织星级评定", region=world["jianguolu"])
    income = Indicator.objects.create(
        code="income", name="集体经济收入", kind="entered", low=0, high=100, unit_label="万元"
    )
    veto = Indicator.objects.create(code="veto", name="一票否决", kind="veto")
    for indicator, weight in [(income, "1"), (veto, "0")]:
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicator, weight=weight)
    return AssessmentPeriod.objects.create(
        scheme=scheme, label="2026年第三季度", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30)
    )


@pytest.fixture
def ann(world):
    user = factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rui(world):
    """A second assessor of the same place: whoever computes a period cannot review or
    publish it (separation of duties)."""
    user = factories.account("rui", ["assessor"], scope_region=world["changji_city"])
    client = Client()
    client.force_login(user)
    return client


def sheet(rows, name="figures.xlsx"):
    book = openpyxl.Workbook()
    book.active.append(["村（社区）代码", "村（社区）", "指标代码", "指标", "数值", "佐证"])
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def test_the_sheet_to_fill_in_lists_every_community_and_figure(ann, period):
    response = ann.get(f"/evaluation/periods/{period.pk}/values.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][:5] == ("村（社区）代码", "村（社区）", "指标代码", "指标", "数值")
    assert {(r[0], r[2]) for r in rows[1:]} == {
        ("652301004001", "income"),
        ("652301004001", "veto"),
        ("652301004012", "income"),
        ("652301004012", "veto"),
    }


def test_a_filled_in_sheet_is_imported_with_one_record(ann, period, world):
    upload = sheet(
        [
            ["652301004012", "嘉顺社区", "income", "集体经济收入", 42.5, "2026年三季度财务报表"],
            ["652301004012", "嘉顺社区", "veto", "一票否决", "否", ""],
            ["652301004001", "建国社区", "income", "集体经济收入", None, None],  # not yet
        ]
    )
    response = ann.post(f"/evaluation/periods/{period.pk}/values/", {"file": upload})
    assert response.status_code == 302
    values = {(v.region.code, v.indicator.code): v for v in EnteredValue.objects.all()}
    assert set(values) == {("652301004012", "income"), ("652301004012", "veto")}
    assert float(values[("652301004012", "income")].value) == 42.5
    event = period.events.get()
    assert event.action == "import" and "figures.xlsx" in event.note
    assert event.data == {"rows": 2, "added": 2, "changed": 0}


def test_importing_the_same_sheet_again_changes_nothing_and_says_so(ann, period, world):
    rows = [["652301004012", "嘉顺社区", "income", "集体经济收入", 42.5, "财务报表"]]
    ann.post(f"/evaluation/periods/{period.pk}/values/", {"file": sheet(rows)})
    response = ann.post(
        f"/evaluation/periods/{period.pk}/values/", {"file": sheet(rows)}, follow=True
    )
    assert "与已录入的数值相同，未作改动" in response.content.decode()
    rows[0][4] = 45
    ann.post(f"/evaluation/periods/{period.pk}/values/", {"file": sheet(rows)})
    notes = list(period.events.values_list("data", flat=True))
    assert [(d["added"], d["changed"]) for d in notes] == [(1, 0), (0, 0), (0, 1)]
    assert float(EnteredValue.objects.get().value) == 45


def test_before_review_a_computed_period_goes_back_to_entry(ann, rui, period):
    ann.post(
        f"/evaluation/periods/{period.pk}/values/",
        {"file": sheet([["652301004012", "", "income", "", 80, "财务报表"]])},
    )
    for action in ["collect", "compute", "reopen"]:
        ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": action, "missing": "rescale"})
    period.refresh_from_db()
    assert period.state == S.OPEN and period.results == {}  # stale results are dropped
    ann.post(
        f"/evaluation/periods/{period.pk}/values/",
        {"file": sheet([["652301004012", "", "income", "", 60, "更正后的财务报表"]])},
    )
    for action in ["collect", "compute"]:
        ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": action, "missing": "rescale"})
    rui.post(f"/evaluation/periods/{period.pk}/act/", {"action": "review"})
    response = ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": "reopen"}, follow=True)
    assert "发布后如需更正请建立更正期" in response.content.decode()
    period.refresh_from_db()
    assert period.state == S.REVIEWED
    jiashun = next(r for r in period.results["rows"] if r["region"] == "652301004012")
    assert jiashun["score"] == 60.0


def test_a_bad_sheet_is_refused_whole_with_its_row_numbers(ann, period):
    upload = sheet(
        [
            ["652301004012", "嘉顺社区", "income", "集体经济收入", 42.5, "财务报表"],
            ["652324102200", "包家店村", "income", "集体经济收入", 10, "报表"],  # not in scheme
            ["652301004001", "建国社区", "income", "集体经济收入", "很多", "报表"],
            ["652301004001", "建国社区", "veto", "一票否决", "是", ""],  # a veto needs evidence
            ["652301004012", "嘉顺社区", "income", "集体经济收入", 40, "报表"],  # twice
            ["652301004012", "嘉顺社区", "sanlv", "接诉即办", 90, "报表"],  # not typed in
        ]
    )
    response = ann.post(f"/evaluation/periods/{period.pk}/values/", {"file": upload})
    assert response.status_code == 422
    page = response.content.decode()
    assert "导入被拒绝，未保存任何数据" in page
    for expected in [
        "第 3 行（村（社区）代码）",
        "第 4 行（数值）：数值“很多”不是数字",
        "第 5 行（佐证）",
        "第 6 行（指标代码）：与第 2 行",
        "第 7 行（指标代码）：指标代码“sanlv”",
    ]:
        assert expected in page
    assert not EnteredValue.objects.exists() and not EvaluationEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("figures.txt", b"x", "不支持的文件类型"),
        ("figures.xlsx", b"not a workbook", "无法读取 Excel 文件"),
        ("figures.csv", "村（社区）代码,数值\n652301004012,1\n".encode(), "缺少必需的列"),
    ],
)
def test_a_file_that_is_not_the_sheet_is_refused_in_words(ann, period, name, content, says):
    upload = SimpleUploadedFile(name, content)
    response = ann.post(f"/evaluation/periods/{period.pk}/values/", {"file": upload})
    assert response.status_code == 422 and says in response.content.decode()
    assert not EnteredValue.objects.exists()


def test_the_assessor_moves_the_period_to_publication_and_corrects_it(ann, rui, period):
    ann.post(
        f"/evaluation/periods/{period.pk}/values/",
        {"file": sheet([["652301004012", "", "income", "", 80, "财务报表"]])},
    )
    page = ann.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "确认数据已收齐" in page and "已录入 1 个数值" in page
    for client, action in [(ann, "collect"), (ann, "compute"), (rui, "review"), (rui, "publish")]:
        response = client.post(
            f"/evaluation/periods/{period.pk}/act/",
            {"action": action, "missing": "rescale", "confirm": "1"},
        )
        assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == S.PUBLISHED and period.published_at is not None
    jiashun = next(r for r in period.results["rows"] if r["region"] == "652301004012")
    assert jiashun["score"] == 80.0 and jiashun["stars"] == 4
    assert list(period.events.values_list("action", flat=True)) == [
        "import",
        "collect",
        "compute",
        "review",
        "publish",
    ]
    # frozen: figures are refused and computing again is refused, both in words
    page = ann.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert "本期已计算或发布，不能再录入" in page and "建立更正期" in page
    response = ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": "compute"}, follow=True)
    assert "结果已发布冻结" in response.content.decode()
    # a correction is a new linked period that carries the figures over
    response = ann.post(f"/evaluation/periods/{period.pk}/act/", {"action": "revise"})
    revision = AssessmentPeriod.objects.get(revision_of=period)
    assert response.url == f"/evaluation/periods/{revision.pk}/"
    assert revision.values.count() == 1 and revision.state == S.OPEN
    assert revision.events.get().action == "revise"
    assert "已更正：" in ann.get(f"/evaluation/periods/{period.pk}/").content.decode()


def test_only_an_assessor_in_scope_can_act(world, users, login, period):
    dispatcher = login("erin")  # sees the period (same county), is not an assessor
    assert dispatcher.get(f"/evaluation/periods/{period.pk}/").status_code == 200
    assert "考评期办理" not in dispatcher.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert (
        dispatcher.post(f"/evaluation/periods/{period.pk}/act/", {"action": "collect"}).status_code
        == 403
    )
    assert dispatcher.get(f"/evaluation/periods/{period.pk}/values.xlsx").status_code == 403
    upload = sheet([["652301004012", "", "income", "", 80, "财务报表"]])
    assert (
        dispatcher.post(f"/evaluation/periods/{period.pk}/values/", {"file": upload}).status_code
        == 403
    )
    outsider = Client()
    outsider.force_login(factories.account("mia", ["assessor"], scope_region=world["manas"]))
    for url in ["/", "/values.xlsx"]:
        assert outsider.get(f"/evaluation/periods/{period.pk}{url}").status_code == 404
    assert (
        outsider.post(f"/evaluation/periods/{period.pk}/act/", {"action": "collect"}).status_code
        == 404
    )
    period.refresh_from_db()
    assert period.state == S.OPEN and not period.events.exists()


def test_the_period_command_runs_the_same_steps_as_named_assessors(period, world, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    factories.account("ann", ["assessor"], scope_region=world["changji_city"])
    factories.account("rui", ["assessor"], scope_region=world["changji_city"])
    bad = tmp_path / "bad.csv"
    bad.write_text("村（社区）代码,指标代码,数值,佐证\n652301004012,income,abc,报表\n", "utf-8")
    with pytest.raises(CommandError, match="第 2 行（数值）"):
        call_command("period", "import", str(period.pk), str(bad), "--user", "ann")
    good = tmp_path / "good.csv"
    good.write_text("村（社区）代码,指标代码,数值,佐证\n652301004012,income,60,报表\n", "utf-8")
    call_command("period", "import", str(period.pk), str(good), "--user", "ann")
    for step, user in [
        ("collect", "ann"),
        ("compute", "ann"),
        ("review", "rui"),
        ("publish", "rui"),
    ]:
        extra = ["--missing", "rescale"] if step == "compute" else []
        call_command("period", step, str(period.pk), "--user", user, *extra)
    with pytest.raises(CommandError, match="invalid_transition"):
        call_command("period", "compute", str(period.pk), "--user", "ann")
    period.refresh_from_db()
    assert period.state == S.PUBLISHED and period.events.count() == 5
    assert [e.actor.username for e in period.events.order_by("id")] == [
        "ann",
        "ann",
        "ann",
        "rui",
        "rui",
    ]
    with pytest.raises(CommandError, match="--user"):  # nobody acts anonymously
        call_command("period", "revise", str(period.pk))
    call_command("period", "list")
    assert '"state": "已发布"' in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有编号为 999"):
        call_command("period", "compute", "999", "--user", "ann")
