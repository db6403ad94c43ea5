"""Plain text (and Markdown) → blocks: one ``Line`` per line, except delimited grids.

Every line keeps its raw text (tabs and spaces included) and its 1-based line number, blank lines
too. Runs of lines that the source delimits become ``TableBlock``s:

* tab grid (``separator="tab"``): ≥2 lines with at least two non-empty tab-separated fields
  ("full" rows), joined by rows that hold one label followed by tabs (``第二十条第（一）项\\t\\t\\t``)
  and by single blank lines when the grid continues after them. Cells are ``line.split("\\t")``
  exactly (empty fields kept, text not stripped). Indentation alone (``\\t0``) does not make a row.
* pipe grid (``separator="pipe"``): ≥2 lines containing ``|``, joined by at most a few short lines
  without ``|`` between them (a cell's text on its own line or continued), never by a report
  section heading (``三、收到和处理政府信息公开申请情况``). See ``_pipe_table`` for the cells.
* grid table (``separator="grid"``): pandoc's ``+---+`` tables (Markdown and plain output), boxes
  read by display width with their row and column spans (``gridtable``).
* copied block cells (``separator="tab"``): a web page's table whose cells hold paragraphs, as a
  browser copies it — each tab on a line of its own (``cellcopy``); a cell's provenance is the line
  of its text.

Blank lines inside a grid run are not rows. Cell provenance is ``Provenance(line=N, col=i)``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from ..document import Block, GridCell, Line, Provenance, TableBlock
from .cellcopy import cell_runs
from .gridtable import BORDER, ESCAPED, ROW, grid_run, grid_table

_MAX_GAP_LINES = 3
_MAX_GAP_LINE_LENGTH = 80
SECTION_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,2}\s*[、.．]\s*\S.*(?:情况|事项)\s*$")
# A Markdown delimiter row: cells of ≥3 hyphens, or hyphens with a colon (a lone "-" is a blank cell).
_RULE_CELL = r"\s*(?::-+:?|-+:|-{3,})\s*"
_MARKDOWN_RULE = re.compile(rf"^\|?{_RULE_CELL}(?:\|{_RULE_CELL})*\|?$")

_FULL, _LABEL, _BLANK, _OTHER = range(4)


@lru_cache(maxsize=1 << 16)
def line_provenance(line: int) -> Provenance:
    """``Provenance(line=line)``, shared between documents (it is immutable; this keeps ingest fast)."""
    return Provenance(line=line)


@lru_cache(maxsize=1 << 16)
def cell_provenance(line: int, col: int) -> Provenance:
    """``Provenance(line=line, col=col)``, shared like ``line_provenance``."""
    return Provenance(line=line, col=col)


def text_to_blocks(text: str) -> list[Block]:
    """Split normalised text into blocks; tables are numbered from 0 (``TableBlock.where.table``)."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    starts = [
        n for n, line in enumerate(lines) if "|" in line or ("\t" in line and _tab_kind(line) <= _LABEL)
    ]
    copied = cell_runs(lines, SECTION_HEADING) if "\t\n" in text else {}
    if copied:
        starts = sorted({*starts, *copied})
    drawn: dict[int, int] = {}  # a grid table's top border → its end (the borders inside it start none)
    if "+-" in text or "+:" in text:  # no per-line pass for text without a border
        for n, line in enumerate(lines):
            if line.startswith("+") and BORDER.match(line) and n >= max(drawn.values(), default=0):
                drawn[n] = grid_run(lines, n)
    if drawn:
        starts = sorted({*starts, *drawn})
    blocks: list[Block] = []
    table = 0
    emitted = 0  # lines before this index are in ``blocks``
    scanned = 0  # lines before this index belong to a run already tried
    for start in starts:
        if start < scanned:
            continue
        if start in drawn:
            end = drawn[start]
            grid = grid_table(lines, start, end, table) if end > start + 1 else None
            if grid is None:
                continue  # not a grid drawn in display columns: its lines with bars are read as a pipe run
        elif start in copied:
            end, rows = copied[start]
            grid = TableBlock(tuple(tuple(GridCell(t, cell_provenance(n + 1, c)) for c, (n, t) in enumerate(row))
                                    for row in rows), Provenance(line=start + 1, table=table), separator="tab")
        elif _tab_kind(lines[start]) <= _LABEL:
            end, is_grid = _tab_run(lines, start)
            grid = _tab_table(lines, start, end, table) if is_grid else None
        else:
            end, is_grid = _pipe_run(lines, start)
            if is_grid and start - 1 >= emitted and _opens_with_cell_above(lines, start):
                start -= 1  # that line is the grid's first cell, closed by this lone bar
            grid = _pipe_table(lines, start, end, table) if is_grid else None
        scanned = end
        if grid is not None:
            blocks.extend(_lines(lines, emitted, start))
            blocks.append(grid)
            emitted = end
            table += 1
    blocks.extend(_lines(lines, emitted, len(lines)))
    return blocks


def markdown_unescaped(text: str) -> str:
    """Markdown's backslash escapes undone (mammoth writes ``3\\.其他``, ``\\-5``): the punctuation as
    printed; ``\\|`` is kept (a bar inside a pipe grid's cell), and so are a table row's (a grid
    table's columns are counted with them: ``grid_table`` undoes them cell by cell)."""
    if "\\" not in text:
        return text
    return "\n".join(line if ROW.match(line) else ESCAPED.sub(r"\1", line) for line in text.split("\n"))


def _lines(lines: list[str], start: int, end: int) -> map:
    """``Line(lines[n], line_provenance(n + 1))`` for n from ``start`` to ``end`` (exclusive), made in C-level maps."""
    return map(Line, lines[start:end], map(line_provenance, range(start + 1, end + 1)))


