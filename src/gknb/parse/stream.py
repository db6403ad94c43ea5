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
- A number printed right after text of its own flow (poppler stacks a header cell and the numbers under
  it in one flow, then an empty line: ``总计`` / ``2``, ``结果 其他 尚未`` / ``纠正 结果 审结`` / ``0``) is
  *pinned* under that header's columns: a pinned number other than 0 stands there on every path and in
  print order; where no reading is left, all pins decide, and a cell its paths give a 0 or a blank counts
  as 0 in the identities' test. A table printed on one grid row (section 四) is then read by placing its
  flows: each flow's numbers on cells left to right, a pinned flow under its header's columns (and the
  row a label before them names), the flows without a header left to right in their order; the cells all
  placements that keep the identities agree on are read.
- When no traversal holds but the stream has exactly as many numbers as the table has cells, the
  print order is read, and the identities it breaks are named (a report's own slip, at most
  ``MAX_BROKEN`` of them; more say the order is not the print order, and nothing is read).
- When neither holds, the stream is put back in row order where it prints a band of rows a column
  at a time (as many runs of numbers on consecutive lines as the table has columns, each as long),
  and a row group none of whose rows' labels is printed may stand as one row (a 2021 report printing
  （六）其他处理 as 2019 does: its rows are left unread); the traversal by rows then decides as above.
  Else, where the copy prints each column's numbers over a band of rows as one flow (poppler at 2021's
  official column widths), the flows are placed on the print grid in passes — each next flow right in
  its band (at least as many rows), down to the next band, or back to the top — under the headers their
  flows print (a flow under a header starts at its page's first row; under a header over several columns
  it holds their first rows row after row), blank cells passed over whole, every column at the same row
  at a page break; the cells all placements that keep the identities agree on are read. Else the numbers up to a page break are read
  as the first rows of the print order (bands put back in row order), and the rows after them from the later page
  where it prints in two passes (each row's label and its left columns, then the right columns band after band:
  a page of an agency's own Word table whose header repeats), else left unread.
- Where none of these reads, a page whose first row's cells poppler printed under their headers (``商业企业``
  / ``74,666``, one number for each header's column) after the page's other rows (a tall first row: counts
  wrapped in their cells) is put back with those flows first, in the columns' order, and read again as above.
- Where a section holds more numbers than its table has cells, a neighbouring table's numbers are left out: those
  before the table's first label, those from another table's label after its last row label.
- A table no identity checks (section 二) is read only by the labels printed before each run of
  numbers (labelruns.py), where their reading order places the numbers.

Every cell read here is named by ``parse.reading_order`` (a warning: a converter that swaps numbers
within a row keeps its total); cells left unread stay named by ``parse.table_by_columns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from itertools import combinations

from ..catalogue import finding
from ..formats import FORMATS, Equation
from ..report import Finding
from ..text import normalize_label
from . import labelruns
from .labels import LabelIndex, label_index
from .tokens import Token, identities_hold, identity_holds

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

    @cached_property
    def tests(self) -> list[tuple[tuple[str, ...], tuple[str, ...], bool]]:
        """The checks as ``tokens.identities_hold`` tests them (the path graph tests millions)."""
        return [(i.eq.lhs, i.eq.rhs, i.counts) for i in self.checks]


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


def _bands(tokens: list[Token], columns: int, square: bool = False) -> list[Token] | None:
    """The numbers in row order where the copy prints a band of rows a column at a time (``columns``
    runs of as many numbers each, a run on consecutive lines), the other numbers as printed; None when
    no band is found. ``square``: runs as long as there are columns are a band too (else they may be
    rows printed side by side)."""
    runs: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.kind in ("value", "blank"):
            runs[-1].append(tok)
        elif runs[-1]:
            runs.append([])
    out, n, found = [], 0, False
    while n < len(runs):
        size = len(runs[n])
        if size > 1 and (square or size != columns) and all(len(r) == size for r in runs[n : n + columns]) \
                and n + columns <= len(runs):
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

Cells = tuple[tuple[str, "Token | None | _Unread"], ...]  # (key, token; None: blank) of one step of a path
Edges = list[dict[object, list[tuple[object, Cells]]]]  # per step: state → (next state, its cells)


def _graph(units: tuple[_Unit, ...], stream: list[Token], tail: int | None = None,
           pins: dict[int, frozenset[str]] | None = None) -> Edges | None:
    """The path graph: for each unit, stream position → (next position, the unit's cells) for every way
    to drop up to ``MAX_UNIT_DROPS`` of its cells that keeps its own identities; None when the stream
    holds more numbers than cells, more than ``MAX_BLANKS`` fewer, or the graph grows past ``MAX_EDGES``.
    With a ``tail`` the stream prints the first units only, and ``tail`` more numbers follow in an order
    of their own: once the stream is spent, at a unit from which at least ``tail`` cells are left, the
    units left are passed over unread (``_UNREAD``, to the end position ``len(stream) + 1``); the cells
    dropped from those read count against the blanks of the whole table. With ``pins`` (stream position →
    the columns a header printed right above that number names, see ``_pins``) a step that puts a pinned
    number in another column is no path."""
    total = sum(len(u.keys) for u in units)
    blanks = total - len(stream) - (tail or 0)
    if blanks < 0 or blanks > MAX_BLANKS:
        return None
    edges: Edges = []
    reach, steps, start, done = {0}, 0, 0, len(stream) + 1
    for unit in units:
        size, out, nxt, tests = len(unit.keys), {}, set(), unit.tests
        if tail is not None:  # the stream spent: this unit and those after it unread
            starts = [p for p in (len(stream),) if p in reach and total - start >= tail] + [done] * (done in reach)
            for p in starts:
                out[p] = [(done, tuple((k, _UNREAD) for k in unit.keys))]
                nxt.add(done)
        for p in sorted(reach):
            for drops in range(min(MAX_UNIT_DROPS, blanks - (start - p), size) + 1):
                if p + size - drops > len(stream):
                    continue
                for holes in combinations(range(size), drops):
                    steps += 1
                    if steps > MAX_EDGES:
                        return None
                    cells = list(stream[p : p + size - drops])
                    for j in holes:  # in rising order: each blank lands at its place
                        cells.insert(j, None)
                    if pins and not _pinned(unit.keys, holes, p, pins):
                        continue
                    pairs = tuple(zip(unit.keys, cells, strict=True))
                    if tests and not identities_hold(tests, dict(pairs)):
                        continue
                    out.setdefault(p, []).append((p + size - drops, pairs))
                    nxt.add(p + size - drops)
        edges.append(out)
        reach, start = nxt, start + size
    return edges


def _pinned(keys: tuple[str, ...], holes: tuple[int, ...], start: int, pins: dict[int, frozenset[str]]) -> bool:
    """Whether the numbers from stream position ``start`` put in ``keys`` (but the ``holes``) each stand in
    a column their pin allows."""
    at = start
    for j, key in enumerate(keys):
        if j in holes:
            continue
        if at in pins and key.rsplit(".", 1)[1] not in pins[at]:
            return False
        at += 1
    return True


def _pins(tokens: list[Token], index: LabelIndex) -> dict[int, frozenset[str]]:
    """Stream position → the columns a number may stand in, for a number printed right after the text of
    its own flow (no empty line between: poppler prints a flow of blocks stacked under one another) when
    that text is a column's header: one label (wrapped or not), or several side by side (``结果 其他 尚未`` /
    ``纠正 结果 审结``: the flow's first number stands under one of them)."""
    pins: dict[int, frozenset[str]] = {}
    head: list[Token] = []
    at = 0
    for tok in tokens:
        if tok.kind == "text":
            head.append(tok)
            continue
        if tok.kind in ("value", "blank"):
            if head and (columns := _header_columns(head, index)):
                pins[at] = columns
            at += 1
        head = []
    return pins


def _header_columns(head: list[Token], index: LabelIndex) -> frozenset[str]:
    """The columns a flow's header text names (see ``_pins``); empty when it is not only column labels."""
    label = index.match("".join(t.norm for t in head), in_header=True)
    if label is not None:
        return frozenset({label.key}) if label.kind == "column" else frozenset()
    words = [t.text.split() for t in head]
    width = len(words[-1])
    lines = 0
    while lines < len(words) and len(words[-1 - lines]) == width:
        lines += 1
    if width < 2:
        return frozenset()
    parts = words[len(words) - lines :]
    labels = [index.match(normalize_label("".join(line[j] for line in parts)), in_header=True) for j in range(width)]
    if all(lab is not None and lab.kind == "column" for lab in labels):
        return frozenset(lab.key for lab in labels)
    return frozenset()


@dataclass(frozen=True)
class _Flow:
    """The numbers of one flow of a copy (poppler: blocks stacked under one another, then an empty line),
    from stream position ``start``; the header printed above them in the flow: the columns (see ``_pins``)
    and the row (a row label before a header of several columns: ``复议后起诉`` / ``结果 其他 尚未`` / …)
    it names, and whether the flow has text at all."""

    start: int
    size: int
    columns: frozenset[str]
    row: str | None
    headed: bool


def _flows(tokens: list[Token], index: LabelIndex) -> list[_Flow]:
    """The flows of numbers a reading-order copy prints (see ``_Flow``)."""
    out: list[_Flow] = []
    head: list[Token] = []
    at, run = 0, False
    for tok in tokens:
        if tok.kind in ("value", "blank"):
            if run:
                last = out[-1]
                out[-1] = replace(last, size=last.size + 1)
            else:
                out.append(_Flow(at, 1, _header_columns(head, index) if head else frozenset(),
                                 _header_row(head, index), bool(head)))
            at, run, head = at + 1, True, []
        elif tok.kind == "text":
            head.append(tok)
            run = False
        else:
            head, run = [], False
    return out


def _header_row(head: list[Token], index: LabelIndex) -> str | None:
    """The row a flow's header names before its column labels printed side by side, if any."""
    words = [t.text.split() for t in head]
    if len(words) < 2 or len(words[-1]) < 2:
        return None
    first = next(n for n in range(len(words)) if all(len(w) == len(words[-1]) for w in words[n:]))
    label = index.match("".join(t.norm for t in head[:first]), in_header=True) if first else None
    return label.key if label is not None and label.kind == "row" else None


@cache
def _print_grid(version: str, table_key: str) -> tuple[tuple[str, ...], ...] | None:
    """The table's cells as its official grid prints them: grid rows of keys (a ``transposed`` block's
    rows side by side on one grid row, section 四); None when its grid rows differ in width."""
    table = FORMATS[version].table(table_key)
    rows: list[tuple[str, ...]] = []
    for block in table.blocks:
        keys = [tuple(f"{table.key}.{r.key}.{c.key}" for c in block.columns) for r in block.rows]
        rows += [tuple(k for row in keys for k in row)] if block.layout and block.layout.transposed else keys
    return tuple(rows) if len({len(r) for r in rows}) == 1 else None


MAX_PLACEMENTS = 20_000  # placements of a one-row table's flows tried; beyond, it is not read


def _one_row_placements(version: str, table_key: str, stream: list[Token], flows: list[_Flow]) -> dict[str, dict] | None:
    """Every value each cell takes over the placements of a one-row print grid's flows (section 四) that
    keep the identities: each flow's numbers on cells left to right (a cell passed over is a dropped
    blank), its first number under its header's columns and row; the flows without a header left to
    right in their order (poppler prints blocks of one line left to right; a header's own height can put
    its flow anywhere). None when no placement is left or there are more than ``MAX_PLACEMENTS``."""
    grid = _print_grid(version, table_key)
    if grid is None or len(grid) != 1 or not flows:
        return None
    row = grid[0]
    budget = len(row) - len(stream)
    if not 0 <= budget <= MAX_BLANKS:
        return None
    identities = _identities(version, table_key)
    at = {key: c for c, key in enumerate(row)}
    seen: dict[str, dict] = {}
    tried = 0
    # the flows under a header first (the fewest places), then the others in their order
    flows = sorted(flows, key=lambda f: not f.headed)

    def keeps(taken: dict[int, Token], placed: tuple[int, ...]) -> bool:
        """Whether the identities over the cells just ``placed`` hold, where all their cells are placed."""
        for identity in identities:
            spots = [at[k] for k in identity.eq.cells]
            if (any(s in placed for s in spots) and all(s in taken for s in spots)
                    and _holds(identity, {k: taken[at[k]] for k in identity.eq.cells}) is False):
                return False
        return True

    def under(flow: _Flow, cell: str) -> bool:
        _, row_key, column = cell.split(".")
        return (not flow.columns or column in flow.columns) and (flow.row is None or flow.row == row_key)

    def place(n: int, taken: dict[int, Token], plain: int) -> bool:
        nonlocal tried
        tried += 1
        if tried > MAX_PLACEMENTS:
            return False
        if n == len(flows):
            cells = {key: taken.get(c) for c, key in enumerate(row)}
            if any(_holds(i, cells) is False for i in identities):
                return True
            for key, tok in cells.items():
                seen.setdefault(key, {}).setdefault(_value(tok), tok)
            return True
        flow = flows[n]
        numbers = stream[flow.start : flow.start + flow.size]
        for first in range(plain if not flow.headed else 0, len(row)):
            if first in taken or not under(flow, row[first]):
                continue
            for spots in _spots(first, len(numbers), taken, len(row), budget):
                placed = dict(taken)
                placed.update(zip(spots, numbers, strict=True))
                if not keeps(placed, spots):
                    continue
                if not place(n + 1, placed, spots[-1] + 1 if not flow.headed else plain):
                    return False
        return True

    if not place(0, {}, 0):
        return None
    return seen or None


def _spots(first: int, size: int, taken: dict[int, Token], width: int, slack: int) -> list[tuple[int, ...]]:
    """The cells a flow of ``size`` numbers can stand on from cell ``first``: left to right over free cells,
    passing over at most ``slack`` free cells in all (dropped blanks)."""
    out: list[tuple[int, ...]] = []

    def grow(spots: tuple[int, ...], skipped: int) -> None:
        if len(spots) == size:
            out.append(spots)
            return
        at = spots[-1] + 1
        while at < width and at not in taken and at - spots[-1] - 1 <= slack - skipped:
            grow((*spots, at), skipped + at - spots[-1] - 1)
            at += 1

    grow((first,), 0)
    return out


def _seen(edges: Edges, start: object, end: object, banned: set[tuple[str, object]]) -> dict[str, dict] | None:
    """Every value each cell takes on some complete path (``start`` to ``end`` through every step) that
    gives no cell a ``banned`` (key, value): key → {value: token, or None for a blank}; None when no such
    path is left."""
    def allowed(cells: Cells) -> bool:
        return not banned or all((k, _value(t)) not in banned for k, t in cells)

    reach = [{start}]
    for step in edges:
        reach.append({q for p, out in step.items() if p in reach[-1] for q, cells in out if allowed(cells)})
    if end not in reach[-1]:
        return None
    alive, seen = {end}, {}
    for u in range(len(edges) - 1, -1, -1):
        before = set()
        for p, out in edges[u].items():
            if p not in reach[u]:
                continue
            for q, cells in out:
                if q in alive and allowed(cells):
                    before.add(p)
                    for key, tok in cells:
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
           tail: int | None = None, pins: dict[int, frozenset[str]] | None = None) -> dict[str, dict] | None:
    """Every value each cell takes on some complete path (see ``_seen``), the paths narrowed by the
    identities across units (a value that can satisfy none of them takes its paths away)."""
    edges = _graph(units, stream, tail, pins)
    return None if edges is None else _narrowed(edges, 0, len(stream) + (tail is not None), identities)


