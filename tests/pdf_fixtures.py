"""PDF and scan fixtures for the PDF and OCR tests, made once per session in a temporary folder.

Random consistent reports (``layouts.random_report``) printed in the ``html`` layout (official merged
tables, ``border="1"``) and converted by LibreOffice in two ways: ``web`` (Writer/Web export) and
``writer`` (Writer import with a running header and a ``- N -`` page-number footer, another
typography), and ``official``: ``gknb.render`` (the official layout and typography, DOCX → PDF) of the
report read from the same HTML. ``borderless`` is the ``web`` PDF of the same HTML with its tables' borders removed.
Scans rasterise a PDF at 200 dpi, turn each page slightly and add noise.

``layout_cases()``: Word documents as users make them — the project's own DOCX (``gknb.render``) of a
random report with long sections, edited the way real ones differ, then converted by LibreOffice:
``narrow`` (label columns 12 mm wide, so labels wrap every 2–4 characters and the numbers sit on a
line of their own; rows may split at a page break, headers repeat on each page), ``hrules`` (the
same with only horizontal borders) and ``unruled`` (no borders at all).
"""

from __future__ import annotations

import atexit
import io
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import gknb
from gknb.formats import FORMATS
from gknb.render import render as render_report
from layouts import random_report, render

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
HEADER = "本机关政府信息公开专栏"
_FOOTER = '<p align="center">- <sdfield type=PAGE subtype=RANDOM format=PAGE>1</sdfield> -</p>'
VARIANTS = ("web", "writer", "official", "borderless")


@dataclass(frozen=True)
class PdfCase:
    version: str
    variant: str
    path: Path
    truth: dict[str, int | Decimal | None]  # blank cells are None


@cache
def _workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="gknb-pdf-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _convert(htmls: list[Path], writer: bool) -> None:
    profile = _workdir() / "lo-profile"
    command = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless"]
    if writer:
        command += ["--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export"]
    else:
        command += ["--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(htmls[0].parent), *map(str, htmls)],
                   check=True, capture_output=True, timeout=300)


@cache
def pdf_cases() -> tuple[PdfCase, ...]:
    """Both format versions × the three variants, five blank cells each."""
    work = _workdir()
    cases: list[PdfCase] = []
    groups: dict[bool, list[Path]] = {False: [], True: []}
    for version, seed in (("2021", 21), ("2019", 19)):
        fmt = FORMATS[version]
        rnd = random.Random(seed)
        cells = random_report(fmt, rnd)
        blanks = set(rnd.sample(sorted(cells), 5))
        html = render(fmt, cells, "html", rnd, blanks=blanks)
        truth = {k: (None if k in blanks else v) for k, v in cells.items()}
        pages = {
            "web": html,
            "writer": html.replace("<body>", f'<body><div title="header"><p>{HEADER}</p></div>'
                                             f'<div title="footer">{_FOOTER}</div>', 1),
            "borderless": html.replace('border="1"', 'border="0"'),
        }
        cases.append(PdfCase(version, "official", work / f"{version}-official.pdf", truth))
        for variant, text in pages.items():
            path = work / f"{version}-{variant}.html"
            path.write_text(text, encoding="utf-8")
            groups[variant == "writer"].append(path)
            cases.append(PdfCase(version, variant, path.with_suffix(".pdf"), truth))
    for writer, htmls in groups.items():
        _convert(htmls, writer)
    for case in cases:
        if case.variant == "official":
            report = gknb.read(work / f"{case.version}-web.html")
            case.path.write_bytes(render_report(report, "pdf"))
    return tuple(cases)


def pdf_case(version: str, variant: str) -> PdfCase:
    return next(c for c in pdf_cases() if c.version == version and c.variant == variant)


