"""The web workspace end to end, in a real headless browser: upload → review → correct → export.

A ``gknb serve`` subprocess on a free 127.0.0.1 port with a fresh SQLite store; Playwright drives the
Debian ``chromium`` (never a downloaded browser). The demo reports (``webdemo``: several agencies over
consecutive years, a PDF, a page served over HTTP, planted errors, markup in the prose, bad files) are
uploaded through the page, then reviewed, corrected, compared, charted and exported as a civil servant
would. Screenshots of each page go to ``tests/artifacts/web/``; with ``GKNB_DOCS_SCREENSHOTS=1`` the
ones the guide shows are also written to ``docs/images/web-*.png``.

The tests share one server and run in order (each builds on the uploads of the first).
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from storehelp import served
from webdemo import XSS, XSS_AGENCY, Demo, demo_files

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
expect = playwright_api.expect
expect.set_options(timeout=20_000)  # as the pages' own actions (context default): a loaded machine is slow

CHROMIUM = Path(os.environ.get("GKNB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TESTS = Path(__file__).parent
ARTIFACTS = TESTS / "artifacts" / "web"
DOCS_IMAGES = TESTS.parent / "docs" / "images"
ADMIN_PASSWORD = "e2e-Admin-口令-2024"
VIEWPORT = {"width": 1440, "height": 900}

if not CHROMIUM.exists():
    _message = f"{CHROMIUM} not found (apt-get install chromium): web end-to-end tests SKIPPED"
    print(f"\n{'!' * 20} {_message} {'!' * 20}", file=sys.stderr)
    pytest.skip(_message, allow_module_level=True)


# -- the server, the browser, the demo uploads ---------------------------------------------------


@dataclass
class Server:
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``gknb serve`` on a fresh SQLite store, the admin's password from GKNB_ADMIN_PASSWORD."""
    folder = tmp_path_factory.mktemp("web-e2e")
    log = folder / "serve.log"
    # --allow-private-urls: the URL upload below is served on loopback
    with served(f"sqlite:///{folder / 'gknb.db'}", log, {"GKNB_ADMIN_PASSWORD": ADMIN_PASSWORD},
                ("--jobs", "2", "--allow-private-urls")) as url:
        yield Server(url, log)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_files(tmp_path_factory.mktemp("web-demo"))


@pytest.fixture(scope="module")
def web(demo: Demo) -> Iterator[str]:
    """A local web site holding one report page (the URL upload fetches it)."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(demo.served))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{site.server_address[1]}"
    site.shutdown()
    site.server_close()


class Session:
    """A signed-in browser context: its page, the dialogs that fired, the page errors."""

    def __init__(self, browser: object, server: Server, name: str, password: str):
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN",  # type: ignore[attr-defined]
                                           timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{server.url}/login")
        self.page.fill("#name", name)
        self.page.fill("#password", password)
        self.page.click("#login-button")
        expect(self.page.locator("header.top .who")).to_contain_text(name)

    def go(self, path: str) -> object:
        self.page.goto(f"{self.server.url}{path}")
        return self.page

    def report(self, rid: object) -> object:
        """A report's page once its script has bound the cells and forms (a click before would submit natively)."""
        page = self.go(f"/reports/{rid}")
        expect(page.locator("#report")).to_have_attribute("data-ready", "1")
        return page

    def fetch(self, method: str, path: str, body: dict | None = None) -> int:
        """The status of a request made by the page's own script (session cookie + CSRF header)."""
        return self.page.evaluate(
            """async ([method, path, body]) => {
                 const token = document.querySelector('meta[name="csrf-token"]').content;
                 const r = await fetch(path, {method, headers: {"X-CSRF-Token": token, "Content-Type": "application/json"},
                                              body: body === null ? undefined : JSON.stringify(body)});
                 return r.status; }""", [method, path, body])

    def json(self, path: str) -> object:
        response = self.context.request.get(f"{self.server.url}{path}")
        assert response.ok, f"{path}: HTTP {response.status}"
        return response.json()

    def close(self) -> None:
        assert not self.errors, f"script errors on the page: {self.errors}"
        self.context.close()


