"""Demo reports for the web workspace's end-to-end tests and screenshots.

Several agencies of Zhejiang and Jiangsu, each over consecutive years (the carry-over from one year
to the next holds, so the cross-year checks stay quiet), printed in the layouts of real reports
(``layouts.render``), with a few planted errors. ``demo_files(folder)`` writes them as the browser
uploads them: a zip of the text and web copies, one year as a PDF in the official layout (when
LibreOffice is there), one page served over HTTP, a report whose prose holds markup, and two bad files.
"""

from __future__ import annotations

import random
import shutil
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import gknb
from gknb.formats import FORMATS
from gknb.report import Report
from layouts import random_report, render

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class Plant:
    """A planted error: ``key`` printed as ``printed`` where the identities say ``truth``."""

    key: str
    truth: int
    printed: int


@dataclass
class DemoReport:
    agency: str
    year: int
    version: str
    layout: str  # a layouts.LAYOUTS name, or "pdf"
    name: str  # the file name as uploaded (a zip member, a file, or the last part of a URL)
    province: str
    report: Report  # what gknb reads from the bytes uploaded
    plant: Plant | None = None
    xss: bool = False

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.report.findings)


@dataclass
class Demo:
    reports: list[DemoReport]
    zip: Path
    files: list[Path]  # uploaded next to the zip: the bundled samples, the markup report, the PDF
    bad: dict[str, str]  # bad file name → the code of its refusal
    served: Path  # a folder to serve over HTTP (one report page)
    url_name: str
    samples: list[Report] = field(default_factory=list)

    def find(self, agency: str, year: int) -> DemoReport:
        return next(r for r in self.reports if r.agency == agency and r.year == year)


# agency, province, format version, years, layout per year, planted error (year, key, delta)
AGENCIES = [
    ("杭州市西湖区民政局", "浙江省", "2021", (2021, 2022, 2023), ("tab", "markdown", "tab"),
     (2023, "requests.new.natural_person", 3)),
    ("宁波市鄞州区教育局", "浙江省", "2021", (2021, 2022, 2023), ("pdf", "html", "lines"), None),
    ("南京市玄武区人民政府办公室", "江苏省", "2021", (2022, 2023), ("paragraphs", "tab"),
     (2022, "requests.granted.commercial", 2)),
    ("苏州市姑苏区卫生健康局", "江苏省", "2021", (2021, 2022), ("pipe_rows", "html"), None),
    ("温州市鹿城区司法局", "浙江省", "2019", (2019, 2020), ("tab", "markdown"), None),
    ("湖州市吴兴区自然资源局", "浙江省", "2021", (2023,), ("tab",), None),  # its prose holds markup
    ("桐庐县分水镇人民政府", "浙江省", "2021", (2023,), ("html",), None),  # served over HTTP
]
XSS_AGENCY = "湖州市吴兴区自然资源局"
URL_AGENCY = "桐庐县分水镇人民政府"


def _years(version: str, count: int, rnd: random.Random) -> list[dict[str, int | Decimal]]:
    """``count`` consistent reports in which each year's 上年结转 equals the year before's 结转下年度."""
    fmt = FORMATS[version]
    out = [random_report(fmt, rnd)]
    columns = [k.rsplit(".", 1)[1] for k in out[0] if k.startswith("requests.new.") and not k.endswith(".total")]
    rows = ("carried_over", "carry_forward", "new")
    for _ in range(count - 1):
        cells = random_report(fmt, rnd)
        for col in columns:
            # 上年结转 + 新收 = 办理 + 结转下年度: a larger carry-over is carried on, a smaller one is
            # made up by more new applications, so no count goes negative
            delta = out[-1][f"requests.carry_forward.{col}"] - cells[f"requests.carried_over.{col}"]
            cells[f"requests.carried_over.{col}"] += delta
            cells[f"requests.carry_forward.{col}" if delta > 0 else f"requests.new.{col}"] += abs(delta)
        for row in rows:
            cells[f"requests.{row}.total"] = sum(cells[f"requests.{row}.{col}"] for col in columns)
        previous = out[-1]
        for row in ("regulations", "normative_docs"):  # 2021: 现行有效 = last year's + 制发 − 废止
            key = f"disclosure.{row}.in_force"
            if key in cells:
                made, repealed = cells[f"disclosure.{row}.made"], f"disclosure.{row}.repealed"
                cells[repealed] = min(cells[repealed], previous[key] + made)
                cells[key] = previous[key] + made - cells[repealed]
        for row in ("licensing", "other_services", "punishment", "coercion", "fees"):  # 2019: 上一年项目数量
            key, change = f"disclosure.{row}.prev_items", f"disclosure.{row}.change"
            if key in cells:
                previous[change] = max(previous[change], -previous[key])
                cells[key] = previous[key] + previous[change]
        out.append(cells)
    return out


