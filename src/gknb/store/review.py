"""The review workspace's side of the reports as stored: review status, revision and corrected cells,
assignments, the audit trail, the report list's pages and counts, and the failed reads.

Persists and loads, nothing else: what a correction may change, who may review or assign and what
is checked again belong to the review workspace (``gknb.workspace``). Every function works in the
caller's session, so a correction's cells, findings and audit change in one transaction
(``with store.session.begin() as session: ...``).

``lock_report`` is the first statement of a correction's transaction: it bumps the report's
``revision`` (only when it still is the one the client saw) and so takes the row's write lock before
anything is read — on PostgreSQL a row lock, on SQLite the database's write lock. ``lock_agencies``
then serialises corrections whose cross-year checks touch the same agency's reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from ..report import Report, Value
from ..text import pinyin_key
from .models import (
    AgencyRow,
    AuditRow,
    CellRow,
    FindingRow,
    IngestResult,
    IngestRun,
    ReportCountRow,
    ReportRow,
    UploadRow,
)
from .store import Store, encode_value

META_FIELDS = ("title", "agency", "year", "published", "province", "city", "county", "level")
FACETS = ("province", "city", "county", "level", "year", "template")  # the list's filters offered by value
SORTS = {"agency": ReportRow.agency_sort, "year": ReportRow.year, "province": ReportRow.province,
         "level": ReportRow.level, "template": ReportRow.template, "ingested": ReportRow.ingested,
         "review_status": ReportRow.review_status, "errors": ReportCountRow.errors, "warnings": ReportCountRow.warnings,
         "assigned": ReportRow.assigned, "id": ReportRow.id}


@dataclass(frozen=True)
class ReportState:
    """What the workspace knows of a stored report besides its content: meta fields, where it lies, its
    agency, review status, revision, the cells a person corrected (``verified``) and its assignment."""

    id: int
    agency_id: int | None
    title: str | None
    agency: str | None
    year: int | None
    published: str | None
    province: str | None
    city: str | None
    county: str | None
    level: str | None
    review_status: str
    revision: int
    verified: tuple[str, ...]
    assignee_id: int | None
    assigned: datetime | None

    def place(self) -> tuple[str | None, str | None, str | None]:
        """(province, city, county)."""
        return self.province, self.city, self.county


def _state(row: ReportRow) -> ReportState:
    return ReportState(row.id, row.agency_id, row.title, row.agency, row.year, row.published, row.province,
                       row.city, row.county, row.level, row.review_status, row.revision,
                       tuple(row.extra.get("verified", [])), row.assignee_id, row.assigned)


def state(session: Session, report_id: int) -> ReportState | None:
    """A stored report's state, None when there is no such report."""
    row = session.get(ReportRow, report_id)
    return _state(row) if row is not None else None


def states(session: Session, report_ids: Iterable[int], *, lock: bool = False) -> dict[int, ReportState]:
    """The states of those reports that exist, in id order; ``lock``: held for a change (in id order,
    so two changes never wait on each other in a ring)."""
    query = select(ReportRow).where(ReportRow.id.in_(list(report_ids))).order_by(ReportRow.id)
    return {r.id: _state(r) for r in session.scalars(query.with_for_update() if lock else query)}


def read(session: Session, report_id: int, *, with_crossyear: bool = True) -> Report:
    """A stored report as a ``Report``, read in the caller's transaction (``KeyError`` if absent)."""
    row = session.get(ReportRow, report_id)
    if row is None:
        raise KeyError(report_id)
    return Store.read(session, row, with_crossyear=with_crossyear)


# -- corrections -------------------------------------------------------------------------------------

def lock_report(session: Session, report_id: int, revision: int | None) -> tuple[ReportState | None, bool]:
    """Bump the report's revision and hold its write lock: (its state, True); (None, False) when there
    is no such report. ``revision``: the one the client saw; when it is no longer the stored one,
    nothing changes and the state comes back with False."""
    bump = update(ReportRow).where(ReportRow.id == report_id).values(revision=ReportRow.revision + 1)
    if revision is not None:
        bump = bump.where(ReportRow.revision == revision)
    done = session.execute(bump.execution_options(synchronize_session=False))
    row = session.get(ReportRow, report_id, populate_existing=True)
    return (_state(row) if row is not None else None), bool(done.rowcount)  # type: ignore[attr-defined]


def lock_agencies(session: Session, agency_ids: Iterable[int | None]) -> None:
    """Hold the agencies' rows (in id order, so two corrections never wait on each other in a ring)."""
    ids = sorted({i for i in agency_ids if i is not None})
    if ids:
        session.execute(select(AgencyRow.id).where(AgencyRow.id.in_(ids)).order_by(AgencyRow.id).with_for_update())


def cell_value(session: Session, report_id: int, key: str) -> str | None:
    """A stored cell's value as text (``encode_value``)."""
    return session.scalar(select(CellRow.value).where(CellRow.report_id == report_id, CellRow.key == key))


