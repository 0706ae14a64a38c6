"""Inputs shared by the booking/ tests: dash look-alikes, 全角 typing and hostile strings."""

from __future__ import annotations

# Every dash a Japanese IME or phone keyboard may give for "-", as typed (before NFKC).
DASH_VARIANTS = ["-", "ー", "−", "‐", "―", "—", "～", "‑", "–", "－", "ｰ", "〜", "~", "─", "﹣"]

# A few inputs no parser may choke on.
HOSTILE_INPUTS = ["", " ", "　", "🙂", "x" * 10_000, "1" * 10_000, "\x00", "٠٢٠٤٠-١٢٣٤٥٦٧٨", "\n"]


def full_width(text: str) -> str:
    """What a user on a Japanese keyboard in 全角 mode types for `text`."""
    return text.translate(str.maketrans("0123456789-/:() ", "０１２３４５６７８９－／：（）　"))
