"""Fuzzing, bounded for CI: mutated reports of every medium give a report or a clear GknbError, and a
file over the per-file time limit fails with ``ingest.timeout`` while the rest of its batch is stored.

The full harness is ``fuzz/fuzz_read.py`` (docs/fuzzing.md)."""

from __future__ import annotations

import ctypes
import io
import json
import random
import re
import signal
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import gknb
from gknb.cli import app
from gknb.errors import GknbError, UnreadableFile
from gknb.formats import FORMATS
from gknb.ingest import ocr, read_document
from gknb.pipeline import bulk
from gknb.pipeline.bulk import ingest
from gknb.pipeline.write import store_report
from gknb.render import render as render_report
from gknb.store import Store
from gknb.workers import Workers
from layouts import random_report, render
from test_ofd import make_ofd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
import fuzz_read  # noqa: E402  (the harness: fuzz/fuzz_read.py)
import seeds as fuzz_seeds_lib  # noqa: E402

SAMPLES = sorted((Path(gknb.__file__).parent / "samples").glob("*.txt"))
_work = bulk.work


def _stuck() -> None:
    """Block in C code (libc ``sleep``) with the usual signals masked: no ``signal.alarm`` could end this."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT, signal.SIGTERM})
    ctypes.CDLL(None).sleep(3600)


def stuck_in_c(location: str, raw: bytes | None, url: str | None) -> dict:
    """``bulk.work``, except that a file named ``slow…`` gets stuck. Module-level: spawned workers import it."""
    if Path(location).name.startswith("slow"):
        _stuck()
    return _work(location, raw, url)


def test_time_limit_fails_the_slow_file_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Bulk ingest with two workers: the file stuck in C code fails with ``ingest.timeout`` after the limit,
    its worker is replaced, and every other file is stored."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in SAMPLES:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "slow.txt").write_bytes(SAMPLES[0].read_bytes() + b"\n")
    monkeypatch.setattr(bulk, "work", stuck_in_c)
    store = Store.open(str(tmp_path / "g.db"))
    summary = ingest(store, [str(folder)], jobs=2, timeout=3)
    outcome = {Path(r.location).name: r for r in summary.results}
    slow = outcome.pop("slow.txt")
    assert slow.status == "failed" and slow.error is not None
    assert slow.error["code"] == "ingest.timeout"
    assert "超时" in slow.error["message"] and "time limit" in slow.error["message_en"]
    assert {name: r.status for name, r in outcome.items()} == {p.name: "stored" for p in SAMPLES}
    assert len(store.report_ids()) == len(SAMPLES)
    store.close()


def test_check_command_time_limit(monkeypatch: pytest.MonkeyPatch):
    """``gknb check --timeout``: the file over the limit is reported unreadable, the others are checked."""
    real_read = gknb.pipeline.read

    def read(path: str, **options: object) -> gknb.Report:
        if Path(path).name.startswith("slow"):
            _stuck()
        return real_read(path, **options)

    monkeypatch.setattr("gknb.pipeline.read", read)
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--json", "--timeout", "3", str(SAMPLES[0]), "slow.txt", str(SAMPLES[1])])
    assert result.exit_code == 2
    entries = json.loads(result.stdout)
    assert [e.get("error", {}).get("code") for e in entries] == [None, "ingest.timeout", None]
    assert entries[1]["source"]["path"] == "slow.txt"
    assert entries[0]["meta"]["year"] and entries[2]["meta"]["year"]


# --------------------------------------------------------------------------------------------------
# Bounded fuzzing: the harness's mutators, a few hundred cases, each in a worker under a time limit
# --------------------------------------------------------------------------------------------------

EXAMPLES = {"text": 150, "markdown": 30, "html": 60, "docx": 40, "ofd": 30, "pdf": 8, "zip": 15, "image": 2}
CASE_LIMIT = 120.0  # seconds: a hang is the failure, not slowness (a damaged PDF page may go to OCR)
_FUZZ = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[bytes]]:
    folder = tmp_path_factory.mktemp("fuzz-seeds")
    seeds = {medium: fuzz_seeds_lib.build(medium, folder) for medium in EXAMPLES if medium != "zip"}
    single = [pdf for pdf in seeds["pdf"] if len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1]
    seeds["pdf"] = single or seeds["pdf"]  # single pages: a page damaged into OCR costs one page, not four
    return seeds


@pytest.fixture(scope="module")
def reader() -> Iterator[Workers]:
    """One forked worker reading the cases: a crash in C code or a hang fails the test, not the run."""
    with Workers(fuzz_read.run_case, timeout=CASE_LIMIT, context="fork") as workers:
        yield workers


def _assert_clear(medium: str, name: str, data: bytes, reader: Workers) -> list[str]:
    result = reader.call(medium, name, data)
    assert not isinstance(result, GknbError), f"{medium} case {name} ({len(data)} bytes): {result}"
    crashes = [f"{outcome}\n{detail}" for outcome, detail in result["outcomes"] if not outcome.startswith(
        ("parsed", "error:", "empty"))]
    assert not crashes, f"{medium} case {name}: " + "\n".join(crashes)
    return [outcome for outcome, _detail in result["outcomes"]]


@pytest.mark.parametrize("medium", list(EXAMPLES))
def test_mutated_inputs_read_or_fail_clearly(medium: str, fuzz_seeds: dict[str, list[bytes]], reader: Workers):
    """Seeded mutations of every medium: a report, or a GknbError with a code and Chinese and English
    messages (``fuzz_read.read_case`` checks them); zips go through bulk ingest. Never another exception,
    a dead worker or a hang."""
    if medium != "zip" and not fuzz_seeds[medium]:
        pytest.skip("LibreOffice is not installed (PDF and image seeds)")
    seen: set[str] = set()

    @settings(max_examples=EXAMPLES[medium], **_FUZZ)
    @given(seed=st.integers(0, 2**32 - 1))
    @example(seed=147)  # text: an 88 KB grid whose every cell asked again whether the grid was prose (hung)
    def case(seed: int) -> None:
        name, data = fuzz_read.mutate(medium, random.Random(seed), fuzz_seeds)
        seen.update(_assert_clear(medium, name, data, reader))

    case()
    assert seen, "no case ran"


@settings(max_examples=60, **_FUZZ)
@given(text=st.text(min_size=1), at=st.floats(0, 1), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_hypothesis_text_inside_a_report(text: str, at: float, encoding: str, reader: Workers):
    """Text drawn by hypothesis itself, anywhere in a report."""
    report = SAMPLES[0].read_text(encoding="utf-8")
    cut = int(len(report) * at)
    data = (report[:cut] + text + report[cut:]).encode(encoding)
    _assert_clear("text", "x.txt", data, reader)


# --------------------------------------------------------------------------------------------------
# Crashes the fuzz harness found, each reduced to its cause
# --------------------------------------------------------------------------------------------------


def test_identities_are_exact_beyond_decimal_precision():
    """A 40-digit amount: identity sums were rounded to 28 digits, and the implied value of a blank cell
    raised decimal.InvalidOperation (DivisionImpossible)."""
    report = gknb.read(SAMPLES[0])
    report.cells["requests.new.natural_person"] = Decimal("1" * 40 + ".5")
    report.cells["requests.new.total"] = None  # an equation with one blank: its implied value is computed
    gknb.check(report)
    assert any("1" * 40 + ".5" in f.message and f.rule == "identity.balance" for f in report.findings)
    assert any(f.rule == "identity.row_total" for f in report.findings)


def test_row_whose_numbers_lie_too_far_apart_for_its_columns():
    """Ten cells for a row of seven, the two numbers eight cells apart: no reading is shorter than the row
    and no window keeps both numbers (ValueError in tables.fit)."""
    text = SAMPLES[0].read_text(encoding="utf-8")
    row = "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t"
    assert row in text
    wide = "一、本年新收政府信息公开申请数量\t\t5" + "\t-" * 8 + "\t7\t"
    report = gknb.read(text.replace(row, wide).encode("utf-8"), name="x.txt")
    values = [v for k, v in report.cells.items() if k.startswith("requests.new.")]
    assert sorted(v for v in values if v is not None) == [5, 7]


def test_prose_number_of_thousands_of_digits():
    """A count of 5000 digits in the prose: ``int`` refuses strings that long (ValueError in check.prose)."""
    text = SAMPLES[0].read_text(encoding="utf-8")
    anchor = "(一) 强化领导，健全组织。"
    assert anchor in text
    report = gknb.read(text.replace(anchor, f"本年度共收到政府信息公开申请{'1' * 5000}件。{anchor}").encode("utf-8"),
                       name="x.txt")
    assert report.meta.year == 2021
    assert not any(f.rule == "text.table_mismatch" for f in report.findings)


def test_html_span_of_thousands_of_digits():
    """``colspan="999…"`` (5000 digits): counted as over the limit, not passed to ``int`` (ValueError)."""
    fmt = FORMATS["2021"]
    rnd = random.Random(3)
    page = render(fmt, random_report(fmt, rnd), "html", rnd)
    assert 'colspan="' in page
    page = re.sub(r'colspan="\d+"', f'colspan="{"9" * 5000}"', page, count=1)
    report = gknb.read(page.encode("utf-8"), name="x.html")
    assert report.meta.template == "2021"


def _damaged_ofd(how: str) -> bytes:
    """An OFD whose OFD.xml is stored with an unknown compression method, or as a broken deflate stream."""
    fmt = FORMATS["2021"]
    rnd = random.Random(5)
    data = bytearray(make_ofd(fmt, random_report(fmt, rnd), rnd))
    name = b"OFD.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("OFD.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    if how == "method":  # the central directory's record, which zipfile goes by
        at = next(m.start() for m in re.finditer(rb"PK\x01\x02", data) if data[m.start() + 46:].startswith(name))
        data[at + 10 : at + 12] = struct.pack("<H", 99)
    else:  # deflate block type 11 (reserved): zlib.error
        extra = struct.unpack("<H", data[info.header_offset + 28 : info.header_offset + 30])[0]
        start = info.header_offset + 30 + len(name) + extra
        data[start : start + 8] = b"\xff" * 8
    return bytes(data)


@pytest.mark.parametrize("how", ["method", "deflate"])
def test_ofd_member_unreadable_as_zip_data(how: str):
    """NotImplementedError (compression method 99) and zlib.error escaped the OFD reader."""
    with pytest.raises(UnreadableFile) as info:
        gknb.read(_damaged_ofd(how), name="x.ofd")
    assert "OFD" in info.value.message and "OFD.xml" in info.value.message_en


@pytest.mark.skipif(not ocr.available(), reason="the OCR extra is not installed")
def test_image_header_claiming_billions_of_pixels():
    """A tiny PNG whose header claims 100000 × 100000 pixels: PIL's DecompressionBombError escaped."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    with pytest.raises(UnreadableFile) as info:
        gknb.read(png, name="x.png")
    assert "图片" in info.value.message and "too large" in info.value.message_en


