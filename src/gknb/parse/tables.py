"""Token stream → canonical cells of the three tables, for one format.

The walk follows the data: a recognised row label opens a *segment* and the value, blank and gap
tokens after it (until the next label) are that row's printed cells. A segment is then fitted to
the row's columns:

1. The candidate cell lists: in delimited grids the cells as delimited; in one-cell-per-line text
   either whitespace-only lines are the empty cells, or runs of empty lines longer than the
   layout's usual separator stand for empty cells (measured on the same table).
2. A list of exactly the right length is taken as printed. A longer list (merged label columns,
   row padding) is cut to a window that keeps every printed number; when several windows fit, the
   window position seen in this table's unambiguous rows decides. A row printing fewer numbers
   than cells is placed by where its numbers stand: in a space-aligned text copy by their character
   offsets under the columns of the neighbouring rows; in a converter's broken grid (markitdown on
   a PDF: ``| 0 0 | 0 |  | 0 |``) by the grid columns the rows printed in full use. Else (cells
   dropped by the extraction) it is placed every possible way.
3. What is still ambiguous is resolved with the format's identities against the rest of the table —
   and then the row carries a finding naming its cells, so an inferred position is never silent.

A table whose numbers stand in rows some of which print no label of their own (converter copies)
is re-read as one alignment of its number rows against the declared rows (align.py) before the
fitting. Digits printed glued together (crawler copies) are split the one way the identities allow.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import combinations, islice, product
from math import comb
from operator import attrgetter
from typing import TYPE_CHECKING

from ..catalogue import finding
from ..document import Provenance
from ..formats import FORMATS, Equation, Format, Table
from ..report import Finding, Value
from ..text import normalize_label
from .align import NumberRow, align, has_own_label, number_rows, physical_row
from .fast import printed_in_full, rows_keep_their_labels
from .labels import Label, LabelIndex, core, label_index
from .tokens import MAX_SHORT_HEAD, Token, identity_holds, parse_number

if TYPE_CHECKING:  # the copy decoders are imported where a table needs them (start-up)
    from .columns import Decoded
    from .stream import Streamed

SECTION_TABLES = {"disclosure": "disclosure", "requests": "requests", "review": "review"}
MAX_PLACEMENTS = 64


@dataclass
class Segment:
    """A row label and the tokens printed after it."""

    table: str
    row: str | None  # None: the bare numbers of a table printed without row labels (section 四)
    label: Token | None
    matched: Label | None
    tokens: list[Token] = field(default_factory=list)


@dataclass
class Fit:
    """How a segment's printed cells were placed onto its columns."""

    candidates: list[tuple[Token | None, ...]]
    how: str  # exact | gaps | window | prior | positioned | short | extra | empty
    start_key: tuple | None = None  # (label column, first cell column): the window position, for the prior
    # "short": every placement of the printed cells alone is a candidate (no empty cell inferred from
    # gaps among them, none cut at MAX_PLACEMENTS), so a cell all of them agree on is as printed
    listed: bool = False


@dataclass
class TablesResult:
    cells: dict[str, Value]
    printed: dict[str, str]
    provenance: dict[str, Provenance]
    labels: dict[str, str]
    findings: list[Finding]
    consumed: set[int]


class _Walker:
    """Walks the token stream once, cutting it into segments per table."""

    def __init__(self, fmt: Format, tokens: list[Token], headings: dict[int, str]):
        self.fmt = fmt
        self.tokens = tokens
        self.headings = headings
        self.indexes: dict[str, LabelIndex] = {t.key: label_index(fmt.version, t.key) for t in fmt.tables}
        self.segments: list[Segment] = []
        self.bare: dict[str, list[Token]] = {t.key: [] for t in fmt.tables}
        self.consumed: set[int] = set()
        self.seen_rows: dict[str, set[str]] = {t.key: set() for t in fmt.tables}
        # Inserted columns (小计) seen in a table's header, by the official column printed before each.
        self.extra_after: dict[str, list[str | None]] = {t.key: [] for t in fmt.tables}
        self.last_column: dict[str, str | None] = {t.key: None for t in fmt.tables}
        # Physical rows printing a column's label: a header row, repeated on a later page too, whose
        # 总计 names the total column, not the row （七）总计.
        self.column_rows: set[tuple] = set()
        self.titles = _table_titles(fmt.version)
        # Runs of bare numbers cut off by text (prose, header debris): the table's own run is chosen later.
        self.bare_runs: dict[str, list[list[Token]]] = {t.key: [] for t in fmt.tables}
        # Every token index read as part of a table, and the row labels matched (token → label),
        # for the whole-table alignment (align.py).
        self.spans: dict[str, list[int]] = {t.key: [] for t in fmt.tables}
        self.labels_at: dict[int, Label] = {}
        self.unsure_columns: list[tuple[str, str]] = []  # rows aligned whose blanks only columns place
        self.beside_stray: list[tuple[str, str]] = []  # rows aligned blank next to numbers placed nowhere

    def _cut_bare(self, table: str) -> None:
        """Text interrupts a table's bare numbers: keep the run seen so far, start a new one."""
        if self.bare[table] and any(t.kind == "value" for t in self.bare[table]):
            self.bare_runs[table].append(self.bare[table])
        self.bare[table] = []

    def walk(self) -> None:
        current: str | None = None
        segment: Segment | None = None
        pending: list[int] = []  # unrecognised text just seen: the first pieces of a wrapped label
        headings, spans, bare, consume = self.headings, self.spans, self.bare, self.consumed.add
        tokens = self.tokens
        # Between two text tokens (or headings) the value, blank and gap tokens all go one way: into
        # the current table's span and its open segment (or its bare numbers), taken as one run.
        stops = [i for i, kind in enumerate(map(_KIND, tokens)) if kind == "text"]  # in order already
        if any(h >= len(tokens) or tokens[h].kind != "text" for h in headings):
            stops = sorted(set(stops).union(headings))
        stops.append(len(tokens))
        after = 0  # the first token of the run before the next stop
        for i in stops:
            if after < i and current is not None:
                run = tokens[after:i]
                spans[current].extend(range(after, i))
                if pending and any(t.kind != "gap" for t in run):
                    pending = []
                (segment.tokens if segment is not None else bare[current]).extend(run)
                self.consumed.update(range(after, i))
            after = i + 1
            if i == len(tokens):
                break
            tok = tokens[i]
            if i in headings:
                segment = None
                current = SECTION_TABLES.get(headings[i])
                continue
            kind = tok.kind
            if kind == "text":
                switched = self._anchor(tok, current)
                if switched and switched != current:
                    current, segment = switched, None
                if current is None:
                    continue
                self.spans[current].append(i)
                index = self.indexes[current]
                in_header = not self.seen_rows[current]
                label, first = index.match(tok.norm, in_header=in_header), i
                for k in (1, 2):  # a label wrapped over lines: its pieces joined
                    if label is not None or len(pending) < k:
                        break
                    joined = "".join(self.tokens[j].norm for j in pending[-k:]) + tok.norm
                    label, first = index.match(joined, in_header=in_header), pending[-k]
                if label is None and self._value_follows(i):
                    label, first = index.match(tok.norm, in_header=in_header, fuzzy=True), i
                    if label is not None and label.kind == "row" and label.key in self.seen_rows[current]:
                        label = None
                if label is None:
                    if segment is not None and _continues(segment, tok):
                        self.consumed.add(i)
                    else:
                        pending = [*pending[-2:], i]
                        self._cut_bare(current)  # prose or header debris: bare numbers start after it
                    continue
                if label.kind == "row" and self.column_rows and physical_row(tok) in self.column_rows:
                    # a header row's 总计 (the header repeated on a later page): the total column's label
                    consume(i)
                    pending, segment = [], None
                    self._cut_bare(current)
                    continue
                if first == i:  # a label on one line (the common case): no range to cover
                    consume(i)
                    self.labels_at[i] = label
                else:
                    self.consumed.update(range(first, i + 1))
                    self.labels_at.update(dict.fromkeys(range(first, i + 1), label))
                pending = []
                segment = None
                if label.kind == "row":
                    segment = Segment(current, label.key, self.tokens[first], label)
                    self.segments.append(segment)
                    self.seen_rows[current].add(label.key)
                    continue
                self._cut_bare(current)
                if label.kind == "column":
                    self.column_rows.add(physical_row(tok))
                if label.kind == "column" and in_header:
                    self.last_column[current] = label.key
                elif label.kind == "extra" and in_header:
                    self.extra_after[current].append(self.last_column[current])

    def _anchor(self, tok: Token, current: str | None) -> str | None:
        """A label that proves which table we are in even where a section heading was lost (remembered
        per format version: it depends only on the text, its place in its row and where the walk is)."""
        key = (tok.norm, tok.row_start, current, current == "requests" and "carry_forward" in self.seen_rows["requests"])
        memo = _anchors(self.fmt.version)
        found = memo.get(key, _UNSEEN)
        if found is _UNSEEN:
            if len(memo) > 50_000:
                memo.clear()
            found = memo[key] = self._find_anchor(tok, current)
        return found

    def _find_anchor(self, tok: Token, current: str | None) -> str | None:
        norm = tok.norm
        unnumbered = _TABLE_NUMBERING.sub("", norm) if norm[:1] in _TABLE_NUMBERING_STARTS else norm
        titled = self.titles.get(unnumbered)
        if titled is not None and tok.row_start:  # the table's own title line (一、/表二：主动公开政府信息情况)
            return titled
        if current != "disclosure" and norm.startswith("第二十条") and norm.endswith("项") and len(norm) <= 12:
            return "disclosure"
        if current in (None, "disclosure"):
            hit = self.indexes["requests"].match(norm, in_header=True)
            if hit and (hit.kind == "row" or "勾稽" in norm) and len(core(norm)) >= 6:
                return "requests"
        if current == "requests" and "carry_forward" in self.seen_rows["requests"]:
            hit = self.indexes["review"].match(norm, in_header=True)
            # a label both tables print (总计: a column of each) does not prove the walk left 三: its
            # header repeated on the next page (a PDF's text printed by columns) is followed by 三's numbers
            if hit and hit.kind in ("row", "column", "header") and not (
                    hit.kind == "column" and self.indexes[current].match(norm, in_header=True) is not None):
                return "review"
        return current

    def _value_follows(self, i: int) -> bool:
        for tok in self.tokens[i + 1 : i + 4]:
            if tok.kind == "value":
                return True
            if tok.kind == "text":
                return False
        return False


_UNSEEN = object()


@cache
def _anchors(version: str) -> dict[tuple, str | None]:
    """``_Walker._anchor``'s answers for one format version, by (text, row start, table, carry-forward seen)."""
    return {}


_TABLE_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|表[一二三四五六七八九十\d]+[:：.]?)")
_TABLE_NUMBERING_STARTS = frozenset("一二三四五六七八九十表")  # the only first characters it matches


@cache
def _table_titles(version: str) -> dict[str, str]:
    """A table's printed title (or its section's titles) in comparison form → the table's key."""
    sections = {s.key: s for s in FORMATS[version].sections}
    titles: dict[str, str] = {}
    for table in FORMATS[version].tables:
        section = sections.get(table.section)
        for text in (table.title, *((section.title, *section.aliases) if section else ())):
            titles.setdefault(normalize_label(text), table.key)
    return titles


def _continues(segment: Segment, tok: Token) -> bool:
    """A fragment of the segment's own label wrapped onto a later line."""
    if segment.label is None or segment.matched is None:
        return False
    official = core(segment.matched.official)
    return bool(tok.norm) and (tok.norm in official or official.endswith(tok.norm[-4:]))


# ---------------------------------------------------------------- fitting a segment to its columns


@dataclass
class _GapStats:
    first: int  # empty lines between a label and its first cell
    inner: int  # between two cells
    last: int  # between a row's last cell and the next label


_GLUED, _GRID, _KIND = attrgetter("glued"), attrgetter("grid"), attrgetter("kind")


def _gap_runs(segment: Segment) -> tuple[list[int], list[Token]]:
    """For a segment in running text: gap counts around each value/blank, and those tokens."""
    gaps, cells, run = [], [], 0
    for tok in segment.tokens:
        if tok.kind == "gap":
            run += 1
        else:
            gaps.append(run)
            cells.append(tok)
            run = 0
    gaps.append(run)
    return gaps, cells


def _measure_gaps(segments: list[tuple[Segment, int]]) -> _GapStats:
    """The layout's usual empty-line counts, measured on rows that print all their cells."""
    first, inner, last = Counter(), Counter(), Counter()
    for seg, n in segments:
        if any(map(_GRID, seg.tokens)):
            continue
        gaps, cells = _gap_runs(seg)
        if len(cells) != n:
            continue
        first[gaps[0]] += 1
        last[gaps[-1]] += 1
        inner.update(gaps[1:-1])

    def mode(counter: Counter, default: int = 0) -> int:
        return counter.most_common(1)[0][0] if counter else default

    return _GapStats(mode(first), mode(inner), mode(last))


def _interpretations(segment: Segment, stats: _GapStats) -> list[list[Token | None]]:
    """Candidate lists of printed cells (a Token per printed cell, None for an inferred empty one)."""
    tokens = segment.tokens
    if any(map(_GRID, tokens)):
        return [[t for t in tokens if t.kind in ("value", "blank")]]
    if _inline_positions(segment) is not None:  # numbers on one line: empty lines around say nothing
        return [[t for t in tokens if t.kind in ("value", "blank")]]
    with_ws = [t for t in tokens if t.kind in ("value", "blank") or (t.kind == "gap" and t.whitespace)]
    gaps, cells = _gap_runs(segment)
    by_gaps: list[Token | None] = []
    if cells:
        # After a label, the usual label→cell gap; after a header row (bare numbers), a row break.
        lead = stats.first if segment.label is not None else stats.last
        by_gaps.extend([None] * max(0, gaps[0] - lead))
        for j, tok in enumerate(cells):
            by_gaps.append(tok)
            if j + 1 < len(cells):
                by_gaps.extend([None] * max(0, gaps[j + 1] - stats.inner))
        by_gaps.extend([None] * max(0, gaps[-1] - stats.last))
    else:
        by_gaps.extend([None] * max(0, gaps[0] - stats.first - stats.last + stats.inner))
    values_only = [t for t in tokens if t.kind in ("value", "blank")]
    out: list[list[Token | None]] = []
    # Whitespace-only lines are printed empty cells where a layout has them; else count gaps.
    preferred = (with_ws, by_gaps) if len(with_ws) > len(values_only) else (by_gaps, with_ws)
    for option in (*preferred, values_only):
        if option not in out:
            out.append(option)
    return out


