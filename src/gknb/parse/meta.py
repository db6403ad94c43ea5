"""Report metadata from every clue: title, agency, year, publication date, region and level.

Titles look like ``庆祖镇政府2021年政府信息公开工作年度报告`` or ``关于2021年度政府信息公开工作的
年度报告`` (agency on a line of its own), sometimes broken over two lines. The clues, strongest first:
the title printed at the top, the title the file declares (HTML ``<title>``, PDF/Word properties:
``Document.title``), the agency line beside the title, a web page's ``发布机构：``/``信息来源：`` field,
the 落款 at the end (signing unit above its date), the unit that compiled the report (``本报告由…编制``)
or that the 统计期限 sentence names, the first sentence of the overview, the unit on whose own site the
report says it publishes (``我局在XX局官网上``); last, the units the file's properties name
(``Document.declared_units``: a page's ContentSource/Author/SiteName, a PDF's Author, XMP dc:creator,
Subject), only of the kind the report calls itself (``我局``), a short ContentSource (``区政府办``,
``区民政局``) completed with the portal's SiteName. An office (``XX局办公室`` as 发布机构) stands for the
unit it serves; a title's place-less short form (``财金局``) takes the full name a weaker clue gives (the
落款 ``平潭综合实验区财政金融局``), and a township named without its county is placed in the one county
the text names that has it. The agency is always a unit's name, never a sentence: a title naming only a place (``平潭综合实验区``) is
completed from the text (``平潭综合实验区管委会``), a name the text prints more fully with its city or
province (``淮安市洪泽区人民政府`` for ``洪泽区人民政府``, ``桃江县审计局`` for ``县审计局``) takes the fuller form, and unofficial short
forms are spelled out (``市科委`` → ``市科学技术委员会``). Region and level are inferred from the
agency's name through the bundled division tables (``gknb.regions``).
"""

from __future__ import annotations

import re
import unicodedata

from ..regions import Place, counties_of_township, expand_abbreviation, locate
from ..report import Meta
from ..text import chinese_number, nfkc

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九○Ｏ]{4})年")
_DATE = re.compile(r"(20\d{2})[-年./](\d{1,2})[-月./](\d{1,2})")
_TITLE_HINTS = ("政府信息公开", "信息公开", "政务公开")
_AGENCY_END = (
    "人民政府", "政府", "办事处", "街道", "委员会", "办公室", "管理局", "局", "委", "办", "厅", "署", "院",
    "中心", "镇", "乡", "苏木", "所", "站", "队", "会", "公司", "馆", "部",
)
_REPORT_NAME = re.compile(
    r"(?:关于)?(?:(?:19|20)\d{2}\s*年度?|[〇零一二三四五六七八九○]{4}年度?)?\s*(?:的)?(?:(?:政府)?信息公开|政务公开)"
    r"(?:工作)?(?:(?:19|20)\d{2}\s*年度?)?(?:的)?(?:年度)?(?:工作)?(?:情况)?(?:的)?(?:年度)?(?:报告|年报).*$"
)
_PROSE_AGENCY = re.compile(
    r"([\u4e00-\u9fff]{2,24}?(?:人民政府|政府|办事处|街道|委员会|办公室|局|委|办|厅|中心|镇|乡|苏木))"
    r"(?:在|认真|坚持|严格|按照|深入|根据|全面|始终|紧紧|进一步|高度|积极|继续|围绕|紧扣|扎实)"
)
# ``2022年,河东乡政府信息公开工作在县委…``: the unit before its work, where no unit is followed by its deed
_PROSE_WORK = re.compile(_PROSE_AGENCY.pattern.replace(")(?:在|", ")(?:(?:政府)?信息公开|政务公开)工作(?:在|", 1))


_PAGE_HEADER = re.compile(r"^(?:(?:Page|P\.|第)\s*\d+\s*(?:页)?\s*[-–—:：]?|"
                          r"\d{1,2}/\d{1,2}/\d{2,4},?\s*\d{1,2}:\d{2}\s*(?:[AP]M)?)\s*", re.I)  # or chromium's print date
