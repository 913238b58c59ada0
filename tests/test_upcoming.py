"""The upcoming-events widget ``/embed/upcoming``: what it lists, in which order, how, and
how it is cached; its parameters (``limit``, ``layout`` and the shared ones), hostile
values included; the "nothing planned yet" state; oEmbed for ``/events``; the snippet
builder's "all upcoming protests"; the XSS corpus through every text it shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.datastructures import QueryParams
from starlette.testclient import TestClient
from upcoming_support import NOW, ORGANIZE, TWENTY, UPCOMING, write_catalog, write_event

from tests.bench.generated_data import write_varied_catalog
from widget.app import create_app
from widget.documents.upcoming_view import MAX_CITIES, upcoming_events
from widget.errors import BadRequest
from widget.params import DEFAULT_LIMIT, MAX_LIMIT, ViewOptions, parse_view
from widget.settings import Settings
from widget.store import load_or_raise
from widget.timing import Phase, event_phase

from conftest import PUBLIC_URL

AFTER_ALL = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ON_THE_WEEK = datetime(2026, 2, 9, 12, 0, tzinfo=UTC)  # the multi-day event's third day


def make_client(root: Path, now: datetime) -> TestClient:
    """A client on ``root`` at ``now``."""
    settings = Settings(public_url=PUBLIC_URL, data_dir=root, now=now, reload_seconds=0)
    return TestClient(create_app(settings), base_url=PUBLIC_URL)


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every state: past, multi-day, cancelled, t.b.a. cities, one city, twenty cities."""
    return write_catalog(tmp_path_factory.mktemp("upcoming") / "data")


@pytest.fixture(scope="module")
def client(catalog_dir: Path) -> Iterator[TestClient]:
    """A client on that catalog at ``NOW`` (before all but the past event)."""
    with make_client(catalog_dir, NOW) as test_client:
        yield test_client


def page(client: TestClient, query: str = "lang=en") -> BeautifulSoup:
    """The upcoming widget for ``query``, parsed (asserting a 200 HTML answer)."""
    response = client.get(f"/embed/upcoming?{query}")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def visible(element: Tag) -> str:
    """An element's text without its visually hidden parts."""
    copy = BeautifulSoup(str(element), "html.parser")
    for hidden in copy.select(".vh"):
        hidden.decompose()
    return " ".join(copy.get_text().split())


def events(document: BeautifulSoup) -> list[Tag]:
    """The event blocks of the widget, in order."""
    return document.select("ol.events > li.event")


def event_block(document: BeautifulSoup, slug: str) -> Tag:
    """The block of one event."""
    found = document.select_one(f'li.event[data-event="{slug}"]')
    assert isinstance(found, Tag), slug
    return found


def chips(block: Tag) -> list[tuple[str, str | None]]:
    """(visible name, signup href or None) of each city chip of an event block."""
    found = []
    for item in block.select("ul.chips > li"):
        link = item.select_one("a.chip")
        chip = link or item.select_one(".chip")
        assert isinstance(chip, Tag)
        found.append((visible(chip), str(link["href"]) if link else None))
    return found


# --- what it lists --------------------------------------------------------------------------


def test_lists_every_upcoming_event_soonest_first(client: TestClient) -> None:
    """Every event not yet over, by first day, each titled and linked to its page; the past
    event is not listed."""
    document = page(client)
    assert visible(document.h1) == "Upcoming protests"  # type: ignore[arg-type]
    blocks = events(document)
    assert [block["data-event"] for block in blocks] == list(UPCOMING)
    for block, (slug, (title, _)) in zip(blocks, UPCOMING.items(), strict=True):
        link = block.select_one("h2 > a")
        assert isinstance(link, Tag)
        assert visible(link) == title
        assert link["href"] == f"{PUBLIC_URL}/events/{slug}?lang=en"
        assert link["target"] == "_blank"
        heading = block.h2
        assert heading is not None and block.ul is not None
        assert block.ul["aria-labelledby"] == heading["id"]


