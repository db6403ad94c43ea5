"""Customary government typography (GB/T 9704 habits) and font fallbacks.

Each role lists fonts in order of preference: the names civil servants' machines have first
(方正小标宋简体, 仿宋_GB2312, 黑体), then common alternatives, then the Noto CJK fonts that Linux
machines carry. A DOCX names the first font of each role (Word and WPS substitute on machines that
lack it); a PDF made here names the first font installed on this machine (``fc-list``).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

TITLE = ("方正小标宋简体", "方正小标宋_GBK", "小标宋", "华文中宋", "黑体", "SimHei", "Noto Serif CJK SC")
HEADING = ("黑体", "SimHei", "方正黑体_GBK", "Noto Sans CJK SC")
BODY = ("仿宋_GB2312", "仿宋", "FangSong", "方正仿宋_GBK", "Noto Serif CJK SC")
TABLE = BODY
GENERIC = {TITLE: "serif", HEADING: "sans-serif", BODY: "serif"}

PT = {"二号": 22.0, "三号": 16.0, "五号": 10.5, "小五": 9.0}
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, WIDE_TABLE_SIZE = PT["二号"], PT["三号"], PT["五号"], PT["小五"]
LINE_PITCH = 28.0  # fixed line spacing of body text, points
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}  # GB/T 9704 页边距
A4_MM = (210.0, 297.0)


def css_family(fonts: tuple[str, ...]) -> str:
    """A CSS ``font-family`` list with a generic family last."""
    return ", ".join(f'"{f}"' for f in fonts) + f", {GENERIC.get(fonts, 'serif')}"


@cache
def installed_families() -> frozenset[str]:
    """Font family names known to fontconfig (empty when ``fc-list`` is absent)."""
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))


def pick(fonts: tuple[str, ...], *, installed_only: bool) -> str:
    """The font to name for a role: the first of ``fonts``, or the first installed one."""
    if installed_only:
        available = installed_families()
        for font in fonts:
            if font in available:
                return font
    return fonts[0]
