"""The exact shortcuts of the table reading (parse/fast.py): taken on the layouts reports and clean
copies print, and never where the full path would decide otherwise — on every text layout of both
formats, with blank cells and wrapped labels, and on every converter and crawler copy shape."""

from __future__ import annotations

import importlib
import random

import pytest

from gknb.formats import FORMATS
from gknb.formats.common import SECTIONS
from gknb.ingest import read_document
from gknb.parse.align import number_rows
from gknb.parse.fast import rows_keep_their_labels
from gknb.parse.sections import find_headings
from gknb.parse.tokens import tokenize
from layouts import BLANK_LAYOUTS, COPIES, LAYOUTS, file_name, random_report, render, render_copy

tables = importlib.import_module("gknb.parse.tables")  # the module (gknb.parse also names a function)


def _walked(raw: bytes, name: str, fmt):
    tokens = tokenize(read_document(raw, name=name))
    headings = {h.token: h.section for h in find_headings(tokens, SECTIONS)}
    walker = tables._Walker(fmt, tokens, headings)
    walker.walk()
    return tokens, walker


def _decisions(raw: bytes, name: str, fmt) -> list[tuple[bool, bool]]:
    """(shortcut taken, full path's need for alignment) for every table that has a span and is not
    declared transposed (section 四: never aligned)."""
    tokens, walker = _walked(raw, name, fmt)
    out = []
    for table in fmt.tables:
        span = walker.spans[table.key]
        layout = table.blocks[0].layout
        if not span or layout is not None and layout.transposed:
            continue
        rows = number_rows(tokens, span, walker.labels_at)
        out.append((rows_keep_their_labels(tokens, span, walker.labels_at),
                    tables._needs_alignment(rows, walker.labels_at, tables.one_column_rows(table))))
    return out


@pytest.mark.parametrize("version", sorted(FORMATS))
@pytest.mark.parametrize("layout", [x for x in LAYOUTS if x != "html"])
def test_clean_layouts_take_the_shortcut(version, layout):
    """Labels on their rows: the shortcut; labels wrapped over lines (``inline`` then prints a row's
    numbers after the label's last piece): the shortcut only where the full path agrees."""
    fmt, rnd = FORMATS[version], random.Random(f"{version}{layout}")
    for wrap in (False, False, True, True):
        cells = random_report(fmt, rnd)
        blanks = set(rnd.sample(sorted(cells), 4)) if layout in BLANK_LAYOUTS else set()
        raw = render(fmt, cells, layout, rnd, blanks=blanks, wrap_labels=wrap).encode()
        decisions = _decisions(raw, file_name(layout), fmt)
        assert decisions, "no table found"
        assert not any(taken and needed for taken, needed in decisions), decisions
        if not wrap:
            assert all(taken for taken, _ in decisions), decisions


@pytest.mark.parametrize("version", sorted(FORMATS))
@pytest.mark.parametrize("copy", COPIES)
def test_shortcut_only_where_no_alignment_is_needed(version, copy):
    fmt, rnd = FORMATS[version], random.Random(f"{version}{copy}")
    seen = []
    for _ in range(3):
        raw = render_copy(fmt, random_report(fmt, rnd), copy, rnd).encode()
        for taken, needed in _decisions(raw, "x.md" if copy.startswith("md_") else "x.txt", fmt):
            assert not (taken and needed)
            seen.append((taken, needed))
    if copy in ("pdf_own_line", "md_unlabelled"):  # copies whose rows lose their labels: the full path runs
        assert any(needed and not taken for taken, needed in seen), seen
