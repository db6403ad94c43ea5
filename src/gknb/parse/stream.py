"""Tables a text copy prints in reading order with their labels apart (pdftotext without ``-layout``).

poppler's reading-order text prints each table cell as its own line: a page's row labels in one run,
then the numbers, row after row (or a column's numbers at a time), with the blank cells simply gone.
The labels say little about which number is whose; the format's declared grid, the count of numbers
and the identities say a lot. ``read`` takes a table's numbers as one stream and decides the placement
of all of them at once:

- A table the identities check (sections 三 and 四) is read as the declared cells in a *traversal*
  order — row after row (the official print order) or column after column — each row (or column)
  short by the blank cells the copy dropped, wherever they stand. Every way to drop the blank cells
  is one path through a small graph (unit of the traversal × position in the stream); a step whose
  own identity breaks (a row's total) is no path, and a number no path can keep under the identities
  across units is taken off (in an identity of counts a cell not known only adds to its side). A cell
  all complete paths give one number is read; one they give a number or a blank is read as that number
  and named as possibly blank (``parse.alignment_ambiguous``: a dropped blank among zeros cannot be
  told from a 0). The traversal is taken when the identities over its sure cells all hold and test at
  least one number other than 0; where both traversals hold, only the cells they agree on are read.
- When no traversal holds but the stream has exactly as many numbers as the table has cells, the
  print order is read, and the identities it breaks are named (a report's own slip, at most
  ``MAX_BROKEN`` of them; more say the order is not the print order, and nothing is read).
- When neither holds, the stream is put back in row order where it prints a band of rows a column
  at a time (as many runs of numbers on consecutive lines as the table has columns, each as long),
  and a row group none of whose rows' labels is printed may stand as one row (a 2021 report printing
  （六）其他处理 as 2019 does: its rows are left unread); the traversal by rows then decides as above.
  Else the numbers up to a page break are read as the first rows of the print order, the rest left
  unread (a later page printed in an order of its own).
- A table no identity checks (section 二) is read only by the labels printed before each run of
  numbers (labelruns.py), where their reading order places the numbers.

Every cell read here is named by ``parse.reading_order`` (a warning: a converter that swaps numbers
within a row keeps its total); cells left unread stay named by ``parse.table_by_columns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from itertools import combinations

from ..catalogue import finding
from ..formats import FORMATS, Equation
from ..report import Finding
from . import labelruns
from .labels import LabelIndex
from .tokens import Token, identity_holds

MAX_BLANKS = 12  # cells a copy may drop from one table
MAX_UNIT_DROPS = 2  # of one row (or column) of the traversal
MAX_EDGES = 400_000  # steps of the path graph built for one traversal; beyond, it is not read
MAX_BROKEN = 2  # identities the print order may break and still be read (named)


@dataclass
class Streamed:
    """A table read from its reading-order stream: key → token (None: blank), the keys left unread,
    and the findings that name what was read."""

    cells: dict[str, Token | None]
    unsure: list[str]
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _Identity:
    """A concrete identity, and whether all its cells are counts (never below 0: a cell not known, blank
    or not read, can then only add to its side)."""

    eq: Equation
    counts: bool


@dataclass(frozen=True)
class _Unit:
    """Cells printed one after another in a traversal (a row, or a column), and the identities among them."""

    keys: tuple[str, ...]
    checks: tuple[_Identity, ...]


@cache
def _identities(version: str, table_key: str) -> tuple[_Identity, ...]:
    fmt = FORMATS[version]
    info = fmt.cell_info()
    return tuple(_Identity(eq, all(info[k][3].kind == "count" for k in eq.cells))
                 for eq in fmt.identities() if eq.rule.table == table_key)


@cache
def _units(version: str, table_key: str, by: str) -> tuple[_Unit, ...]:
    """The declared cells of a table as the units of a traversal ``by`` rows or by columns."""
    table = FORMATS[version].table(table_key)
    groups: list[tuple[str, ...]] = []
    for block in table.blocks:
        if by == "rows":
            groups += [tuple(f"{table.key}.{row.key}.{c.key}" for c in block.columns) for row in block.rows]
        else:
            groups += [tuple(f"{table.key}.{row.key}.{c.key}" for row in block.rows) for c in block.columns]
    identities = _identities(version, table_key)
    return tuple(_Unit(g, tuple(i for i in identities if set(i.eq.cells) <= set(g))) for g in groups)


COLLAPSED = "|"  # joins a row group's name and a column key: a cell of the group printed as one row


@cache
def _collapsed_units(version: str, table_key: str, group: str) -> tuple[_Unit, ...]:
    """The units of the traversal by rows with the rows of ``group`` printed as one row under the group's
    label (a 2021 report printing （六）其他处理 as 2019 does): that row's cells are no declared cells
    (``COLLAPSED`` keys, never read), checked by the identities of the group's first row."""
    units = _units(version, table_key, "rows")
    rows = [r.key for b in FORMATS[version].table(table_key).blocks for r in b.rows if r.group == group]
    at = [n for n, u in enumerate(units) if u.keys[0].split(".")[1] in rows]
    first = units[at[0]]
    rename = {k: f"{table_key}.{group}{COLLAPSED}{k.rsplit('.', 1)[1]}" for k in first.keys}
    checks = tuple(_Identity(replace(i.eq, lhs=tuple(rename[k] for k in i.eq.lhs), rhs=tuple(rename[k] for k in i.eq.rhs)),
                             i.counts) for i in first.checks)
    return (*units[: at[0]], _Unit(tuple(rename.values()), checks), *units[at[-1] + 1 :])


