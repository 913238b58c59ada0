"""File catalog + feed events → served catalog: enrichment, new events, filters, notes."""

from __future__ import annotations

import dataclasses
from datetime import date, time
from pathlib import Path

import pytest

from widget.catalog import Catalog
from widget.feeds.merge import Feed, feed_slug, link_key, merge, summary_of
from widget.feeds.parse import FeedEvent, parse_feed
from widget.feeds.sources import FeedFilter, Source
from widget.model import LocationStatus
from widget.settings import SAMPLE_DATA_DIR
from widget.store import load

from conftest import BEFORE, SAMPLE_SLUG
from feed_scenario import LONDON_URL, NOW, SLUG, luma_calendar, write_data
from feed_server import calendar, vevent

SOURCE = Source(
    name="PauseAI Luma",
    url="https://api.lu.ma/ics/get?entity=calendar&id=cal-1",
    filter=FeedFilter(keywords=("protest",)),
)


@pytest.fixture
def files(tmp_path: Path) -> Catalog:
    """The scenario's file catalog."""
    catalog, problems = load(write_data(tmp_path / "data", SOURCE.url))
    assert problems == [] and catalog is not None
    return catalog


def feed(body: bytes = luma_calendar(), source: Source = SOURCE) -> Feed:
    parsed = parse_feed(body, NOW)
    return Feed(source, parsed.events, parsed.calendar_name)


