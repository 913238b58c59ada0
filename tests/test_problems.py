"""Problems as data (widget/problems.py): pydantic's ``loc`` carries the field path from a
model's own checks to the report; one ``Problem`` prints every kind of report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from widget.feeds.sources import SourceList
from widget.model import Event, Location
from widget.problems import FIELD_ERROR, Problem, field_error, problems_of

WIDGET = Path(__file__).parent.parent / "widget"
LINK = {"url": "https://lu.ma/abc"}


def _event(**changes: Any) -> dict[str, Any]:
    event = {
        "slug": "2024-05-13-rome",
        "date": "2024-05-13",
        "locations": [{"city": "Rome", "country": "IT", "links": [LINK]}],
        "texts": {"en": {"title": "Protest"}},
    }
    return {**event, **changes}


def _errors(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return [(tuple(item["loc"]), item["msg"]) for item in raised.value.errors()]


# (model, data, the one error's loc, its message): checks of the model that find a field
# below it at fault, each at that field's path, the message without a path in it.
MODEL_CHECKS = [
    pytest.param(
        Event,
        _event(
            locations=[
                {"city": "Rome", "country": "IT", "links": [LINK]},
                {"city": "Oslo", "country": "NO", "links": [LINK], "start_time": "12:00"},
            ]
        ),
        ("locations", 1, "timezone"),
        "required when a start time is given",
        id="event-names-a-location-field",
    ),
    pytest.param(
        Event,
        _event(
            locations=[
                {"city": "Rome", "country": "IT", "links": [LINK]},
                {"city": "Oslo", "country": "NO", "signup_url": "https://lu.ma/a", "links": [LINK]},
            ]
        ),
        ("locations", 1, "signup_url"),
        "give either signup_url or links, not both",
        id="location-check-under-the-event",  # pydantic prefixes the location's own loc
    ),
    pytest.param(
        Event,
        _event(texts={"en": {"title": "x", "cities": {"atlantis": "A"}}}),
        ("texts", "en", "cities", "atlantis"),
        "no location with that id",
        id="text-city",
    ),
    pytest.param(
        Location,
        {"city": "Rome"},
        ("country",),
        "Field required (unless the location is online: true)",
        id="location-alone",
    ),
    pytest.param(
        SourceList,
        {
            "sources": [
                {"name": "Luma", "url": "https://lu.ma/x.ics"},
                {"name": "luma", "url": "https://lu.ma/y.ics"},
            ]
        },
        ("sources", 1, "name"),
        "same name as sources.0 (names must differ)",
        id="sources",
    ),
]


@pytest.mark.parametrize(("model", "data", "loc", "message"), MODEL_CHECKS)
def test_model_checks_put_the_field_path_in_loc(
    model: type[BaseModel], data: dict[str, Any], loc: tuple[Any, ...], message: str
) -> None:
    """A model's own check reports at the field's path, not inside its message."""
    assert _errors(model, data) == [(loc, message)]


def test_braces_in_a_message_are_text() -> None:
    """A message holding data (a provider name with braces) is never read as a template."""

    class Checked(BaseModel):
        name: str

        @model_validator(mode="after")
        def _check(self) -> Checked:
            raise field_error(("name",), f"{self.name!r} is not known", self.name)

    with pytest.raises(ValidationError) as raised:
        Checked(name="{x}")
    [item] = raised.value.errors()
    assert (item["type"], item["loc"], item["msg"], item["input"]) == (
        FIELD_ERROR,
        ("name",),
        "'{x}' is not known",
        "{x}",
    )


def test_problems_of_strips_pydantic_prefixes() -> None:
    """A ValueError's text arrives without pydantic's 'Value error, ' before it."""
    with pytest.raises(ValidationError) as raised:
        Event.model_validate(_event(organize_url="ftp://example.org/"))
    assert problems_of(raised.value, "x/event.yaml") == [
        Problem(
            "x/event.yaml",
            "organize_url",
            "URL must be absolute and start with http:// or https://",
        )
    ]


SHOWN = [
    # (a problem, how it prints)
    (Problem("a/event.yaml", "city", "too long", 7), "a/event.yaml:7: city: too long"),
    (Problem("a/event.yaml", "", "missing"), "a/event.yaml: missing"),
    (Problem(line=12, message="skipped", level="warning"), "line 12: skipped"),  # a page's
    (Problem(message="no city list found"), "no city list found"),
]


@pytest.mark.parametrize(("problem", "shown"), SHOWN)
def test_a_problem_prints_the_parts_it_has(problem: Problem, shown: str) -> None:
    """``PATH:LINE: field: message``, leaving out what the problem does not know."""
    assert str(problem) == shown


def test_a_page_problem_is_located_in_its_page() -> None:
    """An importer's problem gets the page's name (and a line found later) when printed."""
    assert Problem(line=3, message="bad").located("page.md") == "page.md:3: bad"
    assert Problem("x/event.yaml", "locations.0.city", "bad", 9).located("page.md", 4) == (
        "page.md:4: locations.0.city: bad"
    )
    assert Problem(message="bad").located("page.md") == "page.md: bad"


def test_only_problems_reads_validation_errors() -> None:
    """No module but widget/problems.py takes a ValidationError's errors apart, and no
    module matches a path at the start of an error message."""
    readers = sorted(
        str(path.relative_to(WIDGET))
        for path in WIDGET.rglob("*.py")
        if re.search(r"\.errors\(\)", path.read_text(encoding="utf-8"))
    )
    assert readers == ["problems.py"]
    path_in_message = re.compile(r"""raise ValueError\(\s*f?["'][\w.{}-]+: """)
    assert not [
        path for path in WIDGET.rglob("*.py") if path_in_message.search(path.read_text("utf-8"))
    ]
