"""Finding the six section headings (一、总体情况 … 六、其他需要报告的事项) in the token stream.

A heading is a line that starts with its Chinese numeral and ``、`` and names the section in one of
its known wordings (the format declaration's titles, aliases and keywords). Table rows that look
like headings (一、本年新收…, 四、结转下年度…) are excluded. When a numeral is missing or wrong the
wording alone is accepted only for short lines, so prose that mentions a section is not taken.

A section's text is its prose without page chrome (``section_lines``): page numbers a text copy keeps
(``- 3 -``, ``第 3 页 共 8 页``), lines that are only a rule (a Markdown heading's underline), running heads repeated on every page, a web page's tool bars and footer
(``分享到：微信 微博``, ``【打印本页】【关闭窗口】``, ``【字体：大 中 小】``, ``责任编辑：…``,
``扫一扫在手机打开当前页``, ``主办单位：… 网站标识码 …``), and everything from ``相关链接`` on. The 落款
(signing unit and date) that closes the report is not section text either; meta reads it from the
document (``parse.meta.signature``). The document keeps all of it (provenance).

A copy whose converter kept the page's line breaks (Markdown or text made from a PDF) prints a
paragraph as lines of one width: ``paragraphs`` joins a line that fills that width and ends in no
sentence mark with the next, unless the next opens a paragraph of its own (（一）, 一是, 1.).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from ..formats import Section
from ..text import normalize_label
from .labels import heading_like_rows
from .meta import signature_start
from .tokens import Token

_HEADING = re.compile(r"^([一二三四五六])[、.]")
MAX_HEADING = 40


@dataclass(frozen=True)
class Heading:
    section: str
    token: int
    rest: str  # text after the heading on the same line (reports flattened to one line)


@cache
def _names(section: Section) -> tuple[str, ...]:
    return tuple(normalize_label(t) for t in (section.title, *section.aliases, *section.keywords))


def _is_heading(norm: str, match: re.Match[str], section: Section, names: tuple[str, ...]) -> tuple[bool, str]:
    """Whether ``norm`` (``match``: where ``_HEADING`` matched it; no table row label) heads ``section``,
    and the text after the title."""
    head = norm[match.end() : match.end() + 30]
    for name in names:
        pos = head.find(name)
        if pos != -1 and pos <= 12:
            if match.group(1) != section.number and len(norm) > MAX_HEADING:
                continue
            cut = _title_end(norm, match.end() + pos + len(name), names)
            return True, norm[cut:]
    return False, ""


def _title_end(norm: str, end: int, names: tuple[str, ...]) -> int:
    """Extend a matched title over the rest of its wording (…情况, …事项) up to the first break; not
    over a first sentence that repeats the title (``六、其他需要报告的事项 无其他需要报告的事项``)."""
    tail = re.match(r"[^,，。;；:：]{0,16}?(?:情况|事项|措施)", norm[end:])
    if tail is None or any(name in tail.group() for name in names):
        return end
    return end + tail.end()


def find_headings(tokens: list[Token], sections: tuple[Section, ...]) -> list[Heading]:
    """The headings found, in document order; at most one per section."""
    names = {s.key: _names(s) for s in sections}
    candidates: dict[str, list[tuple[int, str]]] = {s.key: [] for s in sections}
    rows = heading_like_rows()
    for i, tok in enumerate(tokens):
        if tok.kind != "text" or not tok.row_start or (match := _HEADING.match(tok.norm)) is None \
                or tok.norm.startswith(rows):
            continue
        for section in sections:
            ok, rest = _is_heading(tok.norm, match, section, names[section.key])
            if ok:
                exact_number = tok.norm.startswith(section.number)
                candidates[section.key].append((i if exact_number else i + 10**9, rest))
                break
    chosen: list[Heading] = []
    position = -1
    for section in sections:
        options = sorted(candidates[section.key])
        if not options:
            continue
        ranked = [o for o in options if o[0] % 10**9 > position] or options
        index, rest = ranked[0]
        index %= 10**9
        chosen.append(Heading(section.key, index, rest))
        position = max(position, index)
    chosen.sort(key=lambda h: h.token)
    return chosen


# ----------------------------------------------------------------------------- page chrome

_DASH = "-—–－"
# A line that is only a rule: a Markdown heading's underline (``======``, ``------``), a thematic break
# (``***``, ``- - -``) or a drawn line (``————``, ``────``).
_RULE_LINE = re.compile(r"^(?:[-=_*—─━－＝＿]\s*){3,}$")
_PAGE_NUMBER = re.compile(
    rf"^(?:[{_DASH}]+\s*\d{{1,4}}\s*[{_DASH}]+|第\s*\d{{1,4}}\s*页(?:\s*[,，/、]?\s*共\s*\d{{1,4}}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/、]?\s*第\s*\d{1,4}\s*页|\d{1,4}\s*/\s*\d{1,4}|(?:page\s*)?\d{1,4}\s*of\s*\d{1,4}"
    r"|page\s*\d{1,4})$",
    re.IGNORECASE,
)
# the pieces web pages print around an article; a line made of nothing else is chrome (a piece that
# starts with a character of its own: add that character to _PIECE_START below)
_FILING_MARKS = ("ICP备", "网站标识码", "公网安备")  # a site's filing numbers: the whole line is chrome
_CHROME_PIECES = (
    r"分享(?:到|至)?\s*[:：]?(?:\s*(?:微信|朋友圈|微博|新浪微博|腾讯微博|QQ空间|QQ好友|QQ|人人网|豆瓣|抖音|今日头条|头条))*"
    r"|(?:【|\[)?(?:打印|关闭|收藏|返回顶部|回到顶部|返回|纠错|我要纠错|保存|加入收藏)(?:本页|此页|窗口|页面|文章|本文|正文)?(?:】|\])?"
    r"|(?:【|\[)?(?:选择)?(?:阅读)?字[体号]\s*[:：]?\s*(?:\[\s*)?(?:[大中小](?:\s*[|｜]?\s*)){0,3}(?:\s*\])?(?:】|\])?"
    r"|(?:责任编辑|编辑|责编|审核|校对|初审|复审|终审|作者|来源|信息来源|稿件来源|文章来源|发布机构|发布时间|发布日期|"
    r"更新时间|浏览次数|阅读次数|访问次数|访问量|浏览量|点击数|点击量|点击率)\s*[:：]\s*[^\s:：]{0,30}"
    r"|(?:浏览次数|阅读次数|点击数)\s*[:：]?"
    r"|(?:用)?(?:手机)?扫(?:一扫|描二维码|码)(?:在手机(?:上)?)?(?:打开|阅读|浏览|分享)?(?:当前页|本页|本文|此页)?"
    r"|(?:【|\[)?(?:上一篇|下一篇|上一条|下一条)(?:】|\])?\s*[:：]?.*"
    r"|(?:主办单位|承办单位|主办|承办|协办|技术支持|维护单位|网站标识码|联系电话|联系我们|网站地图|版权所有|Copyright|©)"
    r"\s*[:：]?.*"
    r"|.*(?:{_FILING_MARKS}).*"
    r"|(?:https?://|file://)\S+|www\.[\w.-]+"
    r"|\d{1,4}[/-]\d{1,2}[/-]\d{1,4},?\s*(?:上午|下午)?\d{1,2}:\d{2}(?:\s*[AP]M)?"  # a browser's print header
)
# The same without the filing-mark piece, for the lines that print no filing mark: that piece can then
# match nowhere, and trying ``.*`` at every position of a line is most of the regular expression's cost.
_FILING_MARK = re.compile("|".join(_FILING_MARKS), re.IGNORECASE)
_CHROME_PIECE_PLAIN = re.compile(_CHROME_PIECES.replace("|.*(?:{_FILING_MARKS}).*", ""), re.IGNORECASE)
_CHROME_LEFT = re.compile(r"[\s|｜/·•>＞【】\[\]()（）:：,，.。]*")
# A line is chrome only if its first character outside that filler starts a piece (a piece opening
# with 【 or [ goes on with one of these): the first characters the pieces without filing marks take.
_FIRST_NOT_FILLER = re.compile(r"[^\s|｜/·•>＞【】\[\]()（）:：,，.。]")
_PIECE_START = re.compile(r"[分打关收返回纠我保加选阅字责编审校初复终作来信稿文发更浏访点用手扫上下主承协技维网联版©chfw\d]",
                          re.IGNORECASE)
_RELATED = re.compile(r"^(?:#{1,6}\s*)?(?:【|\[)?(?:相关(?:链接|文章|阅读|新闻|信息|文件|稿件|附件下载)|延伸阅读|推荐阅读)(?:】|\])?\s*[:：]?\s*$")
RUNNING_REPEATS = 3  # a line printed this often (digits aside) is a running head or foot


@cache
def _chrome_piece() -> re.Pattern[str]:
    """The chrome pieces with the filing-mark piece (compiled on first use: few lines print a filing mark)."""
    return re.compile(_CHROME_PIECES.replace("{_FILING_MARKS}", "|".join(_FILING_MARKS)), re.IGNORECASE)


def is_chrome(line: str) -> bool:
    """Whether a line is a page number or a web page's furniture (``分享到：微信 微博``, ``打印本页`` …)."""
    text = line.strip()
    if not text or len(text) > 120:
        return False
    if _PAGE_NUMBER.match(text) or _RULE_LINE.match(text):
        return True
    if _FILING_MARK.search(text):
        piece = _chrome_piece()
    else:
        first = _FIRST_NOT_FILLER.search(text)
        if first is None or not _PIECE_START.match(text, first.start()):
            return False  # that character stays: the line is not chrome
        piece = _CHROME_PIECE_PLAIN
    left = piece.sub("", text)
    return left != text and _CHROME_LEFT.fullmatch(left) is not None


