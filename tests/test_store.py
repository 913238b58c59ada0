"""Loading data directories: every broken file is named with its path, line, field and problem."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from widget import store
from widget.store import MAX_FILE_BYTES, Problem, load

SAMPLE = Path(store.__file__).parent / "sample_data"
SLUG = "2024-05-13-international-protest"
EVENT = f"{SLUG}/event.yaml"

Mutation = Callable[[Path], None]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A fresh copy of the bundled sample data directory."""
    root = tmp_path / "data"
    shutil.copytree(SAMPLE, root)
    return root


def _edit_event(change: Callable[[dict[str, Any]], object]) -> Mutation:
    """A mutation that changes the parsed event.yaml and writes it back."""

    def mutate(event_dir: Path) -> None:
        path = event_dir / "event.yaml"
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(content)
        path.write_text(
            yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    return mutate


def _write(name: str, content: str | bytes) -> Mutation:
    def mutate(event_dir: Path) -> None:
        target = event_dir / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return mutate


def _replace_in(name: str, old: str, new: str) -> Mutation:
    def mutate(event_dir: Path) -> None:
        path = event_dir / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _event_yaml_as_directory(event_dir: Path) -> None:
    (event_dir / "event.yaml").unlink()
    (event_dir / "event.yaml").mkdir()


def _line_of(root: Path, relative: str, marker: str | None) -> int | None:
    """The 1-based line of the first line holding ``marker`` in a file of the data dir."""
    if marker is None:
        return None
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if marker in line)


