"""microflask.urls: IRI/URI conversion against the peer's recorded
outputs, plus the quoting and query helpers other modules use."""

import json
import pathlib

import pytest

from microflask import urls
from microflask.datastructures import MultiDict

PEER = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "http_peer_outputs.json").read_text()
)


@pytest.mark.parametrize("value,uri,iri", PEER["urls"])
def test_iri_uri_conversion_matches_peer(value, uri, iri):
    assert urls.iri_to_uri(value) == uri
    assert urls.uri_to_iri(value) == iri


def test_roundtrip_unicode_url():
    iri = "http://☃.net/påth?q=ü#frag"
    assert urls.uri_to_iri(urls.iri_to_uri(iri)) == iri


def test_bad_punycode_host_is_left_alone():
    assert urls.uri_to_iri("http://xn--zz.com/x") == "http://xn--zz.com/x"


def test_invalid_utf8_escapes_kept():
    assert urls.uri_to_iri("/%FF%FE") == "/%FF%FE"


def test_url_quote_helpers():
    assert urls.url_quote("a b/ü") == "a%20b/%C3%BC"
    assert urls.url_quote("a/b", safe="") == "a%2Fb"
    assert urls.url_quote_plus("a b&c") == "a+b%26c"
    assert urls.url_unquote("%C3%BC%20") == "ü "
    assert urls.url_unquote_plus("a+b%21") == "a b!"


def test_url_quote_path_segment():
    assert urls.url_quote_path_segment("plain-value_1.txt") == "plain-value_1.txt"
    assert urls.url_quote_path_segment("a b/c") == "a%20b/c"
    assert urls.url_quote_path_segment("ü?#") == "%C3%BC%3F%23"
    assert urls.url_quote_path_segment("a/b", safe="") == "a%2Fb"


def test_url_encode():
    assert urls.url_encode({"a": [1, 2], "b": None, "c": "x y/ü"}) == "a=1&a=2&c=x+y/%C3%BC"
    assert urls.url_encode(MultiDict([("b", "2"), ("a", "1")]), sort=True) == "a=1&b=2"
    assert urls.url_encode([("a", "1"), ("b", "2")], separator=";") == "a=1;b=2"
    assert urls.url_encode(None) == ""


def test_url_decode_is_tolerant():
    d = urls.url_decode("a=1&a=2&b=&c&=x&%ZZ=%")
    assert d.getlist("a") == ["1", "2"]
    assert d["b"] == ""
    assert d["c"] == ""
    assert isinstance(d, MultiDict)
    assert urls.url_decode(b"x=%C3%BC")["x"] == "ü"
