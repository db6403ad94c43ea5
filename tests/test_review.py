"""The region's deliverables (issue 14 §2) on a region of generated reports over two years
(tests/reviewregion.py): roster, score sheet, notices and the batch year-over-year overview, through
the library and the CLI."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from gknb.cli import app
from gknb.document import Source
from gknb.render.pdf import soffice
from gknb.report import Meta, Report
from gknb.review import (
    Deadlines,
    load_roster,
    load_scheme,
    ranking,
    region_year,
    roster_from_divisions,
    roster_from_store,
    roster_status,
    score,
)
from gknb.review.notices import Issuer, circular, opinion, render_notice
from gknb.review.overview import finding_rows, overview
from gknb.review.region import UnitReport, view
from gknb.review.roster import RosterError, not_on_roster
from gknb.review.scoring import SchemeError, parse_scheme
from gknb.store import Store
from reviewregion import (
    BROKEN,
    BROKEN_CELL,
    COPIERS,
    DUPLICATED,
    LATE,
    MISSING_2023,
    REGION,
    UNITS,
    build_region,
)


@pytest.fixture(scope="module")
def region_db(tmp_path_factory) -> str:
    """A SQLite store holding the region (built once for the module)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('region') / 'gknb.db'}"
    store = Store.open(url)
    build_region(store)
    store.close()
    return url


@pytest.fixture()
def store(region_db):
    opened = Store.open(region_db)
    yield opened
    opened.close()


def by_agency(units):
    return {u.agency: u for u in units}


# --- the region's reports and the roster ----------------------------------------------------------


def test_region_year_is_one_report_per_unit(store):
    units = by_agency(region_year(store, REGION, 2023))
    assert set(units) == set(UNITS) - {MISSING_2023}
    assert len(units[DUPLICATED].sources) == 2 and not units[DUPLICATED].differs
    assert all(len(u.sources) == 1 for name, u in units.items() if name != DUPLICATED)
    assert set(by_agency(region_year(store, REGION, 2022))) == set(UNITS)


def test_store_keeps_printed_headings_and_preamble(store):
    report = store.load(store.report_ids({"agency": BROKEN, "year": 2023})[0])
    assert report.headings["overview"] == "一、总体情况" and report.preamble.startswith(BROKEN)
    assert "发布日期" in report.preamble


def test_roster_from_the_store_names_missing_and_late(store):
    lines = {line.entry.name: line for line in roster_status(store, roster_from_store(store, REGION), 2023, REGION)}
    assert lines[MISSING_2023].status == "missing"
    assert lines[LATE].status == "late" and lines[LATE].due.isoformat() == "2024-01-31"
    assert lines[DUPLICATED].status == "published" and lines[DUPLICATED].duplicated
    assert lines[DUPLICATED].due.isoformat() == "2024-03-31"  # a 镇人民政府: the governments' deadline
    assert [name for name, line in lines.items() if line.status == "published"] == sorted(
        set(UNITS) - {MISSING_2023, LATE})


def test_deadlines_overridden_per_region(store):
    roster = roster_from_store(store, REGION)
    lines = {line.entry.name: line for line in
             roster_status(store, roster, 2023, REGION, Deadlines(department=(2, 28)))}
    assert lines[LATE].status == "published"


def test_roster_file_csv_and_xlsx(store, tmp_path):
    csv_file = tmp_path / "名单.csv"
    csv_file.write_text("名称,层级,截止日期\n桐庐县民政局,部门,1月20日\n桐庐县 教育局,部门,\n桐庐县农业农村局,部门,\n",
                        encoding="utf-8-sig")
    roster = load_roster(csv_file)
    assert [(e.name, e.due) for e in roster] == [("桐庐县民政局", (1, 20)), ("桐庐县教育局", None),
                                                 ("桐庐县农业农村局", None)]
    lines = {line.entry.name: line.status for line in roster_status(store, roster, 2023, REGION)}
    assert lines == {"桐庐县民政局": "published", "桐庐县教育局": "late", "桐庐县农业农村局": "missing"}
    book = Workbook()
    book.active.append(["name", "region", "level", "due"])
    book.active.append(["桐庐县审计局", REGION, "department", "2024-01-10"])
    data = io.BytesIO()
    book.save(data)
    entries = load_roster("roster.xlsx", data.getvalue())
    assert [(e.name, e.level, e.due) for e in entries] == [("桐庐县审计局", "department", (1, 10))]
    lines = roster_status(store, entries, 2023, REGION)
    assert lines[0].status == "late"  # published 2024-01-15, due 01-10


def test_bad_roster_files_say_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("地址,电话\n某地,123\n", encoding="utf-8")
    with pytest.raises(RosterError, match="名称"):
        load_roster(bad)
    bad.write_text("名称,截止日期\n某局,下个月\n", encoding="utf-8")
    with pytest.raises(RosterError, match="截止日期"):
        load_roster(bad)
    with pytest.raises(RosterError, match="Excel"):
        load_roster("x.xlsx", b"not a workbook")


