"""The review office's commands (docs/review.md): ``gknb roster``, ``gknb score``, ``gknb notice`` and
``gknb overview`` over a region's reports of one year in the store. ``register(app)`` adds them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from ..errors import GknbError
from ..regions import LEVEL_LABELS, normalise_name
from ..review import region_year
from ..review.notices import MEDIA, Issuer, circular, opinion, render_notice
from ..review.overview import FINDING_COLUMNS, SORTS, csv_bytes, finding_rows, overview, xlsx_bytes
from ..review.roster import (
    STATUSES,
    Deadlines,
    RosterEntry,
    load_roster,
    merge,
    not_on_roster,
    parse_due,
    roster_from_divisions,
    roster_from_store,
    roster_status,
)
from ..review.scoring import default_scheme_text, load_scheme, ranking
from .common import DbOpt
from .store import JsonOpt, _console, _dump, _fail, _open

RegionArg = Annotated[str, typer.Argument(metavar="REGION", help="地区（省、市或县名）/ region: a province, city "
                                                                "or county name, e.g. 桐庐县")]
YearOpt = Annotated[int, typer.Option("--year", "-y", help="报告年度 / report year")]
RosterOpt = Annotated[Path | None, typer.Option("--roster", help="应发布单位名单 CSV/XLSX（名称、地区、层级、截止日期）/ "
                                                                "roster of units that must publish")]
DivisionsOpt = Annotated[bool, typer.Option("--divisions", help="按行政区划表加入本级和下辖县级人民政府 / add the "
                                                                "region's governments from the division table")]
TownshipsOpt = Annotated[bool, typer.Option("--townships", help="与 --divisions 同用：再加入下辖乡镇人民政府和街道办事处 / "
                                                                "with --divisions: add the townships and streets too")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="导出文件（.xlsx/.csv/.json）/ export file")]
SchemeOpt = Annotated[Path | None, typer.Option("--scheme", help="评分方案 YAML / scoring scheme (YAML); default: "
                                                                "the built-in one")]
DEPT_HELP = "部门发布期限（月-日，默认 01-31）/ departments' deadline (MM-DD)"
GOV_HELP = "政府发布期限（月-日，默认 03-31）/ governments' deadline (MM-DD)"


def _roster(store: Any, region: str, roster: Path | None, divisions: bool,
            townships: bool = False) -> list[RosterEntry]:
    """The roster: the file's, then the division table's, then the units the store knows in the region."""
    parts = []
    if roster is not None:
        if not roster.exists():
            raise GknbError(f"找不到名单文件 {roster.name}", f"roster file not found: {roster.name}")
        parts.append(load_roster(roster))
    if divisions:
        parts.append(roster_from_divisions(region, townships=townships))
    if roster is None:
        parts.append(roster_from_store(store, region))
    return merge(*parts)


def _write(out: Path, sheets: dict[str, tuple[list[str], list[list[Any]]]], data: Any) -> None:
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        out.write_bytes(xlsx_bytes(sheets))
    elif suffix == ".csv":
        header, rows = next(iter(sheets.values()))
        out.write_bytes(csv_bytes(header, rows))
    elif suffix == ".json":
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    else:
        raise GknbError(f"不支持的导出格式 {suffix or '（无扩展名）'}：请用 .xlsx、.csv 或 .json",
                        f"unsupported export type {suffix or '(none)'}: use .xlsx, .csv or .json")
    _console(stderr=True).print(f"→ {out}")


def roster_command(
    region: RegionArg, year: YearOpt, db: DbOpt = None, roster: RosterOpt = None, divisions: DivisionsOpt = False,
    townships: TownshipsOpt = False,
    department_due: Annotated[str, typer.Option("--department-due", help=DEPT_HELP)] = "01-31",
    government_due: Annotated[str, typer.Option("--government-due", help=GOV_HELP)] = "03-31",
    json_: JsonOpt = False, out: OutOpt = None,
) -> None:
    """应发布单位名单：已发布、逾期、未发布、重复发布。Roster: who published, late, missing, duplicated."""
    store = _open(db)
    try:
        deadlines = Deadlines(parse_due(department_due) or (1, 31), parse_due(government_due) or (3, 31))
        entries = _roster(store, region, roster, divisions, townships)
        units = region_year(store, region, year)
        lines = roster_status(store, entries, year, region, deadlines, units)
        extra = not_on_roster(entries, units)
    except GknbError as error:
        raise _fail(error.message, error.message_en) from None
    finally:
        store.close()
    header = ["单位", "层级", "状态", "发布期限", "发布日期", "来源数", "来源", "各来源不一致"]
    rows = [[line.entry.name, line.entry.level or "", STATUSES[line.status], line.due.isoformat(),
             (line.unit.published or "") if line.unit else "", len(line.sources), "；".join(line.sources),
             "是" if line.unit and line.unit.differs else ""] for line in lines]
    data = {"region": region, "year": year, "units": [dict(zip(header, row, strict=True)) for row in rows],
            "not_on_roster": [u.agency for u in extra]}
    if out is not None:
        _write(out, {"名单": (header, rows)}, data)
    if json_:
        _dump(data)
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"{region} {year} 年度报告发布情况 / publication roster")
    for column in header[:6]:
        table.add_column(column)
    style = {"missing": "red", "late": "yellow"}
    for line, row in zip(lines, rows, strict=True):
        row[1] = LEVEL_LABELS.get(row[1], row[1])
        table.add_row(*map(str, row[:5]), f"{row[5]}" + (" 重复" if line.duplicated else ""),
                      style=style.get(line.status))
    console = _console()
    console.print(table)
    counts = {s: sum(line.status == s for line in lines) for s in STATUSES}
    console.print(f"应发布 {len(lines)} 家：" + "，".join(f"{STATUSES[s]} {n}" for s, n in counts.items() if n))
    if extra:
        console.print("名单以外的单位 / not on the roster: " + "、".join(u.agency for u in extra))


def score_command(
    region: RegionArg, year: YearOpt, db: DbOpt = None, scheme: SchemeOpt = None,
    show_scheme: Annotated[bool, typer.Option("--show-scheme", help="输出默认评分方案 YAML 后退出 / print the "
                                                                    "default scheme and exit")] = False,
    json_: JsonOpt = False, out: OutOpt = None,
) -> None:
    """评分与排名（扣分逐项说明，可导出问题清单）。Score sheet and ranking, with each deduction explained."""
    if show_scheme:
        typer.echo(default_scheme_text(), nl=False)
        return
    store = _open(db)
    try:
        sheet = load_scheme(scheme)
        units = region_year(store, region, year)
    except GknbError as error:
        raise _fail(error.message, error.message_en) from None
    finally:
        store.close()
    ranked = ranking(units, sheet)
    titles = [item.title for item in sheet.items]
    header = ["名次", "单位", "总分", *titles, "扣分说明"]
    rows = [[r.rank, r.unit.agency, r.score.total, *(i.score for i in r.score.items), "；".join(r.score.explained())]
            for r in ranked]
    data = {"scheme": sheet.name, "region": region, "year": year,
            "ranking": [dict(zip(header, row, strict=True)) for row in rows]}
    if out is not None:
        _write(out, {"评分": (header, rows), "问题清单": (list(FINDING_COLUMNS), finding_rows(units))}, data)
    if json_:
        _dump(data)
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"{region} {year} 年度报告评分 / scores — {sheet.name}")
    for column in header[:-1]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row[:-1]))
    console = _console()
    console.print(table)
    for row in rows:
        if row[-1]:
            console.print(f"{row[1]}：{row[-1]}")


def _safe_name(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name)


def notice_command(
    region: RegionArg, year: YearOpt, db: DbOpt = None,
    unit: Annotated[list[str] | None, typer.Option("--unit", help="只为这些单位生成审核意见 / opinions for these "
                                                                "units only")] = None,
    to: Annotated[str, typer.Option("--to", help="docx 或 pdf / docx or pdf")] = "docx",
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录 / output folder")] = Path("."),
    roster: RosterOpt = None, divisions: DivisionsOpt = False, townships: TownshipsOpt = False, scheme: SchemeOpt = None,
    office: Annotated[str, typer.Option("--office", help="发文单位 / issuing office")] = Issuer.office,
    deadline: Annotated[str, typer.Option("--deadline", help="整改期限 / deadline for corrections")] = Issuer.deadline,
    on: Annotated[str | None, typer.Option("--date", help="成文日期 YYYY-MM-DD / date of the notice")] = None,
) -> None:
    """生成通报和各单位审核意见（DOCX/PDF）。The 通报 and each unit's 审核意见 as DOCX or PDF."""
    if to not in MEDIA:
        raise _fail(f"--to 应为 {'/'.join(MEDIA)}", f"--to must be one of {', '.join(MEDIA)}")
    store = _open(db)
    try:
        day = date.fromisoformat(on) if on else None
        issuer = Issuer(office, day, deadline)
        sheet = load_scheme(scheme)
        units = region_year(store, region, year)
        lines = roster_status(store, _roster(store, region, roster, divisions, townships), year, region, units=units)
        out.mkdir(parents=True, exist_ok=True)
        written = [out / f"{_safe_name(region)}{year}年度报告审核情况通报.{to}"]
        written[0].write_bytes(render_notice(circular(region, year, units, lines, sheet, issuer), to))
        wanted = {normalise_name(u) for u in unit or ()}
        for one in units:
            if wanted and normalise_name(one.agency) not in wanted:
                continue
            path = out / f"{_safe_name(one.agency)}{year}年度报告审核意见.{to}"
            path.write_bytes(render_notice(opinion(one, sheet, issuer), to))
            written.append(path)
    except ValueError:
        raise _fail("--date 应为 YYYY-MM-DD", "--date must be YYYY-MM-DD") from None
    except GknbError as error:
        raise _fail(error.message, error.message_en) from None
    finally:
        store.close()
    for path in written:
        _console().print(f"→ {path}")


