"""Errors raised by the office's rules, carrying text fit to show the user."""

from __future__ import annotations


class ParseError(ValueError):
    """Raised when typed input cannot be read; the message is polite Japanese for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        # Kept as an attribute so callers need not dig into `args` to show it.
        self.message = message
