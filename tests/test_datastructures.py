"""microflask.datastructures: a recorded corpus of peer expressions
(tests/fixtures/http_datastructure_ops.json, made by
http_make_ds_fixtures.py) replayed against microflask, plus hand-written
checks of behaviour, deliberate deviations and bad input."""

import copy
import datetime
import io
import json
import pathlib
import pickle
import time

import pytest

from microflask import datastructures as D
from microflask import exceptions as E
from microflask import http as H
from microflask.datastructures import (
    CallbackDict,
    CombinedMultiDict,
    EnvironHeaders,
    FileStorage,
    HeaderSet,
    Headers,
    ImmutableMultiDict,
    ImmutableOrderedMultiDict,
    MultiDict,
    OrderedMultiDict,
)

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
PEER_OPS = json.loads((FIXTURES / "http_datastructure_ops.json").read_text())
NAMESPACE = {"io": io, "datetime": datetime, "time": time, "copy": copy, "pickle": pickle,
             "D": D, "H": H, "E": E}
NAMESPACE.update({name: getattr(D, name) for name in D.__all__})


def evaluate(op):
    try:
        result = eval(op, dict(NAMESPACE))
        if hasattr(type(result), "__next__"):
            result = ("<iter>", list(result))
        return repr(result)
    except BaseException as e:
        return "!! %s %s" % (type(e).__name__, str(e)[:100])


@pytest.mark.parametrize("op,expected", PEER_OPS, ids=[str(i) for i in range(len(PEER_OPS))])
def test_expression_matches_peer(op, expected):
    assert evaluate(op) == expected, op


# -- MultiDict ---------------------------------------------------------------


def test_multidict_basics():
    d = MultiDict([("a", "1"), ("b", "2"), ("a", "3")])
    assert d["a"] == "1"
    assert d.getlist("a") == ["1", "3"]
    assert d.get("a", type=int) == 1
    assert d.get("b", type=lambda v: int("x")) is None
    assert list(d) == ["a", "b"]
    with pytest.raises(KeyError) as info:
        d["missing"]
    assert isinstance(info.value, E.BadRequestKeyError)
    assert info.value.code == 400


def test_multidict_setlistdefault_returns_live_list():
    d = MultiDict()
    values = d.setlistdefault("a", [1])
    values.append(2)
    assert d.getlist("a") == [1, 2]


def test_multidict_update_adds():
    d = MultiDict([("a", 1)])
    d.update({"a": [2, 3]})
    assert d.getlist("a") == [1, 2, 3]


def test_multidict_pickle_and_deepcopy():
    d = MultiDict([("a", [1]), ("a", [2])])
    assert pickle.loads(pickle.dumps(d)) == d
    deep = d.deepcopy()
    deep.getlist("a")[0].append(9)
    assert d.getlist("a")[0] == [1]
    assert d.__getstate__() == {"a": [[1], [2]]}


def test_immutable_multidict_refuses_changes():
    d = ImmutableMultiDict([("a", 1)])
    for call in (lambda: d.add("a", 2), lambda: d.setlist("a", []), lambda: d.pop("a"),
                 lambda: d.update({}), lambda: d.__setitem__("a", 1), lambda: d.clear()):
        with pytest.raises(TypeError, match="'ImmutableMultiDict' objects are immutable"):
            call()
    assert isinstance(d.copy(), MultiDict) and not isinstance(d.copy(), ImmutableMultiDict)
    assert copy.copy(d) is d
    assert {d: 1}[d] == 1


def test_ordered_multidict_keeps_insertion_order():
    d = OrderedMultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert list(d.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3)]
    assert list(d.keys()) == ["a", "b"]
    d["a"] = 9
    assert list(d.items(multi=True)) == [("b", 2), ("a", 9)]
    d.add("c", 4)
    assert d.poplist("b") == [2]
    assert list(d.items(multi=True)) == [("a", 9), ("c", 4)]
    restored = pickle.loads(pickle.dumps(d))
    assert list(restored.items(multi=True)) == [("a", 9), ("c", 4)]
    frozen = ImmutableOrderedMultiDict([("x", 1), ("y", 2), ("x", 3)])
    assert list(frozen.items(multi=True)) == [("x", 1), ("y", 2), ("x", 3)]
    with pytest.raises(TypeError):
        frozen.add("z", 1)