def test_roster_from_the_division_table():
    city = {e.name: e.level for e in roster_from_divisions("杭州市")}
    assert city["杭州市人民政府"] == "city" and city["桐庐县人民政府"] == "county"
    assert all(name.endswith("人民政府") for name in city)
    with pytest.raises(RosterError):
        roster_from_divisions("不存在市")


def test_roster_down_to_townships_and_streets():
    """A county's roster from the division table lists its 乡镇 and 街道, and a township's report that
    names itself without its county (its region says the county) is that township's, not a stray."""
    roster = roster_from_divisions("桐庐县", townships=True)
    levels = {e.name: e.level for e in roster}
    assert levels["桐庐县人民政府"] == "county"
    assert levels["桐庐县分水镇人民政府"] == "township" and levels["桐庐县凤川街道办事处"] == "street"
    assert not any(e.level in ("township", "street") for e in roster_from_divisions("桐庐县"))

    def unit(agency: str, county: str | None) -> UnitReport:
        meta = Meta(agency=agency, year=2023, region={"province": "浙江省", "city": "杭州市", "county": county},
                    published="2024-01-20")
        report = Report(source=Source(path="a.html", sha256="", format="html"), meta=meta)
        return UnitReport(agency, 2023, report, [1], ["a.html"], published="2024-01-20")

    units = [unit("分水镇人民政府", "桐庐县"), unit("桐庐县凤川街道办事处", "桐庐县"), unit("莪山畲族乡政府", None),
             unit("城关镇人民政府", None)]
    lines = {line.entry.name: line.status for line in roster_status(None, roster, 2023, units=units)}
    assert lines["桐庐县分水镇人民政府"] == "published" and lines["桐庐县凤川街道办事处"] == "published"
    assert lines["桐庐县莪山畲族乡人民政府"] == "published"  # the only 莪山畲族乡 in the country
    assert lines["桐庐县横村镇人民政府"] == "missing"
    assert [u.agency for u in not_on_roster(roster, units)] == ["城关镇人民政府"]  # which county's? not matched


# --- the score sheet --------------------------------------------------------------------------------


def test_default_scheme_scores_and_explains(store):
    units = by_agency(region_year(store, REGION, 2023))
    scheme = load_scheme()
    assert scheme.total == 100
    broken = score(units[BROKEN].report, scheme)
    data = next(item for item in broken.items if item.item.key == "data")
    assert data.score < data.item.points
    assert any("勾稽" in line for line in broken.explained())
    late = score(units[LATE].report, scheme)
    assert next(i for i in late.items if i.item.key == "timeliness").score == 5
    for name in COPIERS:
        copied = score(units[name].report, scheme)
        assert next(i for i in copied.items if i.item.key == "originality").taken[0].note.startswith("与其他单位雷同")
    ranked = ranking(list(units.values()), scheme)
    assert ranked[-1].unit.agency == BROKEN
    assert [r.score.total for r in ranked] == sorted((r.score.total for r in ranked), reverse=True)


def test_scheme_from_yaml_with_caps_and_errors():
    scheme = parse_scheme("""
name: 简化方案
total: 10
items:
  - {key: all, title: 年度报告, points: 10,
     deductions: [{severity: error, each: 3, cap: 6, note: 错误}, {rules: ["crossreport.*"], each: 5}]}
""")
    assert scheme.items[0].deductions[0].cap == 6
    for text, needle in [("items: []", "items"), ("total: 5\nitems: [{title: a, points: 4}]", "总分"),
                         ("items: [{title: a, points: 4, deductions: [{rules: [no.such_rule]}]}]", "no.such_rule"),
                         ("items: [{title: a, points: 4", "YAML")]:
        with pytest.raises(SchemeError, match=needle):
            parse_scheme(text)


def test_scheme_caps_deductions(store):
    units = by_agency(region_year(store, REGION, 2023))
    scheme = parse_scheme("""
total: 10
items:
  - {title: 数据, points: 10, deductions: [{rules: ["crossyear.*", "identity.*"], each: 3, cap: 4}]}
""")
    result = score(units[BROKEN].report, scheme)
    assert result.total == 6 and result.items[0].taken[0].points == 4


# --- the overview and the notices --------------------------------------------------------------------


def test_overview_names_table_row_and_column(store):
    units = region_year(store, REGION, 2023)
    previous = {u.agency for u in region_year(store, REGION, 2022)}
    rows = overview(units, previous, sort="errors", scheme=load_scheme())
    assert rows[0].unit.agency == BROKEN and rows[0].errors >= 1 and rows[0].against_last_year >= 1
    assert all(r.has_previous for r in rows)
    assert [r.unit.agency for r in overview(units, previous, sort="name")] == sorted(u.agency for u in units)
    found = [row for row in finding_rows([rows[0].unit]) if row[3] == "identity.cell"]
    assert found and found[0][5:8] == ["三、收到和处理政府信息公开申请情况", "三、本年度办理结果 （一）予以公开", "自然人"]
    carry = [row for row in finding_rows([rows[0].unit]) if row[3] == "crossyear.carry_over"]
    assert carry and carry[0][9] == "是"


