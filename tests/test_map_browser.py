"""The map, the per-city actions and the site attribution in real Chromium: axe on the event
page and the widget with their maps (light, dark, dark preference), the map's only tab
stops are its dots' links, its colours follow the theme, not one request leaves the
machine and none goes anywhere before a click, and the embedding page's origin reaches
/go/ only when a signup link is clicked."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from located_data import locate

from widget.settings import SAMPLE_DATA_DIR
from widget.site_labels import PROMOTE_AFTER

from browser_support import LOCAL_HOSTS, HostSite, LiveServer, axe, describe, serve, wait_until
from conftest import SAMPLE_SLUG

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on the sample with coordinates (so it has a map)."""
    data = tmp_path_factory.mktemp("located") / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    locate(data)
    with serve({"WIDGET_DATA_DIR": str(data)}, tmp_path_factory.mktemp("live")) as live:
        yield live


class Requests:
    """Every request of a browser context (all pages, popups and frames) in order; those
    that would leave the machine are aborted (attempted, recorded, never sent)."""

    def __init__(self, context: Any) -> None:
        self.urls: list[str] = []
        context.route("**/*", self._handle)

    def _handle(self, route: Any) -> None:
        url = route.request.url
        self.urls.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and (parts.hostname or "") not in LOCAL_HOSTS:
            route.abort()
        else:
            route.continue_()

    def foreign(self) -> list[str]:
        """The recorded URLs to any host but this machine."""
        return [u for u in self.urls if (urlsplit(u).hostname or "") not in LOCAL_HOSTS]


@pytest.fixture
def context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context; ``indirect`` parameters may set its colour scheme."""
    scheme = getattr(request, "param", "light")
    context = browser.new_context(viewport={"width": 1024, "height": 900}, color_scheme=scheme)
    yield context
    context.close()


VARIANTS = [
    ("theme=light", "light"),
    ("theme=dark", "light"),  # the parameter wins over the preference
    ("theme=auto", "dark"),  # auto follows the dark preference
]


@pytest.mark.parametrize(("query", "scheme"), VARIANTS)
@pytest.mark.parametrize(
    "path", [f"/events/{SAMPLE_SLUG}?lang=en&", f"/embed/{SAMPLE_SLUG}?lang=en&map=1&"]
)
def test_map_pages_pass_axe_and_stay_first_party(
    browser: Any, server: LiveServer, path: str, query: str, scheme: str
) -> None:
    """axe finds no violation on the event page and the widget with their maps, in every
    theme; no request leaves the machine; only the dots' links are tab stops in the map."""
    context = browser.new_context(viewport={"width": 1024, "height": 900}, color_scheme=scheme)
    requests = Requests(context)
    page = context.new_page()
    page.goto(server(path + query))
    page.wait_for_load_state("load")
    assert page.locator("figure.map svg circle.dot").count() == 14
    violations = axe(page)
    assert violations == [], describe(violations)
    stops = page.evaluate(
        """() => [...document.querySelectorAll('figure.map svg *')]
            .filter(e => e.tabIndex >= 0).map(e => e.tagName.toLowerCase())"""
    )
    assert stops and set(stops) == {"a"}
    assert page.evaluate("document.querySelector('figure.map svg').tabIndex") < 0
    assert requests.foreign() == []
    context.close()


def test_map_colours_follow_the_theme(browser: Any, server: LiveServer) -> None:
    """Sea and land are lighter on the light theme than on the dark one (the parameter and
    the visitor's preference under ``auto``)."""

    def colours(query: str, scheme: str) -> tuple[str, str]:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(server(f"/events/{SAMPLE_SLUG}?lang=en&{query}"))
        found = page.evaluate(
            """() => [getComputedStyle(document.querySelector('figure.map svg')).backgroundColor,
                      getComputedStyle(document.querySelector('figure.map .land')).fill]"""
        )
        context.close()
        return found[0], found[1]

    light = colours("theme=light", "dark")
    dark = colours("theme=dark", "light")
    assert light != dark
    assert colours("theme=auto", "dark") == dark
    assert colours("theme=auto", "light") == light


def test_clicking_a_dot_leads_to_its_city(context: Any, server: LiveServer) -> None:
    """A dot's link targets its city's list entry (the page scrolls there)."""
    page = context.new_page()
    page.goto(server(f"/events/{SAMPLE_SLUG}?lang=en"))
    page.locator('figure.map a[href="#pw-city-sydney"]').click()
    assert page.evaluate("location.hash") == "#pw-city-sydney"
    assert page.evaluate("document.querySelector(':target').id") == "pw-city-sydney"


def test_actions_and_share_links_fetch_nothing_before_a_click(
    context: Any, server: LiveServer
) -> None:
    """Opening every city's actions loads nothing: the only requests are the page's own;
    following a share link is the first request to its network."""
    requests = Requests(context)
    page = context.new_page()
    page.goto(server(f"/events/{SAMPLE_SLUG}?lang=en"))
    page.wait_for_load_state("load")
    for summary in page.locator("details.city-actions summary").all():
        summary.click()
    assert page.locator("details.city-actions[open]").count() == 14
    page.wait_for_timeout(300)
    assert requests.foreign() == []
    own = {urlsplit(u).path.split("/")[1] for u in requests.urls}
    assert own <= {"events", "static"}, own
    # The copy button appears where the clipboard is (a secure context: 127.0.0.1 is one).
    assert page.locator("#share [data-share-copy]").is_visible()
    with context.expect_page() as popup:
        page.locator("#pw-city-berlin details a", has_text="Telegram").click()
    popup.value.wait_for_load_state("domcontentloaded")
    [sent] = requests.foreign()
    assert sent.startswith("https://t.me/share/url?url=")
    assert quote(server(f"/events/{SAMPLE_SLUG}?lang=en#pw-city-berlin"), safe="") in sent


