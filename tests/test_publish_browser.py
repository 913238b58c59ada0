"""The publish and event pages in real Chromium: snippets that work, preview, copy, a11y."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from browser_support import (
    HostSite,
    LiveServer,
    axe,
    describe,
    foreign,
    record_requests,
    wait_until,
)
from conftest import SAMPLE_SLUG

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own storage and permissions)."""
    created = browser.new_context(viewport={"width": 1280, "height": 900})
    yield created
    created.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page that fails the test on uncaught script errors."""
    created = context.new_page()
    errors: list[str] = []
    created.on("pageerror", lambda error: errors.append(str(error)))
    yield created
    assert errors == []


def widget_frame(page: Any, live_server: LiveServer, query: str = "") -> Any:
    """The frame of our widget (whose URL holds ``query``) inside a page, once loaded."""

    def found() -> Any:
        for frame in page.frames:
            if frame.url.startswith(live_server("/embed/")) and query in frame.url:
                return frame
        return None

    assert wait_until(page, lambda: found() is not None), "no widget frame appeared"
    frame = found()
    frame.wait_for_load_state("load")
    return frame


def cities_in(frame: Any) -> list[str]:
    """The city names a widget frame shows (none while it is navigating)."""
    try:
        names: list[str] = frame.locator(".country .city").all_inner_texts()
    except PlaywrightError:
        return []
    return names


@pytest.mark.parametrize("snippet", ["script", "iframe"])
def test_snippets_pasted_on_another_site_show_the_widget(
    page: Any, live_server: LiveServer, host_page: HostSite, snippet: str
) -> None:
    """The page's snippet, pasted into a page on another origin, frames 14 cities."""
    page.goto(live_server("/?lang=en"))
    code = page.locator(f"#snippet-{snippet}").input_value()
    host = host_page.page(f"<!doctype html><title>Ally</title><h1>Our news</h1>{code}")
    page.goto(host)
    frame = widget_frame(page, live_server)
    assert wait_until(page, lambda: len(cities_in(frame)) == 14)
    assert "The Hague" in cities_in(frame)
    assert parse_qs(urlsplit(frame.url).query)["lang"] == ["en"]
    if snippet == "script":  # sized by the loader from the widget's height messages
        assert wait_until(
            page,
            lambda: (
                page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
                > 400
            ),
        )


def test_click_to_load_snippet_asks_first(
    page: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """With consent=click the pasted snippet shows a button and frames nothing until clicked."""
    page.goto(live_server("/?consent=click&lang=en&country=NL"))
    code = page.locator("#snippet-script").input_value()
    page.goto(host_page.page(f"<!doctype html><title>Ally</title>{code}"))
    button = page.get_by_role("button", name="Show the PauseAI protest widget")
    button.wait_for()
    assert page.locator("iframe").count() == 0
    button.click()
    frame = widget_frame(page, live_server)
    assert wait_until(page, lambda: cities_in(frame) == ["The Hague"])


def test_options_update_the_preview_and_snippets_live(page: Any, live_server: LiveServer) -> None:
    """Changing an option re-renders the snippets and points the preview at the new view."""
    page.goto(live_server("/"))
    preview = page.locator("[data-preview-frame]")
    page.select_option("#lang", "nl")
    page.get_by_label("Dark").check()
    page.locator("input[name=country][value=NL]").check()
    assert wait_until(
        page, lambda: 'data-country="NL"' in page.locator("#snippet-script").input_value()
    )
    code = page.locator("#snippet-script").input_value()
    assert 'data-lang="nl"' in code and 'data-theme="dark"' in code
    assert wait_until(page, lambda: "country=NL" in (preview.get_attribute("src") or ""))
    frame = widget_frame(page, live_server, "country=NL")
    assert wait_until(page, lambda: cities_in(frame) == ["Den Haag"])
    # The preview is sized by the widget's height messages.
    assert wait_until(
        page,
        lambda: (
            abs(
                preview.bounding_box()["height"]
                - frame.evaluate("document.documentElement.getBoundingClientRect().height")
            )
            <= 2
        ),
    )
    assert "country=NL" in page.url and "lang=nl" in page.url  # reloadable


def test_copy_buttons_copy_the_snippet(context: Any, page: Any, live_server: LiveServer) -> None:
    """A copy button puts its snippet on the clipboard and says so."""
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server("/?lang=en"))
    page.locator("[data-copy=snippet-url]").click()
    status = page.locator(".copied")
    assert wait_until(page, lambda: status.inner_text() == "Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == live_server("/events/next?lang=en")


def test_copy_falls_back_to_selecting_the_text(page: Any, live_server: LiveServer) -> None:
    """Without the Clipboard API the snippet is selected and the status says how to copy."""
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.goto(live_server("/"))
    page.locator("[data-copy=snippet-script]").click()
    selected = page.evaluate(
        "(() => { const a = document.activeElement; return [a.id, a.selectionStart, "
        "a.selectionEnd, a.value.length]; })()"
    )
    assert selected[0] == "snippet-script"
    assert selected[1] == 0 and selected[2] == selected[3]
    status = page.locator(".copied")
    # execCommand("copy") may or may not succeed headless: either message is right.
    messages = {status.get_attribute("data-copied"), status.get_attribute("data-copy-failed")}
    assert wait_until(page, lambda: status.inner_text() in messages)


def test_builder_works_without_javascript(browser: Any, live_server: LiveServer) -> None:
    """With scripts off, submitting the form re-renders the page with the chosen snippets."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server("/"))
        assert page.locator("[data-copy]").first.is_hidden()  # nothing that needs a script
        page.select_option("#lang", "de")
        page.locator("input[name=city][value=london]").check()
        page.get_by_role("button", name="Update the snippets").click()
        page.wait_for_load_state("load")
        code = page.locator("#snippet-script").input_value()
        assert 'data-lang="de"' in code and 'data-city="london"' in code
        assert "city=london" in (page.locator("[data-preview-frame]").get_attribute("src") or "")
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    ["/?lang=en", f"/events/{SAMPLE_SLUG}?lang=en", f"/events/{SAMPLE_SLUG}?lang=nl&theme=dark"],
)
def test_pages_are_accessible(page: Any, live_server: LiveServer, path: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA or best-practice violation on our pages."""
    page.goto(live_server(path))
    page.wait_for_load_state("load")
    violations = axe(page)
    assert violations == [], describe(violations)


def test_event_page_requests_nothing_elsewhere_until_consent(
    page: Any, live_server: LiveServer
) -> None:
    """The event page loads only from us; X's script comes only after 'Load post'."""
    requests = record_requests(page)
    page.goto(live_server(f"/events/{SAMPLE_SLUG}?lang=en"))
    page.wait_for_load_state("load")
    assert foreign(requests) == []
    assert page.context.cookies() == []
    page.get_by_role("button", name="Load post").click()
    assert wait_until(page, lambda: any("platform.twitter.com" in url for url in requests))


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen(browser: Any, live_server: LiveServer, width: int) -> None:
    """No horizontal scrolling on a phone or a desktop."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        for path in ("/", f"/events/{SAMPLE_SLUG}"):
            page.goto(live_server(path))
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    finally:
        context.close()
