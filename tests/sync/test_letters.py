"""Supervision letters: numbered by the central store, never twice, and written as an official document."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from docx import Document
from sqlmodel import Session

from app.errors import DomainError
from app.issues import Issue, timeline
from app.letters import Letter, document_number, issue_letter, letter_document, list_letters
from app.reference import stable_id
from app.replica import signed_in_user
from app.settings import Settings
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone

WATER = stable_id("department", "water")
SETTINGS = Settings(data_dir="data", secret_key="test-secret-key-0123456789")


def _deadline(days: int = 20) -> date:
    return date.today() + timedelta(days=days)


async def _assigned_issue(deputy, office, title: str) -> Issue:
    """An issue the deputy raised, assigned by the office to the water station, synced both ways."""
    issue = deputy.capture(title=title, category="water")
    assert (await deputy.client.sync_once()).ok
    assert (await office.client.sync_once()).ok
    office.act(issue.id, "assign", department_id=WATER, deadline=_deadline(10).isoformat(), text="请水利站办理")
    assert (await office.client.sync_once()).ok
    return issue


def _write_letter(office, issue_ids, subject="三组蓄水池漏水问题") -> Letter:
    with office.session() as session:
        return issue_letter(session, actor=signed_in_user(session).actor(), issue_ids=issue_ids, department_id=WATER,
                            subject=subject, situation="代表回访时水池仍在漏水。",
                            actions="立即组织维修。\n建立巡查制度。", deadline=_deadline())


def test_two_office_pcs_offline_never_give_a_letter_the_same_number(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            deputy = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            first_pc = await new_phone(tmp_path, "pc1", "office-ma", transport)
            second_pc = await new_phone(tmp_path, "pc2", "office-ma", transport)
            water = await new_phone(tmp_path, "water", "dept-water", transport)
            issue = await _assigned_issue(deputy, first_pc, "三组蓄水池漏水")
            assert (await second_pc.client.sync_once()).ok
            # Both PCs are offline now: each writes a letter about the same issue.
            one = _write_letter(first_pc, [issue.id], "三组蓄水池漏水问题")
            other = _write_letter(second_pc, [issue.id], "蓄水池维修进度")
            assert one.number is None and other.number is None  # numbered by the central store only
            with first_pc.session() as session:
                assert "〔" in document_number(one, SETTINGS) and document_number(one, SETTINGS).endswith("号")
            assert (await first_pc.client.sync_once()).ok
            assert (await second_pc.client.sync_once()).ok
            assert (await first_pc.client.sync_once()).ok
            numbers = central_rows(central.state.engine, "SELECT id, year, number FROM letter ORDER BY number")
            assert [n for _, _, n in numbers] == [1, 2] and {y for _, y, _ in numbers} == {date.today().year}
            for pc in (first_pc, second_pc):
                with pc.session() as session:
                    assert sorted(l.number for l in list_letters(session)) == [1, 2]
            # Each letter is on the issue's timeline as an escalation to a supervision letter.
            with first_pc.session() as session:
                escalations = [e for e in timeline(session, issue.id) if e.type == "escalate"]
                assert {e.payload["letter_id"] for e in escalations} == {one.id, other.id}
                assert session.get(Issue, issue.id).escalation == 2
            # The department the letters are addressed to receives them; the deputy does not.
            assert (await water.client.sync_once()).ok and (await deputy.client.sync_once()).ok
            with water.session() as session:
                assert len(list_letters(session)) == 2
            with deputy.session() as session:
                assert list_letters(session) == []
            with first_pc.session() as session:
                numbered = session.get(Letter, one.id)
                return letter_document(session, numbered, first_pc.photos, SETTINGS), numbered.number

    data, number = asyncio.run(main())
    path = tmp_path / "letter.docx"
    path.write_bytes(data)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert f"桔人大函〔{date.today().year}〕{number}号" in text
    assert "镇水利站：" in text and "三组蓄水池漏水" in text
    assert f"{_deadline().year}年{_deadline().month}月{_deadline().day}日前" in text


def test_a_letter_only_names_issues_its_department_handles_and_only_the_office_writes_one(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            deputy = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            office = await new_phone(tmp_path, "pc", "office-ma", transport)
            issue = await _assigned_issue(deputy, office, "渠道堵塞")
            unassigned = deputy.capture(title="路灯不亮", category="other")
            assert (await deputy.client.sync_once()).ok and (await office.client.sync_once()).ok
            with office.session() as session:
                actor = signed_in_user(session).actor()
                with pytest.raises(DomainError) as elsewhere:
                    issue_letter(session, actor=actor, issue_ids=[issue.id, unassigned.id], department_id=WATER,
                                 subject="x", situation="", actions="y", deadline=_deadline())
                assert elsewhere.value.code == "letter.issue_elsewhere"
                with pytest.raises(DomainError) as past:
                    issue_letter(session, actor=actor, issue_ids=[issue.id], department_id=WATER, subject="x",
                                 situation="", actions="y", deadline=date.today() - timedelta(days=3))
                assert past.value.code == "event.deadline_past"
                assert list_letters(session) == []
                assert session.get(Issue, issue.id).escalation == 0  # nothing of a refused letter stays
            with deputy.session() as session:
                with pytest.raises(DomainError) as deputy_refused:
                    issue_letter(session, actor=signed_in_user(session).actor(), issue_ids=[issue.id],
                                 department_id=WATER, subject="x", situation="", actions="y", deadline=_deadline())
                assert deputy_refused.value.code in ("scope.forbidden", "event.role_not_allowed")

    asyncio.run(main())


def test_the_letter_renders_to_a_pdf_page_laid_out_as_an_official_document(tmp_path):
    assert shutil.which("soffice") and shutil.which("pdftoppm"), \
        "LibreOffice and poppler are needed: scripts/test.sh installs libreoffice-writer-nogui and poppler-utils"
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            deputy = await new_phone(tmp_path, "wang", "deputy-wang", transport)
            office = await new_phone(tmp_path, "pc", "office-ma", transport)
            issue = await _assigned_issue(deputy, office, "学校食堂排烟管道油污较多")
            letter = _write_letter(office, [issue.id], "镇中心小学食堂消防隐患")
            assert (await office.client.sync_once()).ok
            with office.session() as session:
                return letter_document(session, session.get(Letter, letter.id), office.photos, SETTINGS)

    docx = tmp_path / "letter.docx"
    docx.write_bytes(asyncio.run(main()))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "letter.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "桔园镇人民代表大会主席团" in text and "监督意见函" in text and "镇水利站" in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000
