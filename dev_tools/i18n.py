"""The catalogs (DESIGN.md §14): extract the Japanese source texts, update each language's .po,
compile the .mo files. `./dev i18n` runs all three; `./dev test` and `./dev demo` compile.

The bot's wording lives as plain constants in message modules (one per flow), so the
extractor reads those constants rather than `_()` calls: a message added to a module is in the
catalog at the next extract, and a test fails until every language translates it.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ja_easy", "en", "zh_Hans", "vi", "pt_BR", "es", "tl")  # ja is the source
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
# Message modules whose texts users read; staff-facing wording (console, staff alerts,
# staff_messages) stays Japanese and is not in the catalogs.
MESSAGE_MODULES = (
    "dialogs/messages.py",
    "dialogs/flows/*_messages.py",
    "dialogs/flows/labels.py",
    "dialogs/notify/user_notices.py",
    "dialogs/notify/reminders.py",
    "booking/messages.py",
    "web/profile_words.py",
    "web/profile_checks.py",
    "web/ics.py",
)
STAFF_ONLY_MODULES = {"dialogs/flows/staff_messages.py"}
# Constants that are not wording users read: typed words, staff-only lines, codes.
SKIPPED = re.compile(r"^(STAFF_|KIND_)|_WORDS$|^(CONSOLE_LABEL|NAME_UNKNOWN|WEEKDAYS_JA|"
                     r"DEADLINE_LINES_MAX)$")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


def message_files() -> list[Path]:
    """The message modules, sorted, without the staff-only ones."""
    found = {p for pattern in MESSAGE_MODULES for p in ROOT.glob(pattern)}
    return sorted(p for p in found if p.relative_to(ROOT).as_posix() not in STAFF_ONLY_MODULES)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if JAPANESE.search(value):
            yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def module_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(constant name, text) for each user-facing text of a message module, as imported."""
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    module = importlib.import_module(name)
    for attr, value in vars(module).items():
        if attr.isupper() and not SKIPPED.search(attr):
            for text in _texts(value):
                yield attr, text


def source_texts() -> dict[str, list[str]]:
    """Every source text of the catalogs → where it comes from ("dialogs/messages.py:HELP")."""
    out: dict[str, list[str]] = {}
    for path in message_files():
        where = path.relative_to(ROOT).as_posix()
        for attr, text in module_texts(path):
            out.setdefault(text, []).append(f"{where}:{attr}")
    return out


def extract_constants(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                      options: dict[str, Any]) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for message modules (babel.cfg): their constants' texts."""
    path = Path(getattr(fileobj, "name", "")).resolve()
    if path.relative_to(ROOT).as_posix() in STAFF_ONLY_MODULES:
        return
    source = path.read_text("utf-8")
    for attr, text in module_texts(path):
        match = re.search(rf"^{attr}\b", source, re.M)
        line = source.count("\n", 0, match.start()) + 1 if match else 1
        yield line, "", text, [attr]


def pybabel(*args: str) -> None:
    """Run one pybabel command in-process."""
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


def compile_catalogs() -> None:
    """.po → .mo for every language (fuzzy entries stay out)."""
    pybabel("compile", "-d", str(LOCALES), "-D", "messages")


def main(argv: list[str]) -> int:
    """`extract` (source → .pot, then update every .po), `compile`, or both by default."""
    steps = argv or ["extract", "compile"]
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)  # paths in the catalogs relative to the project
    if "extract" in steps:
        pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-o", str(POT), "--no-wrap",
                "--sort-by-file", "--project", "madoguchi", "--omit-header", ".")
        for code in LANGUAGES:
            if not (LOCALES / code / "LC_MESSAGES" / "messages.po").exists():
                pybabel("init", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "-l", code,
                        "--no-wrap")
        pybabel("update", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "--no-wrap",
                "--ignore-obsolete", "--no-fuzzy-matching")
    if "compile" in steps:
        compile_catalogs()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
