"""Host, length and URL helpers that work on plain values rather than a WSGI
environ; the peer calls this module ``werkzeug.sansio.utils``.

The environ-based versions are in :mod:`microflask.wsgi`.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote as _sansio_url_quote

from microflask.urls import uri_to_iri

__all__ = ["get_content_length", "get_current_url", "get_host", "host_is_trusted"]

# A host as a client may send it: a name or IPv4 address (letters, digits,
# dots, hyphens) or a bracketed IPv6 address, then an optional port.
_sansio_valid_host_re = re.compile(r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?", re.ASCII)
_sansio_default_ports = {"http": ":80", "ws": ":80", "https": ":443", "wss": ":443"}
# Characters left as they are when a path or query string is put into a
# URL (existing %XX escapes are kept).
_sansio_path_safe = "!$&'()*+,/:;=@%"
_sansio_query_safe = ":&%=+$!*'(),"


def _sansio_host_name(host: str) -> str:
    """``host`` without its port, IDNA-encoded."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    name = host.partition(":")[0]
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return name


def _sansio_host_is_trusted(hostname: str | None, trusted_list: t.Any) -> bool:
    """Whether ``hostname`` (port allowed) is one of ``trusted_list``; an
    entry starting with ``.`` also trusts every subdomain.  A malformed host
    is never trusted; names compare exactly (after IDNA encoding)."""
    if not hostname or not _sansio_valid_host_re.fullmatch(hostname):
        return False
    if isinstance(trusted_list, str):
        trusted_list = [trusted_list]
    name = _sansio_host_name(hostname)
    for trusted in trusted_list:
        if trusted.startswith("."):
            suffix = _sansio_host_name(trusted[1:])
            if suffix and (name == suffix or name.endswith("." + suffix)):
                return True
        elif name == _sansio_host_name(trusted):
            return True
    return False


def _sansio_get_host(
    scheme: str,
    host_header: str | None,
    server: tuple[str, int | None] | None = None,
    trusted_hosts: t.Collection[str] | None = None,
) -> str:
    """The host a request was sent to: the Host header, else the server's
    ``(host, port)``.  The scheme's default port is dropped; a malformed
    host gives ``""``.  With ``trusted_hosts``, an untrusted host raises
    :class:`~microflask.exceptions.SecurityError`."""
    host = ""
    if host_header is not None:
        host = host_header
    elif server is not None and server[1] is not None:
        # (A server without a port is a Unix socket: no host to report.)
        host = server[0]
        if ":" in host and host[0] != "[":
            host = f"[{host}]"  # a bare IPv6 address
        host = f"{host}:{server[1]}"
    default_port = _sansio_default_ports.get(scheme)
    if default_port is not None and host.endswith(default_port):
        host = host[: -len(default_port)]
    if trusted_hosts is not None:
        if not _sansio_host_is_trusted(host, trusted_hosts):
            from microflask.exceptions import SecurityError

            raise SecurityError(f"Host {host!r} is not trusted.")
    if not _sansio_valid_host_re.fullmatch(host):
        return ""
    return host


def _sansio_get_content_length(
    http_content_length: str | None = None,
    http_transfer_encoding: str | None = None,
) -> int | None:
    """The body length from the Content-Length value: None when absent or
    when the body is chunked, 0 when the value is not a plain number."""
    if http_transfer_encoding is not None and any(
        coding.strip().lower() == "chunked" for coding in http_transfer_encoding.split(",")
    ):
        return None
    if http_content_length is None:
        return None
    value = http_content_length.strip()
    if value.isascii() and value.isdigit():
        return int(value)
    return 0


def _sansio_get_current_url(
    scheme: str,
    host: str,
    root_path: str | None = None,
    path: str | None = None,
    query_string: bytes | None = None,
) -> str:
    """Put a URL together from its parts, readable (as an IRI).  Without
    ``root_path`` only the host URL is given; without ``path``, the root."""
    url = f"{scheme}://{host}"
    if root_path is None:
        return uri_to_iri(url + "/")
    url = f"{url}{_sansio_url_quote(root_path.rstrip('/'), safe=_sansio_path_safe)}/"
    if path is None:
        return uri_to_iri(url)
    url += _sansio_url_quote(path.lstrip("/"), safe=_sansio_path_safe)
    if query_string:
        url = f"{url}?{_sansio_url_quote(query_string, safe=_sansio_query_safe)}"
    return uri_to_iri(url)


get_host = _sansio_get_host
get_content_length = _sansio_get_content_length
get_current_url = _sansio_get_current_url
host_is_trusted = _sansio_host_is_trusted
