"""The new location shapes in real Chromium: several links per city, t.b.a., country-only,
online, cancelled and moved-online locations, multi-day events, the call to action.

Laid out for real, they must pass axe-core, stay inside WordPress's 1000 px cap with 20
cities of two links each at 500 px, and be covered by the height oEmbed announces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from test_accessibility import NEW_TAB, link_names, normalized

from widget.i18n import translations

from browser_support import HostSite, LiveServer, axe, describe, serve, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WORDPRESS_CAP = 1000
# Twenty cities in ten countries, each with a signup link and a second link.
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
FIRST_LINKS = ("https://lu.ma/", "https://www.facebook.com/events/", "https://partiful.com/e/")
SECOND_LINKS = ("https://chat.whatsapp.com/", "https://discord.gg/", "https://www.meetup.com/g/")
SHAPES = [
    {"city": "Zürich", "country": "CH"},
    {"country": "GB"},
    {"online": True, "links": [{"url": "https://discord.gg/online"}]},
    {"city": "Milan", "country": "IT", "status": "cancelled", "signup_url": "https://lu.ma/m"},
    {"city": "Lyon", "country": "FR", "status": "moved_online", "signup_url": "https://lu.ma/l"},
    {
        "city": "Oxford",
        "country": "GB",
        "date": "2026-02-08",
        "venue": "Radcliffe Square",
        "links": [
            {"url": "https://lu.ma/ox", "label": "Sign up"},
            {"url": "https://www.facebook.com/events/2"},
            {"url": "mailto:oxford@pauseai.info"},
        ],
    },
]


def write_event(root: Path, slug: str, locations: list[dict[str, Any]]) -> None:
    """One multi-day event with an organize-one link."""
    directory = root / slug
    directory.mkdir(parents=True)
    facts = {
        "date": "2026-02-07",
        "end_date": "2026-02-11",
        "organize_url": "https://discord.gg/pauseai",
        "locations": locations,
    }
    (directory / "event.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    text = "---\ntitle: PauseAI protests, February 2026\n---\n"
    (directory / "en.md").write_text(text, "utf-8")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on two events: twenty cities with two links, and every new shape."""
    root = tmp_path_factory.mktemp("shapes") / "data"
    twenty = [
        {
            "city": city,
            "country": country,
            "links": [
                {"url": f"{FIRST_LINKS[n % 3]}{n}"},
                {"url": f"{SECOND_LINKS[n % 3]}{n}"},
            ],
        }
        for n, (city, country) in enumerate(TWENTY)
    ]
    write_event(root, "twenty", twenty)
    write_event(root, "shapes", SHAPES)
    env = {"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": "2026-01-20T12:00:00+00:00"}
    with serve(env, tmp_path_factory.mktemp("live")) as server:
        yield server


def measured_height(browser: Any, url: str, width: int) -> tuple[float, Any]:
    """The widget's laid-out height at ``width`` and its open page, in a time zone with a
    place (as most visitors are: the nearest-city panel shows)."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, timezone_id="Europe/Oslo"
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    if page.locator("template#pw-nearby").count():
        page.wait_for_selector(".nearby")
    height = page.evaluate("document.documentElement.getBoundingClientRect().height")
    return height, page


@pytest.mark.parametrize("language", ["en", "de", "pt-BR"])
def test_twenty_cities_with_two_links_fit_the_wordpress_cap(
    browser: Any, live_server: LiveServer, language: str
) -> None:
    """At 500 px, 20 cities of two links each stay under 1000 px, and oEmbed announces at
    least that much (and not more than a third more)."""
    height, page = measured_height(browser, live_server(f"/embed/twenty?lang={language}"), 500)
    try:
        print(f"{language}: {height:.0f} px at 500 px wide")
        assert page.locator("a.row").count() == 20
        assert page.locator("a.also").count() == 20
        assert height <= WORDPRESS_CAP
    finally:
        page.context.close()
    data = requests.get(
        live_server("/oembed"),
        params={"url": live_server(f"/events/twenty?lang={language}"), "maxwidth": "500"},
        timeout=10,
    ).json()
    assert data["width"] == 500
    assert height <= data["height"] <= height * 1.35, (height, data["height"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("query", ["lang=en&theme=light", "lang=nl&theme=dark", "lang=is"])
def test_new_shapes_have_no_axe_violations(
    browser: Any, live_server: LiveServer, query: str, scheme: str
) -> None:
    """Every new row state passes axe-core (WCAG 2.2 A/AA and best practices)."""
    context = browser.new_context(viewport={"width": 400, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(live_server(f"/embed/shapes?{query}"))
        page.wait_for_load_state("load")
        assert page.locator(".soon").count() == 2  # Zürich and the UK's open city
        assert page.locator(".mark").count() == 2  # cancelled, moved online
        assert page.locator("a.also").count() == 2  # Oxford's further links
        assert page.locator(".organize a").count() == 1
        violations = axe(page)
        assert violations == [], describe(violations)
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 480, 600, 760])
@pytest.mark.parametrize("slug", ["shapes", "twenty"])
def test_announced_height_covers_the_new_shapes(
    browser: Any, live_server: LiveServer, host_page: HostSite, width: int, slug: str
) -> None:
    """Framed as oEmbed consumers frame it, the widget is never taller than announced, and
    the announcement is not more than 40 % taller."""
    data = requests.get(
        live_server("/oembed"),
        params={"url": live_server(f"/events/{slug}?lang=en"), "maxwidth": str(width)},
        timeout=10,
    ).json()
    host = host_page.page(f"<!doctype html><body style='margin:0'>{data['html']}</body>")
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.goto(host)
        assert wait_until(
            page,
            lambda: any(urlsplit(frame.url).path.startswith("/embed/") for frame in page.frames),
        )
        frame = next(f for f in page.frames if urlsplit(f.url).path.startswith("/embed/"))
        frame.wait_for_load_state("load")
        measured = frame.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        assert measured <= data["height"] <= measured * 1.4, (measured, data["height"])
    finally:
        page.close()


@pytest.mark.parametrize("path", ["/embed/shapes", "/events/shapes"])
@pytest.mark.parametrize("language", ["en", "de"])
def test_new_shapes_links_are_named_and_pages_pass_axe(
    browser: Any, live_server: LiveServer, path: str, language: str
) -> None:
    """On the widget and the event page every link of the new rows has its own name (city
    and platform, and that it opens a new tab), and axe finds nothing."""
    context = browser.new_context(viewport={"width": 900, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server(f"{path}?lang={language}"))
        page.wait_for_load_state("load")
        new_tab = translations(language).gettext(NEW_TAB)
        by_name: dict[str, set[str]] = {}
        for link in link_names(page):
            if link["target"] == "_blank":
                assert new_tab in link["name"], link
            by_name.setdefault(normalized(link["name"]), set()).add(link["href"].split("#")[0])
        assert {name: hrefs for name, hrefs in by_name.items() if len(hrefs) > 1} == {}
        names = {link["href"]: link["name"] for link in link_names(page)}
        go = live_server("/go/shapes")
        assert "Oxford" in names[f"{go}/oxford/2"] and "Facebook" in names[f"{go}/oxford/2"]
        assert f"{go}/zurich" not in names and f"{go}/milan" not in names
        violations = axe(page)
        assert violations == [], describe(violations)
    finally:
        context.close()
