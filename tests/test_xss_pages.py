"""No event data and no query parameter can inject markup into any page (the parsing half).

The hostile data directory (``hostile_data.build_hostile_data``) puts every payload of the
XSS corpus into every text field of some event. Each page of each event — the widget in
both themes and languages, the event page, the publish page, the oEmbed ``html`` in JSON
and XML, the JSON, the calendar and the card — is fetched through TestClient and:

- HTML is parsed by ``xss.find_foreign_markup`` allowing only our static scripts, the
  inline blocks whose hashes that response's own CSP lists, the one frame and form we
  generate; the CSP names no third-party host except for the media the event holds;
- the data shows as text: titles, city names, press titles and fallbacks read back from
  the parsed page exactly as they are in the data (escaped once, never dropped);
- JSON and XML parse, iCalendar parses with one VEVENT per location and no stray line breaks.

Then every payload goes into every query parameter (and the path and Accept-Language):
the answer is 200, 400, 404 or 501 — never 500 — an error names its parameter, and every
HTML body, error pages included, passes the same checker with the payload never echoed raw.
The browser half is ``test_xss_browser.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import icalendar
import pytest
from bs4 import BeautifulSoup, Tag
from bs4.filter import SoupStrainer
from httpx2 import Response
from starlette.testclient import TestClient

from widget.app import create_app
from widget.csp import PROVIDER_SOURCES
from widget.model import Event, MediaProvider
from widget.resources import STATIC_DIR
from widget.settings import Settings

from conftest import BEFORE, PUBLIC_URL
from hostile_data import COMPLETE_FIELDS, TEXT_FIELDS, URL_FIELDS, HostileData, build_hostile_data
from xss import find_foreign_markup, load_payloads

PAYLOADS = load_payloads()
MIN_PAYLOADS_PER_FIELD = 150
# Characters that a payload can only show raw in HTML if it was not escaped (a raw "'" may
# legitimately appear inside a JSON-LD string, so it is not one of them).
MARKUP_CHARACTERS = frozenset('<>"')
ERROR_STATUSES = frozenset({400, 404, 501})
ALLOWED_STATUSES = ERROR_STATUSES | {200}
BUILDER_FORM = f"{PUBLIC_URL}/#builder"
CSP_KEYWORDS_FORBIDDEN = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'nonce-")
CSP_SCHEMES_FORBIDDEN = frozenset({"*", "data:", "blob:", "http:", "https:", "filesystem:"})


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileData:
    """The corpus written into every text field of a valid data directory."""
    return build_hostile_data(tmp_path_factory.mktemp("hostile") / "data", PAYLOADS)


@pytest.fixture(scope="module")
def client(hostile: HostileData) -> Iterator[TestClient]:
    """A client on the hostile data; server errors come back as 500s, not exceptions."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=hostile.root, now=BEFORE, reload_seconds=0)
    with TestClient(
        create_app(settings), base_url=PUBLIC_URL, raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def our_scripts(client: TestClient) -> frozenset[str]:
    """The absolute, content-hashed URL of every file of ours under static/."""
    renderer = client.app.state.services.renderer  # type: ignore[attr-defined]
    names = [p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()]
    return frozenset(renderer.static_url(name) for name in names)


# --- checks -----------------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as directive → sources (the first of a name wins)."""
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    return directives


def csp_hashes(directives: dict[str, list[str]]) -> list[str]:
    """The 'sha256-…' sources of script-src and style-src."""
    return [
        source
        for name in ("script-src", "style-src")
        for source in directives.get(name, [])
        if source.strip("'").startswith("sha256-")
    ]


def provider_hosts(providers: Collection[MediaProvider]) -> frozenset[str]:
    """Every host the policy may name for these media providers."""
    return frozenset(
        host
        for provider in providers
        for hosts in PROVIDER_SOURCES[provider].values()
        for host in hosts
    )


def csp_problems(header: str, providers: Collection[MediaProvider]) -> list[str]:
    """What is wrong with a page's policy: unsafe sources, or hosts of media it lacks."""
    if not header:
        return ["no Content-Security-Policy header"]
    problems = []
    directives = csp_directives(header)
    allowed_hosts = provider_hosts(providers)
    for word in CSP_KEYWORDS_FORBIDDEN:
        if word in header:
            problems.append(f"CSP holds {word}")
    for name in ("object-src", "base-uri"):
        if directives.get(name) != ["'none'"]:
            problems.append(f"CSP {name} is {directives.get(name)}, expected 'none'")
    if "script-src" not in directives:
        problems.append("CSP has no script-src")
    for name, sources in directives.items():
        if name == "frame-ancestors":  # who may frame us, not what we load
            continue
        for source in sources:
            if source.startswith("'"):
                continue
            if source.lower() in CSP_SCHEMES_FORBIDDEN:
                problems.append(f"CSP {name} allows the scheme or wildcard {source}")
            elif source not in allowed_hosts:
                problems.append(f"CSP {name} names {source}, a host of no media on the page")
    return problems


def foreign_markup(html: str, **allowed: Collection[str]) -> list[str]:
    """``xss.find_foreign_markup`` as strings; markup its parser cannot read is a problem too.

    The standard library's parser raises AssertionError on some malformed marked sections
    (``<![C``): a body holding one is not markup we wrote either.
    """
    try:
        return [str(problem) for problem in find_foreign_markup(html, **allowed)]
    except AssertionError as error:
        return [f"mxss: the parser cannot read this markup ({error})"]


def page_problems(
    response: Response,
    our_scripts: Collection[str],
    *,
    frames: Collection[str] = (),
    forms: Collection[str] = (),
    providers: Collection[MediaProvider] = (),
) -> list[str]:
    """Everything wrong with an HTML response: foreign markup, and an unsafe policy."""
    if not response.headers.get("content-type", "").startswith("text/html"):
        return [f"content-type {response.headers.get('content-type')!r}, expected HTML"]
    header = response.headers.get("content-security-policy", "")
    found = foreign_markup(
        response.text,
        allowed_script_srcs=our_scripts,
        allowed_inline_hashes=csp_hashes(csp_directives(header)),
        allowed_frame_srcs=frames,
        allowed_form_actions=forms,
    )
    return found + csp_problems(header, providers)


# JSON data blocks: their text is JSON (checked apart: it parses and holds no raw '<'), where
# a payload's '"' legitimately shows as '\\"' and so contains the payload's raw text.
_JSON_BLOCK = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def raw_echoes(body: str, payloads: Sequence[str]) -> list[str]:
    """The payloads holding markup characters that appear unescaped in ``body``'s HTML."""
    html = _JSON_BLOCK.sub("", body)
    return [p for p in payloads if MARKUP_CHARACTERS & set(p) and p in html]


def report(failures: list[str], limit: int = 40) -> str:
    """A failure message: how many, and the first ``limit`` of them."""
    shown = "\n".join(failures[:limit])
    more = f"\n… and {len(failures) - limit} more" if len(failures) > limit else ""
    return f"{len(failures)} failure(s):\n{shown}{more}"


def soup(html: str) -> BeautifulSoup:
    """Parse HTML the way the checker does (the standard library's parser)."""
    return BeautifulSoup(html, "html.parser")


def texts(page: BeautifulSoup, selector: str) -> list[str]:
    """The exact text of every element matching ``selector``."""
    return [element.get_text() for element in page.select(selector)]


def providers_of(event: Event) -> frozenset[MediaProvider]:
    """The media providers an event holds."""
    return frozenset(item.provider for item in event.media if item.provider is not None)


def city_names(event: Event, language: str) -> list[str]:
    """The city names a page in ``language`` shows (overrides of that language first)."""
    overrides = event.text(language)[1].cities if language in event.texts else {}
    return [overrides.get(location.id, location.city) for location in event.locations]


# --- the data really is hostile -----------------------------------------------------------


def test_corpus_is_large_enough() -> None:
    """The corpus holds at least 150 distinct payloads."""
    assert len(set(PAYLOADS)) == len(PAYLOADS) >= MIN_PAYLOADS_PER_FIELD


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_every_text_field_carries_the_corpus(hostile: HostileData, field: str) -> None:
    """Each text field holds 150+ payloads; all but the organizer every one the model accepts."""
    carried = hostile.coverage[field]
    assert len(carried) >= MIN_PAYLOADS_PER_FIELD, (field, len(carried))
    if field in COMPLETE_FIELDS:
        missing = hostile.accepted(field) - carried
        assert not missing, [PAYLOADS[i] for i in sorted(missing)][:10]


@pytest.mark.parametrize("field", URL_FIELDS)
def test_url_fields_carry_payloads_where_urls_allow(hostile: HostileData, field: str) -> None:
    """Signup, press, media and organizer URLs hold the payloads a URL may contain."""
    assert len(hostile.coverage[field]) >= 40, (field, len(hostile.coverage[field]))


# --- every page of every event ------------------------------------------------------------

# (path, the one frame the page may hold, the one form it may hold); ``{slug}``: the event.
PAGES = [
    pytest.param("/embed/{slug}?theme=light&lang=en", None, None, id="embed-light-en"),
    pytest.param("/embed/{slug}?theme=dark&lang=en", None, None, id="embed-dark-en"),
    pytest.param("/embed/{slug}?theme=light&lang=nl", None, None, id="embed-light-nl"),
    pytest.param("/embed/{slug}?theme=dark&lang=nl", None, None, id="embed-dark-nl"),
    # No lang: the event's default language, negotiated (no Accept-Language).
    pytest.param("/embed/{slug}", None, None, id="embed-auto-default"),
    # Filtered ("All 14 cities" link) with an accent: the accent script is inlined by hash.
    pytest.param(
        "/embed/{slug}?country=NL,DE&city=city-05&accent=%23123456&lang=en",
        None,
        None,
        id="embed-filtered-accent",
    ),
    pytest.param("/events/{slug}?lang=en", None, None, id="event-en"),
    pytest.param("/events/{slug}?lang=nl&theme=dark", None, None, id="event-nl-dark"),
    # The builder for this event: its preview frame and its GET form are ours.
    pytest.param("/?event={slug}", "/embed/{slug}", BUILDER_FORM, id="publish-event"),
    pytest.param(
        "/?event={slug}&lang=nl&theme=dark&consent=click",
        "/embed/{slug}?lang=nl&theme=dark",
        BUILDER_FORM,
        id="publish-event-nl-click",
    ),
]


@pytest.mark.parametrize(("path", "frame", "form"), PAGES)
def test_hostile_pages_hold_no_foreign_markup(
    client: TestClient,
    hostile: HostileData,
    our_scripts: frozenset[str],
    path: str,
    frame: str | None,
    form: str | None,
) -> None:
    """Every event's page is 200 HTML with only our scripts, its policy naming only its media."""
    failures = []
    for event in hostile.catalog.events:
        url = path.format(slug=event.slug)
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: status {response.status_code}")
            continue
        frames = [PUBLIC_URL + frame.format(slug=event.slug)] if frame else []
        # The publish page shows no media; the others the event's own.
        providers = () if path.startswith("/?") else providers_of(event)
        problems = page_problems(
            response,
            our_scripts,
            frames=frames,
            forms=[form] if form else [],
            providers=providers,
        )
        problems += [f"payload echoed raw: {p!r}" for p in raw_echoes(response.text, PAYLOADS)]
        failures += [f"{url}: {problem}" for problem in problems]
    assert not failures, report(failures)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_widget_shows_data_as_text(client: TestClient, hostile: HostileData, language: str) -> None:
    """The widget's title, cities, venues and media fallbacks read back exactly as in the data."""
    failures = []
    for event in hostile.catalog.events:
        page = soup(client.get(f"/embed/{event.slug}?lang={language}").text)
        text = event.texts[language]  # type: ignore[index]
        checks = [
            ("title", texts(page, "h1"), [text.title]),
            ("cities", sorted(texts(page, ".city")), sorted(city_names(event, language))),
            # "TIME · VENUE", or the venue alone.
            (
                "venues",
                sorted(t.split(" · ", 1)[-1] for t in texts(page, ".when")),
                sorted(location.venue or "" for location in event.locations),
            ),
            # The fallback text, in its own span marked with the event's language.
            (
                "fallbacks",
                [span.get_text() for span in page.select(".fallback a > span[lang]")],
                [item.fallback for item in event.media if item.fallback],
            ),
        ]
        failures += [
            f"{event.slug} {language} {what}: page {got[:3]!r} != data {want[:3]!r}"
            for what, got, want in checks
            if got != want
        ]
    assert not failures, report(failures)


def test_event_page_shows_data_as_text(client: TestClient, hostile: HostileData) -> None:
    """The event page's title, summary, press titles and Open Graph title are the data's text."""
    failures = []
    for event in hostile.catalog.events:
        page = soup(client.get(f"/events/{event.slug}?lang=en").text)
        text = event.texts["en"]
        og_title = page.find("meta", attrs={"property": "og:title"})
        checks = [
            ("title", texts(page, "h1"), [text.title]),
            ("summary", texts(page, ".lead"), [text.summary] if text.summary else []),
            ("press", texts(page, ".press a"), [link.title for link in event.press]),
            (
                "og:title",
                [str(og_title["content"]) if isinstance(og_title, Tag) else ""],
                [text.title],
            ),
        ]
        failures += [
            f"{event.slug} {what}: page {got[:3]!r} != data {want[:3]!r}"
            for what, got, want in checks
            if got != want
        ]
        for block in page.select('script[type="application/ld+json"]'):
            graph = json.loads(block.get_text())
            names = [node["name"] for node in graph]
            if not all(name.startswith(text.title) for name in names):
                failures.append(f"{event.slug} JSON-LD names do not start with the title")
    assert not failures, report(failures)


def test_publish_page_lists_every_hostile_event(
    client: TestClient, hostile: HostileData, our_scripts: frozenset[str]
) -> None:
    """The publish page lists every event by its exact title and holds no foreign markup."""
    response = client.get("/")
    assert response.status_code == 200
    next_slug = client.app.state.services.data.catalog.next_event(BEFORE.date()).slug  # type: ignore[attr-defined]
    problems = page_problems(
        response, our_scripts, frames=[f"{PUBLIC_URL}/embed/next"], forms=[BUILDER_FORM]
    )
    assert not problems, report(problems)
    page = soup(response.text)
    listed = sorted(texts(page, ".events .title"))
    assert listed == sorted(event.texts["en"].title for event in hostile.catalog.events)
    options = {str(o["value"]): o.get_text() for o in page.select("#event option")}
    assert set(options) == {"next", "upcoming", *hostile.slugs}
    assert hostile.catalog.by_slug[next_slug].texts["en"].title in options["next"]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_publish_builder_shows_city_names_as_text(
    client: TestClient, hostile: HostileData, language: str
) -> None:
    """The builder's city checkboxes are labelled with the event's exact city names."""
    failures = []
    for event in hostile.catalog.events:
        response = client.get(f"/?event={event.slug}", headers={"accept-language": language})
        labels = BeautifulSoup(response.text, "html.parser", parse_only=SoupStrainer("label"))
        names = sorted(
            label.get_text()
            for label in labels.find_all("label")
            if label.find("input", attrs={"name": "city"})
        )
        if names != sorted(city_names(event, language)):
            failures.append(f"{event.slug} {language}: {names[:3]!r}")
    assert not failures, report(failures)


def test_event_json_is_the_data(client: TestClient, hostile: HostileData) -> None:
    """Each event's JSON parses, is served as JSON with nosniff, and holds the texts unchanged."""
    failures = []
    for event in hostile.catalog.events:
        response = client.get(f"/events/{event.slug}.json")
        if response.status_code != 200:
            failures.append(f"{event.slug}.json: status {response.status_code}")
            continue
        if response.headers["content-type"] != "application/json":
            failures.append(f"{event.slug}.json: content-type {response.headers['content-type']}")
        if response.headers.get("x-content-type-options") != "nosniff":
            failures.append(f"{event.slug}.json: no nosniff")
        document = response.json()
        for language, text in event.texts.items():
            if document["texts"][language] != text.model_dump(mode="json"):
                failures.append(f"{event.slug}.json: texts.{language} differ from the data")
    assert not failures, report(failures)


CALENDAR_PROPERTIES = frozenset({"PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME"})
EVENT_PROPERTIES = frozenset(
    {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "LOCATION",
        "URL",
        "DESCRIPTION",
        "STATUS",
        "GEO",
    }
)
# A line break that is not part of a CRLF: text that was not escaped (RFC 5545, 3.3.11).
_STRAY_BREAK = re.compile(rb"\r(?!\n)|(?<!\r)\n")


def words(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) as one space."""
    return " ".join(text.split())


def calendar_problems(body: bytes, event: Event, language: str) -> list[str]:
    """What is wrong with an event's iCalendar: stray breaks, injected properties, lost text."""
    if _STRAY_BREAK.search(body):
        return ["a line break outside CRLF (unescaped text)"]
    calendar = icalendar.Calendar.from_ical(body)
    problems = []
    if set(calendar) - CALENDAR_PROPERTIES:
        problems.append(f"calendar properties {sorted(set(calendar) - CALENDAR_PROPERTIES)}")
    title = event.text(language)[1].title
    # Compared word for word: a calendar name must be one line, line breaks become spaces.
    if words(str(calendar.get("X-WR-CALNAME"))) != words(title):
        problems.append("X-WR-CALNAME is not the title")
    vevents = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    others = {str(c.name) for c in calendar.subcomponents} - {"VEVENT", "VTIMEZONE"}
    if others:
        problems.append(f"components {sorted(others)}")
    if len(vevents) != len(event.locations):
        problems.append(f"{len(vevents)} VEVENTs for {len(event.locations)} locations")
    for vevent, city in zip(vevents, city_names(event, language), strict=False):
        if set(vevent) - EVENT_PROPERTIES:
            problems.append(f"VEVENT properties {sorted(set(vevent) - EVENT_PROPERTIES)}")
        if words(str(vevent.get("SUMMARY"))) != words(f"{title} — {city}"):
            problems.append(f"SUMMARY {str(vevent.get('SUMMARY'))[:60]!r} is not title — city")
    return problems


@pytest.mark.parametrize("language", ["en", "nl"])
def test_event_calendar_is_well_formed(
    client: TestClient, hostile: HostileData, language: str
) -> None:
    """Each event's .ics parses with one VEVENT per location and its texts escaped, not injected."""
    failures = []
    for event in hostile.catalog.events:
        response = client.get(f"/events/{event.slug}.ics?lang={language}")
        if response.status_code != 200:
            failures.append(f"{event.slug}.ics?lang={language}: status {response.status_code}")
            continue
        failures += [
            f"{event.slug}.ics?lang={language}: {problem}"
            for problem in calendar_problems(response.content, event, language)
        ]
    assert not failures, report(failures)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_event_card_is_a_png(client: TestClient, hostile: HostileData, language: str) -> None:
    """Each event's share card renders (hostile titles and city names are just text to draw)."""
    failures = []
    for event in hostile.catalog.events:
        response = client.get(f"/events/{event.slug}.png?lang={language}&w=300")
        if response.status_code != 200 or not response.content.startswith(b"\x89PNG\r\n\x1a\n"):
            failures.append(f"{event.slug}.png?lang={language}: status {response.status_code}")
    assert not failures, report(failures)


# --- oEmbed -------------------------------------------------------------------------------

# What XML 1.0 cannot carry: the XML response shows these as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def as_xml_text(text: str) -> str:
    """``text`` as an XML document can carry it (and its parser reads it back), word for word."""
    return words(_NOT_XML.sub("\ufffd", text))


def oembed_html_problems(html: str, embed_src: str, page_href: str, title: str) -> list[str]:
    """What is wrong with an oEmbed ``html``: foreign markup, or not blockquote + iframe.

    ``title`` is compared word for word (XML turns a lone CR into a line feed).
    """
    problems = foreign_markup(html, allowed_frame_srcs=[embed_src])
    fragment = soup(html)
    children = [child for child in fragment.children if isinstance(child, Tag)]
    if [child.name for child in children] != ["blockquote", "iframe"]:
        return [*problems, f"elements {[child.name for child in children]}"]
    link = children[0].find("a")
    if (
        not isinstance(link, Tag)
        or link.get("href") != page_href
        or (words(link.get_text()) != words(title))
    ):
        problems.append("the blockquote's link is not the page, named by the title")
    return problems


# (url parameter, the widget it frames, the page its link names), for each event.
OEMBED_TARGETS = [
    # No lang: the texts of the event's default language.
    pytest.param("/events/{slug}", "/embed/{slug}", "/events/{slug}", None, id="page"),
    pytest.param(
        "/embed/{slug}?lang=nl&theme=dark",
        "/embed/{slug}?lang=nl&theme=dark",
        "/events/{slug}?lang=nl",
        "nl",
        id="widget-nl-dark",
    ),
]


@pytest.mark.parametrize(("target", "embed", "page", "language"), OEMBED_TARGETS)
@pytest.mark.parametrize("format", ["json", "xml"])
def test_oembed_html_holds_only_our_frame(
    client: TestClient,
    hostile: HostileData,
    target: str,
    embed: str,
    page: str,
    language: str | None,
    format: str,
) -> None:
    """oEmbed parses (JSON, XML); html is a blockquote and our one iframe; texts are the data."""
    failures = []
    for event in hostile.catalog.events:
        slug = event.slug
        url = PUBLIC_URL + target.format(slug=slug)
        response = client.get("/oembed", params={"url": url, "format": format})
        where = f"oembed {format} {url}"
        if response.status_code != 200:
            failures.append(f"{where}: status {response.status_code}")
            continue
        try:
            if format == "json":
                fields: dict[str, Any] = response.json()
            else:
                root = ET.fromstring(response.content)
                fields = {child.tag: child.text or "" for child in root}
        except (ValueError, ET.ParseError) as error:
            failures.append(f"{where}: does not parse: {error}")
            continue
        title = event.text(language or event.default_language)[1].title
        author = event.organizer.name
        if format == "xml":
            title, author = as_xml_text(title), as_xml_text(author)
            fields = {
                **fields,
                "title": words(fields["title"]),
                "author_name": words(fields["author_name"]),
            }
        failures += [
            f"{where}: {problem}"
            for problem in oembed_html_problems(
                fields["html"],
                PUBLIC_URL + embed.format(slug=slug),
                PUBLIC_URL + page.format(slug=slug),
                title,
            )
        ]
        if fields["title"] != title or fields["author_name"] != author:
            failures.append(f"{where}: title or author_name differ from the data")
    assert not failures, report(failures)


# --- every payload in every query parameter ---------------------------------------------

_checked: dict[tuple[object, ...], tuple[str, ...]] = {}


def response_problems(
    response: Response,
    payload: str,
    parameter: str | None,
    our_scripts: Collection[str],
    *,
    frames: Collection[str] = (),
    forms: Collection[str] = (),
    providers: Collection[MediaProvider] = (),
) -> list[str]:
    """What is wrong with the answer to a hostile value (``parameter``: the one an error names).

    The markup check is memoized per identical body and policy: ignored parameters give the
    same cached page, which need not be parsed again.
    """
    status = response.status_code
    if status not in ALLOWED_STATUSES:
        return [f"status {status}"]
    problems: list[str] = []
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/html"):
        key = (
            response.headers.get("content-security-policy", ""),
            hashlib.sha256(response.content).digest(),
            tuple(frames),
            tuple(forms),
            tuple(sorted(providers)),
        )
        if key not in _checked:
            _checked[key] = tuple(
                page_problems(
                    response, our_scripts, frames=frames, forms=forms, providers=providers
                )
            )
        problems += _checked[key]
        if raw_echoes(response.text, [payload]):
            problems.append("the payload is echoed raw")
        if status in ERROR_STATUSES and parameter is not None:
            main = soup(response.text).find("main")
            if not isinstance(main, Tag) or f"“{parameter}”" not in main.get_text():
                problems.append(f"the {status} page does not name {parameter!r}")
    elif content_type.startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            return [f"{status} JSON does not parse"]
        if (
            status in ERROR_STATUSES
            and parameter is not None
            and (body.get("parameter") != parameter)
        ):
            problems.append(f"the {status} names {body.get('parameter')!r}, not {parameter!r}")
        # Read as HTML (a consumer that shows the error, a sniffing client) it is inert.
        problems += [f"JSON as HTML: {p}" for p in foreign_markup(response.text)]
    elif status in ERROR_STATUSES:
        problems.append(f"a {status} as {content_type!r}")
    return problems


def payload_failures(
    request: Callable[[str], Response],
    check: Callable[[Response, str], list[str]],
    payloads: Sequence[str] = PAYLOADS,
) -> tuple[list[str], set[int]]:
    """Send every payload; the failures (with the payload) and the statuses seen."""
    failures, statuses = [], set()
    for payload in payloads:
        response = request(payload)
        statuses.add(response.status_code)
        failures += [f"{problem} — payload {payload!r}" for problem in check(response, payload)]
    return failures, statuses


SLUG = "xss-00"  # holds X and YouTube media: its policy names both providers' hosts

# (route, parameter, statuses a malformed value may get). The route's other parameters are
# absent. A page that ignores a parameter answers 200 with the same page.
VIEW_PARAMETERS = [
    pytest.param("/embed/{slug}", "lang", {400}, id="embed-lang"),
    pytest.param("/embed/{slug}", "theme", {400}, id="embed-theme"),
    pytest.param("/embed/{slug}", "accent", {400}, id="embed-accent"),
    pytest.param("/embed/{slug}", "country", {400}, id="embed-country"),
    # Location ids look like slugs: "alert-1" style payloads are well-formed ids → 200 (empty).
    pytest.param("/embed/{slug}", "city", {400, 200}, id="embed-city"),
    pytest.param("/events/{slug}", "lang", {400}, id="event-lang"),
    pytest.param("/events/{slug}", "theme", {400}, id="event-theme"),
    # The event page ignores the widget's filters and accent.
    pytest.param("/events/{slug}", "accent", {200}, id="event-accent"),
    pytest.param("/events/{slug}", "country", {200}, id="event-country"),
    pytest.param("/events/{slug}", "city", {200}, id="event-city"),
    pytest.param("/events/{slug}.ics", "lang", {400}, id="ics-lang"),
    pytest.param("/events/{slug}.ics", "theme", {400}, id="ics-theme"),
    pytest.param("/events/{slug}.ics", "accent", {400}, id="ics-accent"),
    pytest.param("/events/{slug}.ics", "country", {400}, id="ics-country"),
    # A well-formed id that matches no location is a 404 naming the filter.
    pytest.param("/events/{slug}.ics", "city", {400, 404}, id="ics-city"),
    pytest.param("/events/{slug}.png", "lang", {400}, id="card-lang"),
    pytest.param("/events/{slug}.png", "w", {400}, id="card-width"),
    pytest.param("/", "event", {400}, id="publish-event"),
    pytest.param("/", "lang", {400}, id="publish-lang"),
    pytest.param("/", "theme", {400}, id="publish-theme"),
    pytest.param("/", "accent", {400}, id="publish-accent"),
    pytest.param("/", "country", {400}, id="publish-country"),
    pytest.param("/", "city", {400, 200}, id="publish-city"),
    pytest.param("/", "consent", {400}, id="publish-consent"),
    # Unknown parameters are ignored: the same page as without them.
    pytest.param("/embed/{slug}", "xss", {200}, id="embed-unknown"),
    pytest.param("/events/{slug}", "xss", {200}, id="event-unknown"),
    pytest.param("/events", "lang", {400}, id="index-lang"),
    pytest.param("/events", "theme", {400}, id="index-theme"),
    pytest.param("/events", "page", {400, 404}, id="index-page"),
    pytest.param("/events", "xss", {200}, id="index-unknown"),
    pytest.param("/events.ics", "lang", {400}, id="site-ics-lang"),
    pytest.param("/events.atom", "lang", {400}, id="atom-lang"),
]


@pytest.mark.parametrize(("route", "parameter", "statuses"), VIEW_PARAMETERS)
def test_hostile_query_parameters(
    client: TestClient,
    hostile: HostileData,
    our_scripts: frozenset[str],
    route: str,
    parameter: str,
    statuses: set[int],
) -> None:
    """Every payload in a page's parameter gets the expected status, never 500, and a clean body."""
    path = route.format(slug=SLUG)
    event = hostile.catalog.by_slug[SLUG]
    publish = route == "/"
    frames = [f"{PUBLIC_URL}/embed/next"] if publish else []
    forms = [BUILDER_FORM] if publish else []
    providers = () if publish else providers_of(event)

    def check(response: Response, payload: str) -> list[str]:
        return response_problems(
            response,
            payload,
            parameter,
            our_scripts,
            frames=frames,
            forms=forms,
            providers=providers,
        )

    failures, seen = payload_failures(lambda p: client.get(path, params={parameter: p}), check)
    failures += [f"unexpected status {s}" for s in sorted(seen - statuses) if s != 500]
    assert not failures, report(failures)


# (oEmbed parameter, its value: {payload} as is, {quoted} percent-encoded as a consumer
# puts it in a URL; the parameter an error must name; the statuses a payload may get).
OEMBED_PARAMETERS = [
    pytest.param("url", "{payload}", "url", {400, 404}, id="url-raw"),
    pytest.param("url", PUBLIC_URL + "/events/{quoted}", "url", {404}, id="url-slug"),
    # A view parameter inside the url: its error is about the url; a well-formed city id
    # that matches no location is still a valid (empty) view.
    *[
        pytest.param(
            "url",
            PUBLIC_URL + f"/events/{SLUG}?{name}={{quoted}}",
            "url",
            {404, 200} if name == "city" else {404},
            id=f"url-{name}",
        )
        for name in ("lang", "theme", "accent", "country", "city")
    ],
    pytest.param("maxwidth", "{payload}", "maxwidth", {400}, id="maxwidth"),
    pytest.param("maxheight", "{payload}", "maxheight", {400}, id="maxheight"),
    pytest.param("format", "{payload}", "format", {501}, id="format"),
    pytest.param("dnt", "{payload}", "dnt", {400}, id="dnt"),
]


@pytest.mark.parametrize(("name", "template", "parameter", "statuses"), OEMBED_PARAMETERS)
def test_hostile_oembed_parameters(
    client: TestClient,
    our_scripts: frozenset[str],
    name: str,
    template: str,
    parameter: str,
    statuses: set[int],
) -> None:
    """Every payload in an oEmbed parameter is an error naming it, inert as HTML, never 500."""
    base = {"url": f"{PUBLIC_URL}/events/{SLUG}"}

    def send(payload: str) -> Response:
        value = template.replace("{payload}", payload).replace("{quoted}", quote(payload, safe=""))
        return client.get("/oembed", params={**base, name: value})

    def check(response: Response, payload: str) -> list[str]:
        problems = response_problems(response, payload, parameter, our_scripts)
        if response.status_code == 200:
            html = response.json()["html"]
            frame = extract_frame(html)
            problems += foreign_markup(html, allowed_frame_srcs=[frame])
            if not frame.startswith(f"{PUBLIC_URL}/embed/{SLUG}?"):
                problems.append(f"the frame loads {frame!r}")
        return problems

    failures, seen = payload_failures(send, check)
    failures += [f"unexpected status {s}" for s in sorted(seen - statuses) if s != 500]
    assert not failures, report(failures)


def extract_frame(html: str) -> str:
    """The src of the oEmbed html's iframe."""
    frame = soup(html).find("iframe")
    return str(frame["src"]) if isinstance(frame, Tag) else ""


# (route with the payload in the path, statuses). Paths are percent-encoded.
PATH_TARGETS = [
    pytest.param("/embed/{payload}", id="embed-slug"),
    pytest.param("/events/{payload}", id="event-slug"),
    pytest.param("/events/{payload}.json", id="json-slug"),
    pytest.param("/events/{payload}.ics", id="ics-slug"),
    pytest.param("/go/{payload}/city-00", id="go-slug"),
    # An unknown location of a known event: the 404 names it, escaped.
    pytest.param(f"/go/{SLUG}/{{payload}}", id="go-location"),
    pytest.param("/static/{payload}", id="static"),
]


@pytest.mark.parametrize("route", PATH_TARGETS)
def test_hostile_paths(client: TestClient, our_scripts: frozenset[str], route: str) -> None:
    """Every payload as a path segment gets a 404 whose page or JSON holds no foreign markup."""

    def check(response: Response, payload: str) -> list[str]:
        if response.status_code != 404:
            return [f"status {response.status_code}"]
        # Path errors name no parameter: check the body only.
        return response_problems(response, payload, None, our_scripts)

    failures, _ = payload_failures(
        lambda p: client.get(route.replace("{payload}", quote(p, safe=""))), check
    )
    assert not failures, report(failures)


def header_safe(payload: str) -> bool:
    """Whether a payload can be sent as an HTTP header value at all."""
    return payload.isprintable() and payload == payload.strip() and payload.isascii()


HEADER_PAYLOADS = [p for p in PAYLOADS if header_safe(p)]


@pytest.mark.parametrize(
    "route",
    ["/embed/{slug}", "/events/{slug}", "/", "/events"],
    ids=["embed", "event", "publish", "index"],
)
def test_hostile_accept_language(
    client: TestClient, hostile: HostileData, our_scripts: frozenset[str], route: str
) -> None:
    """Every sendable payload as Accept-Language falls back to a language; the page stays clean."""
    assert len(HEADER_PAYLOADS) >= MIN_PAYLOADS_PER_FIELD
    publish = route == "/"
    providers = () if publish else providers_of(hostile.catalog.by_slug[SLUG])

    def check(response: Response, payload: str) -> list[str]:
        if response.status_code != 200:
            return [f"status {response.status_code}"]
        return response_problems(
            response,
            payload,
            None,
            our_scripts,
            providers=providers,
            frames=[f"{PUBLIC_URL}/embed/next"] if publish else [],
            forms=[BUILDER_FORM] if publish else [],
        )

    failures, _ = payload_failures(
        lambda p: client.get(route.format(slug=SLUG), headers={"accept-language": p}),
        check,
        HEADER_PAYLOADS,
    )
    assert not failures, report(failures)


def test_checker_sees_an_injection(our_scripts: frozenset[str]) -> None:
    """The page check fails on a page with one unescaped payload (the harness can fail)."""
    html = "<!doctype html><html><body><h1><img src=x onerror=alert(1)></h1></body></html>"
    response = Response(
        200, html=html, headers={"content-security-policy": "script-src 'self' 'unsafe-inline'"}
    )
    problems = page_problems(response, our_scripts)
    assert any("onerror" in p for p in problems)
    assert any("unsafe-inline" in p for p in problems)
    assert raw_echoes(html, ["<img src=x onerror=alert(1)>"])
