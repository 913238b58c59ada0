"""What a location is called in a language, outside the templates (calendar, JSON-LD, card).

A city goes by its name in the text of that language (``cities`` overrides), else as the
data writes it, followed by its country's CLDR name; a country whose city is still open by
the country's name alone; an online location by "Online" (gettext), with its country when
it names one. The widget's templates name rows themselves (the row sits under its country).
"""

from __future__ import annotations

from widget.countries import country_name
from widget.i18n import translations
from widget.model import Event, Location


def place_name(event: Event, location: Location, language: str, *, country: bool = True) -> str:
    """'Berlin, Germany', 'United Kingdom', 'Online' or 'Online, France' in ``language``;
    without ``country``, a city's or an online location's name alone ('Berlin')."""
    _, text = event.text(language)
    city = text.cities.get(location.id, location.city)
    nation = country_name(location.country, language) if location.country else None
    if city is None and location.online:
        city = translations(language).gettext("Online")
    if not country and city is not None:
        return city
    return ", ".join(part for part in (city, nation) if part)
