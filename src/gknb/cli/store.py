"""The store commands of ``gknb``: ingest, agency, compare, stats, export, import (docs/store.md).

Every command takes ``--db`` (a SQLite path or a ``postgresql://`` URL; default ``$GKNB_DB``, else
``gknb.db``). ``register(app)`` adds them to the main Typer application.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from .. import read
from ..analyze import GROUPS, compare, history, stats
from ..analyze.compare import SentenceChange
from ..analyze.stats import GROUP_LABELS, metric_labels
from ..catalogue import severity_label
from ..errors import GknbError
from ..export import FORMAT_NAMES, export, import_json
from ..formats.common import SECTIONS
from ..pipeline.bulk import default_jobs, ingest
from ..regions import LEVEL_LABELS, LEVELS
from ..report import Report
from ..store import FILTERS, Store
from ..workers import DEFAULT_TIMEOUT
from .common import DbOpt
from .common import console as _console
from .common import fail as _fail
from .terminal import heading

WhereOpt = Annotated[str | None, typer.Option("--where", help="筛选 / filter, e.g. province=广东省,year=2023 "
                                                             f"({', '.join(FILTERS)})")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON / JSON output")]
LangOpt = Annotated[str, typer.Option("--lang", help="输出语言 zh 或 en / language of the output: zh or en")]
META_NAMES = {"title": "标题", "agency": "机关", "year": "年度", "template": "格式", "region": "地区", "level": "层级",
              "published": "发布日期"}
SECTION_NAMES = {s.key: s.heading for s in SECTIONS}

agency_app = typer.Typer(help="机关：查看与更正地区、层级。Agencies: list, correct region and level.",
                         no_args_is_help=True)


def _open(db: str | None) -> Store:
    return Store.open(db)


def parse_where(where: str | None) -> dict[str, str]:
    """``province=广东省,year=2023`` → ``{"province": "广东省", "year": "2023"}``."""
    out: dict[str, str] = {}
    for part in (where or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in FILTERS:
            raise typer.BadParameter(f"--where {part!r}: 应为 名称=值 / expected NAME=VALUE, NAME in {', '.join(FILTERS)}")
        out[name.strip()] = value.strip()
    return out


def _dump(obj: Any) -> None:
    sys.stdout.buffer.write((json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8"))
    sys.stdout.flush()


def ingest_command(
    inputs: Annotated[list[str], typer.Argument(metavar="DIR|ZIP|URL-LIST|FILE…", help="目录、ZIP、URL 列表或文件 / "
                                                "folders, zip files, URL lists (one URL a line) or files")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="工作进程数 / worker processes")] = 0,
    queue: Annotated[bool, typer.Option("--queue", help="排入 PostgreSQL 队列，由 gknb worker 处理 / queue the "
                                                       "inputs for gknb worker (PostgreSQL)")] = False,
    db: DbOpt = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", envvar="GKNB_TIMEOUT", metavar="SECONDS",
        help="每个文件的时间限制（秒），超时则该文件失败，0 为不限 / time limit per file; a file over it fails; 0: none",
    )] = DEFAULT_TIMEOUT,
) -> None:
    """批量读取报告存入数据库。Ingest reports into the database (already stored originals are skipped).

    退出码 exit status: 0 全部存入或重复 all stored or duplicates; 2 有文件失败 some inputs failed.
    """
    if queue:
        from .queue import queue_ingest  # distributed ingest (docs/store.md)

        queue_ingest(inputs, db)
    store = _open(db)
    # The command's modules and the open store live until it exits: out of the collector's full scans,
    # which the batches' rows trigger (one command, one run: nothing frozen here would be freed anyway).
    gc.freeze()
    err = _console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("gknb ingest", total=None)
        summary = ingest(store, inputs, jobs=jobs or default_jobs(), timeout=timeout,
                         on_total=lambda n: progress.update(task, total=n),
                         on_read=lambda _location: progress.advance(task))
    out = _console()
    table = Table(title=f"ingest #{summary.run_id}", box=box.SIMPLE_HEAD)
    table.add_column("结果 result")
    table.add_column("数量 count", justify="right")
    for status, label in (("stored", "存入 stored"), ("duplicate", "重复 duplicates"), ("failed", "失败 failed")):
        table.add_row(label, str(summary.count(status)), style="red" if status == "failed" and summary.count(status)
                      else "")
    out.print(table)
    failed = [r for r in summary.results if r.status == "failed"]
    if failed:
        reasons = Table(box=box.SIMPLE_HEAD, title="失败原因 failures")
        reasons.add_column("文件 file", overflow="fold")
        reasons.add_column("代码 code")
        reasons.add_column("原因 reason", overflow="fold")
        for result in failed:
            error = result.error or {}
            reasons.add_row(result.location, error.get("code", ""),
                            f"{error.get('message', '')} / {error.get('message_en', '')}")
        out.print(reasons)
    store.close()
    raise typer.Exit(2 if failed else 0)


@agency_app.command("set")
def agency_set(
    name: Annotated[str, typer.Argument(help="机关名称 / agency name")],
    province: Annotated[str | None, typer.Option(help="省 / province")] = None,
    city: Annotated[str | None, typer.Option(help="市 / prefecture")] = None,
    county: Annotated[str | None, typer.Option(help="县 / county")] = None,
    level: Annotated[str | None, typer.Option(help=f"层级 / level: {', '.join(LEVELS)}")] = None,
    db: DbOpt = None,
) -> None:
    """更正机关的地区和层级（保留，优先于推断）。Correct an agency's region and level (kept, preferred)."""
    if level is not None and level not in LEVELS:
        raise typer.BadParameter(f"--level 应为 / must be one of {', '.join(LEVELS)}")
    store = _open(db)
    agency = store.set_agency(name, province=province, city=city, county=county, level=level)
    _console().print(f"{agency.name}: {agency.province or '—'} {agency.city or '—'} {agency.county or '—'} "
                     f"{agency.level or '—'} ({agency.province_code or '—'}/{agency.city_code or '—'}/"
                     f"{agency.county_code or '—'})")
    store.close()


