"""Each route's declared query parser (widget/params.py): memoized by the raw query string,
bounded, sharing frozen results, refusing afresh each time; the only reader of queries."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from widget.errors import BadRequest, FormatNotAvailable, HTTPProblem
from widget.params import (
    CARD,
    CLICK,
    EMBED,
    EVENT_CALENDAR,
    EVENT_PAGE,
    EVENTS_INDEX,
    MAX_MEMO_QUERY,
    OEMBED,
    PUBLISH,
    SITE_FEED,
    UPCOMING_WIDGET,
    CardQuery,
    Format,
    IndexQuery,
    OEmbedQuery,
    QueryParser,
    ViewOptions,
    parse_card,
    parse_view,
)

WIDGET = Path(__file__).parent.parent / "widget"
PNG = "/events/2024-05-13-international-protest.png"

# (parser, a valid query of its parameters)
PARSERS = [
    (EVENT_PAGE, "lang=de&theme=dark"),
    (EVENT_CALENDAR, "city=london,berlin&country=GB"),
    (EVENTS_INDEX, "page=2&lang=nl"),
    (SITE_FEED, "lang=fr"),
    (CARD, "lang=de&w=600"),
    (EMBED, "layout=compact&accent=%23FF9416&map=1"),
    (UPCOMING_WIDGET, "limit=5&country=nl,de"),
    (OEMBED, "url=https%3A%2F%2Fx.example%2Fevents%2Fnext&format=xml&maxwidth=500&dnt=1"),
    (PUBLISH, "event=upcoming&country=NL&country=DE&consent=click"),
    (CLICK, "site=https%3A%2F%2Fblog.example.org"),
]


@pytest.mark.parametrize(("parser", "query"), PARSERS)
def test_results_are_shared_immutable_and_hashable(parser: QueryParser[object], query: str) -> None:
    """Every route's result is frozen (it is shared) and hashable (it is a cache key part)."""
    first = parser.parse(query)
    assert parser.parse(query) is first  # the same query string: the remembered object
    hash(first)
    if dataclasses.is_dataclass(first):
        name = dataclasses.fields(first)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(first, name, None)


def test_each_route_parses_what_it_declares() -> None:
    """The declared parsers give the values of their own parameters only."""
    assert EVENT_PAGE.parse("lang=de&theme=dark&layout=compact") == ViewOptions(
        lang="de", theme="dark"
    )
    assert EVENTS_INDEX.parse("page=2&lang=nl") == IndexQuery(page=2, lang="nl")
    assert CARD.parse("lang=de&w=600") == CardQuery(lang="de", width=600)
    assert CARD.parse(b"w=") == CardQuery()  # an empty w: full size
    assert OEMBED.parse("url=u&format=xml&maxheight=300") == OEmbedQuery(
        url="u", format=Format.XML, maxheight=300
    )
    assert EMBED.parse("layout=compact&limit=3") == ViewOptions(layout="compact")
    assert UPCOMING_WIDGET.parse("layout=compact&limit=3") == ViewOptions(layout="compact", limit=3)
    assert CLICK.parse("site=a&site=b") is None  # garbled: no site, never an error
    assert SITE_FEED.parse("") is None


def test_the_memo_counts_hits_and_is_bounded() -> None:
    """A repeated query string is a hit; the memo never holds more than its size."""
    parser = QueryParser(parse_view, size=3)
    parser.parse("lang=de")
    parser.parse("lang=de")
    assert parser.memo_info() == (1, 1, 1)
    for number in range(10):
        parser.parse(f"x={number}")
    assert parser.memo_info()[2] == 3


def test_a_long_query_is_parsed_but_not_remembered() -> None:
    """Past MAX_MEMO_QUERY bytes a query is parsed each time, so keys stay small."""
    parser = QueryParser(parse_view)
    query = "lang=de&x=" + "a" * MAX_MEMO_QUERY
    assert parser.parse(query) == ViewOptions(lang="de")
    assert parser.memo_info() == (0, 0, 0)


def test_a_remembered_refusal_is_raised_afresh() -> None:
    """A malformed query is refused from the memo with a new error of the same kind each
    time (one exception object raised twice would pile up tracebacks)."""
    parser = QueryParser(parse_card)
    errors: list[HTTPProblem] = []
    for _ in range(2):
        with pytest.raises(BadRequest) as caught:
            parser.parse("w=0")
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    assert [(error.message, error.parameter) for error in errors] == [
        ("Invalid w (expected an integer between 1 and 1200).", "w")
    ] * 2
    assert parser.memo_info()[:2] == (1, 1)
    with pytest.raises(FormatNotAvailable) as format_error:  # the kind is kept: a 501
        OEMBED.parse("url=u&format=yaml").refuse()
    assert format_error.value.parameter == "format"


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ("format=", 400, "url"),  # no url: that is said first
        ("url=https%3A%2F%2Fevil.example%2Fevents%2Fnext&format=yaml", 404, "url"),
        ("url=https%3A%2F%2Fevil.example%2Fevents%2Fnext&maxwidth=0", 404, "url"),
        ("url=https%3A%2F%2Fwidget.example.org%2Fevents%2Fnext&format=yaml", 501, "format"),
        ("url=https%3A%2F%2Fwidget.example.org%2Fevents%2Fnext&dnt=2", 400, "dnt"),
    ],
)
def test_oembed_names_a_bad_url_before_its_other_parameters(
    client: TestClient, query: str, status: int, parameter: str
) -> None:
    """oEmbed checks its url first: its other parameters are refused only for a good url."""
    response = client.get(f"/oembed?{query}")
    assert (response.status_code, response.json()["parameter"]) == (status, parameter)


# What the card's newly declared parameters refuse (each a 400 naming the parameter).
HOSTILE_CARD = [
    ("lang=xx", "lang"),
    ("lang=", "lang"),
    ("lang=de&lang=nl", "lang"),  # repeated: which one would we draw?
    ("lang=" + "d" * 600, "lang"),  # too long
    ("lang=%3Cscript%3E", "lang"),
    ("w=600&w=300", "w"),  # repeated
    ("w=%00", "w"),
    ("w=" + "9" * 600, "w"),  # too long before it is a number
]


@pytest.mark.parametrize(("query", "parameter"), HOSTILE_CARD)
def test_hostile_card_parameters_are_json_400s(
    client: TestClient, query: str, parameter: str
) -> None:
    """The card refuses each malformed parameter by name, twice alike (the memo)."""
    for _ in range(2):
        response = client.get(f"{PNG}?{query}")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json"
        assert response.json()["parameter"] == parameter


# The ways a module could read a query string itself.
QUERY_READERS = re.compile(r"query_params|parse_qsl?\b|QueryParams|query_string")
# The fast path keys remembered answers by the raw bytes, and the URL builder writes query
# strings (urlencode); neither parses one.
KEYS_ONLY = {"ready_answers.py", "urls.py"}


def test_only_params_reads_query_strings() -> None:
    """No module of widget/ but params.py parses a query string (ready_answers only keys
    by the raw bytes, urls only writes them)."""
    readers = sorted(
        str(path.relative_to(WIDGET))
        for path in WIDGET.rglob("*.py")
        if QUERY_READERS.search(path.read_text(encoding="utf-8"))
    )
    assert readers == sorted(["params.py", *KEYS_ONLY])
