"""The widget document (GET /embed/{slug}) and its view builder, through TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from widget.app import create_app
from widget.assets import Assets
from widget.documents.widget_view import (
    DARK_BACKGROUND,
    DEFAULT_PALETTE,
    LIGHT_BACKGROUND,
    build_view,
    contrast,
    palette,
    readable,
    relative_luminance,
)
from widget.model import Location
from widget.params import ViewOptions
from widget.settings import Settings
from widget.store import load_or_raise
from widget.timing import Phase

from conftest import AFTER, BEFORE, PUBLIC_URL, SAMPLE_CITIES, SAMPLE_SLUG
from xss import assert_no_foreign_markup, load_payloads

ON_DAY = datetime(2024, 5, 13, 12, 0, tzinfo=UTC)


def soup(html: str) -> BeautifulSoup:
    """Parse a page."""
    return BeautifulSoup(html, "html.parser")


def widget(
    client: TestClient, query: str = "", slug: str = SAMPLE_SLUG, **kwargs: Any
) -> BeautifulSoup:
    """GET the widget and parse it (asserting a 200 HTML answer)."""
    response = client.get(f"/embed/{slug}{'?' + query if query else ''}", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return soup(response.text)


def rows(page: BeautifulSoup) -> list[tuple[str, str, str]]:
    """(country heading, city, link href) for every city row, in page order."""
    found = []
    for country in page.select(".country"):
        heading = country.find("h2")
        assert isinstance(heading, Tag)
        for item in country.select("li"):
            city = item.select_one(".city")
            assert city is not None
            link = item.find("a")
            href = str(link["href"]) if isinstance(link, Tag) else ""
            found.append((heading.get_text(), city.get_text(), href))
    return found


def text_of(page: BeautifulSoup, selector: str) -> str:
    """The whitespace-normalized text of the first element matching ``selector``."""
    element = page.select_one(selector)
    assert element is not None, selector
    return " ".join(element.get_text().split())


@contextmanager
def event_client(
    tmp_path: Path,
    locations: list[dict[str, Any]],
    *,
    now: datetime = BEFORE,
    texts: dict[str, dict[str, Any]] | None = None,
    **facts: Any,
) -> Iterator[TestClient]:
    """A client on a data directory holding one event 'demo' built from the arguments."""
    root = tmp_path / "events"
    directory = root / "demo"
    directory.mkdir(parents=True)
    event = {"date": "2024-05-13", "default_language": "en", "locations": locations, **facts}
    (directory / "event.yaml").write_text(yaml.safe_dump(event, allow_unicode=True), "utf-8")
    for language, front in (texts or {"en": {"title": "Demo protest"}}).items():
        body = front.pop("body", "")
        text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}\n"
        (directory / f"{language}.md").write_text(text, "utf-8")
    load_or_raise(root)  # fail here, with the problems, when the test data is invalid
    settings = Settings(public_url=PUBLIC_URL, data_dir=root, now=now, reload_seconds=0)
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        yield client


def test_widget_shows_title_date_and_every_city(client: TestClient) -> None:
    """The sample widget has the title, the date, 12 country headings and 14 signup rows."""
    page = widget(client, "lang=en")
    assert page.html is not None and page.html["lang"] == "en"
    assert text_of(page, "h1") == "PauseAI international protest, 13 May 2024"
    assert page.title is not None
    assert page.title.get_text() == "PauseAI international protest, 13 May 2024 · PauseAI widget"
    assert page.select_one("main h1") is not None, "the title is inside the main landmark"
    time_element = page.select_one(".meta time")
    assert time_element is not None and time_element["datetime"] == "2024-05-13"
    assert time_element.get_text() == "Monday, May 13, 2024"
    assert text_of(page, ".meta") == "Monday, May 13, 2024 · 14 cities · 12 countries"
    found = rows(page)
    assert {city for _, city, _ in found} == set(SAMPLE_CITIES)
    headings = [h.get_text() for h in page.select(".country h2")]
    assert headings == sorted(headings) and len(headings) == 12
    assert ("United States", "Portland", f"{PUBLIC_URL}/go/{SAMPLE_SLUG}/portland") in found
    assert ("Netherlands", "The Hague", f"{PUBLIC_URL}/go/{SAMPLE_SLUG}/den-haag") in found


def test_signup_links_name_platform_and_new_tab(client: TestClient) -> None:
    """Each signup link says city, platform action and that it opens a new tab; it has an icon."""
    page = widget(client, "lang=en")
    expected = {
        "San Francisco": "Sign up on Facebook",
        "New York City": "Register on Eventbrite",
        "London": "RSVP on Partiful",
        "The Hague": "Join the WhatsApp group",
        "Portland": "Join on Meetup",
        "Reykjavík": "Sign up on Facebook",
    }
    links = {text_of(a, ".city"): a for a in page.select("a.row")}
    assert len(links) == 14
    for city, label in expected.items():
        link = links[city]
        assert " ".join(link.get_text().split()) == f"{city} {label} (opens in a new tab)"
        assert link["target"] == "_blank" and "noopener" in link["rel"]
        icon = link.select_one("svg.icon")
        assert icon is not None and icon["aria-hidden"] == "true"
        use = icon.find("use")
        assert isinstance(use, Tag)
        assert page.select_one(f"symbol{use['href']}") is not None, (
            "icon symbol defined on the page"
        )
    assert page.select_one("a.row .vh") is not None


@pytest.mark.parametrize(
    ("url", "label", "icon"),
    [
        ("https://www.facebook.com/events/1", "Sign up on Facebook", "facebook"),
        ("https://www.eventbrite.co.uk/e/1", "Register on Eventbrite", "eventbrite"),
        ("https://partiful.com/e/1", "RSVP on Partiful", "partiful"),
        ("https://chat.whatsapp.com/1", "Join the WhatsApp group", "whatsapp"),
        ("https://www.meetup.com/g/events/1", "Join on Meetup", "meetup"),
        ("https://lu.ma/abc", "Register on Luma", "luma"),
        ("https://www.mobilize.us/pauseai/event/1", "Sign up on Mobilize", "mobilize"),
        ("https://actionnetwork.org/events/1", "Sign up on Action Network", "actionnetwork"),
        ("https://discord.gg/abc", "Join the Discord", "discord"),
        ("https://pauseai.info/signup", "Sign up on the website", "website"),
        ("mailto:utrecht@pauseai.info", "Email the organizers", "email"),
    ],
)
def test_every_platform_has_label_and_icon(tmp_path: Path, url: str, label: str, icon: str) -> None:
    """A location on each platform gets its own wording and a defined, non-empty icon."""
    with event_client(
        tmp_path, [{"city": "Utrecht", "country": "NL", "signup_url": url}]
    ) as client:
        page = widget(client, "lang=en", slug="demo")
    link = page.select_one("a.row")
    assert link is not None
    assert text_of(link, ".how") == label
    use = link.select_one("use")
    assert use is not None and use["href"] == f"#pw-{icon}"
    symbol = page.select_one(f"symbol#pw-{icon}")
    assert symbol is not None and symbol.find("path") is not None
    assert "http" not in str(symbol), "icons reference no URL"


def test_dutch_widget_uses_dutch_names_and_overrides(client: TestClient) -> None:
    """lang=nl: Dutch UI, CLDR country names in Dutch, the Dutch text's city-name overrides."""
    response = client.get(f"/embed/{SAMPLE_SLUG}?lang=nl")
    page = soup(response.text)
    assert response.headers["content-language"] == "nl"
    assert "accept-language" not in response.headers.get("vary", "").lower()
    assert page.html is not None and page.html["lang"] == "nl"
    assert text_of(page, "h1") == "Internationaal PauseAI-protest op 13 mei 2024"
    found = {(country, city) for country, city, _ in rows(page)}
    assert ("Duitsland", "Berlijn") in found
    assert ("Verenigd Koninkrijk", "Londen") in found
    assert ("Nederland", "Den Haag") in found
    assert text_of(page, ".meta time") == "maandag 13 mei 2024"


