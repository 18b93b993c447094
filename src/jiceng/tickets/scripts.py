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


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def _is_arabic(ch: str) -> bool:
    o = ord(ch)
    return (
        (0x0621 <= o <= 0x064A)
        or (0x0671 <= o <= 0x06D3)
        or (0x06D5 <= o <= 0x06D5)
        or (0x0674 <= o <= 0x0678)
        or (0xFB50 <= o <= 0xFDFF)
        or (0xFE70 <= o <= 0xFEFF)
    )


def _is_cyrillic(ch: str) -> bool:
    return 0x0400 <= ord(ch) <= 0x04FF


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _endings(text: str) -> tuple[int, int]:
    """(Uyghur, Kazakh) word endings: -دۇ/-تۇ, and a final ۋ."""
    uy = kk = 0
    for word in _WORD.findall(text):
        uy += word.endswith(("دۇ", "تۇ"))
        kk += word.endswith("ۋ")
    return uy, kk


def read(text: str) -> Reading:
    han = arabic = cyrillic = latin = uy = kk = 0
    text = text or ""
    for ch in text:
        if _is_han(ch):
            han += 1
        elif _is_arabic(ch):
            arabic += 1
            uy += ch in UYGHUR_ONLY
            kk += ch in KAZAKH_ONLY
        elif _is_cyrillic(ch):
            cyrillic += 1
        elif _is_latin(ch):
            latin += 1
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
