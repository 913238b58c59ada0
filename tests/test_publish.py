"""The publish page: the event list, and the snippet builder as a plain GET form."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from starlette.datastructures import QueryParams
from starlette.testclient import TestClient

from widget.app import create_app
from widget.errors import BadRequest
from widget.params import ViewOptions
from widget.routes.publish import Choices, parse_choices
from widget.settings import Settings

from conftest import BEFORE, PUBLIC_URL, SAMPLE_SLUG


def publish(client: TestClient, query: str = "", **kwargs: Any) -> BeautifulSoup:
    """GET / (with a query), asserting a 200 HTML page, parsed."""
    response = client.get(f"/{'?' + query if query else ''}", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def snippet(document: BeautifulSoup, name: str) -> str:
    """The text of one snippet's textarea (what a visitor copies)."""
    area = document.find("textarea", id=f"snippet-{name}")
    assert isinstance(area, Tag)
    return area.get_text()


def script_snippet(document: BeautifulSoup) -> tuple[Tag, Tag]:
    """The script snippet parsed: its placeholder div and its script tag."""
    code = BeautifulSoup(snippet(document, "script"), "html.parser")
    elements = code.find_all(recursive=False)
    assert [element.name for element in elements] == ["div", "script"]
    return elements[0], elements[1]


def test_page_lists_the_events_and_marks_next(client: TestClient) -> None:
    """Every event with its date, counts, page link and a 'Next' tag on the next one."""
    document = publish(client, headers={"accept-language": "en"})
    items = document.select(".events li")
    assert len(items) == 1
    assert "PauseAI international protest, 13 May 2024" in items[0].get_text()
    assert items[0].select_one(".tag") is not None
    hrefs = [a["href"] for a in items[0].find_all("a")]
    assert hrefs == [
        f"{PUBLIC_URL}/events/{SAMPLE_SLUG}",
        f"{PUBLIC_URL}/?event={SAMPLE_SLUG}#builder",
    ]


def test_builder_is_a_get_form_with_every_option(client: TestClient) -> None:
    """Without JavaScript the builder is a GET form back to / with all its fields."""
    document = publish(client)
    form = document.find("form")
    assert isinstance(form, Tag)
    assert form["method"] == "get"
    assert form["action"] == f"{PUBLIC_URL}/#builder"
    names = {field["name"] for field in form.find_all(["input", "select"])}
    assert names == {
        "event",
        "lang",
        "theme",
        "accent",
        "country",
        "city",
        "layout",
        "consent",
        "geolocation",
        "map",
    }
    options = [option["value"] for option in form.select("select[name=event] option")]
    assert options == ["next", "upcoming", SAMPLE_SLUG]
    assert len(form.select("input[name=city]")) == 14
    assert len(form.select("input[name=country]")) == 12
    assert form.select_one("button[type=submit]") is not None
    for field in form.find_all(["input", "select"]):  # every field has a label
        if field.get("type") not in ("radio", "checkbox"):
            assert document.find("label", attrs={"for": field["id"]}) is not None
        else:
            assert field.find_parent("label") is not None


def test_default_snippets_follow_the_spec(client: TestClient) -> None:
    """The script snippet has the SPEC's shape: a placeholder div with a link, then the loader."""
    document = publish(client)
    div, script = script_snippet(document)
    assert div.attrs == {"data-pauseai-widget": "next", "data-theme": "auto"}
    [link] = div.find_all("a")
    assert link["href"] == f"{PUBLIC_URL}/events/next"
    assert link.get_text() == "PauseAI protests near you"
    assert script.attrs == {"async": "", "src": f"{PUBLIC_URL}/embed.js"}
    iframe = BeautifulSoup(snippet(document, "iframe"), "html.parser").iframe
    assert iframe is not None and iframe["src"] == f"{PUBLIC_URL}/embed/next"
    assert snippet(document, "url").strip() == f"{PUBLIC_URL}/events/next"
    preview = document.find("iframe", attrs={"data-preview-frame": True})
    assert preview is not None and preview["src"] == f"{PUBLIC_URL}/embed/next"


