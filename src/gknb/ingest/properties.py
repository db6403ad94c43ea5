"""What a file declares about itself, apart from its text: its title — HTML ``<title>`` (with a
government site's ``<meta name="ArticleTitle">``), the PDF document information dictionary's Title, a
Word file's core property ``dc:title`` — and the units its properties name as its author or source —
a government site's ``<meta name="ContentSource">`` and ``Author``, then ``SiteName``; a PDF's Author,
its XMP ``dc:creator`` and Subject; a Word file's ``dc:creator``. Meta reads them as clues below the
document's own text (``parse.meta``: a CMS often names its portal, an author field a person or a
machine); a property that cannot be read is simply absent."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

_CORE = "docProps/core.xml"
_DC = "{http://purl.org/dc/elements/1.1/}"
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_META = re.compile(r"<meta\s[^>]*>", re.I)
_NAME = re.compile(r"\bname\s*=\s*[\"']?([\w.:-]+)", re.I)
_CONTENT = re.compile(r"content\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
# The unit fields of a government site's page, strongest first (SiteName: the portal, not the unit).
_HTML_UNITS = (("contentsource", "source"), ("author", "author"), ("sitename", "site"))
# XMP's dc:creator (an rdf:Seq of names) in a PDF's metadata stream, usually stored uncompressed.
_XMP_CREATOR = re.compile(rb"<dc:creator>(.{0,2000}?)</dc:creator>", re.S)
_XMP_ITEM = re.compile(rb"<rdf:li[^>]*>([^<]{1,200})</rdf:li>")
_XMP_SCAN = 1 << 22  # bytes of a PDF searched for its XMP packet


@dataclass(frozen=True)
class Declared:
    """A file's declared title (None: none) and the units its properties name, strongest first, each
    with the kind of field that names it (``site``: the portal the page stands on)."""

    title: str | None = None
    units: tuple[tuple[str, str], ...] = ()  # (field: source | author | site, name)


def declared(raw: bytes, medium: str, page: str | None = None) -> Declared:
    """What a file of ``medium`` declares about itself (``page``: an HTML page's decoded text)."""
    try:
        if medium == "html" and page is not None:
            title, units = _html(page[:65536])
        elif medium == "pdf":
            title, units = _pdf(raw)
        elif medium == "docx":
            import zipfile

            from lxml import etree

            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                core = etree.fromstring(archive.read(_CORE))
            title, units = core.findtext(f"{_DC}title") or "", [("author", core.findtext(f"{_DC}creator") or "")]
        else:
            return Declared()
    except Exception:  # noqa: BLE001 — a damaged property is no reason to refuse the document
        return Declared()
    names = tuple(dict.fromkeys((kind, name) for kind, name in ((k, _flat(u)) for k, u in units) if name))
    return Declared(_flat(title) or None, names)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _html(head: str) -> tuple[str, list[tuple[str, str]]]:
    import html  # its entity tables only for a page

    match = _HTML_TITLE.search(head)
    title = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))) if match else ""
    fields: dict[str, str] = {}
    for tag in _META.finditer(head):
        name, content = _NAME.search(tag.group(0)), _CONTENT.search(tag.group(0))
        if name and content:
            fields.setdefault(name.group(1).lower(), html.unescape(content.group(1) or content.group(2) or "").strip())
    if named := fields.get("articletitle"):
        title = f"{named} | {title}" if title else named  # both: meta picks the one naming the report
    return title, [(kind, fields[name]) for name, kind in _HTML_UNITS if fields.get(name)]


def _pdf(raw: bytes) -> tuple[str, list[tuple[str, str]]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(raw)
    try:
        title, author, subject = (pdf.get_metadata_value(k) or "" for k in ("Title", "Author", "Subject"))
    finally:
        pdf.close()
    creators = []
    if (at := raw.find(b"<dc:creator>", 0, _XMP_SCAN)) >= 0 and (match := _XMP_CREATOR.match(raw, at)):
        creators = [item.decode("utf-8", "replace") for item in _XMP_ITEM.findall(match.group(1))]
    return title, [("author", name) for name in (author, *creators, subject)]
