"""Benchmark: pages per second per medium on one core (ingest only), and cell fidelity through ``gknb.read``.

Fixtures are made as in the tests (``tests/pdf_fixtures.py``: random reports → HTML → LibreOffice, and
``gknb.render``'s official layout; scans rasterised with noise and a slight turn). Measured routes:

* ``pdf``      gknb's reader (pypdfium2 characters + rulings → grids); cells compared with the truth
* ``pypdfium2-text``  pypdfium2's plain text extraction (no tables), for speed comparison
* ``pdfplumber-tables``  the naive route, pdfplumber ``extract_tables`` + ``extract_text`` (when
  pdfplumber is installed): its speed, and how many table fragments it returns (one per page piece:
  tables are not joined across pages and merged cells come back as repeated ``None``s)
* ``ocr``      scanned PDF pages through RapidOCR (when the ``ocr`` extra is installed)

    python bench/bench_media.py [--repeat 5] [--ocr-reports 1] [--out bench/out/media.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pypdfium2 as pdfium  # noqa: E402

import gknb  # noqa: E402
from corpus import page_count  # noqa: E402
from gknb.ingest import ocr  # noqa: E402
from gknb.ingest.pdf import read_pdf  # noqa: E402
from layouts import same_value  # noqa: E402
from pdf_fixtures import pdf_cases, scan_images  # noqa: E402

TARGET = 20.0  # text PDF pages per second per core


def _rate(fn, items: list[bytes], repeat: int) -> float:
    """Pages per second of ``fn`` over ``items`` (after one warm-up pass)."""
    for raw in items:
        fn(raw)
    pages = sum(page_count(raw) for raw in items) * repeat
    start = time.perf_counter()
    for _ in range(repeat):
        for raw in items:
            fn(raw)
    return pages / (time.perf_counter() - start)


def _pypdfium2_text(raw: bytes) -> str:
    pdf = pdfium.PdfDocument(raw)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def _pdfplumber_tables(raw: bytes) -> list:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        return [(page.extract_tables(), page.extract_text()) for page in pdf.pages]


def _fidelity(raw: bytes, truth: dict, name: str) -> tuple[int, int]:
    report = gknb.read(raw, name=name)
    return sum(same_value(report.cells.get(k), v) for k, v in truth.items()), len(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ocr-reports", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "media.json")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, OCR threads included

    cases = [c for c in pdf_cases() if c.variant != "borderless"]
    raws = [c.path.read_bytes() for c in cases]
    results: dict[str, dict] = {}
    exact, total = 0, 0
    for case, raw in zip(cases, raws, strict=True):
        ok, n = _fidelity(raw, case.truth, "x.pdf")
        exact, total = exact + ok, total + n
    results["pdf"] = {"pages_per_s": round(_rate(lambda r: read_pdf(r, "x.pdf"), raws, args.repeat), 1),
                      "cells_exact": f"{exact}/{total}", "documents": len(raws),
                      "pages": sum(page_count(r) for r in raws)}
    results["pypdfium2-text"] = {"pages_per_s": round(_rate(_pypdfium2_text, raws, args.repeat), 1)}
    try:
        import pdfplumber  # noqa: F401
    except ImportError:
        results["pdfplumber-tables"] = {"skipped": "pdfplumber not installed"}
    else:
        found = sum(len(t) for raw in raws for t, _ in _pdfplumber_tables(raw))
        results["pdfplumber-tables"] = {"pages_per_s": round(_rate(_pdfplumber_tables, raws, 1), 1),
                                        "table_fragments": found}
    if ocr.available() and args.ocr_reports:
        scans, truths = [], []
        for case in [c for c in cases if c.variant == "web"][: args.ocr_reports]:
            images = scan_images(case.path, seed=1)
            out = io.BytesIO()
            images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
            scans.append(out.getvalue())
            truths.append(case.truth)
        start = time.perf_counter()
        exact, total = 0, 0
        for raw, truth in zip(scans, truths, strict=True):
            ok, n = _fidelity(raw, truth, "scan.pdf")
            exact, total = exact + ok, total + n
        seconds = time.perf_counter() - start
        pages = sum(page_count(r) for r in scans)
        results["ocr"] = {"pages_per_s": round(pages / seconds, 3), "seconds_per_page": round(seconds / pages, 1),
                          "cells_exact": f"{exact}/{total}", "pages": pages}
    else:
        results["ocr"] = {"skipped": "OCR extra not installed"}
    payload = {"machine": platform.processor() or platform.machine(), "python": platform.python_version(),
               "target_pdf_pages_per_s": TARGET, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(payload, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
