"""The shortcuts on the session and template hot paths give exactly what the
general code gives: tagged JSON written without tagging, untagged while
parsing, the compact JSON encoder called directly, ``Vary: Cookie`` added
without a header set, and template contexts flattened from ChainMaps."""

from __future__ import annotations

import json
import math
import platform
from collections import ChainMap
from datetime import datetime, timezone
from uuid import UUID

import pytest

from microflask import Flask, session
from microflask import Response as FlaskResponse
from microflask.json.provider import DefaultJSONProvider, _json_fast_encode_function
from microflask.json.tag import TaggedJSONSerializer, _needs_no_tags
from microflask.markup import Markup
from microflask.templating import DictLoader, Environment
from microflask.templating.runtime import Context, new_context
from microflask.wrappers import Response

VALUES = [
    {"cart": [1, 2, 3], "user": "ada", "visits": 6},
    {"a": {"b": [None, True, 1.5, "x"]}, "c": []},
    {" t": [1, 2]},
    {" t": 1, "other": 2},
    {"nested": {" di": {"x": 1}}},
    {"tuple": (1, 2), "bytes": b"\x00\xff", "markup": Markup("<b>")},
    {"when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)},
    {"uuid": UUID("12345678123456781234567812345678")},
    [1, [2, [3, {" m": "x"}]]],
    "just text",
    42,
    None,
    {"ünïcode": "☃"},
    {2: "int key", 3: "three"},
]


def slow_dumps(serializer: TaggedJSONSerializer, value: object) -> str:
    from microflask.json import dumps

    return dumps(serializer.tag(value), separators=(",", ":"))


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "fast paths"
    return app


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_tagged_dumps_match_tagging_first(app, value):
    serializer = TaggedJSONSerializer()
    assert serializer.dumps(value) == slow_dumps(serializer, value)
    with app.app_context():
        assert serializer.dumps(value) == slow_dumps(serializer, value)
        app.json.sort_keys = False
        assert serializer.dumps(value) == slow_dumps(serializer, value)


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_tagged_loads_match_scanning_after_parsing(app, value):
    serializer = TaggedJSONSerializer()
    text = serializer.dumps(value)
    expected = serializer._untag_scan(json.loads(text))
    assert serializer.loads(text) == expected
    assert serializer.loads(" %s \n" % text) == expected
    assert serializer.loads(text.encode("utf-8")) == expected
    with app.app_context():
        assert serializer.loads(text) == expected


def test_needs_no_tags():
    tags = TaggedJSONSerializer().tags
    assert _needs_no_tags({"a": [1, "b", None, 2.5, False]}, tags)
    assert not _needs_no_tags({" t": 1}, tags)
    assert _needs_no_tags({" t": 1, "b": 2}, tags)
    assert not _needs_no_tags({"a": [(1,)]}, tags)
    assert not _needs_no_tags([Markup("x")], tags)
    assert not _needs_no_tags(b"x", tags)


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "[1,]", "nope"])
def test_tagged_loads_errors_are_jsons(text):
    with pytest.raises(ValueError) as expected:
        json.loads(text)
    with pytest.raises(ValueError) as got:
        TaggedJSONSerializer().loads(text)
    assert type(got.value) is type(expected.value)
    if platform.python_implementation() == "CPython":
        # PyPy's json answers plain loads() with a faster scanner of its own,
        # whose messages differ from its decoder with an object hook.
        assert str(got.value) == str(expected.value)


def test_custom_provider_still_parses_and_writes(app):
    calls = []

    class RecordingProvider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            calls.append(("loads", s))
            return super().loads(s, **kwargs)

        def dumps(self, obj, **kwargs):
            calls.append(("dumps", obj))
            return super().dumps(obj, **kwargs)

    app.json = RecordingProvider(app)
    serializer = TaggedJSONSerializer()
    with app.app_context():
        assert serializer.loads(serializer.dumps({"a": (1,)})) == {"a": (1,)}
    assert [name for name, _ in calls] == ["dumps", "loads"]


def test_registered_tag_disables_the_shortcut():
    from microflask.json.tag import JSONTag

    class TagUpper(JSONTag):
        __slots__ = ()
        key = " up"

        def check(self, value):
            return isinstance(value, str) and value.isupper()

        def to_json(self, value):
            return value.lower()

        def to_python(self, value):
            return value.upper()

    serializer = TaggedJSONSerializer()
    serializer.register(TagUpper, index=0)
    assert serializer.dumps({"a": "ABC"}) == '{"a":{" up":"abc"}}'
    assert serializer.loads('{"a":{" up":"abc"}}') == {"a": "ABC"}


