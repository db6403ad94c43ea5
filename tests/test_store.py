"""The store on SQLite and a real PostgreSQL 15: round trip, duplicates, versions, cross-year checks."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import gknb
from gknb.check import check
from gknb.pipeline.write import store_report
from gknb.regions import locate, normalise_name
from gknb.store import Store
from storehelp import two_years

SAMPLES = Path(gknb.__file__).parent / "samples"
CORPUS = Path(__file__).parent / "corpus"


def real_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))[:6]


def test_reports_come_back_identical(db_url: str) -> None:
    store = Store.open(db_url)
    for path in real_files():
        report = gknb.read(path)
        added = store_report(store, report, path.read_bytes())
        assert added.status == "stored"
        loaded = store.load(added.report_id)
        assert loaded.cells == report.cells and loaded.meta == report.meta
        assert loaded.findings == report.findings and loaded.provenance == report.provenance
        assert loaded.sections == report.sections and loaded.printed == report.printed
        assert store.original(added.report_id) == path.read_bytes()
    store.close()


def test_same_bytes_once_changed_file_a_new_version(db_url: str) -> None:
    store = Store.open(db_url)
    path = SAMPLES / "000_a5586f6eb40696d9.txt"
    raw = path.read_bytes()
    first = store_report(store, gknb.read(path), raw, location="reports/a.txt")
    again = store_report(store, gknb.read(path), raw, location="elsewhere/b.txt")
    assert (first.status, again.status, again.report_id) == ("stored", "duplicate", first.report_id)
    changed = raw.replace("政府信息公开".encode(), "政府信息公开 ".encode(), 1)
    second = store_report(store, gknb.read(changed, name="a.txt"), changed, location="reports/a.txt")
    assert second.status == "stored" and second.report_id != first.report_id
    assert store.report_ids() == [second.report_id]
    assert sorted(store.report_ids(current=False)) == [first.report_id, second.report_id]
    store.close()


def test_broken_carry_over_names_both_cells(db_url: str) -> None:
    (text1, year1), (text2, year2) = two_years()
    assert not [f for f in check(year2).findings if f.rule.startswith("crossyear.")]
    store = Store.open(db_url)
    store_report(store, year1, text1.encode())
    added = store_report(store, year2, text2.encode())
    found = [f for f in store.load(added.report_id).findings if f.rule == "crossyear.carry_over"]
    assert {f.cells for f in found} == {
        ("requests.carried_over.natural_person", "requests.carry_forward.natural_person"),
        ("requests.carried_over.total", "requests.carry_forward.total"),
    }
    assert all(f.severity == "error" and "2022" in f.message and "2023" in f.message for f in found)
    assert "二、上年结转政府信息公开申请数量 · 自然人" in found[0].message + found[1].message
    store.close()


def test_carry_over_checked_whatever_the_order_of_ingest(tmp_path: Path) -> None:
    (text1, year1), (text2, year2) = two_years(broken=None)
    store = Store.open(str(tmp_path / "a.db"))
    later = store_report(store, year2, text2.encode())
    store_report(store, year1, text1.encode())
    assert not [f for f in store.load(later.report_id).findings if f.rule == "crossyear.carry_over"]
    broken_store = Store.open(str(tmp_path / "b.db"))
    (text1, year1), (text2, year2) = two_years(broken="commercial")
    later = store_report(broken_store, year2, text2.encode())
    assert not [f for f in broken_store.load(later.report_id).findings if f.rule.startswith("crossyear.")]
    store_report(broken_store, year1, text1.encode())
    rules = [f.rule for f in broken_store.load(later.report_id).findings]
    assert rules.count("crossyear.carry_over") == 2


def test_copied_text_jumps_and_2019_items(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "c.db"))
    report = gknb.read(SAMPLES / "000_a5586f6eb40696d9.txt")
    before = copy.deepcopy(report)
    before.meta.year = report.meta.year - 1
    before.source = replace(report.source, sha256="0" * 64, path="last-year.txt")
    before.cells["requests.new.total"] = (report.cells["requests.new.total"] or 0) + 5000
    store_report(store, before)
    added = store_report(store, report)
    found = {f.rule: f for f in store.load(added.report_id).findings}
    assert "crossyear.copied_text" in found and found["crossyear.copied_text"].severity == "info"
    assert found["crossyear.jump"].cells == ("requests.new.total",)

    old = gknb.read(SAMPLES / "003_ef34a76a822e6c07.txt")
    assert old.meta.template == "2019"
    nxt = copy.deepcopy(old)
    nxt.meta.year = old.meta.year + 1
    nxt.source = replace(old.source, sha256="1" * 64, path="next.txt")
    nxt.cells["disclosure.punishment.prev_items"] = (old.cells["disclosure.punishment.prev_items"] or 0) + (
        old.cells["disclosure.punishment.change"] or 0) + 7
    store_report(store, old)
    added = store_report(store, nxt)
    items = [f for f in store.load(added.report_id).findings if f.rule == "crossyear.prev_items"]
    assert [f.cells for f in items] == [("disclosure.punishment.prev_items",)]


def test_agency_correction_is_kept_and_preferred(db_url: str) -> None:
    store = Store.open(db_url)
    path = SAMPLES / "000_a5586f6eb40696d9.txt"
    first = store_report(store, gknb.read(path), path.read_bytes())
    agency = store.set_agency("庆祖镇政府", province="浙江省", county="开化县", level="township")
    assert (agency.name, agency.province_code, agency.corrected) == ("庆祖镇人民政府", "330000", True)
    assert store.load(first.report_id).meta.region["province"] == "浙江省"
    (_, later), _ = two_years(agency="庆祖镇人民政府")
    added = store_report(store, later, b"another year")
    meta = store.load(added.report_id).meta
    assert (meta.region["province"], meta.region["county"], meta.level) == ("浙江省", "开化县", "township")
    assert [a.name for a in store.agencies()] == ["庆祖镇人民政府"]
    store.close()


def test_agency_names_and_places() -> None:
    assert normalise_name(" 青山县 政府 ") == "青山县人民政府"
    place = locate("广东省深圳市南山区粤海街道办事处")
    assert place.codes() == {"province": "440000", "city": "440300", "county": "440305"}
    assert place.level == "street"
    assert locate("北京市人民政府").level == "province"
    assert locate("深圳市南山区教育局").region()["province"] == "广东省"
    assert locate("忠县政府").region() == {"province": "重庆市", "city": None, "county": "忠县"}
    assert locate("南山区人民政府").county is None  # two 南山区 in China: not guessed
    assert locate("广州市人民政府").level == "city"


def test_store_upgrades_an_existing_file(tmp_path: Path) -> None:
    url = str(tmp_path / "x.db")
    store = Store.open(url)
    store_report(store, gknb.read(SAMPLES / "002_295e3622999d89af.txt"))
    store.close()
    reopened = Store.open(url)
    assert len(reopened.report_ids()) == 1


def test_add_leaves_the_callers_report_unchanged(tmp_path: Path) -> None:
    """The agency table's place goes into the store, not into the Report the caller passed."""
    store = Store.open(str(tmp_path / "u.db"))
    path = SAMPLES / "000_a5586f6eb40696d9.txt"
    first = store_report(store, gknb.read(path), path.read_bytes())
    store.set_agency("庆祖镇政府", province="浙江省", county="开化县", level="township")
    (_, later), _ = two_years(agency="庆祖镇人民政府")
    before = copy.deepcopy(later.meta)
    added = store_report(store, later, b"another year")
    assert later.meta == before
    assert store.load(added.report_id).meta.region["province"] == "浙江省"
    assert store.load(first.report_id).meta.level == "township"
    store.close()
