"""The ``gknb`` command: ``check`` and ``parse`` annual reports, list the ``rules``.

Output is a Chinese summary for people (``--lang en`` for English), or the JSON contract of
report-model.md (``--json``, ``--jsonl``) for programs. Exit status: 0 no error-level finding,
1 error-level findings, 2 a file could not be read at all (2 wins over 1).

``app`` runs a command line of ``check``, ``parse`` or ``rules`` that it reads whole (``quick_call``)
without Typer, whose command objects cost, built with their pydantic validators, more than checking a
small file; every other call (help, completion, usage errors, the other commands) goes to the Typer
application in ``commands``, which declares the options and their help.
"""

from __future__ import annotations

import errno
import gc
import multiprocessing
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .. import __version__

_collecting = gc.isenabled()
gc.disable()  # as while gknb loads (gknb/__init__.py): multiprocessing makes no garbage either
try:
    from ..catalogue import CATALOGUE, SEVERITY_LABELS
    from ..errors import GknbError, UnreadableFile
    from ..formats import Format
    from ..ingest.urls import is_url
    from ..pipeline import Outcome, run
    from ..report import Report
    from ..workers import DEFAULT_TIMEOUT, Workers
    from .terminal import Piece, Plain, heading, output, say
finally:
    if _collecting:
        gc.enable()
del _collecting

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".doc", ".wps", ".pdf", ".ofd", ".png", ".jpg", ".jpeg",
            ".tif", ".tiff")
SEVERITIES = ("error", "warning", "info")
STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MAX_CELLS_SHOWN = 4

UI: dict[str, dict[str, str]] = {
    "zh": {
        **{s: zh for s, (zh, _) in SEVERITY_LABELS.items()},
        "agency": "机关", "year": "年度", "template": "格式", "unknown": "未识别",
        "format_name": "{version} 版（{notice}）",
        "severity": "级别", "rule": "规则", "cells": "单元格", "message": "说明",
        "no_findings": "未发现问题。", "more_cells": "…等共 {n} 个单元格",
        "no_table": "（未找到该表的数据）", "no_format": "未识别出官方格式，没有表格数据。",
        "item": "项目", "column": "列", "value": "数值", "count_line": "错误 {error} · 警告 {warning} · 提示 {info}",
        "summary": "共 {files} 个文件：{with_errors} 个有错误，{unreadable} 个无法读取；"
                   "错误 {error} 条、警告 {warning} 条、提示 {info} 条。",
        "see_check": "共 {n} 条检查结果，用 gknb check 查看。",
        "untitled": "（无标题）", "code": "代码", "title": "名称", "stage": "阶段",
    },
    "en": {
        **{s: en for s, (_, en) in SEVERITY_LABELS.items()},
        "agency": "Agency", "year": "Year", "template": "Format", "unknown": "not recognised",
        "format_name": "{version} ({notice})",
        "severity": "Severity", "rule": "Rule", "cells": "Cells", "message": "Message",
        "no_findings": "No findings.", "more_cells": "… {n} cells in all",
        "no_table": "(no data found for this table)", "no_format": "No official format recognised: no table data.",
        "item": "Item", "column": "Column", "value": "Value", "count_line": "{error} errors · {warning} warnings · {info} info",
        "summary": "Files: {files} ({with_errors} with errors, {unreadable} unreadable). "
                   "Findings: {error} error(s), {warning} warning(s), {info} info.",
        "see_check": "{n} findings: run gknb check to see them.",
        "untitled": "(untitled)", "code": "Code", "title": "Title", "stage": "Stage",
    },
}


def table_title(fmt: Format, table_key: str, lang: str) -> str:
    """The heading of the section a table is printed in (``Format.table_heading``)."""
    return fmt.table_heading(table_key, lang)



def check_files(inputs: Sequence[str], *, json_: bool = False, jsonl: bool = False, lang: str = "zh",
                timeout: float = DEFAULT_TIMEOUT) -> int:
    """``gknb check``: read, parse and check every input, print its findings; the exit status."""
    return _run(inputs, json_, jsonl, lang, show_cells=False, timeout=timeout)


def parse_files(inputs: Sequence[str], *, json_: bool = False, jsonl: bool = False, lang: str = "zh",
                timeout: float = DEFAULT_TIMEOUT) -> int:
    """``gknb parse``: read and parse every input, print the cells of its tables; the exit status."""
    return 2 if _run(inputs, json_, jsonl, lang, show_cells=True, timeout=timeout) == 2 else 0


