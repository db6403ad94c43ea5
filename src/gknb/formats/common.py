"""Parts shared by the 2019 and 2021 formats: the six sections, section 三's grid and section 四.

Both notices print the same section titles, the same applicant columns, the same outcome rows
（一）…（五）, the same totals and the same 15 cells of section 四; they differ in section 二 and in
（六）其他处理. Each format module assembles its declaration from these parts.
"""

from __future__ import annotations

from .base import Block, Column, HeaderCell, IdentityRule, Layout, Row, Section, Table, YearLink

SECTIONS = (
    Section(
        "overview", "一", "总体情况",
        aliases=("概述", "总体情况概述", "基本情况"),
        keywords=("总体情况", "概述", "基本情况"),
        title_en="I. Overview",
        guidance="概述本年度贯彻落实《政府信息公开条例》的情况，一般分主动公开、依申请公开、政府信息管理、"
                 "政府信息公开平台建设、监督保障五个方面；各级人民政府还应写明工作考核、社会评议和责任追究结果情况。",
    ),
    Section(
        "disclosure", "二", "主动公开政府信息情况",
        aliases=("主动公开政府信息的情况", "主动公开情况", "政府信息主动公开情况"),
        keywords=("主动公开",),
        title_en="II. Proactive disclosure",
        guidance="按下表填写《条例》第二十条所列主动公开政府信息的数量；与上年衔接的数（如现行有效件数）由上年报告的数"
                 "加减本年的变化得出。",
    ),
    Section(
        "requests", "三", "收到和处理政府信息公开申请情况",
        aliases=(
            "收到和处理政府信息公开的申请情况",
            "政府信息依申请公开办理情况",
            "依申请公开政府信息情况",
            "收到和处理政府信息公开申请的情况",
        ),
        keywords=("收到和处理", "依申请公开", "公开申请情况", "申请情况", "申请的情况"),
        title_en="III. Requests",
        guidance="按下表填写本年新收、上年结转、办理结果和结转下年度的申请数量；第一项加第二项之和等于第三项加第四项之和，"
                 "上年结转数即上一年度报告的结转下年度数。",
    ),
    Section(
        "review", "四", "政府信息公开行政复议、行政诉讼情况",
        aliases=(
            "因政府信息公开申请行政复议、提起行政诉讼情况",
            "政府信息公开行政复议及行政诉讼情况",
            "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
            "政府信息公开行政复议、行政诉讼的情况",
        ),
        keywords=("行政复议", "行政诉讼"),
        title_en="IV. Review and litigation",
        guidance="按下表填写因政府信息公开工作被申请行政复议、提起行政诉讼的数量及其结果。",
    ),
    Section(
        "problems", "五", "存在的主要问题及改进情况",
        aliases=(
            "政府信息公开工作存在的主要问题及改进情况",
            "存在的主要问题及改进措施",
            "存在的问题及改进措施",
        ),
        keywords=("存在的主要问题", "存在的问题", "主要问题", "问题及改进", "改进情况"),
        title_en="V. Problems and improvements",
        guidance="写明本年度政府信息公开工作存在的主要问题和改进措施，并逐项说明上一年度报告所列问题的改进情况。",
    ),
    Section(
        "other", "六", "其他需要报告的事项",
        aliases=("其他需要报告事项", "其他事项"),
        keywords=("其他需要报告", "其他事项"),
        title_en="VI. Other matters",
        guidance="写明其他需要报告的事项，如依据《政府信息公开信息处理费管理办法》收取信息处理费的情况；没有的写“无”。",
    ),
)

REQUEST_COLUMNS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social_welfare", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计", aliases=("合计",)),
)
APPLICANT_COLUMNS = tuple(c.key for c in REQUEST_COLUMNS[:-1])

REQUESTS_HEADER = (
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "申请人情况",
    "法人或其他组织",
)
OUTCOMES_GROUP = "三、本年度办理结果"

W, U, D = "（三）不予公开", "（四）无法提供", "（五）不予处理"
OUTCOME_GROUP_KEYS = ((W, "withheld"), (U, "unable"), (D, "declined"))  # what the metrics call them