def _printed(cell: Token | None) -> bool:
    return cell is not None and cell.kind == "value"


def _signature(cells: tuple[Token | None, ...]) -> tuple:
    return tuple((c.value if _printed(c) else None) for c in cells)


def _windows(cells: list[Token | None], n: int) -> list[int]:
    """Start offsets of n-long windows that keep every printed number and every printed dash (a cell
    the report marks empty, never a grid's padding)."""
    printed = [j for j, c in enumerate(cells) if c is not None and (c.kind == "value" or c.kind == "blank" and c.text)]
    if not printed:
        return [0]
    lo, hi = printed[-1] - n + 1, printed[0]
    return [s for s in range(max(0, lo), min(hi, len(cells) - n) + 1)]


def _same_row(a: Token, b: Token) -> bool:
    if a.where.row is not None and b.where.row is not None:
        return (a.where.table, a.where.row) == (b.where.table, b.where.row)
    return a.where.line == b.where.line


def _position_key(segment: Segment, cells: list[Token | None], start: int) -> tuple:
    """Where a window starts, comparably across rows: the grid column of its first cell when the
    row is printed on one grid row with its label, else its offset among the cells after the label."""
    first = cells[start] if start < len(cells) else None
    label = segment.label
    if first is None or label is None or first.where.col is None or not _same_row(label, first):
        return ("offset", start)
    return ("col", label.where.col, first.where.col)


def fit(
    segment: Segment, n: int, stats: _GapStats, inserted: tuple[int, ...] = (),
    columns_x: dict[str, list[list[float]]] | None = None,
) -> Fit:
    """Place a segment's printed cells onto n columns (possibly several candidate ways).

    ``inserted``: positions of columns the report adds to the official ones (小计), dropped from a
    reading that holds them too. ``columns_x``: where neighbouring complete rows print each column
    in a space-aligned text copy (PDF text, a converter's text table), by the point of the cell the
    copy aligns (``ANCHORS``), to place the numbers of a row printed short."""
    if inserted:
        wide = fit(segment, n + len(inserted), stats)
        if wide.how in ("exact", "gaps", "window", "prior"):
            wide.candidates = [tuple(c for j, c in enumerate(cand) if j not in inserted) for cand in wide.candidates]
            return wide
    if not inserted and (as_printed := printed_in_full(segment.tokens, n)) is not None:
        return Fit([as_printed], "exact")  # what the readings below would give (fast.py)
    options = _interpretations(segment, stats)
    exact = [tuple(o) for o in options if len(o) == n]
    if exact:  # the most trusted reading that gives exactly the row's cells
        # Empty cells inferred from counting empty lines (no printed mark): a reading, not a print.
        return Fit([exact[0]], "gaps" if any(c is None for c in exact[0]) else "exact")
    longer = sorted((o for o in options if len(o) > n), key=len)
    for cells in longer:
        starts = _windows(cells, n)
        if not starts:
            continue
        if segment.label is None:  # bare numbers after a header: padding precedes them, so right first
            starts.reverse()
        windows = [tuple(cells[s : s + n]) for s in starts]
        keys = [_position_key(segment, cells, s) for s in starts]
        # one window (a grid row's padding cells), or several alike: nothing to compare
        if len(starts) == 1 or len({_signature(w) for w in windows}) == 1:
            # an empty cell inferred from counted empty lines inside it: a reading, not a print
            return Fit([windows[0]], "gaps" if any(c is None for c in windows[0]) else "window", keys[0])
        return _PriorFit(windows, keys)
    values = [t for t in options[-1] if _printed(t)]
    if not values:
        return Fit([tuple([None] * n)], "empty")
    if len(values) == n:  # the numbers fill the row: reading order beats broken column positions
        return Fit([tuple(values)], "exact")
    if len(values) > n:
        return Fit([tuple(values[:n])], "extra")
    if columns_x:
        placed = _place_by_anchors(values, columns_x)
        if placed is not None:
            return Fit([placed], "positioned")
    # Fewer cells than columns: the missing ones go anywhere, most likely at the row's end
    # (extraction drops trailing empty cells), so those placements come first. When every reading is
    # longer but none has a window keeping all the numbers, the numbers alone are placed.
    base = max((o for o in options if len(o) < n), key=len, default=values)
    placements = []
    for holes in combinations(range(n - 1, -1, -1), n - len(base)):
        cells = iter(base)
        placements.append(tuple(None if pos in holes else next(cells) for pos in range(n)))
        if len(placements) >= MAX_PLACEMENTS:
            break
    listed = None not in base and len(placements) == comb(n, n - len(base))
    return Fit(placements, "short", listed=listed)


# Where a space-aligned copy lines up a column's cells: a PDF's centred cells by their centre, a
# converter's padded text table (inscriptis) by their start, right-aligned cells by their end.
ANCHORS = ("centre", "start", "end")


def _anchor(tok: Token, anchor: str) -> float:
    """The display column of a cell's ``anchor`` point (its token's x is the centre)."""
    assert tok.x is not None
    half = len(tok.text) / 2
    return tok.x if anchor == "centre" else tok.x - half if anchor == "start" else tok.x + half


def _inline_positions(segment: Segment, anchor: str = "centre") -> list[float] | None:
    """Display columns of a segment's numbers when they all stand on one space-aligned line."""
    values = [t for t in segment.tokens if t.kind in ("value", "blank")]
    if not values or any(t.x is None for t in values):
        return None
    if len({(t.block, t.where.line, t.where.page) for t in values}) != 1:
        return None
    return [_anchor(t, anchor) for t in values]


def _aligned_positions(segment: Segment, anchor: str = "centre") -> list[float] | None:
    """The display columns of a segment's numbers on one line that a copy aligned by spaces (some two
    cells two or more spaces apart); None for a line whose cells stand one space apart (markitdown,
    pdftotext without -layout), where a character offset says nothing about the column."""
    xs = _inline_positions(segment, anchor)
    if xs is None:
        return None
    cells = [t for t in segment.tokens if t.kind in ("value", "blank")]
    gaps = [(b.x - len(b.text) / 2) - (a.x + len(a.text) / 2) for a, b in zip(cells, cells[1:], strict=False)]
    return xs if any(gap >= 2 for gap in gaps) else None


POSITION_TOLERANCE = 1.5  # characters: how far a number may stand from its column in a text copy …
POSITION_SHARE = 0.2  # … or this share of its distance to the next column (wide columns, short numbers)


def _place_by_anchors(values: list[Token], models: dict[str, list[list[float]]]) -> tuple[Token | None, ...] | None:
    """The numbers placed by the columns of the neighbouring rows, aligned by whichever point of the
    cells (``ANCHORS``) places every number clearly — only when the anchors that do agree."""
    found = {}
    for anchor, columns in models.items():
        placed = _place_by_position(values, columns, anchor)
        if placed is not None:
            found[tuple(id(c) for c in placed)] = placed
    return next(iter(found.values())) if len(found) == 1 else None


def _place_by_position(values: list[Token], models: list[list[float]], anchor: str = "centre",
                       ) -> tuple[Token | None, ...] | None:
    """Each number under the column whose ``anchor`` point is nearest, in the neighbouring row whose
    columns fit this row best — only when every number stands clearly in one column."""
    best: tuple[float, tuple[Token | None, ...]] | None = None
    packed = _packed_run([(_anchor(t, "start"), _anchor(t, "end")) for t in values])
    for columns_x in models:
        row: list[Token | None] = [None] * len(columns_x)
        last, worst = -1, 0.0
        # A copy that packs a line's first cells one space apart (pdftotext -layout on chromium's
        # PDF) shifts them with the label before them: a packed run as long as the full row's is
        # its first columns, in order; the numbers after it are placed by their offsets.
        region = _packed_run([(x - 0.5, x + 0.5) for x in columns_x])
        lead = packed if packed > 1 and packed == region and packed < len(values) else 0
        for column in range(lead):
            row[column], last = values[column], column
        if not lead and 1 < region < len(columns_x) and (first := _packed_short(values, columns_x, region, anchor)):
            for column, tok in first.items():
                row[column] = tok
            lead, last = len(first), region - 1
        for tok in values[lead:]:
            x = _anchor(tok, anchor)
            ranked = sorted(range(len(columns_x)), key=lambda j: abs(columns_x[j] - x))
            column = ranked[0]
            distance = abs(columns_x[column] - x)
            # Clearly in one column: near its centre, or far nearer to it than to any other column.
            runner_up = abs(columns_x[ranked[1]] - x) if len(ranked) > 1 else float("inf")
            if column <= last or distance > max(POSITION_TOLERANCE, POSITION_SHARE * runner_up):
                break
            row[column], last, worst = tok, column, max(worst, distance)
        else:
            if best is None or worst < best[0]:
                best = (worst, tuple(row))
    return best[1] if best else None


def _packed_short(values: list[Token], columns_x: list[float], region: int, anchor: str) -> dict[int, Token] | None:
    """The first numbers of a row short by one cell among the ``region`` first columns a full row packs one
    space apart (pdftotext -layout on chromium's PDF), by column: the blank stands where the row's numbers
    there leave a gap wider than one space, or first where they start a column or more to the right of the
    full row's first; None when neither says."""
    inside = [t for t in values if _anchor(t, anchor) < columns_x[region] - POSITION_TOLERANCE]
    if len(inside) != region - 1 or values[: len(inside)] != inside:
        return None
    spans = [(_anchor(t, "start"), _anchor(t, "end")) for t in inside]
    gaps = [n for n in range(1, len(spans)) if spans[n][0] - spans[n - 1][1] > 1]
    if len(gaps) == 1:
        hole = gaps[0]
    elif not gaps and _anchor(inside[0], anchor) - columns_x[0] >= columns_x[1] - columns_x[0]:
        hole = 0
    else:
        return None
    return {column: tok for column, tok in zip([c for c in range(region) if c != hole], inside, strict=True)}


def _packed_run(spans: list[tuple[float, float]]) -> int:
    """How many cells a line starts with that stand one space apart (or closer)."""
    run = 1 if spans else 0
    while run < len(spans) and spans[run][0] - spans[run - 1][1] <= 1:
        run += 1
    return run


def _column_models(segments: list[Segment], index: int, n: int, reach: int = 2,
                   anchor: str = "centre") -> list[list[float]]:
    """Column positions (of the cells' ``anchor`` point) of the nearest rows (before and after) of the
    same table printed in full on one line: text copies of PDFs shift columns a little from row to
    row and page to page. Rows that print as many label cells before their numbers as this one come
    first (a copy that ignores a label's column span shifts the rows without a group label by a column);
    where none of the nearest does, the nearest that do, further off (a group's first row, its group
    label beside it: （四）无法提供 1.本机关不掌握…)."""
    target = segments[index]
    label_cells = _label_cells(target)
    found: list[tuple[bool, list[float]]] = []
    for same_only in (False, True):
        for step in (-1, 1):
            j, taken = index + step, 0
            while 0 <= j < len(segments) and taken < reach:
                seg = segments[j]
                if seg.table == target.table and seg.row and (not same_only or _label_cells(seg) == label_cells):
                    xs = _aligned_positions(seg, anchor)
                    if xs is not None and len(xs) == n:
                        found.append((_label_cells(seg) != label_cells, xs))
                        taken += 1
                j += step
        if any(not other for other, _ in found):
            break
    models = [xs for _, xs in sorted(found, key=lambda pair: pair[0])]
    shared = _shared_columns(segments, index, n, reach, anchor)
    return models + ([shared] if shared is not None else [])


def _shared_columns(segments: list[Segment], index: int, n: int, reach: int,
                    anchor: str = "centre") -> list[float] | None:
    """Column positions shared by this row and the rows next to it when none prints every column (a
    page of short rows): the numbers' positions of those rows fall into exactly n columns."""
    target = segments[index]
    around: dict[int, list[float]] = {}
    for j in range(max(0, index - reach), min(len(segments), index + reach + 1)):
        seg = segments[j]
        if seg.table == target.table and seg.row and (xs := _aligned_positions(seg, anchor)) is not None \
                and len(xs) >= 2:
            around[j] = xs
    if index not in around:
        return None
    for chosen in (sorted(around), [j for j in sorted(around) if j >= index], [j for j in sorted(around) if j <= index]):
        if len(chosen) < 2:
            continue
        columns: list[list[float]] = []
        for x in sorted(x for j in chosen for x in around[j]):
            if columns and x - columns[-1][-1] <= POSITION_TOLERANCE:
                columns[-1].append(x)
            else:
                columns.append([x])
        if len(columns) == n:
            return [sum(c) / len(c) for c in columns]
    return None


HEADER_LINES = 3  # lines above a bare row of numbers searched for its column header


def _header_starts(tokens: list[Token], seg: Segment) -> list[list[int]]:
    """Where each header cell starts on the lines just above a bare row of numbers (table 四 on one
    line), nearest line first: a text copy that pads every cell to its column's width (inscriptis)
    starts a column's header and its number at the same offset."""
    first = seg.tokens[0]
    at = next((i for i, t in enumerate(tokens) if t is first), None)
    out: list[list[int]] = []
    line = (first.block, first.where.line)
    for tok in reversed(tokens[:at] if at is not None else []):
        if tok.kind == "value" or len(out) >= HEADER_LINES:
            break
        if tok.kind == "text" and (tok.block, tok.where.line) != line:
            line = (tok.block, tok.where.line)
            out.append([m.start() for m in re.finditer(r"\S+(?: \S+)*", tok.text)])
    return out


