"""Tests for widget.sanitizer (Markdown → safe HTML, plain text) and the XSS checker it uses.

The second half tests ``tests/xss.py`` itself: a checker that misses a class of problem
would make every XSS test that relies on it worthless.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeAlias

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment
from markupsafe import Markup, escape

from widget import sanitizer
from widget.sanitizer import (
    DEFAULT_POLICY,
    SanitizerPolicy,
    jinja_filters,
    plain_text,
    render_markdown,
)

from xss import (
    assert_no_foreign_markup,
    csp_hash,
    decode_payload,
    find_foreign_markup,
    load_payloads,
)

PAYLOADS = load_payloads()
REL = "nofollow noopener noreferrer"
LINK = {"rel": REL}

# ---------------------------------------------------------------------------------------------
# A small tree builder, so tests compare structure rather than strings.

Node: TypeAlias = "str | tuple[str, dict[str, str], list[Node]]"
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col"})


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[Node] = []
        self.stack: list[list[Node]] = [self.root]
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        children: list[Node] = []
        self.stack[-1].append((tag, {k: v or "" for k, v in attrs}, children))
        if tag not in _VOID:
            self.stack.append(children)
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        siblings = self.stack[-1]
        if siblings and isinstance(siblings[-1], str):
            siblings[-1] += data
        else:
            siblings.append(data)


def tree(html: str) -> list[Node]:
    """Parse ``html`` into nested ``(tag, attrs, children)``; line breaks between blocks dropped."""
    builder = _TreeBuilder()
    builder.feed(str(html))  # str(): slices of Markup would stay Markup
    builder.close()

    def prune(nodes: list[Node]) -> list[Node]:
        kept: list[Node] = []
        for node in nodes:
            if isinstance(node, str):
                if node.strip() or "\n" not in node:
                    kept.append(node)
            else:
                kept.append((node[0], node[1], prune(node[2])))
        return kept

    return prune(builder.root)


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every element of ``html`` in document order, as ``(tag, attrs)``."""
    found: list[tuple[str, dict[str, str]]] = []

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if not isinstance(node, str):
                found.append((node[0], node[1]))
                walk(node[2])

    walk(tree(html))
    return found


def text_of(html: str) -> str:
    """All text of ``html`` (entities decoded), concatenated."""
    parts: list[str] = []

    def walk(nodes: list[Node]) -> None:
        for node in nodes:
            if isinstance(node, str):
                parts.append(node)
            else:
                walk(node[2])

    walk(tree(html))
    return "".join(parts)


def assert_within_policy(html: str) -> None:
    """Fail unless every element and attribute of ``html`` is allowed by the default policy."""
    for tag, attrs in elements(html):
        assert tag in DEFAULT_POLICY.tags, f"tag <{tag}> in {html!r}"
        for name, value in attrs.items():
            assert DEFAULT_POLICY.allows_attribute(tag, name, value), f"<{tag} {name}={value!r}>"


