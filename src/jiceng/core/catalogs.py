"""Compile the translation catalogs (.po → .mo) that are missing or older than their source.

`make install` runs `python -m jiceng.core.catalogs`, so a fresh clone has the Uyghur and
Kazakh pages without Debian's gettext; the tests' conftest runs it too, so an edited .po is
never tested against a stale .mo. The .mo files are build output and never committed.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compile_stale(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every catalog whose .mo is missing or older than its .po; return those."""
    done = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        tmp.replace(mo)
        done.append(mo)
    return done


def tidy(locale_dir: Path = LOCALE_DIR, context: str = "staff") -> int:
    """After `makemessages`: clear the guesses msgmerge makes for strings of `context` (staff
    pages stay in Chinese until a staff catalog is written), so no half-translated staff
    string is ever shown. Returns how many entries were cleared."""
    cleared = 0
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        for message in catalog:
            if message.context == context and (message.string or message.fuzzy):
                message.string = ""
                message.flags.discard("fuzzy")
                message.previous_id = []
                cleared += 1
        with po.open("wb") as target:
            write_po(target, catalog, width=100, no_location=True)
    return cleared


if __name__ == "__main__":
    if sys.argv[1:] == ["tidy"]:
        print(f"cleared {tidy()} guessed staff entries", file=sys.stderr)
    for mo in compile_stale():
        print(f"compiled {mo.relative_to(LOCALE_DIR.parent)}", file=sys.stderr)
