"""Exports: any list or figure as Excel, CSV or GeoJSON, scoped and masked as a pull is.

    _sheet.py    a table to export: its columns (headers from the catalog, a type each) and rows
    _formats.py  the files: .xlsx (a sheet per table, dates as dates, frozen header row), CSV with a BOM, GeoJSON
    _tables.py   the township's tables: every record kind, the people received, the year's figures

    sheet = record_sheet(session, "issue", actor=actor, t=t, year=2026)   # what this person may see
    name, media_type, data = export_file(session, "issue", "xlsx", actor=actor, t=t, year=2026)

A role that may see none of a table's records gets a refusal (Problem.EXPORT_FORBIDDEN), not an empty file;
one that may see some gets those; protected personal data (a visitor's phone) is masked by the kind's
`redact`, as in a pull.
"""

from app.exports._formats import FORMATS, MEDIA_TYPES, csv_bytes, geojson_bytes, xlsx_bytes
from app.exports._sheet import Column, ColumnType, Sheet
from app.exports._tables import (ALL, FIGURES, GEO_TABLES, VISITORS, ExportFile, export_file, exportable,
                                 figures_sheet, issues_sheet, record_sheet, table_names, visitors_sheet)

__all__ = ["FORMATS", "MEDIA_TYPES", "csv_bytes", "geojson_bytes", "xlsx_bytes", "Column", "ColumnType", "Sheet",
           "ALL", "FIGURES", "GEO_TABLES", "VISITORS", "ExportFile", "export_file", "exportable", "figures_sheet",
           "issues_sheet", "record_sheet", "table_names", "visitors_sheet"]
