"""WCAG 2.2 AA on every page: axe-core in Chromium, link names, iframe titles, motion, outline.

The axe matrix covers the publish page ``/``, the canonical page ``/events/{slug}`` and the
widget ``/embed/{slug}``, in light and dark (the ``theme`` parameter, and ``theme=auto``
under the visitor's emulated dark preference), in English and Dutch (``lang`` and the
browser's Accept-Language), with low-contrast accents that must be adjusted, before and
after the event, and the error pages (404, 400). axe runs with the WCAG 2.0/2.1/2.2 A+AA
and best-practice tags (``browser_support.axe``); a failure lists each violation's id and
nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from widget.documents.widget_view import MIN_CONTRAST, build_view, contrast
from widget.i18n import translations
from widget.params import ViewOptions
from widget.platforms import Platform
from widget.settings import SAMPLE_DATA_DIR
from widget.store import load_or_raise
from widget.timing import Phase

from browser_support import (
    AXE_SCRIPT,
    HostSite,
    LiveServer,
    axe,
    describe,
    record_requests,
    serve,
    wait_until,
)
from conftest import SAMPLE_SLUG

PAGES = {
    "publish": "/",
    "event": f"/events/{SAMPLE_SLUG}",
    "widget": f"/embed/{SAMPLE_SLUG}",
}
# (query, the visitor's colour scheme, the browser's language)
VARIANTS = [
    ("lang=en&theme=light", "light", "en"),
    ("lang=en&theme=dark", "light", "en"),  # the parameter wins over a light preference
    ("lang=en&theme=auto", "dark", "en"),  # auto follows the visitor's dark preference
    ("lang=nl&theme=light", "light", "nl"),
    ("lang=nl&theme=auto", "dark", "nl"),
    ("lang=en&theme=light&accent=%23ffff00", "light", "en"),  # yellow on white: 1.07:1 as given
    ("lang=en&theme=dark&accent=%23000001", "dark", "en"),  # near-black on dark: 1.1:1 as given
]
# More accents nobody should be able to make unreadable, on the widget only (where they apply).
ACCENTS = [
    ("theme=light&accent=%23ffffff", "light"),  # white on white
    ("theme=dark&accent=%23ffffff", "dark"),  # white ink would vanish on a white button
    ("theme=auto&accent=%23777777", "dark"),  # mid grey: under 4.5:1 on both themes
    ("theme=light&accent=%2300ff00", "light"),  # neon green: 1.4:1 on white
    ("theme=dark&accent=%23000080", "dark"),  # navy on dark: 1.6:1
]
ERROR_PAGES = [
    ("/nope", 404),
    ("/events/no-such-event", 404),
    ("/embed/no-such-event?lang=nl", 404),  # valid parameters, missing event
    ("/go/no-such-event/nowhere", 404),
    (f"/embed/{SAMPLE_SLUG}?theme=purple", 400),
    (f"/events/{SAMPLE_SLUG}?lang=xx", 400),
    (f"/embed/{SAMPLE_SLUG}?accent=red", 400),  # not #rrggbb
]
# Link names that do not say where they lead (en, nl, de).
GENERIC_NAMES = frozenset(
    {
        "click here",
        "here",
        "more",
        "read more",
        "learn more",
        "link",
        "this link",
        "details",
        "klik hier",
        "hier",
        "meer",
        "lees meer",
        "mehr",
        "hier klicken",
        "weiterlesen",
    }
)
# Brand names as they appear in the signup labels of every language.
BRANDS = {
    Platform.FACEBOOK: "Facebook",
    Platform.EVENTBRITE: "Eventbrite",
    Platform.PARTIFUL: "Partiful",
    Platform.WHATSAPP: "WhatsApp",
    Platform.MEETUP: "Meetup",
    Platform.LUMA: "Luma",
    Platform.MOBILIZE: "Mobilize",
    Platform.ACTIONNETWORK: "Action Network",
    Platform.DISCORD: "Discord",
}
NEW_TAB = "(opens in a new tab)"
# Every link of a document with its accessible name as axe-core computes it (which, like a
# screen reader, includes visually hidden text).
# Closed disclosures (each city's actions on the event page) are opened first: a hidden
# link has no accessible name until its disclosure shows it.
LINKS_JS = """() => { document.querySelectorAll("details").forEach(d => { d.open = true; });
axe.setup(document); try {
    // An SVG link (the map's dots) has SVGAnimatedString href and target: their baseVal.
    const text = v => typeof v === "string" ? v : v.baseVal;
    return [...document.querySelectorAll("a[href]")].map(a => ({
        name: axe.commons.text.accessibleText(a),
        href: new URL(text(a.href), document.baseURI).href, target: text(a.target) }));
} finally { axe.teardown(); } }"""


@pytest.fixture(scope="module")
def past_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service with its clock after the sample protest (no signup links, 'took place')."""
    env = {"WIDGET_NOW": "2024-06-01T12:00:00+00:00"}
    with serve(env, tmp_path_factory.mktemp("past")) as server:
        yield server


