"""The page importer: a PauseAI website page becomes event files that widget.store accepts."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from babel import Locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from widget.importing import import_command, importer
from widget.importing.importer import PageError
from widget.localized_names import english_city, find_day_month, language_from_filename
from widget.model import Event, Location
from widget.settings import SAMPLE_DATA_DIR
from widget.store import load

PAGES = Path(__file__).parent / "data" / "pages"
SEED_NAME = "pauseai-2024-05-13-protest.nl.md"
SEED = PAGES / SEED_NAME  # a copy, so the tests also run from an unpacked sdist or wheel
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / SEED_NAME
ENGLISH = PAGES / "pauseai-2025-02-10-protest.en.md"
SAMPLE = SAMPLE_DATA_DIR
SAMPLE_SLUG = "2024-05-13-international-protest"

SEED_LOCATIONS = [
    ("San Francisco", "US", "facebook", "https://www.facebook.com/events/456991866681797"),
    (
        "New York City",
        "US",
        "eventbrite",
        "https://www.eventbrite.com/e/pause-ai-global-protest-nyc-tickets-886528309037",
    ),
    ("Berlin", "DE", "facebook", "https://www.facebook.com/events/1534322907129050"),
    ("London", "GB", "partiful", "https://partiful.com/e/JWPe9q6IJ9peRKvwhYEl"),
    ("Rome", "IT", "facebook", "https://www.facebook.com/events/417734010986567"),
    ("Stockholm", "SE", "facebook", "https://www.facebook.com/events/1162646671535524"),
    ("Den Haag", "NL", "whatsapp", "https://chat.whatsapp.com/EOGvhoPCiCqDqwuf9JUxtB"),
    ("Paris", "FR", "partiful", "https://partiful.com/e/3Tl1xrS6i9NUZxyJGf5G"),
    ("Oslo", "NO", "facebook", "https://www.facebook.com/events/387681614269297"),
    ("Sydney", "AU", "facebook", "https://www.facebook.com/events/7938915256120263/"),
    ("Ottawa", "CA", "partiful", "https://partiful.com/e/kDiSnc8mEVfOXLiLrPA9"),
    (
        "Reykjavík",
        "IS",
        "facebook",
        "https://www.facebook.com/share/hyEJ9yxVUQjNAiHT/?mibextid=9l3rBW",
    ),
    (
        "Portland",
        "US",
        "meetup",
        "https://www.meetup.com/portland-effective-altruism-and-rationality/events/300959579/",
    ),
    (
        "São Paulo",
        "BR",
        "meetup",
        "https://www.meetup.com/hack-life-culture-ai-era/events/300498572/",
    ),
]

SEED_PRESS = [
    ("Wired", "https://www.wired.com/story/protesters-pause-ai-split-stop/"),
    ("Time", "https://time.com/6977680/ai-protests-international/"),
    # The first title wins: "NBC Bay" here, "NBC Bay Area" under "Coverage" is the same URL.
    ("NBC Bay", "https://www.nbcbayarea.com/news/tech/ai-protests-worldwide/3536439/"),
    (
        "KQED",
        "https://www.kqed.org/news/11985949/"
        "as-openai-unveils-big-update-protesters-call-for-pause-in-risky-frontier-tech",
    ),
    (
        "Hoodline",
        "https://hoodline.com/2024/05/"
        "ai-advancement-from-openai-unleashes-gpt-4o-amid-global-protests-and-market-frenzy/",
    ),
    (
        "BusinessInsider",
        "https://www.businessinsider.com/"
        "openai-cofounder-agi-coming-fast-needs-limits-john-schulman-2024-5",
    ),
    # "[NBC Bay Area](…), [youtube](…)": the lower-case second link qualifies the first.
    ("NBC Bay Area (youtube)", "https://www.youtube.com/watch?v=PWyQRFlZa9c"),
    ("ABC7", "https://abc7news.com/14810171/"),
    (
        "DailyAI",
        "https://dailyai.com/2024/05/pauseai-protestors-demand-a-halt-to-training-of-ai-models/",
    ),
    (
        "Digi.no",
        "https://www.digi.no/artikler/"
        "bare-jan-erik-motte-pa-ki-protest-vi-spiller-russisk-rullet-med-menneskeheten/546888",
    ),
    (
        "Karmactive",
        "https://www.karmactive.com/"
        "pauseai-protests-erupt-globally-calling-for-halt-on-advanced-ai-development/",
    ),
]

SEED_TWEET = (
    "14 steden. 12 landen. 1 boodschap aan wereldleiders die volgende week de Seoul AI-top "
    "bijwonen: Word wakker en confronteer de risico's. ⬇️PauseAI's internationale protest, "
    "een draad⬇️ — PauseAI ⏸ (@PauseAI) 14 mei 2024"
)

PAGE_HEAD = "---\ntitle: PauseAI protest 13 May 2024\n---\n\n## 13 May (Monday)\n\n"


def _import(page: Path, out: Path, *extra: str) -> Event:
    """Run the command-line entry on ``page`` and load the one event it wrote."""
    assert import_command.main([str(page), "--out", str(out), *extra]) == 0
    catalog, problems = load(out)
    assert problems == []
    assert catalog is not None and len(catalog.events) == 1
    return catalog.events[0]


def _rows(event: Event) -> list[tuple[str, str, str, str]]:
    return [(loc.city, loc.country, str(loc.platform), loc.signup_url) for loc in event.locations]


def _facts(location: Location) -> tuple[object, ...]:
    return (location.id, location.city, location.country, location.signup_url, location.platform)


def _body_links(markdown: str) -> list[str]:
    """Every link target in rendered Markdown, in order."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        str(child.attrs["href"])
        for token in tokens
        for child in token.children or []
        if child.type == "link_open"
    ]


