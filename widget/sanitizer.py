"""The only door by which event data becomes markup: Markdown in, allowlisted HTML out.

A Markdown body goes through two independent layers:

1. **markdown-it-py** (CommonMark, raw HTML *off*: ``<b>`` in a body is shown, escaped, as
   text) plus one core rule that applies the policy to the token stream: headings are demoted
   below the widget's own ``h1``/``h2``, links with a URL outside the policy are unwrapped to
   their text, the others get ``rel`` and no ``target`` (they open in place: a link to a
   new tab would have to say so, in the page's language), images become their alt text
   (the widget is first-party only: no request to an image host), link titles and
   code-fence language classes are dropped.
2. **bleach**, with the same policy as an allowlist, as an enforcement layer that does not
   trust layer 1: any tag, attribute or URL outside the policy is removed.

Every call to bleach lives in this module, behind ``SanitizerPolicy``: bleach is in
maintenance mode, and replacing it must mean touching this file only.

Headings: the widget and the event page use ``h1``/``h2`` for their own structure, so a
body heading never outranks them. Markdown levels shift down by one and are clamped into
``h3`` to ``h4``: ``#`` and ``##`` (the two usual top levels of a body) become ``h3``,
``###`` and deeper become ``h4``.

Ordered lists keep ``start`` (digits only): dropping it would renumber "3. …" as "1. …".

Inline text fields (titles, city names, labels) never pass through here: templates escape
them. ``plain_text`` is for places that need text, not markup (meta descriptions,
``og:description``, oEmbed titles, JSON-LD); its caller escapes the result.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import MappingProxyType
from urllib.parse import urlsplit

import bleach
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from widget.text import MAX_URL_LENGTH, has_url_forbidden

__all__ = ["DEFAULT_POLICY", "SanitizerPolicy", "jinja_filters", "plain_text", "render_markdown"]

CACHE_SIZE = 1024

# Tags whose boundaries do not separate words in plain text.
_INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "cite",
        "code",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "u",
    }
)
# Elements whose content is never text a reader sees.
_HIDDEN_TAGS = frozenset({"script", "style", "template"})


def _frozen_attributes() -> Mapping[str, frozenset[str]]:
    return MappingProxyType({"a": frozenset({"href", "rel"}), "ol": frozenset({"start"})})


@dataclass(frozen=True)
class SanitizerPolicy:
    """What a rendered body may contain: tags, attributes per tag, link protocols.

    Attribute values are checked too: ``href`` must be an absolute URL with an allowed
    protocol (and, for http/https, a host and no credentials); ``rel`` must be exactly
    ``link_rel``; ``start`` must be digits.
    """

    tags: frozenset[str] = frozenset(
        {
            "p",
            "br",
            "em",
            "strong",
            "a",
            "ul",
            "ol",
            "li",
            "blockquote",
            "code",
            "pre",
            "h3",
            "h4",
            "hr",
        }
    )
    attributes: Mapping[str, frozenset[str]] = field(default_factory=_frozen_attributes)
    protocols: frozenset[str] = frozenset({"http", "https", "mailto"})
    link_rel: str = "nofollow noopener noreferrer"
    heading_levels: tuple[int, int] = (3, 4)

    def __post_init__(self) -> None:
        """Reject a policy that contradicts itself (a heading level it would then strip)."""
        low, high = self.heading_levels
        if not 1 <= low <= high <= 6:
            raise ValueError(f"heading_levels must be 1 <= low <= high <= 6, not {low}, {high}")
        missing = {f"h{level}" for level in range(low, high + 1)} - self.tags
        if missing:
            raise ValueError(f"heading tags {sorted(missing)} are not in the allowed tags")

    def heading_tag(self, level: int) -> str:
        """The tag for a Markdown heading of ``level``: shifted down one, clamped to range."""
        low, high = self.heading_levels
        return f"h{min(max(level + 1, low), high)}"

    def allows_url(self, url: str) -> bool:
        """Whether ``url`` may be a link target: absolute, allowed protocol, nothing hidden."""
        # markdown-it percent-encodes spaces: a real link never carries a forbidden character.
        if not url or len(url) > MAX_URL_LENGTH or has_url_forbidden(url):
            return False
        try:
            parts = urlsplit(url)
            _ = parts.port
        except ValueError:
            return False
        if parts.scheme not in self.protocols:
            return False
        if parts.scheme in ("http", "https"):
            return bool(parts.hostname) and parts.username is None and parts.password is None
        return bool(parts.path or parts.netloc)

    def allows_attribute(self, tag: str, name: str, value: str) -> bool:
        """Whether ``tag`` may carry attribute ``name`` with this ``value``."""
        if name not in self.attributes.get(tag, frozenset()):
            return False
        if name in ("href", "src"):
            return self.allows_url(value)
        if name == "rel":
            return value == self.link_rel
        if name == "start":
            return value.isascii() and value.isdigit() and len(value) <= 9
        return True


DEFAULT_POLICY = SanitizerPolicy()


class _Sanitizer:
    """A policy bound to its Markdown parsers and (per thread) its bleach cleaner."""

    def __init__(self, policy: SanitizerPolicy) -> None:
        self.policy = policy
        self._markdown = _markdown_parser(policy, html=False)
        self._text_markdown = _markdown_parser(policy, html=True)
        self._local = threading.local()

    def _cleaner(self) -> bleach.Cleaner:
        # bleach's Cleaner keeps parser state: one per thread.
        cleaner: bleach.Cleaner | None = getattr(self._local, "cleaner", None)
        if cleaner is None:
            cleaner = bleach.Cleaner(
                tags=self.policy.tags,
                attributes=self.policy.allows_attribute,
                protocols=self.policy.protocols,
                strip=True,
                strip_comments=True,
            )
            self._local.cleaner = cleaner
        return cleaner

    def clean(self, html: str) -> str:
        """Enforce the policy on HTML with bleach alone (the second, independent layer)."""
        return self._cleaner().clean(html)

    def render(self, text: str) -> Markup:
        """Markdown → policy-shaped HTML → bleach-enforced HTML."""
        html = self._markdown.render(_require_str(text))
        # Safe by construction: bleach has just enforced the policy on it.
        return Markup(self.clean(html))  # noqa: S704

    def text(self, text: str) -> str:
        """Markdown (and any raw HTML in it) → one line of plain text."""
        extractor = _TextExtractor()
        extractor.feed(self._text_markdown.render(_require_str(text)))
        extractor.close()
        return extractor.text()


def _require_str(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected Markdown text (str), not {type(text).__name__}")
    return text


def _markdown_parser(policy: SanitizerPolicy, *, html: bool) -> MarkdownIt:
    options = {"html": html, "linkify": False, "typographer": False}
    parser = MarkdownIt("commonmark", options)
    parser.core.ruler.push("widget_policy", functools.partial(_apply_policy, policy))
    return parser


def _apply_policy(policy: SanitizerPolicy, state: StateCore) -> None:
    """Core rule: shape the token stream to the policy before it is rendered."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = policy.heading_tag(int(token.tag[1:]))
        elif token.type == "fence":
            token.info = ""
        elif token.type == "inline" and token.children:
            token.children = list(_shape_inline(token.children, policy))


