"""Where a request is, read from its words: the deepest place of 昌吉州 an address or a
description names ("昌吉市建国路街道嘉顺社区5号楼" → 嘉顺社区).

Pure: no Django import. A `Gazetteer` is built from the places (code, name, level) and the
aliases an administrator adds; `place(text)` finds every name the text holds in one pass
(Aho-Corasick, pyahocorasick), keeps the longest name at each position, and chooses the
deepest place the names agree on. A name that several places share (the two 新戽村) is settled
by the other names of the text (its county or township); where they do not settle it, the
answer stays at the last level that is certain, and says so.

Each place is known by its official name and by its short forms: 嘉顺社区居民委员会 is also
嘉顺社区, 新戽村村委会 is also 新戽村, 五工台镇 is also 五工台 and 呼图壁县 also 呼图壁. A
short form under two characters is never used: it would match ordinary words.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

# the committee an official name ends in, which people leave out (社区 and 村 they keep)
ENDINGS = (
    "居民委员会",
    "村民委员会",
    "村民委员",  # NBS cuts a few names short (凉州户村村民委员)
    "村委会",
    "居委会",
    "委员会",
    "街道办事处",
    "办事处",
)
# what people call a village or community whose official name is only its committee's:
# 雀仁村委会 is 雀仁村, 北门居委会 is 北门社区
SPOKEN = {
    "村民委员会": "村",
    "村民委员": "村",
    "村委会": "村",
    "居民委员会": "社区",
    "居委会": "社区",
}
# what is left of a township's, county's or prefecture's name without the word of its kind
DROPPED = {
    "township": ("街道", "镇", "乡"),
    "county": ("哈萨克自治县", "回族自治县", "县", "市"),
    "prefecture": ("回族自治州",),
}
MIN_ALIAS = 2


@dataclass(frozen=True)
class Place:
    code: str  # the 12-digit statistical code: its ancestors are its prefixes
    name: str
    level: str


@dataclass(frozen=True)
class Placement:
    """Where the text puts the request. `code` is None when it names no place; `certain` is
    False when a name was shared by places the text did not tell apart (the answer is then
    their common ancestor), or when its names disagree (one is left out)."""

    code: str | None
    level: str | None
    certain: bool
    names: tuple[str, ...]  # the names read, in the order of the text


NOWHERE = Placement(None, None, False, ())


def ancestors(code: str) -> list[str]:
    """The codes of a place and the places above it, from the province down."""
    cuts = (2, 4, 6, 9, 12)
    chain = [code[:n].ljust(12, "0") for n in cuts]
    out: list[str] = []
    for c in chain:
        if c not in out:
            out.append(c)
        if c == code:
            break
    return out


def short_forms(name: str, level: str) -> set[str]:
    """The official name and the forms people write it in: 嘉顺社区居民委员会 → 嘉顺社区,
    新戽村村委会 → 新戽村, 雀仁村委会 → 雀仁村 and 雀仁, 五工台镇 → 五工台, 呼图壁县 → 呼图壁,
    昌吉回族自治州 → 昌吉州."""
    forms = {name}
    core = name
    for ending in ENDINGS:
        if core.endswith(ending) and len(core) - len(ending) >= MIN_ALIAS:
            core = core[: -len(ending)]
            spoken = SPOKEN.get(ending, "")
            if level == "village" and spoken and not core.endswith(("村", "社区")):
                forms.add(core + spoken)
            break
    forms.add(core)
    for word in DROPPED.get(level, ()):
        if core.endswith(word) and len(core) - len(word) >= MIN_ALIAS:
            rest = core[: -len(word)]
            forms.add(rest + "州" if level == "prefecture" else rest)
            break
    return {f for f in forms if len(f) >= MIN_ALIAS}


class Gazetteer:
    def __init__(self, places: Iterable[Place], aliases: dict[str, Iterable[str]] | None = None):
        """`aliases`: code → extra names an administrator gave the place."""
        self.places = {p.code: p for p in places}
        names: dict[str, set[str]] = {}
        for place in self.places.values():
            for form in short_forms(place.name, place.level):
                names.setdefault(form, set()).add(place.code)
        for code, extra in (aliases or {}).items():
            if code in self.places:
                for form in extra:
                    if len(form.strip()) >= MIN_ALIAS:
                        names.setdefault(form.strip(), set()).add(code)
        self.automaton = ahocorasick.Automaton()
        for form, codes in names.items():
            self.automaton.add_word(form, (form, frozenset(codes)))
        if names:
            self.automaton.make_automaton()
        self.size = len(names)

    def mentions(self, text: str) -> list[tuple[str, frozenset[str]]]:
        """The names in `text`, longest first where names overlap, in the order of the text."""
        if not self.size or not text:
            return []
        found = []
        for end, (form, codes) in self.automaton.iter(text):
            found.append((end - len(form) + 1, end, form, codes))
        # leftmost-longest, without overlaps: 昌吉回族自治州 holds 昌吉, which is not 昌吉市 here
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        chosen, reached = [], -1
        for start, end, form, codes in found:
            if start > reached:
                chosen.append((form, codes))
                reached = end
        return chosen

    def place(self, text: str, within: str | None = None) -> Placement:
        """The deepest place `text` names; with `within` (a code), only places inside that
        one count, so a name shared with a place elsewhere is settled by where the request
        is already known to be."""
        mentions = self.mentions(text)
        if not mentions:
            return NOWHERE
        names = tuple(form for form, _ in mentions)
        candidates = {code for _, codes in mentions for code in codes}
        if within is not None:
            candidates = {c for c in candidates if within in ancestors(c)}
            if not candidates:
                return Placement(None, None, False, names)

        def support(code: str) -> int:
            chain = set(ancestors(code))
            return sum(1 for _, codes in mentions if codes & chain)

        best = max(support(c) for c in candidates)
        top = [c for c in candidates if support(c) == best]
        agreed = best == len(mentions)
        if len(top) == 1:
            code = top[0]
            return Placement(code, self.places[code].level, agreed, names)
        # names the text does not tell apart (the two 新戽村; 呼图壁, the county and its town):
        # their last common place. It is certain when the text names it (呼图壁 is surely in
        # 呼图壁县), and not when it is only above them (the county of the two 新戽村).
        chains = [ancestors(c) for c in top]
        common = [c for c in chains[0] if all(c in chain for chain in chains[1:])]
        known = [c for c in common if c in self.places]
        if not known:
            return Placement(None, None, False, names)
        code = known[-1]
        return Placement(code, self.places[code].level, agreed and code in top, names)
