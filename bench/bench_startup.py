"""Benchmark: what a one-file command and a report of ``gknb ingest`` cost in CPU, as ratios (issue 15).

* ``gknb check one.txt`` ÷ ``python -c pass``: the CPU of each child process (user + system, from
  ``os.wait4``), interleaved round by round, with bytecode cached as in an installed copy (after one
  warm-up run; ``PYTHONDONTWRITEBYTECODE`` is lifted for the children);
* ``gknb ingest`` a report ÷ ``gknb.read`` of it: the marginal CPU of a report in ``gknb ingest --jobs 1``
  (the run over ``--reports`` files minus the run over one file, each into a fresh SQLite database, the
  worker processes included: they are reaped by the command) against the CPU of ``gknb.read`` over the
  same files in a process of its own (timed around the loop, after one warm-up read), interleaved.

Reports are generated (``tests/layouts.py``) for agencies named after counties of the bundled division
table, several years each (so the cross-year checks run as in a real collection).

    python bench/bench_startup.py                 # 5 rounds, 200 reports → bench/out/bench_startup.json
    python bench/bench_startup.py --rounds 3 --reports 60
    python bench/bench_startup.py --only check --against /tmp/old/src   # and another tree's check, interleaved
    python bench/bench_startup.py --only ingest --against /work/main/src --rounds 6   # ingest, both trees
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from gknb.formats import FORMATS  # noqa: E402
from gknb.regions import divisions  # noqa: E402
from layouts import random_report, render  # noqa: E402

OUT = ROOT / "bench" / "out" / "bench_startup.json"
UNITS = ("民政局", "教育局", "财政局", "卫生健康局", "市场监督管理局")
YEARS = (2021, 2022, 2023, 2024)
READ_LOOP = """
import sys, time
from pathlib import Path
import gknb
files = [Path(p) for p in sys.argv[1:]]
gknb.read(files[0])
start = time.process_time()
for path in files:
    gknb.read(path)
print(time.process_time() - start)
"""


def child_cpu(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """CPU seconds (user + system) of a child process and its reaped children, and its output."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if process.returncode not in (0, 1):  # 1: the report has error-level findings
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime, text


def make_reports(folder: Path, count: int, seed: int) -> list[Path]:
    """``count`` text reports of agencies over ``YEARS`` (2021 format), one file each."""
    rnd = random.Random(seed)
    counties = [d.name for d in divisions() if d.rank == "county"]
    fmt = FORMATS["2021"]
    paths = []
    while len(paths) < count:
        agency = rnd.choice(counties) + rnd.choice(UNITS)
        for year in YEARS[: count - len(paths)]:
            text = render(fmt, random_report(fmt, rnd), "tab", rnd, year=year, agency=agency, bare_review=False)
            path = folder / f"{len(paths):04d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def ingest_and_read(gknb: list[str], env: dict[str, str], prefix: Path, batch: Path, single: Path,
                    reports: list[Path]) -> tuple[float, float]:
    """CPU seconds of one more report in ``gknb ingest --jobs 1`` (``batch`` − ``single``, each into
    a fresh SQLite file), and of ``gknb.read`` a report in a loop over ``reports``."""
    runs = {}
    for name, folder in (("batch", batch), ("single", single)):
        runs[name] = child_cpu([*gknb, "ingest", "--jobs", "1", "--db", f"{prefix}-{name}.db", str(folder)], env)[0]
    loop = child_cpu([sys.executable, "-c", READ_LOOP, *map(str, reports)], env)[1]
    return (runs["batch"] - runs["single"]) / (len(reports) - 1), float(loop.strip().splitlines()[-1]) / len(reports)


def gknb_command() -> list[str]:
    """The ``gknb`` console script beside this Python (else ``python -m gknb``)."""
    script = Path(sys.executable).with_name("gknb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gknb"]