def scan_images(path: Path, seed: int) -> list:
    """The pages of a PDF as noisy, slightly turned 200-dpi greyscale images (PIL)."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    noise = np.random.default_rng(seed)
    images = []
    pdf = pdfium.PdfDocument(path)
    for index in range(len(pdf)):
        image = pdf[index].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(rnd.uniform(-1.0, 1.0), resample=Image.BICUBIC, fillcolor=255)
        pixels = np.asarray(image).astype(np.float32) + noise.normal(0, 10, (image.height, image.width))
        pixels[noise.random(pixels.shape) < 0.0003] = 0  # dust
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))
        images.append(image)
    pdf.close()
    return images


LAYOUT_VARIANTS = ("narrow", "hrules", "unruled")
_LABEL_MM = 12.0


def _edit_tables(raw: bytes, borders: str, narrow_labels: bool = True) -> bytes:
    """The DOCX with every table's label columns narrowed to ``_LABEL_MM`` (the width going to the
    value columns; not without ``narrow_labels``), rows allowed to split across pages, and ``borders``
    all / horizontal / none."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(raw))
    for table in document.tables:
        tbl = table._tbl
        columns = tbl.tblGrid.findall(qn("w:gridCol"))
        widths = [int(c.get(qn("w:w"))) for c in columns]
        value = widths[-1]  # the value columns: the equal trailing ones; the label columns lead
        labels = list(range(next(i for i, w in enumerate(widths) if abs(w - value) <= 0.05 * value)))
        narrow = int(_LABEL_MM * 1440 / 25.4)
        spare = (sum(widths) - narrow * len(labels)) / max(len(widths) - len(labels), 1)
        for i, column in enumerate(columns):
            if labels and narrow_labels:
                column.set(qn("w:w"), str(narrow if i in labels else int(spare)))
        for width in list(tbl.iter(qn("w:tcW")) if narrow_labels else ()):
            width.getparent().remove(width)
        for keep in list(tbl.iter(qn("w:cantSplit"))):
            keep.getparent().remove(keep)
        if borders != "all":
            for old in tbl.tblPr.findall(qn("w:tblBorders")):
                tbl.tblPr.remove(old)
            edges = OxmlElement("w:tblBorders")
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                edge = OxmlElement(f"w:{side}")
                drawn = borders == "horizontal" and side in ("top", "bottom", "insideH")
                edge.set(qn("w:val"), "single" if drawn else "nil")
                if drawn:
                    edge.set(qn("w:sz"), "4")
                    edge.set(qn("w:color"), "000000")
                edges.append(edge)
            tbl.tblPr.append(edges)
            for cell_borders in list(tbl.iter(qn("w:tcBorders"))):
                cell_borders.getparent().remove(cell_borders)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def layout_cases() -> tuple[PdfCase, ...]:
    """Both format versions × ``LAYOUT_VARIANTS``, four blank cells each, converted in one run."""
    from gknb.document import Source
    from gknb.report import Meta, Report

    work = _workdir() / "layouts"
    work.mkdir(exist_ok=True)
    cases: list[PdfCase] = []
    docs: list[Path] = []
    for version, seed in (("2021", 3), ("2019", 10)):
        fmt = FORMATS[version]
        rnd = random.Random(seed)
        cells = random_report(fmt, rnd)
        blanks = set(rnd.sample(fmt.cell_keys(), 4))
        truth = {k: (None if k in blanks else v) for k, v in cells.items()}
        report = Report(source=Source("x.json", "0" * 64, "json"), meta=Meta(agency="青山县民政局", year=fmt.years[0] + 1))
        report.meta.template = version
        report.cells = dict(truth)
        report.sections = {k: "本年度工作情况。" * rnd.randint(20, 60) for k in report.sections}
        raw = render_report(report, "docx")
        for variant, borders in zip(LAYOUT_VARIANTS, ("all", "horizontal", "none"), strict=True):
            path = work / f"{version}-{variant}.docx"
            path.write_bytes(_edit_tables(raw, borders))
            docs.append(path)
            cases.append(PdfCase(version, variant, path.with_suffix(".pdf"), truth))
    profile = _workdir() / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), *map(str, docs)], check=True, capture_output=True, timeout=300)
    return tuple(cases)


