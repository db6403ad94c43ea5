"""PDF and scan fixtures for the PDF and OCR tests, made once per session in a temporary folder.

Random consistent reports (``layouts.random_report``) printed in the ``html`` layout (official merged
tables, ``border="1"``) and converted by LibreOffice in two ways: ``web`` (Writer/Web export) and
``writer`` (Writer import with a running header and a ``- N -`` page-number footer, another
typography), and ``official``: ``gknb.render`` (the official layout and typography, DOCX → PDF) of the
report read from the same HTML. ``borderless`` is the ``web`` PDF of the same HTML with its tables' borders removed.
Scans rasterise a PDF at 200 dpi, turn each page slightly and add noise.

``layout_cases()``: Word documents as users make them — the project's own DOCX (``gknb.render``) of a
random report with long sections, edited the way real ones differ, then converted by LibreOffice:
``narrow`` (label columns 12 mm wide, so labels wrap every 2–4 characters and the numbers sit on a
line of their own; rows may split at a page break, headers repeat on each page), ``hrules`` (the
same with only horizontal borders) and ``unruled`` (no borders at all).
"""

from __future__ import annotations

import atexit
import io
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import gknb
from gknb.formats import FORMATS
from gknb.render import render as render_report
from layouts import random_report, render

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
HEADER = "本机关政府信息公开专栏"
_FOOTER = '<p align="center">- <sdfield type=PAGE subtype=RANDOM format=PAGE>1</sdfield> -</p>'
VARIANTS = ("web", "writer", "official", "borderless")


@dataclass(frozen=True)
class PdfCase:
    version: str
    variant: str
    path: Path
    truth: dict[str, int | Decimal | None]  # blank cells are None


@cache
def _workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="gknb-pdf-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _convert(htmls: list[Path], writer: bool) -> None:
    profile = _workdir() / "lo-profile"
    command = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless"]
    if writer:
        command += ["--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export"]
    else:
        command += ["--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(htmls[0].parent), *map(str, htmls)],
                   check=True, capture_output=True, timeout=300)


@cache
def pdf_cases() -> tuple[PdfCase, ...]:
    """Both format versions × the three variants, five blank cells each."""
    work = _workdir()
    cases: list[PdfCase] = []
    groups: dict[bool, list[Path]] = {False: [], True: []}
    for version, seed in (("2021", 21), ("2019", 19)):
        fmt = FORMATS[version]
        rnd = random.Random(seed)
        cells = random_report(fmt, rnd)
        blanks = set(rnd.sample(sorted(cells), 5))
        html = render(fmt, cells, "html", rnd, blanks=blanks)
        truth = {k: (None if k in blanks else v) for k, v in cells.items()}
        pages = {
            "web": html,
            "writer": html.replace("<body>", f'<body><div title="header"><p>{HEADER}</p></div>'
                                             f'<div title="footer">{_FOOTER}</div>', 1),
            "borderless": html.replace('border="1"', 'border="0"'),
        }
        cases.append(PdfCase(version, "official", work / f"{version}-official.pdf", truth))
        for variant, text in pages.items():
            path = work / f"{version}-{variant}.html"
            path.write_text(text, encoding="utf-8")
            groups[variant == "writer"].append(path)
            cases.append(PdfCase(version, variant, path.with_suffix(".pdf"), truth))
    for writer, htmls in groups.items():
        _convert(htmls, writer)
    for case in cases:
        if case.variant == "official":
            report = gknb.read(work / f"{case.version}-web.html")
            case.path.write_bytes(render_report(report, "pdf"))
    return tuple(cases)


def pdf_case(version: str, variant: str) -> PdfCase:
    return next(c for c in pdf_cases() if c.version == version and c.variant == variant)


