"""Parsing and writing HTTP header values (what Werkzeug calls
``werkzeug.http``).

Options headers (``text/html; charset=utf-8``), lists, dicts, cookies,
dates, Accept, Range, ETags, Cache-Control: each parser is tolerant of bad
input (it skips what it cannot read, or returns ``None``) and never raises on
garbage from a client; each writer refuses values that would break a header.
"""

from __future__ import annotations

import re
# Aliased: other modules bind the bare name ``time`` to the function, and the
# single-file bundle shares one namespace.
from time import gmtime as _time_gmtime
from time import struct_time as _time_struct_time
from time import time as _time_now
import typing as t
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from urllib.parse import quote as _url_quote
from urllib.parse import unquote as _url_unquote

from microflask.datastructures import (
    Accept,
    ContentRange,
    ContentSecurityPolicy,
    ETags,
    HeaderSet,
    IfRange,
    MultiDict,
    Range,
    RequestCacheControl,
)

__all__ = [
    "HTTP_STATUS_CODES",
    "COEP",
    "COOP",
    "quote_header_value",
    "unquote_header_value",
    "dump_options_header",
    "dump_header",
    "dump_csp_header",
    "parse_list_header",
    "parse_dict_header",
    "parse_options_header",
    "parse_accept_header",
    "parse_cache_control_header",
    "parse_csp_header",
    "parse_set_header",
    "parse_if_range_header",
    "parse_range_header",
    "parse_content_range_header",
    "is_byte_range_valid",
    "quote_etag",
    "unquote_etag",
    "parse_etags",
    "generate_etag",
    "parse_date",
    "http_date",
    "cookie_date",
    "parse_age",
    "dump_age",
    "is_resource_modified",
    "remove_entity_headers",
    "remove_hop_by_hop_headers",
    "is_entity_header",
    "is_hop_by_hop_header",
    "parse_cookie",
    "dump_cookie",
]

HTTP_STATUS_CODES: dict[int, str] = {
    100: "Continue",
    101: "Switching Protocols",
    102: "Processing",
    103: "Early Hints",
    200: "OK",
    201: "Created",
    202: "Accepted",
    203: "Non Authoritative Information",
    204: "No Content",
    205: "Reset Content",
    206: "Partial Content",
    207: "Multi Status",
    208: "Already Reported",
    226: "IM Used",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    305: "Use Proxy",
    306: "Switch Proxy",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable",
    417: "Expectation Failed",
    418: "I'm a teapot",
    421: "Misdirected Request",
    422: "Unprocessable Entity",
    423: "Locked",
    424: "Failed Dependency",
    425: "Too Early",
    426: "Upgrade Required",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    449: "Retry With",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates",
    507: "Insufficient Storage",
    508: "Loop Detected",
    510: "Not Extended",
    511: "Network Authentication Failed",
}


class COEP(Enum):
    """Cross-Origin-Embedder-Policy values."""

    UNSAFE_NONE = "unsafe-none"
    REQUIRE_CORP = "require-corp"


class COOP(Enum):
    """Cross-Origin-Opener-Policy values."""

    UNSAFE_NONE = "unsafe-none"
    SAME_ORIGIN_ALLOW_POPUPS = "same-origin-allow-popups"
    SAME_ORIGIN = "same-origin"


_entity_header_names = frozenset(
    [
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "expires",
        "last-modified",
    ]
)
_hop_by_hop_header_names = frozenset(
    [
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ]
)

# RFC 9110 "tchar": characters a header token may hold without quotes.
_token_chars = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
# Quoted strings in general headers: a backslash escapes any character.
_backslash_escape_re = re.compile(r"\\(.)", re.S)
# Quoted option values keep backslashes except before a quote or backslash
# (Windows paths in Content-Disposition filenames survive).
_option_backslash_escape_re = re.compile(r'\\([\\"])')


# -- quoting ---------------------------------------------------------------