# ---------------------------------------------------------------------------------------------
# render_markdown


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"payload{n}" for n in range(len(PAYLOADS))])
def test_payload_renders_without_foreign_markup(payload: str) -> None:
    """Every corpus payload renders to HTML with no script, handler, bad URL or foreign tag."""
    html = render_markdown(payload)
    assert_no_foreign_markup(html)
    assert_within_policy(html)
    for tag, attrs in elements(html):
        assert tag != "script"
        assert not any(name.startswith("on") for name in attrs)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("plain", [("p", {}, ["plain"])]),
        (
            "*em* **strong** `code`",
            [
                (
                    "p",
                    {},
                    [
                        ("em", {}, ["em"]),
                        " ",
                        ("strong", {}, ["strong"]),
                        " ",
                        ("code", {}, ["code"]),
                    ],
                )
            ],
        ),
        ("a  \nb", [("p", {}, ["a", ("br", {}, []), "\nb"])]),
        ("- one\n- two", [("ul", {}, [("li", {}, ["one"]), ("li", {}, ["two"])])]),
        ("1. one\n2. two", [("ol", {}, [("li", {}, ["one"]), ("li", {}, ["two"])])]),
        # An ordered list keeps the number it starts at.
        (
            "3. three\n4. four",
            [("ol", {"start": "3"}, [("li", {}, ["three"]), ("li", {}, ["four"])])],
        ),
        ("> quoted", [("blockquote", {}, [("p", {}, ["quoted"])])]),
        ("```\nx < y\n```", [("pre", {}, [("code", {}, ["x < y\n"])])]),
        # The fence's language would become class="language-py": dropped.
        ("```py\nx\n```", [("pre", {}, [("code", {}, ["x\n"])])]),
        ("    indented", [("pre", {}, [("code", {}, ["indented\n"])])]),
        ("a\n\n---\n\nb", [("p", {}, ["a"]), ("hr", {}, []), ("p", {}, ["b"])]),
        (
            "[PauseAI](https://pauseai.info/)",
            [("p", {}, [("a", {"href": "https://pauseai.info/", **LINK}, ["PauseAI"])])],
        ),
        # A link title would become a title attribute: dropped.
        (
            '[t](https://pauseai.info "title")',
            [("p", {}, [("a", {"href": "https://pauseai.info", **LINK}, ["t"])])],
        ),
        (
            "<https://pauseai.info>",
            [
                (
                    "p",
                    {},
                    [("a", {"href": "https://pauseai.info", **LINK}, ["https://pauseai.info"])],
                )
            ],
        ),
        ("Hi & <bye>", [("p", {}, ["Hi & <bye>"])]),
        ("", []),
    ],
)
def test_markdown_renders_expected_structure(markdown: str, expected: list[Node]) -> None:
    """Allowed Markdown renders to exactly the expected elements, attributes and text."""
    assert tree(render_markdown(markdown)) == expected


@pytest.mark.parametrize(
    ("markdown", "tag"),
    [
        ("# one", "h3"),
        ("## two", "h3"),
        ("### three", "h4"),
        ("#### four", "h4"),
        ("###### six", "h4"),
        ("Setext one\n===", "h3"),
        ("Setext two\n---", "h3"),
    ],
)
def test_headings_never_outrank_the_widget(markdown: str, tag: str) -> None:
    """Body headings become h3 (levels 1-2) or h4 (levels 3-6), below the widget's h1/h2."""
    assert elements(render_markdown(markdown)) == [(tag, {})]


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](https://example.org/path?q=1#frag)",
        "[x](http://example.org)",
        "[x](HTTPS://EXAMPLE.ORG/)",  # scheme case does not matter
        "[x](mailto:info@pauseai.info)",
        "<info@pauseai.info>",  # email autolink becomes mailto:
        "[x][ref]\n\n[ref]: https://example.org/ref",  # reference link
        "[x](https://exämple.org/)",  # IDN host, punycoded by markdown-it
        "[x](<https://example.org/a b>)",  # a space, percent-encoded by markdown-it
    ],
)
def test_allowed_links_keep_href_and_get_rel(markdown: str) -> None:
    """http, https and mailto links keep their href, get rel=nofollow… and open in place."""
    links = [attrs for tag, attrs in elements(render_markdown(markdown)) if tag == "a"]
    assert len(links) == 1
    assert set(links[0]) == {"href", "rel"}
    assert links[0]["rel"] == REL
    assert links[0]["href"].lower().startswith(("http://", "https://", "mailto:"))


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](/relative/path)",  # relative: would resolve against our host or the embedder's
        "[x](relative)",
        "[x](#fragment)",
        "[x](//xss.example/)",  # protocol-relative
        "[x](data:image/png;base64,iVBORw0KGgo=)",  # markdown-it allows data:image links
        "[x](data:text/html,x)",
        "[x](ftp://example.org/)",
        "[x](https://user:pass@example.org/)",  # credentials: a phishing classic
        "[x](tel:+31201234567)",
        "[x](http:example.org)",  # no host
        "[x](mailto:)",
    ],
)
def test_disallowed_links_keep_text_but_lose_href(markdown: str) -> None:
    """A link outside the policy is unwrapped: its text stays, no element carries an href."""
    html = render_markdown(markdown)
    assert [tag for tag, _ in elements(html)] == ["p"]
    assert "x" in text_of(html)


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("![A protest sign](https://example.org/sign.png)", "A protest sign"),
        ("![with *emphasis* and `code`](https://example.org/a.png)", "with emphasis and code"),
        ("![](https://example.org/a.png)", ""),
        ('![x" onerror="alert(1)](https://example.org/a.png)', 'x" onerror="alert(1)'),
        ("[![alt](https://example.org/a.png)](https://example.org/)", "alt"),
    ],
)
def test_images_become_their_alt_text(markdown: str, text: str) -> None:
    """Images are never loaded (first-party only): each is replaced by its alt text."""
    html = render_markdown(markdown)
    assert all(tag != "img" for tag, _ in elements(html))
    assert text_of(html) == text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("<b>bold</b>", "<b>bold</b>"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("<div>\nblock\n</div>", "<div>\nblock\n</div>"),
        ("<!-- comment -->", "<!-- comment -->"),
        ('<a href="https://example.org">x</a>', '<a href="https://example.org">x</a>'),
    ],
)
def test_raw_html_is_escaped_not_passed(markdown: str, text: str) -> None:
    """Raw HTML in a body is shown as text: it produces no element besides the paragraph."""
    html = render_markdown(markdown)
    assert [tag for tag, _ in elements(html)] == ["p"]
    assert text_of(html) == text