def _collapsible(version: str, table_key: str, missing: int, printed: set[str]) -> list[str]:
    """The row groups of a table whose rows, printed as one row, would leave ``missing`` numbers fewer
    than its cells, give or take the blanks a copy drops (contiguous groups of one sub-table only, none
    of whose rows has its own label among the ``printed`` row labels)."""
    out = []
    for block in FORMATS[version].table(table_key).blocks:
        groups = [r.group for r in block.rows]
        for group in dict.fromkeys(g for g in groups if g):
            n = groups.count(group)
            contiguous = groups[groups.index(group) : groups.index(group) + n] == [group] * n
            labelled = any(r.key in printed for r in block.rows if r.group == group)
            if n > 1 and contiguous and not labelled and 0 <= missing - (n - 1) * len(block.columns) <= MAX_BLANKS:
                out.append(group)
    return out


def _bands(tokens: list[Token], columns: int) -> list[Token] | None:
    """The numbers in row order where the copy prints a band of rows a column at a time (``columns``
    runs of as many numbers each, a run on consecutive lines), the other numbers as printed; None when
    no band is found."""
    runs: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.kind in ("value", "blank"):
            runs[-1].append(tok)
        elif runs[-1]:
            runs.append([])
    out, n, found = [], 0, False
    while n < len(runs):
        size = len(runs[n])
        if 1 < size != columns and all(len(r) == size for r in runs[n : n + columns]) and n + columns <= len(runs):
            out += [runs[n + c][r] for r in range(size) for c in range(columns)]
            n, found = n + columns, True
        else:
            out += runs[n]
            n += 1
    return out if found else None


def _holds(identity: _Identity, cells: dict[str, Token | None]) -> bool | None:
    """Whether an identity holds over ``cells`` (tokens.identity_holds, its counts rule included)."""
    return identity_holds(identity.eq, cells, identity.counts)


class _Unread:
    """A cell of a unit the stream's print does not reach (see ``_graph``'s ``tail``): not known."""

    value = None


_UNREAD = _Unread()
_NOT_PRINTED = {_UNREAD: _UNREAD}  # the values of a cell no unit holds (a row of a group printed as one)

Edges = list[dict[int, list[tuple[int, tuple[Token | None, ...]]]]]


