"""HTTP clients for the apps the tests start on loopback, all sharing one TLS context.

httpx builds a TLS context for every client it makes, loading the whole CA bundle (~40 ms of
CPU where SSL_CERT_FILE names the system's bundle), and the tests make hundreds of clients to
plain-HTTP apps (a browser of its own per staff member, per sign-in attempt, per user). Same
clients, same settings; the context is built once per process.
"""

from __future__ import annotations

from typing import Any

import httpx

from services import tls_context

TLS = tls_context()  # the app's own: one context per process


def client(**settings: Any) -> httpx.Client:
    """`httpx.Client(**settings)` on the shared TLS context."""
    return httpx.Client(verify=TLS, **settings)


def async_client(**settings: Any) -> httpx.AsyncClient:
    """`httpx.AsyncClient(**settings)` on the shared TLS context."""
    return httpx.AsyncClient(verify=TLS, **settings)


def get(url: str, **options: Any) -> httpx.Response:
    """`httpx.get`: one request from a client of its own (no cookies kept)."""
    return httpx.get(url, verify=TLS, **options)


def post(url: str, **options: Any) -> httpx.Response:
    """`httpx.post`: one request from a client of its own (no cookies kept)."""
    return httpx.post(url, verify=TLS, **options)
