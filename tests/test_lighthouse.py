"""Lighthouse 12 (npm, Debian's Chromium) scores 100 for accessibility, best practices and SEO.

One Lighthouse run per page, all three categories at once, against the live service on
127.0.0.1 (which Lighthouse counts as a secure origin for ``is-on-https``; its
``robots-txt`` audit validates our ``/robots.txt``). ``/events`` has its own run in
``test_events_index_browser.py``, on a catalog of every state. The scores are
printed (``pytest -s`` or ``-rP`` shows them); a failure names every audit below full marks
with its details.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from browser_support import CHROMIUM, ROOT, LiveServer
from conftest import SAMPLE_SLUG

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("accessibility", "best-practices", "seo")
PAGES = {
    "event": f"/events/{SAMPLE_SLUG}",
    "widget": f"/embed/{SAMPLE_SLUG}",
    "publish": "/",
}
RUN_SECONDS = 180


def lighthouse(url: str, output: Path) -> dict[str, Any]:
    """Run Lighthouse on ``url`` (the three categories) and return its JSON report."""
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    command = [
        str(LIGHTHOUSE),
        url,
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={output}",
        "--quiet",
    ]
    completed = subprocess.run(
        command,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return report


def shortfalls(report: dict[str, Any]) -> list[str]:
    """Every audit of the categories that errored or scored below 1, with its details."""
    found = []
    for category in report["categories"].values():
        for reference in category["auditRefs"]:
            audit = report["audits"][reference["id"]]
            mode = audit["scoreDisplayMode"]
            below = mode in ("binary", "numeric", "metricSavings") and (audit["score"] or 0) < 1
            if mode == "error" or below:
                items = json.dumps(audit.get("details", {}).get("items", []))[:600]
                found.append(
                    f"{category['id']}/{audit['id']} (weight {reference['weight']}): "
                    f"{audit['title']} {audit.get('explanation') or ''} "
                    f"{audit.get('errorMessage') or ''} {items}"
                )
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_scores_are_100(live_server: LiveServer, tmp_path: Path, name: str) -> None:
    """Accessibility, best practices and SEO each score 100, with no audit errored."""
    report = lighthouse(live_server(PAGES[name]), tmp_path / "report.json")
    assert report.get("runtimeError") is None, report.get("runtimeError")
    scores = {key: report["categories"][key]["score"] for key in CATEGORIES}
    print(
        f"Lighthouse {report['lighthouseVersion']} {PAGES[name]}: "
        + ", ".join(f"{key} {round(score * 100)}" for key, score in scores.items())
    )
    problems = shortfalls(report)
    assert scores == dict.fromkeys(CATEGORIES, 1), "\n".join(problems)
    assert problems == []