def test_combined_multidict():
    combined = CombinedMultiDict([MultiDict([("a", "1")]), MultiDict([("a", "2"), ("b", "x")])])
    assert combined["a"] == "1"
    assert combined.getlist("a") == ["1", "2"]
    assert combined.get("b", type=int) is None
    assert "b" in combined and "c" not in combined
    with pytest.raises(TypeError):
        combined["c"] = 1
    with pytest.raises(KeyError):
        combined["c"]


def test_callback_dict_reports_each_change():
    seen = []
    d = CallbackDict({"a": 1}, lambda d: seen.append(dict(d)))
    d["b"] = 2
    del d["a"]
    d.setdefault("c", 3)
    d.setdefault("c", 4)
    d.pop("missing", None)
    d.update(x=1)
    d.clear()
    assert seen == [{"a": 1, "b": 2}, {"b": 2}, {"b": 2, "c": 3}, {"b": 2, "c": 3, "x": 1}, {}]


# -- Headers -----------------------------------------------------------------


def test_headers_case_insensitive_and_ordered():
    h = Headers()
    h.add("Content-Type", "text/plain")
    h.add("X-Foo", "1")
    h.add("x-foo", "2")
    assert h["content-type"] == "text/plain"
    assert h.getlist("X-FOO") == ["1", "2"]
    assert list(h) == [("Content-Type", "text/plain"), ("X-Foo", "1"), ("x-foo", "2")]
    h.set("X-Foo", "3")
    assert h.to_wsgi_list() == [("Content-Type", "text/plain"), ("X-Foo", "3")]
    assert str(h) == "Content-Type: text/plain\r\nX-Foo: 3\r\n\r\n"
    assert h[0] == ("Content-Type", "text/plain")
    assert isinstance(h[:1], Headers)


def test_headers_options_rendering():
    h = Headers()
    h.add("Content-Disposition", "attachment", filename="my file.txt")
    h.set("Content-Type", "text/plain", charset="utf-8")
    assert h["Content-Disposition"] == 'attachment; filename="my file.txt"'
    assert h["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("bad", ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\x00b"])
def test_headers_refuse_injection(bad):
    h = Headers()
    for call in (lambda: h.add("X", bad), lambda: h.set("X", bad),
                 lambda: h.__setitem__("X", bad), lambda: h.extend({"X": bad}),
                 lambda: h.setlist("X", ["ok", bad]), lambda: Headers([("X", bad)]),
                 lambda: h.__setitem__(0, ("X", bad))):
        with pytest.raises(ValueError):
            call()


def test_headers_missing_key_is_bad_request_key_error():
    with pytest.raises(E.BadRequestKeyError):
        Headers()["X"]
    assert Headers().get("X") is None


def test_headers_huge_value_is_kept():
    value = "v" * 100_000
    h = Headers([("X", value)])
    assert h["x"] == value


def test_environ_headers():
    environ = {"HTTP_X_FOO": "1", "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "",
               "wsgi.input": None}
    h = EnvironHeaders(environ)
    assert h["X-Foo"] == "1"
    assert h["content-type"] == "text/plain"
    assert list(h) == [("X-Foo", "1"), ("Content-Type", "text/plain")]
    environ["HTTP_X_BAR"] = "live"
    assert h.get("x-bar") == "live"
    with pytest.raises(TypeError, match="immutable"):
        h.add("a", "b")
    with pytest.raises(TypeError, match="cannot create 'EnvironHeaders' copies"):
        h.copy()


# -- FileStorage -------------------------------------------------------------


def test_file_storage_save_to_path_and_file(tmp_path):
    storage = FileStorage(io.BytesIO(b"hello"), "hello.txt", "upload", "text/plain; charset=utf-8")
    assert storage.mimetype == "text/plain"
    assert storage.mimetype_params == {"charset": "utf-8"}
    assert bool(storage)
    target = tmp_path / "out.txt"
    storage.save(target)
    assert target.read_bytes() == b"hello"
    storage.seek(0)
    buffer = io.BytesIO()
    storage.save(buffer)
    assert buffer.getvalue() == b"hello"
    assert not buffer.closed
    assert repr(storage) == "<FileStorage: 'hello.txt' ('text/plain; charset=utf-8')>"
    storage.close()
    assert storage.stream.closed


def test_file_storage_defaults():
    storage = FileStorage()
    assert storage.filename is None
    assert not storage
    assert storage.read() == b""
    assert storage.content_length == 0


