"""Where a cell came from, shown to a person: the lines of the source around it, or its page region.

A cell's provenance names a source line, a table position, and for PDFs and scans a page and a box.
``excerpt`` re-reads the stored original (cached) and returns the surrounding lines with the cell's
own line marked; ``page_png`` draws a page of a PDF (or the scanned image itself) for the box to be
outlined on — never more than ``MAX_PIXELS`` (the scale shrinks for a huge page; a scan larger than
``MAX_SOURCE_PIXELS`` is not decoded at all), and at most ``RENDERS`` at a time, so one request cannot
take the server's memory.
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from functools import lru_cache
from typing import Any

from ..document import Document, Line, Provenance
from ..errors import GknbError
from ..ingest import read_document

CONTEXT_LINES = 4
PAGE_SCALE = 1.5
IMAGE_DPI = 200.0  # assumed resolution of a scan that does not state one (as in ingest.ocr)
MAX_PIXELS = 12_000_000  # of a drawn page (~48 MB as RGBA): an A4 page at PAGE_SCALE is 1.9 million
MAX_SIDE = 6000  # pixels on the longer side
MAX_SOURCE_PIXELS = 80_000_000  # a scan larger than this is not decoded for display
RENDERS = 2  # pages drawn at once
_rendering = threading.BoundedSemaphore(RENDERS)


def render_scale(width: float, height: float) -> float:
    """The scale to draw a page of ``width`` × ``height`` points at: ``PAGE_SCALE``, less for a page that
    would exceed ``MAX_PIXELS`` or ``MAX_SIDE``."""
    width, height = max(width, 1.0), max(height, 1.0)
    return min(PAGE_SCALE, MAX_SIDE / max(width, height), math.sqrt(MAX_PIXELS / (width * height))) * 0.99  # pdfium rounds up


@lru_cache(maxsize=16)
def _document(raw: bytes, name: str) -> Document:
    return read_document(raw, name=name)


def _rows(document: Document) -> list[tuple[Provenance, str, list[str] | None]]:
    """Each line of the document, and each row of its tables, with where it is."""
    out: list[tuple[Provenance, str, list[str] | None]] = []
    for block in document.blocks:
        if isinstance(block, Line):
            out.append((block.where, block.text, None))
        else:
            for row in block.rows:
                if row:
                    out.append((row[0].where, "\t".join(c.text for c in row), [c.text for c in row]))
    return out


def _matches(where: Provenance, target: Provenance) -> bool:
    if target.table is not None and target.row is not None:
        return where.table == target.table and where.row == target.row
    return target.line is not None and where.line == target.line


def excerpt(raw: bytes, name: str, provenance: Provenance) -> dict[str, Any]:
    """The source around a cell: ``{"kind": "page", …}`` for a page box, else ``{"kind": "lines", …}``."""
    if provenance.page is not None and provenance.bbox is not None:
        size = page_size(raw, name, provenance.page)
        if size is not None:
            return {"kind": "page", "page": provenance.page, "bbox": list(provenance.bbox),
                    "width": size[0], "height": size[1], "confidence": provenance.confidence}
    try:
        rows = _rows(_document(raw, name))
    except GknbError as error:
        return {"kind": "none", "reason": error.as_dict()}
    hit = next((i for i, (where, _, _) in enumerate(rows) if _matches(where, provenance)), None)
    if hit is None:
        return {"kind": "none", "reason": {"code": "source.not_found", "message": "在原文中找不到该位置",
                                           "message_en": "the position is not in the original"}}
    lines = []
    for index in range(max(hit - CONTEXT_LINES, 0), min(hit + CONTEXT_LINES + 1, len(rows))):
        where, text, cells = rows[index]
        entry: dict[str, Any] = {"line": where.line, "text": text, "hit": index == hit}
        if cells is not None:
            entry["cells"] = cells
            if index == hit and provenance.col is not None:
                entry["col"] = provenance.col
        lines.append(entry)
    return {"kind": "lines", "lines": lines}


def _is_pdf(raw: bytes) -> bool:
    return b"%PDF-" in raw[:1024]


def page_size(raw: bytes, name: str, page: int) -> tuple[float, float] | None:
    """The size in points of page ``page`` (1-based) of a PDF, or of a scanned image; None otherwise."""
    if _is_pdf(raw):
        import pypdfium2

        pdf = pypdfium2.PdfDocument(raw)
        try:
            if not 1 <= page <= len(pdf):
                return None
            width, height = pdf[page - 1].get_size()
            return float(width), float(height)
        finally:
            pdf.close()
    image = _image(raw, decode=False)
    if image is None or page != 1:
        return None
    dpi = float((image.info.get("dpi") or (IMAGE_DPI,))[0] or IMAGE_DPI)
    scale = 72 / (dpi if 50 <= dpi <= 1200 else IMAGE_DPI)  # as the OCR reader measures boxes, in points
    return image.width * scale, image.height * scale


def page_png(raw: bytes, page: int) -> bytes | None:
    """Page ``page`` of a PDF drawn as PNG (a scanned image: the image itself as PNG), within
    ``MAX_PIXELS``; None if absent (or a scan too large to decode)."""
    with _rendering:
        if _is_pdf(raw):
            import pypdfium2

            pdf = pypdfium2.PdfDocument(raw)
            try:
                if not 1 <= page <= len(pdf):
                    return None
                sheet = pdf[page - 1]
                picture = sheet.render(scale=render_scale(*sheet.get_size())).to_pil()
            finally:
                pdf.close()
        else:
            picture = _image(raw) if page == 1 else None
            if picture is None:
                return None
            if picture.width * picture.height > MAX_PIXELS or max(picture.size) > MAX_SIDE:  # a scan drawn smaller
                factor = render_scale(picture.width, picture.height)
                picture = picture.resize((max(int(picture.width * factor), 1), max(int(picture.height * factor), 1)))
        out = io.BytesIO()
        picture.convert("RGB").save(out, format="PNG", optimize=True)
        return out.getvalue()


def _image(raw: bytes, *, decode: bool = True) -> Any:
    """The scanned image (decoded unless ``decode`` is false: its size is known without), or None when
    it is not an image or larger than ``MAX_SOURCE_PIXELS``."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # the size is checked here, against a lower bound than Pillow's
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
        if image.width * image.height > MAX_SOURCE_PIXELS:
            return None
        if decode:
            image.load()
        return image
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None
