"""The end-of-run privacy scan (DESIGN.md §3, art. 7): the logs hold no personal data.

tests/conftest.py writes every record of the run, app and tests alike, to the run log as JSON
lines; subprocesses (`main.py worker`, `serve`) write logs of their own, noted in
tests/evidence.py. Names, 求職番号 / 事業所番号, phones and raw LINE user ids go into the
database through the form and nowhere else; users appear in logs only as `logs.log_user`.

What to look for comes from the run itself: every LINE id the tests acted as, and every name,
number and phone the test databases hold when the run's PostgreSQL stops — not a hand-kept
list. The scan runs when the run log's fixture ends, after every other fixture, so it sees every
test's logs; with pytest-xdist each worker scans its own run (own servers, own log).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from pathlib import Path

import asyncpg

from booking import format_phone_national
from devservices import PostgresServer

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


async def database_values(server: PostgresServer) -> set[str]:
    """Names, numbers and phones (in each written form) in every database of `server`.

    Read several databases at a time, without TLS (loopback): a run leaves hundreds of test
    databases, and this is the last thing each worker does before it can finish."""
    admin = await asyncpg.connect(server.dsn_for("postgres", driver=None), ssl=False)
    try:
        names = [r["datname"] for r in await admin.fetch(
            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'")]
    finally:
        await admin.close()
    gate = asyncio.Semaphore(8)

    async def read(name: str) -> set[str]:
        found: set[str] = set()
        async with gate:
            conn = await asyncpg.connect(server.dsn_for(name, driver=None), ssl=False)
            try:
                if await conn.fetchval("SELECT to_regclass('users')") is None:
                    return found
                for row in await conn.fetch("SELECT name, number, phone FROM users"):
                    found.update(v for v in row.values() if v and len(v) >= MIN_NAME)
                    if row["phone"]:
                        national = format_phone_national(row["phone"])
                        found.update({national, national.replace("-", "")})
                for row in await conn.fetch("SELECT display_name FROM staff_accounts"):
                    found.add(row["display_name"])
            finally:
                await conn.close()
        return found

    values: set[str] = set().union(*await asyncio.gather(*(read(n) for n in names)))
    return values - OFFICE_PHONES


def scan(run_log: Path, subprocess_logs: Iterable[Path], known: set[str]) -> list[str]:
    """What the run's logs give away; a missing log is a finding, never a pass."""
    problems: list[str] = []
    logs = [run_log, *subprocess_logs]
    problems += [f"log missing: {path}" for path in logs if not path.exists()]
    for path in logs:
        if path.exists():
            found = findings(path.read_text(encoding="utf-8", errors="replace"), known)
            problems += [f"{path}: {item}" for item in found]
    return problems