def test_dates_single_and_multi_day(client: TestClient) -> None:
    """A one-day event shows its full date in a <time>; a multi-day one its range."""
    document = page(client)
    one = event_block(document, "one-city").select_one(".meta time")
    assert isinstance(one, Tag)
    assert one["datetime"] == "2026-03-10"
    assert visible(one) == "Tuesday, March 10, 2026"
    week = event_block(document, "multi-day").select_one(".meta .dates")
    assert isinstance(week, Tag)
    assert visible(week) == "Sat, Feb 7 \u2013 Wed, Feb 11, 2026"
    assert "2 cities · 2 countries" in visible(event_block(document, "multi-day").p)  # type: ignore[arg-type]


def test_signup_links_go_through_the_counted_redirects(client: TestClient) -> None:
    """Each city links to /go/{slug}/{location}, which redirects to that city's own link
    (and counts the click), exactly as the single-event widget's rows."""
    document = page(client)
    assert chips(event_block(document, "multi-day")) == [
        ("Lyon", f"{PUBLIC_URL}/go/multi-day/lyon"),  # France before Switzerland
        ("Zürich", f"{PUBLIC_URL}/go/multi-day/zurich"),
    ]
    link = event_block(document, "multi-day").select_one("a.chip")
    assert isinstance(link, Tag)
    assert visible(link) == "Lyon"
    assert link.get_text() == "Lyon: Sign up on Facebook (opens in a new tab)"
    redirect = client.get(urlsplit(str(link["href"])).path, follow_redirects=False)
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "https://www.facebook.com/events/1"
    single = BeautifulSoup(client.get("/embed/multi-day?lang=en").text, "html.parser")
    assert {a["href"] for a in single.select("a.row")} == {
        href for _, href in chips(event_block(document, "multi-day"))
    }


def test_twenty_cities_show_twelve_and_the_rest_on_the_event_page(client: TestClient) -> None:
    """An international day of twenty cities shows the first twelve (by country, then city)
    and "and 8 more cities", linking to its page, which lists all twenty."""
    block = event_block(page(client), "international")
    shown = chips(block)
    assert len(shown) == MAX_CITIES == 12
    assert all(href and "/go/international/" in href for _, href in shown)
    assert [name for name, _ in shown[:3]] == ["Melbourne", "Sydney", "Toronto"]  # Australia…
    more = block.select_one("p.more a")
    assert isinstance(more, Tag)
    assert visible(more) == "and 8 more cities"
    assert more.get_text().endswith("International day of protest (opens in a new tab)")
    assert more["href"] == f"{PUBLIC_URL}/events/international?lang=en"
    assert "20 cities · 10 countries" in visible(block.p)  # type: ignore[arg-type]
    full = BeautifulSoup(client.get("/events/international?lang=en").text, "html.parser")
    assert {visible(city) for city in full.select(".city")} == {name for name, _ in TWENTY}


def test_cancelled_event_is_marked_and_links_nowhere(client: TestClient) -> None:
    """A cancelled event stays listed (people who signed up must learn it), marked
    Cancelled, its city a plain name."""
    block = event_block(page(client), "called-off")
    assert block["data-status"] == "cancelled"
    status = block.select_one(".meta .status")
    assert isinstance(status, Tag) and visible(status) == "Cancelled"
    assert chips(block) == [("Utrecht", None)]


def test_cities_to_be_announced(client: TestClient) -> None:
    """A country whose city is open is named with its country, a city without a link says
    "Details soon", a cancelled city is marked; none of them links."""
    block = event_block(page(client), "tba-cities")
    assert chips(block) == [
        ("Ghent", None),
        ("Leeds", None),
        ("City to be announced (United Kingdom)", None),
    ]
    marks = {
        item["data-location"]: visible(item.select_one(".mark, .soon"))  # type: ignore[arg-type]
        for item in block.select("ul.chips > li")
    }
    assert marks == {"ghent": "Cancelled", "leeds": "Details soon", "gb": "Details soon"}


def test_an_event_on_its_days_is_today(catalog_dir: Path) -> None:
    """On a multi-day event's third day it is still listed first, marked Today."""
    with make_client(catalog_dir, ON_THE_WEEK) as client:
        document = page(client)
        first = events(document)[0]
        assert first["data-event"] == "multi-day"
        today = first.select_one(".today")
        assert isinstance(today, Tag) and visible(today) == "Today"
        cache = client.get("/embed/upcoming?lang=en").headers["cache-control"]
        assert "max-age=60" in cache  # the short caching of a day of protest


