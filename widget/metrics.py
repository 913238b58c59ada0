"""Prometheus metrics: one registry per application (tests build several apps).

Labels come only from our routes and our data (event slugs, location ids), never from
request values, so no visitor can grow the number of series.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The service's counters, histograms and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "widget_requests", "HTTP requests by route and status class",
            ["route", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "widget_request_seconds", "Time to answer a request, by route", ["route"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=self.registry,
        )
        self.cache = Counter(
            "widget_cache", "Body cache lookups by route and result (hit, miss)",
            ["route", "result"], registry=self.registry,
        )
        self.cache_entries = Gauge(
            "widget_cache_entries", "Entries in the body cache", registry=self.registry
        )
        self.cache_bytes = Gauge(
            "widget_cache_bytes", "Bytes held by the body cache", registry=self.registry
        )
        self.reloads = Counter(
            "widget_data_reloads", "Data reloads by outcome (ok, error)", ["outcome"],
            registry=self.registry,
        )
        self.data_events = Gauge(
            "widget_data_events", "Events in the live catalog", registry=self.registry
        )
        self.clicks = Counter(
            "widget_signup_clicks", "Signup click-throughs by event and location",
            ["event", "location"], registry=self.registry,
        )

    def render(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)
