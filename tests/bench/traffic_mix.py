"""A realistic traffic mix: what many embedding sites and their visitors' browsers send.

``requests(count)`` draws, with a fixed seed, requests in the shares of issue 15:

- ~70 % widget: ``/embed/next`` and ``/embed/{slug}`` with one of a dozen snippet
  parameter sets (lang, theme, accent, country, city combinations),
- ~10 % ``/embed.js``, ~8 % content-hashed static assets (what the widget page loads),
- ~6 % oEmbed (JSON and XML, several maxwidth/maxheight, as WordPress and others ask),
- ~6 % the event page (``next``, the slug, with and without ``lang``/``theme``),

each with an ``Accept-Language`` drawn (Zipf, s=1.1) from ``accept_languages()``: 300+
browser strings in the shapes Chrome, Firefox and Safari send across many locales, with and
without q-values, and ``Accept-Encoding: gzip, deflate, br``.

Used by ``make bench`` (the mix scenario: a wrk script replays the list), by the
differential test (tests/test_fast_path.py: every replayed answer byte-identical to the
normal stack's) and for profiling in process (``python -m tests.bench.traffic_mix``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate
from urllib.parse import quote

SEED = 15
ACCEPT_ENCODING = "gzip, deflate, br"
SAMPLE_SLUG = "2024-05-13-international-protest"

# (primary locale, its language's other common regions); languages we have and do not have.
LOCALES = [
    ("en-US", "en"), ("en-GB", "en"), ("en-CA", "en"), ("en-AU", "en"), ("en-IN", "en"),
    ("en-IE", "en"), ("en-NZ", "en"), ("en-ZA", "en"), ("de-DE", "de"), ("de-AT", "de"),
    ("de-CH", "de"), ("fr-FR", "fr"), ("fr-CA", "fr"), ("fr-BE", "fr"), ("fr-CH", "fr"),
    ("nl-NL", "nl"), ("nl-BE", "nl"), ("es-ES", "es"), ("es-MX", "es"), ("es-AR", "es"),
    ("es-CO", "es"), ("es-419", "es"), ("it-IT", "it"), ("it-CH", "it"), ("pt-BR", "pt"),
    ("pt-PT", "pt"), ("sv-SE", "sv"), ("sv-FI", "sv"), ("nb-NO", "nb"), ("nn-NO", "nn"),
    ("is-IS", "is"), ("da-DK", "da"), ("fi-FI", "fi"), ("pl-PL", "pl"), ("cs-CZ", "cs"),
    ("sk-SK", "sk"), ("hu-HU", "hu"), ("ro-RO", "ro"), ("bg-BG", "bg"), ("hr-HR", "hr"),
    ("sl-SI", "sl"), ("el-GR", "el"), ("tr-TR", "tr"), ("ru-RU", "ru"), ("uk-UA", "uk"),
    ("et-EE", "et"), ("lv-LV", "lv"), ("lt-LT", "lt"), ("ja-JP", "ja"), ("zh-CN", "zh"),
    ("zh-TW", "zh"), ("ko-KR", "ko"), ("he-IL", "he"), ("ar-EG", "ar"), ("hi-IN", "hi"),
    ("id-ID", "id"), ("vi-VN", "vi"), ("th-TH", "th"), ("ca-ES", "ca"), ("eu-ES", "eu"),
]  # fmt: skip
LANGUAGE_STRINGS = 360
SECOND = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "nl-NL"]


def _q(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _styles(locale: str, language: str, second: str) -> list[str]:
    """The shapes browsers send for a reader of ``locale`` who also reads ``second``."""
    second_language = second.split("-")[0]
    return [
        # Chrome (and Edge): region, bare language, then English, descending by 0.1.
        f"{locale},{language};q=0.9,{second};q=0.8,{second_language};q=0.7",
        f"{locale},{language};q=0.9",
        # Firefox: its own steps (0.8/0.5/0.3, or 0.7/0.3), lower-case variants too.
        f"{locale},{language};q=0.8,{second};q=0.5,{second_language};q=0.3",
        f"{language},{second};q=0.7,{second_language};q=0.3",
        f"{locale.lower()},{language};q={_q(0.8)},en-us;q=0.5,en;q=0.3",
        # Safari: the region alone, or with the bare language at 0.9.
        locale,
        f"{locale},{language};q=0.9,{second};q=0.8",
        # Hand-set or odd: spaces after commas, a wildcard, three decimals.
        f"{locale}, {language};q=0.9, {second};q=0.5, *;q=0.1",
        f"{language};q=1.000,{second};q=0.500",
    ]


def accept_languages() -> list[str]:
    """360 distinct plausible Accept-Language strings, most common first (fixed order)."""
    seen: dict[str, None] = {}
    for rank, (locale, language) in enumerate(LOCALES):
        for second in SECOND[: 1 + (rank % len(SECOND))]:
            if second.split("-")[0] == language:
                continue
            for header in _styles(locale, language, second):
                seen.setdefault(header, None)
    found = list(seen)
    random.Random(SEED).shuffle(found)
    # The commonest browser strings on the web first (Zipf's head), then the rest.
    head = [
        "en-US,en;q=0.9",
        "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
        "en-GB,en;q=0.9",
        "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
        "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7",
        "en-US,en;q=0.5",
        "es-ES,es;q=0.9",
    ]
    return [*head, *(header for header in found if header not in head)][:LANGUAGE_STRINGS]


def widget_queries() -> list[str]:
    """A dozen snippet parameter sets, as embedding sites write them."""
    return [
        "",
        "lang=en",
        "lang=de",
        "lang=nl&theme=dark",
        "theme=dark",
        "theme=light&accent=%23ff9416",
        "accent=%231a73e8",
        "country=NL",
        "country=DE,NL&lang=de",
        "city=london",
        "lang=fr&city=berlin,london",
        "country=US&theme=dark&accent=%23ff9416",
    ]


@dataclass(frozen=True)
class Request:
    """One request of the mix: the target and its Accept-Language."""

    kind: str
    target: str
    accept_language: str

    @property
    def headers(self) -> dict[str, str]:
        """The request's headers (wrk adds Host)."""
        return {"Accept-Language": self.accept_language, "Accept-Encoding": ACCEPT_ENCODING}


