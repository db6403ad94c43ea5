"""Whole-table alignment: every printed number row placed against the declared rows at once.

Copies made by converters (PDF → Markdown, text from PDF) print a table's numbers in rows that
keep their order but lose their labels: a label and its numbers on separate rows, numbers with no
label at all, a label's tail after the numbers, labels of neighbouring rows printed out of order.
Reading such a table label by label loses rows; this module reads it as one decision instead.

The table's tokens are cut into *physical rows* (a grid row, a line). A row holding numbers is a
*number row*; the text before its numbers on the same row is its *attached* text, the text rows
between it and its neighbours its *floating* evidence. A dynamic-programming alignment then maps
the number rows, in order, onto the format's declared rows, scored by

- label evidence: an attached label of the row (strong), of another row (strongly against), a
  fragment of the row's label attached or floating nearby (weaker, by how much of it is there);
- the count of cells: more numbers than the row has columns cannot be that row, fewer cost;
- order: a declared row left without numbers, or a number row left unplaced, costs.

A row label printed on a row of its own with empty cells (a converter's table row padded to the
grid) and its numbers on the next row, which prints no label (markitdown on a PDF whose label wraps
round its numbers), is one declared row: both rows are placed on it.

The placements go back to the ordinary row fitting (tables.py), which also tests them against the
identities. Rows placed without their own label on their row are named by a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..formats import FORMATS, Table
from ..text import normalize_label
from .labels import Label, core
from .tokens import Token

ATTACHED_LABEL = 6.0  # the row's own label on the numbers' row
ATTACHED_OTHER = -6.0  # another row's label there
ATTACHED_PART = 4.0  # times the share of the label a fragment on the row shows
FLOATING_LABEL = 2.0  # the row's label among the text rows next to the numbers
FLOATING_PART = 1.0
SKIP_DECLARED = -2.0  # a declared row that gets no numbers
SKIP_NUMBERS = -3.0  # a number row placed nowhere (stray numbers)
SKIP_LABELLED = -9.0  # … that carries a row label of this table
MISSING_CELL = -1.0  # per column a number row is too short for
EXTRA_CELL = -2.0  # per number a row prints beyond its columns
MIN_FRAGMENT = 2  # characters of a label's core a fragment must show to count

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.)")


@dataclass
class NumberRow:
    """The value and blank cells of one physical row, with the label evidence around it."""

    cells: list[Token]
    attached: list[int] = field(default_factory=list)  # token indices of text on the same row, before the cells
    floating: list[int] = field(default_factory=list)  # text token indices of the rows around it


def physical_row(tok: Token) -> tuple:
    """The physical row (grid row or text line) a token is printed on."""
    return (tok.block, tok.where.page, tok.where.line, tok.where.row, tok.where.table)


def number_rows(tokens: list[Token], span: list[int], labels_at: dict[int, Label]) -> list[NumberRow]:
    """Cut a table's tokens (indices in reading order) into number rows with their evidence.

    A physical row counts when it holds a value, or a row label and cells (a row printed blank)."""
    groups: list[list[int]] = []
    last = None
    for i in span:
        tok = tokens[i]
        if tok.kind == "gap":
            continue
        where = tok.where
        row = (tok.block, where.page, where.line, where.row, where.table)  # physical_row, inlined: per token
        if groups and row == last:
            groups[-1].append(i)
        else:
            groups.append([i])
        last = row
    rows: list[NumberRow] = []
    texts_since: list[int] = []
    for group in groups:
        first_value = first_blank = None
        labelled = False
        for i in group:
            kind = tokens[i].kind
            if kind == "value":
                if first_value is None:
                    first_value = i
            elif kind == "blank" and first_blank is None:
                first_blank = i
            if not labelled and (label := labels_at.get(i)) is not None and label.kind == "row":
                labelled = True
        if first_value is None and not (labelled and first_blank is not None):
            texts_since.extend(i for i in group if tokens[i].kind == "text")
            continue
        first = first_value if first_value is not None else first_blank
        if first_value is None and any(tokens[i].kind == "text" for i in group if i < first_blank):
            # A row printing no number whose text stands both before and after an empty grid cell (a
            # group label's fragment, the cell a converter's grid pads, the row's label): all its text
            # is its label and its cells those after it.
            first = max(i for i in group if tokens[i].kind == "text") + 1
        before = [i for i in group if i < first and tokens[i].kind == "text"]
        start = before[-1] if before else -1
        cells = [tok for i in group if i > start and (tok := tokens[i]).kind in ("value", "blank")]
        if rows:
            rows[-1].floating.extend(texts_since)
        rows.append(NumberRow(cells, before, texts_since))
        texts_since = []
    if rows:
        rows[-1].floating.extend(texts_since)
    return rows


@dataclass(frozen=True)
class _Declared:
    key: str
    width: int
    cores: tuple[str, ...]  # the label's cores (official and aliases), comparison form
    numbering: str  # the official label's numbering (一、, (三), 1.) or ""


@cache
def _declared(version: str, table_key: str) -> tuple[_Declared, ...]:
    table = FORMATS[version].table(table_key)
    out = []
    for block in table.blocks:
        for row in block.rows:
            official = normalize_label(row.label)
            cores = tuple(dict.fromkeys(core(normalize_label(t)) for t in (row.label, *row.aliases)))
            numbering = _NUMBERING.match(official)
            out.append(_Declared(row.key, len(block.columns), cores, numbering.group(0) if numbering else ""))
    return tuple(out)


def fragment_share(norm: str, row: _Declared) -> float:
    """How much of a row's label a printed fragment shows (0 when it is no part of it): a label
    wrapped (its head or tail), abridged, or printed inside a longer text (a merged header)."""
    numbering = _NUMBERING.match(norm)
    if numbering and row.numbering and numbering.group(0) != row.numbering:
        return 0.0
    text = core(norm)
    if len(text) < MIN_FRAGMENT:
        return 0.0
    best = 0.0
    for label in row.cores:
        if not label:
            continue
        if label in text:  # the whole label inside a longer text
            best = max(best, 0.8 if len(label) >= 4 else 0.4)
        elif label.startswith(text) or label.endswith(text):
            best = max(best, len(text) / len(label))
        elif len(text) >= 4 and text in label:
            best = max(best, 0.5 * len(text) / len(label))
    return best


def _fits(cells: list[Token], width: int, inserted: int = 0) -> float | None:
    """Cost of reading the cells as a row of ``width`` columns (``inserted``: columns the report adds,
    小计); None when it cannot be."""
    values = [j for j, c in enumerate(cells) if c.kind == "value"]
    if width < len(values) <= width + inserted:
        return 0.0
    if len(values) > width:  # more numbers than columns (a column the report adds, unrecognised)
        return EXTRA_CELL * (len(values) - width) if len(values) < 2 * width else None
    if len(values) == width:  # as many numbers as columns: reading order, whatever columns they stand in
        return 0.0
    if len(cells) >= width and (not values or values[-1] - values[0] < width):
        return 0.0
    # Too few cells, or numbers spread wider than the row (a converter's broken columns): a short row.
    return MISSING_CELL * (width - len(values))


def _evidence(row: NumberRow, declared: _Declared, tokens: list[Token], labels_at: dict[int, Label]) -> float:
    score = 0.0
    own = [labels_at[i] for i in row.attached if i in labels_at and labels_at[i].kind == "row"]
    if own:
        score += ATTACHED_LABEL if any(lab.key == declared.key for lab in own) else ATTACHED_OTHER
    elif row.attached:
        joined = "".join(tokens[i].norm for i in row.attached)
        score += ATTACHED_PART * fragment_share(joined, declared)
    floating = 0.0
    for i in row.floating:
        label = labels_at.get(i)
        if label is not None and label.kind == "row":
            if label.key == declared.key:
                floating = max(floating, FLOATING_LABEL)
        else:
            floating = max(floating, FLOATING_PART * fragment_share(tokens[i].norm, declared))
    return score + floating


def has_own_label(row: NumberRow, labels_at: dict[int, Label]) -> bool:
    """The number row prints a row label of the table on its own row."""
    return any(i in labels_at and labels_at[i].kind == "row" for i in row.attached)


def _label_then_numbers(rows: list[NumberRow], j: int, labels_at: dict[int, Label]) -> NumberRow | None:
    """Rows j and j + 1 as one: a labelled row printing no number followed by a row of numbers without
    a row label (at most the rest of the wrapped label before them): the label's text and evidence with
    the second row's cells; None when they are not."""
    if j + 1 >= len(rows):
        return None
    label, numbers = rows[j], rows[j + 1]
    if any(c.kind == "value" for c in label.cells) or not has_own_label(label, labels_at):
        return None
    if has_own_label(numbers, labels_at) or not any(c.kind == "value" for c in numbers.cells):
        return None
    return NumberRow(numbers.cells, label.attached + numbers.attached, label.floating + numbers.floating)


