"""The whole-table alignment and glued cells, on the real converter and crawler copies of
shared/corpus/real (with their truth) and on generated copies of each shape those copies take
(layouts.render_copy): numbers placed by the table's row order, labels printed apart from their
numbers, section 四 as one row over broken columns, every cell glued to the next."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gknb
from conftest import shared_dir
from gknb.formats import FORMATS
from layouts import COPIES, cell_mismatches, named_cells, random_report, render, render_copy, same_value

SHARED = shared_dir()
REAL = SHARED / "corpus" / "real" if SHARED else None
needs_real = pytest.mark.skipif(
    REAL is None, reason="LOUD SKIP: shared/corpus/real not found (set GKNB_SHARED or keep shared/ beside the clone)"
)


def _real_cases() -> list[str]:
    if REAL is None:
        return ["(missing)"]
    return sorted(p.name[: -len(".truth.json")] for p in REAL.glob("*.truth.json"))


def _source(stem: str):
    return next(p for p in REAL.iterdir() if p.name.startswith(stem + ".") and not p.name.endswith(".json"))


@needs_real
@pytest.mark.parametrize("stem", _real_cases())
def test_real_copy_reads_every_cell(stem, read_report):
    """Every cell of the real copies right — or, for the glued crawler copy, named by the glued-cells
    finding; and never a wrong cell that no finding names."""
    truth = json.loads((REAL / f"{stem}.truth.json").read_text(encoding="utf-8"), parse_float=Decimal)
    report = read_report(_source(stem))
    assert report.meta.template == truth["template"]
    lenient = truth.get("lenient", {})
    if not isinstance(lenient, dict):
        lenient = {k: [0] for k in lenient}
    glued = named_cells(f for f in report.findings if f.rule == "parse.cells_glued")
    wrong = [
        k for k, want in truth["cells"].items()
        if not same_value(report.cells.get(k), want)
        and not (k in lenient and (report.cells.get(k) is None
                                   or any(same_value(report.cells.get(k), Decimal(str(x))) for x in lenient[k])))
    ]
    assert not [k for k in wrong if k not in glued], f"{stem}: wrong cells not named by parse.cells_glued: {wrong}"
    if not glued:
        assert not wrong


@needs_real
def test_glued_copy_reads_every_cell_an_identity_tests_and_guesses_no_other(read_report):
    """pingtan2019.txt glues every cell to the next (``行政许可3960181``): each row of tables 三 and 四 is
    split the one way the identities (勾稽关系) allow; section 二's rows, which no identity tests, admit
    many splits (``3960181``: 396 0 181, 39 60 181 …) and stay unread, named — none is guessed."""
    truth = json.loads((REAL / "pingtan2019.truth.json").read_text(encoding="utf-8"), parse_float=Decimal)["cells"]
    report = read_report(_source("pingtan2019"))
    assert report.meta.template == "2019"
    tested = FORMATS["2019"].identity_tables()
    assert tested == {"requests", "review"}
    glued = named_cells(f for f in report.findings if f.rule == "parse.cells_glued")
    for key, want in truth.items():
        if key.split(".")[0] in tested:
            assert same_value(report.cells.get(key), want), key
        elif not same_value(report.cells.get(key), want):  # a row of one split only (规章 000) is read
            assert report.cells.get(key) is None and key in glued, key


@needs_real
def test_glued_copy_finds_every_section_heading(read_report):
    """pingtan2019.txt prints 三、收到和处理… glued to the 元 before it: the heading is found."""
    report = read_report(REAL / "pingtan2019.txt")
    assert not [f for f in report.findings if f.rule == "section.missing"]
    glued = [f for f in report.findings if f.rule == "parse.cells_glued"]
    assert len(glued) == 1 and "表格单元格粘连，请使用原网页或原文件" in glued[0].message
    assert "glued" in glued[0].message_en


@needs_real
def test_rows_without_labels_are_named(read_report):
    """stcsm2024.md prints ten rows of 三 without a label on their row: placed by order, and said so."""
    report = read_report(REAL / "stcsm2024.md")
    by_order = named_cells(f for f in report.findings if f.rule == "parse.row_by_order")
    assert "requests.partial.natural_person" in by_order
    assert "requests.new.natural_person" not in by_order  # printed with its label


@pytest.mark.parametrize("version", sorted(FORMATS))
@pytest.mark.parametrize("copy", [c for c in COPIES if c != "glued"])
def test_converter_copy_reads_every_cell(copy, version):
    """Each converter shape read back exactly, several random reports each."""
    fmt = FORMATS[version]
    for seed in range(4):
        rnd = random.Random(seed)
        cells = random_report(fmt, rnd)
        text = render_copy(fmt, cells, copy, rnd)
        report = gknb.read(text.encode(), name="copy.md" if copy.startswith("md") else "copy.txt")
        assert report.meta.template == version
        diffs = cell_mismatches(report, cells)
        assert not diffs, f"{copy} seed {seed}: " + "; ".join(diffs[:8])


@pytest.mark.parametrize("version", sorted(FORMATS))
def test_glued_copy_splits_what_the_identities_allow(version):
    """A glued row whose cells are all one digit has one split: it is read right. Any other wrong
    cell is named by the one glued-cells finding."""
    fmt = FORMATS[version]
    for seed in range(4):
        rnd = random.Random(seed)
        cells = random_report(fmt, rnd)
        report = gknb.read(render_copy(fmt, cells, "glued", rnd).encode(), name="copy.txt")
        assert report.meta.template == version
        glued = [f for f in report.findings if f.rule == "parse.cells_glued"]
        assert len(glued) == 1
        wrong = {d.split(":")[0] for d in cell_mismatches(report, cells)}
        assert not wrong - set(glued[0].cells)
        table = fmt.table("requests")
        for row in table.blocks[0].rows:
            keys = [f"requests.{row.key}.{c.key}" for c in table.blocks[0].columns]
            if all(0 <= cells[k] <= 9 for k in keys):
                assert not [k for k in keys if k in wrong], (seed, row.key)


@pytest.mark.parametrize("copy", ["pdf_tail", "pdf_own_line"])
def test_label_tail_after_the_numbers(copy):
    """``一、本年新收政 51 9 8 3 12 7 90`` / ``府信息公开申请数量``: the row is found by its label's head."""
    fmt = FORMATS["2021"]
    rnd = random.Random(3)
    cells = random_report(fmt, rnd)
    text = render_copy(fmt, cells, copy, rnd)
    head = "一、本年新收政府信息公开申请数量"
    numbers = " ".join(str(cells[f"requests.new.{c.key}"]) for c in fmt.table("requests").blocks[0].columns)
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("一、本年新收"))
    end = at + 1 if lines[at].endswith(numbers) else at + 3 if copy == "pdf_own_line" else at + 2
    printed = ([f"{head[:7]} {numbers}", head[7:]] if copy == "pdf_tail" else [head[:7], numbers, head[7:]])
    lines[at:end] = printed
    report = gknb.read("\n".join(lines).encode(), name="copy.txt")
    for column in fmt.table("requests").blocks[0].columns:
        key = f"requests.new.{column.key}"
        assert same_value(report.cells[key], cells[key]), key


