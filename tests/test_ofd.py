"""OFD (GB/T 33190): reports written here as OFD packages (zipfile + the XML structure) read back exactly.

``OfdWriter`` lays a report out on A4 pages in millimetres: prose wrapped to the text width, the three
official tables with their merged cells (from ``tests/layouts.py``), cell labels wrapped inside their
cells. Ruling lines are drawn as closed rectangles per cell or as thin filled bars per border; text
objects are written plainly or scaled by a ``CTM``, their advances with or without the ``g N D``
shorthand; page locations relative or absolute.
"""

from __future__ import annotations

import io
import random
import zipfile
from itertools import count
from xml.sax.saxutils import escape

import pytest

import gknb
from gknb.document import Line, TableBlock
from gknb.errors import UnreadableFile
from gknb.formats import FORMATS
from gknb.ingest import read_document
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

NS = "http://www.ofdspec.org/2016"
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
TEXT_W = PAGE_W - 2 * MARGIN
BODY_SIZE, CELL_SIZE = 3.5, 2.6


def _width(char: str, size: float) -> float:
    return size if char >= "\u2e80" else size / 2


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, line, used = [], "", 0.0
    for char in text:
        w = _width(char, size)
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line += char
        used += w
    return [*lines, line] if line else lines or [""]


class OfdWriter:
    """Pages of text objects and paths, in millimetres from the top-left corner."""

    def __init__(self, rnd: random.Random, *, ruled: bool = True, absolute: bool = False):
        self.rnd = rnd
        self.ruled = ruled
        self.absolute = absolute
        self.ids = count(10)
        self.pages: list[list[str]] = [[]]
        self.y = MARGIN

    def text(self, x: float, top: float, text: str, size: float) -> None:
        if not text:
            return
        deltas = [_width(c, size) for c in text[:-1]]
        scale = 3.0 if self.rnd.random() < 0.3 else 1.0  # CTM-scaled objects: coordinates in 1/scale
        unit = [d / scale for d in deltas]
        if unit and len(set(unit)) == 1 and self.rnd.random() < 0.5:
            delta = f"g {len(unit)} {unit[0]:g}"
        else:
            delta = " ".join(f"{d:g}" for d in unit)
        ctm = f' CTM="{scale:g} 0 0 {scale:g} 0 0"' if scale != 1 else ""
        self.pages[-1].append(
            f'<ofd:TextObject ID="{next(self.ids)}" Boundary="{x:g} {top:g} {sum(deltas) + size:g} {size * 1.3:g}"'
            f' Font="3" Size="{size / scale:g}"{ctm}><ofd:FillColor Value="0 0 0"/>'
            f'<ofd:TextCode X="0" Y="{size * 0.9 / scale:g}" DeltaX="{delta}">{escape(text)}</ofd:TextCode>'
            "</ofd:TextObject>"
        )

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        if self.rnd.random() < 0.5:  # a closed outline
            self.pages[-1].append(
                f'<ofd:PathObject ID="{next(self.ids)}" Boundary="{x:g} {y:g} {w:g} {h:g}" LineWidth="0.25">'
                f"<ofd:AbbreviatedData>M 0 0 L {w:g} 0 L {w:g} {h:g} L 0 {h:g} C</ofd:AbbreviatedData></ofd:PathObject>"
            )
            return
        bar = 0.3  # four thin filled bars
        for bx, by, bw, bh in ((x, y, w, bar), (x, y + h, w, bar), (x, y, bar, h), (x + w, y, bar, h)):
            self.pages[-1].append(
                f'<ofd:PathObject ID="{next(self.ids)}" Boundary="{bx:g} {by - bar / 2:g} {bw:g} {bh:g}"'
                f' Fill="true" Stroke="false"><ofd:AbbreviatedData>M 0 0 L {bw:g} 0 L {bw:g} {bh:g} L 0 {bh:g} C'
                "</ofd:AbbreviatedData></ofd:PathObject>"
            )

    def need(self, height: float) -> None:
        if self.y + height > PAGE_H - MARGIN:
            self.pages.append([])
            self.y = MARGIN

    def paragraph(self, text: str) -> None:
        for line in _wrap(text, TEXT_W, BODY_SIZE):
            self.need(BODY_SIZE * 1.6)
            self.text(MARGIN, self.y, line, BODY_SIZE)
            self.y += BODY_SIZE * 1.6

    def table(self, grid, widths: list[float]) -> None:
        expanded = _expand(grid)
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + w)
        line_h = CELL_SIZE * 1.3
        placed = []
        heights = [7.0] * len(expanded)
        for i, row in enumerate(expanded):
            for j, slot in enumerate(row):
                if slot.top_left:
                    cell = slot.cell
                    lines = _wrap(cell.text, xs[j + cell.colspan] - xs[j] - 2, CELL_SIZE)
                    placed.append((i, j, cell, lines))
                    need = len(lines) * line_h + 2
                    if cell.rowspan == 1:
                        heights[i] = max(heights[i], need)
        for i, _j, cell, lines in placed:  # merged rows tall enough for their text
            rows = range(i, i + cell.rowspan)
            short = len(lines) * line_h + 2 - sum(heights[r] for r in rows)
            if short > 0:
                heights[rows[-1]] += short
        self.need(sum(heights))
        ys = [self.y]
        for h in heights:
            ys.append(ys[-1] + h)
        for i, j, cell, lines in placed:
            x0, x1, y0, y1 = xs[j], xs[j + cell.colspan], ys[i], ys[i + cell.rowspan]
            if self.ruled:
                self.rect(x0, y0, x1 - x0, y1 - y0)
            for k, line in enumerate(lines):
                self.text(x0 + 1, y0 + 1 + k * line_h, line, CELL_SIZE)
        self.y = ys[-1] + 4

    def build(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("OFD.xml", (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">'
                "<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>"
                "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
            ))
            base = "/Doc_0/" if self.absolute else ""
            pages = "".join(
                f'<ofd:Page ID="{n + 1}" BaseLoc="{base}Pages/Page_{n}/Content.xml"/>' for n in range(len(self.pages))
            )
            archive.writestr("Doc_0/Document.xml", (
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
                f"<ofd:MaxUnitID>{next(self.ids)}</ofd:MaxUnitID>"
                f"<ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W:g} {PAGE_H:g}</ofd:PhysicalBox></ofd:PageArea>"
                f"</ofd:CommonData><ofd:Pages>{pages}</ofd:Pages></ofd:Document>"
            ))
            for n, objects in enumerate(self.pages):
                archive.writestr(f"Doc_0/Pages/Page_{n}/Content.xml", (
                    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                    f'<ofd:Layer ID="{n + 2}">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
                ))
        return buffer.getvalue()


WIDTHS = {
    "disclosure": lambda n: [60.0] + [(TEXT_W - 60) / (n - 1)] * (n - 1),
    "requests": lambda n: [12.0, 14.0, 70.0] + [(TEXT_W - 96) / (n - 3)] * (n - 3),
    "review": lambda n: [TEXT_W / n] * n,
}


def make_ofd(fmt, cells, rnd: random.Random, *, blanks=(), ruled: bool = True, absolute: bool = False,
             year: int | None = None) -> bytes:
    """A whole annual report as an OFD file (see the module docstring)."""
    blanks = set(blanks)
    grids = _grids(fmt, cells, blanks, _style(rnd, wrap=False), rnd)
    year = year or fmt.years[0] + 1
    agency = "青山县自然资源局"
    writer = OfdWriter(rnd, ruled=ruled, absolute=absolute)
    writer.paragraph(f"{agency}{year}年政府信息公开工作年度报告")
    for section in fmt.sections:
        writer.paragraph(_heading(fmt, section.key, rnd))
        for para in _prose(fmt, cells, section.key, year, agency, rnd, blanks):
            writer.paragraph(para)
        if section.key in grids:
            grid = grids[section.key]
            width = sum(c.colspan for c in grid.rows[0])
            writer.table(grid, WIDTHS[section.key](width))
    writer.paragraph(agency)
    writer.paragraph(f"{year + 1}年1月15日")
    return writer.build()


# ----------------------------------------------------------------------------------------- reports


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(2))
def test_ruled_ofd_reads_back_every_cell(version: str, seed: int) -> None:
    fmt = FORMATS[version]
    rnd = random.Random(f"ofd-{version}-{seed}")
    cells = random_report(fmt, rnd)
    blanks = set(rnd.sample(arithmetic_keys(fmt), 3)) if seed else set()
    report = gknb.read(make_ofd(fmt, cells, rnd, blanks=blanks, absolute=bool(seed)), name="x.ofd")
    assert report.source.format == "ofd" and report.meta.template == version
    assert report.meta.year == fmt.years[0] + 1
    expected = {k: (None if k in blanks else v) for k, v in cells.items()}
    diffs = cell_mismatches(report, expected)
    assert not diffs, "\n".join(diffs)
    if blanks:
        assert blanks <= named_cells(report.findings)
    else:
        assert not error_findings(report), [f.message_en for f in error_findings(report)]


