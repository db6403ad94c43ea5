"""Text PDFs: the same cells as the text route, provenance page + bbox, headers/footers dropped,
tables joined across pages, CID garbage refused or sent to OCR, strange files refused clearly."""

from __future__ import annotations

import dataclasses

import pytest

import gknb
from gknb.document import Document, Line, TableBlock
from gknb.errors import GknbError, UnreadableFile
from gknb.ingest import ocr, pdf, read_document
from layouts import cell_mismatches, error_findings, named_cells, same_value
from pdf_fixtures import HEADER, SOFFICE, VARIANTS, pdf_case

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
def test_tables_without_rulings_are_read_as_lines_and_nothing_is_silently_wrong(version: str) -> None:
    case = pdf_case(version, "borderless")
    report = gknb.read(case.path)
    document = read_document(case.path)
    assert not any(isinstance(b, TableBlock) for b in document.blocks)
    named = named_cells(report.findings)
    wrong = [k for k, want in case.truth.items() if not same_value(report.cells.get(k), want)]
    assert len(wrong) < len(case.truth) / 4
    assert [k for k in wrong if k not in named] == []


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
        return pdf._page_content(clean[number - 1], number)[0]

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
