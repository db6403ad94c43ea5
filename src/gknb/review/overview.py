"""Batch year-over-year: every unit of a region and year at once, each against its previous year, in
one overview of problems by unit naming table and cell — and the tables the exports write.

The store keeps each report's findings against the same unit's report of the year before (scope
``crossyear``, recomputed when either year is stored); ``region_year`` loads them with the report
and adds the same-year cross-report findings, so the overview needs no comparison of its own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from ..catalogue import severity_label
from ..check import RULES
from .region import UnitReport, is_cross_year, view
from .scoring import Scheme, score

SORTS = ("errors", "warnings", "count", "name", "score")
FINDING_COLUMNS = ("单位", "年度", "严重程度", "规则代码", "问题类型", "表格", "行", "列", "问题说明", "上年对比")


@dataclass
class OverviewRow:
    """One unit: its counts, whether last year's report is stored, its score (when a scheme is given)."""

    unit: UnitReport
    errors: int
    warnings: int
    infos: int
    against_last_year: int  # findings comparing with the previous year
    has_previous: bool
    score: float | None = None

    @property
    def count(self) -> int:
        return self.errors + self.warnings + self.infos


def overview(units: Sequence[UnitReport], previous_years: set[str], *, sort: str = "errors",
             scheme: Scheme | None = None) -> list[OverviewRow]:
    """The overview rows, sorted by ``sort`` (one of ``SORTS``; errors: errors, then warnings, then count).
    ``previous_years``: agency names that have a report of the year before."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
    rows = [OverviewRow(u, u.count("error"), u.count("warning"), u.count("info"),
                        sum(is_cross_year(f) for f in u.report.findings), u.agency in previous_years,
                        score(u.report, scheme).total if scheme is not None else None) for u in units]
    keys = {
        "errors": lambda r: (-r.errors, -r.warnings, -r.count, r.unit.agency),
        "warnings": lambda r: (-r.warnings, -r.errors, -r.count, r.unit.agency),
        "count": lambda r: (-r.count, -r.errors, r.unit.agency),
        "name": lambda r: r.unit.agency,
        "score": lambda r: (r.score if r.score is not None else 0, r.unit.agency),
    }
    return sorted(rows, key=keys[sort])


def finding_rows(units: Sequence[UnitReport], *, severities: Sequence[str] = ("error", "warning", "info")
                 ) -> list[list[str]]:
    """One row per finding (columns ``FINDING_COLUMNS``): unit, year, severity, rule, table, row, column."""
    rows = []
    for unit in units:
        for found in unit.report.findings:
            if found.severity not in severities:
                continue
            seen = view(unit.report, found)
            place = seen.places[0] if seen.places else None
            rows.append([
                unit.agency, str(unit.year), severity_label(found.severity), found.rule,
                RULES[found.rule].title if found.rule in RULES else found.rule,
                place.table if place else "", place.row if place else "", place.column if place else "",
                found.message, "是" if is_cross_year(found) else "",
            ])
    return rows


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """CSV with a BOM (Excel and WPS open it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """An XLSX workbook with one sheet per entry (title → header, rows), header bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for column, name in zip(sheet.columns, header, strict=False):
            width = max([len(str(name))] + [len(str(c.value or "")) for c in list(column)[:200]])
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
