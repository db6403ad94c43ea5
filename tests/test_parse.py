"""Parser behaviours the layout round trip does not reach: inserted columns, misprinted labels,
rows printed short, printed units and dashes, metadata, sections and flattened copies."""

from __future__ import annotations

from decimal import Decimal

import pytest

import gknb
from gknb.errors import NotAnnualReport
from gknb.parse.meta import agency_from_title
from gknb.regions import locate


def _seed_000(samples) -> str:
    return (samples / "000_a5586f6eb40696d9.txt").read_text(encoding="utf-8")


def _requests_rows(text: str):
    """Yield (line index, fields) of the tab rows of section 三 that print 7 numbers."""
    lines = text.split("\n")
    inside = False
    for i, line in enumerate(lines):
        if line.startswith("三、收到"):
            inside = True
        elif line.startswith("四、政府"):
            inside = False
        if inside and "\t" in line:
            yield i, line.split("\t")


def test_inserted_subtotal_column_is_read_past(samples):
    """Some reports add a 小计 column after 其他: its numbers must not shift the official cells."""
    lines = _seed_000(samples).split("\n")
    row_number = 0
    for i, fields in list(_requests_rows("\n".join(lines))):
        if "商业企业" in fields:
            fields.insert(fields.index("其他") + 1, "小计")
        elif sum(f.strip().isdigit() for f in fields) == 7:
            digits = [j for j, f in enumerate(fields) if f.strip().isdigit()]
            row_number += 1
            fields[digits[0]] = str(row_number)  # 自然人 = row number, to see shifts
            fields.insert(digits[5] + 1, "99")  # the 小计
        lines[i] = "\t".join(fields)
    report = gknb.read("\n".join(lines).encode(), name="subtotal.txt")
    assert report.cells["requests.new.natural_person"] == 1
    assert report.cells["requests.new.other_org"] == 0
    assert report.cells["requests.new.total"] == 0
    assert 99 not in report.cells.values()
    assert not [f for f in report.findings if f.rule.startswith("parse.")]


def test_misprinted_row_label_is_matched_and_reported(samples):
    text = _seed_000(samples).replace("1.属于国家秘密", "1.属于国家机密")
    report = gknb.read(text.encode(), name="typo.txt")
    assert report.cells["requests.withheld_state_secret.total"] == 0
    variants = [f for f in report.findings if f.rule == "label.variant"]
    assert any("requests.withheld_state_secret.natural_person" in f.cells for f in variants)



def test_a_row_label_that_took_in_a_number_names_its_row(samples):
    """``行政许可 66 ,`` (a copy that set a thousands comma apart, ``66 , 229``, read as printed): digits
    after the label are no unit like ``（件）`` — the row's cells are named, never read silently."""
    text = _seed_000(samples)
    assert "行政许可\t0" in text
    report = gknb.read(text.replace("行政许可\t0", "行政许可 66 ,\t0", 1).encode(), name="took-in.txt")
    named = {k for f in report.findings if f.rule == "label.variant" for k in f.cells}
    assert "disclosure.licensing.decisions" in named
    clean = gknb.read(text.replace("行政许可\t0", "行政许可（件）\t0", 1).encode(), name="unit.txt")
    assert not any(f.rule == "label.variant" and "disclosure.licensing.decisions" in f.cells for f in clean.findings)

INLINE = """某县某局2022年政府信息公开工作年度报告
一、总体情况
本年度共收到政府信息公开申请5件。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 3 2 5
二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0
四、政府信息公开行政复议、行政诉讼情况
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
无。
"""