def test_text_in_another_language_is_marked(client: TestClient) -> None:
    """lang=de without German text: German UI, the default-language title marked lang=nl."""
    page = widget(client, "lang=de")
    heading = page.select_one("h1")
    assert heading is not None and heading["lang"] == "nl"
    assert page.html is not None and page.html["lang"] == "de"
    assert ("Deutschland", "Berlin") in {(c, city) for c, city, _ in rows(page)}


def test_language_from_accept_language_varies(client: TestClient) -> None:
    """Without lang, Accept-Language picks the language and the response says Vary."""
    response = client.get(f"/embed/{SAMPLE_SLUG}", headers={"accept-language": "en-GB,en;q=0.8"})
    assert response.headers["content-language"] == "en"
    assert "Accept-Language" in response.headers["vary"]
    fallback = client.get(f"/embed/{SAMPLE_SLUG}", headers={"accept-language": "ja"})
    assert fallback.headers["content-language"] == "nl", "the event's default language"


@pytest.mark.parametrize(
    ("theme", "scheme"), [("light", "light"), ("dark", "dark"), ("auto", "light dark")]
)
def test_theme_sets_data_attribute_and_color_scheme(
    client: TestClient, theme: str, scheme: str
) -> None:
    """theme= becomes <html data-theme> and the color-scheme meta."""
    page = widget(client, f"theme={theme}")
    assert page.html is not None and page.html["data-theme"] == theme
    meta = page.select_one('meta[name="color-scheme"]')
    assert meta is not None and meta["content"] == scheme


