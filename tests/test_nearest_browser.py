"""The visitor's nearest city first, in real Chromium, with nothing about them sent.

Each context sets its own time zone (``timezone_id``): the browser reports it to the
widget's ``Intl.DateTimeFormat()``, the widget looks it up in zones.js and orders the
cities by distance. Every request of the page and its frames is recorded (URL, method,
body) and compared with the requests of a visitor in another zone: the zone, its
coordinates and the distances never leave the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from browser_support import HostSite, LiveServer, axe, describe, foreign, serve, wait_until
from xss import load_payloads

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Cities near each zone under test, in several countries; none types coordinates (the
# gazetteer fills them in) but one: coordinates in the data win.
WORLD = [
    {"city": "Amsterdam", "country": "NL", "signup_url": "https://lu.ma/amsterdam"},
    {"city": "London", "country": "GB", "signup_url": "https://lu.ma/london"},
    {"city": "Berlin", "country": "DE", "signup_url": "https://lu.ma/berlin"},
    {"city": "New York City", "country": "US", "signup_url": "https://lu.ma/nyc"},
    {"city": "Washington", "country": "US", "signup_url": "https://lu.ma/dc"},
    {"city": "Sydney", "country": "AU", "signup_url": "https://lu.ma/sydney"},
    {"city": "Melbourne", "country": "AU", "signup_url": "https://lu.ma/melbourne"},
    {"city": "Kinshasa", "country": "CD", "signup_url": "https://lu.ma/kinshasa"},
    {"city": "Nairobi", "country": "KE", "signup_url": "https://lu.ma/nairobi"},
    {"city": "São Paulo", "country": "BR", "signup_url": "https://lu.ma/sp"},
    # Typed coordinates (Lisbon's) win over the gazetteer's.
    {
        "city": "Typed Town",
        "country": "PT",
        "signup_url": "https://lu.ma/typed",
        "coordinates": {"lat": 38.72, "lon": -9.14},
    },
    {"city": "Brussels", "country": "BE", "status": "cancelled"},
    {"online": True, "signup_url": "https://lu.ma/online"},
]
# Only European cities, with a reach: visitors far away are told where the nearest is.
EUROPE = [
    {"city": "Amsterdam", "country": "NL", "signup_url": "https://lu.ma/amsterdam"},
    {"city": "Berlin", "country": "DE", "signup_url": "https://lu.ma/berlin"},
]
# Server order (countries by English name, cities by name): Australia comes first.
SERVER_FIRST = "Melbourne"
ZONES = {
    "Europe/Amsterdam": ("Amsterdam", ["Amsterdam"]),
    "America/New_York": ("New York City", ["New York City", "Washington"]),
    "Australia/Sydney": ("Sydney", ["Sydney", "Melbourne"]),
    "Africa/Kinshasa": ("Kinshasa", ["Kinshasa"]),
    "Europe/Kiev": ("Berlin", ["Berlin"]),  # an alias zone (Europe/Kyiv)
    "Europe/Lisbon": ("Typed Town", ["Typed Town"]),
}
# Words that would betray the estimate in a request: zone names and their coordinates.
TELLTALES = [
    "Amsterdam",
    "New_York",
    "Sydney",
    "Kinshasa",
    "Kiev",
    "Lisbon",
    "Europe",
    "America",
    "Australia",
    "Africa",
    "52.4",
    "40.7",
    "-33.9",
    "-4.3",
    "4.9",
    "151.2",
    "15.3",
    "-74",
]


def write(root: Path, slug: str, locations: list[dict[str, Any]], **facts: Any) -> None:
    directory = root / slug
    directory.mkdir(parents=True)
    event = {"date": "2024-05-13", "default_language": "en", "locations": locations, **facts}
    (directory / "event.yaml").write_text(yaml.safe_dump(event, allow_unicode=True), "utf-8")
    (directory / "en.md").write_text(f"---\ntitle: {slug} protest\n---\n", "utf-8")


PAYLOADS = [p for p in load_payloads() if 0 < len(p.strip()) <= 200 and "\n" not in p][:12]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on its own data: the world event, the European one with a reach, and
    one per XSS payload as the only (far away) city's name."""
    root = tmp_path_factory.mktemp("nearest") / "data"
    write(root, "world", WORLD)
    write(root, "europe", EUROPE, reach_km=500, organize_url="https://pauseai.info/organize")
    for index, payload in enumerate(PAYLOADS):
        city = {"id": "x", "city": payload, "country": "IS", "status": "tba"}
        write(
            root,
            f"xss-{index}",
            [{**city, "coordinates": {"lat": 64.1, "lon": -21.9}}],
            reach_km=100,
        )
    with serve({"WIDGET_DATA_DIR": str(root)}, tmp_path_factory.mktemp("live")) as server:
        yield server


