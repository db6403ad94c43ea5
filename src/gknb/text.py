"""Text helpers shared by the stages: the normal form used to compare printed labels."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〝": '"', "〞": '"'})
_PUNCT_TAIL = re.compile(r"[:：;；,，.。、\s]+$")


def normalize_label(text: str) -> str:
    """Fold a printed label to its comparison form.

    NFKC folds full-width brackets, digits and dots (（三）→(三), １．→1.); whitespace goes (PDF
    extraction breaks labels anywhere); quotes are unified; 1、/1．/1. become ``1.``; trailing
    punctuation is dropped.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _SPACE.sub("", text)
    text = re.sub(r"^(\d+)[、.]", r"\1.", text)
    text = re.sub(r"(?<=\))[、.]", "", text)
    return _PUNCT_TAIL.sub("", text)
