"""A supervision letter as a Word document, laid out as Chinese official documents are."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.clock import to_china
from app.documents import Fonts, OfficialDocument, chinese_date, chinese_number
from app.issues import Issue, photos_of
from app.models import Department, Person

PHOTOS_PER_ISSUE = 2


def document_number(letter: Any, settings: Any) -> str:
    """The document number, 桔人大函〔2026〕3号; before the central store has numbered it, a blank to fill."""
    number = str(letter.number) if letter.number else "\u3000\u3000"
    return f"{settings.letter_prefix}〔{letter.year}〕{number}号"


def letter_title(subject: str) -> str:
    subject = subject.strip().removesuffix("的监督意见函")
    if subject.startswith("关于"):
        subject = subject[2:]
    return f"关于{subject}的监督意见函"


def letter_document(session: Session, letter: Any, photos: Any, settings: Any) -> bytes:
    """Write the letter as a .docx: header, number, title, addressee, the issues with photos, what is asked."""
    fonts = Fonts(title=settings.font_title, body=settings.font_body, heading1=settings.font_heading1,
                  heading2=settings.font_heading2)
    doc = OfficialDocument(fonts, issuer=settings.issuer)
    doc.header(number=document_number(letter, settings))
    doc.title(letter_title(letter.subject))
    department = session.get(Department, letter.department_id) if letter.department_id else None
    doc.addressee(department.name if department else "")
    issues = [issue for issue_id in letter.issue_ids if (issue := session.get(Issue, issue_id)) is not None]
    doc.body(f"在代表履职中，代表们收集到群众反映的以下{chinese_number(len(issues))}个问题，已交你单位办理，"
             "目前尚未办结。为推动问题及时解决，现提出如下监督意见。")
    doc.heading1("一、存在的问题")
    for index, issue in enumerate(issues, start=1):
        doc.heading2(f"（{chinese_number(index)}）{issue.title}")
        reporter = session.get(Person, issue.reporter_id) if issue.reporter_id else None
        where = "，".join(part for part in (issue.place_name, f"{reporter.name}代表反映" if reporter else "",
                                            f"{chinese_date(to_china(issue.created_at).date())}记录") if part)
        doc.body(f"{where}。{issue.description}".strip())
        if issue.deadline:
            doc.body(f"原定办理期限为{chinese_date(issue.deadline)}。")
        images = [photos.read(p.sha256) for p in photos_of(session, issue.id) if photos.has(p.sha256)]
        doc.photos(images[:PHOTOS_PER_ISSUE])
    if letter.situation.strip():
        doc.heading1("二、视察和督办情况")
        doc.body(letter.situation.strip())
    doc.heading1(f"{'三' if letter.situation.strip() else '二'}、整改要求")
    for line in [line.strip() for line in letter.actions.splitlines() if line.strip()]:
        doc.body(line)
    doc.body(f"请于{chinese_date(letter.deadline)}前将整改情况书面报告{settings.issuer}。")
    doc.signature(settings.issuer, to_china(letter.created_at).date())
    return doc.to_bytes()