class Requests:
    """Every request of a page and its frames: URL, method and body."""

    def __init__(self, page: Any) -> None:
        self.seen: list[tuple[str, str, str]] = []
        page.on(
            "request",
            lambda request: self.seen.append(
                (request.url, request.method, request.post_data or "")
            ),
        )

    def urls(self) -> list[str]:
        return sorted(url for url, _, _ in self.seen)

    def carrying(self, words: list[str]) -> list[tuple[str, str, str]]:
        """Requests whose URL or body holds any of ``words``."""
        return [
            request
            for request in self.seen
            if any(word.lower() in (request[0] + " " + request[2]).lower() for word in words)
        ]


def open_widget(browser: Any, url: str, zone: str, **options: Any) -> tuple[Any, Any, Requests]:
    context = browser.new_context(
        timezone_id=zone, viewport={"width": 420, "height": 1200}, **options
    )
    page = context.new_page()
    requests = Requests(page)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, requests


def cities(target: Any) -> list[str]:
    """The city names in document order."""
    names: list[str] = target.eval_on_selector_all(
        ".places li .city", "nodes => nodes.map(node => node.textContent)"
    )
    return names


def widget_url(server: LiveServer, slug: str = "world", query: str = "lang=en") -> str:
    return server(f"/embed/{slug}?{query}")


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_the_visitors_city_comes_first_and_nothing_is_sent(
    browser: Any, live_server: LiveServer, zone: str
) -> None:
    """In each zone the nearest city comes first, marked "closest to you" inside its link;
    the country's other cities follow by distance; every request is one a visitor in UTC
    makes too, and none carries the zone, its coordinates or a distance."""
    first, leading = ZONES[zone]
    baseline_context, baseline, baseline_requests = open_widget(
        browser, widget_url(live_server), "UTC"
    )
    baseline_order = cities(baseline)
    assert baseline_order[0] == SERVER_FIRST, "UTC has no place: the server's order stays"
    assert baseline.locator(".near").count() == 0
    baseline_context.close()

    context, page, requests = open_widget(browser, widget_url(live_server), zone)
    assert wait_until(page, lambda: page.locator(".near").count() == 1)
    order = cities(page)
    assert order[: len(leading)] == leading, order
    assert order[0] == first
    assert sorted(order) == sorted(baseline_order)
    row = page.locator("li[data-nearest]")
    assert row.count() == 1 and row.locator(".city").text_content() == first
    mark = row.locator(".near")
    assert mark.is_visible() and mark.text_content() == "closest to you"
    link = page.get_by_role("link", name=re.compile(f"^{re.escape(first)} closest to you"))
    assert link.count() == 1, "the mark is part of the link's accessible name"
    note = page.locator(".near-note")
    assert note.get_attribute("role") == "status"
    assert note.text_content() == "Nearest first, by your time zone. Nothing is sent."
    # The online action (no coordinates) stays last.
    assert page.locator(".country").last.locator("li .city").text_content() == "Online"
    assert page.locator(".far").is_hidden()
    page.wait_for_timeout(300)  # anything a script might still send
    assert requests.urls() == baseline_requests.urls()
    assert [r for r in requests.seen if r[1] != "GET" or r[2]] == []
    assert requests.carrying(TELLTALES) == []
    assert foreign([url for url, _, _ in requests.seen]) == []
    context.close()


