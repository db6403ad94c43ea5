"""Benchmark: gknb's reading cost as ratios to simpler routes over the same files, measured side by side.

Two figures of issue 15, both as CPU time (``time.process_time``) in one pinned process, the two routes
of a figure timed in alternating rounds (gknb first in odd rounds, second in even ones) after one untimed
warm-up pass each, so that load on a shared machine falls on both alike:

* **text report**: ``gknb.read`` (read, parse, check) ÷ the regex route on the same clean text reports
  (``bench/corpus.py``'s seven text layouts, both formats). The regex route is govnianbao's method
  (the peer parser issue 15 names; it is not on PyPI, so it is re-stated here from its description, not
  copied): line breaks and ideographic spaces normalised; the six sections cut where their official
  headings match, any whitespace allowed between a heading's characters; each table's numbers found in
  its section by one regular expression in print order (thousands commas dropped; in section 三
  page-number lines dropped and line-leading ``1.``/``2、`` removed) and poured row by row into the
  format's cells as floats; the format told by one keyword. It has no findings and gets about 29 % of
  the cells right (reported beside the ratio), as issue 15 found govnianbao itself does.
* **text PDF page**: ``gknb.read`` ÷ a per-character box extraction through the same API (pypdfium2:
  open the document, and on every page its text page, each character's Unicode and box), on the text
  PDFs of ``bench/corpus.py`` (half official layout, half web).

    python bench/bench_ratios.py [--text 280] [--pdf 16] [--rounds 5]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as pdfium_c  # noqa: E402
from benchinfo import load, machine, target  # noqa: E402

import gknb  # noqa: E402
from corpus import ROOT, Doc, corpus  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.formats.common import SECTIONS  # noqa: E402
from layouts import same_value  # noqa: E402

OUT = ROOT / "bench" / "out" / "bench_ratios.json"
TEXT_FIGURE = "text report: gknb.read ÷ govnianbao, same clean files"
PDF_FIGURE = "text PDF page: gknb.read ÷ pypdfium2 char-box extraction"

# ---------------------------------------------------------------------------------------------------
# The regex route (govnianbao's method)
# ---------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_PAGE_NUMBER = re.compile(r"^\s*-\s*\d+\s*-\s*$")
_ENUMERATOR = re.compile(r"^[ \t]*\d+[\.、]")
_KEYWORD_2021 = "本年制发件数"  # the 2021 format's first column of section 二; the 2019 format prints 本年新制作数量


def _relaxed(title: str) -> re.Pattern[str]:
    """A section heading at a line's start, any whitespace allowed between its characters."""
    return re.compile(r"(?:^|\n)\s*" + r"\s*".join(map(re.escape, title)), re.MULTILINE)


_HEADINGS = tuple(_relaxed(f"{s.number}、{s.title}") for s in SECTIONS)


def regex_route(raw: bytes) -> dict[str, Any]:
    """govnianbao's method: the six sections cut at their official headings; each table's numbers of
    its section, in print order, poured into the format's cells (nested as table → row → column)."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    starts = [m.start() if (m := heading.search(text)) else None for heading in _HEADINGS]
    sections: dict[str, str] = {}
    for i, (section, start) in enumerate(zip(SECTIONS, starts, strict=True)):
        later = [p for p in starts[i + 1:] if p is not None and start is not None and p > start]
        sections[section.key] = "" if start is None else text[start:min(later, default=len(text))].strip()
    fmt = FORMATS["2021" if _KEYWORD_2021 in text else "2019"]
    tables: dict[str, dict[str, dict[str, float | None]]] = {}
    for table in fmt.tables:
        body = sections[table.section]
        if table.key == "requests":  # page-number lines dropped, line-leading enumerators removed
            body = "\n".join(_ENUMERATOR.sub("", line) for line in body.splitlines() if not _PAGE_NUMBER.match(line))
        numbers = iter(_NUMBER.findall(body.replace(",", "")))
        rows: dict[str, dict[str, float | None]] = {}
        for block in table.blocks:
            for row in block.rows:
                rows[row.key] = {col.key: float(n) if (n := next(numbers, None)) is not None else None
                                 for col in block.columns}
        tables[table.key] = rows
    return {"sections": sections, "tables": tables}


def regex_cells(result: dict[str, Any]) -> dict[str, int | Decimal | None]:
    """The regex route's tables as gknb's cell keys and values, for scoring."""
    return {f"{t}.{r}.{c}": (None if v is None else Decimal(repr(v)).normalize() if v % 1 else int(v))
            for t, rows in result["tables"].items() for r, cols in rows.items() for c, v in cols.items()}


# ---------------------------------------------------------------------------------------------------
# The per-character box extraction through pypdfium2
# ---------------------------------------------------------------------------------------------------


def char_boxes(raw: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every character of every page with its box, one pdfium call for each."""
    pdf = pdfium.PdfDocument(raw)
    try:
        out = []
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            tp = textpage.raw
            for i in range(pdfium_c.FPDFText_CountChars(tp)):
                code = pdfium_c.FPDFText_GetUnicode(tp, i)
                pdfium_c.FPDFText_GetCharBox(tp, i, *refs)
                out.append((chr(code), left.value, right.value, bottom.value, top.value))
            textpage.close()
            page.close()
        return out
    finally:
        pdf.close()


