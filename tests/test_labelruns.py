"""Section 二 (the disclosure table, which no identity tests) read by the labels printed before each run
of numbers (``parse/labelruns.py``), as pdftotext without ``-layout`` and pdf2txt.py print it: token
streams written out, and copies made by the real converters from the project's rendered official-layout
PDFs and from the real WPS PDF (tests/corpus/real/hongze2023.pdf). Every cell is right, or unread and
named."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

import gknb
from converters import CONVERTERS, convert, convert_file, make_originals, wrong_lines
from gknb.formats import FORMATS
from gknb.ingest import read_document
from gknb.parse import labelruns
from gknb.parse.labels import label_index
from gknb.parse.tokens import Token, tokenize
from layouts import same_value


@dataclass
class _Read:
    cells: dict[str, Token | None]
    unsure: list[str]


def _in_order(version: str, tokens: list[Token]) -> _Read | None:
    """The table read by its labels' reading order alone."""
    table = FORMATS[version].table("disclosure")
    found = labelruns._in_order(table, tokens, label_index(version, "disclosure"))
    if found is None:
        return None
    filled, doubt = found
    return _Read({k: t for k, t in filled.items() if k not in doubt}, [k for k, *_ in table.cells() if k in doubt])


def test_section_two_is_read_by_the_labels_before_each_run_of_numbers():
    # 2019's official PDF through pdftotext: the first column of every sub-table, then the second …
    text = "\n".join([
        "信息内容", "行政许可", "其他对外管理服务事项", "信息内容", "行政处罚", "行政强制",
        "第二十条第（一）项", "本年新制作数量", "本年新公开数量", "0", "0", "0", "0", "", "对外公开总数量", "0", "6",
        "第二十条第（五）项", "上一年项目数量", "8", "7", "第二十条第（六）项", "上一年项目数量", "5", "13",
        "第二十条第（八）项", "上一年项目数量", "58", "第二十条第（九）项", "采购项目数量", "9",
        "本年增/减", "-1", "0", "处理决定数量", "2", "1", "本年增/减", "0", "0", "处理决定数量", "2", "1",
        "本年增/减", "13", "采购总金额", "0",
    ])
    tokens = tokenize(read_document(text.encode("utf-8"), name="copy.txt"))
    result = _in_order("2019", tokens)
    assert result is not None
    got = {k: None if t is None else t.value for k, t in result.cells.items()}
    assert got["disclosure.licensing.prev_items"] == 8 and got["disclosure.other_services.prev_items"] == 7
    assert got["disclosure.licensing.change"] == -1 and got["disclosure.other_services.change"] == 0
    assert got["disclosure.punishment.decisions"] == 2 and got["disclosure.coercion.decisions"] == 1
    assert got["disclosure.fees.change"] == 13 and got["disclosure.procurement.items"] == 9
    assert got["disclosure.normative_docs.total_published"] == 6
    # One number too many for the labels before it: nothing is read rather than something misplaced.
    tokens = tokenize(read_document(text.replace("\n58\n", "\n58\n4\n").encode("utf-8"), name="copy.txt"))
    assert _in_order("2019", tokens) is None


