"""Shared fixtures: settings, an app on the bundled sample, a client, a copy of the data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import SAMPLE_DATA_DIR, Settings

SAMPLE_SLUG = "2024-05-13-international-protest"
PUBLIC_URL = "https://widget.example.org"
# The sample's 14 cities as the English widget names them (seed order).
SAMPLE_CITIES = (
    "San Francisco",
    "New York City",
    "Berlin",
    "London",
    "Rome",
    "Stockholm",
    "The Hague",
    "Paris",
    "Oslo",
    "Sydney",
    "Ottawa",
    "Reykjavík",
    "Portland",
    "São Paulo",
)
# Before the sample protest: the widget asks for signups.
BEFORE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
# After it: the widget says it took place.
AFTER = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample data."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, target)
    return target


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    """Settings on a copy of the sample, a fixed clock before the event, no polling."""
    return Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=BEFORE, reload_seconds=0)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The application for ``settings``."""
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    """A client that runs the app's lifespan."""
    with TestClient(app, base_url=PUBLIC_URL) as test_client:
        yield test_client


pytest_plugins = ["browser_support"]
