"""The command line: ``pauseai-widget serve | check [DIR] | import PAGE.md``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from widget import __version__


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from widget.app import create_app
    from widget.logging_config import configure_logging
    from widget.settings import SettingsError, from_env

    try:
        settings = from_env()
    except SettingsError as error:
        print(f"pauseai-widget: {error}", file=sys.stderr)
        return 2
    host = args.host or settings.host
    port = args.port or settings.port
    log_config = configure_logging(client_ip=settings.log_client_ip)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=args.access_log,
        server_header=False,
        timeout_graceful_shutdown=args.graceful_seconds,
        log_level="info",
        log_config=log_config,
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    from widget.settings import SAMPLE_DATA_DIR
    from widget.store import load

    root = Path(args.directory) if args.directory else SAMPLE_DATA_DIR
    catalog, problems = load(root)
    if catalog is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{root}: {len(problems)} {noun}", file=sys.stderr)
        return 1
    locations = sum(len(event.locations) for event in catalog.events)
    print(f"{root}: ok, {len(catalog)} events, {locations} locations, version {catalog.version}")
    return 0


def _import(args: argparse.Namespace, rest: list[str]) -> int:
    from widget import import_command

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
    check = commands.add_parser("check", help="validate a data directory; exit 1 listing problems")
    check.add_argument("directory", nargs="?", help="data directory (default: the bundled sample)")
    commands.add_parser(
        "import", help="convert a PauseAI website page into event files", add_help=False
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["import"]:
        return _import(argparse.Namespace(), arguments[1:])
    args = parser().parse_args(arguments)
    if args.command == "serve":
        return _serve(args)
    return _check(args)
