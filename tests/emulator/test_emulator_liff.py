"""The emulated LIFF and LINE Login: ID tokens verified as LINE's verify endpoint does, and
liff.line.me URLs opened at the LIFF app's endpoint with `liff.state`."""

from __future__ import annotations

from emulator import Emulator

USER = "U" + "a" * 32


def _emulator(**options) -> Emulator:
    return Emulator("secret", "http://127.0.0.1:9/line/webhook", **options)


def test_a_minted_token_verifies_with_its_claims():
    liff = _emulator(liff_channel_id="1234567890").liff
    answer = liff.verify(liff.mint(USER), "1234567890")
    assert answer.status == 200
    assert {k: answer.body[k] for k in ("iss", "sub", "aud")} == {
        "iss": "https://access.line.me", "sub": USER, "aud": "1234567890"}
    assert answer.body["exp"] - answer.body["iat"] == 3600


def test_expired_wrong_channel_forged_and_garbled_tokens_get_lines_400():
    liff = _emulator().liff
    good = liff.mint(USER, "1234567890")
    other = _emulator().liff.mint(USER, "1234567890")  # another emulator's key
    cases = {
        liff.mint(USER, "1234567890", expires_in=-1): "IdToken expired.",
        liff.mint(USER, "1111111111"): "Invalid IdToken Audience.",
        other: "Invalid IdToken Signature.",
        "garbled": "Invalid IdToken.",
    }
    for token, description in cases.items():
        answer = liff.verify(token, "1234567890")
        assert answer.status == 400
        assert answer.body == {"error": "invalid_request", "error_description": description}
    assert liff.verify(good, "1234567890", user_id="U" + "b" * 32).status == 400


def test_a_liff_url_opens_at_the_endpoint_with_liff_state():
    liff = _emulator().liff
    assert liff.open_redirect("https://liff.line.me/123-abc?t=x&u=1") == (
        "http://127.0.0.1:9/form/profile?liff.state=%3Ft%3Dx%26u%3D1", "123-abc")
    liff.endpoints["123-abc"] = "https://example.test/app?lang=ja"
    assert liff.open_redirect("https://liff.line.me/123-abc/path?q=1")[0] == (
        "https://example.test/app?lang=ja&liff.state=%2Fpath%3Fq%3D1")
    assert liff.open_redirect("https://example.test/123-abc") is None
