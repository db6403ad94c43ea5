"""Bulk ingest: folders, zip files and URL lists into the store, with worker processes.

Workers read, parse and check (``gknb.pipeline.run``); this process does every write, a batch per transaction
(``batch`` inputs, or fewer when the oldest has waited ``FLUSH_SECONDS``), so an interrupted run loses
at most its unwritten batch and a re-run skips every original already kept (by SHA-256) before parsing
it. Cross-year findings are recomputed once per batch for the agencies it touched. Each input has
``timeout`` seconds: a worker that overruns is killed and replaced (``gknb.workers``), the input fails
with ``ingest.timeout`` and the run goes on. Zip members are read in memory, never extracted, within the
limits below (a guard against zip bombs).
"""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import GknbError, InternalError
from ..ingest import MAX_BYTES
from ..ingest.fetch import fetch
from ..ingest.urls import is_url, url_list
from ..ingest.zips import ZIP_ERRORS
from ..store.store import Entry, Recorded, Store, prepare
from ..workers import DEFAULT_TIMEOUT, Workers
from . import run
from .write import store_reports

MAX_ZIP_MEMBERS = 20_000
MAX_ZIP_TOTAL = 4 * 1024**3  # uncompressed bytes read from one zip
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of one member
BATCH = 200  # inputs written per transaction
FLUSH_SECONDS = 2.0  # … or fewer, once the oldest waiting result is this old


@dataclass(frozen=True)
class Item:
    """One input: a file, a zip member (``member``) or a URL; ``problem`` when it cannot be read."""

    location: str
    path: Path | None = None
    member: str | None = None
    url: str | None = None
    problem: tuple[str, str, str] | None = None  # code, message, message_en
    scope: str | None = None  # the region of the person who sent it: reports outside it are refused


@dataclass(frozen=True)
class Result:
    """What became of one input: ``stored``, ``duplicate`` or ``failed`` (with the error)."""

    location: str
    status: str
    report_id: int | None = None
    error: dict[str, str] | None = None


