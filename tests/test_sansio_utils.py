"""Host, length and URL helpers on plain values (microflask.sansio.utils,
Werkzeug's werkzeug.sansio.utils)."""

from __future__ import annotations

import pytest

from microflask import Flask, request
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


@pytest.mark.parametrize(
    "header", ["", "a.example:x", "u@a.example", "[::zz]", "a b", "a:80:80", "a:65536", "a::"]
)
def test_get_host_gives_empty_for_a_malformed_host(header):
    assert get_host("http", header) == ""


def test_get_host_checks_trusted_hosts():
    assert (
        get_host("http", "api.shop.example:8080", None, [".shop.example"])
        == "api.shop.example:8080"
    )
    with pytest.raises(SecurityError, match="Host 'evil.example' is not trusted."):
        get_host("http", "evil.example", None, ["shop.example"])
    assert host_is_trusted("shop.example:80", ["shop.example"])
    assert host_is_trusted("xn--bcher-kva.example", ["bücher.example"])
    assert host_is_trusted("Shop.Example", ["shop.example"])
    assert not host_is_trusted("shop.example:port", ["shop.example"])


# -- one set of host rules, the same answer from every path -----------------------

UNTRUSTED = "SecurityError"


def host_from_every_path(header, trusted, scheme="http"):
    """The host for one Host header as get_host, wsgi.get_host, the toolkit's
    Request.host and Flask's Request.host give it (or UNTRUSTED)."""
    from microflask import Request as FlaskRequest
    from microflask import wsgi
    from microflask.wrappers import Request

    environ = {"wsgi.url_scheme": scheme, "HTTP_HOST": header,
               "SERVER_NAME": "server.example", "SERVER_PORT": "80"}

    def answer(read):
        try:
            return read()
        except SecurityError:
            return UNTRUSTED

    def request_host(cls):
        request = cls(dict(environ))
        request.trusted_hosts = trusted
        return request.host

    return {
        answer(lambda: get_host(scheme, header, ("server.example", 80), trusted)),
        answer(lambda: wsgi.get_host(environ, trusted)),
        answer(lambda: request_host(Request)),
        answer(lambda: request_host(FlaskRequest)),
    }


@pytest.mark.parametrize(
    ("header", "trusted", "expected"),
    [
        # Host names compare case-insensitively; the host is given as sent.
        ("Example.COM", ["example.com"], "Example.COM"),
        ("example.com", ["EXAMPLE.com"], "example.com"),
        ("Example.COM:80", None, "Example.COM"),
        # The port is ignored when comparing; the default port is dropped.
        ("example.com:8080", ["example.com"], "example.com:8080"),
        ("example.com:80", ["example.com:9000"], "example.com"),
        # A leading dot trusts the domain and its subdomains, nothing else.
        ("api.example.com", [".example.com"], "api.example.com"),
        ("a.b.Example.com", [".example.com"], "a.b.Example.com"),
        ("example.com", [".example.com"], "example.com"),
        ("badexample.com", [".example.com"], UNTRUSTED),
        ("example.com.evil", [".example.com"], UNTRUSTED),
        # International names: sent IDNA-encoded, trusted as Unicode or not.
        ("xn--bcher-kva.example", ["bücher.example"], "xn--bcher-kva.example"),
        ("XN--BCHER-KVA.example", ["BÜCHER.example"], "XN--BCHER-KVA.example"),
        ("xn--bcher-kva.example", ["xn--bcher-kva.example"], "xn--bcher-kva.example"),
        ("b\xc3\xbccher.example", None, ""),  # raw UTF-8 in the header is no host
        ("b\xc3\xbccher.example", ["bücher.example"], UNTRUSTED),
        # The underscore of internal host names is accepted.
        ("a_b.example.com", None, "a_b.example.com"),
        ("a_b.example.com", [".example.com"], "a_b.example.com"),
        ("a_b.example.com", ["a_b.example.com"], "a_b.example.com"),
        # IPv6 in brackets compares as a whole address.
        ("[::1]:8080", ["[::1]"], "[::1]:8080"),
        ("[::2]", ["[::1]"], UNTRUSTED),
        # Malformed: "" without a list, untrusted with one.
        ("exa mple.com", None, ""),
        ("exa mple.com", ["exa mple.com"], UNTRUSTED),
        ("example.com:80:80", None, ""),
        ("example.com:80:80", ["example.com"], UNTRUSTED),
        ("example.com:", None, "example.com"),  # an empty port, as the default one
        ("[::1]:", ["[::1]"], "[::1]"),
        ("u@example.com", None, ""),
        ("", None, ""),
        ("", ["example.com"], UNTRUSTED),
        # An empty list trusts nothing; a trailing dot is not stripped.
        ("example.com", [], UNTRUSTED),
        ("example.com.", ["example.com"], UNTRUSTED),
    ],
)
def test_host_rules_give_one_answer_on_every_path(header, trusted, expected):
    assert host_from_every_path(header, trusted) == {expected}


def test_get_host_from_the_server_when_no_host_header():
    from microflask import wsgi

    environ = {"wsgi.url_scheme": "https", "SERVER_NAME": "::1", "SERVER_PORT": "8443"}
    assert get_host("https", None, ("::1", 8443)) == wsgi.get_host(environ) == "[::1]:8443"
    # A server address without a port is a Unix socket: no host to report.
    assert get_host("http", None, ("/run/app.sock", None)) == ""
    assert wsgi.get_host({"wsgi.url_scheme": "http", "SERVER_NAME": "/run/app.sock"}) == ""


def test_host_is_trusted_without_a_list_checks_the_form_only():
    assert host_is_trusted("a_b.example:8080")
    assert host_is_trusted("Example.COM", None)
    assert not host_is_trusted("a b")
    assert not host_is_trusted(None)
    assert host_is_trusted("example.com", "example.com")  # one name as a string


def test_url_reads_the_host_lower_case_and_idna_decoded_on_every_path():
    from microflask import wsgi
    from microflask.wrappers import Request

    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "XN--BCHER-KVA.Example:8080",
               "SCRIPT_NAME": "/app", "PATH_INFO": "/a b", "QUERY_STRING": "q=%C3%A9"}
    expected = "http://bücher.example:8080/app/a%20b?q=é"
    assert Request(environ).url == expected
    assert wsgi.get_current_url(environ) == expected
    assert (
        get_current_url("http", "XN--BCHER-KVA.Example:8080", "/app", "/a b", b"q=%C3%A9")
        == expected
    )


def test_untrusted_host_is_a_400_from_the_app():
    from microflask import Flask

    app = Flask(__name__)
    app.config["TRUSTED_HOSTS"] = [".example.com", "a_b.internal"]

    @app.route("/")
    def index():
        from microflask import request

        return request.host

    client = app.test_client()
    assert client.get("/", headers={"Host": "Shop.Example.com"}).text == "Shop.Example.com"
    assert client.get("/", headers={"Host": "a_b.internal:5000"}).text == "a_b.internal:5000"
    assert client.get("/", headers={"Host": "evil.com"}).status_code == 400
    assert client.get("/", headers={"Host": "exa mple.com"}).status_code == 400


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


@pytest.mark.parametrize("host", ["[5:1]:8080", "[1:2]", "[::g]", "[:]"])
def test_brackets_around_what_is_no_ipv6_address_are_no_host(host):
    # Found by fuzz/hostile.py: urllib refuses to split a URL holding "[5:1]",
    # so request.url was a 500.
    assert get_host("http", host) == ""
    app = Flask(__name__)

    @app.route("/")
    def url():
        return request.url

    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "http:///"
