"""Offline geocoding: place names as written -> GeoPoint (profiles first, then a world index)."""

from trucewatch.geo.gazetteer import Gazetteer, normalise
from trucewatch.geo.geocoder import Geocoder

__all__ = ["Gazetteer", "Geocoder", "normalise"]
