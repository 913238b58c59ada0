"""Dates and times as PauseAI pages write them, in any supported language.

``find_span`` reads a day and month or a range ('13 mei', 'November 20th-22nd',
'February 7-11' with a hyphen or a dash, '13-15 mei', '30 May - 2 June', '13. bis 15.
Mai', '30 December 2024 - 2 January 2025') with Babel's month names for the page's
language; ``find_times`` reads a time or a time range ('16:30 - 18:00', '4:00 pm GMT',
'10 Uhr', '18h30'); ``resolve_span`` puts a year on a span: a range whose end month comes
before its start month ends in the next year (or in the year written after its end), and a
range that still ends before it starts is a ValueError for the caller to report, never
silently one day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from widget.localized_names import FILLER, calendar
from widget.text import DASHES, fold

# Words that join the two ends of a range, in the supported languages ("and" too: "the
# 10th and 11th of February" is a two-day event).
_RANGE_WORDS = frozenset(
    [
        "to",
        "through",
        "thru",
        "until",
        "till",
        "and",
        "tot",
        "en",
        "t/m",
        "tm",
        "bis",
        "und",
        "au",
        "et",
        "al",
        "a",
        "y",
        "e",
        "till",
        "och",
        "til",
        "og",
        "ate",
    ]
)
_TOKEN = re.compile(rf"\d+|[^\W\d_]+(?:/[^\W\d_]+)?|[{DASHES}]")
_ORDINAL = re.compile(r"^(st|nd|rd|th|e|er|eme|de|ste|o|a|º|°)$")
_YEAR = re.compile(r"(?<!\d)(19|20|21)\d\d(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME = re.compile(
    r"(?<![\d.:,])(\d{1,2})(?:\s?([:.h])\s?(\d{2}))?\s*"
    r"(a\.?\s?m\.?|p\.?\s?m\.?|uur|uhr|u\b|h\b|hs\b)?(?!\d|\.\d)",
    re.I,
)
_TIME_JOIN = re.compile(rf"^\s*(?:[{DASHES}]|to|tot|bis|until|till|à|a|al|til|till|até)\s*$", re.I)


@dataclass(frozen=True)
class Span:
    """A day and month, with the last day and month of a range (None for one day), and the
    years written at both ends of a range ('30 December 2024 - 2 January 2025'), if both are."""

    day: int
    month: int
    end_day: int | None = None
    end_month: int | None = None
    year: int | None = None
    end_year: int | None = None


def _tokens(text: str, language: str, years: dict[int, int] | None = None) -> list[tuple[str, int]]:
    """('day', n), ('month', n) and ('range', 0) tokens; years, fillers and other words
    become ('word', 0) only where they separate a day from a month for good. A year is no
    token: ``years`` maps the index of the token it follows to it."""
    months, weekdays = calendar(language)
    found: list[tuple[str, int]] = []
    words = _TOKEN.findall(fold(text))
    for index, word in enumerate(words):
        if word.isdigit():
            if len(word) <= 2 and 1 <= int(word) <= 31:
                found.append(("day", int(word)))
            elif len(word) != 4:
                found.append(("word", 0))
            elif years is not None and found and _YEAR.fullmatch(word):
                years.setdefault(len(found) - 1, int(word))
        elif word in months:
            found.append(("month", months[word]))
        elif word[0] in DASHES or word in _RANGE_WORDS:
            found.append(("range", 0))
        elif (
            (_ORDINAL.match(word) and index and words[index - 1].isdigit())
            or word in FILLER
            or word in weekdays
        ):
            continue
        else:
            found.append(("word", 0))
    return found


def find_span(text: str, language: str) -> Span | None:
    """The first date or date range written in ``text``, None without a day and month."""
    years: dict[int, int] = {}
    tokens = _tokens(text, language, years)
    kinds = "".join({"day": "d", "month": "m", "range": "-", "word": "w"}[k] for k, _ in tokens)
    values = [v for _, v in tokens]
    patterns = (  # longest first; letters as in ``kinds``
        ("dm-dm", (0, 1, 3, 4)),  # 30 May - 2 June
        ("md-md", (1, 0, 4, 3)),  # May 30 - June 2
        ("d-dm", (0, 3, 2, 3)),  # 13-15 mei
        ("md-d", (1, 0, 3, 0)),  # November 20th-22nd
        ("dm", (0, 1, None, None)),
        ("md", (1, 0, None, None)),
    )
    for start in range(len(tokens)):
        for pattern, (day, month, end_day, end_month) in patterns:
            if kinds.startswith(pattern, start):
                at = [None if i is None else values[start + i] for i in (day, month)]
                end = [None if i is None else values[start + i] for i in (end_day, end_month)]
                if end_day is None or (end[1], end[0]) == (at[1], at[0]):
                    return Span(at[0] or 0, at[1] or 0)  # one day, or '13-13 mei'
                # Years written after both ends ('30 December 2024 - 2 January 2025').
                year = years.get(start + pattern.index("-") - 1)
                end_year = years.get(start + len(pattern) - 1)
                both = year is not None and end_year is not None
                return Span(
                    at[0] or 0,
                    at[1] or 0,
                    end[0],
                    end[1],
                    year if both else None,
                    end_year if both else None,
                )
    return None


def find_year(text: str) -> int | None:
    """The first plausible year (1900-2199) written in ``text``."""
    match = _YEAR.search(text)
    return int(match.group(0)) if match else None


def find_iso_date(text: str) -> date | None:
    """A date written as YYYY-MM-DD in ``text``, if any."""
    match = _ISO_DATE.search(text)
    if match is None:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def resolve_span(span: Span, year: int, year_is_end: bool = False) -> tuple[date, date | None]:
    """The span's first day in ``year`` and its last day: in the year written after the
    range's end when both ends have one, else in the next year when the end month comes
    before the start month ('30 December - 2 January'). A single year written with a range
    that crosses New Year belongs to its end (``year_is_end``: '30 December - 2 January
    2025' starts in 2024). Raises ValueError for '31 February' or a range that ends before
    it starts ('22-20 November', '2 January 2025 - 30 December 2024')."""
    crosses = span.end_month is not None and span.end_month < span.month
    if year_is_end and crosses and span.year is None:
        year -= 1
    first = date(year, span.month, span.day)
    if span.end_day is None or span.end_month is None:
        return first, None
    if span.year is not None and span.end_year is not None:
        end_year = year + span.end_year - span.year
    else:
        end_year = year + (1 if crosses else 0)
    last = date(end_year, span.end_month, span.end_day)
    if last <= first:
        raise ValueError(f"the range ends on {last}, before it starts on {first}")
    return first, last


def front_matter_date(value: object) -> date | None:
    """The date of a front matter ``date:`` (a YAML date, datetime or ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return find_iso_date(value)
    return None


def _clock(match: re.Match[str], meridiem: str | None) -> time | None:
    hour, minute = int(match.group(1)), int(match.group(3) or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _is_time(match: re.Match[str]) -> bool:
    """A number with minutes or a clock word; a bare '13' is a day, not a time."""
    return bool(match.group(3) or match.group(4))


def find_times(text: str) -> tuple[time | None, time | None]:
    """The first time written in ``text`` and, for a range ('16:30 - 18:00'), its end."""
    matches = [m for m in _TIME.finditer(text)]
    for index, match in enumerate(matches):
        following = matches[index + 1] if index + 1 < len(matches) else None
        joined = following is not None and bool(
            _TIME_JOIN.match(text[match.end() : following.start()])
        )
        if not (_is_time(match) or (joined and following is not None and _is_time(following))):
            continue
        own = (match.group(4) or "").replace(".", "").replace(" ", "").lower()
        meridiem = own[:1] if own[:1] in ("a", "p") else None
        if following is not None and joined:
            other = (following.group(4) or "").replace(".", "").replace(" ", "").lower()
            end_meridiem = other[:1] if other[:1] in ("a", "p") else None
            end = _clock(following, end_meridiem)
            start = _clock(match, meridiem or end_meridiem)
            if start and end and start > end and meridiem is None:
                start = _clock(match, None)  # '11 - 2 pm': the start is in the morning
            return start, end
        return _clock(match, meridiem), None
    return None, None
