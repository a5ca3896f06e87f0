"""microflask.json and microflask.json.provider."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import types
import uuid

import pytest

import microflask.json as mjson
from microflask.json import DefaultJSONProvider, JSONProvider
from microflask.json.provider import DefaultJSONProvider as ProviderModuleDefault
from microflask.markup import Markup


class FakeResponse:
    """Stands in for the app's response_class."""

    def __init__(self, body, mimetype=None):
        self.body = body
        self.mimetype = mimetype


class FakeApp:
    response_class = FakeResponse

    def __init__(self, debug=False, provider_class=DefaultJSONProvider):
        self.debug = debug
        self.json = provider_class(self)


@pytest.fixture
def active_app():
    """Make ``microflask.json`` see an active app context holding an app.

    The real application-context variable is set to a stand-in context and
    reset afterwards; nothing private is patched.
    """
    from microflask.globals import _cv_app

    tokens = []

    def activate(app):
        tokens.append(_cv_app.set(types.SimpleNamespace(app=app)))
        return app

    yield activate
    for token in reversed(tokens):
        _cv_app.reset(token)


@dataclasses.dataclass
class Point:
    x: int
    y: int


class HasHtml:
    def __html__(self):
        return "<p>html</p>"


def test_provider_classes_are_reexported():
    assert DefaultJSONProvider is ProviderModuleDefault
    assert issubclass(DefaultJSONProvider, JSONProvider)
    for name in mjson.__all__:
        assert hasattr(mjson, name)


def test_default_handles_extra_types():
    default = DefaultJSONProvider.default
    assert default(decimal.Decimal("1.10")) == "1.10"
    value = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert default(value) == "12345678-1234-5678-1234-567812345678"
    assert default(Point(1, 2)) == {"x": 1, "y": 2}
    assert default(HasHtml()) == "<p>html</p>"
    assert default(Markup("<b>x</b>")) == "<b>x</b>"
    with pytest.raises(TypeError, match="^Object of type object is not JSON serializable$"):
        default(object())
    with pytest.raises(TypeError):
        default(Point)


def test_default_dates_are_http_dates():
    default = DefaultJSONProvider.default
    assert default(datetime.date(2020, 1, 2)) == "Thu, 02 Jan 2020 00:00:00 GMT"
    assert default(datetime.datetime(2020, 1, 2, 3, 4, 5)) == "Thu, 02 Jan 2020 03:04:05 GMT"
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=plus_two)
    assert default(aware) == "Thu, 02 Jan 2020 01:04:05 GMT"


def test_provider_dumps_defaults():
    provider = DefaultJSONProvider(None)
    assert provider.dumps({"b": 1, "a": "\u00e9"}) == '{"a": "\\u00e9", "b": 1}'
    assert provider.dumps({"d": decimal.Decimal("2.5")}) == '{"d": "2.5"}'
    assert provider.dumps({"b": 1, "a": 2}, sort_keys=False) == '{"b": 1, "a": 2}'
    assert provider.dumps("\u00e9", ensure_ascii=False) == '"\u00e9"'
    assert provider.dumps([1, 2], indent=1) == "[\n 1,\n 2\n]"
    assert provider.dumps([1, {"a": 1}], separators=(",", ":")) == '[1,{"a":1}]'


def test_provider_settings_changes_take_effect():
    provider = DefaultJSONProvider(None)
    assert provider.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    provider.sort_keys = False
    assert provider.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'
    provider.ensure_ascii = False
    assert provider.dumps(["\u2603"]) == '["\u2603"]'
    provider.default = lambda o: "custom"
    assert provider.dumps([object()]) == '["custom"]'


def test_subclass_settings_and_default():
    class Custom(DefaultJSONProvider):
        sort_keys = False

        @staticmethod
        def default(o):
            if isinstance(o, set):
                return sorted(o)
            return DefaultJSONProvider.default(o)

    provider = Custom(None)
    assert provider.dumps({"z": {3, 1, 2}, "a": 0}) == '{"z": [1, 2, 3], "a": 0}'


def test_provider_dumps_circular_reference_is_value_error():
    provider = DefaultJSONProvider(None)
    looped = []
    looped.append(looped)
    with pytest.raises(ValueError):
        provider.dumps(looped)


