"""Event data as validated, immutable models (pydantic v2).

An event file set is untrusted input: every model forbids unknown fields, every URL is
checked by ``check_url`` and every text has a length bound. Validation errors carry
their field path in pydantic's ``loc`` (a check of a field below the model raises
``widget.problems.field_error``), which ``widget.store`` turns into
``FILE:LINE: field.path: problem`` messages.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from widget.countries import is_country
from widget.languages import SUPPORTED_LANGUAGES
from widget.media_providers import MediaProvider, is_x_post, media_provider_for_url, video_id
from widget.platforms import Platform, platform_for_url
from widget.problems import field_error
from widget.text import MAX_URL_LENGTH, SLUG_PATTERN, has_url_forbidden, slugify


def check_url(value: str) -> str:
    """Accept only absolute http(s) URLs without credentials, blanks or control characters."""
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters")
    if has_url_forbidden(value):
        raise ValueError("URL contains whitespace or control characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError("URL must be absolute and start with http:// or https://")
    if not parts.hostname or "." not in parts.hostname.strip("."):
        raise ValueError("URL must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("URL must not contain credentials")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError("URL has an invalid port") from None
    return value


MAX_EMAIL_LENGTH = 254
# One plain address: no second address, no ?subject=/cc= headers, no %-escapes or blanks.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$&'*+/=^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def check_mailto(value: str) -> str:
    """Accept ``mailto:`` with exactly one plain address and nothing else."""
    address = value[7:]
    if len(address) > MAX_EMAIL_LENGTH:
        raise ValueError(f"email address longer than {MAX_EMAIL_LENGTH} characters")
    if has_url_forbidden(value):
        raise ValueError("URL contains whitespace or control characters")
    if not _EMAIL.match(address):
        raise ValueError("not one plain address after mailto: (no ?subject=, cc or second address)")
    return value


def check_link_url(value: str) -> str:
    """Accept what ``check_url`` accepts, or a ``mailto:`` contact link."""
    if value[:7].lower() == "mailto:":
        return check_mailto(value)
    return check_url(value)


def check_country(value: str) -> str:
    """Accept an ISO 3166-1 alpha-2 code that CLDR knows as a country."""
    if not is_country(value):
        raise ValueError(f"unknown country code {value!r} (expected ISO 3166-1 alpha-2, e.g. NL)")
    return value


def check_timezone(value: str) -> str:
    """Accept an IANA time zone name such as Europe/Amsterdam."""
    if value not in _zones():
        raise ValueError(f"unknown time zone {value!r} (expected an IANA name, e.g. Europe/Paris)")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


_ZONES: frozenset[str] = frozenset()


def _zones() -> frozenset[str]:
    global _ZONES
    if not _ZONES:
        _ZONES = frozenset(available_timezones())
    return _ZONES


Url = Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH), AfterValidator(check_url)]
LinkUrl = Annotated[
    str, Field(min_length=1, max_length=MAX_URL_LENGTH), AfterValidator(check_link_url)
]
Day = date
Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(check_country)]
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(check_timezone)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    """Base for every data model: immutable, unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Status(StrEnum):
    """Whether the event still happens as announced."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"
    MOVED_ONLINE = "moved_online"


class Coordinates(Strict):
    """A point on the map (WGS 84)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class LocationStatus(StrEnum):
    """Where one location stands: announced, details to come, called off, or moved online."""

    SCHEDULED = "scheduled"
    TBA = "tba"
    CANCELLED = "cancelled"
    MOVED_ONLINE = "moved_online"


class Link(Strict):
    """One link of a location: the first is its signup link, others extra ways in."""

    url: LinkUrl
    label: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    platform: Platform | None = None

    @model_validator(mode="before")
    @classmethod
    def _derive_platform(cls, data: object) -> object:
        """Fill in the platform from the URL (its host, or ``email`` for mailto:)."""
        if (
            isinstance(data, dict)
            and data.get("platform") in (None, "")
            and isinstance(data.get("url"), str)
        ):
            data = {**data, "platform": platform_for_url(data["url"])}
        return data

    @model_validator(mode="after")
    def _check_platform(self) -> Link:
        mailto = self.url[:7].lower() == "mailto:"
        if mailto != (self.platform is Platform.EMAIL):
            raise PydanticCustomError(
                "platform_mismatch",
                "platform 'email' is for mailto: links, and mailto: links are 'email'",
            )
        return self

    @property
    def is_web(self) -> bool:
        """True for an http(s) link (not a mailto: contact address)."""
        return self.platform is not Platform.EMAIL


