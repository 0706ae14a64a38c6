"""PostgreSQL drops the connection in the middle of a commit, or kills every connection."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from tests.helpers import tap, texts
from tests.records import consents, user_row

# A trigger that makes the server end the session that inserts a consent row: the connection
# drops in the middle of the consent commit, after the user row was already written in it.
DROP_ON_CONSENT = """
CREATE OR REPLACE FUNCTION drop_my_connection() RETURNS trigger AS $$
BEGIN
    PERFORM pg_terminate_backend(pg_backend_pid());
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER drop_consent BEFORE INSERT ON consents
    FOR EACH ROW EXECUTE FUNCTION drop_my_connection();
"""


async def _admin(pg_server, db: str, sql: str) -> None:
    conn = await asyncpg.connect(host=pg_server.host, port=pg_server.port, user=pg_server.user,
                                 database=db)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def connection_drops_on_consent(own_app, own_db, pg_server) -> Iterator[None]:
    own_app.call(_admin(pg_server, own_db, DROP_ON_CONSENT))
    yield
    own_app.call(_admin(pg_server, own_db, "DROP TRIGGER IF EXISTS drop_consent ON consents"))


def test_a_connection_dropped_mid_commit_writes_nothing_and_asks_to_retry(
        own_app, own_db, pg_server, connection_drops_on_consent, user):
    asked = own_app.send(user, event="follow")
    answer = tap(own_app, user, asked, "同意する")
    assert "もう一度お試しください" in texts(answer)
    assert consents(own_app, user) == []
    # The user row exists since 友だち追加 (it keeps the language LINE's profile gave); what
    # the dropped commit wrote to it is gone with the consent row.
    row = user_row(own_app, user)
    assert row is not None and row.consent_version is None and row.consented_at is None
    own_app.call(_admin(pg_server, own_db, "DROP TRIGGER drop_consent ON consents"))
    again = tap(own_app, user, asked, "同意する")  # nothing moved on: the same button works
    assert "同意を記録しました" in texts(again)
    assert len(consents(own_app, user)) == 1


def test_the_app_carries_on_after_postgres_ends_all_its_connections(own_app, own_db, pg_server,
                                                                     user):
    own_app.send(user, event="follow")
    own_app.call(_admin(pg_server, "postgres", (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{own_db}' AND pid <> pg_backend_pid()")))
    answer = own_app.send(user, text="同意する")
    assert "同意を記録しました" in texts(answer)
    assert len(consents(own_app, user)) == 1