def machine() -> dict[str, object]:
    """The CPU model, the cores and the Python version."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", choices=("check", "ingest"), help="measure one figure only (a quick look)")
    parser.add_argument("--against", type=Path, help="with --only: also time that figure (`gknb check`, or "
                        "`gknb ingest` and the read loop) of the gknb package under this src directory (another "
                        "checkout), alternating with this tree's round by round")
    args = parser.parse_args()
    env = dict(os.environ, GKNB_DB="", PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    # As installed: bytecode cached (pip compiles a wheel's modules; an editable install writes them on
    # first use). With PYTHONDONTWRITEBYTECODE every child would compile gknb's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    gknb = gknb_command()
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="gknb-bench-startup-"))
    try:
        reports = make_reports(work, args.reports, args.seed)
        one = reports[0]
        single = work / "single"
        single.mkdir()
        shutil.copy(one, single / one.name)
        batch = work / "batch"
        batch.mkdir()
        for path in reports:
            shutil.copy(path, batch / path.name)
        bare, check, per_ingest, per_read, against = [], [], [], [], []
        against_ingest: list[float] = []
        against_read: list[float] = []
        other_env = dict(env, PYTHONPATH=str(args.against)) if args.against and args.only else None
        child_cpu([*gknb, "check", str(one)], env)  # warm-up: writes the bytecode caches
        if other_env:
            child_cpu([*gknb, "check", str(one)], other_env)
        for round_ in range(args.rounds):
            bare.append(child_cpu([sys.executable, "-c", "pass"], env)[0])
            if args.only != "ingest":
                check.append(child_cpu([*gknb, "check", str(one)], env)[0])
            if other_env and args.only == "check":
                against.append(child_cpu([*gknb, "check", str(one)], other_env)[0])
            if args.only == "check":
                continue
            trees = [(env, per_ingest, per_read)]
            if other_env:  # which tree goes first alternates from round to round
                trees.insert(round_ % 2, (other_env, against_ingest, against_read))
            for tree_env, ingests, reads in trees:
                name = "against" if ingests is against_ingest else "this"
                ingest, read = ingest_and_read(gknb, tree_env, work / f"{name}-{round_}",
                                               batch, single, reports)
                ingests.append(ingest)
                reads.append(read)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    start_ratio = sum(check) / sum(bare) if check else None
    ingest_ratio = sum(per_ingest) / sum(per_read) if per_read else None
    result = {
        "machine": machine(),
        "load": [load_before, os.getloadavg()[0]],
        "rounds": args.rounds, "reports": len(reports),
        "cpu_seconds": {name: statistics.median(values) if values else None for name, values in (
            ("python_pass", bare), ("gknb_check_one", check), ("ingest_per_report", per_ingest),
            ("read_per_report", per_read))},
        "targets": [
            {"figure": "`gknb check one.txt` CPU ÷ `python -c pass`", "today": "~140", "target": "≤ 15",
             "measured": start_ratio and round(start_ratio, 2), "met": start_ratio is not None and start_ratio <= 15,
             "how": f"CPU (user+sys, os.wait4) of each child, {args.rounds} interleaved rounds, summed"},
            {"figure": "`gknb ingest` CPU a report ÷ gknb.read of it", "today": "~4", "target": "≤ 1.5",
             "measured": ingest_ratio and round(ingest_ratio, 2),
             "met": ingest_ratio is not None and ingest_ratio <= 1.5,
             "how": f"CPU: (ingest --jobs 1 of {len(reports)} text reports − of 1) ÷ {len(reports) - 1}, workers "
                    f"included, vs gknb.read loop CPU ÷ {len(reports)}; {args.rounds} interleaved rounds"},
        ],
    }
    if against:
        result["against"] = {"src": str(args.against), "gknb_check_one": statistics.median(against),
                             "ratio": round(sum(against) / sum(bare), 2)}
    if against_read:
        result["against"] = {"src": str(args.against), "ingest_per_report": statistics.median(against_ingest),
                             "read_per_report": statistics.median(against_read),
                             "ratio": round(sum(against_ingest) / sum(against_read), 2),
                             "rounds": {"ingest": against_ingest, "read": against_read}}
        result["rounds"] = {"ingest": per_ingest, "read": per_read, "rounds": args.rounds}
    if args.only:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
