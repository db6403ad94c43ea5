"""The web workspace: one FastAPI app serving the Chinese pages, the REST API and the static files.

>>> app = create_app("sqlite:///gknb.db")         # then: uvicorn, or ``gknb serve``
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.health import DATABASE_TROUBLE, open_checked
from ..store.listing import fill_sort_keys
from ..workspace.corrections import OutOfScope, StaleCorrection
from ..workspace.service import Workspace, WorkspaceError
from . import api, apidocs, drafts, flow, pages, review
from .security import SignInThrottle
from .uploads import Limits, Uploads

_log = logging.getLogger("gknb.web")
STATIC = Path(__file__).parent / "static"
HTTP_MESSAGES = {  # status → (Chinese, English) for the errors the framework raises itself
    400: ("请求有误", "bad request"), 401: ("请先登录", "not signed in"), 403: ("没有权限", "forbidden"),
    404: ("没有这个页面或资源", "not found"), 405: ("不支持这种请求方法", "method not allowed"),
    413: ("请求内容过大", "request too large"), 415: ("不支持的内容类型", "unsupported media type"),
    429: ("请求过于频繁，请稍后再试", "too many requests"), 500: ("服务器内部错误", "internal server error"),
}
SESSION_HOURS = 12


class BodyLimit:
    """Refuse (413) a request body larger than ``limit`` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = JSONResponse({"detail": {"code": "upload.too_large", "message": "上传内容过大",
                                    "message_en": "request body too large"}}, status_code=413)
    await body({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def create_app(db: str | None = None, *, upload_dir: Path | None = None, jobs: int = 1,
               limits: Limits | None = None, timeout: float | None = None,
               secure_cookies: bool = False) -> FastAPI:
    """The app on the store at ``db`` (see ``store.database_url``); uploads wait in ``upload_dir`` (None:
    a temporary folder, removed when the app shuts down) and are read by ``jobs`` processes."""
    store = open_checked(db)
    with store.session.begin() as session:
        fill_sort_keys(session)  # reports stored where pypinyin was not installed get their sort key now
    work = Workspace(store)
    limits = limits or Limits()
    uploads = Uploads(store, upload_dir, jobs=jobs, limits=limits, timeout=timeout)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        uploads.close()
        store.close()

    app = FastAPI(title="gknb 公开年报", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url="/api/openapi.json",
                  description="政府信息公开工作年度报告：审核工作台与 REST API / review workspace and REST API. "
                              "Authenticate with `Authorization: Bearer <token>` (create one on the 账户 page "
                              "or with `gknb token`).")
    app.state.store = store
    app.state.workspace = work
    app.state.uploads = uploads
    app.state.sign_in_throttle = SignInThrottle()
    app.state.session_hours = SESSION_HOURS
    secret = work.setting("session_secret", secrets.token_hex(32))
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="gknb_session",
                       max_age=SESSION_HOURS * 3600, same_site="strict", https_only=secure_cookies)
    app.add_middleware(BodyLimit, limit=limits.max_total_bytes + 1024 * 1024)
    app.add_middleware(_SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    apidocs.mount(app)
    app.include_router(api.router)
    app.include_router(flow.api)  # the reviewer's workflow: assignments, my queue, bulk review
    app.include_router(pages.router)
    app.include_router(review.router)  # the review office's page (docs/review.md)
    app.include_router(drafts.api)  # drafting and 备案 (docs/drafting.md)
    app.include_router(drafts.pages)
    app.add_exception_handler(WorkspaceError, _workspace_error)
    app.add_exception_handler(StaleCorrection, _refused(409))
    app.add_exception_handler(OutOfScope, _refused(403))
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)  # FastAPI's HTTPException is one too
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


class _SecurityHeaders:
    """No framing, no MIME sniffing, scripts and styles only from this server."""

    HEADERS = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"),
               (b"content-security-policy", b"default-src 'self'; img-src 'self' data: blob:; "
                                            b"style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'")]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


async def _workspace_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, WorkspaceError)
    if _wants_page(request):
        return pages.error_page(request, 400, error.message, error.message_en)
    return JSONResponse({"detail": error.as_dict()}, status_code=400)


def _refused(status: int) -> Any:
    """A handler answering a refused correction (stale: 409 with the current value; out of scope: 403)."""

    async def handler(request: Request, error: Exception) -> Response:
        detail = error.as_dict()  # type: ignore[attr-defined]
        if _wants_page(request):
            return pages.error_page(request, status, detail["message"], detail["message_en"])
        return JSONResponse({"detail": detail}, status_code=status)

    return handler


async def _database_error(request: Request, error: Exception) -> Response:
    """503 with a clear bilingual message; the database's own error (SQL, parameters) only in the log."""
    _log.error("database error on %s %s", request.method, request.url.path, exc_info=error)
    message, message_en = DATABASE_TROUBLE
    if _wants_page(request):
        return pages.error_page(request, 503, message, message_en)
    return JSONResponse({"detail": {"code": "store.unavailable", "message": message, "message_en": message_en}},
                        status_code=503)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    detail: Any = error.detail
    if not isinstance(detail, dict):
        zh, en = HTTP_MESSAGES.get(error.status_code, (f"请求失败（{error.status_code}）", str(detail)))
        detail = {"code": f"http.{error.status_code}", "message": zh, "message_en": en}
    if _wants_page(request):
        if error.status_code == 401:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return pages.error_page(request, error.status_code, detail["message"], detail["message_en"])
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
    if _wants_page(request):
        return pages.error_page(request, 422, f"请求参数有误：{problems}", f"invalid request: {problems}")
    return JSONResponse({"detail": {"code": "request.invalid", "message": f"请求参数有误：{problems}",
                                    "message_en": f"invalid request: {problems}"}}, status_code=422)