@pytest.fixture(scope="module")
def seed_event(tmp_path_factory: pytest.TempPathFactory) -> Event:
    """The seed page imported into a fresh data directory."""
    return _import(SEED, tmp_path_factory.mktemp("data"))


def test_seed_copy_is_the_shared_seed() -> None:
    """The test copy of the seed page is byte for byte the one in shared/seeds."""
    if not SHARED_SEED.exists():
        pytest.skip("shared/ is not beside this checkout (running from a wheel or sdist)")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_locations(seed_event: Event) -> None:
    """The seed's 14 cities come out in page order with country, platform and signup URL."""
    assert _rows(seed_event) == SEED_LOCATIONS


def test_seed_press_is_deduplicated(seed_event: Event) -> None:
    """Press links from both lists are merged, duplicates dropped, first titles kept."""
    assert [(link.title, link.url) for link in seed_event.press] == SEED_PRESS


def test_seed_x_post(seed_event: Event) -> None:
    """The X post in <WidgetConsent> is one media item: clean status URL, plain-text fallback."""
    assert [(item.url, str(item.provider), item.fallback) for item in seed_event.media] == [
        ("https://twitter.com/PauseAI/status/1790248685659447496", "x", SEED_TWEET)
    ]


def test_seed_date_language_and_slug(seed_event: Event) -> None:
    """The date comes from the Dutch title and heading; the slug from date and title words."""
    assert seed_event.date == date(2024, 5, 13)
    assert seed_event.default_language == "nl"
    assert set(seed_event.texts) == {"nl"}
    assert seed_event.slug == "2024-05-13-internationale-protest"


def test_seed_dutch_city_overrides(seed_event: Event) -> None:
    """Dutch city names become English cities plus overrides; accent-only differences don't."""
    text = seed_event.texts["nl"]
    assert text.cities == {"berlin": "Berlijn", "london": "Londen", "paris": "Parijs"}
    assert text.title == "Internationale PauseAI-protest 13 mei 2024"
    assert text.summary.startswith("We organiseren een internationale protest")


def test_seed_body_is_prose_with_resolved_links(tmp_path: Path) -> None:
    """The body keeps the prose only, with relative links resolved against --base-url."""
    event = _import(SEED, tmp_path, "--base-url", "https://example.org/nl/")
    body = event.texts["nl"].body
    assert _body_links(body) == [
        "https://example.org/summit",
        "https://example.org/risks",
        "https://discord.gg/2XXWXvErfA",
    ]
    blocks = [t.type for t in MarkdownIt("commonmark").parse(body) if t.level == 0]
    assert blocks == ["paragraph_open", "paragraph_close"] * 2  # no lists, headings or HTML
    assert event.organizer.url == "https://example.org"


def test_sample_data_carries_the_seed_facts(seed_event: Event) -> None:
    """The bundled sample holds exactly the locations, press and media imported from the seed."""
    catalog, problems = load(SAMPLE)
    assert problems == []
    assert catalog is not None
    sample = catalog.by_slug[SAMPLE_SLUG]
    assert sample.date == seed_event.date
    assert sample.default_language == seed_event.default_language
    # The import keeps each link's label ("meld je aan op Facebook"); the sample writes the
    # signup_url shorthand. Same places, same links.
    assert [_facts(loc) for loc in sample.locations] == [
        _facts(loc) for loc in seed_event.locations
    ]
    assert sample.press == seed_event.press
    assert sample.media == seed_event.media
    assert set(sample.texts["nl"].cities) >= set(seed_event.texts["nl"].cities)


