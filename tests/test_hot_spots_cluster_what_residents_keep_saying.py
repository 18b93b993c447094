"""Hot spots: messages that say the same thing are clustered (within a place), ranked by size,
growth and likes, named by their distinctive words and shown with representatives. The report
runs on a message file and, scoped, on the tickets of a window."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiceng import factories
from jiceng.dispatch.similarity import Item, cluster, heat, message_text

DAY = datetime(2026, 3, 1, 9)
PLANT = [
    ("丽发新城附近搅拌站噪音扰民", "丽发新城小区旁边的搅拌站日夜施工，噪音和灰尘太大"),
    ("投诉丽发新城搅拌站噪音", "丽发新城附近搅拌站夜间作业噪音扰民，灰尘很大"),
    ("丽发新城搅拌站灰尘污染", "丽发新城小区附近搅拌站灰尘噪音污染严重"),
    ("丽发新城搅拌站扰民何时解决", "丽发新城附近的搅拌站噪音扰民问题何时解决"),
]
PARKING = [
    ("伊景园滨河苑捆绑销售车位", "伊景园滨河苑开发商强制捆绑销售车位，不买车位不给交房"),
    ("伊景园滨河苑车位捆绑销售", "伊景园滨河苑购房必须捆绑购买车位，侵害消费者权益"),
]
LONE = ("学校食堂饭菜质量差", "孩子学校食堂饭菜质量差价格高")


def items(place_of_parking="A"):
    out = []
    for i, (t, b) in enumerate(PLANT):
        out.append(Item(f"p{i}", message_text(t, b), DAY + timedelta(days=10 + i), likes=5))
    for i, (t, b) in enumerate(PARKING):
        out.append(
            Item(f"c{i}", message_text(t, b), DAY + timedelta(days=i), place=place_of_parking)
        )
    out.append(Item("x", message_text(*LONE), DAY))
    return out


def test_messages_saying_the_same_thing_cluster_and_the_odd_one_stays_out():
    found = cluster(items(place_of_parking=""), window=(DAY, DAY + timedelta(days=20)))
    assert [sorted(c.keys) for c in found] == [["p0", "p1", "p2", "p3"], ["c0", "c1"]]
    plant = found[0]
    assert "搅拌站" in plant.keywords and len(plant.representatives) == 3
    assert plant.likes == 20 and plant.growth == 4  # all four in the window's second half
    assert plant.heat == heat(4, 4, 20) > found[1].heat
    assert plant.first == DAY + timedelta(days=10) and plant.last == DAY + timedelta(days=13)


def test_the_same_words_in_different_places_are_different_hot_spots():
    mixed = [
        Item(f"{place}{i}", message_text(t, b), DAY, place=place)
        for place in ("甲镇", "乙镇")
        for i, (t, b) in enumerate(PLANT[:2])
    ]
    found = cluster(mixed)
    assert sorted(sorted(c.keys) for c in found) == [["乙镇0", "乙镇1"], ["甲镇0", "甲镇1"]]
    assert {c.place for c in found} == {"甲镇", "乙镇"}


def test_too_few_messages_make_no_cluster():
    assert cluster([]) == [] and cluster([Item("x", "一条")]) == []


def write_csv(path, rows):
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "time", "likes"])
        writer.writerows(rows)


def test_the_command_reports_clusters_of_a_message_file(tmp_path, capsys):
    path = tmp_path / "messages.csv"
    rows = [(f"p{i}", t, b, f"2019/3/{i + 1} 9:00:00", 3) for i, (t, b) in enumerate(PLANT)]
    write_csv(path, [*rows, ("x", *LONE, "2019/3/1 9:00:00", 0)])
    call_command("dispatch", "hotspots", "--csv", str(path))
    out = json.loads(capsys.readouterr().out)
    assert out["messages"] == 5 and out["clusters"] == 1 and out["clustered_messages"] == 4
    top = out["top"][0]
    assert top["size"] == 4 and top["likes"] == 12 and "搅拌站" in top["keywords"]
    assert {r["id"] for r in top["representatives"]} <= {"p0", "p1", "p2", "p3"}


def test_a_bad_message_file_is_refused_in_words(tmp_path):
    path = tmp_path / "bad.csv"
    write_csv(path, [("1", "标题", "内容", "2019/3/1 9:00:00", "很多")])
    with pytest.raises(CommandError, match="第 2 行：likes 须为整数"):
        call_command("dispatch", "hotspots", "--csv", str(path))
    (tmp_path / "none.csv").write_text("id,words\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="title 与 body"):
        call_command("dispatch", "hotspots", "--csv", str(tmp_path / "none.csv"))


def test_the_hot_spot_page_clusters_the_scopes_recent_tickets(login, world, users):
    now = timezone.now()
    for i, (t, b) in enumerate(PLANT):
        factories.ticket(world["jiashun"], title=t, content=b, at=now - timedelta(days=3 - i % 3))
    far = [
        factories.ticket(
            world["baojiadian_village"], title=t, content=b, at=now - timedelta(days=1)
        )
        for t, b in PLANT
    ]
    page = login("erin").get("/dashboard/hotspots/", {"days": 7}).content.decode()
    assert "4 件" in page and "搅拌站" in page and "嘉顺" in page
    assert not any(t.number in page for t in far)  # another county: outside erin's scope
    assert "热点" in login("erin").get("/dashboard/").content.decode()
    assert login("erin").get("/dashboard/hotspots/", {"days": "abc"}).status_code == 200
