"""The real client address and scheme behind the shipped nginx: X-Forwarded-For and
X-Forwarded-Proto are believed only when the direct peer is a trusted proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxies:
    """ASGI middleware: rewrites `client` and `scheme` from the proxy headers of trusted peers.

    X-Forwarded-For is read from the right: each trusted hop is skipped and the first address
    that is not a trusted proxy is the client (what a client writes itself stays on the left).
    """

    def __init__(self, app: ASGIApp, networks: Sequence[Network]) -> None:
        self.app = app
        self.networks = tuple(networks)

    def _trusted(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in net for net in self.networks)

    def _client(self, forwarded: str) -> str | None:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        for hop in reversed(hops):
            if _address(hop) is None:
                return None  # garbage: keep the proxy's own address
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] in ("http", "websocket") and peer and self._trusted(peer[0]):
            forwarded = ",".join(v.decode("latin-1") for k, v in scope["headers"]
                                 if k.lower() == b"x-forwarded-for")
            protos = [v.decode("latin-1") for k, v in scope["headers"]
                      if k.lower() == b"x-forwarded-proto"]
            scope = dict(scope)
            client = self._client(forwarded)
            if client is not None:
                scope["client"] = (client, 0)
            proto = protos[-1].split(",")[-1].strip().lower() if protos else ""
            if proto in ("http", "https"):
                secure = proto == "https"
                if scope["type"] == "websocket":
                    scope["scheme"] = "wss" if secure else "ws"
                else:
                    scope["scheme"] = proto
        await self.app(scope, receive, send)
