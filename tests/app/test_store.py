import json
import sqlite3

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select

from app.demo import seed_demo
from app.issues import ISSUE, Issue, Status, issue_state, photos_of, timeline
from app.migrations import LATEST, migrate
from app.models import OutboxMutation, SQLModel
from app.outbox import pending_mutations, waiting_changes
from app.records import EventBody, RecordEvent, RecordPhoto
from app.replica import HELD, apply_changes, parse_change
from app.store import get_meta, open_store, set_meta


def test_the_store_file_runs_in_wal_mode(tmp_path):
    engine = open_store(tmp_path / "lianluo.sqlite3")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_store_written_by_the_first_schema_opens_with_its_rows_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = create_engine(f"sqlite:///{path}")
    assert migrate(old, up_to=1) == 1
    with old.begin() as conn:  # rows as the first app version wrote them
        conn.execute(text("INSERT INTO category (id, code, name, name_en, sort_order, active) "
                          "VALUES ('c1', 'water', '供水与饮水安全', '', 0, 1)"))
        conn.execute(text(
            "INSERT INTO issue (id, title, description, category_id, place_type, place_name, location_source, "
            "source, created_at, status, updated_at) VALUES ('i1', '饮用水浑浊', '雨后浑浊', 'c1', 'village', "
            "'七星村五组', 'none', 'visit', '2026-05-15 02:00:00.000000', 'new', '2026-05-15 02:00:00.000000')"))
        conn.execute(text("INSERT INTO draft (id, author_id, data, updated_at) "
                          "VALUES ('d1', NULL, '{\"title\": \"没写完的\"}', '2026-05-15 02:00:00.000000')"))
    old.dispose()

    engine = open_store(path)
    with Session(engine) as session:
        issue = session.get(Issue, "i1")
        assert (issue.title, issue.description, issue.place_name) == ("饮用水浑浊", "雨后浑浊", "七星村五组")
        assert issue.search_text == "饮用水浑浊 七星村五组 雨后浑浊"  # filled in by step 2
        assert session.exec(text("SELECT data FROM draft WHERE id = 'd1'")).one()[0] == '{"title": "没写完的"}'
        versions = [row[0] for row in session.exec(text("SELECT version FROM _migrations ORDER BY version"))]
    assert versions == list(range(1, LATEST + 1))


def _uuid(n: int) -> str:
    return f"00000000-0000-7000-8000-{n:012d}"


I1, I2, I3 = _uuid(1), _uuid(2), _uuid(3)  # pulled and assigned; captured here, waiting; not arrived yet
E1, E2, E3, E4, E5 = (_uuid(n) for n in range(11, 16))
M1, M2 = _uuid(21), _uuid(22)
SHA1, SHA2, SHA3 = "a1" * 32, "b2" * 32, "c3" * 32
AT = "2026-05-15 02:00:00.000000"


