"""The consoles gknb prints to (Rich), for every command: no Typer needed to print a report."""

from __future__ import annotations

from rich.console import Console

PIPED_WIDTH = 10_000  # columns when not a terminal: tables take their natural width, messages one line


def console(stderr: bool = False) -> Console:
    """A console for people: no highlighting, long lines wrapped softly; as wide as the terminal, or as
    wide as each line needs when the output goes to a file or a pipe (never Rich's default 80 columns)."""
    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out.width = PIPED_WIDTH
    return out
