"""The tests' small world: real places of 昌吉州 and named users with their scopes.

- alice: administrator of the whole prefecture (昌吉州)
- bob: administrator of 嘉顺社区 only
- carol: administrator of 建国社区 only (bob's neighbour)
- dave: handler scoped to the unit 嘉顺社区居委会
- erin: dispatcher of 昌吉市 (no administrator role)
- frank: a second handler of 嘉顺社区居委会 (dave's colleague)
- gina: handler of 建国社区居委会
- ivan: intake operator of 昌吉市
- sam: supervisor of 昌吉市
- zoe: handler of 昌吉市住建局
"""

import pytest
from django.test import Client

from jiceng import factories

# Fixtures through which a test reaches the database (directly or through another fixture).
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_configure(config):
    # an edited .po is never tested against a stale .mo (make install compiles them too)
    from jiceng.core.catalogs import compile_stale

    compile_stale()


def pytest_addoption(parser):
    parser.addoption(
        "--database-pass",
        action="store_true",
        help="run only the tests that touch the database, and no browser test: CI's second "
        "pass (on PostgreSQL) repeats what a database can change, and nothing else",
    )


def pytest_collection_modifyitems(config, items):
    """Mark what needs a browser (it uses the `browser` fixture) or PostgreSQL (marked
    `postgres`, skipped elsewhere); with --database-pass, keep only the database's tests."""
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    kept, dropped = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://…)"))
        touches = bool(names & DATABASE_FIXTURES) or item.get_closest_marker("django_db")
        if config.getoption("--database-pass") and (
            not touches or item.get_closest_marker("browser")
        ):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_dispatch_caches():
    """The dispatch model's per-process caches hold one test's rows; no other test sees them."""
    from jiceng.dispatch import cache, services

    cache.clear()
    services._loaded.clear()
    from jiceng.orgs import tokens
    from jiceng.regions import lookup
    from jiceng.tickets import deadlines

    deadlines._inputs.clear()
    tokens.accounts.clear()
    tokens._touched.clear()
    lookup.by_code.clear()
    lookup.gazetteers.clear()


@pytest.fixture(autouse=True)
def no_cache_left_by_a_committed_test(request):
    """Django's cache lives in a database table that a test's rollback empties, but a test
    whose writes commit (a live server) leaves it behind: such tests start from an empty one."""
    if {"live_server", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def background_work_runs_at_once(settings):
    """Tasks run where they are queued (inside intake's transaction), so a test sees the
    follow-up of a request as soon as it is taken in. The worker's own tests use the database
    backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DISPATCH_MODEL_DIR = tmp_path / "models"


@pytest.fixture
def world(db):
    # No calendar is faked here: a year chinesecalendar does not know gets the provisional
    # calendar, exactly as in production (tests that need one say so).
    return factories.small_world()


@pytest.fixture
def memory_sms(settings):
    """Messages go to `notify.outbox` in memory, emptied first (`notify.send_pending()` sends)."""
    from jiceng.tickets import notify

    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    notify.outbox.clear()
    return notify.outbox


@pytest.fixture
def every_unit_ranked(db):
    """Rank units however few tickets they have: for tests of the arithmetic on a handful of
    tickets. The 样本不足 rule has its own tests."""
    from jiceng.tickets.models import RankingSettings

    RankingSettings.objects.update_or_create(
        pk=1, defaults={"min_dispatched": 0, "min_callbacks": 0}
    )


@pytest.fixture
def users(world):
    return {
        "alice": factories.account("alice", ["admin"], scope_region=world["changji"]),
        "bob": factories.account("bob", ["admin"], scope_region=world["jiashun"]),
        "carol": factories.account("carol", ["admin"], scope_region=world["jianguo"]),
        "dave": factories.account("dave", ["handler"], scope_unit=world["jiashun_unit"]),
        "erin": factories.account("erin", ["dispatcher"], scope_region=world["changji_city"]),
        "frank": factories.account("frank", ["handler"], scope_unit=world["jiashun_unit"]),
        "gina": factories.account("gina", ["handler"], scope_unit=world["jianguo_unit"]),
        "ivan": factories.account("ivan", ["intake"], scope_region=world["changji_city"]),
        "sam": factories.account("sam", ["supervisor"], scope_region=world["changji_city"]),
        "zoe": factories.account("zoe", ["handler"], scope_unit=world["changji_zjj"]),
    }


@pytest.fixture
def login(users):
    def as_user(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return as_user


# Browser tests drive Debian's Chromium through Playwright. Without either, they are skipped
# and pytest says why (-rs).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    """A Chromium for one test. Launched per test on purpose: Playwright's sync API runs an
    event loop in this thread while it is open, and Django's connections (asgiref's Local)
    are then kept per context, not per thread, so a browser kept across tests hides the test
    database's connection (and its serialized rollback) from the tests after it. A launch
    costs about 0.85 s, connecting to a running Chromium over CDP 0.8 s (measured)."""
    import os

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright 未安装")
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            "没有 /usr/bin/chromium：浏览器测试跳过（apt-get install chromium fonts-wqy-microhei）"
        )
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's guard against async contexts is lifted here only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sign_in():
    """sign_in(context, base_url, username) → the context's page, signed in."""

    def go(context, base, username):
        context.clear_cookies()
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "test-password")
        page.click("main button[type=submit]")
        return page

    return go


@pytest.fixture(scope="session")
def small_classifier():
    """The classifier fitted on 40 shipped messages per category (a second or two, once)."""
    from jiceng.dispatch import training
    from jiceng.dispatch.classifier import Classifier

    by_label: dict[str, list] = {}
    for text, label in training.raw_messages():
        by_label.setdefault(label, []).append(text)
    corpus = [(t, label) for label, texts in by_label.items() for t in texts[:40]]
    return Classifier().fit([t for t, _ in corpus], [label for _, label in corpus])


@pytest.fixture
def dispatch_model(db, settings, small_classifier):
    """That classifier saved as model version 1 and active."""
    from jiceng.dispatch import services, store
    from jiceng.dispatch.models import ModelVersion

    services._loaded.clear()  # a model read by an earlier test is not this one
    name, checksum = store.save(small_classifier, settings.DISPATCH_MODEL_DIR, 1)
    return ModelVersion.objects.create(
        version=1, file=name, sha256=checksum, labels=small_classifier.labels_
    )
