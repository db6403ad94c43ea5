"""Ingest: bytes of any supported medium → Document (blocks with provenance).

The medium is sniffed from the content first and the file name second: text (``.txt``, ``.md``,
anything textual), HTML, PDF (text layer, or OCR for scans), Word (DOCX, DOC/WPS), OFD and images
(OCR) are read; spreadsheets, OpenDocument, RTF and other archives are recognised by their magic
bytes and refused with ``UnsupportedFormat``; binary, empty, missing and oversized files raise
``UnreadableFile``. All text is normalised (see ``normalize``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath

from ..document import Block, Document, Source
from ..errors import UnreadableFile, UnsupportedFormat
from .decoding import bom_encoding, decode
from .normalize import normalize_document_text
from .properties import declared
from .text import markdown_unescaped, text_to_blocks

__all__ = ["MAX_BYTES", "medium", "read_document"]

MAX_BYTES = 20 * 1024 * 1024

_HTML_EXTENSIONS = {".html", ".htm", ".xhtml", ".shtml"}
_HTML_SNIFF_BYTES = 2048
_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|table|div|p)\b", re.IGNORECASE)

# kind → what it is in Chinese and in English; the kinds of ``_READERS`` are read
_UNSUPPORTED = {
    "spreadsheet": ("电子表格文件", "spreadsheet"),
    "opendocument": ("OpenDocument 文件", "OpenDocument"),
    "archive": ("ZIP 压缩包", "ZIP archive"),
    "rtf": ("RTF 文件", "RTF"),
}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def _read_docx(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    from .docx import docx_to_blocks  # python-docx is loaded only when a Word file is read

    return docx_to_blocks(raw, label)


def _read_doc(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    from .docx import doc_to_blocks

    return doc_to_blocks(raw, label)


def _read_ofd(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    from .ofd import ofd_to_blocks  # and the page layout reader only for OFD (and PDF)

    return ofd_to_blocks(raw, label)


def _read_pdf(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    from .pdf import read_pdf  # pypdfium2 is loaded only when a PDF is read

    return read_pdf(raw, label)


def _read_image(raw: bytes, label: str) -> tuple[list[Block], list[str]]:
    from .ocr import read_image  # needs the optional OCR extra; refuses clearly without it

    return read_image(raw, label)


# media read by their own module, imported when first needed: kind → reader(raw, label) → (blocks, notes)
_READERS = {"docx": _read_docx, "doc": _read_doc, "ofd": _read_ofd, "pdf": _read_pdf, "image": _read_image}


def read_document(source: str | Path | bytes, *, name: str | None = None, charset: str | None = None) -> Document:
    """Read a file (a ``str`` or ``Path`` is a path) or raw bytes into a Document.

    ``name`` labels the source (``Source.path``) and lends its extension to sniffing; by default
    the path, or ``<bytes>``. ``charset``: the encoding the transport declared (an HTTP header),
    preferred to the page's own. Raises UnreadableFile / UnsupportedFormat.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
        label = name or "<bytes>"
        suffix = _suffix(name)
        if len(raw) > MAX_BYTES:
            raise _too_large(label)
    else:
        label = name or str(source)
        suffix = _suffix(name) or _suffix(str(source))
        raw = _read_file(Path(source), label)
    if not raw.strip():
        raise _empty(label)
    medium = _sniff(raw, suffix, label)
    encoding: str | None = None
    page = None
    if medium in _READERS:
        blocks, notes = _READERS[medium](raw, label)
    elif medium == "html":
        from lxml import etree  # lxml only when a page is read

        from .html import declared_charset, html_to_blocks, parse_html

        text, encoding = decode(raw, label, charset or declared_charset(raw))
        if not text.strip():
            raise _empty(label)
        page = text
        try:
            root = parse_html(text)
        except (etree.ParserError, ValueError) as exc:
            raise UnreadableFile(
                "无法解析 HTML 页面：页面结构已损坏", "the HTML page cannot be parsed: its markup is broken", label
            ) from exc
        blocks, normalizer = html_to_blocks(root)
        if not blocks:
            raise UnreadableFile("页面中没有文字", "the page contains no text", label)
        notes = normalizer.notes
    else:
        text, encoding = decode(raw, label, charset)
        if not text.strip():
            raise _empty(label)
        text, notes = normalize_document_text(text)
        blocks = text_to_blocks(markdown_unescaped(text) if medium == "md" else text)
    source_info = Source(
        path=label, sha256=hashlib.sha256(raw).hexdigest(), format=medium, encoding=encoding, size=len(raw)
    )
    own = declared(raw, medium, page)
    return Document(source=source_info, blocks=blocks, notes=notes, title=own.title, declared_units=own.units)


