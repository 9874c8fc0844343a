"""One schema: both stores, migrated from empty, hold exactly what the models (SQLModel's metadata) say.

Tables, columns, types, nullability, primary keys, foreign keys and indexes are compared,
on the phone's SQLite replica and on the central store on SQLite and PostgreSQL, so a
migration step that drifts from the models fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, inspect
from sqlalchemy.types import JSON, TypeDecorator
from sqlmodel import SQLModel

import sync.server.tables  # noqa: F401  (the central store's own tables)
from app.records import BOTH, CENTRAL, PHONE, kinds
from app.store import open_store

BOOKKEEPING = {"_migrations", "sqlite_sequence"}


def _type(column_type: Any, dialect: str) -> str:
    """A column type as the store keeps it: integer sizes and time zones count on PostgreSQL only."""
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, BigInteger):
        return "bigint" if dialect == "postgresql" else "integer"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Float) or type(column_type).__name__ in ("REAL", "DOUBLE_PRECISION", "DOUBLE"):
        return "float"
    if isinstance(column_type, DateTime):
        return "timestamptz" if dialect == "postgresql" and column_type.timezone else (
            "timestamp" if dialect == "postgresql" else "datetime")
    if isinstance(column_type, JSON) or type(column_type).__name__ in ("JSON", "JSONB"):
        return "json"
    if isinstance(column_type, String):
        return "text"
    return type(column_type).__name__.lower()


def expected(store: str, dialect: str) -> dict[str, dict[str, Any]]:
    """What the models say a store holds, table by table."""
    kinds()  # every kind the app has is registered, and with it its table
    tables = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.info.get("store") not in (BOTH, store):
            continue
        uniques = {tuple(c.name for c in con.columns) for con in table.constraints
                   if type(con).__name__ == "UniqueConstraint"}
        uniques |= {(c.name,) for c in table.columns if c.unique}
        tables[table.name] = {
            "columns": {c.name: (_type(c.type, dialect), bool(c.nullable) and not c.primary_key) for c in table.columns},
            "primary_key": tuple(sorted(c.name for c in table.primary_key.columns)),
            "foreign_keys": sorted((tuple(fk.parent.name for fk in [fk]), fk.column.table.name, fk.column.name)
                                   for fk in table.foreign_keys),
            "indexes": sorted((ix.name, tuple(c.name for c in ix.columns), bool(ix.unique)) for ix in table.indexes
                              if not ix.unique),
            "uniques": sorted(uniques | {tuple(c.name for c in ix.columns) for ix in table.indexes if ix.unique}),
        }
    return tables


def actual(engine) -> dict[str, dict[str, Any]]:
    """What a migrated store holds, table by table."""
    inspector = inspect(engine)
    dialect = engine.dialect.name
    tables = {}
    for name in inspector.get_table_names():
        if name in BOOKKEEPING:
            continue
        indexes = inspector.get_indexes(name)
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)}
        uniques |= {tuple(ix["column_names"]) for ix in indexes if ix["unique"]}
        primary_key = tuple(sorted(inspector.get_pk_constraint(name)["constrained_columns"]))
        tables[name] = {
            # SQLite lets a text primary key hold NULL unless told otherwise; the code never writes one.
            "columns": {c["name"]: (_type(c["type"], dialect), bool(c["nullable"]) and c["name"] not in primary_key)
                        for c in inspector.get_columns(name)},
            "primary_key": primary_key,
            "foreign_keys": sorted((tuple(fk["constrained_columns"]), fk["referred_table"], fk["referred_columns"][0])
                                   for fk in inspector.get_foreign_keys(name)),
            "indexes": sorted((ix["name"], tuple(ix["column_names"]), False) for ix in indexes if not ix["unique"]
                              # PostgreSQL lists the index behind a unique constraint here too
                              and not ix.get("duplicates_constraint")),
            "uniques": sorted(uniques),
        }
    return tables


def assert_same(engine, store: str) -> None:
    want, have = expected(store, engine.dialect.name), actual(engine)
    assert sorted(have) == sorted(want), "tables differ"
    for table in want:
        for part in ("columns", "primary_key", "foreign_keys", "indexes", "uniques"):
            assert have[table][part] == want[table][part], f"{table}: {part} drift from the models"


def test_the_phone_store_migrated_from_empty_is_what_the_models_say():
    assert_same(open_store(None), PHONE)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_central_store_migrated_from_empty_is_what_the_models_say(backend, request, tmp_path):
    from sync.server.db import open_database
    from sync.server.migrations import migrate
    from app.settings import Settings

    url = request.getfixturevalue("postgres_database") if backend == "postgres" else ""
    engine = open_database(Settings(data_dir=tmp_path, secret_key="test-secret-key-0123456789", database_url=url))
    try:
        migrate(engine)
        assert_same(engine, CENTRAL)
    finally:
        engine.dispose()


def test_the_comparison_notices_a_drifted_column(tmp_path):
    engine = open_store(tmp_path / "drifted.sqlite3")
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE issue ADD COLUMN stray VARCHAR")
    with pytest.raises(AssertionError, match="issue: columns"):
        assert_same(engine, PHONE)
