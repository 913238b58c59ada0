"""sources.yaml: the declared feeds, validated with FILE:LINE: field: problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from widget.feeds.sources import FeedFilter, load_sources
from widget.store import load

from feed_scenario import write_data

VALID = """\
sources:
- name: PauseAI London
  url: https://api.lu.ma/ics/get?entity=calendar&id=cal-abc123
  language: en
  country: GB
  filter:
    keywords: [protest]
    categories: [Demo]
- name: PauseAI Nederland
  url: https://calendar.google.com/calendar/ical/x%40group.calendar.google.com/public/basic.ics
  language: nl
"""


def test_a_valid_file(tmp_path: Path) -> None:
    """Every field is read; keys come from the names; defaults fill the rest."""
    (tmp_path / "sources.yaml").write_text(VALID)
    sources, problems = load_sources(tmp_path)
    assert problems == [] and sources is not None
    assert [(s.key, s.language, s.country) for s in sources] == [
        ("pauseai-london", "en", "GB"),
        ("pauseai-nederland", "nl", None),
    ]
    assert sources[0].filter == FeedFilter(keywords=("protest",), categories=("Demo",))
    assert sources[1].filter == FeedFilter()


def test_no_file_means_no_sources(tmp_path: Path) -> None:
    """A data directory without sources.yaml has no feeds and no problem."""
    assert load_sources(tmp_path) == ((), [])


# Each broken file, and how its one problem starts after "sources.yaml:" (line: field: ...).
BROKEN = [
    pytest.param(
        "sources:\n- name: A\n  url: ftp://x.example/\n", "3: sources.0.url: URL must", id="scheme"
    ),
    pytest.param("sources:\n- name: A\n", "2: sources.0.url: Field required", id="no-url"),
    pytest.param(
        "sources:\n- name: A\n  url: https://a.example/\n  language: xx\n",
        "4: sources.0.language: Input should be",
        id="language",
    ),
    pytest.param(
        "sources:\n- name: A\n  url: https://a.example/\n  colour: red\n",
        "4: sources.0.colour: Extra inputs",
        id="unknown-field",
    ),
    pytest.param(
        "sources:\n- name: A\n  url: https://a.example/\n- name: a\n  url: https://b.example/\n",
        "4: sources.1.name: same name as sources.0",
        id="duplicate",
    ),
    pytest.param("sources: [\n", "2: invalid YAML", id="yaml"),
    pytest.param("- a\n- b\n", " expected a mapping", id="not-a-mapping"),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_problems_name_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    """Each problem reads sources.yaml:LINE: field: problem."""
    (tmp_path / "sources.yaml").write_text(text)
    sources, problems = load_sources(tmp_path)
    assert sources is None
    [problem] = problems
    assert str(problem).startswith(f"sources.yaml:{expected}")


def test_the_store_leaves_sources_yaml_to_the_feeds(tmp_path: Path) -> None:
    """sources.yaml beside the event directories is not an 'unexpected file'; a directory
    with nothing but sources.yaml is a valid, empty catalog."""
    root = write_data(tmp_path / "data", "https://a.example/cal.ics")
    catalog, problems = load(root)
    assert problems == [] and catalog is not None and len(catalog) == 1
    only = tmp_path / "only"
    only.mkdir()
    (only / "sources.yaml").write_text(VALID)
    catalog, problems = load(only)
    assert problems == [] and catalog is not None and len(catalog) == 0


@pytest.mark.parametrize(
    ("text", "categories", "accepted"),
    [
        ("Big PROTEST in town", (), True),
        ("Protést", (), True),  # accents folded
        ("Reading group", (), False),
        ("Reading group", ("demo",), True),  # a category matches, case-insensitively
    ],
)
def test_filter(text: str, categories: tuple[str, ...], accepted: bool) -> None:
    """A keyword in the text or a category passes the filter."""
    assert (
        FeedFilter(keywords=("protest",), categories=("Demo",)).accepts(text, categories)
        is accepted
    )
