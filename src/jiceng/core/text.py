"""Small pure text helpers. No Django import."""

import re

# C0 control characters other than tab, line feed and carriage return, and DEL: XML 1.0
# forbids most of them, and no resident means to type one.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Text as it may be stored and published: no control characters, no lone surrogates."""
    return _SURROGATES.sub("", _CONTROLS.sub("", value or ""))


def has_nul(value: str) -> bool:
    return "\x00" in (value or "")


def is_clean(value: str) -> bool:
    return not _CONTROLS.search(value or "") and not _SURROGATES.search(value or "")


def mask_phone(phone: str) -> str:
    """138******** for a mobile number: the carrier prefix only.

    The last 4 digits are what a resident types to follow their request at /track/, so a
    masked number shows none of them (the familiar 138****1234 would hand them to every member
    of staff). Other numbers keep at most their first four characters (an area code).
    """
    phone = (phone or "").strip()
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "*" * 8
    keep = min(4, max(len(phone) - 4, 0))
    return phone[:keep] + "*" * (len(phone) - keep)


_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_phones(text: str) -> str:
    """Every mobile number inside a text masked as `mask_phone` does. Residents write their
    number into the request; staff pages show it masked, so nothing staff see completes the
    tracking check (the full number is one logged click away)."""
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text or "")


# The largest id a database holds (a 64-bit signed integer): a longer number in an address or a
# form is no id at all, and reaching the database with it would be an OverflowError (a 500).
MAX_ID = 2**63 - 1


def is_id(value: str) -> bool:
    """Whether `value` (a path segment, a query or form value) is a possible row id."""
    value = (value or "").strip()
    return value.isdigit() and value.isascii() and int(value) <= MAX_ID


class IdConverter:
    """`<id:…>`: Django's `<int:…>` path converter bounded by `MAX_ID`, so a longer number is
    not found (404), never a database error. Registered in `urls.py`, used for every id."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        if not is_id(value):
            raise ValueError(value)
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def initials(name: str) -> str:
    """The pinyin initials of a name, for pickers searched by them: 昌吉市住建局 → cjszjj.
    Letters and digits in the name are kept (lower-cased); other characters are dropped."""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a run of letters of an alphabetic script


def long_enough(text: str, han: int = 5, words: int = 3) -> bool:
    """Whether a request says enough to act on, counted per script: Han characters one by
    one (5: 路灯不亮了), alphabetic scripts by words (3: ئىسسىق سۇ يوق, no hot water). Ten letters
    of Uyghur or Kazakh are one or two words; ten Han characters are a sentence."""
    text = text or ""
    han_count = len(_HAN.findall(text))
    word_count = len(_WORD.findall(_HAN.sub(" ", text)))
    return han_count >= han or word_count >= words
