"""Section 二 (the disclosure table, which no identity tests) read by the labels printed before each run
of numbers (``parse/labelruns.py``), as pdftotext without ``-layout`` and pdf2txt.py print it."""

from __future__ import annotations

from dataclasses import dataclass

from gknb.formats import FORMATS
from gknb.ingest import read_document
from gknb.parse import labelruns
from gknb.parse.labels import label_index
from gknb.parse.tokens import Token, tokenize


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
    # A negative number cannot be a count: 2019's 上一年项目数量 | 本年增/减 | 处理决定数量 then 8 -1 2 7 0 1
    # is read row after row (a column at a time would put −1 into 上一年项目数量); 5 0 2 13 0 1 fits both.
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
    assert {"disclosure.punishment.change", "disclosure.coercion.prev_items"} <= set(result.unsure)
    assert got["disclosure.punishment.prev_items"] == 5 and got["disclosure.coercion.decisions"] == 1
