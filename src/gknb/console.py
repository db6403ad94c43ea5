"""The command line's Rich console: as wide as the terminal, or as wide as each line needs when the
output goes to a file or a pipe (never squeezed into Rich's default 80 columns)."""

from __future__ import annotations

from rich.console import Console

PIPED_WIDTH = 10_000  # columns when not a terminal: tables take their natural width, messages one line


def console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr) without highlighting, full width when not a terminal."""
    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out.width = PIPED_WIDTH
    return out