def layout_case(version: str, variant: str) -> PdfCase:
    return next(c for c in layout_cases() if c.version == version and c.variant == variant)


# --------------------------------------------------------------------------------------------------
# Other PDF producers: the published page printed by a browser, other HTML → PDF writers, Word-like tables
# --------------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PRODUCERS = ("chromium", "weasyprint", "soffice-html", "word-like", "digits", "digits-unruled", "word-hrules",
             "word-unruled", "word-landscape", "word-fonts")
"""
============  ==================================================================================
producer      what it is
============  ==================================================================================
chromium      the report's web page (``gknb.render`` HTML with a portal's chrome around it: tool bars,
              分享到, 打印本页/关闭窗口, 【字体：大 中 小】, 责任编辑, 扫一扫, 相关链接, footer) printed
              by Debian chromium headless ``--print-to-pdf``, as a user's 打印 → 另存为 PDF does: the
              browser's own header (date, title) and footer (address, ``N/M``) on every page
weasyprint    the same page by WeasyPrint (another PDF writer: pydyf, its own line breaking)
soffice-html  the same page by LibreOffice Writer/Web (``soffice --convert-to pdf`` of the .html): CSS
              borders lost, so the tables print without rules, in LibreOffice's HTML typography
word-like     the official DOCX with the table properties Word writes (fixed layout, fixed column
              widths, 0.19 cm cell margins, the header rows repeated on each page, rows allowed to
              break across pages) and a 第 N 页 共 M 页 footer, converted by LibreOffice
digits        the same with every count ×137 and the value columns 6.5 mm wide: numbers wrap inside
              their cells, digit by digit (``1`` / ``3`` / ``7``)
digits-unruled  the same without any border: the digits of a number stand on lines of their own,
              the row's label beside one of them
word-hrules   word-like with the borders a 三线表 style keeps: only the horizontal ones (top, bottom,
              between rows), the columns left to the text's positions
word-unruled  word-like with no border at all (a table style "无框线"), header rows repeated
word-landscape  word-like on landscape A4 pages (a wide table's section turned), header rows not
              repeated: a table split by the page continues with its body rows alone
word-fonts    word-like naming the fonts a Windows document names (宋体 and Times New Roman in the
              tables, 仿宋_GB2312 body, 黑体 headings, 方正小标宋 title), none installed here:
              LibreOffice's fallbacks (Noto CJK, Liberation) set the text with other metrics
============  ==================================================================================
"""

_CHROME_TOP = (
    '<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <span>无障碍</span></div>'
    '<div class="crumb">您当前所在位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 年度报告</div>'
    '<div class="tools">【字体：<a>大</a> <a>中</a> <a>小</a>】 浏览次数：1234 '
    '<span>扫一扫在手机打开当前页</span></div>'
)
_CHROME_BOTTOM = (
    '<div class="share">分享到：微信 微博 QQ空间</div>'
    '<div class="tools">【打印本页】 【关闭窗口】</div>'
    '<p>责任编辑：王小明</p>'
    '<div class="related"><h3>相关链接</h3><ul><li>2022年政府信息公开工作年度报告</li>'
    '<li>政府信息公开指南</li></ul></div>'
    '<div class="footer"><p>主办单位：{agency}办公室 网站标识码：3301000001</p>'
    '<p>浙ICP备12345678号-1 浙公网安备 33010002000001号</p></div>'
)


def published_page(html: str, agency: str) -> str:
    """A rendered report as a portal publishes it: the chrome of a real government site around it."""
    body = html.index(">", html.index("<body")) + 1
    end = html.rindex("</body>")
    return html[:body] + _CHROME_TOP + html[body:end] + _CHROME_BOTTOM.format(agency=agency) + html[end:]


