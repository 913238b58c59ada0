"""Content-Security-Policy: built per rendered body, never with a nonce.

A policy allows our own origin, the sha256 hashes of the inline blocks a template used,
and third-party hosts only for the media providers the page actually holds. It is
computed when a body is rendered and cached with it, so cached bodies, ETags and CDNs
all see the same bytes. ``frame-ancestors`` is added per route by the headers middleware.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from widget.media_providers import PROVIDERS, MediaProvider

# What each media provider needs once the visitor consents (from the providers' table).
PROVIDER_SOURCES: dict[MediaProvider, Mapping[str, tuple[str, ...]]] = {
    provider: row.sources for provider, row in PROVIDERS.items()
}


@dataclass(frozen=True)
class ContentPolicy:
    """The sources one page needs beyond its own origin."""

    script_hashes: tuple[str, ...] = ()
    style_hashes: tuple[str, ...] = ()
    providers: tuple[MediaProvider, ...] = ()
    frames_self: bool = False  # the page frames our own documents (the publish preview)

    def header(self) -> str:
        """The policy as a header value (without frame-ancestors)."""
        directives: dict[str, list[str]] = {
            "default-src": ["'none'"],
            "script-src": ["'self'", *sorted(set(self.script_hashes))],
            "style-src": ["'self'", *sorted(set(self.style_hashes))],
            "img-src": ["'self'"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "frame-src": ["'self'"] if self.frames_self else [],
            "form-action": ["'self'"],
            "base-uri": ["'none'"],
            "object-src": ["'none'"],
            "manifest-src": ["'self'"],
        }
        for provider in sorted(set(self.providers)):
            for directive, hosts in PROVIDER_SOURCES[provider].items():
                directives[directive].extend(
                    host for host in hosts if host not in directives[directive]
                )
        return "; ".join(
            f"{name} {' '.join(values)}" for name, values in directives.items() if values
        )


def policy(
    script_hashes: Iterable[str] = (),
    style_hashes: Iterable[str] = (),
    providers: Iterable[MediaProvider] = (),
    *,
    frames_self: bool = False,
) -> ContentPolicy:
    """A policy from iterables (deduplicated, sorted: equal pages give equal headers)."""
    return ContentPolicy(
        tuple(sorted(set(script_hashes))),
        tuple(sorted(set(style_hashes))),
        tuple(sorted(set(providers))),
        frames_self,
    )


DEFAULT = ContentPolicy().header()
