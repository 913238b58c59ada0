"""Ready answers: repeated requests served without parsing, never past their validity."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from answer_support import Answer, answer, fast_path_of, normal_answer
from starlette.datastructures import MutableHeaders
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from widget.app import WidgetApp, create_app
from widget.ready_answers import MAX_KEY_BYTES
from widget.settings import Settings

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG

EMBED = f"/embed/{SAMPLE_SLUG}?lang=en"
PAGE = quote(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}", safe="")
# The sample protest (13 May 2024) starts somewhere at UTC+14 and ends everywhere at UTC-12.
STARTS = datetime(2024, 5, 12, 10, 0, tzinfo=UTC)
ENDS = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


class MovableClock:
    """A clock the test sets by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def served_ready(client: TestClient, target: str, headers: object = None) -> tuple[Answer, bool]:
    """The answer to ``target`` and whether it came ready (without parsing)."""
    fast = fast_path_of(client.app)
    before = fast.served
    found = answer(client, target, headers)
    return found, fast.served == before + 1


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(BEFORE)


@pytest.fixture
def clocked(settings: Settings, clock: MovableClock) -> Iterator[TestClient]:
    """A client on an app whose clock the test moves (no fixed WIDGET_NOW)."""
    app = create_app(replace(settings, now=None), clock=clock)
    with TestClient(app, base_url=PUBLIC_URL) as client:
        yield client


def test_the_second_identical_request_is_answered_ready(client: TestClient) -> None:
    """Render (which remembers the answer), then ready answers equal to it."""
    first = answer(client, EMBED)
    assert len(fast_path_of(client.app).ready) == 1
    for _ in range(3):
        again, ready = served_ready(client, EMBED)
        assert ready and again == first
    assert len(fast_path_of(client.app).ready) == 1


