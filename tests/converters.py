"""Converter copies: the project's own rendered reports, run through the converters people use, scored.

``make_originals(folder, seeds)`` draws consistent random reports (``layouts.random_report``) with a few
blank cells and renders each with ``gknb.render`` in the official layout as

=========== ========================================================================================
medium      what it is
=========== ========================================================================================
docx        the official DOCX (python-docx, real merged cells)
html        the official HTML page (rowspan/colspan tables)
pdf         the DOCX converted by LibreOffice (the official column widths: group labels wrap)
pdf-narrow  the same DOCX with every table's label column narrowed to ~3 characters and rows allowed to
            split at a page break, then converted by LibreOffice: labels wrap every 2–4 characters
docx-varied an agency's own Word file (``varied_docx``), one of two sets of habits in turn (``HABITS``):
            "portrait" — table 三's header in two rows (no 申请人情况 row), a notes row with dates
            under tables 三 and 四, Word's table properties (header rows repeated on each page, rows
            split at a page break), fonts named as on Windows (宋体, not installed here), tables in
            小四 (三 runs over two pages), numbers right-aligned; "landscape" — landscape pages,
            the column headers of 三 and 四 unmerged (text on top, an empty cell below), 三's group
            labels repeated in each row (三、本年度办理结果 …, as pasted from a spreadsheet), table 四
            as two tables (行政复议, 行政诉讼), tables in 小五, blank cells printed as ``—``
html-varied the official HTML page with the same header, notes and blank habits (``varied_page``)
pdf-varied  docx-varied converted by LibreOffice
pdf-chromium html-varied published on a portal (tool bars, footer) and printed to PDF by chromium
html-cms    the official page as a portal's editor publishes it (``cms_page``), one of two habits in turn
            (``CMS_HABITS``): "pasted" from Word — every cell's text in ``<p><span style>``, a number's
            digits in one run and its ``.``/``-`` in another (Word's runs: digits in Times New Roman),
            blank cells ``&nbsp;``, table 三 cut in two ``<table>``s at a page break, Word's closing
            row of empty cells; "typed" — cells in ``<div>``, full-width digits (``１２``, ``９０．３``),
            section 二's counts printed with 件 (``0件``), each table's header rows a ``<table>`` of
            their own; both within a portal's page (tool bars, footer)
=========== ========================================================================================

Seeds 1–3 print their numbers plainly, as ``gknb render`` does. Later seeds take, in turn, one of
the printing habits real reports show (``STYLES``): large counts printed with thousands separators
(``1,234``), a zero-heavy table (a township's year with no requests, blank cells among the zeros), and
blank cells printed as a dash or slash (``—``, ``/``), more of them. A styled original's file name
says its style (``2021-4-thousands-pdf.pdf``).

``CONVERTERS`` are the real programs, installed from PyPI (``test`` extra) or Debian (poppler-utils,
LibreOffice), run as their users run them: ``markitdown`` (DOCX and PDF → Markdown), ``pdftotext`` in
its three modes (reading order, ``-layout``, ``-raw``), pdfminer.six's ``pdf2txt.py``, LibreOffice's text
export of the DOCX, ``html2text`` and ``inscriptis`` (``inscript``) on the HTML; and the libraries people
call from Python (``LIBRARY_CALLS``): pypdf's and pdfplumber's ``extract_text`` and PDFium's text
(pypdfium2) of a PDF, pandoc (``pypandoc``: DOCX → Markdown, merged cells in grid tables) and mammoth
(DOCX → HTML). ``convert(original, converter, folder)``
writes the copy (``convert_file``: the copy of any file, e.g. a real report's PDF). ``score(report,
truth)`` counts every cell: exact, wrong, and *silently* wrong (wrong and named by no finding).
``bench/accuracy.py`` prints the table of docs/accuracy.md from these.
"""

from __future__ import annotations

import importlib.util
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from html import escape
from pathlib import Path

from docx import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

import gknb
from convcache import cached
from gknb.data import report_from_data
from gknb.document import Source
from gknb.formats import FORMATS
from gknb.render import Page, build_page
from gknb.render.docx import render_docx
from gknb.render.grid import Grid, GridCell
from gknb.render.html import render_html
from gknb.render.pdf import docx_to_pdf, soffice
from gknb.report import SECTION_KEYS, Report
from layouts import _prose, random_report, same_value

Value = int | Decimal | None
MEDIA = ("docx", "html", "pdf", "pdf-narrow", "docx-varied", "html-varied", "pdf-varied", "pdf-chromium", "html-cms")
SUFFIX = {"docx": ".docx", "html": ".html", "pdf": ".pdf", "pdf-narrow": ".pdf", "docx-varied": ".docx",
          "html-varied": ".html", "pdf-varied": ".pdf", "pdf-chromium": ".pdf", "html-cms": ".html"}
