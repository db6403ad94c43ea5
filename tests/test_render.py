"""Rendering: the official grids from the declaration, and render → ``gknb.read`` round trips.

Every medium round-trips through ``gknb.read`` (a reader that breaks fails the round trip); the DOCX
structure (merged cells as ``gridSpan``/``vMerge``) is also checked directly.
"""

from __future__ import annotations

import io
import json
import random
import shutil
from decimal import Decimal

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import gknb
from gknb.check import check
from gknb.cli import app
from gknb.data import report_from_data
from gknb.document import Source
from gknb.formats import FORMATS, Format
from gknb.render import RenderError, RenderRefused, render
from gknb.render.grid import table_grid
from gknb.render.pdf import docx_to_pdf
from layouts import random_report

VERSIONS = tuple(FORMATS)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
SECTIONS = {
    "overview": "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。\n一是加强主动公开；二是规范依申请公开。",
    "disclosure": "本年度主动公开政府信息情况见下表。",
    "requests": "本年度收到和处理政府信息公开申请情况见下表。",
    "review": "本年度政府信息公开行政复议、行政诉讼情况见下表。",
    "problems": "存在的主要问题是公开内容不够全面，下一步将加以改进。",
    "other": "本年度未收取信息处理费。",
}


def _data(fmt: Format, rnd: random.Random, *, blanks: int = 0) -> tuple[dict, dict]:
    """A data mapping of a random consistent report (``blanks`` cells left blank) and its expected cells."""
    cells = random_report(fmt, rnd)
    blank = set(rnd.sample(list(cells), blanks))
    expected = {k: None if k in blank else v for k, v in cells.items()}
    start, end = fmt.years
    year = rnd.randint(start, end or start + 4)
    data = {
        "meta": {"agency": rnd.choice(["青山县民政局", "临江市教育局", "红旗镇人民政府"]), "year": year},
        "sections": SECTIONS,
        "cells": {k: str(v) if isinstance(v, Decimal) else v for k, v in expected.items()},
    }
    return data, expected


def _report(data: dict):
    return check(report_from_data(json.loads(json.dumps(data)), Source("x.json", "", "json")))


def _assert_round_trip(back, data: dict, expected: dict, version: str, *, agency: bool = True) -> None:
    """Every cell, the template and the year come back; the agency too where the title is one line."""
    diffs = {k: (back.cells.get(k), v) for k, v in expected.items() if back.cells.get(k) != v}
    assert not diffs, diffs
    assert back.meta.template == version
    assert back.meta.year == data["meta"]["year"]
    if agency:
        assert back.meta.agency == data["meta"]["agency"]


# --- the grids -------------------------------------------------------------------------------------


def _coverage(grid) -> list[list[int]]:
    covered = [[0] * grid.width for _ in range(grid.height)]
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covered[r][c] += 1
    return covered


@pytest.mark.parametrize("version", VERSIONS)
def test_grids_cover_every_position_once_and_hold_every_cell(version):
    fmt = FORMATS[version]
    keys = []
    for table in fmt.tables:
        grid = table_grid(table)
        assert all(n == 1 for row in _coverage(grid) for n in row), table.key
        keys += [c.key for c in grid.cells if c.key]
    assert keys == fmt.cell_keys()


@pytest.mark.parametrize("version, outcome_rows", [("2021", 22), ("2019", 20)])
def test_requests_grid_has_the_official_merged_header_and_groups(version, outcome_rows):
    grid = table_grid(FORMATS[version].table("requests"))
    cell = {c.text: c for c in grid.cells if c.role != "value"}
    note = cell["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]
    assert (note.row, note.col, note.rowspan, note.colspan) == (0, 0, 3, 3)
    assert (cell["申请人情况"].colspan, cell["法人或其他组织"].colspan) == (7, 5)
    assert (cell["自然人"].rowspan, cell["总计"].rowspan) == (2, 2)
    assert (cell["三、本年度办理结果"].rowspan, cell["三、本年度办理结果"].col) == (outcome_rows, 0)
    assert [cell[g].rowspan for g in ("（三）不予公开", "（四）无法提供", "（五）不予处理")] == [8, 3, 5]
    assert cell["一、本年新收政府信息公开申请数量"].colspan == 3
    assert cell["（一）予以公开"].colspan == 2 and cell["1.属于国家秘密"].colspan == 1
    assert grid.width == 10 and grid.header_rows == 3
    if version == "2021":
        assert cell["（六）其他处理"].rowspan == 3
    else:
        assert cell["（六）其他处理"].colspan == 2


def test_review_grid_has_the_two_level_header():
    grid = table_grid(FORMATS["2021"].table("review"))
    top = [(c.text, c.colspan) for c in grid.rows()[0]]
    assert top == [("行政复议", 5), ("行政诉讼", 10)]
    second = [(c.text, c.rowspan, c.colspan) for c in grid.rows()[1]]
    assert second[0] == ("结果维持", 2, 1) and second[-2:] == [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)]
    assert [c.key for c in grid.rows()[3]][:2] == ["review.review.upheld", "review.review.corrected"]


