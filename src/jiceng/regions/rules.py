"""Pure rules of the official division codes (统计用区划代码). No Django import."""

import re

LEVELS = ("province", "prefecture", "county", "township", "village")
PARENT_LEVEL = {
    "prefecture": "province",
    "county": "prefecture",
    "township": "county",
    "village": "township",
}
# How many leading digits of the 12-digit code a region of each level owns.
OWN_DIGITS = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}
SEGMENT_START = {"province": 0, "prefecture": 2, "county": 4, "township": 6, "village": 9}

CODE_RE = re.compile(r"^\d{12}$")


def normalize_code(code: str) -> str:
    """A code at its native length (2, 4, 6 or 9 digits) padded to the 12-digit form."""
    code = code.strip()
    if code.isdigit() and len(code) in (2, 4, 6, 9):
        return code.ljust(12, "0")
    return code


def code_problem(code: str, level: str) -> str | None:
    """Why `code` cannot be the code of a region at `level`, or None when it can."""
    if not CODE_RE.match(code):
        return f"区划代码“{code}”应为 12 位数字"
    if level not in OWN_DIGITS:
        return None
    own = OWN_DIGITS[level]
    if set(code[own:]) - {"0"}:
        return f"{level_label(level)}的区划代码第 {own + 1} 位起应全为 0，实为“{code}”"
    if set(code[SEGMENT_START[level] : own]) == {"0"}:
        return f"区划代码“{code}”本级部分全为 0，不是{level_label(level)}代码"
    return None


def parent_problem(code: str, level: str, parent_code: str, parent_level: str) -> str | None:
    """Why the region cannot sit under this parent, or None when it can."""
    expected = PARENT_LEVEL.get(level)
    if expected and parent_level != expected:
        return (
            f"上级“{parent_code}”是{level_label(parent_level)}，"
            f"{level_label(level)}的上级应为{level_label(expected)}"
        )
    if expected:
        digits = OWN_DIGITS[expected]
        if code[:digits] != parent_code[:digits]:
            return f"区划代码“{code}”的前 {digits} 位与上级代码“{parent_code}”不一致"
    return None


LEVEL_LABELS = {
    "province": "省级",
    "prefecture": "地级",
    "county": "县级",
    "township": "乡级",
    "village": "村级",
}


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


def township_kind(code: str, name: str, given: str = "") -> str:
    """街道/镇/乡/类似乡级单位: the name decides where it says so, then the NBS code rule."""
    if given in {"街道", "镇", "乡", "类似乡级单位"}:
        return given
    if name.endswith("街道") or name.endswith("街道办事处"):
        return "街道"
    serial = int(code[6:9])
    if serial < 100:
        return "街道"
    if serial < 200:
        return "镇"
    if serial < 400:
        return "乡"
    return "类似乡级单位"


def village_kind(code: str, name: str) -> str:
    """社区/村/类似村级单位: the name first (the code class is often wrong), then the code."""
    if name.endswith(("社区", "居委会", "居民委员会", "社区委员会")):
        return "社区"
    if name.endswith(("村", "村委会", "村民委员会")):
        return "村"
    serial = int(code[9:12])
    if serial < 200:
        return "社区"
    if serial < 400:
        return "村"
    return "类似村级单位"
