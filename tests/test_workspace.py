"""The workspace layer of the store on SQLite and on a real PostgreSQL 15: listing, corrections with
re-checks (within the report and across years), reviews, accounts and tokens."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("argon2")
from gknb.pipeline.write import store_report  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.store.models import ReportRow  # noqa: E402
from gknb.workspace.corrections import OutOfScope, StaleCorrection  # noqa: E402
from gknb.workspace.service import Workspace, WorkspaceError, parse_value  # noqa: E402
from storehelp import two_years  # noqa: E402


def test_workspace_on_both_databases(db_url: str) -> None:
    (first_text, first), (second_text, second) = two_years("浙江省青山县民政局")
    store = Store.open(db_url)
    try:
        ids = [store_report(store, report, text.encode("utf-8")).report_id
               for report, text in ((first, first_text), (second, second_text))]
        work = Workspace(store)
        listing = work.list_reports({"region": "浙江省"}, sort="year", descending=True)
        assert [i["id"] for i in listing.items] == ids[::-1] and listing.total == 2
        carry = [f for f in store.load(ids[1]).findings if f.rule == "crossyear.carry_over"]
        assert carry and listing.with_errors == 1
        assert work.list_reports({"has_errors": True}).items[0]["id"] == ids[1]

        # the first year's 结转下年度 made to match the second year's 上年结转 (+1): the break is gone
        key = carry[0].cells[0].replace("carried_over", "carry_forward")
        total = "requests.carry_forward.total"
        value = store.load(ids[0]).cells
        work.correct_cell(ids[0], key, str(value[key] + 1), user="li", comment="核对原件")
        after = work.correct_cell(ids[0], total, str(value[total] + 1), user="li", comment="合计随之更正")
        balance = [f for f in after.findings if f.severity == "error"]
        assert [f.rule for f in balance] == [f.rule for f in balance if f.rule.startswith("identity")]
        assert not [f for f in store.load(ids[1]).findings if f.rule == "crossyear.carry_over"]
        trail = work.audit(ids[0])
        assert [(a["target"], a["old"], a["new"], a["user"]) for a in trail] == [
            (key, str(value[key]), str(value[key] + 1), "li"), (total, str(value[total]), str(value[total] + 1), "li")]

        work.set_review(ids[1], "approved", user="wang")
        assert work.list_reports({"review_status": "approved"}).items[0]["id"] == ids[1]
        with pytest.raises(WorkspaceError):
            work.set_review(ids[1], "returned", user="wang")

        user = work.add_user("wang", "password-123", role="reviewer", region="浙江省")
        assert work.authenticate("wang", "password-123") == user
        assert work.authenticate("wang", "password-124") is None
        token = work.create_token("wang")
        assert work.token_user(token) == user and work.token_user(token + "x") is None
        work.update_user("wang", active=False)
        assert work.token_user(token) is None and work.authenticate("wang", "password-123") is None
    finally:
        store.close()


@pytest.mark.parametrize(("text", "value"), [("12", 12), (" 1,234 ", 1234), ("3.50", parse_value("3.50")),
                                             ("", None), ("—", None)])
def test_values_typed_by_people(text: str, value: object) -> None:
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["十二", "-1", "1e999", "nan"])
def test_values_refused(text: str) -> None:
    with pytest.raises(WorkspaceError):
        parse_value(text)


# -- trust: concurrency, scope, knock-on audit, messages, accounts (issue 13) ------------------------

def _store_with_two_years(db_url: str, agency: str = "浙江省青山县民政局") -> tuple[Store, list[int]]:
    (first_text, first), (second_text, second) = two_years(agency)
    store = Store.open(db_url)
    ids = [store_report(store, report, text.encode("utf-8")).report_id
           for report, text in ((first, first_text), (second, second_text))]
    return store, ids


def _findings_match_cells(store: Store, report_id: int, previous: int | None) -> None:
    """The stored findings are what the checks give on the stored cells (and the year before's)."""
    from gknb.check import RULES, check
    from gknb.check.crossyear import cross_year

    stored = store.load(report_id, with_crossyear=False)
    with store.session() as session:
        verified = set(session.get(ReportRow, report_id).extra.get("verified", []))
    fresh = store.load(report_id, with_crossyear=False)
    fresh.parse_findings = [f for f in stored.findings if f.rule not in RULES and not (f.cells and set(f.cells) <= verified)]
    assert check(fresh).findings == stored.findings
    if previous is not None:
        crossyear = [f for f in store.load(report_id).findings if f not in stored.findings]
        assert crossyear == list(cross_year(stored, [store.load(previous, with_crossyear=False)]))


def test_parallel_corrections_keep_the_audit_chain_and_findings_in_step(db_url: str) -> None:
    """60 parallel corrections of one cell and of many cells of two linked years, on SQLite and on
    PostgreSQL: the audit trail's old → new values chain without a break, a correction against a
    stale revision is refused with the current value, and the stored findings match the stored cells."""
    store, ids = _store_with_two_years(db_url)
    work = Workspace(store)
    try:
        key = "requests.new.commercial"
        start = store.load(ids[0]).cells[key]
        with ThreadPoolExecutor(12) as pool:
            list(pool.map(lambda n: work.correct_cell(ids[0], key, str(1000 + n), user=f"u{n}", comment="并发"),
                          range(60)))
        trail = [a for a in work.audit(ids[0]) if a["target"] == key]
        assert len(trail) == 60 and trail[0]["old"] == str(start)
        assert all(later["old"] == earlier["new"] for earlier, later in zip(trail, trail[1:], strict=False))
        assert str(store.load(ids[0]).cells[key]) == trail[-1]["new"]

        seen = work.revision(ids[0])
        outcomes: list[object] = []

        def stale_or_saved(n: int) -> None:
            try:
                work.correct_cell(ids[0], key, str(2000 + n), user="v", comment="同一版本", revision=seen)
                outcomes.append("saved")
            except StaleCorrection as stale:
                outcomes.append(stale)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(stale_or_saved, range(16)))
        assert outcomes.count("saved") == 1
        current = str(store.load(ids[0]).cells[key])
        assert all(o.current == current and o.revision == seen + 1 for o in outcomes if o != "saved")

        cells = [k for k, v in store.load(ids[1]).cells.items() if isinstance(v, int)][:30]
        jobs = [(ids[n % 2], cell, n) for n, cell in enumerate(cells * 2)]
        with ThreadPoolExecutor(12) as pool:
            list(pool.map(lambda job: work.correct_cell(job[0], job[1], str(job[2] + 7), user="w", comment="并发"),
                          jobs))
        _findings_match_cells(store, ids[0], None)
        _findings_match_cells(store, ids[1], ids[0])
    finally:
        store.close()


