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


_NOT_KEY = re.compile(r"[^a-z0-9]")


def pinyin_key(name: str | None, places: tuple[str | None, ...] = ()) -> str | None:
    """A name's sort key in pinyin order (``重庆市`` → ``chong2qing4shi4``, ``安徽省`` before ``北京市``):
    each character's syllable and tone, other letters and digits as they are, lower-case ASCII only so
    that every database collation orders it alike. None without a name, or when pypinyin (the ``web``
    extra) is not installed.

    ``places``: the names of the unit's province, city and county; where the name begins with them they
    are read as words of their own, so 湖南省长沙市 is not read as 湖南 省长 沙市 (a place's 长 is cháng:
    长沙, 长春, 长丰)."""
    if not name or not name.strip():
        return None
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:
        return None
    rest, syllables = unicodedata.normalize("NFKC", name).strip(), []
    for place in places:
        if place and rest.startswith(place):
            said = lazy_pinyin(place, style=Style.TONE3, neutral_tone_with_five=True)
            if place.startswith("长"):
                said[0] = "chang2"
            syllables += said
            rest = rest[len(place):]
    syllables += lazy_pinyin(rest, style=Style.TONE3, neutral_tone_with_five=True)
    return _NOT_KEY.sub("", "".join(syllables).lower())[:400] or None