def open_page(
    browser: Any, url: str, *, scheme: str = "light", language: str = "en", **options: Any
) -> tuple[Any, Any]:
    """A new context (colour scheme, browser language) and a page loaded with ``url``."""
    context = browser.new_context(
        viewport={"width": 1024, "height": 900}, color_scheme=scheme, locale=language, **options
    )
    page = context.new_page()
    record_requests(page)  # nothing may leave the machine
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page


# For text axe leaves undecided ("incomplete", e.g. when it suspects an overlap): its colour
# and the first opaque background behind it, as the browser computes them.
COLOURS_JS = """selector => {
  const el = document.querySelector(selector);
  let background = null;
  for (let node = el; node && !background; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    const alpha = colour.startsWith("rgba") ? parseFloat(colour.split(",")[3]) : 1;
    if (colour !== "transparent" && alpha === 1) background = colour;
  }
  return [el.tagName, getComputedStyle(el).color, background || "rgb(255, 255, 255)"];
}"""


def _hex(css: str) -> str:
    values = [float(part) for part in re.findall(r"[\d.]+", css)[:3]]
    return "#" + "".join(f"{round(value):02x}" for value in values)


def unreadable_undecided_text(page: Any) -> list[str]:
    """Text axe could not decide whose computed colours fall below 4.5:1 ('incomplete' is
    not a pass: each such node is measured here instead)."""
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})"
    )
    checked = sum(len(rule["nodes"]) for rule in result["passes"])
    assert checked > 0, "color-contrast measured some text"
    problems = []
    for rule in result["incomplete"]:
        for node in rule["nodes"]:
            tag, colour, background = page.evaluate(COLOURS_JS, node["target"][0])
            if tag == "IFRAME":
                continue  # its document is checked on its own (all_violations)
            ratio = contrast(_hex(colour), _hex(background))
            if ratio < MIN_CONTRAST:
                problems.append(f"{node['target'][0]}: {colour} on {background} = {ratio:.2f}:1")
    return problems


def all_violations(page: Any) -> list[dict[str, Any]]:
    """axe violations of the page and of each frame in it (the publish page's preview)."""
    found = axe(page)
    for frame in page.frames[1:]:
        found += [{**v, "id": f"{v['id']} (in {frame.url})"} for v in axe(frame)]
    return found


@pytest.mark.parametrize(("query", "scheme", "language"), VARIANTS)
@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.slow
@pytest.mark.browser
def test_pages_have_no_axe_violations(
    browser: Any, live_server: LiveServer, name: str, query: str, scheme: str, language: str
) -> None:
    """axe-core reports zero WCAG 2.2 A/AA or best-practice violations on every page."""
    context, page = open_page(
        browser, live_server(f"{PAGES[name]}?{query}"), scheme=scheme, language=language
    )
    assert page.evaluate("document.documentElement.lang") == language
    violations = all_violations(page)
    unreadable = unreadable_undecided_text(page)
    context.close()
    assert violations == [], describe(violations)
    assert unreadable == []


@pytest.mark.parametrize(("query", "scheme"), ACCENTS)
@pytest.mark.slow
@pytest.mark.browser
def test_no_accent_makes_the_widget_unreadable(
    browser: Any, live_server: LiveServer, query: str, scheme: str
) -> None:
    """Any accent colour is adjusted until text and buttons keep 4.5:1 (axe color-contrast)."""
    context, page = open_page(
        browser, live_server(f"{PAGES['widget']}?lang=en&{query}"), scheme=scheme
    )
    assert page.evaluate("document.documentElement.dataset.brand"), "the accent was applied"
    violations = all_violations(page)
    unreadable = unreadable_undecided_text(page)
    context.close()
    assert violations == [], describe(violations)
    assert unreadable == []


@pytest.mark.parametrize(("query", "scheme", "language"), [VARIANTS[0], VARIANTS[4]])
@pytest.mark.parametrize("name", ["event", "widget"])
@pytest.mark.slow
@pytest.mark.browser
def test_past_event_pages_have_no_axe_violations(
    browser: Any, past_server: LiveServer, name: str, query: str, scheme: str, language: str
) -> None:
    """After the event (rows without links, 'took place on'), axe still finds nothing."""
    context, page = open_page(
        browser, past_server(f"{PAGES[name]}?{query}"), scheme=scheme, language=language
    )
    assert page.locator("a.row").count() == 0, "past: no signup links"
    violations = all_violations(page)
    context.close()
    assert violations == [], describe(violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("path", "status"), ERROR_PAGES)
