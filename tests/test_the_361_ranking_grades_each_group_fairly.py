"""The pure 361 function: quotas by round-half-up, ties never split and given the better grade,
vetoes always 差, small groups without forced 差, and no higher score ever graded worse."""

import random

import pytest

from jiceng.evaluation.ranking import EXCELLENT, GOOD, POOR, Entry, Rules361, quota, rank361


def grades(scores, **rules):
    entries = [Entry(f"村{i:02d}", s) for i, s in enumerate(scores)]
    return [g.grade for g in rank361(entries, Rules361(**rules))]


def test_quotas_round_half_up():
    assert [quota(0.3, n) for n in (1, 2, 5, 9, 10, 11, 15)] == [0, 1, 2, 3, 3, 3, 5]
    assert [quota(0.1, n) for n in (4, 5, 10, 14, 15, 25)] == [0, 1, 1, 1, 2, 3]


def test_ten_villages_three_excellent_one_poor():
    result = grades([95, 93, 91, 88, 85, 84, 80, 78, 75, 70])
    assert result == [EXCELLENT] * 3 + [GOOD] * 6 + [POOR]


@pytest.mark.parametrize(
    ("n", "excellent", "poor"),
    [(1, 0, 0), (2, 1, 0), (9, 3, 0), (10, 3, 1), (11, 3, 1)],
)
def test_group_sizes(n, excellent, poor):
    result = grades([90 - i for i in range(n)])  # all above the floor
    assert (result.count(EXCELLENT), result.count(POOR)) == (excellent, poor)


def test_a_tie_at_the_excellent_line_widens_excellent():
    result = grades([95, 93, 90, 90, 85, 84, 80, 78, 75, 70])
    assert result[:4] == [EXCELLENT] * 4 and result.count(EXCELLENT) == 4


def test_a_tie_at_the_poor_line_keeps_the_better_grade():
    result = grades([95, 93, 91, 88, 85, 84, 80, 78, 70, 70])
    assert result[-2:] == [GOOD, GOOD] and POOR not in result
    reasons = [
        g.reason
        for g in rank361(
            [Entry(f"村{i}", s) for i, s in enumerate([95, 93, 91, 88, 85, 84, 80, 78, 70, 70])]
        )
    ]
    assert "与差等线同分" in reasons[-1]


def test_ties_at_both_lines_at_once():
    result = grades([95, 93, 90, 90, 85, 84, 80, 78, 70, 70, 70])
    assert result.count(EXCELLENT) == 4 and result.count(POOR) == 0


def test_all_scores_equal_are_all_excellent():
    assert set(grades([80] * 12)) == {EXCELLENT}


def test_a_veto_is_poor_whatever_the_score_and_uses_the_poor_quota():
    entries = [Entry(f"村{i:02d}", 90 - i) for i in range(10)]
    entries[0] = Entry("村00", 99, veto=True)
    result = rank361(entries)
    assert result[0].grade == POOR and "一票否决" in result[0].reason
    assert [g.grade for g in result].count(POOR) == 1  # the veto filled the one 差 place
    assert [g.grade for g in result[1:4]] == [EXCELLENT] * 3


def test_small_groups_are_poor_only_by_veto_or_floor():
    assert grades([95, 80, 61]) == [EXCELLENT, GOOD, GOOD]
    assert grades([95, 80, 59.5]) == [EXCELLENT, GOOD, POOR]
    assert grades([95, 80, 59.5], floor=50) == [EXCELLENT, GOOD, GOOD]
    assert grades([95, 80, 70], min_group=3) == [EXCELLENT, GOOD, GOOD]  # quota 0.3 → 0 差


def test_groups_are_ranked_apart():
    entries = [Entry(f"甲{i}", 90 - i, group="昌吉市") for i in range(10)] + [
        Entry(f"乙{i}", 60 + i, group="玛纳斯县") for i in range(10)
    ]
    result = rank361(entries)
    assert {g.group for g in result if g.grade == EXCELLENT} == {"昌吉市", "玛纳斯县"}
    assert [g.rank for g in result[:3]] == [1, 2, 3]


def test_equal_scores_share_a_rank():
    result = rank361([Entry("a", 90), Entry("b", 85), Entry("c", 85), Entry("d", 80)])
    assert [g.rank for g in result] == [1, 2, 2, 4]


@pytest.mark.parametrize("seed", range(200))
def test_a_higher_score_never_gets_a_worse_grade(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    scores = [rng.choice([rng.randint(40, 100), 70, 80, 90]) for _ in range(n)]
    rules = Rules361(min_group=rng.choice([1, 5, 10, 20]), floor=rng.choice([0, 60, 75]))
    result = rank361([Entry(f"u{i}", s) for i, s in enumerate(scores)], rules)
    order = {EXCELLENT: 2, GOOD: 1, POOR: 0}
    for a in result:
        for b in result:
            if a.score > b.score:
                assert order[a.grade] >= order[b.grade], (scores, a, b)
            if a.score == b.score:
                assert a.grade == b.grade
    forced = n >= rules.min_group
    assert sum(g.grade == EXCELLENT for g in result) >= min(quota(0.3, n), n)
    if forced:
        assert sum(g.grade == POOR for g in result) <= quota(0.1, n)


def test_bad_rules_are_refused():
    with pytest.raises(ValueError):
        Rules361(excellent_share=0.8, poor_share=0.3)
