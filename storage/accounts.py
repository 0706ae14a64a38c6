"""Users as the dialogs see them: who they are (masked), consent, role, the form link.

Implements `dialogs.ports.AccountsPort`; each method is one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from booking import mask_name, mask_number, mask_phone
from booking.kinds import UserRole
from dialogs.ports import OfficeInfo, TermsInfo, UserInfo
from logs import hash_line_user
from storage import bookings as bk
from storage import forms
from storage.db import execute_alone, read_first, single_statements, transaction
from storage.models import Consent, LineUser, Office, TermsVersionRow
from storage.office_cache import OfficeCache

# Statements of the chat's hot path, built once with bound parameters: SQLAlchemy then finds
# them in its compiled cache without deriving a cache key from a new statement each time
# (that was about a third of a read's CPU).
_MINE = (LineUser.office_id == bindparam("office"),
         LineUser.line_user_hash == bindparam("hash"))
_FIND_USER = select(LineUser).where(*_MINE)


async def find_user(session: AsyncSession, office_id: uuid.UUID,
                    line_user_id: str) -> LineUser | None:
    """The user row for a LINE user, looked up by the hashed id."""
    return (await session.scalars(_FIND_USER, {"office": office_id,
                                               "hash": hash_line_user(line_user_id)})).first()


async def get_or_create_user(session: AsyncSession, office_id: uuid.UUID, line_user_id: str,
                             now: datetime) -> LineUser:
    """The user row, created on first need."""
    user = await find_user(session, office_id, line_user_id)
    if user is None:
        user = LineUser(office_id=office_id, line_user_id=line_user_id,
                        line_user_hash=hash_line_user(line_user_id), created_at=now)
        session.add(user)
        await session.flush()
    return user


async def current_terms_row(session: AsyncSession, office_id: uuid.UUID,
                            at: datetime) -> TermsVersionRow | None:
    """The newest terms version already in effect at `at`."""
    return (await session.scalars(
        select(TermsVersionRow)
        .where(TermsVersionRow.office_id == office_id, TermsVersionRow.effective_from <= at)
        .order_by(TermsVersionRow.effective_from.desc()).limit(1))).first()


_UPSERTS: dict[tuple[str, tuple[str, ...]], Any] = {}


def user_upsert(dialect: str, changed: tuple[str, ...]) -> Any:
    """INSERT a user's row (as `get_or_create_user` would create it) or, when it exists,
    UPDATE just the `changed` columns: one statement, safe against a concurrent first write.
    Parameters: every column of `users` (`user_row_values`)."""
    key = (dialect, changed)
    if key not in _UPSERTS:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        columns = LineUser.__table__.columns  # type: ignore[attr-defined]
        statement = insert(LineUser).values({c.name: bindparam(c.name, type_=c.type)
                                             for c in columns})
        _UPSERTS[key] = statement.on_conflict_do_update(
            index_elements=[LineUser.office_id, LineUser.line_user_hash],
            set_={name: statement.excluded[name] for name in changed})
    return _UPSERTS[key]


# A new row's defaults (the model's), taken once; `user_row_values` fills in the rest.
_NEW_USER = LineUser(office_id=uuid.UUID(int=0), line_user_hash="").model_dump()


def user_row_values(office_id: uuid.UUID, line_user_id: str, at: datetime,
                    **changes: Any) -> dict[str, Any]:
    """The parameters of `user_upsert`: a new row's values, with `changes`."""
    return {**_NEW_USER, "id": uuid.uuid4(), "office_id": office_id,
            "line_user_id": line_user_id, "line_user_hash": hash_line_user(line_user_id),
            "created_at": at, **changes}


_CONSENTED = ("consent_version", "consented_at", "followed")
_CONSENT_STATEMENTS: dict[str, tuple[Any, Any]] = {}


