"""PDF → blocks with pypdfium2: the text layer's characters and the drawn rulings, laid out by ``pagelayout``.

* Characters: every character of pdfium's text page with its loose box (font ascent to descent);
  characters pdfium generated itself (line breaks, guessed spaces) are skipped, spaces are rebuilt
  from the glyphs' positions.
* Rulings: the straight horizontal and vertical segments of stroked paths and the thin filled
  rectangles Word and WPS draw borders with, inside form XObjects too.
* Pages whose text layer cannot be trusted are read by OCR (``ocr``) when the ``gknb[ocr]`` extra is
  installed, else the file is refused naming those pages: glyphs without a Unicode mapping (CID-font
  garbage: ``(cid:123)``, private-use or control characters) on at least 5% of a page's characters,
  and scanned pages (no text, an image over most of the page). A few unmapped glyphs (a bullet from a
  symbol font) are kept as ``�`` — never a silently different character — and noted.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import struct
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from operator import attrgetter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..document import Block
from ..errors import UnreadableFile
from .normalize import normalizer_for
from .pagelayout import Glyph, PageContent, Ruling, pages_to_blocks

__all__ = ["read_pdf"]

_GARBLED_SHARE = 0.05
_GARBLED_MIN = 3
_SCAN_SHARE = 0.5  # an image covering this share of a page without text makes it a scanned page
_THIN = 3.0  # points: a filled rectangle this thin is a drawn line
_STRAIGHT = 1.0  # points: how far a segment may lean and still be horizontal or vertical
_MAX_DEPTH = 8  # nested form XObjects
_LOOSE_LIMIT = 3.0  # a loose character box this many ems tall or wide is inflated: use the outline

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_TEXT = attrgetter("text")


def _unopenable(error: pdfium.PdfiumError) -> tuple[str, str]:
    """Why PDFium could not open a PDF, in words (by its error code, never its text)."""
    code = getattr(error, "err_code", None)
    if code == pdfium.raw.FPDF_ERR_PASSWORD:
        return "PDF 文件有密码保护，无法打开：请提供未加密的文件", "the PDF is password-protected: supply an unencrypted copy"
    if code == pdfium.raw.FPDF_ERR_SECURITY:
        return "PDF 文件使用了不支持的加密方式，无法打开", "the PDF uses an unsupported encryption and cannot be opened"
    return "无法打开 PDF 文件：文件已损坏或不是 PDF 格式", "the PDF cannot be opened: damaged or not a PDF"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (where it was running) while a PDF's text layer is
    read and laid out: that makes thousands of objects a page (glyphs, runs, cells) that live until
    the blocks are made and form no reference cycles (pdfium handles are read with ``_address``, the
    text into a ``bytearray``), so the collector's passes over them — about a tenth of a text PDF's
    reading time, measured — free nothing; what is freed is freed by reference counting as before."""
    running = gc.isenabled()
    if running:
        gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def read_pdf(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    """The blocks of a PDF and the notes on what reading it took. Raises UnreadableFile.
    The garbage collector is paused while the text layer is read and laid out (not during OCR)."""
    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(*_unopenable(exc), label) from exc
    try:
        pages: list[PageContent] = []
        garbled: list[int] = []
        scanned: list[int] = []
        replaced: list[int] = []
        damaged: list[int] = []
        with _collector_paused():
            for index in range(len(pdf)):
                # the page's raw handle, closed at once (pypdfium2's page object, its finalizer and its
                # place among the document's kids cost more than reading a short page's rulings)
                page = pdfium_c.FPDF_LoadPage(pdf, index)
                if not page:  # a page tree entry that is no page: an empty page in its place
                    damaged.append(index + 1)
                    pages.append(PageContent(index + 1, 0.0, 0.0))
                    continue
                try:
                    content, unmapped, image_share = _page_content(page, index + 1)
                finally:
                    pdfium_c.FPDF_ClosePage(page)
                printed = sum(map(bool, map(str.strip, map(_TEXT, content.glyphs))))
                if unmapped >= _GARBLED_MIN and unmapped >= _GARBLED_SHARE * (printed + unmapped):
                    garbled.append(index + 1)
                elif printed == 0 and image_share >= _SCAN_SHARE:
                    scanned.append(index + 1)
                elif unmapped:
                    replaced.append(index + 1)
                pages.append(content)
        notes = []
        if garbled or scanned:
            notes.append(_ocr_pages(pdf, pages, garbled, scanned, label))
    finally:
        pdf.close()
    lost = _pages(damaged)
    if not any(g.text.strip() for p in pages for g in p.glyphs):
        if damaged:
            raise UnreadableFile(f"PDF 文件已损坏：第 {lost[0]} 页无法读取，其余页面没有可提取的文字",
                                 f"the PDF is damaged: page(s) {lost[1]} cannot be read, the others have no "
                                 "extractable text", label)
        raise UnreadableFile("PDF 中没有可提取的文字", "the PDF contains no extractable text", label)
    if damaged:
        notes.append(f"PDF 文件已损坏，第 {lost[0]} 页无法读取 / the PDF is damaged: page(s) {lost[1]} cannot be read")
    if replaced:
        where = _pages(replaced)
        notes.append(f"第 {where[0]} 页有个别字符无法解码，显示为 � / a few characters on page(s) {where[1]} "
                     "have no Unicode mapping and are shown as �")
    normalize = normalizer_for("".join("".join(map(_TEXT, p.glyphs)) for p in pages))
    with _collector_paused():
        blocks = pages_to_blocks(pages, normalize)
    return blocks, normalize.notes + notes


def _pages(numbers: list[int]) -> tuple[str, str]:
    return "、".join(map(str, numbers)), ", ".join(map(str, numbers))


def _ocr_pages(pdf: pdfium.PdfDocument, pages: list[PageContent], garbled: list[int], scanned: list[int],
               label: str) -> str:
    """Replace the untrustworthy pages by their OCR reading; the note to record. Raises without OCR."""
    from . import ocr

    if not ocr.available():
        parts_zh, parts_en = [], []
        if garbled:
            zh, en = _pages(garbled)
            parts_zh.append(f"第 {zh} 页的文字无法正确提取（字体缺少 Unicode 映射，提取结果为乱码）")
            parts_en.append(f"the text of page(s) {en} cannot be extracted (fonts without a Unicode mapping "
                            "give garbage)")
        if scanned:
            zh, en = _pages(scanned)
            parts_zh.append(f"第 {zh} 页是扫描图像，没有文字层")
            parts_en.append(f"page(s) {en} are scanned images without a text layer")
        raise UnreadableFile(
            "；".join(parts_zh) + "。需要文字识别（OCR）：请安装 pip install 'gknb[ocr]'",
            "; ".join(parts_en) + ". OCR is needed: install pip install 'gknb[ocr]'", label,
        )
    numbers = sorted(garbled + scanned)
    for number in numbers:
        pages[number - 1] = ocr.read_pdf_page(pdf[number - 1], number)
    zh, en = _pages(numbers)
    return f"第 {zh} 页经文字识别（OCR）读取 / page(s) {en} read by OCR"


def _page_content(page: pdfium_c.FPDF_PAGE, number: int) -> tuple[PageContent, int, float]:
    """A page's glyphs and rulings, the number of unmapped glyphs, and the share covered by images
    (``page``: a raw page handle, ``PdfPage.raw``)."""
    left, bottom, right, top = _cropbox(page)
    width, height = right - left, top - bottom
    glyphs, unmapped = _glyphs(page, left, top)
    rulings: list[Ruling] = []
    image_area = _walk(_address(page), None, _IDENTITY, left, top, rulings, 0)
    content = PageContent(number, width, height, glyphs, rulings)
    return content, unmapped, image_area / max(width * height, 1.0)


def _cropbox(page: pdfium_c.FPDF_PAGE) -> tuple[float, float, float, float]:
    """The page's CropBox, else its MediaBox, else US Letter (as ``PdfPage.get_cropbox``)."""
    box = (ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float())
    for get in (pdfium_c.FPDFPage_GetCropBox, pdfium_c.FPDFPage_GetMediaBox):
        if get(page, *box):
            return box[0].value, box[1].value, box[2].value, box[3].value
    return 0, 0, 612, 792


@lru_cache(maxsize=4096)
def _unmapped(char: str) -> bool:
    return unicodedata.category(char) in ("Co", "Cn", "Cc", "Cs") or char == "\ufffd"


def _address(handle: object) -> ctypes.c_void_p:
    """A pdfium handle (a ctypes pointer) as a ``c_void_p``, read from its memory: ``ctypes.cast``
    would tie the handle and its bookkeeping in a reference cycle, left to the garbage collector."""
    return ctypes.c_void_p(ctypes.c_void_p.from_buffer(handle).value)


def _bare(function: ctypes._CFuncPtr, restype: type) -> ctypes._CFuncPtr:
    """A pdfium function called without ctypes' conversion of each argument (pypdfium2's bindings
    check every pointer's type, twice the cost of the call here): the text page goes as a
    ``c_void_p``, an index as a Python int, a struct by reference."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_get_text = _bare(pdfium_c.FPDFText_GetText, ctypes.c_int)
_get_unicode = _bare(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint)
_is_generated = _bare(pdfium_c.FPDFText_IsGenerated, ctypes.c_int)
_map_error = _bare(pdfium_c.FPDFText_HasUnicodeMapError, ctypes.c_int)
_loose_box = _bare(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)
_text_object = _bare(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p)  # the handle as a plain address
_font_size = _bare(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_char_matrix = _bare(pdfium_c.FPDFText_GetMatrix, ctypes.c_int)
_RECT = struct.Struct("4f")  # FS_RECTF: left, top, right, bottom
_count_objects = _bare(pdfium_c.FPDFPage_CountObjects, ctypes.c_int)
_get_object = _bare(pdfium_c.FPDFPage_GetObject, ctypes.c_void_p)
_form_count_objects = _bare(pdfium_c.FPDFFormObj_CountObjects, ctypes.c_int)
_form_get_object = _bare(pdfium_c.FPDFFormObj_GetObject, ctypes.c_void_p)
_object_type = _bare(pdfium_c.FPDFPageObj_GetType, ctypes.c_int)
_object_matrix = _bare(pdfium_c.FPDFPageObj_GetMatrix, ctypes.c_int)
_object_bounds = _bare(pdfium_c.FPDFPageObj_GetBounds, ctypes.c_int)
_draw_mode = _bare(pdfium_c.FPDFPath_GetDrawMode, ctypes.c_int)
_count_segments = _bare(pdfium_c.FPDFPath_CountSegments, ctypes.c_int)
_path_segment = _bare(pdfium_c.FPDFPath_GetPathSegment, ctypes.c_void_p)
_segment_point = _bare(pdfium_c.FPDFPathSegment_GetPoint, ctypes.c_int)
_segment_type = _bare(pdfium_c.FPDFPathSegment_GetType, ctypes.c_int)
_segment_close = _bare(pdfium_c.FPDFPathSegment_GetClose, ctypes.c_int)
_MATRIX = struct.Struct("6f")  # FS_MATRIX: a, b, c, d, e, f


def _glyphs(page: pdfium_c.FPDF_PAGE, left: float, top: float) -> tuple[list[Glyph], int]:
    """A page's characters with their loose boxes, and the number of unmapped ones.

    The page's text comes in one call (``FPDFText_GetText``; per character when it does not line up
    with the characters, as with code points beyond the BMP); generation is asked of spaces only
    (pdfium generates spaces and line breaks); the em of each text object is computed once."""
    tp = pdfium_c.FPDFText_LoadPage(page)
    if not tp:
        raise pdfium.PdfiumError("Failed to load text page.")
    try:
        handle = _address(tp)
        count = pdfium_c.FPDFText_CountChars(tp)
        text = _page_text(handle, count)
        bad = set(filter(_unmapped, set(text))) - {"\t"}
        rect = pdfium_c.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        unpack = _RECT.unpack_from
        matrix = pdfium_c.FS_MATRIX()  # one buffer for every character's text matrix (see ``_em``)
        matrix_ref = ctypes.byref(matrix)
        ems: dict[int, float] = {}
        glyphs: list[Glyph] = []
        unmapped = 0
        map_error, loose_box, text_object, glyph, add = _map_error, _loose_box, _text_object, Glyph, glyphs.append
        is_generated = _is_generated
        last, em, limit = None, 0.0, 0.0  # the text object of the character before, its em, and the limit
        for i, char in enumerate(text):
            if char in "\r\n" or (char == " " and is_generated(handle, i) == 1):
                continue
            if map_error(handle, i) == 1 or char in bad:
                unmapped += 1
                char = "\ufffd"
            if not loose_box(handle, i, rect_ref):
                continue
            r_left, r_top, r_right, r_bottom = unpack(rect)
            x0, x1 = r_left - left, r_right - left
            y0, y1 = top - r_top, top - r_bottom
            obj = text_object(handle, i)  # None for a character of no text object: its own em, not shared
            if not obj or obj != last:
                em = ems.get(obj) if obj else None
                if em is None:
                    em = _em(handle, i, matrix, matrix_ref)
                    if obj:
                        ems[obj] = em
                last, limit = obj, _LOOSE_LIMIT * em
            if limit and (y1 - y0 > limit or x1 - x0 > limit):
                x0, y0, x1, y1 = _tight_box(tp, i, em, left, top)
            if x1 <= x0 or y1 <= y0:
                continue
            add(glyph(" " if char == "\t" else char, x0, y0, x1, y1))
        return glyphs, unmapped
    finally:
        pdfium_c.FPDFText_ClosePage(tp)


def _page_text(handle: ctypes.c_void_p, count: int) -> str:
    """The text page's characters, one string character each (U+FFFD where pdfium has no code).
    The UTF-16 buffer is a ``bytearray`` handed over by reference to its first byte: a ctypes array
    of that length would be a new ctypes type per page (and a type is a reference cycle)."""
    if count <= 0:
        return ""
    buffer = bytearray(2 * (count + 1))
    written = _get_text(handle, 0, count, ctypes.byref(ctypes.c_char.from_buffer(buffer)))
    text = bytes(buffer[: 2 * max(written - 1, 0)]).decode("utf-16-le", errors="replace")
    if len(text) != count or "\x00" in text:  # not one unit per character: ask character by character
        codes = (_get_unicode(handle, i) for i in range(count))
        return "".join(chr(code) if 0 < code < 0x110000 else "\ufffd" for code in codes)
    return text


def _em(handle: ctypes.c_void_p, i: int, matrix: pdfium_c.FS_MATRIX, matrix_ref: object) -> float:
    """A character's em in points: its font size scaled by its text matrix (0 when unknown).
    ``matrix`` is a buffer for the matrix, ``matrix_ref`` a reference to it."""
    if not _char_matrix(handle, i, matrix_ref):
        return 0.0
    a, b, c, d, _, _ = _MATRIX.unpack_from(matrix)
    return _font_size(handle, i) * abs(a * d - b * c) ** 0.5


def _tight_box(tp: pdfium_c.FPDF_TEXTPAGE, i: int, em: float, left: float,
               top: float) -> tuple[float, float, float, float]:
    """An em square around the character's drawn outline: for the loose boxes pdfium inflates by the
    unscaled font size (WPS's vertical table labels, ``三、本年度办理结果`` one character a line)."""
    a, b, c, d = (ctypes.c_double() for _ in range(4))
    pdfium_c.FPDFText_GetCharBox(tp, i, *(ctypes.byref(v) for v in (a, b, c, d)))
    cx, cy = (a.value + b.value) / 2 - left, top - (c.value + d.value) / 2
    return cx - em / 2, cy - em / 2, cx + em / 2, cy + em / 2


def _matrix(obj: ctypes.c_void_p) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not _object_matrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return _MATRIX.unpack_from(m)


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    """``inner`` applied first, then ``outer``."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (A * a + C * b, B * a + D * b, A * c + C * d, B * c + D * d, A * e + C * f + E, B * e + D * f + F)


def _walk(page: ctypes.c_void_p, form: ctypes.c_void_p | None, outer: Matrix, left: float,
          top: float, rulings: list[Ruling], depth: int) -> float:
    """Collect the rulings of a page's (or a form's) objects; returns the area its images cover.
    Handles are ``c_void_p`` (see ``_bare``)."""
    if form is None:
        count, get, parent = _count_objects(page), _get_object, page
    else:
        count, get, parent = _form_count_objects(form), _form_get_object, form
    image_area = 0.0
    for i in range(count):
        obj = ctypes.c_void_p(get(parent, i))
        kind = _object_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _path_rulings(obj, _compose(outer, _matrix(obj)), left, top, rulings)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_DEPTH:
            image_area += _walk(page, obj, _compose(outer, _matrix(obj)), left, top, rulings, depth + 1)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
            if _object_bounds(obj, *(ctypes.byref(v) for v in (x0, y0, x1, y1))):
                image_area += abs(x1.value - x0.value) * abs(y1.value - y0.value)
    return image_area


def _path_rulings(obj: ctypes.c_void_p, matrix: Matrix, left: float, top: float, rulings: list[Ruling]) -> None:
    """The straight segments of a stroked path, or the thin rectangles of a filled one, as rulings."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not _draw_mode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        return
    if not stroke.value and not fill.value:
        return
    a, b, c, d, e, f = matrix
    subpaths: list[list[tuple[float, float]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    for k in range(_count_segments(obj)):
        segment = ctypes.c_void_p(_path_segment(obj, k))
        if not _segment_point(segment, x_ref, y_ref):
            continue
        point = (a * x.value + c * y.value + e - left, top - (b * x.value + d * y.value + f))
        kind = _segment_type(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([point])
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            subpaths[-1].append(point)
        else:  # a curve: not a ruling; start afresh after it
            subpaths.append([point])
        if _segment_close(segment) and len(subpaths[-1]) > 1:
            subpaths[-1].append(subpaths[-1][0])
    for points in subpaths:
        if stroke.value:
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                _add_segment(x0, y0, x1, y1, rulings)
        elif len(points) >= 4:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            if y1 - y0 <= _THIN < x1 - x0:
                rulings.append(Ruling(True, (y0 + y1) / 2, x0, x1))
            elif x1 - x0 <= _THIN < y1 - y0:
                rulings.append(Ruling(False, (x0 + x1) / 2, y0, y1))


def _add_segment(x0: float, y0: float, x1: float, y1: float, rulings: list[Ruling]) -> None:
    if abs(y1 - y0) <= _STRAIGHT and abs(x1 - x0) > _STRAIGHT:
        rulings.append(Ruling(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) <= _STRAIGHT and abs(y1 - y0) > _STRAIGHT:
        rulings.append(Ruling(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
