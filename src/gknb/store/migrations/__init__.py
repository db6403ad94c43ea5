"""Alembic migrations of the store, shipped with the package (``gknb`` upgrades to head on open)."""
