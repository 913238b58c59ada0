"""``make bench``: the service against a bare ASGI app serving byte-identical responses.

What it measures, and how:

- Throughput and latency: the real service (``pauseai-widget serve``: uvicorn with
  httptools and uvloop, no access log, no polling) and ``tests.bench.bare_app`` (the same
  uvicorn settings, replaying the real responses' bytes from a dict) are loaded with
  ``wrk`` in alternation, ``BENCH_ROUNDS`` rounds (3) of ``BENCH_SECONDS`` (10) each at
  ``BENCH_CONNECTIONS`` (32) connections. Within a round the two apps take turns in
  ``BENCH_SLICES`` (5) slices of ``BENCH_SECONDS / BENCH_SLICES`` each, so both are
  measured across the same stretch of time: this machine is a VM whose neighbours shift
  its speed by ±10 % from one ten-second stretch to the next. Servers are pinned to CPU 0
  and wrk to CPU 1 with ``taskset`` (same pinning for both apps), so ratios within a
  round compare like with like; absolute numbers across machines or runs do not.
  Taking turns still left the req/s ratio of one URL swinging 0.73-0.98 between rounds,
  so for the cached scenarios half of each round runs the two apps *at the same time*,
  both pinned to CPU 0 (two wrk on CPU 1): the kernel gives each half the core, so each
  one's req/s is inversely proportional to its CPU cost per request, and the VM's speed
  changes hit both alike (an app against itself: 1.00 +- 0.02). The req/s ratio target is
  taken from that shared run; the p99 factor from the turns, where each app has the core
  to itself (sharing makes latency the scheduler's).
- The traffic mix (``tests.bench.traffic_mix``): ``MIX_REQUESTS`` requests drawn with a
  fixed seed — widget with a dozen snippet variants, ``embed.js``, hashed static assets,
  oEmbed, the event page — each with its own Accept-Language (Zipf over 360 browser
  strings) and ``Accept-Encoding: gzip, deflate, br``, sent round robin by a wrk script;
  the bare app replays the service's own answer to each (target, Accept-Language).
  Targets: ``MIN_MIX_RATIO`` of the bare app's req/s, p99 at most ``MAX_MIX_P99_FACTOR``x.
- Parsed hits, for information (no target): ``/embed/{slug}`` with a different
  Accept-Language on every request (a wrk script), so no request repeats byte for byte
  and each cache hit is parsed by ``widget.fast_path`` instead of answered ready.
- Cache misses: a second service with ``WIDGET_CACHE_TTL=0`` renders every request; its
  ``/metrics`` afterwards proves that the requests really missed.
- Cold render (``tests.bench.cold_render``): in a child process pinned to the servers'
  CPU (one core, as the deploy target has), a generated 50-city event, the widget
  rendered through the application with the body cache off (median of many renders,
  plus the very first one); and ``/events`` (page 1 and an archive page) and
  ``/embed/upcoming`` (default limit, ``limit=50``, compact, a filter nothing matches)
  over a catalog of 1,000 varied generated events, half of them past, the same way, each
  also as a ratio to the widget's median measured in the same run.
- Sizes: the widget page and everything it loads from us, and ``/embed.js``, as gzipped
  bytes on the wire.
- Memory: VmRSS of a service holding 100 generated events, after warm-up requests.

Targets are printed as PASS/MISS; the figures go to ``$BENCH_OUT`` (bench-results.json).
Routes still answering 404 (not built yet) are reported as SKIP.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from tests.bench import cold_render, traffic_mix
from tests.bench.generated_data import write_catalog
from tests.bench.server_process import ServerProcess, console_script

SAMPLE_SLUG = "2024-05-13-international-protest"
# Every benchmarked server gets this public URL, so all of them send the same bytes.
PUBLIC_URL = "https://widget.example.org"
# Before the sample protest: the widget shows signups (its busiest state).
SAMPLE_NOW = "2024-05-01T12:00:00+00:00"
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
SLICES = max(1, int(os.environ.get("BENCH_SLICES", "5")))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
OUT = Path(os.environ.get("BENCH_OUT", "bench-results.json"))
TWO_CPUS = (os.cpu_count() or 1) >= 2
SERVER_CPUS = "0" if TWO_CPUS else None
LOAD_CPUS = "1" if TWO_CPUS else None
ACCEPT_GZIP = {"Accept-Encoding": "gzip"}
# ``serve --workers 2`` gets two cores when wrk can still have one of its own.
WORKERS_CPUS = "0,1" if (os.cpu_count() or 1) >= 3 else None
WORKERS_ARGV = [console_script(), "serve", "--workers", "2"]

# Targets from the issue.
MIN_RATIO = 0.90
# Printed beside a missed ratio target. A ready answer is written by the connection itself
# (widget.http_protocol: no request cycle, task or ASGI messages), which costs less than
# the bare app's trip through uvicorn's cycle; a miss means the benchmarked requests were
# not answered ready: compare the "cpu" figures and the route's cache hits in /metrics.
RATIO_NOTE = "ready answers are written by the connection; were these answered ready?"
MAX_P99_FACTOR = 2.0
MIN_MIX_RATIO = 0.85
MAX_MIX_P99_FACTOR = 1.5
MIX_REQUESTS = int(os.environ.get("BENCH_MIX_REQUESTS", "20000"))
MAX_COLD_RENDER_MS = 2.0
# /events and /embed/upcoming over 1,000 generated events (issue 17): 5 ms on a quiet
# machine, where the 50-city widget renders in 1.4 ms; the ratio holds on a busy one.
MAX_CATALOG_COLD_RENDER_MS = 5.0
MAX_CATALOG_RATIO = 5.0 / 1.4
CATALOG_LIMITS = {
    "/events?lang=en": MAX_CATALOG_COLD_RENDER_MS,
    "/events?lang=de&page=15": MAX_CATALOG_COLD_RENDER_MS,
    "/embed/upcoming?lang=en": MAX_CATALOG_COLD_RENDER_MS,
    "/embed/upcoming?lang=en&limit=50": MAX_CATALOG_COLD_RENDER_MS,
}
RATIO_TO_WIDGET_NOTE = "the absolute figure moves with the machine's load; this ratio less"
MAX_WIDGET_TOTAL_GZIP = 10 * 1024
MAX_EMBED_JS_GZIP = 2 * 1024
MAX_RSS_MB = 80.0


@dataclass(frozen=True)
class Scenario:
    """One URL loaded by wrk; ``server`` is 'cached' (normal) or 'miss' (cache off)."""

    name: str
    target: str
    server: str = "cached"
    # Every request sends its own Accept-Language (all resolving to English), so none
    # repeats byte for byte: each is a cache hit the fast path must parse (no ready answer).
    varied_language: bool = False
    # The traffic mix (``target`` names it only): a wrk script sends the mix's requests.
    mix: bool = False

    @property
    def cached(self) -> bool:
        """True when the figures are for cache hits."""
        return self.server in ("cached", "workers2")

    @property
    def has_targets(self) -> bool:
        """True when the issue's ratio and p99 targets apply (cached, one process)."""
        return self.server == "cached" and not self.varied_language

    @property
    def min_ratio(self) -> float:
        """The req/s ratio target."""
        return MIN_MIX_RATIO if self.mix else MIN_RATIO

    @property
    def max_p99_factor(self) -> float:
        """The p99 target, as a factor of the bare app's."""
        return MAX_MIX_P99_FACTOR if self.mix else MAX_P99_FACTOR

    @property
    def headers(self) -> dict[str, str]:
        """The headers wrk sends (the first request's, for a varied scenario)."""
        return {**ACCEPT_GZIP, **({"Accept-Language": "en, x-0"} if self.varied_language else {})}


