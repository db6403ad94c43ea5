"""Section 二 (a table no identity tests) read from a copy that prints its labels apart from its numbers
(pdftotext without ``-layout``, pdfminer's ``pdf2txt.py``): each run of numbers placed by the labels
printed before it; and the pieces of reading such copies both copy decoders share (``Decoded``,
``agreed``, ``box_columns``, ``folios``).

``read`` is the one decision for such a table, called by both decoders (``columns.decode`` and
``stream.read``). Two kinds of label evidence are tried:

* *boxes* (``_by_boxes``): each run of numbers under the caption and the column labels printed before
  it (pdf2txt prints a column's box of numbers under its label); every placement onto the sub-tables
  and every order of the numbers the copy leaves open is a reading, and the cells all readings agree
  on are read.
* *reading order* (``_in_order``): the labels before each run of numbers in reading order: a column
  label (or several in a row) before a run gives the run to those columns, a row label to that row (to
  the columns printed right before it, or to the column in hand where the run is too short for whole
  rows), a caption picks the sub-table, a column without one the first sub-table in print order with
  that column open; every cell must be filled exactly once. A run under several rows and columns
  fits two orders (rows one after another, or a column at a time) and, where pdf2txt prints a header
  box and boxes of several numbers, every order of those boxes: the cells they disagree on are left
  unread, unless an order puts a negative or fractional number into a count.

Both are read; a cell one leaves open and the other reads is read; where they read a cell differently,
one of them is misled and neither is taken for it (only the boxes' other cells are). Nothing here is
tested by an identity: the caller names every cell read (``Placed.in_order``: the reading order placed
some of them, else the boxes placed all).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import combinations, permutations, product
from math import prod

from ..formats import Table
from ..text import normalize_label
from .labels import Label, LabelIndex
from .tokens import Token

MAX_PLACEMENTS = 5000  # placements of a table read by its boxes; beyond, it is left unread


class _TooMany(Exception):
    """More placements to try than ``MAX_PLACEMENTS``."""


@dataclass
class Placed:
    """Section 二 read by its labels: key → token (None: blank), the keys left unread, and whether the
    labels' reading order placed the numbers (else the column boxes did)."""

    cells: dict[str, Token | None]
    unsure: list[str]
    in_order: bool


def read(table: Table, tokens: list[Token], index: LabelIndex) -> Placed | None:
    """Table ``table`` (one no identity tests) read by the labels printed before the runs of numbers
    in ``tokens`` (its section's tokens), or None (see the module's docstring)."""
    tokens = _headers_rejoined(table, tokens, index)
    boxed = _by_boxes(table, tokens)
    ordered = _in_order(table, tokens, index)
    keys = [k for k, *_ in table.cells()]
    if ordered is None:
        return None if boxed is None else Placed(boxed.cells, boxed.unsure, False)
    filled, doubt = ordered
    cells = {k: tok for k, tok in filled.items() if k not in doubt}
    if boxed is None:
        return Placed(cells, [k for k in keys if k in doubt], True)
    contradicted = {k for k, tok in boxed.cells.items() if k in cells and differs(tok, cells[k])}
    if contradicted:  # one of the two kinds of evidence is misled: neither is taken for those cells
        kept = {k: tok for k, tok in boxed.cells.items() if k not in contradicted}
        return Placed(kept, [k for k in keys if k not in kept], False) if kept else None
    merged = {k: boxed.cells.get(k, cells.get(k)) for k in keys if k in boxed.cells or k in cells}
    return Placed(merged, [k for k in keys if k not in merged], len(merged) > len(boxed.cells))