def without_chrome(lines: list[str], last: int | None = None) -> list[str]:
    """A document's lines without chrome lines and, when a ``相关链接`` list follows the middle of the
    document, without it and all after it (a sidebar's list before the article stays). ``last``: only
    the last that many of those lines (the others are not tested)."""
    related = [i for i, line in enumerate(lines) if _RELATED.match(line.strip())]
    end = related[-1] if related and related[-1] >= len(lines) // 2 else len(lines)
    if last is None:
        return [line for line in lines[:end] if not is_chrome(line)]
    kept: list[str] = []
    for line in reversed(lines[:end]):
        if len(kept) >= last:
            break
        if not is_chrome(line):
            kept.append(line)
    return kept[::-1]


def running_heads(lines: list[str]) -> set[str]:
    """Lines (digits as ``#``) printed at least ``RUNNING_REPEATS`` times: a copy's page heads and feet."""
    counts: dict[str, int] = {}
    for line in lines:
        if len(line) < 6:  # its key is no longer than the line
            continue
        key = _running_key(line)
        if 6 <= len(key) <= 60:
            counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count >= RUNNING_REPEATS}


_DIGITS = re.compile(r"\d+")


def _running_key(line: str) -> str:
    # the line without whitespace ("".join(split()): every Unicode space, as r"\s+" would; faster)
    return _DIGITS.sub("#", "".join(line.split()))


