"""What the report list sorts and filters by, kept on write: the error and warning counts of each
report (``report_counts``, recounted wherever findings are written), the agency's pinyin sort key, and the
filter clauses of the reviewer's workflow — search by any part of a unit's or region's name, reports
with corrections, reports assigned to someone, reports still open."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from ..regions import normalise_name
from ..text import pinyin_key
from .models import AuditRow, FindingRow, ReportCountRow, ReportRow, UserRow

CHUNK = 1000  # report ids per UPDATE of the counts
SORT_BATCH = 2000  # rows per round of ``fill_sort_keys``
NO_KEY = "~"  # a name with nothing to sort by (after every key)
REVIEW_FILTERS = ("search", "corrected", "assignee", "open", "has_errors")


def refresh_counts(session: Session, report_ids: Iterable[int]) -> None:
    """Recount the error and warning findings (every scope) of these reports (``report_counts``)."""
    ids = sorted(set(report_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        tallies = {report_id: (errors, warnings) for report_id, errors, warnings in session.execute(
            select(FindingRow.report_id, func.sum(case((FindingRow.severity == "error", 1), else_=0)),
                   func.sum(case((FindingRow.severity == "warning", 1), else_=0)))
            .where(FindingRow.report_id.in_(chunk)).group_by(FindingRow.report_id))}
        rows = [{"report_id": report_id, "errors": int(tallies.get(report_id, (0, 0))[0]),
                 "warnings": int(tallies.get(report_id, (0, 0))[1])} for report_id in chunk]
        # An upsert (two writers recounting one report: no clash), one statement for every row: its
        # compiled form is reused (a multi-row VALUES would be compiled anew for each number of rows).
        upsert = _insert(session)(ReportCountRow.__table__)
        session.execute(upsert.on_conflict_do_update(
            index_elements=["report_id"], set_={"errors": upsert.excluded.errors, "warnings": upsert.excluded.warnings}),
            rows)


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has ``ON CONFLICT`` (SQLite and PostgreSQL)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def add_counts(session: Session, counted: Iterable[tuple[int, int, int]]) -> None:
    """The counts of reports just inserted: (report id, errors, warnings)."""
    rows = [{"report_id": report_id, "errors": e, "warnings": w} for report_id, e, w in counted]
    if rows:
        session.execute(insert(ReportCountRow), rows)


def fill_sort_keys(session: Session) -> int:
    """Give the reports stored without a sort key (written where pypinyin was not installed) theirs;
    returns how many were filled (0 when pypinyin is missing here too)."""
    if pinyin_key("中") is None:
        return 0
    filled = 0
    while True:  # each round fills the rows it read, so the next reads the following ones
        rows = session.execute(select(ReportRow.id, ReportRow.agency, ReportRow.province, ReportRow.city,
                                      ReportRow.county).where(
            ReportRow.agency_sort.is_(None), ReportRow.agency.is_not(None)).order_by(ReportRow.id)
            .limit(SORT_BATCH)).all()
        if not rows:
            return filled
        session.execute(update(ReportRow), [{"id": r.id, "agency_sort": pinyin_key(r.agency, (r.province, r.city, r.county)) or NO_KEY}
                                            for r in rows])
        filled += len(rows)


def clause(name: str, value: Any) -> ColumnElement[bool]:
    """The WHERE clause of one of ``REVIEW_FILTERS``.

    ``search``: every whitespace-separated term found in the agency's name (as printed or normalised,
    ``…县政府`` = ``…县人民政府``), the title, or the province, city or county — so 浦东 finds the reports of
    浦东新区 and of its 街道 and 镇, 陆家嘴 the 陆家嘴街道's. ``corrected``: a cell or meta field corrected by
    a person (in the audit trail). ``has_errors``: by the kept count. ``assignee``: a user id (0: assigned to nobody) or name. ``open``: not 已审核."""
    if name == "search":
        terms = [t for t in str(value).split() if t]
        return and_(*(_term(t) for t in terms)) if terms else ReportRow.id.is_not(None)
    if name == "corrected":
        corrected = exists(select(AuditRow.id).where(AuditRow.report_id == ReportRow.id,
                                                     AuditRow.action.in_(("cell", "meta"))))
        return corrected if _truthy(value) else ~corrected
    if name == "assignee":
        if isinstance(value, str):  # a user's name
            return ReportRow.assignee_id == select(UserRow.id).where(UserRow.name == value).scalar_subquery()
        return ReportRow.assignee_id.is_(None) if value == 0 else ReportRow.assignee_id == value
    if name == "has_errors":
        counts = aliased(ReportCountRow)  # not the counts of a query this filter is part of
        errors = exists(select(counts.report_id).where(counts.report_id == ReportRow.id, counts.errors > 0)
                        .correlate(ReportRow))
        return errors if _truthy(value) else ~errors
    if name == "open":
        return ReportRow.review_status != "approved" if _truthy(value) else ReportRow.review_status == "approved"
    raise ValueError(f"unknown filter {name!r}")


def _term(term: str) -> ColumnElement[bool]:
    spellings = {term, normalise_name(term)}
    columns = (ReportRow.agency, ReportRow.title, ReportRow.province, ReportRow.city, ReportRow.county)
    return or_(false(), *(column.like(_pattern(s), escape="\\") for s in spellings for column in columns))


def _pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "是")