def _headers_rejoined(table: Table, tokens: list[Token], index: LabelIndex) -> list[Token]:
    """The tokens with each stretch of header text that spells column labels wrapped inside their cells
    replaced by those labels whole, in print order: pdftotext prints a header row's first lines side by
    side and the wrapped tails after them (``本年新制作数 本年新公开数`` / ``量`` / ``量``), pdf2txt each
    cell's lines in turn (``上一年项目数`` / ``量``). A stretch is text between numbers, captions, row and
    header labels, holding a piece no label matches; it is replaced only where its characters are
    exactly those of a few distinct column labels of one sub-table (one token, the labels apart by
    spaces, where the copy printed several cells on one line; else a token each)."""
    columns = {normalize_label(t): c.key for block in table.blocks for c in block.columns for t in (c.label, *c.aliases)}
    blocks = [{c.key for c in block.columns} for block in table.blocks]
    out: list[Token] = []
    stretch: list[Token] = []

    def flush() -> None:
        texts = [t for t in stretch if t.kind == "text"]
        if texts and any(index.match(t.norm, in_header=True) is None for t in texts):
            spelt = "".join(t.norm for t in texts)
            found, whole = box_columns(spelt, columns)
            keys = found if found and None not in found else []
            if keys and len(set(keys)) == len(keys) and any(set(keys) <= block for block in blocks):
                names = {c.key: normalize_label(c.label) for block in table.blocks for c in block.columns}
                if not whole:  # in the order the labels' first pieces stand in
                    keys = sorted(keys, key=lambda k: _first_piece(names[k], spelt))
                labels = [names[k] for k in keys]
                at = texts[0]
                if any(" " in t.text for t in texts):
                    out.append(replace(at, text=" ".join(labels), norm=normalize_label("".join(labels))))
                else:
                    out.extend(replace(at, text=lab, norm=lab) for lab in labels)
                out.extend(t for t in stretch if t.kind != "text")
                stretch.clear()
                return
        out.extend(stretch)
        stretch.clear()

    for tok in tokens:
        if tok.kind == "gap" and stretch or tok.kind == "text" and (
                (label := index.match(tok.norm, in_header=True)) is None or label.kind == "column"):
            stretch.append(tok)
            continue
        flush()
        out.append(tok)
    flush()
    return out


def _first_piece(label: str, text: str) -> int:
    """Where the longest start of ``label`` (two characters at least) first stands in ``text``."""
    for n in range(len(label), 1, -1):
        at = text.find(label[:n])
        if at >= 0:
            return at
    return len(text)


@dataclass
class _Item:
    """Numbers printed after labels: the caption (block index, None: none printed) and the column keys
    printed since the numbers before, the numbers in runs (lines with no empty line between them)."""

    caption: int | None
    columns: list[str]
    runs: list[list[Token]]

    @property
    def numbers(self) -> list[Token]:
        return [tok for run in self.runs for tok in run]


def _items(table: Table, tokens: list[Token]) -> list[_Item]:
    """The runs of numbers of a table printed column by column, each with the caption and the column
    labels printed since the numbers before (row and header labels between them are passed over: a
    copy prints them in a run of their own). A caption starts an item's evidence afresh."""
    captions = {normalize_label(t): b for b, block in enumerate(table.blocks)
                for t in ((block.caption, *block.caption_aliases) if block.caption else ())}
    columns = {normalize_label(t): c.key for block in table.blocks for c in block.columns for t in (c.label, *c.aliases)}
    page_numbers = folios(tokens)
    items: list[_Item] = []
    caption, labels, runs = None, [], [[]]
    for tok in tokens:
        if tok.kind == "value" and id(tok) not in page_numbers:
            runs[-1].append(tok)
            continue
        if tok.kind == "gap" and runs[-1]:
            runs.append([])
        if tok.kind != "text":
            continue
        if runs[0]:
            items.append(_Item(caption, labels, [r for r in runs if r]))
            caption, labels = None, []
        runs = [[]]
        if tok.norm in captions:
            caption, labels = captions[tok.norm], []
            continue
        found, whole = box_columns(tok.norm, columns)
        if whole and found:
            labels += found
    if runs[0]:
        items.append(_Item(caption, labels, [r for r in runs if r]))
    return items


