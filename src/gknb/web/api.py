"""The REST API (``/api``): reports, corrections, reviews, comparisons, dashboard, exports, uploads,
users and tokens. OpenAPI at ``/api/openapi.json``, browsable at ``/api/docs``.

Errors are JSON ``{"detail": {"code", "message", "message_en"}}``. Reads need any role; uploads,
corrections and reviews need reviewer or admin; users need admin. A user with a region scope sees
only that region's reports (others answer 404).
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator

from ..analyze.compare import compare
from ..analyze.dashboard import charts
from ..export import export
from ..render import RenderError, render
from ..workspace.service import META_FIELDS, REVIEW_STATUSES, ROLES, User, Workspace, WorkspaceError
from .security import (
    MAX_INT,
    MAX_PAGE,
    PageNumber,
    ReportId,
    ReportIdQuery,
    RowId,
    require,
    require_visible,
    scoped_where,
    workspace,
)
from .sources import excerpt, page_png

router = APIRouter(prefix="/api", tags=["gknb"])
Reader = Annotated[User, Depends(require("read"))]
Reviewer = Annotated[User, Depends(require("review"))]
Admin = Annotated[User, Depends(require("admin"))]
Own = Annotated[User, Depends(require("account"))]  # one's own account: every role, the 填报人 too
RENDER_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "pdf": "application/pdf", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}
EXPORT_TYPES = {"csv": ("csv-wide", "text/csv; charset=utf-8"),
                "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


class Filters(BaseModel):
    """The report list's filters (all optional; an empty value is no filter). ``search``: part of the
    agency's name or of the title."""

    model_config = {"str_strip_whitespace": True}

    agency: str | None = None
    search: str | None = Field(None, description="every word found in the agency's name, the title or the region "
                                                 "(浦东 finds 上海市浦东新区 and its 街道 and 镇)")
    year: int | None = Field(None, ge=0, le=9999)
    province: str | None = None
    city: str | None = None
    county: str | None = None
    level: str | None = None
    template: str | None = None
    review_status: str | None = None
    has_errors: bool | None = None
    corrected: bool | None = Field(None, description="only reports with (true) or without (false) a person's corrections")
    assignee: str | None = Field(None, max_length=80, description="assigned to: `me`, `none` (nobody) or a user name")

    @field_validator("*", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def where(self, user: User) -> dict[str, Any]:
        """The store filter, narrowed to the user's region (``assignee=me`` is the user, ``none`` nobody)."""
        where = {k: v for k, v in self.model_dump().items() if v not in (None, "")}
        if "assignee" in where:
            where["assignee"] = {"me": user.id, "none": 0}.get(where["assignee"], where["assignee"])
        return scoped_where(user, where)


class CellCorrection(BaseModel):
    value: str | None = Field(description="the corrected number; empty for a blank cell")
    comment: str = Field(description="why (required): e.g. 按原件更正", max_length=2000)
    revision: int = Field(description="the report's `revision` as last read: a newer one answers 409 with "
                                      "the current value", ge=0, le=MAX_INT)


class MetaCorrection(BaseModel):
    value: str | None
    comment: str = Field(description="why (required)", max_length=2000)
    revision: int = Field(description="the report's `revision` as last read (409 when stale)", ge=0, le=MAX_INT)


class Review(BaseModel):
    status: str = Field(description="pending (待审核) | approved (已审核) | returned (退回)")
    comment: str | None = None


class NewUser(BaseModel):
    name: str
    password: str
    role: str = "viewer"
    region: str | None = None


class UserChange(BaseModel):
    password: str | None = None
    role: str | None = None
    region: str | None = None
    active: bool | None = None


class PasswordChange(BaseModel):
    current: str = Field(description="the password now")
    new: str = Field(description="the new password (at least 8 characters)")


class NewToken(BaseModel):
    name: str = "api"


def _error(status: int, code: str, message: str, message_en: str) -> HTTPException:
    return HTTPException(status, detail={"code": code, "message": message, "message_en": message_en})


def report_payload(work: Workspace, report_id: int) -> dict[str, Any]:
    """A stored report in the JSON contract, with its id, review status, ``revision`` (to send back
    with a correction), the keys of its ``corrected`` cells and its audit trail."""
    report = work.store.load(report_id)
    return {"id": report_id, "review_status": work.review_status(report_id), "revision": work.revision(report_id),
            "corrected": work.corrected(report_id), **report.as_dict(), "audit": work.audit(report_id)}


def name_sources(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's items with each ``location`` as a person names it (no server folders)."""
    uploads = request.app.state.uploads
    return [{**item, "location": uploads.source_name(item["location"])} for item in items]


def _download(content: bytes, filename: str, media_type: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def _stem(work: Workspace, report_id: int) -> str:
    meta = work.store.load(report_id, with_crossyear=False).meta
    return f"{meta.agency or '报告'}{meta.year or ''}年度报告-{report_id}"


@router.get("/me", summary="The signed-in user")
def me(user: Own) -> dict[str, Any]:
    return user.as_dict()


@router.get("/reports", summary="List reports (filter, sort, page) with counts")
def list_reports(request: Request, user: Reader, filters: Annotated[Filters, Query()],
                 sort: str = "agency", desc: bool = False, page: int = Query(1, ge=1, le=MAX_PAGE),
                 per_page: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    listing = workspace(request).list_reports(filters.where(user), sort=sort, descending=desc,
                                              page=page, per_page=per_page)
    return {**listing.as_dict(), "items": name_sources(request, listing.items), "page": page, "per_page": per_page}


@router.get("/facets", summary="The values the report list can be filtered by")
def facets(request: Request, user: Reader) -> dict[str, list[Any]]:
    return workspace(request).facets(scoped_where(user, {}))


@router.get("/reports/{report_id}", summary="One report: the JSON contract, review status, audit trail")
def get_report(request: Request, user: Reader, report_id: ReportId) -> dict[str, Any]:
    require_visible(request, user, report_id)
    return report_payload(workspace(request), report_id)


@router.get("/reports/{report_id}/original", summary="The original file as ingested")
def original(request: Request, user: Reader, report_id: ReportId) -> Response:
    require_visible(request, user, report_id)
    work = workspace(request)
    raw = work.store.original(report_id)
    if raw is None:
        raise _error(404, "report.no_original", "该报告由数据导入，没有原件", "this report was imported: no original")
    source = work.store.load(report_id, with_crossyear=False).source
    name, member = request.app.state.uploads.file_name(source.path)
    name = (member.rsplit("/", 1)[-1] if member else name) or f"report-{report_id}"
    return _download(raw, name, "application/octet-stream")


@router.get("/reports/{report_id}/json", summary="The report as a JSON file (report-model.md)")
def report_json(request: Request, user: Reader, report_id: ReportId) -> Response:
    require_visible(request, user, report_id)
    work = workspace(request)
    body = JSONResponse(work.store.load(report_id).as_dict()).body
    return _download(bytes(body), f"{_stem(work, report_id)}.json", "application/json")


@router.get("/reports/{report_id}/render/{medium}", summary="The report re-rendered in the official layout")
def rendered(request: Request, user: Reader, report_id: ReportId, medium: str) -> Response:
    require_visible(request, user, report_id)
    if medium not in RENDER_TYPES:
        raise _error(404, "render.medium", f"不支持的格式：{medium}", f"unknown medium {medium!r}")
    work = workspace(request)
    try:
        content = render(work.store.load(report_id), medium)
    except RenderError as error:
        raise HTTPException(503, detail=error.as_dict()) from error
    return _download(content, f"{_stem(work, report_id)}.{medium}", RENDER_TYPES[medium])


@router.get("/reports/{report_id}/source/{key}", summary="Where a cell came from in the original")
def source_of(request: Request, user: Reader, report_id: ReportId, key: str) -> dict[str, Any]:
    require_visible(request, user, report_id)
    work = workspace(request)
    report = work.store.load(report_id, with_crossyear=False)
    where = report.provenance.get(key)
    raw = work.store.original(report_id)
    base = {"key": key, "printed": report.printed.get(key), "provenance": where.as_dict() if where else None}
    if where is None or raw is None:
        reason = ("该单元格在原文中没有对应位置（空白或未找到）", "the cell has no place in the original (blank or not found)") \
            if where is None else ("该报告由数据导入，没有原件", "this report was imported: no original")
        return {**base, "kind": "none", "reason": {"code": "source.none", "message": reason[0], "message_en": reason[1]}}
    name = report.source.path.rsplit("!", 1)[-1]
    found = excerpt(raw, name, where)
    if found["kind"] == "page":
        found["image"] = f"/api/reports/{report_id}/pages/{found['page']}.png"
    return {**base, **found}


@router.get("/reports/{report_id}/pages/{page}.png", summary="A page of the original PDF or scan as PNG")
def page_image(request: Request, user: Reader, report_id: ReportId, page: PageNumber) -> Response:
    require_visible(request, user, report_id)
    raw = workspace(request).store.original(report_id)
    png = page_png(raw, page) if raw is not None else None
    if png is None:
        raise _error(404, "source.no_page", "原件没有这一页", "the original has no such page")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.put("/reports/{report_id}/cells/{key}", summary="Correct a cell; the checks re-run at once")
def correct_cell(request: Request, user: Reviewer, report_id: ReportId, key: str, body: CellCorrection) -> dict[str, Any]:
    require_visible(request, user, report_id)
    work = workspace(request)
    work.correct_cell(report_id, key, body.value, user=user.name, comment=body.comment, revision=body.revision,
                      scope=user.region)
    return report_payload(work, report_id)


@router.put("/reports/{report_id}/meta/{field}", summary=f"Correct a meta field ({', '.join(META_FIELDS)})")
def correct_meta(request: Request, user: Reviewer, report_id: ReportId, field: str, body: MetaCorrection) -> dict[str, Any]:
    require_visible(request, user, report_id)
    work = workspace(request)
    work.correct_meta(report_id, field, body.value, user=user.name, comment=body.comment, revision=body.revision,
                      scope=user.region)
    return report_payload(work, report_id)


@router.post("/reports/{report_id}/review", summary=f"Set the review status ({', '.join(REVIEW_STATUSES)})")
def review(request: Request, user: Reviewer, report_id: ReportId, body: Review) -> dict[str, Any]:
    require_visible(request, user, report_id)
    work = workspace(request)
    work.set_review(report_id, body.status, user=user.name, comment=body.comment)
    return report_payload(work, report_id)


@router.get("/reports/{report_id}/audit", summary="The report's audit trail (corrections and reviews)")
def audit(request: Request, user: Reader, report_id: ReportId) -> list[dict[str, Any]]:
    require_visible(request, user, report_id)
    return workspace(request).audit(report_id)


@router.get("/reports/{report_id}/years", summary="The same agency's other stored reports, by year")
def years(request: Request, user: Reader, report_id: ReportId) -> list[dict[str, Any]]:
    require_visible(request, user, report_id)
    work = workspace(request)
    agency = work.store.load(report_id, with_crossyear=False).meta.agency
    if not agency:
        return []
    listing = work.list_reports(scoped_where(user, {"agency": agency}), sort="year", per_page=100)
    return [{"id": i["id"], "year": i["year"], "errors": i["errors"]} for i in listing.items]


@router.get("/compare", summary="Two reports cell by cell and section by section")
def compare_reports(request: Request, user: Reader, a: ReportIdQuery, b: ReportIdQuery) -> dict[str, Any]:
    for report_id in (a, b):
        require_visible(request, user, report_id)
    store = workspace(request).store
    return {"a": a, "b": b, **compare(store.load(a), store.load(b)).as_dict()}


@router.get("/dashboard", summary="The dashboard's charts as tables")
def dashboard(request: Request, user: Reader, filters: Annotated[Filters, Query()]) -> dict[str, Any]:
    return charts(workspace(request).store, filters.where(user))


@router.get("/dashboard/{chart}.csv", summary="One dashboard chart's data as CSV")
def dashboard_csv(request: Request, user: Reader, chart: str, filters: Annotated[Filters, Query()]) -> Response:
    data = charts(workspace(request).store, filters.where(user))
    if chart not in data:
        raise _error(404, "dashboard.chart", f"没有图表「{chart}」", f"no chart {chart!r}")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(data[chart]["columns"])
    writer.writerows(data[chart]["rows"])
    return _download(("\ufeff" + out.getvalue()).encode("utf-8"), f"{chart}.csv", "text/csv; charset=utf-8")


@router.get("/export.{kind}", summary="The reports of the current filter as CSV (wide) or XLSX")
def export_reports(request: Request, user: Reader, kind: str, filters: Annotated[Filters, Query()]) -> Response:
    if kind not in EXPORT_TYPES:
        raise _error(404, "export.format", f"不支持的导出格式：{kind}", f"unknown export format {kind!r}")
    fmt, media_type = EXPORT_TYPES[kind]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"gknb.{kind}"
        export(workspace(request).store, fmt, out, filters.where(user),
               location_name=request.app.state.uploads.source_name)
        return _download(out.read_bytes(), f"gknb-报告导出.{kind}", media_type)


@router.post("/uploads", summary="Upload files, zips or a list of URLs; ingest runs in the background")
async def upload(request: Request, user: Reviewer,
                 files: Annotated[list[UploadFile] | None, File(description="report files or zips")] = None,
                 urls: Annotated[str | None, Form(description="URLs, one per line")] = None) -> dict[str, Any]:
    uploads = request.app.state.uploads
    limits = uploads.limits
    files = [f for f in files or [] if f.filename]
    if len(files) > limits.max_files:
        raise _error(413, "upload.too_many", f"一次最多上传 {limits.max_files} 个文件",
                     f"at most {limits.max_files} files per upload")
    if urls and len([u for u in urls.splitlines() if u.strip()]) > limits.max_urls:
        raise _error(413, "upload.too_many", f"一次最多 {limits.max_urls} 个网址", f"at most {limits.max_urls} URLs per upload")
    if not files and not (urls or "").strip():
        raise _error(400, "upload.empty", "没有选择文件或填写网址", "no files and no URLs given")
    batch = uploads.start(user.name, user.region)
    total = 0
    for item in files:
        raw = await item.read(limits.max_file_bytes + 1)
        total += len(raw)
        if total > limits.max_total_bytes:
            shutil.rmtree(batch.directory, ignore_errors=True)
            raise _error(413, "upload.too_large", "上传总量过大", "the upload is too large in total")
        uploads.add_file(batch, item.filename or "upload", raw)
    uploads.add_urls(batch, urls or "")
    return uploads.submit(batch).as_dict()


@router.get("/uploads", summary="Recent uploads (admins see everyone's)")
def recent_uploads(request: Request, user: Reader) -> list[dict[str, Any]]:
    uploads = request.app.state.uploads
    return [u.as_dict() for u in uploads.recent(None if user.can("admin") else user.name)]


@router.get("/uploads/{upload_id}", summary="Progress of one upload, file by file")
def upload_status(request: Request, user: Reader, upload_id: str) -> dict[str, Any]:
    found = request.app.state.uploads.get(upload_id)
    if found is None or (found.user != user.name and not user.can("admin")):
        raise _error(404, "upload.not_found", "没有这次上传", "no such upload")
    return found.as_dict()


@router.get("/users", summary="Users (admin)")
def users(request: Request, user: Admin) -> list[dict[str, Any]]:
    return [u.as_dict() for u in workspace(request).users()]


@router.post("/users", status_code=201, summary=f"Create a user (admin); roles: {', '.join(ROLES)}")
def add_user(request: Request, user: Admin, body: NewUser) -> dict[str, Any]:
    return workspace(request).add_user(body.name, body.password, role=body.role, region=body.region).as_dict()


@router.patch("/users/{name}", summary="Change a user's password, role, region or active flag (admin)")
def change_user(request: Request, user: Admin, name: str, body: UserChange) -> dict[str, Any]:
    return workspace(request).update_user(name, **body.model_dump(exclude_none=True)).as_dict()


@router.put("/me/password", summary="Change your own password (the current one is needed)")
def change_password(request: Request, user: Own, body: PasswordChange) -> dict[str, Any]:
    return workspace(request).change_password(user.name, body.current, body.new).as_dict()


@router.get("/tokens", summary="Your API tokens (names and dates)")
def tokens(request: Request, user: Own) -> list[dict[str, Any]]:
    return workspace(request).tokens(user.id)


@router.post("/tokens", status_code=201, summary="Create an API token (shown once)")
def new_token(request: Request, user: Own, body: NewToken) -> dict[str, str]:
    return {"token": workspace(request).create_token(user.name, body.name)}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of your API tokens")
def revoke(request: Request, user: Own, token_id: RowId) -> Response:
    if not workspace(request).revoke_token(user.id, token_id):
        raise _error(404, "token.not_found", "没有这个令牌", "no such token")
    return Response(status_code=204)


def workspace_error(_request: Request, error: WorkspaceError) -> JSONResponse:
    """A refused request: 400 with the bilingual reason."""
    return JSONResponse({"detail": error.as_dict()}, status_code=400)
