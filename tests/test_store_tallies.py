"""The tallies the store keeps on write (gknb.store.tallies, migration 0007), on SQLite and a real
PostgreSQL 15: after a mix of writes — ingest, a new version at a known location, review decisions,
cell and meta corrections, an agency's region corrected, a report deleted — the report list's counts
and filter values and the dashboard drawn from them equal a full recount; a writer still in progress
while a reader applies the log is counted by the next reader; a store made before 0007 is counted
once on upgrade. And the PostgreSQL revision: a writer committing after a later one still changes it."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import create_engine, delete, text

pytest.importorskip("argon2")
import gknb  # noqa: E402
from gknb.analyze.dashboard import _recounted_charts, charts, refresh_tallies  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.write import store_report, store_reports  # noqa: E402
from gknb.store import Store, review  # noqa: E402
from gknb.store.db import alembic_config, database_url  # noqa: E402
from gknb.store.models import ReportRow  # noqa: E402
from gknb.store.store import Entry  # noqa: E402
from gknb.workspace.service import Workspace  # noqa: E402
from layouts import random_report, render  # noqa: E402

AGENCIES = ("浙江省杭州市西湖区教育局", "浙江省杭州市西湖区民政局", "广东省广州市天河区财政局", "四川省成都市武侯区卫生健康局",
            "某某单位")  # the last: no region, no level (the 未识别 buckets)


def _report(n: int, agency: str | None = None, year: int | None = None) -> tuple[gknb.Report, bytes]:
    fmt, rnd = FORMATS["2021"], random.Random(n)
    text_ = render(fmt, random_report(fmt, rnd), "tab", rnd, year=year or 2020 + n % 4,
                   agency=agency or AGENCIES[n % len(AGENCIES)], bare_review=False)
    return gknb.read(text_.encode("utf-8"), name=f"{n}.txt"), text_.encode("utf-8")


def _recounted(store: Store, work: Workspace) -> tuple[object, ...]:
    """The list's counts, filter values and dashboard recounted over the reports."""
    with store.session() as session:
        facets = review.facets(session, store.conditions({}))
    return work._counts(store.conditions({})), facets, _recounted_charts(store, {})


def _tallied(store: Store, work: Workspace) -> tuple[object, ...]:
    return work._tallied_counts(), work._facets({}), charts(store)


def _assert_tallies_match(store: Store, work: Workspace) -> None:
    tallied, recounted = _tallied(store, work), _recounted(store, work)
    assert tallied == recounted
    assert work.list_reports().total == recounted[0][0]  # through the cached path too


def test_tallies_equal_a_recount_after_a_mix_of_writes(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        work = Workspace(store)
        written = store_reports(store, [Entry(*_report(n)) for n in range(14)])
        ids = [added.report_id for added in written]
        _assert_tallies_match(store, work)
        assert refresh_tallies(store) == 0  # nothing changed since: nothing recounted

        changed, raw = _report(100, agency=AGENCIES[0], year=2021)  # new content at a known location
        store_report(store, changed, raw, location=store.load(ids[0]).source.path)
        work.set_review(ids[1], "approved", user="li")
        work.set_review(ids[2], "returned", user="li", comment="请核对")
        cells = store.load(ids[3]).cells
        work.correct_cell(ids[3], "requests.new.total", str(cells["requests.new.total"] + 7), user="li",
                          comment="核对原件")  # an identity breaks: an error where there was none
        _assert_tallies_match(store, work)
        work.correct_cell(ids[3], "requests.new.total", str(cells["requests.new.total"] + 9), user="li",
                          comment="再次核对")  # still an error: only the cell's trigger logs the change
        work.correct_meta(ids[4], "year", "2019", user="li", comment="核对原件")
        work.correct_meta(ids[5], "agency", "浙江省宁波市鄞州区财政局", user="li", comment="核对原件")
        store.set_agency(AGENCIES[2], province="浙江省", level="county")
        _assert_tallies_match(store, work)

        with store.session.begin() as session:  # a delete, as an administrator would in SQL
            session.execute(delete(ReportRow).where(ReportRow.id == ids[6]))
        store_report(store, *_report(200))
        _assert_tallies_match(store, work)
        assert work.list_reports().total == 14
    finally:
        store.close()


def test_a_writer_in_progress_is_counted_by_the_next_reader(postgres_db: str) -> None:
    """PostgreSQL: a report written by another transaction while a reader applies the log (as by a
    ``gknb worker``) is in the tallies of the next reader, and the revision changes when it commits."""
    store = Store.open(postgres_db)
    try:
        work = Workspace(store)
        store_reports(store, [Entry(*_report(n)) for n in range(4)])
        _assert_tallies_match(store, work)
        session = store.session()
        transaction = session.begin()
        store.write(session, [Entry(*_report(50))])  # uncommitted: its log row is not visible yet
        other = store_report(store, *_report(51)).report_id  # a later writer commits first
        before = store.revision()
        tallied = _tallied(store, work)
        assert tallied[0][0] == 5  # the committed one only
        transaction.commit()
        session.close()
        assert store.revision() != before  # committed below the newest id: the revision still changes
        assert _tallied(store, work) == _recounted(store, work)
        assert work.list_reports().total == 6 and other in store.report_ids()
    finally:
        store.close()


def test_a_store_made_before_the_tallies_is_counted_on_upgrade(db_url: str) -> None:
    engine = create_engine(database_url(db_url))
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        from alembic import command
        command.upgrade(config, "0006")
    old = Store(engine)
    store_reports(old, [Entry(*_report(n)) for n in range(6)])
    engine.dispose()
    store = Store.open(db_url)  # upgrades to the tallies
    try:
        work = Workspace(store)
        _assert_tallies_match(store, work)
        assert work.list_reports().total == 6
    finally:
        store.close()


def test_the_revision_table_keeps_one_row_after_optimize(postgres_db: str) -> None:
    store = Store.open(postgres_db)
    try:
        for n in range(3):
            store_report(store, *_report(n))
        revision = store.revision()
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM store_changes")).scalar_one() >= 3
        store.optimize()
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM store_changes")).scalar_one() == 1
        assert store.revision() == revision
    finally:
        store.close()


@pytest.fixture
def postgres_db(postgres_server: tuple[str, list[str]]) -> str:
    from storehelp import new_postgres_db
    return new_postgres_db(postgres_server)