REQUEST_ROWS_BEFORE = (
    Row("new", "一、本年新收政府信息公开申请数量", aliases=("一、本年新收政府信息公开申请",)),
    Row("carried_over", "二、上年结转政府信息公开申请数量", aliases=("二、上年结转政府信息公开申请",)),
    Row("granted", "（一）予以公开", group=OUTCOMES_GROUP, outcome=True),
    Row(
        "partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        aliases=("（二）部分公开（区分处理的，只计这一情况，不计其他情形）", "（二）部分公开"),
        group=OUTCOMES_GROUP, outcome=True,
    ),
    Row("withheld_state_secret", "1.属于国家秘密", group=W, outcome=True),
    Row("withheld_law", "2.其他法律行政法规禁止公开", aliases=("2.其他法律法规禁止公开",), group=W, outcome=True),
    Row("withheld_three_safety", "3.危及“三安全一稳定”", aliases=("3.危及三安全一稳定",), group=W, outcome=True),
    Row("withheld_third_party", "4.保护第三方合法权益", group=W, outcome=True),
    Row("withheld_internal", "5.属于三类内部事务信息", aliases=("5.属于三类内容事务信息",), group=W, outcome=True),
    Row("withheld_process", "6.属于四类过程性信息", group=W, outcome=True),
    Row("withheld_enforcement", "7.属于行政执法案卷", group=W, outcome=True),
    Row("withheld_query", "8.属于行政查询事项", group=W, outcome=True),
    Row("unable_not_held", "1.本机关不掌握相关政府信息", group=U, outcome=True),
    Row("unable_needs_creation", "2.没有现成信息需要另行制作", group=U, outcome=True),
    Row("unable_unclear", "3.补正后申请内容仍不明确", group=U, outcome=True),
    Row("declined_petition", "1.信访举报投诉类申请", group=D, outcome=True),
    Row("declined_duplicate", "2.重复申请", group=D, outcome=True),
    Row("declined_publication", "3.要求提供公开出版物", group=D, outcome=True),
    Row("declined_massive", "4.无正当理由大量反复申请", group=D, outcome=True),
    Row(
        "declined_confirm", "5.要求行政机关确认或重新出具已获取信息",
        aliases=("5.要求行政机关确认或重新出具已获取的信息",), group=D, outcome=True,
    ),
)
REQUEST_ROWS_AFTER = (
    Row("total", "（七）总计", aliases=("（七）合计",), group=OUTCOMES_GROUP),
    Row("carry_forward", "四、结转下年度继续办理", aliases=("四、结转下年度继续办理数量",)),
)


INFO = "信息内容"
DISCLOSURE_WIDTH = 3  # value columns of the section 二 grid: the widest sub-table (第（一）项)


def disclosure_layout(columns: tuple[Column, ...]) -> Layout:
    """A section 二 sub-table: 信息内容 and its columns, the last one widened to the grid's width."""
    spans = (1,) * (len(columns) - 1) + (DISCLOSURE_WIDTH - len(columns) + 1,)
    header = (HeaderCell(INFO), *(HeaderCell(c.label, colspan=n) for c, n in zip(columns, spans, strict=True)))
    return Layout(header=(header,), stub=1, spans=spans)


def disclosure_block(caption: str, columns: tuple[Column, ...], rows: tuple[Row, ...]) -> Block:
    """A captioned section 二 sub-table (第二十条第（…）项) with its 信息内容 header."""
    return Block(columns=columns, rows=rows, caption=caption, header_labels=(INFO,), layout=disclosure_layout(columns))


def requests_layout(group_labels: tuple[str, ...]) -> Layout:
    """Section 三: the 3×3 勾稽关系 note, 申请人情况 over 7 columns, 法人或其他组织 over 5;
    three label columns, the outcome groups nested in 三、本年度办理结果."""
    note, applicants, organisations = REQUESTS_HEADER
    first, *orgs, total = REQUEST_COLUMNS
    return Layout(
        header=(
            (HeaderCell(note, rowspan=3, colspan=3), HeaderCell(applicants, colspan=len(REQUEST_COLUMNS))),
            (HeaderCell(first.label, rowspan=2), HeaderCell(organisations, colspan=len(orgs)),
             HeaderCell(total.label, rowspan=2)),
            tuple(HeaderCell(c.label) for c in orgs),
        ),
        stub=3,
        subgroups=tuple((g, OUTCOMES_GROUP) for g in (W, U, D, *group_labels)),
    )