@dataclass
class Load:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int
    cpu_us_per_request: float = 0.0


@dataclass
class Round:
    """The real service and the bare app on one scenario: taking turns, and (for the
    cached scenarios) sharing CPU 0 at the same time."""

    real: Load
    bare: Load
    shared_real: Load | None = None
    shared_bare: Load | None = None

    @property
    def turns_ratio(self) -> float:
        """Real req/s over bare req/s, taking turns."""
        return self.real.requests_per_second / max(self.bare.requests_per_second, 1e-9)

    @property
    def ratio(self) -> float:
        """Real req/s over bare req/s: sharing one core when measured so, else in turns."""
        if self.shared_real is None or self.shared_bare is None:
            return self.turns_ratio
        shared = self.shared_real.requests_per_second
        return shared / max(self.shared_bare.requests_per_second, 1e-9)

    @property
    def p99_factor(self) -> float:
        """Real p99 over bare p99."""
        return self.real.p99_ms / max(self.bare.p99_ms, 1e-9)

    @property
    def cpu_ratio(self) -> float:
        """Bare CPU time per request over real: the capacity ratio, robust to other load."""
        return self.bare.cpu_us_per_request / max(self.real.cpu_us_per_request, 1e-9)


@dataclass
class Target:
    """A target from the issue and whether this run met it."""

    name: str
    value: float | None
    limit: float
    unit: str
    higher_is_better: bool = False
    note: str = ""  # printed after a missed target: what the profile says blocks it

    @property
    def status(self) -> str:
        """PASS, MISS, or SKIP when there was nothing to measure."""
        if self.value is None:
            return "SKIP"
        met = self.value >= self.limit if self.higher_is_better else self.value <= self.limit
        return "PASS" if met else "MISS"