def targets(public_url: str, static_paths: list[str]) -> dict[str, list[str]]:
    """The targets of each kind of request."""
    page = quote(f"{public_url}/events/{SAMPLE_SLUG}", safe="")
    following = quote(f"{public_url}/events/next", safe="")
    return {
        "widget": [
            f"/embed/{slug}" + (f"?{query}" if query else "")
            for slug in ("next", SAMPLE_SLUG)
            for query in widget_queries()
        ],
        "embed_js": ["/embed.js"],
        "static": static_paths,
        "oembed": [
            f"/oembed?url={page}&maxwidth=600&maxheight=1000&dnt=1",
            f"/oembed?url={page}&maxwidth=640&maxheight=960",
            f"/oembed?url={following}&format=json&maxwidth=500",
            f"/oembed?url={page}&format=xml&maxwidth=400&maxheight=300",
            f"/oembed?url={page}",
        ],
        "event_page": [
            f"/events/{SAMPLE_SLUG}",
            "/events/next",
            f"/events/{SAMPLE_SLUG}?lang=de",
            f"/events/{SAMPLE_SLUG}?theme=dark",
        ],
    }


SHARES = {"widget": 70, "embed_js": 10, "static": 8, "oembed": 6, "event_page": 6}


def static_paths() -> list[str]:
    """The hashed paths of what the widget page loads from us."""
    from widget.assets import Assets

    assets = Assets()
    return [assets.url_path(name) for name in ("widget.css", "widget.js", "consent.js")]


def requests(count: int, public_url: str, seed: int = SEED) -> list[Request]:
    """``count`` requests drawn from the mix (the same list for the same arguments)."""
    draw = random.Random(seed)
    languages = accept_languages()
    zipf = list(accumulate(1 / rank**1.1 for rank in range(1, len(languages) + 1)))
    by_kind = targets(public_url, static_paths())
    kinds, shares = zip(*SHARES.items(), strict=True)
    drawn: list[Request] = []
    for kind in draw.choices(kinds, weights=shares, k=count):
        choices = by_kind[kind]
        target = choices[min(int(draw.paretovariate(1.2)) - 1, len(choices) - 1)]
        language = draw.choices(languages, cum_weights=zipf)[0]
        drawn.append(Request(kind, target, language))
    return drawn


def lua_script(path_of_list: str) -> str:
    """A wrk script sending the requests listed in ``path_of_list`` in turn, round robin.

    The list file holds one request per line: target, a tab, Accept-Language.
    """
    return f"""
local requests = {{}}
init = function(args)
  for line in io.lines("{path_of_list}") do
    local target, language = line:match("^([^\\t]*)\\t(.*)$")
    requests[#requests + 1] = wrk.format("GET", target, {{
      ["Host"] = wrk.headers["Host"],
      ["Accept-Language"] = language,
      ["Accept-Encoding"] = "{ACCEPT_ENCODING}",
    }})
  end
end
local counter = 0
request = function()
  counter = counter % #requests + 1
  return requests[counter]
end
"""


def main() -> None:
    """Profile in process: the whole application on the mix, with a fake ``send``."""
    import asyncio
    import cProfile
    import pstats
    import sys
    import time
    from datetime import UTC, datetime

    from tests.bench.cold_render import asgi_scope
    from widget.app import create_app
    from widget.settings import Settings

    public_url = "https://widget.example.org"
    app = create_app(
        Settings(public_url=public_url, reload_seconds=0, now=datetime(2024, 5, 1, 12, tzinfo=UTC))
    )
    mix = requests(20_000, public_url)
    scopes = [
        asgi_scope(
            request.target,
            [
                (b"accept-language", request.accept_language.encode()),
                (b"accept-encoding", ACCEPT_ENCODING.encode()),
            ],
        )
        for request in mix
    ]

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        return None

    async def run(rounds: int) -> None:
        for _ in range(rounds):
            for scope in scopes:
                await app({**scope, "state": {}}, receive, send)  # type: ignore[arg-type]

    asyncio.run(run(1))  # warm: renders and memo fills
    started = time.perf_counter()
    asyncio.run(run(3))
    elapsed = time.perf_counter() - started
    print(f"{elapsed / (3 * len(scopes)) * 1e6:.2f} us per request in process, on the mix")
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.enable()
        asyncio.run(run(1))
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
