"""The feeds in the running application, against a real HTTP server on 127.0.0.1.

One data directory with one event file and one Luma-style calendar (``feed_scenario``):
the feed fills in the file's cities and adds events of its own; a cancellation and other
changes arrive between polls; and every way a feed can go wrong leaves the last good data
serving with the error on ``/healthz``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from widget.app import create_app
from widget.feeds.fetch import Fetcher, FetchPolicy
from widget.feeds.merge import feed_slug
from widget.feeds.state import FeedState
from widget.feeds.sync import FeedSync
from widget.settings import Settings

from conftest import PUBLIC_URL
from feed_scenario import LONDON_URL, NOW, SLUG, luma_calendar, write_data
from feed_server import FeedServer, Reply, calendar, fold, vevent

AMSTERDAM = feed_slug("evt-amsterdam@events.lu.ma")
ZURICH = feed_slug("evt-zurich@events.lu.ma")
FEED_PATH = "/ics/get"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """The local feed server, serving the scenario's calendar."""
    with FeedServer() as running:
        running.serve(FEED_PATH, Reply(luma_calendar(), etag='"v1"'))
        yield running


def settings_for(root: Path, state_dir: Path | None = None) -> Settings:
    """Settings with no background loops (tests run the rounds) and loopback http."""
    return Settings(
        public_url=PUBLIC_URL,
        data_dir=root,
        now=NOW,
        reload_seconds=0,
        sync_seconds=0,
        state_dir=state_dir,
        sync_allow_loopback=True,
    )


@pytest.fixture
def root(tmp_path: Path, server: FeedServer) -> Path:
    """The scenario's data directory, its source pointing at the local server."""
    return write_data(tmp_path / "data", server.url(FEED_PATH))


