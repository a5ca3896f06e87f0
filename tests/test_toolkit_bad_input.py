"""Bad input, end to end: a tiny ``Request.application`` app behind
``wsgiref.validate.validator``, driven by microflask's test Client.

Every case must end in a clear 4xx (or a well-formed 200 where the peer
accepts the input), never a 500, a hang, or a malformed response.
"""

import io
import json
from wsgiref.validate import validator

import pytest

from microflask.testing import Client, EnvironBuilder, create_environ
from microflask.wrappers import Request, Response


class LimitedRequest(Request):
    max_content_length = 1000
    max_form_memory_size = 500
    max_form_parts = 100


def _reply(request):
    what = request.args.get("what", "form")
    if what == "form":
        body = {"form": request.form.to_dict(), "files": sorted(request.files)}
    elif what == "json":
        body = request.get_json()
    elif what == "data":
        body = len(request.get_data())
    elif what == "path":
        body = {"path": request.path, "args": request.args.to_dict()}
    elif what == "cookies":
        body = request.cookies.to_dict()
    elif what == "header":
        body = request.headers.get("X-Thing")
    elif what == "crlf":
        response = Response("never sent")
        response.headers["X-Bad"] = request.args.get("value", "a\r\nInjected: 1")
        return response
    else:
        body = None
    return Response(json.dumps(body), mimetype="application/json")


@LimitedRequest.application
def limited_app(request):
    return _reply(request)


class BufferedClient(Client):
    """Read each body whole so the validator sees every app iterator closed."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def client():
    return BufferedClient(validator(limited_app), use_cookies=False)


class CountingStream(io.BytesIO):
    """A request body that records how many bytes the app pulled from it."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def _multipart_environ(**overrides):
    builder = EnvironBuilder(
        method="POST",
        query_string="what=form",
        data={"a": "1", "upload": (io.BytesIO(b"file content"), "f.txt")},
    )
    environ = builder.get_environ()
    environ.update(overrides)
    return environ


def _send_environ(client, environ):
    """Send a raw environ exactly as built (a Request is passed through untouched)."""
    return client.open(Request(environ))


# -- sizes ---------------------------------------------------------------------------


def test_oversized_form_body_is_413_without_reading(client):
    body = CountingStream(b"a=" + b"x" * 100_000)
    response = client.post(
        "/?what=form", input_stream=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert body.bytes_read == 0


def test_oversized_raw_body_is_413_without_reading(client):
    body = CountingStream(b"x" * 100_000)
    response = client.post("/?what=data", input_stream=body)
    assert response.status_code == 413
    assert body.bytes_read == 0


def test_body_at_the_limit_is_accepted(client):
    response = client.post("/?what=data", data=b"x" * 1000)
    assert response.status_code == 200
    assert response.json == 1000


def test_huge_form_field_is_413(client):
    response = client.post(
        "/?what=form", data={"big": "x" * 800}, content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_ten_thousand_parts_hit_max_form_parts():
    @Request.application
    def app(request):
        request.max_form_parts = 1000
        request.max_content_length = None
        return Response(str(len(request.form)))

    parts = "".join(
        f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n' for i in range(10_000)
    )
    body = (parts + "--b--\r\n").encode()
    client = BufferedClient(validator(app))
    response = client.post("/", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    small = "".join(
        f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n' for i in range(50)
    )
    response = client.post(
        "/", data=(small + "--b--\r\n").encode(), content_type="multipart/form-data; boundary=b"
    )
    assert response.get_data() == b"50"


# -- malformed multipart -----------------------------------------------------------------


def test_multipart_without_content_length_is_not_parsed(client):
    environ = _multipart_environ()
    del environ["CONTENT_LENGTH"]
    response = _send_environ(client, environ)
    # Without a length the body cannot be delimited: nothing is read.
    assert response.status_code in (200, 411)
    if response.status_code == 200:
        assert response.json == {"form": {}, "files": []}


def test_truncated_multipart_is_not_a_server_error(client):
    environ = _multipart_environ()
    body = environ["wsgi.input"].read()
    truncated = body[:-30]
    environ["wsgi.input"] = io.BytesIO(truncated)
    environ["CONTENT_LENGTH"] = str(len(truncated))
    response = _send_environ(client, environ)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "upload" not in response.json["files"]


def test_body_cut_short_of_content_length_is_400(client):
    environ = _multipart_environ()
    body = environ["wsgi.input"].read()
    cut = body[: len(body) // 2]  # the client went away mid-upload
    environ["wsgi.input"] = io.BytesIO(cut)
    environ["CONTENT_LENGTH"] = str(len(body))
    response = _send_environ(client, environ)
    assert response.status_code == 400


def test_complete_body_with_overstated_length_is_not_a_server_error(client):
    environ = _multipart_environ()
    body = environ["wsgi.input"].read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body) + 50)
    response = _send_environ(client, environ)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"garbage without any boundary", 'multipart/form-data; boundary="xyz"'),
        (b"--x\r\n", "multipart/form-data"),
        (b"--xyz\r\nno headers end", "multipart/form-data; boundary=xyz"),
        (b"--xyz\r\n\r\n\r\n--xyz--\r\n", "multipart/form-data; boundary=xyz"),
        (b"--xyz--\r\n", "multipart/form-data; boundary=xyz"),
        (b"\xff\xfe\x00garbage", "multipart/form-data; boundary=" + "z" * 300),
        (b"--xyz" + b" " * 900, "multipart/form-data; boundary=xyz"),
        (
            b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--xyz-",
            "multipart/form-data; boundary=xyz",
        ),
        (
            b"--xyz\r\nContent-Disposition: form-data; name=a; filename=f\r\n\r\n\r\r\n--xy",
            "multipart/form-data; boundary=xyz",
        ),
        (
            b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n"
            + b"x" * 600
            + b"\r\n--xyz--",
            "multipart/form-data; boundary=xyz",
        ),
    ],
)
def test_malformed_multipart_is_not_a_server_error(client, body, content_type):
    response = client.post("/?what=form", data=body, content_type=content_type)
    assert response.status_code in (200, 400, 413)


