"""The type of the app's session factory, for modules outside storage/ that pass it along."""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Sessions: TypeAlias = async_sessionmaker[AsyncSession]
