"""Tests for microflask.wrappers: Request and Response."""

import io
import json
import pathlib
from datetime import datetime, timedelta, timezone
from wsgiref.validate import validator

import pytest

from microflask.datastructures import (
    CombinedMultiDict,
    EnvironHeaders,
    Headers,
    ImmutableMultiDict,
)
from microflask.exceptions import (
    BadRequest,
    NotFound,
    RequestEntityTooLarge,
    RequestedRangeNotSatisfiable,
    SecurityError,
    UnsupportedMediaType,
)
from microflask.wrappers import Request, Response, UserAgent


class CountingStream(io.BytesIO):
    def __init__(self, data=b""):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def make_environ(path="/", query="", method="GET", body=None, content_type=None, **extra):
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": CountingStream(body or b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(body))
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    environ.update(extra)
    return environ


def run_validated(app, environ):
    """Run a WSGI app under wsgiref's validator; return (status, headers, body)."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = status
        captured["headers"] = headers
        return lambda data: None

    app_iter = validator(app)(environ, start_response)
    try:
        body = b"".join(app_iter)
    finally:
        app_iter.close()
    return captured["status"], captured["headers"], body


# --- Request: construction and URL parts -----------------------------------------------


def test_request_init_is_lazy_and_populates_environ():
    environ = make_environ()
    request = Request(environ)
    assert environ["werkzeug.request"] is request
    # Only what routing always needs is computed up front.
    assert set(request.__dict__) == {"environ", "shallow", "method", "path"}
    assert Request(make_environ(), populate_request=False).environ.get("werkzeug.request") is None


def test_request_method_and_repr():
    request = Request(make_environ("/x", method="post"))
    assert request.method == "POST"
    assert repr(request) == "<Request 'http://localhost/x' [POST]>"


def test_request_url_parts():
    request = Request(make_environ("a", SCRIPT_NAME="/app/", QUERY_STRING="x=1&y=2"))
    assert request.path == "/a"
    assert request.script_root == "/app"
    assert request.root_path == "/app"
    assert request.url == "http://localhost/app/a?x=1&y=2"
    assert request.base_url == "http://localhost/app/a"
    assert request.root_url == "http://localhost/app/"
    assert request.url_root == "http://localhost/app/"
    assert request.host_url == "http://localhost/"
    assert request.full_path == "/a?x=1&y=2"
    assert request.query_string == b"x=1&y=2"
    assert request.scheme == "http"
    assert not request.is_secure


def test_request_url_quoting_keeps_unicode_readable():
    request = Request(make_environ("/a b/\xc3\xa9/?", QUERY_STRING="q=a b&r=%C3%A9"))
    assert request.path == "/a b/\u00e9/?"
    assert request.url == "http://localhost/a%20b/\u00e9/%3F?q=a%20b&r=\u00e9"
    assert request.base_url == "http://localhost/a%20b/\u00e9/%3F"
    assert request.full_path == "/a b/\u00e9/??q=a b&r=%C3%A9"


def test_request_path_double_slash_and_empty():
    assert Request(make_environ("//a//b")).path == "/a//b"
    assert Request(make_environ("")).path == "/"


def test_request_invalid_utf8_and_percent_in_path_and_query_do_not_crash():
    request = Request(make_environ("/a%ZZ/\xff", QUERY_STRING="x=%ZZ&y=%FF&z=1+2&w&v=\xff"))
    assert request.path == "/a%ZZ/\ufffd"
    assert request.args["x"] == "%ZZ"
    assert request.args["y"] == "%FF"
    assert request.args["z"] == "1 2"
    assert request.args["w"] == ""
    assert request.args["v"] == "%FF"
    assert request.url.startswith("http://localhost/a%ZZ/")


def test_request_path_outside_latin1_does_not_crash():
    assert Request(make_environ("/\u20ac")).path == "/\u20ac"


def test_request_host_and_ports():
    assert Request(make_environ(HTTP_HOST="example.com:8080")).host == "example.com:8080"
    assert Request(make_environ(HTTP_HOST="example.com:80")).host == "example.com"
    https = make_environ(SERVER_PORT="443", **{"wsgi.url_scheme": "https"})
    assert Request(https).host == "localhost"
    assert Request(https).is_secure
    https["SERVER_PORT"] = "8443"
    assert Request(https).url == "https://localhost:8443/"
    assert Request(make_environ(HTTP_HOST="[::1]:8080")).host == "[::1]:8080"


@pytest.mark.parametrize("bad_host", ["a b", "exa<mple>.com", "example.com:abc", ""])
def test_request_invalid_host_header_becomes_empty(bad_host):
    assert Request(make_environ(HTTP_HOST=bad_host)).host == ""


def test_request_trusted_hosts():
    request = Request(make_environ(HTTP_HOST="evil.com"))
    request.trusted_hosts = ["example.com"]
    with pytest.raises(SecurityError) as info:
        request.host
    assert info.value.code == 400
    assert "evil.com" in str(info.value)
    sub = Request(make_environ(HTTP_HOST="a.example.com:8000"))
    sub.trusted_hosts = [".example.com"]
    assert sub.host == "a.example.com:8000"
    bare = Request(make_environ(HTTP_HOST="example.com"))
    bare.trusted_hosts = [".example.com"]
    assert bare.host == "example.com"


def test_request_access_route_and_remote_addr():
    request = Request(make_environ(REMOTE_ADDR="1.2.3.4", HTTP_X_FORWARDED_FOR="5.6.7.8, 9.9.9.9"))
    assert request.access_route == ["5.6.7.8", "9.9.9.9"]
    assert request.remote_addr == "1.2.3.4"
    assert Request(make_environ(REMOTE_ADDR="1.2.3.4")).access_route == ["1.2.3.4"]
    assert Request(make_environ()).access_route == []


def test_request_wsgi_flags_and_remote_user():
    request = Request(make_environ(REMOTE_USER="bob", **{"wsgi.multithread": True}))
    assert request.is_multithread
    assert not request.is_multiprocess
    assert not request.is_run_once
    assert request.remote_user == "bob"


# --- Request: args, cookies, headers ------------------------------------------------------


def test_request_args_cached_and_immutable():
    request = Request(make_environ(QUERY_STRING="a=1&a=2&b="))
    args = request.args
    assert isinstance(args, ImmutableMultiDict)
    assert args.getlist("a") == ["1", "2"]
    assert args["b"] == ""
    assert request.args is args
    with pytest.raises(TypeError):
        args["c"] = "x"


def test_request_cookies():
    request = Request(make_environ(HTTP_COOKIE='a=1; b="x\\073"; c=\xc3\xa9'))
    assert isinstance(request.cookies, ImmutableMultiDict)
    assert request.cookies["a"] == "1"
    assert request.cookies["b"] == "x;"
    assert request.cookies["c"] == "\u00e9"
    assert not Request(make_environ()).cookies


def test_request_invalid_cookies_do_not_crash():
    request = Request(make_environ(HTTP_COOKIE='=; ;;; "; a=1; \xff\xfe=\x00; b="unterminated'))
    assert request.cookies.get("a") == "1"


def test_request_headers_are_environ_headers():
    request = Request(make_environ(HTTP_X_FOO="bar", CONTENT_TYPE="text/plain"))
    assert isinstance(request.headers, EnvironHeaders)
    assert request.headers["X-Foo"] == "bar"
    assert request.headers["Content-Type"] == "text/plain"


def test_request_content_headers():
    request = Request(make_environ(CONTENT_TYPE="Text/HTML; charset=utf-8", CONTENT_LENGTH="10"))
    assert request.content_type == "Text/HTML; charset=utf-8"
    assert request.mimetype == "text/html"
    assert request.mimetype_params == {"charset": "utf-8"}
    assert request.content_length == 10
    empty = Request(make_environ())
    assert empty.content_type is None
    assert empty.mimetype == ""
    assert empty.mimetype_params == {}
    assert empty.content_length is None


@pytest.mark.parametrize(
    "value, expected", [("abc", 0), ("-5", 0), ("10", 10), (" 7 ", 7), ("", 0)]
)
def test_request_content_length_garbage(value, expected):
    assert Request(make_environ(CONTENT_LENGTH=value)).content_length == expected


def test_request_content_length_chunked_is_none():
    request = Request(make_environ(CONTENT_LENGTH="5", HTTP_TRANSFER_ENCODING="chunked"))
    assert request.content_length is None


def test_request_simple_header_properties():
    request = Request(
        make_environ(
            HTTP_ORIGIN="http://x",
            HTTP_REFERER="http://r",
            HTTP_PRAGMA="no-cache",
            HTTP_MAX_FORWARDS="3",
            HTTP_DATE="Sun, 06 Nov 1994 08:49:37 GMT",
            HTTP_IF_MODIFIED_SINCE="Sun, 06 Nov 1994 08:49:37 GMT",
            HTTP_CONTENT_ENCODING="gzip",
        )
    )
    assert request.origin == "http://x"
    assert request.referrer == "http://r"
    assert "no-cache" in request.pragma
    assert request.max_forwards == 3
    assert request.date == datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)
    assert request.if_modified_since == request.date
    assert request.if_unmodified_since is None
    assert request.content_encoding == "gzip"
    assert Request(make_environ(HTTP_MAX_FORWARDS="x")).max_forwards is None


def test_request_user_agent():
    request = Request(make_environ(HTTP_USER_AGENT="Mozilla/5.0 foo"))
    agent = request.user_agent
    assert isinstance(agent, UserAgent)
    assert agent.string == "Mozilla/5.0 foo"
    assert str(agent) == "Mozilla/5.0 foo"
    assert agent.to_header() == "Mozilla/5.0 foo"
    assert agent.browser is None and agent.platform is None
    assert repr(agent) == "<UserAgent None/None>"
    assert Request(make_environ()).user_agent.string == ""


def test_request_authorization_basic_and_bearer():
    basic = Request(make_environ(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")).authorization
    assert basic.type == "basic"
    assert basic.username == "user"
    assert basic.password == "pass"
    bearer = Request(make_environ(HTTP_AUTHORIZATION="Bearer abc.def")).authorization
    assert bearer.type == "bearer"
    assert bearer.token == "abc.def"
    assert Request(make_environ()).authorization is None


def test_request_conditional_and_accept_headers():
    request = Request(
        make_environ(
            HTTP_IF_NONE_MATCH='"a", W/"b"',
            HTTP_IF_MATCH='"c"',
            HTTP_RANGE="bytes=0-5",
            HTTP_CACHE_CONTROL="no-cache, max-age=5",
            HTTP_ACCEPT="text/html;q=0.5, application/json",
            HTTP_ACCEPT_LANGUAGE="de, en;q=0.5",
            HTTP_ACCEPT_ENCODING="gzip",
            HTTP_ACCEPT_CHARSET="utf-8",
        )
    )
    assert "a" in request.if_none_match
    assert request.if_match.contains("c")
    assert request.range.ranges == [(0, 6)]
    assert request.cache_control.max_age == 5
    assert request.cache_control.no_cache
    assert request.accept_mimetypes.best == "application/json"
    assert request.accept_languages.best == "de"
    assert "gzip" in request.accept_encodings
    assert "utf-8" in request.accept_charsets
    empty = Request(make_environ())
    assert not empty.if_none_match
    assert empty.range is None
    assert not empty.accept_mimetypes


# --- Request: body ---------------------------------------------------------------------


def test_request_form_values_and_data():
    environ = make_environ(
        method="POST",
        query="a=q",
        body=b"a=1&b=%FF",
        content_type="application/x-www-form-urlencoded",
    )
    request = Request(environ)
    assert request.form.to_dict(flat=False) == {"a": ["1"], "b": ["%FF"]}
    assert isinstance(request.form, ImmutableMultiDict)
    assert isinstance(request.values, CombinedMultiDict)
    assert request.values.getlist("a") == ["q", "1"]
    assert request.data == b""
    assert request.get_data() == b""


def test_request_values_for_get_only_args():
    request = Request(
        make_environ(query="a=q", body=b"a=1", content_type="application/x-www-form-urlencoded")
    )
    assert request.values.getlist("a") == ["q"]
    assert request.form["a"] == "1"


def test_request_get_data_then_form():
    request = Request(
        make_environ(method="POST", body=b"abc", content_type="application/x-www-form-urlencoded")
    )
    assert request.get_data() == b"abc"
    assert request.form.to_dict() == {"abc": ""}
    assert request.get_data(as_text=True) == "abc"


def test_request_data_for_non_form_types():
    request = Request(make_environ(method="POST", body=b"a=1&b=%FF", content_type="text/plain"))
    assert not request.form
    assert request.data == b"a=1&b=%FF"
    assert request.get_data(as_text=True) == "a=1&b=%FF"


def test_request_stream_limited_to_content_length():
    environ = make_environ(method="POST", body=b"abcdef", CONTENT_LENGTH="3")
    request = Request(environ)
    assert request.get_data() == b"abc"
    assert request.stream.read() == b""
    assert environ["wsgi.input"].bytes_read == 3
    assert request.input_stream is environ["wsgi.input"]


def test_request_without_length_reads_nothing_unless_terminated():
    environ = make_environ(method="POST", **{"wsgi.input": CountingStream(b"abcdef")})
    assert Request(environ).get_data() == b""
    assert environ["wsgi.input"].bytes_read == 0
    environ["wsgi.input_terminated"] = True
    assert Request(environ).get_data() == b"abcdef"


def test_request_max_content_length_413_without_reading():
    environ = make_environ(
        method="POST", body=b"a=" + b"x" * 100, content_type="application/x-www-form-urlencoded"
    )
    request = Request(environ)
    request.max_content_length = 10
    with pytest.raises(RequestEntityTooLarge):
        request.form
    assert environ["wsgi.input"].bytes_read == 0


def test_request_max_content_length_on_terminated_stream():
    environ = make_environ(method="POST", **{"wsgi.input": CountingStream(b"x" * 100)})
    environ["wsgi.input_terminated"] = True
    request = Request(environ)
    request.max_content_length = 10
    with pytest.raises(RequestEntityTooLarge):
        request.get_data()


def test_request_max_form_memory_size_and_parts_defaults():
    request = Request(make_environ())
    assert request.max_form_memory_size == 500_000
    assert request.max_form_parts == 1000
    assert request.max_content_length is None
    request.max_form_parts = 2
    assert request.max_form_parts == 2


def test_request_multipart_files_and_close():
    body = (
        b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n"
        b"data\r\n--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n--b--\r\n"
    )
    with Request(
        make_environ(method="POST", body=body, content_type="multipart/form-data; boundary=b")
    ) as request:
        storage = request.files["f"]
        assert storage.filename == "a.txt"
        assert storage.read() == b"data"
        assert request.form["t"] == "v"
    assert storage.stream.closed


def test_request_too_many_parts_is_413():
    part = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
    body = part * 10_000 + b"--b--\r\n"
    request = Request(
        make_environ(method="POST", body=body, content_type="multipart/form-data; boundary=b")
    )
    with pytest.raises(RequestEntityTooLarge):
        request.form


def test_request_shallow_refuses_stream():
    request = Request(make_environ(method="POST", body=b"abc"), shallow=True)
    assert "werkzeug.request" not in request.environ
    with pytest.raises(RuntimeError, match="shallow"):
        request.stream
    with pytest.raises(RuntimeError):
        request.form
    assert not request.args


# --- Request: JSON ------------------------------------------------------------------------


def json_request(body, content_type="application/json"):
    return Request(make_environ(method="POST", body=body, content_type=content_type))


def test_request_json():
    request = json_request(b'{"a": 1}')
    assert request.is_json
    assert request.json == {"a": 1}
    assert request.get_json() is request.get_json()
    assert json_request(b"[]", "application/vnd.api+json").json == []


def test_request_invalid_json_is_400():
    request = json_request(b'{"a":')
    with pytest.raises(BadRequest) as info:
        request.json
    assert info.value.code == 400
    assert "Failed to decode JSON object" in info.value.description
    assert request.get_json(silent=True) is None


def test_request_wrong_content_type_is_415():
    request = json_request(b'{"a": 1}', "text/plain")
    assert not request.is_json
    with pytest.raises(UnsupportedMediaType) as info:
        request.get_json()
    assert info.value.code == 415
    assert "application/json" in info.value.description
    assert request.get_json(silent=True) is None
    assert request.get_json(force=True) == {"a": 1}


def test_request_invalid_utf8_json_is_400():
    with pytest.raises(BadRequest):
        json_request(b'{"a": "\xff"}').get_json()


def test_request_json_without_cache_reads_once():
    request = json_request(b'{"a": 1}')
    assert request.get_json(cache=False) == {"a": 1}
    assert "_cached_json" not in request.__dict__


# --- Request: Flask extras and helpers ----------------------------------------------------


def test_request_flask_routing_extras():
    request = Request(make_environ())
    assert request.url_rule is None
    assert request.view_args is None
    assert request.routing_exception is None
    assert request.endpoint is None
    assert request.blueprint is None
    assert request.blueprints == []

    class Rule:
        endpoint = "outer.inner.view"

    request.url_rule = Rule()
    assert request.endpoint == "outer.inner.view"
    assert request.blueprint == "outer.inner"
    assert request.blueprints == ["outer.inner", "outer"]


def test_request_application_decorator():
    @Request.application
    def app(request):
        if request.path == "/missing":
            raise NotFound()
        return Response("hi " + request.args.get("name", "?"))

    status, headers, body = run_validated(app, make_environ(query="name=bob"))
    assert status == "200 OK"
    assert body == b"hi bob"
    status, _, _ = run_validated(app, make_environ("/missing"))
    assert status == "404 NOT FOUND"


def test_request_lazy_attributes_can_be_overridden():
    request = Request(make_environ("/a", query="x=1"))
    request.args = ImmutableMultiDict({"y": "2"})
    assert request.args["y"] == "2"
    del request.args
    assert request.args["x"] == "1"
    request.path = "/b"
    assert request.path == "/b"


# --- Response: construction ------------------------------------------------------------


def test_response_defaults():
    response = Response("hello")
    assert response.status == "200 OK"
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Content-Length"] == "5"
    assert response.data == b"hello"
    assert response.get_data(as_text=True) == "hello"
    assert response.text == "hello"
    assert repr(response) == "<Response 5 bytes [200 OK]>"
    assert isinstance(response.headers, Headers)


def test_response_empty():
    response = Response()
    assert response.response == []
    assert response.get_data() == b""
    assert "Content-Length" not in response.headers
    assert response.get_wsgi_headers(make_environ())["Content-Length"] == "0"


@pytest.mark.parametrize(
    "status, line, code",
    [
        (201, "201 CREATED", 201),
        ("299 Custom", "299 Custom", 299),
        (999, "999 UNKNOWN", 999),
        ("abc", "0 abc", 0),
        (" 404 ", "404 NOT FOUND", 404),
        ("404", "404 NOT FOUND", 404),
    ],
)
def test_response_status_forms(status, line, code):
    response = Response(status=status)
    assert response.status == line
    assert response.status_code == code


def test_response_status_errors_and_setters():
    with pytest.raises(ValueError, match="Empty status argument"):
        Response(status="")
    response = Response()
    response.status_code = 418
    assert response.status == "418 I'M A TEAPOT"
    response.status = "500"
    assert response.status_code == 500


def test_response_mimetype_and_content_type_arguments():
    assert Response("x", mimetype="application/json").content_type == "application/json"
    assert Response("x", mimetype="image/png").content_type == "image/png"
    assert Response("x", mimetype="text/css").content_type == "text/css; charset=utf-8"
    assert Response("x", mimetype="image/svg+xml").content_type == "image/svg+xml; charset=utf-8"
    assert Response("x", content_type="text/plain").content_type == "text/plain"
    given = Response("x", headers={"Content-Type": "text/csv"})
    assert given.content_type == "text/csv"


def test_response_mimetype_setter_and_params():
    response = Response("a")
    response.mimetype = "application/json"
    assert response.content_type == "application/json"
    response.mimetype = "text/css"
    assert response.content_type == "text/css; charset=utf-8"
    response.mimetype_params["charset"] = "latin1"
    assert response.content_type == "text/css; charset=latin1"
    assert Response("x", content_type="text/plain; charset=latin1").mimetype_params == {
        "charset": "latin1"
    }


def test_response_headers_argument_forms():
    assert Response(b"x", headers=[("X", "1")]).headers["X"] == "1"
    assert Response(b"x", headers={"X": "2"}).headers["X"] == "2"
    headers = Headers([("X", "3")])
    assert Response(b"x", headers=headers).headers is headers


def test_response_header_values_with_newlines_refused():
    with pytest.raises(ValueError):
        Response("x", headers={"X": "a\nb"})
    response = Response("x")
    with pytest.raises(ValueError):
        response.headers["X-Evil"] = "a\r\nSet-Cookie: x=1"
    with pytest.raises(ValueError):
        response.location = "/a\r\nb"
    response.set_cookie("a", "b", path="/\r\nx")
    assert response.headers["Set-Cookie"] == "a=b; Path=/%0D%0Ax"


def test_response_set_data_and_unicode_length():
    response = Response("\u00e9")
    assert response.content_length == 2
    response.set_data(b"abc")
    assert response.content_length == 3
    response.data = "xy"
    assert response.get_data() == b"xy"
    assert response.headers["Content-Length"] == "2"


# --- Response: streaming --------------------------------------------------------------------


def test_response_generator_body():
    def generate():
        yield "a"
        yield b"b"

    response = Response(generate())
    assert response.is_streamed
    assert not response.is_sequence
    assert repr(response) == "<Response streamed [200 OK]>"
    assert response.get_data() == b"ab"
    assert response.is_sequence


def test_response_implicit_sequence_conversion_disabled():
    response = Response(iter([b"a"]))
    response.implicit_sequence_conversion = False
    with pytest.raises(RuntimeError, match="make_sequence"):
        response.get_data()
    response.make_sequence()
    assert response.get_data() == b"a"


def test_response_list_body_gets_content_length_at_send_time():
    response = Response(["a", "bb"])
    assert not response.is_streamed
    assert response.is_sequence
    assert response.content_length is None
    assert response.get_wsgi_headers(make_environ())["Content-Length"] == "3"
    assert "Content-Length" not in response.headers


def test_response_streamed_under_validator_and_close_called():
    closed = []

    class Body:
        def __iter__(self):
            yield b"one"
            yield "two"

        def close(self):
            closed.append("body")

    response = Response(Body())
    response.call_on_close(lambda: closed.append("callback"))
    status, headers, body = run_validated(response, make_environ())
    assert body == b"onetwo"
    assert closed == ["body", "callback"]
    assert ("Content-Length" not in dict(headers))


def test_response_direct_passthrough():
    response = Response(iter(["a", b"b"]), direct_passthrough=True)
    assert list(response.get_app_iter(make_environ())) == ["a", b"b"]
    with pytest.raises(RuntimeError):
        Response(iter([b"x"]), direct_passthrough=True).get_data()


def test_response_freeze():
    response = Response(iter([b"ab", "c"]))
    response.freeze()
    assert response.response == [b"ab", b"c"]
    assert response.headers["Content-Length"] == "3"
    assert response.headers["ETag"] == '"a9993e364706816aba3e25717850c26c9cd0d89d"'


# --- Response: WSGI -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        Response("hello"),
        Response(),
        Response(["a", "b"]),
        Response(b"x", status=201, headers={"X-A": "1"}),
        Response(b"x", status=204),
        Response(b"x", status=304),
        Response(b"moved", status=302, headers={"Location": "/a b/\u00e9"}),
        Response("x", status="299 Custom"),
        Response('{"a": 1}', mimetype="application/json"),
    ],
    ids=lambda r: "%s-%s" % (r.status_code, r.mimetype),
)
def test_responses_are_valid_wsgi(response):
    status, headers, body = run_validated(response, make_environ())
    assert status == response.status
    if response.status_code in (204, 304):
        assert body == b""


def test_response_head_has_no_body_but_length():
    status, headers, body = run_validated(Response("hello"), make_environ(method="HEAD"))
    assert body == b""
    assert ("Content-Length", "5") in headers


def test_response_no_body_statuses_drop_length():
    env = make_environ()
    assert "Content-Length" not in Response("abc", status=204).get_wsgi_headers(env)
    assert "Content-Length" not in Response("abc", status=101).get_wsgi_headers(env)
    not_modified = Response(
        b"x",
        status=304,
        headers={"Content-Encoding": "gzip", "Expires": "x", "Content-Location": "/x"},
    ).get_wsgi_headers(env)
    assert list(not_modified) == [("Expires", "x"), ("Content-Location", "/x")]
    no_content = Response(b"x", status=204, headers={"Content-Encoding": "gzip"})
    assert "Content-Encoding" in no_content.get_wsgi_headers(env)


def test_response_location_is_not_autocorrected_but_quoted():
    response = Response(b"x", headers={"Location": "/a b/\u00e9?x=\u00e9"})
    assert response.get_wsgi_headers(make_environ())["Location"] == "/a%20b/%C3%A9?x=%C3%A9"
    assert response.headers["Location"] == "/a b/\u00e9?x=\u00e9"
    response.autocorrect_location_header = True
    assert response.get_wsgi_headers(make_environ())["Location"].startswith("http://localhost/a%20b")


def test_response_get_wsgi_response():
    app_iter, status, headers = Response("hi", status=201).get_wsgi_response(make_environ())
    assert status == "201 CREATED"
    assert headers == [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "2")]
    assert b"".join(app_iter) == b"hi"


def test_response_from_app_and_force_type():
    def app(environ, start_response):
        start_response("201 CREATED", [("Content-Type", "text/plain"), ("X", "1")])
        return [b"made ", b"here"]

    response = Response.from_app(app, make_environ())
    assert response.status_code == 201
    assert response.headers["X"] == "1"
    assert response.get_data() == b"made here"
    forced = Response.force_type(app, make_environ())
    assert isinstance(forced, Response)
    assert forced.get_data() == b"made here"
    with pytest.raises(TypeError):
        Response.force_type(app)

    class MyResponse(Response):
        pass

    original = Response("x")
    assert isinstance(MyResponse.force_type(original), MyResponse)


def test_response_from_app_with_write_callable_and_late_start():
    def write_app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"early ")
        return [b"late"]

    assert Response.from_app(write_app, make_environ()).get_data() == b"early late"

    def generator_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"gen"

    assert Response.from_app(generator_app, make_environ(), buffered=True).data == b"gen"
    assert Response.from_app(generator_app, make_environ()).data == b"gen"


# --- Response: headers as properties ----------------------------------------------------------


def test_response_date_properties():
    response = Response()
    moment = datetime(2020, 1, 1, tzinfo=timezone.utc)
    response.last_modified = moment
    response.expires = 0
    response.date = moment
    assert response.headers["Last-Modified"] == "Wed, 01 Jan 2020 00:00:00 GMT"
    assert response.headers["Expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert response.last_modified == moment
    assert response.date == moment
    response.expires = None
    assert "Expires" not in response.headers


def test_response_age_retry_after_and_lengths():
    response = Response()
    response.content_length = 5
    response.age = 10
    response.retry_after = 120
    assert response.headers["Content-Length"] == "5"
    assert response.headers["Age"] == "10"
    assert response.age == timedelta(seconds=10)
    assert response.headers["Retry-After"] == "120"
    assert response.retry_after > datetime.now(timezone.utc)
    assert Response().retry_after is None


def test_response_header_sets_write_back():
    response = Response("a")
    response.vary.add("Cookie")
    response.vary.add("Accept")
    assert response.headers["Vary"] == "Cookie, Accept"
    response.allow = ["GET", "HEAD"]
    assert response.headers["Allow"] == "GET, HEAD"
    assert "GET" in response.allow
    response.content_language = "de"
    assert response.headers["Content-Language"] == "de"


def test_response_cache_control_writes_back():
    response = Response("a")
    response.cache_control.max_age = 5
    response.cache_control.public = True
    assert response.headers["Cache-Control"] == "max-age=5, public"
    assert response.cache_control.max_age == 5


def test_response_location_and_simple_headers():
    response = Response()
    response.location = "/relative"
    assert response.headers["Location"] == "/relative"
    response.content_encoding = "gzip"
    response.accept_ranges = "bytes"
    response.access_control_allow_origin = "*"
    response.access_control_allow_credentials = True
    assert response.content_encoding == "gzip"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.access_control_allow_origin == "*"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.access_control_allow_credentials


def test_response_content_range_property():
    response = Response()
    response.content_range = "bytes 0-4/10"
    assert response.content_range.start == 0
    assert response.content_range.stop == 5
    assert response.content_range.length == 10
    response.content_range = None
    assert "Content-Range" not in response.headers


def test_response_www_authenticate():
    response = Response(status=401)
    response.www_authenticate = 'Basic realm="x"'
    assert response.www_authenticate.type == "basic"
    assert response.www_authenticate.parameters["realm"] == "x"


# --- Response: cookies and ETags --------------------------------------------------------------


def test_response_set_and_delete_cookie():
    response = Response()
    response.set_cookie("a", "b c", max_age=10, httponly=True, samesite="Lax")
    response.delete_cookie("z")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies[0].startswith('a="b c"; Expires=')
    assert "Max-Age=10; HttpOnly; Path=/; SameSite=Lax" in cookies[0]
    assert cookies[1] == "z=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    assert response.max_cookie_size == 4093


def test_response_etags():
    response = Response()
    response.add_etag()
    assert response.headers["ETag"] == '"da39a3ee5e6b4b0d3255bfef95601890afd80709"'
    response.set_etag("x", weak=True)
    assert response.get_etag() == ("x", True)
    assert response.headers["ETag"] == 'W/"x"'
    response.add_etag()
    assert response.get_etag() == ("x", True)
    assert Response().get_etag() == (None, None)


# --- Response: conditional and range requests ---------------------------------------------------


def test_make_conditional_304_on_if_none_match():
    response = Response("hello")
    response.set_etag("abc")
    response.make_conditional(make_environ(HTTP_IF_NONE_MATCH='"abc"'))
    assert response.status_code == 304
    assert "Date" in response.headers
    status, headers, body = run_validated(response, make_environ())
    assert body == b""


def test_make_conditional_304_on_if_modified_since():
    response = Response("hello")
    response.last_modified = datetime(2020, 1, 1, tzinfo=timezone.utc)
    response.make_conditional(make_environ(HTTP_IF_MODIFIED_SINCE="Wed, 01 Jan 2020 00:00:00 GMT"))
    assert response.status_code == 304


def test_make_conditional_412_on_if_match_failure():
    response = Response("hello")
    response.set_etag("abc")
    response.make_conditional(make_environ(HTTP_IF_MATCH='"zzz"'))
    assert response.status_code == 412
    ok = Response("hello")
    ok.set_etag("abc")
    ok.make_conditional(make_environ(HTTP_IF_MATCH='"abc"'))
    assert ok.status_code == 200


def test_make_conditional_accepts_request_object():
    response = Response("hello")
    response.set_etag("abc")
    response.make_conditional(Request(make_environ(HTTP_IF_NONE_MATCH='"abc"')))
    assert response.status_code == 304


def test_make_conditional_range():
    response = Response("hello world")
    response.make_conditional(
        make_environ(HTTP_RANGE="bytes=0-4"), accept_ranges=True, complete_length=11
    )
    assert response.status_code == 206
    assert response.headers["Content-Range"] == "bytes 0-4/11"
    assert response.headers["Content-Length"] == "5"
    assert response.headers["Accept-Ranges"] == "bytes"
    status, headers, body = run_validated(response, make_environ())
    assert body == b"hello"


def test_make_conditional_range_ignored_without_length_or_for_post():
    response = Response("hello world")
    response.make_conditional(make_environ(HTTP_RANGE="bytes=0-4"))
    assert response.status_code == 200
    assert "Accept-Ranges" not in response.headers
    post = Response("hello world")
    post.make_conditional(
        make_environ(method="POST", HTTP_RANGE="bytes=0-4"), accept_ranges=True, complete_length=11
    )
    assert post.status_code == 200
    assert "Date" not in post.headers


def test_make_conditional_accept_ranges_header_without_range():
    response = Response("hello world")
    response.make_conditional(make_environ(), accept_ranges=True, complete_length=11)
    assert response.status_code == 200
    assert response.headers["Accept-Ranges"] == "bytes"


def test_make_conditional_unsatisfiable_range_is_416():
    response = Response("hello world")
    with pytest.raises(RequestedRangeNotSatisfiable) as info:
        response.make_conditional(
            make_environ(HTTP_RANGE="bytes=20-30"), accept_ranges=True, complete_length=11
        )
    assert info.value.code == 416


def test_make_conditional_range_on_file_body():
    response = Response(io.BytesIO(b"0123456789"), direct_passthrough=True)
    response.make_conditional(
        make_environ(HTTP_RANGE="bytes=2-4"), accept_ranges=True, complete_length=10
    )
    assert response.status_code == 206
    assert b"".join(response.get_app_iter(make_environ())) == b"234"


# --- Response: JSON ------------------------------------------------------------------------------


def test_response_json_helpers():
    response = Response(json.dumps({"a": 1}), mimetype="application/json")
    assert response.is_json
    assert response.json == {"a": 1}
    assert response.get_json() == {"a": 1}
    assert Response("x").json is None
    assert Response("[1]").get_json(force=True) == [1]
    bad = Response("{", mimetype="application/json")
    assert bad.get_json(silent=True) is None
    with pytest.raises(ValueError):
        bad.get_json()


def test_response_context_manager_closes():
    closed = []
    with Response(iter([b"x"])) as response:
        response.call_on_close(lambda: closed.append(True))
    assert closed == [True]


def test_make_conditional_range_over_chunked_iterable():
    for body in (["01", "234", "56789"], iter([b"0", b"", b"123456789"])):
        response = Response(body)
        response.make_conditional(
            make_environ(HTTP_RANGE="bytes=2-5"), accept_ranges=True, complete_length=10
        )
        assert response.get_data() == b"2345"
        assert response.headers["Content-Length"] == "4"


def test_make_conditional_range_streams_file_without_reading_it_all():
    source = CountingStream(b"x" * 1_000_000)
    response = Response(source, direct_passthrough=True)
    response.make_conditional(
        make_environ(HTTP_RANGE="bytes=10-19"), accept_ranges=True, complete_length=1_000_000
    )
    status, headers, body = run_validated(response, make_environ())
    assert body == b"x" * 10
    assert source.bytes_read == 10
    assert ("Content-Range", "bytes 10-19/1000000") in headers


# --- odd header values and Flask integration ---------------------------------------------


def test_response_unparsable_header_values_read_as_default():
    from microflask.http import COOP

    response = Response()
    response.headers["Content-Length"] = "abc"
    response.headers["Age"] = "soon"
    response.headers["Cross-Origin-Opener-Policy"] = "bogus"
    assert response.content_length is None
    assert response.age is None
    assert response.cross_origin_opener_policy is COOP.UNSAFE_NONE
    response.cross_origin_opener_policy = COOP.SAME_ORIGIN
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_limits_and_json_follow_the_flask_app_config():
    # Flask's Request (microflask.Request) reads the app; the toolkit's does not.
    app_module = pytest.importorskip("microflask.app")
    from microflask import Request as FlaskRequest

    app = app_module.Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5
    app.config["MAX_FORM_PARTS"] = 7
    with app.app_context():
        assert Request(make_environ()).max_content_length is None
        assert Request(make_environ()).max_form_parts == 1000
        request = FlaskRequest(make_environ(method="POST", body=b"0123456789"))
        assert request.max_content_length == 5
        assert request.max_form_parts == 7
        with pytest.raises(RequestEntityTooLarge):
            request.get_data()
        request.max_content_length = 100
        assert request.max_content_length == 100
        bad = FlaskRequest(make_environ(method="POST", body=b"{", content_type="application/json"))
        with pytest.raises(BadRequest) as info:
            bad.get_json()
        # Outside debug mode Flask keeps the parser's message from clients.
        assert "Failed to decode" not in info.value.description
    assert Request(make_environ()).max_content_length is None


# --- parity with the peer (outputs recorded in tests/fixtures) ------------------------------

PEER_OUTPUTS = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "wrappers_peer_outputs.json").read_text("utf-8")
)


def attempt(fn):
    try:
        return {"ok": fn()}
    except Exception as error:  # compare the error type only
        return {"error": type(error).__name__}


def peer_base_environ(**extra):
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
    }
    environ.update(extra)
    return environ


def describe_request(request):
    # Twin of describe_request() in tests/fixtures/make_wrappers_fixtures.py.
    return {
        "method": request.method,
        "path": request.path,
        "script_root": request.script_root,
        "full_path": request.full_path,
        "url": request.url,
        "base_url": request.base_url,
        "root_url": request.root_url,
        "host_url": request.host_url,
        "host": request.host,
        "query_string": request.query_string.decode("latin-1"),
        "args": [list(pair) for pair in request.args.items(multi=True)],
        "cookies": [list(pair) for pair in request.cookies.items(multi=True)],
        "access_route": list(request.access_route),
        "mimetype": request.mimetype,
        "mimetype_params": dict(request.mimetype_params),
        "content_length": request.content_length,
        "is_json": request.is_json,
        "is_secure": request.is_secure,
    }


@pytest.mark.parametrize("index", range(len(PEER_OUTPUTS["request_url"])))
def test_request_url_parts_match_peer(index):
    case = PEER_OUTPUTS["request_url"][index]
    environ = peer_base_environ(**case["environ"])
    environ["wsgi.input"] = io.BytesIO()
    assert attempt(lambda: describe_request(Request(environ))) == case["result"]


def peer_body_environ(case):
    body = case["body"].encode("latin-1")
    environ = peer_base_environ(REQUEST_METHOD=case.get("method", "POST"), QUERY_STRING="q=1")
    environ["wsgi.input"] = io.BytesIO(body)
    if case.get("ct") is not None:
        environ["CONTENT_TYPE"] = case["ct"]
    content_length = case.get("cl", "auto")
    if content_length == "auto":
        environ["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    if case.get("terminated"):
        environ["wsgi.input_terminated"] = True
    return environ


def describe_files(files):
    return [[k, v.filename, v.read().decode("latin-1")] for k, v in files.items(multi=True)]


BODY_OPERATIONS = {
    "form": lambda r: [[list(p) for p in r.form.items(multi=True)], describe_files(r.files)],
    "data": lambda r: r.data.decode("latin-1"),
    "data_then_form": lambda r: [
        r.get_data().decode("latin-1"),
        [list(p) for p in r.form.items(multi=True)],
    ],
    "values": lambda r: [list(p) for p in r.values.items(multi=True)],
    "json": lambda r: r.json,
    "json_silent": lambda r: r.get_json(silent=True),
    "json_force": lambda r: r.get_json(force=True),
    "text": lambda r: r.get_data(as_text=True),
}


@pytest.mark.parametrize("index", range(len(PEER_OUTPUTS["request_body"])))
def test_request_body_handling_matches_peer(index):
    case = PEER_OUTPUTS["request_body"][index]
    for name, operation in BODY_OPERATIONS.items():
        result = attempt(lambda: operation(Request(peer_body_environ(case["case"]))))
        assert result == case["results"][name], name


def peer_response_cases():
    # Twin of response_cases() in tests/fixtures/make_wrappers_fixtures.py.
    def generate():
        yield "a"
        yield b"b"

    R = Response
    return {
        "str": lambda: R("hello"),
        "bytes_201": lambda: R(b"hello", 201),
        "list": lambda: R(["a", "b"]),
        "tuple": lambda: R(("a", b"b")),
        "generator": lambda: R(generate()),
        "empty": lambda: R(),
        "304": lambda: R(
            "x", 304, {"ETag": '"x"', "Content-Type": "text/plain", "Last-Modified": "y"}
        ),
        "location_iri": lambda: R("x", headers={"Location": "/a b/\u00e9"}, status=302),
        "location_idna": lambda: R(
            "x", headers={"Location": "http://\u00fcber.com/a?b=\u00e9#frag"}, status=302
        ),
        "location_quoted": lambda: R("x", headers={"Location": "/q%20d?x=%C3%A9"}, status=302),
        "xml": lambda: R("x", mimetype="application/xml"),
        "svg": lambda: R("x", mimetype="image/svg+xml"),
        "json": lambda: R("x", content_type="application/json"),
        "header_type_wins": lambda: R("x", headers=[("Content-Type", "text/plain")]),
        "bytearray": lambda: R(bytearray(b"ab")),
        "status_100": lambda: R("x", status=100),
        "status_str": lambda: R("x", status="200"),
        "status_custom": lambda: R("x", status="299 Custom"),
        "status_unknown": lambda: R("x", status=599),
        "status_text_only": lambda: R("x", status="abc"),
    }


def describe_response(response, method):
    environ = peer_base_environ(REQUEST_METHOD=method)
    environ["wsgi.input"] = io.BytesIO()
    app_iter, status, headers = response.get_wsgi_response(environ)
    body = b"".join(app_iter)
    return {
        "status": status,
        "status_code": response.status_code,
        "headers": [list(pair) for pair in headers],
        "body": body.decode("latin-1"),
        "repr_kind": repr(response).split(" ", 1)[1],
    }


@pytest.mark.parametrize("name", sorted(PEER_OUTPUTS["response"]))
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_response_wsgi_output_matches_peer(name, method):
    make = peer_response_cases()[name]
    expected = PEER_OUTPUTS["response"][name][method]
    assert attempt(lambda: describe_response(make(), method)) == expected


def test_response_subclass_close_is_called_by_the_server():
    closed = []

    class ClosingResponse(Response):
        def close(self):
            closed.append(True)
            super().close()

    run_validated(ClosingResponse("x"), make_environ())
    assert closed == [True]
    # The fast path (a plain bytes body) still closes callbacks it registered.
    response = Response("y")
    response.call_on_close(lambda: closed.append("callback"))
    run_validated(response, make_environ())
    assert closed == [True, "callback"]


def test_response_stream_writes_append_to_body():
    response = Response("foo")
    response.stream.write("bar")
    assert response.stream.write(b"!") == 1
    assert response.get_data() == b"foobar!"
    assert "Content-Length" not in response.headers
    assert response.stream.tell() == 7
    assert response.get_wsgi_headers(make_environ())["Content-Length"] == "7"
    response.stream.close()
    with pytest.raises(ValueError):
        response.stream.write(b"x")


def form_request(data=b"foo=Hello+World"):
    return Request(
        make_environ(method="POST", body=data, content_type="application/x-www-form-urlencoded")
    )


def test_request_get_data_and_form_caching_rules():
    data = b"foo=Hello+World"
    request = form_request()
    assert request.get_data() == data
    assert request.form["foo"] == "Hello World"
    assert request.get_data() == data
    request = form_request()
    assert request.form["foo"] == "Hello World"
    assert request.get_data() == b""
    request = form_request()
    assert request.get_data(cache=False) == data
    assert request.get_data(cache=False) == b""
    assert request.form == {}
    request = form_request()
    assert request.get_data(parse_form_data=True) == b""
    assert request.form["foo"] == "Hello World"


def test_request_stream_can_be_replaced_before_parsing():
    class LowercasingStream:
        def __init__(self, stream):
            self._stream = stream

        def read(self, size=-1):
            return self._stream.read(size).lower()

    request = form_request()
    request.stream = LowercasingStream(request.stream)
    assert request.form["foo"] == "hello world"


def test_request_url_decodes_query_escapes_that_keep_the_meaning():
    escaped = "http%3A%2F%2Fwww.example.com%2F%3Fnext%3D%2Fbaz%23my%3Dhash"
    request = Request(make_environ("/bar", query="next=" + escaped))
    assert request.full_path == "/bar?next=" + escaped
    # ``:``, ``/`` and ``?`` read as themselves; ``=`` and ``#`` stay escaped.
    assert request.url == "http://localhost/bar?next=http://www.example.com/?next%3D/baz%23my%3Dhash"


def test_request_url_query_escapes_for_separators_controls_and_bad_utf8():
    query = "a=%26%2B%25%20%0A%7F&b=%C3%A9%CF&c=%zz&d=#"
    request = Request(make_environ("/q", query=query))
    assert request.url == "http://localhost/q?a=%26%2B%25%20%0A%7F&b=\u00e9%CF&c=%zz&d=%23"


def test_request_url_raw_undecodable_query_byte_is_escaped():
    environ = make_environ("/q")
    environ["QUERY_STRING"] = "meh=\xcf"
    assert Request(environ).url == "http://localhost/q?meh=%CF"


@pytest.mark.parametrize(
    ("location", "sent"),
    [
        ("/\\\\evil.example?q", "/%5C%5Cevil.example?q"),
        ('/a"<>^`{|}[]x?q=[1]#f[g]', "/a%22%3C%3E%5E%60%7B%7C%7D%5B%5Dx?q=%5B1%5D#f%5Bg%5D"),
        ("http://[::1]:5000/a b", "http://[::1]:5000/a%20b"),
        ("/plain/path?x=1&y=$#top", "/plain/path?x=1&y=$#top"),
    ],
)
def test_location_header_escapes_characters_a_url_may_not_carry(location, sent):
    response = Response("x")
    response.headers["Location"] = location
    assert response.get_wsgi_headers(make_environ())["Location"] == sent


def test_www_authenticate_can_be_deleted():
    response = Response()
    response.www_authenticate.type = "basic"
    response.www_authenticate = 'Basic realm="x"'
    assert "WWW-Authenticate" in response.headers
    del response.www_authenticate
    assert "WWW-Authenticate" not in response.headers


def test_request_built_from_sansio_parts():
    headers = Headers([
        ("Cookie", "a=b"), ("Content-Type", "text/plain"), ("Cookie", "a=c"),
        ("Content-Length", "+12"), ("X-Tag", "1"), ("X-Tag", "2"),
    ])
    request = Request("post", "https", ("example.com", 8443), "/root", "/p\u00e9", b"q=1",
                      headers, "10.0.0.1")
    assert request.method == "POST"
    assert request.url == "https://example.com:8443/root/p\u00e9?q=1"
    assert request.path == "/p\u00e9" and request.root_path == "/root"
    assert request.remote_addr == "10.0.0.1"
    assert request.cookies.getlist("a") == ["b", "c"]
    assert request.mimetype == "text/plain"
    assert request.content_length == 0  # "+12" is not a plain length
    assert request.headers["X-Tag"] == "1, 2"
    chunked = Headers([("Transfer-Encoding", "chunked"), ("Content-Length", "6")])
    assert Request("GET", "http", None, "", "", b"", chunked, None).content_length is None
    assert "werkzeug.request" not in request.environ


def test_json_error_text_keeps_ascii_messages_and_gives_the_position_for_others():
    from microflask.wrappers import _json_error_text

    ascii_error = json.JSONDecodeError("Expecting value", "x", 0)
    assert _json_error_text(ascii_error) == str(ascii_error)
    # PyPy's message for a non-ASCII character (its string is malformed there)
    quoting_error = json.JSONDecodeError("Unexpected '\xff'", "a\n\xff", 2)
    assert _json_error_text(quoting_error) == "invalid JSON: line 2 column 1 (char 2)"
    assert _json_error_text(ValueError("nested too deeply")) == "nested too deeply"
