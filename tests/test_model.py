"""The data models: every field refuses hostile values, and derived fields are right."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from widget.model import (
    Event,
    Link,
    Location,
    LocationStatus,
    MediaItem,
    MediaProvider,
    Organizer,
    PressLink,
    check_country,
    check_link_url,
    check_timezone,
    check_url,
    media_provider_for_url,
    slugify,
)
from widget.platforms import Platform, platform_for_url
from widget.problems import problems_of

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
    ("https://example.org:99999/", "invalid port"),
]
# Press, media and organizer URLs are web pages: a contact address is refused there.
HOSTILE_WEB_URLS = [*HOSTILE_URLS, ("mailto:info@example.org", "must be absolute")]
# Links (a location's links, its signup_url, the event's organize_url) also take mailto:,
# but only one plain address: no headers, no second address, no escapes.
HOSTILE_MAILTO = [
    ("mailto:", "not one plain address"),  # no address at all
    ("mailto:oxford", "not one plain address"),  # no domain
    ("mailto:a@localhost", "not one plain address"),  # a bare host
    ("mailto:a@example.org?subject=hi", "not one plain address"),  # a header
    ("mailto:a@example.org?cc=b@example.org", "not one plain address"),  # a second recipient
    ("mailto:a@example.org,b@example.org", "not one plain address"),  # two addresses
    ("mailto:a%0d%0abcc:b@example.org", "not one plain address"),  # an escaped line break
    ("mailto:a@example.org\r\nBcc: b@example.org", "whitespace or control"),
    ("mailto: a@example.org", "whitespace or control"),
    ("mailto:<script>@example.org", "not one plain address"),
    ("mailto:javascript:alert(1)@example.org", "not one plain address"),
    ("mailto:" + "a" * 250 + "@example.org", "longer than 254"),
    ("mailto:" + "a" * 65 + "@example.org", "not one plain address"),  # local part over 64
]
HOSTILE_LINK_URLS = HOSTILE_URLS + HOSTILE_MAILTO


@pytest.mark.parametrize(("value", "message"), HOSTILE_WEB_URLS)
def test_check_url_refuses(value: str, message: str) -> None:
    """check_url refuses every URL that is not a plain absolute http(s) link."""
    with pytest.raises(ValueError, match=message):
        check_url(value)


@pytest.mark.parametrize(("value", "message"), HOSTILE_WEB_URLS)
def test_url_fields_refuse(value: str, message: str) -> None:
    """Every web URL field of the models refuses the hostile URLs, naming the field."""
    cases: list[tuple[type[Any], dict[str, Any], str]] = [
        (PressLink, {"title": "Time", "url": value}, "url"),
        (Organizer, {"url": value}, "url"),
        (MediaItem, {"url": value, "provider": "x"}, "url"),
    ]
    for model, fields, name in cases:
        with pytest.raises(ValidationError) as raised:
            model.model_validate(fields)
        assert [error["loc"] for error in raised.value.errors()] == [(name,)], model


@pytest.mark.parametrize(("value", "message"), HOSTILE_LINK_URLS)
def test_check_link_url_refuses(value: str, message: str) -> None:
    """check_link_url refuses what check_url refuses, and every mailto: trick."""
    with pytest.raises(ValueError, match=re.escape(message)):
        check_link_url(value)


@pytest.mark.parametrize(("value", "message"), HOSTILE_LINK_URLS)
def test_link_fields_refuse(value: str, message: str) -> None:
    """Every link field refuses hostile URLs and mailto: tricks, naming the field path."""
    safe = {"url": "https://example.org/"}
    cases: list[tuple[type[Any], dict[str, Any], tuple[str | int, ...]]] = [
        (Location, {"city": "Rome", "country": "IT", "signup_url": value}, ("signup_url",)),
        (Location, {"country": "IT", "links": [{"url": value}]}, ("links", 0, "url")),
        (Location, {"country": "IT", "links": [safe, {"url": value}]}, ("links", 1, "url")),
        (Link, {"url": value, "label": "Sign up"}, ("url",)),
        (Event, _event(organize_url=value), ("organize_url",)),
    ]
    for model, fields, loc in cases:
        with pytest.raises(ValidationError) as raised:
            model.model_validate(fields)
        assert [error["loc"] for error in raised.value.errors()] == [loc], model


@pytest.mark.parametrize(
    "value",
    [
        "mailto:oxford@pauseai.info",
        "MAILTO:Oxford@PauseAI.info",  # the scheme is case-insensitive
        "mailto:first.last+protest@mail.example.co.uk",
        "https://lu.ma/abc",
    ],
)
def test_link_urls_accepted(value: str) -> None:
    """A contact address or a web page is a link; mailto: links are on the email platform."""
    link = Link(url=value)
    assert link.url == value
    assert (link.platform is Platform.EMAIL) == value.lower().startswith("mailto:")
    assert Event.model_validate(_event(organize_url=value)).organize_url == value


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
        ("mailto:oxford@pauseai.info", Platform.EMAIL),  # a contact link
        ("MailTo:oxford@pauseai.info", Platform.EMAIL),
        ("https://example.org/mailto:x@y.org", Platform.WEBSITE),  # only the scheme counts
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
        ({"end_date": "2024-05-12"}, "end_date: before the event's date"),
        ({"end_date": "next week"}, "valid date"),
        ({"organize_url": ""}, "at least 1 character"),
        # A location that ends before the event's date begins.
        (
            {"locations": [{"city": "Rome", "country": "IT", "end_date": "2024-05-01"}]},
            "locations.0.end_date: before the location's first day",
        ),
        # Two countries with their cities still open share the country's id.
        ({"locations": [{"country": "GB"}, {"country": "GB"}]}, "duplicate location id 'gb'"),
        ({"locations": [{"online": True}, {"online": True}]}, "duplicate location id 'online'"),
    ],
)
def test_event_refused(changes: dict[str, Any], message: str) -> None:
    """Event-level rules: slug form, at least one location, texts, ids and times; each
    reported at its field path (``field: problem``)."""
    with pytest.raises(ValidationError) as raised:
        Event.model_validate(_event(**changes))
    reported = [str(problem) for problem in problems_of(raised.value)]
    assert any(message in line for line in reported), reported


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


def _place(**fields: Any) -> dict[str, Any]:
    return {"city": "Rome", "country": "IT", **fields}


LINK = {"url": "https://lu.ma/abc"}
HOSTILE_LOCATIONS: list[Any] = [
    # (fields of a location, the error's loc, part of its message)
    pytest.param(
        _place(signup_url="https://lu.ma/a", links=[LINK]),
        ("signup_url",),
        "either signup_url or links",
        id="both",
    ),
    pytest.param(
        _place(platform="facebook", links=[LINK]), ("platform",), "only together with signup_url"
    ),
    # A platform that contradicts the scheme, either way round.
    pytest.param(
        _place(links=[{**LINK, "platform": "email"}]), ("links", 0), "'email' is for mailto: links"
    ),
    pytest.param(
        _place(links=[{"url": "mailto:a@example.org", "platform": "facebook"}]),
        ("links", 0),
        "'email' is for mailto: links",
        id="mailto-as-facebook",
    ),
    pytest.param(
        _place(signup_url="mailto:a@example.org", platform="meetup"),
        ("platform",),
        "'email' is for mailto: links",
        id="legacy-mailto-as-meetup",
    ),
    pytest.param(
        _place(links=[{**LINK, "platform": "myspace"}]), ("links", 0, "platform"), "Input"
    ),
    pytest.param(
        _place(links=[{**LINK, "label": "x" * 101}]), ("links", 0, "label"), "at most 100"
    ),
    pytest.param(_place(links=[{**LINK, "label": "  "}]), ("links", 0, "label"), "at least 1"),
    pytest.param(_place(links=[{**LINK, "rel": "me"}]), ("links", 0, "rel"), "Extra inputs"),
    pytest.param(_place(links=[LINK] * 21), ("links",), "at most 20 items", id="21-links"),
    pytest.param(_place(links="https://lu.ma/abc"), ("links",), "valid tuple", id="links-string"),
    pytest.param(_place(links=[{}]), ("links", 0, "url"), "Field required", id="link-no-url"),
    # No link but announced as scheduled: the widget would have nothing to link to.
    pytest.param(
        _place(status="scheduled"), ("links",), "a scheduled location needs a signup link"
    ),
    pytest.param(
        _place(links=[], status="scheduled"), ("links",), "use status: tba", id="empty-links"
    ),
    pytest.param(_place(status="exploded"), ("status",), "Input should be"),
    pytest.param(_place(status="postponed"), ("status",), "Input should be"),  # event-level only
    pytest.param({"city": "Rome"}, ("country",), "Field required (unless the location is online"),
    pytest.param({}, ("country",), "Field required", id="nothing"),
    pytest.param({"online": "maybe", "links": [LINK]}, ("online",), "valid boolean"),
    pytest.param({"online": True, "country": "EU", "links": [LINK]}, ("country",), "unknown"),
    pytest.param(_place(city=""), ("city",), "at least 1 character", id="empty-city"),
    pytest.param(_place(city="x" * 201), ("city",), "at most 200"),
    pytest.param(_place(date="2024-02-30"), ("date",), "day value is outside"),
    pytest.param(_place(date="tomorrow"), ("date",), "valid date"),
    pytest.param(_place(end_date="2024-05-13T10:00"), ("end_date",), "zero time", id="datetime"),
    pytest.param(
        _place(date="2024-05-14", end_date="2024-05-13"), ("end_date",), "before", id="end-first"
    ),
    pytest.param(_place(start_time="25:00"), ("start_time",), "valid time"),
    pytest.param(_place(id="Zürich"), ("id",), "should match pattern"),
]


@pytest.mark.parametrize(("fields", "loc", "message"), HOSTILE_LOCATIONS)
def test_location_refused(fields: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
    """Each hostile location value is refused with exactly one error at its field path."""
    with pytest.raises(ValidationError) as raised:
        Location.model_validate(fields)
    [error] = raised.value.errors()
    assert error["loc"] == loc
    assert message in error["msg"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # (fields, (id, status, signup_url, platform, number of links))
        (_place(signup_url="https://lu.ma/a"), ("rome", "scheduled", "https://lu.ma/a", "luma", 1)),
        (_place(), ("rome", "tba", None, None, 0)),  # no link yet: details to be announced
        ({"country": "GB"}, ("gb", "tba", None, None, 0)),  # a country, its city still open
        ({"online": True, "links": [LINK]}, ("online", "scheduled", LINK["url"], "luma", 1)),
        (
            _place(links=[{"url": "mailto:rome@pauseai.info"}, LINK]),
            ("rome", "scheduled", "mailto:rome@pauseai.info", "email", 2),
        ),
        (_place(status="cancelled"), ("rome", "cancelled", None, None, 0)),
        (_place(links=[LINK], status="tba"), ("rome", "tba", LINK["url"], "luma", 1)),
        (
            _place(signup_url="https://example.org/", platform="discord"),
            ("rome", "scheduled", "https://example.org/", "discord", 1),
        ),
    ],
)
def test_location_accepted(fields: dict[str, Any], expected: tuple[Any, ...]) -> None:
    """Ids, statuses and the signup link are derived from what a location gives."""
    location = Location.model_validate(fields)
    assert (
        location.id,
        location.status.value,
        location.signup_url,
        location.platform,
        len(location.links),
    ) == expected


def test_signup_url_is_the_first_link() -> None:
    """The signup_url shorthand and a one-link list give the same links, labels kept."""
    short = Location.model_validate(_place(signup_url=LINK["url"]))
    listed = Location.model_validate(_place(links=[{**LINK, "label": "Sign up"}, LINK]))
    assert short.links == (Link(url=LINK["url"], platform=Platform.LUMA),)
    assert [(link.label, link.platform) for link in listed.links] == [
        ("Sign up", Platform.LUMA),
        (None, Platform.LUMA),
    ]
    assert "legacy_signup_url" not in short.model_dump()
    assert short.status is LocationStatus.SCHEDULED


@pytest.mark.parametrize(
    ("changes", "days", "span"),
    [
        # (event changes, days of its first location, the event's first and last day)
        ({}, ("2024-05-13", "2024-05-13"), ("2024-05-13", "2024-05-13")),
        ({"end_date": "2024-05-15"}, ("2024-05-13", "2024-05-15"), ("2024-05-13", "2024-05-15")),
        (
            {"locations": [_place(date="2024-05-20", signup_url="https://a.org/")]},
            ("2024-05-20", "2024-05-20"),
            ("2024-05-13", "2024-05-20"),
        ),
        (
            {
                "end_date": "2024-05-14",
                "locations": [_place(end_date="2024-05-16", signup_url="https://a.org/")],
            },
            ("2024-05-13", "2024-05-16"),
            ("2024-05-13", "2024-05-16"),
        ),
        (
            {"locations": [_place(date="2024-05-10", end_date="2024-05-11")]},
            ("2024-05-10", "2024-05-11"),
            ("2024-05-10", "2024-05-13"),
        ),
    ],
)
def test_event_days(changes: dict[str, Any], days: tuple[str, str], span: tuple[str, str]) -> None:
    """A location takes place on its own dates, else the event's; the event spans them all."""
    event = Event.model_validate(_event(**changes))
    assert tuple(map(str, event.days(event.locations[0]))) == days
    assert (str(event.first_day), str(event.last_day)) == span
