"""Fail closed (DESIGN.md §12): demo parts and weak secrets never start in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config import DEMO_BASIC_ID, DEMO_CHANNEL_SECRET, DEMO_SECRET_KEY, Settings

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "environment": "production",
    "secret_key": "k7Qp2vX9sL4mN8rT1wY6zB3cF5hJ0dG2aE9uI4oP",
    "line_channel_secret": "8f14e45fceea167a5a36dedd4bea2543",
    "line_channel_access_token": "Zr7b9XkQ2mP4sT6vW8yA1cE3gI5kM7oQ9sU1wY3aC5eG7iK9mO1qS3uW5y",
    "public_base_url": "https://madoguchi.example.jp",
}


@pytest.fixture(autouse=True)
def no_madoguchi_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test passes counts, not the developer's shell."""
    for name in list(os.environ):
        if name.startswith("MADOGUCHI_"):
            monkeypatch.delenv(name)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def refusal(**values: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    return str(caught.value)


def test_nothing_set_means_production_with_the_emulator_off_and_a_refusal():
    assert Settings.model_fields["emulator"].default is False
    assert Settings.model_fields["environment"].default == "production"
    assert "MADOGUCHI_SECRET_KEY" in refusal()


def test_a_real_shaped_production_configuration_starts():
    good = settings(**GOOD)
    assert good.is_production and not good.emulator and good.secure_cookies
    assert good.line_host == "https://api.line.me"


@pytest.mark.parametrize("secret", [
    "short-but-random-Zx81", DEMO_SECRET_KEY, DEMO_SECRET_KEY.upper(), "CHANGE-ME",
    "test-secret-key", "a" * 40, "abababababababababababababababababab"])
def test_production_refuses_a_weak_or_known_secret_key(secret):
    assert "MADOGUCHI_SECRET_KEY" in refusal(**{**GOOD, "secret_key": secret})


@pytest.mark.parametrize("secret", [DEMO_CHANNEL_SECRET, "change-me", "8F14E45FCEEA167A",
                                    "8f14e45fceea167a5a36dedd4bea254z",
                                    "00000000000000000000000000000000"])
def test_production_wants_a_channel_secret_shaped_like_lines(secret):
    assert "MADOGUCHI_LINE_CHANNEL_SECRET" in refusal(**{**GOOD, "line_channel_secret": secret})


def test_production_wants_an_https_base_url():
    assert "https://" in refusal(**{**GOOD, "public_base_url": "http://madoguchi.example.jp"})


def test_production_refuses_a_placeholder_access_token():
    assert "ACCESS_TOKEN" in refusal(**{**GOOD, "line_channel_access_token": "change-me"})



def test_production_posters_need_the_accounts_line_id_and_the_demo_has_its_own():
    assert settings(**GOOD).poster_account is None  # no posters until it is set
    assert settings(**GOOD, line_basic_id="@123abcde").poster_account == "@123abcde"
    assert settings(environment="demo").poster_account == DEMO_BASIC_ID


@pytest.mark.parametrize("basic_id", [DEMO_BASIC_ID, "123abcde", "@", "@ABC DEF", "@" + "a" * 30])
def test_production_refuses_a_line_id_not_shaped_like_an_accounts(basic_id):
    assert "MADOGUCHI_LINE_BASIC_ID" in refusal(**{**GOOD, "line_basic_id": basic_id})

@pytest.mark.parametrize("environment", ["production"])
def test_the_emulator_is_refused_outside_demo_and_test(environment):
    assert "MADOGUCHI_EMULATOR" in refusal(**{**GOOD, "environment": environment,
                                              "emulator": True})


def test_the_emulator_needs_a_loopback_base_url():
    message = refusal(environment="demo", emulator=True,
                      public_base_url="http://madoguchi.example.jp")
    assert "loopback" in message


@pytest.mark.parametrize("host", ["https://api.line.me", "https://api-data.line.me/"])
def test_the_emulator_is_never_paired_with_lines_api_host(host):
    assert "LINE's API host" in refusal(environment="test", emulator=True,
                                        public_base_url="http://127.0.0.1:8000",
                                        line_api_host=host)


def test_the_demo_on_loopback_talks_to_its_own_emulator():
    demo = settings(environment="demo", emulator=True, public_base_url="http://127.0.0.1:8000")
    assert demo.line_host == "http://127.0.0.1:8000/emulator/line"
    assert not demo.secure_cookies


def test_production_hides_the_openapi_schema_and_the_demo_keeps_it():
    from main import create_app

    def paths(app: Any) -> set[str]:  # built, not started: nothing connects
        prefixes = {r.include_context.prefix for r in app.routes if hasattr(r, "include_context")}
        return prefixes | {getattr(route, "path", "") for route in app.routes}

    production = paths(create_app(settings(**GOOD)))
    assert "/openapi.json" not in production
    assert not any(path.startswith("/emulator") for path in production)
    demo = paths(create_app(settings(environment="demo", secret_key=DEMO_SECRET_KEY,
                                     emulator=True)))
    assert "/openapi.json" in demo and "/emulator" in demo


def _main(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**clean, **{f"MADOGUCHI_{k.upper()}": v for k, v in env.items()}})


def test_main_refuses_to_start_with_one_clear_line_and_a_non_zero_exit():
    done = _main("serve", **{**GOOD, "secret_key": "change-me"})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("madoguchi: refusing to start:")
    assert "MADOGUCHI_SECRET_KEY" in lines[0] and "Traceback" not in done.stderr


def test_main_serves_the_emulator_on_loopback_only():
    done = _main("serve", "--host", "0.0.0.0", environment="demo", emulator="true",
                 secret_key=DEMO_SECRET_KEY)
    assert done.returncode == 2
    assert done.stderr.strip() == ("madoguchi: MADOGUCHI_EMULATOR is only served on loopback, "
                                   "not on 0.0.0.0")


def test_production_leaves_event_handling_to_handle_processes_and_the_demo_handles_in_process():
    assert settings(**GOOD).run_handlers_in_process is False
    assert settings(**GOOD, handlers_in_process=True).run_handlers_in_process is True
    demo = settings(environment="demo")
    assert demo.run_handlers_in_process is True
    # "None" is how a dumped Settings writes it back into the environment: still unset.
    assert settings(environment="test", handlers_in_process="None").handlers_in_process is None


def test_production_refuses_the_cheap_password_hashing_and_defaults_to_rfc9106():
    assert Settings.model_fields["password_hashing"].default == "rfc9106"
    assert "MADOGUCHI_PASSWORD_HASHING" in refusal(**{**GOOD, "password_hashing": "cheapest"})
    assert settings(environment="test", password_hashing="cheapest").password_hashing == "cheapest"


def test_a_password_hashed_with_either_profile_verifies_under_the_other():
    """argon2 reads the cost from the hash: switching the setting locks nobody out."""
    from storage.staff_accounts import hash_password, password_matches, use_password_hashing
    from tests.conftest import TEST_PASSWORD_HASHING

    hashes = {}
    try:
        for profile in ("rfc9106", "cheapest"):
            use_password_hashing(profile)
            hashes[profile] = hash_password("correct-horse-battery")
        assert "m=65536,t=3,p=4" in hashes["rfc9106"] and "m=8,t=1,p=1" in hashes["cheapest"]
        for verifying_under in ("rfc9106", "cheapest"):
            use_password_hashing(verifying_under)
            for stored in hashes.values():
                assert password_matches(stored, "correct-horse-battery")
                assert not password_matches(stored, "wrong-horse-battery")
    finally:
        use_password_hashing(TEST_PASSWORD_HASHING)
