"""A region's reports of one year as a review office sees them: one report per unit, with every
source it was found at, its findings (own, against last year, against the other units of the year)
and where each finding's cells are printed.

>>> units = region_year(store, "桐庐县", 2023)
>>> units[0].agency, units[0].sources, units[0].report.findings
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..catalogue import stage_of
from ..check import RULES, SEVERITY_RANK
from ..check.crossreport import same_year_copies
from ..formats import Format
from ..report import Finding, Report
from ..store import Store


def is_cross_year(finding: Finding) -> bool:
    """A finding of the cross-year stage (its second cell is last year's report)."""
    return stage_of(finding.rule) == "cross-year"


@dataclass
class UnitReport:
    """One unit's report of a year. ``report_ids``/``sources``: every stored copy (the same unit and
    year found twice, from another medium or address, is one report with several sources);
    ``differs``: the copies do not print the same numbers."""

    agency: str
    year: int
    report: Report
    report_ids: list[int]
    sources: list[str]
    differs: bool = False
    published: str | None = None  # the earliest publication date any copy states

    def count(self, severity: str) -> int:
        """How many findings of ``severity`` the report has."""
        return sum(f.severity == severity for f in self.report.findings)

    @property
    def region(self) -> dict[str, str | None]:
        return self.report.meta.region


@dataclass(frozen=True)
class Place:
    """Where a finding is, as printed: the table (its section's heading), the row and the column."""

    table: str
    row: str
    column: str


@dataclass
class FindingView:
    """A finding with its rule's title and the printed places of its cells (for notices and exports)."""

    finding: Finding
    title: str
    places: list[Place] = field(default_factory=list)

    @property
    def where(self) -> str:
        """「table」表格「row」行「column」列 of the first cell a finding names (the culprit, or this
        year's cell of a cross-year pair), and how many other cells it names; "报告" for none."""
        if not self.places:
            return "报告"
        first = self.places[0]
        others = len(self.places) - 1 if not is_cross_year(self.finding) else 0
        return (f"「{first.table}」表格「{first.row}」行「{first.column}」列"
                + (f"（另涉及 {others} 个单元格）" if others else ""))


def places(fmt: Format | None, cells: Sequence[str]) -> list[Place]:
    """The printed table, row and column of each cell key (keys the format lacks are left out)."""
    if fmt is None:
        return []
    info = fmt.cell_info()
    headings = {s.key: s.heading for s in fmt.sections}
    out = []
    for key in cells:
        if key in info:
            table, _block, row, column = info[key]
            out.append(Place(headings.get(table.section, table.title), row.full_label, column.label))
    return out


def view(report: Report, finding: Finding) -> FindingView:
    """``finding`` of ``report`` with its rule's title and printed places."""
    rule = RULES.get(finding.rule)
    return FindingView(finding, rule.title if rule else finding.rule, places(report.format, finding.cells))


def region_year(store: Store, region: str | None, year: int) -> list[UnitReport]:
    """The current reports of ``region`` (a province, city or county name; None: all) for ``year``,
    one per unit, with the cross-report findings of the year added; by agency name."""
    where: dict[str, object] = {"year": year}
    if region:
        where["region"] = region
    by_unit: dict[str, list[tuple[int, Report]]] = {}
    for report_id in store.report_ids(where):
        report = store.load(report_id)
        key = report.meta.agency or report.source.path
        by_unit.setdefault(key, []).append((report_id, report))
    units = [_unit(agency, year, copies) for agency, copies in sorted(by_unit.items())]
    for unit, extra in zip(units, same_year_copies([u.report for u in units]), strict=True):
        if extra:
            unit.report.findings = _ordered([*unit.report.findings, *extra])
    return units


def _unit(agency: str, year: int, copies: list[tuple[int, Report]]) -> UnitReport:
    """Several copies of one unit's report: the one with fewest errors (then the first) stands for all."""
    copies = sorted(copies, key=lambda c: (sum(f.severity == "error" for f in c[1].findings), c[0]))
    report = copies[0][1]
    dates = sorted(r.meta.published for _i, r in copies if r.meta.published)
    differs = any(r.cells != report.cells for _i, r in copies[1:])
    return UnitReport(agency, year, report, [i for i, _r in copies], [r.source.path for _i, r in copies],
                      differs, dates[0] if dates else None)


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(dict.fromkeys(findings), key=lambda f: SEVERITY_RANK.get(f.severity, len(SEVERITY_RANK)))