def set_cell(session: Session, report_id: int, key: str, value: Value) -> ReportState:
    """Store a corrected cell and count it among the report's ``verified`` cells; the new state."""
    cell = session.scalar(select(CellRow).where(CellRow.report_id == report_id, CellRow.key == key))
    row = session.get(ReportRow, report_id)
    if cell is None or row is None:
        raise KeyError(key)
    cell.value = encode_value(value)
    row.extra = {**row.extra, "verified": sorted(set(row.extra.get("verified", [])) | {key})}
    session.flush()
    return _state(row)


def set_meta(session: Session, report_id: int, field: str, value: Any) -> ReportState:
    """Store a corrected meta field (``META_FIELDS``); a new agency name is linked to its agency and
    sorted by its pinyin. The new state."""
    if field not in META_FIELDS:
        raise ValueError(f"not a meta field: {field}")
    row = session.get(ReportRow, report_id)
    if row is None:
        raise KeyError(report_id)
    setattr(row, field, value)
    if field == "agency":
        agency = Store.agencies_named(session, [value])[0]
        row.agency_id = agency.id if agency is not None else None
        row.agency_sort = pinyin_key(value, (agency.province, agency.city, agency.county) if agency else ())
    session.flush()
    return _state(row)


def crossyear_state(session: Session, agency_ids: Iterable[int | None]) -> dict[int, list[tuple[Any, ...]]]:
    """The stored cross-year findings of the agencies' reports: report id → (rule, severity, cells,
    message, other report) in order."""
    ids = {i for i in agency_ids if i is not None}
    if not ids:
        return {}
    found: dict[int, list[tuple[Any, ...]]] = {}
    for f in session.execute(
        select(FindingRow.report_id, FindingRow.rule, FindingRow.severity, FindingRow.cells, FindingRow.message,
               FindingRow.other_report_id)
        .join(ReportRow, ReportRow.id == FindingRow.report_id)
        .where(ReportRow.agency_id.in_(ids), FindingRow.scope == "crossyear").order_by(FindingRow.position)
    ):
        found.setdefault(f.report_id, []).append((f.rule, f.severity, tuple(f.cells), f.message, f.other_report_id))
    return found


# -- review status, assignments, audit ------------------------------------------------------------------

def add_audit(session: Session, report_id: int, user: str, at: datetime, action: str, target: str,
              old: str | None = None, new: str | None = None, comment: str | None = None) -> None:
    """One entry of a report's audit trail (``models.AuditRow`` says what the actions mean)."""
    session.add(AuditRow(report_id=report_id, user=user, at=at, action=action, target=target, old=old, new=new,
                         comment=comment))


def set_review_status(session: Session, report_id: int, status: str) -> None:
    """Store a report's review status."""
    row = session.get(ReportRow, report_id)
    if row is None:
        raise KeyError(report_id)
    row.review_status = status


def set_assignee(session: Session, report_id: int, user_id: int | None, at: datetime | None) -> None:
    """Store who a report is assigned to (None: nobody) and since when."""
    row = session.get(ReportRow, report_id)
    if row is None:
        raise KeyError(report_id)
    row.assignee_id, row.assigned = user_id, at


def assignees(session: Session, report_ids: Sequence[int]) -> dict[int, int | None]:
    """Report id → the id of the user it is assigned to."""
    if not report_ids:
        return {}
    return dict(session.execute(select(ReportRow.id, ReportRow.assignee_id)  # type: ignore[arg-type]
                                .where(ReportRow.id.in_(report_ids))).all())


def audit(session: Session, report_id: int) -> list[dict[str, Any]]:
    """A report's audit trail, oldest first (``at`` as ISO text)."""
    rows = session.scalars(select(AuditRow).where(AuditRow.report_id == report_id).order_by(AuditRow.id))
    return [{"id": r.id, "user": r.user, "at": r.at.isoformat(timespec="seconds"), "action": r.action,
             "target": r.target, "old": r.old, "new": r.new, "comment": r.comment} for r in rows]