HABITS = ("portrait", "landscape")  # the two sets of agency habits a varied original takes (see the docstring)
CMS_HABITS = ("pasted", "typed")  # the two ways a portal's editor holds the tables of html-cms (see cms_page)
NOTE = "注：本表统计期限为本年度1月1日至12月31日，“—”表示无此项。"  # a notes row printed under a table
AGENCIES = ("青山县民政局", "平潭综合实验区管委会", "城关街道办事处", "南湖区人民政府", "花园乡人民政府")
NARROW_LABEL_MM = 12.0  # a label column of about three characters of 五号 type
BLANKS = 5  # cells printed blank in every original
STYLES = ("plain", "thousands", "zeros", "dashes")  # how an original prints its numbers (see the docstring)
DASH_BLANKS = 8  # cells printed as a dash in a "dashes" original


@dataclass(frozen=True)
class Original:
    """One rendered report: its file and what it really says."""

    version: str
    seed: int
    medium: str
    path: Path
    agency: str
    year: int
    truth: Mapping[str, Value]  # every cell of the format; None where printed blank
    style: str = "plain"  # one of STYLES


@dataclass(frozen=True)
class Converter:
    """A real converter: the medium it reads, the name of its output's kind and its command line."""

    name: str
    medium: str  # docx | html | pdf (reads pdf-narrow too)
    suffix: str  # of its output: .md / .txt, or a document again (.docx / .doc / .html)
    argv: tuple[str, ...]  # {src} and {out} are replaced; no {out}: the output is standard output

    def reads(self, medium: str) -> bool:
        return medium.split("-")[0] == self.medium

    def available(self) -> bool:
        if self.name in LIBRARY_CALLS:
            return importlib.util.find_spec(self.argv[0]) is not None
        return _program(self.argv[0]) is not None

    @property
    def resaves(self) -> bool:
        """It writes a document again (LibreOffice's 另存为: DOCX, DOC, web page), not a text copy."""
        return self.suffix in (".docx", ".doc", ".html")


CONVERTERS = (
    Converter("markitdown", "docx", ".md", ("markitdown", "{src}", "-o", "{out}")),
    Converter("soffice-txt", "docx", ".txt", ("soffice", "--convert-to", "txt:Text (encoded):UTF8")),
    Converter("soffice-docx", "docx", ".docx", ("soffice", "--convert-to", "docx:MS Word 2007 XML")),
    Converter("soffice-doc", "docx", ".doc", ("soffice", "--convert-to", "doc:MS Word 97")),
    Converter("soffice-html", "docx", ".html", ("soffice", "--convert-to", "html:HTML (StarWriter)")),
    Converter("markitdown", "pdf", ".md", ("markitdown", "{src}", "-o", "{out}")),
    Converter("pdftotext", "pdf", ".txt", ("pdftotext", "-enc", "UTF-8", "{src}", "{out}")),
    Converter("pdftotext-layout", "pdf", ".txt", ("pdftotext", "-layout", "-enc", "UTF-8", "{src}", "{out}")),
    # the content stream's order (each cell's text where the producer drew it): blank cells not printed
    Converter("pdftotext-raw", "pdf", ".txt", ("pdftotext", "-raw", "-enc", "UTF-8", "{src}", "{out}")),
    Converter("pdf2txt", "pdf", ".txt", ("pdf2txt.py", "-o", "{out}", "{src}")),
    Converter("html2text", "html", ".md", ("html2text", "{src}", "utf-8")),
    Converter("inscriptis", "html", ".txt", ("inscript", "-o", "{out}", "{src}")),
    Converter("markitdown", "html", ".md", ("markitdown", "{src}", "-o", "{out}")),
    # the page opened in chromium (Playwright), its text selected and copied: ``document.body.innerText``
    Converter("browser-copy", "html", ".txt", ("chromium",)),
    # libraries called as their users call them (``LIBRARY_CALLS``; argv names the package)
    Converter("pypdf", "pdf", ".txt", ("pypdf",)),
    Converter("pdfplumber", "pdf", ".txt", ("pdfplumber",)),
    Converter("pypdfium2", "pdf", ".txt", ("pypdfium2",)),
    Converter("pandoc", "docx", ".md", ("pypandoc",)),
    Converter("mammoth", "docx", ".html", ("mammoth",)),
)