def print_rules(*, json_: bool = False, lang: str = "zh") -> None:
    """``gknb rules``: the catalogue of finding codes, as a table or as JSON."""
    rows = rule_rows()
    if json_:
        _write_json(rows, indent=2)
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    ui = UI[lang]
    table = Table(box=box.SIMPLE_HEAD, show_lines=False)
    table.add_column(ui["code"], no_wrap=True)
    table.add_column(ui["stage"], no_wrap=True)
    table.add_column(ui["severity"], no_wrap=True)
    table.add_column(ui["title"], overflow="fold")
    for row in rows:
        title = row["title"] if lang == "zh" else row["title_en"]
        severity = Text(ui.get(row["severity"], row["severity"]), style=STYLE.get(row["severity"], ""))
        for other in row["overrides"]:  # the documented exceptions, e.g. 警告/错误 for table.missing
            severity.append("/" + ui.get(other, other), style=STYLE.get(other, ""))
        table.add_row(row["code"], row["stage"], severity, title)
    _rich(_console()).print(table)


def rule_rows() -> list[dict[str, Any]]:
    """The catalogue as plain rows: code, stage, severity, overrides (severity → when), titles, description."""
    return [
        {"code": c.code, "stage": c.stage, "severity": c.severity, "overrides": dict(c.overrides),
         "title": c.title, "title_en": c.title_en, "description": c.description}
        for c in CATALOGUE.values()
    ]


def expand_inputs(args: Sequence[str]) -> Iterator[tuple[str, GknbError | None]]:
    """Turn arguments into report paths: files as given, directories recursively, globs expanded.

    Yields ``(path, None)`` per file, or ``(argument, error)`` when an argument names nothing readable.
    """
    seen: set[str] = set()
    for arg in args:
        if Path(arg).is_dir():
            found = _reports_under(Path(arg))
            empty = UnreadableFile(
                "目录中没有报告文件（.txt/.md/.html/.htm）", "no report files (.txt/.md/.html/.htm) in directory", arg
            )
        elif _is_pattern(arg):
            import glob  # only for a pattern

            found = []
            for match in sorted(glob.glob(arg, recursive=True)):
                found.extend(_reports_under(Path(match)) if Path(match).is_dir() else [match])
            empty = UnreadableFile("没有与通配符匹配的文件", "no files match the pattern", arg)
        else:
            found, empty = [arg], None
        if not found:
            yield arg, empty
        for path in found:
            key = os.path.normcase(os.path.abspath(path))
            if key not in seen:
                seen.add(key)
                yield path, None

def _is_pattern(arg: str) -> bool:
    """A glob pattern, unless it is a URL or a file of that very name exists (``[2021]报告.txt``)."""
    return not is_url(arg) and any(ch in arg for ch in "*?[") and not Path(arg).exists()