BROKEN: list[Any] = [
    # (mutation, path, field, marker whose line the problem names or None, message part)
    pytest.param(
        _edit_event(lambda e: e["locations"][0].pop("country")),
        EVENT,
        "locations.0.country",
        "- city: San Francisco",
        "Field required",
        id="missing-field",
    ),
    pytest.param(
        _edit_event(lambda e: e["locations"][2].update(signup_url="javascript:alert(1)")),
        EVENT,
        "locations.2.signup_url",
        "javascript:",
        "must be absolute",
        id="javascript-url",
    ),
    # The path names the link within the location's links.
    pytest.param(
        _edit_event(
            lambda e: (
                e["locations"][3].pop("signup_url")
                and e["locations"][3].update(
                    links=[{"url": "https://lu.ma/x"}, {"url": "javascript:alert(1)"}]
                )
            )
        ),
        EVENT,
        "locations.3.links.1.url",
        "javascript:",
        "must be absolute",
        id="second-link-url",
    ),
    pytest.param(
        _edit_event(
            lambda e: (
                e["locations"][3].pop("signup_url")
                and e["locations"][3].update(links=[{"url": "mailto:a@example.org?bcc=b@evil.org"}])
            )
        ),
        EVENT,
        "locations.3.links.0.url",
        "mailto:",
        "not one plain address",
        id="mailto-with-header",
    ),
    pytest.param(
        _edit_event(
            lambda e: (
                e["locations"][2].pop("signup_url") and e["locations"][2].update(status="scheduled")
            )
        ),
        EVENT,
        "locations.2.links",
        "- city: Berlin",
        "a scheduled location needs a signup link",
        id="scheduled-without-link",
    ),
    pytest.param(
        _edit_event(lambda e: e["locations"][1].update(links=[{"url": "https://lu.ma/x"}])),
        EVENT,
        "locations.1.signup_url",
        "signup_url: https://www.eventbrite",
        "either signup_url or links",
        id="signup-url-and-links",
    ),
    pytest.param(
        _edit_event(lambda e: e.update(end_date="2024-05-12")),
        EVENT,
        "end_date",
        "end_date:",
        "before the event's date",
        id="end-before-start",
    ),
    pytest.param(
        _edit_event(lambda e: e["press"][1].update(url="https://me:secret@time.com/x")),
        EVENT,
        "press.1.url",
        "me:secret@",
        "must not contain credentials",
        id="url-with-credentials",
    ),
    pytest.param(
        _edit_event(lambda e: e["locations"][1].update(country="XX")),
        EVENT,
        "locations.1.country",
        "country: XX",
        "unknown country code 'XX'",
        id="unknown-country",
    ),
    # 'Berlín' slugs to the same id as the 'Berlin' before it: accents don't make ids differ.
    pytest.param(
        _edit_event(lambda e: e["locations"][3].update(city="Berlín")),
        EVENT,
        "locations.3.id",
        "city: Berlín",
        "duplicate location id 'berlin'",
        id="duplicate-city-id",
    ),
    pytest.param(
        _edit_event(lambda e: e.update(colour="red")),
        EVENT,
        "colour",
        "colour: red",
        "Extra inputs are not permitted",
        id="unknown-key",
    ),
    pytest.param(
        _edit_event(lambda e: e["locations"][4].update(venu="Piazza")),
        EVENT,
        "locations.4.venu",
        "venu: Piazza",
        "Extra inputs are not permitted",
        id="unknown-nested-key",
    ),
    pytest.param(
        _write("event.yaml", "date: 2024-05-13\nlocations:\n  - city: Rome\n   country: IT\n"),
        EVENT,
        "",
        "   country: IT",
        "invalid YAML",
        id="invalid-yaml",
    ),
    pytest.param(
        _write("nl.md", b"---\ntitle: Caf\xe9\n---\n"),
        f"{SLUG}/nl.md",
        "",
        None,
        "not valid UTF-8 (byte 14: 0xe9)",
        id="non-utf8",
    ),
    pytest.param(
        _write("en.md", "---\ntitle: Big\n---\n" + "x" * MAX_FILE_BYTES),
        f"{SLUG}/en.md",
        "",
        None,
        "file too large",
        id="over-large-file",
    ),
    pytest.param(
        _event_yaml_as_directory,
        EVENT,
        "",
        None,
        "is a directory, expected a file",
        id="file-is-a-directory",
    ),
    pytest.param(
        _edit_event(lambda e: e["locations"][0].update(timezone="Mars/Olympus")),
        EVENT,
        "locations.0.timezone",
        "Mars/Olympus",
        "unknown time zone",
        id="bad-time-zone",
    ),
    # Klingon is not among the supported languages.
    pytest.param(
        _write("tlh.md", "---\ntitle: Qapla'\n---\n"),
        f"{SLUG}/tlh.md",
        "",
        None,
        "unexpected file",
        id="unsupported-language",
    ),
    pytest.param(
        _edit_event(lambda e: e.update(slug="other-slug")),
        EVENT,
        "slug",
        "slug: other-slug",
        "the directory name is the slug",
        id="slug-in-event-yaml",
    ),
    pytest.param(
        _replace_in("nl.md", "cities:\n", "cities:\n  atlantis: Atlantis\n"),
        f"{SLUG}/nl.md",
        "cities.atlantis",
        "atlantis:",
        "no location with that id",
        id="override-unknown-city",
    ),
    pytest.param(
        _edit_event(lambda e: e["media"][0].update(url="https://vimeo.com/123")),
        EVENT,
        "media.0.url",
        "vimeo.com",
        "unsupported media host",
        id="unsupported-media",
    ),
    pytest.param(
        _edit_event(lambda e: e["locations"][5].update(start_time="12:00")),
        EVENT,
        "locations.5.timezone",
        "city: Stockholm",
        "required when a start time is given",
        id="time-without-zone",
    ),
    pytest.param(
        _edit_event(lambda e: e.update(date="2024-02-30")),
        EVENT,
        "date",
        "2024-02-30",
        "day value is outside expected range",
        id="impossible-date",
    ),
    pytest.param(
        _write("en.md", "---\ntitle: x\nbody: Hello\n---\n"),
        f"{SLUG}/en.md",
        "body",
        None,
        "write the body as Markdown",
        id="body-in-yaml",
    ),
    pytest.param(
        _write("en.md", "Just Markdown, no front matter.\n"),
        f"{SLUG}/en.md",
        "",
        None,
        "expected YAML front matter",
        id="no-front-matter",
    ),
    pytest.param(
        _write("en.md", "---\ntitle: " + "t" * 201 + "\n---\n"),
        f"{SLUG}/en.md",
        "title",
        "title:",
        "at most 200 characters",
        id="long-title",
    ),
    pytest.param(
        lambda event_dir: (event_dir / "event.yaml").unlink(),
        EVENT,
        "",
        None,
        "missing: every event needs one",
        id="no-event-yaml",
    ),
    pytest.param(
        _write("event.yaml", "- just\n- a list\n"),
        EVENT,
        "",
        None,
        "expected a mapping",
        id="not-a-mapping",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "field", "marker", "message"), BROKEN)
