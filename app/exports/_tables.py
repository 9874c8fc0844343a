"""The township's tables as sheets: every kind of record, the people received, the year's figures.

Rows are what this person may see (the kind's visibility, as a pull decides it), with protected fields
masked by the kind's `redact` as a pull masks them. Ids of stations, departments, categories, groups and
people become their names; statuses and codes become their words; times become China time.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Iterable, Sequence

from sqlmodel import Session, col, select

from app.actors import OFFICE_ROLES, Actor
from app.clock import CHINA, to_china
from app.errors import DomainError
from app.exports._formats import FORMATS, MEDIA_TYPES, csv_bytes, geojson_bytes, xlsx_bytes
from app.exports._sheet import Column, ColumnType, Sheet, Value
from app.i18n import Translator
from app.models import Category, Department, Person, SpecialGroup, Station
from app.problems import Problem
from app.records import RecordEvent, RecordKind, kind_named, kinds

ALL, FIGURES, VISITORS = "all", "figures", "visitor"
GEO_TABLES = ("issue", "inspection")  # the kinds with a place of their own
SKIPPED = frozenset({"search_text", "question_ids"})  # words for search; a quiz's pool of ids
# Code columns whose values have words in the catalog: column -> key prefix.
VALUE_PREFIXES = {"urgency": "urgency.", "nature": "nature.", "place_type": "place.",
                  "satisfaction": "satisfaction.", "escalation": "escalation."}
LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class ExportFile:
    name: str  # a file name for the office PC (no characters Windows refuses)
    media_type: str
    data: bytes


# The order sheets come in: the loop's records first, the year's figures last; other kinds before those.
ORDER = ("issue", "inspection", "reception", VISITORS, "visit", "concern", "letter", "opinion", "project", "task",
         "ballot", "training", "quiz", "quiz_attempt", "report_call", "duty_report")


def table_names() -> tuple[str, ...]:
    """Every table there is to export: each kind of record, the people received, then the year's figures."""
    names = {k.name for k in kinds()} | {VISITORS}
    known = [n for n in ORDER if n in names]
    return tuple(known + sorted(names - set(known)) + [FIGURES])


def exportable(actor: Actor, table: str) -> bool:
    """Whether this person may export any of the table (the figures are the township's: the office's alone)."""
    if table == FIGURES:
        return actor.role in OFFICE_ROLES
    kind = kind_named("reception" if table == VISITORS else table)
    return kind is not None and bool(kind.visibility.grants.get(actor.role))


def _check(actor: Actor, table: str) -> None:
    if table not in table_names():
        raise DomainError(Problem.EXPORT_UNKNOWN, table=table)
    if not exportable(actor, table):
        raise DomainError(Problem.EXPORT_FORBIDDEN, table=table)


# -- the files ----------------------------------------------------------------------------------------------------
def export_file(session: Session, table: str, fmt: str, *, actor: Actor, t: Translator,
                year: int | None = None) -> ExportFile:
    """One table (or ALL: a workbook with a sheet per table this person may export) as a file."""
    if fmt not in FORMATS or (fmt == "geojson" and table not in GEO_TABLES) or (table == ALL and fmt != "xlsx"):
        raise DomainError(Problem.EXPORT_FORMAT, table=table, format=fmt)
    if table == ALL:
        sheets = [_sheet_of(session, name, actor=actor, t=t, year=year) for name in table_names()
                  if exportable(actor, name)]
        title = t("export.table.all")
    else:
        _check(actor, table)
        sheets = [_sheet_of(session, table, actor=actor, t=t, year=year)]
        title = sheets[0].title
    data = (xlsx_bytes(sheets) if fmt == "xlsx" else csv_bytes(sheets[0]) if fmt == "csv"
            else geojson_bytes(sheets[0]))
    return ExportFile(file_name(t, title, year, fmt), MEDIA_TYPES[fmt], data)


def file_name(t: Translator, title: str, year: int | None, fmt: str) -> str:
    name = t("export.file_name.year", title=title, year=year) if year else t("export.file_name", title=title)
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name) + f".{fmt}"


def _sheet_of(session: Session, table: str, *, actor: Actor, t: Translator, year: int | None) -> Sheet:
    if table == FIGURES:
        return figures_sheet(session, actor=actor, t=t, year=year or date.today().year)
    if table == VISITORS:
        return visitors_sheet(session, actor=actor, t=t, year=year)
    return record_sheet(session, table, actor=actor, t=t, year=year)