def test_nothing_planned_offers_the_organize_link(catalog_dir: Path) -> None:
    """Once everything is over: "Nothing planned yet." and the counted organize link of
    the most recent event that has one."""
    with make_client(catalog_dir, AFTER_ALL) as client:
        document = page(client)
        assert events(document) == []
        empty = document.select_one("p.empty")
        assert isinstance(empty, Tag) and visible(empty) == "Nothing planned yet."
        organize = document.select_one("p.organize a")
        assert isinstance(organize, Tag)
        assert organize["href"] == f"{PUBLIC_URL}/go/international"
        assert (
            client.get("/go/international", follow_redirects=False).headers["location"] == ORGANIZE
        )


def test_an_empty_catalog_without_organize_links(tmp_path: Path) -> None:
    """With no event offering an organize link, the empty state has no link to offer."""
    root = tmp_path / "data"
    write_event(
        root,
        "only",
        "Over",
        {"date": "2025-01-01", "locations": [{"city": "Oslo", "country": "NO"}]},
    )
    with make_client(root, NOW) as client:
        document = page(client)
        assert document.select_one("p.empty") is not None
        assert document.select_one("p.organize") is None


def test_one_event(client: TestClient) -> None:
    """A city filter can leave one event with one city."""
    document = page(client, "lang=en&city=den-haag")
    assert [block["data-event"] for block in events(document)] == ["one-city"]
    assert chips(events(document)[0]) == [("Den Haag", f"{PUBLIC_URL}/go/one-city/den-haag")]


def test_country_filter_shows_events_and_cities_of_those_countries(client: TestClient) -> None:
    """country=NL lists the events with a Dutch location, each with its Dutch cities only."""
    document = page(client, "lang=en&country=NL")
    assert [block["data-event"] for block in events(document)] == [
        "called-off",
        "one-city",
        "international",
    ]
    assert [name for name, _ in chips(event_block(document, "international"))] == [
        "Amsterdam",
        "Rotterdam",
    ]
    assert event_block(document, "international").select_one("p.more") is None


def test_country_or_city(client: TestClient) -> None:
    """As everywhere, a location shows when it matches a country or a city."""
    document = page(client, "lang=en&country=CH&city=leeds")
    assert [block["data-event"] for block in events(document)] == ["multi-day", "tba-cities"]
    assert [name for name, _ in chips(event_block(document, "tba-cities"))] == ["Leeds"]


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_limit_keeps_the_soonest(client: TestClient, limit: int) -> None:
    """limit=N shows the N soonest upcoming events."""
    shown = [block["data-event"] for block in events(page(client, f"lang=en&limit={limit}"))]
    assert shown == list(UPCOMING)[:limit]


def test_limit_bounds_a_large_catalog(tmp_path: Path) -> None:
    """Sixty upcoming events: ten by default, at most fifty."""
    root = tmp_path / "data"
    for n in range(60):
        write_event(
            root,
            f"e{n:02d}",
            f"Event {n}",
            {"date": f"2026-{3 + n // 28:02d}-{1 + n % 28:02d}", "locations": [{"country": "NL"}]},
        )
    with make_client(root, NOW) as client:
        assert len(events(page(client))) == DEFAULT_LIMIT == 10
        shown = events(page(client, "limit=50"))
        assert len(shown) == MAX_LIMIT == 50
        assert [block["data-event"] for block in shown] == [f"e{n:02d}" for n in range(50)]


def test_new_events_show_at_the_next_request(tmp_path: Path) -> None:
    """An event added to the data shows after the reload, without any other change."""
    root = write_catalog(tmp_path / "data")
    with make_client(root, NOW) as client:
        before = client.get("/embed/upcoming?lang=en")
        write_event(
            root,
            "added",
            "Added later",
            {"date": "2026-01-31", "locations": [{"city": "Oslo", "country": "NO"}]},
        )
        client.app.state.services.data.reload()  # type: ignore[attr-defined]
        after = client.get("/embed/upcoming?lang=en")
        assert after.headers["etag"] != before.headers["etag"]
        document = BeautifulSoup(after.text, "html.parser")
        assert events(document)[0]["data-event"] == "added"


