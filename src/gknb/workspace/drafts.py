"""Drafting and 备案: a unit writes its report in the workspace, checked as it types, and the review
office of its region approves it before it is published (docs/drafting.md).

A draft is what the 填报人 typed (``content``: title, the six sections, each cell as typed text, and the
total cells still computed from their parts). Every save builds a ``Report`` from it and runs the one
checker (``gknb.check``) and the cross-year rules against the unit's stored report of the year before,
so a draft carries exactly the findings a published report would. The store only keeps the rows.

>>> drafts = Drafts(store)
>>> view = drafts.create(agency_user, 2025)             # prefilled from the unit's stored 2024 report
>>> view = drafts.save(view.id, content, revision=view.revision, user=agency_user)
>>> drafts.submit(view.id, user=agency_user); drafts.approve(view.id, user=reviewer)
>>> drafts.publish(view.id, user=agency_user, raw=pdf, name="年报.pdf")   # matched to the approved draft
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..catalogue import finding
from ..check import check
from ..check.crossyear import cross_year
from ..data import report_from_data
from ..data.workbook import read_workbook
from ..document import Source
from ..errors import GknbError
from ..formats import FORMATS, Format, format_for_year
from ..ingest.urls import is_url
from ..pipeline import read
from ..pipeline.write import store_report
from ..regions import normalise_name
from ..render import render
from ..render.grid import format_value
from ..report import SECTION_KEYS, Finding, Report, Value
from ..store import Session, Store, accounts, decode_value, encode_value
from ..store import drafts as stored
from ..store.drafts import Draft
from .service import User, WorkspaceError

STATUSES = {"draft": "草稿", "submitted": "已提交备案", "returned": "退回修改", "approved": "备案通过",
            "published": "已公布"}
EDITABLE = ("draft", "returned")
MAX_SECTION_CHARS = 50_000
MAX_CELL_CHARS = 40
MAX_COMMENT_CHARS = 2000
MAX_TITLE_CHARS = 200


class DraftError(WorkspaceError):
    """A request on a draft the workspace refuses (400): a step its status does not allow, bad content."""

    code = "draft.invalid"


class DraftNotFound(DraftError):
    """No such draft, or one outside the user's unit or region (404: no hint that it exists)."""

    code = "draft.not_found"


class DraftConflict(DraftError):
    """The draft changed since the client read it (409); ``revision`` is the current one."""

    code = "draft.conflict"

    def __init__(self, revision: int):
        super().__init__(f"草稿已在别处修改（当前版本 {revision}），请刷新页面后再改",
                         f"the draft was changed elsewhere (now revision {revision}); reload and edit again")
        self.revision = revision

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "revision": self.revision}


