"""Document → token stream: the cells and text pieces of a report in reading order.

Every layout a report is published in ends up as one flat sequence: label-ish text, numbers,
blank cells and blank lines, each with its provenance. Grid tokens come from cells the source
delimited (tabs, ``|``, HTML); line tokens come from running text, where a line may also end in
space-separated numbers (PDF extraction: ``四、结转下年度继续办理 0 0 0 0 0 0 0``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from ..document import Document, Line, Provenance, TableBlock
from ..text import normalize_label

TokenKind = Literal["value", "blank", "text", "gap"]

_NUMBER = r"[+\-]?\d[\d,]*(?:\.\d+)?"
_UNIT = r"(?:万元|万|元|件|条|个|项|次|起|宗)?"
VALUE_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*{_UNIT}\s*$")
# One space-separated cell at a line's end: a number (with its unit) or a dash for an empty cell.
_CELL_RE = re.compile(rf"{_NUMBER}{_UNIT}|[-—–－/]{{1,2}}")
# Printed markers meaning "nothing here": a dash, a slash, 无.
_DASH = {"-", "—", "–", "－", "/", "／", "无", "——", "\\", "--"}


@dataclass(frozen=True, slots=True)
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
    if folded in _DASH:
        return "blank", stripped, "", None
    value = parse_number(folded)
    if value is not None:
        return "value", stripped, "", value
    return "text", stripped, normalize_label(stripped), None


def _cell_token(text: str, where: Provenance, grid: bool, row_start: bool, block: int) -> Token:
    kind, stripped, norm, value = _classify(text)
    return Token(kind, stripped, norm, where, grid, row_start, value, block=block)


def _section_break() -> re.Pattern[str]:
    """Where a report flattened onto one line (DOCX/PDF copies) starts one of its six sections."""
    from ..formats.common import SECTIONS

    titles = sorted({t[:4] for s in SECTIONS for t in (s.title, *s.aliases)}, key=len, reverse=True)
    return re.compile(r"(?<=[。；;！!\s])(?=[一二三四五六]、\s*(?:" + "|".join(map(re.escape, titles)) + "))")


_SECTION_BREAK = _section_break()
LONG_LINE = 300


_MARKUP = re.compile(r"^\s{0,3}#{1,6}\s+|\*\*|__|^\s*>\s?")


def _line_tokens(line: Line, block: int) -> list[Token]:
    raw = _MARKUP.sub("", line.text) if ("#" in line.text or "*" in line.text or ">" in line.text) else line.text
    if len(raw) > LONG_LINE:
        pieces = [p for p in _SECTION_BREAK.split(raw) if p.strip()]
        if len(pieces) > 1:
            return [t for p in pieces for t in _line_tokens(Line(p, line.where), block)]
    if not raw.strip():
        return [Token("gap", "", "", line.where, False, True, whitespace=bool(raw), block=block)]
    if "\t" in raw.strip():
        # A lone tab-delimited line: cells as delimited (a leading empty cell kept) — but a single
        # field after tabs is indentation, not an empty cell before it.
        fields = raw.rstrip().split("\t")
        if sum(bool(f.strip()) for f in fields) < 2:
            fields = raw.strip().split("\t")
        return [
            _cell_token(f, Provenance(line=line.where.line, col=i), True, i == 0, block)
            for i, f in enumerate(fields)
        ]
    text = raw.strip()
    if " " not in text and "\u3000" not in text:  # one word: a cell, a label or a sentence
        return [_cell_token(text, line.where, False, True, block)]
    folded = unicodedata.normalize("NFKC", raw.rstrip())
    cells = _trailing_cells(folded)
    start = cells[0][0] if cells else 0
    if not cells or (folded[:start].strip() and _is_prose_number(folded.strip(), len(folded[:start].strip()))):
        return [_cell_token(text, line.where, False, True, block)]
    head = folded[:start].strip()
    tokens = [_cell_token(head, line.where, False, True, block)] if head else []
    for i, (position, piece) in enumerate(cells):
        token = _cell_token(piece, line.where, False, not head and i == 0, block)
        # Text copies of PDFs (pdftotext -layout) align a column's numbers by character offset.
        tokens.append(replace(token, x=position + len(piece) / 2))
    return tokens


def _trailing_cells(text: str) -> list[tuple[int, str]]:
    """The space-separated cells a line ends with (numbers, dashes), with their offsets.

    A linear walk back over the line's words: a regex anchored at the end would backtrack
    quadratically on a long run of numbers that ends in a word."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
    start = len(words)
    while start > 0 and _CELL_RE.fullmatch(words[start - 1][1]):
        start -= 1
    return words[start:]


def _is_prose_number(text: str, start: int) -> bool:
    """A number closing a sentence (``…发布信息 176``) rather than a table's cells."""
    before = text[:start].rstrip()
    return len(before) > 60 or before.endswith(("第", "年", "月", "日", "号", "电话", ":", "："))


def tokenize(document: Document) -> list[Token]:
    """Flatten the document's blocks into one token stream."""
    tokens: list[Token] = []
    for b, block in enumerate(document.blocks):
        if isinstance(block, Line):
            tokens.extend(_line_tokens(block, b))
        elif isinstance(block, TableBlock):
            for row in block.rows:
                for i, cell in enumerate(row):
                    tokens.append(_cell_token(cell.text, cell.where, True, i == 0, b))
    return tokens
