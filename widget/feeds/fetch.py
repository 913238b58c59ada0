"""Fetching one feed over HTTP, with every limit a hostile or broken server calls for.

- ``https`` only; plain ``http`` only to a loopback address, and only when the policy
  allows it (the tests' local server);
- the host must resolve to public addresses only (no private, link-local or loopback
  address unless loopback is allowed), checked again on every redirect;
- redirects followed by hand, at most ``max_redirects``, never to another scheme
  (``https`` → ``http`` or ``file:``);
- a connect timeout and a total deadline covering the whole exchange, so a server that
  trickles bytes is cut off as surely as one that never answers;
- a size cap checked against ``Content-Length`` and enforced again while streaming the
  decoded body (a gzip bomb stops at the cap too);
- conditional requests: the ETag and Last-Modified of the last good copy go out as
  ``If-None-Match`` / ``If-Modified-Since``; a 304 returns no body.

The address rule is enforced where the connection is made: the client's network backend
(``GuardedBackend``) resolves the name itself, checks every address, and connects to a
checked address literal (TLS still verifies the certificate for the name), so a name that
resolves to a public address for a first look and to a private one a moment later (DNS
rebinding) is refused at connect time, for the first request and every redirect alike.
The same check also runs before each request, so the error names the URL that broke it.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore2
import httpx2

from widget import __version__
from widget.feeds.errors import FeedTooLarge, FetchError

MAX_BYTES = 5 * 1024 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# What a server may call an iCalendar body; HTML (an error or login page) is refused.
REFUSED_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of one fetch."""

    max_bytes: int = MAX_BYTES
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_redirects: int = 5
    allow_loopback_http: bool = False


@dataclass(frozen=True)
class Validators:
    """What the last good copy's response said, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for the validators we have."""
        headers = {}
        if self.etag:
            headers["if-none-match"] = self.etag
        if self.last_modified:
            headers["if-modified-since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome: the body, or None when the server said 304 Not Modified."""

    body: bytes | None
    validators: Validators


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[Address]]]


def check_addresses(host: str, addresses: list[Address], policy: FetchPolicy) -> None:
    """Refuse ``host`` unless every address it stands for is public (or allowed loopback)."""
    for address in addresses:
        if address.is_loopback and policy.allow_loopback_http:
            continue
        if not address.is_global or address.is_multicast:
            raise FetchError(f"{host} is a private, loopback or reserved address: refused")


class GuardedBackend(httpcore2.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy allows.

    ``connect_tcp`` resolves the host once, checks every address, then connects to the
    first one by its literal: what was checked is what is connected to.
    """

    def __init__(self, policy: FetchPolicy, resolve: Resolver) -> None:
        self.policy = policy
        self.resolve = resolve
        self.inner = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        """A stream to a checked address of ``host``; FetchError for a refused one."""
        addresses = await self.resolve(host, port)
        check_addresses(host, addresses, self.policy)
        return await self.inner.connect_tcp(
            str(addresses[0]),
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.AsyncNetworkStream:
        """Never: feeds are fetched over TCP only."""
        raise FetchError("unix sockets refused")

    async def sleep(self, seconds: float) -> None:
        """As the inner backend sleeps."""
        await self.inner.sleep(seconds)


class GuardedTransport(httpx2.AsyncHTTPTransport):
    """httpx's default transport over a ``GuardedBackend`` (no proxy, no environment)."""

    def __init__(self, policy: FetchPolicy, resolve: Resolver) -> None:
        context = _ssl_context()
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=context, network_backend=GuardedBackend(policy, resolve)
        )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The system's trust store, loaded once (it takes a quarter of a second)."""
    return httpx2.create_ssl_context(trust_env=False)


class Fetcher:
    """One HTTP client for every feed; ``fetch`` raises ``FetchError`` for anything wrong.

    ``resolve`` (tests only) replaces the system resolver for the checks and connections.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        transport: httpx2.AsyncBaseTransport | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self.resolve = resolve or _addresses
        self._transport = transport
        self._client: httpx2.AsyncClient | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        """The HTTP client, made on first use (inside the event loop that uses it)."""
        if self._client is None:
            self._client = httpx2.AsyncClient(
                follow_redirects=False,
                timeout=httpx2.Timeout(
                    self.policy.total_timeout, connect=self.policy.connect_timeout
                ),
                headers={
                    "user-agent": f"pauseai-widget/{__version__} (calendar sync)",
                    "accept": "text/calendar, text/plain;q=0.5, */*;q=0.1",
                },
                transport=self._transport or GuardedTransport(self.policy, self.resolve),
                trust_env=False,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the connections (a later fetch opens new ones)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def fetch(self, url: str, validators: Validators = Validators()) -> Fetched:
        """Fetch ``url`` within the policy's limits."""
        try:
            async with asyncio.timeout(self.policy.total_timeout):
                return await self._follow(url, validators)
        except TimeoutError:
            raise FetchError(
                f"timed out: no complete answer within {self.policy.total_timeout:g} s"
            ) from None
        except httpx2.HTTPError as error:
            raise FetchError(f"network error: {type(error).__name__}: {error}") from None

    async def _follow(self, url: str, validators: Validators) -> Fetched:
        scheme = urlsplit(url).scheme.lower()
        for _ in range(self.policy.max_redirects + 1):
            await self._check_target(url, scheme)
            async with self.client.stream("GET", url, headers=validators.headers()) as response:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code == 304:
                    return Fetched(None, validators)
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code} from the feed's server")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind in REFUSED_TYPES:
                    raise FetchError(f"expected an iCalendar file, got {kind}")
                body = await self._read(response)
                return Fetched(
                    body,
                    Validators(response.headers.get("etag"), response.headers.get("last-modified")),
                )
        raise FetchError(f"more than {self.policy.max_redirects} redirects")

    async def _read(self, response: httpx2.Response) -> bytes:
        cap = self.policy.max_bytes
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > cap:
            raise FeedTooLarge(f"too large: {announced} bytes announced, at most {cap}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FeedTooLarge(f"too large: more than {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _check_target(self, url: str, scheme: str) -> None:
        """Refuse a URL (first or redirected) the policy does not allow."""
        parts = urlsplit(url)
        if parts.scheme.lower() != scheme:
            raise FetchError(f"redirect to another scheme ({parts.scheme or 'none'}:) refused")
        if scheme not in ("https", "http"):
            raise FetchError(f"scheme {scheme}: refused (https only)")
        host = parts.hostname
        if not host:
            raise FetchError("URL names no host")
        addresses = await self.resolve(host, parts.port or (443 if scheme == "https" else 80))
        check_addresses(host, addresses, self.policy)
        loopback = all(address.is_loopback for address in addresses)
        if scheme == "http" and not (self.policy.allow_loopback_http and loopback):
            raise FetchError("plain http refused (https only)")


async def _addresses(host: str, port: int) -> list[Address]:
    """Every address ``host`` stands for (itself when it is a literal address)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise FetchError(f"cannot resolve {host}: {error}") from None
    found = []
    for info in infos:
        text = str(info[4][0]).split("%")[0]  # an IPv6 scope id
        found.append(ipaddress.ip_address(text))
    if not found:
        raise FetchError(f"cannot resolve {host}")
    return found