def test_docx_grid_widths_that_int_refuses():
    """``w:gridCol w:w="²"`` (a digit to ``str.isdigit``, not to ``int``) and a 5000-digit width (ValueError)."""
    report = gknb.read(SAMPLES[0])
    docx = render_report(report, "docx")
    for width in ("²", "9" * 5000):
        members = {}
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            for info in archive.infolist():
                members[info.filename] = archive.read(info)
        document = members["word/document.xml"].decode("utf-8")
        assert "<w:gridCol w:w=" in document
        members["word/document.xml"] = re.sub(r'(<w:gridCol w:w=")\d+', rf"\g<1>{width}", document).encode()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        again = gknb.read(buf.getvalue(), name="x.docx")
        assert again.cells == report.cells


def _damaged_zip(how: str) -> bytes:
    """Two reports; the first member damaged: an unknown compression method, the encryption flag, a
    broken deflate or LZMA stream, or a name flagged UTF-8 that is not."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_LZMA if how == "lzma" else zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", SAMPLES[0].read_bytes())
        archive.writestr("b.txt", SAMPLES[1].read_bytes())
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")  # the first member's record, which zipfile goes by
    if how == "method":
        data[central + 10 : central + 12] = struct.pack("<H", 99)
    elif how == "encrypted":
        data[central + 8 : central + 10] = struct.pack("<H", 1)
    elif how == "deflate":
        data[35:43] = b"\xff" * 8  # local header (30 bytes) + "a.txt": the compressed data
    elif how == "lzma":
        data[55:63] = b"\xff" * 8  # … past the LZMA header and properties
    else:
        data[central + 8 : central + 10] = struct.pack("<H", 0x800)
        data[central + 46] = 0xF7
    return bytes(data)


def test_damaged_zip_members_fail_alone(tmp_path: Path):
    """Bulk ingest of zips whose members zipfile cannot read: NotImplementedError, RuntimeError, zlib.error,
    LZMAError and UnicodeDecodeError stopped the whole run; now the member (or the zip) fails and the rest
    is stored."""
    paths = []
    for how in ("method", "encrypted", "deflate", "lzma", "name"):
        paths.append(tmp_path / f"{how}.zip")
        paths[-1].write_bytes(_damaged_zip(how))
    paths.append(tmp_path / "plain.txt")
    paths[-1].write_bytes(SAMPLES[2].read_bytes())
    store = Store.open(str(tmp_path / "g.db"))
    summary = ingest(store, [str(p) for p in paths], jobs=1, timeout=None)
    outcome = {r.location.removeprefix(str(tmp_path) + "/"): (r.status, (r.error or {}).get("code"))
               for r in summary.results}
    assert outcome == {
        "method.zip!a.txt": ("failed", "file.unreadable"), "method.zip!b.txt": ("stored", None),
        "encrypted.zip!a.txt": ("failed", "file.unreadable"), "encrypted.zip!b.txt": ("duplicate", None),
        "deflate.zip!a.txt": ("failed", "file.unreadable"), "deflate.zip!b.txt": ("duplicate", None),
        "lzma.zip!a.txt": ("failed", "file.unreadable"), "lzma.zip!b.txt": ("duplicate", None),
        "name.zip": ("failed", "file.unreadable"), "plain.txt": ("stored", None),
    }
    assert all(r.error["message"] and r.error["message_en"] for r in summary.results if r.error)
    said = " ".join(r.error["message"] + r.error["message_en"] for r in summary.results if r.error)
    assert "ZIP" in said and not any(word in said for word in ("codec", "compression type", "Error", str(tmp_path)))
    store.close()


@pytest.mark.skipif(not ocr.available(), reason="the OCR extra is not installed")
def test_broken_png_data():
    """A PNG whose image data breaks off into garbage where the next chunk should start: PIL's "broken PNG
    file" while decoding is a SyntaxError."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = zlib.compress(b"".join(b"\x00" + bytes(random.Random(r).randbytes(200)) for r in range(100)))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 200, 100, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", pixels[:1000]) + b"\xbb\x16\x04\xb1\xbb\x16\x04\xb1" + pixels[1000:])
    with pytest.raises(UnreadableFile) as info:
        gknb.read(png, name="x.png")
    assert "图片" in info.value.message and "cannot be opened" in info.value.message_en


