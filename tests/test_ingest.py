"""Ingest: real reports (text, pipe and tab layouts, 繁体, pinyin), HTML grids, encodings, errors."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from gknb.document import Document, Line, TableBlock
from gknb.errors import UnreadableFile, UnsupportedFormat
from gknb.ingest import MAX_BYTES, read_document
from gknb.ingest.normalize import NOTE_PINYIN, NOTE_TRADITIONAL

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "gknb" / "samples"
CORPUS = ROOT / "tests" / "corpus"
SEED_000 = SAMPLES / "000_a5586f6eb40696d9.txt"
SEED_002 = SAMPLES / "002_295e3622999d89af.txt"
SEED_003 = SAMPLES / "003_ef34a76a822e6c07.txt"
TEXT_FILES = sorted(SAMPLES.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))


def tables(document: Document) -> list[TableBlock]:
    return [block for block in document.blocks if isinstance(block, TableBlock)]


def lines(document: Document) -> list[Line]:
    return [block for block in document.blocks if isinstance(block, Line)]


def texts(table: TableBlock) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def row_at(table: TableBlock, line: int) -> list[str]:
    return next([cell.text for cell in row] for row in table.rows if row[0].where.line == line)


def source_lines(path: Path) -> list[str]:
    """The file's lines as ingest keeps them (no-break and ideographic spaces become spaces)."""
    text = path.read_text(encoding="utf-8").replace("\xa0", " ").replace("\u3000", " ")
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n")


# ---------------------------------------------------------------- text files


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: p.name)
def test_every_text_file_reads_and_accounts_for_every_line(path: Path) -> None:
    document = read_document(path)
    raw = path.read_bytes()
    assert document.source.path == str(path)
    assert document.source.sha256 == hashlib.sha256(raw).hexdigest()
    assert document.source.format == "txt"
    assert document.source.encoding == "utf-8"
    assert document.source.size == len(raw)
    printed = source_lines(path)
    seen: list[int] = []
    for block in document.blocks:
        if isinstance(block, Line):
            seen.append(block.where.line)
            if not document.notes:  # untouched text: the line exactly as printed
                assert block.text == printed[block.where.line - 1]
        else:
            rows = [row[0].where.line for row in block.rows]
            assert rows == sorted(rows) and rows[0] == block.where.line
            seen.extend(range(block.where.line, rows[-1] + 1))
    # A grid's last closing bars may stand on lines after its last cell: nothing else is dropped.
    dropped = sorted(set(range(1, len(printed) + 1)) - set(seen))
    assert seen == sorted(seen)
    assert all(not printed[n - 1].strip("| \t") for n in dropped), dropped


def test_seed_000_tab_grids_become_tables_with_cells_and_line_numbers() -> None:
    document = read_document(SEED_000)
    disclosure, requests, review = tables(document)
    assert [t.separator for t in (disclosure, requests, review)] == ["tab"] * 3
    assert [t.where.line for t in (disclosure, requests, review)] == [19, 36, 68]
    assert [t.where.table for t in (disclosure, requests, review)] == [0, 1, 2]

    # Section 二: the 第二十条 rows (one label, then tabs) stay inside the grid.
    assert row_at(disclosure, 19) == ["第二十条第（一）项", "", "", ""]
    assert row_at(disclosure, 21) == ["规章", "0", "0", "0"]
    assert row_at(disclosure, 28) == ["行政处罚", "0", "", ""]
    assert disclosure.rows[-1][0].where.line == 32
    regulations = next(row for row in disclosure.rows if row[0].where.line == 21)
    assert [(c.where.line, c.where.col) for c in regulations] == [(21, 0), (21, 1), (21, 2), (21, 3)]

    # Section 三: empty fields kept, the stray blank line 46 inside the grid is not a row.
    assert row_at(requests, 37)[:4] == ["", "", "自然人", "法人或其他组织"]
    assert row_at(requests, 43) == ["", "(三) 不予公开", "1.属于国家秘密"] + ["0"] * 7
    row_lines = [row[0].where.line for row in requests.rows]
    assert 45 in row_lines and 47 in row_lines and 46 not in row_lines
    assert row_lines[-1] == 64
    assert len(row_at(requests, 36)) == 10

    assert row_at(review, 71) == ["0"] * 15
    # Headings around the grids stay lines.
    by_line = {line.where.line: line.text for line in lines(document)}
    assert by_line[17] == "二、主动公开政府信息情况"
    assert by_line[34] == "三、收到和处理政府信息公开申请情况"
    assert by_line[18] == "" and by_line[33] == ""


