"""Keyboard use in Chromium: Tab reaches every control in DOM order, each with visible focus.

The expected order is computed in the page: every link, button and form control (even one
wrongly given ``tabindex="-1"``) and any other element with ``tabindex`` ≥ 0 — not hidden,
disabled or inert; one stop per radio group — in document order, with the contents of each
frame in place of the frame. The observed order is ``document.activeElement`` (in whichever
frame has focus) after each Tab, until focus leaves the page or wraps around.

A focus indicator is *visible* when the focused element's outline or box-shadow differs from
its unfocused one; an outline must be at least 2px wide and reach 3:1 against the background
behind it (WCAG 1.4.11); the element must be in view and not covered (2.4.11).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from widget.documents.widget_view import contrast

from browser_support import HostSite, LiveServer, foreign, record_requests, wait_until
from conftest import SAMPLE_SLUG

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WIDGET = f"/embed/{SAMPLE_SLUG}"
EVENT_PAGE = f"/events/{SAMPLE_SLUG}"
MAX_TABS = 200
MIN_OUTLINE_PX = 2.0
MIN_INDICATOR_CONTRAST = 3.0

# Marks the focusable elements of a document in DOM order (data-kbd = prefix + index) and
# returns them; frames are listed too, to be replaced by their contents.
MARK_JS = """prefix => {
  const selector = "a[href], area[href], button, input, select, textarea, iframe, summary, "
    + "[tabindex], [contenteditable]";
  const list = [];
  for (const el of document.querySelectorAll(selector)) {
    // Links and controls count even with tabindex=-1: taking them out of the order is a bug.
    const native = el.matches("a[href], area[href], button, input, select, textarea, summary");
    if ((el.tabIndex < 0 && !native) || el.disabled || el.type === "hidden") continue;
    if (el.closest("[inert]")) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (el.type === "radio" && el.name) {
      const group = [...document.querySelectorAll("input[type=radio]")].filter(
        r => r.name === el.name && r.form === el.form && r.checkVisibility());
      if ((group.find(r => r.checked) || group[0]) !== el) continue;
    }
    const key = prefix + list.length;
    el.setAttribute("data-kbd", key);
    const text = (el.innerText || el.value || el.name || "").trim().replace(/\\s+/g, " ");
    list.push({key, frame: el.tagName === "IFRAME",
               label: `${el.tagName.toLowerCase()} ${text.slice(0, 40)}`});
  }
  return list;
}"""

# The focus indicator's parts, and the opaque background it is drawn on.
STYLE_JS = """el => {
  const s = getComputedStyle(el);
  let background = null;
  for (let node = el.parentElement; node && !background; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    const alpha = colour.startsWith("rgba") ? parseFloat(colour.split(",")[3]) : 1;
    if (colour !== "transparent" && alpha === 1) background = colour;
  }
  return {outline: [s.outlineStyle, s.outlineWidth, s.outlineColor].join(" "),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
          outlineColor: s.outlineColor, boxShadow: s.boxShadow,
          background: background || "rgb(255, 255, 255)"};
}"""

# What has focus in this frame (null when the focus is elsewhere or inside a child frame).
FOCUSED_JS = f"""() => {{
  const el = document.activeElement;
  if (!document.hasFocus() || !el || el.tagName === "IFRAME") return null;
  if (el === document.body) return {{key: "BODY"}};
  const r = el.getBoundingClientRect();
  // A link that wraps has a box per line: some point of it must be the link's own.
  const uncovered = [...el.getClientRects()].some(box => {{
    const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    return hit !== null && el.contains(hit);
  }});
  return {{key: el.getAttribute("data-kbd"), label: el.tagName.toLowerCase() + " "
             + (el.innerText || el.value || el.name || "").trim().slice(0, 40),
          inView: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth
                  && r.width > 0 && r.height > 0,
          uncovered,
          style: ({STYLE_JS})(el)}};
}}"""


@dataclass
class Stop:
    """One Tab stop as observed: which element, in which frame, how it looked focused."""

    key: str
    label: str
    frame: Any
    focused: dict[str, Any]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized browser context."""
    created = browser.new_context(viewport={"width": 1280, "height": 900})
    yield created
    created.close()


def expected_order(frame: Any, prefix: str = "k") -> list[tuple[str, str]]:
    """(key, label) of every focusable element in DOM order, frames expanded in place."""
    order: list[tuple[str, str]] = []
    for item in frame.evaluate(MARK_JS, prefix):
        if item["frame"]:
            child = frame.locator(f'[data-kbd="{item["key"]}"]').element_handle().content_frame()
            child.wait_for_load_state("load")
            order += expected_order(child, item["key"] + "/")
        else:
            order.append((item["key"], item["label"]))
    return order