def test_english_page(tmp_path: Path) -> None:
    """An English page with other platforms and countries imports with every fact exact."""
    event = _import(ENGLISH, tmp_path)
    assert _rows(event) == [
        ("Washington", "US", "mobilize", "https://www.mobilize.us/pauseai/event/700123/"),
        (
            "Manchester",
            "GB",
            "eventbrite",
            "https://www.eventbrite.co.uk/e/pauseai-manchester-tickets-1100200300",
        ),
        ("Munich", "DE", "luma", "https://lu.ma/pauseai-munich"),
        ("Brussels", "BE", "actionnetwork", "https://actionnetwork.org/events/pauseai-brussels"),
        ("Toronto", "CA", "discord", "https://discord.gg/pauseai-toronto"),
        ("Melbourne", "AU", "website", "https://pauseai-melbourne.org/protest"),
        # A relative signup link, resolved against the default base URL.
        ("Lisbon", "PT", "website", "https://pauseai.info/join/lisbon"),
    ]
    assert [(link.title, link.url) for link in event.press] == [
        ("The Guardian", "https://www.theguardian.com/technology/2025/feb/10/pauseai-protests"),
        ("Reuters", "https://www.reuters.com/technology/pauseai-2025-02-10/"),
        ("Reuters (video)", "https://youtu.be/dQw4w9WgXcQ"),
        # Written with an upper-case scheme; the lower-case repeat under it is merged.
        ("BBC Radio 4", "HTTPS://www.bbc.co.uk/sounds/play/m0027abc"),
    ]
    assert [(m.url, str(m.provider), m.fallback) for m in event.media] == [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "PauseAI in Toronto")
    ]
    assert (event.slug, event.date) == ("2025-02-10-protest", date(2025, 2, 10))
    text = event.texts["en"]
    assert text.cities == {}
    assert text.summary == "Protests in seven cities ahead of the AI Action Summit in Paris."
    assert _body_links(text.body) == ["https://pauseai.info/proposal", "https://pauseai.info/faq"]
    tokens = MarkdownIt("commonmark").parse(text.body)
    items = [t.content for t in tokens if t.type == "inline" and t.level == 3]
    assert items == ["water", "**a sign**: large letters read best"]  # not a city bullet
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Why now"]  # the date heading and the press headings are gone


@pytest.mark.parametrize(
    ("page", "line", "message"),
    [
        # No day and month anywhere: the importer asks for --date.
        (
            "---\ntitle: PauseAI protest\n---\n\n## Everywhere\n\n"
            "- **Berlin**, Germany ([x](https://example.org/a))\n",
            5,
            "pass --date",
        ),
        # A day and month but no year anywhere.
        (
            "---\ntitle: PauseAI protest\n---\n\n## 13 May\n\n"
            "- **Berlin**, Germany ([x](https://example.org/a))\n",
            5,
            "event's year",
        ),
        (
            "---\ntitle: Protest 14 May 2024\n---\n\n## 13 May\n\n"
            "- **Berlin**, Germany ([x](https://example.org/a))\n",
            5,
            "disagree on the date",
        ),
        (
            "---\ntitle: Protest 31 February 2024\n---\n\n"
            "- **Berlin**, Germany ([x](https://example.org/a))\n",
            1,
            "not a date",
        ),
        # A range that still ends before it starts is reported, not cut to one day.
        (
            "---\ntitle: Protest 22-20 November 2024\n---\n\n"
            "- **Berlin**, Germany ([x](https://example.org/a))\n",
            1,
            "not a date (the range ends on 2024-11-20, before it starts on 2024-11-22)",
        ),
        (
            "---\ntitle: Protest 2 January 2025 \u2013 30 December 2024\n---\n\n"
            "- **Berlin**, Germany ([x](https://example.org/a))\n",
            1,
            "not a date (the range ends on 2024-12-30, before it starts on 2025-01-02)",
        ),
        (
            "# PauseAI protest 13 May 2024\n\n- **Berlin**, Germany ([x](https://example.org/a))\n",
            1,
            "expected YAML front matter",
        ),
        (
            "---\ntitle: [unclosed\n---\n\n- **Berlin**, Germany ([x](https://example.org/a))\n",
            3,
            "invalid YAML in the front matter",
        ),
        (
            "---\ndescription: no title\n---\n\n- **Berlin**, Germany ([x](https://example.org/a))\n",
            1,
            "title is missing",
        ),
        # An X embed whose blockquote has no status link.
        (
            PAGE_HEAD + "- **Berlin**, Germany ([x](https://example.org/a))\n\n<WidgetConsent>\n"
            '<blockquote class="twitter-tweet"><p>hi</p></blockquote>\n</WidgetConsent>\n',
            10,
            "X post without a link",
        ),
        (PAGE_HEAD + "Just prose, no cities.\n", None, "no city list found"),
    ],
    ids=[
        "no-date",
        "no-year",
        "dates-disagree",
        "impossible-date",
        "range-ends-first",
        "range-years-reversed",
        "no-front-matter",
        "bad-front-matter",
        "no-title",
        "x-no-status",
        "no-cities",
    ],
)
def test_page_problems(page: str, line: int | None, message: str) -> None:
    """A page the importer cannot use raises PageError naming the line and the problem."""
    with pytest.raises(PageError) as raised:
        importer.parse_page(page, language="en")
    assert [(p.line, message in p.message) for p in raised.value.problems] == [(line, True)]