def scan_images(path: Path, seed: int) -> list:
    """The pages of a PDF as noisy, slightly turned 200-dpi greyscale images (PIL)."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    noise = np.random.default_rng(seed)
    images = []
    pdf = pdfium.PdfDocument(path)
    for index in range(len(pdf)):
        image = pdf[index].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(rnd.uniform(-1.0, 1.0), resample=Image.BICUBIC, fillcolor=255)
        pixels = np.asarray(image).astype(np.float32) + noise.normal(0, 10, (image.height, image.width))
        pixels[noise.random(pixels.shape) < 0.0003] = 0  # dust
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))
        images.append(image)
    pdf.close()
    return images


LAYOUT_VARIANTS = ("narrow", "hrules", "unruled")
_LABEL_MM = 12.0


def _edit_tables(raw: bytes, borders: str) -> bytes:
    """The DOCX with every table's label columns narrowed to ``_LABEL_MM`` (the width going to the
    value columns), rows allowed to split across pages, and ``borders`` all / horizontal / none."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(raw))
    for table in document.tables:
        tbl = table._tbl
        columns = tbl.tblGrid.findall(qn("w:gridCol"))
        widths = [int(c.get(qn("w:w"))) for c in columns]
        value = widths[-1]  # the value columns: the equal trailing ones; the label columns lead
        labels = list(range(next(i for i, w in enumerate(widths) if abs(w - value) <= 0.05 * value)))
        narrow = int(_LABEL_MM * 1440 / 25.4)
        spare = (sum(widths) - narrow * len(labels)) / max(len(widths) - len(labels), 1)
        for i, column in enumerate(columns):
            if labels:
                column.set(qn("w:w"), str(narrow if i in labels else int(spare)))
        for width in list(tbl.iter(qn("w:tcW"))):
            width.getparent().remove(width)
        for keep in list(tbl.iter(qn("w:cantSplit"))):
            keep.getparent().remove(keep)
        if borders != "all":
            for old in tbl.tblPr.findall(qn("w:tblBorders")):
                tbl.tblPr.remove(old)
            edges = OxmlElement("w:tblBorders")
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                edge = OxmlElement(f"w:{side}")
                drawn = borders == "horizontal" and side in ("top", "bottom", "insideH")
                edge.set(qn("w:val"), "single" if drawn else "nil")
                if drawn:
                    edge.set(qn("w:sz"), "4")
                    edge.set(qn("w:color"), "000000")
                edges.append(edge)
            tbl.tblPr.append(edges)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def layout_cases() -> tuple[PdfCase, ...]:
    """Both format versions × ``LAYOUT_VARIANTS``, four blank cells each, converted in one run."""
    from gknb.document import Source
    from gknb.report import Meta, Report

    work = _workdir() / "layouts"
    work.mkdir(exist_ok=True)
    cases: list[PdfCase] = []
    docs: list[Path] = []
    for version, seed in (("2021", 3), ("2019", 10)):
        fmt = FORMATS[version]
        rnd = random.Random(seed)
        cells = random_report(fmt, rnd)
        blanks = set(rnd.sample(fmt.cell_keys(), 4))
        truth = {k: (None if k in blanks else v) for k, v in cells.items()}
        report = Report(source=Source("x.json", "0" * 64, "json"), meta=Meta(agency="青山县民政局", year=fmt.years[0] + 1))
        report.meta.template = version
        report.cells = dict(truth)
        report.sections = {k: "本年度工作情况。" * rnd.randint(20, 60) for k in report.sections}
        raw = render_report(report, "docx")
        for variant, borders in zip(LAYOUT_VARIANTS, ("all", "horizontal", "none"), strict=True):
            path = work / f"{version}-{variant}.docx"
            path.write_bytes(_edit_tables(raw, borders))
            docs.append(path)
            cases.append(PdfCase(version, variant, path.with_suffix(".pdf"), truth))
    profile = _workdir() / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), *map(str, docs)], check=True, capture_output=True, timeout=300)
    return tuple(cases)


def layout_case(version: str, variant: str) -> PdfCase:
    return next(c for c in layout_cases() if c.version == version and c.variant == variant)