def _write_version_2_rows(conn) -> None:
    """What the app at schema 2 wrote: issue events and photos of their own, outbox rows without their record."""
    def run(sql: str, **params) -> None:
        conn.execute(text(sql), params)

    run("INSERT INTO station (id, code, name, kind) VALUES ('s1', 'juyuan', '桔园片区联络站', 'area')")
    run("INSERT INTO category (id, code, name) VALUES ('c1', 'water', '供水与饮水安全')")
    run("INSERT INTO department (id, code, name) VALUES ('d1', 'water', '水务站')")
    run("INSERT INTO person (id, name, role, station_id) VALUES ('wang', '王建华', 'deputy', 's1')")
    run("INSERT INTO person (id, name, role) VALUES ('ma', '马主任', 'office')")
    for issue_id, title, status, department in ((I1, "饮用水浑浊", "assigned", "d1"), (I2, "水管破裂", "new", None)):
        run("INSERT INTO issue (id, title, description, category_id, place_type, place_name, location_source, "
            "reporter_id, station_id, source, created_at, status, department_id, updated_at, search_text) "
            "VALUES (:id, :t, '', 'c1', 'village', '七星村', 'none', 'wang', 's1', 'visit', :at, :s, :d, :at, :t)",
            id=issue_id, t=title, s=status, d=department, at=AT)
    events = ((E1, I1, "create", "wang", "deputy", {"photos": [SHA1]}, 5),
              (E2, I1, "assign", "ma", "office", {"department_id": "d1", "text": "请水务站处理"}, 6),
              (E3, I1, "comment", "wang", "deputy", {"text": "又浑了"}, None),  # waits in the outbox
              (E4, I2, "create", "wang", "deputy", {"photos": [SHA2]}, None))  # waits in the outbox
    for event_id, issue_id, kind, actor, role, payload, seq in events:
        run("INSERT INTO issue_event (id, issue_id, kind, actor_id, actor_role, created_at, payload, server_seq) "
            "VALUES (:id, :i, :k, :a, :r, :at, :p, :seq)",
            id=event_id, i=issue_id, k=kind, a=actor, r=role, at=AT, p=json.dumps(payload), seq=seq)
    for issue_id, sha in ((I1, SHA1), (I2, SHA2)):
        run("INSERT INTO issue_photo (issue_id, sha256, position, width, height, byte_size) "
            "VALUES (:i, :s, 0, 1600, 1200, 200000)", i=issue_id, s=sha)
    create = {"id": I2, "event_id": E4, "title": "水管破裂", "description": "", "category_id": "c1",
              "place_type": "village", "place_name": "七星村", "location": None, "station_id": None,
              "source": "visit", "reporter_id": "wang", "created_at": "2026-05-15T02:00:00+00:00",
              "photos": [{"sha256": SHA2, "width": 1600, "height": 1200, "byte_size": 200000, "taken_at": None,
                          "latitude": None, "longitude": None}]}
    comment = {"id": E3, "issue_id": I1, "kind": "comment", "payload": {"text": "又浑了"},
               "created_at": "2026-05-15T02:00:00+00:00"}
    for mutation_id, kind, body in ((M1, "issue.create", create), (M2, "issue.event", comment)):
        run("INSERT INTO outbox (id, kind, body, created_at, state) VALUES (:id, :k, :b, :at, 'pending')",
            id=mutation_id, k=kind, b=json.dumps(body, ensure_ascii=False), at=AT)
    # A pulled comment and photo of an issue that had not arrived, held back for it.
    held = [{"seq": 30, "entity": "event", "data": {
                "id": E5, "issue_id": I3, "kind": "comment", "actor_id": "ma", "actor_role": "office",
                "created_at": "2026-05-15T03:00:00+00:00", "payload": {"text": "已转水务站"}, "server_seq": None,
                "rejected_code": None, "rejected_reason": None}},
            {"seq": 31, "entity": "photo", "data": {
                "issue_id": I3, "sha256": SHA3, "position": 0, "width": 640, "height": 480, "byte_size": 1000,
                "taken_at": None}}]
    run("INSERT INTO meta (key, value) VALUES ('sync.held', :v)", v=json.dumps(held, ensure_ascii=False))


