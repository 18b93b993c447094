"""Issue 11, finding 9: residents' phone numbers sat in the database in the clear. Now they are
SM4-encrypted (国密), searched through a keyed blind index, and re-encrypted under a new key
by `jiceng rotate-data-key`. A dump of every table holds none of them."""

import base64
import re
from io import StringIO

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, RequestFactory

from jiceng import factories
from jiceng.core import crypto
from jiceng.orgs.models import Person
from jiceng.tickets import services
from jiceng.tickets.models import Notification, Ticket
from jiceng.tickets.services import Intake

PHONES = ["13912342005", "15809941234", "18690001111"]


@pytest.fixture
def keys(settings, tmp_path, monkeypatch):
    """A keyring of our own, in files under a temporary var folder."""
    monkeypatch.delenv("DATA_KEYS", raising=False)
    monkeypatch.delenv("DATA_INDEX_KEY", raising=False)
    settings.VAR_DIR = tmp_path / "var"
    crypto.reload()
    yield tmp_path / "var"
    crypto.reload()


@pytest.fixture
def stored(keys, world, users):
    for phone in PHONES[:2]:
        services.receive(
            users["ivan"],
            Intake(
                title="路灯不亮",
                content="小区路灯坏了",
                region=world["jiashun"],
                requester_phone=phone,
            ),
        )
    factories.person(world["jiashun"], "马红梅", phone=PHONES[2])
    ticket = Ticket.objects.first()
    Notification.objects.create(
        kind="sms", ticket=ticket, recipient=PHONES[0], subject="受理", body="您的诉求已受理"
    )
    return ticket


def dump() -> str:
    """Every row of every table, as text: what a copy of the database gives away."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(out)


def test_a_dump_of_the_database_holds_no_phone_number_in_the_clear(stored):
    text = dump()
    assert "路灯不亮" in text  # the dump is real: it holds the tickets
    for phone in PHONES:
        assert phone not in text
        assert phone[-4:] + "'" not in text  # not even as a tail
    assert re.search(r"sm4:[0-9a-f]{8}:", text)


def test_staff_still_read_the_phone_where_they_may(stored, users):
    assert Ticket.objects.get(pk=stored.pk).requester_phone in PHONES[:2]
    assert services.read_phone(users["erin"], stored, via="web") in PHONES[:2]
    assert Person.objects.get(name="马红梅").phone == PHONES[2]


def test_the_stored_value_is_sm4_in_gcm_mode_under_the_current_key(stored, keys):
    with connection.cursor() as cursor:
        cursor.execute("SELECT requester_phone FROM tickets_ticket ORDER BY id")
        value = cursor.fetchone()[0]
    kid, body = value[len("sm4:") :].split(":")
    key = bytes.fromhex((keys / "data_keys").read_text().split()[0])
    assert kid == crypto.key_id(key)
    raw = base64.b64decode(body)
    opened = Cipher(algorithms.SM4(key), modes.GCM(raw[:12], raw[-16:])).decryptor()
    assert (opened.update(raw[12:-16]) + opened.finalize()).decode() == PHONES[0]


def test_the_cipher_is_the_sm4_of_the_national_standard():
    # GB/T 32907-2016, appendix A, example 1
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    sealed = Cipher(algorithms.SM4(key), modes.ECB()).encryptor().update(key)
    assert sealed.hex() == "681edf34d206965e86b3e94f536e4246"


def test_a_tampered_value_does_not_open(keys):
    value = crypto.encrypt("13912342005")
    forged = value[:-6] + ("A" if value[-6] != "A" else "B") + value[-5:]
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt(forged)


def test_search_by_phone_goes_through_the_blind_index(stored):
    index = crypto.blind(PHONES[0])
    assert len(index) == 32 and PHONES[0] not in index
    assert Ticket.objects.filter(requester_phone_index=index).count() == 1
    assert Ticket.objects.filter(requester_phone_index=crypto.blind("139-1234-2005")).exists()
    with pytest.raises(ValueError):
        list(Ticket.objects.filter(requester_phone=PHONES[0]))  # never a silent miss
    assert Ticket.objects.exclude(requester_phone="").count() == 2


def test_an_administrator_finds_a_person_by_their_whole_phone(stored, users):
    request = RequestFactory().get("/admin/orgs/person/")
    request.user = users["alice"]
    admin = site._registry[Person]
    found, _ = admin.get_search_results(request, Person.objects.all(), PHONES[2])
    assert [p.name for p in found] == ["马红梅"]
    assert admin.masked_phone(found[0]) == "186********"


def test_rotating_the_key_re_encrypts_everything_and_lets_the_old_key_go(stored, keys):
    old = crypto.key_id(crypto.keyring()[0])
    out = StringIO()
    call_command("rotate_data_key", "--new", stdout=out)
    new = crypto.key_id(crypto.keyring()[0])
    assert new != old and f"旧密钥 {old}: 仍有 0 条数据" in out.getvalue()
    text = dump()
    assert f"sm4:{old}:" not in text and f"sm4:{new}:" in text
    call_command("rotate_data_key", "--prune", stdout=StringIO())
    assert len((keys / "data_keys").read_text().split()) == 1
    crypto.reload()
    assert Ticket.objects.get(pk=stored.pk).requester_phone in PHONES[:2]
    assert Ticket.objects.filter(requester_phone_index=crypto.blind(PHONES[1])).count() == 1


def test_keys_from_the_environment_rotate_by_putting_the_new_one_first(stored, monkeypatch):
    old_hex = (crypto.keyring()[0]).hex()
    new_hex = "00112233445566778899aabbccddeeff"
    monkeypatch.setenv("DATA_KEYS", f"{new_hex},{old_hex}")
    crypto.reload()
    assert Ticket.objects.get(pk=stored.pk).requester_phone in PHONES[:2]  # old rows open
    out = StringIO()
    call_command("rotate_data_key", "--prune", stdout=out)
    assert "请从中删去" in out.getvalue()
    monkeypatch.setenv("DATA_KEYS", new_hex)  # the old key is gone
    crypto.reload()
    assert sorted(Ticket.objects.values_list("requester_phone", flat=True)) == PHONES[:2]
    with pytest.raises(CommandError, match="DATA_KEYS"):
        call_command("rotate_data_key", "--new", stdout=StringIO())


def test_key_files_are_for_the_owner_only(stored, keys):
    for name in ("data_keys", "data_index_key"):
        assert (keys / name).stat().st_mode & 0o777 == 0o600


def test_an_email_given_through_open311_is_not_kept_in_the_clear(keys, world):
    from jiceng.open311.models import Open311Key
    from jiceng.tickets.models import TicketEvent

    _, key = Open311Key.issue("便民 App", world["changji_city"])
    made = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "01",
            "description": "路灯不亮好几天了",
            "address_string": "3号楼",
            "email": "zhangguifang@example.com",
            "phone": PHONES[0],
        },
    )
    assert made.status_code == 200
    assert TicketEvent.objects.get(action="receive").data["email"] == "z***@example.com"
    text = dump()
    assert "zhangguifang" not in text and PHONES[0] not in text
