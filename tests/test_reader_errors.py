"""Readers' errors on real bad inputs: specific, in Chinese and English, and never a library's own text
(exception messages, paths, class names), which ``GknbError`` messages must not pass on to people."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from gknb.data import load
from gknb.errors import GknbError
from gknb.ingest import read_document
from gknb.ingest.fetch import fetch
from gknb.review.scoring import SchemeError, parse_scheme

REAL_PDF = Path(__file__).parent / "corpus" / "real" / "hongze2023.pdf"
# what leaks when an exception's text is passed on: class names, errno, PDFium's or a parser's own words
LEAKS = re.compile(r"Error\b|Exception|Errno|Traceback|PDFium|Expecting|lxml|openpyxl|zipfile|httpx|\bat 0x")


def assert_clear(error: GknbError, zh: str, en: str, *, hidden: str = "") -> None:
    """The error says ``zh`` and ``en``, has Chinese in its Chinese message, and passes on no library text
    and not ``hidden`` (a path)."""
    assert zh in error.message and en in error.message_en, (error.message, error.message_en)
    assert re.search(r"[\u4e00-\u9fff]", error.message)
    for text in (error.message, error.message_en):
        assert not LEAKS.search(text), text
        assert not hidden or hidden not in text, text


def _pdf(objects: list[bytes], trailer: str) -> bytes:
    """A PDF file of ``objects`` with a correct cross-reference table."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_password_protected_pdf_says_so() -> None:
    # the standard security handler with a user password that is not empty: PDFium asks for it
    raw = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
                b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"],
               "/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")
    with pytest.raises(GknbError) as caught:
        read_document(raw, name="report.pdf")
    assert_clear(caught.value, "密码保护", "password-protected")


def test_damaged_pdf_says_so() -> None:
    raw = REAL_PDF.read_bytes()
    broken = raw[:16] + bytes(len(raw) - 16)  # the header of a real report, then nothing but zeros
    with pytest.raises(GknbError) as caught:
        read_document(broken, name="report.pdf")
    assert_clear(caught.value, "已损坏或不是 PDF", "damaged or not a PDF")


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("2023年政府信息公开工作年度报告")
    document.save(buffer)
    return buffer.getvalue()


def _replace_part(raw: bytes, name: str, content: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item))
    return out.getvalue()


@pytest.mark.parametrize("damage", ["truncated", "broken part"])
def test_damaged_docx_says_so(damage: str) -> None:
    raw = _docx_bytes()
    broken = raw[: len(raw) // 2] if damage == "truncated" else _replace_part(
        raw, "word/document.xml", b"<w:document xmlns:w='urn:x'><w:body><w:p>")
    with pytest.raises(GknbError) as caught:
        read_document(broken, name="report.docx")
    assert_clear(caught.value, "无法读取 Word 文档", "cannot read the Word document")


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["A1"] = "机关"
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["truncated", "a Word file", "no workbook part"])
def test_bad_workbook_says_so(tmp_path: Path, damage: str) -> None:
    raw = _xlsx_bytes()
    broken = {"truncated": raw[: len(raw) // 2], "a Word file": _docx_bytes(),
              "no workbook part": _replace_part(raw, "xl/workbook.xml", b"<oops")}[damage]
    path = tmp_path / "filled.xlsx"
    path.write_bytes(broken)
    with pytest.raises(GknbError) as caught:
        load(path)
    assert_clear(caught.value, "不是有效的 Excel 工作簿", "not a valid Excel workbook", hidden=str(tmp_path))


@pytest.mark.parametrize(("name", "text", "zh", "en"), [
    ("report.json", '{"meta": {"year": 2023,,}}', "不是有效的 JSON（第 1 行第 24 列）", "not valid JSON (line 1, column 24)"),
    ("report.yaml", "meta:\n  year: [2023\ncells: {}\n", "不是有效的 YAML（第 3 行", "not valid YAML (line 3"),
    ("report.json", b"\xff\xfe{\x00".decode("latin-1"), "数据文件", "the data file"),
])
def test_bad_data_file_says_where(tmp_path: Path, name: str, text: str, zh: str, en: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1") if "\xff" in text else text.encode("utf-8"))
    with pytest.raises(GknbError) as caught:
        load(path)
    assert_clear(caught.value, zh, en, hidden=str(tmp_path))


def test_bad_scoring_scheme_says_where() -> None:
    with pytest.raises(SchemeError) as caught:
        parse_scheme("items:\n  - name: [a\n  - b\n")
    assert_clear(caught.value, "不是有效的 YAML（第", "not valid YAML (line")


@pytest.mark.parametrize(("url", "zh", "en"), [
    ("ftp://example.com/report.pdf", "不是 http/https 网址", "not an http/https address"),
    ("http:///report.pdf", "网址无效：应为 http:// 或 https:// 后接网站域名", "followed by a host name"),
    ("http://[::1/report.pdf", "网址无效：请检查网址的写法", "invalid address: check how it is written"),
    ("http://exa\x00mple.gov.cn/report.pdf", "网址无效：请检查网址的写法", "invalid address: check how it is written"),
])
def test_bad_url_says_what_is_wrong(url: str, zh: str, en: str) -> None:
    with pytest.raises(GknbError) as caught:
        fetch(url, timeout=2, deadline=4)
    assert_clear(caught.value, zh, en)
