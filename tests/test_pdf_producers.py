"""PDFs from other producers (``pdf_fixtures.PRODUCERS``): a browser's 打印 → 另存为 PDF of the published
page, WeasyPrint, LibreOffice Writer/Web, Word-like DOCX tables (all borders, only horizontal ones, none;
landscape pages without repeated headers; Windows font names LibreOffice falls back from), numbers
wrapped digit by digit.
Every cell scored against the truth: exact where the producer prints a clean grid, never silently
wrong anywhere; section text free of the page's and the browser's chrome."""

from __future__ import annotations

import pytest

import gknb
from converters import score
from pdf_fixtures import CHROMIUM, PRODUCERS, SOFFICE, producer_case

pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: the fixtures cannot be made"),
]
# share of cells exact each producer must reach (measured: chromium, weasyprint, word-like, digits, digits-unruled,
# word-hrules, word-unruled, word-landscape, word-fonts 100 %; soffice-html 99.5 % (a blank beside an unruled row
# split by the page))
FLOOR = {"chromium": 1.0, "weasyprint": 1.0, "word-like": 1.0, "soffice-html": 0.99, "digits": 1.0,
         "digits-unruled": 1.0, "word-hrules": 1.0, "word-unruled": 1.0, "word-landscape": 1.0, "word-fonts": 1.0}
CHROME_WORDS = ("分享到", "打印本页", "关闭窗口", "字体", "责任编辑", "扫一扫", "相关链接", "主办单位", "ICP备", "file://")


@pytest.mark.parametrize("version", ["2021", "2019"])
@pytest.mark.parametrize("producer", PRODUCERS)
def test_every_producer_reads_and_is_never_silently_wrong(producer: str, version: str) -> None:
    if producer == "chromium" and CHROMIUM is None:
        pytest.skip("chromium is not installed (the CI installs it: .ci/run)")
    case = producer_case(version, producer)
    report = gknb.read(case.path)
    result = score(report, case.truth)
    assert report.meta.template == version
    assert result.silent == ()
    assert 1 - len(result.wrong) / len(case.truth) >= FLOOR[producer], result.wrong


@pytest.mark.parametrize("producer", ["chromium", "weasyprint", "soffice-html"])
def test_printed_web_page_sections_carry_no_chrome(producer: str) -> None:
    if producer == "chromium" and CHROMIUM is None:
        pytest.skip("chromium is not installed (the CI installs it: .ci/run)")
    report = gknb.read(producer_case("2021", producer).path)
    text = "\n".join(t for t in report.sections.values() if t)
    assert [w for w in CHROME_WORDS if w in text] == []
    assert all(report.sections[k] for k in ("overview", "problems", "other"))
    for key in ("overview", "problems", "other"):  # paragraphs wrapped by the page are whole again
        assert all(len(p) > 20 or p.endswith(("。", "：")) for p in report.sections[key].splitlines()), key
    assert " 一 " not in text and "（ 一 ）" not in text  # a browser's flat 一 is no space
    assert report.meta.agency == "城关街道办事处"
    assert report.meta.published is not None
