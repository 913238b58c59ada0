"""``sources.yaml``: the calendar feeds a data directory declares, validated like event files.

::

    sources:
    - name: PauseAI London                 # shown on /healthz and /metrics; unique
      url: https://api.lu.ma/ics/get?entity=calendar&id=cal-abc123
      language: en                         # the language of the feed's text (default en)
      country: GB                          # for events whose LOCATION names no country
      filter:                              # optional: only events matching one of these
        keywords: [protest, demonstration] #   (in the title or description) are used,
        categories: [Protest]              #   (an iCalendar CATEGORIES value)   new or not
      organizer: {name: PauseAI UK, url: https://pauseai.uk}

A missing file means no feeds. Problems come back as ``FILE:LINE: field: problem``, like
``widget.store``'s, whose YAML reading and line mapping this module reuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator

from widget.localized_names import fold
from widget.model import Country, Language, Organizer, ShortText, Strict, Url
from widget.problems import Problem, errors_of, field_error, field_path
from widget.store import (
    SOURCES_FILE,
    _line_of,
    _parse_yaml,
    _read_text,
)
from widget.text import slugify

MAX_SOURCES = 50
Keyword = Annotated[str, Field(min_length=1, max_length=100)]


class FeedFilter(Strict):
    """Which of a feed's events are used: to enrich a file's location or as events of
    their own. An event the filter rejects touches nothing."""

    keywords: Annotated[tuple[Keyword, ...], Field(max_length=50)] = ()
    categories: Annotated[tuple[Keyword, ...], Field(max_length=50)] = ()

    def accepts(self, text: str, categories: tuple[str, ...]) -> bool:
        """True when a keyword occurs in ``text`` or a category matches (case- and
        accent-insensitive), or when the filter names neither."""
        if not self.keywords and not self.categories:
            return True
        folded = fold(text)
        if any(fold(keyword) in folded for keyword in self.keywords):
            return True
        wanted = {fold(category) for category in self.categories}
        return any(fold(category) in wanted for category in categories)


class Source(Strict):
    """One calendar feed."""

    name: ShortText
    url: Url
    language: Language = "en"
    country: Country | None = None
    filter: FeedFilter = Field(default_factory=FeedFilter)
    organizer: Organizer | None = None

    @property
    def key(self) -> str:
        """A stable id from the name: state file names and metrics labels."""
        return slugify(self.name) or "source"


class SourceList(Strict):
    """The whole file."""

    sources: Annotated[tuple[Source, ...], Field(max_length=MAX_SOURCES)] = ()

    @model_validator(mode="after")
    def _unique(self) -> SourceList:
        seen: dict[str, int] = {}
        for index, source in enumerate(self.sources):
            if source.key in seen:
                raise field_error(
                    ("sources", index, "name"),
                    f"same name as sources.{seen[source.key]} (names must differ)",
                )
            seen[source.key] = index
        return self


def load_sources(root: Path) -> tuple[tuple[Source, ...] | None, list[Problem]]:
    """The sources declared in ``root/sources.yaml`` (none when there is no such file),
    or None with every problem."""
    path = root / SOURCES_FILE
    if not path.exists() and not path.is_symlink():
        return (), []
    problems: list[Problem] = []
    text = _read_text(path, root, SOURCES_FILE, problems)
    if text is None:
        return None, problems
    parsed = _parse_yaml(text, SOURCES_FILE, problems)
    if parsed is None:
        return None, problems
    try:
        listing = SourceList.model_validate(parsed.data)
    except ValidationError as error:
        problems.extend(
            Problem(SOURCES_FILE, field_path(loc), message, _line_of(parsed, loc))
            for loc, message in errors_of(error)
        )
        return None, problems
    return listing.sources, []