def test_the_cancelled_city_is_never_marked(browser: Any, live_server: LiveServer) -> None:
    """Brussels (cancelled) is nearest to Brussels' zone, but Amsterdam is marked."""
    context, page, _ = open_widget(browser, widget_url(live_server), "Europe/Brussels")
    assert wait_until(page, lambda: page.locator(".near").count() == 1)
    assert page.locator("li[data-nearest] .city").text_content() == "Amsterdam"
    assert cities(page)[0] == "Brussels", "still ordered by distance"
    context.close()


def test_without_javascript_the_server_order_stays(browser: Any, live_server: LiveServer) -> None:
    """JS off: the server's order, no mark, no note, no button, every link there."""
    context, page, _ = open_widget(
        browser,
        widget_url(live_server, query="lang=en&geolocation=allow"),
        "Europe/Amsterdam",
        java_script_enabled=False,
    )
    order = cities(page)
    assert order[0] == SERVER_FIRST and "Amsterdam" in order
    assert page.locator(".near, .nearby, button.locate").count() == 0
    assert page.locator("a.row").count() == 12
    context.close()


def test_far_away_visitors_are_told_where_the_nearest_is(
    browser: Any, live_server: LiveServer
) -> None:
    """Beyond the event's reach the widget names the nearest city and its distance and
    offers the organize link; within reach it does not."""
    context, page, requests = open_widget(
        browser, widget_url(live_server, "europe"), "Australia/Sydney"
    )
    far = page.locator(".far")
    assert wait_until(page, lambda: far.is_visible())
    text = far.locator(".far-text").text_content() or ""
    match = re.fullmatch(
        r"No protest near you yet: the nearest is in Berlin, about ([\d,]+) km away\.", text
    )
    assert match, text
    assert 15_500 < int(match.group(1).replace(",", "")) < 16_500  # Sydney to Berlin: 16,000 km
    organize = far.get_by_role("link")
    assert organize.get_attribute("href") == live_server("/go/europe")
    assert (organize.text_content() or "").startswith("No protest near you? Organize one")
    distance = match.group(1)
    words = ["Sydney", "Australia", "Berlin", distance, distance.replace(",", ""), "-33.9", "151.2"]
    assert requests.carrying(words) == []
    violations = axe(page)
    assert violations == [], describe(violations)
    context.close()

    context, page, _ = open_widget(browser, widget_url(live_server, "europe"), "Europe/Berlin")
    assert wait_until(page, lambda: page.locator(".near").count() == 1)
    assert cities(page)[0] == "Berlin"
    assert page.locator(".far").is_hidden()
    context.close()


def test_far_message_in_another_language(browser: Any, live_server: LiveServer) -> None:
    """The message and the distance follow the page's language (German digit grouping)."""
    context, page, _ = open_widget(
        browser, widget_url(live_server, "europe", "lang=de"), "Australia/Sydney"
    )
    far = page.locator(".far-text")
    assert wait_until(page, lambda: far.is_visible())
    assert re.fullmatch(
        r"Noch kein Protest in deiner Nähe: Der nächste ist in Berlin, "
        r"etwa \d{2}\.\d{3} km entfernt\.",
        far.text_content() or "",
    ), far.text_content()
    assert page.locator(".near").text_content() == "am nächsten bei dir"
    context.close()


def test_city_names_reach_the_message_as_text_only(browser: Any, live_server: LiveServer) -> None:
    """XSS payloads as the nearest city's name: shown verbatim as text, nothing runs, no
    element is added but ours."""
    assert PAYLOADS
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    far = page.locator(".far-text")
    for index, payload in enumerate(PAYLOADS):
        page.goto(widget_url(live_server, f"xss-{index}"))
        assert wait_until(page, far.is_visible), payload
        name = page.locator("li .city").first.text_content() or ""
        assert name.strip(), payload
        assert (far.text_content() or "").count(name) == 1, payload
        assert far.evaluate("node => node.children.length") == 0, payload
        page.wait_for_timeout(100)
        assert dialogs == [], payload
    context.close()


