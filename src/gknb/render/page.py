"""What a rendered report says, independent of the medium: title, notice, sections, tables, signature."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalogue import SEVERITY_LABELS
from ..errors import GknbError
from ..formats import FORMATS
from ..report import Finding, Report
from .grid import Grid, grids

NOTICE_TITLE = "gknb 检查提示（发布前请核对，核对后删除本框）"
MAX_NOTICE_LINES = 40
TITLE_LINE_CHARS = 20  # characters of 二号 type on one line of the A4 text width


class RenderError(GknbError):
    """The report cannot be rendered (no known format, a converter missing or failing)."""

    code = "render.failed"


class RenderRefused(GknbError):
    """``--strict``: the report has error-level findings and is not rendered."""

    code = "render.refused"


@dataclass(frozen=True)
class SectionPart:
    """One of the six sections: its heading, its paragraphs and the table it prints (if any)."""

    heading: str
    paragraphs: tuple[str, ...]
    grid: Grid | None


@dataclass(frozen=True)
class Page:
    """A whole report ready to draw."""

    title: str
    title_lines: tuple[str, ...]  # the title broken where a line of 二号 type ends: agency, then the rest
    notice: tuple[str, ...]
    sections: tuple[SectionPart, ...]
    signature: tuple[str, ...]


def title_of(report: Report) -> str:
    """The report's title, or the customary one built from agency and year."""
    meta = report.meta
    if meta.title:
        return meta.title
    year = f"{meta.year}年" if meta.year is not None else ""
    return f"{meta.agency or ''}{year}政府信息公开工作年度报告"


def notice_lines(findings: list[Finding]) -> tuple[str, ...]:
    """The findings as the notice box lists them, in Chinese, severest first."""
    if not findings:
        return ()
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITY_LABELS}
    head = "本报告经 gknb 检查有 " + "、".join(f"{SEVERITY_LABELS[s][0]} {n} 条" for s, n in counts.items() if n) + "："
    lines = [f"【{SEVERITY_LABELS[f.severity][0]}】{f.message}" for f in findings]
    if len(lines) > MAX_NOTICE_LINES:
        lines = [*lines[:MAX_NOTICE_LINES], f"……另有 {len(lines) - MAX_NOTICE_LINES} 条，请运行 gknb check 查看。"]
    return (head, *lines)


def build_page(report: Report, *, strict: bool = False) -> Page:
    """Lay out ``report`` in its format's official order; refuse under ``strict`` when it has errors."""
    fmt = report.format
    if fmt is None:
        versions = " 或 ".join(FORMATS)
        raise RenderError(
            f"无法确定报告格式（请在 meta 中填写 year 或 template：{versions}）",
            f"cannot tell the report's format (give meta.year or meta.template: {' or '.join(FORMATS)})",
            report.source.path,
        )
    errors = [f for f in report.findings if f.severity == "error"]
    if strict and errors:
        raise RenderRefused(
            f"报告有 {len(errors)} 条错误级检查结果，--strict 下不生成文件：" + "；".join(f.message for f in errors[:5]),
            f"the report has {len(errors)} error-level findings; --strict refuses to render it: "
            + "; ".join(f.message_en for f in errors[:5]),
            report.source.path,
        )
    tables = {t.section: t.key for t in fmt.tables}
    table_grids = grids(fmt, report.cells)
    parts = []
    for section in fmt.sections:
        text = report.sections.get(section.key) or ""
        paragraphs = tuple(p.strip() for p in re.split(r"\n\s*", text) if p.strip())
        table = tables.get(section.key)
        parts.append(SectionPart(section.heading, paragraphs, table_grids[table] if table else None))
    signature = tuple(s for s in (report.meta.agency, _date(report.meta.published)) if s)
    title = title_of(report)
    return Page(title, title_lines(title, report.meta.agency), notice_lines(report.findings), tuple(parts), signature)


def title_lines(title: str, agency: str | None) -> tuple[str, ...]:
    """A long title on two lines, broken after the agency's name as printed titles are."""
    if len(title) <= TITLE_LINE_CHARS or not agency or not title.startswith(agency) or title == agency:
        return (title,)
    return agency, title[len(agency):]


def _date(iso: str | None) -> str | None:
    """``2026-01-20`` → ``2026年1月20日`` (the customary date line); other text as given."""
    if not iso:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", iso)
    return f"{match[1]}年{int(match[2])}月{int(match[3])}日" if match else iso
