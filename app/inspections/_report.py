"""An inspection as a Word report: where and who, the score, every answer, photos of what was flagged, issues raised."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.clock import to_china
from app.documents import Fonts, OfficialDocument, chinese_date, chinese_number
from app.inspections._template import NOT_APPLICABLE, Item
from app.issues import Issue
from app.models import Person

WORDS = {"pass": "合格", "fail": "不合格", NOT_APPLICABLE: "不适用", "yes": "是", "no": "否"}
STATUS_WORDS = {"new": "待分办", "assigned": "已交办", "in_progress": "办理中", "resolved": "已办结", "rated": "已评价",
                "verified": "已核实", "returned": "已退回", "merged": "已合并"}


def answer_text(item: Item, value: Any) -> str:
    """An answer in words: 不合格, 是, 温州蜜柑, 6 ℃, …"""
    if value is None:
        return "未检查"
    options = {o.id: o.text for o in item.options}
    if isinstance(value, list):
        return "、".join(options.get(v, v) for v in value) or "无"
    if isinstance(value, str):
        return options.get(value) or WORDS.get(value, value)
    return f"{value:g}{item.unit}" if isinstance(value, float) else f"{value}{item.unit}"


def inspection_document(session: Session, inspection: Any, state: Any, photos: Any, settings: Any) -> bytes:
    """Write the report as a .docx in the official layout, to hand out or attach to a supervision letter."""
    template = state.template
    fonts = Fonts(title=settings.font_title, body=settings.font_body, heading1=settings.font_heading1,
                  heading2=settings.font_heading2)
    doc = OfficialDocument(fonts, issuer=settings.issuer)
    doc.title(f"{inspection.place_name}{template.title}报告")
    people = [p for p in (session.get(Person, pid) for pid in [inspection.author_id, *inspection.participant_ids] if pid)
              if p is not None]
    day = chinese_date(to_china(inspection.created_at).date())
    doc.body(f"{day}，{'、'.join(p.name for p in people)}等代表对{inspection.place_name}开展{template.title}"
             f"（检查表第{template.version}版共{inspection.total}项），检查了{inspection.answered}项，"
             f"得分{inspection.score:g}分（所查项目满分{inspection.max_score:g}分），发现问题{inspection.flagged}项。")
    values = state.values()
    for index, section in enumerate(template.sections, start=1):
        shown = [item for item in section.items if template.shown(item, values)]
        if not shown:
            continue
        doc.heading1(f"{chinese_number(index)}、{section.title}")
        rows = []
        for item in shown:
            answer = state.answer(item.id)
            flagged = answer is not None and item.is_flagged(answer.value)
            rows.append([item.text, answer_text(item, answer.value if answer else None) + ("（问题）" if flagged else ""),
                         answer.note if answer else ""])
        doc.table(["检查项目", "结果", "情况说明"], rows, widths_mm=[80, 32, 44])
        for item in shown:
            answer = state.answer(item.id)
            if answer is not None and item.is_flagged(answer.value) and answer.photos:
                doc.heading2(f"（{item.text}）现场照片")
                doc.photos(photos.read(sha) for sha in answer.photos if photos.has(sha))
    if state.issues:
        doc.heading1(f"{chinese_number(len(template.sections) + 1)}、转交办的问题")
        issues = {i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_(list(state.issues.values()))))}
        rows = [[template.items[item_id].text, issues[issue_id].title if issue_id in issues else "",
                 STATUS_WORDS.get(issues[issue_id].status, issues[issue_id].status) if issue_id in issues else "待同步"]
                for item_id, issue_id in state.issues.items()]
        doc.table(["检查项目", "问题", "办理情况"], rows, widths_mm=[60, 66, 30])
    if state.signed_off_at is not None:
        lead = session.get(Person, inspection.author_id) if inspection.author_id else None
        doc.signature(f"检查组组长：{lead.name if lead else ''}", to_china(state.signed_off_at).date())
    return doc.to_bytes()
