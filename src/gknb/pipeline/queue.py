"""Distributed ingest: a queue in the store's PostgreSQL database, drained by workers on any machines.

The queue engine is procrastinate (``pip install 'gknb[queue]'``), which keeps its jobs in PostgreSQL.
``enqueue(url, inputs)`` expands the inputs like ``gknb ingest`` (``bulk.expand``), keeps each file's
bytes in the table ``queue_inputs`` (workers need no shared filesystem; URLs are fetched by the
worker) and defers one job per input. ``run_worker(url)`` runs the jobs: read, parse and check
(``bulk.work``, in a process of its own within a time limit: ``gknb.workers``), then ``write.store_report``. The result row is written in the same transaction that removes
the staged input, so an input is recorded once however often its job runs; re-storing the same
original stays a no-op (by SHA-256). A job whose worker stops sending heartbeats (killed, machine
lost) is put back in the queue by the other workers (procrastinate's ``get_stalled_jobs`` and
``retry_job``); an input that stalled ``RETRIES + 1`` times, or whose storing raised that often, is
recorded as failed. See docs/store.md, "分布式导入 / distributed ingest".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..errors import GknbError, InternalError
from ..ingest.zips import ZIP_ERRORS
from ..regions import normalise_name
from ..store.db import database_url
from ..store.models import IngestResult, IngestRun, ReportRow
from ..store.store import Prepared, Store
from ..workers import DEFAULT_TIMEOUT, Workers
from .bulk import Item, Result, expand, item_bytes, unreadable, work
from .write import store_report

if TYPE_CHECKING:
    from procrastinate import App, JobContext

QUEUE = "gknb-ingest"
TASK = "gknb.ingest_input"
RETRIES = 2  # a job is tried at most RETRIES + 1 times (an exception or a stalled worker costs one try)
RETRY_WAIT = 5  # seconds before a job that raised is tried again
STALLED_AFTER = 30.0  # seconds without a worker heartbeat before its running job is put back
POLL = 1.0  # seconds between a worker's looks at the queue (stalled jobs, --until-empty)
STALL_HOOK = "GKNB_QUEUE_TEST_STALL"  # test hook: a job whose location ends with this value sleeps first
_SCHEMA_LOCK = 0x676B6E62  # advisory lock keys ("gknb"): schema changes, and the writes of one agency
_WRITE_LOCK = 0x676B6E63

logger = logging.getLogger(__name__)

_metadata = MetaData()
staged = Table(  # one row per queued input until its result is recorded; location NULL: still queueing
    "queue_inputs", _metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False, index=True),
    Column("location", Text),
    Column("url", Text),
    Column("content", LargeBinary),
    Column("staged", DateTime, nullable=False),
)
schema_level = Table("queue_schema", _metadata, Column("procrastinate", Text, nullable=False))


class QueueUnavailable(RuntimeError):
    """The queue cannot be used: it needs PostgreSQL and the ``queue`` extra. The message is bilingual."""

    def __init__(self, message: str, message_en: str):
        super().__init__(f"{message} / {message_en}")


@dataclass
class Queued:
    """What ``enqueue`` did: the run, how many jobs it queued, and the inputs settled at once."""

    run_id: int
    queued: int = 0
    results: list[Result] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many inputs were settled at once with ``status`` (``duplicate`` or ``failed``)."""
        return sum(r.status == status for r in self.results)


def _procrastinate() -> Any:
    try:
        import procrastinate
    except ImportError as exc:
        raise QueueUnavailable("分布式导入需要 procrastinate：pip install 'gknb[queue]'",
                               "distributed ingest needs procrastinate: pip install 'gknb[queue]'") from exc
    return procrastinate


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def postgres_url(url: str | None) -> str:
    """The store URL (``--db``, ``$GKNB_DB``), which must be PostgreSQL."""
    url = database_url(url)
    if not url.startswith("postgresql"):
        raise QueueUnavailable("分布式导入需要 PostgreSQL 数据库（--db postgresql://… 或 GKNB_DB），不支持 SQLite",
                               "distributed ingest needs a PostgreSQL database (--db postgresql://… or "
                               "GKNB_DB), not SQLite")
    return url


def open_store(url: str | None) -> Store:
    """The PostgreSQL store at ``url`` with the queue's tables created or upgraded."""
    store = Store.open(postgres_url(url))
    prepare(store.engine)
    return store


