"""Scanned pages and images → blocks by OCR (the optional ``gknb[ocr]`` extra: RapidOCR 3 + ONNX Runtime).

A page image is read at 150 dpi. It is deskewed (the sharpest row profile of its half-size ink,
within ±5°), its ruling lines are found with morphological openings (long thin horizontal and
vertical strokes), and the tables ruled all round become grids: the spaces their lines close in are
the cells. Each cell's ink is recognised without text detection, many cells packed side by side into
one strip (a cell of several lines: its lines found by detection alone); a number read with a low
score, or a cell where nothing was recognised, is read again by RapidOCR's detection and
recognition. The rest of the page (prose, tables not ruled all round) is read in bands, detected at
100 dpi and recognised at 150. Characters and rulings then go through the same layout as a text PDF
(``pagelayout``): ruled tables become grids, every cell carrying the least score of its characters
as ``Provenance.confidence``, which the parser turns into an ``ocr.low_confidence`` finding. The
models ship inside the ``rapidocr`` wheel: nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import re
from dataclasses import dataclass
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

RENDER_DPI = 150  # scanned PDF pages are rendered at this resolution
READ_DPI = 150  # finer images are scaled down to it (as accurate on the test scans as 200 dpi, 21 % cheaper)
DEFAULT_DPI = 200  # assumed for images that do not state theirs
_H_LINE_PT = 25.0  # a horizontal ruling is at least this long (longer than any character stroke)
_V_LINE_PT = 15.0  # a vertical ruling: shorter than the lowest table row, longer than a character
_MAX_SKEW = 5.0  # degrees
_SKEW_SCALE = 0.5  # the skew is measured on the page's ink at this scale
_MIN_TABLE_PX = 40  # a ruled table is at least this wide and tall
_MIN_CELL_PX = 6  # a closed space narrower or lower than this is a double border, not a cell
_OPEN_SHARE = 0.03  # a table whose open space (not closed in by its lines) exceeds this share is not a grid
_MIN_INK_PX = 12  # less ink than this in a cell or band is dust
_DUST_PX = 12  # a speck of ink this small is not part of a character (a decimal point is in the middle)
_MINUS_PX = 4  # unless it is a flat stroke at least this wide: a minus sign
_ONE_LINE = 1.8  # a cell's ink this many times the table's median cell height is more than one line
_RETRY_BELOW = 0.9  # a cell recognised without detection with a score below this is read again with it
_BAND_GAP_PX = 40  # blank rows that separate two bands of prose read on their own
_DETECT_PROSE_AT = 2 / 3  # prose is detected at 100 dpi (recognised at 150)
_REC_HEIGHT = 48  # the recogniser's line height (rapidocr's rec_img_shape)
_GAP = 32  # white pixels between two pieces packed into one strip
_STRIP_WIDTH = 48 * 32  # a strip's width: the recogniser's batch is padded to its widest strip
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

    # detection at most at the size it is given (by default a small area is scaled up to 736 pixels)
    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False, "Det.limit_type": "max"})


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
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise UnreadableFile(f"图片尺寸过大（超过 {limit:,} 像素），无法读取", f"the image is too large to read (over {limit:,} pixels)",
                             label) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:  # SyntaxError: "broken PNG file"
        raise UnreadableFile("无法打开图片文件：文件已损坏或不是支持的图片格式（PNG、JPEG、TIFF 等）",
                             "the image cannot be opened: damaged or not a supported image format (PNG, JPEG, TIFF …)",
                             label) from exc
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
    import cv2
    import numpy as np

    gray = np.asarray(image.convert("L"))
    if scale < 72 / READ_DPI * 0.95:  # finer than needed: read at READ_DPI
        gray = _resized(gray, scale * READ_DPI / 72)
        scale = 72 / READ_DPI
    ink = _binary(gray)
    angle = _skew(_without_dust(ink))
    if angle:
        gray = _rotated(gray, angle, 255)
        ink = _binary(gray)
    horizontal, vertical = (_lines_mask(ink, max(int(length / scale), 10), h)
                            for h, length in ((True, _H_LINE_PT), (False, _V_LINE_PT)))
    rulings = _rulings(horizontal, True, scale) + _rulings(vertical, False, scale)
    lines = horizontal | vertical
    grids = _grids(lines)
    text = _without_dust(ink & ~cv2.dilate(lines, np.ones((5, 5), np.uint8)))
    glyphs = _cell_glyphs(gray, text, grids, scale)
    glyphs += _prose_glyphs(gray, text, grids, scale)
    height, width = gray.shape
    return PageContent(number, width * scale, height * scale, glyphs, rulings)


def _resized(gray: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    height, width = gray.shape
    size = (max(round(width * factor), 1), max(round(height * factor), 1))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)


def _rotated(gray: np.ndarray, angle: float, fill: int) -> np.ndarray:
    import cv2

    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=fill)


def _skew(ink: np.ndarray) -> float:
    """The turn (degrees, within ±5°) that levels the page's lines, 0 when it is level: the angle whose
    row profile of the downscaled ink is sharpest (coarse steps of 0.5°, then 0.05°)."""
    import numpy as np

    small = _resized(ink, _SKEW_SCALE)
    if not small.any():
        return 0.0

    def sharpness(angle: float) -> float:
        rows = _rotated(small, angle, 0).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.05), key=sharpness)
    return float(fine) if abs(fine) >= 0.05 else 0.0


def _without_dust(ink: np.ndarray) -> np.ndarray:
    """The ink without specks smaller than any part of a character (noise, dust), flat strokes (a minus
    sign) kept."""
    import cv2
    import numpy as np

    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    # A minus sign or hyphen is a speck's size too, but a flat stroke: it stays (本年增/减 ``-73``).
    keep = (stats[:, cv2.CC_STAT_AREA] >= _DUST_PX) | ((width >= _MINUS_PX) & (width >= 2 * height))
    keep[0] = False
    return np.where(keep[labels], np.uint8(255), np.uint8(0))


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


def _rulings(mask: np.ndarray, horizontal: bool, scale: float) -> list[Ruling]:
    """The lines of a horizontal or vertical line mask, in points."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rulings: list[Ruling] = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if horizontal:
            rulings.append(Ruling(True, (y + h / 2) * scale, x * scale, (x + w) * scale))
        else:
            rulings.append(Ruling(False, (x + w / 2) * scale, y * scale, (y + h) * scale))
    return rulings


