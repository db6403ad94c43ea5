"""The 2021 format: 国办公开办函〔2021〕30号, for report years 2021 onwards."""

from __future__ import annotations

from .base import Column, Format, Row, Table, YearLink
from .common import (
    CARRY_OVER,
    HEADLINE,
    REVIEW_TABLE,
    SECTIONS,
    disclosure_block,
    identity_rules,
    requests_table,
)

DECISIONS = Column("decisions", "本年处理决定数量", aliases=("本年处理决定数",))

DISCLOSURE = Table(
    "disclosure", "disclosure", "主动公开政府信息情况",
    blocks=(
        disclosure_block(
            "第二十条第（一）项",
            columns=(
                Column("made", "本年制发件数", aliases=("本年制发数量", "本年新制发件数")),
                Column("repealed", "本年废止件数", aliases=("本年废止数量",)),
                Column("in_force", "现行有效件数", aliases=("现行有效件", "现行有效数量")),
            ),
            rows=(
                Row("regulations", "规章"),
                Row("normative_docs", "行政规范性文件", aliases=("规范性文件",)),
            ),
        ),
        disclosure_block("第二十条第（五）项", columns=(DECISIONS,), rows=(Row("licensing", "行政许可"),)),
        disclosure_block(
            "第二十条第（六）项", columns=(DECISIONS,),
            rows=(Row("punishment", "行政处罚"), Row("coercion", "行政强制")),
        ),
        disclosure_block(
            "第二十条第（八）项",
            columns=(
                Column(
                    "amount", "本年收费金额（单位：万元）", kind="money",
                    aliases=("本年收费金额（单位：万元，保留4位小数）", "本年收费金额（万元）", "本年收费金额"),
                ),
            ),
            rows=(Row("fees", "行政事业性收费"),),
        ),
    ),
)

OTHER_GROUP = "（六）其他处理"
OTHER_ROWS = (
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        group=OTHER_GROUP, outcome=True,
    ),
    Row(
        "other_no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        group=OTHER_GROUP, outcome=True,
    ),
    Row("other_other", "3.其他", group=OTHER_GROUP, outcome=True),
)
REQUESTS = requests_table(OTHER_ROWS, ((OTHER_GROUP, "other"),))
# 现行有效件数 (Y) ≈ 现行有效件数 (Y−1) + 本年制发 (Y) − 本年废止 (Y): amendments make it a heuristic.
IN_FORCE_LINK = YearLink("crossyear.in_force", "disclosure", "rows", now="in_force", before=("in_force",),
                         plus=("made",), minus=("repealed",))

FORMAT = Format(
    version="2021",
    name="中华人民共和国政府信息公开工作年度报告格式",
    notice="国办公开办函〔2021〕30号",
    years=(2021, None),
    sections=SECTIONS,
    tables=(DISCLOSURE, REQUESTS, REVIEW_TABLE),
    identity_rules=identity_rules(tuple(r.key for b in REQUESTS.blocks for r in b.rows if r.outcome)),
    year_links=(CARRY_OVER, IN_FORCE_LINK),
    headline=HEADLINE,
)