def _migrations() -> list[tuple[tuple[int, ...], Path]]:
    """procrastinate's SQL migrations (``03.04.00_01_….sql``) with their versions, in order."""
    folder = Path(_procrastinate().schema.SchemaManager.get_migrations_path())
    return [(tuple(int(x) for x in path.name[:8].split(".")), path) for path in sorted(folder.glob("*.sql"))]


def prepare(engine: Engine) -> None:
    """Create or upgrade the queue's tables; idempotent, and concurrent callers wait for each other.

    A new database gets procrastinate's whole schema; one made by an older procrastinate gets the SQL
    migrations newer than the level recorded in ``queue_schema`` (all of them, pre and post: stop the
    old workers first). ``queue_inputs`` is created when missing.
    """
    migrations = _migrations()
    newest = migrations[-1][0]
    with engine.begin() as connection:
        connection.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
        _metadata.create_all(connection)
        recorded = connection.scalar(select(schema_level.c.procrastinate))
        driver = connection.connection.driver_connection  # psycopg: several statements, no parameters
        assert driver is not None
        if recorded is None:
            if connection.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")):
                raise QueueUnavailable("数据库中已有不是 gknb 建立的 procrastinate 表，无法确定其版本",
                                       "the database holds procrastinate tables gknb did not create; "
                                       "their version is unknown")
            driver.execute(_procrastinate().schema.SchemaManager.get_schema())
            connection.execute(insert(schema_level).values(procrastinate=_dotted(newest)))
            return
        level = tuple(int(x) for x in recorded.split("."))
        if level > newest:
            raise QueueUnavailable(f"数据库中的队列结构（{recorded}）比本机的 procrastinate 新，请升级 gknb[queue]",
                                   f"the queue schema in the database ({recorded}) is newer than this "
                                   "procrastinate; upgrade gknb[queue]")
        for version, path in migrations:
            if version > level:
                driver.execute(path.read_text(encoding="utf-8"))
        connection.execute(update(schema_level).values(procrastinate=_dotted(newest)))


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(f"{x:02d}" for x in version)


def make_app(url: str) -> App:
    """A procrastinate app on the PostgreSQL database at ``url``, with the ingest task."""
    pc = _procrastinate()
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    app = pc.App(connector=pc.PsycopgConnector(conninfo=conninfo))
    app.task(name=TASK, queue=QUEUE, pass_context=True,
             retry=pc.RetryStrategy(max_attempts=RETRIES, wait=RETRY_WAIT))(_job)
    return app


# -- queueing ------------------------------------------------------------------------------------


def enqueue(store_url: str | None, inputs: Sequence[str]) -> Queued:
    """Queue every input (folders, zips, URL lists, files, URLs) as one job each; returns the run.

    An input named twice is queued once. Already stored originals and unreadable inputs are recorded
    at once; so is an original or URL already waiting in the queue (procrastinate's queueing lock),
    as a duplicate.
    """
    url = postgres_url(store_url)
    store = open_store(url)
    app = make_app(url)
    try:
        summary = Queued(store.start_run(inputs))
        with store.engine.begin() as connection:  # the run is still being queued while this row exists
            marker = connection.scalar(insert(staged).values(run_id=summary.run_id, staged=_now())
                                       .returning(staged.c.id))
        seen: set[str] = set()
        with app.open():
            for item in expand(inputs):
                if item.location not in seen:
                    seen.add(item.location)
                    _enqueue_one(store, app, summary, item)
        with store.session.begin() as session:
            _unstage(session, summary.run_id, marker)
        return summary
    finally:
        store.close()


