"""City lists and Where/When blocks of a page: bullets → locations, or reports.

``LocationReader.read_list`` is handed each bullet list of the page. A list in which some
bullet names a place (``page_places``) is a city list: each bullet becomes a
location or the organize-here link, or is reported with its line and why; bullets hidden
in HTML comments are reported too; a later list without links that repeats the cities (a
press release's "Locations:") is reported, not imported twice. A list with a "Where:"
line, or one place with its link bullets, is a single-location block. A bullet naming
several bold places ('**Paris**, France (…) and **Lyon**, France (…)') is one location per
place with the links after it, or reported when that is ambiguous. Nothing in a city list
is dropped without a ``Problem``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from markdown_it.token import Token

from widget.countries import country_candidates
from widget.importing.page_dates import Span, find_iso_date, find_span, find_times
from widget.importing.page_locations import (
    LocationRecords,
    gazetteer_place,
    place_key,
    resolve,
)
from widget.importing.page_places import (
    Flat,
    Place,
    flatten,
    head_end,
    is_cancelled,
    is_map_link,
    is_organize_call,
    is_tba,
    label_line,
    read_place,
)
from widget.localized_names import city_country, fold
from widget.problems import Problem

_LISTS = ("bullet_list_open", "ordered_list_open")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_COMMENTED_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+(.+?)[ \t]*$", re.M)
# What joins two bold places of one bullet ('**Paris**, France (…) and **Lyon**, France (…)').
_JOINER = re.compile(r"(?:[\s,;/&+]|(?<!\w)(?:and|en|und|et|e|y|og|och|ja)(?!\w))*$", re.I)


def closing_index(tokens: list[Token], index: int) -> int:
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


@dataclass
class _Bullet:
    """One list item as read: its line, text and links, and what it is."""

    line: int
    flat: Flat
    kind: str  # location | organize | where | when | link | other
    place: Place | None = None
    reason: str = ""
    value: str = ""  # the text after a Where:/When: label
    children: list[_Bullet] = field(default_factory=list)
    # One bullet per bold place of a bullet naming several; ``several`` when they cannot be
    # told apart (a part that is no place, or a place without links before one with links).
    pieces: list[_Bullet] = field(default_factory=list)
    several: bool = False


@dataclass
class LocationReader(LocationRecords):
    """The locations of one page, read list by list, with every problem on the way."""

    organize_url: str | None = None
    date_heading: tuple[int, str] | None = None
    when: tuple[int, str] | None = None  # the When: line of a single-location block
    bullets: int = 0  # bullets in city lists and location blocks
    unplaced: list[Problem] = field(default_factory=list)  # linked bullets, no place

    def _bullet(self, flat: Flat, line: int, country: str | None) -> _Bullet:
        labelled = label_line(flat.text)
        if labelled is not None:
            return _Bullet(line, flat, labelled[0], value=labelled[1])
        end = head_end(flat)
        place = read_place(flat.text[:end], self.language, country)
        if isinstance(place, str) and flat.text[end : end + 1] == "(":
            # '**Oxford** (UK)': a country in the parenthesis after the city.
            inside = flat.outside_links(end + 1).split(")")[0].strip()
            if country_candidates(inside):
                place = read_place(f"{flat.text[:end]}, {inside}", self.language) or place
        if isinstance(place, Place):
            bullet = _Bullet(line, flat, "location", place)
            pieces = self._apart(flat, line, country)
            if pieces is not None:
                bullet.pieces = pieces
                bullet.several = not pieces
            return bullet
        if flat.links and not re.sub(r"[\W_]+", "", flat.outside_links(0)):
            return _Bullet(line, flat, "link", reason=place)
        if flat.links and (is_organize_call(flat.plain) or "discord" in flat.plain.casefold()):
            return _Bullet(line, flat, "organize")
        return _Bullet(line, flat, "other", reason=place)

    def _apart(self, flat: Flat, line: int, country: str | None) -> list[_Bullet] | None:
        """The bullets of a bullet holding several bold places, each place with the links
        after it; [] when they cannot be told apart, None for a bullet of one place."""
        starts = {
            next((k.start for k in flat.links if k.start <= bold < k.end), bold)
            for bold in flat.bold[1:]
        }
        bounds = [0, *sorted(at for at in starts if at > 0), len(flat.text)]
        if len(bounds) < 3:
            return None
        pieces = []
        for start, end in pairwise(bounds):
            end = start + len(_JOINER.sub("", flat.text[start:end]))
            pieces.append(self._bullet(flat.piece(start, end), line, country))
        places = [
            p
            for p in pieces
            if p.kind == "location" and p.place and (p.place.city or p.place.online)
        ]
        if len(places) < 2:
            return None  # '**Paris**, France (…) **new!**': one place
        linked = [bool(p.flat.links) for p in pieces]
        if len(places) < len(pieces) or (False in linked and True in linked[linked.index(False) :]):
            return []  # a place without links before links that may be its own
        return pieces

    def _items(
        self, tokens: list[Token], start: int, end: int, country: str | None
    ) -> list[_Bullet]:
        """The bullets of the list between ``start`` and ``end``, nested lists as children."""
        level = tokens[start].level
        found: list[_Bullet] = []
        index = start + 1
        while index < end:
            token = tokens[index]
            if token.type != "list_item_open" or token.level != level + 1:
                index += 1
                continue
            close = closing_index(tokens, index)
            inline = next((t for t in tokens[index:close] if t.type == "inline" and t.map), None)
            if inline is not None and inline.map is not None and inline.level == level + 3:
                bullet = self._bullet(flatten(inline), inline.map[0] + 1, country)
                nested = next((i for i in range(index, close) if tokens[i].type in _LISTS), None)
                if nested is not None:
                    own = bullet.place
                    group = own.country if own and not own.city and not bullet.flat.links else None
                    bullet.children = self._items(
                        tokens, nested, closing_index(tokens, nested), group or country
                    )
                found.append(bullet)
            index = close + 1
        return found

    def commented_out(self, tokens: list[Token], start: int, end: int, inside: bool) -> None:
        """Report bullets hidden in HTML comments (inside a city list: every one)."""
        for token in tokens[start : end + 1]:
            if token.type != "html_block" or token.map is None:
                continue
            for comment in _COMMENT.finditer(token.content):
                for bullet in _COMMENTED_BULLET.finditer(comment.group(1)):
                    text = bullet.group(1).strip()
                    inline = self.markdown.parseInline(text)[0]
                    flat = flatten(inline)
                    place = read_place(flat.text[: head_end(flat)], self.language)
                    if inside or isinstance(place, Place):
                        offset = token.content.count("\n", 0, comment.start() + bullet.start())
                        self.problem(
                            token.map[0] + 1 + offset,
                            f"skipped: commented out: {flat.plain[:80]!r}",
                            "note",
                        )

    def read_list(
        self,
        tokens: list[Token],
        start: int,
        end: int,
        heading: tuple[int, str] | None,
        country: str | None,
    ) -> str | None:
        """Import a city list ("city": its bullets are data now) or a Where/When block
        ("block": data, and the list stays in the text); None for a list of prose."""
        items = self._items(tokens, start, end, country)
        flat_items = [b for item in items for b in (item, *item.children)]
        kinds = [b.kind for b in flat_items]
        found: str | None = None
        if "where" in kinds or (kinds.count("location") == 1 and "link" in kinds):
            self._where_block(flat_items)  # a lone place with its links is a block too
            found = "block"
        elif any(_announces(b) for b in flat_items):
            if self._recap(flat_items):
                return None
            for bullet in flat_items:
                self._city_bullet(bullet)
            found = "city"
        elif self.locations and kinds and set(kinds) <= {"organize"}:
            for bullet in flat_items:  # the organize-here line in a list of its own
                self._city_bullet(bullet)
            return "city"
        else:
            self.unplaced.extend(  # told only if the page turns out to have no city list
                Problem(
                    line=b.line,
                    message=f"skipped: {b.reason} in {b.flat.plain[:80]!r}",
                    level="warning",
                )
                for b in flat_items
                if b.kind == "other" and b.flat.links and b.reason != "no city recognised"
            )
            return None
        self.commented_out(tokens, start, end, inside=True)
        if self.date_heading is None and heading is not None:
            self.date_heading = heading
        return found

    def _recap(self, bullets: list[_Bullet]) -> bool:
        """A later list without links that repeats the city list (a press release's
        'Locations:'): reported bullet by bullet, not imported twice."""
        places = [b for b in bullets if b.place is not None]
        if not self.locations or any(b.flat.links for b in bullets):
            return False
        lines = [self._seen.get(place_key(b.place)) for b in places if b.place is not None]
        if sum(1 for n in lines if n) * 2 < len(places):
            return False
        for bullet, seen in zip(places, lines, strict=True):
            what = f"repeats line {seen}" if seen else "in a list repeating the city list"
            self.problem(bullet.line, f"skipped: {what}: {bullet.flat.plain[:80]!r}", "note")
        return True

    def _city_bullet(self, bullet: _Bullet) -> None:
        self.bullets += 1
        text = bullet.flat.plain
        if bullet.several:
            self.problem(
                bullet.line, f"skipped: several cities in one bullet {text[:80]!r}", "warning"
            )
        elif bullet.pieces:
            for piece in bullet.pieces:
                self._city_bullet(piece)
            self.bullets -= len(bullet.pieces)  # one bullet of the page
        elif bullet.kind == "location" and bullet.place is not None:
            if bullet.children and not bullet.flat.links and not bullet.place.city:
                self.bullets -= 1  # a country heading its own list of cities
                return
            end = head_end(bullet.flat)
            rest = bullet.flat.outside_links(end)
            self.add_location(
                bullet.line,
                bullet.place,
                self.links_of(bullet.line, bullet.flat, end),
                text,
                find_times(bullet.flat.outside_links(0)),
                find_span(rest, self.language),
            )
        elif bullet.kind == "organize":
            url = resolve(bullet.flat.links[0].href, self.base_url)
            if self.organize_url is None:
                self.organize_url = url
                self.lines["organize_url"] = bullet.line
            else:
                self.problem(
                    bullet.line, f"skipped: a second organize link: {text[:80]!r}", "warning"
                )
        else:
            reason = bullet.reason or "no city recognised"
            if bullet.kind == "link":
                reason = "a link without a place"
            self.problem(bullet.line, f"skipped: {reason} in {text[:80]!r}", "warning")

    def _block_place(self, text: str, line: int) -> Place | None:
        """The place of a Where: line; a country or city the title names fills in what the
        line leaves out ('Where: Wijnhaven, The Hague' under '… @ The Hague, Netherlands')."""
        value = re.sub(r"\([^)]*\)", " ", text)
        title_parts = [
            p.strip() for p in re.split(r"[,@|/(){}\[\]]|\s[-\u2013\u2014]\s", self.title)
        ]
        countries = {c for part in title_parts for c in country_candidates(part)}
        default = next(iter(countries)) if len(countries) == 1 else None
        place = read_place(value, self.language, default)
        if isinstance(place, str):
            place = gazetteer_place(value) or place
        if isinstance(place, str):
            self.problem(line, f"skipped: {place} in {text[:80]!r}", "warning")
            return None
        if place.city and place.country and city_country(place.city, self.language) is None:
            # A city the title names wins over a guess among the line's parts.
            named = [
                part
                for part in title_parts
                if part
                and city_country(part, self.language) == place.country
                and fold(part) not in fold(value)
            ]
            if named:
                parts = [" ".join(p.split()) for p in value.split(",")]
                venue = ", ".join(
                    p for p in parts if p and place.country not in country_candidates(p)
                )
                return Place(named[0], place.country, venue or None)
        return place

    def _where_block(self, bullets: list[_Bullet]) -> None:
        """'- Where: …' / '- When: …' bullets (or one place and its date) and the link
        bullets below them: one location, its links, its time range."""
        current: dict[str, Any] | None = None
        pending: list[dict[str, Any]] = []
        when_text = ""
        for bullet in bullets:
            self.bullets += 1
            text = bullet.flat.plain
            if bullet.kind in ("where", "location"):
                if bullet.kind == "where":
                    place = self._block_place(bullet.value, bullet.line)
                    links: list[dict[str, str]] = []
                else:
                    place = bullet.place
                    links = self.links_of(bullet.line, bullet.flat, head_end(bullet.flat))
                if place is None:
                    current = None
                    continue
                current = {"line": bullet.line, "place": place, "links": links, "text": text}
                pending.append(current)
            elif bullet.kind == "when" or (
                bullet.kind == "other" and not bullet.flat.links and _has_date(text, self.language)
            ):
                when_text = bullet.value or text
                self.when = (bullet.line, when_text)
                if current is not None:
                    current["when"] = when_text
            elif bullet.kind == "link" and (current or pending):
                (current or pending[-1])["links"].extend(self.links_of(bullet.line, bullet.flat, 0))
            elif is_cancelled(text) and (current or pending):
                (current or pending[-1])["text"] += f" ({text})"  # '- CANCELLED'
            else:
                self.problem(
                    bullet.line,
                    f"not part of the location, kept in the text: {text[:80]!r}",
                    "note",
                )
        for item in pending:
            times = find_times(item.get("when", when_text))
            links = [k for k in item["links"] if not is_map_link(k["url"])]
            maps = [
                {**k, "label": k.get("label") or "Map"}
                for k in item["links"]
                if is_map_link(k["url"])
            ]
            self.add_location(item["line"], item["place"], links + maps, item["text"], times)

    def _organize_paragraph(self, inline: Token) -> None:
        """'Reach out on [our Discord](…) if you want to organize a protest in your city!'
        below a city list is its organize-here link, as a bullet would be."""
        flat = flatten(inline)
        if self.organize_url is None and flat.links and is_organize_call(flat.plain):
            link = next((k for k in flat.links if "discord" in k.href), flat.links[0])
            self.organize_url = resolve(link.href, self.base_url)
            if inline.map:
                self.lines["organize_url"] = inline.map[0] + 1

    def prose_locations(self, inline: Token) -> None:
        """'UK (exact location TBD) / 4:00 pm GMT' lines of a paragraph after a location."""
        if inline.map is None or not self.locations:
            return
        for offset, line in enumerate(inline.content.splitlines()):
            if "](" in line or len(line) > 120 or not is_tba(line):
                continue
            head = re.split(r"\(| / ", line)[0]
            place = read_place(head, self.language)
            if isinstance(place, Place) and place.country:
                self.bullets += 1
                rest = line[len(head) :]
                self.add_location(inline.map[0] + 1 + offset, place, [], line, find_times(rest))


def _has_date(text: str, language: str) -> bool:
    return find_span(text, language) is not None or find_times(text)[0] is not None


def _announces(bullet: _Bullet) -> bool:
    """A bullet that makes its list a city list: a city, online, a link or a t.b.a. —
    not a lone country name ('- **UK**: the government should …')."""
    place = bullet.place
    if bullet.kind != "location" or place is None:
        return False
    return bool(place.city or place.online or bullet.flat.links or is_tba(bullet.flat.plain))


def when_date(text: str, language: str) -> tuple[Span | None, date | None]:
    """The day or range of a When: line, or the ISO date written there."""
    return find_span(text, language), find_iso_date(text)
