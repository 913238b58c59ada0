"""Service settings: the only module that reads the environment.

Every setting has a safe default and is documented in the README's "Configuration"
table (a test fails when one is not).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

SAMPLE_DATA_DIR = Path(__file__).parent / "sample_data"


class SettingsError(ValueError):
    """Raised when an environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything the application needs to know about its deployment."""

    public_url: str = "http://127.0.0.1:8000"
    data_dir: Path = SAMPLE_DATA_DIR
    frame_ancestors: str = "*"
    cache_ttl: int = 300
    cache_size: int = 2000
    cache_bytes: int = 24 * 1024 * 1024
    reload_seconds: float = 5.0
    port: int = 8000
    host: str = "127.0.0.1"
    now: datetime | None = None
    log_client_ip: bool = False
    sync_seconds: float = 900.0
    state_dir: Path | None = None
    sync_allow_loopback: bool = False

    @property
    def is_https(self) -> bool:
        """True when the public URL is served over TLS (turns on HSTS)."""
        return self.public_url.startswith("https://")

    @property
    def public_host(self) -> str:
        """The host (with port) of the public URL."""
        return urlsplit(self.public_url).netloc


# Environment variable → Settings attribute; the README documents each name (tested).
ENVIRONMENT = {
    "WIDGET_PUBLIC_URL": "public_url",
    "WIDGET_DATA_DIR": "data_dir",
    "WIDGET_FRAME_ANCESTORS": "frame_ancestors",
    "WIDGET_CACHE_TTL": "cache_ttl",
    "WIDGET_CACHE_SIZE": "cache_size",
    "WIDGET_CACHE_BYTES": "cache_bytes",
    "WIDGET_RELOAD_SECONDS": "reload_seconds",
    "WIDGET_NOW": "now",
    "WIDGET_LOG_CLIENT_IP": "log_client_ip",
    "WIDGET_SYNC_SECONDS": "sync_seconds",
    "WIDGET_STATE_DIR": "state_dir",
    "WIDGET_SYNC_ALLOW_LOOPBACK": "sync_allow_loopback",
    "HOST": "host",
    "PORT": "port",
}


def _public_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"WIDGET_PUBLIC_URL: must be an absolute http(s) URL, got {value!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SettingsError("WIDGET_PUBLIC_URL: must not carry credentials, query or fragment")
    return value.rstrip("/")


# The numeric variables: name → (Settings field, lowest, highest, int or float).
_NUMBERS: dict[str, tuple[str, float, float, type[int] | type[float]]] = {
    "WIDGET_CACHE_TTL": ("cache_ttl", 0, 86400 * 7, int),
    "WIDGET_CACHE_SIZE": ("cache_size", 1, 1_000_000, int),
    "WIDGET_CACHE_BYTES": ("cache_bytes", 1024, 8 * 1024**3, int),
    "WIDGET_RELOAD_SECONDS": ("reload_seconds", 0, 86400, float),
    "WIDGET_SYNC_SECONDS": ("sync_seconds", 0, 86400, float),
    "PORT": ("port", 1, 65535, int),
}


def _number(
    name: str, value: str, low: float, high: float, parse: type[int] | type[float]
) -> float:
    """``value`` as an int or a float from ``low`` to ``high``; else an error naming ``name``."""
    kind = "an integer" if parse is int else "a number"
    try:
        number = parse(value)
    except ValueError:
        raise SettingsError(f"{name}: expected {kind}, got {value!r}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name}: expected {kind} between {low} and {high}")
    return number


def _flag(value: str) -> bool:
    return value.lower() in ("1", "true", "yes")


def _now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SettingsError(
            f"WIDGET_NOW: expected an ISO 8601 date or time, got {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables, raising SettingsError on bad values."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if "WIDGET_PUBLIC_URL" in env:
        values["public_url"] = _public_url(env["WIDGET_PUBLIC_URL"])
    elif "PORT" in env:
        values["public_url"] = f"http://127.0.0.1:{env['PORT']}"
    if env.get("WIDGET_DATA_DIR"):
        values["data_dir"] = Path(env["WIDGET_DATA_DIR"])
    if "WIDGET_FRAME_ANCESTORS" in env:
        ancestors = " ".join(env["WIDGET_FRAME_ANCESTORS"].split())
        if not ancestors or any(c in ancestors for c in ';,"\\'):
            raise SettingsError(
                "WIDGET_FRAME_ANCESTORS: expected space-separated CSP sources such as "
                "'*' or 'https://example.org'"
            )
        values["frame_ancestors"] = ancestors
    if env.get("WIDGET_NOW"):
        values["now"] = _now(env["WIDGET_NOW"])
    if "WIDGET_LOG_CLIENT_IP" in env:
        values["log_client_ip"] = _flag(env["WIDGET_LOG_CLIENT_IP"])
    if env.get("WIDGET_STATE_DIR"):
        values["state_dir"] = Path(env["WIDGET_STATE_DIR"])
    if "WIDGET_SYNC_ALLOW_LOOPBACK" in env:
        values["sync_allow_loopback"] = _flag(env["WIDGET_SYNC_ALLOW_LOOPBACK"])
    if "HOST" in env:
        values["host"] = env["HOST"]
    for name, (field, low, high, parse) in _NUMBERS.items():
        if name in env:
            values[field] = _number(name, env[name], low, high, parse)
    return Settings(**values)  # type: ignore[arg-type]