def test_provider_loads_str_and_bytes():
    provider = DefaultJSONProvider(None)
    assert provider.loads('{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert provider.loads(b'{"a": "\\u00e9"}') == {"a": "\u00e9"}
    assert provider.loads('"\u00e9"'.encode("utf-16")) == "\u00e9"
    assert provider.loads("1.5", parse_float=decimal.Decimal) == decimal.Decimal("1.5")
    with pytest.raises(ValueError):
        provider.loads("{not json")


def test_provider_dump_and_load_files():
    provider = DefaultJSONProvider(None)
    out = io.StringIO()
    provider.dump({"b": 1, "a": 2}, out)
    assert out.getvalue() == '{"a": 2, "b": 1}'
    assert provider.load(io.StringIO('{"x": 1}')) == {"x": 1}
    assert provider.load(io.BytesIO(b"[1]")) == [1]


def test_base_provider_is_abstract():
    provider = JSONProvider(None)
    with pytest.raises(NotImplementedError):
        provider.dumps(1)
    with pytest.raises(NotImplementedError):
        provider.loads("1")


def test_base_provider_built_on_dumps_and_loads():
    class Reversing(JSONProvider):
        def dumps(self, obj, **kwargs):
            return repr(obj)[::-1]

        def loads(self, s, **kwargs):
            return s[::-1]

    app = FakeApp(provider_class=Reversing)
    out = io.StringIO()
    app.json.dump([1], out)
    assert out.getvalue() == "]1["
    assert app.json.load(io.StringIO("cba")) == "abc"
    response = app.json.response(1, 2)
    assert response.body == ")2 ,1("
    assert response.mimetype == "application/json"


def test_provider_holds_app_weakly():
    app = FakeApp()
    provider = app.json
    del app
    import gc

    gc.collect()
    with pytest.raises(ReferenceError):
        provider.response(1)


@pytest.mark.parametrize(
    ("args", "kwargs", "body"),
    [
        ((), {}, "null\n"),
        ((1,), {}, "1\n"),
        (("text",), {}, '"text"\n'),
        ((1, 2), {}, "[1,2]\n"),
        (([1, 2],), {}, "[1,2]\n"),
        (({"b": [1, {"d": 1, "c": 2}], "a": None},), {}, '{"a":null,"b":[1,{"c":2,"d":1}]}\n'),
        ((), {"b": 1, "a": "\u00e9"}, '{"a":"\\u00e9","b":1}\n'),
    ],
)
def test_response_compact(args, kwargs, body):
    app = FakeApp()
    response = app.json.response(*args, **kwargs)
    assert response.body == body
    assert response.mimetype == "application/json"


def test_response_args_and_kwargs_is_type_error():
    app = FakeApp()
    with pytest.raises(TypeError, match="takes either args or kwargs, not both"):
        app.json.response(1, a=2)


def test_response_indented_in_debug():
    app = FakeApp(debug=True)
    response = app.json.response({"b": 1, "a": [1, 2]})
    assert response.body == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'


def test_response_compact_setting_overrides_debug():
    app = FakeApp(debug=True)
    app.json.compact = True
    assert app.json.response([1, 2]).body == "[1,2]\n"
    other = FakeApp(debug=False)
    other.json.compact = False
    assert other.json.response([1]).body == "[\n  1\n]\n"


def test_response_mimetype_and_sort_keys_settings():
    app = FakeApp()
    app.json.mimetype = "application/vnd.api+json"
    app.json.sort_keys = False
    response = app.json.response(b=1, a=2)
    assert response.mimetype == "application/vnd.api+json"
    assert response.body == '{"b":1,"a":2}\n'


def test_response_uses_overridden_dumps():
    calls = []

    class Custom(DefaultJSONProvider):
        def dumps(self, obj, **kwargs):
            calls.append(kwargs)
            return super().dumps(obj, **kwargs)

    app = FakeApp(provider_class=Custom)
    assert app.json.response([1, 2]).body == "[1,2]\n"
    assert calls == [{"separators": (",", ":")}]
    app.debug = True
    app.json.response([1])
    assert calls[-1] == {"indent": 2}


def test_response_serializes_extra_types():
    value = uuid.UUID(int=5)
    app = FakeApp()
    body = app.json.response(id=value, when=datetime.date(2020, 1, 2)).body
    assert (
        body
        == '{"id":"00000000-0000-0000-0000-000000000005","when":"Thu, 02 Jan 2020 00:00:00 GMT"}\n'
    )


def test_module_functions_without_app():
    # Outside an app the stdlib defaults apply: keys keep their order.
    assert mjson.dumps({"b": 1, "a": decimal.Decimal("1")}) == '{"b": 1, "a": "1"}'
    assert mjson.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert mjson.loads('{"a": 1}') == {"a": 1}
    assert mjson.loads(b"[1]") == [1]
    out = io.StringIO()
    mjson.dump({"u": uuid.UUID(int=0)}, out)
    assert out.getvalue() == '{"u": "00000000-0000-0000-0000-000000000000"}'
    assert mjson.load(io.StringIO("[true]")) == [True]


def test_module_functions_use_active_app(active_app):
    class Marking(DefaultJSONProvider):
        def dumps(self, obj, **kwargs):
            return "app:" + super().dumps(obj, **kwargs)

        def loads(self, s, **kwargs):
            return ("app", super().loads(s, **kwargs))

    app = active_app(FakeApp(provider_class=Marking))
    assert mjson.dumps({"b": 1, "a": 2}) == 'app:{"a": 2, "b": 1}'
    assert mjson.loads("1") == ("app", 1)
    assert mjson.load(io.StringIO("2")) == ("app", 2)
    out = io.StringIO()
    mjson.dump([1], out)
    assert out.getvalue() == "app:[1]"
    response = mjson.jsonify(a=1)
    assert isinstance(response, FakeResponse)
    assert response.body == 'app:{"a":1}\n'
    app.debug = True
    assert mjson.jsonify([1]).body == "app:[\n  1\n]\n"


def test_jsonify_without_app_uses_default_response():
    wrappers = pytest.importorskip("microflask.wrappers")
    response = mjson.jsonify({"b": 2, "a": 1})
    assert isinstance(response, wrappers.Response)
    assert response.mimetype == "application/json"
    assert response.get_data() == b'{"a":1,"b":2}\n'
    assert mjson.jsonify().get_data() == b"null\n"
    assert mjson.jsonify(1, 2).get_data() == b"[1,2]\n"
    with pytest.raises(TypeError):
        mjson.jsonify(1, a=2)