@dataclass
class Results:
    """Everything written to ``$BENCH_OUT``."""

    config: dict[str, Any]
    scenarios: dict[str, Any] = field(default_factory=dict)
    cold_render: dict[str, Any] = field(default_factory=dict)
    index_cold_render: dict[str, Any] = field(default_factory=dict)
    sizes: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)


def scenarios() -> list[Scenario]:
    """The benchmarked requests (the miss scenario renders on every request)."""
    page = quote(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}", safe="")
    return [
        Scenario("embed", f"/embed/{SAMPLE_SLUG}?lang=en"),
        # What WordPress asks: dnt, maxwidth and maxheight come with every request.
        Scenario("oembed", f"/oembed?url={page}&maxwidth=600&maxheight=1000&dnt=1"),
        Scenario("event_page", f"/events/{SAMPLE_SLUG}?lang=en"),
        Scenario("event_json", f"/events/{SAMPLE_SLUG}.json"),
        Scenario("embed_js", "/embed.js"),
        Scenario("embed_miss", f"/embed/{SAMPLE_SLUG}?lang=en", server="miss"),
        Scenario("mix", "/embed/next", mix=True),
        # For information (no target): the mix on ``serve --workers 2``, against one worker.
        Scenario("mix_2workers", "/embed/next", server="workers2", mix=True),
        # For information (no target): what a hit costs when it cannot be answered ready.
        Scenario("embed_parsed", f"/embed/{SAMPLE_SLUG}", varied_language=True),
    ]


# --- wrk -------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Load:
    """Requests/s, p50, p99 and error counts from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    if not (rps and total and p50 and p99):
        raise ValueError(f"cannot parse wrk output:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Load(
        requests_per_second=float(rps.group(1)),
        p50_ms=_duration_ms(p50.group(1)),
        p99_ms=_duration_ms(p99.group(1)),
        requests=int(total.group(1)),
        errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


# wrk script: a new Accept-Language on every request ("en, x-1", "en, x-2", ...).
VARIED_LANGUAGE_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, {
    ["Host"] = wrk.headers["Host"],
    ["Accept-Encoding"] = "gzip",
    ["Accept-Language"] = "en, x-" .. counter,
  })
end
"""


def wrk(server: ServerProcess, scenario: Scenario, seconds: float) -> Load:
    """Load one URL for ``seconds`` with a fixed number of connections (wrk on LOAD_CPUS)."""
    command = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{max(round(seconds), 1)}s",
        "--latency",
        "-H",
        "Accept-Encoding: gzip",
        f"http://127.0.0.1:{server.port}{scenario.target}",
    ]
    script = None
    if scenario.varied_language or scenario.mix:
        script = Path(tempfile.mkstemp(prefix="bench-", suffix=".lua")[1])
        text = traffic_mix.lua_script(str(MIX_LIST)) if scenario.mix else VARIED_LANGUAGE_SCRIPT
        script.write_text(text, encoding="utf-8")
        command[1:1] = ["-s", str(script)]
    if LOAD_CPUS is not None:
        command = ["taskset", "-c", LOAD_CPUS, *command]
    cpu_before = server.cpu_seconds()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    finally:
        if script is not None:
            script.unlink()
    load = parse_wrk(done.stdout)
    load.cpu_us_per_request = (server.cpu_seconds() - cpu_before) / max(load.requests, 1) * 1e6
    return load


# --- capture and replay -------------------------------------------------------------------


MIX_LIST = Path(tempfile.gettempdir()) / f"bench-mix-{os.getpid()}.tsv"


