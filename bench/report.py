"""The tables of docs/performance.md, as Markdown, from the results the benchmarks wrote in bench/out/.

First issue 15's Targets table: one line per target of every ``bench/out/*.json`` that has a
``targets`` list (the shape ``bench/benchinfo.py`` describes), with the machine and the load it was
measured under; then the tables per medium, against the naive route, and of the store.

    python bench/report.py [--store bench/out/store.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
NAMES = {"text": "text (7 layouts)", "html": "HTML page", "docx": "DOCX", "pdf": "text PDF", "scan": "scanned PDF (OCR)"}


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def targets(out: Path) -> list[str]:
    """The Targets table over every result file in ``out`` that lists targets, and where each was measured."""
    lines = ["| figure | today | target | measured | met | how | benchmark, load |", "|---|---|---|---|---|---|---|"]
    machines: dict[str, list[str]] = {}
    for path in sorted(out.glob("*.json")):
        data = _load(path)
        if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
            continue
        load = data.get("load") or []
        where = f"`{path.name}`" + (f", load {load[0]:.1f} → {load[-1]:.1f}" if load else "")
        for t in data["targets"]:
            measured = t.get("measured")
            shown = f"{measured:g}" if isinstance(measured, int | float) else str(measured)
            lines.append(f"| {t.get('figure', '?')} | {t.get('today', '')} | {t.get('target', '')} | **{shown}** "
                         f"| {'yes' if t.get('met') else '**no**'} | {t.get('how', '')} | {where} |")
        m = data.get("machine") or {}
        described = ", ".join(str(m[k]) for k in ("cpu", "cores", "python") if k in m) if isinstance(m, dict) else str(m)
        machines.setdefault(described or "not stated", []).append(f"`{path.name}`")
    if len(lines) == 2:
        return []
    lines.append("")
    lines += [f"Machine ({', '.join(names)}): {described} (CPU, cores, Python)." for described, names in machines.items()]
    return lines


def throughput(data: dict[str, Any]) -> list[str]:
    lines = ["| medium | documents (pages) | 1 process: reports/s · pages/s | per CPU-second | "
             "2 processes: reports/s · pages/s | scaling | peak RSS / worker | cells exact |",
             "|---|---|---|---|---|---|---|---|"]
    for medium, result in data["media"].items():
        one, *more = result["runs"]
        two = more[-1] if more else None
        paged = medium in ("pdf", "scan")
        lines.append(
            f"| {NAMES.get(medium, medium)} | {result['documents']}" + (f" ({result['pages']})" if paged else "")
            + f" | {_rate(one, paged)} | {_rate(one, paged, '_cpu')} "
            f"| {_rate(two, paged) if two else '—'} | {'×' + str(two['scaling']) if two else '—'} "
            f"| {max(r['peak_rss_mb_per_worker'] for r in result['runs']):.0f} MB | {one['cells_exact']} |")
    return lines


def naive(data: dict[str, Any]) -> list[str]:
    gk, nv, ratios = data["routes"]["gknb"], data["routes"]["naive"], data["ratios"]
    lines = ["| route | pages/s | pages per CPU-second | cells right | silently wrong | documents all right |",
             "|---|---|---|---|---|---|"]
    for name, route in (("gknb (`gknb.read`)", gk), ("naive (pdfplumber `extract_tables` + labels)", nv)):
        lines.append(f"| {name} | {route['pages_per_s']} | {route['pages_per_cpu_s']} "
                     f"| {route['cells_right']}/{route['cells']} ({route['cells_right_share']:.2%}) "
                     f"| {route['cells_silently_wrong']} | {route['documents_all_right']} |")
    lines.append(f"| **ratio gknb : naive** | | **×{ratios['speed_gknb_over_naive']}** "
                 f"| **×{ratios['cells_right_gknb_over_naive']}** | | |")
    return lines


def store(data: dict[str, Any]) -> list[str]:
    lines = ["| reports in the store | " + " | ".join(data["results"]) + " |",
             "|---|" + "---|" * len(data["results"])]
    by_size: dict[int, list[str]] = {}
    for points in data["results"].values():
        for size in data["sizes"]:
            point = next((p for p in points if p["reports"] == size), None)
            by_size.setdefault(size, []).append(
                f"{point['reports_per_s']:.0f}/s ({point['reports_per_main_cpu_s']:.0f}/CPU-s), "
                f"{_size(point['db_mb'])}" if point else "—")
    lines += [f"| {size:,} | " + " | ".join(cells) + " |" for size, cells in by_size.items()]
    return lines


def _rate(run: dict[str, Any], paged: bool, per: str = "") -> str:
    reports = _num(run[f"reports_per{per}_s"])
    return f"{reports} · {_num(run[f'pages_per{per}_s'])}" if paged else reports


def _num(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _size(mb: float) -> str:
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throughput", type=Path, default=OUT / "throughput.json")
    parser.add_argument("--naive", type=Path, default=OUT / "naive.json")
    parser.add_argument("--store", type=Path, default=OUT / "store.json")
    args = parser.parse_args()
    table = targets(OUT)
    if table:
        print("### Targets (issue 15)\n\n" + "\n".join(table) + "\n")
    for title, path, table in (("Per medium", args.throughput, throughput), ("Naive route", args.naive, naive),
                               ("Store", args.store, store)):
        data = _load(path)
        if data is not None:
            print(f"### {title} ({path.name})\n\n" + "\n".join(table(data)) + "\n")


if __name__ == "__main__":
    main()
