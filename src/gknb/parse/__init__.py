"""Parse: Document → Report (meta, the six sections' text, canonical cells with provenance).

Steps: tokens (tokens.py) → section headings (sections.py) → metadata (meta.py) → which format
version the tables follow (detect.py: the labels that tell the declared versions apart; the year
breaks ties) → the tables' cells (tables.py, with the whole-table alignment of align.py) → the
sections' prose, without the table cells.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from functools import cache, reduce
from itertools import chain

from ..catalogue import finding
from ..document import Block, Document, Line, TableBlock
from ..errors import NotAnnualReport
from ..formats import FORMATS, Format, first_unified_year, format_for_year
from ..formats.common import SECTIONS
from ..report import Finding, Report
from ..text import normalize_label
from .detect import choose, evidence, mixed_with
from .labels import table_hints
from .meta import read_meta
from .sections import Heading, find_headings, paragraphs, run_on, running_heads, section_lines, without_chrome
from .tables import TablesResult, assemble
from .tokens import LONG_LINE, Token, tokenize


def parse(document: Document) -> Report:
    """Parse a document into the canonical report. Raises NotAnnualReport for anything else."""
    tokens = tokenize(document)
    headings = find_headings(tokens, SECTIONS)
    heading_at = {h.token: h.section for h in headings}
    first_heading = headings[0].token if headings else len(tokens)
    head_lines = _head_lines(tokens[:first_heading])[:40]
    if not head_lines:
        head_lines = [t.text for t in tokens if t.kind == "text"][:10]
    grids = [i for i, t in enumerate(tokens) if t.grid]  # indices of the grid tokens, for _section_text
    overview = _raw_section_text(document, tokens, headings, "overview", grids)
    texts = [t.text for t in tokens if t.kind == "text" and not t.grid]
    tail = without_chrome(texts, last=8)
    meta = read_meta(head_lines, overview, declared=document.title, clues=document.declared_units, tail=tail,
                     text="\n".join(texts[:60] + texts[-20:]))

    norm_text = "".join(t.norm for t in tokens if t.kind == "text")
    has_tables = any(h in norm_text for h in table_hints())
    # A report shows its tables, its title, or its structure (一、总体情况 is a report's own heading;
    # a 公开指南 has 主动公开/依申请公开 headings too, but no 总体情况 and no 报告).
    about_disclosure = "信息公开" in norm_text or "政务公开" in norm_text
    structured = len(headings) >= 3 or (
        about_disclosure and any(h.section == "overview" for h in headings) or "报告" in norm_text and headings
    )
    if not has_tables and not structured and not _looks_like_report(meta.title):
        raise NotAnnualReport(
            "不是政府信息公开工作年度报告：未找到年度报告的章节标题或统计表格",
            "not a government information disclosure annual report: no report sections or statistical tables found",
            document.source.path,
        )

    report = Report(source=document.source, meta=meta)
    found = evidence(norm_text)
    fmt = _choose_format(tokens, heading_at, meta.year, has_tables, found)
    consumed: set[int] = set()
    if fmt is None:
        first = first_unified_year()
        old_style = headings and (meta.year is None or meta.year <= first)
        meta.template = "pre2019" if old_style or (meta.year is not None and meta.year <= first) else "unknown"
    else:
        meta.template = fmt.version
        result = assemble(fmt, tokens, heading_at) if has_tables else None
        if result is not None:
            _fill(report, result)
            report.parse_findings.extend(_low_confidence(report))
            consumed = result.consumed
        else:
            report.cells = dict.fromkeys(fmt.cell_keys())
        report.parse_findings.extend(_mixed_formats(fmt, found))
    heads = running_heads(texts)
    in_tables = sorted(consumed)
    report.sections = {s.key: overview if s.key == "overview" and _same_as_raw(tokens, headings, s.key, in_tables, heads)
                       else _section_text(document, tokens, headings, s.key, in_tables, heads, grids)
                       for s in SECTIONS}
    report.section_order = [h.section for h in headings]
    report.headings = {h.section: tokens[h.token].text.strip()[:MAX_HEADING_CHARS] for h in headings}
    report.preamble = "\n".join(t.text for t in tokens[:first_heading] if t.kind == "text" and not t.grid)
    if fmt is not None:
        report.labels.update(_foreign_rows(fmt, tokens))
    if document.notes:
        report.parse_findings.append(
            finding("ingest.note", (), "；".join(n.split(" / ")[0] for n in document.notes),
                    "; ".join(n.split(" / ")[-1] for n in document.notes))
        )
    return report


def _head_lines(tokens: list[Token]) -> list[str]:
    """The lines before the first section heading; a table row there (a converter that put the title in
    a table: ``| | 2020 | 年政府信息公开工作年度报告 |``) is one line of its cells' text."""
    lines: list[str] = []
    in_row = False
    for tok in tokens:
        if tok.grid and tok.kind in ("text", "value"):
            if in_row and not tok.row_start:
                lines[-1] += tok.text
            else:
                lines.append(tok.text)
            in_row = True
        elif tok.kind == "text":
            lines.append(tok.text)
            in_row = False
    return lines


