"""The one catalogue of findings: every code any stage emits, declared once (docs/rules.md).

Each entry gives the code, the stage that emits it, its severity, a Chinese and an English title and
a one-line description; ``overrides`` lists the other severities the code may be emitted at, and
when. Every stage builds its findings with ``finding(code, …)``, which takes the severity from here
(an override must be one the entry documents), so ``gknb rules`` and docs/rules.md list everything a
report can carry.

>>> from gknb.catalogue import CATALOGUE, finding
>>> CATALOGUE["identity.balance"].stage
'check'
>>> finding("parse.row_missing", ["requests.new.total"], "…", "…").severity
'warning'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .report import Finding

Severity = Literal["error", "warning", "info"]
Stage = Literal["ingest", "ocr", "parse", "data", "workbook", "check", "cross-year", "cross-report", "filing"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_LABELS: dict[str, tuple[str, str]] = {"error": ("错误", "error"), "warning": ("警告", "warning"),
                                               "info": ("提示", "info")}


def severity_label(severity: str, lang: str = "zh") -> str:
    """A severity as users read it: 错误/警告/提示 (``lang="en"``: error/warning/info)."""
    zh, en = SEVERITY_LABELS.get(severity, (severity, severity))
    return en if lang == "en" else zh
STAGES: tuple[Stage, ...] = ("ingest", "ocr", "parse", "data", "workbook", "check", "cross-year", "cross-report",
                             "filing")
# The stages ``gknb.check`` recomputes: a re-check of a stored report replaces their findings and keeps
# the others (how the source was read).
CHECK_STAGES: frozenset[str] = frozenset({"check", "cross-year", "cross-report"})


@dataclass(frozen=True)
class Code:
    """One finding code: stable, documented in docs/rules.md under ``### `code```."""

    code: str
    stage: Stage
    severity: Severity
    title: str
    title_en: str
    description: str
    overrides: dict[str, str] = field(default_factory=dict)  # other severity → when it is used

    def severities(self) -> tuple[str, ...]:
        """Every severity a finding of this code can have, the default first."""
        return (self.severity, *self.overrides)


def _codes(*entries: Code) -> dict[str, Code]:
    out: dict[str, Code] = {}
    for entry in entries:
        if entry.code in out:
            raise ValueError(f"finding code declared twice: {entry.code}")
        out[entry.code] = entry
    return dict(sorted(out.items()))


_UNVERIFIABLE = {"warning": "blank cells prevent verification"}

