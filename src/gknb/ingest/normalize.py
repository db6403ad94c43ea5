"""Text normalisation shared by every reader: spaces, zero-width characters, pinyin, 繁体→简体.

The printed text is kept otherwise: no NFKC folding (the parser folds labels for matching).
The 繁体→简体 decision is taken once per document, from the whole text. A text copy whose table
lines print every character one space apart (inscriptis on a page set one character per ``<span>``:
``行 政 事 业 性 收 费      ９ ０ ． ３``) has those characters joined again (``letter_spacing``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..text import is_wide

if TYPE_CHECKING:
    import opencc


NOTE_TRADITIONAL = "繁体已转换为简体 / traditional characters converted to simplified"
NOTE_PINYIN = "已删除网页注入的拼音注音 / pinyin annotations injected by the source were removed"
NOTE_LETTER_SPACED = (
    "表格中逐字以空格隔开的文字已合并 / table text printed one character apart (one space between "
    "characters, two or more between cells) was joined"
)

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_ZERO_WIDTH = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_SPACE_CHARS = re.compile(f"[{_SPACES}]")
_ZERO_WIDTH_CHARS = re.compile(f"[{_ZERO_WIDTH}]")

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# A pinyin syllable with at least one tone mark, in brackets, right after a CJK character: 關(guān)于.
_PINYIN = re.compile(rf"[(（](?<=[{_CJK}][(（])(?=[a-zü{_TONED}]{{0,5}}[{_TONED}])[a-zü{_TONED}]{{1,6}}[)）]")
_CJK_CHAR = rf"[{_CJK}]"  # compiled on first use (re's cache): counted only in a text in traditional script
# Common characters that exist only in traditional script: a cheap first test before OpenCC.
_TRADITIONAL_ONLY = re.compile(
    "[這個們來時會說對國學開關與為麼發條項請處數據總計況體務機構產報門資實現經濟點類圍]"
)
_MIN_TRADITIONAL_HITS = 3
_MIN_CHANGED_SHARE = 0.02

_converter: opencc.OpenCC | None = None


def _t2s() -> opencc.OpenCC:
    global _converter
    if _converter is None:
        import opencc  # only for a text in traditional script

        _converter = opencc.OpenCC("t2s")
    return _converter


@dataclass(frozen=True)
class Normalizer:
    """Normalises the texts of one document; ``notes`` says what the document needed."""

    traditional: bool
    pinyin: bool

    @property
    def notes(self) -> list[str]:
        return [
            note for flag, note in ((self.traditional, NOTE_TRADITIONAL), (self.pinyin, NOTE_PINYIN)) if flag
        ]

    def __call__(self, text: str) -> str:
        text = _clean_characters(text)
        if self.pinyin:
            text = _PINYIN.sub("", text)
        if self.traditional:
            text = _t2s().convert(text)
        return text


# A PDF whose font draws a character and a radical with one glyph (Noto/Source Han CJK SC, as
# chromium embeds them) may give the radical's code point for the character: 人民 → ⼈⺠, 门户网站 →
# ⻔⼾⽹站. Kangxi radicals fold as NFKC does, but ⼾ to 户 (the simplified glyph it shares; NFKC: 戶);
# radicals supplement characters that are whole simplified characters to those (Unicode's
# EquivalentUnifiedIdeograph.txt); radical-only forms (⺅, ⻖ …) stay.
_RADICALS = re.compile("[\u2e80-\u2fdf]")
_RADICAL_CHARACTERS = str.maketrans(
    {chr(cp): unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}
    | {"⼾": "户"}
    | dict(zip("⺟⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
               "母民西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟", strict=True))
)


def _clean_characters(text: str) -> str:
    """Unusual spaces → " ", zero-width characters and stray BOMs dropped, radicals extracted for
    the characters they share a glyph with folded to those."""
    text = _ZERO_WIDTH_CHARS.sub("", _SPACE_CHARS.sub(" ", text))
    return text.translate(_RADICAL_CHARACTERS) if _RADICALS.search(text) else text


def _simplified(text: str) -> str | None:
    """The text converted to simplified characters if it is written in traditional ones, else None.

    Traditional means: several traditional-only characters, and t2s changes > 2% of CJK characters.
    """
    if len(_TRADITIONAL_ONLY.findall(text)) < _MIN_TRADITIONAL_HITS:
        return None
    cjk_count = len(re.findall(_CJK_CHAR, text))
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        changed = sum(1 for a, b in zip(text, converted, strict=True) if a != b)
        if changed <= cjk_count * _MIN_CHANGED_SHARE:
            return None
    return converted


def normalizer_for(text: str) -> Normalizer:
    """The normaliser suited to a document whose whole text is ``text``."""
    return _analyse(text)[0]


def normalize_document_text(text: str) -> tuple[str, list[str]]:
    """Normalise a whole text copy at once (``letter_spacing`` too); returns the text and the notes to record."""
    normalizer, text = _analyse(text)
    joined = letter_spacing(text)
    if joined is None:
        return text, normalizer.notes
    return joined, [*normalizer.notes, NOTE_LETTER_SPACED]


# Letter-spaced table lines: a converter that puts a space between two inline elements (inscriptis)
# prints a cell set one character per <span> as ``９ ０ ． ３`` and its cells two or more spaces apart.
# A cheap first test: three CJK characters one space apart. Written ``(?:C ){2}C`` rather than ``C C C``
# (the same matches): re compiles each ``[…]`` of 28,000 characters in Python, a character at a time —
# two here instead of four (its search prefix too), ~55 → ~25 M instructions of every check's start-up.
_THREE_SPACED_CJK = re.compile(rf"(?:[{_CJK}] ){{2}}[{_CJK}]")
_CELL_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")
_LONG_WORD = re.compile(r"\S\S")
_SPACED_RUN = re.compile(r"(?:^|(?<=  ))\S(?: \S)+(?=  |$)", re.MULTILINE)  # a cell: between gaps
_MIN_SPACED_LINES = 5  # letter-spaced table lines a document needs, at the least
_MIN_SPACED_SHARE = 0.8  # of its table lines (two or more CJK characters, cells two or more spaces apart)


def _table_line(line: str) -> bool:
    return _CELL_GAP.search(line) is not None and len(re.findall(_CJK_CHAR, line)) >= 2


def _letter_spaced(line: str) -> bool:
    """Every word of the line is one character, and three CJK characters stand one space apart."""
    return _LONG_WORD.search(line) is None and _THREE_SPACED_CJK.search(line) is not None


def letter_spacing(text: str) -> str | None:
    """``text`` with its letter-spaced lines joined, or None when it has none.

    A document is letter-spaced when at least ``_MIN_SPACED_LINES`` of its table lines, and
    ``_MIN_SPACED_SHARE`` of them, hold only one-character words with CJK characters one space apart
    (a copy whose table lines print words or numbers of several characters — a PDF's text with a
    justified label — is not). Then each run of one-character words one space apart between two cell
    gaps (two or more spaces, or the line's ends) is one cell's text: joined, its spaces moved after
    it (every cell keeps its offset, so columns stay aligned)."""
    if _THREE_SPACED_CJK.search(text) is None:
        return None
    lines = text.split("\n")
    table = [line for line in lines if _table_line(line)]
    spaced = sum(1 for line in table if _letter_spaced(line))
    if spaced < _MIN_SPACED_LINES or spaced < _MIN_SPACED_SHARE * len(table):
        return None

    def join(run: re.Match[str]) -> str:
        piece = run.group()
        chars = piece.replace(" ", "")
        return chars + " " * (len(piece) - len(chars))

    return _SPACED_RUN.sub(join, text)


def _analyse(text: str) -> tuple[Normalizer, str]:
    """Decide the document's normalisation and apply it to ``text``."""
    text = _clean_characters(text)
    text, pinyin_count = _PINYIN.subn("", text)
    simplified = _simplified(text)
    normalizer = Normalizer(traditional=simplified is not None, pinyin=pinyin_count > 0)
    return normalizer, text if simplified is None else simplified


_WHITESPACE = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    """Collapse whitespace as a browser does, but join lines broken between two CJK characters."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        if (
            "\n" in match.group()
            and start > 0
            and end < len(text)
            and is_wide(text[start - 1])
            and is_wide(text[end])
        ):
            return ""
        return " "

    return _WHITESPACE.sub(replace, text).strip()
