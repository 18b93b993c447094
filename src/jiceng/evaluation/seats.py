"""Who takes the seats of a selection: the pure rule, with how a tie at the last seat is
resolved. No Django import.

The nominees with the most votes take the seats. When nominees with equal votes compete for
the last seats, none of them is elected by the count alone: the tie is resolved by a run-off
vote among the tied (the run-off's count decides, and a tie in the run-off stays a tie), or by
an assessor's decision recorded with its reason. Until then the outcome lists them as tied,
and the selection cannot go to its 公示. Never more people than seats.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    id: int
    votes: int
    runoff_votes: int = 0
    decided: bool | None = None  # an assessor's decision at a tie: chosen, or not


@dataclass(frozen=True)
class Outcome:
    elected: list[int]
    tied: list[int] = field(default_factory=list)  # competing for `open_seats`, unresolved
    open_seats: int = 0
    how: str = ""

    @property
    def resolved(self) -> bool:
        return not self.tied


def outcome(candidates: list[Candidate], seats: int, *, runoff_held: bool = False) -> Outcome:
    ranked = sorted((c for c in candidates if c.votes > 0), key=lambda c: (-c.votes, c.id))
    if len(ranked) <= seats:
        return Outcome([c.id for c in ranked], how="得票的人选均当选")
    line = ranked[seats - 1].votes
    elected = [c for c in ranked if c.votes > line]
    at_line = [c for c in ranked if c.votes == line]
    left = seats - len(elected)
    if len(at_line) == left:
        return Outcome([c.id for c in elected + at_line], how="按得票多少当选")
    how = f"第 {len(elected) + 1} 至 {seats} 个名额有 {len(at_line)} 人同为 {line} 票"
    if runoff_held:
        by_runoff = sorted(at_line, key=lambda c: (-c.runoff_votes, c.id))
        runoff_line = by_runoff[left - 1].runoff_votes
        ahead = [c for c in at_line if c.runoff_votes > runoff_line]
        even = [c for c in at_line if c.runoff_votes == runoff_line]
        if len(even) == left - len(ahead):
            return Outcome([c.id for c in elected + ahead + even], how=f"{how}，加试投票决定")
        elected, at_line, left = elected + ahead, even, left - len(ahead)
        how = f"{how}，加试投票后仍有 {len(even)} 人同为 {runoff_line} 票"
    chosen = [c for c in at_line if c.decided]
    if len(chosen) == left:
        return Outcome([c.id for c in elected + chosen], how=f"{how}，考评员裁定")
    return Outcome([c.id for c in elected], [c.id for c in at_line], left, f"{how}，待定")