def section_lines(lines: list[str], heads: set[str] = frozenset(), *, last: bool = False) -> list[str]:
    """A section's lines without chrome (see the module docstring); ``last``: the section that closes
    the report, whose trailing 落款 is dropped too."""
    kept: list[str] = []
    for line in lines:
        if _RELATED.match(line.strip()):
            break
        if is_chrome(line) or heads and _running_key(line) in heads:
            continue
        kept.append(line)
    if last:
        kept = kept[: signature_start(kept)]
    return kept


WRAP_FULL = 0.8  # a line at least this share of the copy's line width was broken by the width
MAX_WRAP = 100  # display columns: a wider "line" is a paragraph, not a page's line …
MIN_WRAP = 40  # … and a narrower one no page's width (short lines of a list, a table's debris)
_SENTENCE_END = re.compile(r"[。！？；：!?;:…](?:[”’」』）)\]】]*)$")
_OPENS_PARAGRAPH = (  # compiled on first use (re's cache): only a copy wrapped at a page's width needs it
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．](?!\d)|[一二三四五六七八九十]是"
    r"|第[一二三四五六七八九十\d]+[条章节部]|[●•·▪■□◆◇※*-]\s)"
)


def run_on(left: str, right: str) -> str:
    """Two pieces of one sentence joined: a space only between two Latin letters or digits."""
    if not left or not right:
        return left or right
    latin = left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum()
    return left + (" " if latin else "") + right


class _WideOnly(dict):
    """A ``str.translate`` table keeping the wide characters (East Asian width W or F) and dropping
    every other one; each character's width is looked up once."""

    def __missing__(self, code: int) -> int | None:
        kept = code if unicodedata.east_asian_width(chr(code)) in "WF" else None
        self[code] = kept
        return kept


_WIDE_ONLY = _WideOnly()


def _display_width(line: str) -> int:
    """Display columns: 2 for a wide character, 1 for any other."""
    return len(line) if line.isascii() else len(line) + len(line.translate(_WIDE_ONLY))


# Punctuation no line of Chinese text starts with (避头点): a line starting with one is the tail of the
# line before, wherever a copy broke it (pdftotext -raw and PDFium break where the PDF's text runs end).
_CLOSES = tuple("，。、；：？！）】」』》〉”’")


def paragraphs(lines: list[str]) -> list[str]:
    """A section's lines as paragraphs: a line opening with closing punctuation (``_CLOSES``) runs on
    from the line before; where a converter broke every paragraph at one line width (most lines within
    ``WRAP_FULL`` of the widest, ``MIN_WRAP`` to ``MAX_WRAP``), a full line that ends in no sentence mark
    runs on into the next unless that opens a paragraph; elsewhere unchanged."""
    if any(line.startswith(_CLOSES) for line in lines[1:]):
        joined: list[str] = []
        for line in lines:
            if joined and joined[-1] and line.startswith(_CLOSES):
                joined[-1] = run_on(joined[-1], line)
            else:
                joined.append(line)
        lines = joined
    widths = [_display_width(line) for line in lines]
    if len(lines) < 2 or not MIN_WRAP <= max(widths) <= MAX_WRAP:
        return lines
    wrap = max(widths)
    if sum(w >= WRAP_FULL * wrap for w in widths) * 2 < len(lines):
        return lines
    out: list[str] = []
    runs_on = False
    for line, width in zip(lines, widths, strict=True):
        if runs_on and line and not re.match(_OPENS_PARAGRAPH, line):
            out[-1] = run_on(out[-1], line)
        else:
            out.append(line)
        runs_on = bool(line) and width >= WRAP_FULL * wrap and not _SENTENCE_END.search(line)
    return out
