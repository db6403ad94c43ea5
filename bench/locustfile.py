"""Locust users of the web API (driven by bench/load.py): reviewers reading and uploading reports.

Each user signs with the API token in ``GKNB_LOAD_TOKEN``. Reads: the report list with filters, one
report, its cell source, the dashboard, a comparison. Writes: uploads of freshly generated reports
(a distinct agency each, so none is a duplicate), whose upload ids are appended to
``GKNB_LOAD_UPLOADS`` for bench/load.py to check that every one was stored.
"""

from __future__ import annotations

import os
import random
import sys
import threading
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from gknb.formats import FORMATS  # noqa: E402
from layouts import random_report, render  # noqa: E402

TOKEN = os.environ["GKNB_LOAD_TOKEN"]
UPLOADS = Path(os.environ["GKNB_LOAD_UPLOADS"])
REPORTS = int(os.environ.get("GKNB_LOAD_REPORTS", "100"))
_LOCK = threading.Lock()
_COUNTER = iter(range(10**9))


def _new_report() -> bytes:
    with _LOCK:
        n = next(_COUNTER)
    rnd = random.Random(f"{os.getpid()}-{n}")
    fmt = FORMATS["2021"]
    text = render(fmt, random_report(fmt, rnd), "tab", rnd, year=2024, agency=f"压测县第{os.getpid()}-{n}号机关")
    return text.encode("utf-8")


class Reviewer(HttpUser):
    """A reviewer's mix: mostly reads, some uploads."""

    wait_time = between(0.05, 0.3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"

    def _some_id(self) -> int:
        return random.randint(1, REPORTS)

    @task(6)
    def list_reports(self) -> None:
        params = random.choice([{}, {"has_errors": "true"}, {"year": 2023}, {"sort": "year", "desc": "true"}])
        self.client.get("/api/reports", params=params, name="/api/reports")

    @task(6)
    def one_report(self) -> None:
        self.client.get(f"/api/reports/{self._some_id()}", name="/api/reports/{id}")

    @task(2)
    def cell_source(self) -> None:
        self.client.get(f"/api/reports/{self._some_id()}/source/requests.new.total", name="/api/reports/{id}/source")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/api/dashboard", name="/api/dashboard")

    @task(1)
    def compare(self) -> None:
        self.client.get("/api/compare", params={"a": self._some_id(), "b": self._some_id()}, name="/api/compare")

    @task(2)
    def upload(self) -> None:
        files = [("files", (f"report-{i}.txt", _new_report(), "text/plain")) for i in range(random.randint(1, 3))]
        with self.client.post("/api/uploads", files=files, name="/api/uploads", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"upload refused: {answer.status_code} {answer.text[:200]}")
                return
            body = answer.json()
            with _LOCK, UPLOADS.open("a", encoding="utf-8") as handle:
                handle.write(f"{body['id']}\t{len(files)}\n")
