"""Flask's Request and Response (microflask._app_wrappers, Flask's flask.wrappers):
the toolkit's classes, made app-aware; the toolkit's stay app-free."""

from __future__ import annotations

import io
import json

import pytest

import microflask
from microflask import Flask, request
from microflask import wrappers as toolkit
from microflask.debughelpers import DebugFilesKeyError
from microflask.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from microflask.json.provider import DefaultJSONProvider


def environ(body: bytes = b"", content_type: str = "", method: str = "POST") -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": content_type,
    }


def json_body(body: bytes) -> dict:
    return environ(body, "application/json")


@pytest.fixture
def app() -> Flask:
    return Flask(__name__)


def test_the_public_classes_are_flasks_subclasses_of_the_toolkits(app):
    assert issubclass(microflask.Request, toolkit.Request)
    assert issubclass(microflask.Response, toolkit.Response)
    assert microflask.Request is not toolkit.Request
    assert app.request_class is microflask.Request
    assert app.response_class is microflask.Response
    assert microflask.Request.__name__ == "Request"
    assert microflask.Response.__name__ == "Response"
    assert repr(microflask.Request(environ())) == "<Request 'http://localhost/' [POST]>"


def test_limits_come_from_the_app_config_unless_set_on_the_request(app):
    app.config.update(MAX_CONTENT_LENGTH=4, MAX_FORM_MEMORY_SIZE=9, MAX_FORM_PARTS=3)
    with app.app_context():
        req = microflask.Request(environ(b"too long"))
        assert (req.max_content_length, req.max_form_memory_size, req.max_form_parts) == (4, 9, 3)
        with pytest.raises(RequestEntityTooLarge):
            req.get_data()
        req.max_form_parts = 50
        assert req.max_form_parts == 50
        plain = toolkit.Request(environ())
        assert (plain.max_content_length, plain.max_form_memory_size, plain.max_form_parts) == (
            None, 500_000, 1000)
    outside = microflask.Request(environ())
    assert (outside.max_content_length, outside.max_form_memory_size, outside.max_form_parts) == (
        None, 500_000, 1000)


@pytest.mark.parametrize(
    ("debug", "detailed"), [(False, False), (True, True)]
)
def test_invalid_json_hides_the_parser_message_outside_debug_mode(app, debug, detailed):
    app.debug = debug
    with app.app_context():
        with pytest.raises(BadRequest) as info:
            microflask.Request(json_body(b"{oops")).get_json()
    assert ("Failed to decode JSON object" in info.value.description) is detailed
    with pytest.raises(BadRequest, match="Failed to decode JSON object"):
        toolkit.Request(json_body(b"{oops")).get_json()  # the toolkit always says why
    with pytest.raises(BadRequest, match="Failed to decode JSON object"):
        microflask.Request(json_body(b"{oops")).get_json()  # no app: as the toolkit


def test_not_json_is_a_415_in_every_mode(app):
    with app.app_context():
        with pytest.raises(UnsupportedMediaType):
            microflask.Request(environ(b"{}", "text/plain")).get_json()
        assert microflask.Request(environ(b"{}", "text/plain")).get_json(silent=True) is None


def test_json_goes_through_the_apps_provider(app):
    class Tagging(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            return {"provider": super().loads(s, **kwargs)}

        def dumps(self, obj, **kwargs):
            return json.dumps({"dumped": obj})

    app.json = Tagging(app)
    with app.app_context():
        assert microflask.Request(json_body(b"[1]")).get_json() == {"provider": [1]}
        assert toolkit.Request(json_body(b"[1]")).get_json() == [1]
        response = microflask.Response('{"a": 1}', mimetype="application/json")
        assert response.get_json() == {"provider": {"a": 1}}
        assert microflask.Response.json_module is microflask.json
        assert toolkit.Response.json_module is json


def test_max_cookie_size_is_the_apps(app, recwarn):
    app.config["MAX_COOKIE_SIZE"] = 20
    with app.app_context():
        assert microflask.Response().max_cookie_size == 20
        assert toolkit.Response().max_cookie_size == 4093
        microflask.Response().set_cookie("name", "x" * 40)
    assert any("cookie" in str(w.message).lower() for w in recwarn)
    assert microflask.Response().max_cookie_size == 4093


def test_debug_mode_explains_a_file_sent_without_multipart(app):
    app.debug = True

    @app.route("/", methods=["POST"])
    def upload():
        return request.files["photo"].filename

    client = app.test_client()
    with pytest.raises(DebugFilesKeyError, match="enctype"):
        client.post("/", data={"photo": "cat.jpg"})
    app.debug = False
    assert client.post("/", data={"photo": "cat.jpg"}).status_code == 400


def test_an_app_may_use_the_toolkits_request_class_directly(app):
    class Plain(toolkit.Request):
        pass

    app.request_class = Plain
    bp = microflask.Blueprint("shop", __name__, url_prefix="/shop")

    @bp.route("/item/<int:n>")
    def item(n):
        return "%s %s %s %r" % (type(request._get_current_object()).__name__,
                                request.endpoint, request.view_args, request.blueprints)

    app.register_blueprint(bp)
    assert app.test_client().get("/shop/item/3").text == "Plain shop.item {'n': 3} ['shop']"
