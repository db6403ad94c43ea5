"""The reviewer's workflow in the web workspace (``gknb.workspace.assign``): the REST API for
assignments, my queue, bulk 已审核/退回, a report's neighbours in a list and failed reads; and what
the pages show of it (上一份/下一份 following the list the reviewer came from, the assignment, the
current 退回意见; the pages themselves are in ``pages``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError

from ..workspace.assign import MAX_BATCH, QUEUE_SORT, Flow
from ..workspace.service import REVIEW_STATUSES, SORTS, User
from .api import Filters, name_sources
from .security import MAX_INT, MAX_PAGE, ReportId, require, require_visible, workspace

api = APIRouter(prefix="/api", tags=["gknb"])
Reader = Annotated[User, Depends(require("read"))]
Reviewer = Annotated[User, Depends(require("review"))]
Admin = Annotated[User, Depends(require("admin"))]
ReportIds = Annotated[list[Annotated[int, Field(ge=1, le=MAX_INT)]],
                      Field(min_length=1, max_length=MAX_BATCH, description="report ids")]
QUEUE = "queue"  # ``from=queue``: the report was opened from 我的待审


class Assignment(BaseModel):
    report_ids: ReportIds
    assignee: str | None = Field(description="the reviewer's user name; null or empty takes the assignment away",
                                 max_length=80)
    comment: str | None = Field(None, max_length=2000)


class BulkReview(BaseModel):
    report_ids: ReportIds
    status: str = Field(description="pending (待审核) | approved (已审核) | returned (退回)")
    comment: str | None = Field(None, max_length=2000, description="the comment of every decision; required to return")


class AssignRight(BaseModel):
    allowed: bool = Field(description="whether this reviewer may assign reports")


def flow(request: Request) -> Flow:
    """The app's reviewer workflow."""
    return Flow(workspace(request))


def _visible_all(request: Request, user: User, ids: list[int]) -> None:
    for report_id in dict.fromkeys(ids):
        require_visible(request, user, report_id)  # 404 before anything changes, as for one report


def list_context(request: Request, user: User, origin: str) -> dict[str, Any]:
    """What a list page (the report list, 我的待审) needs of the workflow: the ``from`` each report link
    carries (so the report page goes on to 上一份/下一份 in this list), the right to assign."""
    return {"from_query": urlencode({"from": origin}), "can_assign": flow(request).may_assign(user)}


def annotate(request: Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Listing items as the list page shows them: sources named, assignee, 退回意见."""
    return flow(request).annotate(name_sources(request, items))


def origin_list(user: User, origin: str | None) -> tuple[dict[str, Any], str, bool, str] | None:
    """The list a report page was opened from (``from``): its store filter, sort, direction and the URL
    to go back to; None when there is none or it does not parse."""
    if not origin:
        return None
    if origin == QUEUE:
        return Flow.queue_where(user), QUEUE_SORT, False, "/queue"
    query = dict(parse_qsl(origin, keep_blank_values=False))
    sort, desc = query.pop("sort", "agency"), query.pop("desc", "0") in ("1", "true")
    query.pop("page", None)
    try:
        filters = Filters(**{k: v for k, v in query.items() if k in Filters.model_fields})
    except ValidationError:
        return None
    return filters.where(user), sort if sort in SORTS else "agency", desc, "/?" + origin


def report_context(request: Request, user: User, report_id: int, origin: str | None) -> dict[str, Any]:
    """What the report page shows of the workflow: the neighbours in the list it was opened from,
    the assignment, the current 退回意见, and whether the user may assign."""
    work_flow = flow(request)
    came = origin_list(user, origin)
    neighbours = back = None
    if came is not None:
        where, sort, desc, back = came
        neighbours = work_flow.neighbours(report_id, where, sort, desc)
    return {"neighbours": neighbours, "origin": origin if came else None, "back": back,
            "origin_query": urlencode({"from": origin}) if came else "",
            "assignment": work_flow.assignment(report_id),
            "returned": work_flow.returns([report_id]).get(report_id),
            "can_assign": work_flow.may_assign(user)}


# -- the API ------------------------------------------------------------------------------------

@api.post("/assignments", summary="Assign reports to a reviewer (admins and reviewers with the right)")
def assign(request: Request, user: Reviewer, body: Assignment) -> dict[str, Any]:
    _visible_all(request, user, body.report_ids)
    changed = flow(request).assign(body.report_ids, body.assignee, by=user, comment=body.comment)
    return {"changed": changed, "assignee": body.assignee or None}


@api.get("/assignees", summary="The reviewers you may assign reports to")
def assignees(request: Request, user: Reviewer) -> list[dict[str, Any]]:
    if not flow(request).may_assign(user):
        return []
    return flow(request).candidates(user)


@api.get("/queue", summary="My queue: the reports assigned to me not yet 已审核, oldest assignment first")
def my_queue(request: Request, user: Reader, page: int = Query(1, ge=1, le=MAX_PAGE),
             per_page: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    listing = flow(request).queue(user, page=page, per_page=per_page)
    return {**listing.as_dict(), "items": annotate(request, listing.items), "page": page, "per_page": per_page}


@api.post("/reviews", summary=f"Set the review status of several reports ({', '.join(REVIEW_STATUSES)})")
def review_many(request: Request, user: Reviewer, body: BulkReview) -> dict[str, Any]:
    _visible_all(request, user, body.report_ids)
    decided = flow(request).review_many(body.report_ids, body.status, by=user, comment=body.comment)
    return {"decided": decided, "status": body.status}


@api.get("/reports/{report_id}/neighbours", summary="The reports before and after this one in a list")
def neighbours(request: Request, user: Reader, report_id: ReportId,
               origin: Annotated[str, Query(alias="from", max_length=2000,
                                            description="`queue`, or the list's query string (filters, sort, desc)")]
               ) -> dict[str, Any]:
    require_visible(request, user, report_id)
    came = origin_list(user, origin)
    if came is None:
        raise HTTPException(422, detail={"code": "request.invalid", "message": "无法识别来源列表",
                                         "message_en": "the list given in `from` cannot be read"})
    where, sort, desc, _back = came
    return flow(request).neighbours(report_id, where, sort, desc).as_dict()


@api.get("/failed", summary="Failed reads: inputs that produced no report, newest first, with the reason")
def failed(request: Request, user: Reader) -> list[dict[str, Any]]:
    uploads = request.app.state.uploads
    return [{**f, "location": uploads.source_name(f["location"])} for f in flow(request).failed_reads(user)]


@api.put("/users/{name}/assign-right", summary="Let a reviewer assign reports, or not (admin)")
def assign_right(request: Request, user: Admin, name: str, body: AssignRight) -> dict[str, Any]:
    flow(request).set_assign_right(name, body.allowed)
    return {"name": name, "allowed": body.allowed}
