"""The data models: every field refuses hostile values, and derived fields are right."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from widget.model import (
    Event,
    Location,
    MediaItem,
    MediaProvider,
    Organizer,
    PressLink,
    check_country,
    check_timezone,
    check_url,
    media_provider_for_url,
    slugify,
)
from widget.platforms import Platform, platform_for_url

HOSTILE_URLS = [
    # (value, part of check_url's message)
    ("javascript:alert(1)", "must be absolute"),
    ("JaVaScRiPt:alert(1)", "must be absolute"),  # scheme case does not sneak it through
    ("javascript&#58;alert(1)", "must be absolute"),  # an HTML entity is not decoded here
    ("java\tscript:alert(1)", "whitespace or control"),  # browsers drop the tab
    (" javascript:alert(1)", "whitespace or control"),  # leading blank
    ("data:text/html,<script>alert(1)</script>", "must be absolute"),
    ("http://user:pw@x", "must name a host"),  # 'x' is no host; credentials too
    ("http://user:pw@example.org/", "must not contain credentials"),
    ("https://user@example.org/", "must not contain credentials"),  # a user name alone
    ("/summit", "must be absolute"),  # relative
    ("//example.org/x", "must be absolute"),  # scheme-relative
    ("https://example.org/" + "a" * 3000, "longer than 2048"),
    ("https://example.org/\x00", "whitespace or control"),
    ("https://example.org/\u202egpj.exe", "whitespace or control"),  # right-to-left override
    ("https://example.org/\u2066x", "whitespace or control"),  # bidi isolate
    ("https://example.org/a\u200bb", "whitespace or control"),  # zero-width space
    ("https://", "must name a host"),
    ("https:///path", "must name a host"),
    ("https:example.org", "must name a host"),
    ("ftp://example.org/file", "must be absolute"),
    ("mailto:info@example.org", "must be absolute"),
    ("https://example.org:99999/", "invalid port"),
]


@pytest.mark.parametrize(("value", "message"), HOSTILE_URLS)
def test_check_url_refuses(value: str, message: str) -> None:
    """check_url refuses every URL that is not a plain absolute http(s) link."""
    with pytest.raises(ValueError, match=message):
        check_url(value)


@pytest.mark.parametrize(("value", "message"), HOSTILE_URLS)
def test_url_fields_refuse(value: str, message: str) -> None:
    """Every URL field of the models refuses the hostile URLs, naming the field."""
    cases: list[tuple[type[Any], dict[str, Any], str]] = [
        (Location, {"city": "Rome", "country": "IT", "signup_url": value}, "signup_url"),
        (PressLink, {"title": "Time", "url": value}, "url"),
        (Organizer, {"url": value}, "url"),
        (MediaItem, {"url": value, "provider": "x"}, "url"),
    ]
    for model, fields, name in cases:
        with pytest.raises(ValidationError) as raised:
            model.model_validate(fields)
        assert [error["loc"] for error in raised.value.errors()] == [(name,)], model


@pytest.mark.parametrize(
    "value",
    [
        "https://www.facebook.com/events/456991866681797",
        "http://example.org",
        "https://example.org/path?q=1&r=2#frag",
        "https://127.0.0.1:8443/x",
        "HTTPS://EXAMPLE.ORG/",  # scheme and host are case-insensitive
        "https://xn--mnchen-3ya.de/",  # punycode host
    ],
)
def test_check_url_accepts(value: str) -> None:
    """Plain absolute http(s) URLs pass unchanged."""
    assert check_url(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "nl",  # lower case
        "EU",  # a CLDR grouping, not a country
        "ZZ",  # CLDR's unknown region
        "XX",  # user-assigned
        "UK",  # the common mistake for GB
        "001",  # a UN M.49 region
        "NLD",  # alpha-3
        "",
        "N",
    ],
)
def test_country_refused(value: str) -> None:
    """Only upper-case ISO 3166-1 alpha-2 country codes are accepted."""
    with pytest.raises(ValueError, match="unknown country code"):
        check_country(value)
    with pytest.raises(ValidationError) as raised:
        Location(city="Rome", country=value, signup_url="https://example.org/")
    assert [error["loc"] for error in raised.value.errors()] == [("country",)]


@pytest.mark.parametrize("value", ["NL", "GB", "US", "NO", "IS", "XK"])
def test_country_accepted(value: str) -> None:
    """Real country codes, including 'NO' (YAML's false) and Kosovo's XK, are accepted."""
    assert check_country(value) == value


@pytest.mark.parametrize(
    "value",
    ["Mars/Olympus", "europe/amsterdam", "Europe/Amsterdam ", "../etc/passwd", "", "UTC+1"],
)
def test_timezone_refused(value: str) -> None:
    """Only IANA time zone names are accepted, spelled exactly."""
    with pytest.raises(ValueError, match="unknown time zone"):
        check_timezone(value)


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://www.facebook.com/events/1", Platform.FACEBOOK),
        ("https://m.facebook.com/events/1", Platform.FACEBOOK),
        ("https://fb.me/e/abc", Platform.FACEBOOK),
        ("https://FACEBOOK.COM./events/1", Platform.FACEBOOK),  # case and trailing dot
        ("https://www.eventbrite.com/e/1", Platform.EVENTBRITE),
        ("https://www.eventbrite.co.uk/e/1", Platform.EVENTBRITE),  # national domains
        ("https://www.eventbrite.nl/e/1", Platform.EVENTBRITE),
        ("https://partiful.com/e/abc", Platform.PARTIFUL),
        ("https://chat.whatsapp.com/abc", Platform.WHATSAPP),
        ("https://wa.me/31600000000", Platform.WHATSAPP),
        ("https://www.meetup.com/group/events/1/", Platform.MEETUP),
        ("https://lu.ma/abc", Platform.LUMA),
        ("https://luma.com/abc", Platform.LUMA),
        ("https://www.mobilize.us/pauseai/event/1/", Platform.MOBILIZE),
        ("https://actionnetwork.org/events/abc", Platform.ACTIONNETWORK),
        ("https://discord.gg/abc", Platform.DISCORD),
        ("https://discord.com/invite/abc", Platform.DISCORD),
        ("https://pauseai.info/join", Platform.WEBSITE),
        ("https://notfacebook.com/events/1", Platform.WEBSITE),  # a suffix is not a subdomain
        ("https://facebook.com.evil.org/", Platform.WEBSITE),  # nor is a prefix
        ("https://eventbrite.evil.org/", Platform.WEBSITE),  # only the registrable name counts
        ("https://www.eventbrite.com.au/e/1", Platform.EVENTBRITE),
        ("https://mobile.twitter.com.evil.org/", Platform.WEBSITE),
    ],
)
def test_platform_from_url(url: str, platform: Platform) -> None:
    """The platform is derived from the signup URL's host, subdomains included."""
    assert platform_for_url(url) is platform
    assert Location(city="X", country="NL", signup_url=url).platform is platform


def test_explicit_platform_is_kept() -> None:
    """A platform written in the data wins over the one the host suggests."""
    location = Location(
        city="X", country="NL", signup_url="https://example.org/", platform="discord"
    )
    assert location.platform is Platform.DISCORD


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Den Haag", "den-haag"),
        ("Reykjavík", "reykjavik"),
        ("São Paulo", "sao-paulo"),
        ("New York City", "new-york-city"),
        ("Saint-Étienne", "saint-etienne"),
        ("  --Rome--  ", "rome"),  # separators trimmed
        ("St. John's", "st-john-s"),
        ("a" * 100, "a" * 80),  # bounded like SLUG_PATTERN
        ("a" * 79 + " b", "a" * 79),  # cut at 80, no trailing '-'
        ("東京", "city-130016b2"),  # no Latin letters: a digest, distinct per name
        ("Łódź", "lodz"),  # letters without a decomposition are transliterated
        ("Straße", "strasse"),
        ("Þórshöfn", "thorshofn"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    """City names become stable ASCII ids."""
    assert slugify(text) == slug


def test_location_id_derived() -> None:
    """A location's id is the slug of its city unless given; non-Latin names get a digest."""

    def make(**fields: str) -> Location:
        return Location.model_validate(
            {"country": "NL", "signup_url": "https://example.org/", **fields}
        )

    assert make(city="Den Haag").id == "den-haag"
    assert make(city="Den Haag", id="the-hague").id == "the-hague"
    assert make(city="東京").id != make(city="大阪").id
    with pytest.raises(ValidationError):
        make(city="X", id="Not a slug")


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://x.com/PauseAI/status/1790248685659447496", MediaProvider.X),
        ("https://twitter.com/PauseAI/status/1790248685659447496", MediaProvider.X),
        ("https://www.twitter.com/PauseAI/status/1", MediaProvider.X),
        ("https://www.youtube.com/watch?v=PWyQRFlZa9c", MediaProvider.YOUTUBE),
        ("https://m.youtube.com/watch?v=PWyQRFlZa9c", MediaProvider.YOUTUBE),
        ("https://youtube.com/shorts/PWyQRFlZa9c", MediaProvider.YOUTUBE),
        ("https://youtu.be/PWyQRFlZa9c", MediaProvider.YOUTUBE),
        ("https://vimeo.com/123", None),
        ("https://www.youtube-nocookie.com/embed/PWyQRFlZa9c", None),  # write the youtube.com URL
        ("https://x.com.evil.org/PauseAI/status/1", None),  # a prefix is not the host
        ("https://notx.com/PauseAI/status/1", None),
    ],
)
def test_media_provider_from_url(url: str, provider: MediaProvider | None) -> None:
    """The media provider is derived from the URL's host; other hosts have none."""
    assert media_provider_for_url(url) is provider


