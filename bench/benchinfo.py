"""What every issue-15 benchmark states beside its figures: the machine, and a line of the targets table.

A benchmark writes ``bench/out/<script-stem>.json`` with ``machine`` (``machine()``), ``load`` (the 1-minute
load average before and after, ``os.getloadavg()``) and ``targets`` (``target(...)`` lines), which
``bench/report.py`` renders into docs/performance.md's Targets table.
"""

from __future__ import annotations

import contextlib
import os
import platform
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """The CPU model, core count and Python the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.machine()}"}


def load() -> float:
    """The 1-minute load average (0 where the OS has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def target(figure: str, today: str, limit: float, measured: float, how: str) -> dict[str, Any]:
    """One line of the targets table: ``measured`` against ``≤ limit``."""
    return {"figure": figure, "today": today, "target": f"≤ {limit:g}", "measured": round(measured, 2),
            "met": measured <= limit, "how": how}
