"""Prometheus metrics: one registry per application (tests build several apps).

Labels come only from our routes and our data (event slugs, location ids), never from
request values, so no visitor can grow the number of series — except the embedding site of
a signup click, which ``widget.site_labels`` bounds to 50 origins and ``other``.

Requests, latency and cache lookups are updated on every request, cache hits included, so
they are kept as plain counters in ``RouteSeries`` (one per route name) and turned into
the usual families only when ``/metrics`` is scraped, by a custom collector — the way
prometheus_client documents for values kept elsewhere. Its ``Counter``/``Histogram`` take a
lock and walk the buckets in Python on every update: about 2 µs for a request's three
updates, most of what a cached answer may cost beyond the ASGI server itself (``make
bench``). Everything runs on the event loop thread, so plain integers need no lock.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.utils import floatToGoString

from widget import worker_metrics
from widget.site_labels import SiteLabels

if TYPE_CHECKING:
    from widget.http_protocol import ConnectionStats
    from widget.render_pool import Renders

CONTENT_TYPE = CONTENT_TYPE_LATEST
REFUSAL_STATUSES = (400, 414, 431, 503)
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")


class RouteSeries:
    """One route's request counts by status class, latency histogram and cache lookups."""

    __slots__ = ("by_status", "counts", "created", "hits", "misses", "seconds")

    def __init__(self) -> None:
        self.created = time.time()
        self.by_status = [0] * len(STATUS_CLASSES)
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)  # per bucket, not cumulative; +Inf last
        self.seconds = 0.0
        self.hits = 0
        self.misses = 0

    def answered(self, status: int, seconds: float) -> None:
        """Count one answered request: its status class and how long it took."""
        self.by_status[min(max(status // 100, 1), 5) - 1] += 1
        self.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.seconds += seconds

    def cached(self, hit: bool) -> None:
        """Count one body-cache lookup."""
        if hit:
            self.hits += 1
        else:
            self.misses += 1


class RequestStats:
    """The ``RouteSeries`` of every route name seen, exposed as Prometheus families."""

    def __init__(self) -> None:
        self.routes: dict[str, RouteSeries] = {}

    def route(self, name: str) -> RouteSeries:
        """The series of route ``name`` (a declared route name, never a raw path)."""
        series = self.routes.get(name)
        if series is None:
            series = self.routes[name] = RouteSeries()
        return series

    def collect(self) -> Iterator[Metric]:
        """widget_requests, widget_request_seconds and widget_cache, as scraped."""
        requests = CounterMetricFamily(
            "widget_requests",
            "HTTP requests by route and status class",
            labels=["route", "status"],
        )
        latency = HistogramMetricFamily(
            "widget_request_seconds", "Time to answer a request, by route", labels=["route"]
        )
        cache = CounterMetricFamily(
            "widget_cache",
            "Body cache lookups by route and result (hit, miss)",
            labels=["route", "result"],
        )
        for name, series in sorted(self.routes.items()):
            for status, count in zip(STATUS_CLASSES, series.by_status, strict=True):
                if count:
                    requests.add_metric([name, status], count, created=series.created)
            if sum(series.by_status):
                cumulative, buckets = 0, []
                bounds = [*map(floatToGoString, LATENCY_BUCKETS), "+Inf"]
                for bound, count in zip(bounds, series.counts, strict=True):
                    cumulative += count
                    buckets.append((bound, float(cumulative)))
                latency.add_metric([name], buckets, series.seconds)
                latency.add_sample(  # as prometheus_client's own Histogram exposes it
                    "widget_request_seconds_created", {"route": name}, series.created
                )
            for result, count in (("hit", series.hits), ("miss", series.misses)):
                if count:
                    cache.add_metric([name, result], count, created=series.created)
        yield from (requests, latency, cache)


class LimitStats:
    """What the protections did: renders in progress and refused (``widget.render_pool``),
    connections open, refused, evicted and timed out (``widget.http_protocol``)."""

    def __init__(self, renders: Renders, connections: ConnectionStats) -> None:
        self.renders = renders
        self.connections = connections

    def collect(self) -> Iterator[Metric]:
        """The families below, read from the gates and the connection counters."""
        running = GaugeMetricFamily(
            "widget_renders_in_progress",
            "Renders running or queued, by kind (pages, cards)",
            labels=["kind"],
        )
        refused = CounterMetricFamily(
            "widget_renders_refused",
            "Renders refused with 503 + Retry-After because the queue was full, by kind",
            labels=["kind"],
        )
        for gate in (self.renders.pages, self.renders.cards):
            running.add_metric([gate.kind], gate.admitted)
            refused.add_metric([gate.kind], gate.refused)
        connections = self.connections
        yield running
        yield refused
        yield GaugeMetricFamily(
            "widget_connections_open", "Client connections open", value=connections.open
        )
        closed = CounterMetricFamily(
            "widget_connections_refused",
            "Connections answered and closed by an HTTP limit, by status (400 malformed, "
            "414 request line, 431 headers, 503 connection cap)",
            labels=["status"],
        )
        for status in REFUSAL_STATUSES:
            closed.add_metric([str(status)], connections.refused.get(status, 0))
        yield closed
        yield CounterMetricFamily(
            "widget_connections_evicted",
            "Idle connections closed to make room under the connection cap",
            value=connections.evicted,
        )
        yield CounterMetricFamily(
            "widget_connections_head_timeouts",
            "Connections closed for not sending their request headers in time",
            value=connections.head_timeouts,
        )


class Metrics:
    """The service's counters, histograms and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.stats = RequestStats()
        self.registry.register(self.stats)
        self.cache_entries = Gauge(
            "widget_cache_entries", "Entries in the body cache", registry=self.registry
        )
        self.cache_bytes = Gauge(
            "widget_cache_bytes", "Bytes held by the body cache", registry=self.registry
        )
        self.reloads = Counter(
            "widget_data_reloads",
            "Data reloads by outcome (ok, error)",
            ["outcome"],
            registry=self.registry,
        )
        self.data_events = Gauge(
            "widget_data_events", "Events in the live catalog", registry=self.registry
        )
        self.clicks = Counter(
            "widget_signup_clicks",
            "Signup click-throughs by event, location and link (1: the signup link)",
            ["event", "location", "link"],
            registry=self.registry,
        )
        self.site_clicks = Counter(
            "widget_signup_clicks_by_site",
            "Signup click-throughs by event, location and embedding site (its origin, as the"
            " widget's script reports it at click time; the 50 most frequent, else other)",
            ["event", "location", "site"],
            registry=self.registry,
        )
        self.sites = SiteLabels()
        self.feed_fetches = Counter(
            "widget_feed_fetches",
            "Calendar feed fetches by source and outcome (ok, not_modified, error)",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.feed_events = Gauge(
            "widget_feed_events",
            "Events of each calendar feed in its last good copy",
            ["source"],
            registry=self.registry,
        )
        self.feed_last_success = Gauge(
            "widget_feed_last_success_timestamp_seconds",
            "When each calendar feed was last fetched successfully (Unix time)",
            ["source"],
            registry=self.registry,
        )

    def watch_limits(self, renders: Renders, connections: ConnectionStats) -> None:
        """Expose what the render gates and the connection limits did (``LimitStats``)."""
        self.registry.register(LimitStats(renders, connections))

    def render(self) -> bytes:
        """The exposition text (summed over the workers of ``serve --workers N``)."""
        return generate_latest(worker_metrics.exposed(self.registry))
