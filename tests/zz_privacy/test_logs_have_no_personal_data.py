"""Runs last (zz_): the logs of the whole run must hold no personal data (DESIGN.md §3, art. 7).

tests/conftest.py writes every record of the run, app and tests alike, to the run log as JSON
lines; subprocesses (`main.py worker`, `serve`) write logs of their own, noted in
tests/evidence.py. Names, 求職番号 / 事業所番号, phones and raw LINE user ids go into the
database through the form and nowhere else; users appear in logs only as `logs.log_user`.

What to look for comes from the run itself: every LINE id the tests acted as, and every name,
number and phone the test databases hold at the end — not a hand-kept list.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable

import asyncpg

from booking import format_phone_national
from devservices import PostgresServer
from tests.conftest import RUN_LOG
from tests.evidence import LINE_IDS, SUBPROCESS_LOGS

# The office's own (fictitious) phones are public facts, not a person's data.
OFFICE_PHONES = {"0173-00-0000", "0173000000", "0173-11-2222", "0173112222"}
PATTERNS = {
    # "U" + 32 hex digits, and the ids tests derive from it ("Ustaff…", "Ubench…").
    "raw LINE user id": re.compile(r"(?<![0-9A-Za-z])U[a-z]{0,8}[0-9a-f]{32}(?![0-9A-Za-z])"),
    "phone (national)": re.compile(r"(?<![\w.:/-])0\d{1,4}-?\d{1,4}-?\d{4}(?![\w-])"),
    "phone (E.164)": re.compile(r"\+81\d{9,10}(?!\d)"),
    "求職番号 / 求人番号": re.compile(r"(?<![\w-])\d{5}-\d{1,8}(?![\w-])"),
    "事業所番号": re.compile(r"(?<![\w-])\d{4}-\d{6}-\d(?![\w-])"),
}
# A name shorter than this would match ordinary words (and anonymised rows keep none).
MIN_NAME = 2


def findings(text: str, known: Iterable[str] = ()) -> list[str]:
    """Each suspicious piece of the log, with what it looks like."""
    found = []
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if match.group() not in OFFICE_PHONES:
                found.append(
                    f"{kind}: {match.group()!r} in "
                    f"…{text[max(0, match.start() - 80):match.end() + 40]}…"
                )
    found += [f"test data: {value!r}" for value in known if value in text]
    return found


async def _database_values(server: PostgresServer) -> set[str]:
    """Names, numbers and phones (in each written form) in every test database."""
    values: set[str] = set()
    admin = await asyncpg.connect(server.dsn_for("postgres", driver=None))
    try:
        names = [r["datname"] for r in await admin.fetch(
            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'")]
    finally:
        await admin.close()
    for name in names:
        conn = await asyncpg.connect(server.dsn_for(name, driver=None))
        try:
            if await conn.fetchval("SELECT to_regclass('users')") is None:
                continue
            for row in await conn.fetch("SELECT name, number, phone FROM users"):
                values.update(v for v in row.values() if v and len(v) >= MIN_NAME)
                if row["phone"]:
                    national = format_phone_national(row["phone"])
                    values.update({national, national.replace("-", "")})
            for row in await conn.fetch("SELECT display_name FROM staff_accounts"):
                values.add(row["display_name"])
        finally:
            await conn.close()
    return values - OFFICE_PHONES


def test_the_scanner_spots_each_kind_of_personal_data():
    leaky = ('{"msg": "user U0123456789abcdef0123456789abcdef phone 090-1234-5678 '
             'e164 +819012345678 no 02040-12345678 office 0204-123456-7 name 山田 太郎 '
             'staff Ustaff0123456789abcdef0123456789abcdef"}')
    kinds = [f.split(":")[0] for f in findings(leaky, known={"山田 太郎"})]
    assert sorted(set(kinds)) == sorted({"raw LINE user id", "phone (national)",
                                         "phone (E.164)", "求職番号 / 求人番号", "事業所番号",
                                         "test data"})
    assert kinds.count("raw LINE user id") == 2
    clean = ('{"ts": "2026-12-01T01:00:00+00:00", "user": "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6", '
             '"event_id": "01JD0000000000000000000000", "msg": "office phone 0173-00-0000 '
             'took 0.0123 s on port 54321 UTCDateTime"}')
    assert findings(clean, known={"山田 太郎"}) == []


def test_the_whole_run_logged_no_personal_data(pg_server: PostgresServer):
    assert RUN_LOG.exists() and RUN_LOG.stat().st_size > 0, f"no run log at {RUN_LOG}"
    known = asyncio.run(_database_values(pg_server)) | LINE_IDS
    assert LINE_IDS and known - LINE_IDS, "the run left no test data to look for"
    logs = [RUN_LOG, *SUBPROCESS_LOGS]
    missing = [str(p) for p in SUBPROCESS_LOGS if not p.exists()]
    assert not missing, f"subprocess logs missing: {missing}"
    for path in logs:
        found = findings(path.read_text(encoding="utf-8", errors="replace"), known)
        assert not found, (
            f"{len(found)} personal data findings in {path}:\n" + "\n".join(found[:20])
        )
