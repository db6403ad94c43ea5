"""The authoring commands: ``gknb render`` (a report in the official layout) and ``gknb template``
(the Excel data-entry workbook). Registered on the main ``gknb`` app by ``register``.

Exit status of ``render``: 0 written; 1 refused by ``--strict`` (error-level findings); 2 the input
could not be read or the output not produced.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from .. import read
from ..data import is_data_file, load
from ..errors import GknbError
from ..formats import first_unified_year, format_for_year
from ..render import RenderRefused, render
from ..report import Report
from .common import console


class Medium(StrEnum):
    docx = "docx"
    html = "html"
    pdf = "pdf"
    md = "md"


def _err() -> Console:
    return console(stderr=True)


def _fail(error: GknbError, status: int) -> typer.Exit:
    err = _err()
    where = f"{error.path}：" if error.path else ""
    err.print(Text(f"gknb: {where}{error.message}", style="red"))
    err.print(Text(f"gknb: {error.path + ': ' if error.path else ''}{error.message_en}", style="red"))
    return typer.Exit(status)


def load_input(path: str) -> Report:
    """A checked report from a data file (JSON/YAML/XLSX, ``gknb check --json`` output) or a report file."""
    return load(path) if is_data_file(path) else read(path)


def render_command(
    input: Annotated[str, typer.Argument(metavar="INPUT", help="数据文件（.json/.yaml/.xlsx）或报告文件 / data file or report")],
    to: Annotated[Medium, typer.Option("--to", help="输出格式 / output format")] = Medium.docx,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件 / output file")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有错误级检查结果时不生成 / refuse when there are errors")] = False,
) -> None:
    """按官方格式生成年度报告（DOCX/PDF/HTML/Markdown）。Render a report in the official layout.

    退出码 exit status: 0 已生成 written; 1 --strict 下有错误 refused (errors); 2 无法读取或生成 failed.
    """
    try:
        report = load_input(input)
        content = render(report, to.value, strict=strict)
    except RenderRefused as refused:
        raise _fail(refused, 1) from None
    except GknbError as error:
        raise _fail(error, 2) from None
    target = output or Path(input).with_suffix(f".{to.value}")
    target.write_bytes(content)
    findings = report.findings
    err = _err()
    if findings:
        errors = sum(f.severity == "error" for f in findings)
        err.print(Text(f"已生成 {target}；有 {len(findings)} 条检查结果（错误 {errors} 条），已列在文件开头的提示框中。",
                       style="yellow"))
        err.print(Text(f"wrote {target}; {len(findings)} findings ({errors} errors) are listed in a notice box at the top.",
                       style="yellow"))
    else:
        err.print(Text(f"已生成 {target} / wrote {target}", style="green"))


def template_command(
    year: Annotated[int, typer.Option("--year", help="报告年度 / report year")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的 .xlsx 文件 / output workbook")] = Path("年报数据.xlsx"),
    from_: Annotated[str | None, typer.Option("--from", help="用已有数据预填 / prefill from a data file or report")] = None,
) -> None:
    """生成数据录入工作簿（Excel）。Write the Excel data-entry workbook for a report year."""
    fmt = format_for_year(year)
    if fmt is None:
        err = _err()
        first = first_unified_year()
        err.print(Text(f"gknb: {year} 年没有统一的年度报告格式（统一格式自 {first} 年起）", style="red"))
        err.print(Text(f"gknb: there is no unified report format for {year} (the formats start in {first})", style="red"))
        raise typer.Exit(2)
    try:
        report = load_input(from_) if from_ else None
    except GknbError as error:
        raise _fail(error, 2) from None
    if report is not None and report.format is not None and report.format is not fmt:
        fmt = report.format
    from ..render.workbook import build_workbook  # openpyxl only when a workbook is written

    output.write_bytes(build_workbook(fmt, year=year, report=report))
    _err().print(Text(f"已生成 {output}（{fmt.name}，{fmt.notice}）/ wrote {output} (format {fmt.version})", style="green"))


def register(app: typer.Typer) -> None:
    """Add ``render`` and ``template`` to the ``gknb`` command."""
    app.command("render")(render_command)
    app.command("template")(template_command)
