"""The languages the interface speaks, and how their codes map onto Babel locales."""

from __future__ import annotations

from functools import cache

from babel import Locale

# Order is the order of the language menus.
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en",
    "nl",
    "de",
    "fr",
    "it",
    "es",
    "sv",
    "nb",
    "is",
    "pt-BR",
)
DEFAULT_LANGUAGE = "en"
_BY_TAG = {language.lower(): language for language in SUPPORTED_LANGUAGES}


def language_for_tag(tag: str) -> str | None:
    """The supported language a tag names, ignoring case ('PT-br' → 'pt-BR'), or None.

    Tags are ASCII: a look-alike that only casefolds to one (long s, U+017F, + 'v') names
    no language.
    """
    return _BY_TAG.get(tag.lower()) if tag.isascii() else None


def babel_locale_name(language: str) -> str:
    """'pt-BR' → 'pt_BR': Babel and gettext spell regions with an underscore."""
    return language.replace("-", "_")


@cache
def locale(language: str) -> Locale:
    """The Babel locale of a supported language."""
    return Locale.parse(babel_locale_name(language))


@cache
def autonym(language: str) -> str:
    """The language's name in itself, capitalized ('Nederlands', 'Íslenska')."""
    name = locale(language).get_display_name(locale(language)) or language
    return name[:1].upper() + name[1:]
