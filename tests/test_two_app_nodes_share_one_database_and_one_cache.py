"""Issue 12, part 5: jiceng as several stateless app nodes: two gunicorn nodes on two ports,
one PostgreSQL, one Redis (CACHE_URL), one shared media folder and one shared model folder.

- a ticket taken in on one node is dispatched on the other;
- a photo uploaded on one node is served by the other;
- a rate limit counts across both;
- two sweeps at once mark each overdue ticket once.

Runs on PostgreSQL with Redis on 127.0.0.1:6379 (CI starts both); skipped elsewhere.
"""

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from jiceng import factories
from jiceng.core import crypto
from jiceng.orgs.tokens import create_token
from jiceng.tickets import services
from jiceng.tickets.models import Ticket, TicketEvent

requests = pytest.importorskip("requests")
BIN = Path(sys.executable).parent
REDIS = ("127.0.0.1", 6379)
# Two nodes share one PostgreSQL (each test process its own test database) and one Redis
# database: one per test process (pytest-xdist's gw0, gw1, …), so two processes never empty
# each other's cache.
REDIS_DB = 15 - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
pytestmark = pytest.mark.postgres


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, 0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def cluster(settings, tmp_path):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    if not (BIN / "gunicorn").exists():
        pytest.skip("gunicorn is not installed (make install)")
    with socket.create_connection(REDIS) as conn:  # an empty cache for this test
        conn.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
        conn.recv(64)
    keys = crypto.keyring()
    shared = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}},
        "DATABASE_URL": _database_url(),
        "CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "JICENG_MODEL_DIR": str(settings.DISPATCH_MODEL_DIR),
        "SECRET_KEY": "two-nodes-" + "s" * 50,
        "DATA_KEYS": ",".join(k.hex() for k in keys),
        "DATA_INDEX_KEY": crypto.index_key().hex(),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "RATE_LIMIT_TRACK_IP": "4/h",
        "RATE_LIMIT_TRACK_CODE": "100/h",
    }
    nodes, processes = [], []
    for name in ("a", "b"):
        port = _free_port()
        env = {**shared, "JICENG_VAR_DIR": str(tmp_path / f"node-{name}")}
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "jiceng.wsgi",
                    "--workers",
                    "1",
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        nodes.append(f"http://127.0.0.1:{port}")
    try:
        for base in nodes:
            for _ in range(150):
                try:
                    if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.1)
            else:
                pytest.fail(f"{base} did not start")
        yield {"nodes": nodes, "env": shared, "var": tmp_path}
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


ROUND = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@ROUND
def test_a_ticket_taken_in_on_one_node_is_dispatched_and_its_photo_served_on_the_other(
    cluster, world, users
):
    a, b = cluster["nodes"]
    auth = {"Authorization": f"Bearer {create_token(users['erin'], 'two nodes')}"}
    # the hotline centre's 受理员 takes it in (a dispatcher files no hotline requests)
    intake = {"Authorization": f"Bearer {create_token(users['ivan'], 'two nodes')}"}
    made = requests.post(
        f"{a}/api/v1/tickets",
        json={
            "title": "路灯不亮",
            "content": "嘉顺社区3号楼门前路灯坏了",
            "region_code": "652301004012",
            "requester_phone": "13912342005",
        },
        headers=intake,
        timeout=10,
    )
    assert made.status_code == 201, made.text
    ticket_id = made.json()["id"]
    upload = factories.photo("现场.jpg")
    sent = requests.post(
        f"{a}/api/v1/tickets/{ticket_id}/photos",
        files={"files": ("现场.jpg", upload.read(), "image/jpeg")},
        headers=auth,
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    dispatched = requests.post(
        f"{b}/api/v1/tickets/{ticket_id}/dispatch",
        json={"unit_id": world["jiashun_unit"].pk},
        headers=auth,
        timeout=10,
    )
    assert dispatched.status_code == 200 and dispatched.json()["status"] == "dispatched"
    (photo_url,) = dispatched.json()["photos"]
    photo = requests.get(f"{b}{photo_url}", headers=auth, timeout=10)
    assert photo.status_code == 200 and photo.content[:3] == b"\xff\xd8\xff"
    assert Ticket.objects.get(pk=ticket_id).requester_phone == "13912342005"  # one keyring


@ROUND
def test_a_rate_limit_counts_across_both_nodes(cluster, world):
    a, b = cluster["nodes"]
    browser = requests.Session()  # one address, one CSRF cookie (both nodes share the key)
    page = browser.get(f"{a}/track/", timeout=10).text
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    codes = [
        browser.post(
            f"{node}/track/",
            data={"code": "ABCD2345", "last4": "0000", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{node}/track/"},
            timeout=10,
        ).status_code
        for node in (a, b, a, b, a, b)
    ]
    assert codes == [200, 200, 200, 200, 429, 429], codes


@ROUND
def test_two_sweeps_at_once_mark_each_overdue_ticket_once(cluster, world, users):
    long_ago = timezone.now() - timedelta(days=20)
    for n in range(6):
        ticket = factories.ticket(world["jiashun"], at=long_ago, title=f"超时工单{n}")
        services.dispatch(users["erin"], ticket, world["jiashun_unit"], at=long_ago)
    sweeps = [
        subprocess.Popen(
            [str(BIN / "jiceng"), "sweep"],
            env={**cluster["env"], "JICENG_VAR_DIR": str(cluster["var"] / f"sweep-{n}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(2)
    ]
    for sweep in sweeps:
        _out, err = sweep.communicate(timeout=120)
        assert sweep.returncode == 0, err.decode()[-2000:]
    marks = TicketEvent.objects.filter(action="overdue")
    assert marks.count() == 6
    assert sorted(marks.values_list("ticket__title", flat=True)) == [
        f"超时工单{n}" for n in range(6)
    ]
