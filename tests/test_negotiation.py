"""Language negotiation from Accept-Language (Babel), hostile headers included."""

from __future__ import annotations

import pytest

from widget.i18n import negotiate, parse_accept_language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("nl", "nl"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("de-CH", "de"),  # a region we have no catalog for falls back to the language
        ("fr-CA,fr;q=0.9", "fr"),
        ("pt-BR", "pt-BR"),
        ("pt", "pt-BR"),  # Portuguese readers get the Brazilian catalog
        ("pt-PT", "pt-BR"),
        ("nb-NO", "nb"),
        ("no", "nb"),  # generic Norwegian → Bokmål
        ("nn", "nb"),
        ("is-IS", "is"),
        ("sv-SE,sv;q=0.8", "sv"),
        ("es-419", "es"),  # numeric region
        ("en;q=0.1, it;q=0.9", "it"),  # quality beats order
        ("ja, ko;q=0.9, es;q=0.5", "es"),  # unsupported first choices are skipped
        ("it;q=0.5, de;q=0.5", "it"),  # equal quality keeps the visitor's order
        ("EN-gb", "en"),  # case-insensitive
        ("*;q=1, sv;q=0.1", "sv"),  # '*' names nothing in particular
    ],
)
def test_negotiates_supported_languages(header: str, language: str) -> None:
    """The best supported language is chosen by quality, then order."""
    assert negotiate(header) == language


@pytest.mark.parametrize(
    "header",
    [
        "",
        "ja, zh-CN",  # nothing we speak
        "*",
        "nl;q=0",  # explicitly refused
        "nl;q=abc",  # malformed quality counts as refused
        "nl;q=2",  # out of range
        "nl;q=nan",
        ";;;,,,",
        "x" * 5000,  # absurdly long
        "nl\x00",  # control characters
        "<script>alert(1)</script>",
        "n\u00e9erlandais",  # non-ASCII tag
        "en-" + "a" * 100,  # over-long tag
    ],
)
def test_unusable_headers_negotiate_nothing(header: str) -> None:
    """Malformed or unmatched headers give None (the event default is used), never an error."""
    assert negotiate(header) is None


def test_parse_is_bounded() -> None:
    """A header with thousands of entries is cut, not parsed whole."""
    tags = parse_accept_language(",".join(["nl"] * 10_000))
    assert len(tags) <= 40
