"""The fixture factory for the text route: consistent random reports, printed the ways real ones are.

``random_report(fmt, rnd)`` draws a full set of cells for an official format in which every identity of
``fmt.identities()`` holds. ``render(fmt, cells, layout, rnd, ...)`` prints it as a whole annual report
(title, the six sections with prose, the three tables) in one of the layouts seen in real reports:

========== ===================================================================================
layout     what it looks like (real example)
========== ===================================================================================
tab        the grid with tabs; merged cells at their top-left, covered positions empty (seed 000)
lines      one cell per line indented by a tab, an empty line between rows; rowspan-covered
           positions as ``\\t`` lines, a blank cell as a whitespace-only line (seeds 002, 003)
paragraphs web copy: every cell followed by an empty line, a blank cell is one more empty line
           (corpus 009, 023, 048)
pipe_cells every cell on its own line: ``text |`` plus a line of ``|`` per covered grid position
           (032, 064), or the text on one line and ``|`` on the next (056, 123)
pipe_rows  a whole row on one line ``a | b | c |`` (085, 088, 105)
markdown   ``| a | b |`` with a ``|---|`` separator, merged cells repeated as empty cells
html       a full page (navigation, breadcrumb, footer) with the official rowspan/colspan tables
inline     PDF extraction: ``label 0 0 0 …`` on one line; blank cells would vanish, so no blanks
========== ===================================================================================

Printed label variants are drawn at random: ASCII or full-width punctuation, ``1.``/``1．``/``1、``,
the declared aliases (``规范性文件``, ``其他法律法规禁止公开`` …), spaces inside labels (``结果 维持``),
section titles from ``Section.aliases``; ``wrap_labels`` breaks long labels across lines in the
``lines``, ``paragraphs``, ``inline`` (and line-per-cell ``pipe_cells``) layouts. Section 四 is sometimes
printed as 15 bare numbers without its header. The value of a blank cell never appears in the text.

The module also holds the few helpers the acceptance tests share to compare a parsed report with the
truth (``cell_mismatches``, ``error_findings`` …).
"""

from __future__ import annotations

import html as _html
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from gknb.formats import Format

Value = int | Decimal | None

LAYOUTS = ("tab", "lines", "paragraphs", "pipe_cells", "pipe_rows", "markdown", "html", "inline")
BLANK_LAYOUTS = tuple(x for x in LAYOUTS if x != "inline")  # layouts that can show a blank cell
WRAP_LAYOUTS = ("lines", "paragraphs", "inline", "pipe_cells")  # layouts where wrap_labels acts


def file_name(layout: str) -> str:
    """The file name to hand ``gknb.read(bytes, name=…)`` for a rendered layout."""
    return {"html": "x.html", "markdown": "x.md"}.get(layout, "x.txt")


# --------------------------------------------------------------------------------------------------
# Consistent random data
# --------------------------------------------------------------------------------------------------


def _count(rnd: random.Random, scale: int | None = None) -> int:
    """A count shaped like real reports: mostly 0, sometimes small, rarely large."""
    if scale is not None:
        return rnd.randint(0, scale)
    r = rnd.random()
    if r < 0.45:
        return 0
    if r < 0.8:
        return rnd.randint(1, 9)
    if r < 0.95:
        return rnd.randint(10, 99)
    return rnd.randint(100, 999)


def _money(rnd: random.Random) -> Decimal:
    r = rnd.random()
    if r < 0.5:
        return Decimal(0)
    places = rnd.choice([0, 1, 2, 4])
    return Decimal(rnd.randint(1, 2_000_000)).scaleb(-4).quantize(Decimal(1).scaleb(-places))


def _split(rnd: random.Random, total: int, keys: list[str]) -> dict[str, int]:
    """Split ``total`` among a few of ``keys`` (the first, 予以公开, most often)."""
    out = dict.fromkeys(keys, 0)
    if total == 0:
        return out
    chosen = [keys[0]] + rnd.sample(keys[1:], rnd.randint(0, min(4, len(keys) - 1)))
    cuts = sorted(rnd.randint(0, total) for _ in range(len(chosen) - 1))
    for key, lo, hi in zip(chosen, [0, *cuts], [*cuts, total], strict=True):
        out[key] += hi - lo
    return out


