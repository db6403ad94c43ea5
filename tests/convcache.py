"""The real converters' outputs kept on disk, keyed by what went in: the input's content, the command line
and the converter's version.

A conversion (LibreOffice's PDF of a DOCX, chromium's print of a page, a converter's copy of a file)
runs the real program the first time its input is seen — on a fresh clone, as in CI, every one runs
— and is then taken from the cache by every later test, worker process and run: the suite's pytest
workers share it (one worker waits while another makes the same output), so the tests that read the
same file need not run in one worker. A DOCX (a zip) is keyed by its members' names and contents, not
by the time python-docx stamps on them. The cache is pytest's (``.pytest_cache/d/gknb-conversions``,
emptied by ``pytest --cache-clear``), set by tests/conftest.py; without it (``-p no:cacheprovider``,
bench/accuracy.py) every conversion runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

DIR: Path | None = None  # the cache folder (tests/conftest.py sets pytest's); None: no cache


def content_key(data: bytes) -> str:
    """sha256 of ``data``; of a zip (DOCX): of its members' names and contents in order (not their times)."""
    digest = hashlib.sha256()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    digest.update(info.filename.encode("utf-8") + b"\0")
                    digest.update(hashlib.sha256(archive.read(info)).digest())
            return "zip-" + digest.hexdigest()
        except zipfile.BadZipFile:
            digest = hashlib.sha256()
    digest.update(data)
    return digest.hexdigest()


@cache
def _installed() -> str:
    """A digest of every distribution installed here, name and version."""
    versions = sorted(f"{d.metadata['Name']} {d.version}" for d in importlib.metadata.distributions())
    return hashlib.sha256("\n".join(versions).encode("utf-8")).hexdigest()


@cache
def tool_version(exe: str) -> str:
    """The version of the program ``exe``: of a script of this environment's packages, every installed
    distribution's name and version (its output also depends on the packages it imports); else what
    ``exe --version`` (``-v``) prints."""
    path = Path(exe)
    if path.parent == Path(sys.executable).parent:
        return f"{path.name} in {_installed()}"
    for flag in ("--version", "-v"):
        done = subprocess.run([exe, flag], capture_output=True, text=True, timeout=60, check=False)
        text = (done.stdout + done.stderr).strip()
        if done.returncode == 0 and text:
            return text.splitlines()[0]
    return f"{path.resolve()} {path.stat().st_size} {path.stat().st_mtime_ns}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` between processes (POSIX; elsewhere none: two workers may both convert)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached(data: bytes, tool: str, argv: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
    """``make()`` (the program ``tool`` run as ``argv`` on ``data``), or its output kept from before."""
    if DIR is None:
        return make()
    recipe = "\0".join((tool_version(tool), *argv, content_key(data)))
    key = hashlib.sha256(recipe.encode("utf-8")).hexdigest()
    folder = DIR / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / key
    with _locked(folder / f"{key}.lock"):
        if out.exists():
            return out.read_bytes()
        result = make()
        part = folder / f"{key}.{os.getpid()}.part"
        part.write_bytes(result)
        os.replace(part, out)
        return result


__all__ = ["DIR", "cached", "content_key", "tool_version"]
