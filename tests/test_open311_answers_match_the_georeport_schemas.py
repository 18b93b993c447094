"""Open311 GeoReport v2: every JSON answer validates against the specification's schemas,
XML answers are well formed, and errors use the specification's shape and HTTP codes."""

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from referencing import Registry, Resource

from jiceng import factories
from jiceng.open311.models import Open311Key
from jiceng.tickets import services
from jiceng.tickets.models import Ticket

SCHEMAS = Path(__file__).parent / "open311_schemas"


def schema(name: str):
    registry = Registry().with_resources(
        (
            p.name,
            Resource.from_contents(
                {**json.loads(p.read_text()), "$schema": "http://json-schema.org/draft-07/schema#"}
            ),
        )
        for p in SCHEMAS.glob("*.json")
        if p.name != "swagger.json"
    )
    return jsonschema.Draft7Validator(
        json.loads((SCHEMAS / name).read_text()),
        registry=registry,
        format_checker=jsonschema.FormatChecker(),
    )


def valid(name: str, data) -> None:
    errors = list(schema(name).iter_errors(data))
    assert not errors, [e.message for e in errors[:5]]


@pytest.fixture
def key(world):
    _, key = Open311Key.issue("随手拍", world["changji_city"])
    return key


def file_request(client, key, fmt="json", **fields):
    data = {
        "api_key": key,
        "service_code": "010208",
        "lat": "44.0113",
        "long": "87.3083",
        "description": "嘉顺社区3号楼暖气不热",
        "first_name": "明",
        "last_name": "李",
        "phone": "13912345678",
        "attribute[region_code]": "652301004012",
        **fields,
    }
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_services_and_definitions_match_the_schemas(world, client):
    services_list = client.get("/open311/v2/services.json").json()
    valid("services.json", services_list)
    assert {
        "service_code": "010208",
        "service_name": "冬季采暖",
        "group": "城乡建设",
    }.items() <= next(s for s in services_list if s["service_code"] == "010208").items()
    definition = client.get("/open311/v2/services/010208.json").json()
    valid("service-definition.json", definition)
    assert [a["code"] for a in definition["attributes"]] == ["region_code", "urgency"]


def test_posting_a_request_files_a_ticket_and_reading_it_matches_the_schemas(
    world, client, key, users
):
    created = file_request(client, key)
    assert created.status_code == 200, created.content
    answer = created.json()
    assert answer[0]["service_request_id"] and answer[0]["token"]
    ticket = Ticket.objects.get(number=answer[0]["service_request_id"])
    assert (ticket.channel, ticket.region.code, ticket.requester_name) == (
        "open311",
        "652301004012",
        "李明",
    )
    assert ticket.events.get(action="receive").actor_label == "Open311：随手拍"

    # before moderation: neither listed nor read by its number (issue 26, finding 6)
    assert client.get("/open311/v2/requests.json").json() == []
    assert client.get(f"/open311/v2/requests/{ticket.number}.json").status_code == 404
    services.moderate(users["erin"], ticket, "3号楼暖气不热，电话13912345678")
    one = client.get(f"/open311/v2/requests/{ticket.number}.json").json()
    valid("requests.json", one)
    assert one[0]["status"] == "open" and one[0]["status_notes"] == "已受理"
    assert one[0]["lat"] is None
    assert one[0]["address_id"] == "652301004000"  # the township, not the community
    listed = client.get("/open311/v2/requests.json").json()
    valid("requests.json", listed)
    assert listed[0]["description"] == "3号楼暖气不热，电话[电话]"
    assert "13912345678" not in json.dumps(listed) and "李明" not in json.dumps(listed)
    assert ticket.tracking_code not in json.dumps(listed)
    assert Ticket.objects.get(pk=ticket.pk).content == "嘉顺社区3号楼暖气不热"  # original kept
    token = client.get(f"/open311/v2/tokens/{answer[0]['token']}.json").json()
    assert token[0]["service_request_id"] == ticket.number


