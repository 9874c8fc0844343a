"""The reception-day calendar: the 15th of each month by default, moved off weekends and public holidays.

Public holidays and the weekend days worked instead (调休) come from the State Council's
yearly notice, kept as data (assets/calendar/holidays-cn.json). For a year the file does
not know yet, only weekends are moved; the office can still move any day by hand.

    reception_dates(2026, day=15, rule="next_workday")  # 12 dates
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from app.assets import asset_text


class MoveRule(StrEnum):
    """What to do with a reception day that falls on a weekend or a public holiday."""

    NEXT_WORKDAY = "next_workday"  # 顺延至下一个工作日
    PREVIOUS_WORKDAY = "previous_workday"  # 提前至上一个工作日
    KEEP = "keep"  # 照常接待


@dataclass(frozen=True)
class Calendar:
    """The days off and the weekend days worked, for the years the notices cover."""

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


@lru_cache(maxsize=1)
def china_calendar() -> Calendar:
    data = json.loads(asset_text("calendar/holidays-cn.json"))
    holidays, workdays = set(), set()
    for year in data["years"].values():
        holidays |= {date.fromisoformat(d) for d in year["holidays"]}
        workdays |= {date.fromisoformat(d) for d in year["workdays"]}
    return Calendar(frozenset(holidays), frozenset(workdays), frozenset(int(y) for y in data["years"]))


def moved(day: date, rule: MoveRule | str, calendar: Calendar | None = None) -> date:
    """The day a reception falling on `day` is held, by the rule."""
    calendar = calendar or china_calendar()
    rule = MoveRule(rule)
    if rule is MoveRule.KEEP or calendar.is_workday(day):
        return day
    step = timedelta(days=1 if rule is MoveRule.NEXT_WORKDAY else -1)
    for _ in range(31):  # the longest holiday is nine days
        day += step
        if calendar.is_workday(day):
            return day
    return day


def reception_dates(year: int, *, day: int = 15, rule: MoveRule | str = MoveRule.NEXT_WORKDAY,
                    calendar: Calendar | None = None) -> list[date]:
    """The twelve reception days of a year: `day` of each month, moved by the rule."""
    if not 1 <= day <= 28:
        raise ValueError("a reception day is the 1st to the 28th of the month")
    return [moved(date(year, month, day), rule, calendar) for month in range(1, 13)]
