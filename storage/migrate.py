"""Run the Alembic migrations from code (`python main.py migrate`, the demo and the tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.types import StrEnumType

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str = "") -> Config:
    """The project's Alembic configuration pointed at `url`."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "storage" / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def render_item(kind: str, item: Any, autogen_context: Any) -> str | bool:
    """Autogenerate hook: an enum-typed column is written as the plain VARCHAR it is stored
    in, so migrations never import the app's types."""
    if kind == "type" and isinstance(item, StrEnumType):
        return f"sa.String(length={item.length})"
    return False


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database of `engine` to `revision`."""

    def _upgrade(connection) -> None:  # type: ignore[no-untyped-def]
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
