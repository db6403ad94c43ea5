"""DOCX (python-docx): A4, GB/T 9704 margins, 方正小标宋 title, 黑体 headings, 仿宋_GB2312 body, the
official tables with real merged cells (``gridSpan``/``vMerge``) and a shaded notice box for findings."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .grid import Grid, column_widths
from .page import NOTICE_TITLE, Page
from .typography import (
    A4_MM,
    BODY,
    BODY_SIZE,
    HEADING,
    LINE_PITCH,
    MARGINS_MM,
    TABLE,
    TABLE_SIZE,
    TITLE,
    TITLE_SIZE,
    WIDE_TABLE_SIZE,
    pick,
)

NOTICE_FILL, NOTICE_BORDER = "FFF4E5", "B00000"


def render_docx(page: Page, *, installed_fonts: bool = False) -> bytes:
    """The report as DOCX bytes. ``installed_fonts``: name fonts installed here (for PDF conversion)."""
    fonts = {role: pick(chain, installed_only=installed_fonts)
             for role, chain in (("title", TITLE), ("heading", HEADING), ("body", BODY), ("table", TABLE))}
    doc = Document()
    _page_setup(doc)
    _styles(doc, fonts)
    if page.notice:
        _notice(doc, page.notice, fonts["heading"])
    title = doc.add_paragraph(style="Title")
    for i, line in enumerate(page.title_lines):
        run = title.add_run(line)
        if i + 1 < len(page.title_lines):
            run.add_break()
    for part in page.sections:
        doc.add_paragraph(part.heading, style="Heading 1")
        for text in part.paragraphs:
            doc.add_paragraph(text)
        if part.grid is not None:
            _table(doc, part.grid, fonts["table"])
    for line in page.signature:
        paragraph = doc.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.first_line_indent = None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    doc.core_properties.title = ""


def _set_font(element_font, rpr, name: str, size: float) -> None:
    """Name ``name`` for every script (East Asian included) and drop theme fonts that override it."""
    element_font.name = name
    element_font.size = Pt(size)
    element_font.color.rgb = RGBColor(0, 0, 0)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _styles(doc, fonts: dict[str, str]) -> None:
    normal = doc.styles["Normal"]
    _set_font(normal.font, normal.element.get_or_add_rPr(), fonts["body"], BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PITCH)
    fmt.first_line_indent = Pt(2 * BODY_SIZE)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = doc.styles["Title"]
    _set_font(title.font, title.element.get_or_add_rPr(), fonts["title"], TITLE_SIZE)
    title.font.bold = False
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    fmt = title.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(TITLE_SIZE * 1.6)
    fmt.space_before, fmt.space_after = Pt(0), Pt(LINE_PITCH)

    heading = doc.styles["Heading 1"]
    _set_font(heading.font, heading.element.get_or_add_rPr(), fonts["heading"], BODY_SIZE)
    heading.font.bold = False
    fmt = heading.paragraph_format
    fmt.first_line_indent = Pt(2 * BODY_SIZE)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_PITCH)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.keep_with_next = True


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _borders(table, color: str, size: int) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(size))
        edge.set(qn("w:color"), color)
        borders.append(edge)
    table._tbl.tblPr.append(borders)


def _notice(doc, lines: tuple[str, ...], font: str) -> None:
    box = doc.add_table(rows=1, cols=1)
    box.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(box, NOTICE_BORDER, 12)
    cell = box.cell(0, 0)
    _shade(cell, NOTICE_FILL)
    head = cell.paragraphs[0]
    for i, text in enumerate((NOTICE_TITLE, *lines)):
        paragraph = head if i == 0 else cell.add_paragraph()
        _cell_paragraph(paragraph, text, font, TABLE_SIZE, WD_ALIGN_PARAGRAPH.LEFT)
        if i == 0:
            paragraph.runs[0].font.bold = True
            paragraph.runs[0].font.color.rgb = RGBColor(0xB0, 0, 0)
    doc.add_paragraph().paragraph_format.line_spacing = Pt(12)


def _cell_paragraph(paragraph, text: str, font: str, size: float, align) -> None:
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.SINGLE, 1.0
    fmt.alignment = align
    run = paragraph.add_run(text)
    _set_font(run.font, run._element.get_or_add_rPr(), font, size)


def _table(doc, grid: Grid, font: str) -> None:
    size = WIDE_TABLE_SIZE if grid.width > 6 else TABLE_SIZE
    table = doc.add_table(rows=grid.height, cols=grid.width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    text_width = A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
    widths = [Mm(w) for w in column_widths(grid, text_width)]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice follows
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if len(grid.table.blocks) == 1:
        for row in table.rows[: grid.header_rows]:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for spec in grid.cells:
        cell = table.cell(spec.row, spec.col)
        if spec.rowspan > 1 or spec.colspan > 1:
            cell = cell.merge(table.cell(spec.row + spec.rowspan - 1, spec.col + spec.colspan - 1))
        for extra in cell.paragraphs[1:]:
            extra._element.getparent().remove(extra._element)
        align = WD_ALIGN_PARAGRAPH.LEFT if spec.role == "label" else WD_ALIGN_PARAGRAPH.CENTER
        _cell_paragraph(cell.paragraphs[0], spec.text, font, size, align)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if spec.role in ("caption", "header"):
            cell.paragraphs[0].runs[0].font.bold = spec.role == "caption"
    doc.add_paragraph().paragraph_format.line_spacing = Pt(8)
