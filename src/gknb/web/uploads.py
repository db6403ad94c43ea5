"""Uploads from the browser or the API: bounded, sniffed, recorded, then ingested fairly in the background.

Files are checked as they arrive (count, size, what they are); refused ones are reported at once with
their reason and never stored. Accepted files are written to the upload folder and the upload is
recorded in the store (``uploads``) before the request is answered, so an acknowledged upload is never
lost: when the server starts, every recorded upload that had not finished is taken up again (its files
still there) or marked failed with the reason. One background thread feeds the inputs to
``pipeline.bulk.ingest`` (worker processes, the per-file time limit, zip guards, one result per file)
drawing them round-robin by user (``FairFeed``), so one person's large scans cannot starve another's
small upload; an upload made while a run is busy joins it. Progress is kept per file, in memory and
in the store. A reviewer scoped to a region may upload only that region's reports.

Without a folder given, the uploads live in a temporary folder of their own (``gknb-uploads-*``),
removed when the app closes unless an unfinished upload's files are still in it (taken up at the next
start; once it is done there, that earlier folder is removed too).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select

from ..errors import GknbError
from ..ingest import MAX_BYTES, medium
from ..ingest.urls import is_url
from ..pipeline.bulk import Item, Result, expand, ingest
from ..store import Store
from ..store.models import UploadRow

_log = logging.getLogger("gknb.web.uploads")
SAVE_SECONDS = 1.0  # how often a running upload's progress is written to the store
ACCEPTED_MEDIA = ("txt", "md", "html", "docx", "doc", "pdf", "ofd", "image", "archive")
FOLDER_PREFIX = "gknb-uploads-"  # the temporary upload folder's name, when none is given


@dataclass(frozen=True)
class Limits:
    """Bounds of one upload: files per request, bytes per file, bytes per request, URLs per request."""

    max_files: int = 200
    max_file_bytes: int = MAX_BYTES
    max_total_bytes: int = 512 * 1024 * 1024
    max_urls: int = 500


@dataclass
class Upload:
    """One upload: its files (each ``queued`` → ``stored`` / ``duplicate`` / ``failed``) and its state.

    ``region``: the uploader's scope. A file entry's ``_input`` (never shown) is its index in ``inputs``."""

    id: str
    user: str
    created: str
    directory: Path
    inputs: list[str]
    files: list[dict[str, Any]] = field(default_factory=list)
    state: str = "queued"  # queued | running | done
    run_id: int | None = None
    region: str | None = None
    pending: int = 0  # inputs (zip members each) not yet answered
    saved: float = 0.0  # when the progress was last written to the store

    @property
    def by_input(self) -> dict[str, dict[str, Any]]:
        """Input path or URL → its file entry."""
        return {self.inputs[f["_input"]]: f for f in self.files if "_input" in f}

    def as_dict(self) -> dict[str, Any]:
        files = [{k: v for k, v in item.items() if not k.startswith("_")} for item in list(self.files)]
        counts: dict[str, int] = {}
        for item in files:
            counts[item["status"]] = counts.get(item["status"], 0) + 1
        return {"id": self.id, "user": self.user, "created": self.created, "state": self.state,
                "run_id": self.run_id, "counts": counts, "files": files}


class FairFeed:
    """Inputs waiting to be read, one queue per user, drawn round-robin (an iterator that ends when
    nothing waits; ``close`` ends it early)."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Item]] = {}
        self._turn: deque[str] = deque()  # users with something waiting, whose turn is next first
        self._lock = threading.Lock()
        self.closed = False

    def add(self, user: str, items: list[Item]) -> None:
        """Queue a user's inputs behind their earlier ones; a user with nothing waiting is next."""
        with self._lock:
            if user not in self._queues:
                self._queues[user] = deque()
                self._turn.appendleft(user)  # the others have had their turn
            self._queues[user].extend(items)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    def __iter__(self) -> FairFeed:
        return self

    def __next__(self) -> Item:
        with self._lock:
            if self.closed or not self._turn:
                raise StopIteration
            user = self._turn.popleft()
            waiting = self._queues[user]
            item = waiting.popleft()
            if waiting:
                self._turn.append(user)
            else:
                del self._queues[user]
            return item