def test_seed_002_one_cell_per_line_stays_lines_with_blank_and_indented_lines() -> None:
    document = read_document(SEED_002)
    assert not tables(document)
    printed = source_lines(SEED_002)
    assert [line.text for line in document.blocks] == printed
    assert [line.where.line for line in document.blocks] == list(range(1, len(printed) + 1))
    by_line = {line.where.line: line for line in lines(document)}
    assert by_line[27].text == "\t0"  # indentation is not a grid
    assert by_line[52].text == "\t行政强制"
    assert by_line[53].text == "\t" and by_line[53].blank
    assert by_line[25].text == "" and by_line[25].blank


def test_traditional_report_is_converted_to_simplified_once_with_a_note() -> None:
    document = read_document(CORPUS / "032.txt")
    text = document.text()
    assert NOTE_TRADITIONAL in document.notes
    assert "总计" in text and "總計" not in text
    assert lines(document)[0].text == "一、总体情况"
    assert "信息内容" in [cell.text for table in tables(document) for row in table.rows for cell in row]


def test_simplified_report_is_not_converted() -> None:
    document = read_document(SEED_003)
    assert document.notes == []


def test_pinyin_annotations_are_removed() -> None:
    document = read_document(CORPUS / "034.txt")
    text = document.text()
    assert NOTE_PINYIN in document.notes and NOTE_TRADITIONAL in document.notes
    assert "关于统筹疫情防控和经济社会发展" in text
    assert "guān" not in text and "(wù)" not in text


def test_pinyin_removal_leaves_ordinary_brackets_alone() -> None:
    raw = "关(guān)于网站（http://www.gov.cn）、附件(2021)和(PDF)以及统（tǒng）筹。".encode()
    document = read_document(raw)
    assert lines(document)[0].text == "关于网站（http://www.gov.cn）、附件(2021)和(PDF)以及统筹。"
    assert document.notes == [NOTE_PINYIN]


def test_special_spaces_and_zero_width_characters_are_normalised() -> None:
    raw = "\u3000\u3000一、总体\u200b情况\u00a0说明\ufeff\n".encode()
    document = read_document(raw)
    assert [line.text for line in lines(document)] == ["  一、总体情况 说明"]


# ---------------------------------------------------------------- pipe grids


def test_pipe_one_cell_per_line_with_trailing_bar() -> None:
    (section_2, section_3) = tables(read_document(CORPUS / "064.txt"))
    assert section_2.separator == "pipe" and section_2.where.line == 5
    assert texts(section_2)[:6] == [
        ["第二十条 第(一)项"],
        ["", "", ""],
        ["信息内容"],
        ["本年制发件数"],
        ["本年废止件数"],
        ["现行有效件数"],
    ]
    assert [(c.where.line, c.where.col) for c in section_2.rows[1]] == [(6, 0), (6, 1), (6, 2)]
    assert row_at(section_3, 48) == [""] * 8
    assert row_at(section_3, 61) == [""]  # a lone | is one blank cell


def test_pipe_whole_rows_on_one_line() -> None:
    document = read_document(CORPUS / "085.txt")
    section_2, section_3 = tables(document)
    assert row_at(section_2, 4) == ["第二十条第(一)项", "", "", "", ""]
    assert row_at(section_2, 5) == ["信息内容", "本年新制作数量", "本年新 公开数量", "对外公开总数量", ""]
    assert row_at(section_2, 18) == ["行政事业性收费", "0", "0", "", ""]
    assert row_at(section_3, 26) == ["一、本年新收政府信息公开申请数量"] + ["0"] * 7 + ["", ""]
    headings = [line.text for line in lines(document)]
    assert "三、收到和处理政府信息公开申请情况" in headings

    padded = tables(read_document(CORPUS / "105.txt"))[0]
    assert row_at(padded, 10) == ["行政许可", "716", "-417", "298"]


def test_pipe_lines_between_cells_and_section_headings() -> None:
    document = read_document(CORPUS / "056.txt")
    section_2, section_3 = tables(document)
    # Each cell's text stands on its own line(s), its closing "|" on the next line: a label broken
    # over two lines is one cell.
    assert texts(section_2)[:4] == [["第二十条第(一)项"], ["信息内容"], ["本年新\n制作数量"], ["本年新\n公开数量"]]
    assert section_2.rows[-1][0].where.line == 112
    # The section heading is never swallowed by a grid.
    by_line = {line.where.line: line.text for line in lines(document)}
    assert by_line[114] == "三、收到和处理政府信息公开申请情况"
    assert section_3.where.line == 115  # its first cell, the 勾稽关系 note, is on the line above the first bar


