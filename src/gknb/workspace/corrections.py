"""What makes a correction safe: one writer per report at a time, a stale edit refused, a change that
stays inside the editor's region, and every other report it touches told in its own audit trail.

``lock_report`` is the first statement of a correction's transaction: it bumps the report's
``revision`` (only when it still is the one the client saw) and so takes the row's write lock before
anything is read — on PostgreSQL a row lock, on SQLite the database's write lock. Every read after
it sees the cells as the last correction left them, so the audit trail's old → new values chain and
the findings written match the cells. ``lock_agencies`` then serialises corrections whose cross-year
checks touch the same agency's reports (PostgreSQL; SQLite has one writer anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..store.models import AgencyRow, AuditRow, FindingRow, ReportRow


class StaleCorrection(Exception):
    """A correction made against an older revision of the report than the stored one."""

    code = "workspace.conflict"

    def __init__(self, report_id: int, revision: int, current: Any):
        super().__init__(f"report {report_id} is at revision {revision}")
        self.report_id = report_id
        self.revision = revision
        self.current = current
        self.message = "该报告已被他人修改：请查看当前值后重新提交"
        self.message_en = "the report was changed meanwhile: look at the current value and submit again"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en,
                "revision": self.revision, "current": self.current}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def lock_report(session: Session, report_id: int, revision: int | None) -> ReportRow | None:
    """Bump the report's revision and hold its write lock; None if there is no such report.

    ``revision``: the one the client saw; when it is no longer the stored one, nothing changes and the
    report row comes back with ``StaleCorrection`` to raise (the caller adds the current value)."""
    bump = update(ReportRow).where(ReportRow.id == report_id).values(revision=ReportRow.revision + 1)
    if revision is not None:
        bump = bump.where(ReportRow.revision == revision)
    done = session.execute(bump.execution_options(synchronize_session=False))
    row = session.get(ReportRow, report_id, populate_existing=True)
    if row is not None and not done.rowcount:
        raise StaleCorrection(report_id, row.revision, None)
    return row


def lock_agencies(session: Session, agency_ids: Iterable[int | None]) -> None:
    """Hold the agencies' rows (in id order, so two corrections never wait on each other in a ring)."""
    ids = sorted({i for i in agency_ids if i is not None})
    if ids:
        session.execute(select(AgencyRow.id).where(AgencyRow.id.in_(ids)).order_by(AgencyRow.id).with_for_update())


def in_scope(region: str | None, row: ReportRow) -> bool:
    """Whether a report lies in a user's region scope (no scope: everywhere)."""
    return not region or region in (row.province, row.city, row.county)


def crossyear_state(session: Session, agency_ids: Iterable[int | None]) -> dict[int, list[tuple[Any, ...]]]:
    """The stored cross-year findings of the agencies' reports: report id → (rule, severity, cells,
    message, other report) in order."""
    ids = {i for i in agency_ids if i is not None}
    if not ids:
        return {}
    state: dict[int, list[tuple[Any, ...]]] = {}
    for f in session.execute(
        select(FindingRow.report_id, FindingRow.rule, FindingRow.severity, FindingRow.cells, FindingRow.message,
               FindingRow.other_report_id)
        .join(ReportRow, ReportRow.id == FindingRow.report_id)
        .where(ReportRow.agency_id.in_(ids), FindingRow.scope == "crossyear").order_by(FindingRow.position)
    ):
        state.setdefault(f.report_id, []).append((f.rule, f.severity, tuple(f.cells), f.message, f.other_report_id))
    return state


def refuse_out_of_scope(session: Session, row: ReportRow, region: str | None,
                        before: dict[int, list[tuple[Any, ...]]], after: dict[int, list[tuple[Any, ...]]]) -> None:
    """Raise ``OutOfScope`` when a correction of ``row`` by a user scoped to ``region`` moved the report
    out of the scope, changed the findings of a report outside it, or made the report quote (compare
    itself with) one outside it."""
    if not region:
        return
    if not in_scope(region, row):
        raise OutOfScope("更正后该报告将不在您的管辖范围内", "after this correction the report would lie outside your region")
    changed = {i for i in before.keys() | after.keys() if i != row.id and before.get(i) != after.get(i)}
    partners = {f[4] for f in after.get(row.id, [])} - {f[4] for f in before.get(row.id, [])} - {None}
    for other in session.scalars(select(ReportRow).where(ReportRow.id.in_(changed | partners))):
        if not in_scope(region, other):
            raise OutOfScope("该更正会影响您管辖范围以外的报告的检查结果，已拒绝；请联系管理员",
                             "this correction would change the checks of a report outside your region: refused; "
                             "ask an administrator")


class OutOfScope(Exception):
    """A correction that would reach outside the corrector's region (refused, nothing changes)."""

    code = "workspace.out_of_scope"

    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en}


def audit_knock_on(session: Session, row: ReportRow, user: str, what: str,
                   before: dict[int, list[tuple[Any, ...]]], after: dict[int, list[tuple[Any, ...]]]) -> None:
    """One ``findings`` audit entry on every other report whose cross-year findings the correction of
    ``row`` (``what``: the cell or field) changed, with the rules before and after."""
    at = _now()
    for other in sorted(before.keys() | after.keys()):
        if other == row.id or before.get(other) == after.get(other):
            continue
        session.add(AuditRow(
            report_id=other, user=user, at=at, action="findings", target="crossyear",
            old=_rules(before.get(other, [])), new=_rules(after.get(other, [])),
            comment=f"因报告 {row.id} 的更正（{what}）重新检查 / rechecked after report {row.id} was corrected ({what})"))


def _rules(findings: list[tuple[Any, ...]]) -> str:
    return " ".join(f[0] for f in findings) or "—"