def _number_rows(text: str) -> list[int]:
    """Indices of the Markdown rows of section 三 that print numbers only (no label cell)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("三、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("四、") and i > start)
    return [i for i in range(start, end)
            if lines[i].startswith("| ") and all(c.strip().isdigit() for c in lines[i].strip("|").split("|"))]


@given(seed=st.integers(0, 2**16), version=st.sampled_from(sorted(FORMATS)), data=st.data())
def test_no_alignment_breaking_an_identity_goes_unremarked(seed, version, data):
    """Rows printed without their labels, then damaged the way copies damage them (a row dropped,
    two rows swapped, a row's numbers shuffled): whatever the alignment returns, an identity it
    breaks names a cell in a parser finding, and a wrong cell is named by some finding."""
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    lines = render_copy(fmt, cells, "md_unlabelled", rnd).split("\n")
    rows = _number_rows("\n".join(lines))
    if rows:
        damage = data.draw(st.sampled_from(["drop", "swap", "shuffle"]))
        i = data.draw(st.sampled_from(rows))
        if damage == "drop":
            lines[i] = ""
        elif damage == "swap":
            j = data.draw(st.sampled_from(rows))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            values = lines[i].strip("|").split("|")
            rnd.shuffle(values)
            lines[i] = "|" + "|".join(values) + "|"
    report = gknb.read("\n".join(lines).encode(), name="copy.md")
    parse_named = named_cells(report.parse_findings)
    for eq in fmt.identities():
        got = [report.cells.get(k) for k in eq.cells]
        if any(v is None for v in got):
            continue
        if sum(report.cells[k] for k in eq.lhs) != sum(report.cells[k] for k in eq.rhs):
            held = sum(cells[k] for k in eq.lhs) == sum(cells[k] for k in eq.rhs)
            if held:
                assert set(eq.cells) & parse_named, f"{eq.rule.code} broken by the alignment, no parser finding"
    named = named_cells(report.findings)
    silent = [d for d in cell_mismatches(report, cells) if d.split(":")[0] not in named]
    assert not silent, silent


def test_counts_in_prose_are_not_glued_cells():
    """``行政许可3件，行政处罚5件…`` is a sentence: the document is not taken for a glued copy."""
    fmt = FORMATS["2021"]
    rnd = random.Random(5)
    cells = random_report(fmt, rnd)
    text = render_copy(fmt, cells, "pdf_tail", rnd).replace(
        "本年度按照要求做好相关工作。", "本年度办理行政许可3件，行政处罚5件，行政强制2件，规章0件。", 2)
    report = gknb.read(text.encode(), name="copy.txt")
    assert not [f for f in report.findings if f.rule == "parse.cells_glued"]
    assert not cell_mismatches(report, cells)


def test_tab_grid_row_ending_in_a_blank_cell_is_read_by_the_grid_columns():
    """A tab grid (hypothesis seed 498): group rows (（二）部分公开, （七）总计) print their label one
    column left of the sub-rows' and end in a blank cell (``…\\t0\\t``); the window of their cells is
    the grid column where every other row's numbers start, not one shifted onto the blank."""
    fmt = FORMATS["2021"]
    rnd = random.Random(498)
    cells = random_report(fmt, rnd)
    blanks = set(rnd.sample(fmt.cell_keys(), 7))
    start, end = fmt.years
    year = rnd.randint(start, end if end is not None else start + 3)
    text = render(fmt, cells, "tab", rnd, blanks=blanks, year=year)
    assert "\t(二) 部分公开" in text and text.split("\t(二) 部分公开", 1)[1].split("\n", 1)[0].endswith("\t")
    report = gknb.read(text.encode(), name="copy.txt")
    expected = {k: (None if k in blanks else v) for k, v in cells.items()}
    assert not cell_mismatches(report, expected)
    assert not [f for f in report.findings if f.rule == "parse.alignment_ambiguous"]


@settings(max_examples=300)
@given(st.data())
def test_the_searches_bulk_identity_test_agrees_with_identity_holds(data):
    """tokens.identities_hold (the column and stream searches' loop) fails a set of identities exactly
    when tokens.identity_holds fails one of them: identities over a few cells, each printed, blank (a
    token without a value) or not read (missing), the counts rule on and off."""
    from gknb.formats.base import Equation
    from gknb.parse.tokens import Token, identities_hold, identity_holds

    rule = FORMATS["2021"].identities()[0].rule
    side = st.lists(st.sampled_from("abcde"), min_size=1, max_size=3).map(tuple)
    equations = data.draw(st.lists(st.builds(Equation, st.just(rule), side, side, st.just("x")), min_size=1, max_size=3))
    cells = {}
    for key in "abcde":
        state = data.draw(st.sampled_from(("value", "blank", "missing")))
        if state != "missing":
            value = data.draw(st.integers(0, 3)) if state == "value" else None
            cells[key] = Token("value" if value is not None else "blank", str(value or ""), str(value or ""),
                               None, False, True, value, False, 0)
    counts = [data.draw(st.booleans()) for _ in equations]
    tests = [(eq.lhs, eq.rhs, c) for eq, c in zip(equations, counts, strict=True)]
    expected = all(identity_holds(eq, cells, c) is not False for eq, c in zip(equations, counts, strict=True))
    assert identities_hold(tests, cells) is expected
