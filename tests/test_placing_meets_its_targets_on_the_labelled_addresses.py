"""Issue 27's measure of placing: on the labelled set of at least 300 address strings
(tests/data/placing/), fewer than 1 % are placed wrong and at least 90 % at the right township
or deeper. docs/placing.md has the figures, from `python bench/placing.py`."""

from pathlib import Path

from jiceng.regions.figures import outcome, read_set, score, table_gazetteer

SET = Path(__file__).parent / "data" / "placing" / "addresses.csv"


def test_the_set_holds_at_least_300_labelled_strings_of_every_shape():
    rows = read_set(SET)
    assert len(rows) >= 300
    assert {r["shape"] for r in rows} >= {"full", "village_only", "shared_name", "no_place"}


def test_fewer_than_one_in_a_hundred_is_placed_wrong_and_nine_in_ten_reach_the_township():
    figures = score(table_gazetteer(), read_set(SET))
    assert figures.share("wrong") < 0.01, figures.wrong
    assert figures.share("township") >= 0.90, figures.counts


def test_a_place_off_the_true_chain_counts_as_wrong_and_one_above_as_too_high():
    village = "652301004012"  # 嘉顺社区
    assert outcome("652301004001", village) == {"wrong"}  # 建国社区, next door
    assert outcome("652301004000", village) == {"township", "county", "too_high"}
    assert outcome(village, village) == {"village", "township", "county"}
    assert outcome(None, village) == {"none"}
