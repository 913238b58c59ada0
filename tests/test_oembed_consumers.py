"""Real oEmbed consumers against a running service: micawber, pyembed, and a browser.

micawber is configured the way a site registers a known provider (a URL pattern and our
endpoint); pyembed discovers the endpoint from the canonical page's ``<link>`` tags, as
WordPress and Ghost do. Both must get a ``rich`` response holding our widget's iframe.
Chromium then shows that the html, pasted into a page as consumers do, frames a widget
whose real height the response's ``height`` covers.
"""

from __future__ import annotations

import re
import warnings
from typing import Any
from urllib.parse import quote, urlsplit

import micawber
import pytest
import requests
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

# pyembed imports pkg_resources (setuptools < 81, pinned in the lock, still ships it) and
# declares a pkg_resources namespace; both warn that they are deprecated, at import only.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
    warnings.filterwarnings("ignore", ".*pkg_resources", DeprecationWarning)
    from pyembed.core import PyEmbed, consumer
    from pyembed.core.discovery import AutoDiscoverer

from browser_support import HostSite, LiveServer, wait_until
from conftest import SAMPLE_SLUG
from wordpress_filter import survives

pytestmark = pytest.mark.slow


def page_url(live_server: LiveServer, query: str = "") -> str:
    """The canonical page of the sample event on the live server."""
    return live_server(f"/events/{SAMPLE_SLUG}{query}")


def iframe_of(html: str) -> Any:
    """The one iframe of an oEmbed html fragment."""
    iframes = BeautifulSoup(html, "html.parser").find_all("iframe")
    assert len(iframes) == 1
    return iframes[0]


def test_micawber_with_a_registered_provider(live_server: LiveServer) -> None:
    """micawber's ProviderRegistry gets a rich response with our iframe, and embeds it in text."""
    registry = micawber.ProviderRegistry()
    registry.register(
        re.escape(live_server("/")) + r"(?:events|embed)/\S+",
        micawber.Provider(live_server("/oembed")),
    )
    url = page_url(live_server, "?lang=en&country=NL")
    data = registry.request(url, maxwidth=480)
    assert data["type"] == "rich"
    assert data["width"] == 480
    assert data["height"] <= 480 * 16 // 9  # micawber derives a maxheight from maxwidth
    iframe = iframe_of(data["html"])
    assert iframe["src"] == live_server(f"/embed/{SAMPLE_SLUG}?lang=en&country=NL")
    assert survives(data["html"])
    text = registry.parse_text(f"Join us!\n{url}\nSee you there.")
    assert iframe_of(text)["src"] == iframe["src"]


def test_pyembed_discovers_json_from_the_page(live_server: LiveServer) -> None:
    """pyembed fetches the canonical page, follows its JSON link and renders our html."""
    # AutoDiscoverer: discovery from the page only (the default also asks oembed.com).
    embedder = PyEmbed(discoverer=AutoDiscoverer())
    html = embedder.embed(page_url(live_server, "?lang=en"), max_width=600, max_height=900)
    iframe = iframe_of(html)
    assert iframe["src"] == live_server(f"/embed/{SAMPLE_SLUG}?lang=en")
    assert int(iframe["width"]) <= 600 and int(iframe["height"]) <= 900
    assert BeautifulSoup(html, "html.parser").blockquote is not None


def test_pyembed_discovers_xml_from_the_page(live_server: LiveServer) -> None:
    """The XML link works too: pyembed parses our XML into the same rich response."""
    [oembed_url] = list(AutoDiscoverer().get_oembed_urls(page_url(live_server), "xml"))
    assert "format=xml" in oembed_url
    with warnings.catch_warnings():
        # pyembed parses XML with bs4's HTML parser, which warns about it: their choice.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        response = consumer.get_oembed_response(oembed_url, max_width=400, max_height=800)
    assert response.type == "rich"
    assert (response.width, response.height <= 800) == (400, True)
    assert iframe_of(response.html)["src"] == live_server(f"/embed/{SAMPLE_SLUG}")


def test_discovery_through_the_link_header(live_server: LiveServer) -> None:
    """A consumer reading only headers finds both endpoints in Link."""
    response = requests.head(page_url(live_server), timeout=10)
    links = requests.utils.parse_header_links(response.headers["link"])
    assert {link["type"] for link in links} == {"application/json+oembed", "text/xml+oembed"}
    for link in links:
        assert requests.get(link["url"], timeout=10).status_code == 200


def test_cors_lets_browsers_read_the_endpoint(live_server: LiveServer) -> None:
    """A cross-origin fetch of /oembed is allowed (Access-Control-Allow-Origin: *)."""
    response = requests.get(
        live_server(f"/oembed?url={quote(page_url(live_server), safe='')}"),
        headers={"origin": "https://blog.example"},
        timeout=10,
    )
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 480, 600, 760])
@pytest.mark.parametrize(
    "query",
    [
        "?lang=en",
        "?lang=de&country=US",
        "?city=london",
        "?lang=pt-BR&city=london",  # no Portuguese text: a note, and the longest labels
    ],
)
def test_announced_height_covers_the_real_widget(
    browser: Any, live_server: LiveServer, host_page: HostSite, width: int, query: str
) -> None:
    """Pasted as consumers paste it, the iframe is never shorter than the widget, and not
    more than a third taller (narrow widths and long languages wrap least predictably)."""
    url = page_url(live_server, query)
    data = requests.get(
        live_server("/oembed"), params={"url": url, "maxwidth": str(width)}, timeout=10
    ).json()
    host = host_page.page(f"<!doctype html><body style='margin:0'>{data['html']}</body>")
    # In a time zone with a place, as most visitors are: the nearest-city note shows.
    page = browser.new_page(viewport={"width": 1000, "height": 800}, timezone_id="Europe/Oslo")
    try:
        page.goto(host)
        assert wait_until(
            page,
            lambda: any(urlsplit(frame.url).path.startswith("/embed/") for frame in page.frames),
        )
        frame = next(f for f in page.frames if urlsplit(f.url).path.startswith("/embed/"))
        frame.wait_for_load_state("load")
        assert wait_until(page, lambda: frame.locator(".nearby").count() == 1)
        measured = frame.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        assert frame.evaluate("innerWidth") == data["width"]
        assert measured <= data["height"] <= measured * 1.35, (measured, data["height"])
    finally:
        page.close()
