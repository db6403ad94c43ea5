"""Acceptance: the real reports read back exactly as the hand-made truth in tests/expected/.

See tests/expected/README.md for how the truth was made and its judgement calls. A cell that is
``null`` in the truth was not printed (blank, or cut off); a parser may report it only as inferred,
with a finding that says so and names the cell.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import read_cached
from gknb.formats import FORMATS
from layouts import cell_mismatches, named_cells, same_value


def test_template(truth_case, parsed):
    assert parsed.meta.template == truth_case.template


def test_year(truth_case, parsed):
    assert parsed.meta.year == truth_case.year


def test_every_cell(truth_case, parsed):
    """Every key of the format, compared with the truth; the failure lists every differing key."""
    assert parsed.meta.template == truth_case.template, "wrong template: the cell keys cannot match"
    diffs = cell_mismatches(parsed, truth_case.cells)
    assert not diffs, f"{len(diffs)} cells differ from tests/expected/{truth_case.name}.json:\n" + "\n".join(diffs)


def test_no_silent_error(truth_case, parsed):
    """A cell read wrong (or not read) must be named by some finding: no error goes unreported."""
    named = named_cells(parsed.findings)
    silent = [
        f"{key}: got {parsed.cells.get(key)!r}, want {want!r}"
        for key, want in truth_case.cells.items()
        if not same_value(parsed.cells.get(key), want) and key not in named
    ]
    assert not silent, "cells that differ from the truth and that no finding names:\n" + "\n".join(silent)


def test_findings_name_cells_of_the_format(truth_case, parsed):
    fmt = FORMATS.get(parsed.meta.template)
    keys = set(fmt.cell_keys()) if fmt else set()
    unknown = sorted({c for f in parsed.findings for c in f.cells} - keys)
    assert not unknown, f"findings name cells that are not keys of format {parsed.meta.template}: {unknown}"


def test_cells_hold_every_key_of_the_format(truth_case, parsed):
    fmt = FORMATS.get(parsed.meta.template)
    assert fmt is not None, f"template {parsed.meta.template!r} has no format"
    assert list(parsed.cells) == fmt.cell_keys() or set(parsed.cells) == set(fmt.cell_keys())
    for key, value in parsed.cells.items():
        assert value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool)), (key, value)


def test_agency(titled_case):
    """Loose: where the title names the agency, the parsed agency contains it (or the reverse); the
    fragments without such a title are left out at collection (see conftest)."""
    parsed = read_cached(titled_case.source)
    got = "".join((parsed.meta.agency or "").split())
    want = "".join(titled_case.agency.split())
    assert got and (want in got or got in want), f"agency {parsed.meta.agency!r}, want {titled_case.agency!r}"


# --- seed-specific checks ----------------------------------------------------------------------

# Lines of src/gknb/samples/000_a5586f6eb40696d9.txt (1-based, the two leading empty lines counted).
SEED_000_LINES = {
    "disclosure.regulations.made": 21,
    "disclosure.normative_docs.in_force": 22,
    "disclosure.licensing.decisions": 25,
    "disclosure.coercion.decisions": 29,
    "disclosure.fees.amount": 32,
    "requests.new.natural_person": 39,
    "requests.carried_over.total": 40,
    "requests.withheld_state_secret.commercial": 43,
    "requests.withheld_three_safety.total": 45,  # the misaligned row printed without leading tabs
    "requests.withheld_third_party.natural_person": 47,  # after the stray empty line 46
    "requests.other_other.total": 62,
    "requests.carry_forward.total": 64,
    "review.review.upheld": 71,
    "review.litigation_after_review.total": 71,
}


@pytest.mark.parametrize("key", sorted(SEED_000_LINES))
def test_seed_000_provenance_points_at_the_source_line(seed_000, read_report, key):
    report = read_report(seed_000)
    where = report.provenance.get(key)
    assert where is not None, f"no provenance for {key}"
    assert where.line == SEED_000_LINES[key], f"{key}: line {where.line}, want {SEED_000_LINES[key]}"
    # the line is really the one printing it
    line = seed_000.read_text(encoding="utf-8").splitlines()[where.line - 1]
    assert "0" in line.split("\t")


def test_seed_002_short_section_4_is_flagged(samples, read_report):
    """002 prints 13 bare numbers for the 15 cells of section 四: the gap must not pass unremarked."""
    report = read_report(samples / "002_295e3622999d89af.txt")
    review = [c for f in report.findings for c in f.cells if c.startswith("review.")]
    assert review, "no finding names a section 四 cell, though only 13 of its 15 numbers are printed"


def test_seed_002_blank_coercion_is_not_zero(samples, read_report):
    """002 prints 行政强制 as an empty cell: None, never 0."""
    report = read_report(samples / "002_295e3622999d89af.txt")
    assert report.cells.get("disclosure.coercion.decisions") is None
