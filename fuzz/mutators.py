"""Mutators for the fuzz harness: every one takes a ``random.Random`` and returns new content.

* Text (``str``): numbers (huge, negative, decimal, full-width, Chinese, Arabic-Indic, circled and
  superscript digits, dashes), labels of the official formats inserted, swapped, cut or spaced out,
  lines deleted, duplicated, repeated, joined, split and shuffled, separators (tab, pipes, box
  drawing, runs of spaces) and odd characters (controls, zero-width, combining, bidi, private use,
  surrogate-free astral) inserted, splices with other reports, one very long line.
* Bytes (every medium): bit flips, random bytes, deleted, duplicated and inserted chunks, truncation,
  splices with other seeds, magic numbers and byte-order marks.
* Structure: HTML (spans, nested and unclosed tables, deep nesting, entities, charset
  declarations), zip packages (DOCX, OFD: XML values, elements dropped or repeated, members removed,
  header fields: sizes, flags, compression method), PDF (content and ToUnicode streams inflated,
  operands mutated, deflated again with a corrected ``/Length``; page boxes, rotation, counts), images
  (crops, scales, rotations, modes, frames, DPI, formats, a decompression-bomb header).
"""

from __future__ import annotations

import io
import random
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence, Sized
from functools import cache

from gknb.formats import FORMATS

# --------------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ODD_NUMBERS = (
    "0", "-1", "-0", "007", "1.5", "0.0001", "1,234", "1 234", "１２３", "一百二十三", "三", "〇", "零", "两",
    "٣٤", "①", "²", "Ⅻ", "—", "-", "/", "无", "", " ", "1e9", "NaN", "∞", "+5", "1.", ".5", "12３", "1/2",
    "99999999999999999999999999", "9" * 400, "-" + "9" * 60, "1" * 5000, "0x1F", "1_000", "１．５",
    "9" * 40 + ".5", "1" * 5000 + ".25", "0." + "0" * 3000 + "1",
)
_ODD_CHARS = (
    "\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u00a0", "\u200b", "\u200d", "\u200e",
    "\u202e", "\u2028", "\u2029", "\u3000", "\ufeff", "\ufffd", "\ufff9", "\u0301", "\u20dd", "\ue000",
    "\U0010fffd", "\U0001f600", "\U00020000", "\u2e80", "\uf900", "\uff5c", "｜", "│", "┃", "\t", "|",
    "　", "\r", "\n", "\\", "<", ">", "&", '"', "'", "%", "{", "}", "$", "#", "*", "`", "~",
)
_SEPARATORS = ("\t", " | ", "|", "｜", "│", "  ", "      ", "\t\t", " ", "\u3000", "，", "、", ":", "：")
GROWTH = 4_000_000  # characters or bytes one repetition may add: cases stay around the 20 MB input limit


