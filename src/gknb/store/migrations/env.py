"""Alembic environment: runs migrations on the connection the store hands over in ``config.attributes``.

The distributed-ingest queue's tables (procrastinate's own and ``queue_*``, see ``gknb.pipeline.queue``) are
managed by that module, so autogenerate leaves them alone.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from gknb.store.models import Base


def _ours(_object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(("procrastinate_", "queue_")))


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_object=_ours)
with context.begin_transaction():
    context.run_migrations()
