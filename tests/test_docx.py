"""DOCX (and .doc/.wps through LibreOffice): Word files with the official merged tables read back exactly.

The fixtures are built with python-docx from the official grids of ``tests/layouts.py`` (the same
cell structure the text and HTML layouts print): section 三's 3×3 勾稽关系 header cell, 申请人情况
over 7 columns, 法人或其他组织 over 5, 三、本年度办理结果 merged down its rows, （三）不予公开 over
8 rows, section 四's two-level header. Merges are made with python-docx's ``merge``, which writes
``w:gridSpan`` and ``w:vMerge`` as Word does.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

import gknb
from gknb.check import check
from gknb.data import report_from_data
from gknb.document import Line, Source, TableBlock
from gknb.errors import NotAnnualReport, UnreadableFile, UnsupportedFormat
from gknb.formats import FORMATS
from gknb.ingest import docx as docx_reader
from gknb.ingest import read_document
from gknb.parse import parse
from gknb.render import render
from layouts import (
    _expand,
    _grids,
    _heading,
    _prose,
    _style,
    arithmetic_keys,
    cell_mismatches,
    error_findings,
    named_cells,
    random_report,
)

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def make_docx(fmt, cells, rnd: random.Random, *, blanks=(), wrap: bool = False, year: int | None = None) -> bytes:
    """A whole annual report as a DOCX: title, the six sections' prose, the three official tables."""
    blanks = set(blanks)
    style = _style(rnd, wrap=False)
    grids = _grids(fmt, cells, blanks, style, rnd)
    year = year or fmt.years[0] + 1
    agency = "青山县自然资源局"
    document = docx.Document()
    document.add_paragraph(f"{agency}{year}年政府信息公开工作年度报告")
    document.add_paragraph("")
    for section in fmt.sections:
        document.add_paragraph(_heading(fmt, section.key, rnd))
        for para in _prose(fmt, cells, section.key, year, agency, rnd, blanks):
            document.add_paragraph(para)
        if section.key in grids:
            _add_table(document, grids[section.key], rnd, wrap)
    document.add_paragraph(agency)
    document.add_paragraph(f"{year + 1}年1月15日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_table(document, grid, rnd: random.Random, wrap: bool) -> None:
    """The grid as a Word table: every merged cell merged, its text in its top-left cell."""
    expanded = _expand(grid)
    table = document.add_table(rows=len(expanded), cols=len(expanded[0]))
    table.style = "Table Grid"
    positions = [list(row.cells) for row in table.rows]  # merged regions are disjoint: these stay valid
    done: set[int] = set()
    for i, row in enumerate(expanded):
        for j, slot in enumerate(row):
            cell = slot.cell
            if not slot.top_left or id(cell) in done:
                continue
            done.add(id(cell))
            target = positions[i][j]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(positions[i + cell.rowspan - 1][j + cell.colspan - 1])
            text = cell.text
            if wrap and cell.role == "label" and len(text) >= 6 and rnd.random() < 0.5:
                cut = rnd.randint(3, len(text) - 2)
                if text[cut - 1] not in " （(“" and text[cut] not in " ）)”":
                    target.text = text[:cut]
                    target.add_paragraph(text[cut:])
                    continue
            target.text = text


def grid_texts(block: TableBlock) -> list[list[tuple[int, str, int, int]]]:
    return [[(c.where.col, c.text, c.rowspan, c.colspan) for c in row] for row in block.rows]


def expected_rows(grid) -> list[list[tuple[int, str, int, int]]]:
    """Each cell once, at its grid column, with its spans: what the reader must give back."""
    out = []
    for row in _expand(grid):
        out.append([(j, s.cell.text, s.cell.rowspan, s.cell.colspan) for j, s in enumerate(row) if s.top_left])
    return out


# ------------------------------------------------------------------------------------- clean reports


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(3))
def test_docx_report_reads_back_every_cell(version: str, seed: int) -> None:
    fmt = FORMATS[version]
    rnd = random.Random(f"docx-{version}-{seed}")
    cells = random_report(fmt, rnd)
    keys = list(cells)
    blanks = set(rnd.sample(keys, 4)) if seed else set()
    data = make_docx(fmt, cells, rnd, blanks=blanks, wrap=seed == 2)
    report = gknb.read(data, name="x.docx")
    assert report.source.format == "docx"
    assert report.meta.template == version
    expected = {k: (None if k in blanks else v) for k, v in cells.items()}
    diffs = cell_mismatches(report, expected)
    assert not diffs, "\n".join(diffs)
    if not blanks:
        assert not error_findings(report), [f.message_en for f in error_findings(report)]
    else:
        assert blanks <= named_cells(report.findings) | {k for k in blanks if k.startswith("disclosure.")}


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_docx_grid_has_true_columns_and_spans(version: str) -> None:
    """Every table comes back cell for cell: merged cells once, at their top-left grid column."""
    fmt = FORMATS[version]
    rnd = random.Random(f"grid-{version}")
    cells = random_report(fmt, rnd)
    data = make_docx(fmt, cells, random.Random(1), wrap=False)
    same = random.Random(1)  # make_docx draws its style, then its grids, from its rnd first
    grids = _grids(fmt, cells, set(), _style(same, wrap=False), same)
    doc = read_document(data, name="x.docx")
    tables = [b for b in doc.blocks if isinstance(b, TableBlock)]
    assert [t.separator for t in tables] == ["docx"] * 3
    for index, (block, key) in enumerate(zip(tables, ("disclosure", "requests", "review"), strict=True)):
        want = expected_rows(grids[key])
        assert grid_texts(block) == want  # the same random draws print the same texts
        assert all(c.where.table == index for row in block.rows for c in row)
    requests = grid_texts(tables[1])
    assert requests[0][0][1:] == (requests[0][0][1], 3, 3)  # the 勾稽关系 header cell: 3 rows × 3 columns
    assert requests[0][1][0] == 3 and requests[0][1][3] == 7  # 申请人情况 over the 7 value columns
    assert requests[1][1][0] == 4 and requests[1][1][3] == 5  # 法人或其他组织 over 5
    withheld = next(row for row in requests if any(c[1].startswith(("（三）", "(三)")) for c in row))
    assert [c for c in withheld if c[1].startswith(("（三）", "(三)"))][0][2] == 8  # （三）不予公开 over 8 rows