def _enqueue_one(store: Store, app: App, summary: Queued, item: Item) -> None:
    def settle(status: str, sha: str | None = None, error: dict[str, str] | None = None,
               report_id: int | None = None) -> None:
        store.record(summary.run_id, item.location, status, sha256=sha, report_id=report_id, error=error)
        summary.results.append(Result(item.location, status, report_id, error))

    if item.problem is not None:
        code, message, message_en = item.problem
        settle("failed", error={"code": code, "message": message, "message_en": message_en})
        return
    raw = sha = None
    lock = f"url:{item.url}"
    if item.url is None:
        try:
            raw = item_bytes(item)
        except ZIP_ERRORS:
            settle("failed", error=unreadable(item))
            return
        sha = hashlib.sha256(raw).hexdigest()
        existing = store.has_source(sha)
        if existing is not None:
            settle("duplicate", sha, report_id=existing)
            return
        lock = f"sha256:{sha}"
    with store.engine.begin() as connection:
        input_id = connection.scalar(insert(staged).values(
            run_id=summary.run_id, location=item.location, url=item.url, content=raw, staged=_now(),
        ).returning(staged.c.id))
    try:
        app.tasks[TASK].configure(queueing_lock=lock).defer(input_id=input_id)
    except BaseException as exc:
        with store.engine.begin() as connection:
            connection.execute(delete(staged).where(staged.c.id == input_id))
        if not isinstance(exc, _procrastinate().exceptions.AlreadyEnqueued):
            raise
        settle("duplicate", sha)  # the same original (or URL) is already waiting in the queue
        return
    summary.queued += 1


def _unstage(session: Session, run_id: int, input_id: int) -> bool:
    """Remove a staged input (False: already removed); the run is finished when none is left."""
    run = session.scalars(select(IngestRun).where(IngestRun.id == run_id).with_for_update()).one()
    if not session.execute(delete(staged).where(staged.c.id == input_id)).rowcount:
        return False
    if not session.scalar(select(func.count()).select_from(staged).where(staged.c.run_id == run_id)):
        run.finished = _now()
    return True


# -- the task ------------------------------------------------------------------------------------


def _job(context: JobContext, input_id: int) -> str:
    """The procrastinate task: ingest one staged input. Raises only when storing failed (retried)."""
    store: Store = context.additional_context["store"]
    try:
        return _ingest(store, context.additional_context["readers"], input_id)
    except Exception as exc:
        if context.job.attempts >= RETRIES:  # the last try: the input fails, the others go on
            logger.exception("input %s failed after %s tries", input_id, RETRIES)
            _finish(store, input_id, "failed", error=InternalError.of(exc, retries=RETRIES).as_dict())
        raise


def _ingest(store: Store, readers: Workers, input_id: int) -> str:
    with store.session() as session:
        row = session.execute(select(staged.c.run_id, staged.c.location, staged.c.url, staged.c.content)
                              .where(staged.c.id == input_id)).first()
    if row is None:
        return "done"  # an earlier try recorded it
    suffix = os.environ.get(STALL_HOOK)
    if suffix and row.location.endswith(suffix):
        time.sleep(60)
    raw: bytes | None = row.content
    if raw is not None:
        sha = hashlib.sha256(raw).hexdigest()
        existing = store.has_source(sha)
        if existing is not None:
            status = _stored_by(store, existing, row.run_id, row.location)
            return _finish(store, input_id, status, sha=sha, report_id=existing)
    outcome = readers.call(row.location, raw, row.url)
    if isinstance(outcome, GknbError):  # over the time limit, or its process died
        outcome = {"error": outcome.as_dict()}
    raw = outcome.get("raw") or raw
    sha = hashlib.sha256(raw).hexdigest() if raw is not None else None
    if "error" in outcome:
        return _finish(store, input_id, "failed", sha=sha, error=outcome["error"])
    report: Prepared = outcome["report"]  # the rows to store (``store.prepare``, done by the reader)
    # One agency's reports are written one at a time, so each sees the others for its cross-year checks.
    key = normalise_name(report.meta.agency) if report.meta.agency and report.meta.agency.strip() else sha
    with store.engine.begin() as lock:
        lock.execute(select(func.pg_advisory_xact_lock(_WRITE_LOCK, func.hashtext(key or row.location))))
        added = store_report(store, report, raw, location=row.location, run_id=row.run_id)
    status = "stored" if added.status == "stored" else _stored_by(store, added.report_id, row.run_id, row.location)
    return _finish(store, input_id, status, sha=sha, report_id=added.report_id)


def _stored_by(store: Store, report_id: int, run_id: int, location: str) -> str:
    """``stored`` when this input itself stored the report (an earlier try died before recording it)."""
    with store.session() as session:
        row = session.get(ReportRow, report_id)
        return "stored" if row is not None and (row.run_id, row.location) == (run_id, location) else "duplicate"