def mix_requests() -> list[traffic_mix.Request]:
    """The mix's requests, also written to ``MIX_LIST`` for the wrk script."""
    drawn = traffic_mix.requests(MIX_REQUESTS, PUBLIC_URL)
    MIX_LIST.write_text(
        "".join(f"{r.target}\t{r.accept_language}\n" for r in drawn), encoding="utf-8"
    )
    return drawn


def replay_key(target: str, accept_language: str | None) -> str:
    """The bare app's key of a captured response (``tests.bench.bare_app.replay_key``)."""
    return target if accept_language is None else f"{target}\t{accept_language}"


def capture_mix(server: ServerProcess) -> dict[str, dict[str, Any]] | None:
    """The service's answer to every distinct (target, Accept-Language) of the mix."""
    replays: dict[str, dict[str, Any]] = {}
    for request in mix_requests():
        key = replay_key(request.target, request.accept_language)
        if key in replays:
            continue
        response = capture(server, request.target, request.headers)
        if response["status"] != 200:
            print(f"SKIP mix: {request.target} answers {response['status']}")
            return None
        replays[key] = response
    return replays


def capture(server: ServerProcess, target: str, headers: dict[str, str]) -> dict[str, Any]:
    """The response as wrk's client gets it (Date dropped: uvicorn adds its own)."""
    status, sent, body = server.get(target, headers)
    return {
        "status": status,
        "headers": [(name.lower(), value) for name, value in sent if name.lower() != "date"],
        "body": base64.b64encode(body).decode(),
    }


def start_bare(responses: Path) -> ServerProcess:
    """The bare replay app under the same uvicorn settings as the service."""
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "tests.bench.bare_app:create",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--no-server-header",
        "--host",
        "127.0.0.1",
    ]
    return ServerProcess(
        {"BENCH_RESPONSES": str(responses)},
        argv=argv,
        cpus=SERVER_CPUS,
        cwd=Path.cwd(),
        ready_path="/__ready__",
    )


def service_env(**extra: str) -> dict[str, str]:
    """Production-like settings: sample data, a clock before the event, no polling."""
    return {
        "WIDGET_PUBLIC_URL": PUBLIC_URL,
        "WIDGET_NOW": SAMPLE_NOW,
        "WIDGET_RELOAD_SECONDS": "0",
        **extra,
    }


def production_stack() -> dict[str, str]:
    """What ``pauseai-widget serve`` will run on (uvicorn's 'auto' picks these when present)."""
    from importlib.metadata import version

    return {name: version(name) for name in ("uvicorn", "httptools", "uvloop", "starlette")}


def miss_fraction(server: ServerProcess, route: str) -> float | None:
    """Share of cache lookups that missed on ``route`` according to the server's /metrics."""
    _, _, body = server.get("/metrics")
    counts = {"hit": 0.0, "miss": 0.0}
    for line in body.decode().splitlines():
        match = re.match(r"widget_cache_total\{(.*)\} ([\d.e+]+)$", line)
        if match and f'route="{route}"' in match.group(1):
            for result in counts:
                if f'result="{result}"' in match.group(1):
                    counts[result] += float(match.group(2))
    total = counts["hit"] + counts["miss"]
    return counts["miss"] / total if total else None


def capture_all(
    servers: dict[str, ServerProcess], planned: list[Scenario], results: Results
) -> tuple[list[Scenario], dict[str, dict[str, Any]]]:
    """The scenarios whose route answers 200, and their captured responses by target."""
    runnable: list[Scenario] = []
    replays: dict[str, dict[str, Any]] = {}
    for scenario in planned:
        if scenario.mix:
            mix = capture_mix(servers[scenario.server])
            if mix is None:
                results.scenarios[scenario.name] = {"target": "mix", "skipped": "not 200"}
                continue
            replays.update(mix)
            runnable.append(scenario)
            continue
        response = capture(servers[scenario.server], scenario.target, scenario.headers)
        if response["status"] != 200:
            print(f"SKIP {scenario.name}: {scenario.target} answers {response['status']}")
            results.scenarios[scenario.name] = {
                "target": scenario.target,
                "skipped": response["status"],
            }
            continue
        previous = replays.setdefault(scenario.target, response)
        assert previous["body"] == response["body"], f"{scenario.target}: servers differ"
        runnable.append(scenario)
    return runnable, replays


