"""bot/liff.py: LINE's verify answer read strictly; when LINE cannot answer, nothing passes."""

from __future__ import annotations

import httpx

from bot.liff import IdTokenVerifier, Outcome

CHANNEL = "1234567890"


def _verifier(handler) -> IdTokenVerifier:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return IdTokenVerifier(client, host="https://api.line.test", audience=CHANNEL)


async def test_a_verified_token_gives_its_sub_and_the_request_is_lines_form():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"iss": "https://access.line.me", "sub": "Uabc",
                                         "aud": CHANNEL, "exp": 2, "iat": 1})

    verdict = await _verifier(handler).verify("a.b.c")
    assert (verdict.outcome, verdict.user_id) == (Outcome.VERIFIED, "Uabc")
    assert str(seen[0].url) == "https://api.line.test/oauth2/v2.1/verify"
    assert seen[0].content == b"id_token=a.b.c&client_id=1234567890"


async def test_lines_400_and_a_foreign_audience_are_refused():
    refused = _verifier(lambda _: httpx.Response(400, json={
        "error": "invalid_request", "error_description": "IdToken expired."}))
    assert (await refused.verify("a.b.c")).outcome is Outcome.REFUSED
    foreign = _verifier(lambda _: httpx.Response(200, json={"sub": "Uabc", "aud": "999"}))
    assert (await foreign.verify("a.b.c")).outcome is Outcome.REFUSED
    assert (await foreign.verify("")).outcome is Outcome.REFUSED


async def test_line_down_is_unavailable_not_verified():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    assert (await _verifier(down).verify("a.b.c")).outcome is Outcome.UNAVAILABLE
    busy = _verifier(lambda _: httpx.Response(503))
    assert (await busy.verify("a.b.c")).outcome is Outcome.UNAVAILABLE
