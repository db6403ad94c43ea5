"""Tables a text copy prints column by column (pdf2txt.py, some pdftotext output): decoded where the
format's rows and columns, the runs of numbers and the identities leave exactly one reading.

A PDF's text extracted cell by cell prints a table's row labels first, then its numbers a column at a
time (a page's part of the table at a time); a blank cell is simply not printed. The numbers fall into
*runs* (lines with no empty line between them: rows of equal height), and every column of a page's
part repeats the same runs, so a column one number short shows in which run its blank cell stands.

``decode`` tries every reading this model allows: the table's rows cut into the page parts its number
groups show (numbers between two row labels), each part's columns in the declared order (or with a
column moved where its own header label stands right before a run), each column short by the cells
its runs lack. Readings that break an identity are dropped; of the rest, the cells all readings agree on
are read, the others named. No reading left (or too many to try): nothing is decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

from ..formats import FORMATS, Format, Table
from .labels import LabelIndex
from .tokens import Token

MAX_READINGS = 20000  # readings of one table tried; beyond, the table is left unread
MAX_BLANKS = 12  # cells a copy may drop from one table


@dataclass
class Decoded:
    """A table read column by column: key → token (None: blank), and the keys readings disagree on."""

    cells: dict[str, Token | None]
    unsure: list[str]


@dataclass
class _Group:
    """The numbers printed between two row labels, as runs (numbers with no empty line between them)."""

    runs: list[list[Token]]

    @property
    def count(self) -> int:
        return sum(len(r) for r in self.runs)


def _groups(tokens: list[Token], index: LabelIndex) -> list[_Group]:
    """The section's numbers cut into groups at row labels (header labels between runs do not cut)."""
    groups: list[_Group] = []
    runs: list[list[Token]] = []
    run: list[Token] = []
    for tok in tokens:
        if tok.kind == "value":
            run.append(tok)
            continue
        if run:
            runs.append(run)
            run = []
        if tok.kind != "text":
            continue
        header = index.match(tok.norm, in_header=True)
        if header is not None and header.kind in ("column", "header"):
            continue
        row = index.match(tok.norm, in_header=False)
        if row is not None and row.kind == "row" and runs:
            groups.append(_Group(runs))
            runs = []
    if run:
        runs.append(run)
    if runs:
        groups.append(_Group(runs))
    return groups


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


def _blank_rows(piece: list[list[Token]], template: list[int] | None, height: int, blanks: int) -> list[tuple[int, ...]]:
    """Positions (0-based within the part) of a column's blank cells that its runs allow."""
    if blanks == 0:
        return [()]
    if template is None:
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

    walk(0, 0, blanks, ())
    out = []
    for deficits in found:
        choices = [combinations(range(s, s + t), d) for s, t, d in zip(starts, template, deficits, strict=True)]
        out.extend(tuple(p for part in combo for p in part) for combo in product(*choices))
    return out


def _part_readings(table: Table, group: _Group, part: list[tuple[int, str]], moves: bool) -> list[dict[str, Token | None]]:
    """Every reading of one group's numbers as the cells of ``part`` (rows of one or more blocks), column
    by column within each block: in the declared column order, and (``moves``: a later page's part of a
    block, which the identities tie to its first part) with one column moved elsewhere."""
    blocks: list[tuple[int, list[str]]] = []
    for b, row in part:
        if blocks and blocks[-1][0] == b:
            blocks[-1][1].append(row)
        else:
            blocks.append((b, [row]))
    slots = [(rows, c.key) for b, rows in blocks for c in table.blocks[b].columns]
    heights = [len(rows) for rows, _ in slots]
    blanks = sum(heights) - group.count
    out: list[dict[str, Token | None]] = []
    for spread in _spreads(blanks, heights):
        pieces = _pieces(group.runs, [h - d for h, d in zip(heights, spread, strict=True)])
        if pieces is None:
            continue
        # Columns of one height printed in full repeat the same runs; if they do not, this spread is wrong.
        templates = {h: [len(r) for r in p] for p, h, d in zip(pieces, heights, spread, strict=True) if d == 0}
        if any([len(r) for r in p] != templates.get(h, [len(r) for r in p])
               for p, h, d in zip(pieces, heights, spread, strict=True) if d == 0):
            continue
        options = []
        for piece, h, d in zip(pieces, heights, spread, strict=True):
            options.append(_blank_rows(piece, templates.get(h), h, d))
            if not options[-1]:
                break
        else:
            orders = [[key for _, key in slots]]
            if moves and len(blocks) == 1:
                orders += _single_moves(orders[0])
            for columns in orders:
                for choice in product(*options):
                    reading: dict[str, Token | None] = {}
                    for (rows, _), column, piece, holes in zip(slots, columns, pieces, choice, strict=True):
                        values = iter(t for r in piece for t in r)
                        for j, row in enumerate(rows):
                            reading[f"{table.key}.{row}.{column}"] = None if j in holes else next(values)
                    out.append(reading)
                    if len(out) > MAX_READINGS:
                        return out
    return out


def _single_moves(order: list[str]) -> list[list[str]]:
    """The orders with one column taken out and put back at another place (pdf2txt may print a
    column after the others)."""
    out = []
    for i in range(len(order)):
        rest = order[:i] + order[i + 1 :]
        for j in range(len(order)):
            moved = rest[:j] + [order[i]] + rest[j:]
            if moved != order and moved not in out:
                out.append(moved)
    return out


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


def _holds(fmt: Format, table: Table, cells: dict[str, Token | None]) -> bool:
    """Every identity of the table whose cells are all printed holds."""
    for eq in fmt.identities():
        if eq.rule.table != table.key:
            continue
        values = [cells.get(k) for k in eq.cells]
        if any(v is None for v in values):
            continue
        if sum(cells[k].value for k in eq.lhs) != sum(cells[k].value for k in eq.rhs):  # type: ignore[union-attr]
            return False
    return True


def decode(version: str, table_key: str, tokens: list[Token], index: LabelIndex) -> Decoded | None:
    """Read table ``table_key`` from ``tokens`` (its section's tokens) printed column by column, or None."""
    fmt = FORMATS[version]
    table = fmt.table(table_key)
    rows = _rows(table)
    groups = _groups(tokens, index)
    whole = sum(len(table.blocks[b].columns) for b, _ in rows)
    total = sum(g.count for g in groups)
    if not groups or total > whole or whole - total > MAX_BLANKS:
        return None
    readings: list[dict[str, Token | None]] = []
    for split in _splits([g.count for g in groups], rows, table, whole - total):
        per_group, seen = [], set()
        for g, (lo, hi) in zip(groups, split, strict=True):
            block = rows[lo][0]
            options = _part_readings(table, g, rows[lo:hi], moves=block in seen)
            if len(options) > MAX_READINGS:
                return None
            # The identities within the part (a row's total) first: the parts' readings then combine.
            per_group.append([r for r in options if _holds(fmt, table, r)])
            seen.update(b for b, _ in rows[lo:hi])
        size = 1
        for options in per_group:
            size *= len(options)
        if size == 0:
            continue
        if size + len(readings) > MAX_READINGS:
            return None
        for combo in product(*per_group):
            reading = {k: v for part in combo for k, v in part.items()}
            if _holds(fmt, table, reading):
                readings.append(reading)
    if not readings:
        return None
    first = readings[0]
    unsure = [k for k in first if any(_differs(first[k], r[k]) for r in readings[1:])]
    return Decoded({k: v for k, v in first.items() if k not in unsure}, unsure)


def _differs(a: Token | None, b: Token | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return a.value != b.value


__all__ = ["Decoded", "decode"]
