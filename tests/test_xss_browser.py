"""No event data can run script in a real browser (the browser half of the XSS tests).

The service runs on the hostile data directory of ``hostile_data`` (every payload of the
corpus in every text field; each payload calls ``alert(1)`` if it ever runs). Headless
Chromium loads every event's widget — all of them at once, framed cross-origin by a host
page: light in English as a plain iframe, and dark in Dutch inside WordPress's sandbox
with ``#?secret=`` — every event page in English and Dutch, and the publish page (the
list of events, and each event's builder with its preview). A ``Monitor`` hooks every
page, popup and frame of the browser context:

- dialogs (recorded, dismissed), and calls to ``alert``/``confirm``/``prompt``/``print``
  (an init script wraps them, records calls in ``window.__xssCalls`` and reports them);
- ``securitypolicyviolation`` events and console errors: a script our CSP had to block
  ("Executing inline script violates … Content Security Policy") is still markup that our
  escaping let through, so it fails too;
- uncaught exceptions, and requests: every request that would leave 127.0.0.1 is aborted
  and recorded; none may happen before the visitor clicks.

Then every control of every widget is clicked: links (signup, fallback, privacy, page,
credit), the consent "Load" buttons (which ask X or YouTube for the embed: aborted), the
"always allow" boxes and "withdraw" buttons. Clicking 40 widgets' ~600 controls with real
input events takes minutes, so the widgets get synthetic clicks (``element.click()``, in
DOM order, each control when it is visible) that run every handler the page has, with
link navigation prevented after the page's own handlers — and one widget gets real clicks,
whose signup links open popups through our ``/go/`` redirect.

The parsing half (every page and parameter, through TestClient) is ``test_xss_pages.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from widget.csp import PROVIDER_SOURCES
from widget.model import Event, Status

from browser_support import DEFAULT_NOW, LOCAL_HOSTS, HostSite, LiveServer, serve
from hostile_data import HostileData, build_hostile_data
from xss import load_payloads

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SECRET = "s3cr3tW0rdPress"
# Hosts a widget may lead to besides the data's URLs: privacy policies, provider embeds.
PRIVACY_HOSTS = frozenset({"x.com", "policies.google.com"})
PROVIDER_HOSTS = frozenset(
    urlsplit(source).hostname or ""
    for sources in PROVIDER_SOURCES.values()
    for hosts in sources.values()
    for source in hosts
)
# Console noise that is not a finding: the requests the Monitor itself aborted.
ABORTED_LOAD = "Failed to load resource"
# How long a loaded page gets for late handlers (ontoggle, autofocus, timers) to fire.
SETTLE_MS = 150
TABS = 4
CLOCK_DAY = datetime.fromisoformat(DEFAULT_NOW).date()

INIT_SCRIPT = """
(() => {
  if (Object.prototype.hasOwnProperty.call(window, "__xssCalls")) return;  // popups: twice
  const calls = [];
  Object.defineProperty(window, "__xssCalls", { value: calls });
  const report = (kind, detail) => {
    calls.push(kind + ": " + detail);
    try { window.__xssReport(kind, String(detail)); } catch (e) { /* no binding */ }
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = function () {
      report("call", name + "(" + Array.prototype.join.call(arguments, ", ") + ")");
    };
  }
  document.addEventListener("securitypolicyviolation", (e) => {
    report("csp", e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
      (e.sample ? " sample " + e.sample : ""));
  }, true);
})();
"""

# Clicks every visible link, button and input in DOM order (visibility checked at each
# click, so a control revealed by an earlier click is clicked too). A window listener,
# which runs after the page's own document listeners, stops links from navigating.
CLICK_EVERYTHING = """
() => {
  const clicked = [];
  const stay = (e) => { if (e.target.closest && e.target.closest("a[href]")) e.preventDefault(); };
  window.addEventListener("click", stay);
  const controls = () => document.querySelectorAll("a[href], button, input");
  for (let i = 0; i < controls().length; i++) {
    const control = controls()[i];
    if (!control.checkVisibility()) continue;
    const tag = control.tagName;
    clicked.push(tag === "A" ? control.href : tag + "." + control.className);
    control.click();
  }
  window.removeEventListener("click", stay);
  return clicked;
}
"""


@dataclass
class Monitor:
    """Every sign of running script, and every request, across one browser context."""

    findings: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (phase, url)
    popups: list[Any] = field(default_factory=list)
    phase: str = "load"

    def attach(self, context: Any) -> None:
        """Hook ``context``: the reporting binding, the init script, routes, every page."""
        context.expose_binding("__xssReport", self._report)
        context.add_init_script(INIT_SCRIPT)
        context.route("**/*", self._route)
        context.on("page", self._watch)

    def _report(self, source: dict[str, Any], kind: str, detail: str) -> None:
        self.findings.append(f"{kind}: {detail} (in {source['frame'].url})")

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append((self.phase, url))
        if is_foreign(url):
            route.abort()
        else:
            route.continue_()

    def _watch(self, page: Any) -> None:
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        page.on("pageerror", lambda error: self.findings.append(f"pageerror: {error}"))
        page.on("console", lambda message: self._console(page, message))
        if self.phase == "click":
            self.popups.append(page)

    def _dialog(self, page: Any, dialog: Any) -> None:
        self.findings.append(f"dialog {dialog.type}: {dialog.message!r} (in {page.url})")
        dialog.dismiss()

    def _console(self, page: Any, message: Any) -> None:
        if message.type == "error" and not message.text.startswith(ABORTED_LOAD):
            self.findings.append(f"console error: {message.text[:300]} (in {page.url})")

    def take(self) -> list[str]:
        """The findings so far, forgetting them."""
        found, self.findings = self.findings, []
        return found

    def foreign(self, phase: str) -> list[str]:
        """The URLs requested during ``phase`` that point anywhere but this machine."""
        return [url for when, url in self.requests if when == phase and is_foreign(url)]


def is_foreign(url: str) -> bool:
    """Whether a request for ``url`` would leave this machine."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") not in LOCAL_HOSTS


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileData:
    """The corpus in every text field of a valid data directory."""
    return build_hostile_data(tmp_path_factory.mktemp("hostile") / "data", load_payloads())


