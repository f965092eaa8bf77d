"""Sides of a conflict: the conflict profiles and country lexicon (`profiles`), the places they
name (`places`), alias matching on folded tokens (`aliases`) and the resolver that maps mentions
in text to sides (`resolver`). Callers import from here: ``from trucewatch.sides import ...``.
"""

from trucewatch.sides.places import Place
from trucewatch.sides.profiles import (
    Ceasefire,
    Country,
    Profile,
    ProfileError,
    country_lexicon,
    demonym_forms,
    load_countries,
    load_profiles,
)
from trucewatch.sides.resolver import PlaceMention, SideMention, SideResolver

__all__ = [
    "Ceasefire",
    "Country",
    "Place",
    "PlaceMention",
    "Profile",
    "ProfileError",
    "SideMention",
    "SideResolver",
    "country_lexicon",
    "demonym_forms",
    "load_countries",
    "load_profiles",
]
