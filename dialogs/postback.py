"""Postback data as a typed value: action, value and the conversation nonce."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from pydantic import BaseModel

MAX_DATA = 300  # LINE's limit on postback data


class Postback(BaseModel):
    """What a button carries back. `nonce` is None for buttons that never expire (rich menu)."""

    action: str
    value: str = ""
    nonce: str | None = None

    def encode(self) -> str:
        fields = {"a": self.action}
        if self.value:
            fields["v"] = self.value
        if self.nonce:
            fields["n"] = self.nonce
        data = urlencode(fields)
        if len(data) > MAX_DATA:
            raise ValueError("postback data over LINE's 300-character limit")
        return data

    @classmethod
    def parse(cls, data: str) -> Postback | None:
        """The postback in `data`, or None when it is not one of ours."""
        try:
            fields = parse_qs(data, strict_parsing=True, max_num_fields=3)
        except ValueError:
            return None
        action = fields.get("a", [""])[0]
        if not action:
            return None
        return cls(action=action, value=fields.get("v", [""])[0], nonce=fields.get("n", [None])[0])
