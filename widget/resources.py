"""Where the package finds its templates and static files.

In an installed wheel they live inside the package (``widget/templates``,
``widget/static``: the build maps the top-level folders there); in a checkout they are the
top-level ``templates/`` and ``static/`` beside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent


def _locate(name: str) -> Path:
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


TEMPLATES_DIR = _locate("templates")
STATIC_DIR = _locate("static")
DATA_DIR = _PACKAGE / "data"  # data files read at run time (the map's outlines)
