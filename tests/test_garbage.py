"""Garbage in: a clear GknbError (with Chinese and English messages) or a partial report — never a crash,
never a hang, never a table invented from noise."""

from __future__ import annotations

import io
import random
import threading
import zipfile
from pathlib import Path

import pytest

import gknb
from gknb.errors import GknbError, NotAnnualReport, UnreadableFile, UnsupportedFormat
from gknb.formats import FORMATS

HUGE_TIMEOUT = 180  # seconds: generous; a hang is the failure, not slowness


def _assert_clear(exc: BaseException) -> None:
    assert isinstance(exc, GknbError), f"{type(exc).__name__} is not a GknbError: {exc!r}"
    assert isinstance(exc.message, str) and exc.message.strip(), "empty Chinese message"
    assert isinstance(exc.message_en, str) and exc.message_en.strip(), "empty English message"


def _raises(data: bytes | Path, name: str | None = "x.txt") -> GknbError:
    with pytest.raises(GknbError) as info:
        gknb.read(data, name=name) if isinstance(data, bytes) else gknb.read(data)
    _assert_clear(info.value)
    return info.value


def test_empty_bytes():
    _raises(b"")


def test_whitespace_only():
    _raises(b" \n\n\t \r\n")


def test_missing_path(tmp_path):
    exc = _raises(tmp_path / "no_such_report.txt")
    assert isinstance(exc, UnreadableFile)


@pytest.mark.parametrize("seed", range(5))
def test_random_binary(seed):
    rnd = random.Random(seed)
    _raises(b"\x00\xff\xfe" + rnd.randbytes(8192), name="x.txt")


def test_only_tabs_and_pipes():
    rnd = random.Random(7)
    data = "\n".join("".join(rnd.choice("\t|  ") for _ in range(rnd.randint(0, 40))) for _ in range(2000))
    _raises(data.encode())


_WORDS = [
    "今天", "天气", "晴朗", "我们", "一起", "去", "公园", "散步", "湖边", "的", "柳树", "发芽", "孩子们", "放风筝",
    "周末", "市场", "买了", "新鲜", "蔬菜", "水果", "晚饭", "做了", "红烧肉", "邻居", "送来", "一篮", "鸡蛋",
    "火车", "开往", "远方", "山里", "下雨", "小路", "泥泞", "老人", "讲述", "过去", "故事", "书店", "读书",
]


@pytest.mark.parametrize("seed", range(5))
def test_random_chinese_prose_is_not_an_annual_report(seed):
    rnd = random.Random(seed)
    paragraphs = [
        "".join(rnd.choice(_WORDS) for _ in range(rnd.randint(8, 30))) + rnd.choice("。！？")
        for _ in range(rnd.randint(3, 40))
    ]
    exc = _raises("\n\n".join(paragraphs).encode("utf-8"))
    assert isinstance(exc, NotAnnualReport), f"{type(exc).__name__}: {exc}"


def test_disclosure_guide_is_not_an_annual_report():
    """A 政府信息公开指南 talks about the same things but is not a 年度报告."""
    text = """某某县自然资源局政府信息公开指南

为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。

一、主动公开
（一）公开范围。本机关主动公开机构职能、规范性文件、行政许可、行政处罚等政府信息。
（二）公开方式。通过县政府门户网站、政务新媒体等方式公开。

二、依申请公开
（一）受理机构。本机关办公室负责受理政府信息公开申请，办公时间：工作日上午9:00-12:00。
（二）申请方式。申请人可以通过信函、当面提交或网上申请等方式提出申请。
（三）办理时限。能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内答复。

三、监督和救济
公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。
"""
    exc = _raises(text.encode("utf-8"))
    assert isinstance(exc, NotAnnualReport), f"{type(exc).__name__}: {exc}"


def test_truncated_report(seed_000):
    """The first 40 % of seed 000 (cut at the start of section 三): sections 一、二 read, the rest missing."""
    text = seed_000.read_text(encoding="utf-8")
    cut = text[: int(len(text) * 0.4)]
    report = gknb.read(cut.encode("utf-8"), name="000_cut.txt")
    assert report.meta.template == "2021"
    assert report.meta.year == 2021
    fmt = FORMATS["2021"]
    for key in fmt.cell_keys():
        if key.startswith("disclosure."):
            assert report.cells.get(key) == 0, key
        else:
            assert report.cells.get(key) is None, f"{key} = {report.cells.get(key)!r} in a report cut before the table"
    missing = {k for k in fmt.cell_keys() if not k.startswith("disclosure.")}
    assert any(set(f.cells) & missing for f in report.findings), "no finding names any of the missing cells"
    assert any("section" in f"{f.rule} {f.message_en}".lower() for f in report.findings), (
        "no finding about the missing sections 四、五、六: " + "; ".join(f.rule for f in report.findings)
    )


def _run_with_timeout(fn, timeout: float):
    box: dict[str, object] = {}

    def target():
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"gknb.read did not finish within {timeout} s"
    return box


@pytest.mark.parametrize("shape", ["many_lines", "one_line"])
def test_50mb_file_finishes(tmp_path, seed_000, shape):
    """50 MB: either a clear GknbError (e.g. too large) or a report — but it must finish."""
    path = tmp_path / f"huge_{shape}.txt"
    head = seed_000.read_bytes()
    if shape == "many_lines":
        filler = "这是一段重复的填充文字，用于测试超大文件的处理。\t0\t1\t|\t2\n".encode()
    else:
        filler = "重复填充文字 0 1 | 2 ".encode()
    size = 50 * 1024 * 1024
    with path.open("wb") as out:
        out.write(head)
        out.write(filler * ((size - len(head)) // len(filler) + 1))
    box = _run_with_timeout(lambda: gknb.read(path), HUGE_TIMEOUT)
    if "error" in box:
        _assert_clear(box["error"])
    else:
        assert "result" in box


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", "<w:document>broken")
    return buf.getvalue()


# A file of another medium: for now UnsupportedFormat. These bytes are also corrupt, so once a PDF/DOCX
# reader lands the right answer becomes UnreadableFile; anything else (reading them as text) is wrong.
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 8, "x.pdf"),
        (b"%PDF-1.4\n" + random.Random(1).randbytes(4096), None),
        (b"PK\x03\x04" + random.Random(2).randbytes(4096), "x.docx"),
        (_docx_bytes(), "x.docx"),
        (b"%PDF-1.5\n" + b"\x00" * 512, "report.txt"),  # the content decides, not the name
    ],
    ids=["pdf", "pdf-no-name", "docx-magic", "docx-zip", "pdf-named-txt"],
)
def test_other_media_are_refused_clearly(data, name):
    exc = _raises(data, name=name)
    assert isinstance(exc, UnsupportedFormat | UnreadableFile), f"{type(exc).__name__}: {exc}"


def test_pdf_path(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    exc = _raises(path)
    assert isinstance(exc, UnsupportedFormat | UnreadableFile), f"{type(exc).__name__}: {exc}"
