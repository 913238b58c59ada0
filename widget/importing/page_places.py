"""Places as PauseAI pages write them: one bullet's text and links → city, country, venue.

The family of real shapes, all read the same way — link texts are read as text, the place
is what comes before the first parenthesis, separator or trailing link, and its
comma-separated parts are told apart by what they name (a country, a state, a known city):

- ``**City**, Country ([label](url))`` (the seed), ``**Kinshasa,** DR Congo (…)``;
- ``**[City, Country](url)**`` and ``[**City**](url), Country`` (the place is the link);
- ``Country, [Region,] [Venue,] City ([l](u), [l](u))`` (country first);
- ``**Zürich**, Switzerland _(details t.b.a.)_``, ``UK (exact location TBD)``, ``Online``;
- ``Where: …`` / ``When: …`` label bullets in every supported language.

A state after a city reads as its own part with or without dots and comma: ``Washington,
D.C.``, ``Washington DC`` and ``Washington, DC`` are all Washington, US.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from widget.countries import country_candidates, region_country
from widget.feeds.gazetteer import gazetteer  # built on first use
from widget.localized_names import city_country, english_city, fold
from widget.text import fold as fold_text

# Markers, matched on folded text (lower case, no accents, no dots), in our languages.
_TBA = re.compile(
    r"(?<!\w)(?:t\s?b\s?[adc]|n\s?t\s?b|to be (?:announced|confirmed|determined)|"
    r"(?:more )?details (?:soon|to follow|coming|tba)|coming soon|"
    r"(?:details )?(?:volgt|volgen)(?: nog)?|nog (?:niet bekend|te bepalen)|wordt (?:nog )?"
    r"(?:aangekondigd|bekend gemaakt)|(?:details )?(?:folgt|folgen)|noch offen|"
    r"wird (?:noch )?bekannt ?gegeben|(?:details )?a venir|a (?:confirmer|preciser|definir|"
    r"determiner|annoncer)|bientot|da (?:confermare|definire|annunciare)|(?:dettagli )?a breve|"
    r"in arrivo|por (?:confirmar|anunciar|definir|determinar)|proximamente|a confirmar|"
    r"a definir|a ser anunciad[oa]|em breve|(?:detaljer )?kommer(?: snart| senare| senere)?|"
    r"(?:detaljer )?(?:foljer|folger)|meddelas senare|tillkannages senare|"
    r"(?:annonseres|kunngjores) senere|(?:tilkynnt|auglyst|nanar) sidar|upplysingar sidar|"
    r"vaentanlegt|exact location)(?!\w)"
)
_CANCELLED = re.compile(
    r"(?<!\w)(?:cancell?ed|afgelast|geannuleerd|abgesagt|annule|annullato|cancelado|"
    r"cancelada|installt|avlyst|aflyst)(?!\w)"
)
_ONLINE = frozenset({"online", "virtual", "en ligne", "virtuell", "virtueel", "virtuale"})
_ORGANIZE = re.compile(
    r"organi[sz]|skipuleg|your (?:country|city|town) here|jouw (?:land|stad) hier|"
    r"deine? (?:land|stadt) hier|(?:here|hier|ici|qui|aqui|har|her)\s?\?"
)
# "Where:" / "When:" labels (folded) of single-location blocks, and their synonyms
# ("Venue:", "Date & Time:").
WHERE_WORDS = frozenset(
    [
        "where",
        "waar",
        "wo",
        "ou",
        "dove",
        "donde",
        "var",
        "hvor",
        "hvar",
        "onde",
        "venue",
        "location",
        "place",
        "address",
        "locatie",
        "plaats",
        "adres",
        "ort",
        "adresse",
        "lieu",
        "luogo",
        "indirizzo",
        "lugar",
        "direccion",
        "plats",
        "adress",
        "sted",
        "stadur",
        "stadsetning",
        "local",
        "endereco",
    ]
)
WHEN_WORDS = frozenset(
    [
        "when",
        "wanneer",
        "wann",
        "quand",
        "quando",
        "cuando",
        "nar",
        "hvenær",
        "date",
        "time",
        "datum",
        "tijd",
        "tijdstip",
        "zeit",
        "uhrzeit",
        "heure",
        "ora",
        "data",
        "fecha",
        "hora",
        "tid",
        "tidspunkt",
        "timi",
        "dagsetning",
        "horario",
    ]
)
_LABEL = re.compile(r"^[\W_]*([^\W\d_][^:]{0,24}?)[\W_]*:\s*(.*)$", re.S)
# Hosts of map links: a map is where a location is, never its signup link.
_MAP_HOSTS = re.compile(
    r"^https?://(?:www\.)?(?:google\.[a-z.]+/maps|goo\.gl/maps|maps\.app\.goo\.gl|maps\.google\."
    r"|(?:www\.)?openstreetmap\.org|osm\.org|maps\.apple\.com)",
    re.I,
)
_FLAG = re.compile("([\U0001f1e6-\U0001f1ff]{2})")
# Put where bold or emphasis ends: '**Kinshasa.** DR Congo' parts like 'Kinshasa, DR Congo'.
BREAK = "\u2063"
_PARTS = re.compile(f"[,{BREAK}]")
_SEPARATOR = re.compile(r"\s[-\u2013\u2014|/]\s|:\s|\(|\[")
_CLOCK = re.compile(
    r"^\d{1,2}([:.h]\d{2})?\s*([ap]\.?m\.?)?(\s*[-\u2013]\s*\d{1,2}([:.h]\d{2})?\s*([ap]\.?m\.?)?)?$",
    re.I,
)
_EDGE = f" \t.,;:!?*_\u200b\u00a0\u2013\u2014-{BREAK}"
# A state's abbreviation after a city without a comma: 'Washington DC', 'Portland OR'.
_STATE_AFTER = re.compile(r"^(.*[^\W\d_])\s+([A-Z]\.?\s?[A-Z])$")


@dataclass(frozen=True)
class Link:
    """A link in a bullet: its text, its target as written, where its text is in ``text``."""

    label: str
    href: str
    start: int
    end: int


@dataclass(frozen=True)
class Flat:
    """A bullet's inline Markdown as plain text, link texts included, with its links and
    where each outermost bold run starts."""

    text: str
    links: tuple[Link, ...] = ()
    bold: tuple[int, ...] = ()

    def piece(self, start: int, end: int) -> Flat:
        """The text from ``start`` to ``end`` with the links inside it, as a Flat of its own."""
        links = tuple(
            Link(k.label, k.href, k.start - start, k.end - start)
            for k in self.links
            if start <= k.start and k.end <= end
        )
        bold = tuple(b - start for b in self.bold if start <= b < end)
        return Flat(self.text[start:end], links, bold)

    def outside_links(self, start: int, end: int | None = None) -> str:
        """The text from ``start`` to ``end`` with the link texts left out."""
        end = len(self.text) if end is None else end
        pieces, at = [], start
        for link in self.links:
            if link.end <= start or link.start >= end:
                continue
            pieces.append(self.text[at : max(at, link.start)])
            at = max(at, link.end)
        pieces.append(self.text[at:end])
        return "".join(pieces).replace(BREAK, " ")

    @property
    def plain(self) -> str:
        """The text for messages: no markers, blanks collapsed."""
        return " ".join(self.text.replace(BREAK, "").split())


def flatten(inline: Token) -> Flat:
    """Plain text of an inline token (emphasis and HTML dropped) and its links."""
    text: list[str] = []
    links: list[Link] = []
    opened: list[tuple[str, int]] = []
    bold: list[int] = []
    depth = 0
    for child in inline.children or []:
        if child.type == "strong_open":
            if not depth:
                bold.append(len("".join(text)))
            depth += 1
        elif child.type == "strong_close":
            depth = max(0, depth - 1)
        if child.type in ("text", "code_inline", "image"):
            text.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            text.append(" ")
        elif child.type in ("strong_close", "em_close"):
            text.append(BREAK)
        elif child.type == "link_open":
            opened.append((str(child.attrs.get("href", "")), len("".join(text))))
        elif child.type == "link_close" and opened:
            href, start = opened.pop()
            end = len("".join(text))
            label = " ".join("".join(text)[start:end].replace(BREAK, " ").split())
            links.append(Link(label, href, start, end))
    return Flat("".join(text), tuple(links), tuple(bold))


def is_tba(text: str) -> bool:
    """True when ``text`` says the details are still to come ('t.b.a.', 'volgt', 'à venir')."""
    return bool(_TBA.search(fold_text(text, transliterate=True).replace(".", "")))


def is_cancelled(text: str) -> bool:
    """True when ``text`` says the location is cancelled ('afgelast', 'abgesagt' …)."""
    return bool(_CANCELLED.search(fold_text(text, transliterate=True)))


def is_map_link(url: str) -> bool:
    """True for a link to a map (Google Maps, OpenStreetMap, Apple Maps)."""
    return bool(_MAP_HOSTS.match(url))


def is_organize_call(text: str) -> bool:
    """True for an 'Organize in your area!' or 'Your country here?' line."""
    return bool(_ORGANIZE.search(fold_text(text, transliterate=True)))


def label_line(text: str) -> tuple[str, str] | None:
    """('where', value) or ('when', value) of a 'Where: …' / '**Wann**: …' line."""
    match = _LABEL.match(text.replace(BREAK, "").strip())
    if match is None:
        return None
    words = re.findall(r"[^\W\d_]+", fold(match.group(1)))
    if not words or len(words) > 3:
        return None
    kind = "where" if words[0] in WHERE_WORDS else "when" if words[0] in WHEN_WORDS else None
    return (kind, match.group(2).strip(" *_")) if kind else None


@dataclass(frozen=True)
class Place:
    """Where a location is: a city (None for a country whose city is open), its country
    (None online), a venue, and whether it is the online action."""

    city: str | None
    country: str | None
    venue: str | None = None
    online: bool = False
    english: str | None = None  # the city's English name (CLDR), when it differs


def _known_cities(parts: list[str], country: str, language: str) -> list[str]:
    """The parts that are cities of ``country``: CLDR's first, then the gazetteer's by
    population ('Westminster, London' → London first)."""
    cldr = [p for p in parts if city_country(p, language) == country]
    places = gazetteer()
    listed = [
        (city, p)
        for p in parts
        if p not in cldr and region_country(p) is None and (city := places.named(p, country))
    ]
    return cldr + [p for _, p in sorted(listed, key=lambda found: -found[0].population)]


def _only_region(part: str) -> bool:
    """A state or province that is no country's name ('Washington', not 'Georgia')."""
    region = region_country(part)
    return region is not None and not country_candidates(part) - {region}


