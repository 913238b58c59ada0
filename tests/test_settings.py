"""Settings from the environment: defaults, validation, documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from widget.settings import ENVIRONMENT, SAMPLE_DATA_DIR, Settings, SettingsError, from_env

README = Path(__file__).parents[1] / "README.md"


def test_defaults_serve_the_bundled_sample() -> None:
    """With no environment the service serves the sample on 127.0.0.1:8000."""
    settings = from_env({})
    assert settings == Settings()
    assert settings.data_dir == SAMPLE_DATA_DIR
    assert settings.frame_ancestors == "*"


def test_values_are_read() -> None:
    """Every variable reaches its setting."""
    settings = from_env(
        {
            "WIDGET_PUBLIC_URL": "https://widget.pauseai.info/",
            "WIDGET_DATA_DIR": "/srv/events",
            "WIDGET_FRAME_ANCESTORS": "https://a.example  https://b.example",
            "WIDGET_CACHE_TTL": "60",
            "WIDGET_CACHE_SIZE": "100",
            "WIDGET_CACHE_BYTES": "1048576",
            "WIDGET_RELOAD_SECONDS": "2.5",
            "WIDGET_NOW": "2024-05-01",
            "WIDGET_LOG_CLIENT_IP": "1",
            "WIDGET_SYNC_SECONDS": "600",
            "WIDGET_STATE_DIR": "/srv/state",
            "WIDGET_SYNC_ALLOW_LOOPBACK": "yes",
            "HOST": "0.0.0.0",
            "PORT": "8080",
        }
    )
    assert settings.public_url == "https://widget.pauseai.info"
    assert settings.is_https
    assert settings.data_dir == Path("/srv/events")
    assert settings.frame_ancestors == "https://a.example https://b.example"
    assert (settings.cache_ttl, settings.cache_size, settings.cache_bytes) == (60, 100, 1048576)
    assert settings.reload_seconds == 2.5
    assert settings.now is not None and settings.now.isoformat() == "2024-05-01T00:00:00+00:00"
    assert settings.log_client_ip
    assert (settings.sync_seconds, settings.state_dir) == (600.0, Path("/srv/state"))
    assert settings.sync_allow_loopback
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WIDGET_PUBLIC_URL", "widget.example.org"),  # no scheme
        ("WIDGET_PUBLIC_URL", "javascript:alert(1)"),
        ("WIDGET_PUBLIC_URL", "https://user:pw@example.org"),
        ("WIDGET_PUBLIC_URL", "https://example.org/?x=1"),
        ("WIDGET_FRAME_ANCESTORS", "*; script-src *"),  # directive injection
        ("WIDGET_FRAME_ANCESTORS", "   "),
        ("WIDGET_CACHE_TTL", "-1"),
        ("WIDGET_CACHE_TTL", "ten"),
        ("WIDGET_CACHE_SIZE", "0"),
        ("WIDGET_CACHE_BYTES", "12"),
        ("WIDGET_RELOAD_SECONDS", "soon"),
        ("WIDGET_NOW", "yesterday"),
        ("WIDGET_SYNC_SECONDS", "-5"),
        ("WIDGET_SYNC_SECONDS", "hourly"),
        ("PORT", "70000"),
        ("PORT", "http"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    """A bad value raises SettingsError naming the variable."""
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})


def test_every_variable_is_documented() -> None:
    """The README's configuration table names every environment variable."""
    documented = set(re.findall(r"`((?:WIDGET_)?[A-Z_]+)`", README.read_text()))
    assert set(ENVIRONMENT) <= documented