def test_ruled_tables_are_grids_with_spans_and_page_provenance() -> None:
    fmt = FORMATS["2021"]
    rnd = random.Random(4)
    doc = read_document(make_ofd(fmt, random_report(fmt, rnd), rnd), name="report.ofd")
    tables = [b for b in doc.blocks if isinstance(b, TableBlock)]
    assert len(tables) == 3
    requests = [[(c.where.col, c.text, c.rowspan, c.colspan) for c in row] for row in tables[1].rows]
    assert requests[0][0][0] == 0 and requests[0][0][2:] == (3, 3)  # the 勾稽关系 header cell
    assert requests[0][1][0] == 3 and requests[0][1][3] == 7  # 申请人情况
    assert requests[1][1][0] == 4 and requests[1][1][3] == 5  # 法人或其他组织
    withheld = [c for row in requests for c in row if c[1].startswith(("（三）", "(三)"))]
    assert withheld and withheld[0][2] == 8  # （三）不予公开 over its 8 rows
    outcome = [c for row in requests for c in row if "本年度办理结果" in c[1]]
    assert outcome and outcome[0][2] == len(fmt.table("requests").blocks[0].rows) - 3
    review = [[(c.where.col, c.rowspan, c.colspan) for c in row] for row in tables[2].rows]
    assert review[0] == [(0, 1, 5), (5, 1, 10)] and len(review[-1]) == 15
    lines = [b for b in doc.blocks if isinstance(b, Line)]
    assert lines[0].text.endswith("年度报告") and lines[0].where.page == 1 and lines[0].where.bbox is not None
    assert all(c.where.page for t in tables for row in t.rows for c in row)


