"""The maintained Open311 client from PyPI (`georeport`) reads our server, in JSON and XML,
over real HTTP."""

import pytest
import requests
from georeport import GeoReport

from jiceng import factories
from jiceng.open311.models import Open311Key
from jiceng.tickets import services as ticket_services
from jiceng.tickets.models import Ticket


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_lists_services_and_reads_a_filed_request(world, live_server, fmt):
    root = f"{live_server.url}/open311/v2"
    _, key = Open311Key.issue("随手拍", world["changji_city"])
    # georeport only reads, so the request is filed as a client would: a form POST
    filed = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": key,
            "service_code": "010208",
            "address_string": "嘉顺社区3号楼",
            "attribute[region_code]": "652301004012",
            "description": "暖气不热",
        },
        timeout=10,
    )
    assert filed.status_code == 200, filed.text
    number = filed.json()[0]["service_request_id"]
    # only what staff have moderated is listed
    erin = factories.account("erin", ["dispatcher"], scope_region=world["changji_city"])
    ticket_services.moderate(erin, Ticket.objects.get(number=number), "3号楼暖气不热")

    client = GeoReport(root, api_key=key, output_format=fmt)
    services = client.get_service_list()
    assert any(s["service_code"] == "010208" and s["service_name"] == "冬季采暖" for s in services)
    definition = client.get_service_definition("010208")
    assert definition["service_code"] == "010208"
    found = client.get_service_request(number)
    assert found["service_request_id"] == number and found["status"] == "open"
    listed = client.get_service_requests(status="open")
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict: one item is a dict
    assert number in {r["service_request_id"] for r in listed}
