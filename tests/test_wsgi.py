"""microflask.wsgi: environ look-ups, LimitedStream, ClosingIterator, _RangeWrapper."""

import io

import pytest

from microflask.exceptions import BadRequest, SecurityError
from microflask.formparser import LimitedStream as FormparserLimitedStream
from microflask.testing import Client, create_environ, run_wsgi_app
from microflask.utils import wrap_file as utils_wrap_file
from microflask.wrappers import Response
from microflask.wsgi import (
    ClosingIterator,
    LimitedStream,
    _RangeWrapper,
    get_content_length,
    get_current_url,
    get_host,
    get_input_stream,
    get_path_info,
    host_is_trusted,
    responder,
    wrap_file,
)


def test_public_names_are_shared_with_their_home_modules():
    assert LimitedStream is FormparserLimitedStream
    assert wrap_file is utils_wrap_file


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HTTP_HOST": "spam:80"}, "spam"),
        ({"wsgi.url_scheme": "https", "HTTP_HOST": "spam:443"}, "spam"),
        ({"HTTP_HOST": "spam:8080"}, "spam:8080"),
        ({"HTTP_HOST": "ham", "SERVER_NAME": "eggs", "SERVER_PORT": "81"}, "ham"),
        ({"SERVER_NAME": "eggs", "SERVER_PORT": "80"}, "eggs"),
        ({"SERVER_NAME": "eggs", "SERVER_PORT": "81"}, "eggs:81"),
        ({"HTTP_HOST": "ham", "HTTP_X_FORWARDED_HOST": "eggs"}, "ham"),
    ],
)
def test_get_host(environ, expected):
    environ.setdefault("wsgi.url_scheme", "http")
    assert get_host(environ) == expected


def test_get_host_checks_trusted_hosts():
    environ = {"SERVER_NAME": "example.org", "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    assert get_host(environ, trusted_hosts=[".example.org"]) == "example.org:8080"
    with pytest.raises(SecurityError):
        get_host(environ, trusted_hosts=["example.com"])
    assert issubclass(SecurityError, BadRequest)
    assert host_is_trusted("a.example.org", [".example.org"])
    assert not host_is_trusted("example.com", ["example.org"])
    assert not host_is_trusted(None, ["example.org"])


def test_get_current_url_parts():
    environ = create_environ("/p/q", "http://example.com/root/", query_string="a=1&b=%C3%A9")
    assert get_current_url(environ) == "http://example.com/root/p/q?a=1&b=\u00e9"
    assert get_current_url(environ, strip_querystring=True) == "http://example.com/root/p/q"
    assert get_current_url(environ, root_only=True) == "http://example.com/root/"
    assert get_current_url(environ, host_only=True) == "http://example.com/"
    environ["QUERY_STRING"] = "meh=\xcf"
    assert get_current_url(environ) == "http://example.com/root/p/q?meh=%CF"


def test_path_info_and_input_stream():
    environ = create_environ("/\N{SNOWMAN}", data=b"abcdef")
    assert get_path_info(environ) == "/\N{SNOWMAN}"
    assert get_content_length(environ) == 6
    environ["wsgi.input"] = io.BytesIO(b"abcdefXYZ")
    assert get_input_stream(environ).read() == b"abcdef"
    del environ["CONTENT_LENGTH"]
    assert get_input_stream(environ).read() == b""
    environ["wsgi.input"] = io.BytesIO(b"raw")
    assert get_input_stream(environ, safe_fallback=False).read() == b"raw"


def test_responder_calls_the_returned_app():
    @responder
    def app(environ, start_response):
        return Response("made " + environ["PATH_INFO"])

    assert Client(app).get("/x").data == b"made /x"


def test_closing_iterator_closes_the_body_then_runs_callbacks():
    calls = []

    class Body:
        def __iter__(self):
            yield b"a"
            yield b"b"

        def close(self):
            calls.append("body")

    iterator = ClosingIterator(Body(), [lambda: calls.append("one"), lambda: calls.append("two")])
    assert list(iterator) == [b"a", b"b"]
    iterator.close()
    assert calls == ["body", "one", "two"]

    def app(environ, start_response):
        start_response("200 OK", [])
        return ClosingIterator([b"x"], lambda: calls.append("single"))

    app_iter, status, headers = run_wsgi_app(app, create_environ(), buffered=True)
    assert list(app_iter) == [b"x"] and calls[-1] == "single"


@pytest.mark.parametrize(
    ("chunks", "start", "length", "expected"),
    [
        ([b"Hello World"], 6, 4, [b"Worl"]),
        ([b"Hello World"], 1, 0, []),
        ([b"Hello World"], 6, 100, [b"World"]),
        ([b"He", b"ll", b"o ", b"Wo", b"rl", b"d"], 6, 4, [b"Wo", b"rl"]),
        ([b"He", b"ll", b"o W", b"o", b"rld"], 6, 4, [b"W", b"o", b"rl"]),
        ([b"Hello", b" World"], 1, 1, [b"e"]),
        ([b"Hello", b" World"], 3, None, [b"lo", b" World"]),
    ],
)
def test_range_wrapper_over_an_iterable(chunks, start, length, expected):
    wrapper = _RangeWrapper(iter(chunks), start, length)
    assert not wrapper.seekable
    assert list(wrapper) == expected


def test_range_wrapper_seeks_a_file():
    file = io.BytesIO(b"0123456789")
    wrapper = _RangeWrapper(wrap_file(create_environ(), file), 2, 3)
    assert wrapper.seekable
    assert list(wrapper) == [b"234"]
    wrapper.close()
    assert file.closed
