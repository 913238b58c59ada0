"""The event JSON and /healthz."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import Settings

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


def test_event_json_shows_links_statuses_and_days(tmp_path: Path) -> None:
    """Several links (each with its redirect), t.b.a., country-only, online and cancelled
    locations (no redirect: /go/ answers 404 for those), the event's end date and its call
    to action appear as the data gives them."""
    directory = tmp_path / "data" / "2025-02-07-shapes"
    directory.mkdir(parents=True)
    facts = {
        "date": "2025-02-07",
        "end_date": "2025-02-11",
        "organize_url": "https://discord.gg/pauseai",
        "locations": [
            {
                "city": "Oxford",
                "country": "GB",
                "date": "2025-02-08",
                "links": [
                    {"url": "https://lu.ma/ox", "label": "Sign up"},
                    {"url": "mailto:oxford@pauseai.info"},
                ],
            },
            {"city": "Zürich", "country": "CH"},
            {"country": "FR"},
            {"online": True, "links": [{"url": "https://discord.gg/x"}]},
            # Cancelled: its link stays in the data, but /go/ does not redirect, so no
            # redirect is advertised.
            {
                "city": "Tokyo",
                "country": "JP",
                "status": "cancelled",
                "links": [{"url": "https://lu.ma/tokyo"}],
            },
        ],
    }
    (directory / "event.yaml").write_text(yaml.safe_dump(facts), encoding="utf-8")
    (directory / "en.md").write_text("---\ntitle: Shapes\n---\n", encoding="utf-8")
    settings = Settings(public_url=PUBLIC_URL, data_dir=tmp_path / "data", reload_seconds=0)
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        document = client.get("/events/2025-02-07-shapes.json").json()
    go = f"{PUBLIC_URL}/go/2025-02-07-shapes"
    assert (document["end_date"], document["organize_url"]) == (
        "2025-02-11",
        "https://discord.gg/pauseai",
    )
    rows = [
        (
            loc["id"],
            loc["city"],
            loc["country"],
            loc["online"],
            loc["status"],
            loc["date"],
            loc["signup_url"],
            loc["platform"],
            loc["signup_redirect"],
            [
                (link["url"], link["label"], link["platform"], link["redirect"])
                for link in loc["links"]
            ],
        )
        for loc in document["locations"]
    ]
    assert rows == [
        (
            "oxford",
            "Oxford",
            "GB",
            False,
            "scheduled",
            "2025-02-08",
            "https://lu.ma/ox",
            "luma",
            f"{go}/oxford",
            [
                ("https://lu.ma/ox", "Sign up", "luma", f"{go}/oxford"),
                ("mailto:oxford@pauseai.info", None, "email", f"{go}/oxford/2"),
            ],
        ),
        ("zurich", "Zürich", "CH", False, "tba", None, None, None, None, []),
        ("fr", None, "FR", False, "tba", None, None, None, None, []),
        (
            "online",
            None,
            None,
            True,
            "scheduled",
            None,
            "https://discord.gg/x",
            "discord",
            f"{go}/online",
            [("https://discord.gg/x", None, "discord", f"{go}/online")],
        ),
        (
            "tokyo",
            "Tokyo",
            "JP",
            False,
            "cancelled",
            None,
            "https://lu.ma/tokyo",
            "luma",
            None,
            [("https://lu.ma/tokyo", None, "luma", None)],
        ),
    ]
    assert not any("legacy_signup_url" in loc for loc in document["locations"])
