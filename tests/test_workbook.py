"""The Excel data-entry workbook: layout, live formulas, validation, exact read-back, errors as findings."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from gknb.cli import app
from gknb.data import load, report_from_data
from gknb.data.workbook import read_workbook
from gknb.document import Source
from gknb.errors import UnreadableFile
from gknb.formats import FORMATS
from gknb.render.workbook import META_SHEET, build_workbook, plan, sheet_name
from layouts import random_report

VERSIONS = tuple(FORMATS)


def _filled(version: str, seed: int, blanks: int = 0):
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    blank = set(rnd.sample(list(cells), blanks))
    expected = {k: None if k in blank else v for k, v in cells.items()}
    data = {"meta": {"agency": "青山县民政局", "year": fmt.years[0], "published": "2021-01-20"},
            "sections": {"overview": "总体情况正文。", "other": "无。"},
            "cells": {k: str(v) if isinstance(v, Decimal) else v for k, v in expected.items()}}
    report = report_from_data(data, Source("x.json", "", "json"))
    return fmt, report, expected


@pytest.mark.parametrize("version", VERSIONS)
@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), blanks=st.sampled_from([0, 8]))
def test_workbook_round_trip_is_exact(version, seed, blanks):
    fmt, report, expected = _filled(version, seed, blanks)
    back = read_workbook(build_workbook(fmt, report=report), "x.xlsx")
    assert back.cells == expected
    assert (back.meta.template, back.meta.year, back.meta.agency) == (version, fmt.years[0], "青山县民政局")
    assert back.sections["overview"] == "总体情况正文。" and back.sections["problems"] is None
    assert not back.parse_findings


def test_template_sheets_formulas_validation_and_print_setup():
    fmt = FORMATS["2021"]
    book = load_workbook(io.BytesIO(build_workbook(fmt, year=2025)))
    assert book.sheetnames == [META_SHEET] + [sheet_name(fmt, t) for t in fmt.tables]
    layout = plan(fmt)
    requests = book[sheet_name(fmt, fmt.table("requests"))]
    for key in ("requests.new.total", "requests.total.natural_person", "requests.total.total"):
        assert requests[layout.position[key][1]].value == layout.formula(key)
    assert layout.formula("requests.total.natural_person").count("SUM(D9:D29)") == 1
    review = book[sheet_name(fmt, fmt.table("review"))]
    assert review[layout.position["review.review.total"][1]].value.startswith("=IF(COUNT(A7:D7)")
    checks = [c.value for row in requests.iter_rows() for c in row if isinstance(c.value, str) and "不平衡" in c.value]
    assert len(checks) == 7  # 勾稽关系 per column
    kinds = {dv.type for dv in requests.data_validations.dataValidation}
    assert kinds == {"whole"}
    disclosure = book[sheet_name(fmt, fmt.table("disclosure"))]
    assert {dv.type for dv in disclosure.data_validations.dataValidation} == {"whole", "decimal"}
    assert requests.freeze_panes == "D7"
    assert str(requests.page_setup.paperSize) == requests.PAPERSIZE_A4 and requests.page_setup.orientation == "landscape"
    merged = {str(r) for r in requests.merged_cells.ranges}
    assert {"A4:C6", "D4:J4", "E5:I5"} <= merged
    assert book[META_SHEET]["B6"].value == 2025


def test_sheets_are_protected_outside_the_input_cells_and_level_is_a_choice():
    fmt, report, _ = _filled("2021", 3)
    report.meta.level = "township"
    book = load_workbook(io.BytesIO(build_workbook(fmt, report=report)))
    layout = plan(fmt)
    for ws in book.worksheets:
        assert ws.protection.sheet, ws.title
    for key, (sheet, ref) in layout.position.items():
        cell = book[sheet][ref]
        assert cell.protection.locked == (key in layout.sums), (key, cell.value)  # formulas locked, inputs open
    requests = book[sheet_name(fmt, fmt.table("requests"))]
    assert requests["A4"].protection.locked  # the official labels cannot be typed over
    meta = book[META_SHEET]
    level = next(row[1] for row in meta.iter_rows(min_row=4) if row[2].value == "meta.level")
    assert level.value == "乡镇" and not level.protection.locked
    [choices] = [dv for dv in meta.data_validations.dataValidation if dv.type == "list"]
    assert level.coordinate in str(choices.sqref) and "乡镇" in choices.formula1 and "部门" in choices.formula1
    assert read_workbook(build_workbook(fmt, report=report), "x.xlsx").meta.level == "township"


def test_cached_values_number_over_formula_and_uncomputed_formulas():
    fmt, report, expected = _filled("2021", 3)
    book = load_workbook(io.BytesIO(build_workbook(fmt, report=report)))
    layout = plan(fmt)
    sheet, ref = layout.position["requests.total.total"]
    book[sheet][ref] = 4242  # typed over the formula
    sheet2, ref2 = layout.position["review.review.total"]
    book[sheet2][ref2] = "=A7*2"  # a formula of the user's own, never calculated
    out = io.BytesIO()
    book.save(out)
    back = read_workbook(out.getvalue(), "x.xlsx")
    assert back.cells["requests.total.total"] == 4242
    assert back.cells["requests.new.total"] == expected["requests.new.total"]  # our formula, computed here
    assert back.cells["review.review.total"] is None
    assert [f.rule for f in back.parse_findings] == ["workbook.formula_not_computed"]


def _edited(edit) -> bytes:
    fmt, report, _ = _filled("2021", 5)
    book = load_workbook(io.BytesIO(build_workbook(fmt, report=report)))
    edit(book, plan(fmt))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_errors_in_the_workbook_become_findings():
    def edit(book, layout):
        sheet, ref = layout.position["requests.new.natural_person"]
        book[sheet][ref] = "八件"
        sheet, ref = layout.position["requests.granted.commercial"]
        book[sheet][ref] = -3
        del book[sheet_name(layout.fmt, layout.fmt.table("review"))]

    from gknb.check import check

    report = check(read_workbook(_edited(edit), "x.xlsx"))
    rules = {f.rule: f for f in report.findings}
    assert rules["workbook.bad_value"].cells == ("requests.new.natural_person",)
    assert report.cells["requests.new.natural_person"] is None
    assert "value.negative" in rules and report.cells["requests.granted.commercial"] == -3
    assert len(rules["workbook.missing_sheet"].cells) == 15
    assert all(report.cells[k] is None for k in rules["workbook.missing_sheet"].cells)


def test_a_moved_row_is_reported():
    def edit(book, layout):
        book[sheet_name(layout.fmt, layout.fmt.table("requests"))].insert_rows(10)

    back = read_workbook(_edited(edit), "x.xlsx")
    assert "workbook.layout_changed" in [f.rule for f in back.parse_findings]


def test_missing_meta_sheet_guesses_the_format_from_the_labels():
    back = read_workbook(_edited(lambda book, layout: book.remove(book[META_SHEET])), "x.xlsx")
    assert back.meta.template == "2021"
    assert [f.rule for f in back.parse_findings] == ["workbook.missing_sheet"]


def test_not_a_workbook_is_unreadable(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(UnreadableFile):
        load(bad)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_formulas_calculated_by_a_spreadsheet_program_read_back(tmp_path):
    fmt, report, expected = _filled("2019", 8, blanks=5)
    source = tmp_path / "in" / "data.xlsx"
    source.parent.mkdir()
    source.write_bytes(build_workbook(fmt, report=report))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True,
                   timeout=180)
    if not (tmp_path / "data.xlsx").exists():
        pytest.skip("LibreOffice here cannot open spreadsheets (no Calc component): formulas not recalculated")
    calculated = (tmp_path / "data.xlsx").read_bytes()
    layout = plan(fmt)
    cached = load_workbook(io.BytesIO(calculated), data_only=True)
    sheet, ref = layout.position["requests.total.total"]
    assert cached[sheet][ref].value == expected["requests.total.total"]
    assert read_workbook(calculated, "data.xlsx").cells == expected


def test_cli_template_and_render(tmp_path):
    target = tmp_path / "年报数据.xlsx"
    runner = CliRunner()
    done = runner.invoke(app, ["template", "--year", "2025", "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert load(target).meta.template == "2021"
    rendered = runner.invoke(app, ["render", str(target), "--to", "md", "-o", str(tmp_path / "r.md")])
    assert rendered.exit_code == 0 and "gknb 检查提示" in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert runner.invoke(app, ["template", "--year", "2016", "-o", str(target)]).exit_code == 2
