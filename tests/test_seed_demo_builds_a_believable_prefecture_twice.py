from datetime import timedelta

from django.core.management import call_command
from django.test import Client

from jiceng.demo import DEMO_ACCOUNTS
from jiceng.evaluation import periods
from jiceng.orgs.models import PartyOrg, Person, Post, Unit, User
from jiceng.regions.models import Grid, Region
from jiceng.tickets import rates
from jiceng.tickets.models import Ticket, TicketEvent


def counts():
    return [
        m.objects.count()
        for m in (Region, Unit, PartyOrg, Grid, Person, Post, User, Ticket, TicketEvent)
    ]


def test_seed_demo_is_safe_to_run_twice_and_every_login_works(db, capsys, monkeypatch):
    from jiceng.dispatch import training
    from jiceng.tickets import demo_history

    # The demo trains the dispatch model on the shipped messages (half a minute); here on a
    # slice of them, which is enough to see it at work.
    few = training.raw_messages()[::4]
    monkeypatch.setattr(training, "shipped", lambda: few)
    # two years of history at a tenth of the article's scale: the same code, less waiting
    monkeypatch.setattr(demo_history, "CHANGJI_CITY_PER_YEAR", 200)
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert 'id="demo-banner"' in Client().get("/").content.decode()  # marked as a demo
    out = capsys.readouterr().out
    region, _, _, grid, person, post, user, tickets, events = first
    assert region == 1041
    assert grid > 1500 and person > 4000 and post > person
    # Departments in every county; property companies with their party branches.
    for county in Region.objects.filter(level="county"):
        assert Unit.objects.filter(region=county, type__category="department").count() >= 9
    property_branch = PartyOrg.objects.filter(unit__type__category="property").first()
    assert property_branch.region.kind == "社区"
    assert Person.objects.filter(posts__source="回引").exists()
    # One login per role, and a second assessor (who reviews what the first computes), with
    # their passwords printed.
    # and a secretary with open 整改 items, whose menu leads to them
    assert user == len(DEMO_ACCOUNTS) + 1 == 12
    for username in [name for name, *_ in DEMO_ACCOUNTS] + ["secretary"]:
        password = f"{username}-2026"
        assert f"{username}" in out and password in out
        assert Client().login(username=username, password=password)
    secretary = Client()
    secretary.login(username="secretary", password="secretary-2026")
    assert "我的整改" in secretary.get("/").content.decode()
    assert User.objects.get(username="bilingual").bilingual
    # history at the article's scale (here a tenth): two years of closed tickets, by county
    history = Ticket.objects.filter(number__startswith=demo_history.PREFIX)
    assert history.count() > 1000
    assert history.filter(region__code__startswith="652301").count() > history.count() / 4
    assert Ticket.objects.filter(published_at__isnull=False).count() == 8  # the Open311 feed
    # Half a year of tickets, handled through the services: every stage is represented and
    # the 三率 of last month can be computed.
    assert tickets > 500 and events > 4 * tickets
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"received", "in_progress", "replied", "closed"} <= statuses
    assert TicketEvent.objects.filter(action="return").exists()
    assert TicketEvent.objects.filter(action="reopen").exists()
    # where answers come from: a rating of the grid worker's own report that is not counted,
    # and a phone callback the resident overruled
    assert Ticket.objects.filter(filed_by_unit__isnull=False, channel="grid").exists()
    assert TicketEvent.objects.filter(action="callback", counted=False, by_resident=True).exists()
    overruled = TicketEvent.objects.filter(
        action="callback", by_resident=False, superseded_at__isnull=False, actor__username="intake"
    )
    assert overruled.exists()
    last_month = Ticket.objects.order_by("-received_at").first().received_at.replace(
        day=1
    ) - timedelta(days=1)
    rows = rates.ranking(f"{last_month:%Y-%m}")
    assert len(rows) > 30 and all(r.score is not None for r in rows)
    # A village survey with votes, and codes left to try.
    from jiceng.evaluation import surveys
    from jiceng.evaluation.models import Campaign

    result = surveys.results(Campaign.objects.get(state="closed"))  # last quarter's
    assert (result["issued"], result["voted"]) == (60, 41)
    assert any(p.flagged for p in result["people"]) and not all(p.flagged for p in result["people"])
    assert "可在 /vote/ 用这些投票码试投" in out
    assert surveys.results(Campaign.objects.get(state="open"))["hidden"]  # this quarter's
    # A star-scheme period of last quarter, computed from the demo tickets and published.
    from jiceng.evaluation.models import AssessmentPeriod

    period = AssessmentPeriod.objects.get(state="published")
    grades = {r["grade"] for r in period.results["rows"]}
    assert period.state == "published" and {"优秀", "良好", "差"} <= grades
    sources = " ".join(p["source"] for r in period.results["rows"] for p in r["parts"])
    for evidence in ["工单流转记录", "把脉问诊", "组织生活记录", "集体经济收支台账", "满意度测评"]:
        assert evidence in sources, evidence
    # and this quarter's, open, with most figures in and the rest for the assessor to import
    current = AssessmentPeriod.objects.get(state="open")
    assert current.starts_on == period.ends_on + timedelta(days=1)
    assert 0 < current.values.count() < len(periods.subjects(current))
    assert "待考评员下载录入表填报导入" in out
    handler = User.objects.get(username="handler")
    assert handler.scope_unit.name == "嘉顺社区居委会"
    assert handler.person.posts.filter(unit=handler.scope_unit, kind="承办人").exists()
    # 担当我先行 in its 公示, with votes from the demo accounts and an objection to resolve.
    from jiceng.evaluation.models import Objection, Selection

    chosen = Selection.objects.get()
    assert chosen.state == "publicity"
    assert chosen.nominations.filter(eligible=False).count() == 1
    assert chosen.voters.count() >= 3 and chosen.nominations.filter(votes__gt=0).exists()
    assert Objection.objects.filter(nomination__selection=chosen, upheld__isnull=True).count() == 1
    assert "担当我先行" in out
    # The dispatch model, trained before the tickets came: each has its suggestion, and
    # today's hotline requests went through the ordinary intake.
    from jiceng.dispatch.models import ModelVersion, Suggestion

    assert ModelVersion.objects.count() == 1
    # (the bulk history was dispatched by hand long ago: it has none)
    handled = Ticket.objects.exclude(number__startswith=demo_history.PREFIX).count()
    assert Suggestion.objects.count() >= handled - 10
    assert Ticket.objects.filter(number__startswith="CJN").count() == 5
    assert "智能派单模型 v1" in out