def _graph(units: tuple[_Unit, ...], stream: list[Token], tail: int | None = None) -> Edges | None:
    """The path graph: for each unit, stream position → (next position, the unit's cells) for every way
    to drop up to ``MAX_UNIT_DROPS`` of its cells that keeps its own identities; None when the stream
    holds more numbers than cells, more than ``MAX_BLANKS`` fewer, or the graph grows past ``MAX_EDGES``.
    With a ``tail`` the stream prints the first units only, and ``tail`` more numbers follow in an order
    of their own: once the stream is spent, at a unit from which at least ``tail`` cells are left, the
    units left are passed over unread (``_UNREAD``, to the end position ``len(stream) + 1``); the cells
    dropped from those read count against the blanks of the whole table."""
    total = sum(len(u.keys) for u in units)
    blanks = total - len(stream) - (tail or 0)
    if blanks < 0 or blanks > MAX_BLANKS:
        return None
    edges: Edges = []
    reach, steps, start, done = {0}, 0, 0, len(stream) + 1
    for unit in units:
        size, out, nxt = len(unit.keys), {}, set()
        if tail is not None:  # the stream spent: this unit and those after it unread
            starts = [p for p in (len(stream),) if p in reach and total - start >= tail] + [done] * (done in reach)
            for p in starts:
                out[p] = [(done, (_UNREAD,) * size)]
                nxt.add(done)
        for p in sorted(reach):
            for drops in range(min(MAX_UNIT_DROPS, blanks - (start - p), size) + 1):
                if p + size - drops > len(stream):
                    continue
                for holes in combinations(range(size), drops):
                    steps += 1
                    if steps > MAX_EDGES:
                        return None
                    values = iter(stream[p : p + size - drops])
                    cells = tuple(None if j in holes else next(values) for j in range(size))
                    if any(_holds(eq, dict(zip(unit.keys, cells, strict=True))) is False for eq in unit.checks):
                        continue
                    out.setdefault(p, []).append((p + size - drops, cells))
                    nxt.add(p + size - drops)
        edges.append(out)
        reach, start = nxt, start + size
    return edges


def _seen(units: tuple[_Unit, ...], edges: Edges, end: int, banned: set[tuple[str, object]]) -> dict[str, dict] | None:
    """Every value each cell takes on some complete path that gives no cell a ``banned`` (key, value):
    key → {value: token, or None for a blank}; None when no such path is left."""
    def allowed(u: int, cells: tuple[Token | None, ...]) -> bool:
        return not banned or all((k, _value(t)) not in banned for k, t in zip(units[u].keys, cells, strict=True))

    reach = [{0}]
    for u in range(len(units)):
        reach.append({q for p, out in edges[u].items() if p in reach[u] for q, cells in out if allowed(u, cells)})
    if end not in reach[-1]:
        return None
    alive, seen = {end}, {}
    for u in range(len(units) - 1, -1, -1):
        before = set()
        for p, out in edges[u].items():
            if p not in reach[u]:
                continue
            for q, cells in out:
                if q in alive and allowed(u, cells):
                    before.add(p)
                    for key, tok in zip(units[u].keys, cells, strict=True):
                        seen.setdefault(key, {}).setdefault(_value(tok), tok)
        alive = before
    return seen


MAX_SUMS = 4096  # sums of an identity's other cells tracked when testing a value against it


def _unsupported(identities: tuple[_Identity, ...], seen: dict[str, dict]) -> set[tuple[str, object]]:
    """(key, number) pairs no path can keep: with that number in the cell, no values the identity's other
    cells can take satisfy one of its identities (a cell that may be blank stands for any count ≥ 0, or,
    in an identity not of counts, leaves it untested)."""
    out: set[tuple[str, object]] = set()
    for identity in identities:
        eq = identity.eq
        if not identity.counts and any(_open(seen.get(k, _NOT_PRINTED)) for k in eq.cells):
            continue
        signs = [(k, 1) for k in eq.lhs] + [(k, -1) for k in eq.rhs]
        for k, sign in signs:
            numbers = [v for v in seen.get(k, _NOT_PRINTED) if v is not None and v is not _UNREAD]
            if len(seen.get(k, _NOT_PRINTED)) < 2 or not numbers:
                continue
            sums, open_sides = {0}, set()
            for other, s in signs:
                if other == k:
                    continue
                if _open(seen.get(other, _NOT_PRINTED)):
                    open_sides.add(s)  # any count >= 0 on that side
                    continue
                sums = {x + s * v for x in sums for v in seen[other]}
                if len(sums) > MAX_SUMS:
                    break
            else:
                if open_sides == {1, -1}:
                    continue
                for v in numbers:
                    if open_sides == {1}:
                        possible = min(sums) + sign * v <= 0
                    elif open_sides == {-1}:
                        possible = max(sums) + sign * v >= 0
                    else:
                        possible = -sign * v in sums
                    if not possible:
                        out.add((k, v))
    return out


