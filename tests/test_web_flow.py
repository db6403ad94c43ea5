"""The reviewer's workflow through the REST API and the pages (FastAPI's test client, real SQLite
store): assignments, my queue, bulk 已审核/退回, 上一份/下一份, sorting by counts, the corrections
filter, search, the current 退回意见, failed reads. The store side on PostgreSQL too: test_review_flow.py."""

from __future__ import annotations

import html as htmllib
import re
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("pypinyin")
from fastapi.testclient import TestClient  # noqa: E402

from gknb.pipeline.write import store_reports  # noqa: E402
from gknb.store.store import Entry  # noqa: E402
from gknb.web.app import create_app  # noqa: E402
from test_review_flow import UNITS, _report  # noqa: E402

PASSWORD = "flow-web-pass-1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    folder = tmp_path_factory.mktemp("flow-web")
    app = create_app(f"sqlite:///{folder / 'gknb.db'}", upload_dir=folder / "uploads")
    work = app.state.workspace
    entries = []
    for n, (agency, broken) in enumerate(UNITS):
        text, report = _report(agency, 2023, n, broken)
        entries.append(Entry(report, text.encode("utf-8"), location=f"{agency}.txt"))
    store_reports(work.store, entries)
    work.add_user("admin", PASSWORD, role="admin")
    work.add_user("rev", PASSWORD, role="reviewer")
    work.add_user("li", PASSWORD, role="reviewer")
    work.add_user("zj", PASSWORD, role="reviewer", region="浙江省")
    work.add_user("sh", PASSWORD, role="reviewer", region="上海市")
    work.add_user("view", PASSWORD, role="viewer")
    ids = {agency: work.store.report_ids({"agency": agency})[0] for agency, _ in UNITS}
    with TestClient(app) as client:
        yield client, {"ids": ids, "work": work}


