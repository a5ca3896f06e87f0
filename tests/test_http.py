"""microflask.http against the peer's recorded outputs (tests/fixtures/
http_peer_outputs.json) plus hand-written behaviour and bad-input checks."""

import datetime
import json
import pathlib
import warnings

import pytest

from microflask import http
from microflask.datastructures import (
    Accept,
    Headers,
    MultiDict,
    CharsetAccept,
    LanguageAccept,
    MIMEAccept,
)

PEER = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "http_peer_outputs.json").read_text()
)


def attempt(fn):
    try:
        return {"ok": fn()}
    except Exception as e:
        return {"error": type(e).__name__}


def roundtrip(value):
    """Normalise tuples to lists the way the JSON fixture stores them."""
    return json.loads(json.dumps(value, default=str))


@pytest.mark.parametrize("value,expected", PEER["options"])
def test_parse_options_header_matches_peer(value, expected):
    assert roundtrip(attempt(lambda: list(http.parse_options_header(value)))) == expected


@pytest.mark.parametrize("options,expected", PEER["option_dumps"])
def test_dump_options_header_matches_peer(options, expected):
    assert http.dump_options_header("text/x", options) == expected


@pytest.mark.parametrize("value,expected", PEER["lists"])
def test_parse_list_header_matches_peer(value, expected):
    assert http.parse_list_header(value) == expected


@pytest.mark.parametrize("value,expected", PEER["dicts"])
def test_parse_dict_header_matches_peer(value, expected):
    assert http.parse_dict_header(value) == expected


@pytest.mark.parametrize("value,expected", PEER["quotes"])
def test_quote_header_value_matches_peer(value, expected):
    assert http.quote_header_value(value) == expected


@pytest.mark.parametrize("value,expected", PEER["unquotes"])
def test_unquote_header_value_matches_peer(value, expected):
    assert http.unquote_header_value(value) == expected


@pytest.mark.parametrize("value,expected", PEER["cookies"])
def test_parse_cookie_matches_peer(value, expected):
    assert roundtrip(list(http.parse_cookie(value).items(multi=True))) == expected


