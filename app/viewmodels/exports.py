"""导出: what the 导出 dialog of a screen offers (its list, tables of a year, everything) and the files, no page.

    model = ExportModel(ctx, tables=("issue",), list_ids=[row.id for row in rows])
    model.groups                       # [(heading, [choice, ...]), ...] this person may take
    name, data = model.file(choice)    # or None, with model.error saying why
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from app.actors import OFFICE_ROLES
from app.errors import DomainError
from app.exports import ALL, GEO_TABLES, csv_bytes, export_file, exportable, issues_sheet, xlsx_bytes
from app.exports._tables import file_name
from app.issues import today_in_china
from app.viewmodels.context import AppContext

YEARS_BACK = 4  # the years the dialog offers: this one and the four before it
LIST = "list"  # the rows of the list on screen


@dataclass(frozen=True)
class ExportChoice:
    table: str  # a table name, ALL, or LIST
    fmt: str  # xlsx, csv or geojson
    label: str

    @property
    def key(self) -> str:
        return f"{self.table}.{self.fmt}"


@dataclass(frozen=True)
class ExportGroup:
    heading: str
    choices: tuple[ExportChoice, ...]
    by_year: bool = True  # the year chosen decides its rows (not so the list on screen)


class ExportModel:
    def __init__(self, ctx: AppContext, *, tables: Sequence[str] = ("issue",), list_ids: Sequence[str] | None = None,
                 list_title: str = ""):
        self.ctx = ctx
        self.tables = tuple(tables)
        self.list_ids = list(list_ids) if list_ids is not None else None
        self.list_title = list_title
        self.year = today_in_china().year
        self.error = ""

    @property
    def years(self) -> list[int]:
        this = today_in_china().year
        return list(range(this, this - YEARS_BACK - 1, -1))

    def set_year(self, year: int | str) -> None:
        self.year = int(year)

    @property
    def groups(self) -> list[ExportGroup]:
        t, actor = self.ctx.t, self.ctx.actor()
        groups: list[ExportGroup] = []
        if self.list_ids is not None:
            groups.append(ExportGroup(t("export.this_list", n=len(self.list_ids)),
                                      (self._choice(LIST, "xlsx"), self._choice(LIST, "csv")), by_year=False))
        for table in self.tables:
            if not exportable(actor, table):
                continue
            formats = ("xlsx", "csv", "geojson") if table in GEO_TABLES else ("xlsx", "csv")
            groups.append(ExportGroup(t("export.table_of_year", title=t(f"export.table.{table}"), year=self.year),
                                      tuple(self._choice(table, f) for f in formats)))
        if actor.role in OFFICE_ROLES:
            groups.append(ExportGroup(t("export.all_of_year", year=self.year), (self._choice(ALL, "xlsx"),)))
        return groups

    def _choice(self, table: str, fmt: str) -> ExportChoice:
        return ExportChoice(table, fmt, self.ctx.t(f"export.{'excel' if fmt == 'xlsx' else fmt}"))

    def file(self, choice: ExportChoice) -> tuple[str, bytes] | None:
        """The file of a choice and its name; None with `error` set if it is refused."""
        t, actor = self.ctx.t, self.ctx.actor()
        self.error = ""
        try:
            with self.ctx.session() as session:
                if choice.table == LIST:
                    sheet = issues_sheet(session, self.list_ids or [], actor=actor, t=t)
                    if self.list_title:
                        sheet.title = self.list_title
                    data = xlsx_bytes([sheet]) if choice.fmt == "xlsx" else csv_bytes(sheet)
                    return file_name(t, sheet.title, None, choice.fmt), data
                made = export_file(session, choice.table, choice.fmt, actor=actor, t=t, year=self.year)
                return made.name, made.data
        except DomainError as error:
            self.error = t(error.code.message_key, **error.params)
            return None

    def saved_text(self, name: str) -> str:
        return self.ctx.t("export.saved", name=name)
