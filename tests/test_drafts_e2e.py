"""Drafting and 备案 end to end in headless Chromium (Debian's, through Playwright) on a real ``gknb serve``:
a 填报人 drafts the 2025 report of 西湖区民政局 prefilled from its stored 2024 report, sees a broken
identity flagged beside the cell as they type, fixes it, exports DOCX and PDF, submits; the 西湖区 office
returns it with a comment on a cell; the unit fixes and resubmits; the office approves; the published
file, uploaded, is matched with the approved draft and its one changed cell flagged.

Screenshots go to tests/artifacts/web/ (``GKNB_DOCS_SCREENSHOTS=1``: also docs/images/drafting-*.png,
with page 1 of the exported PDF drawn by pdftoppm).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import gknb
from gknb.data import report_from_data
from gknb.document import Source
from gknb.formats import FORMATS
from gknb.render import render
from gknb.report import Report
from layouts import random_report
from layouts import render as print_report
from test_drafts import AGENCY, SECTIONS_2025, next_year, typed
from test_web_e2e import (  # noqa: F401  (module fixtures: one server, one browser, the admin)
    ARTIFACTS,
    DOCS_IMAGES,
    Server,
    Session,
    _add_user,
    admin,
    browser,
    expect,
    server,
)

FMT = FORMATS["2021"]
PASSWORD = "e2e-填报-口令-2025"
BROKEN = "requests.carry_forward.natural_person"
COMMENTED = "disclosure.licensing.decisions"
CHANGED = "disclosure.punishment.decisions"


def docs_shot(page: object, name: str, *, full_page: bool = False, docs: bool = True) -> None:
    """A screenshot kept under tests/artifacts/web and, when asked for, as docs/images/drafting-NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"drafting-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    if docs and os.environ.get("GKNB_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, DOCS_IMAGES / f"drafting-{name}.png")


@pytest.fixture(scope="module")
def last_year(admin: Session, tmp_path_factory: pytest.TempPathFactory) -> Report:  # noqa: F811
    """The unit's 2024 report, uploaded through the upload page; the users of the flow."""
    folder = tmp_path_factory.mktemp("drafts-e2e")
    cells = random_report(FMT, random.Random(11))
    text = print_report(FMT, cells, "tab", random.Random(12), year=2024, agency=AGENCY, bare_review=False)
    path = folder / f"{AGENCY}2024年政府信息公开工作年度报告.txt"
    path.write_text(text, encoding="utf-8")
    page = admin.go("/upload")
    page.set_input_files("#files", [str(path)])
    page.click("#upload-button")
    expect(page.locator("#progress")).to_have_attribute("data-state", "done", timeout=90_000)
    report = gknb.read(path.read_bytes(), name=path.name)
    assert report.cells == cells
    _add_user(admin, "田填报", PASSWORD, "agency")
    _add_user(admin, "西湖审核", PASSWORD, "reviewer", "西湖区")
    admin.go("/users")
    assert admin.fetch("PUT", f"/api/users/{'田填报'}/unit", {"agency": AGENCY}) == 200
    return report


@pytest.fixture(scope="module")
def agency(browser: object, server: Server, last_year: Report) -> Iterator[Session]:  # noqa: F811
    session = Session(browser, server, "田填报", PASSWORD)
    yield session
    session.close()


@pytest.fixture(scope="module")
def office(browser: object, server: Server, last_year: Report) -> Iterator[Session]:  # noqa: F811
    session = Session(browser, server, "西湖审核", PASSWORD)
    yield session
    session.close()


def saved(page: object) -> None:
    """Wait until what was typed last is saved and checked by the server."""
    expect(page.locator("#draft")).to_have_attribute("data-saved", "1", timeout=20_000)  # type: ignore[attr-defined]


def cell(page: object, key: str) -> object:
    return page.locator(f'td.cell[data-key="{key}"]')  # type: ignore[attr-defined]


