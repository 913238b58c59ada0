"""The event's share card: a 1200x630 PNG drawn with Pillow (Open Graph, oEmbed thumbnail).

``card_text`` gathers the localized words (title, date, "14 cities in 12 countries"
through gettext's ``ngettext``); ``render_card`` draws them. Both are pure; drawing takes
tens of milliseconds, so the endpoint runs it in the card worker process
(``widget.render_pool``) and caches the bytes.
Fonts are DejaVu when installed (``fonts-dejavu-core``), else Pillow's built-in font.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.support import NullTranslations
from PIL import Image, ImageDraw, ImageFont

from widget.date_ranges import format_days
from widget.documents.oembed import CARD_HEIGHT, CARD_WIDTH, card_height
from widget.model import Event, Status
from widget.places import place_name

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
ORANGE = (0xFF, 0x94, 0x16)
INK = (0x1A, 0x1A, 0x1A)
MUTED = (0x4A, 0x4A, 0x4A)
PAPER = (0xFF, 0xFF, 0xFF)
MARGIN = 80
TITLE_SIZES = (68, 60, 52, 46, 40)
TITLE_TOP = 150
TITLE_BOTTOM = 370  # the date (about 56 px) follows; the city line sits at 470
BAND_HEIGHT = 120

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Unicode categories that draw nothing sensible: controls, format marks (bidi overrides,
# zero-width characters), line and paragraph separators, unassigned code points.
_UNDRAWABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


@dataclass(frozen=True)
class CardText:
    """The words on a card, already localized."""

    title: str
    date: str
    counts: str
    site: str
    status: str = ""
    places: tuple[str, ...] = ()


def clean(text: str) -> str:
    """Text fit for drawing: controls, format marks and line breaks become single spaces."""
    drawable = "".join(" " if unicodedata.category(char) in _UNDRAWABLE else char for char in text)
    return " ".join(drawable.split())


def card_text(event: Event, language: str, translations: NullTranslations, site: str) -> CardText:
    """The card's words for ``event`` in ``language`` (gettext and Babel)."""
    _, text = event.text(language)
    cities = len(event.locations)
    countries = len({location.country for location in event.locations if location.country})
    gettext, ngettext = translations.gettext, translations.ngettext
    counts = gettext("%(cities)s in %(countries)s") % {
        "cities": ngettext("%(num)d city", "%(num)d cities", cities) % {"num": cities},
        "countries": ngettext("%(num)d country", "%(num)d countries", countries)
        % {"num": countries},
    }
    status = {
        Status.SCHEDULED: "",
        Status.CANCELLED: gettext("Cancelled"),
        Status.POSTPONED: gettext("Postponed"),
        Status.MOVED_ONLINE: gettext("Moved online"),
    }[event.status]
    return CardText(
        title=clean(text.title),
        date=format_days(
            event.first_day,
            event.last_day if event.last_day > event.first_day else None,
            "full",
            language,
        ),
        counts=counts,
        site=site,
        status=status,
        places=tuple(
            clean(place_name(event, location, language, country=False))
            for location in event.locations
        ),
    )


@cache
def _font(size: int, bold: bool = False) -> Font:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        # BASIC layout: our languages need no shaping, and raqm fails on some hostile text.
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: Font, width: int) -> list[str]:
    """Greedy word wrap; a single word wider than ``width`` gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _fit(text: str, font: Font, width: int) -> str:
    """``text`` cut with an ellipsis so it fits ``width``."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(f"{text}…") > width:
        text = text[:-1]
    return f"{text.rstrip()}…"


def _fit_names(names: tuple[str, ...], font: Font, width: int) -> str:
    """As many whole names as fit, joined by middle dots, then an ellipsis for the rest."""
    line = ""
    for index, name in enumerate(names):
        candidate = f"{line} · {name}" if line else name
        more = " · …" if index < len(names) - 1 else ""
        if font.getlength(candidate + more) > width:
            break
        line = candidate
    else:
        return line
    return f"{line} · …" if line else _fit(names[0], font, width)


def _line_height(font: Font) -> int:
    size = font.size if isinstance(font, ImageFont.FreeTypeFont) else 40
    return int(size * 1.18)


def _title_lines(title: str, width: int, height: int) -> tuple[Font, list[str]]:
    """The largest title size whose wrapped lines fit the box (else the smallest, cut)."""
    for size in TITLE_SIZES:
        font = _font(size, bold=True)
        lines = _wrap(title, font, width)
        fits_width = all(font.getlength(line) <= width for line in lines)
        if fits_width and len(lines) * _line_height(font) <= height:
            return font, lines
    most = max(1, height // _line_height(font))
    lines = _wrap(title, font, width)
    kept = [_fit(line, font, width) for line in lines[:most]]
    if len(lines) > most:
        kept[-1] = _fit(f"{kept[-1]} {lines[most]}", font, width)
    return font, kept


def draw_card(text: CardText) -> Image.Image:
    """The full-size card."""
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    usable = CARD_WIDTH - 2 * MARGIN

    # Brand: an orange mark and the name.
    draw.rectangle((MARGIN, 64, MARGIN + 14, 108), fill=ORANGE)
    draw.text((MARGIN + 32, 86), "PauseAI", font=_font(36, bold=True), fill=INK, anchor="lm")
    if text.status:
        status_font = _font(28, bold=True)
        label = _fit(text.status.upper(), status_font, usable // 2)
        right = CARD_WIDTH - MARGIN
        left = right - int(status_font.getlength(label)) - 40
        draw.rounded_rectangle((left, 62, right, 110), radius=24, fill=INK)
        draw.text(((left + right) // 2, 86), label, font=status_font, fill=PAPER, anchor="mm")

    # Title, then the date under it.
    font, lines = _title_lines(text.title, usable, TITLE_BOTTOM - TITLE_TOP)
    y = TITLE_TOP
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK)
        y += _line_height(font)
    date_font = _font(34)
    draw.text((MARGIN, y + 22), _fit(text.date, date_font, usable), font=date_font, fill=MUTED)
    if text.places:
        places_font = _font(26)
        bottom = CARD_HEIGHT - BAND_HEIGHT - 40
        draw.text(
            (MARGIN, bottom),
            _fit_names(text.places, places_font, usable),
            font=places_font,
            fill=MUTED,
            anchor="ls",
        )

    # Orange band: how many cities and countries, and where to find it.
    top = CARD_HEIGHT - BAND_HEIGHT
    draw.rectangle((0, top, CARD_WIDTH, CARD_HEIGHT), fill=ORANGE)
    middle = top + BAND_HEIGHT // 2
    site_font = _font(28)
    site = _fit(text.site, site_font, usable // 3)
    counts_font = _font(40, bold=True)
    counts_width = usable - int(site_font.getlength(site)) - 40
    draw.text(
        (MARGIN, middle),
        _fit(text.counts, counts_font, counts_width),
        font=counts_font,
        fill=INK,
        anchor="lm",
    )
    draw.text((CARD_WIDTH - MARGIN, middle), site, font=site_font, fill=INK, anchor="rm")
    return image


def render_card(text: CardText, width: int = CARD_WIDTH) -> bytes:
    """The card as PNG bytes, scaled to ``width`` (keeping the 1200x630 ratio)."""
    image = draw_card(text)
    if width != CARD_WIDTH:
        image = image.resize((width, card_height(width)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
