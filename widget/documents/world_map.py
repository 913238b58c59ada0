"""A map of an event's cities without tiles: land outlines and one dot per located city.

The outlines are Natural Earth's land at 1:110m (public domain), from npm ``world-atlas``,
projected once at build time (``make world-map`` runs ``tests/build_world_map.py``) into
one SVG path on a fixed plane and committed as ``widget/data/world.json``. Rendering never
re-projects them: framing the map to the cities only chooses the SVG ``viewBox``, and each
city's dot is projected with the same ``project``. Nothing is fetched from anywhere: the
SVG is inline in the page.

The projection is Natural Earth (Šavrič, Jenny, Patterson and Jenny 2011; the polynomial
d3-geo-projection uses), written out here because it is six lines. The frame is the
cities' bounding box with a margin, at least ``MIN_SPAN`` wide (one city still shows its
region), widened to the map's aspect ratio and kept on the world; cities spread over more
than ``WHOLE_WORLD`` of its width get the whole world. Dots too close to be two touch
targets (24 px, WCAG 2.2) share one link, named for all its cities and leading to the
first of them in the list; every dot stays drawn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from widget.documents.widget_view import WidgetView
from widget.model import Event
from widget.places import place_name
from widget.resources import DATA_DIR

WORLD_FILE = DATA_DIR / "world.json"
SCALE = 200.0  # plane units per projected radian
_X_MAX = 0.8707 * math.pi  # the projection's half width at the equator, in radians
_Y_MAX = 1.422390506730596  # its half height (at the poles)
WIDTH = round(2 * _X_MAX * SCALE, 1)
HEIGHT = round(2 * _Y_MAX * SCALE, 1)
ASPECT = 2.0  # width : height of every framed map (the widget's height estimate uses it)
MARGIN = 0.12  # of the cities' extent, on each side
MIN_SPAN = 0.16  # of the world's width: the narrowest frame
WHOLE_WORLD = 0.6  # of the world's width: a wider spread shows the whole world
DOT = 0.009  # dot radius, of the frame's width
TARGET = 0.04  # dots closer than this (of the frame's width) share one link
ID_PREFIX = "pw-city-"  # the list entries' ids (``_locations.html``)


def project(lon: float, lat: float) -> tuple[float, float]:
    """A WGS 84 point on the map's plane: x from 0 (west) to WIDTH, y from 0 (north) to
    HEIGHT, rounded to 0.1 unit."""
    phi, lam = math.radians(lat), math.radians(lon)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (
        0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))
    )
    y = phi * (
        1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))
    )
    return round((x + _X_MAX) * SCALE, 1), round((_Y_MAX - y) * SCALE, 1)


@cache
def land_path() -> str:
    """The committed land outlines as one SVG path (``d``)."""
    data = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    land: str = data["land"]
    return land


@dataclass(frozen=True)
class Dot:
    """One located city on the map."""

    id: str
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Target:
    """One link of the map: its dots (a city, or cities too close to tell apart), named
    for them all, leading to the first one's entry in the list."""

    dots: tuple[Dot, ...]

    @property
    def href(self) -> str:
        """The fragment of the first city's list entry."""
        return f"#{ID_PREFIX}{self.dots[0].id}"

    @property
    def label(self) -> str:
        """The names of its cities."""
        return "; ".join(dot.label for dot in self.dots)


@dataclass(frozen=True)
class Frame:
    """The visible part of the plane (an SVG viewBox)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def view_box(self) -> str:
        """The ``viewBox`` attribute."""
        return " ".join(f"{value:g}" for value in (self.x, self.y, self.width, self.height))


@dataclass(frozen=True)
class WorldMap:
    """What ``_map.html`` draws."""

    frame: Frame
    targets: tuple[Target, ...]
    land: str

    @property
    def dots(self) -> tuple[Dot, ...]:
        """Every dot, in list order."""
        return tuple(dot for target in self.targets for dot in target.dots)

    @property
    def radius(self) -> float:
        """The dots' radius in plane units (about the same size on screen at every frame)."""
        return round(self.frame.width * DOT, 2)

    @property
    def target_radius(self) -> float:
        """The invisible touch area around each dot, in plane units."""
        return round(self.frame.width * TARGET / 2, 2)


WORLD_FRAME = Frame(0.0, round((HEIGHT - WIDTH / ASPECT) / 2, 1), WIDTH, round(WIDTH / ASPECT, 1))


def frame(points: Sequence[tuple[float, float]]) -> Frame:
    """The frame around ``points`` (see the module docstring); the whole world when the
    points are spread wide (or there are none)."""
    if not points:
        return WORLD_FRAME
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    span_x, span_y = right - left, bottom - top
    width = max(span_x * (1 + 2 * MARGIN), span_y * (1 + 2 * MARGIN) * ASPECT, WIDTH * MIN_SPAN)
    if width >= WIDTH * WHOLE_WORLD:
        return WORLD_FRAME
    height = width / ASPECT
    x = min(max((left + right - width) / 2, 0.0), WIDTH - width)
    y = min(max((top + bottom - height) / 2, 0.0), HEIGHT - height)
    return Frame(round(x, 1), round(y, 1), round(width, 1), round(height, 1))


def targets(dots: Iterable[Dot], reach: float) -> tuple[Target, ...]:
    """The dots grouped into links: each dot joins the first link whose first dot is closer
    than ``reach``, else starts its own (list order kept)."""
    groups: list[list[Dot]] = []
    for dot in dots:
        for group in groups:
            if math.hypot(dot.x - group[0].x, dot.y - group[0].y) < reach:
                group.append(dot)
                break
        else:
            groups.append([dot])
    return tuple(Target(tuple(group)) for group in groups)


def world_map(dots: Sequence[Dot]) -> WorldMap | None:
    """The map of ``dots``; None without any (a map with no city tells nothing)."""
    if not dots:
        return None
    framed = frame([(dot.x, dot.y) for dot in dots])
    return WorldMap(framed, targets(dots, framed.width * TARGET), land_path())


def map_of(event: Event, view: WidgetView) -> WorldMap | None:
    """The map of the cities ``view`` shows (in its order) that have coordinates."""
    dots = []
    for country in view.countries:
        for city in country.cities:
            location = event.location(city.id)
            if location is None or location.coordinates is None:
                continue
            x, y = project(location.coordinates.lon, location.coordinates.lat)
            label = place_name(event, location, view.language)
            dots.append(Dot(city.id, label, x, y))
    return world_map(dots)