def _by_boxes(table: Table, tokens: list[Token]) -> Decoded | None:
    """A table no identity tests (section 二) read by its label evidence and counts alone: each run of
    numbers goes to the columns printed before it, in the block its caption names or in any block
    with those columns and rows enough for the numbers. Every way to give the runs distinct columns is
    a reading, and so is every order of a run's numbers the copy leaves open (``_fillings``); the
    cells all readings agree on are read, no others: nothing is ever tested by an identity here."""
    items = [item for item in _items(table, tokens) if item.columns]
    if not items:
        return None
    blocks = table.blocks

    def fits(item: _Item, b: int) -> bool:
        keys = {c.key for c in blocks[b].columns}
        return all(c in keys for c in item.columns) and len(item.numbers) <= len(blocks[b].rows) * len(item.columns)

    choices = []
    for item in items:
        named = [item.caption] if item.caption is not None and fits(item, item.caption) else []
        choices.append(named or [b for b in range(len(blocks)) if fits(item, b)])
    readings: list[dict[str, Token | None]] = []

    def walk(i: int, used: frozenset[tuple[int, str]], acc: list[int]) -> None:
        if len(readings) > MAX_PLACEMENTS:
            raise _TooMany
        if i == len(items):
            readings.extend(_fillings(table, items, acc))
            return
        for b in choices[i]:
            slots = {(b, c) for c in items[i].columns}
            if len(slots) == len(items[i].columns) and not slots & used:
                walk(i + 1, used | slots, [*acc, b])

    try:
        walk(0, frozenset(), [])
    except _TooMany:
        return None
    if not readings:
        return None
    return agreed([key for key, *_ in table.cells()], readings)


MAX_DROPPED = 2  # blank cells a run under several columns may have lost and still be read where its readings agree
MAX_SHUFFLED = 6  # numbers under several column labels placed in every order; more: left unread


def _fillings(table: Table, items: list[_Item], blocks: list[int]) -> list[dict[str, Token | None]]:
    """The cells of one placement of the items onto blocks. A run under one column label fills its
    rows top to bottom (every place of its missing cells a reading of its own). Under several labels,
    the copy's order of the columns is unknown (pdf2txt prints their boxes in an order of its own, or
    row by row): runs as long as the block is high are its columns, in every order; numbers printed
    one by one go to the cells in every order; anything else is left unread."""
    per_item = []
    for item, b in zip(items, blocks, strict=True):
        rows = [r.key for r in table.blocks[b].rows]
        grid = [[f"{table.key}.{row}.{column}" for row in rows] for column in item.columns]
        numbers = item.numbers
        options: list[dict[str, Token | None]] = []
        if len(grid) == 1:
            for holes in combinations(range(len(rows)), len(rows) - len(numbers)):
                values = iter(numbers)
                options.append({k: None if n in holes else next(values) for n, k in enumerate(grid[0])})
        elif len(item.runs) == len(grid) and all(len(run) == len(rows) for run in item.runs):
            for order in permutations(item.runs):
                options.append({k: tok for keys, run in zip(grid, order, strict=True)
                                for k, tok in zip(keys, run, strict=True)})
        elif len(numbers) == len(rows) * len(grid) <= MAX_SHUFFLED:
            cells = [k for keys in grid for k in keys]
            options.extend(dict(zip(cells, order, strict=True)) for order in permutations(numbers))
        else:
            options.append({})
        per_item.append(options)
    if prod(len(o) for o in per_item) > MAX_PLACEMENTS:
        raise _TooMany
    return [{k: v for part in combo for k, v in part.items()} for combo in product(*per_item)]


