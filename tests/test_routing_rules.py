"""Rules, rule factories and the Map's bookkeeping in microflask.routing:
parsing, errors, repr, ordering and introspection."""

import pytest

from microflask.datastructures import ImmutableDict
from microflask.routing import (
    DEFAULT_CONVERTERS,
    EndpointPrefix,
    IntegerConverter,
    Map,
    Rule,
    RuleFactory,
    RuleTemplate,
    Subdomain,
    Submount,
    UnicodeConverter,
    default_converters,
    parse_converter_args,
)


def add_rule(string, **options):
    url_map = Map()
    url_map.add(Rule(string, endpoint="e", **options))
    return url_map


# -- parsing errors are raised when the rule is added ------------------------


@pytest.mark.parametrize("string", ["/<x", "/<1x>", "/<a b>", "/<>", "/<int:>", "/<int()>"])
def test_malformed_rules(string):
    with pytest.raises(ValueError, match="malformed url rule"):
        add_rule(string)


def test_rule_must_start_with_slash():
    with pytest.raises(ValueError, match="URL rule 'noslash' must start with a slash."):
        Rule("noslash")


def test_unknown_converter_is_a_lookup_error_naming_the_rule():
    with pytest.raises(LookupError, match="the converter 'foo' does not exist") as info:
        add_rule("/<foo:x>")
    assert "/<foo:x>" in str(info.value)


def test_duplicate_variable():
    with pytest.raises(ValueError, match="variable name 'x' used twice") as info:
        add_rule("/<x>/<x>")
    assert isinstance(info.value, SyntaxError)  # what Werkzeug raises


def test_bad_converter_arguments():
    with pytest.raises(TypeError, match="/<int\\(foo=bar\\):x>"):
        add_rule("/<int(foo=bar):x>")
    with pytest.raises(ValueError, match="Cannot parse converter argument"):
        add_rule("/<int(1,2,min=):x>")


@pytest.mark.parametrize(
    "string", ["/<int(min=x):n>", "/<float(max='a'):n>", "/<int(fixed_digits=2.5):n>"]
)
def test_number_converter_options_are_checked_when_added(string):
    with pytest.raises(TypeError, match="in rule"):
        add_rule(string)


def test_literal_angle_bracket_close_is_static_text():
    adapter = add_rule("/x>").bind("h")
    assert adapter.match("/x>") == ("e", {})


# -- converter arguments --------------------------------------------------------


def test_parse_converter_args():
    assert parse_converter_args("1, 2.5, \"a\", 'b', True, None, foo=bar, x=1") == (
        (1, 2.5, "a", "b", True, None),
        {"foo": "bar", "x": 1},
    )
    assert parse_converter_args("") == ((), {})
    assert parse_converter_args(" ") == ((), {})
    assert parse_converter_args('"a,b"') == (("a,b",), {})
    assert parse_converter_args("False, none, TRUE") == ((False, "none", "TRUE"), {})
    assert parse_converter_args("1e3, a.b, u\"x\", 'é'") == ((1000.0, "a.b", "x", "é"), {})
    assert parse_converter_args("x=1, 2") == ((2,), {"x": 1})
    assert parse_converter_args("min=-5") == ((), {"min": -5})
    assert parse_converter_args("a, b, c,") == (("a", "b", "c"), {})


@pytest.mark.parametrize("text", ["a b", "a,,b", "a=b=c", "x=", '"a\\"b"'])
def test_parse_converter_args_errors(text):
    with pytest.raises(ValueError, match="Cannot parse converter argument"):
        parse_converter_args(text)


def test_converter_instances():
    url_map = add_rule("/<int(fixed_digits=4, signed=True):x>/<string(length=2):y>")
    rule = next(url_map.iter_rules())
    assert isinstance(rule._converters["x"], IntegerConverter)
    assert rule._converters["x"].fixed_digits == 4
    assert rule._converters["x"].signed is True
    assert isinstance(rule._converters["y"], UnicodeConverter)
    assert rule.arguments == {"x", "y"}
    converter = rule.get_converter("z", "int", (), {"max": 3})
    assert converter.max == 3
    assert converter.map is url_map


def test_default_converter_tables():
    assert set(DEFAULT_CONVERTERS) == {"default", "string", "any", "path", "int", "float", "uuid"}
    assert default_converters is DEFAULT_CONVERTERS
    url_map = Map(converters={"num": IntegerConverter})
    assert url_map.converters["num"] is IntegerConverter
    assert url_map.converters is not Map.default_converters
    assert "num" not in Map().converters
    assert isinstance(Map.default_converters, ImmutableDict)
    with pytest.raises(TypeError):
        Map.default_converters["x"] = IntegerConverter


