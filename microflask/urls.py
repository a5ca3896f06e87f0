"""URL and query-string helpers (what Werkzeug calls ``werkzeug.urls``).

``iri_to_uri`` / ``uri_to_iri`` convert between Unicode IRIs and
ASCII URIs, as in Werkzeug 3.  Werkzeug 2's quoting and query helpers
(``url_quote``, ``url_encode``, ``url_decode``...) are compatibility names:
they live in :mod:`microflask._werkzeug2_urls` and load when first named.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote
from urllib.parse import urlsplit, urlunsplit

__all__ = ["iri_to_uri", "uri_to_iri"]

# Werkzeug 2's names, kept for code written against it (Werkzeug 3 removed them).
_WERKZEUG2_NAMES = frozenset({
    "url_quote",
    "url_quote_plus",
    "url_unquote",
    "url_unquote_plus",
    "url_quote_path_segment",
    "url_encode",
    "url_decode",
})

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


def __getattr__(name: str) -> t.Any:
    if name in _WERKZEUG2_NAMES:
        from microflask import _werkzeug2_urls

        return getattr(_werkzeug2_urls, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
