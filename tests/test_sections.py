"""Section text without page chrome: page numbers, running heads, a web page's furniture, the 落款."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import gknb
from gknb.formats import FORMATS
from gknb.parse.sections import is_chrome, paragraphs, running_heads, section_lines
from gknb.render import render as render_report
from layouts import random_report, render
from pdf_fixtures import published_page

CORPUS = Path(__file__).parent / "corpus"
CHROME = ["分享到：微信 微博 【打印本页】【关闭窗口】", "【字体：大 中 小】", "责任编辑：王小明", "扫一扫在手机打开当前页",
          "- 3 -", "— 12 —", "第 3 页 共 8 页", "第3页/共8页", "共8页 第3页", "3/8", "Page 2 of 5",
          "浙ICP备12345678号-1", "主办单位：某县人民政府办公室 网站标识码：3301000001", "【打印】 【关闭】",
          "12/1/26, 2:02 PM", "file:///tmp/report.html", "上一篇：关于2022年度工作的通知",
          "浏览次数：1234 字号：[大 中 小]", "------------", "============", "* * *", "————————"]
PROSE = ["本年度未收取信息处理费。", "无", "无其他需要报告的事项。", "（一）主动公开", "编辑部门积极公开信息。",
         "来源于群众的意见，我们及时回应。", "打印机采购项目3个。", "2022年1月11日", "第三项加第四项之和",
         "全年共受理申请3件，办结3件。", "——", "-3"]
CHROME_WORDS = ("分享到", "打印本页", "关闭窗口", "字体", "责任编辑", "扫一扫", "相关链接", "主办单位", "ICP备",
                "网站标识码", "file://", "浏览次数")


@pytest.mark.parametrize("line", CHROME)
def test_chrome_lines_are_recognised(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize("line", PROSE)
def test_prose_is_never_chrome(line: str) -> None:
    assert not is_chrome(line)


def test_real_portal_info_bar_is_chrome() -> None:
    """The info bar of a real page (tests/corpus/023.txt, 攀枝花 portal) is chrome, its title is not."""
    lines = (CORPUS / "023.txt").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("www.panzhihua.gov.cn") and is_chrome(lines[2])
    assert not is_chrome(lines[0]) and not is_chrome(lines[4])


def test_section_lines_drop_running_heads_related_links_and_the_signature() -> None:
    head = "XX县人民政府2023年政府信息公开工作年度报告"
    lines = ["本年度未收取信息处理费。", head, "- 4 -", "人大代表建议办理结果已公开。", "XX县人民政府", "2024年1月20日",
             "相关链接", "2022年政府信息公开工作年度报告"]
    heads = running_heads([head, "正文", head, head])
    assert section_lines(lines, heads, last=True) == ["本年度未收取信息处理费。", "人大代表建议办理结果已公开。"]
    assert section_lines(lines, heads) == lines[:1] + lines[3:6]  # not the last section: its 落款 stays
    assert section_lines(["无", "XX县人民政府 2024年1月20日"], last=True) == ["无"]
    assert section_lines(["截至2024年1月20日"], last=True) == ["截至2024年1月20日"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_published_page_sections_carry_no_chrome_and_meta_keeps_the_signature(seed: int, tmp_path: Path) -> None:
    fmt = FORMATS["2021"]
    rnd = random.Random(seed)
    html = render(fmt, random_report(fmt, rnd), "html", rnd, agency="青山县民政局")
    path = tmp_path / "page.html"
    path.write_text(published_page(html, "青山县民政局"), encoding="utf-8")
    report = gknb.read(path)
    text = "\n".join(t for t in report.sections.values() if t)
    assert not [w for w in CHROME_WORDS if w in text]
    assert report.sections["other"] and not report.sections["other"].rstrip().endswith("日")
    assert "青山县民政局" not in report.sections["other"].splitlines()[-1]
    assert report.meta.agency == "青山县民政局"
    assert report.meta.published is not None


def test_markdown_copy_sections_have_no_heading_underlines(tmp_path: Path) -> None:
    """gknb's own Markdown (setext headings, ``------`` under each title) reads back without the underlines."""
    fmt = FORMATS["2021"]
    cells = random_report(fmt, random.Random(5))
    report = gknb.read(render(fmt, cells, "tab", random.Random(6)).encode("utf-8"), name="r.txt")
    path = tmp_path / "r.md"
    path.write_bytes(render_report(report, "md"))
    again = gknb.read(path)
    assert any(again.sections.values())
    for key, text in again.sections.items():
        assert text is None or not any(line.strip().startswith(("---", "===")) for line in text.splitlines()), key


def test_a_line_opening_with_closing_punctuation_runs_on_from_the_line_before():
    """A copy broken where the PDF's text runs end (pdftotext -raw: ``例外”`` / ``，扎实推进``): no
    Chinese line starts with closing punctuation, so the two are one sentence; a new paragraph stays one."""
    lines = ["坚持“公开为常态、不公开为例外”", "，扎实推进政府信息公开工作。", "（一）主动公开方面。", "", "”引号"]
    assert paragraphs(lines) == ["坚持“公开为常态、不公开为例外”，扎实推进政府信息公开工作。", "（一）主动公开方面。", "", "”引号"]
