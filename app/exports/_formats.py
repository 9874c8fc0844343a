"""The files: an Excel workbook, CSV that Excel opens as UTF-8, and GeoJSON (RFC 7946, WGS-84)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date, datetime
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.exports._sheet import ColumnType, Sheet, Value

FORMATS = ("xlsx", "csv", "geojson")
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
BOM = "\ufeff"
WIDEST = 60  # characters a column grows to at most
_TAB_FORBIDDEN = set('[]:*?/\\')


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with a sheet per table: bold frozen header row, dates as dates, columns as wide as their words."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(_tab_title(sheet.title, used))
        ws.append([c.header for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E0F2F1")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            if column.type in (ColumnType.DATE, ColumnType.DATETIME):
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = DATE_FORMAT if column.type is ColumnType.DATE else DATETIME_FORMAT
            longest = max([_width(column.header)] + [_width(_text(r[index - 1])) for r in sheet.rows[:500]])
            ws.column_dimensions[letter].width = min(max(longest + 2, 8), WIDEST)
        ws.freeze_panes = "A2"
        if sheet.columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(len(sheet.rows) + 1, 1)}"
    if not book.worksheets:
        book.create_sheet("-")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel on an office PC shows the Chinese as Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_text(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def geojson_bytes(sheet: Sheet) -> bytes:
    """A FeatureCollection of the rows that have a place, as WGS-84 points; the columns become properties."""
    features = []
    for row, place in zip(sheet.rows, sheet.places):
        if place is None:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [place[1], place[0]]},
            "properties": {c.key: _json(v) for c, v in zip(sheet.columns, row)},
        })
    return json.dumps({"type": "FeatureCollection", "name": sheet.title, "features": features},
                      ensure_ascii=False, indent=1).encode("utf-8")


def _cell(value: Value) -> Value:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    return value


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json(value: Value) -> object:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _width(text: str) -> int:
    """Characters as wide as Latin letters: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[:WIDEST])


def _tab_title(title: str, used: set[str]) -> str:
    base = "".join("_" if ch in _TAB_FORBIDDEN else ch for ch in title)[:28] or "-"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name
