"""Positioned glyphs and ruling lines of pages → blocks: the layout shared by the PDF and OCR readers.

Input per page: glyphs (a character with its box, from a PDF text layer or from OCR, with OCR's
confidence) and ruling lines (horizontal and vertical segments: stroked paths, thin filled rectangles,
or lines found on a page image). Coordinates are points, origin at the page's top-left corner.

* Ruled tables: the rulings that touch each other form a table; the distinct x of its vertical lines
  and y of its horizontal lines cut it into elementary cells, and neighbouring elementary cells not
  separated by a drawn border are one merged cell. Each cell appears once, at its top-left, with its
  true grid column and its spans (``TableBlock(separator="pdf")``). A cell's text is its glyphs in
  reading order, lines inside the cell joined (no space between two CJK characters).
  A number the cell's width broke (``89`` / ``1``, its first line as wide as the cell allows) is one
  number. Verticals running on past the last horizontal rule (a row the page break left open) close
  the table there.
* Tables ruled only horizontally: a stack of at least three rules is a table when rows between them
  hold numbers; its column edges are where rules stop inside it and the blanks the numbered rows
  leave open (``_column_rulings``, each sub-table on its own); a stack ends at running text.
* Tables without any rule: rows from the lines of numbers and the bands of column titles, label
  lines shared so each row's labels centre on its numbers (``_text_rows``); columns as above. Lines
  of bare digits a narrow column wrapped (``1`` / ``2`` / ``3`` around the row's label) are joined
  into the labelled row's numbers where each piece fills its column (``_fuse_wrapped_numbers``).
  Where value columns stack a number's digits line by line, the rows below the header are cut again
  by text column positions (``_stacked_rows``): the fewest rows such that each row holds one cell per
  column (its lines at the cell's leading, a number's pieces each filling the column), the row's
  cells centred on one height (or sharing one top), and an item's opening line (``2.``) starting its row.
  Column titles wider than their numbers are titles; a table a heading ends leaves the lines after
  it to the next table; a table of numbers without labels below ends the one above.
* A table that ends a page and one that starts the next page with the same left and right edges are
  one table: header rows repeated at the top are dropped, a row broken by the page is fused again
  (label pieces, numbers in the upper half or broken as above), and a row label split by the page
  (one part empty) becomes one cell spanning both parts. A repeated header row whose spanning cell
  prints its text over the continued row (LibreOffice) gets those glyphs back first.
* Text outside tables: one ``Line`` per printed line, a space where glyphs are visibly apart (so a
  table without rules whose columns are unclear, a label glued to a number, reads ``label 0 0 0``;
  measured against the line's type size, so a browser's flat ``一`` or a full-width quote's ink does
  not open a space); a line wrapped at the right edge is joined to its continuation, on the next
  page too (see ``_paragraphs``).
* Page headers and footers are dropped: lines in the top or bottom margin that repeat on several
  pages (digits ignored), and page numbers (``第 N 页``, ``- N -``, ``N / M``, a bare number).
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from ..document import Block, GridCell, Line, Provenance, TableBlock

__all__ = ["Glyph", "PageContent", "Ruling", "pages_to_blocks"]

_TOL = 2.5  # points: rulings closer than this are one position; a border may miss a corner by this
_MIN_CELL = 3.0  # points: grid rows/columns thinner than this are double borders, not cells
_MARGIN = 0.09  # share of the page height where headers and footers live
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page\s*)?\d{1,4}\s*of\s*\d{1,4}|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)$",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?$")
_GAP = 0.35  # a gap wider than this share of the type size is a space
_PUNCT_GAP = 0.9  # the same beside full-width punctuation
_WIDE_PUNCT = frozenset("“”‘’、，。；：！？（）《》【】〔〕「」『』")


class Glyph:
    """One printed character (or a space) and its box; ``confidence`` from OCR, None from a text layer.

    A plain slotted class with its centre computed once: pages have thousands of characters, and a
    frozen dataclass's constructor and the centre's properties were a large part of reading a PDF."""

    __slots__ = ("text", "x0", "y0", "x1", "y1", "confidence", "cx", "cy")

    def __init__(self, text: str, x0: float, y0: float, x1: float, y1: float, confidence: float | None = None):
        self.text = text
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
        self.confidence = confidence
        self.cx = (x0 + x1) / 2
        self.cy = (y0 + y1) / 2

    def _key(self) -> tuple[str, float, float, float, float, float | None]:
        return (self.text, self.x0, self.y0, self.x1, self.y1, self.confidence)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Glyph) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Glyph({!r}, {}, {}, {}, {}, {})".format(*self._key())


class Ruling(NamedTuple):
    """A drawn horizontal (``pos`` = y, from ``start`` to ``end`` in x) or vertical line (a named
    tuple: pages have many, and they are made again as tables are found)."""

    horizontal: bool
    pos: float
    start: float
    end: float


@dataclass
class PageContent:
    """What one page prints: its size, glyphs and rulings (1-based ``number``)."""

    number: int
    width: float
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    rulings: list[Ruling] = field(default_factory=list)


# ----------------------------------------------------------------------------- text runs and lines


class _Run:
    """Glyphs on one printed line, left to right. Its box and text are computed once, when first
    asked (the table finders ask them many times; a run's glyphs never change)."""

    __slots__ = ("glyphs", "_bbox", "_text")

    def __init__(self, glyphs: list[Glyph]):
        self.glyphs = glyphs
        self._bbox: tuple[float, float, float, float] | None = None
        self._text: str | None = None

    def __repr__(self) -> str:
        return f"_Run({self.glyphs!r})"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        if self._bbox is None:
            self._bbox = self._box()
        return self._bbox

    def _box(self) -> tuple[float, float, float, float]:
        gs = [g for g in self.glyphs if g.text.strip()]
        first = gs[0]
        x0, y0, x1, y1 = first.x0, first.y0, first.x1, first.y1
        for g in gs:  # min() and max() in one pass, each keeping the first of equal values as they do
            if g.x0 < x0:
                x0 = g.x0
            if g.y0 < y0:
                y0 = g.y0
            if g.x1 > x1:
                x1 = g.x1
            if g.y1 > y1:
                y1 = g.y1
        return (x0, y0, x1, y1)

    def text(self) -> str:
        """The line's characters, a space where a space is printed or the glyphs stand visibly apart
        (more than a third of the line's type size: the median glyph height, so a flat ink box such
        as a browser's ``一``, 1 pt tall, does not make every gap look wide)."""
        if self._text is None:
            self._text = self._line()
        return self._text

    def _line(self) -> str:
        glyphs = self.glyphs
        printed = [g for g in glyphs if g.text.strip()]
        if len(printed) == len(glyphs) == 1:
            return printed[0].text
        talls = [g.y1 - g.y0 for g in printed]
        heights = sorted(talls)
        size = heights[len(heights) // 2] if heights else 1.0
        half = 0.5 * size
        out: list[str] = []
        space = started = wide_before = False
        before = right = 0.0  # the previous printed glyph's height and right edge
        k = 0
        for glyph in glyphs:
            text = glyph.text
            if not text.strip():
                space = True
                continue
            tall = talls[k]
            k += 1
            wide = text in _WIDE_PUNCT
            if started:
                pair = before if before < tall else tall  # min(tall, before)
                height = pair if pair >= half else size
                if height < 1.0:
                    height = 1.0
                # full-width punctuation draws its ink in one side of its em square
                if space or glyph.x0 - right > (_PUNCT_GAP if wide or wide_before else _GAP) * height:
                    out.append(" ")
            out.append(text)
            started, before, right, wide_before, space = True, tall, glyph.x1, wide, False
        return "".join(out)

    def confidence(self) -> float | None:
        scores = [g.confidence for g in self.glyphs if g.confidence is not None and g.text.strip()]
        return min(scores) if scores else None


def _confidence(runs: list[_Run], glyphs: list[Glyph]) -> float | None:
    """The least OCR confidence of the runs' printed glyphs (None from a text layer), the runs made
    of ``glyphs``."""
    scored = list(map(_CONFIDENCE, glyphs))
    if scored.count(None) == len(scored):
        return None
    scores = [c for r in runs if (c := r.confidence()) is not None]
    return min(scores) if scores else None


def _runs(glyphs: Iterable[Glyph]) -> list[_Run]:
    """Glyphs grouped into printed lines (vertical overlap with the line's first glyph), top to bottom."""
    if isinstance(glyphs, list):
        if len(glyphs) == 1:  # a cell of one character
            return [_Run([glyphs[0]])] if glyphs[0].text.strip() else []
        if glyphs and _one_band(glyphs):  # one line, as the loop below finds it
            line = sorted(glyphs, key=_BY_X)
            start = next((k for k, g in enumerate(line) if g.text.strip()), None)
            return [] if start is None else [_Run(line[start:])]
    lines: list[list[Glyph]] = []
    line: list[Glyph] = []
    top = bottom = tall = 0.0  # the line's first glyph's extent and height
    for glyph in sorted(glyphs, key=_BY_LINE):
        y0, y1 = glyph.y0, glyph.y1
        if line:
            overlap = (y1 if y1 < bottom else bottom) - (y0 if y0 > top else top)  # min() and max() as written out
            height = y1 - y0
            if overlap > 0.5 * (height if height < tall else tall) or not glyph.text.strip():
                line.append(glyph)
                continue
        if glyph.text.strip():
            line = [glyph]
            lines.append(line)
            top, bottom, tall = y0, y1, y1 - y0
    return [_Run(sorted(line, key=_BY_X)) for line in lines]


def _one_band(glyphs: list[Glyph]) -> bool:
    """Whether every glyph has the first one's top and bottom, a finite height apart, and a finite
    left edge (a number's characters in one font): ``_runs`` then makes one line of them, left to
    right, from the first printed glyph on (each overlaps the line by its whole height; their
    middles are equal, so sorting by middle and x is sorting by x)."""
    first = glyphs[0]
    y0, y1 = first.y0, first.y1
    if not 0 < y1 - y0 < math.inf:
        return False
    for g in glyphs:
        if g.y0 != y0 or g.y1 != y1:
            return False
    return math.isfinite(sum(map(_X0, glyphs)))


_BY_LINE = attrgetter("cy", "x0")
_BY_X = _X0 = attrgetter("x0")
_CY = attrgetter("cy")
_CONFIDENCE = attrgetter("confidence")


def _wide(char: str) -> bool:
    """A character of Chinese text (CJK, full-width forms, and the quotes and dashes it shares with Latin)."""
    return char >= "\u2e80" or char in "‘’“”—…"


def _join_lines(texts: list[str]) -> str:
    """The lines of one cell as one text: no space between two CJK characters, else one space."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out and not (_wide(out[-1]) and _wide(text[0])):
            out += " "
        out += text
    return out


# ----------------------------------------------------------------------------- rulings → tables


def _cluster(values: Iterable[float], tol: float = _TOL) -> list[float]:
    """Sorted positions with those closer than ``tol`` (chained) replaced by their mean."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _merge(rulings: list[Ruling]) -> list[Ruling]:
    """Collinear, overlapping or touching rulings as one."""
    out: list[Ruling] = []
    for horizontal in (True, False):
        same = sorted((r for r in rulings if r.horizontal == horizontal), key=lambda r: r.pos)
        rows: list[list[Ruling]] = []
        for r in same:
            if rows and r.pos - rows[-1][-1].pos <= _TOL / 2:
                rows[-1].append(r)
            else:
                rows.append([r])
        for row in rows:
            pos = sum(r.pos for r in row) / len(row)
            spans = sorted((r.start, r.end) for r in row)
            start, end = spans[0]
            for s, e in spans[1:]:
                if s <= end + _TOL:
                    end = max(end, e)
                else:
                    out.append(Ruling(horizontal, pos, start, end))
                    start, end = s, e
            out.append(Ruling(horizontal, pos, start, end))
    return out


def _touch(h: Ruling, v: Ruling) -> bool:
    return v.start - _TOL <= h.pos <= v.end + _TOL and h.start - _TOL <= v.pos <= h.end + _TOL


def _groups(rulings: list[Ruling]) -> list[list[Ruling]]:
    """Rulings connected by crossings or corners."""
    hs = [r for r in rulings if r.horizontal]
    vs = [r for r in rulings if not r.horizontal]
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # the verticals by position (none at a position that is no number: they touch nothing), so that
    # each horizontal is tested against those within its reach only; the groups do not depend on the order
    ordered = sorted((v.pos, j) for j, v in enumerate(vs) if v.pos == v.pos)
    positions = [pos for pos, _ in ordered]
    for i, h in enumerate(hs):
        for _, j in ordered[bisect_left(positions, h.start - _TOL):bisect_right(positions, h.end + _TOL)]:
            if _touch(h, vs[j]):
                parent[find(i)] = find(len(hs) + j)
    members: dict[int, list[Ruling]] = {}
    for i, r in enumerate(hs + vs):
        members.setdefault(find(i), []).append(r)
    return list(members.values())


@dataclass(slots=True)
class _Cell:
    """A (merged) table cell: absolute box, grid rows, text and the least OCR confidence of its glyphs."""

    page: int
    row: int
    rowspan: int
    x0: float
    y0: float
    x1: float
    y1: float
    glyphs: list[Glyph] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None
    lines: list[_Run] = field(default_factory=list)

    def finish(self) -> None:
        if not self.glyphs:  # most cells of a table's grid print nothing
            self.lines, self.text, self.confidence = [], "", None
            return
        self.lines = runs = _runs(self.glyphs)
        texts = [r.text() for r in runs]
        if len(runs) > 1 and all(_DIGITS.match(t) for t in texts) and all(
            _fills(run, following, self.x1 - self.x0) for run, following in zip(runs, runs[1:], strict=False)
        ):  # one number the cell's width wrapped: ``89`` / ``1`` is 891
            self.text = "".join(t.strip() for t in texts)
        else:
            self.text = _join_lines(texts)
        self.confidence = _confidence(runs, self.glyphs)


_DIGITS = re.compile(r"^\s*[+\-]?[\d,.]+\s*$")
_CELL_PADDING = 12.0  # points: at most the left plus right inner margin of a cell (Word: 2 × 5.4)


def _fills(run: _Run, following: _Run, width: float) -> bool:
    """Whether a line of a cell is as wide as the cell allows: its next line's first glyph would not
    have fitted beside it, so the line break is the cell's width, not a new value."""
    box = run.bbox
    first = next(g for g in following.glyphs if g.text.strip())
    return box[2] - box[0] + (first.x1 - first.x0) > width - _CELL_PADDING


def _fills_width(run: _Run, following: _Run, width: float) -> bool:
    """Whether ``following``'s first glyph would not fit beside ``run`` within ``width`` (5 % slack)."""
    first = next(g for g in following.glyphs if g.text.strip())
    return run.bbox[2] - run.bbox[0] + (first.x1 - first.x0) > 0.95 * width


@dataclass(slots=True)
class _Table:
    """A ruled table on one page (or joined across pages): cells by row, its box on its first page."""

    page: int
    bbox: tuple[float, float, float, float]
    cells: list[_Cell]
    nrows: int
    last_page: int = 0
    ruled: bool = True  # False: rows and columns from the text's positions alone


def _middle_half(a: float, b: float) -> tuple[float, float]:
    """Where a ruling must start before and end after to cover the interval ``a``–``b`` (a border:
    its middle half suffices)."""
    quarter = (b - a) / 4
    return a + quarter + _TOL, b - quarter - _TOL


def _table(group: list[Ruling], page: int) -> _Table | None:
    """The cells of one group of rulings, or None when it is not a table (a frame, a lone line)."""
    hs = [r for r in group if r.horizontal]
    vs = [r for r in group if not r.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return None
    xs = _cluster((r.pos for r in vs), _MIN_CELL)
    ys = _cluster((r.pos for r in hs), _MIN_CELL)
    bottom, top = max(v.end for v in vs), min(v.start for v in vs)
    open_edges = []  # rows a page break left open: the verticals run on past the last horizontal
    if bottom > ys[-1] + _MIN_CELL and sum(abs(v.end - bottom) <= _TOL for v in vs) >= 2:
        open_edges.append(bottom)
    if top < ys[0] - _MIN_CELL and sum(abs(v.start - top) <= _TOL for v in vs) >= 2:
        open_edges.append(top)
    for edge in open_edges:
        ys = sorted([*ys, edge])
        hs = [*hs, Ruling(True, edge, xs[0], xs[-1])]
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1:
        return None
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # The rulings at each grid line, looked up once rather than among all of them for every cell,
    # and the middle half of each row and column (``_middle_half``) computed once.
    at_x = [[(v.start, v.end) for v in vs if abs(v.pos - x) <= _TOL] for x in xs]
    at_y = [[(h.start, h.end) for h in hs if abs(h.pos - y) <= _TOL] for y in ys]
    spans_y = [_middle_half(a, b) for a, b in itertools.pairwise(ys)]
    spans_x = [_middle_half(a, b) for a, b in itertools.pairwise(xs)]
    for r in range(nr):
        low, high = spans_y[r]
        for c in range(nc):  # a cell and its neighbour right (below) are one where no ruling parts them
            if c + 1 < nc:
                for s, e in at_x[c + 1]:
                    if s <= low and e >= high:
                        break
                else:
                    parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr:
                left, right = spans_x[c]
                for s, e in at_y[r + 1]:
                    if s <= left and e >= right:
                        break
                else:
                    parent[find(r * nc + c)] = find((r + 1) * nc + c)
    regions: dict[int, list[int]] = {}
    for i in range(nr * nc):
        regions.setdefault(find(i), []).append(i)
    cells: list[_Cell] = []
    covering = [0] * (nr + 1)  # how many cells each grid row has (a cell spanning rows counts in each)
    for members in regions.values():
        r0, r1 = members[0] // nc, members[-1] // nc  # members ascend
        cols = [i % nc for i in members]
        c0, c1 = min(cols), max(cols)
        cells.append(_Cell(page, r0, r1 - r0 + 1, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
        covering[r0] += 1
        covering[r1 + 1] -= 1
    if max(itertools.accumulate(covering[:nr])) < 2:
        return None
    cells.sort(key=lambda c: (c.row, c.x0))
    return _Table(page, (xs[0], ys[0], xs[-1], ys[-1]), cells, nr, page)


def _tables(page: PageContent, repeated: list[Glyph] | None = None
            ) -> tuple[list[_Table], list[Glyph], list[_Run] | None]:
    """The page's ruled tables with their glyphs assigned, the glyphs outside every table, and
    their printed lines when already known (``_runs`` of them; None: not known).
    ``repeated``: the header glyphs of the tables without rules the page before ends with (see
    ``_repeated_header``), taken out where this page prints them again outside its ruled tables."""
    tables: list[_Table] = []
    lone: list[Ruling] = []  # horizontal rulings no vertical touches
    for group in _groups(_merge(page.rulings)):
        if (table := _table(group, page.number)) is not None:
            tables.append(table)
        elif all(r.horizontal for r in group):
            lone += group
    for stack in _stacks(lone, page.glyphs):
        if (table := _table(stack + _column_rulings(stack, page.glyphs), page.number)) is not None:
            tables.append(table)
    outside = _outside(page.glyphs, [t.bbox for t in tables])
    again = _printed_again(repeated or [], outside, page.height)
    if again:
        outside = [g for g in outside if id(g) not in again]
    unruled: list[_Table] = []
    restacked_tables: set[int] = set()  # their rows already hold the stacked digits
    lines = _runs(outside)
    # the same lines without their spaces are _runs of the printed glyphs alone (spaces join a
    # line and never start one), where the glyphs sort consistently
    printed_lines = [_Run([g for g in r.glyphs if g.text.strip()]) for r in lines] if _finite(outside) else None
    for stack in _text_stacks(outside, printed_lines):
        columns = _column_rulings(stack, outside)
        restacked = _stacked_rows(stack, columns, outside)
        if restacked is not None:
            stack, columns = restacked, _column_rulings(restacked, outside)
        if (table := _table(stack + columns, page.number)) is not None:
            table.ruled = False
            unruled.append(table)
            if restacked is not None:
                restacked_tables.add(id(table))
    tables += unruled
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    rest: list[Glyph] = []
    finders = [(table.bbox, _CellFinder(table.cells)) for table in tables]
    glyphs = [g for g in page.glyphs if id(g) not in again] if again else page.glyphs
    if not finders:
        return tables, list(glyphs), lines
    for glyph in glyphs:
        cx, cy = glyph.cx, glyph.cy
        for (x0, y0, x1, y1), finder in finders:
            if x0 <= cx <= x1 and y0 <= cy <= y1:
                cell = finder.find(cx, cy)
                if cell is not None:
                    cell.glyphs.append(glyph)
                break
        else:
            rest.append(glyph)
    for table in tables:
        for cell in table.cells:
            cell.finish()
    for table in unruled:
        _join_stacked(table)
        if id(table) not in restacked_tables:
            _fuse_wrapped_numbers(table)
    return tables, rest, None if unruled else lines  # without tables from the text, rest is outside


_REPEAT_REACH = 0.35  # share of the page height from the top where a repeated header is looked for


def _repeated_header(table: _Table) -> list[Glyph]:
    """The glyphs of a table's header rows (those above its first row holding a number)."""
    numbered = [c.row for c in table.cells if _numeric(c.text)]
    first = min(numbered, default=0)
    return [g for c in table.cells if c.row + c.rowspan <= first for g in c.glyphs]


def _printed_again(header: list[Glyph], glyphs: list[Glyph], height: float) -> set[int]:
    """ids of the glyphs near the top of the page that print a header line or one of its texts
    (see ``_pieces``) again: at least two characters, at least 80 % of them, found on one line at the same x (a
    header LibreOffice repeats over the continued row of a table without rules, glyphs interleaved)."""
    if not header:
        return set()
    by_text: dict[str, list[Glyph]] = {}
    for g in glyphs:
        if g.cy <= _REPEAT_REACH * height and g.text.strip():
            by_text.setdefault(g.text, []).append(g)
    found: set[int] = set()
    lines = [[g for g in run.glyphs if g.text.strip()] for run in _runs(header)]
    for printed in lines + _pieces(header):  # whole lines, and the texts of a line alone
        if len(printed) < 2:
            continue
        at: dict[int, list[Glyph]] = {}
        for h in printed:
            for g in by_text.get(h.text, ()):
                if abs(g.cx - h.cx) <= 1.0:
                    at.setdefault(round(g.y0), []).append(g)
        line = max(at.values(), key=len, default=[])
        if len(line) >= 0.8 * len(printed):
            found |= {id(g) for g in line}
    return found


def _fuse_wrapped_numbers(table: _Table) -> None:
    """A table without rules whose narrow columns wrapped numbers digit by digit (``1`` / ``2`` / ``3``
    on lines of their own, the row's label beside one of them) has those lines as rows of bare
    numbers. Each run of such rows goes to the labelled row it surrounds (the split that centres every
    label on its lines), and the pieces of a column are joined top to bottom into one number in the
    labelled row's cell, where each piece but the last fills its column (the line broke for width)."""
    by_row: dict[int, list[_Cell]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    kinds: list[str] = []
    for r in range(table.nrows):
        texts = [c.text for c in by_row.get(r, []) if c.rowspan == 1 and c.text.strip()]
        spanning = any(c.rowspan > 1 for c in by_row.get(r, []))
        if not texts or spanning and not all(_DIGITS.match(t) for t in texts):
            kinds.append("other")
        elif all(_DIGITS.match(t) for t in texts):
            kinds.append("bare")
        elif any(_DIGITS.match(t) for t in texts):
            kinds.append("labelled")
        else:
            kinds.append("other")
    r = 0
    while r < table.nrows:
        if kinds[r] == "other":
            r += 1
            continue
        end = r
        while end < table.nrows and kinds[end] != "other":
            end += 1
        block = list(range(r, end))
        labels = [i for i in block if kinds[i] == "labelled"]
        if labels and len(labels) < len(block):
            for owner, members in _owners(block, labels, by_row):
                _fuse(owner, members, by_row, _capacities(table))
        r = end


def _capacities(table: _Table) -> dict[tuple[int, int], float]:
    """Per column (its edges), the widest line any of its cells prints: what the column holds."""
    widths: dict[tuple[int, int], float] = {}
    for cell in table.cells:
        key = (round(cell.x0), round(cell.x1))
        for line in cell.lines:
            widths[key] = max(widths.get(key, 0.0), line.bbox[2] - line.bbox[0])
    return widths


def _middle(cells: list[_Cell]) -> float:
    lines = [line for c in cells for line in c.lines]
    return sum((line.bbox[1] + line.bbox[3]) / 2 for line in lines) / len(lines) if lines else 0.0


def _owners(block: list[int], labels: list[int], by_row: dict[int, list[_Cell]]) -> list[tuple[int, list[int]]]:
    """The rows of ``block`` split into consecutive groups, one per labelled row, each label as near
    the middle of its group as the split allows (a dynamic programme over the cut between labels)."""
    def cost(lo: int, hi: int, label: int) -> float:
        rows = [c for i in range(lo, hi + 1) for c in by_row.get(i, []) if c.rowspan == 1]
        labelled = [c for c in by_row.get(label, []) if c.text.strip() and not _DIGITS.match(c.text)]
        return abs(_middle(rows) - _middle(labelled or by_row.get(label, [])))

    first, last = block[0], block[-1]
    # best[j][cut]: least cost with label j's group ending at row cut - 1
    best: dict[int, tuple[float, list[int]]] = {}
    for cut in range(labels[0] + 1, (labels[1] if len(labels) > 1 else last) + 1 + (len(labels) == 1)):
        best[cut] = (cost(first, cut - 1, labels[0]), [cut])
    for j in range(1, len(labels)):
        upper = labels[j + 1] if j + 1 < len(labels) else last + 1
        step: dict[int, tuple[float, list[int]]] = {}
        for start, (total, cuts) in best.items():
            if start > labels[j]:
                continue
            for cut in range(labels[j] + 1, upper + 1) if j + 1 < len(labels) else (last + 1,):
                value = total + cost(start, cut - 1, labels[j])
                if cut not in step or value < step[cut][0]:
                    step[cut] = (value, [*cuts, cut])
        best = step
    if len(labels) == 1:
        best = {last + 1: best[last + 1]} if last + 1 in best else best
    total, cuts = min(best.values(), key=lambda v: v[0])
    groups = []
    start = first
    for label, cut in zip(labels, cuts, strict=True):
        groups.append((label, [i for i in range(start, cut) if i != label]))
        start = cut
    return [(label, members) for label, members in groups if members]


def _fuse(owner: int, members: list[int], by_row: dict[int, list[_Cell]],
          capacity: dict[tuple[int, int], float]) -> None:
    """Join the pieces of each column of ``owner``'s group into ``owner``'s cell, top to bottom, when
    every piece but the last fills its column (as wide as the column's widest line: the next digit
    would not have fitted); the member rows' pieces are then emptied."""
    rows = sorted([owner, *members])
    columns: dict[tuple[int, int], list[_Cell]] = {}
    for i in rows:
        for cell in by_row.get(i, []):
            if cell.rowspan == 1 and _DIGITS.match(cell.text or "0"):
                columns.setdefault((round(cell.x0), round(cell.x1)), []).append(cell)
    joined: dict[tuple[int, int], str] = {}
    for key, cells in columns.items():
        pieces = [c for c in cells if c.text.strip()]
        if len(pieces) > 1 and (pieces[0].text.strip().startswith("0") or not all(
            _fills_width(a.lines[-1], b.lines[0], capacity[key]) for a, b in itertools.pairwise(pieces)
        )):
            return  # a 0 or a piece that does not fill its column: another value, not a wrapped one
        joined[key] = "".join(c.text.strip() for c in pieces)
    for key, cells in columns.items():
        target = next((c for c in cells if c.row == owner), None)
        if target is None:
            continue
        target.text = joined[key]
        target.y0, target.y1 = min(c.y0 for c in cells), max(c.y1 for c in cells)
        for cell in cells:
            if cell is not target:
                cell.text = ""


# ----------------------------------------------------------------------------- digits stacked in narrow columns

_STACK_LEADING = 0.8  # the blank between two lines of one cell: at most this share of the lines' height
_CENTRED = 0.4  # the cells of one row stand centred (or top-aligned) within this share of a line's height
_LONGEST_ROW = 24  # printed lines: the tallest row the stacked-digit reading considers


@dataclass(slots=True)
class _Piece:
    """What one printed line puts in one column: a value column's index (-1: a label's text)."""

    col: int
    x0: float
    y0: float
    y1: float
    text: str
    width: float
    first: float  # the width of its first glyph


def _stacked_rows(stack: list[Ruling], columns: list[Ruling], glyphs: list[Glyph]) -> list[Ruling] | None:
    """The row borders of a table without rules whose narrow value columns print numbers digit by
    digit (``2`` / ``3`` / ``2`` / ``9``), read by text column positions: the lines from the first
    number down are cut into rows (the fewest, each as centred as it can be) such that in every
    value column a row's lines are one cell (lines at the cell's leading, a number's pieces each
    filling the column and not opening with 0), the cells of a row centre on one height (or share
    one top), and a label line opening an item (``2.`` ``（三）``) starts its row in its column.
    None when no column stacks digits, when text stands in a value column below the first number,
    or when no cutting meets all of that."""
    xs = _cluster(r.pos for r in columns if not r.horizontal)
    ys = _cluster(r.pos for r in stack)
    if len(xs) < 3 or len(ys) < 2:
        return None
    inside = [g for g in glyphs if g.text.strip() and xs[0] <= g.cx <= xs[-1] and ys[0] <= g.cy <= ys[-1]]
    runs = _runs(inside)  # their middles lie in the table: finite positions
    numbers = [a for run in runs for a, _, text in _run_chunks(run) if _NUMERIC.match(text)]
    if not numbers:
        return None
    edge = min(numbers)
    start = max(next((i for i, x in enumerate(xs) if x > edge - _TOL), len(xs) - 1) - 1, 0)  # the first value column
    values = xs[start:]
    lines: list[list[_Piece]] = []
    for run in runs:
        pieces: list[_Piece] = []
        labels = [g for g in run.glyphs if g.text.strip() and g.cx < values[0]]
        for a, b, text in _chunks(labels) if labels else ():
            pieces.append(_Piece(-1, a, run.bbox[1], run.bbox[3], text, b - a, 0.0))
        for col, (a, b) in enumerate(itertools.pairwise(values)):
            own = [g for g in run.glyphs if g.text.strip() and a <= g.cx < b]
            if own:
                pieces.append(_Piece(col, own[0].x0, min(g.y0 for g in own), max(g.y1 for g in own),
                                     "".join(g.text for g in own), own[-1].x1 - own[0].x0, own[0].x1 - own[0].x0))
        lines.append(pieces)
    first = next((i for i, line in enumerate(lines) if any(p.col >= 0 and _NUMERIC.match(p.text) for p in line)),
                 None)
    if first is None:
        return None
    top = max((y for y in ys if y <= runs[first].bbox[1]), default=ys[0])
    body = [i for i, run in enumerate(runs) if (run.bbox[1] + run.bbox[3]) / 2 >= top]
    lines = [lines[i] for i in body]
    if any(p.col >= 0 and not _NUMERIC.match(p.text) for line in lines for p in line):
        return None  # text in a value column: a sub-table's header, a note; not this kind of table
    capacity: dict[int, float] = {}
    for line in lines:
        for p in line:
            capacity[p.col] = max(capacity.get(p.col, 0.0), p.width)
    height = sorted(p.y1 - p.y0 for line in lines for p in line)[sum(map(len, lines)) // 2]

    def stacked(cell: list[_Piece]) -> bool:  # one number wrapped digit by digit
        return (all(p.text.isdigit() for p in cell[:-1]) and not cell[0].text.startswith("0")
                and all(a.width + b.first > 0.95 * capacity[a.col] for a, b in itertools.pairwise(cell)))

    def cost(i: int, j: int) -> float | None:  # the rows of lines i..j-1 as one row, or None
        cells: dict[int, list[_Piece]] = {}
        for t in range(i, j):
            for p in lines[t]:
                if p.col < 0 and t > i and _OPENS_ITEM.match(p.text) and any(
                        q.x0 >= p.x0 - _TOL for line in lines[i:t] for q in line if q.col < 0):
                    return None
                cells.setdefault(p.col, []).append(p)
        for col, cell in cells.items():
            if any(b.y0 - a.y1 > _STACK_LEADING * height for a, b in itertools.pairwise(cell)):
                return None
            if col >= 0 and len(cell) > 1 and not stacked(cell):
                return None
        value_cells = [cell for col, cell in cells.items() if col >= 0]
        if not value_cells:
            return 1.5  # label lines alone: a row of their own only where no other row takes them
        middles = [(c[0].y0 + c[-1].y1) / 2 for c in value_cells]
        tops = [c[0].y0 for c in value_cells]
        centred = max(middles) - min(middles) <= _CENTRED * height
        if not centred and max(tops) - min(tops) > _CENTRED * height:
            return None
        middle = sum(middles) / len(middles)
        label = cells.get(-1, [])
        off = abs((label[0].y0 + label[-1].y1) / 2 - middle) / height if label else 0.0
        return (1.0 if centred else 1.5) + 0.01 * off  # top-aligned: a row the page broke, else less likely

    n = len(lines)
    best: list[tuple[float, int] | None] = [(0.0, 0)] + [None] * n
    for j in range(1, n + 1):
        for i in range(max(0, j - _LONGEST_ROW), j):
            if best[i] is None or (c := cost(i, j)) is None:
                continue
            if best[j] is None or best[i][0] + c < best[j][0]:
                best[j] = (best[i][0] + c, i)
    if best[n] is None:
        return None
    cuts, j = [], n
    while j:
        i = best[j][1]
        cuts.append((i, j))
        j = i
    cuts.reverse()
    if not any(len(cell) > 1 for i, j in cuts for cell in _value_cells(lines[i:j])):
        return None  # nothing stacked: the rows as they were
    rows = [body[i] for i, _ in cuts[1:]]
    borders = [y for y in ys if y <= top] + [
        (max(r.bbox[3] for r in runs[body[0]:k]) + runs[k].bbox[1]) / 2 for k in rows] + [ys[-1]]
    x0, x1 = min(r.start for r in stack), max(r.end for r in stack)
    return [Ruling(True, y, x0, x1) for y in borders]


def _value_cells(lines: list[list[_Piece]]) -> list[list[_Piece]]:
    """The pieces of ``lines`` per value column (a row's cells)."""
    cells: dict[int, list[_Piece]] = {}
    for line in lines:
        for p in line:
            if p.col >= 0:
                cells.setdefault(p.col, []).append(p)
    return list(cells.values())


def _join_stacked(table: _Table) -> None:
    """A cell of a table without rules whose lines are the digits of one number (each line filling
    its column, as wide as the column's widest line: see ``_capacities``) reads as that number."""
    capacity = _capacities(table)
    for cell in table.cells:
        runs = cell.lines
        texts = [r.text().strip() for r in runs]
        if (len(runs) > 1 and all(t.isdigit() for t in texts[:-1]) and _DIGITS.match(texts[-1])
                and not texts[0].startswith("0")
                and all(_fills_width(a, b, capacity[(round(cell.x0), round(cell.x1))])
                        for a, b in itertools.pairwise(runs))):
            cell.text = "".join(texts)

# ----------------------------------------------------------------------------- tables ruled only across

_STACK_GAP = 400.0  # points: the tallest row a table ruled only horizontally is taken to have
_PROSE_SHARE = 0.65  # one text (no cell's blank in it) across this share of the width is running text
_HEADING_SIZE = 1.15  # glyphs this much taller than the page's usual ones are a heading's
_COLUMN_GAP = 0.6  # a blank this many glyph heights wide between two texts of a row separates cells


def _stacks(horizontals: list[Ruling], glyphs: list[Glyph]) -> list[list[Ruling]]:
    """Horizontal rulings stacked over one another (overlapping in x, rows at most ``_STACK_GAP``
    apart), at least three: the frame of a table ruled only horizontally (三线表, LibreOffice and
    Word tables whose vertical borders are off). A stack ends at a band that prints running text,
    not a row: one text across most of its width (no cell's blank in it), or a larger type (a heading)."""
    if not horizontals:
        return []
    stacks: list[list[Ruling]] = []
    for ruling in sorted(horizontals, key=lambda r: r.pos):
        for stack in stacks:
            last = stack[-1]
            if (ruling.pos - last.pos <= _STACK_GAP and ruling.start < max(r.end for r in stack)
                    and ruling.end > min(r.start for r in stack)):
                stack.append(ruling)
                break
        else:
            stacks.append([ruling])
    out: list[list[Ruling]] = []
    printed = _by_height(glyphs)
    heights = sorted(g.y1 - g.y0 for g in printed)
    body = heights[len(heights) // 2] if heights else 0.0
    for stack in stacks:
        x0, x1 = min(r.start for r in stack), max(r.end for r in stack)
        piece = [stack[0]]
        for upper, lower in itertools.pairwise(stack):
            band = [g for g in _between(printed, upper.pos, lower.pos) if x0 <= g.cx <= x1]
            if any(b - a > _PROSE_SHARE * (x1 - x0) for a, b, _ in _chunks(band)) \
                    or any(g.y1 - g.y0 > _HEADING_SIZE * body for g in band):
                out.append(piece)
                piece = []
            piece.append(lower)
        out.append(piece)
    return [s for s in out if len(_cluster(r.pos for r in s)) >= 3]


def _outside(glyphs: list[Glyph], boxes: list[tuple[float, float, float, float]]) -> list[Glyph]:
    """The glyphs whose middle lies in none of the boxes."""
    if not boxes:
        return list(glyphs)
    out = []
    for glyph in glyphs:
        cx, cy = glyph.cx, glyph.cy
        for x0, y0, x1, y1 in boxes:
            if x0 <= cx <= x1 and y0 <= cy <= y1:
                break
        else:
            out.append(glyph)
    return out


# ----------------------------------------------------------------------------- tables without rules

_TABLE_TYPE = 1.3  # a line whose glyphs are this much taller than the table's numbers is not the table's
_TABLE_LEADING = 2.5  # a blank this many numbers' heights tall between two lines ends a table


def _text_stacks(glyphs: list[Glyph], lines: list[_Run] | None = None) -> list[list[Ruling]]:
    """The horizontal borders a table printed without any rule would have, from its text: a run of
    printed lines of the numbers' type, close together (no running text, no heading), holding at
    least two lines whose last texts are numbers right of the labels (see ``_text_rows``).
    ``lines``: ``_runs`` of the printed glyphs, when known, at finite positions (``_finite``)."""
    if lines is None:
        printed = [g for g in glyphs if g.text.strip()]
        runs = _runs(printed)
        finite = _finite(printed)
    else:
        runs, finite = lines, True
    if len(runs) < 3:
        return []
    width = max(r.bbox[2] for r in runs) - min(r.bbox[0] for r in runs)
    chunks = [_run_chunks(r) for r in runs] if finite else [_chunks(r.glyphs) for r in runs]
    digits = sorted(g.y1 - g.y0 for r, cs in zip(runs, chunks, strict=True) if cs and _NUMERIC.match(cs[-1][2])
                    for g in r.glyphs if g.text.isdigit())
    if not digits:
        return []
    size = digits[len(digits) // 2]
    tabular = [all(g.y1 - g.y0 <= _TABLE_TYPE * size for g in r.glyphs if g.text.strip())
               and not any(b - a > _PROSE_SHARE * width for a, b, _ in cs)
               for r, cs in zip(runs, chunks, strict=True)]
    stacks: list[list[Ruling]] = []
    start = 0
    while start < len(runs):
        end = start
        while end < len(runs) and tabular[end] and (
                end == start or runs[end].bbox[1] - runs[end - 1].bbox[3] <= _TABLE_LEADING * size):
            end += 1
        if end > start and (stack := _text_rows(runs[start:end], chunks[start:end])) is not None:
            stacks.append(stack)
            below = next((k for k in range(start, end) if runs[k].bbox[1] >= stack[-1].pos), end)
            if below < end:  # the table ended at a heading: the lines after it may hold the next one
                start = below
                continue
        start = max(end, start + 1)
    return stacks


def _text_rows(runs: list[_Run], chunks: list[list[tuple[float, float, str]]]) -> list[Ruling] | None:
    """The row borders of one run of table lines, or None. The rows are the lines with numbers and
    the bands of header text over the number columns (consecutive header lines one band). The label
    lines between two rows are shared so that each row's labels stand centred on its numbers (the
    lowest total imbalance, a line left to a row of its own costing half its height), except that a
    line opening an item (``1.`` ``（三）``) starts the next numbered row; label lines next to a
    header that do not belong to it (a sub-table's title, the rest of a row the page broke) may form
    a row of their own."""
    multi = [i for i, cs in enumerate(chunks) if len(cs) > 1 and _NUMERIC.match(cs[-1][2])]
    if not multi:
        return None
    labelled = [i for i in multi if not _NUMERIC.match(chunks[i][0][2])] or multi  # a table below without labels
    edge = min(a for i in labelled for a, _, text in chunks[i] if _NUMERIC.match(text))  # does not move the edge
    labels_end = max((b for i in multi for _, b, text in chunks[i] if b < edge - _TOL), default=edge)
    kind: dict[int, str] = {}
    for i, cs in enumerate(chunks):
        # right of the labels: texts from the numbers' edge on, and column titles wider than their numbers
        right = [t for a, b, t in cs if a >= edge - _TOL or (a > labels_end + _TOL and b > edge + _TOL)]
        if right and all(_NUMERIC.match(t) for t in right) and _NUMERIC.match(cs[-1][2]):
            kind[i] = "number"
        elif len(cs) == 1 and cs[0][0] <= labels_end + _TOL and cs[0][0] < edge - _TOL < edge + _TOL < cs[0][1]:
            break  # one text from the labels across the numbers: a heading, the table ends
        elif right and not any(_NUMERIC.match(t) for t in right):
            kind[i] = "header"
        elif right:
            return None  # numbers and text mixed right of the labels: not this kind of table

    def opens(i: int) -> bool:
        return any(_OPENS_ITEM.match(t) for *_, t in chunks[i])

    numbered = [i for i in kind if kind[i] == "number"]
    if not numbered or len(numbered) < 2 and not any(kind.get(i) == "header" for i in range(numbered[0])):
        return None  # one line of numbers without column titles: nothing to place them by
    first = min(i for i in kind if kind[i] == "header" or i == numbered[0])
    last = numbered[-1]
    while last + 1 < len(runs) and runs[last + 1].bbox[2] <= edge and not opens(last + 1):  # the last row's label tail
        last += 1
    while (first > 0 and runs[first - 1].bbox[2] <= edge  # a label column header above (not a heading,
           and not opens(first - 1) and not any(ch.isdigit() for ch in runs[first - 1].text())):  # not a row)
        first -= 1
    kind = {i: k for i, k in kind.items() if first <= i <= last}
    for n, i in enumerate(numbered):
        if any(a < edge - _TOL and (b > edge + _TOL or text[-1].isdigit()) for a, b, text in chunks[i]):
            if n >= 2 and _NUMERIC.match(chunks[i][0][2]):  # numbers without a label from the left
                return _text_rows(runs[:i], chunks[:i])  # margin: the table ended, one of another shape follows
            return None  # a label across the label edge or glued to a number: no columns to read
    anchors: list[list[int]] = []
    for i in sorted(kind):
        if anchors and kind[i] == "header" == kind[anchors[-1][-1]] and all(
                j not in kind for j in range(anchors[-1][-1] + 1, i)):  # label lines between: the labels' title
            anchors[-1].append(i)
        else:
            anchors.append([i])

    # gap g lies before anchor g (gap 0: the lines above the first anchor; a last gap: the tail)
    gaps = [list(range(first, anchors[0][0]))]
    gaps += [list(range(a[-1] + 1, b[0])) for a, b in itertools.pairwise(anchors)]
    gaps.append(list(range(anchors[-1][-1] + 1, last + 1)))
    choices: list[list[tuple[int, int]]] = []  # per gap: (lines to the anchor above, to the one below)
    for g, gap in enumerate(gaps):
        n = len(gap)
        if g == len(gaps) - 1:
            choices.append([(n, 0)])
            continue
        lower = anchors[g]
        own_row = g == 0 or "header" in (kind[anchors[g - 1][0]], kind[lower[0]])  # a row of label lines
        opener = next((j for j, i in enumerate(gap) if opens(i)), None)
        if kind[lower[0]] == "number" and opens(lower[0]):
            opener = n
        options = []
        for up in range(n + 1):
            for down in range(0, n - up + 1):
                if g == 0 and up:
                    continue
                if up + down < n and not own_row:
                    continue
                if opener is not None and kind[lower[0]] == "number" and n - down != opener:
                    continue
                options.append((up, down))
        choices.append(options or [(n, 0)])

    def imbalance(k: int, above: int, below: int) -> float:
        a = anchors[k]
        mid = (runs[a[0]].bbox[1] + runs[a[-1]].bbox[3]) / 2
        top = runs[gaps[k][len(gaps[k]) - above]].bbox[1] if above else runs[a[0]].bbox[1]
        bottom = runs[gaps[k + 1][below - 1]].bbox[3] if below else runs[a[-1]].bbox[3]
        return abs((mid - top) - (bottom - mid))

    # dynamic programme over the gaps: state = the choice made in the gap above anchor k
    def alone(g: int, j: int) -> float:  # half the height of the lines left to a row of their own
        up, down = choices[g][j]
        return sum(runs[i].bbox[3] - runs[i].bbox[1] for i in gaps[g][up:len(gaps[g]) - down]) / 2

    best: dict[int, tuple[float, list[int]]] = {j: (alone(0, j), [j]) for j in range(len(choices[0]))}
    for k in range(len(anchors)):
        step: dict[int, tuple[float, list[int]]] = {}
        for j, (cost, path) in best.items():
            above = choices[k][j][1]
            for m, (below, _) in enumerate(choices[k + 1]):
                total = cost + imbalance(k, above, below) + alone(k + 1, m)
                if m not in step or total < step[m][0]:
                    step[m] = (total, [*path, m])
        best = step
    path = min(best.values(), key=lambda v: v[0])[1]
    ys = [runs[first].bbox[1] - 1]
    for g, gap in enumerate(gaps[:-1]):
        up, down = choices[g][path[g]]
        cuts = {up, len(gap) - down} - ({0} if g == 0 else set())
        for cut in sorted(cuts):
            if 0 < cut < len(gap) or (cut == len(gap) and gap) or (cut == 0 and g):
                above = runs[gap[cut - 1]].bbox[3] if cut else runs[anchors[g - 1][-1]].bbox[3]
                below = runs[gap[cut]].bbox[1] if cut < len(gap) else runs[anchors[g][0]].bbox[1]
                ys.append((above + below) / 2)
    ys.append(runs[last].bbox[3] + 1)
    x0 = min(r.bbox[0] for r in runs[first:last + 1]) - 1
    x1 = max(r.bbox[2] for r in runs[first:last + 1]) + 1
    return [Ruling(True, y, x0, x1) for y in sorted(set(ys))]


def _by_height(glyphs: Iterable[Glyph]) -> list[Glyph]:
    """The printed glyphs (no spaces) ordered by their middle's height, for ``_between``."""
    return sorted((g for g in glyphs if g.text.strip()), key=lambda g: g.cy)


def _between(ordered: list[Glyph], top: float, bottom: float) -> list[Glyph]:
    """The glyphs of ``_by_height`` whose middle lies from ``top`` to before ``bottom``."""
    keys = [g.cy for g in ordered]
    return ordered[bisect_left(keys, top):bisect_left(keys, bottom)]


def _pieces(glyphs: Iterable[Glyph]) -> list[list[Glyph]]:
    """The printed glyphs of each text of a band (see ``_chunks``), left to right."""
    out: list[list[Glyph]] = []
    for run in _runs(glyphs):
        _cut(run.glyphs, out)
    return out


def _cut(line: list[Glyph], out: list[list[Glyph]]) -> None:
    """Append the texts of one printed line (its glyphs left to right) to ``out``."""
    printed = [g for g in line if g.text.strip()]
    height = max(min(g.y1 - g.y0 for g in printed), 1.0)
    out.append([printed[0]])
    for glyph in printed[1:]:
        if glyph.x0 - out[-1][-1].x1 > _COLUMN_GAP * height:
            out.append([])
        out[-1].append(glyph)


def _chunks(glyphs: list[Glyph]) -> list[tuple[float, float, str]]:
    """The texts of a band of a table, each ``(x0, x1, text)``: printed lines cut where the blank
    between two glyphs is wide enough to separate two cells."""
    return [(piece[0].x0, piece[-1].x1, "".join(g.text for g in piece)) for piece in _pieces(glyphs)]


def _finite(glyphs: list[Glyph]) -> bool:
    """Whether every glyph's middle height and left edge is a finite number (they sort consistently)."""
    return math.isfinite(sum(map(_CY, glyphs)) + sum(map(_X0, glyphs)))


def _run_chunks(run: _Run) -> list[tuple[float, float, str]]:
    """``_chunks(run.glyphs)`` of a run ``_runs`` made of glyphs at finite positions (``_finite``),
    without finding the line again: ``_runs`` on such a run's glyphs gives that run back (they were
    a stretch of the sorted glyphs, and sort again into the same order)."""
    out: list[list[Glyph]] = []
    _cut(run.glyphs, out)
    return [(piece[0].x0, piece[-1].x1, "".join(g.text for g in piece)) for piece in out]


def _column_rulings(stack: list[Ruling], glyphs: list[Glyph]) -> list[Ruling]:
    """The vertical borders a table ruled only horizontally does not draw, from its text: column
    edges where a ruling starts or ends inside the table (the rule under a row stops at the label
    column its group spans) and in the blanks every row holding a number leaves open (each sub-table
    of header rows and the numbered rows under them on its own), drawn in each row no printed line
    crosses (``_crosses``), and the table's two sides. Nothing when no row between the rulings holds a number."""
    x0, x1 = min(r.start for r in stack), max(r.end for r in stack)
    ys = _cluster(r.pos for r in stack)
    inside = _by_height(g for g in glyphs if x0 <= g.cx <= x1 and ys[0] <= g.cy <= ys[-1])
    rows = [_between(inside, top, bottom) for top, bottom in itertools.pairwise(ys)]
    bands = [_chunks(row) if row else [] for row in rows]
    body = [band for band in bands if any(_DIGITS.match(text) for *_, text in band)]
    if sum(1 for band in body for *_, text in band if _DIGITS.match(text)) < 2:
        return []
    ruled = [x for r in stack for x in (r.start, r.end) if x0 + _MIN_CELL < x < x1 - _MIN_CELL]
    everywhere = _edges(body, [band for band in bands if band not in body], ruled)
    segments: list[list[int]] = []  # header rows and the numbered rows under them (sub-tables)
    numbers = min((a for band in body for a, _, text in band if _DIGITS.match(text)), default=x1)
    for i, band in enumerate(bands):
        if not segments or (band not in body and bands[i - 1] in body and any(b > numbers for _, b, _ in band)):
            segments.append([])
        segments[-1].append(i)
    out = [Ruling(False, x0, ys[0], ys[-1]), Ruling(False, x1, ys[0], ys[-1])]
    for segment in segments:
        numbered = [bands[i] for i in segment if bands[i] in body]
        edges = _edges(numbered, [bands[i] for i in segment if bands[i] not in body], ruled) \
            if len(segments) > 1 and numbered else everywhere
        for i in segment:
            runs = _runs(rows[i])
            for edge in edges:
                if not any(_crosses(run, edge) for run in runs):
                    out.append(Ruling(False, edge, ys[i], ys[i + 1]))
    return out


def _edges(body: list[list[tuple[float, float, str]]], heads: list[list[tuple[float, float, str]]],
           ruled: list[float]) -> list[float]:
    """The column edges of the rows ``body`` (see ``_column_rulings``) under the header rows ``heads``."""
    spans = sorted((a, b) for band in body for a, b, _ in band)
    edges = list(ruled)
    reach = spans[0][1]
    for a, b in spans[1:]:
        if a > reach:
            edges += _gap_edges(reach, a, heads, ruled)
        reach = max(reach, b)
    return _cluster(edges, 2 * _MIN_CELL)


def _gap_edges(left: float, right: float, heads: list[list[tuple[float, float, str]]],
               ruled: list[float]) -> list[float]:
    """The column edges in a blank between two texts of the numbered rows: its middle, or, where a
    header row prints texts inside it (a column whose every number is blank), the middles between
    those texts; none in a blank where a ruling already ends."""
    inner: list[tuple[float, float]] = []
    for band in heads:  # the header row with the most separate texts in the blank
        texts: list[tuple[float, float]] = []
        for a, b in sorted((a, b) for a, b, _ in band if left < a and b < right):
            if texts and a <= texts[-1][1]:  # the lines of one header cell
                texts[-1] = (texts[-1][0], max(b, texts[-1][1]))
            else:
                texts.append((a, b))
        inner = max(inner, texts, key=len)
    ends = [left, *(x for a, b in inner for x in (a, b)), right]
    blanks = [(ends[i], ends[i + 1]) for i in range(0, len(ends), 2)]
    return [(a + b) / 2 for a, b in blanks if not any(a - _TOL <= x <= b + _TOL for x in ruled)]


def _crosses(run: _Run, edge: float) -> bool:
    """Whether a printed line runs across ``edge``: a glyph straddles it, or two glyphs either side
    of it stand closer than a word space (one text, not two cells)."""
    printed = [g for g in run.glyphs if g.text.strip()]
    for left, right in itertools.pairwise(printed):
        if left.x0 < edge - 0.5 and left.x1 > edge + 0.5:
            return True
        height = min(left.y1 - left.y0, right.y1 - right.y0)
        if left.x1 <= edge + 0.5 and right.x0 >= edge - 0.5 and right.x0 - left.x1 < 0.35 * height:
            return True
    return bool(printed) and printed[-1].x0 < edge - 0.5 < edge + 0.5 < printed[-1].x1


class _CellFinder:
    """The first of a table's cells (in their order) whose box holds a point: the distinct top and
    bottom edges of the cells cut the table into slots, each listing the cells over it in order, so
    that a point is looked for among the cells of its slot only (a point on an edge: among all)."""

    def __init__(self, cells: list[_Cell]):
        self.cells = cells
        self.edges = sorted({y for c in cells for y in (c.y0, c.y1)})
        self.slots: list[list[_Cell]] = [[] for _ in range(max(len(self.edges) - 1, 0))]
        for cell in cells:
            first, last = bisect_left(self.edges, cell.y0), bisect_left(self.edges, cell.y1)
            if self.edges[first] != cell.y0 or self.edges[last] != cell.y1:  # an edge that is no number
                self.slots = []
                return
            for slot in self.slots[first:last]:
                slot.append(cell)

    def find(self, x: float, y: float) -> _Cell | None:
        i = bisect_left(self.edges, y)
        if not self.slots or i < len(self.edges) and self.edges[i] == y:
            return next((c for c in self.cells if c.y0 <= y <= c.y1 and c.x0 <= x <= c.x1), None)
        if i == 0 or i == len(self.edges):
            return None
        for cell in self.slots[i - 1]:
            if cell.x0 <= x <= cell.x1:
                return cell
        return None


# ----------------------------------------------------------------------------- joining across pages


def _numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text.strip()))


def _continues(upper: _Table, lower: _Table) -> bool:
    return abs(upper.bbox[0] - lower.bbox[0]) <= 2 * _TOL and abs(upper.bbox[2] - lower.bbox[2]) <= 2 * _TOL


def _row_texts(table: _Table, row: int) -> list[tuple[int, int, str]]:
    return [(round(c.x0), round(c.x1), re.sub(r"\s+", "", c.text)) for c in table.cells if c.row == row]


_SNAP = 6.0  # points: column edges of a continued table this close to the first part's are the same


def _snap_columns(upper: _Table, lower: _Table) -> None:
    """Put the column edges of ``lower`` where ``upper`` has them when they are near: a table ruled
    only horizontally has its edges from the blanks of each page's text, a little apart."""
    xs = _cluster([x for c in upper.cells for x in (c.x0, c.x1)])

    snapped: dict[float, float] = {}  # cells share their edges: each snapped once (not 0, which may be -0.0)

    def snap(x: float) -> float:  # the nearest of xs (the first of two as near, as min() picks)
        if (done := snapped.get(x)) is not None:
            return done
        i = bisect_left(xs, x)
        near = min(xs[max(i - 1, 0):i + 1], key=lambda p: abs(p - x)) if x == x else min(xs, key=lambda p: abs(p - x))
        out = near if abs(near - x) <= _SNAP else x
        if x:
            snapped[x] = out
        return out

    for cell in lower.cells:
        cell.x0, cell.x1 = snap(cell.x0), snap(cell.x1)


def _restore_spilled_header(upper: _Table, lower: _Table) -> None:
    """A repeated header row whose cell spans rows below it on the first page (LibreOffice repeats
    that row alone) prints the cell's text running on over the rows under it, the cell itself
    holding its first lines or none. When the rest of ``lower``'s first row repeats ``upper``'s, the glyphs of
    that text (each line found again: the same characters at the same x on one line) are taken out
    of the cells they fell into, and the cut cell gets its whole text back (then dropped with the
    repeated header)."""
    heads = [c for c in upper.cells if c.row == 0]
    firsts = [c for c in lower.cells if c.row == 0]

    def twin(cell: _Cell) -> _Cell | None:
        return next((c for c in heads if abs(c.x0 - cell.x0) <= _TOL and abs(c.x1 - cell.x1) <= _TOL), None)

    def flat(text: str) -> str:
        return re.sub(r"\s+", "", text)

    pairs = [(c, h) for c in firsts if (h := twin(c)) is not None]
    if len(pairs) != len(firsts) or len(firsts) != len(heads):
        return
    cut = [(c, h) for c, h in pairs if flat(c.text) != flat(h.text)]
    if not cut or not any(flat(c.text) for c, h in pairs if flat(c.text) == flat(h.text)) or any(h.rowspan < 2 or not flat(h.text).startswith(flat(c.text)) for c, h in cut):
        return
    for cell, head in cut:
        reach = cell.y0 + head.y1 - head.y0
        below = [c for c in lower.cells if c.row > 0 and c.y0 < reach
                 and head.x0 - _TOL <= c.x0 and c.x1 <= head.x1 + _TOL]
        found: set[int] = set()
        for run in head.lines:
            printed = [g for g in run.glyphs if g.text.strip()]
            lines: dict[int, list[Glyph]] = {}
            for c in below:
                for g in c.glyphs:
                    if any(g.text == h.text and abs(g.cx - h.cx) <= 1.0 for h in printed):
                        lines.setdefault(round(g.y0), []).append(g)
            line = max(lines.values(), key=len, default=[])
            if printed and len(line) >= 0.8 * len(printed):
                found |= {id(g) for g in line}
        if not found:
            continue
        for c in below:
            if any(id(g) in found for g in c.glyphs):
                c.glyphs = [g for g in c.glyphs if id(g) not in found]
                c.finish()
        cell.glyphs, cell.text, cell.lines = list(head.glyphs), head.text, list(head.lines)


def _drop_repeated_header(upper: _Table, lower: _Table) -> None:
    """Remove the header rows a continued table repeats at the top of the next page (Word's and
    LibreOffice's 标题行重复): the longest run of first rows equal, cell by cell, to ``upper``'s."""
    repeated = 0
    while (repeated < min(upper.nrows, lower.nrows) - 1
           and (texts := _row_texts(lower, repeated)) and any(t for *_, t in texts)
           and all(abs(a[0] - b[0]) <= _TOL and abs(a[1] - b[1]) <= _TOL and a[2] == b[2]
                   for a, b in zip(texts, _row_texts(upper, repeated), strict=False))
           and len(texts) == len(_row_texts(upper, repeated))):
        repeated += 1
    if not repeated:
        return
    kept = []
    for cell in lower.cells:
        if cell.row + cell.rowspan <= repeated:
            continue
        if cell.row < repeated:  # a cell spanning header and body rows: keep its body part
            cell.rowspan -= repeated - cell.row
            cell.row = repeated
        cell.row -= repeated
        kept.append(cell)
    lower.cells = kept
    lower.nrows -= repeated


def _wrapped_number(a: _Cell, b: _Cell, width: float | None = None) -> bool:
    """Whether ``b`` holds the digits of ``a``'s number the cell's width (and the page) broke off;
    ``width``: what the column holds, for a table without rules (its cells' edges are not the column's)."""
    if not (_DIGITS.match(a.text) and _DIGITS.match(b.text) and a.lines and b.lines):
        return False
    if width is None:
        return _fills(a.lines[-1], b.lines[0], a.x1 - a.x0)
    return not a.text.strip().startswith("0") and _fills_width(a.lines[-1], b.lines[0], width)


def _continuation(a: _Cell, b: _Cell, width: float | None = None) -> bool:
    """Whether ``b`` (top of the next page) can be the rest of ``a`` (bottom of this page): one of
    them empty, two pieces of one label (text, the lower piece opening no item), or one number."""
    if not a.text or not b.text:
        return True
    if _numeric(a.text) or _numeric(b.text):
        return _wrapped_number(a, b, width)
    return not _OPENS_ITEM.match(b.text)


def _halves(bottom: list[_Cell], top: list[_Cell], ruled: bool = True) -> list[tuple[_Cell, _Cell]] | None:
    """Each cell of the next page's first row with the cell of this page's last row above it (the
    one its middle falls in), when every cell has its other half and the cells one upper cell gets
    span the same rows; else None. Without rules (``ruled`` False: each page's columns are its own
    text's) a cell's middle is its text's, and an empty upper cell may have no other half."""
    out: list[tuple[_Cell, _Cell]] = []
    for b in top:
        middle = (b.x0 + b.x1) / 2
        if not ruled and b.lines:
            middle = (min(r.bbox[0] for r in b.lines) + max(r.bbox[2] for r in b.lines)) / 2
        a = next((a for a in bottom if a.x0 - _TOL <= middle <= a.x1 + _TOL), None)
        if a is None:
            return None
        out.append((a, b))
    matched = {id(a) for a, _ in out}
    if any(id(a) not in matched and (ruled or a.text) for a in bottom):
        return None
    spans: dict[int, set[int]] = {}
    for a, b in out:
        spans.setdefault(id(a), set()).add(b.rowspan)
    return out if all(len(s) == 1 for s in spans.values()) else None


def _join(upper: _Table, lower: _Table) -> None:
    """Append ``lower`` (the same table continued on the next page) to ``upper``: repeated header
    rows dropped; a row the page break split (every cell of the two halves the rest of the other,
    see ``_continuation``; when both halves hold a piece of the label, the numbers all in the upper
    half, as LibreOffice and Word print it) fused into one; label cells whose other part is empty (a rowspan broken by
    the page) made one cell."""
    _snap_columns(upper, lower)
    _restore_spilled_header(upper, lower)
    _drop_repeated_header(upper, lower)
    bottom = [c for c in upper.cells if c.row + c.rowspan == upper.nrows]
    top = [c for c in lower.cells if c.row == 0]
    numbers = [c.x0 for c in upper.cells + lower.cells if _numeric(c.text)]
    label_edge = min(numbers, default=float("inf"))
    halves = _halves(bottom, top, upper.ruled)
    capacity = {} if upper.ruled else {**_capacities(lower), **_capacities(upper)}

    def width(a: _Cell) -> float | None:
        return None if upper.ruled else capacity.get((round(a.x0), round(a.x1)), a.x1 - a.x0)

    fused = (halves is not None and all(_continuation(a, b, width(a)) for a, b in halves)
             and (all(not a.text or not b.text for a, b in halves)
                  or all(not b.text or _wrapped_number(a, b, width(a)) for a, b in halves
                         if b.x0 >= label_edge - _TOL)))
    if fused and halves is not None:
        merge = halves
    else:
        pairs = [(a, b) for b in top for a in bottom if abs(a.x0 - b.x0) <= _TOL and abs(a.x1 - b.x1) <= _TOL]
        merge = [(a, b) for a, b in pairs if a.x1 <= label_edge + _TOL and (not a.text or not b.text)]
    shift = upper.nrows - 1 if fused else upper.nrows
    merged = {id(b) for _, b in merge}
    grown: set[int] = set()
    for a, b in merge:
        a.text = a.text + b.text if _wrapped_number(a, b, width(a)) else _join_lines([a.text, b.text])
        a.confidence = _least(a.confidence, b.confidence)
        if id(a) not in grown:
            a.rowspan += b.rowspan - (1 if fused else 0)
            grown.add(id(a))
    for cell in lower.cells:
        if id(cell) not in merged:
            cell.row += shift
            upper.cells.append(cell)
    upper.nrows = lower.nrows + shift
    upper.last_page = lower.page
    upper.cells.sort(key=lambda c: (c.row, c.x0))


def _least(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


# ----------------------------------------------------------------------------- headers and footers


@dataclass(slots=True)
class _TextLine:
    page: int
    text: str
    bbox: tuple[float, float, float, float]
    confidence: float | None


def _furniture(pages: list[tuple[PageContent, list[_TextLine]]]) -> set[int]:
    """ids of the header/footer lines: margin lines repeated on several pages, and page numbers."""
    candidates: list[tuple[_TextLine, str]] = []
    for page, lines in pages:
        top, bottom = page.height * _MARGIN, page.height * (1 - _MARGIN)
        edge = lines[:2] + lines[-2:]
        for line in edge:
            if line.bbox[3] <= top or line.bbox[1] >= bottom:
                key = re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))
                candidates.append((line, key))
    counts = Counter(key for _, key in {(line.page, key): (line, key) for line, key in candidates})
    repeated = max(2, (len(pages) + 1) // 2)
    return {
        id(line) for line, key in candidates
        if counts[key] >= repeated or _PAGE_NUMBER.match(line.text.strip())
    }


# ----------------------------------------------------------------------------- wrapped lines

_OPENS_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+)")
_SPACED_CELLS = re.compile(r"[\u2e80-\uffff]\s+[\u2e80-\uffff]|\d\s+\d")  # words or numbers set apart: a table's
_ENDS_IN_CELLS = re.compile(r"(?:^|\s)[+\-]?\d[\d,.]*\s+[+\-]?\d[\d,.]*\s*$")


def _paragraphs(lines: list[_TextLine]) -> tuple[list[_TextLine], bool, float]:
    """A page's lines with wrapped ones joined: a line reaching the right edge of the page's text
    continues on the next line of the same size that starts at the left margin, unless that opens an
    item (``二、`` ``（一）`` ``1.``) or the line ends in table cells (``… 0 0``). Also whether the page's
    last line runs on (to the next page's first) and the page's left margin."""
    if not lines:
        return lines, False, 0.0
    prose = [line for line in lines if not _SPACED_CELLS.search(line.text)] or lines
    right = max(line.bbox[2] for line in prose)  # the prose's edge, not a table's without rules
    left = min(line.bbox[0] for line in lines)

    def runs_on(line: _TextLine) -> bool:  # full to the right edge from the margin (or a first-line indent)
        height = line.bbox[3] - line.bbox[1]
        return (line.bbox[2] >= right - 1.5 * height and line.bbox[0] <= left + 3 * height
                and not _ENDS_IN_CELLS.search(line.text))

    out: list[_TextLine] = [lines[0]]
    previous = lines[0]  # the last printed line (out[-1] may be several joined)
    for line in lines[1:]:
        height = previous.bbox[3] - previous.bbox[1]
        if (
            runs_on(previous)
            and 0 <= line.bbox[1] - previous.bbox[3] <= min(height, line.bbox[3] - line.bbox[1])
            and _continues_at(line, previous, left)
        ):
            out[-1] = _joined(out[-1], line)
        else:
            out.append(line)
        previous = line
    return out, runs_on(previous), left


def _continues_at(line: _TextLine, previous: _TextLine, left: float) -> bool:
    """Whether ``line`` can continue the paragraph ``previous`` ends: type of the same size, starting
    at the margin (a 落款 does not), not opening an item."""
    height = previous.bbox[3] - previous.bbox[1]
    return (0.8 <= (line.bbox[3] - line.bbox[1]) / height <= 1 / 0.8 and line.bbox[0] <= left + height
            and not _OPENS_ITEM.match(line.text))


def _joined(last: _TextLine, line: _TextLine) -> _TextLine:
    """A paragraph and its next line as one (a paragraph over a page break keeps its first page and box)."""
    if line.page != last.page:
        return _TextLine(last.page, _join_lines([last.text, line.text]), last.bbox,
                         _least(last.confidence, line.confidence))
    box = (min(last.bbox[0], line.bbox[0]), last.bbox[1], max(last.bbox[2], line.bbox[2]), line.bbox[3])
    return _TextLine(last.page, _join_lines([last.text, line.text]), box, _least(last.confidence, line.confidence))


# ----------------------------------------------------------------------------- blocks


def pages_to_blocks(pages: list[PageContent], normalize: Callable[[str], str]) -> list[Block]:
    """The blocks of a document's pages in reading order (see the module docstring); ``normalize``
    (a function of the text alone) is asked once per distinct text."""
    normalize = _once_per_text(normalize)
    items_by_page: list[tuple[PageContent, list[_TextLine], list[_Table]]] = []
    header: list[Glyph] = []  # of the table without rules that ends the page before
    for page in pages:
        tables, rest, runs = _tables(page, header)
        # a table continued without its header keeps the one before
        header = (_repeated_header(tables[-1]) or header) if tables and not tables[-1].ruled else []
        lines = [_TextLine(page.number, r.text(), r.bbox, r.confidence()) for r in runs or _runs(rest)]
        items_by_page.append((page, lines, tables))
    furniture = _furniture([(p, lines) for p, lines, _ in items_by_page])

    ordered: list[_TextLine | _Table] = []
    open_line: _TextLine | None = None  # the last printed line of the page before, when it runs on
    for _, lines, tables in items_by_page:
        body = [line for line in lines if id(line) not in furniture]
        paragraphs, runs_on, left = _paragraphs(body)
        kept: list[_TextLine | _Table] = list(paragraphs)
        kept += tables
        kept.sort(key=lambda item: item.bbox[1])
        first = kept[0] if kept else None
        if (open_line is not None and paragraphs and isinstance(ordered[-1], _TextLine) and first is paragraphs[0]
                and _continues_at(body[0], open_line, left)):
            ordered[-1] = _joined(ordered[-1], first)  # a paragraph the page break cut
            kept = kept[1:]
        last = kept[-1] if kept else None
        open_line = body[-1] if runs_on and isinstance(last, _TextLine) else None
        if ordered and kept and isinstance(ordered[-1], _Table) and isinstance(kept[0], _Table):
            upper, lower = ordered[-1], kept[0]
            if lower.page == upper.last_page + 1 and _continues(upper, lower):
                _join(upper, lower)
                kept = kept[1:]
        ordered.extend(kept)

    blocks: list[Block] = []
    index = 0
    for item in ordered:
        if isinstance(item, _TextLine):
            text = normalize(item.text)
            if text.strip():
                blocks.append(Line(text, Provenance(page=item.page, bbox=_round(item.bbox),
                                                    confidence=item.confidence)))
        else:
            blocks.append(_table_block(item, index, normalize))
            index += 1
    return blocks


def _once_per_text(normalize: Callable[[str], str]) -> Callable[[str], str]:
    """``normalize`` remembering its results: a table's cells repeat few texts (``0``, blanks)."""
    done: dict[str, str] = {}

    def once(text: str) -> str:
        out = done.get(text)
        if out is None:
            out = done[text] = normalize(text)
        return out

    return once


def _round(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(bbox[0], 1), round(bbox[1], 1), round(bbox[2], 1), round(bbox[3], 1))


def _table_block(table: _Table, index: int, normalize: Callable[[str], str]) -> TableBlock:
    """A table as a ``TableBlock``: true grid columns from the x of every cell edge."""
    xs = _cluster([x for c in table.cells for x in (c.x0, c.x1)])
    columns: dict[float, int] = {}  # each edge's grid column, found once: cells share their edges
    rows: list[list[GridCell]] = [[] for _ in range(table.nrows)]
    unsorted: set[int] = set()  # rows whose cells do not come in column order
    for cell in table.cells:
        x0, y0, x1, y1 = cell.x0, cell.y0, cell.x1, cell.y1
        if (col := columns.get(x0)) is None:
            col = columns[x0] = _index(xs, x0)
        if (end := columns.get(x1)) is None:
            end = columns[x1] = _index(xs, x1)
        where = Provenance(None, index, cell.row, col, cell.page, (round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)),
                           cell.confidence)
        row = rows[cell.row]
        if row and row[-1].where.col > col:
            unsorted.add(cell.row)
        row.append(GridCell(normalize(cell.text), where, cell.rowspan, end - col if end - col > 1 else 1))
    for r in unsorted:
        rows[r].sort(key=lambda c: c.where.col or 0)
    return TableBlock(tuple(tuple(r) for r in rows), Provenance(table=index, page=table.page, bbox=_round(table.bbox)),
                      separator="pdf")


def _index(xs: list[float], x: float) -> int:
    """The index of the clustered position nearest to ``x``."""
    i = bisect_right(xs, x)
    if i > 0 and (i == len(xs) or x - xs[i - 1] <= xs[i] - x):
        return i - 1
    return i
