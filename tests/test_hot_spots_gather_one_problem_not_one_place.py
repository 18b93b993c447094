"""Issue 28, finding 7: the top hot spot, "嘉顺 · 小区 · 大坑 · 堵住 3 件", lumped a street
light, a pothole and a blocked fire lane together because they share "嘉顺小区", and offered
立为每月一题; another card said "4 件" and listed 3. Requests are compared without the names
of their own places, so a hot spot gathers one problem within a place; a card lists every
ticket it counts, the first five open and the rest under 更多."""

from datetime import timedelta

from django.utils import timezone

from jiceng import factories
from jiceng.dispatch import hotspots, selectors

MIXED = [  # short requests where the place says more than the problem
    ("嘉顺社区嘉顺小区路灯不亮", "嘉顺社区嘉顺小区的路灯坏了"),
    ("嘉顺社区嘉顺小区有个大坑", "嘉顺社区嘉顺小区路上有个大坑"),
    ("嘉顺社区嘉顺小区消防通道堵住", "嘉顺社区嘉顺小区的消防通道被堵住"),
]
LIGHTS = [
    ("嘉顺小区路灯不亮", f"嘉顺小区{n}号楼门口的路灯不亮，晚上走路看不见")
    for n in (2, 5, 7, 8, 11, 12, 15)
]


def file(world, rows, days_ago=3):
    at = timezone.now() - timedelta(days=days_ago)
    return [
        factories.ticket(world["jiashun"], title=t, content=b, at=at + timedelta(hours=n))
        for n, (t, b) in enumerate(rows)
    ]


def test_the_names_of_a_place_are_the_words_people_write():
    words = hotspots.place_words(["昌吉市", "建国路街道", "嘉顺社区居委会"])
    assert {"嘉顺社区居委会", "嘉顺社区", "嘉顺", "建国路", "昌吉"} <= set(words)
    assert hotspots.without_places("嘉顺小区路灯不亮", words) == " 小区路灯不亮"


def test_three_problems_of_one_compound_are_not_one_hot_spot(world, users):
    file(world, MIXED)
    found, looked_at = selectors.hot_spots(users["alice"], days=30)
    assert looked_at == 3 and found == []


def test_a_card_lists_every_ticket_it_counts(world, users, login):
    lights = file(world, LIGHTS)
    file(world, MIXED[1:], days_ago=2)  # a pothole and a fire lane of the same compound
    found, _ = selectors.hot_spots(users["alice"], days=30)
    assert len(found) == 1
    spot = found[0]
    assert (
        sorted(t.pk for t in spot.tickets) == sorted(t.pk for t in lights) == sorted(spot.members)
    )
    assert spot.size == len(spot.tickets) == 7
    page = login("alice").get("/dashboard/hotspots/").content.decode()
    assert "7 件" in page and "更多 2 件" in page
    assert all(t.number in page for t in lights)
