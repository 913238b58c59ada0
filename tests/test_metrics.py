"""/metrics: requests and latency by route, cache, reloads, clicks; labels from data only."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from widget.app import ROUTES
from widget.metrics import LATENCY_BUCKETS, RequestStats

from conftest import PUBLIC_URL, SAMPLE_SLUG

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
ROUTE_NAMES = {route.name for route in ROUTES} | {"unmatched"}
JSON = f"/events/{SAMPLE_SLUG}.json"


def scrape(client: TestClient) -> Samples:
    """Every sample of /metrics by (sample name, labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when the series does not exist)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples: Samples, name: str, label: str) -> set[str]:
    """Every value ``label`` takes across the series of ``name``."""
    return {dict(labels)[label] for sample, labels in samples if sample == name and labels}


def test_metrics_is_prometheus_text_and_never_cached(client: TestClient) -> None:
    """/metrics answers the Prometheus text format with Cache-Control: no-store."""
    response = client.get("/metrics")
    assert response.status_code == 200
    media_type, _, parameters = response.headers["content-type"].partition(";")
    assert media_type == "text/plain" and "version=" in parameters
    assert response.headers["cache-control"] == "no-store"
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {
        "widget_requests",
        "widget_request_seconds",
        "widget_cache",
        "widget_cache_entries",
        "widget_cache_bytes",
        "widget_data_reloads",
        "widget_data_events",
        "widget_signup_clicks",
    } <= names


def test_requests_and_latency_are_counted_by_route_and_status_class(client: TestClient) -> None:
    """Each request adds one to its route's counter (by status class) and latency histogram."""
    before = scrape(client)
    for _ in range(3):
        assert client.get(JSON).status_code == 200
    assert client.get("/events/no-such-event.json").status_code == 404
    assert client.get("/no/such/route").status_code == 404
    after = scrape(client)
    delta = {
        (route, status): value(after, "widget_requests_total", route=route, status=status)
        - value(before, "widget_requests_total", route=route, status=status)
        for route, status in [("event_json", "2xx"), ("event_json", "4xx"), ("unmatched", "4xx")]
    }
    assert delta == {("event_json", "2xx"): 3, ("event_json", "4xx"): 1, ("unmatched", "4xx"): 1}
    observed = value(after, "widget_request_seconds_count", route="event_json") - value(
        before, "widget_request_seconds_count", route="event_json"
    )
    assert observed == 4
    assert value(after, "widget_request_seconds_sum", route="event_json") > 0


def test_latency_buckets_are_cumulative_and_end_at_the_count() -> None:
    """Each latency lands in the first bucket whose bound holds it; +Inf equals the count."""
    stats = RequestStats()
    series = stats.route("embed")
    for seconds in (0.0001, 0.0005, 0.0007, 0.02, 5.0):
        series.answered(200, seconds)
    series.answered(503, 0.001)
    exposed = {
        (sample.name, sample.labels.get("le")): sample.value
        for family in stats.collect()
        if family.name == "widget_request_seconds"
        for sample in family.samples
    }
    assert exposed[("widget_request_seconds_bucket", "0.0005")] == 2  # le: 0.0005 included
    assert exposed[("widget_request_seconds_bucket", "0.001")] == 4
    assert exposed[("widget_request_seconds_bucket", "0.025")] == 5
    assert exposed[("widget_request_seconds_bucket", "1.0")] == 5
    assert exposed[("widget_request_seconds_bucket", "+Inf")] == 6
    assert exposed[("widget_request_seconds_count", None)] == 6
    assert exposed[("widget_request_seconds_sum", None)] == pytest.approx(5.0223)
    counted = {
        sample.labels["status"]: sample.value
        for family in stats.collect()
        if family.name == "widget_requests"
        for sample in family.samples
        if sample.name == "widget_requests_total"
    }
    assert counted == {"2xx": 5, "5xx": 1}