def focused_now(page: Any) -> Stop | None:
    """The element that has keyboard focus, in whichever frame; None when none does."""
    for frame in page.frames:
        found = frame.evaluate(FOCUSED_JS)
        if found is not None:
            return Stop(found["key"], found.get("label", ""), frame, found)
    return None


def settled_focus(page: Any, tries: int = 20) -> Stop | None:
    """The focused element once focus has settled: moving into a cross-origin frame (another
    process) completes asynchronously, so "nothing focused" is re-checked for up to 1 s."""
    stop = focused_now(page)
    for _ in range(tries):
        if stop is not None and stop.key != "BODY":
            break
        page.wait_for_timeout(50)
        stop = focused_now(page)
    return stop


def tab_through(page: Any, key: str = "Tab") -> list[Stop]:
    """Press ``key`` until focus leaves the document or comes back to the first stop."""
    stops: list[Stop] = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        stop = settled_focus(page)
        if stop is None or stop.key == "BODY" or (stops and stop.key == stops[0].key):
            return stops
        stops.append(stop)
    raise AssertionError(f"focus never left the page in {MAX_TABS} presses: a keyboard trap?")


def _hex(css: str) -> str:
    values = [float(part) for part in re.findall(r"[\d.]+", css)[:3]]
    return "#" + "".join(f"{round(value):02x}" for value in values)


def indicator_problems(stops: list[Stop], origin: str) -> list[str]:
    """Stops on ``origin`` whose focus is invisible, too thin, too faint, off screen or covered."""
    for frame in {id(stop.frame): stop.frame for stop in stops}.values():
        frame.evaluate("document.activeElement && document.activeElement.blur()")
    problems = []
    for stop in stops:
        if not stop.frame.url.startswith(origin + "/"):
            continue  # another site's page: its focus style is not ours to judge
        focused = stop.focused["style"]
        element = stop.frame.locator(f'[data-kbd="{stop.key}"]')
        unfocused = element.evaluate(STYLE_JS)
        where = f"{stop.label!r} ({stop.frame.url})"
        if not stop.focused["inView"] or not stop.focused["uncovered"]:
            problems.append(f"{where}: focused but out of view or covered")
        outlined = focused["outlineStyle"] not in ("none", "hidden") and focused["outlineWidth"]
        if focused["outline"] == unfocused["outline"] and (
            focused["boxShadow"] == unfocused["boxShadow"]
        ):
            problems.append(f"{where}: focus changes neither outline nor box-shadow")
        elif outlined and focused["outline"] != unfocused["outline"]:
            ratio = contrast(_hex(focused["outlineColor"]), _hex(focused["background"]))
            if focused["outlineWidth"] < MIN_OUTLINE_PX:
                problems.append(f"{where}: outline {focused['outlineWidth']}px is too thin")
            if ratio < MIN_INDICATOR_CONTRAST:
                problems.append(
                    f"{where}: outline {focused['outlineColor']} on {focused['background']} "
                    f"is {ratio:.2f}:1"
                )
    return problems


def check_keyboard_walk(page: Any, origin: str) -> list[Stop]:
    """Tab through the page: DOM order, every stop reached once, focus on ``origin`` visible."""
    expected = expected_order(page.main_frame)
    stops = tab_through(page)
    observed = [(stop.key, stop.label) for stop in stops]
    assert [key for key, _ in observed] == [key for key, _ in expected], (
        "Tab order differs from DOM order:\nexpected "
        + "\n  ".join(label for _, label in expected)
        + "\nobserved "
        + "\n  ".join(label for _, label in observed)
    )
    problems = indicator_problems(stops, origin)
    assert problems == [], "\n".join(problems)
    return stops