def test_draft_check_export_file_and_publish(agency: Session, office: Session, last_year: Report,
                                             tmp_path: Path) -> None:
    page = agency.page
    expect(page).to_have_url(f"{agency.server.url}/drafts")
    page.fill("#new-year", "2025")
    page.click("#new-draft-button")
    page.wait_for_url("**/drafts/*")
    draft_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#draft-status")).to_have_text("草稿")
    saved(page)
    # prefilled from 2024: 上年结转 = 2024 结转下年度, 现行有效 from 2024's; last year's problems beside 五
    for column in ("natural_person", "research", "total"):
        expect(cell(page, f"requests.carried_over.{column}").locator("input")).to_have_value(
            str(last_year.cells[f"requests.carry_forward.{column}"]))
    expect(cell(page, "disclosure.normative_docs.in_force").locator("input")).to_have_value(
        str(last_year.cells["disclosure.normative_docs.in_force"]))
    expect(page.locator("#last-year-problems")).to_contain_text(last_year.sections["problems"][:10])

    # typing the report; 结转下年度 · 自然人 mistyped: the balance is flagged beside the cell as one types
    cells = next_year(last_year)
    auto = agency.json(f"/api/drafts/{draft_id}")["content"]["auto"]  # type: ignore[index]
    for key, text in typed(cells, auto).items():
        if key.startswith("requests.carried_over."):
            continue  # prefilled
        value = str(int(text) + 3) if key == BROKEN else text
        page.fill(f'input.cell-input[data-key="{key}"]', value)
    for key, text in SECTIONS_2025.items():
        page.fill(f"#section-{key}", text)
    saved(page)
    expect(cell(page, BROKEN)).to_have_class(re_class("sev-error"))
    expect(cell(page, "requests.total.total").locator("input")).to_have_value(str(cells["requests.total.total"]))
    page.focus(f'input.cell-input[data-key="{BROKEN}"]')
    expect(page.locator("#cell-findings li.sev-error").first).to_contain_text("第一项加第二项之和")
    docs_shot(page, "broken-identity")
    page.fill(f'input.cell-input[data-key="{BROKEN}"]', str(cells[BROKEN]))
    saved(page)
    expect(cell(page, BROKEN)).not_to_have_class(re_class("sev-error"))
    expect(page.locator("#error-count")).to_have_text("错误 0")
    docs_shot(page, "draft", full_page=True, docs=False)

    # export at any time, in the official layout
    with page.expect_download() as download:
        page.click("#export-docx")
    docx = tmp_path / "draft.docx"
    download.value.save_as(docx)
    back = gknb.read(docx.read_bytes(), name="draft.docx")
    assert {k: back.cells[k] for k in FMT.cell_keys()} == cells
    with page.expect_download(timeout=180_000) as download:
        page.click("#export-pdf")
    pdf = tmp_path / "draft.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / "drafting-export-p1")], check=True)
    if os.environ.get("GKNB_DOCS_SCREENSHOTS"):
        shutil.copyfile(ARTIFACTS / "drafting-export-p1.png", DOCS_IMAGES / "drafting-export-p1.png")

    page.click("#submit-draft")
    expect(page.locator("#draft-status")).to_have_text("已提交备案")

    # the office: its queue, a comment on a cell, 退回修改
    review = office.go("/drafts")
    expect(review.locator(f'#queue tr[data-id="{draft_id}"]')).to_be_visible()
    review.click(f'#queue tr[data-id="{draft_id}"] a')
    review.focus(f'input.cell-input[data-key="{COMMENTED}"]')
    review.fill("#cell-comment", "行政许可处理决定数与许可台账不一致，请核对")
    docs_shot(review, "office-comment")
    review.click("#return-draft")
    expect(review.locator("#draft-status")).to_have_text("退回修改")

    # the unit sees the comment at the cell, fixes it and resubmits
    page.reload()
    expect(page.locator("#return-notes")).to_contain_text("行政许可处理决定数与许可台账不一致")
    expect(cell(page, COMMENTED)).to_have_class(re_class("commented"))
    docs_shot(page, "returned")
    page.fill(f'input.cell-input[data-key="{COMMENTED}"]', str(cells[COMMENTED] + 4))
    saved(page)
    page.click("#submit-draft")
    expect(page.locator("#draft-status")).to_have_text("已提交备案")

    review.reload()
    review.click("#approve-draft")
    expect(review.locator("#draft-status")).to_have_text("备案通过")

    # published with one cell changed after approval: uploaded, matched, the cell flagged
    approved = agency.json(f"/api/drafts/{draft_id}")
    published_cells = {k: v for k, v in approved["cells"].items() if v != ""}  # type: ignore[index]
    published_cells[CHANGED] = str(int(published_cells[CHANGED]) + 7)
    report = report_from_data({"meta": {"agency": AGENCY, "year": 2025, "title": approved["content"]["meta"]["title"]},  # type: ignore[index]
                               "sections": approved["content"]["sections"], "cells": published_cells},  # type: ignore[index]
                              Source("published.docx", "", "docx"))
    published = tmp_path / f"{AGENCY}2025年政府信息公开工作年度报告.docx"
    published.write_bytes(render(report, "docx"))  # no findings: no notice box, as published
    page.reload()
    page.set_input_files("#publish-file", str(published))
    page.click("#publish-button")
    expect(page.locator("#draft-status")).to_have_text("已公布", timeout=60_000)
    changes = page.locator("#published-changes li")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text(FMT.cell_label(CHANGED))
    expect(changes.first).to_have_attribute("data-cells", CHANGED)
    docs_shot(page, "published", full_page=False)
    steps = [a["action"] for a in agency.json(f"/api/drafts/{draft_id}")["audit"] if a["action"] != "edit"]  # type: ignore[index]
    assert steps == ["create", "export", "export", "submit", "return", "submit", "approve", "publish"]


def re_class(name: str) -> re.Pattern[str]:
    """A class attribute holding ``name`` among its classes."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")
