"""The workspace layer of the store on SQLite and on a real PostgreSQL 15: listing, corrections with
re-checks (within the report and across years), reviews, accounts and tokens."""

from __future__ import annotations

import pytest

pytest.importorskip("argon2")
from gknb.store import Store  # noqa: E402
from gknb.store.workspace import Workspace, WorkspaceError, parse_value  # noqa: E402
from storehelp import two_years  # noqa: E402


def test_workspace_on_both_databases(db_url: str) -> None:
    (first_text, first), (second_text, second) = two_years("浙江省青山县民政局")
    store = Store.open(db_url)
    try:
        ids = [store.add(report, text.encode("utf-8")).report_id
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
