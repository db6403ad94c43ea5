"""Seeds for the fuzz harness, per medium, built once and cached in a folder.

* text: the bundled samples, ``tests/corpus`` and reports generated in every text layout of
  ``tests/layouts.py`` (both formats); markdown: the ``markdown`` layout and ``gknb.render(…, "md")``;
  html: the ``html`` layout and ``gknb.render(…, "html")``.
* docx / pdf: ``gknb.render`` of reports read from the generated layouts (PDF through LibreOffice),
  PDFs whole and each page alone; ``pdf`` also takes the LibreOffice exports of
  ``tests/pdf_fixtures.py`` when asked for (``full``).
* ofd: ``tests/test_ofd.make_ofd`` (ruled and unruled, relative and absolute page locations).
* image: pages of the first PDF seed, whole and cropped to a third of the page, at 80–100 dpi.
* doc: the DOCX seeds converted by LibreOffice (only when it is installed).
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import gknb  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.render import render as render_report  # noqa: E402

TEXT_LAYOUTS = ("tab", "lines", "paragraphs", "pipe_cells", "pipe_rows", "inline")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _generated(layout: str, count: int) -> list[str]:
    from layouts import random_report, render

    out = []
    for i in range(count):
        version = ("2021", "2019")[i % 2]
        rnd = random.Random(f"{layout}:{i}")
        fmt = FORMATS[version]
        cells = random_report(fmt, rnd)
        blanks = set(rnd.sample(sorted(cells), 4)) if layout != "inline" and i % 3 == 0 else set()
        out.append(render(fmt, cells, layout, rnd, blanks=blanks, wrap_labels=i % 4 == 1))
    return out


def _reports(count: int) -> list[gknb.Report]:
    """Parsed reports to render: the generated html layout read back (clean, both formats)."""
    return [gknb.read(text.encode("utf-8"), name="x.html") for text in _generated("html", count)]


def build(medium: str, folder: Path, *, full: bool = False) -> list[bytes]:
    """The seeds of ``medium`` (cached in ``folder/medium``)."""
    cache = folder / medium
    if cache.is_dir() and any(cache.iterdir()):
        return [p.read_bytes() for p in sorted(cache.iterdir())]
    if medium == "image":
        pdfs = build("pdf", folder)
        seeds = _images(pdfs[0]) if pdfs else []
    else:
        seeds = _build(medium, full)
    cache.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(seeds):
        (cache / f"{i:03d}").write_bytes(data)
    return seeds


def _build(medium: str, full: bool) -> list[bytes]:
    if medium == "text":
        texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "src/gknb/samples").glob("*.txt"))]
        texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/corpus").glob("*.txt"))]
        for layout in TEXT_LAYOUTS:
            texts += _generated(layout, 4)
        return [t.encode("utf-8") for t in texts]
    if medium == "markdown":
        return [t.encode("utf-8") for t in _generated("markdown", 4)] + [render_report(r, "md") for r in _reports(2)]
    if medium == "html":
        return [t.encode("utf-8") for t in _generated("html", 4)] + [render_report(r, "html") for r in _reports(2)]
    if medium == "docx":
        return [render_report(r, "docx") for r in _reports(4)]
    if medium == "ofd":
        from layouts import random_report
        from test_ofd import make_ofd

        out = []
        for i, (ruled, absolute) in enumerate(((True, False), (True, True), (False, False), (True, False))):
            rnd = random.Random(f"ofd:{i}")
            fmt = FORMATS[("2021", "2019")[i % 2]]
            out.append(make_ofd(fmt, random_report(fmt, rnd), rnd, ruled=ruled, absolute=absolute))
        return out
    if SOFFICE is None:
        return []
    if medium == "pdf":
        whole = [render_report(r, "pdf") for r in _reports(2)]
        out = whole + [page for pdf in whole for page in _pages(pdf)]
        if full:
            from pdf_fixtures import pdf_cases

            out += [case.path.read_bytes() for case in pdf_cases() if case.variant != "official"]
        return out
    if medium == "doc":
        return [_to_doc(render_report(r, "docx")) for r in _reports(2)]
    raise ValueError(f"unknown medium {medium!r}")


def _pages(pdf_bytes: bytes) -> list[bytes]:
    """Each page of a PDF as a PDF of its own (a damaged page read by OCR costs one page, not five)."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf_bytes)
    out = []
    try:
        for index in range(len(source)):
            single = pdfium.PdfDocument.new()
            single.import_pages(source, [index])
            buf = io.BytesIO()
            single.save(buf)
            single.close()
            out.append(buf.getvalue())
    finally:
        source.close()
    return out


def _images(pdf_bytes: bytes) -> list[bytes]:
    import pypdfium2 as pdfium

    out = []
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        for index, dpi in ((0, 100), (1, 100), (2, 80)):
            if index >= len(pdf):
                break
            image = pdf[index].render(scale=dpi / 72).to_pil().convert("L")
            for crop in (None, (0, image.height // 3, image.width, 2 * image.height // 3)):
                part = image.crop(crop) if crop else image
                buf = io.BytesIO()
                part.save(buf, "PNG", dpi=(dpi, dpi))
                out.append(buf.getvalue())
    finally:
        pdf.close()
    return out


def _to_doc(docx: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="gknb-fuzz-") as tmp:
        source = Path(tmp) / "seed.docx"
        source.write_bytes(docx)
        subprocess.run([SOFFICE, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless",
                        "--convert-to", "doc:MS Word 97", "--outdir", tmp, str(source)],
                       check=True, capture_output=True, timeout=300)
        return (Path(tmp) / "seed.doc").read_bytes()
