"""The workspace's pages (server-rendered, Chinese): sign-in, report list, 我的待审, 读取失败, report,
compare, dashboard, upload, users and account. Pages only read; every change goes through the REST API (``app.js``).
Jinja2 escapes everything a report says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..analyze.compare import compare
from ..catalogue import SEVERITY_LABELS
from ..formats import FORMATS, cell_label
from ..formats.common import SECTIONS
from ..regions import LEVEL_LABELS
from ..render.grid import format_value, grids
from ..report import SECTION_KEYS, Report
from ..workspace.service import META_FIELDS, REVIEW_STATUSES, ROLES, Listing, User, review_label
from . import flow
from .api import Filters, report_payload
from .security import (
    MAX_PAGE,
    ReportId,
    ReportIdQuery,
    check_csrf,
    csrf_token,
    require,
    require_visible,
    scoped_where,
    signed_in,
    workspace,
)

router = APIRouter(include_in_schema=False)


def options(values: Iterable[Any], chosen: Any, labels: Mapping[Any, str] | None = None) -> Markup:
    """The ``<option>``s of a list filter's values, ``chosen`` selected (compared as text), each
    shown by its label when ``labels`` has one. Drawn here, not by a template loop, and kept for the
    same values: the county filter of a national store offers thousands of values (a Jinja loop
    costs µs an option, 11 ms of CPU for the 1,460 of a 10k store), which change only with the store."""
    return _options(tuple(values), None if chosen is None else str(chosen), tuple(labels.items()) if labels else ())


@lru_cache(maxsize=64)
def _options(values: tuple[Any, ...], picked: str | None, labels: tuple[tuple[Any, str], ...]) -> Markup:
    named = dict(labels)
    return Markup("".join(f'<option value="{escape(v)}" {"selected" if str(v) == picked else ""}>'
                          f'{escape(named.get(v, v))}</option>' for v in values))


templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals.update(review_label=review_label, level_label=lambda v: LEVEL_LABELS.get(v or "", v or "—"),
                             REVIEW_STATUSES=REVIEW_STATUSES, format_value=format_value, options=options)
Reader = Annotated[User, Depends(require("read"))]
Admin = Annotated[User, Depends(require("admin"))]
META_LABELS = {"title": "标题", "agency": "机关", "year": "年度", "published": "发布日期", "province": "省",
               "city": "市", "county": "县（区）", "level": "层级"}
TEMPLATE_LABELS = {**{version: f"{version} 版格式" for version in FORMATS}, "pre2019": "2019 年以前", "unknown": "未识别"}
SORT_LABELS = {"agency": "机关", "year": "年度", "province": "省份", "level": "层级", "review_status": "审核状态",
               "ingested": "入库时间"}  # the counts' columns sort too ("errors", "warnings": the list's last two)


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A template with the signed-in user and the CSRF token."""
    user = signed_in(request)
    base = {"user": user, "csrf": csrf_token(request), "nav": name.split(".")[0],
            "queue_size": flow.flow(request).queue_size(user) if user is not None and user.can("review") else 0}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def error_page(request: Request, status: int, message: str, message_en: str) -> HTMLResponse:
    """An error shown as a page."""
    return page(request, "error.html", {"status": status, "message": message, "message_en": message_en}, status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", {"next": _local(next), "failed": False})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/") -> Response:
    throttle = request.app.state.sign_in_throttle
    address = request.client.host if request.client else None
    wait = throttle.wait(name.strip(), address)
    if wait:
        return page(request, "login.html", {"next": _local(next), "failed": False, "wait": wait, "name": name}, 429)
    with throttle.checking:
        user = workspace(request).authenticate(name, password)
    if user is None:
        throttle.failed(name.strip(), address)
        return page(request, "login.html", {"next": _local(next), "failed": True, "name": name}, 401)
    throttle.succeeded(name.strip(), address)
    request.session.clear()
    request.session["sid"] = workspace(request).open_session(user.id, request.app.state.session_hours)
    start = "/drafts" if user.can("draft") and _local(next) == "/" else _local(next)  # a 填报人 reads no list
    return RedirectResponse(start, status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    sid = request.session.get("sid")
    if isinstance(sid, str):
        workspace(request).close_session(sid)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def reports(request: Request, user: Reader, filters: Annotated[Filters, Query()], sort: str = "agency",
            desc: bool = False, page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1) -> HTMLResponse:
    per_page = 50
    listing = workspace(request).list_reports(filters.where(user), sort=sort, descending=desc, page=page_number,
                                              per_page=per_page)
    query = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    return list_page(request, user, listing, query, sort, desc, page_number, per_page)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, user: Reader,
               page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1) -> HTMLResponse:
    """我的待审: the reports assigned to me, not yet 已审核, in the order they were assigned."""
    per_page = 50
    listing = flow.flow(request).queue(user, page=page_number, per_page=per_page)
    return list_page(request, user, listing, {}, flow.QUEUE_SORT, False, page_number, per_page, mode=flow.QUEUE)


