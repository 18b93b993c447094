"""Scores of a star scheme: pure functions over plain numbers. No Django import.

Each indicator value is normalised to 0–100 (linear between `low` and `high`, clipped; turned
round when lower is better), weighted, and summed. An indicator without a value for a subject
is left out and the other weights are scaled to sum to 1, and the derivation says so. Stars come
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


def weighted(parts: list[Part]) -> Scored:
    present = [p for p in parts if p.normalised is not None and p.weight > 0]
    weight_sum = sum(p.weight for p in present)
    result = Scored(total=None, missing=[p.name for p in parts if p.normalised is None])
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
