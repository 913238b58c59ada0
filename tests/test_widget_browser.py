"""The widget document in real Chromium: privacy, consent, WordPress, no-JS, a11y, size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from widget.documents.widget_view import DARK_BACKGROUND, palette
from widget.languages import SUPPORTED_LANGUAGES

from browser_support import (
    HostSite,
    LiveServer,
    axe,
    describe,
    foreign,
    record_requests,
    wait_until,
)
from conftest import SAMPLE_CITIES, SAMPLE_SLUG

pytestmark = [pytest.mark.slow, pytest.mark.browser]

X_HOST = "platform.twitter.com"
CONSENT_KEY = "pauseai-widget:consent:x"
# Reads the stored choice; None where storage is denied (third-party frames in Chromium's
# default context block it, as the opaque origin of WordPress's sandbox does).
STORED_CHOICE = f"""(() => {{ try {{ return localStorage.getItem("{CONSENT_KEY}"); }}
    catch (e) {{ return null; }} }})()"""


class Errors:
    """Uncaught exceptions and console errors of a page and all its frames."""

    def __init__(self, page: Any) -> None:
        self.uncaught: list[str] = []
        self.console: list[str] = []
        page.on("pageerror", lambda error: self.uncaught.append(str(error)))
        page.on(
            "console", lambda message: message.type == "error" and self.console.append(message.text)
        )

    def script_errors(self) -> list[str]:
        """Everything but failed loads of requests the test itself aborted."""
        return self.uncaught + [
            text for text in self.console if not text.startswith("Failed to load resource")
        ]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own storage) with a 400 px wide viewport."""
    context = browser.new_context(viewport={"width": 400, "height": 900})
    yield context
    context.close()