def test_render_returns_markup_that_jinja_does_not_escape_again() -> None:
    """The markdown filter yields Markup; inline fields in the same template stay escaped."""
    env = Environment(autoescape=True)
    env.filters.update(jinja_filters())
    template = env.from_string("<h1>{{ title }}</h1><div>{{ body | markdown }}</div>")
    html = template.render(title="<b>T</b>", body="*hi*")
    assert isinstance(render_markdown("*hi*"), Markup)
    assert tree(html) == [("h1", {}, ["<b>T</b>"]), ("div", {}, [("p", {}, [("em", {}, ["hi"])])])]


def test_render_is_thread_safe() -> None:
    """Threads rendering at once (bleach's cleaner keeps parser state) get the same results."""
    texts = [f"*{n}* [link {n}](https://example.org/{n})\n\n- item {n}" for n in range(64)]
    expected = [sanitizer._DEFAULT.render(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(5):
            assert list(pool.map(sanitizer._DEFAULT.render, texts)) == expected


def test_render_rejects_non_text() -> None:
    """Passing something other than a str is a TypeError, not a silent str() conversion."""
    with pytest.raises(TypeError, match="expected Markdown text"):
        render_markdown(b"bytes")


def test_render_cache_is_bounded_and_reused() -> None:
    """Rendering is cached per text, in an LRU cache that never holds more than 1024 entries."""
    render_markdown.cache_clear()
    first = render_markdown("cached *body*")
    assert render_markdown("cached *body*") is first
    for n in range(1100):
        render_markdown(f"body {n}")
    info = render_markdown.cache_info()
    assert info.maxsize == 1024
    assert info.currsize == 1024
    assert plain_text.cache_info().maxsize == 1024


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)" onclick="alert(1)" title="t">x</a>',
        '<a href="https://example.org" rel="opener" target="_top">x</a>',  # rel/target forced
        '<img src="https://example.org/a.png" onerror="alert(1)">',
        '<h1 id="x" class="y">h</h1><h5>h</h5>',
        '<p style="color:red">x</p><script>alert(1)</script><iframe src="https://a.b"></iframe>',
        '<ol start="1;alert(1)"><li>x</li></ol>',
        '<a href="/relative">x</a><a href="https://u:p@example.org">y</a>',
    ],
)
def test_bleach_layer_alone_enforces_the_policy(html: str) -> None:
    """Even on HTML that bypassed Markdown, the bleach layer leaves only policy markup."""
    cleaned = sanitizer._DEFAULT.clean(html)
    assert_within_policy(cleaned)
    assert_no_foreign_markup(cleaned)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://pauseai.info/", True),
        ("http://pauseai.info", True),
        ("mailto:info@pauseai.info", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" https://pauseai.info", False),  # leading blank: browsers strip it, we refuse it
        ("java\tscript:alert(1)", False),  # tab inside the scheme: browsers remove it
        ("https://pauseai.info/\u2028", False),  # line separator
        ("https://pauseai.info/\u200b", False),  # zero-width space
        ("vbscript:msgbox(1)", False),
        ("data:text/html,x", False),
        ("//pauseai.info/", False),  # protocol-relative
        ("/path", False),
        ("https://", False),  # no host
        ("https://user@pauseai.info", False),  # credentials
        ("https://[::1", False),  # unparseable
        ("https://pauseai.info:99999/", False),  # invalid port
        ("https://pauseai.info/" + "a" * 2048, False),  # too long
        ("mailto:", False),
        ("", False),
    ],
)
def test_policy_allows_only_absolute_http_and_mailto_urls(url: str, allowed: bool) -> None:
    """The link policy accepts absolute http(s) and mailto URLs and nothing disguised."""
    assert DEFAULT_POLICY.allows_url(url) is allowed