def times(piece: Sized, count: int) -> int:
    """``count`` repetitions of ``piece``, fewer when they would add more than ``GROWTH``."""
    return max(1, min(count, GROWTH // max(len(piece), 1)))


def element(text: str, opening: str, rnd: random.Random) -> tuple[int, int] | None:
    """Where an element picked at random starts and ends: an opening tag matching ``opening`` (group 1:
    the tag name) to the next closing tag of that name, found by ``str.find`` — linear however broken
    the markup (a lazy ``.*?</tag>`` regex took minutes on multi-megabyte parts with unclosed tags)."""
    starts = list(re.finditer(opening, text))
    if not starts:
        return None
    m = rnd.choice(starts)
    head_end = text.find(">", m.end())
    if head_end == -1:
        return None
    if text[head_end - 1] == "/":
        return m.start(), head_end + 1
    close = text.find(f"</{m.group(1)}>", head_end)
    return (m.start(), close + len(m.group(1)) + 3) if close != -1 else None


@cache
def labels() -> tuple[str, ...]:
    """Every printed label of both formats: section headings, table titles, captions, rows, columns."""
    out: set[str] = set()
    for fmt in FORMATS.values():
        for section in fmt.sections:
            out.update((section.heading, section.title, *section.aliases))
        for table in fmt.tables:
            out.add(table.title)
            out.update(table.group_labels)
            for block in table.blocks:
                out.update(filter(None, (block.caption, *block.caption_aliases, *block.header_labels)))
                for row in block.rows:
                    out.update((row.label, *row.aliases, *filter(None, (row.group,))))
                for column in block.columns:
                    out.update((column.label, *column.aliases))
    out.update(("政府信息公开工作年度报告", "总计", "合计", "小计", "单位：件", "（一）", "一、", "1.", "2021年", "本年"))
    return tuple(sorted(out))


def _lines(text: str) -> list[str]:
    return text.split("\n")


def numbers(text: str, rnd: random.Random) -> str:
    """Replace some numbers by odd ones."""
    found = list(_NUMBER.finditer(text))
    if not found:
        return text + rnd.choice(_ODD_NUMBERS)
    chosen = {m.start() for m in rnd.sample(found, min(len(found), rnd.choice((1, 1, 3, 10, len(found)))))}
    return _NUMBER.sub(lambda m: rnd.choice(_ODD_NUMBERS) if m.start() in chosen else m.group(), text)


def scale_numbers(text: str, rnd: random.Random) -> str:
    """Multiply every whole number by the same power of ten (identities keep holding)."""
    zeros = "0" * rnd.choice((1, 3, 12, 30))
    return _NUMBER.sub(lambda m: m.group() + zeros if "." not in m.group() else m.group(), text)


def label_insert(text: str, rnd: random.Random) -> str:
    """Official labels inserted on their own lines or inside lines, sometimes with numbers after them."""
    lines = _lines(text)
    for _ in range(rnd.choice((1, 1, 3, 20))):
        label = rnd.choice(labels())
        if rnd.random() < 0.5:
            label += "".join(rnd.choice(_SEPARATORS) + str(rnd.randint(0, 999)) for _ in range(rnd.randint(0, 8)))
        at = rnd.randrange(len(lines) + 1)
        if rnd.random() < 0.7 or at == len(lines):
            lines.insert(at, label)
        else:
            cut = rnd.randint(0, len(lines[at]))
            lines[at] = lines[at][:cut] + label + lines[at][cut:]
    return "\n".join(lines)


def label_damage(text: str, rnd: random.Random) -> str:
    """Occurrences of official labels cut, spaced out, swapped for another label or removed."""
    present = [label for label in labels() if len(label) > 1 and label in text]
    if not present:
        return label_insert(text, rnd)
    for label in rnd.sample(present, min(len(present), rnd.choice((1, 3, 10)))):
        how = rnd.randrange(4)
        if how == 0:
            new = label[: rnd.randint(1, len(label) - 1)]
        elif how == 1:
            new = rnd.choice(_SEPARATORS).join(label)
        elif how == 2:
            new = rnd.choice(labels())
        else:
            new = ""
        text = text.replace(label, new, rnd.choice((1, -1)))
    return text


def lines_edit(text: str, rnd: random.Random) -> str:
    """Lines deleted, duplicated, repeated many times, joined, split, shuffled in a window, blank lines."""
    lines = _lines(text)
    for _ in range(rnd.choice((1, 2, 5, 20))):
        if not lines:
            lines = [""]
        i = rnd.randrange(len(lines))
        how = rnd.randrange(8)
        if how == 0:
            del lines[i]
        elif how == 1:
            lines.insert(i, lines[i])
        elif how == 2:
            lines[i:i] = [lines[i]] * times(lines[i], rnd.choice((10, 100, 2000)))
        elif how == 3 and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + rnd.choice(("", " ", "\t")) + lines[i + 1]]
        elif how == 4:
            cut = rnd.randint(0, len(lines[i]))
            lines[i : i + 1] = [lines[i][:cut], lines[i][cut:]]
        elif how == 5:
            window = lines[i : i + rnd.randint(2, 30)]
            rnd.shuffle(window)
            lines[i : i + len(window)] = window
        elif how == 6:
            lines[i:i] = [""] * rnd.choice((1, 3, 50))
        else:
            lines[i] = lines[i].strip() if rnd.random() < 0.5 else "  " + lines[i] + "  "
    return "\n".join(lines)


def separators(text: str, rnd: random.Random) -> str:
    """Separators inserted, or one separator replaced by another throughout."""
    if rnd.random() < 0.4:
        old, new = rnd.choice(("\t", " ", "|", "\n", "\n\n")), rnd.choice(_SEPARATORS + ("\n", "\n\n", ""))
        return text.replace(old, new)
    chars = list(text)
    for _ in range(rnd.choice((1, 5, 50))):
        chars.insert(rnd.randint(0, len(chars)), rnd.choice(_SEPARATORS))
    return "".join(chars)


def odd_chars(text: str, rnd: random.Random) -> str:
    """Control, invisible, combining, bidi, private-use and astral characters inserted."""
    chars = list(text)
    for _ in range(rnd.choice((1, 5, 50, 500))):
        chars.insert(rnd.randint(0, len(chars)), rnd.choice(_ODD_CHARS))
    return "".join(chars)


def chunk_edit(text: str, rnd: random.Random) -> str:
    """A span deleted, duplicated or moved."""
    if len(text) < 2:
        return text * 2
    a = rnd.randrange(len(text))
    b = min(len(text), a + rnd.choice((1, 10, 100, 1000, 10000)))
    piece = text[a:b]
    how = rnd.randrange(3)
    if how == 0:
        return text[:a] + text[b:]
    if how == 1:
        return text[:b] + piece * rnd.choice((1, 2, 20)) + text[b:]
    rest = text[:a] + text[b:]
    at = rnd.randint(0, len(rest))
    return rest[:at] + piece + rest[at:]


def long_line(text: str, rnd: random.Random) -> str:
    """Every line break gone, or one enormous line of labels and numbers."""
    if rnd.random() < 0.5:
        return text.replace("\n", rnd.choice(("", " ", "\t")))
    filler = " ".join(rnd.choice(labels()) + " " + str(rnd.randint(0, 99)) for _ in range(rnd.choice((100, 3000))))
    lines = _lines(text)
    lines.insert(rnd.randrange(len(lines) + 1), filler)
    return "\n".join(lines)


def meta(text: str, rnd: random.Random) -> str:
    """Years, title and agency made odd."""
    year = rnd.choice(("0", "1", "1949", "2008", "2019", "2020", "2021", "2099", "9999", "99999", "二〇二一", "２０２１",
                       "20 21", "2021-2022", "-2021"))
    text = re.sub(r"\d{4}(?=\s*年)", lambda _m: year, text, count=rnd.choice((0, 1)))
    if rnd.random() < 0.3:
        text = text.replace("政府信息公开工作年度报告", rnd.choice(("", "年度报告", "政府信息公开工作年度报告" * 3, "工作报告")))
    return text


def heading_edit(text: str, rnd: random.Random) -> str:
    """Section numbering made odd: headings repeated, renumbered or removed."""
    numerals = "一二三四五六七八九十"
    if rnd.random() < 0.5:
        return re.sub(r"^([一二三四五六七八九十])、", lambda _m: rnd.choice(numerals) + rnd.choice(("、", "．", ".", "")), text,
                      flags=re.M)
    lines = _lines(text)
    for _ in range(rnd.choice((1, 10, 200))):
        lines.insert(rnd.randrange(len(lines) + 1), f"{rnd.choice(numerals)}、{rnd.choice(labels())}")
    return "\n".join(lines)


TEXT_MUTATORS: tuple[Callable[[str, random.Random], str], ...] = (
    numbers, numbers, scale_numbers, label_insert, label_damage, label_damage, lines_edit, lines_edit, separators,
    odd_chars, chunk_edit, long_line, meta, heading_edit,
)


def mutate_text(text: str, rnd: random.Random, others: Sequence[str] = ()) -> str:
    """One to four text mutations, or a splice with another report first."""
    if others and rnd.random() < 0.15:
        other = rnd.choice(others)
        text = text[: rnd.randint(0, len(text))] + other[rnd.randint(0, len(other)) :]
    for _ in range(rnd.choice((1, 1, 2, 4))):
        text = rnd.choice(TEXT_MUTATORS)(text, rnd)
    return text


# --------------------------------------------------------------------------------------------------
# Bytes
# --------------------------------------------------------------------------------------------------

_MAGIC = (
    b"%PDF-1.7\n", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff",
    b"II*\x00", b"GIF89a", b"{\\rtf1", b"<html>", b"<!DOCTYPE html>", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
    b"\xff\xfe\x00\x00", b"\x00\x00", b"\r\n", b"\x1a", b"<table><tr><td>",
)


def flip_bits(data: bytes, rnd: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.choice((1, 4, 32, 256))):
        if buf:
            buf[rnd.randrange(len(buf))] ^= 1 << rnd.randrange(8)
    return bytes(buf)


def random_bytes(data: bytes, rnd: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.choice((1, 8, 64))):
        if buf:
            buf[rnd.randrange(len(buf))] = rnd.choice((0, 0xFF, 0x7F, 0x80, rnd.randrange(256)))
    return bytes(buf)


def chunk_bytes(data: bytes, rnd: random.Random) -> bytes:
    if len(data) < 2:
        return data + rnd.randbytes(16)
    a = rnd.randrange(len(data))
    b = min(len(data), a + rnd.choice((1, 16, 256, 4096, 65536)))
    how = rnd.randrange(3)
    if how == 0:
        return data[:a] + data[b:]
    if how == 1:
        return data[:b] + data[a:b] * rnd.choice((1, 2, 16)) + data[b:]
    return data[:a] + rnd.randbytes(rnd.choice((1, 16, 1024))) + data[a:]


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.choice((rnd.randrange(max(len(data), 1)), len(data) // 2, len(data) - 1, 1, 8, 64))]


def magic(data: bytes, rnd: random.Random) -> bytes:
    piece = rnd.choice(_MAGIC)
    if rnd.random() < 0.6:
        return piece + data
    at = rnd.randint(0, len(data))
    return data[:at] + piece + data[at:]


BYTE_MUTATORS = (flip_bits, random_bytes, chunk_bytes, chunk_bytes, truncate, magic)


def mutate_bytes(data: bytes, rnd: random.Random, others: Sequence[bytes] = ()) -> bytes:
    """One to three byte-level mutations, or a splice with another seed first."""
    if others and rnd.random() < 0.2:
        other = rnd.choice(others)
        data = data[: rnd.randint(0, len(data))] + other[rnd.randint(0, len(other)) :]
    for _ in range(rnd.choice((1, 1, 2, 3))):
        data = rnd.choice(BYTE_MUTATORS)(data, rnd)
    return data


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_SPANS = ("0", "-1", "2", "3", "1000", "100000", "99999999999999999999", "abc", "1.5", " 2", "２", "", "1e3")
_CHARSETS = ("utf-8", "gb2312", "gbk", "big5", "utf-16", "utf-7", "x-unknown", "iso-8859-1", "", "ascii", "utf-32")


def html_edit(text: str, rnd: random.Random) -> str:
    """One structural change to an HTML page."""
    how = rnd.randrange(10)
    if how == 0:
        return re.sub(r'(rowspan|colspan)="[^"]*"', lambda m: f'{m.group(1)}="{rnd.choice(_SPANS)}"', text)
    if how == 1:
        return re.sub(r"<td(?=[ >])", lambda _m: f'<td {rnd.choice(("rowspan", "colspan"))}="{rnd.choice(_SPANS)}"'
                      if rnd.random() < 0.1 else "<td", text)
    if how == 2:
        row = element(text, r"<(tr)\b", rnd)
        if row:
            piece = text[row[0] : row[1]]
            return text[: row[1]] + piece * times(piece, rnd.choice((1, 5, 200))) + text[row[1] :]
    if how == 3:
        tag = rnd.choice(("</td>", "</tr>", "</table>", "<tr>", "<td>", "</th>", "<table>", "</tbody>"))
        return text.replace(tag, rnd.choice(("", tag * 2, "<table><tr><td>x</td><td>1</td></tr></table>")),
                            rnd.choice((1, -1)))
    if how == 4:
        depth = rnd.choice((100, 1000, 5000, 30000))
        tag = rnd.choice(("div", "table", "span", "td", "b", "p", "blockquote"))
        at = rnd.randint(0, len(text))
        return text[:at] + f"<{tag}>" * depth + "深" + f"</{tag}>" * rnd.choice((0, depth)) + text[at:]
    if how == 5:
        entity = rnd.choice(("&#0;", "&#x110000;", "&#xD800;", "&#99999999999;", "&nbsp;", "&bogus;", "&#x3000;",
                             "&lt;table&gt;", "&amp;", "&#12;"))
        return re.sub(r"(?<=>)(\d+)(?=<)", lambda m: m.group() + entity if rnd.random() < 0.2 else m.group(), text)
    if how == 6:
        meta_tag = f'<meta charset="{rnd.choice(_CHARSETS)}">'
        return re.sub(r"<meta[^>]*charset[^>]*>", meta_tag, text) if "charset" in text else meta_tag + text
    if how == 7:
        junk = rnd.choice(("<!--", "<![CDATA[", "<script>", "<style>", "<?xml version='1.0'?>", "<!DOCTYPE x [",
                           "<svg><foreignObject>", "<math>", "<template>", "<textarea>", "<plaintext>"))
        at = rnd.randint(0, len(text))
        return text[:at] + junk + text[at:]
    if how == 8:
        return re.sub(r"<(/?)t([dh])\b", lambda m: f"<{m.group(1)}t{rnd.choice('dh')}", text)
    return re.sub(r"(?<=>)([^<]+)(?=<)", lambda m: mutate_text(m.group(), rnd) if rnd.random() < 0.05 else m.group(),
                  text)


# --------------------------------------------------------------------------------------------------
# Zip packages (DOCX, OFD) and zip headers
# --------------------------------------------------------------------------------------------------

_XML_NUMBERS = ("0", "-1", "1e309", "-1e309", "nan", "1e-300", "99999999999", "3.5", "", "abc", "9" * 40, "0.0",
                "-0", "12 34 56", "g 99999999 1", "g 1e309 1", "g 3 1e309", "1 g", "g", "²", "١٢", "9" * 5000)


def read_zip(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def write_zip(members: Sequence[tuple[str, bytes]], rnd: random.Random) -> bytes:
    buf = io.BytesIO()
    method = rnd.choice((zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2,
                         zipfile.ZIP_LZMA))
    with zipfile.ZipFile(buf, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted
        for name, content in members:
            archive.writestr(name, content)
    return buf.getvalue()


def xml_edit(text: str, rnd: random.Random) -> str:
    """One change to an XML part: attribute values, elements repeated or dropped, text, truncation."""
    how = rnd.randrange(7)
    if how == 0:
        attrs = list(re.finditer(r'(?<=\s)([\w:]{1,64})="([^"]*)"', text))  # bounded: values of 4 M digits
        for m in sorted(rnd.sample(attrs, min(len(attrs), rnd.choice((1, 5, 50)))), key=lambda m: -m.start()):
            text = text[: m.start(2)] + rnd.choice(_XML_NUMBERS + (m.group(2) * 3, "../" * 5 + "x", "/", "\\")) + \
                text[m.end(2) :]
        return text
    if how in (1, 2):
        found = element(text, r"<(w:tr|w:tc|w:p|w:tbl|ofd:TextObject|ofd:PathObject|ofd:Page|TextCode|"
                              r"ofd:TextCode|w:r)\b", rnd)
        if found:
            start, end = found
            if how == 1:
                piece = text[start:end]
                return text[:end] + piece * times(piece, rnd.choice((1, 3, 100, 2000))) + text[end:]
            return text[:start] + text[end:]
    if how == 3:
        return re.sub(r"(?<=>)([^<]+)(?=<)", lambda m: mutate_text(m.group(), rnd) if rnd.random() < 0.1
                      else m.group(), text)
    if how == 4:
        return text[: rnd.randint(0, len(text))]
    if how == 5:
        cell = element(text, r"<(w:tc)\b", rnd)
        if cell:
            piece = text[cell[0] : cell[1]]
            nested = "<w:tbl><w:tr>" + piece * 2 + "</w:tr></w:tbl>"
            return text[: cell[0]] + piece.replace("</w:tc>", nested + "</w:tc>", 1) + text[cell[1] :]
    return re.sub(r"(w:gridSpan|w:vMerge|w:hMerge|w:gridBefore|w:gridCol)( w:(?:val|w)=\"[^\"]*\")?",
                  lambda m: f'{m.group(1)} w:{rnd.choice(("val", "w"))}="{rnd.choice(_XML_NUMBERS + ("restart", "continue"))}"',
                  text)


def package_edit(data: bytes, rnd: random.Random) -> bytes:
    """A structural change to a zip package: one XML part edited, a member dropped, renamed or added."""
    try:
        members = [(info.filename, content) for info, content in read_zip(data)]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        return mutate_bytes(data, rnd)
    if not members:
        return data
    how = rnd.randrange(10)
    if how < 6:
        xml = [i for i, (name, _c) in enumerate(members) if name.endswith((".xml", ".rels"))] or [0]
        weights = [5 if "document.xml" in members[i][0] or "Content" in members[i][0] else 1 for i in xml]
        i = rnd.choices(xml, weights)[0]
        name, content = members[i]
        text = content.decode("utf-8", "replace")
        for _ in range(rnd.choice((1, 1, 3))):
            text = xml_edit(text, rnd)
        members[i] = (name, text.encode("utf-8"))
    elif how == 6:
        del members[rnd.randrange(len(members))]
    elif how == 7:
        i = rnd.randrange(len(members))
        members[i] = (rnd.choice(("../evil.xml", "/abs.xml", members[i][0].upper(), members[i][0] + "/",
                                  "a" * 300, "空.xml", "")), members[i][1])
    elif how == 8:
        members.append((rnd.choice([n for n, _c in members]), rnd.randbytes(rnd.choice((0, 10, 1000)))))
    else:
        i = rnd.randrange(len(members))
        members[i] = (members[i][0], mutate_bytes(members[i][1], rnd))
    try:
        return write_zip([(n or "x", c) for n, c in members], rnd)
    except (ValueError, OSError):
        return data


def zip_headers(data: bytes, rnd: random.Random) -> bytes:
    """A field of a local or central zip header changed: sizes, flags (encryption), compression method."""
    buf = bytearray(data)
    heads = [m.start() for m in re.finditer(rb"PK\x01\x02|PK\x03\x04", data)]
    if not heads:
        return mutate_bytes(data, rnd)
    at = rnd.choice(heads)
    central = buf[at + 2 : at + 4] == b"\x01\x02"
    fields = {"flags": (10 if central else 6, "<H"), "method": (12 if central else 8, "<H"),
              "crc": (18 if central else 14, "<I"), "csize": (20 if central else 18, "<I"),
              "usize": (24 if central else 22, "<I"), "name": (28 if central else 26, "<H")}
    offset, fmt = fields[rnd.choice(list(fields))]
    value = rnd.choice((0, 1, 8, 9, 12, 14, 99, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, rnd.randrange(1 << 16)))
    size = struct.calcsize(fmt)
    if at + offset + size <= len(buf):
        buf[at + offset : at + offset + size] = struct.pack(fmt, value & ((1 << (8 * size)) - 1))
    return bytes(buf)


def mutate_package(data: bytes, rnd: random.Random, others: Sequence[bytes] = ()) -> bytes:
    """DOCX/OFD: mostly structural changes, sometimes header fields or plain bytes."""
    r = rnd.random()
    if r < 0.65:
        return package_edit(data, rnd)
    if r < 0.85:
        return zip_headers(data, rnd)
    return mutate_bytes(data, rnd, others)


# --------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------

_STREAM = re.compile(rb"(<<(?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>)*>>)\s*stream\r?\n(.*?)\r?\nendstream", re.S)
_PDF_NUMBERS = (b"0", b"-1", b"1e30", b"-99999", b"99999999999", b"0.0001", b"nan", b"3.4e38", b"-0", b"1000000",
                b"1.#INF", b"()", b"[]", b"", b"12 34")
_OPERATORS = (b"Tj", b"TJ", b"Td", b"TD", b"Tm", b"Tf", b"Tz", b"Tc", b"Tw", b"TL", b"re", b"m", b"l", b"S", b"f", b"cm",
              b"q", b"Q", b"BT", b"ET", b"Do", b"W", b"n", b"'", b'"', b"BI", b"ID", b"EI")


def _content_edit(content: bytes, rnd: random.Random) -> bytes:
    how = rnd.randrange(5)
    if how == 0:
        numbers_found = list(re.finditer(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", content))
        for m in sorted(rnd.sample(numbers_found, min(len(numbers_found), rnd.choice((1, 10, 200)))),
                        key=lambda m: -m.start()):
            content = content[: m.start()] + rnd.choice(_PDF_NUMBERS) + content[m.end() :]
        return content
    if how == 1:
        starts = [m.start() for m in re.finditer(rb"\bBT\b", content)]
        start = rnd.choice(starts) if starts else -1
        end = content.find(b"ET", start + 2) + 2 if starts else 1
        if end > 1:
            block = b"\n" + content[start:end]
            return content[:end] + block * times(block, rnd.choice((1, 10, 500))) + content[end:]
    if how == 2:
        ops = list(re.finditer(rb"\b(" + b"|".join(re.escape(o) for o in _OPERATORS) + rb")\b", content))
        if ops:
            m = rnd.choice(ops)
            return content[: m.start()] + rnd.choice(_OPERATORS + (b"",)) + content[m.end() :]
    if how == 3:
        tm = b"%s 0 0 %s %s %s Tm" % tuple(rnd.choice(_PDF_NUMBERS) for _ in range(4))
        return content.replace(b"Tm", b"Tm " + tm, 1)
    return content.replace(b"<", b"<" + bytes(rnd.choice(b"0123456789ABCDEF") for _ in range(4)), rnd.randint(1, 5))


def pdf_streams(data: bytes, rnd: random.Random) -> bytes:
    """Inflate a few FlateDecode streams (page contents, ToUnicode maps), mutate them, deflate them
    again with a corrected ``/Length``."""
    streams = [m for m in _STREAM.finditer(data) if b"FlateDecode" in m.group(1) and b"/Image" not in m.group(1)]
    if not streams:
        return pdf_objects(data, rnd)
    chosen = sorted(rnd.sample(streams, min(len(streams), rnd.choice((1, 1, 3)))), key=lambda m: -m.start())
    for m in chosen:
        try:
            content = zlib.decompress(m.group(2))
        except zlib.error:
            continue
        content = _content_edit(content, rnd)
        packed = zlib.compress(content)
        head = re.sub(rb"/Length\s+\d+(?:\s+\d+\s+R)?", b"/Length %d" % len(packed), m.group(1), count=1)
        data = data[: m.start()] + head + b"\nstream\n" + packed + b"\nendstream" + data[m.end() :]
    return data


def pdf_objects(data: bytes, rnd: random.Random) -> bytes:
    """Page boxes, rotation, page counts, references and object numbers made odd."""
    how = rnd.randrange(5)
    if how == 0:
        box = b"[%s %s %s %s]" % tuple(rnd.choice((b"0", b"-100", b"1e9", b"0.1", b"595", b"nan", b"-1e9"))
                                       for _ in range(4))
        return re.sub(rb"/(MediaBox|CropBox)\s*\[[^\]]*\]", lambda m: b"/" + m.group(1) + box, data,
                      count=rnd.choice((0, 1)))
    if how == 1:
        rotate = b"/Rotate %s" % rnd.choice((b"90", b"180", b"270", b"45", b"-90", b"99999"))
        return data.replace(b"/Type/Page", b"/Type/Page" + rotate, 1).replace(b"/Type /Page", b"/Type /Page" + rotate, 1)
    if how == 2:
        return re.sub(rb"/Count\s+\d+", b"/Count " + rnd.choice((b"0", b"-1", b"99999999", b"1")), data)
    if how == 3:
        refs = list(re.finditer(rb"\b(\d+) 0 R\b", data))
        if refs:
            m = rnd.choice(refs)
            return data[: m.start(1)] + rnd.choice((b"1", b"0", b"99999", m.group(1))) + data[m.end(1) :]
    return re.sub(rb"startxref\s+\d+", b"startxref\n" + rnd.choice((b"0", b"1", b"999999999")), data)


def mutate_pdf(data: bytes, rnd: random.Random, others: Sequence[bytes] = ()) -> bytes:
    r = rnd.random()
    if r < 0.55:
        return pdf_streams(data, rnd)
    if r < 0.75:
        return pdf_objects(data, rnd)
    return mutate_bytes(data, rnd, others)


# --------------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------------

_IMAGE_FORMATS = ("PNG", "PNG", "JPEG", "TIFF", "GIF", "BMP", "WEBP")


def image_edit(data: bytes, rnd: random.Random, max_side: int = 1800) -> tuple[bytes, str]:
    """The image changed (crop, scale, turn, mode, noise, frames, DPI) and saved in some format; returns
    the bytes and the file suffix."""
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data))
    image.load()
    w, h = image.size
    how = rnd.randrange(7)
    if how == 0:
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        image = image.crop((x0, y0, rnd.randint(x0 + 1, w), rnd.randint(y0 + 1, h)))
    elif how == 1:
        factor = rnd.choice((0.01, 0.1, 0.3, 0.5, 1.5))
        image = image.resize((max(1, int(w * factor)), max(1, int(h * factor))))
    elif how == 2:
        image = image.rotate(rnd.choice((0.5, 3, 7, 45, 90, 180)), expand=True, fillcolor="white")
    elif how == 3:
        image = ImageOps.invert(image.convert("L"))
    elif how == 4:
        image = Image.new(rnd.choice(("L", "RGB", "1")), (rnd.choice((1, 5, 300)), rnd.choice((1, 5, 300))),
                          rnd.choice((0, 255)))
    elif how == 5:
        image = image.convert(rnd.choice(("1", "P", "RGBA", "CMYK", "I", "F", "LA")))
    else:
        pixels = image.convert("L").point(lambda v: v if rnd.random() < 0.999 else 0)
        image = pixels.effect_spread(rnd.choice((1, 3)))
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    fmt = rnd.choice(_IMAGE_FORMATS)
    modes = {"JPEG": ("L", "RGB", "CMYK"), "GIF": ("L", "P", "1"), "BMP": ("1", "L", "P", "RGB", "RGBA"),
             "WEBP": ("RGB", "RGBA", "L"), "PNG": ("1", "L", "LA", "P", "RGB", "RGBA"),
             "TIFF": ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I", "F")}
    if image.mode not in modes[fmt]:
        image = image.convert("RGB" if "RGB" in modes[fmt] else "L")
    out = io.BytesIO()
    options: dict[str, object] = {}
    if rnd.random() < 0.3 and fmt in ("PNG", "JPEG", "TIFF"):
        options["dpi"] = rnd.choice(((0, 0), (1, 1), (72, 72), (300, 300), (100000, 100000), (0.5, 0.5)))
    if fmt == "TIFF" and rnd.random() < 0.3:
        options.update(save_all=True, append_images=[image.rotate(90, expand=True)] * rnd.choice((1, 2)))
    try:
        image.save(out, fmt, **options)
    except (OSError, ValueError):  # a mode or option this PIL cannot write in this format
        out = io.BytesIO()
        image.convert("L").save(out, "PNG")
        fmt = "PNG"
    return out.getvalue(), "." + fmt.lower().replace("jpeg", "jpg")


def png_bomb(rnd: random.Random) -> bytes:
    """A tiny PNG whose header claims a huge canvas."""
    side = rnd.choice((30000, 70000, 1 << 20))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def mutate_image(data: bytes, rnd: random.Random, others: Sequence[bytes] = ()) -> tuple[bytes, str]:
    """Mostly valid images changed (they reach OCR), sometimes broken bytes or a bomb header."""
    r = rnd.random()
    if r < 0.05:
        return png_bomb(rnd), ".png"
    if r < 0.55:
        return image_edit(data, rnd)
    return mutate_bytes(data, rnd, others), ".png"
