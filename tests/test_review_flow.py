"""The reviewer's workflow (issue 14 §3) on the store, on SQLite and PostgreSQL: counts kept on the
report rows wherever findings change, pinyin order of unit names, search by any part of a name,
assignments with region scopes, my queue, bulk 已审核/退回 in the audit trail, 上一份/下一份, the
current 退回意见, failed reads in their own list."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import case, func, select

pytest.importorskip("pypinyin")
import gknb  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.write import store_report, store_reports  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.store.models import AuditRow, FindingRow, ReportCountRow, ReportRow  # noqa: E402
from gknb.store.store import Entry  # noqa: E402
from gknb.workspace.assign import Flow, NotAllowed  # noqa: E402
from gknb.workspace.service import Workspace, WorkspaceError  # noqa: E402
from layouts import random_report, render  # noqa: E402
from storehelp import db_url, postgres_server, two_years  # noqa: E402, F401

PASSWORD = "flow-pass-2024"
BROKEN_CELL = "requests.new.natural_person"
UNITS = (  # (agency, errors planted): shuffled when stored, so the order read back is the store's
    ("浙江省杭州市民政局", True), ("重庆市民政局", False), ("安徽省民政厅", True), ("北京市财政局", False),
    ("湖南省长沙市民政局", True), ("上海市浦东新区陆家嘴街道办事处", False), ("上海市浦东新区人民政府", False),
    ("浙江省杭州市西湖区财政局", False),
)
PINYIN_ORDER = ["安徽省民政厅", "北京市财政局", "重庆市民政局", "湖南省长沙市民政局",  # chong before hu: 长沙 is cháng
                "上海市浦东新区陆家嘴街道办事处", "上海市浦东新区人民政府",  # lu before ren
                "浙江省杭州市民政局", "浙江省杭州市西湖区财政局"]


def _report(agency: str, year: int, seed: int, broken: bool) -> tuple[str, gknb.Report]:
    fmt = FORMATS["2021"]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    if broken:
        cells[BROKEN_CELL] += 1
    text = render(fmt, cells, "tab", rnd, year=year, agency=agency, bare_review=False)
    return text, gknb.read(text.encode("utf-8"), name=f"{agency}{year}.txt")


@pytest.fixture
def flow(db_url):  # noqa: F811
    store = Store.open(db_url)
    units = list(UNITS)
    random.Random(7).shuffle(units)
    entries = []
    for n, (agency, broken) in enumerate(units):
        text, report = _report(agency, 2023, n, broken)
        entries.append(Entry(report, text.encode("utf-8"), location=f"{agency}.txt"))
    store_reports(store, entries)
    work = Workspace(store)
    work.add_user("admin", PASSWORD, role="admin")
    work.add_user("rev", PASSWORD, role="reviewer")
    work.add_user("li", PASSWORD, role="reviewer")
    work.add_user("zj", PASSWORD, role="reviewer", region="浙江省")
    work.add_user("hz", PASSWORD, role="reviewer", region="杭州市")
    work.add_user("sh", PASSWORD, role="reviewer", region="上海市")
    work.add_user("view", PASSWORD, role="viewer")
    yield Flow(work)
    store.close()


def _user(flow: Flow, name: str):
    return next(u for u in flow.work.users() if u.name == name)


def _id(flow: Flow, agency: str) -> int:
    return flow.store.report_ids({"agency": agency})[0]


def _counts_match(store: Store) -> None:
    """Every report row's kept counts equal its findings counted now."""
    with store.session() as session:
        counted = {rid: (int(e), int(w)) for rid, e, w in session.execute(
            select(FindingRow.report_id, func.sum(case((FindingRow.severity == "error", 1), else_=0)),
                   func.sum(case((FindingRow.severity == "warning", 1), else_=0))).group_by(FindingRow.report_id))}
        kept = {r.report_id: (r.errors, r.warnings) for r in session.scalars(select(ReportCountRow))}
        reports = set(session.scalars(select(ReportRow.id)))
    assert kept == {rid: counted.get(rid, (0, 0)) for rid in reports}


def _finding_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(FindingRow)).scalar_one()