def quote_header_value(value: t.Any, allow_token: bool = True) -> str:
    """Quote ``value`` for a header unless it is a plain token."""
    value_str = str(value)
    if not value_str:
        return '""'
    if allow_token and _token_chars.issuperset(value_str):
        return value_str
    value_str = value_str.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value_str}"'


def unquote_header_value(value: str, is_filename: bool = False) -> str:
    """Remove surrounding quotes and backslash escapes, if quoted."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if is_filename and value[:2] == "\\\\":
            # A UNC path from IE: its backslashes are not escapes.
            return value
        return _backslash_escape_re.sub(r"\1", value)
    return value


def dump_options_header(header: str | None, options: t.Mapping[str, t.Any]) -> str:
    """``dump_options_header("text/html", {"charset": "utf-8"})`` gives
    ``text/html; charset=utf-8``.  ``None`` options are left out."""
    segments = [] if header is None else [header]
    for key, value in options.items():
        if value is None:
            continue
        if key[-1:] == "*":
            segments.append(f"{key}={value}")
        else:
            segments.append(f"{key}={quote_header_value(value)}")
    return "; ".join(segments)


def dump_header(iterable: t.Any) -> str:
    """Join a list (or a dict, as ``key=value``) into a comma list header."""
    if isinstance(iterable, dict):
        items = []
        for key, value in iterable.items():
            if value is None:
                items.append(key)
            elif key[-1:] == "*":
                items.append(f"{key}={value}")
            else:
                items.append(f"{key}={quote_header_value(value)}")
    else:
        items = [quote_header_value(x) for x in iterable]
    return ", ".join(items)


def dump_csp_header(header: t.Any) -> str:
    """Render a Content-Security-Policy mapping as its header value."""
    return "; ".join(f"{key} {value}" for key, value in header.items())


# -- lists, dicts and options ----------------------------------------------


def _split_comma_list_respecting_quotes(value: str) -> list[str]:
    """Split at commas that are not inside double quotes."""
    if '"' not in value:
        return value.split(",")
    items = []
    current: list[str] = []
    in_quotes = False
    escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\" and in_quotes:
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == "," and not in_quotes:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    if in_quotes:
        # An unterminated quote makes the whole header unreadable.
        return []
    items.append("".join(current))
    return items


def parse_list_header(value: str) -> list[str]:
    """Split a comma list header; quoted items are unquoted and may hold
    commas; empty items are dropped."""
    result = []
    for item in _split_comma_list_respecting_quotes(value):
        item = item.strip()
        if not item:
            continue
        if len(item) >= 2 and item[0] == item[-1] == '"':
            item = unquote_header_value(item)
        result.append(item)
    return result


_charset_value_re = re.compile(
    r"""
    ([\w!#$%&*+\-.^`|~]*)'  # charset, then a quote
    [\w!#$%&*+\-.^`|~]*'    # optional language, then a quote
    (.+)                     # percent-encoded value
    """,
    re.ASCII | re.VERBOSE | re.S,
)
# RFC 8187 names only these; any other charset leaves the value undecoded.
_rfc2231_charsets = frozenset(["utf-8", "iso-8859-1", "us-ascii", "ascii"])


def _decode_rfc2231_value(value: str) -> str:
    """Decode ``charset'lang'percent-encoded`` (RFC 2231 / 8187)."""
    match = _charset_value_re.match(value)
    if match is None:
        return value
    charset, encoded = match.groups()
    if charset.lower() not in _rfc2231_charsets:
        return value[match.start(2):]
    return _url_unquote(encoded, encoding=charset, errors="replace")


def parse_dict_header(value: str) -> dict[str, str | None]:
    """Parse ``a=b, c="d, e", f`` into ``{"a": "b", "c": "d, e", "f": None}``.
    ``key*=`` values are decoded as RFC 2231."""
    result: dict[str, str | None] = {}
    for item in _split_comma_list_respecting_quotes(value):
        key, has_value, item_value = item.partition("=")
        key = key.strip()
        if not key:
            continue
        if not has_value:
            if len(key) >= 2 and key[0] == key[-1] == '"':
                key = unquote_header_value(key)
            result[key] = None
            continue
        item_value = item_value.strip()
        if key[-1] == "*":
            key = key[:-1].rstrip()
            if len(item_value) >= 2 and item_value[0] == item_value[-1] == '"':
                # A quoted extended value is taken literally.
                result[key] = unquote_header_value(item_value)
            elif _token_chars.issuperset(item_value.rpartition("'")[2]):
                result[key] = _decode_rfc2231_value(item_value)
            else:
                result[key] = item_value
        else:
            if len(item_value) >= 2 and item_value[0] == item_value[-1] == '"':
                item_value = unquote_header_value(item_value)
            result[key] = item_value
    return result


_option_parameter_re = re.compile(
    r"""
    ;\s*
    ([\w!#$%&'+\-.^`|~]+)         # name
    (?:\*(\d+))?                  # RFC 2231 continuation index
    (\*)?                         # RFC 2231 "encoded" marker
    =
    (?:
        ([\w!#$%&*+\-.^`|~]*'[\w!#$%&*+\-.^`|~]*')?  # RFC 2231 charset'lang' prefix
        "((?:[^"\\]|\\.)*)"       # quoted value
      | ([\w!#$%&'*+\-.^`|~]+)     # token value
    )
    """,
    re.VERBOSE | re.S | re.ASCII,
)


def parse_options_header(value: str | None) -> tuple[str, dict[str, str]]:
    """Split ``text/html; charset=utf-8`` into ``("text/html",
    {"charset": "utf-8"})``.  Parameter names are lowercased; RFC 2231
    continuations (``name*0``) and encodings (``name*=utf-8''...``) are
    decoded.  Unreadable parameters are skipped."""
    if not value:
        return "", {}
    main, sep, rest = value.partition(";")
    main = main.strip()
    if not sep or not main:
        return main, {}
    options: dict[str, str] = {}
    continued: dict[str, list[tuple[int, str, bool]]] = {}
    rest = ";" + rest
    pos = 0
    end = len(rest)
    find = rest.find
    match_at = _option_parameter_re.match
    while pos < end:
        match = match_at(rest, pos)
        if match is None:
            pos = find(";", pos + 1)
            if pos == -1:
                break
            continue
        pos = match.end()
        name, index, encoded, charset_prefix, quoted, token = match.groups()
        name = name.lower()
        fully_quoted = quoted is not None and charset_prefix is None
        if quoted is not None:
            option_value = (charset_prefix or "") + _option_backslash_escape_re.sub(r"\1", quoted)
            if "%22" in option_value:
                # Browsers send a quote inside a quoted filename as %22.
                option_value = option_value.replace("%22", '"')
        else:
            option_value = token
        if index is not None:
            if name not in continued:
                continued[name] = []
                # Reserve the position of the first piece; filled in below.
                options.setdefault(name, "")
            continued[name].append((int(index), option_value, bool(encoded)))
        elif encoded and not fully_quoted:
            options[name] = _decode_rfc2231_value(option_value)
        else:
            options[name] = option_value
        # Skip whatever follows the value up to the next parameter.
        next_sep = find(";", pos)
        pos = end if next_sep == -1 else next_sep
    for name, parts in continued.items():
        options[name] = _join_rfc2231_continuations(parts)
    return main, options


def _join_rfc2231_continuations(parts: list[tuple[int, str, bool]]) -> str:
    """Join ``name*0``, ``name*1``, ... in order; encoded parts share the
    charset named by the first one."""
    charset = "utf-8"
    pieces = []
    for position, (_, text, encoded) in enumerate(parts):
        if encoded:
            if position == 0:
                head, sep, tail = text.partition("'")
                if sep:
                    charset = head
                    text = tail.partition("'")[2]
            pieces.append(("enc", text))
        else:
            pieces.append(("raw", text))
    result = []
    known_charset = charset.lower() in _rfc2231_charsets
    for kind, text in pieces:
        if kind == "enc" and known_charset:
            result.append(_url_unquote(text, encoding=charset, errors="replace"))
        else:
            result.append(text)
    return "".join(result)


# -- accept, cache control, sets -------------------------------------------


_accept_quality_re = re.compile(r"\d+(?:\.\d+)?", re.ASCII)


def parse_accept_header(value: str | None, cls: type | None = None) -> t.Any:
    """Parse an Accept-style header into an :class:`Accept` (or ``cls``),
    best quality first.  Items with an unreadable or out-of-range ``q`` are
    dropped."""
    if cls is None:
        cls = Accept
    if not value:
        return cls(None)
    result = []
    for item in parse_list_header(value):
        item, options = parse_options_header(item)
        if "q" in options:
            quality_str = options.pop("q")
            if _accept_quality_re.fullmatch(quality_str) is None:
                continue
            quality = float(quality_str)
            if not 0 <= quality <= 1:
                continue
        else:
            quality = 1
        if options:
            item = dump_options_header(item, options)
        result.append((item, quality))
    return cls(result)


def parse_cache_control_header(
    value: str | None, on_update: t.Callable | None = None, cls: type | None = None
) -> t.Any:
    """Parse Cache-Control into a :class:`RequestCacheControl` (or ``cls``)."""
    if cls is None:
        cls = RequestCacheControl
    if not value:
        return cls((), on_update)
    return cls(parse_dict_header(value), on_update)


def parse_csp_header(
    value: str | None, on_update: t.Callable | None = None, cls: type | None = None
) -> t.Any:
    """Parse Content-Security-Policy into a :class:`ContentSecurityPolicy`."""
    if cls is None:
        cls = ContentSecurityPolicy
    if value is None:
        return cls((), on_update)
    items = []
    for policy in value.split(";"):
        policy = policy.strip()
        if " " in policy:
            directive, directive_value = policy.split(" ", 1)
            items.append((directive.strip(), directive_value.strip()))
    return cls(items, on_update)


def parse_set_header(value: str | None, on_update: t.Callable | None = None) -> HeaderSet:
    """Parse a comma list into a case-insensitive :class:`HeaderSet`."""
    if not value:
        return HeaderSet(None, on_update)
    return HeaderSet(parse_list_header(value), on_update)


# -- etags -----------------------------------------------------------------

_etag_item_re = re.compile(r'([Ww]/)?(?:"(.*?)"|(.*?))(?:\s*,\s*|$)')


def quote_etag(etag: str, weak: bool = False) -> str:
    """Wrap ``etag`` in quotes (and ``W/`` when weak)."""
    if '"' in etag:
        raise ValueError("invalid etag")
    etag = f'"{etag}"'
    if weak:
        etag = f"W/{etag}"
    return etag


def unquote_etag(etag: str | None) -> tuple[str, bool] | tuple[None, None]:
    """Split a quoted etag into ``(etag, is_weak)``."""
    if not etag:
        return None, None
    etag = etag.strip()
    weak = False
    if etag.startswith(("W/", "w/")):
        weak = True
        etag = etag[2:]
    if etag[:1] == etag[-1:] == '"':
        etag = etag[1:-1]
    return etag, weak


def parse_etags(value: str | None) -> ETags:
    """Parse If-Match / If-None-Match into an :class:`ETags`."""
    if not value:
        return ETags()
    strong = []
    weak = []
    end = len(value)
    pos = 0
    while pos < end:
        match = _etag_item_re.match(value, pos)
        if match is None:
            break
        is_weak, quoted, raw = match.groups()
        if raw == "*":
            return ETags(star_tag=True)
        if quoted:
            raw = quoted
        if is_weak:
            weak.append(raw)
        else:
            strong.append(raw)
        if match.end() == pos:
            break
        pos = match.end()
    return ETags(strong, weak)


def generate_etag(data: bytes) -> str:
    """An etag for ``data``: its SHA-1 hex digest."""
    from hashlib import sha1  # loading OpenSSL is slow: only when an ETag is made

    return sha1(data).hexdigest()


# -- dates and ages --------------------------------------------------------

_weekday_names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_month_names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _datetime_as_utc(dt: datetime) -> datetime:
    """Naive datetimes are taken to be UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    if dt.tzinfo is not timezone.utc:
        return dt.astimezone(timezone.utc)
    return dt


def _utc_struct_for(timestamp: t.Any) -> tuple:
    """(weekday, day, month, year, h, m, s) in UTC for any date input."""
    if timestamp is None:
        timestamp = _time_now()
    if isinstance(timestamp, datetime):
        dt = _datetime_as_utc(timestamp)
        return dt.weekday(), dt.day, dt.month, dt.year, dt.hour, dt.minute, dt.second
    if isinstance(timestamp, date):
        return timestamp.weekday(), timestamp.day, timestamp.month, timestamp.year, 0, 0, 0
    if isinstance(timestamp, _time_struct_time):
        tm = timestamp
    else:
        tm = _time_gmtime(timestamp)
    return tm.tm_wday, tm.tm_mday, tm.tm_mon, tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec


def http_date(timestamp: datetime | date | int | float | _time_struct_time | None = None) -> str:
    """Format a time as an HTTP date: ``Wed, 01 Jan 2020 00:00:00 GMT``.
    Naive datetimes are taken as UTC; ``None`` means now."""
    wday, day, month, year, hour, minute, second = _utc_struct_for(timestamp)
    return (
        f"{_weekday_names[wday]}, {day:02d} {_month_names[month - 1]} {year:04d} "
        f"{hour:02d}:{minute:02d}:{second:02d} GMT"
    )


def cookie_date(expires: datetime | date | int | float | None = None) -> str:
    """The old Netscape cookie date format, with dashes:
    ``Wed, 01-Jan-2020 00:00:00 GMT``."""
    wday, day, month, year, hour, minute, second = _utc_struct_for(expires)
    return (
        f"{_weekday_names[wday]}, {day:02d}-{_month_names[month - 1]}-{year:04d} "
        f"{hour:02d}:{minute:02d}:{second:02d} GMT"
    )


def parse_date(value: str | None) -> datetime | None:
    """Parse an RFC 1123, RFC 850 or asctime date into an aware datetime
    (UTC unless the value names an offset).  Garbage gives ``None``."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def parse_age(value: str | None = None) -> timedelta | None:
    """Parse a delta-seconds value (Age, Max-Age) into a timedelta."""
    if not value:
        return None
    try:
        seconds = int(value)
    except ValueError:
        return None
    if seconds < 0:
        return None
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return None


def dump_age(age: timedelta | int | None = None) -> str | None:
    """Format an age (seconds or timedelta) as delta-seconds."""
    if age is None:
        return None
    if isinstance(age, timedelta):
        age = int(age.total_seconds())
    else:
        age = int(age)
    if age < 0:
        raise ValueError("age cannot be negative")
    return str(age)


# -- ranges ----------------------------------------------------------------


def _parse_plain_int(value: str) -> int:
    """int() that accepts only ASCII digits (no sign, spaces, underscores)."""
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        raise ValueError(f"invalid integer: {value!r}")
    return int(value)


def is_byte_range_valid(start: int | None, stop: int | None, length: int | None) -> bool:
    """Whether ``start``/``stop``/``length`` make a satisfiable byte range."""
    if (start is None) != (stop is None):
        return False
    if start is None:
        return length is None or length >= 0
    if length is None:
        return 0 <= start < stop  # type: ignore[operator]
    if start >= stop:  # type: ignore[operator]
        return False
    return 0 <= start < length


def parse_if_range_header(value: str | None) -> IfRange:
    """Parse If-Range: a date or an etag."""
    if not value:
        return IfRange()
    parsed = parse_date(value)
    if parsed is not None:
        return IfRange(date=parsed)
    return IfRange(unquote_etag(value)[0])


def parse_range_header(value: str | None, make_inclusive: bool = True) -> Range | None:
    """Parse a Range header (``bytes=0-499,-500``) into a :class:`Range`
    with half-open ``(start, stop)`` pairs.  Anything malformed, overlapping
    or out of order gives ``None``."""
    if not value or "=" not in value:
        return None
    units, byte_ranges = value.split("=", 1)
    units = units.strip().lower()
    ranges: list[tuple[int, int | None]] = []
    last_end = 0
    for item in byte_ranges.split(","):
        item = item.strip()
        if "-" not in item:
            return None
        if item.startswith("-"):
            if last_end < 0:
                return None
            try:
                begin = -_parse_plain_int(item[1:])
            except ValueError:
                return None
            end = None
            last_end = -1
        else:
            begin_str, end_str = item.split("-", 1)
            try:
                begin = _parse_plain_int(begin_str)
            except ValueError:
                return None
            if begin < last_end or last_end < 0:
                return None
            end_str = end_str.strip()
            if end_str:
                try:
                    end = _parse_plain_int(end_str) + 1
                except ValueError:
                    return None
                if begin >= end:
                    return None
            else:
                end = None
            last_end = end if end is not None else -1
        ranges.append((begin, end))
    return Range(units, ranges)


def parse_content_range_header(
    value: str | None, on_update: t.Callable | None = None
) -> ContentRange | None:
    """Parse Content-Range (``bytes 0-99/1000``) into a :class:`ContentRange`,
    or ``None`` if it is malformed or unsatisfiable."""
    if value is None:
        return None
    try:
        units, range_def = (value or "").strip().split(None, 1)
    except ValueError:
        return None
    if "/" not in range_def:
        return None
    range_part, length_str = range_def.split("/", 1)
    if length_str == "*":
        length = None
    else:
        try:
            length = _parse_plain_int(length_str)
        except ValueError:
            return None
    if range_part == "*":
        if not is_byte_range_valid(None, None, length):
            return None
        return ContentRange(units, None, None, length, on_update=on_update)
    if "-" not in range_part:
        return None
    start_str, stop_str = range_part.split("-", 1)
    try:
        start = _parse_plain_int(start_str)
        stop = _parse_plain_int(stop_str) + 1
    except ValueError:
        return None
    if is_byte_range_valid(start, stop, length):
        return ContentRange(units, start, stop, length, on_update=on_update)
    return None


# -- conditional requests --------------------------------------------------


def is_resource_modified(
    environ: dict,
    etag: str | None = None,
    data: bytes | None = None,
    last_modified: datetime | str | None = None,
    ignore_if_range: bool = True,
) -> bool:
    """Whether a resource with this etag / last-modified time must be sent
    again, judging by the request's If-* headers (``False`` means 304)."""
    if etag is None and data is not None:
        etag = generate_etag(data)
    elif data is not None:
        raise TypeError("both data and etag given")
    unmodified = False
    if isinstance(last_modified, str):
        last_modified = parse_date(last_modified)
    if last_modified is not None:
        last_modified = _datetime_as_utc(last_modified).replace(microsecond=0)
    if_range = None
    if not ignore_if_range and "HTTP_RANGE" in environ:
        if_range = parse_if_range_header(environ.get("HTTP_IF_RANGE"))
    if if_range is not None and if_range.date is not None:
        modified_since: datetime | None = if_range.date
    else:
        modified_since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if modified_since and last_modified and last_modified <= modified_since:
        unmodified = True
    if etag:
        etag, _ = unquote_etag(etag)
        if if_range is not None and if_range.etag is not None:
            unmodified = parse_etags(if_range.etag).contains(etag)  # type: ignore[arg-type]
        else:
            if_none_match = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
            if if_none_match:
                # RFC 9110: If-None-Match uses the weak comparison.
                unmodified = if_none_match.contains_weak(etag)  # type: ignore[arg-type]
            if_match = parse_etags(environ.get("HTTP_IF_MATCH"))
            if if_match:
                unmodified = not if_match.is_strong(etag)  # type: ignore[arg-type]
    return not unmodified


# -- entity and hop-by-hop headers -----------------------------------------


def is_entity_header(header: str) -> bool:
    """Whether ``header`` describes the body (Content-*, Expires, ...)."""
    return header.lower() in _entity_header_names


def is_hop_by_hop_header(header: str) -> bool:
    """Whether ``header`` is connection-specific (Connection, TE, ...)."""
    return header.lower() in _hop_by_hop_header_names


def remove_entity_headers(
    headers: t.Any, allowed: t.Iterable[str] = ("expires", "content-location")
) -> None:
    """Drop entity headers in place, except those ``allowed``."""
    allowed_names = {x.lower() for x in allowed}
    headers[:] = [
        (key, value)
        for key, value in headers
        if not is_entity_header(key) or key.lower() in allowed_names
    ]


def remove_hop_by_hop_headers(headers: t.Any) -> None:
    """Drop hop-by-hop headers in place."""
    headers[:] = [(key, value) for key, value in headers if not is_hop_by_hop_header(key)]


# -- cookies ---------------------------------------------------------------

_cookie_pair_re = re.compile(
    r"""
    ([^=;]*)                         # name, possibly empty
    (?:\s*=\s*
        (
            "(?:\\.|[^\\])*?"         # quoted value (may hold ';'), only
            (?=\s*(?:;|\Z))             # when the pair ends right after it
          | [^;]*                    # or anything up to ';'
        )
    )?
    \s*;?\s*
    """,
    re.VERBOSE | re.S,
)
_cookie_escape_re = re.compile(r"\\([0-3][0-7][0-7]|.)", re.S)


def _cookie_unescape_match(match: t.Match[str]) -> str:
    escaped = match.group(1)
    if len(escaped) == 3:
        return chr(int(escaped, 8))
    return escaped


def _unquote_cookie_value(value: str) -> str:
    """Undo the quoting :func:`dump_cookie` applies."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if "\\" in value:
            value = _cookie_escape_re.sub(_cookie_unescape_match, value)
            try:
                # Octal escapes stand for UTF-8 bytes.
                value = value.encode("latin-1").decode("utf-8", "replace")
            except UnicodeEncodeError:
                pass
    return value


def _wsgi_str_to_text(value: str) -> str:
    """WSGI gives header bytes as latin-1 str; recover the UTF-8 text."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value


def parse_cookie(header: t.Any = None, cls: type | None = None) -> t.Any:
    """Parse a Cookie header (or the ``HTTP_COOKIE`` of a WSGI environ) into
    a :class:`MultiDict` (or ``cls``).  Malformed pairs are skipped; this
    never raises on client input."""
    if isinstance(header, dict):
        header = header.get("HTTP_COOKIE", "")
    elif header is None:
        header = ""
    if isinstance(header, (bytes, bytearray)):
        header = bytes(header).decode("latin-1")
    header = _wsgi_str_to_text(header)
    if cls is None:
        cls = MultiDict
    pairs = []
    if header:
        end = len(header)
        pos = 0
        match_at = _cookie_pair_re.match
        while pos < end:
            match = match_at(header, pos)
            if match is None or match.end() == pos:
                break
            pos = match.end()
            key, value = match.groups()
            key = key.strip()
            if not key:
                continue
            if value is None:
                pairs.append((key, ""))
            else:
                pairs.append((key, _unquote_cookie_value(value.strip())))
    return cls(pairs)


# Characters a cookie value may hold without quotes.
_cookie_plain_value_re = re.compile(r"[\w!#$%&'()*+\-./:<=>?@\[\]^`{|}~]*", re.ASCII)
_cookie_quoted_byte_map = {
    byte: (chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}") for byte in range(256)
}
_cookie_quoted_byte_map.update({ord('"'): '\\"', ord("\\"): "\\\\", ord(","): "\\054",
                                ord(";"): "\\073"})
_cookie_name_forbidden_re = re.compile(r"[\x00-\x1f\x7f;=,\s]")


_cookie_path_plain_chars = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,/:=@"
)


def _quote_cookie_value(value: str) -> str:
    """Quote a value unless it is plain; non-ASCII and separators become
    octal escapes of the UTF-8 bytes."""
    if _cookie_plain_value_re.fullmatch(value):
        return value
    byte_map = _cookie_quoted_byte_map
    return '"' + "".join(byte_map[b] for b in value.encode("utf-8")) + '"'


def dump_cookie(
    key: str,
    value: str = "",
    max_age: timedelta | int | None = None,
    expires: str | datetime | int | float | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    sync_expires: bool = True,
    max_size: int = 4093,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Build a Set-Cookie header value.

    ``max_age`` also sets Expires (unless ``sync_expires`` is false);
    ``samesite`` must be Strict, Lax or None; ``partitioned`` implies
    Secure.  A name holding CR, LF, ``;``, ``=``, ``,`` or spaces raises
    ``ValueError``.  A cookie over ``max_size`` bytes triggers a warning.
    """
    if isinstance(key, (bytes, bytearray)):
        key = bytes(key).decode("utf-8", "replace")
    if not isinstance(key, str):
        raise TypeError(f"cookie name must be a str, not {type(key).__name__}")
    if _cookie_name_forbidden_re.search(key) is not None:
        raise ValueError(f"invalid cookie name {key!r}")
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    key_text = key.encode("utf-8").decode("latin-1") if not key.isascii() else key
    if path is not None and not _cookie_path_plain_chars.issuperset(path):
        path = _url_quote(path, safe="%!$&'()*+,/:=@")
    if domain:
        domain = domain.partition(":")[0]
        if domain.startswith("."):
            domain = domain[1:]
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"invalid cookie domain {domain!r}") from None
        if _header_value_is_unsafe(domain):
            raise ValueError(f"invalid cookie domain {domain!r}")
    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    if expires is not None:
        if not isinstance(expires, str):
            expires = http_date(expires)
        elif _header_value_is_unsafe(expires):
            raise ValueError("Header values must not contain newline characters.")
    elif max_age is not None and sync_expires:
        expires = http_date(_time_now() + max_age)
    if samesite is not None:
        samesite = samesite.title()
        if samesite not in {"Strict", "Lax", "None"}:
            raise ValueError("SameSite must be 'Strict', 'Lax', or 'None'.")
    if partitioned:
        secure = True
    parts = [f"{key_text}={_quote_cookie_value(value)}"]
    for name, attr_value in (
        ("Domain", domain),
        ("Expires", expires),
        ("Max-Age", max_age),
        ("Secure", secure),
        ("HttpOnly", httponly),
        ("Path", path),
        ("SameSite", samesite),
        ("Partitioned", partitioned),
    ):
        if attr_value is None or attr_value is False:
            continue
        if attr_value is True:
            parts.append(name)
            continue
        parts.append(f"{name}={attr_value}")
    rv = "; ".join(parts)
    if max_size and len(rv) > max_size // 4 and len(rv.encode("utf-8", "replace")) > max_size:
        cookie_size = len(rv.encode("utf-8", "replace"))
        import warnings

        value_size = len(value.encode("utf-8", "replace"))
        warnings.warn(
            f"The {key!r} cookie is too large: the value was {value_size} bytes but the"
            f" header required {cookie_size - value_size} extra bytes. The final size"
            f" was {cookie_size} bytes but the limit is {max_size} bytes. Browsers may"
            " silently ignore cookies larger than this.",
            stacklevel=2,
        )
    return rv


def _header_value_is_unsafe(value: str) -> bool:
    return "\r" in value or "\n" in value or "\x00" in value or ";" in value