def test_accent_is_passed_as_data_and_applied_by_hashed_script(client: TestClient) -> None:
    """accent= yields readable variants as data-* attributes and the inline accent script."""
    response = client.get(f"/embed/{SAMPLE_SLUG}?accent=%23FFFF00")
    page = soup(response.text)
    root = page.html
    assert root is not None
    expected = palette("#ffff00")
    assert (root["data-brand"], root["data-ink"]) == ("#ffff00", "#000000")
    assert (root["data-accent-light"], root["data-accent-dark"]) == (expected.light, expected.dark)
    inline = [s for s in page.find_all("script") if not s.get("src")]
    assert len(inline) == 1
    assert Assets()["accent.js"].csp_hash in response.headers["content-security-policy"]
    plain = soup(client.get(f"/embed/{SAMPLE_SLUG}").text)
    assert plain.html is not None and "data-brand" not in plain.html.attrs
    assert all(s.get("src") for s in plain.find_all("script")), "no inline script without accent"


def test_country_filter_keeps_only_those_countries(client: TestClient) -> None:
    """country=US,nl shows the three US cities and The Hague, and says 4 cities."""
    page = widget(client, "lang=en&country=US,nl")
    assert sorted(city for _, city, _ in rows(page)) == [
        "New York City",
        "Portland",
        "San Francisco",
        "The Hague",
    ]
    assert text_of(page, ".meta").endswith("4 cities · 2 countries")
    assert text_of(page, "footer a") == "All 14 cities and details (opens in a new tab)"


def test_city_filter_and_union_with_country(client: TestClient) -> None:
    """city= keeps those locations; with country= a location matching either is shown."""
    only = widget(client, "lang=en&city=den-haag")
    assert [city for _, city, _ in rows(only)] == ["The Hague"]
    assert text_of(only, ".meta").endswith("· 1 city")
    both = widget(client, "lang=en&city=london&country=DE")
    assert sorted(city for _, city, _ in rows(both)) == ["Berlin", "London"]


def test_filter_matching_nothing_says_so(client: TestClient) -> None:
    """A filter naming no location of the event shows a message and the link to all cities."""
    page = widget(client, "lang=en&country=JP&city=tokyo")
    assert rows(page) == []
    assert text_of(page, ".empty") == "No city of this event matches this selection."
    assert text_of(page, "footer a").startswith("All 14 cities")


def test_past_event_says_it_took_place_without_signups(settings: Settings) -> None:
    """After the date: 'Took place on …', every city still listed, no signup links."""
    app = create_app(Settings(**{**settings.__dict__, "now": AFTER}))
    with TestClient(app, base_url=PUBLIC_URL) as client:
        response = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    page = soup(response.text)
    assert text_of(page, ".meta") == "Took place on May 13, 2024 · 14 cities · 12 countries"
    assert {city for _, city, href in rows(page) if not href} == set(SAMPLE_CITIES)
    assert not page.select('a[href*="/go/"]')
    assert "max-age=86400" in response.headers["cache-control"]


def test_event_day_is_marked_today(settings: Settings) -> None:
    """On the day itself the widget still takes signups and shows a 'Today' badge."""
    app = create_app(Settings(**{**settings.__dict__, "now": ON_DAY}))
    with TestClient(app, base_url=PUBLIC_URL) as client:
        page = widget(client, "lang=en")
    assert text_of(page, ".today") == "Today"
    assert len(page.select('a[href*="/go/"]')) == 14


def test_cancelled_event_shows_status_and_no_signups(tmp_path: Path) -> None:
    """A cancelled event says so and links no signup page."""
    location = {"city": "Utrecht", "country": "NL", "signup_url": "https://lu.ma/x"}
    with event_client(tmp_path, [location], status="cancelled") as client:
        page = widget(client, "lang=en", slug="demo")
    assert text_of(page, ".status") == "Cancelled"
    assert rows(page) == [("Netherlands", "Utrecht", "")]


def row_parts(item: Tag) -> dict[str, Any]:
    """One city row as data: its name, status, marks, and each link's href and label."""
    return {
        "name": text_of(item, ".city"),
        "status": item["data-status"],
        "mark": " ".join(mark.get_text() for mark in item.select(".mark, .soon")),
        "links": [(str(link["href"]), _label(link)) for link in item.find_all("a")],
    }


def _label(link: Tag) -> str:
    """A link's visible label: its text without the visually hidden parts."""
    shown = link.select_one(".how") or link
    parts = [str(text) for text in shown.find_all(string=True) if not text.find_parent(class_="vh")]
    return " ".join("".join(parts).split())