# --- languages, themes, accent ------------------------------------------------------------


def test_language_from_the_parameter_and_the_browser(client: TestClient) -> None:
    """lang names the language; without it Accept-Language does (and the answer varies)."""
    dutch = client.get("/embed/upcoming?lang=nl")
    assert dutch.headers["content-language"] == "nl"
    assert "Accept-Language" not in dutch.headers.get("vary", "")
    document = BeautifulSoup(dutch.text, "html.parser")
    assert document.html is not None and document.html["lang"] == "nl"
    assert visible(document.h1) == "Komende protesten"  # type: ignore[arg-type]
    block = event_block(document, "one-city")
    link = block.select_one("h2 a")
    assert isinstance(link, Tag) and visible(link) == "Protest bij de AI-top"
    other = block.h2
    assert other is not None and other.get("lang") is None  # its Dutch text exists
    assert event_block(document, "multi-day").h2["lang"] == "en"  # type: ignore[index]
    german = client.get("/embed/upcoming", headers={"accept-language": "de-CH,de;q=0.9"})
    assert german.headers["content-language"] == "de"
    assert "Accept-Language" in german.headers["vary"]
    assert "Kommende Proteste" in german.text
    plain = client.get("/embed/upcoming")
    assert plain.headers["content-language"] == "en"


@pytest.mark.parametrize("theme", ["light", "dark", "auto"])
def test_theme_and_accent(client: TestClient, theme: str) -> None:
    """The theme is the document's data-theme; an accent adds its readable variants and
    the accent script, allowed by its hash."""
    document = page(client, f"theme={theme}&accent=%23ffff00")
    assert document.html is not None
    assert document.html["data-theme"] == theme
    assert document.html["data-brand"] == "#ffff00"
    assert document.html["data-accent-light"] != "#ffff00"  # darkened to be readable
    policy = client.get(f"/embed/upcoming?theme={theme}&accent=%23ffff00").headers[
        "content-security-policy"
    ]
    assert "'unsafe-inline'" not in policy
    assert policy.count("'sha256-") >= 2  # the inlined style and accent.js


def test_first_party_only_and_framable(client: TestClient) -> None:
    """Every link is ours (counted redirects, event pages), no cookie, framable anywhere."""
    response = client.get("/embed/upcoming?lang=en")
    assert "set-cookie" not in response.headers
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    document = BeautifulSoup(response.text, "html.parser")
    hrefs = [str(a["href"]) for a in document.select("a[href]")]
    assert hrefs and all(href.startswith(f"{PUBLIC_URL}/") for href in hrefs)
    sources = [str(s["src"]) for s in document.select("[src]")]
    assert sources and all(src.startswith(f"{PUBLIC_URL}/static/") for src in sources)


# --- parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ViewOptions()),
        ("limit=10", ViewOptions()),  # the default, written out: the same page
        ("limit=1", ViewOptions(limit=1)),
        ("limit=050", ViewOptions(limit=50)),  # a leading zero is still fifty
        ("layout=full", ViewOptions()),
        ("layout=compact", ViewOptions(layout="compact")),
    ],
)
def test_limit_and_layout_normalize(query: str, expected: ViewOptions) -> None:
    """Valid values parse to one canonical form (one cache entry)."""
    assert parse_view(QueryParams(query), layout=True, limit=True) == expected