def random_report(fmt: Format, rnd: random.Random) -> dict[str, int | Decimal]:
    """Every cell of ``fmt`` with values for which all of ``fmt.identities()`` hold.

    Applicant values of 一、二 and of the outcome rows are drawn (outcomes never exceed what was to be
    handled), then 总计 rows/columns and 四、结转 = new + carried_over − total are derived; section 四
    totals are the sums of their four results. Section 二 is plausible for a county-level agency
    (no 规章 made, 对外公开总数量 ≥ 本年新公开数量).
    """
    cells: dict[str, int | Decimal] = {}

    for key, _block, row, col in fmt.table("disclosure").cells():
        if col.kind == "money":
            cells[key] = _money(rnd)
        elif row.key == "regulations":
            cells[key] = 0
        else:
            cells[key] = _count(rnd)
    for row in ("regulations", "normative_docs"):  # plausible 2019/2021 relations (soft checks only)
        if f"disclosure.{row}.new_published" in cells:
            made = cells[f"disclosure.{row}.new_made"]
            cells[f"disclosure.{row}.new_published"] = pub = rnd.randint(0, made)
            cells[f"disclosure.{row}.total_published"] = pub + (0 if row == "regulations" else _count(rnd))
        if f"disclosure.{row}.in_force" in cells:
            cells[f"disclosure.{row}.in_force"] = cells[f"disclosure.{row}.made"] + (
                0 if row == "regulations" else _count(rnd)
            )
    for row in ("licensing", "other_services", "punishment", "coercion", "fees"):
        if f"disclosure.{row}.change" in cells:
            prev = cells[f"disclosure.{row}.prev_items"]
            cells[f"disclosure.{row}.change"] = rnd.randint(-prev, 20) if rnd.random() < 0.5 else 0

    table = fmt.table("requests")
    rows = [r for b in table.blocks for r in b.rows]
    columns = [c.key for b in table.blocks for c in b.columns]
    applicants = [c for c in columns if c != "total"]
    outcomes = [r.key for r in rows if r.outcome]
    busy = rnd.random() < 0.7  # some reports are all zeros
    for col in applicants:
        new = _count(rnd) if busy else 0
        carried = (_count(rnd, 3) if rnd.random() < 0.3 else 0) if busy else 0
        todo = new + carried
        handled = todo if rnd.random() < 0.6 else rnd.randint(0, todo)
        cells[f"requests.new.{col}"] = new
        cells[f"requests.carried_over.{col}"] = carried
        for row_key, value in _split(rnd, handled, outcomes).items():
            cells[f"requests.{row_key}.{col}"] = value
        cells[f"requests.total.{col}"] = handled
        cells[f"requests.carry_forward.{col}"] = todo - handled
    for row in rows:
        cells[f"requests.{row.key}.total"] = sum(cells[f"requests.{row.key}.{c}"] for c in applicants)

    for row in fmt.table("review").blocks[0].rows:
        parts = ("upheld", "corrected", "other", "pending")
        for part in parts:
            cells[f"review.{row.key}.{part}"] = _count(rnd, 2) if rnd.random() < 0.3 else 0
        cells[f"review.{row.key}.total"] = sum(cells[f"review.{row.key}.{p}"] for p in parts)

    assert set(cells) == set(fmt.cell_keys())
    return {k: cells[k] for k in fmt.cell_keys()}


def identity_violations(fmt: Format, cells: Mapping[str, Value]) -> list[str]:
    """The identities of ``fmt`` that ``cells`` break (cells that are None are skipped)."""
    bad = []
    for eq in fmt.identities():
        values = [cells.get(k) for k in eq.cells]
        if any(v is None for v in values):
            continue
        if sum(cells[k] for k in eq.lhs) != sum(cells[k] for k in eq.rhs):
            bad.append(f"{eq.rule.code}[{eq.along}]")
    return bad


def arithmetic_keys(fmt: Format) -> list[str]:
    """The cells of sections 三 and 四 (each takes part in at least one identity)."""
    return [k for k in fmt.cell_keys() if k.startswith(("requests.", "review."))]


# --------------------------------------------------------------------------------------------------
# The official grids (cells with spans), built from the format declaration
# --------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str = ""
    key: str | None = None  # the cell key of a value cell
    rowspan: int = 1
    colspan: int = 1
    role: str = "label"  # label | header | caption | value | empty


@dataclass
class Grid:
    table: str
    rows: list[list[Cell]]
    header_rows: int  # rows before the first data row


@dataclass
class Style:
    """The printing habits of one document."""

    ascii_punct: bool
    space_after_bracket: bool
    dot: str
    alias_p: float
    space_p: float
    money_suffix: bool
    money_places: bool
    wrap: bool


def _style(rnd: random.Random, wrap: bool) -> Style:
    return Style(
        ascii_punct=rnd.random() < 0.5,
        space_after_bracket=rnd.random() < 0.2,
        dot=rnd.choice([".", ".", "．", "、"]),
        alias_p=rnd.choice([0.0, 0.3]),
        space_p=rnd.choice([0.0, 0.0, 0.15]),
        money_suffix=rnd.random() < 0.15,
        money_places=rnd.random() < 0.4,
        wrap=wrap,
    )


_ASCII = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _print_label(label: str, aliases: Iterable[str], style: Style, rnd: random.Random) -> str:
    aliases = tuple(aliases)
    if aliases and rnd.random() < style.alias_p:
        label = rnd.choice(aliases)
    label = re.sub(r"^(\d)\.", lambda m: m.group(1) + style.dot, label)
    if style.space_after_bracket:
        label = re.sub(r"^（([一二三四五六七八九十])）", r"（\1） ", label)
    if style.ascii_punct:
        label = label.translate(_ASCII)
    if rnd.random() < style.space_p:
        spots = [i for i in range(1, len(label)) if _CJK.match(label[i - 1]) and _CJK.match(label[i])]
        if spots:
            i = rnd.choice(spots)
            label = label[:i] + " " + label[i:]
    return label


