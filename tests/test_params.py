"""Query parameter parsing: types, bounds, normalization and messages."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from widget.errors import BadRequest
from widget.params import ViewOptions, parse_view


def parse(query: str) -> ViewOptions:
    return parse_view(QueryParams(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ViewOptions()),
        ("lang=nl", ViewOptions(lang="nl")),
        ("lang=PT-br", ViewOptions(lang="pt-BR")),  # case and separator are forgiven
        ("lang=pt_BR", ViewOptions(lang="pt-BR")),
        ("theme=dark", ViewOptions(theme="dark")),
        ("accent=%23FF9416", ViewOptions(accent="#ff9416")),  # lower-cased: one cache entry
        ("country=nl,DE,nl", ViewOptions(countries=("DE", "NL"))),  # sorted, unique, upper
        ("country=%20nl%20,%20", ViewOptions(countries=("NL",))),  # blanks and empty items
        ("city=london,den-haag,london", ViewOptions(cities=("den-haag", "london"))),
        ("utm_source=x&foo=bar", ViewOptions()),  # unknown parameters are ignored
    ],
)
def test_valid_values_are_normalized(query: str, expected: ViewOptions) -> None:
    """Valid values parse to one canonical form, so equal requests share a cache entry."""
    assert parse(query) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("lang=xx", "lang"),
        ("lang=", "lang"),
        ("lang=en&lang=nl", "lang"),  # repeated: which one would we honour?
        ("lang=" + "e" * 600, "lang"),  # too long
        ("lang=<script>", "lang"),
        ("theme=blue", "theme"),
        ("theme=DARK", "theme"),
        ("theme=", "theme"),
        ("accent=red", "accent"),
        ("accent=ff9416", "accent"),  # the hash is required
        ("accent=%23ff941", "accent"),  # five digits
        ("accent=%23ff9416aa", "accent"),  # alpha is not accepted
        ("accent=%23ggg000", "accent"),
        ("accent=%23ff9416;color:red", "accent"),  # CSS injection attempt
        ("country=NLD", "country"),  # alpha-3
        ("country=N1", "country"),
        ("country=%EF%BC%AE%EF%BC%AC", "country"),  # full-width NL
        ("country=" + ",".join(["NL"] * 60), "country"),  # too many items
        ("city=London", "city"),  # ids are lower case
        ("city=../etc", "city"),
        ("city=a_b", "city"),
        ("city=-x", "city"),
    ],
)
def test_malformed_values_name_the_parameter(query: str, parameter: str) -> None:
    """A malformed known parameter raises BadRequest naming that parameter."""
    with pytest.raises(BadRequest) as raised:
        parse(query)
    assert raised.value.parameter == parameter
    assert parameter in raised.value.message
    assert raised.value.status == 400


def test_query_round_trips() -> None:
    """ViewOptions.query() produces a query string that parses back to the same options."""
    options = ViewOptions(
        lang="nl", theme="dark", accent="#123456", countries=("DE", "NL"), cities=("london",)
    )
    assert parse(options.query()) == options
