"""The drill: a throwaway format revision, declared in this module and nowhere else, goes through
every stage — detection, parse, the checks, cross-year against the year before (in the previous
version), rendering to every medium and reading back, the store, export, stats and the workbook.

The revision is the 2021 format plus one outcome row in （六）其他处理 and one renamed column label,
for report years from 2099. Nothing in ``src/`` knows of it: if a stage keeps a version literal or a
hand-made list of row keys, this test fails there.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

import gknb
from gknb.analyze.dashboard import charts
from gknb.analyze.stats import stats
from gknb.check import check
from gknb.check.crossyear import cross_year
from gknb.data import report_from_data
from gknb.data.workbook import read_workbook
from gknb.document import Source
from gknb.export import export, import_json
from gknb.formats import FORMATS, Column, Row, format_for_year, register, v2021
from gknb.formats.common import disclosure_block, identity_rules, requests_table
from gknb.pipeline.write import store_report
from gknb.render import MEDIA, render
from gknb.render.workbook import build_workbook
from gknb.store import Store
from layouts import random_report

# -- the declaration (the only place the revision exists) ------------------------------------------

NEW_ROW = Row("other_withdrawn", "4.申请人主动撤回申请", group=v2021.OTHER_GROUP, outcome=True)
RENAMED = Column("made", "本年制定件数")  # was 本年制发件数
_first = v2021.DISCLOSURE.blocks[0]
DISCLOSURE = replace(v2021.DISCLOSURE, blocks=(
    disclosure_block(_first.caption or "", (RENAMED, *_first.columns[1:]), _first.rows),
    *v2021.DISCLOSURE.blocks[1:],
))
REQUESTS = requests_table((*v2021.OTHER_ROWS, NEW_ROW), ((v2021.OTHER_GROUP, "other"),))
DRILL = replace(
    v2021.FORMAT, version="2099", name="政府信息公开工作年度报告格式（演练版）", notice="演练〔2099〕1号",
    years=(2099, None), tables=(DISCLOSURE, REQUESTS, v2021.FORMAT.table("review")),
    identity_rules=identity_rules(tuple(r.key for b in REQUESTS.blocks for r in b.rows if r.outcome)),
)

# -- the drill --------------------------------------------------------------------------------------

NEW_KEY = "requests.other_withdrawn.natural_person"
SECTIONS = {
    "overview": "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，推进政务公开。",
    "disclosure": "本年度主动公开政府信息情况见下表。",
    "requests": "本年度收到和处理政府信息公开申请情况见下表。",
    "review": "本年度政府信息公开行政复议、行政诉讼情况见下表。",
    "problems": "存在的主要问题是公开内容不够全面，下一步将加以改进。",
    "other": "本年度未收取信息处理费。",
}


@pytest.fixture(scope="module")
def drill():
    """The revision registered for this module only; the declared formats are restored after."""
    saved = dict(FORMATS)
    register(DRILL)
    yield DRILL
    FORMATS.clear()
    FORMATS.update(saved)


def _report(fmt, year: int, seed: int, agency: str = "青山县民政局"):
    cells = random_report(fmt, random.Random(seed))
    data = {"meta": {"agency": agency, "year": year, "title": f"{agency}{year}年政府信息公开工作年度报告"},
            "sections": SECTIONS, "cells": {k: str(v) if isinstance(v, Decimal) else v for k, v in cells.items()}}
    return check(report_from_data(json.loads(json.dumps(data)), Source(f"{year}.json", "", "json"))), cells


def _busy_report(fmt, year: int, agency: str = "青山县民政局"):
    """A consistent report whose new row (when the format has it) holds a number."""
    for seed in range(200):
        report, cells = _report(fmt, year, seed, agency)
        if NEW_KEY not in cells or cells[NEW_KEY]:
            return report, cells
    raise AssertionError("no seed gives the new row a number")


def test_the_year_picks_the_revision_and_the_predecessor_stays_in_force_before(drill):
    assert format_for_year(2099) is drill and format_for_year(2150) is drill
    assert format_for_year(2098) is FORMATS["2021"]
    assert "requests.other_withdrawn.total" in drill.cell_keys()
    assert any(NEW_KEY in eq.rhs for eq in drill.identities() if eq.rule.code == "identity.outcomes_total")


@pytest.mark.parametrize("medium", MEDIA)
def test_every_medium_reads_back_as_the_revision(drill, medium):
    """Rendered in the revision's layout and read back: detected as the revision (no false
    ``format.mixed``, no year mismatch), every cell exact, no error."""
    report, cells = _busy_report(drill, 2099)
    assert [f for f in report.findings if f.severity == "error"] == []
    back = gknb.read(render(report, medium), name=f"drill.{medium}")
    assert back.meta.template == "2099" and back.meta.year == 2099
    assert {k: back.cells.get(k) for k in cells} == cells
    codes = {f.rule for f in back.findings}
    assert not codes & {"format.mixed", "format.year_mismatch", "label.variant"}, codes
    assert [f for f in back.findings if f.severity == "error"] == []


def test_the_predecessor_is_still_read_as_itself(drill):
    """A 2021-format report, rendered and read back with the revision declared: 2021, not mixed."""
    report, cells = _busy_report(FORMATS["2021"], 2098)
    back = gknb.read(render(report, "md"), name="before.md")
    assert back.meta.template == "2021"
    assert {k: back.cells.get(k) for k in cells} == cells
    assert "format.mixed" not in {f.rule for f in back.findings}


def test_every_check_sees_the_new_row_and_the_renamed_label(drill):
    report, cells = _busy_report(drill, 2099)
    report.cells[NEW_KEY] += 1  # a typo in the new row breaks its row total and the outcomes total
    found = check(report).findings
    named = [f for f in found if f.rule.startswith("identity.") and NEW_KEY in f.cells]
    assert named and named[0].severity == "error"
    assert "4.申请人主动撤回申请" in named[0].message
    report.cells[NEW_KEY] = None
    blank = [f for f in check(report).findings if f.rule == "cell.blank" and NEW_KEY in f.cells]
    assert blank
    report.cells["disclosure.regulations.made"] = Decimal("1.5")
    wrong = [f for f in check(report).findings if f.rule == "value.not_integer"]
    assert wrong and "本年制定件数" in wrong[0].message


def test_cross_year_links_hold_across_the_revision(drill):
    """Carry-over and 现行有效件数 link the 2098 (2021-format) report and the 2099 revision."""
    before, _ = _busy_report(FORMATS["2021"], 2098)
    now, _ = _busy_report(drill, 2099)
    now.cells["requests.carried_over.total"] = before.cells["requests.carry_forward.total"] + 1
    for row in ("regulations", "normative_docs"):
        now.cells[f"disclosure.{row}.in_force"] = (before.cells[f"disclosure.{row}.in_force"]
                                                  + now.cells[f"disclosure.{row}.made"]
                                                  - now.cells[f"disclosure.{row}.repealed"])
    now.cells["disclosure.normative_docs.in_force"] += 3
    found = list(cross_year(now, [before]))
    carry = [f for f in found if f.rule == "crossyear.carry_over"]
    assert ("requests.carried_over.total", "requests.carry_forward.total") in {f.cells for f in carry}
    in_force = [f for f in found if f.rule == "crossyear.in_force"]
    assert [f.cells[0] for f in in_force] == ["disclosure.normative_docs.in_force"]
    assert "本年制定件数" in in_force[0].message
    assert not [f for f in found if f.rule == "crossyear.prev_items"]


def test_store_export_stats_and_workbook(drill, tmp_path: Path):
    store = Store.open(str(tmp_path / "drill.db"))
    before, _ = _busy_report(FORMATS["2021"], 2098)
    now, cells = _busy_report(drill, 2099)
    now.cells["requests.carried_over.natural_person"] = before.cells["requests.carry_forward.natural_person"] + 2
    store_report(store, before, b"2098")
    added = store_report(store, now, b"2099")
    loaded = store.load(added.report_id)
    assert loaded.meta.template == "2099" and loaded.cells[NEW_KEY] == cells[NEW_KEY]
    assert "crossyear.carry_over" in {f.rule for f in loaded.findings}

    out = tmp_path / "long.csv"
    export(store, "csv-long", out)
    rows = {(r["year"], r["key"]): r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert rows["2099", NEW_KEY]["label"] == "（六）其他处理 4.申请人主动撤回申请 · 自然人"
    assert rows["2099", NEW_KEY]["value"] == str(cells[NEW_KEY])
    assert ("2098", NEW_KEY) not in rows
    export(store, "json", tmp_path / "all.json")
    fresh = Store.open(str(tmp_path / "fresh.db"))
    assert [s for _, s in import_json(fresh, tmp_path / "all.json")] == ["stored", "stored"]
    again = next(fresh.load(i) for i in fresh.report_ids() if fresh.load(i).meta.year == 2099)
    assert again.cells == loaded.cells and again.meta.template == "2099"

    by_year = {row["year"]: row for row in stats(store, ["year"])}
    other_rows = [r.key for r in drill.table("requests").blocks[0].rows if r.group == v2021.OTHER_GROUP]
    assert "other_withdrawn" in other_rows
    assert by_year[2099]["other"] == sum(now.cells[f"requests.{r}.total"] for r in other_rows)
    outcomes = dict(charts(store)["outcomes"]["rows"])
    assert outcomes["其他处理"] == by_year[2099]["other"] + by_year[2098]["other"]
    assert by_year[2099]["disclosure_rate"] is not None

    book = build_workbook(drill, year=2099, report=now)
    read = read_workbook(book, "drill.xlsx")
    assert read.meta.template == "2099"
    assert {k: read.cells[k] for k in cells} == {k: now.cells[k] for k in cells}
    assert not [f for f in read.parse_findings if f.rule.startswith("workbook.")]
    blank = read_workbook(build_workbook(drill, year=2099), "blank.xlsx")
    assert blank.meta.template == "2099" and set(blank.cells) == set(drill.cell_keys())