def host_with_iframe(server: LiveServer, query: str = "lang=en") -> str:
    """A host page that frames the widget with a plain iframe."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>'
        f'<body><iframe src="{server(f"/embed/next?{query}")}" title="PauseAI" width="380" '
        'height="900"></iframe></body></html>'
    )


def widget_frame(page: Any) -> Any:
    """The Frame of the page's (first) iframe, once it has loaded."""
    element = page.locator("iframe").first.element_handle()
    frame = element.content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def test_no_foreign_request_before_consent_then_x_after(
    context: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Nothing leaves for another host until 'Load post'; then X's script is requested."""
    page = context.new_page()
    errors = Errors(page)
    requests = record_requests(page)
    page.goto(host_page.page(host_with_iframe(live_server)))
    frame = widget_frame(page)
    page.wait_for_timeout(300)
    assert foreign(requests) == []
    assert context.cookies() == []
    assert frame.locator(".controls").is_visible(), "consent.js shows the controls"
    frame.get_by_role("button", name="Load post").click()
    assert wait_until(page, lambda: any(X_HOST in url for url in foreign(requests)))
    assert {re.sub(r"^https://([^/]+)/.*", r"\1", url) for url in foreign(requests)} == {X_HOST}
    withdraw = frame.get_by_role("button", name="Hide and withdraw consent for X")
    assert withdraw.is_visible()
    assert frame.evaluate("document.activeElement.closest('.withdraw') !== null"), "focus moved"
    assert frame.locator(".facade").is_hidden()
    assert frame.locator("blockquote.twitter-tweet a").get_attribute("href") == (
        "https://twitter.com/PauseAI/status/1790248685659447496"
    )
    assert frame.evaluate(STORED_CHOICE) is None, "not remembered"
    assert errors.script_errors() == []


def test_always_allow_survives_reload_and_withdraw_needs_none(
    context: Any, live_server: LiveServer
) -> None:
    """'Always allow X' loads the post again after a reload; withdrawing restores the facade live.

    The widget is opened as the top document: Chromium's default context denies storage to
    third-party frames (the widget then remembers in memory only, tested under WordPress).
    """
    page = context.new_page()
    errors = Errors(page)
    requests = record_requests(page)
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?lang=en"))
    frame = page.main_frame
    frame.get_by_label("Always allow X").check()
    frame.get_by_role("button", name="Load post").click()
    assert wait_until(page, lambda: any(X_HOST in url for url in requests))
    assert frame.evaluate(STORED_CHOICE) == "1"

    requests.clear()
    page.reload()
    assert wait_until(page, lambda: any(X_HOST in url for url in requests)), (
        "loaded without a click"
    )
    withdraw = frame.get_by_role("button", name="Hide and withdraw consent for X")
    assert withdraw.is_visible()
    assert frame.get_by_label("Always allow X").is_checked()

    frame.evaluate("window.notReloaded = true")
    withdraw.click()
    assert frame.evaluate("window.notReloaded") is True
    assert frame.get_by_role("button", name="Load post").is_visible()
    assert frame.evaluate("document.activeElement.className") == "load"
    assert frame.locator(".embed").is_hidden()
    assert frame.locator(".embed").evaluate("box => box.childElementCount") == 0
    assert not frame.get_by_label("Always allow X").is_checked()
    assert frame.evaluate(STORED_CHOICE) is None

    requests.clear()
    page.reload()
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert foreign(requests) == [], "withdrawn: nothing loads after a reload"
    assert errors.script_errors() == []


WORDPRESS_SECRET = "Ab3dE6gH9k"
# What WordPress's oEmbed filter leaves (blockquote + sandboxed iframe hidden by a clip until
# the first height message), and a host script that follows wp-embed.js's documented rules.
WORDPRESS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A WordPress post</title></head><body><h1>A post</h1>
<blockquote class="wp-embedded-content" data-secret="{secret}">
<a href="{canonical}">PauseAI protests</a></blockquote>
<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted"
 style="position: absolute; clip: rect(1px, 1px, 1px, 1px);" title="PauseAI protests"
 src="{src}#?secret={secret}" data-secret="{secret}" width="600" height="338"
 frameborder="0" marginwidth="0" marginheight="0" scrolling="no"></iframe>
<script>
window.heights = []; window.links = [];
window.addEventListener("message", function (event) {{
  var data = event.data;
  if (!data || !data.secret || !data.message || !/^[a-zA-Z0-9]+$/.test(data.secret)) return;
  var frames = document.querySelectorAll('iframe[data-secret="' + data.secret + '"]');
  var quotes = document.querySelectorAll('blockquote[data-secret="' + data.secret + '"]');
  for (var q = 0; q < quotes.length; q++) quotes[q].style.display = "none";
  for (var i = 0; i < frames.length; i++) {{
    var source = frames[i];
    if (event.source !== source.contentWindow) continue;
    source.removeAttribute("style");
    if (data.message === "height") {{
      var height = parseInt(data.value, 10);
      if (height > 1000) height = 1000; else if (~~height < 200) height = 200;
      source.height = height;
      window.heights.push(height);
    }} else if (data.message === "link") {{
      var from = document.createElement("a"), to = document.createElement("a");
      from.href = source.getAttribute("src");
      to.href = data.value;
      if (!/^https?:$/.test(to.protocol)) continue;
      // WordPress sets window.top.location.href here; the test records instead.
      if (to.host === from.host && document.activeElement === source) window.links.push(data.value);
    }}
  }}
}});
</script></body></html>"""


def test_wordpress_sandbox_height_links_and_storage(
    browser: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """In WordPress's sandboxed iframe: height message sizes it, a click yields a link message."""
    context = browser.new_context(viewport={"width": 700, "height": 1200})
    page = context.new_page()
    errors = Errors(page)
    requests = record_requests(page)
    html = WORDPRESS_PAGE.format(
        secret=WORDPRESS_SECRET,
        canonical=live_server(f"/events/{SAMPLE_SLUG}"),
        src=live_server(f"/embed/{SAMPLE_SLUG}?lang=en"),
    )
    page.goto(host_page.page(html))
    assert wait_until(page, lambda: page.evaluate("window.heights.length") > 0)
    iframe = page.locator("iframe.wp-embedded-content")
    assert iframe.get_attribute("style") is None, "shown after the first height message"
    assert page.locator("blockquote.wp-embedded-content").is_hidden()
    frame = widget_frame(page)
    assert frame.evaluate("origin") == "null", "the sandbox's origin is opaque"
    content = frame.evaluate("document.documentElement.getBoundingClientRect().height")
    assert wait_until(page, lambda: abs(float(iframe.get_attribute("height") or 0) - content) <= 2)
    assert 200 <= content <= 1000

    page.evaluate(
        f"""() => {{ window.heights = [];
        document.querySelector("iframe").contentWindow.postMessage(
            {{message: "ready", secret: "{WORDPRESS_SECRET}"}}, "*"); }}"""
    )
    assert wait_until(page, lambda: page.evaluate("window.heights.length") > 0), "ready → height"

    frame.get_by_role("link", name=re.compile("^Oslo")).click()
    assert wait_until(page, lambda: page.evaluate("window.links.length") > 0)
    assert page.evaluate("window.links") == [live_server(f"/go/{SAMPLE_SLUG}/oslo")]
    assert len(context.pages) == 1, "no popup was attempted"

    # Storage throws in the opaque origin: consent still works, in memory.
    assert (
        frame.evaluate(
            "(() => { try { localStorage; return 'ok'; } catch (e) { return e.name; } })()"
        )
        == "SecurityError"
    )
    frame.get_by_label("Always allow X").check()
    frame.get_by_role("button", name="Load post").click()
    assert wait_until(page, lambda: any(X_HOST in url for url in requests))
    frame.get_by_role("button", name="Hide and withdraw consent for X").click()
    assert frame.get_by_role("button", name="Load post").is_visible()
    assert errors.script_errors() == []
    # The collector does see the sandboxed frame: an error thrown there is reported.
    frame.evaluate("setTimeout(() => { throw new Error('probe') }, 0)")
    assert wait_until(page, lambda: any("probe" in text for text in errors.uncaught))
    context.close()


def test_works_without_javascript(browser: Any, live_server: LiveServer) -> None:
    """With JavaScript off every city and signup link is there and visible."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 400, "height": 900})
    page = context.new_page()
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?lang=en"))
    links = page.locator("a.row")
    assert links.count() == 14
    for city in SAMPLE_CITIES:
        link = page.get_by_role("link", name=re.compile(f"^{re.escape(city)} "))
        assert link.is_visible(), city
        assert (link.get_attribute("href") or "").startswith(live_server(f"/go/{SAMPLE_SLUG}/"))
    assert page.locator(".controls").is_hidden(), "consent buttons need JavaScript: hidden"
    assert page.locator(".fallback a").is_visible(), "the post is still reachable as a link"
    context.close()


@pytest.mark.parametrize(
    ("query", "scheme"),
    [
        ("lang=en&theme=light", "light"),
        ("lang=en&theme=dark", "light"),
        ("lang=en&theme=auto", "dark"),  # auto follows the visitor's dark preference
        ("lang=nl&theme=light&accent=%23ffff00", "light"),  # yellow: adjusted for contrast
        ("lang=de&theme=dark&accent=%23000080", "light"),  # navy on dark: adjusted
    ],
)
def test_no_axe_violations(browser: Any, live_server: LiveServer, query: str, scheme: str) -> None:
    """axe-core finds no WCAG 2.2 A/AA or best-practice violation in either theme."""
    context = browser.new_context(viewport={"width": 400, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?{query}"))
    page.wait_for_load_state("load")
    violations = axe(page)
    assert violations == [], describe(violations)
    context.close()


def test_accent_and_theme_are_applied(browser: Any, live_server: LiveServer) -> None:
    """The accent reaches the links in its readable variant; dark theme paints dark."""
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    errors = Errors(page)
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?theme=light&accent=%23ffff00"))
    colour = page.locator(".how").first.evaluate("e => getComputedStyle(e).color")
    red, green, blue = (int(palette("#ffff00").light[i : i + 2], 16) for i in (1, 3, 5))
    assert colour == f"rgb({red}, {green}, {blue})"
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?theme=dark"))
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    red, green, blue = (int(DARK_BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    assert background == f"rgb({red}, {green}, {blue})"
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"
    assert errors.script_errors() == [], "no CSP violation, no script error"
    context.close()


def test_keyboard_focus_is_visible_and_motion_can_be_reduced(
    browser: Any, live_server: LiveServer
) -> None:
    """Tab reaches the first signup link, outlined; reduced motion drops transitions."""
    context = browser.new_context(viewport={"width": 400, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?lang=en"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e);
        return [e.className, s.outlineStyle, parseFloat(s.outlineWidth), s.transitionDuration]; }"""
    )
    assert focused[0] == "row"
    assert focused[1] == "solid" and focused[2] >= 2
    assert focused[3] == "0s"
    context.close()


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_fourteen_cities_fit_well_under_wordpress_cap(
    browser: Any, live_server: LiveServer, language: str
) -> None:
    """At 400 px wide the 14-city sample is well under WordPress's 1000 px cap (< 900 px)."""
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    page.goto(live_server(f"/embed/{SAMPLE_SLUG}?lang={language}"))
    page.wait_for_load_state("load")
    height = page.evaluate("document.documentElement.getBoundingClientRect().height")
    print(f"{language}: {height:.0f} px at 400 px wide")
    assert page.locator("a.row").count() == 14
    assert height < 900
    context.close()