Box = tuple[int, int, int, int]  # pixels: x0, y0, x1, y1
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class _Grid:
    """A table ruled all round: its box and the boxes of the cells its lines close in (pixels)."""

    box: Box
    cells: list[Box]


def _grids(lines: np.ndarray) -> list[_Grid]:
    """The fully ruled tables of a page's line mask. A table whose lines leave any part of it open (only
    horizontal rules, a missing border or inner line) is none: its page area is read like prose."""
    import cv2
    import numpy as np

    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    grids: list[_Grid] = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if w < _MIN_TABLE_PX or h < _MIN_TABLE_PX:
            continue
        drawn = labels[y:y + h, x:x + w] == i
        space = (~drawn).astype(np.uint8)
        n, _, cells, _ = cv2.connectedComponentsWithStats(space, connectivity=4)
        closed: list[Box] = []
        open_area = 0
        for j in range(1, n):
            cx, cy, cw, ch, area = (int(v) for v in cells[j])
            if cx == 0 or cy == 0 or cx + cw == w or cy + ch == h:
                open_area += area
            elif cw >= _MIN_CELL_PX and ch >= _MIN_CELL_PX:
                closed.append((x + cx, y + cy, x + cx + cw, y + cy + ch))
        if closed and open_area <= _OPEN_SHARE * int(space.sum()):
            grids.append(_Grid((x, y, x + w, y + h), closed))
    return grids


@dataclass
class _Piece:
    """One line of text in a table cell: its ink box on the page image (pixels) and the crop to recognise."""

    cell: Box
    box: Box
    crop: np.ndarray


