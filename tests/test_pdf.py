"""Text PDFs: the same cells as the text route, provenance page + bbox, headers/footers dropped,
tables joined across pages, CID garbage refused or sent to OCR, strange files refused clearly."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import gknb
from gknb.document import Document, Line, TableBlock
from gknb.errors import GknbError, UnreadableFile
from gknb.ingest import ocr, pdf, read_document
from layouts import cell_mismatches, error_findings, named_cells, same_value
from pdf_fixtures import HEADER, SOFFICE, VARIANTS, layout_case, pdf_case

if TYPE_CHECKING:
    import pypdfium2 as pdfium

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: the PDF fixtures cannot be made"
)
RULED = [(v, x) for v in ("2021", "2019") for x in VARIANTS if x != "borderless"]


@pytest.mark.parametrize(("version", "variant"), RULED)
def test_ruled_pdf_gives_every_cell_exactly(version: str, variant: str) -> None:
    case = pdf_case(version, variant)
    report = gknb.read(case.path)
    assert report.source.format == "pdf"
    assert report.meta.template == version
    assert cell_mismatches(report, case.truth) == []
    assert error_findings(report) == []
    for key, value in report.cells.items():
        if value is not None:
            where = report.provenance[key]
            assert where.page is not None and where.page >= 1
            x0, y0, x1, y1 = where.bbox
            assert 0 <= x0 < x1 <= 600 and 0 <= y0 < y1 <= 850
            assert where.confidence is None


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_tables_are_grids_joined_across_pages(version: str) -> None:
    document = read_document(pdf_case(version, "web").path)
    tables = [b for b in document.blocks if isinstance(b, TableBlock)]
    assert len(tables) == 3 and all(t.separator == "pdf" for t in tables)
    requests = tables[1]
    pages = {c.where.page for row in requests.rows for c in row}
    assert len(pages) >= 2, "the fixture's section 三 table should run over a page break"
    labels = [c.text for row in requests.rows for c in row]
    assert any(t.startswith("一、本年新收") for t in labels) and any(t.startswith("四、结转下年度") for t in labels)
    spanned = [c for row in requests.rows for c in row if c.rowspan > 5]
    assert spanned, "the row label 三、本年度办理结果 spans many rows"
    for row in requests.rows:
        cols = [c.where.col for c in row]
        assert cols == sorted(cols)


def test_running_headers_and_page_numbers_are_dropped() -> None:
    document = read_document(pdf_case("2021", "writer").path)
    texts = [b.text for b in document.blocks if isinstance(b, Line)]
    assert not any(HEADER in t for t in texts)
    assert not any(t.strip().startswith("- ") and t.strip().endswith(" -") for t in texts)
    assert any("政府信息公开工作年度报告" in t for t in texts)


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_web_tables_without_rulings_are_never_silently_wrong(version: str) -> None:
    """Wide label cells the labels fill (a label glued to its first number, headings inside the
    table's width): read as lines or as cells where the columns are clear; nothing silently wrong."""
    case = pdf_case(version, "borderless")
    report = gknb.read(case.path)
    named = named_cells(report.findings)
    wrong = [k for k, want in case.truth.items() if not same_value(report.cells.get(k), want)]
    assert len(wrong) <= 0.05 * len(case.truth)  # measured: 9 of 198 (2019), 4 of 200 (2021), all named
    assert [k for k in wrong if k not in named] == []


def _content(document: pdfium.PdfDocument, index: int) -> pdf.PageContent:
    """What page ``index`` of an open document prints, as the reader sees it."""
    page = document[index]  # held open while its raw handle is read
    return pdf._page_content(page.raw, index + 1)[0]


def _garbled(version: str) -> bytes:
    """The clean PDF with its fonts' Unicode maps disabled (same length: offsets stay valid)."""
    raw = pdf_case(version, "web").path.read_bytes()
    assert b"/ToUnicode" in raw
    return raw.replace(b"/ToUnicode", b"/ToUnicodX")


def test_cid_garbage_without_ocr_is_refused_naming_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(UnreadableFile) as caught:
        gknb.read(_garbled("2021"), name="garbled.pdf")
    error = caught.value
    assert "第 2、3" in error.message and "gknb[ocr]" in error.message
    assert "page(s) 2, 3" in error.message_en and "Unicode" in error.message_en


def test_cid_garbage_pages_go_to_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """With OCR present the garbled pages are read by it (a perfect reader stands in for RapidOCR)."""
    import pypdfium2 as pdfium

    case = pdf_case("2021", "web")
    clean = pdfium.PdfDocument(case.path)
    asked: list[int] = []

    def perfect_ocr(page: object, number: int) -> pdf.PageContent:
        asked.append(number)
        return _content(clean, number - 1)

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "read_pdf_page", perfect_ocr)
    report = gknb.read(_garbled("2021"), name="garbled.pdf")
    clean.close()
    assert asked and 1 not in asked  # the first page is empty: nothing to read
    assert cell_mismatches(report, case.truth) == []
    assert any(f.rule == "ingest.note" and "OCR" in f.message_en for f in report.findings)