@pytest.mark.skipif(not ocr.available(), reason="the OCR extra is not installed")
@pytest.mark.parametrize("size", [(2, 2), (5, 2000), (2400, 60)])
def test_images_too_small_or_too_narrow_for_text(size: tuple[int, int]):
    """A 5 × 2000 strip: the recogniser scaled its short side up to 736 pixels and allocated gigabytes
    (MemoryError under a memory limit); such shapes hold no text and are refused before OCR."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, "PNG")
    with pytest.raises(UnreadableFile) as info:
        gknb.read(buf.getvalue(), name="x.png")
    assert f"{size[0]} × {size[1]}" in info.value.message_en and "过窄" in info.value.message


def _ofd_members(**changes: Callable[[str], str]) -> tuple[bytes, bytes]:
    """A generated OFD, and the same with some XML members rewritten (``Doc_0/Document.xml`` as
    ``Doc_0__Document_xml``)."""
    fmt = FORMATS["2021"]
    rnd = random.Random(7)
    original = make_ofd(fmt, random_report(fmt, rnd), rnd)
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            change = changes.get(info.filename.replace("/", "__").replace(".", "_"))
            out.writestr(info.filename, change(content.decode("utf-8")) if change else content)
    return original, buf.getvalue()


def test_ofd_numbers_too_large_for_a_float():
    """``DeltaX="g 1e309 1"``: a count of infinity went to int() (OverflowError)."""
    first = "Doc_0__Pages__Page_0__Content_xml"
    original, damaged = _ofd_members(**{first: lambda xml: re.sub(r'DeltaX="[^"]*"', 'DeltaX="g 1e309 1"', xml)})
    assert damaged != original
    assert gknb.read(damaged, name="x.ofd").cells == gknb.read(original, name="x.ofd").cells


def test_ofd_pages_listing_one_content_part_again_and_again():
    """2000 page entries naming the same content part: a 8 KB file read as 2000 pages (minutes). A part
    listed again is no new page."""
    def repeat(xml: str) -> str:
        pages = re.findall(r"<ofd:Page\b[^>]*/>", xml)
        assert len(pages) > 1
        return xml.replace(pages[-1], pages[-1] + pages[0] * 2000, 1)

    original, damaged = _ofd_members(Doc_0__Document_xml=repeat)
    pages = {b.where.page for b in read_document(original, name="x.ofd").blocks}
    assert {b.where.page for b in read_document(damaged, name="x.ofd").blocks} == pages


def test_ofd_zip_of_an_unknown_version():
    """A zip whose central directory asks for version 12.7 to extract: zipfile's NotImplementedError."""
    _original, data = _ofd_members()
    data = bytearray(data)
    at = data.index(b"PK\x01\x02")
    data[at + 6 : at + 8] = struct.pack("<H", 127)
    with pytest.raises(UnreadableFile) as info:
        gknb.read(bytes(data), name="x.ofd")
    assert "OFD" in info.value.message and "not a valid zip" in info.value.message_en


