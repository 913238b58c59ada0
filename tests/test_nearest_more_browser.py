"""The visitor's nearest city in the compact banner and the upcoming list, in real Chromium.

As in test_nearest_browser.py, each context sets its own time zone (``timezone_id``) and
nearest.js looks it up in zones.js: the banner then names the nearest candidate, marked
"closest to you", and its button leads to that city's counted ``/go/`` link; the upcoming
list puts each event's nearest chip first, marked. Every request is recorded and compared
with a visitor's in UTC (which has no place): nothing about the zone leaves the page.
Without JavaScript the server's choice and order stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_nearest_browser import TELLTALES, Requests
from upcoming_support import write_event

from browser_support import LiveServer, axe, describe, foreign, serve, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NOW = "2026-01-20T12:00:00+00:00"
# The data's order puts Berlin first: the server's choice for the banner.
WORLD = [
    ("Berlin", "DE", "https://lu.ma/berlin"),
    ("Amsterdam", "NL", "https://lu.ma/amsterdam"),
    ("New York City", "US", "https://www.meetup.com/pauseai-nyc/events/1/"),
    ("Washington", "US", "https://lu.ma/dc"),
    ("Sydney", "AU", "https://chat.whatsapp.com/sydney"),
    ("Melbourne", "AU", "https://lu.ma/melbourne"),
]
SECOND = [
    ("Melbourne", "AU", "https://lu.ma/melbourne2"),
    ("Washington", "US", "https://lu.ma/dc2"),
    ("Rotterdam", "NL", "https://lu.ma/rotterdam"),
]
# zone → (the banner's city and its location id, the first chip of each event, in order).
ZONES = {
    "Europe/Amsterdam": ("Amsterdam", "amsterdam", ["Amsterdam", "Rotterdam"]),
    "America/New_York": ("New York City", "new-york-city", ["New York City", "Washington"]),
    "Australia/Sydney": ("Sydney", "sydney", ["Sydney", "Melbourne"]),
}
SERVER_CITY = "Berlin"
# The list's server order: countries by name, Australia first, its cities by name.
SERVER_CHIPS = ["Melbourne", "Melbourne"]


def locations(cities: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    return [
        {"city": city, "country": country, "signup_url": url} for city, country, url in cities
    ] + [{"city": "Brussels", "country": "BE", "status": "cancelled"}]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Two events ahead; the gazetteer gives every city its coordinates."""
    root = tmp_path_factory.mktemp("nearest-more") / "data"
    write_event(
        root, "world", "World protest", {"date": "2026-03-01", "locations": locations(WORLD)}
    )
    write_event(
        root, "second", "Second protest", {"date": "2026-04-01", "locations": locations(SECOND)}
    )
    env = {"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": NOW}
    with serve(env, tmp_path_factory.mktemp("live")) as server:
        yield server


def open_page(
    browser: Any, url: str, zone: str, width: int = 420, **options: Any
) -> tuple[Any, Any, Requests]:
    context = browser.new_context(
        timezone_id=zone, viewport={"width": width, "height": 800}, **options
    )
    page = context.new_page()
    requests = Requests(page)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, requests


def banner_state(page: Any) -> dict[str, Any]:
    """What the banner shows: its city, mark, button link, accessible city and label."""
    state: dict[str, Any] = page.evaluate(
        """() => {
          const text = selector => {
            const node = document.querySelector(selector);
            return node ? node.textContent : null;
          };
          return {
            city: text("[data-pw-city]"),
            marks: Array.from(document.querySelectorAll(".near"), node => node.textContent),
            markAfterCity: !!document.querySelector("[data-pw-city] + .near"),
            href: document.querySelector("[data-pw-action]").getAttribute("href"),
            actionCity: text("[data-pw-action-city]"),
            label: text("[data-pw-action-label]"),
          };
        }"""
    )
    return state


def first_chips(page: Any) -> list[list[str]]:
    """Per event, its chips' city names in document order."""
    names: list[list[str]] = page.eval_on_selector_all(
        "ul.chips",
        """lists => lists.map(list => Array.from(list.querySelectorAll(".chip"),
            chip => chip.firstChild.textContent))""",
    )
    return names


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_the_banner_names_the_visitors_city_and_sends_nothing(
    browser: Any, live_server: LiveServer, zone: str
) -> None:
    """In each zone the banner names the nearest candidate, marked, its button leads to
    that city's /go/ link and its accessible text names it with its platform; the
    requests are a UTC visitor's, none carrying the zone or its coordinates."""
    city, location, _ = ZONES[zone]
    url = live_server("/embed/world?layout=compact&lang=en")
    context, baseline, baseline_requests = open_page(browser, url, "UTC")
    assert banner_state(baseline)["city"] == SERVER_CITY
    assert baseline.locator(".near").count() == 0
    context.close()

    context, page, requests = open_page(browser, url, zone)
    assert wait_until(page, lambda: page.locator(".near").count() == 1)
    state = banner_state(page)
    assert state["city"] == city and state["actionCity"] == city
    assert state["marks"] == ["closest to you"] and state["markAfterCity"]
    meta = page.locator(".banner .meta").text_content() or ""
    assert f"{city} closest to you" in meta, "a space between the name and the mark"
    assert state["href"] == live_server(f"/go/world/{location}")
    candidate = page.locator(f"[data-pw-candidates] li[data-location='{location}']")
    assert state["label"] == candidate.get_attribute("data-label")
    button = page.get_by_role("link", name=re.compile(f"^Sign up ?: {re.escape(city)}, "))
    assert button.count() == 1 and button.is_visible()
    page.wait_for_timeout(300)  # anything a script might still send
    assert requests.urls() == baseline_requests.urls()
    assert [r for r in requests.seen if r[1] != "GET" or r[2]] == []
    assert requests.carrying(TELLTALES) == []
    assert foreign([u for u, _, _ in requests.seen]) == []
    context.close()


