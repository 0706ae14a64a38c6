"""A local imitation of the LINE platform at the HTTP boundary, for the demo and the tests.

`Emulator` holds the state (users, webhook events, reply tokens, retry keys, sent messages,
faults, rich menus); `build_router` serves the fake Messaging API under `/line`, the driver
API under `/api` and the chat page at `/`, to be mounted with prefix "/emulator".
"""

from emulator.platform import Emulator, SendResult
from emulator.routes import build_router
from emulator.webhook_sender import sign

__all__ = ["Emulator", "SendResult", "build_router", "sign"]
