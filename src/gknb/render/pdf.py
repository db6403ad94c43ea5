"""PDF: the DOCX converted by LibreOffice headless, with a private profile so runs can go in parallel."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .page import RenderError

TIMEOUT_S = 180


def soffice() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert DOCX bytes to PDF bytes. Raises ``RenderError`` when LibreOffice is absent or fails."""
    exe = soffice()
    if exe is None:
        raise RenderError(
            "生成 PDF 需要 LibreOffice（soffice），本机未安装；可先生成 DOCX（--to docx）再用 Word/WPS 另存为 PDF",
            "PDF output needs LibreOffice (soffice), which is not installed; render DOCX (--to docx) "
            "and save it as PDF from Word/WPS",
        )
    with tempfile.TemporaryDirectory(prefix="gknb-pdf-") as tmp:
        work = Path(tmp)
        (work / "report.docx").write_bytes(docx)
        command = [
            exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(work), str(work / "report.docx"),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise RenderError("LibreOffice 转换 PDF 超时", f"LibreOffice did not finish within {TIMEOUT_S} s") from exc
        pdf = work / "report.pdf"
        if done.returncode != 0 or not pdf.exists():
            detail = (done.stderr or done.stdout).strip()[-500:]
            raise RenderError(f"LibreOffice 转换 PDF 失败：{detail}", f"LibreOffice failed to convert to PDF: {detail}")
        return pdf.read_bytes()
