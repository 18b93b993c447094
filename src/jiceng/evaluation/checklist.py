"""五个好: which dimensions are 好, the grade, and the weak items. Pure: no Django import."""

from dataclasses import dataclass

GRADES = ["零个好", "一个好", "两个好", "三个好", "四个好", "五个好"]
WEAK_SHARE = 0.6  # an item scored below 60 % of its points goes on the 整改清单


@dataclass(frozen=True)
class ItemScore:
    item_id: int
    dimension: str
    points: float
    score: float


def grade(scores: list[ItemScore], thresholds: dict[str, float]) -> dict:
    """{"dimensions": [{name, score, threshold, good}], "good": n, "grade": "三个好", "weak": [ids]}"""
    totals = {name: 0.0 for name in thresholds}
    for s in scores:
        totals[s.dimension] = totals.get(s.dimension, 0.0) + s.score
    dimensions = [
        {
            "name": name,
            "score": round(totals[name], 2),
            "threshold": thresholds[name],
            "good": totals[name] >= thresholds[name],
        }
        for name in thresholds
    ]
    good = sum(d["good"] for d in dimensions)
    weak = [s.item_id for s in scores if s.points and s.score < WEAK_SHARE * s.points]
    # a dimension that is not 好 always has something to put right: when none of its items
    # is below the weak share, its lowest-scoring item goes on the list (the grade and the
    # 整改清单 never contradict each other)
    for d in dimensions:
        if d["good"]:
            continue
        own = [s for s in scores if s.dimension == d["name"] and s.points]
        if own and not any(s.item_id in weak for s in own):
            weak.append(min(own, key=lambda s: (s.score / s.points, s.item_id)).item_id)
    return {"dimensions": dimensions, "good": good, "grade": GRADES[min(good, 5)], "weak": weak}
