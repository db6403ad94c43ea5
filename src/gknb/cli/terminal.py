"""The consoles gknb prints to (Rich), for every command: no Typer needed to print a report."""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.rule import Rule

PIPED_WIDTH = 10_000  # columns when not a terminal: tables take their natural width, messages one line
HEADING_WIDTH = 100  # a heading's rule when not a terminal (not PIPED_WIDTH dashes)


def console(stderr: bool = False) -> Console:
    """A console for people: no highlighting, long lines wrapped softly; as wide as the terminal, or as
    wide as each line needs when the output goes to a file or a pipe (never Rich's default 80 columns)."""
    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out.width = PIPED_WIDTH
    return out


def heading(out: Console, title: RenderableType | str) -> None:
    """A heading rule (the file or section a block of output is about): the terminal's width, or
    ``HEADING_WIDTH`` columns when the output goes to a file or a pipe."""
    out.print(Rule(title, align="left"), width=out.width if out.is_terminal else min(out.width, HEADING_WIDTH))
