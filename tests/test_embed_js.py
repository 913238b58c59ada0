"""The snippet loader /embed.js, on a host page of another origin, in real Chromium."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from widget.assets import Assets

from browser_support import HostSite, LiveServer, foreign, record_requests, wait_until

MAX_GZIPPED = 2048


def test_embed_js_is_small_when_gzipped(client: TestClient) -> None:
    """embed.js as served with gzip is at most 2 KB (printed for the record)."""
    response = client.get("/embed.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["content-encoding"] == "gzip"
    served = int(response.headers["content-length"])
    source = Assets()["embed.js"].content
    print(f"embed.js: {len(source)} bytes, {served} bytes gzipped as served")
    assert served <= MAX_GZIPPED
    assert len(gzip.compress(source, compresslevel=6)) <= MAX_GZIPPED


def test_embed_js_is_plain_and_cookie_free() -> None:
    """The loader has no imports, no cookie access, no eval and no UI strings of its own."""
    source = Assets()["embed.js"].text
    for forbidden in (
        "document.cookie",
        "import ",
        "eval(",
        "new Function",
        "innerHTML",
        "localStorage",
        "http://",
        "https://",
    ):
        assert forbidden not in source, forbidden


def snippet(server: LiveServer, body: str, *, scripts: int = 1) -> str:
    """A host page holding ``body`` and the loader's script tag (``scripts`` times)."""
    tag = f'<script async src="{server("/embed.js")}"></script>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host page</title>'
        f"</head><body><h1>An allied site</h1>{body}{tag * scripts}</body></html>"
    )


def placeholder(slug: str = "next", **data: str) -> str:
    """A placeholder div with its fallback link, as the publish page writes it."""
    attributes = "".join(
        f' data-{name.replace("_", "-")}="{value}"' for name, value in data.items()
    )
    return (
        f'<div data-pauseai-widget="{slug}"{attributes}>'
        f'<a href="https://example.org/events/next">PauseAI protests near you</a></div>'
    )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own context: no shared storage) on a 900 px wide viewport."""
    context = browser.new_context(viewport={"width": 900, "height": 2400})
    page = context.new_page()
    yield page
    context.close()


def heights(page: Any, index: int) -> tuple[float, float]:
    """(the iframe's height on the host, its document's content height) of iframe ``index``."""
    element = page.locator("iframe").nth(index).element_handle()
    outer: float = element.evaluate("f => f.getBoundingClientRect().height")
    frame = element.content_frame()
    # Before its first navigation commits, the frame shows its initial empty document (url
    # '' or about:blank), as tall as the iframe itself in quirks mode: not the widget.
    if frame is None or frame.url in ("", "about:blank"):
        return outer, -1.0
    try:
        inner: float = frame.evaluate("document.documentElement.getBoundingClientRect().height")
    except Exception:  # the frame is navigating
        return outer, -1.0
    return outer, inner


def sized(page: Any, index: int) -> bool:
    """True when iframe ``index`` is as tall as its content (within 2 px)."""
    outer, inner = heights(page, index)
    return inner > 50 and abs(outer - inner) <= 2


@pytest.mark.slow
@pytest.mark.browser
def test_iframe_replaces_placeholder_and_follows_content_height(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """The iframe appears with its parameters and keeps its content's height across a resize."""
    requests = record_requests(page)
    url = host_page.page(
        snippet(live_server, placeholder(lang="nl", theme="dark", accent="#ff9416"))
    )
    page.goto(url)
    iframe = page.locator("iframe")
    iframe.wait_for()
    src = iframe.get_attribute("src") or ""
    assert src.startswith(
        live_server("/embed/next?lang=nl&theme=dark&accent=%23ff9416#pauseai-widget=")
    )
    assert iframe.get_attribute("title") == "PauseAI protests near you"
    assert iframe.get_attribute("loading") == "lazy"
    assert iframe.evaluate("f => [f.style.width, f.style.borderStyle || f.style.border]") == [
        "100%",
        "none",
    ]
    assert wait_until(page, lambda: sized(page, 0)), heights(page, 0)
    fallback = page.locator("[data-pauseai-widget] a")
    assert fallback.count() == 1 and not fallback.is_visible(), "the link stays in the DOM, hidden"
    wide = heights(page, 0)[0]
    page.set_viewport_size({"width": 420, "height": 2400})
    assert wait_until(page, lambda: sized(page, 0) and heights(page, 0)[0] != wide), heights(
        page, 0
    )
    narrow = heights(page, 0)[0]
    assert narrow > wide, "one column at 420 px is taller than two at 900 px"
    page.set_viewport_size({"width": 900, "height": 2400})
    assert wait_until(page, lambda: sized(page, 0) and abs(heights(page, 0)[0] - wide) <= 2)
    assert foreign(requests) == []
    assert page.context.cookies() == []


