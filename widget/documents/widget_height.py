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

The upcoming-events widget (``UpcomingContent``: per event its title, date line, city
chips and "and N more" line) and the compact banner (``BannerContent``: title and date
line beside one button, each clamped to two lines, so never taller than
``COMPACT_MAX``) have estimates of their own, measured the same way
(``tests/test_compact_browser.py`` checks both).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import jinja2

from widget.date_ranges import format_days
from widget.documents.banner_view import BannerView
from widget.documents.upcoming_view import UpcomingView
from widget.documents.widget_view import CityView, WidgetView
from widget.documents.world_map import ASPECT
from widget.platforms import Platform


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
    # nearest.js's panel above the cities (shown where the visitor's zone has a place): its
    # note, the "Use my location" button, the "nearest is far away" line with the reach.
    nearby: int = 0  # characters of its longest note (0: no panel)
    mark: int = 0  # characters of the "closest to you" mark
    locate: bool = False
    far: int = 0  # characters of the "nearest is far away" line (0: the event has no reach)
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
            nearby=len(labels["nearby"]) if view.located else 0,
            mark=len(labels["mark"]) if view.located else 0,
            locate=view.located and view.geolocation,
            far=len(labels["far"]) if view.located and view.reach_km is not None else 0,
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
    banner = environment.get_template("_banner_words.html").module
    found.update({f"action:{a}": str(banner.action(a)) for a in ("signup", "page", "organize")})  # type: ignore[attr-defined]
    found.update({s: str(banner.status(s)) for s in ("postponed",)})  # type: ignore[attr-defined]
    found["nothing planned"] = str(banner.nothing())  # type: ignore[attr-defined]
    near = environment.get_template("_nearest_words.html").module
    notes = (near.zone_note(), near.position_note(), near.unavailable_note())  # type: ignore[attr-defined]
    found["nearby"] = max((str(note) for note in notes), key=len)
    found["far"] = str(near.far())  # type: ignore[attr-defined]
    found["mark"] = str(near.mark())  # type: ignore[attr-defined]
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
# nearest.js's panel, 13 px, 8 px above: its note, the button below it, and the bold
# "nearest is in …, about … km away" line with the link; the "closest to you" mark (12 px
# bold with its border) may wrap its city's row onto one more line.
_NEARBY_CHAR, _NEARBY_LINE = 6.6, 18
_LOCATE = 6 + 30
_MARK_WIDTH = 14  # the mark's border, padding and gap
_MARKED = 21


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


def row_width(row: Row) -> float:
    """A row's first line in pixels: its city, mark and signup label side by side."""
    city = row.city * _CITY_CHAR + (row.mark * _MARK_CHAR + _ROW_GAP if row.mark else 0)
    return city + (_ROW_GAP + _ICON + row.label * _LABEL_CHAR if row.label else 0)


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
    nearby = 0
    if content.nearby:
        nearby = 8 + _NEARBY_LINE * _lines(content.nearby * _NEARBY_CHAR, inner)
        # The mark wraps the row when it does not fit beside the longest city's row.
        widest = max((row_width(row) for group in content.groups for row in group.rows), default=0)
        mark = content.mark * _MARK_CHAR + _MARK_WIDTH
        if widest + mark > (column - _HEADINGS):
            nearby += _MARKED
    if content.locate:
        nearby += _LOCATE
    if content.far:
        # The city's name and the distance replace {city} and {distance}: 30 characters.
        words = (content.far + 30) * _ORGANIZE_CHAR + content.organize * _ORGANIZE_CHAR
        nearby += 6 + _ORGANIZE_LINE * _lines(words, inner)
    # The map: 8 px above it, as wide as the text, ASPECT times wider than tall.
    shown_map = 8 + math.ceil(inner / ASPECT) if content.map else 0
    return (
        _CHROME
        + title
        + note
        + meta
        + nearby
        + shown_map
        + places
        + organize
        + content.media * media
        + footer
    )


# --- the upcoming-events widget ----------------------------------------------------------


@dataclass(frozen=True)
class EventBlock:
    """One event of the upcoming-events widget, by the length of its texts."""

    title: int  # characters of its title
    meta: int  # characters of its date line (status, days, counts)
    chips: tuple[int, ...]  # characters of each city chip (name and any mark beside it)
    more: bool = False  # an "and N more cities" line follows


@dataclass(frozen=True)
class UpcomingContent:
    """What the upcoming-events widget shows, as far as its height depends on it."""

    events: tuple[EventBlock, ...]
    organize: int = 0  # characters of the "organize one" call to action (0: none)

    @classmethod
    def of(cls, view: UpcomingView, labels: Mapping[str, str]) -> UpcomingContent:
        """What an upcoming view shows; ``labels`` as for ``Content.of``."""
        blocks = []
        for item in view.items:
            event = item.view
            days = format_days(event.date, event.end_date, "full", view.language)
            chips = []
            for city, country in item.cities:
                name = len(city.name or labels[city.kind]) + (
                    len(country.name) + 3 if city.kind == "open" else 0
                )
                shows_mark = not city.linked or not event.signups_open
                mark = city.status in ("cancelled", "moved_online", "tba") and shows_mark
                chips.append(name + (len(labels[city.status]) + 1 if mark else 0))
            blocks.append(
                EventBlock(len(event.title), len(days) + _COUNTS, tuple(chips), item.more > 0)
            )
        return cls(tuple(blocks), len(labels["organize"]) if view.organize_link else 0)