@pytest.fixture(scope="module")
def server(hostile: HostileData, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on the hostile data (its clock is before most events: signups open)."""
    with serve({"WIDGET_DATA_DIR": str(hostile.root)}, tmp_path_factory.mktemp("live")) as live:
        yield live


@pytest.fixture
def monitored(browser: Any) -> Iterator[tuple[Any, Monitor]]:
    """A fresh context hooked by a ``Monitor`` (its one page first)."""
    context = browser.new_context(viewport={"width": 480, "height": 900})
    monitor = Monitor()
    monitor.attach(context)
    context.new_page()
    yield context, monitor
    context.close()


def settle(page: Any) -> None:
    """Give late handlers (ontoggle, autofocus, timers, image errors) time to fire."""
    page.wait_for_timeout(SETTLE_MS)


def recorded_calls(page: Any) -> list[str]:
    """``window.__xssCalls`` of a page and of each of its frames, with the frame's URL."""
    calls: list[str] = []
    for frame in page.frames:
        calls += [f"{c} (in {frame.url})" for c in frame.evaluate("Array.from(window.__xssCalls)")]
    return calls


def load_all(context: Any, urls: Sequence[str]) -> list[str]:
    """Load ``urls`` in a few tabs at a time; the calls recorded in them, and any non-200."""
    tabs = [context.pages[0], *(context.new_page() for _ in range(TABS - 1))]
    calls: list[str] = []
    for start in range(0, len(urls), TABS):
        batch = list(zip(tabs, urls[start : start + TABS], strict=False))
        for tab, url in batch:
            response = tab.goto(url, wait_until="commit")
            calls += [] if response.status == 200 else [f"{url}: status {response.status}"]
        for tab, _ in batch:
            tab.wait_for_load_state("load")
        settle(tabs[0])
        for tab, _ in batch:
            calls += recorded_calls(tab)
    for tab in tabs[1:]:
        tab.close()
    return calls


def host_page_framing(site: HostSite, srcs: Sequence[str], name: str, sandbox: bool) -> str:
    """A page on another origin framing each of ``srcs`` (as allied sites embed the widget)."""
    attributes = ' sandbox="allow-scripts"' if sandbox else ""
    frames = "".join(
        f'<iframe src="{src}" title="PauseAI {n}" width="460" height="600"{attributes}></iframe>'
        for n, src in enumerate(srcs)
    )
    return site.page(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>'
        f"<body>{frames}</body></html>",
        name,
    )


def allowed_hosts(events: Sequence[Event]) -> frozenset[str]:
    """Hosts clicks may lead to: the data's link, organize-one and media URLs, privacy pages,
    embeds."""
    urls = [
        url
        for event in events
        for url in (
            *(link.url for location in event.locations for link in location.links),
            *((event.organize_url,) if event.organize_url else ()),
            *(item.url for item in event.media),
        )
    ]
    return frozenset(urlsplit(url).hostname or "" for url in urls) | PRIVACY_HOSTS | PROVIDER_HOSTS


def test_monitor_catches_running_script(
    monitored: tuple[Any, Monitor], host_page: HostSite
) -> None:
    """The hooks see an inline script, a handler, a CSP-blocked script and a foreign request."""
    context, monitor = monitored
    page = context.pages[0]
    page.goto(
        host_page.page(
            '<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>'
            "<script>alert(1)</script><details open ontoggle=confirm(2)></details>"
            '<img src="https://xss.example/x.png"></body></html>',
            "monitor-self-test",
        )
    )
    settle(page)
    calls = recorded_calls(page)
    assert any(c.startswith("call: alert(1)") for c in calls), calls
    assert any(c.startswith("call: confirm(2)") for c in calls), calls
    assert any("alert(1)" in finding for finding in monitor.take())
    assert monitor.foreign("load") == ["https://xss.example/x.png"]
    page.goto(
        host_page.page(
            '<!doctype html><html><head><meta charset="utf-8"><title>t</title>'
            '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'"></head>'
            "<body><script>alert(3)</script></body></html>",
            "monitor-csp-test",
        )
    )
    settle(page)
    findings = monitor.take()
    assert any(f.startswith("csp: script-src") for f in findings), findings
    console = [f for f in findings if f.startswith("console")]
    assert any("Content Security Policy" in f for f in console), findings


WIDGET_VARIANTS = [
    pytest.param("theme=light&lang=en", "", False, id="light-en-plain"),
    # WordPress: sandboxed (opaque origin, no storage, no popups); our links become messages.
    pytest.param("theme=dark&lang=nl", f"#?secret={SECRET}", True, id="dark-nl-wordpress"),
]


@pytest.mark.parametrize(("query", "fragment", "sandbox"), WIDGET_VARIANTS)
def test_hostile_widgets_run_nothing_even_when_clicked(
    monitored: tuple[Any, Monitor],
    server: LiveServer,
    host_page: HostSite,
    hostile: HostileData,
    query: str,
    fragment: str,
    sandbox: bool,
) -> None:
    """Every event's widget loads, and has every control clicked, without running any script."""
    context, monitor = monitored
    page = context.pages[0]
    srcs = [server(f"/embed/{slug}?{query}") + fragment for slug in hostile.slugs]
    page.goto(host_page_framing(host_page, srcs, f"all-{query}", sandbox), wait_until="load")
    settle(page)
    frames = page.frames[1:]
    theme = query.split("&")[0].removeprefix("theme=")
    assert [frame.evaluate("document.documentElement.dataset.theme") for frame in frames] == [
        theme
    ] * len(srcs), "every widget loaded"
    failures = [f"on load: {f}" for f in monitor.take()]
    failures += [f"on load: {c}" for c in recorded_calls(page)]
    failures += [f"request before consent: {url}" for url in monitor.foreign("load")]

    monitor.phase = "click"
    clicked = [target for frame in frames for target in frame.evaluate(CLICK_EVERYTHING)]
    settle(page)
    failures += [f"on click: {f}" for f in monitor.take()]
    failures += [f"on click: {c}" for c in recorded_calls(page)]
    allowed = allowed_hosts(hostile.catalog.events) | LOCAL_HOSTS
    links = [target for target in clicked if not target.startswith(("BUTTON", "INPUT"))]
    failures += [
        f"clicked a link to {url}"
        for url in links
        if urlsplit(url).scheme not in ("http", "https") or urlsplit(url).hostname not in allowed
    ]
    failures += [
        f"a click requested {url}"
        for url in monitor.foreign("click")
        if urlsplit(url).hostname not in allowed
    ]
    buttons = [target for target in clicked if target.startswith("BUTTON.load")]
    assert len(buttons) == sum(len(event.media) for event in hostile.catalog.events)
    assert len(links) > len(hostile.slugs) * 4, "the widgets had links to click"
    assert not failures, "\n".join(failures[:60])


def signups_open(event: Event) -> bool:
    """Whether the widget of ``event`` links to signup pages on the live server's clock."""
    return event.status is not Status.CANCELLED and event.date >= CLOCK_DAY


# What makes two controls alike for a real click: tag, classes, parent, and for links the
# first path segment (signup /go/, the event page, the publish page, another host).
CONTROL_KIND = """
e => [e.tagName, e.className, e.parentElement.tagName, e.parentElement.className,
      e.href ? new URL(e.href).host + "/" + new URL(e.href).pathname.split("/")[1] : ""].join("|")
"""


def test_real_clicks_on_each_kind_of_control_run_nothing(
    monitored: tuple[Any, Monitor], server: LiveServer, host_page: HostSite, hostile: HostileData
) -> None:
    """Real clicks on one control of each kind (signup popups via /go/, consent) run nothing."""
    context, monitor = monitored
    page = context.pages[0]
    event = next(
        e
        for e in hostile.catalog.events
        if signups_open(e) and {item.provider for item in e.media} == {"x", "youtube"}
    )
    src = server(f"/embed/{event.slug}?lang=en")
    page.goto(host_page_framing(host_page, [src], "one-widget", False), wait_until="load")
    frame = page.frames[1]
    monitor.phase = "click"
    controls = frame.locator("a[href], button, input")
    kinds: set[str] = set()
    index = 0
    while index < controls.count():
        control = controls.nth(index)
        index += 1
        # The post link consent.js puts in the embed would navigate the frame itself.
        if not control.is_visible() or control.evaluate("e => !!e.closest('.embed')"):
            continue
        kind = control.evaluate(CONTROL_KIND)
        if kind not in kinds:
            kinds.add(kind)
            control.click(timeout=5000, no_wait_after=True)
    settle(page)
    for popup in monitor.popups:
        popup.wait_for_load_state("domcontentloaded")
    settle(page)
    failures = monitor.take() + recorded_calls(page)
    allowed = allowed_hosts([event])
    failures += [
        f"a click requested {url}"
        for url in monitor.foreign("click")
        if urlsplit(url).hostname not in allowed
    ]
    signups = [url for phase, url in monitor.requests if phase == "click" and "/go/" in url]
    assert signups, "a signup link opened a popup through /go/"
    assert {"BUTTON|load", "INPUT|always"} <= {"|".join(k.split("|")[:2]) for k in kinds}, kinds
    assert not failures, "\n".join(failures[:60])


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/events/{slug}?lang=en", id="event-en"),
        pytest.param("/events/{slug}?lang=nl&theme=dark", id="event-nl-dark"),
        # The builder for each event frames that event's widget as its live preview.
        pytest.param("/?event={slug}", id="publish-builder"),
    ],
)
def test_hostile_pages_run_nothing(
    monitored: tuple[Any, Monitor], server: LiveServer, hostile: HostileData, path: str
) -> None:
    """Every event's page loads without a dialog, a call, a CSP report or a foreign request."""
    context, monitor = monitored
    urls = [server(path.format(slug=slug)) for slug in hostile.slugs]
    if path.startswith("/?"):
        urls.append(server("/"))  # the list of every event's title
    failures = load_all(context, urls)
    failures += monitor.take()
    failures += [f"request before consent: {url}" for url in monitor.foreign("load")]
    assert not failures, "\n".join(failures[:60])