def test_row_printed_short_is_flagged_on_every_cell_it_could_hold():
    """PDF text drops empty cells: 3 numbers for 7 columns are placed, never silently."""
    report = gknb.read(INLINE.encode(), name="inline.txt")
    keys = [f"requests.new.{c}" for c in
            ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")]
    flagged = {c for f in report.findings if f.rule.startswith("parse.alignment") for c in f.cells}
    assert set(keys) <= flagged
    assert sorted(v for k in keys if (v := report.cells[k]) is not None) == [2, 3, 5]
    assert report.cells["requests.carried_over.total"] == 0


def test_printed_units_and_dashes():
    text = INLINE.replace(
        "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0", "二、上年结转政府信息公开申请数量 — — — — — — —"
    ) + "\n"
    report = gknb.read(text.encode(), name="dash.txt")
    carried = [report.cells[f"requests.carried_over.{c}"] for c in ("natural_person", "total")]
    assert carried == [None, None]
    assert report.printed["requests.carried_over.total"] == "—"


def test_money_with_unit_in_the_cell(samples):
    text = (samples / "003_ef34a76a822e6c07.txt").read_text(encoding="utf-8")
    text = text.replace("\t政府集中采购\n\t0\n\t0", "\t政府集中采购\n\t8\n\t160.5964万元")
    report = gknb.read(text.encode(), name="money.txt")
    assert report.cells["disclosure.procurement.items"] == 8
    assert report.cells["disclosure.procurement.amount"] == Decimal("160.5964")


def test_sections_hold_prose_but_not_table_cells(samples):
    report = gknb.read(samples / "002_295e3622999d89af.txt")
    assert "未收到书面或其它形式要求公开政府信息的申请" in report.sections["requests"]
    assert "本年新收" not in report.sections["requests"]
    assert report.sections["other"] == "无其他需要报告的事项"
    assert report.section_order == ["overview", "disclosure", "requests", "review", "problems", "other"]


def test_wrapped_table_header_words_stay_out_of_the_prose(samples):
    """Sample 002 prints 商业企业 / 科研机构 over two header rows: the words left over are the table's."""
    from gknb.render import render

    report = gknb.read(samples / "002_295e3622999d89af.txt")
    assert report.sections["requests"] == "2021年我镇未收到书面或其它形式要求公开政府信息的申请。"
    for key, text in report.sections.items():
        assert not {"商业", "科研", "企业", "机构"} & set((text or "").splitlines()), key
    page = render(report, "html").decode("utf-8")
    assert "<p>商业</p>" not in page and "<p>科研</p>" not in page


def test_report_flattened_onto_one_line_still_has_sections(corpus):
    report = gknb.read(corpus / "074.txt")
    assert report.sections["overview"].startswith("2021 年,我苏木严格按照")
    assert report.meta.agency == "乌拉特中旗巴音乌兰苏木"


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("庆祖镇政府2021年政府信息公开工作年度报告", "庆祖镇政府"),
        ("信丰县卫生健康委2023年政府信息公开工作年度报告", "信丰县卫生健康委"),
        ("威海市文登区商务局关于2022年度政府信息公开工作的年度报告", "威海市文登区商务局"),
        ("关于2021年度政府信息公开工作的年度报告", None),
        ("2020年报_审计局", "审计局"),
    ],
)
def test_agency_from_title(title, agency):
    assert agency_from_title(title) == agency


@pytest.mark.parametrize(
    ("agency", "region", "level"),
    [
        ("盐边县新九镇人民政府", ("四川省", "攀枝花市", "盐边县"), "township"),
        ("驼峰路街道办事处", ("陕西省", "榆林市", "榆阳区"), "street"),  # a township name unique in the country
        ("信丰县卫生健康委", ("江西省", "赣州市", "信丰县"), "department"),
        ("威海市文登区商务局", ("山东省", "威海市", "文登区"), "department"),
    ],
)
def test_region_and_level(agency, region, level):
    place = locate(agency)
    assert tuple(place.region().values()) == region and place.level == level


def test_report_meta_carries_the_region(corpus):
    report = gknb.read(corpus / "023.txt")
    assert report.meta.region == {"province": "四川省", "city": "攀枝花市", "county": "盐边县"}
    assert report.meta.level == "township"


