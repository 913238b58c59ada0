"""The compact banner's view (``layout=compact``): one event in one line of a sidebar.

A banner shows an event's title (linking to its page), its days, the visitor's likely
city and one primary button: the signup link of that city, else the event's page (a
cancelled or past event, or no city with a link), or, for ``/embed/upcoming`` with
nothing ahead, the "organize one" link. ``build_banner`` is pure, like ``build_view``.

The likely city is, for now, the first city with an open signup link in the data's
order (organizers list their main city first). Every such city is a ``Candidate``: the
template writes them all into a hidden list with their ids, countries, coordinates and
counted ``/go/`` URLs, so code in the page that knows better (the visitor's nearest
city) can pick another through the DOM alone: it replaces the text of
``[data-pw-city]``, the ``href`` of ``[data-pw-action]`` and the texts of
``[data-pw-action-city]`` and ``[data-pw-action-label]`` (its platform) with a
candidate's. static/nearest.js does so, by the visitor's time zone, when some candidate
has coordinates (``BannerView.located``). The server never learns the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from widget.documents.widget_view import CityView, Palette, WidgetView, palette
from widget.model import Event
from widget.params import ViewOptions
from widget.urls import Urls


@dataclass(frozen=True)
class Candidate:
    """A city the banner could name: its row, country and coordinates (when known)."""

    city: CityView
    country: str | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class BannerView:
    """Everything ``compact.html`` shows; ``view`` is None when nothing is planned."""

    language: str
    theme: str
    accent: Palette | None
    view: WidgetView | None
    candidates: tuple[Candidate, ...]
    organize_link: str | None
    publish_url: str

    @property
    def city(self) -> Candidate | None:
        """The visitor's likely city (until the page knows better: the first candidate)."""
        return self.candidates[0] if self.candidates else None

    @property
    def located(self) -> bool:
        """Whether some candidate has coordinates (the browser can then pick the nearest)."""
        return any(candidate.lat is not None for candidate in self.candidates)

    @property
    def action(self) -> str | None:
        """What the primary button does: "signup", "page", "organize", or None (no button)."""
        if self.view is None:
            return "organize" if self.organize_link else None
        return "signup" if self.city is not None else "page"

    @property
    def action_url(self) -> str | None:
        """Where the primary button leads."""
        if self.view is None:
            return self.organize_link
        if self.city is not None:
            return self.city.city.signup_url
        return self.view.canonical_url

    @property
    def title(self) -> str | None:
        """The event's title (None when nothing is planned: the template names that)."""
        return self.view.title if self.view is not None else None


def candidates(event: Event, view: WidgetView) -> tuple[Candidate, ...]:
    """The shown cities with an open signup link, in the data's order."""
    if not view.signups_open:
        return ()
    rows = {
        city.id: (city, country.code)
        for country in view.countries
        for city in country.cities
        if city.linked
    }
    found: list[Candidate] = []
    for location in event.locations:
        if location.id not in rows:
            continue
        city, _ = rows[location.id]
        point = location.coordinates
        found.append(
            Candidate(
                city=city,
                country=location.country,
                lat=point.lat if point else None,
                lon=point.lon if point else None,
            )
        )
    return tuple(found)


def build_banner(
    event: Event | None,
    view: WidgetView | None,
    *,
    language: str,
    theme: str,
    accent: str | None,
    organize_link: str | None,
    public_url: str,
) -> BannerView:
    """The banner of ``event`` (whose widget view is ``view``), or of nothing planned."""
    return BannerView(
        language=language,
        theme=theme,
        accent=palette(accent) if accent else None,
        view=view,
        candidates=candidates(event, view) if event is not None and view is not None else (),
        organize_link=organize_link if view is None else view.organize_link,
        publish_url=Urls(public_url).publish(),
    )


def event_banner(
    event: Event, view: WidgetView, options: ViewOptions, public_url: str
) -> BannerView:
    """The banner of one event (``/embed/{slug}?layout=compact``), from its widget view."""
    return build_banner(
        event,
        view,
        language=view.language,
        theme=options.theme,
        accent=options.accent,
        organize_link=view.organize_link,
        public_url=public_url,
    )
