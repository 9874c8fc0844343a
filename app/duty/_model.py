"""The tables of the office's call for duty reports (述职报告) and the deputies' reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from pydantic import ConfigDict, Field as PydanticField
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from app.records import BOTH, CreateBody, RecordBase, Uuid, stored_in, time_column

REPORT_TEXT_MAX = 30_000


# ---------------------------------------------------------------- the office's call for reports

class ReportCallBase(RecordBase):
    title: str = ""
    year: int = 0  # the year the reports are about
    deadline: Optional[date] = None
    author_id: Optional[str] = None


class ReportCall(ReportCallBase, table=True):
    __tablename__ = "report_call"
    __table_args__ = stored_in(BOTH, Index("ix_report_call_year", "year", "created_at"))
    person_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ReportCallPublic(ReportCallBase):
    person_ids: list[str] = Field(default_factory=list)


class ReportCallCreate(CreateBody):
    model_config = ConfigDict(extra="ignore")
    title: str = PydanticField(max_length=120)
    year: int = PydanticField(ge=2000, le=2100)
    deadline: date
    person_ids: list[Uuid] = PydanticField(default_factory=list, max_length=500)


# ---------------------------------------------------------------- a deputy's duty report

class DutyReportBase(RecordBase):
    call_id: str = ""
    year: int = 0
    title: str = ""
    text: str = ""
    author_id: Optional[str] = None
    station_id: Optional[str] = Field(default=None, foreign_key="station.id")
    submitted_at: Optional[datetime] = time_column(default=None)
    returned_note: str = ""


class DutyReport(DutyReportBase, table=True):
    __tablename__ = "duty_report"
    __table_args__ = stored_in(BOTH, Index("ix_duty_report_call", "call_id", "author_id"))


class DutyReportPublic(DutyReportBase):
    pass


class DutyReportCreate(CreateBody):
    """A report is written on the phone or PC (kept there as a draft) and is created when submitted."""

    model_config = ConfigDict(extra="ignore")
    call_id: Uuid
    title: str = PydanticField(max_length=120)
    text: str = PydanticField(max_length=REPORT_TEXT_MAX)
