"""Grid tables drawn in text (pandoc's Markdown and plain-text output of a Word file or web page):
``+---+---+`` borders, ``|`` between cells, merged cells drawn as one box.

pandoc lays a grid table out by display width (a CJK character is two columns wide), so the lines
are read in display columns: every ``+`` of a border line stands at a column edge, a cell is a box
no ``|`` and no border crosses, and its text is the box's lines joined (``collapse_whitespace``:
no space between two CJK characters). A merged cell (a row or column span) is one cell, once, at
its first row and column, as the HTML reader gives it; a cell of ``---`` (pandoc's Markdown for a
printed ``—``) is that dash, and a backslash escape (``\\-``) the character. A run whose bars do not all stand on the
borders' column edges (a table drawn in another width) is no grid here: its lines are read as a
pipe run.
"""

from __future__ import annotations

import re
import unicodedata

from ..document import GridCell, Provenance, TableBlock
from .normalize import collapse_whitespace

BORDER = re.compile(r"^\+(?:[-=:]+\+)+\s*$")  # a full border line: ``+----+:===:+``
ROW = re.compile(r"^[|+].*[|+]\s*$")
_BORDER_CHARS = frozenset("-=:")
_FILL = "\0"  # the second display column of a wide character
ESCAPED = re.compile(r"\\([!-/:-@\[-`{}~])")  # Markdown's backslash before ASCII punctuation (not ``|``)
_DASHES = {"---": "—", "--": "–"}  # a cell printing a dash: pandoc's Markdown writes — as ``---``, – as ``--``
_MARKUP = (re.compile(r"\*\*(.+?)\*\*"), re.compile(r"\[([^\[\]]*)\]\{[^{}]*\}"))  # **bold**, [text]{attrs}


def grid_run(lines: list[str], start: int) -> int:
    """The end (exclusive) of the grid table whose top border is ``lines[start]``, or ``start`` when
    no full border closes it."""
    end = start
    for n in range(start + 1, len(lines)):
        if not ROW.match(lines[n]):
            break
        if BORDER.match(lines[n]):
            end = n + 1
    return end


def _columns(line: str) -> list[str]:
    """The line in display columns: a wide (CJK) character takes its column and a ``_FILL``."""
    out: list[str] = []
    for char in line.rstrip():
        out.append(char)
        if unicodedata.east_asian_width(char) in "WF":
            out.append(_FILL)
    return out


def grid_table(lines: list[str], start: int, end: int, table: int) -> TableBlock | None:
    """The grid table ``lines[start:end]`` as a ``TableBlock`` of boxes with their spans, or None when
    its lines do not keep the borders' column edges."""
    grid = [_columns(line) for line in lines[start:end]]
    width = len(grid[0])
    if any(len(row) != width for row in grid):
        return None
    edge_set = {x for row in grid for x, char in enumerate(row) if char == "+"}
    edges = sorted(edge_set)
    ruled = [y for y, row in enumerate(grid) if "+" in row]
    for row in grid:
        if any(char in "|+" and x not in edge_set for x, char in enumerate(row)):
            return None
    bands = list(zip(ruled, ruled[1:], strict=False))  # row bands between two lines holding a ``+``
    spans = list(zip(edges, edges[1:], strict=False))
    owner: dict[tuple[int, int], tuple[int, int]] = {}  # (band, span) → the box's first (band, span)
    for b, (top, bottom) in enumerate(bands):
        for s, (left, right) in enumerate(spans):
            open_left = s and not all(grid[y][left] in "|+" for y in range(top + 1, bottom))
            open_top = b and not all(grid[top][x] in _BORDER_CHARS for x in range(left + 1, right))
            if open_left and open_top and owner[b, s - 1] != owner[b - 1, s]:
                return None  # a box that is not a rectangle
            if open_left:
                owner[b, s] = owner[b, s - 1]
            elif open_top:
                owner[b, s] = owner[b - 1, s]
            else:
                owner[b, s] = (b, s)
    boxes: dict[tuple[int, int], list[int]] = {}  # first (band, span) → [last band, last span]
    for (b, s), first in owner.items():
        last = boxes.setdefault(first, [b, s])
        last[0], last[1] = max(last[0], b), max(last[1], s)
    rows: list[list[GridCell]] = [[] for _ in bands]
    for (b, s), (last_band, last_span) in sorted(boxes.items()):
        top, bottom = bands[b][0], bands[last_band][1]
        left, right = spans[s][0], spans[last_span][1]
        text_lines = ["".join(grid[y][left + 1 : right]).replace(_FILL, "") for y in range(top + 1, bottom)]
        text = collapse_whitespace("\n".join(line for line in text_lines if line.strip()))
        for markup in _MARKUP:
            text = markup.sub(r"\1", text)
        text = ESCAPED.sub(r"\1", text)
        text = _DASHES.get(text, text)
        first_line = next((y for y in range(top + 1, bottom) if text_lines[y - top - 1].strip()), top + 1)
        where = Provenance(line=start + first_line + 1, table=table, row=b, col=s)
        rows[b].append(GridCell(text, where, last_band - b + 1, last_span - s + 1))
    return TableBlock(tuple(tuple(row) for row in rows), Provenance(line=start + 1, table=table), separator="grid")