GO = f"{PUBLIC_URL}/go/demo"
LOCATION_STATES: list[Any] = [
    # (location, country heading, the row as row_parts sees it)
    pytest.param(
        {"city": "Zürich", "country": "CH"},
        "Switzerland",
        {"name": "Zürich", "status": "tba", "mark": "Details soon", "links": []},
        id="tba-city",
    ),
    pytest.param(
        {"country": "GB"},
        "United Kingdom",
        {"name": "City to be announced", "status": "tba", "mark": "Details soon", "links": []},
        id="country-only",
    ),
    pytest.param(
        {"online": True, "links": [{"url": "https://discord.gg/x"}]},
        "Online",
        {
            "name": "Online",
            "status": "scheduled",
            "mark": "",
            "links": [(f"{GO}/online", "Join the Discord")],
        },
        id="online",
    ),
    pytest.param(
        {"online": True, "country": "FR", "links": [{"url": "https://lu.ma/fr"}]},
        "France",
        {
            "name": "Online",
            "status": "scheduled",
            "mark": "",
            "links": [(f"{GO}/online", "Register on Luma")],
        },
        id="online-in-a-country",
    ),
    pytest.param(
        {"city": "Milan", "country": "IT", "status": "cancelled", "signup_url": "https://a.org/"},
        "Italy",
        {"name": "Milan", "status": "cancelled", "mark": "Cancelled", "links": []},
        id="cancelled",
    ),
    pytest.param(
        {"city": "Lyon", "country": "FR", "status": "moved_online", "signup_url": "https://a.org/"},
        "France",
        {
            "name": "Lyon",
            "status": "moved_online",
            "mark": "Moved online",
            "links": [(f"{GO}/lyon", "Sign up on the website")],
        },
        id="moved-online",
    ),
    pytest.param(
        {
            "city": "Oxford",
            "country": "GB",
            "links": [
                {"url": "https://lu.ma/ox", "label": "Sign up"},
                {"url": "https://www.facebook.com/events/1", "label": "Facebook"},
                {"url": "mailto:oxford@pauseai.info"},
            ],
        },
        "United Kingdom",
        {
            "name": "Oxford",
            "status": "scheduled",
            "mark": "",
            "links": [
                (f"{GO}/oxford", "Register on Luma"),
                (f"{GO}/oxford/2", "Facebook"),  # further links: the platform's name
                (f"{GO}/oxford/3", "Email"),
            ],
        },
        id="three-links",
    ),
    pytest.param(
        {"city": "Bern", "country": "CH", "status": "tba", "links": [{"url": "https://a.org/"}]},
        "Switzerland",
        {
            "name": "Bern",
            "status": "tba",
            "mark": "Details soon",
            "links": [(f"{GO}/bern", "Sign up on the website")],
        },
        id="tba-with-a-group-link",
    ),
]


@pytest.mark.parametrize(("location", "heading", "expected"), LOCATION_STATES)
def test_location_states(
    tmp_path: Path, location: dict[str, Any], heading: str, expected: dict[str, Any]
) -> None:
    """Each kind of location gets its name, its status mark and exactly its own links."""
    with event_client(tmp_path, [location]) as client:
        page = widget(client, "lang=en", slug="demo")
    [country] = page.select(".country")
    assert text_of(country, "h2") == heading
    [item] = country.select("li")
    assert row_parts(item) == expected
    # Every link opens a new tab and says so to screen readers.
    for link in item.find_all("a"):
        assert (link["target"], link["rel"]) == ("_blank", ["noopener"])
        assert "(opens in a new tab)" in text_of(link, ".vh")


def test_states_after_the_event(tmp_path: Path) -> None:
    """Once the event is over no row links anywhere and no "details soon" remains."""
    locations = [{**state.values[0], "id": f"l{n}"} for n, state in enumerate(LOCATION_STATES)]
    with event_client(tmp_path, locations, now=AFTER) as client:
        page = widget(client, "lang=en", slug="demo")
    items = page.select(".country li")
    assert len(items) == len(locations)
    assert page.select(".places a") == []
    assert page.select(".soon") == []
    marks = sorted(mark.get_text() for mark in page.select(".mark"))
    assert marks == ["Cancelled", "Moved online"]


def test_online_group_comes_last_and_open_cities_after_named_ones(tmp_path: Path) -> None:
    """Countries sort by name with online actions last; in a country, named cities first."""
    locations = [
        {"online": True, "links": [{"url": "https://discord.gg/x"}]},
        {"country": "GB"},
        {"city": "York", "country": "GB"},
        {"city": "Bath", "country": "GB", "signup_url": "https://a.org/"},
        {"city": "Berlin", "country": "DE", "signup_url": "https://a.org/"},
    ]
    with event_client(tmp_path, locations) as client:
        page = widget(client, "lang=en", slug="demo")
    assert [(heading, city) for heading, city, _ in rows(page)] == [
        ("Germany", "Berlin"),
        ("United Kingdom", "Bath"),
        ("United Kingdom", "York"),
        ("United Kingdom", "City to be announced"),
        ("Online", "Online"),
    ]


@pytest.mark.parametrize(
    ("now", "meta"),
    [
        (BEFORE, "Sat, Feb 7 \u2013 Wed, Feb 11, 2026 · 2 cities · 2 countries"),
        (
            datetime(2026, 2, 9, 12, 0, tzinfo=UTC),
            "Today Sat, Feb 7 \u2013 Wed, Feb 11, 2026 · 2 cities · 2 countries",
        ),
        (
            datetime(2026, 2, 13, 0, 0, tzinfo=UTC),
            "Took place on Feb 7 \u2013 11, 2026 · 2 cities · 2 countries",
        ),
    ],
)
def test_multi_day_event_shows_its_days(tmp_path: Path, now: datetime, meta: str) -> None:
    """A multi-day event shows its range (CLDR intervals) and is "today" on every one of its
    days; a location's own date shows in its row."""
    locations = [
        {"city": "Utrecht", "country": "NL", "signup_url": "https://lu.ma/x"},
        {"city": "Paris", "country": "FR", "signup_url": "https://lu.ma/y", "date": "2026-02-09"},
    ]
    with event_client(
        tmp_path, locations, now=now, date="2026-02-07", end_date="2026-02-11"
    ) as client:
        page = widget(client, "lang=en", slug="demo")
        dutch = widget(client, "lang=nl", slug="demo")
    assert text_of(page, ".meta").replace("\u2009", " ") == meta
    [paris] = [item for item in page.select("li") if text_of(item, ".city") == "Paris"]
    assert text_of(paris, ".when") == "Mon, Feb 9"
    [parijs] = [item for item in dutch.select("li") if text_of(item, ".city") == "Paris"]
    assert text_of(parijs, ".when") == "ma 9 feb"


