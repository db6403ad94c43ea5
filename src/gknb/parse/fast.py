"""Shortcuts of the table reading for the common clean layouts, each exact: taken only where it
provably gives what the full path gives, else the full path runs.

* ``cells_one_per_row``: a table none of whose physical rows (grid row, text line) prints two cells
  (one-cell-per-line copies: ``lines``, ``paragraphs``, ``pipe_cells``) cannot need the whole-table
  alignment (align.py), which re-reads only rows of two or more numbers printed without their label;
  the test stops at the first row of two cells, so the other layouts pay almost nothing for it.
"""

from __future__ import annotations

from .tokens import Token


def cells_one_per_row(tokens: list[Token], span: list[int]) -> bool:
    """No physical row among the table's tokens ``span`` holds two value or blank cells."""
    last = None
    cells = 0
    for i in span:
        tok = tokens[i]
        kind = tok.kind
        if kind == "gap":
            continue
        where = tok.where
        row = (tok.block, where.page, where.line, where.row, where.table)  # align.physical_row, inlined
        if row != last:
            last, cells = row, 0
        if kind == "value" or kind == "blank":
            cells += 1
            if cells >= 2:
                return False
    return True