# -- records of a kind ----------------------------------------------------------------------------------------------
def record_sheet(session: Session, table: str, *, actor: Actor, t: Translator, year: int | None = None,
                 ids: Sequence[str] | None = None) -> Sheet:
    """The records of a kind this person may see (of a year, or just these ids in this order)."""
    _check(actor, table)
    kind = kind_named(table)
    assert kind is not None
    rows = _rows(session, kind, year=year, ids=ids)
    fields = fields_of(kind)
    columns = [Column(name, header(t, kind.name, name), ColumnType.TEXT if kind_ == "list" else kind_)
               for name, kind_ in fields]
    names = _Names(session, t)
    sheet = Sheet(kind.name, t(f"export.table.{kind.name}"), columns)
    for row in rows:
        if not kind.visible(actor, row):
            continue
        data = {name: getattr(row, name, None) for name, _ in fields}
        if kind.redact is not None:
            data = kind.redact(kind.name, data, actor)
        values = [_value(t, kind, name, data.get(name), names) for name, _ in fields]
        lat, lon = data.get("latitude"), data.get("longitude")
        sheet.add(values, (float(lat), float(lon)) if lat is not None and lon is not None else None)
    return sheet


def fields_of(kind: RecordKind) -> list[tuple[str, Any]]:
    """The kind's columns that make cells (what a pull carries, less mappings and search words), in sheet order."""
    fields = [(name, _type_of(f.annotation)) for name, f in kind.public.model_fields.items() if name not in SKIPPED]
    return _ordered([(name, type_) for name, type_ in fields if type_ is not None])


def issues_sheet(session: Session, issue_ids: Sequence[str], *, actor: Actor, t: Translator) -> Sheet:
    """Exactly the issues of a list on screen, in its order (those this person may see)."""
    return record_sheet(session, "issue", actor=actor, t=t, ids=issue_ids)


def header(t: Translator, kind: str, column: str) -> str:
    """A column's words: the kind's own (`export.col.issue.title`), else the shared one, else its name."""
    for key in (f"export.col.{kind}.{column}", f"export.col.{column}"):
        if t.has(key):
            return t(key)
    return column


