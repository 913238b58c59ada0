"""Reading a data directory into a ``Catalog``, collecting every problem in one pass.

Layout: one directory per event, named by its slug::

    DATA_DIR/
      2024-05-13-international-protest/
        event.yaml      language-neutral facts (date, status, locations, press, media)
        nl.md           YAML front matter (title, summary, cities) + Markdown body
        en.md
      sources.yaml      optional: calendar feeds (``widget.feeds.sources``)

Locations with a city but no coordinates get them from the offline gazetteer
(``widget.feeds.gazetteer.with_coordinates``); a city name that comparable cities of one
country share is a problem (give coordinates).

Every problem is reported as ``relative/path: field.path: problem`` (with ``line N`` when
YAML knows it). Nothing here raises for bad data: ``load`` returns the problems instead.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from widget.catalog import Catalog
from widget.feeds.gazetteer import open_places, prefetch, with_coordinates
from widget.languages import SUPPORTED_LANGUAGES
from widget.model import Event
from widget.problems import Loc, errors_of, field_path
from widget.problems import Problem as Problem
from widget.text import SLUG_PATTERN

MAX_FILE_BYTES = 256 * 1024
MAX_EVENTS = 1000
EVENT_FILE = "event.yaml"
SOURCES_FILE = "sources.yaml"  # calendar feeds, read by widget.feeds.sources
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)


class DataError(Exception):
    """Raised by ``load_or_raise`` when a data directory has problems; holds them all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class _Source:
    """A parsed file: its data and the YAML node tree for line numbers."""

    relative: str
    data: Any
    node: yaml.Node | None
    line_offset: int = 0
    text: str = ""


def display_name(name: str) -> str:
    """A file name as it can be shown: bytes that are not UTF-8 as ``\\xNN`` escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _name_problem(name: str, relative: str) -> Problem | None:
    """A problem when a file name is not valid UTF-8 (Linux hands those over escaped)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return Problem(relative, "", "file name is not valid UTF-8: rename it")
    return None


def _listing(directory: Path, relative: str, problems: list[Problem]) -> list[Path]:
    """The entries of ``directory`` (sorted, hidden ones left out), or [] with a problem."""
    try:
        entries = sorted(p for p in directory.iterdir() if not p.name.startswith("."))
    except OSError as error:
        problems.append(Problem(relative, "", f"cannot list: {error.strerror or error}"))
        return []
    listed = []
    for path in entries:
        shown = (
            f"{relative}/{display_name(path.name)}" if relative != "." else display_name(path.name)
        )
        problem = _name_problem(path.name, shown)
        if problem is not None:
            problems.append(problem)
        else:
            listed.append(path)
    return listed


def _inside(path: Path, root: Path) -> bool:
    """True when ``path``, with every symlink resolved, stays inside ``root``."""
    try:
        return path.resolve(strict=True).is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):  # a dangling link, a loop
        return False


def _read_bytes(path: Path, root: Path, relative: str, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file inside ``root``, at most ``MAX_FILE_BYTES`` of them.

    Opened without blocking (a FIFO cannot hang the reload), checked to be a regular file
    on the open descriptor (no device, FIFO or socket), and read with the cap enforced while
    reading (``/dev/zero`` behind a link never fills memory).
    """
    if path.is_symlink() and not _inside(path, root):
        problems.append(Problem(relative, "", "symbolic link to outside the data directory"))
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        problems.append(Problem(relative, "", f"cannot read: {error.strerror or error}"))
        return None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            problems.append(Problem(relative, "", "is a directory, expected a file"))
            return None
        if not stat.S_ISREG(mode):
            problems.append(Problem(relative, "", "not a regular file (a FIFO, device or socket)"))
            return None
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, min(65536, MAX_FILE_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                problems.append(
                    Problem(relative, "", f"file too large (more than {MAX_FILE_BYTES} bytes)")
                )
                return None
        return b"".join(chunks)
    except OSError as error:
        problems.append(Problem(relative, "", f"cannot read: {error.strerror or error}"))
        return None
    finally:
        os.close(descriptor)


def _read_text(path: Path, root: Path, relative: str, problems: list[Problem]) -> str | None:
    raw = _read_bytes(path, root, relative, problems)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(relative, "", f"not valid UTF-8 (byte {error.start}: {raw[error.start]:#04x})")
        )
        return None


# libyaml (C) when PyYAML was built with it, as the locked wheels are: composing in Python
# costs about 8 ms per event file, in C a tenth of that.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(text: str) -> None:
    """Raise on an anchor or alias (&, *): data files never need them, and an alias bomb (a
    few KB that expand to gigabytes) must not reach composition. Reads YAML's event stream
    alone, which holds every anchor and alias and builds nothing."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            at = event.start_mark  # libyaml's own mark type: the line is what matters
            line = at.line if at is not None else 0
            mark = yaml.error.Mark("", 0, line, 0, None, 0)
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&, *) are not allowed", mark
            )