def test_organize_call_to_action(tmp_path: Path) -> None:
    """The event's "organize one near you" link shows while the event is ahead, not after."""
    location = {"city": "Utrecht", "country": "NL", "signup_url": "https://lu.ma/x"}
    url = "https://discord.gg/pauseai"
    with event_client(tmp_path, [location], organize_url=url) as client:
        before = widget(client, "lang=en", slug="demo")
        dutch = widget(client, "lang=nl", slug="demo")
    [link] = before.select(".organize a")
    # Through our counted redirect (see test_go.py), which leads to ``url``.
    assert (link["href"], _label(link)) == (
        f"{PUBLIC_URL}/go/demo",
        "No protest near you? Organize one",
    )
    assert _label(dutch.select(".organize a")[0]) != _label(link)
    with event_client(tmp_path / "after", [location], organize_url=url, now=AFTER) as client:
        assert widget(client, "lang=en", slug="demo").select(".organize") == []


def test_location_time_and_venue_are_shown(tmp_path: Path) -> None:
    """A location's start/end time (in the page's locale) and venue appear in its row."""
    location = {
        "city": "Utrecht",
        "country": "NL",
        "signup_url": "https://lu.ma/x",
        "start_time": "14:00",
        "end_time": "16:30",
        "timezone": "Europe/Amsterdam",
        "venue": "Neude",
    }
    with event_client(tmp_path, [location]) as client:
        english = widget(client, "lang=en", slug="demo")
        dutch = widget(client, "lang=nl", slug="demo")
    # Babel's narrow no-break spaces are normalized by text_of; the range dash is U+2013.
    assert text_of(english, ".when") == "2:00 PM\u20134:30 PM · Neude"
    assert text_of(dutch, ".when") == "14:00\u201316:30 · Neude"


def test_next_is_the_same_widget(client: TestClient) -> None:
    """/embed/next renders the upcoming event with the same body as its slug."""
    by_slug = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    by_next = client.get("/embed/next?lang=en")
    assert by_next.status_code == 200
    assert by_next.text == by_slug.text
    canonical = soup(by_next.text).select_one('link[rel="canonical"]')
    assert canonical is not None
    assert canonical["href"] == f"{PUBLIC_URL}/events/{SAMPLE_SLUG}?lang=en"


def test_links_to_canonical_page_and_credit(client: TestClient) -> None:
    """The footer links the canonical event page and the publish page, in new tabs."""
    page = widget(client, "lang=en")
    links = [(a["href"], " ".join(a.get_text().split())) for a in page.select("footer a")]
    assert links == [
        (
            f"{PUBLIC_URL}/events/{SAMPLE_SLUG}?lang=en",
            "More about this protest (opens in a new tab)",
        ),
        (f"{PUBLIC_URL}/", "Widget by PauseAI (opens in a new tab)"),
    ]
    assert page.select_one("body > footer") is not None


def test_x_post_is_behind_a_consent_facade(client: TestClient) -> None:
    """The X post is a facade: provider, consequence, privacy link, load, always, withdraw."""
    response = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    page = soup(response.text)
    section = page.select_one("section.media")
    assert section is not None
    assert section["data-consent"] == "x"
    assert section["data-url"] == "https://twitter.com/PauseAI/status/1790248685659447496"
    assert section["data-script"] == "https://platform.twitter.com/widgets.js"
    assert text_of(section, "h2") == "Post on X"
    assert "Loading this post sends your IP address and browser data to X." in text_of(
        section, ".facade p:nth-of-type(2)"
    )
    privacy = section.select_one('a[href="https://x.com/en/privacy"]')
    assert privacy is not None and "privacy policy" in privacy.get_text()
    controls = section.select_one(".controls")
    assert controls is not None and controls.has_attr("hidden"), "shown only with JavaScript"
    assert text_of(section, "button.load") == "Load post"
    assert text_of(section, "label") == "Always allow X"
    assert section.select_one("input.always[type=checkbox]") is not None
    assert text_of(section, ".withdraw button") == "Hide and withdraw consent for X"
    assert not page.select("iframe") and not page.select('script[src*="twitter"]')
    script_srcs = [s["src"] for s in page.find_all("script")]
    assert any("/static/consent." in src for src in script_srcs)
    policy = response.headers["content-security-policy"]
    assert "https://platform.twitter.com" in policy and "youtube" not in policy


