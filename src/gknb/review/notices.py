"""Notices from a region's findings: the 通报 (counts, common problems, the units with most problems,
the units that did not publish) and per unit a 审核意见 listing each problem by table, row and column
as printed. Laid out as a ``render.page.Page`` and drawn by the report renderer (GB/T 9704 habits:
方正小标宋 title, 黑体 headings, 仿宋_GB2312 body; PDF by LibreOffice).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..check import RULES
from ..render.page import Page, SectionPart
from ..report import Finding
from .region import UnitReport, view
from .roster import RosterLine
from .scoring import Scheme, score

ORDINALS = "一二三四五六七八九十"
MEDIA = ("docx", "pdf")
COMMON_PROBLEMS = 6
MOST_PROBLEMS = 10
LAW = "《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号"


@dataclass(frozen=True)
class Issuer:
    """Who signs the notices and what they ask for."""

    office: str = "政务公开工作领导小组办公室"
    date: date | None = None
    deadline: str = "收到本通知之日起10个工作日内"

    def signature(self) -> tuple[str, ...]:
        day = self.date or date.today()
        return self.office, f"{day.year}年{day.month}月{day.day}日"


def _ordinal(n: int) -> str:
    return ORDINALS[n - 1] if n <= len(ORDINALS) else str(n)


def circular(region: str, year: int, units: Sequence[UnitReport], roster: Sequence[RosterLine] | None = None,
             scheme: Scheme | None = None, issuer: Issuer | None = None) -> Page:
    """The 通报 on the annual reports of ``region`` for ``year``."""
    issuer = issuer or Issuer()
    lines = (f"关于{region}{year}年度政府信息公开工作", "年度报告审核情况的通报")
    title = "".join(lines)
    errors = sum(u.count("error") for u in units)
    warnings = sum(u.count("warning") for u in units)
    states = Counter(line.status for line in roster or ())
    intro = (f"根据{LAW}要求，{issuer.office}对{region}各单位{year}年度政府信息公开工作年度报告进行了审核。"
             "现将有关情况通报如下。")
    if roster is not None:
        published = len(roster) - states["missing"]
        counts = (f"应发布年度报告 {len(roster)} 家，已发布 {published} 家（按时发布 {states['published']} 家，"
                  f"逾期发布 {states['late']} 家，发布日期不明 {states['unknown_date']} 家），"
                  f"未发布 {states['missing']} 家。")
    else:
        counts = f"共审核年度报告 {len(units)} 份。"
    counts += f"审核发现问题 {errors + warnings} 处，其中数据错误等须改正的问题 {errors} 处、需核实的问题 {warnings} 处。"
    if scheme is not None and units:
        totals = [score(u.report, scheme).total for u in units]
        counts += f"按《{scheme.name}》，平均得分 {sum(totals) / len(totals):.1f} 分（满分 {scheme.total:g} 分）。"
    sections = [SectionPart("一、总体情况", (intro, counts), None)]
    sections.append(SectionPart("二、存在的主要问题", _common_problems(units), None))
    sections.append(SectionPart("三、问题较多的单位", _most_problems(units, scheme), None))
    late = [line for line in roster or () if line.status in ("late", "missing")]
    if roster is not None:
        missing = [line.entry.name for line in late if line.status == "missing"]
        overdue = [f"{line.entry.name}（{line.unit.published if line.unit else ''}发布，期限 {line.due.isoformat()}）"
                   for line in late if line.status == "late"]
        paragraphs = (
            ("截至通报日，以下单位未发布年度报告：" + "、".join(missing) + "。") if missing else "各单位均已发布年度报告。",
            *(("以下单位逾期发布：" + "；".join(overdue) + "。",) if overdue else ()),
        )
        sections.append(SectionPart("四、未发布或逾期发布年度报告的单位", paragraphs, None))
    sections.append(SectionPart(
        f"{_ordinal(len(sections) + 1)}、整改要求",
        (f"请存在问题的单位对照本通报和审核意见逐项核实整改，于{issuer.deadline}将修改后的年度报告重新发布，"
         "并将整改情况报送我办。未发布年度报告的单位应立即发布。",), None,
    ))
    return Page(title, lines, (), tuple(sections), issuer.signature())


def _common_problems(units: Sequence[UnitReport]) -> tuple[str, ...]:
    """一是…二是…: the rules that most units' reports break (errors and warnings), with an example."""
    affected: Counter[str] = Counter()
    places: Counter[str] = Counter()
    example: dict[str, str] = {}
    for unit in units:
        seen = set()
        for found in unit.report.findings:
            if found.severity == "info":
                continue
            places[found.rule] += 1
            example.setdefault(found.rule, f"{unit.agency}：{found.message}")
            seen.add(found.rule)
        affected.update(seen)
    if not affected:
        return ("未发现数据错误或需核实的问题。",)
    lines = []
    ranked = sorted(affected, key=lambda r: (-affected[r], -places[r], r))[:COMMON_PROBLEMS]
    for n, rule in enumerate(ranked, 1):
        title = RULES[rule].title if rule in RULES else rule
        lines.append(f"{_ordinal(n)}是{title}。涉及 {affected[rule]} 家单位、共 {places[rule]} 处，"
                     f"如{_sentence(example[rule])}")
    return tuple(lines)


