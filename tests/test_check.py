"""The check stage: rule registry, identities with culprit collapse, values, completeness, prose."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gknb.catalogue import CATALOGUE
from gknb.check import RULES, check
from gknb.document import Source
from gknb.formats import FORMATS, Format
from gknb.report import SECTION_KEYS, Finding, Meta, Report
from gknb.text import chinese_number

FORMAT_VERSIONS = sorted(FORMATS)
SECTION_TEXT = {
    "overview": "本年度政务公开工作稳步推进，制度建设进一步完善。",
    "disclosure": "主动公开情况见下表。",
    "requests": "依申请公开情况见下表。",
    "review": "复议诉讼情况见下表。",
    "problems": "信息更新不够及时，下一步将加强培训。",
    "other": "本年度未收取信息处理费。",
}


def year_of(fmt: Format) -> int:
    return fmt.years[0]


def identity_tables(fmt: Format) -> set[str]:
    return {rule.table for rule in fmt.identity_rules}


def identity_cells(fmt: Format) -> list[str]:
    tables = identity_tables(fmt)
    return [key for key in fmt.cell_keys() if key.split(".")[0] in tables]


def determined_cells(fmt: Format) -> set[str]:
    """Cells the identities fix once the others are chosen: the first left-hand cell of each equation."""
    return {equation.lhs[0] for equation in fmt.identities()}


def solve_identities(fmt: Format, cells: dict) -> None:
    """Fill the determined cells from the declared identities (each step: one equation, one unknown)."""
    equations = fmt.identities()
    progress = True
    while progress:
        progress = False
        for equation in equations:
            unknown = [key for key in equation.cells if cells[key] is None]
            if len(unknown) != 1:
                continue
            key = unknown[0]
            lhs = sum(cells[k] for k in equation.lhs if k != key)
            rhs = sum(cells[k] for k in equation.rhs if k != key)
            cells[key] = rhs - lhs if key in equation.lhs else lhs - rhs
            progress = True


def random_value(rng: random.Random, kind: str):
    if kind == "money":
        return Decimal(rng.randint(0, 999_999)).scaleb(-rng.randint(0, 4))
    if kind == "signed":
        return rng.randint(-5, 5)
    return rng.choice((0, 0, 0, rng.randint(1, 30)))


def consistent_report(fmt: Format, seed: int = 0) -> Report:
    """A report of ``fmt`` that satisfies every declared identity, with random non-negative values."""
    rng = random.Random(seed)
    info = fmt.cell_info()
    determined = determined_cells(fmt)
    in_identities = set(identity_cells(fmt))
    while True:
        cells: dict = {}
        for key, (_table, _block, _row, column) in info.items():
            if key in determined:
                cells[key] = None
            elif key in in_identities:
                cells[key] = rng.choice((0, 0, rng.randint(0, 12)))
            else:
                cells[key] = random_value(rng, column.kind)
        solve_identities(fmt, cells)
        if all(cells[key] >= 0 for key in in_identities):
            break
    report = Report(
        source=Source("x.txt", "0" * 64, "txt"),
        meta=Meta(title="某市教育局年度报告", agency="某市教育局", year=year_of(fmt), template=fmt.version, level="city"),
        sections=dict(SECTION_TEXT),
        section_order=list(SECTION_KEYS),
        cells=cells,
        printed={key: str(value) for key, value in cells.items()},
    )
    return report


def zero_report(fmt: Format, new_requests: int = 0, review_total: int = 0) -> Report:
    """All zeros, except ``new_requests`` natural-person requests granted and ``review_total`` upheld reviews."""
    report = consistent_report(fmt, 0)
    for key in identity_cells(fmt):
        report.cells[key] = 0
    for key in ("requests.new.natural_person", "requests.new.total", "requests.granted.natural_person",
                "requests.granted.total", "requests.total.natural_person", "requests.total.total"):
        report.cells[key] = new_requests
    for key in ("review.review.upheld", "review.review.total"):
        report.cells[key] = review_total
    report.printed = {key: str(value) for key, value in report.cells.items()}
    return report


def errors(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.severity == "error"]


def rules_of(report: Report) -> set[str]:
    return {f.rule for f in report.findings}


def with_rule(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == code]


@st.composite
def formats_and_seeds(draw):
    return FORMATS[draw(st.sampled_from(FORMAT_VERSIONS))], draw(st.integers(0, 2**32))


# --- consistency of the helper and clean data -------------------------------------------------


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_helper_satisfies_every_identity(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 7)
    for equation in fmt.identities():
        assert sum(report.cells[k] for k in equation.lhs) == sum(report.cells[k] for k in equation.rhs)


@settings(max_examples=60, deadline=None)
@given(formats_and_seeds())
def test_clean_report_has_no_error(fmt_seed):
    fmt, seed = fmt_seed
    report = check(consistent_report(fmt, seed))
    assert errors(report) == []
    assert not any(f.rule.startswith("identity.") for f in report.findings)
    assert all(f.rule in RULES for f in report.findings)


# --- identities and the smallest explanation --------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(formats_and_seeds(), st.data(), st.integers(1, 50))
def test_planted_error_is_named_once(fmt_seed, data, k):
    fmt, seed = fmt_seed
    report = consistent_report(fmt, seed)
    planted = data.draw(st.sampled_from(identity_cells(fmt)))
    report.cells[planted] += k
    report.printed[planted] = str(report.cells[planted])
    found = errors(check(report))
    assert len(found) == 1, found
    assert planted in found[0].cells
    in_several_equations = sum(planted in e.cells for e in fmt.identities()) >= 2
    if in_several_equations:  # every cell of section 三: collapsed onto the culprit, named first
        assert found[0].rule == "identity.cell" and found[0].cells[0] == planted
    else:
        assert found[0].rule.startswith("identity.")


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_applicant_typo_collapses_to_its_cell(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 3)
    report.cells["requests.withheld_state_secret.natural_person"] += 3
    original = report.cells["requests.withheld_state_secret.natural_person"] - 3
    report.printed["requests.withheld_state_secret.natural_person"] = str(original + 3)
    found = errors(check(report))
    assert [f.rule for f in found] == ["identity.cell"]
    assert found[0].cells[0] == "requests.withheld_state_secret.natural_person"
    assert "「（三）不予公开 1.属于国家秘密 · 自然人」可能有误" in found[0].message
    assert f"应为 {original}（印刷为 {original + 3}）" in found[0].message


@settings(max_examples=60, deadline=None)
@given(formats_and_seeds(), st.data())
def test_two_planted_errors_are_both_named(fmt_seed, data):
    fmt, seed = fmt_seed
    report = consistent_report(fmt, seed)
    first, second = data.draw(st.lists(st.sampled_from(identity_cells(fmt)), min_size=2, max_size=2, unique=True))
    report.cells[first] += 2
    report.cells[second] += 5
    named = {key for f in errors(check(report)) for key in f.cells}
    assert {first, second} <= named


def test_review_total_error_names_the_group():
    report = consistent_report(FORMATS["2021"], 1)
    report.cells["review.litigation_direct.total"] += 1
    found = errors(check(report))
    assert [f.rule for f in found] == ["identity.review_total"]
    assert set(found[0].cells) == {f"review.litigation_direct.{c}" for c in
                                   ("upheld", "corrected", "other", "pending", "total")}


def test_blank_in_equation_cannot_be_verified():
    report = zero_report(FORMATS["2021"], new_requests=4)
    report.cells["requests.granted.natural_person"] = None
    report.printed.pop("requests.granted.natural_person")
    checked = check(report)
    assert errors(checked) == []
    unverifiable = [f for f in checked.findings if f.rule.startswith("identity.")]
    assert unverifiable and all(f.severity == "warning" for f in unverifiable)
    assert all(f.cells[0] == "requests.granted.natural_person" for f in unverifiable)
    assert any("为 4 则成立" in f.message for f in unverifiable)


def test_blank_consistent_with_zero_is_only_a_blank():
    report = zero_report(FORMATS["2021"])
    report.cells["requests.withheld_law.commercial"] = None
    checked = check(report)
    assert not any(f.rule.startswith("identity.") for f in checked.findings)
    assert [f.cells for f in with_rule(checked, "cell.blank")] == [("requests.withheld_law.commercial",)]


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_negative_count_is_an_error(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 2)
    key = next(k for k, (*_, col) in fmt.cell_info().items() if col.kind == "count" and k.startswith("disclosure."))
    report.cells[key] = -3
    found = [f for f in errors(check(report)) if f.rule == "value.negative"]
    assert [f.cells for f in found] == [(key,)]


def test_signed_column_may_be_negative():
    fmt = FORMATS["2019"]
    report = consistent_report(fmt, 2)
    signed = [k for k, (*_, col) in fmt.cell_info().items() if col.kind == "signed"]
    assert signed
    for key in signed:
        report.cells[key] = -4
    assert errors(check(report)) == []


def test_fractional_count_is_an_error():
    report = consistent_report(FORMATS["2021"], 2)
    report.cells["disclosure.licensing.decisions"] = Decimal("2.5")
    assert "value.not_integer" in {f.rule for f in errors(check(report))}


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_money_with_five_decimals_is_a_warning(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 2)
    key = next(k for k, (*_, col) in fmt.cell_info().items() if col.kind == "money")
    report.cells[key] = Decimal("1.23456")
    report.printed[key] = "1.23456"
    found = with_rule(check(report), "value.money_precision")
    assert [(f.severity, f.cells) for f in found] == [("warning", (key,))]
    report.cells[key] = Decimal("1.2345")
    assert with_rule(check(report), "value.money_precision") == []


def test_huge_money_is_a_warning():
    report = consistent_report(FORMATS["2021"], 2)
    report.cells["disclosure.fees.amount"] = Decimal("3500000")
    assert [f.severity for f in with_rule(check(report), "value.money_large")] == ["warning"]


# --- completeness -------------------------------------------------------------------------------


def test_blanks_of_one_row_are_one_finding():
    fmt = FORMATS["2021"]
    report = consistent_report(fmt, 5)
    row = [k for k in fmt.cell_keys() if k.startswith("disclosure.regulations.")]
    other = "disclosure.coercion.decisions"
    for key in [*row, other]:
        report.cells[key] = None
    blanks = with_rule(check(report), "cell.blank")
    assert sorted(f.cells for f in blanks) == sorted([tuple(row), (other,)])
    assert all(f.severity == "warning" and "空白不等于0" in f.message for f in blanks)
    assert "「行政强制 · 本年处理决定数量」空白" in next(f.message for f in blanks if f.cells == (other,))
    assert "「规章」整行（3 个单元格）空白" in next(f.message for f in blanks if f.cells == tuple(row))


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_neighbouring_blank_rows_are_one_finding(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 5)
    rows = [row.key for block in fmt.table("requests").blocks for row in block.rows]
    blank = [k for k in fmt.cell_keys() if k.split(".")[1] in rows[2:6] and k.startswith("requests.")]
    for key in blank:
        report.cells[key] = None
    found = with_rule(check(report), "cell.blank")
    assert [f.cells for f in found] == [tuple(blank)]
    assert "共 4 行（28 个单元格）空白" in found[0].message


def test_a_blank_gknb_could_not_read_is_not_blamed_on_the_report():
    from gknb.catalogue import finding

    fmt = FORMATS["2021"]
    report = consistent_report(fmt, 5)
    lost = [k for k in fmt.cell_keys() if k.startswith("requests.withheld_law.")]
    doubtful = ["requests.granted.commercial", "requests.granted.total"]
    left_blank = "disclosure.coercion.decisions"
    for key in [*lost, *doubtful, left_blank]:
        report.cells[key] = None
    report.parse_findings = [
        finding("parse.row_missing", lost, "未找到", "rows not found"),
        finding("parse.alignment_ambiguous", ["requests.granted.natural", *doubtful], "无法确定", "unclear"),
    ]
    blanks = {f.cells: f.message for f in with_rule(check(report), "cell.blank")}
    assert set(blanks) == {(left_blank,), tuple(doubtful)}  # the lost row is left to parse.row_missing
    assert "空白不等于0" in blanks[(left_blank,)]
    assert "空白不等于0" not in blanks[tuple(doubtful)] and "未能从这份文件读出" in blanks[tuple(doubtful)]


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_missing_tables(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 5)
    for key in fmt.cell_keys():
        if key.startswith(("review.", "requests.")):
            report.cells[key] = None
    checked = check(report)
    missing = {f.cells[0].split(".")[0]: f.severity for f in with_rule(checked, "table.missing")}
    assert missing == {"requests": "error", "review": "warning"}
    assert with_rule(checked, "cell.blank") == []
    assert not any(f.rule.startswith("identity.") for f in checked.findings)


# --- sections, format and meta --------------------------------------------------------------------


def test_sections_missing_and_out_of_order():
    report = consistent_report(FORMATS["2021"], 1)
    report.sections["requests"] = None
    report.sections["problems"] = None
    report.section_order = ["overview", "review", "disclosure", "other"]
    checked = check(report)
    missing = {f.message: f.severity for f in with_rule(checked, "section.missing")}
    assert missing == {"缺少章节「三、收到和处理政府信息公开申请情况」": "error",
                       "缺少章节「五、存在的主要问题及改进情况」": "warning"}
    assert [f.severity for f in with_rule(checked, "section.order")] == ["warning"]


def test_2019_tables_in_2022_report_is_an_error():
    report = consistent_report(FORMATS["2019"], 1)
    report.meta.year = 2022
    found = with_rule(check(report), "format.year_mismatch")
    assert [f.severity for f in found] == ["error"]
    assert "国办公开办函〔2021〕30号" in found[0].message


def test_2021_tables_in_2020_report_is_an_error():
    report = consistent_report(FORMATS["2021"], 1)
    report.meta.year = 2020
    assert [f.severity for f in with_rule(check(report), "format.year_mismatch")] == ["error"]


def test_pre2019_report_gets_only_info():
    report = Report(source=Source("x.txt", "0" * 64, "txt"),
                    meta=Meta(agency="某县人民政府", year=2017, template="pre2019"),
                    sections={"overview": "2017年共收到政府信息公开申请8件。"})
    checked = check(report)
    assert checked.findings and {f.severity for f in checked.findings} == {"info"}
    assert "format.pre2019" in rules_of(checked)


def test_2019_report_in_old_style_is_info():
    report = Report(source=Source("x.txt", "0" * 64, "txt"),
                    meta=Meta(agency="某镇人民政府", year=2019, template="pre2019"))
    assert {(f.rule, f.severity) for f in check(report).findings} == {
        ("format.pre2019", "info"), ("format.year_mismatch", "info")}


def test_unknown_template_and_missing_meta():
    report = Report(source=Source("x.txt", "0" * 64, "txt"), meta=Meta())
    assert {(f.rule, f.severity) for f in check(report).findings} == {
        ("format.unknown", "warning"), ("meta.year_missing", "warning"), ("meta.agency_missing", "warning")}


def test_late_publication():
    report = consistent_report(FORMATS["2021"], 1)
    report.meta.published = "2022-02-15"
    assert [f.severity for f in with_rule(check(report), "deadline.late")] == ["warning"]  # a 局: 31 January
    report.meta.agency, report.meta.level = "某市人民政府", "city"
    assert with_rule(check(report), "deadline.late") == []  # a government: 31 March


# --- text versus table ------------------------------------------------------------------------------


def test_stated_requests_differ_from_table():
    report = zero_report(FORMATS["2021"], new_requests=5)
    report.sections["overview"] = "2021年，本机关共收到政府信息公开申请8件，均已按期答复。"
    found = with_rule(check(report), "text.table_mismatch")
    assert [(f.severity, f.cells) for f in found] == [("warning", ("requests.new.total",))]
    assert "8" in found[0].message and "为 5" in found[0].message


@pytest.mark.parametrize("sentence", [
    "2021年共收到政府信息公开申请5件。",
    "全年受理信息公开申请5件，其中予以公开5件。",
    "本年度收到5件政府信息公开申请。",
    "共办理政府信息公开申请五件。",
    "发布信息120条，累计公开2000条。",
    "较2020年的10件有所下降，收到政府信息公开申请5件。",
    "2021年12月31日前收到的申请均已办结。",
])
def test_agreeing_or_unrelated_prose_is_silent(sentence):
    report = zero_report(FORMATS["2021"], new_requests=5)
    report.sections["overview"] = sentence
    assert not any(f.rule.startswith("text.") for f in check(report).findings)


def test_chinese_numerals():
    parse_number = chinese_number  # the prose checks read stated counts with it
    assert parse_number("十二") == 12
    assert parse_number("两") == 2
    assert parse_number("八") == 8
    assert parse_number("12") == 12
    report = zero_report(FORMATS["2021"], new_requests=12)
    report.sections["requests"] = "本年度收到政府信息公开申请十二件。"
    assert with_rule(check(report), "text.table_mismatch") == []
    report = zero_report(FORMATS["2021"], new_requests=5)
    report.sections["requests"] = "本年度收到政府信息公开申请十二件。"
    found = with_rule(check(report), "text.table_mismatch")
    assert len(found) == 1 and "12" in found[0].message


def test_other_quantities_in_prose():
    report = zero_report(FORMATS["2021"], new_requests=5, review_total=1)
    report.sections["overview"] = "收到政府信息公开申请5件，予以公开3件，部分公开两件。发生行政复议2起，行政诉讼0件。"
    found = {f.cells: f for f in with_rule(check(report), "text.table_mismatch")}
    assert set(found) == {("requests.granted.total",), ("requests.partial.total",), ("review.review.total",)}


def test_statement_of_none_with_requests_in_table():
    report = zero_report(FORMATS["2021"], new_requests=3)
    report.sections["overview"] = "2021年，本机关未收到政府信息公开申请。"
    found = with_rule(check(report), "text.none_but_table")
    assert [(f.severity, f.cells) for f in found] == [("warning", ("requests.new.total",))]
    report = zero_report(FORMATS["2021"])
    report.sections["overview"] = "2021年，本机关未收到政府信息公开申请。"
    assert with_rule(check(report), "text.none_but_table") == []


def test_statement_of_no_review_or_litigation():
    report = zero_report(FORMATS["2021"], new_requests=3, review_total=1)
    report.sections["review"] = "2021年我镇没有发生因政府信息公开申请行政复议和提起行政诉讼案件。"
    found = with_rule(check(report), "text.none_but_table")
    assert [f.cells for f in found] == [("review.review.total",)]


@pytest.mark.parametrize(("sentence", "cells"), [
    ("2021年我镇未收到书面或其它形式要求公开政府信息的申请。", [("requests.new.total",)]),
    ("2021年全年未发生依申请政府信息。", [("requests.new.total",)]),
    ("本年度未发生行政机关依申请公开政府信息情况。", [("requests.new.total",)]),
    ("2021年未发生因政府信息公开申请提起的行政复议和行政诉讼案件。", [("review.review.total",)]),
    ("未出现申请行政复议、提起行政诉讼的情况。", [("review.review.total",)]),
])
def test_statements_of_none_seen_in_real_reports(sentence, cells):
    report = zero_report(FORMATS["2021"], new_requests=3, review_total=1)
    report.sections["overview"] = sentence
    assert [f.cells for f in with_rule(check(report), "text.none_but_table")] == cells


def test_partial_statements_of_none_are_not_read_as_none():
    report = zero_report(FORMATS["2021"], new_requests=3, review_total=1)
    report.sections["overview"] = "未收到法人或其他组织的政府信息公开申请。未发生行政复议被纠正的情况。"
    assert with_rule(check(report), "text.none_but_table") == []


# --- plausibility and narrative -------------------------------------------------------------------


@pytest.mark.parametrize("version", FORMAT_VERSIONS)
def test_township_reporting_regulations(version):
    fmt = FORMATS[version]
    report = consistent_report(fmt, 4)
    first_column = next(k for k in fmt.cell_keys() if k.startswith("disclosure.regulations."))
    report.cells[first_column] = 2
    report.meta.agency, report.meta.level = "齐都镇人民政府", None
    found = with_rule(check(report), "plausibility.regulations_level")
    assert found and found[0].severity == "warning" and first_column in found[0].cells
    report.meta.agency, report.meta.level = "某省人民政府", "province"
    assert with_rule(check(report), "plausibility.regulations_level") == []


def test_published_total_smaller_than_new():
    report = consistent_report(FORMATS["2019"], 4)
    report.cells["disclosure.regulations.new_published"] = 0
    report.cells["disclosure.normative_docs.new_published"] = 9
    report.cells["disclosure.normative_docs.total_published"] = 4
    found = with_rule(check(report), "plausibility.published_total")
    assert [f.cells for f in found] == [("disclosure.normative_docs.total_published",
                                         "disclosure.normative_docs.new_published")]


def test_fee_not_reported_in_2021_format():
    report = consistent_report(FORMATS["2021"], 4)
    report.sections["other"] = "无。"
    assert [f.severity for f in with_rule(check(report), "other.fee_not_reported")] == ["info"]
    report = consistent_report(FORMATS["2019"], 4)
    report.sections["other"] = "无。"
    assert with_rule(check(report), "other.fee_not_reported") == []


def test_government_report_mentions_accountability():
    report = consistent_report(FORMATS["2021"], 4)
    report.meta.agency = "某县人民政府"
    found = with_rule(check(report), "content.accountability_missing")
    assert len(found) == 1 and "考核、评议、责任追究" in found[0].message
    report.sections["problems"] += "年度考核、社会评议和责任追究结果均已公开。"
    assert with_rule(check(report), "content.accountability_missing") == []


# --- the findings list --------------------------------------------------------------------------------


def test_parse_findings_pass_through_sorted_and_deduplicated():
    report = consistent_report(FORMATS["2021"], 1)
    report.cells["review.review.total"] += 1
    label = Finding("label.variant", "info", ("requests.withheld_law.natural_person",), "标签变体", "label variant")
    report.parse_findings = [label, label]
    report.cells["disclosure.coercion.decisions"] = None
    checked = check(report)
    assert checked.findings.count(label) == 1
    ranks = [("error", "warning", "info").index(f.severity) for f in checked.findings]
    assert ranks == sorted(ranks)
    assert checked.findings[0].rule == "identity.review_total"


def test_findings_within_a_severity_follow_print_order():
    fmt = FORMATS["2021"]
    report = consistent_report(fmt, 1)
    for key in ("review.review.upheld", "disclosure.licensing.decisions", "requests.new.research"):
        report.cells[key] = None
    blanks = [f.cells[0] for f in with_rule(check(report), "cell.blank")]
    assert blanks == ["disclosure.licensing.decisions", "requests.new.research", "review.review.upheld"]


def test_every_rule_is_registered_and_documented():
    docs = (Path(__file__).parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `([a-z0-9_.]+)`", docs, re.MULTILINE))
    assert documented == set(CATALOGUE) and set(RULES) <= documented
    for code, registered in RULES.items():
        assert registered.severity in {"error", "warning", "info"}
        assert registered.title and registered.title_en and code == registered.code