def test_policy_rejects_heading_levels_it_would_strip() -> None:
    """A policy whose heading range is not in its allowed tags is refused at construction."""
    with pytest.raises(ValueError, match="heading tags"):
        SanitizerPolicy(heading_levels=(2, 4))
    with pytest.raises(ValueError, match="heading_levels"):
        SanitizerPolicy(heading_levels=(4, 3))


_FRAGMENTS = [
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "!",
    "*",
    "_",
    "`",
    "```",
    "#",
    "\n",
    "\n\n",
    "    ",
    "> ",
    "- ",
    "1. ",
    "&",
    "&#",
    ";",
    "&lt;",
    "&#x6A;",
    "javascript:",
    "data:",
    "http://a.b",
    "https://x.y/",
    "mailto:a@b.c",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    '"',
    "'",
    " onload=",
    "=",
    "\\",
    "\t",
    "\x00",
    "\u2028",
    "<!--",
    "-->",
    "<svg",
    "style=",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=8), max_size=30).map("".join))
def test_any_text_renders_within_policy(text: str) -> None:
    """For arbitrary text, the rendered HTML holds only allowed tags, attributes and URLs."""
    html = render_markdown(text)
    assert_within_policy(html)
    assert_no_foreign_markup(html)


# ---------------------------------------------------------------------------------------------
# plain_text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Join **us** in *The Hague*.", "Join us in The Hague."),
        ("# Title\n\nFirst.\n\n- one\n- two", "Title First. one two"),
        ("[Sign up](https://example.org) now", "Sign up now"),
        ("![A sign](https://example.org/a.png)", "A sign"),
        ("<b>bold</b> text", "bold text"),  # raw HTML tags go, their text stays
        ("<script>alert(1)</script>Hi", "Hi"),  # script and style content is not text
        ("<style>p{}</style>Hi", "Hi"),
        ("`x < y` &amp; z", "x < y & z"),  # entities decoded: the caller escapes
        ("line\nbreak\u2028and\u2029more", "line break and more"),
        ("a\x00b\x07c", "a\ufffdbc"),  # markdown-it replaces NUL; other controls go
        ("   ", ""),
    ],
)
def test_plain_text_strips_markup(markdown: str, text: str) -> None:
    """plain_text keeps only the words a reader sees, on one line, without markup."""
    assert plain_text(markdown) == text