def _parse_yaml(
    text: str, relative: str, problems: list[Problem], offset: int = 0
) -> _Source | None:
    try:
        _refuse_aliases(text)
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 + offset if mark is not None else None
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(Problem(relative, "", f"invalid YAML: {reason}", line))
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(relative, "", "expected a mapping of fields at the top level"))
        return None
    return _Source(relative, data, node, offset)


def _line_of(source: _Source, loc: Loc) -> int | None:
    """The line of the YAML node at ``loc``, or of its nearest existing parent."""
    node = source.node
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line + source.line_offset if line is not None else None


def _problems_from(error: ValidationError, sources: dict[str, _Source]) -> Iterator[Problem]:
    """Map pydantic errors back onto the files and lines they came from: a text's fields
    (``texts.LANG.…``) are in that language's file, everything else in event.yaml."""
    for loc, message in errors_of(error):
        if loc[:1] == ("texts",) and len(loc) >= 2 and str(loc[1]) in sources:
            source = sources[str(loc[1])]
            rest = loc[2:]
        else:
            source = sources[EVENT_FILE]
            rest = loc
        yield Problem(source.relative, field_path(rest), message, _line_of(source, rest))


def _load_text(path: Path, root: Path, relative: str, problems: list[Problem]) -> _Source | None:
    text = _read_text(path, root, relative, problems)
    if text is None:
        return None
    match = _FRONT_MATTER.match(text)
    if match is None:
        problems.append(
            Problem(relative, "", "expected YAML front matter between '---' lines, then Markdown")
        )
        return None
    source = _parse_yaml(match.group(1), relative, problems, offset=1)
    if source is None:
        return None
    if "body" in source.data:
        problems.append(
            Problem(relative, "body", "write the body as Markdown after the front matter")
        )
        return None
    source.data = {**source.data, "body": match.group(2).strip()}
    source.text = text
    return source


def load_event(directory: Path, root: Path) -> tuple[Event | None, list[Problem], bytes]:
    """Validate one event directory; returns the event (or None), its problems and its bytes."""
    event, problems, digest, placed = _load_event(directory, root)
    if event is None:
        return None, problems, digest
    event, problems = placed(event)
    return event, problems, digest


Placing = Callable[[Event], tuple[Event | None, list[Problem]]]


def _unplaced(event: Event) -> tuple[Event | None, list[Problem]]:
    """The ``Placing`` of an event that failed before the gazetteer (never called)."""
    return None, []