def medium(raw: bytes, *, name: str | None = None) -> str:
    """What the bytes are, from their first few kilobytes and the name: ``txt``, ``md``, ``html``,
    ``docx``, ``doc``, ``ofd``, ``pdf``, ``image`` or ``archive`` (a zip); raises UnsupportedFormat."""
    kind = _unsupported_kind(raw, _suffix(name))
    if kind in ("pdf", "image", "archive"):
        return kind
    return _sniff(raw, _suffix(name), name or "upload")


def _suffix(name: str | None) -> str:
    return PurePath(name).suffix.lower() if name else ""


def _read_file(path: Path, label: str) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UnreadableFile("不是文件（可能是目录）", "not a regular file (a directory?)", label)
        if size > MAX_BYTES:
            raise _too_large(label)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        raise UnreadableFile("文件不存在", "file not found", label) from exc
    except OSError as exc:
        raise UnreadableFile(
            f"无法读取文件：{exc.strerror}", f"cannot read the file: {exc.strerror}", label
        ) from exc
    if len(raw) > MAX_BYTES:
        raise _too_large(label)
    return raw


def _sniff(raw: bytes, suffix: str, label: str) -> str:
    """``html``, ``md``, ``txt`` or a kind of ``_READERS``; raises UnsupportedFormat for media gknb does not read."""
    kind = _unsupported_kind(raw, suffix)
    if kind in _READERS:
        return kind
    if kind:
        zh, en = _UNSUPPORTED[kind]
        space = " " if zh[0].isascii() else ""
        raise UnsupportedFormat(f"暂不支持{space}{zh}", f"{en} input is not supported yet", label)
    if suffix in _HTML_EXTENSIONS:
        return "html"
    head = raw[:_HTML_SNIFF_BYTES]
    bom = bom_encoding(raw)
    if bom and bom.startswith("utf-"):
        head = raw[: _HTML_SNIFF_BYTES * 4].decode(bom, errors="ignore").encode("utf-8")
    if _HTML_TAG.search(head):
        return "html"
    return "md" if suffix in (".md", ".markdown") else "txt"


def _unsupported_kind(raw: bytes, suffix: str) -> str | None:
    head = raw[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if raw.startswith(_OLE_MAGIC):
        return "spreadsheet" if suffix in (".xls", ".et") else "doc"
    if raw.startswith(_ZIP_MAGIC):
        return _zip_kind(raw[:8192], suffix)
    if raw.startswith(_IMAGE_MAGIC) or (raw.startswith(b"RIFF") and raw[8:12] == b"WEBP"):
        return "image"
    if raw.startswith(b"BM") and suffix == ".bmp":
        return "image"
    if raw.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    return None


def _zip_kind(head: bytes, suffix: str) -> str:
    """Which zip-based format a zip file is, judged from its first member names."""
    if b"OFD.xml" in head or suffix == ".ofd":
        return "ofd"
    if b"word/" in head or suffix in (".docx", ".wps"):
        return "docx"
    if b"xl/" in head or suffix in (".xlsx", ".et"):
        return "spreadsheet"
    if b"application/vnd.oasis.opendocument" in head:
        return "opendocument"
    return "archive"


def _too_large(label: str) -> UnreadableFile:
    limit = MAX_BYTES // (1024 * 1024)
    return UnreadableFile(f"文件过大（超过 {limit} MB）", f"file too large (over {limit} MB)", label)


def _empty(label: str) -> UnreadableFile:
    return UnreadableFile("文件为空", "file is empty", label)
