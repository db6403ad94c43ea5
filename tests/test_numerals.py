"""Chinese numerals as reports print them (dates, headings, counts in the prose): one reader for all."""

from __future__ import annotations

import pytest

from gknb.parse.meta import find_title, signature
from gknb.text import chinese_number


@pytest.mark.parametrize(("text", "value"), [
    ("二〇二三", 2023), ("二零二一", 2021), ("二○二二", 2022), ("2024", 2024), ("十", 10), ("十二", 12),
    ("二十三", 23), ("三十一", 31), ("两", 2), ("一百零五", 105), ("一千零一十", 1010), ("两千三百四十五", 2345),
    ("三万二千", 32000), ("一万零三百", 10300), ("一亿二千万", 120_000_000), ("零", 0),
])
def test_numbers_read(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["", "十十", "二三十", "一百二百", "万", "件", "１２a", "十二件"])
def test_what_is_no_number_is_none(text: str) -> None:
    assert chinese_number(text) is None


def test_a_chinese_year_and_signing_date_are_read() -> None:
    assert find_title(["青山县民政局二〇二三年政府信息公开工作年度报告", "一、总体情况"]) is not None
    assert signature(["青山县民政局", "二〇二四年一月三十一日"]) == ("青山县民政局", "2024-01-31")
