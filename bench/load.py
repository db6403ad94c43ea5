"""Load test of the web API on loopback: concurrent uploads and reads, bounded in users and time.

    python bench/load.py [--reports 1000] [--users 20] [--seconds 60] [--jobs 1]

Builds a SQLite store of generated reports, starts ``gknb serve`` on a free port, runs locust headless
(bench/locustfile.py) against it, waits for every accepted upload to be ingested, then checks that no
upload was lost (each file stored: the store gained exactly the uploaded reports) and writes requests/s,
p50/p95/p99 per endpoint and the error count to bench/out/load.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from bench_store import agencies  # noqa: E402

from gknb.formats import FORMATS  # noqa: E402
from gknb.pipeline.bulk import ingest  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.workspace.service import Workspace  # noqa: E402
from layouts import random_report, render  # noqa: E402

OUT = ROOT / "bench" / "out"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_store(folder: Path, reports: int) -> tuple[str, str]:
    """A store of ``reports`` generated reports (some with a planted error); its URL and an API token.

    Each agency (a unit of a county of the division table, with its prefecture: 杭州市西湖区教育局)
    has two years, so gknb reads ``reports / 2`` distinct agencies over every province."""
    fmt = FORMATS["2021"]
    source = folder / "reports"
    source.mkdir()
    names = agencies(-(-reports // 2), random.Random(0))
    for n in range(reports):
        rnd = random.Random(n)
        cells = random_report(fmt, rnd)
        if n % 7 == 0:
            cells["requests.new.natural_person"] += 1
        agency = names[n // 2]
        text = render(fmt, cells, "tab", rnd, year=2022 + n % 2, agency=agency)
        (source / f"{n:06d}.txt").write_text(text, encoding="utf-8")
    url = f"sqlite:///{folder / 'load.db'}"
    store = Store.open(url)
    ingest(store, [str(source)], jobs=os.cpu_count() or 1)
    work = Workspace(store)
    work.add_user("load", "load-test-password", role="reviewer")
    token = work.create_token("load", "load test")
    store.close()
    return url, token


def stored_reports(url: str) -> int:
    store = Store.open(url)
    try:
        return len(store.report_ids())
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1000, help="reports in the store before the test")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--seconds", type=int, default=60, help="duration of the load")
    parser.add_argument("--jobs", type=int, default=1, help="processes reading uploads in the server")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gknb-load-"))
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        print(f"building a store of {args.reports} reports …", flush=True)
        url, token = build_store(folder, args.reports)
        before = stored_reports(url)
        port = _free_port()
        env = {**os.environ, "GKNB_DB": url, "GKNB_ADMIN_PASSWORD": "load-admin-password"}
        server = subprocess.Popen([sys.executable, "-m", "gknb", "serve", "--port", str(port), "--jobs", str(args.jobs)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        uploads = folder / "uploads.tsv"
        uploads.touch()
        load_env = {**os.environ, "GKNB_LOAD_TOKEN": token, "GKNB_LOAD_UPLOADS": str(uploads),
                    "GKNB_LOAD_REPORTS": str(before)}
        started = time.monotonic()
        subprocess.run(["locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", base,
                        "-u", str(args.users), "-r", str(max(args.users // 4, 1)), "-t", f"{args.seconds}s",
                        "--csv", str(folder / "locust"), "--only-summary", "--loglevel", "WARNING"],
                       env=load_env, check=False)
        load_seconds = time.monotonic() - started
        accepted = [line.split("\t") for line in uploads.read_text(encoding="utf-8").splitlines() if line]
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 600
        statuses: dict[str, int] = {}
        for upload_id, _count in accepted:
            while True:
                state = httpx.get(f"{base}/api/uploads/{upload_id}", headers=headers, timeout=30).json()
                if state["state"] == "done" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            for item in state["files"]:
                statuses[item["status"]] = statuses.get(item["status"], 0) + 1
        drained = time.monotonic() - started - load_seconds
        server.terminate()
        server.wait(timeout=30)
        files_sent = sum(int(count) for _, count in accepted)
        after = stored_reports(url)
        with (folder / "locust_stats.csv").open(encoding="utf-8") as handle:
            stats = list(csv.DictReader(handle))
        endpoints = {row["Name"]: {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                   "rps": round(float(row["Requests/s"]), 1), "p50_ms": _ms(row["50%"]),
                                   "p95_ms": _ms(row["95%"]), "p99_ms": _ms(row["99%"])} for row in stats}
        result = {
            "reports_before": before, "users": args.users, "seconds": args.seconds, "server_jobs": args.jobs,
            "cpus": os.cpu_count(), "endpoints": endpoints, "uploads_accepted": len(accepted),
            "files_uploaded": files_sent, "file_statuses": statuses, "reports_after": after,
            # files of accepted uploads not stored; the store may hold a few more: uploads the end of the
            # run cut off after the server accepted them but before locust noted their ids
            "lost_uploads": files_sent - statuses.get("stored", 0) - statuses.get("duplicate", 0),
            "stored_beyond_noted": (after - before) - statuses.get("stored", 0),
            "drain_seconds_after_load": round(drained, 1),
            "ingested_per_second_under_load": round((after - before) / (load_seconds + drained), 1),
        }
        (OUT / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(json.dumps(result, ensure_ascii=False, indent=2))
        errors = sum(e["failures"] for e in endpoints.values())
        if errors or result["lost_uploads"] or statuses.get("failed") or result["stored_beyond_noted"] < 0:
            sys.exit(f"load test: {errors} failed requests, {result['lost_uploads']} lost uploads, "
                     f"{statuses.get('failed', 0)} failed files")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ms(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


if __name__ == "__main__":
    main()
