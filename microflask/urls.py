"""URL and query-string helpers (what Werkzeug calls ``werkzeug.urls``).

``iri_to_uri`` / ``uri_to_iri`` convert between Unicode IRIs and
ASCII URIs.  The other helpers are the small quoting and query-encoding
pieces the router, the test client and the Request use; they wrap
``urllib.parse`` with the safe-character sets Werkzeug uses.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import parse_qsl, quote, quote_plus, unquote, unquote_plus
from urllib.parse import urlencode as _stdlib_urlencode
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "iri_to_uri",
    "uri_to_iri",
    "url_quote",
    "url_quote_plus",
    "url_unquote",
    "url_unquote_plus",
    "url_quote_path_segment",
    "url_encode",
    "url_decode",
]

# Characters left as they are when building a path / query / fragment.
_path_safe_chars = "%!$&'()*+,/:;=@"
_query_safe_chars = "%!$&'()*+,/:;=?@"
_fragment_safe_chars = "%!#$&'()*+,/:;=?@"
_userinfo_safe_chars = "%!$&'()*+,;="
# Every delimiter of a URL, for one that cannot be split into its parts.
_unreadable_url_safe_chars = "%!#$&'()*+,/:;=?@[]"
# Characters kept percent-encoded when decoding: decoding them would change
# the meaning of the URL (or put whitespace into it).
_never_decoded_chars = frozenset(" %\x7f").union(map(chr, range(0x20)))
_percent_run_re = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _encode_host_idna(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return quote(host, safe="")


def _decode_host_idna(host: str) -> str:
    if "xn--" not in host.lower():
        return host
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        # Not valid punycode: leave the host exactly as given.
        return host


def _unsplit_url_parts(scheme: str, netloc: str, path: str, query: str, fragment: str) -> str:
    """``urlunsplit``, also treating ``itms-services`` (Apple's app install
    links) as a scheme with an authority part, so its ``//`` stays."""
    if scheme == "itms-services":
        url = urlunsplit(("http", netloc, path, query, fragment))
        return scheme + url[4:]
    return urlunsplit((scheme, netloc, path, query, fragment))


def iri_to_uri(iri: str) -> str:
    """Turn an IRI (Unicode URL) into an ASCII URI: the host is IDNA
    encoded, everything else percent-encoded as UTF-8.  Existing ``%XX``
    escapes are kept.

    A URL whose authority cannot be read (a broken IPv6 host, a port that
    is no number) is escaped as a whole instead of refused, where Werkzeug
    raises ``ValueError``: a redirect built from a garbage Host header must
    still be sendable."""
    try:
        parts = urlsplit(iri)
        netloc = _iri_netloc_to_uri(parts) if parts.netloc else ""
    except ValueError:
        return quote(iri, safe=_unreadable_url_safe_chars)
    path = quote(parts.path, safe=_path_safe_chars)
    query = quote(parts.query, safe=_query_safe_chars)
    fragment = quote(parts.fragment, safe=_fragment_safe_chars)
    return _unsplit_url_parts(parts.scheme, netloc, path, query, fragment)


def _iri_netloc_to_uri(parts: t.Any) -> str:
    hostname = parts.hostname or ""
    netloc = _encode_host_idna(hostname)
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        auth = quote(parts.username, safe=_userinfo_safe_chars)
        if parts.password:
            auth = f"{auth}:{quote(parts.password, safe=_userinfo_safe_chars)}"
        netloc = f"{auth}@{netloc}"
    return netloc


def _selective_unquote(value: str, keep_encoded: frozenset) -> str:
    """Decode ``%XX`` runs as UTF-8, but leave bytes that are not valid
    UTF-8, and characters in ``keep_encoded``, as ``%XX``."""
    if "%" not in value:
        return value

    def decode_run(match: t.Match[str]) -> str:
        raw = bytes.fromhex(match.group(0).replace("%", ""))
        text = raw.decode("utf-8", "surrogateescape")
        out = []
        for char in text:
            if "\udc80" <= char <= "\udcff":
                out.append(f"%{ord(char) - 0xDC00:02X}")
            elif char in keep_encoded:
                out.append(f"%{ord(char):02X}")
            else:
                out.append(char)
        return "".join(out)

    return _percent_run_re.sub(decode_run, value)