@pytest.mark.parametrize(
    ("query", "scheme"),
    [
        ("lang=en&theme=light", "light"),
        ("lang=en&theme=dark&accent=%23000001", "light"),  # near-black accent on dark
        ("lang=nl&theme=auto&accent=%23ffff00", "dark"),  # yellow accent, visitor in dark
    ],
)
def test_widget_tab_order_and_visible_focus(
    browser: Any, live_server: LiveServer, query: str, scheme: str
) -> None:
    """Tab visits every link and button of the widget in DOM order, each visibly focused."""
    context = browser.new_context(viewport={"width": 400, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    record_requests(page)
    page.goto(live_server(f"{WIDGET}?{query}"))
    page.wait_for_load_state("load")
    stops = check_keyboard_walk(page, live_server.url)
    labels = [stop.label for stop in stops]
    assert sum(label.startswith("a ") for label in labels) == 14 + 4, "14 cities, 2 media, 2 footer"
    assert sum(label.startswith("button ") for label in labels) == 1, "the consent button"
    backwards = tab_through(page, "Shift+Tab")
    assert [stop.key for stop in backwards] == [stop.key for stop in reversed(stops)]
    context.close()


def test_widget_framed_in_a_host_page_joins_its_tab_order(
    context: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """Across origins, Tab goes from the host's link through the widget to the host's next link."""
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
    </head><body><a href="/before">Before</a>
    <iframe src="{live_server(f"{WIDGET}?lang=en&country=NL,DE")}" title="PauseAI" width="380"
     height="400"></iframe><a href="/after">After</a></body></html>"""
    page = context.new_page()
    page.goto(host_page.page(html))
    page.wait_for_load_state("load")
    stops = check_keyboard_walk(page, live_server.url)
    assert [stops[0].label, stops[-1].label] == ["a Before", "a After"]
    assert all("/" in stop.key for stop in stops[1:-1]), "all between them is the widget's"
    frame = stops[1].frame
    rows = frame.evaluate("[...document.querySelectorAll('a.row')].map(a => a.dataset.kbd)")
    assert len(rows) == 2, "Berlin and The Hague"
    assert [stop.key for stop in stops if stop.key in rows] == rows


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_event_page_tab_order_and_visible_focus(
    browser: Any, live_server: LiveServer, scheme: str
) -> None:
    """The event page: skip link first, then header, actions, cities, side; all visibly focused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    record_requests(page)
    page.goto(live_server(f"{EVENT_PAGE}?lang=en&theme=auto"))
    page.wait_for_load_state("load")
    stops = check_keyboard_walk(page, live_server.url)
    assert stops[0].label.startswith("a Skip to content")
    page.keyboard.press("Tab")  # wrap around to the skip link, then follow it
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    page.keyboard.press("Tab")
    first_in_main = focused_now(page)
    assert first_in_main is not None
    assert page.evaluate(
        f"document.querySelector('[data-kbd=\"{first_in_main.key}\"]').closest('main') !== null"
    ), "after the skip link, Tab continues inside main"
    context.close()


def test_publish_page_reaches_every_form_control_and_copy_button(
    context: Any, live_server: LiveServer
) -> None:
    """The publish page: every form control, the preview and all three copy buttons by Tab."""
    page = context.new_page()
    page.goto(live_server("/?lang=en"))
    page.wait_for_load_state("load")
    stops = check_keyboard_walk(page, live_server.url)
    reached = {stop.key for stop in stops}
    controls = page.evaluate(
        """() => [...document.querySelectorAll(
            "form select, form input:not([type=radio]), form button, textarea, [data-copy]")]
            .map(e => e.getAttribute("data-kbd"))"""
    )
    assert None not in controls and set(controls) <= reached
    copies = [stop for stop in stops if stop.label.startswith("button Copy")]
    assert len(copies) == 3
    kinds = page.evaluate(
        "keys => keys.map(k => document.querySelector(`[data-kbd='${k}']`)).filter(e => e)"
        ".map(e => [e.type, e.name])",
        [stop.key for stop in stops],
    )
    groups = [name for kind, name in kinds if kind == "radio"]
    radio_groups = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('form input[type=radio]')]"
        ".map(e => e.name))]"
    )
    assert {"consent", "theme", "layout"} <= set(radio_groups)
    assert sorted(groups) == sorted(radio_groups), "one Tab stop per radio group"
    assert any("/" in stop.key for stop in stops), "Tab also walks through the preview"


def test_copy_button_works_from_the_keyboard(context: Any, live_server: LiveServer) -> None:
    """Enter on a focused copy button copies its snippet and announces it."""
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server("/?lang=en"))
    page.wait_for_load_state("load")
    expected_order(page.main_frame)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stop = focused_now(page)
        assert stop is not None and stop.key != "BODY", "no copy button reached"
        if (
            page.evaluate(
                "key => document.querySelector(`[data-kbd='${key}']`)?.dataset.copy", stop.key
            )
            == "snippet-iframe"
        ):
            break
    page.keyboard.press("Enter")
    status = page.locator(".copied")
    assert wait_until(page, lambda: status.inner_text() == "Copied to the clipboard.")
    snippet = page.locator("#snippet-iframe").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == snippet


def test_consent_controls_work_from_the_keyboard(browser: Any, live_server: LiveServer) -> None:
    """Enter on 'Load post' loads it and focuses the visible withdraw button; Space undoes it."""
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    requests = record_requests(page)
    page.goto(live_server(f"{WIDGET}?lang=en"))
    page.wait_for_load_state("load")
    page.get_by_role("link", name=re.compile("^X\u2019s privacy policy")).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "load"
    page.keyboard.press("Enter")
    assert wait_until(page, lambda: foreign(requests) != [])
    withdraw = page.evaluate(
        f"""() => {{ const e = document.activeElement;
        return [e.closest('.withdraw') !== null, e.matches(':focus-visible'),
                ({STYLE_JS})(e).outlineStyle]; }}"""
    )
    assert withdraw == [True, True, "solid"], "focus moved to the withdraw button, visibly"
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.className") == "load"
    context.close()