def test_low_confidence_cells_are_named() -> None:
    """The parse hook: a cell whose OCR score is low gets an ``ocr.low_confidence`` finding."""
    case = pdf_case("2019", "web")
    document = read_document(case.path)
    blocks = list(document.blocks)
    doubted = None
    for b, block in enumerate(blocks):
        if isinstance(block, TableBlock) and doubted is None:
            rows = [list(row) for row in block.rows]
            for row in rows:
                for i, cell in enumerate(row):
                    if doubted is None and cell.text.isdigit() and i > 0:
                        row[i] = dataclasses.replace(cell, where=dataclasses.replace(cell.where, confidence=0.42))
                        doubted = row[i].where
            blocks[b] = dataclasses.replace(block, rows=tuple(tuple(r) for r in rows))
    report = gknb.check(gknb.parse(Document(document.source, blocks, document.notes)))
    low = [f for f in report.findings if f.rule == "ocr.low_confidence"]
    assert len(low) == 1
    keys = [k for k, where in report.provenance.items() if where == doubted]
    assert keys and set(low[0].cells) == set(keys)


@pytest.mark.parametrize(
    "raw",
    [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", b"%PDF-" + bytes(range(256)) * 40],
    ids=["header-only", "no-pages", "binary"],
)
def test_broken_pdfs_are_refused_clearly(raw: bytes) -> None:
    with pytest.raises(GknbError) as caught:
        gknb.read(raw, name="broken.pdf")
    assert caught.value.message and caught.value.message_en


def test_truncated_pdf_is_refused_or_read_never_crashes() -> None:
    raw = pdf_case("2021", "web").path.read_bytes()
    for cut in (len(raw) // 3, len(raw) // 2, len(raw) - 200):
        try:
            report = gknb.read(raw[:cut], name="cut.pdf")
        except GknbError as exc:
            assert exc.message and exc.message_en
        else:
            assert report.source.format == "pdf"


def test_pdf_reader_is_fast_enough() -> None:
    """One ruled report of ~5 pages reads in well under a second (the bench measures pages/s)."""
    import time

    raw = pdf_case("2021", "writer").path.read_bytes()
    start = time.perf_counter()
    for _ in range(3):
        pdf.read_pdf(raw, "x.pdf")
    assert (time.perf_counter() - start) / 3 < 1.0


# ----------------------------------------------------------------------------- layouts seen in real exports

REAL = Path(__file__).parent / "corpus" / "real"


def test_wps_export_reads_every_cell_of_hongze() -> None:
    """A real WPS export (淮安市洪泽区 2023, tests/corpus/real): the vertical label 三、本年度办理结果
    whose character boxes pdfium inflates, （二）部分公开 wrapped onto two lines with its seven numbers
    on a line of their own, and a table whose last row on page 3 has no bottom rule."""
    truth = json.loads((REAL / "hongze2023.truth.json").read_text(encoding="utf-8"), parse_float=Decimal)
    report = gknb.read(REAL / "hongze2023.pdf")
    assert report.meta.template == truth["template"]
    lenient = set(truth.get("lenient", ()))
    wrong = [k for k, want in truth["cells"].items()
             if not same_value(report.cells.get(k), want) and not (k in lenient and report.cells.get(k) == 0)]
    assert wrong == []
    document = read_document(REAL / "hongze2023.pdf")
    texts = [c.text for b in document.blocks if isinstance(b, TableBlock) for row in b.rows for c in row]
    assert "三、本年度办理结果" in texts
    assert any(t.startswith("（二）部分公开（区分处理的") and t.endswith("不计其他情形）") for t in texts)
    assert not any(isinstance(b, Line) and "没有现成信息需要另行制作" in b.text for b in document.blocks)


def _label_lines(path: Path) -> list[int]:
    """How many characters each printed line of the label cells holds (the fixture's own claim)."""
    import pypdfium2 as pdfium

    from gknb.ingest.pagelayout import _runs, _tables

    counts = []
    document = pdfium.PdfDocument(path)
    for index in range(len(document)):
        for table in _tables(_content(document, index))[0]:
            for cell in table.cells:
                if cell.lines and not any(ch.isdigit() for ch in cell.text[:1]) and len(cell.text) > 6:
                    counts += [len(run.text().replace(" ", "")) for run in _runs(cell.glyphs)]
    document.close()
    return counts


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("variant", ["narrow", "hrules", "unruled"])
def test_narrow_labels_and_rows_split_by_page_breaks_read_exactly(version: str, variant: str) -> None:
    """Word → PDF by LibreOffice, label columns 12 mm wide (labels wrap every 2–4 characters, the
    numbers on a line of their own, centred on the label), rows free to split at a page break, header
    rows repeated; ruled fully, only horizontally or not at all (rows and columns from the text's
    positions). Every cell exact, no error."""
    case = layout_case(version, variant)
    ruled = layout_case(version, "narrow" if variant == "unruled" else variant)  # the same label widths
    lines = _label_lines(ruled.path)
    assert lines and sorted(lines)[len(lines) // 2] <= 4, "the fixture's labels should wrap every few characters"
    report = gknb.read(case.path)
    assert report.meta.template == version
    assert cell_mismatches(report, case.truth) == []
    assert error_findings(report) == []


def test_a_row_split_by_the_page_break_is_fused() -> None:
    """Two pages of one ruled table: the last row of the first page holds ``3.危及“三`` and the
    numbers, the next page repeats the header and continues the label; a number the narrow cell
    wrapped (``12`` / ``9``, the first line as wide as the cell allows) is one number, two short
    lines (``5`` / ``6``) are not taken for one."""
    from gknb.ingest.pagelayout import Glyph, PageContent, Ruling, pages_to_blocks

    xs = (50.0, 150.0, 180.0, 210.0)

    def page(number: int, rows: list[list[str]]) -> PageContent:
        glyphs, rulings = [], []
        ys = [100.0 + 30 * i for i in range(len(rows) + 1)]
        for y in ys:
            rulings.append(Ruling(True, y, xs[0], xs[-1]))
        for x in xs:
            rulings.append(Ruling(False, x, ys[0], ys[-1]))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                for k, line in enumerate(text.split("\n")):
                    for i, ch in enumerate(line):
                        x = xs[c] + 2 + 10 * i
                        glyphs.append(Glyph(ch, x, ys[r] + 3 + 11 * k, x + (10 if ch >= "\u2e80" else 9), ys[r] + 13 + 11 * k))
        return PageContent(number, 300, 400, glyphs, rulings)

    header = ["项目", "甲", "乙"]
    first = page(1, [header, ["2.其他", "5\n6", "12\n9"], ["3.危及“三", "1", "22"]])
    second = page(2, [header, ["安全一稳定”", "", ""], ["4.保护", "0", "0"]])
    tables = [b for b in pages_to_blocks([first, second], lambda t: t) if isinstance(b, TableBlock)]
    assert len(tables) == 1
    rows = [[c.text for c in row] for row in tables[0].rows]
    assert rows == [header, ["2.其他", "5 6", "129"], ["3.危及“三安全一稳定”", "1", "22"], ["4.保护", "0", "0"]]


def test_a_table_without_rules_is_read_by_text_positions() -> None:
    """No rule at all: a header row of column titles, labels wrapped over lines and centred on their
    numbers (``2.其他`` opens row 2, so ``秘密`` stays the tail of row 1, ``法律`` below row 2's
    numbers is row 2's), blank cells left empty; a label glued to its number (``权益0``) leaves the
    lines alone."""
    from gknb.ingest.pagelayout import Glyph, PageContent, pages_to_blocks

    def line(text: str, x: float, y: float) -> list[Glyph]:
        return [Glyph(ch, x + 10 * i, y, x + 10 * i + (10 if ch >= "\u2e80" else 9), y + 10)
                for i, ch in enumerate(text) if ch != " "]

    glyphs = (line("项目", 50, 80) + line("甲", 150, 80) + line("乙", 200, 80)
              + line("1.属于", 50, 100) + line("国家", 50, 112) + line("1", 152, 112) + line("2", 202, 112)
              + line("秘密", 50, 124) + line("2.其他", 50, 136) + line("3", 152, 142) + line("法律", 50, 148)
              + line("3.保护", 50, 170) + line("5", 202, 170))
    blocks = pages_to_blocks([PageContent(1, 300, 400, glyphs, [])], lambda t: t)
    tables = [b for b in blocks if isinstance(b, TableBlock)]
    assert len(tables) == 1
    rows = [[c.text for c in row] for row in tables[0].rows]
    assert rows == [["项目", "甲", "乙"], ["1.属于国家秘密", "1", "2"], ["2.其他法律", "3", ""], ["3.保护", "", "5"]]

    glued = line("项目", 50, 80) + line("甲", 150, 80) + line("乙", 200, 80) + line("4.保护", 50, 100) + \
        line("1", 152, 100) + line("2", 202, 100) + line("合法权益0", 50, 112) + line("3", 202, 112)
    blocks = pages_to_blocks([PageContent(1, 300, 400, glued, [])], lambda t: t)
    assert not any(isinstance(b, TableBlock) for b in blocks)
    assert [b.text for b in blocks if isinstance(b, Line)][-1] == "合法权益0 3"


def _glyph_line(text: str, x: float, y: float, digit: float = 9) -> list:
    from gknb.ingest.pagelayout import Glyph

    return [Glyph(ch, x + 10 * i, y, x + 10 * i + (10 if ch >= "\u2e80" else digit), y + 10)
            for i, ch in enumerate(text) if ch != " "]


def test_digits_stacked_in_narrow_unruled_columns_are_one_number() -> None:
    """No rule, value columns one digit wide: ``2`` / ``1`` / ``9`` / ``2`` stacked in the cell is
    2192 although the label's two lines share lines with its middle digits, each row's cells centred
    on one height (the label and a single ``0`` beside the four-line number), a single digit on the
    line under another row's is that row's, not a piece of a number."""
    from gknb.ingest.pagelayout import PageContent, pages_to_blocks

    def stack(text: str, x: float, y: float) -> list:
        return [g for k, ch in enumerate(text) for g in _glyph_line(ch, x, y + 12 * k, 5)]

    glyphs = (_glyph_line("项目", 50, 80) + _glyph_line("甲", 150, 80) + _glyph_line("乙", 180, 80)
              + _glyph_line("丙", 210, 80)
              + stack("2192", 150, 100) + _glyph_line("1.属于秘", 50, 112) + _glyph_line("密", 50, 124)
              + _glyph_line("0", 180, 118, 5) + stack("548", 210, 106) + _glyph_line("0", 210, 158, 5)
              + _glyph_line("0", 210, 176, 5)
              + stack("45", 150, 152) + _glyph_line("2.其他", 50, 158) + _glyph_line("7", 180, 158, 5)
              + _glyph_line("3.保护", 50, 176) + _glyph_line("0", 150, 176, 5) + _glyph_line("0", 180, 176, 5))
    blocks = pages_to_blocks([PageContent(1, 300, 400, glyphs, [])], lambda t: t)
    tables = [b for b in blocks if isinstance(b, TableBlock)]
    assert len(tables) == 1
    rows = [[c.text for c in row] for row in tables[0].rows]
    assert rows == [["项目", "甲", "乙", "丙"], ["1.属于秘密", "2192", "0", "548"], ["2.其他", "45", "7", "0"],
                    ["3.保护", "0", "0", "0"]]


def test_a_header_cell_spilling_over_the_continued_row_is_taken_back() -> None:
    """LibreOffice repeats a header row whose label cell spans two rows alone: on the next page the
    cell is one row tall and its text runs on over the row under it (``说明`` on ``3.保护``'s line).
    Those glyphs go back to the repeated header, which is dropped; the row keeps its own label."""
    from gknb.ingest.pagelayout import PageContent, Ruling, pages_to_blocks

    xs = (50.0, 150.0, 180.0, 210.0)

    def grid(ys: list[float], merged_top: bool, spans_label: bool) -> list[Ruling]:
        rulings = [Ruling(False, x, ys[0], ys[-1]) for x in (xs[0], xs[-1])]
        rulings += [Ruling(False, xs[1], ys[0], ys[-1])]
        rulings.append(Ruling(False, xs[2], ys[1] if merged_top else ys[0], ys[-1]))
        for i, y in enumerate(ys):
            start = xs[1] if (spans_label and i == 1) else xs[0]
            rulings.append(Ruling(True, y, start, xs[-1]))
        return rulings

    first = PageContent(1, 300, 400, (
        _glyph_line("项目", 60, 105) + _glyph_line("说明", 60, 117) + _glyph_line("申请人", 155, 103)
        + _glyph_line("甲", 160, 117) + _glyph_line("乙", 190, 117)
        + _glyph_line("1.属于", 52, 134) + _glyph_line("1", 160, 134, 5) + _glyph_line("2", 190, 134, 5)
        + _glyph_line("2.其他", 52, 154) + _glyph_line("3", 160, 154, 5) + _glyph_line("4", 190, 154, 5)),
        grid([100.0, 115.0, 130.0, 150.0, 170.0], True, True))
    second = PageContent(2, 300, 400, (
        _glyph_line("项目", 60, 105) + _glyph_line("申请人", 155, 103)
        + _glyph_line("说明", 60, 117) + _glyph_line("3.保护", 110, 117) + _glyph_line("5", 160, 117, 5)
        + _glyph_line("6", 190, 117, 5)),
        grid([100.0, 115.0, 135.0], True, False))
    tables = [b for b in pages_to_blocks([first, second], lambda t: t) if isinstance(b, TableBlock)]
    assert len(tables) == 1
    rows = [[c.text for c in row] for row in tables[0].rows]
    assert rows[-1] == ["3.保护", "5", "6"]
    assert rows[0][0] == "项目说明" and len(rows) == 5



@pytest.mark.parametrize("variant", ["web", "official"])
def test_layout_shortcuts_agree_with_the_long_way(variant: str) -> None:
    """The reading shortcuts give what the long way gives on real pages: a table's cell for every
    glyph middle and every cell corner (points on edges included), a run's texts without finding its
    line again, and the lines of the printed glyphs as the page's lines without their spaces."""
    import pypdfium2 as pdfium

    from gknb.ingest.pagelayout import _CellFinder, _chunks, _finite, _run_chunks, _runs, _tables

    document = pdfium.PdfDocument(pdf_case("2021", variant).path)
    checked = 0
    for index in range(len(document)):
        page = _content(document, index)
        assert _finite(page.glyphs)
        for table in _tables(page)[0]:
            finder = _CellFinder(table.cells)
            points = [(g.cx, g.cy) for c in table.cells for g in c.glyphs]
            points += [(x, y) for c in table.cells for x in (c.x0, c.x1) for y in (c.y0, c.y1)]
            for x, y in points:
                first = next((c for c in table.cells if c.y0 <= y <= c.y1 and c.x0 <= x <= c.x1), None)
                assert finder.find(x, y) is first
                checked += 1
        lines = _runs(page.glyphs)
        printed = _runs([g for g in page.glyphs if g.text.strip()])
        assert [[g for g in r.glyphs if g.text.strip()] for r in lines] == [r.glyphs for r in printed]
        assert [_run_chunks(r) for r in printed] == [_chunks(r.glyphs) for r in printed]
    document.close()
    assert checked > 500
