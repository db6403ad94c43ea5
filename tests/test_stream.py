"""Copies made by poppler's ``pdftotext`` WITHOUT ``-layout`` (reading-order text: every cell its own line,
a page's row labels apart from its numbers, blank cells gone), read by ``parse/stream.py``.

Real runs of pdftotext over the real WPS PDF (tests/corpus/real/hongze2023.pdf) and over the project's own
rendered PDFs of both formats (five blank cells each; the narrow-label PDF wraps labels every 2–4
characters), cells asserted against the truth; and a property over reading-order streams made from random
consistent reports: no reading that breaks an identity is returned without a finding that says so, and a
stream in the true order is read right, or each cell it cannot tell from a blank is named.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gknb
from converters import CONVERTERS, NOTE, convert, make_originals, score, wrong_lines
from gknb.formats import FORMATS
from gknb.ingest import read_document
from gknb.parse import stream
from gknb.parse.labels import label_index
from gknb.parse.tokens import tokenize
from layouts import random_report, same_value

REAL = Path(__file__).parent / "corpus" / "real"
PDFTOTEXT = next(c for c in CONVERTERS if c.name == "pdftotext")
SEED = 1
WARNINGS = {"parse.alignment_ambiguous", "parse.alignment_contradicted", "parse.table_by_columns"}


def _named(report, key: str) -> set[str]:
    return {f.rule for f in report.findings if key in f.cells}


def test_pdftotext_is_installed():
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is part of .ci/run's system packages"


def test_the_real_wps_pdf_through_pdftotext_reads_its_tables_from_the_stream(tmp_path):
    copy = tmp_path / "hongze2023.txt"
    subprocess.run(["pdftotext", "-enc", "UTF-8", str(REAL / "hongze2023.pdf"), str(copy)], check=True, timeout=60)
    truth = json.loads((REAL / "hongze2023.truth.json").read_text(encoding="utf-8"), parse_float=Decimal)["cells"]
    report = gknb.read(copy)
    result = score(report, truth)
    assert not result.silent, wrong_lines(report, truth, result.silent)
    # 二: 行政许可 printed after its number, 行政事业性收费 after its amount; 四: 15 numbers under a scrambled header.
    for key in (k for k in truth if k.startswith(("disclosure.", "review."))):
        assert same_value(report.cells[key], truth[key]), wrong_lines(report, truth, [key])
        assert "parse.reading_order" in _named(report, key)
    # The report's own 四 breaks two totals (结果维持 10 + 结果纠正 1, 总计 0): read as printed, and said so.
    contradicted = {k for f in report.findings if f.rule == "parse.alignment_contradicted" for k in f.cells}
    assert {"review.review.total", "review.litigation_after_review.total"} <= contradicted
    # 三 prints bands of rows a column at a time (10 rows, then 4, then 2), and its （六）其他处理 as one row,
    # as 2019 does (161 numbers for 175 cells): put back in row order, every other row read right; the
    # three rows of （六） have no numbers of their own here: left unread and named.
    for key in (k for k in truth if k.startswith("requests.")):
        if key.startswith("requests.other_"):
            assert report.cells[key] is None and "parse.table_by_columns" in _named(report, key)
        else:
            assert same_value(report.cells[key], truth[key]), wrong_lines(report, truth, [key])
            assert "parse.reading_order" in _named(report, key)


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[tuple[str, str, int], tuple]:
    """pdftotext copies of the rendered narrow-label PDF and of the official PDF of both formats."""
    folder = tmp_path_factory.mktemp("stream")
    out = {}
    for version, medium, seed in (("2019", "pdf-narrow", SEED), ("2021", "pdf-narrow", SEED), ("2019", "pdf", SEED),
                                  ("2021", "pdf", SEED), ("2021", "pdf", 2), ("2021", "pdf", 3)):
        (original,) = make_originals(folder.parent / "originals", [seed], media=(medium,), versions=(version,))
        copy = convert(original, PDFTOTEXT, folder.parent / "copies")
        report = _read(copy)
        out[(version, medium, seed)] = (original, report, score(report, original.truth))
    return out


@cache
def _read(path: Path):
    return gknb.read(path)


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_narrow_label_pdf_through_pdftotext_reads_every_cell_but_its_dropped_blanks(copies, version):
    original, report, result = copies[(version, "pdf-narrow", SEED)]
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    # The copy drops the five blank cells without a trace: a blank among zeros cannot be told from a 0.
    # Those cells are read as the 0 the order puts there, and named as possibly blank; a cell of 二 whose
    # run of numbers fits two orders (or lost a blank) is left unread and named; all others are right.
    for key in result.wrong:
        if report.cells[key] is None:
            assert "parse.table_by_columns" in _named(report, key), wrong_lines(report, original.truth, [key])
        else:
            assert original.truth[key] is None and report.cells[key] == 0, wrong_lines(report, original.truth, [key])
            assert _named(report, key) & {"parse.alignment_ambiguous", "parse.zero_or_blank"}
    assert result.exact >= 185
    # read in reading order, or by the column decoding where the two agree (tables._joined)
    decoders = {"parse.reading_order", "parse.columns_decoded", "parse.zero_or_blank"}
    assert sum(k.startswith("requests.") and bool(_named(report, k) & decoders) for k in original.truth) > 150

def test_official_pdf_through_pdftotext_reads_table_three_row_after_row(copies):
    original, report, result = copies[("2019", "pdf", SEED)]
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    requests = [k for k in original.truth if k.startswith("requests.")]
    wrong = [k for k in requests if k in result.wrong]
    assert all(original.truth[k] is None and "parse.alignment_ambiguous" in _named(report, k) for k in wrong), \
        wrong_lines(report, original.truth, wrong)
    assert all(_named(report, k) & WARNINGS for k in result.wrong), wrong_lines(report, original.truth, result.wrong)


@pytest.mark.parametrize(("seed", "right"), [(1, 165), (3, 145)])
def test_official_2021_pdf_through_pdftotext_reads_table_three_from_its_flows_of_vertical_runs(copies, seed, right):
    # 2021's official column widths: poppler prints 三 as flows of text blocks in an order of its own. Each
    # flow is one column's numbers over a band of rows (rows whose labels are as tall: 1–14 of them), the
    # blank cells dropped; a page's flows come in passes (columns 0–3 band after band, then 4–6: a
    # staircase); a flow under a header over several columns holds their first rows row after row (seed 3:
    # the 科研, 社会公益 and 法律服务 columns of rows 一–三 as one 3×3 block, printed before the 自然人 and
    # 商业企业 columns). Placed on the grid in passes under their headers (商业企业 / 13 0 5), the flows read
    # every cell right but the blanks the copy dropped (read as the number the placements put there and named
    # as possibly blank) and the cells the placements disagree on (left unread, named).
    original, report, result = copies[("2021", "pdf", seed)]
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    requests = [k for k in original.truth if k.startswith("requests.")]
    for key in (k for k in requests if k in result.wrong):
        if report.cells[key] is None:
            assert "parse.table_by_columns" in _named(report, key), wrong_lines(report, original.truth, [key])
        else:
            assert original.truth[key] is None, wrong_lines(report, original.truth, [key])
            assert "parse.alignment_ambiguous" in _named(report, key)
    assert sum(k not in result.wrong for k in requests) >= right
    assert all("parse.reading_order" in _named(report, k) for k in requests if report.cells[k] is not None)


def test_the_cells_of_three_and_four_a_2021_copy_misreads_are_the_blanks_it_dropped(copies):
    # 2021's official PDF of seed 2 through pdftotext prints 三 and 四 in an order the traversals read; the
    # copy drops its blank cells without a trace, so a blank among zeros is read as the 0 the order puts
    # there and named as possibly blank (by the column decoder's parse.zero_or_blank where that reading is
    # joined to the reading order's). Every other cell of 三 and 四 is right.
    original, report, result = copies[("2021", "pdf", 2)]
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    keys = [k for k in original.truth if k.startswith(("requests.", "review."))]
    wrong = [k for k in keys if k in result.wrong]
    maybe_blank = {"parse.alignment_ambiguous", "parse.zero_or_blank"}
    assert all(original.truth[k] is None and report.cells[k] == 0 and maybe_blank & _named(report, k)
               for k in wrong), wrong_lines(report, original.truth, wrong)
    assert len(wrong) <= sum(original.truth[k] is None for k in keys)
    assert all({"parse.reading_order", "parse.zero_or_blank"} & _named(report, k) for k in keys
               if k.startswith("requests."))


def test_table_four_is_read_by_the_headers_its_numbers_are_printed_under(copies):
    # 2021's official PDF through pdftotext prints 四's header cells and numbers as flows of their own, in
    # print order with its two blank cells dropped: 13 numbers for 15 cells. By order and identities alone
    # the 2 of 未经复议直接起诉 could be its 其他结果 or its 尚未审结; the flow that prints a header over a
    # number (``结果 维持`` / ``0``, ``结果 其他 尚未`` / ``纠正 结果 审结`` / ``0``, ``总计`` / ``2``) says
    # which columns that number can stand in. Every cell read right, or read as the 0 the order puts where
    # the report left it blank, and named so.
    original, report, result = copies[("2021", "pdf", 2)]
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    for key in (k for k in original.truth if k.startswith("review.")):
        # in reading order, or by the column decoding where the two agree (tables._joined)
        assert _named(report, key) & {"parse.reading_order", "parse.columns_decoded"}, key
        if key in result.wrong:
            assert original.truth[key] is None and report.cells[key] == 0, wrong_lines(report, original.truth, [key])
            assert "parse.alignment_ambiguous" in _named(report, key)
    assert sum(k.startswith("review.") for k in result.wrong) <= 2


def test_cells_the_column_reading_leaves_open_are_read_by_the_headers_where_both_agree(copies):
    # The same copy as below, read whole: the column decoder reads 四 but 复议后起诉's three middle cells;
    # the reading order places them under their headers, agreeing with every cell both read.
    original, report, result = copies[("2021", "pdf", 3)]
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    for key in (k for k in original.truth if k.startswith("review.")):
        assert key not in result.wrong, wrong_lines(report, original.truth, [key])
    row = [k for k in original.truth if k.startswith("review.litigation_after_review.")]
    assert all("parse.reading_order" in _named(report, k) for k in row[1:4])


def test_a_number_printed_under_a_header_is_never_read_in_another_column():
    # 2021's official PDF of seed 3 through pdftotext: 复议后起诉's 结果维持 (2) comes after the other numbers
    # of its row, each printed under its header. All 15 numbers are there and, read in print order, they
    # keep the row's total (0 + 2 + 0 + 2 = 4) with the 2s in the wrong columns: the headers forbid that.
    # Placed by their headers (复议后起诉 / 结果 其他 尚未 / 纠正 结果 审结 over 0 2 0, 结果维持 over 2, 总计
    # over 4) the row is read right; cells the placements leave open (a 0 or the 1 of 行政复议) are not read.
    text = "\n".join([
        "本机关依法应诉，认真履行行政复议决定和人民法院生效", "裁判。", "行政复议", "", "行政诉讼", "", "结果", "维持", "",
        "结果", "纠正", "", "其他", "结果", "", "尚未", "审结", "", "总计", "", "0", "", "0", "", "0", "", "1", "", "1", "",
        "结果", "维持", "0", "", "未经复议直接起诉", "结果 其他 尚未", "纠正 结果 审结", "0", "0", "0", "", "总计", "0", "",
        "复议后起诉", "结果 其他 尚未", "纠正 结果 审结", "0", "2", "0", "", "结果", "维持", "2", "", "总计", "4", "",
    ])
    truth = dict(zip([k for k, *_ in FORMATS["2021"].table("review").cells()],
                     [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 2, 0, 2, 0, 4], strict=True))
    tokens = tokenize(read_document(text.encode("utf-8"), name="copy.txt"))
    result = stream.read("2021", "review", tokens, label_index("2021", "review"))
    read = {} if result is None else {k: None if t is None else t.value for k, t in result.cells.items()}
    assert all(value == truth[key] for key, value in read.items()), read
    assert {k for k in truth if k.startswith("review.litigation_after_review.")} <= set(read), read
    assert set(result.unsure) == set(truth) - set(read)


# ------------------------------------------------------------------------------ reading-order streams


def _section_tokens(version: str, table_key: str, numbers: list, rnd: random.Random, pages: tuple[int, ...] = ()):
    """The tokens of a pdftotext-like section: the table's labels (some wrapped), then its numbers one a line;
    a new page (a form feed and the table's header again) before each number whose index is in ``pages``."""
    table = FORMATS[version].table(table_key)
    lines = []
    for block in table.blocks:
        for row in block.rows:
            label = row.label
            while label:  # a narrow column wraps a label every 2–6 characters
                take = rnd.randint(2, 6) if rnd.random() < 0.3 else len(label)
                lines.append(label[:take])
                label = label[take:]
        lines += [c.label for c in block.columns]
    for n, number in enumerate(numbers):
        if n in pages:
            lines += ["\f申请人情况", ""]
        lines += [str(number), ""]
    return tokenize(read_document("\n".join(lines).encode("utf-8"), name="copy.txt"))


def _units_short_by(version: str, table_key: str, blanks: set[str]) -> int:
    """The most blank cells of one row or one column of the table."""
    table = FORMATS[version].table(table_key)
    rows = [sum(f"{table_key}.{r.key}.{c.key}" in blanks for c in b.columns) for b in table.blocks for r in b.rows]
    columns = [sum(f"{table_key}.{r.key}.{c.key}" in blanks for r in b.rows) for b in table.blocks for c in b.columns]
    return max(rows + columns)


@given(seed=st.integers(0, 10**6), version=st.sampled_from(tuple(FORMATS)),
       table_key=st.sampled_from(["requests", "review"]), drops=st.integers(0, 4), swaps=st.integers(0, 2))
def test_no_reading_that_breaks_an_identity_is_returned_without_a_finding(seed, version, table_key, drops, swaps):
    fmt = FORMATS[version]
    rnd = random.Random(seed)
    cells = random_report(fmt, rnd)
    keys = [k for k, *_ in fmt.table(table_key).cells()]
    blanks = set(rnd.sample(keys, drops))
    truth = {k: None if k in blanks else cells[k] for k in keys}
    numbers = [cells[k] for k in keys if k not in blanks]
    for _ in range(swaps):  # a converter printing numbers out of order
        i, j = rnd.randrange(len(numbers)), rnd.randrange(len(numbers))
        numbers[i], numbers[j] = numbers[j], numbers[i]
    tokens = _section_tokens(version, table_key, numbers, rnd)
    result = stream.read(version, table_key, tokens, label_index(version, table_key))
    assume(result is not None)
    read = {k: None if tok is None else tok.value for k, tok in result.cells.items()}
    named = {k: {f.rule for f in result.findings if k in f.cells} for k in keys}
    assert all("parse.reading_order" in named[k] for k in read)
    assert not set(read) & set(result.unsure)
    for eq in fmt.identities():
        if eq.rule.table != table_key or any(read.get(k) is None for k in eq.cells):
            continue
        if sum(read[k] for k in eq.lhs) != sum(read[k] for k in eq.rhs):
            assert any(named[k] & WARNINGS for k in eq.cells), (eq.rule.code, eq.along)
    if swaps == 0 and _units_short_by(version, table_key, blanks) <= stream.MAX_UNIT_DROPS:
        # The true reading order: every cell read is its truth, or a dropped blank named as possibly blank.
        for key, value in read.items():
            if not same_value(value, truth[key]):
                assert truth[key] is None and "parse.alignment_ambiguous" in named[key], (key, value, truth[key])


@pytest.mark.parametrize("seed", range(6))
def test_a_last_page_printed_in_an_order_of_its_own_leaves_only_its_rows_unread(seed):
    # pdftotext prints a table page by page; one page (here the last, its numbers reversed) may come out
    # in an order no traversal holds. The pages before it are read as the first rows of the print order,
    # the rows of the last page left unread; the blanks dropped anywhere count against the whole table.
    fmt, rnd = FORMATS["2021"], random.Random(seed)
    rows = [list(unit.keys) for unit in stream._units("2021", "requests", "rows")]
    keys = [k for row in rows for k in row]
    tail = {k for row in rows[-4:] for k in row}
    while True:  # a report whose last page, reversed, is not the same numbers in the same order
        cells = random_report(fmt, rnd)
        blanks = {rnd.choice(row) for row in rnd.sample(rows, 2)}
        numbers = [cells[k] for k in keys if k not in blanks]
        last = len(tail - blanks)
        if numbers[-last:] != numbers[-last:][::-1]:
            break
    numbers[-last:] = numbers[-last:][::-1]
    whole = stream.read("2021", "requests", _section_tokens("2021", "requests", numbers, rnd),
                        label_index("2021", "requests"))
    assert whole is None or len(whole.cells) < 70, "the reversed page spoils every reading of the whole stream"
    tokens = _section_tokens("2021", "requests", numbers, rnd, pages=(42, 91, len(numbers) - last))
    result = stream.read("2021", "requests", tokens, label_index("2021", "requests"))
    assert result is not None
    ambiguous = {k for f in result.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    for key, tok in result.cells.items():
        value = None if tok is None else tok.value
        assert same_value(value, cells[key] if key not in blanks else None) or (
            key in blanks and key in ambiguous), (key, value, cells[key])
    assert tail <= set(result.unsure) and not tail & set(result.cells)
    assert len(result.cells) >= 120


@pytest.mark.parametrize("seed", range(4))
def test_a_band_of_rows_printed_a_column_at_a_time_is_put_back_in_row_order(seed):
    # pdftotext may print rows 5–14 of 三 a column at a time, each column's numbers on consecutive lines.
    fmt, rnd = FORMATS["2021"], random.Random(seed)
    cells = random_report(fmt, rnd)
    rows = [list(unit.keys) for unit in stream._units("2021", "requests", "rows")]
    band = rows[4:14]
    lines = [row.label for b in fmt.table("requests").blocks for row in b.rows]
    for row in rows[:4]:
        lines += [line for k in row for line in (str(cells[k]), "")]
    lines += [line for c in range(7) for line in [*(str(cells[row[c]]) for row in band), ""]]
    for row in rows[14:]:
        lines += [line for k in row for line in (str(cells[k]), "")]
    tokens = tokenize(read_document("\n".join(lines).encode("utf-8"), name="copy.txt"))
    result = stream.read("2021", "requests", tokens, label_index("2021", "requests"))
    assert result is not None and not result.unsure
    assert all(same_value(result.cells[k].value, cells[k]) for row in rows for k in row)


def test_a_stream_in_print_order_with_one_number_per_cell_is_read_in_that_order():
    fmt = FORMATS["2021"]
    cells = random_report(fmt, random.Random(7))
    keys = [k for k, *_ in fmt.table("review").cells()]
    numbers = [cells[k] for k in keys]
    tokens = _section_tokens("2021", "review", numbers, random.Random(7))
    result = stream.read("2021", "review", tokens, label_index("2021", "review"))
    assert result is not None and not result.unsure
    assert [result.cells[k].value for k in keys] == numbers


def test_a_copy_reads_the_same_whatever_the_hash_seed():
    """Tables read by columns were taken in set order, so a pdftotext copy's JSON (the order of its
    provenance) changed from run to run; it must be the same bytes under any PYTHONHASHSEED."""
    copy = Path(__file__).parent / "corpus" / "converters" / "2021-2-pdf_pdftotext.txt"
    outputs = {
        subprocess.run([sys.executable, "-m", "gknb", "check", "--json", str(copy)], capture_output=True,
                       check=False, timeout=120, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(outputs) == 1 and json.loads(next(iter(outputs)))["cells"]


# ------------------------------------------------------------------------------ agencies' own Word files


@pytest.fixture(scope="module")
def varied(tmp_path_factory) -> dict[tuple[str, str, int], tuple]:
    """pdftotext copies of the varied PDFs (an agency's own Word file by LibreOffice, converters.varied_docx):
    2021 seed 1 and 2019 seed 3 portrait (三 over two pages, its header repeated), 2021 seed 2 landscape;
    and of chromium's print of the 2021 seed 2 web page (converters.varied_page, landscape habits)."""
    folder = tmp_path_factory.mktemp("varied")
    out = {}
    for version, medium, seed in (("2021", "pdf-varied", 1), ("2021", "pdf-varied", 2), ("2019", "pdf-varied", 3),
                                  ("2021", "pdf-chromium", 2)):
        (original,) = make_originals(folder / "originals", [seed], media=(medium,), versions=(version,))
        copy = convert(original, PDFTOTEXT, folder / "copies")
        report = _read(copy)
        out[(version, medium, seed)] = (original, report, score(report, original.truth))
    return out


def _requests_read_right_or_named(original, report, result) -> int:
    """Table 三's cells read right; every other cell is left unread and named, or is a dropped blank read as
    the 0 (or the 0 read as the blank) its order puts there, named as read by order."""
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    requests = [k for k in original.truth if k.startswith("requests.")]
    for key in (k for k in requests if k in result.wrong):
        if report.cells[key] is None and original.truth[key] is not None:
            assert "parse.table_by_columns" in _named(report, key), wrong_lines(report, original.truth, [key])
        else:
            assert {report.cells[key], original.truth[key]} <= {0, None}, wrong_lines(report, original.truth, [key])
            assert "parse.reading_order" in _named(report, key), wrong_lines(report, original.truth, [key])
    return sum(k not in result.wrong for k in requests)


def test_a_portrait_copy_reads_its_later_page_printed_in_two_passes(varied):
    # Page 2 prints 三's rows one cell a block (bands of rows of one line each a column at a time: ``0 0`` …),
    # page 3 (header repeated) each row's label and its five left cells, then — after the notes row — the
    # 其他 and 总计 columns of its rows band after band (``0 0 0`` / ``总`` / ``0 1 0`` / ``0`` …).
    original, report, result = varied[("2021", "pdf-varied", 1)]
    assert _requests_read_right_or_named(original, report, result) >= 165
    page_three = [k for k in original.truth if k.startswith(("requests.total.", "requests.other_no_fee."))]
    assert all(same_value(report.cells[k], original.truth[k]) for k in page_three), \
        wrong_lines(report, original.truth, page_three)


def test_a_landscape_copy_leaves_out_the_numbers_section_two_prints_after_the_heading(varied):
    # poppler prints 二's last column (现行有效件数 / 0 / 978) after 三's heading: two numbers more than 三's
    # cells, none of which is its; without them every cell of 三 (zeros and dashes, none dropped) is placed.
    original, report, result = varied[("2021", "pdf-varied", 2)]
    assert _requests_read_right_or_named(original, report, result) >= 165


def test_a_2019_copy_leaves_out_the_numbers_of_table_four_printed_before_its_heading(varied):
    # 四's grid is printed before its heading (行政诉讼 / 结 结 其 尚 … / 1 0 0 0 1 …), inside section 三;
    # page 3's rows print five of their seven numbers after their labels, the other two in a second pass.
    original, report, result = varied[("2019", "pdf-varied", 3)]
    assert _requests_read_right_or_named(original, report, result) >= 155


def test_chromiums_print_of_a_web_page_is_read_in_reading_order(varied):
    # chromium prints a wide gap between two columns of 三 as a line break (``0 0 0 0`` / ``0 0 0``), a row's
    # label before, between or after its numbers: the rows' numbers come in reading order, blanks dropped.
    original, report, result = varied[("2021", "pdf-chromium", 2)]
    assert _requests_read_right_or_named(original, report, result) >= 165
    # 四 as two tables: 行政复议's 总计 (0) printed at the head of 行政诉讼's line, a dash where a cell is blank
    # (``0 — 0 0`` / ``0 0 0 0 2 2 0 0 0 0 —``): one number or dash per cell, read in print order.
    review = [k for k in original.truth if k.startswith("review.")]
    assert all(same_value(report.cells[k], original.truth[k]) for k in review), wrong_lines(report, original.truth, review)


def test_numbers_before_the_tables_first_label_are_not_its_cells_where_there_are_too_many():
    fmt = FORMATS["2021"]
    cells = random_report(fmt, random.Random(3))
    keys = [k for k, *_ in fmt.table("review").cells()]
    tokens = _section_tokens("2021", "review", [cells[k] for k in keys], random.Random(3))
    strays = tokenize(read_document("现行有效件数\n0\n978\n".encode(), name="copy.txt"))
    result = stream.read("2021", "review", strays + tokens, label_index("2021", "review"))
    assert result is not None and not result.unsure
    assert [result.cells[k].value for k in keys] == [cells[k] for k in keys]


@pytest.mark.parametrize("seed", range(4))
def test_a_later_page_printed_in_two_passes_is_read_with_the_first_pages(seed):
    # The first page in row order; the second page: each row's label and its left ``left`` cells, then the
    # notes row, then its right cells a band of rows at a time (a column's cells of the band on consecutive
    # lines). One blank dropped on each page.
    fmt, rnd = FORMATS["2021"], random.Random(seed)
    table = fmt.table("requests")
    rows = [list(unit.keys) for unit in stream._units("2021", "requests", "rows")]
    labels = [row.label for b in table.blocks for row in b.rows]
    cells = random_report(fmt, rnd)
    split, left = 15, rnd.choice([4, 5])
    blanks = {rnd.choice(rows[rnd.randrange(split)]), rnd.choice(rows[split + rnd.randrange(len(rows) - split)][:left])}
    lines = [*labels[:split], *(c.label for c in table.blocks[0].columns)]
    lines += [line for row in rows[:split] for k in row if k not in blanks for line in (str(cells[k]), "")]
    lines += ["\f申请人情况", ""]
    for label, row in zip(labels[split:], rows[split:], strict=True):
        lines += [label, *(str(cells[k]) for k in row[:left] if k not in blanks)]
    lines += [NOTE, ""]
    at = split
    while at < len(rows):
        band = rows[at : at + rnd.choice([1, 3])]
        for c in range(left, 7):
            lines += [*(str(cells[row[c]]) for row in band), ""]
        at += len(band)
    tokens = tokenize(read_document("\n".join(lines).encode("utf-8"), name="copy.txt"))
    result = stream.read("2021", "requests", tokens, label_index("2021", "requests"))
    assert result is not None
    for key, tok in result.cells.items():
        truth = None if key in blanks else cells[key]
        assert same_value(None if tok is None else tok.value, truth) or (
            "parse.alignment_ambiguous" in {f.rule for f in result.findings if key in f.cells}), key
    assert sum(k in result.cells for row in rows[split:] for k in row) >= 4 * 7, result.unsure
