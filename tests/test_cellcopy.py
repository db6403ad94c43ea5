"""Text copied from a browser of a table whose cells hold paragraphs (ingest/cellcopy.py), and numbers
a converter set apart (parse/tokens.py): hand-made copies in the forms chromium's ``innerText`` gives
(``<td><p>``: one blank line around each tab line, four between two rows; ``<td><div>``: none and two)."""

from __future__ import annotations

from gknb.document import TableBlock
from gknb.ingest import read_document
from gknb.ingest.cellcopy import cell_runs
from gknb.ingest.text import SECTION_HEADING
from gknb.parse.tokens import _rejoined


def _p_cells(rows: list[list[str]]) -> str:
    """A table of ``<td><p>`` cells as chromium copies it (an empty cell: an empty paragraph)."""
    return "\n\n\n\n\n".join("\n\n\t\n\n".join(row) for row in rows)


def _grid(text: str) -> list[list[str]]:
    tables = [b for b in read_document(text.encode("utf-8"), name="copy.txt").blocks if isinstance(b, TableBlock)]
    assert len(tables) == 1
    return [[c.text for c in row] for row in tables[0].rows]


def test_paragraph_cells_are_read_back_as_rows_with_their_blank_cells():
    rows = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "0", "", "3"],
            ["行政规范性文件", "18", "2", ""]]
    text = "二、主动公开政府信息情况\n\n" + _p_cells(rows) + "\n\n三、收到和处理政府信息公开申请情况\n"
    assert _grid(text) == rows


def test_div_cells_and_a_cell_of_two_lines():
    """``<td><div>``: no blank line around a tab line, two between rows; a ``<br>`` inside a cell."""
    text = "标题\n规章\n\t\n0\n\t\n社会\n公益组织\n\n\n行政许可\n\t\n5\n\t\n6\n四、政府信息公开行政复议、行政诉讼情况\n"
    assert _grid(text) == [["规章", "0", "社会公益组织"], ["行政许可", "5", "6"]]


def test_a_section_heading_between_two_tables_is_no_cell():
    """Table 三's last cell, then 四's heading and first cell: two tables, the heading a line between."""
    text = ("合计\n\t\n1\n\t\n2\n\n\n结转\n\t\n0\n\t\n0\n四、政府信息公开行政复议、行政诉讼情况\n"
            "行政复议\n\t\n行政诉讼\n\n\n结果维持\n\t\n结果纠正\n\t\n总计\n\n\n0\n\t\n0\n\t\n0\n")
    runs = cell_runs(text.split("\n"), SECTION_HEADING)
    assert len(runs) == 2
    lines = text.split("\n")
    (first, (end, rows)), (second, (_, rows2)) = sorted(runs.items())
    assert rows == [[(0, "合计"), (2, "1"), (4, "2")], [(7, "结转"), (9, "0"), (11, "0")]] and end == 12
    assert lines[second] == "行政复议" and [t for _, t in rows2[0]] == ["行政复议", "行政诉讼"]


def test_tabs_before_each_cell_s_text_are_a_tab_grid_not_copied_cells():
    """``\\t0`` lines with a few lone tabs (a Word copy, samples/002): left to the tab-grid reader."""
    lines = ["\t规章", "\t0", "\t", "\t0", "\t", "\t0", "\t", "\t1", "\t", "\t2"]
    assert cell_runs(lines, SECTION_HEADING) == {}


def test_a_number_set_apart_is_rejoined_only_in_a_space_aligned_line():
    assert _rejoined("行政强制        59       - 42        0") == "行政强制        59        -42        0"
    assert _rejoined("政府集中采购      0        124 . 7281") == "政府集中采购      0          124.7281"
    assert _rejoined("行政事业性收费      90. 3") == "行政事业性收费       90.3"
    # a thousands comma in a run of its own (inscriptis: cells two spaces apart), also with a point after it
    assert _rejoined("行政许可        66 , 229  - 2          0") == "行政许可          66,229   -2          0"
    assert _rejoined("行政事业性收费     15 , 530 . 0") == "行政事业性收费         15,530.0"
    assert _rejoined("行政许可  5 , 23  0") == "行政许可  5 , 23  0"  # no group of three after it: not a number's
    assert _rejoined("三         112,         112,") == "三         112,         112,"  # two cells' heads (a count wrapped)
    # cells one space apart (pdftotext): a dash is a blank cell before its neighbour's number
    assert _rejoined("行政强制 59 - 42 0") == "行政强制 59 - 42 0"
    assert _rejoined("规章   -   0   5") == "规章   -   0   5"


def test_a_closing_row_of_tabs_right_above_a_heading_keeps_the_run_s_spacing():
    """A portal's pasted Word table ends with a row of empty cells copied as one line of tabs, right
    above the next heading (no blank line between them): the run's spacing is its most common one,
    not that line's none, so its cells and blank cells stay where they are."""
    rows = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "0", "0", "3"],
            ["行政规范性文件", "", "2", "0"]]
    text = ("二、主动公开政府信息情况\n\n" + _p_cells(rows) + "\n\n\n\t\t\t\n"
            "三、收到和处理政府信息公开申请情况\n")
    grid = _grid(text)
    assert [row[:4] for row in grid] == rows  # the closing row's empty cells end the last row
    assert not any(cell for row in grid for cell in row[4:])


def test_an_empty_paragraph_between_the_two_halves_of_a_cut_table_ends_a_row():
    """Word cuts a table at a page break into two, a ``<p>&nbsp;</p>`` between them: copied, one blank
    line, a no-break space, one blank line — fewer blank lines than between two rows, yet the row
    before it has ended (its last number is not joined to the next row's label)."""
    first = [["规章", "0", "0", "3"]]
    second = [["行政规范性文件", "", "2", "0"]]
    text = ("二、主动公开政府信息情况\n\n" + _p_cells(first) + "\n\n\u00a0\n\n" + _p_cells(second) +
            "\n\n三、收到和处理政府信息公开申请情况\n")
    assert _grid(text) == first + second
