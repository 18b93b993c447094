"""Which language a request is written in, read from its script: a pure function.

The model was trained on Chinese; a request in Uyghur or Kazakh gets meaningless categories
from it. Such a request goes to the 双语受理 queue instead, where a bilingual operator writes a
Chinese summary. Telling the scripts apart is exact (Unicode blocks). Telling Uyghur from
Kazakh, both in the Arabic script, rests on the letters only one of them writes:

- Uyghur writes a vowel at the start of a syllable after ئ (hamza on yeh), and has ې ۆ ۈ ھ,
  with غ and خ for ğ and x;
- Xinjiang's Kazakh marks a word of front vowels with a high hamza (ٴ, often typed as ء, or
  the joined forms ٵ ٶ ٷ ٸ), and writes ع and ح where Uyghur writes غ and خ.

Two word endings help when none of those letters is there: Uyghur's verbs end in -دۇ / -تۇ
(كېلىدۇ, ماڭالمايدۇ), and Kazakh writes ۋ at the end of a word (سۋ, ٴجۇرۋ) where Uyghur ends
in ۇ (سۇ).

Most sentences hold several of these. A short text of Arabic letters with none of them is
called Kazakh when it has enough letters that Uyghur would have shown an ئ, and left unknown
("other") otherwise; every language but Chinese goes to a person anyway. docs/dispatch.md
reports how often this is right on messages written in each language.
"""

import re
from dataclasses import dataclass

CHINESE, UYGHUR, KAZAKH, OTHER = "zh", "ug", "kk", "other"

UYGHUR_ONLY = frozenset("ئېۆۈھغخ")
KAZAKH_ONLY = frozenset("\u0621\u0674\u0675\u0676\u0677\u0678عح")
# a Han character carries about as much as a word of 3 letters in an alphabet
HAN_WEIGHT = 3
# letters after which a Uyghur text has, all but always, shown one of its own letters
SURE_LENGTH = 12
_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d5]+")


@dataclass(frozen=True)
class Reading:
    language: str  # zh, ug, kk or other
    script: str  # han, arabic, cyrillic, latin or none
    han: int
    arabic: int
    uyghur_marks: int
    kazakh_marks: int


HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
ARABIC_CHARS = "\u0621-\u064a\u0671-\u06d3\u06d5\u0674-\u0678\ufb50-\ufdff\ufe70-\ufeff"
_NOT = {
    "han": re.compile(f"[^{HAN_CHARS}]+"),
    "arabic": re.compile(f"[^{ARABIC_CHARS}]+"),
    "cyrillic": re.compile("[^\u0400-\u04ff]+"),
    "latin": re.compile("[^A-Za-z]+"),
    "uyghur": re.compile(f"[^{''.join(sorted(UYGHUR_ONLY))}]+"),
    "kazakh": re.compile(f"[^{''.join(sorted(KAZAKH_ONLY))}]+"),
}


def _count(kind: str, text: str) -> int:
    """How many characters of `kind` the text holds (the rest removed in C, not in a loop)."""
    return len(_NOT[kind].sub("", text))


def _endings(text: str) -> tuple[int, int]:
    """(Uyghur, Kazakh) word endings: -دۇ/-تۇ, and a final ۋ."""
    uy = kk = 0
    for word in _WORD.findall(text):
        uy += word.endswith(("دۇ", "تۇ"))
        kk += word.endswith("ۋ")
    return uy, kk


def read(text: str) -> Reading:
    text = text or ""
    han, arabic = _count("han", text), _count("arabic", text)
    cyrillic, latin = _count("cyrillic", text), _count("latin", text)
    uy = _count("uyghur", text) if arabic else 0
    kk = _count("kazakh", text) if arabic else 0
    weights = {"han": han * HAN_WEIGHT, "arabic": arabic, "cyrillic": cyrillic, "latin": latin}
    script = max(weights, key=weights.get)
    if weights[script] == 0:
        return Reading(CHINESE, "none", han, arabic, uy, kk)
    if script == "han":
        language = CHINESE
    elif script == "arabic":
        uy_end, kk_end = _endings(text)
        uy, kk = uy + uy_end, kk + kk_end
        if uy > kk:
            language = UYGHUR
        elif kk > uy or arabic >= SURE_LENGTH:
            language = KAZAKH
        else:
            language = OTHER
    elif script == "cyrillic":
        # Kazakh as written in Kazakhstan; Uyghur in Cyrillic is rare in Xinjiang
        language = KAZAKH if any(ch in "әғқңөұүһі" for ch in text.lower()) else OTHER
    else:
        language = OTHER
    return Reading(language, script, han, arabic, uy, kk)


def language_of(text: str) -> str:
    return read(text).language
