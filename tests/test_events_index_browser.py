"""``/events`` in real Chromium: axe-core clean and Lighthouse 100.

A live service on a catalog of every state (``index_data``: upcoming, a cancelled event,
cancelled and to-be-announced locations, multi-day events, an archive of two years), in
light and dark, English, negotiated Dutch and German; nothing may be requested from any
host but ours.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from index_data import write_states
from test_accessibility import open_page, unreadable_undecided_text
from test_lighthouse import CATEGORIES, lighthouse, shortfalls

from browser_support import LiveServer, axe, describe, record_requests

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# The live service of this module reads the catalog of every state, written at import.
DATA_DIR = write_states(Path(tempfile.mkdtemp(prefix="index-states-")) / "data")
LIVE_SERVER_ENV = {"WIDGET_DATA_DIR": str(DATA_DIR)}
VARIANTS = [
    ("lang=en&theme=light", "light", "en"),
    ("lang=en&theme=dark", "light", "en"),
    ("theme=auto", "dark", "nl"),  # negotiated Dutch, dark preference
    ("lang=de&theme=light", "light", "de"),
]


@pytest.mark.parametrize(("query", "scheme", "language"), VARIANTS)
def test_index_has_no_axe_violations(
    browser: Any, live_server: LiveServer, query: str, scheme: str, language: str
) -> None:
    """axe-core: no WCAG 2.2 A/AA or best-practice violation; undecided text readable;
    nothing requested from any other host."""
    context, page = open_page(
        browser, live_server(f"/events?{query}"), scheme=scheme, language=language
    )
    requests = record_requests(page)
    page.reload()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("li.index-entry").count() == 6
    violations = axe(page)
    unreadable = unreadable_undecided_text(page)
    context.close()
    assert violations == [], describe(violations)
    assert unreadable == []
    assert requests and all(url.startswith(live_server.url) for url in requests), requests


def test_index_scores_100_in_lighthouse(live_server: LiveServer, tmp_path: Path) -> None:
    """Accessibility, best practices and SEO each score 100, with no audit errored (the
    SEO audits read our robots.txt, canonical and hreflang links)."""
    report = lighthouse(live_server("/events"), tmp_path / "report.json")
    assert report.get("runtimeError") is None, report.get("runtimeError")
    scores = {key: report["categories"][key]["score"] for key in CATEGORIES}
    print(
        f"Lighthouse {report['lighthouseVersion']} /events: "
        + ", ".join(f"{key} {round(score * 100)}" for key, score in scores.items())
    )
    problems = shortfalls(report)
    assert scores == dict.fromkeys(CATEGORIES, 1), "\n".join(problems)
    assert problems == []
