"""Drafting and 备案 (docs/drafting.md) on SQLite and PostgreSQL: a unit's 2025 draft prefilled from its
stored 2024 report, checked by the one checker as it is saved, the flow 草稿 → 已提交备案 → 退回修改 →
备案通过 → 已公布 with the published copy matched against the approved draft; unit and region scopes."""

from __future__ import annotations

import functools
import http.server
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal

import pytest

pytest.importorskip("sqlalchemy")

import gknb  # noqa: E402
from gknb.catalogue import CATALOGUE  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.write import store_report  # noqa: E402
from gknb.render import render  # noqa: E402
from gknb.render.grid import format_value  # noqa: E402
from gknb.render.workbook import build_workbook  # noqa: E402
from gknb.report import Report  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.store.models import UserRow  # noqa: E402
from gknb.workspace.drafts import DraftConflict, DraftError, DraftNotFound, Drafts  # noqa: E402
from gknb.workspace.service import User, Workspace  # noqa: E402
from layouts import random_report  # noqa: E402
from layouts import render as print_report  # noqa: E402

FMT = FORMATS["2021"]
AGENCY = "浙江省杭州市西湖区民政局"
PASSWORD = "password-123"
PROBLEMS_2024 = "一是主动公开的及时性有待提高。二是依申请公开答复的规范性有待加强。"


def stored_2024(store: Store, seed: int = 7) -> Report:
    """The unit's 2024 report, printed as text, read and stored (its cells read back exactly)."""
    cells = random_report(FMT, random.Random(seed))
    text = print_report(FMT, cells, "tab", random.Random(seed + 1), year=2024, agency=AGENCY, bare_review=False)
    report = gknb.read(text.encode("utf-8"), name=f"{AGENCY}2024.txt")
    assert report.cells == cells
    report.sections["problems"] = PROBLEMS_2024
    store_report(store, report, text.encode("utf-8"), location=f"{AGENCY}2024.txt")
    return report


def next_year(previous: Report) -> dict[str, int | Decimal]:
    """2025 cells that follow from 2024 in every identity and link: 上年结转 = 2024 结转下年度, the
    新收 row grown by 2024's 上年结转 (so the balance holds), 现行有效 = 2024 + 制发 − 废止."""
    cells = dict(previous.cells)
    for key in FMT.cell_keys():
        if key.startswith("requests.new."):
            column = key.rsplit(".", 1)[1]
            cells[key] = previous.cells[key] + previous.cells[f"requests.carried_over.{column}"]
            cells[f"requests.carried_over.{column}"] = previous.cells[f"requests.carry_forward.{column}"]
            cells[f"requests.carry_forward.{column}"] = 2 * previous.cells[f"requests.carry_forward.{column}"]
    for row in ("regulations", "normative_docs"):
        made, before = cells[f"disclosure.{row}.made"], previous.cells[f"disclosure.{row}.in_force"]
        repealed = cells[f"disclosure.{row}.repealed"] = min(cells[f"disclosure.{row}.repealed"], before)
        cells[f"disclosure.{row}.in_force"] = previous.cells[f"disclosure.{row}.in_force"] + made - repealed
    return cells


def typed(cells: dict[str, int | Decimal], auto: list[str]) -> dict[str, str]:
    """What a 填报人 types: every cell but the computed ones."""
    return {k: format_value(v) for k, v in cells.items() if k not in auto and v is not None}


SECTIONS_2025 = {
    "overview": "2025年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开、依申请公开、政府信息管理、"
                "平台建设和监督保障各项工作稳步推进。",
    "disclosure": "本年度主动公开政府信息情况见下表。",
    "requests": "本年度收到和处理政府信息公开申请情况见下表。",
    "review": "本年度政府信息公开行政复议、行政诉讼情况见下表。",
    "problems": "针对上年报告所列问题，本年建立了公开时限提醒机制，答复文书统一使用规范模板，改进情况良好。"
                "存在的主要问题是公开内容的解读还不够深入，下一步将加强政策解读。",
    "other": "本年度未收取信息处理费。无其他需要报告的事项。",
}


