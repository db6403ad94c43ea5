"""What every command group shares: the console, the ``--db`` option, the error exit."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from .terminal import console

DbOpt = Annotated[str | None, typer.Option("--db", help="数据库：SQLite 文件或 postgresql:// 地址 / database "
                                                       "(SQLite path or postgresql:// URL); default $GKNB_DB or gknb.db")]


def fail(message: str, message_en: str) -> typer.Exit:
    """Print a bilingual error and return the exit (status 2) to raise."""
    console(stderr=True).print(Text(f"gknb: {message} / {message_en}", style="red"))
    return typer.Exit(2)


__all__ = ["DbOpt", "console", "fail"]