_FIELD_LABEL = re.compile(r"^(?:标题|题目|名称|文章标题|信息名称)\s*[:：]\s*")  # a crawler's ``标题: …``
_NOT_A_NAME = re.compile(r"[,，。:：;；>《》“”\"'、（）()\[\]【】!！?？]")
_SENTENCE_START = ("根据", "按照", "依据", "依照", "为", "本", "我", "在", "对", "经", "自", "由", "现", "今年", "全年")
_UNIT_END = (*_AGENCY_END, "管委会", "管理委员会", "党工委", "工委")
_DATE_LINE = re.compile(r"^((?:19|20)\d{2}|[〇零一二三四五六七八九○Ｏ]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月"
                        r"(\d{1,2}|[一二三四五六七八九十]{1,3})日$")
_DATE_END = re.compile(_DATE_LINE.pattern.removeprefix("^"))  # a line ending in a date
_SEAL = re.compile(r"[（(【\[]?(?:盖章|印章|公章|签章|章)[）)】\]]?")  # a seal's note between the unit and its date
_COMPILED_BY = re.compile(r"(?:由|[，。,）)])\s*([\u4e00-\u9fff]{2,30}?)(?:根据[^。]{0,80}?)?编制(?:完成)?(?:了)?[本此该]")
# ``本报告由XX根据《条例》要求编制。`` / ``本年度报告根据《条例》要求，由XX负责编制``: the unit after 由.
_REPORT_BY = re.compile(r"本(?:年度)?报告[^。]{0,100}?由([\u4e00-\u9fff]{2,30}?)(?:根据[^。]{0,80}?)?(?:负责|组织)?编制")
_PERIOD_OF = re.compile(r"(?:^|[。；;\n]|由)([\u4e00-\u9fff]{2,30}?)(?:(?:19|20)\d{2}年度?)?的?(?:政府信息公开|政务公开)"
                        r"(?:工作)?(?:年度)?报告[^。]{0,40}?统计(?:期限|周期|时限|时间|区间)")
_SOURCE_FIELD = re.compile(r"(?:发布机构|发文机关|发布单位|信息来源|来源单位|来源)\s*[:：]\s*([\u4e00-\u9fff（）()]{2,30})")
# the office of a government or of a bureau (平潭县公安局办公室): it publishes and compiles its unit's report
_OWN_OFFICE = re.compile(r"(人民政府|政府|管委会|管理委员会|办事处|局|委员会|厅)办公(?:室|厅)$")
_GOVERNMENT_OF = r"(?:党工委)?管委会|管理委员会|人民政府|政府|办事处"
_NOT_THE_UNIT = "信息|门户|网|公报|数据|采购|投资|工作|部门|规章|文件|令|性"  # 政府信息公开、政府网站 … name no unit
_TWO_NAMES = re.compile(r"([^（(]{2,30})[（(]([^）)]{2,30})[）)]?")  # 中共XX县委办公室（XX县人民政府办公室）
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|—{1,2}|-{1,2}|－)\s*")


def _clean(text: str) -> str:
    """A line without spaces, file extensions, PDF page headers (``Page 3 - …``) or a field label."""
    text = _PAGE_HEADER.sub("", nfkc(text).strip())
    text = _FIELD_LABEL.sub("", text)
    return re.sub(r"\s+", "", re.sub(r"\.(docx?|pdf|wps|html?)$", "", text, flags=re.I))


def _year_of(text: str) -> int | None:
    match = _YEAR.search(text)
    if match:
        return int(match.group(1))
    match = _CN_YEAR.search(text)
    if match:
        return chinese_number(match.group(1))
    return None


