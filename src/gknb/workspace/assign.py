"""The reviewer's workflow: reports assigned to reviewers, each reviewer's queue, bulk 已审核/退回,
the list a reviewer works through (上一份/下一份), the current 退回意见, failed reads in their own list.

Region scopes hold throughout: a user assigns only reports they can see, only to a reviewer whose own
scope lies inside theirs and who can see every one of those reports; a queue, a bulk decision and a
neighbour are always within the user's scope. Every assignment and every decision of a bulk review
is one entry of the report's audit trail (``action`` ``assign`` / ``review``), written in one
transaction with the change.

>>> flow = Flow(work)
>>> flow.assign([12, 13], "li", by=admin)
>>> flow.queue(li).items                              # what li has to review, oldest assignment first
>>> flow.review_many([12, 13], "returned", by=li, comment="表三数据有误")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..regions import locate
from ..store import Session, accounts, review
from ..store.review import ReportState
from .corrections import OutOfScope
from .service import (
    REVIEW_STATUSES,
    SORTS,
    Listing,
    User,
    Workspace,
    WorkspaceError,
)

MAX_BATCH = 500  # reports per bulk request
QUEUE_SORT = "assigned"  # a queue in the order the reports were assigned (then pinyin, year, id): stable


class NotAllowed(OutOfScope):
    """A user without the right to assign, or an assignment reaching outside a region scope (403)."""

    code = "workspace.not_allowed"


@dataclass(frozen=True)
class Neighbours:
    """Where a report stands in the list a reviewer came from: the ids before and after it, its
    position (from 1; 0 when it is not in the list any more) and the list's length."""

    previous: int | None
    next: int | None
    position: int
    total: int

    def as_dict(self) -> dict[str, Any]:
        return {"previous": self.previous, "next": self.next, "position": self.position, "total": self.total}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def inside(region: str | None, scope: str | None) -> bool:
    """Whether ``region`` (None: everywhere) lies within ``scope`` (None: everywhere)."""
    if not scope:
        return True
    if not region:
        return False
    return region == scope or scope in locate(region).region().values()


def _sees(region: str | None, row: ReportState) -> bool:
    return not region or region in row.place()


def scoped(user: User, where: dict[str, Any] | None = None) -> dict[str, Any]:
    """A store filter narrowed to the user's region."""
    return {**(where or {}), **({"region": user.region} if user.region else {})}


