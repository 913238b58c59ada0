"""Per-city actions and share links (widget/documents/city_actions.py, templates/_city_actions.html,
templates/_share.html): exact calendar, directions and share URLs, text that survives any
characters (the XSS corpus, odd titles and cities) encoded and decoded back unchanged, and
the event page showing them as plain links."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from located_data import locate
from starlette.testclient import TestClient
from test_world_map import client_for

from widget.app import create_app
from widget.documents.city_actions import NETWORKS, Share, city_actions, directions_url, event_share
from widget.model import Event
from widget.settings import SAMPLE_DATA_DIR, Settings
from widget.store import load_or_raise

from conftest import AFTER, BEFORE, PUBLIC_URL, SAMPLE_SLUG
from xss import assert_no_foreign_markup, load_payloads

PAGE = f"{PUBLIC_URL}/events/demo?lang=en"
ODD_TEXTS = [
    "Tom & Jerry's #1 protest: 100% + more?",  # & # + % ? ' all need encoding
    'Quote "this" <b>not bold</b>',
    "Łódź — Zürich · São Paulo 🌍",  # non-ASCII, an em dash, an emoji
    "a/b=c;d,e f",  # / = ; , and a space
]


def make_event(title: str = "Pause AI", city: str = "Den Haag", **location: Any) -> Event:
    """A one-city event; ``location`` adds or overrides the location's fields."""
    return Event.model_validate(
        {
            "slug": "demo",
            "date": "2024-05-13",
            "locations": [
                {"city": city, "country": "NL", "signup_url": "https://example.org/x", **location}
            ],
            "texts": {"en": {"title": title, "summary": "Join us."}},
        }
    )


def actions_of(event: Event) -> Any:
    """The first location's actions in English."""
    found = city_actions(
        event, event.locations[0], language="en", public_url=PUBLIC_URL, page_url=PAGE
    )
    assert found is not None
    return found


def query(url: str) -> dict[str, str]:
    """A URL's query as a dict (each key once)."""
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert len({key for key, _ in pairs}) == len(pairs)
    return dict(pairs)


def test_timed_location_gets_utc_calendar_links() -> None:
    """14:00 to 16:00 in Amsterdam (CEST, UTC+2) is 12:00 to 14:00Z on both templates."""
    event = make_event(
        start_time="14:00", end_time="16:00", timezone="Europe/Amsterdam", venue="Malieveld"
    )
    found = actions_of(event)
    assert found.google == (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        "&text=Pause%20AI%20%E2%80%94%20Den%20Haag&dates=20240513T120000Z%2F20240513T140000Z"
        "&details=Join%20us.%0A%0Ahttps%3A%2F%2Fwidget.example.org%2Fevents%2Fdemo%3Flang%3Den"
        "&location=Malieveld%2C%20Den%20Haag%2C%20Netherlands"
    )
    assert found.outlook == (
        "https://outlook.live.com/calendar/0/action/compose?rru=addevent"
        "&subject=Pause%20AI%20%E2%80%94%20Den%20Haag&startdt=2024-05-13T12%3A00%3A00Z"
        "&enddt=2024-05-13T14%3A00%3A00Z&allday=false"
        "&location=Malieveld%2C%20Den%20Haag%2C%20Netherlands"
        "&body=Join%20us.%0A%0Ahttps%3A%2F%2Fwidget.example.org%2Fevents%2Fdemo%3Flang%3Den"
    )
    assert found.ics == f"{PUBLIC_URL}/events/demo.ics?city=den-haag&lang=en"


def test_a_day_without_time_is_all_day_with_an_exclusive_end() -> None:
    """No time: the whole day, ending (exclusive) the next day; several days likewise."""
    single = actions_of(make_event())
    assert query(single.google)["dates"] == "20240513/20240514"
    assert (query(single.outlook)["startdt"], query(single.outlook)["enddt"]) == (
        "2024-05-13",
        "2024-05-14",
    )
    assert query(single.outlook)["allday"] == "true"
    several = actions_of(make_event(end_date="2024-05-15"))
    assert query(several.google)["dates"] == "20240513/20240516"


