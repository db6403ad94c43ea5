"""Which declared format version a document's tables follow, from what tells the versions apart.

Nothing here is listed by hand: for each pair of declared formats (A, B), the elements that tell A
from B are A's columns, rows, captions, groups and headers that print a form (the label or a known
variant) B can never print — neither among B's forms nor inside one of them. A document's evidence
for A over B is how many of those elements it prints. A format that beats every other (more
evidence for it than against it) is chosen; when several tie, the report year decides. A revision
that shares most labels with its predecessor is told apart by the few it changes, and a report of the
predecessor shows no evidence of the revision (so no false ``format.mixed``).
"""

from __future__ import annotations

from functools import cache

from ..formats import FORMATS, Format, format_for_year
from ..text import normalize_label
from .labels import core

MIN_LABEL = 4  # shorter labels (3.其他 → 其他, 总计) are printed everywhere in prose


def printed_labels(fmt: Format) -> tuple[frozenset[str], ...]:
    """What a report of ``fmt`` may print in its tables, one set of forms per declared element (a
    column, a row, a caption, a group or header label): comparison forms, without numbering."""
    return _printed_labels(fmt.version, id(fmt))


@cache
def _printed_labels(version: str, _identity: int) -> tuple[frozenset[str], ...]:
    fmt = FORMATS[version]
    elements: list[tuple[str, ...]] = []
    for table in fmt.tables:
        elements += [(label,) for label in table.group_labels]
        for block in table.blocks:
            elements += [(label,) for label in (*block.header_labels, *block.extra_columns)]
            if block.caption:
                elements.append((block.caption, *block.caption_aliases))
            elements += [(c.label, *c.aliases) for c in block.columns]
            elements += [(r.label, *r.aliases) for r in block.rows]
    return tuple(dict.fromkeys(frozenset(core(normalize_label(t)) for t in forms) for forms in elements))


def distinctive(fmt: Format, other: Format) -> tuple[frozenset[str], ...]:
    """The elements that tell ``fmt`` from ``other``, each by the forms of it ``other`` never prints
    (not among its forms, not inside one of them); elements left with no such form are dropped."""
    return _distinctive(fmt.version, other.version, id(fmt), id(other))


@cache
def _distinctive(version: str, other_version: str, _a: int, _b: int) -> tuple[frozenset[str], ...]:
    theirs = {form for forms in printed_labels(FORMATS[other_version]) for form in forms}
    out = []
    for forms in printed_labels(FORMATS[version]):
        own = frozenset(f for f in forms if len(f) >= MIN_LABEL and not any(f in their for their in theirs))
        if own:
            out.append(own)
    return tuple(out)


def evidence(norm_text: str) -> dict[tuple[str, str], int]:
    """(A, B) → how many elements telling format A from format B the text prints (in any of their
    forms), for every ordered pair of declared formats."""
    formats = list(FORMATS.values())
    return {(a.version, b.version): sum(any(form in norm_text for form in forms) for forms in distinctive(a, b))
            for a in formats for b in formats if a is not b}


def choose(found: dict[tuple[str, str], int], year: int | None) -> Format | None:
    """The format with the best record over the others (wins minus losses); the year breaks ties.
    None when the text tells no format from another."""
    if not any(found.values()):
        return None
    record = {v: sum((found[v, w] > found[w, v]) - (found[v, w] < found[w, v]) for w in FORMATS if w != v)
              for v in FORMATS}
    best = max(record.values())
    leaders = [FORMATS[v] for v, r in record.items() if r == best]
    by_year = format_for_year(year)
    return by_year if by_year in leaders else leaders[0]


def mixed_with(fmt: Format, found: dict[tuple[str, str], int]) -> list[Format]:
    """The other formats whose distinctive labels (against ``fmt``) the text prints as well."""
    return [other for other in FORMATS.values() if other is not fmt and found[other.version, fmt.version] > 0]
