"""Who is asking, and may they: sessions or API tokens, roles, region scope, CSRF.

A browser signs in with a name and password and then carries a signed session cookie naming a
session kept in the store (``sid``), so signing out, a password change or deactivation revokes it
at once; every request that changes something must also carry the session's CSRF token (header
``X-CSRF-Token`` or form field ``csrf``). API clients send ``Authorization: Bearer gknb_…`` instead; no cookie, so no CSRF.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query, Request

from ..workspace.service import User, Workspace

CSRF_HEADER = "X-CSRF-Token"
MAX_INT = 2**31 - 1  # the store's integer columns (PostgreSQL ``integer``): larger ids answer 422, not 500
MAX_PAGE = 1_000_000  # pages of a listing, and of an original
ReportId = Annotated[int, Path(ge=1, le=MAX_INT, description="a report id")]
ReportIdQuery = Annotated[int, Query(ge=1, le=MAX_INT, description="a report id")]
RowId = Annotated[int, Path(ge=1, le=MAX_INT)]
PageNumber = Annotated[int, Path(ge=1, le=MAX_PAGE, description="a page, from 1")]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_UNKNOWN = object()


class NotSignedIn(HTTPException):
    """401: no valid session or token."""

    def __init__(self) -> None:
        super().__init__(401, detail={"code": "auth.required", "message": "请先登录",
                                      "message_en": "sign in first"})


class Forbidden(HTTPException):
    """403: signed in, but the role (or the region scope) does not allow this."""

    def __init__(self, message: str = "您的角色无权执行此操作",
                 message_en: str = "your role does not allow this") -> None:
        super().__init__(403, detail={"code": "auth.forbidden", "message": message, "message_en": message_en})


def workspace(request: Request) -> Workspace:
    """The app's workspace."""
    return request.app.state.workspace


def bearer_token(request: Request) -> str | None:
    """The API token of an ``Authorization: Bearer …`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def signed_in(request: Request) -> User | None:
    """The user making the request (API token first, then the session), or None."""
    cached = getattr(request.state, "user", _UNKNOWN)
    if cached is not _UNKNOWN:
        return cached
    token = bearer_token(request)
    user: User | None
    if token is not None:
        user = workspace(request).token_user(token)
    else:
        sid = request.session.get("sid")
        user = workspace(request).session_user(sid) if isinstance(sid, str) else None
    request.state.user = user
    return user


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing browser request without the session's CSRF token."""
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf")
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not secrets.compare_digest(expected, given):
        raise HTTPException(403, detail={"code": "auth.csrf", "message": "页面已过期或请求来源不明，请刷新页面后重试",
                                         "message_en": "missing or wrong CSRF token: reload the page and try again"})


def require(action: str) -> Callable[[Request], Awaitable[User]]:
    """A dependency: the signed-in user allowed to ``action`` (read | review | admin), CSRF checked."""

    async def dependency(request: Request) -> User:
        user = signed_in(request)
        if user is None:
            raise NotSignedIn()
        if not user.can(action):
            raise Forbidden()
        await check_csrf(request)
        return user

    return dependency


def scoped_where(user: User, where: dict[str, Any]) -> dict[str, Any]:
    """The filter narrowed to the user's region scope."""
    return {**where, "region": user.region} if user.region else dict(where)


def require_visible(request: Request, user: User, report_id: int) -> None:
    """404 unless the report exists and lies in the user's region (no hint that it exists elsewhere)."""
    if not workspace(request).visible(user, report_id):
        raise HTTPException(404, detail={"code": "report.not_found", "message": f"没有编号为 {report_id} 的报告",
                                         "message_en": f"no report with id {report_id}"})


class SignInThrottle:
    """After ``failures`` wrong passwords for one user name, refuse sign-ins to it for ``seconds``; the
    same after ``address_failures`` wrong passwords from one client address, whatever the names, so
    guessing across many names from one place is slowed as well. ``checking`` sign-ins are verified at
    once (argon2 costs CPU); the others wait their turn rather than crowd out every other request."""

    def __init__(self, failures: int = 5, seconds: float = 60.0, address_failures: int = 20, checking: int = 2):
        self.failures = failures
        self.address_failures = address_failures
        self.seconds = seconds
        self._state: dict[str, tuple[int, float]] = {}  # "name:…" or "addr:…" → (failures in a row, locked until)
        self._lock = threading.Lock()
        self.checking = threading.BoundedSemaphore(checking)

    def wait(self, name: str, address: str | None = None) -> int:
        """Seconds the name (or the client address) must still wait (0: may try)."""
        now = time.monotonic()
        with self._lock:
            until = max(self._state.get(key, (0, 0.0))[1] for key in self._keys(name, address))
        return max(int(until - now + 0.999), 0)

    def failed(self, name: str, address: str | None = None) -> None:
        """Count a wrong password for the name and the address; reaching a limit locks it."""
        with self._lock:
            for key in self._keys(name, address):
                limit = self.failures if key.startswith("name:") else self.address_failures
                count, _until = self._state.get(key, (0, 0.0))
                count += 1
                locked = time.monotonic() + self.seconds if count >= limit else 0.0
                self._state[key] = (0 if locked else count, locked)

    def succeeded(self, name: str, address: str | None = None) -> None:
        """Forget the name's failures (an address keeps its count: one right password among many
        guesses does not clear them)."""
        with self._lock:
            self._state.pop(f"name:{name}", None)

    @staticmethod
    def _keys(name: str, address: str | None) -> list[str]:
        return [f"name:{name}"] + ([f"addr:{address}"] if address else [])