def test_disclosure_single_column_blocks_span_the_table():
    grid = table_grid(FORMATS["2021"].table("disclosure"))
    captions = [c.text for c in grid.cells if c.role == "caption"]
    assert captions == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    licensing = next(c for c in grid.cells if c.key == "disclosure.licensing.decisions")
    assert (licensing.col, licensing.colspan) == (1, 3)


# --- Markdown and HTML round trips -----------------------------------------------------------------


@pytest.mark.parametrize("medium", ["md", "html"])
@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=15)
@given(seed=SEEDS, blanks=st.sampled_from([0, 0, 6]))
def test_text_round_trip_is_exact(medium, version, seed, blanks):
    fmt = FORMATS[version]
    data, expected = _data(fmt, random.Random(seed), blanks=blanks)
    report = _report(data)
    back = gknb.read(render(report, medium), name=f"x.{medium}")
    _assert_round_trip(back, data, expected, version)


@pytest.mark.parametrize("medium", ["md", "html"])
def test_broken_report_renders_with_notice_and_still_round_trips(medium):
    fmt = FORMATS["2021"]
    data, expected = _data(fmt, random.Random(7))
    data["cells"]["requests.total.total"] = expected["requests.total.total"] = 99999
    report = _report(data)
    assert any(f.severity == "error" for f in report.findings)
    out = render(report, medium).decode("utf-8")
    assert "gknb 检查提示" in out and "【错误】" in out
    _assert_round_trip(gknb.read(out.encode(), name=f"x.{medium}"), data, expected, "2021")
    with pytest.raises(RenderRefused):
        render(report, medium, strict=True)


def test_blank_cells_print_empty_never_zero():
    fmt = FORMATS["2019"]
    data, _ = _data(fmt, random.Random(3))
    data["cells"] = dict.fromkeys(data["cells"])
    text = render(_report(data), "md").decode()
    table_lines = [line for line in text.splitlines() if line.startswith("|") and "---" not in line]
    assert table_lines and not any(ch.isdigit() for line in table_lines for ch in line.split("|")[-2])


def test_no_format_is_a_clear_error():
    report = _report({"meta": {"agency": "某局"}, "cells": {}})
    with pytest.raises(RenderError, match="year"):
        render(report, "md")


# --- DOCX: structure now, round trip when the reader exists -----------------------------------------


def _docx_tables(content: bytes):
    return Document(io.BytesIO(content)).tables


def _spans(table) -> list[list[tuple[int, str | None]]]:
    """Per row, each ``w:tc`` as (gridSpan, vMerge) straight from the XML."""
    out = []
    for tr in table._tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            pr = tc.tcPr
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            merge = pr.find(qn("w:vMerge")) if pr is not None else None
            row.append((int(span.get(qn("w:val"))) if span is not None else 1,
                        None if merge is None else merge.get(qn("w:val")) or "continue"))
        out.append(row)
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_docx_tables_have_the_official_merged_cells(version):
    fmt = FORMATS[version]
    data, expected = _data(fmt, random.Random(11))
    content = render(_report(data), "docx")
    disclosure, requests, review = _docx_tables(content)[-3:]  # after the notice box, if any
    spans = _spans(requests)
    assert spans[0][0] == (3, "restart") and spans[0][1] == (7, None)
    assert spans[1] == [(3, "continue"), (1, "restart"), (5, None), (1, "restart")]
    outcome_rows = sum(1 for r in fmt.table("requests").blocks[0].rows if r.group)
    column0 = [row[0][1] for row in spans[5:5 + outcome_rows]]
    assert column0 == ["restart"] + ["continue"] * (outcome_rows - 1)
    assert requests.cell(0, 0).text.startswith("（本列数据的勾稽关系为")
    assert _spans(review)[0] == [(5, None), (10, None)]
    assert [c.text for c in review.rows[3].cells][:5] == [str(expected[f"review.review.{k}"]) for k in
                                                         ("upheld", "corrected", "other", "pending", "total")]
    assert disclosure.cell(0, 0).text == "第二十条第（一）项"
    grid = table_grid(fmt.table("requests"))
    for cell in grid.cells:
        if cell.key:
            assert requests.cell(cell.row, cell.col).text == str(expected[cell.key])


