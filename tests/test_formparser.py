"""Tests for microflask.formparser: urlencoded and streaming multipart bodies."""

import io
import json
import pathlib

import pytest

from microflask.datastructures import Headers, MultiDict
from microflask.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from microflask.formparser import (
    Data,
    Epilogue,
    Field,
    File,
    MultipartDecoder,
    MultipartEncoder,
    NeedData,
    Preamble,
    FormDataParser,
    MultiPartParser,
    default_stream_factory,
    parse_form_data,
)

SIMPLE_BODY = (
    b"--foo\r\n"
    b'Content-Disposition: form-data; name="a"\r\n\r\n'
    b"hello\r\n"
    b"--foo\r\n"
    b'Content-Disposition: form-data; name="f"; filename="x.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
    b"file data\r\n"
    b"--foo--\r\n"
)


class CountingStream(io.BytesIO):
    """A BytesIO that remembers how many bytes were read from it."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


def make_environ(body, content_type, content_length=True, **extra):
    environ = {
        "REQUEST_METHOD": "POST",
        "wsgi.input": CountingStream(body),
        "CONTENT_TYPE": content_type,
    }
    if content_length is True:
        environ["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    environ.update(extra)
    return environ


def multipart(*parts, boundary=b"foo", newline=b"\r\n"):
    """Build a multipart body from (headers_bytes, data_bytes) pairs."""
    out = []
    for headers, data in parts:
        out.append(b"--" + boundary + newline + headers + newline + newline + data + newline)
    out.append(b"--" + boundary + b"--" + newline)
    return b"".join(out)


def field(name, value):
    return (b'Content-Disposition: form-data; name="' + name + b'"', value)


def parse(body, boundary="foo", silent=False, **kwargs):
    environ = make_environ(body, "multipart/form-data; boundary=" + boundary)
    return parse_form_data(environ, silent=silent, **kwargs)


# --- urlencoded ------------------------------------------------------------


def test_urlencoded_basic_pairs():
    stream, form, files = parse_form_data(
        make_environ(b"a=1&b=2&c&a=3", "application/x-www-form-urlencoded")
    )
    assert form.getlist("a") == ["1", "3"]
    assert form["b"] == "2"
    assert form["c"] == ""
    assert not files
    assert type(form) is MultiDict


def test_urlencoded_plus_percent_and_semicolon():
    _, form, _ = parse_form_data(
        make_environ(b"a=1;b=2&c=%41+x&=z&&d=", "application/x-www-form-urlencoded")
    )
    assert list(form.items(multi=True)) == [("a", "1;b=2"), ("c", "A x"), ("", "z"), ("d", "")]


def test_urlencoded_invalid_percent_utf8_is_kept_quoted():
    _, form, _ = parse_form_data(
        make_environ(b"a=%FF%41&b=%ZZ", "application/x-www-form-urlencoded")
    )
    assert form["a"] == "%FFA"
    assert form["b"] == "%ZZ"


def test_urlencoded_raw_invalid_utf8_body_is_silently_empty():
    _, form, _ = parse_form_data(make_environ(b"a=\xff", "application/x-www-form-urlencoded"))
    assert not form
    with pytest.raises(ValueError):
        parse_form_data(make_environ(b"a=\xff", "application/x-www-form-urlencoded"), silent=False)


def test_urlencoded_memory_limit_checked_before_reading():
    environ = make_environ(b"a=" + b"x" * 1000, "application/x-www-form-urlencoded")
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(environ, max_form_memory_size=100)
    assert environ["wsgi.input"].bytes_read == 0


def test_urlencoded_memory_limit_while_reading_without_length():
    environ = make_environ(
        b"a=" + b"x" * 1000,
        "application/x-www-form-urlencoded",
        content_length=None,
        **{"wsgi.input_terminated": True},
    )
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(environ, max_form_memory_size=100)


def test_unknown_mimetype_gives_empty_and_unread_stream():
    stream, form, files = parse_form_data(make_environ(b"a=1", "text/plain"))
    assert not form and not files
    assert stream.read() == b"a=1"


def test_content_length_limits_input_stream():
    environ = make_environ(b"a=1&b=2", "application/x-www-form-urlencoded", content_length=3)
    _, form, _ = parse_form_data(environ)
    assert form.to_dict() == {"a": "1"}
    assert environ["wsgi.input"].bytes_read == 3


# --- limits on the whole body ------------------------------------------------


def test_max_content_length_refuses_without_reading():
    environ = make_environ(SIMPLE_BODY, "multipart/form-data; boundary=foo")
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(environ, max_content_length=10)
    assert environ["wsgi.input"].bytes_read == 0


def test_max_content_length_enforced_while_reading_terminated_input():
    environ = make_environ(
        SIMPLE_BODY,
        "multipart/form-data; boundary=foo",
        content_length=None,
        **{"wsgi.input_terminated": True},
    )
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data(environ, max_content_length=10)


def test_terminated_input_without_length_is_parsed():
    environ = make_environ(
        SIMPLE_BODY,
        "multipart/form-data; boundary=foo",
        content_length=None,
        **{"wsgi.input_terminated": True},
    )
    _, form, files = parse_form_data(environ)
    assert form["a"] == "hello"
    assert files["f"].read() == b"file data"


def test_missing_content_length_on_multipart_reads_nothing():
    environ = make_environ(SIMPLE_BODY, "multipart/form-data; boundary=foo", content_length=None)
    _, form, files = parse_form_data(environ)
    assert not form and not files
    assert environ["wsgi.input"].bytes_read == 0


def test_chunked_transfer_encoding_without_termination_reads_nothing():
    environ = make_environ(
        SIMPLE_BODY, "multipart/form-data; boundary=foo", HTTP_TRANSFER_ENCODING="chunked"
    )
    _, form, files = parse_form_data(environ)
    assert not form and not files
    assert environ["wsgi.input"].bytes_read == 0


def test_lying_content_length_shorter_body_is_client_disconnect():
    environ = make_environ(
        SIMPLE_BODY, "multipart/form-data; boundary=foo", content_length=len(SIMPLE_BODY) + 100
    )
    with pytest.raises(ClientDisconnected) as info:
        parse_form_data(environ)
    assert isinstance(info.value, BadRequest)
    assert info.value.code == 400


# --- multipart: well-formed ----------------------------------------------------


def test_multipart_field_and_file():
    _, form, files = parse(SIMPLE_BODY)
    assert form["a"] == "hello"
    storage = files["f"]
    assert storage.filename == "x.txt"
    assert storage.name == "f"
    assert storage.content_type == "text/plain"
    assert storage.mimetype == "text/plain"
    assert storage.read() == b"file data"
    assert storage.headers["Content-Disposition"].startswith("form-data")


def test_multipart_lf_only_newlines():
    _, form, files = parse(SIMPLE_BODY.replace(b"\r\n", b"\n"))
    assert form["a"] == "hello"
    assert files["f"].read() == b"file data"


def test_multipart_preamble_and_epilogue_ignored():
    _, form, files = parse(b"this is a preamble\r\n" + SIMPLE_BODY + b"epilogue junk")
    assert form["a"] == "hello"
    assert files["f"].read() == b"file data"


def test_multipart_duplicate_names_kept_in_order():
    body = multipart(field(b"a", b"1"), field(b"a", b"2"))
    _, form, _ = parse(body)
    assert form.getlist("a") == ["1", "2"]


def test_multipart_empty_filename_is_a_file():
    body = multipart((b'Content-Disposition: form-data; name="f"; filename=""', b""))
    _, form, files = parse(body)
    assert files["f"].filename == ""
    assert files["f"].read() == b""
    assert not files["f"]


def test_multipart_filename_star_rfc5987():
    body = multipart(
        (b"Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%C3%A9t%C3%A9.txt", b"d")
    )
    _, _, files = parse(body)
    assert files["f"].filename == "\u00e9t\u00e9.txt"


def test_multipart_raw_utf8_filename():
    body = multipart(
        (b'Content-Disposition: form-data; name="f"; filename="\xc3\xa9.txt"', b"d")
    )
    _, _, files = parse(body)
    assert files["f"].filename == "\u00e9.txt"


def test_multipart_filename_with_path_kept_as_sent():
    body = multipart(
        (b'Content-Disposition: form-data; name="f"; filename="C:\\\\dir\\\\x.txt"', b"d")
    )
    _, _, files = parse(body)
    assert files["f"].filename == "C:\\dir\\x.txt"


def test_multipart_non_utf8_value_replaced_not_crash():
    body = multipart(field(b"a", b"\xff\xfe"))
    _, form, _ = parse(body)
    assert form["a"] == "\ufffd\ufffd"


def test_multipart_unknown_charset_does_not_crash():
    body = multipart(
        (
            b'Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=bogus',
            b"x",
        )
    )
    _, form, _ = parse(body)
    assert form["a"] == "x"


def test_multipart_value_containing_boundary_prefix():
    body = multipart(field(b"a", b"line\r\n--foobar is not the end\r\n--foo-x nor this"))
    _, form, _ = parse(body)
    assert form["a"] == "line\r\n--foobar is not the end\r\n--foo-x nor this"


def test_multipart_folded_header_lines():
    body = multipart((b"Content-Disposition: form-data;\r\n name=\"a\"", b"v"))
    _, form, _ = parse(body)
    assert form["a"] == "v"


def test_multipart_quoted_boundary_and_case_insensitive_mimetype():
    environ = make_environ(
        multipart(field(b"a", b"1"), boundary=b"a b"), 'Multipart/Form-Data; boundary="a b"'
    )
    _, form, _ = parse_form_data(environ)
    assert form["a"] == "1"


@pytest.mark.parametrize("buffer_size", [1, 2, 3, 5, 7, 13, 64])
def test_multipart_boundary_split_across_chunks(buffer_size):
    value = b"x" * 50 + b"\r\n--fo" + b"y" * 20
    body = multipart(
        field(b"a", value),
        field(b"b", b""),
        (b'Content-Disposition: form-data; name="f"; filename="f"', b"abc" * 30),
    )
    parser = MultiPartParser(buffer_size=buffer_size)
    form, files = parser.parse(io.BytesIO(body), b"foo", len(body))
    assert form["a"] == value.decode()
    assert form["b"] == ""
    assert files["f"].read() == b"abc" * 30


def test_multipart_large_file_streams_to_factory():
    calls = []

    def factory(total_content_length, content_type, filename, content_length=None):
        calls.append((total_content_length, content_type, filename, content_length))
        return io.BytesIO()

    data = bytes(range(256)) * 2000
    body = multipart(
        (b'Content-Disposition: form-data; name="f"; filename="big.bin"\r\n'
         b"Content-Type: application/octet-stream", data)
    )
    _, _, files = parse(body, stream_factory=factory)
    assert files["f"].read() == data
    assert calls == [(len(body), "application/octet-stream", "big.bin", None)]


def test_default_stream_factory_memory_then_spooled():
    small = default_stream_factory(100, "text/plain", "a.txt")
    small.write(b"abc")
    small.seek(0)
    assert small.read() == b"abc"
    big = default_stream_factory(10_000_000, "text/plain", "a.txt")
    big.write(b"x" * 10)
    big.seek(0)
    assert big.read() == b"x" * 10
    big.close()
    unknown = default_stream_factory(None, None, None)
    unknown.write(b"y")
    unknown.seek(0)
    assert unknown.read() == b"y"
    unknown.close()


# --- multipart: malformed ------------------------------------------------------------

MALFORMED = {
    "truncated": SIMPLE_BODY[:60],
    "no closing boundary": SIMPLE_BODY[:-9],
    "no part headers": b"--foo\r\n\r\nhello\r\n--foo--\r\n",
    "garbage": b"garbage",
    "empty": b"",
    "missing final dashes": (
        b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--foo\r\n'
    ),
    "no content disposition": b"--foo\r\nContent-Type: text/plain\r\n\r\nx\r\n--foo--\r\n",
}


def test_junk_header_lines_are_skipped_and_missing_name_is_empty():
    # Werkzeug keys a nameless part under None, which breaks sorting the
    # keys; microflask names it "" (see the README's differences).
    body = (
        b"--foo\r\nno colon here\r\nContent-Disposition: form-data\r\n"
        b"Content-Type: text/\rplain\r\n\r\nx\r\n--foo--\r\n"
    )
    _, form, files = parse(body)
    assert list(form.items(multi=True)) == [("", "x")]
    assert not files


def test_closing_boundary_alone_is_an_empty_form():
    _, form, files = parse(b"junk--foo--")
    assert not form and not files


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_multipart_raises_value_error_or_is_silent(name):
    body = MALFORMED[name]
    with pytest.raises(ValueError):
        parse(body)
    _, form, files = parse(body, silent=True)
    assert not form and not files


def test_missing_boundary():
    environ = make_environ(SIMPLE_BODY, "multipart/form-data")
    with pytest.raises(ValueError, match="boundary"):
        parse_form_data(environ, silent=False)
    _, form, files = parse_form_data(make_environ(SIMPLE_BODY, "multipart/form-data"))
    assert not form and not files


def test_non_ascii_boundary_is_malformed():
    environ = make_environ(SIMPLE_BODY, "multipart/form-data; boundary=\u00e9")
    with pytest.raises(ValueError):
        parse_form_data(environ, silent=False)


def test_huge_header_block_is_refused():
    body = b"--foo\r\nX-Junk: " + b"a" * 200_000 + b"\r\n\r\nx\r\n--foo--\r\n"
    with pytest.raises(ValueError):
        parse(body)


def test_huge_boundary_line_is_refused():
    body = b"--foo" + b" " * 5000 + b"x\r\n"
    with pytest.raises(ValueError):
        parse(body)


# --- multipart: limits --------------------------------------------------------------


def test_max_form_memory_size_per_field():
    body = multipart(field(b"a", b"x" * 1000))
    with pytest.raises(RequestEntityTooLarge):
        parse(body, max_form_memory_size=100)
    # Limits win over ``silent``.
    with pytest.raises(RequestEntityTooLarge):
        parse(body, max_form_memory_size=100, silent=True)
    _, form, _ = parse(body, max_form_memory_size=1000)
    assert len(form["a"]) == 1000


def test_max_form_memory_size_does_not_apply_to_files():
    body = multipart((b'Content-Disposition: form-data; name="f"; filename="a"', b"x" * 1000))
    _, _, files = parse(body, max_form_memory_size=100)
    assert len(files["f"].read()) == 1000


def test_max_form_parts():
    body = multipart(*[field(b"a", b"1") for _ in range(11)])
    with pytest.raises(RequestEntityTooLarge):
        parse(body, max_form_parts=10)
    _, form, _ = parse(body, max_form_parts=11)
    assert len(form.getlist("a")) == 11


def test_ten_thousand_parts_are_refused_quickly():
    # Linear work per part: a quadratic parser would make this test crawl.
    for newline in (b"\r\n", b"\n"):
        body = multipart(*[field(b"a%d" % i, b"v") for i in range(10_000)], newline=newline)
        with pytest.raises(RequestEntityTooLarge):
            parse(body, max_form_parts=1000)
        _, form, _ = parse(body, max_form_parts=None)
        assert len(form) == 10_000


def test_adversarial_boundary_like_data_stays_linear():
    # Many near-boundaries ("\r\n--fo" repeated) must not make parsing quadratic.
    value = b"\r\n--fo" * 100_000 + b"\r\n--foo-x" * 50_000
    body = multipart(field(b"a", value))
    _, form, _ = parse(body, max_form_memory_size=None)
    assert len(form["a"]) == len(value)


def test_huge_field_value_within_limit():
    value = b"z" * 2_000_000
    _, form, _ = parse(multipart(field(b"a", value)), max_form_memory_size=None)
    assert len(form["a"]) == 2_000_000


# --- FormDataParser directly ----------------------------------------------------------


def test_form_data_parser_parse_with_options():
    parser = FormDataParser()
    stream, form, files = parser.parse(
        io.BytesIO(SIMPLE_BODY), "multipart/form-data", len(SIMPLE_BODY), {"boundary": "foo"}
    )
    assert form["a"] == "hello"
    assert files["f"].filename == "x.txt"


def test_form_data_parser_cls_and_parse_from_environ():
    from microflask.datastructures import ImmutableMultiDict

    parser = FormDataParser(cls=ImmutableMultiDict)
    _, form, files = parser.parse_from_environ(
        make_environ(b"a=1", "application/x-www-form-urlencoded")
    )
    assert type(form) is ImmutableMultiDict
    assert type(files) is ImmutableMultiDict


def test_multipart_parser_rejects_empty_boundary():
    with pytest.raises(ValueError):
        MultiPartParser().parse(io.BytesIO(SIMPLE_BODY), b"", None)


@pytest.mark.parametrize("newline", [b"\n", b"\r", b"\r\n"])
@pytest.mark.parametrize("buffer_size", [1, 3, 64 * 1024])
def test_multipart_any_line_ending(newline, buffer_size):
    body = newline.join(
        (
            b"--foo",
            b"Content-Disposition: form-data; name=foo",
            b"",
            b"this is just bar",
            b"--foo",
            b"Content-Disposition: form-data; name=bar",
            b"",
            b"blafasel",
            b"--foo--",
        )
    )
    form, _ = MultiPartParser(buffer_size=buffer_size).parse(io.BytesIO(body), b"foo", len(body))
    assert form.to_dict() == {"foo": "this is just bar", "bar": "blafasel"}


def test_multipart_blank_lines_before_first_boundary_and_no_final_newline():
    body = b"\r\n\r\n--foo\r\nContent-Disposition: form-data; name=foo\r\n\r\na string\r\n--foo--"
    _, form, _ = parse(body)
    assert form["foo"] == "a string"


def test_multipart_custom_part_headers_kept():
    body = multipart(
        (
            b'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n'
            b"X-Custom-Header: blah\r\nContent-Type: text/plain; charset=utf-8",
            b"x",
        )
    )
    _, _, files = parse(body)
    assert files["f"].headers["x-custom-header"] == "blah"
    assert files["f"].content_type == "text/plain; charset=utf-8"
    assert files["f"].mimetype_params == {"charset": "utf-8"}


# --- parity with the peer (outputs recorded in tests/fixtures) -------------------------

PEER_OUTPUTS = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "wrappers_peer_outputs.json").read_text("utf-8")
)


def peer_multipart_bodies():
    # Twin of multipart_body_cases() in tests/fixtures/make_wrappers_fixtures.py.
    good = (
        b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\nhello\r\n'
        b'--foo\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nfile data\r\n--foo--\r\n"
    )
    return {
        "good": good,
        "lf": good.replace(b"\r\n", b"\n"),
        "cr": good.replace(b"\r\n", b"\r"),
        "preamble": b"pre\r\n" + good,
        "epilogue": good + b"junk",
        "no_final_newline": good[:-2],
        "truncated": good[:60],
        "no_end": good[:-9],
        "no_headers": b"--foo\r\n\r\nhello\r\n--foo--\r\n",
        "garbage": b"garbage",
        "empty": b"",
        "only_close": b"--foo--",
        "no_name": b'--foo\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--foo--\r\n',
        "latin_value": (
            b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\xfe\r\n--foo--\r\n'
        ),
        "charset_param": b'--foo\r\nContent-Disposition: form-data; name="a"\r\n'
        b"Content-Type: text/plain; charset=latin1\r\n\r\n\xe9\r\n--foo--\r\n",
        "filename_star": b"--foo\r\nContent-Disposition: form-data; name=\"f\"; "
        b"filename*=UTF-8''%C3%A9t%C3%A9.txt\r\n\r\ndata\r\n--foo--\r\n",
        "filename_empty": b'--foo\r\nContent-Disposition: form-data; name="f"; filename=""\r\n'
        b"\r\n\r\n--foo--\r\n",
        "duplicates": b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\n2\r\n--foo--\r\n',
        "missing_final_dashes": (
            b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--foo\r\n'
        ),
        "boundary_prefix_in_data": b'--foo\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
        b"x\r\n--foobar\r\ny\r\n--foo--\r\n",
        "blank_line_before_headers": b'--foo\r\n\r\nContent-Disposition: form-data; name="a"\r\n'
        b"\r\nv\r\n--foo--\r\n",
        "junk_header_line": b'--foo\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n'
        b"Content-Typetext/plain\r\n\r\nd\r\n--foo--\r\n",
        "no_disposition": b"--foo\r\nContent-Type: text/plain\r\n\r\nx\r\n--foo--\r\n",
        "transport_padding": (
            b'--foo  \r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--foo--\r\n'
        ),
    }


def describe_multipart(body):
    environ = make_environ(body, "multipart/form-data; boundary=foo")
    try:
        _, form, files = parse_form_data(environ, silent=False)
    except Exception as error:  # compare the error type only
        return {"error": type(error).__name__}
    return {
        "ok": [
            [list(pair) for pair in form.items(multi=True)],
            [
                [k, v.filename, v.read().decode("latin-1"), v.content_type]
                for k, v in files.items(multi=True)
            ],
        ]
    }


# Where microflask differs on purpose: Werkzeug keys a part without a name
# under None (sorting the keys then fails); microflask names it "".
MULTIPART_DEVIATIONS = {"no_name": {"ok": [[["", "hello"]], []]}}


@pytest.mark.parametrize("name", sorted(PEER_OUTPUTS["multipart"]))
def test_multipart_matches_peer(name):
    expected = MULTIPART_DEVIATIONS.get(name, PEER_OUTPUTS["multipart"][name])
    assert describe_multipart(peer_multipart_bodies()[name]) == expected


# -- LimitedStream, the content length, the upload file factory ---------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6", 6),
        (" 7 ", 7),
        ("-6", 0),
        ("+123", 0),
        ("1_23", 0),
        ("\U0001fbf1\U0001fbf2", 0),
        ("x", 0),
    ],
)
def test_content_length_accepts_only_plain_ascii_digits(value, expected):
    from microflask.wsgi import get_content_length

    assert get_content_length({"CONTENT_LENGTH": value}) == expected
    assert get_content_length({}) is None
    assert get_content_length({"CONTENT_LENGTH": "6", "HTTP_TRANSFER_ENCODING": "chunked"}) is None


def test_limited_stream_stops_at_the_limit_and_reports_a_short_body():
    from microflask.formparser import LimitedStream

    stream = LimitedStream(io.BytesIO(b"123456"), 3)
    assert (stream.read(2), stream.tell(), stream.read(), stream.read()) == (b"12", 2, b"3", b"")
    assert stream.is_exhausted
    lines = LimitedStream(io.BytesIO(b"ab\ncd\nef"), 7)
    assert list(lines) == [b"ab\n", b"cd\n", b"e"]
    with pytest.raises(ClientDisconnected):
        LimitedStream(io.BytesIO(b"ab"), 5).read()
    closed = io.BytesIO(b"abc")
    closed.close()
    with pytest.raises(ClientDisconnected):
        LimitedStream(closed, 3).read(1)


def test_limited_stream_on_exhausted_hook_and_ceiling():
    from microflask.formparser import LimitedStream

    class Strict(LimitedStream):
        def on_exhausted(self):
            raise BadRequest("too far")

    strict = Strict(io.BytesIO(b"12345"), 2)
    assert strict.read() == b"12"
    with pytest.raises(BadRequest):
        strict.read(1)
    with pytest.raises(RequestEntityTooLarge):
        LimitedStream(io.BytesIO(b"12345"), 3, is_max=True).read()
    short = LimitedStream(io.BytesIO(b"12"), 3, is_max=True)
    assert (short.read(), short.read()) == (b"12", b"")


def test_limited_stream_passes_short_reads_through():
    from microflask.formparser import LimitedStream

    class OneByteAtATime(io.RawIOBase):
        def __init__(self, data):
            self.data = data

        def readable(self):
            return True

        def read(self, size=-1):
            chunk, self.data = self.data[:1], self.data[1:]
            return chunk

    stream = LimitedStream(OneByteAtATime(b"abcdef"), 3)
    assert [stream.read(10) for _ in range(4)] == [b"a", b"b", b"c", b""]
    assert LimitedStream(OneByteAtATime(b"abcdef"), 4).read() == b"abcd"


def test_default_stream_factory_plain_temp_file_when_spooling_is_switched_off(monkeypatch):
    import tempfile

    import microflask.formparser as formparser

    assert formparser.SpooledTemporaryFile is tempfile.SpooledTemporaryFile
    big = default_stream_factory(10_000_000, "text/plain", "a.txt")
    assert isinstance(big, tempfile.SpooledTemporaryFile)
    big.close()
    monkeypatch.setattr(formparser, "SpooledTemporaryFile", None)
    plain = default_stream_factory(10_000_000, "text/plain", "a.txt")
    try:
        assert not isinstance(plain, (io.BytesIO, tempfile.SpooledTemporaryFile))
        plain.write(b"x")
        plain.seek(0)
        assert plain.read() == b"x"
    finally:
        plain.close()


# -- the sans-IO multipart decoder and encoder --------------------------------


def _decode_all(decoder):
    events = [decoder.next_event()]
    while not isinstance(events[-1], (Epilogue, NeedData)):
        events.append(decoder.next_event())
    return events


def test_multipart_decoder_events_round_trip_through_the_encoder():
    body = (
        b"\r\n--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n"
        b"--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"n.txt\"\r\n"
        b"Content-Type: text/plain\r\n\r\nfile body\r\n"
        b"--xyz\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n"
        b"--xyz--\r\ntrailer"
    )
    decoder = MultipartDecoder(b"xyz")
    decoder.receive_data(body)
    decoder.receive_data(None)
    events = _decode_all(decoder)
    assert events == [
        Preamble(b""),
        Field("a", Headers([("Content-Disposition", 'form-data; name="a"')])),
        Data(b"value", False),
        File("f", "n.txt", Headers([
            ("Content-Disposition", 'form-data; name="f"; filename="n.txt"'),
            ("Content-Type", "text/plain"),
        ])),
        Data(b"file body", False),
        Field("empty", Headers([("Content-Disposition", 'form-data; name="empty"')])),
        Data(b"", False),
        Epilogue(b"trailer"),
    ]
    encoder = MultipartEncoder(b"xyz")
    assert b"".join(encoder.send_event(event) for event in events) == body
    assert repr(Data(b"x", True)) == "Data(data=b'x', more_data=True)"


def test_multipart_decoder_fed_in_pieces_holds_back_a_possible_boundary():
    decoder = MultipartDecoder(b"bnd")
    decoder.receive_data(b"--")
    assert isinstance(decoder.next_event(), NeedData)
    decoder.receive_data(b"bnd\r\nContent-Disposition: form-data;")
    assert decoder.next_event() == Preamble(b"")
    assert isinstance(decoder.next_event(), NeedData)
    decoder.receive_data(b' name="x"\r\n\r\n')
    assert isinstance(decoder.next_event(), Field)
    decoder.receive_data(b"first piece")
    assert decoder.next_event() == Data(b"first piece", True)
    decoder.receive_data(b" second\r\n--")
    assert decoder.next_event() == Data(b" second", True)
    assert isinstance(decoder.next_event(), NeedData)
    decoder.receive_data(b"bnd--\r\n")
    assert decoder.next_event() == Data(b"", False)
    assert isinstance(decoder.next_event(), NeedData)
    decoder.receive_data(None)
    assert decoder.next_event() == Epilogue(b"")


def test_multipart_decoder_refuses_a_truncated_body():
    decoder = MultipartDecoder(b"bnd")
    decoder.receive_data(b"--bnd\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nabc")
    decoder.receive_data(None)
    decoder.next_event()
    decoder.next_event()
    with pytest.raises(ValueError):
        decoder.next_event()