def test_a_run_after_a_whole_header_row_is_read_only_where_both_orders_agree():
    # 2021's narrow-label PDF through pdftotext: rows one after another, or a column at a time? Either.
    text = "\n".join(["第二十条第（一）项", "信息", "内容", "规章", "行政", "本年制发件数", "本年废止件数", "现行有效件数",
                      "0", "0", "0", "6", "0", "581", "规范", "性文", "件",
                      "第二十条第（五）项", "本年处理决定数量", "2", "第二十条第（六）项", "本年处理决定数量", "8", "0",
                      "第二十条第（八）项", "本年收费金额（单位：万元）", "0"])
    tokens = tokenize(read_document(text.encode("utf-8"), name="copy.txt"))
    result = _in_order("2021", tokens)
    assert result is not None
    assert sorted(result.unsure) == ["disclosure.normative_docs.made", "disclosure.normative_docs.repealed"]
    got = {k: t.value for k, t in result.cells.items()}
    assert got["disclosure.normative_docs.in_force"] == 581 and got["disclosure.regulations.made"] == 0
    assert got["disclosure.punishment.decisions"] == 8 and got["disclosure.coercion.decisions"] == 0
    # The same numbers as the copy printed them, an empty line between its blocks: a block is a rectangle
    # of cells printed line by line, so 0 0 | 0 6 | 0 581 (three blocks of two) are columns, not rows.
    text = text.replace("\n0\n6\n0\n581\n", "\n\n0\n6\n\n0\n581\n").replace("件数\n0\n0\n", "件数\n\n0\n0\n")
    result = _in_order("2021", tokenize(read_document(text.encode("utf-8"), name="copy.txt")))
    assert result is not None and not result.unsure
    got = {k: t.value for k, t in result.cells.items()}
    assert [got[f"disclosure.{row}.{col}"] for row in ("regulations", "normative_docs")
            for col in ("made", "repealed", "in_force")] == [0, 0, 0, 0, 6, 581]
    # One block of four under two column labels is read line by line: rows one after another.
    text = "\n".join(["第二十条第（一）项", "本年制发件数", "本年废止件数", "0", "0", "969", "0", "", "现行有效件数", "0", "978",
                      "第二十条第（五）项", "本年处理决定数量", "95", "第二十条第（六）项", "本年处理决定数量", "42", "1",
                      "第二十条第（八）项", "本年收费金额（单位：万元）", "90.3"])
    result = _in_order("2021", tokenize(read_document(text.encode("utf-8"), name="copy.txt")))
    assert result is not None and not result.unsure
    got = {k: t.value for k, t in result.cells.items()}
    assert got["disclosure.normative_docs.made"] == 969 and got["disclosure.regulations.repealed"] == 0


def test_a_run_that_fits_both_orders_takes_the_order_of_a_run_of_its_shape_that_did_not():
    # A negative number cannot be a count: 2019's 上一年项目数量 | 本年增/减 | 处理决定数量 then 8 -1 2 7 0 1
    # is read row after row (a column at a time would put −1 into 上一年项目数量); 5 0 2 13 0 1 fits both,
    # and the copy printed it as it printed the sub-table of the same shape before: row after row.
    text = "\n".join(["第二十条第（一）项", "信息", "内容", "规章", "本年新制作数量", "本年新公开数量", "对外公开总数量",
                      "0", "0", "0", "规范", "性文", "件", "0", "0", "6",
                      "第二十条第（五）项", "行政", "许可", "其他", "对外", "管理", "服务", "事项",
                      "上一年项目数量", "本年增/减", "处理决定数量", "8", "-1", "2", "7", "0", "1",
                      "第二十条第（六）项", "行政", "处罚", "行政", "强制",
                      "上一年项目数量", "本年增/减", "处理决定数量", "5", "0", "2", "13", "0", "1",
                      "第二十条第（八）项", "上一年项目数量", "本年增/减", "58", "13",
                      "第二十条第（九）项", "采购项目数量", "采购总金额", "9", "0"])
    tokens = tokenize(read_document(text.encode("utf-8"), name="copy.txt"))
    result = _in_order("2019", tokens)
    assert result is not None
    got = {k: t.value for k, t in result.cells.items()}
    assert [got[f"disclosure.{row}.{col}"] for row in ("licensing", "other_services")
            for col in ("prev_items", "change", "decisions")] == [8, -1, 2, 7, 0, 1]
    assert got["disclosure.normative_docs.total_published"] == 6 and got["disclosure.fees.change"] == 13
    assert [got[f"disclosure.{row}.{col}"] for row in ("punishment", "coercion")
            for col in ("prev_items", "change", "decisions")] == [5, 0, 2, 13, 0, 1]
    # Without the −1 no run decides its order: both sub-tables' cells the two orders disagree on stay unread.
    result = _in_order("2019", tokenize(read_document(text.replace("\n-1\n", "\n1\n").encode("utf-8"), name="copy.txt")))
    assert result is not None
    assert {"disclosure.licensing.change", "disclosure.other_services.prev_items", "disclosure.punishment.change",
            "disclosure.coercion.prev_items"} <= set(result.unsure)


# ------------------------------------------------------------------ real converters' copies

