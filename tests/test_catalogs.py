"""The gettext catalogs: complete, well-formed, and in step with the templates and the .mo files.

English is the source language: the templates hold the English text, so the ``en``
catalog keeps every id with empty strings (gettext falls back to ``msgid`` and
``msgid_plural``) and is exempt from the completeness rule. Every other catalog
translates every message. ``make messages`` re-extracts, updates and compiles; these
tests fail when someone adds a UI string and forgets to, or leaves it untranslated.
"""

from __future__ import annotations

import gettext
import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from tests.plural_forms import SAMPLES, reshape
from widget.i18n import DOMAIN, LOCALES_DIR
from widget.languages import SUPPORTED_LANGUAGES, babel_locale_name

ROOT = Path(__file__).resolve().parent.parent
# What a failure says when the installed Babel (its CLDR) moved on from the catalogs.
FIX = "run `make messages` (it takes plural rules from the installed Babel), then translate"
TRANSLATED = tuple(language for language in SUPPORTED_LANGUAGES if language != "en")

# The same extraction as `make messages` (keep the two in step).
EXTRACT_ARGS = (
    "-F",
    str(ROOT / "babel.cfg"),
    "-k",
    "_",
    "-k",
    "gettext",
    "-k",
    "ngettext:1,2",
    "--sort-output",
    "--project",
    "pauseai-widget",
)

# %(name)s / %(num)d (Jinja's newstyle gettext and Python's %-formatting), {name} (str.format).
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"  # %(name)s, %(num)d
    r"|\{[A-Za-z_]\w*\}"  # {name}
)
# Brand and product names that every translation keeps as written.
BRANDS = (
    "PauseAI",
    "Facebook",
    "Eventbrite",
    "Partiful",
    "WhatsApp",
    "Meetup",
    "Luma",
    "Mobilize",
    "Action Network",
    "Discord",
    "WordPress",
    "Ghost",
    "Discourse",
    "oEmbed",
)


def po_path(language: str) -> Path:
    """The .po file of a language."""
    return LOCALES_DIR / babel_locale_name(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(language: str) -> Catalog:
    """The parsed .po catalog of a language."""
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=babel_locale_name(language))