def _tab_kind(line: str) -> int:
    """_FULL: ≥2 non-empty fields; _LABEL: one field followed by tabs; _BLANK; _OTHER."""
    stripped = line.strip()
    if not stripped:
        return _BLANK
    if "\t" in stripped:  # a tab between two non-blank ends: at least two non-empty fields
        return _FULL
    return _LABEL if line.rstrip(" ").endswith("\t") else _OTHER


def _tab_run(lines: list[str], start: int) -> tuple[int, bool]:
    """The end (exclusive) of the run of tab rows starting at ``start``, and whether it is a grid."""
    full_rows = 0
    end = start
    i = start
    while i < len(lines):
        kind = _tab_kind(lines[i])
        if kind == _BLANK and i + 1 < len(lines) and _tab_kind(lines[i + 1]) <= _LABEL:
            i += 1
            continue
        if kind > _LABEL:
            break
        full_rows += kind == _FULL
        i += 1
        end = i
    return end, full_rows >= 2


def _tab_table(lines: list[str], start: int, end: int, table: int) -> TableBlock:
    rows = tuple(
        tuple([GridCell(field, cell_provenance(n + 1, c)) for c, field in enumerate(lines[n].split("\t"))])
        for n in range(start, end)
        if lines[n].strip()
    )
    return TableBlock(rows, Provenance(line=start + 1, table=table), separator="tab")


def _pipe_run(lines: list[str], start: int) -> tuple[int, bool]:
    """The end (exclusive) of the run of pipe rows starting at ``start``, and whether it is a grid."""
    pipe_lines = 1
    end = start + 1
    i = end
    while i < len(lines):
        if "|" in lines[i]:
            pipe_lines += 1
            i += 1
            end = i
            continue
        gap_end = i
        closed = _is_markdown_row(lines[i - 1])  # a closed Markdown row: text after it is no cell of it
        while gap_end < len(lines) and "|" not in lines[gap_end] and gap_end - i < _MAX_GAP_LINES:
            if not _is_cell_text(lines[gap_end]) or (closed and lines[gap_end].strip()):
                break
            gap_end += 1
        if gap_end >= len(lines) or "|" not in lines[gap_end]:
            break
        i = gap_end
    return end, pipe_lines >= 2


def _is_markdown_row(line: str) -> bool:
    """``| a | b |``: a row that opens and closes with a bar."""
    stripped = line.strip()
    return len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|")


def _opens_with_cell_above(lines: list[str], start: int) -> bool:
    """A run that opens with a lone ``|`` closes a cell whose text is on the line above."""
    above = lines[start - 1].strip() if start > 0 else ""
    return (
        lines[start].strip() == "|" and bool(above) and "|" not in above and _is_cell_text(above)
        and not above.endswith(("。", "；", "：", ":"))
    )


def _is_cell_text(line: str) -> bool:
    """A line without ``|`` that may sit inside a pipe grid: short, not a section heading."""
    return len(line.strip()) <= _MAX_GAP_LINE_LENGTH and not SECTION_HEADING.match(line)


def _markdown_row(line: str) -> str:
    """``| a | b |`` → `` a | b |``: a Markdown row's opening bar opens no cell; a row printed without
    its bars (html2text: ``a| b| c``, and ``| | b| c`` where its first cells are empty) ends at its
    line end all the same."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.strip("| \t"):
        return stripped[1:]
    if "|" in stripped and not stripped.endswith("|"):
        return stripped + "|"
    return line


def _pipe_table(lines: list[str], start: int, end: int, table: int) -> TableBlock:
    """Cells are the pieces between pipes, read across line ends.

    Copies differ in where the pipe sits: ``规章 |`` (text then its pipe), ``规章`` / ``|`` (the
    pipe on the next line), ``a | b | c |`` (a whole row), ``| a | b |`` (Markdown). Splitting the
    run's text on ``|`` reads them all alike: a piece that holds only whitespace is an empty cell,
    a piece spanning lines is one cell whose text was wrapped (``本年新`` / ``制作数量``). The piece
    after the last pipe is not a cell (except in a Markdown table, whose rows end at their line end). Markdown rule rows are dropped. A cell's row is the line
    its text starts on; its ``col`` is its place in that row.
    """
    kept = [n for n in range(start, end) if not (_MARKDOWN_RULE.match(lines[n]) and "-" in lines[n])]
    # a rule row (inside, or just above: html2text rules off a one-cell caption row): rows are lines
    ruled_above = start > 0 and bool(_MARKDOWN_RULE.match(lines[start - 1].strip())) and "-" in lines[start - 1]
    markdown = len(kept) < end - start or ruled_above
    run = [_markdown_row(lines[n]) if markdown else lines[n] for n in kept]
    offsets: list[int] = []
    position = 0
    for line in run:
        offsets.append(position)
        position += len(line) + 1
    text = "\n".join(run)
    pieces = text.split("|")
    if pieces and not pieces[-1].strip():
        pieces.pop()
    rows: dict[int, list[str]] = {}
    cursor = 0
    for piece in pieces:
        # A cell's line is where its text starts; an empty cell's, where its closing bar stands.
        cell = piece.strip()
        anchor = cursor + (len(piece) - len(piece.lstrip()) if cell else len(piece))
        line = kept[bisect_right(offsets, anchor) - 1] + 1
        if line in rows:
            rows[line].append(cell)
        else:
            rows[line] = [cell]
        cursor += len(piece) + 1
    grid = tuple(
        tuple([GridCell(cell, cell_provenance(line, c)) for c, cell in enumerate(cells)])
        for line, cells in sorted(rows.items())
    )
    return TableBlock(grid, Provenance(line=start + 1, table=table), separator="pipe")
