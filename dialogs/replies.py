"""Neutral reply types: what a flow wants to say; only `bot/` knows how LINE shows it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter


class Choice(BaseModel):
    """A tappable option: a postback (`data`), a message the user sends (`text`), a link (`url`)."""

    label: str = Field(max_length=40)
    data: str | None = None
    text: str | None = None
    url: str | None = None
    display: str | None = None
    style: Literal["primary", "secondary", "link"] = "secondary"


class Text(BaseModel):
    """Plain text, optionally with quick-reply choices under it."""

    kind: Literal["text"] = "text"
    text: str
    choices: list[Choice] = Field(default_factory=list)


class Card(BaseModel):
    """A small card (title, lines, buttons): a Flex bubble in LINE."""

    kind: Literal["card"] = "card"
    title: str
    lines: list[str] = Field(default_factory=list)
    buttons: list[Choice] = Field(default_factory=list)
    alt: str = ""
    choices: list[Choice] = Field(default_factory=list)


class Carousel(BaseModel):
    """Several cards side by side (at most 12 in LINE)."""

    kind: Literal["carousel"] = "carousel"
    cards: list[Card]
    alt: str
    choices: list[Choice] = Field(default_factory=list)


class Link(BaseModel):
    """Text with one button that opens a page (the profile form, the terms, an .ics file)."""

    kind: Literal["link"] = "link"
    text: str
    label: str
    url: str
    choices: list[Choice] = Field(default_factory=list)


class DatePicker(BaseModel):
    """Text with a date (or time) picker button whose choice comes back as a postback."""

    kind: Literal["date_picker"] = "date_picker"
    text: str
    label: str
    data: str
    mode: Literal["date", "time", "datetime"] = "date"
    initial: str | None = None
    min: str | None = None
    max: str | None = None
    choices: list[Choice] = Field(default_factory=list)


Reply = Annotated[Text | Card | Carousel | Link | DatePicker, Field(discriminator="kind")]
REPLIES = TypeAdapter(list[Reply])


def dump_replies(replies: list[Reply]) -> list[dict]:
    """Replies as JSON-able dicts (outbox rows store this, not LINE's format)."""
    return REPLIES.dump_python(replies, mode="json", exclude_none=True)


def load_replies(payload: list[dict]) -> list[Reply]:
    """The inverse of `dump_replies`."""
    return REPLIES.validate_python(payload)
