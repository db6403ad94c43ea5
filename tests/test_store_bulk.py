"""Bulk ingest: a folder and a zip with a garbage file, re-runs, an interrupted run, the zip guard."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gknb
from gknb.cli import app
from gknb.document import Provenance
from gknb.pipeline.bulk import ingest
from gknb.pipeline.write import store_report
from gknb.store import Store
from gknb.store.store import prepare
from storehelp import new_postgres_db

SAMPLES = Path(gknb.__file__).parent / "samples"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path, int]:
    """A folder (3 samples + a garbage file) and a zip (5 corpus reports + a garbage member)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in SAMPLES.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "garbage.txt").write_bytes(bytes(range(256)) * 40)
    archive = tmp_path / "more.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(CORPUS.glob("*.txt"))[:5]:
            z.write(path, f"2021/{path.name}")
        z.writestr("2021/broken.pdf", b"%PDF-1.4 not really")
    return folder, archive, 8


def test_folder_and_zip_with_garbage(inputs: tuple[Path, Path, int], tmp_path: Path) -> None:
    folder, archive, good = inputs
    store = Store.open(str(tmp_path / "g.db"))
    summary = ingest(store, [str(folder), str(archive)], jobs=2)
    assert summary.count("stored") == good and summary.count("failed") == 2
    failed = {r.location: r.error for r in summary.results if r.status == "failed"}
    assert failed[str(folder / "garbage.txt")]["code"] == "file.unreadable"
    assert failed[f"{archive}!2021/broken.pdf"]["message_en"]
    assert len(store.report_ids()) == good
    recorded = store.results(summary.run_id)
    assert sorted(r.status for r in recorded) == ["failed"] * 2 + ["stored"] * good
    assert all(r.message and r.message_en for r in recorded if r.status == "failed")

    again = ingest(store, [str(folder), str(archive)], jobs=1)
    assert again.count("duplicate") == good and again.count("stored") == 0
    assert len(store.report_ids()) == good


def test_interrupted_run_resumes(inputs: tuple[Path, Path, int], tmp_path: Path) -> None:
    folder, archive, good = inputs
    store = Store.open(str(tmp_path / "r.db"))
    seen = []

    def die_after_three(result: object) -> None:
        seen.append(result)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(store, [str(folder), str(archive)], jobs=1, batch=2, on_result=die_after_three)  # commits by twos
    kept = len(store.report_ids())
    assert 0 < kept < good
    resumed = ingest(store, [str(folder), str(archive)], jobs=1)
    assert resumed.count("duplicate") == kept and resumed.count("stored") == good - kept
    assert len(store.report_ids()) == good


def test_zip_guard(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"0" * (25 * 1024 * 1024))
        z.write(SAMPLES / "000_a5586f6eb40696d9.txt", "ok.txt")
    store = Store.open(str(tmp_path / "z.db"))
    summary = ingest(store, [str(bomb)], jobs=1)
    status = {r.location.rsplit("!", 1)[1]: (r.status, (r.error or {}).get("code")) for r in summary.results}
    assert status == {"zeros.txt": ("failed", "zip.member_too_large"), "ok.txt": ("stored", None)}


def test_cli_ingest_into_postgres(inputs: tuple[Path, Path, int], postgres_server: tuple[str, list[str]]) -> None:
    folder, archive, good = inputs
    url = new_postgres_db(postgres_server)
    result = CliRunner().invoke(app, ["ingest", str(folder), str(archive), "--db", url, "--jobs", "1"])
    assert result.exit_code == 2, result.output  # the garbage files failed
    assert "garbage.txt" in result.output and "file.unreadable" in result.output
    assert len(Store.open(url).report_ids()) == good
    result = CliRunner().invoke(app, ["ingest", str(folder), "--db", url])
    assert result.exit_code == 2 and "重复 duplicates" in result.output


def test_progress_hears_of_each_file_as_it_is_read(inputs: tuple[Path, Path, int], tmp_path: Path) -> None:
    folder, archive, good = inputs
    store = Store.open(str(tmp_path / "p.db"))
    events: list[tuple[str, str]] = []
    summary = ingest(store, [str(folder), str(archive)], jobs=1, on_read=lambda loc: events.append(("read", loc)),
                     on_result=lambda r: events.append(("written", r.location)))
    reads = [loc for kind, loc in events if kind == "read"]
    assert sorted(reads) == sorted(r.location for r in summary.results) and len(reads) == good + 2
    first_written = next(i for i, (kind, _) in enumerate(events) if kind == "written")
    assert first_written > 1  # the files were heard of one by one, before the batch was written