def _in_order(table: Table, tokens: list[Token], index: LabelIndex) -> tuple[dict[str, Token | None], set[str]] | None:
    """A table read by the labels before each run of numbers: every cell, and those a run under
    several rows and columns leaves in doubt (its rows one after another or a column at a time:
    pdftotext and pdf2txt print either); None when a run does not fit its labels or a cell is left over.
    A run left in doubt takes the order the copy printed another run of the same shape in, where that
    one's numbers decided it (see ``_placed``). Column labels of several sub-tables before one run
    (a page's last header, then the rest of a column above it: pdftotext) are read both ways — a column
    at a time, or the run all the last column's — and where both fill the table, only the cells both
    read alike are read."""
    runs = _spills_joined(table, _label_runs(tokens, index))
    in_blocks = any(tok.kind == "gap" for tok in tokens)
    readings = [r for r in (_in_order_once(table, runs, in_blocks, lone) for lone in (False, True)) if r is not None]
    if not readings:
        return None
    filled, doubt = readings[0]
    for other, other_doubt in readings[1:]:
        doubt = doubt | other_doubt | {k for k, tok in filled.items() if differs(tok, other.get(k))}
    return filled, doubt


def _in_order_once(table: Table, runs: list[_LabelRun], in_blocks: bool, lone_last: bool
                   ) -> tuple[dict[str, Token | None], set[str]] | None:
    """``_in_order``'s reading with one way of reading column labels of several sub-tables before a run."""
    found = _placed(table, runs, in_blocks, {}, lone_last)
    if found is None:
        return None
    filled, doubt, settled = found
    decided = {shape: kinds.pop() for shape, kinds in settled.items() if len(kinds) == 1}
    if doubt and decided:
        again = _placed(table, runs, in_blocks, decided, lone_last)
        if again is not None:
            filled, doubt, _ = again
    return filled, doubt


_Shape = tuple[int, int, tuple[int, ...], bool]  # rows, columns, the lengths of the run's pieces, labels joined


