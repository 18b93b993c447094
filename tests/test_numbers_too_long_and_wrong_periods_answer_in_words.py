"""Issue 26, finding 7: a unit id longer than any database id gave a 500 (OverflowError) on the
work list, its export and the annual evaluation page; an export of period 9999 answered with
another period's workbook; and the ticket events' answer did not match its OpenAPI schema,
because two schemas shared the name `EventOut` and one overwrote the other in the document."""

from jiceng import factories
from jiceng.tickets import services

HUGE = "99999999999999999999999"


def test_an_id_longer_than_any_id_is_ignored_or_not_found(world, login):
    erin = login("erin")
    listed = erin.get(f"/work/tickets/?view=all&unit={HUGE}")
    assert listed.status_code == 200
    assert "承办单位参数不正确" in listed.content.decode()
    exported = erin.get(f"/work/tickets/export.xlsx?view=all&unit={HUGE}")
    assert exported.status_code == 400 and "承办单位参数不正确" in exported.content.decode()
    alice = login("alice")
    assert alice.get(f"/evaluation/periods/annual/{HUGE}/2026/").status_code == 404
    assert alice.get(f"/work/tickets/{HUGE}/").status_code == 404
    assert alice.get(f"/dashboard/units/{HUGE}/").status_code == 404


def test_an_export_of_a_period_that_is_not_one_is_refused_in_words(world, login):
    answer = login("alice").get("/dashboard/export.xlsx?period=9999")
    assert answer.status_code == 400
    assert "年份应在 2000 到 2100 之间" in answer.content.decode()
    assert login("alice").get("/dashboard/export.xlsx?period=2026-11").status_code == 200


def test_the_events_answer_has_the_fields_its_schema_documents(world, users, login):
    ticket = factories.ticket(world["jiashun"])
    services.dispatch(users["erin"], ticket, world["jiashun_unit"])
    client = login("erin")
    doc = client.get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/tickets/{ticket_id}/events"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    events = client.get(f"/api/v1/tickets/{ticket.pk}/events").json()
    assert len(events) == 3  # receive, follow_up, dispatch
    for event in events:
        assert set(schema["required"]) <= set(event) <= set(schema["properties"])
    assert "action_label" in schema["properties"]


def test_a_body_that_is_not_an_object_is_refused_even_where_every_field_is_optional(world, login):
    """Found once the schema test met real ids: PATCH /units/{id} took `[null, null]` as a
    change of nothing and answered 200."""
    answer = login("alice").patch(
        f"/api/v1/units/{world['jiashun_unit'].pk}", "[null, null]", content_type="application/json"
    )
    assert answer.status_code == 422 and answer.json()["code"] == "malformed"
