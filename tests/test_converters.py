"""Converter copies made by the real converters: each copy reads as well as its original, or names
precisely what it could not read; never a silently wrong cell.

The originals are ``gknb render``'s DOCX, HTML, PDF and narrow-label PDF of one random report per
format (five blank cells each, ``tests/converters.py``), made once per session; every converter that
reads a medium is run on it (markitdown, pdftotext plain, -layout and -raw, pdf2txt.py, LibreOffice's text export,
html2text, inscriptis; pypdf, pdfplumber, pypdfium2, pandoc and mammoth called from Python). ``tests/corpus/converters/`` keeps copies that once hid a silently wrong cell,
or misread cells whose trace they hold, with their truth, as fixed reproducers (converter output
changes with converter versions).

``FLOOR`` holds the share of cells read exactly today where a copy loses information (issue 11): a
copy must reach it, and every cell it gets wrong that its original got right must be named by a
warning or error. Raise a floor when the reading improves; the goal is the original's accuracy.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from docx import Document as DocxDocument

import gknb
from converters import (
    CONVERTERS,
    MEDIA,
    Converter,
    Original,
    convert,
    convert_file,
    habit_of,
    make_originals,
    medium_of,
    one_character_spans,
    score,
    style_of,
    wrong_lines,
)
from gknb.formats import FORMATS

SEED = 1
REPRODUCERS = Path(__file__).parent / "corpus" / "converters"
FLOOR = {  # (medium, converter[, version]) → least share of exact cells, measured (seed 1; min over both formats)
    # Remeasured on 3 December 2026 (the floors had stayed where the first readings of these copies left
    # them, so a regression of 90 % of a copy would have passed). What each copy still loses is named:
    ("pdf", "markitdown"): 0.99,  # a grid cell holding two columns prints one number: two cells named
    ("pdf", "pdftotext"): 0.945,  # blank cells not printed: a 0 or a blank among zeros, a row's placement open
    ("pdf", "pdftotext-layout"): 0.985,
    ("pdf", "pdf2txt"): 0.96,  # table 三 decoded column by column (parse.columns_decoded), its blanks named
    ("pdf-narrow", "markitdown"): 0.985,
    ("pdf-narrow", "pdftotext"): 0.97,
    ("pdf-narrow", "pdftotext-layout"): 0.985,
    ("pdf-narrow", "pdf2txt"): 0.85,  # 2021: parts of table 三 with too many readings left unread, named
    # an agency's own Word file (portrait habits: 三's header in two rows, notes rows, 小四 over two pages)
    ("pdf-varied", "markitdown"): 0.98,  # table 四: a grid cell holding several columns, a blank among them: named
    ("pdf-varied", "pdftotext"): 0.955,  # table 四's page-break tail: its placement open, named
    ("pdf-varied", "pdftotext-layout"): 0.985,
    ("pdf-varied", "pdf2txt"): 0.83,
    ("pdf-varied", "pdf2txt", "2021"): 0.6,  # 二 and 三's second page printed box by box, not decoded: named
    # its web page printed by chromium
    ("pdf-chromium", "markitdown"): 0.98,
    ("pdf-chromium", "pdftotext"): 0.965,
    ("pdf-chromium", "pdftotext-layout"): 0.99,
    ("pdf-chromium", "pdf2txt"): 0.945,
    ("pdf-chromium", "pdf2txt", "2021"): 0.965,  # 三's blank cells among zeros read as 0, named; 二 partly unread
    # a portal editor's page: inscriptis prints table 四's header over two lines, its blank cell unplaced: named
    ("html-cms", "inscriptis"): 0.99,
    # pypdf's, pdfplumber's and PDFium's text and pdftotext -raw print a row's numbers on one line without
    # its blank cell: a row of zeros is read as 0 in every cell, the blank one too, and named
    # (parse.zero_or_blank); a row of a blank whose place no identity decides is left open and named
    **{(medium, name): 0.965 for medium in ("pdf", "pdf-narrow", "pdf-varied", "pdf-chromium")
       for name in ("pypdf", "pdfplumber", "pypdfium2", "pdftotext-raw")},
}
REAL = Path(__file__).parent / "corpus" / "real"
REAL_FLOOR = {  # converter → least share of exact cells of a real report's copy, measured; else every cell
    "pdftotext": 0.14,  # hongze2023.pdf: tables 二/三/四 printed in blocks, unread and named
    "pdf2txt": 0.19,
}

@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("converters")


@cache
def _originals(folder: Path) -> dict[tuple[str, str], Original]:
    return {(o.version, o.medium): o for o in make_originals(folder.parent / "originals", [SEED])}


@cache
def _read(path: Path):
    return gknb.read(path)


def _copy(workdir: Path, version: str, medium: str, converter: Converter):
    original = _originals(workdir)[(version, medium)]
    copy = convert(original, converter, workdir / "copies")
    report = _read(copy)
    return original, report, score(report, original.truth)


# LibreOffice's re-saves and a browser's copy, markitdown on a page: of an agency's own file and the
# portals' pages only (of the official DOCX/HTML they prove nothing new; bench/accuracy.py runs them all)
VARIED_ONLY = {("docx", "soffice-docx"), ("docx", "soffice-doc"), ("docx", "soffice-html"), ("html", "markitdown"),
               ("html", "browser-copy")}
COPIES = [(v, m, c) for v in FORMATS for m in MEDIA for c in CONVERTERS
          if c.reads(m) and (m not in ("docx", "html") or (c.medium, c.name) not in VARIED_ONLY)]
COPY_IDS = [f"{v}-{m}-{c.name}" for v, m, c in COPIES]


@pytest.mark.parametrize("version", tuple(FORMATS))
@pytest.mark.parametrize("medium", MEDIA)
def test_original_reads_exactly(workdir, version, medium):
    original = _originals(workdir)[(version, medium)]
    report = _read(original.path)
    result = score(report, original.truth)
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    floor = FLOOR.get((medium, "original"), 1.0)
    assert result.exact >= floor * result.cells, wrong_lines(report, original.truth, result.wrong)
    assert report.meta.agency == original.agency
    assert report.meta.year == original.year
    # An original's cells are read as printed: no placement inferred, no cell left unsure.
    assert not [f.rule for f in report.findings if f.rule.startswith("parse.")]


@pytest.mark.parametrize("version", tuple(FORMATS))
@pytest.mark.parametrize("medium", ("docx-varied", "html-varied", "pdf-varied"))
def test_an_agency_s_landscape_word_file_reads_exactly(workdir, version, medium):
    """The other set of habits (seed 2, ``converters.HABITS``): landscape pages, the column headers of
    三 and 四 unmerged (an empty header cell under 自然人, 总计, 结果维持 …), table 四 as two tables
    with its 行政诉讼 header between the 5 and the 10 numbers, 三's group labels repeated in each row,
    blank cells printed as ``—``. Every
    cell read as printed, no placement inferred."""
    assert habit_of(2) == "landscape"
    original = make_originals(workdir / "originals-2", [2], media=(medium,), versions=(version,))[0]
    if medium == "docx-varied":  # table 四 is two tables in the file: 二, 三, 四's 行政复议 and 行政诉讼
        tables = DocxDocument(original.path).tables
        assert [len(t.columns) for t in tables[-2:]] == [5, 10]
    report = _read(original.path)
    result = score(report, original.truth, agency=original.agency, year=original.year)
    assert not result.wrong, wrong_lines(report, original.truth, result.wrong)
    assert result.agency_right and result.year_right
    assert not [f.rule for f in report.findings if f.rule.startswith("parse.")]


LANDSCAPE_COPIES = [(v, m, c) for v in FORMATS for m in ("docx-varied", "html-varied", "pdf-varied") for c in CONVERTERS
                    if c.reads(m) and (m != "pdf-varied" or c.name == "pdftotext-layout")]


@pytest.mark.parametrize(("version", "medium", "converter"), LANDSCAPE_COPIES,
                         ids=[f"{v}-{m}-{c.name}" for v, m, c in LANDSCAPE_COPIES])
def test_copies_of_an_agency_s_landscape_word_file_read_exactly(workdir, version, medium, converter):
    """The landscape habits (seed 2) through markitdown and LibreOffice's text export (DOCX), html2text
    (its header row of empty cells then 结果维持 … prints as ``| | | | | 结果维持| …`` without a closing
    bar: a row all the same, not joined to the numbers below), inscriptis (table 四's 15 cells under
    a header naming both its 行政诉讼 parts on one line, blank ones as ``—``) and pdftotext -layout (四
    as two tables: 5 numbers, then 10 under ``未经复议直接起诉 复议后起诉``): every cell exact."""
    original = make_originals(workdir / "originals-2", [2], media=(medium,), versions=(version,))[0]
    report = _read(convert(original, converter, workdir / "copies-2"))
    result = score(report, original.truth, agency=original.agency, year=original.year)
    assert not result.wrong, wrong_lines(report, original.truth, result.wrong)
    assert result.agency_right and result.year_right


@pytest.mark.parametrize("converter", [c for c in CONVERTERS if c.name in ("markitdown", "pdf2txt") and c.reads("pdf")],
                         ids=lambda c: c.name)
def test_a_browser_s_pdf_copied_with_radicals_for_characters_keeps_the_agency(workdir, converter):
    """chromium embeds Noto CJK SC, whose glyphs for 人, 民, 门, 户, 网 … are also the radicals'
    (⼈ ⺠ ⻔ ⼾ ⽹): markitdown and pdf2txt.py copy the radicals' code points. The copy reads as its
    original does: the agency (南湖区人民政府, seed 3) and the prose in ordinary characters."""
    original = make_originals(workdir / "originals-3", [3], media=("pdf-chromium",), versions=("2021",))[0]
    copy = convert(original, converter, workdir / "copies-3")
    assert "⺠" in copy.read_text(encoding="utf-8")  # the copy prints the radical
    report = _read(copy)
    assert (report.meta.agency, report.meta.year) == (original.agency, original.year) == ("南湖区人民政府", 2021)
    assert "中华人民共和国" in report.sections["overview"] and "⺠" not in report.sections["overview"]


def test_a_row_read_empty_in_a_table_that_lost_rows_is_named_as_possibly_misread(workdir):
    """pdftotext prints most of table 四 of a portrait Word file (seed 3, 2019: notes row under it)
    before its section's heading, 未经复议直接起诉's numbers among them: the row's label is found
    after the heading with no number, 复议后起诉 not at all. The empty row is not told to the reviewer
    only as the report's blank (``cell.blank``) but named as possibly printed elsewhere."""
    converter = next(c for c in CONVERTERS if c.name == "pdftotext")
    original = make_originals(workdir / "originals-3", [3], media=("pdf-varied",), versions=("2019",))[0]
    report = _read(convert(original, converter, workdir / "copies-3"))
    result = score(report, original.truth)
    assert not result.silent and not result.blank_only, wrong_lines(report, original.truth, result.blank_only)
    direct = [k for k in original.truth if k.startswith("review.litigation_direct.")]
    named = {k for f in report.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    assert all(report.cells[k] is None for k in direct) and any(original.truth[k] is not None for k in direct)
    assert set(direct) <= named


@pytest.mark.parametrize(("version", "medium", "converter"),
                         COPIES, ids=COPY_IDS)
def test_copy_has_no_silently_wrong_cell(workdir, version, medium, converter):
    if not converter.available():
        pytest.fail(f"{converter.argv[0]} is not installed (test extra / poppler-utils)")
    original, report, result = _copy(workdir, version, medium, converter)
    assert not result.silent, "\n".join(wrong_lines(report, original.truth, result.silent))


@pytest.mark.parametrize(("version", "medium", "converter"),
                         COPIES, ids=COPY_IDS)
def test_copy_reads_as_well_as_its_original_or_names_what_it_lost(workdir, version, medium, converter):
    original, report, result = _copy(workdir, version, medium, converter)
    base = score(_read(original.path), original.truth)
    floor = FLOOR.get((medium, converter.name, version), FLOOR.get((medium, converter.name)))
    required = base.exact if floor is None else min(base.exact, floor * result.cells)
    assert result.exact >= required, "\n".join(wrong_lines(report, original.truth, result.wrong)[:40])
    lost = [k for k in result.wrong if k not in base.wrong]
    warned = {k for f in report.findings if f.severity in ("warning", "error") for k in f.cells}
    unnamed = [k for k in lost if k not in warned]
    assert not unnamed, "\n".join(wrong_lines(report, original.truth, unnamed))
    # A printed value gknb could not read is never told to the reviewer only as the report's blank.
    assert not result.blank_only, "\n".join(wrong_lines(report, original.truth, result.blank_only))


@pytest.mark.parametrize(("version", "medium", "converter"), COPIES, ids=COPY_IDS)
def test_copy_keeps_the_meta(workdir, version, medium, converter):
    original, report, _result = _copy(workdir, version, medium, converter)
    assert (report.meta.template, report.meta.year, report.meta.agency) == (version, original.year, original.agency)
    assert report.meta.level == _read(original.path).meta.level


@pytest.mark.parametrize("version", tuple(FORMATS))
def test_a_table_printed_column_by_column_is_decoded_or_named_not_blamed_on_the_report(workdir, version):
    """pdf2txt.py prints table 三's row labels in one run and its numbers column by column, the blank
    cells dropped: every cell of the table is either decoded (``parse.columns_decoded``, and then
    right) or left unread under ``parse.table_by_columns``; no cell.blank / table.missing tells the
    reviewer the report left an unread cell blank."""
    converter = next(c for c in CONVERTERS if c.name == "pdf2txt")
    original, report, result = _copy(workdir, version, "pdf", converter)
    requests = {k for k in original.truth if k.startswith("requests.")}
    by_columns = {k for f in report.findings if f.rule == "parse.table_by_columns" for k in f.cells}
    decoded = {k for f in report.findings if f.rule == "parse.columns_decoded" for k in f.cells}
    maybe_blank = {k for f in report.findings if f.rule == "parse.zero_or_blank" for k in f.cells}  # read as 0
    assert requests <= by_columns | decoded | maybe_blank
    assert not by_columns & (decoded | maybe_blank)
    assert not set(result.wrong) & decoded, wrong_lines(report, original.truth, set(result.wrong) & decoded)
    assert all(report.cells[k] == 0 and original.truth[k] in (0, None) for k in maybe_blank)
    if version == "2021":  # this seed's 2021 copy decodes (2019's pdf2txt copy of seed 1 does not: named)
        assert len(decoded & requests) >= len(requests) // 2
    blamed = {k for f in report.findings if f.rule in ("cell.blank", "table.missing") for k in f.cells}
    assert not blamed & by_columns
    assert not any(f.rule in ("parse.table_by_columns", "parse.columns_decoded") for f in _read(original.path).findings)


def test_a_page_printing_every_number_a_box_of_its_own_is_decoded(workdir):
    """chromium's printed page sets table 三's rows apart: pdf2txt.py prints every number of its second
    page a box of its own, so no run shows where a column's blank cell stands — too many places to list
    them all. They are placed as the rows are walked, a blank first among the zeros after it: the table
    is decoded, and a cell that may be blank or 0 is read as 0 and named (parse.zero_or_blank)."""
    converter = next(c for c in CONVERTERS if c.name == "pdf2txt")
    original, report, result = _copy(workdir, "2021", "pdf-chromium", converter)
    requests = {k for k in original.truth if k.startswith("requests.")}
    decoded = {k for f in report.findings if f.rule == "parse.columns_decoded" for k in f.cells}
    maybe_blank = {k for f in report.findings if f.rule == "parse.zero_or_blank" for k in f.cells}
    assert requests <= decoded | maybe_blank
    wrong = set(result.wrong) & requests
    assert wrong <= maybe_blank, wrong_lines(report, original.truth, wrong - maybe_blank)
    assert all(report.cells[k] == 0 and original.truth[k] is None for k in wrong)
    assert len(wrong) <= sum(v is None for k, v in original.truth.items() if k in requests)


STYLED_SEEDS = (4, 5, 6)  # one original per printing habit (converters.STYLES): thousands, zeros, dashes
# mammoth's HTML prints each cell as the page does: the HTML reader's styled originals prove it
STYLED = [(v, seed, c) for v in FORMATS for seed in STYLED_SEEDS for c in CONVERTERS
          if c.medium in ("html", "docx") and c.name not in ("soffice-txt", "mammoth")]


@cache
def _styled(folder: Path, version: str, seed: int) -> dict[str, Original]:
    return {o.medium: o for o in make_originals(folder / "styled", [seed], media=("html", "docx"), versions=(version,))}


@pytest.mark.parametrize(("version", "seed", "converter"), STYLED,
                         ids=[f"{v}-{seed}{style_of(seed)}-{c.medium}-{c.name}" for v, seed, c in STYLED])
def test_a_copy_of_a_report_printed_as_real_ones_are_reads_its_cells(workdir, version, seed, converter):
    """Originals printing large counts with thousands separators (inscriptis pads such cells to the
    left: their starts line up, not their centres), zero-heavy tables (a group's first row beside its
    group label, shifted by inscriptis, placed by the rows that print their group label too) and blank
    cells as a dash (markitdown keeps the merged label's padding cell before the numbers: a dash is a
    printed cell, the padding is not), read by html2text, inscriptis and markitdown: the original and
    its copy read every cell outside table 四 exactly; table 四's one line of 15 cells may leave a
    blank's column undetermined, and then names it."""
    original = _styled(workdir, version, seed)[converter.medium]
    base = score(_read(original.path), original.truth, agency=original.agency, year=original.year)
    assert not base.wrong and base.agency_right and base.year_right, wrong_lines(
        _read(original.path), original.truth, base.wrong)
    report = _read(convert(original, converter, workdir / "styled-copies"))
    result = score(report, original.truth, agency=original.agency, year=original.year)
    assert not result.silent, "\n".join(wrong_lines(report, original.truth, result.silent))
    outside = [k for k in result.wrong if not k.startswith("review.")]
    assert not outside, "\n".join(wrong_lines(report, original.truth, outside))
    warned = {k for f in report.findings if f.severity in ("warning", "error") for k in f.cells}
    assert set(result.wrong) <= warned, "\n".join(wrong_lines(report, original.truth, result.wrong))
    assert result.agency_right and result.year_right


def test_inscriptis_table_four_printed_short_is_placed_by_its_header(workdir):
    """inscriptis pads every cell to its column: table 四's one line of numbers, a blank among its zeros,
    stands under the header line that prints the first ten columns' heads (行政复议, 未经复议直接起诉)
    at the numbers' offsets — those columns are read exactly; the last five (no header printed above
    them), four numbers for five cells, stay named."""
    converter = next(c for c in CONVERTERS if c.name == "inscriptis")
    original = make_originals(workdir / "originals-2", [2], media=("html",), versions=("2021",))[0]
    report = _read(convert(original, converter, workdir / "copies-2"))
    review = [k for k in original.truth if k.startswith("review.")]
    assert original.truth["review.review.corrected"] is None  # the blank this seed prints in table 四
    headed = [k for k in review if not k.startswith("review.litigation_after_review.")]
    assert [report.cells[k] for k in headed] == [original.truth[k] for k in headed]
    named = {k for f in report.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    assert {k for k in review if k.startswith("review.litigation_after_review.")} <= named


def _real_copies():
    for source in sorted(REAL.glob("*")):
        medium = medium_of(source)
        for converter in CONVERTERS:
            if medium is not None and converter.reads(medium):
                yield pytest.param(source, converter, id=f"{source.name}-{converter.name}")


@pytest.mark.parametrize(("source", "converter"), list(_real_copies()))
def test_real_report_copy_reads_its_cells(workdir, source, converter):
    """A real report (the WPS PDF of 淮安市洪泽区 2023, tests/corpus/real) through each converter that
    reads it: every cell right (markitdown: （二）部分公开's label on a grid row of its own above its
    numbers; pdftotext -layout), or at least ``REAL_FLOOR`` of them; never a silently wrong cell, nor a
    printed number named only as a blank."""
    truth = json.loads(source.with_name(source.name.split(".")[0] + ".truth.json").read_text(encoding="utf-8"),
                       parse_float=Decimal)
    lenient = truth.get("lenient") or {}
    if isinstance(lenient, list):
        lenient = {k: [0] for k in lenient}
    report = _read(convert_file(source, converter, workdir / "real"))
    result = score(report, truth["cells"], lenient, agency=truth["agency"], year=truth["year"])
    assert not result.silent, "\n".join(wrong_lines(report, truth["cells"], result.silent))
    # a printed number read as blank is named as possibly misread, not only as a blank the report left
    assert not result.blank_only, "\n".join(wrong_lines(report, truth["cells"], result.blank_only))
    assert (report.meta.template, result.agency_right, result.year_right) == (truth["template"], True, True)
    floor = REAL_FLOOR.get(converter.name, 1.0)
    assert result.exact >= floor * result.cells, "\n".join(wrong_lines(report, truth["cells"], result.wrong)[:40])


def _reproducers():
    for path in sorted(REPRODUCERS.glob("*")):
        if path.name.endswith(".truth.json"):
            continue
        yield pytest.param(path, id=path.name)


def _truth_of(path: Path) -> dict:
    """The truth file kept beside a reproducer copy (``name.truth.json``), amounts as Decimal."""
    return json.loads(path.with_name(path.name.split(".")[0] + ".truth.json").read_text(encoding="utf-8"),
                      parse_float=Decimal)


@pytest.mark.parametrize("path", list(_reproducers()))
def test_reproducer_copy_has_no_silently_wrong_cell(path):
    truth = _truth_of(path)
    report = _read(path)
    result = score(report, truth["cells"])
    assert report.meta.template == truth["template"]
    assert not result.silent, "\n".join(wrong_lines(report, truth["cells"], result.silent))


def _assert_reads_every_cell(name: str, printed: str) -> None:
    """The kept copy ``name`` prints ``printed`` (the shape its test is about) and reads every cell right."""
    path = REPRODUCERS / name
    assert printed in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    result = score(_read(path), truth)
    assert not result.wrong, wrong_lines(_read(path), truth, result.wrong)


def _assert_reads_rows(name: str, printed: str, rows: tuple[str, ...]) -> dict:
    """The kept copy ``name`` prints ``printed`` (the shape its test is about) and reads every cell of the
    rows whose keys start with ``rows`` right; its truth, for the test's own checks."""
    path = REPRODUCERS / name
    assert printed in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    keys = [k for k in truth if k.startswith(rows)]
    wrong = [k for k in keys if report.cells[k] != truth[k]]
    assert not wrong, wrong_lines(report, truth, wrong)
    return truth


def test_markitdown_pdf_copy_of_large_counts_and_padding_cells():
    """markitdown on a PDF of large counts (kept in tests/corpus/converters): a grid cell holding two
    columns prints ``0 251`` (two cells, not a number with a thousands space: none starts with 0), so
    table 四 is read, not missing; a row whose padding cell (empty in every row, before the first
    number) and a blank cell are both empty is placed by the grid's columns, not read as printed
    with the padding as its first cell."""
    path = REPRODUCERS / "2021-4-thousands-pdf_markitdown.md"
    truth = _truth_of(path)["cells"]
    report = _read(path)
    assert "table.missing" not in {f.rule for f in report.findings}
    rows = ("requests.new.", "requests.carried_over.", "review.litigation_direct.", "review.litigation_after_review.")
    for key in (k for k in truth if k.startswith(rows)):
        assert report.cells[key] == truth[key], key
    zeros = REPRODUCERS / "2021-5-zeros-pdf_markitdown.md"
    truth = json.loads(zeros.with_name("2021-5-zeros-pdf_markitdown.truth.json").read_text(encoding="utf-8"))["cells"]
    other = [k for k in truth if k.startswith("requests.other_other.")]
    assert [_read(zeros).cells[k] for k in other] == [truth[k] for k in other]


def test_markitdown_pdf_copy_with_two_three_digit_counts_in_a_merged_cell():
    """markitdown on a narrow-label PDF of large counts: table 四's grid cells hold two columns each
    (``| 251 0 | 0 0 | 251 0 | 251 251 | 251 753 | …``); ``251 753`` is two cells, not one number with
    a thousands space — all fifteen numbers are there, and every cell of the copy is right."""
    _assert_reads_every_cell("2021-7-thousands-pdf-narrow_markitdown.md", "| 251 251  | 251 753 |")


def test_markitdown_pdf_copy_of_a_count_wrapped_in_its_narrow_cell():
    """markitdown on a PDF whose total column is narrow: ``125`` wraps in its cell, vertically centred,
    so the grid prints ``12`` on the label's grid row and ``5`` on the grid row after the row's numbers
    (``| 一、本年新收…申请数 | … | 12 |`` / ``| | 19 | 62 | 30 | 9 | 5 | 0 | |`` / ``| 量 | … | 5 |``): the
    row is read whole, 125 its total, not 12 with five cells blank."""
    truth = _assert_reads_rows("2019-21-dashes-pdf-varied_markitdown.md", "| 12  |", ("requests.new.",))
    assert truth["requests.new.total"] == 125


def test_markitdown_pdf_copy_of_counts_wrapped_around_a_header_rule():
    """markitdown on a landscape PDF of large counts (kept in tests/corpus/converters): a count wrapped
    inside its thousands group prints its head on the grid row above the row's numbers, with markitdown's
    ``| --- |`` rule between them (``| 三 | … | 112, |`` / ``| --- |`` / ``| （一）予以公开 | … | 0 0 | |`` /
    ``| 、 | … | 699 |``): still one grid row after the other, read whole (112,699)."""
    truth = _assert_reads_rows("2021-31-thousands-pdf-varied_markitdown.md", "| 112, |\n| ------- |",
                               ("requests.granted.", "requests.partial."))
    assert truth["requests.granted.total"] == 112699


def test_markitdown_pdf_copy_of_a_wrapped_count_sharing_a_grid_cell_with_a_row_s_number():
    """markitdown on a landscape PDF: the grid merges two narrow columns, so one grid cell holds a row's
    ``0`` and, on the grid rows above and below it, the head and tail of the count beside it wrapped in
    its own narrow cell (``| 65 |`` / ``| 0 |`` / ``| 3 |``): both are read, the 0 first, and the two
    cells named ``parse.alignment_ambiguous``, since the grid does not say which stood left."""
    truth = _assert_reads_rows("2021-21-dashes-pdf-varied_markitdown.md", "| 65  |", ("requests.new.",))
    assert truth["requests.new.research"] == 653
    report = _read(REPRODUCERS / "2021-21-dashes-pdf-varied_markitdown.md")
    named = [f for f in report.findings if f.rule == "parse.alignment_ambiguous"
             and set(f.cells) == {"requests.new.commercial", "requests.new.research"}]
    assert len(named) == 1, [(f.rule, f.cells) for f in report.findings]


def test_markitdown_pdf_copy_of_counts_cut_in_a_thousands_group_around_stray_label_text():
    """markitdown on a landscape PDF of large counts: a count cut inside its thousands group (``55,9``)
    goes on two grid rows down across a stray character of the side label set outside the grid
    (``结``), and one whose tail markitdown set a grid column right (``| 2,00 | |`` / ``| | 8 |``):
    both read whole (55,973; 2,008), as are the totals and the carry-over beside a row's own 0."""
    truth = _assert_reads_rows("2021-31-thousands-pdf-varied_markitdown.md", "| 55,9 |",
                               ("requests.new.", "requests.withheld_law.", "requests.declined_massive.",
                                "requests.total.", "requests.carry_forward."))
    assert (truth["requests.withheld_law.total"], truth["requests.declined_massive.total"]) == (55973, 2008)


def test_markitdown_pdf_copy_with_a_dash_in_a_merged_cell():
    """markitdown on a PDF printing blank cells as ``-``: a grid cell holding two columns prints
    ``- 0`` (a blank cell and a 0), read as the two cells: every cell of the copy is right."""
    _assert_reads_every_cell("2021-6-dashes-pdf_markitdown.md", "| - 0 |")


def test_markitdown_copy_of_a_browser_s_pdf_with_a_label_after_an_empty_grid_cell():
    """markitdown on chromium's PDF of a web page (kept in tests/corpus/converters): the row label
    ``2.申请人逾期未按收费通知要求缴纳`` stands on a grid row of its own after an empty cell, its
    numbers on the next row; the label is that row's (not the row before it), so the numbers of
    （五）5 and （六）1 — printed between label fragments no row claims — keep their rows: every cell right."""
    _assert_reads_every_cell("2021-2-pdf-chromium_markitdown.md", "| 三、本年 |     | 2.申请⼈逾期未按收费通知要求缴纳 |")


def test_markitdown_table_four_grid_cells_are_counted_by_their_header():
    """markitdown on a narrow-label PDF (kept in tests/corpus/converters): table 四's grid cells hold
    one or two columns each (``| 0 | 0 0 | 0 0 | 0 | 0 | 2 2 | 0 0 | 0 0 |  |``); the header words
    above each grid cell (``结果 结果`` / ``维持 纠正``: two labels; ``尚未`` / ``总计`` / ``审结``: two)
    say which columns it holds, so the row's numbers keep their columns. Only the two cells of the
    grid cell printing one number for two columns are left open, and named."""
    path = REPRODUCERS / "2021-2-pdf-narrow_markitdown.md"
    assert "| 0     | 0 0   | 0 0   | 0        | 0   | 2 2  | 0 0   | 0 0   |     |" in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    review = [k for k in truth if k.startswith("review.")]
    open_keys = {k for f in report.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    assert open_keys & set(review) == {"review.review.upheld", "review.review.corrected"}
    for key in review:
        if key not in open_keys:
            assert report.cells[key] == truth[key], key


@pytest.mark.parametrize("name", ["2021-2-pdf_pdftotext-layout", "2019-1-pdf-narrow_pdftotext-layout",
                                  "2019-1-pdf-chromium_pdftotext-layout"])
def test_pdftotext_layout_table_four_blank_cells_stand_in_its_wide_gaps(name):
    """pdftotext -layout prints table 四 on one line without its blank cells (kept in
    tests/corpus/converters): ``0           0     0    0 …`` — a gap clearly wider than the line's
    usual gap holds a blank cell; a blank no such gap holds stands at an end, which the identities
    choose. Every cell of the table is right (LibreOffice's and chromium's PDFs, both formats)."""
    path = REPRODUCERS / f"{name}.txt"
    truth = _truth_of(path)["cells"]
    report = _read(path)
    wrong = [k for k in truth if k.startswith("review.") and report.cells[k] != truth[k]]
    assert not wrong, wrong_lines(report, truth, wrong)


def test_markitdown_rows_marking_blank_cells_with_a_dash_among_padding_cells():
    """markitdown on an agency's landscape PDF printing blank cells as ``—`` (kept in
    tests/corpus/converters): ``| （七）总计 |  | … | 0 | 0 |  | 0 | — |  | 0 | 0 | 0 |`` and table 四 as
    two grids (行政复议, 行政诉讼) pad their marks with empty grid cells; a row (a table) whose marks —
    numbers and dashes — are exactly its cells is read by them in order, the empty cells as padding:
    every cell of the copy is right."""
    _assert_reads_every_cell("2021-2-pdf-varied_markitdown.md", "| 0   | 0   |     | 0   | —   |     | 0   | 0   | 0   |")


def test_pdftotext_layout_of_a_browser_s_pdf_packs_a_row_s_first_cells():
    """pdftotext -layout on chromium's PDF (kept in tests/corpus/converters) packs each row's first
    numbers one space apart after its label (``（二）部分公开… 0 0 0       0   0                0``), so
    their offsets shift from row to row, while the later columns keep theirs: a packed run as long
    as the full rows' is their first columns, the numbers after it stand under their columns — the
    rows printing a blank 其他 cell are right, 其他 blank and 总计 read."""
    path = REPRODUCERS / "2019-1-pdf-chromium_pdftotext-layout.txt"
    truth = _truth_of(path)["cells"]
    report = _read(path)
    for row in ("partial", "withheld_three_safety"):
        keys = [k for k in truth if k.startswith(f"requests.{row}.")]
        assert truth[f"requests.{row}.other_org"] is None
        assert [report.cells[k] for k in keys] == [truth[k] for k in keys], row


@pytest.mark.parametrize(("name", "row", "line"), [
    ("2019-1-pdf-chromium_pdftotext-layout", "carried_over", "二、上年结转政府信息公开申请数量          0     0   0    0"),
    ("2021-1-pdf-chromium_pdftotext-layout", "unable_needs_creation", "2.没有现成信息需要另行制作      0 0      0    0 0 0"),
    ("2019-3-pdf-chromium_pdftotext-layout", "carry_forward", "四、结转下年度继续办理                      0 0  0   0"),
], ids=["gap-2019", "gap-2021", "shifted-2019"])
def test_pdftotext_layout_a_blank_among_a_browser_s_packed_first_cells(name, row, line):
    """pdftotext -layout on chromium's PDF (kept in tests/corpus/converters) packs a full row's first
    numbers one space apart; a row short by one cell there prints the others with a gap wider than one
    space where the blank stands (``0     0``, ``0 0      0``), or, with no gap, starting a column or more
    to the right of the full rows' first (the first cell blank). Every cell of the row is right."""
    path = REPRODUCERS / f"{name}.txt"
    assert line in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    keys = [k for k in truth if k.startswith(f"requests.{row}.")]
    assert None in [truth[k] for k in keys]
    assert [report.cells[k] for k in keys] == [truth[k] for k in keys], wrong_lines(report, truth, keys)


def test_pdftotext_layout_two_rows_printed_on_one_line_are_put_back_on_two():
    """pdftotext -layout on chromium's PDF (kept in tests/corpus/converters) takes two rows whose tall glyph
    boxes overlap for one line: ``4.保护第三方合法权益`` on a line of its own, then ``5.属于三类内部事务信息
    00 00 00     0`` (both rows' first digits side by side) and the rest of both rows' numbers on lines of
    their own, each at its column's offset. Both rows are read, every cell right; the column printing one
    number for the two rows (one of them blank) is named — the number read and the blank beside it."""
    path = REPRODUCERS / "2019-1-pdf-chromium_pdftotext-layout.txt"
    assert "5.属于三类内部事务信息 00 00 00     0\n" in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    keys = [k for k in truth if k.startswith(("requests.withheld_third_party.", "requests.withheld_internal."))]
    wrong = [k for k in keys if report.cells[k] != truth[k]]
    assert not wrong, wrong_lines(report, truth, wrong)
    open_keys = {k for f in report.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    assert open_keys & set(keys) == {"requests.withheld_third_party.other_org", "requests.withheld_internal.other_org"}
    assert truth["requests.withheld_third_party.other_org"] is None


def test_markdown_rows_without_bars_end_at_their_line_end():
    """html2text prints ``a| b| c`` rows under a ``---`` rule: the last cell of a row is a cell."""
    from gknb.ingest import read_document

    text = "第二十条第（一）项\n---\n信息内容| 本年制发件数| 本年废止件数| 现行有效件数\n规章| 0| 1| 2\n行政规范性文件| 3| 4| 5\n"
    table = next(b for b in read_document(text.encode("utf-8"), name="x.md").blocks if hasattr(b, "rows"))
    assert [[c.text for c in row] for row in table.rows[-2:]] == [["规章", "0", "1", "2"], ["行政规范性文件", "3", "4", "5"]]


def test_pdf2txt_copy_printing_a_column_after_the_others_is_decoded():
    """pdf2txt.py's copy of a 2021 PDF (kept in tests/corpus/converters): table 三's numbers column by
    column, page by page, its blank cells dropped and — on the second page — the 自然人 column printed
    after 总计. The decoding reads the table by the declared columns, moves that column where the balance
    identities across the two pages allow, and reads every cell all readings agree on; each of those is
    right, and the cells left unread (several readings) are named."""
    path = REPRODUCERS / "2021-3-pdf_pdf2txt.txt"
    truth = _truth_of(path)["cells"]
    report = _read(path)
    decoded = {k for f in report.findings if f.rule == "parse.columns_decoded" for k in f.cells}
    unread = {k for f in report.findings if f.rule == "parse.table_by_columns" for k in f.cells}
    maybe_blank = {k for f in report.findings if f.rule == "parse.zero_or_blank" for k in f.cells}  # read as 0
    requests = {k for k in truth if k.startswith("requests.")}
    assert len(decoded) >= 140 and requests <= decoded | unread | maybe_blank
    assert all(report.cells[k] == 0 and truth[k] in (0, None) for k in maybe_blank)
    page_two = ("requests.other_no_fee.", "requests.other_other.", "requests.total.", "requests.carry_forward.")
    assert {k for k in decoded if k.startswith(page_two)}  # read only with 自然人 moved last
    result = score(report, truth)
    assert not set(result.wrong) & decoded, wrong_lines(report, truth, set(result.wrong) & decoded)


def test_pdf2txt_copy_repeating_table_three_s_header_after_its_last_row_label_keeps_its_numbers():
    """pdf2txt.py's copy of a chromium-printed 2019 PDF of large counts (held-out seed 22, kept in
    tests/corpus/converters): table 三's row labels stand apart from its numbers, and on its second page
    the header (申请人情况 / 法人或其他组织 / 总计 / 商业企业 …) is printed after the last row label
    四、结转下年度继续办理, its numbers after it. That 总计 is a column of 三 as much as of 四: the walk stays
    in 三, so the numbers are 三's (a table printed by columns), not 四's — no printed number of 三 is
    told to the reviewer only as a blank the report left (``cell.blank``), each is read right or named."""
    path = REPRODUCERS / "2019-22-thousands-pdf-chromium_pdf2txt.txt"
    text = path.read_text(encoding="utf-8")
    assert text.index("四、结转下年度继续办理") < text.index("申请⼈情况", text.index("四、结转下年度继续办理"))
    truth = _truth_of(path)["cells"]
    report = _read(path)
    result = score(report, truth)
    assert not result.silent and not result.blank_only, "\n".join(wrong_lines(report, truth, result.blank_only))
    parsed = {k for f in report.findings if f.rule.startswith("parse.") for k in f.cells}
    requests = [k for k in truth if k.startswith("requests.")]
    assert all(report.cells[k] == truth[k] or k in parsed for k in requests)
    blamed = {k for f in report.findings if f.rule in ("cell.blank", "table.missing") for k in f.cells}
    assert not blamed & {k for k in requests if truth[k] is not None}
    review = [k for k in truth if k.startswith("review.")]
    assert [report.cells[k] for k in review] == [truth[k] for k in review]  # 四 read whole, not given 三's numbers


PROSE = ("overview", "problems", "other")  # sections of prose only (no table inside)
# pandoc's Markdown writes “ ” as ASCII quotes; pypdf, PDFium and pdftotext -raw print an agency's Word
# file's quotes (drawn in a font of their own) apart from their words (坚“ ”持 公开为常态): the prose
# changed by the converter, not by reading. pdftotext -raw and PDFium break lines where the text runs end
# (``例外”`` / ``，扎实推进``): a line opening with closing punctuation runs on (sections.paragraphs).
PROSE_COPIES = [(v, m, c) for v, m, c in COPIES if c.name not in ("pdftotext", "pdf2txt", "pandoc")
                and not (m == "pdf-varied" and c.name in ("pypdf", "pypdfium2", "pdftotext-raw"))]


@pytest.mark.parametrize(("version", "medium", "converter"), PROSE_COPIES,
                         ids=[f"{v}-{m}-{c.name}" for v, m, c in PROSE_COPIES])
def test_copy_section_prose_reads_as_paragraphs(workdir, version, medium, converter):
    """A copy keeps the converter's line breaks (a PDF's page width, markitdown's grid of sentence
    pieces): the prose sections read as the original's paragraphs — the same text, and no more
    paragraphs than the original has."""
    original, report, _result = _copy(workdir, version, medium, converter)
    base = _read(_originals(workdir)[(version, "docx")].path)
    for key in PROSE:
        want, got = base.sections[key] or "", report.sections[key] or ""
        assert re.sub(r"\s", "", got) == re.sub(r"\s", "", want), (key, got)
        assert got.count("\n") <= want.count("\n"), (key, got)


def test_real_markdown_copy_reads_as_paragraphs(workdir):
    """markitdown on the WPS PDF (hongze2023.pdf): the sections read as the PDF's own paragraphs; the
    sentence markitdown cut into grid cells (``| 府网站平台主动公开政府信息 |  | 1136 条。 |``) is there."""
    converter = next(c for c in CONVERTERS if c.name == "markitdown" and c.medium == "pdf")
    copy = _read(convert_file(REAL / "hongze2023.pdf", converter, workdir / "real"))
    original = _read(REAL / "hongze2023.pdf")
    for key in ("problems", "other"):
        assert re.sub(r"\s", "", copy.sections[key]) == re.sub(r"\s", "", original.sections[key])
        assert copy.sections[key].count("\n") == original.sections[key].count("\n")
    assert "我区在政府网站平台主动公开政府信息1136条。" in re.sub(r"\s", "", copy.sections["overview"])
    assert copy.sections["overview"].count("\n") <= original.sections["overview"].count("\n") + 1


def test_markitdown_grid_rows_printed_short_are_placed_by_the_grid():
    """markitdown on a PDF (kept in tests/corpus/converters): rows printing fewer numbers than cells in
    a broken grid (``| 0 0 | 0 |  | 0 | 0 |  | 0 |``) are placed by the grid columns of the rows printed in
    full. Where a grid cell holding two columns prints one number (``| 0 |`` under ``| 0 0 |``), only
    those two cells are named as undetermined (as 0 or blank: the row prints only 0s); every other cell
    is right."""
    for name in ("2019-1-pdf_markitdown", "2019-3-pdf-narrow_markitdown"):
        truth = json.loads((REPRODUCERS / f"{name}.truth.json").read_text(encoding="utf-8"),
                           parse_float=Decimal)["cells"]
        report = _read(REPRODUCERS / f"{name}.md")
        result = score(report, truth)
        open_keys = {k for f in report.findings if f.rule in ("parse.alignment_ambiguous", "parse.zero_or_blank")
                     for k in f.cells if k.startswith("requests.")}
        assert not set(result.wrong) - open_keys - {k for k in truth if k.startswith("review.")}, \
            wrong_lines(report, truth, result.wrong)
        assert len(open_keys) <= 2, open_keys
        assert truth["requests.partial.other_org" if name.startswith("2019-1") else "disclosure.punishment.change"] is None
        assert not [k for k in result.wrong if k.startswith(("requests.partial.", "disclosure.punishment."))]


def test_prose_a_converter_cut_is_checked_against_the_tables(workdir):
    """markitdown cut the WPS PDF's sentence ``2023 年全区受理政府信息公开申请 21 件，`` into grid cells
    and lines: read as one paragraph, its number is compared with table 三 — a copy stating 22
    gets ``text.table_mismatch``, the copy as made does not."""
    converter = next(c for c in CONVERTERS if c.name == "markitdown" and c.medium == "pdf")
    text = convert_file(REAL / "hongze2023.pdf", converter, workdir / "real").read_text(encoding="utf-8")
    assert text.count("| 21 件， |") == 1
    rules = {f.rule for f in gknb.read(text.encode(), name="copy.md").findings}
    changed = {f.rule for f in gknb.read(text.replace("| 21 件， |", "| 22 件， |").encode(), name="copy.md").findings}
    assert "text.table_mismatch" not in rules
    assert "text.table_mismatch" in changed


@pytest.mark.parametrize("version", tuple(FORMATS))
def test_a_portal_page_copied_from_a_browser_reads_exactly(workdir, version):
    """A portal editor's page pasted from Word (html-cms, seed 1: every cell's text in ``<p>``, blank
    cells ``&nbsp;``, table 三 in two ``<table>``s) opened in chromium and copied (``innerText``): each
    tab stands on a line of its own between blank lines, a row's cells over many lines. Every cell is
    read as printed (before: the rows with a blank cell lost its place, 6–10 cells a report)."""
    converter = next(c for c in CONVERTERS if c.name == "browser-copy")
    original, report, result = _copy(workdir, version, "html-cms", converter)
    text = convert(original, converter, workdir / "copies").read_text(encoding="utf-8")
    assert "\n\n\t\n\n" in text and "\n\n\t\n\n\n\n\n" not in text  # tabs on lines of their own
    assert not result.wrong, wrong_lines(report, original.truth, result.wrong)
    assert (report.meta.agency, report.meta.year) == (original.agency, original.year)


def test_numbers_whose_sign_a_converter_set_apart_are_read_whole(workdir):
    """inscriptis puts a space between two ``<span>``s; a page pasted from Word holds a number's digits
    and its ``-`` or ``.`` in runs of their own (html-cms, seed 3): ``- 42``, ``124 . 7281``. They are
    read as the numbers printed (before: 42 and 77 for -42 and -77, silently)."""
    converter = next(c for c in CONVERTERS if c.name == "inscriptis")
    original = make_originals(workdir / "originals-3", [3], media=("html-cms",), versions=("2019",))[0]
    copy = convert(original, converter, workdir / "copies-3")
    assert re.search(r"- \d", copy.read_text(encoding="utf-8"))
    report = _read(copy)
    signed = {k: v for k, v in original.truth.items() if k.endswith(".change") or k == "disclosure.procurement.amount"}
    assert any(v is not None and v < 0 for v in signed.values())
    assert {k: report.cells.get(k) for k in signed} == signed


@pytest.mark.parametrize("version", tuple(FORMATS))
@pytest.mark.parametrize("seed", [1, 2])  # both habits of html-cms: pasted from Word, typed (full-width digits)
def test_a_page_set_one_character_per_span_reads_through_inscriptis(workdir, version, seed):
    """A portal page whose cells hold one ``<span>`` per character (Word/WPS text formatted character by
    character): inscriptis puts a space between two spans, so each cell prints one character apart and
    the cells two or more spaces apart (``行 政 事 业 性 收 费      ９ ０ ． ３``). The copy's characters are
    joined again (a note says so) and it reads as well as inscriptis's copy of the page without the spans
    (before: 6–22 cells a copy named, and 90.3 read as 3, -1 as 1, silently)."""
    converter = next(c for c in CONVERTERS if c.name == "inscriptis")
    original = make_originals(workdir / "originals-spans", [seed], media=("html-cms",), versions=(version,))[0]
    plain = _read(convert(original, converter, workdir / "copies-spans" / "plain"))
    page = workdir / "copies-spans" / original.path.name
    page.write_bytes(one_character_spans(original.path.read_bytes()))
    copy = convert_file(page, converter, workdir / "copies-spans")
    text = copy.read_text(encoding="utf-8")
    assert "行 政 事 业 性 收 费" in text  # the cells printed one character apart, numbers too
    assert re.search(r"(?<!\S)[\d０-９](?: [\d０-９．.,，])+(?!\S)", text)
    report = _read(copy)
    result, before = score(report, original.truth), score(plain, original.truth)
    assert not result.silent, wrong_lines(report, original.truth, result.silent)
    assert set(result.wrong) <= set(before.wrong), wrong_lines(report, original.truth, result.wrong)
    assert any("one character apart" in f.message_en for f in report.findings if f.rule == "ingest.note")
    assert not any(f.rule == "ingest.note" for f in plain.findings)


@pytest.mark.parametrize(("version", "seed", "row", "key"), [
    ("2021", 2, "行政事业性收费", "disclosure.fees.amount"),  # ９０．３, typed in full-width digits
    ("2019", 1, "行政许可", "disclosure.licensing.change"),  # -1, pasted from Word
])
def test_one_row_set_one_character_per_span_reads_whole_through_inscriptis(workdir, version, seed, row, key):
    """One row of a portal page set one character per ``<span>``, the rest as typed: inscriptis prints
    that row one character apart (too few such lines to join the document's), its number ``９ ０ ． ３``
    or ``- 1`` after a label ``行 政 许 可``. The number is read whole (before: 3 for 90.3 and 1 for -1,
    silently)."""
    converter = next(c for c in CONVERTERS if c.name == "inscriptis")
    original = make_originals(workdir / "originals-spans", [seed], media=("html-cms",), versions=(version,))[0]
    page = workdir / "copies-row-spans" / original.path.name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes(one_character_spans(original.path.read_bytes(), rows=(row,)))
    copy = convert_file(page, converter, workdir / "copies-row-spans")
    assert " ".join(row) in copy.read_text(encoding="utf-8")
    report = _read(copy)
    assert report.cells[key] == original.truth[key] and original.truth[key] not in (None, 0)
    assert not score(report, original.truth).silent
    assert not any(f.rule == "ingest.note" for f in report.findings)


def _converter(name: str) -> Converter:
    return next(c for c in CONVERTERS if c.name == name)


@pytest.mark.parametrize("version", tuple(FORMATS))
@pytest.mark.parametrize("medium", ("docx", "docx-varied"))
def test_pandoc_markdown_of_a_word_file_reads_every_cell(workdir, version, medium):
    """pandoc's Markdown (``pypandoc.convert_file(f, "markdown")``) draws the tables with merged cells
    as grid tables (``+---+``, laid out by display width: a CJK character two columns): read as the
    Word file's grid, every cell is right (before: 142–156 of 198–200 — tables 二 and 四 missing,
    三's rows 一, 二 and 四 lost), with the agency and year."""
    original, report, result = _copy(workdir, version, medium, _converter("pandoc"))
    text = convert(original, _converter("pandoc"), workdir / "copies").read_text(encoding="utf-8")
    assert "+:===" in text and "**第二十条第（一）项**" in text
    assert not result.wrong, wrong_lines(report, original.truth, result.wrong)
    assert (report.meta.agency, report.meta.year) == (original.agency, original.year)


@pytest.mark.parametrize("version", tuple(FORMATS))
@pytest.mark.parametrize("medium", ("docx", "docx-varied"))
def test_mammoth_html_of_a_word_file_reads_every_cell(workdir, version, medium):
    """mammoth's HTML of a Word file (``convert_to_html``): a fragment without ``<html>``, each cell's
    text in ``<p>``, blank cells ``<td></td>``: every cell right, with the agency and year."""
    original, report, result = _copy(workdir, version, medium, _converter("mammoth"))
    assert not convert(original, _converter("mammoth"), workdir / "copies").read_text(encoding="utf-8").startswith("<html")
    assert not result.wrong, wrong_lines(report, original.truth, result.wrong)
    assert (report.meta.agency, report.meta.year) == (original.agency, original.year)


@pytest.mark.parametrize("version", tuple(FORMATS))
@pytest.mark.parametrize("name", ("pypdf", "pdfplumber", "pypdfium2", "pdftotext-raw"))
def test_pdf_text_printed_row_by_row_reads_every_cell_or_names_it(workdir, version, name):
    """pypdf's and pdfplumber's ``extract_text``, PDFium's text (pypdfium2) and ``pdftotext -raw`` (the
    content stream's order) print each table row on one line, a blank cell
    dropped (``0 0 0 0 0 0`` for seven cells): every cell is right except on the lines printing a blank
    (a row; table 四's one line), and those cells are named (a warning or error); no cell is read as blank that printed a number
    without being named. The real WPS report (hongze2023.pdf) reads every cell right
    (``test_real_report_copy_reads_its_cells``)."""
    def line(key: str) -> str:  # the printed line a cell stands on: its row's (table 四: one line of 15)
        return "review" if key.startswith("review.") else key.rsplit(".", 1)[0]

    original, report, result = _copy(workdir, version, "pdf", _converter(name))
    short = {line(k) for k, v in original.truth.items() if v is None}  # lines printing a blank
    assert not [k for k in result.wrong if line(k) not in short], wrong_lines(report, original.truth, result.wrong)
    warned = {k for f in report.findings if f.severity in ("warning", "error") for k in f.cells}
    assert set(result.wrong) <= warned, wrong_lines(report, original.truth, set(result.wrong) - warned)
    assert result.exact >= 0.965 * result.cells


def test_mammoth_markdown_escapes_are_read_as_the_punctuation_printed(workdir):
    """mammoth's Markdown (``convert_to_markdown``) escapes ASCII punctuation: ``3\\.其他``; undone,
    table 三's row 3.其他 is found (before: its seven cells missing, named parse.row_missing)."""
    import mammoth

    original = _originals(workdir)[("2021", "docx")]
    with original.path.open("rb") as file:
        text = mammoth.convert_to_markdown(file).value
    assert "3\\.其他" in text
    report = gknb.read(text.encode("utf-8"), name="copy.md")
    row = [k for k in original.truth if k.startswith("requests.other_other.")]
    assert [report.cells[k] for k in row] == [original.truth[k] for k in row]
    assert not {f.rule for f in report.findings if set(f.cells) & set(row)}


def test_a_header_row_repeated_on_a_later_page_is_no_row_of_numbers(workdir):
    """An agency's Word file printing table 三's header rows again on each page, by LibreOffice (seed 21:
    blank cells printed as a dash): the header repeated at the top of page 3 prints 总计 — the total
    column's label, beside 自然人 and 法人或其他组织 — above a row the page break split. That 总计 is no
    row label: （七）总计 is read from its own row (0 0 653 12 8 0 673), not as the header's empty cells
    below it, and the original reads every cell exactly."""
    original, = make_originals(workdir / "held-out", [21], media=("pdf-varied",), versions=("2021",))
    report = _read(original.path)
    result = score(report, original.truth)
    assert not result.wrong, wrong_lines(report, original.truth, result.wrong)
    total = [k for k in original.truth if k.startswith("requests.total.")]
    assert [report.cells[k] for k in total] == [0, 0, 653, 12, 8, 0, 673]
    assert not [f for f in report.findings if f.rule == "cell.blank" and set(f.cells) & set(total)]


def test_pdftotext_layout_numbers_wrapped_inside_their_cells_are_read_whole():
    """pdftotext -layout of that PDF (kept in tests/corpus/converters): a three-digit count too wide for
    its narrow column wraps in its cell and, centred, prints its head on the line above the row's numbers
    and its tail on the line below, at the same offset (``…申请数  65  67`` / ``0 0 12 8 0`` / ``量  3  3``).
    The parts are joined where the row's line prints nothing: both rows read exactly (653 and 673)."""
    truth = _assert_reads_rows("2021-21-dashes-pdf-varied_pdftotext-layout.txt",
                               "一、本年新收政府信息公开申请数              65                      67\n",
                               ("requests.new.", "requests.total."))
    assert truth["requests.new.research"] == 653 and truth["requests.new.total"] == 673


def test_pdftotext_layout_counts_wrapped_inside_a_thousands_group_and_set_by_their_own_glyphs():
    """pdftotext -layout of a landscape PDF of large counts (kept in tests/corpus/converters): counts wrap
    inside a thousands group (``1,75`` / ``7``, ``240,`` / ``458``, ``112,`` / ``699``), and pdftotext
    places each line's text by its own glyphs, so a centred head stands up to half its extra width from
    its tail; two heads one cell gap apart (``112,    112,``) stay two. The rows read exactly."""
    assert "112,                112," in (REPRODUCERS / "2021-31-thousands-pdf-varied_pdftotext-layout.txt").read_text(
        encoding="utf-8")
    truth = _assert_reads_rows("2021-31-thousands-pdf-varied_pdftotext-layout.txt", "1,75   240,   9,03         251,",
                               ("requests.new.", "requests.carried_over.", "requests.granted.", "requests.partial."))
    assert truth["requests.new.social_welfare"] == 240458 and truth["requests.granted.social_welfare"] == 112699


def test_raw_pdftotext_numbers_of_table_four_left_aside_name_its_unread_cells():
    """Raw pdftotext of a landscape PDF of large counts (kept in tests/corpus/converters): table 四 prints
    its labels, then its numbers with counts cut apart (``1,0`` ``1,0`` ``0`` … ``09`` ``09``); no reading
    places them, and a labelled row printed one number, so they were left aside. The table's unread cells
    may hold them: named as possibly misread, never told only as the report's blanks."""
    path = REPRODUCERS / "2019-31-thousands-pdf-varied_pdftotext.txt"
    assert "\n1,0\n1,0\n0\n" in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    result = score(report, truth)
    assert not result.silent and not result.blank_only, wrong_lines(report, truth, result.blank_only)
    unread = [k for k in truth if k.startswith("review.") and report.cells[k] is None]
    named = {k for f in report.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    assert len(unread) >= 10 and set(unread) <= named


def test_raw_pdftotext_a_page_s_single_row_under_a_header_over_several_columns_is_placed():
    """Raw pdftotext of a 2019 PDF printing blank cells as ``/`` (seed 33, kept in tests/corpus/converters):
    table 三 prints each column's numbers over a band of rows as one flow, and on its second page its one
    row (四、结转下年度继续办理) prints the three columns under 法人或其他组织's shared header as one flow of
    three numbers (``科研`` … ``务机构`` / ``0`` / ``0`` / ``0``): one row under a header over three
    columns, placed as such (the identities over both pages decide), so the whole table is read."""
    _assert_reads_every_cell("2019-33-dashes-pdf_pdftotext.txt", "机构\n益组织\n务机构\n0\n0\n0\n\n其他\n1\n")


def test_raw_pdftotext_a_count_wrapped_in_its_narrow_cell_is_joined_where_the_identities_confirm_it():
    """Raw pdftotext of a landscape PDF with narrow cells (seed 33, blank cells printed ``/``, kept in
    tests/corpus/converters): table 三's total 154 of 一、本年新收政府信息公开申请数量 wraps in its cell and
    poppler prints it as ``15`` / ``4``, two numbers on lines of their own, so no reading of the stream as
    printed holds (the table was left unread whole). Read again with that pair joined, the row's total
    (87 + 2 + 9 + 56 = 154) confirms it and every other choice of joins reads nothing the identities
    confirm: every cell of table 三 is read right, none silently wrong."""
    path = REPRODUCERS / "2021-33-dashes-pdf-varied_pdftotext.txt"
    assert "\n56\n\n15\n4\n\n0\n" in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    keys = [k for k in truth if k.startswith("requests.")]
    wrong = [k for k in keys if report.cells[k] != truth[k]]
    assert not wrong, wrong_lines(report, truth, wrong)
    assert report.cells["requests.new.total"] == 154
    result = score(report, truth)
    assert not result.silent, wrong_lines(report, truth, result.silent)


def test_raw_pdftotext_a_tall_first_row_printed_under_its_headers_after_the_page_is_put_first():
    """Raw pdftotext of a 2019 PDF of large counts (seed 22, kept in tests/corpus/converters): table 三's
    first row is tall (counts wrapped in their cells), and poppler prints its cells stacked under their
    headers — ``商业企`` / ``业`` / ``74,666``, ``科研 社会公 法律服`` / … / ``0`` / ``9,081`` / ``1,009`` —
    after the page's other rows. Those flows put back first, in the columns' order, the page reads row
    after row: its rows are read right (the table was left unread whole), and no cell is wrong unnamed."""
    rows = ("requests.new.", "requests.granted.", "requests.partial.", "requests.withheld_state_secret.",
            "requests.withheld_third_party.", "requests.withheld_internal.", "requests.withheld_enforcement.",
            "requests.unable_needs_creation.", "requests.declined_petition.")
    truth = _assert_reads_rows("2019-22-thousands-pdf_pdftotext.txt", "开\n\n商业企\n业\n74,666\n\n申请人情况\n", rows)
    assert truth["requests.new.commercial"] == 74666


def test_counts_wrapped_inside_a_thousands_group_are_read_whole():
    """pypdf's extract_text of a report of large counts (kept in tests/corpus/converters): a count too wide
    for its narrow cell wraps inside its last thousands group and the copy prints both parts apart
    (``285,5 47`` … ``382,41 1``). No count prints two digits after its comma: the parts are one number
    (285,547; 382,411), not 2855 and 47 — the rows read exactly."""
    truth = _assert_reads_rows("2021-22-thousands-pdf_pypdf.txt",
                               "一、本年新收政府信息公开申请数量 285,5 47 1,009 1,009 93,837 1,009 0 382,41 1\n",
                               ("requests.new.", "requests.granted.", "requests.total."))
    assert truth["requests.new.natural_person"] == 285547 and truth["requests.new.total"] == 382411


def test_pdfplumber_counts_wrapped_inside_a_thousands_group_are_joined_and_placed_by_the_identities():
    """pdfplumber's extract_text of a report of large counts (kept in tests/corpus/converters): a count too
    wide for its narrow cell wraps inside its last thousands group, and, vertically centred, prints its
    head on a line of single-spaced heads above the row's line and its tail on the line below
    (``285,5 382,41`` / ``一、本年新收…数量 1,009 1,009 93,837 1,009 0`` / ``47 1``). Joined head to tail
    (285,547; 382,411); where among the row's cells each joined count stands the copy does not say, so
    the row is placed by the one interleaving the table's identities confirm (一 + 二 = 七 + 四 in every
    column, the outcomes adding up to 七), and named ``parse.alignment_inferred``."""
    path = REPRODUCERS / "2021-22-thousands-pdf_pdfplumber.txt"
    rows = ("requests.new.", "requests.granted.", "requests.withheld_internal.", "requests.declined_duplicate.",
            "requests.total.")
    truth = _assert_reads_rows(path.name, "285,5 382,41\n一、本年新收政府信息公开申请数量 1,009 1,009 93,837 1,009 0\n47 1\n",
                               rows)
    assert truth["requests.new.natural_person"] == 285547 and truth["requests.new.total"] == 382411
    report = _read(path)
    inferred = {k for f in report.findings if f.rule == "parse.alignment_inferred" for k in f.cells}
    assert {k for k in truth if k.startswith(rows)} <= inferred
    result = score(report, truth)
    assert not result.silent, wrong_lines(report, truth, result.silent)


def test_pdfplumber_counts_wrapped_on_a_wrapped_label_s_lines_are_joined_never_guessed():
    """pdfplumber's extract_text of a landscape PDF of large counts in narrow cells (kept in
    tests/corpus/converters): a row's label wraps too, and its counts wrapped inside a thousands group
    print their heads after the label's head, the cells that did not wrap on a line of their own, the
    tails after the label's tail (``一、本年新收政府信息公开申 8,07 9,08 86,7 66,5 170,`` / ``0 0`` /
    ``请数量 2 1 74 94 521``). The table was left unread as printed by columns; the heads and tails are
    joined, the row's cells placed by the interleavings the identities leave, and where more than one
    is left (the report's own identities broken, or two columns' values that may swap), the row is
    named ``parse.alignment_ambiguous`` — never a cell wrong and unnamed."""
    path = REPRODUCERS / "2019-31-thousands-pdf-varied_pdfplumber.txt"
    truth = _assert_reads_rows(path.name, "一、本年新收政府信息公开申 8,07 9,08 86,7 66,5 170,\n0 0\n请数量 2 1 74 94 521\n",
                               ("requests.new.", "requests.carried_over.", "requests.total.", "requests.carry_forward."))
    assert truth["requests.new.total"] == 170521 and truth["requests.total.total"] == 172539
    report = _read(path)
    assert "parse.table_by_columns" not in {f.rule for f in report.findings}
    result = score(report, truth)
    assert not result.silent and not result.blank_only, wrong_lines(report, truth, result.silent + result.blank_only)
    assert len(result.wrong) <= 20, wrong_lines(report, truth, result.wrong)


def test_pypdf_counts_wrapped_one_under_another_are_read_on_their_row_s_line():
    """pypdf's extract_text of a landscape PDF of large counts in narrow cells (kept in
    tests/corpus/converters): a row's counts wrapped inside their thousands groups print one part a line,
    in order, the last tail on the line of the row's other numbers (``4,03`` / ``6`` / ``1,00`` / ``9`` /
    ``9,08`` / ``1`` / ``27,2`` / ``43 0 0 41,3 69``; ``8,07`` / ``2 0 9,08 1 …``). Each count is joined
    and read on the line of the row's numbers, in order: the rows read exactly, none as 0s by order."""
    truth = _assert_reads_rows("2019-31-thousands-pdf-varied_pypdf.txt",
                               "4,03\n6\n1,00\n9\n9,08\n1\n27,2\n43 0 0 41,3 69\n",
                               ("requests.new.", "requests.withheld_process.", "requests.unable_needs_creation.",
                                "requests.unable_unclear.", "requests.total."))
    assert truth["requests.withheld_process.total"] == 41369 and truth["requests.new.natural_person"] == 8072


def test_pdfplumber_counts_wrapped_with_no_thousands_comma_are_joined_where_the_identities_confirm():
    """pdfplumber's extract_text of a PDF whose narrow cells wrap three-digit counts (kept in
    tests/corpus/converters): centred, a count prints its head on the line above the row's numbers and
    its tail on the line below (``…申请数 65 67`` / ``0 0 12 8 0`` / ``量 3 3``; ``65 67`` / ``（七）总计 0
    0 12 8 0`` / ``3 3``; ``果 52 52`` / ``…4.保护第三方合法权益 0 0 0 0 0`` / ``6 6``), single-spaced, no
    offset to pair them by. Short heads (not 0), as many tails two lines down, no row label of their own
    on the lines around: joined (653, 673; 526), placed by the interleaving the identities confirm."""
    truth = _assert_reads_rows("2021-21-dashes-pdf-varied_pdfplumber.txt",
                               "一、本年新收政府信息公开申请数 65 67\n0 0 12 8 0\n量 3 3\n",
                               ("requests.new.", "requests.withheld_third_party.", "requests.total."))
    assert truth["requests.new.research"] == 653 and truth["requests.withheld_third_party.total"] == 526
    _assert_reads_every_cell("2021-21-dashes-pdf-varied_pdfplumber.txt", "65 67\n（七）总计 0 0 12 8 0\n3 3\n")


def test_pypdf_three_digit_counts_wrapped_beside_their_tails_are_joined_where_the_identities_confirm():
    """pypdf's extract_text of the same PDF (kept in tests/corpus/converters) prints a wrapped count's
    head and tail side by side, in order, among the row's cells (``一、…申请数`` / ``量 0 0 65 3 12 8 0 67
    3``: nine numbers for seven cells). Every way of reading two pairs of neighbours as one count each
    is tried; the identities leave one (653, 673), not the first seven numbers as printed."""
    truth = _assert_reads_rows("2021-21-dashes-pdf-varied_pypdf.txt", "量 0 0 65 3 12 8 0 67 3\n",
                               ("requests.new.", "requests.withheld_third_party.", "requests.total."))
    assert truth["requests.new.total"] == 673
    report = _read(REPRODUCERS / "2021-21-dashes-pdf-varied_pypdf.txt")
    assert "parse.extra_values" not in {f.rule for f in report.findings}


def test_pdf_text_rows_of_zeros_short_of_a_blank_read_each_cell_as_most_placements_give_it():
    """pypdf's extract_text of a report of zeros (kept in tests/corpus/converters) prints a row with one
    blank cell as its other cells' 0s (``3.补正后申请内容仍不明确 0 0 0 0 0 0`` for seven cells, ``规章 0 0``
    for three): which cell is blank no identity says. Each cell is read as most placements give it, 0,
    so only the blank cell is wrong (read as 0, not two cells: a 0 read as blank and the blank as 0);
    the row's cells, all 0 or blank in some placement, are named ``parse.zero_or_blank``, not
    ``parse.alignment_ambiguous``."""
    path = REPRODUCERS / "2021-23-zeros-pdf_pypdf.txt"
    text = path.read_text(encoding="utf-8")
    assert "3.补正后申请内容仍不明确 0 0 0 0 0 0\n" in text and "规章 0 0\n" in text
    truth = _truth_of(path)["cells"]
    report = _read(path)
    result = score(report, truth)
    named = {k for f in report.findings if f.rule == "parse.zero_or_blank" for k in f.cells}
    rows = ("disclosure.regulations.", "disclosure.normative_docs.", "requests.partial.",
            "requests.unable_unclear.", "requests.declined_petition.")
    blank = {k for k in truth if k.startswith(rows) and truth[k] is None}
    assert len(blank) == len(rows)  # one blank cell a row, read as 0 and named
    assert set(result.wrong) == blank, wrong_lines(report, truth, result.wrong)
    assert all(report.cells[k] == 0 for k in blank)
    assert {k for k in truth if k.startswith(rows)} == named
    ambiguous = {k for f in report.findings if f.rule == "parse.alignment_ambiguous" for k in f.cells}
    assert not ambiguous & named


def test_markitdown_grid_rows_of_zeros_short_of_a_blank_read_each_cell_as_most_placements_give_it():
    """markitdown on a browser's PDF of a report of zeros (kept in tests/corpus/converters): a row whose
    grid cells holding two or three columns print one 0 fewer (``| 0 0 | 0 0 | 0 0   |`` under ``| 0 0 |
    0 0 | 0 0 0 |``) leaves three placements of its blank cell (the last grid cell's three columns): each
    is 0 in two of them, so all are read as 0 and named ``parse.zero_or_blank`` — the blank one wrong,
    not two. Where two placements are left (``| 0 |`` for two columns), each cell is 0 in one: the first
    placement is read (a converter's number stands in the first of the grid cell's columns about twice
    as often), the two cells named."""
    path = REPRODUCERS / "2021-23-zeros-pdf-chromium_markitdown.md"
    assert "| 3.补正后申请内容仍不明确  | 0 0 | 0 0 | 0 0   |" in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    result = score(report, truth)
    named = {k for f in report.findings if f.rule == "parse.zero_or_blank" for k in f.cells}
    row = [k for k in truth if k.startswith("requests.unable_unclear.")]
    assert [report.cells[k] for k in row] == [0] * len(row)
    assert [k for k in row if k in result.wrong] == ["requests.unable_unclear.other_org"]
    assert {"requests.unable_unclear.legal_service", "requests.unable_unclear.other_org",
            "requests.unable_unclear.total"} == {k for k in row if k in named}
    for prefix in ("requests.partial.", "requests.declined_petition."):  # two placements: the first, named
        cells = [k for k in truth if k.startswith(prefix)]
        assert len(set(cells) & named) == 2
        assert {k for k in result.wrong if k.startswith(prefix)} <= named, wrong_lines(report, truth, cells)
    assert not result.silent


def test_pypdf_row_of_zeros_whose_blank_the_identities_place_names_the_cells_they_placed():
    """pypdf on a PDF of large counts (kept in tests/corpus/converters): ``（六）其他处理 0 0 0 0 0 0``
    prints six 0s for seven cells. The identities leave the blank in two places, so those two cells are
    named ``parse.zero_or_blank``; the other five they call 0 — but they test columns whose other cells
    were themselves misread (a blank read as 0 in rows above), and the blank in fact stands among those
    five. So the cells the identities alone placed are named too (``parse.alignment_inferred``)."""
    path = REPRODUCERS / "2019-43-thousands-pdf_pypdf.txt"
    assert "（六）其他处理 0 0 0 0 0 0\n" in path.read_text(encoding="utf-8")
    truth = _truth_of(path)["cells"]
    report = _read(path)
    row = [k for k in truth if k.startswith("requests.other.")]
    by_rule = {rule: {k for f in report.findings if f.rule == rule for k in f.cells}
               for rule in ("parse.zero_or_blank", "parse.alignment_inferred")}
    assert by_rule["parse.zero_or_blank"] & set(row) and by_rule["parse.alignment_inferred"] & set(row)
    assert set(row) <= by_rule["parse.zero_or_blank"] | by_rule["parse.alignment_inferred"]
    assert truth["requests.other.other_org"] is None and "requests.other.other_org" in by_rule["parse.alignment_inferred"]


def test_inscriptis_copy_of_a_portal_page_printing_a_dash_with_its_unit():
    """inscriptis on a portal's page whose template appends the unit to every cell, the blank one too
    (``行政处罚  9件  -件  0件``): ``-件`` is a blank cell like ``-``, and the row is read, not missing."""
    _assert_reads_every_cell("2019-42-dashes-html-cms_inscriptis.txt", "-件")


def test_pdftotext_layout_copy_of_a_count_wrapped_with_its_head_and_tail_alone_on_their_lines():
    """pdftotext -layout on a PDF of large counts: the total 28,359 wraps in its narrow cell, and its
    head and tail each stand alone on the lines above and below the row (``28,35`` / ``一、本年新收… 11,508
    … 0`` / ``9``): a number alone on a space-aligned line keeps its offset, so the two are joined."""
    truth = _assert_reads_rows("2019-43-thousands-pdf_pdftotext-layout.txt", "28,35\n", ("requests.new.",))
    assert truth["requests.new.total"] == 28359


def test_pdf2txt_copy_of_columns_holding_wrapped_counts():
    """pdf2txt on a PDF of large counts: table 三 printed column by column, a wrapped count
    (``240,45`` / ``8``) makes its column's lines taller, so the column prints two rows the full columns
    print apart as one run (``251`` / ``112,699``): its runs are the full columns' runs with neighbours
    joined, and the page's part is read."""
    truth = _assert_reads_rows("2021-31-thousands-pdf_pdf2txt.txt", "240,45\n8\n\n251\n112,69\n9\n",
                               ("requests.new.", "requests.carried_over.", "requests.granted.", "requests.partial.",
                                "requests.withheld_"))
    assert truth["requests.new.social_welfare"] == 240458
