"""The tables of the store (SQLAlchemy 2). The schema itself is created by the Alembic migrations.

``sources`` keeps each original once by content hash; a ``report`` is one parsed source at one
location (path, URL or zip member) and ``version`` counts the different contents seen there — only
the newest version of a location is ``current``. Cell values are exact decimal text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class SourceRow(Base):
    """An original file, stored once by its SHA-256 (``content`` is None for imported reports)."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    medium: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime)


class AgencyRow(Base):
    """An agency by normalised name; ``corrected`` rows were set by a user and are never re-inferred."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    county: Mapped[str | None] = mapped_column(String(40))
    province_code: Mapped[str | None] = mapped_column(String(6))
    city_code: Mapped[str | None] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    level: Mapped[str | None] = mapped_column(String(20))
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)


class ReportRow(Base):
    """One parsed report: meta columns, sections as JSON, the agency it belongs to.

    The region and level columns are the report's ``meta``: on ingest they come from its agency (the
    user's correction, else the division table), so they agree with ``agencies``.
    """

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    location: Mapped[str] = mapped_column(Text, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    template: Mapped[str] = mapped_column(String(10))
    province: Mapped[str | None] = mapped_column(String(40), index=True)
    city: Mapped[str | None] = mapped_column(String(40))
    county: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str | None] = mapped_column(String(20))
    published: Mapped[str | None] = mapped_column(String(10))
    sections: Mapped[dict[str, Any]] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)  # section order, printed labels
    ingested: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))
    review_status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # +1 per correction: optimistic concurrency
    # the reviewer's workflow (migration 0004): the agency's pinyin sort key, who the report is assigned
    # to and since when (its finding counts: ``ReportCountRow``)
    agency_sort: Mapped[str | None] = mapped_column(String(400), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned: Mapped[datetime | None] = mapped_column(DateTime)

    source: Mapped[SourceRow] = relationship()
    agency_row: Mapped[AgencyRow | None] = relationship()


class ReportCountRow(Base):
    """A report's error and warning findings (both scopes) counted, kept in the transaction that writes
    them (``store/listing.py``) for the list to sort and filter on. A table of its own, not columns of
    ``reports``: a correction recounts other reports (their cross-year findings) and must not take
    their rows, which their own corrections lock first (migration 0004)."""

    __tablename__ = "report_counts"
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    errors: Mapped[int] = mapped_column(Integer, default=0, index=True)
    warnings: Mapped[int] = mapped_column(Integer, default=0, index=True)


class CellRow(Base):
    """One cell of a report (long form): exact value text, printed text, provenance."""

    __tablename__ = "cells"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    value: Mapped[str | None] = mapped_column(String(40))
    printed: Mapped[str | None] = mapped_column(Text)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class FindingRow(Base):
    """A finding of a report: ``scope`` is ``report`` (from ``gknb.check``) or ``crossyear``."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(80), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    cells: Mapped[list[str]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    other_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))


class UserRow(Base):
    """A person who signs in: ``role`` admin | reviewer | viewer; ``region`` limits what they see."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))
    region: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    can_assign: Mapped[bool] = mapped_column(Boolean, default=False)  # a reviewer who may assign reports


class TokenRow(Base):
    """An API token of a user, kept only as its SHA-256."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    last_used: Mapped[datetime | None] = mapped_column(DateTime)


class SessionRow(Base):
    """A signed-in browser session, kept only as the SHA-256 of its token; deleted at sign-out, at a
    password change and when the user is deactivated."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    expires: Mapped[datetime] = mapped_column(DateTime)


class UploadRow(Base):
    """One upload of the web workspace, recorded before it is acknowledged: its inputs (saved files and
    URLs), each file's state (``files``) and the upload's (``queued`` | ``running`` | ``done``)."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user: Mapped[str] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(40))  # the uploader's scope when it was made
    created: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(10), index=True)
    folder: Mapped[str] = mapped_column(Text)
    inputs: Mapped[list[str]] = mapped_column(JSON)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))


class AuditRow(Base):
    """One change to a report, kept for ever: a corrected cell or meta field, or a review decision.

    ``action`` is ``cell`` (``target`` = cell key), ``meta`` (``target`` = field), ``review``
    (``target`` = ``review_status``), ``assign`` (``target`` = ``assignee``; ``old``/``new`` are user names)
    or ``findings`` (``target`` = ``crossyear``: this report's cross-year findings changed because another
    report was corrected; ``old``/``new`` list the rules);
    ``old``/``new`` are the values as text.
    """

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(80))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)