def test_submitted_options_fill_the_snippets(client: TestClient) -> None:
    """GET with options (as the form sends them) puts every option into every snippet."""
    query = urlencode(
        [
            ("event", SAMPLE_SLUG),
            ("lang", "nl"),
            ("theme", "dark"),
            ("accent", "#112233"),
            ("country", "NL"),
            ("country", "DE"),
            ("city", "london"),
            ("consent", "click"),
        ]
    )
    document = publish(client, query)
    div, _ = script_snippet(document)
    assert div["data-pauseai-widget"] == SAMPLE_SLUG
    assert (div["data-lang"], div["data-theme"], div["data-accent"]) == ("nl", "dark", "#112233")
    assert (div["data-country"], div["data-city"]) == ("DE,NL", "london")
    assert div["data-consent"] == "click"
    assert div["data-consent-button"] and div["data-consent-text"]
    assert div.a is not None and div.a["href"] == f"{PUBLIC_URL}/events/{SAMPLE_SLUG}?lang=nl"
    expected = {
        "lang": ["nl"],
        "theme": ["dark"],
        "accent": ["#112233"],
        "country": ["DE,NL"],
        "city": ["london"],
    }
    iframe = BeautifulSoup(snippet(document, "iframe"), "html.parser").iframe
    assert iframe is not None
    assert urlsplit(str(iframe["src"])).path == f"/embed/{SAMPLE_SLUG}"
    assert parse_qs(urlsplit(str(iframe["src"])).query) == expected
    pasted = urlsplit(snippet(document, "url").strip())
    assert pasted.path == f"/events/{SAMPLE_SLUG}"
    assert parse_qs(pasted.query) == expected
    # The form shows what was chosen.
    assert {box["value"] for box in document.select("input[name=country][checked]")} == {"NL", "DE"}
    assert [box["value"] for box in document.select("input[name=city][checked]")] == ["london"]
    assert document.select_one("select[name=lang] option[selected]")["value"] == "nl"  # type: ignore[index]
    assert document.select_one("input[name=consent][checked]")["value"] == "click"  # type: ignore[index]


def test_pasted_url_and_iframe_work(client: TestClient) -> None:
    """The oEmbed link answers /oembed with our widget; the iframe URL serves the widget."""
    document = publish(client, "lang=en&country=US")
    pasted = snippet(document, "url").strip()
    response = client.get("/oembed", params={"url": pasted})
    assert response.status_code == 200
    assert response.json()["type"] == "rich"
    iframe = BeautifulSoup(snippet(document, "iframe"), "html.parser").iframe
    assert iframe is not None
    assert client.get(str(iframe["src"]).removeprefix(PUBLIC_URL)).status_code == 200


def test_the_map_option_reaches_every_snippet_and_the_preview(client: TestClient) -> None:
    """The "Show a map of the cities" box: checked it adds data-map="1" to the script
    snippet, map=1 to the iframe snippet, the pasted URL and the preview (which then
    shows the map), and a taller frame; unchecked none of these."""
    plain = publish(client, f"event={SAMPLE_SLUG}&lang=en")
    box = plain.select_one("input[type=checkbox][name=map]")
    assert box is not None and box["value"] == "1" and not box.has_attr("checked")
    label = box.find_parent("label")
    assert label is not None and label.get_text() == "Show a map of the cities"
    assert "data-map" not in script_snippet(plain)[0].attrs

    document = publish(client, f"event={SAMPLE_SLUG}&lang=en&map=1")
    box = document.select_one("input[type=checkbox][name=map]")
    assert box is not None and box.has_attr("checked")
    div, _ = script_snippet(document)
    assert div["data-map"] == "1"
    iframe = BeautifulSoup(snippet(document, "iframe"), "html.parser").iframe
    preview = document.find("iframe", attrs={"data-preview-frame": True})
    assert iframe is not None and isinstance(preview, Tag)
    for url in (str(iframe["src"]), str(preview["src"]), snippet(document, "url").strip()):
        assert parse_qs(urlsplit(url).query) == {"lang": ["en"], "map": ["1"]}, url
    plain_iframe = BeautifulSoup(snippet(plain, "iframe"), "html.parser").iframe
    assert plain_iframe is not None
    assert int(str(iframe["height"])) > int(str(plain_iframe["height"]))
    shown = BeautifulSoup(
        client.get(str(preview["src"]).removeprefix(PUBLIC_URL)).text, "html.parser"
    )
    assert shown.select_one("figure.map svg") is not None