def test_every_skipped_bullet_in_one_pass() -> None:
    """Every bullet of a city list that is not imported is reported, in line order."""
    page = (
        PAGE_HEAD + "- **A**, Nowhere ([x](https://example.org/a))\n"
        "- **Berlin**, Germany ([x](https://example.org/b))\n"
        "- **Atlantis**, Atlantida ([x](https://example.org/c))\n"
        # Two bold places, one link after both: whose it is cannot be told.
        "- **Paris** and **Lyon**, France ([Sign up](https://lu.ma/pl))\n"
    )
    imported = importer.parse_page(page, language="en")
    assert [(loc["city"], loc["country"]) for loc in imported.event["locations"]] == [
        ("Berlin", "DE")
    ]
    assert [(p.line, p.level, p.message) for p in imported.reports] == [
        (7, "warning", "skipped: no country recognised in 'A, Nowhere (x)'"),
        (9, "warning", "skipped: no country recognised in 'Atlantis, Atlantida (x)'"),
        (10, "warning", "skipped: several cities in one bullet 'Paris and Lyon, France (Sign up)'"),
    ]
    assert imported.summary == "1 locations from 4 bullets; 3 skipped (listed above)"


def test_relative_signup_link_resolved() -> None:
    """A relative signup link is made absolute against the base URL, kept exact otherwise."""
    page = PAGE_HEAD + "- **Lisbon**, Portugal ([join](/join/lisbon?x=1))\n"
    imported = importer.parse_page(page, language="en", base_url="https://example.org/en/")
    assert imported.event["locations"] == [
        {
            "city": "Lisbon",
            "country": "PT",
            "links": [{"url": "https://example.org/join/lisbon?x=1", "label": "join"}],
        }
    ]


def test_date_option_wins_and_same_city_twice() -> None:
    """--date replaces the page's date; a second location in one city gets its own id."""
    page = (
        "---\ntitle: PauseAI\n---\n\n- **Londen**, VK ([a](https://example.org/a))\n"
        "- **Londen**, VK ([b](https://example.org/b))\n"
    )
    imported = importer.parse_page(page, language="nl", when=date(2025, 1, 2))
    assert imported.event["date"] == date(2025, 1, 2)
    assert [(loc.get("id"), loc["city"]) for loc in imported.event["locations"]] == [
        (None, "London"),
        ("london-2", "London"),
    ]
    assert imported.text["cities"] == {"london": "Londen", "london-2": "Londen"}
    assert imported.slug == "2025-01-02-protest"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("13 mei (maandag), in meerdere landen", "nl", (13, 5)),
        ("Monday, February 10th, in seven countries", "en", (10, 2)),
        ("May the 4th", "en", (4, 5)),  # filler words between month and day
        ("Demo am 10. Februar 2025", "de", (10, 2)),
        ("13 de mayo de 2024", "es", (13, 5)),
        ("le 3 mars", "fr", (3, 3)),
        ("13 mrt", "nl", (13, 3)),  # abbreviated month
        ("14 cities in 12 countries", "en", None),  # numbers without a month
        ("2024 mei", "nl", None),  # a year is not a day
    ],
)
def test_find_day_month(text: str, language: str, expected: tuple[int, int] | None) -> None:
    """Day and month are read with Babel's month names for the page's language."""
    assert find_day_month(text, language) == expected


