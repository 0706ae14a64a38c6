"""The language of a visitor we cannot tie to a LINE user (a link that no longer opens, the
LIFF wait page, the accessibility statement): the page's ?lang=, else the browser's own
Accept-Language (LINE's in-app browser sends the phone's language), else Japanese."""

from __future__ import annotations

from fastapi import Request

from dialogs import i18n


def accepted(header: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first ("en-US,en;q=0.9,ja;q=0.8")."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def ours(tag: str) -> str | None:
    """Our language for a browser's tag, or None when we have no catalog for it."""
    if tag in i18n.LANGUAGES:
        return tag
    found = i18n.LINE_TAGS.get(tag.replace("_", "-").split("-")[0].lower())
    return found


def reader_language(request: Request) -> str | None:
    """?lang= when it names one of ours, else the first of the browser's languages we have."""
    asked = request.query_params.get("lang", "")[:16]
    if asked in i18n.LANGUAGES:
        return asked
    for tag in accepted(request.headers.get("accept-language", "")[:500]):
        found = ours(tag)
        if found is not None:
            return found
    return None
