"""Fixtures for the devservices tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # `uv run pytest` does not put the project on sys.path
    sys.path.insert(0, str(PROJECT_ROOT))


@pytest.fixture(scope="module")
def pg() -> Iterator[object]:
    """One private PostgreSQL server shared by a test module."""
    from devservices import PostgresServer

    with PostgresServer() as server:
        yield server
