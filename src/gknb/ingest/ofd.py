"""OFD (GB/T 33190) → blocks: the text objects and ruling lines of each page, laid out as PDF pages are.

An OFD file is a zip: ``OFD.xml`` names the document root (``Doc_0/Document.xml``), which lists the
pages (``Pages/Page_N/Content.xml``). Every ``TextObject`` gives its characters with positions
(``TextCode`` X/Y at the baseline, ``DeltaX`` advances with the ``g N D`` shorthand, the object's
``Boundary`` and ``CTM``); every ``PathObject`` whose outline runs straight along an axis gives
ruling lines (a thin filled rectangle counts as one line). Coordinates are millimetres from the top-
left corner, turned into points. From there ``pagelayout`` does the rest, as for PDF: ruled tables
become grids with spans, other text becomes lines grouped by baseline (``label 0 0 0`` when a table
has no rulings). Template pages (letterheads), images and annotations are left out; an OFD without
any text (a scan) is refused.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from ..document import Block
from ..errors import UnreadableFile
from .normalize import normalizer_for
from .pagelayout import Glyph, PageContent, Ruling, pages_to_blocks
from .zips import ZIP_ERRORS

__all__ = ["ofd_to_blocks"]

MM = 72 / 25.4  # points per millimetre
MAX_UNPACKED = 400 * 1024 * 1024
MAX_PAGES = 2000
_A4 = (210.0, 297.0)
_AXIS = 0.2  # mm: a segment this close to horizontal/vertical runs along the axis
_THIN = 1.0  # mm: a path thinner than this is one ruling line
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def ofd_to_blocks(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    """The blocks of an OFD file and the normalisation notes. Raises UnreadableFile."""
    pages = _Package(raw, label).pages()
    if not any(page.glyphs for page in pages):
        raise UnreadableFile(
            "OFD 文件中没有文字（可能是扫描件，需要文字识别）",
            "the OFD file contains no text (a scan? it would need OCR)",
            label,
        )
    normalize = normalizer_for("".join(g.text for page in pages for g in page.glyphs))
    return pages_to_blocks(pages, normalize), normalize.notes


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c) == name), None)


def _text(element: etree._Element | None, *path: str) -> str | None:
    """The text of the element at ``path`` (local names) below ``element``, if any."""
    for name in path:
        element = _child(element, name)
    return element.text if element is not None else None


def _numbers(text: str | None) -> list[float]:
    """The numbers in an attribute; one too large for a float (``1e309``) is none."""
    return [v for v in map(float, _NUMBER.findall(text or "")) if math.isfinite(v)]


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text)
    return (values[0], values[1], values[2], values[3]) if len(values) >= 4 else None


class _Package:
    """The zip and its XML parts, resolved as the OFD structure says."""

    def __init__(self, raw: bytes, label: str):
        self.label = label
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(raw))
            infos = self.archive.infolist()
        except ZIP_ERRORS as exc:
            raise self.corrupt("not a valid zip package") from exc
        if sum(info.file_size for info in infos) > MAX_UNPACKED:
            raise UnreadableFile("OFD 文件解压后过大", "the OFD file is too large once unpacked", label)
        self.names = {info.filename for info in infos}

    def corrupt(self, detail: str) -> UnreadableFile:
        return UnreadableFile(
            "无法读取 OFD 文件：文件已损坏或不是 OFD 格式",
            f"cannot read the OFD file: corrupt or not OFD ({detail})",
            self.label,
        )

    def xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.archive.read(name), _PARSER)
        except KeyError as exc:
            raise self.corrupt(f"{name} is missing") from exc
        except (etree.XMLSyntaxError, *ZIP_ERRORS) as exc:
            raise self.corrupt(f"{name} is not well-formed XML") from exc

    def resolve(self, base: str, location: str) -> str:
        """A ``BaseLoc``: absolute from the package root, or relative to the folder of ``base``."""
        location = location.strip().replace("\\", "/")
        candidates = [location.lstrip("/")] if location.startswith("/") else [
            posixpath.normpath(posixpath.join(posixpath.dirname(base), location)), location
        ]
        return next((c for c in candidates if c in self.names), candidates[0])

    def pages(self) -> list[PageContent]:
        root = self.xml("OFD.xml")
        doc_root = _child(_child(root, "DocBody"), "DocRoot")
        if doc_root is None or not (doc_root.text or "").strip():
            raise self.corrupt("OFD.xml names no DocRoot")
        document_name = self.resolve("", doc_root.text)
        document = self.xml(document_name)
        default_box = _box(_text(document, "CommonData", "PageArea", "PhysicalBox")) or (0.0, 0.0, *_A4)
        out = []
        seen: set[str] = set()
        listing = _child(document, "Pages")
        for number, page in enumerate(p for p in (listing if listing is not None else []) if _local(p) == "Page"):
            if number >= MAX_PAGES:
                break
            location = page.get("BaseLoc")
            if not location:
                continue
            name = self.resolve(document_name, location)
            if name in seen:  # one content part listed again is no new page (2000 listings read it 2000 times)
                continue
            seen.add(name)
            content = self.xml(name)
            box = _box(_text(content, "Area", "PhysicalBox")) or default_box
            out.append(_page(content, number + 1, box))
        if not out:
            raise self.corrupt("the document has no pages")
        return out


def _page(content: etree._Element, number: int, box: tuple[float, float, float, float]) -> PageContent:
    page = PageContent(number, box[2] * MM, box[3] * MM)
    layers = _child(content, "Content")
    for layer in layers if layers is not None else []:
        _objects(layer, page, (0.0, 0.0))
    return page


def _objects(container: etree._Element, page: PageContent, origin: tuple[float, float]) -> None:
    for element in container:
        name = _local(element)
        if name == "TextObject":
            page.glyphs.extend(_glyphs(element, origin))
        elif name == "PathObject":
            page.rulings.extend(_rulings(element, origin))
        elif name in ("PageBlock", "Layer"):
            _objects(element, page, origin)


def _frame(element: etree._Element, origin: tuple[float, float]) -> tuple[float, float, Matrix]:
    boundary = _box(element.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
    ctm = _numbers(element.get("CTM"))
    matrix: Matrix = (ctm[0], ctm[1], ctm[2], ctm[3], ctm[4], ctm[5]) if len(ctm) >= 6 else _IDENTITY
    return origin[0] + boundary[0], origin[1] + boundary[1], matrix


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _deltas(text: str | None) -> list[float]:
    """``DeltaX``/``DeltaY`` values, with ``g N D`` expanded to N times D."""
    out: list[float] = []
    tokens = (text or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            count, value = _numbers(tokens[i + 1]), _numbers(tokens[i + 2])
            if count and value:
                out.extend([value[0]] * min(int(count[0]), 10000))
            i += 3
            continue
        value = _numbers(tokens[i])
        if value:
            out.append(value[0])
        i += 1
    return out


def _glyphs(element: etree._Element, origin: tuple[float, float]) -> Iterator[Glyph]:
    ox, oy, matrix = _frame(element, origin)
    size = (_numbers(element.get("Size")) or [3.5])[0]
    scale_x = math.hypot(matrix[0], matrix[1]) or 1.0
    scale_y = math.hypot(matrix[2], matrix[3]) or 1.0
    height = size * scale_y
    x = y = 0.0
    for code in element:
        if _local(code) != "TextCode" or not code.text:
            continue
        x = (_numbers(code.get("X")) or [x])[0]
        y = (_numbers(code.get("Y")) or [y])[0]
        dx, dy = _deltas(code.get("DeltaX")), _deltas(code.get("DeltaY"))
        for i, char in enumerate(code.text):
            advance = dx[i] if i < len(dx) else size * (1.0 if char >= "\u2e80" else 0.5)
            px, py = _apply(matrix, x, y)
            left, base = ox + px, oy + py
            width = max(advance * scale_x, 0.1)
            yield Glyph(char, left * MM, (base - 0.86 * height) * MM, (left + width) * MM, (base + 0.14 * height) * MM)
            x += dx[i] if i < len(dx) else advance
            y += dy[i] if i < len(dy) else 0.0


def _segments(data: str | None) -> Iterator[tuple[float, float, float, float]]:
    """The straight segments of an ``AbbreviatedData`` path (curves only move the pen)."""
    tokens = (data or "").split()
    start = pen = (0.0, 0.0)
    arity = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    i = 0
    while i < len(tokens):
        command = tokens[i]
        if command not in arity:
            i += 1
            continue
        args = _numbers(" ".join(tokens[i + 1 : i + 1 + arity[command]]))
        i += 1 + arity[command]
        if len(args) < arity[command]:
            break
        if command in ("M", "S"):
            start = pen = (args[0], args[1])
        elif command == "L":
            yield (*pen, args[0], args[1])
            pen = (args[0], args[1])
        elif command == "C":
            yield (*pen, *start)
            pen = start
        else:
            pen = (args[-2], args[-1])


def _rulings(element: etree._Element, origin: tuple[float, float]) -> list[Ruling]:
    ox, oy, matrix = _frame(element, origin)
    points = []
    for x0, y0, x1, y1 in _segments(_text(element, "AbbreviatedData")):
        (ax, ay), (bx, by) = _apply(matrix, x0, y0), _apply(matrix, x1, y1)
        points.append((ox + ax, oy + ay, ox + bx, oy + by))
    if not points:
        return []
    left = min(min(p[0], p[2]) for p in points)
    right = max(max(p[0], p[2]) for p in points)
    top = min(min(p[1], p[3]) for p in points)
    bottom = max(max(p[1], p[3]) for p in points)
    if bottom - top < _THIN < right - left:  # a thin bar: one horizontal line
        return [Ruling(True, (top + bottom) / 2 * MM, left * MM, right * MM)]
    if right - left < _THIN < bottom - top:
        return [Ruling(False, (left + right) / 2 * MM, top * MM, bottom * MM)]
    out = []
    for x0, y0, x1, y1 in points:
        if abs(y1 - y0) < _AXIS and abs(x1 - x0) >= _AXIS:
            out.append(Ruling(True, (y0 + y1) / 2 * MM, min(x0, x1) * MM, max(x0, x1) * MM))
        elif abs(x1 - x0) < _AXIS and abs(y1 - y0) >= _AXIS:
            out.append(Ruling(False, (x0 + x1) / 2 * MM, min(y0, y1) * MM, max(y0, y1) * MM))
    return out
