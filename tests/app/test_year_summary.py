"""The year on record against the demo township: the figures of 桔园镇's report, and the annual summary."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from docx import Document
from sqlmodel import Session

from app.demo import seed_demo
from app.demo_year import YEAR, seed_demo_year
from app.duty import duty_record
from app.i18n import Translator
from app.reference import stable_id
from app.settings import Settings
from app.store import open_store
from app.year import edited, names_of, summary_document, summary_sections, year_figures

SETTINGS = Settings(data_dir="data", secret_key="test-secret-key-0123456789")


@pytest.fixture(scope="module")
def township():
    """The demo township with its 2024 on record, once for this module."""
    engine = open_store(None)
    with Session(engine) as session:
        seed_demo(session)
        seed_demo_year(session)
        yield session


def test_the_year_comes_out_as_the_townships_report_gives_it(township):
    f = year_figures(township, YEAR)
    assert (len(f.centre_stations), len(f.area_stations)) == (1, 7)  # 1个镇级中心联络站和7个片区联络站
    assert len(f.inspection_ids) == 3  # 重点工作视察评议3次
    assert len(f.training_ids) == 2  # 业务培训2场次
    assert len(f.report_ids) == 8  # 收集人大代表述职报告8份
    assert len(f.quiz_attempt_ids) == 69  # 应知应会知识测试69人次
    assert f.people_received >= 120  # 接待群众120余人次
    assert len(f.solved_ids) >= 30  # 推动解决民生问题30余件
    assert len(f.chosen_project_ids) == 3  # 票决产生3个民生实事项目
    assert len(f.rating_rounds) == 2  # 满意度测评2次
    assert f.looked_back_ids and f.look_back_rate == 100.0  # “回头看”问题整改率100%
    assert len(f.opinion_ids) == 11  # 民生实事项目意见11件
    # The water, drinking-water and environment problems the report names lead the problems solved.
    water = stable_id("category", "water")
    assert max(f.solved_by_category, key=f.solved_by_category.get) == water


def test_a_deputys_duty_record_of_the_year_is_assembled_from_the_records(township):
    record = duty_record(township, stable_id("person", "deputy-wang"), YEAR)
    assert record.reception_days and record.issues and record.inspections
    assert len(record.trainings) == 2 and [q.best for q in record.quizzes][0] is not None
    assert record.ballots_cast == 1 and record.ratings_cast == 2  # that they voted, never how
    assert len(record.reports) == 1


def test_the_annual_summary_writes_itself_and_takes_the_offices_edits(township, tmp_path):
    t = Translator()
    f = year_figures(township, YEAR)
    names = names_of(township)
    sections = summary_sections(f, names, t)
    assert [s.key for s in sections] == ["stations", "people", "loop", "projects", "learning", "opinions"]
    assert "建成1个镇级人大代表中心联络站和7个村级片区联络站" in sections[0].text
    assert "视察评议3次" in sections[0].text and "述职报告8份" in sections[0].text and "69人次" in sections[0].text
    assert "问题整改率100%" in sections[2].text
    sections = edited(sections, {"opinions": "依托镇村两级联络站共收集民生实事项目意见11件，均已报请镇党委研究。",
                                 "learning": ""})
    data = summary_document(f, sections, names, SETTINGS, t)
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "桔园镇人大2024年度工作总结" in text and "均已报请镇党委研究" in text
    assert "加强代表学习" not in text  # the part the office emptied is left out
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cells["重点工作视察评议（次）"] == "3" and cells["业务培训（场次）"] == "2"
    assert cells["收集述职报告（份）"] == "8" and cells["应知应会知识测试（人次）"] == "69"
    assert int(cells["接待群众（人次）"]) >= 120 and int(cells["推动解决民生问题（件）"]) >= 30
    assert cells["票决民生实事项目（个）"] == "3" and cells["满意度测评（次）"] == "2"
    assert cells["“回头看”问题整改率"] == "100%" and cells["收集民生实事项目意见（件）"] == "11"
    projects = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert len(projects) == 4 and len(projects[0]) == 3  # three projects, two rating rounds
    # Rendered as the office will print it.
    assert shutil.which("soffice") and shutil.which("pdftotext"), \
        "LibreOffice and poppler are needed: scripts/test.sh installs libreoffice-writer-nogui and poppler-utils"
    docx = tmp_path / "summary.docx"
    docx.write_bytes(data)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf_text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "summary.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
    compact = "".join(pdf_text.split())  # pdftotext spaces digits off from characters
    assert "桔园镇人大2024年度工作总结" in compact and "桔园镇人民代表大会主席团" in compact
    assert "视察评议（次）3" in compact and "应知应会知识测试（人次）69" in compact
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(tmp_path / "summary.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    shutil.copy(tmp_path / "page-1.png", "/tmp/summary-page-1.png")
