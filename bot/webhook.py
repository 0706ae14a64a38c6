"""`POST /line/webhook`: signature check with the SDK parser, then hand events off at once."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError

from bot.dispatcher import Dispatcher

log = logging.getLogger(__name__)


def app_dispatcher(request: Request) -> Dispatcher:
    """The app's dispatcher, built at start-up (after the router): found at request time."""
    dispatcher: Dispatcher = request.app.state.services.dispatcher
    return dispatcher


DispatcherDep = Annotated[Dispatcher, Depends(app_dispatcher)]


def build_webhook_router(*, channel_secret: str) -> APIRouter:
    """The webhook endpoint bound to one channel secret; events go to the app's dispatcher."""
    router = APIRouter()
    parser = WebhookParser(channel_secret)

    @router.post("/line/webhook")
    async def webhook(request: Request, dispatcher: DispatcherDep,
                      x_line_signature: str | None = Header(default=None)) -> dict[str, str]:
        body = await request.body()  # http_guards.BodyLimit caps it at LINE's 1 MB
        if not x_line_signature:
            log.warning("webhook without signature", extra={"status": 400})
            raise HTTPException(status_code=400, detail="Missing X-Line-Signature")
        try:
            events = parser.parse(body.decode("utf-8", errors="replace"), x_line_signature)
        except InvalidSignatureError:
            log.warning("webhook with invalid signature (%d bytes)", len(body))
            raise HTTPException(status_code=400, detail="Invalid signature") from None
        except (ValueError, TypeError, KeyError, AttributeError):
            # The SDK indexes the JSON as it finds it: `[]`, `null` or `{"events": 1}` under a
            # valid signature raise TypeError and the like, which must be a 400, not a 500.
            log.warning("malformed webhook body (%d bytes)", len(body))
            raise HTTPException(status_code=400, detail="Malformed webhook body") from None
        for event in events:
            dispatcher.submit(event)
        return {"status": "ok"}

    return router