PDFTOTEXT = next(c for c in CONVERTERS if c.name == "pdftotext")
PDF2TXT = next(c for c in CONVERTERS if c.name == "pdf2txt")
REAL = Path(__file__).parent / "corpus" / "real"


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[tuple[str, int, str, str], tuple]:
    """(version, seed, medium, converter) → (original, report) for rendered PDFs (the official layout, the
    narrow label column, an agency's own Word file's PDF) read by gknb through pdftotext (without -layout) and pdf2txt.py."""
    folder = tmp_path_factory.mktemp("labelruns")
    out = {}
    for version, seed, medium, converters in (("2021", 1, "pdf", (PDFTOTEXT,)), ("2019", 1, "pdf", (PDFTOTEXT, PDF2TXT)),
                                              ("2019", 3, "pdf", (PDFTOTEXT,)), ("2021", 2, "pdf", (PDFTOTEXT,)),
                                              ("2019", 1, "pdf-narrow", (PDFTOTEXT, PDF2TXT)),
                                              ("2019", 1, "pdf-varied", (PDFTOTEXT,)), ("2021", 1, "pdf-varied", (PDFTOTEXT,))):
        (original,) = make_originals(folder.parent / "originals", [seed], media=(medium,), versions=(version,))
        for converter in converters:
            copy = convert(original, converter, folder.parent / "copies")
            out[(version, seed, medium, converter.name)] = (original, gknb.read(copy))
    return out


def _disclosure(original) -> list[str]:
    return [k for k in original.truth if k.startswith("disclosure.")]


def _named(report, key: str) -> set[str]:
    return {f.rule for f in report.findings if key in f.cells}


def _right_or_named_unread(report, truth, keys) -> list[str]:
    """The keys read right; asserts every other one is unread and named by parse.table_by_columns."""
    right = []
    for key in keys:
        if same_value(report.cells[key], truth[key]):
            right.append(key)
        else:
            assert report.cells[key] is None, wrong_lines(report, truth, [key])
            assert "parse.table_by_columns" in _named(report, key), wrong_lines(report, truth, [key])
    return right


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_official_pdf_through_pdftotext_reads_every_cell_of_section_two(copies, version):
    # 2021: 本年制发件数 | 本年废止件数 | 0 0 0 18 — two columns of two rows, in either order the same
    # numbers; 2019: 本年增/减 | -1 0 without a caption, in the first sub-table with that column still open.
    original, report = copies[(version, 1, "pdf", "pdftotext")]
    for key in _disclosure(original):
        assert same_value(report.cells[key], original.truth[key]), wrong_lines(report, original.truth, [key])
        assert "parse.reading_order" in _named(report, key)


def test_one_block_under_two_column_labels_is_read_line_by_line(copies):
    # 2021 seed 2 through pdftotext: 本年制发件数 | 本年废止件数 | 0 0 969 0 with no empty line between them
    # is one block, its lines top to bottom: 规章 0 0, 行政规范性文件 969 0 (a column at a time would put
    # the 969 into 规章's 本年废止件数).
    original, report = copies[("2021", 2, "pdf", "pdftotext")]
    assert original.truth["disclosure.normative_docs.made"] == 969
    for key in _disclosure(original):
        assert same_value(report.cells[key], original.truth[key]), wrong_lines(report, original.truth, [key])
        assert "parse.reading_order" in _named(report, key)


@pytest.mark.parametrize("converter", ["pdftotext", "pdf2txt"])
def test_narrow_label_pdf_sub_tables_of_one_shape_are_read_in_one_order(copies, converter):
    # 2019 seed 1, narrow label column: 上一年项目数量 | 本年增/减 | 处理决定数量, each number a block of its
    # own: （五）'s 8 -1 2 7 0 1 (pdftotext) or 8 7 -1 0 2 1 (pdf2txt) fits one order only (−1 is no count),
    # and （六）'s six numbers, which fit both, are read in that order too.
    original, report = copies[("2019", 1, "pdf-narrow", converter)]
    assert original.truth["disclosure.licensing.change"] == -1
    for key in _disclosure(original):
        assert same_value(report.cells[key], original.truth[key]), wrong_lines(report, original.truth, [key])


def test_a_row_label_among_column_runs_takes_the_column_in_hand(copies):
    # 2019 seed 3 through pdftotext: 第二十条第（六）项 | 上一年项目数量 | 行政处罚 | 3 | 行政强制 | 59: each
    # row's number is its 上一年项目数量; the run that lost a blank cell (本年增/减 | 处理决定数量 | 0 -42 0)
    # is left unread and named.
    original, report = copies[("2019", 3, "pdf", "pdftotext")]
    right = _right_or_named_unread(report, original.truth, _disclosure(original))
    assert {"disclosure.punishment.prev_items", "disclosure.coercion.prev_items"} <= set(right)
    assert len(right) >= 18


