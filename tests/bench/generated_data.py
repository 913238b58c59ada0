"""Generated event directories: many cities, many events, valid by construction.

The benchmark and the load tests need data bigger than the bundled sample (a 50-city
event, a catalog of 100 events) without shipping it; these functions write it into a
temporary directory in the layout ``widget.store`` reads.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

# Countries CLDR knows, cycled through by the generated locations.
COUNTRIES = ("NL", "DE", "FR", "GB", "US", "CA", "IT", "ES", "SE", "NO", "IS", "BR", "AU", "BE")
# Signup hosts of every platform the widget recognizes, cycled through as well.
SIGNUP_URLS = (
    "https://www.facebook.com/events/{n}",
    "https://www.eventbrite.com/e/protest-{n}",
    "https://partiful.com/e/p{n}",
    "https://chat.whatsapp.com/G{n}",
    "https://www.meetup.com/pauseai/events/{n}/",
    "https://lu.ma/p{n}",
    "https://www.mobilize.us/pauseai/event/{n}/",
    "https://actionnetwork.org/events/p-{n}",
    "https://discord.gg/p{n}",
    "https://pauseai.info/events/{n}",
)
SUMMARY = "People in many towns ask for a pause on frontier AI."
BODY = (
    "We meet at noon in front of the parliament. Bring a sign, a friend and water.\n\n"
    "Read [why we protest](https://pauseai.info/risks) and join "
    "[our Discord](https://discord.gg/2XXWXvErfA) to prepare together.\n"
)


def event_yaml(cities: int, day: date, seed: int = 0) -> str:
    """The ``event.yaml`` of an event with ``cities`` locations on ``day``."""
    lines = [f"date: {day.isoformat()}", "status: scheduled", "default_language: en", "locations:"]
    for index in range(cities):
        number = seed * 1000 + index
        lines += [
            f"  - city: Town {number}",
            f'    country: "{COUNTRIES[index % len(COUNTRIES)]}"',
            f"    signup_url: {SIGNUP_URLS[index % len(SIGNUP_URLS)].format(n=100000 + number)}",
        ]
    lines += [
        "press:",
        "  - title: Wired",
        "    url: https://www.wired.com/story/protesters-pause-ai-split-stop/",
        "  - title: Time",
        "    url: https://time.com/6977680/ai-protests-international/",
    ]
    return "\n".join(lines) + "\n"


def text_md(title: str, cities: dict[str, str] | None = None) -> str:
    """A ``LANG.md`` file: front matter (title, summary, city overrides) and a Markdown body."""
    lines = ["---", f"title: {title}", f"summary: {SUMMARY}"]
    if cities:
        lines.append("cities:")
        lines += [f"  {location_id}: {name}" for location_id, name in cities.items()]
    return "\n".join([*lines, "---", BODY])


def write_event(
    root: Path,
    slug: str,
    cities: int,
    day: date,
    seed: int = 0,
    languages: tuple[str, ...] = ("en", "nl"),
) -> Path:
    """Write one event directory under ``root``; returns it."""
    directory = root / slug
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "event.yaml").write_text(event_yaml(cities, day, seed), encoding="utf-8")
    for language in languages:
        overrides = {f"town-{seed * 1000}": f"Stad {seed * 1000}"} if language == "nl" else None
        (directory / f"{language}.md").write_text(
            text_md(f"Protest {seed} ({language})", overrides), encoding="utf-8"
        )
    return directory


def write_catalog(
    root: Path, events: int, cities: int, first_day: date = date(2030, 1, 1)
) -> list[str]:
    """Write ``events`` events of ``cities`` locations each; returns their slugs."""
    root.mkdir(parents=True, exist_ok=True)
    slugs = []
    for number in range(events):
        slug = f"protest-{number:04d}"
        write_event(root, slug, cities, first_day + timedelta(days=7 * number), seed=number)
        slugs.append(slug)
    return slugs