def _open(values: dict) -> bool:
    """Whether a cell's values on the paths leave it open: blank on some path, or not reached by the print."""
    return None in values or _UNREAD in values


def _paths(units: tuple[_Unit, ...], stream: list[Token], identities: tuple[_Identity, ...],
           tail: int | None = None) -> dict[str, dict] | None:
    """Every value each cell takes on some complete path (see ``_seen``), the paths narrowed by the
    identities across units (a value that can satisfy none of them takes its paths away)."""
    edges = _graph(units, stream, tail)
    if edges is None:
        return None
    banned: set[tuple[str, object]] = set()
    while True:
        seen = _seen(units, edges, len(stream) + (tail is not None), banned)
        if seen is None:
            return None
        more = _unsupported(identities, seen) - banned
        if not more:
            return seen
        banned |= more


def _traversal(version: str, table_key: str, by: str, stream: list[Token],
               tail: int | None = None, group: str | None = None) -> tuple[dict, set[str]] | None:
    """One traversal's reading, when the identities whose cells all its paths agree on hold and at least one
    of them tests a number other than 0 (or the stream holds no other number): (key → token, or None for
    a blank, for every cell whose paths agree on its number; the keys of those some path leaves blank).
    With a ``tail`` the stream prints the traversal's first units only (see ``_graph``); with a ``group``,
    the rows of that group are printed as one row (see ``_collapsed_units``) and left unread."""
    units = _collapsed_units(version, table_key, group) if group else _units(version, table_key, by)
    seen = _paths(units, stream, _identities(version, table_key), tail)
    if seen is None:
        return None
    seen = {k: v for k, v in seen.items() if COLLAPSED not in k}
    sure = {k: next(iter(v.values())) for k, v in seen.items() if len(v) == 1 and _UNREAD not in v}
    tested = False
    for identity in _identities(version, table_key):
        held = _holds(identity, sure)
        if held is False:
            return None
        tested = tested or (held is True and any(sure[k].value for k in identity.eq.cells))
    if not tested and any(t.value for t in stream):  # no identity tests where its numbers stand
        return None
    cells, maybe_blank = dict(sure), set()
    for key, values in seen.items():
        if len(values) == 2 and None in values and _UNREAD not in values:  # this number, or a dropped blank
            cells[key] = next(tok for value, tok in values.items() if value is not None)
            maybe_blank.add(key)
    return cells, maybe_blank


def _print_order(version: str, table_key: str, stream: list[Token]) -> tuple[dict, list[str]] | None:
    """The stream read in the official print order when it holds exactly one number per cell:
    (cells, the cells of the identities it breaks) — None when it breaks more than ``MAX_BROKEN``."""
    keys = [k for unit in _units(version, table_key, "rows") for k in unit.keys]
    if len(keys) != len(stream) or any(t.kind != "value" for t in stream):
        return None
    cells = dict(zip(keys, stream, strict=True))
    broken = [i.eq for i in _identities(version, table_key) if _holds(i, cells) is False]
    if len(broken) > MAX_BROKEN:
        return None
    return cells, list(dict.fromkeys(k for eq in broken for k in eq.cells))


