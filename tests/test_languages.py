"""The ten interface languages over HTTP: UI strings, dates, country names, plurals, negotiation.

The sample event has Dutch (its default) and English texts only, so every other language
shows the Dutch title and summary, marked ``lang="nl"`` for screen readers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from babel import Locale
from babel.dates import format_date
from bs4 import BeautifulSoup, Tag
from httpx2 import Headers
from starlette.testclient import TestClient

from widget.app import create_app
from widget.documents.card_image import card_text
from widget.i18n import translations
from widget.languages import SUPPORTED_LANGUAGES, babel_locale_name
from widget.model import Event
from widget.settings import SAMPLE_DATA_DIR, Settings
from widget.store import load_or_raise

from conftest import AFTER, PUBLIC_URL, SAMPLE_SLUG

EVENT_DATE = date(2024, 5, 13)
TEXT_LANGUAGES = ("nl", "en")  # the sample's texts; nl is its default
FALLBACK_LANGUAGES = tuple(lang for lang in SUPPORTED_LANGUAGES if lang not in TEXT_LANGUAGES)
NON_ENGLISH = tuple(lang for lang in SUPPORTED_LANGUAGES if lang != "en")

# (one city, fourteen cities, twelve countries) as each language writes them.
COUNTS = {
    "en": ("1 city", "14 cities", "12 countries"),
    "nl": ("1 stad", "14 steden", "12 landen"),
    "de": ("1 Stadt", "14 Städte", "12 Länder"),
    "fr": ("1 ville", "14 villes", "12 pays"),
    "it": ("1 città", "14 città", "12 paesi"),
    "es": ("1 ciudad", "14 ciudades", "12 países"),
    "sv": ("1 stad", "14 städer", "12 länder"),
    "nb": ("1 by", "14 byer", "12 land"),
    "is": ("1 borg", "14 borgir", "12 lönd"),
    "pt-BR": ("1 cidade", "14 cidades", "12 países"),
}
# The share card's count line: the country count takes the case "in" governs (dative in
# German and Icelandic).
CARD_COUNTS = {
    "en": "14 cities in 12 countries",
    "nl": "14 steden in 12 landen",
    "de": "14 Städte in 12 Ländern",
    "fr": "14 villes dans 12 pays",
    "it": "14 città in 12 paesi",
    "es": "14 ciudades en 12 países",
    "sv": "14 städer i 12 länder",
    "nb": "14 byer i 12 land",
    "is": "14 borgir í 12 löndum",
    "pt-BR": "14 cidades em 12 países",
}


def soup(html: str) -> BeautifulSoup:
    """Parse a page."""
    return BeautifulSoup(html, "html.parser")


def element(page: Tag, selector: str) -> Tag:
    """The first element matching ``selector`` (asserting there is one)."""
    found = page.select_one(selector)
    assert found is not None, selector
    return found


def text(node: Tag) -> str:
    """An element's whitespace-normalized text."""
    return " ".join(node.get_text().split())


def meta_parts(page: BeautifulSoup) -> list[str]:
    """The widget's meta line split at its separators: date, city count, country count."""
    return text(element(page, ".meta")).split(" · ")


def vary(headers: Headers) -> set[str]:
    """The lower-cased field names of the Vary header(s)."""
    return {name.strip().lower() for value in headers.get_list("vary") for name in value.split(",")}


def fetch(
    client: TestClient, path: str, headers: dict[str, str] | None = None
) -> tuple[BeautifulSoup, Headers]:
    """GET an HTML page (asserting 200) and return it parsed, with its headers."""
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return soup(response.text), response.headers


def sample_event() -> Event:
    """The bundled sample event."""
    return load_or_raise(SAMPLE_DATA_DIR).by_slug[SAMPLE_SLUG]


def row_for(page: BeautifulSoup, location_id: str) -> Tag:
    """The widget row of a location (found by its signup link; names may be localized)."""
    for item in page.select(".country li"):
        link = item.find("a")
        if isinstance(link, Tag) and str(link["href"]).endswith(f"/{location_id}"):
            return item
    raise AssertionError(f"no row for {location_id}")


@pytest.fixture
def after_client(settings: Settings) -> Iterator[TestClient]:
    """A client whose clock is after the sample protest."""
    later = Settings(
        public_url=settings.public_url, data_dir=settings.data_dir, now=AFTER, reload_seconds=0
    )
    with TestClient(create_app(later), base_url=PUBLIC_URL) as test_client:
        yield test_client


