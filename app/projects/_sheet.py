"""The result sheet of a round (票决结果): counts per candidate, the quorum, and the outcome."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.clock import to_china
from app.documents import Fonts, OfficialDocument
from app.projects._model import Project

WORDS = {"for": "赞成", "against": "反对", "abstain": "弃权", "satisfied": "满意", "basic": "基本满意",
         "unsatisfied": "不满意"}


def result_sheet(session: Session, ballot: Any, settings: Any) -> bytes:
    """Write the result sheet of a closed round as a .docx in the official layout."""
    fonts = Fonts(title=settings.font_title, body=settings.font_body, heading1=settings.font_heading1,
                  heading2=settings.font_heading2)
    doc = OfficialDocument(fonts, issuer=settings.issuer)
    doc.title(f"{ballot.title}结果")
    roll, present = len(ballot.roll_ids), len(ballot.checked_in_ids)
    doc.body(f"应到代表{roll}名，实到{present}名，超过全体代表的半数，会议有效。"
             if present * 2 > roll else f"应到代表{roll}名，实到{present}名，不足全体代表的半数。")
    choices = ["for", "against", "abstain"] if ballot.purpose == "vote" else ["satisfied", "basic", "unsatisfied"]
    rows = []
    for project_id in ballot.candidate_ids:
        project = session.get(Project, project_id)
        counts = (ballot.results or {}).get(project_id, {})
        if ballot.purpose == "vote":
            outcome = "当选" if project_id in ballot.chosen_ids else ("得票相同，待再次票决" if project_id in ballot.tie_ids
                                                                    else "未当选")
        else:
            outcome = ""
        rows.append([project.title if project else project_id, *[str(counts.get(c, 0)) for c in choices], outcome])
    header = ["候选项目", *[WORDS[c] for c in choices], "结果" if ballot.purpose == "vote" else ""]
    doc.table(header, rows, widths_mm=[64, 18, 18, 18, 38])
    if ballot.purpose == "vote":
        doc.body(f"按照“获得全体代表过半数赞成票方为通过”的规定（全体代表{roll}名，须{roll // 2 + 1}票以上），"
                 f"本次票决确定民生实事项目{len(ballot.chosen_ids)}个"
                 + (f"，另有{len(ballot.tie_ids)}个候选项目得票相同，须再次票决。" if ballot.tie_ids else "。"))
    doc.body(f"投票代表{ballot.voted}名（手机投票），纸质选票另行计入。投票以无记名方式进行。")
    doc.signature(settings.issuer, to_china(ballot.updated_at).date())
    return doc.to_bytes()