def _print_value(value: Value, kind: str, style: Style) -> str:
    if value is None:
        return ""
    if kind == "money":
        value = Decimal(value)
        text = format(value.quantize(Decimal("0.0001")), "f") if style.money_places else format(value, "f")
        return text + ("万元" if style.money_suffix else "")
    return str(value)


def _grids(fmt: Format, cells: Mapping[str, Value], blanks: set[str], style: Style,
           rnd: random.Random) -> dict[str, Grid]:
    def label(text: str, aliases: Iterable[str] = (), role: str = "label", **span: int) -> Cell:
        return Cell(_print_label(text, aliases, style, rnd), role=role, **span)

    def value(key: str, kind: str, **span: int) -> Cell:
        shown = None if key in blanks else cells[key]
        return Cell(_print_value(shown, kind, style), key=key, role="value", **span)

    grids: dict[str, Grid] = {}

    # 二: one grid, as wide as the widest block + the label column
    disc = fmt.table("disclosure")
    width = 1 + max(len(b.columns) for b in disc.blocks)
    rows: list[list[Cell]] = []
    for block in disc.blocks:
        rows.append([label(block.caption or "", block.caption_aliases, role="caption", colspan=width)])
        info = block.header_labels[0] if block.header_labels else "信息内容"
        fill = width - 1 - len(block.columns)
        if len(block.columns) == 1:
            col = block.columns[0]
            rows.append([label(info, role="header"), label(col.label, col.aliases, role="header", colspan=width - 1)])
        else:
            rows.append([label(info, role="header")]
                        + [label(c.label, c.aliases, role="header") for c in block.columns]
                        + [Cell(role="empty") for _ in range(fill)])
        for row in block.rows:
            if len(block.columns) == 1:
                col = block.columns[0]
                rows.append([label(row.label, row.aliases),
                             value(f"disclosure.{row.key}.{col.key}", col.kind, colspan=width - 1)])
            else:
                rows.append([label(row.label, row.aliases)]
                            + [value(f"disclosure.{row.key}.{c.key}", c.kind) for c in block.columns]
                            + [Cell(role="empty") for _ in range(fill)])
    grids["disclosure"] = Grid("disclosure", rows, 0)

    # 三: 3 label columns + 7 value columns
    req = fmt.table("requests")
    block = req.blocks[0]
    cols = block.columns
    header = block.header_labels  # （本列数据的勾稽关系…）, 申请人情况, 法人或其他组织
    rows = [
        [label(header[0], role="header", rowspan=3, colspan=3), label(header[1], role="header", colspan=7)],
        [label(cols[0].label, role="header", rowspan=2), label(header[2], role="header", colspan=5),
         label(cols[-1].label, role="header", rowspan=2)],
        [label(c.label, role="header") for c in cols[1:-1]],
    ]
    data_rows = block.rows
    outcome_group = req.group_labels[0]  # 三、本年度办理结果
    in_group = [r for r in data_rows if r.group is not None]
    first_of_group: dict[str, int] = {}
    group_size: dict[str, int] = {}
    for r in in_group:
        if r.group != outcome_group:
            first_of_group.setdefault(r.group, 0)
            group_size[r.group] = group_size.get(r.group, 0) + 1
    seen_groups: set[str] = set()
    started_outcomes = False
    for r in data_rows:
        line: list[Cell] = []
        if r.group is None:
            line.append(label(r.label, r.aliases, colspan=3))
        else:
            if not started_outcomes:
                line.append(label(outcome_group, rowspan=len(in_group)))
                started_outcomes = True
            if r.group == outcome_group:
                line.append(label(r.label, r.aliases, colspan=2))
            else:
                if r.group not in seen_groups:
                    seen_groups.add(r.group)
                    line.append(label(r.group, rowspan=group_size[r.group]))
                line.append(label(r.label, r.aliases))
        line += [value(f"requests.{r.key}.{c.key}", c.kind) for c in cols]
        rows.append(line)
    grids["requests"] = Grid("requests", rows, 3)

    # 四: 15 value columns under a two-level header
    rev = fmt.table("review").blocks[0]
    groups = rev.rows
    rows = [
        [label(groups[0].label, role="header", colspan=5), label(groups[1].group or "", role="header", colspan=10)],
        [label(c.label, role="header", rowspan=2) for c in rev.columns]
        + [label(g.label, role="header", colspan=5) for g in groups[1:]],
        [label(c.label, role="header") for _ in groups[1:] for c in rev.columns],
        [value(f"review.{g.key}.{c.key}", c.kind) for g in groups for c in rev.columns],
    ]
    grids["review"] = Grid("review", rows, 3)
    return grids


@dataclass
class Slot:
    """One position of the expanded grid."""

    cell: Cell
    top_left: bool
    by_rowspan: bool  # covered by a cell of an earlier row


