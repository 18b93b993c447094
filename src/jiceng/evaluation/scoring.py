"""Scores of a star scheme: pure functions over plain numbers. No Django import.

Each indicator value is normalised to 0–100 (linear between `low` and `high`, clipped; turned
round when lower is better), weighted, and summed. An indicator without a value for a subject
is, by the scheme's policy, either left out with the other weights scaled to sum to 1
("rescale", the default) or scored 0 ("zero"); the derivation says which. Stars come
from thresholds (default 90/80/70/60 for 5/4/3/2 stars, else 1).
"""

from dataclasses import dataclass, field


def normalise(value: float, low: float, high: float, higher_is_better: bool = True) -> float:
    if high == low:
        raise ValueError("归一化区间的上下限不能相同")
    share = (value - low) / (high - low)
    share = min(1.0, max(0.0, share))
    return round(100 * (share if higher_is_better else 1 - share), 2)


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    weight: float
    raw: float | None
    normalised: float | None
    source: str = ""


@dataclass
class Scored:
    total: float | None
    parts: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


MISSING_POLICIES = {
    "rescale": "缺数据的指标不计分，其余指标按权重比例折算",
    "zero": "缺数据的指标按 0 分计",
}


def weighted(parts: list[Part], missing: str = "rescale") -> Scored:
    if missing not in MISSING_POLICIES:
        raise ValueError(f"unknown missing-value policy: {missing}")
    if missing == "zero" and any(p.normalised is not None for p in parts):
        # Only a subject with some data is scored; one with none stays unranked.
        parts = [
            p
            if p.normalised is not None
            else Part(p.code, p.name, p.weight, None, 0.0, "无数据，按 0 分计")
            for p in parts
        ]
    present = [p for p in parts if p.normalised is not None and p.weight > 0]
    weight_sum = sum(p.weight for p in present)
    result = Scored(
        total=None, missing=[p.name for p in parts if p.normalised is None or p.raw is None]
    )
    for p in parts:
        effective = p.weight / weight_sum if (p in present and weight_sum) else 0.0
        result.parts.append(
            {
                "code": p.code,
                "name": p.name,
                "weight": p.weight,
                "raw": p.raw,
                "normalised": p.normalised,
                "effective_weight": round(effective, 4),
                "contribution": round(effective * p.normalised, 2) if p in present else None,
                "source": p.source,
            }
        )
    if weight_sum:
        result.total = round(sum(p.weight * p.normalised for p in present) / weight_sum, 2)
    return result


def stars(
    score: float | None, thresholds: tuple[float, float, float, float] = (90, 80, 70, 60)
) -> int:
    """5 stars at or above the first threshold, 4 at the second, and so on; else 1."""
    if score is None:
        return 0
    for n, line in zip((5, 4, 3, 2), thresholds, strict=True):
        if score >= line:
            return n
    return 1
