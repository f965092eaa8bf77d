"""The offline basemap: country outlines shipped as ``web/static/basemap.geojson`` (Natural
Earth, see ``web/static/BASEMAP.md``), read once and indexed by bounding box."""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@functools.cache
def load_basemap() -> dict[str, Any]:
    """The shipped country outlines (GeoJSON FeatureCollection), read once.

    The returned dict is shared between callers: do not modify it.
    """
    resource = importlib.resources.files("trucewatch").joinpath("web/static/basemap.geojson")
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data


BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class _Shape:
    """One polygon of a basemap feature with its bounding box."""

    name: str
    bbox: BBox
    rings: tuple[tuple[tuple[float, float], ...], ...]


def _polygons(geometry: Mapping[str, Any] | None) -> Iterator[Sequence[Sequence[Any]]]:
    if not geometry:
        return
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries", ()):
            yield from _polygons(part)


def _index(basemap: Mapping[str, Any]) -> list[tuple[str, list[_Shape]]]:
    """Features as (name, polygons with bboxes), skipping anything malformed."""
    out: list[tuple[str, list[_Shape]]] = []
    for feature in basemap.get("features", ()):
        properties = feature.get("properties") or {}
        name = str(properties.get("name") or "")
        shapes: list[_Shape] = []
        for polygon in _polygons(feature.get("geometry")):
            rings = tuple(
                tuple((float(p[0]), float(p[1])) for p in ring) for ring in polygon if ring
            )
            if not rings or not rings[0]:
                continue
            lons = [p[0] for p in rings[0]]
            lats = [p[1] for p in rings[0]]
            shapes.append(_Shape(name, (min(lons), min(lats), max(lons), max(lats)), rings))
        if shapes:
            out.append((name, shapes))
    return out


@functools.cache
def _shipped_index() -> list[tuple[str, list[_Shape]]]:
    return _index(load_basemap())
