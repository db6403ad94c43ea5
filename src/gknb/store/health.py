"""Whether the database can be trusted before a server builds on it: a SQLite file is checked page by
page (``PRAGMA quick_check``) when the workspace starts, so a file damaged in the middle is refused at
once with a clear message rather than failing requests later."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import GknbError
from .store import Store

DATABASE_TROUBLE = ("数据库暂时无法读写（文件损坏、磁盘已满或连接中断），请稍后重试或联系管理员",
                    "the database cannot be read or written right now (damaged file, full disk or lost "
                    "connection); try again later or ask an administrator")


class DatabaseDamaged(GknbError):
    """The database failed its integrity check."""

    code = "store.damaged"


def open_checked(url: str | None) -> Store:
    """``Store.open`` for a server: a database that cannot be opened or fails its check raises
    ``DatabaseDamaged`` (bilingual; the driver's message only in the exception chain)."""
    try:
        store = Store.open(url)
    except SQLAlchemyError as exc:
        raise DatabaseDamaged("无法打开数据库（文件损坏或无法访问）", "cannot open the database (damaged or unreachable)") from exc
    try:
        check_database(store)
    except DatabaseDamaged:
        store.close()
        raise
    return store


def check_database(store: Store) -> None:
    """Raise ``DatabaseDamaged`` when a SQLite database fails ``PRAGMA quick_check`` (other databases
    keep their own integrity)."""
    if store.engine.dialect.name != "sqlite":
        return
    try:
        with store.engine.connect() as connection:
            problems = [row[0] for row in connection.execute(text("PRAGMA quick_check"))]
    except SQLAlchemyError:
        problems = ["unreadable"]
    if problems != ["ok"]:
        raise DatabaseDamaged("数据库文件已损坏（完整性检查未通过）：请从备份恢复后再启动",
                              "the database file is damaged (integrity check failed): restore it from a backup "
                              "before starting")