def test_counts_are_kept_on_the_row_wherever_findings_change(db_url):  # noqa: F811
    store = Store.open(db_url)
    try:
        (text1, first), (text2, second) = two_years()
        store_report(store, first, text1.encode("utf-8"), location="a.txt")
        added = store_report(store, second, text2.encode("utf-8"), location="b.txt")
        _counts_match(store)
        with store.session() as session:
            row = session.get(ReportCountRow, added.report_id)
            assert row.errors > 0  # 上年结转 ≠ last year's 结转下年度 (a cross-year error)
        listing = Workspace(store).list_reports(sort="errors", descending=True)
        assert listing.items[0]["id"] == added.report_id and listing.with_errors == 1
        work = Workspace(store)
        work.add_user("rev", PASSWORD, role="reviewer")
        key = next(k for k in second.cells if k.startswith("requests.carried_over.natural_person"))
        work.correct_cell(added.report_id, key, second.cells[key] - 1, user="rev", comment="按原件更正",
                          revision=work.revision(added.report_id))
        _counts_match(store)  # the correction re-ran the checks: the kept counts follow
        work.correct_meta(added.report_id, "year", "2030", user="rev", comment="年度有误",
                          revision=work.revision(added.report_id))
        _counts_match(store)  # the cross-year findings went with the year
        again = gknb.read((text1 + "\n").encode("utf-8"), name="a.txt")  # a new version at a.txt
        store_report(store, again, (text1 + "\n").encode("utf-8"), location="a.txt")
        _counts_match(store)
    finally:
        store.close()


def test_names_sort_in_pinyin_order_and_search_finds_any_part(flow):
    work = flow.work
    names = [i["agency"] for i in work.list_reports(sort="agency", per_page=100).items]
    assert names == PINYIN_ORDER  # 长沙 read cháng, 重庆 chóng: not 湖南 省长 沙市
    assert [i["agency"] for i in work.list_reports(sort="agency", descending=True).items] == PINYIN_ORDER[::-1]
    found = lambda term: {i["agency"] for i in work.list_reports({"search": term}).items}  # noqa: E731
    assert found("浦东") == {"上海市浦东新区人民政府", "上海市浦东新区陆家嘴街道办事处"}
    assert found("陆家嘴街道") == found("陆家嘴") == {"上海市浦东新区陆家嘴街道办事处"}
    assert found("杭州 财政") == {"浙江省杭州市西湖区财政局"}  # every word must be found
    assert found("浦东新区政府") == {"上海市浦东新区人民政府"}  # normalised: …区政府 = …区人民政府
    assert found("100%_") == set()  # LIKE's wildcards are text
    with work.store.session() as session:  # the key is stored, not computed per request
        keys = dict(session.execute(select(ReportRow.agency, ReportRow.agency_sort)).all())
    assert keys["重庆市民政局"] == "chong2qing4shi4min2zheng4ju2"
    assert keys["湖南省长沙市民政局"] == "hu2nan2sheng3chang2sha1shi4min2zheng4ju2"  # not 省长 (zhang3)


def test_sort_keys_missing_are_filled_at_start(flow):
    from gknb.store.listing import fill_sort_keys

    with flow.store.session.begin() as session:
        session.execute(ReportRow.__table__.update().values(agency_sort=None))
    with flow.store.session.begin() as session:
        assert fill_sort_keys(session) == len(UNITS)
    assert [i["agency"] for i in flow.work.list_reports(sort="agency").items] == PINYIN_ORDER


def test_assignments_respect_rights_and_region_scopes(flow):
    admin, rev, zj, hz = (_user(flow, n) for n in ("admin", "rev", "zj", "hz"))
    hangzhou, shanghai = _id(flow, "浙江省杭州市民政局"), _id(flow, "上海市浦东新区人民政府")
    with pytest.raises(NotAllowed):  # a reviewer without the right
        flow.assign([hangzhou], "li", by=rev)
    flow.set_assign_right("rev", True)
    assert flow.assign([hangzhou, shanghai], "li", by=rev) == 2
    flow.set_assign_right("zj", True)
    with pytest.raises(WorkspaceError):  # outside zj's scope: as if it did not exist
        flow.assign([hangzhou, shanghai], "hz", by=zj)
    with pytest.raises(NotAllowed):  # an assignee whose scope is wider than the assigner's
        flow.assign([hangzhou], "li", by=zj)
    with pytest.raises(NotAllowed):  # an assignee who could not see the report
        flow.assign([shanghai], "hz", by=admin)
    with pytest.raises(NotAllowed):  # a viewer is no reviewer
        flow.assign([hangzhou], "view", by=admin)
    assert {u["name"] for u in flow.candidates(zj)} == {"zj", "hz"}
    assert {u["name"] for u in flow.candidates(admin)} == {"admin", "rev", "li", "zj", "hz", "sh"}
    assert flow.assign([hangzhou], "hz", by=zj) == 1
    assert flow.assign([hangzhou], "hz", by=zj) == 0  # unchanged: no audit entry
    assert flow.assignment(hangzhou)["name"] == "hz"
    trail = [a for a in flow.work.audit(hangzhou) if a["action"] == "assign"]
    assert [(a["user"], a["old"], a["new"]) for a in trail] == [("rev", None, "li"), ("zj", "li", "hz")]
    assert flow.assign([hangzhou], None, by=admin) == 1 and flow.assignment(hangzhou) is None
    assert flow.assign_rights()["rev"] and not flow.assign_rights()["li"] and flow.assign_rights()["admin"]
    _ = hz