def test_cli_output_is_full_width_when_piped(tmp_path: Path) -> None:
    garbage = tmp_path / ("一个名字很长很长的无法读取的文件" * 3 + ".txt")
    garbage.write_bytes(bytes(range(256)) * 40)
    result = CliRunner().invoke(app, ["ingest", str(garbage), "--db", str(tmp_path / "w.db")])
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if garbage.name in line)
    assert str(garbage) in line and "file.unreadable" in line  # one line: not folded into an 80-column table


def test_workers_rows_store_what_the_report_would(db_url: str, tmp_path: Path) -> None:
    """``gknb ingest``'s workers send ``store.prepare``'s rows, not the Report: what is stored is the
    same as storing the parsed report itself — cells, printed text, provenance (a real PDF's boxes
    and pages), findings, sections — on SQLite and PostgreSQL."""
    files = [CORPUS / "real" / "hongze2023.pdf", *sorted(CORPUS.glob("*.txt"))[:2]]
    folder = tmp_path / "in"
    folder.mkdir()
    for path in files:
        (folder / path.name).write_bytes(path.read_bytes())
    through_workers = Store.open(db_url)
    summary = ingest(through_workers, [str(folder)], jobs=1)
    assert summary.count("stored") == len(files)
    direct = Store.open(str(tmp_path / "direct.db"))
    for result in summary.results:
        report = gknb.read(Path(result.location))
        stored = store_report(direct, report, Path(result.location).read_bytes(), location=result.location)
        assert through_workers.load(result.report_id) == direct.load(stored.report_id)
        form = prepare(report)
        assert [c[0] for c in form.cells] == list(report.cells)
        assert {key: text for key, _value, _printed, text in form.cells if text is not None} == {
            key: json.dumps(where.as_dict()) for key, where in report.provenance.items() if key in report.cells}
    assert any(where.bbox and where.page for result in summary.results
               for where in through_workers.load(result.report_id).provenance.values())
    # the agencies the writer created from the places the workers located are those it would locate
    fields = ("name", "province", "city", "county", "province_code", "city_code", "county_code", "level")
    assert [tuple(getattr(a, f) for f in fields) for a in through_workers.agencies()] == [
        tuple(getattr(a, f) for f in fields) for a in direct.agencies()]
    assert any(a.county_code for a in direct.agencies())


def test_prepared_provenance_is_each_cells_own_json() -> None:
    """A report's provenances are encoded in one call and cut apart, a source line alone written
    directly: each cell gets exactly its own JSON — none set, lines alone among the others, boxes of
    floats, OCR confidences, a line that is not an int, and a value whose text would fool the cut."""
    report = gknb.read(sorted(SAMPLES.glob("*.txt"))[0])
    wheres = [Provenance(), Provenance(line=3, col=2), Provenance(line=12), Provenance(line=True),  # type: ignore[arg-type]
              Provenance(page=2, bbox=(1.5, 2.25, 300.125, 4e-07)), Provenance(line=0),
              Provenance(table=1, row=4, col=0, confidence=0.9375), Provenance(line=7.0),  # type: ignore[arg-type]
              Provenance(line="x, {y"),  # type: ignore[arg-type]
              # a line and column (a text report's cell) beside their look-alikes: other types, more fields
              Provenance(line=3, col=2.0), Provenance(line=3.0, col=2), Provenance(line=3, col=True),  # type: ignore[arg-type]
              Provenance(line=3, col=2, page=1), Provenance(line=3, col=2, confidence=0.5),
              Provenance(line=3, col=2, table=0, row=0), Provenance(line=-1, col=10**20)]
    keys = list(report.cells)[:len(wheres)]
    report.provenance = dict(zip(keys, wheres, strict=True))
    texts = {key: text for key, _value, _printed, text in prepare(report).cells if text is not None}
    assert texts == {key: json.dumps(where.as_dict()) for key, where in zip(keys, wheres, strict=True)}


def test_source_lookup_sees_each_write_and_holds_nothing_between(db_url: str) -> None:
    """``Store.source_lookup`` (an ingest's look-up of each input's hash, on the driver's cursor)
    answers as ``has_source`` does, sees a report written on another connection after it began
    (no snapshot kept from one look-up to the next), and leaves no transaction open between two."""
    store = Store.open(db_url)
    path = sorted(SAMPLES.glob("*.txt"))[0]
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    with store.source_lookup() as known:
        assert known(sha) is None
        added = store_report(store, gknb.read(path), raw, location=str(path))
        assert known(sha) == added.report_id == store.has_source(sha)
        assert known("0" * 64) is None
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect() as other:
                assert other.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                             "current_database() AND state LIKE 'idle in transaction%%'").scalar() == 0
        else:  # a reader's snapshot would keep the WAL from being checkpointed to its end
            with store.engine.connect() as other:
                busy, _log, _done = other.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                assert busy == 0
    store.close()
