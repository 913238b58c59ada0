"""Catalogs for the upcoming-events widget and the compact banner: events written as files.

``write_event`` writes one event directory; ``write_catalog`` a catalog of every state the
new views must show at ``NOW``: one past event, a multi-day event that starts first, a
cancelled one, one with cities to be announced, a one-city event and an international
day of twenty cities in ten countries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
ORGANIZE = "https://discord.gg/pauseai"
TWENTY = [
    ("Amsterdam", "NL"),
    ("Rotterdam", "NL"),
    ("Berlin", "DE"),
    ("Frankfurt am Main", "DE"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Paris", "FR"),
    ("Marseille", "FR"),
    ("Rome", "IT"),
    ("Milan", "IT"),
    ("Stockholm", "SE"),
    ("Gothenburg", "SE"),
    ("Oslo", "NO"),
    ("Bergen", "NO"),
    ("San Francisco", "US"),
    ("New York City", "US"),
    ("Toronto", "CA"),
    ("Vancouver", "CA"),
    ("Sydney", "AU"),
    ("Melbourne", "AU"),
]
# slug → (title, first day) of the catalog's upcoming events, soonest first.
UPCOMING = {
    "multi-day": ("PauseAI week of action", "2026-02-07"),
    "called-off": ("Vigil in Utrecht", "2026-02-20"),
    "tba-cities": ("Spring picket", "2026-03-01"),
    "one-city": ("Picket at the AI summit", "2026-03-10"),
    "international": ("International day of protest", "2026-04-04"),
}


def write_event(
    root: Path, slug: str, title: str, facts: dict[str, Any], texts: dict[str, str] | None = None
) -> None:
    """One event directory: ``facts`` as event.yaml, ``title`` as its English text (and
    ``texts``: more titles by language)."""
    directory = root / slug
    directory.mkdir(parents=True)
    (directory / "event.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    for language, text in {"en": title, **(texts or {})}.items():
        front = yaml.safe_dump({"title": text}, allow_unicode=True)
        (directory / f"{language}.md").write_text(f"---\n{front}---\n", "utf-8")


def twenty_cities() -> list[dict[str, Any]]:
    """Twenty cities in ten countries, each with a signup link (Amsterdam with coordinates)."""
    cities: list[dict[str, Any]] = [
        {"city": city, "country": country, "signup_url": f"https://lu.ma/city-{n}"}
        for n, (city, country) in enumerate(TWENTY)
    ]
    cities[0]["coordinates"] = {"lat": 52.37, "lon": 4.89}
    return cities


def write_catalog(root: Path) -> Path:
    """Every state at ``NOW``; returns ``root``."""
    write_event(
        root,
        "last-year",
        "Protest that is over",
        {
            "date": "2025-11-01",
            "organize_url": ORGANIZE,
            "locations": [{"city": "Oslo", "country": "NO", "signup_url": "https://lu.ma/o"}],
        },
    )
    write_event(
        root,
        "multi-day",
        UPCOMING["multi-day"][0],
        {
            "date": "2026-02-07",
            "end_date": "2026-02-11",
            "organize_url": ORGANIZE,
            "locations": [
                {"city": "Zürich", "country": "CH", "signup_url": "https://lu.ma/z"},
                {
                    "city": "Lyon",
                    "country": "FR",
                    "signup_url": "https://www.facebook.com/events/1",
                },
            ],
        },
    )
    write_event(
        root,
        "called-off",
        UPCOMING["called-off"][0],
        {
            "date": "2026-02-20",
            "status": "cancelled",
            "locations": [{"city": "Utrecht", "country": "NL", "signup_url": "https://lu.ma/u"}],
        },
    )
    write_event(
        root,
        "tba-cities",
        UPCOMING["tba-cities"][0],
        {
            "date": "2026-03-01",
            "locations": [
                {"country": "GB"},
                {"city": "Leeds", "country": "GB"},
                {
                    "city": "Ghent",
                    "country": "BE",
                    "status": "cancelled",
                    "signup_url": "https://lu.ma/g",
                },
            ],
        },
    )
    write_event(
        root,
        "one-city",
        UPCOMING["one-city"][0],
        {
            "date": "2026-03-10",
            "locations": [
                {"city": "Den Haag", "country": "NL", "signup_url": "https://chat.whatsapp.com/x"}
            ],
        },
        {"nl": "Protest bij de AI-top"},
    )
    write_event(
        root,
        "international",
        UPCOMING["international"][0],
        {"date": "2026-04-04", "organize_url": ORGANIZE, "locations": twenty_cities()},
    )
    return root
