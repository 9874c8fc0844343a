import sqlite3

from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session, select

from app.demo import seed_demo
from app.migrations import LATEST, migrate
from app.models import Issue, SQLModel
from app.store import open_store


def test_the_store_file_runs_in_wal_mode(tmp_path):
    engine = open_store(tmp_path / "lianluo.sqlite3")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_store_written_by_the_previous_schema_opens_with_its_rows_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = create_engine(f"sqlite:///{path}")
    assert migrate(old, up_to=LATEST - 1) == LATEST - 1
    with old.begin() as conn:  # rows as the previous app version wrote them
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
        assert issue.search_text == "饮用水浑浊 七星村五组 雨后浑浊"  # filled in by the new step
        assert session.exec(text("SELECT data FROM draft WHERE id = 'd1'")).one()[0] == '{"title": "没写完的"}'
        versions = [row[0] for row in session.exec(text("SELECT version FROM _migrations ORDER BY version"))]
    assert versions == list(range(1, LATEST + 1))


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
    for name in ("station", "department", "category", "person", "issue", "issue_event", "issue_photo", "draft",
                 "outbox", "meta"):
        assert inspector.has_table(name)


def test_demo_data_covers_every_station_and_every_status(session):
    assert seed_demo(session) > 0
    issues = session.exec(select(Issue)).all()
    assert {i.status for i in issues} == {"new", "assigned", "in_progress", "resolved", "rated", "returned", "merged"}
    assert len({i.station_id for i in issues}) == 8
    assert seed_demo(session) == 0  # loading twice adds nothing
