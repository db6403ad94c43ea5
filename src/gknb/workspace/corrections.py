"""What makes a correction safe: one writer per report at a time (``store.review.lock_report`` and
``lock_agencies``, the first statements of a correction's transaction), a stale edit refused, a change
that stays inside the editor's region, and every other report it touches told in its own audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..store import Session, review
from ..store.review import ReportState


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


def in_scope(region: str | None, place: Sequence[str | None]) -> bool:
    """Whether a report's (province, city, county) lies in a user's region scope (no scope: everywhere)."""
    return not region or region in place


def refuse_out_of_scope(session: Session, row: ReportState, region: str | None,
                        before: dict[int, list[tuple[Any, ...]]], after: dict[int, list[tuple[Any, ...]]]) -> None:
    """Raise ``OutOfScope`` when a correction of ``row`` by a user scoped to ``region`` moved the report
    out of the scope, changed the findings of a report outside it, or made the report quote (compare
    itself with) one outside it."""
    if not region:
        return
    if not in_scope(region, row.place()):
        raise OutOfScope("更正后该报告将不在您的管辖范围内", "after this correction the report would lie outside your region")
    changed = {i for i in before.keys() | after.keys() if i != row.id and before.get(i) != after.get(i)}
    partners = {f[4] for f in after.get(row.id, [])} - {f[4] for f in before.get(row.id, [])} - {None}
    for other in review.states(session, changed | partners).values():
        if not in_scope(region, other.place()):
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


def audit_knock_on(session: Session, row: ReportState, user: str, what: str,
                   before: dict[int, list[tuple[Any, ...]]], after: dict[int, list[tuple[Any, ...]]]) -> None:
    """One ``findings`` audit entry on every other report whose cross-year findings the correction of
    ``row`` (``what``: the cell or field) changed, with the rules before and after."""
    at = _now()
    for other in sorted(before.keys() | after.keys()):
        if other == row.id or before.get(other) == after.get(other):
            continue
        review.add_audit(
            session, other, user, at, "findings", "crossyear", _rules(before.get(other, [])),
            _rules(after.get(other, [])),
            f"因报告 {row.id} 的更正（{what}）重新检查 / rechecked after report {row.id} was corrected ({what})")


def _rules(findings: list[tuple[Any, ...]]) -> str:
    return " ".join(f[0] for f in findings) or "—"