@pytest.mark.parametrize(
    "target",
    [
        EMBED,
        f"/events/{SAMPLE_SLUG}?lang=de",
        f"/events/{SAMPLE_SLUG}",  # language negotiated from Accept-Language
        f"/oembed?url={PAGE}&maxwidth=600&dnt=1",
        f"/events/{SAMPLE_SLUG}.json",
        "/events/next.json",
        "/embed/next",
        "/embed.js",
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"accept-encoding": "gzip"},
        {"accept-language": "fr-CA, de;q=0.4"},
        [("accept-language", "de"), ("accept-language", "fr")],  # the first one counts
        [("accept-encoding", "identity"), ("accept-encoding", "gzip")],
    ],
)
def test_ready_answers_equal_starlettes(
    client: TestClient, target: str, headers: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the headers, a ready answer is byte for byte what Starlette would send."""
    for _ in range(2):
        answer(client, target, headers)
    ready_answer, ready = served_ready(client, target, headers)
    assert ready
    assert ready_answer == normal_answer(client, target, monkeypatch, headers)


def test_conditional_requests_are_remembered_per_validator(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A matching If-None-Match gets a ready 304, a stale one a ready 200."""
    etag = client.get(EMBED).headers["etag"]
    for validator, status in ((etag, 304), ('"stale"', 200)):
        headers = {"if-none-match": validator}
        answer(client, EMBED, headers)
        found, ready = served_ready(client, EMBED, headers)
        assert ready and found[0] == status
        assert found == normal_answer(client, EMBED, monkeypatch, headers)


@pytest.mark.parametrize(
    ("moment", "max_age"),
    [(STARTS - TICK, 300), (STARTS, 60), (ENDS - TICK, 60), (ENDS, 86400)],
)
def test_a_phase_change_is_never_answered_from_before_it(
    clocked: TestClient,
    clock: MovableClock,
    moment: datetime,
    max_age: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Answers remembered an instant before a phase change are not used after it."""
    clock.now = moment - TICK
    for _ in range(2):
        answer(clocked, EMBED)
    assert served_ready(clocked, EMBED)[1]
    clock.now = moment
    found = answer(clocked, EMBED)
    assert f"max-age={max_age}," in found[1]["cache-control"]
    assert found == normal_answer(clocked, EMBED, monkeypatch)


def test_next_follows_the_date_even_between_phase_changes(
    data_dir: Path, settings: Settings, clock: MovableClock
) -> None:
    """``next`` moves to the following event at midnight, though no phase changes then."""
    later = data_dir / "2024-05-20-second-protest"
    shutil.copytree(data_dir / SAMPLE_SLUG, later)
    event_file = later / "event.yaml"
    event_file.write_text(
        event_file.read_text("utf-8").replace("date: 2024-05-13", "date: 2024-05-20"), "utf-8"
    )
    app = create_app(replace(settings, now=None), clock=clock)
    with TestClient(app, base_url=PUBLIC_URL) as client:
        clock.now = datetime(2024, 5, 14, tzinfo=UTC) - TICK
        for _ in range(2):
            assert client.get("/events/next.json").json()["slug"] == SAMPLE_SLUG
        ready_answer = fast_path_of(client.app).served
        assert client.get("/events/next.json").json()["slug"] == SAMPLE_SLUG
        assert fast_path_of(client.app).served == ready_answer + 1
        clock.now += TICK
        assert client.get("/events/next.json").json()["slug"] == later.name


def test_an_evicted_entry_takes_its_ready_answers_along(settings: Settings) -> None:
    """When the body cache drops an entry, its ready answers stop; the next one renders."""
    app = create_app(replace(settings, cache_size=2))
    with TestClient(app, base_url=PUBLIC_URL) as client:
        cache = app.state.services.cache
        for _ in range(3):
            answer(client, EMBED)
        assert len(app.fast_path.ready) == 1
        for language in ("de", "fr"):  # two more entries: the first is evicted
            answer(client, f"/embed/{SAMPLE_SLUG}?lang={language}")
        renders = cache.renders
        found, ready = served_ready(client, EMBED)
        assert not ready and found[0] == 200 and cache.renders == renders + 1


def test_ready_answers_end_with_the_cache_ttl(settings: Settings) -> None:
    """An entry past the body cache's TTL is rendered again, not answered ready."""
    app = create_app(replace(settings, cache_ttl=0.3))  # type: ignore[arg-type]
    with TestClient(app, base_url=PUBLIC_URL) as client:
        for _ in range(3):
            answer(client, EMBED)
        renders = app.state.services.cache.renders
        time.sleep(0.35)
        found, ready = served_ready(client, EMBED)
        assert not ready and found[0] == 200
        assert app.state.services.cache.renders == renders + 1


def test_a_reload_is_never_answered_from_the_old_data(client: TestClient, data_dir: Path) -> None:
    """Ready answers built on the old catalog are not used once new data is live."""
    target = f"/events/{SAMPLE_SLUG}.json"
    for _ in range(3):
        assert "Toronto" not in client.get(target).text
    # Bodies still referenced elsewhere (as by a response being sent) outlive the reload.
    held = list(client.app.state.services.cache._entries.values())  # type: ignore[attr-defined]
    assert held
    event_file = data_dir / SAMPLE_SLUG / "event.yaml"
    event_file.write_text(
        event_file.read_text("utf-8").replace("city: Ottawa", "city: Toronto"), "utf-8"
    )
    ready = fast_path_of(client.app).ready
    remembered = dict(ready.answers)
    assert len(remembered) == 1
    assert client.app.state.services.data.reload()  # type: ignore[attr-defined]
    assert len(ready) == 0  # cleared with the body cache
    ready.answers.update(remembered)  # as if remembered by a request racing the reload
    assert "Toronto" in client.get(target).text


def test_junk_requests_keep_the_memo_bounded(client: TestClient) -> None:
    """Distinct junk parameters fill at most the bound; oversized ones are not remembered."""
    fast = fast_path_of(client.app)
    fast.ready.max_entries = 16
    for number in range(100):
        for _ in range(2):
            assert client.get(f"{EMBED}&junk={number}").status_code == 200
    assert len(fast.ready) == 16
    fast.ready.clear()
    huge = f"{EMBED}&junk={'x' * MAX_KEY_BYTES}"
    cache = client.app.state.services.cache  # type: ignore[attr-defined]
    served, hits, renders = fast.served, cache.hits, cache.renders
    for _ in range(3):
        assert client.get(huge).status_code == 200
    assert (cache.hits, cache.renders) == (hits + 3, renders)  # the entry is cached: hits
    assert fast.served == served  # none answered ready
    assert len(fast.ready) == 0


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (BEFORE, datetime(2024, 5, 2, tzinfo=UTC)),  # the next midnight comes first
        (STARTS - TICK, STARTS),  # the protest starts somewhere before midnight
        (STARTS, datetime(2024, 5, 13, tzinfo=UTC)),
        (datetime(2024, 5, 14, 1, tzinfo=UTC), ENDS),
        (ENDS, datetime(2024, 5, 15, tzinfo=UTC)),
        # ``next`` follows the clock's own date: midnight in the clock's zone.
        (
            datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
            datetime(2024, 5, 2, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_steady_until_is_the_next_phase_change_or_midnight(
    app: WidgetApp, now: datetime, until: datetime
) -> None:
    """The validity window of an answer ends at the first moment anything could change."""
    assert app.state.services.data.catalog.steady_until(now) == until


class ScriptedClock(MovableClock):
    """A clock that answers the next scripted readings first, then ``now``."""

    def __init__(self, now: datetime) -> None:
        super().__init__(now)
        self.script: list[datetime] = []

    def __call__(self) -> datetime:
        return self.script.pop(0) if self.script else self.now


def test_an_answer_read_across_a_phase_change_is_not_remembered(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path's first clock reading falls before a change, the endpoint's after it."""
    clock = ScriptedClock(STARTS + TICK)
    app = create_app(replace(settings, now=None), clock=clock)
    with TestClient(app, base_url=PUBLIC_URL) as client:
        answer(client, EMBED)  # rendered on the day
        app.fast_path.ready.clear()
        clock.script = [STARTS - TICK]  # the fast path's first reading: the day before
        found, ready = served_ready(client, EMBED)
        assert not ready and "max-age=60," in found[1]["cache-control"]
        assert len(app.fast_path.ready) == 0
        clock.now = STARTS - TICK  # the clock steps back: the day's answer must not come ready
        found = answer(client, EMBED)
        assert "max-age=300," in found[1]["cache-control"]
        assert found == normal_answer(client, EMBED, monkeypatch)


@pytest.mark.parametrize("in_place", [False, True], ids=["MutableHeaders", "list.append"])
def test_a_wrapper_editing_headers_never_changes_later_answers(
    client: TestClient, in_place: bool
) -> None:
    """Every ready answer sends a fresh start message: edits by wrappers do not pile up."""
    app = client.app
    numbers = iter(range(1, 100))

    async def tagged(scope: Scope, receive: Receive, send: Send) -> None:
        async def tag(message: Message) -> None:
            if message["type"] == "http.response.start":
                number = str(next(numbers))
                if in_place:
                    message["headers"].append((b"x-request-id", number.encode()))
                else:
                    MutableHeaders(scope=message).append("x-request-id", number)
            await send(message)

        await app(scope, receive, tag)

    with TestClient(tagged, base_url=PUBLIC_URL) as wrapped:
        seen = [wrapped.get(EMBED).headers.get_list("x-request-id") for _ in range(5)]
    assert seen == [["1"], ["2"], ["3"], ["4"], ["5"]]
    assert fast_path_of(app).served >= 3


def test_a_clock_is_read_only_for_routes_that_follow_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clock the windows cannot use (naive) leaves static answers replayed and correct."""
    app = create_app(replace(settings, now=None), clock=lambda: datetime(2024, 5, 1, 12))
    with TestClient(app, base_url=PUBLIC_URL) as client:
        first = answer(client, "/embed.js", {"accept-encoding": "identity"})
        assert first[0] == 200 and b"PauseAI" in first[2]
        for _ in range(2):
            found, ready = served_ready(client, "/embed.js", {"accept-encoding": "identity"})
            assert ready and found == first
        assert found == normal_answer(
            client, "/embed.js", monkeypatch, {"accept-encoding": "identity"}
        )