def find_title(lines: list[str]) -> tuple[int, str] | None:
    """The title line among the first lines: it names disclosure work and a report."""
    best: tuple[int, int, str] | None = None
    cleaned = [_clean(line) for line in lines[:31]]
    for i, text in enumerate(cleaned[:30]):
        following = cleaned[i + 1] if i + 1 < len(cleaned) else ""
        if ("报告" not in text and any(h in text for h in _TITLE_HINTS) and following.endswith("报告")
                and len(following) <= 8 and "。" not in text):
            text += following  # ``2024 年上海市科委政府信息公开工作`` / ``年度报告``
        elif _title_head(text) and following.endswith(("报告", "年报")) and not _year_of(following):
            text += following  # a title wrapped after its year: ``青阳县民政局2021年度`` / ``政府信息公开工作年度报告``
        if not text or len(text) > 80 or not ("报告" in text or "年报" in text):
            continue
        score = 0
        score += 3 if any(h in text for h in _TITLE_HINTS) else 0
        score += 2 if "年度报告" in text or "年报" in text else 0
        score += 1 if _year_of(text) else 0
        score -= 4 if (">" in text or "位置" in text or "首页" in text or "。" in text) else 0
        score -= i // 10
        if score >= 3 and (best is None or score > best[0]):
            best = (score, i, text)
    return (best[1], best[2]) if best else None


def _title_head(text: str) -> bool:
    """Whether a line reads as a title's first part wrapped after its year (``青阳县民政局2021年政府信息``):
    short, the year in it, no report's name, no sentence, field or date."""
    return (4 <= len(text) <= 30 and _year_of(text) is not None and "报告" not in text and "年报" not in text
            and not _NOT_A_NAME.search(text) and not text.startswith(_SENTENCE_START)
            and not _DATE_END.search(text) and not re.search(r"\d{1,2}月", text))


def agency_from_title(title: str) -> str | None:
    """The agency named in a title: what is left once the year and the report's name are removed."""
    name = _REPORT_NAME.sub("", title)
    name = re.sub(r"(?:19|20)\d{2}(?:年度|年)?(?:年报|报告|报)?", "", name)
    name = re.sub(r"^[_\-—\s]+|[_\-—\s]+$", "", name).strip("《》“”\"'（）() ")
    # ``关于印发…`` / ``关于报送《XX局2015年…报告》的函``: the unit inside the 函's or notice's title
    name = re.sub(r"关于$", "", re.sub(r"^关于(?:印发|报送|上报|转发|公布)|^(?:印发|报送|上报)", "", name))
    name = name.strip("《》“”\"' ")
    if "关于" in name:  # ``XX县人民政府办公室关于XX县…``: the unit before 关于, else the place after it
        before, after = name.split("关于", 1)
        name = before if is_unit(before) or not after else after
    both = _TWO_NAMES.fullmatch(name)
    if both and is_unit(both.group(1)) and is_unit(both.group(2)):  # one office under two names (合署办公)
        name = both.group(2) if both.group(1).startswith("中共") else both.group(1)  # the government's
    return name if len(name) >= 2 and not re.search(r"\d", name) else None


def is_unit(name: str | None) -> bool:
    """Whether ``name`` reads as a unit's name (``XX县民政局``), not a sentence or a bare place."""
    return (name is not None and 2 <= len(name) <= 30 and name.endswith(_UNIT_END) and not name.endswith("网站")
            and not _NOT_A_NAME.search(name) and not name.startswith(_SENTENCE_START)
            and not re.search(r"\d", name))


def _agency_line(lines: list[str], start: int) -> str | None:
    for line in lines[start : start + 6]:
        text = _clean(line)
        if is_unit(text):
            return text
    return None


def declared_title(title: str | None) -> str | None:
    """The report's title in a file's declared title (``<title>标题_网站名</title>``), or None."""
    if not title:
        return None
    title = re.sub(r"^Microsoft\s+Word\s*-\s*", "", title, flags=re.I)
    found = find_title(_TITLE_SPLIT.split(title))
    return found[1] if found else None