def test_pdf2txt_boxes_under_a_header_box_are_not_taken_in_the_labels_order(copies):
    # 2019 seed 1 through pdf2txt: 本年新制作数量 本年新公开数量 对外公开总数量 (one box) | 0 0 | 0 6 | 0 0:
    # the boxes of numbers come in an order of pdfminer's own (here 新制作, 总数, 新公开): the 规范性文件 row
    # is left unread (read in the labels' order, its 6 would land in 新公开); the runs of 本年增/减 and
    # 处理决定数量 without a caption go to the sub-tables in print order.
    original, report = copies[("2019", 1, "pdf", "pdf2txt")]
    right = _right_or_named_unread(report, original.truth, _disclosure(original))
    assert {"disclosure.licensing.change", "disclosure.punishment.change"} <= set(right)
    assert not any(k.startswith("disclosure.normative_docs.") for k in right)
    assert len(right) == 19


def test_numbers_pdf2txt_prints_after_the_next_caption_end_the_sub_table_before(copies):
    # 2019 seed 1, narrow label column, through pdf2txt: 第二十条第（六）项 | 上一年项目数量 | 本年增/减 |
    # 处理决定数量 | 5 13 0 0 | 第二十条第（八）项 | 2 1 | 上一年项目数量 | 本年增/减 | 58 13: the 2 and 1 printed
    # after （八） and before its labels are （六）'s last numbers (its run is 6 long, not 4 and 2).
    original, report = copies[("2019", 1, "pdf-narrow", "pdf2txt")]
    right = _right_or_named_unread(report, original.truth, _disclosure(original))
    assert {"disclosure.fees.prev_items", "disclosure.fees.change", "disclosure.punishment.prev_items",
            "disclosure.coercion.decisions", "disclosure.licensing.change"} <= set(right)
    assert len(right) >= 18


def test_column_labels_wrapped_inside_their_cells_are_read_whole(copies):
    # 2019 seed 1, an agency's own Word file's PDF through pdftotext: the header row's first lines side by
    # side and the wrapped tails after them (本年新制作数 本年新公开数 对外公开总数 | 量 | 量 | 量; 上一年项目数 |
    # 本年增/减 | 处理决定数量 | 量): the labels spelt by those pieces are the run's columns.
    original, report = copies[("2019", 1, "pdf-varied", "pdftotext")]
    for key in _disclosure(original):
        assert same_value(report.cells[key], original.truth[key]), wrong_lines(report, original.truth, [key])
        assert "parse.reading_order" in _named(report, key)


def test_a_header_printed_again_on_the_next_page_is_passed_over(copies):
    # 2021 seed 1, an agency's own Word file's PDF through pdftotext: 第二十条第（一）项 | 本年制发件数 |
    # 本年废止件数 (the first sub-table's header repeated on page 2, its cells all read) | 第二十条第（五）项 |
    # 本年处理决定数量 | 现行有效件数 | 8: the 8 is 行政许可's, not a 现行有效件数.
    original, report = copies[("2021", 1, "pdf-varied", "pdftotext")]
    for key in _disclosure(original):
        assert same_value(report.cells[key], original.truth[key]), wrong_lines(report, original.truth, [key])
        assert "parse.reading_order" in _named(report, key)


def test_wrapped_pieces_that_spell_no_column_labels_are_left_alone():
    # The same stretch of header text with one piece too many (量 four times) spells no set of column
    # labels: the labels are not rejoined, and the run under them is not read by them.
    table = FORMATS["2019"].table("disclosure")
    index = label_index("2019", "disclosure")
    def rejoined(lines: list[str]) -> list[str]:
        tokens = tokenize(read_document("\n".join(lines).encode("utf-8"), name="copy.txt"))
        return [t.text for t in labelruns._headers_rejoined(table, tokens, index) if t.kind == "text"]
    head = ["第二十条第（一）项", "本年新制作数 本年新公开数 对外公开总数", "量", "量", "量", "0", "0", "6"]
    assert rejoined(head) == ["第二十条第（一）项", "本年新制作数量 本年新公开数量 对外公开总数量"]
    assert rejoined(["第二十条第（五）项", "上一年项目数", "本年增/减", "处理决定数量", "量", "8"]) == [
        "第二十条第（五）项", "上一年项目数量", "本年增/减", "处理决定数量"]
    odd = [*head[:5], "量", *head[5:]]
    assert rejoined(odd) == [t for t in odd if not t.isdigit()]


