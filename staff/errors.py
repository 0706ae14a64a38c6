"""The one error type of the console: an HTTP status and the Japanese sentence to show."""

from __future__ import annotations


class StaffError(Exception):
    """Refuse a request; pages show `message`, the API answers {"detail": message}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