def test_pipe_heading_between_trailing_bar_rows_stays_a_line() -> None:
    document = read_document(CORPUS / "032.txt")
    assert [t.where.line for t in tables(document)] == [7, 65]
    assert {line.where.line: line.text for line in lines(document)}[
        64
    ] == "三、收到和处理政府信息公开申请情况"


def test_pipe_cell_text_continued_on_a_line_without_bar() -> None:
    raw = "标题\n信息内容 |\n(二)部分公开(区分处理的,只计这一情形,不计其他\n情形) |\n0 |\n正文。\n".encode()
    document = read_document(raw)
    (table,) = tables(document)
    assert texts(table) == [
        ["信息内容"],
        ["(二)部分公开(区分处理的,只计这一情形,不计其他\n情形)"],
        ["0"],
    ]
    assert [line.text for line in lines(document)] == ["标题", "正文。"]


def test_markdown_table_drops_outer_bars_and_rule_row() -> None:
    raw = "| 信息内容 | 本年制发件数 |\n|---|:--:|\n| 规章 | 3 |\n".encode()
    document = read_document(raw, name="report.md")
    assert document.source.format == "md" and document.source.path == "report.md"
    (table,) = tables(document)
    assert texts(table) == [["信息内容", "本年制发件数"], ["规章", "3"]]
    assert [row[0].where.line for row in table.rows] == [1, 3]


GRID_TABLE = """\
+---------------------+---------+---------+
| 信息内容            | 本年    | 现行    |
|                     | 制发    | 有效    |
+:===================:+:=======:+:=======:+
| **第二十条第（一）项**                  |
+---------------------+---------+---------+
| 行政规范性          | 2       | \\-      |
| 文件                +---------+---------+
|                     | 3       | ---     |
+---------------------+---------+---------+
"""


def test_a_grid_table_drawn_by_display_width_is_read_with_its_merged_cells() -> None:
    """pandoc's grid table: CJK characters two columns wide, a cell merged across the row (colspan)
    and one over two rows (rowspan), its text over two lines; bold, ``\\-`` and ``---`` (pandoc's —)."""
    document = read_document(f"二、主动公开\n\n{GRID_TABLE}\n结束\n".encode(), name="copy.md")
    (table,) = tables(document)
    assert texts(table) == [["信息内容", "本年制发", "现行有效"], ["第二十条第（一）项"], ["行政规范性文件", "2", "-"],
                            ["3", "—"]]
    assert [(c.rowspan, c.colspan) for row in table.rows for c in row][3:6] == [(1, 3), (2, 1), (1, 1)]
    assert [c.where.line for c in table.rows[2]] == [9, 9, 9] and table.rows[3][0].where.col == 1
    assert [line.text for line in lines(document) if line.text.strip()] == ["二、主动公开", "结束"]


def test_a_grid_table_whose_bars_leave_its_borders_columns_is_read_as_a_pipe_run() -> None:
    """A grid drawn in another width (a bar off the borders' column edges) is no grid table: its
    lines with bars are a pipe run, as before."""
    shifted = GRID_TABLE.replace("| 信息内容            |", "| 信息内容  |          ")
    grids = tables(read_document(shifted.encode(), name="copy.md"))
    assert grids and {t.separator for t in grids} == {"pipe"}


def test_a_single_line_with_a_bar_is_not_a_table() -> None:
    document = read_document("首页 | 政务公开\n一、总体情况\n".encode())
    assert not tables(document)


# ---------------------------------------------------------------- encodings