def test_limit_and_layout_only_where_they_apply() -> None:
    """Elsewhere they are unknown parameters: ignored, even when malformed."""
    assert parse_view(QueryParams("limit=oops&layout=nope")) == ViewOptions()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=51", "limit"),  # one more than allowed
        ("limit=-1", "limit"),
        ("limit=", "limit"),
        ("limit=1.5", "limit"),
        ("limit=1e1", "limit"),
        ("limit=%2B5", "limit"),  # "+5": int() would take it
        ("limit=%205", "limit"),  # " 5": int() would take it
        ("limit=%D9%A3", "limit"),  # Arabic-Indic three: int() would take it
        ("limit=%EF%BC%95", "limit"),  # full-width five
        ("limit=0x10", "limit"),
        ("limit=" + "9" * 600, "limit"),  # too long
        ("limit=5&limit=6", "limit"),  # repeated
        ("limit=<script>", "limit"),
        ("layout=", "layout"),
        ("layout=COMPACT", "layout"),
        ("layout=banner", "layout"),
        ("layout=compact&layout=full", "layout"),
        ("layout=compact%00", "layout"),
        ("lang=xx", "lang"),
        ("theme=purple", "theme"),
        ("accent=red", "accent"),
        ("country=NLD", "country"),
        ("city=../etc", "city"),
    ],
)
def test_hostile_parameters_are_400_naming_them(
    client: TestClient, query: str, parameter: str
) -> None:
    """A malformed known parameter is a 400 naming it (HTML and JSON), never a 500."""
    with pytest.raises(BadRequest) as raised:
        parse_view(QueryParams(query), layout=True, limit=True)
    assert raised.value.parameter == parameter
    for path in ("/embed/upcoming", "/embed/upcoming?layout=compact&x=1"):
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}{query}")
        assert response.status_code == 400, (path, query)
        assert parameter in BeautifulSoup(response.text, "html.parser").get_text()
    answer = client.get(f"/embed/upcoming?{query}", headers={"accept": "application/json"})
    assert answer.status_code == 400


# --- caching ------------------------------------------------------------------------------


def entries(client: TestClient) -> int:
    """How many bodies the cache holds."""
    return len(client.app.state.services.cache)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "query",
    ["lang=en", "lang=nl", "lang=en&limit=2", "lang=en&country=NL", "lang=en&layout=compact"],
)
def test_distinct_parameters_give_distinct_bodies(client: TestClient, query: str) -> None:
    """Each view is its own body (and ETag), unlike the plain list's."""
    plain = client.get("/embed/upcoming?lang=en&theme=dark")
    other = client.get(f"/embed/upcoming?{query}&theme=dark")
    assert (other.headers["etag"] == plain.headers["etag"]) == (query == "lang=en")


@pytest.mark.parametrize(
    "junk",
    ["utm_source=newsletter", "fbclid=abc", "limit_=3", "Layout=compact", "page=2&x=%3Cb%3E"],
)
def test_junk_parameters_share_one_cache_entry(catalog_dir: Path, junk: str) -> None:
    """Unknown parameters change nothing: the same body, and no new cache entry."""
    with make_client(catalog_dir, NOW) as client:
        first = client.get("/embed/upcoming?lang=en")
        count = entries(client)
        again = client.get(f"/embed/upcoming?lang=en&{junk}")
        assert again.content == first.content
        assert again.headers["etag"] == first.headers["etag"]
        assert entries(client) == count
        default = client.get("/embed/upcoming?lang=en&limit=10")  # the default, written out
        assert default.headers["etag"] == first.headers["etag"]
        assert entries(client) == count


