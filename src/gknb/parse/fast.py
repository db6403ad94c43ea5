"""Shortcuts of the table reading for the common clean layouts, each exact: taken only where it
provably gives what the full path gives, else the full path runs.

* ``rows_keep_their_labels``: the whole-table alignment (align.py) re-reads a table only when one of
  its physical rows (grid row, text line) prints two or more cells without a row label of its own
  before them (``tables._needs_alignment``). A table where every such row prints its label first —
  every layout a report or a clean copy prints, one cell per line or a whole row per line — is read
  label by label without cutting it into number rows first: one pass over its tokens, no lists.
* ``printed_in_full``: a row that prints exactly its cells (a number or a blank mark for each) and no
  whitespace-only line that could stand for a further empty cell — or stands in a grid, or on one
  space-aligned line — is read as printed whatever its layout: every reading of ``n`` cells that
  ``tables._interpretations`` offers is then those tokens, and ``tables.fit`` takes it as exact — so
  the readings need not be built.
"""

from __future__ import annotations

from .labels import Label
from .tokens import Token


def rows_keep_their_labels(tokens: list[Token], span: list[int], labels_at: dict[int, Label]) -> bool:
    """Every number row (align.number_rows: a physical row among the table's tokens ``span`` that holds
    a value, or a row label and a blank) of two or more value or blank cells prints a row label
    before its first number (before its first blank, if it has no number)."""
    last = None
    last_block, last_where = -1, None  # the previous token's block and provenance: same objects, same row
    cells = 0
    has_value = labelled = label_before_value = label_before_blank = False
    for i in span:
        tok = tokens[i]
        kind = tok.kind
        if kind == "gap":
            continue
        where = tok.where
        if where is not last_where or tok.block != last_block:  # else the same object: the same row
            row = (tok.block, where.page, where.line, where.row, where.table)  # align.physical_row, inlined
            last_block, last_where = tok.block, where
            if row != last:
                if cells >= 2 and not _own_label(has_value, labelled, label_before_value, label_before_blank):
                    return False
                last, cells = row, 0
                has_value = labelled = label_before_value = label_before_blank = False
        if kind == "value":
            cells += 1
            has_value = True
        elif kind == "blank":
            cells += 1
        elif (label := labels_at.get(i)) is not None and label.kind == "row":
            labelled = True
            if not has_value:
                label_before_value = True
                if not cells:
                    label_before_blank = True
    return not (cells >= 2 and not _own_label(has_value, labelled, label_before_value, label_before_blank))


def _own_label(has_value: bool, labelled: bool, before_value: bool, before_blank: bool) -> bool:
    """A row of cells is no number row (blanks, no row label) or prints its own label before them."""
    if has_value:
        return before_value
    return not labelled or before_blank


_CELL_KINDS = frozenset(("value", "blank"))


def printed_in_full(tokens: list[Token], n: int) -> tuple[Token, ...] | None:
    """The row's ``n`` cells when it prints exactly ``n`` values or blanks and nothing can stand for a
    further empty cell, else None (the full fitting decides). Every reading ``tables._interpretations``
    offers of such a row that has ``n`` cells is its values and blanks, so ``tables.fit`` takes them as
    ``exact``: a row in a grid or with its cells on one space-aligned line has that one reading; a row
    of running text without whitespace-only lines reads its empty lines as empty cells only beyond the
    layout's usual counts, a reading that is then longer than ``n`` or equal to the cells themselves."""
    if not n:
        return None
    cells = []
    spaced = gridded = False  # a whitespace-only line among the tokens; a grid token
    for tok in tokens:
        kind = tok.kind
        if kind == "gap":
            spaced = spaced or tok.whitespace
        elif kind in _CELL_KINDS:
            cells.append(tok)
        if tok.grid:
            gridded = True
    if len(cells) != n:
        return None
    if gridded or not spaced:
        return tuple(cells)
    first = cells[0]
    line = (first.block, first.where.line, first.where.page)
    if all(t.x is not None and (t.block, t.where.line, t.where.page) == line for t in cells):
        return tuple(cells)
    return None
