"""A list page asks the outbox about its own rows only, however much waits to sync (bench/outbox_list.py times it)."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import Session, text

from app.actors import Actor
from app.issues import ISSUE, IssueDraft, create_body
from app.photos import PhotoStore
from app.records import add_record, queue
from app.reference import stable_id
from app.viewmodels.context import AppContext
from app.viewmodels.issue_list import IssueListModel


def _record_offline(session: Session, person, count: int) -> None:
    actor = Actor.of(person)
    for n in range(count):
        body = create_body(IssueDraft(title=f"第{n}号：渠道堵塞", category_id=stable_id("category", "water")))
        add_record(session, ISSUE, body, actor=actor)
        queue(session, ISSUE.create_mutation, body.model_dump(mode="json"), record_kind=ISSUE.name,
              record_id=body.id, event_id=body.event_id)
    session.commit()


def test_the_first_page_reads_only_its_own_rows_of_a_long_outbox(engine, session, township, settings, tmp_path):
    _record_offline(session, township["deputy-wang"], 300)
    ctx = AppContext(engine, PhotoStore(tmp_path / "photos"), settings)
    statements: list[str] = []
    listen = lambda _conn, _cursor, statement, *_args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        model = IssueListModel(ctx)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(model.rows) == 30 and all(row.waiting for row in model.rows)
    outbox_reads = [s for s in statements if "FROM outbox" in s]
    assert outbox_reads, "the list no longer marks waiting rows"
    assert all("outbox.record_id IN" in s for s in outbox_reads), outbox_reads


def test_the_outbox_is_asked_by_record_through_its_index(engine, session, township):
    _record_offline(session, township["deputy-wang"], 5)
    plan = session.exec(text("EXPLAIN QUERY PLAN SELECT record_id, event_id FROM outbox "
                             "WHERE record_id IN ('a', 'b') AND state = 'pending'")).all()
    assert any("ix_outbox_record" in str(row) for row in plan), plan