def overview_command(
    region: RegionArg, year: YearOpt, db: DbOpt = None,
    sort: Annotated[str, typer.Option("--sort", help=f"排序 / sort: {', '.join(SORTS)}")] = "errors",
    scheme: SchemeOpt = None, json_: JsonOpt = False, out: OutOpt = None,
) -> None:
    """全地区逐单位与上一年比对的问题总览（表格、行、列）。Every unit against its previous year, problems by unit."""
    if sort not in SORTS:
        raise _fail(f"--sort 应为 {'/'.join(SORTS)}", f"--sort must be one of {', '.join(SORTS)}")
    store = _open(db)
    try:
        sheet = load_scheme(scheme)
        units = region_year(store, region, year)
        previous = {u.agency for u in region_year(store, region, year - 1)}
    except GknbError as error:
        raise _fail(error.message, error.message_en) from None
    finally:
        store.close()
    rows = overview(units, previous, sort=sort, scheme=sheet)
    header = ["单位", "错误", "警告", "提示", "与上年比对问题", "有上年报告", "得分"]
    table_rows = [[r.unit.agency, r.errors, r.warnings, r.infos, r.against_last_year, "是" if r.has_previous else "否",
                   r.score] for r in rows]
    ordered = [r.unit for r in rows]
    data = {"region": region, "year": year, "units": [
        {**dict(zip(header, row, strict=True)), "问题": [dict(zip(FINDING_COLUMNS, f, strict=True))
                                                        for f in finding_rows([r.unit])]}
        for r, row in zip(rows, table_rows, strict=True)]}
    if out is not None:
        _write(out, {"总览": (header, table_rows), "问题清单": (list(FINDING_COLUMNS), finding_rows(ordered))}, data)
    if json_:
        _dump(data)
        return
    console = _console()
    table = Table(box=box.SIMPLE_HEAD, title=f"{region} {year} 问题总览 / problems by unit (vs {year - 1})")
    for column in header:
        table.add_column(column)
    for row in table_rows:
        table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)
    details = Table(box=box.SIMPLE_HEAD, title="问题清单（错误、警告）/ errors and warnings")
    for column in ("单位", "严重程度", "问题类型", "表格", "行", "列", "问题说明"):
        details.add_column(column, overflow="fold")
    for finding in finding_rows(ordered, severities=("error", "warning")):
        details.add_row(finding[0], finding[2], finding[4], finding[5], finding[6], finding[7], finding[8])
    console.print(details)


def register(app: typer.Typer) -> None:
    """Add roster, score, notice and overview to ``app``."""
    app.command("roster")(roster_command)
    app.command("score")(score_command)
    app.command("notice")(notice_command)
    app.command("overview")(overview_command)