def test_map_subclass_with_more_default_converters():
    class MyMap(Map):
        default_converters = Map.default_converters.copy()
        default_converters["foo"] = UnicodeConverter

    url_map = MyMap([Rule("/a/<foo:bar>", endpoint="a")], converters={"x": IntegerConverter})
    assert url_map.bind("h").match("/a/b") == ("a", {"bar": "b"})
    assert "foo" not in Map().converters


# -- rule attributes ------------------------------------------------------------


def test_methods_are_normalised():
    assert Rule("/a", methods=["GET", "post"]).methods == {"GET", "HEAD", "POST"}
    assert Rule("/a", methods=["HEAD"]).methods == {"HEAD"}
    assert Rule("/a").methods is None
    assert Rule("/a", methods=[]).methods == set()
    with pytest.raises(TypeError, match="'methods' should be a list of strings."):
        Rule("/a", methods="GET")


def test_accepts_answers_whether_a_rule_takes_a_method():
    get_only = Rule("/a", methods=["get"])
    assert get_only.accepts("GET") and get_only.accepts("HEAD")
    assert not get_only.accepts("POST")
    any_method = Rule("/a")
    assert all(any_method.accepts(method) for method in ("GET", "PATCH", "X-CUSTOM"))
    head_only = Rule("/a", methods=["HEAD"])
    assert head_only.accepts("HEAD") and not head_only.accepts("GET")
    assert not Rule("/a", methods=[]).accepts("GET")


def test_rule_repr_and_str():
    assert repr(Rule("/a", endpoint="x")) == "<Rule (unbound)>"
    url_map = Map(
        [
            Rule("/x/<int:id>", endpoint="item", methods=["GET", "OPTIONS"]),
            Rule("/about", subdomain="docs", endpoint="docs"),
            Rule("/<n>.<ext>", endpoint="file"),
        ]
    )
    item, docs, file_rule = url_map.iter_rules()
    assert repr(item) == "<Rule '/x/<id>' (GET, HEAD, OPTIONS) -> item>"
    assert repr(docs) == "<Rule 'docs|/about' -> docs>"
    assert repr(file_rule) == "<Rule '/<n>.<ext>' -> file>"
    assert str(item) == "/x/<int:id>"


def test_rule_equality_compares_patterns():
    url_map = Map(
        [
            Rule("/a/<int:x>", endpoint="one"),
            Rule("/a/<int:x>", endpoint="two"),
            Rule("/b", endpoint="b"),
        ]
    )
    one, two, other = url_map._rules
    assert one == two
    assert one != other
    with pytest.raises(TypeError):
        hash(one)


def test_empty_and_get_empty_kwargs():
    rule = Rule("/page/", endpoint="page", defaults={"n": 1}, methods=["GET"], host="h.com")
    assert rule.get_empty_kwargs() == {
        "defaults": {"n": 1},
        "subdomain": None,
        "methods": {"GET", "HEAD"},
        "build_only": False,
        "endpoint": "page",
        "strict_slashes": None,
        "redirect_to": None,
        "alias": False,
        "host": "h.com",
    }
    copy = rule.empty()
    assert copy is not rule
    assert copy.rule == "/page/" and copy.map is None and copy.defaults == {"n": 1}


def test_bind_fills_map_defaults_and_refuses_rebinding():
    url_map = Map(strict_slashes=False, merge_slashes=False, default_subdomain="www")
    rule = Rule("/a", endpoint="a")
    url_map.add(rule)
    assert rule.map is url_map
    assert rule.strict_slashes is False
    assert rule.merge_slashes is False
    assert rule.subdomain == "www"
    with pytest.raises(RuntimeError, match="already bound"):
        Map().add(rule)
    assert list(rule.get_rules(url_map)) == [rule]


def test_defaults_provision_and_suitability():
    url_map = Map(
        [
            Rule("/page/<int:n>", endpoint="page"),
            Rule("/page/", endpoint="page", defaults={"n": 1}),
            Rule("/user/<name>", endpoint="user", methods=["GET"]),
        ]
    )
    defaults_rule, variable_rule = url_map.iter_rules("page")
    (user_rule,) = url_map.iter_rules("user")
    assert defaults_rule.defaults == {"n": 1}
    assert defaults_rule.provides_defaults_for(variable_rule) is True
    assert variable_rule.provides_defaults_for(defaults_rule) is False
    assert variable_rule.suitable_for({"n": 3}) is True
    assert variable_rule.suitable_for({}) is False
    assert defaults_rule.suitable_for({"n": 2}) is False
    assert defaults_rule.suitable_for({"n": 1}) is True
    assert defaults_rule.suitable_for({}) is True
    assert user_rule.suitable_for({"name": "x"}, "POST") is False
    assert user_rule.suitable_for({"name": "x"}, "GET") is True
    assert defaults_rule.build_compare_key() == (0, -1, -1)
    assert variable_rule.build_compare_key() == (0, -1, 0)
    assert Rule("/x", alias=True).build_compare_key() == (1, 0, 0)