def _with_markup(text: str) -> str:
    """The report with markup in the prose of its first section (the line after the heading)."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("一、"))
    lines.insert(at + 1, f"本机关网站曾出现如下代码：{XSS}，已于当年清除。")
    return "\n".join(lines)


def demo_files(folder: Path, seed: int = 2024) -> Demo:
    """Write the demo uploads into ``folder``."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    served = folder / "served"
    served.mkdir(exist_ok=True)
    reports: list[DemoReport] = []
    members: dict[str, bytes] = {}
    files: list[Path] = []
    url_name = ""
    for agency, province, version, years, layouts, plant in AGENCIES:
        fmt = FORMATS[version]
        for year, cells, layout in zip(years, _years(version, len(years), rnd), layouts, strict=True):
            printed = dict(cells)
            planted = None
            if plant is not None and plant[0] == year:
                key, delta = plant[1], plant[2]
                printed[key] += delta
                planted = Plant(key, int(cells[key]), int(printed[key]))
            medium = "html" if layout in ("html", "pdf") else layout
            text = render(fmt, printed, medium, random.Random(seed + year), year=year, agency=agency,
                          bare_review=False)
            if agency == XSS_AGENCY:
                text = _with_markup(text)
            suffix = {"html": "html", "markdown": "md"}.get(medium, "txt")
            name = f"{agency}{year}年政府信息公开工作年度报告.{suffix}"
            raw = text.encode("utf-8")
            report = gknb.read(raw, name=name)
            assert report.cells == printed, f"{agency} {year}: the generated report must parse back exactly"
            if layout == "pdf":
                if SOFFICE is None:
                    continue
                from gknb.render import render as render_report

                raw = render_report(report, "pdf")
                name = name.rsplit(".", 1)[0] + ".pdf"
                report = gknb.read(raw, name=name)
                (folder / name).write_bytes(raw)
                files.append(folder / name)
            elif agency == URL_AGENCY:
                (served / name).write_bytes(raw)
                url_name = name
            elif agency == XSS_AGENCY:
                (folder / name).write_bytes(raw)
                files.append(folder / name)
            else:
                members[name] = raw
            reports.append(DemoReport(agency, year, version, layout, name, province, report, planted,
                                      agency == XSS_AGENCY))
    planted = {r.agency for r in reports if r.plant}
    clean = [f"{r.agency} {r.year}: {[f.rule for f in r.report.findings if f.severity == 'error']}"
             for r in reports if r.has_errors and r.agency not in planted]
    assert not clean, f"only the planted errors may be errors: {clean}"

    archive = folder / "各单位年报.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for name, raw in members.items():
            out.writestr(f"年报/{name}", raw)

    samples = sorted((Path(gknb.__file__).parent / "samples").glob("*.txt"))
    bad_docx = folder / "损坏的年报.docx"
    bad_docx.write_bytes(b"PK\x03\x04" + bytes(rnd.randrange(256) for _ in range(3000)))
    binary = folder / "扫描仪驱动.bin"
    binary.write_bytes(bytes(range(256)) * 16)
    return Demo(reports, archive, [*samples, *files, bad_docx, binary],
                {bad_docx.name: "", binary.name: "file.unreadable"}, served, url_name,
                [gknb.read(p) for p in samples])
