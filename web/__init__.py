"""Public pages users open from the chat: the full terms, the profile form, calendar files."""

from web.routes import build_web_router

__all__ = ["build_web_router"]
