"""Text clean-up shared by every parser, so that what users really type is accepted."""

from __future__ import annotations

import unicodedata

# Dash look-alikes that Japanese IMEs and phones produce when users mean "-". NFKC already
# folds the full-width forms (－ → -, ～ → ~, ｰ → ー, ‑ → ‐), so only what survives NFKC is listed.
DASHES = "‐‒–—―−ー〜~─━⁃˗⸺⸻"
_DASH_TABLE = str.maketrans(dict.fromkeys(DASHES, "-"))


def normalize(text: str) -> str:
    """NFKC-fold the text (full-width digits, （）, ：) and turn every dash look-alike into "-"."""
    return unicodedata.normalize("NFKC", text).translate(_DASH_TABLE)


def compact(text: str) -> str:
    """Normalise and drop all whitespace, for inputs (numbers, phones) where spaces mean nothing."""
    return "".join(normalize(text).split())
