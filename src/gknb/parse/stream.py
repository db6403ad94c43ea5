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
  own identity breaks (a row's total) is no path. The cells every complete path agrees on are the
  traversal's reading; it is taken when the identities whose cells it reads all hold and test at least
  one number. Where both traversals hold, only the cells they agree on are read.
- When no traversal holds but the stream has exactly as many numbers as the table has cells, the
  print order is read, and the identities it breaks are named (a report's own slip, at most
  ``MAX_BROKEN`` of them; more say the order is not the print order, and nothing is read).
- A table no identity checks (section 二) is read only by the labels printed before each run of
  numbers: a column label (or several in a row) before a run gives the run to those columns, a
  row label to that row, a caption picks the sub-table; every cell must be filled exactly once.

Every cell read here is named by ``parse.reading_order``; cells the paths disagree on are left unread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

from ..catalogue import finding
from ..formats import FORMATS, Equation
from ..report import Finding
from .labels import Label, LabelIndex
from .tokens import Token

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
class _Unit:
    """Cells printed one after another in a traversal (a row, or a column), and the identities among them."""

    keys: tuple[str, ...]
    checks: tuple[Equation, ...]


@cache
def _equations(version: str, table_key: str) -> tuple[Equation, ...]:
    return tuple(eq for eq in FORMATS[version].identities() if eq.rule.table == table_key)


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
    equations = _equations(version, table_key)
    return tuple(_Unit(g, tuple(eq for eq in equations if set(eq.cells) <= set(g))) for g in groups)


def _holds(eq: Equation, cells: dict[str, Token | None]) -> bool | None:
    """Whether an identity holds; None when one of its cells is blank or not read."""
    sides = []
    for keys in (eq.lhs, eq.rhs):
        total = 0
        for key in keys:
            tok = cells.get(key)
            if tok is None:
                return None
            total += tok.value
        sides.append(total)
    return sides[0] == sides[1]


def _paths(units: tuple[_Unit, ...], stream: list[Token]) -> dict[str, dict] | None:
    """Every value each cell takes on some complete path (key → {value: token or None}), or None when
    no path places the whole stream (or the graph grows past ``MAX_EDGES``)."""
    total = sum(len(u.keys) for u in units)
    blanks = total - len(stream)
    if blanks < 0 or blanks > MAX_BLANKS:
        return None
    starts = [0]
    for unit in units:
        starts.append(starts[-1] + len(unit.keys))
    edges: list[dict[int, list[tuple[int, tuple[Token | None, ...]]]]] = []
    reach, steps = {0}, 0
    for u, unit in enumerate(units):
        size, out, nxt = len(unit.keys), {}, set()
        for p in sorted(reach):
            used = starts[u] - p
            for drops in range(min(MAX_UNIT_DROPS, blanks - used, size) + 1):
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
        reach = nxt
    alive = {len(stream)} if len(stream) in reach else set()
    if not alive:
        return None
    seen: dict[str, dict] = {}
    for u in range(len(units) - 1, -1, -1):
        before = set()
        for p, steps_out in edges[u].items():
            for q, cells in steps_out:
                if q not in alive:
                    continue
                before.add(p)
                for key, tok in zip(units[u].keys, cells, strict=True):
                    seen.setdefault(key, {}).setdefault(None if tok is None else tok.value, tok)
        alive = before
    return seen


def _traversal(version: str, table_key: str, by: str, stream: list[Token]) -> tuple[dict, set[str]] | None:
    """One traversal's reading, when the identities whose cells all its paths agree on hold and at least one
    of them tests a number other than 0 (or the stream holds no other number): (key → token, or None for
    a blank, for every cell whose paths agree on its number; the keys of those some path leaves blank)."""
    seen = _paths(_units(version, table_key, by), stream)
    if seen is None:
        return None
    sure = {k: next(iter(v.values())) for k, v in seen.items() if len(v) == 1}
    tested = False
    for eq in _equations(version, table_key):
        held = _holds(eq, sure)
        if held is False:
            return None
        tested = tested or (held is True and any(sure[k].value for k in eq.cells))
    if not tested and any(t.value for t in stream):  # no identity tests where its numbers stand
        return None
    cells, maybe_blank = dict(sure), set()
    for key, values in seen.items():
        if len(values) == 2 and None in values:  # this number, or a blank the copy dropped here
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
    broken = [eq for eq in _equations(version, table_key) if _holds(eq, cells) is False]
    if len(broken) > MAX_BROKEN:
        return None
    return cells, list(dict.fromkeys(k for eq in broken for k in eq.cells))


def _by_labels(version: str, table_key: str, tokens: list[Token], index: LabelIndex) -> dict[str, Token | None] | None:
    """A table read by the labels before each run of numbers (see the module's docstring), or None
    when a run does not fit its labels or a cell is left over."""
    table = FORMATS[version].table(table_key)
    blocks = table.blocks
    filled: dict[str, Token | None] = {}
    heads: list[Label] = []
    state = {"caption": None, "block": 0}

    def open_rows(b: int, column: str) -> list[str]:
        return [f"{table.key}.{r.key}.{column}" for r in blocks[b].rows if f"{table.key}.{r.key}.{column}" not in filled]

    def place(run: list[Token]) -> bool:
        named = [lab for lab in heads if lab.kind in ("row", "column")]
        if not named:  # no label recognised: the next row of the sub-table in hand
            block = blocks[state["block"]]
            for row in block.rows:
                keys = [f"{table.key}.{row.key}.{c.key}" for c in block.columns if f"{table.key}.{row.key}.{c.key}" not in filled]
                if keys:
                    return _fill(filled, keys, run)
            return False
        kind, trail = named[-1].kind, []
        for lab in reversed(named):
            if lab.kind != kind:
                break
            trail.insert(0, lab.key)
        if kind == "row":
            b = next(n for n, blk in enumerate(blocks) if any(r.key == trail[0] for r in blk.rows))
            state["block"] = b
            keys = [f"{table.key}.{row}.{c.key}" for row in trail for c in table.block_of(row).columns]
            return _fill(filled, [k for k in keys if k not in filled], run)
        if len(run) % len(trail):
            return False
        per, keys = len(run) // len(trail), []
        whole = [b for b, blk in enumerate(blocks) if [c.key for c in blk.columns] == trail
                 and len(open_rows(b, trail[0])) >= per]
        if whole:  # the sub-table's header row, then its rows one after another
            b = state["caption"] if state["caption"] in whole else whole[0]
            state["block"] = b
            rows = [k.rsplit(".", 1)[0] for k in open_rows(b, trail[0])[:per]]
            return _fill(filled, [f"{row}.{column}" for row in rows for column in trail], run)
        for column in trail:  # some columns' labels, each before its numbers: a column at a time
            fits = [b for b, blk in enumerate(blocks)
                    if any(c.key == column for c in blk.columns) and len(open_rows(b, column)) >= per]
            if not fits:
                return False
            b = state["caption"] if state["caption"] in fits else fits[0]
            state["block"] = b
            keys += open_rows(b, column)[:per]
        return _fill(filled, keys, run)

    run: list[Token] = []
    for tok in tokens:
        if tok.kind in ("value", "blank"):
            run.append(tok)
            continue
        if tok.kind != "text":
            continue
        if run:
            if not place(run):
                return None
            run, heads = [], []
        label = index.match(tok.norm, in_header=True)
        if label is None:
            continue
        if label.kind == "caption":
            state["caption"] = state["block"] = int(label.key)
        heads.append(label)
    if run and not place(run):
        return None
    return filled if len(filled) == len(table.cells()) else None


def _fill(filled: dict[str, Token | None], keys: list[str], run: list[Token]) -> bool:
    if len(keys) != len(run):
        return False
    for key, tok in zip(keys, run, strict=True):
        filled[key] = None if tok.kind == "blank" else tok
    return True


def read(version: str, table_key: str, tokens: list[Token], index: LabelIndex) -> Streamed | None:
    """Read table ``table_key`` from ``tokens`` (its section's tokens, in reading order), or None."""
    table = FORMATS[version].table(table_key)
    title = table.title
    if not _equations(version, table_key):
        cells = _by_labels(version, table_key, tokens, index)
        if cells is None:
            return None
        return Streamed(cells, [], [finding(
            "parse.reading_order", list(cells),
            f"表格「{title}」的数字与行标签分开印出（PDF 的阅读顺序文本副本），已按每段数字前的行、列标签还原；"
            "该表没有勾稽关系可供检验，请核对",
            f"table '{title}' prints its numbers apart from their row labels (a PDF's reading-order text); its cells "
            "were read by the row and column labels before each run of numbers, which no identity can test: check them",
        )])
    stream = [t for t in tokens if t.kind in ("value", "blank")]
    readings = [r for r in (_traversal(version, table_key, by, stream) for by in ("rows", "columns")) if r]
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
    ordered = _print_order(version, table_key, stream)
    if ordered is None:
        return None
    cells, broken = ordered
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


def _value(tok: Token | None):
    return None if tok is None else tok.value


__all__ = ["Streamed", "read"]
