"""The counted signup redirect GET /go/{slug}/{location}: never an open redirect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from widget.app import create_app
from widget.settings import SAMPLE_DATA_DIR, Settings

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG


def sample_signups() -> dict[str, str]:
    """Location id → signup URL, read from the sample's event.yaml (the source of truth)."""
    from widget.model import Location

    facts = yaml.safe_load((SAMPLE_DATA_DIR / SAMPLE_SLUG / "event.yaml").read_text("utf-8"))
    locations = [Location.model_validate(item) for item in facts["locations"]]
    return {location.id: location.signup_url for location in locations}


def clicks(client: TestClient) -> dict[tuple[str, ...], float]:
    """The click counter's samples from /metrics, by (event, location) for signup links
    and by (event, location, link number) for further links."""
    text = client.get("/metrics").text
    found: dict[tuple[str, ...], float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "widget_signup_clicks":
            for sample in family.samples:
                if sample.name == "widget_signup_clicks_total":
                    key = (sample.labels["event"], sample.labels["location"])
                    link = sample.labels["link"]
                    found[key if link == "1" else (*key, link)] = sample.value
    return found


@pytest.mark.parametrize(("location", "target"), sorted(sample_signups().items()))
def test_redirects_to_the_signup_url_from_the_data(
    client: TestClient, location: str, target: str
) -> None:
    """Every sample location redirects (302) to exactly its signup URL from the data."""
    response = client.get(f"/go/{SAMPLE_SLUG}/{location}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == target
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers


def test_next_redirects_and_counts_under_the_real_slug(client: TestClient) -> None:
    """/go/next/oslo redirects to Oslo's page and counts for the resolved event."""
    response = client.get("/go/next/oslo", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == sample_signups()["oslo"]
    assert clicks(client)[(SAMPLE_SLUG, "oslo")] == 1


def test_clicks_are_counted_per_event_and_location(client: TestClient) -> None:
    """Each GET adds one to its (event, location) counter; HEAD and other locations do not."""
    for _ in range(3):
        client.get(f"/go/{SAMPLE_SLUG}/den-haag", follow_redirects=False)
    client.get(f"/go/{SAMPLE_SLUG}/london", follow_redirects=False)
    head = client.head(f"/go/{SAMPLE_SLUG}/den-haag", follow_redirects=False)
    assert head.status_code == 302
    counted = clicks(client)
    assert counted[(SAMPLE_SLUG, "den-haag")] == 3
    assert counted[(SAMPLE_SLUG, "london")] == 1
    assert (SAMPLE_SLUG, "oslo") not in counted


@pytest.mark.parametrize(
    "path",
    [
        f"/go/{SAMPLE_SLUG}/nowhere",
        f"/go/{SAMPLE_SLUG}/DEN-HAAG",  # ids are lower case
        f"/go/{SAMPLE_SLUG}/den%20haag",  # a city name, not its id
        f"/go/{SAMPLE_SLUG}/https:%2F%2Fevil.example",  # a URL as the location
        f"/go/{SAMPLE_SLUG}/%2F%2Fevil.example",  # protocol-relative
        f"/go/{SAMPLE_SLUG}/..%2F..%2Fevents",  # traversal
        f"/go/{SAMPLE_SLUG}/den-haag%0d%0aLocation:%20https://evil.example",  # header injection
        f"/go/{SAMPLE_SLUG}/den-haag/extra",  # not a link number
        f"/go/{SAMPLE_SLUG}/den-haag/2",  # the sample's cities have one link each
        f"/go/{SAMPLE_SLUG}/den-haag/1",  # the first link is /go/SLUG/LOCATION only
        f"/go/{SAMPLE_SLUG}/den-haag/0",
        f"/go/{SAMPLE_SLUG}/den-haag/-1",
        f"/go/{SAMPLE_SLUG}/den-haag/1/2",  # no such route
        f"/go/{SAMPLE_SLUG}/",
        f"/go/{SAMPLE_SLUG}",  # the sample has no organize link
        "/go/no-such-event",
        "/go/no-such-event/den-haag",
        "/go/https:%2F%2Fevil.example/den-haag",
        "/go/" + "a" * 300 + "/den-haag",
    ],
)
def test_anything_else_is_a_404_never_a_redirect(client: TestClient, path: str) -> None:
    """Unknown events and locations, and URLs in the path, answer 404 without a Location."""
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers
    assert clicks(client) == {}


@pytest.mark.parametrize(
    "query",
    [
        "url=https://evil.example",
        "next=https://evil.example",
        "redirect=%2F%2Fevil.example",
        "location=oslo",
    ],
)
def test_query_parameters_cannot_choose_the_target(client: TestClient, query: str) -> None:
    """Redirect-style query parameters are ignored: the target is still the data's URL."""
    response = client.get(f"/go/{SAMPLE_SLUG}/london?{query}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == sample_signups()["london"]


def test_post_is_not_allowed(client: TestClient) -> None:
    """Only GET (and HEAD) are served; POST is refused and not counted."""
    response = client.post(f"/go/{SAMPLE_SLUG}/london", follow_redirects=False)
    assert response.status_code == 405
    assert clicks(client) == {}


LINKED_EVENT = {
    "date": "2025-02-07",
    "end_date": "2025-02-11",
    "organize_url": "https://discord.gg/pauseai",
    "locations": [
        {
            "city": "Oxford",
            "country": "GB",
            "links": [
                {"url": "https://lu.ma/oxford", "label": "Sign up"},
                {"url": "https://www.facebook.com/events/1"},
                {"url": "mailto:oxford@pauseai.info"},
            ],
        },
        {"city": "Zürich", "country": "CH"},  # to be announced: no link
        {"country": "FR"},  # the city still open
        {"city": "Milan", "country": "IT", "status": "cancelled", "signup_url": "https://a.org/"},
    ],
}


@pytest.fixture
def linked_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client on one event with several links per city, a t.b.a. city and a cancelled one."""
    directory = tmp_path / "data" / "2025-02-07-linked"
    directory.mkdir(parents=True)
    (directory / "event.yaml").write_text(yaml.safe_dump(LINKED_EVENT), encoding="utf-8")
    (directory / "en.md").write_text("---\ntitle: Linked\n---\n", encoding="utf-8")
    settings = Settings(
        public_url=PUBLIC_URL, data_dir=tmp_path / "data", now=BEFORE, reload_seconds=0
    )
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/go/2025-02-07-linked/oxford", "https://lu.ma/oxford"),
        ("/go/2025-02-07-linked/oxford/2", "https://www.facebook.com/events/1"),
        ("/go/2025-02-07-linked/oxford/3", "mailto:oxford@pauseai.info"),
        ("/go/2025-02-07-linked/oxford/4", None),  # only three links
        ("/go/2025-02-07-linked/oxford/02", None),  # one spelling per link
        ("/go/2025-02-07-linked/oxford/2x", None),
        ("/go/2025-02-07-linked/oxford/" + "9" * 30, None),
        ("/go/2025-02-07-linked/zurich", None),  # t.b.a.: nothing to redirect to
        ("/go/2025-02-07-linked/fr", None),
        ("/go/2025-02-07-linked/milan", None),  # cancelled: its link is not offered
    ],
)
def test_each_link_has_its_own_counted_path(
    linked_client: TestClient, path: str, target: str | None
) -> None:
    """Each link of a location redirects from its own path and is counted there; a location
    without links, a cancelled one and any other number answer 404."""
    response = linked_client.get(path, follow_redirects=False)
    if target is None:
        assert (response.status_code, response.headers.get("location")) == (404, None)
        assert clicks(linked_client) == {}
        return
    assert (response.status_code, response.headers["location"]) == (302, target)
    number = path.rsplit("/", 1)[1] if path.count("/") == 4 else None
    key = ("2025-02-07-linked", "oxford", *((number,) if number else ()))
    assert clicks(linked_client) == {key: 1}


def test_the_organize_link_is_a_counted_redirect_on_our_host(linked_client: TestClient) -> None:
    """The widget's "organize one near you" link points at /go/{slug} on our host (inside
    WordPress's sandbox only our own links can be followed), which redirects to the data's
    organize_url and counts the click apart from every location."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(linked_client.get("/embed/2025-02-07-linked").text, "html.parser")
    (organize,) = page.select("p.organize a[href]")
    assert organize["href"] == f"{PUBLIC_URL}/go/2025-02-07-linked"
    response = linked_client.get("/go/2025-02-07-linked", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        302,
        "https://discord.gg/pauseai",
    )
    assert response.headers["cache-control"] == "no-store"
    assert clicks(linked_client) == {("2025-02-07-linked", "(organize)"): 1}
