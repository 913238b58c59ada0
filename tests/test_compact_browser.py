"""The compact banner and the upcoming-events widget in real Chromium.

Mounted by ``embed.js`` on a host page of another origin, the banner's iframe follows its
content's height within 2 px at 320 and 800 px, in all ten languages, and stays within
120 px (a long title and a long city name included); the loader forwards ``data-layout``
and ``data-limit``. axe-core finds nothing on the upcoming widget and the banners, light
and dark. The heights oEmbed announces cover both views as laid out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from test_embed_js import heights, placeholder, snippet
from upcoming_support import write_catalog, write_event

from widget.languages import SUPPORTED_LANGUAGES

from browser_support import HostSite, LiveServer, axe, describe, serve, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BANNER_MAX = 120
LONG_TITLE = (
    "PauseAI international day of protest against the race to ever more powerful AI, "
    "before it is too late for any of us to stop it"
)
# Banners on one host page: the next event, the upcoming one, a long one, a cancelled one.
BANNERS = ["next", "upcoming", "long-one", "called-off"]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on every state, plus an event with a long title and a long city name."""
    root = write_catalog(tmp_path_factory.mktemp("banners") / "data")
    write_event(
        root,
        "long-one",
        LONG_TITLE,
        {
            "date": "2026-05-01",
            "end_date": "2026-05-03",
            "locations": [
                {
                    "city": "Llanfairpwllgwyngyll-gogerychwyrndrobwll",
                    "country": "GB",
                    "signup_url": "https://chat.whatsapp.com/long",
                }
            ],
        },
    )
    env = {"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": "2026-01-20T12:00:00+00:00"}
    with serve(env, tmp_path_factory.mktemp("live")) as server:
        yield server


def frame_of(page: Any, index: int) -> Any:
    """The frame of iframe ``index`` on the host page."""
    return page.locator("iframe").nth(index).element_handle().content_frame()


def follows(page: Any, index: int) -> bool:
    """True when iframe ``index`` has loaded and is as tall as its content (within 2 px)."""
    outer, inner = heights(page, index)
    return inner > 30 and abs(outer - inner) <= 2


@pytest.mark.parametrize("width", [320, 800])
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_banner_height_follows_its_content_and_stays_small(
    browser: Any, live_server: LiveServer, host_page: HostSite, width: int, language: str
) -> None:
    """Each banner's iframe is as tall as its content within 2 px, and at most 120 px."""
    body = "".join(placeholder(slug, lang=language, layout="compact") for slug in BANNERS)
    url = host_page.page(
        "<style>body{margin:0}</style>" + snippet(live_server, body), f"b-{language}-{width}"
    )
    context = browser.new_context(viewport={"width": width, "height": 1200})
    page = context.new_page()
    try:
        page.goto(url)
        assert wait_until(page, lambda: page.locator("iframe").count() == len(BANNERS))
        for index, slug in enumerate(BANNERS):
            source = page.locator("iframe").nth(index).get_attribute("src") or ""
            assert parse_qs(urlsplit(source).query)["layout"] == ["compact"], source
            assert wait_until(page, lambda i=index: follows(page, i)), (slug, heights(page, index))
            outer, inner = heights(page, index)
            print(f"{language} {width}px {slug}: {inner:.1f} px")
            assert max(outer, inner) <= BANNER_MAX, (slug, outer, inner)
            frame = frame_of(page, index)
            assert frame.locator("main.banner a.action").count() == 1, (slug, frame.url)
            # The button never leaves the banner: the whole banner is in view.
            box = frame.locator("a.action").bounding_box()
            assert box is not None and box["x"] + box["width"] <= width + 0.5
    finally:
        context.close()


def test_banner_follows_a_resize(
    browser: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Narrowed from 800 to 320 px the long banner grows (its text wraps) and its iframe
    follows, within 2 px, still under 120 px."""
    url = host_page.page(
        "<style>body{margin:0}</style>"
        + snippet(live_server, placeholder("long-one", lang="en", layout="compact")),
        "resize",
    )
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        assert wait_until(page, lambda: follows(page, 0)), heights(page, 0)
        wide = heights(page, 0)[0]
        page.set_viewport_size({"width": 320, "height": 900})
        assert wait_until(page, lambda: follows(page, 0) and heights(page, 0)[0] > wide)
        assert heights(page, 0)[0] <= BANNER_MAX
    finally:
        context.close()


def test_upcoming_widget_through_the_loader(
    browser: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """data-pauseai-widget="upcoming" with data-limit mounts the list, sized to it."""
    url = host_page.page(
        snippet(live_server, placeholder("upcoming", lang="nl", limit="3")), "upcoming-list"
    )
    context = browser.new_context(viewport={"width": 600, "height": 1200})
    page = context.new_page()
    try:
        page.goto(url)
        assert wait_until(page, lambda: follows(page, 0)), heights(page, 0)
        source = page.locator("iframe").get_attribute("src") or ""
        assert urlsplit(source).path == "/embed/upcoming"
        assert parse_qs(urlsplit(source).query) == {"lang": ["nl"], "limit": ["3"]}
        assert frame_of(page, 0).locator("li.event").count() == 3
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    [
        "/embed/upcoming?lang=en",
        "/embed/upcoming?lang=de&theme=dark&accent=%23ffff00",
        "/embed/upcoming?lang=nl&country=GB,BE",  # cities to be announced, cancelled
        "/embed/upcoming?layout=compact&lang=en",
        "/embed/called-off?layout=compact&lang=fr",
        "/embed/long-one?layout=compact&lang=is&accent=%23000080",
        "/embed/last-year?layout=compact&lang=en",
    ],
)
def test_no_axe_violations(browser: Any, live_server: LiveServer, path: str, scheme: str) -> None:
    """The upcoming widget and the banners pass axe-core (WCAG 2.2 A/AA, best practices)."""
    context = browser.new_context(viewport={"width": 400, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(live_server(path))
        page.wait_for_load_state("load")
        violations = axe(page)
        assert violations == [], describe(violations)
    finally:
        context.close()


def test_nothing_planned_passes_axe(browser: Any, tmp_path: Path) -> None:
    """The empty states (list and banner) pass axe-core too."""
    root = write_catalog(tmp_path / "data")
    env = {"WIDGET_DATA_DIR": str(root), "WIDGET_NOW": "2026-07-01T12:00:00+00:00"}
    with serve(env, tmp_path) as server:
        page = browser.new_page(viewport={"width": 360, "height": 800})
        try:
            for path in ("/embed/upcoming?lang=sv", "/embed/upcoming?layout=compact&lang=sv"):
                page.goto(server(path))
                page.wait_for_load_state("load")
                assert page.locator("a[href$='/go/international']").count() == 1
                violations = axe(page)
                assert violations == [], describe(violations)
        finally:
            page.close()


@pytest.mark.parametrize("width", [320, 480, 760])
@pytest.mark.parametrize(
    "url", ["/events?lang=en", "/events?lang=pt-BR&country=NL", "/events?layout=compact&lang=de"]
)
def test_announced_height_covers_the_new_views(
    browser: Any, live_server: LiveServer, host_page: HostSite, width: int, url: str
) -> None:
    """Framed as oEmbed consumers frame it, the view is never taller than announced, and
    the announcement is not more than 40 % taller."""
    data = requests.get(
        live_server("/oembed"),
        params={"url": live_server(url), "maxwidth": str(width)},
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