@agency_app.command("list")
def agency_list(json_: JsonOpt = False, db: DbOpt = None) -> None:
    """列出机关。List the agencies."""
    store = _open(db)
    rows = [{"name": a.name, "province": a.province, "city": a.city, "county": a.county, "level": a.level,
             "codes": [a.province_code, a.city_code, a.county_code], "corrected": a.corrected}
            for a in store.agencies()]
    store.close()
    if json_:
        _dump(rows)
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("机关 agency", "省", "市", "县", "层级 level", "更正 corrected"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["name"], row["province"] or "—", row["city"] or "—", row["county"] or "—",
                      row["level"] or "—", "✓" if row["corrected"] else "")
    _console().print(table)


def _report(store: Store | None, ref: str, db: str | None) -> tuple[Report, Store | None]:
    """A report from a file path, or from a stored report id (``12`` or ``#12``)."""
    if Path(ref).exists():
        return read(ref), store
    if ref.lstrip("#").isdigit():
        store = store or _open(db)
        try:
            return store.load(int(ref.lstrip("#"))), store
        except KeyError:
            raise _fail(f"数据库中没有编号为 {ref} 的报告", f"no stored report with id {ref}") from None
    raise _fail(f"找不到文件 {ref}", f"no such file: {ref}")


def compare_command(
    a: Annotated[str | None, typer.Argument(help="报告 A：文件或已存编号 / file or stored report id")] = None,
    b: Annotated[str | None, typer.Argument(help="报告 B")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="一个机关的历年报告 / one agency over its years")] = None,
    json_: JsonOpt = False,
    lang: LangOpt = "zh",
    db: DbOpt = None,
) -> None:
    """比较两份报告，或一个机关的历年报告。Compare two reports, or one agency over its years."""
    zh = _lang(lang)
    out = _console()
    if agency is not None:
        store = _open(db)
        reports = store.agency_reports(agency)
        store.close()
        if not reports:
            raise _fail(f"数据库中没有机关“{agency}”的报告", f"no stored reports of agency {agency!r}")
        found = history(agency, reports)
        if json_:
            _dump(found.as_dict())
            return
        table = Table(title=agency, box=box.SIMPLE_HEAD)
        table.add_column("单元格 cell", overflow="fold")
        for year in found.years:
            table.add_column(str(year), justify="right")
        for _key, label, values in found.rows:
            table.add_row(label, *("—" if v is None else str(v) for v in values))
        out.print(table)
        for report in found.reports:
            for f in report.findings:
                if f.rule.startswith("crossyear."):
                    out.print(Text(f"{report.meta.year} {severity_label(f.severity)}：{f.message}" if zh else
                                   f"{report.meta.year} {f.severity} {f.rule}: {f.message_en}",
                                   style="red" if f.severity == "error" else "yellow"))
        return
    if a is None or b is None:
        raise typer.BadParameter("需要两份报告或 --agency / give two reports or --agency")
    try:
        report_a, store = _report(None, a, db)
        report_b, store = _report(store, b, db)
    except GknbError as error:
        raise _fail(error.message, error.message_en) from None
    if store is not None:
        store.close()
    result = compare(report_a, report_b)
    if json_:
        _dump(result.as_dict())
        return
    for key, (va, vb) in result.meta.items():
        name = META_NAMES.get(key, key) if zh else key
        out.print(f"{name}{'：' if zh else ': '}{_meta_text(key, va, zh)} → {_meta_text(key, vb, zh)}")
    table = Table(title=f"A = {a}    B = {b}", box=box.SIMPLE_HEAD)
    for column, justify in (("单元格 cell", "left"), ("A", "right"), ("B", "right"), ("B−A", "right")):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for cell in result.cells:
        table.add_row(cell.label, *("—" if v is None else str(v) for v in (cell.a, cell.b, cell.delta)))
    out.print(table if result.cells else Text("单元格相同 / cells identical", style="green"))
    for section in result.sections:
        name = SECTION_NAMES.get(section.key, section.key) if zh else section.key
        heading(out, f"{name}（相似度 {section.ratio:.0%}）" if zh else f"{name} ({section.ratio:.0%} alike)")
        for change in section.changes:
            out.print(_change_text(change))


