"""HTML: one self-contained A4 page with the official tables (rowspan/colspan) and print CSS."""

from __future__ import annotations

from html import escape

from .grid import Grid
from .page import NOTICE_TITLE, Page
from .typography import BODY, HEADING, TABLE, TITLE, css_family

CSS = f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
body {{ font-family: {css_family(BODY)}; font-size: 16pt; line-height: 28pt; max-width: 156mm;
       margin: 2em auto; color: #000; }}
h1 {{ font-family: {css_family(TITLE)}; font-size: 22pt; line-height: 1.4; font-weight: normal;
     text-align: center; margin: 0 0 28pt; }}
h2 {{ font-family: {css_family(HEADING)}; font-size: 16pt; font-weight: normal; margin: 0;
     text-indent: 2em; }}
p {{ margin: 0; text-indent: 2em; text-align: justify; }}
p.signature {{ text-align: right; text-indent: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 8pt 0 14pt; font-family: {css_family(TABLE)};
        font-size: 10.5pt; line-height: 1.35; page-break-inside: auto; }}
table.wide {{ font-size: 9pt; }}
td, th {{ border: 0.5pt solid #000; padding: 2pt 3pt; text-align: center; vertical-align: middle;
         font-weight: normal; }}
td.label {{ text-align: left; }}
tr {{ page-break-inside: avoid; }}
.notice {{ border: 1.5pt solid #b00; background: #fff4e5; padding: 6pt 10pt; margin-bottom: 18pt;
          font-family: {css_family(HEADING)}; font-size: 11pt; line-height: 1.5; }}
.notice p {{ text-indent: 0; }}
.notice .head {{ color: #b00; font-weight: bold; }}
@media print {{ .notice {{ break-inside: avoid; }} }}
"""


def grid_html(grid: Grid) -> str:
    """The grid as an HTML table; header and caption cells are ``th``."""
    wide = " wide" if grid.width > 6 else ""
    parts = [f'<table class="{grid.table.key}{wide}">']
    for index, row in enumerate(grid.rows()):
        if index == grid.header_rows and index:
            parts.append("</thead><tbody>")
        if index == 0:
            parts.append("<thead>" if grid.header_rows else "<tbody>")
        cells = []
        for cell in row:
            tag = "th" if cell.role in ("caption", "header") else "td"
            attrs = f' rowspan="{cell.rowspan}"' * (cell.rowspan > 1) + f' colspan="{cell.colspan}"' * (cell.colspan > 1)
            css = ' class="label"' if cell.role == "label" else ""
            cells.append(f"<{tag}{attrs}{css}>{escape(cell.text)}</{tag}>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def render_html(page: Page) -> bytes:
    """The whole report as a UTF-8 HTML page."""
    body = []
    if page.notice:
        body.append('<div class="notice" role="note">')
        body.append(f'<p class="head">{escape(NOTICE_TITLE)}</p>')
        body += [f"<p>{escape(line)}</p>" for line in page.notice]
        body.append("</div>")
    body.append(f"<h1>{escape(page.title)}</h1>")
    for part in page.sections:
        body.append(f"<h2>{escape(part.heading)}</h2>")
        body += [f"<p>{escape(p)}</p>" for p in part.paragraphs]
        if part.grid is not None:
            body.append(grid_html(part.grid))
    body += [f'<p class="signature">{escape(line)}</p>' for line in page.signature]
    html = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(page.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    return html.encode("utf-8")