def snippet_page(server: LiveServer, allow: bool) -> str:
    extra = ' data-geolocation="allow"' if allow else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>'
        f'<body><div data-pauseai-widget="world" data-lang="en"{extra}>'
        f'<a href="{server("/events/world")}">PauseAI protests</a></div>'
        f'<script async src="{server("/embed.js")}"></script></body></html>'
    )


def frame_of(page: Any) -> Any:
    page.wait_for_selector("iframe")
    frame = page.locator("iframe").first.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def test_use_my_location_granted(
    browser: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Allowed by the embedder and granted by the visitor: the button orders by the
    device's position (Melbourne here, in the Amsterdam zone); no request carries it."""
    context = browser.new_context(
        timezone_id="Europe/Amsterdam",
        geolocation={"latitude": -37.81, "longitude": 144.96},
        permissions=["geolocation"],
        viewport={"width": 420, "height": 1200},
    )
    page = context.new_page()
    requests = Requests(page)
    page.goto(host_page.page(snippet_page(live_server, allow=True)))
    iframe = page.locator("iframe")
    iframe.wait_for()
    assert iframe.get_attribute("allow") == "geolocation"
    assert "geolocation=allow" in (iframe.get_attribute("src") or "")
    frame = frame_of(page)
    assert wait_until(page, lambda: frame.locator(".near").count() == 1)
    assert cities(frame)[0] == "Amsterdam"
    button = frame.get_by_role("button", name="Use my location")
    button.click()
    assert wait_until(page, lambda: cities(frame)[0] == "Melbourne")
    assert frame.locator("li[data-nearest] .city").text_content() == "Melbourne"
    assert cities(frame)[1] == "Sydney"
    assert frame.locator(".near-note").text_content() == (
        "Nearest first, by your location. Nothing is sent."
    )
    violations = axe(frame)
    assert violations == [], describe(violations)
    page.wait_for_timeout(300)
    assert requests.carrying(["-37.8", "144.9", "Amsterdam", "Europe", "lat", "latitude"]) == []
    assert [r for r in requests.seen if r[1] != "GET" or r[2]] == []
    context.close()


def test_use_my_location_denied(browser: Any, live_server: LiveServer, host_page: HostSite) -> None:
    """Denied: the note says so and the time-zone order stays."""
    context = browser.new_context(
        timezone_id="America/New_York", viewport={"width": 420, "height": 1200}
    )
    page = context.new_page()
    page.goto(host_page.page(snippet_page(live_server, allow=True)))
    frame = frame_of(page)
    assert wait_until(page, lambda: frame.locator(".near").count() == 1)
    frame.get_by_role("button", name="Use my location").click()
    note = frame.locator(".near-note")
    assert wait_until(
        page,
        lambda: note.text_content() == "Location not available: nearest by your time zone.",
    )
    assert cities(frame)[0] == "New York City"
    context.close()


def test_no_button_unless_the_embedder_allows_it(
    browser: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Without data-geolocation the frame has no allow attribute and the widget no button;
    the page's policy would refuse geolocation anyway."""
    context = browser.new_context(
        timezone_id="Europe/Amsterdam",
        geolocation={"latitude": -37.81, "longitude": 144.96},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(host_page.page(snippet_page(live_server, allow=False)))
    iframe = page.locator("iframe")
    iframe.wait_for()
    assert iframe.get_attribute("allow") is None
    assert "geolocation" not in (iframe.get_attribute("src") or "")
    frame = frame_of(page)
    assert wait_until(page, lambda: frame.locator(".near").count() == 1)
    assert frame.locator("button.locate").count() == 0
    refused = frame.evaluate(
        """() => new Promise(done => navigator.geolocation.getCurrentPosition(
            () => done("granted"), error => done(error.code), { timeout: 5000 }))"""
    )
    assert refused == 1  # PERMISSION_DENIED: the policy says geolocation=()
    context.close()
