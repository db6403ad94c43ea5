"""``python -m gknb``: the same command line as ``gknb``."""

from .cli import app

app(prog_name="gknb")