def _pypdf(source: Path) -> str:
    """pypdf's text of every page (``PdfReader(f).pages[i].extract_text()``), pages one after another."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(source).pages)


def _pdfplumber(source: Path) -> str:
    """pdfplumber's ``page.extract_text()`` of every page (its default, not ``layout=True``)."""
    import pdfplumber

    with pdfplumber.open(source) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _pypdfium2(source: Path) -> str:
    """PDFium's text of every page (pypdfium2: ``page.get_textpage().get_text_range()``), as the text
    loaders of document pipelines call it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(source))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _pandoc(source: Path) -> str:
    """pandoc's Markdown of a Word file (``pypandoc.convert_file(f, "markdown")``, as ``pandoc f -o
    x.md``): tables with merged cells drawn as grid tables (``+---+``, boxes by display width)."""
    import pypandoc

    return pypandoc.convert_file(str(source), "markdown")


def _mammoth(source: Path) -> str:
    """mammoth's HTML of a Word file (``mammoth.convert_to_html(f).value``): a fragment, no ``<html>``."""
    import mammoth

    with source.open("rb") as file:
        return mammoth.convert_to_html(file).value


LIBRARY_CALLS = {"pypdf": _pypdf, "pdfplumber": _pdfplumber, "pypdfium2": _pypdfium2, "pandoc": _pandoc,
                 "mammoth": _mammoth}


def _program(name: str) -> str | None:
    """A converter's executable: the venv's own scripts first (pip-installed converters), then PATH."""
    if name == "soffice":
        return soffice()
    if name == "chromium":
        from pdf_fixtures import CHROMIUM

        return CHROMIUM and str(CHROMIUM)
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


# --------------------------------------------------------------------------------------------------
# Originals
# --------------------------------------------------------------------------------------------------


def style_of(seed: int) -> str:
    """The printing habit of seed ``seed``'s original: plain for seeds 1–3 (the originals earlier runs
    measured), then each of the other ``STYLES`` in turn."""
    return "plain" if seed <= 3 else STYLES[1 + (seed - 4) % (len(STYLES) - 1)]


def _styled_cells(cells: dict[str, Value], style: str, rnd: random.Random) -> None:
    """Reshape a random report's values for ``style`` keeping every identity: "thousands" scales the
    two identity tables by one factor and makes the 处理决定数量 and 收费金额 large; "zeros" empties
    them (and most of section 二)."""
    if style == "thousands":
        factor = rnd.choice([137, 251, 1009])
        for key, value in cells.items():
            if key.startswith(("requests.", "review.")):
                cells[key] = value * factor
            elif key.endswith((".decisions", ".prev_items")):
                cells[key] = rnd.randint(1000, 99999) if rnd.random() < 0.7 else value
            elif isinstance(value, Decimal) and value:
                cells[key] = (value * rnd.choice([100, 1000])).quantize(value)
    elif style == "zeros":
        for key in cells:
            if key.startswith(("requests.", "review.")) or rnd.random() < 0.8:
                cells[key] = Decimal(0) if isinstance(cells[key], Decimal) else 0


def truth_report(version: str, seed: int, style: str = "plain") -> tuple[Report, dict[str, Value]]:
    """A consistent random report of format ``version`` with ``BLANKS`` blank cells (``DASH_BLANKS`` in a
    "dashes" original), its values shaped by ``style``, and its truth."""
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    if style != "plain":
        _styled_cells(cells, style, rnd)
    blanks = set(rnd.sample(sorted(cells), DASH_BLANKS if style == "dashes" else BLANKS))
    truth = {k: (None if k in blanks else v) for k, v in cells.items()}
    start, end = fmt.years
    year = rnd.randint(start, end if end is not None else start + 3)
    agency = AGENCIES[seed % len(AGENCIES)]
    sections = {key: "\n".join(_prose(fmt, cells, key, year, agency, rnd, blanks)) for key in SECTION_KEYS}
    data = {
        "meta": {"agency": agency, "year": year, "template": version, "published": f"{year + 1}-01-{10 + seed % 18}"},
        "sections": sections,
        "cells": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in truth.items()},
    }
    return report_from_data(data, Source(f"{version}-{seed}.json", "", "json")), truth


def styled_page(report: Report, style: str, seed: int) -> Page:
    """The report's page with its value cells printed in ``style``: thousands separators, or blank
    cells as a dash (one mark per report, drawn from the seed)."""
    page = build_page(report)
    if style == "thousands":
        def text(cell: GridCell) -> str:
            value = report.cells.get(cell.key)
            return "" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:,f}"
    elif style == "dashes":
        mark = ("—", "/", "-", "——")[seed % 4]

        def text(cell: GridCell) -> str:
            return cell.text or mark
    else:
        return page

    def restyle(grid: Grid | None) -> Grid | None:
        if grid is None:
            return None
        cells = tuple(replace(c, text=text(c)) if c.role == "value" else c for c in grid.cells)
        return replace(grid, cells=cells)

    return replace(page, sections=tuple(replace(part, grid=restyle(part.grid)) for part in page.sections))


