"""The feed tests' shared scenario: one event file, one Luma-style calendar, a fixed now.

The file's event (``2027-03-15-pause-ai-protest``) has three cities: London links to a
Luma event and says nothing else; Berlin links to one too (through the newer
``luma.com`` host) and gives its own venue, start time and zone; Paris links to Facebook.
The calendar (``luma_calendar``) fills London and Berlin in, and adds an Amsterdam protest,
a Zürich protest café and a weekly reading group that the source's filter keeps out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from feed_server import calendar, vevent

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SLUG = "2027-03-15-pause-ai-protest"
LONDON_URL = "https://lu.ma/pause-london"
BERLIN_URL = "https://lu.ma/pause-berlin"
LONG_DESCRIPTION = (
    "Get up-to-date information at: https://lu.ma/pause-london\n\n"
    "Join us in Parliament Square to ask our leaders to pause the development of "
    "frontier AI — bring signs, friends and a warm coat. Bücher, café, naïve: ünïcödé.\n\n"
    "Sign the petition first: https://pauseai.info/petition"
)


def write_data(
    root: Path, source_url: str, *, filter_keywords: tuple[str, ...] = ("protest",)
) -> Path:
    """The scenario's data directory: the event's files and a sources.yaml for ``source_url``."""
    event = root / SLUG
    event.mkdir(parents=True)
    (event / "event.yaml").write_text(
        yaml.safe_dump(
            {
                "date": "2027-03-15",
                "locations": [
                    {"city": "London", "country": "GB", "links": [{"url": LONDON_URL}]},
                    {
                        "city": "Berlin",
                        "country": "DE",
                        "links": [{"url": BERLIN_URL}],
                        "venue": "Brandenburger Tor",
                        "start_time": "14:00",
                        "timezone": "Europe/Berlin",
                    },
                    {
                        "city": "Paris",
                        "country": "FR",
                        "signup_url": "https://www.facebook.com/events/123456789",
                    },
                ],
            }
        )
    )
    (event / "en.md").write_text("---\ntitle: PauseAI protest\nsummary: Pause AI.\n---\nBody.\n")
    source: dict[str, object] = {"name": "PauseAI Luma", "url": source_url, "language": "en"}
    if filter_keywords:
        source["filter"] = {"keywords": list(filter_keywords)}
    (root / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}))
    return root


def luma_calendar(*, london_cancelled: bool = False, extra: tuple[str, ...] = ()) -> bytes:
    """The calendar as Luma would serve it (``london_cancelled``: after London called off)."""
    return calendar(
        vevent(
            "evt-london@events.lu.ma",
            "PauseAI protest: London",
            "20270315T130000",
            "20270315T150000",
            tzid="Europe/London",
            location="Parliament Square, London SW1P 3BD, UK",
            geo=(51.5005, -0.1263),
            url=LONDON_URL,
            description=LONG_DESCRIPTION,
            status="CANCELLED" if london_cancelled else "CONFIRMED",
        ),
        vevent(
            "evt-berlin@events.lu.ma",
            "PauseAI Protest Berlin",
            "20270315T120000Z",
            "20270315T150000Z",
            location="Pariser Platz, 10117 Berlin, Deutschland",
            geo=(52.5163, 13.3777),
            url="https://luma.com/pause-berlin/",
        ),
        vevent(
            "evt-amsterdam@events.lu.ma",
            "Protest at the Dam",
            "20270320T140000",
            "20270320T160000",
            tzid="Europe/Amsterdam",
            location="Dam, 1012 JS Amsterdam, Nederland",
            url="https://lu.ma/pause-amsterdam",
            description="We meet at the National Monument. More: https://pauseai.info/amsterdam",
            categories=("Protest",),
        ),
        vevent(
            "evt-zurich@events.lu.ma",
            "Protest café — Zürich ☕",
            "20270405",
            "20270406",
            location="Zürich",
            url="https://lu.ma/pause-zurich",
        ),
        vevent(
            "evt-reading@events.lu.ma",
            "Reading group: Superintelligence",
            "20270302T180000Z",
            "20270302T200000Z",
            location="The British Library, London",
            rrule="FREQ=WEEKLY;COUNT=10",
        ),
        *extra,
        zones=("Europe/London", "Europe/Amsterdam"),
    )