def _cell_glyphs(gray: np.ndarray, text: np.ndarray, grids: list[_Grid], scale: float) -> list[Glyph]:
    """The glyphs in the cells of fully ruled tables, recognised without detection, many lines packed
    into one strip: a cell's ink when it is one line, else its lines found by detection. A cell where
    nothing was recognised and one without Chinese characters (a number) read with a low score go
    through RapidOCR's own detection and recognition on their own. A label read with a low score keeps it."""
    import numpy as np

    pieces: list[_Piece] = []
    tall: list[Box] = []
    for grid in grids:
        inked: list[tuple[Box, Box]] = []
        for cell in grid.cells:
            x0, y0, x1, y1 = cell
            ys, xs = np.nonzero(text[y0:y1, x0:x1])
            if len(ys) >= _MIN_INK_PX:
                inked.append((cell, (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1,
                                     y0 + int(ys.max()) + 1)))
        if not inked:
            continue
        line = float(np.median([b[3] - b[1] for _, b in inked]))
        for cell, box in inked:
            if box[3] - box[1] > _ONE_LINE * line:
                tall.append(cell)
            else:
                pieces.append(_Piece(cell, box, _padded_crop(gray, box)))
    for cell in tall:
        pieces += _detected_lines(gray, cell)
    reads: dict[Box, list[Glyph]] = {}
    again: set[Box] = set()
    for piece, read in zip(pieces, _recognise(pieces), strict=True):
        doubtful = min((g[3] for g in read), default=0.0) < _RETRY_BELOW
        if not read or (doubtful and not any(_CJK.match(g[0]) for g in read)):  # digits first
            again.add(piece.cell)
        reads.setdefault(piece.cell, []).extend(
            Glyph(ch, x0 * scale, piece.box[1] * scale, x1 * scale, piece.box[3] * scale, score)
            for ch, x0, x1, score in read)
    glyphs: list[Glyph] = []
    for cell, read in reads.items():
        glyphs += _detected_glyphs(gray, cell, scale) if cell in again else read
    return glyphs


def _detected_lines(gray: np.ndarray, cell: Box) -> list[_Piece]:
    """The lines of text in a cell found by text detection alone."""
    import numpy as np

    x0, y0, x1, y1 = cell
    area = gray[y0:y1, x0:x1]
    detector = _engine()._load_det_model()
    detector.limit_side_len = max(max(area.shape), 32)  # at the size it is given
    found = detector(np.dstack([area] * 3))
    pieces: list[_Piece] = []
    for quad in found.boxes if found.boxes is not None else ():
        box = (x0 + max(int(quad[:, 0].min()), 0), y0 + max(int(quad[:, 1].min()), 0),
               x0 + min(int(np.ceil(quad[:, 0].max())), x1 - x0), y0 + min(int(np.ceil(quad[:, 1].max())), y1 - y0))
        if box[2] - box[0] >= 2 and box[3] - box[1] >= 4:
            pieces.append(_Piece(cell, box, _padded_crop(gray, box)))
    return pieces