def _split(head: str) -> tuple[list[str], str | None]:
    """The comma-separated parts of a place and a country from a flag emoji in it."""
    flag = None
    match = _FLAG.search(head)
    if match:
        flag = "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in match.group(1))
        head = _FLAG.sub(" ", head)
    parts = [" ".join(p.split()).strip(_EDGE) for p in _PARTS.split(head)]
    split: list[str] = []
    for part in parts:
        # 'Washington DC', 'Washington D.C.': the city and its state, as if comma-separated.
        match = _STATE_AFTER.match(part)
        if (
            match
            and region_country(match.group(2))
            and not country_candidates(part) - {region_country(match.group(2))}
        ):
            split.extend(match.groups())
        else:
            split.append(part)
    return [p for p in split if p and not _CLOCK.match(p)], flag


def read_place(head: str, language: str, default_country: str | None = None) -> Place | str:
    """The place written in ``head`` ('Kinshasa, DR Congo', 'US, California, San Francisco',
    'San Francisco, OpenAI HQ'), or why none can be read."""
    parts, flag = _split(head)
    if not parts:
        return "no place written"
    if len(parts) == 1 and fold(parts[0]) in _ONLINE:
        return Place(None, None, online=True)
    if any(len(p.split()) > 6 and not country_candidates(p) for p in parts) or len(head) > 200:
        return "no city recognised"
    ambiguous: str | None = None
    # Which part is the country: the last one, else the first (country-first lists).
    ends = (len(parts) - 1, 0) if len(parts) > 1 else (0,)
    for index in sorted(ends, key=lambda i: _only_region(parts[i])):  # 'US, Washington'
        candidates = country_candidates(parts[index])
        if not candidates:
            continue
        region = region_country(parts[index])
        if index == 0 and len(parts) > 1 and region and len(candidates) > 1:
            candidates -= {region}  # a country first is a country: 'NL, The Hague'
        rest = parts[:index] + parts[index + 1 :]
        found = {code: _known_cities(rest, code, language) for code in sorted(candidates)}
        settled = [code for code, known in found.items() if known]
        if len(candidates) == 1:
            country = next(iter(candidates))
        elif len(settled) == 1:
            country = settled[0]  # the city settles it: 'Kinshasa, Congo' is CD
        else:
            names = " or ".join(sorted(candidates))
            ambiguous = f"{parts[index]!r} can be {names}: write the country in full"
            continue
        known = found[country]
        if not known and region and _known_cities([parts[index]], country, language):
            known = [parts[index]]  # 'United Nations HQ, New York': the state's city
            rest = [*rest, parts[index]]
        others = [p for p in rest if region_country(p) is None or p in known]
        if rest and not others and not (len(rest[0]) <= 3 and rest[0].isupper()):
            others = rest[:1]  # a city named like its state: 'Washington, DC', 'New York, NY'
        named = [p for p in others if not re.search(r"\d", p)]  # not '1 Convention Place'
        city = known[0] if known else (named[-1] if named else None)
        if city is None and len(parts) == 1 and city_country(parts[0], language) == country:
            city = parts[0]  # a city state: 'Singapore', 'Luxembourg'
        if flag and flag != country:
            return f"the flag says {flag} but {parts[index]!r} is {country}"
        venue = ", ".join(p for p in others if p != city) or None
        return _place(city, country, venue, language)
    if ambiguous:
        return ambiguous
    # No country written: a city CLDR knows ('San Francisco, OpenAI HQ'), or the list's.
    for part in parts:
        own = city_country(part, language)
        guess = flag or own or default_country
        if guess and (own == guess or len(parts) == 1):
            venue = ", ".join(p for p in parts if p != part) or None
            return _place(part, guess, venue, language)
    named = [p for p in parts if not re.search(r"\d", p)]
    if (flag or default_country) and named and len(parts) <= 3:
        city = named[-1]  # 'Wijnhaven, The Hague' under a page about the Netherlands
        venue = ", ".join(p for p in parts if p != city) or None
        return _place(city, str(flag or default_country), venue, language)
    return "no country recognised"


