"""Uploads from the browser or the API: bounded, sniffed, then ingested one batch at a time.

Files are checked as they arrive (count, size, what they are); refused ones are reported at once with
their reason and never stored. Accepted files are written to the upload folder, then one background
thread hands each batch to ``pipeline.bulk.ingest`` (worker processes, the per-file time limit, zip
guards, one result per file), so the server keeps answering while a batch is read. Progress is kept
here per file; the results are also in the store's ingest runs, so nothing is lost with this process. Uploads
that arrive while a run is busy are read together in the next run (worker processes start once per run).
"""

from __future__ import annotations

import queue
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import GknbError
from ..ingest import MAX_BYTES, medium
from ..ingest.fetch import is_url
from ..pipeline.bulk import Result, ingest
from ..store import Store

MAX_BATCH_UPLOADS = 100  # uploads read in one ingest run
ACCEPTED_MEDIA = ("txt", "md", "html", "docx", "doc", "pdf", "ofd", "image", "archive")


@dataclass(frozen=True)
class Limits:
    """Bounds of one upload: files per request, bytes per file, bytes per request, URLs per request."""

    max_files: int = 200
    max_file_bytes: int = MAX_BYTES
    max_total_bytes: int = 512 * 1024 * 1024
    max_urls: int = 500


@dataclass
class Upload:
    """One upload: its files (each ``queued`` → ``stored`` / ``duplicate`` / ``failed``) and its state."""

    id: str
    user: str
    created: str
    directory: Path
    inputs: list[str]
    files: list[dict[str, Any]] = field(default_factory=list)
    state: str = "queued"  # queued | running | done
    run_id: int | None = None
    by_input: dict[str, dict[str, Any]] = field(default_factory=dict)  # input path or URL → its file entry

    def as_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for item in self.files:
            counts[item["status"]] = counts.get(item["status"], 0) + 1
        return {"id": self.id, "user": self.user, "created": self.created, "state": self.state,
                "run_id": self.run_id, "counts": counts, "files": self.files}


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
    """The upload queue of one app: accept, then ingest batches in a background thread."""

    def __init__(self, store: Store, directory: Path, *, jobs: int = 1, limits: Limits | None = None,
                 timeout: float | None = None):
        self.store = store
        self.directory = directory
        self.jobs = jobs
        self.limits = limits or Limits()
        self.timeout = timeout
        self._uploads: dict[str, Upload] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Upload | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="gknb-uploads", daemon=True)
        self._thread.start()

    def start(self, user: str) -> Upload:
        """A new, empty upload in its own folder."""
        upload_id = uuid.uuid4().hex[:12]
        directory = self.directory / upload_id
        directory.mkdir(parents=True)
        return Upload(upload_id, user, datetime.now(UTC).isoformat(timespec="seconds"), directory, [])

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
        """Queue the URLs of a pasted list (one per line; other lines are refused with a reason)."""
        for line in text.splitlines():
            url = line.strip()
            if not url or url.startswith("#"):
                continue
            if not is_url(url):
                upload.files.append({"name": url[:200], "status": "failed", "error": refusal(
                    "upload.bad_url", "不是 http(s) 网址", "not an http(s) URL")})
                continue
            self._queue_input(upload, url, url)

    @staticmethod
    def _queue_input(upload: Upload, source: str, name: str) -> None:
        entry: dict[str, Any] = {"name": name, "status": "queued"}
        upload.inputs.append(source)
        upload.files.append(entry)
        upload.by_input[source] = entry

    def file_name(self, location: str) -> tuple[str, str | None]:
        """A stored report's location as a person names it: the file's own name (without the server's
        folders, or the numbering this class gave an uploaded file) and the zip member, if any
        (``…/gknb-uploads-x/ab12/0003_年报.zip!a/b.txt`` → ``("年报.zip", "a/b.txt")``)."""
        outer, _, member = location.partition("!")
        name = re.split(r"[\\/]", outer.rstrip("/"))[-1]
        if "://" in outer:
            name = unquote(name)
        elif Path(outer).is_relative_to(self.directory):
            name = re.sub(r"^\d{4}_", "", name)
        return name, member or None

    def submit(self, upload: Upload) -> Upload:
        """Queue the upload's accepted inputs for ingest (an upload with none is done at once)."""
        with self._lock:
            self._uploads[upload.id] = upload
        if upload.inputs:
            self._queue.put(upload)
        else:
            upload.state = "done"
            shutil.rmtree(upload.directory, ignore_errors=True)
        return upload

    def get(self, upload_id: str) -> Upload | None:
        """An upload of this process, by id."""
        with self._lock:
            return self._uploads.get(upload_id)

    def recent(self, user: str | None = None, limit: int = 20) -> list[Upload]:
        """The newest uploads (of one user when given)."""
        with self._lock:
            found = [u for u in self._uploads.values() if user is None or u.user == user]
        return sorted(found, key=lambda u: u.created, reverse=True)[:limit]

    def idle(self) -> bool:
        """Whether every upload so far has been ingested."""
        with self._lock:
            return all(u.state == "done" for u in self._uploads.values())

    def close(self) -> None:
        """Finish the batch in hand and stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while (upload := self._queue.get()) is not None:
            batch = [upload]
            while len(batch) < MAX_BATCH_UPLOADS:  # uploads waiting meanwhile go in the same run
                try:
                    waiting = self._queue.get_nowait()
                except queue.Empty:
                    break
                if waiting is None:
                    self._queue.put(None)
                    break
                batch.append(waiting)
            self._ingest(batch)

    def _ingest(self, batch: list[Upload]) -> None:
        """One ingest run for the inputs of several uploads (worker processes start once per run)."""
        entries: dict[str, list[dict[str, Any]]] = {}
        for upload in batch:
            upload.state = "running"
            for source, entry in upload.by_input.items():
                entries.setdefault(source, []).append(entry)

        def on_result(result: Result) -> None:
            source, _, member = result.location.partition("!")
            update: dict[str, Any] = {"status": result.status, "report_id": result.report_id}
            if result.error:
                update["error"] = result.error
            for entry in entries.get(source, []):
                if member:  # a zip member: one line per member under the zip
                    entry.setdefault("members", []).append({"name": member, **update})
                    entry["status"] = "unpacked"
                else:
                    entry.update(update)

        inputs = list(entries)
        try:
            kwargs: dict[str, Any] = {} if self.timeout is None else {"timeout": self.timeout}
            summary = ingest(self.store, inputs, jobs=self.jobs, on_result=on_result, **kwargs)
            for upload in batch:
                upload.run_id = summary.run_id
        except Exception as exc:  # the store itself failed: say so on every file not yet done
            for upload in batch:
                for item in upload.files:
                    if item["status"] == "queued":
                        item.update(status="failed", error=refusal(
                            "internal", f"入库失败：{exc}", f"could not store the file: {exc}"))
        finally:
            for upload in batch:
                shutil.rmtree(upload.directory, ignore_errors=True)
                upload.state = "done"
