"""Markup and scripts in a feed's text never become markup on our pages.

Every payload of the XSS corpus goes into a feed event's SUMMARY, DESCRIPTION and
LOCATION; a payload venue also enriches a file location. The widget and the event page of
every resulting event pass the same checker as the file data's pages
(``test_xss_pages.page_problems``), never echo a payload raw, and show the title as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import Settings

from conftest import PUBLIC_URL
from feed_scenario import LONDON_URL, NOW, SLUG, write_data
from feed_server import FeedServer, Reply, calendar, vevent
from test_xss_pages import our_scripts, page_problems, raw_echoes, report
from xss import load_payloads

PAYLOADS = load_payloads()
__all__ = ["our_scripts"]  # the fixture, used by name


def hostile_calendar() -> bytes:
    """One event per payload (title, description, venue), plus a payload venue for London."""
    events = [
        vevent(
            f"xss-{number}@events.lu.ma",
            payload[:150],
            "20270320T140000Z",
            location=f"{payload[:120]}, Paris, France",
            description=payload,
        )
        for number, payload in enumerate(PAYLOADS)
    ]
    london = vevent(
        "xss-london@events.lu.ma",
        "<script>alert('london')</script>",
        "20270315T130000Z",
        location="<img src=x onerror=alert(1)>, London, UK",
        url=LONDON_URL,
    )
    return calendar(london, *events)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The application after one sync of the hostile feed."""
    with FeedServer() as server:
        server.serve("/ics", Reply(hostile_calendar()))
        root = write_data(
            tmp_path_factory.mktemp("xss") / "data", server.url("/ics"), filter_keywords=()
        )
        settings = Settings(
            public_url=PUBLIC_URL,
            data_dir=root,
            now=NOW,
            reload_seconds=0,
            sync_seconds=0,
            sync_allow_loopback=True,
        )
        app = create_app(settings)
        with TestClient(app, base_url=PUBLIC_URL, raise_server_exceptions=False) as test_client:
            assert test_client.portal is not None
            test_client.portal.call(partial(app.state.services.feeds.sync_once, force=True))
            yield test_client


PAGES = ["/embed/{slug}?lang=en", "/embed/{slug}?theme=dark&lang=nl", "/events/{slug}?lang=en"]


@pytest.mark.parametrize("path", PAGES)
def test_feed_text_never_becomes_markup(
    client: TestClient, our_scripts: frozenset[str], path: str
) -> None:
    """Every feed event's page (and the enriched file event's) is clean HTML showing its
    title as the text it is."""
    catalog = client.app.state.services.data.catalog  # type: ignore[attr-defined]
    assert len(catalog) >= len(PAYLOADS) * 0.9  # nearly every payload made an event
    failures = []
    for event in catalog.events:
        response = client.get(path.format(slug=event.slug))
        if response.status_code != 200:
            failures.append(f"{event.slug}: status {response.status_code}")
            continue
        failures += [f"{event.slug}: {p}" for p in page_problems(response, our_scripts)]
        text = event.text("en")[1]
        # A summary as short as '">' occurs in any page's own markup: only longer ones.
        shown = [text.title, *([text.summary] if len(text.summary) >= 10 else [])]
        if raw_echoes(response.text, shown):
            failures.append(f"{event.slug}: a payload is echoed raw")
        heading = BeautifulSoup(response.text, "html.parser").find("h1")
        if heading is None or heading.get_text() != text.title:
            failures.append(f"{event.slug}: the h1 is not the title as text")
    assert not failures, report(failures)


def test_a_payload_venue_on_a_file_location_is_text(client: TestClient) -> None:
    """The enriched London location shows the feed's hostile venue as text."""
    london = next(
        loc
        for loc in client.get(f"/events/{SLUG}.json").json()["locations"]
        if loc["id"] == "london"
    )
    assert london["venue"] == "<img src=x onerror=alert(1)>, London, UK"
    page = client.get(f"/events/{SLUG}?lang=en").text
    assert not BeautifulSoup(page, "html.parser").find("img", onerror=True)
