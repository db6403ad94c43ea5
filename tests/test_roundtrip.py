"""Round trip on the text route: consistent random reports, printed in every real-world layout, read back.

For both formats × every layout of tests/layouts.py: the parser must give back exactly the printed
cells (blank → None) and the right template and year, raise no error-level finding on clean data,
and name a cell whose printed value breaks the arithmetic in an error-level finding.
The layouts themselves are checked first (those tests need no parser).
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gknb
from gknb.formats import FORMATS, Format
from layouts import (
    BLANK_LAYOUTS,
    LAYOUTS,
    WRAP_LAYOUTS,
    arithmetic_keys,
    cell_mismatches,
    error_findings,
    file_name,
    identity_violations,
    random_report,
    render,
)

EXAMPLES = settings().max_examples  # from the loaded profile (conftest.py): dev 10, ci 5
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
VERSIONS = tuple(FORMATS)  # "2021", "2019"


def _year(fmt: Format, rnd: random.Random) -> int:
    start, end = fmt.years
    return rnd.randint(start, end if end is not None else start + 3)


def _read(text: str, layout: str):
    return gknb.read(text.encode("utf-8"), name=file_name(layout))


def _diff_message(diffs: list[str], text: str) -> str:
    return f"{len(diffs)} cells differ:\n" + "\n".join(diffs[:40]) + "\n--- rendered text ---\n" + text[:6000]


# --- the layouts themselves (no parser involved) ------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_random_report_is_consistent(version):
    fmt = FORMATS[version]
    info = fmt.cell_info()
    for seed in range(200):
        cells = random_report(fmt, random.Random(seed))
        assert set(cells) == set(fmt.cell_keys())
        assert not identity_violations(fmt, cells), seed
        assert all(v >= 0 for k, v in cells.items() if info[k][3].kind != "signed")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_prints_every_value_and_no_blank_value(version, layout):
    """Every printed cell's value is in the text; a blank cell's value is nowhere in it."""
    fmt = FORMATS[version]
    for seed in range(10):
        rnd = random.Random(seed)
        keys = fmt.cell_keys()
        sentinel = {k: 700001 + i for i, k in enumerate(keys)}  # numbers no prose can contain
        blanks = set() if layout == "inline" else set(rnd.sample(keys, 12))
        cells = {k: (Decimal(v) if fmt.cell_info()[k][3].kind == "money" else v) for k, v in sentinel.items()}
        text = render(fmt, cells, layout, rnd, blanks=blanks, wrap_labels=seed % 2 == 1)
        for key, value in sentinel.items():
            printed = re.search(rf"(?<!\d){value}(?!\d)", text) is not None
            assert printed == (key not in blanks), (seed, key)
        assert f"{fmt.sections[0].number}、" in text


def test_inline_refuses_blanks():
    fmt = FORMATS["2021"]
    cells = random_report(fmt, random.Random(0))
    with pytest.raises(ValueError):
        render(fmt, cells, "inline", random.Random(0), blanks=["requests.new.total"])


# --- the parser -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=SEEDS)
def test_clean_report_reads_back_exactly(version, layout, seed):
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    year = _year(fmt, rnd)
    text = render(fmt, cells, layout, rnd, year=year)
    report = _read(text, layout)
    assert report.meta.template == version
    assert report.meta.year == year
    diffs = cell_mismatches(report, cells)
    assert not diffs, _diff_message(diffs, text)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=SEEDS)
@example(seed=156550854)  # pipe_rows 2019: a label over two grid cells among rows printed whole, once read as wraps
def test_clean_report_has_no_error_finding(version, layout, seed):
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    text = render(fmt, cells, layout, rnd, year=_year(fmt, rnd))
    report = _read(text, layout)
    errors = error_findings(report)
    assert not errors, "error-level findings on a consistent report:\n" + "\n".join(
        f"{f.rule} {list(f.cells)[:6]} {f.message_en}" for f in errors
    ) + "\n--- rendered text ---\n" + text[:6000]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("layout", BLANK_LAYOUTS)
@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=SEEDS, n_blanks=st.integers(min_value=1, max_value=8))
@example(seed=372, n_blanks=7)  # 2019 pipe_rows: 行政事业性收费 | | -1 | | was placed by the grid's columns, not as printed
@example(seed=10000, n_blanks=3)  # 2019 pipe_cells: table 四's first cell blank, its line after the header's |||||
@example(seed=421249, n_blanks=7)  # 2021 pipe_cells: table 四's covered first position, not a blank cell
def test_blank_cells_read_as_none(version, layout, seed, n_blanks):
    """A cell printed blank is None (an inferred value is allowed only if flagged and right)."""
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    blanks = set(rnd.sample(fmt.cell_keys(), n_blanks))
    text = render(fmt, cells, layout, rnd, blanks=blanks, year=_year(fmt, rnd))
    report = _read(text, layout)
    assert report.meta.template == version
    expected = {k: (None if k in blanks else v) for k, v in cells.items()}
    diffs = cell_mismatches(report, expected, inferred_ok=cells)
    assert not diffs, f"blanks: {sorted(blanks)}\n" + _diff_message(diffs, text)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("layout", WRAP_LAYOUTS)
@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=SEEDS)
def test_wrapped_labels(version, layout, seed):
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    text = render(fmt, cells, layout, rnd, wrap_labels=True, year=_year(fmt, rnd))
    report = _read(text, layout)
    assert report.meta.template == version
    diffs = cell_mismatches(report, cells)
    assert not diffs, _diff_message(diffs, text)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=EXAMPLES, deadline=None)
@given(seed=SEEDS, k=st.integers(min_value=1, max_value=50))
def test_planted_arithmetic_error_is_named(version, layout, seed, k):
    """One cell of section 三/四 printed k too high: an error-level finding names that very cell."""
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    key = rnd.choice(arithmetic_keys(fmt))
    printed = dict(cells)
    printed[key] += k
    text = render(fmt, printed, layout, rnd, year=_year(fmt, rnd))
    report = _read(text, layout)
    named = {c for f in error_findings(report) for c in f.cells}
    assert key in named, (
        f"{key} printed as {printed[key]} (consistent value {cells[key]}) but no error-level finding names it; "
        f"read as {report.cells.get(key)!r}; error findings: "
        + "; ".join(f"{f.rule} {list(f.cells)[:8]}" for f in error_findings(report))
    )