ENCODER_VALUES = [
    {"b": 1, "a": [1.5, -0.0, 1e300, None, True]},
    "text \u2603 \"quoted\"",
    ["é", {"z": {}, "y": []}],
    12345678901234567890,
    3.25,
]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("sort_keys", [True, False])
@pytest.mark.parametrize("separators", [None, (",", ":")])
def test_fast_encoder_matches_encode(ensure_ascii, sort_keys, separators):
    encoder = json.JSONEncoder(
        ensure_ascii=ensure_ascii, sort_keys=sort_keys, separators=separators
    )
    encode = _json_fast_encode_function(encoder)
    for value in ENCODER_VALUES:
        assert encode(value) == encoder.encode(value)


def test_fast_encoder_errors_and_recovery():
    encode = _json_fast_encode_function(json.JSONEncoder())
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        encode(loop)
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode({"a": object()})
    shared = [1]
    assert encode([shared, shared]) == "[[1], [1]]"
    assert encode(math.inf) == "Infinity"
    strict = _json_fast_encode_function(json.JSONEncoder(allow_nan=False))
    with pytest.raises(ValueError):
        strict([math.nan])


def test_provider_dumps_and_jsonify_unchanged(app):
    with app.app_context():
        assert app.json.dumps({"b": 1, "a": "é"}) == '{"a": "\\u00e9", "b": 1}'
        assert app.json.dumps({"b": 1}, separators=(",", ":")) == '{"b":1}'
        app.json.ensure_ascii = False
        assert app.json.dumps({"a": "é"}) == '{"a": "é"}'
        assert app.json.response(b=1, a=2).get_data() == b'{"a":2,"b":1}\n'


def make_session_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "fast paths"

    @app.route("/set")
    def set_value():
        session["n"] = 1
        return "ok"

    @app.route("/set-with-vary")
    def set_with_vary():
        session["n"] = 1
        return Response("ok", headers={"Vary": "Accept-Encoding"})

    @app.route("/read")
    def read():
        return str(session.get("n"))

    @app.route("/clear")
    def clear():
        session.clear()
        return "ok"

    return app


def test_vary_cookie_once_and_before_set_cookie():
    client = make_session_app().test_client()
    response = client.get("/set")
    names = [name for name, _ in response.headers]
    assert response.headers.getlist("Vary") == ["Cookie"]
    assert names.index("Vary") < names.index("Set-Cookie")
    response = client.get("/set-with-vary")
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Cookie"]
    response = client.get("/read")
    assert response.headers.getlist("Vary") == ["Cookie"]
    assert "Set-Cookie" not in response.headers
    response = client.get("/clear")
    assert response.headers.getlist("Vary") == ["Cookie"]
    assert "session=;" in response.headers["Set-Cookie"]


def test_signing_serializer_cache_follows_settings():
    app = make_session_app()
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.config["SECRET_KEY_FALLBACKS"] = ["old"]
    second = interface.get_signing_serializer(app)
    assert second is not first
    assert second.secret_keys == [b"old", b"fast paths"]
    interface.serializer = TaggedJSONSerializer()
    assert interface.get_signing_serializer(app).serializer is interface.serializer
    app.secret_key = None
    assert interface.get_signing_serializer(app) is None


def test_context_from_chain_map_matches_dict_of_it():
    env = Environment(loader=DictLoader({"t": "{{ a }}{{ b }}{{ c }}"}))
    env.globals.update(a="env-a", b="env-b")
    template = env.get_template("t", globals={"b": "tpl-b"})
    assert isinstance(template.globals, ChainMap)
    context = new_context(env, "t", {}, {"c": "var-c"}, False, template.globals)
    expected = dict(template.globals, c="var-c")
    assert context.parent == expected
    assert list(context.parent) == list(expected)
    assert context.globals_keys == set(template.globals)
    assert template.render(c="!") == "env-atpl-b!"
    env.globals["a"] = "changed"
    assert template.render(c="!") == "changedtpl-b!"
    plain = Context(env, {}, "t", {}, globals={"x": 1})
    assert plain.globals_keys == {"x"}
    with pytest.raises(TypeError):
        new_context(env, "t", {}, {1: "not a name"}, False, template.globals)


