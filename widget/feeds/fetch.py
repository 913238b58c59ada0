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

The address check resolves the name before the request, so a name that resolves
differently a moment later (DNS rebinding) is not caught; feed URLs come from the data
directory, which organizers control, so this guards against mistakes and redirects
rather than a hostile DNS server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

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


class Fetcher:
    """One HTTP client for every feed; ``fetch`` raises ``FetchError`` for anything wrong."""

    def __init__(
        self, policy: FetchPolicy, transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        self.policy = policy
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
                transport=self._transport,
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
        addresses = await _addresses(host, parts.port or (443 if scheme == "https" else 80))
        for address in addresses:
            if address.is_loopback and self.policy.allow_loopback_http:
                continue
            if not address.is_global or address.is_multicast:
                raise FetchError(f"{host} is a private, loopback or reserved address: refused")
        loopback = all(address.is_loopback for address in addresses)
        if scheme == "http" and not (self.policy.allow_loopback_http and loopback):
            raise FetchError("plain http refused (https only)")


async def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
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
