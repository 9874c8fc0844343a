"""A joint inspection: two deputies answer it on their own phones offline; it merges when they sync."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

from docx import Document
from sqlmodel import Session

from app.inspections import (INSPECTION, Inspection, answer_item, inspection_document, inspection_state,
                             latest_template, raise_issue_from_item, start_inspection)
from app.issues import Issue
from app.records import record_event
from app.reference import stable_id
from app.replica import signed_in_user
from app.settings import Settings
from tests.sync.phones import asgi_http, central_rows, make_central, new_phone

SETTINGS = Settings(data_dir="data", secret_key="test-secret-key-0123456789")


def _actor(phone):
    with phone.session() as session:
        return signed_in_user(session).actor()


def _answer(phone, inspection_id, item_id, value, **more):
    with phone.session() as session:
        return answer_item(session, actor=_actor(phone), inspection_id=inspection_id, item_id=item_id, value=value,
                           **more)


def _state(phone, inspection_id):
    with phone.session() as session:
        return inspection_state(session, session.get(Inspection, inspection_id))


def test_two_deputies_answer_sections_on_two_phones_offline_and_the_lead_settles_a_difference(tmp_path):
    async def main():
        central = make_central(tmp_path / "central")
        async with asgi_http(central) as transport:
            chen = await new_phone(tmp_path, "chen", "deputy-chen", transport)  # the citrus group's lead
            yang = await new_phone(tmp_path, "yang", "deputy-yang", transport)  # another station's deputy
            office = await new_phone(tmp_path, "ma", "office-ma", transport)
            with chen.session() as session:
                template = latest_template(session, "citrus-orchard")  # pulled with the reference data
                assert template is not None and template.version == 1
                yang_id = stable_id("person", "deputy-yang")
                inspection = start_inspection(session, actor=_actor(chen), template=template,
                                              place_name="新庄村柑桔示范园", participant_ids=[yang_id])
            assert (await chen.client.sync_once()).ok
            assert (await yang.client.sync_once()).ok  # Yang sees it because he takes part
            assert _state(yang, inspection.id).lead_id == stable_id("person", "deputy-chen")

            # In the orchard, no signal: each answers a section; both answer the red spider mite count.
            _answer(chen, inspection.id, "planting.variety", "wenzhou")
            _answer(chen, inspection.id, "pests.red_mite", 3, note="东片叶背红蜘蛛较多")
            _answer(yang, inspection.id, "green.traps", "pass")
            _answer(yang, inspection.id, "green.pesticide_records", "fail", note="没有用药记录")
            _answer(yang, inspection.id, "pests.red_mite", 1)
            for phone in (chen, yang, chen, office):
                assert (await phone.client.sync_once()).ok

            state = _state(chen, inspection.id)
            assert {"planting.variety", "green.traps", "green.pesticide_records"} <= set(state.values())
            assert state.in_conflict("pests.red_mite")  # two answers, both kept, for the lead to choose
            assert sorted(a.value for a in state.answers["pests.red_mite"]) == [1, 3]
            assert central_rows(central.state.engine, "SELECT conflicts FROM inspection WHERE id = :id",
                                id=inspection.id) == [(1,)]
            with chen.session() as session:
                choice = next(a for a in state.answers["pests.red_mite"] if a.value == 3)
                record_event(session, INSPECTION, actor=_actor(chen), record_id=inspection.id, type_="choose",
                             payload={"item_id": "pests.red_mite", "answer_id": choice.event_id})
                issue = raise_issue_from_item(session, actor=_actor(chen), inspection_id=inspection.id,
                                              item_id="green.pesticide_records")
                record_event(session, INSPECTION, actor=_actor(chen), record_id=inspection.id, type_="sign_off",
                             payload={})
            for phone in (chen, yang, office):
                assert (await phone.client.sync_once()).ok
            for phone in (chen, yang, office):
                row = Session(phone.engine).get(Inspection, inspection.id)
                assert (row.status, row.conflicts, row.issue_count) == ("signed_off", 0, 1), phone.name
            assert central_rows(central.state.engine, "SELECT status, source FROM issue WHERE id = :id",
                                id=issue.id) == [("new", "checklist")]
            with office.session() as session:
                assert session.get(Issue, issue.id).category_id == stable_id("category", "agri")
                inspection_row = session.get(Inspection, inspection.id)
                return inspection_document(session, inspection_row, inspection_state(session, inspection_row),
                                           office.photos, SETTINGS)

    data = asyncio.run(main())
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "新庄村柑桔示范园柑桔园巡查报告" in text and "陈志明" in text and "杨春燕" in text
    assert "农药使用有记录" in cells and "不合格（问题）" in cells and "没有用药记录" in cells
    assert "3头/叶" in cells and "温州蜜柑" in cells  # the lead's choice, and an answer in words
    assert "转交办的问题" in text and "待分办" in cells
    assert shutil.which("soffice"), "LibreOffice is needed: scripts/test.sh installs libreoffice-writer-nogui"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True,
                              text=True).stdout
    assert "柑桔园巡查报告" in pdf_text and "检查组组长" in pdf_text