def test_ofd_without_rulings_reads_as_cells() -> None:
    """An OFD whose tables have no rules at all: rows and columns come from the text's geometry
    (pagelayout's tables without rules), and every cell is read."""
    fmt = FORMATS["2021"]
    rnd = random.Random(11)
    cells = random_report(fmt, rnd)
    data = make_ofd(fmt, cells, rnd, ruled=False)
    doc = read_document(data, name="x.ofd")
    assert any(isinstance(b, TableBlock) for b in doc.blocks)
    report = gknb.read(data, name="x.ofd")
    diffs = cell_mismatches(report, cells)
    assert not diffs, "\n".join(diffs)


@pytest.mark.parametrize("version", ["2021", "2019"])
def test_planted_error_in_ofd_is_named(version: str) -> None:
    fmt = FORMATS[version]
    rnd = random.Random(f"ofd-planted-{version}")
    for _ in range(3):
        cells = random_report(fmt, rnd)
        key = rnd.choice(arithmetic_keys(fmt))
        cells[key] += rnd.randint(1, 9)
        report = gknb.read(make_ofd(fmt, cells, rnd), name="x.ofd")
        assert report.cells[key] == cells[key]
        assert key in named_cells(error_findings(report)), key


# ------------------------------------------------------------------------------------- bad packages


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


_OFD_XML = f'<ofd:OFD xmlns:ofd="{NS}"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"PK\x03\x04" + random.Random(5).randbytes(2048), "zip"),
        (_zip({"OFD.xml": "<ofd:OFD>broken"}), "OFD.xml"),
        (_zip({"OFD.xml": f'<ofd:OFD xmlns:ofd="{NS}"><ofd:DocBody/></ofd:OFD>'}), "DocRoot"),
        (_zip({"OFD.xml": _OFD_XML}), "Doc_0/Document.xml is missing"),
        (_zip({"OFD.xml": _OFD_XML, "Doc_0/Document.xml": f'<ofd:Document xmlns:ofd="{NS}"/>'}), "no pages"),
    ],
    ids=["not-zip", "broken-xml", "no-docroot", "missing-document", "no-pages"],
)
def test_corrupt_ofd_is_unreadable(data: bytes, detail: str) -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(data, name="report.ofd")
    assert "OFD" in exc.value.message and detail in exc.value.message_en
    assert exc.value.path == "report.ofd"


def test_ofd_without_text_is_refused_as_a_scan() -> None:
    writer = OfdWriter(random.Random(0))
    writer.rect(20, 20, 100, 50)
    with pytest.raises(UnreadableFile) as exc:
        read_document(writer.build(), name="scan.ofd")
    assert "OCR" in exc.value.message_en
