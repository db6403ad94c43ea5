"""Drafts as stored (``docs/drafting.md``): a unit's report being written, the review office's comments
on it and its own audit trail.

Persists and loads, nothing else: what a draft holds, its checks and its 备案 flow belong to the
review workspace (``gknb.workspace.drafts``). Every function works in the caller's session.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import DraftAuditRow, DraftCommentRow, DraftRow, update_row


@dataclass(frozen=True)
class Draft:
    """A draft as stored (``models.DraftRow`` says what each field holds)."""

    id: int
    agency: str
    year: int
    template: str
    status: str
    province: str | None
    city: str | None
    county: str | None
    content: dict[str, Any]
    previous_id: int | None
    from_text: bool
    approved: dict[str, Any] | None
    published: dict[str, Any] | None
    revision: int
    round: int
    created: datetime
    created_by: str
    updated: datetime
    updated_by: str

    def place(self) -> tuple[str | None, str | None, str | None]:
        """(province, city, county)."""
        return self.province, self.city, self.county


FIELDS = tuple(f.name for f in fields(Draft))


def _draft(row: DraftRow) -> Draft:
    return Draft(**{name: getattr(row, name) for name in FIELDS})


def draft(session: Session, draft_id: int) -> Draft | None:
    """A draft as now stored (re-read, whatever the session held)."""
    row = session.get(DraftRow, draft_id, populate_existing=True)
    return _draft(row) if row is not None else None


def drafts(session: Session, *, agency: str | None = None, region: str | None = None, status: str | None = None,
           oldest_first: bool = False) -> list[Draft]:
    """The drafts of ``agency`` (or lying in ``region``), with ``status``: newest year first, or the
    least recently updated first (``oldest_first``)."""
    query = select(DraftRow)
    if agency is not None:
        query = query.where(DraftRow.agency == agency)
    if region:
        query = query.where(or_(DraftRow.province == region, DraftRow.city == region, DraftRow.county == region))
    if status:
        query = query.where(DraftRow.status == status)
    order = [DraftRow.updated] if oldest_first else [DraftRow.year.desc(), DraftRow.agency]
    return [_draft(r) for r in session.scalars(query.order_by(*order, DraftRow.id))]


def draft_exists(session: Session, agency: str, year: int) -> bool:
    """Whether the unit has a draft for that year."""
    return session.scalar(select(DraftRow.id).where(DraftRow.agency == agency, DraftRow.year == year)) is not None


def add_draft(session: Session, **values: Any) -> Draft:
    """Store a new draft (every field of ``Draft`` but ``id``, ``approved`` and ``published``)."""
    row = DraftRow(**values)
    session.add(row)
    session.flush()
    return _draft(row)


def update_draft(session: Session, draft_id: int, **changes: Any) -> Draft:
    """Set fields of a draft; the draft as it now is."""
    return _draft(update_row(session, DraftRow, draft_id, set(FIELDS) - {"id"}, changes, "a draft"))


def bump_revision(session: Session, draft_id: int, revision: int) -> bool:
    """Count one more revision of the draft if it still is at ``revision``; whether it was."""
    done = session.execute(update(DraftRow).where(DraftRow.id == draft_id, DraftRow.revision == revision)
                           .values(revision=DraftRow.revision + 1))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def add_comment(session: Session, draft_id: int, round: int, kind: str, target: str, comment: str, user: str,
                at: datetime) -> None:
    """A review office's comment on a draft (``models.DraftCommentRow``)."""
    session.add(DraftCommentRow(draft_id=draft_id, round=round, kind=kind, target=target, comment=comment,
                                user=user, at=at))


def comments(session: Session, draft_id: int) -> list[dict[str, Any]]:
    """A draft's comments, oldest first (``at`` as ISO text)."""
    return [{"id": c.id, "round": c.round, "kind": c.kind, "target": c.target, "comment": c.comment,
             "user": c.user, "at": c.at.isoformat(timespec="seconds")}
            for c in session.scalars(select(DraftCommentRow).where(DraftCommentRow.draft_id == draft_id)
                                     .order_by(DraftCommentRow.id))]


def add_audit(session: Session, draft_id: int, user: str, at: datetime, action: str, target: str | None,
              old: str | None, new: str | None, comment: str | None) -> None:
    """One step of a draft in its audit trail (``models.DraftAuditRow``)."""
    session.add(DraftAuditRow(draft_id=draft_id, user=user, at=at, action=action, target=target, old=old, new=new,
                              comment=comment))


def audit(session: Session, draft_id: int) -> list[dict[str, Any]]:
    """A draft's audit trail, oldest first (``at`` as ISO text)."""
    return [{"id": a.id, "user": a.user, "at": a.at.isoformat(timespec="seconds"), "action": a.action,
             "target": a.target, "old": a.old, "new": a.new, "comment": a.comment}
            for a in session.scalars(select(DraftAuditRow).where(DraftAuditRow.draft_id == draft_id)
                                     .order_by(DraftAuditRow.id))]
