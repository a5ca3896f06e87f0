"""Building URLs with microflask.routing: quoting, query strings, defaults,
methods, script roots, subdomains, hosts and BuildError messages."""

import pytest

from microflask.datastructures import MultiDict
from microflask.routing import BuildError, Map, Rule


def bound(*rules, **bind_options):
    return Map(list(rules)).bind("example.com", **bind_options)


def test_build_simple_and_with_query():
    adapter = bound(Rule("/", endpoint="index"), Rule("/user/<int:id>", endpoint="user"))
    assert adapter.build("index") == "/"
    assert adapter.build("user", {"id": 7}) == "/user/7"
    assert adapter.build("user", {"id": 7, "tab": "a b"}) == "/user/7?tab=a+b"
    assert adapter.build("index", {"a": "b c"}, append_unknown=False) == "/"


def test_query_values_lists_none_and_types():
    adapter = bound(Rule("/", endpoint="index"))
    assert adapter.build("index", {"q": [1, 2], "z": None}) == "/?q=1&q=2"
    assert adapter.build("index", {"a": True, "b": 1.5, "c": [], "d": (1, 2)}) == (
        "/?a=True&b=1.5&d=1&d=2"
    )
    assert adapter.build("index", {"b": b"xy"}) == "/?b=xy"


def test_query_quoting_matches_werkzeug():
    adapter = bound(Rule("/", endpoint="index"))
    assert adapter.build("index", {"a": "b c", "ü": "ö/?&=#+"}) == (
        "/?a=b+c&%C3%BC=%C3%B6/?%26%3D%23%2B"
    )
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ é"
    assert adapter.build("index", {"q": punctuation}) == (
        "/?q=!%22%23$%25%26'()*%2B,-./:;%3C%3D%3E?@%5B%5C%5D%5E_%60%7B%7C%7D~+%C3%A9"
    )


def test_multidict_values_repeat_keys():
    adapter = bound(Rule("/", endpoint="index"), Rule("/x/<a>", endpoint="x"))
    values = MultiDict([("a", 1), ("a", 2), ("b", None)])
    assert adapter.build("index", values) == "/?a=1&a=2"
    assert adapter.build("x", MultiDict([("a", "one"), ("b", "2")])) == "/x/one?b=2"


def test_sorted_query_parameters():
    url_map = Map([Rule("/<a>", endpoint="a")], sort_parameters=True)
    assert url_map.bind("h").build("a", {"a": 1, "z": 1, "b": 2, "a1": [3, 1]}) == (
        "/1?a1=1&a1=3&b=2&z=1"
    )
    url_map = Map(
        [Rule("/<a>", endpoint="a")], sort_parameters=True, sort_key=lambda item: item[0][::-1]
    )
    assert url_map.bind("h").build("a", {"a": 1, "zb": 1, "ba": 2, "c": 3}) == "/1?ba=2&zb=1&c=3"


def test_path_quoting_per_converter():
    adapter = bound(
        Rule("/x/<a>/<b>", endpoint="x"),
        Rule("/p/<path:p>/", endpoint="p"),
        Rule("/ü x/<a>", endpoint="static"),
    )
    assert adapter.build("x", {"a": "ü/ ?#%&=+:@~!$'()*,;", "b": "[]{}<>\"\\^`|"}) == (
        "/x/%C3%BC/%20%3F%23%25&=+:@~!$'()*,;/%5B%5D%7B%7D%3C%3E%22%5C%5E%60%7C"
    )
    assert adapter.build("p", {"p": "a b/ü/c"}) == "/p/a%20b/%C3%BC/c/"
    assert adapter.build("static", {"a": 1}) == "/%C3%BC%20x/1"


def test_number_converters_build():
    adapter = bound(
        Rule("/c/<int(fixed_digits=3):y>", endpoint="fixed"),
        Rule("/f/<float:f>", endpoint="float"),
    )
    assert adapter.build("fixed", {"y": 5}) == "/c/005"
    assert adapter.build("fixed", {"y": 12345}) == "/c/12345"
    assert adapter.build("float", {"f": 2}) == "/f/2.0"
    with pytest.raises(ValueError):
        adapter.build("fixed", {"y": "zz"})


def test_any_converter_refuses_unknown_value():
    adapter = bound(Rule("/<any(a, b, c):z>", endpoint="g"))
    assert adapter.build("g", {"z": "b"}) == "/b"
    with pytest.raises(ValueError, match="'q' is not one of 'a', 'b', 'c'"):
        adapter.build("g", {"z": "q"})