def test_the_swap_changes_the_platform_label(browser: Any, live_server: LiveServer) -> None:
    """Sydney signs up on WhatsApp, Berlin (the server's choice) on Luma: the button's
    accessible text follows the city it now leads to."""
    url = live_server("/embed/world?layout=compact&lang=en")
    context, page, _ = open_page(browser, url, "UTC")
    before = banner_state(page)["label"]
    context.close()
    context, page, _ = open_page(browser, url, "Australia/Sydney")
    assert wait_until(page, lambda: page.locator(".near").count() == 1)
    after = banner_state(page)["label"]
    assert before and after and before != after
    context.close()


def test_the_upcoming_banner_picks_the_nearest_too(browser: Any, live_server: LiveServer) -> None:
    """/embed/upcoming?layout=compact (the soonest event) uses the same code."""
    url = live_server("/embed/upcoming?layout=compact&lang=en")
    context, page, _ = open_page(browser, url, "America/New_York")
    assert wait_until(page, lambda: page.locator(".near").count() == 1)
    assert banner_state(page)["href"] == live_server("/go/world/new-york-city")
    context.close()


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("zone", ["Australia/Sydney", "America/New_York"])
def test_the_swapped_banner_stays_small_and_accessible(
    browser: Any, live_server: LiveServer, zone: str, language: str
) -> None:
    """With the swap done and the mark shown the banner is at most 120 px tall at 320 px,
    and axe-core finds nothing, light and dark."""
    for theme in ("light", "dark"):
        url = live_server(f"/embed/world?layout=compact&lang={language}&theme={theme}")
        context, page, _ = open_page(browser, url, zone, width=320)
        mark = page.locator(".near")
        assert wait_until(page, lambda: mark.count() == 1)  # noqa: B023 (called right here)
        height = page.evaluate("() => document.body.getBoundingClientRect().height")
        assert 40 < height <= 120, (zone, language, theme, height)
        assert mark.is_visible()
        violations = axe(page)
        assert violations == [], describe(violations)
        context.close()


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_the_upcoming_list_puts_the_nearest_chip_first(
    browser: Any, live_server: LiveServer, zone: str
) -> None:
    """Each event's chips nearest first, the first marked inside its link; the cancelled
    city is never marked; the requests are a UTC visitor's."""
    _, _, firsts = ZONES[zone]
    url = live_server("/embed/upcoming?lang=en")
    context, baseline, baseline_requests = open_page(browser, url, "UTC")
    server_order = first_chips(baseline)
    assert [chips[0] for chips in server_order] == SERVER_CHIPS
    context.close()

    context, page, requests = open_page(browser, url, zone)
    assert wait_until(page, lambda: page.locator(".near").count() == 2)
    order = first_chips(page)
    assert [chips[0] for chips in order] == firsts, order
    assert [sorted(chips) for chips in order] == [sorted(chips) for chips in server_order]
    for event, first in zip(page.locator("li.event").all(), firsts, strict=True):
        marked = event.locator("ul.chips li[data-nearest]")
        assert marked.count() == 1
        assert marked.get_attribute("data-location") == first.lower().replace(" ", "-")
        assert marked.locator(".chip .near").text_content() == "closest to you"
        name = re.compile(f"^{re.escape(first)} closest to you")
        assert event.get_by_role("link", name=name).count() == 1
    assert page.locator("li[data-status=cancelled] .near").count() == 0
    page.wait_for_timeout(300)
    assert requests.urls() == baseline_requests.urls()
    assert [r for r in requests.seen if r[1] != "GET" or r[2]] == []
    assert requests.carrying(TELLTALES) == []
    violations = axe(page)
    assert violations == [], describe(violations)
    context.close()


def test_without_javascript_the_servers_choice_stays(browser: Any, live_server: LiveServer) -> None:
    """JS off: the banner names the server's city with its link, the list keeps the
    server's order, nothing is marked."""
    context, page, _ = open_page(
        browser,
        live_server("/embed/world?layout=compact&lang=en"),
        "Australia/Sydney",
        java_script_enabled=False,
    )
    state = banner_state(page)
    assert (state["city"], state["actionCity"]) == (SERVER_CITY, SERVER_CITY)
    assert state["href"] == live_server("/go/world/berlin")
    assert state["marks"] == []
    page.goto(live_server("/embed/upcoming?lang=en"))
    assert [chips[0] for chips in first_chips(page)] == SERVER_CHIPS
    assert page.locator(".near").count() == 0
    context.close()
