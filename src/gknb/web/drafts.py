"""Drafting and 备案 in the web workspace: the 填报人's drafting page, the office's queue, and the REST API
under ``/api/drafts`` (docs/drafting.md). The pages only read; every change goes through the API
(``static/drafts.js``), whose checks are the server's (``gknb.workspace.drafts``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from ..formats import FORMATS
from ..render import RenderError
from ..render.grid import grids
from ..report import SECTION_KEYS
from ..workspace.drafts import STATUSES, DraftConflict, DraftNotFound, Drafts, DraftView, default_auto
from ..workspace.service import User
from .pages import page
from .security import MAX_INT, NotSignedIn, check_csrf, require, signed_in

api = APIRouter(prefix="/api", tags=["drafts (备案)"])
pages = APIRouter(include_in_schema=False)
DraftId = Annotated[int, Path(ge=1, le=MAX_INT, description="a draft id")]
MEDIA_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "pdf": "application/pdf", "md": "text/markdown; charset=utf-8"}
MAX_IMPORT_BYTES = 20 * 1024 * 1024


async def _signed(request: Request) -> User:
    """Any signed-in user, CSRF checked; what they may do with a draft the workspace decides."""
    user = signed_in(request)
    if user is None:
        raise NotSignedIn()
    await check_csrf(request)
    return user


Anyone = Annotated[User, Depends(_signed)]
Writer = Annotated[User, Depends(require("draft"))]
Office = Annotated[User, Depends(require("review"))]
Admin = Annotated[User, Depends(require("admin"))]


def drafts(request: Request) -> Drafts:
    """The app's drafts (made on first use, on the workspace's store)."""
    found = getattr(request.app.state, "drafts", None)
    if found is None:
        found = request.app.state.drafts = Drafts(request.app.state.store)
    return found


@contextmanager
def _answers() -> Iterator[None]:
    """A draft outside the user's unit or region answers 404, a stale edit 409 with the current revision."""
    try:
        yield
    except DraftNotFound as error:
        raise HTTPException(404, detail=error.as_dict()) from None
    except DraftConflict as error:
        raise HTTPException(409, detail=error.as_dict()) from None


class NewDraft(BaseModel):
    year: int = Field(ge=2000, le=2100, description="the report year, e.g. 2025")
    from_text: bool = Field(False, description="start the six sections from last year's text")


class DraftContent(BaseModel):
    revision: int = Field(ge=0, le=MAX_INT, description="the draft's `revision` as last read (409 when stale)")
    content: dict[str, Any] = Field(description="`meta` {title, published}, `sections` {key: text}, `cells` "
                                                "{key: text as typed}, `auto` [total cells computed from their parts]")


class Step(BaseModel):
    comment: str | None = Field(None, max_length=2000)


class Return(BaseModel):
    comment: str | None = Field(None, max_length=2000, description="on the whole draft")
    cells: dict[str, str] = Field(default_factory=dict, description="cell key → comment")
    sections: dict[str, str] = Field(default_factory=dict, description="section key → comment")


class Unit(BaseModel):
    agency: str = Field(description="the full name of the unit the 填报人 writes for", max_length=200)


def _payload(view: DraftView) -> dict[str, Any]:
    return view.as_dict()


@api.get("/drafts", summary="Drafts you may see (a 填报人: your unit's; a reviewer: the region's queue)")
def list_drafts(request: Request, user: Anyone,
                status: Annotated[str | None, Query(description=", ".join(STATUSES))] = None) -> list[dict[str, Any]]:
    return drafts(request).list(user, status or None)


@api.post("/drafts", status_code=201, summary="Start your unit's draft of a year, prefilled from last year's report")
def create_draft(request: Request, user: Writer, body: NewDraft) -> dict[str, Any]:
    return _payload(drafts(request).create(user, body.year, from_text=body.from_text))


@api.get("/drafts/{draft_id}", summary="One draft: content, cells as shown, findings, comments, audit")
def get_draft(request: Request, user: Anyone, draft_id: DraftId) -> dict[str, Any]:
    with _answers():
        return _payload(drafts(request).get(user, draft_id))


@api.put("/drafts/{draft_id}", summary="Save a draft; it is checked at once (the findings come back)")
def save_draft(request: Request, user: Writer, draft_id: DraftId, body: DraftContent) -> dict[str, Any]:
    with _answers():
        return _payload(drafts(request).save(draft_id, body.content, revision=body.revision, user=user))