@pytest.mark.parametrize(
    ("city", "language", "expected"),
    [
        ("Berlijn", "nl", "Berlin"),
        ("Londen", "nl", "London"),
        ("Parijs", "nl", "Paris"),
        ("Sao Paulo", "nl", "São Paulo"),  # accent-insensitive, CLDR's accented spelling
        ("Reykjavík", "nl", "Reykjavík"),
        ("Oslo", "nl", "Oslo"),  # not 'Osló', which only Icelandic writes
        ("Mexico-Stad", "nl", "Mexico City"),
        ("Wien", "de", "Vienna"),
        ("Den Haag", "nl", "Den Haag"),  # no time zone: stays as written
        ("Portland", "en", "Portland"),
    ],
)
def test_english_city(city: str, language: str, expected: str) -> None:
    """A city written in the page's language gets CLDR's English name when CLDR has one."""
    assert english_city(city, language) == expected


@pytest.mark.parametrize(
    ("city", "language", "zone"),
    [
        ("Kiev", "en", "Europe/Kyiv"),  # the tz database's old id, Europe/Kiev
        ("Kyiv", "en", "Europe/Kyiv"),
        ("Kiew", "de", "Europe/Kyiv"),
        ("Kiev", "nl", "Europe/Kyiv"),
        ("Calcutta", "en", "Asia/Kolkata"),
        ("Kolkata", "en", "Asia/Kolkata"),
    ],
)
def test_historic_and_current_spellings_get_one_name(city: str, language: str, zone: str) -> None:
    """Old and new spellings of a renamed city both map to the English name that the
    installed Babel's CLDR gives its zone (whichever spelling that CLDR release prefers)."""
    expected = Locale.parse("en").time_zones.get(zone, {}).get("city") or zone.split("/")[-1]
    assert english_city(city, language) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pauseai-2024-05-13-protest.nl.md", "nl"),
        ("protest.pt-br.md", "pt-BR"),  # case-insensitive region
        ("protest.EN.md", "en"),
        ("protest.md", None),
        ("protest.xx.md", None),  # not a supported language
    ],
)
def test_language_from_filename(name: str, expected: str | None) -> None:
    """The page's language is guessed from a NAME.LANG.md suffix of a supported language."""
    assert language_from_filename(name) == expected


def _errors(stderr: str) -> list[tuple[str, int | None, str]]:
    """``FILE[:LINE]: problem`` lines as (file, line, problem)."""
    rows = []
    for line in stderr.splitlines():
        match = re.fullmatch(r"(.+?\.md)(?::(\d+))?: (.+)", line)
        assert match, line
        rows.append(
            (match.group(1), int(match.group(2)) if match.group(2) else None, match.group(3))
        )
    return rows


def test_cli_reports_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A page whose only bullet names no known place exits 1 with 'PAGE.md:LINE: problem'
    for that bullet, says what it looked for, prints a starter event.yaml, writes nothing."""
    page = tmp_path / "bad.en.md"
    page.write_text(PAGE_HEAD + "- **Atlantis**, Atlantida ([x](https://example.org/))\n")
    assert import_command.main([str(page), "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert [(f, n, m.split(":")[0]) for f, n, m in _errors(captured.err)] == [
        (str(page), 7, "skipped"),
        (str(page), None, "no city list found"),
        (str(page), None, "a starter event.yaml is on stdout"),
    ]
    assert "Atlantida" in captured.err
    starter = yaml.safe_load(captured.out)
    assert starter["date"] == date(2024, 5, 13)
    assert starter["locations"][0]["links"] == [{"url": "https://example.org/", "label": "x"}]
    assert not (tmp_path / "out").exists()


def test_cli_maps_invalid_data_to_page_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data widget.store rejects (a javascript: link) is reported at its page line; no files."""
    page = tmp_path / "bad.en.md"
    page.write_text(
        PAGE_HEAD + "- **Paris**, France ([x](https://example.org/))\n"
        "- **Rome**, Italy ([x](javascript:alert(1)))\n"
    )
    assert import_command.main([str(page), "--out", str(tmp_path)]) == 1
    errors = _errors(capsys.readouterr().err)
    [(name, line, problem)] = [error for error in errors if error[1] is not None]
    assert (name, line) == (str(page), 8)
    assert problem.startswith("locations.1.links.0.url: URL must be absolute")
    assert errors[-1] == (str(page), None, "2 locations from 2 bullets")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.en.md"]  # staging cleaned up


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--lang", "xx"], "--lang 'xx' is not supported"),
        (["--date", "13-05-2024"], "--date '13-05-2024': expected YYYY-MM-DD (or YYYY)"),
        (["--base-url", "javascript:alert(1)//x.org"], "--base-url: URL must be absolute"),
        (["--slug", "Not A Slug"], "--slug 'Not A Slug'"),
    ],
)
def test_cli_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    """A malformed option exits 1 with a message naming it, without a traceback."""
    assert import_command.main([str(SEED), "--out", str(tmp_path), *args]) == 1
    [message] = capsys.readouterr().err.splitlines()
    assert message.startswith(expected)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # A suffix that looks like a language but is none we support (NAME.md is English).
        ("page.xx.md", "---\ntitle: x\n---\n", "cannot tell the page's language"),
        ("page.nl.md", b"---\ntitle: caf\xe9\n---\n", "not valid UTF-8"),
        ("missing.nl.md", None, "cannot read"),
    ],
)
def test_cli_unreadable_pages(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes | None,
    expected: str,
) -> None:
    """A page with an unknown language suffix, with bad bytes or missing exits 1 with a
    message."""
    page = tmp_path / name
    if isinstance(content, str):
        page.write_text(content)
    elif content is not None:
        page.write_bytes(content)
    assert import_command.main([str(page), "--out", str(tmp_path / "out")]) == 1
    [message] = capsys.readouterr().err.splitlines()
    assert message.startswith(f"{page}: ") and expected in message