# ---------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------


def _gknb(doc: Doc) -> gknb.Report:
    return gknb.read(doc.raw, name=doc.name)


def side_by_side(docs: list[Doc], ours: Callable[[Doc], Any], theirs: Callable[[Doc], Any],
                 rounds: int) -> tuple[float, float]:
    """CPU seconds of each route over ``docs`` × ``rounds``, in alternating rounds after a warm-up pass."""
    for doc in docs:
        ours(doc)
        theirs(doc)
    spent = [0.0, 0.0]
    for r in range(rounds):
        order = ((0, ours), (1, theirs)) if r % 2 == 0 else ((1, theirs), (0, ours))
        for slot, route in order:
            start = time.process_time()
            for doc in docs:
                route(doc)
            spent[slot] += time.process_time() - start
    return spent[0], spent[1]


def _right(cells: dict[str, Any], doc: Doc) -> int:
    return sum(same_value(cells.get(k), v) for k, v in doc.truth.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=280, help="text reports (7 layouts, both formats)")
    parser.add_argument("--pdf", type=int, default=16, help="text PDFs (half official layout, half web)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    media = corpus({"text": args.text, "pdf": args.pdf}, args.seed)  # cached: made before the timing
    texts, pdfs = media["text"], media["pdf"]
    load_before = load()

    gk_text, rx_text = side_by_side(texts, _gknb, lambda d: regex_route(d.raw), args.rounds)
    gk_pdf, px_pdf = side_by_side(pdfs, _gknb, lambda d: char_boxes(d.raw), args.rounds)

    load_after = load()
    cells = sum(len(d.truth) for d in texts)
    right_gknb = sum(_right(_gknb(d).cells, d) for d in texts)
    right_regex = sum(_right(regex_cells(regex_route(d.raw)), d) for d in texts)
    pages = sum(d.pages for d in pdfs)
    n_text, n_pages = len(texts) * args.rounds, pages * args.rounds
    text_ratio, pdf_ratio = gk_text / rx_text, gk_pdf / px_pdf
    payload = {
        "machine": machine() | {"pypdfium2": pdfium.PYPDFIUM_INFO.version},
        "load": [round(load_before, 2), round(load_after, 2)],
        "targets": [
            target(TEXT_FIGURE, "6.0", 1.5, text_ratio,
                   f"CPU time, {len(texts)} text reports × {args.rounds} alternating rounds; the regex route "
                   "re-states govnianbao's method (not on PyPI)"),
            target(PDF_FIGURE, "3.1", 2.0, pdf_ratio,
                   f"CPU time, {len(pdfs)} text PDFs ({pages} pages) × {args.rounds} alternating rounds"),
        ],
        "text": {"reports": len(texts), "rounds": args.rounds,
                 "gknb_ms_per_report": round(1000 * gk_text / n_text, 3),
                 "regex_ms_per_report": round(1000 * rx_text / n_text, 3),
                 "cells": cells, "cells_right_gknb": right_gknb, "cells_right_regex": right_regex},
        "pdf": {"documents": len(pdfs), "pages": pages, "rounds": args.rounds,
                "gknb_ms_per_page": round(1000 * gk_pdf / n_pages, 3),
                "char_boxes_ms_per_page": round(1000 * px_pdf / n_pages, 3)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(payload, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
