"""The drafting and 备案 API and pages through FastAPI's test client on a real SQLite store: roles, unit
and region scopes (404 outside), CSRF, 409 on a stale edit, the token path an agency's own system
uses, the pages' headings and guidance from the format declaration, OpenAPI."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from gknb.formats import FORMATS  # noqa: E402
from gknb.web.app import create_app  # noqa: E402
from test_drafts import AGENCY, PASSWORD, PROBLEMS_2024, SECTIONS_2025, next_year, stored_2024, typed  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    folder = tmp_path_factory.mktemp("drafts-web")
    app = create_app(f"sqlite:///{folder / 'gknb.db'}", upload_dir=folder / "uploads")
    work = app.state.workspace
    work.add_user("admin", PASSWORD, role="admin")
    work.add_user("tian", PASSWORD, role="agency")
    work.add_user("other-unit", PASSWORD, role="agency")
    work.add_user("xihu", PASSWORD, role="reviewer", region="西湖区")
    work.add_user("gz", PASSWORD, role="reviewer", region="广州市")
    work.add_user("view", PASSWORD, role="viewer")
    previous = stored_2024(work.store)
    with TestClient(app) as client:
        yield client, {"previous": previous, "work": work}


def sign_in(client: TestClient, name: str) -> tuple[str, str]:
    """Sign in through the form: (the CSRF token of the new session, the page landed on)."""
    client.cookies.clear()
    form = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"})
    assert answer.status_code == 200, answer.text
    return re.search(r'name="csrf-token" content="([^"]+)"', answer.text).group(1), str(answer.url)


def test_drafting_and_filing_through_the_api(site: tuple[TestClient, dict]) -> None:
    client, ctx = site
    csrf, _ = sign_in(client, "admin")
    assert client.put("/api/users/tian/unit", json={"agency": AGENCY}, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.put("/api/users/other-unit/unit", json={"agency": "浙江省杭州市西湖区财政局"},
                      headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.put("/api/users/xihu/unit", json={"agency": AGENCY}, headers={"X-CSRF-Token": csrf}).status_code == 400

    csrf, landed = sign_in(client, "tian")
    assert landed.endswith("/drafts")  # a 填报人 starts at the drafts, not the report list
    assert client.get("/").status_code == 403
    assert client.post("/api/drafts", json={"year": 2025}).status_code == 403  # no CSRF token
    created = client.post("/api/drafts", json={"year": 2025}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    draft = created.json()
    fmt = FORMATS[draft["template"]]
    page = client.get(f"/drafts/{draft['id']}").text
    for section in fmt.sections:  # headings and guidance from the declaration
        assert section.heading in page and section.guidance in page
    assert PROBLEMS_2024 in page and 'id="last-year-problems"' in page
    assert page.count('class="cell-input"') == len(fmt.cell_keys())
    assert "<script>" not in page and "onclick" not in page  # CSP: script-src 'self', no inline scripts

    cells = next_year(ctx["previous"])
    broken = typed(cells, draft["content"]["auto"])
    broken["requests.carry_forward.natural_person"] = str(cells["requests.carry_forward.natural_person"] + 3)
    content = {**draft["content"], "cells": broken, "sections": SECTIONS_2025}
    saved = client.put(f"/api/drafts/{draft['id']}", json={"revision": draft["revision"], "content": content},
                       headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text
    flagged = [f for f in saved.json()["findings"] if "requests.carry_forward.natural_person" in f["cells"]]
    assert "identity.balance" in {f["rule"] for f in flagged} and all(f["labels"] for f in flagged)
    stale = client.put(f"/api/drafts/{draft['id']}", json={"revision": draft["revision"], "content": content},
                       headers={"X-CSRF-Token": csrf})
    assert stale.status_code == 409 and stale.json()["detail"]["revision"] == saved.json()["revision"]
    bad_value = {**content, "cells": {**broken, "disclosure.licensing.decisions": "十二"}}
    answer = client.put(f"/api/drafts/{draft['id']}", json={"revision": saved.json()["revision"],
                                                             "content": bad_value}, headers={"X-CSRF-Token": csrf})
    assert "data.bad_value" in {f["rule"] for f in answer.json()["findings"]
                                if "disclosure.licensing.decisions" in f["cells"]}  # named beside the cell

    # an agency's own system: an API token made on the 账户 page; no cookie, no CSRF
    assert client.get("/account").status_code == 200
    made = client.post("/api/tokens", json={"name": "单位系统"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    token = made.json()["token"]
    api = {"Authorization": f"Bearer {token}"}
    fixed = {**content, "cells": typed(cells, draft["content"]["auto"])}
    answer = client.put(f"/api/drafts/{draft['id']}", json={"revision": answer.json()["revision"], "content": fixed},
                        headers=api)
    assert answer.status_code == 200 and not [f for f in answer.json()["findings"] if f["severity"] == "error"]
    docx = client.get(f"/api/drafts/{draft['id']}/export/docx", headers=api)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.post(f"/api/drafts/{draft['id']}/submit", json={}, headers=api).json()["status"] == "submitted"

    # outside the unit or the region: 404, whatever the role; a viewer sees no drafts
    for outsider in ("other-unit", "gz", "view"):
        other_csrf, _ = sign_in(client, outsider)
        assert client.get(f"/api/drafts/{draft['id']}").status_code == 404
        assert client.get(f"/drafts/{draft['id']}").status_code == 404
        assert client.post(f"/api/drafts/{draft['id']}/approve", json={},
                           headers={"X-CSRF-Token": other_csrf}).status_code in (403, 404)
    assert client.get("/drafts").status_code == 403  # the viewer
    assert client.get("/api/drafts/99999999999").status_code == 422

    csrf, _ = sign_in(client, "xihu")
    queue = client.get("/drafts").text
    assert 'id="queue"' in queue and AGENCY in queue
    assert client.put(f"/api/drafts/{draft['id']}", json={"revision": 0, "content": fixed},
                      headers={"X-CSRF-Token": csrf}).status_code == 403  # the office does not edit
    returned = client.post(f"/api/drafts/{draft['id']}/return", headers={"X-CSRF-Token": csrf},
                           json={"cells": {"requests.new.natural_person": "自然人申请数与登记台账不符"}})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"

    csrf, _ = sign_in(client, "tian")
    page = client.get(f"/drafts/{draft['id']}").text
    assert "自然人申请数与登记台账不符" in page and 'id="return-notes"' in page

    spec = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/drafts", "/api/drafts/{draft_id}", "/api/drafts/{draft_id}/import",
                 "/api/drafts/{draft_id}/export/{medium}", "/api/drafts/{draft_id}/submit",
                 "/api/drafts/{draft_id}/return", "/api/drafts/{draft_id}/approve",
                 "/api/drafts/{draft_id}/publish", "/api/users/{name}/unit"):
        assert path in spec, path