@dataclass
class DraftView:
    """A draft as its page and the API show it: the row, the checked report, last year's report."""

    id: int
    agency: str
    year: int
    status: str
    revision: int
    round: int
    from_text: bool
    content: dict[str, Any]
    report: Report
    previous: Report | None
    previous_id: int | None
    comments: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    published: dict[str, Any] | None = None
    approved: bool = False

    @property
    def format(self) -> Format:
        fmt = self.report.format
        assert fmt is not None
        return fmt

    def as_dict(self) -> dict[str, Any]:
        """The draft in the API's JSON: content, each cell as shown (auto totals computed), findings."""
        fmt = self.format
        known = set(fmt.cell_keys())
        return {
            "id": self.id, "agency": self.agency, "year": self.year, "template": fmt.version,
            "status": self.status, "status_label": STATUSES[self.status], "revision": self.revision,
            "round": self.round, "from_text": self.from_text, "content": self.content,
            "cells": {key: format_value(self.report.cells.get(key)) for key in fmt.cell_keys()},
            "findings": [{**f.as_dict(), "labels": [fmt.cell_label(k) for k in f.cells if k in known]}
                         for f in self.report.findings],
            "previous": None if self.previous is None else {
                "id": self.previous_id, "year": self.previous.meta.year,
                "problems": self.previous.sections.get("problems")},
            "comments": self.comments, "audit": self.audit, "published": self.published,
            "approved": self.approved,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# -- totals and links: what the declaration says a cell is made of ------------------------------


def sums(fmt: Format) -> dict[str, list[tuple[str, ...]]]:
    """Each total cell of ``fmt`` → the parts it sums, from the identities whose one side is that cell."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for eq in fmt.identities():
        if len(eq.lhs) == 1 and eq.lhs[0] not in eq.rhs:
            out.setdefault(eq.lhs[0], []).append(eq.rhs)
    return out


def default_auto(fmt: Format, previous: Report | None) -> list[str]:
    """The cells computed until a person types over them: every total, and the cells a cross-year link
    makes from last year's value and this year's changes (现行有效件数 = 上年 + 制发 − 废止)."""
    auto = set(sums(fmt))
    auto |= {eq.now for eq in _links(fmt, previous) if eq.plus or eq.minus}
    return [key for key in fmt.cell_keys() if key in auto]


def _links(fmt: Format, previous: Report | None) -> list[Any]:
    before = previous.format if previous is not None else None
    return fmt.year_equations(before) if before is not None else []


def fill_auto(fmt: Format, cells: dict[str, Value], auto: list[str], previous: Report | None) -> None:
    """Set each ``auto`` cell from its parts, as the workbook's formulas do: the sum of the parts given
    (blank while every part is blank); a linked cell from last year's value plus and minus this year's."""
    totals = sums(fmt)
    links = {eq.now: eq for eq in _links(fmt, previous) if eq.now in auto}
    for key in auto:
        cells[key] = None
    for _ in range(len(auto) + 1):  # totals of totals settle in as many rounds as they nest
        changed = False
        for key in auto:
            value: Value = None
            for parts in totals.get(key, ()):
                known = [cells[k] for k in parts if cells.get(k) is not None]
                if known:
                    value = sum(known)  # type: ignore[assignment]
                    break
            if key in links and previous is not None:
                eq = links[key]
                then = [previous.cells.get(k) for k in eq.before]
                if all(v is not None for v in then):
                    plus = sum(cells[k] or 0 for k in eq.plus)
                    minus = sum(cells[k] or 0 for k in eq.minus)
                    value = sum(then) + plus - minus  # type: ignore[operator]
            if value != cells[key]:
                cells[key] = value
                changed = True
        if not changed:
            return


def prefill(fmt: Format, agency: str, year: int, previous: Report | None, from_text: bool) -> dict[str, Any]:
    """A new draft's content: the cells the declaration's cross-year links carry over from last year
    (上年结转 = 上年结转下年度, the baselines), the totals computed, last year's text when asked for."""
    cells: dict[str, str] = {}
    for eq in _links(fmt, previous):
        assert previous is not None
        then = [previous.cells.get(k) for k in eq.before]
        if all(v is not None for v in then):
            cells[eq.now] = format_value(sum(then))  # type: ignore[arg-type]
    texts = previous.sections if (from_text and previous is not None) else {}
    return {"meta": {"title": f"{agency}{year}年政府信息公开工作年度报告", "published": None},
            "sections": {key: texts.get(key) or "" for key in SECTION_KEYS},
            "cells": cells, "auto": default_auto(fmt, previous)}


def clean_content(fmt: Format, content: Mapping[str, Any]) -> dict[str, Any]:
    """Content as sent by a client, checked for shape: only the format's cells and the six sections,
    text within bounds (``DraftError`` otherwise). Values stay as typed: the checker names bad ones."""
    if not isinstance(content, Mapping):
        raise DraftError("草稿内容应为对象", "the draft content must be an object")
    keys = set(fmt.cell_keys())
    cells_in = content.get("cells") or {}
    sections_in = content.get("sections") or {}
    meta_in = content.get("meta") or {}
    if not all(isinstance(x, Mapping) for x in (cells_in, sections_in, meta_in)):
        raise DraftError("cells、sections、meta 应为对象", "cells, sections and meta must be objects")
    unknown = sorted(set(cells_in) - keys)
    if unknown:
        raise DraftError(f"{fmt.version} 版格式没有单元格 {', '.join(unknown[:5])}",
                         f"the {fmt.version} format has no cell {', '.join(unknown[:5])}")
    cells = {}
    for key, value in cells_in.items():
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_CELL_CHARS:
            raise DraftError(f"单元格 {fmt.cell_label(key)} 的内容过长", f"cell {key}: too long")
        if text:
            cells[key] = text
    sections = {}
    for key in SECTION_KEYS:
        text = sections_in.get(key)
        text = "" if text is None else str(text)
        if len(text) > MAX_SECTION_CHARS:
            raise DraftError(f"章节文字过长（最多 {MAX_SECTION_CHARS} 字）", f"section {key}: too long")
        sections[key] = text
    derivable = set(sums(fmt)) | {eq.now for eq in fmt.year_equations(fmt) if eq.plus or eq.minus}
    auto = [k for k in (content.get("auto") or ()) if k in derivable]
    title = str(meta_in.get("title") or "").strip()[:MAX_TITLE_CHARS] or None
    published = meta_in.get("published")
    published = str(published).strip()[:10] if published else None
    return {"meta": {"title": title, "published": published}, "sections": sections, "cells": cells,
            "auto": [k for k in fmt.cell_keys() if k in set(auto)]}


def checked(draft_id: int, agency: str, year: int, fmt: Format, content: Mapping[str, Any],
            previous: Report | None) -> Report:
    """The draft as a checked ``Report``: every rule of the catalogue, and the cross-year rules against
    ``previous`` (the unit's stored report of the year before) — the same as for a published report."""
    auto = list(content.get("auto") or ())
    data = {"meta": {"agency": agency, "year": year, "template": fmt.version, **(content.get("meta") or {})},
            "sections": content.get("sections") or {},
            "cells": {k: v for k, v in (content.get("cells") or {}).items() if k not in auto}}
    report = report_from_data(data, Source(f"草稿 {draft_id}", "", "draft"))
    fill_auto(fmt, report.cells, auto, previous)
    check(report)
    if previous is not None:
        report.findings = [*report.findings, *cross_year(report, [previous])]
    return report


def content_of(report: Report, fmt: Format) -> dict[str, Any]:
    """A draft's content from a report read from a file (import): every value as read from it, no cell
    computed (what the file says is what the checker sees)."""
    known = set(fmt.cell_keys())
    cells = {k: format_value(v) for k, v in report.cells.items() if v is not None and k in known}
    return {"meta": {"title": report.meta.title, "published": report.meta.published},
            "sections": {k: report.sections.get(k) or "" for k in SECTION_KEYS}, "cells": cells, "auto": []}


def _plain(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


_DATE_LINE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{2}-\d{2}")


def _without_signature(text: str | None, agency: str) -> str:
    """A section's text without the 落款 a reader leaves at its end (the unit's name, the date lines):
    the renderer prints them under the last section, they are no part of what was approved."""
    lines = (text or "").splitlines()
    while lines and (not lines[-1].strip() or normalise_name(lines[-1]) == agency or _DATE_LINE.fullmatch(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines)


def changes_after_approval(approved: Mapping[str, Any], published: Report, fmt: Format, agency: str) -> list[Finding]:
    """``filing.changed_after_approval`` for every cell, section and the year in which the published
    report of ``agency`` differs from the approved draft (``approved``: its cell values as text and its
    sections; the 落款 at the end of the published text is no change)."""
    out = []
    code = "filing.changed_after_approval"
    if published.meta.year != approved["year"]:
        out.append(finding(code, (), f"公布稿的年度为 {published.meta.year or '（未识别）'}，备案通过稿为 {approved['year']}",
                           f"the published report's year is {published.meta.year}, the approved draft's {approved['year']}"))
    same_format = published.format is fmt
    for key in fmt.cell_keys():
        was = decode_value(approved["cells"].get(key))
        now = published.cells.get(key) if same_format else None
        if was != now:
            shown = [("空白" if v is None else format_value(v)) for v in (was, now)]
            out.append(finding(code, (key,), f"「{fmt.cell_label(key)}」备案通过时为 {shown[0]}，公布稿为 {shown[1]}",
                               f"{key}: {shown[0]} when approved, {shown[1]} as published"))
    for section in fmt.sections:
        printed = _without_signature(published.sections.get(section.key), agency)
        if _plain(approved["sections"].get(section.key)) != _plain(printed):
            out.append(finding(code, (), f"“{section.heading}”的文字与备案通过稿不同",
                               f"section {section.title_en}: the text differs from the approved draft"))
    return out


# -- the drafts ---------------------------------------------------------------------------------


class Drafts:
    """Drafts of units and their 备案 flow, on top of a ``Store``."""

    def __init__(self, store: Store):
        self.store = store

    # units of the 填报人

    def assign_unit(self, user_name: str, agency: str) -> str:
        """Make ``agency`` the unit a 填报人 (role ``agency``) writes for; the name as stored."""
        name = normalise_name(agency or "")
        if not name or len(name) > 200:
            raise DraftError("请填写单位全称", "give the unit's full name")
        with self.store.session.begin() as session:
            user = accounts.account(session, name=user_name)
            if user is None:
                raise DraftError(f"没有用户「{user_name}」", f"no user {user_name!r}")
            if user.role != "agency":
                raise DraftError("只有填报人（agency）可以指定填报单位", "only an agency user (填报人) has a unit")
            accounts.set_unit(session, user.id, name)
        return name

    def unit(self, user: User) -> str | None:
        """The unit a 填报人 writes for (None: not assigned yet, or not a 填报人)."""
        if user.role != "agency":
            return None
        with self.store.session() as session:
            return accounts.unit(session, user.id)

    def _may_see(self, user: User, row: Draft) -> bool:
        if user.role == "agency":
            return self.unit(user) == row.agency
        if user.can("review"):
            return not user.region or user.region in row.place()
        return False

    def _row(self, session: Session, user: User, draft_id: int) -> Draft:
        row = stored.draft(session, draft_id)
        if row is None or not self._may_see(user, row):
            raise DraftNotFound(f"没有编号为 {draft_id} 的草稿", f"no draft with id {draft_id}")
        return row

    # reading

    def list(self, user: User, status: str | None = None) -> list[dict[str, Any]]:
        """The drafts a user may see (a 填报人: their unit's; the office: its region's), newest year
        first; ``status`` narrows it (``submitted``: the office's queue, oldest submission first)."""
        if status is not None and status not in STATUSES:
            raise DraftError(f"状态应为 {'/'.join(STATUSES)}", f"status must be one of {', '.join(STATUSES)}")
        agency = region = None
        if user.role == "agency":
            agency = self.unit(user) or ""
        elif not user.can("review"):
            return []
        else:
            region = user.region
        with self.store.session() as session:
            return [{"id": r.id, "agency": r.agency, "year": r.year, "status": r.status,
                     "status_label": STATUSES[r.status], "round": r.round, "revision": r.revision,
                     "errors": (r.content.get("counts") or {}).get("error", 0),
                     "warnings": (r.content.get("counts") or {}).get("warning", 0),
                     "updated": r.updated.isoformat(timespec="seconds"), "updated_by": r.updated_by}
                    for r in stored.drafts(session, agency=agency, region=region, status=status,
                                           oldest_first=status == "submitted")]

    def get(self, user: User, draft_id: int) -> DraftView:
        """One draft, checked now (404 ``DraftNotFound`` outside the user's unit or region)."""
        with self.store.session() as session:
            row = self._row(session, user, draft_id)
            comments = stored.comments(session, row.id)
            audit = stored.audit(session, row.id)
        previous = self._previous(row.previous_id)
        fmt = FORMATS[row.template]
        report = checked(row.id, row.agency, row.year, fmt, row.content, previous)
        return DraftView(row.id, row.agency, row.year, row.status, row.revision, row.round, row.from_text,
                         {k: v for k, v in row.content.items() if k != "counts"}, report, previous,
                         row.previous_id, comments, audit, row.published, row.approved is not None)

    def _previous(self, report_id: int | None) -> Report | None:
        if report_id is None:
            return None
        try:
            return self.store.load(report_id, with_crossyear=False)
        except KeyError:
            return None

    def previous_report(self, agency: str, year: int) -> tuple[int, Report] | None:
        """The unit's stored (current) report of the year before ``year``, with its id."""
        ids = self.store.report_ids({"agency": agency, "year": year - 1})
        return (ids[-1], self.store.load(ids[-1], with_crossyear=False)) if ids else None

    # writing

    def create(self, user: User, year: int, *, from_text: bool = False) -> DraftView:
        """A new draft of the 填报人's unit for ``year`` in the format of that year, prefilled from the
        unit's stored report of the year before; ``from_text``: its six sections as the starting text."""
        agency = self.unit(user)
        if agency is None:
            raise DraftError("您还没有指定填报单位，请联系管理员", "you have no unit yet: ask an admin")
        fmt = format_for_year(year)
        if fmt is None or not 2000 <= year <= 2100:
            raise DraftError(f"{year} 年没有统一格式", f"no unified format for the year {year}")
        found = self.previous_report(agency, year)
        previous_id, previous = found if found else (None, None)
        content = prefill(fmt, agency, year, previous, from_text)
        place = self.store.place(agency)
        now = _now()
        with self.store.session.begin() as session:
            if stored.draft_exists(session, agency, year):
                raise DraftError(f"{agency} {year} 年度的草稿已经存在", f"a {year} draft of {agency} already exists")
            row = stored.add_draft(
                session, agency=agency, year=year, template=fmt.version, status="draft", province=place["province"],
                city=place["city"], county=place["county"], content=content, previous_id=previous_id,
                from_text=bool(from_text and previous), revision=0, round=0, created=now, created_by=user.name,
                updated=now, updated_by=user.name)
            note = (f"由 {previous.meta.year} 年度报告预填" + ("，正文沿用上年文字" if row.from_text else "")
                    if previous is not None else "库中没有上一年度报告，未预填")
            self._audit(session, row.id, user, "create", None, None, "draft", note)
            draft_id = row.id
        return self._counted(user, draft_id)

    def _counted(self, user: User, draft_id: int) -> DraftView:
        """The draft, with its error and warning counts kept on the row for the queue."""
        view = self.get(user, draft_id)
        counts = {s: sum(f.severity == s for f in view.report.findings) for s in ("error", "warning")}
        with self.store.session.begin() as session:
            row = stored.draft(session, draft_id)
            assert row is not None
            if row.content.get("counts") != counts:
                stored.update_draft(session, draft_id, content={**row.content, "counts": counts})
        return view

    def save(self, draft_id: int, content: Mapping[str, Any], *, revision: int, user: User,
             action: str = "edit", note: str | None = None) -> DraftView:
        """Replace the content of an editable draft (草稿 or 退回修改) and check it; ``revision`` is the one
        the client read (a newer stored one raises ``DraftConflict``)."""
        self._require_writer(user)
        with self.store.session.begin() as session:
            row = self._row(session, user, draft_id)
            if row.status not in EDITABLE:
                raise DraftError(f"草稿状态为「{STATUSES[row.status]}」，不能修改",
                                 f"the draft is {row.status}: it cannot be edited")
            fresh = clean_content(FORMATS[row.template], content)
            bumped = stored.bump_revision(session, draft_id, revision)
            row = stored.draft(session, draft_id)  # as now stored
            assert row is not None
            if not bumped:
                raise DraftConflict(row.revision)
            changed = _changed(row.content, fresh)
            stored.update_draft(session, draft_id, content=fresh, updated=_now(), updated_by=user.name)
            if changed or action != "edit":
                self._audit(session, draft_id, user, action, ", ".join(changed)[:2000] or None, None, None, note)
        return self._counted(user, draft_id)

    def import_file(self, draft_id: int, raw: bytes, name: str, *, revision: int, user: User) -> DraftView:
        """Replace the draft's content with a report read from a Word/PDF/Markdown/… file or the Excel
        workbook (the readers of ``gknb.pipeline`` and ``gknb.data.workbook``); how it was read stays in the
        audit trail, and a file that cannot be read changes nothing."""
        view = self.get(user, draft_id)
        try:
            report = check(read_workbook(raw, name)) if name.lower().endswith(".xlsx") else read(raw, name=name)
        except GknbError as error:
            raise DraftError(f"无法读取「{name}」：{error.message}", f"cannot read {name!r}: {error.message_en}") from None
        fmt = view.format
        if report.format is not None and report.format is not fmt:
            raise DraftError(f"「{name}」使用 {report.format.version} 版格式，本草稿为 {fmt.version} 版格式",
                             f"{name!r} uses the {report.format.version} format, the draft the {fmt.version} format")
        content = content_of(report, fmt)
        remarks = [f.message for f in report.parse_findings][:20]
        note = f"从「{name}」导入" + (f"；读取提示：{'；'.join(remarks)}" if remarks else "")
        return self.save(draft_id, content, revision=revision, user=user, action="import", note=note)

    def export(self, user: User, draft_id: int, medium: str) -> tuple[DraftView, bytes]:
        """The draft rendered in the official layout (``gknb.render``: findings in a notice box)."""
        view = self.get(user, draft_id)
        content = render(view.report, medium)
        with self.store.session.begin() as session:
            self._audit(session, draft_id, user, "export", medium, None, None, None)
        return view, content

    # the 备案 flow

    def submit(self, draft_id: int, *, user: User, comment: str | None = None) -> DraftView:
        """草稿/退回修改 → 已提交备案: the draft goes into the review office's queue."""
        self._require_writer(user)
        return self._step(user, draft_id, EDITABLE, "submitted", "submit", comment)

    def return_draft(self, draft_id: int, *, user: User, comment: str | None = None,
                     cells: Mapping[str, str] | None = None, sections: Mapping[str, str] | None = None) -> DraftView:
        """已提交备案 → 退回修改, with the office's comments on cells, on sections and on the whole; one at least."""
        self._require_office(user)
        with self.store.session() as session:
            fmt = FORMATS[self._row(session, user, draft_id).template]
        notes = [("general", "", comment or "")]
        notes += [("cell", k, v) for k, v in (cells or {}).items()]
        notes += [("section", k, v) for k, v in (sections or {}).items()]
        notes = [(kind, target, text.strip()) for kind, target, text in notes if text and text.strip()]
        if not notes:
            raise DraftError("退回时请写明意见（可针对单元格或章节）", "returning a draft needs a comment (on a cell, a section or the whole)")
        for kind, target, text in notes:
            if kind == "cell" and target not in fmt.cell_info():
                raise DraftError(f"本草稿没有单元格「{target}」", f"the draft has no cell {target!r}")
            if kind == "section" and target not in SECTION_KEYS:
                raise DraftError(f"没有章节「{target}」", f"no section {target!r}")
            if len(text) > MAX_COMMENT_CHARS:
                raise DraftError("意见过长", "comment too long")
        summary = "；".join(text for _, _, text in notes)[:MAX_COMMENT_CHARS]
        return self._step(user, draft_id, ("submitted",), "returned", "return", summary, notes)

    def approve(self, draft_id: int, *, user: User, comment: str | None = None) -> DraftView:
        """已提交备案 → 备案通过: the content as approved is kept, to match the published copy against."""
        self._require_office(user)
        view = self.get(user, draft_id)
        approved = {"year": view.year, "cells": {k: encode_value(v) for k, v in view.report.cells.items()},
                    "sections": dict(view.report.sections), "revision": view.revision}
        return self._step(user, draft_id, ("submitted",), "approved", "approve", comment, approved=approved)

    def publish(self, draft_id: int, *, user: User, url: str | None = None, raw: bytes | None = None,
                name: str | None = None) -> DraftView:
        """备案通过 → 已公布: the published copy (its URL or its file) is read, matched with the approved
        draft (``filing.changed_after_approval`` for each change) and stored as the unit's report."""
        if not (user.can("review") or user.role == "agency"):
            raise DraftError("您的角色无权执行此操作", "your role does not allow this")
        with self.store.session() as session:
            row = self._row(session, user, draft_id)
            if row.status not in ("approved", "published") or row.approved is None:
                raise DraftError("草稿备案通过后才能登记公布", "only an approved draft can be published")
            approved, agency, year, fmt = row.approved, row.agency, row.year, FORMATS[row.template]
        if not url and raw is None:
            raise DraftError("请填写公布网址或上传公布的文件", "give the published URL or upload the published file")
        if url and not is_url(url):  # never a path: the server reads no file of its own for a user
            raise DraftError("公布网址应以 http:// 或 https:// 开头", "the published URL must start with http:// or https://")
        where = url or f"备案/{agency}/{year}/{name or 'published'}"
        try:
            report = read(url) if url else read(raw or b"", name=name)
        except GknbError as error:
            raise DraftError(f"无法读取公布稿：{error.message}", f"cannot read the published report: {error.message_en}") from None
        changes = changes_after_approval(approved, report, fmt, agency)
        report.meta.agency = report.meta.agency or agency  # the unit and year it was filed for, when unread
        report.meta.year = report.meta.year or year
        report.parse_findings = [*report.parse_findings, *changes]
        check(report)
        added = store_report(self.store, report, raw, location=where)
        published = {"url": url, "name": name, "report_id": added.report_id, "at": _now().isoformat(timespec="seconds"),
                     "changes": [f.as_dict() for f in changes]}
        note = f"公布稿与备案通过稿有 {len(changes)} 处不同" if changes else "公布稿与备案通过稿一致"
        return self._step(user, draft_id, ("approved", "published"), "published", "publish", note,
                          published=published, target=url or name)

    def _step(self, user: User, draft_id: int, allowed: tuple[str, ...], status: str, action: str,
              comment: str | None, notes: list[tuple[str, str, str]] | None = None, *,
              approved: dict[str, Any] | None = None, published: dict[str, Any] | None = None,
              target: str | None = None) -> DraftView:
        with self.store.session.begin() as session:
            row = self._row(session, user, draft_id)
            if row.status not in allowed:
                raise DraftError(f"草稿状态为「{STATUSES[row.status]}」，不能{_ACTIONS[action]}",
                                 f"the draft is {row.status}: it cannot be {action}ed")
            old = row.status
            now = _now()
            rounds = row.round + 1 if status == "submitted" else row.round
            for kind, key, text in notes or ():
                stored.add_comment(session, row.id, rounds, kind, key, text, user.name, now)
            changes: dict[str, Any] = {"approved": approved} if approved is not None else {}
            if published is not None:
                changes["published"] = published
            stored.update_draft(session, row.id, round=rounds, status=status, updated=now, updated_by=user.name,
                                revision=row.revision + 1, **changes)
            self._audit(session, row.id, user, action, target, old, status, (comment or "").strip() or None)
        return self.get(user, draft_id)

    @staticmethod
    def _require_writer(user: User) -> None:
        if user.role != "agency":
            raise DraftError("只有本单位的填报人可以修改和提交草稿", "only the unit's agency user edits and submits")

    @staticmethod
    def _require_office(user: User) -> None:
        if not user.can("review"):
            raise DraftError("只有审核员可以退回或通过备案", "only a reviewer returns or approves a draft")

    @staticmethod
    def _audit(session: Session, draft_id: int, user: User, action: str, target: str | None, old: str | None,
               new: str | None, comment: str | None) -> None:
        stored.add_audit(session, draft_id, user.name, _now(), action, target, old, new, comment)


_ACTIONS = {"submit": "提交备案", "return": "退回", "approve": "通过备案", "publish": "登记公布"}


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The cell keys, section keys and meta fields whose content differs."""
    out = []
    for part in ("meta", "sections", "cells"):
        old, new = before.get(part) or {}, after.get(part) or {}
        out += [k for k in dict.fromkeys([*old, *new]) if (old.get(k) or None) != (new.get(k) or None)]
    if list(before.get("auto") or ()) != list(after.get("auto") or ()):
        out.append("auto")
    return out


__all__ = ["STATUSES", "DraftConflict", "DraftError", "DraftNotFound", "DraftView", "Drafts",
           "changes_after_approval", "checked", "default_auto", "fill_auto", "prefill"]
