"""The Report: the canonical model of one annual report, and its JSON form (report-model.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .document import Provenance, Source
from .formats import FORMATS, Format

Value = int | Decimal | None
SECTION_KEYS = ("overview", "disclosure", "requests", "review", "problems", "other")


@dataclass
class Meta:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    template: str = "unknown"  # a format version of gknb.formats.FORMATS | "pre2019" | "unknown"
    region: dict[str, str | None] = field(
        default_factory=lambda: {"province": None, "city": None, "county": None}
    )
    level: str | None = None  # province | city | county | township | street | department
    published: str | None = None  # ISO date of publication when the source states it

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title, "agency": self.agency, "year": self.year, "template": self.template,
            "region": dict(self.region), "level": self.level, "published": self.published,
        }


@dataclass(frozen=True)
class Finding:
    """A problem (or remark) about a report, pointing at the cells it concerns."""

    rule: str
    severity: str  # error | warning | info
    cells: tuple[str, ...]
    message: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "severity": self.severity, "cells": list(self.cells),
            "message": self.message, "message_en": self.message_en,
        }


@dataclass
class Report:
    """One parsed report. ``cells`` holds every key of the detected format (None = blank/not found).

    ``printed`` keeps each cell's text as printed; ``parse_findings`` are the parser's own remarks
    (inferred alignments, label variants, unreadable values) which the checker passes through.
    ``labels`` records the printed label matched for each row/column key (for label-deviation checks).
    ``headings`` keeps each section's heading line as printed (its numeral may differ from the official
    one) and ``preamble`` the text between the title and the first heading (组成部分, 统计期限 …).
    """

    source: Source
    meta: Meta = field(default_factory=Meta)
    sections: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(SECTION_KEYS))
    section_order: list[str] = field(default_factory=list)  # section keys in the order printed
    cells: dict[str, Value] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    preamble: str = ""
    parse_findings: list[Finding] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def format(self) -> Format | None:
        return FORMATS.get(self.meta.template)

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of report-model.md."""
        return {
            "source": self.source.as_dict(),
            "meta": self.meta.as_dict(),
            "sections": dict(self.sections),
            "cells": {k: _json_value(v) for k, v in self.cells.items()},
            "provenance": {k: p.as_dict() for k, p in self.provenance.items()},
            "findings": [f.as_dict() for f in self.findings],
        }


def _json_value(value: Value) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value