def _placed(table: Table, runs: list[_LabelRun], in_blocks: bool, decided: dict[_Shape, str], lone_last: bool = False
            ) -> tuple[dict[str, Token | None], set[str], dict[_Shape, set[str]]] | None:
    """``_in_order``'s reading of ``runs``: the cells, those in doubt, and for each shape of a run under
    several rows and columns the orders (``rows``: rows one after another, ``columns``: a column at a
    time) its numbers left possible. ``in_blocks``: the copy prints empty lines between its blocks of text
    (a block is a rectangle of cells printed line by line: pdftotext, pdf2txt). ``decided``: the order
    of each shape another run of it decided, for the runs of that shape its own numbers leave open.
    ``lone_last``: a run after column labels of several sub-tables is the last column's, where it fits."""
    blocks = table.blocks
    filled: dict[str, Token | None] = {}
    doubt: set[str] = set()
    settled: dict[_Shape, set[str]] = {}
    kinds = {key: column.kind for key, _block, _row, column in table.cells()}
    state: dict = {"caption": None, "block": 0, "columns": [], "joined": False, "heads": [], "cuts": []}

    def open_rows(b: int, column: str) -> list[str]:
        return [f"{table.key}.{r.key}.{column}" for r in blocks[b].rows if f"{table.key}.{r.key}.{column}" not in filled]

    def grid(rows: list[str], columns: list[str], run: list[Token]) -> bool:
        """The run as the cells of ``rows`` × ``columns`` (row keys with the table's prefix): where the
        rows one after another and a column at a time put different numbers, those cells are in doubt;
        so are those where the run's pieces put in another order would, when a piece holds several
        numbers and the column labels stand together on one line (pdf2txt's header box and boxes of
        several cells, which it prints in an order of its own; column labels printed one by one, each
        its own piece, show the order of the pieces of numbers after them). An order that makes a
        piece (numbers between empty lines) anything but a rectangle of cells read line by line is not
        the copy's, where the copy prints such blocks; nor one that puts a negative or fractional
        number into a count; and a run the orders left open takes the one ``decided`` for its shape."""
        cuts = state["cuts"]
        pieces = [run[a:b] for a, b in zip([0, *cuts], [*cuts, len(run)], strict=True) if a < b]
        sequences = [pieces]
        if len(rows) > 1 and len(columns) > 1 and len(pieces) > 1 and max(map(len, pieces)) > 1 and state["joined"]:
            if len(pieces) > MAX_SHUFFLED:  # too many orders to try: every cell in doubt
                keys = [f"{row}.{column}" for row in rows for column in columns]
                doubt.update(keys)
                filled.update(dict.fromkeys(keys))
                return True
            sequences = [list(order) for order in permutations(pieces)]
        places = {f"{row}.{column}": (r, c) for r, row in enumerate(rows) for c, column in enumerate(columns)}
        orders = [(by, dict(zip(keys, [tok for piece in sequence for tok in piece], strict=True)),
                   _rectangles(keys, sequence, places)) for sequence in sequences for by, keys in (
            ("rows", [f"{row}.{column}" for row in rows for column in columns]),
            ("columns", [f"{row}.{column}" for column in columns for row in rows]),
        )]
        # A count cannot be negative or have decimals: an order that puts such a number there is not it.
        possible = [o for o in orders if all(_fits_kind(kinds[k], tok) for k, tok in o[1].items())] or orders
        if in_blocks:
            possible = [o for o in possible if o[2]] or possible
        shape = (len(rows), len(columns), tuple(map(len, pieces)), state["joined"])
        if len(rows) > 1 and len(columns) > 1:
            ways = {by for by, *_ in possible}
            if len(ways) == 1:
                settled.setdefault(shape, set()).update(ways)
            elif shape in decided:
                possible = [o for o in possible if o[0] == decided[shape]]
        cells = [o[1] for o in possible]
        doubt.update(k for k, tok in cells[0].items() if any(tok.value != o[k].value for o in cells))
        filled.update((k, None if tok.kind == "blank" else tok) for k, tok in cells[0].items())
        state["columns"] = columns
        return True

    def dropped(rows: list[str], columns: list[str], run: list[Token]) -> bool:
        """A run one or two numbers short of ``rows`` × ``columns`` (blank cells the copy dropped): every
        place of the blanks in both orders (rows one after another, a column at a time) that puts no
        negative or fractional number into a count is a reading; the cells all readings agree on are
        read, the others are in doubt (all of them where more blanks are missing or none fits)."""
        grids = ([f"{row}.{column}" for row in rows for column in columns],
                 [f"{row}.{column}" for column in columns for row in rows])
        holes = len(grids[0]) - len(run)
        readings = []
        if 0 < holes <= MAX_DROPPED:
            for keys in grids:
                for gaps in combinations(range(len(keys)), holes):
                    numbers = iter(run)
                    cells = {k: None if n in gaps else next(numbers) for n, k in enumerate(keys)}
                    if all(tok is None or _fits_kind(kinds[k], tok) for k, tok in cells.items()):
                        readings.append(cells)
        for key in grids[0]:
            got = {None if r[key] is None or r[key].kind == "blank" else r[key].value for r in readings}
            if len(got) == 1 and (tok := readings[0][key]) is not None and tok.kind != "blank":
                filled[key] = tok
            else:
                filled[key] = None
                doubt.add(key)
        return True

    def fills(rows: list[str], columns: list[str], run: list[Token]) -> bool:
        """Whether ``run`` is exactly the open cells of ``rows`` (of one sub-table), or of their ``columns``."""
        own = [c.key for c in table.block_of(rows[0]).columns]
        keys = [f"{table.key}.{row}.{c}" for row in rows for c in ([c for c in columns if c in own] or own)]
        return len(run) == len(keys) and not any(k in filled for k in keys)

    def place_rows(rows: list[str], columns: list[str], run: list[Token]) -> bool:
        """A run after row labels: the rows' open cells, or where column labels stand right before the
        row labels those columns' cells; a run too short for whole rows: the column in hand's cells. Row
        labels of several sub-tables (pdf2txt prints the next sub-table's first row label before the
        numbers above it): the rows of the one sub-table the run fills exactly, if only one does."""
        spans = [[r for r in rows if table.block_of(r) is blk] for blk in blocks]
        spans = [span for span in spans if span]
        if len(spans) > 1:
            fitting = [span for span in spans if fills(span, columns, run)]
            if len(fitting) != 1:
                return False
            rows = fitting[0]
            state["block"] = next(n for n, blk in enumerate(blocks) if blk is table.block_of(rows[0]))
        own = [c.key for c in table.block_of(rows[0]).columns]
        prefixed = [f"{table.key}.{row}" for row in rows]
        whole = [k for k in (f"{row}.{c}" for row in prefixed for c in own) if k not in filled]
        columns = [c for c in columns if c in own] or ([] if columns or len(run) == len(whole) else
                                                       [c for c in state["columns"] if c in own])
        if columns and len(run) == len(rows) * len(columns) \
                and not any(f"{row}.{c}" in filled for row in prefixed for c in columns):
            return grid(prefixed, columns, run)
        if columns and 0 < len(rows) * len(columns) - len(run) <= MAX_DROPPED \
                and not any(f"{row}.{c}" in filled for row in prefixed for c in columns):
            return dropped(prefixed, columns, run)  # a blank cell dropped: which one, no label says
        return _fill(filled, whole, run)

    def open_column(column: str) -> bool:
        return any(open_rows(b, column) for b, blk in enumerate(blocks) if any(c.key == column for c in blk.columns))

    def place(run: list[Token]) -> bool:
        # a column with no cell left open is a header printed again (on the next page), not the run's
        named = [lab for lab in state["heads"] if lab.kind == "row" or lab.kind == "column" and open_column(lab.key)]
        if not named:  # no label recognised: the next row of the sub-table in hand
            block = blocks[state["block"]]
            for row in block.rows:
                keys = [f"{table.key}.{row.key}.{c.key}" for c in block.columns if f"{table.key}.{row.key}.{c.key}" not in filled]
                if keys:
                    return _fill(filled, keys, run)
            return False
        kind, trail = named[-1].kind, _trail(named)
        if kind == "row":
            state["block"] = next(n for n, blk in enumerate(blocks) if any(r.key == trail[0] for r in blk.rows))
            # the column labels printed right before the row labels, if any
            return place_rows(trail, _trail(named[: len(named) - len(trail)]), run)
        if lone_last and len(trail) > 1 and not any(set(trail) <= {c.key for c in blk.columns} for blk in blocks):
            trail = trail[-1:]
        same = [b for b, blk in enumerate(blocks) if set(trail) <= {c.key for c in blk.columns}
                and len(open_rows(b, trail[0])) * len(trail) >= len(run)]
        if same:  # columns of one sub-table: their rows one after another, or a column at a time
            b = state["caption"] if state["caption"] in same else same[0]
            state["block"] = b
            if len(run) % len(trail):  # a blank cell dropped: which one, no label says
                rows = [k.rsplit(".", 1)[0] for k in open_rows(b, trail[0])]
                state["columns"] = trail
                return dropped(rows, trail, run)
            rows = [k.rsplit(".", 1)[0] for k in open_rows(b, trail[0])[: len(run) // len(trail)]]
            return grid(rows, trail, run)
        if len(trail) == 1:  # one column's open cells over consecutive sub-tables, ending with one of them
            keys = []
            for b, blk in enumerate(blocks):
                if any(c.key == trail[0] for c in blk.columns):
                    keys += open_rows(b, trail[0])
                    if len(keys) >= len(run):
                        break
            if len(keys) == len(run):
                state["block"], state["columns"] = b, trail
                return _fill(filled, keys, run)
        if len(run) % len(trail):
            return False
        per, keys = len(run) // len(trail), []
        for column in trail:  # columns of several sub-tables, each before its numbers: a column at a time
            fits = [b for b, blk in enumerate(blocks)
                    if any(c.key == column for c in blk.columns) and len(open_rows(b, column)) >= per]
            if not fits:
                return False
            b = state["caption"] if state["caption"] in fits else fits[0]
            state["block"] = b
            keys += open_rows(b, column)[:per]
        state["columns"] = trail
        return _fill(filled, keys, run)

    for state["heads"], run, state["cuts"], state["joined"] in runs:
        for lab in state["heads"]:
            if lab.kind == "caption":
                state["caption"] = state["block"] = int(lab.key)
        if run and not place(run):
            return None
    return (filled, doubt, settled) if len(filled) == len(table.cells()) else None


def _rectangles(keys: list[str], pieces: list[list[Token]], places: dict[str, tuple[int, int]]) -> bool:
    """Whether each piece, given the cells ``keys`` in turn, is a rectangle of the grid (``places``: key
    → row, column) read line by line, left to right (a block of a copy: a column's run, a row's, or
    several rows of several columns)."""
    at = 0
    for piece in pieces:
        spots = [places[k] for k in keys[at : at + len(piece)]]
        at += len(piece)
        rows = sorted({r for r, _ in spots})
        columns = sorted({c for _, c in spots})
        if spots != [(r, c) for r in rows for c in columns] or rows != list(range(rows[0], rows[-1] + 1)) \
                or columns != list(range(columns[0], columns[-1] + 1)):
            return False
    return True



_LabelRun = tuple[list[Label], list[Token], list[int], bool]


def _label_runs(tokens: list[Token], index: LabelIndex) -> list[_LabelRun]:
    """The section's runs of numbers (page folios left out), each with the labels printed since the
    run before, where empty lines cut the run, and whether column labels stood together on one line."""
    page_numbers = folios(tokens)
    out: list[_LabelRun] = []
    heads: list[Label] = []
    run: list[Token] = []
    cuts: list[int] = []  # where an empty line stands between the run's numbers
    joined = False
    for tok in tokens:
        if tok.kind in ("value", "blank"):
            if id(tok) not in page_numbers:
                run.append(tok)
            continue
        if tok.kind == "gap" and run and (not cuts or cuts[-1] != len(run)):
            cuts.append(len(run))
        if tok.kind != "text":
            continue
        if run:
            out.append((heads, run, cuts, joined))
            heads, run, cuts, joined = [], [], [], False
        label = index.match(tok.norm, in_header=True)
        if label is None:  # header cells printed on one line: 本年新制作数量 本年新公开数量
            parts = [index.match(normalize_label(part), in_header=True) for part in tok.text.split()]
            if len(parts) > 1 and all(lab is not None and lab.kind == "column" for lab in parts):
                heads.extend(parts)
                joined = True
            continue
        heads.append(label)
    out.append((heads, run, cuts, joined))
    return out


def _spills_joined(table: Table, runs: list[_LabelRun]) -> list[_LabelRun]:
    """The runs, each run printed right after a caption and before that sub-table's column labels (no
    label of its own) joined to the run before it: the end of the previous sub-table's numbers, which
    pdf2txt printed after the next caption."""
    out = list(runs)
    n = 1
    while n < len(out) - 1:
        heads, run, cuts, joined = out[n]
        captions = [int(lab.key) for lab in heads if lab.kind == "caption"]
        named = [lab for lab in out[n + 1][0] if lab.kind in ("row", "column")]
        own = {c.key for c in table.blocks[captions[-1]].columns} if captions else set()
        if captions and run and not any(lab.kind in ("row", "column") for lab in heads) and named \
                and named[0].kind == "column" and named[0].key in own:
            before = out[n - 1]
            out[n - 1] = (before[0], before[1] + run, [*before[2], len(before[1]), *(len(before[1]) + c for c in cuts)],
                          before[3])
            out[n + 1] = (heads + out[n + 1][0], *out[n + 1][1:])
            del out[n]
            continue
        n += 1
    return out


def _trail(labels: list[Label]) -> list[str]:
    """The keys of the last labels of one kind (the columns, or the rows, printed last in a row)."""
    trail: list[str] = []
    for lab in reversed(labels or []):
        if lab.kind != labels[-1].kind:
            break
        trail.insert(0, lab.key)
    return trail


def _fits_kind(kind: str, tok: Token) -> bool:
    """Whether a printed number can stand in a cell of this kind (a count is a whole number ≥ 0)."""
    return kind != "count" or tok.value is None or (tok.value >= 0 and tok.value == int(tok.value))


def _fill(filled: dict[str, Token | None], keys: list[str], run: list[Token]) -> bool:
    if len(keys) != len(run):
        return False
    for key, tok in zip(keys, run, strict=True):
        filled[key] = None if tok.kind == "blank" else tok
    return True


# ------------------------------------------------------------------ shared with the other copy decoders


@dataclass
class Decoded:
    """A table read column by column: key → token (None: blank), and the keys readings disagree on; the
    cells read as 0 that may be blank (``zero_or_blank``: every reading prints 0 there or leaves the cell
    blank — a copy printing each number a box of its own, and a column one short: no run shows which of
    its zeros stands where), and the cells read as the readings with the fewest parts printed out of
    column order give them (``order_assumed``)."""

    cells: dict[str, Token | None]
    unsure: list[str]
    zero_or_blank: list[str] = field(default_factory=list)
    order_assumed: list[str] = field(default_factory=list)


def folios(tokens: list[Token]) -> set[int]:
    """The page folios (a line ``- 3 -``): ids of their tokens (the number and its dashes)."""
    lines: dict[int | None, list[Token]] = {}
    for tok in tokens:
        if not tok.grid and tok.where.line is not None:
            lines.setdefault(tok.where.line, []).append(tok)
    return {id(tok) for line in lines.values()
            if [t.kind for t in line] == ["blank", "value", "blank"] and line[0].text == line[2].text == "-"
            for tok in line}


def box_columns(text: str, columns: dict[str, str]) -> tuple[list, bool]:
    """The column labels one box prints: whole and in order, or only as a mix of their characters
    (``[None]`` when the box is not made of column labels)."""
    whole: list[str] = []
    rest = text
    while rest:
        label = next((lab for lab in sorted(columns, key=len, reverse=True) if rest.startswith(lab)), None)
        if label is None:
            break
        whole.append(columns[label])
        rest = rest[len(label):]
    if not rest:
        return whole, True
    # A mix: the fewest labels whose characters together are the box's (at most one of each column).
    chars = sorted(text)
    labels = sorted(columns.items(), key=lambda item: item[1])
    for n in range(2, 5):
        for combo in combinations(labels, n):
            if len({key for _, key in combo}) == n and sorted("".join(lab for lab, _ in combo)) == chars:
                return [key for _, key in combo], False
    return [None], False


def agreed(keys: list[str], readings: list[dict[str, Token | None]]) -> Decoded | None:
    """The cells every reading prints the same number in (None: no such cell). A cell the readings
    agree is blank stays unread too: a copy that drops blank cells also drops numbers it prints
    elsewhere (after the section, at the page's end), and a missing number is no proof of a blank."""
    first = readings[0]
    agreed = {k for k in keys if first.get(k) is not None
              and all(k in r and k not in getattr(r, "mixed", ()) and not differs(first[k], r[k]) for r in readings)}
    if not agreed:
        return None
    return Decoded({k: first[k] for k in keys if k in agreed}, [k for k in keys if k not in agreed])


def differs(a: Token | None, b: Token | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return a.value != b.value


__all__ = ["Decoded", "Placed", "agreed", "box_columns", "differs", "folios", "read"]
