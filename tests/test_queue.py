"""Distributed ingest (gknb.pipeline.queue) on a real PostgreSQL: real ``gknb worker`` processes drain a queue.

Two workers share a batch and every input is processed exactly once; a worker killed (SIGKILL) in the
middle of a file loses nothing: another worker finds its job stalled, runs it again, and the file is
stored once; an input whose workers keep dying is recorded as failed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from typer.testing import CliRunner

import gknb
from gknb.cli import app
from gknb.formats import FORMATS
from gknb.pipeline import bulk, queue
from gknb.store import Store
from gknb.store.models import IngestResult, IngestRun, ReportRow
from layouts import random_report, render
from storehelp import new_postgres_db

pytest.importorskip("procrastinate")

SAMPLES = Path(gknb.__file__).parent / "samples"
GKNB = [sys.executable, "-m", "gknb"]


@pytest.fixture
def url(postgres_server: tuple[str, list[str]]) -> str:
    return new_postgres_db(postgres_server)


def _reports(folder: Path, count: int, seed: int) -> list[Path]:
    """``count`` generated 2021-format reports of a few agencies over consecutive years."""
    fmt, rnd = FORMATS["2021"], random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        agency, year = f"青山县第{i % 4 + 1}局", 2021 + i // 4
        text_ = render(fmt, random_report(fmt, rnd), "tab", rnd, year=year, agency=agency, bare_review=False)
        paths.append(folder / f"r{i:02d}.txt")
        paths[-1].write_text(text_, encoding="utf-8")
    return paths


def _worker(url: str, *, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([*GKNB, "worker", "--db", url, "--until-empty", "--stalled-after", "2"],
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finish(worker: subprocess.Popen[str]) -> str:
    output, _ = worker.communicate(timeout=40)
    assert worker.returncode == 0, output
    return output


def _jobs(store: Store) -> list[tuple[str, int, int]]:
    """(status, attempts, input id) of every job."""
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT status, attempts, (args->>'input_id')::int FROM procrastinate_jobs ORDER BY id"))]


def _results(store: Store, run_id: int) -> dict[str, IngestResult]:
    """The run's result per location, asserting there is exactly one for each."""
    rows = store.results(run_id)
    twice = [loc for loc, n in Counter(r.location for r in rows).items() if n > 1]
    assert not twice, f"recorded more than once: {twice}"
    return {r.location: r for r in rows}


def _stored_once(store: Store) -> Counter[str]:
    with store.session() as session:
        counts = Counter(dict(session.execute(select(ReportRow.location, func.count()).group_by(ReportRow.location)).all()))
    assert set(counts.values()) == {1}, counts
    return counts