@pytest.mark.parametrize(
    ("url", "video"),
    [
        ("https://www.youtube.com/watch?v=PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://www.youtube.com/watch?feature=share&v=PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://youtube.com/shorts/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://youtu.be/PWyQRFlZa9c", "PWyQRFlZa9c"),
        ("https://www.youtube.com/embed/PWyQRFlZa9c", "PWyQRFlZa9c"),
    ],
)
def test_youtube_video_id(url: str, video: str) -> None:
    """A YouTube media item knows its video id, whichever URL form the data uses."""
    item = MediaItem(url=url)
    assert (item.provider, item.youtube_id) == (MediaProvider.YOUTUBE, video)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"url": "https://vimeo.com/123"}, "unsupported media host"),
        ({"url": "https://www.youtube.com/channel/UCabc"}, "not a YouTube video URL"),
        ({"url": "https://www.youtube.com/watch?v=<script>"}, "not a YouTube video URL"),
        ({"url": "https://x.com/PauseAI"}, "not an X post URL"),  # a profile, not a post
        ({"url": "https://x.com/PauseAI/status/abc"}, "not an X post URL"),
        # The provider named in the file must match the host.
        ({"url": "https://x.com/PauseAI/status/1", "provider": "youtube"}, "does not match"),
        ({"url": "https://x.com/PauseAI/status/1", "fallback": "x" * 1001}, "at most 1000"),
    ],
)
def test_media_item_refused(fields: dict[str, str], message: str) -> None:
    """Media items must be an X post or a YouTube video on the host they claim."""
    with pytest.raises(ValidationError, match=message):
        MediaItem.model_validate(fields)