@pytest.mark.parametrize("exposition", [generate_latest, generate_openmetrics])
def test_request_stats_expose_what_prometheus_clients_own_metrics_would(
    exposition: Callable[[CollectorRegistry], bytes],
) -> None:
    """Same families, samples and values as prometheus_client's Counter and Histogram."""
    ours = CollectorRegistry(auto_describe=True)
    stats = RequestStats()
    ours.register(stats)
    theirs = CollectorRegistry()
    requests = Counter(
        "widget_requests",
        "HTTP requests by route and status class",
        ["route", "status"],
        registry=theirs,
    )
    latency = Histogram(
        "widget_request_seconds",
        "Time to answer a request, by route",
        ["route"],
        buckets=LATENCY_BUCKETS,
        registry=theirs,
    )
    cache = Counter(
        "widget_cache",
        "Body cache lookups by route and result (hit, miss)",
        ["route", "result"],
        registry=theirs,
    )
    for route, status, seconds, hit in [
        ("embed", 200, 0.0004, True),
        ("embed", 304, 0.002, True),
        ("oembed", 404, 0.3, False),
        ("embed", 200, 2.5, False),
        ("unmatched", 404, 0.0001, None),
    ]:
        stats.route(route).answered(status, seconds)
        requests.labels(route, f"{status // 100}xx").inc()
        latency.labels(route).observe(seconds)
        if hit is not None:
            stats.route(route).cached(hit)
            cache.labels(route, "hit" if hit else "miss").inc()

    def lines(registry: CollectorRegistry) -> list[str]:
        text = exposition(registry).decode()
        # Creation times differ between the two registries; everything else must not.
        return sorted(
            re.sub(r"(_created\{[^}]*\}) \S+$", r"\1 T", line) for line in text.splitlines()
        )

    assert lines(ours) == lines(theirs)


def test_cache_hits_misses_and_size_are_exposed(client: TestClient) -> None:
    """A first render counts a miss, repeats count hits, and the gauges show what is held."""
    first = scrape(client)
    assert value(first, "widget_cache_entries") == 0
    client.get(JSON)
    client.get(JSON)
    client.get(f"{JSON}?utm_source=newsletter")  # unknown parameter: the same cache entry
    samples = scrape(client)
    assert value(samples, "widget_cache_total", route="event_json", result="miss") == 1
    assert value(samples, "widget_cache_total", route="event_json", result="hit") == 2
    cache = client.app.state.services.cache  # type: ignore[attr-defined]
    assert value(samples, "widget_cache_entries") == len(cache) == 1
    # The entry holds the gzipped body (and some overhead), which a gzip client is sent.
    sent = client.get(JSON, headers={"accept-encoding": "gzip"})
    assert sent.headers["content-encoding"] == "gzip"
    held = len(gzip.compress(sent.content, compresslevel=6, mtime=0))
    assert value(samples, "widget_cache_bytes") == cache.bytes > held


def test_reloads_and_reload_errors_are_counted(client: TestClient, data_dir: Path) -> None:
    """A valid reload counts as ok, an invalid one as error; the event gauge follows the data."""
    data = client.app.state.services.data  # type: ignore[attr-defined]
    start = scrape(client)
    event_file = data_dir / SAMPLE_SLUG / "event.yaml"
    good = event_file.read_text("utf-8")
    event_file.write_text(good.replace("city: Ottawa", "city: Toronto"), "utf-8")
    assert data.reload()
    event_file.write_text("date: [not a date\n", "utf-8")
    assert not data.reload()
    samples = scrape(client)
    ok = value(samples, "widget_data_reloads_total", outcome="ok") - value(
        start, "widget_data_reloads_total", outcome="ok"
    )
    errors = value(samples, "widget_data_reloads_total", outcome="error") - value(
        start, "widget_data_reloads_total", outcome="error"
    )
    assert (ok, errors) == (1, 1)
    assert value(samples, "widget_data_events") == 1


