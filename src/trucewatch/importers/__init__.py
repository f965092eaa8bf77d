"""Reference datasets (ACLED, UCDP GED) imported as incidents marked with their origin, and
compared with ours.

    from trucewatch.importers import compare, import_acled, origin_of
"""

from __future__ import annotations

from trucewatch.importers.acled import import_acled
from trucewatch.importers.compare import Comparison, Match, compare
from trucewatch.importers.load import ImportSummary
from trucewatch.importers.ucdp import import_ucdp
from trucewatch.models import OURS, REFERENCE_ORIGINS, origin_of

__all__ = [
    "OURS",
    "REFERENCE_ORIGINS",
    "Comparison",
    "ImportSummary",
    "Match",
    "compare",
    "import_acled",
    "import_ucdp",
    "origin_of",
]
