"""Feed events → event files (``pauseai-widget import-ics``), for organizers who would
rather keep files they can edit than a live feed.

Each event becomes ``OUT/SLUG/event.yaml`` and ``OUT/SLUG/LANG.md``, written exactly as
``widget.store`` reads them back (the command checks every directory it writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from widget.model import Event
from widget.store import EVENT_FILE


def event_files(event: Event) -> dict[str, str]:
    """The files of ``event``: file name → text."""
    facts: dict[str, Any] = event.model_dump(
        mode="json", exclude_defaults=True, exclude={"slug", "texts"}
    )
    facts["date"] = event.date.isoformat()  # always written, even if it looks like a default
    files = {EVENT_FILE: yaml.safe_dump(facts, allow_unicode=True, sort_keys=False)}
    for language, text in event.texts.items():
        front = {"title": text.title}
        if text.summary:
            front["summary"] = text.summary
        head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
        files[f"{language}.md"] = f"---\n{head}---\n{text.body}\n"
    return files


def write_event(event: Event, out: Path) -> Path | None:
    """Write ``event`` under ``out``; None (nothing written) when its directory exists."""
    directory = out / event.slug
    if directory.exists():
        return None
    directory.mkdir(parents=True)
    for name, text in event_files(event).items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory
