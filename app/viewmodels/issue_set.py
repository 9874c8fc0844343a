"""A chosen set of issues as a list: what a figure of the dashboard stands for."""

from __future__ import annotations

from sqlmodel import col, select

from app.issues import Issue
from app.viewmodels.context import AppContext
from app.viewmodels.nav import IssueSet
from app.viewmodels.rows import IssueRow, issue_rows

CHUNK = 500  # ids per query: SQLite's limit on bound parameters is far above it


class IssueSetModel:
    def __init__(self, ctx: AppContext, issue_set: IssueSet):
        self.ctx, self.issue_set = ctx, issue_set
        self.rows: list[IssueRow] = []
        self.refresh()

    def refresh(self) -> None:
        t = self.ctx.t
        ids = list(dict.fromkeys(self.issue_set.ids))
        self.title = self.issue_set.title or t("shell.list.title")
        with self.ctx.session() as session:
            issues: list[Issue] = []
            for start in range(0, len(ids), CHUNK):
                issues += session.exec(select(Issue).where(col(Issue.id).in_(ids[start:start + CHUNK])))
            issues.sort(key=lambda i: (i.created_at, i.id), reverse=True)
            self.rows = issue_rows(self.ctx, session, issues)
        self.count_text = t("shell.list.count", n=len(self.rows))
        # A figure counts issues this device may not hold (yet): say so rather than show fewer silently.
        self.missing_text = t("shell.list.missing", n=len(ids) - len(self.rows)) if len(ids) > len(self.rows) else ""
        self.empty_text = t("shell.list.empty")
