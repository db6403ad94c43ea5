"""Text copied from a web page whose table cells hold paragraphs → the rows of its tables.

A browser copies a table (全选 → 复制, ``innerText``) with a tab between two cells and a line end
between two rows. A cell that holds a block (``<td><p>0</p></td>``: a portal editor's table, Word's
or LibreOffice's web page; ``<td><div>``) is copied with line ends around its text, so each tab
stands on a line of its own: ``规章`` / `` `` / ``\\t`` / `` `` / ``0`` … With ``b`` blank lines
between a cell's text and the tab lines around it (1 for ``<p>``, 0 for ``<div>``), a row's last
cell and the next row's first are ``2b + 2`` blank lines apart, a cell's own paragraphs ``b``; an
empty cell is nothing (or blank lines) between two tabs. ``cell_runs`` finds such runs and gives
their cells back as rows, each cell with the number of the line its text is on.
"""

from __future__ import annotations

import re
from collections import Counter

from ..text import is_wide

__all__ = ["cell_runs"]

MIN_TABS = 4  # tab lines a run holds at least (a table of two rows of three cells)
_MAX_CELL_LINES = 2  # a cell's paragraphs (a label broken by ``<br>``)
_MAX_SEGMENT_LINES = 16  # lines between two tab lines of one run
_MAX_TEXT_TABS = 0.2  # a document's lines of text with a tab in them, per tab line: more, and its tabs are not on lines of their own

Cell = tuple[int, str]  # (0-based line index, text)


def _is_tabs(line: str) -> bool:
    """A line of nothing but tabs (and spaces): cell boundaries only."""
    return "\t" in line and not line.strip()


def _join(parts: list[str]) -> str:
    """A cell's paragraphs as one text: nothing between two CJK characters, a space otherwise."""
    text = ""
    for part in parts:
        if text and not (is_wide(text[-1]) and is_wide(part[0])):
            text += " "
        text += part
    return text


def _groups(lines: list[str], tabs: list[int], row_gap: int, heading: re.Pattern[str]) -> list[list[int]]:
    """The tab lines in runs: two tab lines are of one run when what stands between them is a cell's
    text, or a row's last cell and the next row's first (``row_gap`` blank lines apart) — not a
    heading, nor a cluster of more lines than a cell holds (a table's end, then prose)."""
    groups: list[list[int]] = [[tabs[0]]]
    for previous, current in zip(tabs, tabs[1:], strict=False):
        clusters: list[int] = []  # text lines per cluster (lines fewer than row_gap blank lines apart)
        gap = row_gap
        titled = False
        for line in lines[previous + 1 : current]:
            if not line.strip():
                gap += 1
                continue
            titled = titled or bool(heading.match(line))
            if gap >= row_gap:
                clusters.append(0)
            clusters[-1] += 1
            gap = 0
        if not titled and len(clusters) <= 2 and max(clusters, default=0) <= _MAX_CELL_LINES \
                and current - previous <= _MAX_SEGMENT_LINES:
            groups[-1].append(current)
        else:
            groups.append([current])
    return [g for g in groups if len(g) >= MIN_TABS]


def _blank_after(lines: list[str], n: int) -> int:
    """Blank lines right after line ``n`` (up to the next text or tab line)."""
    count = 0
    for line in lines[n + 1 :]:
        if line.strip() or _is_tabs(line):
            break
        count += 1
    return count


def _next_text(lines: list[str], n: int, step: int, blank: int, heading: re.Pattern[str]) -> int | None:
    """The line of the cell before a run's first tab line or after its last (``step`` -1: upwards):
    the first line with text at most ``blank`` blank lines on, not a section heading; else None (an
    empty cell: more blank lines stand between a cell's text and its tabs)."""
    for _ in range(blank + 1):
        if not 0 <= n < len(lines) or _is_tabs(lines[n]):
            return None
        if lines[n].strip():
            return None if heading.match(lines[n]) else n
        n += step
    return None


def _rows(lines: list[str], start: int, end: int, row_gap: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    parts: list[str] = []
    where = start
    gap = 0

    def close_cell(at: int) -> None:
        nonlocal parts, where
        row.append((where if parts else at, _join(parts)))
        parts, where = [], at

    for n in range(start, end):
        line = lines[n]
        if not line.strip() and not _is_tabs(line):
            # a paragraph of only spaces (``<p>&nbsp;</p>``) before a row's text: Word's paragraph between
            # the two tables a table is cut into at a page break — the row before it has ended
            gap = gap + 1 if not line else max(gap + 1, row_gap)
            continue
        pieces = line.split("\t")
        head = pieces[0].strip()
        if head and gap >= row_gap and (parts or row):  # a row's last cell, then the next row's first
            close_cell(n)
            rows.append(row)
            row = []
        if head:
            if not parts:
                where = n
            parts.append(head)
        for piece in pieces[1:]:
            close_cell(n)
            if piece.strip():
                where = n
                parts.append(piece.strip())
        gap = 0
    close_cell(end - 1)
    rows.append(row)
    return rows


def cell_runs(lines: list[str], heading: re.Pattern[str]) -> dict[int, tuple[int, list[list[Cell]]]]:
    """The runs of copied block cells among ``lines``: first line → (end, exclusive; rows of cells).
    A line ``heading`` matches (a report's section heading) is never a cell."""
    tabs = [n for n, line in enumerate(lines) if _is_tabs(line)]
    if len(tabs) < MIN_TABS:
        return {}
    if sum(1 for line in lines if "\t" in line and line.strip()) > _MAX_TEXT_TABS * len(tabs):
        return {}  # tabs before the cells' text (``\t0``, a Word copy): tab grids, not copied block cells
    runs: dict[int, tuple[int, list[list[Cell]]]] = {}
    # the run's own spacing: the most common, not the fewest (Word's closing ``\t\t\t`` row stands
    # right above a heading, with no blank line between them)
    blank = Counter(_blank_after(lines, n) for n in tabs).most_common(1)[0][0]
    for group in _groups(lines, tabs, 2 * blank + 2, heading):
        first = _next_text(lines, group[0] - 1, -1, blank, heading)
        last = _next_text(lines, group[-1] + 1, 1, blank, heading)
        start = group[0] if first is None else first
        end = group[-1] + 1 if last is None else last + 1
        if runs and start < max(e for e, _ in runs.values()):
            continue
        runs[start] = (end, _rows(lines, start, end, 2 * blank + 2))
    return runs
