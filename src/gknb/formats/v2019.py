"""The 2019 format (试行): 国办公开办函〔2019〕60号, for report years 2019 and 2020."""

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

PREV_ITEMS = Column("prev_items", "上一年项目数量")
CHANGE = Column("change", "本年增/减", aliases=("本年增减", "本年增/减数量"), kind="signed")
DECISIONS = Column("decisions", "处理决定数量", aliases=("本年处理决定数量",))
PUBLISHING = (
    Column("new_made", "本年新制作数量", aliases=("本年新制作",)),
    Column("new_published", "本年新公开数量", aliases=("本年新公开",)),
    Column("total_published", "对外公开总数量", aliases=("对外公开总数",)),
)

DISCLOSURE = Table(
    "disclosure", "disclosure", "主动公开政府信息情况",
    blocks=(
        disclosure_block(
            "第二十条第（一）项", columns=PUBLISHING,
            rows=(
                Row("regulations", "规章"),
                Row("normative_docs", "规范性文件", aliases=("行政规范性文件",)),
            ),
        ),
        disclosure_block(
            "第二十条第（五）项", columns=(PREV_ITEMS, CHANGE, DECISIONS),
            rows=(Row("licensing", "行政许可"), Row("other_services", "其他对外管理服务事项")),
        ),
        disclosure_block(
            "第二十条第（六）项", columns=(PREV_ITEMS, CHANGE, DECISIONS),
            rows=(Row("punishment", "行政处罚"), Row("coercion", "行政强制")),
        ),
        disclosure_block("第二十条第（八）项", columns=(PREV_ITEMS, CHANGE), rows=(Row("fees", "行政事业性收费"),)),
        disclosure_block(
            "第二十条第（九）项",
            columns=(
                Column("items", "采购项目数量"),
                Column("amount", "采购总金额", kind="money", aliases=("采购总金额（万元）", "采购总金额（单位：万元）")),
            ),
            rows=(Row("procurement", "政府集中采购"),),
        ),
    ),
)

REQUESTS = requests_table((Row("other", "（六）其他处理", outcome=True, group="三、本年度办理结果"),), ())
# 上一年项目数量 (Y) = 上一年项目数量 (Y−1) + 本年增/减 (Y−1), for every row that prints both.
PREV_ITEMS_LINK = YearLink("crossyear.prev_items", "disclosure", "rows", now="prev_items", before=("prev_items", "change"))

FORMAT = Format(
    version="2019",
    name="中华人民共和国政府信息公开工作年度报告格式（试行）",
    notice="国办公开办函〔2019〕60号",
    years=(2019, 2020),
    sections=SECTIONS,
    tables=(DISCLOSURE, REQUESTS, REVIEW_TABLE),
    identity_rules=identity_rules(tuple(r.key for b in REQUESTS.blocks for r in b.rows if r.outcome)),
    year_links=(CARRY_OVER, PREV_ITEMS_LINK),
    headline=HEADLINE,
)
