"""Text helpers shared by the stages: NFKC folding of printed text, the normal form used to compare
labels, Chinese numerals, the wide (CJK) characters between which a line break or a space is no word gap."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〝": '"', "〞": '"'})
_CN_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\.)")
# Commas, 顿号, colons inside a label vary between copies (and are lost where PDF lines wrap).
_INNER_PUNCT = re.compile(r"[、,，;；:：。.]")


def is_wide(char: str) -> bool:
    """A CJK character or punctuation (U+2E80 on): two wide characters need no space between them."""
    return char >= "\u2e80"


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


_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MYRIADS = {"万": 10_000, "亿": 100_000_000}


def chinese_number(text: str) -> int | None:
    """A number written in Chinese, as in dates, headings and counts: 二〇二三 → 2023 (digit by digit),
    十二 → 12, 三十一 → 31, 两 → 2, 一百零五 → 105, 三万二千 → 32000; ASCII digits as they are; anything
    else (十十, 百五十, letters) → None."""
    if not text:
        return None
    if text.isascii():
        return int(text) if text.isdigit() else None
    if all(c in _DIGITS for c in text):  # digit by digit
        return int("".join(str(_DIGITS[c]) for c in text))
    total, section, pending = 0, 0, None
    last_unit, last_myriad = 10_000, 10**12
    for c in text:
        if c in _DIGITS:
            if pending is not None:  # two digits in a row outside digit-by-digit writing
                return None
            pending = _DIGITS[c] or None  # 零 only marks a skipped place
            if _DIGITS[c] == 0:
                continue
        elif c in _UNITS:
            unit = _UNITS[c]
            if unit >= last_unit:
                return None
            section += (1 if pending is None else pending) * unit
            pending, last_unit = None, unit
        elif c in _MYRIADS:
            myriad = _MYRIADS[c]
            if myriad >= last_myriad or (section == 0 and pending is None):
                return None
            total += (section + (pending or 0)) * myriad
            section, pending, last_unit, last_myriad = 0, None, 10_000, myriad
        else:
            return None
    return total + section + (pending or 0)

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
