"""Reloading data: valid changes are served, invalid ones keep the last good data."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import Settings

from conftest import SAMPLE_SLUG

EVENT = f"{SAMPLE_SLUG}/event.yaml"
JSON = f"/events/{SAMPLE_SLUG}.json"


def edit(data_dir: Path, old: str, new: str) -> None:
    path = data_dir / EVENT
    path.write_text(path.read_text().replace(old, new, 1))


def reload(client: TestClient) -> bool:
    return bool(client.app.state.services.data.reload())  # type: ignore[attr-defined]


def test_valid_change_is_served(client: TestClient, data_dir: Path) -> None:
    """After a valid edit and a reload, responses show the new data and a new version."""
    before = client.get("/healthz").json()["data_version"]
    client.get(JSON)  # fill the cache
    edit(data_dir, "city: Ottawa", "city: Toronto")
    assert reload(client)
    cities = [loc["city"] for loc in client.get(JSON).json()["locations"]]
    assert "Toronto" in cities and "Ottawa" not in cities
    assert client.get("/healthz").json()["data_version"] != before


def test_invalid_change_keeps_old_data_until_fixed(client: TestClient, data_dir: Path) -> None:
    """An invalid edit keeps serving the last good data and shows on /healthz until fixed."""
    good = client.get(JSON).json()
    edit(data_dir, "country: CA", "country: QQ")
    assert not reload(client)
    assert client.get(JSON).json() == good
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert any("locations.10.country" in line for line in health["last_reload_error"])
    edit(data_dir, "country: QQ", "country: CA")
    reload(client)
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["last_reload_error"] is None


def test_invalid_change_is_logged_once(client: TestClient, data_dir: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    """The same problem is logged once, not on every poll."""
    edit(data_dir, "country: CA", "country: QQ")
    for _ in range(3):
        reload(client)
    assert sum("data reload failed" in record.message for record in caplog.records) == 1


def test_polling_picks_up_changes(settings: Settings, data_dir: Path) -> None:
    """With polling on, an edit on disk is served without any signal."""
    app = create_app(replace(settings, reload_seconds=0.05))
    with TestClient(app) as client:
        edit(data_dir, "city: Ottawa", "city: Toronto")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            cities = [loc["city"] for loc in client.get(JSON).json()["locations"]]
            if "Toronto" in cities:
                break
            time.sleep(0.05)
        assert "Toronto" in cities


def test_starting_with_broken_data_reports_unhealthy(settings: Settings, data_dir: Path) -> None:
    """A service started on invalid data answers /healthz 503 with the problems."""
    edit(data_dir, "country: CA", "country: QQ")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "error"
        assert client.get(JSON).status_code == 404