@pytest.fixture(scope="module")
def admin(browser: object, server: Server) -> Iterator[Session]:
    session = Session(browser, server, "admin", ADMIN_PASSWORD)
    yield session
    session.close()


def shot(page: object, name: str, *, docs: bool = False, full_page: bool = False) -> None:
    """A screenshot kept under tests/artifacts/web (and docs/images when asked for)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    if docs and os.environ.get("GKNB_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, DOCS_IMAGES / f"web-{name}.png")


def report_id(session: Session, agency: str, year: int) -> int:
    found = session.json(f"/api/reports?agency={quote(agency)}&year={year}")
    assert found["total"] == 1, found  # type: ignore[index]
    return found["items"][0]["id"]  # type: ignore[index]


def listed(page: object) -> list[dict[str, str]]:
    """The rows of the report list as shown: agency, year, format, errors."""
    rows = []
    for row in page.locator("#reports tbody tr[data-id]").all():  # type: ignore[attr-defined]
        cells = row.locator("td").all_inner_texts()
        rows.append({"id": row.get_attribute("data-id"), "agency": cells[1], "year": cells[2],
                     "format": cells[3], "errors": cells[-3]})  # then 警告 and 审核人
    return rows


# -- upload ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uploaded(admin: Session, demo: Demo, web: str) -> dict[str, object]:
    """Everything uploaded through the page in one go; the progress table as it ended."""
    page = admin.go("/upload")
    page.set_input_files("#files", [str(demo.zip), *map(str, demo.files)])
    page.fill("#urls", f"{web}/{quote(demo.url_name)}\n这不是网址\n")
    page.click("#upload-button")
    progress = page.locator("#progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("data-state", "done", timeout=90_000)
    shot(page, "upload", docs=True, full_page=True)
    rows = {}
    for row in page.locator("#upload-files tbody tr").all():
        name, status, note = row.locator("td").all_inner_texts()
        rows[name.strip().removeprefix("└").strip()] = {"status": status, "note": note,
                                                         "css": row.get_attribute("class")}
    return {"rows": rows, "summary": page.locator("#progress-state").inner_text()}


def test_upload_progress_reaches_done_with_reasons(uploaded: dict, demo: Demo, web: str) -> None:
    rows = uploaded["rows"]
    assert rows[demo.zip.name]["status"] == "已解压"
    for report in demo.reports:
        if report.layout == "pdf" or report.xss:
            assert rows[report.name]["status"] == "已入库", (report.name, rows.get(report.name))
        elif report.name == demo.url_name:
            assert rows[f"{web}/{demo.url_name}"]["status"] == "已入库"  # shown decoded
        else:
            assert rows[f"年报/{report.name}"]["status"] == "已入库", report.name
            assert "查看" in rows[f"年报/{report.name}"]["note"]
    for sample in demo.files[:3]:
        assert rows[sample.name]["status"] == "已入库"
    bad, binary = (rows[name] for name in demo.bad)
    assert bad["status"] == "失败" and bad["css"] == "st-failed" and len(bad["note"]) > 4, bad
    assert binary["status"] == "失败" and "二进制文件" in binary["note"], binary
    assert rows["这不是网址"]["status"] == "失败" and "不是 http(s) 网址" in rows["这不是网址"]["note"]
    assert uploaded["summary"].startswith("完成")


# -- the report list ------------------------------------------------------------------------------


def test_report_list_filters_and_sorts(admin: Session, uploaded: dict, demo: Demo) -> None:
    page = admin.go("/")
    total = len(demo.reports) + len(demo.samples)
    expect(page.locator("#count-total b")).to_have_text(str(total))
    assert len(listed(page)) == total
    shot(page, "reports", docs=True)

    # has errors: exactly the planted ones
    page.select_option("#filters select[name=has_errors]", "true")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"has_errors=true"))
    erroneous = {(r.agency, str(r.year)) for r in demo.reports if r.has_errors}
    assert {(r["agency"], r["year"]) for r in listed(page)} == erroneous
    assert all(int(r["errors"]) > 0 for r in listed(page))
    expect(page.locator("#count-errors b")).to_have_text(str(len(erroneous)))

    # year and format together
    page.goto(f"{admin.server.url}/")
    page.select_option("#filters select[name=year]", "2023")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"year=2023"))
    assert {r["agency"] for r in listed(page)} == {r.agency for r in demo.reports if r.year == 2023}
    page.select_option("#filters select[name=year]", "")
    page.select_option("#filters select[name=template]", "2019")
    page.click("#filters button[type=submit]")
    expected_2019 = {(r.agency, str(r.year)) for r in demo.reports if r.version == "2019"} | {
        (s.meta.agency, str(s.meta.year)) for s in demo.samples if s.meta.template == "2019"}
    assert {(r["agency"], r["year"]) for r in listed(page)} == expected_2019
    assert {r["format"] for r in listed(page)} == {"2019 版格式"}

    # sort by year, then the other way round
    page.goto(f"{admin.server.url}/")
    page.click("#reports thead a:has-text('年度')")
    page.wait_for_url(re.compile(r"sort=year&desc=0"))
    years = [int(r["year"]) for r in listed(page)]
    assert years == sorted(years)
    page.click("#reports thead a:has-text('年度')")
    page.wait_for_url(re.compile(r"sort=year&desc=1"))
    years = [int(r["year"]) for r in listed(page)]
    assert years == sorted(years, reverse=True) and years[0] > years[-1]


# -- one report: findings, sources, corrections, review ------------------------------------------


def test_report_cell_source_and_correction(admin: Session, uploaded: dict, demo: Demo) -> None:
    target = next(r for r in demo.reports if r.plant and r.layout == "tab")
    plant = target.plant
    assert plant is not None
    rid = report_id(admin, target.agency, target.year)
    page = admin.report(rid)
    expect(page.locator("#error-count")).not_to_have_text("错误 0")
    cell = page.locator(f'td.cell[data-key="{plant.key}"]')
    expect(cell).to_have_class(re.compile(r"\bsev-error\b"))
    expect(cell).to_have_text(str(plant.printed))
    # the three tables in the official layout, the six sections
    assert page.locator("table.official").count() == 3
    assert page.locator("#sections .report-section h2").count() == 6

    cell.click()
    panel = page.locator("#cell-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#cell-value")).to_have_text(str(plant.printed))
    expect(page.locator("#cell-findings li.sev-error")).to_contain_text(f"应为 {plant.truth}")
    hit = page.locator("#source-lines .src-line.hit")
    expect(hit).to_have_count(1)
    expect(hit.locator(".src-cell.hit")).to_have_text(str(plant.printed))
    expect(page.locator("#correct-value")).to_have_value(str(plant.printed))
    shot(page, "report-cell", docs=True)

    # no keyboard path saves without an explicit confirm: Enter on the cell, "2", Enter changes nothing
    trail = len(admin.json(f"/api/reports/{rid}")["audit"])  # type: ignore[index]
    cell.focus()
    page.keyboard.press("Enter")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.fill("#correct-value", "2")
    page.locator("#correct-value").press("Enter")  # in the form: refused without a reason (a required field)
    expect(page.locator("#correct-confirm")).to_be_hidden()
    page.fill("#correct-comment", "按原件勾稽关系更正")
    page.locator("#correct-comment").press("Enter")
    expect(page.locator("#correct-confirm")).to_be_visible()
    expect(page.locator("#correct-summary")).to_contain_text(f"由 {plant.printed} 改为 2")
    page.wait_for_timeout(500)
    assert len(admin.json(f"/api/reports/{rid}")["audit"]) == trail  # type: ignore[index]  # nothing saved yet
    page.click("#correct-cancel")
    expect(page.locator("#correct-confirm")).to_be_hidden()

    page.fill("#correct-value", str(plant.truth))
    page.click("#correct-check")
    page.click("#correct-button")
    # the page reloads with the checks re-run: the cell is no longer an error, the trail says why
    cell = page.locator(f'td.cell[data-key="{plant.key}"]')
    expect(cell).to_have_text(str(plant.truth))
    expect(cell).not_to_have_class(re.compile(r"\bsev-error\b"))
    expect(cell).to_have_class(re.compile(r"\bcorrected\b"))  # marked in the table
    expect(page.locator("#cell-corrected")).to_be_visible()
    shot(page, "report-corrected")
    expect(page.locator("#error-count")).to_have_text("错误 0")
    first = page.locator("#audit tbody tr").first
    expect(first).to_contain_text(f"{plant.printed} → {plant.truth}")
    expect(first).to_contain_text("按原件勾稽关系更正")
    expect(first).to_contain_text("admin")
    stored = admin.json(f"/api/reports/{rid}")
    assert stored["cells"][plant.key] == plant.truth  # type: ignore[index]
    at = datetime.fromisoformat(stored["audit"][-1]["at"])  # type: ignore[index]  # UTC, shown in Beijing time
    expect(first.locator("time")).to_have_text((at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M"))


def test_review_returned_then_approved(admin: Session, uploaded: dict, demo: Demo) -> None:
    target = next(r for r in demo.reports if r.plant and r.layout == "tab")
    rid = report_id(admin, target.agency, target.year)
    page = admin.report(rid)
    expect(page.locator("#review-badge")).to_have_text("待审核")

    # 退回 needs a reason: refused with a message, nothing changes
    page.select_option("#review-status", "returned")
    page.click("#review-button")
    expect(page.locator("#toast.bad")).to_be_visible()
    expect(page.locator("#review-badge")).to_have_text("待审核")

    comment = "第三部分数据与原件不符，请核对 <b>加粗</b>"
    page.fill("#review-comment", comment)
    page.click("#review-button")
    expect(page.locator("#review-badge")).to_have_text("退回")
    expect(page.locator("#audit tbody tr").first).to_contain_text("待审核 → 退回")
    expect(page.locator("#audit tbody tr").first).to_contain_text(comment)  # shown as typed, not as markup
    assert page.locator("#audit .comment b").count() == 0
    shot(page, "audit", docs=True)

    page.select_option("#review-status", "approved")
    page.fill("#review-comment", "已核对")
    page.click("#review-button")
    expect(page.locator("#review-badge")).to_have_text("已审核")
    expect(page.locator("#audit tbody tr").first).to_contain_text("退回 → 已审核")
    page = admin.go("/?review_status=approved")
    assert [(r["agency"], r["year"]) for r in listed(page)] == [(target.agency, str(target.year))]


def test_form_sent_while_the_page_loads_is_kept(admin: Session, uploaded: dict, demo: Demo) -> None:
    target = next(r for r in demo.reports if r.layout == "tab")
    rid = report_id(admin, target.agency, target.year)
    page = admin.page
    held: list = []

    def hold(route: object) -> None:  # the report's data held back: its script not yet ready
        held.append(route)

    page.route(f"**/api/reports/{rid}", hold)
    try:
        page.goto(f"{admin.server.url}/reports/{rid}")
        page.fill("#review-comment", "尚未加载完时填写")
        page.click("#review-button")
        expect(page.locator("#toast.bad")).to_contain_text("仍在加载")
        expect(page.locator("#review-comment")).to_have_value("尚未加载完时填写")  # not reloaded, nothing lost
        assert len(held) == 1
    finally:
        for route in held:
            route.continue_()
        page.unroute(f"**/api/reports/{rid}", hold)
    expect(page.locator("#report")).to_have_attribute("data-ready", "1")
    expect(page.locator("#review-badge")).to_have_text("待审核")


def test_pdf_cell_shows_its_page_region(admin: Session, uploaded: dict, demo: Demo) -> None:
    pdfs = [r for r in demo.reports if r.layout == "pdf"]
    if not pdfs:
        pytest.skip("LibreOffice is absent: no PDF was made")
    target = pdfs[0]
    rid = report_id(admin, target.agency, target.year)
    key = "requests.new.total"
    value = target.report.cells[key]
    page = admin.report(rid)
    page.locator(f'td.cell[data-key="{key}"]').click()
    frame = page.locator("#source-page")
    expect(frame).to_be_visible()
    image = frame.locator("img")
    expect(image).to_have_attribute("src", re.compile(r"/api/reports/\d+/pages/\d+\.png"))
    expect(frame).to_have_attribute("data-ready", "1")  # the page image has loaded
    shot(page, "report-pdf-source", docs=True)

    # the box drawn where the source says, on the page image …
    source = admin.json(f"/api/reports/{rid}/source/{key}")
    x0, y0, x1, y1 = source["bbox"]  # type: ignore[index]
    width, height = source["width"], source["height"]  # type: ignore[index]
    box, picture = frame.locator(".bbox").bounding_box(), image.bounding_box()
    assert box and picture and box["width"] > 2 and box["height"] > 2
    assert abs((box["x"] - picture["x"]) / picture["width"] - x0 / width) < 0.01, (box, picture, source)
    assert abs((box["y"] - picture["y"]) / picture["height"] - y0 / height) < 0.01, (box, picture, source)
    assert abs(box["width"] / picture["width"] - (x1 - x0) / width) < 0.01
    # … and the original PDF has the cell's number inside that box
    import pypdfium2

    pdf = pypdfium2.PdfDocument(next(p for p in demo.files if p.name == target.name).read_bytes())
    text = pdf[source["page"] - 1].get_textpage().get_text_bounded(x0 - 1, height - y1 - 1, x1 + 1, height - y0 + 1)  # type: ignore[index]
    pdf.close()
    assert text.strip() == str(value), (text, value)


def test_report_text_is_escaped(admin: Session, uploaded: dict) -> None:
    rid = report_id(admin, XSS_AGENCY, 2023)
    page = admin.go(f"/reports/{rid}")
    expect(page.locator('.report-section[data-section="overview"] .prose')).to_contain_text(XSS)  # the markup shown as the text it is
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => [...document.scripts].filter(s => !s.src).length") == 0
    expect(page.locator("#report")).to_have_attribute("data-ready", "1")  # its script has bound the cells
    page.locator("td.cell").first.click()
    expect(page.locator("#cell-source")).not_to_contain_text("正在读取")
    shot(page, "report-markup", full_page=True)
    assert admin.dialogs == [] and page.locator('img[src="x"]').count() == 0


# -- compare --------------------------------------------------------------------------------------


def test_compare_two_years(admin: Session, uploaded: dict, demo: Demo) -> None:
    agency = next(r.agency for r in demo.reports if r.year == 2022 and r.layout == "html")
    page = admin.go(f"/?agency={quote(agency)}")
    rows = {r["year"]: r["id"] for r in listed(page)}
    for year in sorted(rows)[-2:]:
        page.check(f'#reports tr[data-id="{rows[year]}"] input.pick')
    page.click("#compare-picked")
    page.wait_for_url(re.compile(r"/compare\?a=\d+&b=\d+"))
    summary = int(page.locator("#compare-summary b").first.inner_text())
    assert summary > 0
    expect(page.locator("#compare-cells tbody tr")).to_have_count(summary)
    columns = page.locator(".compare-col")
    expect(columns).to_have_count(2)
    for side in columns.all():
        assert side.locator("td.cell.changed").count() == summary
    # the same from the later year's page
    later = rows[sorted(rows)[-1]]
    page = admin.report(later)
    page.click("#compare-previous")
    expect(page.locator("#compare-summary b").first).to_have_text(str(summary))
    shot(page, "compare", docs=True)
    changed = page.locator("#compare-text p.changed").first  # a sentence that changed: what changed in it
    expect(changed.locator("ins").first).to_be_visible()
    assert changed.locator("del").count() >= 1
    changed.scroll_into_view_if_needed()
    shot(page, "compare-text", docs=True)


# -- dashboard ------------------------------------------------------------------------------------


def test_dashboard_charts_and_exports(admin: Session, uploaded: dict, demo: Demo) -> None:
    page = admin.go("/dashboard")
    expect(page.locator("#charts")).to_have_attribute("data-ready", "1")
    charts = page.locator("section[data-chart]")
    assert charts.count() == 5
    for chart in charts.all():
        expect(chart.locator("canvas")).to_have_count(1)
        assert chart.locator("h3").inner_text().strip()
    shot(page, "dashboard", docs=True, full_page=True)

    with page.expect_download() as info:
        page.click('section[data-chart="by_year"] a.save-csv')
    download = info.value
    assert download.suggested_filename == "by_year.csv"
    table = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert table[0][0] == "年度"
    years = {r.year for r in demo.reports} | {s.meta.year for s in demo.samples}
    assert {int(r[0]) for r in table[1:]} == years

    with page.expect_download() as info:
        page.click('section[data-chart="outcomes"] button.save-png')
    assert Path(info.value.path()).read_bytes().startswith(b"\x89PNG")

    # a filter narrows every chart: only Jiangsu's cities
    page.select_option("select[name=province]", "江苏省")
    page.click(".filters button[type=submit]")
    expect(page.locator("#charts")).to_have_attribute("data-ready", "1")
    regions = admin.json("/api/dashboard?province=%E6%B1%9F%E8%8B%8F%E7%9C%81")["regions"]["rows"]  # type: ignore[index]
    assert {r[0] for r in regions} == {"南京市", "苏州市"}


# -- export ---------------------------------------------------------------------------------------


def test_export_current_filter(admin: Session, uploaded: dict, demo: Demo) -> None:
    import openpyxl

    page = admin.go("/")
    page.select_option("#filters select[name=year]", "2022")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"year=2022"))
    shown = {(r["agency"], int(r["year"])) for r in listed(page)}
    assert shown == {(r.agency, r.year) for r in demo.reports if r.year == 2022}

    with page.expect_download() as info:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    agency_column = next(c for c in rows[0] if c in ("agency", "机关"))
    assert {r[agency_column] for r in rows} == {a for a, _ in shown} and len(rows) == len(shown)

    with page.expect_download() as info:
        page.click("#export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
    sheet = book["报告"]
    header, keys, *data = [list(r) for r in sheet.iter_rows(values_only=True)]
    agency, year = keys.index("agency"), keys.index("year")
    assert {(r[agency], int(r[year])) for r in data} == shown


# -- accounts -------------------------------------------------------------------------------------


def _add_user(admin: Session, name: str, password: str, role: str, region: str = "") -> None:
    page = admin.go("/users")
    page.fill("#new-name", name)
    page.fill("#new-password", password)
    page.select_option("#new-role", role)
    page.fill("#new-region", region)
    page.click("#user-form button[type=submit]")
    expect(page.locator(f'#users tr[data-name="{name}"]')).to_be_visible()


def test_viewer_cannot_correct(admin: Session, browser: object, server: Server, demo: Demo, uploaded: dict) -> None:
    _add_user(admin, "查看员", "viewer-口令-123", "viewer")
    shot(admin.page, "users")
    target = next(r for r in demo.reports if r.plant and r.layout != "tab")
    rid = report_id(admin, target.agency, target.year)
    viewer = Session(browser, server, "查看员", "viewer-口令-123")
    try:
        page = viewer.report(rid)
        expect(page.locator("table.official").first).to_be_visible()
        assert page.locator("#correct-form, #review-form, button.edit-meta").count() == 0
        page.locator("td.cell.sev-error").first.click()
        expect(page.locator("#cell-panel")).to_be_visible()  # may look, not change
        shot(page, "report-viewer")
        assert viewer.fetch("PUT", f"/api/reports/{rid}/cells/{target.plant.key}", {"value": "1"}) == 403
        assert viewer.fetch("POST", f"/api/reports/{rid}/review", {"status": "approved"}) == 403
        assert page.locator("header.top nav a[href='/upload']").count() == 0  # no 上传 for a viewer
        page = viewer.go("/upload")
        assert page.locator("#upload-form").count() == 0
    finally:
        viewer.close()
    assert admin.json(f"/api/reports/{rid}")["review_status"] == "pending"  # type: ignore[index]


def test_region_scope(admin: Session, browser: object, server: Server, demo: Demo, uploaded: dict) -> None:
    _add_user(admin, "江苏审核员", "jiangsu-口令-123", "reviewer", "江苏省")
    outside = report_id(admin, XSS_AGENCY, 2023)
    scoped = Session(browser, server, "江苏审核员", "jiangsu-口令-123")
    try:
        page = scoped.go("/")
        expect(page.locator("header.top .who")).to_contain_text("江苏省")
        shown = {(r["agency"], int(r["year"])) for r in listed(page)}
        assert shown == {(r.agency, r.year) for r in demo.reports if r.province == "江苏省"}
        shot(page, "reports-region")
        page = scoped.go(f"/reports/{outside}")
        expect(page.locator("main h1")).to_have_text("404")
        shot(page, "region-404")
        response = scoped.context.request.get(f"{server.url}/api/reports/{outside}")
        assert response.status == 404
        assert scoped.fetch("PUT", f"/api/reports/{outside}/cells/requests.new.total",
                            {"value": "1", "comment": "试图", "revision": 0}) == 404

        # the admin narrows the scope to one city on the users page: it holds from the next request
        page = admin.go("/users")
        row = page.locator('#users tr[data-name="江苏审核员"]')
        row.locator(".user-region").fill("南京市")
        row.locator("button.save-user").click()
        expect(page.locator("#toast")).to_contain_text("已保存用户「江苏审核员」")  # said after the reload
        expect(page.locator('#users tr[data-name="江苏审核员"] .user-region')).to_have_value("南京市")
        page = scoped.go("/")
        shown = {(r["agency"], int(r["year"])) for r in listed(page)}
        assert shown == {(r.agency, r.year) for r in demo.reports if r.agency.startswith("南京市")}
    finally:
        scoped.close()


def test_sign_in_refuses_a_wrong_password(browser: object, server: Server) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(f"{server.url}/reports/1")  # signed out: sent to sign in, then back
        page.wait_for_url(re.compile(r"/login\?next=/reports/1"))
        shot(page, "login")
        page.fill("#name", "admin")
        page.fill("#password", "not-the-password")
        page.click("#login-button")
        expect(page.locator("#login-failed")).to_be_visible()
        expect(page.locator("#name")).to_have_value("admin")
        page.fill("#password", ADMIN_PASSWORD)
        page.click("#login-button")
        page.wait_for_url(re.compile(r"/reports/1$"))
        expect(page.locator("#report-title")).to_be_visible()
    finally:
        context.close()


def test_api_token_from_the_account_page(admin: Session, browser: object, server: Server) -> None:
    page = admin.go("/account")
    page.fill("#token-name", "统计脚本")
    page.click("#token-form button[type=submit]")
    token = page.locator("#token-value").inner_text().strip()
    assert token.startswith("gknb_")
    expect(page.locator("#tokens tbody tr", has_text="统计脚本")).to_have_count(1)  # listed at once
    expect(page.locator("#tokens")).not_to_contain_text("暂无令牌")
    shot(page, "account", docs=True)
    context = browser.new_context()  # type: ignore[attr-defined]
    try:
        headers = {"Authorization": f"Bearer {token}"}
        me = context.request.get(f"{server.url}/api/me", headers=headers)
        assert me.status == 200 and me.json()["name"] == "admin"
        page = admin.go("/account")
        row = page.locator("#tokens tbody tr", has_text="统计脚本")
        row.locator("button.revoke").click()
        expect(page.locator("#tokens tbody tr", has_text="统计脚本")).to_have_count(0)
        assert context.request.get(f"{server.url}/api/me", headers=headers).status == 401
    finally:
        context.close()


def test_api_docs_render_offline_under_the_csp(browser: object, server: Server) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # type: ignore[attr-defined]
    requested: list[str] = []
    console: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.on("console", lambda m: console.append(m.text))
        response = page.goto(f"{server.url}/api/docs")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible()
        assert operations.count() >= 20
        expect(page.locator(".opblock-summary-path", has_text="/api/reports/{report_id}/review")).to_have_count(1)
        shot(page, "api-docs", docs=True)
        assert all(url.startswith(server.url) or url.startswith("data:") for url in requested), requested
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()


def test_password_reset_by_the_admin_and_changed_by_oneself(admin: Session, browser: object, server: Server) -> None:
    _add_user(admin, "改密员", "first-口令-123", "reviewer")
    page = admin.go("/users")
    row = page.locator('#users tr[data-name="改密员"]')
    row.locator(".user-password").fill("reset-口令-456")
    row.locator("button.reset-password").click()
    expect(page.locator("#toast")).to_contain_text("已重置用户「改密员」的密码")
    shot(page, "users", docs=True)
    person = Session(browser, server, "改密员", "reset-口令-456")  # signs in with the reset password
    try:
        page = person.go("/account")
        page.fill("#current-password", "wrong-口令-000")
        page.fill("#new-password", "mine-口令-789")
        page.fill("#repeat-password", "mine-口令-789")
        page.click("#password-form button[type=submit]")
        expect(page.locator("#toast.bad")).to_contain_text("当前密码不正确")
        page.fill("#current-password", "reset-口令-456")
        page.click("#password-form button[type=submit]")
        expect(page.locator("#toast")).to_contain_text("密码已修改")
    finally:
        person.close()
    again = Session(browser, server, "改密员", "mine-口令-789")  # the new password holds …
    again.close()
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # type: ignore[attr-defined]
    try:  # … and the old one no longer does
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.fill("#name", "改密员")
        page.fill("#password", "reset-口令-456")
        page.click("#login-button")
        expect(page.locator("#login-failed")).to_be_visible()
    finally:
        context.close()


def test_unknown_agency_named_by_its_file_and_counted_in_the_charts(admin: Session, uploaded: dict, demo: Demo,
                                                                     tmp_path: Path) -> None:
    import random
    import zipfile

    from gknb.formats import FORMATS
    from layouts import random_report, render

    fmt = FORMATS["2021"]
    rnd = random.Random(34)
    text = render(fmt, random_report(fmt, rnd), "tab", rnd, year=2023, agency="某某").split("\n", 1)[1]
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("034.txt", text.replace("某某", ""))  # no title: no agency, region or level
    page = admin.go("/upload")
    page.set_input_files("#files", [str(archive)])
    page.click("#upload-button")
    expect(page.locator("#progress")).to_have_attribute("data-state", "done", timeout=90_000)

    page = admin.go("/?sort=agency")
    row = page.locator("#reports tbody tr", has=page.locator("a.unknown-agency"))
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("未识别机关 pages.zip › 034.txt")
    assert "gknb-uploads" not in page.content()
    row.scroll_into_view_if_needed()
    shot(page, "reports-unknown")
    row.locator("a.unknown-agency").click()
    expect(page.locator(".source-path")).to_contain_text("pages.zip › 034.txt")

    page = admin.go("/dashboard")
    expect(page.locator("#charts")).to_have_attribute("data-ready", "1")
    data = admin.json("/api/dashboard")
    for chart in ("regions", "levels"):
        assert "未识别" in [r[0] for r in data[chart]["rows"]], data[chart]  # type: ignore[index]
    assert "未识别机关" in [r[0] for r in data["agencies"]["rows"]]  # type: ignore[index]
    shot(page, "dashboard", docs=True, full_page=True)
    page = admin.go("/dashboard?year=1999")  # nothing to draw: 无数据, not six slices of 0 %
    expect(page.locator("#charts")).to_have_attribute("data-ready", "1")
    expect(page.locator(".empty-chart")).to_have_count(5)
    expect(page.locator('section[data-chart="outcomes"] .empty-chart')).to_contain_text("无数据")
    assert page.locator('section[data-chart="outcomes"] canvas').count() == 0


def test_sections_hold_no_stray_table_header_words(admin: Session, uploaded: dict, demo: Demo) -> None:
    sample = next(s for s in demo.samples if "乐业镇" in (s.meta.agency or ""))
    page = admin.go(f"/reports/{report_id(admin, sample.meta.agency, sample.meta.year)}")
    prose = page.locator('.report-section[data-section="requests"] .prose p')
    expect(prose).to_have_count(1)
    expect(prose).to_have_text("2021年我镇未收到书面或其它形式要求公开政府信息的申请。")
    # the findings panel: messages first, the rule codes and cell keys behind 详情
    first = page.locator("#findings li").first
    code = first.locator("details.internals .rule")
    expect(code).to_be_hidden()
    first.locator("details.internals summary").click()
    expect(code).to_be_visible()