def test_a_correction_stays_inside_the_correctors_region_and_its_knock_on_is_audited(tmp_path) -> None:
    """浙江 reviewer retargets its report at a 江苏 agency: refused (it would change, or quote, the 江苏
    report's checks); a change inside the scope that alters the next year's findings is audited there."""
    store, zj = _store_with_two_years(f"sqlite:///{tmp_path / 'w.db'}", "浙江省青山县民政局")
    (text, js_2022), _ = two_years("江苏省南京市教育局", seed=9)
    js = store_report(store, js_2022, text.encode()).report_id
    work = Workspace(store)
    try:
        before = store.load(js).findings
        for field, value in (("agency", "江苏省南京市教育局"),):
            with pytest.raises(OutOfScope):
                work.correct_meta(zj[1], field, value, user="zj", comment="试图", scope="浙江省")
        assert store.load(zj[1]).meta.agency == "浙江省青山县民政局" and store.load(js).findings == before
        assert work.audit(js) == [] and work.audit(zj[1]) == []
        with pytest.raises(OutOfScope, match="agency lies outside"):  # refused by its name: no oracle of its reports
            work.correct_meta(zj[1], "agency", "江苏省无锡市财政局", user="zj", comment="试图", scope="浙江省")
        with pytest.raises(OutOfScope):  # moving one's own report out of the scope
            work.correct_meta(zj[0], "province", "江苏省", user="zj", comment="试图", scope="浙江省")

        carry = next(f for f in store.load(zj[1]).findings if f.rule == "crossyear.carry_over")
        key = carry.cells[0].replace("carried_over", "carry_forward")
        work.correct_cell(zj[0], key, str(store.load(zj[0]).cells[key] + 1), user="zj", comment="核对原件",
                          scope="浙江省")
        knock_on = work.audit(zj[1])
        assert [(a["action"], a["target"], a["user"]) for a in knock_on] == [("findings", "crossyear", "zj")]
        assert "crossyear.carry_over" in knock_on[0]["old"] and f"报告 {zj[0]}" in knock_on[0]["comment"]

        # the next year's report moved to 江苏 by an admin: a correction that would change its checks is refused
        work.correct_meta(zj[1], "province", "江苏省", user="admin", comment="实为江苏")
        before = store.load(zj[1]).findings
        with pytest.raises(OutOfScope, match="outside your region"):
            work.correct_cell(zj[0], key, str(store.load(zj[0]).cells[key] - 1), user="zj", comment="改回",
                              scope="浙江省")
        assert store.load(zj[1]).findings == before and len(work.audit(zj[1])) == 2
    finally:
        store.close()


def test_messages_quote_the_corrected_value_and_a_reason_is_required(tmp_path) -> None:
    store, ids = _store_with_two_years(f"sqlite:///{tmp_path / 'm.db'}")
    work = Workspace(store)
    try:
        key = "requests.new.natural_person"
        with pytest.raises(WorkspaceError, match="reason"):
            work.correct_cell(ids[0], key, "5", user="li", comment="  ")
        printed = store.load(ids[0]).printed[key]
        report = work.correct_cell(ids[0], key, "5", user="li", comment="试改")
        culprit = [f for f in report.findings if f.rule == "identity.cell" and key == f.cells[0]]
        assert culprit and "现为 5" in culprit[0].message and f"印刷为 {printed}" in culprit[0].message
        assert "now 5" in culprit[0].message_en
        assert work.corrected(ids[0]) == [key]
    finally:
        store.close()


def test_accounts_sessions_last_admin_and_region_scopes(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'a.db'}")
    work = Workspace(store)
    try:
        admin = work.add_user("boss", "password-123", role="admin")
        with pytest.raises(WorkspaceError, match="last active admin"):
            work.update_user("boss", active=False)
        with pytest.raises(WorkspaceError, match="last active admin"):
            work.update_user("boss", role="viewer")
        with pytest.raises(WorkspaceError, match="full name"):
            work.add_user("sd", "password-123", region="山东")
        with pytest.raises(WorkspaceError, match="full name"):
            work.update_user("boss", region="山东")
        assert work.add_user("sd", "password-123", region="山东省").region == "山东省"

        first, second = work.open_session(admin.id, 12), work.open_session(admin.id, 12)
        assert work.session_user(first) == admin == work.session_user(second)
        work.close_session(first)
        assert work.session_user(first) is None and work.session_user(second) == admin
        work.update_user("boss", password="password-456")
        assert work.session_user(second) is None
        assert work.session_user(work.open_session(admin.id, -1)) is None  # expired
    finally:
        store.close()