def _accents(text: str) -> int:
    return sum(1 for c in text if not c.isascii())


def _place(city: str | None, country: str, venue: str | None, language: str) -> Place:
    english = english_city(city, language, country) if city else None
    # An English page spelling a name as fully as CLDR keeps it ('N'Djaména').
    if city and english and language == "en" and fold(english) == fold(city):
        english = city if _accents(city) >= _accents(english) else english
    return Place(city, country, venue, english=english if english != city else None)


def head_end(flat: Flat, start: int = 0) -> int:
    """Where the place ends: at the first parenthesis or separator, or at a link that does
    not start a comma-separated part (link texts that start one belong to the place)."""
    text, end = flat.text, len(flat.text)
    for link in flat.links:  # only a link opening the bullet is the place itself
        if link.start >= start and text[start : link.start].strip(_EDGE):
            end = link.start
            break
    at = start
    while at < end:
        match = _SEPARATOR.search(text, at, end)
        if match is None:
            break
        inside = next((k for k in flat.links if k.start <= match.start() < k.end), None)
        if inside is not None:
            at = inside.end
            continue
        if text[start : match.start()].strip(_EDGE) and not _dashed_name(text, match, end):
            return match.start()
        at = match.end()
    return end


def _dashed_name(text: str, match: re.Match[str], end: int) -> bool:
    """True when a ' - ' belongs to a country's name ('Congo - Kinshasa')."""
    if match.group(0).strip() not in "-\u2013\u2014" or not match.group(0).strip():
        return False
    before = _PARTS.split(text[: match.start()])[-1]
    after = re.split(f"[,({BREAK}]", text[match.end() : end])[0]
    return bool(country_candidates((before + match.group(0) + after).strip(_EDGE)))