def _word_like(raw: bytes, value_mm: float | None, repeat_header: bool = True, landscape: bool = False) -> bytes:
    """The DOCX with the table properties Word writes (see ``PRODUCERS``); ``value_mm``: value
    columns that narrow, the label columns taking the rest; ``repeat_header``: header rows marked to
    repeat on each page; ``landscape``: the pages turned (and the tables widened to the new width)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def element(tag: str, **attrs: str):
        node = OxmlElement(tag)
        for name, value in attrs.items():
            node.set(qn(f"w:{name}"), value)
        return node

    document = docx.Document(io.BytesIO(raw))
    for table in document.tables:
        tbl = table._tbl
        props = tbl.tblPr
        for tag in ("w:tblLayout", "w:tblCellMar"):
            for old in props.findall(qn(tag)):
                props.remove(old)
        props.append(element("w:tblLayout", type="fixed"))
        margins = element("w:tblCellMar")
        for side, width in (("top", "0"), ("left", "108"), ("bottom", "0"), ("right", "108")):
            margins.append(element(f"w:{side}", w=width, type="dxa"))
        props.append(margins)
        columns = tbl.tblGrid.findall(qn("w:gridCol"))
        widths = [int(c.get(qn("w:w"))) for c in columns]
        if value_mm is not None:
            value = widths[-1]
            values = [i for i, w in enumerate(widths) if abs(w - value) <= 0.05 * value]
            narrow = int(value_mm * 1440 / 25.4)
            spare = (sum(widths) - narrow * len(values)) / max(len(widths) - len(values), 1)
            widths = [narrow if i in values else int(spare) for i in range(len(widths))]
            for column, width in zip(columns, widths, strict=True):
                column.set(qn("w:w"), str(width))
        header = True
        for row in tbl.tr_lst:
            position = 0
            for tc in row.tc_lst:
                span = tc.grid_span
                pr = tc.get_or_add_tcPr()
                for old in pr.findall(qn("w:tcW")):
                    pr.remove(old)
                pr.insert(0, element("w:tcW", w=str(sum(widths[position: position + span])), type="dxa"))
                position += span
            trpr = row.get_or_add_trPr()
            for keep in trpr.findall(qn("w:cantSplit")):
                trpr.remove(keep)
            header = header and not any(ch.isdigit() for ch in "".join(t.text for t in row.iter(qn("w:t"))))
            if header and repeat_header:
                trpr.append(element("w:tblHeader"))
    section = document.sections[0]
    if landscape:
        from docx.enum.section import WD_ORIENT

        width, height = section.page_width, section.page_height
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        scale = (height - section.left_margin - section.right_margin) / (width - section.left_margin
                                                                         - section.right_margin)
        for width_node in document.element.body.iter(qn("w:gridCol"), qn("w:tcW")):
            if width_node.get(qn("w:w")):
                width_node.set(qn("w:w"), str(int(int(width_node.get(qn("w:w"))) * scale)))
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    paragraph._p.append(element("w:fldSimple", instr="PAGE"))
    paragraph.add_run(" 页 共 ")
    paragraph._p.append(element("w:fldSimple", instr="NUMPAGES"))
    paragraph.add_run(" 页")
    for field in paragraph._p.findall(qn("w:fldSimple")):
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _windows_fonts(raw: bytes) -> bytes:
    """The DOCX naming the fonts a Windows document names (see ``PRODUCERS``: word-fonts)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(raw))
    names = {"仿宋_GB2312": ("Times New Roman", "宋体"), "Noto Serif CJK SC": ("Times New Roman", "宋体"),
             "黑体": ("Arial", "黑体"), "Noto Sans CJK SC": ("Arial", "黑体")}
    for root in (document.styles.element, document.element):
        for fonts in root.iter(qn("w:rFonts")):
            latin, east = names.get(fonts.get(qn("w:eastAsia")) or "", ("Times New Roman", "方正小标宋简体"))
            for attr in ("ascii", "hAnsi", "cs"):
                fonts.set(qn(f"w:{attr}"), latin)
            fonts.set(qn("w:eastAsia"), east)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _scaled(report, truth: dict, factor: int) -> dict:
    """Every count of ``truth`` × ``factor`` (the identities still hold), written into ``report``."""
    scaled = {k: (v * factor if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in truth.items()}
    report.cells = dict(scaled)
    return scaled


@cache
def producer_cases() -> tuple[PdfCase, ...]:
    """Both format versions × ``PRODUCERS`` (the producers available here), five blank cells each."""
    import weasyprint  # the test extra's HTML → PDF writer

    from converters import truth_report
    from gknb.render.docx import render_docx
    from gknb.render.page import build_page

    work = _workdir() / "producers"
    work.mkdir(exist_ok=True)
    cases: list[PdfCase] = []
    htmls: list[Path] = []
    docs: list[Path] = []
    for version, seed in (("2021", 7), ("2019", 8)):
        report, truth = truth_report(version, seed)
        html = work / f"{version}.html"
        html.write_text(published_page(render_report(report, "html").decode("utf-8"), report.meta.agency),
                        encoding="utf-8")
        if CHROMIUM is not None:
            pdf = work / f"{version}-chromium.pdf"
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}",
                            html.as_uri()], check=True, capture_output=True, timeout=180)
            cases.append(PdfCase(version, "chromium", pdf, truth))
        pdf = work / f"{version}-weasyprint.pdf"
        weasyprint.HTML(filename=str(html)).write_pdf(str(pdf))
        cases.append(PdfCase(version, "weasyprint", pdf, truth))
        htmls.append(html)
        cases.append(PdfCase(version, "soffice-html", work / f"{version}-soffice-html.pdf", truth))
        raw = render_docx(build_page(report), installed_fonts=True)
        docx_path = work / f"{version}-word-like.docx"
        docx_path.write_bytes(_word_like(raw, None))
        docs.append(docx_path)
        cases.append(PdfCase(version, "word-like", docx_path.with_suffix(".pdf"), truth))
        for producer, edited in (
            ("word-hrules", _edit_tables(_word_like(raw, None), "horizontal", narrow_labels=False)),
            ("word-unruled", _edit_tables(_word_like(raw, None), "none", narrow_labels=False)),
            ("word-landscape", _word_like(raw, None, repeat_header=False, landscape=True)),
            ("word-fonts", _windows_fonts(_word_like(raw, None))),
        ):
            path = work / f"{version}-{producer}.docx"
            path.write_bytes(edited)
            docs.append(path)
            cases.append(PdfCase(version, producer, path.with_suffix(".pdf"), truth))
        scaled = _scaled(report, truth, 137)
        digits = work / f"{version}-digits.docx"
        digits.write_bytes(_word_like(render_docx(build_page(report), installed_fonts=True), 6.5))
        unruled = work / f"{version}-digits-unruled.docx"
        unruled.write_bytes(_edit_tables(digits.read_bytes(), "none", narrow_labels=False))
        docs += [digits, unruled]
        cases.append(PdfCase(version, "digits", digits.with_suffix(".pdf"), scaled))
        cases.append(PdfCase(version, "digits-unruled", unruled.with_suffix(".pdf"), scaled))
    profile = _workdir() / "lo-profile"
    command = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(work), *map(str, docs)], check=True, capture_output=True, timeout=300)
    lo_html = work / "lo-html"
    subprocess.run([*command, "--outdir", str(lo_html), *map(str, htmls)], check=True, capture_output=True,
                   timeout=300)
    for html in htmls:
        (lo_html / f"{html.stem}.pdf").rename(work / f"{html.stem}-soffice-html.pdf")
    return tuple(cases)


def producer_case(version: str, producer: str) -> PdfCase | None:
    return next((c for c in producer_cases() if c.version == version and c.variant == producer), None)
