"""Markdown: setext headings, paragraphs and pipe tables (a merged cell once, empty cells over its span).

Setext headings (a line of ``=`` or ``-`` under the text) keep the heading text bare on its line, as
the text reader expects of a report; ``#`` prefixes would become part of the heading's text.
"""

from __future__ import annotations

from .grid import Grid
from .page import NOTICE_TITLE, Page


def grid_markdown(grid: Grid) -> list[str]:
    """The grid as pipe-table lines; the rule row follows the first grid row."""
    lines = []
    for i, row in enumerate(grid.matrix()):
        lines.append("| " + " | ".join(_cell(c.text) if c else "" for c in row) + " |")
        if i == 0:
            lines.append("|" + "---|" * grid.width)
    return lines


def render_markdown(page: Page) -> bytes:
    """The whole report as UTF-8 Markdown."""
    lines: list[str] = []
    if page.notice:
        lines += [f"> **{NOTICE_TITLE}**", ">"]
        lines += [f"> {line}  " for line in page.notice]
        lines.append("")
    lines += [page.title, "=" * 2 * len(page.title), ""]
    for part in page.sections:
        lines += [part.heading, "-" * 2 * len(part.heading), ""]
        for paragraph in part.paragraphs:
            lines += [paragraph, ""]
        if part.grid is not None:
            lines += [*grid_markdown(part.grid), ""]
    lines += [line + "  " for line in page.signature]
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")
