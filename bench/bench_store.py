"""Benchmark: the store as it grows — reports/s and database size from 1k to 100k reports, SQLite and PostgreSQL.

Reports are generated (``tests/layouts.py``) for agencies named after the counties of the bundled
division table, each over the years 2019–2025 (2019 format until 2020, then 2021), in random order,
so cross-year checks run as in a real collection. Two modes, each from an empty database:

* ``writes``  the store alone: ``store_reports`` in batches of ``--batch`` (as ``gknb ingest`` writes),
  of parsed reports (a pool of parsed reports, each stored under many agencies and years with its
  own bytes), timed per segment between the ``--sizes`` checkpoints;
* ``ingest``  end to end: ``gknb.pipeline.bulk.ingest`` with ``--jobs`` worker processes over zip files of
  text reports, one run per segment.

PostgreSQL 15 runs as a throwaway cluster (``initdb`` in a temporary folder, as the ``postgres`` user
when run as root, default durability settings); SQLite is a file in a temporary folder.

    python bench/bench_store.py                                  # 1k and 10k, both databases, both modes
    python bench/bench_store.py --sizes 1000,2000,5000,10000,20000,50000,100000   # the long curve
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_throughput import peak_rss_mb  # noqa: E402

import gknb  # noqa: E402
from corpus import ROOT  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.bulk import BATCH, ingest  # noqa: E402
from gknb.pipeline.write import store_reports  # noqa: E402
from gknb.report import Report  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.store.store import Entry  # noqa: E402
from layouts import random_report, render  # noqa: E402

PG_BIN = Path(os.environ.get("GKNB_PG_BIN", "/usr/lib/postgresql/15/bin"))
UNITS = ("人民政府", "人民政府办公室", "教育局", "民政局", "财政局", "自然资源局", "生态环境局", "住房和城乡建设局",
         "交通运输局", "农业农村局", "卫生健康局", "市场监督管理局")
YEARS = range(2019, 2026)


def agencies(count: int, rnd: random.Random) -> list[str]:
    """``count`` agency names: a unit of a county (with its prefecture), from the division table."""
    with (Path(gknb.__file__).parent / "data" / "divisions.csv").open(encoding="utf-8") as handle:
        names = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    counties = [f"{names.get(code[:4] + '00', '')}{name}" for code, name in names.items() if code[4:] != "00"]
    pool = [county + unit for county in counties for unit in UNITS]
    if count > len(pool):
        raise SystemExit(f"at most {len(pool)} agencies")
    return rnd.sample(pool, count)


def plan(total: int, seed: int) -> list[tuple[str, int]]:
    """(agency, year) of ``total`` reports: whole agencies over ``YEARS``, in random order."""
    rnd = random.Random(seed)
    names = agencies(-(-total // len(YEARS)), rnd)
    pairs = [(name, year) for name in names for year in YEARS][:total]
    rnd.shuffle(pairs)
    return pairs


def _format(year: int) -> str:
    return "2019" if year < 2021 else "2021"


def _text(agency: str, year: int, rnd: random.Random) -> bytes:
    fmt = FORMATS[_format(year)]
    return render(fmt, random_report(fmt, rnd), "tab", rnd, year=year, agency=agency, bare_review=False).encode()


class Writes:
    """Entries for ``store_reports``: parsed reports of a pool, restamped with agency, year and bytes."""

    def __init__(self, seed: int, per_format: int = 100):
        rnd = random.Random(seed)
        self.pool: dict[str, list[tuple[Report, bytes]]] = {}
        for version, year in (("2019", 2020), ("2021", 2022)):
            self.pool[version] = []
            for _ in range(per_format):
                raw = _text("青山县民政局", year, rnd)
                self.pool[version].append((gknb.read(raw, name="x.txt"), raw))
        self.rnd = rnd

    def entry(self, number: int, agency: str, year: int) -> Entry:
        report, raw = self.rnd.choice(self.pool[_format(year)])
        location = f"{agency}/{year}.txt"
        clone = dataclasses.replace(
            report, meta=dataclasses.replace(report.meta, agency=agency, year=year, title=f"{agency}{year}年报告",
                                             region=dict(report.meta.region)),
            source=dataclasses.replace(report.source, path=location))
        return Entry(clone, raw + f"\n{number}\n".encode(), location)


@contextlib.contextmanager
def postgres() -> Iterator[tuple[str, list[str]]]:
    """A throwaway PostgreSQL 15 cluster: (server URL without a database, command prefix)."""
    if not (PG_BIN / "initdb").exists():
        raise SystemExit(f"PostgreSQL 15 binaries not found in {PG_BIN}")
    base = Path(tempfile.mkdtemp(prefix="gknb-bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = base / "data"
    subprocess.run([*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", "gknb", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o",
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "-l", str(base / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://gknb@127.0.0.1:{port}", prefix
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def database(kind: str, name: str, server: tuple[str, list[str]] | None) -> Iterator[str]:
    """A fresh database's URL: a SQLite file in a temporary folder, or a new database on ``server``."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gknb-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'gknb.db'}"
        return
    assert server is not None
    url, prefix = server
    host, port = url.rsplit("@", 1)[1].split(":")
    subprocess.run([*prefix, str(PG_BIN / "createdb"), "-h", host, "-p", port, "-U", "gknb", name],
                   check=True, capture_output=True)
    yield f"{url}/{name}"


