"""The review office's page (docs/review.md): a region and year — the roster, every unit against its
previous year, the ranking — and downloads of the 通报, the 审核意见 and the findings workbook.
Read-only, like the other pages; a user with a region scope sees only regions inside it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..regions import locate, normalise_name
from ..render.page import RenderError
from ..review import region_year, roster_from_store, roster_status
from ..review.notices import MEDIA, circular, opinion, render_notice
from ..review.overview import FINDING_COLUMNS, finding_rows, overview, xlsx_bytes
from ..review.roster import STATUSES
from ..review.scoring import load_scheme, ranking
from ..workspace.service import User
from .pages import Reader, page
from .security import workspace

router = APIRouter(include_in_schema=False)
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
Region = Annotated[str | None, Query(max_length=40)]
Year = Annotated[int | None, Query(ge=1990, le=2100)]


def _region(user: User, region: str | None) -> str | None:
    """The region asked for, within the user's scope (the scope itself when none is asked)."""
    region = (region or "").strip() or user.region
    if region and user.region and region != user.region and user.region not in locate(region).region().values():
        raise HTTPException(403, detail={"code": "review.out_of_scope", "message": f"无权查看「{region}」",
                                         "message_en": f"{region} is outside your region"})
    return region


def _units(request: Request, region: str, year: int):
    store = workspace(request).store
    units = region_year(store, region, year)
    return store, units


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, user: Reader, region: Region = None, year: Year = None,
                sort: str = "errors") -> HTMLResponse:
    region = _region(user, region)
    facets = workspace(request).facets({"region": user.region} if user.region else {})
    context = {"region": region or "", "year": year, "sort": sort, "facets": facets, "statuses": STATUSES}
    if region and year:
        store, units = _units(request, region, year)
        scheme = load_scheme()
        previous = {u.agency for u in region_year(store, region, year - 1)}
        context.update(
            roster=roster_status(store, roster_from_store(store, region), year, region, units=units),
            rows=overview(units, previous, sort=sort if sort in ("errors", "warnings", "count", "name", "score")
                          else "errors", scheme=scheme),
            ranked=ranking(units, scheme), scheme=scheme,
            findings=finding_rows([r.unit for r in overview(units, previous, sort="errors")],
                                  severities=("error", "warning")),
            quoted=quote(region),
        )
    return page(request, "review.html", context)


def _download(body: bytes, name: str, kind: str) -> Response:
    return Response(body, media_type=MIME[kind],
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/review/notice.{kind}")
def notice_download(request: Request, user: Reader, kind: str, region: Region = None, year: Year = None,
                    unit: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    region = _region(user, region)
    if kind not in MEDIA or not region or year is None:
        raise HTTPException(404)
    store, units = _units(request, region, year)
    scheme = load_scheme()
    if unit:
        chosen = next((u for u in units if normalise_name(u.agency) == normalise_name(unit)), None)
        if chosen is None:
            raise HTTPException(404, detail={"code": "review.no_unit", "message": f"{year}年没有「{unit}」的报告",
                                             "message_en": f"no {year} report of {unit}"})
        notice, name = opinion(chosen, scheme), f"{chosen.agency}{year}年度报告审核意见.{kind}"
    else:
        lines = roster_status(store, roster_from_store(store, region), year, region, units=units)
        notice, name = circular(region, year, units, lines, scheme), f"{region}{year}年度报告审核情况通报.{kind}"
    try:
        return _download(render_notice(notice, kind), name, kind)
    except RenderError as error:
        raise HTTPException(503, detail={"code": error.code, "message": error.message,
                                         "message_en": error.message_en}) from None


@router.get("/review/export.xlsx")
def review_export(request: Request, user: Reader, region: Region = None, year: Year = None) -> Response:
    region = _region(user, region)
    if not region or year is None:
        raise HTTPException(404)
    store, units = _units(request, region, year)
    ranked = ranking(units, load_scheme())
    header = ["名次", "单位", "总分", "扣分说明"]
    rows = [[r.rank, r.unit.agency, r.score.total, "；".join(r.score.explained())] for r in ranked]
    roster = roster_status(store, roster_from_store(store, region), year, region, units=units)
    roster_rows = [[line.entry.name, STATUSES[line.status], line.due.isoformat(),
                    (line.unit.published or "") if line.unit else "", "；".join(line.sources)] for line in roster]
    body = xlsx_bytes({"评分": (header, rows), "发布情况": (["单位", "状态", "发布期限", "发布日期", "来源"], roster_rows),
                       "问题清单": (list(FINDING_COLUMNS), finding_rows(units))})
    return _download(body, f"{region}{year}年度报告审核.xlsx", "xlsx")
