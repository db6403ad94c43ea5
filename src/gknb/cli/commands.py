"""The ``gknb`` command line as Typer declares it: the main command (its help, ``--version``, the command
list), the options of ``check``, ``parse`` and ``rules``, and the command groups, built one by one.

``gknb.cli.app`` runs the common calls of ``check``, ``parse`` and ``rules`` itself (``QUICK_OPTIONS``)
and hands every other call here: help, shell completion, usage errors, every other command.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import typer.core
import typer.main

from .. import __version__
from ..ingest.urls import url_list
from ..workers import DEFAULT_TIMEOUT
from . import check_files, parse_files, print_rules

if TYPE_CHECKING:
    from typer import _click as click

# The command groups, one module each, each with ``register(app)``; imported only when a command of
# theirs runs or the command list is shown (``gknb check`` pays for no database, web or spreadsheet).
GROUP_MODULES = (
    "author",  # render, template
    "store",  # ingest, agency, compare, stats, export, import
    "web",  # serve, user, token
    "queue",  # worker (distributed ingest)
    "review",  # roster, score, notice, overview
)


class _LazyGroups(typer.core.TyperGroup):
    """The main command, whose commands are built (their options resolved, which costs more than the
    work of a small file) only when one runs or the list is shown; ``GROUP_MODULES`` are imported one by
    one until the asked-for command is found."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for source in _sources():
                built = _build(source, cmd_name)
                if built is not None:
                    self.add_command(built, cmd_name)
                    break
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for source in _sources(every=True):
            for name in _names(source):
                self.get_command(ctx, name)
        return list(self.commands)


def _sources(every: bool = False) -> Iterator[typer.Typer]:
    """The Typer applications holding the commands: this module's, then each group module's."""
    yield commands
    for module in GROUP_MODULES:
        if module not in _GROUPS:
            _GROUPS[module] = typer.Typer()
            importlib.import_module(f"{__package__}.{module}").register(_GROUPS[module])
        yield _GROUPS[module]


def _names(source: typer.Typer) -> list[str]:
    return [info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]
            for info in source.registered_commands] + [str(info.name) for info in source.registered_groups]


def _build(source: typer.Typer, name: str) -> click.Command | None:
    """The click command ``name`` of ``source``, built alone (None when ``source`` has no such command)."""
    if name not in _names(source):
        return None
    alone = typer.Typer()
    alone.registered_commands = [info for info in source.registered_commands if
                                 (info.name or typer.main.get_command_name(info.callback.__name__)) == name]  # type: ignore[union-attr]
    alone.registered_groups = [info for info in source.registered_groups if info.name == name]
    return typer.main.get_group(alone).commands[name]


_GROUPS: dict[str, typer.Typer] = {}


class Lang(StrEnum):
    zh = "zh"
    en = "en"


app = typer.Typer(
    name="gknb",
    help="公开年报 gknb：政府信息公开工作年度报告的读取、解析与检查。"
    " Government information disclosure annual reports: read, parse, check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_LazyGroups,
)
commands = typer.Typer()  # this module's commands (check, parse, rules), built only when one runs

FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="FILE",
        help="报告文件、目录（递归查找 .txt/.md/.html/.htm）、通配符或网址 / report files, directories, glob patterns"
        " or http(s) URLs",
        show_default=False,
    ),
]
UrlsOpt = Annotated[
    Path | None,
    typer.Option("--urls", help="网址列表文件：每行一个，# 开头为注释 / a file of URLs, one a line, # comments",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（多个文件时为数组）/ JSON output (an array for several files)")]
JsonlOpt = Annotated[bool, typer.Option("--jsonl", help="每行一个 JSON 对象 / one JSON object per line")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="输出语言 / language of the output")]
TimeoutOpt = Annotated[float, typer.Option(
    "--timeout", envvar="GKNB_TIMEOUT", metavar="SECONDS",
    help="每个文件的时间限制（秒），超时则该文件失败，0 为不限 / time limit per file; a file over it fails; 0: none")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gknb {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本 / show the version")
    ] = False,
) -> None:
    """公开年报 gknb：政府信息公开工作年度报告的读取、解析与检查。

    Government information disclosure annual reports: read, parse, check.
    """


@commands.command()
def check(files: FilesArg = None, json_: JsonOpt = False, jsonl: JsonlOpt = False, lang: LangOpt = Lang.zh,
          urls: UrlsOpt = None, timeout: TimeoutOpt = DEFAULT_TIMEOUT) -> None:
    """检查报告：表格勾稽关系、格式与内容问题。Check reports: identities, format and content findings.

    退出码 exit status: 0 无错误 no error-level finding; 1 有错误 error-level findings; 2 有文件无法读取 a file could not be read.
    """
    _one_form(json_, jsonl)
    raise typer.Exit(check_files(_inputs(files, urls), json_=json_, jsonl=jsonl, lang=lang.value, timeout=timeout))


@commands.command()
def parse(files: FilesArg = None, json_: JsonOpt = False, jsonl: JsonlOpt = False, lang: LangOpt = Lang.zh,
          urls: UrlsOpt = None, timeout: TimeoutOpt = DEFAULT_TIMEOUT) -> None:
    """解析报告并显示三张统计表的数据。Parse reports and show the cells of the three tables.

    退出码 exit status: 0 全部读取 all files read; 2 有文件无法读取 a file could not be read.
    """
    _one_form(json_, jsonl)
    raise typer.Exit(parse_files(_inputs(files, urls), json_=json_, jsonl=jsonl, lang=lang.value, timeout=timeout))


@commands.command()
def rules(json_: JsonOpt = False, lang: LangOpt = Lang.zh) -> None:
    """列出所有检查结果代码（代码、阶段、级别、名称）。List every finding code (code, stage, severity, title)."""
    print_rules(json_=json_, lang=lang.value)


def _one_form(as_json: bool, as_jsonl: bool) -> None:
    if as_json and as_jsonl:
        raise typer.BadParameter("--json 与 --jsonl 只能选一个 / choose either --json or --jsonl")


def _inputs(files: Sequence[str] | None, urls: Path | None) -> list[str]:
    """The FILE arguments followed by the entries of the ``--urls`` list."""
    inputs = list(files or [])
    if urls is not None:
        try:
            inputs += url_list(urls.read_text(encoding="utf-8-sig").splitlines())
        except UnicodeDecodeError:
            raise typer.BadParameter(f"网址列表 {urls} 不是 UTF-8 文本 / the URL list {urls} is not UTF-8 text") from None
        except OSError:
            raise typer.BadParameter(f"无法打开网址列表 {urls}（不存在或无权读取） / cannot open the URL list {urls} "
                                     "(missing or not readable)") from None
    if not inputs:
        raise typer.BadParameter("没有要处理的文件或网址 / no files or URLs given")
    return inputs
