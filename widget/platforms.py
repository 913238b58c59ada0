"""Signup platforms, recognised from a link's host (``mailto:`` links are ``email``)."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit


class Platform(StrEnum):
    """Where people sign up; decides the link's wording and icon."""

    FACEBOOK = "facebook"
    EVENTBRITE = "eventbrite"
    PARTIFUL = "partiful"
    WHATSAPP = "whatsapp"
    MEETUP = "meetup"
    LUMA = "luma"
    MOBILIZE = "mobilize"
    ACTIONNETWORK = "actionnetwork"
    DISCORD = "discord"
    WEBSITE = "website"
    EMAIL = "email"  # a mailto: contact link


# Registrable domains → platform; subdomains (www., m., chat.) match too.
_HOSTS: dict[str, Platform] = {
    "facebook.com": Platform.FACEBOOK,
    "fb.me": Platform.FACEBOOK,
    "fb.com": Platform.FACEBOOK,
    "eventbrite.com": Platform.EVENTBRITE,
    "partiful.com": Platform.PARTIFUL,
    "whatsapp.com": Platform.WHATSAPP,
    "wa.me": Platform.WHATSAPP,
    "meetup.com": Platform.MEETUP,
    "lu.ma": Platform.LUMA,
    "luma.com": Platform.LUMA,
    "mobilize.us": Platform.MOBILIZE,
    "actionnetwork.org": Platform.ACTIONNETWORK,
    "discord.gg": Platform.DISCORD,
    "discord.com": Platform.DISCORD,
}


def platform_for_url(url: str) -> Platform:
    """The platform serving ``url``; ``mailto:`` is email, any unknown host a plain website."""
    if url[:7].lower() == "mailto:":
        return Platform.EMAIL
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".")
    for start in range(len(labels) - 1):
        platform = _HOSTS.get(".".join(labels[start:]))
        if platform is not None:
            return platform
    # Eventbrite runs national domains: eventbrite.nl, eventbrite.co.uk, eventbrite.com.au …
    # (only as the registrable name: eventbrite.evil.org is not Eventbrite).
    if len(labels) >= 2 and labels[-2] == "eventbrite":
        return Platform.EVENTBRITE
    if len(labels) >= 3 and labels[-3] == "eventbrite" and labels[-2] in ("co", "com"):
        return Platform.EVENTBRITE
    return Platform.WEBSITE
