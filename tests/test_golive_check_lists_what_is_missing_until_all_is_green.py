"""Issue 27, 上线检查: the page and `jiceng golive-check` list, in words and with where to fix
each, what a county still lacks before its first request; a county with nothing missing shows
all green."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiceng import factories
from jiceng.dispatch.models import RoutingRule
from jiceng.project import golive
from jiceng.tickets.models import CalendarYear, Category, EngineSettings
from jiceng.tickets.services.calendar import missing_years


def missing(region) -> dict:
    return {i.key: i for i in golive.items(region) if not i.ok}


def test_a_bare_county_is_told_what_is_missing_and_then_all_is_green(
    world, users, login, settings, tmp_path
):
    city = world["changji_city"]
    gaps = missing(city)
    assert gaps["unit_accounts"].names == ["嘉顺物业服务有限公司"]
    assert gaps["routing"].names and gaps["routing"].names[0].startswith("昌吉市：")
    assert set(gaps) >= {"bilingual", "sms", "backup", "site_url", "worker"}
    county_admin = login("alice")
    county_admin.force_login(factories.account("cathy", ["admin"], scope_region=city))
    page = county_admin.get("/golive/").content.decode()
    assert "上线检查：昌吉市" in page
    assert "未就绪" in page and "嘉顺物业服务有限公司" in page and "怎么补" in page

    # fix each, as a county office would
    factories.account(
        "wuye", ["handler"], scope_unit=world["jiashun_property"]
    )  # the property company can accept
    covered = set(RoutingRule.objects.values_list("category__code", flat=True))
    for top in Category.objects.filter(parent__isnull=True, is_active=True):
        if not any(code.startswith(top.code) for code in covered):
            RoutingRule.objects.create(category=top, region=city)
    reader = factories.account("aygul", ["intake"], scope_region=city)
    reader.bilingual = True
    reader.save(update_fields=["bilingual"])
    settings.JICENG_NOTIFY_BACKEND = "jiceng.tickets.notify.MemoryBackend"
    sent = county_admin.post("/golive/", {"phone": "13900000000"}, follow=True)
    assert "测试短信已发往 139****0000" in sent.content.decode()
    settings.BACKUP_DIR = str(tmp_path)
    (tmp_path / "jiceng-backup-20261208.tar.gz").write_bytes(b"x")
    for year in missing_years():
        CalendarYear.objects.create(year=year, note="国务院办公厅通知")
    settings.SITE_URL = "https://12345.changji.gov.cn"
    EngineSettings.objects.update_or_create(pk=1, defaults={"last_sweep_at": timezone.now()})

    assert missing(city) == {}
    page = county_admin.get("/golive/").content.decode()
    assert "全部就绪" in page and "未就绪" not in page
    call_command("golive_check", "--region", city.code)  # exits 0


def test_the_command_exits_with_an_error_while_anything_is_missing(world, capsys):
    with pytest.raises(CommandError, match="项没有就绪"):
        call_command("golive_check")
    out = capsys.readouterr().out
    assert "✗ SITE_URL 是群众能打开的公网 https 地址" in out
    assert "怎么补" in out


def test_site_urls_residents_cannot_open_are_named():
    assert "不是 https" in golive.site_url_problem("http://12345.changji.gov.cn")
    assert "内网" in golive.site_url_problem("https://192.168.1.20")
    assert "本机" in golive.site_url_problem("https://localhost:8000")
    assert golive.site_url_problem("https://12345.changji.gov.cn") == ""


def test_only_prefecture_and_county_administrators_open_the_page(world, users, login):
    assert login("alice").get("/golive/").status_code == 200
    assert login("bob").get("/golive/").status_code == 403  # a community's administrator
    assert login("dave").get("/golive/").status_code == 403  # a handler
