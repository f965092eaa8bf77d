"""What every chart shares: the SVG namespace, fonts, the colour of each event type and
group, and escaping (everything from reports is hostile text)."""

from __future__ import annotations

import html
import math

from trucewatch.models import EVENT_TYPES

SVG_NS = "http://www.w3.org/2000/svg"
FONT = 'font-family="system-ui, sans-serif"'


# Paul Tol's "muted" scheme plus Okabe-Ito: colour-blind-safe hues; violent types get the
# strong warm and dark colours, the peaceful ones (agreement, deployment, mediation) pale.
TYPE_COLOURS: dict[str, str] = {
    "armed_clash": "#D55E00",  # vermillion
    "firing": "#E69F00",  # orange
    "shelling": "#882255",  # wine
    "drone_strike": "#0072B2",  # blue
    "explosive": "#AA4499",  # purple
    "attack_on_civilians": "#000000",  # black
    "intrusion": "#117733",  # green
    "territory_seizure": "#332288",  # indigo
    "shoot_down": "#44AA99",  # teal
    "ceasefire_violation": "#CC6677",  # rose
    "ceasefire_agreement": "#88CCEE",  # cyan
    "deployment": "#999933",  # olive
    "mediation": "#DDCC77",  # sand
    "other": "#888888",  # grey: anything else
}
_unknown_types = EVENT_TYPES - TYPE_COLOURS.keys()
if _unknown_types:  # pragma: no cover - guards the palette against a new event type
    raise RuntimeError(f"no map colour for event types {sorted(_unknown_types)}")

# Group colours for the timeline (Okabe-Ito without black and yellow, then Tol's muted);
# sorted group names take them in turn. Unattributed reports are always grey.
GROUP_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#332288",
    "#882255",
    "#999933",
    "#44AA99",
    "#AA4499",
    "#DDCC77",
)
UNATTRIBUTED_GROUPS = frozenset({"unattributed", "unknown", ""})
UNATTRIBUTED_COLOUR = "#9A9A9A"


def _e(text: object) -> str:
    """Escape any text for SVG/XML element content or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing .0 or a negative zero."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def colour_for(event_type: str) -> str:
    """The map colour of an event type; unknown types get the "other" colour."""
    return TYPE_COLOURS.get(event_type, TYPE_COLOURS["other"])


def legend_items() -> list[tuple[str, str]]:
    """(type, colour) pairs in a stable order, "other" last, for an HTML legend."""
    return list(TYPE_COLOURS.items())


def radius_for(casualties: int) -> float:
    """Circle radius: 4 + 2·√casualties, capped at 18; negative counts count as 0."""
    return min(18.0, 4.0 + 2.0 * math.sqrt(min(max(0, casualties), 100)))  # 100: radius 18


def _text_px(text: str, size: float = 11.0) -> float:
    return len(text) * size * 0.6
