"""Benchmark: reports per CPU-second through ``gknb.read`` (ingest + parse + check) on one core.

The corpus is generated: random reports rendered in every layout of ``tests/layouts.py`` when the
test suite provides it, otherwise the bundled samples with their numbers perturbed. Each report is
read from bytes (no disk I/O in the timing), in one process, after a warm-up pass. Each read is timed
in CPU time (``time.process_time``), not wall clock: on a shared machine the wall clock also counts
the time other processes held the core.

    python bench/bench_parse.py [--per-layout 100] [--seed 1] [--out bench/out/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

import gknb
from gknb.formats import FORMATS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchinfo import load, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET = 200.0  # reports per second per core


@dataclass
class Case:
    """One generated report: its layout, its text and (when known) the cells it was rendered from."""

    layout: str
    text: str
    name: str = "bench.txt"  # the file name handed to gknb.read (its suffix tells the medium)
    truth: dict[str, object] | None = None


@dataclass
class LayoutResult:
    reports: int = 0
    seconds: float = 0.0
    failures: int = 0
    exact: int = 0  # reports whose parsed cells equal the generated ones
    compared: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.reports / self.seconds if self.seconds else 0.0


def corpus_from_layouts(per_layout: int, rnd: random.Random) -> list[Case] | None:
    """Random reports in every layout of the test suite's generator, or None if it is absent."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import layouts
    except ImportError:
        return None
    finally:
        sys.path.pop(0)
    cases = []
    for fmt in FORMATS.values():
        for layout in layouts.LAYOUTS:
            for _ in range(per_layout):
                cells = layouts.random_report(fmt, rnd)
                text = layouts.render(fmt, cells, layout, rnd)
                cases.append(Case(f"{fmt.version}/{layout}", text, layouts.file_name(layout), dict(cells)))
    return cases


def corpus_from_samples(per_layout: int, rnd: random.Random) -> list[Case]:
    """The bundled samples, each copied ``per_layout`` times with every table number replaced."""
    cases = []
    for path in sorted((Path(gknb.__file__).parent / "samples").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for _ in range(per_layout):
            perturbed = "\n".join(
                re.sub(r"(?<=\t)\d+(?=\t|$)", lambda _m: str(rnd.randint(0, 60)), line) if "\t" in line else line
                for line in text.splitlines()
            )
            cases.append(Case(f"sample/{path.stem}", perturbed))
    return cases


def pin_to_one_core() -> str:
    """Pin the process to one CPU where the OS allows it; say which."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    return "not pinned"


def run(cases: list[Case], warmup: int) -> dict[str, LayoutResult]:
    """CPU time of ``gknb.read`` over every case, per layout, after ``warmup`` untimed reads."""
    for case in cases[:warmup]:
        _read(case)
    results: dict[str, LayoutResult] = {}
    for case in cases:
        result = results.setdefault(case.layout, LayoutResult())
        start = time.process_time()
        report = _read(case)
        result.seconds += time.process_time() - start
        result.reports += 1
        if isinstance(report, str):
            result.failures += 1
            if len(result.errors) < 3:
                result.errors.append(report)
        elif case.truth is not None:
            result.compared += 1
            result.exact += all(report.cells.get(k) == v for k, v in case.truth.items())
    return results


def _read(case: Case) -> gknb.Report | str:
    try:
        return gknb.read(case.text.encode("utf-8"), name=case.name)
    except Exception as error:  # a failure is counted and shown, the run goes on
        return f"{type(error).__name__}: {error}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-layout", type=int, default=100, help="reports generated per layout")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=50, help="untimed reads before timing")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "results.json")
    args = parser.parse_args()

    rnd = random.Random(args.seed)
    cases = corpus_from_layouts(args.per_layout, rnd)
    source = "tests/layouts.py"
    if cases is None:
        cases, source = corpus_from_samples(args.per_layout, rnd), "samples (perturbed)"
    rnd.shuffle(cases)  # interleave layouts so no layout benefits from a warm cache alone
    pinned = pin_to_one_core()
    load_before = load()
    results = run(cases, args.warmup)
    load_after = load()

    total_reports = sum(r.reports for r in results.values())
    total_seconds = sum(r.seconds for r in results.values())
    overall = total_reports / total_seconds if total_seconds else 0.0
    mean_of_layouts = sum(r.rate for r in results.values()) / len(results) if results else 0.0

    table = Table(title=f"gknb {gknb.__version__} · ingest+parse+check · CPU time, one core ({pinned}) · corpus: {source}")
    for header in ("layout", "reports", "reports/CPU-s", "CPU ms/report", "failed", "cells exact"):
        table.add_column(header, justify="left" if header == "layout" else "right")
    for name, r in sorted(results.items()):
        exact = f"{r.exact}/{r.compared}" if r.compared else "—"
        table.add_row(name, str(r.reports), f"{r.rate:.0f}", f"{1000 / r.rate:.2f}" if r.rate else "—",
                      str(r.failures), exact)
    table.add_section()
    table.add_row("all", str(total_reports), f"{overall:.0f}",
                  f"{1000 / overall:.2f}" if overall else "—", str(sum(r.failures for r in results.values())), "")
    console = Console()
    console.print(table)
    verdict = "meets" if overall >= TARGET else "misses"
    console.print(f"{overall:.0f} reports per CPU-second overall (mean over layouts {mean_of_layouts:.0f}): "
                  f"{verdict} the target of {TARGET:.0f}/s/core; load {load_before:.1f} → {load_after:.1f}.")
    for name, r in sorted(results.items()):
        for error in r.errors:
            console.print(f"[yellow]{name}[/]: {error}", markup=True, highlight=False)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "gknb": gknb.__version__,
        "python": platform.python_version(),
        "machine": machine(),
        "load": [round(load_before, 2), round(load_after, 2)],
        "timing": "CPU time (time.process_time) of each read",
        "pinned": pinned,
        "corpus": source,
        "seed": args.seed,
        "warmup": args.warmup,
        "reports": total_reports,
        "seconds": round(total_seconds, 4),
        "reports_per_second": round(overall, 1),
        "mean_reports_per_second_over_layouts": round(mean_of_layouts, 1),
        "target_reports_per_second": TARGET,
        "layouts": {
            name: {"reports": r.reports, "seconds": round(r.seconds, 4), "reports_per_second": round(r.rate, 1),
                   "failures": r.failures, "cells_exact": r.exact if r.compared else None}
            for name, r in sorted(results.items())
        },
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