def test_the_default_accent_is_no_accent(client: TestClient) -> None:
    """The colour input always submits; its default value adds no data-accent."""
    div, _ = script_snippet(publish(client, "accent=%23ff9416"))
    assert "data-accent" not in div.attrs


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ("event=../healthz", 400, "event"),
        ("event=no-such-event", 404, None),
        ("event=a&event=b", 400, "event"),  # repeated
        ("lang=xx", 400, "lang"),
        ("theme=neon", 400, "theme"),
        ("accent=red", 400, "accent"),
        ("accent=%23ff9416%22%3E%3Cscript%3E", 400, "accent"),  # markup in a colour
        ("country=XYZ", 400, "country"),
        ("country=NL&country=%3Cb%3E", 400, "country"),
        ("city=Not_An_Id", 400, "city"),
        ("consent=maybe", 400, "consent"),
        ("map=yes", 400, "map"),
        ("map=2", 400, "map"),
        ("map=1%22%3E%3Cscript%3E", 400, "map"),  # markup in a flag
        ("map=1&map=1", 400, "map"),  # repeated
        ("&".join(f"country=N{chr(65 + n % 26)}" for n in range(51)), 400, "country"),  # too many
    ],
)
def test_malformed_options_are_html_errors(
    client: TestClient, query: str, status: int, parameter: str | None
) -> None:
    """A malformed field gets an HTML error page naming it; an unknown event a 404."""
    response = client.get(f"/?{query}")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    if parameter:
        assert parameter in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", Choices()),
        ("event=&lang=&theme=&accent=&consent=", Choices()),  # empty fields are defaults
        ("lang=pt-br&theme=light", Choices(options=ViewOptions(lang="pt-BR", theme="light"))),
        (
            "country=nl&country=DE&city=london",
            Choices(options=ViewOptions(countries=("DE", "NL"), cities=("london",))),
        ),
        ("utm_source=x", Choices()),
    ],
)
def test_choices_parse_to_a_normal_form(query: str, expected: Choices) -> None:
    """The form's values normalize: equal choices are one cache entry."""
    assert parse_choices(QueryParams(query)) == expected


def test_choices_reject_a_bad_consent_mode() -> None:
    """consent is auto or click."""
    with pytest.raises(BadRequest):
        parse_choices(QueryParams("consent=always"))


def test_page_policy_allows_the_preview_frame_and_nothing_inline(client: TestClient) -> None:
    """The CSP frames only our own widget and allows no unsafe-inline script."""
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "frame-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    document = BeautifulSoup(response.text, "html.parser")
    sources = [tag["src"] for tag in document.find_all("script", src=True)]
    assert len(sources) == 1 and str(sources[0]).startswith(f"{PUBLIC_URL}/static/publish.")
    for tag in document.find_all(True):
        assert "style" not in tag.attrs
        assert not any(name.startswith("on") for name in tag.attrs)


def test_page_speaks_the_visitors_language(client: TestClient) -> None:
    """The page follows Accept-Language and varies on it."""
    response = client.get("/", headers={"accept-language": "de"})
    assert BeautifulSoup(response.text, "html.parser").html["lang"] == "de"  # type: ignore[index]
    assert "Accept-Language" in response.headers["vary"]


def test_page_is_cached(client: TestClient) -> None:
    """Equal choices share a body and an ETag; junk parameters change nothing."""
    first = client.get("/?lang=nl")
    again = client.get("/?lang=nl&ref=newsletter")
    assert first.content == again.content
    assert first.headers["etag"] == again.headers["etag"]


def test_builder_lists_the_new_shapes(tmp_path: Path) -> None:
    """A multi-day event's range, countries without the online group, and places without a
    city named by kind and country; every listed filter value is one the widget accepts."""
    directory = tmp_path / "data" / "shapes"
    directory.mkdir(parents=True)
    facts = {
        "date": "2026-02-07",
        "end_date": "2026-02-11",
        "locations": [
            {"city": "Oxford", "country": "GB", "signup_url": "https://lu.ma/ox"},
            {"country": "FR"},
            {"online": True, "links": [{"url": "https://discord.gg/x"}]},
        ],
    }
    (directory / "event.yaml").write_text(yaml.safe_dump(facts), encoding="utf-8")
    (directory / "en.md").write_text("---\ntitle: Shapes\n---\n", encoding="utf-8")
    settings = Settings(
        public_url=PUBLIC_URL, data_dir=tmp_path / "data", now=BEFORE, reload_seconds=0
    )
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as client:
        document = publish(client, "event=shapes&lang=en", headers={"accept-language": "en"})
        detail = " ".join(document.select_one(".events .detail").get_text().split())
        assert detail == "Sat, Feb 7 \u2013 Wed, Feb 11, 2026 · 3 cities · 2 countries"

        def choices(name: str) -> list[tuple[str, str]]:
            return [
                (str(box["value"]), " ".join(box.parent.get_text().split()))
                for box in document.select(f"input[name={name}]")
            ]

        assert choices("country") == [("FR", "France"), ("GB", "United Kingdom")]
        assert choices("city") == [
            ("oxford", "Oxford"),
            ("fr", "City to be announced (France)"),
            ("online", "Online"),
        ]
        for name, values in (("country", ["FR", "GB"]), ("city", ["oxford", "fr", "online"])):
            for value in values:
                assert client.get(f"/embed/shapes?{name}={value}").status_code == 200
