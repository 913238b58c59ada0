"""A bounded soak: a minute of mixed, random and junk requests against a real server.

After a warm-up that fills the (deliberately small) body cache and the bounded memos, the
server's resident memory must stay flat: junk parameters, junk headers, errors and cache
evictions must not leak.

Warm-up and measurement are counted in requests, not seconds: the per-route query memos
(256 strings each) fill only after about 12,000 of these requests, and a loaded machine
serves fewer per second. A warm-up timed in seconds measured memos still filling, not a
leak. ``SOAK_REQUESTS`` (default 15,000 per phase) changes both phases; ``SOAK_SECONDS``
(default 240) caps the whole run.
"""

from __future__ import annotations

import http.client
import os
import random
import string
import threading
import time
from collections import Counter
from urllib.parse import quote, urlencode

import pytest

from tests.bench.server_process import ServerProcess

from conftest import SAMPLE_SLUG

pytestmark = pytest.mark.slow

PHASE_REQUESTS = int(os.environ.get("SOAK_REQUESTS", "15000"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "240"))
MAX_GROWTH = 0.05
CLIENTS = 3
LOCATIONS = ("berlin", "london", "den-haag", "sao-paulo", "reykjavik")


def junk(rng: random.Random, longest: int = 40) -> str:
    """A random string of printable characters, markup and non-ASCII included."""
    alphabet = string.ascii_letters + string.digits + string.punctuation + " éß€漢\u202e"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


def view_query(rng: random.Random) -> dict[str, str]:
    """Known view parameters from a small set of valid values (so the cache fills up)."""
    choices = {
        "lang": [None, "en", "nl", "de"],
        "theme": [None, "dark"],
        "accent": [None, "#ff9416"],
        "country": [None, "NL", "us,de"],
    }
    picked = {name: rng.choice(values) for name, values in choices.items()}
    return {name: value for name, value in picked.items() if value is not None}


def polluted(rng: random.Random, query: dict[str, str]) -> str:
    """The query with junk: unknown parameters, bad values, repeats, or a huge value."""
    pairs = list(query.items())
    for _ in range(rng.randint(0, 3)):
        kind = rng.randrange(5)
        if kind == 0:  # unknown parameter, random name and value: must be ignored
            pairs.append((junk(rng, 12) or "x", junk(rng)))
        elif kind == 1:  # malformed known parameter: a 400 naming it
            pairs.append((rng.choice(["lang", "theme", "accent", "country", "city"]), junk(rng)))
        elif kind == 2 and pairs:  # a repeated parameter: 400
            pairs.append(rng.choice(pairs))
        elif kind == 3:  # a long value
            pairs.append(("utm_campaign", "a" * rng.randint(100, 3000)))
        else:  # cache busting
            pairs.append(("_", str(rng.random())))
    rng.shuffle(pairs)
    return urlencode(pairs)


def next_request(rng: random.Random, public_url: str) -> tuple[str, dict[str, str]]:
    """One random request: a target and headers (values may hold any character)."""
    headers: dict[str, str] = {}
    if rng.random() < 0.5:
        headers["Accept-Encoding"] = "gzip"
    if rng.random() < 0.3:
        headers["Accept-Language"] = rng.choice(["de-CH, de;q=0.9", "fr", "sv", "tlh", junk(rng)])
    if rng.random() < 0.1:
        headers["If-None-Match"] = rng.choice(['"0123"', "*", junk(rng)])
    clean = rng.random() < 0.6
    query = urlencode(view_query(rng)) if clean else polluted(rng, view_query(rng))
    slug = SAMPLE_SLUG if rng.random() < 0.9 else rng.choice(["next", junk(rng, 20) or "x"])
    slug = quote(slug, safe="")
    page = quote(f"{public_url}/events/{slug}?{query}", safe="")
    targets = [
        f"/embed/{slug}?{query}",
        f"/embed/{slug}?{query}",
        f"/events/{slug}?{query}",
        f"/events/{slug}.json?{query}",
        f"/events/{slug}.ics?{query}",
        f"/oembed?url={page}&maxwidth={rng.choice([300, 600, 10000])}&format=json",
        f"/oembed?url={quote(junk(rng), safe='')}",
        f"/go/{slug}/{rng.choice(LOCATIONS) if clean else quote(junk(rng), safe='')}",
        "/embed.js",
        "/healthz",
        f"/{quote(junk(rng), safe='/')}",
        f"/?{query}",
    ]
    return rng.choice(targets), headers


def test_memory_stays_flat_under_a_minute_of_mixed_and_junk_requests(tmp_path: object) -> None:
    """After warm-up, RSS grows by less than 5 % while random and junk requests keep coming."""

    def served() -> int:
        return sum(statuses.values())

    def wait_for(count: int, deadline: float) -> None:
        while served() < count and time.monotonic() < deadline and not failures:
            time.sleep(0.2)

    env = {"WIDGET_NOW": "2024-05-01T12:00:00+00:00", "WIDGET_CACHE_SIZE": "100"}
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    stop = threading.Event()
    with ServerProcess(env) as server:

        def client(seed: int) -> None:
            rng = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                while not stop.is_set():
                    target, headers = next_request(rng, server.public_url)
                    # Raw UTF-8 bytes in header values, as a careless client would send them.
                    raw = {name: value.encode() for name, value in headers.items()}
                    try:
                        connection.request("GET", target, headers=raw)  # type: ignore[arg-type]
                        response = connection.getresponse()
                        response.read()
                    except (OSError, http.client.HTTPException) as error:
                        failures.append(f"{type(error).__name__} {target}")
                        connection.close()
                        continue
                    statuses[response.status] += 1
                    if response.status >= 500:
                        failures.append(f"{response.status} {target}")
            finally:
                connection.close()

        workers = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
        for worker in workers:
            worker.start()
        try:
            deadline = time.monotonic() + SECONDS
            wait_for(PHASE_REQUESTS, deadline)
            after_warm_up = server.rss_kib()
            requests_at_warm_up = served()
            wait_for(requests_at_warm_up + PHASE_REQUESTS, deadline)
            final = server.rss_kib()
        finally:
            stop.set()
            for worker in workers:
                worker.join(30)
        log = server.output()
    measured = served() - requests_at_warm_up
    assert not failures, failures[:10]
    assert "Traceback" not in log
    assert requests_at_warm_up >= PHASE_REQUESTS, f"warm-up cut short at {requests_at_warm_up}"
    assert measured >= PHASE_REQUESTS, f"only {measured} requests measured in {SECONDS} s"
    assert {200, 302, 400, 404} <= set(statuses), statuses
    growth = (final - after_warm_up) / after_warm_up
    assert growth < MAX_GROWTH, (
        f"RSS grew {growth:.1%} ({after_warm_up} KiB -> {final} KiB) over {measured} requests"
    )