@dataclass
class Summary:
    """The outcome of a run: its id and every result."""

    run_id: int
    results: list[Result] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many inputs ended with ``status``."""
        return sum(r.status == status for r in self.results)


def expand(inputs: Sequence[str]) -> Iterator[Item]:
    """Every input file: folders recursively (hidden entries skipped), zip members, URL lists, URLs."""
    for arg in inputs:
        path = Path(arg)
        if is_url(arg):
            yield Item(arg, url=arg)
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(p.startswith(".") for p in child.relative_to(path).parts):
                    yield from _file(child)
        elif path.is_file():
            yield from _file(path)
        else:
            yield Item(arg, problem=("file.unreadable", "文件或目录不存在", "no such file or directory"))


def _file(path: Path) -> Iterator[Item]:
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):  # the name first: is_zipfile reads the file
        yield from _zip(path)
        return
    urls = _url_list(path)
    if urls:
        yield from (Item(url, url=url) for url in urls)
    else:
        yield Item(str(path), path=path)


def _url_list(path: Path) -> list[str]:
    """The URLs of a URL list (a small text file whose every non-comment line is an http(s) URL)."""
    if path.suffix.lower() not in (".txt", ".list", ".urls") or path.stat().st_size > 1024 * 1024:
        return []
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((entry for line in handle for entry in url_list([line])), None)
            if first is None or not is_url(first):  # a report, not a list: read no further
                return []
            handle.seek(0)
            lines = url_list(handle.read().splitlines())
    except (UnicodeDecodeError, OSError):
        return []
    return lines if lines and all(is_url(x) for x in lines) else []


def _zip(path: Path) -> Iterator[Item]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()
                       and not any(p.startswith((".", "__MACOSX")) for p in m.filename.split("/"))]
    except ZIP_ERRORS:
        yield Item(str(path), problem=("file.unreadable", "无法打开 ZIP 文件：文件已损坏或不是 ZIP 格式",
                                       "cannot open the zip: it is damaged or not a zip file"))
        return
    if len(members) > MAX_ZIP_MEMBERS:
        yield Item(str(path), problem=("zip.too_many", f"ZIP 文件成员超过 {MAX_ZIP_MEMBERS} 个",
                                       f"the zip has more than {MAX_ZIP_MEMBERS} members"))
        return
    total = 0
    for member in members:
        location = f"{path}!{member.filename}"
        total += member.file_size
        if member.file_size > MAX_BYTES or member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1024):
            yield Item(location, problem=("zip.member_too_large", "ZIP 成员过大或压缩比异常",
                                          "zip member too large or too highly compressed"))
        elif total > MAX_ZIP_TOTAL:
            yield Item(location, problem=("zip.too_large", "ZIP 文件解压后总量超出限制",
                                          "the zip's uncompressed total exceeds the limit"))
        else:
            yield Item(location, path=path, member=member.filename)


def item_bytes(item: Item, archives: dict[Path, zipfile.ZipFile] | None = None) -> bytes:
    """The bytes of a file or zip member, never more than ``MAX_BYTES`` + 1 of a member.

    ``archives``: zip files kept open from one member to the next (the caller closes them); opening a
    zip reads its whole directory, so a zip of n members opened per member costs n² entries."""
    assert item.path is not None
    if item.member is None:
        return item.path.read_bytes()
    if archives is None:
        with zipfile.ZipFile(item.path) as archive:
            return item_bytes(item, {item.path: archive})
    if item.path not in archives:
        archives[item.path] = zipfile.ZipFile(item.path)
    with archives[item.path].open(item.member) as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValueError("zip member larger than declared")
    return raw


def unreadable(item: Item) -> dict[str, str]:
    """The error of an input whose bytes could not be read (what happened, not the system's words)."""
    if item.member is not None:
        return {"code": "file.unreadable", "message": "无法读取 ZIP 文件中的该文件：压缩包已损坏、被截断或加密",
                "message_en": "cannot read this file inside the zip: the zip is damaged, truncated or encrypted"}
    return {"code": "file.unreadable", "message": "无法读取该文件：文件已被移动、删除或没有读取权限",
            "message_en": "cannot read the file: it was moved, deleted or may not be read"}


def work(location: str, raw: bytes | None, url: str | None) -> dict[str, Any]:
    """Worker: read, parse and check one input, as ``{"report": Prepared}`` (``store.prepare``: the
    rows to store); errors become ``{"error": …}``, never exceptions."""
    try:
        charset = None
        name = location.rsplit("!", 1)[-1]
        if url is not None:
            fetched = fetch(url)
            raw, charset, name = fetched.content, fetched.charset, fetched.name
        assert raw is not None
    except GknbError as error:
        return {"error": error.as_dict()}
    except Exception as exc:  # a bug on one download must not stop the batch
        return {"error": InternalError.of(exc).as_dict()}
    outcome = run(raw, path=location, name=name, charset=charset)  # a bug on one file does not stop the batch
    if outcome.report is None:
        assert outcome.error is not None
        return {"error": outcome.error.as_dict()}
    outcome.report.source.path = location
    # The rows as stored, not the whole Report: encoded (and the agency located) here, the writing
    # process only inserts them.
    return {"report": prepare(outcome.report, with_place=True), "raw": raw if url is not None else None}


class _Writer:
    """Results waiting to be written, in arrival order: every ``size`` inputs, or once the oldest has
    waited ``FLUSH_SECONDS``, the reports in one transaction and then their ingest results in another.
    ``on_result`` hears of each result once it is written."""

    def __init__(self, store: Store, summary: Summary, size: int,
                 on_result: Callable[[Result], None] | None):
        self.store, self.summary, self.size, self.on_result = store, summary, max(size, 1), on_result
        self.pending: list[tuple[Recorded, Entry | None]] = []
        self.since = 0.0

    def put(self, recorded: Recorded, entry: Entry | None = None) -> None:
        """Queue one result (``entry``: the report to store); write the batch when it is due."""
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append((recorded, entry))
        if len(self.pending) >= self.size or time.monotonic() - self.since >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write every queued result."""
        pending, self.pending = self.pending, []
        entries = [entry for _, entry in pending if entry is not None]
        added = iter(store_reports(self.store, entries) if entries else [])
        written = []
        for recorded, entry in pending:
            if entry is not None:
                stored = next(added)
                recorded = replace(recorded, status=stored.status, report_id=stored.report_id)
            written.append(recorded)
        self.store.record_many(self.summary.run_id, written)
        for recorded in written:
            result = Result(recorded.location, recorded.status, recorded.report_id, recorded.error)
            self.summary.results.append(result)
            if self.on_result is not None:
                self.on_result(result)


def out_of_scope(scope: str) -> dict[str, str]:
    """The error of an input whose report lies outside the sender's region (whether or not it is
    already stored: the answer tells nothing about other regions)."""
    return {"code": "upload.out_of_scope", "message": f"该报告不属于您的管辖范围（{scope}），未入库",
            "message_en": f"the report lies outside your region ({scope}): not stored"}


def ingest(store: Store, inputs: Sequence[str], *, jobs: int = 1, batch: int = BATCH,
           on_total: Callable[[int], None] | None = None,
           on_result: Callable[[Result], None] | None = None,
           timeout: float | None = DEFAULT_TIMEOUT, items: Iterable[Item] | None = None,
           on_read: Callable[[str], None] | None = None) -> Summary:
    """Ingest every input into ``store`` with ``jobs`` worker processes, ``timeout`` seconds per input
    (None: no limit). ``items``: read these instead of expanding ``inputs`` — drawn one at a time as a
    worker is free, so a feed may still grow (and reorder) while the run goes on. ``on_read`` hears of
    each input's location as soon as it is read (a progress bar moves file by file); ``on_result`` once
    its result is written (in batches)."""
    if items is None:
        items = list(expand(inputs))
        if on_total is not None:
            on_total(len(items))
    summary = Summary(store.start_run(inputs))

    writer = _Writer(store, summary, batch, on_result)
    archives: dict[Path, zipfile.ZipFile] = {}

    def done(item: Item, status: str, *, sha: str | None = None, report_id: int | None = None,
             error: dict[str, str] | None = None) -> None:
        writer.put(Recorded(item.location, status, sha, report_id, error))
        if on_read is not None:
            on_read(item.location)

    def finish(item: Item, raw: bytes | None, outcome: dict[str, Any]) -> None:
        raw = outcome.get("raw") or raw
        sha = hashlib.sha256(raw).hexdigest() if raw is not None else None
        if "error" in outcome:
            done(item, "failed", sha=sha, error=outcome["error"])
        elif item.scope and item.scope not in store.place(outcome["report"].meta.agency).values():
            done(item, "failed", sha=sha, error=out_of_scope(item.scope))
        else:
            writer.put(Recorded(item.location, "stored", sha),
                       Entry(outcome["report"], raw, item.location, summary.run_id))
            if on_read is not None:
                on_read(item.location)

    def prepare(item: Item) -> bytes | None:
        """The input's bytes, or None when it needs no worker (recorded here)."""
        if item.problem is not None:
            code, message, message_en = item.problem
            done(item, "failed", error={"code": code, "message": message, "message_en": message_en})
            return None
        try:
            raw = item_bytes(item, archives)
        except ZIP_ERRORS:
            done(item, "failed", error=unreadable(item))
            return None
        sha = hashlib.sha256(raw).hexdigest()
        existing = known(sha)
        if existing is not None and item.scope and not store.in_region(existing, item.scope):
            done(item, "failed", sha=sha, error=out_of_scope(item.scope))
            return None
        if existing is not None:
            done(item, "duplicate", sha=sha, report_id=existing)
            return None
        return raw

    def tasks() -> Iterator[tuple[tuple[Item, bytes | None], tuple[str, bytes | None, str | None]]]:
        for item in items:
            raw = None if item.url else prepare(item)
            if raw is not None or item.url:
                yield (item, raw), (item.location, raw, item.url)

    try:
        with store.source_lookup() as known, Workers(work, jobs=jobs, timeout=timeout) as workers:
            for (item, raw), outcome in workers.run(tasks()):
                finish(item, raw, {"error": outcome.as_dict()} if isinstance(outcome, GknbError) else outcome)
        writer.flush()
    finally:
        for archive in archives.values():
            archive.close()
    store.finish_run(summary.run_id)
    store.optimize()  # the planner's statistics, for the list's filters on the grown store
    return summary


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