def test_publication_date_and_agency_line(corpus):
    report = gknb.read(corpus / "023.txt")
    assert report.meta.published == "2022-01-25"
    assert report.meta.agency == "盐边县新九镇人民政府"


def test_disclosure_guide_is_refused_with_both_languages():
    guide = "某局政府信息公开指南\n一、主动公开\n本机关主动公开政府信息。\n二、依申请公开\n可以提出申请。\n"
    with pytest.raises(NotAnnualReport) as caught:
        gknb.read(guide.encode(), name="guide.txt")
    assert "年度报告" in caught.value.message and "annual report" in caught.value.message_en


def test_mixed_format_labels_are_reported(samples):
    """2019 section 二 headers in a 2021 report: read as 2021, and the version-specific cells named."""
    text = _seed_000(samples).replace("本年制发件数\t本年废止件数\t现行有效件数", "本年新制作数量\t本年新公开数量\t对外公开总数量")
    report = gknb.read(text.encode(), name="mixed.txt")
    assert report.meta.template == "2021"
    mixed = [f for f in report.findings if f.rule == "format.mixed"]
    assert mixed and "disclosure.regulations.made" in mixed[0].cells
    assert "requests.new.total" not in mixed[0].cells


def test_markdown_headings_and_agency_line_above_the_title(samples):
    """# / ## / ** markup around headings, and the agency printed on its own line above the title."""
    text = (
        _seed_000(samples)
        .replace("庆祖镇政府2021年政府信息公开工作年度报告", "# 庆祖镇人民政府\n# 2021年政府信息公开工作年度报告")
        .replace("四、政府信息公开行政复议、行政诉讼情况", "## **四、政府信息公开行政复议、行政诉讼情况**")
    )
    report = gknb.read(text.encode(), name="report.md")
    assert report.meta.agency == "庆祖镇人民政府"
    assert report.meta.title == "庆祖镇人民政府2021年政府信息公开工作年度报告"
    assert report.section_order == ["overview", "disclosure", "requests", "review", "problems", "other"]
    assert report.cells["review.review.total"] == 0


ALIGNED = """某县某局2022年政府信息公开工作年度报告
一、总体情况
本年度工作情况。
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量     1    2    3    4    5    6    21
二、上年结转政府信息公开申请数量     0         0    0    0    0    0
三、本年度办理结果 （一）予以公开    1    2    3    4    5    6    21
四、政府信息公开行政复议、行政诉讼情况
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
"""


def test_space_aligned_copy_places_a_short_row_by_position():
    """pdftotext -layout keeps an empty cell as extra spaces: the numbers' offsets place them."""
    report = gknb.read(ALIGNED.encode(), name="aligned.txt")
    row = [report.cells[f"requests.carried_over.{c}"] for c in
           ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")]
    assert row == [0, None, 0, 0, 0, 0, 0]
    positioned = [f for f in report.findings if f.rule == "parse.alignment_positioned"]
    assert positioned and "requests.carried_over.commercial" in positioned[0].cells


def test_a_spaced_group_label_row_label_and_numbers_on_one_line_are_cells():
    """inscriptis prints （六）其他处理 and its first row label on the numbers' line, far apart: the
    numbers stay that row's cells although the line's text runs past 60 characters with the spaces."""
    from gknb.ingest import read_document
    from gknb.parse.tokens import tokenize

    line = "（六）其他处理" + " " * 32 + "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请  0   0   0  0  0  0  0"
    tokens = tokenize(read_document(line.encode("utf-8"), name="x.txt"))
    assert [t.kind for t in tokens] == ["text"] + ["value"] * 7
    prose = "本机关今年在政府网站上主动公开各类政府信息，其中通过政务新媒体平台发布的信息占全部信息的比例较上一年有明显提高，共发布信息 176"
    assert [t.kind for t in tokenize(read_document(prose.encode("utf-8"), name="y.txt"))] == ["text"]