def _consent_statements(dialect: str) -> tuple[Any, Any]:
    """`record_consent`'s statements: the user's upsert that changes the row only when the
    version is new (RETURNING its id, else nothing), and the consent row's INSERT. On
    PostgreSQL the first is both, the upsert a CTE feeding the INSERT: one statement.
    Parameters: `user_row_values`, `consent_id`, `consent_language` (and `user_id` for the
    second statement elsewhere)."""
    if dialect not in _CONSENT_STATEMENTS:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        users = LineUser.__table__  # type: ignore[attr-defined]
        upsert = insert(users).values({c.name: bindparam(c.name, type_=c.type)
                                       for c in users.columns})
        upsert = upsert.on_conflict_do_update(
            index_elements=[users.c.office_id, users.c.line_user_hash],
            set_={name: upsert.excluded[name] for name in _CONSENTED},
            where=users.c.consent_version.is_distinct_from(upsert.excluded.consent_version),
        ).returning(users.c.id)
        consents = Consent.__table__  # type: ignore[attr-defined]
        row = {"id": bindparam("consent_id", type_=consents.c.id.type),
               "office_id": bindparam("office_id", type_=consents.c.office_id.type),
               "terms_version": bindparam("consent_version", type_=consents.c.terms_version.type),
               "consented_at": bindparam("consented_at", type_=consents.c.consented_at.type),
               "language": bindparam("consent_language", type_=consents.c.language.type)}
        if dialect == "postgresql":
            changed = upsert.cte("changed")
            first = insert(consents).add_cte(changed).from_select(
                [*row, "user_id"], select(*row.values(), changed.c.id))
        else:
            first = upsert
        add = insert(consents).values({**row, "user_id": bindparam(
            "user_id", type_=consents.c.user_id.type)})
        _CONSENT_STATEMENTS[dialect] = (first, add)
    return _CONSENT_STATEMENTS[dialect]


# What the chat reads of a user, selected as columns (no ORM entity, identity map or change
# tracking: the user is read on most steps, and building the entity was most of its cost).
USER_COLUMNS = (LineUser.consent_version, LineUser.consented_at, LineUser.role,
                LineUser.blocked, LineUser.no_show_count, LineUser.name, LineUser.phone,
                LineUser.number, LineUser.usual_site_id, LineUser.language)
_USER = select(*USER_COLUMNS).where(*_MINE)
_USER_AT = select(*USER_COLUMNS, bk.active_requests_of(LineUser, bindparam("at"))
                  .label("active")).where(*_MINE)
_LANGUAGE = select(LineUser.language).where(*_MINE)
# The user's id and the form submissions that failed lately (forms.user_locked_out), one read.
_USER_FAILURES = select(LineUser.id, forms.failures_since(LineUser.id, bindparam("since"))
                        .label("failures")).where(*_MINE)


def user_info(user: Any, office: Office | None = None,
              active_requests: int = 0) -> UserInfo:
    """Flags and masked data only: the chat never sees full personal data."""
    if user is None:
        return UserInfo(known=False)
    limit = office.no_show_limit if office else 2
    return UserInfo(
        known=True, consent_version=user.consent_version, consented_at=user.consented_at,
        role=user.role, blocked=user.blocked,
        refused_for_no_shows=user.no_show_count >= limit,
        has_profile=bool(user.name and user.phone),
        masked_name=mask_name(user.name) if user.name else None,
        masked_phone=mask_phone(user.phone) if user.phone else None,
        masked_number=mask_number(user.number) if user.number else None,
        active_requests=active_requests,
        max_active_requests=office.max_active_requests if office else 3,
        usual_site_id=str(user.usual_site_id) if user.usual_site_id else None,
        language=user.language,
    )