def size_mb(store: Store, url: str) -> float:
    """The database's size on disk (SQLite: the file and its write-ahead log)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()) / 2**20
    with store.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one() / 2**20


def run_writes(url: str, sizes: list[int], batch: int, seed: int) -> list[dict[str, Any]]:
    """``store_reports`` up to each size; one point per segment."""
    pairs, source = plan(sizes[-1], seed), Writes(seed)
    store, points, done = Store.open(url), [], 0
    for size in sizes:
        seconds = cpu = 0.0
        for first in range(done, size, batch):  # entries made outside the timing
            entries = [source.entry(i, *pairs[i]) for i in range(first, min(first + batch, size))]
            start, begin_cpu = time.perf_counter(), time.process_time()
            store_reports(store, entries)
            seconds, cpu = seconds + time.perf_counter() - start, cpu + time.process_time() - begin_cpu
        points.append(_point(store, url, size, size - done, seconds, cpu))
        print(f"  writes {size:>7}: {points[-1]}", flush=True)
        done = size
    store.close()
    return points


def run_ingest(url: str, sizes: list[int], jobs: int, batch: int, seed: int, work: Path) -> list[dict[str, Any]]:
    """``bulk.ingest`` of zip files up to each size, one run per segment; one point per segment."""
    pairs, rnd = plan(sizes[-1], seed), random.Random(seed + 1)
    store, points, done = Store.open(url), [], 0
    for size in sizes:
        zips = []
        for start in range(done, size, 20_000):  # a zip holds at most 20,000 members
            path = work / f"{start}.zip"
            if not path.exists():
                with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                    for i in range(start, min(start + 20_000, size)):
                        agency, year = pairs[i]
                        archive.writestr(f"{agency}/{year}.txt", _text(agency, year, rnd))
            zips.append(str(path))
        begin, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        summary = ingest(store, zips, jobs=jobs, batch=batch)
        seconds, cpu, children = time.perf_counter() - begin, time.process_time() - cpu, _children_cpu() - children
        points.append(_point(store, url, size, size - done, seconds, cpu) | {
            "workers_cpu_s": round(children, 1), "stored": summary.count("stored"), "failed": summary.count("failed")})
        print(f"  ingest {size:>7}: {points[-1]}", flush=True)
        done = size
    store.close()
    return points


def reset_peak_rss() -> None:
    """Start this process's peak resident set afresh (Linux: ``clear_refs``), where the OS allows it."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once joined
    return usage.ru_utime + usage.ru_stime


def _point(store: Store, url: str, size: int, added: int, seconds: float, cpu: float) -> dict[str, Any]:
    """One point of the curve; ``cpu``: this process's CPU seconds (the writer's, in ``writes`` mode)."""
    return {"reports": size, "segment": added, "seconds": round(seconds, 2),
            "reports_per_s": round(added / seconds, 1), "main_cpu_s": round(cpu, 1),
            "reports_per_main_cpu_s": round(added / cpu, 1), "db_mb": round(size_mb(store, url), 1),
            "loadavg_1min": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="checkpoints (reports in the store)")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--mode", default="writes,ingest")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the ingest mode")
    parser.add_argument("--batch", type=int, default=BATCH, help="reports per transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "store.json")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    kinds, modes = args.db.split(","), args.mode.split(",")
    results: dict[str, Any] = {}
    peaks: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(postgres()) if "postgresql" in kinds else None
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gknb-bench-zips-")))
        for mode in modes:
            for kind in kinds:
                print(f"{mode} · {kind}", flush=True)
                with database(kind, f"bench_{mode}", server) as url:
                    reset_peak_rss()
                    results[f"{mode}/{kind}"] = (run_writes(url, sizes, args.batch, args.seed) if mode == "writes"
                                                 else run_ingest(url, sizes, args.jobs, args.batch, args.seed, work))
                    peaks[f"{mode}/{kind}"] = peak_rss_mb()
    payload = {"gknb": gknb.__version__, "cpus": os.cpu_count(), "batch": args.batch, "jobs": args.jobs,
               "sizes": sizes, "results": results, "peak_rss_mb_main_process": peaks}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
