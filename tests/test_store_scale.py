"""The store at scale, on SQLite and a real PostgreSQL 15: the revision the database keeps, the counts,
filter values and dashboard cached by it (never older than the data), and list pages read from the
end of the list (the same rows as from its start)."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("argon2")
import gknb  # noqa: E402
from gknb.analyze.dashboard import charts  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.write import store_report, store_reports  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.workspace.service import Workspace  # noqa: E402
from layouts import random_report, render  # noqa: E402
from storehelp import two_years  # noqa: E402

AGENCIES = ("浙江省杭州市西湖区教育局", "浙江省杭州市西湖区民政局", "广东省广州市天河区财政局", "四川省成都市武侯区卫生健康局")


def _reports(count: int) -> list[tuple[gknb.Report, bytes]]:
    """``count`` distinct generated 2021-format reports over a few agencies and years."""
    fmt, out = FORMATS["2021"], []
    for n in range(count):
        rnd = random.Random(n)
        text = render(fmt, random_report(fmt, rnd), "tab", rnd, year=2021 + n // len(AGENCIES),
                      agency=AGENCIES[n % len(AGENCIES)], bare_review=False)
        out.append((gknb.read(text.encode("utf-8"), name=f"{n}.txt"), text.encode("utf-8")))
    return out


def test_every_write_changes_the_revision_and_cached_figures_follow(db_url: str) -> None:
    (first_text, first), (second_text, second) = two_years("浙江省青山县民政局")
    store = Store.open(db_url)
    try:
        work = Workspace(store)
        seen = [store.revision()]
        first_id = store_report(store, first, first_text.encode("utf-8")).report_id
        seen.append(store.revision())
        before = work.list_reports()
        assert (before.total, before.by_status["pending"]) == (1, 1)
        assert work.facets()["year"] == [2022]
        assert charts(store)["by_year"]["rows"][0][0] == 2022

        second_id = store_report(store, second, second_text.encode("utf-8")).report_id
        seen.append(store.revision())
        listing = work.list_reports()
        assert listing.total == 2 and listing.with_errors == 1  # the cross-year break of the second year
        assert work.facets()["year"] == [2022, 2023]
        assert [row[0] for row in charts(store)["by_year"]["rows"]] == [2022, 2023]

        work.set_review(first_id, "approved", user="li")
        seen.append(store.revision())
        assert work.list_reports().by_status == {"pending": 1, "approved": 1, "returned": 0}

        assert [i["id"] for i in work.list_reports({"has_errors": True}).items] == [second_id]
        carry = next(f for f in store.load(second_id).findings if f.rule == "crossyear.carry_over")
        cells = store.load(first_id).cells
        for key in (carry.cells[0].replace("carried_over", "carry_forward"), "requests.carry_forward.total"):
            work.correct_cell(first_id, key, str(cells[key] + 1), user="li", comment="核对原件")
            seen.append(store.revision())
        # the break is closed; the first year's own totals no longer add up (as in test_workspace)
        assert [i["id"] for i in work.list_reports({"has_errors": True}).items] == [first_id]
        assert work.list_reports({"has_errors": False}).total == 1

        store.set_agency("浙江省青山县民政局", level="county")
        seen.append(store.revision())
        assert work.facets()["level"] == ["county"]
        assert len(set(seen)) == len(seen), seen  # each write gave a new revision
    finally:
        store.close()


def test_a_page_read_from_the_end_is_the_page_read_from_the_start(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        store_reports(store, [gknb.store.store.Entry(report, raw) for report, raw in _reports(11)])
        store.optimize()
        work = Workspace(store)
        for sort, descending in (("agency", False), ("year", True), ("province", False)):
            whole = work.list_reports(sort=sort, descending=descending, per_page=100).items
            pages = [work.list_reports(sort=sort, descending=descending, page=p, per_page=3).items
                     for p in range(1, 6)]
            assert [len(p) for p in pages] == [3, 3, 3, 2, 0]
            assert [i["id"] for p in pages for i in p] == [i["id"] for i in whole], (sort, descending)
            assert pages[3] == whole[9:]
        agency = work.list_reports({"agency": AGENCIES[1]}, sort="year", page=2, per_page=2)
        assert [i["year"] for i in agency.items] == [2023] and agency.total == 3
    finally:
        store.close()