def _event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "slug": "2024-05-13-protest",
        "date": "2024-05-13",
        "locations": [{"city": "Rome", "country": "IT", "signup_url": "https://example.org/"}],
        "texts": {"en": {"title": "Protest"}},
    }
    return {**event, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "Bad Slug"}, "String should match pattern"),
        ({"slug": "-leading"}, "String should match pattern"),
        ({"locations": []}, "at least 1 item"),
        ({"texts": {"tlh": {"title": "x"}}}, "Input should be"),  # unsupported language
        ({"texts": {"nl": {"title": "x"}}}, "no text for the default language 'en'"),
        ({"texts": {"en": {"title": ""}}}, "at least 1 character"),
        (
            {"texts": {"en": {"title": "x", "cities": {"atlantis": "A"}}}},
            "cities.atlantis: no location with that id",
        ),
        ({"status": "exploded"}, "Input should be"),
        ({"start_time": "12:00"}, "locations.0.timezone: required"),
        ({"date": "13-05-2024"}, "valid date"),
        ({"extra": 1}, "Extra inputs are not permitted"),
    ],
)
def test_event_refused(changes: dict[str, Any], message: str) -> None:
    """Event-level rules: slug form, at least one location, texts, ids and times."""
    with pytest.raises(ValidationError, match=message):
        Event.model_validate(_event(**changes))


def test_event_accepted() -> None:
    """A minimal event is valid and derives its location's id and platform."""
    event = Event.model_validate(_event())
    assert (event.date, event.locations[0].id, event.locations[0].platform) == (
        date(2024, 5, 13),
        "rome",
        Platform.WEBSITE,
    )
    assert event.text("fr") == ("en", event.texts["en"])
    assert event.location("rome") is event.locations[0]
    assert event.location("paris") is None
