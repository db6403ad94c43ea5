"""The review workspace: accounts and API tokens, the report list, corrections and reviews.

Every correction re-runs the checks at once and is kept in the audit trail with who, when, the old
and the new value; so is every review decision (待审核 pending / 已审核 approved / 退回 returned).

>>> work = Workspace(store)
>>> user = work.add_user("li", "secret-pass", role="reviewer", region="浙江省")
>>> work.correct_cell(report_id, "requests.new.total", 12, user="li", comment="按原件更正")
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..analyze.dashboard import refresh_tallies
from ..catalogue import CHECK_STAGES, stage_of
from ..check import check
from ..data import parse_value as read_value
from ..errors import GknbError
from ..formats.base import CellKind
from ..pipeline.write import recheck_years
from ..regions import divisions
from ..report import Report, Value
from ..store import Session, Store, accounts, encode_value, review, tallies
from ..store.accounts import Account
from ..store.review import META_FIELDS, ReportState
from .corrections import OutOfScope, StaleCorrection, audit_knock_on, refuse_out_of_scope

ROLES = ("admin", "reviewer", "viewer", "agency")  # agency: a 填报人 writing one unit's drafts
REVIEW_STATUSES = {"pending": "待审核", "approved": "已审核", "returned": "退回"}
SORTS = tuple(review.SORTS)  # what the report list sorts by
MIN_PASSWORD = 8
TOKEN_TOUCH_SECONDS = 60  # how stale an API token's ``last_used`` may get
_BLANK = ("", "-", "—", "／", "/")  # what a person types for an empty cell
_LIMIT, _PLACES = 10**15, 6  # what a cell can hold: a non-negative amount or count below 10¹⁵, to 6 places
_HASHER = PasswordHasher()


class WorkspaceError(GknbError):
    """A request the workspace refuses: unknown report, cell or field, a value that is not a number."""

    code = "workspace.invalid"


def require_reason(comment: str | None) -> str:
    """The reason given for a correction; refused (``WorkspaceError``) when blank."""
    reason = (comment or "").strip()
    if not reason:
        raise WorkspaceError("请写明更正原因（如“按原件更正”）", "a correction needs a reason (e.g. 'as in the original')")
    return reason


@dataclass(frozen=True)
class User:
    """A signed-in person (no password hash)."""

    id: int
    name: str
    role: str
    region: str | None

    def can(self, action: str) -> bool:
        """``read`` (all but agency), ``review`` (reviewer, admin: upload, correct, review), ``admin``,
        ``draft`` (agency: write their unit's report, docs/drafting.md) or ``account`` (everyone: their own
        password and API tokens)."""
        allowed = {"read": ("admin", "reviewer", "viewer"), "review": ("admin", "reviewer"), "admin": ("admin",),
                   "draft": ("agency",), "account": ROLES}
        return self.role in allowed[action]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "region": self.region}


@dataclass(frozen=True)
class Listing:
    """One page of the report list, with counts over the whole filter."""

    total: int
    with_errors: int
    by_status: dict[str, int]
    items: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "with_errors": self.with_errors, "by_status": self.by_status,
                "items": self.items}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _user(account: Account) -> User:
    return User(account.id, account.name, account.role, account.region)


def parse_value(text: str | int | Decimal | None, kind: CellKind = "count") -> Value:
    """A cell value typed by a person, read as the data files' values are (``data.parse_value``): blank
    or a dash → None, ``12`` → 12, ``3.5`` → Decimal; a negative number, more than 15 digits or 6
    decimal places, or anything that is not a number is refused (``WorkspaceError``)."""
    if isinstance(text, str):
        if text.strip() in _BLANK:
            return None
        text = text.replace("，", "")  # a full-width thousands separator, as people type it
    value, problem = read_value(text, kind)
    if problem or (value is not None and (value < 0 or value >= _LIMIT or (
            isinstance(value, Decimal) and value.as_tuple().exponent < -_PLACES))):  # type: ignore[operator]
        raise WorkspaceError(f"「{text}」不是非负数（如 12 或 3.5）", f"{text!r} is not a non-negative number (like 12 or 3.5)")
    return value


class Workspace:
    """Accounts, listing, corrections and reviews on top of a ``Store``."""

    def __init__(self, store: Store):
        self.store = store

    # -- accounts --------------------------------------------------------------------------

    def add_user(self, name: str, password: str, *, role: str = "viewer", region: str | None = None) -> User:
        """Create a user; the password is kept only as its argon2 hash."""
        name = name.strip()
        if role not in ROLES:
            raise WorkspaceError(f"角色应为 {'/'.join(ROLES)}", f"role must be one of {', '.join(ROLES)}")
        if not name or len(name) > 80:
            raise WorkspaceError("用户名不能为空且不超过 80 个字符", "the user name must be 1–80 characters")
        _check_password(password)
        with self.store.session.begin() as session:
            if accounts.account(session, name=name) is not None:
                raise WorkspaceError(f"用户「{name}」已存在", f"user {name!r} already exists")
            return _user(accounts.add_account(session, name, _HASHER.hash(password), role, check_region(region),
                                              _now()))

    def update_user(self, name: str, *, password: str | None = None, role: str | None = None,
                    region: str | None = None, active: bool | None = None) -> User:
        """Change a user's password, role, region scope (``""`` clears it) or active flag."""
        with self.store.session.begin() as session:
            found = accounts.account(session, name=name)
            if found is None:
                raise WorkspaceError(f"没有用户「{name}」", f"no user {name!r}")
            was_admin = found.role == "admin" and found.active
            changes: dict[str, Any] = {}
            if password is not None:
                _check_password(password)
                changes["password_hash"] = _HASHER.hash(password)
            if role is not None:
                if role not in ROLES:
                    raise WorkspaceError(f"角色应为 {'/'.join(ROLES)}", f"role must be one of {', '.join(ROLES)}")
                changes["role"] = role
            if region is not None:
                changes["region"] = check_region(region)
            if active is not None:
                changes["active"] = active
            row = accounts.update_account(session, found.id, **changes)
            if was_admin and (row.role != "admin" or not row.active) and not accounts.other_active_admins(session, row.id):
                raise WorkspaceError("不能停用或降级最后一位管理员", "the last active admin cannot be deactivated or demoted")
            if password is not None or not row.active:  # every signed-in browser of theirs must sign in again
                accounts.end_sessions(session, user_id=row.id)
            return _user(row)

    def change_password(self, name: str, current: str, new: str) -> User:
        """A user's own password change: ``current`` must be right, ``new`` long enough."""
        if self.authenticate(name, current) is None:
            raise WorkspaceError("当前密码不正确", "the current password is wrong")
        return self.update_user(name, password=new)

    def users(self) -> list[User]:
        """Every active user, by name."""
        with self.store.session() as session:
            return [_user(a) for a in accounts.accounts(session)]

    def has_users(self) -> bool:
        """Whether any user exists (a new workspace has none)."""
        with self.store.session() as session:
            return accounts.count_accounts(session) > 0

    def authenticate(self, name: str, password: str) -> User | None:
        """The active user with this name and password, else None (same work either way)."""
        with self.store.session.begin() as session:
            row = accounts.account(session, name=name.strip(), active=True)
            stored = row.password_hash if row is not None else _DUMMY_HASH
            try:
                _HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None:
                return None
            if _HASHER.check_needs_rehash(row.password_hash):
                accounts.update_account(session, row.id, password_hash=_HASHER.hash(password))
            return _user(row)

    def user(self, user_id: int) -> User | None:
        """The active user with this id."""
        with self.store.session() as session:
            row = accounts.account(session, user_id=user_id, active=True)
            return _user(row) if row is not None else None

    def create_token(self, user_name: str, label: str = "api") -> str:
        """A new API token for a user; only its hash is kept, so it is shown this once."""
        token = "gknb_" + secrets.token_urlsafe(32)
        with self.store.session.begin() as session:
            row = accounts.account(session, name=user_name)
            if row is None:
                raise WorkspaceError(f"没有用户「{user_name}」", f"no user {user_name!r}")
            accounts.add_token(session, row.id, label[:80] or "api", _token_hash(token), _now())
        return token

    def tokens(self, user_id: int) -> list[dict[str, Any]]:
        """A user's tokens (names and dates, never the token)."""
        with self.store.session() as session:
            rows = accounts.tokens(session, user_id)
            return [{"id": r.id, "name": r.name, "created": r.created.isoformat(timespec="seconds"),
                     "last_used": r.last_used.isoformat(timespec="seconds") if r.last_used else None}
                    for r in rows]

    def revoke_token(self, user_id: int, token_id: int) -> bool:
        """Delete one of a user's tokens; whether it existed."""
        with self.store.session.begin() as session:
            return accounts.delete_token(session, user_id, token_id)

    def token_user(self, token: str) -> User | None:
        """The active user an API token belongs to."""
        with self.store.session.begin() as session:
            row = accounts.token(session, _token_hash(token))
            if row is None:
                return None
            user = accounts.account(session, user_id=row.user_id, active=True)
            if user is None:
                return None
            now = _now()
            if row.last_used is None or (now - row.last_used).total_seconds() > TOKEN_TOUCH_SECONDS:
                accounts.touch_token(session, row.id, now)  # not on every request: a write per read would queue readers on SQLite
            return _user(user)

    def open_session(self, user_id: int, hours: float) -> str:
        """A new sign-in session of a user, valid for ``hours``; only its hash is kept."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.store.session.begin() as session:
            accounts.add_session(session, user_id, _token_hash(token), now, now + timedelta(hours=hours))
        return token

    def session_user(self, token: str) -> User | None:
        """The active user of an unexpired, unrevoked session."""
        with self.store.session() as session:
            found = accounts.session_account(session, _token_hash(token), _now())
            return _user(found) if found is not None else None

    def close_session(self, token: str) -> None:
        """Revoke a session (sign-out)."""
        with self.store.session.begin() as session:
            accounts.end_sessions(session, token_hash=_token_hash(token))

    def setting(self, key: str, default: str) -> str:
        """A setting of this database, created with ``default`` when absent."""
        with self.store.session.begin() as session:
            return accounts.setting(session, key, default)

    # -- listing ---------------------------------------------------------------------------

    def visible(self, user: User | None, report_id: int) -> bool:
        """Whether ``user`` may see this report (it exists and lies in their region)."""
        with self.store.session() as session:
            row = review.state(session, report_id)
            if row is None:
                return False
            region = user.region if user is not None else None
            return not region or region in row.place()

    def list_reports(self, where: dict[str, Any] | None = None, *, sort: str = "agency",
                     descending: bool = False, page: int = 1, per_page: int = 50) -> Listing:
        """One page of current reports matching ``where`` (``Store.FILTERS``; ``region`` for a user's
        scope) with their error and warning counts, and counts over the whole filter.

        The counts are cached per store revision (``Store.cached``); a page in the back half of the
        list is read from its end, so no page walks more than half the list."""
        if sort not in SORTS:
            raise WorkspaceError(f"无法按「{sort}」排序", f"cannot sort by {sort!r}; one of {', '.join(SORTS)}")
        conditions = self.store.conditions(where)
        total, with_errors, by_status = self.store.cached(
            "listing", _key(where), lambda: self._counts(conditions) if where else self._tallied_counts())
        first, end = max(page - 1, 0) * per_page, min(max(page, 1) * per_page, total)
        with self.store.session() as session:
            items = review.list_page(session, conditions, sort, descending, first, end, total)  # counts kept on write
        return Listing(total, with_errors, dict(by_status), items)

    def _counts(self, conditions: Sequence[Any]) -> tuple[int, int, dict[str, int]]:
        """(reports, reports with an error-level finding, reports by review status) matching ``conditions``."""
        with self.store.session() as session:
            counted, with_errors = review.list_counts(session, conditions)
        by_status = dict.fromkeys(REVIEW_STATUSES, 0) | counted
        return sum(by_status.values()), int(with_errors), by_status

    def _tallied_counts(self) -> tuple[int, int, dict[str, int]]:
        """``_counts`` of every current report, from the tallies the store keeps (``gknb.store.tallies``)."""
        refresh_tallies(self.store)
        with self.store.session() as session:
            overall = tallies.tallies(session, tallies.OVERALL)
            counted = {t.value: t.reports for t in tallies.tallies(session, "review_status")}
        by_status = dict.fromkeys(REVIEW_STATUSES, 0) | counted
        return sum(by_status.values()), overall[0].with_errors if overall else 0, by_status

    def facets(self, where: dict[str, Any] | None = None) -> dict[str, list[Any]]:
        """The distinct values of the list's filters among the current reports matching ``where``
        (cached per store revision; without a filter, from the tallies the store keeps)."""
        return self.store.cached("facets", _key(where), lambda: self._facets(where))

    def _facets(self, where: dict[str, Any] | None) -> dict[str, list[Any]]:
        if not where:
            refresh_tallies(self.store)
            with self.store.session() as session:
                return tallies.values(session, review.FACETS)
        conditions = self.store.conditions(where)
        with self.store.session() as session:
            return review.facets(session, conditions)

    # -- corrections and reviews -----------------------------------------------------------

    def review_status(self, report_id: int) -> str:
        """The review status of a report: pending, approved or returned."""
        with self.store.session() as session:
            return _report_state(session, report_id).review_status

    def correct_cell(self, report_id: int, key: str, value: str | int | Decimal | None, *, user: str,
                     comment: str | None = None, revision: int | None = None, scope: str | None = None) -> Report:
        """Set one cell to ``value``, re-run the checks, keep the change in the audit trail.

        ``comment``: the reason (required). ``revision``: the report's revision the client saw (a newer
        stored one raises ``StaleCorrection`` with the current value). ``scope``: the corrector's region;
        a change reaching outside it raises ``OutOfScope``. Cells, findings and audit change together."""
        new = parse_value(value)
        reason = require_reason(comment)
        with self.store.session.begin() as session:
            self._lock(session, report_id, revision, key)
            report = review.read(session, report_id, with_crossyear=False)
            if report.format is None or key not in report.cells:
                raise WorkspaceError(f"本报告没有单元格「{key}」", f"this report has no cell {key!r}")
            old = report.cells[key]
            if old == new and type(old) is type(new):
                return review.read(session, report_id)
            report.cells[key] = new
            row = review.set_cell(session, report_id, key, new)
            self._recheck(session, row, report, user=user, what=key, scope=scope)
            review.add_audit(session, report_id, user, _now(), "cell", key, encode_value(old), encode_value(new), reason)
            return review.read(session, report_id)

    def correct_meta(self, report_id: int, field: str, value: str | None, *, user: str,
                     comment: str | None = None, revision: int | None = None, scope: str | None = None) -> Report:
        """Set one meta field (``META_FIELDS``), re-run the checks, keep the change in the audit trail
        (``comment``, ``revision``, ``scope`` as for ``correct_cell``)."""
        if field not in META_FIELDS:
            raise WorkspaceError(f"不能更正字段「{field}」", f"cannot correct field {field!r}; one of {', '.join(META_FIELDS)}")
        text = (value or "").strip() or None
        new: Any = text
        if field == "year" and text is not None:
            if not text.isdigit() or not 2000 <= int(text) <= 2100:
                raise WorkspaceError(f"「{text}」不是年份", f"{text!r} is not a year")
            new = int(text)
        reason = require_reason(comment)
        if scope and field == "agency" and text is not None and scope not in self.store.place(text).values():
            raise OutOfScope("该机关不在您的管辖范围内", "that agency lies outside your region")  # before any look at its reports
        with self.store.session.begin() as session:
            row = self._lock(session, report_id, revision, field)
            old = getattr(row, field)
            if old == new:
                return review.read(session, report_id)
            before = (row.agency_id, row.year)
            row = review.set_meta(session, report_id, field, new)
            report = review.read(session, report_id, with_crossyear=False)
            self._recheck(session, row, report, also=before, user=user, what=field, scope=scope)
            review.add_audit(session, report_id, user, _now(), "meta", field, None if old is None else str(old),
                             None if new is None else str(new), reason)
            return review.read(session, report_id)

    def _lock(self, session: Session, report_id: int, revision: int | None, target: str) -> ReportState:
        """The report's state, locked for this correction (``store.review.lock_report``); a stale
        ``revision`` raises ``StaleCorrection`` carrying the current revision and value of ``target``."""
        row, bumped = review.lock_report(session, report_id, revision)
        if row is None:
            raise _no_report(report_id)
        if not bumped:
            current: Any = getattr(row, target) if target in META_FIELDS else review.cell_value(session, report_id, target)
            raise StaleCorrection(report_id, row.revision, current)
        review.lock_agencies(session, [row.agency_id])
        return row

    def corrected(self, report_id: int) -> list[str]:
        """The keys of the report's cells a person has corrected."""
        with self.store.session() as session:
            return list(_report_state(session, report_id).verified)

    def revision(self, report_id: int) -> int:
        """The report's revision: how many corrections it has had (sent back with the next one)."""
        with self.store.session() as session:
            return _report_state(session, report_id).revision

    def set_review(self, report_id: int, status: str, *, user: str, comment: str | None = None) -> str:
        """Set the review status (``REVIEW_STATUSES``); returning a report needs a comment."""
        if status not in REVIEW_STATUSES:
            raise WorkspaceError(f"审核状态应为 {'/'.join(REVIEW_STATUSES.values())}",
                                 f"review status must be one of {', '.join(REVIEW_STATUSES)}")
        if status == "returned" and not (comment or "").strip():
            raise WorkspaceError("退回时请写明原因", "returning a report needs a comment saying why")
        with self.store.session.begin() as session:
            row = _report_state(session, report_id)
            review.add_audit(session, report_id, user, _now(), "review", "review_status", row.review_status, status,
                             (comment or "").strip() or None)
            review.set_review_status(session, report_id, status)
            return status

    def audit(self, report_id: int) -> list[dict[str, Any]]:
        """The report's audit trail, oldest first."""
        with self.store.session() as session:
            return review.audit(session, report_id)

    def _recheck(self, session: Session, row: ReportState, report: Report,
                 also: tuple[int | None, int | None] | None = None, *, user: str = "", what: str = "",
                 scope: str | None = None) -> None:
        """Re-run the checks on ``report`` (as changed) and replace the row's stored findings, then the
        cross-year findings of its agency and year (and of ``also``, the agency and year it had before).

        The parser's own remarks are kept, except those whose every cell a person has since corrected.
        Another report whose cross-year findings change gets a ``findings`` audit entry (``user``,
        ``what`` was corrected); a change reaching outside ``scope`` raises ``OutOfScope``.
        """
        agencies = [row.agency_id, (also or (None, None))[0]]
        review.lock_agencies(session, agencies)
        before = review.crossyear_state(session, agencies)
        verified = set(row.verified)
        report.parse_findings = [
            f for f in self.store.findings(session, row.id)
            if stage_of(f.rule) not in CHECK_STAGES and not (f.cells and set(f.cells) <= verified)
        ]
        check(report)
        self.store.replace_findings(session, row.id, report.findings)
        touched: dict[int, set[int]] = {}
        for agency_id, year in ((row.agency_id, row.year), also or (None, None)):
            if agency_id is not None and year is not None:  # this year's report and the next year's
                touched.setdefault(agency_id, set()).update((year, year + 1))
        unpaired = [row.id] if row.agency_id is None or row.year is None else []  # loses its cross-year findings
        recheck_years(self.store, session, touched, {row.id: dict(report.cells)}, stale=unpaired)
        after = review.crossyear_state(session, agencies)
        refuse_out_of_scope(session, row, scope, before, after)
        audit_knock_on(session, row, user, what, before, after)