def test_file_storage_name_from_stream(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x")
    with open(path, "rb") as f:
        assert FileStorage(f).filename == str(path)


# -- header objects ----------------------------------------------------------


def test_header_set_on_update():
    seen = []
    s = HeaderSet(["GET"], on_update=lambda s: seen.append(s.to_header()))
    s.add("post")
    s.add("POST")
    s.discard("get")
    assert seen == ["GET, post", "post"]
    assert "Post" in s
    assert s.find("POST") == 0
    with pytest.raises(IndexError):
        s.index("nope")


def test_response_cache_control_on_update():
    seen = []
    cc = D.ResponseCacheControl(on_update=lambda c: seen.append(c.to_header()))
    cc.public = True
    cc.max_age = 3600
    cc.immutable = True
    cc.no_cache = True
    del cc.max_age
    assert seen[-1] == "public, immutable, no-cache"
    assert cc.max_age is None
    assert cc.public is True


def test_request_cache_control_is_read_only():
    cc = H.parse_cache_control_header("max-age=0, no-cache")
    assert cc.max_age == 0
    assert cc.no_cache is True
    with pytest.raises(TypeError):
        cc.max_age = 5


def test_accept_best_match_and_quality():
    accept = H.parse_accept_header("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
                                   D.MIMEAccept)
    assert accept.best_match(["application/json", "text/html"]) == "text/html"
    assert accept.best_match(["application/json"]) == "application/json"
    assert accept["image/png"] == 0.8
    assert accept.accept_html and accept.accept_json
    languages = H.parse_accept_header("de-CH, en;q=0.5", D.LanguageAccept)
    assert languages.best_match(["en-US", "de"]) == "de"
    assert languages.best_match(["fr"], default="en") == "en"


@pytest.mark.parametrize("header", ["", ";;;", "text/html;q=", "a/b;q=abc, , ;",
                                    "," * 10_000, "x" * 100_000, "a/b;" * 1000])
def test_malformed_accept_headers_never_raise(header):
    accept = H.parse_accept_header(header, D.MIMEAccept)
    accept.best_match(["text/html"])
    accept.to_header()


def test_authorization_basic_roundtrip():
    auth = D.Authorization("basic", {"username": "ü", "password": "p:w"})
    parsed = D.Authorization.from_header(auth.to_header())
    assert parsed.username == "ü" and parsed.password == "p:w"
    assert D.Authorization.from_header("Basic /w==") is None
    bearer = D.Authorization.from_header("Bearer tok.en==")
    assert bearer.type == "bearer" and bearer.token == "tok.en=="


def test_www_authenticate():
    challenge = D.WWWAuthenticate("basic", {"realm": "Login Required"})
    assert challenge.to_header() == 'Basic realm="Login Required"'
    challenge.realm = "other"
    assert challenge["realm"] == "other"
    parsed = D.WWWAuthenticate.from_header('Digest realm="r", nonce="n", qop="auth"')
    assert parsed.type == "digest"
    assert parsed.parameters == {"realm": "r", "nonce": "n", "qop": "auth"}
    assert parsed.to_header() == 'Digest realm="r", nonce="n", qop="auth"'


def test_range_and_content_range():
    rng = H.parse_range_header("bytes=-100")
    assert rng.range_for_length(1000) == (900, 1000)
    assert rng.to_content_range_header(1000) == "bytes 900-999/1000"
    cr = D.ContentRange("bytes", 0, 10, 100)
    assert str(cr) == "bytes 0-9/100"
    with pytest.raises(AssertionError):
        cr.set(10, 5, 100)


@pytest.mark.parametrize("header", ["bytes=", "bytes=a-", "bytes=--1", "bytes=1-2-3",
                                    "bytes=" + ",".join("%d-%d" % (i, i) for i in range(5000)),
                                    "bytes=99999999999999999999999-", "\x00", "=" * 1000])
def test_garbage_range_headers_never_raise(header):
    result = H.parse_range_header(header)
    if result is not None:
        result.range_for_length(100)
        result.to_header()


def test_callback_dict_reads_do_not_notify_and_writes_do():
    calls = []
    d = CallbackDict({"a": "foo", "b": "bar"}, lambda d: calls.append(1))
    d["a"], d.get("a"), "a" in d, list(d), d.copy()
    with pytest.raises(KeyError):
        d["x"]
    d.pop("z", None)
    d.setdefault("a")
    assert calls == []
    d["z"] = 123
    d["z"] = 123
    del d["z"]
    d.pop("b", None)
    d.setdefault("x")
    d.popitem()
    d.update([])
    d.clear()
    assert len(calls) == 8
    with pytest.raises(KeyError):
        del d["x"]
    with pytest.raises(KeyError):
        d.pop("x")
    assert len(calls) == 8


def test_immutable_containers_are_hashable_and_copy_mutable():
    for cls, data in ((D.ImmutableDict, {"a": 1}), (ImmutableMultiDict, {"a": [1, 2]}),
                      (D.ImmutableTypeConversionDict, {"a": 1}),
                      (ImmutableOrderedMultiDict, {"a": 1})):
        frozen = cls(data)
        assert frozen in {frozen}
        with pytest.raises(TypeError):
            frozen.pop("a")
        mutable = frozen.copy()
        mutable.pop("a")
        assert "a" in frozen
        assert copy.copy(frozen) is frozen
    assert hash(D.ImmutableList((1, 2))) == hash((1, 2))


def test_headers_or_and_update_with_lists():
    h = Headers({"x": 1})
    merged = h | {"y": 2}
    assert isinstance(merged, Headers) and "x" in merged and "y" in merged
    h |= {"z": [3, 4]}
    assert h.getlist("z") == ["3", "4"]


def test_environ_headers_broken_server_environ():
    env = {"HTTP_CONTENT_TYPE": "text/html", "CONTENT_TYPE": "text/html",
           "HTTP_CONTENT_LENGTH": "0", "CONTENT_LENGTH": "0", "HTTP_ACCEPT": "*",
           "wsgi.version": (1, 0)}
    headers = EnvironHeaders(env)
    assert len(headers) == 3
    assert sorted(headers) == [("Accept", "*"), ("Content-Length", "0"),
                               ("Content-Type", "text/html")]
    assert not EnvironHeaders({"wsgi.version": (1, 0)})
    assert 42 not in headers
    assert headers.get("X-Missing", "d") == "d"
    with pytest.raises(KeyError):
        headers["X-Missing"]


def test_file_storage_proxies_spooled_file_attributes():
    import tempfile

    storage = FileStorage(stream=tempfile.SpooledTemporaryFile())
    for name in ("fileno", "writable", "readable", "seekable"):
        assert hasattr(storage, name)
    storage.close()
    restored = pickle.loads(pickle.dumps(FileStorage(io.BytesIO(b"x"), "x.txt")))
    assert restored.filename == "x.txt" and restored.read() == b"x"


def test_ordered_multidict_is_also_reachable_by_its_private_names():
    ordered = D._OrderedMultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert list(ordered.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3)]
    frozen = D._ImmutableOrderedMultiDict(ordered)
    with pytest.raises(TypeError):
        frozen.add("c", 4)