def test_a_run_that_lost_a_blank_reads_the_cells_every_place_of_the_blank_agrees_on():
    # 本年增/减 | 处理决定数量 | 0 -42 0 under 行政处罚 and 行政强制 (four cells, one blank dropped): in every
    # order and place of the blank that puts no negative number into a count, 行政强制's 本年增/减 is −42;
    # the other three cells stay unread.
    text = "\n".join(["第二十条第（六）项", "上一年项目数量", "行政处罚", "3", "行政强制", "59",
                      "第二十条第（一）项", "本年新制作数量", "本年新公开数量", "对外公开总数量", "0", "0", "0", "0", "0", "6",
                      "第二十条第（五）项", "上一年项目数量", "本年增/减", "处理决定数量", "8", "-1", "2", "7", "0", "1",
                      "第二十条第（六）项", "本年增/减", "处理决定数量", "0", "-42", "0",
                      "第二十条第（八）项", "上一年项目数量", "本年增/减", "58", "13",
                      "第二十条第（九）项", "采购项目数量", "采购总金额", "9", "0"])
    result = _in_order("2019", tokenize(read_document(text.encode("utf-8"), name="copy.txt")))
    assert result is not None
    assert result.cells["disclosure.coercion.change"].value == -42
    assert {"disclosure.punishment.change", "disclosure.punishment.decisions",
            "disclosure.coercion.decisions"} <= set(result.unsure)


def test_a_run_under_its_row_labels_short_of_a_blank_leaves_only_its_own_cells_open():
    # 2019 seed 3, its web page printed by chromium, through pdf2txt (as printed): （六）'s header before
    # its caption, then 行政处罚 | 行政强制 | 3 59 -42 0 0 — two rows' six cells, 行政处罚's 本年增/减 blank
    # and dropped. Where the blank stands no label says: that run's cells stay open where the places of
    # the blank disagree, and the rest of the table is read.
    text = "\n".join(["第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量", "规章",
                      "规范性文件", "0", "0", "0", "0", "第二十条第（五）项", "0", "0", "信息内容", "上一年项目数量",
                      "本年增/减", "处理决定数量", "行政许可", "其他对外管理服务事项", "2", "0", "0", "4", "0", "9",
                      "信息内容", "上一年项目数量", "本年增/减", "处理决定数量", "第二十条第（六）项", "行政处罚", "行政强制",
                      "3", "59", "-42", "第二十条第（八）项", "0", "0", "信息内容", "上一年项目数量", "行政事业性收费",
                      "143", "第二十条第（九）项", "信息内容", "采购项目数量", "政府集中采购", "0", "本年增/减", "-77",
                      "采购总金额", "124.7281"])
    result = _in_order("2019", tokenize(read_document(text.encode("utf-8"), name="copy.txt")))
    assert result is not None
    got = _values(result)
    assert got["fees.prev_items"] == 143 and got["fees.change"] == -77 and got["procurement.items"] == 0
    assert got["procurement.amount"] == Decimal("124.7281")
    assert {k for k in got if k.startswith(("regulations.", "normative_docs."))} == {
        f"{row}.{c}" for row in ("regulations", "normative_docs") for c in ("new_made", "new_published", "total_published")}
    assert all(v == 0 for k, v in got.items() if k.startswith(("regulations.", "normative_docs.")))
    truth = {"punishment.prev_items": 3, "punishment.change": None, "punishment.decisions": 0,
             "coercion.prev_items": 59, "coercion.change": -42, "coercion.decisions": 0}
    assert all(got[k] == truth[k] for k in truth if k in got)
    assert f"disclosure.{next(iter(truth))}" in result.unsure


def _values(result: _Read) -> dict[str, object]:
    return {k[len("disclosure."):]: None if t is None else t.value for k, t in result.cells.items()}