def test_store_a_report_without_cells(tmp_path: Path):
    """A pre-2019 report has no cells: the batch insert of its (no) cells inserted one row of defaults
    (IntegrityError: NOT NULL constraint failed: cells.report_id)."""
    text = ("青山县民政局2017年政府信息公开工作年度报告\n\n一、概述\n2017年，青山县民政局认真贯彻落实《中华人民共和国"
            "政府信息公开条例》，全年主动公开政府信息120条。\n\n二、依申请公开政府信息情况\n全年共收到政府信息公开申请3件。\n")
    report = gknb.read(text.encode("utf-8"), name="2017.txt")
    assert report.meta.template == "pre2019" and not report.cells
    store = Store.open(str(tmp_path / "g.db"))
    added = store_report(store, report, text.encode("utf-8"), location="2017.txt")
    assert added.status == "stored"
    assert store.load(added.report_id).meta.year == 2017
    store.close()


def _pdf(kids: list[int]) -> bytes:
    """A PDF whose page tree lists objects ``kids``: 3 is a page showing a line of text, 1 the catalog."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 720 Td (Annual report) Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_page_tree_entry_that_is_no_page():
    """``/Kids [3 0 R 1 0 R]``: pdfium cannot load the second page (PdfiumError escaped). The page is
    noted as damaged; a PDF of such pages only is unreadable."""
    document = read_document(_pdf([3, 1]), name="x.pdf")
    assert "Annual report" in " ".join(b.text for b in document.blocks if hasattr(b, "text"))
    assert any("page(s) 2 cannot be read" in note for note in document.notes)
    with pytest.raises(UnreadableFile) as info:
        gknb.read(_pdf([1]), name="x.pdf")
    assert "损坏" in info.value.message and "damaged" in info.value.message_en