def test_my_queue_bulk_review_and_the_current_return_comment(flow):
    admin, li = _user(flow, "admin"), _user(flow, "li")
    order = ["北京市财政局", "湖南省长沙市民政局", "安徽省民政厅"]
    for agency in order:  # assigned one after another: the queue keeps that order
        flow.assign([_id(flow, agency)], "li", by=admin)
    queue = flow.queue(li)
    assert [i["agency"] for i in queue.items] == order and flow.queue_size(li) == 3
    ids = [i["id"] for i in queue.items]
    with pytest.raises(WorkspaceError):  # 退回 needs a comment, in bulk as for one
        flow.review_many(ids[:2], "returned", by=li, comment="  ")
    assert flow.review_many(ids[:2], "returned", by=li, comment="表三数据有误，请核实") == 2
    assert flow.review_many([ids[0]], "approved", by=li) == 1
    assert [i["agency"] for i in flow.queue(li).items] == order[1:]  # approved leaves, returned stays
    returned = flow.returns(ids)
    assert set(returned) == {ids[1]} and returned[ids[1]]["comment"] == "表三数据有误，请核实"
    assert returned[ids[1]]["user"] == "li"
    with flow.store.session() as session:
        trail = session.execute(select(AuditRow.report_id, AuditRow.new, AuditRow.comment)
                                .where(AuditRow.action == "review").order_by(AuditRow.id)).all()
    assert [tuple(t) for t in trail] == [(ids[0], "returned", "表三数据有误，请核实"),
                                         (ids[1], "returned", "表三数据有误，请核实"), (ids[0], "approved", None)]
    zj = _user(flow, "zj")
    with pytest.raises(WorkspaceError):  # a report outside the scope refuses the whole batch
        flow.review_many([_id(flow, "浙江省杭州市民政局"), ids[0]], "approved", by=zj)
    assert flow.work.review_status(_id(flow, "浙江省杭州市民政局")) == "pending"
    annotated = flow.annotate(flow.queue(li).items)
    assert annotated[0]["assignee"] == "li" and annotated[0]["returned"]["comment"] == "表三数据有误，请核实"


def test_neighbours_follow_the_list_its_filter_and_sort(flow):
    where = {"province": "浙江省"}
    by_name = [i["id"] for i in flow.work.list_reports(where, sort="agency").items]
    assert len(by_name) == 2
    first = flow.neighbours(by_name[0], where, "agency")
    assert (first.previous, first.next, first.position, first.total) == (None, by_name[1], 1, 2)
    by_errors = [i["id"] for i in flow.work.list_reports({}, sort="errors", descending=True, per_page=100).items]
    middle = flow.neighbours(by_errors[3], {}, "errors", True)
    assert (middle.previous, middle.next, middle.position) == (by_errors[2], by_errors[4], 4)
    elsewhere = flow.neighbours(_id(flow, "北京市财政局"), where, "agency")
    assert elsewhere.position == 0 and elsewhere.next == by_name[0]  # no longer in the list: start it


def test_failed_reads_are_their_own_list_and_scoped(flow):
    store = flow.store
    run = store.start_run(["x"])
    store.record(run, "/tmp/坏文件.pdf", "failed", error={"code": "file.unreadable", "message": "文件已损坏",
                                                           "message_en": "the file is damaged"})
    store.record(run, "/tmp/好文件.txt", "stored", report_id=_id(flow, "北京市财政局"))
    failed = flow.failed_reads(_user(flow, "admin"))
    assert [(f["location"], f["message"], f["message_en"]) for f in failed] == [
        ("/tmp/坏文件.pdf", "文件已损坏", "the file is damaged")]
    assert flow.failed_reads(_user(flow, "zj")) == []  # not uploaded in 浙江省


def test_migration_0004_counts_the_reports_already_stored(db_url):  # noqa: F811
    from alembic import command
    from sqlalchemy import create_engine

    from gknb.store.db import alembic_config, database_url

    store = Store.open(db_url)
    try:
        (text1, first), (text2, second) = two_years()
        store_report(store, first, text1.encode("utf-8"), location="a.txt")
        store_report(store, second, text2.encode("utf-8"), location="b.txt")
        before = _finding_count(store)
        plain = create_engine(database_url(db_url))  # SQLite: foreign keys off, so the downgrade's copies keep the rows
        with plain.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        plain.dispose()
        assert _finding_count(store) == before
        with store.engine.begin() as connection:  # up again, as the store opens it (foreign keys on)
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        assert _finding_count(store) == before > 0  # nothing cascaded away
        _counts_match(store)
        assert Workspace(store).list_reports(sort="errors", descending=True).items[0]["errors"] > 0
    finally:
        store.close()