def test_defaults_choose_the_rule():
    adapter = bound(
        Rule("/page/<int:n>", endpoint="page"),
        Rule("/page/", endpoint="page", defaults={"n": 1}),
    )
    assert adapter.build("page", {"n": 1}) == "/page/"
    assert adapter.build("page", {"n": 2}) == "/page/2"
    assert adapter.build("page", {}) == "/page/"
    assert adapter.build("page") == "/page/"


def test_rule_with_defaults_only_builds_equal_values():
    adapter = bound(Rule("/a", endpoint="a", defaults={"x": 1}))
    assert adapter.build("a", {"x": 1}) == "/a"
    with pytest.raises(BuildError) as info:
        adapter.build("a", {"x": 2})
    assert str(info.value) == "Could not build url for endpoint 'a' with values ['x']."


def test_method_specific_building():
    adapter = bound(
        Rule("/user/<name>", endpoint="user", methods=["GET"]),
        Rule("/user/<name>/edit", endpoint="user", methods=["POST"]),
    )
    assert adapter.build("user", {"name": "bob"}) == "/user/bob"
    assert adapter.build("user", {"name": "bob"}, method="POST") == "/user/bob/edit"


def test_default_method_is_preferred_when_building():
    url_map = Map(
        [
            Rule("/w", endpoint="x", methods=["POST"]),
            Rule("/r", endpoint="x", methods=["GET"]),
        ]
    )
    assert url_map.bind("h").build("x") == "/r"
    assert url_map.bind("h", default_method="POST").build("x") == "/w"


def test_build_only_rules_build_but_never_match():
    adapter = bound(Rule("/only", endpoint="o", build_only=True))
    assert adapter.build("o") == "/only"
    assert adapter.test("/only") is False


def test_script_name_and_external_urls():
    adapter = bound(Rule("/docs/", endpoint="docs"), script_name="/app")
    assert adapter.build("docs") == "/app/docs/"
    assert adapter.build("docs", force_external=True) == "http://example.com/app/docs/"
    assert adapter.build("docs", force_external=True, url_scheme="https") == (
        "https://example.com/app/docs/"
    )
    assert adapter.build("docs", url_scheme="https") == "/app/docs/"
    assert Map([Rule("/", endpoint="x")]).bind("example.com", "/app/").build("x") == "/app/"


def test_websocket_scheme_is_normalised_for_http_rules():
    url_map = Map([Rule("/y", endpoint="x")])
    assert url_map.bind("ex.com", url_scheme="ws").build("x", force_external=True) == (
        "http://ex.com/y"
    )
    assert url_map.bind("ex.com", url_scheme="wss").build("x", force_external=True) == (
        "https://ex.com/y"
    )


def test_subdomain_building():
    url_map = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/", subdomain="<user>", endpoint="user_index"),
            Rule("/about", subdomain="docs", endpoint="docs"),
        ],
        default_subdomain="www",
    )
    adapter = url_map.bind("example.com", subdomain="bob")
    assert adapter.build("index") == "http://www.example.com/"
    assert adapter.build("user_index", {"user": "joe"}) == "http://joe.example.com/"
    assert adapter.build("user_index", {"user": "bob"}) == "/"
    assert adapter.build("docs") == "http://docs.example.com/about"
    adapter = url_map.bind("example.com")
    assert adapter.build("index") == "/"
    assert adapter.get_host("sub") == "sub.example.com"
    assert adapter.get_host(None) == "www.example.com"
    assert url_map.bind("example.com", subdomain="").get_host("") == "example.com"


def test_host_building():
    url_map = Map(
        [
            Rule("/", host="<sub>.example.com", endpoint="sub"),
            Rule("/", host="example.com", endpoint="main"),
        ],
        host_matching=True,
    )
    adapter = url_map.bind("foo.example.com")
    assert adapter.build("sub", {"sub": "bar"}) == "http://bar.example.com/"
    assert adapter.build("sub", {"sub": "foo"}) == "/"
    assert adapter.build("main") == "http://example.com/"
    assert adapter.get_host(None) == "foo.example.com"


def test_server_name_is_lowercased():
    assert Map([Rule("/", endpoint="x")]).bind("Example.COM").server_name == "example.com"


