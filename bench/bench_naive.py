"""Benchmark: gknb against the naive route on the same text PDFs — speed and cells right, as ratios.

The naive route is what one writes first: pdfplumber's ``extract_tables`` on every page, then each
row of the format (told the right format, which gknb has to detect) found by its printed label or a
declared variant among the extracted rows, in print order, and its values taken from the cells right
of the label (merged-away ``None`` cells skipped); section 四 is the first row holding its 15 numbers.
gknb: ``gknb.read`` (read, parse and check). Both on one core, after one warm-up pass each, timed in
alternating rounds (the routes' order turns from round to round); the speed ratio is of pages per
CPU-second. Correctness: every generated cell against the truth (``bench/corpus.py``:
half official layout, half web, three blank cells each); a wrong cell no finding names is silently wrong
(the naive route has no findings).

    pip install -e '.[bench]'    # pdfplumber
    python bench/bench_naive.py [--pdf 20] [--repeat 4]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchinfo import load, machine  # noqa: E402

import gknb  # noqa: E402
from corpus import ROOT, Doc, corpus  # noqa: E402
from gknb.formats import FORMATS, Format  # noqa: E402
from layouts import same_value  # noqa: E402

Cells = dict[str, int | Decimal | None]
ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])")


def norm(text: str | None) -> str:
    """A label for comparison: NFKC, no spaces, no leading enumerator (（三）, 二、, 1.)."""
    return ENUMERATOR.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")))


def number(text: str | None) -> int | Decimal | None:
    text = re.sub(r"\s+", "", text or "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if "." not in text else value


def naive(raw: bytes, fmt: Format) -> Cells:
    """The cells pdfplumber's tables and label matching give."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables() for row in table]
    cells: Cells = dict.fromkeys(fmt.cell_keys())
    cursor = 0
    for table in fmt.tables:
        for block in table.blocks:
            if block.layout is not None and block.layout.transposed:
                keys = [f"{table.key}.{row.key}.{col.key}" for row in block.rows for col in block.columns]
                for i in range(cursor, len(rows)):
                    values = [number(c) for c in rows[i] if c is not None]
                    if len(values) == len(keys) and all(v is not None for v in values):
                        cells.update(zip(keys, values, strict=True))
                        cursor = i + 1
                        break
                continue
            for row in block.rows:
                labels = {norm(x) for x in (row.label, *row.aliases)}
                for i in range(cursor, len(rows)):
                    at = next((j for j, c in enumerate(rows[i]) if c is not None and norm(c) in labels), None)
                    if at is None:
                        continue
                    values = [c for c in rows[i][at + 1:] if c is not None]
                    for col, text in zip(block.columns, values, strict=False):
                        cells[f"{table.key}.{row.key}.{col.key}"] = number(text)
                    cursor = i + 1
                    break
    return cells


def _format_of(doc: Doc) -> Format:
    return next(f for f in FORMATS.values() if set(doc.truth) == set(f.cell_keys()))


def _rates(routes: dict[str, Callable[[Doc], Any]], docs: list[Doc], repeat: int) -> dict[str, tuple[float, float]]:
    """Pages per second and per CPU-second of each route over ``docs``, in ``repeat`` rounds after a
    warm-up pass: every round times each route's pass, the routes' order turning from round to round,
    so that load on a shared machine falls on all of them alike."""
    for read in routes.values():
        for doc in docs:
            read(doc)
    wall = dict.fromkeys(routes, 0.0)
    cpu = dict.fromkeys(routes, 0.0)
    names = list(routes)
    for r in range(repeat):
        for name in names[r % len(names):] + names[: r % len(names)]:
            start, start_cpu = time.perf_counter(), time.process_time()
            for doc in docs:
                routes[name](doc)
            wall[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
    pages = repeat * sum(d.pages for d in docs)
    return {name: (pages / wall[name], pages / cpu[name]) for name in routes}


def _score(read: Callable[[Doc], tuple[Cells, set[str]]], docs: list[Doc]) -> dict[str, Any]:
    """Cells right, wrong cells no finding names (silently wrong), documents with every cell right."""
    right = total = silent = whole = 0
    for doc in docs:
        got, flagged = read(doc)
        wrong = [k for k, v in doc.truth.items() if not same_value(got.get(k), v)]
        right, total, whole = right + len(doc.truth) - len(wrong), total + len(doc.truth), whole + (not wrong)
        silent += sum(k not in flagged for k in wrong)
    return {"cells_right": right, "cells": total, "cells_right_share": round(right / total, 4),
            "cells_silently_wrong": silent, "documents_all_right": f"{whole}/{len(docs)}"}


def _gknb(doc: Doc) -> tuple[Cells, set[str]]:
    report = gknb.read(doc.raw, name=doc.name)
    return report.cells, {key for finding in report.findings for key in finding.cells}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=int, default=20, help="text PDFs (half official layout, half web)")
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "naive.json")
    args = parser.parse_args()
    try:
        import pdfplumber
    except ImportError:
        raise SystemExit("the naive route needs pdfplumber: pip install -e '.[bench]'") from None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    docs = corpus({"pdf": args.pdf}, args.seed)["pdf"]
    formats = {id(d): _format_of(d) for d in docs}
    reads = {"gknb": _gknb, "naive": lambda d: (naive(d.raw, formats[id(d)]), set())}
    load_before = load()
    rates = _rates(reads, docs, args.repeat)
    load_after = load()
    routes: dict[str, dict[str, Any]] = {
        name: {"pages_per_s": round(rates[name][0], 1), "pages_per_cpu_s": round(rates[name][1], 1)}
        | _score(read, docs) for name, read in reads.items()}
    gk, nv = routes["gknb"], routes["naive"]
    payload = {"pdfplumber": pdfplumber.__version__, "documents": len(docs), "pages": sum(d.pages for d in docs),
               "machine": machine(), "load": [round(load_before, 2), round(load_after, 2)],
               "timing": f"{args.repeat} rounds, the routes' order alternating; pages per CPU-second "
                         "(time.process_time) for the ratio", "routes": routes,
               "ratios": {"speed_gknb_over_naive": round(gk["pages_per_cpu_s"] / nv["pages_per_cpu_s"], 2),
                          "cells_right_gknb_over_naive": round(gk["cells_right"] / max(nv["cells_right"], 1), 3),
                          "cells_wrong_naive_over_gknb": round((nv["cells"] - nv["cells_right"])
                                                               / max(gk["cells"] - gk["cells_right"], 1), 1)}}
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
