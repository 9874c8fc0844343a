"""A duty report as a Word document, in the township's official document layout."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.clock import to_china
from app.documents import Fonts, OfficialDocument
from app.models import Person, Station
from app.records import photos_of

PHOTOS_PER_REPORT = 6


def report_document(session: Session, report: Any, photos: Any, settings: Any) -> bytes:
    """Write a deputy's report as a .docx: title, who and where, the text, the attached photos."""
    fonts = Fonts(title=settings.font_title, body=settings.font_body, heading1=settings.font_heading1,
                  heading2=settings.font_heading2)
    doc = OfficialDocument(fonts, issuer=settings.issuer)
    doc.title(report.title)
    author = session.get(Person, report.author_id) if report.author_id else None
    station = session.get(Station, report.station_id) if report.station_id else None
    doc.body("　".join(part for part in (station.name if station else "", f"{author.name}代表" if author else "")
                      if part))
    for paragraph in [p.strip() for p in report.text.splitlines() if p.strip()]:
        doc.body(paragraph)
    images = [photos.read(p.sha256) for p in photos_of(session, report.id) if photos.has(p.sha256)]
    doc.photos(images[:PHOTOS_PER_REPORT])
    if author is not None:
        doc.signature(author.name, to_china(report.submitted_at or report.created_at).date())
    return doc.to_bytes()