def narrow_labels(docx: bytes) -> bytes:
    """The DOCX with each table's widest column (its labels) narrowed to ``NARROW_LABEL_MM``, the
    others widened to keep the table's width, and rows allowed to split at a page break."""
    import io

    doc = DocxDocument(io.BytesIO(docx))
    twips_per_mm = 1440 / 25.4
    for table in doc.tables:
        grid = table._tbl.tblGrid
        cols = grid.findall(qn("w:gridCol"))
        if len(cols) < 3:
            continue
        widths = [int(c.get(qn("w:w"))) for c in cols]
        label = max(range(len(widths)), key=widths.__getitem__)
        total, narrow = sum(widths), int(NARROW_LABEL_MM * twips_per_mm)
        others = total - widths[label]
        new = [narrow if i == label else round(w * (total - narrow) / others) for i, w in enumerate(widths)]
        for col, width in zip(cols, new, strict=True):
            col.set(qn("w:w"), str(width))
        for tr in table._tbl.tr_lst:
            props = tr.trPr
            if props is not None:
                for keep in props.findall(qn("w:cantSplit")):
                    props.remove(keep)
            position = 0
            for tc in tr.tc_lst:
                span = tc.grid_span
                width = sum(new[position : position + span])
                position += span
                tcw = tc.get_or_add_tcPr().find(qn("w:tcW"))
                if tcw is None:
                    tcw = OxmlElement("w:tcW")
                    tc.get_or_add_tcPr().append(tcw)
                tcw.set(qn("w:w"), str(width))
                tcw.set(qn("w:type"), "dxa")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def habit_of(seed: int) -> str:
    """The set of agency habits (``HABITS``) seed ``seed``'s varied original takes: in turn."""
    return HABITS[(seed - 1) % len(HABITS)]


def _without_top_header_row(grid: Grid) -> Grid:
    """The grid with its first header row dropped where that row is one cell over the value columns
    under which every other cell of the row reaches further down (table 三's 申请人情况): the header
    in two rows, 自然人 / 法人或其他组织 / 总计 on top."""
    top = [c for c in grid.cells if c.row == 0 and c.role == "header"]
    over = [c for c in top if c.rowspan == 1]
    if len(over) != 1 or over[0].col + over[0].colspan != grid.width or grid.header_rows < 3:
        return grid
    cells = tuple(replace(c, rowspan=c.rowspan - 1) if c.row == 0 else replace(c, row=c.row - 1)
                  for c in grid.cells if c is not over[0])
    return replace(grid, height=grid.height - 1, header_rows=grid.header_rows - 1, cells=cells)


def _unmerged_header(grid: Grid) -> Grid:
    """The grid with every column header reaching down to the data (自然人, 总计, 结果维持 …) cut
    to one row, the cells below it left empty, as a table drawn cell by cell is."""
    first_value = min(c.col for c in grid.cells if c.role == "value")
    cells: list[GridCell] = []
    for c in grid.cells:
        if c.role == "header" and c.rowspan > 1 and c.col >= first_value and c.row + c.rowspan == grid.header_rows:
            cells.append(replace(c, rowspan=1))
            cells.extend(GridCell("", "header", c.row + i, c.col, colspan=c.colspan) for i in range(1, c.rowspan))
        else:
            cells.append(c)
    cells.sort(key=lambda c: (c.row, c.col))
    return replace(grid, cells=tuple(cells))


def _group_labels_repeated(grid: Grid) -> Grid:
    """The grid with every group label (三、本年度办理结果, （三）不予公开 …) printed in each of its rows
    instead of one cell merged down them, as a table pasted from a spreadsheet is."""
    cells: list[GridCell] = []
    for c in grid.cells:
        if c.role == "group" and c.rowspan > 1:
            cells.extend(replace(c, row=c.row + i, rowspan=1) for i in range(c.rowspan))
        else:
            cells.append(c)
    cells.sort(key=lambda c: (c.row, c.col))
    return replace(grid, cells=tuple(cells))


def _with_note(grid: Grid) -> Grid:
    """The grid with a notes row under it, one cell across (``NOTE``, dates in it)."""
    note = GridCell(NOTE, "label", grid.height, 0, colspan=grid.width)
    return replace(grid, height=grid.height + 1, cells=(*grid.cells, note))


def varied_page(report: Report, style: str, seed: int) -> Page:
    """The report's page as an agency's own Word file draws it (``habit_of(seed)``): "portrait" with
    table 三's header in two rows (no 申请人情况 row) and a notes row under tables 三 and 四;
    "landscape" with the column headers of 三 and 四 unmerged (text on top, an empty cell below),
    table 三's group labels repeated in each of their rows and blank cells printed as ``—``."""
    page = styled_page(report, style, seed)
    habit = habit_of(seed)

    def vary(grid: Grid | None) -> Grid | None:
        if grid is None or grid.table.key == "disclosure":
            return grid
        if habit == "portrait":
            return _with_note(_without_top_header_row(grid))
        grid = _group_labels_repeated(_unmerged_header(grid))
        return replace(grid, cells=tuple(replace(c, text="—") if c.role == "value" and not c.text else c
                                         for c in grid.cells))

    return replace(page, sections=tuple(replace(part, grid=vary(part.grid)) for part in page.sections))


