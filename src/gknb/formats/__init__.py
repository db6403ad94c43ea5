"""The official formats, one declaration per version: ``FORMATS["2021"]``, ``FORMATS["2019"]``.

Adding a format version means adding one module with a ``FORMAT`` declaration and listing it here.
"""

from __future__ import annotations

from . import v2019, v2021
from .base import Block, Column, Equation, Format, HeaderCell, IdentityRule, Layout, Row, Section, Table

FORMATS: dict[str, Format] = {f.version: f for f in (v2021.FORMAT, v2019.FORMAT)}
TEMPLATES = ("2021", "2019", "pre2019", "unknown")


def format_for_year(year: int | None) -> Format | None:
    """The format a report of ``year`` is meant to use (None before 2019 or when unknown)."""
    if year is None:
        return None
    for fmt in FORMATS.values():
        if fmt.applies_to_year(year):
            return fmt
    return None


__all__ = [
    "FORMATS", "TEMPLATES", "Block", "Column", "Equation", "Format", "HeaderCell", "IdentityRule", "Layout", "Row",
    "Section", "Table",
    "format_for_year",
]
