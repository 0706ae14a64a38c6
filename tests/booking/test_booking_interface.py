"""The stable interface of DESIGN §9, and the promise that booking/ stays pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import booking

PACKAGE_DIR = Path(booking.__file__).parent
ALLOWED_THIRD_PARTY = {"holidays", "phonenumbers"}


def test_design_section_9_names_are_importable_from_booking() -> None:
    from booking import (  # noqa: F401
        JST,
        ParseError,
        is_open_day,
        parse_employer_number,
        parse_job_number,
        parse_jobseeker_number,
        parse_phone,
        parse_when,
        request_deadline,
        slot_starts,
    )

    assert JST == ZoneInfo("Asia/Tokyo")
    assert issubclass(ParseError, ValueError)
    assert set(booking.__all__) <= set(dir(booking))


def test_slot_starts_keeps_its_one_argument_form() -> None:
    assert len(booking.slot_starts(date(2026, 12, 1))) == 16


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_booking_imports_only_the_standard_library_holidays_and_phonenumbers() -> None:
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | {"booking"}
    offending = {
        path.name: sorted(_imported_roots(path) - allowed) for path in PACKAGE_DIR.glob("*.py")
    }
    assert {name: roots for name, roots in offending.items() if roots} == {}


def test_importing_booking_pulls_in_no_framework_or_database_client() -> None:
    script = (
        "import sys, booking; "
        "bad = {'fastapi', 'linebot', 'sqlmodel', 'sqlalchemy', 'redis', 'saq'} "
        "& set(sys.modules); "
        "print(sorted(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PACKAGE_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
