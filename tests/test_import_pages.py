"""Real PauseAI pages in: every shape of city list, every page end to end, then served."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from babel import Locale
from babel.core import get_global
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from widget.app import create_app
from widget.countries import country_candidates
from widget.documents.widget_view import go_url
from widget.importing import import_command, importer
from widget.languages import SUPPORTED_LANGUAGES, locale
from widget.localized_names import fold
from widget.model import slugify
from widget.settings import Settings
from widget.store import load

EXAMPLES = Path(__file__).parent / "data" / "pages" / "examples"
SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "pauseai-pages"
HEAD = "---\ntitle: PauseAI protest\ndate: 2024-05-13\n---\n\n## Cities\n\n"
PUBLIC_URL = "https://widget.example.org"

FB = "https://www.facebook.com/events/1534322907129050"
MIXILY = "https://www.mixily.com/event/4774799330762010477"


def _only_location(line: str, language: str = "en") -> tuple[dict[str, Any], dict[str, Any]]:
    """The one location a page with ``line`` as its city list holds, and the page's text."""
    imported = importer.parse_page(HEAD + line + "\n", language=language)
    assert [r for r in imported.reports if r.level != "note"] == []
    [location] = imported.event["locations"]
    return location, imported.text


@pytest.mark.parametrize(
    ("line", "language", "expected", "written"),
    [
        # The seed (nl): bold city, Dutch country short form, one labelled link.
        (
            f"- **Berlijn**, Duitsland ([meld je aan op Facebook]({FB}))",
            "nl",
            {
                "city": "Berlin",
                "country": "DE",
                "links": [{"url": FB, "label": "meld je aan op Facebook"}],
            },
            "Berlijn",
        ),
        (
            "- **Londen**, VK ([meld je aan op Partiful](https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl))",
            "nl",
            {
                "city": "London",
                "country": "GB",
                "links": [
                    {
                        "url": "https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl",
                        "label": "meld je aan op Partiful",
                    }
                ],
            },
            "Londen",
        ),
        (
            "- **San Francisco**, VS ([meld je aan op Facebook](https://www.facebook.com/events/4569))",
            "nl",
            {
                "city": "San Francisco",
                "country": "US",
                "links": [
                    {
                        "url": "https://www.facebook.com/events/4569",
                        "label": "meld je aan op Facebook",
                    }
                ],
            },
            None,
        ),
        # The German translation: German country names, a German city name.
        (
            "- **Rom**, Italien ([melden Sie sich auf Facebook an](https://www.facebook.com/events/41))",
            "de",
            {
                "city": "Rome",
                "country": "IT",
                "links": [
                    {
                        "url": "https://www.facebook.com/events/41",
                        "label": "melden Sie sich auf Facebook an",
                    }
                ],
            },
            "Rom",
        ),
        (
            "- **London**, Großbritannien ([x](https://partiful.com/e/J))",
            "de",
            {
                "city": "London",
                "country": "GB",
                "links": [{"url": "https://partiful.com/e/J", "label": "x"}],
            },
            None,
        ),
        # 2024-november: the whole bullet a bold link; "Congo" settled by the city.
        (
            "- **[Kinshasa, Congo](https://lu.ma/klejgi5p)**",
            "en",
            {"city": "Kinshasa", "country": "CD", "links": [{"url": "https://lu.ma/klejgi5p"}]},
            None,
        ),
        (
            "- **[Zürich, Switzerland](https://lu.ma/t031iy9r)**",
            "en",
            {"city": "Zürich", "country": "CH", "links": [{"url": "https://lu.ma/t031iy9r"}]},
            None,
        ),
        # A bold city without a link: to be announced.
        ("- **Oxford, UK**", "en", {"city": "Oxford", "country": "GB", "status": "tba"}, None),
        # 2025-february: the link around the bold city, country names and short forms.
        (
            "- [**Brazzaville**](https://lu.ma/jhhimjt3), Republic of the Congo",
            "en",
            {"city": "Brazzaville", "country": "CG", "links": [{"url": "https://lu.ma/jhhimjt3"}]},
            None,
        ),
        (
            "- [**Kinshasa**](https://lu.ma/9l5fif4e), DR Congo",
            "en",
            {"city": "Kinshasa", "country": "CD", "links": [{"url": "https://lu.ma/9l5fif4e"}]},
            None,
        ),
        (
            "- [**N'Djaména**](https://lu.ma/amtxwy69), Chad",
            "en",
            {"city": "N'Djaména", "country": "TD", "links": [{"url": "https://lu.ma/amtxwy69"}]},
            None,
        ),
        (
            "- [**Prague**](https://lu.ma/6t4fmgw0), Czechia",
            "en",
            {"city": "Prague", "country": "CZ", "links": [{"url": "https://lu.ma/6t4fmgw0"}]},
            None,
        ),
        (
            "- [**Victoria**](https://lu.ma/azbyo7ik), Canada",  # not the Australian zone
            "en",
            {"city": "Victoria", "country": "CA", "links": [{"url": "https://lu.ma/azbyo7ik"}]},
            None,
        ),
        (
            "- **Zürich**, Switzerland _(details t.b.a.)_",
            "en",
            {"city": "Zürich", "country": "CH", "status": "tba"},
            None,
        ),
        # 2023-oct: country first, a state or a venue between, several links.
        (
            "- US, California, San Francisco ([Facebook](https://fb.me/1RbYq9H2hOFQ4yi))",
            "en",
            {
                "city": "San Francisco",
                "country": "US",
                "links": [{"url": "https://fb.me/1RbYq9H2hOFQ4yi", "label": "Facebook"}],
            },
            None,
        ),
        (
            f"- UK, Parliament Square, London ([Sign up]({MIXILY}), [Facebook]({FB}))",
            "en",
            {
                "city": "London",
                "country": "GB",
                "venue": "Parliament Square",
                "links": [{"url": MIXILY, "label": "Sign up"}, {"url": FB, "label": "Facebook"}],
            },
            None,
        ),
        (
            "- Canada, Ottawa (Organized by Align the World, sign up on "
            "[Facebook](https://www.facebook.com/events/2436/) or "
            "[Eventbrite](https://www.eventbrite.com/e/rally-7257))",
            "en",
            {
                "city": "Ottawa",
                "country": "CA",
                "links": [
                    {"url": "https://www.facebook.com/events/2436/", "label": "Facebook"},
                    {"url": "https://www.eventbrite.com/e/rally-7257", "label": "Eventbrite"},
                ],
            },
            None,
        ),
        # The same family, other punctuation and languages.
        (
            "* **Kinshasa,** DR Congo ([Luma](https://lu.ma/k))  ",  # '*', comma in the bold
            "en",
            {
                "city": "Kinshasa",
                "country": "CD",
                "links": [{"url": "https://lu.ma/k", "label": "Luma"}],
            },
            None,
        ),
        (
            "- **Kinshasa.** RDC ([Luma](https://lu.ma/k)).",
            "fr",
            {
                "city": "Kinshasa",
                "country": "CD",
                "links": [{"url": "https://lu.ma/k", "label": "Luma"}],
            },
            None,
        ),
        (
            "- Portland, Oregon, USA ([Sign up](https://lu.ma/pdx))",
            "en",
            {
                "city": "Portland",
                "country": "US",
                "links": [{"url": "https://lu.ma/pdx", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **Toronto**, Ontario ([Sign up](https://lu.ma/to))",
            "en",
            {
                "city": "Toronto",
                "country": "CA",
                "links": [{"url": "https://lu.ma/to", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **Oxford**, UK ([email us](mailto:oxford@pauseai.info))",
            "en",
            {
                "city": "Oxford",
                "country": "GB",
                "links": [{"url": "mailto:oxford@pauseai.info", "label": "email us"}],
            },
            None,
        ),
        (
            "- **Miami**, EE. UU. _(por confirmar)_",
            "es",
            {"city": "Miami", "country": "US", "status": "tba"},
            None,
        ),
        (
            "- **Lyon**, France _(à venir)_",
            "fr",
            {"city": "Lyon", "country": "FR", "status": "tba"},
            None,
        ),
        (
            "- **Köln**, Deutschland _(Details folgen)_",
            "de",
            {"city": "Köln", "country": "DE", "status": "tba"},
            None,
        ),
        (
            "- **Utrecht**, Nederland _(details volgen)_",
            "nl",
            {"city": "Utrecht", "country": "NL", "status": "tba"},
            None,
        ),
        ("- UK (exact location TBD)", "en", {"country": "GB", "status": "tba"}, None),
        (
            "- **Online** ([Join on Zoom](https://zoom.us/j/1))",
            "en",
            {"online": True, "links": [{"url": "https://zoom.us/j/1", "label": "Join on Zoom"}]},
            None,
        ),
        # A time in the bullet: the city's own zone.
        (
            "- **Berlin**, Germany (14:00\u201316:00, [Sign up](https://lu.ma/b))",
            "en",
            {
                "city": "Berlin",
                "country": "DE",
                "start_time": "14:00",
                "end_time": "16:00",
                "timezone": "Europe/Berlin",
                "links": [{"url": "https://lu.ma/b", "label": "Sign up"}],
            },
            None,
        ),
        # Another day than the event's: the location's own date.
        (
            "- Israel, Jerusalem (on May 14th, [Sign up](https://www.mixily.com/event/22))",
            "en",
            {
                "city": "Jerusalem",
                "country": "IL",
                "links": [{"url": "https://www.mixily.com/event/22", "label": "Sign up"}],
                "date": date(2024, 5, 14),
            },
            None,
        ),
        # A US city with its state, abbreviated with dots or without a comma: the city is
        # the gazetteer's and CLDR's 'Washington', as '**Washington, DC**, USA' reads.
        (
            "- **Washington, D.C.** ([Sign up](https://lu.ma/dc))",
            "en",
            {
                "city": "Washington",
                "country": "US",
                "links": [{"url": "https://lu.ma/dc", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **[Washington, D.C., USA](https://lu.ma/dc)**",
            "en",
            {"city": "Washington", "country": "US", "links": [{"url": "https://lu.ma/dc"}]},
            None,
        ),
        (
            "- **Washington DC** ([Sign up](https://lu.ma/dc))",
            "en",
            {
                "city": "Washington",
                "country": "US",
                "links": [{"url": "https://lu.ma/dc", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **Washington, DC** ([Sign up](https://lu.ma/dc))",
            "en",
            {
                "city": "Washington",
                "country": "US",
                "links": [{"url": "https://lu.ma/dc", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **St. Louis, MO** ([Sign up](https://lu.ma/stl))",
            "en",
            {
                "city": "St. Louis",
                "country": "US",
                "links": [{"url": "https://lu.ma/stl", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **Portland, OR** ([Sign up](https://lu.ma/pdx))",
            "en",
            {
                "city": "Portland",
                "country": "US",
                "links": [{"url": "https://lu.ma/pdx", "label": "Sign up"}],
            },
            None,
        ),
        (
            "- **Cambridge, MA, USA** ([Sign up](https://lu.ma/cam))",
            "en",
            {
                "city": "Cambridge",
                "country": "US",
                "links": [{"url": "https://lu.ma/cam", "label": "Sign up"}],
            },
            None,
        ),
    ],
)
def test_real_line_becomes_its_location(
    line: str, language: str, expected: dict[str, Any], written: str | None
) -> None:
    """Each real line shape imports as exactly this location; a localized city keeps the
    page's spelling as the text's override."""
    location, text = _only_location(line, language)
    assert location == expected
    location_id = slugify(expected.get("city", "x"))
    assert text.get("cities", {}).get(location_id) == written


@pytest.mark.parametrize(
    ("line", "url"),
    [
        (
            "- Organize in your area! [Join our Discord server](https://discord.gg/2XXWXvErfA) "
            "and coordinate.",
            "https://discord.gg/2XXWXvErfA",
        ),
        (
            "- Your country here? [Discuss on Discord!](https://discord.gg/anXWYCCdH5)",
            "https://discord.gg/anXWYCCdH5",
        ),
    ],
)
def test_organize_line_is_the_call_to_action(line: str, url: str) -> None:
    """The organize-here bullet of a city list becomes organize_url, not a location."""
    page = HEAD + "- **Berlin**, Germany ([x](https://lu.ma/b))\n" + line + "\n"
    imported = importer.parse_page(page, language="en")
    assert imported.event["organize_url"] == url
    assert [loc["city"] for loc in imported.event["locations"]] == ["Berlin"]
    assert imported.reports == ()
    assert imported.summary == f"1 locations from 2 bullets; organize link: {url}"


@pytest.mark.parametrize(
    ("words", "language"),
    [
        (("Where", "When"), "en"),
        (("Waar", "Wanneer"), "nl"),
        (("Wo", "Wann"), "de"),
        (("Où", "Quand"), "fr"),
        (("Dove", "Quando"), "it"),
        (("Dónde", "Cuándo"), "es"),
        (("Var", "När"), "sv"),
        (("Hvor", "Når"), "nb"),
        (("Hvar", "Hvenær"), "is"),
        (("Onde", "Quando"), "pt-BR"),
    ],
)
def test_where_when_block(words: tuple[str, str], language: str) -> None:
    """A Where/When block in any supported language is one location with the links below
    it, the time range of its When line and the time zone of its city."""
    where, when = words
    page = (
        "---\ntitle: PauseAI\n---\n\n"
        f"- {where}: Google DeepMind, 5 Pancras Square, London, UK\n"
        f"- **{when}:** 2025-06-30, 17:00 - 19:30\n"
        "- [Luma](https://lu.ma/bvffgzmb)\n"
        "- [Contact](mailto:london@pauseai.info)\n"
    )
    imported = importer.parse_page(page, language=language)
    assert imported.event["date"] == date(2025, 6, 30)
    assert imported.event["locations"] == [
        {
            "city": imported.event["locations"][0]["city"],
            "country": "GB",
            "venue": "Google DeepMind, 5 Pancras Square",
            "start_time": "17:00",
            "end_time": "19:30",
            "timezone": "Europe/London",
            "links": [
                {"url": "https://lu.ma/bvffgzmb", "label": "Luma"},
                {"url": "mailto:london@pauseai.info", "label": "Contact"},
            ],
        }
    ]
    assert fold(imported.event["locations"][0]["city"]) == "london"
    assert imported.reports == ()


@pytest.mark.parametrize(
    ("title", "heading", "options", "expected"),
    [
        (
            "Protest November 2024",
            "November 20th-22nd, in over 10 cities",
            {},
            ("2024-11-20", "2024-11-22"),
        ),
        (
            "Paris AI Summit — February 7\u201311",
            "Protests",
            {"year": 2025},
            ("2025-02-07", "2025-02-11"),
        ),
        (
            "Paris AI Summit — February 7\u201311",
            "Protests",
            {"when": date(2025, 2, 7)},
            ("2025-02-07", "2025-02-11"),
        ),
        ("Protest", "13-15 mei", {"year": 2024}, ("2024-05-13", "2024-05-15")),
        ("Protest 2024", "30 May \u2013 2 June", {}, ("2024-05-30", "2024-06-02")),
        ("Protest 2024", "13. bis 15. Mai {#may}", {}, ("2024-05-13", "2024-05-15")),
        # Across the New Year: both years written, or one, and the end in the next year.
        (
            "Protest 30 December 2024 \u2013 2 January 2025",
            "Protests",
            {},
            ("2024-12-30", "2025-01-02"),
        ),
        # One year written after a range that crosses New Year is the year of its end.
        ("Protest", "December 30th - January 2nd, 2024", {}, ("2023-12-30", "2024-01-02")),
        ("Protest", "30 December \u2013 2 January 2025", {}, ("2024-12-30", "2025-01-02")),
        # A year from elsewhere (the title, when the range is in a heading) is the start's.
        ("Protest 2025", "30 December \u2013 2 January", {}, ("2025-12-30", "2026-01-02")),
        ("Protest", "30 December - 2 January", {"year": 2024}, ("2024-12-30", "2025-01-02")),
        (
            "Protest",
            "December 30th - January 2nd",
            {"when": date(2024, 12, 30)},
            ("2024-12-30", "2025-01-02"),
        ),
        # A range ending before it starts, with --date: the date given, the end reported.
        ("Protest", "November 22nd-20th", {"when": date(2024, 11, 22)}, ("2024-11-22", None)),
    ],
)
def test_event_dates(
    title: str, heading: str, options: dict[str, Any], expected: tuple[str, str | None]
) -> None:
    """A day or a range from the heading or title; a missing year from --date (or YYYY)."""
    language = "nl" if "mei" in heading else "de" if "Mai" in heading else "en"
    page = f"---\ntitle: {title}\n---\n\n## {heading}\n\n- **Berlin**, Germany ([x](https://a.org/b))\n"
    imported = importer.parse_page(page, language=language, **options)
    first, last = expected
    assert imported.event["date"] == date.fromisoformat(first)
    assert imported.event.get("end_date") == (date.fromisoformat(last) if last else None)


def test_front_matter_gives_the_year_and_blank_lines_before_it() -> None:
    """Blank lines may precede the front matter; its date: gives a year the page omits."""
    page = (
        "\n\n---\ntitle: 'Next Protest: February 7\u201311'\ndate: 2025-01-20T10:00:00Z\n---\n\n"
        "- [**Paris**](https://lu.ma/vo3354ab), France\n"
    )
    imported = importer.parse_page(page, language="en")
    assert (imported.event["date"], imported.event["end_date"]) == (
        date(2025, 2, 7),
        date(2025, 2, 11),
    )
    assert imported.lines["locations.0"] == 8


def test_commented_out_bullets_are_reported() -> None:
    """A bullet hidden in an HTML comment inside a city list is reported with its line."""
    page = (
        HEAD + "- Netherlands, Den Haag ([Sign up](https://www.mixily.com/event/85))\n"
        "  <!-- - Belgium, Brussels ([Sign up](https://www.mixily.com/event/27)) -->\n"
        "- Denmark, Copenhagen ([Facebook](https://www.facebook.com/events/86))\n"
    )
    imported = importer.parse_page(page, language="en")
    assert [loc["city"] for loc in imported.event["locations"]] == ["Den Haag", "Copenhagen"]
    assert [(r.line, r.level, r.message) for r in imported.reports] == [
        (9, "note", "skipped: commented out: 'Belgium, Brussels (Sign up)'")
    ]


def test_strict_turns_warnings_into_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --strict a skipped bullet fails the import and nothing is written."""
    page = tmp_path / "page.en.md"
    page.write_text(
        HEAD + "- **Berlin**, Germany ([x](https://a.org/b))\n- **Atlantis**, Atlantida\n"
    )
    assert import_command.main([str(page), "--out", str(tmp_path / "out"), "--strict"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{page}:9: skipped: no country recognised in 'Atlantis, Atlantida'"
    assert err[-1] == f"{page}: 1 locations from 2 bullets; 1 skipped (listed above)"
    assert not (tmp_path / "out").exists()
    assert import_command.main([str(page), "--out", str(tmp_path / "out")]) == 0


# --- the property: every shape round-trips, whatever CLDR names it ----------------------


@st.composite
def _places(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(language, city as written, country name as written, country code) from CLDR."""
    language = draw(st.sampled_from(SUPPORTED_LANGUAGES))
    zones = sorted(
        (zone, str(territory))
        for zone, territory in get_global("zone_territories").items()
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))
    )
    zone, code = draw(st.sampled_from(zones))
    city = locale(language).time_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1]
    city = str(city).replace("_", " ").replace("\u00ad", "")
    country = str(Locale.parse(language.replace("-", "_")).territories.get(code, code))
    return language, city, country, code


def _plain_name(name: str) -> bool:
    """Names a page can write in a list: no comma, parenthesis or Markdown syntax."""
    return not re.search(r"[,()\[\]*_#<>`/]", name)


_SHAPES = {
    "seed": "{b}**{city}{i}**{o} {country}{e} ([{label}]({url}))",
    "bold-link": "{b}**[{city}, {country}]({url})**{e}",
    "link-bold": "{b}[**{city}**]({url}){o} {country}{e}",
    "country-first": "{b}{country}, {city} ([{label}]({url}))",
    "tba": "{b}**{city}{i}**{o} {country}{e} _(details t.b.a.)_",
    # A single-location block: the Where: word of the page's language, the link below.
    "where": "{b}{where}: {city}{i}{o} {country}{e}\n{b}[{label}]({url})",
}
WHERE = {
    "en": "Where",
    "nl": "Waar",
    "de": "Wo",
    "fr": "Où",
    "it": "Dove",
    "es": "Dónde",
    "sv": "Var",
    "nb": "Hvor",
    "is": "Hvar",
    "pt-BR": "Onde",
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _places(),
    st.sampled_from(sorted(_SHAPES)),
    st.sampled_from(["- ", "* ", "+ "]),
    st.sampled_from([("", ","), (",", ""), (".", ","), ("", ", "), (",", ",")]),
    st.sampled_from(["", ".", "  ", " "]),
    st.sampled_from(["Sign up", "meld je aan op Facebook", "Luma", "RSVP"]),
)
def test_every_shape_round_trips(
    place: tuple[str, str, str, str],
    shape: str,
    bullet: str,
    commas: tuple[str, str],
    end: str,
    label: str,
) -> None:
    """A bullet of any shape, for any CLDR city in any country written in any supported
    language, with any punctuation around the bold, imports as that city and country with
    its link (and label) — or, for a t.b.a. bullet, with no link and status tba."""
    language, city, country, code = place
    # Not writable as a list item, or a city named like a country ('Panama'): skip.
    assume(_plain_name(city) and _plain_name(country) and not country_candidates(city))
    inside, outside = commas
    url = "https://lu.ma/" + re.sub(r"[^a-z0-9]", "", fold(city)) + "x"
    line = _SHAPES[shape].format(
        b=bullet,
        city=city,
        country=country,
        i=inside,
        o=outside,
        e=end,
        label=label,
        url=url,
        where=WHERE[language],
    )
    imported = importer.parse_page(HEAD + line + "\n", language=language)
    assert [r for r in imported.reports if r.level != "note"] == [], line
    [location] = imported.event["locations"]
    assert location["country"] == code, line
    written = imported.text.get("cities", {})
    assert fold(written.get(_id(location), location["city"])) == fold(city), (line, location)
    if shape == "tba":
        assert (location["status"], "links" in location) == ("tba", False), line
    else:
        labelled = shape in ("seed", "country-first", "where")
        link = {"url": url, "label": label} if labelled else {"url": url}
        assert location["links"] == [link], line


def _id(location: dict[str, Any]) -> str:
    return str(location.get("id") or slugify(location["city"]))


# --- the six example pages, end to end ----------------------------------------------------


def _links(*pairs: tuple[str, str | None]) -> list[dict[str, str]]:
    return [{"url": url, **({"label": label} if label else {})} for url, label in pairs]


def _simple(city: str, country: str, url: str | None, label: str | None = None) -> dict[str, Any]:
    if url is None:
        return {"city": city, "country": country, "status": "tba"}
    return {"city": city, "country": country, "links": _links((url, label))}


DE_LABEL = "melden Sie sich auf {} an"
PAGES: dict[str, dict[str, Any]] = {
    "2024-november.md": {
        "args": [],
        "date": date(2024, 11, 20),
        "end_date": date(2024, 11, 22),
        "organize_url": "https://discord.gg/2XXWXvErfA",
        "bullets": 12,
        "reports": [],
        "locations": [
            _simple(
                "San Francisco",
                "US",
                "https://facebook.com/events/s/tell-anthropic-to-pause-ai/917486370313748/",
            ),
            _simple("London", "GB", "https://lu.ma/qtlk8l6y"),
            _simple("Oxford", "GB", None),
            _simple("Osnabrück", "DE", "https://lu.ma/glguga9k"),
            _simple("Paris", "FR", "https://lu.ma/0tjhnnf9"),
            _simple("Oslo", "NO", "https://fb.me/e/5OYXuGCj4"),
            _simple(
                "Kristiansand",
                "NO",
                "https://facebook.com/events/s/internasjonal-protest-kristian/920543192766699/",
            ),
            _simple("Zürich", "CH", "https://lu.ma/t031iy9r"),
            _simple("Kinshasa", "CD", "https://lu.ma/klejgi5p"),
            _simple("Milan", "IT", "https://chat.whatsapp.com/Cue9aeK6kpJFoDxT3xV9Zx"),
            _simple("Skopelos", "GR", "https://lu.ma/lpl93rlo"),
        ],
    },
    "2025-february.md": {
        "args": ["--date", "2025-02-07"],
        "date": date(2025, 2, 7),
        "end_date": date(2025, 2, 11),
        "organize_url": "https://discord.gg/9MN5yhNR3K",
        "bullets": 18,
        "reports": [],
        "locations": [
            _simple("Paris", "FR", "https://lu.ma/vo3354ab"),
            _simple("New York", "US", "https://lu.ma/user/pauseainyc"),
            _simple("Victoria", "CA", "https://lu.ma/azbyo7ik"),
            _simple("London", "GB", "https://lu.ma/0h69asxw"),
            _simple("Berlin", "DE", "https://lu.ma/7sjdot1d"),
            _simple("Brussels", "BE", "https://lu.ma/sudbttnx"),
            _simple("Zürich", "CH", None),
            _simple("Prague", "CZ", "https://lu.ma/6t4fmgw0"),
            _simple("Milan", "IT", None),
            _simple("Stockholm", "SE", "https://www.facebook.com/events/1844597859610851"),
            _simple("Copenhagen", "DK", "https://fb.me/e/6kJob0cvU"),
            _simple("Oslo", "NO", "https://lu.ma/iazbqzr1"),
            _simple("Kristiansand", "NO", "https://lu.ma/kla08ott"),
            _simple("Trondheim", "NO", "https://lu.ma/w5cxxfuq"),
            _simple("Kinshasa", "CD", "https://lu.ma/9l5fif4e"),
            _simple("Brazzaville", "CG", "https://lu.ma/jhhimjt3"),
            _simple("N'Djaména", "TD", "https://lu.ma/amtxwy69"),
            _simple("Melbourne", "AU", "https://lu.ma/hnzqf46d"),
        ],
    },
    "2023-oct.md": {
        "args": [],
        "date": date(2023, 10, 21),
        "end_date": None,
        "organize_url": "https://discord.gg/anXWYCCdH5",
        "bullets": 8,
        # The commented-out cities, then the press release's list repeating the cities.
        "reports": [16, 17, 20, 21, 61, 62, 63, 64, 65, 66, 67, 68],
        "locations": [
            _simple("San Francisco", "US", "https://fb.me/1RbYq9H2hOFQ4yi", "Facebook"),
            _simple(
                "Boston",
                "US",
                "https://facebook.com/events/s/pauseai-protest-boston-make-th/6647554948613714/?mibextid=RQdjqZ",
                "Facebook",
            ),
            {
                "city": "London",
                "country": "GB",
                "venue": "Parliament Square",
                "links": _links(
                    ("https://www.mixily.com/event/4774799330762010477", "Sign up"),
                    ("https://www.facebook.com/events/644748401084077", "Facebook"),
                ),
            },
            _simple(
                "Den Haag", "NL", "https://www.mixily.com/event/8536294863402363208", "Sign up"
            ),
            _simple(
                "Melbourne", "AU", "https://www.mixily.com/event/8471341506387452508", "Sign up"
            ),
            {
                "city": "Ottawa",
                "country": "CA",
                "links": _links(
                    ("https://www.facebook.com/events/243643008241929/", "Facebook"),
                    (
                        "https://www.eventbrite.com/e/ai-safety-and-ethics-rally-tickets-725729686027",
                        "Eventbrite",
                    ),
                ),
            },
            _simple(
                "Copenhagen", "DK", "https://www.facebook.com/events/869443424535827", "Facebook"
            ),
        ],
    },
    "2024-february.md": {
        "args": [],
        "date": date(2024, 2, 12),
        "end_date": None,
        "organize_url": None,
        "bullets": 5,
        "reports": [],
        "locations": [
            {
                "city": "San Francisco",
                "country": "US",
                "venue": "OpenAI HQ",
                "start_time": "16:30",
                "end_time": "18:00",
                "timezone": "America/Los_Angeles",
                "links": _links(
                    ("https://fb.me/e/78BzWmaaj", "Facebook event"),
                    ("https://openaiprotest.com/", "Website"),
                ),
            },
            # "UK (exact location TBD) / 4:00 pm GMT", in prose below the block.
            {"country": "GB", "status": "tba", "start_time": "16:00", "timezone": "Europe/London"},
        ],
    },
    "2024-may.de.md": {
        "args": [],
        "date": date(2024, 5, 13),
        "end_date": None,
        "organize_url": None,
        "bullets": 14,
        "reports": [],
        "locations": [
            _simple(
                "San Francisco",
                "US",
                "https://www.facebook.com/events/456991866681797",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "New York City",
                "US",
                "https://www.eventbrite.com/e/pause-ai-global-protest-nyc-tickets-886528309037",
                DE_LABEL.format("Eventbrite"),
            ),
            _simple(
                "Berlin",
                "DE",
                "https://www.facebook.com/events/1534322907129050",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "London",
                "GB",
                "https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl",
                DE_LABEL.format("Partiful"),
            ),
            _simple(
                "Rome",
                "IT",
                "https://www.facebook.com/events/417734010986567",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "Stockholm",
                "SE",
                "https://www.facebook.com/events/1162646671535524",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "Den Haag",
                "NL",
                "https://chat.whatsapp.com/EOGvhoPCiCqDqwuf9JUxtB",
                "beitreten Sie der Whatsapp-Gruppe",
            ),
            _simple(
                "Paris",
                "FR",
                "https://partiful.com/e/3Tl1xrS6i9NUZxyJGf5G",
                DE_LABEL.format("Partiful"),
            ),
            _simple(
                "Oslo",
                "NO",
                "https://www.facebook.com/events/387681614269297",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "Sydney",
                "AU",
                "https://www.facebook.com/events/7938915256120263/",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "Ottawa",
                "CA",
                "https://partiful.com/e/kDiSnc8mEVfOXLiLrPA9",
                DE_LABEL.format("Partiful"),
            ),
            _simple(
                "Reykjavík",
                "IS",
                "https://www.facebook.com/share/hyEJ9yxVUQjNAiHT/?mibextid=9l3rBW",
                DE_LABEL.format("Facebook"),
            ),
            _simple(
                "Portland",
                "US",
                "https://www.meetup.com/portland-effective-altruism-and-rationality/events/300959579/",
                DE_LABEL.format("Meetup"),
            ),
            _simple(
                "São Paulo",
                "BR",
                "https://www.meetup.com/hack-life-culture-ai-era/events/300498572/",
                DE_LABEL.format("Meetup"),
            ),
        ],
    },
}


def test_example_copies_are_the_shared_pages() -> None:
    """The test copies of the example pages are byte for byte the shared ones."""
    if not SHARED_EXAMPLES.exists():
        pytest.skip("shared/ is not beside this checkout (running from a wheel or sdist)")
    for page in EXAMPLES.iterdir():
        assert page.read_bytes() == (SHARED_EXAMPLES / page.name).read_bytes(), page.name


def _import_example(name: str, out: Path) -> tuple[importer.ImportedPage, Path]:
    """Import one example page with the CLI into ``out``; the page as parsed and its dir."""
    spec = PAGES[name]
    assert import_command.main([str(EXAMPLES / name), "--out", str(out), *spec["args"]]) == 0
    language = "de" if name.endswith(".de.md") else "en"
    year = {"--date": 2025} if "--date" in spec["args"] else {}
    page = importer.parse_page(
        (EXAMPLES / name).read_text(), language=language, year=year.get("--date")
    )
    return page, out / page.slug


@pytest.mark.parametrize("name", sorted(PAGES))
def test_example_page_imports_exactly(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every location, link, date and the organize link of a real page, exactly; every
    bullet of its city list accounted for. A page named without .LANG.md (PauseAI's
    English originals) is read as English, and the import says so."""
    spec = PAGES[name]
    page, directory = _import_example(name, tmp_path)
    note = f"{EXAMPLES / name}: language: en (no .LANG.md suffix; pass --lang to change)"
    assert (note in capsys.readouterr().err.splitlines()) == (name.count(".") == 1)
    written = yaml.safe_load((directory / "event.yaml").read_text())
    assert written["locations"] == spec["locations"]
    assert (written["date"], written.get("end_date")) == (spec["date"], spec["end_date"])
    assert written.get("organize_url") == spec["organize_url"]
    assert [r.line for r in page.reports] == spec["reports"]
    assert all(r.level == "note" for r in page.reports)
    assert page.bullets == spec["bullets"]


def test_page_without_a_list_is_refused_with_a_starter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report of a past protest (no city list) exits 1, says what was looked for and
    prints a starter event.yaml with the date, the links and the press it found."""
    page = EXAMPLES / "deepmind-protest-2025.md"
    assert import_command.main([str(page), "--out", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{page}: language: en (no .LANG.md suffix; pass --lang to change)",
        f"{page}: {importer.LOOKED_FOR}",
        f"{page}: a starter event.yaml is on stdout",
    ]
    starter = yaml.safe_load(captured.out)
    assert starter["date"] == date(2025, 6, 30)
    assert starter["locations"] == [
        {
            "city": "CITY",
            "country": "XX",
            "links": [{"url": "https://lu.ma/bvffgzmb", "label": "here"}],
        }
    ]
    assert [p["title"] for p in starter["press"]] == [
        "Business Insider",
        "Islington Tribune",
        "Times of India",
        "Tech Times",
    ]
    assert list(tmp_path.iterdir()) == []


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value or "" for name, value in attrs if name == "href")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_example_page_is_served(name: str, tmp_path: Path) -> None:
    """The imported directory loads, and the widget, JSON and iCalendar carry every
    location and every link (the widget's as counted /go/ links)."""
    _import_example(name, tmp_path / "data")
    catalog, problems = load(tmp_path / "data")
    assert problems == [] and catalog is not None
    [event] = catalog.events
    before = datetime.combine(event.date - timedelta(days=3), datetime.min.time(), UTC)
    app = create_app(
        Settings(public_url=PUBLIC_URL, data_dir=tmp_path / "data", now=before, reload_seconds=0)
    )
    expected = PAGES[name]["locations"]
    with TestClient(app, base_url=PUBLIC_URL) as client:
        document = client.get(f"/events/{event.slug}.json").json()
        assert [
            {
                "city": loc["city"],
                "country": loc["country"],
                "links": [{"url": k["url"], "label": k["label"]} for k in loc["links"]],
            }
            for loc in document["locations"]
        ] == [
            {
                "city": loc.get("city"),
                "country": loc.get("country"),
                "links": [{"url": k["url"], "label": k.get("label")} for k in loc.get("links", [])],
            }
            for loc in expected
        ]
        embed = client.get(f"/embed/{event.slug}")
        assert embed.status_code == 200
        anchors = _Anchors()
        anchors.feed(embed.text)
        for location in event.locations:
            for number in range(1, len(location.links) + 1):
                assert go_url(PUBLIC_URL, event.slug, location.id, number) in anchors.hrefs
        calendar = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").content)
        events = [c for c in calendar.walk("VEVENT")]
        assert len(events) == len(expected)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # 2023-august-nl: the city from the Where: line, its country from the title.
        (
            "---\ntitle: PauseAI protest @ The Hague, Netherlands - August 11th\n---\n\n"
            "- PauseAI protest\n- Where: Wijnhaven, The Hague\n"
            "- When: 11th of August 2023, 16:00 - 17:00\n",
            {
                "city": "The Hague",
                "country": "NL",
                "status": "tba",
                "venue": "Wijnhaven",
                "start_time": "16:00",
                "end_time": "17:00",
                "timezone": "Europe/Amsterdam",
            },
        ),
        # 2023-june-melbourne: "Venue:" and "Date & Time:" labels; the city from the title.
        (
            "---\ntitle: PauseAI protest @ Melbourne - June 16th\n---\n\n"
            "- Date & Time: Friday, June 16, 2 pm AEST\n"
            "- Venue: Main entrance of MCEC, 1 Convention Centre Place, South Wharf, VIC 3006, "
            "Australia\n",
            {
                "city": "Melbourne",
                "country": "AU",
                "status": "tba",
                "venue": "Main entrance of MCEC, 1 Convention Centre Place, South Wharf, VIC 3006",
                "start_time": "14:00",
                "timezone": "Australia/Melbourne",
            },
        ),
        # 2023-july-london-13th: a parenthesis and a postcode in the Where: line, 'pm' once.
        (
            "---\ntitle: PauseAI protest @ FCDO, London, July 13th\n---\n\n"
            "- Where: outside the Foreign, Commonwealth and Development Office (FCDO), "
            "King Charles Street, Westminster, London, SW1A 2AH\n"
            "- When: 13th of July, 4.30 - 5.30 pm\n"
            "- [Sign up](https://docs.google.com/forms/d/e/1FAIpQ/viewform)\n",
            {
                "city": "London",
                "country": "GB",
                "venue": "outside the Foreign, Commonwealth and Development Office, "
                "King Charles Street, Westminster, SW1A 2AH",
                "start_time": "16:30",
                "end_time": "17:30",
                "timezone": "Europe/London",
                "links": [
                    {"url": "https://docs.google.com/forms/d/e/1FAIpQ/viewform", "label": "Sign up"}
                ],
            },
        ),
        # brussels-microsoft-protest: no labels; the place is a map link, the date a bullet.
        (
            "---\ntitle: PauseAI protest @ OpenAI - May 20th, 2023\n---\n\n"
            "- May 23rd, 2023, 12:00 - 14:00\n"
            "- [Microsoft Innovation Center, Rue Montoyer 51, Bruxelles, Belgium]"
            "(https://goo.gl/maps/bvLbHDt61eSfpZV28)\n"
            "- [Sign up here](https://discord.gg/Epg6AsmQ?event=1103338741906550844)\n",
            {
                "city": "Brussels",
                "country": "BE",
                "venue": "Microsoft Innovation Center, Rue Montoyer 51",
                "start_time": "12:00",
                "end_time": "14:00",
                "timezone": "Europe/Brussels",
                "links": [
                    {
                        "url": "https://discord.gg/Epg6AsmQ?event=1103338741906550844",
                        "label": "Sign up here",
                    },
                    {"url": "https://goo.gl/maps/bvLbHDt61eSfpZV28", "label": "Map"},
                ],
            },
        ),
        # A city neither CLDR nor the country names: the gazetteer's, with its zone.
        (
            "---\ntitle: PauseAI protest\n---\n\n- Where: Balboa Park, San Diego\n"
            "- When: March 3rd, 2024, 2 pm - 4 pm\n- [Sign up](https://lu.ma/sd)\n",
            {
                "city": "San Diego",
                "country": "US",
                "venue": "Balboa Park",
                "start_time": "14:00",
                "end_time": "16:00",
                "timezone": "America/Los_Angeles",
                "links": [{"url": "https://lu.ma/sd", "label": "Sign up"}],
            },
        ),
    ],
    ids=["hague", "melbourne", "london", "brussels", "gazetteer"],
)
def test_single_location_pages(page: str, expected: dict[str, Any]) -> None:
    """Real single-location blocks: place, venue, links and time range, nothing invented;
    a When: line's date wins over the title's."""
    imported = importer.parse_page(page, language="en", year=2023)
    assert imported.event["locations"] == [expected]
    assert [r.level for r in imported.reports] in ([], ["note"])
    if "May 23rd" in page:
        assert imported.event["date"] == date(2023, 5, 23)


def test_cli_date_year_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--date YYYY gives the year of a page that writes only day and month (a range)."""
    page = EXAMPLES / "2025-february.md"
    assert import_command.main([str(page), "--out", str(tmp_path)]) == 1
    assert "pass --date YYYY-MM-DD (or --date YYYY)" in capsys.readouterr().err
    assert import_command.main([str(page), "--date", "2025", "--out", str(tmp_path)]) == 0
    catalog, problems = load(tmp_path)
    assert problems == [] and catalog is not None
    [event] = catalog.events
    assert (event.date, event.end_date) == (date(2025, 2, 7), date(2025, 2, 11))


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        # A heading naming the country of the cities below it.
        (
            "### Germany {#de}\n\n- Berlin ([x](https://a.org/1))\n- **Köln** _(tba)_\n\n"
            "### France\n\n- Paris ([x](https://a.org/2))\n",
            [
                ("Berlin", "DE", "https://a.org/1"),
                ("Köln", "DE", None),
                ("Paris", "FR", "https://a.org/2"),
            ],
        ),
        # A country bullet with its cities nested below it.
        (
            "- Germany\n  - Hamburg ([x](https://a.org/1))\n  - Köln\n"
            "- Netherlands\n  - Utrecht ([x](https://a.org/3))\n",
            [
                ("Hamburg", "DE", "https://a.org/1"),
                ("Köln", "DE", None),
                ("Utrecht", "NL", "https://a.org/3"),
            ],
        ),
        # A numbered list; a country in parentheses; a link after a separator; a city named
        # like its state; a flag for the country.
        (
            "1. **Oxford** (UK) - [Sign up](https://a.org/o)\n"
            "2. **Paris**, France: [Sign up](https://a.org/p)\n"
            "3. **Washington, DC**, USA ([x](https://a.org/w))\n"
            "4. \U0001f1e9\U0001f1ea Hamburg ([x](https://a.org/h))\n",
            [
                ("Oxford", "GB", "https://a.org/o"),
                ("Paris", "FR", "https://a.org/p"),
                ("Washington", "US", "https://a.org/w"),
                ("Hamburg", "DE", "https://a.org/h"),
            ],
        ),
        # Two or three bold places in one bullet: one location each, with the links after it.
        (
            "- **Paris**, France ([Sign up](https://lu.ma/p)) and **Lyon**, France "
            "([Sign up](https://lu.ma/l))\n"
            "- [**Oslo**](https://lu.ma/o), Norway, [**Bergen**](https://lu.ma/b), Norway & "
            "**Trondheim**, Norway _(details t.b.a.)_\n",
            [
                ("Paris", "FR", "https://lu.ma/p"),
                ("Lyon", "FR", "https://lu.ma/l"),
                ("Oslo", "NO", "https://lu.ma/o"),
                ("Bergen", "NO", "https://lu.ma/b"),
                ("Trondheim", "NO", None),
            ],
        ),
    ],
    ids=["headings", "nested", "numbered", "two-cities-one-bullet"],
)
def test_country_groups_and_list_kinds(
    lists: str, expected: list[tuple[str, str, str | None]]
) -> None:
    """Cities grouped under a country heading or bullet take its country; numbered lists,
    parenthesized countries and flags read like the rest."""
    imported = importer.parse_page(HEAD + lists, language="en")
    assert [
        (loc["city"], loc["country"], loc["links"][0]["url"] if "links" in loc else None)
        for loc in imported.event["locations"]
    ] == expected
    assert imported.reports == ()


@pytest.mark.parametrize(
    ("page", "status", "expected"),
    [
        # An older version of 2023-oct.md: country first, a time in the place, a state.
        (
            "---\ntitle: International PauseAI protest (UK, US, NL)\n---\n\n"
            "## October 21st, in multiple countries\n\n"
            "- NL, The Hague, Wijnhaven, 16:00 - 18:00\n- US, CA\n"
            "- UK, Parliament Square, London\n"
            "- Your country here? [Discuss on discord!](https://discord.gg/anXWYCCdH5)\n",
            "scheduled",
            [
                {
                    "city": "The Hague",
                    "country": "NL",
                    "status": "tba",
                    "venue": "Wijnhaven",
                    "start_time": "16:00",
                    "end_time": "18:00",
                    "timezone": "Europe/Amsterdam",
                },
                {"country": "US", "status": "tba"},
                {"city": "London", "country": "GB", "status": "tba", "venue": "Parliament Square"},
            ],
        ),
        # 2023-july-nyc: called off, in the title and in the block.
        (
            "---\ntitle: (Cancelled) PauseAI protest @ United Nations, NYC, July 18th\n---\n\n"
            "- Where: United Nations HQ, New York\n- When: 18th of July, 9:30 - 10:30 am\n"
            "- CANCELLED\n",
            "cancelled",
            [
                {
                    "city": "New York",
                    "country": "US",
                    "status": "cancelled",
                    "venue": "United Nations HQ",
                    "start_time": "09:30",
                    "end_time": "10:30",
                    "timezone": "America/New_York",
                }
            ],
        ),
    ],
    ids=["2023-oct-older", "2023-july-nyc"],
)
def test_older_real_pages(page: str, status: str, expected: list[dict[str, Any]]) -> None:
    """Real pages of other shapes and older versions import with every fact right."""
    imported = importer.parse_page(page, language="en", year=2023)
    assert imported.event["status"] == status
    assert imported.event["locations"] == expected
    assert all(r.level == "note" for r in imported.reports)