def latest_reviews(session: Session, report_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The latest review decision of each of those reports that had one: status (``new``), comment,
    who and when (ISO text)."""
    latest = (select(func.max(AuditRow.id)).where(AuditRow.report_id.in_(report_ids), AuditRow.action == "review")
              .group_by(AuditRow.report_id))
    rows = session.execute(select(AuditRow.report_id, AuditRow.new, AuditRow.comment, AuditRow.user, AuditRow.at)
                           .where(AuditRow.id.in_(latest))).all()
    return {r.report_id: {"new": r.new, "comment": r.comment, "user": r.user,
                          "at": r.at.isoformat(timespec="seconds")} for r in rows}


# -- the report list ------------------------------------------------------------------------------------

def with_counts(query: Select[Any]) -> Select[Any]:
    """``query`` (of reports) joined to the reports' kept counts, which the list may sort by."""
    return query.outerjoin(ReportCountRow, ReportCountRow.report_id == ReportRow.id)


def list_order(sort: str, descending: bool = False, *, reverse: bool = False) -> list[Any]:
    """The ORDER BY of the report list sorted by ``sort`` (``SORTS``; on a query ``with_counts``): then by
    agency in pinyin order, year and id, so the order is total and stable (unknown values last).
    ``reverse``: the same order read from its end (a page in the back half of the list)."""
    column = SORTS[sort]
    terms = [(column, descending), *((c, False) for c in (ReportRow.agency_sort, ReportRow.year, ReportRow.id)
                                     if c is not column)]  # a column twice would sort outside the index
    return [(c.desc() if down != reverse else c.asc()).nulls_first() if reverse
            else (c.desc() if down else c.asc()).nulls_last() for c, down in terms]


def list_page(session: Session, conditions: Sequence[Any], sort: str, descending: bool, first: int, end: int,
              total: int) -> list[dict[str, Any]]:
    """Items ``first`` to ``end`` (of ``total``) of the current reports matching ``conditions``
    (``Store.conditions``) in the order of ``sort``, with their kept error and warning counts; a page in
    the back half of the list is read from its end, so no page walks more than half the list."""
    query = with_counts(select(ReportRow, ReportCountRow.errors, ReportCountRow.warnings)).where(*conditions)
    if first >= end:
        rows: Sequence[Any] = []
    elif first <= total - end:
        rows = session.execute(query.order_by(*list_order(sort, descending)).limit(end - first).offset(first)).all()
    else:  # nearer the end: the same rows, counted from the other end
        rows = session.execute(query.order_by(*list_order(sort, descending, reverse=True))
                               .limit(end - first).offset(total - end)).all()[::-1]
    return [_listing_item(row, e or 0, w or 0) for row, e, w in rows]


def _listing_item(row: ReportRow, errors: int, warnings: int) -> dict[str, Any]:
    return {"id": row.id, "agency": row.agency, "title": row.title, "year": row.year, "template": row.template,
            "province": row.province, "city": row.city, "county": row.county, "level": row.level,
            "review_status": row.review_status, "errors": int(errors), "warnings": int(warnings),
            "location": row.location, "ingested": row.ingested.isoformat(timespec="seconds")}


def list_counts(session: Session, conditions: Sequence[Any]) -> tuple[dict[str, int], int]:
    """(reports by review status, reports with an error-level finding) matching ``conditions``."""
    status_rows = session.execute(select(ReportRow.review_status, func.count()).where(*conditions)
                                  .group_by(ReportRow.review_status))
    by_status = {s: int(n) for s, n in status_rows}
    with_errors = session.scalar(select(func.count()).select_from(ReportCountRow)
                                 .join(ReportRow, ReportRow.id == ReportCountRow.report_id)
                                 .where(ReportCountRow.errors > 0, *conditions)) or 0
    return by_status, int(with_errors)


def facets(session: Session, conditions: Sequence[Any]) -> dict[str, list[Any]]:
    """The distinct values of the list's filters among the reports matching ``conditions``."""
    out: dict[str, list[Any]] = {}
    for name in FACETS:
        column = getattr(ReportRow, name)
        out[name] = list(session.scalars(select(column).distinct().where(*conditions, column.is_not(None))
                                         .order_by(column)))
    return out


def ordered_ids(session: Session, reports: Select[Any], sort: str, descending: bool = False) -> list[int]:
    """The ids of ``reports`` (``Store.select_reports``) in the list's order of ``sort``."""
    ids = reports.subquery()
    return list(session.scalars(with_counts(select(ReportRow.id).join(ids, ids.c.id == ReportRow.id))
                                .order_by(*list_order(sort, descending))))


def count(session: Session, reports: Select[Any]) -> int:
    """How many rows ``reports`` (``Store.select_reports``) selects (its order left out: SQLite would sort
    the rows it counts)."""
    return int(session.scalar(select(func.count()).select_from(reports.order_by(None).subquery())) or 0)


# -- failed reads -----------------------------------------------------------------------------------------

def failed_results(session: Session) -> Iterator[dict[str, Any]]:
    """The ingest results that produced no report, newest first (``at``: when their run started)."""
    query = (select(IngestResult, IngestRun.started).join(IngestRun, IngestRun.id == IngestResult.run_id)
             .where(IngestResult.status == "failed").order_by(IngestResult.id.desc()))
    for result, started in session.execute(query):
        yield {"id": result.id, "run_id": result.run_id, "location": result.location,
               "at": started.isoformat(timespec="seconds"), "code": result.error_code,
               "message": result.message, "message_en": result.message_en}


def upload_folders(session: Session) -> list[tuple[str, str | None, str]]:
    """Every upload's (user, region scope, folder)."""
    return [(u.user, u.region, u.folder) for u in session.scalars(select(UploadRow))]