def test_circular_counts_problems_and_names_missing_units(store):
    units = region_year(store, REGION, 2023)
    roster = roster_status(store, roster_from_store(store, REGION), 2023, REGION, units=units)
    page = circular(REGION, 2023, units, roster, load_scheme(), Issuer("桐庐县政务公开办"))
    text = "\n".join(p for part in page.sections for p in part.paragraphs)
    assert page.title == f"关于{REGION}2023年度政府信息公开工作年度报告审核情况的通报"
    assert "应发布年度报告 6 家，已发布 5 家" in text and "未发布 1 家" in text
    assert f"未发布年度报告：{MISSING_2023}" in text and LATE in text
    assert "一是" in text and BROKEN in page.sections[2].paragraphs[0]
    assert page.signature[0] == "桐庐县政务公开办"


def test_opinion_lists_each_problem_where_it_is_printed(store):
    units = by_agency(region_year(store, REGION, 2023))
    unit = units[BROKEN]
    page = opinion(unit, load_scheme())
    problems = [p for part in page.sections[1:] for p in part.paragraphs]
    cell = next(f for f in unit.report.findings if f.rule == "identity.cell")
    assert cell.cells[0] == BROKEN_CELL
    assert view(unit.report, cell).places[0].row == "三、本年度办理结果 （一）予以公开"
    assert any("「（一）予以公开」" not in p and "「三、本年度办理结果 （一）予以公开」行「自然人」列" in p for p in problems)
    assert page.sections[1].heading.startswith("一、须改正的问题")
    duplicated = opinion(units[DUPLICATED])
    assert any("多处发布" in p for part in duplicated.sections for p in part.paragraphs)
    docx = Document(io.BytesIO(render_notice(page, "docx")))
    body = "\n".join(p.text for p in docx.paragraphs)
    assert "审核意见" in body and f"{BROKEN}：" in body and "整改要求" in body


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_notices_as_pdf(store, tmp_path):
    units = region_year(store, REGION, 2023)
    pdf = render_notice(circular(REGION, 2023, units), "pdf")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "审核情况的通报" in text and "存在的主要问题" in text


# --- the CLI --------------------------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_cli_roster_score_overview_notice(region_db, tmp_path):
    db = region_db.removeprefix("sqlite:///")
    result = invoke("roster", REGION, "--year", "2023", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    units = {u["单位"]: u for u in json.loads(result.stdout)["units"]}
    assert units[MISSING_2023]["状态"] == "未发布" and units[DUPLICATED]["来源数"] == 2
    out = tmp_path / "scores.xlsx"
    result = invoke("score", REGION, "-y", "2023", "--db", db, "--out", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["评分", "问题清单"]
    assert book["评分"]["B1"].value == "单位" and book["评分"].max_row == 6
    assert any(row[3] == "identity.cell" for row in book["问题清单"].iter_rows(values_only=True))
    result = invoke("overview", REGION, "-y", "2023", "--db", db, "--sort", "warnings", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["units"]
    assert [u["警告"] for u in data] == sorted((u["警告"] for u in data), reverse=True)
    result = invoke("notice", REGION, "-y", "2023", "--db", db, "--to", "docx", "-o", str(tmp_path / "n"),
                    "--unit", BROKEN, "--office", "桐庐县政务公开办")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "n").iterdir()} == {
        f"{BROKEN}2023年度报告审核意见.docx", f"{REGION}2023年度报告审核情况通报.docx"}


def test_cli_errors_are_clear(region_db, tmp_path):
    db = region_db.removeprefix("sqlite:///")
    scheme = tmp_path / "s.yaml"
    scheme.write_text("items: [{title: a, points: 4, deductions: [{rules: [no.such]}]}]", encoding="utf-8")
    result = invoke("score", REGION, "-y", "2023", "--db", db, "--scheme", str(scheme))
    assert result.exit_code == 2 and "no.such" in result.output and "Traceback" not in result.output
    result = invoke("roster", REGION, "-y", "2023", "--db", db, "--roster", str(tmp_path / "none.csv"))
    assert result.exit_code == 2 and "找不到名单文件" in result.output
    result = invoke("score", "--show-scheme", REGION, "-y", "2023")
    assert result.exit_code == 0 and "items:" in result.stdout


def test_roster_on_postgresql(postgres_server, tmp_path):
    from storehelp import new_postgres_db

    store = Store.open(new_postgres_db(postgres_server))
    try:
        build_region(store)
        lines = {line.entry.name: line for line in
                 roster_status(store, roster_from_store(store, REGION), 2023, REGION)}
        assert lines[MISSING_2023].status == "missing" and lines[DUPLICATED].duplicated
    finally:
        store.close()