@cache
def template() -> Catalog:
    """The committed messages.pot."""
    with (LOCALES_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def messages(language: str) -> list[Message]:
    """The catalog's messages without the header entry."""
    return [message for message in catalog(language) if message.id]


def sources(message: Message) -> tuple[str, ...]:
    """The message's source strings (singular, and plural if any)."""
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    return tuple(str(source) for source in ids)


def forms(message: Message) -> tuple[str, ...]:
    """The message's translations (one per plural form for plural messages)."""
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return tuple(string or "" for string in strings)


def placeholders(text: str) -> set[str]:
    """The formatting placeholders in ``text``, as written ('%(count)s', '{name}')."""
    return set(PLACEHOLDER.findall(text))


def test_locales_hold_exactly_the_supported_languages() -> None:
    """There is one catalog (.po and compiled .mo) per supported language and no other."""
    present = {path.parent.parent.name for path in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    assert present == {babel_locale_name(language) for language in SUPPORTED_LANGUAGES}
    for language in SUPPORTED_LANGUAGES:
        assert po_path(language).with_suffix(".mo").is_file(), language
        assert str(catalog(language).locale) == babel_locale_name(language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    """Every message of a non-English catalog has a non-empty translation in every form."""
    untranslated = [m.id for m in messages(language) if not all(s.strip() for s in forms(m))]
    assert untranslated == [], f"translate every form of these in {po_path(language)}"


def test_english_catalog_defers_to_the_source() -> None:
    """The English catalog leaves every string empty: the templates' English is the text."""
    overridden = [m.id for m in messages("en") if any(forms(m))]
    assert overridden == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_fuzzy_or_obsolete_entries(language: str) -> None:
    """No catalog (nor its header) is fuzzy, and none keeps obsolete entries."""
    parsed = catalog(language)
    assert not parsed.fuzzy, "a fuzzy header makes pybabel compile skip the whole catalog"
    fuzzy = [m.id for m in messages(language) if m.fuzzy]
    assert fuzzy == [], (
        f"review these in {po_path(language)} and drop their fuzzy flag, then `make messages`"
    )
    assert list(parsed.obsolete) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_are_preserved(language: str) -> None:
    """Each translation (every plural form) has exactly the source's placeholders."""
    wrong = []
    for message in messages(language):
        expected = set().union(*(placeholders(source) for source in sources(message)))
        for index, form in enumerate(forms(message)):
            if placeholders(form) != expected:
                wrong.append((message.id, index, form))
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_stray_percent_signs(language: str) -> None:
    """Outside placeholders a translation has no '%' (newstyle gettext %-formats every string)."""
    wrong = [
        form
        for message in messages(language)
        for form in forms(message)
        if "%" in PLACEHOLDER.sub("", form).replace("%%", "")
    ]
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_brand_names(language: str) -> None:
    """Brand and product names in a source string stay untranslated in every form."""
    wrong = [
        (brand, form)
        for message in messages(language)
        for brand in BRANDS
        if any(brand in source for source in sources(message))
        for form in forms(message)
        if brand not in form
    ]
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_have_no_stray_whitespace(language: str) -> None:
    """Translations neither start nor end with whitespace nor contain line breaks."""
    wrong = [
        form
        for message in messages(language)
        for form in forms(message)
        if form != form.strip() or "\n" in form
    ]
    assert wrong == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_plural_forms_match_the_language(language: str) -> None:
    """Plural-Forms is Babel's rule for the language, and plural messages have that many forms."""
    parsed = catalog(language)
    expected = get_plural(babel_locale_name(language))
    rule = (parsed.num_plurals, parsed.plural_expr)
    assert rule == (expected.num_plurals, expected.plural_expr), f"{language}: {FIX}"
    plural_messages = [m for m in messages(language) if m.pluralizable]
    assert plural_messages, "the catalogs have plural messages (city and country counts)"
    assert {len(forms(m)) for m in plural_messages} == {parsed.num_plurals}, f"{language}: {FIX}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_plural_rule_agrees_with_cldr(language: str) -> None:
    """For 0 to 999 and millions the gettext plural index and CLDR's category match one to one."""
    parsed = catalog(language)
    index_of = gettext.c2py(parsed.plural_expr)
    category_of = Locale.parse(babel_locale_name(language)).plural_form
    pairs = {(index_of(n), category_of(n)) for n in SAMPLES}
    indices = {index for index, _ in pairs}
    categories = {category for _, category in pairs}
    assert len(pairs) == len(indices) == len(categories) == parsed.num_plurals, f"{language}: {FIX}"


def extract(tmp_path: Path) -> Catalog:
    """Extract the UI strings from the checkout as `make messages` does (with locations)."""
    output = tmp_path / "messages.pot"
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        ["pybabel", "--quiet", "extract", *EXTRACT_ARGS, "-o", str(output), str(ROOT)]
    )
    with output.open("rb") as handle:
        return read_po(handle)


def test_template_is_up_to_date(tmp_path: Path) -> None:
    """messages.pot holds exactly the strings the templates and widget/*.py use today."""
    fresh = extract(tmp_path)
    assert {m.id for m in fresh if m.id} == {m.id for m in template() if m.id}
    flags = {m.id: m.python_format for m in fresh if m.id}
    assert flags == {m.id: m.python_format for m in template() if m.id}


def test_extraction_reads_only_the_package_and_templates(tmp_path: Path) -> None:
    """Strings come only from widget/ and templates/ (never .venv/, node_modules/ or tests/)."""
    files = {
        Path(filename).relative_to(ROOT).as_posix()
        for message in extract(tmp_path)
        if message.id
        for filename, _ in message.locations
    }
    assert {name.split("/")[0] for name in files} == {"widget", "templates"}, "both count"


def test_source_strings_are_trimmed() -> None:
    """No msgid has surrounding whitespace or a line break (multi-line blocks use `trimmed`)."""
    wrong = [
        source
        for message in template()
        if message.id
        for source in sources(message)
        if source != source.strip() or "\n" in source
    ]
    assert wrong == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_ids_match_the_template(language: str) -> None:
    """Each catalog holds exactly the template's ids (`pybabel update` has run)."""
    assert {m.id for m in messages(language)} == {m.id for m in template() if m.id}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_compiled_catalog_is_up_to_date(language: str) -> None:
    """The committed .mo says what compiling the .po says now (compared as catalogs)."""
    fresh = io.BytesIO()
    write_mo(fresh, catalog(language))
    fresh.seek(0)
    with po_path(language).with_suffix(".mo").open("rb") as handle:
        committed = gettext.GNUTranslations(handle)
    fresh_catalog = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
    assert committed._catalog == fresh_catalog, f"{language}: run `make messages`"  # type: ignore[attr-defined]


def test_make_messages_reshapes_a_catalog_left_behind_by_cldr() -> None:
    """A catalog with an older plural rule gets Babel's rule, each new form from the old form
    its numbers used, and is marked fuzzy so the tests above name it until reviewed."""
    old = Catalog(locale="fr")
    old._num_plurals, old._plural_expr = 2, "(n > 1)"  # Babel 2.18's French
    old.add(("%(num)d city", "%(num)d cities"), ("%(num)d ville", "%(num)d villes"))
    old.add("Close", "Fermer")
    assert reshape(old, "fr") == ["%(num)d city"]
    expected = get_plural("fr")
    assert (old.num_plurals, old.plural_expr) == (expected.num_plurals, expected.plural_expr)
    plural = old.get(("%(num)d city", "%(num)d cities"))
    assert plural is not None and plural.fuzzy
    index_of = gettext.c2py(old.plural_expr)
    by_number = {n: plural.string[index_of(n)] for n in (0, 1, 2, 5, 10**6)}
    assert by_number == {
        0: "%(num)d ville",
        1: "%(num)d ville",
        2: "%(num)d villes",
        5: "%(num)d villes",
        10**6: "%(num)d villes",
    }
    assert reshape(old, "fr") == [], "a catalog already on Babel's rule is left alone"
