"""The builtin filters of microflask.templating.filters, called directly.

Expected results come from tests/fixtures/templating_filters_expected.json,
recorded from Jinja2 by tests/fixtures/templating_make_filters_fixture.py.
"""

import json
import pathlib
import types

import pytest

from microflask.markup import Markup
from microflask.templating import filters
from microflask.templating.exceptions import FilterArgumentError, TemplateRuntimeError
from microflask.templating.filters import FILTERS
from microflask.templating.tests import TESTS
from microflask.templating.utils import missing

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "templating_filters_expected.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))


def runtime_undefined():
    try:
        from microflask.templating.runtime import Undefined
    except ImportError:
        pytest.skip("microflask.templating.runtime is not available yet")
    return Undefined


class FakeEnvironment:
    """Just what filters use of an Environment, with Jinja's default policies."""

    sandboxed = False
    newline_sequence = "\n"

    def __init__(self):
        self.policies = {
            "urlize.rel": "noopener",
            "urlize.target": None,
            "urlize.extra_schemes": None,
            "truncate.leeway": 5,
            "json.dumps_function": None,
            "json.dumps_kwargs": {"sort_keys": True},
        }
        self.filters = dict(FILTERS)
        self.tests = dict(TESTS)

    def undefined(self, hint=None, obj=missing, name=None, exc=None):
        undefined_class = runtime_undefined()
        return undefined_class(hint=hint, obj=obj, name=name)

    def getitem(self, obj, argument):
        try:
            return obj[argument]
        except (AttributeError, TypeError, LookupError):
            if isinstance(argument, str):
                try:
                    return getattr(obj, argument)
                except AttributeError:
                    pass
            return self.undefined(obj=obj, name=argument)

    def getattr(self, obj, attribute):
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def _call(self, func, value, args, kwargs, context, eval_ctx):
        pass_arg = getattr(func, "jinja_pass_arg", None)
        args = list(args or ())
        if pass_arg == "context":
            args.insert(0, context)
        elif pass_arg == "eval_context":
            args.insert(0, eval_ctx or FakeEvalContext(self))
        elif pass_arg == "environment":
            args.insert(0, self)
        return func(value, *args, **(kwargs or {})) if pass_arg is None else func(
            args[0], value, *args[1:], **(kwargs or {})
        )

    def call_filter(self, name, value, args=None, kwargs=None, context=None, eval_ctx=None):
        return self._call(self.filters[name], value, args, kwargs, context, eval_ctx)

    def call_test(self, name, value, args=None, kwargs=None, context=None, eval_ctx=None):
        return self._call(self.tests[name], value, args, kwargs, context, eval_ctx)


class FakeEvalContext:
    def __init__(self, environment, autoescape=False):
        self.environment = environment
        self.autoescape = autoescape


class FakeContext:
    def __init__(self, environment):
        self.environment = environment


def decode(value):
    if isinstance(value, dict):
        if "$markup" in value:
            return Markup(value["$markup"])
        if "$obj" in value:
            return types.SimpleNamespace(**{k: decode(v) for k, v in value["$obj"].items()})
        if "$tuple" in value:
            return tuple(decode(v) for v in value["$tuple"])
        if "$undefined" in value:
            return runtime_undefined()(name="x")
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def encode(value):
    if isinstance(value, Markup):
        return {"$markup": str(value)}
    if isinstance(value, types.SimpleNamespace):
        return {"$obj": {k: encode(v) for k, v in vars(value).items()}}
    if type(value).__name__.endswith("Undefined"):
        return {"$undefined": True}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return [encode(v) for v in value]


def run_case(case):
    env = FakeEnvironment()
    eval_ctx = FakeEvalContext(env, case["autoescape"])
    try:
        result = env.call_filter(
            case["filter"],
            decode(case["value"]),
            decode(case["args"]),
            decode(case["kwargs"]),
            context=FakeContext(env),
            eval_ctx=eval_ctx,
        )
        return encode(result)
    except ImportError as error:
        if "runtime" in str(error):
            pytest.skip("microflask.templating.runtime is not available yet")
        raise
    except Exception as error:
        return {"$error": type(error).__name__, "message": str(error)}


def case_id(case):
    return "%s-%s" % (
        case["filter"],
        json.dumps([case["value"], case["args"], case["kwargs"]])[:60],
    )


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_filter_matches_jinja(case):
    assert run_case(case) == case["expect"]


def test_every_jinja_filter_name_is_present():
    names = {case["filter"] for case in CASES}
    assert names <= set(FILTERS)
    assert len(FILTERS) == 54


def test_error_types_are_template_errors():
    assert issubclass(FilterArgumentError, TemplateRuntimeError)


def test_pass_markers():
    assert filters.do_truncate.jinja_pass_arg == "environment"
    assert filters.do_join.jinja_pass_arg == "eval_context"
    assert filters.do_map.jinja_pass_arg == "context"
    assert filters.do_random.jinja_pass_arg == "context"
    assert not hasattr(filters.do_upper, "jinja_pass_arg")


def test_random_picks_an_item():
    env = FakeEnvironment()
    assert filters.do_random(FakeContext(env), [1, 2, 3]) in (1, 2, 3)


def test_random_of_empty_is_undefined():
    env = FakeEnvironment()
    result = filters.do_random(FakeContext(env), [])
    assert type(result).__name__.endswith("Undefined")


def test_first_and_last_of_empty_are_undefined():
    env = FakeEnvironment()
    assert type(filters.do_first(env, [])).__name__.endswith("Undefined")
    assert type(filters.do_last(env, [])).__name__.endswith("Undefined")
    assert type(filters.do_min(env, [])).__name__.endswith("Undefined")


