"""Which language a page is in for a visitor we cannot tie to a LINE user: the link's ?lang=,
else the browser's Accept-Language (LINE's in-app browser sends the phone's), else Japanese."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from web.reader_language import accepted, reader_language


def request(query: str = "", accept: str | None = None) -> Request:
    headers = [] if accept is None else [(b"accept-language", accept.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": query.encode(),
                    "headers": headers})


def test_the_browsers_languages_are_read_most_wanted_first():
    assert accepted("fr;q=0.5, pt-BR, en;q=0.8, *;q=0.1, de;q=0") == ["pt-BR", "en", "fr"]


@pytest.mark.parametrize(("query", "accept", "expected"), [
    ("", None, None),                       # nothing said: the page stays Japanese
    ("", "en-US,en;q=0.9", "en"),
    ("", "fr-FR,vi;q=0.7,en;q=0.5", "vi"),  # French we lack; Vietnamese is next
    ("", "zh-TW", "zh_Hans"),
    ("", "fr-FR", None),                    # none of ours: Japanese, the office's language
    ("lang=es", "en", "es"),                # the link we made names the language
    ("lang=xx", "pt-BR", "pt_BR"),          # a made-up ?lang= is ignored
])
def test_a_visitors_language(query, accept, expected):
    assert reader_language(request(query, accept)) == expected
