"""The central store's schema: migrated once, the same tables on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import MetaData, insert, inspect, text

from app.actors import Role
from app.ids import new_id
from app.reference import stable_id
from app.replica import parse_change
from app.settings import Settings
from sync.server.db import open_database
from sync.server.migrations import LATEST, MIGRATIONS, migrate

RECORD_TABLES = {"station", "department", "category", "person", "issue", "record_event", "record_photo"}
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
    from app.issues import Issue
    from app.models import Category, Department, Person, Station
    from app.records import RecordEvent, RecordPhoto

    inspector = inspect(central.engine)
    for model in (Station, Department, Category, Person, Issue, RecordEvent, RecordPhoto):
        table = model.__tablename__
        assert {c["name"] for c in inspector.get_columns(table)} == {c.name for c in model.__table__.columns}, table


def test_times_are_stored_with_their_zone_and_payloads_as_json(central):
    times = ("issue.created_at", "issue.updated_at", "record_event.created_at", "record_photo.taken_at",
             "device_token.expires_at", "change_log.created_at", "blob.created_at")
    documents = ("record_event.payload", "change_log.data", "applied_mutation.result")
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
    assert {"ix_change_log_station_seq", "ix_change_log_department_seq", "ix_change_log_author_seq",
            "ix_change_log_audience_seq"} <= indexes


def test_a_pull_walks_the_seq_index_from_the_cursor(central):
    """The cost of a pull grows with the changes after the cursor, not with the size of the log."""
    from sync.server.auth import load_user
    from sync.server.db import read_session
    from sync.server.routes.sync import changes_query

    with central.engine.begin() as conn:
        if central.backend == "postgres":
            conn.execute(text(
                "INSERT INTO change_log (entity, entity_id, record_kind, audience, station_id, data, created_at) "
                "SELECT 'issue', 'x' || n, 'issue', 'record', 'elsewhere', '{}', now() "
                "FROM generate_series(1, 20000) n"))
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


# ---------------------------------------------------------------- from issues to records (step 2)

@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store(request, tmp_path):
    """A central store with no schema at all, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("postgres_database") if request.param == "postgres" else ""
    engine = open_database(Settings(data_dir=tmp_path / "central", database_url=url))
    yield engine
    engine.dispose()


def _write_an_issue_as_version_1_did(engine) -> dict[str, str]:
    """Deputy Wang's issue with a photo, a comment and a refused rating, logged as the issue-only store did."""
    ids = {"station": stable_id("station", "juyuan"), "category": stable_id("category", "roads"),
           "wang": new_id(), "wang_user": new_id(), "issue": new_id(), "create": new_id(), "comment": new_id(),
           "rate": new_id(), "sha": hashlib.sha256(b"photo").hexdigest()}
    at = datetime(2026, 5, 15, 2, 30, tzinfo=timezone.utc)
    issue = dict(id=ids["issue"], title="机耕道路面塌陷", description="农用车无法通行", category_id=ids["category"],
                 place_type="farmland", place_name="枣园村二组", latitude=33.15, longitude=116.4, accuracy_m=8.0,
                 location_source="device", reporter_id=ids["wang"], station_id=ids["station"], source="visit",
                 created_at=at, status="new", department_id=None, rating=None, updated_at=at,
                 search_text="机耕道路面塌陷 枣园村二组 农用车无法通行")
    photo = dict(issue_id=ids["issue"], sha256=ids["sha"], position=0, width=64, height=48, byte_size=1234,
                 taken_at=at, latitude=33.15, longitude=116.4)
    events = [dict(id=ids["create"], issue_id=ids["issue"], kind="create", actor_id=ids["wang"], actor_role="deputy",
                   created_at=at, payload={"photos": [ids["sha"]]}, server_seq=4, rejected_code=None,
                   rejected_reason=None),
              dict(id=ids["comment"], issue_id=ids["issue"], kind="comment", actor_id=ids["wang"],
                   actor_role="deputy", created_at=at, payload={"text": "塌陷扩大"}, server_seq=5, rejected_code=None,
                   rejected_reason=None),
              dict(id=ids["rate"], issue_id=ids["issue"], kind="rate", actor_id=ids["wang"], actor_role="deputy",
                   created_at=at, payload={"score": 5}, server_seq=6, rejected_code="event.not_allowed_in_status",
                   rejected_reason="not resolved yet")]

    def as_logged(row: dict) -> dict:
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}

    station = dict(id=ids["station"], code="juyuan", name="桔园片区", name_en="Juyuan", kind="area", sort_order=1)
    scope = dict(issue_id=ids["issue"], station_id=ids["station"], department_id=None, reporter_id=ids["wang"])
    log = [dict(seq=1, entity="station", entity_id=ids["station"], issue_id=None, audience="everyone",
                station_id=None, department_id=None, reporter_id=None, data=station, created_at=at),
           dict(seq=2, entity="issue", entity_id=ids["issue"], audience="issue", data=as_logged(issue),
                created_at=at, **scope),
           dict(seq=3, entity="photo", entity_id=f"{ids['issue']}:{ids['sha']}", audience="issue",
                data=as_logged(photo), created_at=at, **scope)]
    log += [dict(seq=e["server_seq"], entity="event", entity_id=e["id"], audience="issue", data=as_logged(e),
                 created_at=at, **scope) for e in events]
    tables = MetaData()
    with engine.begin() as conn:
        tables.reflect(conn)
        t = tables.tables
        conn.execute(insert(t["station"]), [station])
        conn.execute(insert(t["category"]), [dict(id=ids["category"], code="roads", name="道路交通", name_en="Roads",
                                                   sort_order=1, active=True)])
        conn.execute(insert(t["person"]), [dict(id=ids["wang"], name="王建华", role="deputy", station_id=ids["station"],
                                                 department_id=None, phone="")])
        conn.execute(insert(t["users"]), [dict(id=ids["wang_user"], username="deputy-wang", password_hash="x",
                                                person_id=ids["wang"], created_at=at, password_changed_at=at)])
        conn.execute(insert(t["issue"]), [issue])
        conn.execute(insert(t["issue_photo"]), [photo])
        conn.execute(insert(t["issue_event"]), events)
        for row in log:  # numbered by the store, as version 1 numbered them
            seq = row.pop("seq")
            assert conn.execute(insert(t["change_log"]).values(row)).inserted_primary_key[0] == seq
    return ids


