"""Generated reports in every medium, with their true cells, for the benchmarks (cached in bench/out/).

Random consistent reports (``tests/layouts.py``: ``random_report``, ``render``) of both formats, as

* ``text``  the seven plain-text layouts (tab, lines, paragraphs, pipe, markdown, inline);
* ``html``  a full web page with the official merged tables, three cells left blank;
* ``docx``  ``gknb.render``'s official layout (the report read back from its HTML page);
* ``pdf``   half ``official`` (that DOCX through LibreOffice), half ``web`` (the HTML page through
  LibreOffice Writer/Web), as ``tests/pdf_fixtures.py`` makes them;
* ``scan``  ``web`` PDFs rasterised at 200 dpi, turned slightly, with noise (``pdf_fixtures.scan_images``).

    corpus(media={"text": 160, "pdf": 12}, seed=1)  # → {"text": [Doc, …], "pdf": [Doc, …]}
"""

from __future__ import annotations

import hashlib
import io
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gknb  # noqa: E402
from gknb.formats import FORMATS, Format  # noqa: E402
from gknb.render import render as render_report  # noqa: E402
from layouts import LAYOUTS, file_name, random_report, render  # noqa: E402

CACHE = ROOT / "bench" / "out" / "corpus"
TEXT_LAYOUTS = tuple(layout for layout in LAYOUTS if layout != "html")


@dataclass(frozen=True)
class Doc:
    """One generated file: its name (the suffix tells the medium), bytes, true cells and page count."""

    name: str
    raw: bytes
    truth: dict[str, int | Decimal | None]
    pages: int = 1  # printed pages (PDF and scans); 1 for the other media


def corpus(media: dict[str, int], seed: int = 1) -> dict[str, list[Doc]]:
    """``media[m]`` documents of each medium ``m``, made once and cached by their parameters."""
    key = hashlib.sha256(repr((sorted(media.items()), seed, gknb.__version__)).encode()).hexdigest()[:12]
    path = CACHE / f"{key}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    made = _make(media, seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(made))
    return made


def _make(media: dict[str, int], seed: int) -> dict[str, list[Doc]]:
    rnd = random.Random(seed)
    n = {medium: media.get(medium, 0) for medium in ("text", "html", "docx", "pdf", "scan")}
    out: dict[str, list[Doc]] = {}
    if n["text"]:
        out["text"] = []
        for i in range(n["text"]):
            fmt, layout = _format(i), TEXT_LAYOUTS[i % len(TEXT_LAYOUTS)]
            cells = random_report(fmt, rnd)
            out["text"].append(Doc(file_name(layout), render(fmt, cells, layout, rnd).encode("utf-8"), cells))
    pages = []  # (HTML page, true cells): the source of the other media, three blank cells each
    for i in range(max(n["html"], n["docx"], n["pdf"], n["scan"])):
        cells = random_report(_format(i), rnd)
        blanks = set(rnd.sample(sorted(cells), 3))
        page = render(_format(i), cells, "html", rnd, blanks=blanks).encode("utf-8")
        pages.append((page, {k: None if k in blanks else v for k, v in cells.items()}))
    if n["html"]:
        out["html"] = [Doc("x.html", raw, cells) for raw, cells in pages[: n["html"]]]
    half = (n["pdf"] + 1) // 2  # official PDFs; the other half are web PDFs
    docx = [render_report(gknb.read(raw, name="x.html"), "docx") for raw, _ in pages[: max(n["docx"], half)]]
    if n["docx"]:
        out["docx"] = [Doc("x.docx", raw, cells) for raw, (_, cells) in zip(docx[: n["docx"]], pages, strict=False)]
    web = sorted(set(range(half, n["pdf"])) | set(range(n["scan"])))
    pdfs = _convert([(f"d{i}.docx", docx[i]) for i in range(half)] + [(f"h{i}.html", pages[i][0]) for i in web])
    if n["pdf"]:
        out["pdf"] = [Doc("x.pdf", pdfs[f"d{i}"], pages[i][1], page_count(pdfs[f"d{i}"])) for i in range(half)]
        out["pdf"] += [Doc("x.pdf", pdfs[f"h{i}"], pages[i][1], page_count(pdfs[f"h{i}"])) for i in range(half, n["pdf"])]
    if n["scan"]:
        out["scan"] = [_scan(pdfs[f"h{i}"], pages[i][1], seed + i) for i in range(n["scan"])]
    return out


def _format(i: int) -> Format:
    return FORMATS["2021" if i % 2 == 0 else "2019"]


def _convert(files: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """PDFs of DOCX or HTML files by stem, converted by one LibreOffice run (HTML through Writer/Web)."""
    if not files:
        return {}
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise SystemExit("the PDF and scan media need LibreOffice (soffice)")
    with tempfile.TemporaryDirectory(prefix="gknb-bench-") as tmp:
        work = Path(tmp)
        for name, raw in files:
            (work / name).write_bytes(raw)
        subprocess.run([exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(work), *(str(work / n) for n, _ in files)],
                       check=True, capture_output=True, timeout=900)
        return {Path(name).stem: (work / name).with_suffix(".pdf").read_bytes() for name, _ in files}


def page_count(raw: bytes) -> int:
    """The number of pages of a PDF."""
    pdf = pdfium.PdfDocument(raw)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _scan(raw: bytes, cells: dict, seed: int) -> Doc:
    from pdf_fixtures import scan_images

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(raw)
        handle.flush()
        images = scan_images(Path(handle.name), seed=seed)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return Doc("scan.pdf", out.getvalue(), cells, len(images))