def test_etag_and_304(client: TestClient) -> None:
    """The widget is ETagged and answers If-None-Match with a 304."""
    response = client.get("/embed/upcoming?lang=en")
    assert response.headers["cache-control"].startswith("public, max-age=300")
    again = client.get(
        "/embed/upcoming?lang=en", headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304


def test_the_clock_moves_the_list_on(catalog_dir: Path) -> None:
    """Once an event is over it leaves the list: the clock's window is part of the key."""
    with make_client(catalog_dir, NOW) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        first = [b["data-event"] for b in events(page(client))]
        services.clock = lambda: datetime(2026, 2, 13, 12, 0, tzinfo=UTC)
        later = [b["data-event"] for b in events(page(client))]
        assert first[0] == "multi-day"
        assert later == first[1:]


# --- oEmbed and the builder ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["/events", "/embed/upcoming"])
def test_oembed_embeds_the_upcoming_widget(client: TestClient, url: str) -> None:
    """/events and /embed/upcoming embed the upcoming widget, with their parameters."""
    data = client.get(
        "/oembed", params={"url": f"{PUBLIC_URL}{url}?lang=nl&limit=3&country=NL"}
    ).json()
    assert data["title"] == "Komende protesten"
    frame = BeautifulSoup(data["html"], "html.parser").iframe
    assert isinstance(frame, Tag)
    source = urlsplit(str(frame["src"]))
    assert source.path == "/embed/upcoming"
    assert parse_qs(source.query) == {"lang": ["nl"], "country": ["NL"], "limit": ["3"]}
    blockquote = BeautifulSoup(data["html"], "html.parser").select_one("blockquote a")
    assert blockquote is not None and blockquote["href"] == f"{PUBLIC_URL}/events?lang=nl"
    assert data["thumbnail_url"].startswith(f"{PUBLIC_URL}/events/called-off.png")
    assert 300 < data["height"] < 1000


def test_oembed_hostile_limit_is_a_404_naming_url(client: TestClient) -> None:
    """A malformed limit inside the url makes the url one we do not embed (as for lang)."""
    response = client.get("/oembed", params={"url": f"{PUBLIC_URL}/events?limit=99"})
    assert response.status_code == 404
    assert "url" in response.text and "limit" in response.text


def test_builder_offers_every_upcoming_protest(client: TestClient) -> None:
    """The builder's "All upcoming protests" gives snippets for /embed/upcoming (and
    /events for oEmbed), and filters over the countries of every upcoming event."""
    document = BeautifulSoup(client.get("/?event=upcoming&lang=de").text, "html.parser")
    option = document.select_one("select[name=event] option[value=upcoming]")
    assert isinstance(option, Tag) and option.has_attr("selected")
    frame = document.select_one("[data-preview-frame]")
    assert isinstance(frame, Tag)
    assert frame["src"] == f"{PUBLIC_URL}/embed/upcoming?lang=de"
    script = BeautifulSoup(document.select_one("#snippet-script").get_text(), "html.parser")  # type: ignore[union-attr]
    placeholder = script.select_one("[data-pauseai-widget]")
    assert placeholder is not None and placeholder["data-pauseai-widget"] == "upcoming"
    url = document.select_one("#snippet-url")
    assert url is not None and url.get_text() == f"{PUBLIC_URL}/events?lang=de"
    countries = {box["value"] for box in document.select("input[name=country]")}
    assert countries == {"AU", "BE", "CA", "CH", "DE", "FR", "GB", "IT", "NL", "NO", "SE", "US"}


def test_the_index_picks_what_a_scan_of_the_catalog_picks(tmp_path: Path) -> None:
    """``upcoming_events`` (bisecting, then only the events each filter names) lists what a
    plain scan lists — events not past by their own phase, with a location in one of the
    countries or with one of the ids — at every moment around the catalog's phase changes,
    for filters matching many events, few, one city, none, and mixes of them."""
    root = tmp_path / "data"
    write_varied_catalog(root, 90, date(2024, 1, 1))
    catalog = load_or_raise(root)
    some_ids = sorted(
        {location.id for event in catalog.events[40:43] for location in event.locations}
    )
    filters = [
        ViewOptions(limit=MAX_LIMIT),
        ViewOptions(limit=3),
        ViewOptions(countries=("NL",), limit=MAX_LIMIT),
        ViewOptions(countries=("IS", "BR"), limit=7),
        ViewOptions(countries=("ZZ",), limit=MAX_LIMIT),
        ViewOptions(cities=("online",), limit=MAX_LIMIT),
        ViewOptions(cities=tuple(some_ids[:2]), limit=MAX_LIMIT),
        ViewOptions(countries=("SE",), cities=(some_ids[0], "nowhere"), limit=MAX_LIMIT),
    ]
    changes = catalog.changes[::7]
    moments = [
        datetime(2020, 1, 1, tzinfo=UTC),
        *changes,
        *(m - timedelta(seconds=1) for m in changes),
    ]
    for now in moments:
        for options in filters:
            countries, cities = set(options.countries), set(options.cities)
            scanned = [
                event
                for event in catalog.events
                if event_phase(event, now) is not Phase.PAST
                and (
                    not (countries or cities)
                    or any(loc.country in countries or loc.id in cities for loc in event.locations)
                )
            ][: options.limit]
            assert list(upcoming_events(catalog, options, now)) == scanned, (now, options)
