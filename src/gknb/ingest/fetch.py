"""Reports on the web: fetch a page or file over HTTP(S) with httpx, then read it as any other source.

* Redirects are followed (at most ``MAX_REDIRECTS``); each network step has a timeout and the whole
  download a deadline; the body is streamed and abandoned as soon as it exceeds the size limit
  (``MAX_BYTES``, the same as for files).
* The medium is sniffed from the content as for files; the file name lent to the sniffing comes from
  ``Content-Disposition``, else the URL's last path segment when it has a known extension, else the
  ``Content-Type``. A charset in the ``Content-Type`` header is preferred to the page's own.
* ``Source.path`` is the URL as given; a redirect is recorded in the document's notes.
* Every failure (bad address, DNS, refused connection, timeout, HTTP error status, too many
  redirects, too large) is an ``UnreadableFile`` with a Chinese and an English message.
* A server fetching on behalf of others (``gknb serve``) sets ``GKNB_PUBLIC_URLS_ONLY=1``: then every
  address of every hop, redirects included, must be a public one (no loopback, private, link-local or
  reserved address), a guard against server-side request forgery. The name is resolved once, when the
  connection is made (``_PublicOnlyBackend``), and the connection goes to the address that was checked,
  so a name that resolves to a public address and then to 127.0.0.1 (DNS rebinding) cannot get past;
  TLS still verifies the certificate against the name. Proxies from the environment are not used then.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx

from ..document import Document
from ..errors import GknbError, UnreadableFile
from . import MAX_BYTES, read_document
from .urls import is_url

__all__ = ["MAX_REDIRECTS", "TIMEOUT", "Fetched", "fetch", "read_url"]

TIMEOUT = 20.0  # seconds for connecting and for each read
DEADLINE = 120.0  # seconds for the whole download
MAX_REDIRECTS = 5
USER_AGENT = "gknb (government information disclosure annual report checker)"

_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".txt", ".md", ".pdf", ".doc", ".docx", ".wps", ".ofd",
             ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".xls", ".xlsx", ".et", ".zip"}
_CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/kswps": ".wps",
    "application/vnd.ms-works": ".wps",
    "application/ofd": ".ofd",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
}
PUBLIC_ONLY_ENV = "GKNB_PUBLIC_URLS_ONLY"


@dataclass
class Fetched:
    """What a URL gave: the body, the final address after redirects, and the server's descriptions."""

    url: str
    final_url: str
    content: bytes
    content_type: str | None
    charset: str | None
    name: str  # a file name for sniffing (see the module docstring)


def _fail(url: str, zh: str, en: str) -> UnreadableFile:
    return UnreadableFile(f"无法下载：{zh}", f"cannot download: {en}", url)


def _connect_reason(error: httpx.ConnectError) -> tuple[str, str]:
    """Why a connection failed, in words (never the system's ``[Errno -2] …``)."""
    text = str(error).lower()
    if any(word in text for word in ("name or service", "nodename", "name resolution", "getaddrinfo", "errno -2",
                                     "errno -3", "errno -5", "no address")):
        return ("域名解析失败：找不到该网站，请检查网址或本机的网络连接",
                "name resolution failed: no such host (check the address or this machine's network)")
    if "refused" in text:
        return "无法连接服务器：连接被拒绝", "cannot connect: connection refused"
    if "unreachable" in text:
        return "无法连接服务器：网络不可达", "cannot connect: network unreachable"
    return "无法连接服务器", "cannot connect to the server"


def _network_reason(error: httpx.HTTPError) -> tuple[str, str]:
    """Why a download broke off, in words (never the library's text)."""
    if isinstance(error, httpx.RemoteProtocolError):
        return "服务器中断了连接或答复有误，下载中断", "the server broke off the connection or answered wrongly"
    if isinstance(error, httpx.ReadError | httpx.WriteError):
        return "网络连接中断，下载未完成", "the connection broke off before the download finished"
    if isinstance(error, httpx.DecodingError):
        return "服务器发来的压缩内容已损坏", "the server sent damaged compressed content"
    return "网络错误，下载中断", "network error: the download broke off"