def combined(slices: list[Load]) -> Load:
    """One load from consecutive slices: total requests over total time, median latencies."""
    seconds = sum(part.requests / part.requests_per_second for part in slices)
    requests = sum(part.requests for part in slices)
    cpu = sum(part.cpu_us_per_request * part.requests for part in slices)
    return Load(
        requests_per_second=requests / seconds,
        p50_ms=statistics.median(part.p50_ms for part in slices),
        p99_ms=statistics.median(part.p99_ms for part in slices),
        requests=requests,
        errors=sum(part.errors for part in slices),
        non_2xx=sum(part.non_2xx for part in slices),
        cpu_us_per_request=cpu / max(requests, 1),
    )


def alternate(
    servers: dict[str, ServerProcess], bare: ServerProcess, runnable: list[Scenario]
) -> dict[str, list[Round]]:
    """Warm up, then ROUNDS rounds of (real, bare) runs per scenario, back to back."""
    for scenario in runnable:  # warm-up: caches, code paths, connections
        wrk(servers[scenario.server], scenario, 1)
        wrk(bare, scenario, 1)
    rounds: dict[str, list[Round]] = {scenario.name: [] for scenario in runnable}
    for number in range(ROUNDS):
        for scenario in runnable:
            real_slices: list[Load] = []
            bare_slices: list[Load] = []
            server = servers[scenario.server]
            shares = scenario.server == "cached" and SERVER_CPUS is not None
            turns = SECONDS / 2 if shares else SECONDS
            slices = max(1, min(SLICES, int(turns)))  # wrk runs whole seconds
            for _ in range(slices):  # taking turns: both see the same stretch of time
                real_slices.append(wrk(server, scenario, turns / slices))
                bare_slices.append(wrk(bare, scenario, turns / slices))
            measured = Round(combined(real_slices), combined(bare_slices))
            if shares:
                measured.shared_real, measured.shared_bare = together(
                    server, bare, scenario, SECONDS / 2
                )
            rounds[scenario.name].append(measured)
            real, baseline = measured.real, measured.bare
            sharing = (
                ""
                if measured.shared_real is None
                else (f" | sharing a core: ratio {measured.ratio:.2f}")
            )
            print(
                f"round {number + 1} {scenario.name:<12} "
                f"real {real.requests_per_second:8.0f} req/s p50 {real.p50_ms:6.2f} ms "
                f"p99 {real.p99_ms:6.2f} ms | bare {baseline.requests_per_second:8.0f} req/s "
                f"p99 {baseline.p99_ms:6.2f} ms | in turns: ratio {measured.turns_ratio:.2f} "
                f"(cpu/request {real.cpu_us_per_request:.0f} us vs "
                f"{baseline.cpu_us_per_request:.0f} us){sharing}",
                flush=True,
            )
    return rounds


def together(
    server: ServerProcess, bare: ServerProcess, scenario: Scenario, seconds: float
) -> tuple[Load, Load]:
    """Load both apps at once for ``seconds``, both servers pinned to the same core."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        real = pool.submit(wrk, server, scenario, seconds)
        baseline = pool.submit(wrk, bare, scenario, seconds)
        return real.result(), baseline.result()


def summary(scenario: Scenario, measured: list[Round]) -> dict[str, Any]:
    """Every round's figures and their medians."""

    def median(figure: Callable[[Round], float]) -> float:
        return statistics.median(figure(r) for r in measured)

    return {
        "target": scenario.target,
        "server": scenario.server,
        "rounds": [
            {
                "real": asdict(r.real),
                "bare": asdict(r.bare),
                "ratio": r.ratio,
                "turns_ratio": r.turns_ratio,
                "shared": None
                if r.shared_real is None or r.shared_bare is None
                else {"real": asdict(r.shared_real), "bare": asdict(r.shared_bare)},
                "p99_factor": r.p99_factor,
                "cpu_ratio": r.cpu_ratio,
            }
            for r in measured
        ],
        "median": {
            "requests_per_second": median(lambda r: r.real.requests_per_second),
            "p50_ms": median(lambda r: r.real.p50_ms),
            "p99_ms": median(lambda r: r.real.p99_ms),
            "bare_requests_per_second": median(lambda r: r.bare.requests_per_second),
            "bare_p99_ms": median(lambda r: r.bare.p99_ms),
            "ratio": median(lambda r: r.ratio),
            "turns_ratio": median(lambda r: r.turns_ratio),
            "p99_factor": median(lambda r: r.p99_factor),
            "cpu_us_per_request": median(lambda r: r.real.cpu_us_per_request),
            "bare_cpu_us_per_request": median(lambda r: r.bare.cpu_us_per_request),
            "cpu_ratio": median(lambda r: r.cpu_ratio),
        },
        "errors": sum(r.real.errors + r.real.non_2xx for r in measured),
    }