def _expand(grid: Grid) -> list[list[Slot]]:
    width = sum(c.colspan for c in grid.rows[0])
    out: list[list[Slot | None]] = [[None] * width for _ in grid.rows]
    for i, row in enumerate(grid.rows):
        j = 0
        for cell in row:
            while j < width and out[i][j] is not None:
                j += 1
            if j >= width:
                raise AssertionError(f"grid row {i} of {grid.table} overflows")
            for di in range(cell.rowspan):
                for dj in range(cell.colspan):
                    out[i + di][j + dj] = Slot(cell, di == 0 and dj == 0, di > 0)
            j += cell.colspan
    for i, row in enumerate(out):
        if any(s is None for s in row):
            raise AssertionError(f"grid row {i} of {grid.table} has holes")
    return out  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------------
# The report around the tables
# --------------------------------------------------------------------------------------------------

_PLACES = ["青山县", "河西区", "白云县", "临江市", "东湖区", "安平县", "石门县", "桃源县", "新和县", "北塘区"]
_UNITS = ["自然资源局", "教育局", "卫生健康局", "民政局", "住房和城乡建设局", "审计局", "人民政府办公室",
          "市场监督管理局", "农业农村局", "司法局"]
_TOWNS = ["红旗镇人民政府", "城关街道办事处", "花园乡人民政府", "东风镇人民政府"]


def _heading(fmt: Format, key: str, rnd: random.Random) -> str:
    section = next(s for s in fmt.sections if s.key == key)
    title = rnd.choice((section.title, section.title, *section.aliases))
    return f"{section.number}、{title}"


def _prose(fmt: Format, cells: Mapping[str, Value], key: str, year: int, agency: str,
           rnd: random.Random, blanks: set[str]) -> list[str]:
    if key == "overview":
        return [
            f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》"
            "和上级关于政务公开工作的部署要求，坚持“公开为常态、不公开为例外”，扎实推进政府信息公开工作。",
            f"（一）主动公开方面。全年通过政府门户网站主动公开政府信息{rnd.randint(20, 900)}条，"
            f"其中工作动态{rnd.randint(5, 300)}条，政策文件{rnd.randint(0, 40)}条。",
            "（二）依申请公开方面。严格按照法定程序和时限办理政府信息公开申请，依法保障申请人的合法权益。",
            "（三）政府信息管理方面。落实“三审三校”制度，严格保密审查，动态更新政府信息公开目录。",
            "（四）平台建设方面。加强政府网站和政务新媒体管理，确保信息发布及时、准确。",
            "（五）监督保障方面。将政务公开工作纳入年度绩效考核，主动接受社会监督。",
        ]
    if key == "disclosure":
        return [f"本年度共主动公开政府信息{rnd.randint(10, 500)}条。"] if rnd.random() < 0.5 else []
    if key == "requests":
        total = None if "requests.new.total" in blanks else cells.get("requests.new.total")
        if total is None or rnd.random() < 0.5:
            return []
        return [f"{year}年，本机关共收到政府信息公开申请{total}件，均已按期答复。"]
    if key == "review":
        totals = [cells.get(k) for k in cells if k.startswith("review.") and k.endswith(".total")]
        if rnd.random() < 0.5:
            return []
        if all(v == 0 for v in totals) and not any(k.startswith("review.") for k in blanks):
            return ["本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。"]
        return ["本机关依法应诉，认真履行行政复议决定和人民法院生效裁判。"]
    if key == "problems":
        return [
            "存在的主要问题：一是政策解读形式较为单一；二是信息公开的及时性有待提高。",
            f"改进措施：{year + 1}年，我们将进一步加强培训，规范信息发布流程，不断提升政务公开质量。",
        ]
    return [rnd.choice([
        "本机关未收取信息处理费。认真落实年度政务公开工作要点，人大代表建议和政协提案办理结果已按要求公开。",
        "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。",
    ])]


# --------------------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------------------


def _wrap(text: str, style: Style, rnd: random.Random) -> tuple[str, str | None]:
    """Split a long label in two (or not): (first part, rest)."""
    if not style.wrap or len(text) < 6:
        return text, None
    if len(text) < 16 and rnd.random() < (0.8 if len(text) < 10 else 0.5):
        return text, None
    m = re.match(r"^(\d[.．、]|[（(][一二三四五六七八九十][）)]\s?)", text)
    start = max(3, len(m.group(0)) + 2 if m else 2)
    if start >= len(text) - 1:
        return text, None
    cut = rnd.randint(start, len(text) - 2)
    if text[cut - 1] in " （(“" or text[cut] in " ）)”":
        return text, None
    return text[:cut], text[cut:]


def _cells_of(grid: Grid, bare_review: bool) -> list[list[Cell]]:
    return grid.rows[grid.header_rows:] if (grid.table == "review" and bare_review) else grid.rows


def _render_tab(grids: dict[str, Grid], bare_review: bool, style: Style, rnd: random.Random) -> dict[str, list[str]]:
    out = {}
    for name, grid in grids.items():
        expanded = _expand(grid)
        if name == "review" and bare_review:
            expanded = expanded[grid.header_rows:]
        out[name] = ["\t".join(s.cell.text if s.top_left else "" for s in row) for row in expanded]
    return out


