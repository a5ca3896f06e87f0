"""microflask.exceptions: classes, pages and headers as the peer renders
them (fixture), abort/Aborter, and use as a WSGI app."""

import datetime
import json
import pathlib
import pickle

import pytest

from microflask import exceptions as exc
from microflask.datastructures import WWWAuthenticate

PEER = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "http_peer_outputs.json").read_text()
)


@pytest.mark.parametrize("row", PEER["exceptions"], ids=lambda row: row["name"])
def test_pages_match_peer(row):
    if row["name"] == "NotFound-escaped":
        e = exc.NotFound("<b>x</b>\nline2 \"q\" 'a' &")
    else:
        cls = getattr(exc, row["name"])
        assert exc.default_exceptions[row["code"]] is cls
        e = cls()
    assert e.code == row["code"]
    assert str(e) == row["str"]
    assert repr(e) == row["repr"]
    assert e.get_body() == row["body"]
    assert [list(h) for h in e.get_headers()] == row["headers"]


def test_default_exceptions_covers_peer_codes():
    assert sorted(exc.default_exceptions) == sorted(row["code"] for row in PEER["exceptions"]
                                                    if row["name"] != "NotFound-escaped")


def test_base_exception_without_code():
    e = exc.HTTPException()
    assert e.code is None
    assert e.name == "Unknown Error"
    assert str(e) == "??? Unknown Error: None"
    assert repr(e) == "<HTTPException '???: Unknown Error'>"


def test_custom_description_and_subclass():
    class PaymentRequired(exc.HTTPException):
        code = 402
        description = "Pay up."

    e = PaymentRequired()
    assert e.name == "Payment Required"
    assert "<p>Pay up.</p>" in e.get_body()
    assert exc.NotFound("gone fishing").description == "gone fishing"


def test_bad_request_key_error():
    e = exc.BadRequestKeyError("foo")
    assert isinstance(e, KeyError) and isinstance(e, exc.BadRequest)
    assert e.code == 400
    assert e.args == ("foo",)
    assert "foo" not in e.description
    e.show_exception = True
    assert e.description.endswith("\nKeyError: 'foo'")
    assert exc.BadRequestKeyError().args == ()
    with pytest.raises(KeyError):
        raise exc.BadRequestKeyError("x")


def test_subclass_relationships():
    for cls in (exc.ClientDisconnected, exc.SecurityError, exc.BadHost):
        assert issubclass(cls, exc.BadRequest)
        assert cls.code == 400
    assert issubclass(exc.TooManyRequests, exc.HTTPException)


def test_method_not_allowed_allow_header():
    e = exc.MethodNotAllowed(["GET", "POST"])
    assert e.get_headers()[-1] == ("Allow", "GET, POST")
    assert e.valid_methods == ["GET", "POST"]
    assert len(exc.MethodNotAllowed().get_headers()) == 1
    assert exc.MethodNotAllowed(description="d").description == "d"


def test_unauthorized_www_authenticate():
    e = exc.Unauthorized(www_authenticate=WWWAuthenticate("basic", {"realm": "x"}))
    assert e.get_headers()[-1] == ("WWW-Authenticate", "Basic realm=x")
    e = exc.Unauthorized(www_authenticate=["Bearer", "Basic realm=y"])
    assert [h for h in e.get_headers() if h[0] == "WWW-Authenticate"] == [
        ("WWW-Authenticate", "Bearer"), ("WWW-Authenticate", "Basic realm=y")]


def test_range_not_satisfiable_content_range():
    assert exc.RequestedRangeNotSatisfiable(100).get_headers()[-1] == (
        "Content-Range", "bytes */100")
    assert exc.RequestedRangeNotSatisfiable(5, units="items").get_headers()[-1] == (
        "Content-Range", "items */5")


def test_retry_after():
    assert exc.TooManyRequests(retry_after=10).get_headers()[-1] == ("Retry-After", "10")
    when = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    assert exc.ServiceUnavailable(retry_after=when).get_headers()[-1] == (
        "Retry-After", "Wed, 01 Jan 2020 00:00:00 GMT")
    assert len(exc.TooManyRequests().get_headers()) == 1


def test_internal_server_error_original_exception():
    cause = ValueError("boom")
    e = exc.InternalServerError(original_exception=cause)
    assert e.original_exception is cause


def test_abort_and_aborter():
    with pytest.raises(exc.NotFound) as info:
        exc.abort(404)
    assert info.value.description == exc.NotFound.description
    with pytest.raises(exc.NotFound) as info:
        exc.abort(404, "custom")
    assert info.value.description == "custom"
    with pytest.raises(exc.MethodNotAllowed) as info:
        exc.abort(405, valid_methods=["GET"])
    assert info.value.valid_methods == ["GET"]
    with pytest.raises(LookupError, match="no exception for 999"):
        exc.abort(999)
    sentinel = object()
    with pytest.raises(exc.HTTPException) as info:
        exc.abort(sentinel)
    assert info.value.response is sentinel


def test_aborter_mapping_and_extra():
    class Custom(exc.HTTPException):
        code = 499
        description = "custom"

    aborter = exc.Aborter(extra={499: Custom})
    assert aborter.mapping is not exc.default_exceptions
    with pytest.raises(Custom):
        aborter(499)
    only = exc.Aborter(mapping={400: exc.BadRequest})
    with pytest.raises(LookupError):
        only(404)


def test_wrap_combines_classes():
    Wrapped = exc.BadRequest.wrap(ValueError)
    e = Wrapped("bad value")
    assert isinstance(e, ValueError) and isinstance(e, exc.BadRequest)
    assert str(e).endswith(": bad value")


def test_response_passthrough():
    sentinel = object()
    assert exc.HTTPException(response=sentinel).get_response() is sentinel


def test_pickle_roundtrip():
    e = pickle.loads(pickle.dumps(exc.NotFound("x")))
    assert isinstance(e, exc.NotFound)


def _wrappers_available():
    try:
        import microflask.wrappers  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _wrappers_available(), reason="microflask.wrappers not built yet")
def test_get_response_and_wsgi_call():
    e = exc.MethodNotAllowed(["GET"])
    response = e.get_response({"REQUEST_METHOD": "POST"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.get_data(as_text=True) == e.get_body()
    captured = []

    def start_response(status, headers, exc_info=None):
        captured.append((status, headers))

    environ = {"REQUEST_METHOD": "GET", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "PATH_INFO": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    body = b"".join(exc.NotFound()(environ, start_response))
    assert captured[0][0] == "404 NOT FOUND"
    assert b"<title>404 Not Found</title>" in body


def test_empty_description_renders_empty_paragraph():
    assert exc.HTTPException().get_description() == "<p></p>"
    assert exc.HTTPException().get_body().endswith("<h1>Unknown Error</h1>\n<p></p>\n")


def test_markup_description_is_not_escaped_twice():
    from microflask.markup import Markup

    with pytest.raises(exc.HTTPException) as info:
        exc.abort(400, Markup("<b>&lt;</b>"))
    assert "<b>&lt;</b>" in str(info.value)
    assert info.value.get_description() == "<p><b>&lt;</b></p>"