@api.post("/drafts/{draft_id}/import", summary="Replace the draft with a Word/PDF/Markdown file or the Excel workbook")
async def import_draft(request: Request, user: Writer, draft_id: DraftId,
                       file: Annotated[UploadFile, File(description="a report file or the filled workbook")],
                       revision: Annotated[int, Form(ge=0, le=MAX_INT)]) -> dict[str, Any]:
    raw = await file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise HTTPException(413, detail={"code": "upload.too_large", "message": "文件过大（最多 20 MB）",
                                         "message_en": "file too large (at most 20 MB)"})
    with _answers():
        return _payload(drafts(request).import_file(draft_id, raw, file.filename or "draft", revision=revision,
                                                    user=user))


@api.get("/drafts/{draft_id}/export/{medium}", summary="The draft in the official layout: docx | pdf | md")
def export_draft(request: Request, user: Anyone, draft_id: DraftId, medium: str) -> Response:
    if medium not in MEDIA_TYPES:
        raise HTTPException(404, detail={"code": "render.medium", "message": f"不支持的格式：{medium}",
                                         "message_en": f"unknown medium {medium!r}"})
    with _answers():
        try:
            view, content = drafts(request).export(user, draft_id, medium)
        except RenderError as error:
            raise HTTPException(503, detail=error.as_dict()) from error
    name = f"{view.agency}{view.year}年度报告-草稿{view.id}.{medium}"
    return Response(content, media_type=MEDIA_TYPES[medium],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@api.post("/drafts/{draft_id}/submit", summary="草稿/退回修改 → 已提交备案 (the unit's 填报人)")
def submit_draft(request: Request, user: Writer, draft_id: DraftId, body: Step) -> dict[str, Any]:
    with _answers():
        return _payload(drafts(request).submit(draft_id, user=user, comment=body.comment))


@api.post("/drafts/{draft_id}/return", summary="已提交备案 → 退回修改, with comments on cells and sections (reviewer)")
def return_draft(request: Request, user: Office, draft_id: DraftId, body: Return) -> dict[str, Any]:
    with _answers():
        return _payload(drafts(request).return_draft(draft_id, user=user, comment=body.comment,
                                                     cells=body.cells, sections=body.sections))


@api.post("/drafts/{draft_id}/approve", summary="已提交备案 → 备案通过 (reviewer)")
def approve_draft(request: Request, user: Office, draft_id: DraftId, body: Step) -> dict[str, Any]:
    with _answers():
        return _payload(drafts(request).approve(draft_id, user=user, comment=body.comment))


@api.post("/drafts/{draft_id}/publish", summary="备案通过 → 已公布: the published URL or file, matched with the approved draft")
async def publish_draft(request: Request, user: Anyone, draft_id: DraftId,
                        url: Annotated[str | None, Form(description="where it was published")] = None,
                        file: Annotated[UploadFile | None, File(description="the published file")] = None) -> dict[str, Any]:
    raw = None
    name = None
    if file is not None and file.filename:
        raw = await file.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            raise HTTPException(413, detail={"code": "upload.too_large", "message": "文件过大（最多 20 MB）",
                                             "message_en": "file too large (at most 20 MB)"})
        name = file.filename
    with _answers():
        return _payload(drafts(request).publish(draft_id, user=user, url=(url or "").strip() or None,
                                                raw=raw, name=name))


@api.put("/users/{name}/unit", summary="The unit a 填报人 (role agency) writes for (admin)")
def set_unit(request: Request, user: Admin, name: str, body: Unit) -> dict[str, str]:
    return {"name": name, "agency": drafts(request).assign_unit(name, body.agency)}


# -- pages --------------------------------------------------------------------------------------


@pages.get("/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, user: Anyone) -> HTMLResponse:
    work = drafts(request)
    office = user.can("review")
    if not (office or user.role == "agency"):
        raise HTTPException(403, detail={"code": "auth.forbidden", "message": "您的角色无权查看草稿",
                                         "message_en": "your role does not see drafts"})
    return page(request, "drafts.html", {
        "items": work.list(user), "queue": work.list(user, "submitted") if office else [], "office": office,
        "unit": work.unit(user), "statuses": STATUSES})


@pages.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, user: Anyone, draft_id: DraftId) -> HTMLResponse:
    with _answers():
        view = drafts(request).get(user, draft_id)
    fmt = FORMATS[view.format.version]
    table_of = {t.section: t.key for t in fmt.tables}
    tables = {key: grid.rows() for key, grid in grids(fmt, {}).items()}
    derivable = set(default_auto(fmt, view.previous))
    return page(request, "draft.html", {
        "draft": view, "fmt": fmt, "sections": fmt.sections, "table_of": table_of, "tables": tables,
        "labels": {k: fmt.cell_label(k) for k in fmt.cell_keys()}, "derivable": derivable,
        "editable": user.role == "agency" and view.status in ("draft", "returned"),
        "office": user.can("review") and view.status == "submitted",
        "can_publish": view.status in ("approved", "published"), "statuses": STATUSES,
        "section_keys": SECTION_KEYS})
