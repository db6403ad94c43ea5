"""Distributed ingest on the command line (docs/store.md): ``gknb ingest --queue`` and ``gknb worker``.

Both need a PostgreSQL ``--db`` (or ``$GKNB_DB``) and the ``queue`` extra; ``register(app)`` adds
``worker`` to the main Typer application, ``ingest`` calls ``queue_ingest`` for ``--queue``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ..workers import DEFAULT_TIMEOUT
from .common import DbOpt
from .common import console as _console


def _unavailable(exc: RuntimeError) -> typer.Exit:
    _console(stderr=True).print(Text(f"gknb: {exc}", style="red"))
    return typer.Exit(2)


def queue_ingest(inputs: list[str], db: str | None) -> None:
    """Queue the inputs for ``gknb worker`` and print the run; exit status 2 when an input failed at once."""
    from ..pipeline.queue import QueueUnavailable, enqueue

    try:
        queued = enqueue(db, inputs)
    except QueueUnavailable as exc:
        raise _unavailable(exc) from None
    out = _console()
    out.print(f"ingest #{queued.run_id}: 已排队 queued {queued.queued} · 重复 duplicates {queued.count('duplicate')}"
              f" · 失败 failed {queued.count('failed')}")
    failed = [r for r in queued.results if r.status == "failed"]
    if failed:
        reasons = Table(box=box.SIMPLE_HEAD, title="失败原因 failures")
        for column in ("文件 file", "代码 code", "原因 reason"):
            reasons.add_column(column, overflow="fold")
        for result in failed:
            error = result.error or {}
            reasons.add_row(result.location, error.get("code", ""),
                            f"{error.get('message', '')} / {error.get('message_en', '')}")
        out.print(reasons)
    if queued.queued:
        _console(stderr=True).print("由 gknb worker 处理；结果见 ingest_results / processed by gknb worker; "
                                    f"results in ingest_results, run {queued.run_id}")
    raise typer.Exit(2 if failed else 0)


def worker_command(
    db: DbOpt = None,
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1,
                                             help="工作进程数 / worker processes")] = 1,
    until_empty: Annotated[bool, typer.Option("--until-empty", "--once",
                                              help="队列中没有等待或进行中的任务时退出 / stop once no job is "
                                                   "waiting or running")] = False,
    stalled_after: Annotated[float, typer.Option("--stalled-after", min=1.0, metavar="SECONDS",
                                                 help="工作进程无心跳多少秒后重新排队其任务 / seconds without a "
                                                      "heartbeat before a worker's job is queued again")] = 30.0,
    timeout: Annotated[float, typer.Option(
        "--timeout", envvar="GKNB_TIMEOUT", metavar="SECONDS",
        help="每个文件的时间限制（秒），超时则该文件失败，0 为不限 / time limit per file; a file over it fails; 0: none",
    )] = DEFAULT_TIMEOUT,
) -> None:
    """处理分布式导入队列（PostgreSQL）。Work through the distributed ingest queue (PostgreSQL).

    在任意多台机器上运行任意多个 / run any number, on any number of machines. Ctrl-C 或 SIGTERM：处理完当前文件后退出
    / stops after the current file.
    """
    from ..pipeline.queue import QueueUnavailable, run_worker

    _console(stderr=True).print(f"gknb worker: {concurrency} 个进程 / processes")
    try:
        status = run_worker(db, concurrency=concurrency, until_empty=until_empty, stalled_after=stalled_after,
                            timeout=timeout)
    except QueueUnavailable as exc:
        raise _unavailable(exc) from None
    raise typer.Exit(status)


def register(app: typer.Typer) -> None:
    """Add the ``worker`` command to ``app``."""
    app.command("worker")(worker_command)
