"""Configuration read from ENGAGEMENT_* environment variables and an optional `.env` file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = Path(".engagement-secret")


def _secret_from_file() -> str:
    """Read the key written on first start, or write a new one, so sessions survive restarts."""
    if SECRET_FILE.exists():
        return SECRET_FILE.read_text().strip()
    key = secrets.token_urlsafe(48)
    SECRET_FILE.write_text(key)
    SECRET_FILE.chmod(0o600)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ENGAGEMENT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./engagement.db"
    # PostgreSQL connections per worker process: the pool and what it may open beyond it. Keep
    # workers × (pool + overflow) + the commands' few below the server's max_connections.
    db_pool_size: int = 5
    db_max_overflow: int = 5
    secret_key: str = Field(default_factory=_secret_from_file)
    ratelimit_enabled: bool = True
    ratelimit_storage: str = "memory://"
    timezone: str = "Asia/Shanghai"
    site_name_zh: str = "示范县人民政府"
    site_name_en: str = "Demo County People's Government"

    # Limits per client address, in the `limits` notation.
    ratelimit_login: str = "10/minute"
    ratelimit_public_write: str = "20/minute;200/day"
    ratelimit_tracking: str = "30/minute"
    ratelimit_search: str = "60/minute"  # the /search page
    ratelimit_similar: str = "60/minute"  # the mailbox's "similar letters" hint while typing

    # Mailbox deadlines, in working days (the county's rules; national practice by default).
    assign_working_days: int = 1
    reply_working_days_short: int = 3  # consultation 咨询 and help 求助
    reply_working_days_long: int = 10  # suggestion 建议, complaint 投诉 and report 举报
    warn_working_days: int = 1  # yellow this many working days before a deadline
    rating_window_days: int = 10  # a replied letter closes by itself after this
    unanswered_alarm_days: int = 60  # flagged to leaders; at 90 days the site fails inspection
    upload_max_bytes: int = 5 * 1024 * 1024
    upload_max_files: int = 3
    body_max_bytes: int = 2 * 1024 * 1024  # any request body, unless its route allows more
    metrics_allow: str = "127.0.0.1/32"  # addresses (CIDR, comma-separated) that read /metrics
    log_json: bool = False  # every log line as one JSON object
    # Files uploaded to the admin's import page, kept while they are checked and imported.
    import_dir: Path = Path("./imports")
    import_max_bytes: int = 1024 * 1024 * 1024

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "noreply@localhost"
    smtp_tls: bool = False

    session_hours: float = 8.0
    token_minutes: int = 60
    # Sign-in throttling, the policy in engagement.auth.throttle: this many wrong passwords from
    # one source close the account to that source for `lockout_minutes`; the looser ceiling
    # across all sources closes it only to sources it was not used from in the last days.
    login_max_failures: int = 5
    lockout_minutes: int = 15
    login_account_max_failures: int = 50
    login_known_source_days: int = 30
    # Served over HTTPS (production): every cookie the site sets is Secure and browsers are told
    # to come back by HTTPS only (Strict-Transport-Security). `secure_cookies` alone, the older
    # setting, marks the cookies Secure without HSTS; `https` implies it.
    https: bool = False
    secure_cookies: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def cookies_secure(self) -> bool:
        """Whether every cookie the site sets carries `Secure`."""
        return self.https or self.secure_cookies

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def site_name(self, language: str) -> str:
        return self.site_name_zh if language == "zh" else self.site_name_en

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
