"""What the map shows: issues coloured by where they stand, inspections and stations; and its legend.

An issue's colour says its stage (new, being handled, done, returned), always with a word in the legend and
its status word in the list a tap opens. A merged issue is not drawn: the issue it joined stands for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from app.actors import Actor
from app.inspections import INSPECTION, Inspection
from app.issues import ISSUE, Issue
from app.models import Station


class PointKind(StrEnum):
    ISSUE = "issue"
    INSPECTION = "inspection"
    STATION = "station"


# Marker fills: strong enough for white text and a white ring on any tile.
NEW, HANDLING, DONE, RETURNED = "#C43E00", "#1565C0", "#2E7D32", "#B71C1C"
STATUS_COLOURS = {"new": NEW, "assigned": HANDLING, "in_progress": HANDLING, "resolved": DONE, "rated": DONE,
                  "verified": DONE, "returned": RETURNED}
INSPECTION_COLOUR = "#5D4037"
STATION_COLOUR = "#37474F"
CLUSTER_COLOUR = "#00695C"


@dataclass(frozen=True)
class LegendEntry:
    kind: PointKind
    colour: str
    label_key: str


LEGEND = (
    LegendEntry(PointKind.ISSUE, NEW, "map.legend.new"),
    LegendEntry(PointKind.ISSUE, HANDLING, "map.legend.handling"),
    LegendEntry(PointKind.ISSUE, DONE, "map.legend.done"),
    LegendEntry(PointKind.ISSUE, RETURNED, "map.legend.returned"),
    LegendEntry(PointKind.INSPECTION, INSPECTION_COLOUR, "map.legend.inspection"),
    LegendEntry(PointKind.STATION, STATION_COLOUR, "map.legend.station"),
)


@dataclass(frozen=True)
class MapPoint:
    """One thing on the map, at its WGS-84 place."""

    kind: PointKind
    id: str
    latitude: float
    longitude: float
    title: str
    status: str = ""
    station_id: str | None = None


def colour_of(point: MapPoint) -> str:
    if point.kind is PointKind.STATION:
        return STATION_COLOUR
    if point.kind is PointKind.INSPECTION:
        return INSPECTION_COLOUR
    return STATUS_COLOURS.get(point.status, HANDLING)


def map_points(session: Session, actor: Actor) -> tuple[list[MapPoint], int]:
    """The points this person may see that have a place, and how many they may see have none."""
    points: list[MapPoint] = []
    unplaced = 0
    issues = session.exec(select(Issue).where(Issue.status != "merged").order_by(col(Issue.created_at), col(Issue.id)))
    inspections = session.exec(select(Inspection).order_by(col(Inspection.created_at), col(Inspection.id)))
    for kind, rows, point_kind in ((ISSUE, issues, PointKind.ISSUE), (INSPECTION, inspections, PointKind.INSPECTION)):
        for row in rows:
            if not kind.visible(actor, row):
                continue
            if row.latitude is None or row.longitude is None:
                unplaced += 1
                continue
            points.append(MapPoint(point_kind, row.id, row.latitude, row.longitude, row.title or row.place_name,
                                   row.status, row.station_id))
    for station in session.exec(select(Station).order_by(col(Station.sort_order))):
        if station.latitude is not None and station.longitude is not None:
            points.append(MapPoint(PointKind.STATION, station.id, station.latitude, station.longitude, station.name,
                                   station_id=station.id))
    return points, unplaced