MAX_HEADING_CHARS = 60


@cache
def _foreign_labels(version: str) -> dict[str, str]:
    """Comparison form of each row label another format version prints and ``version`` does not →
    that row's ``table.row`` key (e.g. the 2019 single row （六）其他处理 for a 2021 report)."""
    fmt = FORMATS[version]
    own = {normalize_label(r.label) for t in fmt.tables for b in t.blocks for r in b.rows}
    own_keys = {f"{t.key}.{r.key}" for t in fmt.tables for b in t.blocks for r in b.rows}
    found: dict[str, str] = {}
    for other in FORMATS.values():
        for table in other.tables:
            for block in table.blocks:
                for row in block.rows:
                    key, norm = f"{table.key}.{row.key}", normalize_label(row.label)
                    if key not in own_keys and norm not in own and len(norm) >= 4:
                        found.setdefault(norm, key)
    return found


def _foreign_rows(fmt: Format, tokens: list[Token]) -> dict[str, str]:
    """Rows of another format version printed with numbers: ``table.row`` key → printed label.

    A label counts only when the next token is a number, so a group label the format shares
    (（六）其他处理 heading the three rows of 2021) is not taken for the old single row."""
    labels = _foreign_labels(fmt.version)
    found: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-1]):
        if tok.kind != "text" or tok.norm not in labels:
            continue
        following = next((t for t in tokens[i + 1 : i + 4] if t.kind != "gap"), None)
        if following is not None and following.kind in ("value", "blank"):
            found.setdefault(labels[tok.norm], tok.text.strip())
    return found


def _looks_like_report(title: str | None) -> bool:
    return bool(title) and "信息公开" in title and "报告" in title


def _mixed_formats(fmt: Format, found: dict[tuple[str, str], int]) -> list[Finding]:
    """A report that prints labels of two format versions: its version-specific cells may be
    read into the wrong meaning (e.g. 2019 本年新制作数量 under 2021 本年制发件数)."""
    findings = []
    for other in mixed_with(fmt, found):
        own = [k for k in fmt.cell_keys() if k not in set(other.cell_keys())]
        findings.append(finding(
            "format.mixed", own,
            f"报告同时使用了{fmt.version}版和{other.version}版格式的标签，已按{fmt.version}版读取；"
            f"两版不同的单元格（主要是第二部分）请核对",
            f"the report prints labels of both the {fmt.version} and the {other.version} format; it was read "
            f"as {fmt.version}: check the cells the two versions do not share (mostly section 二)",
        ))
    return findings


def _choose_format(
    tokens: list[Token], headings: dict[int, str], year: int | None, has_tables: bool,
    found: dict[tuple[str, str], int],
) -> Format | None:
    """The format the tables follow: the labels that tell the versions apart decide, the year breaks
    ties; without such labels, the year, or else the version whose tables read the most cells."""
    formats = list(FORMATS.values())
    chosen = choose(found, year)
    if chosen is not None:
        return chosen
    if has_tables:
        by_year = format_for_year(year)
        if by_year is not None:
            return by_year
        results = {f.version: assemble(f, tokens, headings) for f in formats}
        return FORMATS[max(results, key=lambda v: sum(x is not None for x in results[v].cells.values()))]
    if year is not None and year > first_unified_year():
        return format_for_year(year)
    return None


def _fill(report: Report, result: TablesResult) -> None:
    report.cells = result.cells
    report.printed = result.printed
    report.provenance = result.provenance
    report.labels = result.labels
    report.parse_findings.extend(result.findings)


LOW_CONFIDENCE = 0.9  # an OCR reading below this score (Provenance.confidence) is reported


def _low_confidence(report: Report) -> list[Finding]:
    """One ``ocr.low_confidence`` finding naming the cells whose OCR reading the recogniser doubted."""
    keys = tuple(k for k, where in report.provenance.items()
                 if where.confidence is not None and where.confidence < LOW_CONFIDENCE
                 and report.cells.get(k) is not None)
    if not keys:
        return []
    return [finding("ocr.low_confidence", keys,
                    f"文字识别（OCR）对 {len(keys)} 个单元格的读数把握不足，请与原件核对",
                    f"OCR is unsure of {len(keys)} cell(s): check them against the original")]


def _section_blocks(tokens: list[Token], headings: list[Heading], key: str) -> tuple[int, int] | None:
    for i, heading in enumerate(headings):
        if heading.section == key:
            end = headings[i + 1].token if i + 1 < len(headings) else len(tokens)
            return heading.token, end
    return None


def _raw_section_text(document: Document, tokens: list[Token], headings: list[Heading], key: str,
                      grids: list[int]) -> str:
    return _section_text(document, tokens, headings, key, [], set(), grids) or ""


def _same_as_raw(tokens: list[Token], headings: list[Heading], key: str, in_tables: list[int],
                 heads: set[str]) -> bool:
    """Whether the section's prose is its raw text (_raw_section_text, already read): it was found,
    no table token stands in it and the copy prints no running heads."""
    span = _section_blocks(tokens, headings, key)
    return span is not None and not heads and bisect_right(in_tables, span[0]) == bisect_left(in_tables, span[1])


