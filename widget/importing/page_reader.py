"""Reading one page's Markdown blocks: locations, press, embeds and prose.

``PageReader.read`` walks markdown-it's block tokens once: bullet lists go to
``city_lists`` (city lists and Where/When blocks), lists under press headings are
press links, X posts and YouTube iframes are media, and everything else is prose for the
body, with ``{#anchor}`` marks taken off its headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from markdown_it.token import Token

from widget.countries import country_candidates
from widget.importing.city_lists import LocationReader, closing_index
from widget.importing.embedded_media import MediaScanner
from widget.importing.page_locations import resolve
from widget.importing.page_places import Flat, flatten
from widget.localized_names import fold

__all__ = ["PageReader", "resolve"]

# Words (folded) that make a heading a press section: "Perscoverage", "In the media" …
_PRESS_WORDS = frozenset(
    [
        "press",
        "pers",
        "perscoverage",
        "coverage",
        "media",
        "medien",
        "medier",
        "presse",
        "pressespiegel",
        "presseberichte",
        "berichterstattung",
        "stampa",
        "prensa",
        "imprensa",
        "fjolmidlar",
        "news",
        "nieuws",
        "couverture",
        "copertura",
        "cobertura",
        "bevakning",
        "dekning",
        "umfjollun",
    ]
)
# …unless it is the page's own press release, which is prose.
_RELEASE_WORDS = frozenset(
    [
        "release",
        "persbericht",
        "pressemitteilung",
        "communique",
        "comunicato",
        "comunicado",
        "pressmeddelande",
        "pressemelding",
        "frettatilkynning",
    ]
)
_ANCHOR = re.compile(r"\s*\{#[^}]*\}\s*$")


def press_key(url: str) -> str:
    """What makes two press links the same article (case of scheme/host, trailing '/')."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}?{parts.query}"


def _is_press_heading(text: str) -> bool:
    words = set(fold(text).split())
    return bool(words & _PRESS_WORDS) and not words & _RELEASE_WORDS


@dataclass
class PageReader(LocationReader):
    """Walks one page's blocks, collecting facts, prose and problems."""

    press: list[dict[str, str]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    links_found: list[tuple[str, str]] = field(default_factory=list)
    _press_seen: set[str] = field(default_factory=set)

    # --- press and embeds ----------------------------------------------------------------

    def press_links(self, line: int, flat: Flat) -> None:
        links = flat.links
        for index, link in enumerate(links):
            url = resolve(link.href, self.base_url)
            title = link.label or urlsplit(url).hostname or url
            # "[NBC Bay Area](…), [youtube](…)": a lower-case second link qualifies the first.
            if index and link.label[:1].islower() and links[0].label:
                title = f"{links[0].label} ({link.label})"
            key = press_key(url)
            if key in self._press_seen:
                continue
            self._press_seen.add(key)
            self.lines[f"press.{len(self.press)}"] = line
            self.press.append({"title": title[:200], "url": url})

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

    # --- the page ------------------------------------------------------------------------

    def read(self, tokens: list[Token], lines: list[str]) -> str:
        """Collect everything from the page's blocks; return the prose Markdown."""
        sections: list[list[str | None]] = [[None]]  # [heading or None, block, block, …]
        press_level = 0  # level of the press heading we are under; 0 outside press
        heading: tuple[int, str] | None = None
        country: str | None = None  # a heading that names a country ("### Germany")
        city_section = 0  # the section holding the last city list
        start = 0
        while start < len(tokens):
            token, end = tokens[start], closing_index(tokens, start)
            block_start, start = start, end + 1
            if token.map is None:
                continue
            source = "".join(lines[token.map[0] : token.map[1]]).strip("\n")
            line = token.map[0] + 1
            if token.type == "html_block":
                self.embeds(line, token.content)
                self.commented_out(tokens, block_start, end, inside=False)
            elif token.type == "heading_open":
                level = int(token.tag[1:])
                text = _ANCHOR.sub("", tokens[block_start + 1].content)
                if press_level and level > press_level:
                    continue
                press_level = level if _is_press_heading(text) else 0
                heading = (line, text)
                codes = country_candidates(text.strip(" :*#"))
                country = next(iter(codes)) if len(codes) == 1 else None
                sections.append([_ANCHOR.sub("", source) if level > 1 else None])
                continue
            elif press_level:
                for child in tokens[block_start:end]:
                    if child.type == "inline" and child.map:
                        self.press_links(child.map[0] + 1, flatten(child))
                continue
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                found = self.read_list(tokens, block_start, end, heading, country)
                if found:
                    city_section = len(sections)
                    if heading is not None and self.date_heading == heading:
                        sections[-1][0] = None  # the date is data now, not a heading
                    if found == "city":
                        continue
            elif token.type == "paragraph_open":
                self.prose_locations(tokens[block_start + 1])
                if city_section == len(sections):
                    self._organize_paragraph(tokens[block_start + 1])
            for child in tokens[block_start:end]:
                if child.type == "inline":
                    self.links_found.extend(
                        (link.label, link.href) for link in flatten(child).links
                    )
            sections[-1].append(source)
        parts = [
            part for section in sections if len(section) > 1 for part in section if part is not None
        ]
        return "\n\n".join(parts)
