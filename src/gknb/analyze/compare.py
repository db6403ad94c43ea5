"""Comparisons: two reports cell by cell and section by section, or one agency over its years."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..formats import cell_label
from ..report import SECTION_KEYS, Report, Value, _json_value


@dataclass(frozen=True)
class CellDelta:
    """A cell whose value differs between report A and report B."""

    key: str
    label: str
    a: Value
    b: Value

    @property
    def delta(self) -> Value:
        """B − A when both are numbers."""
        return None if self.a is None or self.b is None else self.b - self.a

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "a": _json_value(self.a), "b": _json_value(self.b),
                "delta": _json_value(self.delta)}


@dataclass(frozen=True)
class SentenceChange:
    """One sentence added, removed, or changed; a changed one with its parts (``same``, ``removed``,
    ``added``) character by character, so a reader sees what changed within it."""

    kind: str  # added | removed | changed
    a: str | None
    b: str | None
    parts: tuple[tuple[str, str], ...] = ()

    def marked(self) -> str:
        """The change as one line of text: ``+…``, ``-…``, or ``~…[-old-]{+new+}…``."""
        if self.kind != "changed":
            return ("+" + (self.b or "")) if self.kind == "added" else ("-" + (self.a or ""))
        marks = {"same": "{}", "removed": "[-{}-]", "added": "{{+{}+}}"}
        return "~" + "".join(marks[op].format(text) for op, text in self.parts)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "a": self.a, "b": self.b, "parts": [list(p) for p in self.parts]}


@dataclass(frozen=True)
class SectionDiff:
    """A section whose text differs (after line breaks are normalised): similarity ratio, the changed
    sentences, and the same as text lines (``diff``: ``+``/``-``/``~``, see ``SentenceChange.marked``)."""

    key: str
    ratio: float
    diff: tuple[str, ...]
    changes: tuple[SentenceChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "ratio": round(self.ratio, 4), "diff": list(self.diff),
                "changes": [c.as_dict() for c in self.changes]}


@dataclass(frozen=True)
class Comparison:
    """Report A against report B."""

    a: Report
    b: Report
    meta: dict[str, tuple[Any, Any]]
    cells: tuple[CellDelta, ...]
    sections: tuple[SectionDiff, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": {"source": self.a.source.as_dict(), "meta": self.a.meta.as_dict()},
            "b": {"source": self.b.source.as_dict(), "meta": self.b.meta.as_dict()},
            "meta": {k: list(v) for k, v in self.meta.items()},
            "cells": [c.as_dict() for c in self.cells],
            "sections": [s.as_dict() for s in self.sections],
        }


_WIDE = r"[^\x00-\x7f]"
_NUMBER_OR_CHAR = re.compile(r"\d+(?:\.\d+)?|.", re.S)
SIMILAR = 0.5  # sentences at least this alike are shown as one changed sentence, not removed + added


def normalise_text(text: str | None) -> str:
    """Section text with the line wrapping of its medium undone: a line break or space next to a
    Chinese character is dropped, other runs of white space become one space (a PDF's wrapped lines
    and a text file's paragraphs compare equal)."""
    text = re.sub(r"\s+", " ", (text or "").strip())
    return re.sub(rf"(?<={_WIDE}) | (?={_WIDE})", "", text)


def _sentences(text: str | None) -> list[str]:
    """Text split after each sentence end, so a diff shows whole sentences."""
    if not text:
        return []
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in "。；;！？!?\n":
            piece = text[start : i + 1].strip()
            if piece:
                out.append(piece)
            start = i + 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def compare(a: Report, b: Report) -> Comparison:
    """Cell deltas (keys of either report, in print order) and section diffs between two reports."""
    meta_a, meta_b = a.meta.as_dict(), b.meta.as_dict()
    meta = {k: (meta_a[k], meta_b[k]) for k in meta_a if meta_a[k] != meta_b[k]}
    keys = list(dict.fromkeys([*a.cells, *b.cells]))
    cells = tuple(
        CellDelta(key, cell_label(key, a.meta.template, b.meta.template), a.cells.get(key), b.cells.get(key))
        for key in keys if a.cells.get(key) != b.cells.get(key)
    )
    sections = []
    for key in SECTION_KEYS:
        text_a, text_b = normalise_text(a.sections.get(key)), normalise_text(b.sections.get(key))
        if text_a == text_b:
            continue
        ratio = difflib.SequenceMatcher(None, text_a, text_b, autojunk=False).ratio()
        changes = sentence_changes(_sentences(text_a), _sentences(text_b))
        sections.append(SectionDiff(key, ratio, tuple(c.marked() for c in changes), changes))
    return Comparison(a, b, meta, cells, tuple(sections))


def sentence_changes(a: Sequence[str], b: Sequence[str]) -> tuple[SentenceChange, ...]:
    """The sentences of B against those of A: each added, removed, or (when alike) changed in place."""
    out: list[SentenceChange] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        old, new = list(a[i1:i2]), list(b[j1:j2])
        while old and new:
            x, y = _NUMBER_OR_CHAR.findall(old[0]), _NUMBER_OR_CHAR.findall(new[0])  # a number changes whole
            matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
            if matcher.ratio() < SIMILAR:
                break
            parts = []
            for part, x1, x2, y1, y2 in matcher.get_opcodes():
                if part in ("equal", "delete", "replace") and x2 > x1:
                    parts.append(("same" if part == "equal" else "removed", "".join(x[x1:x2])))
                if part in ("insert", "replace") and y2 > y1:
                    parts.append(("added", "".join(y[y1:y2])))
            out.append(SentenceChange("changed", old.pop(0), new.pop(0), tuple(parts)))
        out += [SentenceChange("removed", text, None) for text in old]
        out += [SentenceChange("added", None, text) for text in new]
    return tuple(out)


@dataclass(frozen=True)
class History:
    """One agency over its years: the years, and each cell's value per year (cells ever non-blank)."""

    agency: str
    years: tuple[int | None, ...]
    rows: tuple[tuple[str, str, tuple[Value, ...]], ...]  # key, label, value per year
    reports: tuple[Report, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency, "years": list(self.years),
            "cells": [{"key": k, "label": label, "values": [_json_value(v) for v in values]}
                      for k, label, values in self.rows],
            "findings": [{"year": r.meta.year, **f.as_dict()} for r in self.reports for f in r.findings
                         if f.rule.startswith("crossyear.")],
        }


def history(agency: str, reports: Sequence[Report]) -> History:
    """The cells of an agency's reports side by side, one column per report (by year)."""
    keys = list(dict.fromkeys(k for r in reports for k in r.cells))
    rows = tuple(
        (key, cell_label(key, *(r.meta.template for r in reports)), tuple(r.cells.get(key) for r in reports))
        for key in keys if any(r.cells.get(key) is not None for r in reports)
    )
    return History(agency, tuple(r.meta.year for r in reports), rows, tuple(reports))
