"""Which site a signup click came from, as a bounded metrics label.

The widget's script learns the embedding page's origin from ``embed.js`` (a message whose
``event.origin`` the browser sets) and appends it to a ``/go/`` link only when the visitor
clicks it (``?site=https://example.org``). ``/go/`` turns that value into a label here:

- ``origin`` accepts exactly ``http(s)://host[:port]`` (a DNS name or an IPv4 address,
  lower-cased, default ports dropped); anything else — a path, credentials, a query,
  ``null``, a ``javascript:`` URL, an overlong name — is not an origin and counts as
  ``other``. It never fails the redirect.
- ``SiteLabels`` gives at most ``MAX_SITES`` origins a label of their own, so the series
  stay bounded whatever clients send. A site gets its label once it has brought
  ``PROMOTE_AFTER`` clicks (a flood of one-off made-up origins claims no label); until
  then, and for every site once the labels are taken, it counts as ``other``. Clicks are
  tallied per candidate in a table of at most ``MAX_CANDIDATES`` origins; when it is full
  every tally is halved and the ones at zero leave it, so sites that keep sending clicks
  stay and one-offs go. The labels given are therefore the most frequent sites, as far as
  labels that are never taken back can follow them.
"""

from __future__ import annotations

import re

MAX_SITES = 50
OTHER = "other"
PROMOTE_AFTER = 3
MAX_CANDIDATES = 1000
MAX_ORIGIN = 270  # "https://" + a 253-character name + ":65535"

_ORIGIN = re.compile(
    r"^(https?)://"
    r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)"
    r"(?::([0-9]{1,5}))?"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(value: str | None) -> str | None:
    """``value`` as a normalized origin (``scheme://host[:port]``), or None when it is not
    one."""
    if not value or len(value) > MAX_ORIGIN:
        return None
    match = _ORIGIN.fullmatch(value.lower())
    if match is None:
        return None
    scheme, host, port = match.groups()
    if len(host) > 253 or (host.replace(".", "").isdigit() and not _ipv4(host)):
        return None
    if port is None:
        return f"{scheme}://{host}"
    number = int(port)
    if not 0 < number < 65536 or port[0] == "0":
        return None
    return (
        f"{scheme}://{host}" if number == _DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{number}"
    )


def _ipv4(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(p == str(int(p)) and int(p) < 256 for p in parts)


class SiteLabels:
    """Origins to labels, at most ``MAX_SITES`` of them plus ``other`` (not thread-safe:
    used on the event loop only)."""

    def __init__(
        self,
        max_sites: int = MAX_SITES,
        promote_after: int = PROMOTE_AFTER,
        max_candidates: int = MAX_CANDIDATES,
    ) -> None:
        self.max_sites = max_sites
        self.promote_after = promote_after
        self.max_candidates = max_candidates
        self.named: set[str] = set()
        self.tallies: dict[str, int] = {}

    def label(self, value: str | None) -> str:
        """The label of one click's ``site`` value (``other`` unless it is a named site)."""
        site = origin(value)
        if site is None:
            return OTHER
        if site in self.named:
            return site
        if len(self.named) >= self.max_sites:
            return OTHER
        if site not in self.tallies and len(self.tallies) >= self.max_candidates:
            self.tallies = {key: n // 2 for key, n in self.tallies.items() if n // 2}
            if len(self.tallies) >= self.max_candidates:
                return OTHER  # every candidate keeps sending clicks: no room for one more
        tally = self.tallies[site] = self.tallies.get(site, 0) + 1
        if tally < self.promote_after:
            return OTHER
        del self.tallies[site]
        self.named.add(site)
        return site
