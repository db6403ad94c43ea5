"""Benchmark: reports/s and pages/s per medium through ``gknb.read``, on 1 … N processes, with peak memory.

Media (``bench/corpus.py``): text, HTML, DOCX, text PDF, scanned PDF (OCR). For each medium and each
process count N, N worker processes are each pinned to a CPU of their own, read one warm-up document
(the OCR models load on a small image), wait for one another, then read their share of the corpus
(round robin) ``--repeat`` times. Rate = documents / (last worker's end − first worker's start);
scaling = rate at N / rate at 1. Per CPU-second: documents / the workers' CPU time (the figure a
busy shared machine disturbs least). Memory = each worker's peak resident set (``VmHWM``), warm-up,
imports and models included. Cells exact = parsed cells equal to the generated truth.

    python bench/bench_throughput.py [--jobs 1,2] [--media text,html,docx,pdf,scan] [--scan 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gknb  # noqa: E402
from corpus import ROOT, Doc, corpus  # noqa: E402
from layouts import same_value  # noqa: E402

MEDIA = ("text", "html", "docx", "pdf", "scan")
TARGETS = {"text": ("reports_per_s", 200.0), "pdf": ("pages_per_s", 20.0)}  # per core


def _warm_image(doc: Doc) -> bytes:
    """The top of a scan's first page as PNG: enough for the OCR models to load and run once."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(doc.raw)
    image = pdf[0].render(scale=200 / 72, grayscale=True).to_pil()
    pdf.close()
    out = io.BytesIO()
    image.crop((0, 0, image.width, image.height // 4)).save(out, format="PNG")
    return out.getvalue()


def _worker(cpu: int | None, docs: list[Doc], warm: tuple[bytes, str], repeat: int, barrier: Any,
            results: Any) -> None:
    """One process: warm up, wait for the others, read ``docs`` ``repeat`` times, report."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    with contextlib.suppress(gknb.errors.GknbError):  # an image with no report in it still loads the models
        gknb.read(warm[0], name=warm[1])
    barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()
    reports = pages = exact = cells = failures = 0
    for _ in range(repeat):
        for doc in docs:
            try:
                report = gknb.read(doc.raw, name=doc.name)
            except gknb.errors.GknbError:
                failures += 1
                continue
            reports += 1
            pages += doc.pages
            exact += sum(same_value(report.cells.get(k), v) for k, v in doc.truth.items())
            cells += len(doc.truth)
    end, cpu = time.perf_counter(), time.process_time() - cpu
    results.put({"start": start, "end": end, "cpu": cpu, "reports": reports, "pages": pages, "exact": exact, "cells": cells,
                 "failures": failures, "peak_rss_mb": peak_rss_mb()})


def peak_rss_mb() -> float:
    """This process's peak resident set: ``VmHWM`` on Linux (``ru_maxrss`` would include the parent's
    peak before the spawn's exec), else ``getrusage``."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(docs: list[Doc], jobs: int, repeat: int, warm: tuple[bytes, str]) -> dict[str, Any]:
    """Read ``docs`` ``repeat`` times with ``jobs`` pinned processes; rates, cells exact and memory."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(jobs), context.Queue()
    processes = [context.Process(target=_worker, args=(cpus[i % len(cpus)] if cpus else None, docs[i::jobs], warm,
                                                        repeat, barrier, results)) for i in range(jobs)]
    for process in processes:
        process.start()
    done = [results.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = max(d["end"] for d in done) - min(d["start"] for d in done)
    reports, pages = sum(d["reports"] for d in done), sum(d["pages"] for d in done)
    cpu = sum(d["cpu"] for d in done)
    return {"jobs": jobs, "reports": reports, "pages": pages, "seconds": round(seconds, 4),
            "reports_per_s": round(reports / seconds, 3), "pages_per_s": round(pages / seconds, 3),
            "reports_per_cpu_s": round(reports / cpu, 3), "pages_per_cpu_s": round(pages / cpu, 3),
            "cells_exact": f"{sum(d['exact'] for d in done)}/{sum(d['cells'] for d in done)}",
            "failures": sum(d["failures"] for d in done),
            "peak_rss_mb_per_worker": round(max(d["peak_rss_mb"] for d in done), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1,2", help="process counts, e.g. 1,2")
    parser.add_argument("--media", default=",".join(MEDIA))
    parser.add_argument("--text", type=int, default=280, help="text reports (7 layouts × both formats)")
    parser.add_argument("--html", type=int, default=60)
    parser.add_argument("--docx", type=int, default=60)
    parser.add_argument("--pdf", type=int, default=16, help="text PDFs (half official layout, half web)")
    parser.add_argument("--scan", type=int, default=2, help="scanned PDFs (OCR, ~10 s a page)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus (scans: 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "throughput.json")
    args = parser.parse_args()
    media = [m for m in args.media.split(",") if m]
    jobs = [int(j) for j in args.jobs.split(",")]
    sizes = {m: getattr(args, m) for m in media}
    docs = corpus(sizes, args.seed)
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    for medium in media:
        warm = (_warm_image(docs[medium][0]), "warm.png") if medium == "scan" else (docs[medium][0].raw,
                                                                                  docs[medium][0].name)
        runs = [measure(docs[medium], n, 1 if medium == "scan" else args.repeat, warm) for n in jobs]
        for run in runs:  # the same documents each time: the ratio of the times
            run["scaling"] = round(runs[0]["seconds"] / run["seconds"], 2)
        results[medium] = {"documents": len(docs[medium]), "pages": sum(d.pages for d in docs[medium]), "runs": runs}
        if medium in TARGETS and runs[0]["jobs"] == 1:
            metric, target = TARGETS[medium]
            results[medium]["target"] = {metric: target, "met": runs[0][metric] >= target}
        print(f"{medium:5} " + "  ".join(f"N={r['jobs']}: {r['reports_per_s']:.2f} reports/s {r['pages_per_s']:.2f} "
                                         f"pages/s ×{r['scaling']} {r['peak_rss_mb_per_worker']} MB "
                                         f"cells {r['cells_exact']}" for r in runs), flush=True)
    payload = {"gknb": gknb.__version__, "python": platform.python_version(),
               "machine": f"{platform.machine()} {os.cpu_count()} CPUs", "seed": args.seed,
               "loadavg_before": [round(x, 2) for x in load_before],
               "loadavg_after": [round(x, 2) for x in os.getloadavg()], "media": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
