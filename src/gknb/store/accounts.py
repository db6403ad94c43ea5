"""The workspace's accounts as stored: users (their password hashes only), API tokens and sign-in
sessions (the SHA-256 of each token only), settings, and the unit each 填报人 writes for.

Persists and loads, nothing else: roles and rights, hashing and the rules for passwords belong to the
review workspace (``gknb.workspace``). Every function works in the caller's session, so a change and
its checks are one transaction (``with store.session.begin() as session: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import DraftUnitRow, SessionRow, SettingRow, TokenRow, UserRow, update_row

ACCOUNT_FIELDS = ("password_hash", "role", "region", "active", "can_assign")  # what ``update_account`` sets


@dataclass(frozen=True)
class Account:
    """A user as stored (``password_hash`` kept out of its repr)."""

    id: int
    name: str
    role: str
    region: str | None
    active: bool
    can_assign: bool
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class ApiToken:
    """An API token as stored: whose, its label and dates (never the token)."""

    id: int
    user_id: int
    name: str
    created: datetime
    last_used: datetime | None


def _account(row: UserRow) -> Account:
    return Account(row.id, row.name, row.role, row.region, bool(row.active), bool(row.can_assign), row.password_hash)


def _token(row: TokenRow) -> ApiToken:
    return ApiToken(row.id, row.user_id, row.name, row.created, row.last_used)


def account(session: Session, *, name: str | None = None, user_id: int | None = None,
            active: bool = False) -> Account | None:
    """The user with this ``name`` (or ``user_id``); ``active``: only an active one."""
    query = select(UserRow).where(UserRow.name == name) if user_id is None else select(UserRow).where(
        UserRow.id == user_id)
    if active:
        query = query.where(UserRow.active.is_(True))
    row = session.scalar(query)
    return _account(row) if row is not None else None


def accounts(session: Session, *, roles: tuple[str, ...] | None = None) -> list[Account]:
    """The active users (of ``roles``), by name."""
    query = select(UserRow).where(UserRow.active.is_(True))
    if roles is not None:
        query = query.where(UserRow.role.in_(roles))
    return [_account(r) for r in session.scalars(query.order_by(UserRow.name))]


def count_accounts(session: Session) -> int:
    """How many users there are, active or not."""
    return int(session.scalar(select(func.count(UserRow.id))) or 0)


def user_names(session: Session, user_ids: set[int | None]) -> dict[int | None, str]:
    """User id → name, for the ids given (None ignored)."""
    wanted = [i for i in user_ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(UserRow.id, UserRow.name)  # type: ignore[arg-type]
                                .where(UserRow.id.in_(wanted))).all())


def add_account(session: Session, name: str, password_hash: str, role: str, region: str | None,
                created: datetime) -> Account:
    """Store a new, active user."""
    row = UserRow(name=name, password_hash=password_hash, role=role, region=region, active=True, created=created)
    session.add(row)
    session.flush()
    return _account(row)


def update_account(session: Session, user_id: int, **changes: Any) -> Account:
    """Set fields of a user (``ACCOUNT_FIELDS``); the user as it now is."""
    return _account(update_row(session, UserRow, user_id, ACCOUNT_FIELDS, changes, "an account"))


def other_active_admins(session: Session, user_id: int) -> int:
    """How many active admins there are besides ``user_id``."""
    return int(session.scalar(select(func.count(UserRow.id)).where(
        UserRow.role == "admin", UserRow.active.is_(True), UserRow.id != user_id)) or 0)


# -- API tokens ------------------------------------------------------------------------------------

def add_token(session: Session, user_id: int, name: str, token_hash: str, created: datetime) -> None:
    """Store a new API token (its hash)."""
    session.add(TokenRow(user_id=user_id, name=name, token_hash=token_hash, created=created))


def tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's API tokens, oldest first."""
    return [_token(r) for r in session.scalars(select(TokenRow).where(TokenRow.user_id == user_id)
                                               .order_by(TokenRow.id))]


def token(session: Session, token_hash: str) -> ApiToken | None:
    """The API token with this hash."""
    row = session.scalar(select(TokenRow).where(TokenRow.token_hash == token_hash))
    return _token(row) if row is not None else None


def touch_token(session: Session, token_id: int, at: datetime) -> None:
    """Note when an API token was last used."""
    row = session.get(TokenRow, token_id)
    if row is not None:
        row.last_used = at


def delete_token(session: Session, user_id: int, token_id: int) -> bool:
    """Delete one of a user's tokens; whether it existed."""
    done = session.execute(delete(TokenRow).where(TokenRow.id == token_id, TokenRow.user_id == user_id))
    return bool(done.rowcount)  # type: ignore[attr-defined]


# -- sign-in sessions --------------------------------------------------------------------------------

def add_session(session: Session, user_id: int, token_hash: str, created: datetime, expires: datetime) -> None:
    """Store a new sign-in session (its token's hash), dropping the expired ones."""
    session.execute(delete(SessionRow).where(SessionRow.expires < created))
    session.add(SessionRow(user_id=user_id, token_hash=token_hash, created=created, expires=expires))


def session_account(session: Session, token_hash: str, now: datetime) -> Account | None:
    """The active user of the unexpired session with this token hash."""
    row = session.execute(select(UserRow).join(SessionRow, SessionRow.user_id == UserRow.id).where(
        SessionRow.token_hash == token_hash, SessionRow.expires > now, UserRow.active.is_(True))).scalar()
    return _account(row) if row is not None else None


def end_sessions(session: Session, *, user_id: int | None = None, token_hash: str | None = None) -> None:
    """Delete the sessions of a user, or the one with this token hash."""
    if user_id is not None:
        session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
    if token_hash is not None:
        session.execute(delete(SessionRow).where(SessionRow.token_hash == token_hash))


# -- settings and units --------------------------------------------------------------------------------

def setting(session: Session, key: str, default: str) -> str:
    """A setting of this database, stored with ``default`` when absent."""
    row = session.get(SettingRow, key)
    if row is None:
        row = SettingRow(key=key, value=default)
        session.add(row)
    return row.value


def unit(session: Session, user_id: int) -> str | None:
    """The agency a 填报人 writes for."""
    row = session.get(DraftUnitRow, user_id)
    return row.agency if row is not None else None


def set_unit(session: Session, user_id: int, agency: str) -> None:
    """Make ``agency`` the unit a 填报人 writes for."""
    row = session.get(DraftUnitRow, user_id)
    if row is None:
        session.add(DraftUnitRow(user_id=user_id, agency=agency))
    else:
        row.agency = agency
