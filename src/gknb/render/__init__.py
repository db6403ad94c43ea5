"""Author reports: render a ``Report`` in the official layout of its format (DOCX, PDF, HTML, Markdown),
and the Excel data-entry workbook (``render.workbook``).

>>> from gknb.data import load
>>> from gknb.render import render
>>> Path("报告.docx").write_bytes(render(load("年报数据.xlsx"), "docx"))

A report with findings gets a notice box listing them; ``strict=True`` refuses (``RenderRefused``)
when any is an error.
"""

from __future__ import annotations

from ..report import Report
from .html import render_html
from .markdown import render_markdown
from .page import Page, RenderError, RenderRefused, build_page

MEDIA = ("docx", "html", "pdf", "md")


def render(report: Report, to: str, *, strict: bool = False) -> bytes:
    """The report as a file of medium ``to`` (one of ``MEDIA``). Raises ``RenderError``/``RenderRefused``."""
    if to not in MEDIA:
        raise ValueError(f"unknown medium {to!r}; one of {MEDIA}")
    page = build_page(report, strict=strict)
    if to == "md":
        return render_markdown(page)
    if to == "html":
        return render_html(page)
    from .docx import render_docx

    if to == "docx":
        return render_docx(page)
    from .pdf import docx_to_pdf

    return docx_to_pdf(render_docx(page, installed_fonts=True))


__all__ = ["MEDIA", "Page", "RenderError", "RenderRefused", "build_page", "render"]