def test_encodings_decode_identically() -> None:
    text = SEED_000.read_text(encoding="utf-8")
    reference = read_document(text.encode("utf-8"))
    variants = {
        "gb18030": text.encode("gb18030"),
        "utf-8-sig": text.encode("utf-8-sig"),
        "utf-16": text.encode("utf-16"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
    }
    for expected, raw in variants.items():
        document = read_document(raw)
        assert document.blocks == reference.blocks, expected
        assert document.source.encoding == ("utf-8" if expected == "crlf" else expected)
        assert document.source.sha256 == hashlib.sha256(raw).hexdigest()


# ---------------------------------------------------------------- HTML

SECTION_3_HTML = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>年度报告</title><style>td {{ border: 1px }}</style></head>
<body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/gk">政务公开</a></div>
<!-- 注释不是正文 -->
<script>var note = "脚本不是正文";</script>
<p>&nbsp;&nbsp;三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业<br>企业</td><td>科研机构</td><td>社会<br>公益<br>组织</td><td><p>法律服务</p><p>机构</p></td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{numbers}</tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td>{numbers}</tr>
<tr><td>（三）不予公开</td><td>1.属于国家秘密</td>{numbers}</tr>
</table>
<div class="footer">版权所有 &nbsp;|&nbsp; 网站标识码</div>
</body>
</html>
""".format(numbers="<td>1</td>" * 6 + "<td>6</td>")


def test_html_section_3_header_gets_true_grid_columns() -> None:
    document = read_document(SECTION_3_HTML.encode(), name="report.html")
    assert document.source.format == "html"
    (table,) = tables(document)
    assert table.separator == "html" and table.where.table == 0 and table.where.line == 9

    def layout(r: int) -> list[tuple[str, int, int, int]]:
        return [(c.text, c.where.col, c.rowspan, c.colspan) for c in table.rows[r]]

    assert layout(0) == [
        ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 0, 3, 3),
        ("申请人情况", 3, 1, 7),
    ]
    assert layout(1) == [("自然人", 3, 2, 1), ("法人或其他组织", 4, 1, 5), ("总计", 9, 2, 1)]
    assert layout(2) == [
        ("商业企业", 4, 1, 1),
        ("科研机构", 5, 1, 1),
        ("社会公益组织", 6, 1, 1),
        ("法律服务机构", 7, 1, 1),
        ("其他", 8, 1, 1),
    ]
    assert [c.where.col for c in table.rows[3]] == [0, 3, 4, 5, 6, 7, 8, 9]
    assert [c.where.col for c in table.rows[4]] == [0, 1, 3, 4, 5, 6, 7, 8, 9]
    assert [c.where.col for c in table.rows[5]] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert all(c.where.row == r and c.where.table == 0 for r, row in enumerate(table.rows) for c in row)
    assert [c.where.line for c in table.rows[0]] == [10, 11]
    assert [c.where.line for c in table.rows[1]] == [12, 12, 12]


def test_html_text_outside_tables_becomes_lines() -> None:
    document = read_document(SECTION_3_HTML.encode(), name="report.html")
    assert [(line.where.line, line.text) for line in lines(document)] == [
        (5, "首页 > 政务公开"),
        (8, "三、收到和处理政府信息公开申请情况"),
        (18, "版权所有 | 网站标识码"),
    ]
    assert (
        "脚本" not in document.text() and "注释" not in document.text() and "年度报告" not in document.text()
    )


def test_html_is_sniffed_by_content() -> None:
    document = read_document(SECTION_3_HTML.encode(), name="download.txt")
    assert document.source.format == "html"
    assert read_document(b"<p>\xe4\xb8\x80\xe3\x80\x81\xe6\x80\xbb\xe4\xbd\x93</p>").source.format == "html"


def test_html_br_splits_lines_and_cjk_source_newlines_join() -> None:
    raw = (
        "<html><body><p>第一行<br>第二行</p><p>我局认真贯彻\n落实条例 2021 年</p><p>&nbsp;</p></body></html>"
    )
    document = read_document(raw.encode())
    assert [line.text for line in lines(document)] == ["第一行", "第二行", "我局认真贯彻落实条例 2021 年"]


def test_html_nested_layout_table() -> None:
    raw = """<html><body>
<table class="layout"><tr>
<td><p>某某县人民政府办公室</p>
<p>二、主动公开政府信息情况</p>
<table>
<tr><th>信息内容</th><th>本年制发件数</th></tr>
<tr><td>规章</td><td>0</td></tr>
</table>
<p>（完）</p></td>
<td>相关链接</td>
</tr></table>
</body></html>"""
    document = read_document(raw.encode())
    kinds = [(type(b).__name__, b.text if isinstance(b, Line) else None) for b in document.blocks]
    assert kinds == [
        ("Line", "某某县人民政府办公室"),
        ("Line", "二、主动公开政府信息情况"),
        ("TableBlock", None),
        ("Line", "（完）"),
        ("Line", "相关链接"),
    ]
    (table,) = tables(document)
    assert texts(table) == [["信息内容", "本年制发件数"], ["规章", "0"]]
    assert table.rows[1][1].where.line == 7


def test_html_single_column_table_is_layout() -> None:
    raw = "<html><body><table><tr><td><p>一、总体情况</p><p>全年主动公开信息 20 条。</p></td></tr></table></body></html>"
    document = read_document(raw.encode())
    assert not tables(document)
    assert [line.text for line in lines(document)] == ["一、总体情况", "全年主动公开信息 20 条。"]


def test_html_meta_charset_gbk() -> None:
    page = '<html><head><meta charset="gbk"></head><body><p>三、收到和处理政府信息公开申请情况（喆）</p></body></html>'
    document = read_document(page.encode("gbk"), name="page.htm")
    assert lines(document)[0].text == "三、收到和处理政府信息公开申请情况（喆）"
    assert document.source.encoding == "gb18030"
    legacy = page.replace('charset="gbk"', 'http-equiv="Content-Type" content="text/html; charset=gb2312"')
    assert read_document(legacy.encode("gbk")).blocks == document.blocks


def test_html_traditional_page_is_converted() -> None:
    page = (
        "<html><body><p>一、總體情況</p><table><tr><td>總計</td><td>這個數據</td></tr></table></body></html>"
    )
    document = read_document(page.encode())
    assert document.notes == [NOTE_TRADITIONAL]
    assert lines(document)[0].text == "一、总体情况"
    assert texts(tables(document)[0]) == [["总计", "这个数据"]]


# ---------------------------------------------------------------- errors


def assert_error(exc: pytest.ExceptionInfo, message: str, message_en: str, path: str) -> None:
    assert message in exc.value.message
    assert message_en in exc.value.message_en
    assert exc.value.path == path


@pytest.mark.parametrize("raw", [b"", b"  \n\t\r\n ", "\u3000\n".encode("utf-16")])
def test_empty_file(raw: bytes) -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(raw)
    assert_error(exc, "文件为空", "file is empty", "<bytes>")


def test_empty_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile) as exc:
        read_document(path)
    assert_error(exc, "文件为空", "file is empty", str(path))


def test_binary_garbage() -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(bytes(range(256)) * 8, name="blob.txt")
    assert_error(exc, "不是文本文件", "not a text file", "blob.txt")


def test_binary_garbage_without_nul_bytes() -> None:
    garbage = bytes((i * 37 + 11) % 31 + 1 for i in range(4000))  # control bytes, no NUL
    with pytest.raises(UnreadableFile) as exc:
        read_document(garbage)
    assert_error(exc, "不是文本文件", "not a text file", "<bytes>")


def zip_bytes(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("raw", "name", "message", "message_en"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "report.pdf", "无法打开 PDF 文件", "the PDF cannot be opened"),
        (zip_bytes("[Content_Types].xml", "word/document.xml"), "report.docx", "无法读取 Word 文档", "Word document"),
        (zip_bytes("OFD.xml", "Doc_0/Document.xml"), "report.ofd", "无法读取 OFD 文件", "OFD"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "report.wps", "WordDocument", "WordDocument"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "scan.png", "无法打开图片文件", "the image cannot be opened"),
    ],
)
def test_damaged_documents_are_named(raw: bytes, name: str, message: str, message_en: str) -> None:
    """PDF, DOCX, OFD, WPS and images are read now; a damaged one says which medium failed."""
    with pytest.raises(UnreadableFile) as exc:
        read_document(raw, name=name)
    assert_error(exc, message, message_en, name)


@pytest.mark.parametrize(
    ("raw", "name", "message", "message_en"),
    [
        (zip_bytes("a.csv"), "reports.zip", "暂不支持 ZIP 压缩包", "ZIP archive input is not supported yet"),
        (b"{\\rtf1 hello}", "report.rtf", "暂不支持 RTF 文件", "RTF input is not supported yet"),
    ],
)
def test_unsupported_media_are_named(raw: bytes, name: str, message: str, message_en: str) -> None:
    with pytest.raises(UnsupportedFormat) as exc:
        read_document(raw, name=name)
    assert_error(exc, message, message_en, name)


def test_pdf_is_sniffed_by_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(UnreadableFile) as exc:
        read_document(path)
    assert_error(exc, "PDF", "PDF", str(path))


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    with pytest.raises(UnreadableFile) as exc:
        read_document(str(path))
    assert_error(exc, "文件不存在", "file not found", str(path))


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(tmp_path)
    assert_error(exc, "不是文件", "not a regular file", str(tmp_path))


def test_oversize_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.write("一、总体情况\n".encode())
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(UnreadableFile) as exc:
        read_document(path)
    assert_error(exc, "文件过大", "file too large", str(path))


def test_oversize_bytes_are_refused() -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(b"a" * (MAX_BYTES + 1))
    assert_error(exc, "文件过大", "file too large", "<bytes>")


def test_errors_render_both_languages() -> None:
    with pytest.raises(UnreadableFile) as exc:
        read_document(b"")
    assert str(exc.value) == "<bytes>: 文件为空 / file is empty"
    assert exc.value.as_dict()["code"] == "file.unreadable"