def load_scenarios(results: Results) -> list[Target]:
    """Alternate real and bare runs for every scenario; the throughput/latency targets."""
    planned = scenarios()
    with (
        ServerProcess(service_env(), cpus=SERVER_CPUS) as cached,
        ServerProcess(service_env(WIDGET_CACHE_TTL="0"), cpus=SERVER_CPUS) as miss,
        ServerProcess(service_env(), argv=WORKERS_ARGV, cpus=WORKERS_CPUS) as workers2,
        tempfile.TemporaryDirectory(prefix="bench-") as scratch,
    ):
        servers = {"cached": cached, "miss": miss, "workers2": workers2}
        runnable, replays = capture_all(servers, planned, results)
        responses = Path(scratch) / "responses.json"
        responses.write_text(json.dumps(replays), encoding="utf-8")
        with start_bare(responses) as bare:
            for key, replay in replays.items():
                target, _, language = key.partition("\t")
                headers = {**ACCEPT_GZIP, **({"Accept-Language": language} if language else {})}
                status, _, body = bare.get(target, headers)
                assert status == 200 and base64.b64encode(body).decode() == replay["body"]
            rounds = alternate(servers, bare, runnable)
        misses = miss_fraction(miss, "embed")
    targets: list[Target] = []
    for scenario in planned:
        if scenario not in runnable:
            if scenario.has_targets:
                targets.append(
                    Target(
                        f"{scenario.name} req/s ratio to bare",
                        None,
                        scenario.min_ratio,
                        "x",
                        higher_is_better=True,
                        note="route not built yet",
                    )
                )
            continue
        figures = summary(scenario, rounds[scenario.name])
        if scenario.name == "embed_miss":
            figures["miss_fraction"] = misses
        one_worker = results.scenarios.get("mix", {}).get("median")
        if scenario.server == "workers2" and one_worker:
            figures["vs_one_worker"] = (
                figures["median"]["requests_per_second"] / one_worker["requests_per_second"]
            )
        results.scenarios[scenario.name] = figures
        if scenario.has_targets:
            median = figures["median"]
            targets.append(
                Target(
                    f"{scenario.name} req/s ratio to bare",
                    median["ratio"],
                    scenario.min_ratio,
                    "x",
                    higher_is_better=True,
                    note=RATIO_NOTE,
                )
            )
            targets.append(
                Target(
                    f"{scenario.name} p99 vs bare p99",
                    median["p99_factor"],
                    scenario.max_p99_factor,
                    "x",
                )
            )
    return targets


# --- cold render ----------------------------------------------------------------------------


def cold_renders(results: Results, renders: int = 200) -> list[Target]:
    """The 50-city widget, and /events and /embed/upcoming over 1,000 varied events, each
    rendered through the application with the body cache off (``tests.bench.cold_render``);
    the catalog's figures also as a ratio to the widget's, measured in the same run."""
    widget, catalog = cold_render.on_one_cpu(renders, int(SERVER_CPUS) if SERVER_CPUS else None)
    results.cold_render = {
        **widget.as_dict(),
        "cities": 50,
        "note": "whole ASGI request in process, body cache off (includes routing and middleware)",
    }
    results.index_cold_render = {
        "events": cold_render.CATALOG_EVENTS,
        "targets": {
            target: {**figures.as_dict(), "ratio_to_widget": cold_render.ratio(figures, widget)}
            for target, figures in catalog.items()
        },
    }
    print("\n".join(cold_render.lines(widget, catalog)))
    if widget.median_ms is None:
        print(f"SKIP cold render: {widget.target} answers {widget.status}")
    targets = [
        Target("cold render, 50-city widget (median)", widget.median_ms, MAX_COLD_RENDER_MS, "ms")
    ]
    for target, limit in CATALOG_LIMITS.items():
        figures = catalog[target]
        name = f"cold render, {target} over {cold_render.CATALOG_EVENTS} events"
        note = "" if figures.median_ms is not None else f"answers {figures.status}"
        targets.append(Target(f"{name} (median)", figures.median_ms, limit, "ms", note=note))
        targets.append(
            Target(
                f"{name} / widget's",
                cold_render.ratio(figures, widget),
                MAX_CATALOG_RATIO,
                "x",
                note=RATIO_TO_WIDGET_NOTE,
            )
        )
    return targets


