"""Accepted uploads survive a kill -9 of the server, its workers do not outlive it, and the temporary
upload folders do not outlive the uploads.

A real ``gknb serve`` on a fresh SQLite store: one upload is a URL whose server holds the answer
(the worker stays busy fetching), a second one has report files and a zip behind it. The server is
killed with SIGKILL while the first is being read; every acknowledged upload must be in the store,
the worker gone; started again, the server takes both up and answers every file and zip member.
Both servers keep their upload folder in the test's own temporary folder (``TMPDIR``): once the
uploads are done and the second server has stopped, no ``gknb-uploads-*`` folder is left there.
"""

from __future__ import annotations

import http.server
import io
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gknb.formats import FORMATS
from layouts import random_report, render

PASSWORD = "durable-Admin-口令-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _report(seed: int, agency: str, year: int = 2023) -> bytes:
    fmt = FORMATS["2021"]
    rnd = random.Random(seed)
    return render(fmt, random_report(fmt, rnd), "tab", rnd, year=year, agency=agency, bare_review=False).encode()


@pytest.fixture
def slow_site() -> Iterator[tuple[str, threading.Event]]:
    """A site whose one page is answered only once the gate opens (at most 120 s)."""
    gate = threading.Event()
    page = _report(99, "浙江省宁波市财政局")

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            gate.wait(120)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_address[1]}/report.txt", gate
    gate.set()
    site.shutdown()
    site.server_close()


def _serve(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    temporary = db.parent / "tmp"  # the server's temporary folder: its upload folder is made there
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "GKNB_ADMIN_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1", "TMPDIR": str(temporary)}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "gknb", "serve", "--db", f"sqlite:///{db}", "--port", str(port),
                                    "--allow-private-urls"], stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a bound on start-up (a loaded machine), not a timing assertion
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/login", timeout=5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"gknb serve did not start:\n{log.read_text(errors='replace')}")


def _signed_in(url: str) -> tuple[httpx.Client, dict[str, str]]:
    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    page = client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf": csrf}, follow_redirects=True)
    return client, {"X-CSRF-Token": re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)}


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_kill_9_loses_no_accepted_upload_and_leaves_no_worker(tmp_path: Path, slow_site) -> None:
    slow_url, gate = slow_site
    db, log = tmp_path / "gknb.db", tmp_path / "serve.log"
    process, url = _serve(db, log)
    try:
        client, headers = _signed_in(url)
        first = client.post("/api/uploads", data={"urls": slow_url}, headers=headers).json()
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w") as archive:
            for n in range(5):
                archive.writestr(f"zip/{n}.txt", _report(200 + n, f"浙江省温州市{'一二三四五'[n]}局"))
        files = [("files", (f"{n}.txt", _report(100 + n, f"江苏省南京市{'甲乙丙'[n]}局"), "text/plain")) for n in range(3)]
        second = client.post("/api/uploads", headers=headers,
                             files=[*files, ("files", ("批量.zip", bundle.getvalue(), "application/zip"))]).json()
        accepted = [first["id"], second["id"]]
        for _ in range(300):  # until the worker is busy with the slow URL
            if client.get(f"/api/uploads/{first['id']}").json()["state"] == "running" or _children(process.pid):
                break
            time.sleep(0.1)
        time.sleep(1.0)
        workers = [pid for pid in _children(process.pid)
                   if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert workers, "a worker should be reading the slow URL"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    for _ in range(300):  # a bound on noticing the server is gone (a loaded machine), not a timing assertion
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker outlived the killed server"
    with sqlite3.connect(db) as raw:
        recorded = dict(raw.execute("SELECT id, state FROM uploads").fetchall())
    assert set(accepted) <= set(recorded) and all(recorded[i] != "done" for i in accepted)

    gate.set()
    process, url = _serve(db, log)
    try:
        client, _headers = _signed_in(url)
        for upload_id in accepted:
            for _ in range(600):
                state = client.get(f"/api/uploads/{upload_id}").json()
                if state["state"] == "done":
                    break
                time.sleep(0.2)
            assert state["state"] == "done", state
            assert all(f["status"] in ("stored", "duplicate", "unpacked") for f in state["files"]), state
        files = {f["name"]: f for f in client.get(f"/api/uploads/{second['id']}").json()["files"]}
        assert {m["name"]: m["status"] for m in files["批量.zip"]["members"]} == {f"zip/{n}.txt": "stored" for n in range(5)}
        assert client.get("/api/reports", params={"per_page": 100}).json()["total"] == 1 + 3 + 5
    finally:
        process.terminate()
        process.wait(20)
    assert not list((tmp_path / "tmp").glob("gknb-uploads-*")), "an upload folder outlived its uploads"


def test_the_temporary_upload_folder_is_removed_when_the_app_stops(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from gknb.web.app import create_app

    app = create_app(f"sqlite:///{tmp_path / 'gknb.db'}")  # no upload folder given: a temporary one
    app.state.workspace.add_user("admin", PASSWORD, role="admin")
    folder = app.state.uploads.directory
    assert folder.is_dir() and folder.name.startswith("gknb-uploads-")
    with TestClient(app) as client:
        form = client.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        page = client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf": csrf})
        headers = {"X-CSRF-Token": re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)}
        upload = client.post("/api/uploads", headers=headers,
                             files=[("files", ("a.txt", _report(7, "江苏省南京市民政局"), "text/plain"))]).json()
        for _ in range(600):
            state = client.get(f"/api/uploads/{upload['id']}").json()
            if state["state"] == "done":
                break
            time.sleep(0.1)
        assert state["files"][0]["status"] == "stored", state
    assert not folder.exists(), "the temporary upload folder outlived the app"
