"""What every command group shares: the console, the ``--db`` option, the error exit."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

DbOpt = Annotated[str | None, typer.Option("--db", help="数据库：SQLite 文件或 postgresql:// 地址 / database "
                                                       "(SQLite path or postgresql:// URL); default $GKNB_DB or gknb.db")]


PIPED_WIDTH = 10_000  # columns when not a terminal: tables take their natural width, messages one line


def console(stderr: bool = False) -> Console:
    """A console for people: no highlighting, long lines wrapped softly; as wide as the terminal, or as
    wide as each line needs when the output goes to a file or a pipe (never Rich's default 80 columns)."""
    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out.width = PIPED_WIDTH
    return out


def fail(message: str, message_en: str) -> typer.Exit:
    """Print a bilingual error and return the exit (status 2) to raise."""
    console(stderr=True).print(Text(f"gknb: {message} / {message_en}", style="red"))
    return typer.Exit(2)