def signature(tail: list[str]) -> tuple[str | None, str | None]:
    """The 落款 at the end: (signing unit, ISO date). The unit is the line above the date (or the
    date line's own start); either may be None."""
    lines = [_clean(piece) for line in tail for piece in _glued_pieces(line)]
    lines = [line for line in lines if line and not re.fullmatch(r"[-—–\d\s第页/共]*", line)
             and not _SEAL.fullmatch(line)]
    for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        line = lines[i]
        match = _DATE_LINE.search(line) or _DATE_END.search(line)  # the date alone, or after the unit
        if not match or not (match.start() == 0 or is_unit(line[: match.start()])):
            continue
        date = _iso(*match.groups())
        head = line[: match.start()]
        if is_unit(head):
            return head, date
        above = lines[i - 1] if i > 0 else ""
        return (above if is_unit(above) else None), date
    return None, None


_LAST_LINE = 40  # characters: a longer line that ends in a date has the 落款 glued to its last sentence


def _glued_pieces(line: str) -> list[str]:
    """A line, or a long one's sentences and space-separated parts: a crawler's copy that prints the whole
    text on one line ends it with ``…电子邮件申请数条0 平潭综合实验区财政金融局2017年1月13日``."""
    if len(_clean(line)) <= _LAST_LINE:
        return [line]
    return [piece for piece in re.split(r"\s+|(?<=[。；;！!？?])", line) if piece]


def signature_start(lines: list[str]) -> int:
    """Where the 落款 begins among ``lines`` (their number when they do not end in one): a last line
    that is a date, or a unit and its date, and the unit's line above the date."""
    if not lines:
        return 0
    last = _clean(lines[-1])
    match = _DATE_END.search(last)
    if match is None or not (match.start() == 0 or is_unit(last[: match.start()])):
        return len(lines)
    if match.start() == 0 and len(lines) > 1 and is_unit(_clean(lines[-2])):
        return len(lines) - 2
    return len(lines) - 1


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = chinese_number(year), chinese_number(month), chinese_number(day)
    if y is None or m is None or d is None or not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def source_field(lines: list[str]) -> str | None:
    """The unit of a web page's ``发布机构：`` / ``信息来源：`` field, if it names one."""
    for line in lines:
        for match in _SOURCE_FIELD.finditer(unicodedata.normalize("NFKC", line)):
            if is_unit(match.group(1)):
                return match.group(1)
    return None


def compiled_by(text: str) -> str | None:
    """The unit of ``本报告由XX编制`` / ``XX编制了本报告`` or of the 统计期限 sentence (``XX2023年政府信息
    公开工作年度报告所列数据的统计期限…``); an 办公室 compiling for its government is the government."""
    flat = unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))
    # the lines kept as well: a 统计期限 sentence whose unit starts a line right after the title
    lined = unicodedata.normalize("NFKC", re.sub(r"[^\S\n]+", "", text))
    for match in (*_COMPILED_BY.finditer(flat), *_REPORT_BY.finditer(flat), *_PERIOD_OF.finditer(flat),
                  *_PERIOD_OF.finditer(lined)):
        name = _OWN_OFFICE.sub(r"\1", match.group(1))
        if is_unit(name):
            return name
    return None


def _unit_of_place(place: str, text: str) -> str | None:
    """``平潭综合实验区`` → ``平潭综合实验区管委会``: the government of a place, as the text names it."""
    counts: dict[str, int] = {}
    for match in re.finditer(re.escape(place) + f"(?:{_GOVERNMENT_OF})(?!{_NOT_THE_UNIT})", text):
        strong = re.match(r"办公室|办公厅|关于|[，。、,）)\n]|$", text[match.end() :]) is not None
        counts[match.group(0)] = counts.get(match.group(0), 0) + (3 if strong else 1)
    if not counts:
        return None
    return min(counts, key=lambda name: (-counts[name], len(name)))


def _fuller_name(agency: str, text: str) -> str:
    """``洪泽区人民政府`` → ``淮安市洪泽区人民政府`` when the text prints it with its city/province."""
    place = locate(agency)
    prefixes = []
    if place.province is not None and not agency.startswith(place.province.name[:2]):
        prefixes.append(place.province.name)
        if place.city is not None and place.city.name != place.province.name:
            prefixes.append(place.province.name + place.city.name)
    if place.city is not None and not agency.startswith(place.city.name) and (place.county or place.township):
        prefixes.append(place.city.name)
    found = [p + agency for p in prefixes if p + agency in text]
    return max(found, key=len) if found else agency