def _render_lines(grids, bare_review, style, rnd):
    out = {}
    for name, grid in grids.items():
        expanded = _expand(grid)
        lines: list[str] = []
        if name == "review" and bare_review:
            lines += ["\t" + s.cell.text for s in expanded[-1]]  # 15 numbers, one per line
            out[name] = lines
            continue
        for row in expanded:
            for slot in row:
                if slot.top_left:
                    cell = slot.cell
                    if cell.role in ("value", "caption") or not cell.text:
                        lines.append("\t" + cell.text)
                    else:
                        first, rest = _wrap(cell.text, style, rnd)
                        lines.append("\t" + first)
                        if rest:
                            lines.append(rest)
                elif slot.by_rowspan and _is_left_edge(row, slot):
                    lines.append("\t")  # one empty cell per cell spanning down into this row
            lines.append("")
        out[name] = lines
    return out


def _is_left_edge(row: list[Slot], slot: Slot) -> bool:
    """For a rowspan+colspan cell, emit one empty line per covered row (at its left edge only)."""
    for s in row:
        if s.cell is slot.cell:
            return s is slot
    return False


def _render_paragraphs(grids, bare_review, style, rnd):
    out = {}
    for name, grid in grids.items():
        lines: list[str] = []
        for i, row in enumerate(_cells_of(grid, bare_review)):
            for cell in row:
                if not cell.text:
                    lines.append("")  # a blank cell: one more empty line
                    continue
                if style.wrap and name == "requests" and i == 2 and cell.role == "header" and len(cell.text) == 4:
                    lines += [cell.text[:2], "", cell.text[2:], ""]  # 商业\n\n企业 (corpus 023, 048)
                    continue
                first, rest = (cell.text, None) if cell.role in ("value", "caption") else _wrap(cell.text, style, rnd)
                lines.append(first)
                if rest:
                    lines.append(rest)
                lines.append("")
        out[name] = lines
    return out


def _render_pipe_cells(grids, bare_review, style, rnd):
    own_line = rnd.random() < 0.4  # 056/123: text line, then a "|" line; else 032/064: "text |"
    lead = (not own_line) and rnd.random() < 0.5  # 032: a "|" line opens every row
    out = {}
    for name, grid in grids.items():
        expanded = _expand(grid)
        if name == "review" and bare_review:
            expanded = expanded[grid.header_rows:]
        lines: list[str] = []
        for row in expanded:
            if lead:
                lines.append("|")
            covered = 0
            for slot in row:
                if not slot.top_left:
                    covered += 1
                    continue
                cell = slot.cell
                if own_line:
                    if cell.text:
                        first, rest = (
                            (cell.text, None) if cell.role in ("value", "caption") else _wrap(cell.text, style, rnd)
                        )
                        lines += [first] + ([rest] if rest else [])
                    lines.append("|")
                else:
                    lines.append(f"{cell.text} |" if cell.text else "|")
            if covered and not own_line:
                lines.append("|" * covered)
        out[name] = lines
    return out


def _render_pipe_rows(grids, bare_review, style, rnd):
    pad = rnd.choice([" ", "  "])
    extra = rnd.choice([0, 1])
    out = {}
    for name, grid in grids.items():
        lines = []
        for row in _expand(grid):
            covered = sum(not s.top_left for s in row)
            texts = [s.cell.text for s in row if s.top_left]
            line = "".join(f"{t}{pad}| " for t in texts) + "|" * (covered + extra)
            lines.append(line.rstrip())
        out[name] = lines
    return out


def _render_markdown(grids, bare_review, style, rnd):
    out = {}
    for name, grid in grids.items():
        expanded = _expand(grid)
        if name == "review" and bare_review:
            expanded = expanded[grid.header_rows:]
        lines = ["", ]
        for i, row in enumerate(expanded):
            lines.append("| " + " | ".join(s.cell.text if s.top_left else "" for s in row) + " |")
            if i == 0:
                lines.append("|" + "---|" * len(row))
        lines.append("")
        out[name] = lines
    return out


def _render_inline(grids, bare_review, style, rnd):
    out = {}
    for name, grid in grids.items():
        lines: list[str] = []
        rows = grid.rows
        if not (name == "review" and bare_review):
            for row in rows[:grid.header_rows]:
                lines.append(" ".join(c.text for c in row if c.text))
        for row in rows[grid.header_rows:]:
            labels = [c.text for c in row if c.role != "value" and c.text]
            values = [c.text for c in row if c.role == "value"]
            if name != "review" and not values:  # caption or header row of section 二
                lines.append(" ".join(c.text for c in row if c.text))
                continue
            if len(labels) > 1 and rnd.random() < 0.5:  # group label on its own line
                lines += labels[:-1]
                labels = labels[-1:]
            head = " ".join(labels)
            first, rest = _wrap(head, style, rnd) if labels else ("", None)
            if rest:
                lines.append(first)
                head = rest
            lines.append(" ".join(([head] if head else []) + values))
        out[name] = lines
    return out


