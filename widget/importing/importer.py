"""The importer: a PauseAI website page (Markdown + front matter) becomes event files.

``parse_page`` is pure: page text in, an ``ImportedPage`` (the event.yaml data, the text
file's front matter and body, and the report of what was skipped) out, or ``PageError``
holding every problem with its page line — and, for a page without any city list, a
starter event.yaml. ``render_files`` turns a page into file contents;
``import_command`` writes them.

What the page holds and where it goes:

- front matter ``title``/``description`` → the text's title and summary; ``date:`` → the
  date when the page writes none, else the year a written date lacks;
- the date (``## 13 mei (maandag), …`` above the city list, a ``When:`` line, or the
  title), one day or a range (``November 20th-22nd``) → ``date`` and ``end_date``;
- city lists and Where/When blocks (``page_reader``, ``page_places``) →
  locations, with links, statuses, venues, times and localized names (``cities:``);
  the organize-here line → ``organize_url``;
- link lists under press headings → press, de-duplicated; X posts and YouTube iframes →
  media; everything else in prose → the Markdown body, relative links resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt

from widget.importing.city_lists import when_date
from widget.importing.page_dates import find_span, find_year, front_matter_date, resolve_span
from widget.importing.page_places import is_cancelled
from widget.importing.page_reader import PageReader, resolve
from widget.localized_names import FILLER, calendar, fold
from widget.problems import Problem
from widget.store import EVENT_FILE
from widget.text import slugify

__all__ = [
    "DEFAULT_BASE_URL",
    "ImportedPage",
    "PageError",
    "Problem",
    "default_slug",
    "parse_page",
    "render_files",
    "resolve",
    "resolve_links",
    "starter_file",
]

DEFAULT_BASE_URL = "https://pauseai.info"
_FRONT_MATTER = re.compile(
    r"\A(?:[ \t]*\r?\n)*---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S
)
# Blocks that are site machinery, not content: cut out before Markdown parsing.
_CUT_BLOCK = re.compile(r"<(script|style|WidgetConsent)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_BRAND = "pauseai"
# Little words a slug does without ("Internationaler Protest am 13. Mai" → …-protest).
_SLUG_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "at",
        "in",
        "am",
        "im",
        "op",
        "le",
        "la",
        "el",
        "il",
        "em",
        "i",
        "pa",
        "og",
        "och",
        "und",
        "et",
    ]
)
_INLINE_DEST = re.compile(r"(\]\(\s*<?)([^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)")
_REFERENCE_DEST = re.compile(r"^( {0,3}\[[^\]]+\]:[ \t]*<?)(\S+?)(?=>?(?:\s|$))", re.M)
_HTML_DEST = re.compile(r"""(\b(?:href|src)\s*=\s*["'])([^"']*)""", re.I)
LOOKED_FOR = (
    "no city list found: looked for bullets like '- **City**, Country ([label](url))', "
    "'- **[City, Country](url)**', '- Country, City ([label](url))' or a "
    "'- Where: …' / '- When: …' block"
)


class PageError(Exception):
    """Raised by ``parse_page`` when the page cannot be imported; holds every problem and,
    for a page without a city list, a starter event.yaml made of what could be read."""

    def __init__(self, problems: list[Problem], starter: str | None = None) -> None:
        super().__init__("; ".join(p.located("page") for p in problems))
        self.problems = problems
        self.starter = starter


@dataclass(frozen=True)
class ImportedPage:
    """An imported page: the data of event.yaml and of LANG.md, where each item was, and
    what was skipped or noticed on the way (warnings and notes)."""

    slug: str
    language: str
    event: dict[str, Any]
    text: dict[str, Any]
    body: str
    lines: dict[str, int] = field(default_factory=dict)  # "locations.3" → page line
    reports: tuple[Problem, ...] = ()
    bullets: int = 0

    @property
    def summary(self) -> str:
        """'18 locations from 18 bullets; 2 to be announced: Zürich, Milan'."""
        locations = self.event.get("locations", [])
        parts = [f"{len(locations)} locations from {self.bullets} bullets"]
        tba = [_place_label(loc) for loc in locations if loc.get("status") == "tba"]
        if tba:
            parts.append(f"{len(tba)} to be announced: {', '.join(tba)}")
        skipped = sum(1 for r in self.reports if r.message.startswith("skipped"))
        if skipped:
            parts.append(f"{skipped} skipped (listed above)")
        if self.event.get("organize_url"):
            parts.append(f"organize link: {self.event['organize_url']}")
        return "; ".join(parts)


def _place_label(location: dict[str, Any]) -> str:
    return str(location.get("city") or location.get("country") or "online")


def resolve_links(markdown: str, base_url: str) -> str:
    """Markdown with every relative link, image and reference target made absolute."""

    def fix(match: re.Match[str]) -> str:
        return match.group(1) + resolve(match.group(2), base_url)

    for pattern in (_INLINE_DEST, _REFERENCE_DEST, _HTML_DEST):
        markdown = pattern.sub(fix, markdown)
    return markdown


class _Markdown(MarkdownIt):
    """CommonMark that keeps link targets exactly as written (validation comes later)."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


def _blank(text: str) -> str:
    """Text of the same line count with nothing in it, so line numbers stay right."""
    return "\n" * text.count("\n")


def _front_matter(text: str, problems: list[Problem]) -> tuple[dict[str, Any], int]:
    """The page's front matter and the offset where the Markdown after it starts."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        problems.append(
            Problem(
                line=1,
                message="expected YAML front matter between '---' lines "
                "(title, description) at the top of the page",
            )
        )
        return {}, 0
    first = text.count("\n", 0, match.start(1) if match.group(1) else match.start()) + 1
    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + first if mark is not None else 1
        problems.append(
            Problem(
                line=line,
                message=f"invalid YAML in the front matter: "
                f"{getattr(error, 'problem', None) or error}",
            )
        )
        return {}, match.end()
    if not isinstance(data, dict):
        problems.append(Problem(line=2, message="front matter must be a mapping (title: …)"))
        data = {}
    for key in ("title", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append(Problem(line=1, message=f"front matter: {key} must be text"))
            data.pop(key)
    if not data.get("title", "").strip():
        problems.append(Problem(line=1, message="front matter: title is missing"))
    return data, match.end()


def _event_dates(
    reader: PageReader,
    title: str,
    given: date | None,
    year: int | None,
    front: date | None,
) -> tuple[date | None, date | None]:
    """The first and last day: --date, else the When: line, date heading or title (the
    year from there, --date's year or the front matter), else the front matter's date."""
    sources = [s for s in (reader.when, reader.date_heading, (None, title)) if s is not None]
    found = [(line, text, find_span(text, reader.language)) for line, text in sources]
    spans = [(line, text, span) for line, text, span in found if span is not None]
    if reader.when is not None:
        iso = when_date(reader.when[1], reader.language)[1]
        if iso is not None and given is None:
            return iso, None
    heading_line = reader.date_heading[0] if reader.date_heading else None
    if spans:
        line, text, span = spans[0]
        others = [s for s in spans[1:] if (s[2].day, s[2].month) != (span.day, span.month)]
        if others and reader.when is not None and line == reader.when[0]:
            # The When: line of the location wins over an older date in the title.
            reader.problem(line, f"the title says {others[0][1]!r}; used {text!r}", "note")
        elif others and given is None:
            reader.problem(
                line or heading_line or 1,
                f"{text!r} and {others[0][1]!r} disagree on the date: pass --date YYYY-MM-DD",
            )
            return None, None
    if given is not None:
        if spans and (spans[0][2].day, spans[0][2].month) == (given.day, given.month):
            try:
                return resolve_span(spans[0][2], given.year)
            except ValueError as error:
                line, text = spans[0][0], spans[0][1]
                reader.problem(
                    line or heading_line or 1,
                    f"end of the range {text!r} dropped ({error}): pass --date YYYY-MM-DD",
                    "warning",
                )
        return given, None
    if not spans:
        if front is not None:
            return front, None
        reader.problem(
            heading_line or 1,
            "cannot find the event's day and month in the title or "
            "the date heading: pass --date YYYY-MM-DD",
        )
        return None, None
    line, text, span = spans[0]
    written = find_year(text) or next(
        (y for _, t in sources if (y := find_year(t or "")) is not None), None
    )
    chosen = written or year or (front.year if front else None)
    if chosen is None:
        reader.problem(
            line or heading_line or 1,
            f"cannot find the event's year in {text!r}: pass --date YYYY-MM-DD (or --date YYYY)",
        )
        return None, None
    try:
        # A year written in the range's own text ('30 December - 2 January 2025') is the
        # end's year when the range crosses New Year; one from elsewhere is the start's.
        first, last = resolve_span(span, chosen, year_is_end=find_year(text) is not None)
    except ValueError as error:
        reader.problem(line or heading_line or 1, f"not a date ({error}): pass --date YYYY-MM-DD")
        return None, None
    if front is not None and front != first and written:
        reader.problem(
            line or 1, f"front matter date {front} differs from {text!r}; used {first}", "note"
        )
    return first, last


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
        and fold(w) not in _SLUG_STOPWORDS
    ]
    tail = slugify(" ".join(words[:6]))[:60].strip("-") or "protest"
    return f"{when.isoformat()}-{tail}"


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def starter_file(reader: PageReader, title: str, first: date | None, base_url: str) -> str:
    """An event.yaml to fill in, for a page without a city list: its date, the links
    found in its text as the first location's, its press and media."""
    parts = urlsplit(base_url)
    links: list[dict[str, str]] = []
    for label, href in reader.links_found:
        url = resolve(href, base_url)
        host = (urlsplit(url).hostname or "").lower()
        elsewhere = url.startswith(("http", "mailto:")) and host != (parts.hostname or "").lower()
        if elsewhere and all(link["url"] != url for link in links):
            links.append({"url": url, **({"label": label[:100]} if label else {})})
    data: dict[str, Any] = {
        "date": first or date.today(),
        "status": "scheduled",
        "default_language": reader.language,
        "organizer": {"name": "PauseAI", "url": f"{parts.scheme}://{parts.netloc}"},
        "locations": [{"city": "CITY", "country": "XX", **({"links": links} if links else {})}],
        "press": reader.press,
        "media": reader.media,
    }
    data = {key: value for key, value in data.items() if value != []}
    return (
        f"# Starter event.yaml for {title!r}: no city list was found, so fill in the\n"
        "# locations (city, country as an ISO code, links; the links below are every one\n"
        "# the page's text holds) and check the date.\n" + _dump(data)
    )


def parse_page(
    text: str,
    *,
    language: str,
    base_url: str = DEFAULT_BASE_URL,
    when: date | None = None,
    year: int | None = None,
    slug: str | None = None,
) -> ImportedPage:
    """Turn a PauseAI page into event data; raises ``PageError`` listing every problem."""
    problems: list[Problem] = []
    front, body_start = _front_matter(text, problems)
    title = str(front.get("title", "")).strip()
    source = _blank(text[:body_start]) + text[body_start:]
    markdown = _Markdown("commonmark")
    reader = PageReader(language, base_url, markdown, title, problems)
    for cut in _CUT_BLOCK.finditer(source):
        if cut.group(1).lower() == "widgetconsent":
            reader.embeds(source.count("\n", 0, cut.start()) + 1, cut.group(0))
    source = _CUT_BLOCK.sub(lambda m: _blank(m.group(0)), source)
    lines = source.splitlines(keepends=True)
    env: dict[str, Any] = {}
    body = resolve_links(reader.read(markdown.parse(source, env), lines), base_url)
    references = [  # markdown-it keeps "[label]: url" definitions out of the blocks
        f"[{label}]: <{resolve(ref['href'], base_url)}>"
        + (' "{}"'.format(ref["title"].replace('"', "'")) if ref.get("title") else "")
        for label, ref in env.get("references", {}).items()
    ]
    body = "\n\n".join(filter(None, [body, "\n".join(references)]))
    front_date = front_matter_date(front.get("date"))
    # Without a title the date cannot be complete: say what is wrong, not what follows.
    first, last = (
        _event_dates(reader, title, when, year, front_date) if title or when else (None, None)
    )
    if not reader.locations:
        errors = [p for p in problems if p.level == "error"]
        problems.extend(reader.unplaced)
        problems.append(Problem(line=None, message=LOOKED_FOR))
        starter = starter_file(reader, title, first, base_url) if not errors else None
        raise PageError(_ordered(problems), starter)
    errors = [p for p in problems if p.level == "error"]
    if errors or first is None:
        raise PageError(_ordered(problems))
    reader.date_locations(first, last)
    parts = urlsplit(base_url)
    event: dict[str, Any] = {
        "date": first,
        **({"end_date": last} if last else {}),
        "status": "cancelled" if is_cancelled(title) else "scheduled",  # '(Cancelled) …'
        "default_language": language,
        "organizer": {"name": "PauseAI", "url": f"{parts.scheme}://{parts.netloc}"},
        **({"organize_url": reader.organize_url} if reader.organize_url else {}),
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
        slug or default_slug(first, title, language),
        language,
        event,
        text_data,
        body,
        reader.lines,
        tuple(_ordered(problems)),
        reader.bullets,
    )


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def render_files(page: ImportedPage, source_name: str) -> dict[str, str]:
    """File name → contents: ``event.yaml`` and ``LANG.md`` in widget.store's format."""
    header = f"# Imported from {source_name} by `pauseai-widget import`; edit freely.\n"
    text = f"---\n{_dump(page.text)}---\n" + (f"{page.body}\n" if page.body else "")
    return {EVENT_FILE: header + _dump(page.event), f"{page.language}.md": text}
