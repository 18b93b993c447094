"""A model file that is missing, changed since training or unreadable never stops intake: the
ticket is taken in and waits for manual dispatch, the problem is logged and shown on the
ticket's suggestion. Without any trained model there is simply no suggestion."""

import logging

import pytest

from jiceng import factories
from jiceng.dispatch import store
from jiceng.dispatch.models import Suggestion

TEXT = "小区楼道路灯坏了，物业一直不来维修"


def model_file(settings, version):
    return settings.DISPATCH_MODEL_DIR / version.file


def take_in(world):
    ticket = factories.ticket(world["jiashun"], title="路灯坏了", content=TEXT)
    ticket.refresh_from_db()
    return ticket


def test_without_a_trained_model_intake_goes_on_without_a_suggestion(world):
    ticket = take_in(world)
    assert ticket.status == "received" and not Suggestion.objects.filter(ticket=ticket).exists()


def broken(kind, path):
    if kind == "missing":
        path.unlink()
    elif kind == "truncated":
        path.write_bytes(path.read_bytes()[:100])
    elif kind == "garbage":
        path.write_bytes(b"not a model at all")


@pytest.mark.parametrize(
    ("kind", "says"),
    [("missing", "不存在"), ("truncated", "校验值不符"), ("garbage", "校验值不符")],
)
def test_a_missing_or_corrupt_file_sends_the_ticket_to_manual_dispatch(
    world, settings, dispatch_model, caplog, kind, says
):
    broken(kind, model_file(settings, dispatch_model))
    with caplog.at_level(logging.ERROR, logger="jiceng.dispatch"):
        ticket = take_in(world)
    assert ticket.status == "received" and ticket.main_unit is None
    suggestion = Suggestion.objects.get(ticket=ticket)
    assert says in suggestion.problem and suggestion.top == []
    assert any(says in r.getMessage() for r in caplog.records)


def test_a_file_that_matches_its_checksum_but_is_no_model_is_refused(
    world, settings, dispatch_model, caplog
):
    import joblib

    path = model_file(settings, dispatch_model)
    joblib.dump({"not": "a classifier"}, path)
    dispatch_model.sha256 = store.sha256(path)
    dispatch_model.save()
    with caplog.at_level(logging.ERROR, logger="jiceng.dispatch"):
        ticket = take_in(world)
    assert ticket.status == "received"
    assert "不是已训练的派单模型" in Suggestion.objects.get(ticket=ticket).problem


def test_a_model_that_fails_while_predicting_is_caught_too(
    world, dispatch_model, monkeypatch, caplog
):
    from jiceng.dispatch.classifier import Classifier

    def explode(self, texts, k=3):
        raise MemoryError

    monkeypatch.setattr(Classifier, "top_k", explode)
    with caplog.at_level(logging.ERROR, logger="jiceng.dispatch"):
        ticket = take_in(world)
    assert ticket.status == "received"
    assert Suggestion.objects.get(ticket=ticket).problem == "模型出错：MemoryError"


def test_the_api_still_takes_the_request_in(world, users, settings, dispatch_model):
    import json

    from django.test import Client

    model_file(settings, dispatch_model).unlink()
    client = Client()
    client.force_login(users["ivan"])
    response = client.post(
        "/api/v1/tickets",
        json.dumps({"title": "路灯坏了", "content": TEXT, "region_code": "652301004012"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