def _padded_crop(gray: np.ndarray, box: Box) -> np.ndarray:
    """The ink box with a white margin (the recogniser expects one) of a fifth of its height."""
    import numpy as np

    x0, y0, x1, y1 = box
    pad = max((y1 - y0) // 5, 2)
    crop = np.full((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad), 255, np.uint8)
    crop[pad:pad + y1 - y0, pad:pad + x1 - x0] = gray[y0:y1, x0:x1]
    return crop


def _recognise(pieces: list[_Piece]) -> list[list[tuple[str, int, int, float]]]:
    """Each piece's characters (text, x0, x1 in page pixels, score), recognised without detection:
    the pieces scaled to the recogniser's line height and packed side by side into strips, one batch."""
    import numpy as np
    from rapidocr.ch_ppocr_rec import TextRecInput

    strips: list[list[tuple[int, int, float, _Piece]]] = []  # per strip: start, end, factor, piece
    images: list[np.ndarray] = []
    row: list[np.ndarray] = []
    width = 0
    for piece in pieces:
        factor = _REC_HEIGHT / piece.crop.shape[0]
        image = _resized(piece.crop, factor)
        if row and width + _GAP + image.shape[1] > _STRIP_WIDTH:
            images.append(np.hstack(row))
            row, width = [], 0
        if not row:
            strips.append([])
            row.append(np.full((_REC_HEIGHT, _GAP // 2), 255, np.uint8))
            width = _GAP // 2
        strips[-1].append((width, width + image.shape[1], factor, piece))
        row += [image, np.full((_REC_HEIGHT, _GAP), 255, np.uint8)]
        width += image.shape[1] + _GAP
    if row:
        images.append(np.hstack(row))
    reads: dict[int, list[tuple[str, int, int, float]]] = {id(p): [] for p in pieces}
    if not images:
        return []
    result = _engine()._load_rec_model()(TextRecInput(img=[np.dstack([i] * 3) for i in images],
                                                      return_word_box=True))
    for image, spans, text, info in zip(images, strips, result.txts, result.word_results, strict=True):
        chars = [(c, float(s)) for c, s in zip(text, info.confs, strict=False) if not c.isspace()]
        columns = [c for word in info.word_cols for c in word]
        if len(chars) != len(columns) or not info.line_txt_len:
            continue  # every piece of this strip left unread: read again with detection
        per_column = image.shape[1] / info.line_txt_len
        centres: dict[int, list[tuple[str, float, float]]] = {id(s[3]): [] for s in spans}
        for (char, score), column in zip(chars, columns, strict=True):
            x = (column + 0.5) * per_column
            start, end, factor, piece = min(spans, key=lambda s: max(s[0] - x, x - s[1], 0))
            pad = (piece.crop.shape[1] - (piece.box[2] - piece.box[0])) / 2
            centres[id(piece)].append((char, piece.box[0] - pad + (x - start) / factor, score))
        for *_, piece in spans:
            found = centres[id(piece)]
            edges = [piece.box[0]] + [(a[1] + b[1]) / 2 for a, b in itertools.pairwise(found)] + [piece.box[2]]
            reads[id(piece)] = [(char, round(edges[k]), round(edges[k + 1]), round(score, 3))
                                for k, (char, _, score) in enumerate(found)]
    return [reads[id(p)] for p in pieces]


def _detected_glyphs(gray: np.ndarray, box: Box, scale: float, detect_at: float = 1.0) -> list[Glyph]:
    """The glyphs of one area of the page image, found by text detection (on the area scaled by
    ``detect_at``) and recognition (on the area as it is)."""
    import numpy as np

    x0, y0, x1, y1 = box
    area = gray[y0:y1, x0:x1]
    engine = _engine()
    # the detector scales its input down to this longest side (and maps its boxes back)
    engine._load_det_model().limit_side_len = max(round(max(area.shape) * detect_at), 32)
    result = engine(np.dstack([area] * 3), return_word_box=True, return_single_char_box=True)
    glyphs: list[Glyph] = []
    for words in result.word_results if result.boxes is not None else ():
        for char, score, quad in words:
            if not char.strip():
                continue
            xs = [x0 + p[0] for p in quad]
            ys = [y0 + p[1] for p in quad]
            glyphs.append(Glyph(char, min(xs) * scale, min(ys) * scale, max(xs) * scale, max(ys) * scale,
                                round(float(score), 3)))
    return glyphs


def _prose_glyphs(gray: np.ndarray, ink: np.ndarray, grids: list[_Grid], scale: float) -> list[Glyph]:
    """The glyphs outside the fully ruled tables: each band of the page between them (and above and
    below) by text detection and recognition, the tables' area whitened."""
    import numpy as np

    if grids:
        gray, ink = gray.copy(), ink.copy()
        for x0, y0, x1, y1 in (g.box for g in grids):
            gray[y0:y1, x0:x1] = 255
            ink[y0:y1, x0:x1] = 0
    rows = np.flatnonzero((ink > 0).sum(axis=1) >= 2)
    if not len(rows):
        return []
    glyphs: list[Glyph] = []
    height = gray.shape[0]
    breaks = np.flatnonzero(np.diff(rows) > _BAND_GAP_PX)
    for first, last in zip(np.r_[0, breaks + 1], np.r_[breaks, len(rows) - 1], strict=True):
        y0, y1 = int(rows[first]), int(rows[last]) + 1
        cols = np.flatnonzero(ink[y0:y1].any(axis=0))
        if y1 - y0 < MIN_SIDE // 2 or int((ink[y0:y1] > 0).sum()) < _MIN_INK_PX:
            continue  # dust
        margin = 8
        glyphs += _detected_glyphs(gray, (max(int(cols[0]) - margin, 0), max(y0 - margin, 0),
                                          int(cols[-1]) + 1 + margin, min(y1 + margin, height)), scale,
                                  _DETECT_PROSE_AT)
    return glyphs
