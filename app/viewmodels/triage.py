"""分办: the office's queue of new issues, urgent first; classify, mark a duplicate, return, assign in a batch."""

from __future__ import annotations

from dataclasses import dataclass

from app.issues import Issue, Nature, Urgency, triage_queue
from app.models import Category
from app.viewmodels.context import AppContext
from app.viewmodels.office import Chip, Selection, Ticking, Tone, WorkRow, allowed, names, people
from app.viewmodels.rows import issue_rows


@dataclass(frozen=True)
class TriageRow(WorkRow):
    reporter: str
    category: str
    chips: tuple[Chip, ...]  # 紧急, 建议, 重点建议: what classifying said so far
    actions: frozenset[str]  # the event types the office may record on it now
    selected: bool


class TriageModel(Ticking):
    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.selection = Selection()
        self.rows: list[TriageRow] = []
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        actor = ctx.actor()
        with ctx.session() as session:
            issues = triage_queue(session)
            base = issue_rows(ctx, session, issues)
            reporters = people(session, (i.reporter_id for i in issues))
            categories = names(session, Category, (i.category_id for i in issues))
            self.selection.keep_only(i.id for i in issues)
            self.rows = [TriageRow(row=row, reporter=getattr(reporters.get(issue.reporter_id), "name", ""),
                                   category=ctx.name_of(categories.get(issue.category_id)),
                                   chips=_chips(t, issue), actions=allowed(session, issue, actor),
                                   selected=issue.id in self.selection)
                         for issue, row in zip(issues, base)]

    @property
    def count_text(self) -> str:
        return self.ctx.t("office.triage.count", n=len(self.rows))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("office.triage.empty")



def _chips(t, issue: Issue) -> tuple[Chip, ...]:
    chips = []
    if issue.urgency == Urgency.URGENT.value:
        chips.append(Chip(t("urgency.urgent"), Tone.DANGER))
    if issue.nature == Nature.SUGGESTION.value:
        chips.append(Chip(t("nature.suggestion"), Tone.INFO))
    if issue.key_suggestion:
        chips.append(Chip(t("office.key_suggestion"), Tone.WARNING))
    return tuple(chips)