_path_kept = _never_decoded_chars | frozenset("/?#")
_query_kept = _never_decoded_chars | frozenset("&=+#")
_fragment_kept = _never_decoded_chars
_userinfo_kept = _never_decoded_chars | frozenset("@:/")


def uri_to_iri(uri: str) -> str:
    """Turn an ASCII URI into a readable IRI: decode the IDNA host and the
    ``%XX`` escapes that are valid UTF-8, keeping escapes whose decoding
    would change the URL's meaning (``%2F`` in a path, ``%26`` in a
    query, whitespace, ``%25``)."""
    parts = urlsplit(uri)
    path = _selective_unquote(parts.path, _path_kept)
    query = _selective_unquote(parts.query, _query_kept)
    fragment = _selective_unquote(parts.fragment, _fragment_kept)
    netloc = parts.netloc
    if parts.hostname:
        netloc = _decode_host_idna(parts.hostname)
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
        if parts.username:
            auth = _selective_unquote(parts.username, _userinfo_kept)
            if parts.password:
                auth = f"{auth}:{_selective_unquote(parts.password, _userinfo_kept)}"
            netloc = f"{auth}@{netloc}"
    return _unsplit_url_parts(parts.scheme, netloc, path, query, fragment)


def url_quote(
    string: str | bytes,
    charset: str = "utf-8",
    errors: str = "strict",
    safe: str = "/:",
    unsafe: str = "",
) -> str:
    """Percent-encode a string (Werkzeug 2's ``url_quote``)."""
    if isinstance(string, str):
        string = string.encode(charset, errors)
    safe_set = "".join(c for c in safe if c not in unsafe)
    return quote(string, safe=safe_set)


def url_quote_plus(string: str | bytes, charset: str = "utf-8", errors: str = "strict",
                   safe: str = "") -> str:
    """Like :func:`url_quote` but spaces become ``+``."""
    if isinstance(string, str):
        string = string.encode(charset, errors)
    return quote_plus(string, safe=safe)


def url_unquote(s: str, charset: str = "utf-8", errors: str = "replace", unsafe: str = "") -> str:
    """Decode ``%XX`` escapes (as ``charset``)."""
    return unquote(s, encoding=charset, errors=errors)


def url_unquote_plus(s: str, charset: str = "utf-8", errors: str = "replace") -> str:
    """Decode ``%XX`` escapes and ``+`` as space."""
    return unquote_plus(s, encoding=charset, errors=errors)


# What the router leaves unescaped when it builds a URL path from values.
_path_segment_plain_chars = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,/:;=@"
)


def url_quote_path_segment(value: str, safe: str = "!$&'()*+,/:;=@") -> str:
    """Quote a value for a URL path, fast when nothing needs escaping (the
    usual case when building URLs)."""
    if safe == "!$&'()*+,/:;=@" and _path_segment_plain_chars.issuperset(value):
        return value
    return quote(value, safe=safe)


def url_encode(
    obj: t.Any,
    charset: str = "utf-8",
    sort: bool = False,
    key: t.Callable | None = None,
    separator: str = "&",
) -> str:
    """Encode a dict, MultiDict or list of pairs as a query string.  List
    values repeat the key; ``None`` values are left out."""
    from microflask.datastructures import iter_multi_items

    pairs = [(k, v) for k, v in iter_multi_items(obj or ()) if v is not None]
    if sort:
        pairs.sort(key=key)
    encoded = _stdlib_urlencode(pairs, safe="!$'()*,/:;?@", encoding=charset)
    if separator != "&":
        encoded = encoded.replace("&", separator)
    return encoded


def url_decode(
    s: str | bytes,
    charset: str = "utf-8",
    separator: str = "&",
    cls: type | None = None,
    errors: str = "replace",
) -> t.Any:
    """Parse a query string into a :class:`MultiDict` (or ``cls``); blank
    values are kept, malformed pairs never raise."""
    from microflask.datastructures import MultiDict

    if isinstance(s, bytes):
        s = s.decode("latin-1")
    if cls is None:
        cls = MultiDict
    if separator != "&":
        # parse_qsl's own ``separator`` argument needs Python 3.9.2+.
        s = s.replace("&", "%26").replace(separator, "&")
    pairs = parse_qsl(s, keep_blank_values=True, encoding=charset, errors=errors)
    return cls(pairs)