def _lang(lang: str) -> bool:
    """Whether the output is Chinese (``--lang zh``, the default) rather than English."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("--lang 应为 zh 或 en / --lang must be zh or en")
    return lang == "zh"


def group_value(group: str, value: Any, zh: bool = True) -> str:
    """A group's value as a reader says it: 乡镇 for ``township``, 2021 版 for a template, 未识别 for none."""
    if value is None or value == "unknown":
        return "未识别" if zh else "unknown"
    if zh and group == "level":
        return LEVEL_LABELS.get(value, value)
    if zh and group == "template":
        return "2019 年以前" if value == "pre2019" else f"{value} 版"
    return str(value)


def _meta_text(key: str, value: Any, zh: bool) -> str:
    """A meta value in words: a region as 浙江省 杭州市 西湖区 (not a dict), a level as 县级."""
    if key == "region":
        return " ".join(v for v in (value or {}).values() if v) or "—"
    if key in ("level", "template"):
        return group_value(key, value, zh)
    return "—" if value is None else str(value)


def _change_text(change: SentenceChange) -> Text:
    """A changed sentence for the terminal: ``+`` added, ``-`` removed, ``~`` with what changed within it
    (removed struck through in red, added in green; also marked ``[-…-]``/``{+…+}`` for plain output)."""
    if change.kind == "added":
        return Text("+ " + (change.b or ""), style="green")
    if change.kind == "removed":
        return Text("- " + (change.a or ""), style="red")
    line = Text("~ ")
    for op, part in change.parts:
        if op == "same":
            line.append(part)
        elif op == "removed":
            line.append(f"[-{part}-]", style="red strike")
        else:
            line.append(f"{{+{part}+}}", style="bold green")
    return line


def stats_command(
    by: Annotated[str, typer.Option("--by", help=f"分组 / group by: {', '.join(GROUPS)}")] = "province,year",
    where: WhereOpt = None,
    json_: JsonOpt = False,
    lang: LangOpt = "zh",
    db: DbOpt = None,
) -> None:
    """按地区、层级、格式、年度汇总（指标见 docs/metrics.md）。Aggregates (metrics: docs/metrics.md)."""
    zh = _lang(lang)
    groups = [g.strip() for g in by.split(",") if g.strip()]
    store = _open(db)
    try:
        rows = stats(store, groups, parse_where(where))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    finally:
        store.close()
    if json_:
        _dump(rows)
        return
    shown = ("reports", "with_errors", "error_rate", "carry_over_breaks", "requests_new", "requests_handled",
             "disclosure_rate", "withheld_rate", "review", "litigation", "correction_rate")
    table = Table(box=box.SIMPLE_HEAD)
    labels = {**GROUP_LABELS, **metric_labels()} if zh else {}
    for column in (*groups, *shown):
        table.add_column(labels.get(column, column), justify="left" if column in groups else "right")
    for row in rows:
        table.add_row(*(group_value(g, row[g], zh) for g in groups),
                      *("—" if row[c] is None else f"{row[c]:.1%}" if c.endswith("_rate") else str(row[c])
                        for c in shown))
    _console().print(table)


def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"格式 / format: {', '.join(FORMAT_NAMES)}")],
    out: Annotated[Path, typer.Option("-o", "--output", help="输出文件 / output file")],
    where: WhereOpt = None,
    db: DbOpt = None,
) -> None:
    """导出数据库中的报告。Export stored reports (CSV long/wide, XLSX, Parquet, JSON)."""
    if fmt not in FORMAT_NAMES:
        raise typer.BadParameter(f"--format 应为 / must be one of {', '.join(FORMAT_NAMES)}")
    store = _open(db)
    try:
        count = export(store, fmt, out, parse_where(where))
    except RuntimeError as exc:  # a missing optional dependency; the message is bilingual
        _console(stderr=True).print(Text(f"gknb: {exc}", style="red"))
        raise typer.Exit(2) from None
    finally:
        store.close()
    _console(stderr=True).print(f"{count} 份报告 → {out} / {count} reports → {out}")


def import_command(
    file: Annotated[Path, typer.Argument(help="gknb export --format json 的输出 / a JSON export")],
    db: DbOpt = None,
) -> None:
    """从 JSON 导出文件恢复报告。Restore reports from a JSON export."""
    store = _open(db)
    try:
        results = import_json(store, file)
    except GknbError as error:
        raise _fail(error.message, error.message_en) from None
    finally:
        store.close()
    counts = {s: sum(1 for _, x in results if x == s) for s in ("stored", "duplicate", "failed")}
    _console(stderr=True).print(f"存入 stored {counts['stored']} · 重复 duplicates {counts['duplicate']} · "
                                f"失败 failed {counts['failed']}")


def register(app: typer.Typer) -> None:
    """Add the store commands to ``app``."""
    app.command("ingest")(ingest_command)
    app.add_typer(agency_app, name="agency")
    app.command("compare")(compare_command)
    app.command("stats")(stats_command)
    app.command("export")(export_command)
    app.command("import")(import_command)