def test_a_page_break_inside_the_first_sub_table_and_a_column_over_two_sub_tables():
    # 2021 seed 3, an agency's own Word file's PDF through pdftotext (as printed): page 1 ends under the
    # first sub-table's two columns and （五）'s header; its 现行有效件数 follows the folio (0 581: that column
    # only, not one number for 本年处理决定数量 and one for 现行有效件数); page 2 repeats the first header
    # and prints 2 8 0 under （六）'s 本年处理决定数量: 行政许可's, then 行政处罚's and 行政强制's.
    text = "|".join(["二、主动公开政府信息情况", "信息内容", "", "规章", "行政规范性文件", "", "信息内容", "",
                     "第二十条第（一）项", "本年制发件数", "本年废止件数", "0", "0", "0", "6", "第二十条第（五）项",
                     "本年处理决定数量", "", "第1页共4页", "", "现行有效件数", "", "0", "581", "", "信息内容", "行政许可",
                     "信息内容", "行政处罚", "行政强制", "信息内容", "行政事业性收费", "", "第二十条第（一）项",
                     "本年制发件数", "本年废止件数", "", "现行有效件数", "", "第二十条第（六）项", "本年处理决定数量", "",
                     "2", "8", "0", "", "第二十条第（八）项", "本年收费金额（单位：万元）", "", "0", ""])
    result = _in_order("2021", tokenize(read_document(text.replace("|", "\n").encode("utf-8"), name="copy.txt")))
    assert result is not None and not result.unsure
    assert _values(result) == {
        "regulations.made": 0, "regulations.repealed": 0, "regulations.in_force": 0, "normative_docs.made": 0,
        "normative_docs.repealed": 6, "normative_docs.in_force": 581, "licensing.decisions": 2,
        "punishment.decisions": 8, "coercion.decisions": 0, "fees.amount": 0}


def test_the_next_sub_tables_row_label_before_the_numbers_above_it():
    # 2021 seed 3, the web page printed by chromium, through pdf2txt: 规章 | 行政规范性文件 | 信息内容 | 行政许可 |
    # 0 0 0 6 0 581: six numbers, exactly the first sub-table's two rows (行政许可's 2 comes after （五）).
    text = "\n\n".join(["二、主动公开政府信息情况", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
                        "第二十条第（一）项", "规章", "行政规范性文件", "信息内容", "行政许可", "0", "0", "0", "6", "0",
                        "581", "第二十条第（五）项", "本年处理决定数量", "2", "第二十条第（六）项", "信息内容",
                        "本年处理决定数量", "行政处罚", "行政强制", "信息内容", "行政事业性收费", "8", "0",
                        "第二十条第（八）项", "本年收费金额（单位：万元）", "0"])
    result = _in_order("2021", tokenize(read_document(text.encode("utf-8"), name="copy.txt")))
    assert result is not None
    got = _values(result)
    assert got["licensing.decisions"] == 2 and got["punishment.decisions"] == 8 and got["fees.amount"] == 0
    assert got["regulations.in_force"] == 0
    # each number a block of its own: which of 行政规范性文件's cells holds 6 and which 0, no label says
    assert {"disclosure.normative_docs.made", "disclosure.normative_docs.repealed"} <= set(result.unsure)


def test_the_real_wps_pdf_through_pdf2txt_reads_section_two_by_its_labels(tmp_path):
    # pdf2txt prints 本年制发件数 本年废止件数 现行有效件数 | 规章 | 行政规范性文件 | 0 0 0 5 0 5 (a column at a
    # time) and 行政处罚 | 行政强制 | 4119 | 195: the table is read by its labels, not row by row (which put
    # 6 numbers after 行政规范性文件 and 2 after 行政强制); the cells the two orders disagree on are unread.
    copy = convert_file(REAL / "hongze2023.pdf", PDF2TXT, tmp_path)
    truth = json.loads((REAL / "hongze2023.truth.json").read_text(encoding="utf-8"), parse_float=Decimal)["cells"]
    report = gknb.read(copy)
    keys = [k for k in truth if k.startswith("disclosure.")]
    right = _right_or_named_unread(report, truth, keys)
    assert set(keys) - set(right) == {"disclosure.normative_docs.made", "disclosure.normative_docs.repealed"}
    assert not any(f.rule == "parse.extra_values" and any(k in keys for k in f.cells) for f in report.findings)
