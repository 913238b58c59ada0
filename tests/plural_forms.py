"""Bring every catalog's plural forms to the installed Babel's CLDR rules (``make messages``).

``pybabel update`` keeps a catalog's ``Plural-Forms`` header as it was written, so a Babel
release whose CLDR gives a language another plural rule (Babel 2.19: a third, "many" form
for French, Italian, Spanish and Brazilian Portuguese) leaves the catalogs behind. This
step rewrites the header from Babel and reshapes every plural message to the new number
of forms: each new form starts from the old form that the same numbers used, and the
message is marked fuzzy, so the catalog tests name it until a translator has reviewed it
(and ``pybabel compile`` leaves it out meanwhile: the English text shows, never a wrong
form).

    python -m tests.plural_forms          # what `make messages` runs before compiling
"""

from __future__ import annotations

import gettext
import sys
from collections.abc import Callable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from widget.i18n import DOMAIN, LOCALES_DIR
from widget.languages import SUPPORTED_LANGUAGES, babel_locale_name

# Numbers that reach every CLDR plural category of our languages (millions: "many").
SAMPLES = (*range(1000), *(k * 10**6 for k in range(1, 4)), 1_500_000, 10**9)


def sample_of(index_of: Callable[[int], int], index: int) -> int | None:
    """The first sample number a plural expression sends to ``index``."""
    return next((n for n in SAMPLES if index_of(n) == index), None)


def reshape(catalog: Catalog, language: str) -> list[str]:
    """Give ``catalog`` Babel's plural rule for ``language``; return the messages changed."""
    rule = get_plural(babel_locale_name(language))
    old_count, old_expr = catalog.num_plurals, catalog.plural_expr
    if (old_count, old_expr) == (rule.num_plurals, rule.plural_expr):
        return []
    old_index, new_index = gettext.c2py(old_expr), gettext.c2py(rule.plural_expr)
    catalog._num_plurals, catalog._plural_expr = rule.num_plurals, rule.plural_expr  # type: ignore[attr-defined]
    changed = []
    for message in catalog:
        if not (message.id and message.pluralizable):
            continue
        old = list(message.string) if isinstance(message.string, tuple | list) else []
        old += [""] * (old_count - len(old))
        new = []
        for index in range(rule.num_plurals):
            number = sample_of(new_index, index)
            new.append(old[old_index(number)] if number is not None else "")
        if tuple(new) != tuple(old) or len(new) != len(old):
            message.string = tuple(new)
            if any(new) and language != "en":
                message.flags.add("fuzzy")
            changed.append(str(message.id[0]))
    return changed


def main() -> int:
    """Reshape every catalog in place and say which messages need a translator's review."""
    for language in SUPPORTED_LANGUAGES:
        path: Path = LOCALES_DIR / babel_locale_name(language) / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=babel_locale_name(language))
        changed = reshape(catalog, language)
        if not changed:
            continue
        with path.open("wb") as handle:
            write_po(handle, catalog, ignore_obsolete=True, width=76)
        print(f"{path}: plural rule now {catalog.plural_forms}")
        for message in changed:
            print(f"  review the forms of {message!r} (marked fuzzy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