def _split_widest_table(docx: bytes, at: int) -> bytes:
    """The DOCX with its widest table (table 四) cut into two tables at grid column ``at`` (行政复议 |
    行政诉讼), an empty paragraph between, each as wide as the one it came from."""
    import copy
    import io

    doc = DocxDocument(io.BytesIO(docx))
    tbl = max(doc.tables, key=lambda t: len(t._tbl.tblGrid.findall(qn("w:gridCol"))))._tbl
    right = copy.deepcopy(tbl)
    tbl.addnext(right)
    tbl.addnext(OxmlElement("w:p"))
    for part, keep in ((tbl, lambda col: col < at), (right, lambda col: col >= at)):
        cols = part.tblGrid.findall(qn("w:gridCol"))
        total = sum(int(c.get(qn("w:w"))) for c in cols)
        for i, col in enumerate(cols):
            if not keep(i):
                part.tblGrid.remove(col)
        kept = sum(int(c.get(qn("w:w"))) for c in part.tblGrid.findall(qn("w:gridCol")))
        for width in part.iter(qn("w:gridCol"), qn("w:tcW")):
            width.set(qn("w:w"), str(int(int(width.get(qn("w:w"))) * total / kept)))
        for tr in part.tr_lst:
            position = 0
            for tc in list(tr.tc_lst):
                span = tc.grid_span
                if not keep(position):
                    tr.remove(tc)
                position += span
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table_type(docx: bytes, size: float | None, numbers: str | None) -> bytes:
    """The DOCX with every table's text at ``size`` points and its numbers aligned ``numbers``
    ("right"), as set by hand in Word."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.text.paragraph import Paragraph

    doc = DocxDocument(io.BytesIO(docx))
    for table in doc.tables:
        for paragraph in table._tbl.iter(qn("w:p")):
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            for run in paragraph.iter(qn("w:r")):
                rpr = run.get_or_add_rPr()
                if size is not None:
                    for tag in ("w:sz", "w:szCs"):
                        node = rpr.find(qn(tag))
                        if node is None:
                            node = OxmlElement(tag)
                            rpr.append(node)
                        node.set(qn("w:val"), str(int(size * 2)))
            if numbers == "right" and re.fullmatch(r"[\d.,]+", text):
                Paragraph(paragraph, None).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def varied_docx(report: Report, style: str, seed: int) -> bytes:
    """The report as an agency's own Word file (``varied_page``): "portrait" with the table
    properties Word writes (header rows repeated on each page, rows allowed to split), the fonts a
    Windows document names (宋体, Times New Roman: not installed here), tables set in 小四 (12 pt,
    table 三 runs over two pages) and numbers right-aligned; "landscape" with landscape pages, table
    四 as two tables (行政复议, 行政诉讼) and every table in 小五 (9 pt)."""
    from pdf_fixtures import _windows_fonts, _word_like

    raw = render_docx(varied_page(report, style, seed), installed_fonts=True)
    if habit_of(seed) == "portrait":
        return _table_type(_windows_fonts(_word_like(raw, None)), 12.0, "right")
    split = _split_widest_table(raw, at=5)
    return _table_type(_word_like(split, None, repeat_header=False, landscape=True), 9.0, None)


def _chromium_print(html: bytes, agency: str) -> bytes:
    """The varied page published on a portal (``pdf_fixtures.published_page``) printed to PDF by
    Debian chromium headless, as a user's 打印 → 另存为 PDF does."""
    import tempfile

    from pdf_fixtures import CHROMIUM, published_page

    if CHROMIUM is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    published = published_page(html.decode("utf-8"), agency).encode("utf-8")

    def make() -> bytes:
        with tempfile.TemporaryDirectory(prefix="gknb-print-") as tmp:
            page, pdf = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
            page.write_bytes(published)
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}",
                            page.as_uri()], check=True, capture_output=True, timeout=180)
            return pdf.read_bytes()

    return cached(published, CHROMIUM, ("--print-to-pdf",), make)


def _docx_to_pdf(docx: bytes) -> bytes:
    """LibreOffice's PDF of the DOCX (``gknb.render.pdf.docx_to_pdf``), kept by its content (convcache)."""
    return cached(docx, soffice() or "soffice", ("--convert-to", "pdf"), lambda: docx_to_pdf(docx))


_FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
_RUN = '<span lang="EN-US" style="font-family:\'Times New Roman\'">{}</span>'  # Word's run of digits
_MARK = '<span style="font-family:宋体">{}</span>'  # and of the marks among them, in the CJK font


