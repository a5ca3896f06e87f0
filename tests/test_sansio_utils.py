"""Host, length and URL helpers on plain values (microflask.sansio.utils,
Werkzeug's werkzeug.sansio.utils)."""

from __future__ import annotations

import pytest

from microflask.exceptions import SecurityError
from microflask.sansio.utils import (
    get_content_length,
    get_current_url,
    get_host,
    host_is_trusted,
)


@pytest.mark.parametrize(
    ("scheme", "header", "server", "expected"),
    [
        ("http", "shop.example:80", None, "shop.example"),
        ("https", "shop.example:443", None, "shop.example"),
        ("wss", "shop.example:443", None, "shop.example"),
        ("http", "shop.example:443", None, "shop.example:443"),
        ("http", "[::1]:5000", None, "[::1]:5000"),
        ("http", None, ("::1", 5000), "[::1]:5000"),
        ("http", None, ("10.0.0.1", 80), "10.0.0.1"),
        ("http", "from.header", ("from.server", 80), "from.header"),
        ("http", None, ("/run/app.sock", None), ""),
        ("http", None, None, ""),
    ],
)
def test_get_host_picks_header_or_server_and_drops_default_port(scheme, header, server, expected):
    assert get_host(scheme, header, server) == expected


@pytest.mark.parametrize("header", ["", "a.example:x", "a.example:", "u@a.example", "a_b.example", "[::zz]"])
def test_get_host_gives_empty_for_a_malformed_host(header):
    assert get_host("http", header) == ""


def test_get_host_checks_trusted_hosts():
    assert get_host("http", "api.shop.example:8080", None, [".shop.example"]) == "api.shop.example:8080"
    with pytest.raises(SecurityError, match="Host 'evil.example' is not trusted."):
        get_host("http", "evil.example", None, ["shop.example"])
    assert host_is_trusted("shop.example:80", ["shop.example"])
    assert host_is_trusted("xn--bcher-kva.example", ["bücher.example"])
    assert not host_is_trusted("Shop.Example", ["shop.example"])
    assert not host_is_trusted("shop.example:port", ["shop.example"])


@pytest.mark.parametrize(
    ("length", "encoding", "expected"),
    [
        ("12", None, 12),
        (" 12 ", None, 12),
        (None, None, None),
        ("12", "gzip, Chunked", None),
        ("12", "notchunked", 12),
        ("-1", None, 0),
        ("1e3", None, 0),
        ("", None, 0),
    ],
)
def test_get_content_length(length, encoding, expected):
    assert get_content_length(length, encoding) == expected


def test_get_current_url_quotes_parts_and_reads_as_iri():
    assert get_current_url("http", "h") == "http://h/"
    assert get_current_url("http", "h", "/app/") == "http://h/app/"
    assert get_current_url("http", "h", "/app", "/a b/ü", b"q=a b&r=%2F") == (
        "http://h/app/a%20b/ü?q=a%20b&r=/"
    )
    assert get_current_url("http", "h", "/", "%41%2F") == "http://h/A%2F"
    assert get_current_url("http", "xn--n3h.example", "", "/x") == "http://\N{SNOWMAN}.example/x"