def _render_html_table(grid: Grid, rnd: random.Random) -> str:
    nbsp = rnd.random() < 0.5
    parts = ['<table border="1" cellspacing="0" cellpadding="0" style="width:100%">', "<tbody>"]
    for row in grid.rows:
        parts.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            text = _html.escape(cell.text) if cell.text else ("&nbsp;" if nbsp else "")
            inner = f"<p><span>{text}</span></p>" if rnd.random() < 0.3 else text
            parts.append(f'<td{attrs} valign="middle">{inner}</td>')
        parts.append("</tr>")
    parts += ["</tbody>", "</table>"]
    return "\n".join(parts)


_RENDERERS = {
    "tab": _render_tab,
    "lines": _render_lines,
    "paragraphs": _render_paragraphs,
    "pipe_cells": _render_pipe_cells,
    "pipe_rows": _render_pipe_rows,
    "markdown": _render_markdown,
    "inline": _render_inline,
}


def render(
    fmt: Format,
    cells: Mapping[str, Value],
    layout: str,
    rnd: random.Random,
    *,
    blanks: Iterable[str] = (),
    wrap_labels: bool = False,
    bare_review: bool | None = None,
    year: int | None = None,
    agency: str | None = None,
) -> str:
    """Print ``cells`` as a whole annual report of format ``fmt`` in ``layout``.

    ``blanks``: cell keys printed blank (their values never appear); not possible in ``inline``.
    ``wrap_labels``: break long labels across lines (``lines``, ``paragraphs``, ``inline``, ``pipe_cells``).
    ``bare_review``: print section 四 as its 15 numbers without the header (None: decided by ``rnd``;
    never in ``html``, ``pipe_rows`` or ``markdown``). ``year``/``agency``: default drawn by ``rnd``
    within the years of ``fmt``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")
    blanks = set(blanks)
    if blanks and layout == "inline":
        raise ValueError("the inline layout cannot show blank cells (they vanish in PDF extraction)")
    unknown = blanks - set(fmt.cell_keys())
    if unknown:
        raise ValueError(f"not cells of format {fmt.version}: {sorted(unknown)}")
    start, end = fmt.years
    year = year if year is not None else rnd.randint(start, end if end is not None else start + 3)
    agency = agency or (rnd.choice(_PLACES) + rnd.choice(_UNITS) if rnd.random() < 0.8 else rnd.choice(_PLACES)
                        + rnd.choice(_TOWNS))
    if layout in ("html", "pipe_rows", "markdown"):
        bare_review = False
    elif bare_review is None:
        bare_review = rnd.random() < 0.3
    style = _style(rnd, wrap_labels)
    grids = _grids(fmt, cells, blanks, style, rnd)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    sections = [s.key for s in fmt.sections]
    table_of = {"disclosure": "disclosure", "requests": "requests", "review": "review"}

    if layout == "html":
        return _render_html(fmt, cells, grids, title, year, agency, sections, rnd, blanks)

    tables = _RENDERERS[layout](grids, bare_review, style, rnd)
    spaced = layout in ("paragraphs",) or rnd.random() < 0.4
    lines: list[str] = [title, ""]
    for key in sections:
        lines.append(_heading(fmt, key, rnd))
        if spaced:
            lines.append("")
        for para in _prose(fmt, cells, key, year, agency, rnd, blanks):
            lines.append(para)
            if spaced:
                lines.append("")
        if key in table_of:
            lines += tables[table_of[key]]
            lines.append("")
    lines.append(f"{agency}")
    lines.append(f"{year + 1}年1月{rnd.randint(10, 28)}日")
    return "\n".join(lines) + "\n"


def _render_html(fmt, cells, grids, title, year, agency, sections, rnd, blanks) -> str:
    esc = _html.escape
    body: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        '<meta name="keywords" content="政府信息公开,年度报告"></head><body>',
        '<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a>'
        ' | <a href="/zwfw/">政务服务</a> <span>无障碍</span> <span>关怀版</span></div>',
        '<div class="crumb">您当前所在位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a>'
        " &gt; 政府信息公开年度报告</div>",
        f'<div class="info"><span>发布时间：{year + 1}-01-{rnd.randint(10, 28)}</span>'
        f"<span>来源：{esc(agency)}</span><span>浏览次数：{rnd.randint(10, 9999)}</span>"
        "<span>字号：[大 中 小]</span></div>",
        '<div class="article">',
        f"<h1>{esc(title)}</h1>",
    ]
    for key in sections:
        body.append(f"<p><strong>{esc(_heading(fmt, key, rnd))}</strong></p>")
        for para in _prose(fmt, cells, key, year, agency, rnd, blanks):
            body.append(f"<p>{esc(para)}</p>")
        if key in grids:
            body.append(_render_html_table(grids[key], rnd))
    body += [
        f'<p style="text-align:right">{esc(agency)}</p>',
        f'<p style="text-align:right">{year + 1}年1月{rnd.randint(10, 28)}日</p>',
        "</div>",
        '<div class="share">分享到：微信 微博 【打印本页】【关闭窗口】</div>',
        f'<div class="footer">主办单位：{esc(agency)} 网站标识码：{rnd.randint(1000000000, 9999999999)}'
        f" 备案号：某ICP备{rnd.randint(10000000, 99999999)}号-1 联系电话：0571-{rnd.randint(10000000, 99999999)}</div>",
        "</body></html>",
    ]
    return "\n".join(body) + "\n"


# --------------------------------------------------------------------------------------------------
# Helpers shared by the acceptance tests
# --------------------------------------------------------------------------------------------------
# Converter copies: the shapes converters and crawlers leave a report's tables in
# --------------------------------------------------------------------------------------------------

COPIES = ("pdf_tail", "pdf_own_line", "md_unlabelled", "md_merged_header", "md_review_row", "glued")
"""
=================  ==============================================================================
copy               what it looks like (real example)
=================  ==============================================================================
pdf_tail           text from a PDF: a wrapped label's tail on the line after its numbers
                   (``一、本年新收政 51 9 8 3 12 7 90`` / ``府信息公开申请数量``)
