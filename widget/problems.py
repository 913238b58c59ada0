"""Problems with data, as data: one ``Problem`` type for the store, the feeds and the importer.

A validation error travels as pydantic's own structured error — its ``loc`` tuple is the
field path, its ``msg`` the problem — from the model to the report; nothing formats a
path into a message that something else parses back. Model validators that find a
problem in a field below them raise ``field_error(loc, message)``: a ``ValidationError``
whose ``loc`` pydantic prefixes with the path of the model being validated, so an error
in ``Event.locations[3]`` arrives as ``("locations", 3, "timezone")``.

``problems_of`` turns a ``ValidationError`` into ``Problem``s; ``Problem`` prints as
``PATH:LINE: field.path: message`` (the parts it has).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[int | str, ...]
Level = Literal["error", "warning", "note"]
FIELD_ERROR = "invalid_field"
# What pydantic puts before the text of a ValueError or an assert raised in a validator.
_PREFIXES = ("Value error, ", "Assertion failed, ")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, precise enough to fix without guessing.

    ``path`` is the file (or page) it is in, ``field`` the dotted field path (empty for
    the whole file), ``line`` where YAML or the page knows it. An importer's ``warning``
    (a bullet skipped) stops an import only with ``--strict``, a ``note`` never.
    """

    path: str = ""
    field: str = ""
    message: str = ""
    line: int | None = None
    level: Level = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}" if where else what

    def located(self, path: str, line: int | None = None) -> str:
        """The problem as found in ``path`` (at ``line`` when given): ``PAGE.md:LINE: problem``."""
        return str(replace(self, path=path, line=line or self.line))


def field_path(loc: Loc) -> str:
    """A ``loc`` as the dotted path the reports show (``locations.3.timezone``)."""
    return ".".join(map(str, loc))


def field_error(loc: Loc, message: str, value: object = None) -> ValidationError:
    """A validation error at ``loc`` (relative to the model raising it) saying ``message``."""
    detail = InitErrorDetails(
        # The message is a context value, so braces in it are never read as a template.
        type=PydanticCustomError(FIELD_ERROR, "{problem}", {"problem": message}),
        loc=loc,
        input=value,
    )
    return ValidationError.from_exception_data("data", [detail])


def errors_of(error: ValidationError) -> Iterator[tuple[Loc, str]]:
    """Each error's ``loc`` and message (without pydantic's ``Value error, ``)."""
    for item in error.errors():
        message = item["msg"]
        for prefix in _PREFIXES:
            message = message.removeprefix(prefix)
        yield tuple(item["loc"]), message


def problems_of(error: ValidationError, path: str = "") -> list[Problem]:
    """Every error of ``error`` as a ``Problem`` in ``path`` (no lines: the caller knows
    its files)."""
    return [Problem(path, field_path(loc), message) for loc, message in errors_of(error)]
