"""Runs last (zz_): the log of the whole run must hold no personal data (DESIGN.md §3, art. 7).

tests/conftest.py writes every record of the run, app and tests alike, to test-run.log as
JSON lines. Names, 求職番号 / 事業所番号, phones and raw LINE user ids go into the database
through the form and nowhere else; users appear in logs only as `logs.hash_line_user`.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import RUN_LOG

# The office's own (fictitious) phones are public facts, not a person's data.
OFFICE_PHONES = {"0173-00-0000", "0173000000", "0173-11-2222", "0173112222"}
# Names the form and flow tests type in as users (see tests/flows, tests/bot).
TEST_NAMES = ("五所川原 太郎", "山田 太郎", "山田", "高橋 三郎", "見本 太郎", "窓口 花子",
              "秘密 花子", "佐藤 次郎", "見本商事", "ベンチ")
PATTERNS = {
    "raw LINE user id": re.compile(r"(?<![0-9A-Za-z])U[0-9a-f]{32}(?![0-9A-Za-z])"),
    "phone (national)": re.compile(r"(?<![\w.:/-])0\d{1,4}-?\d{1,4}-?\d{4}(?![\w-])"),
    "phone (E.164)": re.compile(r"\+81\d{9,10}(?!\d)"),
    "求職番号 / 求人番号": re.compile(r"(?<![\w-])\d{5}-\d{1,8}(?![\w-])"),
    "事業所番号": re.compile(r"(?<![\w-])\d{4}-\d{6}-\d(?![\w-])"),
}


def findings(text: str) -> list[str]:
    """Each suspicious piece of the log, with what it looks like."""
    found = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if match.group() not in OFFICE_PHONES:
                found.append(f"{kind}: {match.group()!r} in …{text[max(0, match.start() - 80):match.end() + 40]}…")
    found += [f"test name: {name!r}" for name in TEST_NAMES if name in text]
    return found


def test_the_scanner_spots_each_kind_of_personal_data():
    leaky = ('{"msg": "user U0123456789abcdef0123456789abcdef phone 090-1234-5678 '
             'e164 +819012345678 no 02040-12345678 office 0204-123456-7 name 山田 太郎"}')
    kinds = {f.split(":")[0] for f in findings(leaky)}
    assert kinds == {"raw LINE user id", "phone (national)", "phone (E.164)",
                     "求職番号 / 求人番号", "事業所番号", "test name"}
    clean = ('{"ts": "2026-12-01T01:00:00+00:00", "user": "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6", '
             '"event_id": "01JD0000000000000000000000", "msg": "office phone 0173-00-0000 '
             'took 0.0123 s on port 54321"}')
    assert findings(clean) == []


def test_the_whole_run_logged_no_personal_data():
    if not RUN_LOG.exists() or RUN_LOG.stat().st_size == 0:
        pytest.skip("no log was written in this run")
    found = findings(RUN_LOG.read_text(encoding="utf-8", errors="replace"))
    assert not found, f"{len(found)} personal data findings in {RUN_LOG}:\n" + "\n".join(found[:20])