def test_broken_event(
    data: Path, mutate: Mutation, path: str, field: str, marker: str | None, message: str
) -> None:
    """Each broken file gives exactly one problem naming its path, line, field and problem."""
    mutate(data / SLUG)
    catalog, problems = load(data)
    assert catalog is None
    [problem] = problems
    assert (problem.path, problem.line, problem.field) == (
        path,
        _line_of(data, path, marker),
        field,
    )
    assert message in problem.message
    where = f"{path}:{problem.line}" if problem.line else path
    assert str(problem) == (
        f"{where}: {field}: {problem.message}" if field else f"{where}: {problem.message}"
    )


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda root: None, Problem(".", "", "no events: add a directory per event")),
        # A stray file beside the event directories.
        (
            lambda root: (root / "README.md").write_text("hi"),
            Problem("README.md", "", "expected a directory per event, found a file"),
        ),
        (
            lambda root: (root / "Not A Slug").mkdir(),
            Problem(
                "Not A Slug", "", "directory name is the slug: lower-case letters, digits and '-'"
            ),
        ),
    ],
    ids=["empty", "stray-file", "bad-directory-name"],
)
def test_broken_data_directory(
    tmp_path: Path, setup: Callable[[Path], object], expected: Problem
) -> None:
    """An empty data directory or a misplaced entry in it is reported, not raised."""
    setup(tmp_path)
    assert load(tmp_path) == (None, [expected])


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_data_directory_itself_missing(tmp_path: Path, kind: str) -> None:
    """A data directory that is missing or is a file gives one problem, on "." (paths are
    relative to the data directory, so /healthz never shows where it lives)."""
    root = tmp_path / "data"
    if kind == "file":
        root.write_text("")
    catalog, [problem] = load(root)
    assert catalog is None
    assert problem.path == "."
    assert problem.message.startswith("data directory")
    assert str(tmp_path) not in str(problem)


def test_every_problem_in_one_pass(data: Path) -> None:
    """Problems in several events and several fields are all reported by one load."""
    second = data / "2024-06-01-second-protest"
    shutil.copytree(data / SLUG, second)
    _edit_event(lambda e: e["locations"][0].update(country="ZZ"))(data / SLUG)
    _edit_event(lambda e: e["locations"][1].update(signup_url="ftp://x.org"))(data / SLUG)
    _write("nl.md", b"\xff\xfe")(second)
    catalog, problems = load(data)
    assert catalog is None
    assert [(p.path, p.field) for p in problems] == [
        (EVENT, "locations.0.country"),
        (EVENT, "locations.1.signup_url"),
        ("2024-06-01-second-protest/nl.md", ""),
    ]


def test_sample_loads(data: Path) -> None:
    """The bundled sample is valid: one event, 14 locations, texts in nl and en."""
    catalog, problems = load(data)
    assert problems == []
    assert catalog is not None
    [event] = catalog.events
    assert (event.slug, len(event.locations), sorted(event.texts)) == (SLUG, 14, ["en", "nl"])


def test_version_follows_content(data: Path) -> None:
    """The version is stable across loads and touches, and changes when a file's content does."""

    def version() -> str:
        catalog, problems = load(data)
        assert catalog is not None, problems
        return catalog.version

    first = version()
    assert version() == first
    os.utime(data / SLUG / "nl.md", (1, 1))  # a new mtime, same content
    assert version() == first
    _replace_in("nl.md", "Dit is", "Dit was")(data / SLUG)
    changed = version()
    assert changed != first
    _edit_event(lambda e: e["press"].pop())(data / SLUG)
    assert version() not in (first, changed)


def test_load_or_raise(data: Path) -> None:
    """load_or_raise returns the catalog, or raises DataError holding every problem."""
    assert len(store.load_or_raise(data)) == 1
    _edit_event(lambda e: e.update(colour="red", slug="x"))(data / SLUG)
    with pytest.raises(store.DataError) as raised:
        store.load_or_raise(data)
    assert [p.field for p in raised.value.problems] == ["slug"]
