"""Benchmark: distributed ingest — throughput of 1 vs 2 `gknb worker` processes on one PostgreSQL.

A throwaway PostgreSQL 15 cluster (bench_store's, default durability settings) gets, per run, a fresh
database; ``gknb ingest --queue`` stages ``--reports`` generated text reports (distinct agencies over
2019–2025, as bench_store plans them), then 1 or 2 separate ``gknb worker --until-empty`` processes
drain the queue. Rate = reports stored ÷ wall seconds from the workers' start to the last one's exit;
CPU = the workers' CPU seconds (``os.wait4``) per report; PostgreSQL's own CPU is not in it. Runs
alternate (1, 2, 2, 1, …) over ``--rounds``; medians. Writes bench/out/bench_queue.json.

    python bench/bench_queue.py [--reports 300] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import PG_BIN, _text, plan, postgres  # noqa: E402
from bench_web_scale import machine  # noqa: E402

from corpus import ROOT  # noqa: E402


def stage(folder: Path, count: int, seed: int) -> Path:
    """``count`` generated text reports in a folder (agency/year.txt)."""
    pairs, rnd = plan(count, seed), random.Random(seed + 1)
    for agency, year in pairs:
        path = folder / agency / f"{year}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_text(agency, year, rnd))
    return folder


def run(workers: int, url: str, reports: Path, env: dict[str, str]) -> dict[str, float]:
    """Queue the reports into the database at ``url``, then drain it with ``workers`` processes."""
    gknb = [sys.executable, "-m", "gknb"]
    subprocess.run([*gknb, "ingest", "--queue", "--db", url, str(reports)], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    children = [subprocess.Popen([*gknb, "worker", "--until-empty", "--db", url], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
    cpu = 0.0
    for child in children:
        _pid, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"gknb worker failed ({os.waitstatus_to_exitcode(status)})")
        cpu += usage.ru_utime + usage.ru_stime
    seconds = time.perf_counter() - start
    stored = _count(url, env)
    return {"seconds": round(seconds, 2), "stored": stored, "reports_per_s": round(stored / seconds, 2),
            "worker_cpu_ms_per_report": round(cpu / max(stored, 1) * 1000, 1)}


def _count(url: str, env: dict[str, str]) -> int:
    code = ("import sys; from gknb.store import Store; s = Store.open(sys.argv[1]); "
            "print(len(s.report_ids())); s.close()")
    return int(subprocess.run([sys.executable, "-c", code, url], env=env, capture_output=True, check=True,
                              text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "bench_queue.json")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    load_before = os.getloadavg()[0]
    results: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="gknb-bench-queue-") as tmp, postgres() as (server, prefix):
        reports = stage(Path(tmp) / "reports", args.reports, args.seed)
        host, port = server.rsplit("@", 1)[1].split(":")
        number = 0
        for round_number in range(args.rounds):
            for workers in (1, 2) if round_number % 2 == 0 else (2, 1):
                number += 1
                name = f"queue_{number}"
                subprocess.run([*prefix, str(PG_BIN / "createdb"), "-h", host, "-p", port, "-U", "gknb", name],
                               check=True, capture_output=True)
                results[workers].append(run(workers, f"{server}/{name}", reports, env))
                print(f"  {workers} worker(s): {results[workers][-1]}", flush=True)
    median = {workers: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
              for workers, runs in results.items()}
    payload = {"machine": machine(), "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
               "reports": args.reports, "rounds": args.rounds, "median": median, "runs": results,
               "speedup_2_over_1": round(median[2]["reports_per_s"] / median[1]["reports_per_s"], 2)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"median": median, "speedup_2_over_1": payload["speedup_2_over_1"], "load": payload["load"]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
