"""The issue list: newest first, filtered, searched and loaded a page at a time."""

from __future__ import annotations

from app.issues import PAGE_SIZE, IssueQuery, Status, list_issues
from app.viewmodels.context import AppContext
from app.viewmodels.rows import IssueRow, issue_rows


class IssueListModel:
    def __init__(self, ctx: AppContext, page_size: int = PAGE_SIZE):
        self.ctx = ctx
        self.page_size = page_size
        self.query = IssueQuery()
        self.rows: list[IssueRow] = []
        self._cursor = None
        self.has_more = False
        self.reload()

    def status_options(self) -> list[tuple[str, str]]:
        return [(s.value, self.ctx.t(f"status.{s.value}")) for s in Status]

    def category_options(self) -> list[tuple[str, str]]:
        return [(c.id, self.ctx.name_of(c)) for c in self.ctx.categories()]

    def station_options(self) -> list[tuple[str, str]]:
        return [(s.id, self.ctx.name_of(s)) for s in self.ctx.stations()]

    def set_filter(self, *, status: str | None = ..., category_id: str | None = ..., station_id: str | None = ...,
                   text: str | None = None) -> None:
        """Change one or more filters ('' or None clears one) and load the first page again."""
        changes = {}
        if status is not ...:
            changes["status"] = status or None
        if category_id is not ...:
            changes["category_id"] = category_id or None
        if station_id is not ...:
            changes["station_id"] = station_id or None
        if text is not None:
            changes["text"] = text.strip()
        self.query = IssueQuery(**{**self.query.__dict__, **changes})
        self.reload()

    def clear_filters(self) -> None:
        self.query = IssueQuery()
        self.reload()

    @property
    def filtered(self) -> bool:
        return self.query != IssueQuery()

    def reload(self) -> None:
        self.rows, self._cursor = [], None
        self.load_more()

    def load_more(self) -> None:
        with self.ctx.session() as session:
            page = list_issues(session, self.query, after=self._cursor, limit=self.page_size)
            self.rows = self.rows + issue_rows(self.ctx, session, page.items)
        self._cursor = page.next_cursor
        self.has_more = page.next_cursor is not None

    @property
    def empty_text(self) -> str:
        return self.ctx.t("list.empty_filtered") if self.filtered else self.ctx.t("list.empty")
