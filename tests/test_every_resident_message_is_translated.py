"""Every string marked for translation has a real Uyghur and Kazakh translation in the
catalogs: none is missing, empty, fuzzy, left in Chinese or short of a placeholder. The
strings are read from the sources themselves (templates and Python), so a new marked string
without a translation fails here, before a resident meets it in Chinese.

Strings marked with the context "staff" are exempt: staff pages stay in Chinese for now."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.utils.translation import templatize

import jiceng

PACKAGE = Path(jiceng.__file__).parent
CATALOGS = {"ug": "ug", "kk-arab": "kk_Arab"}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
KEYWORDS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext"}


def catalog(language: str):
    path = PACKAGE / "locale" / CATALOGS[language] / "LC_MESSAGES" / "django.po"
    with path.open("rb") as f:
        return read_po(f)


def _from_python(source: bytes):
    for _line, func, message, _comments in extract_python(io.BytesIO(source), KEYWORDS, [], {}):
        if isinstance(message, tuple):
            if func.startswith("pgettext"):
                yield message[0], message[1]
            else:
                yield None, message[0]
        else:
            yield None, message


def marked_strings() -> set[tuple[str | None, str]]:
    """(context, message) of every marked resident string in the package."""
    return {(ctx, msg) for ctx, msg in all_marked() if ctx != "staff"}


def all_marked() -> set[tuple[str | None, str]]:
    """(context, message) of every marked string in the package, staff ones too."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found.update(_from_python(path.read_bytes()))
    for path in PACKAGE.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if "{% load" not in text or "i18n" not in text:
            continue
        found.update(_from_python(templatize(text, origin=str(path)).encode()))
    return {(ctx, msg) for ctx, msg in found if msg}


def test_the_sources_mark_the_resident_pages(db):
    marked = {msg for _ctx, msg in marked_strings()}
    assert {"我要反映", "提交诉求", "查询码", "已受理", "满意", "投票"} <= marked
    assert len(marked) > 100


@pytest.mark.parametrize("language", ["ug", "kk-arab"])
def test_every_marked_string_is_in_the_catalog(language):
    known = {(m.context, m.id) for m in catalog(language) if m.id}
    missing = sorted(msg for ctx, msg in marked_strings() - known)
    assert not missing, f"not in the {language} catalog (make messages, then translate): {missing}"


def problems_in(po) -> list[str]:
    problems = []
    for message in po:
        if not message.id or message.context == "staff":
            continue
        text = message.string
        if not text:
            problems.append(f"empty: {message.id}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {message.id}")
        elif HAN.search(text):
            problems.append(f"Chinese left: {message.id} → {text}")
        elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(message.id)):
            problems.append(f"placeholders differ: {message.id} → {text}")
    return problems


@pytest.mark.parametrize("language", ["ug", "kk-arab"])
def test_every_translation_is_real(language):
    problems = problems_in(catalog(language))
    assert not problems, problems


def test_an_empty_a_chinese_and_a_broken_translation_are_each_caught():
    po = catalog("kk-arab")
    messages = [m for m in po if m.id and "%(" not in m.id]
    messages[0].string = ""
    messages[1].string = messages[1].id
    with_placeholder = next(m for m in po if m.id and "%(" in m.id)
    with_placeholder.string = PLACEHOLDER.sub("", with_placeholder.string)
    problems = problems_in(po)
    assert len(problems) == 3
    assert problems_in(catalog("kk-arab")) == []


def test_staff_pages_are_marked_for_a_later_catalog_and_stay_chinese_until_then():
    staff = {msg for ctx, msg in all_marked() if ctx == "staff"}
    assert len(staff) > 500 and {"工单", "搜索", "三率排名（%(period_label)s）"} <= staff
    for language in CATALOGS:
        entries = [m for m in catalog(language) if m.context == "staff"]
        assert {m.id for m in entries} >= staff  # in the catalogs, ready to translate
        assert not [m.id for m in entries if m.string]  # none half-translated
