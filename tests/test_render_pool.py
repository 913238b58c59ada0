"""Render gates: misses beyond the workers and their queue are 503 with Retry-After, hits
are served whatever the gates say, and renders run off the event loop."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

import pytest
from starlette.testclient import TestClient

from widget.errors import Saturated
from widget.render_pool import Pacer, RenderGate
from widget.services import Services

from conftest import SAMPLE_SLUG

EMBED = f"/embed/{SAMPLE_SLUG}?lang=en"


def services_of(client: TestClient) -> Services:
    """The services of the client's application."""
    found: Services = client.app.state.services  # type: ignore[attr-defined]
    return found


def test_a_full_gate_answers_503_with_retry_after_and_hits_still_flow(
    client: TestClient,
) -> None:
    """With no render admitted, a cached widget is still 200; misses are 503 + Retry-After
    (plain text for pages, JSON for machine routes), never cached."""
    assert client.get(EMBED).status_code == 200
    state = services_of(client)
    state.renders.pages = RenderGate("pages", workers=0, queue=0)
    state.renders.cards = RenderGate("cards", workers=0, queue=0)
    assert client.get(EMBED).status_code == 200
    page = client.get(f"{EMBED}&accent=%23123456")
    assert (page.status_code, page.headers["retry-after"]) == (503, "5")
    assert page.headers["content-type"].startswith("text/plain")
    assert page.headers["cache-control"] == "no-store"
    card = client.get(f"/events/{SAMPLE_SLUG}.png?w=600")
    assert (card.status_code, card.headers["retry-after"]) == (503, "5")
    assert card.json() == {"status": 503, "error": "Busy rendering; please retry shortly."}
    state.renders.pages = RenderGate("pages", workers=1, queue=0)
    assert client.get(f"{EMBED}&accent=%23123456").status_code == 200


def test_page_renders_run_in_a_worker_thread(client: TestClient) -> None:
    """A miss renders outside the event loop's thread."""
    state = services_of(client)
    seen: list[str] = []
    render = state.renderer.render

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(threading.current_thread().name)
        return render(*args, **kwargs)  # type: ignore[arg-type]

    state.renderer.render = recording  # type: ignore[method-assign, assignment]
    assert client.get(f"{EMBED}&accent=%23654321").status_code == 200
    assert seen and all(name.startswith("render") for name in seen)


def test_the_gate_admits_workers_plus_queue_then_refuses() -> None:
    """workers + queue renders at once; the next one is Saturated; slots come back."""
    gate = RenderGate("pages", workers=1, queue=1)
    release = threading.Event()

    async def scenario() -> None:
        first = asyncio.ensure_future(gate.run(release.wait, 5))
        second = asyncio.ensure_future(gate.run(release.wait, 5))
        await asyncio.sleep(0.05)
        with pytest.raises(Saturated):
            await gate.run(release.wait, 5)
        release.set()
        assert await first and await second
        assert await gate.run(lambda: 42) == 42

    asyncio.run(scenario())
    assert (gate.admitted, gate.refused) == (0, 1)


def test_renders_back_to_back_rest_twice_as_long_as_they_took() -> None:
    """A rested pacer starts at once; the next render waits for the rest the last earned."""
    pacer = Pacer(rest=2.0)
    begun: list[float] = []

    def render() -> str:
        begun.append(time.perf_counter())
        time.sleep(0.02)
        return "page"

    started = time.perf_counter()
    assert pacer.run(render) == "page"
    assert begun[0] - started < 0.01  # rested: no wait
    pacer.run(render)
    assert begun[1] - begun[0] >= 0.02 + 2 * 0.02 - 0.002  # the render, then twice its time
    time.sleep(0.1)
    before = time.perf_counter()
    pacer.run(render)
    assert begun[2] - before < 0.01  # rested again after a pause
    before = time.perf_counter()
    pacer.run(render, crowded=lambda: False)
    assert begun[3] - before < 0.01  # nothing queued behind it: no rest


def test_the_gate_paces_only_when_renders_queue() -> None:
    """Through a gate, renders one after another (none queued) run unpaced; several
    admitted at once are spaced by the rest."""
    gate = RenderGate("pages", 1, 8)

    def render() -> float:
        started = time.perf_counter()
        time.sleep(0.02)
        return started

    async def sequential() -> list[float]:
        return [await gate.run(render) for _ in range(3)]

    async def together() -> list[float]:
        return list(await asyncio.gather(*(gate.run(render) for _ in range(3))))

    alone = asyncio.run(sequential())
    assert all(b - a < 0.02 + 0.015 for a, b in itertools.pairwise(alone))
    crowded = sorted(asyncio.run(together()))
    assert all(b - a >= 0.02 * 3 - 0.003 for a, b in itertools.pairwise(crowded))


def test_a_failing_render_still_earns_its_rest() -> None:
    """An exception passes through and the rest is still taken before the next render."""
    pacer = Pacer(rest=1.0)

    def broken() -> None:
        time.sleep(0.02)
        raise ValueError("bad template")

    with pytest.raises(ValueError, match="bad template"):
        pacer.run(broken)
    assert pacer.ready_at - time.perf_counter() > 0.01