def _section_text(
    document: Document, tokens: list[Token], headings: list[Heading], key: str, in_tables: list[int],
    heads: set[str], grids: list[int],
) -> str | None:
    """The prose of one section: its lines, without the heading, table cells (``in_tables``: the sorted
    indices of the tokens the tables consumed), page chrome (running ``heads`` among it) and, in the
    section that closes the report, the 落款. ``grids``: the sorted indices of the grid tokens."""
    span = _section_blocks(tokens, headings, key)
    if span is None:
        return None
    start, end = span
    heading = next(h for h in headings if h.section == key)
    parts: list[str] = []
    if heading.rest:
        norm = tokens[start].norm
        parts.append(_printed_rest(tokens[start].text, norm[: len(norm) - len(heading.rest)]))
    blocks_seen: set[int] = set()
    grid_is_prose: dict[tuple[int, bool], bool] = {}  # (grid block, among a table's cells) → prose?
    inside = in_tables[bisect_right(in_tables, start):bisect_left(in_tables, end)]
    table_blocks = {tokens[i].block for i in inside}
    # Between empty lines the table took in and its first cell, a sentence is the section's prose.
    lead = next((i for i in inside if tokens[i].kind != "gap"), end)
    # From the first to the last table cell of the section is the table (header words a wrapped header
    # row leaves over, such as 商业 … 企业), never the section's prose.
    table_span = range(inside[0], inside[-1] + 1) if inside else range(0)
    numbers: Counter[int] | None = None  # grid block → its numbers in the section, counted when a grid asks
    # The table's tokens from its first cell on are never prose unless a grid token stands among them
    # (the loop below would skip each of them): a table printed without grids is passed over at once.
    indices: Iterable[int] = range(start + 1, end)
    skip_from = max(lead, table_span.start) if inside else end
    if skip_from < table_span.stop and bisect_left(grids, skip_from) == bisect_left(grids, table_span.stop):
        indices = chain(range(start + 1, skip_from), range(table_span.stop, end))
    for i in indices:
        tok = tokens[i]
        b = tok.block
        if b in blocks_seen or tok.kind == "gap":
            continue
        in_table = b in table_blocks or i in table_span
        if tok.grid:
            decided = grid_is_prose.get((b, in_table))  # once a grid, not once per cell
            if decided is None:
                if numbers is None:
                    section_grids = grids[bisect_left(grids, start + 1):bisect_left(grids, end)]
                    numbers = Counter(t.block for t in map(tokens.__getitem__, section_grids) if t.kind == "value")
                decided = grid_is_prose[b, in_table] = _prose_grid(document.blocks[b], numbers.get(b, 0), in_table)
            if decided:
                blocks_seen.add(b)
                parts.extend(reduce(run_on, (c.text.strip() for c in row), "") for row in document.blocks[b].rows)
            elif b in table_blocks:  # every later cell of this grid is a table cell too: passed over at once
                blocks_seen.add(b)
            continue
        if b in table_blocks or i in table_span and not (i < lead and _SENTENCE_END.search(tok.text)):
            continue
        block = document.blocks[b]
        if not isinstance(block, Line):
            continue
        if len(block.text) > LONG_LINE:  # a flattened report: its pieces belong to different sections
            parts.append(tok.text)
            continue
        blocks_seen.add(tok.block)
        parts.append(block.text.strip())
    last = max(h.token for h in headings) == heading.token
    return "\n".join(p for p in paragraphs(section_lines(parts, heads, last=last)) if p)


_SENTENCE_MARK = re.compile(r"[，。；：、！？]")
_SENTENCE_END = re.compile(r"[。；！？]$")
_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


def _prose_grid(block: Block, numbers: int, in_table: bool) -> bool:
    """A Markdown grid that is prose a converter cut into cells (markitdown on a PDF: ``| 文件、项目
    审批…2023 |  | 年，我区在政 |``): at most one number a row, and sentence marks — a sentence's end
    where the grid stands among a table's cells (``| 本年度共主动公开政府信息 | 500 | 条。 |``, not a
    header's ``勾稽关系为：…``) — or a date (the 落款's). Its rows are then lines of the section's text."""
    if not isinstance(block, TableBlock) or block.separator != "pipe" or numbers > len(block.rows):
        return False
    texts = [c.text.strip() for row in block.rows for c in row]
    if in_table:
        return any(_SENTENCE_END.search(t) for t in texts)
    return any(_SENTENCE_MARK.search(t) for t in texts) or any(
        _DATE.match(reduce(run_on, (c.text.strip() for c in row), "")) for row in block.rows)


def _printed_rest(printed: str, heading_norm: str) -> str:
    """The printed text after a heading that shares its line with the section's first sentence:
    walk the printed line until every character of the heading's comparison form is consumed."""
    j = 0
    for pos, char in enumerate(printed):
        if j >= len(heading_norm):
            return printed[pos:].strip()
        if unicodedata.normalize("NFKC", char) == heading_norm[j]:
            j += 1
    return ""
