"""Text helpers shared by the stages: NFKC folding of printed text and the normal form used to compare labels."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〝": '"', "〞": '"'})
_CN_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\.)")
# Commas, 顿号, colons inside a label vary between copies (and are lost where PDF lines wrap).
_INNER_PUNCT = re.compile(r"[、,，;；:：。.]")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, line by line with each line's folding remembered.

    Several stages fold the same lines (a report's text, its sections, its first lines), and CPython
    folds a long string slower than its lines one by one. Equal to folding the whole text: no
    composition or reordering crosses a line break."""
    if text.isascii():
        return text
    return "\n".join(map(_nfkc_line, text.split("\n")))


@lru_cache(maxsize=1 << 16)
def _nfkc_line(line: str) -> str:
    return unicodedata.normalize("NFKC", line)


@lru_cache(maxsize=1 << 16)
def normalize_label(text: str) -> str:
    """Fold a printed label to its comparison form.

    NFKC folds full-width brackets, digits and dots (（三）→(三), １．→1.); whitespace goes (PDF
    extraction breaks labels anywhere); quotes are unified; 1、/1．/1. become ``1.``; other
    punctuation (、，：。) is dropped, except the numbering's own 、 in ``三、``.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _SPACE.sub("", text)
    text = re.sub(r"^(\d+)[、.]", r"\1.", text)
    text = re.sub(r"(?<=\))[、.]", "", text)
    numbering = _CN_NUMBERING.match(text)
    head = numbering.group(0) if numbering else ""
    return head + _INNER_PUNCT.sub("", text[len(head):])
