"""Which inputs are web addresses, and the entries of a URL list (no HTTP library needed to tell)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_URL = re.compile(r"^https?://", re.IGNORECASE)


def is_url(text: str) -> bool:
    """Whether an input names an ``http://`` or ``https://`` address rather than a file."""
    return bool(_URL.match(text.strip()))


def url_list(lines: Iterable[str]) -> list[str]:
    """The inputs of a URL list: one a line; blank lines and ``#`` comments (whole or after a space) skipped."""
    out = []
    for line in lines:
        entry = re.split(r"\s#", line, maxsplit=1)[0].strip()
        if entry and not entry.startswith("#"):
            out.append(entry)
    return out