# -- routing: the literal-path index and the segment tests ------------------------


def _routing_fast_path_map():
    from microflask.routing import Map, Rule, Subdomain

    return Map(
        [
            Rule("/", endpoint="index"),
            Rule("/about", endpoint="about", methods=["GET"]),
            Rule("/about", endpoint="about_post", methods=["POST"]),
            Rule("/<page>", endpoint="page"),
            Rule("/docs/", endpoint="docs", defaults={"lang": "en"}),
            Rule("/docs/<lang>/", endpoint="docs"),
            Rule("/ws", endpoint="ws", websocket=True),
            Rule("/ws", endpoint="ws_http", methods=["POST"]),
            Rule("/a/b/c", endpoint="abc", strict_slashes=False),
            Rule("/a/<x>/c", endpoint="axc"),
            Subdomain("api", [Rule("/about", endpoint="api_about")]),
            Rule("/about", endpoint="any_sub", subdomain="<sub>"),
        ]
    )


@pytest.mark.parametrize("domain", ["", "api", "other"])
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE"])
@pytest.mark.parametrize("websocket", [False, True])
def test_literal_route_index_answers_as_the_trie_search(domain, method, websocket):
    matcher = _routing_fast_path_map()._matcher
    for path in ["", "about", "docs/", "docs", "ws", "a/b/c", "a/b/c/", "a/z/c", "nope"]:
        literal = matcher.match_literal(domain, path, method, websocket)
        if literal is None:
            continue  # the search answers alone
        searched = matcher.search(domain, path, method, websocket, [])
        assert searched is not None
        assert literal[0] is searched[0]
        assert literal[1] == searched[1]


@pytest.mark.parametrize("rule_text", ["/<v>", "/<string:v>", "/<int:v>", "/<string(length=2):v>"])
def test_segment_test_agrees_with_the_part_regex(rule_text):
    from microflask.routing import Map, Rule
    from microflask.routing.matcher import _segment_test

    url_map = Map([Rule(rule_text, endpoint="e")])
    (part,) = url_map._rules[0]._path_parts
    test = _segment_test(part)
    segments = ["", "a", "ab", "42", "-1", "4.5", "٣٤", "²", "१०", " ", "x y", "é", "0x1"]
    for segment in segments:
        assert bool(test(segment)) is bool(part.pattern.fullmatch(segment)), segment



# -- Response: building a fresh body, sending a one-chunk body ---------------------------


def _response_state(response):
    return response.status, response.headers.to_wsgi_list(), response.response


class _PlainDefault(Response):
    default_mimetype = "text/plain"


class _NoDefault(Response):
    default_mimetype = None


@pytest.mark.parametrize("cls", [Response, _PlainDefault, _NoDefault])
@pytest.mark.parametrize("body", ["Hello", "", "h\u00e9llo \u2603", b"bytes", b""])
@pytest.mark.parametrize("mimetype", [None, "text/html", "application/json", "image/svg+xml"])
@pytest.mark.parametrize("status", [None, 201, "404 NOT HERE"])
def test_fresh_headers_match_the_general_steps(cls, body, mimetype, status):
    fast = cls(body, status=status, mimetype=mimetype)
    general = cls(body, status=status, mimetype=mimetype, headers=[])  # headers given: no shortcut
    assert fast._start_with_fresh_headers(body, None, mimetype, None)
    assert not general._start_with_fresh_headers(body, [], mimetype, None)
    assert _response_state(fast) == _response_state(general)
    assert isinstance(fast.headers, type(general.headers))


def test_fresh_headers_leave_other_bodies_and_overrides_to_the_general_steps():
    class OwnSetData(Response):
        def set_data(self, value):
            super().set_data(value)
            self.headers["X-Set"] = "1"

    class NoLength(Response):
        automatically_set_content_length = False

    assert OwnSetData("x").headers["X-Set"] == "1"
    assert "Content-Length" not in NoLength("x").headers
    for body in (bytearray(b"x"), ["x"], iter([b"x"]), None):
        response = Response(body)
        assert not response._start_with_fresh_headers(body, None, None, None)
    assert Response(bytearray(b"ab")).headers["Content-Length"] == "2"
    assert Response("x", content_type="text/x; q=1").headers.to_wsgi_list() == [
        ("Content-Type", "text/x; q=1"), ("Content-Length", "1"),
    ]


