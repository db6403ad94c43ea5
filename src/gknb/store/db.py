"""Opening a database: the URL (``--db``, else ``GKNB_DB``, else ``sqlite:///gknb.db``) and its schema.

Opening runs the packaged Alembic migrations up to head, so a new file or an older schema is ready
to use. ``postgresql://`` URLs use the psycopg 3 driver.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

DEFAULT_URL = "sqlite:///gknb.db"


def database_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else ``$GKNB_DB``, else ``gknb.db`` here; a bare path means SQLite."""
    url = url or os.environ.get("GKNB_DB") or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{Path(url)}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def alembic_config() -> Config:
    """An Alembic configuration pointing at the migrations inside the package."""
    config = Config()
    config.set_main_option("script_location", "gknb.store:migrations")
    return config


def open_engine(url: str | None = None) -> Engine:
    """An engine on the database, upgraded to the newest schema."""
    engine = create_engine(database_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
