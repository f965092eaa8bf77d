"""The registry layer: what the faces (CLI, web app, watch) call to fill and keep a registry.

- `read` - one report in, a `Reading` out (claims, places, period reports, profile); pure.
- `Registry` - stores readings and links their claims into incidents (`ingest` reads and
  stores; `store_and_link` stores readings made elsewhere, e.g. by batch workers).
- `ceasefires` - the profiles' ceasefires and the rules for adding one by hand.
- `review` - analysts' corrections, merges and splits; `observations` - a mission's own.
"""

from trucewatch.registry.ceasefires import (
    NewCeasefire,
    ceasefire_id,
    new_ceasefire,
    profile_ceasefires,
)
from trucewatch.registry.ingest import IngestSummary, Registry
from trucewatch.registry.read import Reading, read

__all__ = [
    "IngestSummary",
    "NewCeasefire",
    "Reading",
    "Registry",
    "ceasefire_id",
    "new_ceasefire",
    "profile_ceasefires",
    "read",
]