def test_calendar_links_agree_with_the_ics_file(client: TestClient) -> None:
    """The .ics link of a city gives that city alone, at the times the templates name."""
    document = BeautifulSoup(client.get(f"/events/{SAMPLE_SLUG}?lang=en").text, "html.parser")
    entry = document.select_one("#pw-city-berlin")
    assert entry is not None
    ics = entry.select_one('a[type="text/calendar"]')
    assert ics is not None
    response = client.get(str(ics["href"]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    assert "Berlin" in str(vevent["summary"])
    google = next(a for a in entry.select("a") if "calendar.google.com" in str(a["href"]))
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert query(str(google["href"]))["dates"] == f"{start:%Y%m%d}/{end:%Y%m%d}"


def test_directions_go_to_openstreetmap() -> None:
    """Coordinates give a marker at zoom 15; without them, a search for venue and place;
    an online location has none."""
    located = make_event(coordinates={"lat": 52.0799838, "lon": 4.3113461})
    assert directions_url(located, located.locations[0]) == (
        "https://www.openstreetmap.org/?mlat=52.07998&mlon=4.31135#map=15/52.07998/4.31135"
    )
    searched = make_event(venue="Malieveld & Plein 1")
    assert directions_url(searched, searched.locations[0]) == (
        "https://www.openstreetmap.org/search?query=Malieveld%20%26%20Plein%201%2C%20Den%20Haag%2C%20Netherlands"
    )
    online = Event.model_validate(
        {
            "slug": "demo",
            "date": "2024-05-13",
            "locations": [{"online": True, "signup_url": "https://example.org/x"}],
            "texts": {"en": {"title": "T"}},
        }
    )
    assert directions_url(online, online.locations[0]) is None


def test_share_links_are_exact() -> None:
    """Each network's own share URL, the text and the page percent-encoded (``%20``)."""
    share = Share("https://w.example/e?lang=en#pw-city-x", "T & U", "T & U, 13 May")
    links = {link.network: link.url for link in share.links}
    assert tuple(links) == NETWORKS
    text, url = "T%20%26%20U%2C%2013%20May", "https%3A%2F%2Fw.example%2Fe%3Flang%3Den%23pw-city-x"
    assert links == {
        "whatsapp": f"https://wa.me/?text={text}%20{url}",
        "telegram": f"https://t.me/share/url?url={url}&text={text}",
        "x": f"https://x.com/intent/post?text={text}&url={url}",
        "bluesky": f"https://bsky.app/intent/compose?text={text}%20{url}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={url}",
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={url}",
        "email": f"mailto:?subject=T%20%26%20U&body={text}%0A%0A{url}",
    }


def decoded_texts(share: Share) -> dict[str, list[str]]:
    """What each share link carries, decoded as the receiving site reads it."""
    return {
        link.network: [
            value for values in parse_qs(urlsplit(link.url).query).values() for value in values
        ]
        for link in share.links
    }


@pytest.mark.parametrize("text", ODD_TEXTS + load_payloads())
def test_any_text_survives_the_share_links(text: str) -> None:
    """Any title or city (odd characters, every XSS payload) reaches each network exactly as
    written: decoded, the link holds the text and the page URL, nothing more, nothing lost."""
    title, city = text.strip() or "x", (text.strip() or "x")[:200]
    try:
        event = make_event(title=title[:200], city=city)
    except ValueError:
        pytest.skip("the model refuses this text as a title or city")
    found = actions_of(event)
    expected_text = found.share.text
    assert city in expected_text or event.locations[0].city in expected_text
    for network, values in decoded_texts(found.share).items():
        joined = " ".join(values)
        assert found.share.url in joined, network
        if network not in ("facebook", "linkedin"):  # these take the URL alone
            assert expected_text in joined, network
    google = query(found.google)
    assert google["text"] == f"{event.texts['en'].title} — {event.locations[0].city}"
    assert query(found.outlook)["subject"] == google["text"]
    # Nothing in a link may break out of its attribute or its URL.
    for url in (found.google, found.outlook, found.ics, *[link.url for link in found.share.links]):
        assert not set(url) & set(" \"'<>\n\r\t`"), url


def test_event_share_names_title_and_days() -> None:
    """The event's own share text is its title and its days."""
    share = event_share(make_event(title="Pause AI"), "en", PAGE)
    assert (share.title, share.text, share.url) == ("Pause AI", "Pause AI — May 13, 2024", PAGE)


# --- on the event page ----------------------------------------------------------------


def page_links(container: Tag) -> list[tuple[str, str, str | None, str | None]]:
    """(visible text, href, target, rel) of every link in ``container``."""
    return [
        (
            " ".join(a.get_text(" ").split()),
            str(a["href"]),
            a.get("target"),  # type: ignore[misc]
            " ".join(a.get("rel") or []) or None,
        )
        for a in container.find_all("a")
    ]


def test_each_city_offers_calendar_directions_and_share(tmp_path: Path) -> None:
    """On the event page every city has a disclosure with its .ics, Google, Outlook,
    OpenStreetMap and seven share links, all of them plain links opening a new tab without
    opener or referrer (e-mail opens the mail program), and two script-only buttons that
    start hidden."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, data)
    locate(data)
    with client_for(data) as client:
        html = client.get(f"/events/{SAMPLE_SLUG}?lang=en").text
    document = BeautifulSoup(html, "html.parser")
    entries = document.select(".cities .country > ul > li")
    assert len(entries) == 14
    for entry in entries:
        details = entry.select_one("details.city-actions")
        assert details is not None
        summary = details.select_one("summary")
        assert summary is not None and "Calendar, directions, share" in summary.get_text()
        links = page_links(details)
        city = entry.select_one(".city")
        assert city is not None
        # Each name says which city it is for (one name, one destination on the page).
        where = f" ({city.get_text().strip()})"
        names = [name.removesuffix(" (opens in a new tab)") for name, *_ in links]
        assert all(name.endswith(where) for name in names)
        names = [name.removesuffix(where) for name in names]
        assert names[:4] == [
            "Calendar file (.ics)",
            "Google Calendar",
            "Outlook",
            "Directions on OpenStreetMap",
        ]
        # "Share: " for screen readers: never the name of a signup link on that network.
        assert names[4:] == [
            f"Share: {network}"
            for network in ("WhatsApp", "Telegram", "X", "Bluesky", "Facebook", "LinkedIn")
        ] + ["Share: E-mail"]
        for name, href, target, rel in links:
            if href.startswith(("https://", "http://")) and "/events/" not in href:
                assert (target, rel) == ("_blank", "noopener noreferrer"), name
        assert links[3][1].startswith("https://www.openstreetmap.org/?mlat=")
        share_url = f"{PUBLIC_URL}/events/{SAMPLE_SLUG}?lang=en#{entry['id']}"
        buttons = details.select("button")
        assert [b.find_parent("li").has_attr("hidden") for b in buttons] == [True, True]  # type: ignore[union-attr]
        assert buttons[0]["data-share-copy"] == share_url
        assert buttons[1]["data-share-native"] == share_url
    # The page's own share block.
    block = document.select_one("#share")
    assert block is not None
    assert len(page_links(block)) == 7
    assert document.select_one('script[src*="/static/share."]') is not None


def test_no_actions_once_it_is_over_or_cancelled(data_dir: Path) -> None:
    """After the event no city offers calendar links; a cancelled city offers none; the
    page can still be shared."""
    event_file = data_dir / SAMPLE_SLUG / "event.yaml"
    text = event_file.read_text(encoding="utf-8")
    event_file.write_text(
        text.replace("- city: Berlin\n", "- city: Berlin\n  status: cancelled\n"), "utf-8"
    )
    for now, expected in ((BEFORE, 13), (AFTER, 0)):
        app = create_app(
            Settings(public_url=PUBLIC_URL, data_dir=data_dir, now=now, reload_seconds=0)
        )
        with TestClient(app, base_url=PUBLIC_URL) as later:
            document = BeautifulSoup(
                later.get(f"/events/{SAMPLE_SLUG}?lang=en").text, "html.parser"
            )
        assert len(document.select("details.city-actions")) == expected
        assert document.select_one("#pw-city-berlin details") is None
        assert len(page_links(document.select_one("#share"))) == 7  # type: ignore[arg-type]


def test_hostile_titles_and_cities_stay_text_on_the_page(tmp_path: Path) -> None:
    """Every payload as the title, a city and a venue: the page's links and buttons carry it
    only encoded (each href equal to the builder's URL), and the page holds no foreign
    markup."""
    payloads = [p for p in load_payloads() if 0 < len(p.strip()) <= 200]
    directory = tmp_path / "data" / "demo"
    directory.mkdir(parents=True)
    locations = [
        {
            "id": f"c{index}",
            "city": payload.strip(),
            "country": "NL",
            "venue": payload.strip()[:300],
            "coordinates": {"lat": 52.0 + index / 1000, "lon": 4.3},
            "signup_url": f"https://example.org/{index}",
        }
        for index, payload in enumerate(payloads[:150])
    ]
    facts = {"date": "2024-05-13", "locations": locations}
    (directory / "event.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    title = payloads[0].strip().replace("\n", " ")
    (directory / "en.md").write_text(
        "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True) + "---\n", "utf-8"
    )
    with client_for(tmp_path / "data") as client:
        response = client.get("/events/demo?lang=en")
        assert response.status_code == 200
        html = response.text
        policy = response.headers["content-security-policy"]
    event = load_or_raise(tmp_path / "data").resolve("demo", BEFORE)
    assert event is not None
    document = BeautifulSoup(html, "html.parser")
    page_url = f"{PUBLIC_URL}/events/demo?lang=en"
    for location in event.locations:
        found = city_actions(
            event, location, language="en", public_url=PUBLIC_URL, page_url=page_url
        )
        assert found is not None
        entry = document.select_one(f"#pw-city-{location.id}")
        assert entry is not None
        hrefs = [str(a["href"]) for a in entry.select("details a")]
        assert hrefs == [
            found.ics,
            found.google,
            found.outlook,
            found.directions,
            *[link.url for link in found.share.links],
        ]
    assert_no_foreign_markup(
        html,
        allowed_script_srcs=[s["src"] for s in document.select("script[src]")],  # type: ignore[misc]
        allowed_inline_hashes=re.findall(r"'(sha256-[^']+)'", policy),
    )
