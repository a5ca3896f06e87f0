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


def test_iri_safe_quoting_roundtrip():
    uri = "http://xn--f-1gaa.com/%2F%25?q=%C3%B6&x=%3D%25#%25"
    iri = "http://föö.com/%2F%25?q=ö&x=%3D%25#%25"
    assert urls.uri_to_iri(uri) == iri
    assert urls.iri_to_uri(iri) == uri


def test_conversions_are_idempotent():
    for value in ("http://www.idempoten.ce", "http://☃/☃", "http://xn--n3h/%E2%98%83"):
        uri = urls.iri_to_uri(value)
        assert urls.iri_to_uri(uri) == uri
        iri = urls.uri_to_iri(value)
        assert urls.uri_to_iri(iri) == iri


def test_local_urls_and_invalid_code_points():
    assert urls.iri_to_uri("/foo\x8f") == "/foo%C2%8F"
    assert urls.iri_to_uri("/path[bracket]?(paren)") == "/path%5Bbracket%5D?(paren)"
    assert urls.iri_to_uri("http://föö.com:8080/bam/baz") == "http://xn--f-1gaa.com:8080/bam/baz"


def test_url_decode_custom_separator():
    d = urls.url_decode("a=1;b=2&c", separator=";")
    assert d["a"] == "1" and d["b"] == "2&c"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "itms-services://?action=download-manifest&url=https://a.example/m",
            "itms-services://?action=download-manifest&url=https://a.example/m",
        ),
        ("itms-services:?x=1", "itms-services://?x=1"),
        ("file:///etc/hosts", "file:///etc/hosts"),
        # Other unknown schemes follow the stdlib: an empty authority goes.
        ("myapp://?x=1", "myapp:?x=1"),
    ],
)
def test_itms_services_keeps_its_authority_slashes(url, expected):
    assert urls.iri_to_uri(url) == expected
    assert urls.uri_to_iri(url) == expected


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("http://[::1/x", "http://[::1/x"),
        ("http://h:abc/x y", "http://h:abc/x%20y"),
        ("http://h:99999/", "http://h:99999/"),
        ("http://\u00fc:x/\u00e4", "http://%C3%BC:x/%C3%A4"),
    ],
)
def test_iri_to_uri_escapes_a_url_it_cannot_split_instead_of_raising(iri, uri):
    # A Location built from a garbage Host header must still be sendable.
    assert urls.iri_to_uri(iri) == uri
