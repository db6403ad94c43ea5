"""Batched writes: ``store_reports`` stores what ``store_report`` one by one would, cross-year findings included."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

import gknb
from gknb.formats import FORMATS
from gknb.pipeline.bulk import ingest
from gknb.pipeline.write import store_report, store_reports
from gknb.report import Report
from gknb.store import Store
from gknb.store.models import FindingRow, ReportRow
from gknb.store.store import Entry
from layouts import random_report, render


def agency_years(agency: str, years: range, seed: int, broken: set[int] = frozenset()) -> list[Entry]:
    """One agency's 2021-format reports over ``years``, carried over year to year except into ``broken`` years
    (自然人 and 总计 one more)."""
    fmt, rnd = FORMATS["2021"], random.Random(seed)
    entries, before = [], None
    for year in years:
        cells = random_report(fmt, rnd)
        if before is not None:
            for key in [k for k in cells if k.startswith("requests.carried_over.")]:
                off = year in broken and key.endswith((".natural_person", ".total"))  # two columns broken
                delta = before[key.replace(".carried_over.", ".carry_forward.")] - cells[key] + off
                cells[key] += delta
                cells[key.replace(".carried_over.", ".carry_forward.")] += delta
        text = render(fmt, cells, "tab", random.Random(seed + year), year=year, agency=agency, bare_review=False)
        report = gknb.read(text.encode("utf-8"), name=f"{agency}{year}.txt")
        entries.append(Entry(report, text.encode("utf-8"), f"{agency}/{year}.txt"))
        before = cells
    return entries


def corpus() -> list[Entry]:
    """Three agencies over four years (two broken carry-overs), interleaved."""
    groups = [agency_years("青山县民政局", range(2021, 2025), 1, {2023}),
              agency_years("青山县教育局", range(2021, 2025), 2),
              agency_years("庆祖镇人民政府", range(2021, 2025), 3, {2022, 2024})]
    return [entry for batch in zip(*groups, strict=True) for entry in batch]


def copy(entry: Entry, **changes: object) -> Entry:
    """A fresh parse of the entry's bytes (``add`` fills in the report's region), with changes."""
    report = gknb.read(entry.raw, name=entry.location.rsplit("/", 1)[1])
    fields = {"report": report, "raw": entry.raw, "location": entry.location} | changes
    return Entry(**fields)  # type: ignore[arg-type]


def snapshot(store: Store) -> dict[str, object]:
    """Everything a reader sees: every report as loaded (by location and version), current flags, and
    every cross-year finding with the location of the year it compares with."""
    other = aliased(ReportRow)
    with store.session() as session:
        rows = session.execute(select(ReportRow.id, ReportRow.location, ReportRow.version, ReportRow.current)
                               .order_by(ReportRow.id)).all()
        crossyear = sorted(session.execute(
            select(ReportRow.location, ReportRow.version, FindingRow.position, FindingRow.rule, FindingRow.message,
                   other.location).join(ReportRow, FindingRow.report_id == ReportRow.id)
            .join(other, FindingRow.other_report_id == other.id).where(FindingRow.scope == "crossyear")
        ).all())
    reports = {(r.location, r.version): (r.current, _view(store.load(r.id))) for r in rows}
    return {"reports": reports, "crossyear": crossyear}


def _view(report: Report) -> tuple:
    return (report.meta, report.cells, report.printed, report.provenance, report.sections, report.findings,
            report.source.sha256)


def test_batch_equals_one_by_one(db_url: str, tmp_path: Path) -> None:
    entries = corpus()
    one = Store.open(str(tmp_path / "one.db"))
    added_one = [store_report(one, e.report, e.raw, location=e.location) for e in entries]
    many = Store.open(db_url)
    added_many = store_reports(many, [copy(e) for e in entries[:5]]) + store_reports(many, [copy(e) for e in entries[5:]])
    assert [a.status for a in added_many] == [a.status for a in added_one] == ["stored"] * len(entries)
    assert snapshot(many) == snapshot(one)
    rules = [f[3] for f in snapshot(one)["crossyear"]]  # type: ignore[index]
    assert rules.count("crossyear.carry_over") == 3 * 2  # three broken years, two columns each
    one.close()
    many.close()


def test_order_of_batches_does_not_matter(tmp_path: Path) -> None:
    entries = corpus()
    ordered = Store.open(str(tmp_path / "a.db"))
    store_reports(ordered, entries)
    shuffled = list(entries)
    random.Random(7).shuffle(shuffled)
    other = Store.open(str(tmp_path / "b.db"))
    for start in range(0, len(shuffled), 4):
        store_reports(other, [copy(e) for e in shuffled[start:start + 4]])
    assert snapshot(other)["crossyear"] == snapshot(ordered)["crossyear"]


def test_duplicates_and_versions_inside_one_batch(db_url: str, tmp_path: Path) -> None:
    first, second, third = agency_years("青山县民政局", range(2021, 2024), 4, {2022})
    fixed = agency_years("青山县民政局", range(2021, 2023), 4)[1]  # 2022 carried over right: a new version
    batch = [first, second, copy(first, location="elsewhere.txt"), third, copy(fixed, location=second.location)]
    many = Store.open(db_url)
    added = store_reports(many, batch)
    assert [a.status for a in added] == ["stored", "stored", "duplicate", "stored", "stored"]
    assert added[2].report_id == added[0].report_id
    one = Store.open(str(tmp_path / "one.db"))
    for entry in [first, second, third, fixed]:
        store_report(one, copy(entry).report, entry.raw, location=second.location if entry is fixed else entry.location)
    assert snapshot(many) == snapshot(one)
    state = snapshot(many)
    assert state["reports"][second.location, 1][0] is False  # type: ignore[index]
    assert {(f[0], f[1]) for f in state["crossyear"]} == {  # type: ignore[union-attr]
        (second.location, 2), (third.location, 1)}  # none on the superseded 2022
    assert store_reports(many, [copy(third)]) == [added[3].__class__("duplicate", added[3].report_id)]


def test_new_versions_recheck_the_year_after(tmp_path: Path) -> None:
    first, second = agency_years("青山县民政局", range(2021, 2023), 5, {2022})
    store = Store.open(str(tmp_path / "v.db"))
    before = store_reports(store, [first, second])[1]
    assert "crossyear.carry_over" in {f.rule for f in store.load(before.report_id).findings}
    mended = copy(first, raw=first.raw + b"\n")  # 2021 as a new version whose carry-forward matches 2022
    for key in [k for k in mended.report.cells if k.startswith("requests.carry_forward.")]:
        mended.report.cells[key] = second.report.cells[key.replace(".carry_forward.", ".carried_over.")]
    store_reports(store, [mended])
    assert not [f for f in store.load(before.report_id).findings if f.rule == "crossyear.carry_over"]
    again = store_reports(store, [copy(second, raw=second.raw + b"\n")])[0]  # 2022 as a new version
    assert not [f for f in store.load(before.report_id).findings if f.rule.startswith("crossyear.")]
    fresh = Store.open(str(tmp_path / "fresh.db"))
    store_reports(fresh, [mended, copy(second, raw=second.raw + b"\n")])
    assert (store.load(again.report_id).findings
            == fresh.load(fresh.report_ids(where={"year": 2022})[0]).findings)


def test_bulk_ingest_in_batches_equals_one_by_one(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    entries = corpus()
    for i, entry in enumerate(entries):
        (folder / f"{i:02}.txt").write_bytes(entry.raw)
    (folder / "same-bytes.txt").write_bytes(entries[0].raw)  # the same bytes again, in the same batch or not
    (folder / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    summaries, stores = [], []
    for batch in (1, 5, 200):
        store = Store.open(str(tmp_path / f"b{batch}.db"))
        summaries.append(ingest(store, [str(folder)], jobs=1, batch=batch))
        stores.append(store)
    assert [(r.location, r.status, r.report_id) for r in summaries[0].results] == \
        [(r.location, r.status, r.report_id) for r in summaries[2].results]
    assert [(r.location, r.status, r.report_id) for r in summaries[1].results] == \
        [(r.location, r.status, r.report_id) for r in summaries[2].results]
    assert summaries[2].count("stored") == len(entries) and summaries[2].count("duplicate") == 1
    assert [(r.location, r.status, r.error_code) for r in stores[0].results(summaries[0].run_id)] == \
        [(r.location, r.status, r.error_code) for r in stores[2].results(summaries[2].run_id)]
    for store in stores[1:]:
        assert snapshot(store) == snapshot(stores[0])
