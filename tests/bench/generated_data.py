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


# Text languages the varied catalog cycles through (always English, plus some of these).
MORE_LANGUAGES = ("nl", "de", "fr", "es", "pt-BR", "sv")


def varied_event_yaml(number: int, day: date) -> str:
    """An ``event.yaml`` with what real catalogs mix: from 3 to 40 locations (a few
    international days of 40), a city to be announced (a country without a city), a
    cancelled city, an online action, multi-day events whose cities have days of their
    own, and now and then a cancelled or postponed event."""
    cities = 40 if number % 10 == 0 else 3 + number % 12
    multi_day = number % 4 == 1
    status = ("cancelled" if number % 17 == 3 else "postponed") if number % 17 in (3, 5) else None
    lines = [f"date: {day.isoformat()}"]
    if multi_day:
        lines.append(f"end_date: {(day + timedelta(days=2)).isoformat()}")
    lines += [f"status: {status or 'scheduled'}", "default_language: en", "locations:"]
    for index in range(cities):
        seed = number * 1000 + index
        country = COUNTRIES[(number + index) % len(COUNTRIES)]
        if index == 1:  # the city is still to be announced
            lines += [f'  - country: "{country}"']
            continue
        if index == 2 and cities > 5:
            lines += ["  - online: true", f"    signup_url: https://lu.ma/online{seed}"]
            continue
        lines += [
            f"  - city: Town {seed}",
            f'    country: "{country}"',
            f"    signup_url: {SIGNUP_URLS[index % len(SIGNUP_URLS)].format(n=100000 + seed)}",
        ]
        if index == 3:
            lines.append("    status: cancelled")
        if multi_day and index % 3 == 0:
            lines.append(f"    date: {(day + timedelta(days=index % 3 + 1)).isoformat()}")
    return "\n".join(lines) + "\n"


def write_varied_catalog(root: Path, events: int, first_day: date = date(2011, 1, 1)) -> list[str]:
    """Write ``events`` weekly events from ``first_day`` as ``varied_event_yaml`` describes,
    each in English and from one to three more languages; returns their slugs."""
    root.mkdir(parents=True, exist_ok=True)
    slugs = []
    for number in range(events):
        slug = f"protest-{number:04d}"
        directory = root / slug
        directory.mkdir(parents=True, exist_ok=True)
        day = first_day + timedelta(days=7 * number)
        (directory / "event.yaml").write_text(varied_event_yaml(number, day), encoding="utf-8")
        more = MORE_LANGUAGES[number % len(MORE_LANGUAGES) :][: 1 + number % 3]
        for language in ("en", *more):
            (directory / f"{language}.md").write_text(
                text_md(f"Protest {number} ({language})"), encoding="utf-8"
            )
        slugs.append(slug)
    return slugs