def item(**changes: object) -> FeedEvent:
    base = FeedEvent(
        uid="evt-x@events.lu.ma",
        title="Protest",
        description="",
        url="https://lu.ma/pause-london",
        url_origin="url",
        categories=(),
        start_date=date(2027, 3, 15),
        end_date=None,
        start_time=time(13, 0),
        end_time=None,
        timezone="Europe/London",
        venue="Somewhere else",
        city="London",
        country="GB",
        coordinates=None,
        cancelled=False,
        online=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_no_feeds_is_the_file_catalog_itself(files: Catalog) -> None:
    """Without feeds the served catalog is the files' (same version: caches stay warm)."""
    assert merge(files, []) == (files, ())


def test_the_file_wins_where_it_says_something(files: Catalog) -> None:
    """Berlin's file venue and start time stay; London, silent in the file, takes the feed's."""
    served, notes = merge(files, [feed()])
    assert notes == ()
    event = served.by_slug[SLUG]
    berlin, london = event.location("berlin"), event.location("london")
    assert berlin is not None and london is not None
    assert (berlin.venue, berlin.start_time, berlin.end_time) == (
        "Brandenburger Tor",
        time(14, 0),
        time(16, 0),
    )
    assert (london.venue, london.start_time, london.timezone) == (
        "Parliament Square, London SW1P 3BD, UK",
        time(13, 0),
        "Europe/London",
    )
    assert served.version != files.version


def test_a_feed_day_other_than_the_events_becomes_the_locations_own(files: Catalog) -> None:
    """A London event on the 16th gives London its own date; a cancellation its status."""
    served, _ = merge(files, [Feed(SOURCE, (item(start_date=date(2027, 3, 16), cancelled=True),))])
    london = served.by_slug[SLUG].location("london")
    assert london is not None
    assert (london.date, london.status) == (date(2027, 3, 16), LocationStatus.CANCELLED)


def test_new_events_pass_the_filter_and_keep_their_slug(files: Catalog) -> None:
    """Only events matching a keyword or category become events; the slug depends on the
    UID alone, not on the title or date."""
    served, _ = merge(files, [feed()])
    new = {event.slug for event in served.events} - {SLUG}
    assert new == {feed_slug("evt-amsterdam@events.lu.ma"), feed_slug("evt-zurich@events.lu.ma")}
    moved = luma_calendar().replace(b"Protest at the Dam", b"Protest at the Dam (moved)")
    moved = moved.replace(b"20270320T140000", b"20270321T140000")
    again, _ = merge(files, [feed(moved)])
    assert {event.slug for event in again.events} == {event.slug for event in served.events}
    unfiltered, _ = merge(files, [feed(source=SOURCE.model_copy(update={"filter": FeedFilter()}))])
    assert len(unfiltered) == len(served) + 10  # the reading group's ten weeks


def test_events_without_a_country_are_noted_not_served(files: Catalog) -> None:
    """A feed event whose place is unknown is skipped with a note naming it."""
    lost = item(uid="lost@x", url=None, city=None, country=None, title="Protest somewhere")
    served, notes = merge(files, [Feed(SOURCE, (lost,))])
    assert feed_slug("lost@x") not in served.by_slug
    assert notes == ("PauseAI Luma: 'Protest somewhere': no country in LOCATION or GEO",)


def test_only_the_events_own_link_enriches(files: Catalog) -> None:
    """A URL property or a link as LOCATION fills London in; the same link found in the
    description does not: the event becomes one of its own, London stays as the file has it."""
    for origin in ("url", "location"):
        served, _ = merge(files, [Feed(SOURCE, (item(url_origin=origin),))])
        london = served.by_slug[SLUG].location("london")
        assert london is not None and london.venue == "Somewhere else"
        assert feed_slug("evt-x@events.lu.ma") not in served.by_slug
    served, _ = merge(files, [Feed(SOURCE, (item(url_origin="description"),))])
    assert served.by_slug[SLUG] == files.by_slug[SLUG]
    [place] = served.by_slug[feed_slug("evt-x@events.lu.ma")].locations
    assert [link.url for link in place.links] == [LONDON_URL]


def test_an_event_the_filter_rejects_touches_nothing(files: Catalog) -> None:
    """The filter applies to enrichment too: a reading group carrying London's own link
    neither fills London in nor becomes an event."""
    rejected = item(title="Reading group", venue="The Crown Pub", start_date=date(2027, 3, 9))
    served, notes = merge(files, [Feed(SOURCE, (rejected,))])
    assert (served.events, notes) == (files.events, ())


def test_a_link_in_a_rejected_events_description_leaves_the_sample_alone() -> None:
    """The reported case, on the bundled sample: a feed filtered to "protest action" whose
    only event is a Manchester reading group mentioning London's Partiful link leaves
    London without venue, date or time; unfiltered, it becomes an event of its own."""
    sample, problems = load(SAMPLE_DATA_DIR)
    assert problems == [] and sample is not None
    body = calendar(
        vevent(
            "reading@events.lu.ma",
            "Reading group: Human Compatible",
            "20240509T180000Z",
            "20240509T200000Z",
            location="The Crown Pub, 12 High St, Manchester, UK",
            description="Bring the book. To sign up: https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl",
        )
    )
    parsed = parse_feed(body, BEFORE)
    [reading] = parsed.events
    assert (reading.url, reading.url_origin, reading.own_url) == (
        "https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl",
        "description",
        None,
    )
    filtered = SOURCE.model_copy(update={"filter": FeedFilter(keywords=("protest action",))})
    served, notes = merge(sample, [Feed(filtered, parsed.events)])
    assert (served.events, notes) == (sample.events, ())
    unfiltered = SOURCE.model_copy(update={"filter": FeedFilter()})
    served, _ = merge(sample, [Feed(unfiltered, parsed.events)])
    assert served.by_slug[SAMPLE_SLUG] == sample.by_slug[SAMPLE_SLUG]
    assert served.by_slug[feed_slug("reading@events.lu.ma")].locations[0].city == "Manchester"


LINKS = [
    ("https://lu.ma/abc", "https://luma.com/abc/"),
    ("https://www.meetup.com/pauseai/events/1/?utm=x", "http://meetup.com/pauseai/events/1"),
    ("https://www.facebook.com/events/1#about", "https://facebook.com/events/1"),
]


@pytest.mark.parametrize(("one", "other"), LINKS)
def test_links_compare_without_scheme_www_query_or_slash(one: str, other: str) -> None:
    """Two spellings of one link have one key."""
    assert link_key(one) == link_key(other)


def test_summary_skips_lumas_boilerplate_and_is_bounded() -> None:
    """The summary is the first real paragraph as plain text, cut at a word, ≤ 600."""
    text = "Get up-to-date information at: https://lu.ma/x\n\n**Bold** words " + "long " * 200
    summary = summary_of(text)
    assert summary.startswith("Bold words long") and summary.endswith("…")
    assert len(summary) <= 600