def _load_event(directory: Path, root: Path) -> tuple[Event | None, list[Problem], bytes, Placing]:
    """``load_event`` up to the gazetteer: the event without the coordinates it leaves out,
    and the function that fills them in (reporting ambiguous names at their lines)."""
    problems: list[Problem] = []
    prefix = directory.relative_to(root).as_posix()
    digest = hashlib.sha256()
    if not re.match(SLUG_PATTERN, directory.name):
        problems.append(
            Problem(prefix, "", "directory name is the slug: lower-case letters, digits and '-'")
        )
        return None, problems, b"", _unplaced
    event_path = directory / EVENT_FILE
    if not event_path.exists() and not event_path.is_symlink():
        problems.append(Problem(f"{prefix}/{EVENT_FILE}", "", "missing: every event needs one"))
        return None, problems, b"", _unplaced
    sources: dict[str, _Source] = {}
    text = _read_text(event_path, root, f"{prefix}/{EVENT_FILE}", problems)
    if text is not None:
        digest.update(text.encode())
        parsed = _parse_yaml(text, f"{prefix}/{EVENT_FILE}", problems)
        if parsed is not None:
            sources[EVENT_FILE] = parsed
    texts: dict[str, Any] = {}
    for path in _listing(directory, prefix, problems):
        relative = f"{prefix}/{path.name}"
        if path.name == EVENT_FILE:
            continue
        language = path.name.removesuffix(".md")
        if not path.name.endswith(".md") or language not in SUPPORTED_LANGUAGES:
            problems.append(
                Problem(
                    relative,
                    "",
                    "unexpected file: expected event.yaml or LANG.md with LANG one of "
                    + ", ".join(SUPPORTED_LANGUAGES),
                )
            )
            continue
        source = _load_text(path, root, relative, problems)
        if source is not None:
            # The digest covers the file's text, never a repr of what it parsed into.
            digest.update(path.name.encode() + b"\0" + source.text.encode())
            sources[language] = source
            texts[language] = source.data
    if EVENT_FILE not in sources:
        return None, problems, digest.digest(), _unplaced
    data = sources[EVENT_FILE].data
    for reserved in ("slug", "texts"):
        if reserved in data:
            hint = (
                "the directory name is the slug" if reserved == "slug" else "texts live in LANG.md"
            )
            problems.append(
                Problem(
                    sources[EVENT_FILE].relative,
                    reserved,
                    f"not allowed here: {hint}",
                    _line_of(sources[EVENT_FILE], (reserved,)),
                )
            )
    if problems:
        return None, problems, digest.digest(), _unplaced
    try:
        event = Event.model_validate({**data, "slug": directory.name, "texts": texts})
    except ValidationError as error:
        problems.extend(_problems_from(error, sources))
        return None, problems, digest.digest(), _unplaced
    source = sources[EVENT_FILE]

    def placed(event: Event) -> tuple[Event | None, list[Problem]]:
        # Coordinates for the cities the data leaves without: from the offline gazetteer.
        event, ambiguous = with_coordinates(event)
        found = [
            Problem(
                source.relative,
                f"locations.{index}.city",
                message,
                _line_of(source, ("locations", index, "city")),
            )
            for index, message in ambiguous
        ]
        return (None, found) if found else (event, [])

    return event, problems, digest.digest(), placed


def load(root: Path) -> tuple[Catalog | None, list[Problem]]:
    """Read every event under ``root``; a catalog only when there are no problems at all."""
    if not root.exists():
        return None, [Problem(".", "", "data directory does not exist")]
    if not root.is_dir():
        return None, [Problem(".", "", "data directory is not a directory")]
    problems: list[Problem] = []
    events: list[Event] = []
    loaded: list[tuple[Event, Placing]] = []
    digest = hashlib.sha256()
    entries = _listing(root, ".", problems)
    for path in entries:
        if path.name == SOURCES_FILE:
            continue
        if path.is_symlink() and not _inside(path, root):
            problems.append(Problem(path.name, "", "symbolic link to outside the data directory"))
            continue
        if not path.is_dir():
            problems.append(Problem(path.name, "", "expected a directory per event, found a file"))
            continue
        event, event_problems, event_digest, placed = _load_event(path, root)
        problems.extend(event_problems)
        digest.update(path.name.encode() + b"\0" + event_digest)
        if event is not None:
            loaded.append((event, placed))
    # The gazetteer reads its list once for every city of every event, not once per event.
    prefetch({place for event, _ in loaded for place in open_places(event)})
    for event, placed in loaded:
        found, placing_problems = placed(event)
        problems.extend(placing_problems)
        if found is not None:
            events.append(found)
    if not entries:
        problems.append(Problem(".", "", "no events: add a directory per event"))
    if len(events) > MAX_EVENTS:
        problems.append(Problem(".", "", f"too many events ({len(events)}, at most {MAX_EVENTS})"))
    if problems:
        return None, problems
    return Catalog(events=tuple(events), version=digest.hexdigest()[:16]), []


def load_or_raise(root: Path) -> Catalog:
    """Like ``load`` but raising ``DataError`` with every problem."""
    catalog, problems = load(root)
    if catalog is None:
        raise DataError(problems)
    return catalog
