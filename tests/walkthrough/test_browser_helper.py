"""tests/browser.py: Chromium is found, not hard-coded, and a missing one fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import MISSING_CHROMIUM, NAMES, find_chromium

# Launches Chromium itself and skips without it; owned by another branch, which is to switch it
# to tests.browser.async_chromium.
PENDING: set[str] = set()


def test_chromium_on_path_is_found_first(tmp_path):
    bundled = tmp_path / "chrome"
    bundled.write_text("")
    assert find_chromium({"chromium": "/opt/bin/chromium"}.get, str(bundled)) == "/opt/bin/chromium"


def test_chromium_browser_is_the_second_name():
    assert find_chromium({"chromium-browser": "/usr/bin/chromium-browser"}.get) \
        == "/usr/bin/chromium-browser"


def test_playwrights_own_chromium_is_the_last_resort(tmp_path):
    bundled = tmp_path / "chrome"
    bundled.write_text("")
    assert find_chromium({}.get, str(bundled)) == str(bundled)


def test_no_chromium_fails_naming_what_dev_test_installs(tmp_path):
    with pytest.raises(pytest.fail.Exception) as failed:
        find_chromium({}.get, str(tmp_path / "not-downloaded"))
    message = str(failed.value)
    assert message == MISSING_CHROMIUM.format(names=" or ".join(NAMES))
    assert "./dev test" in message and "apt-get install chromium" in message


def test_browser_tests_launch_through_the_helper_and_never_skip_for_chromium():
    tests = Path(__file__).resolve().parents[1]
    for path in tests.rglob("*.py"):
        name = path.relative_to(tests).as_posix()
        if name in ("browser.py", "walkthrough/test_browser_helper.py") or name in PENDING:
            continue
        text = path.read_text(encoding="utf-8")
        assert ".chromium.launch(" not in text, f"{name}: launch through tests/browser.py"
        assert "/usr/bin/" + "chromium" not in text, f"{name}: Chromium is found, not hard-coded"
        assert 'importorskip("playwright' not in text, f"{name}: a missing Playwright fails"