def _reports_under(directory: Path) -> list[str]:
    return sorted(
        str(p)
        for p in directory.rglob("*")
        if p.suffix.lower() in SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def read_one(path: str) -> Outcome:
    """Read (or download), parse and check one file or URL; any failure becomes the outcome's error, never an exception."""
    return run(path, path=path)


@dataclass(frozen=True, slots=True)
class Checked:
    """What a batch keeps of one input, written as it arrives and then dropped: its path, its error,
    its finding counts (error, warning, info) and the JSON text to write (``text``), or for the
    human-readable output the whole ``outcome`` it prints."""

    path: str
    error: GknbError | None
    counts: tuple[int, int, int]
    text: str | None = None
    outcome: Outcome | None = None


def check_one(path: str, form: str) -> Checked:
    """``read_one`` reduced to what the output ``form`` writes (``jsonl``: a JSON line, ``json``: indented
    JSON, ``human``: the outcome), so a worker sends back only that, never a whole report to pickle."""
    return _reduce(read_one(path), form)


def _reduce(outcome: Outcome, form: str) -> Checked:
    counts = Counter(f.severity for f in outcome.report.findings) if outcome.report is not None else Counter()
    three = (counts["error"], counts["warning"], counts["info"])
    if form == "human":
        return Checked(outcome.path, outcome.error, three, outcome=outcome)
    import json  # only for the JSON outputs

    text = json.dumps(outcome.as_dict(), ensure_ascii=False, indent=2 if form == "json" else None)
    return Checked(outcome.path, outcome.error, three, text=text)


def read_all(inputs: Iterable[tuple[str, GknbError | None]], timeout: float | None,
             form: str = "human") -> Iterator[Checked]:
    """``check_one`` of every input, in input order, in a worker process (forked: cheap, and it shares
    this one's setup), each within ``timeout`` seconds; with no limit (0 or None), in this process."""
    if timeout is None or timeout <= 0:
        yield from (_reduce(Outcome(path, error=error), form) if error else check_one(path, form)
                    for path, error in inputs)
        return
    fork = "fork" in multiprocessing.get_all_start_methods()
    with Workers(check_one, timeout=timeout, context="fork" if fork else "spawn") as workers:
        for path, error in inputs:
            result = _reduce(Outcome(path, error=error), form) if error else workers.call(path, form)
            if isinstance(result, GknbError):  # the worker overran (TimedOut) or died
                result.path = path
                result = _reduce(Outcome(path, error=result), form)
            yield result


def _run(files: Sequence[str], as_json: bool, as_jsonl: bool, lang: str, *, show_cells: bool,
         timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """Process every input, print each result as it comes (nothing of it is kept but its counts),
    return the exit status."""
    inputs = list(expand_inputs(files))
    single = len(files) == 1 and not Path(files[0]).is_dir() and not _is_pattern(files[0])
    err = _console(stderr=True)
    out = _console()
    machine = as_json or as_jsonl
    steps: Iterable[tuple[str, GknbError | None]] = inputs
    if machine and err.is_terminal and len(inputs) > 1:
        from rich.progress import track

        steps = track(inputs, description="gknb", console=err, transient=True)

    tally = Tally()
    for result in read_all(steps, timeout, "jsonl" if as_jsonl else "json" if as_json else "human"):
        if result.error is not None:
            _report_error(err, result)
        if as_jsonl or (as_json and single):
            _write_text(result.text or "")
        elif as_json:  # one element of the array, as json.dumps(list, indent=2) prints it
            import textwrap  # only for an array of several reports

            _write_text(("[\n" if not tally.files else ",\n") + textwrap.indent(result.text or "", "  "), end="")
        else:
            assert result.outcome is not None
            _print_outcome(out, result.outcome, lang, show_cells)
        tally.add(result)
    if as_json and not single:
        _write_text("\n]" if tally.files else "[]")
    elif not machine:
        _print_summary(out, tally, lang)
    return tally.exit_status()


@dataclass
class Tally:
    """A batch's counts: files, files with errors, unreadable files, findings by severity."""

    files: int = 0
    with_errors: int = 0
    unreadable: int = 0
    findings: Counter[str] = field(default_factory=Counter)

    def add(self, result: Checked) -> None:
        self.files += 1
        self.unreadable += result.error is not None
        self.with_errors += result.counts[0] > 0
        self.findings.update(dict(zip(SEVERITIES, result.counts, strict=True)))

    def exit_status(self) -> int:
        """2 if a file could not be read, else 1 if any report has an error-level finding, else 0."""
        return 2 if self.unreadable else 1 if self.with_errors else 0


def _console(*, stderr: bool = False) -> Console | Plain:
    return output(stderr=stderr)


def _rich(out: Console | Plain) -> Console:
    """A Rich console of ``out``'s stream (for tables)."""
    return out.rich if isinstance(out, Plain) else out


def _write_json(obj: Any, indent: int | None = None) -> None:
    import json

    _write_text(json.dumps(obj, ensure_ascii=False, indent=indent))


def _write_text(text: str, end: str = "\n") -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write((text + end).encode("utf-8"))
        buffer.flush()
    else:
        sys.stdout.write(text + end)


def _report_error(err: Console | Plain, result: Checked) -> None:
    assert result.error is not None
    say(err, (f"gknb: 无法读取 {result.path}：{result.error.message}", "red"))
    say(err, (f"gknb: cannot read {result.path}: {result.error.message_en}", "red"))


def _counts(report: Report) -> Counter[str]:
    return Counter(f.severity for f in report.findings)


def _print_outcome(out: Console | Plain, outcome: Outcome, lang: str, show_cells: bool) -> None:
    ui = UI[lang]
    heading(out, outcome.path, "bold")
    if outcome.report is None:
        assert outcome.error is not None
        say(out, (outcome.error.message if lang == "zh" else outcome.error.message_en, "red"))
        out.print()
        return
    report = outcome.report
    meta = report.meta
    fmt = report.format
    counts = _counts(report)
    if fmt is not None:
        template = ui["format_name"].format(version=fmt.version, notice=fmt.notice)
    else:
        template = ui["unknown"] if meta.template == "unknown" else meta.template
    say(out, (meta.title or ui["untitled"], "bold"))
    head: list[Piece] = []
    for label, value in ((ui["agency"], meta.agency), (ui["year"], meta.year), (ui["template"], template)):
        head.append((f"{label}：" if lang == "zh" else f"{label}: ", "dim"))
        head.append(f"{value if value is not None else '—'}    ")
    say(out, *head)
    line: list[Piece] = []
    for i, severity in enumerate(SEVERITIES):
        if i:
            line.append(" · ")
        line.append((f"{ui[severity]} {counts[severity]}" if lang == "zh" else f"{counts[severity]} {ui[severity]}",
                     STYLE[severity] if counts[severity] else "dim"))
    say(out, *line)
    if show_cells:
        _print_cells(_rich(out), report, fmt, lang)
        if report.findings:
            say(out, (ui["see_check"].format(n=len(report.findings)), "dim"))
    else:
        _print_findings(out, report, fmt, lang)
    out.print()


def _print_findings(out: Console | Plain, report: Report, fmt: Format | None, lang: str) -> None:
    ui = UI[lang]
    if not report.findings:
        say(out, (ui["no_findings"], "green"))
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column(ui["severity"], no_wrap=True)
    table.add_column(ui["rule"], no_wrap=True, style="dim")
    table.add_column(ui["cells"], ratio=2, overflow="fold")
    table.add_column(ui["message"], ratio=3, overflow="fold")
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for finding in sorted(report.findings, key=lambda f: order.get(f.severity, len(order))):
        table.add_row(
            Text(ui.get(finding.severity, finding.severity), style=STYLE.get(finding.severity, "")),
            finding.rule,
            cell_labels(fmt, finding.cells, lang),
            finding.message if lang == "zh" else finding.message_en,
        )
    _rich(out).print(table)


def cell_labels(fmt: Format | None, cells: Sequence[str], lang: str) -> str:
    """The cells of a finding as printed in the official format (``Format.cell_lines``), one line
    per table row; after ``MAX_CELLS_SHOWN`` lines the rest is counted."""
    lines = fmt.cell_lines(cells, lang) if fmt is not None else list(cells)
    if len(lines) > MAX_CELLS_SHOWN:
        lines = [*lines[:MAX_CELLS_SHOWN], UI[lang]["more_cells"].format(n=len(cells))]
    return "\n".join(lines)


def _print_cells(out: Console, report: Report, fmt: Format | None, lang: str) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    ui = UI[lang]
    if fmt is None:
        known = {k: v for k, v in report.cells.items() if v is not None}
        if not known:
            out.print(Text(ui["no_format"], style="dim"))
            return
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column(ui["cells"])
        table.add_column(ui["value"], justify="right")
        for key, value in known.items():
            table.add_row(key, str(value))
        out.print(table)
        return
    for spec in fmt.tables:
        title = table_title(fmt, spec.key, lang)
        keys = [key for key, *_ in spec.cells()]
        if all(report.cells.get(k) is None for k in keys):
            out.print(Text(f"{title} {ui['no_table']}", style="dim"))
            continue
        columns = list(dict.fromkeys(c for b in spec.blocks for c in b.columns))
        if len(spec.blocks) == 1:
            grid = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
            grid.add_column(ui["item"], overflow="ellipsis", max_width=36, no_wrap=True)
            for col in columns:
                grid.add_column(col.label if lang == "zh" else col.key, justify="right")
            group = None
            for row in spec.blocks[0].rows:
                label = row.full_label if row.group != group else f"　{row.label}"
                group = row.group
                grid.add_row(label if lang == "zh" else row.key,
                             *(_value(report.cells.get(f"{spec.key}.{row.key}.{c.key}")) for c in columns))
        else:
            grid = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
            grid.add_column(ui["item"])
            grid.add_column(ui["column"])
            grid.add_column(ui["value"], justify="right")
            for block in spec.blocks:
                for row in block.rows:
                    for i, col in enumerate(block.columns):
                        grid.add_row("" if i else row.label if lang == "zh" else row.key,
                                     col.label if lang == "zh" else col.key,
                                     _value(report.cells.get(f"{spec.key}.{row.key}.{col.key}")))
        out.print(grid)


def _value(value: object) -> Text:
    from rich.text import Text

    return Text("—", style="dim") if value is None else Text(str(value))


def _print_summary(out: Console | Plain, tally: Tally, lang: str) -> None:
    line = UI[lang]["summary"].format(
        files=tally.files, with_errors=tally.with_errors, unreadable=tally.unreadable,
        error=tally.findings["error"], warning=tally.findings["warning"], info=tally.findings["info"],
    )
    say(out, (line, "bold red" if tally.unreadable or tally.with_errors else "bold green"))


# The command lines ``app`` runs itself: option → (parameter, what it takes: "flag", its choices, or
# "seconds"), as ``commands`` declares them to Typer — tests/test_cli.py holds the two to one reading.
_FILE_OPTIONS = {"--json": ("json_", "flag"), "--jsonl": ("jsonl", "flag"), "--lang": ("lang", ("zh", "en")),
                 "--timeout": ("timeout", "seconds")}
QUICK_OPTIONS: dict[str, dict[str, tuple[str, Any]]] = {
    "check": _FILE_OPTIONS,
    "parse": _FILE_OPTIONS,
    "rules": {flag: _FILE_OPTIONS[flag] for flag in ("--json", "--lang")},
}
_QUICK_BODIES: dict[str, Callable[..., int | None]] = {"check": check_files, "parse": parse_files, "rules": print_rules}
_ENVVARS = {"timeout": "GKNB_TIMEOUT"}
_SECONDS = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")  # what Typer reads as the same float


def quick_call(argv: Sequence[str]) -> tuple[Callable[..., int | None], dict[str, Any]] | None:
    """The command ``argv`` asks for and its arguments, when it is ``check`` or ``parse`` of files or
    ``rules`` with their options spelt plainly (``--lang en`` or ``--lang=en``, flags, ``--`` before
    files), which Typer would read alike; None for any other line (help, ``--urls``, a value or an option
    Typer may refuse): Typer reads that one."""
    if not argv or argv[0] not in QUICK_OPTIONS:
        return None
    options = QUICK_OPTIONS[argv[0]]
    given: dict[str, Any] = {}
    files: list[str] = []
    tokens = iter(argv[1:])
    for token in tokens:
        if token == "--":
            files.extend(tokens)
        elif token == "-" or not token.startswith("-"):
            files.append(token)
        else:
            flag, has_value, value = token.partition("=")
            if flag not in options:
                return None
            name, takes = options[flag]
            if takes == "flag":
                if has_value:
                    return None
                given[name] = True
                continue
            if not has_value:
                value = next(tokens, None)
            if value is None or (parsed := _quick_value(takes, value)) is None:
                return None
            given[name] = parsed
    for name, variable in _ENVVARS.items():
        if name not in given and any(name == n for n, _ in options.values()) and variable in os.environ:
            if (parsed := _quick_value("seconds", os.environ[variable])) is None:
                return None
            given[name] = parsed
    if argv[0] == "rules":
        return (print_rules, given) if not files else None
    if not files or (given.get("json_") and given.get("jsonl")):
        return None
    return _QUICK_BODIES[argv[0]], {"inputs": files, **given}


def _quick_value(takes: Any, value: str) -> Any:
    if takes == "seconds":
        return float(value) if _SECONDS.fullmatch(value) else None
    return value if value in takes else None


def _run_quick(body: Callable[..., int | None], arguments: dict[str, Any]) -> NoReturn:
    """Run a command body and exit with its status, as Typer ends a command: Ctrl-C exits 130, a closed
    pipe (``gknb check … | head``) exits 1 without a traceback."""
    # What is loaded now lives until the exit: out of the collector's way, and the pages of it a forked
    # worker shares stay shared (the collector writes to every object it visits) — as the gc docs advise.
    gc.freeze()
    try:
        status = body(**arguments)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        # the reader is gone: what is still buffered goes nowhere (Python's "Note on SIGPIPE")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    sys.exit(status or 0)


class Gknb:
    """``gknb`` (``app``, the console script's entry point): a call ``quick_call`` reads runs here, any
    other call, and every attribute (``CliRunner().invoke(app, …)``), is the Typer application's."""

    def __call__(self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any) -> Any:
        argv = sys.argv[1:] if args is None else list(args)
        if argv == ["--version"]:
            _write_text(f"gknb {__version__}")
            sys.exit(0)
        # Typer's own: other arguments to main(), Windows (click expands globs there), shell completion
        quick = None if extra or os.name == "nt" or _completing() else quick_call(argv)
        if quick is not None:
            _run_quick(*quick)
        from .commands import app as typer_app

        return typer_app(args, prog_name=prog_name, **extra)

    def __getattr__(self, name: str) -> Any:
        from .commands import app as typer_app

        return getattr(typer_app, name)


def _completing() -> bool:
    """Whether a shell asks for completions (``_GKNB_COMPLETE``, as click names it after the program)."""
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


app = Gknb()


__all__ = ["Checked", "Outcome", "QUICK_OPTIONS", "app", "cell_labels", "check_files", "check_one", "expand_inputs",
           "parse_files", "print_rules", "quick_call", "read_one", "rule_rows"]
