"""The `jiceng` command: Django's manage.py, plus our own commands.

Our commands are named with hyphens on the command line (`jiceng import-regions`) and with
underscores as Python modules (`import_regions.py`); both spellings work.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jiceng"
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")

    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