def test_cache_control_numeric_attribute_is_stored_as_header_text():
    control = D.ResponseCacheControl()
    control.max_age = 7.9
    assert control.max_age == 7
    assert control["max-age"] == "7"
    control.s_maxage = "12"
    assert control["s-maxage"] == "12"
    assert control.to_header() == "max-age=7, s-maxage=12"


def test_header_set_is_a_mutable_set_comparing_case_insensitively():
    import collections.abc

    tokens = D.HeaderSet(["X-A", "X-B"])
    assert isinstance(tokens, collections.abc.MutableSet)
    assert tokens == {"X-A", "X-B"}
    assert tokens == D.HeaderSet(["x-b", "x-a"])
    assert tokens != {"X-A"}
    assert tokens != ["X-A", "X-B"]
    assert tokens <= {"X-A", "X-B", "X-C"}
    assert (tokens & {"X-A"}) == {"X-A"}
    with pytest.raises(TypeError):
        hash(tokens)


def test_cache_control_subclass_can_add_directives_with_cache_property():
    class WithExtension(D.ResponseCacheControl):
        stale_extension = D.ResponseCacheControl.cache_property("x-stale", None, int)
        flag = D.ResponseCacheControl.cache_property("x-flag", None, bool)

    control = WithExtension()
    control.stale_extension = 30
    control.flag = True
    assert control.to_header() == "x-stale=30, x-flag"
    assert WithExtension([("x-stale", "5")]).stale_extension == 5
