"""The "361" ranking (PRODUCT.md, "361 ranking"): a pure function over plain data.

No Django import. Within each group, entries are ranked by score; the top share are 优秀, the
bottom share 差 and the rest 良好, under these rules, all of them data (`Rules361`):

- quotas are round-half-up(share × n) of the whole group;
- ties are never split: equal scores get the same grade, the better one, so a tie across a
  quota line widens the better grade;
- a vetoed entry (一票否决) is 差 whatever its score, and counts against the 差 quota;
- a group smaller than `min_group` is not forced to have any 差: there 差 comes only from a
  veto or from a score below `floor`.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EXCELLENT, GOOD, POOR = "优秀", "良好", "差"


@dataclass(frozen=True)
class Rules361:
    excellent_share: float = 0.30
    poor_share: float = 0.10
    min_group: int = 10
    floor: float = 60.0

    def __post_init__(self):
        if not (0 <= self.excellent_share <= 1 and 0 <= self.poor_share <= 1):
            raise ValueError("比例应在 0 到 1 之间")
        if self.excellent_share + self.poor_share > 1:
            raise ValueError("优秀与差的比例之和不能超过 100%")
        if self.min_group < 1:
            raise ValueError("强制评差的最小组规模至少为 1")

    def describe(self) -> str:
        return (
            f"每组前 {self.excellent_share:.0%} 为优秀、后 {self.poor_share:.0%} 为差（人数四舍五入）；"
            f"同分不拆分，取较好等次；一票否决者为差；不足 {self.min_group} 个的组不强制评差，"
            f"仅一票否决或低于 {self.floor:g} 分者为差"
        )


@dataclass(frozen=True)
class Entry:
    name: str
    score: float
    group: str = ""
    veto: bool = False


@dataclass(frozen=True)
class Graded:
    name: str
    group: str
    score: float
    rank: int
    grade: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "group": self.group,
            "score": self.score,
            "rank": self.rank,
            "grade": self.grade,
            "reason": self.reason,
        }


def quota(share: float, n: int) -> int:
    """round-half-up(share × n): 0.5 rounds up, as county offices count."""
    return int((Decimal(str(share)) * n).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rank361(entries: list[Entry], rules: Rules361 | None = None) -> list[Graded]:
    """Grades for every entry, in the order given."""
    rules = rules or Rules361()
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[entry.group].append(entry)
    graded: dict[tuple[str, str], Graded] = {}
    for group, members in groups.items():
        for g in _grade_group(group, members, rules):
            graded[(g.group, g.name)] = g
    return [graded[(e.group, e.name)] for e in entries]


def _grade_group(group: str, members: list[Entry], rules: Rules361) -> list[Graded]:
    n = len(members)
    ordered = sorted(members, key=lambda e: -e.score)
    rank_of: dict[str, int] = {}
    for i, e in enumerate(ordered):
        same = i > 0 and e.score == ordered[i - 1].score
        rank_of[e.name] = rank_of[ordered[i - 1].name] if same else i + 1
    candidates = [e.score for e in ordered if not e.veto]  # best first
    vetoed = n - len(candidates)
    forced = n >= rules.min_group
    top = min(quota(rules.excellent_share, n), len(candidates))
    poor_quota = quota(rules.poor_share, n)
    bottom = max(0, poor_quota - vetoed) if forced else 0

    # 优秀: scores at or above the top-th best; a tie across the line is 优秀 as a whole.
    excellent_line = candidates[top - 1] if top > 0 else None
    # 差 by quota: the `bottom` worst, unless the tie at the line reaches above the quota,
    # in which case the whole tie keeps the better grade.
    poor_line = straddled = None
    if bottom > 0:
        worst_first = candidates[::-1]
        at_line = worst_first[min(bottom, len(worst_first)) - 1]
        if sum(1 for s in candidates if s <= at_line) <= bottom:
            poor_line = at_line
        else:
            straddled = at_line
            poor_line = max((s for s in candidates if s < at_line), default=None)

    out = []
    for e in members:
        rank = rank_of[e.name]
        where = f"组内第 {rank}/{n} 名"
        if e.veto:
            grade, reason = POOR, f"{where}；一票否决，评为差"
        elif excellent_line is not None and e.score >= excellent_line:
            grade, reason = EXCELLENT, f"{where}；在前 {rules.excellent_share:.0%}（{top} 个）之内"
            if sum(1 for s in candidates if s >= e.score) > top:
                reason += "；与优秀线同分，并列取较好等次"
        elif poor_line is not None and e.score <= poor_line:
            grade = POOR
            reason = f"{where}；在后 {rules.poor_share:.0%}（{poor_quota} 个"
            reason += f"，含一票否决 {vetoed} 个）之内" if vetoed else "）之内"
        elif not forced and e.score < rules.floor:
            grade = POOR
            reason = (
                f"{where}；组内不足 {rules.min_group} 个，不强制评差，但得分低于 {rules.floor:g} 分"
            )
        else:
            grade, reason = GOOD, where
            if straddled is not None and e.score == straddled:
                reason += "；与差等线同分，并列取较好等次"
            elif not forced:
                reason += f"；组内不足 {rules.min_group} 个，不强制评差"
        out.append(Graded(e.name, group, e.score, rank, grade, reason))
    return out
