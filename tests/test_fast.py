"""The exact shortcuts of the table reading (parse/fast.py): taken on the layouts reports and clean
copies print, and never where the full path would decide otherwise — on every text layout of both
formats, with blank cells and wrapped labels, and on every converter and crawler copy shape."""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path

import pytest

import gknb
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


def _fits(raw: bytes, name: str, fmt, monkeypatch, shortcut: bool) -> list[tuple[str, list[tuple]]]:
    """(how, candidate cells as (kind, text, line) per cell) of ``tables.fit`` for every labelled
    segment of the walk, with the ``printed_in_full`` shortcut or without it; and how often it fired."""
    tokens, walker = _walked(raw, name, fmt)
    out_tables = tables.TableAssembler(fmt)
    segments = [s for s in walker.segments if s.row]
    stats = tables._measure_gaps([(s, len(out_tables.row_keys(s.table, s.row))) for s in segments])
    fired = []
    with monkeypatch.context() as patch:
        if not shortcut:
            patch.setattr(tables, "printed_in_full", lambda tokens, n: None)
        else:
            real = tables.printed_in_full
            patch.setattr(tables, "printed_in_full", lambda tokens, n: fired.append(real(tokens, n)) or fired[-1])
        fits = [tables.fit(s, len(out_tables.row_keys(s.table, s.row)), stats) for s in segments]
    described = [(f.how, f.start_key, [tuple((c.kind, c.text, c.where.line) if c else None for c in cand)
                                       for cand in f.candidates]) for f in fits]
    return described, sum(x is not None for x in fired)


@pytest.mark.parametrize("version", sorted(FORMATS))
def test_rows_printed_in_full_are_fitted_as_the_full_path_fits_them(version, monkeypatch):
    """``printed_in_full``: every row's fit is the full path's, on every text layout (blank cells,
    wrapped labels) and copy shape; and the shortcut does fire on them."""
    fmt, rnd = FORMATS[version], random.Random(f"fit{version}")
    fired = 0
    for layout in [x for x in LAYOUTS if x != "html"]:
        for wrap in (False, True):
            cells = random_report(fmt, rnd)
            blanks = set(rnd.sample(sorted(cells), 4)) if layout in BLANK_LAYOUTS else set()
            raw = render(fmt, cells, layout, rnd, blanks=blanks, wrap_labels=wrap).encode()
            fast, n = _fits(raw, file_name(layout), fmt, monkeypatch, True)
            full, _ = _fits(raw, file_name(layout), fmt, monkeypatch, False)
            assert fast == full, layout
            fired += n
    for copy in COPIES:
        raw = render_copy(fmt, random_report(fmt, rnd), copy, rnd).encode()
        name = "x.md" if copy.startswith("md_") else "x.txt"
        assert _fits(raw, name, fmt, monkeypatch, True)[0] == _fits(raw, name, fmt, monkeypatch, False)[0], copy
    assert fired > 50


@pytest.mark.parametrize("version", sorted(FORMATS))
def test_identities_are_built_once_and_handed_out_as_copies(version):
    """``Format.identities`` (asked for by parse and check on every report) is built once per format:
    each call gives equal equations, and a caller changing its list changes no other caller's; the
    tables an identity tests are those of tables 三 and 四, never section 二's disclosure table."""
    fmt = FORMATS[version]
    first = fmt.identities()
    first.clear()
    again = fmt.identities()
    assert again and again == fmt.identities() and again is not fmt.identities()
    assert fmt.identity_tables() == {eq.rule.table for eq in again}
    assert "disclosure" not in fmt.identity_tables() and {"requests", "review"} <= fmt.identity_tables()


def _full_path(patch) -> None:
    """Every shortcut of fast.py off (the full path decides each table and row) and the walk's
    remembered table anchors forgotten (each asked afresh)."""
    patch.setattr(tables, "printed_in_full", lambda tokens, n: None)
    patch.setattr(tables, "rows_keep_their_labels", lambda tokens, span, labels_at: False)
    patch.setattr(tables, "_anchors", lambda version: {})


def _as_json(raw: bytes, name: str) -> str:
    return json.dumps(gknb.read(raw, name=name).as_dict(), ensure_ascii=False, default=str)


def _inputs(version: str):
    """Every layout (blank cells, wrapped labels) and copy shape of the test corpora, both formats."""
    fmt, rnd = FORMATS[version], random.Random(f"report{version}")
    for layout in LAYOUTS:
        for wrap in (False, True):
            cells = random_report(fmt, rnd)
            blanks = set(rnd.sample(sorted(cells), 4)) if layout in BLANK_LAYOUTS else set()
            yield layout, render(fmt, cells, layout, rnd, blanks=blanks, wrap_labels=wrap).encode(), file_name(layout)
    for copy in COPIES:
        yield copy, render_copy(fmt, random_report(fmt, rnd), copy, rnd).encode(), "x.md" if copy.startswith("md_") else "x.txt"


@pytest.mark.parametrize("version", sorted(FORMATS))
def test_reports_are_the_full_paths_on_every_layout(version, monkeypatch):
    """The whole report (cells, provenance, labels, findings, sections) with the shortcuts is the one
    the full path gives, on every layout and copy shape of both formats."""
    inputs = list(_inputs(version))
    fast = [_as_json(raw, name) for _, raw, name in inputs]
    with monkeypatch.context() as patch:
        _full_path(patch)
        full = [_as_json(raw, name) for _, raw, name in inputs]
    for (what, _, _), a, b in zip(inputs, fast, full, strict=True):
        assert a == b, what


CORPUS = sorted(p for p in (Path(__file__).parent / "corpus").rglob("*") if p.suffix in (".txt", ".md", ".html"))


def test_reports_are_the_full_paths_on_the_corpus(monkeypatch):
    """The same on the real reports and copies of tests/corpus."""
    assert CORPUS
    fast = [_as_json(p.read_bytes(), p.name) for p in CORPUS]
    with monkeypatch.context() as patch:
        _full_path(patch)
        full = [_as_json(p.read_bytes(), p.name) for p in CORPUS]
    for path, a, b in zip(CORPUS, fast, full, strict=True):
        assert a == b, path.name
