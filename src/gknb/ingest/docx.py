"""Word documents → blocks: DOCX with python-docx; DOC and WPS through LibreOffice first.

* The body is read in document order (paragraphs and tables interleaved as printed). Headers,
  footers, comments, footnotes, text boxes, drawings and deleted revisions are left out.
* A paragraph becomes one ``Line`` per soft line break, with ``Provenance(line=n)``: n is the
  1-based number of the paragraph among the paragraphs outside data tables. Tabs are kept (a
  tab-aligned table reads as in a text file); empty paragraphs are kept as blank lines.
* A table with at least one row of two cells and no table nested inside becomes a
  ``TableBlock(separator="docx")``: one row per ``w:tr``, each cell once at its true grid column
  (``w:gridBefore`` and ``w:gridSpan`` counted), ``w:vMerge`` continuation cells folded into the
  rowspan of the cell above (legacy ``w:hMerge`` into the colspan of the cell before), with
  ``Provenance(table, row, col)``. Grid columns where no cell begins, and slivers narrower than
  about 1 mm (borders a hair apart, common after conversions), are not counted as columns. A cell's paragraphs are joined as HTML cells are: without a
  separator between two CJK characters (a wrapped label), with one space otherwise.
* Tables with nested tables (layout) and single-column tables contribute their content in order.
* ``.doc``/``.wps`` (OLE) files are converted to DOCX by ``soffice --headless`` with the Word 97
  import filter (WPS files are Word-compatible) when LibreOffice is installed, in a temporary
  directory with a throwaway profile and a time limit.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError
from docx.package import Package
from lxml import etree

from ..document import Block, GridCell, Line, Provenance, TableBlock
from ..errors import UnreadableFile, UnsupportedFormat
from .normalize import Normalizer, collapse_whitespace, normalizer_for

__all__ = ["doc_to_blocks", "doc_to_docx", "docx_to_blocks"]

_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MAX_UNPACKED = 400 * 1024 * 1024  # a zip bomb guard: the sum of the members' sizes
MAX_XML_PART = 32 * 1024 * 1024  # one XML part, unpacked: its parsed tree takes ~17 times as much memory
CONVERT_TIMEOUT = 120.0
_WORD_STREAM = "WordDocument".encode("utf-16-le")  # the directory entry of every Word/WPS file
_MAX_SPAN = 1000
_SLIVER = 60  # twips (about 1 mm): a grid column narrower than this holds no text


def docx_to_blocks(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    """The blocks of a DOCX file and the normalisation notes. Raises UnreadableFile."""
    body = _open_body(raw, label)
    reader = _Reader(body)
    blocks = reader.read()
    if not any(isinstance(b, TableBlock) or not b.blank for b in blocks):
        raise UnreadableFile("Word 文档中没有文字", "the Word document contains no text", label)
    return blocks, reader.normalize.notes


def doc_to_blocks(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    """The blocks of a ``.doc``/``.wps`` file, read through its DOCX conversion (see ``doc_to_docx``)."""
    return docx_to_blocks(doc_to_docx(raw, label), label)


def doc_to_docx(raw: bytes, label: str, *, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """Convert a ``.doc``/``.wps`` file to DOCX bytes with LibreOffice (``soffice --headless``).

    Raises UnsupportedFormat when LibreOffice is not installed, UnreadableFile when it fails.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UnsupportedFormat(
            "读取 DOC/WPS 文件需要安装 LibreOffice（soffice），或先另存为 DOCX",
            "reading DOC/WPS files needs LibreOffice (soffice) installed; or save the file as DOCX first",
            label,
        )
    if _WORD_STREAM not in raw:
        raise UnreadableFile(
            "不是 Word/WPS 文档：文件中没有 WordDocument 数据流（可能已损坏）",
            "not a Word/WPS document: the file has no WordDocument stream (it may be corrupt)",
            label,
        )
    with tempfile.TemporaryDirectory(prefix="gknb-doc-") as tmp:
        folder = Path(tmp)
        source = folder / "input.doc"
        source.write_bytes(raw)
        out = folder / "out"
        command = [
            soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
            "--nologo", "--nodefault", "--nolockcheck", "--infilter=MS Word 97", "--convert-to", "docx:MS Word 2007 XML",
            "--outdir", str(out), str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise UnreadableFile(
                f"LibreOffice 转换 DOC/WPS 文件超时（{timeout:g} 秒）",
                f"LibreOffice timed out converting the DOC/WPS file ({timeout:g} s)",
                label,
            ) from exc
        except OSError as exc:
            raise UnreadableFile(
                f"无法运行 LibreOffice：{exc.strerror}", f"cannot run LibreOffice: {exc.strerror}", label
            ) from exc
        converted = out / "input.docx"
        if not converted.is_file():
            raise UnreadableFile(
                "LibreOffice 无法转换该 DOC/WPS 文件（文件可能已损坏）",
                "LibreOffice could not convert the DOC/WPS file (it may be corrupt)",
                label,
            )
        return converted.read_bytes()


def _corrupt(label: str, detail: str) -> UnreadableFile:
    return UnreadableFile(
        "无法读取 Word 文档：文件已损坏或不是 DOCX 格式",
        f"cannot read the Word document: corrupt or not a DOCX file ({detail})",
        label,
    )


def _open_body(raw: bytes, label: str) -> etree._Element:
    """The ``w:body`` element of the main document part."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > MAX_UNPACKED or any(
                    info.file_size > MAX_XML_PART for info in members if info.filename.lower().endswith((".xml", ".rels"))):
                raise UnreadableFile(
                    "Word 文档解压后过大", "the Word document is too large once unpacked", label
                )
        part = Package.open(io.BytesIO(raw)).main_document_part
        element = getattr(part, "element", None)
        if element is None:  # a main part python-docx does not model (e.g. .docm): parse it ourselves
            element = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise _corrupt(label, "not a valid zip package") from exc
    except KeyError as exc:
        raise _corrupt(label, "no main document part") from exc
    except Exception as exc:  # python-docx fails on broken packages in many ways (AttributeError …)
        raise _corrupt(label, "its parts cannot be read") from exc
    namespace = etree.QName(element).namespace
    if namespace not in (_TRANSITIONAL, _STRICT):
        raise _corrupt(label, "the main part is not WordprocessingML")
    body = element.find(f"{{{namespace}}}body")
    if body is None:
        raise _corrupt(label, "no document body")
    return body


class _Reader:
    """Walks a ``w:body`` in order, collecting lines and data tables."""

    def __init__(self, body: etree._Element):
        self.body = body
        ns = etree.QName(body).namespace
        self.w = f"{{{ns}}}"
        w = self.w
        self.P, self.TBL, self.TR, self.TC = w + "p", w + "tbl", w + "tr", w + "tc"
        self.containers = {w + "sdt", w + "sdtContent", w + "customXml", w + "smartTag"}
        # runs' children that print something, and subtrees never shown in the body text
        self.texts = {w + "t": None, w + "tab": "\t", w + "ptab": "\t", w + "br": "\n", w + "cr": "\n",
                      w + "noBreakHyphen": "-"}
        self.skipped = {w + "drawing", w + "pict", w + "object", w + "del", w + "moveFrom", w + "rPr",
                        w + "pPr", w + "instrText", w + "delText", w + "footnoteReference",
                        w + "endnoteReference", w + "commentReference",
                        "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}
        self.normalize: Normalizer = normalizer_for("".join(body.itertext(w + "t")))
        self.blocks: list[Block] = []
        self.paragraph = 0
        self.table = 0

    def read(self) -> list[Block]:
        self.walk(self.body)
        return self.blocks

    def walk(self, parent: etree._Element) -> None:
        for child in parent:
            tag = child.tag
            if tag == self.P:
                self.paragraph += 1
                for piece in self.paragraph_text(child).split("\n"):
                    self.blocks.append(Line(self.normalize(piece), Provenance(line=self.paragraph)))
            elif tag == self.TBL:
                if self.is_data_table(child):
                    self.blocks.append(self.grid(child))
                else:
                    for tc in self.cells_of_table(child):
                        self.walk(tc)
            elif tag in self.containers:
                self.walk(child)

    def paragraph_text(self, p: etree._Element) -> str:
        return "".join(self.pieces(p))

    def pieces(self, element: etree._Element) -> Iterator[str]:
        for child in element:
            tag = child.tag
            if tag in self.texts:
                fixed = self.texts[tag]
                yield (child.text or "") if fixed is None else fixed
            elif tag not in self.skipped and isinstance(tag, str):
                yield from self.pieces(child)

    def children(self, parent: etree._Element, tag: str) -> Iterator[etree._Element]:
        """``parent``'s children of ``tag``, looking through content controls and custom XML."""
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag in self.containers:
                yield from self.children(child, tag)

    def cells_of_table(self, tbl: etree._Element) -> Iterator[etree._Element]:
        for tr in self.children(tbl, self.TR):
            yield from self.children(tr, self.TC)

    def is_data_table(self, tbl: etree._Element) -> bool:
        """An innermost table with a row of two or more cells."""
        if next(tbl.iterdescendants(self.TBL), None) is not None:
            return False
        return any(sum(1 for _ in self.children(tr, self.TC)) >= 2 for tr in self.children(tbl, self.TR))

    def prop(self, tc: etree._Element, name: str) -> etree._Element | None:
        return tc.find(f"{self.w}tcPr/{self.w}{name}")

    def value(self, element: etree._Element | None) -> str | None:
        return None if element is None else element.get(self.w + "val")

    def span(self, tc: etree._Element) -> int:
        return max(_number(self.value(self.prop(tc, "gridSpan")), 1), 1)

    def merge(self, tc: etree._Element, name: str) -> str | None:
        """``restart``, ``continue`` or None for a cell's ``w:vMerge``/``w:hMerge``."""
        element = self.prop(tc, name)
        return None if element is None else (self.value(element) or "continue")

    def grid(self, tbl: etree._Element) -> TableBlock:
        """The table as a grid: each cell once, at its grid column, with its spans."""
        index = self.table
        self.table += 1
        rows: list[list[list]] = []  # per row: [text, row, col, rowspan, colspan]
        above: dict[int, list] = {}  # grid column → the cell a vMerge continuation there extends
        for r, tr in enumerate(self.children(tbl, self.TR)):
            cells: list[list] = []
            current: dict[int, list] = {}
            trpr = tr.find(self.w + "trPr")
            col = _number(self.value(trpr.find(self.w + "gridBefore")) if trpr is not None else None, 0)
            for tc in self.children(tr, self.TC):
                span = self.span(tc)
                if self.merge(tc, "hMerge") == "continue" and cells:
                    cells[-1][4] += span
                    col += span
                    continue
                origin = above.get(col)
                if self.merge(tc, "vMerge") == "continue" and origin is not None and origin[4] == span:
                    origin[3] = r - origin[1] + 1
                    current[col] = origin
                else:
                    cell = [self.cell_text(tc), r, col, 1, span]
                    cells.append(cell)
                    current[col] = cell
                col += span
            rows.append(cells)
            above = current
        # Grid columns where no cell begins, and slivers (borders a hair apart), are not columns.
        slivers = self.slivers(tbl)
        kept = sorted({cell[2] for cells in rows for cell in cells} - slivers)

        def column(c: int) -> int:
            return bisect_left(kept, c)

        grid = tuple(
            tuple(
                GridCell(text, Provenance(table=index, row=r, col=column(c)), rs, max(column(c + cs) - column(c), 1))
                for text, r, c, rs, cs in cells
            )
            for cells in rows
        )
        return TableBlock(grid, Provenance(table=index), separator="docx")

    def slivers(self, tbl: etree._Element) -> set[int]:
        """The grid columns of ``w:tblGrid`` too narrow to hold any text."""
        widths = [g.get(self.w + "w") for g in tbl.findall(f"{self.w}tblGrid/{self.w}gridCol")]
        return {i for i, width in enumerate(widths) if width and width.isdecimal() and _number(width, _SLIVER) < _SLIVER}

    def cell_text(self, tc: etree._Element) -> str:
        paragraphs = (self.paragraph_text(p) for p in self.children(tc, self.P))
        return self.normalize(collapse_whitespace("\n".join(paragraphs)))


def _number(value: str | None, default: int) -> int:
    """A non-negative integer attribute (bounded), or ``default`` when absent or malformed (``int`` also
    refuses thousands of digits)."""
    try:
        return min(max(int(value), 0), _MAX_SPAN) if value is not None else default
    except ValueError:
        return default