def _most_problems(units: Sequence[UnitReport], scheme: Scheme | None) -> tuple[str, ...]:
    worst = sorted((u for u in units if u.count("error") or u.count("warning")),
                   key=lambda u: (-u.count("error"), -u.count("warning"), u.agency))[:MOST_PROBLEMS]
    if not worst:
        return ("无。",)
    lines = []
    for n, unit in enumerate(worst, 1):
        got = f"，得分 {score(unit.report, scheme).total:g} 分" if scheme is not None else ""
        lines.append(f"{n}. {unit.agency}：须改正的问题 {unit.count('error')} 处、需核实的问题 "
                     f"{unit.count('warning')} 处{got}。")
    return tuple(lines)


def opinion(unit: UnitReport, scheme: Scheme | None = None, issuer: Issuer | None = None,
            *, with_info: bool = False) -> Page:
    """The 审核意见 (整改通知) to one unit: each problem by table, row and column as printed."""
    issuer = issuer or Issuer()
    title_lines = (f"关于{unit.agency}{unit.year}年度", "政府信息公开工作年度报告的审核意见")
    title = "".join(title_lines)
    groups = (("error", "须改正的问题"), ("warning", "需核实的问题")) + ((("info", "提示"),) if with_info else ())
    counts = "、".join(f"{heading} {unit.count(s)} 条" for s, heading in groups if unit.count(s))
    result = score(unit.report, scheme) if scheme is not None else None
    graded = f"，按《{scheme.name}》得分 {result.total:g} 分" if scheme is not None and result is not None else ""
    intro = (f"{unit.agency}：", f"经审核，你单位{unit.year}年度政府信息公开工作年度报告存在以下问题"
             f"（{counts or '无'}{graded}），请逐项核实整改。")
    sections = [SectionPart("", intro, None)]
    for severity, heading in groups:
        found = [f for f in unit.report.findings if f.severity == severity]
        if not found:
            continue
        lines = tuple(f"{n}. {_problem(unit, f)}" for n, f in enumerate(found, 1))
        sections.append(SectionPart(f"{_ordinal(len(sections))}、{heading}（{len(found)} 条）", lines, None))
    if len(sections) == 1:
        sections.append(SectionPart("一、审核结果", ("未发现须改正或需核实的问题。",), None))
    if result is not None and result.explained():
        sections.append(SectionPart(f"{_ordinal(len(sections))}、扣分情况", tuple(result.explained()), None))
    if len(unit.sources) > 1:
        note = "你单位同一年度报告在多处发布：" + "；".join(unit.sources)
        note += "，各处内容不一致，请统一。" if unit.differs else "。"
        sections.append(SectionPart(f"{_ordinal(len(sections))}、发布情况", (note,), None))
    sections.append(SectionPart(
        f"{_ordinal(len(sections))}、整改要求",
        (f"请于{issuer.deadline}完成整改，修改后的年度报告重新发布，并将整改情况报送{issuer.office}。",), None,
    ))
    return Page(title, title_lines, (), tuple(sections), issuer.signature())


def _problem(unit: UnitReport, found: Finding) -> str:
    seen = view(unit.report, found)
    return f"【{seen.title}】{seen.where}：{_sentence(found.message)}"


def _sentence(text: str) -> str:
    """A message as a sentence of the notice: ending in 。."""
    text = text.rstrip()
    return text if text.endswith("。") else text.rstrip("；;，,") + "。"


def render_notice(page: Page, to: str) -> bytes:
    """The notice as DOCX or PDF bytes (``RenderError`` when LibreOffice is missing for PDF)."""
    if to not in MEDIA:
        raise ValueError(f"unknown medium {to!r}; one of {MEDIA}")
    from ..render.docx import render_docx

    if to == "docx":
        return render_docx(page)
    from ..render.pdf import docx_to_pdf

    return docx_to_pdf(render_docx(page, installed_fonts=True))