def test_the_filters_of_get_requests(world, client, key, users):
    open_one = Ticket.objects.get(number=file_request(client, key).json()[0]["service_request_id"])
    closed = factories.ticket(world["jiashun"])
    services.merge(users["erin"], closed, open_one, "重复")
    for ticket in (open_one, closed):
        services.moderate(users["erin"], ticket, "暖气不热")

    def numbers(q):
        return {
            r["service_request_id"] for r in client.get(f"/open311/v2/requests.json?{q}").json()
        }

    assert numbers("status=open") == {open_one.number}
    assert numbers("status=closed") == {closed.number}
    assert numbers("service_code=01") == {open_one.number}  # a group code covers its children
    assert numbers(f"service_request_id={closed.number},{open_one.number}") == {
        open_one.number,
        closed.number,
    }
    assert numbers("start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z") == set()


def test_xml_answers_are_well_formed_with_the_specifications_elements(world, client, key, users):
    created = ET.fromstring(file_request(client, key, fmt="xml").content)
    assert created.tag == "service_requests" and created.find("request/token").text
    number = created.find("request/service_request_id").text
    services.moderate(users["erin"], Ticket.objects.get(number=number), "暖气不热")
    for url, root, child in [
        ("/open311/v2/services.xml", "services", "service/service_code"),
        ("/open311/v2/services/010208.xml", "service_definition", "attributes/attribute/code"),
        ("/open311/v2/requests.xml", "service_requests", "request/service_request_id"),
        ("/open311/v2/discovery.xml", "discovery", "endpoints/endpoint/specification"),
    ]:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/xml")
        tree = ET.fromstring(response.content)
        assert tree.tag == root and tree.find(child) is not None, url


@pytest.mark.parametrize(
    ("fields", "status", "fragment"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"service_code": "9999"}, 400, "service_code"),
        ({"lat": "", "long": "", "attribute[region_code]": ""}, 400, "位置"),
        ({"lat": "north", "long": "east"}, 400, "lat"),
        ({"attribute[region_code]": "652324102200"}, 400, "受理范围"),  # 玛纳斯县: not this key's
        ({"phone": "12345"}, 400, "手机号"),
        ({"attribute[urgency]": "now"}, 400, "紧急程度"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_get_the_specifications_errors(world, client, key, fields, status, fragment, fmt):
    response = file_request(client, key, fmt=fmt, **fields)
    assert response.status_code == status
    if fmt == "json":
        errors = response.json()
        assert all(e["code"] == status for e in errors)
        descriptions = " ".join(e["description"] for e in errors)
    else:
        tree = ET.fromstring(response.content)
        assert tree.tag == "errors" and tree.find("error/code").text == str(status)
        descriptions = " ".join(e.text for e in tree.iter("description"))
    assert fragment in descriptions
    assert Ticket.objects.count() == 0


def test_unknown_things_are_404_and_bad_windows_400(world, client):
    assert client.get("/open311/v2/requests/nope.json").status_code == 404
    assert client.get("/open311/v2/services/nope.xml").status_code == 404
    assert client.get("/open311/v2/tokens/nope.json").status_code == 404
    assert client.get("/open311/v2/services.yaml").status_code == 404
    wide = client.get(
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
    )
    assert wide.status_code == 400 and "90" in wide.json()[0]["description"]
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400


def test_reads_can_be_limited_to_a_keys_region(world, client, key, settings, users):
    number = file_request(client, key).json()[0]["service_request_id"]
    services.moderate(users["erin"], Ticket.objects.get(number=number), "暖气不热")
    settings.OPEN311_PUBLIC_READ = False
    assert client.get("/open311/v2/requests.json").status_code == 403
    _, other = Open311Key.issue("外县", world["manas"])
    assert client.get(f"/open311/v2/requests.json?api_key={other}").json() == []
    assert len(client.get(f"/open311/v2/requests.json?api_key={key}").json()) == 1
