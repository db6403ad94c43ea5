"""Document → token stream: the cells and text pieces of a report in reading order.

Every layout a report is published in ends up as one flat sequence: label-ish text, numbers,
blank cells and blank lines, each with its provenance. Grid tokens come from cells the source
delimited (tabs, ``|``, HTML); line tokens come from running text, where a line may also end in
space-separated numbers (PDF extraction: ``四、结转下年度继续办理 0 0 0 0 0 0 0``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from ..document import Document, Line, Provenance, TableBlock
from ..text import is_wide, nfkc, normalize_label

if TYPE_CHECKING:
    from ..formats import Equation

TokenKind = Literal["value", "blank", "text", "gap"]

_NUMBER = r"[+\-]?\d[\d,]*(?:\.\d+)?"
_UNIT_WORD = r"(?:万元|万|元|件|条|个|项|次|起|宗)"
_UNIT = _UNIT_WORD + "?"
_DASH_MARK = r"[-—–－/]{1,2}"  # a dash or a slash for an empty cell, as a line's cells print it
VALUE_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*{_UNIT}\s*$")
# One space-separated cell at a line's end: a number (with its unit) or a dash for an empty cell.
_CELL_RE = re.compile(rf"{_NUMBER}{_UNIT}|{_DASH_MARK}{_UNIT}")
# A cell's number with a note in brackets after it: ``55（含自然失效 29 件）``.
_NOTED = re.compile(rf"^\s*(?P<cell>{_NUMBER}\s*{_UNIT})\s*\((?P<note>[^()]*)\)\s*$")
# Printed markers meaning "nothing here": a dash, a slash, 无.
_DASH_UNIT = re.compile(rf"^{_DASH_MARK}\s*{_UNIT_WORD}$")  # a dash a page's template gave the unit of its numbers: ``-件``
_DASH = {"-", "—", "–", "－", "/", "／", "无", "——", "\\", "--"}


@dataclass(slots=True, unsafe_hash=True)  # not frozen: a frozen __init__ was a fifth of parsing; never mutated
class Token:
    kind: TokenKind
    text: str  # as printed, stripped
    norm: str  # comparison form (see normalize_label); "" for values and blanks
    where: Provenance
    grid: bool  # delimited by the source (a table cell) rather than a line of running text
    row_start: bool  # first token of its grid row or text line
    value: int | Decimal | None = None
    whitespace: bool = False  # for gaps: the line held spaces/tabs (an empty cell), not nothing
    block: int = -1  # index of the document block the token comes from
    x: float | None = None  # for cells at a line's end: character offset of the cell's centre
    glued: bool = False  # for values: digits of several cells printed with no separator (``3960181``)
    page_break: bool = False  # first token of a line that starts a new page (a text copy's form feed)
    stacked: bool = False  # for values: of one of two rows printed on one line, which of them not sure (_unstacked)
    unordered: bool = False  # for values: one of two numbers a grid cell holds from two cells side by side (_grid_unwrapped)
    # for values: a count joined from a head and a tail a narrow cell wrapped onto two lines of single-spaced
    # cells (_rejoined_wraps): of its row, but where among the row's other cells the copy does not say
    floating: bool = False
    wrapped: bool = False  # for values: a count a narrow cell wrapped inside a thousands group, rejoined (_regrouped)


def parse_number(text: str) -> int | Decimal | None:
    """The number a cell prints (``1,234`` → 1234, ``160.5964万元`` → Decimal), or None."""
    match = VALUE_RE.match(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    raw = match.group("num").replace(",", "")
    try:
        return int(raw) if "." not in raw else Decimal(raw)
    except (ValueError, InvalidOperation):
        return None


@lru_cache(maxsize=1 << 16)
def _classify(text: str) -> tuple[TokenKind, str, str, int | Decimal | None]:
    """What a piece of printed text is: (kind, stripped text, comparison form, value)."""
    stripped = text.strip()
    if not stripped:
        return "blank", "", "", None
    folded = unicodedata.normalize("NFKC", stripped)
    if folded in _DASH or _DASH_UNIT.match(folded):
        return "blank", stripped, "", None
    value = parse_number(folded)
    if value is None and (noted := _NOTED.match(folded)):  # 55（含自然失效 29 件）: the number, noted
        value = parse_number(noted.group("cell"))
    if value is not None:
        return "value", stripped, "", value
    return "text", stripped, normalize_label(stripped), None


def _cell_token(text: str, where: Provenance, grid: bool, row_start: bool, block: int,
                x: float | None = None) -> Token:
    kind, stripped, norm, value = _classify(text)
    return Token(kind, stripped, norm, where, grid, row_start, value, False, block, x)


@lru_cache(maxsize=1)
def _section_break() -> re.Pattern[str]:
    """Where a report flattened onto one line (DOCX/PDF copies) starts one of its six sections (compiled
    on first use: most reports have no such line)."""
    from ..formats.common import SECTIONS

    starts = sorted({t[:4] for s in SECTIONS for t in (s.title, *s.aliases)}, key=len, reverse=True)
    # A heading glued to what precedes it (``…432.52元三、收到和处理…``) counts when its full title follows.
    titles = sorted({f"{s.number}、{t}" for s in SECTIONS for t in (s.title, *s.aliases)}, key=len, reverse=True)
    return re.compile(
        r"(?<=[。；;！!\s])(?=[一二三四五六]、\s*(?:" + "|".join(map(re.escape, starts)) + "))"
        r"|(?<=\S)(?=" + "|".join(map(re.escape, titles)) + ")"
    )


_NOTE_AFTER_NUMBER = re.compile(r"(\d)\s*\([^()]{1,40}\)")
LONG_LINE = 300


_MARKUP = re.compile(r"^\s{0,3}#{1,6}\s+|\*\*|__|^\s*>\s?")


def _line_tokens(line: Line, block: int) -> list[Token]:
    tokens = _line_pieces(line, block)
    if line.text.startswith("\f") and tokens:  # pdftotext and pdf2txt.py end each page with a form feed
        tokens[0].page_break = True
    return tokens


def _line_pieces(line: Line, block: int) -> list[Token]:
    raw = _MARKUP.sub("", line.text) if ("#" in line.text or "*" in line.text or ">" in line.text) else line.text
    if len(raw) > LONG_LINE:
        pieces = [p for p in _section_break().split(raw) if p.strip()]
        if len(pieces) > 1:
            return [t for p in pieces for t in _line_pieces(Line(p, line.where), block)]
    text = raw.strip()
    if not text:
        return [Token("gap", "", "", line.where, False, True, None, bool(raw), block)]
    if "\t" in text:
        # A lone tab-delimited line: cells as delimited (a leading empty cell kept) — but a single
        # field after tabs is indentation, not an empty cell before it.
        fields = raw.rstrip().split("\t")
        if sum(bool(f.strip()) for f in fields) < 2:
            fields = raw.strip().split("\t")
        return [
            _cell_token(f, Provenance(line=line.where.line, col=i), True, i == 0, block)
            for i, f in enumerate(fields)
        ]
    if " " not in text and "\u3000" not in text:  # one word: a cell, a label or a sentence (_cell_token, inlined)
        kind, stripped, norm, value = _classify(text)
        # a number alone on a space-aligned line keeps its offset (a count's wrapped head or tail)
        x = raw.index(text) + len(text) / 2 if kind == "value" and raw.startswith("  ") else None
        return [Token(kind, stripped, norm, line.where, False, True, value, False, block, x)]
    folded = nfkc(raw.rstrip())
    # Notes after a number (55（含自然失效 29 件）) are masked, so the number stays a cell of its row.
    folded = _NOTE_AFTER_NUMBER.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), folded)
    if _SET_APART.search(folded):
        folded = _rejoined(folded)
    cells = _trailing_cells(folded)
    start = cells[0][0] if cells else 0
    if not cells or (folded[:start].strip() and _is_prose_number(folded.strip(), len(folded[:start].strip()), len(cells))):
        return [_cell_token(text, line.where, False, True, block)]
    head = folded[:start].strip()
    tokens = [_cell_token(head, line.where, False, True, block)] if head else []
    for i, (position, piece) in enumerate(cells):
        # Text copies of PDFs (pdftotext -layout) align a column's numbers by character offset.
        tokens.append(_cell_token(piece, line.where, False, not head and i == 0, block, position + len(piece) / 2))
    return tokens


_WORD = re.compile(r"\S+")
# A number whose sign or decimal point a converter set apart by one space (``- 42``, ``124 . 7281``,
# ``90. 3``): inscriptis puts a space between two ``<span>``s, and a page pasted from Word holds a
# number's digits and its ``-``/``.`` in runs of their own — or each character in a run of its own
# (``9 0 . 3``: single digits one space apart around a point are one number, not cells).
_SET_APART = re.compile(
    r"(?P<spaced>(?<!\S)(?:- ?)?\d(?: \d)+ ?\. ?\d(?: \d)*(?!\S))|(?<!\S)- (?=\d)|(?<=\d)(?: \. ?|\. )(?=\d)"
    r"|(?P<comma>(?<=\d)(?: , ?|, )(?=\d{3}(?!\d)))"  # a thousands comma in a run of its own (``66 , 229``)
)
_GAP = re.compile(r" +")
_MIN_CELL_GAP = 3  # spaces between a space-aligned line's cells, at the least
_MIN_SPACED_CELL_GAP = 2  # in a line printed one character apart (inscriptis: two spaces between cells)


def _rejoined(text: str) -> str:
    """``text`` with each number set apart made whole again (its spaces moved before it, offsets kept) —
    only in a line whose every other gap between two words is ``_MIN_CELL_GAP`` spaces or more (a
    space-aligned copy's cells; a line of single-spaced cells keeps its ``- 0``), or
    ``_MIN_SPACED_CELL_GAP`` in a line holding a number printed one character apart (``9 0 . 3``: only
    inscriptis sets a point apart, and it prints cells two spaces apart); gaps between two CJK
    characters aside (a label printed one character apart: ``行 政 许 可      8      - 1``)."""
    apart = list(_SET_APART.finditer(text))
    body = text.strip()
    first = text.index(body[0]) if body else 0
    gaps = [m for m in _GAP.finditer(text, first, first + len(body))
            if not any(a.start() <= m.start() < a.end() for a in apart)
            and not (is_wide(text[m.start() - 1]) and is_wide(text[m.end()]))]  # a label printed letter-spaced
    # only inscriptis sets a point apart between single digits, or a thousands comma: it prints cells two spaces apart
    least = _MIN_SPACED_CELL_GAP if any(a.group("spaced") or a.group("comma") for a in apart) else _MIN_CELL_GAP
    if not gaps or min(len(m.group()) for m in gaps) < least:
        return text
    out = list(text)
    for match in apart:  # left to right: a number set apart twice (``15 , 530 . 0``) joins its first part first
        start = match.start()
        while start > 0 and (out[start - 1].isdigit() or out[start - 1] in "-,"):
            start -= 1  # the whole number's start (its digits before a set-apart point or comma)
        piece = "".join(out[start:match.end()])
        joined = piece.replace(" ", "")
        out[start:match.end()] = list(" " * (len(piece) - len(joined)) + joined)
    return "".join(out)


def _trailing_cells(text: str) -> list[tuple[int, str]]:
    """The space-separated cells a line ends with (numbers, dashes), with their offsets.

    A linear walk back over the line's words: a regex anchored at the end would backtrack
    quadratically on a long run of numbers that ends in a word."""
    words = [(m.start(), m.group()) for m in _WORD.finditer(text)]
    start = len(words)
    while start > 0 and _CELL_RE.fullmatch(words[start - 1][1]):
        start -= 1
    return words[start:]


def _is_prose_number(text: str, start: int, count: int = 1) -> bool:
    """A number closing a sentence (``…发布信息 176``, ``第 3``) rather than a table's cells; a run of
    several numbers after a wrapped label's head (``4.保护第 0 0 0 0 0 0 0``) is cells."""
    before = text[:start].rstrip()
    # Before a run of numbers, the spaces of a space-aligned copy (a group label, its row label) do not count.
    length = len(re.sub(r"\s+", "", before)) if count >= 2 else len(before)
    return length > 60 or (count == 1 and before.endswith(("第", "年", "月", "日", "号", "电话", ":", "：")))


@lru_cache(maxsize=1 << 16)
def _several_numbers(text: str) -> tuple[str, ...]:
    """The numbers of a grid cell that prints several, space-separated (a converter merged columns:
    ``251 753``), a dash among them standing for a blank cell (``- 0``); empty for anything else. A
    number printed with a thousands space (``1 000``, rare in these reports) is read as two cells too:
    one more number than the row has columns, or a broken total, names it."""
    words = unicodedata.normalize("NFKC", text).split()
    numbers = [w for w in words if w not in _DASH]
    if len(words) < 2 or not numbers or not all(parse_number(w) is not None for w in numbers):
        return ()
    return tuple(words)


@lru_cache(maxsize=1)
def _glue_labels() -> tuple[frozenset[str], frozenset[str], re.Pattern[str]]:
    """Row labels (comparison form, with their numbering-free cores), the labels a run of glued
    numbers may follow (rows and columns), and a pattern finding a row label glued to a digit."""
    from ..formats import FORMATS
    from .labels import core

    rows: set[str] = set()
    printed: set[str] = set()
    columns: set[str] = set()
    for fmt in FORMATS.values():
        for table in fmt.tables:
            for block in table.blocks:
                for row in block.rows:
                    for text in (row.label, *row.aliases):
                        printed.add(unicodedata.normalize("NFKC", text))
                        rows.update({normalize_label(text), core(normalize_label(text))})
                columns.update(normalize_label(t) for c in block.columns for t in (c.label, *c.aliases))
    rows.discard("")
    columns.discard("")
    glued = re.compile("(?:" + "|".join(map(re.escape, sorted(printed, key=len, reverse=True))) + r")\d+"
                       + _PROSE_UNIT)
    return frozenset(rows), frozenset(rows | columns), glued


def is_glued(document: Document) -> bool:
    """The document prints its table cells glued together (``行政许可3960181``): a crawler's text copy
    of a web page that dropped every cell boundary. Three row labels glued to a number decide."""
    glued = _glue_labels()[2]
    # One pass over the lines joined: no label holds a line break, so no match spans two lines.
    text = nfkc("\n".join(b.text for b in document.blocks if isinstance(b, Line)))
    return next(itertools.islice(glued.finditer(text), GLUED_LABELS - 1, None), None) is not None


GLUED_LABELS = 3
# A count a sentence gives (行政许可3件): prose, not glued cells.
_PROSE_UNIT = r"(?![\d件条个项次人年月日%％名家户起宗份篇场])"
# Digits of glued cells: runs of digits (with the spaces some copies keep), a decimal part, a unit.
_GLUED_RUN = re.compile(r"\d+(?:[ \u3000]+\d+)*(?:\.\d+)?(?:万元|元)?")
_NUMBERING_AFTER = re.compile(r"[.、][^\d]")  # the run's last digit numbers the next label: 0000000|2.其他…


def _glued_tokens(line: Line, block: int) -> list[Token]:
    """A line of glued cells cut into label texts and runs of glued digits. A run counts as cells
    only after a row or column label; the row label before it becomes a token of its own."""
    rows, labels, _ = _glue_labels()
    text = unicodedata.normalize("NFKC", line.text)
    printed = line.text if len(line.text) == len(text) else text  # labels as printed where folding kept offsets
    pieces: list[tuple[str, str]] = []  # (kind, text)
    start = 0
    for match in _GLUED_RUN.finditer(text):
        run_start, run_end = match.span()
        if run_start < start:
            continue
        if _NUMBERING_AFTER.match(text, run_end) and match.group().isdigit():
            run_end -= 1
            if run_end == run_start:
                continue
        elif not re.match(_PROSE_UNIT, text[run_end:]):
            continue
        before = printed[start:run_start].strip()
        norm = normalize_label(before)
        if not norm or not any(norm.endswith(label) for label in labels):
            continue
        head, label = _split_label(before, rows)
        pieces.extend(("text", t) for t in (head, label) if t)
        pieces.append(("run", text[run_start:run_end]))
        start = run_end
    if not pieces:
        return []
    if printed[start:].strip():
        pieces.append(("text", printed[start:].strip()))
    tokens = []
    for n, (kind, piece) in enumerate(pieces):
        token = _cell_token(piece, line.where, False, n == 0, block)
        if kind == "run":
            digits = piece.replace(" ", "").replace("\u3000", "")
            token = Token("value", piece, "", line.where, False, False, parse_number(digits), block=block, glued=True)
        tokens.append(token)
    return tokens


def _split_label(text: str, rows: frozenset[str]) -> tuple[str, str]:
    """``…对外公开总数量规章`` → (``…对外公开总数量``, ``规章``): the longest row label ending the text."""
    for cut in range(max(0, len(text) - 60), len(text)):
        if normalize_label(text[cut:]) in rows:
            return text[:cut].strip(), text[cut:]
    return text, ""


def tokenize(document: Document) -> list[Token]:
    """Flatten the document's blocks into one token stream."""
    tokens: list[Token] = []
    glued = is_glued(document)
    for b, block in enumerate(document.blocks):
        if isinstance(block, Line):
            if not glued:
                tokens.extend(_line_tokens(block, b))
                continue
            pieces = [block]
            if len(block.text) > LONG_LINE:
                pieces = [Line(p, block.where) for p in _section_break().split(block.text) if p.strip()]
            for piece in pieces:
                tokens.extend(_glued_tokens(piece, b) or _line_tokens(piece, b))
        elif isinstance(block, TableBlock):
            append = tokens.append
            for row in block.rows:
                first = True
                for cell in row:
                    numbers = _several_numbers(cell.text)
                    if numbers:  # converters' broken columns: ``| 1 0 | 1 | 0 0 |``, read in order
                        tokens.extend(_cell_token(n, cell.where, True, first and k == 0, b)
                                      for k, n in enumerate(numbers))
                    else:  # _cell_token, inlined: one call less for every grid cell
                        kind, stripped, norm, value = _classify(cell.text)
                        append(Token(kind, stripped, norm, cell.where, True, first, value, False, b))
                    first = False
    if any(t.kind == "value" and "," in t.text and _BROKEN_GROUP.match(t.text) for t in tokens):
        tokens = _rejoined_wraps(tokens)
        tokens = _regrouped(tokens)
    elif any(t.x is not None for t in tokens) and not any(t.grid for t in tokens):
        tokens = _rejoined_wraps(tokens)
    if any(t.grid and t.where.row is None for t in tokens):  # a converter's Markdown grid (no cell rows)
        tokens = _grid_unwrapped(tokens)
    placed = [t for t in tokens if t.x is not None]
    if not placed:
        return tokens
    if any(t.text == STACKED for t in placed):
        tokens = _unstacked(tokens, document)
    return _unwrapped(tokens) if len(placed) > 1 else tokens


def _by_line(tokens: list[Token]) -> list[list[Token]]:
    """The tokens cut into the document blocks (lines) they come from, in order."""
    lines: list[list[Token]] = []
    for tok in tokens:
        if lines and lines[-1][0].block == tok.block:
            lines[-1].append(tok)
        else:
            lines.append([tok])
    return lines


STACKED = "00"  # two 0s at one position: no count prints so (see _unstacked)


def _unstacked(tokens: list[Token], document: Document) -> list[Token]:
    """Two table rows pdftotext -layout printed on one line, put back on two. Where the glyph boxes of two
    rows overlap (a tall font box: chromium's print of a web page), poppler takes them for one line: the
    upper row's label prints on a line of its own, the lower one's after it with both rows' digits at one
    position side by side (``00``) and the rest of both rows' numbers on lines of their own below, each
    at its column's offset. Each ``00`` is a column's two cells, each offset the numbers of a lower line
    print at is one column (its numbers top to bottom: the upper row's, the lower one's); the columns
    must be as many as the numbers of the next row line. A column printing one number gives it to the
    lower row, marked ``stacked`` (the other row's cell there is blank, which of the two is not sure)."""
    lines = _by_line(tokens)

    def placed(line: list[Token]) -> list[Token] | None:
        """A line of numbers only, each with its offset (a number alone on its line: found in the line)."""
        if len(line) == 1 and line[0].kind == "value" and line[0].x is None:
            block = document.blocks[line[0].block]
            at = block.text.find(line[0].text) if isinstance(block, Line) else -1
            return [replace(line[0], x=at + len(line[0].text) / 2)] if at >= 0 else None
        return line if all(t.kind == "value" and t.x is not None for t in line) else None

    n = 1
    while n < len(lines):
        line = lines[n]
        if not any(t.text == STACKED and t.x is not None for t in line):
            n += 1
            continue
        upper = lines[n - 1]
        spill, below = n + 1, []
        while spill < len(lines) and (numbers := placed(lines[spill])) is not None:
            below.append(numbers)
            spill += 1
        head = [t for t in line if t.x is None]
        reference = next((li for li in lines[spill:spill + 3] if li[0].kind == "text" and sum(
            t.x is not None for t in li) >= 2), None)
        columns = _stacked_columns(line, below)
        if (reference is None or any(t.kind != "text" for t in upper) or not head or line[len(head) - 1].x is not None
                or columns is None or len(columns) != sum(t.x is not None for t in reference)):
            n += 1
            continue
        xs = [t.x for t in reference if t.x is not None]
        top, bottom = [], []
        for x, cells in zip(xs, columns, strict=True):
            if len(cells) == 2:
                top.append(replace(cells[0], block=upper[0].block, where=upper[0].where, row_start=False, x=x))
            bottom.append(replace(cells[-1], block=line[0].block, where=line[0].where, row_start=False, x=x,
                                  stacked=len(cells) == 1))
        lines[n - 1 : spill] = [upper + top, head + bottom]
        n += 1
    return [t for li in lines for t in li]


_BROKEN_GROUP = re.compile(r"^\d{1,3}(?:,\d{3})*,\d{0,2}$")  # a count cut inside its last thousands group
_WHOLE_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def _regrouped(tokens: list[Token]) -> list[Token]:
    """Counts a narrow cell wrapped inside a thousands group, put back whole: ``38,34`` / ``2`` is
    38,342 (no count prints a group of two digits after its comma). Joined with the number printed
    right after it (the next line of a text copy, or beside it in one converter's cell) only where the
    two make whole groups of three; else left as printed."""
    out: list[Token] = []
    skip = False
    crossed: set[int] = set()  # joined across a line break, the head alone on its line (of the tail's line)
    for j, tok in enumerate(tokens):
        if skip:
            skip = False
            continue
        after = tokens[j + 1] if j + 1 < len(tokens) else None
        if (tok.kind == "value" and after is not None and after.kind == "value" and "," in tok.text
                and _BROKEN_GROUP.match(tok.text) and after.text.isdigit()
                and _WHOLE_GROUPS.match(joined := tok.text + after.text)):
            if after.block != tok.block and not (out and out[-1].block == tok.block):  # ``8,07`` / ``2 0 9,08 …``: the count stands on its tail's line, with the row's numbers
                out.append(replace(tok, text=joined, value=parse_number(joined), block=after.block,
                                   where=after.where, row_start=after.row_start, wrapped=True))
                crossed.add(len(out) - 1)
            else:
                out.append(replace(tok, text=joined, value=parse_number(joined), wrapped=True))
            skip = True
        else:
            out.append(tok)
    return _onto_next_line(out, crossed) if crossed else out


def _onto_next_line(tokens: list[Token], crossed: set[int]) -> list[Token]:
    """Lines left holding only counts joined across a line break (pypdf: ``4,03`` / ``6`` / ``1,00`` /
    ``9`` / ``27,2`` / ``43 0 0 41,3 69``, a row's cells wrapped one under another) put on the next line
    when it starts with a number: the row's cells on one line, in order (last lines first, so a run of
    them ends on the line of the row's other numbers)."""
    lines: list[list[int]] = []
    for j, tok in enumerate(tokens):
        if lines and tokens[lines[-1][0]].block == tok.block:
            lines[-1].append(j)
        else:
            lines.append([j])
    out = list(tokens)
    for n in range(len(lines) - 2, -1, -1):
        line, following = lines[n], lines[n + 1]
        head = out[following[0]]
        if not all(j in crossed for j in line) or head.kind != "value":
            continue
        for k, j in enumerate(line):
            out[j] = replace(out[j], block=head.block, where=head.where, row_start=k == 0 and head.row_start)
        out[following[0]] = replace(head, row_start=False)
        lines[n + 1] = line + following
    return out


def _spaced_cells(line: list[Token]) -> list[Token] | None:
    """A line's trailing cells when the line holds text (label pieces) then only numbers, each one space
    from the next (pdfplumber's and pypdf's text: offsets place nothing); None otherwise."""
    if len(line) == 1 and line[0].kind == "value":  # a number alone on its line
        return line
    cells = [t for t in line if t.x is not None]
    if not cells or any(t.kind != "value" for t in cells) or any(t.x is not None for t in line[: len(line) - len(cells)]):
        return None
    if any(t.kind != "text" for t in line[: len(line) - len(cells)]):
        return None
    if any(b.x - a.x - (len(a.text) + len(b.text)) / 2 > 1 for a, b in zip(cells, cells[1:], strict=False)):
        return None
    return cells


MAX_SHORT_HEAD = 2  # digits of a count's head a narrow cell wraps with no thousands comma (``65`` / ``3``)


def _short_heads(lines: list[list[Token]], n: int, cells: list[Token]) -> bool:
    """Whether line ``n``'s cells may be the heads of counts wrapped with no thousands comma in narrow
    cells (``65 67`` above the row's line ``0 0 12 8 0``, ``3 3`` below it): short digits, none 0, as
    many tails of digits two lines down, the line between printing numbers, and neither line around it
    printing a row's label of its own (else they are rows: ``规章 5 3 8`` / ``规范性文件 …`` / ``行政许可 …``)."""
    if n + 2 >= len(lines) or any(not t.text.isdigit() or t.text.startswith("0") or len(t.text) > MAX_SHORT_HEAD
                                  for t in cells):
        return False
    middle, below = lines[n + 1], lines[n + 2]
    tails = _spaced_cells(below)
    if tails is None or len(tails) != len(cells) or _spaced_cells(middle) is None or middle[0].kind == "value" and (
            lines[n][0].kind != "text"):
        return False
    rows = _glue_labels()[0]
    labelled = middle[0].kind == "text"
    outer = [li[0] for li in (lines[n], below) if li[0].kind == "text"]
    return not (labelled and any(t.norm in rows for t in outer) or any(t.norm in rows for t in outer[1:]))


def _rejoined_wraps(tokens: list[Token]) -> list[Token]:
    """Counts a narrow cell wrapped inside a thousands group on lines of single-spaced cells (pdfplumber's
    and pypdf's text), put back whole: the heads (``1,75``, ``170,``) on one line, their tails (``7``,
    ``521``) on the next or the one after, as many, in the same order, each head and tail making whole
    groups of three (``285,5 382,41`` / row line / ``47 1``; ``一、本年新收…申 8,07 9,08 170, 0 0`` /
    ``请数量 2 1 521``), or short heads with no comma two lines above their tails (``_short_heads``:
    ``65 67`` / ``0 0 12 8 0`` / ``3 3``). A head standing on a line of its own belongs to the row whose line comes next
    (its label there), else to the row of the head's line, with the numbers of a line between the heads
    and the tails that prints nothing else (the row's cells not wrapped, centred between the two lines). Such a line gives the cells in no order one
    can trust (a vertically centred cell prints on the row's line, its wrapped neighbours on the lines
    around it), so each joined count is marked ``floating``: the table reader places the row's numbers
    by the interleavings the identities confirm, and names what they leave open."""
    lines = _by_line(tokens)
    changed = False
    for n, line in enumerate(lines):
        cells = _spaced_cells(line)
        heads = [t for t in cells or () if _BROKEN_GROUP.match(t.text) and not t.floating]
        short = not heads and cells is not None and _short_heads(lines, n, cells)
        if short:
            heads = cells
        if not heads:
            continue
        for gap in ((2,) if short else (1, 2)):
            if n + gap >= len(lines):
                break
            below = lines[n + gap]
            tails = _spaced_cells(below)
            if (tails is None or len(tails) != len(heads) or not all(t.text.isdigit() for t in tails)
                    or below[0].block != line[0].block + gap):
                continue
            if gap == 1 and len(heads) == len(line) == len(below):
                break  # a count alone on its line over its tail alone (pypdf's cells one under another, in order)
            texts = [h.text + t.text for h, t in zip(heads, tails, strict=True)]
            if not all(_WHOLE_GROUPS.match(text) or short and not text.startswith("0") for text in texts):
                continue
            middle = lines[n + 1] if gap == 2 else None
            if middle is not None and (_spaced_cells(middle) is None or middle[0].block != line[0].block + 1):
                continue
            # the row's line: the middle one where it prints the row's label, else the heads' own
            labelled = middle is not None and middle[0].kind == "text"
            host = middle if labelled or (middle is not None and line[0].kind != "text") else line
            joined = [replace(h, text=text, value=parse_number(text), where=host[0].where, block=host[0].block,
                              row_start=False, floating=True) for h, text in zip(heads, texts, strict=True)]
            taken = {id(t) for t in heads + tails}
            lines[n] = [t for t in line if id(t) not in taken]
            lines[n + gap] = [t for t in below if id(t) not in taken]
            if host is line and middle is not None:  # the row's own cells on a line of their own: its line's
                lines[n] = lines[n] + [replace(t, where=line[0].where, block=line[0].block, row_start=False)
                                       for t in middle] + joined
                lines[n + 1] = []
            elif host is line:
                lines[n] = lines[n] + joined
            else:
                lines[n + 1] = lines[n + 1] + joined
            changed = True
            break
    return [t for li in lines for t in li if li] if changed else tokens


WRAP_DRIFT = 1.0  # a wrapped number's two lines' centres differ by at most this (display columns) …
# … beyond half the difference of their widths (``1,75`` above ``7``: pdftotext places each line's text
# by its own glyphs, so a centred head and a short tail may stand as a right-aligned pair would)


def _unwrapped(tokens: list[Token]) -> list[Token]:
    """Numbers pdftotext -layout printed wrapped inside their cells, put back whole. A count too wide
    for a narrow column wraps in its cell (``653`` → ``65`` / ``3``); vertically centred, its head
    prints on the line above its row's line and its tail on the line below, at the same offset, where
    the row's line prints nothing (``一、本年新收…申请数  65  67`` / `` 0 0 12 8 0`` / ``量  3  3``).
    Taken only where every number of the two lines pairs with one of the other at its offset, none
    stands where the row's line prints a number, and each pair reads as one number not starting with 0;
    the identities test the numbers so made as any others."""
    lines = _by_line(tokens)
    changed = False
    for n in range(1, len(lines) - 1):
        above, row, below = lines[n - 1], lines[n], lines[n + 1]
        if not (above and row and below) or not (above[0].block + 1 == row[0].block == below[0].block - 1):
            continue
        heads, tails = _wrapped_part(above), _wrapped_part(below)
        if not heads or tails is None or len(heads) != len(tails):
            continue
        cells = [t for t in row if t.kind in ("value", "blank") and t.x is not None]
        if not cells or any(t.x is None for t in row if t.kind in ("value", "blank")):
            continue
        if len(cells) > 1 and all(b.x - a.x - (len(a.text) + len(b.text)) / 2 <= 1
                                  for a, b in zip(cells, cells[1:], strict=False)):
            continue  # every cell one space from the next (pdfplumber's text): offsets place nothing
        joined = []
        for head, tail in zip(heads, tails, strict=True):
            text = head.text + tail.text
            value = parse_number(text)
            drift = WRAP_DRIFT + abs(len(head.text) - len(tail.text)) / 2
            if (abs(head.x - tail.x) > drift or head.text == "0" or text.startswith("0") or value is None
                    or any(abs(c.x - head.x) < 2 for c in cells)):
                break
            joined.append(replace(head, text=text, value=value, where=row[0].where, block=row[0].block,
                                  row_start=False, x=(head.x + tail.x) / 2))
        else:
            taken = {id(t) for t in heads + tails}
            lines[n - 1] = [t for t in above if id(t) not in taken]
            lines[n + 1] = [t for t in below if id(t) not in taken]
            label = [t for t in row if t.x is None]
            lines[n] = label + sorted(cells + joined, key=lambda t: t.x)
            changed = True
    return [t for li in lines for t in li] if changed else tokens


def _grid_rows(tokens: list[Token]) -> list[list[int]]:
    """The positions of a converter's Markdown grid rows among the tokens (each row: its cells' positions)."""
    rows: list[list[int]] = []
    for j, tok in enumerate(tokens):
        if not tok.grid or tok.where.row is not None:
            continue
        if tok.row_start or not rows or tokens[rows[-1][-1]].block != tok.block:
            rows.append([])
        rows[-1].append(j)
    return rows


def _grid_unwrapped(tokens: list[Token]) -> list[Token]:
    """Numbers a PDF wrapped inside their narrow cells, put back whole in a converter's Markdown grid
    (markitdown on a PDF): the cells' text lines become grid rows, so ``125`` vertically centred in its
    cell prints ``12`` on the label's grid row, ``5`` on the grid row after the row's numbers, in the
    same grid column (``| 一、本年新收…申请数 | … | 12 |`` / ``| | 19 | 62 | … | |`` / ``| 量 | … | 5 |``).
    Taken on the terms of ``_unwrapped``: every number of the two rows pairs with one of the other in its
    column, and each pair reads as one number not starting with 0; the identities test the numbers so
    made as any others. Where the row's own grid row prints one number in that column too, the grid
    merged two narrow cells side by side (``| 0 |`` between ``| 65 |`` and ``| 3 |``): both are kept,
    the row's number first, and marked ``unordered``, since the grid does not say which stood left."""
    rows = _grid_rows(tokens)
    out = tokens
    beside: dict[int, Token] = {}  # a row's grid cell position → the wrapped number that shares its cell
    parts = [_wrapped_part([tokens[j] for j in r if tokens[j].text], grid=True) for r in rows]
    for n, (above, row, below) in enumerate(zip(rows, rows[1:], rows[2:], strict=False)):
        heads, tails = parts[n], parts[n + 2]
        if not heads or tails is None or len(heads) != len(tails):
            continue
        own = {tokens[j].where.col: j for j in row}
        if len({h.where.col for h in heads if h.where.col in own and tokens[own[h.where.col]].text}) > 1:
            continue  # rows printed whole, one of them a grid column right (its label over two cells): not wraps
        if not (_one_grid(tokens, above, row) and _one_grid(tokens, row, below)) and not (
                all(_BROKEN_GROUP.match(h.text) for h in heads)
                and _one_grid(tokens, above, row, stray=True) and _one_grid(tokens, row, below, stray=True)):
            continue  # across a stray character only heads cut inside a thousands group, which must go on
        texts = [h.text + t.text for h, t in zip(heads, tails, strict=True)]
        if any(h.where.col != t.where.col and not (  # a count cut inside a thousands group: its tail may
                t.where.col == h.where.col + 1 and _BROKEN_GROUP.match(h.text)  # stand a grid column right
                and _WHOLE_GROUPS.match(text) and t.where.col in own and not tokens[own[t.where.col]].text)
               for h, t, text in zip(heads, tails, texts, strict=True)):
            continue
        if not any(tokens[j].kind == "value" for j in row) or any(
                h.where.col not in own or tokens[own[h.where.col]].text and tokens[own[h.where.col]].kind != "value"
                or sum(tokens[j].where.col == h.where.col for j in row) > 1 for h in heads):
            continue  # text, or a grid cell holding several numbers already, where a head stands
        if any(h.value == 0 or text.startswith("0") or parse_number(text) is None
               or "," in text and not _WHOLE_GROUPS.match(text) for h, text in zip(heads, texts, strict=True)):
            continue
        if any(out[j] is not tokens[j] for j in above + below):
            continue  # a part already taken as a wrapped number's (the tail of the row above)
        shared = {h.where.col for h in heads if tokens[own[h.where.col]].text}
        if shared and not {tokens[j].where.col for j in row if tokens[j].kind == "value"} - shared - {
                t.where.col for t in tails}:
            continue  # a row's number beside a head only in a row that prints numbers of its own too
        if out is tokens:
            out = list(tokens)
        for head, tail, text in zip(heads, tails, texts, strict=True):
            j = own[head.where.col]
            whole = replace(out[j], kind="value", text=text, value=parse_number(text))
            if out[j].text:
                unordered = out[j].value != whole.value
                out[j] = replace(out[j], unordered=unordered)
                beside[j] = replace(whole, row_start=False, unordered=unordered)
            else:
                out[j] = whole
            for part in (head, tail):
                k = next(k for k in (above if part is head else below) if tokens[k] is part)
                out[k] = replace(part, kind="blank", text="", value=None)
    if beside:
        out = [t for j, tok in enumerate(out) for t in ((tok, beside[j]) if j in beside else (tok,))]
    return out


def _one_grid(tokens: list[Token], first: list[int], second: list[int], stray: bool = False) -> bool:
    """Whether two grid rows (positions, ``_grid_rows``) follow one another in one table: in one grid
    (a ``| --- |`` line may stand between), or (``stray``) in two of as many columns with nothing
    between them but one stray character or two of a label a converter set outside the grid (``结``)."""
    if tokens[first[0]].block == tokens[second[0]].block:
        return True
    if not stray:
        return False
    between = tokens[first[-1] + 1: second[0]]
    return (len(between) == 1 and between[0].kind == "text" and not between[0].grid and len(between[0].text) <= 2
            and tokens[first[-1]].where.col == tokens[second[-1]].where.col)


def _wrapped_part(line: list[Token], grid: bool = False) -> list[Token] | None:
    """A line's numbers when it may hold wrapped numbers' parts: text (a label's piece) only before
    them, each placed by its offset (``grid``: in its grid cell), digits only; None when it may not."""
    values = [t for t in line if (t.kind == "value" if grid else t.x is not None)]
    if any(t.kind != "value" or not t.text.replace(",", "").isdigit() for t in values):
        return None
    if any(t.kind != "text" or not grid and t.x is not None for t in line[: len(line) - len(values)]):
        return None
    return values


def _stacked_columns(line: list[Token], below: list[list[Token]]) -> list[list[Token]] | None:
    """The columns of two rows printed on one line (see ``_unstacked``), left to right, each its numbers
    top to bottom (one or two); None when a column would hold more, or a number stands left of a ``00``
    after one that does not."""
    stacked = [t for t in line if t.x is not None and t.text == STACKED]
    rest = [t for t in line if t.x is not None and t.text != STACKED] + [t for li in below for t in li]
    if any(t.x < s.x for t in rest for s in stacked) or any(t.text.startswith("0") and len(t.text) > 1 for t in rest):
        return None
    zero = replace(stacked[0], text="0", value=0)
    by_x: dict[float, list[Token]] = {}
    for tok in rest:
        by_x.setdefault(tok.x, []).append(tok)
    columns = [[replace(zero, where=s.where, block=s.block)] * 2 for s in stacked] + [by_x[x] for x in sorted(by_x)]
    return None if any(len(c) > 2 for c in columns) else columns


def identity_holds(eq: Equation, cells: dict[str, Token | None], counts: bool = False) -> bool | None:
    """Whether identity ``eq`` holds over read tokens: None when a cell is not known (missing from
    ``cells``, or a token printed blank) and it can still hold. With ``counts`` (every cell a count,
    never below 0) it cannot once the side missing a cell already sums to more than the other."""
    sums, unknown = [0, 0], [False, False]
    for side, keys in enumerate((eq.lhs, eq.rhs)):
        for key in keys:
            tok = cells.get(key)
            if tok is None or tok.value is None:
                unknown[side] = True
            else:
                sums[side] += tok.value
    if not any(unknown):
        return sums[0] == sums[1]
    if counts and not all(unknown) and sums[unknown.index(True)] > sums[unknown.index(False)]:
        return False
    return None


def identities_hold(tests: list[tuple[tuple[str, ...], tuple[str, ...], bool]],
                    cells: dict[str, Token | None]) -> bool:
    """Whether no identity given as (left side, right side, counts) fails over ``cells``: each is
    ``identity_holds(...) is not False``, written out in one loop (the parsers' searches test millions)."""
    for lhs, rhs, counts in tests:
        left = right = 0
        left_unknown = right_unknown = False
        for key in lhs:
            tok = cells.get(key)
            if tok is None or tok.value is None:
                left_unknown = True
            else:
                left += tok.value
        for key in rhs:
            tok = cells.get(key)
            if tok is None or tok.value is None:
                right_unknown = True
            else:
                right += tok.value
        if not (left_unknown or right_unknown):
            if left != right:
                return False
        elif counts and left_unknown != right_unknown and (left > right if left_unknown else right > left):
            return False
    return True