def _narrowed(edges: Edges, start: object, end: object, identities: tuple[_Identity, ...]) -> dict[str, dict] | None:
    """The values of all complete paths (see ``_seen``) once no value is left that no path can keep under the
    identities across steps (see ``_unsupported``)."""
    banned: set[tuple[str, object]] = set()
    while True:
        seen = _seen(edges, start, end, banned)
        if seen is None:
            return None
        more = _unsupported(identities, seen) - banned
        if not more:
            return seen
        banned |= more


def _traversal(version: str, table_key: str, by: str, stream: list[Token], tail: int | None = None,
               group: str | None = None, pins: dict[int, frozenset[str]] | None = None,
               headed: bool = False) -> tuple[dict, set[str]] | None:
    """One traversal's reading, when the identities whose cells all its paths agree on hold and at least one
    of them tests a number other than 0 (or the stream holds no other number): (key → token, or None for
    a blank, for every cell whose paths agree on its number; the keys of those some path leaves blank).
    With a ``tail`` the stream prints the traversal's first units only (see ``_graph``); with a ``group``,
    the rows of that group are printed as one row (see ``_collapsed_units``) and left unread. With ``pins``
    (see ``_pins``) a path puts each pinned number under its header; ``headed``: the pins decide where the
    paths would not, and a cell its paths give a 0 or a blank counts as 0 in the identities' test (either
    adds nothing to its side)."""
    units = _collapsed_units(version, table_key, group) if group else _units(version, table_key, by)
    seen = _paths(units, stream, _identities(version, table_key), tail, pins)
    return None if seen is None else _reading(version, table_key, seen, stream, headed)


