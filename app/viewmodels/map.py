"""地图: issues, inspections and stations on tiles from the settings' server, or on a plain grid; with no page.

    model = MapModel(ctx, width=412, height=600)    # the points this person may see, the first view
    model.markers                                   # one per cluster at the current zoom
    model.set_zoom(14)                              # True when the clusters changed: draw them again
    model.open(key)                                 # a route (one item), or the rows behind a cluster
    model.tiles_failed()                            # the tile server did not answer: the grid, and say so
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from app.map import (CLUSTER_COLOUR, LEGEND, Cluster, MapPoint, PointKind, TilesOff, TileSource, cluster, colour_of,
                     fit, grid_lines, map_points, tile_source, wgs84_to_gcj02)
from app.viewmodels.context import AppContext
from app.viewmodels.nav import DETAIL, INSPECTION
from app.viewmodels.stations import RECEPTIONS

MIN_ZOOM, MAX_ZOOM = 3, 18
KIND_ORDER = (PointKind.ISSUE, PointKind.INSPECTION, PointKind.STATION)


@dataclass(frozen=True)
class MarkerView:
    """One marker as drawn: where, its colour, what it is (a cluster shows its count), what it says aloud."""

    key: str
    latitude: float
    longitude: float
    colour: str
    kind: str  # issue, inspection, station or cluster
    count: int
    label: str


@dataclass(frozen=True)
class MapItem:
    """A row of the list behind a cluster: what it is, its title, its status in words, where it opens."""

    kind_label: str
    title: str
    status: str
    status_label: str
    colour: str
    route: str


@dataclass(frozen=True)
class LegendRow:
    kind: str
    colour: str
    label: str


class MapModel:
    def __init__(self, ctx: AppContext, *, width: float = 412, height: float = 600):
        self.ctx = ctx
        found = tile_source(ctx.settings)
        self.source: TileSource | None = found if isinstance(found, TileSource) else None
        self.off: TilesOff | None = found if isinstance(found, TilesOff) else None
        with ctx.session() as session:
            self.points, self.unplaced = map_points(session, ctx.actor())
        # The first view shows the issues and inspections; the stations alone when there are none.
        shown = [p for p in self.points if p.kind is not PointKind.STATION] or self.points
        lat, lon, zoom = fit(shown, width=width, height=height, max_zoom=15)
        self.centre = (lat, lon)
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._clusters: list[Cluster] | None = None

    # -- tiles ---------------------------------------------------------------------------------------------------
    @property
    def showing_tiles(self) -> bool:
        return self.source is not None and self.off is None

    @property
    def tile_layers(self):
        """The layers of tiles to draw (none while there are no tiles)."""
        return self.source.layers if self.showing_tiles else ()

    @property
    def max_native_zoom(self) -> int:
        return self.source.max_zoom if self.source else MAX_ZOOM

    def tiles_failed(self) -> bool:
        """A tile did not load: draw the grid and say so; True the first time (the screen redraws once)."""
        if not self.showing_tiles:
            return False
        self.off = TilesOff.FAILED
        self._clusters = None  # AMap's places were shifted for its tiles: the grid takes them as they are
        return True

    def retry_tiles(self) -> bool:
        """Ask the tile server again (after it failed); False when the settings name none."""
        if self.source is None or self.off is not TilesOff.FAILED:
            return False
        self.off = None
        self._clusters = None
        return True

    @property
    def can_retry(self) -> bool:
        return self.source is not None and self.off is TilesOff.FAILED

    @property
    def notice(self) -> str:
        """Why there are no tiles (empty while there are)."""
        return self.ctx.t(self.off.message_key) if self.off is not None else ""

    @property
    def attribution(self) -> str:
        return self.ctx.t(self.source.attribution_key) if self.showing_tiles else ""

    @property
    def unplaced_text(self) -> str:
        return self.ctx.t("map.unplaced", n=self.unplaced) if self.unplaced else ""

    @property
    def summary(self) -> str:
        counts = {kind: sum(1 for p in self.points if p.kind is kind) for kind in KIND_ORDER}
        return self.ctx.t("map.summary", issues=counts[PointKind.ISSUE], inspections=counts[PointKind.INSPECTION],
                          stations=counts[PointKind.STATION])

    def grid(self, centre: tuple[float, float] | None = None):
        """The plain grid's lines around the view's centre (only while there are no tiles)."""
        if self.showing_tiles:
            return []
        lat, lon = centre or self.centre
        return grid_lines(lat, lon, self.zoom)

    # -- markers -------------------------------------------------------------------------------------------------
    def set_zoom(self, zoom: float, centre: tuple[float, float] | None = None) -> bool:
        """The map was zoomed; True when the clusters are different at the new whole zoom."""
        if centre is not None:
            self.centre = centre
        level = max(MIN_ZOOM, min(MAX_ZOOM, round(zoom)))
        if level == self.zoom:
            return False
        before = [c.key for c in self.clusters]
        self.zoom = level
        self._clusters = None
        return [c.key for c in self.clusters] != before or not self.showing_tiles

    @property
    def clusters(self) -> list[Cluster]:
        if self._clusters is None:
            self._clusters = cluster(self.points, zoom=self.zoom)
        return self._clusters

    @property
    def markers(self) -> list[MarkerView]:
        return [self._marker(c) for c in self.clusters]

    def _place(self, lat: float, lon: float) -> tuple[float, float]:
        """Where a WGS-84 point is drawn: shifted to GCJ-02 on AMap's tiles, as it is otherwise."""
        if self.showing_tiles and self.source.gcj02:
            return wgs84_to_gcj02(lat, lon)
        return lat, lon

    def _marker(self, group: Cluster) -> MarkerView:
        lat, lon = self._place(group.latitude, group.longitude)
        one = group.single
        if one is not None:
            return MarkerView(group.key, lat, lon, colour_of(one), one.kind.value, 1, self._said(one))
        return MarkerView(group.key, lat, lon, CLUSTER_COLOUR, "cluster", len(group.members),
                          self.ctx.t("map.cluster.label", n=len(group.members), what=self._counted(group.members)))

    def _said(self, point: MapPoint) -> str:
        t = self.ctx.t
        words = [t(f"map.kind.{point.kind.value}"), point.title]
        if point.kind is not PointKind.STATION:
            words.append(self._status_label(point))
        return t("map.marker.label", what=words[0], title=words[1], status=words[2] if len(words) > 2 else "")

    def _counted(self, members: Sequence[MapPoint]) -> str:
        t = self.ctx.t
        parts = [t(f"map.count.{kind.value}", n=n) for kind in KIND_ORDER
                 if (n := sum(1 for p in members if p.kind is kind))]
        return t("map.count.join").join(parts)

    def _status_label(self, point: MapPoint) -> str:
        t, own = self.ctx.t, f"map.status.{point.kind.value}.{point.status}"  # 检查中, not 办理中
        return t(own) if t.has(own) else t.of_kind("status", point.kind.value, point.status) if point.status else ""

    # -- opening -------------------------------------------------------------------------------------------------
    def open(self, key: str) -> str | list[MapItem]:
        """What a tap on a marker opens: one item's screen, or the list of a cluster's members."""
        group = next((c for c in self.clusters if c.key == key), None)
        if group is None:
            return []
        if group.single is not None:
            return route_of(group.single)
        return [self._item(p) for kind in KIND_ORDER for p in group.members if p.kind is kind]

    def cluster_title(self, key: str) -> str:
        group = next((c for c in self.clusters if c.key == key), None)
        return self.ctx.t("map.cluster.title", n=len(group.members), what=self._counted(group.members)) \
            if group else ""

    def _item(self, point: MapPoint) -> MapItem:
        return MapItem(self.ctx.t(f"map.kind.{point.kind.value}"), point.title, point.status,
                       self._status_label(point), colour_of(point), route_of(point))

    @property
    def legend(self) -> list[LegendRow]:
        return [LegendRow(e.kind.value, e.colour, self.ctx.t(e.label_key)) for e in LEGEND] + [
            LegendRow("cluster", CLUSTER_COLOUR, self.ctx.t("map.legend.cluster"))]


def route_of(point: MapPoint) -> str:
    if point.kind is PointKind.ISSUE:
        return f"{DETAIL}{point.id}"
    if point.kind is PointKind.INSPECTION:
        return f"{INSPECTION}{point.id}"
    return f"{RECEPTIONS}?station={point.id}"
