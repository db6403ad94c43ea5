"""A region of generated reports over two years, stored, for the review deliverables' tests.

``build_region(store)`` stores the 2022 and 2023 reports of the units of 桐庐县 (a real county of the
division table), printed by tests/layouts.py with their own overview text and a 发布日期 line. Planted:

- 桐庐县民政局 2023: a cell of section 三 off by 5 (an identity error) and 上年结转 ≠ last year's 结转;
- 桐庐县教育局 2023: published 2024-02-20, after the departments' 1月31日;
- 桐庐县审计局 2023 and 桐庐县司法局 2023: the same overview (copied across units);
- 桐庐县分水镇人民政府 2023: stored twice (a .txt and an .html copy of the same report);
- 桐庐县卫生健康局: a 2022 report only (missing in 2023).
"""

from __future__ import annotations

import random

import gknb
from gknb.formats import FORMATS
from gknb.pipeline.write import store_report
from layouts import random_report, render

REGION = "桐庐县"
UNITS = ("桐庐县民政局", "桐庐县教育局", "桐庐县审计局", "桐庐县司法局", "桐庐县分水镇人民政府", "桐庐县卫生健康局")
MISSING_2023 = "桐庐县卫生健康局"
BROKEN, LATE, DUPLICATED = "桐庐县民政局", "桐庐县教育局", "桐庐县分水镇人民政府"
COPIERS = ("桐庐县审计局", "桐庐县司法局")
BROKEN_CELL = "requests.granted.natural_person"
TOPICS = {
    "桐庐县民政局": "围绕城乡低保、特困供养、临时救助等民生事项，及时公开救助政策、审批结果和资金发放情况",
    "桐庐县教育局": "聚焦招生入学政策、学校收费标准和教师招聘信息，开设校园安全专栏并组织家长开放日",
    "桐庐县审计局": "公开年度审计工作计划、审计结果公告和整改情况，推动审计发现问题整改到位",
    "桐庐县司法局": "公开法律援助、人民调解和公证服务事项办理指南，推进公共法律服务平台信息更新",
    "桐庐县分水镇人民政府": "公开镇级财政预决算、惠农补贴发放名单和村级重大事项，落实村务公开栏定期更新",
    "桐庐县卫生健康局": "公开医疗机构执业信息、疫苗接种安排和公共卫生服务项目，及时发布健康提示",
}
DETAIL = ("全年组织专题培训{n}次，业务人员能力明显提升；建立信息发布台账，逐条核对公开内容的准确性，"
          "并通过政务新媒体同步推送，方便群众及时获取。")
COPIED = ("本单位严格落实政务公开各项要求，认真梳理本单位职责范围内的政府信息，"
          "对应公开事项逐一建立清单，实行信息发布前保密审查和内容审核，确保公开内容准确、规范、及时；"
          "同时主动回应社会关切，畅通依申请公开渠道，依法依规答复每一件申请。")


def _text(agency: str, year: int, cells: dict, seed: int, layout: str = "tab") -> str:
    text = render(FORMATS["2021"], cells, layout, random.Random(seed), year=year, agency=agency, bare_review=False)
    month, day = (2, 20) if (agency, year) == (LATE, 2023) else (1, 15)
    overview = (COPIED if (agency in COPIERS and year == 2023)
                else f"{TOPICS[agency]}。" + DETAIL.format(n=year - 2019))
    out, replaced = [], False
    for i, line in enumerate(text.split("\n")):
        if i == 1 and layout == "tab":
            out.append(f"发布日期：{year + 1}-{month:02d}-{day:02d}")
        if not replaced and line.startswith(f"{year}年，{agency}坚持"):
            line, replaced = f"{year}年，{agency}{overview}", True
        out.append(line)
    return "\n".join(out)


def _next_year(fmt, first: dict, rnd: random.Random, *, broken: bool) -> dict:
    """A second year that follows from ``first``: 上年结转 = last year's 结转下年度 (one more in the
    自然人 column and 总计 when ``broken``), 现行有效 = last year's + 制发 − 废止; no negative cell."""
    while True:
        second = random_report(fmt, rnd)
        for col in [k.rsplit(".", 1)[1] for k in first if k.startswith("requests.new.")]:
            delta = first[f"requests.carry_forward.{col}"] - second[f"requests.carried_over.{col}"]
            if broken and col in ("natural_person", "total"):
                delta += 1
            second[f"requests.carried_over.{col}"] += delta
            second[f"requests.carry_forward.{col}"] += delta
        for row in ("regulations", "normative_docs"):
            before = first[f"disclosure.{row}.in_force"]
            repealed = second[f"disclosure.{row}.repealed"] = min(second[f"disclosure.{row}.repealed"], before)
            second[f"disclosure.{row}.in_force"] = before + second[f"disclosure.{row}.made"] - repealed
        if all(v >= 0 for v in second.values()):
            return second


def build_region(store) -> dict[tuple[str, int], int]:
    """Store the region's reports; (agency, year) → stored report id (the .txt copy for the duplicate)."""
    fmt = FORMATS["2021"]
    ids: dict[tuple[str, int], int] = {}
    for n, agency in enumerate(UNITS):
        rnd = random.Random(100 + n)
        first = random_report(fmt, rnd)
        second = _next_year(fmt, first, rnd, broken=agency == BROKEN)
        for year, cells in ((2022, first), (2023, second)):
            if (agency, year) == (MISSING_2023, 2023):
                continue
            printed = dict(cells)
            if (agency, year) == (BROKEN, 2023):
                printed[BROKEN_CELL] += 5
            text = _text(agency, year, printed, 7 * n + year)
            report = gknb.read(text.encode("utf-8"), name=f"{agency}{year}.txt")
            ids[agency, year] = store_report(store, report, text.encode("utf-8"), location=f"{agency}/{year}.txt").report_id
            if (agency, year) == (DUPLICATED, 2023):
                page = _text(agency, year, printed, 7 * n + year, layout="html")
                copy = gknb.read(page.encode("utf-8"), name=f"{agency}{year}.html")
                store_report(store, copy, page.encode("utf-8"), location=f"https://example.gov.cn/{year}.html")
    return ids
