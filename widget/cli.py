"""The command line: ``pauseai-widget serve | check | import | sync | import-ics``."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from widget import __version__

# uvicorn's own default, stated: an idle kept-alive connection is closed after 5 s.
KEEP_ALIVE_SECONDS = 5
STARTUP_FAILURE = 3  # uvicorn's exit code when the server could not start


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from widget import render_pool, runtime
    from widget.app import create_app
    from widget.http_protocol import (
        BACKLOG,
        HttpLimits,
        connection_cap,
        limited_protocol,
        raise_fd_limit,
    )
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
    runtime.tune()

    class Server(uvicorn.Server):
        """uvicorn's server, stopping the render workers once requests are done."""

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await super().shutdown(sockets)
            render_pool.shutdown()

    limits = HttpLimits(max_connections=connection_cap(raise_fd_limit(), BACKLOG))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=limited_protocol(limits),
        ws="none",
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        access_log=args.access_log,
        server_header=False,
        timeout_graceful_shutdown=args.graceful_seconds,
        log_level="info",
        log_config=log_config,
    )
    server = Server(config)
    server.run()
    return 0 if server.started else STARTUP_FAILURE


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
