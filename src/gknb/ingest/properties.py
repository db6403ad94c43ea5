"""The title a file declares about itself, apart from its text: HTML ``<title>`` (with a government
site's ``<meta name="ArticleTitle">``), the PDF document information dictionary's Title, a Word
file's core property ``dc:title``. Meta reads it as one clue among several (``parse.meta``); a title
that cannot be read is simply absent."""

from __future__ import annotations

import io
import re

_CORE = "docProps/core.xml"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
# The article's own title a government site declares (政府网站 pages: ``<meta name="ArticleTitle" content=…>``).
_ARTICLE_TITLE = re.compile(r"<meta\s[^>]*name\s*=\s*[\"']?ArticleTitle[\"']?[^>]*>", re.I)
_CONTENT = re.compile(r"content\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)


def declared_title(raw: bytes, medium: str, page: str | None = None) -> str | None:
    """The declared title of a file of ``medium`` (``page``: an HTML page's decoded text), or None."""
    try:
        if medium == "html" and page is not None:
            import html  # its entity tables only for a page

            match = _HTML_TITLE.search(page[:65536])
            text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))) if match else ""
            article = _ARTICLE_TITLE.search(page[:65536])
            content = _CONTENT.search(article.group(0)) if article else None
            if content and (named := html.unescape(content.group(1) or content.group(2) or "").strip()):
                text = f"{named} | {text}" if text else named  # both: meta picks the one naming the report
        elif medium == "pdf":
            text = _pdf_title(raw)
        elif medium == "docx":
            import zipfile

            from lxml import etree

            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                text = etree.fromstring(archive.read(_CORE)).findtext(_DC_TITLE) or ""
        else:
            return None
    except Exception:  # noqa: BLE001 — a damaged property is no reason to refuse the document
        return None
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _pdf_title(raw: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(raw)
    try:
        return pdf.get_metadata_value("Title") or ""
    finally:
        pdf.close()