class AccountsService:
    """The users of one office; `office` is refreshed by the app when staff change it."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], office_id: uuid.UUID,
                 office: OfficeInfo, *, form_minutes: int = 15, liff_id: str = "",
                 reads: async_sessionmaker[AsyncSession] | None = None,
                 cache: OfficeCache | None = None) -> None:
        self.sessions = sessions
        self.reads = reads or sessions  # storage.db.make_read_sessionmaker: no BEGIN/ROLLBACK
        self.office_id = office_id
        self.office = office
        self.form_minutes = form_minutes
        self.liff_id = liff_id
        self.cache = cache or OfficeCache(self.reads, office_id, version=None)
        self._engine: AsyncEngine = sessions.kw["bind"]
        self._dialect = self._engine.dialect.name
        self._reads_engine: AsyncEngine = self.reads.kw["bind"]
        self._autocommit = single_statements(self.reads) is not None

    async def user(self, line_user_id: str, at: datetime | None = None) -> UserInfo:
        office = await self.cache.office()
        mine = self._mine(line_user_id)
        if at is None:
            return user_info(await self._first(_USER, mine), office)
        found = await self._first(_USER_AT, {**mine, "at": at})
        return user_info(found, office, found.active) if found else user_info(None, office)

    def _mine(self, line_user_id: str) -> dict[str, Any]:
        return {"office": self.office_id, "hash": hash_line_user(line_user_id)}

    async def _first(self, statement: Any, params: dict[str, Any]) -> Any:
        return await read_first(self._reads_engine, statement, params)

    async def terms(self, at: datetime) -> TermsInfo | None:
        row = await self.cache.terms(at)
        if row is None:
            return None
        return TermsInfo(version=row.version, effective_from=row.effective_from,
                         summary=row.summary, changes=row.changes,
                         url=f"{self.office.base_url}/terms/{row.version}")

    async def record_consent(self, line_user_id: str, version: str, at: datetime, *,
                             language: str = "ja") -> None:
        """The user's row (created if need be) takes the version, and a consent row is added,
        unless that version is already on record: a repeated step (its conversation state was
        lost after this commit, tests/faults) must not write a second consent. Statements
        built once, no ORM session: on PostgreSQL one statement on its own (a CTE), atomic."""
        values = {**user_row_values(self.office_id, line_user_id, at, consent_version=version,
                                    consented_at=at, followed=True),
                  "consent_id": uuid.uuid4(), "consent_language": language}
        first, add = _consent_statements(self._dialect)
        if self._dialect == "postgresql":
            await self._alone(first, values)
            return
        async with self._engine.begin() as conn:
            changed = (await conn.execute(first, values)).first()
            if changed is not None:  # None: this version was on record already
                await conn.execute(add, {**values, "user_id": changed.id})

    async def mark_unfollowed(self, line_user_id: str) -> None:
        async with transaction(self.sessions) as session:
            user = await find_user(session, self.office_id, line_user_id)
            if user is not None:
                user.followed = False

    async def set_role(self, line_user_id: str, role: str, at: datetime) -> None:
        """One upsert, as `set_language` (a step of every booking)."""
        await self._upsert(line_user_id, at, role=UserRole(role))

    async def language(self, line_user_id: str) -> str | None:
        """The language the user talks in, or None when nobody chose one yet (read on the
        read engine: no BEGIN/ROLLBACK around it)."""
        row = await self._first(_LANGUAGE, self._mine(line_user_id))
        return row.language if row is not None else None

    async def set_language(self, line_user_id: str, language: str, at: datetime) -> None:
        """One upsert (the user's row is created on a first follow): on PostgreSQL a single
        statement on the autocommit engine, one round trip instead of BEGIN, SELECT, INSERT
        and COMMIT through the ORM — it runs on every new user's follow."""
        await self._upsert(line_user_id, at, language=language)

    async def _upsert(self, line_user_id: str, at: datetime, **changes: Any) -> None:
        """`user_upsert`: a statement that is a whole unit of work on its own (atomic)."""
        await self._alone(user_upsert(self._dialect, tuple(changes)),
                          user_row_values(self.office_id, line_user_id, at, **changes))

    async def _alone(self, statement: Any, values: dict[str, Any]) -> None:
        """A statement that is a whole unit of work: on the autocommit engine when there is
        one (one round trip), else in a transaction of its own."""
        if self._autocommit:
            await execute_alone(self._reads_engine, statement, values)
            return
        async with self._engine.begin() as conn:
            await conn.execute(statement, values)

    async def form_link(self, line_user_id: str, at: datetime, *,
                        unregistered: bool = False) -> str | None:
        """A fresh single-use link to the profile form, or None while the user is locked out.

        The user's id and recent failures are one read; the older links' revocation and the
        new link are one statement on PostgreSQL (no ORM session, no BEGIN/COMMIT)."""
        found = await self._first(_USER_FAILURES, {**self._mine(line_user_id),
                                                   "since": at - forms.USER_WINDOW})
        if found is None:  # a first step without a row yet (rare: consent writes it)
            return await self._form_link_new_user(line_user_id, at, unregistered=unregistered)
        if found.failures >= forms.USER_FAILURES:
            return None
        token = forms.new_token()
        values = forms.issue_values(office_id=self.office_id, user_id=found.id, token=token,
                                    now=at, minutes=self.form_minutes)
        statements = forms.issue_statements(self._dialect)
        if len(statements) == 1:
            await self._alone(statements[0], values)
        else:
            async with self._engine.begin() as conn:
                for statement in statements:
                    await conn.execute(statement, values)
        return self._link(token, unregistered)

    async def _form_link_new_user(self, line_user_id: str, at: datetime, *,
                                  unregistered: bool) -> str | None:
        async with transaction(self.sessions) as session:
            user = await get_or_create_user(session, self.office_id, line_user_id, at)
            if await forms.user_locked_out(session=session, user_id=user.id, now=at):
                return None
            token = await forms.issue(session=session, office_id=self.office_id,
                                      user_id=user.id, now=at, minutes=self.form_minutes)
        return self._link(token, unregistered)

    def _link(self, token: str, unregistered: bool) -> str:
        query = urlencode({"t": token, **({"u": "1"} if unregistered else {})})
        if self.liff_id:  # opened inside LINE as a LIFF app; the token still binds the user
            return f"https://liff.line.me/{self.liff_id}?{query}"
        return f"{self.office.base_url}/form/profile?{query}"