def test_youtube_video_facade_and_policy(tmp_path: Path) -> None:
    """A YouTube item: facade naming YouTube, nocookie embed URL, and only YouTube's host in CSP."""
    location = {"city": "Utrecht", "country": "NL", "signup_url": "https://lu.ma/x"}
    media = [{"url": "https://www.youtube.com/watch?v=PWyQRFlZa9c"}]
    with event_client(tmp_path, [location], media=media) as client:
        response = client.get("/embed/demo?lang=en")
    section = soup(response.text).select_one("section.media")
    assert section is not None
    assert section["data-embed"] == "https://www.youtube-nocookie.com/embed/PWyQRFlZa9c"
    assert section["data-title"] == "Video on YouTube"
    assert text_of(section, "button.load") == "Load video"
    policy = response.headers["content-security-policy"]
    assert "frame-src https://www.youtube-nocookie.com" in policy
    assert "twitter" not in policy


def test_no_media_means_no_third_party_host_and_no_consent_script(tmp_path: Path) -> None:
    """Without media the policy names no other host and consent.js is not loaded."""
    location = {"city": "Utrecht", "country": "NL", "signup_url": "https://lu.ma/x"}
    with event_client(tmp_path, [location]) as client:
        response = client.get("/embed/demo")
    policy = response.headers["content-security-policy"]
    assert "https://" not in policy
    assert "frame-ancestors *" in policy
    page = soup(response.text)
    # Utrecht has coordinates (from the gazetteer): the nearest-city scripts come along.
    assert [s["src"] for s in page.find_all("script")] == [
        f"{PUBLIC_URL}{Assets().url_path(name)}" for name in ("widget.js", "zones.js", "nearest.js")
    ]
    assert "set-cookie" not in response.headers


def test_page_has_no_inline_styles_handlers_or_foreign_scripts(client: TestClient) -> None:
    """No style attribute, no on* handler, no javascript: URL; every script is ours and deferred."""
    for query in ("", "accent=%23123456&theme=dark&lang=fr"):
        html = client.get(f"/embed/{SAMPLE_SLUG}?{query}").text
        page = soup(html)
        for element in page.find_all(True):
            assert "style" not in element.attrs, element.name
            assert not [name for name in element.attrs if name.startswith("on")], element.name
        for script in page.find_all("script", src=True):
            assert str(script["src"]).startswith(f"{PUBLIC_URL}/static/")
            assert script.has_attr("defer")
        assert "javascript:" not in html.lower()


def test_hostile_data_is_escaped_everywhere(tmp_path: Path) -> None:
    """XSS payloads in title, city names, overrides, venue and media fallback stay text."""
    candidates = [p for p in load_payloads() if 0 < len(p.strip()) <= 200]
    payloads = []
    for payload in candidates:
        try:
            Location(city=payload, country="NL", signup_url="https://lu.ma/x", id="x")
        except ValueError:
            continue
        payloads.append(payload)
    assert len(payloads) > 200
    locations = [
        {
            "id": f"loc-{index}",
            "city": payload,
            "country": "NL",
            "signup_url": "https://lu.ma/x",
            "venue": payload,
        }
        for index, payload in enumerate(payloads[:400])
    ]
    texts = {"en": {"title": payloads[0], "cities": {"loc-0": payloads[1]}}}
    media = [{"url": "https://twitter.com/a/status/1", "fallback": payloads[2]}]
    with event_client(tmp_path, locations, texts=texts, media=media) as client:
        response = client.get("/embed/demo?lang=en")
    assets = Assets()
    assert_no_foreign_markup(
        response.text,
        allowed_script_srcs=[
            f"{PUBLIC_URL}{assets.url_path(name)}" for name in ("widget.js", "consent.js")
        ],
        # Inline blocks are allowed exactly when the response's own CSP lists their hash.
        allowed_inline_hashes=re.findall(
            r"'(sha256-[^']+)'", response.headers["content-security-policy"]
        ),
    )
    page = soup(response.text)
    assert text_of(page, "h1") == " ".join(payloads[0].split())
    names = {" ".join(city.get_text().split()) for city in page.select(".city")}
    assert " ".join(payloads[1].split()) in names
    fallback = page.select_one(".fallback a")
    assert fallback is not None
    assert fallback.get_text().startswith(payloads[2].strip())


# --- parameters ---------------------------------------------------------------------

BAD_PARAMETERS = [
    ("lang", "xx"),
    ("lang", "en-US"),  # a region we have no catalog for
    ("lang", ""),  # present but empty is malformed, not absent
    ("lang", "<script>"),
    ("theme", "blue"),
    ("theme", "DARK"),  # values are case-sensitive keywords
    ("theme", ""),
    ("accent", "ff9416"),  # missing '#'
    ("accent", "#fff"),  # short form not accepted
    ("accent", "#ff941g"),
    ("accent", "red"),
    ("accent", "#ff9416;background:url(x)"),  # CSS injection attempt
    ("country", "NLD"),  # alpha-3
    ("country", "N1"),
    ("country", "NL;DE"),
    ("country", ",".join(["NL"] * 60)),  # more items than allowed
    ("city", "Den Haag"),  # a name, not an id
    ("city", "../etc"),
    ("city", "-leading"),
    ("city", "x" * 600),  # longer than any value may be
]


