"""Every category a dispatcher confirms or corrects is kept as a labelled example; the next
`jiceng dispatch train` learns from them, so the model picks up this county's own words."""

import json

import pytest
from django.core.management import CommandError, call_command

from jiceng import factories
from jiceng.dispatch import services, training
from jiceng.dispatch.models import DispatchSettings, Example, ModelVersion
from jiceng.tickets import services as ticket_services
from jiceng.tickets.models import Category

# 坎儿井 (karez) is a word of Xinjiang that the provincial training messages never use.
KAREZ = "村里的坎儿井暗渠塌了一段，坎儿井的水流不下来，坎儿井需要清淤"


@pytest.fixture
def tiny_shipped(monkeypatch):
    """Training on 15 raw and 10 word-split shipped messages per category keeps these tests
    fast."""

    def few(messages, n):
        by_label: dict[str, list] = {}
        for text, label in messages:
            by_label.setdefault(label, []).append((text, label))
        return [row for rows in by_label.values() for row in rows[:n]]

    raw, tokens = few(training.raw_messages(), 15), few(training.token_messages(), 10)
    monkeypatch.setattr(training, "shipped", lambda: raw + tokens)
    monkeypatch.setattr(training, "raw_messages", lambda: raw)
    monkeypatch.setattr(training, "token_messages", lambda: tokens)
    return raw + tokens


def test_a_dispatchers_choice_is_kept_and_marked_when_it_corrects_the_model(
    world, users, dispatch_model
):
    DispatchSettings.objects.update_or_create(pk=1, defaults={"auto_dispatch": False})
    ticket = factories.ticket(world["jiashun"], title="坎儿井塌了", content=KAREZ)
    suggested = ticket.suggestion.top[0]["name"]
    farming = Category.objects.get(full_name="农村农业/水利水电")
    ticket_services.dispatch(users["erin"], ticket, world["jiashun_unit"], category=farming)
    example = Example.objects.get(ticket=ticket)
    assert example.label == "农村农业" and example.by == users["erin"]
    assert example.suggested == suggested and example.corrected == (suggested != "农村农业")
    assert KAREZ in example.text


def test_a_confirmation_is_an_example_too_and_the_latest_decision_wins(world, users):
    ticket = factories.ticket(world["jiashun"], title="路灯坏了")
    town = Category.objects.get(level=1, name="城乡建设")
    ticket_services.dispatch(users["erin"], ticket, world["jiashun_unit"], category=town)
    assert Example.objects.get(ticket=ticket).label == "城乡建设"
    ticket_services.redispatch(
        users["erin"],
        ticket,
        world["changji_zjj"],
        reason="属住建局职责",
        category=Category.objects.get(level=1, name="环境保护"),
    )
    assert Example.objects.get(ticket=ticket).label == "环境保护"
    assert Example.objects.count() == 1


def test_retraining_includes_the_examples_and_learns_the_countys_word(world, users, tiny_shipped):
    first = services.train(folds=0)
    before = first and services.predict(KAREZ)[1][0]
    farming = Category.objects.get(full_name="农村农业/水利水电")
    for i in range(12):
        ticket = factories.ticket(
            world["jiashun"], title=f"坎儿井{i}", content=f"{KAREZ}（第{i}处）"
        )
        ticket_services.dispatch(users["erin"], ticket, world["jiashun_unit"], category=farming)
    second = services.train(folds=0)
    assert (first.version, second.version) == (1, 2)
    assert second.corrections == 12 and second.examples == len(tiny_shipped) + 12
    assert "农村农业" in second.labels and "农村农业" not in first.labels
    version, top = services.predict("坎儿井又塌了，水过不来")
    assert version == second and top[0]["name"] == "农村农业"
    assert before["name"] != "农村农业"


def test_the_train_command_writes_a_versioned_file_with_its_scores(
    world, settings, tiny_shipped, tmp_path, capsys
):
    extra = tmp_path / "county.csv"
    extra.write_text(
        "text,label\n" + "".join(f"坎儿井第{i}处塌了需要清淤,农村农业\n" for i in range(6)),
        encoding="utf-8",
    )
    call_command("dispatch", "train", "--csv", str(extra), "--folds", "2", "--jobs", "1")
    out = json.loads(capsys.readouterr().out)
    version = ModelVersion.objects.get()
    assert out["version"] == version.version == 1 and out["examples"] == len(tiny_shipped) + 6
    assert (settings.DISPATCH_MODEL_DIR / "dispatch-v1.joblib").is_file()
    assert set(version.scores) >= {"accuracy", "macro_f1", "top3_accuracy", "folds"}
    assert version.scores["folds"] == 2 and 0 <= version.scores["accuracy"] <= 1
    # scored apart on the raw and the word-split messages it did not train on
    assert version.scores["word_split"]["n"] == 70
    assert 0 <= version.scores["word_split"]["accuracy"] <= 1
    assert 0 <= version.scores["accuracy_all"] <= 1


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("title,label\n路灯,城乡建设\n", "title 与 body"),
        ("text,label\n路灯坏了,\n", "第 2 行：label 为空"),
        ("text\n路灯坏了\n", "label"),
    ],
)
def test_a_bad_training_file_is_refused_and_nothing_is_recorded(
    db, tiny_shipped, tmp_path, content, says
):
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=says):
        call_command("dispatch", "train", "--csv", str(bad), "--folds", "0")
    assert not ModelVersion.objects.exists()


def test_suggest_fills_in_tickets_waiting_from_before_the_first_model(
    world, dispatch_model, capsys
):
    from jiceng.dispatch.models import Suggestion

    ModelVersion.objects.all().delete()
    waiting = factories.ticket(world["jiashun"], title="路灯坏了")
    assert not Suggestion.objects.filter(ticket=waiting).exists()
    ModelVersion.objects.create(
        version=1, file=dispatch_model.file, sha256=dispatch_model.sha256, labels=[]
    )
    call_command("dispatch", "suggest")
    assert "已为 1 件" in capsys.readouterr().out
    waiting.refresh_from_db()
    assert waiting.status == "received" and waiting.suggestion.top


def test_the_admin_lists_each_versions_accuracy_on_both_forms_of_text(world, users, login):
    ModelVersion.objects.create(
        version=7,
        file="dispatch-v7.joblib",
        sha256="0" * 64,
        examples=100,
        labels=["城乡建设", "环境保护"],
        scores={"accuracy": 0.9061, "word_split": {"accuracy": 0.9363}},
    )
    page = login("alice").get("/admin/dispatch/modelversion/").content.decode()
    assert "交叉验证准确率（原文）" in page and "0.9061" in page
    assert "交叉验证准确率（分词文本）" in page and "0.9363" in page