# A unit named by its level alone (县审计局: the report's own county), by the division that level word stands for.
_BARE_LEVEL = {"县": "county", "区": "county", "旗": "county", "市": "city", "州": "city", "盟": "city"}
_PLACE_CHARS = 8  # longest place name before the level word looked for


def _with_its_place(agency: str, text: str) -> str:
    """``县审计局`` → ``桃江县审计局`` when the text prints the unit with its county's (city's) name
    (``请联系桃江县审计局办公室``): the shortest place before it that names a division of that level."""
    rank = _BARE_LEVEL.get(agency[:1])
    if rank is None:
        return agency
    for match in re.finditer(re.escape(agency), text):
        for k in range(1, min(_PLACE_CHARS, match.start()) + 1):
            head = text[match.start() - k : match.start()]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", head):
                break
            division = getattr(locate(head + agency), rank)
            if division is not None and division.name == head + agency[0]:
                return head + agency
    return agency


def choose_agency(candidates: list[str | None], text: str) -> str | None:
    """The agency from the clues (strongest first): the first unit's name, or the government of the
    first bare place named; completed and spelled out as the text allows."""
    agency = None
    named = [c for c in candidates if c]
    for i, name in enumerate(named):
        if is_unit(name):
            agency = _spelled_out(name, named[i + 1 :])
        elif not _NOT_A_NAME.search(name) and not name.startswith(_SENTENCE_START) and (
                locate(name).province is not None):
            agency = _unit_of_place(name, text)
        if agency:
            break
    if agency is None:
        return None
    return expand_abbreviation(_fuller_name(_with_its_place(agency, text), text))


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` is a short form of ``name``: its characters in order, the last the same
    (``财金局`` of ``平潭综合实验区财政金融局``)."""
    rest = iter(name)
    return len(short) < len(name) and short[-1] == name[-1] and all(char in rest for char in short)


def _spelled_out(agency: str, weaker: list[str]) -> str:
    """A unit named without its place (``财金局``, a title's short form) as a weaker clue names it in full
    with its place (the 落款 ``平潭综合实验区财政金融局``); else as it is."""
    if locate(agency).province is not None:
        return agency
    return next((name for name in weaker if is_unit(name) and locate(name).province is not None
                 and _abbreviates(agency, name)), agency)


# How a report names itself (我局认真贯彻…, 本办): the kind of unit it is, and the endings of such a unit's name.
_SELF = re.compile(r"[我本](局|委|办|厅|院|署|中心|街道|镇|乡|区|县|市|旗)")
_SELF_UNIT = {"局": ("局",), "委": ("委", "委员会"), "办": ("办", "办公室", "办事处"), "厅": ("厅",), "院": ("院",),
              "署": ("署",), "中心": ("中心",)}
_SELF_PLACE = ("街道", "镇", "乡", "区", "县", "市", "旗")  # 我区: a government of that level


def _self_kinds(text: str) -> set[str]:
    """The kinds of unit the report calls itself (``我局`` → 局), unit kinds before place kinds: a
    bureau's report says 我市 as well as 我局, a government's never 我局."""
    found = set(_SELF.findall(text))
    units = found & set(_SELF_UNIT)
    return units or found


def _fits_self(name: str, kinds: set[str]) -> bool:
    """Whether the unit ``name`` is of a kind the report calls itself (any, where it calls itself none)."""
    if not kinds:
        return True
    for kind in kinds:
        if kind in _SELF_UNIT and name.endswith(_SELF_UNIT[kind]):
            return True
        if kind in _SELF_PLACE and re.search(f"{kind}(?:{_GOVERNMENT_OF})$", name):
            return True
    return False


def _for_itself(name: str, kinds: set[str]) -> str:
    """The office of a government or a bureau (``南湖区人民政府办公室``, ``平潭县公安局办公室``) as the unit
    it serves, unless the report calls itself an office (``我办``): the office publishes and compiles its
    unit's report."""
    return name if "办" in kinds else _OWN_OFFICE.sub(r"\1", name)


_SITE_OFFICE = re.compile(r"(?:人民)?政府办(?:公室)?$")
_NOT_LEVEL = ("市场", "市政", "市容", "区域", "县域")  # department names that start with a level word
_PLACE_WORD = re.compile(r"[省市县区旗州盟]")


def on_site(name: str, site: str | None) -> str:
    """A unit a page's ContentSource names without its place (``区政府办``, ``县民政局``, ``民政局``),
    completed with the place of the portal it stands on (SiteName ``南湖区人民政府``): ``南湖区人民政府办公室``,
    ``南湖区民政局``. A name with its place, a bare ``办公室`` or a portal no division is named by stay as they are."""
    place = locate(site) if site else Place()
    if name == "办公室" or locate(name).province is not None or place.province is None:
        return name
    rank = None if name.startswith(_NOT_LEVEL) else _BARE_LEVEL.get(name[:1])
    if rank is None and _PLACE_WORD.search(name):
        return name  # a place the tables do not know (青山县民政局), or a name to leave as it is (市场监督管理局)
    if rank is not None:
        division = getattr(place, rank)
        if division is None and rank == "city" and place.province.name.endswith("市"):
            division = place.province  # 市科委 on 上海市人民政府's portal: the municipality
        if division is None or not division.name.endswith(name[0]):
            return name
        name = division.name + name[1:]
    else:
        division = place.county or place.city or place.province
        name = division.name + name
    own = re.fullmatch(re.escape(division.name) + f"((?:{_GOVERNMENT_OF}))", site or "")  # the portal's government
    return _SITE_OFFICE.sub((own.group(1) if own else "人民政府") + "办公室", name)


def property_clues(clues: tuple[tuple[str, str], ...], text: str) -> list[str]:
    """The units a file's properties name (``ingest.properties``: ContentSource, Author, XMP dc:creator,
    SiteName …) that may stand for the report's agency, strongest first: a unit's name that is of the
    kind the report calls itself (``我局`` → a 局, not the portal's 人民政府). A short name (``区政府办``) is
    completed with the portal's place (``on_site``) and an office stands for its government
    (``_for_itself``). A portal's name (``site``) only where the report calls itself a unit of its kind
    (``我区`` and 南湖区人民政府), an author field only where it names a place the division tables know
    (never a person, a machine or a bare 办公室)."""
    kinds = _self_kinds(text)
    site = next((unicodedata.normalize("NFKC", name).strip() for field, name in clues if field == "site"), None)
    out = []
    for field, name in clues:
        name = unicodedata.normalize("NFKC", name).strip()
        if field != "site":
            name = on_site(name, site)
        name = _for_itself(name, kinds)
        if not is_unit(name) or not _fits_self(name, kinds):
            continue
        if field == "site" and not kinds or field == "author" and locate(name).province is None:
            continue
        out.append(name)
    return out


# ``我局…在句容市住房和城乡建设局官网上主动公开``: the unit whose own site the report publishes on.
_OWN_SITE = re.compile(r"(?=(?:在|通过|通過)([\u4e00-\u9fff]{4,30}?)(?:官方?[网網]站?|[门門][户戶][网網]站?|[网網]站))")


def published_on(text: str) -> str | None:
    """The unit on whose own site the report says it publishes (``我局在句容市住房和城乡建设局官网上…``),
    when the text names one only: a unit's full name (its place in the division tables) of the kind the
    report calls itself (``我局``; a report that calls itself nothing names no such unit)."""
    kinds = _self_kinds(text)
    if not kinds:
        return None
    names = {m.group(1) for m in _OWN_SITE.finditer(text)}
    fitting = {n for n in names if is_unit(n) and locate(n).province is not None and _fits_self(n, kinds)}
    return fitting.pop() if len(fitting) == 1 else None


def _place(agency: str, text: str) -> Place:
    """Where ``agency`` sits; a township or street named without its county (``河东乡``) is placed in the
    one county the text names that has a township of that name (``通过德安县政府信息公开平台``)."""
    place = locate(agency)
    if place.county is not None or place.level not in ("township", "street"):
        return place
    town = re.sub(f"(?:{_GOVERNMENT_OF})$", "", agency)
    named = [d for d in counties_of_township(town) if _names_division(d.name, text)]
    return locate(named[0].name + agency) if len(named) == 1 else place


def _names_division(name: str, text: str) -> bool:
    """Whether ``text`` names the division ``name``: a two-character name (和县, 礼县) only where no other
    character runs into it (平和县 is not 和县), after its city or province (陇南市礼县) or none."""
    if len(name) > 2:
        return name in text
    return re.search(f"(?:^|[^\u4e00-\u9fff]|[省市州盟]){re.escape(name)}", text) is not None


def read_meta(lines: list[str], body: str, *, declared: str | None = None, clues: tuple[tuple[str, str], ...] = (),
              tail: list[str] | None = None, text: str = "") -> Meta:
    """Metadata from the document's first lines (``lines``), its overview text (``body``), the title the
    file declares (``declared``), the units its properties name (``clues``, below every clue of the
    document's own text), its last lines (``tail``) and its text (``text``, for completing names)."""
    meta = Meta()
    found = find_title(lines)
    start = 0
    candidates: list[str | None] = []
    if found:
        start, meta.title = found[0] + 1, found[1]
        meta.year = _year_of(meta.title)
        candidates.append(agency_from_title(meta.title))
        # The customary print puts the agency on its own line above "2021年政府信息公开工作年度报告".
        above = _agency_line(lines[max(0, start - 3) : start - 1], 0)
        if not is_unit(candidates[0]) and above and _clean(lines[start - 2]) == above:
            candidates[0], meta.title = above, above + meta.title
        # A title wrapped inside the unit's name (安徽省池州市青阳县市场监督管 / 理局2021年…): the line above is
        # the name's start where the title alone names no place and the two together name a unit of one.
        head = _clean(lines[start - 2]) if start >= 2 else ""
        if re.fullmatch(r"[\u4e00-\u9fff]{2,24}", head) and not head.startswith(_SENTENCE_START) and not is_unit(head) \
                and (candidates[0] is None or locate(candidates[0]).province is None):
            joined = agency_from_title(head + meta.title)
            if is_unit(joined) and locate(joined).province is not None:
                candidates[0], meta.title = joined, head + meta.title
    from_file = declared_title(declared)
    if from_file:
        meta.title = meta.title or from_file
        meta.year = meta.year or _year_of(from_file)
        candidates.append(agency_from_title(from_file))
    candidates.append(_agency_line(lines, start))
    head = "\n".join(lines[:40]) + "\n" + body[:3000]
    flat = re.sub(r"\s+", "", nfkc(text or head))
    source = source_field(lines[:40])
    candidates.append(source and _for_itself(source, _self_kinds(flat + body[:3000])))  # 发布机构: XX办公室
    signed, signed_on = signature(tail or [])
    candidates.append(signed)
    candidates.append(compiled_by(head))
    match = _PROSE_AGENCY.search(body[:300]) or _PROSE_WORK.search(body[:300])
    if match and not match.group(1).startswith(("我", "本", "全", "各", "县委", "市委", "区委")):
        candidates.append(match.group(1))
    candidates.append(published_on(flat))
    candidates.extend(property_clues(clues, flat + body[:3000]))
    meta.agency = choose_agency(candidates, flat)
    if meta.year is None:
        years = [int(y) for y in _YEAR.findall(head)]
        meta.year = years[0] if years else None
    for line in lines[:40]:
        if "发布" in line or "日期" in line or "时间" in line:
            date = _DATE.search(line)
            if date:
                y, m, d = (int(x) for x in date.groups())
                if 1 <= m <= 12 and 1 <= d <= 31:
                    meta.published = f"{y:04d}-{m:02d}-{d:02d}"
                    break
    meta.published = meta.published or signed_on
    if meta.agency:
        place = _place(meta.agency, flat)
        meta.region, meta.level = place.region(), place.level
    return meta