def test_groupby_tuples_have_names_and_tuple_repr():
    env = FakeEnvironment()
    groups = filters.do_groupby(env, [{"k": 1}, {"k": 2}, {"k": 1}], "k")
    assert groups[0].grouper == 1 and groups[0].list == [{"k": 1}, {"k": 1}]
    assert repr(groups[1]) == "(2, [{'k': 2}])"
    grouper, items = groups[1]
    assert grouper == 2


def test_make_attrgetter_walks_dots_and_indexes():
    env = FakeEnvironment()
    getter = filters.make_attrgetter(env, "a.1.b")
    assert getter({"a": [None, {"b": "x"}]}) == "x"
    assert filters.make_attrgetter(env, None)(5) == 5
    assert filters.make_attrgetter(env, "a", postprocess=str.upper)({"a": "q"}) == "Q"


def test_make_multi_attrgetter_lists_each_path():
    env = FakeEnvironment()
    getter = filters.make_multi_attrgetter(env, "a,b.c", postprocess=filters.ignore_case)
    assert getter({"a": "X", "b": {"c": 2}}) == ["x", 2]


def test_ignore_case():
    assert filters.ignore_case("AbC") == "abc"
    assert filters.ignore_case(3) == 3


def test_map_without_filter_name_errors():
    env = FakeEnvironment()
    with pytest.raises(FilterArgumentError, match="map requires a filter argument"):
        list(filters.do_map(FakeContext(env), [1]))


def test_map_rejects_extra_keyword():
    env = FakeEnvironment()
    with pytest.raises(FilterArgumentError, match="Unexpected keyword argument 'x'"):
        list(filters.do_map(FakeContext(env), [1], attribute="a", x=1))


def test_selectattr_without_attribute_errors():
    env = FakeEnvironment()
    with pytest.raises(FilterArgumentError, match="Missing parameter for attribute name"):
        list(filters.do_selectattr(FakeContext(env), [1]))


def test_select_is_lazy():
    env = FakeEnvironment()
    result = filters.do_select(FakeContext(env), [0, 1])
    assert not isinstance(result, list)
    assert list(result) == [1]


def test_tojson_honours_dumps_policy():
    env = FakeEnvironment()
    env.policies["json.dumps_function"] = lambda obj, **kw: "<%s|%s>" % (obj, ",".join(sorted(kw)))
    result = filters.do_tojson(FakeEvalContext(env), 1, indent=2)
    assert result == "\\u003c1|indent,sort_keys\\u003e"
    assert env.policies["json.dumps_kwargs"] == {"sort_keys": True}


def test_truncate_leeway_policy():
    env = FakeEnvironment()
    env.policies["truncate.leeway"] = 0
    assert filters.do_truncate(env, "foo bar baz", 9) == "foo..."


def test_urlize_policies():
    env = FakeEnvironment()
    env.policies["urlize.rel"] = None
    env.policies["urlize.target"] = "_top"
    env.policies["urlize.extra_schemes"] = ["tel:"]
    result = filters.do_urlize(FakeEvalContext(env), "http://a.com tel:1")
    assert (
        result
        == (
            '<a href="http://a.com" target="_top">http://a.com</a> <a href="tel:1" '
            'target="_top">tel:1</a>'
        )
    )


def test_wordwrap_uses_environment_newline():
    env = FakeEnvironment()
    env.newline_sequence = "\r\n"
    assert filters.do_wordwrap(env, "aa bb", 2) == "aa\r\nbb"


def test_reverse_of_iterator_is_list():
    assert filters.do_reverse(iter([1, 2])) == [2, 1]


def test_attr_ignores_items_and_gives_undefined():
    env = FakeEnvironment()
    assert type(filters.do_attr(env, {"a": 1}, "a")).__name__.endswith("Undefined")
    assert filters.do_attr(env, types.SimpleNamespace(a=1), "a") == 1


def test_attr_in_sandbox_asks_environment():
    env = FakeEnvironment()
    env.sandboxed = True
    env.is_safe_attribute = lambda obj, name, value: False
    env.unsafe_undefined = lambda obj, name: ("unsafe", name)
    assert filters.do_attr(env, types.SimpleNamespace(a=1), "a") == ("unsafe", "a")


def test_join_is_markup_when_any_item_is_markup():
    env = FakeEnvironment()
    result = filters.do_join(FakeEvalContext(env, True), ["<a>", Markup("<b>")], "&")
    assert isinstance(result, Markup) and result == "&lt;a&gt;&amp;<b>"


def test_indent_keeps_markup():
    result = filters.do_indent(Markup("<a>\n<b>"), 1)
    assert isinstance(result, Markup) and result == "<a>\n <b>"


def test_default_keeps_defined_falsy_values():
    assert filters.do_default(0, "x") == 0
    assert filters.do_default(False, "x", True) == "x"


# -- through real templates (once the engine core renders) ---------------------------

RENDER_FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "templating_render_expected.json"
RENDER_CASES = json.loads(RENDER_FIXTURE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "case", RENDER_CASES, ids=[c["source"][:50] for c in RENDER_CASES]
)
def test_template_rendering_matches_jinja(case):
    environment_module = pytest.importorskip("microflask.templating.environment")
    env = environment_module.Environment(autoescape=case["autoescape"])
    output = env.from_string(case["source"]).render(**case["context"])
    assert output == case["expect"]


def test_groupby_tuple_class_has_jinja_name():
    group = filters._GroupTuple("k", [1, 2])
    assert (group.grouper, group.list) == ("k", [1, 2])
    assert repr(group) == str(group) == "('k', [1, 2])"
