"""Sign-in throttling that holds under parallel guessing: attempts are counted before the
password is checked, a delay that doubles after five failures, the real client address."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests import loopback
from tests.conftest import LiveApp
from tests.staff.conftest import CSRF, PASSWORD, add_staff, audits

LOGIN_CSRF = "madoguchi_login_csrf"


def login_token(app: LiveApp) -> str:
    """A login form's token (stateless: one can be sent many times while it is fresh)."""
    page = loopback.get(f"{app.url}/staff/login")
    found = CSRF.search(page.text)
    assert found is not None and page.cookies.get(LOGIN_CSRF) == found.group(1)
    return found.group(1)


def try_login(app: LiveApp, login: str, password: str, *, token: str | None = None,
              client: str | None = None) -> httpx.Response:
    """One sign-in attempt from a browser of its own, optionally behind the proxy as `client`."""
    token = token or login_token(app)
    headers = {"X-Forwarded-For": client} if client else {}
    return loopback.post(f"{app.url}/staff/login", data={
        "csrf": token, "login": login, "password": password}, cookies={LOGIN_CSRF: token},
        headers=headers, timeout=60)


def an_address() -> str:
    """A client address of the test's own (TEST-NET-2), so windows never mix between tests."""
    return f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def test_forty_parallel_wrong_passwords_get_five_checks_and_the_rest_wait(staff_app, sclock):
    login, client = add_staff(staff_app), an_address()
    token = login_token(staff_app)
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda n: try_login(staff_app, login, f"guess-{n:04d}-wrong",
                                                    token=token, client=client), range(40)))
    assert Counter(a.status_code for a in answers) == {401: 5, 429: 35}
    # Only five passwords were ever checked: one audit row per check.
    assert len([a for a in audits(staff_app, "staff.login_failed") if a.actor == login]) == 5
    waiting = next(a for a in answers if a.status_code == 429)
    assert waiting.headers["retry-after"] == "1"
    assert "しばらくログインできません" in waiting.text and "1秒ほど待って" in waiting.text

    sclock.advance(seconds=1)  # the delay has passed: one more attempt is checked
    assert try_login(staff_app, login, "guess-again-wrong", client=client).status_code == 401
    too_soon = try_login(staff_app, login, PASSWORD, client=client)
    assert too_soon.status_code == 429 and too_soon.headers["retry-after"] == "2"  # doubled
    sclock.advance(seconds=2)
    assert try_login(staff_app, login, PASSWORD, client=client).status_code == 303
    # A success starts the login afresh: a typo is checked at once again.
    assert try_login(staff_app, login, "one-typo-wrong", client=client).status_code == 401
    assert try_login(staff_app, login, PASSWORD, client=client).status_code == 303


def test_the_delay_doubles_up_to_fifteen_minutes(staff_app, sclock):
    login, client = add_staff(staff_app), an_address()
    waits = []
    for _ in range(16):
        answer = try_login(staff_app, login, "still-wrong-pw", client=an_address())
        if answer.status_code == 429:
            waits.append(int(answer.headers["retry-after"]))
            sclock.advance(seconds=waits[-1])
            assert try_login(staff_app, login, "still-wrong-pw",
                             client=client).status_code == 401
    assert waits[:6] == [1, 2, 4, 8, 16, 32]
    assert max(waits) == 15 * 60


def test_behind_the_trusted_proxy_one_address_is_limited_not_the_whole_internet(staff_app):
    # The staff app trusts 127.0.0.1 as its proxy (tests/staff/conftest.py).
    noisy, quiet = an_address(), an_address()
    for n in range(20):
        assert try_login(staff_app, f"nobody-{uuid.uuid4().hex[:6]}-{n}", "nope-nope-nope",
                         client=noisy).status_code == 401
    login = add_staff(staff_app)
    refused = try_login(staff_app, login, PASSWORD, client=noisy)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert try_login(staff_app, login, PASSWORD, client=quiet).status_code == 303
    # What a client writes left of the proxy's own entry is not believed.
    spoofed = try_login(staff_app, login, PASSWORD, client=f"{quiet}, {noisy}")
    assert spoofed.status_code == 429
