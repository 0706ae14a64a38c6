"""What the database of a running test app holds, read on the app's own loop."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from logs import hash_line_user
from storage.models import Consent, LineUser


def consents(app: Any, user: str) -> list[Consent]:
    """The consent rows of a LINE user in the app's database."""
    async def query() -> list[Consent]:
        async with app.services.sessions() as session:
            row = (await session.scalars(select(LineUser).where(
                LineUser.line_user_hash == hash_line_user(user)))).first()
            if row is None:
                return []
            return list((await session.scalars(
                select(Consent).where(Consent.user_id == row.id))).all())
    return app.call(query())


def user_row(app: Any, user: str) -> LineUser | None:
    async def query() -> LineUser | None:
        async with app.services.sessions() as session:
            return (await session.scalars(select(LineUser).where(
                LineUser.line_user_hash == hash_line_user(user)))).first()
    return app.call(query())
