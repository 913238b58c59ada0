"""``pauseai-widget import``: read a page, write validated event files, report problems."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from widget.importing.importer import (
    DEFAULT_BASE_URL,
    ImportedPage,
    PageError,
    parse_page,
    render_files,
)
from widget.languages import SUPPORTED_LANGUAGES, language_for_tag
from widget.localized_names import language_from_filename
from widget.model import check_url
from widget.problems import Problem
from widget.store import EVENT_FILE, load_event
from widget.text import MAX_SLUG_LENGTH, is_slug

# What a NAME.LANG.md suffix looks like ('nl', 'pt-BR'): another dot in a name is no language.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


def _page_line(page: ImportedPage, problem: Problem) -> int | None:
    """The page line a problem in the written event.yaml came from, if it names an item."""
    parts = problem.field.split(".")
    return page.lines.get(".".join(parts[:2])) if problem.path.endswith(EVENT_FILE) else None


def write_event(page: ImportedPage, page_name: str, out: Path, force: bool) -> list[str]:
    """Write the event's files under ``out`` once widget.store accepts them.

    The files are validated in a staging directory beside the target, with any other
    files already in the event directory (translations) kept; nothing is written when
    there is a problem. Returns the problems: ``PAGE.md:LINE: field: problem`` for an item
    of the page, else ``SLUG/FILE:LINE: field: problem``.
    """
    files = render_files(page, Path(page_name).name)
    target = out / page.slug
    if target.exists() and not (force and target.is_dir()):
        hint = (
            "pass --force to overwrite its " + ", ".join(files)
            if target.is_dir()
            else ("and is not a directory")
        )
        return [f"{target}: already exists ({hint})"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=out))
    except OSError as error:
        return [f"{out}: cannot write: {error.strerror or error}"]
    try:
        staged = staging / page.slug
        if target.is_dir():
            shutil.copytree(target, staged)
        staged.mkdir(exist_ok=True)
        for name, content in files.items():
            (staged / name).write_text(content, encoding="utf-8")
        _, problems, _ = load_event(staged, staging)
        if problems:
            return [
                problem.located(page_name, line)
                if (line := _page_line(page, problem))
                else str(problem)
                for problem in problems
            ]
        target.mkdir(exist_ok=True)
        for name in files:
            (staged / name).replace(target / name)
        return []
    except OSError as error:
        return [f"{target}: cannot write: {error.strerror or error}"]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pauseai-widget import",
        description="Convert a PauseAI website page into event files (event.yaml, LANG.md).",
    )
    parser.add_argument(
        "page",
        type=Path,
        metavar="PAGE.md",
        help="a PauseAI website page, named NAME.LANG.md (e.g. protest.nl.md); NAME.md is English",
    )
    parser.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help=f"resolve relative links against this (default {DEFAULT_BASE_URL})",
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help="the page's language (default: LANG from NAME.LANG.md, else en)",
    )
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="the event's first day (default: from the page's title and heading); "
        "YYYY gives only the year, for a page that writes day and month without it",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the data directory to write into (default: .)",
    )
    parser.add_argument(
        "--slug", metavar="SLUG", help="the event's directory name (default: date + title words)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (a skipped bullet, a dropped time) as errors: write nothing",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite the event.yaml and LANG.md of an existing event",
    )
    return parser


def _options(
    args: argparse.Namespace, notes: list[str]
) -> tuple[str, date | None, int | None, list[str]]:
    """The language, date and year from the arguments, and problems with them; a language
    taken by default is told in ``notes``."""
    errors: list[str] = []
    try:
        check_url(args.base_url)
    except ValueError as error:
        errors.append(f"--base-url: {error}")
    suffix = args.page.name.split(".")[-2] if args.page.name.count(".") >= 2 else None
    if args.lang:
        language = language_for_tag(args.lang)
    elif suffix is None or not _LANGUAGE_TAG.fullmatch(suffix):
        language = "en"  # PauseAI's originals are English: 2024-november.md
        notes.append(f"{args.page}: language: en (no .LANG.md suffix; pass --lang to change)")
    else:
        language = language_from_filename(args.page.name)
    if language is None:
        given = (
            f"--lang {args.lang!r} is not supported"
            if args.lang
            else (f"{args.page}: cannot tell the page's language from its name")
        )
        errors.append(f"{given}: pass --lang, one of {', '.join(SUPPORTED_LANGUAGES)}")
    when, year = None, None
    if args.date and re.fullmatch(r"(19|20|21)\d\d", args.date):
        year = int(args.date)
    elif args.date:
        try:
            when = date.fromisoformat(args.date)
        except ValueError:
            errors.append(f"--date {args.date!r}: expected YYYY-MM-DD (or YYYY)")
    if args.slug and not is_slug(args.slug):
        errors.append(
            f"--slug {args.slug!r}: lower-case letters, digits and '-', at most {MAX_SLUG_LENGTH}"
        )
    return language or "en", when, year, errors


def main(args: list[str]) -> int:
    """``pauseai-widget import PAGE.md …``: write the event files; 0 on success, else 1.

    Problems go to stderr as ``PAGE.md:LINE: problem``, each skipped bullet included, then
    a summary line; a page without a city list also prints a starter event.yaml on stdout.
    """
    try:
        namespace = _parser().parse_args(args)
    except SystemExit as exit_:  # argparse already printed usage or help
        return exit_.code if isinstance(exit_.code, int) else 1
    notes: list[str] = []
    language, when, year, errors = _options(namespace, notes)
    for note in notes:
        print(note, file=sys.stderr)
    page_name = str(namespace.page)
    text = None
    if not errors:
        try:
            text = namespace.page.read_bytes().decode("utf-8-sig")
        except OSError as error:
            errors.append(f"{page_name}: cannot read: {error.strerror or error}")
        except UnicodeDecodeError as error:
            errors.append(f"{page_name}: not valid UTF-8 (byte {error.start})")
    failed = bool(errors)
    if text is not None:
        try:
            page = parse_page(
                text,
                language=language,
                base_url=namespace.base_url,
                when=when,
                year=year,
                slug=namespace.slug,
            )
        except PageError as page_error:
            failed = True
            errors.extend(problem.located(page_name) for problem in page_error.problems)
            if page_error.starter:
                print(page_error.starter, end="")
                errors.append(f"{page_name}: a starter event.yaml is on stdout")
        else:
            errors.extend(problem.located(page_name) for problem in page.reports)
            warnings = [r for r in page.reports if r.level != "note"]
            if namespace.strict and warnings:
                failed = True
                errors.append(f"{page_name}: --strict: {len(warnings)} warnings, nothing written")
            else:
                problems = write_event(page, page_name, namespace.out, namespace.force)
                errors.extend(problems)
                failed = bool(problems)
            errors.append(f"{page_name}: {page.summary}")
            if not failed:
                counts = {
                    key: len(page.event.get(key, [])) for key in ("locations", "press", "media")
                }
                print(
                    f"wrote {namespace.out / page.slug}: {counts['locations']} locations, "
                    f"{counts['press']} press links, {counts['media']} media"
                )
    for message in errors:
        print(message, file=sys.stderr)
    return 1 if failed else 0
