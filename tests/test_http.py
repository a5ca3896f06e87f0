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
    CharsetAccept,
    Headers,
    LanguageAccept,
    MIMEAccept,
    MultiDict,
    RequestCacheControl,
    ResponseCacheControl,
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
