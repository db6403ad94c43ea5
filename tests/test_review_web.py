"""The review page of the web workspace (/review): roster, overview, problems, downloads — through
FastAPI's test client, and once in a real headless Chromium (``gknb serve`` subprocess, Playwright,
Debian chromium) with a screenshot (tests/artifacts/web/review.png; docs/images/web-review.png with
``GKNB_DOCS_SCREENSHOTS=1``)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
from docx import Document  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from gknb.store import Store  # noqa: E402
from gknb.web.app import create_app  # noqa: E402
from reviewregion import BROKEN, DUPLICATED, MISSING_2023, REGION, build_region  # noqa: E402
from storehelp import served  # noqa: E402

PASSWORD = "review-Pass-2024"
TESTS = Path(__file__).parent
CHROMIUM = Path(os.environ.get("GKNB_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review-web")
    app = create_app(f"sqlite:///{folder / 'gknb.db'}", upload_dir=folder / "uploads")
    work = app.state.workspace
    build_region(work.store)
    work.add_user("rev", PASSWORD, role="reviewer")
    work.add_user("gd", PASSWORD, role="reviewer", region="广东省")
    work.add_user("zj", PASSWORD, role="viewer", region="浙江省")
    with TestClient(app) as test_client:
        yield test_client


def sign_in(client: TestClient, name: str) -> None:
    client.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"})
    assert answer.status_code == 200, answer.text


def test_review_page_lists_roster_overview_and_problems(client):
    sign_in(client, "rev")
    page = client.get(f"/review?region={quote(REGION)}&year=2023")
    assert page.status_code == 200
    html = page.text
    assert MISSING_2023 in html and "未发布" in html and "逾期发布" in html and "（重复发布）" in html
    overview = html[html.index('id="overview"'):html.index('id="problems"')]
    assert overview.index(BROKEN) < overview.index(DUPLICATED)  # sorted by errors
    assert "三、本年度办理结果 （一）予以公开" in html[html.index('id="problems"'):]
    by_name = client.get(f"/review?region={quote(REGION)}&year=2023&sort=name").text
    names = re.findall(r'<a href="/reports/\d+">([^<]+)</a>', by_name)
    assert names == sorted(names)
    assert client.get("/review").status_code == 200  # the form alone


def test_review_downloads(client):
    sign_in(client, "rev")
    answer = client.get(f"/review/notice.docx?region={quote(REGION)}&year=2023&unit={quote(BROKEN)}")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert "审核意见" in text and "须改正的问题" in text
    answer = client.get(f"/review/notice.docx?region={quote(REGION)}&year=2023")
    assert "审核情况的通报" in "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    book = load_workbook(io.BytesIO(client.get(f"/review/export.xlsx?region={quote(REGION)}&year=2023").content))
    assert book.sheetnames == ["评分", "发布情况", "问题清单"]
    statuses = {row[0]: row[1] for row in book["发布情况"].iter_rows(min_row=2, values_only=True)}
    assert statuses[MISSING_2023] == "未发布"
    missing = client.get(f"/review/notice.docx?region={quote(REGION)}&year=2023&unit=不存在局")
    assert missing.status_code == 404 and "Traceback" not in missing.text


def test_region_scope_applies(client):
    sign_in(client, "gd")
    assert client.get(f"/review?region={quote(REGION)}&year=2023").status_code == 403
    assert client.get(f"/review/export.xlsx?region={quote(REGION)}&year=2023").status_code == 403
    sign_in(client, "zj")  # 桐庐县 lies in 浙江省
    assert client.get(f"/review?region={quote(REGION)}&year=2023").status_code == 200


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (apt-get install chromium)")
def test_review_page_in_chromium(tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
    db = f"sqlite:///{tmp_path / 'gknb.db'}"
    store = Store.open(db)
    build_region(store)
    store.close()
    with served(db, tmp_path / "serve.log", {"GKNB_ADMIN_PASSWORD": PASSWORD}) as url, \
            playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page.goto(f"{url}/login")
        page.fill("#name", "admin")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.click("text=审核")
        page.fill("input[name=region]", REGION)
        page.select_option("select[name=year]", "2023")
        page.click("button[type=submit]")
        rows = page.locator("#overview tbody tr")
        playwright_api.expect(rows).to_have_count(5)
        assert BROKEN in rows.first.inner_text()
        playwright_api.expect(page.locator("#roster")).to_contain_text("未发布")
        with page.expect_download() as download:
            page.locator("#overview tbody tr").first.locator("text=Word").click()
        assert download.value.suggested_filename == f"{BROKEN}2023年度报告审核意见.docx"
        artifacts = TESTS / "artifacts" / "web"
        artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(artifacts / "review.png"), full_page=False)
        if os.environ.get("GKNB_DOCS_SCREENSHOTS") == "1":
            page.screenshot(path=str(TESTS.parent / "docs" / "images" / "web-review.png"), full_page=False)
        browser.close()