CATALOGUE: dict[str, Code] = _codes(
    # -- ingest and OCR -------------------------------------------------------------------------
    Code("ingest.note", "ingest", "info", "读取时对文字作了转换", "the text was converted while reading",
         "What ingest changed in the text (traditional characters to simplified, pinyin annotations removed, "
         "table text printed one character apart joined)."),
    Code("ocr.low_confidence", "ocr", "warning", "文字识别对部分单元格把握不足", "OCR is unsure of some cells",
         "The OCR reader doubted its reading of these cells (scanned PDFs and images)."),
    # -- parse ----------------------------------------------------------------------------------
    Code("label.variant", "parse", "info", "行标签与官方格式不一致", "row label differs from the official format",
         "A row label is printed differently from the official format (a known variant or a typo matched by similarity)."),
    Code("format.mixed", "parse", "warning", "同时使用了两个格式版本的标签", "labels of two format versions",
         "The report prints distinctive labels of two format versions; the cells they do not share are named."),
    Code("parse.alignment_inferred", "parse", "warning", "按勾稽关系确定了数字所在列",
         "cell positions inferred from the identities",
         "A row prints fewer cells than columns or fits several placements; the identities singled one out."),
    Code("parse.alignment_ambiguous", "parse", "warning", "无法确定数字所在列", "cell positions undetermined",
         "As parse.alignment_inferred, but nothing decides: the numbers are placed by the most common layout."),
    Code("parse.alignment_positioned", "parse", "info", "按水平位置对齐了缺印单元格的行",
         "cells placed by their horizontal position",
         "A row of a space-aligned text copy prints fewer numbers; each was placed by its offset."),
    Code("parse.extra_values", "parse", "warning", "一行印出的数字多于应有的个数", "a row prints extra numbers",
         "A row prints more numbers than it has cells; the first ones are taken."),
    Code("parse.row_missing", "parse", "warning", "表格中缺少行", "rows missing from a table",
         "Rows of a table that was found are not in the document; their cells are blank."),
    Code("parse.row_by_order", "parse", "warning", "按行序放置了没有行标签的数字", "rows placed by their order",
         "A table's number rows have no label on their line; they were placed on the declared rows by order and "
         "label fragments nearby (one finding per table, naming the cells)."),
    Code("parse.alignment_contradicted", "parse", "warning", "按行序放置的数字与勾稽关系矛盾",
         "rows placed by order break an identity",
         "A placement by row order breaks an identity; the cells are named and may be misplaced."),
    Code("parse.cells_glued", "parse", "warning", "表格单元格粘连，请使用原网页或原文件",
         "table cells glued together: use the original page or file",
         "The copy glues each cell to the next (行政许可3960181); a digit run was split only where the identities "
         "admit exactly one split, else its cells are left blank and named."),
    Code("parse.table_by_columns", "parse", "warning", "表格按列输出，无法对应行列，请使用原文件",
         "table printed column by column: use the original file",
         "A text copy of a PDF (pdftotext without -layout, pdf2txt.py) prints the table's row labels apart from "
         "their numbers, column by column; the table's cells are left unread and named."),
    Code("parse.columns_decoded", "parse", "info", "按列输出的表格已还原", "table printed by columns decoded",
         "A text copy of a PDF prints the table column by column; its cells were read by the format's rows and "
         "columns, the labels printed with the numbers, the runs of numbers and the identities, where every "
         "reading left agrees."),
    Code("parse.zero_or_blank", "parse", "warning", "单元格为0或空白，无法确定",
         "cell 0 or blank, undetermined",
         "A copy drops blank cells without a trace where only 0s stand around them: a table printed column "
         "by column, each number a box of its own, or a row printing only 0s and fewer of them than its "
         "cells (a PDF's text through pypdf, pdfplumber, markitdown). Every reading of the copy prints 0 in "
         "these cells or leaves them blank; they are read as 0 (where exactly half the readings leave one "
         "blank, as the likeliest gives it) and some of them may be blank in the original."),
    Code("parse.columns_order_assumed", "parse", "warning", "按列输出的表格按列序改动最少的读法读取",
         "table printed by columns read with the fewest columns out of order",
         "A table printed column by column admits readings in which pdf2txt printed more of its page parts with a "
         "column out of the declared order, which give these cells other numbers; the readings with the fewest "
         "such parts were taken."),
    Code("parse.reading_order", "parse", "warning", "按阅读顺序输出的表格已还原", "table printed in reading order decoded",
         "A text copy of a PDF (pdftotext without -layout) prints the table's numbers apart from their labels; its "
         "cells were placed all at once by the format's rows and columns, the count of numbers and the identities "
         "(or, in a table no identity checks, by the labels before each run of numbers)."),
    Code("parse.alignment_by_gaps", "parse", "info", "按空行推断了空白单元格", "blank cells inferred from empty lines",
         "A one-cell-per-line copy shows a blank cell as an empty line; the blanks were placed by counting them."),
    # -- data files and the Excel workbook ------------------------------------------------------
    Code("data.bad_value", "data", "error", "数据文件中的值无效", "invalid value in a data file",
         "A cell value or the report year of a JSON/YAML data file is not a number; it is treated as blank."),
    Code("data.unknown_key", "data", "warning", "数据文件中的单元格键不属于该格式", "unknown cell key in a data file",
         "A cell key of a data file is not part of the report's format; it is ignored."),
    Code("workbook.bad_value", "workbook", "error", "工作簿中的值无效", "invalid value in the workbook",
         "A cell or the report year of a filled workbook is not a number; it is treated as blank."),
    Code("workbook.missing_sheet", "workbook", "error", "工作簿缺少工作表", "workbook sheet missing",
         "A sheet of the template is missing; its cells (or the title, year and text) cannot be read."),
    Code("workbook.layout_changed", "workbook", "error", "工作表的表格结构被改动", "workbook layout changed",
         "Rows or columns of a sheet were inserted, deleted or moved: every value may be misplaced."),
    Code("workbook.formula_not_computed", "workbook", "warning", "公式未经计算", "formula never calculated",
         "A cell holds a formula no spreadsheet program has calculated; it is treated as blank."),
    Code("workbook.no_format", "workbook", "error", "无法确定工作簿的格式版本", "workbook format unknown",
         "Neither the template, the year nor the sheets tell which format version the workbook follows."),
    # -- check: identities, values, completeness ------------------------------------------------
    Code("identity.cell", "check", "error", "单个单元格可解释多个不成立的等式", "one cell explains several failing identities",
         "One cell is the smallest explanation of several failing identities; names the value it should have."),
    Code("identity.balance", "check", "error", "勾稽关系不成立（第一项加第二项之和不等于第三项加第四项之和）",
         "balance fails (new + carried over ≠ handled total + carried forward)",
         "Identity 1 of report-model.md fails.", _UNVERIFIABLE),
    Code("identity.outcomes_total", "check", "error", "（七）总计不等于各办理结果之和",
         "(七) total differs from the sum of the outcome rows", "Identity 2 of report-model.md fails.", _UNVERIFIABLE),
    Code("identity.row_total", "check", "error", "总计列不等于各类申请人之和",
         "row total differs from the sum of the applicant columns", "Identity 3 of report-model.md fails.",
         _UNVERIFIABLE),
    Code("identity.review_total", "check", "error", "复议/诉讼总计不等于各结果之和",
         "review/litigation total differs from the sum of its results", "Identity 4 of report-model.md fails.",
         _UNVERIFIABLE),
    Code("value.negative", "check", "error", "数值为负数", "negative value where none is allowed",
         "A count or an amount is negative (only signed columns may be)."),
    Code("value.not_integer", "check", "error", "数量不是整数", "count is not an integer",
         "A count or a signed column holds a fraction."),
    Code("value.money_precision", "check", "warning", "金额超过4位小数", "amount has more than 4 decimals",
         "An amount in 万元 has more than four decimals."),
    Code("value.money_large", "check", "warning", "金额异常大（请核对单位：万元）",
         "amount implausibly large (check the unit: 万元)", "An amount looks given in 元 rather than 万元."),
    Code("cell.blank", "check", "warning", "单元格空白（空白不等于0）", "blank cell (blank is not 0)",
         "Cells of a table that has values are blank (cells a parse finding doubts: not read, possibly blank)."),
    Code("table.missing", "check", "warning", "整张表格没有数据", "a whole table has no values",
         "A whole table has no value (not found, or all blank).", {"error": "the table of section 三"}),
    # -- check: the report as a whole -----------------------------------------------------------
    Code("section.missing", "check", "warning", "缺少章节", "section missing",
         "A section of the format is missing.", {"error": "section 三"}),
    Code("section.order", "check", "warning", "章节顺序与统一格式不一致", "sections out of the official order",
         "The sections are printed out of the official order."),
    Code("format.year_mismatch", "check", "error", "报告年度与所用格式不符", "format does not match the report year",
         "The format version used is not the one in force for the report year.",
         {"info": "a report of the first unified year in the old style"}),
    Code("format.pre2019", "check", "info", "早于统一格式，不检查表格",
         "pre-dates the unified format; no table cells expected", "A free-form report before the unified formats."),
    Code("format.unknown", "check", "warning", "未识别出统一格式", "unified format not recognised",
         "No format version was recognised for a report that should use one."),
    Code("meta.year_missing", "check", "warning", "未识别出报告年度", "report year not found",
         "The report year was not found; format and deadline cannot be checked."),
    Code("meta.agency_missing", "check", "warning", "未识别出发布机关", "agency not found",
         "The reporting agency was not found."),
    Code("deadline.late", "check", "warning", "晚于法定发布期限", "published after the statutory deadline",
         "Published after 《条例》第四十九条's deadline (31 January for departments, else 31 March)."),
    # -- check: text, plausibility, narrative ---------------------------------------------------
    Code("text.table_mismatch", "check", "warning", "正文数字与表格不一致", "number in the text differs from the table",
         "A number the prose states differs from the cell it describes."),
    Code("text.none_but_table", "check", "warning", "正文称没有，表格却有数",
         "the text says there were none, the table has some", "The prose says there were none; the table has some."),
    Code("plausibility.regulations_level", "check", "warning", "县级及以下机关报告了规章",
         "a county-level or lower agency reports 规章", "Only provinces and larger cities make 规章."),
    Code("plausibility.published_total", "check", "warning", "对外公开总数量小于本年新公开数量",
         "total published is smaller than newly published this year",
         "2019 format: the total published is smaller than this year's new publications."),
    Code("other.fee_not_reported", "check", "info", "第六部分未报告信息处理费收取情况",
         "section 六 does not report the information-processing fees",
         "Section 六 does not say whether information-processing fees were charged."),
    Code("content.accountability_missing", "check", "warning", "人民政府报告未说明考核、评议、责任追究情况",
         "a people's government report omits assessment, public evaluation or accountability",
         "A people's government report omits assessment, evaluation or accountability."),
    # -- check: what review offices check (issue 14; severities argued in docs/rules.md) -----------
    Code("period.year_mismatch", "check", "error", "统计期限的年份与报告年度不一致",
         "the statistics period is of another year than the report",
         "The 统计期限 sentence names another year than the report year; says which clue the year came from."),
    Code("period.not_whole_year", "check", "warning", "统计期限不是完整的自然年度（1月1日至12月31日）",
         "the statistics period is not the whole calendar year", "The 统计期限 is not 1月1日 to 12月31日."),
    Code("meta.year_conflict", "check", "error", "标题年份与正文年份不一致", "the title's year differs from the body's",
         "The title names another year than the overview and the 统计期限."),
    Code("section.numbering", "check", "warning", "章节编号与统一格式不一致", "section numbering differs from the official one",
         "The six parts are not numbered 一 to 六 (二–六 printed as 一–五, numbering restarted or repeated)."),
    Code("section.subitem_promoted", "check", "warning", "章节内的小标题使用了一级编号",
         "a sub-item is numbered like a top-level section",
         "Inside a part, sub-items are numbered 一、二、 like the six parts instead of （一）（二）."),
    Code("section.empty", "check", "warning", "章节有标题但没有内容", "a section has its heading but no content",
         "总体情况 or 第五部分 is 「无」 or only a few characters (not for a copy that is cut off)."),
    Code("problems.no_improvement", "check", "warning", "第五部分只写问题，未写改进情况",
         "section 五 lists problems but no improvements", "第五部分 lists problems but states no improvement."),
    Code("plausibility.in_force_below_made", "check", "warning", "现行有效件数小于本年制发件数",
         "documents in force are fewer than those made this year",
         "现行有效件数 is below 本年制发件数 and the text gives no reason (lapsed or repealed within the year)."),
    Code("plausibility.money_level", "check", "warning", "收费金额相对本级机关异常大（可能按元填写）",
         "fee amount implausibly large for the unit's level (probably given in 元)",
         "Fees too large for the unit's level: 元 probably written in a 万元 column."),
    Code("format.old_rows", "check", "warning", "使用了另一版格式的表格行", "table rows of the other format version",
         "A row of another format version (the 2019 single row （六）其他处理 in a 2021 report) is printed with "
         "numbers; names the rows of the report's own format left unfilled."),
    Code("text.closed_but_carried", "check", "warning", "正文称申请均已办结，表格却有结转下年度",
         "the text says every request was closed, the table carries some forward",
         "「所有申请均已办结」 or 「无结转」 while 结转下年度 > 0; 「上年无结转」 while 上年结转 > 0."),
    # -- cross-report (other units' reports of the same year) -----------------------------------
    Code("crossreport.copied_text", "cross-report", "warning", "章节文字与其他单位同年报告高度相同",
         "section text the same as another unit's report of the same year",
         "A section at least 90 % the same as another unit's report of the same year; names all the units."),
    # -- cross-year (the same agency's report of the year before) -------------------------------
    Code("crossyear.carry_over", "cross-year", "error", "上年结转申请数与上一年报告的结转下年度数不一致",
         "requests carried over differ from last year's carried forward",
         "Identity 5: 二、上年结转 (Y) equals 四、结转下年度继续办理 (Y−1)."),
    Code("crossyear.jump", "cross-year", "warning", "与上一年相比变化异常大", "implausible change from the previous year",
         "A headline count grew or shrank tenfold, and by at least 100."),
    Code("crossyear.prev_items", "cross-year", "warning", "“上一年项目数量”与上一年报告不衔接",
         "previous-year item counts do not follow from last year's report",
         "上一年项目数量 (Y) equals 上一年项目数量 (Y−1) + 本年增/减 (Y−1)."),
    Code("crossyear.in_force", "cross-year", "warning", "现行有效件数与上一年报告不衔接",
         "documents in force do not follow from last year's report",
         "现行有效件数 (Y) ≈ 现行有效件数 (Y−1) + 本年制发 (Y) − 本年废止 (Y)."),
    Code("crossyear.copied_text", "cross-year", "info", "章节文字与上一年报告高度相同",
         "section text copied from last year's report", "A section's text is at least 90 % alike last year's."),
    # -- filing (备案: the published copy against the draft the review office approved) ----------
    Code("filing.changed_after_approval", "filing", "error", "公布稿与备案通过稿不一致",
         "the published report differs from the approved draft",
         "A cell, a section or the year of the published report differs from the draft approved at 备案 "
         "(docs/drafting.md); each change is named."),
)


def finding(code: str, cells: Iterable[str] = (), message: str = "", message_en: str = "",
            severity: str | None = None) -> Finding:
    """A finding of a catalogued code, at its declared severity unless ``severity`` is one of the
    entry's documented overrides. Raises ``KeyError`` for a code the catalogue lacks."""
    entry = CATALOGUE[code]
    chosen = severity or entry.severity
    if chosen not in entry.severities():
        raise ValueError(f"{code}: severity {chosen!r} is neither the declared one nor a documented override")
    return Finding(code, chosen, tuple(dict.fromkeys(cells)), message, message_en)


def stage_of(code: str) -> str | None:
    """The stage that emits ``code`` (None for a code the catalogue lacks, e.g. from an old export)."""
    entry = CATALOGUE.get(code)
    return entry.stage if entry is not None else None


def codes(*stages: str) -> list[Code]:
    """The catalogue entries of the given stages (all when none given), ordered by code."""
    return [c for c in CATALOGUE.values() if not stages or c.stage in stages]
