"""Tables a text copy prints column by column (pdf2txt.py, some pdftotext output): decoded where the
format's rows and columns, the label evidence, the runs of numbers and the identities leave one reading.

A PDF's text extracted cell by cell prints a table's row labels first, then its numbers a column at a
time (a page's part of the table at a time); a blank cell is simply not printed. The numbers fall into
*runs* (lines with no empty line between them: rows of equal height), and every column of a page's
part repeats the same runs (a column holding a wrapped count, its lines taller, may print
neighbouring runs as one), so a column one number short shows in which run its blank cell stands.

``decode`` tries every reading this model allows, by the kind of table:

* a table the identities test (三): its rows cut into page parts — at the copy's form feeds where it
  has them (a page may print a column before its row labels), else at row labels — each part's columns
  in the declared order and, after the first part (or where that order fits nothing), with one column
  moved first or last; each column short by the cells its runs lack; a keyed row group the copy prints
  as one row (（六）其他处理 without its sub-rows) read as one row. A part the declared order fits
  nothing whose column-label boxes name every column once is read in their printed order before any
  column is moved. A part no reading fits, or with too many, is left unread on its own. Readings that
  break an identity are dropped. A number no count can be (a fraction: section 二's amount) is not
  the table's; where no reading of all its numbers fits, a few printed right before a column label's
  box are set aside as another table's (every such choice tried, their readings together).
* a table laid out on one line (四): its numbers placed where the label printed with them says, the
  others in reading order, rows in order, the rest of the table after the next heading taken; the
  identities test, unless no placement keeps them and only one is left (the report's own error).
* a table no identity tests (二): read by the labels before its runs of numbers (labelruns.py).

The cells all readings agree on are read, the others named; a cell no number was found for is never
read as blank (a copy that drops blank cells also drops numbers it prints elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from itertools import combinations, product
from math import comb, prod

from ..formats import FORMATS, Equation, Table
from ..text import normalize_label
from . import labelruns
from .labelruns import Decoded
from .labelruns import agreed as _agreed
from .labelruns import box_columns as _box_columns
from .labelruns import differs as _differs
from .labelruns import folios as _folios
from .labels import LabelIndex
from .tokens import Token, identities_hold

MAX_READINGS = 20000  # readings of one table tried; beyond, the table is left unread
MAX_BLANKS = 12  # cells a copy may drop from one table
MAX_POSITIONS = 5000  # places of one column's blank cells tried
MAX_STEPS = 150_000  # rows of partial readings tried for one part of a table; beyond, the part is left unread
MAX_TABLE_STEPS = 200_000  # the same for all parts of a table together
MAX_PLACEMENTS = 5000  # placements of a table read by labels or on one line (二, 四); beyond, left unread


class _TooMany(Exception):
    """More readings to try than ``MAX_STEPS``."""


@dataclass
class _Group:
    """The numbers printed between two row labels, as runs (numbers with no empty line between them)."""

    runs: list[list[Token]]
    labelled: tuple[str, ...] = ()  # the column keys its column-label boxes name, in print order
    labels_at: frozenset[int] = frozenset()  # indices of the runs printed right after a column-label box
    coarse: bool = False  # a column holding a wrapped count may print neighbouring runs of the others as one

    @property
    def count(self) -> int:
        return sum(len(r) for r in self.runs)


def _groups(tokens: list[Token], index: LabelIndex, table: Table | None = None) -> list[_Group]:
    """The section's numbers cut into groups: at page breaks where the copy marks them (a page prints
    its part of the table, its columns before, between and after its row labels), else at row labels
    (header labels between runs do not cut). With ``table``, each group's column-label boxes too."""
    by_pages = any(tok.page_break for tok in tokens)
    folios = _folios(tokens)
    groups: list[_Group] = []
    runs: list[list[Token]] = []
    run: list[Token] = []
    boxes: list[tuple[int, str]] = []  # (runs before it, text) of the group's text boxes
    in_box = False  # the last token was text: a text token goes on its box

    def close() -> None:
        order, at = _labelled(table, boxes) if table is not None else ((), frozenset())
        groups.append(_Group(runs, order, at))

    for tok in tokens:
        if tok.page_break and (run or runs):
            runs.extend([run] if run else [])
            close()
            runs, run, boxes, in_box = [], [], [], False
        if tok.kind == "value" and id(tok) not in folios:
            run.append(tok)
            in_box = False
            continue
        if run:
            runs.append(run)
            run = []
        if tok.kind != "text":
            in_box = False
            continue
        if in_box:
            boxes[-1] = (boxes[-1][0], boxes[-1][1] + tok.norm)
        else:
            boxes.append((len(runs), tok.norm))
        in_box = True
        if by_pages:
            continue
        header = index.match(tok.norm, in_header=True)
        if header is not None and header.kind in ("column", "header"):
            continue
        row = index.match(tok.norm, in_header=False)
        if row is not None and row.kind == "row" and runs:
            close()
            runs, boxes, in_box = [], [], False  # the next text opens a box of the new group
    if run:
        runs.append(run)
    if runs:
        close()
    return groups


def _labelled(table: Table, boxes: list[tuple[int, str]]) -> tuple[tuple[str, ...], frozenset[int]]:
    """The columns a page part's text boxes made of column labels name, in print order (a header label
    over several columns, 法人或其他组织, aside), where they name every column of one block once —
    pdf2txt prints a column's label box with its number boxes where the header is one cell a column (the
    order it prints them in, not the declared one) — else (); and the runs right after such boxes."""
    if len(table.blocks) != 1:
        return (), frozenset()
    block = table.blocks[0]
    columns = {normalize_label(t): c.key for c in block.columns for t in (c.label, *c.aliases)}
    headers = sorted({normalize_label(t) for t in block.header_labels}, key=len, reverse=True)
    named: list[str] = []
    at: set[int] = set()
    for runs, text in boxes:
        for header in headers:
            text = text.replace(header, "")
        if not text:
            continue
        labels, whole = _box_columns(text, columns)
        if whole and None not in labels:
            named.extend(labels)
            at.add(runs)
    keys = [c.key for c in block.columns]
    return (tuple(named) if sorted(named) == sorted(keys) else ()), frozenset(at)


