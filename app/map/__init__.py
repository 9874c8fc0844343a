"""The map of issues, inspections and stations, with no page: tiles, coordinates, clusters, colours.

    _tiles.py    the tile server the settings name: URL templates, or why there are no tiles
    _coords.py   WGS-84 to GCJ-02 (AMap/Gaode's shifted coordinates) and back; Web Mercator pixels
    _cluster.py  markers near each other at a zoom gathered into one cluster; the view that shows them all
    _grid.py     the plain grid the markers stand on when there are no tiles
    _points.py   the points a person may see (issues by status, inspections, stations) and the legend

    source = tile_source(settings)            # TileSource, or TilesOff with the reason
    points = map_points(session, actor)       # what this person may see, with a place
    clusters = cluster(points, zoom=13)       # one marker per cluster, its members behind it
"""

from app.map._cluster import CLUSTER_PX, Cluster, cluster, fit
from app.map._grid import grid_lines, grid_step
from app.map._coords import gcj02_to_wgs84, out_of_china, to_pixels, wgs84_to_gcj02
from app.map._points import (CLUSTER_COLOUR, INSPECTION_COLOUR, LEGEND, STATION_COLOUR, STATUS_COLOURS, LegendEntry, MapPoint,
                             PointKind, colour_of, map_points)
from app.map._tiles import AMAP, NONE, TIANDITU, TileLayerSpec, TileSource, TilesOff, expand, tile_source

__all__ = ["CLUSTER_PX", "Cluster", "cluster", "fit", "grid_lines", "grid_step", "gcj02_to_wgs84", "out_of_china", "to_pixels",
           "wgs84_to_gcj02", "CLUSTER_COLOUR", "INSPECTION_COLOUR", "LEGEND", "STATION_COLOUR", "STATUS_COLOURS", "LegendEntry",
           "MapPoint", "PointKind", "colour_of", "map_points", "AMAP", "NONE", "TIANDITU", "TileLayerSpec",
           "TileSource", "TilesOff", "expand", "tile_source"]
