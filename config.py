"""The one place configuration is read: environment variables and `.env`."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER = "change-me"


class Settings(BaseSettings):
    """Every setting of the app; see `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix="MADOGUCHI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["demo", "test", "production"] = "demo"
    database_url: str = "sqlite+aiosqlite:///./.demo/madoguchi.sqlite3"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "madoguchi"
    redis_max_connections: int = Field(default=200, ge=4)
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str = PLACEHOLDER

    line_channel_secret: str = PLACEHOLDER
    line_channel_access_token: str = PLACEHOLDER
    line_api_host: str = "https://api.line.me"
    liff_id: str = ""

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
    emulator: bool = True  # mount the local LINE platform at /emulator (demo and tests only)
    auto_migrate: bool = False

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        """Refuse to start for real with demo secrets: they would sign forms and sessions."""
        if self.environment == "production":
            for name in ("secret_key", "line_channel_secret", "line_channel_access_token"):
                if getattr(self, name) in ("", PLACEHOLDER):
                    raise ValueError(f"MADOGUCHI_{name.upper()} must be set in production")
            if self.emulator:
                raise ValueError("MADOGUCHI_EMULATOR must be false in production")
        return self

    @property
    def line_host(self) -> str:
        """Host the LINE SDK talks to: the real API, or the emulator in demo and tests."""
        return self.line_api_host.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