def _rows(table: Table) -> list[tuple[int, str]]:
    return [(b, row.key) for b, block in enumerate(table.blocks) for row in block.rows]


def _splits(sizes: list[int], rows: list[tuple[int, str]], table: Table, budget: int) -> list[list[tuple[int, int]]]:
    """Ways to give each group a run of consecutive rows (in order, covering all) that can hold its numbers."""
    out: list[list[tuple[int, int]]] = []

    def cells(lo: int, hi: int) -> int:
        return sum(len(table.blocks[rows[r][0]].columns) for r in range(lo, hi))

    def walk(g: int, lo: int, acc: list[tuple[int, int]], spent: int) -> None:
        if len(out) > MAX_READINGS:
            return
        if g == len(sizes):
            if lo == len(rows):
                out.append(list(acc))
            return
        for hi in range(lo + 1, len(rows) + 1):
            room = cells(lo, hi)
            if room < sizes[g]:
                continue
            if spent + room - sizes[g] > budget:
                break
            walk(g + 1, hi, [*acc, (lo, hi)], spent + room - sizes[g])

    walk(0, 0, [], 0)
    return out


def _pieces(runs: list[list[Token]], lengths: list[int]) -> list[list[list[Token]]] | None:
    """The runs cut into consecutive pieces of these numbers of cells, each cut between two runs."""
    out, at = [], 0
    for n in lengths:
        piece, got = [], 0
        while got < n and at < len(runs):
            piece.append(runs[at])
            got += len(runs[at])
            at += 1
        if got != n:
            return None
        out.append(piece)
    return out if at == len(runs) else None


@dataclass(frozen=True)
class _Free:
    """A column whose runs leave its ``blanks`` blank cells anywhere: no column of its height printed
    in full to repeat its runs, or every number a box of its own (a page whose rows differ in height,
    chromium's printed page). ``_by_rows`` places them as it walks the rows."""

    blanks: int


def _blank_rows(piece: list[list[Token]], template: list[int] | None, height: int, blanks: int,
                free: bool, coarse: bool) -> list[tuple[int, ...]] | _Free:
    """Positions (0-based within the part) of a column's blank cells that its runs allow; ``free``:
    ``_Free`` where they allow every position; ``coarse``: its runs may print the template's as one."""
    if blanks == 0:
        return [()]
    if free and (template is None or (all(t == 1 for t in template) and all(len(r) == 1 for r in piece))):
        return _Free(blanks)
    if template is None:
        if comb(height, blanks) > MAX_POSITIONS:
            raise _TooMany
        return list(combinations(range(height), blanks))
    got = [len(r) for r in piece]
    starts = [sum(template[:j]) for j in range(len(template))]
    found: list[tuple[int, ...]] = []  # cells each template run lacks

    def walk(j: int, i: int, left: int, acc: tuple[int, ...]) -> None:
        if j == len(template):
            if i == len(got) and left == 0:
                found.append(acc)
            return
        if left >= template[j]:  # the whole run blank: no run printed for it
            walk(j + 1, i, left - template[j], (*acc, template[j]))
        if i < len(got) and got[i] <= template[j] and template[j] - got[i] <= left:
            walk(j + 1, i + 1, left - (template[j] - got[i]), (*acc, template[j] - got[i]))
        if coarse and i < len(got) and got[i] > template[j]:  # runs a wrapped count's taller lines print as one
            k, cells = j, 0
            while k < len(template) and cells < got[i]:
                cells, k = cells + template[k], k + 1
            if cells == got[i]:
                walk(k, i + 1, left, (*acc, *(0,) * (k - j)))

    walk(0, 0, blanks, ())
    if sum(prod(comb(t, d) for t, d in zip(template, deficits, strict=True)) for deficits in found) > MAX_POSITIONS:
        raise _TooMany
    out = []
    for deficits in found:
        choices = [combinations(range(s, s + t), d) for s, t, d in zip(starts, template, deficits, strict=True)]
        out.extend(tuple(p for part in combo for p in part) for combo in product(*choices))
    return out


def _part_readings(table: Table, layout: tuple, moves: bool, equations: list[Equation],
                   known: dict[str, Token | None], budget: list[int],
                   order: tuple[str, ...] = ()) -> list[dict[str, Token | None]]:
    """Every reading of one part (``_layouts``), column by column within each block: in the declared
    column order, and (``moves``: where that order fits no reading) with one column printed before or
    after the others; or (``order``, one block) in that order only. ``known``: the cells earlier parts
    read, which the identities joining them to this part are tested against."""
    blocks, slots, layouts = layout
    out: list[dict[str, Token | None]] = []
    orders = [list(order)] if order and len(blocks) == 1 else [[key for _, key in slots]]
    if moves and len(blocks) == 1 and not order:
        orders += _single_moves(orders[0])
    # One set of checks serves every order: they name cells, not places.
    checks = _row_checks(table, blocks[0][1], orders[0], equations, known) if len(blocks) == 1 else None
    for pieces, options in layouts:
        for n, columns in enumerate(orders):
            if len(blocks) == 1:
                found = _by_rows(table, blocks[0][1], columns, pieces, options, checks, known,
                                 MAX_READINGS - len(out), budget)
                out.extend(found if n == 0 else (_moved(r) for r in found))
            else:
                for choice in product(*(_positions(o, len(rows)) for o, (rows, _) in zip(options, slots, strict=True))):
                    reading: dict[str, Token | None] = {}
                    for (rows, _), column, piece, holes in zip(slots, columns, pieces, choice, strict=True):
                        values = iter(t for r in piece for t in r)
                        for j, row in enumerate(rows):
                            reading[f"{table.key}.{row}.{column}"] = None if j in holes else next(values)
                    out.append(reading)
            if len(out) > MAX_READINGS:
                return out
    return out


