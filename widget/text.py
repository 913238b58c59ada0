"""Facts about text that several modules share: folding, slugs and unwanted characters.

Folding makes a key that ignores case and accents ('São Paulo' ~ 'sao paulo'); a slug is
the ASCII id of an event or a location ('Den Haag' → 'den-haag'); the character classes
name what must never reach a URL, a shown text or an XML document. Each is written here
once, so that a sort key, an import match and a validation agree.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

SOFT_HYPHEN = "\u00ad"
# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash.
DASHES = "-\u2010\u2011\u2012\u2013\u2014"

# Letters that do not decompose to ASCII but have a customary transliteration (lower case:
# ``fold`` casefolds first, and casefolding already turns 'ß' into 'ss').
_TRANSLITERATION = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "þ": "th",
        "ð": "d",
        "\u0131": "i",  # dotless i
    }
)


@lru_cache(maxsize=2048)
def fold(text: str, *, transliterate: bool = False) -> str:
    """A key that ignores case, accents and soft hyphens: 'Zürich' → 'zurich'.

    Casefold, decompose (NFKD) and drop the combining marks. With ``transliterate``,
    letters that do not decompose are spelled in ASCII too ('Ærøskøbing' → 'aeroskobing',
    'Kraków' → 'krakow', 'Łódź' → 'lodz'); callers that match words written in the page's
    own language (month and weekday names: 'þriðjudagur') leave them as they are, because
    CLDR's names are folded without it. Kept for the 2,048 texts folded last: views sort
    the same city names on every render.
    """
    folded = text.replace(SOFT_HYPHEN, "").casefold()
    if transliterate:
        folded = folded.translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- slugs --------------------------------------------------------------------------

MAX_SLUG_LENGTH = 80
SLUG_BODY = rf"[a-z0-9](?:[a-z0-9-]{{0,{MAX_SLUG_LENGTH - 2}}}[a-z0-9])?"
SLUG_PATTERN = rf"^{SLUG_BODY}$"  # for pydantic's Field(pattern=…)
SLUG = re.compile(SLUG_BODY)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def is_slug(text: str) -> bool:
    """True when ``text`` is a whole slug: lower-case ASCII letters, digits and inner
    hyphens, at most ``MAX_SLUG_LENGTH`` characters ('den-haag', not '-x' or 'Den')."""
    return SLUG.fullmatch(text) is not None


def slugify(text: str) -> str:
    """A stable ASCII id for a name: 'Den Haag' → 'den-haag', 'Reykjavík' → 'reykjavik'.

    Names with no Latin letters at all ('東京') get a short digest, so two such names
    never share an id.
    """
    ascii_text = fold(text, transliterate=True).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")[:MAX_SLUG_LENGTH].strip("-")
    if not slug and text.strip():
        slug = "city-" + hashlib.sha256(text.strip().encode()).hexdigest()[:8]
    return slug


# --- characters that do not belong ---------------------------------------------------

MAX_URL_LENGTH = 2048  # characters: the longest URL the data, feeds and parameters may carry

# Never in a URL: blanks (ASCII, no-break and the other Unicode spaces), C0 and C1 controls,
# line and paragraph separators, zero-width characters and direction marks, bidi
# embeddings, overrides and isolates, the BOM. A real link percent-encodes all of them.
URL_FORBIDDEN = re.compile(
    r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2066-\u2069\u3000\ufeff]"
)
# Never in a shown text: controls other than tab and newline, line and paragraph
# separators, bidi embeddings, overrides and isolates (which could reorder what follows).
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Not an XML 1.0 character (the complement of production [2] Char).
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def has_url_forbidden(text: str) -> bool:
    """True when ``text`` holds a character no URL may carry (see ``URL_FORBIDDEN``)."""
    return URL_FORBIDDEN.search(text) is not None


def without_controls(text: str) -> str:
    """``text`` with each control, separator or bidi control replaced by a space."""
    return TEXT_CONTROL.sub(" ", text)


def xml_text(text: str, replacement: str = "") -> str:
    """``text`` with each character XML 1.0 cannot hold replaced by ``replacement``."""
    return NOT_XML.sub(replacement, text)