def test_rule_build_returns_domain_and_path():
    url_map = Map([Rule("/u/<int:id>", endpoint="u", subdomain="<sub>")])
    rule = next(url_map.iter_rules())
    assert rule.build({"id": 3, "sub": "api", "q": "x y"}) == ("api", "/u/3?q=x+y")
    assert rule.build({"id": 3, "sub": "api", "q": 1}, append_unknown=False) == ("api", "/u/3")
    assert rule.build({"id": 3}) is None


# -- the map's bookkeeping ----------------------------------------------------


def test_iter_rules_groups_by_endpoint_in_build_order():
    url_map = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/page/<int:n>", endpoint="page"),
            Rule("/page/", endpoint="page", defaults={"n": 1}),
            Rule("/z", endpoint="z"),
        ]
    )
    assert [rule.rule for rule in url_map.iter_rules()] == ["/", "/page/", "/page/<int:n>", "/z"]
    assert [rule.rule for rule in url_map.iter_rules("page")] == ["/page/", "/page/<int:n>"]
    with pytest.raises(KeyError):
        url_map.iter_rules("missing")
    assert url_map.is_endpoint_expecting("page", "n") is True
    assert url_map.is_endpoint_expecting("index", "n") is False
    with pytest.raises(KeyError):
        url_map.is_endpoint_expecting("missing", "n")


def test_map_repr():
    url_map = Map([Rule("/", endpoint="index"), Rule("/x/<id>", endpoint="x", methods=["POST"])])
    assert repr(url_map) == "Map([<Rule '/' -> index>, <Rule '/x/<id>' (POST) -> x>])"
    url_map.update()


def test_rules_added_after_binding_are_seen():
    url_map = Map([Rule("/a", endpoint="a")])
    adapter = url_map.bind("h")
    url_map.add(Rule("/b/<int:n>", endpoint="b"))
    assert adapter.match("/b/1") == ("b", {"n": 1})


# -- rule factories -------------------------------------------------------------


def test_submount_subdomain_endpoint_prefix():
    url_map = Map(
        [
            Subdomain(
                "blog",
                [
                    EndpointPrefix(
                        "blog.",
                        [
                            Submount(
                                "/posts/",
                                [Rule("/", endpoint="index"), Rule("/<int:id>", endpoint="show")],
                            )
                        ],
                    )
                ],
            )
        ]
    )
    rules = {rule.endpoint: rule for rule in url_map.iter_rules()}
    assert rules["blog.index"].rule == "/posts/"
    assert rules["blog.show"].rule == "/posts/<int:id>"
    assert rules["blog.show"].subdomain == "blog"
    adapter = url_map.bind("example.com", subdomain="blog")
    assert adapter.match("/posts/3") == ("blog.show", {"id": 3})
    assert url_map.bind("example.com").build("blog.show", {"id": 3}) == (
        "http://blog.example.com/posts/3"
    )


def test_rule_template():
    resource = RuleTemplate(
        [
            Rule("/$name/", endpoint="$name.list"),
            Rule("/$name/<int:id>", endpoint="$name.show", defaults={"kind": "$name"}),
        ]
    )
    url_map = Map([resource(name="blog"), resource({"name": "wiki"})])
    adapter = url_map.bind("example.com")
    assert adapter.match("/blog/") == ("blog.list", {})
    assert adapter.match("/wiki/4") == ("wiki.show", {"id": 4, "kind": "wiki"})


def test_rule_factory_base_is_abstract():
    with pytest.raises(NotImplementedError):
        RuleFactory().get_rules(Map())


def test_empty_copies_are_equal_but_independent():
    rule = Rule("/foo", {"meh": "muh"}, "x", ["POST"], False, "x", True, None)
    copy = rule.empty()
    assert rule.__dict__ == copy.__dict__
    rule.methods.add("GET")
    assert rule.__dict__ != copy.__dict__


def test_subclass_with_custom_empty_kwargs():
    class CustomRule(Rule):
        def __init__(self, string=None, custom=None, *args, **kwargs):
            self.custom = custom
            super().__init__(string, *args, **kwargs)

        def get_empty_kwargs(self):
            kwargs = super().get_empty_kwargs()
            kwargs["custom"] = self.custom
            return kwargs

    copy = CustomRule("/foo", endpoint="bar", custom="x").empty()
    assert isinstance(copy, CustomRule)
    assert copy.custom == "x"


def test_rule_refresh_reparses_in_place_and_map_names_its_lock_class():
    from microflask.routing import Map, Rule

    rule = Rule("/a/<int:n>", endpoint="a")
    url_map = Map([rule])
    rule.refresh()
    assert rule.map is url_map
    lock = Map.lock_class()
    with lock:
        assert lock.locked()