@pytest.mark.slow
@pytest.mark.browser
def test_two_widgets_size_independently(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Two widgets on a page (all cities; only the Netherlands) each get their own height."""
    body = (
        placeholder(lang="en")
        + "<p>Between the widgets.</p>"
        + placeholder(lang="en", country="NL")
    )
    page.goto(host_page.page(snippet(live_server, body)))
    assert wait_until(page, lambda: page.locator("iframe").count() == 2)
    assert wait_until(page, lambda: sized(page, 0) and sized(page, 1)), (
        heights(page, 0),
        heights(page, 1),
    )
    everything, netherlands = heights(page, 0)[0], heights(page, 1)[0]
    assert netherlands < everything - 150
    ids = [page.locator("iframe").nth(i).get_attribute("src").split("#")[1] for i in (0, 1)]
    assert ids[0] != ids[1]


@pytest.mark.slow
@pytest.mark.browser
def test_messages_from_other_sources_are_ignored(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Height messages from the host itself or from another frame of our origin change nothing."""
    # A plain iframe of the full widget (not made by embed.js) posts its own, larger height.
    plain = f'<iframe id="plain" src="{live_server("/embed/next?lang=en")}" title="plain"></iframe>'
    page.goto(host_page.page(snippet(live_server, placeholder(lang="en", country="NL") + plain)))
    loader_frame = page.locator("iframe[loading=lazy]")
    loader_frame.wait_for()
    assert wait_until(page, lambda: sized(page, 0)), heights(page, 0)
    before = heights(page, 0)[0]
    page.evaluate(
        """() => window.postMessage({type: "pauseai-widget:height", id: "w1", height: 5}, "*")"""
    )
    page.wait_for_timeout(300)
    assert heights(page, 0)[0] == before, "a message from the host's own origin is ignored"
    assert before < 400, "the big plain widget's messages did not resize the loader's frame"


@pytest.mark.slow
@pytest.mark.browser
def test_consent_click_loads_nothing_before_the_click(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """data-consent="click": a facade first, no request for /embed/ until the button is pressed."""
    requests = record_requests(page)
    body = placeholder(
        lang="en",
        consent="click",
        consent_text="Loading the widget contacts our server.",
        consent_button="Load the PauseAI widget",
    )
    page.goto(host_page.page(snippet(live_server, body)))
    button = page.get_by_role("button", name="Load the PauseAI widget")
    button.wait_for()
    assert page.get_by_text("Loading the widget contacts our server.").is_visible()
    assert page.get_by_role("link", name="PauseAI protests near you").is_visible()
    page.wait_for_timeout(300)
    assert page.locator("iframe").count() == 0
    assert [url for url in requests if "/embed/" in url] == []
    button.click()
    assert wait_until(page, lambda: sized(page, 0)), heights(page, 0)
    assert [url for url in requests if "/embed/" in url] != []
    assert page.locator("[data-pauseai-widget] button").count() == 0
    assert foreign(requests) == []


@pytest.mark.slow
@pytest.mark.browser
def test_included_twice_and_late_placeholders(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Two script tags make one iframe per placeholder; scan() mounts placeholders added later."""
    page.goto(host_page.page(snippet(live_server, placeholder(lang="en"), scripts=2)))
    page.locator("iframe").wait_for()
    page.wait_for_timeout(300)
    assert page.locator("iframe").count() == 1
    globals_added = page.evaluate(
        """() => { const f = document.createElement("iframe"); document.body.append(f);
        const fresh = new Set(Object.keys(f.contentWindow)); f.remove();
        return Object.keys(window).filter(k => !fresh.has(k) && !/^\\d+$/.test(k)); }"""
    )
    assert globals_added == ["PauseAIWidget"], "one global (frame indexes aside)"
    page.evaluate(
        """() => { const d = document.createElement("div"); d.dataset.pauseaiWidget = "next";
        d.dataset.country = "NL"; document.body.append(d); window.PauseAIWidget.scan(); }"""
    )
    assert wait_until(page, lambda: page.locator("iframe").count() == 2)
    assert wait_until(page, lambda: sized(page, 1)), heights(page, 1)


@pytest.mark.slow
@pytest.mark.browser
def test_fallback_link_returns_when_the_widget_fails(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """A widget that never reports its height (unknown event) is removed and the link shown."""
    page.goto(host_page.page(snippet(live_server, placeholder("no-such-event"))))
    link = page.get_by_role("link", name="PauseAI protests near you")
    page.locator("iframe").wait_for(state="attached")
    assert not link.is_visible()
    assert wait_until(page, lambda: page.locator("iframe").count() == 0, timeout=10)
    assert link.is_visible()