def _place_under_header(seg: Segment, headers: list[list[int]], n: int) -> list[tuple[Token | None, ...]]:
    """The placements of a bare row of numbers printed short by the header line above it that gives
    the first columns' starts: every number up to that header's last cell starts exactly where one
    of its cells starts (its column); the numbers after it fill the remaining columns every way.
    Empty when no header line fits so (a copy that does not pad its cells)."""
    values = [t for t in seg.tokens if t.kind in ("value", "blank")]
    for starts in headers:
        if len(starts) < 3 or len(starts) > n or starts[0] != 0:
            continue
        row: list[Token | None] = [None] * len(starts)
        tail: list[Token] = []
        for tok in values:
            start = _anchor(tok, "start")
            if start > starts[-1] + 0.5:
                tail.append(tok)
                continue
            column = next((j for j, x in enumerate(starts) if abs(x - start) < 0.5), None)
            if column is None or row[column] is not None or tail:
                break
            row[column] = tok
        else:
            rest = n - len(starts)
            if sum(c is not None for c in row) < 2 or len(tail) > rest:
                continue
            out = []
            for holes in combinations(range(rest - 1, -1, -1), rest - len(tail)):
                cells = iter(tail)
                out.append(tuple(row) + tuple(None if j in holes else next(cells) for j in range(rest)))
            return out
    return []


def _header_model(version: str, table_key: str, tokens: list[Token], seg: Segment) -> tuple[int, ...] | None:
    """The grid column of each of a table's columns, from the header rows above a bare grid row of
    its numbers (table 四 in markitdown's grid of a PDF, where one grid cell may hold several
    columns): the header words a grid column prints (those made of column labels' characters only,
    not 行政复议 / 未经复议直接起诉) spell the labels of how many of the columns, in order, it holds
    (``| 维持 纠正 |`` under ``| 结果 结果 |``: two). None unless the characters add up exactly."""
    values = _grid_row(seg)
    if values is None:
        return None
    labels = [normalize_label(column.label) for *_, column in FORMATS[version].table(table_key).cells()]
    alphabet = set("".join(labels))
    first = values[0]
    chars: Counter = Counter()
    for tok in tokens:
        if tok is first:
            break
        if tok.kind == "text" and tok.grid and tok.block == first.block and tok.where.col is not None:
            text = re.sub(r"\s+", "", tok.norm)
            if text and set(text) <= alphabet:
                chars[tok.where.col] += len(text)
    model: list[int] = []
    for col in sorted(chars):
        left = chars[col]
        while left > 0 and len(model) < len(labels):
            left -= len(labels[len(model)])
            model.append(col)
        if left != 0:
            return None
    return tuple(model) if len(model) == len(labels) else None


def _placed_under_grid_header(fmt: Format, table_key: str, tokens: list[Token],
                              seg: Segment) -> list[tuple[Token | None, ...]]:
    """The placements of a bare grid row printing fewer numbers than the table's cells that the
    header rows above it allow (``_header_model``); empty when they do not say."""
    n = len(_table_keys(fmt.version, table_key))
    if [t.kind for t in seg.tokens].count("value") >= n:
        return []
    header = _header_model(fmt.version, table_key, tokens, seg)
    if header is None or len(set(header)) == len(header):
        return []  # a grid column a column (a document's own table): its grid places every number
    return _place_by_grid(_grid_row(seg) or [], {header})


GAP_WIDE = 1.6  # a gap between two numbers of a line this many times the line's usual gap …
GAP_WIDE_MIN = 2.0  # … and this many characters wider holds a blank cell, …
GAP_APART = 1.3  # … when it is this many times wider than the widest gap taken as ordinary


