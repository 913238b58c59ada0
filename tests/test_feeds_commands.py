"""``pauseai-widget sync --once`` and ``pauseai-widget import-ics``, against the local server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from widget.cli import main
from widget.feeds.merge import feed_slug
from widget.store import load

from feed_scenario import NOW, SLUG, luma_calendar, write_data
from feed_server import FeedServer, Reply

FEED_PATH = "/ics/get"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """The local feed server, serving the scenario's calendar."""
    with FeedServer() as running:
        running.serve(FEED_PATH, Reply(luma_calendar()))
        yield running


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Loopback http allowed, the scenario's clock, a state directory of its own."""
    monkeypatch.setenv("WIDGET_SYNC_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("WIDGET_NOW", NOW.isoformat())
    monkeypatch.setenv("WIDGET_STATE_DIR", str(tmp_path / "state"))


def lines(text: str) -> list[list[str]]:
    """Each output line split into its kind, slug and the rest."""
    return [line.split(None, 2) for line in text.splitlines()]


def test_sync_once_prints_what_would_change(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Against the files alone: the file's event is updated (London, Berlin filled in),
    the feed's two events are added; the source's status goes to stderr; nothing is
    written to the state directory."""
    root = write_data(tmp_path / "data", server.url(FEED_PATH))
    assert main(["sync", "--once", str(root)]) == 0
    out, err = capsys.readouterr()
    found = {(kind, slug) for kind, slug, _ in lines(out)}
    assert found == {
        ("updated", SLUG),
        ("added", feed_slug("evt-amsterdam@events.lu.ma")),
        ("added", feed_slug("evt-zurich@events.lu.ma")),
    }
    [updated] = [rest for kind, _, rest in lines(out) if kind == "updated"]
    assert "london: venue, start_time, end_time, timezone, coordinates" in updated
    assert err.splitlines()[0].startswith("PauseAI Luma: ") and err.splitlines()[0].endswith(" ok")
    assert not (tmp_path / "state").exists()


def test_sync_once_reports_cancellations_and_a_failing_source(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cancelled London shows as ``cancelled``; a source answering 500 makes the exit
    status 1 and its error is printed."""
    root = write_data(tmp_path / "data", server.url(FEED_PATH))
    server.serve(FEED_PATH, Reply(luma_calendar(london_cancelled=True)))
    assert main(["sync", "--once", str(root)]) == 0
    kinds = {slug: kind for kind, slug, _ in lines(capsys.readouterr().out)}
    assert kinds[SLUG] == "cancelled"
    server.serve(FEED_PATH, Reply(b"", 500))
    assert main(["sync", "--once", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "error: HTTP 500" in err


def test_import_ics_writes_event_files_that_check(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every feed event with a keyword becomes an event directory that the store loads,
    with the feed's facts; running it again leaves existing directories alone."""
    out = tmp_path / "imported"
    url = server.url(FEED_PATH)
    assert main(["import-ics", url, "--out", str(out), "--keyword", "protest"]) == 0
    catalog, problems = load(out)
    assert problems == [] and catalog is not None
    london = catalog.by_slug[feed_slug("evt-london@events.lu.ma")]
    [place] = london.locations
    assert (place.city, place.country, place.venue, str(place.start_time), place.timezone) == (
        "London",
        "GB",
        "Parliament Square, London SW1P 3BD, UK",
        "13:00:00",
        "Europe/London",
    )
    assert london.texts["en"].title == "PauseAI protest: London"
    assert "Bücher, café" in london.texts["en"].body
    assert {event.texts["en"].title for event in catalog.events} == {
        "PauseAI protest: London",
        "PauseAI Protest Berlin",
        "Protest at the Dam",
        "Protest café — Zürich ☕",
    }
    capsys.readouterr()
    assert main(["import-ics", url, "--out", str(out), "--keyword", "protest"]) == 1
    assert capsys.readouterr().err.count("exists, left as it is") == 4


def test_import_ics_reads_a_file_and_refuses_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A local .ics file works like a URL; an HTML file is refused with exit status 1."""
    feed = tmp_path / "calendar.ics"
    feed.write_bytes(luma_calendar())
    assert main(["import-ics", str(feed), "--out", str(tmp_path / "out")]) == 0
    catalog, _ = load(tmp_path / "out")
    assert catalog is not None and len(catalog) == 14  # 4 events + 10 reading groups
    page = tmp_path / "page.ics"
    page.write_text("<!doctype html><p>Sign in</p>")
    assert main(["import-ics", str(page), "--out", str(tmp_path / "out2")]) == 1
    assert "not an iCalendar file" in capsys.readouterr().err


def test_check_validates_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``check`` reports a broken sources.yaml as FILE:LINE: field: problem."""
    root = write_data(tmp_path / "data", "https://api.lu.ma/ics/get?entity=calendar&id=cal-1")
    assert main(["check", str(root)]) == 0
    (root / "sources.yaml").write_text(
        "sources:\n- name: x\n  url: https://a.example/\n  colour: red\n"
    )
    assert main(["check", str(root)]) == 1
    assert (
        "sources.yaml:4: sources.0.colour: Extra inputs are not permitted"
        in capsys.readouterr().err
    )
