"""Server-rendered SVG charts for the dashboard: an incident map (`map`, over the offline
basemap of `basemap`) and a violations timeline (`timeline`); colours and escaping in `style`.

Pure functions from data to SVG markup; no JavaScript, no external assets. Everything that
comes from reports (labels, ids, group names, types) is hostile: text is escaped with
:func:`html.escape` and ids placed in hrefs are percent-quoted first.
"""

from trucewatch.report.aggregates import DayCount
from trucewatch.web.charts.basemap import load_basemap
from trucewatch.web.charts.map import MapPoint, map_svg
from trucewatch.web.charts.style import TYPE_COLOURS, legend_items
from trucewatch.web.charts.timeline import TIME_UNITS, TimeUnit, auto_unit, timeline_svg

__all__ = [
    "TIME_UNITS",
    "TYPE_COLOURS",
    "DayCount",
    "MapPoint",
    "TimeUnit",
    "auto_unit",
    "legend_items",
    "load_basemap",
    "map_svg",
    "timeline_svg",
]
