"""Templates: one Jinja environment per language, rendering bodies with their CSP.

Templates call ``inline_style('widget.css')`` / ``inline_script('x.js')`` to inline a
static file; each call records the file's sha256 so the rendered page's CSP allows exactly
those blocks. ``static_url('x.js')`` gives an asset's content-hashed URL, and ``urls`` (a
``widget.urls.Urls``) every other public URL. Autoescape is on; the only filter that
returns markup from data is ``markdown`` (the sanitizer).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, Literal

import jinja2
from babel import dates as babel_dates
from markupsafe import Markup

from widget import sanitizer
from widget.assets import Assets
from widget.csp import ContentPolicy, policy
from widget.date_ranges import Kind, format_days
from widget.i18n import translations
from widget.languages import SUPPORTED_LANGUAGES, autonym, locale
from widget.media_providers import MediaProvider
from widget.memo import Memo
from widget.resources import TEMPLATES_DIR
from widget.urls import Urls

# Rendered fragments kept (``Renderer.fragment``): an upcoming item is ~3 kB, an index line
# or a city's row ~0.4 kB, so at most ~12 MB.
FRAGMENTS = 4096


@dataclass
class _Inlined:
    scripts: set[str] = field(default_factory=set)
    styles: set[str] = field(default_factory=set)


_inlined: ContextVar[_Inlined | None] = ContextVar("inlined", default=None)


@dataclass(frozen=True)
class RenderedPage:
    """A rendered template and the policy that lets exactly its inline blocks run."""

    html: str
    csp: ContentPolicy


class Renderer:
    """Renders templates in a language; the one place Jinja is configured."""

    def __init__(self, assets: Assets, public_url: str, templates_dir: Any = TEMPLATES_DIR) -> None:
        self.assets = assets
        self.urls = Urls(public_url)
        loader = jinja2.FileSystemLoader(str(templates_dir))
        self._environments: dict[str, jinja2.Environment] = {}
        self.fragments: Memo[Markup] = Memo(FRAGMENTS)
        for language in SUPPORTED_LANGUAGES:
            env = jinja2.Environment(
                loader=loader,
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
                undefined=jinja2.StrictUndefined,
                auto_reload=False,
            )
            env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
            env.globals.update(
                static_url=self.static_url,
                inline_style=self.inline_style,
                inline_script=self.inline_script,
                urls=self.urls,
                language=language,
                languages=SUPPORTED_LANGUAGES,
                autonym=autonym,
                fragment=partial(self.fragment, language),
                fragments=partial(self.fragment_list, language),
            )
            env.filters.update(sanitizer.jinja_filters())
            env.filters["date"] = _date_filter(language)
            env.filters["datetime"] = _datetime_filter(language)
            env.filters["days"] = _days_filter(language)
            self._environments[language] = env

    def fragment(
        self, language: str, key: Hashable, macro: Callable[..., Any], *args: Any
    ) -> Markup:
        """``macro(*args)`` rendered once per (``language``, ``key``) and then reused (a
        template calls ``fragment(key, macro, ...)``): for the parts a page repeats, such
        as an index line or a city's row. ``key`` must name everything the output depends
        on besides the language (the catalog's version, or the frozen view the macro
        shows), and the macro must not inline assets (their hashes would be missing from
        later pages' CSP). A None key renders afresh."""

        def render() -> Markup:
            made = macro(*args)
            assert isinstance(made, Markup)  # autoescape on: a macro's output is escaped
            return made

        return render() if key is None else self.fragments.get((language, key), render)

    def fragment_list(
        self, language: str, macro: Callable[..., Any], items: Iterable[Any]
    ) -> Markup:
        """``fragment(item.key, macro, item)`` of each of ``items``, joined: a list of a
        page's repeated parts in one call from the template (a call per item costs as
        much as the lookup)."""
        made = [self.fragment(language, item.key, macro, item) for item in items]
        return Markup("".join(made))  # noqa: S704 - each part is Markup (see ``fragment``)

    def static_url(self, name: str) -> str:
        """Absolute URL of an asset under its content-hashed name."""
        return self.urls.static(self.assets[name].hashed_name)

    def inline_style(self, name: str) -> Markup:
        """A static stylesheet as an inline <style> block, allowed by its hash."""
        return self._inline(name, "style")

    def inline_script(self, name: str) -> Markup:
        """A static script as an inline <script> block, allowed by its hash."""
        return self._inline(name, "script")

    def _inline(self, name: str, tag: Literal["style", "script"]) -> Markup:
        """Our static file ``name`` inside ``<tag>``, its hash recorded for the page's CSP."""
        asset = self.assets[name]
        recorder = _inlined.get()
        if recorder is not None:
            (recorder.styles if tag == "style" else recorder.scripts).add(asset.csp_hash)
        return Markup(f"<{tag}>{{}}</{tag}>").format(Markup(asset.text))  # noqa: S704 - our file

    def environment(self, language: str) -> jinja2.Environment:
        """The environment whose gettext speaks ``language``."""
        return self._environments[language]

    def render(
        self,
        template: str,
        language: str,
        context: Mapping[str, Any],
        providers: Iterable[MediaProvider] = (),
        *,
        frames_self: bool = False,
    ) -> RenderedPage:
        """Render ``template`` in ``language``; the policy allows what it inlined.

        ``providers`` adds the hosts of the media on the page; ``frames_self`` lets the page
        frame our own documents.
        """
        recorder = _Inlined()
        token = _inlined.set(recorder)
        try:
            html = self._environments[language].get_template(template).render(context)
        finally:
            _inlined.reset(token)
        return RenderedPage(
            html, policy(recorder.scripts, recorder.styles, providers, frames_self=frames_self)
        )


def _date_filter(language: str) -> Any:
    def format_date(value: date, format: str = "long") -> str:
        return babel_dates.format_date(value, format=format, locale=locale(language))

    return format_date


def _days_filter(language: str) -> Any:
    def days(first: date, last: date | None = None, kind: Kind = "full") -> str:
        return format_days(first, last, kind, language)

    return days


def _datetime_filter(language: str) -> Any:
    def format_datetime(value: datetime, format: str = "short") -> str:
        return babel_dates.format_time(
            value, format=format, tzinfo=value.tzinfo, locale=locale(language)
        )

    return format_datetime
