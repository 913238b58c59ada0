"""The baseline: a bare ASGI app replaying captured responses from a dict.

The benchmark captures the real service's responses (status, headers, body bytes) for
each benchmarked URL (for the traffic mix: each distinct URL and Accept-Language), writes
them to the JSON file named by ``BENCH_RESPONSES`` and runs
this app under the same uvicorn settings. Whatever the real service costs beyond this
replay is the service's own overhead: routing, parameters, cache lookup, headers, metrics.

Run: ``BENCH_RESPONSES=file.json uvicorn --factory tests.bench.bare_app:create``.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

Message = dict[str, Any]
Replay = tuple[Message, Message]
NOT_FOUND: Replay = (
    {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]},
    {"type": "http.response.body", "body": b""},
)


def load_replays(path: Path) -> dict[str, Replay]:
    """Captured responses by key, as ready-made ASGI messages.

    A key is the request target ('/path?query'), or for the traffic mix the target, a tab
    and the Accept-Language the response was captured with (``replay_key``).
    """
    captured = json.loads(path.read_text(encoding="utf-8"))
    replays: dict[str, Replay] = {}
    bodies: dict[str, bytes] = {}  # one bytes object per distinct body, as the service holds
    for target, response in captured.items():
        headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in response["headers"]
        ]
        body = bodies.setdefault(response["body"], base64.b64decode(response["body"]))
        replays[target] = (
            {"type": "http.response.start", "status": response["status"], "headers": headers},
            {"type": "http.response.body", "body": body},
        )
    return replays


class BareApp:
    """Answers each captured target with its captured response; 404 otherwise."""

    def __init__(self, replays: dict[str, Replay]) -> None:
        self.replays = replays

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        query: bytes = scope["query_string"]
        target = scope["path"] + ("?" + query.decode("latin-1") if query else "")
        replay = None
        for name, value in scope["headers"]:
            if name == b"accept-language":
                replay = self.replays.get(f"{target}\t{value.decode('latin-1')}")
                break
        start, body = replay or self.replays.get(target, NOT_FOUND)
        await send(start)
        await send(body)


def create() -> BareApp:
    """The app for uvicorn's ``--factory``: replays from the file named by BENCH_RESPONSES."""
    return BareApp(load_replays(Path(os.environ["BENCH_RESPONSES"])))
