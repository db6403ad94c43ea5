"""Text helpers shared by the stages: the normal form used to compare printed labels."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〝": '"', "〞": '"'})
_CN_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\.)")
# Commas, 顿号, colons inside a label vary between copies (and are lost where PDF lines wrap).
_INNER_PUNCT = re.compile(r"[、,，;；:：。.]")


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