def _place_by_gaps(seg: Segment, n: int) -> list[tuple[Token | None, ...]]:
    """The placements of a line of numbers printed short (table 四 on one line in ``pdftotext
    -layout``, blank cells not printed) that its spacing allows: a gap clearly wider than the line's
    usual gap between numbers holds a blank cell; the blank cells no such gap holds stand before the
    first number or after the last (every split of them). Empty when the spacing shows no such gap
    clearly (columns of several widths: every placement stays open)."""
    xs = _aligned_positions(seg, "start")
    cells = [t for t in seg.tokens if t.kind in ("value", "blank")]
    missing = n - len(cells)
    if xs is None or missing <= 0 or len(cells) < 3:
        return []
    gaps = [(b.x - len(b.text) / 2) - (a.x + len(a.text) / 2) for a, b in zip(cells, cells[1:], strict=False)]
    ranked = sorted(range(len(gaps)), key=lambda j: -gaps[j])
    usual = sorted(gaps)[len(gaps) // 2]
    wide = 0
    for j in range(1, min(missing, len(gaps) - 1) + 1):
        this, next_ = gaps[ranked[j - 1]], gaps[ranked[j]]
        if this >= GAP_WIDE * usual and this >= usual + GAP_WIDE_MIN and this >= GAP_APART * next_:
            wide = j
    if wide == 0:
        return []
    if wide < missing and gaps[ranked[wide]] >= GAP_WIDE * usual:
        return []  # blank cells left over while another gap is wide too: where they stand is open
    after = set(ranked[:wide])  # a blank cell after each of these numbers
    inner: list[Token | None] = []
    for j, tok in enumerate(cells):
        inner.append(tok)
        if j in after:
            inner.append(None)
    rest = missing - wide
    return [tuple([None] * lead + inner + [None] * (rest - lead)) for lead in range(rest, -1, -1)]


def _label_cells(segment: Segment) -> int:
    """How many label cells a space-aligned line prints before its numbers (group and row label: 2)."""
    return len(re.split(r"\s{2,}", segment.label.text.strip())) if segment.label is not None else 0


def _grid_row(seg: Segment) -> list[Token] | None:
    """A segment's numbers when every one stands in a delimited grid cell of one grid row."""
    values = [t for t in seg.tokens if t.kind == "value"]
    if not values or any(not t.grid or t.where.col is None for t in values):
        return None
    if len({physical_row(t) for t in values}) != 1:
        return None
    return values


def _grid_label_column(seg: Segment, values: list[Token]) -> int | None:
    """The grid column of a row's label printed on its numbers' grid row (None: elsewhere)."""
    label = seg.label
    if label is None or not label.grid or physical_row(label) != physical_row(values[0]):
        return None
    return label.where.col


def _grid_models(segments: list[Segment], target: Segment, n: int, width: int,
                 row_width: dict[tuple, int], columns_of: dict[str, int] | None = None) -> set[tuple[int, ...]]:
    """The grid column of each of the n columns in the table's rows printed in full (n numbers) on
    one grid row ``width`` cells wide (rows of n columns, where ``columns_of`` gives each row's
    count: a row of three printing two numbers is not printed in full), with their label in the same
    grid column as ``target``'s
    where it prints one on its row: a converter's broken grid (markitdown on a PDF) keeps its
    columns from row to row, one grid cell sometimes holding two columns (``| 0 0 |``)."""
    own = _grid_row(target)
    label_column = _grid_label_column(target, own) if own else None
    models = set()
    for seg in segments:
        if seg.table != target.table or not seg.row or columns_of is not None and columns_of.get(seg.row, n) != n:
            continue
        values = _grid_row(seg)
        if values is None or len(values) != n or row_width.get(physical_row(values[0])) != width:
            continue
        if label_column is not None and _grid_label_column(seg, values) not in (None, label_column):
            continue
        models.add(tuple(t.where.col for t in values))
    return models


def _place_by_grid(values: list[Token], models: set[tuple[int, ...]]) -> list[tuple[Token | None, ...]]:
    """Every placement of a short grid row's numbers that the grid models allow: each number under a
    column its grid cell holds in the rows printed in full; a grid cell printing fewer numbers than
    columns leaves some of them blank (which ones: every way). Empty when no model fits."""
    out: dict[tuple, tuple[Token | None, ...]] = {}
    for model in sorted(models):
        held: dict[int, list[int]] = {}
        for column, col in enumerate(model):
            held.setdefault(col, []).append(column)
        printed: dict[int, list[Token]] = {}
        for tok in values:
            printed.setdefault(tok.where.col, []).append(tok)
        if any(col not in held or len(toks) > len(held[col]) for col, toks in printed.items()):
            continue
        choices = [[list(zip(chosen, toks, strict=True)) for chosen in combinations(held[col], len(toks))]
                   for col, toks in printed.items()]
        for combo in islice(product(*choices), MAX_PLACEMENTS):
            row: list[Token | None] = [None] * len(model)
            for pairs in combo:
                for column, tok in pairs:
                    row[column] = tok
            out.setdefault(_signature(tuple(row)), tuple(row))
    return list(out.values())


class _GridFit(Fit):
    """A short grid row placed by the grid's columns: several placements where a grid cell holding
    two columns prints one number; the identities choose, and only the cells they leave open are named."""


class _PriorFit(Fit):
    """Several windows fit; the table's other rows say which position is usual."""

    def __init__(self, windows: list[tuple[Token | None, ...]], keys: list[tuple | None]):
        super().__init__(windows, "prior")
        self.keys = keys


# ---------------------------------------------------------------- the whole tables


@cache
def _cell_keys(version: str) -> tuple[str, ...]:
    return tuple(FORMATS[version].cell_keys())


@cache
def _equations_of(version: str) -> dict[str, list[Equation]]:
    """Cell key → the identities it takes part in."""
    equations: dict[str, list[Equation]] = {}
    for eq in FORMATS[version].identities():
        for key in eq.cells:
            equations.setdefault(key, []).append(eq)
    return equations


@cache
def _row_keys(version: str, table: str, row: str) -> list[str]:
    block = FORMATS[version].table(table).block_of(row)
    return [f"{table}.{row}.{c.key}" for c in block.columns]


@cache
def _table_keys(version: str, table: str) -> list[str]:
    return [key for key, *_ in FORMATS[version].table(table).cells()]


class TableAssembler:
    """Assigns every segment's cells to canonical keys and records how sure each row is."""

    def __init__(self, fmt: Format):
        self.fmt = fmt
        self.cells: dict[str, Value] = dict.fromkeys(_cell_keys(fmt.version))
        self.printed: dict[str, str] = {}
        self.provenance: dict[str, Provenance] = {}
        self.labels: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.equations_of = _equations_of(fmt.version)
        self.stacked: list[str] = []  # cells read from a number of two rows printed on one line (Token.stacked)
        self.unordered: list[str] = []  # cells read from two numbers a grid cell holds side by side (Token.unordered)

    def row_keys(self, table: str, row: str) -> list[str]:
        return _row_keys(self.fmt.version, table, row)

    def bare_keys(self, table: str) -> list[str]:
        return _table_keys(self.fmt.version, table)

    def assign(self, keys: list[str], cells: tuple[Token | None, ...], label: Token | None) -> None:
        values, printed, provenance = self.cells, self.printed, self.provenance
        for key, cell in zip(keys, cells, strict=True):
            if cell is not None and cell.kind == "value":  # _printed(cell), inlined: per cell
                values[key] = cell.value
                printed[key] = cell.text
                provenance[key] = cell.where
                if cell.stacked:
                    self.stacked.append(key)
                if cell.unordered:
                    self.unordered.append(key)
            else:
                values[key] = None
                if cell is not None and cell.text:
                    printed[key] = cell.text
                where = cell.where if cell is not None else (label.where if label is not None else None)
                if where is not None:
                    provenance[key] = where

    def score(self, keys: list[str], cells: tuple[Token | None, ...]) -> tuple[int, int]:
        """Minus the number of identities the candidate breaks (a blank breaks none: it is unknown),
        then the number that hold with its blank cells read as 0: of two placements that break none,
        the one whose printed numbers add up (``753 = 251 + 502 + 0`` beside a blank part) is the
        likelier than the one that leaves the total blank beside parts summing to anything."""
        broken, fewer_held = _broken(self.equations(keys), _placed(dict(self.cells), keys, cells))
        return -broken, -fewer_held

    def equations(self, keys: list[str]) -> list[Equation]:
        """The identities running through any of ``keys``, each once."""
        return list({id(eq): eq for key in keys for eq in self.equations_of.get(key, ())}.values())

    def note(self, rule: str, keys: list[str], message: str, message_en: str, severity: str | None = None) -> None:
        self.findings.append(finding(rule, keys, message, message_en, severity))


def _row_title(fmt: Format, table: str, row: str | None) -> str:
    if row is None:
        return fmt.table(table).title
    return fmt.table(table).row(row).full_label


def assemble(fmt: Format, tokens: list[Token], headings: dict[int, str]) -> TablesResult:
    """Read the three tables of ``fmt`` out of the token stream."""
    walker = _Walker(fmt, tokens, headings)
    walker.walk()
    out = TableAssembler(fmt)
    stats = _measure_gaps([(s, len(out.row_keys(s.table, s.row))) for s in walker.segments if s.row])

    by_columns = _printed_by_columns(fmt, walker)
    walker.segments = [s for s in walker.segments if s.table not in by_columns]
    for table_key in by_columns:
        walker.bare[table_key], walker.bare_runs[table_key] = [], []
        _read_by_columns(out, fmt, tokens, headings, walker, table_key)
    walker_segments, by_order = _align_tables(fmt, tokens, walker)

    # The bare numbers of a table printed without row labels (section 四: one row of 15 numbers),
    # including when a header cell that names a row (复议后起诉) is followed by all of them, or by
    # all but a few blank cells a text copy dropped (more than the other rows could hold; a grid that
    # prints its blank cells keeps them, and is read as a grid).
    segments = []
    for seg in walker_segments:
        kinds = [t.kind for t in seg.tokens]
        values = kinds.count("value")
        whole = len(out.bare_keys(seg.table))
        width = len(out.row_keys(seg.table, seg.row)) if seg.row else 0
        if seg.row and values > width and (
            values == whole or whole == _marked_cells(seg.tokens)  # every cell printed, blank ones as a dash
            # a text copy: blank cells not printed at all (empty cells of header rows above the numbers aside)
            or not any(t.kind == "blank" for t in _without_header_cells(seg.tokens, whole))
            and whole - width < values < whole
            # a table printed as one row of numbers (四) under a header naming its parts: more numbers
            # than the part's row could hold are the table's, its blank cells placed (or named) by the fit
            or _one_row(fmt, seg.table) and whole - width < values < whole
        ):
            walker.bare[seg.table] = seg.tokens
            continue
        segments.append(seg)
    segments = _spread_over_empty_rows(fmt, segments)
    unlabelled: dict[str, int] = {}  # table → numbers printed without row labels, read by no row
    for table in fmt.tables:
        bare = _bare_run(walker.bare[table.key], walker.bare_runs[table.key], len(out.bare_keys(table.key)),
                         min(len(b.columns) for b in table.blocks))
        has_rows = any(s.table == table.key and any(t.kind == "value" for t in s.tokens) for s in segments)
        while bare and bare[-1].kind == "gap" and not bare[-1].whitespace:  # lines before the next section
            bare.pop()
        if bare and has_rows and any(t.kind == "value" for t in bare):
            unlabelled[table.key] = sum(t.kind == "value" for t in bare)  # left aside: the labelled rows read
        if bare and not has_rows and any(t.kind == "value" for t in bare):
            whole = len(out.bare_keys(table.key))
            numbered = _without_header_cells(bare, whole)
            if len(numbered) != len(bare) and (
                    _printed_cells(numbered) == whole and all(t.where.table is not None for t in numbered)
                    or _marked_cells(numbered) == whole):
                # the rows of numbers print every cell (a document's own table: DOCX, HTML; or a copy
                # printing its blank cells as a dash), so the empty cells above are the header's (a
                # converter's grid may pad a row with an empty cell: that is not a printed cell)
                bare = numbered
            elif len(marks := _marks(numbered)) == whole and any(t.kind == "blank" for t in marks):
                # every cell printed as a number or a dash (blank), the grid's empty cells its padding
                bare = marks
            elif len(numbered) != len(bare):
                if _printed_cells(numbered) > whole / 2:
                    bare = numbered  # the numbers placed by the identities (and named), not among the header's cells
                if not _placed_under_grid_header(fmt, table.key, tokens, Segment(table.key, None, None, None, bare)):
                    out.note("parse.alignment_ambiguous", out.bare_keys(table.key),
                             f"「{table.title}」的数字没有行标签，其上方的表头行有空白单元格，无法确定它们是否为空白数据格，请核对原文",
                             f"the numbers of {table.title!r} have no row labels and the header rows above them print "
                             "empty cells: whether those are blank data cells is undetermined; check the original")
            segments.append(Segment(table.key, None, None, None, bare))

    inserted = {t.key: _inserted_positions(t, walker.extra_after[t.key]) for t in fmt.tables}
    first_seen: set[tuple[str, str | None]] = set()
    glued: dict[str, bool] = {}  # cell read from glued digits → whether its split was certain
    pending: list[tuple[Segment, list[str], Fit]] = []
    row_width: dict[tuple, int] | None = None  # grid row → its number of cells, when a short grid row needs it
    gridded: set[tuple[str, str]] = set()  # rows placed by the grid's columns
    unsure_grid: list[tuple[str, str]] = []  # short grid rows placed by a window no full row confirms
    priors: dict[str, Counter] = {}
    for position, seg in enumerate(segments):
        ident = (seg.table, seg.row)
        if ident in first_seen:
            continue
        keys = out.row_keys(seg.table, seg.row) if seg.row else out.bare_keys(seg.table)
        if any(map(_GLUED, seg.tokens)):
            seg = _unglue(out, seg, keys, glued)
        kinds = [t.kind for t in seg.tokens]
        # the positions count only for a row printing fewer cells than it has (xs: one for each cell)
        xs = _aligned_positions(seg) if 0 < kinds.count("value") + kinds.count("blank") < len(keys) else None
        model = {anchor: _column_models(segments, position, len(keys), anchor=anchor) for anchor in ANCHORS} \
            if xs and seg.row else None
        result = fit(seg, len(keys), stats, inserted.get(seg.table, ()) if seg.row else (), model)
        if any(t.floating for t in seg.tokens):  # counts joined from wrapped pieces, their columns unknown
            result = _interleaved(seg, len(keys), result)
        elif result.how == "extra" and seg.row and (joins := _wrapped_joins(seg, len(keys))):
            result = _InterleavedFit(joins, "interleaved")
        if seg.row is None and xs and result.how == "short":
            under = _place_under_header(seg, _header_starts(tokens, seg), len(keys))
            if under:
                result = Fit(under, "positioned" if len(under) == 1 else "short")
            elif gapped := _place_by_gaps(seg, len(keys)):
                result = Fit(gapped, "short")  # gaps are a likelihood (columns of several widths): named
        # a bare grid row under a header that says which columns each grid cell holds
        if seg.row is None and (placements := _placed_under_grid_header(fmt, seg.table, tokens, seg)) and not (
                result.how == "exact" and [_signature(p) for p in placements] == [_signature(result.candidates[0])]):
            result = _GridFit(placements, "gridded")
        # A row marking every cell, its blank ones with a dash, among a grid's empty padding cells
        # (markitdown on a PDF: ``| 0 | 0 |  | 0 | — |  | 0 |``): its marks in order.
        marks = _marks(seg.tokens)
        dashed = bool(seg.row) and len(marks) == len(keys) and any(t.kind == "blank" for t in marks) \
            and len(marks) < len(seg.tokens) and not inserted.get(seg.table)
        if dashed and result.how != "exact":
            result = Fit([tuple(marks)], "exact")
        # (_grid_row's numbers matter only for a row printing fewer numbers than its cells)
        short = seg.row and not dashed and kinds.count("value") < len(keys)
        values = _grid_row(seg) if short else None
        if values is not None and len(values) < len(keys):
            if row_width is None:
                row_width = _grid_widths(tokens)
            width = row_width.get(physical_row(values[0]), 0)
            columns_of = {r.key: len(b.columns) for b in fmt.table(seg.table).blocks for r in b.rows}
            models = _grid_models(segments, seg, len(keys), width, row_width, columns_of)
            placements = _place_by_grid(values, models)
            unique = len(result.candidates) == 1 and result.how in ("window", "gaps", "positioned")
            agrees = unique and [_signature(p) for p in placements] == [_signature(result.candidates[0])]
            # The grid's columns decide where the row does not print exactly its cells and the reading
            # as printed is unsure (a row the alignment placed over broken columns) or disagrees with
            # them; an original's grid agrees: read as printed.
            printed = [t for t in seg.tokens if t.kind in ("value", "blank")]
            # a grid row printing its cells, blank ones included, then only empty cells (a table's
            # padding column): read as printed, as an original is
            as_printed = len(printed) >= len(keys) and all(t.kind == "blank" for t in printed[len(keys):])
            # … unless an empty cell it counts stands in a grid column that no row printed in full
            # prints a number in: a converter's padding cell (markitdown on a PDF), not a blank cell.
            value_columns = {col for model in models for col in model}
            padding = bool(models) and any(t.kind == "blank" and t.where.col not in value_columns
                                           for t in printed[: len(keys)])
            # … and where the grid's cells hold two columns in some full rows (several placements), an
            # empty grid cell counted as a blank cell is one reading among them, not a print.
            merged = len(placements) > 1 and any(t.kind == "blank" and not t.text for t in printed[: len(keys)])
            if placements and (padding or merged or result.how != "exact" and not as_printed and (
                not agrees or (seg.table, seg.row) in walker.unsure_columns
            )):
                gridded.add((seg.table, seg.row))
                result = _GridFit(placements, "gridded")
            elif not models and result.how == "window" and any(
                    c is None or c.kind == "blank" and not c.text for c in result.candidates[0]):
                # a short grid row whose empty grid cells no full row shows to be blank cells or a
                # converter's padding: where its numbers stand is a guess
                unsure_grid.append((seg.table, seg.row))
        if seg.row is not None and result.how == "empty" and any(
            s.table == seg.table and s.row == seg.row and any(t.kind == "value" for t in s.tokens)
            for s in segments if s is not seg
        ):
            continue  # a repeated label with numbers later on: take that one
        first_seen.add(ident)
        if seg.row is not None and seg.label is not None:
            out.labels[f"{seg.table}.{seg.row}"] = seg.label.text
            if seg.matched is not None and not seg.matched.exact:
                official = fmt.table(seg.table).row(seg.row).label
                out.note(
                    "label.variant", keys,
                    f"行标签「{seg.label.text}」与官方格式「{official}」不一致",
                    f"row label '{seg.label.text}' differs from the official '{official}'", "info",
                )
        if result.how in ("exact", "window", "empty", "positioned", "gaps"):
            out.assign(keys, result.candidates[0], seg.label)
            if result.start_key is not None:
                priors.setdefault(seg.table, Counter())[result.start_key] += 1
            if result.how == "gaps":
                title = _row_title(fmt, seg.table, seg.row)
                out.note(
                    "parse.alignment_by_gaps", keys,
                    f"「{title}」一行缺印单元格，已按空行的数目推断空白单元格的位置，请核对",
                    f"row '{title}': cells missing; the empty ones were placed by counting empty lines",
                    "info",
                )
            if result.how == "positioned":
                title = _row_title(fmt, seg.table, seg.row)
                out.note(
                    "parse.alignment_positioned", keys,
                    f"「{title}」一行缺印单元格，已按各数字的水平位置对齐到所在列，请核对",
                    f"row '{title}': cells missing; each number was placed by its horizontal position",
                    "info",
                )
        else:
            pending.append((seg, keys, result))

    for seg, keys, result in pending:
        if isinstance(result, _GridFit):
            _resolve_grid(out, fmt, seg, keys, result)
        elif not isinstance(result, _InterleavedFit):
            _resolve(out, fmt, seg, keys, result, priors.get(seg.table, Counter()))
    _resolve_interleaved(out, fmt, [(s, k, r) for s, k, r in pending if isinstance(r, _InterleavedFit)])
    _note_by_order(out, fmt, by_order)
    unsure_rows = (  # rows whose numbers' columns nothing decided: (rows, Chinese message, English message)
        ([r for r in walker.unsure_columns if r not in gridded],
         "「{}」一行缺印单元格，无法确定各数字所在列，请核对原文",
         "row '{}': cells missing; the column of each number could not be determined"),
        (unsure_grid,
         "「{}」一行的表格有空单元格，且没有完整的行可对照各列位置，无法确定各数字所在列，请核对原文",
         "row '{}': its grid prints empty cells and no complete row shows where each column stands; "
         "the column of each number could not be determined"),
        (walker.beside_stray,
         "「{}」一行没有读出数字，而旁边有一行数字未能对应到任何行，可能就是这一行的数字，请核对原文",
         "row '{}': no number read, next to a row of numbers placed nowhere (possibly its own); check the original"),
    )
    for rows, zh, en in unsure_rows:
        for table_key, row in rows:
            title = _row_title(fmt, table_key, row)
            out.note("parse.alignment_ambiguous", out.row_keys(table_key, row), zh.format(title), en.format(title))
    _note_glued(out, glued)
    _note_stacked(out, fmt)
    _note_unordered(out, fmt)
    _reread_whole_streams(out, fmt, tokens, headings, walker, by_columns)
    _note_blanks_beside_extras(out, fmt)

    for table in fmt.tables:
        rows = {s.row for s in segments if s.table == table.key and s.row}
        has_bare = any(s.table == table.key and s.row is None for s in segments)
        all_rows = [r for b in table.blocks for r in b.rows]
        missing = [r for r in all_rows if r.key not in rows]
        if rows and missing and not has_bare and table.key not in by_columns:
            keys = [k for r in missing for k in out.row_keys(table.key, r.key)]
            names = "、".join(f"「{r.full_label}」" for r in missing)
            out.note(
                "parse.row_missing", keys,
                f"表格「{table.title}」中未找到以下行：{names}",
                f"table '{table.title}': rows not found: " + ", ".join(r.key for r in missing),
            )
            # a row found with no number in a table that lost rows: its numbers may be among theirs
            named = {k for f in out.findings if f.rule.startswith("parse.") for k in f.cells}
            for r in all_rows:
                row_keys = out.row_keys(table.key, r.key)
                if r.key in rows and all(out.cells[k] is None for k in row_keys) and not set(row_keys) & named:
                    out.note(
                        "parse.alignment_ambiguous", row_keys,
                        f"「{r.full_label}」一行没有读出数字，而同一表格有行未找到，其数字可能印在别处，请核对原文",
                        f"row '{r.full_label}': no number read, in a table whose other rows were not found (its "
                        "numbers may be printed elsewhere); check the original",
                    )
    _note_unlabelled_numbers(out, fmt, unlabelled)
    return TablesResult(out.cells, out.printed, out.provenance, out.labels, out.findings, walker.consumed)


def _note_unlabelled_numbers(out: TableAssembler, fmt: Format, unlabelled: dict[str, int]) -> None:
    """A table mostly unread whose numbers printed apart from its row labels were left aside because some
    labelled row printed a number (raw pdftotext of table 四: the labels, then ``1,0`` ``1,0`` ``0`` …
    ``09``): its unread cells not named yet may hold them, not blanks — named, never told only as blank.
    (A table read but for a few blank cells beside such numbers — a copy printing it twice — is not.)"""
    named = {k for f in out.findings if f.rule.startswith("parse.") for k in f.cells}
    for table_key, count in unlabelled.items():
        keys = out.bare_keys(table_key)
        if 2 * sum(out.cells.get(k) is None for k in keys) < len(keys):
            continue
        unread = [k for k in keys if out.cells.get(k) is None and k not in named]
        if unread:
            title = fmt.table(table_key).title
            out.note(
                "parse.alignment_ambiguous", unread,
                f"表格「{title}」有 {count} 个数字印在行标签之外，未能对应到单元格；未读出的单元格可能并非空白，请核对原文",
                f"table '{title}': {count} numbers printed apart from its row labels could not be placed; its "
                "unread cells may not be blank; check the original",
            )


def _align_tables(fmt: Format, tokens: list[Token], walker: _Walker) -> tuple[list[Segment], dict[str, list[str]]]:
    """The walker's segments, with each table whose numbers stand in rows that lack their labels
    re-read as one alignment (align.py). Also: table key → rows placed by order, not by a label."""
    segments: list[Segment] = []
    by_order: dict[str, list[str]] = {}
    for table in fmt.tables:
        own = [s for s in walker.segments if s.table == table.key]
        if not own:
            continue
        layout = table.blocks[0].layout
        if layout is not None and layout.transposed:
            segments.extend(own)
            continue
        if rows_keep_their_labels(tokens, walker.spans[table.key], walker.labels_at):  # nothing to re-read
            segments.extend(own)
            continue
        rows = number_rows(tokens, walker.spans[table.key], walker.labels_at)
        if not _needs_alignment(rows, walker.labels_at, one_column_rows(table)):
            segments.extend(own)
            continue
        placed = align(fmt.version, table, rows, tokens, walker.labels_at, len(walker.extra_after[table.key]))
        walker.beside_stray.extend((table.key, key) for key in _beside_stray(rows, placed))
        merged: dict[str, list[int]] = {}  # a label row and its numbers' row placed on one key
        for j, key in placed:
            merged.setdefault(key, []).append(j)
        for key, at in merged.items():
            row = rows[at[-1]]
            attached = [i for j in at for i in rows[j].attached]
            labels = [(i, walker.labels_at[i]) for i in attached
                      if i in walker.labels_at and walker.labels_at[i].key == key]
            label_tok, matched = (tokens[labels[0][0]], labels[0][1]) if labels else (None, None)
            segments.append(Segment(table.key, key, label_tok, matched, list(row.cells)))
            if matched is None or len(at) > 1:  # no label, or the label on a row of its own above them
                by_order.setdefault(table.key, []).append(key)
            width = len(table.block_of(key).columns)
            if sum(c.kind == "value" for c in row.cells) < width < len(row.cells):
                walker.unsure_columns.append((table.key, key))  # its blanks sit where broken columns put them
            walker.consumed.update(attached)
    return segments, by_order


BY_COLUMNS_MIN_ROWS = 4  # labelled rows without numbers that make a table "printed by columns" …
BY_COLUMNS_SHARE = 0.5  # … when they are at least this share of its labelled rows
BY_COLUMNS_HEADER_BREAKS = 2  # header labels between a transposed table's numbers that show it so


def _headers_between_numbers(walker: _Walker, table_key: str) -> int:
    """How often a header or column label of the table follows one of its numbers."""
    breaks, after_number = 0, False
    for i in walker.spans[table_key]:
        label = walker.labels_at.get(i)
        if walker.tokens[i].kind == "value":
            after_number = True
        elif after_number and label is not None and label.kind in ("column", "header"):
            breaks, after_number = breaks + 1, False
    return breaks


def _printed_by_columns(fmt: Format, walker: _Walker) -> list[str]:
    """Tables whose row labels stand apart from their numbers (a PDF's text extracted column by
    column): most labelled rows print no number (or more numbers than they have cells), yet the table holds numbers for at least half its
    cells (a truncated copy does not). A table declared transposed (section 四: its rows named in
    its header, its numbers one row under it) is printed by columns when header labels stand
    between its numbers twice or more. In the format's order of tables (the order they are read in)."""
    out: list[str] = []
    for table in fmt.tables:
        layout = table.blocks[0].layout
        if layout is not None and layout.transposed:
            if _headers_between_numbers(walker, table.key) >= BY_COLUMNS_HEADER_BREAKS:
                out.append(table.key)
            continue
        own = [s for s in walker.segments if s.table == table.key and s.row]
        # rows standing apart from their numbers: no number after the label; in a table no identity tests
        # (二: no alignment can test a row's numbers), also more numbers than the row has cells (those of
        # the rows whose labels went before, printed after the last of them)
        tested = table.key in fmt.identity_tables()
        counts = [[t.kind for t in s.tokens].count("value") for s in own]
        widths = [len(table.block_of(s.row).columns) for s in own]
        apart = sum(not 0 < n <= (float("inf") if tested else w) for n, w in zip(counts, widths, strict=True))
        # a text copy's page printed in two passes (its rows' left columns after their labels, the right ones
        # after the last row): the rows print fewer numbers than their cells, the first page's rows none
        lines = not any(t.grid for s in own for t in s.tokens if t.kind == "value")
        short = sum(0 < n < w for n, w in zip(counts, widths, strict=True)) if tested and apart and lines else 0
        # a text copy of a browser's print: a row's numbers over several lines, some side by side
        # (``1 13 0 63`` / ``0 9 86``: the wide gap between two columns a line break)
        wrapped = sum(_over_lines(s) for s in own) if tested and lines else 0
        apart += max(short, wrapped)
        if apart < BY_COLUMNS_MIN_ROWS or apart < BY_COLUMNS_SHARE * len(own):
            continue  # the common case: its numbers need not be counted
        values = sum(walker.tokens[i].kind == "value" for i in walker.spans[table.key])
        whole = len(_table_keys(fmt.version, table.key))
        if values >= BY_COLUMNS_SHARE * whole:
            out.append(table.key)
    return out


def _over_lines(segment: Segment) -> bool:
    """Whether a row's numbers stand on several lines, one of them with several numbers side by side."""
    seen: set[tuple] = set()
    repeated = False  # a line holding two of the numbers
    for t in segment.tokens:
        if t.kind == "value":
            line = (t.block, t.where.page, t.where.line)
            if line in seen:
                repeated = True
            else:
                seen.add(line)
            if repeated and len(seen) > 1:
                return True
    return False


def _section_tokens(fmt: Format, tokens: list[Token], headings: dict[int, str], table_key: str,
                    after: bool = False) -> list[Token]:
    """The tokens of the section that holds table ``table_key`` (empty when its heading was not found);
    ``after``: those after the next section's heading instead."""
    section = fmt.table(table_key).section
    starts = sorted(headings)
    for n, at in enumerate(starts):
        if SECTION_TABLES.get(headings[at]) == table_key or headings[at] == section:
            end = starts[n + 1] if n + 1 < len(starts) else len(tokens)
            return tokens[end + 1 :] if after else tokens[at + 1 : end]
    return []


def _read_by_columns(out: TableAssembler, fmt: Format, tokens: list[Token], headings: dict[int, str],
                     walker: _Walker, table_key: str) -> None:
    """A table printed column by column: decoded where one reading is left (columns.py), its cells
    named; cells no reading decides, or the whole table, left unread under ``parse.table_by_columns``."""
    from .columns import Decoded, decode  # the copy decoders only for a table printed so
    from .stream import read as read_stream

    title = fmt.table(table_key).title
    section = _section_tokens(fmt, tokens, headings, table_key)
    after = _section_tokens(fmt, tokens, headings, table_key, after=True)
    decoded = decode(fmt.version, table_key, section, walker.indexes[table_key], after) if section else None
    keys = out.bare_keys(table_key)
    streamed = None
    # the column reading is the surer one (numbers under their column's runs); the reading order is
    # tried where it read nothing, or left more cells open than it read for sure (a cell it reads as
    # 0 or blank is open)
    sure = 0 if decoded is None else len(decoded.cells) - len(decoded.zero_or_blank)
    joined = False
    if section and (decoded is None or len(decoded.cells) + len(decoded.unsure) > 2 * sure):
        streamed = read_stream(fmt.version, table_key, section, walker.indexes[table_key])
        both = _joined(decoded, streamed, doubted=True) if streamed is not None and decoded is not None else None
        if both is not None:  # no cell read differently: each cell as the surer reading reads it
            (decoded, streamed), joined = both, True
        elif streamed is not None and decoded is not None:  # a cell read differently: one reading, without it
            decoded, streamed = _one_of(fmt.version, table_key, decoded, streamed)
    elif section and len(decoded.cells) - sure + len(decoded.unsure) and table_key in fmt.identity_tables():
        # the reading order may read what the columns left open, where the identities test it
        decoded = _completed(decoded, read_stream(fmt.version, table_key, section, walker.indexes[table_key]), out)
    if streamed is not None:  # the numbers in reading order, placed as one decision (stream.py)
        for key in _table_keys(fmt.version, table_key):  # declared order, whatever the decoder's
            if key in streamed.cells:
                out.assign([key], (streamed.cells[key],), None)
        out.findings.extend(streamed.findings)
        if not joined:
            decoded = Decoded({}, streamed.unsure) if streamed.unsure else None
        if decoded is None:
            return
    if decoded is not None:
        for key in keys:
            if key in decoded.cells:
                out.assign([key], (decoded.cells[key],), None)
        maybe_blank = set(decoded.zero_or_blank)
        read = [k for k in keys if k in decoded.cells and k not in maybe_blank]
        if maybe_blank:
            out.note(
                "parse.zero_or_blank", [k for k in keys if k in maybe_blank],
                f"表格「{title}」按列输出且空白单元格未印出，以下单元格印为0或空白，无法确定，已按0读取，请核对原文件",
                f"table '{title}' is printed column by column with its blank cells dropped: each of these cells "
                "prints 0 or is blank, which the copy does not tell; read as 0, check the original file",
            )
        assumed = set(decoded.order_assumed)
        if assumed:
            out.note(
                "parse.columns_order_assumed", [k for k in keys if k in assumed],
                f"表格「{title}」按列输出，以下单元格按各页列序改动最少的读法读取（列序改动更多的读法给出其他数字），请核对原文件",
                f"table '{title}' is printed column by column: these cells are read as the readings with the fewest "
                "pages printed out of column order give them (readings with more give other numbers); check the "
                "original file",
            )
        if read:
            out.note(
                "parse.columns_decoded", read,
                f"表格「{title}」按列输出（PDF 的文本副本逐列提取），已按官方格式的行列顺序、数字旁的标签、各列数字的分段和勾稽关系还原，请核对",
                f"table '{title}' is printed column by column (a text copy of a PDF); its cells were read by the "
                "format's rows and columns, the labels printed with the numbers, the runs of numbers and the "
                "identities: check them",
            )
        keys = decoded.unsure
        if not keys:
            return
        out.note(
            "parse.table_by_columns", keys,
            f"表格「{title}」按列输出，且印出的数字少于单元格数（空白单元格未印出），以下单元格有多种读法，未读取，请使用原文件",
            f"table '{title}' is printed column by column with its blank cells dropped; these cells admit several "
            "readings and were not read: use the original file",
        )
        return
    out.note(
        "parse.table_by_columns", keys,
        f"表格「{title}」的行标签与数字分开、按列输出（PDF 的文本副本逐列提取），无法对应行列，"
        "未读取该表数字，请使用原文件",
        f"table '{title}': its row labels are printed apart from their numbers, column by column (a text "
        "copy of a PDF); its cells were not read: use the original file",
    )


def _completed(decoded: Decoded, streamed: Streamed | None, out: TableAssembler) -> Decoded:
    """The column reading with the cells it left open, or read as 0 or blank, that the reading-order one
    reads for sure (not possibly blank), where the two give every cell both read the same number (each
    cell so taken named by the reading order's findings)."""
    both = _joined(decoded, streamed, doubted=False) if streamed is not None else None
    if both is None:
        return decoded
    left, taken = both
    for key, tok in taken.cells.items():
        out.assign([key], (tok,), None)
    out.findings.extend(taken.findings)
    return left


def _joined(decoded: Decoded, streamed: Streamed, doubted: bool) -> tuple[Decoded, Streamed] | None:
    """The column reading and the reading-order one of a table, where they give every cell both read the
    same number (a cell the columns read as 0 or blank: 0 or blank), as the column reading's cells and
    the reading-order cells it leaves open or reads as 0 or blank (those the reading order may have
    misplaced, named ``parse.alignment_ambiguous``, only with ``doubted`` and where the columns read
    nothing), with the findings naming them; None where they read a cell differently."""
    from .stream import Streamed  # the copy decoders only for a table printed by columns

    maybe_blank = set(decoded.zero_or_blank)
    if any(k in streamed.cells and _value_of(streamed.cells[k]) != _value_of(tok)
           and not (k in maybe_blank and _value_of(streamed.cells[k]) in (0, None))
           for k, tok in decoded.cells.items()):
        return None
    doubt = {k for f in streamed.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    taken = {k for k in streamed.cells if k not in doubt and (k not in decoded.cells or k in maybe_blank)
             or doubted and k in doubt and k not in decoded.cells}
    left = replace(decoded, cells={k: v for k, v in decoded.cells.items() if k not in taken},
                   unsure=[k for k in decoded.unsure if k not in taken])
    left.zero_or_blank = [k for k in left.zero_or_blank if k not in taken]
    left.order_assumed = [k for k in left.order_assumed if k not in taken]
    findings = [replace(f, cells=tuple(k for k in f.cells if k in taken)) for f in streamed.findings
                if any(k in taken for k in f.cells)]
    return left, Streamed({k: v for k, v in streamed.cells.items() if k in taken}, [], findings)


def _one_of(version: str, table_key: str, decoded: Decoded, streamed: Streamed) -> tuple[Decoded, Streamed | None]:
    """Of a column reading and a reading-order one that read some cell differently, the one whose cells
    test more of the table's identities (every cell printed, one of them not 0, the identity holding;
    a tie: the column reading, its numbers under their columns' runs), the cells the other reads
    differently left unread (either may be wrong there). (column reading, None) or (empty, reading order)."""
    from .labelruns import Decoded  # the copy decoders only for a table printed by columns
    from .stream import Streamed

    differ = {k for k, tok in decoded.cells.items()
              if k in streamed.cells and _value_of(streamed.cells[k]) != _value_of(tok)}
    maybe_blank = set(decoded.zero_or_blank)
    columns = {k: v for k, v in decoded.cells.items() if k not in maybe_blank}
    if _identities_tested(version, table_key, columns) >= _identities_tested(version, table_key, streamed.cells):
        left = replace(decoded, cells={k: v for k, v in decoded.cells.items() if k not in differ},
                       unsure=[*decoded.unsure, *sorted(differ)])
        left.zero_or_blank = [k for k in left.zero_or_blank if k not in differ]
        left.order_assumed = [k for k in left.order_assumed if k not in differ]
        return left, None
    findings = [replace(f, cells=tuple(k for k in f.cells if k not in differ)) for f in streamed.findings
                if any(k not in differ for k in f.cells)]
    taken = Streamed({k: v for k, v in streamed.cells.items() if k not in differ},
                     [*streamed.unsure, *sorted(differ)], findings)
    return Decoded({}, []), taken


def _identities_tested(version: str, table_key: str, cells: dict[str, Token | None]) -> int:
    """How many of the table's identities these cells test: every cell printed, one not 0, holding."""
    equations = {id(eq): eq for key in cells for eq in _equations_of(version).get(key, ()) if eq.rule.table == table_key}
    return sum(all(cells.get(k) is not None for k in eq.cells) and any(cells[k].value for k in eq.cells)
               and identity_holds(eq, cells) is True for eq in equations.values())


def _value_of(tok: Token | None) -> Value:
    return None if tok is None else tok.value


def _reread_whole_streams(out: TableAssembler, fmt: Format, tokens: list[Token], headings: dict[int, str],
                          walker: _Walker, done: list[str]) -> None:
    """A table whose section prints exactly one number (or dash) per cell, none left empty, that the reading
    above left partly unread (a label after its number, rows of numbers without labels): read from its
    numbers in reading order instead (stream.py) where that reads every cell; the parse findings about its
    cells from the first reading give way to the new reading's."""
    from .stream import read as read_stream

    for table in fmt.tables:
        keys = out.bare_keys(table.key)
        if table.key in done or all(out.cells[k] is not None for k in keys):
            continue
        section = _section_tokens(fmt, tokens, headings, table.key)
        numbers = [t for t in section if t.kind in ("value", "blank")]
        if len(numbers) != len(keys) or any(t.kind == "blank" and not t.text or t.glued for t in numbers):
            continue
        streamed = read_stream(fmt.version, table.key, section, walker.indexes[table.key])
        if streamed is None or streamed.unsure:
            continue
        mine = set(keys)
        out.findings = [f for f in out.findings if not (f.rule.startswith("parse.") and set(f.cells) <= mine)]
        for key in _table_keys(fmt.version, table.key):
            if key in streamed.cells:
                out.assign([key], (streamed.cells[key],), None)
        out.findings.extend(streamed.findings)


def _beside_stray(rows: list[NumberRow], placed: list[tuple[int, str]]) -> list[str]:
    """Rows placed with no number (a label printed with empty cells) next to a number row holding
    numbers that the alignment placed nowhere: those numbers may be that row's."""
    at = dict(placed)
    out: list[str] = []
    for j, row in enumerate(rows):
        if j in at or not any(c.kind == "value" for c in row.cells):
            continue
        for k in (j - 1, j + 1):
            if k in at and not any(c.kind == "value" for c in rows[k].cells) and at[k] not in out:
                out.append(at[k])
    return out


MAX_SPLITS = 1000  # splits of a glued row tried; beyond, the row is left unread
MAX_CELL_DIGITS = 12  # a glued run longer than this per cell is no row of counts


def _cuts(digits: str, parts: int) -> list[tuple[str, ...]]:
    """Every way to cut a glued run into ``parts`` numbers (no number but 0 starts with 0); a
    decimal part (``.52元``) stays with the last number."""
    dot = digits.find(".")
    whole, tail = (digits, "") if dot < 0 else (digits[:dot], digits[dot:])
    if not whole.isdigit() or parts > len(whole) or len(whole) > parts * MAX_CELL_DIGITS:
        return []
    out = []
    for bounds in islice(combinations(range(1, len(whole)), parts - 1), MAX_SPLITS):
        pieces = [whole[a:b] for a, b in zip((0, *bounds), (*bounds, len(whole)), strict=True)]
        if any(len(p) > 1 and p[0] == "0" for p in pieces):
            continue
        pieces[-1] += tail
        out.append(tuple(pieces))
        if len(out) > MAX_SPLITS:
            break
    return out


def _glued_splits(tokens: list[Token], n: int) -> list[tuple[Token, ...]] | None:
    """The readings of a segment's glued digits as exactly n cells (None: too many to try). Spaces a
    copy kept inside a run are cell boundaries; a value not glued is one cell."""
    atoms: list[tuple[Token, str, bool]] = []
    for tok in tokens:
        if tok.kind != "value":
            continue
        if tok.glued:
            atoms.extend((tok, part, True) for part in tok.text.split())
        else:
            atoms.append((tok, tok.text, False))
    results: list[tuple[Token, ...]] = []
    made: dict[tuple[int, str], Token] = {}

    def cell(tok: Token, piece: str) -> Token:
        key = (id(tok), piece)
        if key not in made:
            made[key] = replace(tok, text=piece, value=parse_number(piece))
        return made[key]

    def walk(k: int, left: int, acc: tuple[Token, ...]) -> bool:
        if len(results) > MAX_SPLITS:
            return False
        if k == len(atoms):
            if left == 0:
                results.append(acc)
            return True
        tok, text, splittable = atoms[k]
        if not splittable:
            return walk(k + 1, left - 1, (*acc, tok)) if left >= 1 else True
        for parts in range(1, left - (len(atoms) - k - 1) + 1):
            for pieces in _cuts(text, parts):
                cells = tuple(cell(tok, p) for p in pieces)
                if not walk(k + 1, left - parts, acc + cells):
                    return False
        return True

    return results if walk(0, n, ()) else None


def _unglue(out: TableAssembler, seg: Segment, keys: list[str], glued: dict[str, bool]) -> Segment:
    """A segment printed as glued digits, as its n cells: the one split the identities leave, else
    (several splits fit, or none) its cells left empty. Either way its cells are recorded as glued."""
    splits = _glued_splits(seg.tokens, len(keys)) or []
    chosen: tuple[Token, ...] | None = None
    if len(splits) == 1:
        chosen = splits[0]
    elif splits:
        scored = [(out.score(keys, s)[0], s) for s in splits]
        best = max(score for score, _ in scored)
        top = {_signature(s) for score, s in scored if score == best}
        if best == 0 and len(top) == 1:
            chosen = next(s for score, s in scored if score == best)
    glued.update(dict.fromkeys(keys, chosen is not None))
    if chosen is None:  # unread: each cell keeps the glued digits as printed (report.printed)
        where = seg.tokens[0]
        printed = " ".join(t.text for t in seg.tokens if t.kind == "value")
        chosen = tuple(replace(where, kind="blank", text=printed, value=None, glued=True) for _ in keys)
    return Segment(seg.table, seg.row, seg.label, seg.matched, list(chosen))


def _note_stacked(out: TableAssembler, fmt: Format) -> None:
    """Name each cell read from a column that printed one number for two rows on one line (tokens.py,
    ``_unstacked``) with the cell above it: one of the two is blank, which one the copy does not say."""
    for key in out.stacked:
        table_key, row, column = key.split(".")
        rows = [r.key for b in fmt.table(table_key).blocks for r in b.rows if f"{table_key}.{r.key}.{column}" in out.cells]
        above = rows[rows.index(row) - 1] if row in rows and rows.index(row) else None
        keys = [f"{table_key}.{above}.{column}", key] if above else [key]
        title = _row_title(fmt, table_key, row)
        out.note(
            "parse.alignment_ambiguous", keys,
            f"「{title}」与上一行印在同一行上（PDF 的文本副本），这一列只印出一个数字，两行中哪一行的单元格为空白无法确定，请核对原文",
            f"row '{title}' prints on one line with the row above it (a PDF's text copy) and this column holds one "
            "number for both: which of the two cells is blank is undetermined; check the original",
        )


def _note_unordered(out: TableAssembler, fmt: Format) -> None:
    """Name, row by row, the cells read from two numbers one grid cell of a converter's copy holds side
    by side (tokens.py, ``_grid_unwrapped``): which of the two stood left the copy does not say."""
    rows: dict[str, list[str]] = {}
    for key in out.unordered:
        rows.setdefault(key.rsplit(".", 1)[0], []).append(key)
    for row_key, keys in rows.items():
        table_key, row = row_key.split(".")
        title = _row_title(fmt, table_key, row)
        out.note(
            "parse.alignment_ambiguous", keys,
            f"「{title}」有两个数字被转换工具并入表格的同一格（PDF 转 Markdown），两者的左右顺序无法确定，请核对原文",
            f"row '{title}': a converter put two numbers into one grid cell (PDF to Markdown), and which of them "
            "stood left is undetermined; check the original",
        )


def _note_glued(out: TableAssembler, glued: dict[str, bool]) -> None:
    """One finding for every cell read from digits printed without separators."""
    if not glued:
        return
    certain = sum(glued.values())
    unknown = len(glued) - certain
    out.note(
        "parse.cells_glued", list(glued),
        f"表格单元格粘连，请使用原网页或原文件：数字之间没有分隔，{certain} 个单元格按勾稽关系唯一拆分，"
        f"{unknown} 个单元格无法确定（已留空）",
        f"table cells are glued together (no separator between the numbers): use the original web page or "
        f"file; {certain} cell(s) were split the only way the identities allow, {unknown} could not be "
        "determined (left empty)",
    )


def one_column_rows(table: Table) -> int:
    """How many declared rows of ``table`` have a single column (a lone number is one of them)."""
    return sum(len(b.rows) for b in table.blocks if len(b.columns) == 1)


def _note_blanks_beside_extras(out: TableAssembler, fmt: Format) -> None:
    """A row read blank in the same block as a row that printed extra numbers: those numbers may be its
    own (a copy printed the block's labels first, then all its numbers), so it is named as possibly
    misread, never left to look like a blank the report printed."""
    named = {k for f in out.findings if f.rule.startswith("parse.") for k in f.cells}
    for extra in [f for f in out.findings if f.rule == "parse.extra_values"]:
        table_key, row_key = extra.cells[0].split(".")[:2]
        table = fmt.table(table_key)
        block = next((b for b in table.blocks if any(r.key == row_key for r in b.rows)), None)
        if block is None:
            continue
        crowded = table.row(row_key).full_label
        for row in block.rows:
            keys = out.row_keys(table_key, row.key)
            if row.key == row_key or any(out.cells[k] is not None for k in keys) or set(keys) <= named:
                continue
            title = row.full_label
            out.note(
                "parse.alignment_ambiguous", keys,
                f"「{title}」一行没有读出数字，而同一小表的「{crowded}」印出的数字多于应有的个数，多出的数字可能属于这一行，请核对原文",
                f"row '{title}': no number read, while '{crowded}' in the same block prints more numbers than its "
                "cells (possibly this row's); check the original",
            )
            named.update(keys)


def _needs_alignment(rows: list[NumberRow], labels_at: dict[int, Label], single_rows: int) -> bool:
    """The table prints its numbers in rows (not one cell per line), and some row of two or more
    numbers carries no label of its own: reading label by label would misplace it. Lone numbers
    without a label count as rows up to the table's ``single_rows`` (declared rows of one column)."""
    values = in_rows = lone = 0
    for r in rows:
        if any(c.glued for c in r.cells):  # one glued line holds the whole table
            return False
        count = sum(c.kind == "value" for c in r.cells)
        values += count
        if count and (len(r.cells) >= 2 or has_own_label(r, labels_at)):
            in_rows += count
        elif count == 1 and len(r.cells) == 1:  # a lone number without a label of its own
            lone += 1
    in_rows += min(lone, single_rows)
    if not values or in_rows < 0.9 * values:
        return False
    return any(len(r.cells) >= 2 and not has_own_label(r, labels_at) for r in rows)


def _note_by_order(out: TableAssembler, fmt: Format, by_order: dict[str, list[str]]) -> None:
    """One finding per table for the rows placed by the table's row order, and one more naming
    those whose placement an identity contradicts."""
    for table_key, rows in by_order.items():
        table = fmt.table(table_key)
        keys = [k for r in rows for k in out.row_keys(table_key, r)]
        names = "、".join(f"「{table.row(r).full_label}」" for r in rows)
        out.note(
            "parse.row_by_order", keys,
            f"表格「{table.title}」中 {len(rows)} 行的数字旁没有印出行标签，已按表格的行序放置：{names}，请核对",
            f"table '{table.title}': {len(rows)} row(s) print their numbers without their label; placed by the "
            "table's row order: " + ", ".join(rows),
        )
        broken = sorted({
            k for k in keys for eq in out.equations_of.get(k, ())
            if all(out.cells.get(c) is not None for c in eq.cells)
            and sum(out.cells[c] for c in eq.lhs) != sum(out.cells[c] for c in eq.rhs)
        })
        if broken:
            out.note(
                "parse.alignment_contradicted", broken,
                f"表格「{table.title}」中按行序放置的数字与勾稽关系不符，可能放错了行，请核对原文",
                f"table '{table.title}': numbers placed by row order break an identity; they may sit in the "
                "wrong row: check the original",
            )


def _bare_run(last: list[Token], earlier: list[list[Token]], whole: int, part: int) -> list[Token]:
    """The bare numbers of a table: the run printed last, or, when text after the table cut it off
    (a notes row under it, a page's footer), the last earlier run that prints exactly the table's
    cells (its blank cells counted where the run prints them: a grid's empty cells). A table printed
    as two tables (行政复议 | 行政诉讼), the second's header between: the run and the runs before it,
    each printing at least a part's row of numbers but one (``part``), joined where together they
    print the table's cells, or more than half of its numbers and none too many (a text copy that
    drops blank cells: the fit places them or names them)."""
    def values(run: list[Token]) -> int:
        return sum(t.kind == "value" for t in run)

    def joined_to(end: list[Token], before: list[list[Token]]) -> list[Token] | None:
        joined = end
        for run in reversed(before if values(end) >= part - 1 else ()):
            if values(joined) >= whole or values(run) < part - 1 or values(run + joined) > whole:
                break
            joined = run + joined
            if whole in (values(joined), _printed_cells(_without_header_cells(joined, whole))):
                return joined
        return joined if values(joined) > whole / 2 else None

    if values(last):
        return joined_to(last, earlier) or last
    complete = [run for run in earlier if whole in (values(run), _printed_cells(run))]
    if complete:
        return complete[-1]
    numbered = [n for n, run in enumerate(earlier) if values(run)]
    found = joined_to(earlier[numbered[-1]], earlier[: numbered[-1]]) if numbered else None
    return found or next((run for run in reversed(earlier) if whole / 2 < values(run) < whole), last)


def _spread_over_empty_rows(fmt: Format, segments: list[Segment]) -> list[Segment]:
    """A table printed as one row of numbers (四) whose header names its parts on one line
    (``未经复议直接起诉 复议后起诉``, the numbers of both below): the part whose label came last
    prints the cells of the parts before it, which printed none (their labels read as rows of their
    own, or printed in the same line). Where it prints exactly their cells in all (blank ones as a
    dash), they are dealt out in order, the declared parts' order."""
    out: list[Segment] = []
    for seg in segments:
        if not seg.row or not _one_row(fmt, seg.table):
            out.append(seg)
            continue
        table = fmt.table(seg.table)
        rows = {r.key: (r, len(b.columns)) for b in table.blocks for r in b.rows}
        order = list(rows)
        width = rows[seg.row][1]
        marked = _marked_cells(seg.tokens)
        parts = marked // width
        at = order.index(seg.row)
        if parts < 2 or marked != parts * width or at < parts - 1:
            out.append(seg)
            continue
        before = order[at - parts + 1 : at]
        tail = out[len(out) - len(before):] if len(out) >= len(before) else []
        empty = [s.row for s in tail] == before and all(
            s.table == seg.table and not any(t.kind in ("value", "blank") for t in s.tokens) for s in tail)
        label = normalize_label(seg.label.text) if seg.label is not None else ""
        own = label.rfind(normalize_label(rows[seg.row][0].label))
        named = own > 0 and all(normalize_label(rows[r][0].label) in label[:own] for r in before) and not any(
            s.table == seg.table and s.row in before for s in segments)
        if not (empty or named):
            out.append(seg)
            continue
        chunks: list[list[Token]] = [[] for _ in range(parts)]
        seen = 0
        for tok in seg.tokens:
            chunks[min(seen // width, parts - 1)].append(tok)
            seen += tok.kind in ("value", "blank")
        if empty:
            for target, chunk in zip(tail, chunks[:-1], strict=True):
                target.tokens = chunk
        else:
            out.extend(Segment(seg.table, r, seg.label, None, chunk) for r, chunk in zip(before, chunks, strict=False))
        out.append(Segment(seg.table, seg.row, seg.label, seg.matched, chunks[-1]))
    return out


def _one_row(fmt: Format, table_key: str) -> bool:
    """Whether the table is printed as one row of numbers (its layout transposed: table 四)."""
    return all(b.layout is not None and b.layout.transposed for b in fmt.table(table_key).blocks)


def _printed_cells(tokens: list[Token]) -> int:
    """The cells a run of a table's tokens prints: its numbers and its blank cells."""
    return sum(t.kind in ("value", "blank") for t in tokens)


def _marked_cells(tokens: list[Token]) -> int:
    """The cells a run of a table's tokens prints a mark in: its numbers and the blank cells printed
    as a dash (``—``, ``/``); 0 where it also has an empty cell (a grid's padding or a blank)."""
    if any(t.kind == "blank" and not t.text.strip() for t in tokens):
        return 0
    return sum(t.kind == "value" or t.kind == "blank" and bool(t.text.strip()) for t in tokens)


def _marks(tokens: list[Token]) -> list[Token]:
    """A run's numbers and blank cells printed as a dash, in order (its empty cells left out)."""
    return [t for t in tokens if t.kind == "value" or t.kind == "blank" and bool(t.text.strip())]


def _without_header_cells(tokens: list[Token], whole: int) -> list[Token]:
    """A bare run without the empty grid cells, above its first number, of rows that print no number
    (the header rows above the numbers, in a converter's broken grid; an empty cell among the numbers
    is a blank cell). Where that differs from the run as printed, the bare cells are named as
    undetermined (a grid prints blank cells the same way). A copy printing each cell on a line of its
    own (numbers too) shows a covered header position and a blank first cell alike: there only the
    leading ones beyond the table's ``whole`` cells are the header's."""
    numbered = {_grid_row_of(t) for t in tokens if t.kind == "value"}
    first = next((i for i, t in enumerate(tokens) if t.kind == "value"), len(tokens))
    header = [i for i, t in enumerate(tokens[:first])
              if t.where.col is not None and _grid_row_of(t) not in numbered]
    per_row = Counter(_grid_row_of(t) for t in tokens)
    if numbered and all(per_row[row] == 1 for row in numbered):
        surplus = _printed_cells(tokens) - whole
        header = [i for i in header if tokens[i].kind != "blank"] + \
            [i for i in header if tokens[i].kind == "blank"][:max(surplus, 0)]
    drop = set(header)
    return [t for i, t in enumerate(tokens) if i not in drop]


def _grid_row_of(tok: Token) -> tuple:
    """The grid row a token's cell is in (an empty cell has no text line of its own), else its text line."""
    if tok.where.row is not None:
        return (tok.block, tok.where.page, tok.where.row, tok.where.table)
    return physical_row(tok)


def _inserted_positions(table: Table, after: list[str | None]) -> tuple[int, ...]:
    """Where a report's inserted columns sit among a row's printed cells (single-block tables)."""
    if not after or len(table.blocks) != 1:
        return ()
    columns = [c.key for c in table.blocks[0].columns]
    positions: list[int] = []
    for previous in after:
        official = columns.index(previous) + 1 if previous in columns else len(columns) - 1
        positions.append(official + len(positions))
    return tuple(sorted(positions))


def _structure(cells: tuple[Token | None, ...]) -> int:
    """Layout evidence for a window: it opens a printed row and keeps to that row."""
    printed = [c for c in cells if c is not None]
    if not printed:
        return 0
    first = printed[0]
    return int(first.row_start) + int(all(_same_row(first, c) for c in printed))


def _zero_reading(candidates: list[tuple[Token | None, ...]]) -> tuple[tuple[Token | None, ...], list[int]] | None:
    """A short row printing only 0s with several placements left (a copy dropping its blank cells:
    ``0 0 0 0 0 0`` for 7 cells): each cell read as most placements give it — 0 where more than half
    put a 0 there, as the first (likeliest) placement gives it where exactly half do — and the
    positions not alike in every placement (0 or blank, undetermined). Taking one placement gets two
    cells wrong where it is wrong (a 0 read as blank, the blank as 0); this gets one, the blank read as
    0, named. None unless the printed numbers are all 0 and no cell is blank in most placements (a row
    printing fewer 0s than blanks: where the few stand, the first placement's guess is as good).

    The first placement is the likeliest where two are left: a converter's grid cell holding two
    columns prints its one number in the first of them about twice as often (seeds 1–3 and 21–23)."""
    if len({_signature(c) for c in candidates}) < 2:
        return None
    values = [c for cand in candidates for c in cand if _printed(c)]
    if not values or any(c.value != 0 for c in values):
        return None
    cells: list[Token | None] = []
    doubtful: list[int] = []
    for j in range(len(candidates[0])):
        zeros = [cand[j] for cand in candidates if _printed(cand[j])]
        if 2 * len(zeros) == len(candidates):
            cells.append(candidates[0][j])
        elif 2 * len(zeros) > len(candidates):
            cells.append(zeros[0])
        else:
            return None
        if 0 < len(zeros) < len(candidates):
            doubtful.append(j)
    return tuple(cells), doubtful


def _untraced(seg: Segment) -> bool:
    """Whether the copy keeps no trace of where a short row's blank cells stood: its numbers one space
    apart on one line (pypdf, pdfplumber: ``0 0 0 0 0 0``), or some in one grid cell (markitdown on a
    PDF: ``| 0 0 0 |``). A copy printing each cell apart (an HTML or Word table's cells, a space-aligned
    line, one number a line) drops the trailing blank cells: the blanks at the row's end are likelier."""
    if _inline_positions(seg) is not None:
        return _aligned_positions(seg) is None
    cells = Counter(_grid_row_of(t) + (t.where.col,) for t in seg.tokens
                    if t.kind == "value" and t.grid and t.where.col is not None)
    return any(n > 1 for n in cells.values())


def _note_zero_or_blank(out: TableAssembler, title: str, keys: list[str], cells: tuple[Token | None, ...],
                        doubtful: list[int]) -> None:
    """Name a zero row's cells read as most placements give them (_zero_reading)."""
    named = [keys[j] for j in doubtful]
    blank = {keys[j] for j in doubtful if not _printed(cells[j])}
    how = "按0读取" if not blank else "按多数放法读取（" + "、".join(
        "空白" if k in blank else "0" for k in named) + "）"
    out.note(
        "parse.zero_or_blank", named,
        f"「{title}」一行缺印单元格，印出的数字都是0，无法确定哪个单元格空白：以下单元格{how}，其中有的可能空白，请核对原文",
        f"row '{title}': cells missing and every number printed is 0; which cells are blank could not be "
        "determined: these were read as most placements give them (" +
        ", ".join(f"{k.rsplit('.', 1)[-1]} {'blank' if k in blank else '0'}" for k in named) +
        "), some may be blank",
    )


def _resolve(out: TableAssembler, fmt: Format, seg: Segment, keys: list[str], result: Fit, prior: Counter) -> None:
    """Choose among a segment's candidate placements: the table's usual window position, then the
    identities, then the printed row structure; say so in a finding unless the layout decided."""
    title = _row_title(fmt, seg.table, seg.row)
    if isinstance(result, _PriorFit):
        # The usual (label column, first cell column) first; where no row with this label column
        # decided (a group's own row, its label one column left), the usual first cell column of the
        # grid alone: a grid's columns are the same for every row.
        by_column: Counter = Counter()
        for (kind, *where), n in prior.items():
            if kind == "col":
                by_column[where[-1]] += n
        for counts, key_of in ((prior, lambda k: k), (by_column, lambda k: k[-1] if k and k[0] == "col" else None)):
            ranked = sorted(range(len(result.candidates)), key=lambda j: -counts.get(key_of(result.keys[j]), 0))
            top = counts.get(key_of(result.keys[ranked[0]]), 0)
            if top > 0 and (len(ranked) == 1 or counts.get(key_of(result.keys[ranked[1]]), 0) < top):
                out.assign(keys, result.candidates[ranked[0]], seg.label)
                return
    if result.how == "extra":
        out.assign(keys, result.candidates[0], seg.label)
        out.note(
            "parse.extra_values", keys,
            f"「{title}」一行印出的数字多于应有的 {len(keys)} 个，已取前 {len(keys)} 个，请核对",
            f"row '{title}' prints more numbers than its {len(keys)} cells; the first {len(keys)} were taken",
        )
        return
    scored = [(out.score(keys, c), _structure(c) if result.how != "short" else 0, c) for c in result.candidates]
    best_identity = max(s for s, _, _ in scored)
    by_identity = [(st, c) for s, st, c in scored if s == best_identity]
    best_structure = max(st for st, _ in by_identity)
    best = [c for st, c in by_identity if st == best_structure]
    chosen = best[0]
    # a row of 0s short of its cells, every placement listed, the copy keeping no trace of where its
    # blank cells stood: each cell as most placements the identities leave give it, those they
    # disagree on named as 0 or blank
    if result.listed and _untraced(seg) and (zeros := _zero_reading(best)) is not None:
        cells, doubtful = zeros
        out.assign(keys, cells, seg.label)
        _note_zero_or_blank(out, title, keys, cells, doubtful)
        signatures = [_signature(c) for c in result.candidates]
        decided = [k for j, k in enumerate(keys) if j not in doubtful and len({sig[j] for sig in signatures}) > 1]
        if decided:  # a 0 the identities alone say is no blank: they may test cells misread elsewhere
            out.note(
                "parse.alignment_inferred", decided,
                f"「{title}」一行缺印单元格，已按勾稽关系确定以下单元格为0，请核对",
                f"row '{title}': cells missing; the identities say these cells are 0, not blank",
            )
        return
    out.assign(keys, chosen, seg.label)
    unique = len({_signature(c) for c in best}) == 1
    missing = result.how == "short"
    what = ("缺印单元格", "cells missing") if missing else ("单元格位置不明确", "cell positions unclear")
    if unique and len(by_identity) < len(scored):
        out.note(
            "parse.alignment_inferred", keys,
            f"「{title}」一行{what[0]}，已按勾稽关系确定各数字所在列，请核对",
            f"row '{title}': {what[1]}; positions were inferred from the table's identities",
        )
    elif not unique or missing:
        out.note(
            "parse.alignment_ambiguous", keys,
            f"「{title}」一行{what[0]}，无法确定各数字所在列，请核对原文",
            f"row '{title}': {what[1]}; the column of each number could not be determined",
        )


MAX_INTERLEAVINGS = 4096  # placements of one row's numbers among its cells, at the most
MAX_JOINT = 20000  # placements of a table's rows with wrapped counts tried together, at the most


class _InterleavedFit(Fit):
    """A row holding counts joined from wrapped pieces (Token.floating): every placement keeping the row's
    other numbers in order and the joined ones in order, each row's as the identities of the whole table
    leave them (``_resolve_interleaved``). ``undecided``: too many to try; the ordinary fit's placement,
    named."""

    undecided: bool = False


def _interleaved(seg: Segment, n: int, ordinary: Fit) -> Fit:
    """The placements of a segment whose joined counts stand nowhere in particular: the row's own cells
    (values and dashes, in order) and the joined counts (in order) interleaved over its n cells, those
    short of n leaving cells blank."""
    cells = [t for t in seg.tokens if t.kind in ("value", "blank")]
    own = [t for t in cells if not t.floating]
    joined = [t for t in cells if t.floating]
    m = len(own) + len(joined)
    if m > n or comb(n, m) * comb(m, len(joined)) > MAX_INTERLEAVINGS:
        fallback = _InterleavedFit(ordinary.candidates[:1] or [tuple([None] * n)], "interleaved")
        fallback.undecided = True
        return fallback
    placements: list[tuple[Token | None, ...]] = []
    for filled in combinations(range(n), m):
        for spots in combinations(range(m), len(joined)):
            own_it, joined_it = iter(own), iter(joined)
            order = [next(joined_it) if k in spots else next(own_it) for k in range(m)]
            row: list[Token | None] = [None] * n
            for pos, tok in zip(filled, order, strict=True):
                row[pos] = tok
            placements.append(tuple(row))
    return _InterleavedFit(placements, "interleaved")


def _wrapped_joins(seg: Segment, n: int) -> list[tuple[Token | None, ...]]:
    """A row of one line printing more numbers than its n cells, each one space from the next (pypdf's
    text of narrow cells wrapping three-digit counts: ``0 0 65 3 12 8 0 67 3`` for seven cells): every
    way of reading as many pairs of neighbours as it prints too many as one count (a short head not 0,
    its tail), each the row's n cells in order — for the identities to choose among (none: empty)."""
    cells = [t for t in seg.tokens if t.kind in ("value", "blank")]
    extra = len(cells) - n
    if not 0 < extra <= 3 or len({physical_row(t) for t in cells}) != 1 or any(t.x is None for t in cells):
        return []
    if any(b.x - a.x - (len(a.text) + len(b.text)) / 2 > 1 for a, b in zip(cells, cells[1:], strict=False)):
        return []
    joinable = [j for j in range(len(cells) - 1)
                if cells[j].kind == "value" and cells[j + 1].kind == "value" and cells[j].text.isdigit()
                and cells[j + 1].text.isdigit() and not cells[j].text.startswith("0")
                and len(cells[j].text) <= MAX_SHORT_HEAD]
    out: list[tuple[Token | None, ...]] = []
    for starts in combinations(joinable, extra):
        if any(b - a < 2 for a, b in zip(starts, starts[1:], strict=False)):
            continue
        row: list[Token | None] = []
        j = 0
        while j < len(cells):
            if j in starts:
                text = cells[j].text + cells[j + 1].text
                row.append(replace(cells[j], text=text, value=parse_number(text)))
                j += 2
            else:
                row.append(cells[j])
                j += 1
        out.append(tuple(row))
    return out


def _placed(trial: dict[str, Value], keys: list[str], cells: tuple[Token | None, ...]) -> dict[str, Value]:
    """``trial`` with ``cells`` read into ``keys`` (a blank or missing cell: unknown), for the identities."""
    for key, cell in zip(keys, cells, strict=True):
        trial[key] = cell.value if _printed(cell) else None
    return trial


def _broken(equations: list[Equation], trial: dict[str, Value]) -> tuple[int, int]:
    """How many of ``equations`` the cells ``trial`` break (one with a cell unknown breaks none), then
    minus how many hold with the unknown cells read as 0 (TableAssembler.score: of two placements that
    break none, the one whose printed numbers add up is the likelier)."""
    broken = held = 0
    for eq in equations:
        lhs = sum(trial.get(k) or 0 for k in eq.lhs)
        rhs = sum(trial.get(k) or 0 for k in eq.rhs)
        held += lhs == rhs
        if any(trial.get(k) is None for k in eq.cells):
            continue
        broken += lhs != rhs
    return broken, -held


MAX_SUMS = 4096  # sums one identity's open rows can reach, followed at the most (past that: not narrowed)


def _consistent(keys: list[list[str]], domains: list[list[tuple[Token | None, ...]]], equations: list[Equation],
                cells: dict[str, Value]) -> list[list[tuple[Token | None, ...]]]:
    """The rows' placements narrowed to those each identity allows with some placement of the other rows
    it runs through (the rest of the table's cells as read; a cell left unknown allows anything), and
    to those some placement of the other rows keeps every identity of a family running through the same
    rows (一 + 二 = 七 + 四 in each column), until none narrows further. An identity, or a family, that no
    placement keeps (the report's own error, a cell misread) narrows nothing."""
    where = {key: (r, j) for r, row in enumerate(keys) for j, key in enumerate(row)}
    domains = [list(d) for d in domains]
    # the identities by the open rows they run through (a family over the columns: 一 + 二 = 七 + 四 in each)
    groups: dict[tuple[int, ...], list[Equation]] = {}
    for eq in equations:
        rows = tuple(sorted({where[k][0] for k in eq.cells if k in where}))
        if len(rows) > 1:
            groups.setdefault(rows, []).append(eq)
    changed = True
    while changed:
        changed = _narrow_each(where, domains, equations, cells)
        for rows, eqs in groups.items():
            narrowed = _narrow_together(keys, domains, rows, eqs, cells)
            if narrowed is None:
                continue  # no placement of these rows keeps all their identities: nothing to narrow by
            for r, keep in zip(rows, narrowed, strict=True):
                if len(keep) < len(domains[r]):
                    domains[r] = keep
                    changed = True
    return domains


def _narrow_together(keys: list[list[str]], domains: list[list[tuple[Token | None, ...]]], rows: tuple[int, ...],
                     equations: list[Equation], cells: dict[str, Value]) -> list[list[tuple]] | None:
    """The placements of ``rows`` found in some combination of theirs breaking none of ``equations``
    (every combination tried: at most MAX_JOINT, else each as it is); None when no combination keeps them."""
    total = 1
    for r in rows:
        total *= len(domains[r])
    if total > MAX_JOINT or total == 1:
        return [domains[r] for r in rows]
    kept: list[set[int]] = [set() for _ in rows]
    trial = dict(cells)
    for combo in product(*(range(len(domains[r])) for r in rows)):
        for r, c in zip(rows, combo, strict=True):
            _placed(trial, keys[r], domains[r][c])
        if _broken(equations, trial)[0] == 0:
            for k, c in enumerate(combo):
                kept[k].add(c)
    if not kept[0]:
        return None
    return [[d for c, d in enumerate(domains[r]) if c in kept[k]] for k, r in enumerate(rows)]


def _narrow_each(where: dict[str, tuple[int, int]], domains: list[list[tuple[Token | None, ...]]],
                 equations: list[Equation], cells: dict[str, Value]) -> bool:
    """One pass of each identity narrowing the placements of each open row it runs through to those some
    placement of its other open rows allows (one that no placement keeps narrows nothing): whether any
    was narrowed."""
    changed = False
    for eq in equations:
        signs: dict[str, int] = {}
        for key in eq.lhs:
            signs[key] = signs.get(key, 0) + 1
        for key in eq.rhs:
            signs[key] = signs.get(key, 0) - 1
        rows = sorted({where[k][0] for k in signs if k in where})
        base, unknown = 0, False
        for key, sign in signs.items():
            if key not in where:
                if cells.get(key) is None:
                    unknown = True
                else:
                    base += sign * cells[key]
        if unknown or not rows:
            continue
        # each open row's contribution to lhs − rhs per placement (None: a cell it leaves unknown)
        contrib: dict[int, list[Value]] = {}
        for r in rows:
            out = []
            for cand in domains[r]:
                total: Value = 0
                for key, sign in signs.items():
                    if key in where and where[key][0] == r:
                        cell = cand[where[key][1]]
                        if not _printed(cell):
                            total = None
                            break
                        total += sign * cell.value
                out.append(total)
            contrib[r] = out
        for r in rows:
            others = [r2 for r2 in rows if r2 != r]
            if any(None in contrib[r2] for r2 in others):
                continue  # another row may leave the identity unknown: it allows every placement here
            reach: set[Value] | None = {base}
            for r2 in others:
                reach = {x + c for x in reach for c in set(contrib[r2])}
                if len(reach) > MAX_SUMS:
                    reach = None
                    break
            if reach is None:
                continue
            keep = [cand for cand, c in zip(domains[r], contrib[r], strict=True) if c is None or -c in reach]
            if not keep:
                break  # broken whatever the placement (the report's own error, a cell misread): it tells nothing
            if len(keep) < len(domains[r]):
                domains[r] = keep
                changed = True
                break  # contributions changed: the next identity (this one again on the next pass)
    return changed


def _resolve_interleaved(out: TableAssembler, fmt: Format, rows: list[tuple[Segment, list[str], Fit]]) -> None:
    """Place the rows holding counts joined from wrapped pieces, a table's together, after every other
    row: each row's placements first pruned to those breaking the fewest identities on their own, then
    every combination of the rows' placements tried against the identities of all their cells. A row
    every least-breaking combination places alike, none breaking any identity, is placed so and named
    ``parse.alignment_inferred``; a row they place differently, or every one breaking an identity, is
    placed as the first of them and named ``parse.alignment_ambiguous``."""
    by_table: dict[str, list[tuple[Segment, list[str], Fit]]] = {}
    for item in rows:
        by_table.setdefault(item[0].table, []).append(item)
    for items in by_table.values():
        pruned: list[list[tuple[Token | None, ...]]] = []
        for _seg, keys, result in items:
            if getattr(result, "undecided", False):
                pruned.append(result.candidates[:1])
                continue
            own_eqs = out.equations(keys)
            scored = []
            seen: set[tuple] = set()
            for cand in result.candidates:
                signature = _signature(cand)
                if signature in seen:
                    continue
                seen.add(signature)
                scored.append((_broken(own_eqs, _placed(dict(out.cells), keys, cand))[0], cand))
            least = min(b for b, _ in scored)
            pruned.append([c for b, c in scored if b == least])
        eqs = out.equations([key for _, keys, _ in items for key in keys])
        pruned = _consistent([keys for _, keys, _ in items], pruned, eqs, out.cells)
        total = 1
        for cands in pruned:
            total *= len(cands)
        if total <= MAX_JOINT:
            best, kept = None, []
            for combo in product(*pruned):
                trial = dict(out.cells)
                for (_, keys, _), cand in zip(items, combo, strict=True):
                    _placed(trial, keys, cand)
                broken, unheld = _broken(eqs, trial)
                if best is None or broken < best:
                    best, kept, likeliest = broken, [combo], (unheld, combo)
                elif broken == best:
                    kept.append(combo)
                    likeliest = min(likeliest, (unheld, combo), key=lambda u: u[0])
        else:  # too many together: each row by its own identities
            best, kept, likeliest = None, [], None
        for r, (seg, keys, result) in enumerate(items):
            options = [combo[r] for combo in kept] if kept else pruned[r]
            chosen = likeliest[1][r] if likeliest is not None else options[0]
            out.assign(keys, chosen, seg.label)
            title = _row_title(fmt, seg.table, seg.row)
            decided = (kept and best == 0 and not getattr(result, "undecided", False)
                       and len({_signature(c) for c in options}) == 1)
            if decided:
                out.note(
                    "parse.alignment_inferred", keys,
                    f"「{title}」一行有数字在窄单元格内折行（如 1,75 / 7），已拼合；拼合后各数字所在列按勾稽关系确定，请核对",
                    f"row '{title}': counts wrapped inside narrow cells (1,75 / 7) were joined; the column of each "
                    "number was inferred from the table's identities",
                )
            else:
                out.note(
                    "parse.alignment_ambiguous", keys,
                    f"「{title}」一行有数字在窄单元格内折行（如 1,75 / 7），已拼合，但无法确定各数字所在列，请核对原文",
                    f"row '{title}': counts wrapped inside narrow cells (1,75 / 7) were joined, but the column of "
                    "each number could not be determined; check the original",
                )


def _grid_widths(tokens: list[Token]) -> dict[tuple, int]:
    """Each grid row's number of cells (its last cell's column + 1)."""
    widths: dict[tuple, int] = {}
    for tok in tokens:
        if tok.grid and tok.where.col is not None:
            row = physical_row(tok)
            widths[row] = max(widths.get(row, 0), tok.where.col + 1)
    return widths


def _resolve_grid(out: TableAssembler, fmt: Format, seg: Segment, keys: list[str], result: Fit) -> None:
    """A short grid row's placements (tested once the table's other rows are read): the row is named
    as placed by the grid's columns; the identities choose among several placements, the cells where
    those they leave still differ are named as undetermined, those they decided as inferred; a
    placement an identity contradicts is named as unsure."""
    title = _row_title(fmt, seg.table, seg.row)
    scored = [(out.score(keys, c), c) for c in result.candidates]
    top = max(score for score, _ in scored)
    best = [c for score, c in scored if score == top]
    out.assign(keys, best[0], seg.label)
    out.note(
        "parse.alignment_positioned", keys,
        f"「{title}」一行缺印单元格，已按各数字所在的表格列对齐到所在列，请核对",
        f"row '{title}': cells missing; each number was placed by the grid column it is printed in",
        "info",
    )
    if top[0] < 0:
        out.note(
            "parse.alignment_ambiguous", keys,
            f"「{title}」一行缺印单元格，按表格列放置的数字与勾稽关系不符，无法确定各数字所在列，请核对原文",
            f"row '{title}': cells missing; the numbers placed by their grid columns break an identity: "
            "the column of each number could not be determined",
        )
        return

    def differing(candidates: list[tuple[Token | None, ...]]) -> list[str]:
        signatures = [_signature(c) for c in candidates]
        return [k for j, k in enumerate(keys) if len({sig[j] for sig in signatures}) > 1]

    open_keys = differing(best)
    decided = [k for k in differing(result.candidates) if k not in open_keys]
    # a row of 0s: each cell as most placements the identities leave give it, the open ones named as
    # 0 or blank (the row is named as placed by the grid's columns above)
    if open_keys and (zeros := _zero_reading(best)) is not None:
        cells, doubtful = zeros
        out.assign(keys, cells, seg.label)
        _note_zero_or_blank(out, title, keys, cells, doubtful)
        open_keys = []
    if decided:
        out.note(
            "parse.alignment_inferred", decided,
            f"「{title}」一行缺印单元格，已按勾稽关系确定各数字所在列，请核对",
            f"row '{title}': cells missing; positions were inferred from the table's identities",
        )
    if open_keys:
        out.note(
            "parse.alignment_ambiguous", open_keys,
            f"「{title}」一行缺印单元格，一个表格单元格印有几列的数字，无法确定以下单元格哪一个空白，请核对原文",
            f"row '{title}': cells missing where one grid cell prints several columns' numbers; which of "
            "these cells is blank could not be determined",
        )
