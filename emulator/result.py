"""What a fake Messaging API endpoint answers, independent of the web framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiResult:
    """Status, JSON body (or raw bytes) and extra headers of one API answer."""

    status: int
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


def ok(body: Any = None, status: int = 200) -> ApiResult:
    """A success answer; `{}` when there is nothing to say, as LINE answers."""
    return ApiResult(status, {} if body is None else body)


def error(status: int, message: str, **extra: Any) -> ApiResult:
    """An error answer with LINE's `{"message": ...}` body."""
    return ApiResult(status, {"message": message, **extra})

