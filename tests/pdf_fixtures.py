"""PDF and scan fixtures for the PDF and OCR tests, made once per session in a temporary folder.

Random consistent reports (``layouts.random_report``) printed in the ``html`` layout (official merged
tables, ``border="1"``) and converted by LibreOffice in two ways: ``web`` (Writer/Web export) and
``writer`` (Writer import with a running header and a ``- N -`` page-number footer, another
typography), and ``official``: ``gknb.render`` (the official layout and typography, DOCX → PDF) of the
report read from the same HTML. ``borderless`` is the ``web`` PDF of the same HTML with its tables' borders removed.
Scans rasterise a PDF at 200 dpi, turn each page slightly and add noise.
"""

from __future__ import annotations

import atexit
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