@pytest.mark.parametrize("kwargs,expected", PEER["cookie_dumps"])
def test_dump_cookie_matches_peer(kwargs, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert attempt(lambda: http.dump_cookie("k", **kwargs)) == expected


ACCEPT_CLASSES = {"accept": Accept, "mime": MIMEAccept, "lang": LanguageAccept,
                  "charset": CharsetAccept}


@pytest.mark.parametrize("row", PEER["accepts"], ids=lambda row: row["header"])
def test_parse_accept_header_matches_peer(row):
    for name, cls in ACCEPT_CLASSES.items():
        parsed = http.parse_accept_header(row["header"], cls)
        expected = row[name]
        assert roundtrip([list(x) for x in parsed]) == expected["items"], name
        assert parsed.to_header() == expected["to_header"], name
        assert parsed.best == expected["best"], name
        got = [attempt(lambda: parsed.best_match(offer, "DEFAULT")) for offer in PEER["offers"]]
        assert got == expected["matches"], name


@pytest.mark.parametrize("value,expected", PEER["dates"])
def test_parse_date_matches_peer(value, expected):
    parsed = http.parse_date(value)
    assert (None if parsed is None else parsed.isoformat()) == expected


@pytest.mark.parametrize("stamp,expected", PEER["http_dates"])
def test_http_date_matches_peer(stamp, expected):
    assert http.http_date(stamp) == expected


@pytest.mark.parametrize("value,expected", PEER["ranges"])
def test_parse_range_header_matches_peer(value, expected):
    parsed = http.parse_range_header(value)
    if expected is None:
        assert parsed is None
        return
    assert [list(x) for x in parsed.ranges] == expected["ranges"]
    assert parsed.units == expected["units"]
    assert parsed.to_header() == expected["to_header"]
    for length, rng in expected["for_length"].items():
        got = parsed.range_for_length(int(length))
        assert (got and list(got)) == rng, length
    for length, header in expected["content_range"].items():
        assert parsed.to_content_range_header(int(length)) == header


@pytest.mark.parametrize("value,expected", PEER["content_ranges"])
def test_parse_content_range_header_matches_peer(value, expected):
    parsed = http.parse_content_range_header(value)
    if expected is None:
        assert parsed is None
    else:
        assert [parsed.units, parsed.start, parsed.stop, parsed.length,
                parsed.to_header()] == expected


@pytest.mark.parametrize("value,expected", PEER["etags"])
def test_parse_etags_matches_peer(value, expected):
    etags = http.parse_etags(value)
    assert [sorted(etags.as_set()), sorted(etags.as_set(True) - etags.as_set()),
            etags.star_tag] == expected


@pytest.mark.parametrize("value,expected", PEER["cache"])
def test_parse_cache_control_header_matches_peer(value, expected):
    assert dict(http.parse_cache_control_header(value)) == expected


# -- hand-written behaviour and bad input ------------------------------------


def test_parse_options_header_rfc2231():
    assert http.parse_options_header("attachment; filename*=UTF-8''%E2%82%AC%20rates") == (
        "attachment", {"filename": "€ rates"})
    assert http.parse_options_header(None) == ("", {})


def test_dump_options_header_roundtrip():
    header = http.dump_options_header("form-data", {"name": 'a"b', "filename": "c d.txt"})
    assert http.parse_options_header(header) == ("form-data", {"name": 'a"b',
                                                                "filename": "c d.txt"})


@pytest.mark.parametrize("header", [
    "=", ";", "=;=;=", '"', 'a="', 'a="\\', "a=\x00\x01\x02", "a=b; " * 5000,
    "a" * 100_000, '"' * 1001, "\\" * 1000, "; =; ;=x; y", "a=\udcff",
])
def test_parse_cookie_never_raises(header):
    result = http.parse_cookie(header)
    assert isinstance(result, MultiDict)


def test_parse_cookie_values_and_environ():
    cookies = http.parse_cookie({"HTTP_COOKIE": 'session="a b"; theme=dark; theme=light'})
    assert cookies["session"] == "a b"
    assert cookies.getlist("theme") == ["dark", "light"]
    assert http.parse_cookie(None) == MultiDict()
    assert http.parse_cookie(b"a=b")["a"] == "b"


def test_dump_cookie_roundtrip_of_awkward_values():
    for value in ['a"b', "a;b", "a,b", "ü€", "a\\b", "a b", "\x00\x1f"]:
        header = http.dump_cookie("k", value, path=None)
        assert http.parse_cookie(header)["k"] == value


@pytest.mark.parametrize("key", ["a\r\nb", "a;b", "a\nb", "a=b", "a b", "a,b", "a\x00"])
def test_dump_cookie_refuses_bad_names(key):
    with pytest.raises(ValueError):
        http.dump_cookie(key, "v")


@pytest.mark.parametrize("kwargs", [
    {"domain": "a.com\r\nX: y"}, {"expires": "Wed\r\nX: y"}, {"samesite": "Sometimes"},
])
def test_dump_cookie_refuses_bad_attributes(kwargs):
    with pytest.raises(ValueError):
        http.dump_cookie("k", "v", **kwargs)


def test_dump_cookie_path_cannot_inject():
    header = http.dump_cookie("k", "v", path="/a\r\nSet-Cookie: evil=1")
    assert "\r" not in header and "\n" not in header


def test_dump_cookie_value_newline_is_escaped():
    header = http.dump_cookie("k", "a\r\nb")
    assert "\r" not in header and "\n" not in header


def test_dump_cookie_warns_when_too_large():
    with pytest.warns(UserWarning, match="cookie is too large"):
        http.dump_cookie("k", "x" * 5000)


def test_dump_cookie_max_age_sets_expires():
    header = http.dump_cookie("k", "v", max_age=60)
    assert "Max-Age=60" in header and "Expires=" in header


@pytest.mark.parametrize("value", [
    "garbage", "", "Sun, 06 Nov 1994 08:49:37", "99 Nov 1994 08:49:37 GMT", "\x00",
    "Sun, 06 Nov 1994 08:49:37 GMT" * 100, "Mon, 01 Jan 10000 00:00:00 GMT", None,
])
def test_parse_date_garbage_is_none_or_aware(value):
    result = http.parse_date(value)
    assert result is None or result.tzinfo is not None


def test_http_date_inputs():
    assert http.http_date(datetime.datetime(2020, 1, 1, 5, tzinfo=datetime.timezone(
        datetime.timedelta(hours=5)))) == "Wed, 01 Jan 2020 00:00:00 GMT"
    assert http.http_date(datetime.date(2020, 1, 2)) == "Thu, 02 Jan 2020 00:00:00 GMT"
    assert http.http_date().endswith(" GMT")
    assert http.cookie_date(0) == "Thu, 01-Jan-1970 00:00:00 GMT"


def test_ages():
    assert http.parse_age("10") == datetime.timedelta(seconds=10)
    assert http.parse_age("-1") is None
    assert http.parse_age("x") is None
    assert http.parse_age("9" * 30) is None
    assert http.dump_age(datetime.timedelta(hours=1)) == "3600"
    with pytest.raises(ValueError):
        http.dump_age(-1)


def test_etags():
    assert http.quote_etag("abc", weak=True) == 'W/"abc"'
    with pytest.raises(ValueError):
        http.quote_etag('a"b')
    assert http.unquote_etag('W/"abc"') == ("abc", True)
    etags = http.parse_etags('"a", W/"b"')
    assert "a" in etags and "b" not in etags and etags.contains_weak("b")
    assert http.generate_etag(b"hello") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"


def test_is_resource_modified():
    environ = {"HTTP_IF_NONE_MATCH": '"abc"'}
    assert not http.is_resource_modified(environ, etag="abc")
    assert http.is_resource_modified(environ, etag="xyz")
    environ = {"HTTP_IF_MODIFIED_SINCE": "Wed, 01 Jan 2020 00:00:00 GMT"}
    assert not http.is_resource_modified(environ, last_modified=datetime.datetime(2019, 1, 1))
    assert http.is_resource_modified(environ, last_modified=datetime.datetime(2021, 1, 1))
    with pytest.raises(TypeError):
        http.is_resource_modified({}, etag="a", data=b"x")


def test_entity_and_hop_by_hop_headers():
    headers = Headers([("Content-Type", "x"), ("Expires", "y"), ("Connection", "close"),
                       ("X-Keep", "z")])
    http.remove_entity_headers(headers)
    http.remove_hop_by_hop_headers(headers)
    assert headers.to_wsgi_list() == [("Expires", "y"), ("X-Keep", "z")]
    assert http.is_entity_header("content-length")
    assert http.is_hop_by_hop_header("Transfer-Encoding")


def test_set_and_csp_headers():
    allowed = http.parse_set_header("GET, head")
    assert "HEAD" in allowed and allowed.to_header() == "GET, head"
    csp = http.parse_csp_header("default-src 'self'; img-src *")
    assert csp.default_src == "'self'" and csp.img_src == "*"
    assert http.dump_csp_header(csp) == "default-src 'self'; img-src *"


def test_dump_header():
    assert http.dump_header(["a", "b c"]) == 'a, "b c"'
    assert http.dump_header({"no-cache": None, "max-age": 10}) == "no-cache, max-age=10"


def test_status_codes_and_enums():
    assert http.HTTP_STATUS_CODES[404] == "Not Found"
    assert http.HTTP_STATUS_CODES[418] == "I'm a teapot"
    assert http.COOP.SAME_ORIGIN.value == "same-origin"
    assert http.COEP.REQUIRE_CORP.value == "require-corp"


@pytest.mark.parametrize("value", ["bytes 0-5/", "bytes 5-0/10", "bytes x", "bytes */-1",
                                   "bytes 0-9/5", "bytes  0-9/10", "\x00" * 100, "bytes 1-2/3/4"])
def test_garbage_content_range_headers(value):
    result = http.parse_content_range_header(value)
    assert result is None or result.to_header()


@pytest.mark.parametrize("row", PEER["best_match_tables"])
def test_best_match_tables_match_peer(row):
    name, values, matches, default, expected, header = row
    parsed = ACCEPT_CLASSES[name]([tuple(v) for v in values])
    assert attempt(lambda: parsed.best_match(matches, default=default)) == expected
    assert parsed.to_header() == header


def test_options_header_quoted_percent_22_becomes_a_quote():
    assert http.parse_options_header('form-data; filename="say%22hi%22.txt"') == (
        "form-data",
        {"filename": 'say"hi".txt'},
    )
    # Only inside quotes, and only %22: other escapes stay as sent.
    assert http.parse_options_header("v; a=b%22c") == ("v", {"a": "b%22c"})
    assert http.parse_options_header('v; a="b%20c"') == ("v", {"a": "b%20c"})


def test_internal_wsgi_string_dance_round_trips():
    from microflask._internal import _wsgi_decoding_dance, _wsgi_encoding_dance

    transport = _wsgi_encoding_dance("fö")
    assert transport == "f\xc3\xb6"
    assert _wsgi_decoding_dance(transport) == "fö"


def test_dict_header_unquotes_a_quoted_bare_key():
    assert http.parse_dict_header('"a", b, W/"x"') == {"a": None, "b": None, 'W/"x"': None}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('a="b;c"; d=e', [("a", "b;c"), ("d", "e")]),
        ('a="b"x; c=d', [("a", '"b"x'), ("c", "d")]),
        ('a="b"c"; d=e', [("a", 'b"c'), ("d", "e")]),
        ('a="b, c", d', [("a", '"b, c", d')]),
        ('a="b" ; c=d', [("a", "b"), ("c", "d")]),
    ],
)
def test_cookie_quoted_value_counts_only_when_the_pair_ends_there(header, expected):
    assert list(http.parse_cookie(header).items(multi=True)) == expected
