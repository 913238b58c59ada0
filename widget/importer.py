"""The importer: a PauseAI website page (Markdown + front matter) becomes event files.

``parse_page`` is pure: page text in, an ``ImportedPage`` (the event.yaml data, the text
file's front matter and body) out, or ``PageError`` holding every problem with its page
line. ``render_files`` turns that into file contents; ``widget.import_command`` writes them.

What the page holds and where it goes:

- front matter ``title``/``description`` → the text's title and summary;
- a date (``## 13 mei (maandag), …`` above the city list, or in the title), read with
  Babel's month names for the page's language; the year from the title;
- bullets ``- **City**, Country ([label](url))`` → locations; countries through
  ``widget.countries.code_for_name``, localized city names to English through CLDR's
  time-zone exemplar cities (the page's spelling becomes a ``cities:`` override);
- link lists under press headings ("Perscoverage", "In the media" …) → press, de-duplicated;
- an X post (``blockquote.twitter-tweet``) or YouTube iframe → a media item;
- everything else in prose → the Markdown body, relative links resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from widget.countries import code_for_name
from widget.embedded_media import MediaScanner
from widget.localized_names import (
    DASHES,
    FILLER,
    calendar,
    english_city,
    find_day_month,
    find_year,
    fold,
)
from widget.model import slugify
from widget.store import EVENT_FILE

DEFAULT_BASE_URL = "https://pauseai.info"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)
# Blocks that are site machinery, not content: cut out before Markdown parsing.
_CUT_BLOCK = re.compile(r"<(script|style|WidgetConsent)\b[^>]*>.*?</\1\s*>", re.S | re.I)
# Words (folded) that make a heading a press section: "Perscoverage", "In the media" …
_PRESS_WORDS = frozenset(
    {
        "press",
        "pers",
        "perscoverage",
        "coverage",
        "media",
        "medien",
        "medier",
        "presse",
        "pressespiegel",
        "stampa",
        "prensa",
        "imprensa",
        "fjolmidlar",
        "news",
        "nieuws",
    }
)
_BRAND = "pauseai"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INLINE_DEST = re.compile(r"(\]\(\s*<?)([^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)")
_REFERENCE_DEST = re.compile(r"^( {0,3}\[[^\]]+\]:[ \t]*<?)(\S+?)(?=>?(?:\s|$))", re.M)
_HTML_DEST = re.compile(r"""(\b(?:href|src)\s*=\s*["'])([^"']*)""", re.I)


@dataclass(frozen=True)
class PageProblem:
    """Something in the page the importer cannot turn into valid event data."""

    line: int | None
    message: str

    def located(self, page: str) -> str:
        """``PAGE.md:LINE: problem`` (no line for problems of the whole page)."""
        return f"{page}:{self.line}: {self.message}" if self.line else f"{page}: {self.message}"


class PageError(Exception):
    """Raised by ``parse_page`` when the page cannot be imported; holds every problem."""

    def __init__(self, problems: list[PageProblem]) -> None:
        super().__init__("; ".join(p.located("page") for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportedPage:
    """An imported page: the data of event.yaml and of LANG.md, and where each item was."""

    slug: str
    language: str
    event: dict[str, Any]
    text: dict[str, Any]
    body: str
    lines: dict[str, int] = field(default_factory=dict)  # "locations.3" → page line


def resolve(url: str, base_url: str) -> str:
    """``url`` made absolute against ``base_url``; absolute URLs and '#anchors' unchanged."""
    if not url or url.startswith("#") or _SCHEME.match(url):
        return url
    return urljoin(base_url, url)


def resolve_links(markdown: str, base_url: str) -> str:
    """Markdown with every relative link, image and reference target made absolute."""

    def fix(match: re.Match[str]) -> str:
        return match.group(1) + resolve(match.group(2), base_url)

    for pattern in (_INLINE_DEST, _REFERENCE_DEST, _HTML_DEST):
        markdown = pattern.sub(fix, markdown)
    return markdown


def _press_key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}?{parts.query}"


# --- the page -----------------------------------------------------------------------


class _Markdown(MarkdownIt):
    """CommonMark that keeps link targets exactly as written (validation comes later)."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


def _blank(text: str) -> str:
    """Text of the same line count with nothing in it, so line numbers stay right."""
    return "\n" * text.count("\n")


def _inline_text(tokens: list[Token]) -> str:
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline")).strip()


def _links(inline: Token) -> list[tuple[str, str]]:
    """(label, href) of every link in an inline token, labels as plain text."""
    found: list[tuple[str, str]] = []
    children = inline.children or []
    for index, child in enumerate(children):
        if child.type == "link_open":
            end = next(
                (i for i in range(index, len(children)) if children[i].type == "link_close"),
                len(children),
            )
            found.append((_inline_text(children[index + 1 : end]), str(child.attrs["href"])))
    return found


def _city_bullet(inline: Token) -> tuple[str, str, list[tuple[str, str]]] | None:
    """(city, country, links) of '**City**, Country (links)', None for other bullets."""
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content)]
    if len(children) < 3 or children[0].type != "strong_open":
        return None
    close = next((i for i, c in enumerate(children) if c.type == "strong_close"), None)
    after = children[close + 1] if close is not None and close + 1 < len(children) else None
    if close is None or after is None:
        return None
    # "**City**, Country (link)", or "**City** (link)" which lacks its country.
    lacks_country = (
        after.content.strip() == "("
        and close + 2 < len(children)
        and (children[close + 2].type == "link_open")
    )
    if not (after.content.lstrip().startswith(",") or lacks_country):
        return None
    city = _inline_text(children[1:close])
    country = after.content.strip().lstrip(",").strip().rstrip(f"(:{DASHES}").strip()
    return city, country, _links(inline)


@dataclass
class _Reader:
    """Walks one page's blocks, collecting facts, prose and problems."""

    language: str
    base_url: str
    problems: list[PageProblem] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    press: list[dict[str, str]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    date_heading: tuple[int, str] | None = None
    bullets: int = 0
    _press_seen: set[str] = field(default_factory=set)

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(PageProblem(line, message))

    def city(self, line: int, city: str, country: str, links: list[tuple[str, str]]) -> None:
        self.bullets += 1
        code = code_for_name(country) if country else None
        if not country:
            self.problem(
                line,
                f"city {city!r}: write its country after a comma: '**{city}**, "
                "Country ([label](url))'",
            )
        elif code is None:
            self.problem(
                line,
                f"unknown country {country!r} for {city!r}: write the country's "
                f"name in the page's language ({self.language}) or its ISO code",
            )
        if not links:
            self.problem(line, f"city {city!r} has no signup link: add ([label](url))")
        if code is None or not links:
            return
        english = english_city(city, self.language)
        location: dict[str, Any] = {
            "city": english,
            "country": code,
            "signup_url": resolve(links[0][1], self.base_url),
        }
        ids = {str(loc.get("id") or slugify(loc["city"])) for loc in self.locations}
        base_id = slugify(english) or "city"
        location_id, n = base_id, 1
        while location_id in ids:
            n += 1
            location_id = f"{base_id}-{n}"
        if location_id != base_id:
            location = {"id": location_id, **location}
        if fold(english) != fold(city):
            self.overrides[location_id] = city
        self.lines[f"locations.{len(self.locations)}"] = line
        self.locations.append(location)

    def press_links(self, line: int, links: list[tuple[str, str]]) -> None:
        for index, (label, href) in enumerate(links):
            url = resolve(href, self.base_url)
            title = label or urlsplit(url).hostname or url
            # "[NBC Bay Area](…), [youtube](…)": a lower-case second link qualifies the first.
            if index and label[:1].islower() and links[0][0]:
                title = f"{links[0][0]} ({label})"
            key = _press_key(url)
            if key in self._press_seen:
                continue
            self._press_seen.add(key)
            self.lines[f"press.{len(self.press)}"] = line
            self.press.append({"title": title, "url": url})

    def embeds(self, first_line: int, markup: str) -> None:
        scanner = MediaScanner(first_line)
        scanner.feed(markup)
        scanner.close()
        for line, item, problem in scanner.found:
            if item is None:
                self.problem(line, problem)
            elif all(m["url"] != item["url"] for m in self.media):
                self.lines[f"media.{len(self.media)}"] = line
                self.media.append(item)


def _is_press_heading(text: str) -> bool:
    return bool(set(fold(text).split()) & _PRESS_WORDS)


def _closing(tokens: list[Token], index: int) -> int:
    """Index of the token closing the block opened at ``index`` (itself for leaf blocks)."""
    opening = tokens[index]
    if not opening.type.endswith("_open"):
        return index
    closing = opening.type.removesuffix("_open") + "_close"
    return next(
        i
        for i in range(index + 1, len(tokens))
        if tokens[i].type == closing and tokens[i].level == opening.level
    )


def _first_inline(tokens: list[Token], start: int, end: int) -> Token | None:
    return next((t for t in tokens[start:end] if t.type == "inline" and t.map), None)


def _read_blocks(reader: _Reader, tokens: list[Token], lines: list[str]) -> str:
    """Collect cities, press and embeds from the page's blocks; return the prose Markdown."""
    sections: list[list[Any]] = [[None]]  # [heading Markdown or None, block, block, …]
    press_level = 0  # level of the press heading we are under; 0 outside press sections
    heading: tuple[int, str] | None = None  # (line, text) of the current section's heading
    start = 0
    while start < len(tokens):
        token, end = tokens[start], _closing(tokens, start)
        block_start, start = start, end + 1
        if token.map is None:
            continue
        source = "".join(lines[token.map[0] : token.map[1]]).strip("\n")
        line = token.map[0] + 1
        if token.type == "html_block":
            reader.embeds(line, token.content)
        elif token.type == "heading_open":
            level, text = int(token.tag[1:]), tokens[block_start + 1].content
            if press_level and level > press_level:
                continue
            press_level = level if _is_press_heading(text) else 0
            heading = (line, text)
            sections.append([source if level > 1 else None])
        elif press_level:
            for child in tokens[block_start:end]:
                if child.type == "inline" and child.map:
                    reader.press_links(child.map[0] + 1, _links(child))
        elif token.type == "bullet_list_open":
            items = [
                i
                for i in range(block_start, end)
                if tokens[i].type == "list_item_open" and tokens[i].level == token.level + 1
            ]
            kept = []
            for item in items:
                inline = _first_inline(tokens, item, _closing(tokens, item))
                bullet = _city_bullet(inline) if inline is not None else None
                if bullet is None or inline is None or inline.map is None:
                    kept.append(tokens[item].map)
                    continue
                if reader.date_heading is None and heading is not None:
                    reader.date_heading = heading
                    sections[-1][0] = None  # the date is data now, not a heading
                reader.city(inline.map[0] + 1, *bullet)
            if len(kept) < len(items):
                source = "".join(
                    text for span in kept if span for text in lines[span[0] : span[1]]
                ).strip("\n")
            if source:
                sections[-1].append(source)
        else:
            sections[-1].append(source)
    parts = [
        part for section in sections if len(section) > 1 for part in section if part is not None
    ]
    return resolve_links("\n\n".join(parts), reader.base_url)


def _front_matter(text: str, problems: list[PageProblem]) -> tuple[dict[str, Any], int]:
    """The page's front matter and the offset where the Markdown after it starts."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        problems.append(
            PageProblem(
                1,
                "expected YAML front matter between '---' lines "
                "(title, description) at the top of the page",
            )
        )
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problems.append(
            PageProblem(
                line,
                f"invalid YAML in the front matter: {getattr(error, 'problem', None) or error}",
            )
        )
        return {}, match.end()
    if not isinstance(data, dict):
        problems.append(PageProblem(2, "front matter must be a mapping (title: …)"))
        data = {}
    for key in ("title", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append(PageProblem(1, f"front matter: {key} must be text"))
            data.pop(key)
    if not data.get("title", "").strip():
        problems.append(PageProblem(1, "front matter: title is missing"))
    return data, match.end()


def _event_date(reader: _Reader, title: str, given: date | None) -> date | None:
    """The date from --date, else from the date heading or title (year from the title)."""
    if given is not None:
        return given
    heading_line, heading = reader.date_heading or (None, "")
    in_title, in_heading = (
        find_day_month(title, reader.language),
        find_day_month(heading, reader.language),
    )
    if in_title and in_heading and in_title != in_heading:
        reader.problem(
            heading_line,
            f"the date heading ({heading!r}) and the title ({title!r})"
            " disagree on the date: pass --date YYYY-MM-DD",
        )
        return None
    day_month = in_heading or in_title
    year = find_year(title) or find_year(heading)
    if day_month is None or year is None:
        missing = "day and month" if day_month is None else "year"
        reader.problem(
            heading_line or 1,
            f"cannot find the event's {missing} in the title or "
            "the date heading: pass --date YYYY-MM-DD",
        )
        return None
    try:
        return date(year, day_month[1], day_month[0])
    except ValueError as error:
        reader.problem(heading_line or 1, f"not a date ({error}): pass --date YYYY-MM-DD")
        return None


def default_slug(when: date, title: str, language: str) -> str:
    """'2024-05-13-' + the title's words without dates, weekdays and the brand name."""
    months, weekdays = calendar(language)
    words = [
        w
        for w in re.findall(r"\d+|[^\W\d_]+", title)
        if not w.isdigit()
        and fold(w) not in months
        and fold(w) not in weekdays
        and fold(w) != _BRAND
        and fold(w) not in FILLER
    ]
    tail = slugify(" ".join(words[:6]))[:60].strip("-") or "protest"
    return f"{when.isoformat()}-{tail}"


def parse_page(
    text: str,
    *,
    language: str,
    base_url: str = DEFAULT_BASE_URL,
    when: date | None = None,
    slug: str | None = None,
) -> ImportedPage:
    """Turn a PauseAI page into event data; raises ``PageError`` listing every problem."""
    problems: list[PageProblem] = []
    front, body_start = _front_matter(text, problems)
    title = str(front.get("title", "")).strip()
    source = _blank(text[:body_start]) + text[body_start:]
    reader = _Reader(language, base_url, problems)
    for cut in _CUT_BLOCK.finditer(source):
        if cut.group(1).lower() == "widgetconsent":
            reader.embeds(source.count("\n", 0, cut.start()) + 1, cut.group(0))
    source = _CUT_BLOCK.sub(lambda m: _blank(m.group(0)), source)
    lines = source.splitlines(keepends=True)
    env: dict[str, Any] = {}
    body = _read_blocks(reader, _Markdown("commonmark").parse(source, env), lines)
    references = [  # markdown-it keeps "[label]: url" definitions out of the blocks
        f"[{label}]: <{resolve(ref['href'], base_url)}>"
        + (' "{}"'.format(ref["title"].replace('"', "'")) if ref.get("title") else "")
        for label, ref in env.get("references", {}).items()
    ]
    body = "\n\n".join(filter(None, [body, "\n".join(references)]))
    if not reader.bullets:
        problems.append(
            PageProblem(
                None,
                "no city list found: expected bullets like '- **City**, Country ([label](url))'",
            )
        )
    # Without a title the date cannot be complete: say what is wrong, not what follows.
    event_date = _event_date(reader, title, when) if title or when else None
    if problems or event_date is None:
        raise PageError(sorted(problems, key=lambda p: p.line or 0))
    parts = urlsplit(base_url)
    event: dict[str, Any] = {
        "date": event_date,
        "status": "scheduled",
        "default_language": language,
        "organizer": {"name": "PauseAI", "url": f"{parts.scheme}://{parts.netloc}"},
        "locations": reader.locations,
        "press": reader.press,
        "media": reader.media,
    }
    event = {key: value for key, value in event.items() if value != []}
    text_data: dict[str, Any] = {"title": title}
    if str(front.get("description", "")).strip():
        text_data["summary"] = " ".join(str(front["description"]).split())
    if reader.overrides:
        text_data["cities"] = reader.overrides
    return ImportedPage(
        slug or default_slug(event_date, title, language),
        language,
        event,
        text_data,
        body,
        reader.lines,
    )


def render_files(page: ImportedPage, source_name: str) -> dict[str, str]:
    """File name → contents: ``event.yaml`` and ``LANG.md`` in widget.store's format."""

    def dump(data: dict[str, Any]) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

    header = f"# Imported from {source_name} by `pauseai-widget import`; edit freely.\n"
    text = f"---\n{dump(page.text)}---\n" + (f"{page.body}\n" if page.body else "")
    return {EVENT_FILE: header + dump(page.event), f"{page.language}.md": text}
