"""URLs: ``gknb check https://…`` and ``--urls`` against a local HTTP server on 127.0.0.1 (never elsewhere).

The server (``http.server`` in a thread) serves a report page, a redirect and a redirect loop, a 404, a
slow endpoint, oversize bodies (declared and streamed), a GBK page whose charset is only in the header,
and a DOCX download named only by ``Content-Disposition``.
"""

from __future__ import annotations

import io
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import docx
import pytest
from typer.testing import CliRunner

import gknb
from gknb.cli import app
from gknb.errors import UnreadableFile
from gknb.formats import FORMATS
from gknb.ingest.fetch import PUBLIC_ONLY_ENV, fetch, read_url
from gknb.ingest.urls import is_url, url_list
from layouts import cell_mismatches, error_findings, random_report, render

FMT = FORMATS["2021"]
CELLS = random_report(FMT, random.Random("fetch"))
PAGE = render(FMT, CELLS, "html", random.Random(1), year=2022).encode("utf-8")
GBK_PAGE = (
    "<html><head><title>报告</title></head><body><p>青山县2022年政府信息公开工作年度报告</p>"
    "<p>一、总体情况</p><p>本机关认真贯彻落实条例。</p></body></html>"
).encode("gbk")
BIG5_PAGE = "<html><body><p>青山縣2022年政府資訊公開工作年度報告</p><p>這個機關認真實現各項數據統計</p></body></html>".encode(
    "big5"
)
DOCX_NAME = "年度报告.docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("青山县2022年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("本机关认真贯彻落实《中华人民共和国政府信息公开条例》。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = _docx_bytes()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path if self.path.startswith("/download") else self.path.split("?")[0]
        if path == "/report.html":
            self.send(200, PAGE)
        elif path == "/redirect":
            self.send(302, b"", headers={"Location": "/report.html"})
        elif path.startswith("/loop"):
            self.send(302, b"", headers={"Location": f"/loop{len(path)}"})
        elif path == "/slow":
            time.sleep(2)
            self.send(200, PAGE)
        elif path == "/declared-large":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
        elif path == "/streamed-large":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()  # no length: the body runs until the connection closes
            try:
                for _ in range(200):
                    self.wfile.write(b"0 1 2 3\n" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif path == "/gbk":
            self.send(200, GBK_PAGE, "text/html; charset=GBK")
        elif path == "/big5":
            self.send(200, BIG5_PAGE, "text/html; charset=big5")
        elif path == "/download?id=7":
            self.send(200, DOCX, "application/octet-stream",
                      {"Content-Disposition": "attachment; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.docx"})
        elif path == "/typed":
            self.send(200, DOCX, DOCX_TYPE)
        else:
            self.send(404, b"<html><body>Not Found</body></html>")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """Clients that give up (timeouts, size limits) break the pipe: expected, not shown."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_page_reads_as_the_report(server: str) -> None:
    url = f"{server}/report.html"
    document = read_url(url)
    assert document.source.path == url and document.source.format == "html"
    report = gknb.check(gknb.parse(document))
    assert report.source.path == url
    assert not cell_mismatches(report, CELLS)
    assert not error_findings(report)


def test_redirect_is_followed_and_noted(server: str) -> None:
    document = read_url(f"{server}/redirect")
    assert document.source.path == f"{server}/redirect"
    assert any(f"{server}/report.html" in note for note in document.notes)


def _fails(url: str, zh: str, en: str, **limits) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as exc:
        read_url(url, **limits)
    assert zh in exc.value.message and en in exc.value.message_en, str(exc.value)
    assert exc.value.message.startswith("无法下载") and exc.value.message_en.startswith("cannot download")
    assert exc.value.path == url
    return exc.value


def test_redirect_loop_is_bounded(server: str) -> None:
    _fails(f"{server}/loop", "重定向次数过多", "too many redirects", max_redirects=3)


def test_not_found(server: str) -> None:
    _fails(f"{server}/missing", "HTTP 404", "HTTP 404")


def test_slow_server_times_out(server: str) -> None:
    start = time.monotonic()
    _fails(f"{server}/slow", "超时", "timed out", timeout=0.3)
    assert time.monotonic() - start < 1.5


def test_declared_oversize_is_refused_before_reading(server: str) -> None:
    _fails(f"{server}/declared-large", "文件过大", "too large", max_bytes=1 << 20)


def test_streamed_oversize_stops_at_the_limit(server: str) -> None:
    start = time.monotonic()
    _fails(f"{server}/streamed-large", "文件过大", "too large", max_bytes=64 * 1024)
    assert time.monotonic() - start < 2


def test_gbk_page_uses_the_header_charset(server: str) -> None:
    document = read_url(f"{server}/gbk")
    assert document.source.encoding == "gb18030"  # GBK is read as its superset
    assert "青山县2022年政府信息公开工作年度报告" in document.text()


def test_big5_page_is_read_by_the_header_charset_not_guessed() -> None:
    """Big5 bytes also decode as GB18030 (into nonsense): only the header tells them apart."""
    assert "青山縣" not in BIG5_PAGE.decode("gb18030", errors="replace")


def test_big5_page_with_header_charset(server: str) -> None:
    document = read_url(f"{server}/big5")
    assert document.source.encoding.startswith(("big5", "cp950"))
    assert "青山县2022年政府资讯公开工作年度报告" in document.text()  # and converted to simplified


def test_download_named_by_content_disposition_and_by_content_type(server: str) -> None:
    fetched = fetch(f"{server}/download?id=7")
    assert fetched.name == DOCX_NAME and fetched.content == DOCX
    assert fetch(f"{server}/typed").name == "download.docx"
    document = read_url(f"{server}/download?id=7")
    assert document.source.format == "docx" and document.source.path == f"{server}/download?id=7"


def test_refused_connection(server: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = _fails(f"http://127.0.0.1:{port}/x", "无法连接服务器：连接被拒绝", "cannot connect")
    assert "Errno" not in error.message


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    error = _fails("http://reports.example.invalid/2022.html", "域名解析失败", "name resolution failed")
    assert "Errno" not in error.message and "Name or service" not in error.message, error.message


def test_not_a_web_address() -> None:
    _fails("ftp://127.0.0.1/x.txt", "不是 http/https 网址", "not an http/https address")
    assert is_url("HTTPS://a/b") and not is_url("report.txt") and not is_url("http:/a")


def test_url_list_skips_comments_and_blank_lines() -> None:
    lines = ["# 2022 reports", "", "  http://127.0.0.1/a.html  ", "http://127.0.0.1/b.html # second",
             "http://127.0.0.1/c.html#top"]
    assert url_list(lines) == ["http://127.0.0.1/a.html", "http://127.0.0.1/b.html", "http://127.0.0.1/c.html#top"]


# ----------------------------------------------------------------------------------------------- CLI


def test_cli_check_url(server: str) -> None:
    result = CliRunner().invoke(app, ["check", f"{server}/report.html?from=list", "--json"])
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)
    assert entry["source"]["path"] == f"{server}/report.html?from=list"
    assert entry["meta"]["year"] == 2022


def test_cli_url_list_batch_goes_on_after_failures(server: str, tmp_path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# reports to check\n{server}/missing\n\n{server}/report.html\n{server}/loop # a loop\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["check", "--urls", str(listing), "--json"])
    assert result.exit_code == 2
    entries = json.loads(result.stdout)
    assert [e["source"]["path"] for e in entries] == [f"{server}/missing", f"{server}/report.html", f"{server}/loop"]
    assert entries[0]["error"]["code"] == "file.unreadable" and "404" in entries[0]["error"]["message_en"]
    assert "findings" in entries[1]
    assert "redirect" in entries[2]["error"]["message_en"]
    assert "无法读取" in result.stderr and "cannot read" in result.stderr


def test_cli_without_inputs_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2 and "no files or URLs" in result.output


def test_public_only_refuses_loopback_and_private_addresses(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"{server}/report.html"
    for target in (url, url.replace("127.0.0.1", "localhost"), "http://10.1.2.3/x.html", "http://[::1]/x.html"):
        with pytest.raises(UnreadableFile) as exc:
            fetch(target, public_only=True, timeout=2)
        assert "内网或本机地址" in exc.value.message and "private or local" in exc.value.message_en
    monkeypatch.setenv(PUBLIC_ONLY_ENV, "1")  # as gknb serve sets it for the worker processes
    with pytest.raises(UnreadableFile):
        fetch(url)
    assert fetch(url, public_only=False).content  # the command line fetches what its user asks


def test_public_only_connects_to_the_address_it_checked(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a name that resolves to a public address when checked and to 127.0.0.1 when
    connected must not reach the local server — the guard connects to the address it checked."""
    real = socket.getaddrinfo
    answers = iter(["203.0.114.7", "127.0.0.1", "127.0.0.1", "127.0.0.1"])  # public first, then loopback
    asked: list[str] = []

    def rebinding(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        return real(next(answers), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = int(server.rsplit(":", 1)[1])
    with pytest.raises(UnreadableFile) as exc:
        fetch(f"http://rebind.example:{port}/report.html", public_only=True, timeout=1, deadline=3)
    assert asked == ["rebind.example"]  # resolved once; the connection went to 203.0.114.7, not to the server
    assert "cannot" in exc.value.message_en or "timed out" in exc.value.message_en


def test_cli_url_list_that_cannot_be_read_is_a_clear_usage_error(tmp_path) -> None:
    """A missing or non-UTF-8 ``--urls`` list: a usage error saying which, in both languages, without
    the operating system's own error text."""
    missing = tmp_path / "none.txt"
    result = CliRunner().invoke(app, ["check", "--urls", str(missing)])
    assert result.exit_code == 2
    assert "无法打开网址列表" in result.output and "cannot open the URL list" in result.output
    assert "Errno" not in result.output
    latin = tmp_path / "latin.txt"
    latin.write_bytes("http://127.0.0.1/a.html # caf\xe9\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["check", "--urls", str(latin)])
    assert result.exit_code == 2 and "不是 UTF-8" in result.output and "not UTF-8" in result.output
    assert "codec" not in result.output