@router.get("/failed", response_class=HTMLResponse)
def failed_page(request: Request, user: Reader) -> HTMLResponse:
    """读取失败: the inputs that produced no report, with their reason — not in the report list."""
    uploads = request.app.state.uploads
    rows = [{**f, "location": uploads.source_name(f["location"])} for f in flow.flow(request).failed_reads(user)]
    return page(request, "failed.html", {"failed": rows})


def list_page(request: Request, user: User, listing: Listing, query: dict[str, Any], sort: str, desc: bool,
              page_number: int, per_page: int, mode: str = "reports") -> HTMLResponse:
    """The report list (``mode`` ``reports``) or 我的待审 (``queue``) as a page."""
    base = "/queue?" if mode == flow.QUEUE else "/?"
    origin = flow.QUEUE if mode == flow.QUEUE else urlencode({**query, "sort": sort, "desc": int(desc)})
    return page(request, "reports.html", {
        "mode": mode, "listing": listing, "items": flow.annotate(request, listing.items), "filters": query,
        "facets": workspace(request).facets(scoped_where(user, {})), "sort": sort,
        "desc": desc, "page": page_number, "pages": max((listing.total + per_page - 1) // per_page, 1),
        "query": urlencode(query), "sort_labels": SORT_LABELS, "template_labels": TEMPLATE_LABELS,
        "link": lambda **changes: base + urlencode({**query, "sort": sort, "desc": int(desc), **changes}),
        **flow.list_context(request, user, origin),
    })


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, user: Reader, report_id: ReportId,
                origin: Annotated[str | None, Query(alias="from", max_length=2000)] = None) -> HTMLResponse:
    require_visible(request, user, report_id)
    work = workspace(request)
    payload = report_payload(work, report_id)
    report = work.store.load(report_id)
    agency = report.meta.agency
    years = work.list_reports(scoped_where(user, {"agency": agency}), sort="year").items if agency else []
    earlier = [y for y in years if y["id"] != report_id and (y["year"] or 0) < (report.meta.year or 0)]
    return page(request, "report.html", {
        "id": report_id, "report": report, "payload": payload, "tables": _tables(report, None, set(payload["corrected"])),
        "sections": _sections(report), "findings": _findings(report), "meta_labels": META_LABELS,
        "meta_fields": META_FIELDS, "severity_labels": {s: zh for s, (zh, _) in SEVERITY_LABELS.items()}, "template_labels": TEMPLATE_LABELS,
        "years": years, "previous": earlier[-1] if earlier else None, "can_review": user.can("review"),
        "has_original": work.store.original(report_id) is not None,
        "cell_labels": {k: cell_label(k, report.format.version) for k in report.cells} if report.format else {},
        "source_name": request.app.state.uploads.source_name(report.source.path),
        **flow.report_context(request, user, report_id, origin),
    })


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, user: Reader, a: ReportIdQuery, b: ReportIdQuery) -> HTMLResponse:
    for report_id in (a, b):
        require_visible(request, user, report_id)
    store = workspace(request).store
    left, right = store.load(a), store.load(b)
    result = compare(left, right)
    changed = {d.key for d in result.cells}
    return page(request, "compare.html", {
        "a": a, "b": b, "left": left, "right": right, "result": result, "changed": changed,
        "left_tables": _tables(left, changed), "right_tables": _tables(right, changed),
        "section_titles": _section_titles(left),
    })


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, user: Reader, filters: Annotated[Filters, Query()]) -> HTMLResponse:
    query = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    return page(request, "dashboard.html", {"filters": query, "query": urlencode(query),
                                            "facets": workspace(request).facets(scoped_where(user, {})),
                                            "template_labels": TEMPLATE_LABELS, "level_labels": LEVEL_LABELS})


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, user: Reader) -> HTMLResponse:
    limits = request.app.state.uploads.limits
    return page(request, "upload.html", {"limits": limits, "can_review": user.can("review")})


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin) -> HTMLResponse:
    return page(request, "users.html", {"users": workspace(request).users(), "roles": ROLES,
                                        "assign_rights": flow.flow(request).assign_rights()})


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: Annotated[User, Depends(require("account"))]) -> HTMLResponse:
    return page(request, "account.html", {"tokens": workspace(request).tokens(user.id)})