def test_make_redirect_url_and_encode_query_args():
    adapter = bound(Rule("/", endpoint="x"), script_name="/app")
    assert adapter.make_redirect_url("foo/bar", "a=1") == "http://example.com/app/foo/bar?a=1"
    assert adapter.make_redirect_url("foo", None, "sub") == "http://sub.example.com/app/foo"
    assert adapter.encode_query_args({"a": "b c", "d": [1, 2]}) == "a=b+c&d=1&d=2"
    assert adapter.encode_query_args("x=y") == "x=y"


# -- BuildError ----------------------------------------------------------------


def build_error(adapter, *args, **kwargs):
    with pytest.raises(BuildError) as info:
        adapter.build(*args, **kwargs)
    return info.value


def message_map():
    return Map(
        [
            Rule("/", endpoint="index"),
            Rule("/page/<int:n>", endpoint="page"),
            Rule("/user/<name>", endpoint="user", methods=["GET"]),
            Rule("/x/<a>/<b>", endpoint="x"),
            Rule("/post", endpoint="post", methods=["POST"]),
        ]
    ).bind("example.com")


def test_build_error_suggests_another_endpoint():
    adapter = message_map()
    assert str(build_error(adapter, "inde")) == (
        "Could not build url for endpoint 'inde'. Did you mean 'index' instead?"
    )


def test_build_error_lists_missing_values():
    adapter = message_map()
    assert str(build_error(adapter, "x", {"a": 1})) == (
        "Could not build url for endpoint 'x' with values ['a']."
        " Did you forget to specify values ['b']?"
    )
    assert str(build_error(adapter, "x", {})) == (
        "Could not build url for endpoint 'x'. Did you forget to specify values ['a', 'b']?"
    )


def test_build_error_suggests_methods():
    adapter = message_map()
    assert str(build_error(adapter, "user", {"name": "bob"}, method="PUT")) == (
        "Could not build url for endpoint 'user' ('PUT') with values ['name']."
        " Did you mean to use methods ['GET', 'HEAD']?"
    )
    assert str(build_error(adapter, "post", {}, method="GET")) == (
        "Could not build url for endpoint 'post' ('GET'). Did you mean to use methods ['POST']?"
    )


def test_build_error_attributes_and_types():
    adapter = message_map()
    error = build_error(adapter, "x", {"a": 1})
    assert error.endpoint == "x"
    assert error.values == {"a": 1}
    assert error.method is None
    assert error.adapter is adapter
    assert error.suggested.endpoint == "x"
    assert isinstance(error, LookupError)
    assert str(BuildError("a", {}, None)) == "Could not build url for endpoint 'a'."
    empty = Map().bind("h")
    assert str(build_error(empty, "a")) == "Could not build url for endpoint 'a'."


def test_host_matching_build_prefers_the_current_host():
    url_map = Map(
        [
            Rule("/", endpoint="index", host="alpha.example.com"),
            Rule("/", endpoint="index", host="beta.example.com"),
            Rule("/", endpoint="gamma", host="gamma.example.com"),
        ],
        host_matching=True,
    )
    assert url_map.bind("alpha.example.com").build("index") == "/"
    assert url_map.bind("AlPhA.ExAmPlE.CoM").build("index") == "/"
    assert url_map.bind("beta.example.com").build("index") == "/"
    assert url_map.bind("beta.example.com").build("gamma") == "http://gamma.example.com/"
    assert url_map.bind("zeta.example.com").build("index") == "http://alpha.example.com/"


def test_double_defaults():
    for prefix in ("", "/aaa"):
        adapter = Map(
            [
                Rule(prefix + "/", defaults={"foo": 1, "bar": False}, endpoint="x"),
                Rule(prefix + "/<int:foo>", defaults={"bar": False}, endpoint="x"),
                Rule(prefix + "/bar/", defaults={"foo": 1, "bar": True}, endpoint="x"),
                Rule(prefix + "/bar/<int:foo>", defaults={"bar": True}, endpoint="x"),
            ]
        ).bind("example.com")
        assert adapter.match(prefix + "/") == ("x", {"foo": 1, "bar": False})
        assert adapter.match(prefix + "/2") == ("x", {"foo": 2, "bar": False})
        assert adapter.match(prefix + "/bar/2") == ("x", {"foo": 2, "bar": True})
        assert adapter.build("x", {"foo": 1, "bar": False}) == prefix + "/"
        assert adapter.build("x", {"foo": 2, "bar": False}) == prefix + "/2"
        assert adapter.build("x", {"bar": False}) == prefix + "/"
        assert adapter.build("x", {"foo": 1, "bar": True}) == prefix + "/bar/"
        assert adapter.build("x", {"foo": 2, "bar": True}) == prefix + "/bar/2"
        assert adapter.build("x", {"bar": True}) == prefix + "/bar/"


