"""The consoles gknb prints to (Rich), for every command: no Typer needed to print a report.

``console`` is a Rich console. ``output`` is what ``check``, ``parse`` and ``rules`` print to: a Rich
console on a terminal, else a ``Plain`` one, which writes the lines Rich would print unchanged (plain
text that needs no layout: ``say``, ``heading``) itself and hands everything else (tables, text Rich
would alter) to a Rich console made on first use, so a one-file ``gknb check … > file`` of a report with
no findings does not load Rich at all (its import cost about as much as checking the report).
"""

from __future__ import annotations

import builtins
import os
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

PIPED_WIDTH = 10_000  # columns when not a terminal: tables take their natural width, messages one line
HEADING_WIDTH = 100  # a heading's rule when not a terminal (not PIPED_WIDTH dashes)
RULE = "─"  # the character of Rich's rule (box drawing, in a UTF encoding)

Piece = str | tuple[str, str]  # a run of text, or (text, Rich style) for a terminal


def console(stderr: bool = False) -> Console:
    """A console for people: no highlighting, long lines wrapped softly; as wide as the terminal, or as
    wide as each line needs when the output goes to a file or a pipe (never Rich's default 80 columns)."""
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out.width = PIPED_WIDTH
    return out


def output(stderr: bool = False) -> Console | Plain:
    """The console of ``check``/``parse``/``rules``: ``Plain`` where Rich would not see a terminal (a file,
    a pipe, a test's captured stream) and would write plain text, else Rich's ``console``."""
    stream = sys.stderr if stderr else sys.stdout
    return Plain(stderr) if _plain_stream(stream) else console(stderr)


def _plain_stream(stream: IO[str] | None) -> bool:
    """Whether Rich would write to ``stream`` as to no terminal, with its rule in box drawing: not a tty
    (as ``Console.is_terminal`` decides, environment included), a UTF encoding, no Jupyter or IDLE."""
    if stream is None or hasattr(stream, "rich_proxied_file") or hasattr(builtins, "get_ipython"):
        return False
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return False
    if not (getattr(stream, "encoding", "utf-8") or "utf-8").lower().startswith("utf"):
        return False
    compatible, force = os.environ.get("TTY_COMPATIBLE", ""), os.environ.get("FORCE_COLOR")
    if compatible in ("0", "1") or force is not None:  # Rich's overrides of isatty, in its order
        return compatible == "0" or (compatible != "1" and force == "")
    try:
        return not stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed: Rich says no terminal too
        return True


def _width(text: str) -> int | None:
    """The columns Rich gives ``text`` when every character is one it measures so (printable ASCII: 1;
    CJK ideographs and full-width forms: 2); None for any other character (Rich measures those)."""
    width = 0
    for char in text:
        code = ord(char)
        if 0x20 <= code < 0x7F:
            width += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3001 <= code <= 0x3029 or 0xFF01 <= code <= 0xFF60:
            width += 2
        else:
            return None
    return width


class Plain:
    """A console for a file or a pipe: what Rich prints there for a line of plain text is the text and a
    newline (no colour, no wrapping at ``PIPED_WIDTH``), written here directly; any other renderable,
    and text Rich would change (tabs, control characters, lines as long as the width), goes to ``rich``."""

    is_terminal = False
    width = PIPED_WIDTH

    def __init__(self, stderr: bool = False):
        self.stderr = stderr
        self._rich: Console | None = None

    @property
    def file(self) -> IO[str]:
        return sys.stderr if self.stderr else sys.stdout

    @property
    def rich(self) -> Console:
        """The Rich console of the same stream, made when first needed."""
        if self._rich is None:
            self._rich = console(self.stderr)
        return self._rich

    def print(self, *renderables: RenderableType) -> None:
        """``Console.print`` of renderables (an empty call: a blank line)."""
        if not renderables:
            self.file.write("\n")
        else:
            self.rich.print(*renderables)

    def say(self, pieces: tuple[Piece, ...]) -> None:
        text = "".join(p if isinstance(p, str) else p[0] for p in pieces)
        if text.isprintable() and len(text) * 2 < PIPED_WIDTH:
            self.file.write(text + "\n")
        else:
            self.rich.print(styled(pieces))

    def heading(self, title: str, style: str) -> None:
        width = _width(title)
        if width and width <= HEADING_WIDTH - 2:  # a title Rich would not shorten
            self.file.write(f"{title} {RULE * (HEADING_WIDTH - width - 1)}\n")
        else:
            _rich_heading(self.rich, styled(((title, style),)))


def styled(pieces: tuple[Piece, ...]) -> RenderableType:
    """The pieces as one Rich ``Text``, each run in its style."""
    from rich.text import Text

    text = Text()
    for piece in pieces:
        text.append(*((piece,) if isinstance(piece, str) else piece))
    return text


def say(out: Console | Plain, *pieces: Piece) -> None:
    """Print one line made of ``pieces`` (text, or (text, style)), as a Rich ``Text`` of them prints."""
    if isinstance(out, Plain):
        out.say(pieces)
    else:
        out.print(styled(pieces))


def heading(out: Console | Plain, title: RenderableType | str, style: str = "") -> None:
    """A heading rule (the file or section a block of output is about): the terminal's width, or
    ``HEADING_WIDTH`` columns when the output goes to a file or a pipe. A ``str`` title is text in
    ``style`` (for a Rich console, markup like any string it prints, unless a style is given)."""
    if isinstance(out, Plain) and isinstance(title, str) and style:
        out.heading(title, style)
        return
    if isinstance(title, str) and style:
        title = styled(((title, style),))
    _rich_heading(out.rich if isinstance(out, Plain) else out, title)


def _rich_heading(out: Console, title: RenderableType | str) -> None:
    from rich.rule import Rule

    out.print(Rule(title, align="left"), width=out.width if out.is_terminal else min(out.width, HEADING_WIDTH))
