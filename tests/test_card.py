"""The share card: a 1200x630 PNG, localized, scalable with ?w=, cached for long."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from widget.documents import card_image
from widget.documents.card_image import CardText, card_text, render_card
from widget.i18n import translations
from widget.model import Event, Location, Status
from widget.settings import SAMPLE_DATA_DIR
from widget.store import load_or_raise

from conftest import SAMPLE_SLUG

PNG = f"/events/{SAMPLE_SLUG}.png"
ORANGE = (0xFF, 0x94, 0x16)


@pytest.fixture(scope="module")
def event() -> Event:
    """The bundled sample event."""
    return load_or_raise(SAMPLE_DATA_DIR).by_slug[SAMPLE_SLUG]


def image(body: bytes) -> Image.Image:
    """A PNG body, opened and loaded."""
    opened = Image.open(io.BytesIO(body))
    opened.load()
    return opened


def test_card_is_a_1200_by_630_png_with_the_orange_band(client: TestClient) -> None:
    """GET .png: an RGB PNG of the Open Graph size, PauseAI orange along the bottom."""
    response = client.get(PNG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["access-control-allow-origin"] == "*"
    card = image(response.content)
    assert (card.format, card.size, card.mode) == ("PNG", (1200, 630), "RGB")
    assert card.getpixel((5, 625)) == ORANGE
    assert card.getpixel((5, 5)) == (255, 255, 255)


def test_card_is_cached_for_a_day_with_a_validator(client: TestClient) -> None:
    """Long max-age, a strong ETag and a 304 for a revalidation."""
    response = client.get(PNG)
    assert "max-age=86400" in response.headers["cache-control"]
    again = client.get(PNG, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("width", "size"),
    [
        ("600", (600, 315)),
        ("300", (300, 157)),
        ("1", (1, 1)),
        ("1200", (1200, 630)),
        ("", (1200, 630)),  # empty means full size
    ],
)
def test_w_scales_the_card(client: TestClient, width: str, size: tuple[int, int]) -> None:
    """?w= gives the card that many pixels wide, its height kept in ratio."""
    response = client.get(f"{PNG}?w={width}")
    assert response.status_code == 200
    assert image(response.content).size == size


@pytest.mark.parametrize(
    "width",
    [
        "0",
        "-1",
        "1201",
        "abc",
        "1e3",
        "600.0",
        " 600",
        "0x20",
        "\uff16\uff10\uff10",  # full-width digits: str.isdigit() says yes, we say no
    ],
)
def test_malformed_w_is_a_json_400(client: TestClient, width: str) -> None:
    """w must be ASCII digits in 1..1200."""
    response = client.get(f"{PNG}?w={width}")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "error": "Invalid w (expected an integer between 1 and 1200).",
        "parameter": "w",
    }


def test_language_changes_the_card(client: TestClient) -> None:
    """lang=en and lang=nl draw different words; a bad lang is a 400."""
    english = client.get(f"{PNG}?lang=en").content
    dutch = client.get(f"{PNG}?lang=nl").content
    assert english != dutch
    assert client.get(PNG).content == dutch  # the event's default language
    assert client.get(f"{PNG}?lang=xx").status_code == 400


def test_card_text_is_localized(event: Event) -> None:
    """Title, full date and counts come from the texts, Babel and gettext."""
    english = card_text(event, "en", translations("en"), "widget.example.org")
    assert english.title == "PauseAI international protest, 13 May 2024"
    assert english.date == "Monday, May 13, 2024"
    assert english.counts == "14 cities in 12 countries"
    assert "The Hague" in english.places
    dutch = card_text(event, "nl", translations("nl"), "widget.example.org")
    assert dutch.date == "maandag 13 mei 2024"
    assert "Den Haag" in dutch.places


def test_counts_use_the_singular_for_one(event: Event) -> None:
    """One location in one country reads '1 city in 1 country' (ngettext)."""
    single = event.model_copy(update={"locations": event.locations[:1]})
    assert card_text(single, "en", translations("en"), "x").counts == "1 city in 1 country"


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.POSTPONED, Status.MOVED_ONLINE])
def test_a_status_other_than_scheduled_is_shown(event: Event, status: Status) -> None:
    """A cancelled, postponed or moved event says so on its card."""
    changed = event.model_copy(update={"status": status})
    assert card_text(changed, "en", translations("en"), "x").status
    assert not card_text(event, "en", translations("en"), "x").status


def test_long_texts_still_fit(event: Event) -> None:
    """A very long title, many cities and a long site name render within the card."""
    text = CardText(
        title="Word " * 80,
        date="Wednesday, 30 September 2026",
        counts="500 cities in 120 countries",
        site="a-very-long-host-name.example.org",
        status="Cancelled",
        places=tuple(f"City {number}" for number in range(500)),
    )
    assert image(render_card(text)).size == (1200, 630)
    many = [
        Location(city=f"Town {n}", country="NL", signup_url="https://example.org/")
        for n in range(3)
    ]
    assert (
        len(
            card_text(
                event.model_copy(update={"locations": many}), "en", translations("en"), "x"
            ).places
        )
        == 3
    )


def test_without_dejavu_the_builtin_font_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Where DejaVu is not installed, Pillow's own font draws the card."""
    monkeypatch.setattr(card_image, "FONT_DIR", tmp_path)
    card_image._font.cache_clear()
    try:
        text = CardText(title="Title", date="Date", counts="1 city in 1 country", site="x.org")
        assert image(render_card(text, 600)).size == (600, 315)
    finally:
        card_image._font.cache_clear()


def test_card_of_the_new_shapes() -> None:
    """A multi-day event's card shows its range; places without a city are named by their
    country or as online; an online action without a country counts no country."""
    event = Event.model_validate(
        {
            "slug": "shapes",
            "date": "2025-02-07",
            "end_date": "2025-02-11",
            "locations": [
                {"city": "Oxford", "country": "GB", "signup_url": "https://lu.ma/ox"},
                {"country": "FR"},
                {"online": True, "links": [{"url": "https://discord.gg/x"}]},
            ],
            "texts": {"en": {"title": "Shapes"}},
        }
    )
    text = card_text(event, "nl", translations("nl"), "widget.example.org")
    assert (text.date, text.counts, text.places) == (
        "vr 7\u2009\u2013\u2009di 11 feb 2025",  # CLDR puts thin spaces around the dash
        "3 steden in 2 landen",
        ("Oxford", "Frankrijk", "Online"),
    )
    render_card(text)  # draws without error