def test_a_part_with_no_body_line_before_the_next_boundary_is_an_empty_value(client):
    body = (
        b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n"
        b"--xyz\r\nContent-Disposition: form-data; name=b\r\n\r\nv\r\n--xyz--\r\n"
    )
    response = client.post(
        "/?what=form", data=body, content_type="multipart/form-data; boundary=xyz"
    )
    assert response.json == {"form": {"a": "", "b": "v"}, "files": []}


def test_valid_multipart_still_parses(client):
    response = _send_environ(client, _multipart_environ())
    assert response.status_code == 200
    assert response.json == {"form": {"a": "1"}, "files": ["upload"]}


# -- headers, cookies, JSON -----------------------------------------------------------------


def test_duplicated_headers_are_joined(client):
    response = client.get("/?what=header", headers=[("X-Thing", "1"), ("X-Thing", "2")])
    assert response.json == "1, 2"


def test_huge_header_arrives_intact(client):
    value = "y" * 100_000
    response = client.get("/?what=header", headers=[("X-Thing", value)])
    assert response.status_code == 200
    assert response.json == value


@pytest.mark.parametrize(
    "header",
    [
        'a=1; ;;b; =c; d="unterminated; e=\\xff\\"',
        'a=1; b="x\\"y"; c=\\303\\251; d="\\377"',
        "a=1; " + "k" * 5000 + "=v",
        "a=1; \x00=\x01",
    ],
)
def test_invalid_cookies_do_not_break_parsing(client, header):
    environ = create_environ("/?what=cookies")
    environ["HTTP_COOKIE"] = header  # raw, as a server would pass it on
    response = _send_environ(client, environ)
    assert response.status_code == 200
    assert response.json["a"] == "1"


@pytest.mark.parametrize("body", ["{not json", "", "[1, 2", "\xff"])
def test_invalid_json_is_400(client, body):
    response = client.post("/?what=json", data=body, content_type="application/json")
    assert response.status_code == 400


def test_json_with_wrong_content_type_is_415(client):
    response = client.post("/?what=json", data="{}", content_type="text/plain")
    assert response.status_code == 415


def test_invalid_utf8_json_body_is_400(client):
    response = client.post("/?what=json", data=b'{"a": "\xff"}', content_type="application/json")
    assert response.status_code == 400


# -- paths and queries ---------------------------------------------------------------------


def test_invalid_utf8_in_path_and_query(client):
    environ = create_environ("/")
    environ["PATH_INFO"] = "/\xff\xfe"  # raw bytes 0xFF 0xFE carried as latin-1
    environ["QUERY_STRING"] = "what=path&x=%ff%fe&y=%zz&z=%&w=%C3%A9"
    response = _send_environ(client, environ)
    assert response.status_code == 200
    data = response.json
    assert data["path"] == "/\ufffd\ufffd"
    assert data["args"]["what"] == "path"
    assert data["args"]["y"] == "%zz"
    assert data["args"]["z"] == "%"
    assert data["args"]["w"] == "\xe9"
    assert isinstance(data["args"]["x"], str)


def test_percent_escapes_in_path_through_builder(client):
    response = client.get("/a%2Fb%20c%ZZ?what=path&q=%E2%9C%93")
    assert response.status_code == 200
    assert response.json["path"] == "/a/b c%ZZ"
    assert response.json["args"]["q"] == "\u2713"


# -- CR/LF set by the app -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a\r\nInjected: 1", "a\nb", "a\rb"])
def test_crlf_in_header_value_set_by_app_is_refused(value):
    client = BufferedClient(validator(limited_app))
    with pytest.raises(ValueError):
        client.get("/", query_string={"what": "crlf", "value": value})


def test_crlf_in_response_constructor_headers_is_refused():
    with pytest.raises(ValueError):
        Response("x", headers={"X-Bad": "a\r\nb"})
    response = Response("x")
    with pytest.raises(ValueError):
        response.headers.add("X-Bad", "a\nb")


def test_head_and_plain_get_pass_the_validator(client):
    assert client.head("/?what=none").status_code == 200
    assert client.get("/?what=none").json is None