def _crossyear(store: Store) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The cross-year findings of every stored report, by location."""
    out = {}
    for report_id in store.report_ids():
        report = store.load(report_id)
        out[report.source.path] = sorted((f.rule, f.cells) for f in report.findings if f.rule.startswith("crossyear."))
    return out


def test_two_workers_process_every_file_once(url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = _reports(folder, 16, seed=7)
    for sample in SAMPLES.glob("*.txt"):
        good.append(folder / sample.name)
        good[-1].write_bytes(sample.read_bytes())
    (folder / "garbage.txt").write_bytes(bytes(range(256)) * 20)
    archive = tmp_path / "more.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in _reports(tmp_path / "zipped", 6, seed=8):
            z.write(path, f"2023/{path.name}")
        z.writestr("2023/broken.pdf", b"%PDF-1.4 not really")
        z.writestr("2023/copy.txt", good[0].read_bytes())  # the same original as r00.txt

    queued = queue.enqueue(url, [str(folder), str(archive), str(good[1])])  # r01.txt named twice: queued once
    assert queued.queued == len(good) + 6 + 2 and queued.results[0].status == "duplicate"
    assert queued.results[0].location == f"{archive}!2023/copy.txt"  # its original waits in the queue

    workers = [_worker(url), _worker(url)]
    logs = [_finish(w) for w in workers]
    store = Store.open(url)
    results = _results(store, queued.run_id)
    statuses = Counter(r.status for r in results.values())
    assert statuses == {"stored": len(good) + 6, "failed": 2, "duplicate": 1}
    assert results[str(folder / "garbage.txt")].error_code == "file.unreadable"
    assert results[f"{archive}!2023/broken.pdf"].message and results[f"{archive}!2023/broken.pdf"].message_en
    assert len(_stored_once(store)) == len(good) + 6
    # every job ran once and succeeded (per-file failures are results, not failed jobs); each was logged once
    assert sorted(status for status, _, _ in _jobs(store)) == ["succeeded"] * queued.queued
    assert {attempts for _, attempts, _ in _jobs(store)} == {1}
    assert sum(log.count(f"#{queued.run_id} ") for log in logs) == queued.queued
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(queue.staged)) == 0
        assert session.get(IngestRun, queued.run_id).finished is not None
    # the cross-year findings are those of a one-process ingest, though different workers wrote the years
    reference = Store.open(str(tmp_path / "ref.db"))
    bulk.ingest(reference, [str(folder), str(archive)])
    assert _crossyear(store) == _crossyear(reference) and _crossyear(store)
    reference.close()

    again = queue.enqueue(url, [str(folder)])
    assert again.queued == 1 and again.count("duplicate") == len(good)  # only the garbage is tried again
    store.close()


def test_worker_killed_mid_file_loses_nothing(url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paths = _reports(folder, 4, seed=9)
    slow = paths[2].rename(folder / "r02-slow.txt")
    queued = queue.enqueue(url, [str(folder)])
    store = Store.open(url)
    with store.session() as session:
        slow_input = session.scalar(select(queue.staged.c.id).where(queue.staged.c.location == str(slow)))

    doomed = _worker(url, env={queue.STALL_HOOK: "-slow.txt"})  # sleeps before reading that file
    deadline = time.monotonic() + 30
    while ("doing", 0, slow_input) not in _jobs(store):
        assert doomed.poll() is None and time.monotonic() < deadline, doomed.communicate()[0]
        time.sleep(0.1)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    assert str(slow) not in _results(store, queued.run_id)
    assert ("doing", 0, slow_input) in _jobs(store)

    _finish(_worker(url))
    results = _results(store, queued.run_id)
    assert sorted(results) == sorted(str(p) for p in [*paths[:2], slow, paths[3]])
    assert {r.status for r in results.values()} == {"stored"}
    assert len(_stored_once(store)) == 4
    jobs = {input_id: (status, attempts) for status, attempts, input_id in _jobs(store)}
    assert jobs.pop(slow_input) == ("succeeded", 2)  # queued again once, then done
    assert set(jobs.values()) == {("succeeded", 1)}
    store.close()


def stuck(location: str, raw: bytes | None, url: str | None) -> dict:
    """``bulk.work``, except that a file named ``…-stuck.txt`` never ends. Module-level: workers import it."""
    if location.endswith("-stuck.txt"):
        time.sleep(3600)
    return bulk.work(location, raw, url)


def test_file_over_time_limit_fails_alone(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _reports(tmp_path, 3, seed=12)
    stuck_path = paths[1].rename(tmp_path / "r01-stuck.txt")
    queued = queue.enqueue(url, [str(tmp_path)])
    monkeypatch.setattr(queue, "work", stuck)
    assert queue.run_worker(url, until_empty=True, timeout=2) == 0
    store = Store.open(url)
    results = _results(store, queued.run_id)
    assert (results.pop(str(stuck_path)).error_code, {r.status for r in results.values()}) == ("ingest.timeout",
                                                                                              {"stored"})
    assert [status for status, _, _ in _jobs(store)] == ["succeeded"] * 3
    store.close()


def test_input_whose_workers_keep_dying_fails(url: str, tmp_path: Path) -> None:
    path = _reports(tmp_path, 1, seed=10)[0]
    queued = queue.enqueue(url, [str(path)])
    store = Store.open(url)
    with store.engine.begin() as connection:  # as if its worker had died twice and died again
        connection.execute(text("UPDATE procrastinate_jobs SET status = 'doing', attempts = 2"))
    assert queue.run_worker(url, until_empty=True, stalled_after=1) == 0
    result = _results(store, queued.run_id)[str(path)]
    assert (result.status, result.error_code) == ("failed", "internal")
    assert "3" in result.message_en and "died" in result.message_en
    assert [status for status, _, _ in _jobs(store)] == ["failed"]
    assert store.report_ids() == []
    store.close()


def test_schema_applied_once_and_guarded(url: str) -> None:
    store = queue.open_store(url)
    queue.prepare(store.engine)  # again: nothing to do
    with store.engine.begin() as connection:
        level = connection.scalar(select(queue.schema_level.c.procrastinate))
        assert connection.scalar(select(func.count()).select_from(queue.schema_level)) == 1
        connection.execute(update(queue.schema_level).values(procrastinate="99.00.00"))
    with pytest.raises(queue.QueueUnavailable, match="newer"):
        queue.prepare(store.engine)
    assert level.startswith("03.")
    store.close()


def test_queue_needs_postgresql(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(SAMPLES), "--queue", "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output and "需要" in result.output
    assert not (tmp_path / "g.db").exists()
