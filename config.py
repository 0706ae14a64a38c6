"""The one place configuration is read: environment variables and `.env`."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER = "change-me"
# The demo's own values: written in the source, so never good enough for production.
DEMO_SECRET_KEY = "demo-secret-key-not-for-production"
DEMO_CHANNEL_SECRET = "demo-channel-secret"
DEMO_ACCESS_TOKEN = "demo-access-token"
# The demo's and tests' LINE account id for walk-up posters (no real account has it).
DEMO_BASIC_ID = "@madoguchi-demo"
# A LINE Official Account's basic ID (@ + 8 characters) or premium ID (@ + up to 18).
BASIC_ID = re.compile(r"@[0-9a-z._-]{3,20}")
# Secrets nobody may use in production (compared case-insensitively): placeholders of this
# project and its docs, the demo's and tests' own values, and the usual guesses.
KNOWN_SECRETS = frozenset(s.lower() for s in (
    PLACEHOLDER, "change_me", "changeme", "CHANGE_ME_TO_32_RANDOM_BYTES", "secret",
    "secret-key", "secret_key", "your-secret-key", "password", "madoguchi", "test",
    "development", "dev", "demo", DEMO_SECRET_KEY, DEMO_CHANNEL_SECRET, DEMO_ACCESS_TOKEN,
    "test-secret-key", "test-channel-secret", "test-access-token", "bench-secret-key",
    "bench-channel-secret", "bench-access-token",
    "0123456789abcdef0123456789abcdef", "00000000000000000000000000000000",
))
LINE_API = "https://api.line.me"
LIFF_SDK = "https://static.line-scdn.net/liff/edge/2/sdk.js"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class Settings(BaseSettings):
    """Every setting of the app; see `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix="MADOGUCHI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["demo", "test", "production"] = "production"
    database_url: str = "sqlite+aiosqlite:///./.demo/madoguchi.sqlite3"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "madoguchi"
    redis_max_connections: int = Field(default=200, ge=4)
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str = PLACEHOLDER

    line_channel_secret: str = PLACEHOLDER
    line_channel_access_token: str = PLACEHOLDER
    # Empty: LINE's own API, or the in-app emulator when `emulator` is on.
    line_api_host: str = ""
    liff_id: str = ""
    # The LINE Login channel the LIFF app belongs to (the ID token's `aud`); empty: the
    # number before the "-" of `liff_id`, which is how LINE names LIFF apps.
    liff_channel_id: str = ""
    liff_sdk_url: str = LIFF_SDK
    # The official account's LINE ID ("@123abcde"), for the walk-up posters' QR codes, which
    # open the chat with the site's message typed in. Empty: no posters (the demo and the
    # tests use DEMO_BASIC_ID).
    line_basic_id: str = ""
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs, comma
    # separated), e.g. the compose network of the shipped nginx. Empty: no proxy is trusted.
    trusted_proxies: str = ""
    # Admins must sign in with a TOTP code (ASVS L2); staff may choose to.
    admin_mfa_required: bool = True
    # Argon2id cost of staff passwords: "rfc9106" is RFC 9106's low-memory profile (64 MiB,
    # t=3, p=4); "cheapest" is argon2's test profile, for the demo and tests, refused in
    # production. A hash keeps its own parameters, so either verifies under both.
    password_hashing: Literal["rfc9106", "cheapest"] = "rfc9106"

    office_code: str = "goshogawara"
    office_name: str = "ハローワーク五所川原"
    office_phone: str = "0173-00-0000"
    office_address: str = "青森県五所川原市"
    office_hours: str = "平日 9:00〜17:00（土日祝・年末年始を除く）"
    booths: int = Field(default=1, ge=1, le=20)
    request_cutoff_hour: int = Field(default=15, ge=9, le=17)
    no_show_limit: int = Field(default=2, ge=1)
    max_active_requests: int = Field(default=3, ge=1)

    conversation_ttl_seconds: int = 30 * 60
    dedupe_ttl_seconds: int = 24 * 60 * 60
    slot_hold_ms: int = 5 * 60 * 1000
    form_token_minutes: int = 15
    reminder_day_before_hour: int = 17
    retention_days: int = 365
    log_json: bool = False
    # The event pipeline (README "Operations"): webhook events go to `event_partitions` Redis
    # streams; handler processes (`python main.py handle`) share them out. Unset
    # `handlers_in_process`: the web process runs one handler itself outside production
    # (demo, tests); production runs `handle` processes beside `serve`.
    handlers_in_process: bool | None = None
    # Change only with the streams empty: a user's partition follows from this number.
    event_partitions: int = Field(default=8, ge=1, le=256)
    # A dead handler's partitions go to another handler once its lease lapses.
    handler_lease_seconds: float = Field(default=10.0, ge=0.3, le=300)
    handler_concurrency: int = Field(default=4, ge=1, le=64)
    # Outbox delivery (the worker): a claimed row is held this long for the run that claimed
    # it; a killed worker's rows go out again once it lapses. Above the push timeout (5 s).
    outbox_lease_seconds: float = Field(default=60.0, ge=6, le=3600)
    # SAQ's time limit of one `deliver_outbox` run (it sends for two thirds of it, then the
    # next run carries on); a killed worker's run holds the job's unique key until then.
    outbox_job_timeout_seconds: int = Field(default=60, ge=3, le=3600)
    # How often the worker looks for stuck jobs (a killed worker's run past its timeout).
    worker_sweep_seconds: int = Field(default=60, ge=1, le=3600)
    # An event older than this when its step ends is answered by push: LINE's reply tokens
    # last about a minute.
    reply_token_seconds: float = Field(default=50.0, ge=1, le=60)
    # Mount the local LINE platform at /emulator: demo and tests only, never by default.
    emulator: bool = False
    # How long the emulator's driver API (the chat page, the tests) waits for the bot to finish
    # an event before it answers with what arrived so far.
    emulator_wait_seconds: float = Field(default=5.0, gt=0, le=300)
    auto_migrate: bool = False

    @field_validator("handlers_in_process", mode="before")
    @classmethod
    def _unset_means_default(cls, value: object) -> object:
        """An empty value (or "None", as a dumped settings object writes it) leaves it unset."""
        if isinstance(value, str) and value.strip().lower() in ("", "none", "auto"):
            return None
        return value

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        """Fail closed: demo parts and weak secrets never run in production (DESIGN.md §12)."""
        if self.emulator:
            self._check_emulator()
        if self.environment == "production":
            self._check_production()
        return self

    def _check_emulator(self) -> None:
        if self.environment not in ("demo", "test"):
            raise ValueError("MADOGUCHI_EMULATOR is only allowed with MADOGUCHI_ENVIRONMENT="
                             "demo or test")
        if urlsplit(self.public_base_url).hostname not in LOOPBACK_HOSTS:
            raise ValueError("MADOGUCHI_EMULATOR needs MADOGUCHI_PUBLIC_BASE_URL on loopback "
                             "(127.0.0.1 or localhost)")
        host = urlsplit(self.line_api_host).hostname or ""
        if host == "line.me" or host.endswith(".line.me"):
            raise ValueError("MADOGUCHI_EMULATOR must not be used with LINE's API host "
                             f"({self.line_api_host})")

    def _check_production(self) -> None:
        key = self.secret_key
        if len(key) < 32 or key.lower() in KNOWN_SECRETS or len(set(key)) < 8:
            raise ValueError("MADOGUCHI_SECRET_KEY must be at least 32 random characters, not a "
                             "placeholder or demo value (e.g. `openssl rand -hex 32`)")
        if not re.fullmatch(r"[0-9a-f]{32}", self.line_channel_secret) \
                or self.line_channel_secret.lower() in KNOWN_SECRETS:
            raise ValueError("MADOGUCHI_LINE_CHANNEL_SECRET must be the channel secret from the "
                             "LINE Developers console (32 hexadecimal characters)")
        token = self.line_channel_access_token
        if len(token) < 32 or token.lower() in KNOWN_SECRETS:
            raise ValueError("MADOGUCHI_LINE_CHANNEL_ACCESS_TOKEN must be the channel access "
                             "token issued in the LINE Developers console")
        if self.line_basic_id and (not BASIC_ID.fullmatch(self.line_basic_id)
                                   or self.line_basic_id == DEMO_BASIC_ID):
            raise ValueError("MADOGUCHI_LINE_BASIC_ID must be the official account's LINE ID as "
                             "LINE Official Account Manager shows it (e.g. @123abcde), or empty")
        if urlsplit(self.public_base_url).scheme != "https":
            raise ValueError("MADOGUCHI_PUBLIC_BASE_URL must be an https:// URL in production")
        if self.password_hashing != "rfc9106":
            raise ValueError("MADOGUCHI_PASSWORD_HASHING must be rfc9106 in production (the "
                             "cheap profile is for the demo and tests only)")
        try:
            self.proxy_networks  # noqa: B018 — parsed here so a typo stops the start
        except ValueError as bad:
            raise ValueError(f"MADOGUCHI_TRUSTED_PROXIES: {bad}") from None

    @property
    def line_host(self) -> str:
        """Host the LINE SDK talks to: the configured one, else the emulator or LINE's own."""
        if self.line_api_host:
            return self.line_api_host.rstrip("/")
        if self.emulator:
            return self.public_base_url.rstrip("/") + "/emulator/line"
        return LINE_API

    @property
    def run_handlers_in_process(self) -> bool:
        """Whether the web process also handles events (explicit, else outside production)."""
        if self.handlers_in_process is not None:
            return self.handlers_in_process
        return not self.is_production

    @property
    def poster_account(self) -> str | None:
        """The LINE ID walk-up posters open: the configured one, the demo's outside
        production, or None (no posters until it is set)."""
        if self.line_basic_id:
            return self.line_basic_id
        return None if self.is_production else DEMO_BASIC_ID

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        """Cookies marked Secure: always outside the loopback demo and tests (plain http)."""
        return self.is_production or self.public_base_url.startswith("https://")

    @property
    def liff_audience(self) -> str:
        """The channel id LIFF ID tokens must be issued for (their `aud`)."""
        return self.liff_channel_id or self.liff_id.split("-", 1)[0]

    @property
    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The trusted proxies as networks (a bare address is a /32 or /128)."""
        return [ipaddress.ip_network(part.strip(), strict=False)
                for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def log_pepper(self) -> bytes:
        """The key of the HMAC that names users in logs, derived from the secret key."""
        return hmac.new(self.secret_key.encode(), b"madoguchi:log-pepper",
                        hashlib.sha256).digest()


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