def _sent(response, method="GET"):
    """status, headers and body as a server sees them, and what closing ran."""
    started = []
    app_iter = response({"REQUEST_METHOD": method}, lambda s, h: started.extend([s, h]))
    body = b"".join(app_iter)
    getattr(app_iter, "close", lambda: None)()
    return started[0], started[1], body


@pytest.mark.parametrize(
    "make",
    [
        lambda: Response("Hello"),
        lambda: Response(b"x", status=201, mimetype="text/plain"),
        lambda: Response("moved", status=302, headers={"Location": "/caf\u00e9"}),
        lambda: Response("none", status=204),
        lambda: Response("odd", status="599 ODD"),
        lambda: Response([b"only"]),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_one_chunk_body_goes_out_as_the_closing_iterator_would_send_it(make, method):
    from microflask.wsgi import ClosingIterator

    fast = make()
    general = make()
    app_iter = fast.get_app_iter({"REQUEST_METHOD": method})
    if app_iter is fast.response:  # the shortcut was taken
        assert fast._body_needs_no_closing()
        closing = ClosingIterator(general.iter_encoded(), general.close)
        assert list(closing) == list(app_iter)
        closing.close()  # nothing to run: no callbacks, a list has no close
    assert _sent(make(), method) == _sent(make(), method)


def test_one_chunk_shortcut_steps_aside_for_close_callbacks_and_overrides():
    closed = []
    assert Response("body")._body_needs_no_closing()
    response = Response("body")
    response.call_on_close(lambda: closed.append("callback"))
    assert not response._body_needs_no_closing()
    assert _sent(response)[2] == b"body" and closed == ["callback"]

    class Closing(Response):
        def close(self):
            closed.append("override")
            super().close()

    class Upper(Response):
        def iter_encoded(self):
            return (chunk.upper() for chunk in super().iter_encoded())

    assert not Closing("x")._body_needs_no_closing()
    _sent(Closing("x"))
    assert closed[-1] == "override"
    assert not Upper("x")._body_needs_no_closing()
    assert _sent(Upper("abc"))[2] == b"ABC"
    assert not Response(["a"])._body_needs_no_closing()  # str chunk: encoded by the general path
    assert not Response([b"a", b"b"])._body_needs_no_closing()


def _sent_text(send, method):
    started = []
    body = send({"REQUEST_METHOD": method}, lambda s, h: started.extend([s, h]))
    return started[0], started[1], b"".join(body)


@pytest.mark.parametrize("cls", [Response, FlaskResponse, _PlainDefault, _NoDefault])
@pytest.mark.parametrize("text", ["Hello, World!", "", "h\u00e9llo \u2603", "a" * 70_000])
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_text_without_a_response_object_is_sent_as_the_object_sends_it(cls, text, method):
    assert cls._sends_text_as_base_does
    body = text.encode("utf-8")
    without = _sent_text(lambda e, sr: cls._send_text_without_object(body, e, sr), method)
    assert without == _sent_text(cls(text), method)


def test_a_response_class_that_changes_a_text_step_is_noticed():
    class OwnCall(FlaskResponse):
        def __call__(self, environ, start_response):
            return super().__call__(environ, start_response)

    class OwnStatus(FlaskResponse):
        status = property(FlaskResponse.status.fget, FlaskResponse.status.fset)

    class OnlyConstants(FlaskResponse):
        default_mimetype = "text/plain"

    assert not OwnCall._sends_text_as_base_does
    assert not OwnStatus._sends_text_as_base_does
    assert OnlyConstants._sends_text_as_base_does


def test_header_names_are_remembered_only_once_checked_and_valid():
    from microflask.datastructures import Headers, _valid_header_names

    headers = Headers()
    headers["X-Remembered-Name"] = "1"
    assert "X-Remembered-Name" in _valid_header_names
    for bad in ("Bad Name", "X-Split\r\nSet-Cookie", "a:b", ""):
        with pytest.raises(ValueError):
            headers[bad] = "1"
        assert bad not in _valid_header_names
    headers["X-Remembered-Name"] = "2"  # a remembered name is still accepted
    assert headers.getlist("X-Remembered-Name") == ["2"]
