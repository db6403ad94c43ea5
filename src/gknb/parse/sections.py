"""Finding the six section headings (一、总体情况 … 六、其他需要报告的事项) in the token stream.

A heading is a line that starts with its Chinese numeral and ``、`` and names the section in one of
its known wordings (the format declaration's titles, aliases and keywords). Table rows that look
like headings (一、本年新收…, 四、结转下年度…) are excluded. When a numeral is missing or wrong the
wording alone is accepted only for short lines, so prose that mentions a section is not taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..formats import Section
from ..text import normalize_label
from .labels import heading_like_rows
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


def _is_heading(norm: str, section: Section, names: tuple[str, ...]) -> tuple[bool, str]:
    match = _HEADING.match(norm)
    if match is None or norm.startswith(heading_like_rows()):
        return False, ""
    head = norm[match.end() : match.end() + 30]
    for name in names:
        pos = head.find(name)
        if pos != -1 and pos <= 12:
            if match.group(1) != section.number and len(norm) > MAX_HEADING:
                continue
            cut = _title_end(norm, match.end() + pos + len(name))
            return True, norm[cut:]
    return False, ""


def _title_end(norm: str, end: int) -> int:
    """Extend a matched title over the rest of its wording (…情况, …事项) up to the first break."""
    tail = re.match(r"[^,，。;；:：]{0,16}?(?:情况|事项|措施)", norm[end:])
    return end + tail.end() if tail else end


def find_headings(tokens: list[Token], sections: tuple[Section, ...]) -> list[Heading]:
    """The headings found, in document order; at most one per section."""
    names = {s.key: _names(s) for s in sections}
    candidates: dict[str, list[tuple[int, str]]] = {s.key: [] for s in sections}
    for i, tok in enumerate(tokens):
        if tok.kind != "text" or not tok.row_start or not _HEADING.match(tok.norm):
            continue
        for section in sections:
            ok, rest = _is_heading(tok.norm, section, names[section.key])
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
