"""The official formats, one declaration per version: ``FORMATS["2021"]``, ``FORMATS["2019"]``.

Adding a format version means adding one module with a ``FORMAT`` declaration and registering it
here (``register``); everything else — detection, parsing, checking, cross-year links, rendering,
export, stats — reads the declarations.
"""

from __future__ import annotations

from . import v2019, v2021
from .base import (
    Block,
    Column,
    Equation,
    Format,
    HeaderCell,
    IdentityRule,
    Layout,
    Row,
    Section,
    Table,
    YearEquation,
    YearLink,
)

FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format version to ``FORMATS`` (newest first: by the first report year it applies to)."""
    if fmt.version in FORMATS and FORMATS[fmt.version] is not fmt:
        raise ValueError(f"format version declared twice: {fmt.version}")
    ordered = sorted({**FORMATS, fmt.version: fmt}.values(), key=lambda f: -f.years[0])
    FORMATS.clear()
    FORMATS.update((f.version, f) for f in ordered)
    return fmt


for _declared in (v2021.FORMAT, v2019.FORMAT):
    register(_declared)


def format_for_year(year: int | None) -> Format | None:
    """The format a report of ``year`` is meant to use: of those whose years include it, the one that
    came into force last (None before the unified formats or when unknown)."""
    if year is None:
        return None
    for fmt in FORMATS.values():  # newest first
        if fmt.applies_to_year(year):
            return fmt
    return None


def cell_label(key: str, *versions: str) -> str:
    """The printed label of a cell (``Format.cell_label``) in the first of ``versions`` whose format
    has it, else in any declared format; the key itself when none has it."""
    for version in (*versions, *FORMATS):
        fmt = FORMATS.get(version)
        if fmt is not None and key in fmt.cell_info():
            return fmt.cell_label(key)
    return key


def first_unified_year() -> int:
    """The first report year of the unified formats (that year's notice only encouraged their use)."""
    return min(fmt.years[0] for fmt in FORMATS.values())


__all__ = [
    "FORMATS", "Block", "Column", "Equation", "Format", "HeaderCell", "IdentityRule", "Layout", "Row",
    "Section", "Table", "YearEquation", "YearLink",
    "cell_label", "first_unified_year", "format_for_year", "register",
]
