"""The Document: what ingest produces and parse consumes.

A document is an ordered list of blocks read from one source. A ``Line`` is one line of running text
(a paragraph, a heading, or one cell of a table printed one cell per line). A ``TableBlock`` is a grid
whose cells the source itself delimits (tabs, ``|``, HTML/DOCX cells); merged cells appear once, at
their top-left position, with their spans. Every block and cell carries its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Provenance:
    """Where something came from: a 1-based source line, and/or a table position, page and bbox.

    ``bbox`` is ``(x0, y0, x1, y1)`` in points from the page's top-left corner. ``confidence`` is the
    least recognition score (0–1) of the characters read there by OCR; None when read from text.
    """

    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if v is not None}


@dataclass(slots=True, unsafe_hash=True)  # not frozen: built for every cell of every table; never mutated
class GridCell:
    text: str
    where: Provenance
    rowspan: int = 1
    colspan: int = 1


@dataclass(slots=True, unsafe_hash=True)  # not frozen: built for every printed line; never mutated
class Line:
    """One line of text as printed. ``text`` keeps inner spacing; ``blank`` lines are kept too,
    because in one-cell-per-line copies an empty line can be an empty cell."""

    text: str
    where: Provenance

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class TableBlock:
    """A grid delimited by the source. ``rows`` hold the cells in reading order (spanned cells once)."""

    rows: tuple[tuple[GridCell, ...], ...]
    where: Provenance
    separator: str = "grid"  # "tab", "pipe", "html", "docx", "pdf" …: how the source delimited cells


Block = Line | TableBlock


@dataclass
class Source:
    """The input as read: its path or URL, content hash and medium."""

    path: str
    sha256: str
    format: str  # txt | md | html | docx | pdf | image | …
    encoding: str | None = None
    size: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "format": self.format}


@dataclass
class Document:
    source: Source
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what ingest had to do (e.g. 繁体→简体 conversion)
    title: str | None = None  # the title the file declares (HTML <title>, PDF/Word properties), if any
    declared_units: tuple[tuple[str, str], ...] = ()  # (field, unit) its properties name (ingest.properties)

    def text(self) -> str:
        """The document as plain text (table cells joined by tabs), for text-level searches."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Line):
                out.append(block.text)
            else:
                out.extend("\t".join(c.text for c in row) for row in block.rows)
        return "\n".join(out)
