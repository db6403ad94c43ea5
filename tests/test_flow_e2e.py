"""The reviewer's workflow in a real headless Chromium (``gknb serve`` subprocess, Playwright, Debian
chromium), as two people would work: the admin sorts the list by errors and assigns reports in bulk;
the reviewer opens 我的待审, walks the problem cells with the keyboard, returns one report with a
comment and goes on to the next, approves another, and nothing is saved from a key alone; the failed
reads have their own page. Screenshots in tests/artifacts/web/ (docs/images/web-*.png with
``GKNB_DOCS_SCREENSHOTS=1``)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pypinyin")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (pip) is not installed")
expect = playwright_api.expect
expect.set_options(timeout=20_000)  # as the pages' own actions (context default): a loaded machine is slow

from gknb.pipeline.write import store_reports  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.store.store import Entry  # noqa: E402
from gknb.workspace.service import Workspace  # noqa: E402
from storehelp import served  # noqa: E402
from test_review_flow import UNITS, _report  # noqa: E402

CHROMIUM = Path(os.environ.get("GKNB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TESTS = Path(__file__).parent
ARTIFACTS = TESTS / "artifacts" / "web"
DOCS_IMAGES = TESTS.parent / "docs" / "images"
PASSWORD = "flow-e2e-Pass-2024"
RETURN_COMMENT = "表三「新收政府信息公开申请数量」合计与各列之和不符，请核对原件"

if not CHROMIUM.exists():
    _message = f"{CHROMIUM} not found (apt-get install chromium): workflow end-to-end tests SKIPPED"
    print(f"\n{'!' * 20} {_message} {'!' * 20}", file=sys.stderr)
    pytest.skip(_message, allow_module_level=True)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("GKNB_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, DOCS_IMAGES / f"web-{name}.png")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("flow-e2e")
    db = f"sqlite:///{folder / 'gknb.db'}"
    store = Store.open(db)
    entries = []
    for n, (agency, broken) in enumerate(UNITS):
        text, report = _report(agency, 2023, n, broken)
        entries.append(Entry(report, text.encode("utf-8"), location=f"{agency}2023.txt"))
    store_reports(store, entries)
    run = store.start_run(["上传"])
    store.record(run, "扫描件-模糊.pdf", "failed", error={
        "code": "file.not_annual_report", "message": "不是政府信息公开工作年度报告",
        "message_en": "not a government information disclosure annual report"})
    store.finish_run(run)
    work = Workspace(store)
    work.add_user("admin", PASSWORD, role="admin")
    work.add_user("李审核", PASSWORD, role="reviewer")
    store.close()
    with served(db, folder / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(browser, url: str, name: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.locator("header.top .who")).to_contain_text(name)
    return context, page, errors


def test_assign_in_bulk_then_review_from_my_queue_with_the_keyboard(browser, server: str) -> None:
    context, page, errors = signed_in(browser, server, "admin")
    page.click("#reports thead a[data-sort=errors]")  # most errors first
    page.wait_for_url(re.compile(r"sort=errors&desc=1"))
    rows = page.locator("#reports tbody tr[data-id]")
    broken = sum(1 for _, b in UNITS if b)
    for i in range(broken):
        expect(rows.nth(i)).to_have_class(re.compile(r"has-errors"))
    expect(page.locator("#bulk")).to_be_hidden()  # until something is picked
    chosen = [rows.nth(i).get_attribute("data-id") for i in range(3)]
    for i in range(3):
        rows.nth(i).locator("input.pick").check()
    expect(page.locator("#bulk")).to_be_visible()
    expect(page.locator("#bulk-count")).to_have_text("已选 3 份")
    expect(page.locator("#bulk-assignee option", has_text="李审核")).to_have_count(1)
    page.select_option("#bulk-assignee", "李审核")
    page.click("#bulk-assign")
    expect(page.locator("#bulk-summary")).to_contain_text("将所选 3 份报告分配给「李审核」")
    shot(page, "bulk")
    page.click("#bulk-go")
    expect(page.locator("#toast")).to_contain_text("已处理 3 份报告")
    for i in range(3):
        expect(rows.nth(i).locator("td.assignee")).to_have_text("李审核")
    single = rows.nth(3).get_attribute("data-id")  # one report, from its own page
    page.goto(f"{server}/reports/{single}")
    expect(page.locator("#assign-to option", has_text="李审核")).to_have_count(1)
    page.select_option("#assign-to", "李审核")
    page.click("#assign-button")
    expect(page.locator("#assigned")).to_contain_text("审核人：李审核")
    expect(page.locator("#audit tbody tr").first).to_contain_text("分配：（无） → 李审核")
    expect(page.locator("#assign-to")).to_have_value("李审核")  # the reviewers listed after the reload
    page.select_option("#assign-to", "")  # and back: the queue below holds the three of the bulk step
    page.click("#assign-button")
    expect(page.locator("#assigned")).to_contain_text("审核人：未分配")
    context.close()
    assert not errors, errors

    context, page, errors = signed_in(browser, server, "李审核")
    expect(page.locator("#nav-queue .nav-count")).to_have_text("3")
    page.click("#nav-queue")
    queue = page.locator("#reports tbody tr[data-id]")
    expect(queue).to_have_count(3)
    in_queue = [queue.nth(i).get_attribute("data-id") for i in range(3)]
    assert sorted(in_queue) == sorted(chosen)  # assigned at once: then in pinyin order of the names
    chosen = in_queue
    shot(page, "queue")
    queue.first.locator("td a").first.click()
    root = page.locator("#report[data-ready='1']")
    expect(root).to_have_count(1)
    expect(page.locator("#walk-position")).to_contain_text("我的待审中第 1 / 3 份")

    # the keyboard walks the problem cells and opens one's findings; no key saves anything
    page.keyboard.press("j")
    focused = page.locator("td.cell.kbd")
    expect(focused).to_have_count(1)
    expect(focused).to_have_class(re.compile(r"sev-(error|warning)"))
    page.keyboard.press("Enter")
    expect(page.locator("#cell-panel")).to_be_visible()
    expect(page.locator("#cell-findings li").first).to_have_class(re.compile(r"sev-(error|warning)"))
    expect(page.locator("#cell-corrected")).to_be_hidden()  # nobody corrected it
    page.keyboard.press("r")
    dialog = page.locator("#review-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#review-dialog-title")).to_have_text("退回本报告（请写明退回意见）")
    page.keyboard.press("Enter")  # in the comment box: a new line, not a submission
    page.click("#review-dialog-save")  # empty comment: refused
    expect(page.locator("#toast.bad")).to_contain_text("退回时请写明原因")
    expect(dialog).to_be_visible()
    page.fill("#review-dialog-comment", RETURN_COMMENT)
    shot(page, "keyboard-review")
    page.click("#review-dialog-save")  # saved, and on to the next report of the queue
    page.wait_for_url(re.compile(rf"/reports/{chosen[1]}\?from=queue"))
    expect(page.locator("#report[data-ready='1']")).to_have_count(1)  # its keys bound
    expect(page.locator("#toast")).to_contain_text("已退回，已打开下一份")
    expect(page.locator("#walk-position")).to_contain_text("第 2 / 3 份")
    expect(page.locator("#report")).to_have_attribute("data-previous", re.compile(rf"/reports/{chosen[0]}\?"))

    page.keyboard.press("a")  # the 已审核 box, then Escape: nothing saved
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#review-badge")).to_have_text("待审核")

    page.keyboard.press("p")  # at once after Escape: back to the returned one, its 退回意见 shown
    page.wait_for_url(re.compile(rf"/reports/{chosen[0]}\?from=queue"))
    expect(page.locator("#report[data-ready='1']")).to_have_count(1)  # its keys bound
    expect(page.locator("#return-comment")).to_have_text(RETURN_COMMENT)
    expect(page.locator("#review-badge")).to_have_text("退回")
    shot(page, "return-note")
    # the race behind a lost n / p, made certain: the box closed and a key typed in the same task, before
    # the "close" event moves the focus off its hidden comment box — the key is still the page's
    page.keyboard.press("a")
    expect(dialog).to_be_visible()
    page.evaluate("""() => { document.getElementById("review-dialog").close();
      document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key: "n", bubbles: true })); }""")
    page.wait_for_url(re.compile(rf"/reports/{chosen[1]}\?from=queue"))
    expect(page.locator("#report[data-ready='1']")).to_have_count(1)  # its keys bound
    page.keyboard.press("a")
    page.uncheck("#review-dialog-next")
    page.click("#review-dialog-save")
    expect(page.locator("#review-badge")).to_have_text("已审核")

    page.click("#nav-queue")  # approved left the queue; the returned one stays, its comment as a hint
    expect(queue).to_have_count(2)
    expect(page.locator(f"#reports tr[data-id='{chosen[0]}'] .return-hint")).to_contain_text("退回意见：表三")
    context.close()
    assert not errors, errors


def test_failed_reads_have_their_own_page(browser, server: str) -> None:
    context, page, errors = signed_in(browser, server, "admin")
    expect(page.locator("#reports tbody")).not_to_contain_text("扫描件-模糊.pdf")
    page.click("#failed-link")
    row = page.locator("#failed tbody tr[data-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("扫描件-模糊.pdf")
    expect(row).to_contain_text("不是政府信息公开工作年度报告")
    expect(row).to_contain_text("not a government information disclosure annual report")
    shot(page, "failed")
    context.close()
    assert not errors, errors