MAX_LINKS = 20


class Location(Strict):
    """One place of an event: a city, a country whose city is still open, or online.

    ``links`` holds zero to twenty links; the first is the signup link. ``signup_url``
    (with ``platform``) is the older shorthand for one link and stays readable as a
    property. Without a link a location's status defaults to ``tba``.
    """

    id: Slug = ""
    city: ShortText | None = None
    country: Country | None = None
    online: bool = False
    status: LocationStatus = LocationStatus.SCHEDULED
    links: Annotated[tuple[Link, ...], Field(max_length=MAX_LINKS)] = ()
    legacy_signup_url: LinkUrl | None = Field(default=None, alias="signup_url", exclude=True)
    legacy_platform: Platform | None = Field(default=None, alias="platform", exclude=True)
    venue: Annotated[str, Field(max_length=300)] | None = None
    date: Day | None = None
    end_date: Day | None = None
    start_time: time | None = None
    end_time: time | None = None
    timezone: TimeZone | None = None
    coordinates: Coordinates | None = None

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: object) -> object:
        """Fill in the id (slug of the city, else of the country, else 'online') and the
        status (``tba`` without a link)."""
        if isinstance(data, dict):
            data = dict(data)
            if not data.get("id"):
                if isinstance(data.get("city"), str):
                    data["id"] = slugify(data["city"]) or "city"
                elif data.get("online") is True:
                    data["id"] = "online"
                elif isinstance(data.get("country"), str):
                    data["id"] = slugify(data["country"]) or "country"
            if data.get("status") in (None, ""):
                linked = bool(data.get("links")) or bool(data.get("signup_url"))
                data["status"] = LocationStatus.SCHEDULED if linked else LocationStatus.TBA
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Location:
        if self.legacy_signup_url is not None:
            if self.links:
                raise field_error(("signup_url",), "give either signup_url or links, not both")
            try:
                link = Link(url=self.legacy_signup_url, platform=self.legacy_platform)
            except ValidationError:
                raise field_error(
                    ("platform",), "'email' is for mailto: links, and mailto: links are 'email'"
                ) from None
            # Frozen: the shorthand becomes the one link before anyone sees the model.
            object.__setattr__(self, "links", (link,))
        elif self.legacy_platform is not None:
            raise field_error(("platform",), "only together with signup_url (links name their own)")
        if not self.online and self.country is None:
            raise field_error(("country",), "Field required (unless the location is online: true)")
        if self.status is LocationStatus.SCHEDULED and not self.links:
            raise field_error(
                ("links",), "a scheduled location needs a signup link; use status: tba"
            )
        if self.end_date is not None and self.date is not None and self.end_date < self.date:
            raise field_error(("end_date",), "before the location's date")
        return self

    @property
    def signup_url(self) -> str | None:
        """The first link's URL (the signup link), if the location has a link."""
        return self.links[0].url if self.links else None

    @property
    def platform(self) -> Platform | None:
        """The first link's platform, if the location has a link."""
        return self.links[0].platform if self.links else None


class PressLink(Strict):
    """A news article about the event."""

    title: ShortText
    url: Url


