"""microflask.json.tag: tagged JSON, byte-identical to Flask's.

``fixtures/json_tag_expected.json`` was written by the real Flask
(``fixtures/make_json_tag_fixture.py``, not run here).
"""

import datetime
import json
import pathlib
import types
import uuid
from collections import OrderedDict

import pytest

from microflask.json.provider import DefaultJSONProvider
from microflask.json.tag import (
    JSONTag,
    PassDict,
    PassList,
    TagBytes,
    TagDateTime,
    TagDict,
    TaggedJSONSerializer,
    TagMarkup,
    TagTuple,
    TagUUID,
)
from microflask.markup import Markup

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "json_tag_expected.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))
EVAL_NAMES = {"Markup": Markup, "uuid": uuid, "datetime": datetime, "UUID": uuid.UUID}


def evaluate(expression):
    return eval(expression, dict(EVAL_NAMES))


def same_value(left, right):
    """Equal, and of the same types all the way down."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_value(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(map(same_value, left, right))
    return left == right


@pytest.fixture
def app_with_default_provider():
    """An active app context whose app uses the default provider (sorted keys)."""
    from microflask.globals import _cv_app

    class App:
        debug = False

    app = App()
    app.json = DefaultJSONProvider(app)
    token = _cv_app.set(types.SimpleNamespace(app=app))
    yield app
    _cv_app.reset(token)


@pytest.mark.parametrize("case", CASES, ids=[case["python"] for case in CASES])
def test_dumps_matches_flask_outside_app(case):
    serializer = TaggedJSONSerializer()
    assert serializer.dumps(evaluate(case["python"])) == case["outside_app"]


@pytest.mark.parametrize("case", CASES, ids=[case["python"] for case in CASES])
def test_dumps_matches_flask_inside_app(case, app_with_default_provider):
    serializer = TaggedJSONSerializer()
    assert serializer.dumps(evaluate(case["python"])) == case["inside_app"]


@pytest.mark.parametrize("case", CASES, ids=[case["python"] for case in CASES])
def test_loads_matches_flask(case):
    serializer = TaggedJSONSerializer()
    loaded = serializer.loads(case["outside_app"])
    assert same_value(loaded, evaluate(case["loads_repr"]))
    if isinstance(loaded, Markup):
        assert type(loaded) is Markup


def test_loads_accepts_bytes():
    serializer = TaggedJSONSerializer()
    assert serializer.loads(b'{" t":[1,{" b":"AA=="}]}') == (1, b"\x00")


def test_default_tag_order_and_keys():
    serializer = TaggedJSONSerializer()
    assert [type(tag) for tag in serializer.order] == [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]
    assert list(serializer.tags) == [" di", " t", " b", " m", " u", " d"]
    assert TaggedJSONSerializer.default_tags[0] is TagDict
    assert all(tag.serializer is serializer for tag in serializer.order)


def test_markup_like_objects_load_as_markup():
    class Html:
        def __html__(self):
            return "<em>hi</em>"

    serializer = TaggedJSONSerializer()
    text = serializer.dumps(Html())
    assert text == '{" m":"<em>hi</em>"}'
    assert serializer.loads(text) == Markup("<em>hi</em>")


def test_tag_and_untag_directly():
    serializer = TaggedJSONSerializer()
    assert serializer.tag((1, b"a")) == {" t": [1, {" b": "YQ=="}]}
    assert serializer.tag("x") == "x"
    assert serializer.untag({" t": [1, 2]}) == (1, 2)
    assert serializer.untag({"a": 1, "b": 2}) == {"a": 1, "b": 2}
    assert serializer.untag({"unknown": 1}) == {"unknown": 1}


def test_register_custom_tag():
    class TagOrderedDict(JSONTag):
        __slots__ = ("serializer",)
        key = " od"

        def check(self, value):
            return isinstance(value, OrderedDict)

        def to_json(self, value):
            return [[key, self.serializer.tag(item)] for key, item in value.items()]

        def to_python(self, value):
            return OrderedDict(value)

    serializer = TaggedJSONSerializer()
    serializer.register(TagOrderedDict, index=0)
    value = OrderedDict([("b", 1), ("a", (2,))])
    text = serializer.dumps(value)
    assert text == '{" od":[["b",1],["a",{" t":[2]}]]}'
    loaded = serializer.loads(text)
    assert isinstance(loaded, OrderedDict)
    assert list(loaded.items()) == [("b", 1), ("a", (2,))]


def test_register_duplicate_key():
    class OtherTuple(TagTuple):
        __slots__ = ()

        def to_python(self, value):
            return ["other", *value]

    serializer = TaggedJSONSerializer()
    with pytest.raises(KeyError, match="Tag ' t' is already registered."):
        serializer.register(OtherTuple)
    serializer.register(OtherTuple, force=True)
    assert serializer.loads('{" t":[1]}') == ["other", 1]


def test_register_keyless_tag_is_only_in_order():
    class Upper(JSONTag):
        __slots__ = ()

        def check(self, value):
            return isinstance(value, str)

        def tag(self, value):
            return value.upper()

    serializer = TaggedJSONSerializer()
    serializer.register(Upper)
    assert "" not in serializer.tags
    assert serializer.dumps(["a", ("b",)]) == '["A",{" t":["B"]}]'


def test_base_tag_methods_are_abstract():
    tag = JSONTag(TaggedJSONSerializer())
    assert tag.key == ""
    for method in (tag.check, tag.to_json, tag.to_python):
        with pytest.raises(NotImplementedError):
            method(1)


def test_unserializable_value_is_type_error():
    with pytest.raises(TypeError, match="is not JSON serializable"):
        TaggedJSONSerializer().dumps({"x": object()})


def test_invalid_json_is_value_error():
    with pytest.raises(ValueError):
        TaggedJSONSerializer().loads("{not json")


def test_register_index_positions():
    class TagOne(JSONTag):
        key = " 1"

    class TagTwo(JSONTag):
        key = " 2"

    serializer = TaggedJSONSerializer()
    serializer.register(TagOne, index=-1)
    assert isinstance(serializer.order[-2], TagOne)
    serializer.register(TagTwo, index=None)
    assert isinstance(serializer.order[-1], TagTwo)


def test_tag_without_serializer_still_constructs():
    tag = JSONTag(None)
    assert tag.serializer is None
    with pytest.raises(NotImplementedError):
        tag.tag(1)


@pytest.mark.parametrize(
    "value",
    [
        {" t__": b"a"},
        {"a": b"a"},
        [b"a"],
        {" di": {" t": (1,)}},
        ((b"x", Markup("<i>")), [uuid.UUID(int=7)]),
    ],
)
def test_round_trip(value):
    serializer = TaggedJSONSerializer()
    assert same_value(serializer.loads(serializer.dumps(value)), value)