def test_body_order_interleaves_paragraphs_and_tables() -> None:
    fmt = FORMATS["2021"]
    rnd = random.Random(5)
    doc = read_document(make_docx(fmt, random_report(fmt, rnd), rnd), name="x.docx")
    kinds = ["T" if isinstance(b, TableBlock) else "L" for b in doc.blocks]
    text = [b.text for b in doc.blocks if isinstance(b, Line)]
    assert "".join(kinds).count("T") == 3 and kinds[0] == "L" and kinds[-1] == "L"
    headings = [i for i, b in enumerate(doc.blocks) if isinstance(b, Line) and b.text.startswith(("二、", "三、", "四、"))]
    tables = [i for i, k in enumerate(kinds) if k == "T"]
    assert all(h < t for h, t in zip(headings, tables, strict=True))
    assert tables[0] < headings[1] and tables[1] < headings[2]
    numbers = [b.where.line for b in doc.blocks if isinstance(b, Line)]
    assert numbers == sorted(numbers) and numbers[0] == 1
    assert text[0].endswith("年度报告") and text[1] == ""  # the empty paragraph is a blank line


def test_wrapped_label_paragraphs_join_without_separator() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).text = "社会公益"
    table.cell(0, 0).add_paragraph("组织")
    table.cell(0, 1).text = "Total"
    table.cell(0, 1).add_paragraph("count")
    table.cell(0, 2).text = "7"
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_document(buffer.getvalue(), name="x.docx")
    (block,) = [b for b in doc.blocks if isinstance(b, TableBlock)]
    assert [c.text for c in block.rows[0]] == ["社会公益组织", "Total count", "7"]


# --------------------------------------------------------------------------- hand-written table XML

_W = nsdecls("w")


