"""Bytes → str: byte-order marks, UTF-8, a declared charset, GB18030, then charset-normalizer."""

from __future__ import annotations

import codecs
import re

from ..errors import UnreadableFile

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# GB2312 and GBK labels are decoded as their superset GB18030 (pages labelled gb2312 use GBK characters).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "euc_cn": "gb18030", "hz": "gb18030"}
# Western single-byte labels decode anything; on Chinese pages they are wrong, so GB18030 is tried instead.
_IGNORED_DECLARATIONS = {"ascii", "iso8859-1", "cp1252", "latin-1"}
# Control characters that do not occur in text (tab, newlines and form feed are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.05


def bom_encoding(raw: bytes) -> str | None:
    """The encoding announced by a byte-order mark, if any."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    return None


def decode(raw: bytes, path: str, declared: str | None = None) -> tuple[str, str]:
    """Decode ``raw`` into text with newlines normalised to ``\\n``; returns (text, encoding).

    Order: BOM, UTF-8, the ``declared`` charset (e.g. an HTML ``<meta charset>``), GB18030,
    charset-normalizer. Raises UnreadableFile for binary content.
    """
    encoding = bom_encoding(raw)
    if encoding is None and b"\x00" in raw:
        raise _not_text(path)
    text = None
    for candidate in _candidates(encoding, declared):
        try:
            text = raw.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        encoding = candidate
        break
    if text is None:
        import charset_normalizer  # only for bytes that are none of the candidate encodings

        best = charset_normalizer.from_bytes(raw).best()
        if best is None:
            raise _not_text(path)
        text, encoding = str(best), best.encoding
    if len(_CONTROL.findall(text)) > len(text) * _MAX_CONTROL_SHARE:
        raise _not_text(path)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _candidates(bom: str | None, declared: str | None) -> list[str]:
    if bom:
        return [bom]
    candidates = ["utf-8"]
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = None
        if name and name not in _IGNORED_DECLARATIONS:
            candidates.append(_SUPERSETS.get(name, name))
    candidates.append("gb18030")
    return candidates


def _not_text(path: str) -> UnreadableFile:
    return UnreadableFile(
        "不是文本文件：内容为二进制数据或无法识别的编码",
        "not a text file: the content is binary or in an unrecognised encoding",
        path,
    )
