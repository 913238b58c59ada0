"""The XSS corpus and a strict checker for markup we did not write.

``load_payloads()`` reads ``tests/data/xss_payloads.txt`` (format in that file's header).

``find_foreign_markup(html, ...)`` parses a page or fragment with the standard library's
``html.parser`` and lists every ``Problem``; ``assert_no_foreign_markup`` fails with all of
them. What counts as foreign:

- a ``<script>`` that is not ours: its ``src`` is not in ``allowed_script_srcs`` and its
  inline content's sha256 is not in ``allowed_inline_hashes``. JSON data blocks
  (``application/ld+json``, ``application/json``) are allowed when they parse as JSON and
  hold no raw ``<`` (serialize ``<`` as ``\\u003c``: that is what stops ``</script>`` and
  ``<!--`` breakouts). The same hash rule holds for inline ``<style>``;
- any ``on*`` attribute, on any element;
- a ``javascript:``, ``vbscript:`` or ``data:`` URL in a URL attribute (``href``, ``src``,
  ``action``, ``formaction``, ``data``, ``xlink:href``, ``srcset``, SVG ``to``/``values``...)
  after entity decoding and removal of whitespace and control characters; ``srcdoc`` at all;
- an ``iframe``/``frame``/``object``/``embed``/``portal`` whose URL is not in
  ``allowed_frame_srcs``; a ``form`` (or ``formaction``) whose action is not in
  ``allowed_form_actions``; a ``<meta http-equiv>`` not in ``allowed_http_equiv``
  (``refresh`` never); ``<base>``, ``<applet>``, ``<frameset>``, ``<isindex>`` always;
- CSS that runs code or fetches (``expression(``, ``url(``, ``behavior``, ``-moz-binding``,
  ``@import``, ``javascript:``) in a ``style`` attribute, after CSS unescaping;
- markup that ``html.parser`` and a browser could read differently (mutation XSS): a raw
  ``<`` inside a start tag, comment, declaration or processing instruction; a script or
  style whose text contains its own end tag or ``<!--``; a tag opening ``<x`` that the
  parser did not report as an element; a script or style left open at the end.

The checker is deliberately stricter than a browser: our templates escape every ``<`` in
text and attributes, so none of these rules fires on well-escaped output.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

PAYLOADS_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"

_ESCAPE = re.compile(r"\\(?:([nrt\\])|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}


def decode_payload(line: str) -> str:
    """Decode one corpus line: \\n \\r \\t \\\\ \\uXXXX \\UXXXXXXXX; other backslashes stay."""

    def replace(match: re.Match[str]) -> str:
        simple, short, long = match.groups()
        if simple:
            return _SIMPLE_ESCAPES[simple]
        return chr(int(short or long, 16))

    return _ESCAPE.sub(replace, line)


def load_payloads(path: Path = PAYLOADS_FILE) -> list[str]:
    """Every payload of the corpus, decoded, in file order (comments and blanks skipped)."""
    payloads = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.removesuffix("\r")
        if line and not line.startswith("#"):
            payloads.append(decode_payload(line))
    return payloads


@dataclass(frozen=True)
class Problem:
    """One piece of foreign markup: its kind (a short fixed word) and what was found."""

    kind: str  # script, style, handler, url, element, css, mxss
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def csp_hash(content: str) -> str:
    """The CSP source for an inline block: ``sha256-`` and the base64 of its UTF-8 digest."""
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


# Attributes whose value is (or contains) a URL the browser may load or navigate to.
_URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "xlink:href",
        "xml:base",
        "poster",
        "background",
        "lowsrc",
        "dynsrc",
        "ping",
        "cite",
        "longdesc",
        "codebase",
        "archive",
        "classid",
        "code",
        "icon",
        "manifest",
        "profile",
        "usemap",
        "itemtype",
        "srcset",
        "imagesrcset",
        "to",
        "from",
        "by",
        "values",
    }
)
_LIST_ATTRIBUTES = {"srcset": ",", "imagesrcset": ",", "values": ";", "ping": " ", "archive": " "}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
# Removed before looking at a URL's scheme: whitespace, C0/C1 controls, zero-width and
# bidi marks, BOM. Browsers drop fewer; removing more only makes the check stricter.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]")
_FRAMES = {"iframe": "src", "frame": "src", "embed": "src", "portal": "src", "object": "data"}
_ALWAYS_FORBIDDEN = frozenset({"base", "applet", "frameset", "isindex"})
_JS_TYPES = frozenset(
    {
        "",
        "module",
        "text/javascript",
        "application/javascript",
        "text/ecmascript",
        "application/ecmascript",
        "text/jscript",
        "text/livescript",
        "application/x-javascript",
    }
)
_JSON_TYPES = frozenset({"application/ld+json", "application/json"})
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.S)
_CSS_DANGER = (
    "expression(",
    "url(",
    "behavior",
    "-moz-binding",
    "@import",
    "javascript:",
    "vbscript:",
    "image(",
    "image-set(",
)
_TAG_OPENING = re.compile(r"<[a-zA-Z]")
_RAW_TEXT = ("script", "style")


def normalize_url(value: str) -> str:
    """A URL reduced for scheme matching: noise characters removed, lower case."""
    return _URL_NOISE.sub("", value).lower()


def normalize_css(value: str) -> str:
    """CSS reduced for keyword matching: comments and escapes resolved, blanks removed."""

    def unescape(match: re.Match[str]) -> str:
        code, char = match.groups()
        if code:
            number = int(code, 16)
            return chr(number) if 0 < number <= 0x10FFFF else "\ufffd"
        return char if char != "\n" else ""

    text = _CSS_ESCAPE.sub(unescape, _CSS_COMMENT.sub("", value))
    return "".join(text.split()).lower()


def _bare_hash(source: str) -> str:
    return source.strip().strip("'\"").removeprefix("sha256-")


class _Checker(HTMLParser):
    """Walks the document once and records every ``Problem``."""

    def __init__(
        self,
        *,
        script_srcs: Collection[str],
        inline_hashes: Collection[str],
        frame_srcs: Collection[str],
        form_actions: Collection[str],
        http_equiv: Collection[str],
    ) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[Problem] = []
        self.script_srcs = frozenset(script_srcs)
        self.inline_hashes = frozenset(_bare_hash(h) for h in inline_hashes)
        self.frame_srcs = frozenset(frame_srcs)
        self.form_actions = frozenset(form_actions)
        self.http_equiv = frozenset(v.lower() for v in http_equiv) - {"refresh"}
        self.start_tags = 0
        self.hidden_openings = 0  # tag openings inside raw text, comments and declarations
        self._raw: tuple[str, dict[str, str | None]] | None = None  # open script/style
        self._raw_text: list[str] = []

    def flag(self, kind: str, detail: str) -> None:
        self.problems.append(Problem(kind, detail))

    # -- elements ---------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags += 1
        raw = self.get_starttag_text() or ""
        if "<" in raw[1:]:
            self.hidden_openings += len(_TAG_OPENING.findall(raw[1:]))
            self.flag("mxss", f"raw '<' inside a start tag: {raw[:120]!r}")
        values = {name: value for name, value in attrs}
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")
        self._check_element(tag, values)
        if tag in _RAW_TEXT:
            self._raw = (tag, values)
            self._raw_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._raw is not None and self._raw[0] == tag:
            self._close_raw()

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and self._raw[0] == tag:
            self._close_raw()

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw_text.append(data)

    def _check_element(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in _ALWAYS_FORBIDDEN:
            self.flag("element", f"<{tag}> is never allowed")
        elif tag in _FRAMES:
            url = attrs.get(_FRAMES[tag]) or ""
            if url not in self.frame_srcs:
                self.flag("element", f"<{tag}> loading {url!r} is not an allowed frame")
        elif tag == "form":
            action = attrs.get("action") or ""
            if action not in self.form_actions:
                self.flag("element", f"<form action={action!r}> is not an allowed form")
        elif tag == "meta":
            equiv = attrs.get("http-equiv")
            if equiv is not None and equiv.strip().lower() not in self.http_equiv:
                self.flag("element", f"<meta http-equiv={equiv!r}> is not allowed")
            charset = attrs.get("charset")
            if charset is not None and charset.strip().lower() not in ("utf-8", "utf8"):
                self.flag("element", f"<meta charset={charset!r}> is not UTF-8")
        elif tag == "link":
            rel = (attrs.get("rel") or "").lower().split()
            if "import" in rel:
                self.flag("element", "<link rel=import> is never allowed")
        if "formaction" in attrs and (attrs["formaction"] or "") not in self.form_actions:
            self.flag("element", f"<{tag} formaction={attrs['formaction']!r}> is not allowed")
        if tag == "script":
            src = attrs.get("src")
            if src is not None and src not in self.script_srcs:
                self.flag("script", f"<script src={src!r}> is not one of ours")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on") and len(name) > 2:
            self.flag("handler", f"<{tag} {name}=...> is an event handler attribute")
        elif name == "srcdoc":
            self.flag("url", f"<{tag} srcdoc> embeds a document")
        elif name == "attributename" and value.strip().lower().startswith("on"):
            self.flag("handler", f"<{tag} attributeName={value!r}> animates a handler")
        elif name == "style":
            css = normalize_css(value)
            for word in _CSS_DANGER:
                if word in css:
                    self.flag("css", f"<{tag} style> holds {word!r}")
        if name in _URL_ATTRIBUTES:
            separator = _LIST_ATTRIBUTES.get(name)
            pieces = value.split(separator) if separator else [value]
            for piece in pieces:
                url = normalize_url(piece)
                if url.startswith(_BAD_SCHEMES):
                    self.flag("url", f"<{tag} {name}={value[:80]!r}> is a script or data URL")
                    break

    # -- raw text (script, style) ---------------------------------------------------------

    def _close_raw(self) -> None:
        assert self._raw is not None
        tag, attrs = self._raw
        text = "".join(self._raw_text)
        self._raw, self._raw_text = None, []
        self.hidden_openings += len(_TAG_OPENING.findall(text))
        lowered = text.lower()
        if f"</{tag}" in lowered or "<!--" in lowered:
            self.flag("mxss", f"<{tag}> text holds '</{tag}' or '<!--': {text[:80]!r}")
        allowed = _bare_hash(csp_hash(text)) in self.inline_hashes
        if tag == "style":
            if not allowed:
                self.flag("style", f"inline <style> not allowed by hash: {text[:80]!r}")
            return
        kind = (attrs.get("type") or "").strip().lower()
        if attrs.get("src") is not None:
            if text.strip():
                self.flag("script", "<script src> also holds inline text")
        elif kind in _JSON_TYPES:
            self._check_json(text)
        elif not allowed:
            self.flag("script", f"inline <script type={kind!r}> not allowed: {text[:80]!r}")

    def _check_json(self, text: str) -> None:
        if "<" in text:
            self.flag("script", "JSON block holds a raw '<' (serialize it as \\u003c)")
        try:
            json.loads(text)
        except ValueError as error:
            self.flag("script", f"JSON block does not parse: {error}")

    # -- comments, declarations, processing instructions -----------------------------------

    def _check_hidden(self, what: str, text: str) -> None:
        self.hidden_openings += len(_TAG_OPENING.findall(text))
        if "<" in text or ">" in text or "--!" in text or text.startswith("["):
            self.flag("mxss", f"{what} hides markup: {text[:80]!r}")

    def handle_comment(self, data: str) -> None:
        self._check_hidden("comment", data)

    def handle_decl(self, decl: str) -> None:
        if decl.strip().lower() != "doctype html":
            self.hidden_openings += len(_TAG_OPENING.findall(decl))
            self.flag("mxss", f"declaration <!{decl[:80]}> is not <!DOCTYPE html>")

    def unknown_decl(self, data: str) -> None:
        self.hidden_openings += len(_TAG_OPENING.findall(data))
        self.flag("mxss", f"marked section <![{data[:80]}]> (CDATA) is not HTML")

    def handle_pi(self, data: str) -> None:
        self.hidden_openings += len(_TAG_OPENING.findall(data))
        self.flag("mxss", f"processing instruction <?{data[:80]}> is not HTML")

    def finish(self, html: str) -> list[Problem]:
        """Close the parser and compare the tag openings it saw with those in the source."""
        self.close()
        if self._raw is not None:
            self.flag("mxss", f"<{self._raw[0]}> is never closed")
            self._close_raw()
        unseen = len(_TAG_OPENING.findall(html)) - self.start_tags - self.hidden_openings
        if unseen > 0:
            self.flag("mxss", f"{unseen} tag opening(s) '<x' the parser did not read as tags")
        return self.problems


def find_foreign_markup(
    html: str,
    *,
    allowed_script_srcs: Collection[str] = (),
    allowed_inline_hashes: Collection[str] = (),
    allowed_frame_srcs: Collection[str] = (),
    allowed_form_actions: Collection[str] = (),
    allowed_http_equiv: Collection[str] = (),
) -> list[Problem]:
    """Every ``Problem`` in ``html`` (a page or a fragment); empty when it is clean.

    Hashes may be given as ``sha256-B64``, ``'sha256-B64'`` or bare base64 (see ``csp_hash``).
    """
    checker = _Checker(
        script_srcs=allowed_script_srcs,
        inline_hashes=allowed_inline_hashes,
        frame_srcs=allowed_frame_srcs,
        form_actions=allowed_form_actions,
        http_equiv=allowed_http_equiv,
    )
    try:
        checker.feed(html)
    except AssertionError as error:  # html.parser gives up on bare marked sections ('<![C')
        return [Problem("mxss", f"markup the parser cannot read: {error}")]
    return checker.finish(html)


def assert_no_foreign_markup(
    html: str,
    *,
    allowed_script_srcs: Collection[str] = (),
    allowed_inline_hashes: Collection[str] = (),
    allowed_frame_srcs: Collection[str] = (),
    allowed_form_actions: Collection[str] = (),
    allowed_http_equiv: Collection[str] = (),
) -> None:
    """Fail with every problem found unless ``html`` holds only markup we allow."""
    problems = find_foreign_markup(
        html,
        allowed_script_srcs=allowed_script_srcs,
        allowed_inline_hashes=allowed_inline_hashes,
        allowed_frame_srcs=allowed_frame_srcs,
        allowed_form_actions=allowed_form_actions,
        allowed_http_equiv=allowed_http_equiv,
    )
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"foreign markup found:\n{listing}\nin: {html[:400]!r}")