_EVENT_TITLE_CHAR, _EVENT_TITLE_LINE = 9.2, 19.5  # 15 px bold
_EVENT_META_CHAR, _EVENT_META_LINE = 7.2, 18.2  # 13 px
_CHIP_CHAR, _CHIP_PADDING, _CHIP_GAP, _CHIP_LINE = 8.0, 18, 6, 28  # 13 px bold, 24 px targets
_EVENT_CHROME = 1 + 14 + 4  # border, padding, the chips' margin
_MORE_LINE = 4 + 19
_UPCOMING_CHROME = 4 + 16 + 23 + 6 + 6  # border, main's padding, the heading, list margin, slack


def _chip_lines(chips: tuple[int, ...], space: float) -> int:
    """Lines of wrapped chips (each at most a line wide) in ``space`` pixels."""
    lines, used = 0, space
    for chars in chips:
        width = min(space, chars * _CHIP_CHAR + _CHIP_PADDING)
        if used + _CHIP_GAP + width > space:
            lines, used = lines + 1, width
        else:
            used += _CHIP_GAP + width
    return lines


def estimate_upcoming_height(content: UpcomingContent, width: int) -> int:
    """The upcoming-events widget's height in pixels at ``width``, erring on the tall side."""
    inner = max(width - _SIDES, 100)
    events = 0.0
    for block in content.events:
        events += _EVENT_CHROME
        events += _EVENT_TITLE_LINE * _lines(block.title * _EVENT_TITLE_CHAR, inner)
        events += _EVENT_META_LINE * _lines(block.meta * _EVENT_META_CHAR, inner)
        events += _CHIP_LINE * _chip_lines(block.chips, inner)
        events += _MORE_LINE if block.more else 0
    empty = 0 if content.events else _EMPTY
    footer = 49 if width < 420 else 32
    organize = (
        8 + _ORGANIZE_LINE * _lines(content.organize * _ORGANIZE_CHAR, inner)
        if content.organize
        else 0
    )
    return math.ceil(_UPCOMING_CHROME + events + empty + organize + footer)


# --- the compact banner ------------------------------------------------------------------


@dataclass(frozen=True)
class BannerContent:
    """What the compact banner shows, as far as its height depends on it."""

    title: int  # characters of the title (or of "Nothing planned yet.")
    meta: int  # characters of the date line and city (0: no line)
    action: int  # characters of the button's visible label (0: no button)

    @classmethod
    def of(cls, view: BannerView, labels: Mapping[str, str]) -> BannerContent:
        """What a banner view shows; ``labels`` as for ``Content.of`` (and the buttons')."""
        event = view.view
        if event is None:
            title, meta = len(labels["nothing planned"]), 0
        else:
            days = format_days(event.date, event.end_date, "medium", view.language)
            city = view.city
            where = len(city.city.name or labels[city.city.kind]) + 3 if city else 0
            status = len(labels[event.status]) + 1 if event.status in labels else 0
            title, meta = len(event.title), len(days) + where + status + (12 if event.past else 0)
        action = len(labels[f"action:{view.action}"]) if view.action else 0
        return cls(title, meta, action)


COMPACT_MAX = 100  # two lines of title and two of dates: the most a banner can be
_BANNER_CHROME = 4 + 16  # top border, padding
_BANNER_TITLE_CHAR, _BANNER_TITLE_LINE = 9.2, 19.5
_BANNER_META_CHAR, _BANNER_META_LINE = 7.2, 17.6
_ACTION_CHAR, _ACTION_PADDING, _ACTION_HEIGHT = 8.8, 28, 36
_BANNER_SIDES = 24 + 12  # padding and the gap before the button


def estimate_compact_height(content: BannerContent, width: int) -> int:
    """The compact banner's height in pixels at ``width`` (at most ``COMPACT_MAX``)."""
    button = (
        min(content.action * _ACTION_CHAR + _ACTION_PADDING, width * 0.45) if content.action else 0
    )
    space = max(width - _BANNER_SIDES - button, 60)
    title = _BANNER_TITLE_LINE * min(2, _lines(content.title * _BANNER_TITLE_CHAR, space))
    meta = (
        _BANNER_META_LINE * min(2, _lines(content.meta * _BANNER_META_CHAR, space))
        if content.meta
        else 0
    )
    text = max(title + meta, _ACTION_HEIGHT if content.action else 0)
    return min(COMPACT_MAX, math.ceil(_BANNER_CHROME + text + 4))


AnyContent = Content | UpcomingContent | BannerContent


def estimate(content: AnyContent, width: int) -> int:
    """The height at ``width`` of whichever widget ``content`` describes."""
    if isinstance(content, BannerContent):
        return estimate_compact_height(content, width)
    if isinstance(content, UpcomingContent):
        return estimate_upcoming_height(content, width)
    return estimate_height(content, width)
