"""The checks review offices make (issue 14 §1): each planted in a report that is otherwise clean, and
the clean report quiet. Reports are printed by tests/layouts.py and read back with ``gknb.read``, or
built directly (``consistent_report``) where only the rule's logic is under test."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

import gknb
from gknb.check import check
from gknb.check.crossreport import same_year_copies
from gknb.formats import FORMATS
from layouts import LAYOUTS, file_name, random_report, render
from test_check import consistent_report, with_rule, zero_report

FMT = FORMATS["2021"]
REVIEW_CODES = (
    "period.year_mismatch", "period.not_whole_year", "meta.year_conflict", "section.numbering",
    "section.subitem_promoted", "section.empty", "problems.no_improvement", "plausibility.in_force_below_made",
    "plausibility.money_level", "format.old_rows", "text.closed_but_carried", "crossreport.copied_text",
)
PERIOD = "本报告所列数据的统计期限自{a}起至{b}止。"


def printed(year: int = 2022, seed: int = 3, layout: str = "tab", agency: str = "青山县民政局",
            cells: dict | None = None) -> tuple[str, dict]:
    """A clean 2021-format report as text, with the customary opening paragraph and 统计期限."""
    cells = cells or random_report(FMT, random.Random(seed))
    text = render(FMT, cells, layout, random.Random(seed + 1), year=year, agency=agency, bare_review=False)
    opening = ("本报告由总体情况、主动公开政府信息情况等六部分组成。"
               + PERIOD.format(a=f"{year}年1月1日", b=f"{year}年12月31日"))
    marker = "<p><strong>一、" if layout == "html" else "\n一、"
    text = text.replace(marker, ("<p>" + opening + "</p>" if layout == "html" else "\n" + opening) + marker, 1)
    return text, cells


def read(text: str, layout: str = "tab"):
    return gknb.read(text.encode("utf-8"), name=file_name(layout))


def review_rules(report) -> set[str]:
    return {f.rule for f in report.findings if f.rule in REVIEW_CODES}


# --- clean reports stay quiet ------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_clean_printed_reports_are_quiet(layout, seed):
    text, cells = printed(seed=seed, layout=layout)
    report = read(text, layout)
    assert report.cells == cells
    assert review_rules(report) == set()


# --- 统计期限 and the report year -------------------------------------------------------------------


def test_period_of_another_year():
    text, _ = printed(2022)
    text = text.replace("自2022年1月1日起至2022年12月31日止", "自2023年1月1日起至2023年12月31日止")
    found = with_rule(read(text), "period.year_mismatch")
    assert len(found) == 1 and found[0].severity == "error"
    assert "2023" in found[0].message and "取自标题" in found[0].message


def test_period_not_the_whole_year():
    text, _ = printed(2022)
    text = text.replace("自2022年1月1日起至2022年12月31日止", "自2022年1月1日起至2022年11月30日止")
    found = with_rule(read(text), "period.not_whole_year")
    assert len(found) == 1 and "2022年11月30日" in found[0].message


def test_period_with_end_year_left_out_is_whole_year():
    text, _ = printed(2022)
    text = text.replace("自2022年1月1日起至2022年12月31日止", "为2022年1月1日至12月31日")
    report = read(text)
    assert review_rules(report) == set()


def test_title_year_against_body_year():
    text, _ = printed(2023)
    title = text.split("\n", 1)[0]
    text = text.replace(title, title.replace("2023年", "2022年"), 1)
    report = read(text)
    assert report.meta.year == 2022  # the parser takes the title's year …
    conflict = with_rule(report, "meta.year_conflict")  # … and says the body contradicts it
    assert len(conflict) == 1 and "标题为 2022 年" in conflict[0].message and "2023" in conflict[0].message
    assert with_rule(report, "period.year_mismatch")


# --- the outline -------------------------------------------------------------------------------------


def test_sections_two_to_six_numbered_one_to_five():
    text, _ = printed()
    for number, lower in zip("二三四五六", "一二三四五", strict=True):
        text = re.sub(rf"^{number}、(?=[^\n]{{0,20}}(?:情况|事项|措施))", f"{lower}、", text, count=1, flags=re.M)
    found = with_rule(read(text), "section.numbering")
    assert len(found) == 1 and "整体少一位" in found[0].message


def test_numbering_restarted():
    text, _ = printed()
    text = re.sub(r"^四、(?=政府信息公开行政复议)", "一、", text, count=1, flags=re.M)
    text = re.sub(r"^五、(?=存在)", "二、", text, count=1, flags=re.M)
    found = with_rule(read(text), "section.numbering")
    assert len(found) == 1 and "重新开始" in found[0].message


def test_subitems_promoted_to_top_level():
    text, _ = printed()
    text = text.replace("（一）主动公开方面。", "一、主动公开工作\n", 1).replace("（五）监督保障方面。", "五、监督保障\n", 1)
    found = with_rule(read(text), "section.subitem_promoted")
    assert len(found) == 1 and "「一、主动公开工作」" in found[0].message


def test_section_five_says_nothing():
    report = consistent_report(FMT, 2)
    report.sections["problems"] = "无。"
    found = with_rule(check(report), "section.empty")
    assert len(found) == 1 and "五、存在的主要问题及改进情况" in found[0].message


def test_problems_without_improvement():
    report = consistent_report(FMT, 2)
    report.sections["problems"] = "存在的主要问题：一是工作人员业务水平参差不齐；二是信息发布的及时性不够。"
    assert len(with_rule(check(report), "problems.no_improvement")) == 1
    report.sections["problems"] += "下一步，我们将加强业务培训。"
    assert with_rule(check(report), "problems.no_improvement") == []
    report.sections["problems"] = "存在的主要问题：一是信息公开的及时性有待进一步提高；二是政策解读需加强，形式不够丰富。"
    assert len(with_rule(check(report), "problems.no_improvement")) == 1


# --- table 二 -----------------------------------------------------------------------------------------


def test_in_force_below_made_without_explanation():
    report = consistent_report(FMT, 2)
    report.cells["disclosure.normative_docs.made"] = 6
    report.cells["disclosure.normative_docs.in_force"] = 2
    found = with_rule(check(report), "plausibility.in_force_below_made")
    assert [f.cells for f in found] == [("disclosure.normative_docs.in_force", "disclosure.normative_docs.made")]
    report.sections["disclosure"] = "本年度有4件规范性文件因有效期届满而失效。"
    assert with_rule(check(report), "plausibility.in_force_below_made") == []


@pytest.mark.parametrize(("agency", "level", "region", "amount", "fires"), [
    ("红旗镇人民政府", "township", {}, Decimal("125000"), True),
    ("红旗镇人民政府", "township", {}, Decimal("12.5"), False),
    ("青山县民政局", "department", {"county": "青山县"}, Decimal("25000"), True),
    ("青山县民政局", "department", {"county": "青山县"}, Decimal("2500"), False),
    ("某省人民政府", "province", {"province": "某省"}, Decimal("125000"), False),
])
def test_fees_too_large_for_the_level(agency, level, region, amount, fires):
    report = consistent_report(FMT, 2)
    report.meta.agency, report.meta.level = agency, level
    report.meta.region = {"province": None, "city": None, "county": None, **region}
    report.cells["disclosure.fees.amount"] = amount
    found = with_rule(check(report), "plausibility.money_level")
    assert bool(found) == fires
    if fires:
        assert found[0].cells == ("disclosure.fees.amount",) and "元" in found[0].message


# --- the 2019 row in a 2021 report ----------------------------------------------------------------


@pytest.mark.parametrize("layout", ["tab", "lines", "pipe_rows"])
def test_2019_single_other_row_in_2021_report(layout):
    text, cells = printed(layout=layout)
    report = read(text, layout)
    assert with_rule(report, "format.old_rows") == []
    values = [cells[f"requests.{r}.{c}"] for r in ("other_no_correction",) for c in
              ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")]
    # print （六）其他处理 as the 2019 format's single row: the group label, then the numbers
    old = FORMATS["2019"].table("requests").row("other").label
    lines = text.split("\n")
    out, in_group = [], False
    for line in lines:
        if "申请人无正当理由逾期不补正" in line:
            sep = {"tab": "\t", "lines": "\n\t", "pipe_rows": " | "}[layout]
            out.append(sep.join([old, *map(str, values)]) if layout != "lines" else "\t" + old + sep + sep.join(map(str, values)))
            in_group = True
            continue
        if in_group and ("逾期未按收费通知" in line or re.search(r"3[.．、]其他", line)):
            continue
        if "（七）" in line or "(七)" in line:
            in_group = False
        out.append(line)
    report = read("\n".join(out), layout)
    found = with_rule(report, "format.old_rows")
    assert len(found) == 1, [f.rule for f in report.findings]
    assert "2019年格式" in found[0].message and "requests.other_no_correction.total" in found[0].cells


# --- prose against the tables -------------------------------------------------------------------------


PROSE_CASES = [
    ("上年结转政府信息公开申请3件。", "requests.carried_over.total", 3),
    ("结转下年度继续办理2件。", "requests.carry_forward.total", 2),
    ("其余两件结转至下一年度办理。", "requests.carry_forward.total", 2),
    ("现行有效规范性文件十二件。", "disclosure.normative_docs.in_force", 12),
    ("行政规范性文件现行有效45件。", "disclosure.normative_docs.in_force", 45),
    ("废止行政规范性文件3件。", "disclosure.normative_docs.repealed", 3),
    ("作出行政许可决定三件。", "disclosure.licensing.decisions", 3),
    ("全年作出行政处罚决定12件。", "disclosure.punishment.decisions", 12),
    ("行政强制5件。", "disclosure.coercion.decisions", 5),
    ("行政复议案件中结果维持2件。", "review.review.upheld", 2),
    ("行政复议决定被纠正1件。", "review.review.corrected", 1),
    ("行政诉讼案件维持原行政行为2起。", "review.litigation_direct.upheld", 2),
]


@pytest.mark.parametrize(("sentence", "key", "stated"), PROSE_CASES)
def test_prose_quantities_against_the_table(sentence, key, stated):
    report = zero_report(FMT)
    report.sections["overview"] = f"2021年，{sentence}"
    found = with_rule(check(report), "text.table_mismatch")
    assert len(found) == 1 and key in found[0].cells and f" {stated} 件" in found[0].message
    report = zero_report(FMT)
    for cell in found[0].cells:
        report.cells[cell] = 0
    report.cells[key] = stated
    report.sections["overview"] = f"2021年，{sentence}"
    assert with_rule(check(report), "text.table_mismatch") == [], "agreeing prose must stay quiet"


@pytest.mark.parametrize("sentence", [
    "公开行政许可信息120条，行政处罚信息35条。",
    "梳理行政许可事项12项。",
    "受理行政许可申请30件。",
    "累计清理规范性文件40件。",
    "行政复议、行政诉讼均为0件。",
])
def test_unrelated_prose_is_quiet(sentence):
    report = zero_report(FMT)
    report.sections["overview"] = sentence
    assert with_rule(check(report), "text.table_mismatch") == []


@pytest.mark.parametrize("sentence", [
    "本年度收到的政府信息公开申请均已按时办结。",
    "所有申请均已办理完毕，无结转。",
    "无结转下年度办理的申请。",
])
def test_all_closed_while_some_are_carried_forward(sentence):
    report = zero_report(FMT, new_requests=4)
    for key in ("requests.total.natural_person", "requests.total.total", "requests.granted.natural_person",
                "requests.granted.total"):
        report.cells[key] = 3
    report.cells["requests.carry_forward.natural_person"] = report.cells["requests.carry_forward.total"] = 1
    report.sections["requests"] = sentence
    found = with_rule(check(report), "text.closed_but_carried")
    assert [f.cells for f in found] == [("requests.carry_forward.total",)]
    quiet = zero_report(FMT, new_requests=4)
    quiet.sections["requests"] = sentence
    assert with_rule(check(quiet), "text.closed_but_carried") == []


def test_no_carry_over_from_last_year_while_the_table_has_some():
    report = zero_report(FMT)
    for key in ("requests.carried_over.natural_person", "requests.carried_over.total",
                "requests.carry_forward.natural_person", "requests.carry_forward.total"):
        report.cells[key] = 2
    report.sections["requests"] = "本年度无上年结转的申请。"
    found = with_rule(check(report), "text.closed_but_carried")
    assert [f.cells for f in found] == [("requests.carried_over.total",)]


# --- the same text as another unit's report ----------------------------------------------------------

OWN_TEXT = [
    "本局坚持把政务公开作为转变政府职能的重要抓手，围绕城乡低保、特困供养、临时救助等民生事项，"
    "及时公开救助政策、审批结果和资金发放情况，全年组织专题培训两次，基层经办人员业务能力明显提升。",
    "我们聚焦教育领域群众关切，集中公开招生入学政策、学校收费标准和教师招聘信息，"
    "开设校园安全专栏，组织家长开放日和政策解读直播，公开内容覆盖全县所有中小学和幼儿园。",
    "围绕自然资源管理，我们重点公开国土空间规划、土地征收补偿和不动产登记办理指南，"
    "推行征地信息“阳光公开”，在乡镇和村组张贴公告，并建立征地信息查询平台供群众随时查阅。",
]


def _unit_report(agency: str, overview: str, year: int = 2022):
    text, _ = printed(year, seed=len(agency), agency=agency)
    text = re.sub(r"(一、[^\n]*\n)[^\n]*\n", lambda m: m[1] + f"{year}年，{overview}\n", text, count=1)
    return read(text)


def test_same_text_as_another_unit_of_the_year():
    units = ["青山县民政局", "青山县教育局", "青山县自然资源局"]
    distinct = [_unit_report(name, text) for name, text in zip(units, OWN_TEXT, strict=True)]
    found = same_year_copies(distinct)
    assert all(f.rule != "crossreport.copied_text" or "总体情况" not in f.message for fs in found for f in fs)
    copied = OWN_TEXT[0].replace("本局", "我局")
    reports = [*distinct, _unit_report("青山县审计局", copied), _unit_report("青山县司法局", copied)]
    found = same_year_copies(reports)
    overview = [[f for f in fs if "总体情况" in f.message] for fs in found]
    assert [len(fs) for fs in overview] == [1, 0, 0, 1, 1]
    assert "青山县审计局" in overview[0][0].message and "青山县司法局" in overview[0][0].message
    other_year = _unit_report("青山县审计局", copied, year=2023)
    assert not [f for f in same_year_copies([distinct[0], other_year])[0] if "总体情况" in f.message]


@pytest.mark.parametrize(("sentence", "fires"), [
    ("数据统计时限为2022.1.1—2022.12.31。", False),
    ("本报告数据统计期限为2022-01-01至2022-12-31。", False),
    ("本报告数据统计期限为2023-01-01至2023-12-31。", True),
    ("本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。", True),
])
def test_period_written_in_other_ways(sentence, fires):
    report = consistent_report(FMT, 2)
    report.meta.year = 2022
    report.preamble = "某局2022年政府信息公开工作年度报告\n" + sentence
    assert bool(with_rule(check(report), "period.year_mismatch")) == fires


def test_carry_over_sentences_real_reports_print():
    report = zero_report(FMT)
    report.sections["requests"] = "上一年度结转政府信息公开申请2件。"
    found = with_rule(check(report), "text.table_mismatch")
    assert [f.cells for f in found] == [("requests.carried_over.total",)]


def test_all_closed_except_those_carried_forward_is_not_a_contradiction():
    report = zero_report(FMT, new_requests=4)
    report.cells["requests.carry_forward.natural_person"] = report.cells["requests.carry_forward.total"] = 1
    report.sections["requests"] = "除结转下年度继续办理的1件外，其余申请均已按时办结。"
    assert with_rule(check(report), "text.closed_but_carried") == []