def _public_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: its first, when every address it resolves to is public;
    else ``UnreadableFile`` (the SSRF guard)."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise _fail(host, f"域名解析失败（{host}）", f"cannot resolve {host}") from exc
    addresses = [info[4][0] for info in found]
    if not addresses or any(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
        raise _fail(host, f"出于安全考虑，不下载内网或本机地址（{host}）",
                    f"refused: {host} is a private or local address (server-side request forgery guard)")
    return addresses[0]


class _PublicOnlyBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to public addresses — the very address checked."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return self._inner.connect_tcp(_public_address(host, port), port, timeout=timeout,
                                       local_address=local_address, socket_options=socket_options)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise _fail(path, "不下载本机套接字", "refused: a local socket")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _public_only_transport() -> httpx.HTTPTransport:
    """An httpx transport whose connections go through ``_PublicOnlyBackend``."""
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                              network_backend=_PublicOnlyBackend())
    return transport


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    public_only: bool | None = None,
) -> Fetched:
    """Download ``url`` (see the module docstring). Raises UnreadableFile.

    ``public_only``: refuse private and local addresses (default: ``GKNB_PUBLIC_URLS_ONLY`` is set).
    """
    if public_only is None:
        public_only = os.environ.get(PUBLIC_ONLY_ENV, "") not in ("", "0")
    url = url.strip()
    if not is_url(url):
        raise _fail(url, "不是 http/https 网址", "not an http/https address")
    limit_mb = max_bytes // (1024 * 1024)
    too_large = _fail(url, f"文件过大（超过 {limit_mb} MB）", f"too large (over {limit_mb} MB)")
    started = time.monotonic()
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=max_redirects,
                timeout=httpx.Timeout(timeout),
                headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
                **({"transport": _public_only_transport(), "trust_env": False} if public_only else {}),
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                phrase = response.reason_phrase or ""
                raise _fail(
                    url, f"服务器返回 HTTP {response.status_code} {phrase}".rstrip(),
                    f"the server answered HTTP {response.status_code} {phrase}".rstrip(),
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise too_large
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise too_large
                if time.monotonic() - started > deadline:
                    raise _fail(url, f"下载超时（超过 {deadline:g} 秒）", f"timed out (over {deadline:g} s)")
                chunks.append(chunk)
            final = str(response.url)
            content_type = response.headers.get("content-type")
            charset = response.charset_encoding
            disposition = response.headers.get("content-disposition")
    except GknbError:
        raise
    except httpx.TooManyRedirects as exc:
        raise _fail(url, f"重定向次数过多（超过 {max_redirects} 次）", f"too many redirects (over {max_redirects})") from exc
    except httpx.TimeoutException as exc:
        raise _fail(url, f"连接或读取超时（{timeout:g} 秒）", f"timed out ({timeout:g} s)") from exc
    except httpx.ConnectError as exc:
        raise _fail(url, *_connect_reason(exc)) from exc
    except httpx.UnsupportedProtocol as exc:
        raise _fail(url, "网址无效：应为 http:// 或 https:// 后接网站域名",
                    "invalid address: it must be http:// or https:// followed by a host name") from exc
    except httpx.InvalidURL as exc:
        raise _fail(url, "网址无效：请检查网址的写法", "invalid address: check how it is written") from exc
    except httpx.HTTPError as exc:
        raise _fail(url, *_network_reason(exc)) from exc
    return Fetched(url, final, b"".join(chunks), content_type, charset, _name(final, content_type, disposition))


def _name(final_url: str, content_type: str | None, disposition: str | None) -> str:
    """A file name whose extension tells the medium, as well as the server lets us know it."""
    candidates = []
    if disposition:
        message = Message()
        message["content-disposition"] = disposition
        filename = message.get_filename()
        if filename:
            candidates.append(filename)
    candidates.append(unquote(PurePosixPath(urlsplit(final_url).path).name))
    for candidate in candidates:
        if PurePosixPath(candidate).suffix.lower() in _SUFFIXES:
            return candidate
    media = (content_type or "").split(";")[0].strip().lower()
    return "download" + _CONTENT_TYPES.get(media, "")


def read_url(
    url: str,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Document:
    """Fetch ``url`` (limits as for ``fetch``) and read it into a Document whose ``Source.path`` is the URL.

    Raises GknbError subclasses, with the URL as their path.
    """
    fetched = fetch(url, timeout=timeout, deadline=deadline, max_bytes=max_bytes, max_redirects=max_redirects)
    try:
        document = read_document(fetched.content, name=fetched.name, charset=fetched.charset)
    except GknbError as error:
        error.path = fetched.url
        raise
    document.source.path = fetched.url
    if fetched.final_url != fetched.url:
        document.notes.append(f"已跳转到 {fetched.final_url} / redirected to {fetched.final_url}")
    return document
