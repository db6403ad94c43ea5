"""Scanned pages and images → blocks by OCR (the optional ``gknb[ocr]`` extra: RapidOCR 3 + ONNX Runtime).

A page image is deskewed (the median slope of its long horizontal lines), its ruling lines are found
with morphological openings (long thin horizontal and vertical strokes), and RapidOCR reads it with a
box and a score for every character. Characters and rulings then go through the same layout as a
text PDF (``pagelayout``): ruled tables become grids, every cell carrying the least score of its
characters as ``Provenance.confidence``, which the parser turns into an ``ocr.low_confidence``
finding. The models ship inside the ``rapidocr`` wheel: nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import io
import math
from functools import cache
from typing import TYPE_CHECKING, Any

from ..document import Block
from ..errors import UnreadableFile, UnsupportedFormat
from .normalize import normalizer_for
from .pagelayout import Glyph, PageContent, Ruling, pages_to_blocks

if TYPE_CHECKING:
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

__all__ = ["available", "read_image", "read_pdf_page"]

RENDER_DPI = 200  # scanned PDF pages are rendered at this resolution
DEFAULT_DPI = 200  # assumed for images that do not state theirs
_H_LINE_PT = 25.0  # a horizontal ruling is at least this long (longer than any character stroke)
_V_LINE_PT = 15.0  # a vertical ruling: shorter than the lowest table row, longer than a character
_MAX_SKEW = 5.0  # degrees
MIN_SIDE = 16  # pixels: no line of text fits in less
MAX_ASPECT = 30  # longer side / shorter side: the recogniser scales the short side of narrower strips up
# to 736 pixels, the long side with it (a 5 × 2000 strip became gigabytes)


def available() -> bool:
    """Whether the OCR extra (rapidocr, onnxruntime, opencv) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime", "cv2", "numpy"))


def _missing(label: str, what_zh: str, what_en: str) -> UnsupportedFormat:
    return UnsupportedFormat(
        f"{what_zh}需要文字识别（OCR）：请安装 pip install 'gknb[ocr]'",
        f"{what_en} needs OCR: install pip install 'gknb[ocr]'", label,
    )


@cache
def _engine() -> Any:
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})


def read_pdf_page(page: pdfium.PdfPage, number: int) -> PageContent:
    """OCR one PDF page, rendered at ``RENDER_DPI``; coordinates in the page's points."""
    image = page.render(scale=RENDER_DPI / 72).to_pil()
    return _read_page(image, number, 72 / RENDER_DPI)


def read_image(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    """The blocks of an image file (PNG, JPEG, TIFF with one page per frame …) read by OCR."""
    if not available():
        raise _missing(label, "图片文件", "an image")
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(raw))
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except Image.DecompressionBombError as exc:  # a header claiming billions of pixels
        raise UnreadableFile("图片尺寸过大，无法读取", f"the image is too large to read: {exc}", label) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:  # SyntaxError: "broken PNG file"
        raise UnreadableFile("无法打开图片文件", f"the image cannot be opened: {exc}", label) from exc
    for frame in frames:
        width, height = frame.size
        if min(width, height) < MIN_SIDE or max(width, height) > MAX_ASPECT * min(width, height):
            raise UnreadableFile(f"图片尺寸异常（{width}×{height} 像素），过小或过窄，无法识别文字",
                                 f"the image ({width} × {height} pixels) is too small or too narrow to hold text",
                                 label)
    dpi = image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI
    dpi = float(dpi) if 50 <= float(dpi) <= 1200 else DEFAULT_DPI
    pages = [_read_page(frame, n, 72 / dpi) for n, frame in enumerate(frames, 1)]
    if not any(g.text.strip() for p in pages for g in p.glyphs):
        raise UnreadableFile("图片中没有识别出文字", "no text was recognised in the image", label)
    normalize = normalizer_for("".join(g.text for p in pages for g in p.glyphs))
    note = f"经文字识别（OCR）读取 {len(pages)} 页图片 / {len(pages)} image page(s) read by OCR"
    return pages_to_blocks(pages, normalize), [*normalize.notes, note]


def _read_page(image: Image.Image, number: int, scale: float) -> PageContent:
    """OCR one page image; ``scale`` converts pixels to points."""
    import numpy as np

    gray = np.asarray(image.convert("L"))
    gray = _deskew(gray)
    rulings = _rulings(gray, scale)
    result = _engine()(np.dstack([gray] * 3), return_word_box=True, return_single_char_box=True)
    glyphs: list[Glyph] = []
    for words in result.word_results if result.boxes is not None else ():
        for char, score, quad in words:
            if not char.strip():
                continue
            xs = [p[0] for p in quad]
            ys = [p[1] for p in quad]
            glyphs.append(Glyph(char, min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale,
                                round(float(score), 3)))
    height, width = gray.shape
    return PageContent(number, width * scale, height * scale, glyphs, rulings)


def _binary(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: pixels clearly darker than their surroundings (thin grey rulings included)."""
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 12)


def _lines_mask(ink: np.ndarray, length: int, horizontal: bool) -> np.ndarray:
    import cv2

    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1) if horizontal else (1, 9))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, bridge)


def _deskew(gray: np.ndarray) -> np.ndarray:
    """The page rotated so that its long, nearly horizontal lines are level (unchanged without any)."""
    import cv2
    import numpy as np

    width = gray.shape[1]
    segments = cv2.HoughLinesP(_binary(gray), 1, math.pi / 1800, threshold=width // 4,
                               minLineLength=width // 4, maxLineGap=4)
    if segments is None:
        return gray
    angles = [math.degrees(math.atan2(y2 - y1, x2 - x1)) for x1, y1, x2, y2 in segments.reshape(-1, 4).tolist()]
    angles = [a for a in angles if abs(a) <= _MAX_SKEW]
    if not angles:
        return gray
    angle = float(np.median(angles))
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _rulings(gray: np.ndarray, scale: float) -> list[Ruling]:
    """The horizontal and vertical lines drawn on a (deskewed) page image, in points."""
    import cv2

    ink = _binary(gray)
    rulings: list[Ruling] = []
    for horizontal, length_pt in ((True, _H_LINE_PT), (False, _V_LINE_PT)):
        mask = _lines_mask(ink, max(int(length_pt / scale), 10), horizontal)
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, count):
            x, y, w, h = (int(v) for v in stats[i, :4])
            if horizontal:
                rulings.append(Ruling(True, (y + h / 2) * scale, x * scale, (x + w) * scale))
            else:
                rulings.append(Ruling(False, (x + w / 2) * scale, y * scale, (y + h) * scale))
    return rulings
