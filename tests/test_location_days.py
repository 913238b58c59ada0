"""Locations with days of their own: each one's signup closes when its own days are over,
and "Today" shows only on a day some location takes place (not in a gap between them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import Settings

from conftest import PUBLIC_URL

EVENT_YAML = """\
date: 2024-05-10
end_date: 2024-05-16
locations:
- city: Paris
  country: FR
  date: 2024-05-10
  end_date: 2024-05-12
  links:
  - url: https://lu.ma/paris
- city: Tokyo
  country: JP
  date: 2024-05-16
  links:
  - url: https://lu.ma/tokyo
"""
TEXT = "---\ntitle: Days of action\n---\nTwo cities, two sets of days.\n"


def rows(client: TestClient, target: str) -> dict[str, list[str]]:
    """City name → the hrefs of its row, and whether the page says "Today"."""
    soup = BeautifulSoup(client.get(target).text, "html.parser")
    found: dict[str, list[str]] = {}
    for city in ("Paris", "Tokyo"):
        row = next(li for li in soup.select("li") if city in li.get_text())
        found[city] = [a["href"] for a in row.select("a[href]")]
    found["today"] = [span.get_text() for span in soup.select(".today, .badge")]
    return found


@pytest.mark.parametrize(
    ("now", "paris", "tokyo", "today"),
    [
        # Upcoming: both cities take signups.
        ("2024-05-01T12:00:00", True, True, False),
        # Paris's second day: Paris is today, both take signups.
        ("2024-05-11T12:00:00", True, True, True),
        # The gap (Paris over everywhere, Tokyo begun nowhere): no Paris link, no Today.
        ("2024-05-14T12:00:00", False, True, False),
        # Tokyo's day.
        ("2024-05-16T12:00:00", False, True, True),
    ],
)
def test_each_location_keeps_its_own_days(
    tmp_path: Path, now: str, paris: bool, tokyo: bool, today: bool
) -> None:
    """The widget and the event page follow each location's own days."""
    event = tmp_path / "data" / "2024-05-days-of-action"
    event.mkdir(parents=True)
    (event / "event.yaml").write_text(EVENT_YAML, "utf-8")
    (event / "en.md").write_text(TEXT, "utf-8")
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    settings = Settings(public_url=PUBLIC_URL, data_dir=tmp_path / "data", now=moment)
    with TestClient(create_app(settings)) as client:
        for target in ("/embed/2024-05-days-of-action", "/events/2024-05-days-of-action"):
            found = rows(client, target)
            go = f"{PUBLIC_URL}/go/2024-05-days-of-action/"
            assert any(href.startswith(go + "paris") for href in found["Paris"]) is paris, target
            assert any(href.startswith(go + "tokyo") for href in found["Tokyo"]) is tokyo, target
            assert bool(found["today"]) is today, (target, found["today"])
