"""A table to export: named columns with a type each, and rows of plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Sequence


class ColumnType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"  # China time, without a zone (Excel has none)


@dataclass(frozen=True)
class Column:
    key: str  # the field it comes from: GeoJSON's property name
    header: str  # the words above it, from the catalog
    type: ColumnType = ColumnType.TEXT


Value = str | int | float | date | datetime | None


@dataclass
class Sheet:
    """One table: its name (the API's), its title (the sheet's tab), columns, rows and, for a map, places."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: list[list[Value]] = field(default_factory=list)
    places: list[tuple[float, float] | None] = field(default_factory=list)  # (lat, lon) WGS-84 per row

    def add(self, values: list[Value], place: tuple[float, float] | None = None) -> None:
        self.rows.append(values)
        self.places.append(place)