@pytest.mark.parametrize(("name", "value"), BAD_PARAMETERS)
def test_bad_parameter_is_a_400_naming_it(client: TestClient, name: str, value: str) -> None:
    """A malformed known parameter answers a 400 page that names the parameter."""
    response = client.get(f"/embed/{SAMPLE_SLUG}", params={name: value})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    page = soup(response.text)
    assert f"“{name}”" in text_of(page, "main"), "the page names the parameter"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("name", ["lang", "theme", "accent", "country", "city"])
def test_repeated_parameter_is_a_400(client: TestClient, name: str) -> None:
    """A parameter given twice is malformed (two values cannot both be honoured)."""
    good = {"lang": "en", "theme": "dark", "accent": "#000000", "country": "NL", "city": "oslo"}
    response = client.get(f"/embed/{SAMPLE_SLUG}?{name}={good[name]}&{name}={good[name]}")
    assert response.status_code == 400
    assert f"“{name}”" in text_of(soup(response.text), "main")


@pytest.mark.parametrize(
    "junk",
    [
        "utm_source=newsletter",
        "fbclid=abc123",
        "Lang=xx",  # parameter names are case-sensitive: unknown
        "secret=abc&v=1&_=999",
        "%00=%00",
        "x=" + "y" * 1000,
    ],
)
def test_unknown_parameters_change_nothing(client: TestClient, junk: str) -> None:
    """Unknown parameters give the same body and ETag as none, and no new cache entry."""
    base = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    entries = len(client.app.state.services.cache)  # type: ignore[attr-defined]
    other = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&{junk}")
    assert other.status_code == 200
    assert other.text == base.text
    assert other.headers["etag"] == base.headers["etag"]
    assert len(client.app.state.services.cache) == entries  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "slug",
    [
        "nope",
        "NEXT",  # slugs are lower case
        "2024-05-13-international-protest.html",  # a near miss
        "..%2F..%2Fetc",
        "a" * 300,
    ],
)
def test_unknown_slug_is_a_404_page(client: TestClient, slug: str) -> None:
    """An unknown event answers a 404 HTML page."""
    response = client.get(f"/embed/{slug}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_cached_with_etag_and_304(client: TestClient) -> None:
    """The widget is cached: a repeat is a hit with the same ETag; If-None-Match gives 304."""
    first = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    second = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=3600"
    assert client.app.state.services.cache.hits >= 1  # type: ignore[attr-defined]
    again = client.get(
        f"/embed/{SAMPLE_SLUG}?lang=en", headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    other = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&theme=dark")
    assert other.headers["etag"] != first.headers["etag"]


def test_widget_is_frameable_anywhere(client: TestClient) -> None:
    """The widget's policy allows every ancestor (by default) and sets no X-Frame-Options."""
    response = client.get(f"/embed/{SAMPLE_SLUG}")
    assert response.headers["content-security-policy"].endswith("frame-ancestors *")
    assert "x-frame-options" not in response.headers
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


# --- the view builder and colours ---------------------------------------------------


def test_view_builder_is_pure_and_counts(data_dir: Path) -> None:
    """build_view groups, filters and counts without any request."""
    event = load_or_raise(data_dir).by_slug[SAMPLE_SLUG]
    view = build_view(event, ViewOptions(countries=("US",)), "en", Phase.UPCOMING, PUBLIC_URL)
    assert [c.code for c in view.countries] == ["US"]
    assert [c.name for c in view.countries[0].cities] == [
        "New York City",
        "Portland",
        "San Francisco",
    ]
    assert (view.city_count, view.country_count, view.total_city_count) == (3, 1, 14)
    assert view.filtered and view.signups_open and not view.past
    assert [p.value for p in view.platforms] == ["eventbrite", "facebook", "meetup"]
    past = build_view(event, ViewOptions(), "en", Phase.PAST, PUBLIC_URL)
    assert past.past and not past.signups_open
    assert [m.provider.value for m in past.media] == ["x"]


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the classic just-fails grey
        ("#ff9416", "#ffffff", 2.21),  # PauseAI orange as text on white fails
    ],
)
def test_contrast_matches_wcag(first: str, second: str, ratio: float) -> None:
    """contrast() follows the WCAG relative luminance formula."""
    assert contrast(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast(second, first) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize(
    "accent",
    [
        "#ff9416",  # brand orange: too light on white
        "#ffff00",  # yellow: far too light on white
        "#ffffff",  # white: invisible on white, fine on dark
        "#000000",  # black: invisible on dark
        "#000080",  # navy: too dark on dark
        "#17181a",  # the dark background itself
        "#777777",  # mid grey: fails on both
        "#0b6e4f",  # already fine on white
    ],
)
def test_readable_accent_reaches_4_5_on_both_themes(accent: str) -> None:
    """palette() gives variants with ≥ 4.5:1 on each theme and ink ≥ 4.5:1 on the brand fill."""
    colours = palette(accent)
    assert contrast(colours.light, LIGHT_BACKGROUND) >= 4.5
    assert contrast(colours.dark, DARK_BACKGROUND) >= 4.5
    assert contrast(colours.ink, colours.brand) >= 4.5
    if contrast(accent, LIGHT_BACKGROUND) >= 4.5:
        assert colours.light == accent, "a readable accent is left alone"
    # Darkening keeps the hue family: the variant is darker than the accent, never lighter.
    if accent != colours.light:
        assert relative_luminance(colours.light) < relative_luminance(accent)


def test_readable_leaves_good_colours_alone() -> None:
    """readable() returns a colour that already passes unchanged (lower-cased)."""
    assert readable("#0B6E4F", LIGHT_BACKGROUND) == "#0b6e4f"


def test_stylesheet_defaults_equal_the_default_palette() -> None:
    """widget.css's fallback accent colours are DEFAULT_PALETTE (the no-JS accent)."""
    css = Assets()["widget.css"].text
    assert f"--brand:{DEFAULT_PALETTE.brand}" in css
    assert f"var(--accent-light,{DEFAULT_PALETTE.light})" in css
    assert f"var(--accent-dark,{DEFAULT_PALETTE.dark})" in css
    assert f"--bg:{DARK_BACKGROUND}" in css
    assert re.search(r":root\{[^}]*--bg:#fff[;}]", css) and LIGHT_BACKGROUND == "#ffffff"


def test_widget_and_everything_it_loads_fit_in_10_kb_gzipped(client: TestClient) -> None:
    """The document plus its scripts, as served gzipped, stay within 10 KB, and the deferred
    nearest-city scripts within 9 KB more; no stylesheet links."""
    gzip_only = {"accept-encoding": "gzip"}
    response = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&accent=%23336699", headers=gzip_only)
    sizes = {"document": int(response.headers["content-length"])}
    page = soup(response.text)
    assert not page.select('link[rel="stylesheet"]'), "first paint needs only the document"
    for script in page.find_all("script", src=True):
        path = str(script["src"]).removeprefix(PUBLIC_URL)
        asset = client.get(path, headers=gzip_only)
        assert asset.status_code == 200
        sizes[path] = int(asset.headers["content-length"])
    print("widget bytes gzipped:", sizes, "total", sum(sizes.values()))
    assert len(sizes) == 5, "the document, widget.js, consent.js, zones.js and nearest.js"
    # The nearest-city scripts (the zone table and the code ordering by it) run after the
    # first paint and are the same for every widget: they have a budget of their own.
    nearest = {
        path: size for path, size in sizes.items() if "/zones." in path or "/nearest." in path
    }
    assert len(nearest) == 2
    assert sum(nearest.values()) <= 9 * 1024
    assert sum(sizes.values()) - sum(nearest.values()) <= 10 * 1024


def test_kept_city_rows_give_what_a_fresh_render_gives(data_dir: Path) -> None:
    """A city's row is rendered once per language and then reused (``Renderer.fragment``,
    keyed by the city's view and whether signups are open): one application whose clock
    runs from before the protest, through its day, to after it, in two languages, with a
    filter and on the event page, writes exactly what a fresh application writes at each
    moment, and the rows it keeps change with signups (links before, none after)."""
    moments = [
        BEFORE,
        datetime(2024, 5, 13, 8, 0, tzinfo=UTC),
        datetime(2024, 5, 13, 23, 30, tzinfo=UTC),
        AFTER,
    ]
    paths = [
        f"/embed/{SAMPLE_SLUG}?lang=en",
        f"/embed/{SAMPLE_SLUG}?lang=nl",
        f"/embed/{SAMPLE_SLUG}?lang=en&country=US,GB&theme=dark",
        f"/events/{SAMPLE_SLUG}?lang=de",
    ]

    def settings(now: datetime) -> Settings:
        return Settings(
            public_url=PUBLIC_URL, data_dir=data_dir, now=now, reload_seconds=0, cache_ttl=0
        )

    with TestClient(create_app(settings(BEFORE)), base_url=PUBLIC_URL) as kept:
        services = kept.app.state.services  # type: ignore[attr-defined]
        linked = []
        for now in moments:
            services.clock = lambda now=now: now
            with TestClient(create_app(settings(now)), base_url=PUBLIC_URL) as fresh:
                for path in paths:
                    assert kept.get(path).text == fresh.get(path).text, (now, path)
            rows = BeautifulSoup(kept.get(paths[0]).text, "html.parser").select("li[id^=pw-city-]")
            linked.append(sum(1 for row in rows if row.select_one("a.row")))
        assert len(services.renderer.fragments) > len(SAMPLE_CITIES)
        assert linked[0] == linked[1] > 0 and linked[-1] == 0