# --- sizes ----------------------------------------------------------------------------------


class _Subresources(HTMLParser):
    """URLs a browser fetches while loading a document (scripts, styles, icons, images)."""

    LOADED_RELS = frozenset({"stylesheet", "preload", "modulepreload", "icon", "manifest"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            rels = set((values.get("rel") or "").lower().split())
            if rels & self.LOADED_RELS:
                self.urls.append(values["href"] or "")


def wire_bytes(server: ServerProcess, target: str) -> tuple[int, int, bytes]:
    """(status, bytes a gzip-accepting browser receives, decoded body)."""
    status, headers, body = server.get(target, ACCEPT_GZIP)
    encoded = any(n.lower() == "content-encoding" and v == "gzip" for n, v in headers)
    return status, len(body), gzip.decompress(body) if encoded else body


def sizes(results: Results) -> list[Target]:
    """Gzipped bytes of the widget page and everything it loads, and of /embed.js."""
    targets = []
    with ServerProcess(service_env(), cpus=SERVER_CPUS) as server:
        status, loader, _ = wire_bytes(server, "/embed.js")
        results.sizes["embed_js_gzip"] = loader
        targets.append(
            Target(
                "embed.js gzipped", loader if status == 200 else None, MAX_EMBED_JS_GZIP, "bytes"
            )
        )
        target = f"/embed/{SAMPLE_SLUG}?lang=en"
        status, document, html = wire_bytes(server, target)
        if status != 200:
            print(f"SKIP widget size: {target} answers {status}")
            targets.append(
                Target(
                    "widget + what it loads, gzipped",
                    None,
                    MAX_WIDGET_TOTAL_GZIP,
                    "bytes",
                    note="route not built yet",
                )
            )
            return targets
        parser = _Subresources()
        parser.feed(html.decode("utf-8"))
        loaded: dict[str, int | str] = {}
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.netloc and parts.netloc != urlsplit(PUBLIC_URL).netloc:
                loaded[url] = "third party (not loaded before consent? check)"
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            sub_status, sub_bytes, _ = wire_bytes(server, path)
            loaded[url] = sub_bytes if sub_status == 200 else f"status {sub_status}"
        total = document + sum(v for v in loaded.values() if isinstance(v, int))
        results.sizes.update(
            {
                "widget_document_gzip": document,
                "widget_raw": len(html),
                "widget_subresources": loaded,
                "widget_total_gzip": total,
            }
        )
        targets.append(
            Target("widget + what it loads, gzipped", total, MAX_WIDGET_TOTAL_GZIP, "bytes")
        )
    return targets


# --- memory ---------------------------------------------------------------------------------


def cache_bytes(server: ServerProcess) -> float:
    """The body cache's size according to the server's /metrics."""
    _, _, body = server.get("/metrics")
    found = re.search(r"^widget_cache_bytes ([\d.e+]+)$", body.decode(), re.M)
    return float(found.group(1)) if found else 0.0


def memory(results: Results, events: int = 100, cities: int = 20) -> Target:
    """VmRSS of a service holding ``events`` generated events, after warm-up requests.

    Warm-up: every cached route once per event (two widget variants), so the body cache
    holds what a day of ordinary traffic would put in it.
    """
    with ServerProcess(service_env(), cpus=SERVER_CPUS) as sample:
        baseline = sample.memory_kib()
    with tempfile.TemporaryDirectory(prefix="bench-100-") as scratch:
        root = Path(scratch)
        slugs = write_catalog(root, events, cities)
        env = service_env(WIDGET_DATA_DIR=str(root), WIDGET_NOW="2029-12-01T00:00:00+00:00")
        with ServerProcess(env, cpus=SERVER_CPUS) as server:
            loaded = server.memory_kib()
            statuses: dict[int, int] = {}
            for slug in slugs:
                page = quote(f"{PUBLIC_URL}/events/{slug}", safe="")
                for target in (
                    f"/embed/{slug}?lang=en",
                    f"/embed/{slug}?lang=nl&theme=dark",
                    f"/events/{slug}",
                    f"/events/{slug}.json",
                    f"/oembed?url={page}",
                ):
                    status, _, _ = server.get(target, ACCEPT_GZIP)
                    statuses[status] = statuses.get(status, 0) + 1
            warm = server.memory_kib()
            held = cache_bytes(server)
    mb = warm["VmRSS"] * 1024 / 1e6
    results.memory = {
        "events": events,
        "cities_per_event": cities,
        "sample_only_at_start_kib": baseline,
        "loaded_kib": loaded,
        "after_warmup_kib": warm,
        "body_cache_bytes": held,
        "rss_mb": mb,
        "warmup_statuses": statuses,
    }
    return Target(f"RSS with {events} events, after warm-up", mb, MAX_RSS_MB, "MB")


# --- main -----------------------------------------------------------------------------------


def report(targets: list[Target]) -> None:
    """Print one line per target."""
    print("\nTargets")
    for target in targets:
        comparison = ">=" if target.higher_is_better else "<="
        value = "-" if target.value is None else f"{target.value:.2f}"
        note = f"  ({target.note})" if target.note and target.status != "PASS" else ""
        print(
            f"  {target.status:<4}  {target.name}: {value} {target.unit} "
            f"(target {comparison} {target.limit:g}){note}"
        )


def main() -> int:
    """Run everything, print the figures and targets, write ``$BENCH_OUT``."""
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    results = Results(
        config={
            "seconds": SECONDS,
            "rounds": ROUNDS,
            "slices": SLICES,
            "connections": CONNECTIONS,
            "server_cpus": SERVER_CPUS,
            "load_cpus": LOAD_CPUS,
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            **production_stack(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            # Other processes on the machine skew absolute figures (compare ratios, CPU/request).
            "load_average_at_start": os.getloadavg()[0],
        }
    )
    try:
        targets = load_scenarios(results)
    finally:
        MIX_LIST.unlink(missing_ok=True)
    targets += cold_renders(results)
    targets += sizes(results)
    targets.append(memory(results))
    results.targets = [{**asdict(t), "status": t.status} for t in targets]
    results.config["load_average_at_end"] = os.getloadavg()[0]
    OUT.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    print(
        f"\nMedians over {ROUNDS} rounds of {SECONDS:g} s, {CONNECTIONS} connections "
        f"(load average {results.config['load_average_at_start']:.1f} at start, "
        f"{results.config['load_average_at_end']:.1f} at end)"
    )
    two = results.scenarios.get("mix_2workers", {})
    if "vs_one_worker" in two:
        print(
            f"  mix on 2 workers: {two['vs_one_worker']:.2f}x the req/s of 1 worker "
            f"(2 workers on CPUs {WORKERS_CPUS or 'any'}, wrk on {LOAD_CPUS or 'any'})"
        )
    for name, figures in results.scenarios.items():
        if "median" in figures:
            m = figures["median"]
            print(
                f"  {name:<12} {m['requests_per_second']:8.0f} req/s  p50 {m['p50_ms']:.2f} ms  "
                f"p99 {m['p99_ms']:.2f} ms  bare {m['bare_requests_per_second']:8.0f} req/s  "
                f"ratio {m['ratio']:.2f}  p99 x{m['p99_factor']:.2f}  "
                f"cpu {m['cpu_us_per_request']:.0f} us/req (ratio {m['cpu_ratio']:.2f})"
            )
    sizes_only = {k: v for k, v in results.sizes.items() if k != "widget_subresources"}
    print(f"  sizes: {json.dumps(sizes_only)}")
    memory_figures = results.memory
    loaded_mb = memory_figures["loaded_kib"]["VmRSS"] * 1024 / 1e6
    sample_mb = memory_figures["sample_only_at_start_kib"]["VmRSS"] * 1024 / 1e6
    print(
        f"  RSS with 100 events: {memory_figures['rss_mb']:.1f} MB after warm-up "
        f"({loaded_mb:.1f} MB loaded, {sample_mb:.1f} MB with the sample "
        f"only; body cache {memory_figures['body_cache_bytes'] / 1e6:.1f} MB)"
    )
    report(targets)
    print(f"\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
