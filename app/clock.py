"""Times are stored in UTC and shown in China time (Asia/Shanghai, UTC+8, no DST)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def utcnow() -> datetime:
    """Return the current time in UTC, aware."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Return moment as aware UTC; naive values from SQLite are UTC already."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def to_china(moment: datetime) -> datetime:
    """Return moment in China time for display."""
    return as_utc(moment).astimezone(CHINA)