def _local(target: str) -> str:
    """Only redirect within this site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _severity_of(report: Report) -> dict[str, str]:
    """Each cell's worst finding severity."""
    rank = {"error": 0, "warning": 1, "info": 2}
    worst: dict[str, str] = {}
    for finding in report.findings:
        for key in finding.cells:
            if key not in worst or rank[finding.severity] < rank[worst[key]]:
                worst[key] = finding.severity
    return worst


def _tables(report: Report, changed: set[str] | None = None, corrected: set[str] | None = None) -> list[dict[str, Any]]:
    """The report's tables in the official layout, each cell with its key, value and worst finding
    (``changed``: marked as differing in a comparison; ``corrected``: marked as corrected by a person)."""
    fmt = report.format
    if fmt is None:
        return []
    severity = _severity_of(report)
    out = []
    for key, grid in grids(fmt, report.cells).items():
        rows = []
        for row in grid.rows():
            cells = []
            for cell in row:
                css = [cell.role]
                if cell.key is not None:
                    css.append(f"sev-{severity[cell.key]}" if cell.key in severity else "")
                    css.append("changed" if changed and cell.key in changed else "")
                    css.append("corrected" if corrected and cell.key in corrected else "")
                    if report.cells.get(cell.key) is None:
                        css.append("blank")
                cells.append({"text": cell.text, "key": cell.key, "rowspan": cell.rowspan, "colspan": cell.colspan,
                              "css": " ".join(c for c in css if c),
                              "label": cell_label(cell.key, fmt.version) if cell.key else None})
            rows.append(cells)
        out.append({"key": key, "title": next((s.heading for s in fmt.sections if s.key == key), key),
                    "rows": rows, "header_rows": grid.header_rows})
    return out


def _section_titles(report: Report) -> dict[str, str]:
    sections = report.format.sections if report.format is not None else SECTIONS  # the six every format has
    return {s.key: s.heading for s in sections}


def _sections(report: Report) -> list[dict[str, Any]]:
    titles = _section_titles(report)
    return [{"key": key, "title": titles.get(key, key), "text": report.sections.get(key)} for key in SECTION_KEYS]


def _findings(report: Report) -> list[dict[str, Any]]:
    fmt = report.format
    return [{**f.as_dict(), "labels": [cell_label(k, fmt.version) if fmt else k for k in f.cells]}
            for f in report.findings]
