"""Werkzeug 2's URL quoting and query-string helpers (compatibility names).

Werkzeug 3 removed ``url_quote``, ``url_encode``, ``url_decode`` and their
kin from ``werkzeug.urls`` in favour of ``urllib.parse``; code written
against Werkzeug 2 still imports them from there, so
:mod:`microflask.urls` hands them out from this module when first named.
They wrap ``urllib.parse`` with the safe-character sets Werkzeug 2 used.
"""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl, quote, quote_plus, unquote, unquote_plus
from urllib.parse import urlencode as _stdlib_urlencode

from microflask.datastructures import MultiDict, iter_multi_items

__all__ = [
    "url_quote",
    "url_quote_plus",
    "url_unquote",
    "url_unquote_plus",
    "url_quote_path_segment",
    "url_encode",
    "url_decode",
]


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
    if isinstance(s, bytes):
        s = s.decode("latin-1")
    if cls is None:
        cls = MultiDict
    if separator != "&":
        # parse_qsl's own ``separator`` argument needs Python 3.9.2+.
        s = s.replace("&", "%26").replace(separator, "&")
    pairs = parse_qsl(s, keep_blank_values=True, encoding=charset, errors=errors)
    return cls(pairs)