def test_click_throughs_are_counted_per_event_and_location(client: TestClient) -> None:
    """Each GET of /go/{slug}/{location} adds one to that (event, location) series."""
    for _ in range(2):
        client.get(f"/go/{SAMPLE_SLUG}/berlin", follow_redirects=False)
    client.get("/go/next/london", follow_redirects=False)  # 'next' counts under the real slug
    samples = scrape(client)
    assert (
        value(samples, "widget_signup_clicks_total", event=SAMPLE_SLUG, location="berlin", link="1")
        == 2
    )
    assert (
        value(samples, "widget_signup_clicks_total", event=SAMPLE_SLUG, location="london", link="1")
        == 1
    )


@pytest.mark.parametrize(
    "target",
    [
        f"/go/{SAMPLE_SLUG}/atlantis",  # a location id the data does not have
        f"/go/{SAMPLE_SLUG}/Berlin",  # ids are lower case: no series for a case variant
        f"/go/{SAMPLE_SLUG}/" + quote("<script>", safe=""),  # markup as a location id
        f"/go/{SAMPLE_SLUG}/{'x' * 500}",  # a huge id
        "/go/no-such-event/berlin",  # a valid location under an unknown event
        "/go/%2e%2e/berlin",  # an encoded dot-dot as the event
        f"/embed/{SAMPLE_SLUG}?lang=xx",  # a malformed known parameter (400)
        f"{JSON}?route=evil&status=666",  # parameters named like our labels
        "/events/" + "z" * 300 + ".json",  # an unknown, long slug
        "/wp-login.php",  # a scanner's path: no route
        "/metrics/../healthz",  # path games (the client normalizes it to /healthz)
    ],
)
def test_junk_requests_create_no_series(client: TestClient, target: str) -> None:
    """A junk location, event, path or parameter adds no label value but ours or the data's."""
    before = scrape(client)
    response = client.get(target, follow_redirects=False)
    assert response.status_code in (200, 400, 404)
    after = scrape(client)
    new_series = set(after) - set(before)
    routes = label_values(after, "widget_requests_total", "route")
    assert routes <= ROUTE_NAMES
    assert label_values(after, "widget_request_seconds_count", "route") <= ROUTE_NAMES
    assert label_values(after, "widget_cache_total", "route") <= ROUTE_NAMES
    assert not label_values(after, "widget_signup_clicks_total", "location")
    # The only new series may be this (known) route's request, latency and cache series.
    assert {name for name, _ in new_series} <= {
        "widget_requests_total",
        "widget_requests_created",
        "widget_request_seconds_bucket",
        "widget_request_seconds_count",
        "widget_request_seconds_sum",
        "widget_request_seconds_created",
        "widget_cache_total",
        "widget_cache_created",
    }


def test_fast_path_answers_are_counted_like_the_normal_stack(client: TestClient) -> None:
    """Cache hits of every hot route are counted as requests, latency and cache hits."""
    page = quote(f"{PUBLIC_URL}/events/{SAMPLE_SLUG}", safe="")
    targets = {
        "embed": f"/embed/{SAMPLE_SLUG}?lang=en",
        "event_page": f"/events/{SAMPLE_SLUG}?lang=en",
        "event_json": JSON,
        "oembed": f"/oembed?url={page}",
        "embed_js": "/embed.js",
    }
    statuses = {route: client.get(target).status_code for route, target in targets.items()}
    served = {route for route, status in statuses.items() if status == 200}
    assert {"event_json", "embed_js"} <= served
    before = scrape(client)
    for route in served:
        for _ in range(5):
            assert client.get(targets[route]).status_code == 200
    after = scrape(client)
    for route in served:
        requests = value(after, "widget_requests_total", route=route, status="2xx") - value(
            before, "widget_requests_total", route=route, status="2xx"
        )
        timed = value(after, "widget_request_seconds_count", route=route) - value(
            before, "widget_request_seconds_count", route=route
        )
        hits = value(after, "widget_cache_total", route=route, result="hit") - value(
            before, "widget_cache_total", route=route, result="hit"
        )
        assert (route, requests, timed) == (route, 5, 5)
        assert hits == (0 if route == "embed_js" else 5)
