"""The one error type of the console: an HTTP status and the Japanese sentence to show."""

from __future__ import annotations


class StaffError(Exception):
    """Refuse a request; pages show `message` (or go to `location`), the API answers
    {"detail": message}; `headers` travel with either (Retry-After)."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None,
                 location: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.location = location