def test_plain_text_of_every_payload_is_one_clean_line() -> None:
    """For every corpus payload, plain_text yields one line without control characters."""
    for payload in PAYLOADS:
        text = plain_text(payload)
        assert text == " ".join(text.split()), payload
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text), payload


# ---------------------------------------------------------------------------------------------
# The corpus and its loader (tests/xss.py)


def test_corpus_is_large_and_distinct() -> None:
    """The corpus holds at least 150 payloads, no two the same after decoding."""
    assert len(PAYLOADS) >= 150
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_corpus_covers_every_required_class() -> None:
    """The corpus has payloads for each attack class the brief names."""
    needles = [
        "<noscript>",
        "<svg",
        "<math",
        "javascript:",
        "&#x09;",
        "JaVaScRiPt",
        "srcdoc",
        "formaction",
        "<base",
        "http-equiv",
        '"><script>',
        "{{7*7}}",
        "${alert(1)}",
        "[x](javascript:alert(1))",
        "[x](  javascript:alert(1))",
        "<javascript:alert(1)>",
        "[r]: javascript:",
        "</script>",
        "</style>",
        "\u2028",
        "expression(",
        "data:text/html",
        "vbscript:",
        "\\u0061",
        "<textarea>",
        "<title>",
    ]
    missing = [n for n in needles if not any(n in payload for payload in PAYLOADS)]
    assert missing == []


@pytest.mark.parametrize(
    ("line", "payload"),
    [
        (r"a\nb", "a\nb"),
        (r"a\tb\rc", "a\tb\rc"),
        (r"\\n", "\\n"),  # an escaped backslash, then a plain n
        (r"\u0023 heading", "# heading"),
        (r"\u0000", "\x00"),
        (r"\U0001F600", "\U0001f600"),
        (r"\65 xpression", r"\65 xpression"),  # any other backslash is literal
        (r"\x3c", r"\x3c"),
        (r"\u12", r"\u12"),  # too few hex digits: literal
    ],
)
def test_decode_payload_escapes(line: str, payload: str) -> None:
    """Corpus lines decode \\n, \\r, \\t, \\\\, \\uXXXX and \\UXXXXXXXX and nothing else."""
    assert decode_payload(line) == payload


