"""Word documents laid out as Chinese official documents are (党政机关公文格式, GB/T 9704-2012).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the issuing body's name in
red with a red rule beneath; the document number centred above the rule; the title in
小标宋 size 2; the body in 仿宋 size 3 at 22 lines of 28 characters; level-1 headings in
黑体, level-2 in 楷体. The font names come from settings, so a township names the fonts
its office PCs have installed (the document falls back to what the reader's system has).

    doc = OfficialDocument(fonts, issuer="桔园镇人民代表大会主席团")
    doc.header(number="桔人大函〔2026〕3号")
    doc.title("关于……的监督意见函")
    doc.addressee("镇水利站")
    doc.body("……"); doc.heading1("一、……"); doc.heading2("（一）……")
    doc.signature("桔园镇人民代表大会主席团", date(2026, 5, 15))
    data = doc.to_bytes()
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Iterable

# python-docx is read on first use: the phone and the browser build never make documents.
RED = "FF0000"
PT_PER_MM = 72 / 25.4
# 四号 = 14 pt, 三号 = 16 pt, 二号 = 22 pt, 小初 = 36 pt (the issuing body's mark is set larger than the title).
SIZE_4, SIZE_3, SIZE_2, SIZE_MARK = 14, 16, 22, 36
LINES, CHARS = 22, 28
TEXT_HEIGHT_MM = 297 - 37 - 35
LINE_PITCH_PT = TEXT_HEIGHT_MM * PT_PER_MM / LINES  # 28.95 pt: 22 lines fill the text block


@dataclass(frozen=True)
class Fonts:
    """The fonts of an official document, by the names a Windows office PC knows them."""

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """A number as headings count: 一, 二, …, 十, 十一, …, 二十一, …, 九十九 (larger ones stay in digits)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


def chinese_date(day: date) -> str:
    """A date as official documents write it: 2026年5月15日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


class OfficialDocument:
    """One official document being written, page by page, in the national layout."""

    def __init__(self, fonts: Fonts, *, issuer: str):
        from docx import Document
        from docx.shared import Mm

        self.fonts = fonts
        self.issuer = issuer
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        self._grid(section)
        normal = self.doc.styles["Normal"]
        self._font(normal.font, normal.element, fonts.body, SIZE_3)
        normal.paragraph_format.space_before = normal.paragraph_format.space_after = 0
        self._pitch(normal.paragraph_format)

    # ------------------------------------------------------------ the parts of a document

    def header(self, *, number: str) -> None:
        """The issuing body's red mark, the document number, and the red rule beneath them."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        mark = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        self._run(mark, self.issuer, self.fonts.title, SIZE_MARK, color=RED)
        mark.paragraph_format.space_after = 0
        self._blank()
        numbered = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        self._run(numbered, number, self.fonts.body, SIZE_3)
        self._red_rule(numbered)
        self._blank()

    def title(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        self._run(paragraph, text, self.fonts.title, SIZE_2)
        self._blank()

    def addressee(self, name: str) -> None:
        """主送机关: flush left, followed by a full-width colon."""
        self._run(self._paragraph(), f"{name}：", self.fonts.body, SIZE_3)

    def body(self, text: str) -> None:
        """A body paragraph: first line indented by two characters."""
        paragraph = self._paragraph()
        paragraph.paragraph_format.first_line_indent = self._chars(2)
        self._run(paragraph, text, self.fonts.body, SIZE_3)

    def heading1(self, text: str) -> None:
        paragraph = self._paragraph()
        paragraph.paragraph_format.first_line_indent = self._chars(2)
        self._run(paragraph, text, self.fonts.heading1, SIZE_3)

    def heading2(self, text: str) -> None:
        paragraph = self._paragraph()
        paragraph.paragraph_format.first_line_indent = self._chars(2)
        self._run(paragraph, text, self.fonts.heading2, SIZE_3)

    def photos(self, images: Iterable[bytes], *, width_mm: float = 74) -> None:
        """Photos two to a row, in a borderless table."""
        from docx.shared import Mm

        images = list(images)
        if not images:
            return
        table = self.doc.add_table(rows=(len(images) + 1) // 2, cols=2)
        for index, data in enumerate(images):
            cell = table.cell(index // 2, index % 2)
            run = cell.paragraphs[0].add_run()
            run.add_picture(io.BytesIO(data), width=Mm(width_mm))

    def table(self, header: list[str], rows: list[list[str]], *, widths_mm: list[float] | None = None) -> None:
        """A grid table in the body font, with a header row in 黑体 (size 4, 14 pt, to fit the columns)."""
        from docx.shared import Mm

        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.autofit = False
        if widths_mm:
            for column, width in zip(table.columns, widths_mm):
                column.width = Mm(width)
        for row_index, values in enumerate([header, *rows]):
            for column, value in enumerate(values):
                cell = table.cell(row_index, column)
                if widths_mm:
                    cell.width = Mm(widths_mm[column])
                paragraph = cell.paragraphs[0]
                self._run(paragraph, value, self.fonts.heading1 if row_index == 0 else self.fonts.body, SIZE_4)

    def signature(self, name: str, day: date) -> None:
        """发文机关署名 and 成文日期, right-aligned with four characters' room, below two blank lines."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self._blank()
        self._blank()
        for text in (name, chinese_date(day)):
            paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.RIGHT)
            paragraph.paragraph_format.right_indent = self._chars(4)
            self._run(paragraph, text, self.fonts.body, SIZE_3)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    # ------------------------------------------------------------ helpers

    def _paragraph(self, alignment=None):
        paragraph = self.doc.add_paragraph()
        if alignment is not None:
            paragraph.alignment = alignment
        self._pitch(paragraph.paragraph_format)
        return paragraph

    def _blank(self) -> None:
        self._paragraph()

    def _run(self, paragraph, text: str, font: str, size: float, *, color: str | None = None):
        from docx.shared import RGBColor

        run = paragraph.add_run(text)
        self._font(run.font, run._element, font, size)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
        return run

    @staticmethod
    def _font(font, element, name: str, size: float) -> None:
        """Set a font for Latin and Chinese text alike (Word keeps the East Asian font apart)."""
        from docx.oxml.ns import qn
        from docx.shared import Pt

        font.name = name
        font.size = Pt(size)
        properties = element.get_or_add_rPr()
        fonts = properties.find(qn("w:rFonts"))
        if fonts is None:
            fonts = properties.makeelement(qn("w:rFonts"), {})
            properties.append(fonts)
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), name)

    @staticmethod
    def _pitch(paragraph_format) -> None:
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Pt

        paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph_format.line_spacing = Pt(LINE_PITCH_PT)

    @staticmethod
    def _chars(count: int):
        from docx.shared import Pt

        return Pt(SIZE_3 * count)

    @staticmethod
    def _grid(section) -> None:
        """Word's document grid: 22 lines to a page, 28 characters to a line."""
        from docx.oxml.ns import qn

        properties = section._sectPr
        grid = properties.find(qn("w:docGrid"))
        if grid is None:
            grid = properties.makeelement(qn("w:docGrid"), {})
            properties.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))  # twentieths of a point
        grid.set(qn("w:charSpace"), "0")

    @staticmethod
    def _red_rule(paragraph) -> None:
        """The red separator line under the document number (a bottom border of that paragraph)."""
        from docx.oxml.ns import qn

        properties = paragraph._p.get_or_add_pPr()
        borders = properties.makeelement(qn("w:pBdr"), {})
        bottom = borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "12", qn("w:space"): "8",
                                                      qn("w:color"): RED})
        borders.append(bottom)
        properties.append(borders)