def _positions(option: list[tuple[int, ...]] | _Free, height: int) -> list[tuple[int, ...]]:
    """A column's blank positions as a list (a ``_Free`` column's every choice of them)."""
    if not isinstance(option, _Free):
        return option
    if comb(height, option.blanks) > MAX_POSITIONS:
        raise _TooMany
    return list(combinations(range(height), option.blanks))


def _moved(reading: dict[str, Token | None]) -> _Reading:
    """A part's reading with one column printed out of the declared order."""
    out = _Reading(reading)
    out.loose = getattr(reading, "loose", {})
    out.moves = 1
    return out


def _layouts(table: Table, group: _Group, part: tuple[tuple[int, str], ...], free: bool = False):
    """The part's blocks and column slots, and every way its runs cut into columns: (pieces, the blank
    positions each column's runs allow; ``free``: ``_Free`` where they allow every position)."""
    blocks: list[tuple[int, list[str]]] = []
    for b, row in part:
        if blocks and blocks[-1][0] == b:
            blocks[-1][1].append(row)
        else:
            blocks.append((b, [row]))
    slots = [(rows, c.key) for b, rows in blocks for c in table.blocks[b].columns]
    heights = [len(rows) for rows, _ in slots]
    blanks = sum(heights) - group.count
    layouts = []
    for spread in _spreads(blanks, heights):
        pieces = _pieces(group.runs, [h - d for h, d in zip(heights, spread, strict=True)])
        if pieces is None:
            continue
        # Columns of one height printed in full repeat the same runs; if they do not, this spread is wrong.
        # With ``group.coarse``, a column holding a wrapped count (its lines taller) may print neighbouring
        # runs of the finest full column as one.
        taller = [group.coarse and any(tok.wrapped for run in p for tok in run) for p in pieces]
        templates: dict[int, list[int]] = {}
        for p, h, d in zip(pieces, heights, spread, strict=True):
            if d == 0 and (h not in templates or len(p) > len(templates[h])):
                templates[h] = [len(r) for r in p]
        if any(not _coarsens([len(r) for r in p], templates[h]) if t else [len(r) for r in p] != templates[h]
               for p, h, d, t in zip(pieces, heights, spread, taller, strict=True) if d == 0):
            continue
        options = [_blank_rows(piece, templates.get(h), h, d, free, t)
                   for piece, h, d, t in zip(pieces, heights, spread, taller, strict=True)]
        if all(options):
            layouts.append((pieces, options))
    return blocks, slots, layouts


def _coarsens(got: list[int], template: list[int]) -> bool:
    """Whether runs ``got`` are runs ``template`` with some neighbours printed as one."""
    at, cells = 0, 0
    for n in template:
        cells += n
        if at == len(got):
            return False
        if cells == got[at]:
            at, cells = at + 1, 0
        elif cells > got[at]:
            return False
    return at == len(got)


_Sides = list[tuple[tuple[str, ...], tuple[str, ...], bool]]  # identities as tokens.identities_hold tests them


def _row_checks(table: Table, rows: list[str], columns: list[str], equations: list[Equation],
                known: dict[str, Token | None]) -> tuple[dict[int, _Sides], dict[str, _Sides]]:
    """The identities whose cells are all in this part or already read: by the row index their last
    cell is in (tested as the walk reaches it), and by column key those whose cells of this part are all
    in that column (tested on a column printed in full before the walk, ``_full_columns_hold``)."""
    place = {f"{table.key}.{row}.{column}": (j, column) for j, row in enumerate(rows) for column in columns}
    by_row: dict[int, list[Equation]] = {}
    by_column: dict[str, list[Equation]] = {}
    for eq in equations:
        cells = eq.cells
        mine = [place[k] for k in cells if k in place]
        if mine and all(k in place or k in known for k in cells):
            by_row.setdefault(max(j for j, _ in mine), []).append(eq)
            if len({column for _, column in mine}) == 1:
                by_column.setdefault(mine[0][1], []).append(eq)
    return ({j: _sides(eqs) for j, eqs in by_row.items()},
            {column: _sides(eqs) for column, eqs in by_column.items()})