@pytest.fixture
def client(root: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The application on ``root`` with a state directory, short fetch limits."""
    app = create_app(settings_for(root, tmp_path / "state"))
    feeds(app).fetcher = Fetcher(
        FetchPolicy(total_timeout=1.5, connect_timeout=1.0, allow_loopback_http=True)
    )
    with TestClient(app, base_url=PUBLIC_URL) as test_client:
        yield test_client


def feeds(app: Any) -> FeedSync:
    sync = app.state.services.feeds
    assert sync is not None
    return sync  # type: ignore[no-any-return]


def sync(client: TestClient) -> bool:
    """One forced round, on the application's own event loop."""
    assert client.portal is not None
    return client.portal.call(partial(feeds(client.app).sync_once, force=True))


def location(client: TestClient, slug: str, location_id: str) -> dict[str, Any]:
    response = client.get(f"/events/{slug}.json")
    assert response.status_code == 200
    found = [loc for loc in response.json()["locations"] if loc["id"] == location_id]
    assert len(found) == 1
    return found[0]  # type: ignore[no-any-return]


def health(client: TestClient) -> dict[str, Any]:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_feed_fills_in_what_the_file_leaves_out(client: TestClient) -> None:
    """London gets the feed's venue, times, zone and point; Berlin keeps the venue, time
    and zone its file gives and gets the end time, converted into its zone; Paris, not in
    the feed, stays as the file has it."""
    before = client.get(f"/events/{SLUG}.json").json()
    assert sync(client) is True
    london = location(client, SLUG, "london")
    assert {k: london[k] for k in ("venue", "start_time", "end_time", "timezone", "status")} == {
        "venue": "Parliament Square, London SW1P 3BD, UK",
        "start_time": "13:00:00",
        "end_time": "15:00:00",
        "timezone": "Europe/London",
        "status": "scheduled",
    }
    assert london["coordinates"] == {"lat": 51.5005, "lon": -0.1263}
    berlin = location(client, SLUG, "berlin")
    assert {k: berlin[k] for k in ("venue", "start_time", "end_time", "timezone")} == {
        "venue": "Brandenburger Tor",
        "start_time": "14:00:00",
        "end_time": "16:00:00",  # 15:00 UTC in CET
        "timezone": "Europe/Berlin",
    }
    paris = location(client, SLUG, "paris")
    assert paris == next(loc for loc in before["locations"] if loc["id"] == "paris")


def test_feed_events_become_events_with_stable_slugs(client: TestClient) -> None:
    """The Amsterdam protest and the Zürich café get pages of their own, city and country
    read from LOCATION; the reading group does not pass the filter."""
    sync(client)
    amsterdam = client.get(f"/events/{AMSTERDAM}.json").json()
    assert (amsterdam["date"], amsterdam["default_language"]) == ("2027-03-20", "en")
    assert amsterdam["texts"]["en"]["title"] == "Protest at the Dam"
    [place] = amsterdam["locations"]
    assert (place["city"], place["country"], place["timezone"], place["start_time"]) == (
        "Amsterdam",
        "NL",
        "Europe/Amsterdam",
        "14:00:00",
    )
    assert [link["url"] for link in place["links"]] == ["https://lu.ma/pause-amsterdam"]
    zurich = client.get(f"/events/{ZURICH}.json").json()
    assert zurich["texts"]["en"]["title"] == "Protest café — Zürich ☕"
    assert (zurich["locations"][0]["city"], zurich["locations"][0]["country"]) == ("Zürich", "CH")
    for page in (f"/events/{AMSTERDAM}", f"/embed/{AMSTERDAM}", f"/events/{ZURICH}.ics"):
        assert client.get(page).status_code == 200
    slugs = {event.slug for event in client.app.state.services.data.catalog.events}  # type: ignore[attr-defined]
    assert slugs == {SLUG, AMSTERDAM, ZURICH}


def test_a_cancellation_and_other_changes_arrive_between_polls(
    client: TestClient, server: FeedServer
) -> None:
    """The second poll cancels London, moves Amsterdam's start and drops Zürich; the data
    version changes and the cached answers with it."""
    sync(client)
    version = health(client)["data_version"]
    assert client.get(f"/events/{ZURICH}.json").status_code == 200
    changed = luma_calendar(london_cancelled=True).replace(b"20270320T140000", b"20270320T150000")
    changed = changed.replace(b"evt-zurich@events.lu.ma", b"evt-other-zurich@events.lu.ma")
    server.serve(FEED_PATH, Reply(changed, etag='"v2"'))
    assert sync(client) is True
    assert location(client, SLUG, "london")["status"] == "cancelled"
    assert location(client, AMSTERDAM, "amsterdam")["start_time"] == "15:00:00"
    assert client.get(f"/events/{ZURICH}.json").status_code == 404
    assert health(client)["data_version"] != version


def test_an_unchanged_feed_is_asked_conditionally(client: TestClient, server: FeedServer) -> None:
    """The second fetch sends the ETag back; the 304 changes nothing and counts as a success."""
    sync(client)
    version = health(client)["data_version"]
    assert sync(client) is False
    assert server.requests[-1][1].get("if-none-match") == '"v1"'
    body = health(client)
    assert body["data_version"] == version
    assert body["sources"][0]["ok"] is True and body["status"] == "ok"


def _redirect(target: str) -> Reply:
    return Reply(b"", 302, headers={"location": target})


def _many_events(count: int) -> bytes:
    return calendar(
        *(
            vevent(f"evt-{n}@events.lu.ma", f"Protest {n}", "20270320T140000Z", location="Paris")
            for n in range(count)
        )
    )


def _many_dates(count: int) -> bytes:
    """One event with ``count`` RDATE values (100,000: 1.7 MB, under the size cap)."""
    values = ",".join(
        f"2027{1 + n // 28 % 12:02}{1 + n % 28:02}T{n // 336 % 24:02}0000Z" for n in range(count)
    )
    event = vevent("dates@events.lu.ma", "Protest", "20270320T140000Z", location="Paris")
    return calendar(event.replace("END:VEVENT", fold(f"RDATE:{values}") + "\r\nEND:VEVENT"))


# Every hostile answer, and a phrase of the error /healthz must then show.
HOSTILE = [
    pytest.param(Reply(b"oops", 500, content_type="text/plain"), "HTTP 500", id="500"),
    # Headers only after 5 s: the 1.5 s total deadline cuts it off.
    pytest.param(Reply(luma_calendar(), delay=5), "timed out", id="timeout"),
    # A byte every 50 ms: each read is quick, the whole never arrives in time.
    pytest.param(Reply(luma_calendar(), trickle=0.05), "timed out", id="trickle"),
    pytest.param(Reply(generated=50 * 1024 * 1024), "too large", id="50MB-announced"),
    # No Content-Length: the cap holds while streaming.
    pytest.param(
        Reply(generated=50 * 1024 * 1024, announce_length=False), "too large", id="50MB-streamed"
    ),
    pytest.param(
        Reply(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n"),
        "invalid iCalendar",
        id="invalid-ical",
    ),
    pytest.param(
        Reply(b"<!doctype html><title>Log in</title>", content_type="text/html"),
        "expected an iCalendar file",
        id="html",
    ),
    # HTML served as text/calendar is still refused by its first bytes.
    pytest.param(Reply(b"<html><body>Log in</body></html>"), "not an iCalendar", id="html-body"),
    pytest.param(_redirect("file:///etc/passwd"), "another scheme", id="redirect-file"),
    pytest.param(_redirect("http://10.0.0.1/cal.ics"), "private", id="redirect-private"),
    pytest.param(_redirect("http://169.254.169.254/latest"), "private", id="redirect-metadata"),
    pytest.param(Reply(_many_events(10_000)), "too many events", id="10000-events"),
    # Expanded, it took 34 s and 420 MB; counted before parsing, it is refused at once.
    pytest.param(
        Reply(_many_dates(100_000)),
        "event dates@events.lu.ma: too many RDATE values",
        id="100000-rdates",
        marks=pytest.mark.timeout(10),
    ),
]


@pytest.mark.parametrize(("reply", "error"), HOSTILE)
def test_a_failing_feed_keeps_the_last_good_data(
    client: TestClient, server: FeedServer, reply: Reply, error: str
) -> None:
    """After a good poll, a hostile answer changes nothing that serves; /healthz says
    degraded and shows the error for that source, and the next good poll recovers."""
    sync(client)
    before = health(client)
    venue = location(client, SLUG, "london")["venue"]
    server.serve(FEED_PATH, reply)
    assert sync(client) is False
    after = health(client)
    assert after["data_version"] == before["data_version"]
    assert after["events"] == before["events"] == 3
    assert location(client, SLUG, "london")["venue"] == venue
    assert after["status"] == "degraded"
    [source] = after["sources"]
    assert source["name"] == "PauseAI Luma"
    assert source["ok"] is False and source["failures"] == 1
    assert error in source["last_error"]
    assert source["last_success"] == before["sources"][0]["last_success"]
    server.serve(FEED_PATH, Reply(luma_calendar(london_cancelled=True)))
    assert sync(client) is True
    assert health(client)["status"] == "ok"


def _reading_group(url: str | None = None, title: str = "Reading group") -> str:
    """A Manchester reading group whose description carries London's link."""
    return vevent(
        "evt-reading-mcr@events.lu.ma",
        title,
        "20270309T190000Z",
        "20270309T210000Z",
        location="The Crown Pub, 12 High St, Manchester, UK",
        url=url,
        description=f"We read and talk. To sign up: {LONDON_URL}",
    )


def test_only_events_passing_the_filter_and_their_own_links_enrich(
    client: TestClient, server: FeedServer
) -> None:
    """London's link in a reading group's description fills nothing in, whether the
    filter rejects the event (it touches nothing) or passes it (it becomes an event of
    its own); London's link as the URL of an event the filter rejects fills nothing in
    either. London keeps what its file says; the feed's real London event still fills it."""
    bare = location(client, SLUG, "london")
    reading = feed_slug("evt-reading-mcr@events.lu.ma")
    for event in (_reading_group(), _reading_group(url=LONDON_URL)):
        server.serve(FEED_PATH, Reply(calendar(event)))
        sync(client)
        assert location(client, SLUG, "london") == bare
        assert client.get(f"/events/{reading}.json").status_code == 404
        assert health(client)["sources"][0]["ok"] is True
    server.serve(FEED_PATH, Reply(calendar(_reading_group(title="Protest action training"))))
    sync(client)
    assert location(client, SLUG, "london") == bare
    place = location(client, reading, "manchester")
    assert (place["venue"], [link["url"] for link in place["links"]]) == (
        "The Crown Pub, 12 High St, Manchester, UK",
        [LONDON_URL],
    )
    server.serve(FEED_PATH, Reply(luma_calendar(extra=(_reading_group(),))))
    sync(client)
    assert location(client, SLUG, "london")["venue"] == "Parliament Square, London SW1P 3BD, UK"


def test_a_restart_while_the_feed_is_down_serves_the_saved_copy(
    root: Path, tmp_path: Path, server: FeedServer
) -> None:
    """The last good copy is read back at start: a new process serves the feed's events
    before any fetch, and still after a failed one."""
    state = tmp_path / "state"
    with TestClient(create_app(settings_for(root, state)), base_url=PUBLIC_URL) as first:
        sync(first)
    server.serve(FEED_PATH, Reply(b"down", 503))
    with TestClient(create_app(settings_for(root, state)), base_url=PUBLIC_URL) as second:
        assert location(second, SLUG, "london")["venue"] == "Parliament Square, London SW1P 3BD, UK"
        assert second.get(f"/events/{AMSTERDAM}.json").status_code == 200
        assert sync(second) is False
        [source] = health(second)["sources"]
        assert source["last_success"] is not None and "HTTP 503" in source["last_error"]
        assert second.get(f"/events/{AMSTERDAM}.json").status_code == 200


def test_metrics_count_fetches_per_source(client: TestClient, server: FeedServer) -> None:
    """/metrics has fetches by source and outcome, the feed's events and its last success."""
    sync(client)
    sync(client)  # 304
    server.serve(FEED_PATH, Reply(b"", 500))
    sync(client)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for sample in family.samples
    }
    for outcome in ("ok", "not_modified", "error"):
        key = ("widget_feed_fetches_total", (("outcome", outcome), ("source", "pauseai-luma")))
        assert samples[key] == 1
    assert samples[("widget_feed_events", (("source", "pauseai-luma"),))] >= 5
    assert (
        samples[("widget_feed_last_success_timestamp_seconds", (("source", "pauseai-luma"),))] > 0
    )


def test_an_invalid_sources_file_keeps_the_last_good_sources(
    client: TestClient, root: Path
) -> None:
    """A broken sources.yaml shows on /healthz as FILE:LINE: field: problem; the feeds it
    declared keep serving."""
    sync(client)
    text = (root / "sources.yaml").read_text()
    (root / "sources.yaml").write_text(text.replace("url: http://", "url: ftp://"))
    sync(client)
    body = health(client)
    assert body["status"] == "degraded"
    [problem] = body["sources_error"]
    path, line, field, _ = problem.split(":", 3)
    assert (path, field.strip()) == ("sources.yaml", "sources.0.url")
    lines = (root / "sources.yaml").read_text().splitlines()
    assert int(line) == 1 + next(n for n, text in enumerate(lines) if "url:" in text)
    assert client.get(f"/events/{AMSTERDAM}.json").status_code == 200


def test_a_file_reload_keeps_the_feed_merged(client: TestClient, root: Path) -> None:
    """An edit of the event files swaps in files + feeds, not the files alone."""
    sync(client)
    md = root / SLUG / "en.md"
    md.write_text(md.read_text().replace("PauseAI protest", "PauseAI protest, edited"))
    assert client.app.state.services.data.reload() is True  # type: ignore[attr-defined]
    event = client.get(f"/events/{SLUG}.json").json()
    assert event["texts"]["en"]["title"] == "PauseAI protest, edited"
    assert location(client, SLUG, "london")["timezone"] == "Europe/London"
    assert client.get(f"/events/{AMSTERDAM}.json").status_code == 200


def test_failures_back_off_exponentially_and_success_resets(root: Path, server: FeedServer) -> None:
    """Retries wait about 60 s, 120 s, 240 s … (±20 %), capped at four intervals; a
    success waits one interval (±10 %); a source that is not due is not fetched."""
    now = [1000.0]
    syncer = FeedSync(
        root,
        Fetcher(FetchPolicy(allow_loopback_http=True, total_timeout=2.0)),
        FeedState(None),
        900.0,
        clock=lambda: NOW,
        monotonic=lambda: now[0],
        seed=7,
    )
    syncer.prime()
    server.serve(FEED_PATH, Reply(b"", 500))
    [key] = syncer.status

    async def rounds() -> list[float]:
        waits = []
        for _ in range(7):
            await syncer.sync_once()
            waits.append(syncer.status[key].due - now[0])
            now[0] = syncer.status[key].due
        fetched = len(server.requests)  # the clock stands at the due time: one more fetch
        server.serve(FEED_PATH, Reply(luma_calendar()))
        await syncer.sync_once()
        waits.append(syncer.status[key].due - now[0])
        await syncer.sync_once()  # not due: no request
        assert len(server.requests) == fetched + 1
        await syncer.fetcher.aclose()
        return waits

    waits = asyncio.run(rounds())
    bases = (60, 120, 240, 480, 960, 1920, 3600)  # 3840 would exceed four intervals
    for wait, base in zip(waits[:7], bases, strict=True):
        assert base * 0.8 <= wait <= base * 1.2
    assert 810 <= waits[7] <= 990
    assert syncer.status[key].failures == 0


def test_a_slow_fetch_never_blocks_a_request(client: TestClient, server: FeedServer) -> None:
    """While a fetch waits on a server that takes a second to answer, pages answer at once."""
    sync(client)
    server.serve(FEED_PATH, Reply(luma_calendar(), delay=1.0))
    assert client.portal is not None
    running = client.portal.start_task_soon(partial(feeds(client.app).sync_once, force=True))
    time.sleep(0.1)
    started = time.monotonic()
    assert client.get(f"/events/{SLUG}.json").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert time.monotonic() - started < 0.5
    assert not running.done()
    running.result(timeout=5)
