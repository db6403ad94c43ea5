"""Worker processes are bounded: a memory limit per process, and no worker outlives the process that
started it (kill -9 of the parent included)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from gknb.errors import OutOfMemory
from gknb.workers import Workers


def hungry(megabytes: int) -> int:
    """Allocate ``megabytes`` and touch them."""
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def test_a_task_over_the_memory_limit_fails_alone() -> None:
    with Workers(hungry, timeout=60, memory_limit=1024 * 1024 * 1024) as workers:
        failed = workers.call(2048)
        assert isinstance(failed, OutOfMemory) and failed.code == "ingest.memory" and failed.message_en
        assert workers.call(16) == 16 * 1024 * 1024  # the next task is read as usual


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    """A parent killed with SIGKILL while its worker is busy: the worker goes too (PR_SET_PDEATHSIG)."""
    marker = tmp_path / "worker.pid"
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from gknb.workers import Workers
        from test_worker_limits import sleeper
        with Workers(sleeper, timeout=None) as workers:
            workers.call({str(marker)!r})
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], env={**os.environ})
    try:
        for _ in range(300):
            if marker.exists() and marker.read_text():
                break
            time.sleep(0.1)
        worker = int(marker.read_text())
        assert _alive(worker)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        for _ in range(50):
            if not _alive(worker):
                break
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()


def sleeper(marker: str) -> None:
    """Say which process this is, then stay busy (as a long OCR would)."""
    Path(marker).write_text(str(os.getpid()))
    time.sleep(120)