@pytest.mark.slow
@pytest.mark.browser
def test_error_pages_have_no_axe_violations(
    browser: Any, live_server: LiveServer, path: str, status: int, scheme: str
) -> None:
    """The 404 and 400 pages pass axe too, under either colour preference."""
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    response = page.goto(live_server(path))
    assert response is not None and response.status == status
    violations = axe(page)
    context.close()
    assert violations == [], describe(violations)


def link_names(page: Any) -> list[dict[str, Any]]:
    """Every link of ``page`` with its computed accessible name, href and target."""
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    links: list[dict[str, Any]] = page.evaluate(LINKS_JS)
    return links


def normalized(text: str) -> str:
    """Whitespace collapsed, lower case, no surrounding punctuation."""
    return " ".join(text.split()).strip(" .:;,!?…→»").casefold()


@pytest.mark.parametrize("language", ["en", "nl", "de"])
@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.slow
@pytest.mark.browser
def test_links_name_their_destination_and_say_they_open_a_new_tab(
    browser: Any, live_server: LiveServer, name: str, language: str
) -> None:
    """Every link has a specific name; new-tab links say so in the page's language, others don't."""
    new_tab = translations(language).gettext(NEW_TAB)
    assert language == "en" or new_tab != NEW_TAB, "the note is translated"
    context, page = open_page(
        browser, live_server(f"{PAGES[name]}?lang={language}"), language=language
    )
    frames = [page.main_frame, *page.frames[1:]]
    problems = []
    for frame in frames:
        links = link_names(frame)
        assert links, f"{frame.url} has links"
        by_name: dict[str, set[str]] = {}
        for link in links:
            label = normalized(link["name"].replace(new_tab, ""))
            where = f"{link['href']} named {link['name']!r}"
            if not label or label in GENERIC_NAMES:
                problems.append(f"vague name: {where}")
            if link["target"] == "_blank" and new_tab not in link["name"]:
                problems.append(f"opens a new tab without saying so: {where}")
            if link["target"] != "_blank" and new_tab in link["name"]:
                problems.append(f"says 'new tab' but opens in place: {where}")
            by_name.setdefault(label, set()).add(link["href"].split("#")[0])
        problems += [
            f"one name, several destinations: {label!r} → {sorted(hrefs)}"
            for label, hrefs in by_name.items()
            if len(hrefs) > 1
        ]
    context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("name", ["event", "widget"])
@pytest.mark.slow
@pytest.mark.browser
def test_signup_links_name_city_and_platform(
    browser: Any, live_server: LiveServer, name: str, language: str
) -> None:
    """Each signup link's name holds its city (as localized) and the platform it leads to."""
    event = load_or_raise(SAMPLE_DATA_DIR).by_slug[SAMPLE_SLUG]
    view = build_view(event, ViewOptions(lang=language), language, Phase.UPCOMING, live_server.url)
    context, page = open_page(
        browser, live_server(f"{PAGES[name]}?lang={language}"), language=language
    )
    names = {link["href"]: link["name"] for link in link_names(page)}
    context.close()
    cities = [city for country in view.countries for city in country.cities]
    assert len(cities) == 14
    for city in cities:
        label = names[city.signup_url]
        assert label.startswith(city.name), label
        brand = BRANDS.get(city.platform)
        assert brand is None or brand in label, label


def test_oembed_iframe_title_is_localized(client: TestClient) -> None:
    """oEmbed's iframe title names the widget and the event in the URL's language."""
    titles = {}
    for language in ("en", "nl", "de"):
        page_url = f"{client.base_url}/events/{SAMPLE_SLUG}?lang={language}"
        body = client.get("/oembed", params={"url": page_url}).json()
        iframe = BeautifulSoup(body["html"], "html.parser").iframe
        assert isinstance(iframe, Tag)
        template = translations(language).gettext("PauseAI protest widget: %(title)s")
        assert iframe["title"] == template % {"title": body["title"]}
        titles[language] = iframe["title"]
    assert len(set(titles.values())) == 3, titles