def test_cli_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing event is kept unless --force; --force rewrites it and keeps translations."""
    _import(SEED, tmp_path)
    event_dir = tmp_path / "2024-05-13-internationale-protest"
    (event_dir / "en.md").write_text("---\ntitle: In English\ncities:\n  berlin: Berlin\n---\n")
    (event_dir / "nl.md").write_text("---\ntitle: edited by hand\n---\n")
    assert import_command.main([str(SEED), "--out", str(tmp_path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert (event_dir / "nl.md").read_text() == "---\ntitle: edited by hand\n---\n"
    event = _import(SEED, tmp_path, "--force")
    assert event.texts["nl"].title == "Internationale PauseAI-protest 13 mei 2024"
    assert event.texts["en"].title == "In English"


def test_cli_slug_option(tmp_path: Path) -> None:
    """--slug names the event directory."""
    event = _import(SEED, tmp_path, "--slug", SAMPLE_SLUG)
    assert event.slug == SAMPLE_SLUG
    assert sorted(p.name for p in (tmp_path / SAMPLE_SLUG).iterdir()) == ["event.yaml", "nl.md"]


PAGE_PIECES = [
    "---\n",
    "title: Protest 13 mei 2024\n",
    "description: x\n",
    "## 13 mei\n",
    "## Press\n",
    "- **Berlijn**, Duitsland ([x](https://example.org/a))\n",
    "- **A**, ",
    "([x](/rel))\n",
    "- [T](https://t.example/x), [v](http://t.example/x/)\n",
    "<WidgetConsent>\n",
    "</WidgetConsent>\n",
    '<blockquote class="twitter-tweet"><p>a&amp;b<br>',
    '<a href="https://x.com/u/status/1?s=1">d</a></blockquote>\n',
    "<script>\n",
    "[r]: /x\n",
    "**",
    "](",
    "\n",
    "\t",
    "\x00",
    "ß",
    "\u202e",
    "[",
    ")",
    "`",
    "    code\n",
    "> q\n",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PAGE_PIECES) | st.text(max_size=8), max_size=12),
    st.lists(st.sampled_from(PAGE_PIECES) | st.text(max_size=8), max_size=12),
)
def test_import_never_crashes(head: list[str], tail: list[str]) -> None:
    """Any page imports into files widget.store accepts, or yields problems: never an exception."""
    page = (
        "---\ntitle: Protest 13 mei 2024\n---\n"
        + "".join(head)
        + "\n\n- **Berlijn**, Duitsland ([x](https://example.org/a))\n\n"
        + "".join(tail)
    )
    try:
        imported = importer.parse_page(page, language="nl")
    except PageError as error:
        assert error.problems
        return
    with tempfile.TemporaryDirectory() as out:
        problems = import_command.write_event(imported, "page.nl.md", Path(out), force=False)
        written = sorted(p.name for p in (Path(out) / imported.slug).glob("*"))
        assert written == ([] if problems else ["event.yaml", "nl.md"])