def _word_runs(text: str) -> str:
    """A cell's text as Word pastes it: digits in runs of their own, ``.``/``-``/``,`` in the CJK font."""
    if not re.fullmatch(r"[-\d.,]+", text):
        return _MARK.format(escape(text))
    return "".join((_RUN if piece[0].isdigit() else _MARK).format(piece) for piece in re.findall(r"\d+|\D", text))


def _table_cut(rows: list, at: int) -> int | None:
    """The row index nearest ``at`` where no rowspan from above reaches past (a table may break there)."""
    reach, cuts = 0, []
    for i, tr in enumerate(rows):
        if i and reach <= i:
            cuts.append(i)
        for cell in tr:
            reach = max(reach, i + int(cell.get("rowspan", "1")))
    return min(cuts, key=lambda i: abs(i - at)) if cuts else None


def _split_table(table, cuts: list[int]) -> None:
    """``table`` replaced by one table per run of rows between ``cuts`` (an empty paragraph between)."""
    from lxml import etree

    rows = list(table.iter("tr"))
    parent, position = table.getparent(), table.getparent().index(table)
    parent.remove(table)
    edges = [0, *cuts, len(rows)]
    for n, (start, end) in enumerate(zip(edges, edges[1:], strict=False)):
        part = etree.Element("table", dict(table.attrib))
        body = etree.SubElement(part, "tbody")
        body.extend(rows[start:end])
        if n:
            gap = etree.Element("p")
            gap.text = "\u00a0"
            parent.insert(position, gap)
            position += 1
        parent.insert(position, part)
        position += 1