def _docx_with_body(body_xml: str) -> bytes:
    """A DOCX whose body is ``body_xml`` (WordprocessingML, the ``w`` prefix declared)."""
    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("sectPr"):
            body.remove(child)
    for element in reversed(parse_xml(f"<w:body {_W}>{body_xml}</w:body>").getchildren()):
        body.insert(0, element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_grid_before_vmerge_hmerge_and_content_controls() -> None:
    rows = (
        "<w:tr>" + _tc("A", '<w:vMerge w:val="restart"/>') + _tc("B", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        "<w:tr>" + _tc("", "<w:vMerge/>") + _tc("c") + _tc("d") + "</w:tr>"
        "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>" + _tc("e") + _tc("f") + "</w:tr>"
        "<w:tr>" + _tc("g", '<w:hMerge w:val="restart"/>') + _tc("", '<w:hMerge w:val="continue"/>') + _tc("h")
        + "</w:tr>"
        "<w:sdt><w:sdtContent><w:tr>" + _tc("i") + "<w:sdt><w:sdtContent>" + _tc("j")
        + "</w:sdtContent></w:sdt>" + _tc("k") + "</w:tr></w:sdtContent></w:sdt>"
    )
    body = f"<w:p><w:r><w:t>前</w:t></w:r></w:p><w:tbl>{rows}</w:tbl><w:p><w:r><w:t>后</w:t></w:r></w:p>"
    doc = read_document(_docx_with_body(body), name="x.docx")
    assert isinstance(doc.blocks[0], Line) and doc.blocks[0].text == "前"
    assert isinstance(doc.blocks[2], Line) and doc.blocks[2].text == "后"
    block = doc.blocks[1]
    assert isinstance(block, TableBlock)
    assert grid_texts(block) == [
        [(0, "A", 2, 1), (1, "B", 1, 2)],
        [(1, "c", 1, 1), (2, "d", 1, 1)],
        [(1, "e", 1, 1), (2, "f", 1, 1)],
        [(0, "g", 1, 2), (2, "h", 1, 1)],
        [(0, "i", 1, 1), (1, "j", 1, 1), (2, "k", 1, 1)],
    ]
    assert block.rows[2][1].where.as_dict() == {"table": 0, "row": 2, "col": 2}


def test_text_boxes_deleted_text_and_field_codes_are_left_out() -> None:
    body = (
        "<w:p><w:r><w:t>可见</w:t></w:r>"
        "<w:del w:id=\"1\" w:author=\"x\" w:date=\"2022-01-01T00:00:00Z\"><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>3</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
        "<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></w:r>"
        "<w:r><w:tab/><w:t>尾</w:t><w:br/><w:t>下一行</w:t></w:r></w:p>"
    )
    doc = read_document(_docx_with_body(body), name="x.docx")
    assert [(b.text, b.where.line) for b in doc.blocks] == [("可见3\t尾", 1), ("下一行", 1)]


def test_nested_layout_table_gives_its_text_and_the_inner_grid() -> None:
    inner = "<w:tbl><w:tr>" + _tc("自然人") + _tc("商业企业") + "</w:tr><w:tr>" + _tc("1") + _tc("2") + "</w:tr></w:tbl>"
    outer = (
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>标题</w:t></w:r></w:p>" + inner
        + "<w:p><w:r><w:t>落款</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    doc = read_document(_docx_with_body(outer + "<w:tbl><w:tr>" + _tc("单列") + "</w:tr></w:tbl>"), name="x.docx")
    shapes = [b.text if isinstance(b, Line) else grid_texts(b) for b in doc.blocks]
    assert shapes == [
        "标题",
        [[(0, "自然人", 1, 1), (1, "商业企业", 1, 1)], [(0, "1", 1, 1), (1, "2", 1, 1)]],
        "落款",
        "单列",
    ]


def test_traditional_docx_is_converted() -> None:
    document = docx.Document()
    for text in ("這個機關的政府資訊公開工作年度報告", "總體情況：本機關認真實現各項數據統計"):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_document(buffer.getvalue(), name="x.docx")
    assert doc.blocks[0].text.startswith("这个机关")
    assert any("繁体" in note for note in doc.notes)


# ------------------------------------------------------------------------------------ planted errors


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_planted_error_is_named(version: str) -> None:
    fmt = FORMATS[version]
    rnd = random.Random(f"planted-{version}")
    for _ in range(4):
        cells = random_report(fmt, rnd)
        key = rnd.choice(arithmetic_keys(fmt))
        k = rnd.randint(1, 9)
        cells[key] += k
        report = gknb.read(make_docx(fmt, cells, rnd), name="x.docx")
        assert report.cells[key] == cells[key]
        assert key in named_cells(error_findings(report)), (key, [f.rule for f in report.findings])


# ------------------------------------------------------------------------------------------ .doc/.wps


def _to_doc(data: bytes, tmp_path: Path) -> bytes:
    source = tmp_path / "report.docx"
    source.write_bytes(data)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    return (tmp_path / "report.doc").read_bytes()


@needs_soffice
@pytest.mark.parametrize(("version", "name"), [("2021", "x.doc"), ("2019", "x.wps")])
def test_doc_made_by_libreoffice_reads_identically(version: str, name: str, tmp_path: Path) -> None:
    fmt = FORMATS[version]
    rnd = random.Random(f"doc-{version}")
    cells = random_report(fmt, rnd)
    blanks = set(rnd.sample(arithmetic_keys(fmt), 2))
    data = make_docx(fmt, cells, rnd, blanks=blanks, wrap=True)
    doc_bytes = _to_doc(data, tmp_path)
    assert doc_bytes.startswith(b"\xd0\xcf\x11\xe0")
    original = read_document(data, name="x.docx")
    converted = read_document(doc_bytes, name=name)
    assert converted.source.format == "doc"
    from_docx, from_doc = check(parse(original)), check(parse(converted))
    assert from_doc.cells == from_docx.cells
    assert [(f.rule, f.cells) for f in from_doc.findings] == [(f.rule, f.cells) for f in from_docx.findings]
    grids = [[[(c.where.col, c.text, c.rowspan, c.colspan) for c in row] for row in block.rows]
             for doc in (original, converted) for block in doc.blocks if isinstance(block, TableBlock)]
    assert grids[:3] == grids[3:]


def test_doc_without_libreoffice_says_it_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader.shutil, "which", lambda name: None)
    with pytest.raises(UnsupportedFormat) as exc:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, name="report.wps")
    assert "LibreOffice" in exc.value.message and "LibreOffice" in exc.value.message_en
    assert exc.value.path == "report.wps"


def test_ole_file_without_a_word_stream_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(3).randbytes(2048), name="x.doc")
    assert "WordDocument" in exc.value.message_en