def users(work: Workspace, drafts: Drafts) -> dict[str, User]:
    """The people of the flow. They never sign in here, so their rows carry no password hash (argon2
    costs seconds on a loaded machine; sign-in is test_drafts_api's)."""
    people = {"agency": ("tian", "agency", None), "other": ("other-unit", "agency", None),
              "office": ("xihu-office", "reviewer", "西湖区"), "elsewhere": ("gz-office", "reviewer", "广州市"),
              "viewer": ("view", "viewer", None)}
    out = {}
    with work.store.session.begin() as session:
        for key, (name, role, region) in people.items():
            row = UserRow(name=name, password_hash="!", role=role, region=region, active=True, created=datetime.now())
            session.add(row)
            session.flush()
            out[key] = User(row.id, name, role, region)
    drafts.assign_unit("tian", AGENCY)
    drafts.assign_unit("other-unit", "浙江省杭州市西湖区财政局")
    return out


def test_a_draft_from_prefill_to_publication(db_url: str) -> None:
    store = Store.open(db_url)
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    previous = stored_2024(store)

    view = drafts.create(who["agency"], 2025)
    content = view.content
    # prefilled through the declaration's cross-year links
    for column in ("natural_person", "commercial", "total"):
        assert content["cells"][f"requests.carried_over.{column}"] == format_value(
            previous.cells[f"requests.carry_forward.{column}"])
    assert "disclosure.normative_docs.in_force" in content["auto"]
    assert "requests.total.total" in content["auto"] and "requests.new.total" in content["auto"]
    assert view.as_dict()["cells"]["disclosure.normative_docs.in_force"] == format_value(
        previous.cells["disclosure.normative_docs.in_force"])  # the baseline until 制发/废止 are typed
    assert view.as_dict()["previous"]["problems"] == PROBLEMS_2024
    assert not view.from_text and all(not text for text in content["sections"].values())

    # the whole report typed: every identity and link holds, so no error
    cells = next_year(previous)
    content = {**content, "cells": typed(cells, content["auto"]), "sections": SECTIONS_2025}
    view = drafts.save(view.id, content, revision=view.revision, user=who["agency"])
    assert {k: view.report.cells[k] for k in FMT.cell_keys()} == cells  # totals computed from their parts
    errors = [f for f in view.report.findings if f.severity == "error"]
    assert errors == []

    # a broken identity: 结转下年度 one too many in one column
    broken = dict(content["cells"])
    broken["requests.carry_forward.commercial"] = str(cells["requests.carry_forward.commercial"] + 1)
    bad = drafts.save(view.id, {**content, "cells": broken}, revision=view.revision, user=who["agency"])
    rules = {f.rule for f in bad.report.findings if "requests.carry_forward.commercial" in f.cells}
    assert "identity.balance" in rules
    with pytest.raises(DraftConflict):  # the revision read before the last save is stale
        drafts.save(view.id, content, revision=view.revision, user=who["agency"])
    view = drafts.save(view.id, content, revision=bad.revision, user=who["agency"])
    assert not [f for f in view.report.findings if f.severity == "error"]

    # 备案: submit, returned with a comment on a cell, fixed, resubmitted, approved
    with pytest.raises(DraftError):
        drafts.submit(view.id, user=who["office"])  # the office does not submit for the unit
    drafts.submit(view.id, user=who["agency"])
    assert [d["id"] for d in drafts.list(who["office"], "submitted")] == [view.id]
    assert drafts.list(who["elsewhere"], "submitted") == []
    with pytest.raises(DraftError):
        drafts.save(view.id, content, revision=view.revision, user=who["agency"])  # not while submitted
    with pytest.raises(DraftError):
        drafts.return_draft(view.id, user=who["office"])  # a return needs a comment
    returned = drafts.return_draft(view.id, user=who["office"],
                                   cells={"disclosure.licensing.decisions": "请核对行政许可数量"},
                                   sections={"problems": "请逐项说明上年问题的改进情况"})
    assert returned.status == "returned"
    assert {(c["kind"], c["target"], c["round"]) for c in returned.comments} == {
        ("cell", "disclosure.licensing.decisions", 1), ("section", "problems", 1)}
    fixed = dict(content["cells"])
    fixed["disclosure.licensing.decisions"] = str(cells["disclosure.licensing.decisions"] + 2)
    content = {**content, "cells": fixed}
    view = drafts.save(view.id, content, revision=returned.revision, user=who["agency"])
    drafts.submit(view.id, user=who["agency"])
    with pytest.raises(DraftError):
        drafts.approve(view.id, user=who["agency"])
    approved = drafts.approve(view.id, user=who["office"])
    assert approved.status == "approved" and approved.round == 2

    # published as approved: nothing to flag; published with one cell changed: that cell is named
    as_approved = render(approved.report, "html")
    same = drafts.publish(view.id, user=who["agency"], raw=as_approved, name="年报.html")
    assert same.status == "published" and same.published["changes"] == []
    changed_report = approved.report
    changed_report.cells["disclosure.punishment.decisions"] += 5
    changed_report.findings = []
    changed = drafts.publish(view.id, user=who["agency"], raw=render(changed_report, "docx"), name="年报-改.docx")
    changes = changed.published["changes"]
    assert [(c["rule"], c["cells"]) for c in changes] == [
        ("filing.changed_after_approval", ["disclosure.punishment.decisions"])]
    assert CATALOGUE["filing.changed_after_approval"].severity == "error"
    stored = store.load(changed.published["report_id"])
    assert stored.meta.agency == AGENCY and stored.meta.year == 2025
    assert "filing.changed_after_approval" in {f.rule for f in stored.findings}

    steps = [(a["action"], a["old"], a["new"]) for a in changed.audit if a["action"] != "edit"]
    assert steps == [("create", None, "draft"), ("submit", "draft", "submitted"), ("return", "submitted", "returned"),
                     ("submit", "returned", "submitted"), ("approve", "submitted", "approved"),
                     ("publish", "approved", "published"), ("publish", "published", "published")]
    assert all(a["user"] for a in changed.audit)
    store.close()