def align(
    version: str, table: Table, rows: list[NumberRow], tokens: list[Token], labels_at: dict[int, Label],
    inserted: int = 0,
) -> list[tuple[int, str]]:
    """The best order-keeping placement of the number rows onto the declared rows:
    (number row index, row key) for every number row placed; a label row and the numbers' row after
    it placed as one declared row appear both, with its key. ``inserted``: columns the report adds
    to the official ones (小计)."""
    declared = _declared(version, table.key)
    n, m = len(rows), len(declared)
    neg = float("-inf")
    # best[j][i]: best score with number rows < j placed and declared rows < i used up.
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], tuple[int, int, int | None]] = {}
    best[0][0] = 0.0
    for j in range(n + 1):
        for i in range(m + 1):
            here = best[j][i]
            if here == neg:
                continue
            if i < m and here + SKIP_DECLARED > best[j][i + 1]:  # declared row i gets no numbers
                best[j][i + 1] = here + SKIP_DECLARED
                back[(j, i + 1)] = (j, i, None)
            if j == n:
                continue
            skip = SKIP_LABELLED if has_own_label(rows[j], labels_at) else SKIP_NUMBERS
            if here + skip > best[j + 1][i]:  # number row j placed nowhere
                best[j + 1][i] = here + skip
                back[(j + 1, i)] = (j, i, None)
            if i < m:
                cost = _fits(rows[j].cells, declared[i].width, inserted)
                if cost is not None:
                    score = here + cost + _evidence(rows[j], declared[i], tokens, labels_at)
                    if score > best[j + 1][i + 1]:
                        best[j + 1][i + 1] = score
                        back[(j + 1, i + 1)] = (j, i, i)
                merged = _label_then_numbers(rows, j, labels_at)
                cost = None if merged is None else _fits(merged.cells, declared[i].width, inserted)
                if cost is not None:
                    score = here + cost + _evidence(merged, declared[i], tokens, labels_at)
                    if score > best[j + 2][i + 1]:
                        best[j + 2][i + 1] = score
                        back[(j + 2, i + 1)] = (j, i, i)
    placed: list[tuple[int, str]] = []
    state = (n, m)
    while state != (0, 0):
        j, i, used = back[state]
        if used is not None:
            placed.extend((k, declared[used].key) for k in range(state[0] - 1, j - 1, -1))
        state = (j, i)
    placed.reverse()
    return placed
