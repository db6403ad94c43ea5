"""The official grid of a table, built from the format declaration (``Block.layout``).

Every renderer (HTML, Markdown, DOCX, the Excel workbook) draws the same ``Grid``: cells at their
top-left grid position with their row/column spans, each marked with its role. Value cells carry
their cell key and printed text (blank → ``""``, never 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..formats import Block, Format, HeaderCell, Layout, Table

Role = Literal["caption", "header", "group", "label", "value"]
Value = int | Decimal | None


@dataclass(frozen=True)
class GridCell:
    """One printed cell: text, role, top-left position and spans; ``key`` for value cells."""

    text: str
    role: Role
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None


@dataclass(frozen=True)
class Grid:
    """A table as printed: ``width`` × ``height`` positions, ``header_rows`` before the first data row
    of its first block, and its cells in reading order."""

    table: Table
    width: int
    height: int
    header_rows: int
    cells: tuple[GridCell, ...]

    def rows(self) -> list[list[GridCell]]:
        """The cells starting on each grid row, left to right."""
        out: list[list[GridCell]] = [[] for _ in range(self.height)]
        for cell in self.cells:
            out[cell.row].append(cell)
        return out

    def matrix(self) -> list[list[GridCell | None]]:
        """Every grid position: the cell whose top-left it is, or None where a span covers it."""
        out: list[list[GridCell | None]] = [[None] * self.width for _ in range(self.height)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell
        return out


def format_value(value: Value) -> str:
    """A cell value as printed: integers plainly, money with the decimals it was given, blank as ``""``."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def block_width(block: Block) -> int:
    """Grid columns a block occupies (stub + its value columns, per printed row group if transposed)."""
    layout = _layout(block)
    values = sum(layout.span(i) for i in range(len(block.columns)))
    return layout.stub + values * (len(block.rows) if layout.transposed else 1)


def table_grid(table: Table, cells: Mapping[str, Value] | None = None) -> Grid:
    """The official grid of ``table`` with the values of ``cells`` (all blank when None)."""
    cells = cells or {}
    width = max(block_width(b) for b in table.blocks)
    out: list[GridCell] = []
    row = 0
    header_rows = 0
    for index, block in enumerate(table.blocks):
        if block_width(block) != width:
            raise ValueError(f"block {block.caption or index} of table {table.key} is not {width} columns wide")
        layout = _layout(block)
        if block.caption:
            out.append(GridCell(block.caption, "caption", row, 0, colspan=width))
            row += 1
        row = _place_header(out, layout.header, row, width)
        if index == 0:
            header_rows = row
        row = _place_data(out, table, block, cells, row)
    return Grid(table, width, row, header_rows, tuple(out))


def grids(fmt: Format, cells: Mapping[str, Value] | None = None) -> dict[str, Grid]:
    """The grid of every table of ``fmt``, by table key."""
    return {t.key: table_grid(t, cells) for t in fmt.tables}


def _layout(block: Block) -> Layout:
    if block.layout is None:
        raise ValueError("the block declares no layout (Block.layout) to render")
    return block.layout


def _place_header(out: list[GridCell], header: tuple[tuple[HeaderCell, ...], ...], top: int, width: int) -> int:
    """Place header rows from ``top``; spans are honoured as in HTML tables. Returns the next row."""
    taken: set[tuple[int, int]] = set()
    for i, cells in enumerate(header):
        col = 0
        for cell in cells:
            while (i, col) in taken:
                col += 1
            if col + cell.colspan > width:
                raise ValueError(f"header row {i} overflows the grid width {width}")
            out.append(GridCell(cell.text, "header", top + i, col, cell.rowspan, cell.colspan))
            taken.update((i + di, col + dj) for di in range(cell.rowspan) for dj in range(cell.colspan))
            col += cell.colspan
    return top + len(header)


def _place_data(out: list[GridCell], table: Table, block: Block, cells: Mapping[str, Value], top: int) -> int:
    layout = _layout(block)

    def value(row_key: str, col_index: int, at_row: int, at_col: int) -> GridCell:
        key = f"{table.key}.{row_key}.{block.columns[col_index].key}"
        return GridCell(format_value(cells.get(key)), "value", at_row, at_col,
                        colspan=layout.span(col_index), key=key)

    if layout.transposed:
        col = layout.stub
        for data_row in block.rows:
            for i in range(len(block.columns)):
                out.append(value(data_row.key, i, top, col))
                col += layout.span(i)
        return top + 1

    chains = [_chain(layout, r.group) for r in block.rows]
    for i, data_row in enumerate(block.rows):
        chain = chains[i]
        if len(chain) >= layout.stub:
            raise ValueError(f"row {data_row.key} is nested deeper than the {layout.stub} label columns")
        for depth, group in enumerate(chain):
            if i == 0 or chains[i - 1][: depth + 1] != chain[: depth + 1]:
                run = 1
                while i + run < len(chains) and chains[i + run][: depth + 1] == chain[: depth + 1]:
                    run += 1
                out.append(GridCell(group, "group", top + i, depth, rowspan=run))
        out.append(GridCell(data_row.label, "label", top + i, len(chain), colspan=layout.stub - len(chain)))
        col = layout.stub
        for j in range(len(block.columns)):
            out.append(value(data_row.key, j, top + i, col))
            col += layout.span(j)
    return top + len(block.rows)


def _chain(layout: Layout, group: str | None) -> tuple[str, ...]:
    """The group labels a row sits under, outermost first."""
    chain: list[str] = []
    while group is not None:
        chain.insert(0, group)
        group = layout.parent(group)
    return tuple(chain)


def column_widths(grid: Grid, total: float) -> list[float]:
    """Widths of the grid columns summing to ``total``: label columns as wide as their longest
    single-column label (a tall group cell may wrap to a narrow column), value columns alike."""
    demand = [0.0] * grid.width
    for cell in grid.cells:
        if cell.colspan != 1:
            continue
        if cell.role in ("label", "group"):
            chars = len(cell.text)
            if cell.role == "group":  # a tall group cell wraps; a short one keeps its （三） together
                chars = max(-(-chars // cell.rowspan), 2 if cell.rowspan > 8 else 5)
            demand[cell.col] = max(demand[cell.col], min(max(chars, 2), 16))
        else:
            demand[cell.col] = max(demand[cell.col], min(max(len(cell.text), 4), 5))
    demand = [d or 4 for d in demand]
    scale = total / sum(demand)
    return [d * scale for d in demand]
