"""HTML → blocks with lxml: running text as ``Line``s, innermost tables as span-aware grids.

* ``script``, ``style``, ``noscript``, ``head``, ``template``, embedded objects and comments are
  dropped; everything else is read in document order (navigation boilerplate included).
* Text outside data tables becomes one ``Line`` per block-level element or ``<br>``-separated
  line, with ``Provenance(line=element.sourceline)``; lines without any letter or digit are dropped.
* Every innermost ``<table>`` with at least one row of two cells becomes a
  ``TableBlock(separator="html")``: one row per ``<tr>``, each ``<td>/<th>`` once, at its true grid
  column after expanding the row- and colspans above it. Outer layout tables and single-column
  tables contribute their text as lines. A ``<caption>`` is a line before its table.
* Cell text: line breaks (``<br>``, ``<p>``, source newlines) inside a cell disappear between two
  CJK characters (``社会<br>公益<br>组织`` → ``社会公益组织``) and become one space otherwise.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..document import Block, GridCell, Line, Provenance, TableBlock
from .normalize import Normalizer, collapse_whitespace, normalizer_for

_DROPPED = ("script", "style", "noscript", "head", "template", "iframe", "object", "embed")
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "td",
        "th",
        "ul",
    }
)
_CELL_TAGS = ("td", "th")
_MAX_COLSPAN = 1000
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPAN = re.compile(r"\s*(\d+)")


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag near its start, if any."""
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii") if match else None


def parse_html(text: str) -> etree._Element:
    """Parse decoded HTML into an lxml tree without the parts that are never shown."""
    text = _XML_DECLARATION.sub("", text, count=1)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    root = lxml.html.document_fromstring(text, parser=parser)
    etree.strip_elements(root, *_DROPPED, with_tail=False)
    return root


def html_to_blocks(root: etree._Element) -> tuple[list[Block], Normalizer]:
    """The blocks of a parsed page (see the module docstring) and the normaliser applied to them."""
    normalizer = normalizer_for(root.text_content())
    walker = _Walker(normalizer)
    walker.walk(root)
    walker.flush()
    return walker.blocks, normalizer


class _Walker:
    """Walks the tree in document order, collecting lines and tables."""

    def __init__(self, normalize: Normalizer):
        self.normalize = normalize
        self.table = 0
        self.blocks: list[Block] = []
        self.pieces: list[str] = []
        self.line: int | None = None

    def add(self, text: str, line: int | None) -> None:
        if self.line is None and text.strip():
            self.line = line
        self.pieces.append(text)

    def flush(self) -> None:
        text = self.normalize(collapse_whitespace("".join(self.pieces)))
        if any(ch.isalnum() for ch in text):
            self.blocks.append(Line(text, Provenance(line=self.line)))
        self.pieces = []
        self.line = None

    def walk(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == "br":
            self.flush()
            return
        if tag == "table" and _is_data_table(element):
            self.flush()
            self.emit_table(element)
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if element.text:
            self.add(element.text, element.sourceline)
        for child in element:
            if isinstance(child.tag, str):
                self.walk(child)
            if child.tail:
                self.add(child.tail, child.sourceline)
        if block:
            self.flush()

    def emit_table(self, table: etree._Element) -> None:
        for caption in table.iter("caption"):
            self.walk(caption)
        self.flush()
        rows = _grid_rows(table, self.table, self.normalize)
        self.blocks.append(
            TableBlock(rows, Provenance(line=table.sourceline, table=self.table), separator="html")
        )
        self.table += 1


def _is_data_table(table: etree._Element) -> bool:
    """An innermost table with at least one row of two or more cells."""
    if next(table.iterdescendants("table"), None) is not None:
        return False
    return any(sum(1 for c in tr if c.tag in _CELL_TAGS) >= 2 for tr in table.iter("tr"))


def _span(value: str | None) -> int:
    """A ``rowspan``/``colspan`` value; one of more digits than any limit counts as over every limit
    (``int`` refuses strings of thousands of digits)."""
    match = _SPAN.match(value or "")
    if not match:
        return 1
    digits = match.group(1).lstrip("0") or "0"
    return int(digits) if len(digits) <= 9 else 10**9


def _grid_rows(table: etree._Element, index: int, normalize: Normalizer) -> tuple[tuple[GridCell, ...], ...]:
    """One tuple of cells per ``<tr>``, each cell at its grid column (the span-expansion algorithm)."""
    trs = list(table.iter("tr"))
    covered: list[int] = []  # per grid column: how many more rows a cell from above still covers
    rows: list[tuple[GridCell, ...]] = []
    for r, tr in enumerate(trs):
        cells: list[GridCell] = []
        col = 0
        for td in tr:
            if td.tag not in _CELL_TAGS:
                continue
            while col < len(covered) and covered[col]:
                col += 1
            colspan = min(max(_span(td.get("colspan")), 1), _MAX_COLSPAN)
            rowspan = _span(td.get("rowspan"))
            rowspan = len(trs) - r if rowspan == 0 else min(rowspan, len(trs) - r)
            if len(covered) < col + colspan:
                covered.extend([0] * (col + colspan - len(covered)))
            covered[col : col + colspan] = [rowspan] * colspan
            where = Provenance(line=td.sourceline, table=index, row=r, col=col)
            cells.append(GridCell(normalize(_cell_text(td)), where, rowspan, colspan))
            col += colspan
        rows.append(tuple(cells))
        covered = [max(height - 1, 0) for height in covered]
    return tuple(rows)


def _cell_text(cell: etree._Element) -> str:
    """A cell's text: line breaks inside it become newlines, then whitespace is collapsed."""
    pieces: list[str] = []

    def collect(element: etree._Element) -> None:
        if element.text:
            pieces.append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                breaks = child.tag == "br" or child.tag in _BLOCK_TAGS
                if breaks:
                    pieces.append("\n")
                collect(child)
                if breaks:
                    pieces.append("\n")
            if child.tail:
                pieces.append(child.tail)

    collect(cell)
    return collapse_whitespace("".join(pieces))
