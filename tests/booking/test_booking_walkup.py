"""The walk-up poster's message (booking/walkup.py): what the QR code sends, and how the bot
reads the site's code back from it however the phone or the user wrote it."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest

from booking.walkup import CODE_ALPHABET, new_site_code, oa_message_url, walkup_code, walkup_message


def test_the_message_names_the_site_and_carries_its_code():
    message = walkup_message("見本町役場 2階 相談室", "K7P3QX")
    assert message == "今すぐ相談：見本町役場 2階 相談室（K7P3QX）"
    assert walkup_code(walkup_message("見本町役場 2階 相談室", "K7P3QX")) == "K7P3QX"


@pytest.mark.parametrize("text", [
    "今すぐ相談:見本町役場(K7P3QX)",            # half-width punctuation
    "今すぐ相談：見本町役場（ｋ７ｐ３ｑｘ）",   # full-width, lower case
    "  今すぐ相談： 見本町役場 2階 （ K7P3QX ） ",
    "今すぐ相談：（K7P3QX）",                  # the name is only for people
])
def test_the_code_is_read_however_it_was_typed(text):
    assert walkup_code(text) == "K7P3QX"


@pytest.mark.parametrize("text", [
    "今すぐ相談", "今すぐ相談：見本町役場", "見本町役場（K7P3QX）",
    "今すぐ相談：見本町役場（K7-3QX）",
    "今すぐ相談：見本町役場（K7P3QX）です",
])
def test_other_texts_are_not_walk_up_messages(text):
    assert walkup_code(text) is None


def test_site_codes_are_short_and_avoid_look_alike_characters():
    codes = {new_site_code() for _ in range(200)}
    assert len(codes) > 190
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01IO") & set(CODE_ALPHABET)


def test_the_oa_message_url_opens_the_account_with_the_message_typed_in():
    message = walkup_message("見本町役場 2階 相談室", "K7P3QX")
    url = oa_message_url("@123abcde", message)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "line.me")
    assert parts.path == "/R/oaMessage/%40123abcde/"
    assert " " not in url and unquote(parts.query) == message