def sign_in(client: TestClient, name: str) -> dict[str, str]:
    """Sign in through the login form; the CSRF header of the new session."""
    client.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": re.search(r'name="csrf-token" content="([^"]+)"', answer.text).group(1)}


def detail(answer) -> dict:
    body = answer.json()["detail"]
    assert body["code"] and body["message"] and body["message_en"], body
    return body


def test_assignment_rights_scopes_and_my_queue(site) -> None:
    client, ctx = site
    ids = ctx["ids"]
    hangzhou, beijing, anhui = ids["浙江省杭州市民政局"], ids["北京市财政局"], ids["安徽省民政厅"]
    headers = sign_in(client, "rev")
    refused = client.post("/api/assignments", json={"report_ids": [beijing], "assignee": "li"}, headers=headers)
    assert refused.status_code == 403 and detail(refused)["code"] == "workspace.not_allowed"
    assert client.get("/api/assignees").json() == []
    headers = sign_in(client, "admin")
    assert client.put("/api/users/rev/assign-right", json={"allowed": True}, headers=headers).status_code == 200
    assert 'class="assign-right" data-name="rev" checked' in client.get("/users").text
    headers = sign_in(client, "rev")
    assert {u["name"] for u in client.get("/api/assignees").json()} == {"admin", "rev", "li", "zj", "sh"}
    for report_id in (beijing, anhui, hangzhou):
        answer = client.post("/api/assignments", json={"report_ids": [report_id], "assignee": "li"}, headers=headers)
        assert answer.status_code == 200 and answer.json()["changed"] == 1
    wrong = client.post("/api/assignments", json={"report_ids": [hangzhou], "assignee": "sh"}, headers=headers)
    assert wrong.status_code == 403  # sh (上海市) could not see the 浙江 report
    headers = sign_in(client, "li")
    queue = client.get("/api/queue").json()
    assert [i["id"] for i in queue["items"]] == [beijing, anhui, hangzhou] and queue["total"] == 3
    assert all(i["assignee"] == "li" for i in queue["items"])
    page = client.get("/queue").text
    assert "我的待审" in page and '<b class="nav-count">3</b>' in page
    assert f'href="/reports/{beijing}?from=queue"' in page
    report = client.get(f"/reports/{anhui}?from=queue").text  # 上一份/下一份 follow the queue
    assert f'href="/reports/{beijing}?from=queue"' in report and f'href="/reports/{hangzhou}?from=queue"' in report
    assert "我的待审中第 <b>2</b> / 3 份" in report and "审核人：<b>li</b>" in report
    headers = sign_in(client, "zj")
    assert client.get(f"/reports/{beijing}?from=queue").status_code == 404  # the scope first
    out = client.post("/api/assignments", json={"report_ids": [beijing], "assignee": None}, headers=headers)
    assert out.status_code == 404  # outside zj's scope: as if it did not exist, before any right is asked
    headers = sign_in(client, "view")
    assert client.post("/api/assignments", json={"report_ids": [beijing], "assignee": "li"},
                       headers=headers).status_code == 403


def test_bulk_review_needs_a_comment_to_return_and_is_audited(site) -> None:
    client, ctx = site
    ids = ctx["ids"]
    chosen = [ids["重庆市民政局"], ids["湖南省长沙市民政局"]]
    headers = sign_in(client, "rev")
    blank = client.post("/api/reviews", json={"report_ids": chosen, "status": "returned"}, headers=headers)
    assert blank.status_code == 400 and detail(blank)["message"] == "退回时请写明原因"
    answer = client.post("/api/reviews", json={"report_ids": chosen, "status": "returned",
                                               "comment": "表三 <b>第（二）项</b> 有误"}, headers=headers)
    assert answer.status_code == 200 and answer.json()["decided"] == 2
    for report_id in chosen:
        trail = client.get(f"/api/reports/{report_id}/audit").json()
        assert (trail[-1]["action"], trail[-1]["new"], trail[-1]["comment"]) == ("review", "returned",
                                                                                 "表三 <b>第（二）项</b> 有误")
    page = client.get(f"/reports/{chosen[0]}").text  # the current 退回意见, escaped
    assert 'id="return-comment">表三 &lt;b&gt;第（二）项&lt;/b&gt; 有误</span>' in page
    listing = client.get("/?review_status=returned").text  # and as a hint in the list
    assert listing.count("退回意见：表三 &lt;b&gt;") == 2
    client.post("/api/reviews", json={"report_ids": [chosen[0]], "status": "approved"}, headers=headers)
    assert 'id="return-note"' not in client.get(f"/reports/{chosen[0]}").text  # no longer returned
    headers = sign_in(client, "zj")  # a report outside the scope: 404 for the whole batch, nothing changed
    mixed = client.post("/api/reviews", json={"report_ids": [ids["浙江省杭州市民政局"], chosen[1]],
                                              "status": "approved"}, headers=headers)
    assert mixed.status_code == 404
    assert client.get(f"/api/reports/{ids['浙江省杭州市民政局']}").json()["review_status"] == "pending"
    assert client.post("/api/reviews", json={"report_ids": [], "status": "approved"}, headers=headers).status_code == 422
    many = client.post("/api/reviews", json={"report_ids": list(range(1, 502)), "status": "approved"}, headers=headers)
    assert many.status_code == 422


def test_sort_by_counts_pinyin_names_search_and_the_corrections_filter(site) -> None:
    client, ctx = site
    ids = ctx["ids"]
    headers = sign_in(client, "rev")
    by_errors = client.get("/api/reports?sort=errors&desc=true").json()["items"]
    errors = [i["errors"] for i in by_errors]
    assert errors == sorted(errors, reverse=True) and errors[0] > 0
    assert {i["agency"] for i in by_errors if i["errors"]} == {a for a, broken in UNITS if broken}
    warnings = [i["warnings"] for i in client.get("/api/reports?sort=warnings").json()["items"]]
    assert warnings == sorted(warnings)
    names = [i["agency"] for i in client.get("/api/reports?sort=agency").json()["items"]]
    assert names[:4] == ["安徽省民政厅", "北京市财政局", "重庆市民政局", "湖南省长沙市民政局"]
    found = {i["agency"] for i in client.get(f"/api/reports?search={quote('浦东')}").json()["items"]}
    assert found == {"上海市浦东新区人民政府", "上海市浦东新区陆家嘴街道办事处"}
    page = client.get(f"/?search={quote('陆家嘴')}").text
    assert "上海市浦东新区陆家嘴街道办事处" in page and "上海市浦东新区人民政府" not in page
    target = ids["北京市财政局"]
    report = client.get(f"/api/reports/{target}").json()
    key = next(k for k, v in report["cells"].items() if isinstance(v, int))
    answer = client.put(f"/api/reports/{target}/cells/{key}", json={"value": str(report["cells"][key] + 1),
                        "comment": "按原件更正", "revision": report["revision"]}, headers=headers)
    assert answer.status_code == 200
    corrected = client.get("/api/reports?corrected=true").json()["items"]
    assert [i["id"] for i in corrected] == [target]
    assert target not in [i["id"] for i in client.get("/api/reports?corrected=false").json()["items"]]
    assert 'option value="true" selected>有人工更正' in client.get("/?corrected=true").text
    kept = client.get(f"/api/reports?search={quote('北京')}").json()["items"][0]
    assert kept["errors"] == len([f for f in client.get(f"/api/reports/{target}").json()["findings"]
                                  if f["severity"] == "error"])  # the kept count followed the correction


def test_the_list_filters_offer_every_value_stored_with_the_chosen_one_selected(site) -> None:
    client, _ = site
    sign_in(client, "view")
    facets = client.get("/api/facets").json()
    assert len(facets["county"]) >= 2 and len(facets["city"]) >= 2

    def offered(page: str, name: str) -> list[tuple[str, bool, str]]:
        block = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
        return [(htmllib.unescape(v), bool(chosen), htmllib.unescape(text)) for v, chosen, text in
                re.findall(r'<option value="([^"]*)" ?(selected)?>([^<]*)</option>', block)]

    plain = client.get("/").text
    for name in ("province", "city", "county", "year", "template"):
        assert [v for v, _, _ in offered(plain, name)] == ["", *map(str, facets[name])], name
        assert not any(chosen for _, chosen, _ in offered(plain, name)), name
    assert ("2021", False, "2021 版格式") in offered(plain, "template")
    assert [text for _, _, text in offered(plain, "review_status")] == ["全部", "待审核", "已审核", "退回"]
    county, year = facets["county"][1], facets["year"][0]
    chosen = client.get("/?" + urlencode({"county": county, "year": year})).text
    assert [v for v, picked, _ in offered(chosen, "county") if picked] == [county]
    assert [v for v, picked, _ in offered(chosen, "year") if picked] == [str(year)]
    assert [v for v, picked, _ in offered(chosen, "city") if picked] == []
    assert offered(chosen, "county") == [(v, v == county, v or "全部") for v in ["", *facets["county"]]]


def test_previous_and_next_follow_the_list_filter_and_sort(site) -> None:
    client, _ = site
    sign_in(client, "rev")
    listing = client.get("/?sort=errors&desc=1&province=" + quote("浙江省")).text
    links = re.findall(r'<a href="(/reports/(\d+)\?from=[^"]+)"', listing)
    assert len(links) == 2
    (first_url, first_id), (_, second_id) = links
    report = client.get(htmllib.unescape(first_url)).text
    assert "列表中第 <b>1</b> / 2 份" in report
    nxt = re.search(r'id="next-report" href="([^"]+)"', report).group(1)
    assert nxt.startswith(f"/reports/{second_id}?from=") and "sort%3Derrors" in nxt
    answer = client.get(f"/api/reports/{second_id}/neighbours", params={"from": "sort=errors&desc=1&province=浙江省"})
    assert answer.json() == {"previous": int(first_id), "next": None, "position": 2, "total": 2}
    assert 'id="walk"' not in client.get(f"/reports/{first_id}").text  # opened from nowhere: no walk
    bad = client.get(f"/api/reports/{second_id}/neighbours", params={"from": "year=abc"})
    assert bad.status_code == 422 and detail(bad)


def test_failed_reads_have_their_own_list(site) -> None:
    client, _ = site
    headers = sign_in(client, "zj")
    files = [("files", ("说明.txt", "这不是年度报告，只是一份说明。".encode(), "text/plain"))]
    upload = client.post("/api/uploads", files=files, headers=headers).json()
    for _ in range(600):
        if client.get(f"/api/uploads/{upload['id']}").json()["state"] == "done":
            break
        time.sleep(0.1)
    failed = client.get("/api/failed").json()
    assert [f["location"] for f in failed] == ["说明.txt"] and failed[0]["message"] and failed[0]["message_en"]
    page = client.get("/failed").text
    assert "说明.txt" in page and failed[0]["message_en"] in page
    assert "说明.txt" not in client.get("/").text  # not mixed with the reports
    sign_in(client, "sh")
    assert client.get("/api/failed").json() == []  # another region's upload
    sign_in(client, "admin")
    assert [f["location"] for f in client.get("/api/failed").json()] == ["说明.txt"]


def test_openapi_documents_the_workflow(site) -> None:
    client, _ = site
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/assignments", "/api/assignees", "/api/queue", "/api/reviews",
                 "/api/reports/{report_id}/neighbours", "/api/failed", "/api/users/{name}/assign-right"):
        assert path in paths, path
    parameters = {p["name"] for p in paths["/api/reports"]["get"]["parameters"]}
    assert {"corrected", "assignee", "search"} <= parameters
