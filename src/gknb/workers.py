"""Worker processes with a time limit per task: a file that hangs or crashes fails alone, the batch goes on.

``Workers(fn, jobs=…, timeout=…)`` calls ``fn`` (a module-level function) in up to ``jobs`` processes,
one task per process at a time, so the time a task takes is its own. A task still running after
``timeout`` seconds has its process killed — the time may be spent in C code (pdfium, lxml, ONNX
Runtime, LibreOffice) that no signal interrupts — and yields ``TimedOut``; a task whose process dies
(a crash in C code) yields ``InternalError``. A fresh process replaces either.

Each worker dies with the process that started it (Linux ``PR_SET_PDEATHSIG``, and its connection's
end-of-file elsewhere), so a killed server leaves no worker reading on; and each has a memory limit
(``memory_limit`` bytes of address space, ``resource.setrlimit``; ``GKNB_WORKER_MEMORY_MB``), so one
file that would take gigabytes fails alone (``MemoryError`` → ``ingest.memory``) instead of the machine.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from .errors import GknbError, InternalError, OutOfMemory, TimedOut

__all__ = ["DEFAULT_TIMEOUT", "Workers"]

DEFAULT_TIMEOUT = 600.0  # seconds per file: a 30-page scan read by OCR on a busy machine (20 s a page)
MEMORY_ENV = "GKNB_WORKER_MEMORY_MB"
DEFAULT_MEMORY_MB = 4096  # address space per worker: OCR of a page at 200 dpi peaks at ~1.5 GB


def default_memory_limit() -> int | None:
    """Bytes of address space a worker may map: ``GKNB_WORKER_MEMORY_MB`` (0: no limit), else the default."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    megabytes = int(text) if text.isdigit() else DEFAULT_MEMORY_MB
    return megabytes * 1024 * 1024 if megabytes > 0 else None


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent goes (Linux); a no-op elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent went before the request was made
        os._exit(1)


def _limit_memory(limit: int | None) -> None:
    if limit is None:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform, or a lower hard limit already: keep it

K = TypeVar("K")


def _serve(connection: Connection, parent_end: Connection, fn: Callable[..., Any], parent: int,
           memory_limit: int | None) -> None:
    """A worker process: ``fn(*args)`` for every task received, until told to stop or the parent is gone."""
    _die_with_parent(parent)
    _limit_memory(memory_limit)
    parent_end.close()  # a forked copy of the parent's end would keep this end from seeing the parent go
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # its own process group: a kill reaches the helpers it started (LibreOffice) too
    # What start-up made (the modules of ``fn`` and their imports: SQLAlchemy's among them for ingest)
    # lives as long as the process: out of the collector's full scans, which a task's allocations
    # trigger (measured: 1.5 → 0.3 ms of collection a text report).
    gc.freeze()
    connection.send(None)  # ready: the time limit starts with the first task, not with start-up
    while True:
        try:
            args = connection.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if args is None:
            return
        try:
            connection.send((True, fn(*args)))
        except MemoryError:
            connection.send((True, OutOfMemory.over(memory_limit)))
        except Exception as exc:
            connection.send((False, exc))


class _Process:
    """One worker process and the parent's end of its connection."""

    def __init__(self, context: Any, fn: Callable[..., Any], memory_limit: int | None = None):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.connection, fn, os.getpid(), memory_limit),
                                       daemon=True)
        self.process.start()
        child.close()
        try:
            self.connection.recv()
        except EOFError:
            self.kill()
            raise RuntimeError(f"a gknb worker process failed to start (exit code {self.process.exitcode})") from None

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (OSError, AttributeError):  # gone, not (yet) its own process group, or no process groups
            self.process.kill()
        self.process.join()
        self.connection.close()


class Workers:
    """Up to ``jobs`` processes calling ``fn``; ``timeout`` seconds per task (None: no limit).

    ``context``: the multiprocessing start method (``spawn`` by default; ``fork`` shares the parent's
    state, e.g. for a command-line run that holds no threads or connections). ``memory_limit``: bytes
    of address space per process (None: none; default ``default_memory_limit()``)."""

    def __init__(self, fn: Callable[..., Any], *, jobs: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
                 context: str = "spawn", memory_limit: int | None | str = "default"):
        self.fn = fn
        self.memory_limit = default_memory_limit() if memory_limit == "default" else memory_limit
        self.jobs = max(jobs, 1)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.context = multiprocessing.get_context(context)
        self.idle: list[_Process] = []
        self.busy: dict[Connection, tuple[_Process, Any, float]] = {}

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every process: busy ones are killed, idle ones are told to stop (killed after 5 s)."""
        for process, _key, _deadline in self.busy.values():
            process.kill()
        self.busy.clear()
        for process in self.idle:
            with contextlib.suppress(OSError):
                process.connection.send(None)  # stop
            process.connection.close()
            process.process.join(5)
            if process.process.is_alive():
                process.kill()
        self.idle.clear()

    def run(self, tasks: Iterable[tuple[K, tuple[Any, ...]]]) -> Iterator[tuple[K, Any]]:
        """``(key, fn(*args))`` for every ``(key, args)`` task, in the order they finish.

        Tasks are drawn lazily, one per free process. The result is a ``TimedOut`` or ``InternalError``
        instance when the task overran or its process died; an exception ``fn`` raised is raised here."""
        pending = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(self.busy) < self.jobs:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                else:
                    self._submit(*task)
            if not self.busy:
                return
            deadline = min(d for _p, _k, d in self.busy.values())
            left = max(deadline - time.monotonic(), 0.0) if deadline < float("inf") else None
            for connection in wait(list(self.busy), timeout=left):
                process, key, _deadline = self.busy.pop(connection)
                try:
                    ok, value = connection.recv()
                except (EOFError, OSError):
                    process.kill()
                    yield key, _died(process)
                    continue
                self.idle.append(process)
                if not ok:
                    raise value
                yield key, value
            now = time.monotonic()
            for connection, (process, key, deadline) in list(self.busy.items()):
                if now >= deadline and not connection.poll():  # a result waiting to be read came in time
                    del self.busy[connection]
                    process.kill()
                    assert self.timeout is not None
                    yield key, TimedOut.after(self.timeout)

    def call(self, *args: Any) -> Any:
        """``fn(*args)`` in a worker process, or the ``TimedOut``/``InternalError`` that stopped it."""
        for _key, result in self.run([(None, args)]):
            return result
        raise AssertionError("unreachable: one task gives one result")

    def _submit(self, key: Any, args: tuple[Any, ...]) -> None:
        process = self.idle.pop() if self.idle else _Process(self.context, self.fn, self.memory_limit)
        try:
            process.connection.send(args)
        except OSError:  # the idle process died meanwhile (killed from outside): a fresh one takes the task
            process.kill()
            process = _Process(self.context, self.fn, self.memory_limit)
            process.connection.send(args)
        deadline = time.monotonic() + self.timeout if self.timeout else float("inf")
        self.busy[process.connection] = (process, key, deadline)


def _died(process: _Process) -> GknbError:
    code = process.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return InternalError(f"读取该文件的工作进程意外终止（{how}），请报告此问题",
                         f"the worker process reading this file died ({how}); please report it")
