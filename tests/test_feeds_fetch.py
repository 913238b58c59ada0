"""Fetching a feed: the limits, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from collections.abc import Iterator

import pytest

from tests.bench.server_process import free_port
from widget.feeds.errors import FeedTooLarge, FetchError
from widget.feeds.fetch import Address, Fetched, Fetcher, FetchPolicy, Validators

from feed_server import FeedServer, Reply

BODY = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
LOOPBACK = FetchPolicy(allow_loopback_http=True, total_timeout=2.0, connect_timeout=1.0)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """The local server."""
    with FeedServer() as running:
        yield running


def fetch(
    url: str, policy: FetchPolicy = LOOPBACK, validators: Validators | None = None
) -> Fetched:
    async def run() -> Fetched:
        fetcher = Fetcher(policy)
        try:
            return await fetcher.fetch(url, validators or Validators())
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def test_a_body_and_its_validators(server: FeedServer) -> None:
    """A 200 gives the body with its ETag and Last-Modified; sending them back gives a
    304 and no body."""
    stamp = "Mon, 01 Mar 2027 12:00:00 GMT"
    url = server.serve("/cal.ics", Reply(BODY, etag='"abc"', headers={"last-modified": stamp}))
    fetched = fetch(url)
    assert fetched == Fetched(BODY, Validators('"abc"', stamp))
    again = fetch(url, validators=fetched.validators)
    assert again.body is None
    sent = server.requests[-1][1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"abc"', stamp)
    assert sent["user-agent"].startswith("pauseai-widget/")


def test_same_scheme_redirects_are_followed(server: FeedServer) -> None:
    """A relative redirect on the same server is followed to the calendar."""
    server.serve("/cal.ics", Reply(BODY))
    url = server.serve("/old", Reply(status=301, headers={"location": "/cal.ics"}))
    assert fetch(url).body == BODY


# URLs refused before anything is sent, with the policy they are refused under.
REFUSED = [
    pytest.param("http://127.0.0.1:9/x", FetchPolicy(), "loopback", id="loopback-not-allowed"),
    pytest.param("https://10.1.2.3/x", LOOPBACK, "private", id="private"),
    pytest.param("https://[::ffff:192.168.0.1]/x", LOOPBACK, "private", id="mapped-private"),
    pytest.param("https://0.0.0.0/x", LOOPBACK, "private", id="unspecified"),
    pytest.param("ftp://example.org/x", LOOPBACK, "https only", id="ftp"),
]


@pytest.mark.parametrize(("url", "policy", "reason"), REFUSED)
def test_refused_targets(url: str, policy: FetchPolicy, reason: str) -> None:
    """Each raises FetchError saying why."""
    with pytest.raises(FetchError) as raised:
        fetch(url, policy)
    assert reason in str(raised.value)


def test_a_redirect_loop_ends(server: FeedServer) -> None:
    """At most five redirects."""
    url = server.serve("/loop", Reply(status=302, headers={"location": "/loop"}))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(url)


def test_the_cap_holds_on_the_decoded_body(server: FeedServer) -> None:
    """A 6 KB gzip body that inflates to 6 MB stops at the 5 MB cap; a body of exactly
    the cap passes."""
    bomb = gzip.compress(b"\0" * (6 * 1024 * 1024))
    url = server.serve("/bomb", Reply(bomb, headers={"content-encoding": "gzip"}))
    with pytest.raises(FeedTooLarge):
        fetch(url)
    small = FetchPolicy(allow_loopback_http=True, max_bytes=len(BODY))
    assert fetch(server.serve("/cal.ics", Reply(BODY)), small).body == BODY
    with pytest.raises(FeedTooLarge):
        fetch(server.serve("/big.ics", Reply(BODY + b"x", announce_length=False)), small)


def test_nothing_listening() -> None:
    """A refused connection is a FetchError naming the network error, not a crash."""
    with pytest.raises(FetchError, match="network error: ConnectError"):
        fetch(f"http://127.0.0.1:{free_port()}/cal.ics")


def test_a_name_that_rebinds_to_a_private_address_is_refused_at_connect(
    server: FeedServer,
) -> None:
    """DNS rebinding: the name resolves to a public address when checked and to the local
    server a moment later; the connection is refused, the server never sees a request."""
    url = server.serve("/cal.ics", Reply(BODY))
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    answers = iter([[ipaddress.ip_address("93.184.216.34")], [ipaddress.ip_address("127.0.0.1")]])

    async def rebinding(host: str, port: int) -> list[Address]:
        return next(answers)

    async def run() -> Fetched:
        fetcher = Fetcher(FetchPolicy(total_timeout=2.0), resolve=rebinding)
        try:
            return await fetcher.fetch(f"https://feed.example:{port}/cal.ics")
        finally:
            await fetcher.aclose()

    with pytest.raises(FetchError, match=r"feed\.example is a private, loopback or reserved"):
        asyncio.run(run())
    assert server.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(server: FeedServer) -> None:
    """The name is resolved by the guard and connected to by that address: a name only the
    test resolver knows reaches the local server (loopback allowed)."""
    url = server.serve("/cal.ics", Reply(BODY))
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    looked_up: list[str] = []

    async def local(host: str, port: int) -> list[Address]:
        looked_up.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    async def run() -> Fetched:
        fetcher = Fetcher(LOOPBACK, resolve=local)
        try:
            return await fetcher.fetch(f"http://calendar.invalid:{port}/cal.ics")
        finally:
            await fetcher.aclose()

    assert asyncio.run(run()).body == BODY
    assert looked_up == ["calendar.invalid", "calendar.invalid"]  # the check, the connect
    assert server.requests[-1][1]["host"] == f"calendar.invalid:{port}"