@pytest.mark.parametrize("language", ["en", "nl", "de"])
def test_publish_page_iframes_and_snippets_have_localized_titles(
    client: TestClient, language: str
) -> None:
    """The preview frame and the iframe snippet carry titles in the chosen language."""
    gettext = translations(language).gettext
    response = client.get("/", params={"lang": language}, headers={"accept-language": language})
    page = BeautifulSoup(response.text, "html.parser")
    preview = page.select_one("iframe[data-preview-frame]")
    assert preview is not None and preview["title"] == gettext("Preview of the widget")
    area = page.select_one("textarea#snippet-iframe")
    assert area is not None
    snippet = BeautifulSoup(area.get_text(), "html.parser").iframe
    assert isinstance(snippet, Tag)
    assert snippet["title"] == gettext("PauseAI protests near you")
    script = page.select_one("textarea#snippet-script")
    assert script is not None
    snippet_page = BeautifulSoup(script.get_text(), "html.parser")
    placeholder = snippet_page.select_one("[data-pauseai-widget] a")
    assert placeholder is not None
    assert placeholder.get_text() == gettext("PauseAI protests near you")
    if language != "en":
        assert gettext("PauseAI protests near you") != "PauseAI protests near you", "translated"


@pytest.mark.slow
@pytest.mark.browser
def test_snippet_iframe_gets_its_localized_title_from_the_link(
    browser: Any, live_server: LiveServer, host_page: HostSite
) -> None:
    """embed.js titles the iframe it creates with the snippet's (Dutch) link text."""
    text = translations("nl").gettext("PauseAI protests near you")
    html = f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Host</title>
    </head><body><main><h1>Host</h1><div data-pauseai-widget="next" data-lang="nl">
    <a href="{live_server("/events/next?lang=nl")}">{text}</a></div>
    <script async src="{live_server("/embed.js")}"></script></main></body></html>"""
    context = browser.new_context()
    page = context.new_page()
    page.goto(host_page.page(html))
    assert wait_until(page, lambda: page.locator("iframe").count() == 1)
    title = page.locator("iframe").get_attribute("title")
    violations = axe(page)
    context.close()
    assert title == text
    assert violations == [], describe(violations)


# Every element's transition and animation, as computed.
MOTION_JS = """() => [...document.querySelectorAll("*")].flatMap(e => {
    const s = getComputedStyle(e);
    const moving = s.transitionDuration.split(",").some(d => parseFloat(d) > 0)
        || s.animationName.split(",").some(n => n.trim() !== "none");
    return moving ? [e.tagName + "." + e.className] : [];
})"""


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.slow
@pytest.mark.browser
def test_reduced_motion_stops_every_transition(
    browser: Any, live_server: LiveServer, name: str
) -> None:
    """Pages animate some things normally and nothing under prefers-reduced-motion: reduce."""
    context, page = open_page(browser, live_server(PAGES[name]), reduced_motion="no-preference")
    normally = page.evaluate(MOTION_JS)
    context.close()
    context, page = open_page(browser, live_server(PAGES[name]), reduced_motion="reduce")
    reduced = page.evaluate(MOTION_JS)
    scroll = page.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
    context.close()
    assert normally, "something moves without the preference (else this test proves nothing)"
    assert reduced == []
    assert scroll == "auto"


def headings(page: BeautifulSoup) -> list[int]:
    """The heading levels of a document in order."""
    return [int(tag.name[1]) for tag in page.find_all(re.compile(r"^h[1-6]$"))]


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("language", ["en", "nl"])
def test_structure_headings_lists_and_landmarks(
    client: TestClient, name: str, language: str
) -> None:
    """One h1, no skipped heading level, one main, lists for lists, named navigation."""
    response = client.get(
        PAGES[name], params={"lang": language}, headers={"accept-language": language}
    )
    page = BeautifulSoup(response.text, "html.parser")
    levels = headings(page)
    assert levels.count(1) == 1 and levels[0] == 1, levels
    assert all(after <= before + 1 for before, after in pairwise(levels)), levels
    assert len(page.find_all("main")) == 1
    for nav in page.find_all("nav"):
        assert nav.get("aria-label") or nav.get("aria-labelledby"), "navigation is named"
    for row in page.select("a.row, span.row"):
        assert row.find_parent("li") is not None and row.find_parent("ul") is not None
    if name != "publish":
        assert len(page.select(".row")) == 14
        assert all(
            country.find("h2") is not None and country.find("ul") is not None
            for country in page.select(".country")
        ), "each country: a heading and a list of its cities"
    else:
        assert page.select("ul.events > li"), "the events are a list"
        for group in page.select("fieldset"):
            assert group.find("legend") is not None, "each group of choices has a legend"


def test_error_page_is_structured(client: TestClient) -> None:
    """A 404 page has a language, one main, one h1 and a way back."""
    response = client.get("/events/no-such-event")
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html is not None and page.html.get("lang")
    assert headings(page) == [1]
    main = page.find("main")
    assert isinstance(main, Tag)
    assert main.find("a", href=True) is not None
