"""Errors that stop one file (never the batch): each says what went wrong in Chinese and English."""

from __future__ import annotations


class GknbError(Exception):
    """A file could not be turned into a report. ``code`` is stable; messages are for people."""

    code = "error"

    def __init__(self, message: str, message_en: str, path: str | None = None):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.path = path

    def __reduce__(self) -> tuple[type[GknbError], tuple[str, str, str | None]]:
        return type(self), (self.message, self.message_en, self.path)  # pickled from worker processes

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en}

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message} / {self.message_en}"


def text_position(error: BaseException) -> tuple[str, str]:
    """Where a JSON or YAML parser stopped, as words to add to a message (``（第 3 行第 9 列）``,
    `` (line 3, column 9)``), without the parser's own text; empty when it does not say."""
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)  # json.JSONDecodeError
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)  # yaml.MarkedYAMLError
    if line is None and mark is not None:
        line, column = mark.line + 1, mark.column + 1
    if not isinstance(line, int) or not isinstance(column, int):
        return "", ""
    return f"（第 {line} 行第 {column} 列）", f" (line {line}, column {column})"


class UnreadableFile(GknbError):
    """The bytes cannot be read as any supported medium (missing, binary, wrong encoding, too large)."""

    code = "file.unreadable"


class UnsupportedFormat(GknbError):
    """The file is of a kind gknb does not read (yet)."""

    code = "file.unsupported"


class NotAnnualReport(GknbError):
    """The file reads fine but is not a 政府信息公开工作年度报告."""

    code = "file.not_annual_report"


class TimedOut(GknbError):
    """Reading the file took longer than the time limit (``--timeout``, ``GKNB_TIMEOUT``): it was stopped."""

    code = "ingest.timeout"

    @classmethod
    def after(cls, seconds: float, path: str | None = None) -> TimedOut:
        """The error for a file stopped after ``seconds``."""
        return cls(f"读取超时：超过 {seconds:g} 秒的时间限制，已停止",
                   f"reading took longer than the {seconds:g} s time limit and was stopped", path)


class OutOfMemory(GknbError):
    """Reading the file needed more memory than a worker process may take: it was stopped."""

    code = "ingest.memory"

    @classmethod
    def over(cls, limit: int | None, path: str | None = None) -> OutOfMemory:
        """The error for a file that ran out of ``limit`` bytes."""
        size = f" {limit / 1024**3:.1f} GB" if limit else ""
        return cls(f"读取该文件所需内存超过工作进程的上限{size}，已停止：文件过大或过于复杂",
                   f"reading the file needed more memory than a worker may take{size}: too large or too complex", path)


class InternalError(GknbError):
    """An unexpected failure inside gknb while reading one file (a bug, reported like bad input)."""

    code = "internal"

    @classmethod
    def of(cls, error: BaseException, path: str | None = None, *, retries: int = 0) -> InternalError:
        """The error a person is shown for an unexpected ``error``: the kind of failure (``KeyError``), never
        its text, which may hold paths, SQL or data (the caller logs that where there is a log); ``retries``:
        how often it was tried again."""
        kind = type(error).__name__
        again, again_en = (f"，重试 {retries} 次仍失败", f" after {retries} retries") if retries else ("", "")
        return cls(f"gknb 内部错误（{kind}）{again}，请报告此问题", f"internal error in gknb ({kind}){again_en}; please report it",
                   path)
