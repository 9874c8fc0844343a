"""The server process killed with SIGKILL in the middle of a push: after a restart and a retry, nothing is lost or doubled."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter

from sqlmodel import select

from app.issues import timeline
from app.models import OutboxMutation
from app.outbox import DONE_STATES, SyncOutcome
from tests.sync.phones import ServerProcess, central_rows, new_phone, prepare_central

ISSUES = 250  # with a comment each: 500 mutations, one full batch


def _applied(db) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM applied_mutation").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _writing(conn: sqlite3.Connection) -> bool:
    """Tell whether a writer holds the store's write lock (the push applying its batch), without waiting."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    conn.execute("ROLLBACK")
    return False


def test_faults_server_killed_mid_batch_loses_and_doubles_nothing(tmp_path):
    data_dir = tmp_path / "central"
    prepare_central(data_dir)
    db = data_dir / "central.sqlite3"
    server = ServerProcess(data_dir)
    server.start()
    try:
        async def capture_and_push_into_a_kill():
            phone = await new_phone(tmp_path, "zhang", "deputy-zhang", base_url=server.url)
            issue_ids = []
            for n in range(ISSUES):
                issue = phone.capture(title=f"灌溉渠堵塞 第{n + 1}段", category="water")
                phone.act(issue.id, "comment", text="渠道淤泥约半米深")
                issue_ids.append(issue.id)

            async def kill_while_the_batch_is_being_applied():
                # The push is the only writer during this sync: kill the server while it holds the lock.
                conn = sqlite3.connect(db, timeout=0, isolation_level=None)
                try:
                    deadline = time.monotonic() + 60
                    while not _writing(conn) and time.monotonic() < deadline:
                        await asyncio.sleep(0.001)
                    server.kill()
                finally:
                    conn.close()

            killer = asyncio.create_task(kill_while_the_batch_is_being_applied())
            report = await phone.client.sync_once()
            await killer
            return phone, issue_ids, report

        phone, issue_ids, first = asyncio.run(capture_and_push_into_a_kill())
        applied_before_kill = _applied(db)
        assert first.outcome is SyncOutcome.OFFLINE, first
        # A batch is one transaction: the kill leaves none of it (or all, had it come just after the commit).
        assert applied_before_kill in (0, 2 * ISSUES), applied_before_kill
        with phone.session() as session:
            assert {m.state for m in session.exec(select(OutboxMutation))} == {"pending"}

        server.start()  # same data dir, same port

        async def retry():
            second = await phone.client.sync_once()
            await phone.client.aclose()
            return second

        second = asyncio.run(retry())
    finally:
        server.stop()

    assert second.outcome is SyncOutcome.OK, second
    assert second.duplicates == applied_before_kill
    assert second.applied == 2 * ISSUES - applied_before_kill and not second.rejected
    assert sorted(r[0] for r in central_rows(db, "SELECT id FROM issue")) == sorted(issue_ids)
    events = Counter(central_rows(db, "SELECT record_id, type FROM record_event"))
    assert events == Counter({(i, kind): 1 for i in issue_ids for kind in ("create", "comment")})
    logged = central_rows(db, "SELECT entity_id, count(*) FROM change_log WHERE entity = 'event' GROUP BY entity_id")
    assert len(logged) == 2 * ISSUES and {count for _, count in logged} == {1}
    assert central_rows(db, "SELECT count(*) FROM applied_mutation") == [(2 * ISSUES,)]
    with phone.session() as session:
        assert all(m.state in DONE_STATES for m in session.exec(select(OutboxMutation)))
        for issue_id in issue_ids[:: ISSUES // 10]:
            assert None not in [e.server_seq for e in timeline(session, issue_id)]
