"""After a good submission the conversation continues by itself, pushed through the outbox."""

from __future__ import annotations

import logging
from datetime import datetime

from dialogs.flow import Input
from dialogs.postback import Postback
from dialogs.replies import dump_replies
from logs import log_user
from services import Services
from storage.outbox import queue_push

log = logging.getLogger(__name__)


async def continue_chat(services: Services, line_user_id: str, now: datetime) -> None:
    """Move the conversation on and push what it says (the reply token is long gone)."""
    saved = Input(kind="postback", postback=Postback(action="profile.saved"))
    try:
        handled = await services.engine.handle(line_user_id, saved)
        written = list(handled.outbox_ids)
        if handled.replies:
            written.insert(0, await queue_push(
                sessions=services.sessions, reads=services.reads, office_id=services.office_id,
                to=line_user_id, kind="profile.continue", payload=dump_replies(handled.replies),
                now=now))
        if written:
            await services.sender.deliver(written)
    except Exception:
        # The profile is saved either way; the user can carry on by typing in the chat.
        log.exception("chat did not continue after the form",
                      extra={"user": log_user(line_user_id)})