HOST_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Allied site</title>'
    '</head><body><h1>Allied</h1><div data-pauseai-widget="{slug}" data-lang="en" data-map="1">'
    '<a href="https://example.org/events/next">PauseAI protests</a></div>'
    '<script async src="{script}"></script></body></html>'
)


def site_metrics(server: LiveServer) -> list[str]:
    """The by-site click samples of /metrics."""
    with urllib.request.urlopen(server("/metrics"), timeout=5) as response:
        text = response.read().decode()
    return [
        line for line in text.splitlines() if line.startswith("widget_signup_clicks_by_site_total")
    ]


def test_the_embedding_origin_reaches_go_only_on_click(
    context: Any, server: LiveServer, host_page: HostSite
) -> None:
    """On an allied page, no request carries the page's origin until a signup link is
    clicked; the click's /go/ request names the origin alone (no path), and /metrics then
    counts signups by that site."""
    requests = Requests(context)
    page = context.new_page()
    url = host_page.page(
        HOST_PAGE.replace("{slug}", SAMPLE_SLUG).replace("{script}", server("/embed.js")),
        name="allied/deep/path",
    )
    origin = host_page.url
    page.goto(url + "?visitor=secret")
    frame = page.frame_locator("[data-pauseai-widget] iframe")
    assert frame.locator("figure.map circle.dot").count() == 14  # map=1 passed through
    handle = page.locator("[data-pauseai-widget] iframe").element_handle()
    assert handle is not None
    inner = handle.content_frame()
    assert inner is not None
    assert wait_until(page, lambda: inner.evaluate("document.readyState") == "complete")
    page.wait_for_timeout(500)  # the height message and the site message
    encoded = quote(origin, safe="")
    assert not [
        u for u in requests.urls if encoded in u or (origin in u and u != url + "?visitor=secret")
    ]
    link = inner.locator("#pw-city-berlin a.row")
    assert "site=" not in str(link.get_attribute("href"))  # the DOM holds it only once clicked
    for _ in range(PROMOTE_AFTER):
        with context.expect_page() as popup:
            link.click()
        popup.value.close()
    go = [u for u in requests.urls if "/go/" in u]
    assert len(go) == PROMOTE_AFTER
    for sent in go:
        assert urlsplit(sent).query == f"site={encoded}"
    assert not any(
        "secret" in u or "deep" in u for u in requests.urls if u != url + "?visitor=secret"
    )
    assert set(requests.foreign()) <= {"https://www.facebook.com/events/1534322907129050"}
    assert any(
        f'site="{origin}"' in line and 'location="berlin"' in line for line in site_metrics(server)
    )


@pytest.mark.parametrize("width", [320, 600, 760])
@pytest.mark.parametrize("query", ["lang=en&map=1", "lang=de&map=1&country=NL,DE,FR"])
def test_announced_height_covers_the_widget_with_its_map(
    browser: Any, server: LiveServer, width: int, query: str
) -> None:
    """oEmbed's height for a widget with ``map=1`` is never less than the real widget in
    Chromium at that width, and not more than a third taller."""
    page_url = server(f"/events/{SAMPLE_SLUG}?{query}")
    with urllib.request.urlopen(
        server(f"/oembed?url={quote(page_url, safe='')}&maxwidth={width}"), timeout=10
    ) as response:
        data = json.loads(response.read())
    assert "map=1" in data["html"]
    context = browser.new_context(viewport={"width": data["width"], "height": 800})
    page = context.new_page()
    page.goto(server(f"/embed/{SAMPLE_SLUG}?{query}"))
    page.wait_for_load_state("load")
    assert page.locator("figure.map").count() == 1
    measured = page.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    context.close()
    assert measured <= data["height"] <= measured * 1.35, (measured, data["height"])


def test_dots_stay_in_the_frame_inside_wordpress_sandbox(
    context: Any, server: LiveServer, host_page: HostSite
) -> None:
    """In WordPress's sandbox the widget turns clicks on our links into "link" messages; a
    dot's in-page link is not one of them (it must not navigate the blog), a signup link
    still is (without a site: no embed.js told it one)."""
    frame_url = server(f"/embed/{SAMPLE_SLUG}?lang=en&map=1#?secret=abc123")
    page = context.new_page()
    page.goto(
        host_page.page(
            "<!doctype html><title>Blog</title><script>window.got = [];"
            "addEventListener('message', e => window.got.push(e.data));</script>"
            f'<iframe sandbox="allow-scripts" src="{frame_url}" width="600" height="900"'
            ' title="Widget"></iframe>'
        )
    )
    frame = page.frame_locator("iframe")
    frame.locator('figure.map a[href="#pw-city-sydney"]').click()
    frame.locator("#pw-city-berlin a.row").click()
    assert wait_until(
        page, lambda: any(m.get("message") == "link" for m in page.evaluate("window.got"))
    )
    links = [m["value"] for m in page.evaluate("window.got") if m.get("message") == "link"]
    assert links == [server(f"/go/{SAMPLE_SLUG}/berlin")]
