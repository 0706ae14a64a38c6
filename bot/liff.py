"""LIFF ID tokens, checked by LINE: the form opened inside LINE learns who opened it from here.

The page sends `liff.getIDToken()` with the form; we never trust a user id from the page
(DESIGN.md §11) but ask LINE's verify endpoint (LINE Login v2.1, `POST /oauth2/v2.1/verify`),
which checks the signature, the expiry and the channel, and answers the claims. We check the
channel (`aud`) again and take the user from `sub`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import httpx

log = logging.getLogger(__name__)
VERIFY_PATH = "/oauth2/v2.1/verify"
MAX_TOKEN = 4096  # ID tokens are a few hundred characters; anything far longer is not one


class Outcome(StrEnum):
    """What the verification said."""

    VERIFIED = "verified"
    REFUSED = "refused"  # missing, malformed, expired, wrong channel or signature
    UNAVAILABLE = "unavailable"  # LINE did not answer: try again shortly


@dataclass(frozen=True)
class Verdict:
    """The outcome, and the LINE user id when verified."""

    outcome: Outcome
    user_id: str | None = None


class IdTokenVerifier:
    """Asks LINE whether an ID token is genuine and meant for our LIFF app's channel."""

    def __init__(self, client: httpx.AsyncClient, *, host: str, audience: str) -> None:
        self.client = client
        self.url = host.rstrip("/") + VERIFY_PATH
        self.audience = audience

    async def verify(self, id_token: str) -> Verdict:
        """The `sub` of a valid token issued for our channel, else why not."""
        if not id_token or len(id_token) > MAX_TOKEN or not self.audience:
            return Verdict(Outcome.REFUSED)
        try:
            answer = await self.client.post(self.url, data={"id_token": id_token,
                                                             "client_id": self.audience})
        except httpx.HTTPError as failure:
            log.warning("LIFF ID token not verified: %s", type(failure).__name__)
            return Verdict(Outcome.UNAVAILABLE)
        if answer.status_code >= 500 or answer.status_code == 429:
            log.warning("LIFF ID token not verified: LINE answered %d", answer.status_code)
            return Verdict(Outcome.UNAVAILABLE)
        if answer.status_code != 200:
            # LINE's error_description names the problem ("IdToken expired." ...), no user data.
            log.info("LIFF ID token refused: %s", _description(answer))
            return Verdict(Outcome.REFUSED)
        return self._claims(answer)

    def _claims(self, answer: httpx.Response) -> Verdict:
        try:
            claims = answer.json()
        except ValueError:
            return Verdict(Outcome.UNAVAILABLE)
        subject = claims.get("sub") if isinstance(claims, dict) else None
        if not isinstance(subject, str) or not subject or str(claims.get("aud")) != self.audience:
            log.info("LIFF ID token refused: wrong audience or no subject")
            return Verdict(Outcome.REFUSED)
        return Verdict(Outcome.VERIFIED, subject)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()


def _description(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return str(answer.status_code)
    text = body.get("error_description") if isinstance(body, dict) else None
    return str(text)[:80] if text else str(answer.status_code)