class SettingRow(Base):
    """A setting of this database, e.g. the web workspace's session-signing secret."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class IngestRun(Base):
    """One ``gknb ingest`` (or ``gknb import``) invocation."""

    __tablename__ = "ingest_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    inputs: Mapped[list[str]] = mapped_column(JSON)


class IngestResult(Base):
    """What became of one input file of a run: ``stored``, ``duplicate`` or ``failed`` (with why)."""

    __tablename__ = "ingest_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("ingest_runs.id"), index=True)
    location: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    error_code: Mapped[str | None] = mapped_column(String(60))
    message: Mapped[str | None] = mapped_column(Text)
    message_en: Mapped[str | None] = mapped_column(Text)


class DraftRow(Base):
    """A report being written in the workspace by its unit (``docs/drafting.md``), one per unit and year.

    ``content`` holds what the 填报人 typed: ``meta`` (title, published), ``sections``, ``cells`` (each as
    typed text) and ``auto`` (the total cells still computed from their parts). ``status`` walks
    draft → submitted → returned/approved → published; ``approved`` is the content as approved (cell
    values and sections), ``published`` what the published copy was matched against it.
    """

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("agency", "year", name="uq_drafts_agency_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    template: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), index=True)
    province: Mapped[str | None] = mapped_column(String(40), index=True)
    city: Mapped[str | None] = mapped_column(String(40))
    county: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    from_text: Mapped[bool] = mapped_column(Boolean, default=False)  # sections started from last year's
    approved: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)  # submissions so far
    created: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(80))
    updated: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(80))


class DraftCommentRow(Base):
    """A review office's comment on a submitted draft: on a cell (``target`` = cell key), a section
    (``target`` = section key) or the whole draft (``target`` = ""), in submission ``round``."""

    __tablename__ = "draft_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # cell | section | general
    target: Mapped[str] = mapped_column(String(80))
    comment: Mapped[str] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime)


class DraftAuditRow(Base):
    """One step of a draft, kept for ever: created, edited (``target``: the cells and sections changed),
    imported, exported, submitted, returned, approved, published."""

    __tablename__ = "draft_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(12))
    target: Mapped[str | None] = mapped_column(Text)
    old: Mapped[str | None] = mapped_column(String(12))  # the status before (flow steps)
    new: Mapped[str | None] = mapped_column(String(12))  # the status after
    comment: Mapped[str | None] = mapped_column(Text)


class DraftUnitRow(Base):
    """The unit a 填报人 (role ``agency``) writes for: one agency name per user."""

    __tablename__ = "draft_units"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(200))


def update_row(session: Session, model: type[Base], row_id: int, allowed: Any, changes: dict[str, Any],
               what: str) -> Any:
    """Set ``changes`` (names among ``allowed``) on the row ``row_id`` of ``model`` and flush; the row.
    ValueError names a field that is not ``what``'s; KeyError when there is no such row."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"not {what} field: {', '.join(sorted(unknown))}")
    row = session.get(model, row_id)
    if row is None:
        raise KeyError(row_id)
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    return row


class TallyRow(Base):
    """The current reports of one value of one dimension (``store/tallies.py``): how many, how many with an
    error, the sums of the tallied metrics (``amounts``: metric → exact decimal text, JSON) and ``rank``
    (the ranking metric as a float, for the largest groups first). ``key`` is the value as JSON;
    ``value`` (text) or ``number`` (year) the value for ordering in SQL."""

    __tablename__ = "tallies"
    dim: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    number: Mapped[int | None] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)
    with_errors: Mapped[int] = mapped_column(Integer)
    amounts: Mapped[str] = mapped_column(Text)
    rank: Mapped[float] = mapped_column(Float)


class TallyLogRow(Base):
    """A report changed since the tallies were last brought up to date (written by triggers, migration 0007)."""

    __tablename__ = "tally_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    report_id: Mapped[int] = mapped_column(Integer)


class TallyReportRow(Base):
    """What one current report contributes to the tallies (JSON: its groups, errors, amounts)."""

    __tablename__ = "tally_reports"
    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    contribution: Mapped[str] = mapped_column(Text)
