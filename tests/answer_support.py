"""Helpers for comparing the fast path's replayed answers with Starlette's own."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from widget.app import WidgetApp
from widget.fast_path import FastPath

# Status, headers without Date, and the undecoded body.
Answer = tuple[int, dict[str, str], bytes]


def fast_path_of(app: Any) -> FastPath:
    """The FastPath in front of the application's Starlette."""
    assert isinstance(app, WidgetApp)
    return app.fast_path


def answer(client: TestClient, target: str, headers: Any = None) -> Answer:
    """Status, headers (without Date) and the undecoded body of a GET."""
    with client.stream("GET", target, headers=headers) as response:
        body = b"".join(response.iter_raw())
        kept = {name: value for name, value in response.headers.items() if name != "date"}
        return response.status_code, kept, body


def normal_answer(
    client: TestClient, target: str, monkeypatch: pytest.MonkeyPatch, headers: Any = None
) -> Answer:
    """The same request answered by Starlette alone (the fast path replays nothing)."""
    with monkeypatch.context() as patched:
        patched.setattr(fast_path_of(client.app), "enabled", False)
        return answer(client, target, headers)
