"""Signup clicks by embedding site (widget/site_labels.py, /go/?site=, /metrics): strict
origins, a label set that stays bounded under a flood, hostile values that never break a
redirect, and an origin that never reaches the widget's cache."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from widget.site_labels import MAX_SITES, OTHER, PROMOTE_AFTER, SiteLabels, origin

from conftest import SAMPLE_SLUG

GO = f"/go/{SAMPLE_SLUG}/berlin"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org", "https://example.org"),
        ("HTTPS://Example.ORG", "https://example.org"),  # case folds
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://example.org:443", "https://example.org"),  # the default port is dropped
        ("http://example.org:80", "http://example.org"),
        ("https://192.168.1.20:8443", "https://192.168.1.20:8443"),
        ("https://a-b.c-d.example", "https://a-b.c-d.example"),
        # Not origins: each counts as other.
        ("https://example.org/", None),  # a path, even "/"
        ("https://example.org/page?visitor=1", None),  # path and query: never counted
        ("https://user:pw@example.org", None),  # credentials
        ("https://example.org#x", None),  # a fragment
        ("null", None),  # the opaque origin of a sandboxed frame
        ("", None),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("ftp://example.org", None),  # another scheme
        ("https://", None),  # no host
        ("https://-example.org", None),  # a label starting with a hyphen
        ("https://exa_mple.org", None),  # an underscore
        ("https://exämple.org", None),  # not in its ASCII (punycode) form
        ("https://[::1]:8000", None),  # IPv6 literals are left out
        ("https://999.1.1.1", None),  # not an IPv4 address
        ("https://example.org:0", None),
        ("https://example.org:65536", None),
        ("https://example.org:080", None),  # a leading zero
        ("https://example.org:", None),
        ("https://example.org\n", None),  # a trailing newline ($ must not allow it)
        (" https://example.org", None),
        ("https://" + "a" * 64 + ".org", None),  # a label over 63 characters
        ("https://" + ("a" * 60 + ".") * 5 + "org", None),  # a name over 253 characters
        ("https://example.org" + ":1" * 200, None),  # overlong
        ("<script>alert(1)</script>", None),
    ],
)
def test_origin_is_strict(value: str, expected: str | None) -> None:
    """Only scheme://host[:port] is an origin, normalized; anything else is not."""
    assert origin(value) == expected


def test_a_site_gets_its_label_after_a_few_clicks() -> None:
    """A site counts as other until its PROMOTE_AFTER-th click, then under its origin."""
    labels = SiteLabels()
    seen = [labels.label("https://example.org") for _ in range(PROMOTE_AFTER + 1)]
    assert seen == [OTHER] * (PROMOTE_AFTER - 1) + ["https://example.org"] * 2


def test_labels_stop_at_the_bound_and_one_offs_take_none() -> None:
    """A flood of one-off origins claims no label; frequent sites take the 50 labels and
    no more; the candidate table stays bounded."""
    labels = SiteLabels()
    flood = {labels.label(f"https://spam{n}.example") for n in range(5000)}
    assert flood == {OTHER}
    assert len(labels.tallies) <= labels.max_candidates
    for n in range(80):
        for _ in range(PROMOTE_AFTER):
            labels.label(f"https://site{n}.example")
    assert len(labels.named) == MAX_SITES
    assert labels.label("https://site79.example") == OTHER  # too late: the labels are taken
    assert labels.label("https://site0.example") == "https://site0.example"


def site_series(client: TestClient) -> dict[tuple[str, str, str], float]:
    """The widget_signup_clicks_by_site samples, by (event, location, site)."""
    text = client.get("/metrics").text
    return {
        (s.labels["event"], s.labels["location"], s.labels["site"]): s.value
        for family in text_string_to_metric_families(text)
        if family.name == "widget_signup_clicks_by_site"
        for s in family.samples
        if s.name.endswith("_total")
    }


def test_flood_of_origins_keeps_the_label_count_fixed(client: TestClient) -> None:
    """1,000 distinct origins clicking once through /go/, then 60 sites clicking often: at
    most 50 sites and other, and every click counted."""
    sites = [f"https://flood{n}.example" for n in range(1000)]
    sites += [f"https://site{n}.example" for n in range(60) for _ in range(PROMOTE_AFTER)]
    for site in sites:
        response = client.get(f"{GO}?site={quote(site, safe='')}", follow_redirects=False)
        assert response.status_code == 302
    series = site_series(client)
    labels = {site for (_, _, site) in series}
    assert len(labels) == MAX_SITES + 1 and OTHER in labels
    assert not any(label.startswith("https://flood") for label in labels)
    assert sum(series.values()) == len(sites)


@pytest.mark.parametrize(
    "query",
    [
        "site=javascript%3Aalert(1)",
        "site=https%3A%2F%2Fexample.org%2Fsecret-path",
        "site=%00",
        "site=" + "a" * 5000,  # far longer than any parameter may be elsewhere
        "site=https%3A%2F%2Fa.example&site=https%3A%2F%2Fb.example",  # repeated: not counted
        "site=%E2%80%AEhttps%3A%2F%2Fexample.org",  # a right-to-left override
        "site=%ZZ",  # broken percent-encoding
        "site",  # no value
    ],
)
def test_hostile_site_values_never_break_the_signup(client: TestClient, query: str) -> None:
    """Whatever ``site`` holds, /go/ redirects to the signup link; only a single valid
    origin is ever a label, anything else counts as other (or, repeated, not by site)."""
    response = client.get(f"{GO}?{query}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "https://www.facebook.com/events/1534322907129050"
    assert {site for (_, _, site) in site_series(client)} <= {OTHER}


def test_clicks_without_a_site_are_not_counted_by_site(client: TestClient) -> None:
    """A click from the event page or a plain iframe (no ``site``) counts in the click
    counter only."""
    client.get(GO, follow_redirects=False)
    assert site_series(client) == {}
    organize = client.get(
        f"/go/{SAMPLE_SLUG}?site={quote('https://example.org', safe='')}", follow_redirects=False
    )
    assert organize.status_code == 404  # the sample has no organize link: still never a 400


def test_the_origin_never_reaches_the_widget_cache(client: TestClient) -> None:
    """A ``site`` on the widget's own URL changes neither its body nor its cache entries."""
    plain = client.get(f"/embed/{SAMPLE_SLUG}?lang=en")
    for n in range(50):
        response = client.get(f"/embed/{SAMPLE_SLUG}?lang=en&site=https%3A%2F%2Fs{n}.example")
        assert response.content == plain.content
        assert response.headers["etag"] == plain.headers["etag"]
        assert f"s{n}.example" not in response.text
    gauge = [
        line
        for line in client.get("/metrics").text.splitlines()
        if line.startswith("widget_cache_entries ")
    ]
    assert gauge == ["widget_cache_entries 1.0"]