def test_an_issue_of_version_1_arrives_whole_in_the_record_tables_and_the_log(empty_store):
    from sync.protocol import Mutation
    from sync.server.auth import CurrentUser
    from sync.server.push import apply_batch
    from sync.server.routes.sync import read_changes

    assert migrate(empty_store, up_to=1) == 1
    ids = _write_an_issue_as_version_1_did(empty_store)
    assert migrate(empty_store) == LATEST

    tables = set(inspect(empty_store).get_table_names())
    assert {"record_event", "record_photo"} <= tables and not {"issue_event", "issue_photo"} & tables
    log_columns = {c["name"] for c in inspect(empty_store).get_columns("change_log")}
    assert {"record_kind", "record_id", "author_id"} <= log_columns
    assert not {"issue_id", "reporter_id"} & log_columns
    with empty_store.connect() as conn:
        events = conn.execute(text(
            "SELECT id, record_kind, record_id, type, actor_id, actor_role, actor_station_id, server_seq, "
            "rejected_code FROM record_event ORDER BY server_seq")).all()
        payloads = [p if isinstance(p, dict) else json.loads(p) for p in conn.execute(text(
            "SELECT payload FROM record_event ORDER BY server_seq")).scalars()]
        photos = conn.execute(text("SELECT record_kind, record_id, sha256, position, width, height, byte_size "
                                   "FROM record_photo")).all()
        log = conn.execute(text("SELECT seq, entity, record_kind, record_id, audience, station_id, author_id "
                                "FROM change_log ORDER BY seq")).all()
        data = {seq: d if isinstance(d, dict) else json.loads(d)
                for seq, d in conn.execute(text("SELECT seq, data FROM change_log"))}
    wang, issue, station = ids["wang"], ids["issue"], ids["station"]
    assert [tuple(e) for e in events] == [
        (ids["create"], "issue", issue, "create", wang, "deputy", station, 4, None),
        (ids["comment"], "issue", issue, "comment", wang, "deputy", station, 5, None),
        (ids["rate"], "issue", issue, "rate", wang, "deputy", station, 6, "event.not_allowed_in_status")]
    assert payloads == [{"photos": [ids["sha"]]}, {"text": "塌陷扩大"}, {"score": 5}]
    assert [tuple(p) for p in photos] == [("issue", issue, ids["sha"], 0, 64, 48, 1234)]
    assert [tuple(row) for row in log] == [
        (1, "station", None, None, "everyone", None, None),
        *[(seq, entity, "issue", issue, "record", station, wang)
          for seq, entity in ((2, "issue"), (3, "photo"), (4, "event"), (5, "event"), (6, "event"))]]
    for seq in (4, 5, 6):
        assert {"record_kind", "record_id", "type"} <= set(data[seq]) and not {"issue_id", "kind"} & set(data[seq])
        assert (data[seq]["record_id"], data[seq]["record_kind"]) == (issue, "issue")
    assert [data[seq]["type"] for seq in (4, 5, 6)] == ["create", "comment", "rate"]
    assert (data[3]["record_id"], data[3]["record_kind"], data[3]["sha256"]) == (issue, "issue", ids["sha"])
    assert "issue_id" not in data[3]
    assert data[2]["title"] == "机耕道路面塌陷"

    # A phone reads every change in the shape it now expects; the deputy's pull holds them all.
    assert all(parse_change(seq, entity, data[seq]) is not None for seq, entity, *_ in log)
    deputy = CurrentUser(user_id=ids["wang_user"], username="deputy-wang", person_id=wang, name="王建华",
                         role=Role.DEPUTY, station_id=station, department_id=None, token_id="")
    assert [c.seq for c in read_changes(empty_store, deputy, since=0, limit=100).changes] == [1, 2, 3, 4, 5, 6]
    elsewhere = CurrentUser(user_id=new_id(), username="deputy-li", person_id=new_id(), name="李", role=Role.DEPUTY,
                            station_id=stable_id("station", "qixing"), department_id=None, token_id="")
    assert [c.seq for c in read_changes(empty_store, elsewhere, since=0, limit=100).changes] == [1]
    # And the server goes on with the timeline it folds from the moved events.
    comment = Mutation(id=new_id(), kind="issue.event", body={
        "id": new_id(), "record_id": issue, "type": "comment", "payload": {"text": "仍未修复"}})
    [answer] = apply_batch(empty_store, user=deputy, device_id="wang-phone", mutations=[comment])
    assert (answer["status"], answer["seq"]) == ("applied", 8)
