"""待办: what a department handles now, as lead or co-handling, the nearest deadline first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.issues import Issue, department_queue, record_event, today_in_china
from app.models import Department
from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Form, Tone, WorkRow, allowed, day_text, deadline_chip
from app.viewmodels.rows import issue_rows


@dataclass(frozen=True)
class QueueRow(WorkRow):
    role: Chip  # 牵头 or 协办
    due: Chip | None  # 逾期 3 天 / 今天到期 / 还剩 2 天 / 期限 12月20日
    extension: str  # 已申请延期至 12月20日，等待答复
    can_acknowledge: bool  # newly assigned to this department as lead: 签收 from the row


class QueueModel:
    def __init__(self, ctx: AppContext, *, today: date | None = None):
        self.ctx = ctx
        self.today = today
        self.rows: list[QueueRow] = []
        self.error = ""  # why the last 签收 was refused
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx
        person = ctx.current_user()
        self.department_id = person.department_id if person is not None else None
        today = self.today or today_in_china()
        if not self.department_id:
            self.rows, self.department = [], ""
            return
        actor = ctx.actor()
        with ctx.session() as session:
            self.department = ctx.name_of(session.get(Department, self.department_id))
            issues = department_queue(session, self.department_id)
            base = issue_rows(ctx, session, issues)
            self.rows = [QueueRow(row=row, role=self._role(issue), due=deadline_chip(ctx, issue.deadline, today),
                                  extension=self._extension(issue),
                                  can_acknowledge="acknowledge" in allowed(session, issue, actor))
                         for issue, row in zip(issues, base)]

    def _extension(self, issue: Issue) -> str:
        if issue.extension_asked is None:
            return ""
        return self.ctx.t("office.queue.extension_asked", date=day_text(self.ctx, issue.extension_asked))

    def _role(self, issue: Issue) -> Chip:
        if issue.department_id == self.department_id:
            return Chip(self.ctx.t("office.queue.lead"), Tone.INFO)
        return Chip(self.ctx.t("office.queue.co"), Tone.QUIET)

    @property
    def heading(self) -> str:
        return self.ctx.t("office.queue.count", department=self.department, n=len(self.rows))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("office.queue.empty")

    def acknowledge(self, issue_id: str) -> bool:
        """签收 an issue newly assigned to this department."""
        form = Form(self.ctx)
        ok = form.attempt(lambda session: record_event(session, actor=self.ctx.actor(), issue_id=issue_id,
                                                       type_="acknowledge", payload={}))
        self.error = form.form_error
        self.reload()
        return ok