def _finish(store: Store, input_id: int, status: str, *, sha: str | None = None, report_id: int | None = None,
            error: dict[str, str] | None = None) -> str:
    """Record the input's result and remove it from ``queue_inputs``, in one transaction (once only)."""
    with store.session.begin() as session:
        row = session.execute(select(staged.c.run_id, staged.c.location).where(staged.c.id == input_id)).first()
        if row is None or not _unstage(session, row.run_id, input_id):
            return status
        error = error or {}
        session.add(IngestResult(run_id=row.run_id, location=row.location, sha256=sha, status=status,
                                 report_id=report_id, error_code=error.get("code"), message=error.get("message"),
                                 message_en=error.get("message_en")))
    logger.info("#%s %s %s", row.run_id, status, row.location)
    return status


# -- workers -------------------------------------------------------------------------------------


def run_worker(store_url: str | None = None, *, concurrency: int = 1, until_empty: bool = False,
               stalled_after: float = STALLED_AFTER, timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """Run ``concurrency`` worker processes (1: this process); returns 0 when all ended normally.

    They stop on SIGINT/SIGTERM after their current file, or with ``until_empty`` once the queue has
    no job waiting or running. ``stalled_after``: seconds without a heartbeat before a worker's
    running job is put back in the queue (heartbeats every third of it). ``timeout``: seconds per
    file (None: no limit); a file over it fails with ``ingest.timeout``.
    """
    url = postgres_url(store_url)
    open_store(url).close()  # schemas ready before any process starts
    if concurrency <= 1:
        _serve_process(url, until_empty, stalled_after, timeout)
        return 0
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_serve_process, args=(url, until_empty, stalled_after, timeout))
                 for _ in range(concurrency)]
    for process in processes:
        process.start()

    def forward(signum: int, _frame: Any) -> None:
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signum)

    # Ctrl-C reaches the whole process group: the children stop gracefully, this process waits.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, forward)
    try:
        for process in processes:
            process.join()
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
    return max(abs(process.exitcode or 0) for process in processes)


def _serve_process(url: str, until_empty: bool, stalled_after: float, timeout: float | None) -> None:
    logging.basicConfig(format="%(asctime)s %(process)d %(message)s", level=logging.WARNING)
    logger.setLevel(logging.INFO)
    asyncio.run(_serve(url, until_empty, stalled_after, timeout))


async def _serve(url: str, until_empty: bool, stalled_after: float, timeout: float | None) -> None:
    """One procrastinate worker (one job at a time) and its watch over stalled jobs and the queue."""
    store = Store.open(url)
    app = make_app(url)
    readers = Workers(work, timeout=timeout)  # one process reads the files, within the time limit
    try:
        async with app.open_async():
            worker = asyncio.create_task(app.run_worker_async(
                queues=[QUEUE], concurrency=1, name=f"gknb-{os.getpid()}",
                additional_context={"store": store, "readers": readers},
                fetch_job_polling_interval=POLL, update_heartbeat_interval=stalled_after / 3,
                stalled_worker_timeout=stalled_after,
            ))
            try:
                while not worker.done():
                    await _requeue_stalled(app, store, stalled_after)
                    if until_empty and await _drained(app):
                        break
                    await asyncio.wait({worker}, timeout=POLL)
            finally:
                if not worker.done():
                    worker.cancel()  # procrastinate stops gracefully: the running job finishes first
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
    finally:
        readers.close()
        store.close()


async def _requeue_stalled(app: App, store: Store, stalled_after: float) -> None:
    """Put back the jobs of workers without a recent heartbeat; give up on an input after RETRIES."""
    pc = _procrastinate()
    for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_after):
        try:
            if job.attempts < RETRIES:
                await app.job_manager.retry_job(job)
                logger.warning("job %s: its worker stopped; queued again", job.id)
                continue
            await app.job_manager.finish_job(job, status=pc.jobs.Status.FAILED, delete_job=False)
        except pc.exceptions.ConnectorException:
            continue  # another worker got there first
        tries = job.attempts + 1
        await asyncio.to_thread(_finish, store, job.task_kwargs["input_id"], "failed", error={
            "code": "internal", "message": f"处理该文件的工作进程 {tries} 次意外终止",
            "message_en": f"the worker processing this file died {tries} times"})


async def _drained(app: App) -> bool:
    """No job of the queue is waiting or running."""
    queues = await app.job_manager.list_queues_async(queue=QUEUE)
    return not any(q["todo"] or q["doing"] for q in queues)