def test_drafts_stay_inside_the_unit_and_the_region(db_url: str) -> None:
    store = Store.open(db_url)
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    stored_2024(store)
    view = drafts.create(who["agency"], 2025)
    for outsider in ("other", "elsewhere", "viewer"):
        with pytest.raises(DraftNotFound):
            drafts.get(who[outsider], view.id)
        assert drafts.list(who[outsider]) == []
    with pytest.raises(DraftNotFound):
        drafts.save(view.id, view.content, revision=view.revision, user=who["other"])
    assert [d["id"] for d in drafts.list(who["office"])] == [view.id]
    with pytest.raises(DraftError):
        drafts.create(who["agency"], 2025)  # one draft per unit and year
    with pytest.raises(DraftError):
        drafts.save(view.id, {**view.content, "cells": {"requests.no_such.total": "1"}}, revision=view.revision,
                    user=who["agency"])
    with pytest.raises(DraftError):
        drafts.assign_unit("xihu-office", AGENCY)  # only a 填报人 has a unit
    store.close()


def test_last_years_text_is_marked_and_identical_text_flagged(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gknb.db'}")
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    previous = stored_2024(store)
    view = drafts.create(who["agency"], 2025, from_text=True)
    assert view.from_text
    assert view.content["sections"]["overview"] == previous.sections["overview"]
    assert "正文沿用上年文字" in view.audit[0]["comment"]
    flagged = [f for f in view.report.findings if f.rule == "crossyear.copied_text"]
    long_enough = [k for k, t in previous.sections.items() if len(t or "") >= 100]
    assert len(flagged) == len(long_enough) >= 1
    store.close()


def test_import_from_the_workbook_and_a_markdown_file(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'gknb.db'}")
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    previous = stored_2024(store)
    view = drafts.create(who["agency"], 2025)
    source = Report(source=previous.source, meta=previous.meta, sections=dict(SECTIONS_2025),
                    cells=next_year(previous))
    source.meta.year = 2025
    workbook = build_workbook(FMT, year=2025, report=source)
    imported = drafts.import_file(view.id, workbook, "年报数据.xlsx", revision=view.revision, user=who["agency"])
    assert {k: imported.report.cells[k] for k in FMT.cell_keys()} == source.cells
    assert imported.content["auto"] == []  # what the file says, no cell recomputed
    assert imported.report.sections["problems"] == SECTIONS_2025["problems"]
    markdown = render(gknb.check(source), "md")
    again = drafts.import_file(view.id, markdown, "年报.md", revision=imported.revision, user=who["agency"])
    assert {k: again.report.cells[k] for k in FMT.cell_keys()} == source.cells
    with pytest.raises(DraftError):  # an unreadable file changes nothing
        drafts.import_file(view.id, b"\x00\x01garbage", "x.pdf", revision=again.revision, user=who["agency"])
    assert drafts.get(who["agency"], view.id).revision == again.revision
    assert [a["action"] for a in drafts.get(who["agency"], view.id).audit].count("import") == 2
    store.close()


def test_published_at_a_url(tmp_path) -> None:
    """The published URL is fetched and read like any report; the same as approved: no change named."""
    store = Store.open(f"sqlite:///{tmp_path / 'gknb.db'}")
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    previous = stored_2024(store)
    view = drafts.create(who["agency"], 2025)
    content = {**view.content, "cells": typed(next_year(previous), view.content["auto"]), "sections": SECTIONS_2025}
    view = drafts.save(view.id, content, revision=view.revision, user=who["agency"])
    drafts.submit(view.id, user=who["agency"])
    approved = drafts.approve(view.id, user=who["office"])
    with pytest.raises(DraftError):  # neither a URL nor a file
        drafts.publish(view.id, user=who["office"])
    for not_a_url in ("/etc/passwd", "file:///etc/passwd", "javascript:alert(1)"):
        with pytest.raises(DraftError):  # a path is never read for a user
            drafts.publish(view.id, user=who["office"], url=not_a_url)
    site = tmp_path / "site"
    site.mkdir()
    (site / "2025.html").write_bytes(render(approved.report, "html"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/2025.html"
        published = drafts.publish(view.id, user=who["office"], url=url)
    finally:
        server.shutdown()
        server.server_close()
    assert published.status == "published" and published.published["url"] == url
    assert published.published["changes"] == []
    assert store.load(published.published["report_id"]).source.path == url
    store.close()


def test_parallel_saves_of_one_revision_keep_one(db_url: str) -> None:
    """Eight saves of the same revision at once: one is kept, seven answer DraftConflict with the
    revision now stored; the draft is that one save's content."""
    store = Store.open(db_url)
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    view = drafts.create(who["agency"], 2025)

    def save(n: int) -> str:
        content = {**view.content, "cells": {"disclosure.licensing.decisions": str(n)}}
        try:
            drafts.save(view.id, content, revision=view.revision, user=who["agency"])
            return f"saved {n}"
        except DraftConflict as conflict:
            assert conflict.revision >= view.revision + 1
            return "conflict"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(save, range(8)))
    kept = [o for o in outcomes if o.startswith("saved")]
    assert len(kept) == 1 and outcomes.count("conflict") == 7
    stored = drafts.get(who["agency"], view.id)
    assert stored.revision == view.revision + 1
    assert f"saved {stored.content['cells']['disclosure.licensing.decisions']}" == kept[0]
    store.close()


def test_the_unit_of_an_agency_user_from_the_command_line(tmp_path) -> None:
    from typer.testing import CliRunner

    from gknb.cli import app

    db = f"sqlite:///{tmp_path / 'gknb.db'}"
    runner = CliRunner()
    added = runner.invoke(app, ["user", "add", "填报甲", "--role", "agency", "--password", PASSWORD, "--db", db])
    assert added.exit_code == 0, added.output
    done = runner.invoke(app, ["user", "set", "填报甲", "--unit", f" {AGENCY} ", "--db", db])
    assert done.exit_code == 0 and AGENCY in done.output
    store = Store.open(db)
    user = Workspace(store).users()[0]
    assert Drafts(store).unit(user) == AGENCY
    store.close()
    refused = runner.invoke(app, ["user", "set", "填报甲", "--unit", "", "--db", db])
    assert refused.exit_code != 0 and "单位全称" in refused.output


def test_a_2019_format_draft_follows_its_own_declaration(tmp_path) -> None:
    """A 2020 draft is in the 2019 format; its prefill comes from that declaration's links (上一年项目数量)."""
    fmt = FORMATS["2019"]
    store = Store.open(f"sqlite:///{tmp_path / 'gknb.db'}")
    work, drafts = Workspace(store), Drafts(store)
    who = users(work, drafts)
    cells = random_report(fmt, random.Random(3))
    text = print_report(fmt, cells, "tab", random.Random(4), year=2019, agency=AGENCY, bare_review=False)
    previous = gknb.read(text.encode("utf-8"), name="2019.txt")
    assert previous.cells == cells
    store_report(store, previous, text.encode("utf-8"), location="2019.txt")
    view = drafts.create(who["agency"], 2020)
    assert view.format is fmt
    links = fmt.year_equations(fmt)
    assert {eq.link.code for eq in links} == {"crossyear.carry_over", "crossyear.prev_items"}
    for eq in links:
        assert view.content["cells"][eq.now] == format_value(sum(cells[k] for k in eq.before)), eq.now
    assert not [f for f in view.report.findings if f.rule.startswith("crossyear.") and f.severity == "error"]
    store.close()
