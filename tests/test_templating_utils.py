"""Helpers of microflask.templating.utils.

Expected strings were checked against Jinja2's ``jinja2.utils`` output.
"""

import copy
import json
import pathlib
import pickle
import re
import threading

import pytest

from microflask.markup import Markup
from microflask.templating import utils
from microflask.templating.runtime import Undefined
from microflask.templating.utils import (
    Cycler,
    Joiner,
    LRUCache,
    Namespace,
    generate_lorem_ipsum,
    htmlsafe_json_dumps,
    missing,
    select_autoescape,
    urlize,
)


def test_pass_decorators_mark_functions():
    def f():
        pass

    assert utils.pass_context(f) is f and f.jinja_pass_arg == "context"
    assert utils.pass_eval_context(f).jinja_pass_arg == "eval_context"
    assert utils.pass_environment(f).jinja_pass_arg == "environment"


def test_internalcode_records_code_object():
    def plumbing():
        pass

    assert utils.internalcode(plumbing) is plumbing
    assert plumbing.__code__ in utils.internal_code


def test_missing_is_a_singleton_with_repr():
    assert repr(missing) == "missing"
    assert isinstance(missing, utils.MissingType)
    assert pickle.loads(pickle.dumps(missing)) is missing
    assert copy.deepcopy(missing) is missing


def test_is_undefined_and_consume():
    assert utils.is_undefined(Undefined())
    assert not utils.is_undefined(None)
    seen = []
    utils.consume(seen.append(i) for i in range(3))
    assert seen == [0, 1, 2]


def test_object_type_repr():
    assert utils.object_type_repr(None) == "None"
    assert utils.object_type_repr(Ellipsis) == "Ellipsis"
    assert utils.object_type_repr([]) == "list object"
    assert utils.object_type_repr(Joiner()) == "microflask.templating.utils.Joiner object"


def test_import_string_forms():
    import os.path

    assert utils.import_string("os.path:join") is os.path.join
    assert utils.import_string("os.path.join") is os.path.join
    assert utils.import_string("os") is os
    assert utils.import_string("no_such_module_here.x", silent=True) is None
    with pytest.raises(ImportError):
        utils.import_string("no_such_module_here.x")
    with pytest.raises(AttributeError):
        utils.import_string("os.no_such_attribute")


def test_open_if_exists(tmp_path):
    assert utils.open_if_exists(str(tmp_path / "nope")) is None
    assert utils.open_if_exists(str(tmp_path)) is None
    target = tmp_path / "f.txt"
    target.write_bytes(b"hi")
    with utils.open_if_exists(str(target)) as handle:
        assert handle.read() == b"hi"


def test_url_quote():
    assert utils.url_quote("a b/é&") == "a%20b/%C3%A9%26"
    assert utils.url_quote("a b/é&", for_qs=True) == "a+b%2F%C3%A9%26"
    assert utils.url_quote(b"\xff") == "%FF"
    assert utils.url_quote(3) == "3"


def test_pformat():
    assert utils.pformat({"b": 1, "a": 2}) == "{'a': 2, 'b': 1}"


# -- urlize (most cases are in the filter fixtures) ----------------------------


def test_urlize_attributes_are_escaped():
    result = urlize("x www.a.com y", rel="r&", target='t"')
    assert result == 'x <a href="https://www.a.com" rel="r&amp;" target="t&#34;">www.a.com</a> y'


def test_urlize_escapes_surrounding_text():
    assert urlize("<b> & http://a.com") == (
        '&lt;b&gt; &amp; <a href="http://a.com">http://a.com</a>'
    )


def test_urlize_plain_text_unchanged_and_whitespace_kept():
    assert urlize("just  words\there") == "just  words\there"


def test_urlize_is_fast_on_pathological_input():
    # Long runs of closing punctuation must not backtrack badly.
    text = "http://a.com" + ")" * 5000 + " " + "(" * 5000 + "x"
    assert urlize(text).startswith('<a href="http://a.com">')


# -- lorem ipsum -------------------------------------------------------------------


def test_lorem_ipsum_html_paragraphs():
    text = generate_lorem_ipsum(n=3, min=5, max=10)
    assert isinstance(text, Markup)
    paragraphs = text.split("\n")
    assert len(paragraphs) == 3
    for paragraph in paragraphs:
        assert paragraph.startswith("<p>") and paragraph.endswith(".</p>")
        words = paragraph[3:-4].split()
        assert 5 <= len(words) < 10
        assert words[0][0].isupper()


def test_lorem_ipsum_plain_text():
    text = generate_lorem_ipsum(n=2, html=False, min=20, max=21)
    assert not isinstance(text, Markup)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 2
    for paragraph in paragraphs:
        assert len(paragraph.split()) == 20
        assert re.fullmatch(r"[A-Z][a-z]*(,? [A-Za-z]+\.?)*\.", paragraph.replace("..", "."))
        # After every full stop the next word starts upper case.
        for first_letter in re.findall(r"\. (\w)", paragraph):
            assert first_letter.isupper()


# -- LRUCache ---------------------------------------------------------------------


def test_lru_cache_evicts_least_recently_used():
    cache = LRUCache(2)
    cache["a"] = 1
    cache["b"] = 2
    assert cache["a"] == 1
    cache["c"] = 3
    assert "b" not in cache and "a" in cache
    assert repr(cache) == "<LRUCache {'a': 1, 'c': 3}>"
    assert cache.items() == [("c", 3), ("a", 1)]
    assert cache.keys() == ["c", "a"]
    assert cache.values() == [3, 1]
    assert list(reversed(cache)) == ["a", "c"]
    assert len(cache) == 2 and cache.capacity == 2


