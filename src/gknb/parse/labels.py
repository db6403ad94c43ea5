"""Recognising a table's printed labels, derived from the format declaration.

Each table of a format gets a ``LabelIndex``: its row labels (with group, aliases and the
numbering-free "core" of each), group labels, column labels, captions and header cells, all in
comparison form. Matching tolerates what real reports do: variant numbering (``1、``/``1．``/
``(一)``), labels printed with spaces or wrapped across lines, junk glued before a label by PDF
extraction, and near-misses (a character or two off), which are reported as label variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from typing import Literal

from ..formats import FORMATS, Table
from ..text import normalize_label

LabelKind = Literal["row", "group", "column", "caption", "header", "extra"]

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|\d+\.|\d+(?=[^\d.]))")
MIN_PREFIX = 6  # shortest fragment accepted as the start of a wrapped label
MIN_FUZZY = 5
_UNSEEN = object()  # LabelIndex.memo's marker of a text not matched yet


def core(norm: str) -> str:
    """The label without its numbering: ``(三)不予公开`` → ``不予公开``; ``1.属于国家秘密`` → ``属于国家秘密``."""
    return _NUMBERING.sub("", norm, count=1)


@dataclass(frozen=True)
class Label:
    kind: LabelKind
    key: str  # row key, column key, caption's block index, or the header text
    official: str  # official printed form (normalised)
    exact: bool  # the text matched the official form (or only its numbering differs)


@dataclass
class LabelIndex:
    """All printed labels of one table of one format, ready for matching."""

    table: Table
    rows_exact: dict[str, Label]
    header_exact: dict[str, Label]
    long_rows: list[tuple[str, Label]]  # (core, label) for prefix / suffix / fuzzy matching
    memo: dict[tuple[str, bool, bool], Label | None] = field(default_factory=dict)

    def match(self, norm: str, *, in_header: bool, fuzzy: bool = False) -> Label | None:
        """The label a token's text stands for, or None. ``in_header``: no data row seen yet."""
        key = (norm, in_header, fuzzy)
        found = self.memo.get(key, _UNSEEN)  # one lookup: a remembered None is an answer too
        if found is _UNSEEN:
            if len(self.memo) > 50_000:
                self.memo.clear()
            found = self.memo[key] = self._match(norm, in_header, fuzzy)
        return found

    def _match(self, norm: str, in_header: bool, fuzzy: bool) -> Label | None:
        if not norm:
            return None
        stripped = core(norm)
        lookups = [(self.rows_exact, norm), (self.rows_exact, stripped), (self.header_exact, norm)]
        if stripped == norm:  # header cells carry no numbering: "(六)其他" is no 其他 column
            lookups.append((self.header_exact, stripped))
        if in_header:
            lookups.sort(key=lambda pair: pair[0] is not self.header_exact)
        for table, text in lookups:
            hit = table.get(text)
            if hit:
                return hit
        # Junk before the label (PDF fragments of a neighbouring merged cell): "度办(二)部分公开…".
        for label_core, label in self.long_rows:
            if len(label_core) >= 4 and norm.endswith(label_core) and len(norm) - len(label_core) <= 16:
                return label
        if len(stripped) >= MIN_PREFIX:
            for label_core, label in self.long_rows:
                if label_core.startswith(stripped):
                    return label
                rest = stripped[len(label_core):]
                # Trailing junk (行政许可(件)) — but not a next label's numbering: (三)不予公开1.属于国…
                if len(label_core) >= 4 and stripped.startswith(label_core) and len(rest) <= 6 \
                        and not _NUMBERING.match(rest):
                    # digits after it may be a number the label took in (``行政许可 66 ,`` of ``66 , 229``): named
                    return _variant(label) if any(c.isdigit() for c in rest) else label
        if fuzzy and len(stripped) >= MIN_FUZZY:
            best, best_ratio = None, 0.0
            for label_core, label in self.long_rows:
                if abs(len(label_core) - len(stripped)) > max(3, len(label_core) // 3):
                    continue
                ratio = SequenceMatcher(None, stripped, label_core).ratio()
                if ratio > best_ratio:
                    best, best_ratio = label, ratio
            if best is not None and best_ratio >= 0.75:
                return _variant(best)
        return None


def _variant(label: Label) -> Label:
    return Label(label.kind, label.key, label.official, exact=False)


@cache
def label_index(version: str, table_key: str) -> LabelIndex:
    """The (cached) label index of one table of one format version."""
    table = FORMATS[version].table(table_key)
    rows: dict[str, Label] = {}
    header: dict[str, Label] = {}
    long_rows: list[tuple[str, Label]] = []

    def add(target: dict[str, Label], printed: str, kind: LabelKind, key: str, official: str, *, short_core: bool):
        norm = normalize_label(printed)
        exact = normalize_label(printed) == official or core(norm) == core(official)
        label = Label(kind, key, official, exact)
        target.setdefault(norm, label)
        label_core = core(norm)
        if len(label_core) > 2 or short_core:
            target.setdefault(label_core, label)

    for block_index, block in enumerate(table.blocks):
        if block.caption:
            official = normalize_label(block.caption)
            for printed in (block.caption, *block.caption_aliases):
                add(header, printed, "caption", str(block_index), official, short_core=False)
        for text in block.header_labels:
            add(header, text, "header", normalize_label(text), normalize_label(text), short_core=True)
        for text in block.extra_columns:
            add(header, text, "extra", normalize_label(text), normalize_label(text), short_core=True)
        for col in block.columns:
            official = normalize_label(col.label)
            for printed in (col.label, *col.aliases):
                add(header, printed, "column", col.key, official, short_core=True)
        for row in block.rows:
            official = normalize_label(row.label)
            for printed in (row.label, *row.aliases):
                add(rows, printed, "row", row.key, official, short_core=row.key == "total")
                norm = normalize_label(printed)
                if len(core(norm)) >= 4:
                    long_rows.append((core(norm), Label("row", row.key, official, norm == official)))
    for group in table.group_labels:
        official = normalize_label(group)
        add(rows, group, "group", official, official, short_core=False)
        if len(core(official)) >= 4:
            long_rows.append((core(official), Label("group", official, official, True)))
    long_rows.sort(key=lambda item: -len(item[0]))
    return LabelIndex(table, rows, header, long_rows)


_NUMBERED_HEADING = re.compile(r"^[一二三四五六]、")


@cache
def heading_like_rows() -> tuple[str, ...]:
    """Starts (5 characters) of table rows printed like section headings: 一、本年新收…, 四、结转下年度…"""
    labels = {
        normalize_label(text)
        for fmt in FORMATS.values() for table in fmt.tables
        for text in (*table.group_labels, *(t for b in table.blocks for r in b.rows for t in (r.label, *r.aliases)))
    }
    return tuple(sorted({label[:5] for label in labels if _NUMBERED_HEADING.match(label)}))


@cache
def table_hints() -> tuple[str, ...]:
    """Texts that only the statistical tables print: captions (第二十条第…), the numbered rows of
    section 三 and the 勾稽关系 note."""
    hints = {"勾稽关系"}
    for fmt in FORMATS.values():
        for table in fmt.tables:
            for block in table.blocks:
                if block.caption:
                    hints.add(normalize_label(block.caption)[:5])
            for text in (*table.group_labels, *(t for b in table.blocks for r in b.rows for t in (r.label, *r.aliases))):
                label = normalize_label(text)
                if _NUMBERED_HEADING.match(label):
                    hints.add(core(label))
    return tuple(sorted(hints))
