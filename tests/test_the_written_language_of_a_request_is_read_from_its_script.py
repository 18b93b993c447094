"""Intake reads the language of a request from its script (`tickets.scripts`). Measured on
messages written for the purpose in Chinese, Uyghur and Kazakh (tests/data/, and
docs/dispatch.md): no request in another language may pass for Chinese, since only Chinese
ones go to the model."""

import csv
from pathlib import Path

import pytest

from jiceng.tickets.scripts import CHINESE, KAZAKH, OTHER, UYGHUR, language_of, read

DATA = Path(__file__).parent / "data"


def samples(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", ["written_languages.csv", "written_languages_holdout.csv"])
def test_no_request_in_another_language_passes_for_chinese(name):
    rows = samples(name)
    assert len(rows) >= 30 and {r["language"] for r in rows} >= {CHINESE, UYGHUR, KAZAKH}
    for row in rows:
        said = language_of(row["text"])
        assert (said == CHINESE) == (row["language"] == CHINESE), row


@pytest.mark.parametrize("name", ["written_languages.csv", "written_languages_holdout.csv"])
def test_uyghur_and_kazakh_are_told_apart_in_nine_of_ten(name):
    rows = samples(name)
    for language in (UYGHUR, KAZAKH):
        mine = [r for r in rows if r["language"] == language]
        right = sum(language_of(r["text"]) == language for r in mine)
        assert right / len(mine) >= 0.9, (language, right, len(mine))
        # when wrong, it is never the other language with certainty on a long message
        for r in mine:
            if language_of(r["text"]) not in (language, OTHER):
                assert len(r["text"]) < 40, r


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("小区WiFi信号太差", CHINESE),
        ("12345", CHINESE),  # nothing to read: Chinese, as the hotline's default
        ("", CHINESE),
        ("ئىسسىق سۇ يوق", UYGHUR),
        ("ٴبىزدىڭ اۋىلدا سۋ جوق", KAZAKH),
        ("Ауылымызда су жоқ", KAZAKH),
        ("sizning mehellide su yoq", OTHER),
        ("大西渠镇 دىكى يولدا ئورەك بار، ئۆتكەندە ماشىنام بۇزۇلدى.", UYGHUR),
    ],
)
def test_examples(text, language):
    assert language_of(text) == language


def test_the_reading_says_why():
    reading = read("ٴبىزدىڭ اۋىلدا ٴۇش كۇننەن بەرى سۋ جوق")
    assert reading.script == "arabic" and reading.kazakh_marks >= 2 and reading.uyghur_marks == 0