def cms_page(html: bytes, agency: str, seed: int) -> bytes:
    """The official page as a portal's editor holds it (``CMS_HABITS[(seed - 1) % 2]``, see the module
    docstring), published within the portal's tool bars and footer."""
    import lxml.html
    from lxml import etree

    from pdf_fixtures import published_page

    root = lxml.html.document_fromstring(html.decode("utf-8"))
    pasted = CMS_HABITS[(seed - 1) % len(CMS_HABITS)] == "pasted"
    for index, table in enumerate(list(root.iter("table"))):
        width = max(sum(int(c.get("colspan", "1")) for c in tr) for tr in table.iter("tr"))
        for cell in table.iter("td", "th"):
            text = cell.text_content().strip()
            for child in list(cell):
                cell.remove(child)
            value = cell.tag == "td" and cell.get("class") != "label" and bool(re.fullmatch(r"[-\d.,]+", text))
            if pasted:
                cell.text = None
                cell.set("width", str(560 // width))
                cell.set("style", "border:solid windowtext 1.0pt;padding:0cm 5.4pt")
                inner = _word_runs(text) if text else '<span lang="EN-US">&nbsp;</span>'
                markup = f'<p class="MsoNormal" align="center" style="text-align:center">{inner}</p>'
            else:
                if value and index == 0 and "." not in text:
                    text += "件"
                elif value:
                    text = text.translate(_FULL_WIDTH)
                cell.text = None
                markup = f'<div style="text-align:center">{escape(text) if text else "&nbsp;"}</div>'
            cell.append(lxml.html.fragment_fromstring(markup))
        rows = list(table.iter("tr"))
        if pasted:
            closing = etree.SubElement(rows[-1].getparent(), "tr", height="0")
            for _ in range(width):
                etree.SubElement(closing, "td", width=str(560 // width), style="border:none")
            if len(rows) > 20:  # table 三 runs over a page break
                cut = _table_cut(rows, len(rows) // 2)
                if cut is not None:
                    _split_table(table, [cut])
        else:
            head = sum(1 for tr in rows if tr.getparent().tag == "thead")
            if 0 < head < len(rows):
                _split_table(table, [head])
    page = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return published_page(page, agency).encode("utf-8")


def one_character_spans(page: bytes, rows: tuple[str, ...] | None = None) -> bytes:
    """The page with every table cell's text (or only the cells of the ``rows`` whose first cell reads
    so) set one character per ``<span>`` (no space between them), as Word or WPS saves text formatted
    character by character and a portal's editor pastes it: a browser shows it as before; inscriptis
    prints a space between two spans (``９ ０ ． ３``)."""
    import lxml.html

    root = lxml.html.document_fromstring(page.decode("utf-8"))
    for cell in root.iter("td", "th"):
        row = cell.getparent()
        if rows is not None and row[0].text_content().strip() not in rows:
            continue
        text = cell.text_content().strip()
        for child in list(cell):
            cell.remove(child)
        cell.text = None
        if text:
            spans = "".join(f'<span style="font-family:宋体">{escape(char)}</span>' for char in text)
            cell.append(lxml.html.fragment_fromstring(f"<p>{spans}</p>"))
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>").encode("utf-8")


def render_original(report: Report, medium: str, style: str = "plain", seed: int = 0) -> bytes:
    """``report`` as a file of ``medium`` (one of ``MEDIA``), its numbers printed in ``style``."""
    if medium == "docx-varied":
        return varied_docx(report, style, seed)
    if medium == "pdf-varied":
        return _docx_to_pdf(varied_docx(report, style, seed))
    if medium == "html-cms":
        return cms_page(render_html(styled_page(report, style, seed)), report.meta.agency or "", seed)
    if medium in ("html-varied", "pdf-chromium"):
        html = render_html(varied_page(report, style, seed))
        return html if medium == "html-varied" else _chromium_print(html, report.meta.agency or "")
    page = styled_page(report, style, seed)
    if medium == "html":
        return render_html(page)
    if medium == "docx":
        return render_docx(page)
    docx = render_docx(page, installed_fonts=True)
    return _docx_to_pdf(narrow_labels(docx) if medium == "pdf-narrow" else docx)


def make_originals(folder: Path, seeds: Iterable[int], media: Iterable[str] = MEDIA,
                   versions: Iterable[str] = tuple(FORMATS)) -> list[Original]:
    """Render every (version, seed) in every medium into ``folder`` (files already there are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for version in versions:
        for seed in seeds:
            style = style_of(seed)
            report, truth = truth_report(version, seed, style)
            tag = f"{version}-{seed}" if style == "plain" else f"{version}-{seed}-{style}"
            for medium in media:
                path = folder / f"{tag}-{medium}{SUFFIX[medium]}"
                if not path.exists():
                    path.write_bytes(render_original(report, medium, style, seed))
                out.append(Original(version, seed, medium, path, report.meta.agency, report.meta.year, truth, style))
    return out


# --------------------------------------------------------------------------------------------------
# Copies
# --------------------------------------------------------------------------------------------------


def convert(original: Original, converter: Converter, folder: Path, timeout: int = 180) -> Path:
    """Run ``converter`` on ``original`` (output into ``folder``, kept if already there); the copy's path."""
    return convert_file(original.path, converter, folder, timeout)


def medium_of(path: Path) -> str | None:
    """The medium a file is, for ``Converter.reads`` (a real report: ``.pdf`` → pdf)."""
    return {v: k for k, v in SUFFIX.items() if k in ("docx", "html", "pdf")}.get(path.suffix.lower())


def convert_file(source: Path, converter: Converter, folder: Path, timeout: int = 180) -> Path:
    """Run ``converter`` on the file ``source`` (output into ``folder``, kept if already there); the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{source.stem}.{converter.name}{converter.suffix}"
    if out.exists():
        return out
    if converter.name in LIBRARY_CALLS:
        if not converter.available():
            raise FileNotFoundError(f"converter {converter.argv[0]} is not installed")
        call = LIBRARY_CALLS[converter.name]  # kept by this environment's packages, as a script's copy
        out.write_bytes(cached(source.read_bytes(), sys.executable, (converter.name, source.name),
                               lambda: call(source).encode("utf-8")))
        return out
    exe = _program(converter.argv[0])
    if exe is None:
        raise FileNotFoundError(f"converter {converter.argv[0]} is not installed")
    out.write_bytes(cached(source.read_bytes(), exe, (*converter.argv, source.name),
                           lambda: _run_converter(source, converter, exe, folder, timeout)))
    return out


def _run_converter(source: Path, converter: Converter, exe: str, folder: Path, timeout: int) -> bytes:
    """The copy ``converter`` (the program ``exe``) makes of ``source`` (its work files in ``folder``)."""
    if converter.name == "browser-copy":
        return browser_copy(source, exe, timeout).encode("utf-8")
    if converter.argv[0] == "soffice":
        work = folder / "soffice"
        argv = [exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                *converter.argv[1:], "--outdir", str(work), str(source)]
        subprocess.run(argv, check=True, capture_output=True, timeout=timeout)
        kind = converter.argv[converter.argv.index("--convert-to") + 1].split(":")[0]
        made = work / f"{source.stem}.{kind}"
        data = made.read_bytes()
        made.unlink()  # the next file of this stem is converted into the same folder
        return data
    out = folder / f"{source.stem}.{converter.name}{converter.suffix}"
    argv = [exe] + [a.replace("{src}", str(source)).replace("{out}", str(out)) for a in converter.argv[1:]]
    done = subprocess.run(argv, check=True, capture_output=True, timeout=timeout)
    return out.read_bytes() if "{out}" in converter.argv else done.stdout


def browser_copy(page: Path, chromium: str, timeout: int = 180) -> str:
    """The text a user copies from ``page`` opened in chromium (全选, 复制): ``document.body.innerText``
    by Playwright — a table's cells separated by tabs, its rows by line ends, a cell's paragraphs
    (``<td><p>…</p></td>``) on lines of their own with blank lines around them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.goto(page.resolve().as_uri(), timeout=timeout * 1000)
            return tab.evaluate("document.body.innerText")
        finally:
            browser.close()


# --------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """Every cell of one read compared with its truth."""

    cells: int
    wrong: tuple[str, ...]  # keys read differently from the truth
    silent: tuple[str, ...]  # wrong keys no finding names
    agency_right: bool | None = None
    year_right: bool | None = None
    blank_only: tuple[str, ...] = ()  # wrong keys named only by ``cell.blank`` (read as blank, printed with a value)

    @property
    def exact(self) -> int:
        return self.cells - len(self.wrong)


def score(report: Report, truth: Mapping[str, Value], lenient: Mapping[str, list] | None = None,
          agency: str | None = None, year: int | None = None) -> Score:
    """Compare ``report.cells`` with ``truth`` (``lenient``: other accepted values per key) and the
    meta with ``agency`` and ``year`` when given."""
    lenient = lenient or {}
    named = {key for finding in report.findings for key in finding.cells}
    wrong = []
    for key, want in truth.items():
        got = report.cells.get(key)
        if same_value(got, want):
            continue
        if key in lenient and (got is None or any(same_value(got, x) for x in lenient[key])):
            continue
        wrong.append(key)
    silent = tuple(k for k in wrong if k not in named)
    rules = {key: {f.rule for f in report.findings if key in f.cells} for key in wrong}
    blank_only = tuple(k for k in wrong if rules[k] == {"cell.blank"} and truth[k] is not None)
    agency_right = None if agency is None else report.meta.agency == agency
    year_right = None if year is None else report.meta.year == year
    return Score(len(truth), tuple(wrong), silent, agency_right, year_right, blank_only)


def read_and_score(path: Path, original: Original) -> tuple[Report, Score]:
    """gknb's reading of ``path`` (an original or a copy of it), scored against the original's truth."""
    report = gknb.read(path)
    return report, score(report, original.truth, agency=original.agency, year=original.year)


def wrong_lines(report: Report, truth: Mapping[str, Value], keys: Iterable[str]) -> list[str]:
    """``key: got X want Y [finding codes naming it]`` for the keys given (for messages and reports)."""
    out = []
    for key in keys:
        rules = sorted({f.rule for f in report.findings if key in f.cells})
        out.append(f"{key}: got {report.cells.get(key)!r} want {truth.get(key)!r} {rules or 'SILENT'}")
    return out


def row_pattern(keys: Iterable[str]) -> str:
    """Wrong keys grouped by table row: ``requests.withheld.*(3) review.total.*(2)``."""
    rows: dict[str, int] = {}
    for key in keys:
        row = re.sub(r"\.[^.]+$", ".*", key)
        rows[row] = rows.get(row, 0) + 1
    return " ".join(f"{row}({n})" for row, n in rows.items())


__all__ = [
    "CMS_HABITS", "CONVERTERS", "HABITS", "LIBRARY_CALLS", "MEDIA", "STYLES", "Converter", "Original", "Score", "browser_copy",
    "cms_page", "convert", "convert_file", "habit_of", "make_originals", "medium_of", "narrow_labels", "one_character_spans",
    "page_of_crawler_copy", "read_and_score", "render_original", "row_pattern",
    "score", "style_of", "styled_page", "truth_report", "varied_docx", "varied_page", "wrong_lines",
]


def page_of_crawler_copy(copy: str, *, site: str, author: str, source: str) -> bytes:
    """A government portal's page around a crawler's text copy (``标题: …`` fields, then the text after
    ``正文``): its ``<title>``, the ``<meta>`` properties such portals declare (SiteName, ArticleTitle,
    Author, an empty ContentSource), the heading and its 来源 line, the text's lines as paragraphs."""
    fields, body = copy.split("==================== 正文 ====================", 1)
    title = next(line.split(":", 1)[1].strip() for line in fields.splitlines() if line.startswith("标题:"))
    metas = "".join(f'<meta name="{k}" content="{escape(v)}"/>' for k, v in
                    (("SiteName", site), ("ArticleTitle", title), ("ContentSource", ""), ("Author", author)))
    paragraphs = "".join(f"<p>{escape(p.strip())}</p>\n" for p in body.splitlines() if p.strip())
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"/>{metas}<title>{escape(title)}_政府信息公开年报_'
            f'{escape(site)}</title></head><body><div class="article_title">{escape(title)}</div>'
            f'<span class="article_source">来源：{escape(source)}</span><div class="article_content">\n'
            f'{paragraphs}</div></body></html>\n').encode()