def _by_rows(table: Table, rows: list[str], columns: list[str], pieces: list[list[list[Token]]],
             options: list[list[tuple[int, ...]] | _Free], checks: tuple[dict[int, _Sides], dict[str, _Sides]],
             known: dict[str, Token | None], limit: int, budget: list[int]) -> list[dict[str, Token | None]]:
    """The readings of one block's part, built row by row: each column's next cell is its next number
    or one of its blank cells (as its runs allow); an identity is tested at the row its last cell is in
    (``checks``, from ``_row_checks``).

    In a ``_Free`` column a blank cell and the zeros right after it may stand in any order (the copy
    does not show which of them is blank): one reading stands for them all, its blank cells first, the
    cells ``loose`` (0 or blank) and left out of the identities."""
    budget[0] -= len(rows)  # a call costs a step per row: many small calls add up
    values = [[t for r in piece for t in r] for piece in pieces]
    tests, column_tests = checks
    if not _full_columns_hold(table, rows, columns, values, options, column_tests, known):
        return []
    free = [o.blanks if isinstance(o, _Free) else None for o in options]
    prefixes = [set() if isinstance(o, _Free) else {holes[:n] for holes in o for n in range(len(holes) + 1)}
                for o in options]
    finals = [set() if isinstance(o, _Free) else set(o) for o in options]
    keys = [[f"{table.key}.{row}.{column}" for column in columns] for row in rows]
    ordered = [key for row_keys in keys for key in row_keys]  # as the walk first sets them
    row_of = set(ordered)
    out: list[dict[str, Token | None]] = []
    cells: dict[str, Token | None] = dict(known)
    loose: dict[str, Token] = {}

    def zero_before(c: int, j: int, holes: tuple[int, ...]) -> bool:
        """Column ``c``'s cell above row ``j`` is a printed 0 (a blank there would stand first)."""
        return j > 0 and not (holes and holes[-1] == j - 1) and values[c][j - 1 - len(holes)].value == 0

    def walk(j: int, holes: tuple[tuple[int, ...], ...], after: tuple[bool, ...]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooMany
        if len(out) > limit:
            return
        if j == len(rows):
            if all(len(h) == f if f is not None else h in fin
                   for h, f, fin in zip(holes, free, finals, strict=True)):
                reading = _Reading({k: cells[k] for k in ordered})
                reading.loose = {k: t for k, t in loose.items() if k in row_of}
                for c in range(len(columns)):  # a blank cell the 0 after it may stand in
                    for r in reversed(holes[c] if free[c] is not None else ()):
                        below = keys[r + 1][c] if r + 1 < len(rows) else None
                        if below in reading.loose:
                            reading.loose[keys[r][c]] = reading.loose[below]
                out.append(reading)
            return
        choices = []
        for c in range(len(columns)):
            mine = []
            if free[c] is not None:
                if len(holes[c]) < free[c] and not zero_before(c, j, holes[c]):
                    mine.append((*holes[c], j))
            elif (*holes[c], j) in prefixes[c]:
                mine.append((*holes[c], j))
            if j - len(holes[c]) < len(values[c]):
                mine.append(holes[c])
            choices.append(mine)
        row_keys, row_tests = keys[j], tests.get(j, ())
        for pick in product(*choices):
            stretch = []
            for c, key in enumerate(row_keys):
                loose.pop(key, None)
                if pick[c] and pick[c][-1] == j:
                    cells[key] = None
                    stretch.append(free[c] is not None)
                    continue
                tok = values[c][j - len(pick[c])]
                cells[key] = tok
                stretch.append(after[c] and tok.value == 0)
                if stretch[-1]:  # a 0 right after a blank cell (or after such a 0): 0 or blank
                    cells[key] = None
                    loose[key] = tok
            if identities_hold(row_tests, cells):
                walk(j + 1, pick, tuple(stretch))

    walk(0, tuple(() for _ in columns), tuple(False for _ in columns))
    return out


def _full_columns_hold(table: Table, rows: list[str], columns: list[str], values: list[list[Token]],
                       options: list[list[tuple[int, ...]] | _Free], column_tests: dict[str, _Sides],
                       known: dict[str, Token | None]) -> bool:
    """Whether the identities within each column the part prints in full (no blank cell: its cells
    are its numbers in order), with the cells already read, hold: a cheap test of a cut of the
    part's numbers into columns before it is walked row by row (``column_tests``: ``_row_checks``)."""
    for c, column in enumerate(columns):
        if options[c] != [()] or column not in column_tests:
            continue
        cells = {**known, **{f"{table.key}.{row}.{column}": tok for row, tok in zip(rows, values[c], strict=True)}}
        if not identities_hold(column_tests[column], cells):
            return False
    return True


def _equations_hold(equations, cells: dict[str, Token | None]) -> bool:
    """These identities hold where all their cells are printed, and an identity of counts where the
    side missing a cell does not already sum to more than the other (tokens.identity_holds)."""
    return identities_hold(_sides(equations), cells)


def _sides(equations: list[Equation]) -> _Sides:
    """The identities as ``tokens.identities_hold`` tests them: each one's sides and whether its cells are counts."""
    return [(eq.lhs, eq.rhs, _of_counts(eq)) for eq in equations]


@cache
def _of_counts(eq: Equation) -> bool:
    """Whether every cell of an identity is a count (never below 0). A cell no format declares is a
    keyed row group read as one row (``_row_variants``): the sum of its rows' cells, counts alike."""
    kinds = [info[k][3].kind for fmt in FORMATS.values() if (info := fmt.cell_info()) for k in eq.cells if k in info]
    return bool(kinds) and all(kind == "count" for kind in kinds)


def _single_moves(order: list[str]) -> list[list[str]]:
    """The orders with one column printed after, or before, all the others (as pdf2txt may print a
    page's part: a column's box first on the page, or after the others)."""
    last = [order[:i] + order[i + 1 :] + [order[i]] for i in range(len(order) - 1)]
    first = [[order[i]] + order[:i] + order[i + 1 :] for i in range(1, len(order))]
    return last + [o for o in first if o not in last]


def _spreads(blanks: int, heights: list[int]) -> list[tuple[int, ...]]:
    """Ways to share ``blanks`` dropped cells among columns of these heights."""
    out: list[tuple[int, ...]] = []

    def walk(i: int, left: int, acc: tuple[int, ...]) -> None:
        if i == len(heights):
            if left == 0:
                out.append(acc)
            return
        for d in range(min(left, heights[i]) + 1):
            walk(i + 1, left - d, (*acc, d))

    walk(0, blanks, ())
    return out


@cache
def _equations(version: str, table_key: str) -> list[Equation]:
    return [eq for eq in FORMATS[version].identities() if eq.rule.table == table_key]


def _readings(equations: list[Equation], table: Table, groups: list[_Group], rows: list[tuple[int, str]],
              blanks: int, budget: list[int], with_unfit: bool = False, exhausted: set | None = None,
              cap: int = MAX_STEPS):
    """Every reading of the table that keeps its identities (None: too many to try).

    Each part is read in the declared column order, else (no reading fits) in the order its column
    labels are printed in (``_Group.labelled``), else with one column moved. A
    part that no reading fits (a page whose boxes pdf2txt printed out of column order), or with too
    many readings of its own, is left out of the readings (its cells unknown: never agreed on) and the
    identities joining it to the others are not tested. Of the ways to cut the table into parts, those
    leaving the fewest parts unfit are read (``with_unfit``: returned with how many parts they leave unfit).
    ``exhausted``: (group id, first row, end row) of the parts found too many to try, skipped (and added
    to); ``cap``: the steps one part may take."""
    readings: list[dict[str, Token | None]] = []
    fewest = None
    for split in _splits([g.count for g in groups], rows, table, blanks):
        # Part after part, each read against every reading of the parts before it (the identities
        # joining them, e.g. a column's balance across two pages, are tested as the part is read).
        states: list[dict[str, Token | None]] = [{}]
        unfit = 0
        for n, (g, (lo, hi)) in enumerate(zip(groups, split, strict=True)):
            part = tuple(rows[lo:hi])
            if exhausted is not None and (id(g), lo, hi) in exhausted:
                grown = None
            else:
                grown = _grown(table, g, part, n > 0, equations, states, budget, cap=cap)
                if grown == [] and g.labelled:  # the order its column labels are printed in (``_labelled``)
                    grown = _grown(table, g, part, False, equations, states, budget, g.labelled, cap)
                if grown == []:
                    grown = _grown(table, g, part, True, equations, states, budget, cap=cap)
                if grown is None:
                    # Too many ways to place its blank cells: a blank placed first among the zeros after
                    # it (those cells 0 or blank), within steps of its own.
                    grown = _grown(table, g, part, n > 0, equations, states, [cap], cap=cap, free=True)
                if grown is None and exhausted is not None:
                    exhausted.add((id(g), lo, hi))
            if grown is None and all(tok.value == 0 for run in g.runs for tok in run):
                grown = _zeros(table, g, part, states)
            if grown == []:
                unfit += 1
            elif grown is not None:
                later = {f"{table.key}.{row}." for lo2, hi2 in split[n + 1 :] for _, row in rows[lo2:hi2]}
                states = _merged(grown, equations, later)
        if fewest is None or unfit < fewest:
            readings, fewest = [], unfit
        if unfit == fewest:
            readings.extend(states)
        if len(readings) > MAX_READINGS:
            return (None, fewest) if with_unfit else None
    return (readings, fewest) if with_unfit else readings


def _sums(equations: list[Equation], rows: set[str]):
    """A function giving, for every identity with a cell in ``rows`` (row key prefixes), what a
    reading's cells outside them add to it: left side minus right side, or None where one of them is
    not printed (the identity untestable)."""
    sides = []
    for eq in equations:
        if any(c.rsplit(".", 1)[0] + "." in rows for c in eq.cells):
            sides.append(([c for c in eq.lhs if c.rsplit(".", 1)[0] + "." not in rows],
                          [c for c in eq.rhs if c.rsplit(".", 1)[0] + "." not in rows]))

    def key(cells: dict[str, Token | None]) -> tuple:
        out = []
        for lhs, rhs in sides:
            total = 0
            for sign, side in ((1, lhs), (-1, rhs)):
                for c in side:
                    tok = cells.get(c)
                    if tok is None:
                        total = None
                        break
                    total += sign * tok.value
                if total is None:
                    break
            out.append(total)
        return tuple(out)

    return key


class _Reading(dict):
    """A reading standing for several that differ only in ``mixed`` (cells they disagree on) and in
    ``loose`` (cells printed 0 in some of them and blank in others: key → a 0 token of the copy)."""

    mixed: frozenset[str] = frozenset()
    loose: dict[str, Token] = {}  # noqa: RUF012 (replaced, never changed in place)
    moves: int = 0  # parts read with a column out of the declared order


def _zero_or_blank(tok: Token | None) -> bool:
    return tok is None or tok.value == 0


def _merged(states: list[dict[str, Token | None]], equations: list[Equation], later: set[str]) -> list[_Reading]:
    """The readings so far, those the parts still to read cannot tell apart merged into one: readings
    whose cells give every identity joining them to a later part the same sum (or leave it untestable
    alike) keep or lose their later parts together, so one stands for all, the cells they disagree on
    marked ``mixed`` (never agreed on), or ``loose`` where they disagree only on 0 or blank."""
    classes: dict[tuple, list[dict[str, Token | None]]] = {}
    key = _sums(equations, later)
    for state in states:  # readings with more columns out of order stay apart: they are less likely
        classes.setdefault((key(state), getattr(state, "moves", 0)), []).append(state)
    out = []
    for members in classes.values():
        first = _Reading(members[0])
        mixed = set(getattr(members[0], "mixed", ()))
        loose = dict(getattr(members[0], "loose", {}))
        for other in members[1:]:
            mixed.update(getattr(other, "mixed", ()))
            loose.update(getattr(other, "loose", {}))
            for k in first.keys() | other.keys():
                if k not in first or k not in other:
                    mixed.add(k)
                elif _differs(first[k], other[k]):
                    if _zero_or_blank(first[k]) and _zero_or_blank(other[k]):
                        loose.setdefault(k, first[k] or other[k])
                    else:
                        mixed.add(k)
        first.mixed = frozenset(mixed)
        first.loose = loose
        first.moves = getattr(members[0], "moves", 0)
        out.append(first)
    return out


def _zeros(table: Table, group: _Group, part: tuple[tuple[int, str], ...],
           states: list[dict[str, Token | None]]) -> list[_Reading]:
    """The readings of the parts before, each grown by a part that prints only zeros, too many ways
    to place its blank cells to try: every cell 0 or blank (``loose``), unknown to the identities."""
    zeros = [tok for run in group.runs for tok in run]
    keys = [f"{table.key}.{row}.{c.key}" for b, row in part for c in table.blocks[b].columns]
    mine = {key: zeros[min(n, len(zeros) - 1)] for n, key in enumerate(keys)}
    grown = []
    for known in states:
        reading = _Reading({**known, **dict.fromkeys(keys)})
        reading.mixed = getattr(known, "mixed", frozenset())
        reading.loose = {**getattr(known, "loose", {}), **mine}
        reading.moves = getattr(known, "moves", 0)
        grown.append(reading)
    return grown


def _grown(table: Table, group: _Group, part: tuple[tuple[int, str], ...], movable: bool,
           equations: list[Equation], states: list[dict[str, Token | None]],
           budget: list[int], order: tuple[str, ...] = (), cap: int = MAX_STEPS,
           free: bool = False) -> list[dict[str, Token | None]] | None:
    """The readings of the parts before, each grown by every reading of this part that keeps the
    identities (None: too many to try, within ``MAX_STEPS`` and what is left of the table's
    ``budget``; an empty list: none fits); ``order``: its columns in this order only; ``cap``: the
    steps this part may take instead of ``MAX_STEPS``; ``free``: blank cells its runs allow anywhere
    placed as ``_by_rows`` walks (``_Free``), not listed."""
    try:
        layout = _layouts(table, group, part, free)
    except _TooMany:  # more ways to place its blank cells than can be tried
        return None
    # Readings of the parts before that give every identity joining them to this part the same sum
    # (or leave it untestable alike) are read against once.
    mine = {f"{table.key}.{row}." for _, row in part}
    classes: dict[tuple, list[dict[str, Token | None]]] = {}
    key = _sums(equations, mine)
    for known in states:
        classes.setdefault(key(known), []).append(known)
    # The identities this part joins (those it has no cell in were tested as the parts before were read),
    # and of them those a part of one block has not tested as it was read: with a cell still unread.
    joined = [eq for eq in equations if any(c.rsplit(".", 1)[0] + "." in mine for c in eq.cells)]
    cells_here = {f"{table.key}.{row}.{c.key}" for b, row in part for c in table.blocks[b].columns}
    one_block = len(layout[0]) == 1
    fitting: list[tuple[list[dict[str, Token | None]], list[dict[str, Token | None]]]] = []
    count = 0
    steps = [min(cap, budget[0])]
    try:
        for members in classes.values():
            readings = _part_readings(table, layout, movable, equations, members[0], steps, order)
            if len(readings) > MAX_READINGS:  # cut short: a reading left out could be the copy's
                return None
            # The members of a class pass or fail every identity this part joins them to alike.
            untested = [eq for eq in joined if not one_block
                        or not all(k in cells_here or k in members[0] for k in eq.cells)]
            passing = [r for r in readings if _equations_hold(untested, {**members[0], **r})] if untested else readings
            fitting.append((members, passing))
            count += len(members) * len(passing)
            if count > MAX_READINGS:  # counted before any is built: too many to try
                return None
    except _TooMany:
        return None
    finally:
        budget[0] -= min(cap, budget[0]) - max(steps[0], 0)
    grown = []
    for members, passing in fitting:
        for reading in passing:
            for known in members:
                merged = _Reading({**known, **reading})
                merged.mixed = getattr(known, "mixed", frozenset())
                merged.loose = {**getattr(known, "loose", {}), **getattr(reading, "loose", {})}
                merged.moves = getattr(known, "moves", 0) + getattr(reading, "moves", 0)
                grown.append(merged)
    return grown


def decode(version: str, table_key: str, tokens: list[Token], index: LabelIndex,
           after: list[Token] = ()) -> Decoded | None:
    """Read table ``table_key`` from ``tokens`` (its section's tokens) printed column by column, or None.
    ``after``: the tokens after the next section's heading, where a copy may print the rest of a table
    laid out on one line (pdf2txt places the next heading's box among its cells)."""
    fmt = FORMATS[version]
    table = fmt.table(table_key)
    layout = table.blocks[0].layout
    if layout is not None and layout.transposed:
        return _decode_transposed(version, table, [*tokens, *_spilled(after, index)])
    if not _equations(version, table_key):
        placed = labelruns.read(table, tokens, index)
        return None if placed is None or placed.in_order else Decoded(placed.cells, placed.unsure)
    groups = _groups(_without_non_counts(table, tokens), index, table)
    total = sum(g.count for g in groups)
    keys = [key for key, *_ in table.cells()]
    # The declared rows; where they leave no reading, each keyed group of rows printed as one row
    # (（六）其他处理 without its three sub-rows, as a 2021 report may print it): its cells stay unread.
    variants = list(_row_variants(version, table, _printed_labels(tokens, index)))
    # Columns repeating each other's runs first; where their readings leave a page part unfit, a column
    # may print neighbouring runs of the others as one (a column holding a wrapped count: taller lines).
    wrapped = any(tok.wrapped for g in groups for run in g.runs for tok in run)
    trials = (groups, [replace(g, coarse=True) for g in groups]) if wrapped else (groups,)
    best: tuple[int, list] | None = None  # the readings leaving the fewest parts unfit, and how many
    for trial in trials:
        budget = [MAX_TABLE_STEPS]
        for rows, equations in variants:
            whole = sum(len(table.blocks[b].columns) for b, _ in rows)
            if not trial or total > whole or whole - total > MAX_BLANKS:
                continue
            readings, unfit = _readings(equations, table, trial, rows, whole - total, budget, True)
            if readings:
                if best is None or unfit < best[0]:
                    best = (unfit, readings)
                break
        if best is not None and best[0] == 0:
            break
    if best is not None:
        return _fewest_moves(keys, best[1])
    rows, equations = variants[0]
    for trial in trials:
        readings = _readings_set_aside(equations, table, trial, rows, [MAX_TABLE_STEPS])
        if readings:
            return _fewest_moves(keys, readings)
    return None


MAX_SET_ASIDE = 6  # numbers of another table a copy may print among one page part's columns


def _readings_set_aside(equations: list[Equation], table: Table, groups: list[_Group], rows: list[tuple[int, str]],
                        budget: list[int]) -> list[dict[str, Token | None]]:
    """The readings of a table no reading of all its numbers fits, with a few numbers of one page part
    set aside as another table's: pdf2txt prints the boxes of a page in an order of its own, and another
    table's numbers standing beside this one's columns (section 二's last rows above table 三 on its
    first page) come out among them, as whole runs right before a column label's box. Every such
    run of runs (up to ``MAX_SET_ASIDE`` numbers) is tried, within ``budget`` (a part a tenth of
    ``MAX_STEPS`` does not decide is left unread, tried once); the readings of all that keep the identities and
    leave the fewest parts unfit are returned together, so that only the cells they all agree on are read."""
    whole = sum(len(table.blocks[b].columns) for b, _ in rows)
    total = sum(g.count for g in groups)
    out: list[dict[str, Token | None]] = []
    fewest = None  # parts left unfit by the readings in ``out``
    exhausted: set[tuple[int, int, int]] = set()  # parts too many readings fit, tried once
    for g, group in enumerate(groups):
        for b in sorted(group.labels_at):
            for a in range(b - 1, -1, -1):
                kept = group.count - sum(len(r) for r in group.runs[a:b])
                if group.count - kept > MAX_SET_ASIDE:
                    break
                if kept == 0:
                    continue
                blanks = whole - (total - group.count + kept)
                if not 0 <= blanks <= MAX_BLANKS:
                    continue
                runs = group.runs[:a] + group.runs[b:]
                trial = [*groups[:g], _Group(runs, group.labelled, coarse=group.coarse), *groups[g + 1 :]]
                readings, unfit = _readings(equations, table, trial, rows, blanks, budget, True, exhausted,
                                            MAX_STEPS // 10)
                if readings and unfit < len(groups) and (fewest is None or unfit <= fewest):
                    if fewest is None or unfit < fewest:
                        out, fewest = [], unfit
                    out.extend(readings)
                if budget[0] <= 0 or len(out) > MAX_READINGS:
                    return []
    return out


def _without_non_counts(table: Table, tokens: list[Token]) -> list[Token]:
    """The tokens without the numbers no cell of a table of counts can hold (a fraction or a negative
    number: another table's amount, e.g. section 二's 采购总金额, that pdf2txt printed among this table's
    columns, its box standing beside them on the page)."""
    if any(c.kind != "count" for block in table.blocks for c in block.columns):
        return tokens
    return [tok for tok in tokens if not (tok.kind == "value" and (tok.value < 0 or tok.value != int(tok.value)))]


def _fewest_moves(keys: list[str], readings: list[dict[str, Token | None]]) -> Decoded | None:
    """The cells all readings agree on (``_agreed_or_zero``); and, where they do not, the cells the
    readings with the fewest page parts printed out of column order agree on, listed in
    ``order_assumed`` (pdf2txt prints a part's columns out of order now and then, seldom twice in one
    table the way a wrong reading needs)."""
    every = _agreed_or_zero(keys, readings)
    fewest = min(getattr(r, "moves", 0) for r in readings)
    likely = [r for r in readings if getattr(r, "moves", 0) == fewest]
    if len(likely) == len(readings) or (preferred := _agreed_or_zero(keys, likely)) is None:
        return every
    if every is None:
        every = Decoded({}, list(keys))
    cells, maybe, assumed = {}, [], []
    for key in keys:
        # all readings' number, or their 0 or blank, before the likeliest readings' number
        chosen = next((d for d in (every, preferred) if key in d.cells), None)
        if chosen is None:
            continue
        cells[key] = chosen.cells[key]
        if key in chosen.zero_or_blank:
            maybe.append(key)
        if chosen is preferred:
            assumed.append(key)
    return Decoded(cells, [k for k in keys if k not in cells], maybe, assumed)



def _agreed_or_zero(keys: list[str], readings: list[dict[str, Token | None]]) -> Decoded | None:
    """The cells every reading prints the same number in; and the cells every reading prints 0 in or
    leaves blank, some 0, read as 0 and listed as possibly blank. A cell every reading leaves blank
    stays unread (labelruns.agreed). None: no cell read."""
    cells: dict[str, Token | None] = {}
    maybe: list[str] = []
    for key in keys:
        if any(key not in r or key in getattr(r, "mixed", ()) for r in readings):
            continue
        values = [r[key] for r in readings]
        loose = [r.loose[key] for r in readings if key in getattr(r, "loose", {})]
        if values[0] is not None and not loose and not any(_differs(values[0], v) for v in values):
            cells[key] = values[0]
        elif all(_zero_or_blank(v) for v in values) and (zeros := [v for v in values if v is not None] + loose):
            cells[key] = zeros[0]
            maybe.append(key)
    if not cells:
        return None
    return Decoded(cells, [k for k in keys if k not in cells], maybe)


def _printed_labels(tokens: list[Token], index: LabelIndex) -> set[tuple[str, str]]:
    """(kind, key) of the row and group labels the tokens print."""
    out = set()
    for tok in tokens:
        if tok.kind == "text" and (label := index.match(tok.norm, in_header=False)) is not None:
            out.add((label.kind, label.key))
    return out


def _row_variants(version: str, table: Table, printed: set[tuple[str, str]]):
    """(rows, identities) of the declared table, then of each keyed row group the copy prints as one
    row: its label printed, none of its rows' labels."""
    rows = _rows(table)
    equations = _equations(version, table.key)
    yield rows, equations
    for label, metric in table.group_keys:
        members = [key for block in table.blocks for row in block.rows if row.group == label for key in [row.key]]
        if len(members) < 2 or any(key == metric for _, key in rows) or ("group", normalize_label(label)) not in printed \
                or any(("row", key) in printed for key in members):
            continue
        at = [n for n, (_, key) in enumerate(rows) if key in members]
        if at != list(range(at[0], at[0] + len(at))):
            continue
        merged = [*rows[: at[0]], (rows[at[0]][0], metric), *rows[at[-1] + 1 :]]
        prefix = {f"{table.key}.{key}.": f"{table.key}.{metric}." for key in members}

        def fold(cells: tuple[str, ...], prefix: dict[str, str] = prefix) -> tuple[str, ...]:
            out = []
            for cell in cells:
                head, column = cell.rsplit(".", 1)
                cell = prefix.get(head + ".", head + ".") + column
                if cell not in out:
                    out.append(cell)
            return tuple(out)

        folded = {(fold(eq.lhs), fold(eq.rhs)): eq for eq in equations}
        yield merged, [Equation(eq.rule, lhs, rhs, eq.along) for (lhs, rhs), eq in folded.items()]


# ------------------------------------------------------------------ a table printed on one line (四)


@dataclass
class _Placed:
    """A number of a transposed table and the columns its label evidence allows (None: any)."""

    token: Token
    allowed: frozenset[str] | None


def _transposed_numbers(table: Table, tokens: list[Token]) -> list[_Placed]:
    """The numbers of a table whose rows print side by side (section 四: one line of 15 cells, each cell
    a text box of its own), each with the columns its label evidence allows.

    pdf2txt prints a box's lines together (a label wrapped in its cell: ``结果`` / ``维持``), boxes apart.
    A box holding a whole column label and a number (``结果纠正`` / ``0``), or a box of one whole
    column label, then a box of one number, then a box of text: that column's number; a
    box mixing the characters of several labels and as many numbers (``尚未其他结果审结结果纠正 0 0 0``)
    holds those columns' numbers in an unknown order. Any other number is free: labels printed in a
    block apart from the numbers say nothing about the numbers' order (their boxes are printed in an
    order of their own); row and header labels are no evidence either."""
    block = table.blocks[0]
    columns = {normalize_label(t): c.key for c in block.columns for t in (c.label, *c.aliases)}
    others = sorted({normalize_label(t) for r in block.rows for t in (r.label, *r.aliases)}
                    | {normalize_label(t) for t in block.header_labels}, key=len, reverse=True)
    boxes: list[tuple[str, list[Token]]] = []  # (text, numbers) of each box, in print order
    text, numbers = "", []
    for tok in [*tokens, None]:
        if tok is None or tok.kind not in ("value", "text"):
            if text or numbers:
                boxes.append((text, numbers))
            text, numbers = "", []
        elif tok.kind == "value":
            numbers.append(tok)
        else:
            if numbers:  # text after a box's numbers: a box of its own
                boxes.append((text, numbers))
                text, numbers = "", []
            text += tok.norm
    out: list[_Placed] = []
    for n, (text, numbers) in enumerate(boxes):
        for other in others:
            text = text.replace(other, "")
        labels, whole = _box_columns(text, columns) if text else ([], True)
        before = boxes[n - 1] if n else ("", [])
        after = boxes[n + 1] if n + 1 < len(boxes) else ("", [])
        if numbers and text and None not in labels and len(labels) == len(numbers):
            out.extend(_Placed(tok, frozenset([label]) if whole else frozenset(labels))
                       for tok, label in zip(numbers, labels, strict=True))
            continue
        if len(numbers) == 1 and not text and before[0] and not before[1] and after[0]:
            label, was_whole = _box_columns(_strip(before[0], others), columns)
            if was_whole and len(label) == 1:
                out.append(_Placed(numbers[0], frozenset(label)))
                continue
        out.extend(_Placed(tok, None) for tok in numbers)
    return out


SPILL_TEXT = 4  # characters of a label fragment; longer text that is no label of the table ends a spill


def _spilled(tokens: list[Token], index: LabelIndex) -> list[Token]:
    """The table's labels (whole or in fragments) and numbers that open ``tokens``, up to the first
    other text (the next section's prose)."""
    out = []
    for tok in tokens:
        if tok.kind == "text" and len(tok.norm) > SPILL_TEXT and index.match(tok.norm, in_header=True) is None:
            break
        out.append(tok)
    return out


def _strip(text: str, others: list[str]) -> str:
    for other in others:
        text = text.replace(other, "")
    return text





def _decode_transposed(version: str, table: Table, tokens: list[Token]) -> Decoded | None:
    """Section 四 printed box by box: every placement of its numbers onto its cells, rows in order
    (each row's cells once), a number where its label evidence allows, numbers without evidence in
    their row's declared column order, the cells left over blank; placements that break an identity
    are dropped unless none keeps them all and a single placement is left (the report's own error,
    which the checks name). Cells all placements agree on are read."""
    block = table.blocks[0]
    rows = [r.key for r in block.rows]
    cols = [c.key for c in block.columns]
    numbers = _transposed_numbers(table, tokens)
    if not numbers or len(numbers) > len(rows) * len(cols):
        return None
    placements: list[list[tuple[int, int]]] = []

    def walk(i: int, row: int, used: frozenset[int], last_free: int, acc: list[tuple[int, int]]) -> None:
        if len(placements) > MAX_PLACEMENTS:
            raise _TooMany
        if i == len(numbers):
            placements.append(list(acc))
            return
        allowed = numbers[i].allowed
        for r in range(max(row, 0), len(rows)):
            same = r == row
            for c, key in enumerate(cols):
                if allowed is not None and key not in allowed or same and c in used:
                    continue
                if allowed is None and same and c <= last_free:
                    continue
                acc.append((r, c))
                walk(i + 1, r, (used if same else frozenset()) | {c}, c if allowed is None else
                     (last_free if same else -1), acc)
                acc.pop()

    try:
        walk(0, -1, frozenset(), -1, [])
    except _TooMany:
        return None
    equations = _equations(version, table.key)
    readings = []
    for placement in placements:
        cells: dict[str, Token | None] = {f"{table.key}.{r}.{c}": None for r in rows for c in cols}
        for number, (r, c) in zip(numbers, placement, strict=True):
            cells[f"{table.key}.{rows[r]}.{cols[c]}"] = number.token
        readings.append(cells)
    holding = [r for r in readings if _equations_hold(equations, r)]
    if holding:
        readings = holding
    elif len(readings) != 1:
        return None
    if not readings:
        return None
    return _agreed(list(readings[0]), readings)


__all__ = ["Decoded", "decode"]
