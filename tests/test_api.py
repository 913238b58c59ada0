"""The event JSON and /healthz."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from conftest import PUBLIC_URL, SAMPLE_SLUG


def test_event_json_has_the_public_data(client: TestClient) -> None:
    """The JSON carries the facts, texts and links of the event."""
    response = client.get(f"/events/{SAMPLE_SLUG}.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    assert document["slug"] == SAMPLE_SLUG
    assert document["date"] == "2024-05-13"
    assert len(document["locations"]) == 14
    assert set(document["texts"]) == {"nl", "en"}
    assert document["links"]["page"] == f"{PUBLIC_URL}/events/{SAMPLE_SLUG}"
    hague = next(loc for loc in document["locations"] if loc["id"] == "den-haag")
    assert hague["platform"] == "whatsapp"
    assert hague["signup_redirect"] == f"{PUBLIC_URL}/go/{SAMPLE_SLUG}/den-haag"


def test_next_resolves_to_the_upcoming_event(client: TestClient) -> None:
    """/events/next.json is the sample event (the only one)."""
    assert client.get("/events/next.json").json()["slug"] == SAMPLE_SLUG


@pytest.mark.parametrize(
    "slug",
    ["nope", "NEXT", "2024-05-13-international-protest.json", "%2e%2e", "a" * 300],
)
def test_unknown_slug_is_a_json_404(client: TestClient, slug: str) -> None:
    """An unknown slug answers 404 with a JSON message."""
    response = client.get(f"/events/{slug}.json")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json()


def test_healthz_reports_version_and_count(client: TestClient) -> None:
    """/healthz says ok, the data version and the number of events."""
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["events"] == 1
    assert body["data_version"] == client.app.state.services.data.catalog.version  # type: ignore[attr-defined]
    assert body["last_reload_error"] is None
    assert response.headers["cache-control"] == "no-store"