def test_a_store_written_before_the_record_engine_keeps_its_timelines_photos_outbox_and_held_changes(tmp_path):
    path = tmp_path / "v2.sqlite3"
    old = create_engine(f"sqlite:///{path}")
    assert migrate(old, up_to=2) == 2
    with old.begin() as conn:
        _write_version_2_rows(conn)
    old.dispose()

    engine = open_store(path)
    with Session(engine) as session:
        events = {e.id: (e.record_kind, e.record_id, e.type, e.actor_id, e.actor_role, e.actor_station_id,
                         e.server_seq, e.payload) for e in session.exec(select(RecordEvent))}
        assert events == {
            E1: ("issue", I1, "create", "wang", "deputy", "s1", 5, {"photos": [SHA1]}),
            E2: ("issue", I1, "assign", "ma", "office", None, 6, {"department_id": "d1", "text": "请水务站处理"}),
            E3: ("issue", I1, "comment", "wang", "deputy", "s1", None, {"text": "又浑了"}),
            E4: ("issue", I2, "create", "wang", "deputy", "s1", None, {"photos": [SHA2]}),
        }
        assert [e.id for e in timeline(session, I1)] == [E1, E2, E3]
        state = issue_state(session, session.get(Issue, I1))
        assert (state.status, state.department_id) == (Status.ASSIGNED, "d1")
        photos = [(p.record_kind, p.record_id, p.sha256, p.width, p.byte_size)
                  for p in session.exec(select(RecordPhoto))]
        assert sorted(photos) == [("issue", I1, SHA1, 1600, 200000), ("issue", I2, SHA2, 1600, 200000)]
        assert [p.sha256 for p in photos_of(session, I2)] == [SHA2]

        outbox = {m.id: m for m in pending_mutations(session)}
        assert [(m.kind, m.record_kind, m.record_id, m.event_id) for m in outbox.values()] == [
            ("issue.create", "issue", I2, E4), ("issue.event", "issue", I1, E3)]
        assert outbox[M2].body == {"id": E3, "record_id": I1, "type": "comment", "payload": {"text": "又浑了"},
                                   "created_at": "2026-05-15T02:00:00+00:00"}
        assert EventBody.model_validate(outbox[M2].body).type == "comment"  # what the push sends
        created = ISSUE.create.model_validate(outbox[M1].body)
        assert (created.id, created.event_id, created.title, [p.sha256 for p in created.photos]) == (
            I2, E4, "水管破裂", [SHA2])
        assert waiting_changes(session, [I1, I2]) == {I1: {E3}, I2: {E4}}

        held = json.loads(get_meta(session, HELD))
        assert [(c["seq"], c["entity"], c["data"]["record_kind"], c["data"]["record_id"]) for c in held] == [
            (30, "event", "issue", I3), (31, "photo", "issue", I3)]
        assert held[0]["data"]["type"] == "comment" and "issue_id" not in held[0]["data"]
        # The issue they wait for arrives: both are applied with it.
        issue = {"id": I3, "title": "井水发黄", "category_id": "c1", "station_id": "s1", "reporter_id": "wang",
                 "created_at": "2026-05-15T02:30:00+00:00", "updated_at": "2026-05-15T02:30:00+00:00"}
        applied = apply_changes(session, [parse_change(32, "issue", issue)])
        session.commit()
        assert applied.applied == 3 and applied.held == 0 and get_meta(session, HELD) == ""
        assert [(e.id, e.type, e.server_seq) for e in timeline(session, I3)] == [(E5, "comment", 30)]
        assert [p.sha256 for p in photos_of(session, I3)] == [SHA3]


def test_opening_twice_applies_nothing_again(tmp_path):
    path = tmp_path / "s.sqlite3"
    open_store(path).dispose()
    open_store(path).dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == LATEST


def test_the_migrated_schema_has_every_column_the_models_use(engine):
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue  # tables of the central store live in its own schema
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert {c.name for c in table.columns} <= columns, table.name
    for name in ("station", "department", "category", "person", "issue", "record_event", "record_photo", "draft",
                 "outbox", "meta"):
        assert inspector.has_table(name)
    assert not inspector.has_table("issue_event") and not inspector.has_table("issue_photo")


def test_demo_data_covers_every_station_and_every_status(session):
    assert seed_demo(session) > 0
    issues = session.exec(select(Issue)).all()
    assert {i.status for i in issues} == {"new", "assigned", "in_progress", "resolved", "rated", "verified", "returned",
                                          "merged"}
    assert len({i.station_id for i in issues}) == 8
    assert seed_demo(session) == 0  # loading twice adds nothing


def test_the_store_tells_its_storage_after_every_commit(tmp_path):
    class Browser:  # the PWA's storage flushes the file to IndexedDB when told
        def __init__(self):
            self.told = 0

        def persist(self):
            self.told += 1

    storage = Browser()
    engine = open_store(tmp_path / "lianluo.sqlite3", storage=storage)
    before = storage.told
    with Session(engine) as session:
        set_meta(session, "language", "en")
        session.commit()
    assert storage.told == before + 1