def _report_state(session: Session, report_id: int) -> ReportState:
    row = review.state(session, report_id)
    if row is None:
        raise _no_report(report_id)
    return row


def _no_report(report_id: int) -> WorkspaceError:
    return WorkspaceError(f"没有编号为 {report_id} 的报告", f"no report with id {report_id}")


def _key(where: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """A filter as a cache key."""
    return tuple(sorted((name, repr(value)) for name, value in (where or {}).items()))


def check_region(region: str | None) -> str | None:
    """A region scope as stored: the exact name of a province, city or county of the division table
    (``""``/None: no scope); anything else — ``山东`` for 山东省 — is refused rather than matching nothing."""
    region = (region or "").strip()
    if not region:
        return None
    if region not in _division_names():
        raise WorkspaceError(f"「{region}」不是省、市或县（区）的全称（如“山东省”“杭州市”）",
                             f"{region!r} is not the full name of a province, city or county (like 山东省)")
    return region


@cache
def _division_names() -> frozenset[str]:
    return frozenset(d.name for d in divisions())


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WorkspaceError(f"密码至少 {MIN_PASSWORD} 个字符", f"the password needs at least {MIN_PASSWORD} characters")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def review_label(status: str) -> str:
    """The Chinese name of a review status."""
    return REVIEW_STATUSES.get(status, status)


__all__: Sequence[str] = ("META_FIELDS", "REVIEW_STATUSES", "ROLES", "Listing", "User", "Workspace",
                          "WorkspaceError", "check_region", "parse_value", "review_label")
