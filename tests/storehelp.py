"""Shared by the store tests: a throwaway PostgreSQL 15 server, fresh databases, generated years.

``postgres_server`` (session) runs ``initdb`` + ``pg_ctl start`` from /usr/lib/postgresql/15/bin in a
temporary directory (as the ``postgres`` user when the tests run as root), on a free 127.0.0.1 port,
and stops it at the end. It skips loudly only when the binaries are absent.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import gknb
from gknb.formats import FORMATS
from gknb.report import Report
from layouts import random_report, render

PG_BIN = Path(os.environ.get("GKNB_PG_BIN", "/usr/lib/postgresql/15/bin"))
_DATABASES = itertools.count(1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(db: str, log: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[str]:
    """A real ``gknb serve`` on ``db`` (its output in ``log``; ``args``: more options), answering on the
    URL yielded; stopped after."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gknb", "serve", "--db", db, "--port", str(port), *args],
                                   stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a bound on start-up (a loaded machine), not a timing assertion
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gknb serve did not answer"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[tuple[str, list[str]]]:
    """(base URL without database name, command prefix) of a running throwaway PostgreSQL 15 (one per
    test worker process: its own folder and port)."""
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL 15 binaries not found in {PG_BIN}: PostgreSQL store tests SKIPPED"
        print(f"\n{'!' * 20} {message} {'!' * 20}", file=sys.stderr)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="gknb-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    subprocess.run([*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-U", "gknb", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    for attempt in range(3):  # another process (a parallel test worker) may take the free port first
        port = free_port()
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        started = subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                  str(base / "log"), "-w", "start"], capture_output=True)
        if started.returncode == 0:
            break
        if attempt == 2:
            raise RuntimeError(f"PostgreSQL did not start: {(base / 'log').read_text(errors='replace')[-2000:]}")
    try:
        yield f"postgresql://gknb@127.0.0.1:{port}", prefix
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def new_postgres_db(server: tuple[str, list[str]]) -> str:
    """A fresh, empty database on the throwaway server; its URL."""
    url, prefix = server
    host, port = url.rsplit("@", 1)[1].split(":")
    name = f"gknb_{next(_DATABASES)}"
    subprocess.run([*prefix, str(PG_BIN / "createdb"), "-h", host, "-p", port, "-U", "gknb", name],
                   check=True, capture_output=True)
    return f"{url}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database: a SQLite file, or a new database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gknb.db'}"
    return new_postgres_db(request.getfixturevalue("postgres_server"))


def two_years(agency: str = "青山县民政局", seed: int = 5, broken: str | None = "natural_person",
              ) -> tuple[tuple[str, Report], tuple[str, Report]]:
    """Two consecutive 2021-format reports of one agency, as (text, parsed report) pairs.

    Each report's own identities hold; the second year's 上年结转 equals the first year's 结转下年度
    in every column except ``broken`` (and so 总计), which is one more.
    """
    fmt = FORMATS["2021"]
    rnd = random.Random(seed)
    first, second = random_report(fmt, rnd), random_report(fmt, rnd)
    columns = [k.rsplit(".", 1)[1] for k in first if k.startswith("requests.new.")]
    for col in columns:
        delta = first[f"requests.carry_forward.{col}"] - second[f"requests.carried_over.{col}"]
        if broken is not None and col in (broken, "total"):
            delta += 1
        second[f"requests.carried_over.{col}"] += delta
        second[f"requests.carry_forward.{col}"] += delta
    out = []
    for year, cells in ((2022, first), (2023, second)):
        text = render(fmt, cells, "tab", random.Random(seed + year), year=year, agency=agency, bare_review=False)
        report = gknb.read(text.encode("utf-8"), name=f"{agency}{year}.txt")
        assert report.cells == cells, "the generated report must parse back exactly"
        out.append((text, report))
    return out[0], out[1]