def test_lru_cache_get_setdefault_delete_clear():
    cache = LRUCache(2)
    assert cache.get("x") is None and cache.get("x", 5) == 5
    assert cache.setdefault("x", 4) == 4 and cache.setdefault("x", 9) == 4
    del cache["x"]
    assert "x" not in cache
    with pytest.raises(KeyError):
        cache["x"]
    cache["y"] = 1
    cache.clear()
    assert len(cache) == 0


def test_lru_cache_copy_and_pickle_are_independent():
    cache = LRUCache(2)
    cache["a"] = 1
    duplicate = copy.copy(cache)
    duplicate["b"] = 2
    assert cache.items() == [("a", 1)]
    restored = pickle.loads(pickle.dumps(duplicate))
    assert restored.items() == [("b", 2), ("a", 1)] and restored.capacity == 2


def test_lru_cache_threads():
    cache = LRUCache(50)

    def hammer(offset):
        for i in range(2000):
            cache[(offset + i) % 80] = i
            cache.get((offset + i * 7) % 80)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


# -- select_autoescape, htmlsafe_json_dumps -----------------------------------------


def test_select_autoescape():
    decide = select_autoescape(["HTML", ".xml"], ["txt"])
    names = [None, "a.html", "A.HTML", "b.xml", "c.txt", "d", "x.htm"]
    assert [decide(n) for n in names] == [True, True, True, True, False, False, False]
    decide = select_autoescape(default_for_string=False, default=True)
    assert [decide(n) for n in (None, "a.html", "d")] == [False, True, True]


def test_htmlsafe_json_dumps():
    result = htmlsafe_json_dumps({"a": "<&>'\""})
    assert isinstance(result, Markup)
    assert result == '{"a": "\\u003c\\u0026\\u003e\\u0027\\""}'
    assert htmlsafe_json_dumps([1], dumps=lambda o, **kw: "<%s>" % kw["x"], x=1) == (
        "\\u003c1\\u003e"
    )


# -- Cycler, Joiner, Namespace ---------------------------------------------------------


def test_cycler():
    cycler = Cycler("x", "y")
    assert [cycler.next(), cycler.next(), cycler.current, next(cycler)] == ["x", "y", "x", "x"]
    assert cycler.current == "y"
    cycler.reset()
    assert cycler.current == "x"
    with pytest.raises(RuntimeError, match="at least one item has to be provided"):
        Cycler()


def test_joiner():
    joiner = Joiner("|")
    assert [joiner(), joiner(), joiner()] == ["", "|", "|"]
    assert Joiner()() == "" and Joiner.__init__.__defaults__ == (", ",)


def test_namespace():
    namespace = Namespace({"a": 1}, b=2)
    namespace["c"] = 3
    namespace.d = 4
    assert repr(namespace) == "<Namespace {'a': 1, 'b': 2, 'c': 3, 'd': 4}>"
    assert (namespace.a, namespace.b, namespace.c, namespace.d) == (1, 2, 3, 4)
    with pytest.raises(AttributeError):
        namespace.missing_name
    # Internals are not reachable through attribute access.
    with pytest.raises(AttributeError):
        namespace.__dict__
    with pytest.raises(AttributeError):
        namespace.__init__
    assert namespace.__class__ is Namespace
    assert Namespace(self=1).self == 1


URLIZE_FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "templating_urlize_expected.json"


def test_urlize_matches_jinja_on_generated_inputs():
    cases = json.loads(URLIZE_FIXTURE.read_text(encoding="utf-8"))
    mismatches = [
        (case["text"], case["kwargs"])
        for case in cases
        if urlize(case["text"], **case["kwargs"]) != case["expect"]
    ]
    assert not mismatches


def test_lru_cache_exposes_mapping_and_queue_snapshots():
    cache = LRUCache(3)
    cache["foo"] = 42
    cache["bar"] = 23
    cache["foo"]
    assert cache._mapping == {"foo": 42, "bar": 23}
    assert list(cache._queue) == ["bar", "foo"]
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(cache, protocol))
        assert restored._mapping == cache._mapping
        assert restored._queue == cache._queue


def test_lru_cache_zero_capacity_stores_nothing():
    cache = LRUCache(0)
    cache["a"] = 1
    assert len(cache) == 0 and "a" not in cache


def test_clear_caches_empties_lexer_cache():
    from microflask.templating import lexer
    from microflask.templating.environment import Environment

    Environment().from_string("{{ 1 }}")
    utils.clear_caches()
    assert not getattr(lexer, "_LEXER_CACHE", {})


def test_lru_cache_state_has_jinja_shape_and_round_trips():
    from collections import deque

    cache = LRUCache(3)
    cache["a"] = 1
    cache["b"] = 2
    cache["a"]
    assert cache.__getstate__() == {
        "capacity": 3,
        "_mapping": {"b": 2, "a": 1},
        "_queue": deque(["b", "a"]),
    }
    cache.clear()
    assert cache.__getstate__() == {"capacity": 3, "_mapping": {}, "_queue": deque([])}
    cache["x"] = 9
    cache["y"] = 8
    restored = pickle.loads(pickle.dumps(cache))
    assert restored.capacity == 3 and list(restored.items()) == list(cache.items())
