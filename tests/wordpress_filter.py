"""WordPress's oEmbed consumer filter (``wp_filter_oembed_result``), modelled in Python.

WordPress does not trust an oEmbed provider's ``html``. Since 4.4 it:

1. runs ``wp_kses`` with an allowlist: ``a[href]``, ``blockquote`` (no attributes) and
   ``iframe[src width height frameborder marginwidth marginheight scrolling title]``; other
   tags are dropped (their text stays), other attributes removed, bad URL protocols cut;
2. keeps only ``(<blockquote>.*?</blockquote>)?.*(<iframe.*?></iframe>)`` — the first
   blockquote and an iframe — and gives up on the embed when there is no iframe;
3. appends ``#?secret=S`` to the iframe's ``src`` and adds ``data-secret``;
4. when a blockquote was kept, hides the iframe (``style``) and puts
   ``class="wp-embedded-content"`` back on the blockquote;
5. adds ``class="wp-embedded-content" sandbox="allow-scripts" security="restricted"`` to
   the iframe.

``filter_oembed_result`` returns what WordPress would put in the post; ``survives`` says
whether a provider's html comes out of it unchanged apart from WordPress's own additions.
"""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser

ALLOWED: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "blockquote": frozenset(),
    "iframe": frozenset(
        {
            "src",
            "width",
            "height",
            "frameborder",
            "marginwidth",
            "marginheight",
            "scrolling",
            "title",
        }
    ),
}
# wp_allowed_protocols(): a URL attribute with another scheme loses the scheme.
_PROTOCOLS = frozenset(
    {
        "http",
        "https",
        "ftp",
        "ftps",
        "mailto",
        "news",
        "irc",
        "irc6",
        "ircs",
        "gopher",
        "nntp",
        "feed",
        "telnet",
        "mms",
        "rtsp",
        "sms",
        "svn",
        "tel",
        "fax",
        "xmpp",
        "webcal",
        "urn",
    }
)
_URL_ATTRIBUTES = frozenset({"href", "src"})
_EXTRACT = re.compile(r"(<blockquote>.*?</blockquote>)?.*(<iframe.*?></iframe>)", re.S | re.M)
_SRC = re.compile(r""" src=(['"])(.*?)\1""")
# What WordPress itself adds, removed again before comparing with the provider's html.
WORDPRESS_ADDITIONS = frozenset({"data-secret", "style", "sandbox", "security"})


def _clean_url(value: str) -> str:
    scheme, colon, rest = value.partition(":")
    if colon and "/" not in scheme and scheme.strip().lower() not in _PROTOCOLS:
        return _clean_url(rest)
    return value


class _Kses(HTMLParser):
    def __init__(self, allowed: dict[str, frozenset[str]]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed:
            return
        kept = []
        for name, value in attrs:
            if name in self.allowed[tag]:
                text = value or ""
                if name in _URL_ATTRIBUTES:
                    text = _clean_url(text)
                kept.append(f' {name}="{html_module.escape(text)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.allowed:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html_module.escape(data, quote=False))


def kses(markup: str, allowed: dict[str, frozenset[str]] = ALLOWED) -> str:
    """``wp_kses``: only allowed tags and attributes survive; text is kept."""
    parser = _Kses(allowed)
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def filter_oembed_result(markup: str, secret: str = "S3cr3tS3cr") -> str | None:
    """The html WordPress puts in the post for a ``rich`` response, or None (no iframe)."""
    cleaned = kses(markup)
    found = _EXTRACT.search(cleaned)
    if found is None or not found.group(2):
        return None
    blockquote = found.group(1) or ""
    result = blockquote + found.group(2)
    src = _SRC.search(result)
    if src is not None:
        quote, url = src.group(1), src.group(2)
        replacement = (
            f" src={quote}{url}#?secret={secret}{quote} data-secret={quote}{secret}{quote}"
        )
        result = result.replace(src.group(0), replacement)
    with_secret = {tag: names | {"data-secret"} for tag, names in ALLOWED.items()}
    result = kses(result, with_secret)
    if blockquote:
        hidden = '<iframe style="position: absolute; visibility: hidden;"'
        result = result.replace("<iframe", hidden)
        result = result.replace("<blockquote", '<blockquote class="wp-embedded-content"')
    sandboxed = '<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted"'
    return result.replace("<iframe", sandboxed)


Node = tuple[str, ...]


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[Node] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        flat = sorted(f"{name}={value or ''}" for name, value in attrs)
        self.nodes.append(("start", tag, *flat))

    def handle_endtag(self, tag: str) -> None:
        self.nodes.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.nodes.append(("text", " ".join(data.split())))

    def handle_comment(self, data: str) -> None:
        self.nodes.append(("comment", data))


def structure(markup: str) -> list[Node]:
    """Tags (with sorted attributes), end tags and non-blank text, in document order."""
    parser = _Structure()
    parser.feed(markup)
    parser.close()
    return parser.nodes


def without_wordpress_additions(markup: str, secret: str = "S3cr3tS3cr") -> list[Node]:
    """The structure of WordPress's output with what WordPress itself adds taken out."""
    nodes = []
    for node in structure(markup):
        if node[0] == "start" and node[1] == "iframe":
            attributes = [
                item.replace(f"#?secret={secret}", "")
                for item in node[2:]
                if item.split("=", 1)[0] not in WORDPRESS_ADDITIONS
                and item != "class=wp-embedded-content"
            ]
            node = ("start", "iframe", *attributes)
        nodes.append(node)
    return nodes


def survives(markup: str) -> bool:
    """True when WordPress's filter keeps ``markup`` whole (besides its own additions)."""
    filtered = filter_oembed_result(markup)
    return filtered is not None and without_wordpress_additions(filtered) == structure(markup)