def read(version: str, table_key: str, tokens: list[Token], index: LabelIndex) -> Streamed | None:
    """Read table ``table_key`` from ``tokens`` (its section's tokens, in reading order), or None."""
    table = FORMATS[version].table(table_key)
    title = table.title
    if not _identities(version, table_key):
        placed = labelruns.read(table, tokens, index)
        if placed is None or not placed.in_order:
            return None
        cells = placed.cells
        return Streamed(cells, placed.unsure, [finding(
            "parse.reading_order", list(cells),
            f"表格「{title}」的数字与行标签分开印出（PDF 的阅读顺序文本副本），已按每段数字前的行、列标签还原；"
            "该表没有勾稽关系可供检验，请核对",
            f"table '{title}' prints its numbers apart from their row labels (a PDF's reading-order text); its cells "
            "were read by the row and column labels before each run of numbers, which no identity can test: check them",
        )])
    stream = [t for t in tokens if t.kind in ("value", "blank")]
    readings = [r for r in (_traversal(version, table_key, by, stream) for by in ("rows", "columns")) if r]
    if not readings:
        ordered = _print_order(version, table_key, stream)
        if ordered is not None:
            return _print_order_read(title, *ordered)
        readings = _rearranged(version, table_key, tokens, stream, index)
    if readings:
        first = readings[0][0]
        cells = {k: tok for k, tok in first.items()
                 if all(k in other and _value(other[k]) == _value(tok) for other, _ in readings[1:])}
        unsure = [k for k, *_ in table.cells() if k not in cells]
        maybe_blank = [k for k in cells if any(k in maybe for _, maybe in readings)]
        findings = [finding(
            "parse.reading_order", list(cells),
            f"表格「{title}」的数字与行标签分开印出（PDF 的阅读顺序文本副本），已按官方格式的行列顺序、数字个数和勾稽关系还原，请核对",
            f"table '{title}' prints its numbers apart from their row labels (a PDF's reading-order text); its cells "
            "were read by the format's rows and columns, the count of numbers and the identities: check them",
        )]
        if maybe_blank:
            findings.append(finding(
                "parse.alignment_ambiguous", maybe_blank,
                f"表格「{title}」的副本未印出空白单元格，以下单元格也可能是空白（已读作按顺序落在此处的数字），请核对原文",
                f"table '{title}': the copy drops blank cells; these cells may be blank instead (read as the number "
                "the order puts there): check the original",
            ))
        return Streamed(cells, unsure, findings)
    return None


def _print_order_read(title: str, cells: dict, broken: list[str]) -> Streamed:
    """The table read in print order (see ``_print_order``), named so."""
    return Streamed(cells, [], [
        finding(
            "parse.reading_order", list(cells),
            f"表格「{title}」的数字与行标签分开印出（PDF 的阅读顺序文本副本），数字个数与单元格数相同，已按印出顺序读取，请核对",
            f"table '{title}' prints its numbers apart from their row labels (a PDF's reading-order text), one number "
            "per cell: they were read in print order: check them",
        ),
        *([finding(
            "parse.alignment_contradicted", broken,
            f"表格「{title}」按印出顺序读取的数字与勾稽关系不符，可能错位，请核对原文",
            f"table '{title}': the numbers read in print order break an identity; they may be misplaced: check the "
            "original",
        )] if broken else []),
    ])


def _rearranged(version: str, table_key: str, tokens: list[Token], stream: list[Token],
                index: LabelIndex) -> list[tuple[dict, set[str]]]:
    """Readings where the whole stream in print order reads by no traversal: its bands of rows printed a
    column at a time put back in row order, a row group printed as one row; else the first pages."""
    blocks = FORMATS[version].table(table_key).blocks
    banded = _bands(tokens, len(blocks[0].columns)) if len({len(b.columns) for b in blocks}) == 1 else None
    total = len(FORMATS[version].table(table_key).cells())
    printed = {lab.key for tok in tokens if tok.kind == "text" and (lab := index.match(tok.norm, in_header=False))
               and lab.kind == "row"}
    for numbers in [s for s in (banded, stream) if s is not None]:
        groups = [None] * (numbers is banded) + _collapsible(version, table_key, total - len(numbers), printed)
        readings = [r for g in groups if (r := _traversal(version, table_key, "rows", numbers, group=g))]
        if readings:
            return readings
    return [r for r in [_first_pages(version, table_key, tokens, stream)] if r]


def _first_pages(version: str, table_key: str, tokens: list[Token], stream: list[Token]) -> tuple[dict, set[str]] | None:
    """The reading of a table's first pages where no traversal holds over the whole stream (a later page
    printed in an order of its own): the numbers up to the last page break they read at, as the first
    rows of the print order, the rows after them left unread."""
    cuts, count = set(), 0
    for tok in tokens:
        if tok.page_break:
            cuts.add(count)
        count += tok.kind in ("value", "blank")
    for cut in sorted((c for c in cuts if 0 < c < len(stream)), reverse=True):
        reading = _traversal(version, table_key, "rows", stream[:cut], tail=len(stream) - cut)
        if reading is not None:
            return reading
    return None


def _value(tok: Token | None):
    return None if tok is None else _UNREAD if tok is _UNREAD else tok.value


__all__ = ["Streamed", "read"]