# --- every language --------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_widget_speaks_the_language(client: TestClient, language: str) -> None:
    """?lang=X: <html lang>, Content-Language, date, country names and counts are in X."""
    page, headers = fetch(client, f"/embed/{SAMPLE_SLUG}?lang={language}")
    assert element(page, "html")["lang"] == language
    assert headers["content-language"] == language
    assert "accept-language" not in vary(headers), "an explicit lang ignores the header"
    locale = Locale.parse(babel_locale_name(language))
    assert text(element(page, ".meta time")) == format_date(EVENT_DATE, "full", locale=locale)
    countries = [text(heading) for heading in page.select(".country h2")]
    assert locale.territories["DE"] in countries
    assert locale.territories["IS"] in countries
    assert meta_parts(page)[1:] == list(COUNTS[language][1:])


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_one_city_takes_the_singular(client: TestClient, language: str) -> None:
    """?city=london counts '1 city' in the language's singular form."""
    page, _ = fetch(client, f"/embed/{SAMPLE_SLUG}?lang={language}&city=london")
    assert meta_parts(page)[1:] == [COUNTS[language][0]], "one country: no country count"


@pytest.mark.parametrize("language", NON_ENGLISH)
def test_ui_strings_are_translated(client: TestClient, language: str) -> None:
    """The signup label, the new-tab note and the footer link are not the English source."""
    english, _ = fetch(client, f"/embed/{SAMPLE_SLUG}?lang=en")
    page, _ = fetch(client, f"/embed/{SAMPLE_SLUG}?lang={language}")
    for source, translated in ((english, False), (page, True)):
        label = text(element(row_for(source, "berlin"), ".how"))
        note = text(element(row_for(source, "berlin"), ".vh"))
        footer = text(element(source, "footer a"))
        if translated:
            assert "Facebook" in label, "brand names stay"
            assert label != "Sign up on Facebook"
            assert note != "(opens in a new tab)"
            assert footer != "More about this protest (opens in a new tab)"
        else:
            assert (label, note) == ("Sign up on Facebook", "(opens in a new tab)")
            assert footer == "More about this protest (opens in a new tab)"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_past_event_date_is_localized(after_client: TestClient, language: str) -> None:
    """After the protest the widget says when it took place, in the language."""
    page, _ = fetch(after_client, f"/embed/{SAMPLE_SLUG}?lang={language}")
    took_place = meta_parts(page)[0]
    long_date = format_date(EVENT_DATE, "long", locale=babel_locale_name(language))
    assert long_date in took_place
    assert page.select(".meta time") == []
    if language == "en":
        assert took_place == f"Took place on {long_date}"
    else:
        assert not took_place.startswith("Took place")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_event_page_speaks_the_language(client: TestClient, language: str) -> None:
    """The canonical page in X: <html lang>, Content-Language, full date and counts."""
    page, headers = fetch(client, f"/events/{SAMPLE_SLUG}?lang={language}")
    assert element(page, "html")["lang"] == language
    assert headers["content-language"] == language
    full = format_date(EVENT_DATE, "full", locale=babel_locale_name(language))
    assert text(element(page, ".hero time")) == full
    assert text(element(page, ".counts")) == f"{COUNTS[language][1]} · {COUNTS[language][2]}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_share_card_counts(language: str) -> None:
    """The share card's words count cities and countries in the language's grammar."""
    words = card_text(sample_event(), language, translations(language), "widget.example.org")
    assert words.counts == CARD_COUNTS[language]
    assert words.date == format_date(EVENT_DATE, "full", locale=babel_locale_name(language))


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_oembed_frame_title_is_localized(client: TestClient, language: str) -> None:
    """The oEmbed iframe's title names the widget in the requested language."""
    page_url = f"{PUBLIC_URL}/events/{SAMPLE_SLUG}?lang={language}"
    response = client.get("/oembed", params={"url": page_url})
    assert response.status_code == 200
    body = response.json()
    frame = element(soup(body["html"]), "iframe")
    title = str(frame["title"])
    assert title.endswith(f": {body['title']}")
    assert title.startswith("PauseAI protest widget") == (language == "en")
    assert "PauseAI" in title


