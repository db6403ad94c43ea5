"""Benchmark: a scanned page read by gknb ÷ one plain full-page RapidOCR call on the same page image (CPU).

The scan is the OCR test's (``tests/pdf_fixtures.py``: a random 2021 report, HTML → LibreOffice PDF,
rasterised at 200 dpi, turned up to 1°, noise and dust), saved as an image-only PDF. Per page and
round, interleaved: gknb's reading of the page (``ocr.read_pdf_page``: rendering at gknb's dpi, deskew,
rulings, cells, prose) and RapidOCR 3 with its default settings and models on the page rendered at the
same dpi (the image gknb reads; RapidOCR at the scan's own 200 dpi is given too). CPU is
``time.process_time`` of the call (every thread of the process), both engines loaded and warmed up
first. Cells exact (``gknb.read`` of the whole scan against the truth) and peak RSS each come from a
child process of their own that reads the scan: gknb, and the plain RapidOCR loop over its pages.

Page 1 of the scan is blank (LibreOffice's Writer/Web export starts with an empty page): by default
pages 2–4 are timed, the two pages with most table cells among them.

    python bench/bench_ocr.py [--first 2] [--pages 3] [--rounds 2] [--out bench/out/bench_ocr.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

FIGURE = "scanned page: gknb ÷ one plain full-page RapidOCR call, cells exact"
TODAY = "~1.2"
TARGET = 0.5


def _scan() -> tuple[bytes, dict]:
    """The test scan as an image-only PDF, and its truth."""
    from pdf_fixtures import pdf_case, scan_images

    case = pdf_case("2021", "web")
    images = scan_images(case.path, seed=3)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue(), case.truth


def _plain_engine():
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error"})


def _render(page, dpi: float):
    import numpy as np

    return np.asarray(page.render(scale=dpi / 72).to_pil().convert("RGB"))


def _cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def _peak_mb() -> float:
    """This process's peak RSS (``VmHWM``: ``ru_maxrss`` would keep the parent's across ``exec``)."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child(route: str, scan: Path, pages: int) -> None:
    """One route over the scan in this process, printing its peak RSS (and gknb's cells as read)."""
    import pypdfium2 as pdfium

    from gknb.ingest import ocr

    raw = scan.read_bytes()
    result: dict = {}
    if route == "gknb":
        import gknb

        report = gknb.read(raw, name="scan.pdf")
        result["cells"] = {k: None if v is None else str(v) for k, v in report.cells.items()}
    else:
        engine = _plain_engine()
        pdf = pdfium.PdfDocument(raw)
        for index in range(min(pages, len(pdf))):  # every page, as gknb.read
            engine(_render(pdf[index], ocr.RENDER_DPI))
        pdf.close()
    result["peak_rss_mb"] = _peak_mb()
    print(json.dumps(result))


def _in_child(route: str, scan: Path, pages: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", route, "--scan", str(scan), "--pages", str(pages)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=2, help="the first page read (page 1 of the scan is blank)")
    parser.add_argument("--pages", type=int, default=3, help="how many pages are read from --first on")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "bench_ocr.json")
    parser.add_argument("--child", choices=("gknb", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--scan", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.scan, args.pages)
        return

    import numpy as np
    import pypdfium2 as pdfium

    from gknb.ingest import ocr
    from layouts import same_value

    load_before = os.getloadavg()[0]
    raw, truth = _scan()
    scan = args.out.parent / "bench_ocr_scan.pdf"
    scan.parent.mkdir(parents=True, exist_ok=True)
    scan.write_bytes(raw)
    plain = _plain_engine()
    pdf = pdfium.PdfDocument(raw)
    pages = list(range(args.first - 1, min(args.first - 1 + args.pages, len(pdf))))
    warm = np.full((200, 600, 3), 255, np.uint8)
    warm[90:110, 50:550] = 0
    plain(warm)
    ocr.read_pdf_page(pdf[pages[0]], 1)  # gknb's models loaded, its first page read once
    images = {i: _render(pdf[i], ocr.RENDER_DPI) for i in pages}
    images_200 = {i: _render(pdf[i], 200) for i in pages}
    cpu = {"gknb": 0.0, "plain": 0.0, "plain_200dpi": 0.0}
    per_page = []
    for _ in range(args.rounds):
        for i in pages:
            seconds = {"gknb": _cpu(lambda i=i: ocr.read_pdf_page(pdf[i], i + 1)),
                       "plain": _cpu(lambda i=i: plain(images[i])),
                       "plain_200dpi": _cpu(lambda i=i: plain(images_200[i]))}
            for route, s in seconds.items():
                cpu[route] += s
            per_page.append({"page": i + 1, **{k: round(v, 2) for k, v in seconds.items()}})
            print(json.dumps(per_page[-1]), file=sys.stderr, flush=True)
    pdf_pages = len(pdf)
    pdf.close()
    gknb_child = _in_child("gknb", scan, 0)
    plain_child = _in_child("plain", scan, pdf_pages)
    scan.unlink()
    load_after = os.getloadavg()[0]
    ratio = round(cpu["gknb"] / cpu["plain"], 3)
    read = gknb_child["cells"]
    right = sum(same_value(read.get(k), v) for k, v in truth.items())
    exact = right == len(truth)
    n = len(pages) * args.rounds
    payload = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "python": platform.python_version()},
        "load": [round(load_before, 2), round(load_after, 2)],
        "targets": [{
            "figure": FIGURE, "today": TODAY, "target": f"≤ {TARGET}", "measured": ratio,
            "met": ratio <= TARGET and exact,
            "how": f"CPU (process_time) of gknb's page reading ÷ RapidOCR's default call on the same {ocr.RENDER_DPI:g}-dpi "
                   f"page image, pages {args.first}–{pages[-1] + 1} × {args.rounds} interleaved rounds; cells exact "
                   f"{right}/{len(truth)} (the whole 5-page scan)",
        }],
        "cpu_s_per_page": {k: round(v / n, 2) for k, v in cpu.items()},
        "ratio_vs_plain_200dpi": round(cpu["gknb"] / cpu["plain_200dpi"], 3),
        "cells_exact": f"{right}/{len(truth)} (the whole 5-page scan)",
        "peak_rss_mb": {"gknb (gknb.read of the scan)": gknb_child["peak_rss_mb"],
                        "plain (RapidOCR over the pages)": plain_child["peak_rss_mb"]},
        "per_page": per_page,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(payload, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