def _reading(version: str, table_key: str, seen: dict[str, dict], stream: list[Token],
             headed: bool) -> tuple[dict, set[str]] | None:
    """The reading the values of all paths give (see ``_traversal``), or None when the identities over its
    sure cells break or test no number other than 0."""
    seen = {k: v for k, v in seen.items() if COLLAPSED not in k}
    sure = {k: next(iter(v.values())) for k, v in seen.items() if len(v) == 1 and _UNREAD not in v}
    tried = dict(sure)
    if headed:
        tried.update((k, next(t for t in v.values() if t is not None)) for k, v in seen.items()
                     if k not in sure and set(v) == {0, None})
    tested = False
    for identity in _identities(version, table_key):
        held = _holds(identity, tried)
        if held is False:
            return None
        tested = tested or (held is True and any(tried[k].value for k in identity.eq.cells))
    if not tested and any(t.value for t in stream):  # no identity tests where its numbers stand
        return None
    cells, maybe_blank = dict(sure), set()
    for key, values in seen.items():
        if len(values) == 2 and None in values and _UNREAD not in values:  # this number, or a dropped blank
            cells[key] = next(tok for value, tok in values.items() if value is not None)
            maybe_blank.add(key)
    return cells, maybe_blank


def _print_order(version: str, table_key: str, stream: list[Token],
                 pins: dict[int, frozenset[str]]) -> tuple[dict, list[str]] | None:
    """The stream read in the official print order when it holds exactly one number (or dash) per cell:
    (cells, the cells of the identities it breaks) — None when it breaks more than ``MAX_BROKEN``, or puts
    a pinned number under another header (see ``_pins``)."""
    keys = [k for unit in _units(version, table_key, "rows") for k in unit.keys]
    if len(keys) != len(stream) or any(t.kind != "value" and not t.text for t in stream) \
            or not _pinned(tuple(keys), (), 0, pins):
        return None
    cells = dict(zip(keys, stream, strict=True))
    broken = [i.eq for i in _identities(version, table_key) if _holds(i, cells) is False]
    if len(broken) > MAX_BROKEN:
        return None
    return cells, list(dict.fromkeys(k for eq in broken for k in eq.cells))