def requests_table(other_rows: tuple[Row, ...], other_groups: tuple[tuple[str, str], ...]) -> Table:
    """Section 三 with the format's own （六）其他处理 rows and their groups, as (label, metric key)."""
    group_labels = tuple(label for label, _ in other_groups)
    return Table(
        "requests", "requests", "收到和处理政府信息公开申请情况",
        blocks=(
            Block(
                columns=REQUEST_COLUMNS,
                rows=REQUEST_ROWS_BEFORE + other_rows + REQUEST_ROWS_AFTER,
                header_labels=REQUESTS_HEADER,
                extra_columns=("小计", "法人或其他组织小计"),
                layout=requests_layout(group_labels),
            ),
        ),
        group_labels=(OUTCOMES_GROUP, W, U, D, *group_labels),
        group_keys=(*OUTCOME_GROUP_KEYS, *other_groups),
    )


REVIEW_COLUMNS = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
LITIGATION = "行政诉讼"
REVIEW_ROWS = (
    Row("review", "行政复议"),
    Row("litigation_direct", "未经复议直接起诉", group=LITIGATION),
    Row("litigation_after_review", "复议后起诉", group=LITIGATION),
)
REVIEW_LAYOUT = Layout(  # the two-level header: 行政复议 (5) | 行政诉讼 (10) over its two kinds
    header=(
        (HeaderCell(REVIEW_ROWS[0].label, colspan=5), HeaderCell(LITIGATION, colspan=10)),
        (*(HeaderCell(c.label, rowspan=2) for c in REVIEW_COLUMNS),
         *(HeaderCell(r.label, colspan=len(REVIEW_COLUMNS)) for r in REVIEW_ROWS[1:])),
        tuple(HeaderCell(c.label) for _ in REVIEW_ROWS[1:] for c in REVIEW_COLUMNS),
    ),
    stub=0,
    transposed=True,
)
REVIEW_TABLE = Table(
    "review", "review", "政府信息公开行政复议、行政诉讼情况",
    blocks=(
        Block(columns=REVIEW_COLUMNS, rows=REVIEW_ROWS, header_labels=(LITIGATION,), layout=REVIEW_LAYOUT),
    ),
)


def identity_rules(outcome_rows: tuple[str, ...]) -> tuple[IdentityRule, ...]:
    """Identities 1–4 of report-model.md for a format whose outcome rows are ``outcome_rows``."""
    return (
        IdentityRule(
            "identity.balance", 1, "requests", "columns",
            lhs=("new", "carried_over"), rhs=("total", "carry_forward"),
            label="勾稽关系（第一项加第二项之和等于第三项加第四项之和）",
            label_en="balance (new + carried over = handled total + carried forward)",
        ),
        IdentityRule(
            "identity.outcomes_total", 2, "requests", "columns",
            lhs=("total",), rhs=outcome_rows,
            label="（七）总计等于各办理结果之和",
            label_en="(七) total equals the sum of all outcome rows",
        ),
        IdentityRule(
            "identity.row_total", 3, "requests", "rows",
            lhs=("total",), rhs=APPLICANT_COLUMNS,
            label="总计列等于各类申请人之和",
            label_en="total column equals the sum of the six applicant columns",
        ),
        IdentityRule(
            "identity.review_total", 4, "review", "rows",
            lhs=("total",), rhs=("upheld", "corrected", "other", "pending"),
            label="复议/诉讼总计等于维持、纠正、其他、尚未审结之和",
            label_en="review/litigation total equals upheld + corrected + other + pending",
        ),
    )


# Identity 5 of report-model.md: 二、上年结转 (Y) = 四、结转下年度继续办理 (Y−1), for every column of section 三.
CARRY_OVER = YearLink("crossyear.carry_over", "requests", "columns", now="carried_over", before=("carry_forward",),
                      name_before=True)
# The headline counts whose tenfold jump from the year before is worth a look (crossyear.jump).
HEADLINE = (
    "requests.new.total", "requests.total.total", "review.review.total", "review.litigation_direct.total",
    "review.litigation_after_review.total", "disclosure.licensing.decisions", "disclosure.punishment.decisions",
    "disclosure.coercion.decisions",
)
