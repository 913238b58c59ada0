"""widget.text: folding, slugs and the character classes, and languages.language_for_tag."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widget.languages import SUPPORTED_LANGUAGES, language_for_tag
from widget.text import (
    MAX_SLUG_LENGTH,
    SLUG_PATTERN,
    fold,
    has_url_forbidden,
    is_slug,
    slugify,
    without_controls,
    xml_text,
)

# Latin letters with and without precomposed accents, and the combining marks themselves.
LATIN = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x24F)
    | st.sampled_from("\u0300\u0301\u0308\u030a\u0327\u00ad")
)


@pytest.mark.parametrize(
    ("text", "folded", "transliterated"),
    [
        ("Zürich", "zurich", "zurich"),
        ("São Paulo", "sao paulo", "sao paulo"),
        ("Kraków", "krakow", "krakow"),
        ("Ærøskøbing", "ærøskøbing", "aeroskobing"),  # æ and ø have no decomposition
        ("İstanbul", "istanbul", "istanbul"),  # the dot above is a combining mark
        ("Straße", "strasse", "strasse"),  # casefolding spells ß out
        ("Zü\u00adrich", "zurich", "zurich"),  # a soft hyphen is invisible
        ("Łódź", "łodz", "lodz"),
        ("þriðjudagur", "þriðjudagur", "thridjudagur"),  # CLDR weekdays keep their letters
        ("ﬁnal", "final", "final"),  # compatibility ligature
        ("Île-de-France", "ile-de-france", "ile-de-france"),  # punctuation is the caller's
    ],
)
def test_fold(text: str, folded: str, transliterated: str) -> None:
    """Folding drops case, accents and soft hyphens; transliteration spells the rest."""
    assert fold(text) == folded
    assert fold(text, transliterate=True) == transliterated


@given(LATIN)
def test_fold_ignores_composition_and_soft_hyphens(text: str) -> None:
    """Precomposed and decomposed spellings, with or without soft hyphens, fold alike."""
    plain = fold(unicodedata.normalize("NFC", text))
    assert fold(unicodedata.normalize("NFD", text)) == plain
    assert fold("\u00ad".join(text)) == plain.replace("\u00ad", "")
    assert not any(unicodedata.combining(c) for c in plain)


@given(st.text(alphabet=st.characters(min_codepoint=0x41, max_codepoint=0x7A)))
def test_fold_ignores_ascii_case(text: str) -> None:
    """ASCII text folds the same in upper and lower case."""
    assert fold(text.upper()) == fold(text.lower()) == text.lower()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Zürich", "zurich"),
        ("São Paulo", "sao-paulo"),
        ("Kraków", "krakow"),
        ("Ærøskøbing", "aeroskobing"),
        ("İstanbul", "istanbul"),
        ("Stra\u00adße", "strasse"),
        ("Reykjavík", "reykjavik"),
        ("Þórshöfn", "thorshofn"),
        ("Diyarbak\u0131r", "diyarbakir"),  # dotless i
        ("Đà Nẵng", "da-nang"),
        ("Zürich\u202e", "zurich"),  # a bidi override is not a letter
        ("   ", ""),
        ("東京", "city-130016b2"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    """Names become ASCII slugs; names without Latin letters get a digest."""
    assert slugify(text) == slug


@given(st.text())
def test_slugify_gives_a_slug_or_nothing(text: str) -> None:
    """Whatever the name, its slug passes the slug pattern (or is empty for a blank name)."""
    slug = slugify(text)
    assert is_slug(slug) if text.strip() else slug == ""


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("den-haag", True),
        ("a", True),
        ("0", True),
        ("a" * MAX_SLUG_LENGTH, True),
        ("a" * (MAX_SLUG_LENGTH + 1), False),
        ("-den", False),
        ("den-", False),
        ("Den", False),
        ("den haag", False),
        ("den_haag", False),
        ("den\n", False),  # '$' would let a trailing newline through; a slug is the whole text
        ("\uff44\uff45\uff4e", False),  # full-width letters are not ASCII
        ("", False),
    ],
)
def test_is_slug(text: str, valid: bool) -> None:
    """A slug is lower-case ASCII letters and digits, inner hyphens, at most 80 long."""
    assert is_slug(text) is valid
    if "\n" not in text:  # pydantic's pattern (Rust regex) agrees with the compiled form
        assert (re.search(SLUG_PATTERN, text) is not None) is valid


@pytest.mark.parametrize(
    "character",
    [
        " ",
        "\x00",
        "\t",
        "\x7f",
        "\x85",  # next line (C1)
        "\xa0",  # no-break space
        "\u1680",
        "\u2003",  # em space
        "\u200b",  # zero-width space
        "\u200f",  # right-to-left mark
        "\u2028",
        "\u202e",  # right-to-left override
        "\u202f",
        "\u2067",  # right-to-left isolate
        "\u3000",
        "\ufeff",
    ],
)
def test_url_forbidden(character: str) -> None:
    """Blanks, controls, separators, invisible and bidi characters never belong in a URL."""
    assert has_url_forbidden(f"https://example.org/a{character}b")


@pytest.mark.parametrize(
    "url", ["https://example.org/a%20b?q=1#x", "https://example.org/zürich", "mailto:a@b.org"]
)
def test_url_forbidden_allows_real_urls(url: str) -> None:
    """Percent-escapes and letters are fine in a URL."""
    assert not has_url_forbidden(url)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\tb\nc", "a\tb\nc"),  # tab and newline stay
        ("a\rb", "a b"),
        ("a\x00b\x1bc", "a b c"),
        ("a\x85b", "a b"),
        ("a\u2028b\u2029c", "a b c"),
        ("evil\u202egnp.exe", "evil gnp.exe"),  # an override could reorder what follows
        ("a\u2066b\u2069c", "a b c"),
        ("Zürich \u200e", "Zürich \u200e"),  # a direction mark reorders nothing
    ],
)
def test_without_controls(text: str, shown: str) -> None:
    """Controls and bidi controls become spaces; tabs, newlines and letters stay."""
    assert without_controls(text) == shown


@given(st.text())
def test_xml_text_always_parses(text: str) -> None:
    """What xml_text leaves is a text an XML parser reads back unchanged."""
    kept = xml_text(text)
    parsed = ET.fromstring(f"<a>{escape(kept)}</a>").text or ""
    assert parsed == kept.replace("\r\n", "\n").replace("\r", "\n")
    assert xml_text(text, "\ufffd").count("\ufffd") - text.count("\ufffd") == len(text) - len(kept)


def test_xml_text_keeps_what_xml_holds() -> None:
    """Tab, newline, astral characters stay; NUL, a lone surrogate and U+FFFE go."""
    assert xml_text("a\tb\n😀\x00\ud800\ufffe\x0bc") == "a\tb\n😀c"
    assert xml_text("a\x00b", "\ufffd") == "a\ufffdb"


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("nl", "nl"),
        ("NL", "nl"),
        ("pt-br", "pt-BR"),
        ("PT-BR", "pt-BR"),
        ("pt-BR", "pt-BR"),
        ("pt_BR", None),  # callers that accept '_' say so themselves
        ("pt", None),
        ("xx", None),
        ("", None),
        ("\u017fv", None),  # long s casefolds to 's', but long-s-v is no tag
        ("İs", None),
    ],
)
def test_language_for_tag(tag: str, language: str | None) -> None:
    """A supported language by its tag in any letter case; anything else is None."""
    assert language_for_tag(tag) == language


def test_every_language_is_found_by_its_own_tag() -> None:
    """Each supported language is found by its tag, upper-cased too."""
    assert [language_for_tag(code.upper()) for code in SUPPORTED_LANGUAGES] == list(
        SUPPORTED_LANGUAGES
    )
