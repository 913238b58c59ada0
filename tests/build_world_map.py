"""Build ``widget/data/world.json``: Natural Earth's land (npm ``world-atlas``, 1:110m,
public domain) projected by ``widget.documents.world_map.project`` into one SVG path.

Run by ``make world-map`` (after ``npm ci``); the output is committed, and
``tests/test_world_map.py`` checks that it is exactly what this script makes from the
locked ``world-atlas``. TopoJSON is decoded here (quantized, delta-encoded arcs; a ring
lists arc indices, ``~i`` for arc ``i`` reversed) because that is all a reader needs.

    python -m tests.build_world_map [TOPOJSON] [OUT]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from widget.documents.world_map import HEIGHT, WIDTH, WORLD_FILE, project

ROOT = Path(__file__).resolve().parent.parent
ATLAS = ROOT / "node_modules" / "world-atlas"
SOURCE = ATLAS / "land-110m.json"

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Every arc as (lon, lat) points."""
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * kx + tx, y * ky + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[Point]], indices: list[int]) -> list[Point]:
    """One ring from its arcs (each arc after the first starts where the last ended)."""
    points: list[Point] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def path(rings: list[list[Point]]) -> str:
    """The rings as one SVG path: absolute start, relative steps, repeated points dropped."""
    parts = []
    for points in rings:
        projected = [project(lon, lat) for lon, lat in points]
        steps = []
        x, y = projected[0]
        for px, py in projected[1:]:
            dx, dy = round(px - x, 1), round(py - y, 1)
            if dx or dy:
                steps.append(f"{_number(dx)} {_number(dy)}")
                x, y = round(x + dx, 1), round(y + dy, 1)
        if len(steps) < 2:
            continue
        start = projected[0]
        parts.append(f"M{_number(start[0])} {_number(start[1])}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def build(source: Path = SOURCE) -> str:
    """The contents of ``world.json`` made from a ``world-atlas`` land TopoJSON."""
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    rings: list[list[Point]] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            rings.extend(ring(arcs, indices) for indices in polygon)
    version = json.loads((source.parent / "package.json").read_text(encoding="utf-8"))["version"]
    document = {
        "source": f"world-atlas {version} {source.name}: Natural Earth land, public domain",
        "projection": "Natural Earth, widget.documents.world_map.project",
        "width": WIDTH,
        "height": HEIGHT,
        "land": path(rings),
    }
    return json.dumps(document, ensure_ascii=False, indent=0) + "\n"


def main(argv: list[str]) -> None:
    """Write the world file (arguments: the TopoJSON, the output)."""
    source = Path(argv[0]) if argv else SOURCE
    out = Path(argv[1]) if len(argv) > 1 else WORLD_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build(source), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
