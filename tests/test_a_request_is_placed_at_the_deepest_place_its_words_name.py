"""The gazetteer (regions/gazetteer.py) places a request at the deepest place of 昌吉州 its
words name, from the region table the product ships: official names and the short forms people
write. A name two places share is settled by the other names, or stays at the last level that
is certain. Pure: no database."""

import csv
from pathlib import Path

import pytest

from jiceng.regions.gazetteer import Gazetteer, Place, ancestors, short_forms

CSV = Path(__file__).resolve().parent.parent / "src" / "jiceng" / "regions" / "data" / "changji.csv"


@pytest.fixture(scope="module")
def gazetteer():
    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    assert len(rows) == 1041
    return Gazetteer([Place(r["code"], r["name"], r["level"]) for r in rows])


@pytest.mark.parametrize(
    ("text", "code", "level"),
    [
        # the Open311 request of issue 27, placed at the prefecture before
        ("昌吉市建国路街道", "652301004000", "township"),
        ("昌吉市建国路街道嘉顺社区5号楼暖气不热", "652301004012", "village"),
        ("嘉顺社区居委会门口的路灯坏了", "652301004012", "village"),
        ("呼图壁县五工台镇", "652323105000", "township"),
        ("玛纳斯县包家店镇包家店村水管爆了", "652324102200", "village"),
        ("昌吉州", "652300000000", "prefecture"),
        # 昌吉回族自治州 holds 昌吉, which is not 昌吉市 there
        ("昌吉回族自治州昌吉市", "652301000000", "county"),
        ("反映呼图壁的供暖问题", "652323000000", "county"),
    ],
)
def test_the_deepest_named_place_is_chosen(gazetteer, text, code, level):
    found = gazetteer.place(text)
    assert (found.code, found.level, found.certain) == (code, level, True), found


def test_a_name_two_places_share_is_settled_by_the_township_named(gazetteer):
    # the two 新戽村 of 昌吉市: one in 三工镇, one in 大西渠镇
    assert gazetteer.place("三工镇新戽村路灯不亮").code == "652301101204"
    assert gazetteer.place("大西渠镇新戽村路灯不亮").code == "652301104205"


def test_a_name_the_text_does_not_settle_stays_at_the_last_certain_level(gazetteer):
    found = gazetteer.place("新戽村路灯不亮")
    assert (found.code, found.level, found.certain) == ("652301000000", "county", False)


def test_names_that_disagree_stay_where_they_agree_and_say_so(gazetteer):
    found = gazetteer.place("玛纳斯县建国路街道")  # 建国路街道 is in 昌吉市
    assert (found.code, found.certain) == ("652300000000", False)
    # a third name that sides with one of them settles it, still marked uncertain
    found = gazetteer.place("昌吉市建国路街道，玛纳斯县人")
    assert (found.code, found.certain) == ("652301004000", False)


def test_a_text_without_a_place_is_placed_nowhere(gazetteer):
    assert gazetteer.place("小区楼道灯不亮，物业不管").code is None
    assert gazetteer.place("").code is None


def test_an_administrators_alias_is_read_like_a_name():
    places = [
        Place("652300000000", "昌吉回族自治州", "prefecture"),
        Place("652301000000", "昌吉市", "county"),
        Place("652301004000", "建国路街道", "township"),
        Place("652301004012", "嘉顺社区居民委员会", "village"),
    ]
    plain = Gazetteer(places)
    assert plain.place("嘉顺小区3号楼").code is None
    named = Gazetteer(places, aliases={"652301004012": ["嘉顺小区"]})
    assert named.place("嘉顺小区3号楼").code == "652301004012"


def test_short_forms_drop_the_committee_and_the_word_of_the_kind():
    assert short_forms("嘉顺社区居民委员会", "village") == {"嘉顺社区居民委员会", "嘉顺社区"}
    assert short_forms("新戽村村委会", "village") == {"新戽村村委会", "新戽村"}
    assert "五工台" in short_forms("五工台镇", "township")
    assert "木垒" in short_forms("木垒哈萨克自治县", "county")
    assert "昌吉州" in short_forms("昌吉回族自治州", "prefecture")
    assert all(len(f) >= 2 for f in short_forms("东乡", "township"))


def test_a_code_names_its_ancestors():
    assert ancestors("652301004012") == [
        "650000000000",
        "652300000000",
        "652301000000",
        "652301004000",
        "652301004012",
    ]
    assert ancestors("652301000000")[-1] == "652301000000"