class Flow:
    """The reviewer's workflow on a ``Workspace``."""

    def __init__(self, work: Workspace):
        self.work = work
        self.store = work.store

    # -- who may assign, and to whom -------------------------------------------------------------

    def may_assign(self, user: User) -> bool:
        """Admins, and reviewers given the right (``set_assign_right``)."""
        if user.role == "admin":
            return True
        if user.role != "reviewer":
            return False
        with self.store.session() as session:
            found = accounts.account(session, user_id=user.id)
            return found is not None and found.can_assign

    def set_assign_right(self, name: str, allowed: bool) -> None:
        """Give a reviewer the right to assign reports (or take it back)."""
        with self.store.session.begin() as session:
            row = accounts.account(session, name=name)
            if row is None:
                raise WorkspaceError(f"没有用户「{name}」", f"no user {name!r}")
            accounts.update_account(session, row.id, can_assign=allowed)

    def assign_rights(self) -> dict[str, bool]:
        """Each active user's right to assign."""
        with self.store.session() as session:
            return {a.name: a.can_assign or a.role == "admin" for a in accounts.accounts(session)}

    def candidates(self, user: User) -> list[dict[str, Any]]:
        """The reviewers and admins ``user`` may assign to: active, scoped inside the user's own scope,
        in pinyin order of their names."""
        from ..text import pinyin_key

        with self.store.session() as session:
            rows = accounts.accounts(session, roles=("admin", "reviewer"))
            found = [{"id": r.id, "name": r.name, "role": r.role, "region": r.region} for r in rows
                     if inside(r.region, user.region)]
        return sorted(found, key=lambda u: (pinyin_key(u["name"]) or u["name"], u["name"]))

    # -- assignments -------------------------------------------------------------------------------

    def assign(self, report_ids: list[int], assignee: str | None, *, by: User, comment: str | None = None) -> int:
        """Assign reports to ``assignee`` (a user name; None or "" takes the assignment away); returns
        how many changed. Refused whole, before anything changes, when ``by`` may not assign, a report
        is not one ``by`` can see, or the assignee is no reviewer of ``by``'s scope who can see them all."""
        if not self.may_assign(by):
            raise NotAllowed("您没有分配报告的权限", "you may not assign reports")
        ids = _batch(report_ids)
        with self.store.session.begin() as session:
            rows = self._rows(session, ids, by)
            target = None
            if assignee:
                target = accounts.account(session, name=assignee.strip(), active=True)
                if target is None or target.role not in ("admin", "reviewer") or not inside(target.region, by.region):
                    raise NotAllowed(f"不能分配给「{assignee}」：不是您管辖范围内的审核员",
                                     f"cannot assign to {assignee!r}: not a reviewer within your region")
                hidden = [r.id for r in rows if not _sees(target.region, r)]
                if hidden:
                    raise NotAllowed(f"「{target.name}」看不到报告 {', '.join(map(str, hidden))}（不在其地区范围内）",
                                     f"{target.name} cannot see report(s) {', '.join(map(str, hidden))} (outside their region)")
            names = accounts.user_names(session, {r.assignee_id for r in rows})
            now, changed = _now(), 0
            for row in rows:
                new_id = target.id if target is not None else None
                if row.assignee_id == new_id:
                    continue
                review.add_audit(session, row.id, by.name, now, "assign", "assignee", names.get(row.assignee_id),
                                 target.name if target else None, (comment or "").strip() or None)
                review.set_assignee(session, row.id, new_id, now if new_id is not None else None)
                changed += 1
            return changed

    def queue(self, user: User, *, page: int = 1, per_page: int = 50) -> Listing:
        """我的待审: the reports assigned to ``user`` not yet 已审核 (退回 ones included: they come back),
        within the user's scope, oldest assignment first."""
        return self.work.list_reports(self.queue_where(user), sort=QUEUE_SORT, page=page, per_page=per_page)

    @staticmethod
    def queue_where(user: User) -> dict[str, Any]:
        """The store filter of a user's queue."""
        return scoped(user, {"assignee": user.id, "open": True})

    def queue_size(self, user: User) -> int:
        """How many reports wait in ``user``'s queue."""
        with self.store.session() as session:
            return review.count(session, self.store.select_reports(self.queue_where(user)))

    # -- bulk review -------------------------------------------------------------------------------

    def review_many(self, report_ids: list[int], status: str, *, by: User, comment: str | None = None) -> int:
        """Set the review status of several reports at once (``REVIEW_STATUSES``), each decision in the
        report's audit trail with the comment; 退回 needs a comment, as for one report. All or none: a
        report ``by`` cannot see refuses the whole batch. Returns how many reports were decided."""
        if not by.can("review"):
            raise NotAllowed("您的角色无权审核", "your role does not allow reviewing")
        if status not in REVIEW_STATUSES:
            raise WorkspaceError(f"审核状态应为 {'/'.join(REVIEW_STATUSES.values())}",
                                 f"review status must be one of {', '.join(REVIEW_STATUSES)}")
        note = (comment or "").strip() or None
        if status == "returned" and not note:
            raise WorkspaceError("退回时请写明原因", "returning a report needs a comment saying why")
        ids = _batch(report_ids)
        with self.store.session.begin() as session:
            rows = self._rows(session, ids, by)
            now = _now()
            for row in rows:
                review.add_audit(session, row.id, by.name, now, "review", "review_status", row.review_status, status,
                                 note)
                review.set_review_status(session, row.id, status)
            return len(rows)

    # -- what the list and the report page show ------------------------------------------------

    def returns(self, report_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The current 退回意见 of those reports that stand 退回: the comment, who and when."""
        if not report_ids:
            return {}
        with self.store.session() as session:
            latest = review.latest_reviews(session, report_ids)
        return {report_id: {"comment": r["comment"], "user": r["user"], "at": r["at"]}
                for report_id, r in latest.items() if r["new"] == "returned"}

    def annotate(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Listing items with their assignee's name and, for reports standing 退回, the 退回意见."""
        ids = [item["id"] for item in items]
        with self.store.session() as session:
            assignees = review.assignees(session, ids)
            names = accounts.user_names(session, set(assignees.values()))
        returned = self.returns([i["id"] for i in items if i.get("review_status") == "returned"])
        return [{**item, "assignee": names.get(assignees.get(item["id"])),
                 "returned": returned.get(item["id"])} for item in items]

    def assignment(self, report_id: int) -> dict[str, Any] | None:
        """Who a report is assigned to and since when (None: nobody)."""
        with self.store.session() as session:
            row = review.state(session, report_id)
            if row is None or row.assignee_id is None:
                return None
            name = accounts.user_names(session, {row.assignee_id}).get(row.assignee_id)
            return {"name": name, "at": row.assigned.isoformat(timespec="seconds") if row.assigned else None}

    def neighbours(self, report_id: int, where: dict[str, Any], sort: str = "agency",
                   descending: bool = False) -> Neighbours:
        """The reports before and after ``report_id`` in the list of ``where`` (already scoped) sorted
        by ``sort``, as the list page orders it."""
        if sort not in SORTS:
            sort = "agency"
        with self.store.session() as session:
            order = review.ordered_ids(session, self.store.select_reports(where), sort, descending)
        if report_id not in order:
            return Neighbours(None, order[0] if order else None, 0, len(order))
        at = order.index(report_id)
        return Neighbours(order[at - 1] if at > 0 else None, order[at + 1] if at + 1 < len(order) else None,
                          at + 1, len(order))

    # -- failed reads ----------------------------------------------------------------------------

    def failed_reads(self, user: User, *, limit: int = 200) -> list[dict[str, Any]]:
        """Ingest results that produced no report, newest first, with their bilingual reason. A user
        with a region scope sees the failures of uploads made in that scope (or by them) only."""
        with self.store.session() as session:
            folders: list[str] | None = None
            if user.region:
                folders = [folder.rstrip("/") + "/" for by, region, folder in review.upload_folders(session)
                           if by == user.name or inside(region, user.region)]
            out = []
            for result in review.failed_results(session):
                if folders is not None and not any(result["location"].startswith(f) for f in folders):
                    continue
                out.append(result)
                if len(out) >= limit:
                    break
            return out

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _rows(session: Session, ids: list[int], by: User) -> list[ReportState]:
        """The reports of ``ids`` (locked for the change), all visible to ``by``; else refused."""
        rows = review.states(session, ids, lock=True)  # in id order: no lock cycle
        missing = [i for i in ids if i not in rows or not _sees(by.region, rows[i])]
        if missing:  # one answer for absent and outside the scope: no existence oracle
            raise WorkspaceError(f"没有编号为 {', '.join(map(str, missing))} 的报告",
                                 f"no report with id {', '.join(map(str, missing))}")
        return [rows[i] for i in ids]


def _batch(report_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in report_ids))
    if not ids:
        raise WorkspaceError("没有选择报告", "no reports chosen")
    if len(ids) > MAX_BATCH:
        raise WorkspaceError(f"一次最多 {MAX_BATCH} 份报告", f"at most {MAX_BATCH} reports at once")
    return ids