MAX_JOINS = 3  # wrapped counts put back whole in one reading of a table
MAX_JOIN_CANDIDATES = 12  # pairs of numbers that may be one count wrapped; beyond, none is tried


def read(version: str, table_key: str, tokens: list[Token], index: LabelIndex) -> Streamed | None:
    """Read table ``table_key`` from ``tokens`` (its section's tokens, in reading order), or None.

    Where the numbers as printed give no reading, counts a narrow cell wrapped are tried whole: poppler
    prints a count too wide for its cell as its head and tail on lines of their own, one after the other
    (``12`` / ``5`` for 125). Each pair of numbers so printed (digits only, the head not 0) may be one
    count; the table is read again with each choice of up to ``MAX_JOINS`` of them joined. A choice is
    kept only where it reads and every count it joined is a sure cell of an identity that holds with all
    its cells read (the join confirmed); where several choices are kept, only the cells they all read
    alike are read, the others left unread (named ``parse.table_by_columns``). Once the copy's flows have
    more placements than their bounds allow (see ``_placement_graph``), the other choices are not placed:
    a join makes two flows of one number one, the placements stay as many."""
    plain = _read(version, table_key, tokens, index)
    if plain is not None or not _identities(version, table_key):
        return plain
    pairs = _join_candidates(tokens)
    if not pairs or len(pairs) > MAX_JOIN_CANDIDATES:
        return None
    place = not _placements_overran(version, table_key, tokens, index)
    kept: list[Streamed] = []
    for size in range(1, MAX_JOINS + 1):
        for chosen in combinations(pairs, size):
            if any(b == a2 for (_, b), (a2, _) in zip(chosen, chosen[1:], strict=False)):
                continue  # a number is the tail of one count and the head of another
            joined, moved = _joined_tokens(tokens, chosen)
            streamed = _read(version, table_key, joined, index, place)
            if streamed is None and place:  # its flows placed (see ``_read``): the graph cached
                place = not _placements_overran(version, table_key, joined, index)
            if streamed is not None and _joins_confirmed(version, table_key, streamed, moved):
                kept.append(streamed)
    if not kept:
        return None
    first = kept[0]
    cells = {k: tok for k, tok in first.cells.items()
             if all(k in other.cells and _value(other.cells[k]) == _value(tok) for other in kept[1:])}
    table = FORMATS[version].table(table_key)
    unsure = [k for k, *_ in table.cells() if k not in cells]
    # a cell any kept choice reads as possibly blank is named so (the first choice's findings, its cells
    # narrowed to those read, and that finding over every choice's)
    doubted = {k for s in kept for f in s.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    findings, named_doubt = [], False
    for f in first.findings:
        named = [k for k in (cells if f.rule == "parse.alignment_ambiguous" else f.cells)
                 if k in cells and (f.rule != "parse.alignment_ambiguous" or k in doubted)]
        named_doubt = named_doubt or f.rule == "parse.alignment_ambiguous"
        if named:
            findings.append(replace(f, cells=tuple(named)))
    if not named_doubt and (extra := [k for k in cells if k in doubted]):
        model = next(f for s in kept for f in s.findings if f.rule == "parse.alignment_ambiguous")
        findings.append(replace(model, cells=tuple(extra)))
    return Streamed(cells, unsure, findings)


def _join_candidates(tokens: list[Token]) -> list[tuple[int, int]]:
    """Positions (in ``tokens``) of two numbers that may be one count wrapped in its cell: each alone on its
    line of a text copy (no grid, no offsets), one right after the other, digits only, the head not 0."""
    def alone(j: int) -> bool:
        tok = tokens[j]
        return (tok.kind == "value" and not tok.grid and tok.x is None and tok.text.isdigit()
                and (j == 0 or tokens[j - 1].block != tok.block)
                and (j + 1 == len(tokens) or tokens[j + 1].block != tok.block))

    return [(j, j + 1) for j in range(len(tokens) - 1)
            if alone(j) and alone(j + 1) and not tokens[j].text.startswith("0")
            and not tokens[j + 1].page_break]


def _joined_tokens(tokens: list[Token], chosen: tuple[tuple[int, int], ...]) -> tuple[list[Token], list[Token]]:
    """The tokens with each chosen pair made one count (the head's place), and the counts so made."""
    heads = {a: b for a, b in chosen}
    tails = set(heads.values())
    out, moved = [], []
    for j, tok in enumerate(tokens):
        if j in tails:
            continue
        if j in heads:
            text = tok.text + tokens[heads[j]].text
            tok = replace(tok, text=text, value=int(text))
            moved.append(tok)
        out.append(tok)
    return out, moved


def _joins_confirmed(version: str, table_key: str, streamed: Streamed, moved: list[Token]) -> bool:
    """Whether every joined count is read as a sure cell (not possibly blank) of an identity that holds
    with all its cells read."""
    doubted = {k for f in streamed.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    at = {id(tok): k for k, tok in streamed.cells.items() if tok is not None}
    for tok in moved:
        key = at.get(id(tok))
        if key is None or key in doubted:
            return False
        if not any(key in i.eq.cells and all(c in streamed.cells for c in i.eq.cells) and _holds(i, streamed.cells) is True
                   for i in _identities(version, table_key)):
            return False
    return True


def _read(version: str, table_key: str, tokens: list[Token], index: LabelIndex,
          place: bool = True) -> Streamed | None:
    """``read`` of the tokens as printed; ``place``: the copy's flows placed on the grid as well where
    nothing else reads it (see ``_vertical_runs``)."""
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
    tokens, stream = _table_numbers(version, table_key, tokens, index)
    pins = _pins(tokens, index)
    # A number other than 0 stands under its header on every path; where the order leaves a 0's place open
    # (zeros in a traversal that is not the print's), the headers over the zeros decide as well.
    strong = {at: columns for at, columns in pins.items() if stream[at].value}
    readings = [r for r in (_traversal(version, table_key, by, stream, pins=strong) for by in ("rows", "columns")) if r]
    if not readings:
        ordered = _print_order(version, table_key, stream, strong)
        if ordered is not None:
            return _print_order_read(title, *ordered)
        readings = [r for r in (_traversal(version, table_key, by, stream, pins=pins, headed=True)
                                for by in ("rows", "columns") if pins) if r]
        if not readings and (placed := _one_row_placements(version, table_key, stream, _flows(tokens, index))):
            readings = [r for r in [_reading(version, table_key, placed, stream, True)] if r]
        readings = readings or _rearranged(version, table_key, tokens, stream, index, place)
        order = [c.key for b in table.blocks for c in b.columns]
        if not readings and (moved := _first_row_headed_first(tokens, index, order)) is not None:
            stream = [t for t in moved if t.kind in ("value", "blank")]
            readings = _rearranged(version, table_key, moved, stream, index, place)
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


def _table_numbers(version: str, table_key: str, tokens: list[Token],
                   index: LabelIndex) -> tuple[list[Token], list[Token]]:
    """The section's tokens without a neighbouring table's numbers (see ``_without_strays``), and their
    numbers and blanks in reading order (the stream the table is read from)."""
    tokens = _without_strays(version, table_key, tokens, index, len(FORMATS[version].table(table_key).cells()))
    return tokens, [t for t in tokens if t.kind in ("value", "blank")]


def _without_strays(version: str, table_key: str, tokens: list[Token], index: LabelIndex, cells: int) -> list[Token]:
    """The section's tokens without the numbers of a neighbouring table, where the section holds more
    numbers than its table has cells: those before the table's first printed label (poppler may print the
    last column of the section before's table after this section's heading: ``现行有效件数`` / ``0`` /
    ``978``), and those from the first label of another table the format declares after this table's
    last row label (the next section's table printed before its heading: ``行政复议`` … ``0 1 0``);
    the cut before the table only where it leaves at least as many numbers as the table holds with its
    blanks dropped (``MAX_BLANKS``), the cut after it only where it leaves no more than its cells."""
    def count(part: list[Token]) -> int:
        return sum(t.kind in ("value", "blank") for t in part)

    def fits(part: list[Token]) -> bool:
        return cells - MAX_BLANKS <= count(part) <= cells

    if count(tokens) <= cells:
        return tokens
    first = next((n for n, t in enumerate(tokens) if t.kind == "text" and index.match(t.norm, in_header=True)), None)
    if first is not None and count(tokens[:first]) and count(tokens[first:]) >= cells - MAX_BLANKS:
        tokens = tokens[first:]
        if fits(tokens):
            return tokens
    rows = [n for n, t in enumerate(tokens) if t.kind == "text"
            and (lab := index.match(t.norm, in_header=False)) is not None and lab.kind == "row"]
    others = [label_index(version, t.key) for t in FORMATS[version].tables if t.key != table_key]
    for n in range(rows[-1] + 1 if rows else len(tokens), len(tokens)):
        tok = tokens[n]
        if tok.kind == "text" and index.match(tok.norm, in_header=True) is None and any(
                (lab := other.match(tok.norm, in_header=True)) is not None and lab.exact for other in others):
            return tokens[:n] if fits(tokens[:n]) else tokens
    return tokens


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
                index: LabelIndex, place: bool) -> list[tuple[dict, set[str]]]:
    """Readings where the whole stream in print order reads by no traversal: its bands of rows printed a
    column at a time put back in row order, a row group printed as one row; else (``place``) its flows
    placed on the grid; else the first pages."""
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
    return [r for r in [(place and _vertical_runs(version, table_key, tokens, stream, index))
                        or _first_pages(version, table_key, tokens, stream, index)] if r]


MAX_PLACED_STATES = 4000  # states of the flow placement after one flow; beyond, it is not read
MAX_PLACED_EDGES = 100_000  # steps of the flow placement in all; beyond, it is not read


def _vertical_runs(version: str, table_key: str, tokens: list[Token], stream: list[Token],
                   index: LabelIndex) -> tuple[dict, set[str]] | None:
    """The reading of a table whose copy prints each column's numbers over a band of rows as one flow, the
    flows in passes (poppler at 2021's official widths: the left columns band after band, then the right
    ones, blank cells dropped; see ``_placement_graph``), where every placement agrees the identities hold."""
    shaped = _flow_shape(version, table_key, tokens, stream, index)
    graph = None if shaped is None else _placement_graph(*shaped)
    if graph is None or graph is OVERRUN:
        return None
    return _reading(version, table_key, _narrowed(*_with_tokens(graph, stream), _identities(version, table_key)) or {},
                    stream, False)


def _flow_shape(version: str, table_key: str, tokens: list[Token], stream: list[Token],
                index: LabelIndex) -> tuple | None:
    """The arguments of ``_placement_graph`` for the copy's flows (the print grid, each flow's position, size,
    the columns its header allows and whether headed, the count of numbers, the page cuts), or None where
    the copy is not one of vertical runs (numbers one to a flow are read by the traversals)."""
    grid = _print_grid(version, table_key)
    flows = _flows(tokens, index)
    if grid is None or len(grid) < 2 or 2 * sum(f.size for f in flows if f.size > 1) < len(stream):
        return None
    shape = tuple((flow.start, flow.size, flow.columns, flow.headed) for flow in flows)
    return grid, shape, len(stream), tuple(_page_cuts(tokens))


def _placements_overran(version: str, table_key: str, tokens: list[Token], index: LabelIndex) -> bool:
    """Whether the placements of the section's flows, its tokens taken as ``_read`` takes them, went over
    their bounds (``MAX_PLACED_STATES``, ``MAX_PLACED_EDGES``)."""
    shaped = _flow_shape(version, table_key, *_table_numbers(version, table_key, tokens, index), index)
    return shaped is not None and _placement_graph(*shaped) is OVERRUN


def _page_cuts(tokens: list[Token]) -> list[int]:
    """The stream positions where a new page starts."""
    cuts, count = [], 0
    for tok in tokens:
        if tok.page_break and count:
            cuts.append(count)
        count += tok.kind in ("value", "blank")
    return cuts


def _with_tokens(graph: tuple[list, object, object], stream: list[Token]) -> tuple[Edges, object, object]:
    """A placement graph (see ``_placement_graph``) with the stream's tokens in its cells."""
    steps, start, end = graph

    def cells(placed: tuple) -> Cells:
        return tuple((key, None if at is None else stream[at]) for key, at in placed)

    return [{p: [(q, cells(placed)) for q, placed in out] for p, out in step.items()} for step in steps], start, end


OVERRUN = "overrun"  # a placement graph over its bounds


@lru_cache(maxsize=2)  # the graphs of the last reading (its tokens as printed, and with first rows moved)
def _placement_graph(grid: tuple[tuple[str, ...], ...], shape: tuple[tuple[int, int, frozenset[str], bool], ...],
                     count: int, cuts: tuple[int, ...]) -> tuple[list, object, object] | str | None:
    """The graph of the placements of flows (their stream position, size, columns their header allows and
    whether headed) of ``count`` numbers on the print grid (edges, start state, end state; a step's cells
    hold stream positions, None for a blank): each flow is one
    column's numbers over consecutive rows (top to bottom, blanks dropped only as whole cells passed over)
    under the header its flow prints, from the page's first row; a flow under a header over several
    columns holds their first rows, row after row; the next flow goes right in its band (at least as many
    rows), down to the next band, or back to the top (a new pass), passing over one column's cells left
    blank; no column runs ahead of the one on its left but over blank cells (or under such a header); at a
    page break every column has reached the same row. A state: (each column's next row, the last flow's
    column, first row and height, the page's first row). ``OVERRUN`` when there are more than
    ``MAX_PLACED_STATES`` states after a flow or ``MAX_PLACED_EDGES`` steps in all; None with too many
    blanks. Cached for ``_placements_overran`` right after the reading that built it."""
    rows, width = len(grid), len(grid[0])
    budget = rows * width - count
    if not 0 <= budget <= MAX_BLANKS:
        return None
    columns = [k.rsplit(".", 1)[1] for k in grid[0]]
    runs = []  # (first number, count, the columns its header allows, a page starts before it, headed)
    for start_at, size, allowed, headed in shape:
        bounds = [start_at, *(c for c in cuts if start_at < c < start_at + size), start_at + size]
        runs += [(a, b - a, allowed if a == start_at else frozenset(), a in cuts, a == start_at and headed)
                 for a, b in zip(bounds, bounds[1:], strict=False)]
    ends = [*cuts, count]

    def blanks(before: tuple[int, ...], after: list[int], skip: int) -> list:
        """The blank cells of the columns moved from ``before`` to ``after`` rows (column ``skip`` not)."""
        return [(grid[r][c], None) for c in range(width) if c != skip for r in range(before[c], after[c])]

    start: object = ((0,) * width, -1, -1, 0, 0)
    states, edges, done, steps = {start}, [], 0, 0
    for first, size, allowed, page, headed in runs:
        if page:  # every column brought to the row the furthest reached, over blank cells
            level = {}
            for state in states:
                progress, top = state[0], max(state[0])
                if width * top - done <= budget:
                    level[state] = [(((top,) * width, -1, -1, 0, top), tuple(blanks(progress, [top] * width, -1)))]
            edges.append(level)
            states = {q for out in level.values() for q, _ in out}
        left = next(e for e in ends if e > first) - done - size  # numbers after this flow on its page
        out: dict[object, list] = {}
        reached: set = set()
        for state in states:
            progress, column, row, height, page_top = state
            if headed and len(allowed) != 1:  # under a header over several columns: their first rows, row by row
                # (one row too: a page holding one row prints its cells under that header as one flow)
                for col, wide in ((c, w) for c in range(width) for w in range(2, width - c + 1)):
                    tall, top = size // wide, progress[col]
                    if (not tall or tall * wide != size or top + tall > rows or top != page_top
                            or any(progress[c] != top for c in range(col, col + wide))):
                        continue
                    moved = list(progress)
                    moved[col : col + wide] = [top + tall] * wide
                    if _within(moved, done + size, left, budget):
                        nxt = (tuple(moved), col + wide - 1, top, tall, page_top)
                        reached.add(nxt)
                        out.setdefault(state, []).append((nxt, tuple(
                            (grid[top + n // wide][col + n % wide], first + n) for n in range(size))))
            corners = [c for c in range(width) if progress[c] < rows and (c == 0 or progress[c] < progress[c - 1])]
            targets = set()
            if 0 <= column < width - 1 and progress[column + 1] <= row:
                targets.add((column + 1, row))  # right, in the same band
            below = [progress[c] for c in corners if progress[c] > row]
            for top in ([min(below)] if below else []) + ([min(progress[c] for c in corners)] if corners else []):
                targets.add((next(c for c in corners if progress[c] == top), top))  # down; a new pass
            for col, top in targets:
                right = (col, top) == (column + 1, row)  # the band's next flow: at least as many rows
                for passed in (0, 1):
                    at, end = col + passed, top + size
                    if (at >= width or end > rows or progress[at] > top or (allowed and columns[at] not in allowed)
                            or (right and end - top < height) or (headed and top != page_top)):
                        continue
                    moved = list(progress)
                    for c in range(col, at):
                        moved[c] = max(moved[c], end if passed and c == col else top)
                    for c in range(at - 1, -1, -1):  # the cells on the left passed over: blank
                        if moved[c] >= end:
                            break
                        moved[c] = end
                    moved[at] = end
                    if not _within(moved, done + size, left, budget):
                        continue
                    nxt = (tuple(moved), at, top, size, page_top)
                    reached.add(nxt)
                    cells = blanks(progress, moved, at)
                    cells += [(grid[r][at], None) for r in range(progress[at], top)]
                    cells += [(grid[top + n][at], first + n) for n in range(size)]
                    out.setdefault(state, []).append((nxt, tuple(cells)))
            steps += len(out.get(state, ()))
            if len(reached) > MAX_PLACED_STATES or steps > MAX_PLACED_EDGES:
                return OVERRUN
        edges.append(out)
        states, done = reached, done + size
    end_state: object = ((rows,) * width, -1, -1, 0, 0)
    edges.append({state: [(end_state, tuple(blanks(state[0], [rows] * width, -1)))] for state in states})
    return edges, start, end_state


def _within(progress: list[int], placed: int, left: int, budget: int) -> bool:
    """Whether a placement whose columns have reached ``progress`` rows, ``placed`` numbers placed and ``left``
    more to come on the page, keeps the blank cells within ``budget`` once every column reaches one row."""
    used = sum(progress) - placed
    return used <= budget and len(progress) * max(progress) - sum(progress) - left <= budget - used


def _first_pages(version: str, table_key: str, tokens: list[Token], stream: list[Token],
                 index: LabelIndex) -> tuple[dict, set[str]] | None:
    """The reading of a table's first pages where no traversal holds over the whole stream (a later page
    printed in an order of its own): the numbers up to the last page break they read at, as the first
    rows of the print order (its bands of rows printed a column at a time put back in row order, see
    ``_bands``), the rows after them left unread."""
    cuts, count = {}, 0
    for n, tok in enumerate(tokens):
        if tok.page_break:
            cuts[count] = n
        count += tok.kind in ("value", "blank")
    blocks = FORMATS[version].table(table_key).blocks
    columns = len(blocks[0].columns) if len({len(b.columns) for b in blocks}) == 1 else None
    for cut in sorted((c for c in cuts if 0 < c < len(stream)), reverse=True):
        banded = _bands(tokens[: cuts[cut]], columns) if columns else None
        for numbers in [s for s in (banded, stream[:cut]) if s is not None]:
            reading = _traversal(version, table_key, "rows", numbers, tail=len(stream) - cut)
            if reading is not None:
                return _with_later_pages(version, table_key, reading, tokens[cuts[cut] :], stream, index) or reading
    return None


def _with_later_pages(version: str, table_key: str, first: tuple[dict, set[str]], tokens: list[Token],
                      stream: list[Token], index: LabelIndex) -> tuple[dict, set[str]] | None:
    """The first pages' reading (``first``) with the rows after them read from the later pages' ``tokens``
    where those print in *two passes*: the rows' left columns row after row, then their right columns
    (poppler at a wide gap between columns: the left block first, each row a flow its label leads), each
    band of rows of the right block a column at a time (see ``_bands``). The second pass starts with the
    second run of numbers after the last row label printed; every split of the columns into the two blocks
    is tried, and the cells all splits whose placement keeps the identities (across both pages) agree on
    are read. None when no split is left."""
    cells, maybe = first
    units = _units(version, table_key, "rows")
    done = max((n + 1 for n, u in enumerate(units) if any(k in cells for k in u.keys)), default=0)
    rest = units[done:]
    if not rest or len({len(u.keys) for u in rest}) != 1:
        return None
    later = [t for t in tokens if t.kind in ("value", "blank")]
    sure = {k: tok for k, tok in cells.items() if k not in maybe}  # a cell that may be blank tests nothing
    width, height = len(rest[0].keys), len(rest)
    identities = _identities(version, table_key)
    # the second pass starts with the first run of numbers after the one the last row label leads
    labelled = [n for n, t in enumerate(tokens) if t.kind == "text"
                and (lab := index.match(t.norm, in_header=False)) is not None and lab.kind == "row"]
    starts, count, previous = [], 0, None  # (numbers before, token index) where a run of numbers starts
    for n, tok in enumerate(tokens):
        if tok.kind in ("value", "blank"):
            if previous not in ("value", "blank"):
                starts.append((count, n))
            count += 1
        previous = tok.kind
    if not labelled:
        return None
    starts = [s for s in starts if s[1] > labelled[-1]][1:2]
    readings = []
    for split, at in starts:
        for left in range(1, width):
            right = width - left
            if not (0 <= height * left - split <= MAX_BLANKS and 0 <= height * right - (len(later) - split) <= MAX_BLANKS):
                continue
            parts = tuple(_Unit(keys, tuple(i for i in identities if set(i.eq.cells) <= set(keys)))
                          for keys in [u.keys[:left] for u in rest] + [u.keys[left:] for u in rest])
            # the second pass prints bands; a run as long as the block is wide is one too (or its rows side by side)
            seconds = [_bands(tokens[at:], right, square=True), _bands(tokens[at:], right), later[split:]]
            for second in [b for n, b in enumerate(seconds) if b is not None and b not in seconds[:n]]:
                numbers = later[:split] + second
                edges = _graph(parts, numbers)
                if edges is None:
                    continue
                enumerated = _enumerated(edges, len(numbers), sure, identities)
                seen = _narrowed(edges, 0, len(numbers), identities) if enumerated is None else enumerated or None
                if seen is None:
                    continue
                for key, tok in cells.items():
                    seen[key] = {_value(tok): tok, None: None} if key in maybe else {_value(tok): tok}
                reading = _reading(version, table_key, seen, stream, False)
                if reading is not None:
                    readings.append(reading)
    if not readings:
        return None
    agreed = {k: tok for k, tok in readings[0][0].items()
              if all(k in other and _value(other[k]) == _value(tok) for other, _ in readings[1:])}
    return agreed, {k for _, m in readings for k in m if k in agreed}


MAX_PATHS = 2000  # complete paths enumerated to test each against every identity


def _enumerated(edges: Edges, end: int, fixed: dict, identities: tuple[_Identity, ...]) -> dict[str, dict] | None:
    """Every value each cell takes on the complete paths (position 0 to ``end``) whose cells, with the cells
    already read (``fixed``), break no identity (empty when none does); None when there are more than
    ``MAX_PATHS``."""
    paths: list[tuple] = []

    def walk(step: int, at: int, cells: tuple) -> bool:
        if step == len(edges):
            if at == end:
                paths.append(cells)
            return len(paths) <= MAX_PATHS
        return all(walk(step + 1, q, cells + pairs) for q, pairs in edges[step].get(at, []))

    if not walk(0, 0, ()):
        return None
    seen: dict[str, dict] = {}
    for cells in paths:
        trial = {**fixed, **dict(cells)}
        if any(_holds(i, trial) is False for i in identities):
            continue
        for key, tok in cells:
            seen.setdefault(key, {}).setdefault(_value(tok), tok)
    return seen


def _value(tok: Token | None):
    return None if tok is None else _UNREAD if tok is _UNREAD else tok.value


def _first_row_headed_first(tokens: list[Token], index: LabelIndex, order: list[str]) -> list[Token] | None:
    """The tokens with each page's first-row cells printed under their headers put first: poppler stacks a
    page's column headers with the first row's cells under them (``商业企业`` / ``74,666``; ``科研 社会公
    法律服`` / ``0 9,081 1,009``), and may print those flows after the page's other rows (a tall first row:
    counts wrapped in their cells). A flow whose header names its columns and which holds one number for
    each is moved, header and numbers, before the page's first number, the flows in the columns' declared
    order; None when no flow moves."""
    pages: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.page_break and pages[-1]:
            pages.append([])
        pages[-1].append(tok)
    out: list[Token] = []
    moved_any = False
    for page in pages:
        spans = []  # (start, end, columns) of a flow whose header names its columns: header text and numbers
        head_at, run_at, cols = None, None, frozenset()
        for k, tok in enumerate([*page, None]):
            if tok is not None and tok.kind in ("value", "blank"):
                if run_at is None:
                    run_at = k
                    cols = _header_columns(page[head_at:k], index) if head_at is not None else frozenset()
                continue
            if run_at is not None:
                if cols and k - run_at == len(cols):
                    spans.append((head_at, k, cols))
                run_at, head_at = None, None
            is_text = tok is not None and tok.kind == "text"
            head_at = (k if head_at is None else head_at) if is_text else None
        first = next((k for k, t in enumerate(page) if t.kind in ("value", "blank")), None)
        ranked = sorted(spans, key=lambda sp: min(order.index(c) if c in order else len(order) for c in sp[2]))
        if first is None or not any(sp[0] > first for sp in spans):
            out += page
            continue
        moved_any = True
        taken = {k for a, b, _ in spans for k in range(a, b)}
        block = [t for a, b, _ in ranked for t in page[a:b]]
        rest = [t for k, t in enumerate(page) if k not in taken]
        at = next((k for k, t in enumerate(rest) if t.kind in ("value", "blank")), len(rest))
        out += rest[:at] + block + rest[at:]
    return out if moved_any else None


__all__ = ["Streamed", "read"]
