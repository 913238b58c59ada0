"""Days as people read them: one date, or a range through CLDR's interval formats (Babel).

``format_days(first, last, kind, language)`` writes one day with Babel's ``format_date``
and several with ``format_interval``, whose CLDR patterns share what the two ends have in
common ("Feb 7 - 11, 2025", "vr 7 - di 11 feb 2025", with CLDR's dashes). ``kind`` is
``full`` (with weekdays), ``long``, ``medium`` or ``short`` (no year: for a city row).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal

from babel import dates as babel_dates

from widget.languages import locale

Kind = Literal["full", "long", "medium", "short"]
# The skeleton of a range of each kind (interval formats exist per skeleton, not per style).
_SKELETONS: dict[str, str] = {
    "full": "yMMMEd",
    "long": "yMMMMd",
    "medium": "yMMMd",
    "short": "MMMEd",
}


@lru_cache(maxsize=4096)
def format_days(first: date, last: date | None, kind: Kind, language: str) -> str:
    """``first`` alone, or the range from ``first`` to ``last``, in ``language``."""
    where = locale(language)
    if last is None or last <= first:
        if kind == "short":
            return babel_dates.format_skeleton(_SKELETONS[kind], first, locale=where)
        return babel_dates.format_date(first, format=kind, locale=where)
    return babel_dates.format_interval(first, last, _SKELETONS[kind], locale=where)