def test_height_is_posted_in_three_protocols(
    context: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Each frame posts our message (with its id), AMP's, and WordPress's only given a secret."""
    src = live_server("/embed/next?lang=en&country=NL")
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
    <script>window.received = [];
    addEventListener("message", e => received.push({{
      frame: [...document.querySelectorAll("iframe")].findIndex(f => f.contentWindow === e.source),
      data: e.data}}));</script></head><body>
    <iframe src="{src}#pauseai-widget=abc" title="one" width="380" height="300"></iframe>
    <iframe src="{src}#pauseai-widget=def#?secret=Zz9" title="two" width="380" height="300">
    </iframe></body></html>"""
    page = context.new_page()
    page.goto(host_page.page(html))
    page.wait_for_load_state("load")
    heights = [
        frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        for frame in page.frames[1:]
    ]

    def kinds(index: int) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for item in page.evaluate("received"):
            if item["frame"] == index:
                data = item["data"]
                kind = data.get("type") or data.get("message")
                found[kind if data.get("sentinel") != "amp" else "amp"] = data
        return found

    assert wait_until(page, lambda: len(kinds(0)) == 2 and len(kinds(1)) == 3)
    first, second = kinds(0), kinds(1)
    assert first["pauseai-widget:height"] == {
        "type": "pauseai-widget:height",
        "id": "abc",
        "height": heights[0],
    }
    assert first["amp"] == {"sentinel": "amp", "type": "embed-size", "height": heights[0]}
    assert "height" not in first, "no WordPress message without a secret"
    assert second["pauseai-widget:height"]["id"] == "def"
    assert second["height"] == {"message": "height", "value": heights[1], "secret": "Zz9"}