pdf_own_line       text from a PDF (WPS export): a wrapped label's numbers on a line of their own,
                   between the label's pieces (hongze2023.pdf's （二）部分公开)
md_unlabelled      PDF → Markdown: some rows print their numbers as a grid row without a label, the
                   label as loose text lines before or after (stcsm2024.md)
md_merged_header   PDF → Markdown: header fragments as the grid's header row, the header text merged
                   into the first data row's label cell
md_review_row      PDF → Markdown: section 四 as one 15-number row under a 6-cell header, the numbers
                   spread over broken columns (``| 1 0 | 1 | 0 0 | 1 | 0 1 |``)
glued              a crawler's text copy of the web page: the whole report on one line, every table
                   cell glued to the next (``行政许可3960181``, ``7000007``)
=================  ==============================================================================
"""


def _copy_rows(fmt: Format, cells: Mapping[str, Value], table_key: str) -> list[tuple[str, list[str]]]:
    """(printed label, printed values) of every row of a table, in print order."""
    table = fmt.table(table_key)
    out = []
    for block in table.blocks:
        for row in block.rows:
            values = [_print_value(cells[f"{table_key}.{row.key}.{c.key}"], c.kind, _PLAIN) for c in block.columns]
            out.append((row.full_label if table_key == "requests" else row.label, values))
    return out


_PLAIN = Style(False, False, ".", 0.0, 0.0, False, False, False)


def _disclosure_lines(fmt: Format, cells: Mapping[str, Value]) -> list[str]:
    table = fmt.table("disclosure")
    lines = []
    for block in table.blocks:
        if block.caption:
            lines.append(block.caption)
        lines.append(" ".join(("信息内容", *(c.label for c in block.columns))))
        for row in block.rows:
            values = [_print_value(cells[f"disclosure.{row.key}.{c.key}"], c.kind, _PLAIN) for c in block.columns]
            lines.append(" ".join((row.label, *values)))
    return lines


def _cut(label: str, rnd: random.Random) -> tuple[str, str]:
    """A long label cut in two where a narrow column would wrap it."""
    cuts = [c for c in range(min(5, len(label) - 2), len(label) - 1)
            if not label[c - 1].isdigit() and label[c - 1] != " " and label[c] not in " .．、"]
    cut = rnd.choice(cuts) if cuts else len(label) // 2
    return label[:cut], label[cut:]


def render_copy(fmt: Format, cells: Mapping[str, Value], copy: str, rnd: random.Random,
                *, year: int | None = None) -> str:
    """Print ``cells`` as a whole report of format ``fmt`` the way ``copy`` (see COPIES) leaves it."""
    if copy not in COPIES:
        raise ValueError(f"unknown copy {copy!r}; one of {COPIES}")
    start, end = fmt.years
    year = year if year is not None else rnd.randint(start, end if end is not None else start + 3)
    agency = rnd.choice(_PLACES) + rnd.choice(_UNITS)
    requests = _copy_rows(fmt, cells, "requests")
    review = [v for _, vs in _copy_rows(fmt, cells, "review") for v in vs]
    header = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    if copy == "glued":
        return _render_glued(fmt, cells, agency, year, requests, review, header)
    disclosure = _disclosure_lines(fmt, cells)
    lines3: list[str] = []
    lines4: list[str] = ["行政复议 行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"]
    if copy in ("pdf_tail", "pdf_own_line"):
        lines3 += header
        for label, values in requests:
            if len(label) > 10 and rnd.random() < 0.6:
                head, tail = _cut(label, rnd)
                if copy == "pdf_tail":
                    lines3 += [" ".join((head, *values)), tail]
                else:
                    lines3 += [head, " ".join(values), tail]
            else:
                lines3.append(" ".join((label, *values)))
        lines4.append(" ".join(review))
    else:
        lines3 += [" ".join(header[:3])]
        lines3 += ["| " + " | ".join(["业", "构", "益组织", "务机构"] + [""] * 4) + " |", "|" + "---|" * 8]
        fresh = False  # a grid starts again (converters print each piece as a table of its own)
        for n, (label, values) in enumerate(requests):
            if copy == "md_merged_header" and n == 0:
                label = "申请人情况 自然人 " + label
            if copy == "md_unlabelled" and n > 0 and rnd.random() < 0.4:
                after = rnd.random() < 0.5
                if not after:
                    lines3 += ["", *_wrapped(label, rnd)]
                lines3 += ["", "| " + " | ".join(values) + " |", "|" + "---|" * len(values)]
                if after:
                    lines3 += ["", *_wrapped(label, rnd)]
                fresh = True
                continue
            lines3.append("| " + " | ".join((label, *values)) + " |")
            if fresh:
                lines3 += ["|" + "---|" * (len(values) + 1)]
                fresh = False
        if copy == "md_review_row":
            lines4 += ["| 维持 | 纠正 | 其他 | 尚未 | 总计 | 结果 |", "|---|---|---|---|---|---|"]
            groups, rest = [], list(review)
            while rest:
                take = rnd.choice((1, 2, 3)) if len(rest) > 1 else 1
                groups.append(" ".join(rest[:take]))
                rest = rest[take:]
            lines4.append("| " + " | ".join(groups) + " |")
        else:
            lines4.append(" ".join(review))
    out = [f"{agency}{year}年政府信息公开工作年度报告", ""]
    for section in fmt.sections:
        out.append(f"{section.number}、{section.title}")
        out.append("本年度按照要求做好相关工作。")
        out += {"disclosure": disclosure, "requests": lines3, "review": lines4}.get(section.key, [])
        out.append("")
    return "\n".join(out) + "\n"


def _wrapped(label: str, rnd: random.Random) -> list[str]:
    """A label as a narrow PDF column prints it: pieces of 4–12 characters."""
    pieces, rest = [], label
    while rest:
        take = rnd.randint(4, 12)
        while take < len(rest) and (rest[take - 1].isdigit() or rest[take] in " .．、"):
            take += 1
        pieces.append(rest[:take].strip())
        rest = rest[take:]
    return pieces


def _render_glued(fmt, cells, agency, year, requests, review, header) -> str:
    parts = [f"{agency}{year}年政府信息公开工作年度报告 本报告依据《条例》编制。"]
    for section in fmt.sections:
        parts.append(f"{section.number}、{section.title}")
        if section.key == "disclosure":
            table = fmt.table("disclosure")
            for block in table.blocks:
                parts.append((block.caption or "") + "信息内容" + "".join(c.label for c in block.columns))
                for row in block.rows:
                    parts.append(row.label + "".join(
                        _print_value(cells[f"disclosure.{row.key}.{c.key}"], c.kind, _PLAIN) for c in block.columns))
        elif section.key == "requests":
            parts.append("".join(header))
            parts += [label.replace(" ", "") + "".join(values) for label, values in requests]
        elif section.key == "review":
            parts.append("行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计" + "".join(review))
        else:
            parts.append("本年度按照要求做好相关工作，取得了一定成效，群众满意度进一步提升。")
    return "".join(parts) + "\n"


# --------------------------------------------------------------------------------------------------


def error_findings(report) -> list:
    return [f for f in report.findings if f.severity == "error"]


def named_cells(findings: Iterable) -> set[str]:
    return {c for f in findings for c in f.cells}


def is_inference(finding) -> bool:
    """A finding that says a value was inferred rather than read (report-model.md, Values)."""
    return "infer" in finding.rule.lower() or "infer" in (finding.message_en or "").lower()


def same_value(a: Value, b: Value) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b) and not isinstance(a, bool) and not isinstance(b, bool)


def cell_mismatches(report, expected: Mapping[str, Value], *,
                    inferred_ok: Mapping[str, Value] | None = None) -> list[str]:
    """Keys whose parsed value differs from ``expected``, as readable ``key: got X, want Y`` lines.

    A key expected ``None`` (blank / not printed) may hold a value when a finding says it was inferred
    and names the cell: with ``inferred_ok`` (the true values) that value must also be right; without
    it (real reports: the true value is unknown) any inferred value is accepted.
    """
    inferred = named_cells(f for f in report.findings if is_inference(f))
    out = []
    missing = [k for k in expected if k not in report.cells]
    out += [f"{k}: missing from report.cells" for k in missing]
    extra = [k for k in report.cells if k not in expected]
    out += [f"{k}: not a key of the format" for k in extra]
    for key, want in expected.items():
        if key not in report.cells:
            continue
        got = report.cells[key]
        if same_value(got, want):
            continue
        flagged = want is None and got is not None and key in inferred
        if flagged and (inferred_ok is None or same_value(got, inferred_ok.get(key))):
            continue
        out.append(f"{key}: got {got!r}, want {want!r}")
    return out


__all__ = [
    "BLANK_LAYOUTS", "LAYOUTS", "WRAP_LAYOUTS", "arithmetic_keys", "cell_mismatches",
    "error_findings", "file_name", "identity_violations", "is_inference", "named_cells", "random_report",
    "render", "render_copy", "same_value", "COPIES",
]
