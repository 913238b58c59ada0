"""A small catalog with every state the events index and feeds show, for their tests.

Relative to ``conftest.BEFORE`` (1 May 2024): three past events in two years (one of them
multi-day), and upcoming ones: a cancelled event, one with a cancelled location, a city to
be announced (a country without a city) and an online location, and a multi-day one whose
cities meet on different days. Written in the layout ``widget.store`` reads.
"""

from __future__ import annotations

from pathlib import Path

import yaml

LINK = "https://www.facebook.com/events/{n}"


def _city(city: str, country: str, n: int, **extra: object) -> dict[str, object]:
    return {"city": city, "country": country, "signup_url": LINK.format(n=1000 + n), **extra}


EVENTS: dict[str, dict[str, object]] = {
    "2023-11-17-vigil": {"date": "2023-11-17", "locations": [_city("London", "GB", 1)]},
    "2024-02-12-openai": {
        "date": "2024-02-12",
        "locations": [_city("San Francisco", "US", 2), _city("Berlin", "DE", 3)],
    },
    "2024-04-20-weekend": {
        "date": "2024-04-20",
        "end_date": "2024-04-22",
        "locations": [_city("Paris", "FR", 4)],
    },
    "2024-05-20-called-off": {
        "date": "2024-05-20",
        "status": "cancelled",
        "locations": [_city("Rome", "IT", 5)],
    },
    "2024-06-01-mixed": {
        "date": "2024-06-01",
        "locations": [
            _city("Oslo", "NO", 6),
            _city("Stockholm", "SE", 7, status="cancelled"),
            {"country": "IS"},
            {"online": True, "signup_url": LINK.format(n=2000)},
        ],
    },
    "2024-07-10-summit": {
        "date": "2024-07-10",
        "end_date": "2024-07-12",
        "locations": [
            _city("Amsterdam", "NL", 8),
            _city("Madrid", "ES", 9, date="2024-07-12"),
        ],
    },
}
TITLES = {
    "2023-11-17-vigil": "Vigil in London",
    "2024-02-12-openai": "Protest at OpenAI",
    "2024-04-20-weekend": "Weekend of action",
    "2024-05-20-called-off": "Rome march",
    "2024-06-01-mixed": "Nordic day of protest",
    "2024-07-10-summit": "Summit protest",
}
UPCOMING = ("2024-05-20-called-off", "2024-06-01-mixed", "2024-07-10-summit")
PAST = ("2024-04-20-weekend", "2024-02-12-openai", "2023-11-17-vigil")  # newest first


def write_event(root: Path, slug: str, facts: dict[str, object], titles: dict[str, str]) -> None:
    """One event directory: ``event.yaml`` and one ``LANG.md`` per title."""
    directory = root / slug
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "event.yaml").write_text(yaml.safe_dump(facts), encoding="utf-8")
    for language, title in titles.items():
        front = yaml.safe_dump({"title": title, "summary": f"About {title}."}, allow_unicode=True)
        (directory / f"{language}.md").write_text(f"---\n{front}---\nBody.\n", encoding="utf-8")


def write_states(root: Path) -> Path:
    """Write the catalog under ``root``; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for slug, facts in EVENTS.items():
        write_event(root, slug, facts, {"en": TITLES[slug], "nl": f"{TITLES[slug]} (nl)"})
    return root
