"""``GET /events/{slug}.png``: the event's share card (Open Graph image, oEmbed thumbnail)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from widget.cache import CachedBody
from widget.documents.oembed import CARD_WIDTH, card_width
from widget.i18n import translations
from widget.params import CARD
from widget.routes._common import cached, event_for
from widget.security_headers import ANY_ORIGIN
from widget.services import services

# The card changes only with the data: browsers and CDNs may keep it for a day.
CARD_MAX_AGE = 86400
CARD_STALE = 7 * 86400


async def event_card(request: Request) -> Response:
    """GET /events/{slug}.png?lang=&w= — 1200x630, or scaled down to about ``w`` pixels wide
    (the largest of ``CARD_WIDTHS`` not wider than ``w``)."""
    event = event_for(request)
    state = services(request)
    query = CARD(request)
    language = query.lang or event.default_language
    # Drawn only at CARD_WIDTHS (rounded down): a flood of widths cannot grow the cache.
    width = card_width(query.width or CARD_WIDTH)

    async def render() -> CachedBody:
        # Imported here: Pillow costs several MB of memory, and only this route needs it.
        from widget.documents.card_image import card_text, render_card

        text = card_text(event, language, translations(language), state.settings.public_host)
        png = await state.renders.cards.run(render_card, text, width)
        return CachedBody.build(
            png,
            "image/png",
            (ANY_ORIGIN,),
            max_age=CARD_MAX_AGE,
            stale_while_revalidate=CARD_STALE,
            compress=False,
        )

    return await cached(request, "event_card", (event.slug, language, width), render)