def safe_name(name: str) -> str:
    """A file name without folders or characters a file system dislikes (Chinese is kept)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base).strip(" .") or "upload"
    return base[:150]


def refusal(code: str, message: str, message_en: str) -> dict[str, str]:
    """The error of a file refused on arrival."""
    return {"code": code, "message": message, "message_en": message_en}


def sniff(name: str, head: bytes) -> dict[str, str] | None:
    """Why a file is refused by its content (None when gknb can read what it is)."""
    if not head:
        return refusal("file.unreadable", "文件为空", "file is empty")
    try:
        kind = medium(head, name=name)
    except GknbError as error:
        return error.as_dict()
    if kind not in ACCEPTED_MEDIA:
        return refusal("file.unsupported", f"不支持的文件类型（{kind}）", f"unsupported file type ({kind})")
    if kind in ("txt", "md") and b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return refusal("file.unreadable", "二进制文件，不是文本、网页或文档", "a binary file, not text, a web page or a document")
    return None


class Uploads:
    """The uploads of one app: accept and record, then ingest in a background thread, fairly by user.

    ``directory``: where uploaded files wait to be read (None: a temporary folder of its own, removed
    by ``close``)."""

    def __init__(self, store: Store, directory: Path | None = None, *, jobs: int = 1, limits: Limits | None = None,
                 timeout: float | None = None):
        self.store = store
        self._own_directory = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX)) if directory is None else directory
        self.jobs = jobs
        self.limits = limits or Limits()
        self.timeout = timeout
        self._uploads: dict[str, Upload] = {}
        self._routes: dict[str, deque[tuple[Upload, dict[str, Any], bool]]] = {}  # input location → owners
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._feed = FairFeed()
        self._closing = False
        self._resume()
        self._thread = threading.Thread(target=self._run, name="gknb-uploads", daemon=True)
        self._thread.start()

    def start(self, user: str, region: str | None = None) -> Upload:
        """A new, empty upload in its own folder (``region``: the uploader's scope)."""
        upload_id = uuid.uuid4().hex[:12]
        directory = self.directory / upload_id
        directory.mkdir(parents=True)
        return Upload(upload_id, user, datetime.now(UTC).isoformat(timespec="seconds"), directory, [], region=region)

    def add_file(self, upload: Upload, name: str, raw: bytes) -> None:
        """Keep one uploaded file (or refuse it, with its reason, when it is not something gknb reads)."""
        name = safe_name(name)
        problem = sniff(name, raw[:8192])
        if problem is None and len(raw) > self.limits.max_file_bytes:
            limit = self.limits.max_file_bytes // (1024 * 1024)
            problem = refusal("upload.too_large", f"文件过大（超过 {limit} MB）", f"file too large (over {limit} MB)")
        if problem is not None:
            upload.files.append({"name": name, "status": "failed", "error": problem})
            return
        path = upload.directory / f"{len(upload.inputs):04d}_{name}"
        path.write_bytes(raw)
        self._queue_input(upload, str(path), name)

    def add_urls(self, upload: Upload, text: str) -> None:
        """Queue the URLs of a pasted list (one per line; other lines, and a URL given twice, are
        refused with a reason)."""
        for line in text.splitlines():
            url = line.strip()
            if not url or url.startswith("#"):
                continue
            if not is_url(url):
                upload.files.append({"name": url[:200], "status": "failed", "error": refusal(
                    "upload.bad_url", "不是 http(s) 网址", "not an http(s) URL")})
                continue
            if url in upload.inputs:
                upload.files.append({"name": url[:200], "status": "failed", "error": refusal(
                    "upload.repeated", "该网址在本次上传中重复，只读取一次", "the URL is given twice in this upload: read once")})
                continue
            self._queue_input(upload, url, url)

    @staticmethod
    def _queue_input(upload: Upload, source: str, name: str) -> None:
        upload.files.append({"name": name, "status": "queued", "_input": len(upload.inputs)})
        upload.inputs.append(source)

    def file_name(self, location: str) -> tuple[str, str | None]:
        """A stored report's location as a person names it: the file's own name (without the server's
        folders, or the numbering this class gave an uploaded file) and the zip member, if any
        (``…/gknb-uploads-x/ab12/0003_年报.zip!a/b.txt`` → ``("年报.zip", "a/b.txt")``)."""
        outer, _, member = location.partition("!")
        name = re.split(r"[\\/]", outer.rstrip("/"))[-1]
        if "://" in outer:
            name = unquote(name)
        elif Path(outer).is_relative_to(self.directory) or re.search(r"[\\/][0-9a-f]{12}[\\/]\d{4}_", outer):
            name = re.sub(r"^\d{4}_", "", name)
        return name, member or None

    def source_name(self, location: str) -> str:
        """A stored location as one line a person reads: ``年报.zip › a/b.txt`` (see ``file_name``)."""
        return " › ".join(part for part in self.file_name(location) if part)

    def submit(self, upload: Upload) -> Upload:
        """Record the upload in the store, then queue its accepted inputs (one with none is done at once).

        Only once this returns is the upload acknowledged: a server killed after it takes the upload up
        again when it starts."""
        if not upload.inputs:
            upload.state = "done"
            shutil.rmtree(upload.directory, ignore_errors=True)
        self._save(upload)
        with self._lock:
            self._uploads[upload.id] = upload
        if upload.inputs:
            self._enqueue(upload)
        return upload

    def get(self, upload_id: str) -> Upload | None:
        """An upload, by id (this process's, else as recorded in the store)."""
        with self._lock:
            found = self._uploads.get(upload_id)
        if found is not None:
            return found
        with self.store.session() as session:
            row = session.get(UploadRow, upload_id[:32])
            return _from_row(row) if row is not None else None

    def recent(self, user: str | None = None, limit: int = 20) -> list[Upload]:
        """The newest uploads (of one user when given), as recorded."""
        with self.store.session() as session:
            query = select(UploadRow).order_by(UploadRow.created.desc(), UploadRow.id).limit(limit)
            rows = session.scalars(query.where(UploadRow.user == user) if user is not None else query).all()
        with self._lock:
            return [self._uploads.get(row.id) or _from_row(row) for row in rows]

    def idle(self) -> bool:
        """Whether every upload so far has been ingested."""
        with self._lock:
            return all(u.state == "done" for u in self._uploads.values())

    def close(self) -> None:
        """Stop drawing inputs, finish the ones being read and stop the thread; uploads not finished stay
        recorded (their files kept) and are taken up again at the next start. Empty upload folders are
        removed, and the temporary folder this object made when nothing is left in it."""
        with self._wake:
            self._closing = True
            self._feed.closed = True
            self._wake.notify_all()
        self._thread.join(timeout=60)
        if self.directory.is_dir():
            for folder in self.directory.iterdir():
                _remove_if_empty(folder)
            if self._own_directory:
                _remove_if_empty(self.directory)

    # -- the background run ----------------------------------------------------------------

    def _enqueue(self, upload: Upload) -> None:
        """Queue every input of the upload not answered yet (zip members already answered skipped)."""
        items: list[Item] = []
        owners: list[tuple[str, dict[str, Any], bool]] = []
        for source, entry in upload.by_input.items():
            if entry["status"] not in ("queued", "unpacked"):
                continue
            answered = {m["name"] for m in entry.get("members", [])}
            for item in expand([source]):
                member = item.location != source
                if member and (item.member or item.url or item.location) in answered:
                    continue
                items.append(replace(item, scope=upload.region))
                owners.append((item.location, entry, member))
        with self._wake:
            upload.pending = len(items)
            for location, entry, member in owners:
                self._routes.setdefault(location, deque()).append((upload, entry, member))
            if items:
                self._feed.add(upload.user, items)
                self._wake.notify_all()
        if not items:
            self._finish(upload)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not len(self._feed) and not self._closing:
                    self._wake.wait()
                if self._closing:
                    return
                running = [u for u in self._uploads.values() if u.state != "done"]
                for upload in running:
                    upload.state = "running"
            try:
                kwargs: dict[str, Any] = {} if self.timeout is None else {"timeout": self.timeout}
                summary = ingest(self.store, [f"upload:{u.id}" for u in running], jobs=self.jobs, batch=1,
                                 on_result=self._on_result, items=self._feed, **kwargs)
                for upload in running:
                    upload.run_id = upload.run_id or summary.run_id
            except Exception:  # the store itself failed: say so on every file not yet done, nothing internal
                _log.exception("an ingest run of the uploads failed")
                self._fail_pending()

    def _on_result(self, result: Result) -> None:
        with self._lock:
            owners = self._routes.get(result.location)
            if not owners:
                return
            upload, entry, member = owners.popleft()
            if not owners:
                del self._routes[result.location]
            update: dict[str, Any] = {"status": result.status, "report_id": result.report_id}
            if result.error:
                update["error"] = result.error
            if member:  # a zip member (or a URL of a list): one line per member under the file
                name = result.location.partition("!")[2] or result.location
                entry.setdefault("members", []).append({"name": name, **update})
                entry["status"] = "unpacked"
            else:
                entry.update(update)
            upload.pending -= 1
            finished = upload.pending <= 0
            if not finished:
                upload.state = "running"
        if finished:
            self._finish(upload)
        elif time.monotonic() - upload.saved >= SAVE_SECONDS:
            self._save(upload)

    def _finish(self, upload: Upload) -> None:
        shutil.rmtree(upload.directory, ignore_errors=True)
        earlier = upload.directory.parent  # an upload taken up from an earlier start's temporary folder
        if earlier != self.directory and earlier.name.startswith(FOLDER_PREFIX):
            _remove_if_empty(earlier)
        upload.state = "done"
        self._save(upload)

    def _fail_pending(self) -> None:
        with self._lock:
            pending = [u for u in self._uploads.values() if u.state != "done"]
            self._routes.clear()
            while True:
                try:
                    next(self._feed)
                except StopIteration:
                    break
        for upload in pending:
            for item in upload.files:
                if item["status"] in ("queued", "unpacked") and "error" not in item:
                    item.update(status="failed", error=refusal(
                        "store.unavailable", "入库失败：数据库暂时无法写入，请稍后重新上传",
                        "could not store the file: the database cannot be written right now; upload it again later"))
            try:
                self._finish(upload)
            except Exception:  # the store is still down: the upload stays recorded as unfinished
                _log.exception("cannot record the failed upload %s", upload.id)

    # -- the record in the store -----------------------------------------------------------

    def _save(self, upload: Upload) -> None:
        """Write the upload's state and every file's to the store."""
        with self._lock:
            files = copy.deepcopy(upload.files)
        upload.saved = time.monotonic()
        with self.store.session.begin() as session:
            row = session.get(UploadRow, upload.id)
            if row is None:
                row = UploadRow(id=upload.id, user=upload.user, region=upload.region,
                                created=datetime.fromisoformat(upload.created).replace(tzinfo=None),
                                folder=str(upload.directory), inputs=list(upload.inputs))
                session.add(row)
            row.state, row.files, row.run_id = upload.state, files, upload.run_id

    def _resume(self) -> None:
        """Take up every recorded upload that had not finished: its inputs read again (those already
        answered kept), or, when its files are gone, each marked failed with the reason."""
        with self.store.session() as session:
            rows = session.scalars(select(UploadRow).where(UploadRow.state != "done").order_by(UploadRow.created)).all()
        for row in rows:
            upload = _from_row(row)
            upload.state = "queued"
            lost = [source for source in upload.inputs if not is_url(source) and not Path(source).exists()]
            for source, entry in upload.by_input.items():
                if source in lost and entry["status"] in ("queued", "unpacked"):
                    entry.update(status="failed", error=refusal(
                        "upload.lost", "服务器重启后找不到该文件，请重新上传", "the file was gone when the server restarted: upload it again"))
            with self._lock:
                self._uploads[upload.id] = upload
            self._enqueue(upload)


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` if it is an empty folder (anything else is left as it is)."""
    with contextlib.suppress(OSError):
        folder.rmdir()


def _from_row(row: UploadRow) -> Upload:
    return Upload(row.id, row.user, row.created.isoformat(timespec="seconds") + "+00:00", Path(row.folder),
                  list(row.inputs), copy.deepcopy(row.files), row.state, row.run_id, row.region)
