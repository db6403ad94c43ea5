"""Accuracy per medium and converter: every cell gknb reads, compared with the truth → docs/accuracy.md.

Originals are the project's own rendered reports (``tests/converters.py``: both formats, five blank
cells each, DOCX / HTML / PDF / narrow-label PDF, and the same report as agencies' own Word files
differ — ``*-varied``: headers merged otherwise, notes rows, table 四 as two tables, landscape, other
fonts and sizes — with its web page printed by chromium); each is read by gknb as it is and through every
real converter that reads its medium (markitdown, pdftotext ±-layout, pdf2txt.py, LibreOffice's
text export and its re-saves as DOCX, DOC and web page, html2text, inscriptis, and a browser's copied
text: chromium's ``innerText`` by Playwright). Real reports with truth files (``--real``, e.g.
../shared/corpus/real) add one row each, and one more per converter that reads their medium (the
WPS PDF through markitdown, pdftotext ±-layout, pdf2txt.py). The real reports the tests hold truth
for (``tests/expected``: the bundled sample reports and the corpus's web-page fragments) add one row
per kind. A cell is *silently wrong* when it differs from the truth and no finding names it.

    python bench/accuracy.py [--seeds 3] [--first-seed 1] [--media pdf,pdf-varied] [--converters pdf2txt,pypdf]
                             [--real ../shared/corpus/real] [--no-expected] [--work bench/out/accuracy]
                             [--out docs/accuracy.md]

Seeds after 3 print their numbers as real reports do (``converters.STYLES``: thousands separators,
zero-heavy tables, dashes for blank cells). A section ``## Wider runs`` of the file written to is
kept when the table is made again (the figures of runs with more seeds, written by hand).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gknb  # noqa: E402
from converters import (  # noqa: E402
    CONVERTERS,
    MEDIA,
    Score,
    convert,
    convert_file,
    make_originals,
    medium_of,
    read_and_score,
    row_pattern,
    score,
    wrong_lines,
)

WIDER = "## Wider runs"  # a section of the output kept when it is made again
EXPECTED = ROOT / "tests" / "expected"  # hand-made truth of real reports (tests/expected/README.md)
EXPECTED_SOURCES = (("real text report (samples)", Path(gknb.__file__).parent / "samples"),
                    ("real web-page fragment (tests/corpus)", ROOT / "tests" / "corpus"))
REAL_MEDIA = {".pdf": "real PDF", ".md": "real Markdown copy", ".txt": "real text copy", ".html": "real HTML",
              ".docx": "real DOCX"}


def _versions() -> str:
    """The converters' versions, as the table's footnote."""
    out = []
    for package in ("markitdown", "pdfminer.six", "html2text", "inscriptis", "playwright", "pypdf", "pdfplumber", "pypdfium2",
                    "pypandoc-binary", "mammoth"):
        try:
            out.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            out.append(f"{package} (not installed)")
    for argv in (["pdftotext", "-v"], ["soffice", "--version"], ["chromium", "--version"]):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            first = (done.stdout or done.stderr).strip().splitlines()[0]
            out.append(first.replace("pdftotext version", "pdftotext (poppler)"))
        except (OSError, IndexError, subprocess.TimeoutExpired):
            out.append(f"{argv[0]} (not installed)")
    return ", ".join(out)


def _row(name: str, scores: list[Score]) -> str:
    cells = sum(s.cells for s in scores)
    exact = sum(s.exact for s in scores)
    silent = sum(len(s.silent) for s in scores)
    files_exact = sum(not s.wrong for s in scores)
    pct = f"{100 * exact / cells:.1f} %" if cells else "–"

    def share(values: list[bool | None]) -> str:
        known = [v for v in values if v is not None]
        return f"{sum(known)}/{len(known)}" if known else "–"

    blank_only = sum(len(s.blank_only) for s in scores)
    return (f"| {name} | {len(scores)} | {cells} | {pct} | {silent} | {blank_only} | {files_exact}/{len(scores)} "
            f"| {share([s.agency_right for s in scores])} | {share([s.year_right for s in scores])} |")


def _options(a: argparse.Namespace, media: list[str], converters: list) -> str:
    """The options of this run that choose what was read (not where files went), as the table's footnote."""
    out = [f"--seeds {a.seeds}"] + ([f"--first-seed {a.first_seed}"] if a.first_seed != 1 else [])
    if media != list(MEDIA):
        out.append(f"--media {','.join(media)}")
    if len(converters) != len(CONVERTERS):
        out.append(f"--converters {','.join(c.name for c in converters) or 'none'}")
    return " ".join(out + (["--no-expected"] if a.no_expected else []))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="reports per format version")
    ap.add_argument("--first-seed", type=int, default=1,
                    help="the first seed (a run over seeds no one has read yet: a held-out check)")
    ap.add_argument("--media", default=",".join(MEDIA), help="originals to make, comma-separated (default: all)")
    ap.add_argument("--converters", default=None,
                    help="converters to run, comma-separated (default: all; 'none': originals only)")
    # The shared corpus beside the checkout (../shared), or beside a worktree's parent (../../shared).
    real = next((p for p in (ROOT.parent / "shared" / "corpus" / "real", ROOT.parent.parent / "shared" / "corpus"
                             / "real") if p.is_dir()), ROOT.parent / "shared" / "corpus" / "real")
    ap.add_argument("--real", type=Path, default=real)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "accuracy")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "accuracy.md")
    ap.add_argument("--no-expected", action="store_true", help="leave out tests/expected's real reports")
    a = ap.parse_args()
    media = [m for m in a.media.split(",") if m]
    unknown = set(media) - set(MEDIA)
    if unknown:
        ap.error(f"unknown media: {', '.join(sorted(unknown))} (known: {', '.join(MEDIA)})")
    wanted = None if a.converters is None else {c for c in a.converters.split(",") if c and c != "none"}
    converters = [c for c in CONVERTERS if wanted is None or c.name in wanted]

    rows: dict[str, list[Score]] = defaultdict(list)
    details: dict[str, list[str]] = defaultdict(list)

    def record(name: str, path: Path, report, result: Score, truth: dict, agency, year) -> None:
        rows[name].append(result)
        if result.wrong:
            details[name].append(f"{path.name}: {row_pattern(result.wrong)}")
        details[name].extend(f"{path.name}: SILENT {line}" for line in wrong_lines(report, truth, result.silent))
        if result.agency_right is False or result.year_right is False:
            details[name].append(f"{path.name}: meta {report.meta.agency!r} {report.meta.year}, truth {agency!r} {year}")

    for original in make_originals(a.work / "originals", range(a.first_seed, a.first_seed + a.seeds), media):
        report, result = read_and_score(original.path, original)
        record(f"{original.medium} (original)", original.path, report, result, original.truth,
               original.agency, original.year)
        for converter in converters:
            if not converter.reads(original.medium):
                continue
            name = f"{original.medium} → {converter.name}"
            copy = convert(original, converter, a.work / "copies")
            try:
                report, result = read_and_score(copy, original)
            except gknb.GknbError as exc:  # unreadable copy: every cell lost, but said
                rows[name].append(Score(len(original.truth), tuple(original.truth), ()))
                details[name].append(f"{copy.name}: refused ({exc})")
                continue
            record(name, copy, report, result, original.truth, original.agency, original.year)

    if a.real.is_dir():
        for truth_path in sorted(a.real.glob("*.truth.json")):
            stem = truth_path.name.removesuffix(".truth.json")
            sources = [p for p in a.real.glob(f"{stem}.*") if p != truth_path]
            if not sources:
                continue
            truth = json.loads(truth_path.read_text(encoding="utf-8"), parse_float=Decimal)
            lenient = truth.get("lenient") or {}
            if isinstance(lenient, list):
                lenient = {k: [0] for k in lenient}
            source = sources[0]
            kind = REAL_MEDIA.get(source.suffix, "real")
            medium = medium_of(source)
            copies = [(f"{kind} → {c.name}: {source.name}", c) for c in converters
                      if medium is not None and c.reads(medium)]  # the copies people make of a real report
            for name, converter in [(f"{kind}: {source.name}", None), *copies]:
                path = source if converter is None else convert_file(source, converter, a.work / "real")
                try:
                    report = gknb.read(path)
                except gknb.GknbError as exc:  # unreadable copy: every cell lost, but said
                    rows[name].append(Score(len(truth["cells"]), tuple(truth["cells"]), ()))
                    details[name].append(f"{path.name}: refused ({exc})")
                    continue
                result = score(report, truth["cells"], lenient, agency=truth.get("agency"), year=truth.get("year"))
                record(name, path, report, result, truth["cells"], truth.get("agency"), truth.get("year"))

    for truth_path in [] if a.no_expected else sorted(EXPECTED.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"), parse_float=Decimal)
        for name, folder in EXPECTED_SOURCES:
            source = folder / f"{truth_path.stem}.txt"
            if source.exists():
                report = gknb.read(source)
                result = score(report, truth["cells"], agency=truth.get("agency"), year=truth.get("year"))
                record(name, source, report, result, truth["cells"], truth.get("agency"), truth.get("year"))

    order = [f"{m} (original)" for m in MEDIA] + [
        f"{m} → {c.name}" for m in MEDIA for c in CONVERTERS if c.reads(m)]
    names = [n for n in order if n in rows] + [n for n in rows if n not in order]  # real reports as read
    lines = [
        "# Accuracy per medium and converter",
        "",
        "Every cell gknb reads from the project's own rendered reports (both formats, five blank cells each;",
        "seeds after 3 print large counts with thousands separators, zero-heavy tables or dashes for blank",
        "cells, as real reports do) as they are and through the converters people use, compared with the",
        "truth; real reports with truth files one row each, and their copies by every converter that reads",
        "their medium; the real reports of tests/expected (sample reports, web-page fragments) one row per kind.",
        "*Silently wrong*: a wrong cell no finding names (must be 0). *Named only as blank*: a printed value",
        "read as blank, named by no finding but `cell.blank` — which tells the reviewer the report left the",
        "cell blank, not that gknb may have misread it.",
        f"Made by `python bench/accuracy.py {_options(a, media, converters)}` on {datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| medium → converter | files | cells | exact | silently wrong | named only as blank | files exact "
        "| agency right | year right |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(_row(n, rows[n]) for n in names),
        "",
        f"Converters: {_versions()}.",
        "",
        "Media: `docx`/`html`/`pdf` are `gknb render`'s official layout (PDF by LibreOffice); `pdf-narrow`",
        "is that DOCX with each table's label column narrowed to about three characters and rows allowed to",
        "split at a page break (labels wrap every 2–4 characters). `docx-varied` is the report as an agency's",
        "own Word file differs, one of two sets of habits in turn (seeds 1, 3: portrait — table 三's header in",
        "two rows without 申请人情况, a notes row with dates under 三 and 四, header rows repeated on each",
        "page and rows split at a page break, 宋体/Times New Roman named (not installed: LibreOffice's",
        "fallbacks), tables in 小四 so 三 runs over two pages, numbers right-aligned; seed 2: landscape —",
        "the column headers of 三 and 四 unmerged (an empty cell under 自然人, 总计, 结果维持 …), table 四 as",
        "two tables (行政复议, 行政诉讼), tables in 小五, blank cells printed as —); `pdf-varied` is it by",
        "LibreOffice; `html-varied` the HTML page with the same headers, notes and dashes, and",
        "`pdf-chromium` that page on a portal (tool bars, footer) printed to PDF by chromium. `html-cms` is",
        "the official page as a portal's editor holds it, one of two habits in turn (seeds 1, 3: pasted from",
        "Word — every cell's text in `<p><span>`, a number's digits and its `-`/`.` in runs of their own,",
        "blank cells `&nbsp;`, table 三 in two `<table>`s at a page break, Word's closing row of empty cells;",
        "seed 2: typed — cells in `<div>`, full-width digits, section 二's counts as `0件`, each table's",
        "header rows a `<table>` of their own), on a portal page. Converters that write a document again:",
        "`soffice-docx`/`soffice-doc`/`soffice-html` are LibreOffice's 另存为 DOCX, Word 97 DOC and web",
        "page (HTML with `<p>` in every cell, `<font>`, widths); `browser-copy` is the page opened in",
        "chromium, its text selected and copied (`document.body.innerText` by Playwright: a tab between",
        "cells, and each tab on a line of its own where the cells hold paragraphs).",
        "",
        "## What was misread (table row patterns; `key(n)`: n wrong cells of that row)",
        "",
    ]
    for name in names:
        if details[name]:
            lines += [f"### {name}", "", *(f"- `{d}`" for d in details[name]), ""]
    kept = a.out.read_text(encoding="utf-8") if a.out.exists() else ""
    if WIDER in kept:  # the hand-written figures of wider runs stay
        lines += [kept[kept.index(WIDER):].rstrip()]
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(line for line in lines if line.startswith("|")))


if __name__ == "__main__":
    main()
