"""Host, length and URL helpers that work on plain values rather than a WSGI
environ; the peer calls this module ``werkzeug.sansio.utils``.

This is the one home of host handling: :func:`get_host` and
:func:`host_is_trusted` decide what a request's host is and whether it is
trusted, and :func:`get_current_url` puts a request's URL together.
``Request.host`` / ``Request.url`` and the environ-based versions in
:mod:`microflask.wsgi` all call these.

What a host is, and when it is trusted (decided once, here):

- A well-formed host is a name or IPv4 address made of ASCII letters,
  digits, ``.``, ``-`` and ``_``, or an IPv6 address in brackets, then an
  optional port of up to 5 digits no larger than 65535.  Anything else
  (spaces, ``@``, raw non-ASCII, ``a:80:80``) is no host: ``""``.  Clients
  send international names IDNA-encoded (``xn--...``).  An empty port
  (``example.com:``) is allowed, as URIs allow it, and dropped like the
  default port.
- The underscore is accepted, where Werkzeug's ``get_host`` gives ``""``:
  DNS host names may not hold one, but names on internal networks often do
  (Docker Compose services, Windows machine names), URLs allow it, and it
  delimits nothing, so it cannot change how a URL reads.  Refusing it would
  silently break subdomain routing and external URLs for such apps.
- Host names compare case-insensitively (DNS names do; Werkzeug compares
  them exactly, so ``Example.COM`` would fail its ``["example.com"]``).
  ``get_host`` still returns the host as the client sent it.
- Trusted entries may be Unicode; they are IDNA-encoded before comparing.
  The port is ignored on both sides.  An entry starting with ``.`` trusts
  that domain and every subdomain.  IPv6 entries are written in brackets,
  as in a Host header.  A trailing dot (``example.com.``) is not stripped.
- No list (``None``) means no check: every well-formed host is trusted.  An
  empty list trusts nothing, so a misconfigured empty ``TRUSTED_HOSTS``
  fails closed.  A malformed or missing host is never trusted.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote as _sansio_url_quote

from microflask.exceptions import SecurityError
from microflask.urls import uri_to_iri

__all__ = ["get_content_length", "get_current_url", "get_host", "host_is_trusted"]

_sansio_host_re = re.compile(
    r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f]*:[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{0,5}))?",
    re.ASCII,
)
_sansio_default_ports = {"http": ":80", "ws": ":80", "https": ":443", "wss": ":443"}
# Characters left as they are when a path or query string is put into a
# URL (existing %XX escapes are kept), as Werkzeug quotes them.
_sansio_path_safe = "!$&'()*+,/:;=@%"
_sansio_query_safe = "!$&'()*+,/:;=?@%"


def _sansio_host_is_well_formed(host: str) -> bool:
    match = _sansio_host_re.fullmatch(host)
    if match is None:
        return False
    port = match.group("port")
    if port and int(port) > 65535:
        return False
    if host.startswith("["):
        # The pattern only sees hex digits and colons: "[5:1]" must also be
        # an IPv6 address (urllib refuses to split a URL holding one that is
        # not).  Loaded here: the bracketed form is rare.
        import ipaddress

        try:
            ipaddress.IPv6Address(host[1 : host.index("]")])
        except ValueError:
            return False
    return True


def _sansio_host_name(host: str) -> str:
    """``host`` without its port (an IPv6 address keeps its brackets)."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.partition(":")[0]


def _sansio_trusted_name(entry: str) -> str | None:
    """A trusted-list entry as hosts are compared with it: port dropped,
    IDNA-encoded, lower case; None if it is no name at all."""
    name = _sansio_host_name(entry)
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return name.lower() or None


def _sansio_host_is_trusted(
    hostname: str | None, trusted_list: t.Iterable[str] | str | None = None
) -> bool:
    """Whether ``hostname`` (a Host header value, port allowed) is well
    formed and, given a list, matches one of its entries (see the module
    docstring for the rules)."""
    if not hostname or not _sansio_host_is_well_formed(hostname):
        return False
    if trusted_list is None:
        return True
    if isinstance(trusted_list, str):
        trusted_list = [trusted_list]
    name = _sansio_host_name(hostname).lower()
    for entry in trusted_list:
        subdomains = entry.startswith(".")
        trusted = _sansio_trusted_name(entry[1:] if subdomains else entry)
        if trusted is None:
            continue
        if name == trusted or (subdomains and name.endswith("." + trusted)):
            return True
    return False


def _sansio_get_host(
    scheme: str,
    host_header: str | None,
    server: tuple[str, int | None] | None = None,
    trusted_hosts: t.Iterable[str] | None = None,
) -> str:
    """The host a request was sent to: the Host header, else the server's
    ``(host, port)`` (a server without a port is a Unix socket: no host).
    The scheme's default port (or an empty one) is dropped; a malformed
    host gives ``""``.
    With ``trusted_hosts``, a host that is not trusted (a malformed or
    missing one included) raises :class:`~microflask.exceptions.SecurityError`,
    a 400."""
    host = ""
    if host_header is not None:
        host = host_header
    elif server is not None and server[1] is not None:
        name = server[0]
        if ":" in name and not name.startswith("["):
            name = f"[{name}]"  # a bare IPv6 address
        host = f"{name}:{server[1]}"
    if trusted_hosts is not None and not _sansio_host_is_trusted(host, trusted_hosts):
        raise SecurityError(f"Host {host!r} is not trusted.")
    # Checked before the default port is dropped: "example.com:80:80" is no host.
    if not _sansio_host_is_well_formed(host):
        return ""
    default_port = _sansio_default_ports.get(scheme)
    if default_port is not None and host.endswith(default_port):
        host = host[: -len(default_port)]
    return host[:-1] if host.endswith(":") else host


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
    """Put a URL together from its parts, readable (an IRI: the host
    lower case and IDNA-decoded, escapes decoded where that keeps the
    meaning).  Without ``root_path`` only the host URL is given; without
    ``path``, the root."""
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