class MediaItem(Strict):
    """A third-party post or video, shown only after the visitor consents."""

    url: Url
    provider: MediaProvider | None = None
    fallback: Annotated[str, Field(max_length=1000)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _derive_provider(cls, data: object) -> object:
        """Fill in the provider from the URL's host when the file does not name it."""
        if isinstance(data, dict) and not data.get("provider") and isinstance(data.get("url"), str):
            data = {**data, "provider": media_provider_for_url(data["url"])}
        return data

    @model_validator(mode="after")
    def _check_provider(self) -> MediaItem:
        derived = media_provider_for_url(self.url)
        if derived is None:
            raise field_error(
                ("url",), "unsupported media host (expected an X post or a YouTube video)"
            )
        if self.provider != derived:
            raise field_error(("provider",), f"{self.provider!r} does not match the URL's host")
        if derived is MediaProvider.YOUTUBE and self.youtube_id is None:
            raise field_error(("url",), "not a YouTube video URL")
        if derived is MediaProvider.X and not is_x_post(self.url):
            raise field_error(("url",), "not an X post URL (expected https://x.com/USER/status/ID)")
        return self

    @property
    def youtube_id(self) -> str | None:
        """The video id of a YouTube URL (watch?v=, youtu.be/, shorts/, embed/, live/)."""
        return video_id(self.url)


class Organizer(Strict):
    """Who organizes the event (schema.org organizer)."""

    name: ShortText = "PauseAI"
    url: Url = "https://pauseai.info"


class EventText(Strict):
    """The words of an event in one language."""

    title: ShortText
    summary: Annotated[str, Field(max_length=600)] = ""
    body: Annotated[str, Field(max_length=50_000)] = ""
    cities: dict[Slug, ShortText] = Field(default_factory=dict)


MAX_REACH_KM = 20_000  # half the earth's circumference: every city is within it

Language = Literal["en", "nl", "de", "fr", "it", "es", "sv", "nb", "is", "pt-BR"]


class Event(Strict):
    """A protest: language-neutral facts plus its texts per language."""

    slug: Slug
    date: date
    end_date: Day | None = None
    start_time: time | None = None
    end_time: time | None = None
    status: Status = Status.SCHEDULED
    default_language: Language = "en"
    organizer: Organizer = Field(default_factory=Organizer)
    locations: Annotated[tuple[Location, ...], Field(min_length=1, max_length=500)]
    press: Annotated[tuple[PressLink, ...], Field(max_length=200)] = ()
    media: Annotated[tuple[MediaItem, ...], Field(max_length=20)] = ()
    organize_url: LinkUrl | None = None
    # How far a visitor may live from a city and still count it as near (the widget then
    # says where the nearest protest is and offers ``organize_url`` instead).
    reach_km: Annotated[float, Field(gt=0, le=MAX_REACH_KM, allow_inf_nan=False)] | None = None
    texts: dict[Language, EventText]

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.end_date is not None and self.end_date < self.date:
            raise field_error(("end_date",), "before the event's date")
        seen: dict[str, int] = {}
        for index, location in enumerate(self.locations):
            if location.id in seen:
                raise field_error(
                    ("locations", index, "id"),
                    f"duplicate location id {location.id!r} "
                    f"(also locations.{seen[location.id]}); give one of them an explicit id",
                )
            seen[location.id] = index
            has_time = location.start_time or self.start_time
            if has_time and not location.timezone:
                raise field_error(
                    ("locations", index, "timezone"), "required when a start time is given"
                )
            first, last = self.days(location)
            if last < first:
                raise field_error(
                    ("locations", index, "end_date"), "before the location's first day"
                )
        if self.default_language not in self.texts:
            raise field_error(
                ("texts",), f"no text for the default language {self.default_language!r}"
            )
        for language, text in self.texts.items():
            for city_id in text.cities:
                if city_id not in seen:
                    raise field_error(
                        ("texts", language, "cities", city_id), "no location with that id"
                    )
        assert set(self.texts) <= set(SUPPORTED_LANGUAGES)
        return self

    def text(self, language: str) -> tuple[str, EventText]:
        """The text in ``language``, else in the default language, with the language used."""
        if language in self.texts:
            return language, self.texts[language]
        return self.default_language, self.texts[self.default_language]

    def days(self, location: Location) -> tuple[Day, Day]:
        """The first and last day of ``location``: its own date(s), else the event's."""
        if location.date is not None:
            return location.date, location.end_date or location.date
        return self.date, location.end_date or self.end_date or self.date

    # Plain properties, not cached: a cached value would survive ``model_copy(update=...)``.
    @property
    def first_day(self) -> Day:
        """The earliest day any location of the event takes place."""
        own = (location.date for location in self.locations if location.date is not None)
        return min([self.date, *own])

    @property
    def last_day(self) -> Day:
        """The latest day any location of the event takes place."""
        ends = (
            self.days(location)[1]
            for location in self.locations
            if location.date is not None or location.end_date is not None
        )
        return max([self.end_date or self.date, *ends])

    def location(self, location_id: str) -> Location | None:
        """The location with this id, if any."""
        for location in self.locations:
            if location.id == location_id:
                return location
        return None
