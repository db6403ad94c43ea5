"""Benchmark: the web workspace as the store grows — list, last list page, report page, dashboard, 1k vs 10k.

Two stores (``--sizes``, default 1,000 and 10,000 reports; SQLite, or with ``--db postgresql`` two
databases on a throwaway PostgreSQL 15 cluster, as bench_store starts it) are filled with ``store_reports`` from
bench_store's generator (distinct agencies of the division table over 2019–2025, cross-year checks as in
a real collection), then served by the ASGI app in this process (``fastapi.testclient``, an API token).
Each round requests, in every store in turn (interleaved, so a load change touches both alike):

* ``list``       ``GET /``                  the HTML report list, first page;
* ``last_page``  ``GET /?page=<last>``      its last page;
* ``report``     ``GET /reports/<id>``      a report page (a different report each round);
* ``dashboard``  ``GET /api/dashboard``     the dashboard's charts.

Times are this process's CPU time per request (the ASGI app runs in it: server and client), medians
over ``--rounds``, the figure a loaded machine disturbs least; wall-clock medians are kept beside them.
On PostgreSQL the database's own work is its backends' CPU, not this process's: the CPU of the
server processes serving each store's database (``/proc/<pid>/stat``, in clock ticks, so the mean
over the rounds, ``server_cpu_ms``) is added to this process's median (``median_total_cpu_ms``) when
the server runs on this machine.
The ratio is the larger store's median ÷ the smaller's. The list's counts and filter values and the dashboard are
cached per store revision, so the first request after a write costs more: every round begins with a
write (one report approved, then pending again) and times the list (``list_cold``) and the dashboard
(``dashboard_cold``) right after it: the "first request after a write" targets. Writes
bench/out/bench_web_scale.json (``--db postgresql``: bench_web_scale_postgresql.json).

``--server URL`` (with ``--db postgresql`` and ``--keep``): a running PostgreSQL server instead of a
throwaway cluster; its databases ``web_<size>`` built by an earlier run are used again, as ``--keep``
does for SQLite (building 10,000 reports takes many minutes on a loaded machine).

    python bench/bench_web_scale.py [--sizes 1000,10000] [--rounds 15] [--keep DIR] [--db postgresql]
                                    [--server postgresql://user@host:port]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import Writes, database, plan, postgres  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from corpus import ROOT  # noqa: E402
from gknb.pipeline.write import store_reports  # noqa: E402
from gknb.store import Store  # noqa: E402
from gknb.web.app import create_app  # noqa: E402
from gknb.workspace.service import Workspace  # noqa: E402

KINDS = ("list", "last_page", "report", "dashboard", "list_cold", "dashboard_cold")
TARGETS = {  # kind → (the figure as in issue 15's table, today, target)
    "list": ("HTML list and report page, 10k ÷ 1k store", "5.6", 1.5),
    "last_page": ("HTML list and report page, 10k ÷ 1k store (last list page)", "7.5", 1.5),
    "report": ("HTML list and report page, 10k ÷ 1k store (report page)", "3.1", 1.5),
    "dashboard": ("`/api/dashboard`, 10k ÷ 1k", "9.5", 2.0),
    "list_cold": ("HTML list, first request after a write, 10k ÷ 1k store", "4.6", 1.5),
    "dashboard_cold": ("`/api/dashboard`, first request after a write, 10k ÷ 1k", "9.3", 2.0),
}


def build(folder: Path, size: int, seed: int, url: str | None = None, kept: bool = False) -> tuple[str, str, list[int]]:
    """A store of ``size`` reports (SQLite in ``folder``, else at ``url``): its URL, an admin's API
    token, the current report ids.

    A SQLite store built before in ``folder`` (``--keep``) is used again (it is upgraded on opening),
    and so is a database at ``url`` when ``kept`` (``--server``) and ``folder`` holds its token."""
    saved = folder / f"web-{size}.token"
    if url is None:
        url = f"sqlite:///{folder / f'web-{size}.db'}"
    else:  # a fresh server's database is never kept; one on ``--server`` is
        saved = folder / f"web-{size}-{'kept' if kept else 'server'}.token"
    if saved.exists() and (url.startswith("sqlite") or kept):
        store = Store.open(url)
        store.optimize()
        ids = store.report_ids()
        store.close()
        return url, saved.read_text(encoding="utf-8"), ids
    store = Store.open(url)
    source, pairs = Writes(seed), plan(size, seed)
    for first in range(0, size, 500):
        store_reports(store, [source.entry(i, *pairs[i]) for i in range(first, min(first + 500, size))])
    if hasattr(store, "optimize"):  # the code before it had none
        store.optimize()
    work = Workspace(store)
    work.add_user("bench", "bench-password", role="admin")
    token = work.create_token("bench", "bench")
    ids = store.report_ids()
    store.close()
    saved.write_text(token, encoding="utf-8")
    return url, token, ids


def server_ticks(database: str) -> int:
    """The CPU clock ticks (user + system) used so far by the PostgreSQL backends of ``database`` on
    this machine (``postgres: user database …`` processes; 0 where none is visible)."""
    ticks = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            words = (proc / "cmdline").read_bytes().split(b"\0")[0].split()
            if words[:1] == [b"postgres:"] and len(words) > 2 and words[2].decode() == database:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def kept_database(server: str, name: str, token: Path) -> str:
    """The URL of database ``name`` on a running ``server``, made afresh unless ``token`` says an
    earlier run built it."""
    from sqlalchemy import create_engine, text

    engine = create_engine("postgresql+psycopg://" + server.split("://", 1)[1] + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if exists and not token.exists():
            connection.exec_driver_sql(f'DROP DATABASE "{name}"')
        if not exists or not token.exists():
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return f"{server}/{name}"


def target_lines(medians: dict[int, dict[str, float]], walls: dict[int, dict[str, float]], engine: str,
                 rounds: int) -> list[dict[str, Any]]:
    """The targets, largest store ÷ smallest. On SQLite the CPU ratio (this process does all the work);
    on PostgreSQL the server's CPU is another process's, so the wall-clock ratio is judged too."""
    small, large = min(medians), max(medians)
    suffix = "" if engine == "SQLite" else f" — {engine}"
    lines = []
    for kind, (figure, today, target) in TARGETS.items():
        cpu = round(medians[large][kind] / medians[small][kind], 2)
        wall = round(walls[large][kind] / walls[small][kind], 2)
        judged = cpu if engine == "SQLite" else max(cpu, wall)
        lines.append({
            "figure": figure + suffix, "today": today, "target": f"≤ {target}", "measured": judged,
            "met": judged <= target,
            "how": f"median CPU ms (server and client in one process) of {rounds} interleaved rounds through the ASGI "
                   f"app, {engine}, {large} vs {small} reports: {medians[large][kind]} vs {medians[small][kind]} ms "
                   f"(×{cpu}); wall {walls[large][kind]} vs {walls[small][kind]} ms (×{wall})"
                   + ("" if engine == "SQLite" else "; measured: the larger of the two (PostgreSQL's own CPU is "
                                                    "not this process's)")})
    return lines


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="a folder to build the stores in once and use again")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--server", help="a running PostgreSQL server's URL (no database): its web_<size> kept")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.server and (args.db != "postgresql" or not args.keep):
        parser.error("--server needs --db postgresql and --keep")
    out = args.out or ROOT / "bench" / "out" / ("bench_web_scale.json" if args.db == "sqlite"
                                                 else "bench_web_scale_postgresql.json")
    engine = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}[args.db]
    sizes = sorted(int(s) for s in args.sizes.split(","))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gknb-web-scale-") as tmp, contextlib.ExitStack() as stack:
        server = stack.enter_context(postgres()) if args.db == "postgresql" and not args.server else None
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        servers: dict[int, tuple[TestClient, dict[str, str], list[int], int]] = {}
        for size in sizes:
            start = time.perf_counter()
            if args.server:
                url = kept_database(args.server, f"web_{size}", folder / f"web-{size}-kept.token")
            else:
                url = server and stack.enter_context(database("postgresql", f"web_{size}", server))
            url, token, ids = build(folder, size, args.seed, url, kept=bool(args.server))
            client = TestClient(create_app(url, upload_dir=folder / f"uploads-{size}"))
            client.__enter__()
            headers = {"Authorization": f"Bearer {token}"}
            total = client.get("/api/reports", headers=headers).json()["total"]
            servers[size] = (client, headers, ids, -(-total // 50))
            print(f"store of {size}: built in {time.perf_counter() - start:.0f} s", flush=True)
        times: dict[int, dict[str, list[float]]] = {size: {kind: [] for kind in KINDS} for size in sizes}
        server_cpu: dict[int, dict[str, int]] = {size: dict.fromkeys(KINDS, 0) for size in sizes}  # ticks
        walls: dict[int, dict[str, list[float]]] = {size: {kind: [] for kind in KINDS} for size in sizes}
        rnd = random.Random(args.seed)
        for round_number in range(args.rounds + 1):  # round 0 warms every cache and is not counted
            for size in sizes:
                client, headers, ids, last = servers[size]
                report = rnd.choice(ids)
                changed = client.post(f"/api/reports/{ids[0]}/review", headers=headers,  # a write: approved,
                                      json={"status": "approved" if round_number % 2 == 0 else "pending"})
                assert changed.status_code == 200  # then pending again, so every round changes the store
                paths = {"list_cold": "/", "dashboard_cold": "/api/dashboard", "list": "/",
                         "last_page": f"/?page={last}", "report": f"/reports/{report}", "dashboard": "/api/dashboard"}
                for kind, path in paths.items():
                    ticks = server_ticks(f"web_{size}") if args.db == "postgresql" else 0
                    begin, cpu = time.perf_counter(), time.process_time()
                    answer = client.get(path, headers=headers)
                    if round_number:
                        times[size][kind].append(time.process_time() - cpu)
                        walls[size][kind].append(time.perf_counter() - begin)
                        if args.db == "postgresql":
                            server_cpu[size][kind] += server_ticks(f"web_{size}") - ticks
                    assert answer.status_code == 200, (path, answer.status_code)
        for client, *_ in servers.values():
            client.__exit__(None, None, None)
    medians = {size: {kind: round(statistics.median(values) * 1000, 2) for kind, values in kinds.items()}
               for size, kinds in times.items()}
    wall_medians = {size: {kind: round(statistics.median(values) * 1000, 2) for kind, values in kinds.items()}
                    for size, kinds in walls.items()}
    ratios = {kind: round(medians[sizes[-1]][kind] / medians[sizes[0]][kind], 2) for kind in KINDS}
    targets = target_lines(medians, wall_medians, engine, args.rounds)
    payload = {"machine": machine(), "db": engine, "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
               "sizes": sizes, "rounds": args.rounds, "median_cpu_ms": medians, "median_wall_ms": wall_medians,
               "ratio": ratios, "targets": targets}
    if args.db == "postgresql":
        tick = 1000 / os.sysconf("SC_CLK_TCK")
        served = {size: {kind: round(n * tick / args.rounds, 2) for kind, n in kinds.items()}
                  for size, kinds in server_cpu.items()}
        total = {size: {kind: round(medians[size][kind] + served[size][kind], 2) for kind in KINDS} for size in sizes}
        payload |= {"server_cpu_ms": served, "median_total_cpu_ms": total,
                    "total_cpu_ratio": {kind: round(total[sizes[-1]][kind] / total[sizes[0]][kind], 2)
                                        for kind in KINDS}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({key: payload[key] for key in ("median_cpu_ms", "median_wall_ms", "ratio", "server_cpu_ms",
                                                    "total_cpu_ratio", "load") if key in payload}, ensure_ascii=False))


if __name__ == "__main__":
    main()
