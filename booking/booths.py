"""The office's booths: sessions run in parallel, one per booth (DESIGN §2, default 1)."""

from __future__ import annotations


def booth_numbers(count: int) -> list[int]:
    """Booth numbers 1..count as staff and the database name them."""
    if count < 1:
        raise ValueError("an office has at least one booth")
    return list(range(1, count + 1))
