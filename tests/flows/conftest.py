"""Fixtures for the user journeys: linked staff, office settings, terms versions, data rows.

The live app is shared by every end-to-end test, so anything office-wide that a test changes
is put back afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, update

from devservices import free_port
from storage.db import transaction
from storage.models import Office, StaffAccount, TermsVersionRow
from storage.sites import set_office_booths
from tests.conftest import running_app
from tests.flows.journeys import execute, write

LIFF_ID = "1234567890-AbCdEfGh"


@pytest.fixture(scope="session")
def liff_app(redis_server, pg_server) -> Iterator[Any]:
    """An app whose form opens as a LIFF app (liff_id set), with the emulator's stand-in SDK."""
    base = f"http://127.0.0.1:{free_port()}"
    with running_app(pg_server, redis_server.url, "liff", public_base_url=base,
                     liff_id=LIFF_ID, liff_sdk_url=base + "/emulator/liff/sdk.js") as app:
        yield app


@pytest.fixture
def staff_line(live) -> Iterator[str]:
    """A linked, active staff account: the LINE user id that receives staff alerts."""
    line_id = "Ustaff" + uuid.uuid4().hex
    account = StaffAccount(office_id=live.services.office_id, login=f"s{uuid.uuid4().hex[:10]}",
                           display_name="職員", password_hash="-", line_user_id=line_id)
    write(live, account)
    yield line_id
    execute(live, update(StaffAccount).where(StaffAccount.id == account.id)
            .values(active=False, line_user_id=None))


@pytest.fixture
def office(live) -> Iterator[Any]:
    """Change office settings for one test: `office(immediate_use_enabled=True)`; restored after."""
    office_id = live.services.office_id
    saved: dict[str, Any] = {}

    async def read(names: list[str]) -> dict[str, Any]:
        async with live.services.sessions() as session:
            row = await session.get(Office, office_id)
            return {name: getattr(row, name) for name in names}

    async def set_booths(count: int) -> None:
        async with transaction(live.services.sessions) as session:
            await set_office_booths(session, office_id=office_id, count=count)

    def change(**values: Any) -> None:
        for name, value in live.call(read(list(values))).items():
            saved.setdefault(name, value)
        execute(live, update(Office).where(Office.id == office_id).values(**values))
        if "booths" in values:  # as the settings page does: the one site's booths follow
            live.call(set_booths(values["booths"]))
        live.call(live.services.office_changed())  # as the console does after a change

    yield change
    if saved:
        execute(live, update(Office).where(Office.id == office_id).values(**saved))
        if "booths" in saved:
            live.call(set_booths(saved["booths"]))
        live.call(live.services.office_changed())


@pytest.fixture
def new_terms(live) -> Iterator[Any]:
    """Publish a terms version for one test; removed afterwards."""
    made: list[uuid.UUID] = []

    def publish(version: str, effective_from: datetime, changes: str) -> None:
        row = TermsVersionRow(office_id=live.services.office_id, version=version,
                              effective_from=effective_from, summary="改定後の概要",
                              changes=changes, body="改定後の全文")
        write(live, row)
        made.append(row.id)
        live.call(live.services.office_changed())  # as the console does after publishing

    yield publish
    for row_id in made:
        execute(live, delete(TermsVersionRow).where(TermsVersionRow.id == row_id))
    if made:
        live.call(live.services.office_changed())
