"""What every table declares besides its columns: which store holds it, and how it keeps times."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

# Which store holds a table (`__table_args__` info): both, the phone's replica only, or the central store only.
BOTH, PHONE, CENTRAL = "both", "phone", "central"


def stored_in(where: str, *items: Any, **options: Any) -> tuple:
    """Return `__table_args__` (indexes, table options) that also say which store holds the table."""
    return (*items, {"info": {"store": where}, **options})


class UtcDateTime(TypeDecorator):
    """A time kept in UTC: `TIMESTAMP WITH TIME ZONE` on PostgreSQL, UTC text on SQLite; read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        # SQLite gives back the UTC text without its zone.
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def time_column(**kwargs: Any) -> Any:
    """A time column: aware UTC in Python, `TIMESTAMP WITH TIME ZONE` on PostgreSQL."""
    return Field(sa_type=UtcDateTime, **kwargs)  # type: ignore[call-overload]