def _ordered(fields: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The kind's own columns first (its title or subject leading), its status second; ids and times last."""
    base = ("id", "created_at", "status", "updated_at")
    own = [f for f in fields if f[0] not in base]
    by_name = dict(fields)
    return own[:1] + [("status", by_name["status"])] + own[1:] + [(n, by_name[n]) for n in ("created_at",
                                                                                          "updated_at", "id")]


def _rows(session: Session, kind: RecordKind, *, year: int | None, ids: Sequence[str] | None) -> list[Any]:
    table = kind.table
    query = select(table)
    if ids is not None:
        found = {r.id: r for r in session.exec(query.where(col(table.id).in_(list(ids))))} if ids else {}
        return [found[i] for i in ids if i in found]
    if year is not None:
        fields = kind.public.model_fields
        if "year" in fields and _type_of(fields["year"].annotation) is ColumnType.NUMBER:
            query = query.where(col(table.year) == year)
        elif "day" in fields and _type_of(fields["day"].annotation) is ColumnType.DATE:
            query = query.where(col(table.day) >= date(year, 1, 1), col(table.day) <= date(year, 12, 31))
        else:
            since, until = _year_bounds(year)
            query = query.where(col(table.created_at) >= since, col(table.created_at) < until)
    return list(session.exec(query.order_by(col(table.created_at), col(table.id))))


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime.combine(date(year, 1, 1), time.min, CHINA), datetime.combine(date(year + 1, 1, 1), time.min, CHINA)


def _type_of(annotation: Any) -> ColumnType | str | None:
    """The column type of a field's annotation; "list" for a list of ids or words; None to leave it out."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    origin = typing.get_origin(annotation)
    if origin is list:
        inner = typing.get_args(annotation)
        return "list" if inner and inner[0] is str else None
    if origin is not None:
        return None  # a mapping or a list of objects: not a cell
    if annotation is datetime:
        return ColumnType.DATETIME
    if annotation is date:
        return ColumnType.DATE
    if annotation is bool:
        return ColumnType.TEXT
    if annotation in (int, float):
        return ColumnType.NUMBER
    if annotation is str:
        return ColumnType.TEXT
    return None


class _Names:
    """Names of the reference records by id, in the catalog's language."""

    def __init__(self, session: Session, t: Translator):
        english = t.language == "en"
        self.by_id: dict[str, str] = {}
        for table in (Station, Department, Category, SpecialGroup):
            for row in session.exec(select(table)):
                self.by_id[row.id] = row.name_en if english and row.name_en else row.name
        for person in session.exec(select(Person)):
            self.by_id[person.id] = person.name

    def __call__(self, value: str) -> str:
        return self.by_id.get(value, value)


def _value(t: Translator, kind: RecordKind, column: str, value: Any, names: _Names) -> Value:
    if value is None:
        return None
    if isinstance(value, bool):
        return t("export.yes") if value else t("export.no")
    if isinstance(value, datetime):
        return to_china(value).replace(tzinfo=None)
    if isinstance(value, (date, int, float)):
        if column == "escalation" and isinstance(value, int):
            return t(f"escalation.{value}") if value and t.has(f"escalation.{value}") else t("export.none")
        return value
    if isinstance(value, list):
        return LIST_SEPARATOR.join(names(str(v)) for v in value)
    text = str(value)
    if column == "status":
        own = f"export.status.{kind.name}.{text}"  # a kind whose status shares a code but not a word
        return t(own) if t.has(own) else t.of_kind("status", kind.name, text) if text else ""
    prefix = VALUE_PREFIXES.get(column)
    if prefix and t.has(prefix + text):
        return t(prefix + text)
    if t.has(f"export.value.{column}.{text}"):
        return t(f"export.value.{column}.{text}")
    if column.endswith("_id"):
        return names(text)
    return text


# -- the people received on reception days ------------------------------------------------------------------------
def visitors_sheet(session: Session, *, actor: Actor, t: Translator, year: int | None = None) -> Sheet:
    """Each person received on a reception day this person may see: their phone masked as a pull masks it."""
    _check(actor, VISITORS)
    kind = kind_named("reception")
    assert kind is not None
    receptions = {r.id: r for r in _rows(session, kind, year=year, ids=None) if kind.visible(actor, r)}
    columns = [Column("day", t("export.col.visitor.day"), ColumnType.DATE),
               Column("station_id", t("export.col.station_id")),
               Column("name", t("export.col.visitor.name")),
               Column("village", t("export.col.visitor.village")),
               Column("phone", t("export.col.visitor.phone")),
               Column("concerns", t("export.col.visitor.concerns")),
               Column("created_at", t("export.col.visitor.created_at"), ColumnType.DATETIME)]
    sheet = Sheet(VISITORS, t("export.table.visitor"), columns)
    if not receptions:
        return sheet
    names = _Names(session, t)
    events = session.exec(select(RecordEvent).where(
        RecordEvent.record_kind == "reception", RecordEvent.type == "receive",
        col(RecordEvent.record_id).in_(list(receptions)), col(RecordEvent.rejected_code).is_(None))
        .order_by(col(RecordEvent.created_at), col(RecordEvent.id)))
    for event in events:
        data = {"type": event.type, "payload": dict(event.payload or {})}
        if kind.redact is not None:
            data = kind.redact("event", data, actor)
        visitor = data["payload"].get("visitor") or {}
        reception = receptions[event.record_id]
        concerns = LIST_SEPARATOR.join(c.get("text", "") for c in data["payload"].get("concerns") or ())
        sheet.add([reception.day, names(reception.station_id or ""), visitor.get("name", ""),
                   visitor.get("village", ""), visitor.get("phone", ""), concerns,
                   to_china(event.created_at).replace(tzinfo=None)])
    return sheet


# -- the year's figures ---------------------------------------------------------------------------------------------
# (catalog key, field of app.year.YearFigures): a tuple of ids counts its records.
FIGURE_ROWS = (
    ("centre_stations", "centre_stations"), ("area_stations", "area_stations"), ("inspections", "inspection_ids"),
    ("trainings", "training_ids"), ("trained", "trained"), ("duty_reports", "report_ids"),
    ("quiz_attempts", "quiz_attempt_ids"), ("quiz_takers", "quiz_takers"), ("quiz_average", "quiz_average"),
    ("reception_days", "reception_ids"), ("people_received", "people_received"), ("solved", "solved_ids"),
    ("voted_projects", "chosen_project_ids"), ("rating_rounds", "rating_rounds"),
    ("looked_back", "looked_back_ids"), ("rectified", "rectified_ids"), ("look_back_rate", "look_back_rate"),
    ("opinions", "opinion_ids"), ("rectification", "rectification"), ("on_time", "on_time"),
)


def figures_sheet(session: Session, *, actor: Actor, t: Translator, year: int) -> Sheet:
    """The year's figures, one a row: what the township reports (the office's alone)."""
    _check(actor, FIGURES)
    from app.year import year_figures  # the year's figures read every kind: only when asked for

    figures = year_figures(session, year)
    sheet = Sheet(FIGURES, t("export.table.figures"),
                  [Column("figure", t("export.col.figure")), Column("value", t("export.col.value"), ColumnType.NUMBER),
                   Column("unit", t("export.col.unit"))])
    for key, field in FIGURE_ROWS:
        value = getattr(figures, field)
        sheet.add([t(f"export.figure.{key}"), len(value) if isinstance(value, tuple) else value,
                   t(f"export.unit.{key}")])
    return sheet


def sheets_for(session: Session, tables: Iterable[str], *, actor: Actor, t: Translator,
               year: int | None = None) -> list[Sheet]:
    """Several tables, each a sheet (those this person may export)."""
    return [_sheet_of(session, name, actor=actor, t=t, year=year) for name in tables if exportable(actor, name)]
