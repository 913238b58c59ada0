"""Data directories built to hurt the loader: bombs, FIFOs, devices, links and bad names.

Each case must come back as a problem naming the file (relative to the data directory),
quickly and without touching memory or blocking, both from ``load`` (and so ``check`` and
``/healthz``) and from a running app's reload, which keeps the last good data serving.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from widget.app import create_app
from widget.reloader import DataSource
from widget.settings import Settings
from widget.store import MAX_FILE_BYTES, load

from conftest import SAMPLE_SLUG

# One YAML alias bomb: 9 levels of 9 aliases, ~10^9 strings if ever expanded.
BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]\n" for level in range(1, 10)
)
LANG_BOMB = "---\ntitle: Boom\n" + BOMB + "---\nBody\n"

Setup = Callable[[Path], None]


def _write(name: str, content: str | bytes) -> Setup:
    def setup(event: Path) -> None:
        target = event / name
        target.write_bytes(content if isinstance(content, bytes) else content.encode())

    return setup


def _fifo(name: str) -> Setup:
    def setup(event: Path) -> None:
        os.mkfifo(event / name)

    return setup


def _link(name: str, target: str | Callable[[Path], Path]) -> Setup:
    def setup(event: Path) -> None:
        (event / name).unlink(missing_ok=True)
        destination = target(event) if callable(target) else Path(target)
        (event / name).symlink_to(destination)

    return setup


def _bad_name(event: Path) -> None:
    """A file whose name is Latin-1 bytes, not UTF-8 ('caf\\xe9.md')."""
    with open(os.path.join(os.fsencode(event), b"caf\xe9.md"), "wb") as handle:
        handle.write(b"---\ntitle: x\n---\n")


def _outside(event: Path) -> Path:
    secret = event.parent.parent / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nnot data\n", "utf-8")
    return secret


def _huge_inside(event: Path) -> Path:
    big = event / ".big"  # hidden: not itself a data file
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES * 8)
    return big


HOSTILE: list[tuple[str, Setup, str, str]] = [
    # (case id, setup inside the event directory, file named, words in the problem)
    ("alias bomb in a LANG.md front matter", _write("de.md", LANG_BOMB), "de.md", "aliases"),
    ("alias bomb in event.yaml", _write("event.yaml", BOMB), "event.yaml", "aliases"),
    ("a lone anchor", _write("de.md", "---\ntitle: &t T\n---\n"), "de.md", "anchors"),
    ("a FIFO named de.md (open must not block)", _fifo("de.md"), "de.md", "not a regular"),
    ("en.md a link to /dev/zero", _link("en.md", "/dev/zero"), "en.md", "outside"),
    ("en.md a link out of the data directory", _link("en.md", _outside), "en.md", "outside"),
    ("de.md a dangling link", _link("de.md", "/nonexistent/x.md"), "de.md", "outside"),
    ("de.md a link to a huge file inside", _link("de.md", _huge_inside), "de.md", "too large"),
    ("a file name that is not UTF-8", _bad_name, "caf\\xe9.md", "not valid UTF-8"),
]


@pytest.fixture
def event_dir(data_dir: Path) -> Path:
    """The sample event's directory inside a writable copy of the data."""
    return data_dir / SAMPLE_SLUG


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("setup", "name", "words"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_file_is_a_problem_naming_it(
    data_dir: Path, event_dir: Path, setup: Setup, name: str, words: str
) -> None:
    """The loader reports the file, relative to the data directory, and builds no catalog."""
    setup(event_dir)
    catalog, problems = load(data_dir)
    assert catalog is None
    mine = [p for p in problems if p.path == f"{SAMPLE_SLUG}/{name}"]
    assert mine, [str(p) for p in problems]
    assert words in mine[0].message
    assert all(str(data_dir) not in str(problem) for problem in problems)


def test_links_inside_the_data_directory_still_work(data_dir: Path, event_dir: Path) -> None:
    """A symlink to a file inside the data directory is read like the file itself."""
    (event_dir / "shared-en.txt").unlink(missing_ok=True)
    original = event_dir / "en.md"
    keep = data_dir / ".texts"
    keep.mkdir()
    shutil.move(original, keep / "en.md")
    original.symlink_to(keep / "en.md")
    catalog, problems = load(data_dir)
    assert problems == [] and catalog is not None


def test_a_directory_name_that_is_not_utf8_is_reported(data_dir: Path) -> None:
    """A top-level entry with a non-UTF-8 name is one problem, shown with escapes."""
    os.mkdir(os.path.join(os.fsencode(data_dir), b"prot\xeast"))
    catalog, problems = load(data_dir)
    assert catalog is None
    assert [str(p) for p in problems] == ["prot\\xeast: file name is not valid UTF-8: rename it"]


def test_a_directory_that_cannot_be_listed_is_reported(
    data_dir: Path, event_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied on an event directory (mode 000 for an unprivileged server) is a
    problem naming it; the tests run as root, who may list anything, so the error is raised
    by a stand-in."""
    listing = Path.iterdir

    def denied(self: Path):  # type: ignore[no-untyped-def]
        if self == event_dir:
            raise PermissionError(13, "Permission denied")
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", denied)
    catalog, problems = load(data_dir)
    assert catalog is None
    assert f"{SAMPLE_SLUG}: cannot list: Permission denied" in [str(p) for p in problems]


def test_event_directory_linked_from_outside_is_refused(data_dir: Path, tmp_path: Path) -> None:
    """A symlinked event directory that resolves outside the data directory is not read."""
    outside = tmp_path / "elsewhere"
    shutil.copytree(data_dir / SAMPLE_SLUG, outside)
    (data_dir / "2025-linked").symlink_to(outside, target_is_directory=True)
    catalog, problems = load(data_dir)
    assert catalog is None
    assert [str(p) for p in problems] == [
        "2025-linked: symbolic link to outside the data directory"
    ]


@pytest.mark.timeout(20)
def test_check_reports_every_hostile_case_at_once(data_dir: Path, event_dir: Path) -> None:
    """`pauseai-widget check` lists each hostile file as FILE: problem and exits 1, fast."""
    for _, setup, _, _ in HOSTILE[1:2] + HOSTILE[3:5] + HOSTILE[-1:]:
        setup(event_dir)
    result = subprocess.run(
        [sys.executable, "-m", "widget", "check", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert result.returncode == 1
    for name in ("de.md", "event.yaml", "en.md", "caf\\xe9.md"):
        assert f"{SAMPLE_SLUG}/{name}:" in result.stderr, result.stderr


def test_healthz_is_degraded_with_relative_paths(settings: Settings, event_dir: Path) -> None:
    """A reload that meets a FIFO keeps serving, and /healthz says degraded, naming the file
    relative to the data directory (never where the data lives)."""
    with TestClient(create_app(settings)) as client:
        os.mkfifo(event_dir / "de.md")
        assert not client.app.state.services.data.reload()  # type: ignore[attr-defined]
        health = client.get("/healthz")
        assert health.status_code == 200
        document = health.json()
        assert document["status"] == "degraded"
        assert document["last_reload_error"] == [
            f"{SAMPLE_SLUG}/de.md: not a regular file (a FIFO, device or socket)"
        ]
        assert str(settings.data_dir) not in health.text
        assert client.get(f"/events/{SAMPLE_SLUG}.json").status_code == 200


def test_a_reload_that_hangs_is_abandoned_and_releases_the_lock(data_dir: Path) -> None:
    """A load stuck past the deadline is reported; while it stays stuck, no second load
    starts; once it returns, reloads work again."""
    source = DataSource(data_dir, deadline=0.2)
    assert source.reload()
    release = threading.Event()
    real = source._load_only

    def hanging() -> tuple[object, list[str]]:
        release.wait(10)
        return real()

    source._load_only = hanging  # type: ignore[method-assign]

    async def scenario() -> list[tuple[bool, tuple[str, ...]]]:
        seen = []
        for _ in range(2):
            changed = await source.reload_async()
            seen.append((changed, source.state.problems))
        release.set()
        await asyncio.sleep(0.3)
        source._load_only = real  # type: ignore[method-assign]
        # A change that names no new city: a new one costs a pass over the gazetteer's
        # list (about a second), longer than this test's deadline.
        (data_dir / SAMPLE_SLUG / "event.yaml").write_text(
            (data_dir / SAMPLE_SLUG / "event.yaml").read_text().replace("e/kDiSnc8", "e/toronto")
        )
        seen.append((await source.reload_async(), source.state.problems))
        return seen

    first, second, third = asyncio.run(scenario())
    assert first == (False, ("reload abandoned: not finished within 0.2 s",))
    assert second == (False, ("reload still blocked: the previous one never finished",))
    assert third == (True, ())


def test_markdown_bodies_are_rendered_while_loading(data_dir: Path) -> None:
    """A reload renders and sanitizes every body in its worker thread: by the time a page asks,
    ``render_markdown`` answers from its cache (no render on the event loop)."""
    from widget.sanitizer import render_markdown

    body = "Fresh *text* " + "[link](https://example.org) " * 1500
    path = data_dir / SAMPLE_SLUG / "en.md"
    path.write_text(path.read_text("utf-8").split("\n---\n", 1)[0] + "\n---\n" + body, "utf-8")
    source = DataSource(data_dir)
    assert source.reload()
    rendered = source.catalog.events[0].texts["en"].body
    assert rendered.startswith("Fresh")
    misses = render_markdown.cache_info().misses
    render_markdown(rendered)
    assert render_markdown.cache_info().misses == misses, "the body was rendered at load"
