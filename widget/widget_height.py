"""How tall the widget will be, estimated from what it shows, before any browser lays it out.

oEmbed consumers and the plain-iframe snippet need a height up front (Ghost and Discourse
keep it; WordPress and ``embed.js`` correct it once the widget reports its own). The
estimate follows the widget's layout (``static/widget.css``): title, date line, a note
when the texts are in another language, the cities grouped by country in one or two
columns, the consent facades, the "organize one" line, the footer. Text lengths decide how
lines wrap, so a ``Content`` carries the lengths of the city names, of their status marks
("Details soon"), of the labels of every link (the signup link beside the city, further
links wrapping below it) and of their times, in the widget's language (the words taken
from ``_platform.html`` and ``_location_words.html`` themselves). It errs on the tall side: a
cropped widget hides cities, a tall one only leaves space (``tests/test_oembed_consumers.py``
checks the estimate against the real widget in Chromium).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import jinja2

from widget.date_ranges import format_days
from widget.platforms import Platform
from widget.widget_view import CityView, WidgetView
from widget.world_map import ASPECT


@dataclass(frozen=True)
class Row:
    """One city row of the widget, by the length of its texts."""

    city: int  # characters of the city's name
    label: int = 0  # characters of its signup label (0: no link shown)
    more: tuple[int, ...] = ()  # characters of each further link's label
    mark: int = 0  # characters of its status mark ("Details soon", "Cancelled")
    when: int = 0  # characters of its days, times and venue


@dataclass(frozen=True)
class Group:
    """A country of the widget: its heading and its city rows."""

    heading: int  # characters of the country's name
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Content:
    """What the embedded widget shows, as far as its height depends on it."""

    groups: tuple[Group, ...]
    media: int = 0
    title_chars: int = 40
    date_chars: int = 30
    other_language: bool = False  # the texts are in another language (a note says so)
    organize: int = 0  # characters of the "organize one" call to action (0: none)
    map: bool = False  # the map of the cities (``map=1``, when a city has coordinates)

    @property
    def locations(self) -> int:
        """How many cities are shown."""
        return sum(len(group.rows) for group in self.groups)

    @classmethod
    def of(cls, view: WidgetView, labels: Mapping[str, str], *, map: bool = False) -> Content:
        """What a widget view shows; ``labels`` are its words in its language
        (``signup_labels``); ``map``: whether it shows its map."""
        return cls(
            groups=tuple(
                Group(
                    len(country.name or labels["online"]),
                    tuple(_row(view, city, labels) for city in country.cities),
                )
                for country in view.countries
            ),
            media=len(view.media),
            title_chars=len(view.title),
            date_chars=len(format_days(view.date, view.end_date, "full", view.language)),
            other_language=view.text_language != view.language,
            organize=len(labels["organize"]) if view.organize_link else 0,
            map=map,
        )


def _row(view: WidgetView, city: CityView, labels: Mapping[str, str]) -> Row:
    """The row of one city: what ``_locations.html`` writes for it."""
    linked = view.signups_open and city.linked
    shows_mark = city.status in ("cancelled", "moved_online") or (
        city.status == "tba" and view.signups_open
    )
    when = (city.when or "") + (" · " if city.when and city.venue else "") + (city.venue or "")
    return Row(
        city=len(city.name or labels[city.kind]),
        label=len(labels[city.platform]) if linked and city.platform else 0,
        more=tuple(len(labels[f"short:{link.platform}"]) for link in city.more_links)
        if linked
        else (),
        mark=len(labels[city.status]) + 1 if shows_mark else 0,
        when=len(when),
    )


def signup_labels(environment: jinja2.Environment) -> dict[str, str]:
    """The widget's words as it writes them: each platform's signup label
    (``_platform.html``'s label()), the names of places without a city, the status marks
    and the call to action (``_location_words.html``)."""
    platform = environment.get_template("_platform.html").module
    words = environment.get_template("_location_words.html").module
    found = {str(p): str(platform.label(p.value)) for p in Platform}  # type: ignore[attr-defined]
    found.update({f"short:{p}": str(platform.short(p.value)) for p in Platform})  # type: ignore[attr-defined]
    found.update({kind: str(words.place(kind)) for kind in ("online", "open")})  # type: ignore[attr-defined]
    found.update({s: str(words.mark(s)) for s in ("cancelled", "moved_online", "tba")})  # type: ignore[attr-defined]
    found["organize"] = str(words.organize())  # type: ignore[attr-defined]
    return found


# The widget's layout in pixels, measured in Chromium with DejaVu Sans (wider than most
# system fonts, so elsewhere the estimate errs on the tall side): 16 px side padding and a
# 4 px top border; a city row is 6 px plus 21 per line of city name and 18 per line of
# label (27 when both share a line); each country a block (5 px of border and padding)
# beside its 86 px heading column; two balanced columns from 600 px on.
_SIDES = 32
_CHROME = 4 + 16 + 8 + 10  # top border, main's padding, list margin, rounding slack
_TITLE_CHAR, _TITLE_LINE = 10.5, 23
_META_CHAR, _META_LINE = 7.6, 20
_COUNTS = 26  # " · 14 cities · 12 countries", in characters
_FILL = 0.85
_NOTE, _NOTE_LINE = 480, 18  # "Shown in Nederlands: there is no text in this language yet."
_CITY_CHAR, _LABEL_CHAR = 9.5, 8.0
_ICON = 18  # the platform icon and its gap
_ROW_GAP = 8
_HEADING_CHAR, _HEADING_WIDTH, _HEADING_LINE = 8.3, 86, 15
_HEADINGS = 98  # the heading column and its gap
_BLOCK = 5
_COLUMN_GAP = 28
_TWO_COLUMNS = 600
_EMPTY = 30  # "No city of this event matches this selection."
_MARK_CHAR = 7.6  # a status mark, 12 px (upper case for cancelled/moved online)
_LINK_GAP = 14  # the gap before a further link
_WHEN_CHAR = 7.0  # times and venue, 13 px
_AFTER_LINE = 19  # a line of times and venue below the row
_TARGET = 24  # a further link's height (WCAG 2.2 target size)
_ORGANIZE_CHAR, _ORGANIZE_LINE = 7.8, 19  # the call to action, 13 px bold, 8 px above


def _lines(pixels: float, space: float) -> int:
    """Lines of wrapped text: words do not fill a line, so count on 85 % of it."""
    return max(1, math.ceil(pixels / max(space * _FILL, 1)))


def row_height(row: Row, space: float) -> int:
    """A city row's height when its texts have ``space`` pixels beside the heading."""
    city = row.city * _CITY_CHAR + (row.mark * _MARK_CHAR + _ROW_GAP if row.mark else 0)
    more = sum(_LINK_GAP + _ICON + chars * _LABEL_CHAR for chars in row.more)
    if not row.label:
        height = 6 + 21 * _lines(city, space)
    else:
        label = _ICON + row.label * _LABEL_CHAR
        if city + _ROW_GAP + label + more <= space:
            more = 0  # the further links (24 px targets) share the row's line
            height = 27 if not row.more else 6 + _TARGET
        elif city + _ROW_GAP + label <= space:
            height = 27
        else:
            height = 6 + 21 * _lines(city, space) + 18 * _lines(label, space)
    # Further links that do not fit, and the times, wrap onto lines of their own.
    if more:
        height += (_TARGET + 2) * _lines(more, space)
    if row.when:
        height += _AFTER_LINE * _lines(row.when * _WHEN_CHAR, space)
    return height


def block_height(group: Group, space: float) -> int:
    """A country block: its rows, or its heading when that is taller."""
    heading = 5 + _HEADING_LINE * _lines(group.heading * _HEADING_CHAR, _HEADING_WIDTH)
    return _BLOCK + max(sum(row_height(row, space) for row in group.rows), heading)


def balanced(blocks: list[int]) -> int:
    """The taller column when unbreakable blocks are split, in order, into two columns."""
    total = sum(blocks)
    best, before = total, 0
    for block in blocks:
        before += block
        best = min(best, max(before, total - before))
    return best


def estimate_height(content: Content, width: int) -> int:
    """The widget's height in pixels at ``width``: never less, at most about a third more."""
    inner = max(width - _SIDES, 100)
    two_columns = width >= _TWO_COLUMNS
    column = (inner - _COLUMN_GAP) / 2 if two_columns else inner
    blocks = [block_height(group, column - _HEADINGS) for group in content.groups]
    if not blocks:
        places = _EMPTY
    elif two_columns:
        places = balanced(blocks) + 8
    else:
        places = sum(blocks)
    title = _lines(content.title_chars * _TITLE_CHAR, inner) * _TITLE_LINE
    meta = _lines((content.date_chars + _COUNTS) * _META_CHAR, inner) * _META_LINE
    note = 2 + _NOTE_LINE * _lines(_NOTE, inner) if content.other_language else 0
    # A consent facade: 137-214 px by language and width (its texts wrap differently).
    media = 215 if width < 360 else 200 if width < 480 else 160
    footer = 49 if width < 420 else 32
    organize = (
        8 + _ORGANIZE_LINE * _lines(content.organize * _ORGANIZE_CHAR, inner)
        if content.organize
        else 0
    )
    # The map: 8 px above it, as wide as the text, ASPECT times wider than tall.
    shown_map = 8 + math.ceil(inner / ASPECT) if content.map else 0
    return (
        _CHROME
        + title
        + note
        + meta
        + shown_map
        + places
        + organize
        + content.media * media
        + footer
    )