# --- negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-CA", "fr"),  # a region without a catalog: its language
        ("pt", "pt-BR"),  # plain Portuguese gets the Brazilian catalog
        ("pt-BR,pt;q=0.9", "pt-BR"),
        ("no", "nb"),  # generic Norwegian → Bokmål
        ("is-IS", "is"),
        ("ja, sv;q=0.5", "sv"),  # an unsupported first choice is skipped
    ],
)
def test_accept_language_picks_the_language(client: TestClient, header: str, language: str) -> None:
    """Without lang, Accept-Language picks the language and the response varies on it."""
    page, headers = fetch(client, f"/embed/{SAMPLE_SLUG}", headers={"accept-language": header})
    assert headers["content-language"] == language
    assert element(page, "html")["lang"] == language
    assert "accept-language" in vary(headers)


def test_lang_parameter_beats_the_header(client: TestClient) -> None:
    """?lang=fr wins over Accept-Language: de, and then the response does not vary on it."""
    page, headers = fetch(
        client, f"/embed/{SAMPLE_SLUG}?lang=fr", headers={"accept-language": "de"}
    )
    assert headers["content-language"] == "fr"
    assert element(page, "html")["lang"] == "fr"
    assert "accept-language" not in vary(headers)


@pytest.mark.parametrize(
    "header",
    [
        None,  # no header at all
        "ja",  # only unsupported languages
        "*",  # the wildcard names nothing in particular
        "en;q=0",  # q=0 means "not English"
    ],
)
def test_event_default_without_a_usable_header(client: TestClient, header: str | None) -> None:
    """No lang and no supported Accept-Language: the event's default language (nl)."""
    headers = {"accept-language": header} if header is not None else {}
    page, response_headers = fetch(client, f"/embed/{SAMPLE_SLUG}", headers=headers)
    assert response_headers["content-language"] == "nl"
    assert element(page, "html")["lang"] == "nl"
    assert "accept-language" in vary(response_headers), "another header would change it"


def test_language_is_part_of_the_cache_key(client: TestClient) -> None:
    """Different negotiated languages get different bodies and ETags; the same one, the same."""
    url = f"/embed/{SAMPLE_SLUG}"
    german = client.get(url, headers={"accept-language": "de"})
    french = client.get(url, headers={"accept-language": "fr"})
    german_again = client.get(url, headers={"accept-language": "de-AT"})
    assert german.text != french.text
    assert german.headers["etag"] != french.headers["etag"]
    assert german_again.headers["etag"] == german.headers["etag"]
    assert german_again.text == german.text
    # A French reader's cached German copy is not "not modified".
    revalidated = client.get(
        url, headers={"accept-language": "fr", "if-none-match": german.headers["etag"]}
    )
    assert revalidated.status_code == 200
    assert revalidated.headers["content-language"] == "fr"


# --- event text fallback -------------------------------------------------------------


@pytest.mark.parametrize("language", FALLBACK_LANGUAGES)
def test_fallback_text_is_marked_with_its_language(client: TestClient, language: str) -> None:
    """Without a text in X the Dutch title and summary show, marked lang="nl"."""
    dutch = sample_event().text("nl")[1]
    widget_page, _ = fetch(client, f"/embed/{SAMPLE_SLUG}?lang={language}")
    heading = element(widget_page, "main h1")
    assert (text(heading), heading.get("lang")) == (dutch.title, "nl")
    assert element(widget_page, "html")["lang"] == language
    event_page, _ = fetch(client, f"/events/{SAMPLE_SLUG}?lang={language}")
    for selector in ("main h1", ".hero .lead", ".about .prose"):
        assert element(event_page, selector).get("lang") == "nl", selector
    assert text(element(event_page, "main h1")) == dutch.title


@pytest.mark.parametrize("language", TEXT_LANGUAGES)
def test_text_in_the_page_language_is_not_marked(client: TestClient, language: str) -> None:
    """With a text in X the title is X's and inherits the page's language."""
    own = sample_event().text(language)[1]
    for path in (f"/embed/{SAMPLE_SLUG}?lang={language}", f"/events/{SAMPLE_SLUG}?lang={language}"):
        page, _ = fetch(client, path)
        heading = element(page, "main h1")
        assert text(heading) == own.title
        assert heading.get("lang") is None