def test_method_fallback_when_building():
    adapter = Map(
        [
            Rule("/", endpoint="index", methods=["GET"]),
            Rule("/<name>", endpoint="hello_name", methods=["GET"]),
            Rule("/select", endpoint="hello_select", methods=["POST"]),
            Rule("/search_get", endpoint="search", methods=["GET"]),
            Rule("/search_post", endpoint="search", methods=["POST"]),
        ]
    ).bind("example.com")
    assert adapter.build("index", method="GET") == "/"
    assert adapter.build("hello_name", {"name": "foo"}) == "/foo"
    assert adapter.build("hello_select") == "/select"
    assert adapter.build("search") == "/search_get"
    assert adapter.build("search", method="POST") == "/search_post"


def test_greedy_path_rules_build_with_most_arguments_first():
    adapter = Map(
        [
            Rule("/foo", endpoint="foo"),
            Rule("/<path:bar>", endpoint="bar"),
            Rule("/<path:bar>/<path:blub>", endpoint="bar"),
        ]
    ).bind("example.org")
    assert adapter.match("/he/he") == ("bar", {"bar": "he", "blub": "he"})
    assert adapter.build("bar", {"bar": "blub"}) == "/blub"
    assert adapter.build("bar", {"bar": "blub", "blub": "bar"}) == "/blub/bar"


def test_scheme_relative_and_websocket_urls():
    url_map = Map([Rule("/foo", endpoint="foo"), Rule("/ws", endpoint="ws", websocket=True)])
    adapter = url_map.bind("example.org", url_scheme="")
    assert adapter.build("foo") == "/foo"
    assert adapter.build("foo", force_external=True) == "//example.org/foo"
    assert adapter.build("foo", url_scheme="https", force_external=True) == (
        "https://example.org/foo"
    )
    adapter = url_map.bind("example.org", url_scheme="ws")
    assert adapter.build("ws") == "ws://example.org/ws"
    assert adapter.build("foo") == "/foo"
    assert adapter.build("ws", url_scheme="https") == "wss://example.org/ws"


def test_many_query_values_and_sort_by_value():
    url_map = Map([Rule("/", endpoint="bleep", build_only=True)])
    long_args = {f"a{i}": i for i in range(100)}
    assert url_map.bind("h").build("bleep", long_args) == "/?" + "&".join(
        f"a{i}={i}" for i in range(100)
    )
    url_map = Map([Rule("/", endpoint="index")], sort_parameters=True, sort_key=lambda x: x[1])
    assert url_map.bind("localhost").build(
        "index", {"x": 20, "y": 10, "z": 30}, force_external=True
    ) == "http://localhost/?y=10&x=20&z=30"


def test_merge_slashes_when_building():
    adapter = bound(
        Rule("/yes//merge", endpoint="yes_merge"),
        Rule("/no//merge", endpoint="no_merge", merge_slashes=False),
    )
    assert adapter.build("yes_merge") == "/yes/merge"
    assert adapter.build("no_merge") == "/no//merge"


def test_build_multidict_none_reaches_the_converter():
    adapter = Map([Rule("/<int:v>", endpoint="n")]).bind("localhost")
    with pytest.raises(TypeError):
        adapter.build("n", MultiDict({"v": None}))
    with pytest.raises(BuildError):
        adapter.build("n", MultiDict({"v": []}))
    # A plain dict still drops None.
    with pytest.raises(BuildError):
        adapter.build("n", {"v": None})
    assert adapter.build("n", MultiDict({"v": 3, "q": None})) == "/3"


def test_build_rule_with_thousands_of_variables():
    names = [f"p{index}" for index in range(3000)]
    url_map = Map([Rule("".join(f"/<{name}>" for name in names), endpoint="many", build_only=True)])
    url = url_map.bind("localhost").build("many", {name: index for index, name in enumerate(names)})
    assert url.startswith("/0/1/2/")
    assert url.endswith("/2998/2999")


def test_bind_idna_host_keeps_port_out_of_the_label():
    adapter = Map([Rule("/", endpoint="index")]).bind("\N{SNAKE}" + "b" * 52 + ":8443")
    host, _, port = adapter.server_name.partition(":")
    assert host.startswith("xn--") and len(host) == 63
    assert port == "8443"