def _shape_inline(tokens: Iterable[Token], policy: SanitizerPolicy) -> Iterator[Token]:
    """Unwrap disallowed links, add rel to the others, replace images by alt text."""
    kept: list[bool] = []  # one entry per open link: was it kept?
    for token in tokens:
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            keep = policy.allows_url(href)
            kept.append(keep)
            if keep:
                token.attrs = {"href": href, "rel": policy.link_rel}
                yield token
        elif token.type == "link_close":
            if kept.pop() if kept else False:
                yield token
        elif token.type == "image":
            yield Token("text", "", 0, content=_alt_text(token.children or []))
        else:
            yield token


def _alt_text(tokens: Iterable[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_alt_text(token.children or []))
    return "".join(parts)


class _TextExtractor(HTMLParser):
    """Collects the text a reader would see; block boundaries become spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag not in _INLINE_TAGS:
            self._parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE_TAGS:
            self._parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag not in _INLINE_TAGS:
            self._parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append(data)

    def text(self) -> str:
        """The collected text: whitespace collapsed, control characters removed."""
        visible = "".join(
            ch for ch in "".join(self._parts) if unicodedata.category(ch) != "Cc" or ch.isspace()
        )
        return " ".join(visible.split())


_DEFAULT = _Sanitizer(DEFAULT_POLICY)


@functools.lru_cache(maxsize=CACHE_SIZE)
def render_markdown(text: str) -> Markup:
    """Sanitized HTML for a Markdown body, under ``DEFAULT_POLICY`` (cached per text)."""
    return _DEFAULT.render(text)


@functools.lru_cache(maxsize=CACHE_SIZE)
def plain_text(text: str) -> str:
    """Markdown or HTML reduced to one line of plain text; the caller must still escape it."""
    return _DEFAULT.text(text)


def jinja_filters() -> dict[str, Callable[[str], Markup]]:
    """Filters for the Jinja environment: ``{{ text.body | markdown }}``."""
    return {"markdown": render_markdown}
