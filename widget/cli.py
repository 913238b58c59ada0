"""The command line: ``pauseai-widget serve | check | import | sync | import-ics``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from widget import __version__


def _workers(args: argparse.Namespace) -> int | None:
    """--workers, else $WEB_CONCURRENCY, else 1; None (after a message) when invalid."""
    value = args.workers if args.workers is not None else os.environ.get("WEB_CONCURRENCY", "1")
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        print(
            f"pauseai-widget: --workers / WEB_CONCURRENCY must be 1 or more, not {value!r}",
            file=sys.stderr,
        )
        return None
    return workers


def _serve(args: argparse.Namespace) -> int:
    from widget import runtime
    from widget.settings import SettingsError, from_env

    try:
        settings = from_env()
    except SettingsError as error:
        print(f"pauseai-widget: {error}", file=sys.stderr)
        return 2
    workers = _workers(args)
    if workers is None:
        return 2
    options = runtime.ServeOptions(
        host=args.host or settings.host,
        port=args.port or settings.port,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=args.access_log,
        graceful_seconds=args.graceful_seconds,
        workers=workers,
    )
    if workers > 1:
        return runtime.Supervisor(options).run()
    server = runtime.server_for(options)
    server.run()
    return 0 if server.started else runtime.STARTUP_FAILURE


def _check(args: argparse.Namespace) -> int:
    from widget.feeds.sources import load_sources
    from widget.settings import SAMPLE_DATA_DIR
    from widget.store import load

    root = Path(args.directory) if args.directory else SAMPLE_DATA_DIR
    catalog, problems = load(root)
    _, source_problems = load_sources(root)  # sources.yaml, when there is one
    problems = [*problems, *source_problems]
    if catalog is None or problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{root}: {len(problems)} {noun}", file=sys.stderr)
        return 1
    locations = sum(len(event.locations) for event in catalog.events)
    print(f"{root}: ok, {len(catalog)} events, {locations} locations, version {catalog.version}")
    return 0


def _import(args: argparse.Namespace, rest: list[str]) -> int:
    from widget.importing import import_command

    return import_command.main(rest)


def parser() -> argparse.ArgumentParser:
    """The argument parser (the README's command reference is its help text)."""
    root = argparse.ArgumentParser(prog="pauseai-widget", description=__doc__)
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the widget (settings from WIDGET_* variables)")
    serve.add_argument("--host", help="interface to bind (default: $HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: $PORT or 8000)")
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For/Proto from --forwarded-allow-ips (for logs only)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="proxies whose forwarded headers are trusted",
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (no client IPs)"
    )
    serve.add_argument(
        "--graceful-seconds",
        type=int,
        default=20,
        help="how long SIGTERM waits for in-flight requests",
    )
    serve.add_argument(
        "--workers",
        type=str,
        help="worker processes sharing the port, one per core (default: $WEB_CONCURRENCY or 1)",
    )
    check = commands.add_parser("check", help="validate a data directory; exit 1 listing problems")
    check.add_argument("directory", nargs="?", help="data directory (default: the bundled sample)")
    commands.add_parser(
        "import", help="convert a PauseAI website page into event files", add_help=False
    )
    commands.add_parser(
        "sync", help="fetch every calendar feed, print what would change", add_help=False
    )
    commands.add_parser("import-ics", help="write event files from a calendar feed", add_help=False)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["import"]:
        return _import(argparse.Namespace(), arguments[1:])
    if arguments[:1] in (["sync"], ["import-ics"]):
        from widget.feeds import commands

        run = commands.sync_main if arguments[0] == "sync" else commands.import_ics_main
        return run(arguments[1:])
    args = parser().parse_args(arguments)
    if args.command == "serve":
        return _serve(args)
    return _check(args)
