"""The central store's schema: migrated once, the same tables on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from sync.server.migrations import LATEST, MIGRATIONS, migrate

RECORD_TABLES = {"station", "department", "category", "person", "issue", "issue_event", "issue_photo"}
SERVER_TABLES = {"users", "device_token", "applied_mutation", "change_log", "blob", "_migrations"}


def test_the_store_holds_the_phone_records_and_the_server_tables(central):
    tables = set(inspect(central.engine).get_table_names())
    assert RECORD_TABLES | SERVER_TABLES <= tables
    with central.engine.connect() as conn:
        versions = conn.execute(text("SELECT version, name FROM _migrations ORDER BY version")).all()
    assert [v for v, _ in versions] == [m.version for m in MIGRATIONS] and versions[-1][0] == LATEST


def test_migrating_again_changes_nothing(central):
    assert migrate(central.engine) == LATEST
    with central.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM _migrations")).scalar_one() == len(MIGRATIONS)


def test_the_record_columns_match_the_phones_models(central):
    from app.models import Category, Department, Issue, IssueEvent, IssuePhoto, Person, Station

    inspector = inspect(central.engine)
    for model in (Station, Department, Category, Person, Issue, IssueEvent, IssuePhoto):
        table = model.__tablename__
        assert {c["name"] for c in inspector.get_columns(table)} == {c.name for c in model.__table__.columns}, table


def test_times_are_stored_with_their_zone_and_payloads_as_json(central):
    times = ("issue.created_at", "issue.updated_at", "issue_event.created_at", "issue_photo.taken_at",
             "device_token.expires_at", "change_log.created_at", "blob.created_at")
    documents = ("issue_event.payload", "change_log.data", "applied_mutation.result")
    with central.engine.connect() as conn:
        if central.backend == "postgres":
            types = dict(conn.execute(text(
                "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public'")).all())
            expected_time, expected_json = "timestamp with time zone", "json"
        else:
            types = {}
            for table in {name.split(".")[0] for name in times + documents}:
                for row in conn.execute(text(f"PRAGMA table_info('{table}')")):
                    types[f"{table}.{row[1]}"] = row[2]
            expected_time, expected_json = "DATETIME", "JSON"
    for column in times:
        assert types[column] == expected_time, column
    for column in documents:
        assert types[column] == expected_json, column


def test_a_pull_reads_the_change_log_by_index(central):
    if central.backend != "postgres":
        with central.engine.connect() as conn:
            indexes = {row[1] for row in conn.execute(text("PRAGMA index_list('change_log')"))}
    else:
        with central.engine.connect() as conn:
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'change_log'"))
                          .scalars())
    assert {"ix_change_log_station_seq", "ix_change_log_department_seq", "ix_change_log_reporter_seq",
            "ix_change_log_audience_seq"} <= indexes


def test_a_pull_walks_the_seq_index_from_the_cursor(central):
    """The cost of a pull grows with the changes after the cursor, not with the size of the log."""
    from sync.server.auth import load_user
    from sync.server.db import read_session
    from sync.server.routes.sync import changes_query

    with central.engine.begin() as conn:
        if central.backend == "postgres":
            conn.execute(text(
                "INSERT INTO change_log (entity, entity_id, audience, station_id, data, created_at) "
                "SELECT 'issue', 'x' || n, 'issue', 'elsewhere', '{}', now() FROM generate_series(1, 20000) n"))
            conn.execute(text("ANALYZE change_log"))
        top = conn.execute(text("SELECT max(seq) FROM change_log")).scalar_one()
    with read_session(central.engine) as session:
        user_id = session.execute(text("SELECT id FROM users WHERE username = 'deputy-wang'")).scalar_one()
        user = load_user(session, user_id)
    query = changes_query(user, since=top - 10, top=top, limit=100)
    compiled = query.compile(central.engine, compile_kwargs={"literal_binds": True})
    with central.engine.connect() as conn:
        if central.backend == "postgres":
            plan = "\n".join(conn.execute(text(f"EXPLAIN {compiled}")).scalars())
            assert "Seq Scan" not in plan, plan
            assert "seq >" in plan, plan
        else:
            steps = [str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
            searches = [s for s in steps if "change_log" in s]
            assert searches and not any(s.startswith("SCAN") for s in searches), steps
            assert all("seq>? AND seq<?" in s or "rowid>? AND rowid<?" in s for s in searches), steps
