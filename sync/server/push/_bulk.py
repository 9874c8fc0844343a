"""Bulk writes: one table's rows with the driver's executemany, and the change log's seqs given out in order."""

from __future__ import annotations

import weakref
from operator import itemgetter
from typing import Any, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import func, select, text
from sqlmodel import Session

from sync.server.db import change_log

# Rows per IN (...) list and per bulk statement.
CHUNK = 500


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class _BulkInsert:
    """One table's INSERT for the driver's executemany, and its columns' own conversions for the dialect.

    The values are converted exactly as SQLAlchemy would bind them (the column types' bind
    processors: times, JSON), without its per-row bookkeeping.
    """

    def __init__(self, table: Any, dialect: Any):
        names = [c.name for c in table.columns]
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
        self.sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                    f"VALUES ({', '.join([mark] * len(names))})")
        self.values = itemgetter(*names)
        self.convert = [(index, processor) for index, column in enumerate(table.columns)
                        if (processor := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None]

    def params(self, rows: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
        values, convert = self.values, self.convert
        # A value met again (the batch's time, on every row it logs) is converted once.
        last: list[list[Any]] = [[_UNSET, None] for _ in convert]
        params = []
        for row in rows:
            one = list(values(row))
            for seen, (index, processor) in zip(last, convert):
                value = one[index]
                if value is not seen[0]:
                    seen[0], seen[1] = value, processor(value)
                one[index] = seen[1]
            params.append(one)
        return params


_UNSET = object()


_INSERTS: "weakref.WeakKeyDictionary[Any, dict[str, _BulkInsert]]" = weakref.WeakKeyDictionary()  # by dialect


def bulk_insert(connection: Any, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts of every column) with the driver's executemany, in the connection's transaction."""
    dialect = connection.dialect
    plans = _INSERTS.setdefault(dialect, {})
    plan = plans.get(table.name)
    if plan is None:
        plan = plans[table.name] = _BulkInsert(table, dialect)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        for part in chunks(plan.params(rows)):
            cursor.executemany(plan.sql, part)
    finally:
        cursor.close()


def first_free_seq(session: Session) -> int:
    """The next change-log seq; the caller holds the write lock, so no other writer takes it."""
    if session.get_bind().dialect.name == "postgresql":
        return int(session.execute(text("SELECT nextval(pg_get_serial_sequence('change_log', 'seq'))")).scalar_one())
    head = session.execute(select(func.max(change_log.c.seq))).scalar() or 0
    # AUTOINCREMENT: never reuse a seq, even of a row no longer there.
    given = session.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'")).scalar() or 0
    return max(int(head), int(given)) + 1


def claim_seqs(session: Session, last: int) -> None:
    """Move PostgreSQL's sequence past the seqs this batch wrote itself (SQLite's AUTOINCREMENT follows by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('change_log', 'seq'), :last)"), {"last": last})