def test_docx_with_findings_opens_with_the_notice_box():
    data, _ = _data(FORMATS["2021"], random.Random(5))
    data["cells"]["requests.new.natural_person"] = None
    document = Document(io.BytesIO(render(_report(data), "docx")))
    assert len(document.tables) == 4
    assert "gknb 检查提示" in document.tables[0].cell(0, 0).text
    body = document.element.body
    assert body[0].tag == qn("w:tbl")  # the box comes before the title


def test_docx_typography():
    data, _ = _data(FORMATS["2021"], random.Random(5))
    document = Document(io.BytesIO(render(_report(data), "docx")))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Title"].font.size.pt == 22
    assert document.styles["Normal"].font.size.pt == 16


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("seed", range(3))
def test_docx_round_trip_is_exact(version, seed):
    fmt = FORMATS[version]
    data, expected = _data(fmt, random.Random(seed), blanks=6 * (seed % 2))
    back = gknb.read(render(_report(data), "docx"), name="x.docx")
    _assert_round_trip(back, data, expected, version, agency=False)  # two-line title: see docs/render.md


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


@needs_soffice
@pytest.mark.parametrize("version", VERSIONS)
def test_pdf_renders_and_round_trips(version):
    fmt = FORMATS[version]
    data, expected = _data(fmt, random.Random(21), blanks=4)
    content = render(_report(data), "pdf")
    assert content.startswith(b"%PDF-")
    _assert_round_trip(gknb.read(content, name="x.pdf"), data, expected, version, agency=False)


def test_pdf_without_libreoffice_is_a_clear_bilingual_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RenderError) as caught:
        docx_to_pdf(b"PK")
    assert "LibreOffice" in caught.value.message and "LibreOffice" in caught.value.message_en


# --- the command -----------------------------------------------------------------------------------


def test_cli_render_from_yaml_and_strict(tmp_path):
    data, expected = _data(FORMATS["2021"], random.Random(2))
    source = tmp_path / "年报.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["render", str(source), "--to", "html"])
    assert done.exit_code == 0, done.output
    _assert_round_trip(gknb.read(tmp_path / "年报.html"), data, expected, "2021")

    data["cells"]["requests.new.total"] = 123456
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = runner.invoke(app, ["render", str(source), "--to", "md", "--strict", "-o", str(tmp_path / "x.md")])
    assert refused.exit_code == 1 and "--strict" in refused.output
    assert not (tmp_path / "x.md").exists()


def test_cli_render_from_check_json_keeps_parser_findings(tmp_path):
    data, expected = _data(FORMATS["2019"], random.Random(4))
    md = tmp_path / "r.md"
    md.write_bytes(render(_report(data), "md"))
    parsed = gknb.read(md).as_dict()
    parsed["findings"].append({"rule": "parse.example", "severity": "warning", "cells": [], "message": "示例提示",
                               "message_en": "example"})
    source = tmp_path / "r.json"
    source.write_text(json.dumps(parsed, ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(app, ["render", str(source), "--to", "md", "-o", str(tmp_path / "again.md")])
    assert done.exit_code == 0, done.output
    again = (tmp_path / "again.md").read_text(encoding="utf-8")
    assert "示例提示" in again
    _assert_round_trip(gknb.read(tmp_path / "again.md"), data, expected, "2019")


def test_bad_values_in_a_data_file_become_findings():
    data, _ = _data(FORMATS["2021"], random.Random(1))
    data["cells"]["requests.new.natural_person"] = "八"
    data["cells"]["requests.no_such_row.total"] = 1
    report = _report(data)
    rules = {f.rule: f for f in report.findings}
    assert rules["data.bad_value"].cells == ("requests.new.natural_person",)
    assert report.cells["requests.new.natural_person"] is None
    assert "data.unknown_key" in rules