@needs_soffice
def test_corrupt_doc_is_unreadable() -> None:
    word = "WordDocument".encode("utf-16-le")
    with pytest.raises(UnreadableFile) as exc:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + word + b"\x00" * 2048, name="x.doc")
    assert "LibreOffice" in exc.value.message_en


def test_doc_conversion_timeout_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd="soffice", timeout=1)

    monkeypatch.setattr(docx_reader.shutil, "which", lambda name: "/usr/bin/soffice")
    monkeypatch.setattr(docx_reader.subprocess, "run", slow)
    with pytest.raises(UnreadableFile) as exc:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), name="x.doc")
    assert "超时" in exc.value.message and "timed out" in exc.value.message_en


# ------------------------------------------------------------------------------------- bad documents


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + random.Random(2).randbytes(4096),
        _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document>broken"}),
        _zip({"[Content_Types].xml": "<x/>", "readme.txt": "hello"}),
    ],
    ids=["truncated-zip", "broken-xml", "zip-not-docx"],
)
def test_corrupt_docx_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(data, name="report.docx")
    assert "Word" in exc.value.message and "DOCX" in exc.value.message_en
    assert exc.value.path == "report.docx"


def test_zip_that_is_not_docx_without_a_docx_name_is_an_archive() -> None:
    with pytest.raises(UnsupportedFormat) as exc:
        read_document(_zip({"data.csv": "a,b"}), name="bundle.zip")
    assert "ZIP" in exc.value.message_en


def test_docx_without_tables_or_text() -> None:
    document = docx.Document()
    document.add_paragraph("会议通知：请各单位准时参加。")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(NotAnnualReport):
        gknb.read(buffer.getvalue(), name="notice.docx")
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(UnreadableFile) as exc:
        read_document(buffer.getvalue(), name="empty.docx")
    assert "no text" in exc.value.message_en


# -------------------------------------------------------------------------- gknb render → gknb read


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("blanks", [0, 5])
def test_rendered_docx_reads_back(version: str, blanks: int) -> None:
    """``gknb render --to docx`` then ``gknb read``: every cell, the template and the year come back."""
    fmt = FORMATS[version]
    rnd = random.Random(f"render-{version}-{blanks}")
    cells = random_report(fmt, rnd)
    blank = set(rnd.sample(list(cells), blanks))
    expected = {k: None if k in blank else v for k, v in cells.items()}
    year = fmt.years[0] + 1  # within the years of the format
    data = {"meta": {"agency": "临江市教育局", "year": year},
            "cells": {k: str(v) if isinstance(v, Decimal) else v for k, v in expected.items()}}
    report = check(report_from_data(data, Source("x.json", "", "json")))
    back = gknb.read(render(report, "docx"), name="x.docx")
    assert back.meta.template == version and back.meta.year == year
    diffs = cell_mismatches(back, expected)
    assert not diffs, "\n".join(diffs)
    if not blanks:
        assert not error_findings(back), [f.message_en for f in error_findings(back)]


def test_a_docx_with_a_huge_xml_part_is_refused_before_it_is_parsed() -> None:
    """A small DOCX whose document.xml unpacks to 40 MiB (its tree would take ~700 MB) is refused."""
    document = io.BytesIO()
    docx.Document().save(document)
    grown = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document.getvalue())) as source, \
            zipfile.ZipFile(grown, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                filler = b"<w:p><w:r><w:t>" + b"x" * 1000 + b"</w:t></w:r></w:p>"
                data = data.replace(b"<w:body>", b"<w:body>" + filler * (40 * 1024))
            target.writestr(info, data)
    assert len(grown.getvalue()) < 2 * 1024 * 1024
    with pytest.raises(UnreadableFile, match="too large once unpacked"):
        read_document(grown.getvalue(), name="big.docx")
