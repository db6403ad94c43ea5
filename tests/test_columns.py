"""Tables printed column by column (``parse/columns.py``), read from real ``pdf2txt.py`` runs.

pdfminer.six's ``pdf2txt.py`` prints a PDF's text boxes: table 三 a column at a time, page by page
(a page's first column sometimes before its row labels), table 二 as runs of numbers after their
captions and column labels, table 四 box by box, blank cells dropped. The copies here are made by the
real converter (the ``test`` extra) from the project's rendered PDFs of both formats — the official
layout and the narrow label column that wraps every 2–4 characters — and from the real WPS PDF of
``tests/corpus/real``. Every cell named by ``parse.columns_decoded`` must be right; every cell of a
table printed by columns is decoded or named by ``parse.table_by_columns``; none is silently wrong.
The floors are what the decoding reads today (seed 1), to be raised as it improves.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

import gknb
from converters import CONVERTERS, _program, convert, make_originals, score, wrong_lines
from gknb.formats import FORMATS

PDF2TXT = next(c for c in CONVERTERS if c.name == "pdf2txt")
REAL = Path(__file__).parent / "corpus" / "real"
SEED = 1
FLOOR = {  # (version, medium) → least cells decoded per table (parse.columns_decoded, parse.reading_order or
    # parse.zero_or_blank), seed 1
    ("2019", "pdf"): {"disclosure": 15, "requests": 155},
    ("2019", "pdf-narrow"): {"requests": 155},
    ("2021", "pdf"): {"disclosure": 10, "requests": 170},
    ("2021", "pdf-narrow"): {"disclosure": 4, "requests": 140},
}
PDFTOTEXT = next(c for c in CONVERTERS if c.name == "pdftotext")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("columns")


@cache
def _copies(folder: Path, seed: int, media: tuple[str, ...], versions: tuple[str, ...], converter=PDF2TXT):
    originals = make_originals(folder.parent / "originals", [seed], media=media, versions=versions)
    return {(o.version, o.medium): (o, convert(o, converter, folder.parent / "copies")) for o in originals}


def _named(report, rule: str) -> set[str]:
    return {k for f in report.findings if f.rule == rule for k in f.cells}


def _decoded_right(report, truth, lenient=None) -> set[str]:
    """The decoded cells, after asserting each is right, each cell read as 0 or blank is one of them in
    the truth, and nothing is silently wrong."""
    result = score(report, truth, lenient)
    # read by the column decoder, or by the reading-order decoder where that read more (tables._read_by_columns)
    decoded = _named(report, "parse.columns_decoded") | _named(report, "parse.reading_order")
    assert not set(result.wrong) & decoded, "\n".join(wrong_lines(report, truth, set(result.wrong) & decoded))
    assert not result.silent, "\n".join(wrong_lines(report, truth, result.silent))
    maybe_blank = _named(report, "parse.zero_or_blank")
    assert not maybe_blank & decoded
    assert all(report.cells[k] == 0 and truth[k] in (0, None) for k in maybe_blank), \
        "\n".join(wrong_lines(report, truth, [k for k in maybe_blank if truth[k] not in (0, None)]))
    return decoded | maybe_blank


@pytest.mark.parametrize(("version", "medium"), list(FLOOR), ids=[f"{v}-{m}" for v, m in FLOOR])
def test_pdf2txt_copy_of_a_rendered_pdf_is_decoded_and_every_decoded_cell_is_right(folder, version, medium):
    original, copy = _copies(folder, SEED, ("pdf", "pdf-narrow"), tuple(FORMATS))[(version, medium)]
    report = gknb.read(copy)
    decoded = _decoded_right(report, original.truth)
    unread = _named(report, "parse.table_by_columns")
    assert not decoded & unread
    requests = {k for k in original.truth if k.startswith("requests.")}
    assert requests <= decoded | unread  # every cell of the column-printed table read or named
    for table, least in FLOOR[(version, medium)].items():
        got = sum(k.startswith(f"{table}.") for k in decoded)
        assert got >= least, f"{table}: {got} cells decoded, floor {least}"


def test_pdf2txt_copy_prints_section_four_box_by_box_and_each_number_goes_under_its_label(folder):
    """Seed 3's 2021 copy prints 四's litigation cells as ``结果纠正`` / ``0`` boxes, 未经复议直接起诉's
    in the order 纠正, 其他, 尚未, 维持 and its 总计 after the label 复议后起诉: the labels place them,
    and the 15 cells are read."""
    original, copy = _copies(folder, 3, ("pdf",), ("2021",))[("2021", "pdf")]
    report = gknb.read(copy)
    decoded = _decoded_right(report, original.truth)
    review = {k for k in original.truth if k.startswith("review.")}
    assert review <= decoded
    assert report.cells["review.litigation_after_review.other"] == original.truth["review.litigation_after_review.other"]


def test_pdf2txt_copy_tests_an_identity_of_counts_with_a_blank_cell(folder):
    """Seed 3's 2021 copy prints table 三's second page a number a box (其他 / 总计 / 结转 of seven columns,
    four cells blank). A blank cell is not known, but every cell is a count: a reading whose known
    cells on one side of an identity already sum to more than the other side's is ruled out (商业企业:
    其他 blank and 总计 0 under a first page that sums to 2), and the 自然人 and 商业企业 cells are read."""
    original, copy = _copies(folder, 3, ("pdf",), ("2021",))[("2021", "pdf")]
    decoded = _decoded_right(gknb.read(copy), original.truth)
    assert {"requests.other_other.natural_person", "requests.total.natural_person", "requests.carry_forward.natural_person",
            "requests.other_other.commercial", "requests.total.commercial"} <= decoded


def test_pdf2txt_copy_prints_a_page_of_zeros_a_number_a_box_and_its_cells_are_read_as_zero_or_blank(folder):
    """Seed 1's 2019 narrow-label copy prints the first page of 三 (11 rows, 77 cells, four of them blank)
    as 73 zeros, each a box of its own: nothing shows which cells are blank, and there are too many ways
    to place them to try. Every cell of the page is read as 0 and named by ``parse.zero_or_blank``, the
    four blank cells among them; the pages after it are decoded as before."""
    original, copy = _copies(folder, SEED, ("pdf-narrow",), ("2019",))[("2019", "pdf-narrow")]
    report = gknb.read(copy)
    decoded = _decoded_right(report, original.truth)
    table = FORMATS["2019"].table("requests")
    rows = [r.key for b in table.blocks for r in b.rows]
    page = {f"requests.{row}.{c.key}" for row in rows[: rows.index("withheld_enforcement") + 1]
            for c in table.blocks[0].columns}
    assert page <= _named(report, "parse.zero_or_blank")
    assert {k for k in page if original.truth[k] is None} == {
        "requests.carried_over.commercial", "requests.partial.other_org", "requests.withheld_three_safety.other_org",
        "requests.withheld_third_party.other_org"}
    assert sum(k.startswith("requests.") for k in decoded - page) >= 80


@pytest.mark.parametrize(("seed", "last_row"), [(1, "unable_unclear"), (3, "declined_duplicate")])
def test_pdf2txt_copy_of_an_agency_style_pdf_is_read_in_its_labels_order_with_another_tables_numbers_set_aside(
        folder, seed, last_row):
    """An agency's own Word file as LibreOffice prints it (pdf-varied, seeds 1 and 3: table 三's header in
    two rows, 三 over two pages) through pdf2txt.py. Its first page prints 三's columns in the order of
    their label boxes — 自然人, 科研机构 社会公益组织 法律服务机构, 商业企业, 总计, 其他: two columns out of
    the declared order — and section 二's last four numbers (行政许可 … 行政事业性收费, ``8`` / ``7 2`` /
    ``0`` in seed 1) between 商业企业's column and 总计's label box. The page is read in its labels' order
    with those numbers set aside: every cell of its rows is read (its blank cells as 0 or blank), each
    right; nothing is silently wrong (四's reading is another matter: not asserted here)."""
    original, copy = _copies(folder, seed, ("pdf-varied",), ("2021",))[("2021", "pdf-varied")]
    report = gknb.read(copy)
    requests = {k: v for k, v in original.truth.items() if k.startswith("requests.")}
    decoded = _decoded_right(report, requests)
    table = FORMATS["2021"].table("requests")
    rows = [r.key for b in table.blocks for r in b.rows]
    page = {f"requests.{row}.{c.key}" for row in rows[: rows.index(last_row) + 1] for c in table.blocks[0].columns}
    assert page <= decoded, sorted(page - decoded)
    assert {k for k in page if original.truth[k] is None} <= _named(report, "parse.zero_or_blank")


def test_pdftotext_copy_is_read_by_both_decoders_where_they_agree(folder):
    """The same narrow-label PDF through pdftotext (no -layout): the column reading reads part of 三 for
    sure, its first page as 0 or blank, and leaves the rest open; the reading order reads all of it, but
    names every cell it may have read as 0 for a blank. No cell is read differently by the two, so each
    cell is taken from the surer: the column reading's, then the reading order's for the cells it left
    open — every cell of 三 read, each as surely as one of them reads it."""
    original, copy = _copies(folder, SEED, ("pdf-narrow",), ("2019",), PDFTOTEXT)[("2019", "pdf-narrow")]
    report = gknb.read(copy)
    truth = original.truth
    result = score(report, truth)
    assert not result.silent, "\n".join(wrong_lines(report, truth, result.silent))
    requests = {k for k in truth if k.startswith("requests.")}
    columns, maybe_blank, streamed = (requests & _named(report, rule) for rule in (
        "parse.columns_decoded", "parse.zero_or_blank", "parse.reading_order"))
    assert columns and maybe_blank and streamed
    assert not columns & maybe_blank and not (columns | maybe_blank) & streamed
    assert requests == columns | maybe_blank | streamed
    doubted = _named(report, "parse.alignment_ambiguous")
    wrong = [k for k in requests & set(result.wrong)
             if k in columns or k in maybe_blank and truth[k] not in (0, None) or k in streamed and (
                 k not in doubted or truth[k] is not None)]
    assert not wrong, "\n".join(wrong_lines(report, truth, wrong))


def test_two_readings_of_a_real_copy_that_read_a_cell_differently_leave_it_unread(folder):
    """The two decoders of the narrow-label pdftotext copy above (the column reading and the reading
    order) read table 三 alike. Made to read one cell differently (the reading order's 自然人 count of new
    requests one higher, which breaks that row's total and the column's balance), the choice is not a
    count of cells: the reading whose cells test more identities is taken — the column reading — and
    the cell they disagree on is read by neither, left open under ``parse.table_by_columns``."""
    from dataclasses import replace

    from gknb.formats.common import SECTIONS
    from gknb.parse import columns, stream, tables
    from gknb.parse.labels import label_index
    from gknb.parse.sections import find_headings
    from gknb.parse.tokens import tokenize

    original, copy = _copies(folder, SEED, ("pdf-narrow",), ("2019",), PDFTOTEXT)[("2019", "pdf-narrow")]
    tokens = tokenize(gknb.read_document(copy))
    headings = {h.token: h.section for h in find_headings(tokens, SECTIONS)}
    fmt = FORMATS["2019"]
    section = tables._section_tokens(fmt, tokens, headings, "requests")
    index = label_index("2019", "requests")
    decoded = columns.decode("2019", "requests", section, index)
    streamed = stream.read("2019", "requests", section, index)
    assert tables._joined(decoded, streamed, doubted=True) is not None  # they agree as printed
    key = "requests.new.natural_person"
    assert key in decoded.cells and key in streamed.cells
    bumped = replace(streamed.cells[key], value=streamed.cells[key].value + 1)
    conflicting = replace(streamed, cells={**streamed.cells, key: bumped})
    assert tables._joined(decoded, conflicting, doubted=True) is None
    left, taken = tables._one_of("2019", "requests", decoded, conflicting)
    assert taken is None and key not in left.cells and key in left.unsure
    assert {k: v for k, v in decoded.cells.items() if k != key} == left.cells


def test_pdf2txt_copy_of_the_real_wps_pdf_decodes_table_three(tmp_path):
    """The real 2024 WPS export (hongze2023.pdf) through pdf2txt.py: table 三 printed column by column
    over two pages, with （六）其他处理 printed as one row (its three 2021 sub-rows absent) and page folios
    (``- 3 -``) among the numbers. The table is read with that group as one row: its cells that every
    reading agrees on are right, the sub-rows are left unread and named. Its first page prints 总计
    before 其他: the identities also fit readings that move a column on both pages (the 21 requests of
    自然人 under 法律服务机构 or 商业企业), so the cells those give other numbers are read as the reading
    with one page out of order gives them, and named by ``parse.columns_order_assumed``."""
    copy = tmp_path / "hongze2023.pdf2txt.txt"
    done = subprocess.run([_pdf2txt(), str(REAL / "hongze2023.pdf")], check=True, capture_output=True, timeout=300)
    copy.write_bytes(done.stdout)
    truth = json.loads((REAL / "hongze2023.truth.json").read_text(encoding="utf-8"), parse_float=Decimal)
    lenient = {k: [0] for k in truth["lenient"]}
    report = gknb.read(copy)
    decoded = _decoded_right(report, truth["cells"], lenient)
    assumed = _named(report, "parse.columns_order_assumed")
    assert {f"requests.{row}.{column}" for row in ("new", "total", "unable_not_held")
            for column in ("natural_person", "commercial", "legal_service")} <= assumed <= decoded
    assert report.cells["requests.new.natural_person"] == 21 and report.cells["requests.new.legal_service"] == 0
    assert sum(k.startswith("requests.") for k in decoded) >= 150
    other = set(truth["lenient"])  # the sub-rows of （六）其他处理, which the report does not print
    assert all(report.cells.get(k) is None for k in other)
    assert other <= _named(report, "parse.table_by_columns")
    result = score(report, truth["cells"], lenient)
    assert result.exact / result.cells >= 0.95


def _pdf2txt() -> str:
    exe = _program(PDF2TXT.argv[0])
    assert exe is not None, "pdf2txt.py (pdfminer.six, the test extra) is not installed"
    return exe
