"""Compare two reports (files or stored ids), one agency over its years, and the aggregates."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from typer.testing import CliRunner

import gknb
from gknb.analyze import compare, stats
from gknb.cli import app
from gknb.pipeline.write import store_report
from gknb.render import render
from gknb.store import Store
from storehelp import two_years

SAMPLES = Path(gknb.__file__).parent / "samples"


def test_compare_two_files(tmp_path: Path) -> None:
    (text1, year1), (text2, year2) = two_years()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text1, encoding="utf-8")
    b.write_text(text2, encoding="utf-8")
    result = compare(year1, year2)
    delta = next(c for c in result.cells if c.key == "requests.new.total")
    assert delta.label == "一、本年新收政府信息公开申请数量 · 总计"
    assert (delta.a, delta.b, delta.delta) == (year1.cells["requests.new.total"], year2.cells["requests.new.total"],
                                               year2.cells["requests.new.total"] - year1.cells["requests.new.total"])
    assert result.meta["year"] == (2022, 2023)
    out = CliRunner().invoke(app, ["compare", str(a), str(b), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert any(c["key"] == "requests.new.total" and c["label"] == delta.label for c in data["cells"])
    assert any(line.startswith(("+", "-")) for s in data["sections"] for line in s["diff"])


def test_compare_stored_ids_and_agency_history(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    store = Store.open(db)
    (text1, year1), (text2, year2) = two_years()
    first, second = store_report(store, year1, text1.encode()), store_report(store, year2, text2.encode())
    store.close()
    out = CliRunner().invoke(app, ["compare", str(first.report_id), f"#{second.report_id}", "--db", db])
    assert out.exit_code == 0 and "一、本年新收政府信息公开申请数量" in out.output
    out = CliRunner().invoke(app, ["compare", "--agency", "青山县民政局", "--json", "--db", db])
    data = json.loads(out.stdout)
    assert data["years"] == [2022, 2023]
    row = next(r for r in data["cells"] if r["key"] == "requests.carry_forward.total")
    assert row["values"][0] == year1.cells["requests.carry_forward.total"]
    assert {f["rule"] for f in data["findings"]} >= {"crossyear.carry_over"}
    shown = CliRunner().invoke(app, ["compare", "--agency", "青山县民政局", "--db", db]).output
    assert "2023 错误：" in shown and "crossyear." not in shown  # in words, the rule code left out
    missing = CliRunner().invoke(app, ["compare", "999", "1", "--db", db])
    assert missing.exit_code == 2 and "no stored report" in missing.output


def test_stats_by_province_year(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    (text1, year1), (text2, year2) = two_years(agency="浙江省开化县民政局")
    store_report(store, year1, text1.encode())
    store_report(store, year2, text2.encode())
    rows = stats(store, ["province", "year"])
    assert [(r["province"], r["year"]) for r in rows] == [("浙江省", 2022), ("浙江省", 2023)]
    cells = year2.cells
    handled = cells["requests.total.total"]
    expected = round((cells["requests.granted.total"] + cells["requests.partial.total"]) / handled, 4) if handled else None
    assert rows[1]["disclosure_rate"] == expected and rows[1]["requests_handled"] == handled
    assert rows[1]["carry_over_breaks"] == 1 and rows[1]["with_errors"] == 1 and rows[0]["error_rate"] == 0.0
    out = CliRunner().invoke(app, ["stats", "--by", "level,template", "--json", "--db", str(tmp_path / "s.db")])
    assert json.loads(out.stdout)[0]["reports"] == 2 and json.loads(out.stdout)[0]["level"] == "department"


def test_compare_and_stats_speak_chinese_unless_told(tmp_path: Path) -> None:
    (text1, _), _ = two_years(agency="浙江省开化县民政局")
    _, (text2, _) = two_years(agency="江苏省南京市玄武区教育局", seed=6)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(text1, encoding="utf-8")
    b.write_text(text2, encoding="utf-8")
    out = CliRunner().invoke(app, ["compare", str(a), str(b)])
    assert out.exit_code == 0, out.output
    assert "地区：浙江省 衢州市 开化县 → 江苏省 南京市 玄武区" in out.output, out.output
    assert "一、总体情况（相似度" in out.output and "overview" not in out.output
    assert "{'province'" not in out.output
    english = CliRunner().invoke(app, ["compare", str(a), str(b), "--lang", "en"])
    assert "overview (" in english.output and "region: " in english.output

    db = str(tmp_path / "s.db")
    store = Store.open(db)
    for text in (text1, text2):
        store_report(store, gknb.read(text.encode("utf-8"), name="x.txt"), text.encode("utf-8"))
    store.close()
    out = CliRunner().invoke(app, ["stats", "--by", "level,template", "--db", db])
    assert out.exit_code == 0, out.output
    header = next(line for line in out.output.splitlines() if "层级" in line)
    assert "报告数" in header and "差错率" in header and "with_errors" not in header
    assert "部门" in out.output and "2021 版" in out.output and "department" not in out.output
    english = CliRunner().invoke(app, ["stats", "--by", "level", "--lang", "en", "--db", db])
    assert "with_errors" in english.output and "department" in english.output


def test_text_diff_ignores_line_wrapping_and_shows_the_change_within_a_sentence() -> None:
    report = gknb.read(SAMPLES / "000_a5586f6eb40696d9.txt")
    text = report.sections["overview"]
    wrapped = copy.deepcopy(report)
    wrapped.sections["overview"] = "\n".join(text[i : i + 17] for i in range(0, len(text), 17))  # a PDF's lines
    assert compare(report, wrapped).sections == ()
    sentence = next(s for s in text.split("。") if len(s) > 20 and re.search(r"\d", s))
    number = re.search(r"\d+", sentence).group()
    edited = copy.deepcopy(wrapped)
    changed_text = text.replace(sentence, sentence.replace(number, str(int(number) + 1), 1), 1)
    edited.sections["overview"] = "\n".join(changed_text[i : i + 17] for i in range(0, len(changed_text), 17))
    [section] = compare(report, edited).sections
    [change] = section.changes
    assert change.kind == "changed" and change.a.startswith(sentence.strip()[:10])
    assert ("removed", number) in change.parts and ("added", str(int(number) + 1)) in change.parts  # whole numbers
    assert "".join(p for op, p in change.parts if op != "added") == change.a
    assert "".join(p for op, p in change.parts if op != "removed") == change.b
    assert section.diff[0].startswith("~") and "{+" in section.diff[0]


def test_a_report_against_its_own_pdf_render_differs_by_little(tmp_path: Path) -> None:
    source = SAMPLES / "000_a5586f6eb40696d9.txt"
    pdf = tmp_path / "000.pdf"
    pdf.write_bytes(render(gknb.read(source), "pdf"))
    result = CliRunner().invoke(app, ["compare", str(source), str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    sections = json.loads(result.stdout)["sections"]
    assert all(len(s["changes"]) <= 2 for s in sections), sections  # not whole sections as −/+
    close = [s for s in sections if s["ratio"] > 0.9]
    assert all(c["kind"] == "changed" for s in close for c in s["changes"]), close
