"""Benchmark: a batch `gknb check --jsonl` — peak memory over 10 vs 10,000 files, CPU against a library loop.

Small generated text reports (``tests/layouts.py``: the 2021 format, tab layout, one in seven with a
planted error) are written to two folders, ``--small`` and ``--large`` files. Each measured run is a
child process started here and reaped with ``os.wait4``, whose resource usage gives its CPU time and
its peak resident set (``ru_maxrss``: the largest of the process and the workers it waited for):

* ``cli``      ``gknb check --jsonl FOLDER`` (output to /dev/null), on both folders;
* ``library``  a Python loop over the large folder: ``gknb.pipeline.run`` of each file and its JSON line
  written, the same work without the command line (start-up included in both).

The runs alternate (cli small, cli large, library large; ``--rounds`` times, the order reversed every
other round); figures are medians. Peak memory ratio = cli large ÷ cli small; CPU ratio = cli large ÷
library large. Writes bench/out/bench_batch.json.

    python bench/bench_batch.py [--small 10] [--large 10000] [--rounds 1] [--src DIR]
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web_scale import machine  # noqa: E402

from corpus import ROOT  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from layouts import random_report, render  # noqa: E402

LIBRARY_LOOP = """
import json, sys
from pathlib import Path
from gknb.pipeline import run
out = sys.stdout.buffer
for path in sorted(str(p) for p in Path(sys.argv[1]).rglob("*.txt")):
    out.write((json.dumps(run(path, path=path).as_dict(), ensure_ascii=False) + "\\n").encode())
"""


def write_reports(folder: Path, count: int, seed: int) -> None:
    """``count`` generated reports as text files in ``folder`` (one in seven with an error)."""
    fmt = FORMATS["2021"]
    folder.mkdir(parents=True)
    for n in range(count):
        rnd = random.Random(seed * 1_000_003 + n)
        cells = random_report(fmt, rnd)
        if n % 7 == 0:
            cells["requests.new.natural_person"] += 1
        text = render(fmt, cells, "tab", rnd, year=2022, agency=f"测试县第{n}局")
        (folder / f"{n:06d}.txt").write_text(text, encoding="utf-8")


# Started from a bare interpreter: a child's ru_maxrss is at least what its parent held when it forked
# (Linux keeps the high-water mark across exec), and this process holds gknb and the generator.
LAUNCH = """
import json, os, subprocess, sys
with open(os.devnull, "wb") as null:
    child = subprocess.Popen(sys.argv[1:], stdout=null, stderr=subprocess.PIPE)
    errors = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_kb": usage.ru_maxrss, "errors": errors.decode(errors="replace")[-2000:]}))
"""


def measure(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``command`` with its output discarded: its CPU seconds and peak resident set (MB)."""
    launched = subprocess.run([sys.executable, "-c", LAUNCH, *command], env=env, capture_output=True, check=True)
    result = json.loads(launched.stdout)
    if result["code"] not in (0, 1):  # 1: error-level findings, as planted
        raise SystemExit(f"{command[:4]} failed ({result['code']}): {result['errors']}")
    return {"cpu_s": round(result["cpu_s"], 2), "peak_rss_mb": round(result["peak_kb"] / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the gknb source the children run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "bench_batch.json")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src)}
    gknb = [sys.executable, "-m", "gknb", "check", "--jsonl"]
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict[str, float]]] = {"cli_small": [], "cli_large": [], "library_large": []}
    with tempfile.TemporaryDirectory(prefix="gknb-bench-batch-") as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        write_reports(small, args.small, args.seed)
        write_reports(large, args.large, args.seed)
        commands = {"cli_small": [*gknb, str(small)], "cli_large": [*gknb, str(large)],
                    "library_large": [sys.executable, "-c", LIBRARY_LOOP, str(large)]}
        for round_number in range(args.rounds):
            order = list(commands) if round_number % 2 == 0 else list(reversed(commands))
            for name in order:
                runs[name].append(measure(commands[name], env))
                print(f"  {name}: {runs[name][-1]}", flush=True)
    median = {name: {key: statistics.median(r[key] for r in values) for key in values[0]}
              for name, values in runs.items()}
    memory = round(median["cli_large"]["peak_rss_mb"] / median["cli_small"]["peak_rss_mb"], 2)
    cpu = round(median["cli_large"]["cpu_s"] / median["library_large"]["cpu_s"], 2)
    targets: list[dict[str, Any]] = [
        {"figure": f"peak memory of `gknb check --jsonl` over {args.large:,} files ÷ over {args.small}",
         "today": "~2", "target": "≤ 1.2", "measured": memory, "met": memory <= 1.2,
         "how": f"ru_maxrss of the gknb process and its worker (os.wait4): {median['cli_large']['peak_rss_mb']} "
                f"vs {median['cli_small']['peak_rss_mb']} MB, median of {args.rounds}"},
    ]
    payload = {"machine": machine(), "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
               "files": {"small": args.small, "large": args.large}, "rounds": args.rounds, "median": median,
               "runs": runs, "cli_cpu_over_library_loop": cpu, "targets": targets}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"peak_ratio": memory, "cli_cpu_over_library": cpu, "median": median,
                      "load": payload["load"]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
