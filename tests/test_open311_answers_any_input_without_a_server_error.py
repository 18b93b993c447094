"""Issue 11, finding 7: Open311's endpoints are fed generated input (hypothesis, seeded):
any parameter, any text (NUL and the other control characters included), any format, any
path. Every answer is a documented status, and its body parses as the format it claims."""

import json
from urllib.parse import quote
from xml.dom import minidom

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.open311.models import Open311Key
from jiceng.tickets.models import Ticket

# any character a URL or a form can carry (lone surrogates cannot be encoded at all)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
SOMETIMES_REAL = st.one_of(
    TEXT,
    st.sampled_from(["01", "0101", "open", "closed", "open,closed", "652301004012", "87.3"]),
    st.sampled_from(["2026-11-01T00:00:00Z", "2026-02-30T00:00:00Z", "9999-12-31", "sNaN"]),
)
READ_PARAMS = [
    "service_code",
    "status",
    "start_date",
    "end_date",
    "service_request_id",
    "lat",
    "long",
    "api_key",
    "jurisdiction_id",
    "page",
]
POST_FIELDS = [
    "service_code",
    "description",
    "lat",
    "long",
    "address_string",
    "address_id",
    "first_name",
    "last_name",
    "phone",
    "email",
    "device_id",
    "account_id",
    "media_url",
    "attribute[urgency]",
    "attribute[region_code]",
    "jurisdiction_id",
]
FORMATS = st.sampled_from(["json", "xml", "html", "JSON", ""])
ANSWERS = {200, 400, 403, 404, 405, 429}
CHECKS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def check(answer, fmt: str) -> None:
    assert answer.status_code in ANSWERS, (answer.status_code, answer.content[:300])
    if answer.status_code in (200, 400, 403, 404) and fmt in ("json", "xml"):
        if fmt == "json":
            json.loads(answer.content)
        else:
            minidom.parseString(answer.content)


@pytest.fixture
def key(world):
    return Open311Key.issue("便民 App", world["changji_city"])[1]


@CHECKS
@given(params=st.dictionaries(st.sampled_from(READ_PARAMS), SOMETIMES_REAL), fmt=FORMATS)
def test_any_read_of_the_request_list_is_answered(world, params, fmt):
    check(Client().get(f"/open311/v2/requests.{fmt}", params), fmt)


@CHECKS
@given(
    kind=st.sampled_from(["services", "requests", "tokens"]),
    segment=st.one_of(TEXT.filter(bool), st.sampled_from(["01", "1", "ABCD2345"])),
    fmt=FORMATS,
)
def test_any_path_below_the_endpoints_is_answered(world, kind, segment, fmt):
    check(Client().get(f"/open311/v2/{kind}/{quote(segment, safe='')}.{fmt}"), fmt)


@CHECKS
@given(
    fields=st.dictionaries(st.sampled_from(POST_FIELDS), SOMETIMES_REAL),
    with_key=st.booleans(),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_any_post_is_answered_and_a_refused_one_saves_nothing(world, key, fields, with_key, fmt):
    before = Ticket.objects.count()
    data = {**fields, **({"api_key": key} if with_key else {})}
    answer = Client().post(f"/open311/v2/requests.{fmt}", data)
    check(answer, fmt)
    after = Ticket.objects.count()
    assert after == before + (1 if answer.status_code == 200 else 0)
    if answer.status_code == 200:
        made = Ticket.objects.order_by("-pk").first()
        assert "\x00" not in made.content + made.title + made.address + made.requester_name