def test_load_payloads_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    """Lines starting with # and empty lines are not payloads; leading blanks are kept."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("# comment\n\n<b>\n    indented\n\\u0023 not a comment\r\n", "utf-8")
    assert load_payloads(corpus) == ["<b>", "    indented", "# not a comment"]


# ---------------------------------------------------------------------------------------------
# The checker (tests/xss.py): each class of problem is caught


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        # foreign scripts
        ("<script>alert(1)</script>", "script"),
        ("<SCRIPT>alert(1)</SCRIPT>", "script"),
        ('<script src="https://xss.example/x.js"></script>', "script"),
        ('<script type="module">alert(1)</script>', "script"),
        ('<script type="text/template"><b>x</b></script>', "script"),
        ("<svg><script>alert(1)</script></svg>", "script"),
        ('<script src="/static/app.js">alert(1)</script>', "script"),  # src plus inline text
        ('<script type="application/ld+json">{not json}</script>', "script"),
        ('<script type="application/ld+json">{"a": "<b>"}</script>', "script"),  # raw <
        ("<style>body{}</style>", "style"),
        # event handlers
        ("<img src=x onerror=alert(1)>", "handler"),
        ("<svg/onload=alert(1)>", "handler"),
        ("<div OnClick='alert(1)'>x</div>", "handler"),
        ("<img src=x\x0conerror=alert(1)>", "handler"),  # form feed separates attributes
        ("<svg><set attributeName=onclick to=alert(1)>", "handler"),
        # script and data URLs
        ('<a href="javascript:alert(1)">x</a>', "url"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "url"),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', "url"),  # entity-encoded tab
        ('<a href="&#x6A;avascript:alert(1)">x</a>', "url"),
        ('<a href="javascript&colon;alert(1)">x</a>', "url"),
        ('<a href=" \x01javascript:alert(1)">x</a>', "url"),  # leading blank and control
        ('<a href="java\u200bscript:alert(1)">x</a>', "url"),  # zero-width space
        ('<a href="vbscript:msgbox(1)">x</a>', "url"),
        ('<a href="data:text/html,x">x</a>', "url"),
        ('<img src="data:image/png;base64,AAAA">', "url"),
        ('<form action="/" ><button formaction="javascript:alert(1)">x</button></form>', "url"),
        ('<svg><a xlink:href="javascript:alert(1)">x</a></svg>', "url"),
        ("<svg><animate attributeName=href values=javascript:alert(1)>", "url"),
        ('<img srcset="a.png 1x, javascript:alert(1) 2x">', "url"),
        ('<iframe srcdoc="<b>x</b>" src="/embed/x"></iframe>', "url"),
        # embedding and navigation elements
        ('<iframe src="https://xss.example/"></iframe>', "element"),
        ('<object data="https://xss.example/x.swf"></object>', "element"),
        ('<embed src="https://xss.example/x.swf">', "element"),
        ('<form action="https://xss.example/"></form>', "element"),
        ('<base href="https://xss.example/">', "element"),
        ('<meta http-equiv="refresh" content="0;url=https://xss.example/">', "element"),
        ('<meta charset="x-imap4-modified-utf7">', "element"),
        ('<link rel="import" href="/x.html">', "element"),
        ("<applet code=x></applet>", "element"),
        # CSS that runs code or fetches
        ('<div style="width: expression(alert(1))">x</div>', "css"),
        ('<div style="width: \\65 xpression(alert(1))">x</div>', "css"),  # CSS escape
        ('<div style="width: expr/**/ession(alert(1))">x</div>', "css"),  # CSS comment
        ('<div style="background: url(https://xss.example/)">x</div>', "css"),
        ('<div style="-moz-binding: url(x.xml#x)">x</div>', "css"),
        # markup html.parser and browsers read differently
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', "mxss"),
        ('<textarea><b title="</textarea><img src=x>"></textarea>', "mxss"),
        ("<!--><img src=x onerror=alert(1)>-->", "mxss"),
        ("<!-- --!><img src=x onerror=alert(1)> -->", "mxss"),
        ("<!--[if IE]><b>x</b><![endif]-->", "mxss"),
        ("<![CDATA[><img src=x onerror=alert(1)>]]>", "mxss"),
        ("<?xml ?>", "mxss"),
        ('<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN">', "mxss"),  # not our doctype
        ("<script>a</script/><img src=x onerror=alert(1)>", "mxss"),  # end tag html.parser misses
        ("<a\x00 onclick=alert(1)>x</a>", "mxss"),  # a tag html.parser reads as text
        ("<img src=x onerror=alert(1)", "mxss"),  # unterminated tag
        ("<style>x</style/><img src=x>", "mxss"),
    ],
)
def test_checker_catches_each_class(html: str, kind: str) -> None:
    """The checker reports the expected kind of problem for each hostile construct."""
    kinds = {problem.kind for problem in find_foreign_markup(html, allowed_form_actions={"/"})}
    assert kind in kinds
    with pytest.raises(AssertionError, match="foreign markup"):
        assert_no_foreign_markup(html, allowed_form_actions={"/"})


INLINE_SCRIPT = "document.documentElement.classList.add('js');"
INLINE_STYLE = ":root{color-scheme:light dark}"


def _page(body: str = "", json_ld: object = None) -> str:
    """A page shaped like ours: allowed assets, hashed inline blocks, one iframe and one form."""
    data = json.dumps(json_ld or {"@type": "Event"}).replace("<", "\\u003c")
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width">'
        f'<meta property="og:description" content="{escape(body)}">'
        f"<title>{escape(body)}</title>"
        '<link rel="stylesheet" href="/static/widget.abc123.css">'
        f"<style>{INLINE_STYLE}</style>"
        f'<script type="application/ld+json">{data}</script>'
        '<script src="/static/widget.abc123.js" defer></script>'
        f"<script>{INLINE_SCRIPT}</script></head><body>"
        '<svg aria-hidden="true" viewBox="0 0 1 1"><path d="M0 0h1v1z"/></svg>'
        f'<h1 title="{escape(body)}">{escape(body)}</h1>'
        f'<a href="/go/x/{escape(body)}" target="_blank" rel="noopener">{escape(body)}</a>'
        '<iframe src="/embed/next" title="widget"></iframe>'
        f'<form action="/"><input name="q" value="{escape(body)}"></form>'
        "<!-- pauseai-widget -->"
        "</body></html>"
    )


_ALLOWED = {
    "allowed_script_srcs": {"/static/widget.abc123.js"},
    "allowed_inline_hashes": {csp_hash(INLINE_SCRIPT), f"'{csp_hash(INLINE_STYLE)}'"},
    "allowed_frame_srcs": {"/embed/next"},
    "allowed_form_actions": {"/"},
}


def test_checker_accepts_our_own_page() -> None:
    """A page with only allowed scripts, hashed inline blocks, JSON-LD and frames passes."""
    assert find_foreign_markup(_page("PauseAI"), **_ALLOWED) == []


def test_checker_accepts_every_payload_once_escaped() -> None:
    """Escaped into text, attributes and JSON-LD, no corpus payload trips the checker."""
    failures = {}
    for payload in PAYLOADS:
        problems = find_foreign_markup(_page(payload, {"name": payload}), **_ALLOWED)
        if problems:
            failures[payload] = [str(p) for p in problems]
    assert failures == {}


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        # an inline script whose text differs from the hashed one
        ((INLINE_SCRIPT, INLINE_SCRIPT + "alert(1)"), "script"),
        ((INLINE_STYLE, INLINE_STYLE + "p{}"), "style"),
        (("/static/widget.abc123.js", "/static/other.js"), "script"),
        (('src="/embed/next"', 'src="/embed/other"'), "element"),
        (('action="/"', 'action="/other"'), "element"),
        # JSON-LD with a raw "<": the start of every </script> breakout
        (('{"@type": "Event"}', '{"@type": "</b>"}'), "script"),
    ],
)
def test_checker_allow_lists_are_exact(change: tuple[str, str], kind: str) -> None:
    """Anything not exactly on an allow list (src, hash, frame, form) is reported."""
    old, new = change
    page = _page("PauseAI")
    assert old in page
    kinds = {p.kind for p in find_foreign_markup(page.replace(old, new), **_ALLOWED)}
    assert kind in kinds


def test_checker_never_allows_meta_refresh() -> None:
    """meta http-equiv=refresh is reported even when the caller lists it as allowed."""
    html = '<meta http-equiv="Refresh" content="5">'
    assert find_foreign_markup(html, allowed_http_equiv={"content-language"}) != []
    assert find_foreign_markup(html, allowed_http_equiv={"refresh"}) != []
    assert (
        find_foreign_markup(
            '<meta http-equiv="Content-Language" content="nl">',
            allowed_http_equiv={"content-language"},
        )
        == []
    )


def test_assert_no_foreign_markup_lists_every_problem() -> None:
    """The assertion message names each problem found, not just the first."""
    with pytest.raises(AssertionError) as caught:
        assert_no_foreign_markup('<img src=x onerror=alert(1)><a href="javascript:x">y</a>')
    message = str(caught.value)
    assert "handler:" in message
    assert "url:" in message
