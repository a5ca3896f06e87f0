"""Matching URLs with microflask.routing: priorities, methods, slashes,
redirects, converters, subdomains and hosts."""

import uuid

import pytest

from microflask.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound
from microflask.routing import (
    BaseConverter,
    Map,
    RequestRedirect,
    Rule,
    ValidationError,
    WebsocketMismatch,
)


def bound(*rules, **map_options):
    return Map(list(rules), **map_options).bind("example.com")


def redirect_target(adapter, path, method="GET", **kwargs):
    with pytest.raises(RequestRedirect) as info:
        adapter.match(path, method, **kwargs)
    assert info.value.code == 308
    return info.value.new_url


# -- basics --------------------------------------------------------------------


def test_static_and_dynamic_match():
    adapter = bound(
        Rule("/", endpoint="index"),
        Rule("/about", endpoint="about"),
        Rule("/user/<name>", endpoint="user"),
        Rule("/user/<int:id>/posts/<slug>", endpoint="post"),
    )
    assert adapter.match("/") == ("index", {})
    assert adapter.match("/about") == ("about", {})
    assert adapter.match("/user/bob") == ("user", {"name": "bob"})
    assert adapter.match("/user/7/posts/hi") == ("post", {"id": 7, "slug": "hi"})
    with pytest.raises(NotFound):
        adapter.match("/nope")
    with pytest.raises(NotFound):
        adapter.match("/user/7/posts")


def test_return_rule_and_defaults_in_values():
    rule = Rule("/page", endpoint="page", defaults={"n": 1})
    adapter = bound(rule)
    matched_rule, values = adapter.match("/page", return_rule=True)
    assert matched_rule is rule
    assert values == {"n": 1}


def test_defaults_override_matched_value_like_werkzeug():
    adapter = bound(Rule("/p/<int:n>", endpoint="p", defaults={"n": 1}))
    assert adapter.match("/p/5") == ("p", {"n": 1})


def test_path_info_and_method_default_to_bound_values():
    url_map = Map([Rule("/y", endpoint="y", methods=["POST"])])
    adapter = url_map.bind("example.com", path_info="/y", default_method="POST")
    assert adapter.match() == ("y", {})
    assert adapter.match(method="post") == ("y", {})


def test_leading_slashes_are_ignored():
    adapter = bound(Rule("/docs/", endpoint="docs"))
    assert adapter.match("//docs/") == ("docs", {})
    assert adapter.match("docs/") == ("docs", {})


def test_test_and_dispatch():
    adapter = bound(Rule("/a", endpoint="a"), Rule("/b/", endpoint="b"))
    assert adapter.test("/a") is True
    assert adapter.test("/b") is True  # a redirect counts as a match
    assert adapter.test("/c") is False
    assert adapter.dispatch(lambda endpoint, values: (endpoint, values), "/a") == ("a", {})
    redirect = adapter.dispatch(lambda e, v: None, "/b")
    assert isinstance(redirect, RequestRedirect)
    with pytest.raises(NotFound):
        adapter.dispatch(lambda e, v: None, "/c")
    error = adapter.dispatch(lambda e, v: None, "/c", catch_http_exceptions=True)
    assert isinstance(error, NotFound)


# -- priorities ----------------------------------------------------------------


def test_static_beats_dynamic_whatever_the_order():
    adapter = bound(Rule("/p/<name>", endpoint="dynamic"), Rule("/p/new", endpoint="static"))
    assert adapter.match("/p/new") == ("static", {})
    assert adapter.match("/p/old") == ("dynamic", {"name": "old"})


def test_converter_weight_orders_dynamic_rules():
    adapter = bound(
        Rule("/p/<path:p>", endpoint="path"),
        Rule("/p/<name>", endpoint="string"),
        Rule("/p/<int:i>", endpoint="int"),
        Rule("/p/x", endpoint="static"),
    )
    assert adapter.match("/p/1") == ("int", {"i": 1})
    assert adapter.match("/p/x") == ("static", {})
    assert adapter.match("/p/y") == ("string", {"name": "y"})
    assert adapter.match("/p/x/y") == ("path", {"p": "x/y"})


def test_float_beats_string_and_int_is_not_float():
    adapter = bound(Rule("/f/<s>", endpoint="s"), Rule("/f/<float:f>", endpoint="f"))
    assert adapter.match("/f/1.5") == ("f", {"f": 1.5})
    assert adapter.match("/f/1") == ("s", {"s": "1"})


def test_more_static_text_wins_within_a_segment():
    adapter = bound(Rule("/<name>", endpoint="plain"), Rule("/v<int:n>", endpoint="version"))
    assert adapter.match("/v2") == ("version", {"n": 2})
    assert adapter.match("/vx") == ("plain", {"name": "vx"})


def test_backtracking_into_a_less_specific_branch():
    adapter = bound(Rule("/<int:a>/x", endpoint="int"), Rule("/<b>/y", endpoint="str"))
    assert adapter.match("/5/x") == ("int", {"a": 5})
    assert adapter.match("/5/y") == ("str", {"b": "5"})
    adapter = bound(Rule("/a/b/c", endpoint="static"), Rule("/a/<x>/d", endpoint="dyn"))
    assert adapter.match("/a/b/d") == ("dyn", {"x": "b"})


def test_earlier_rule_wins_among_equals():
    adapter = bound(Rule("/<a>", endpoint="first"), Rule("/<b>", endpoint="second"))
    assert adapter.match("/x") == ("first", {"a": "x"})


def test_path_converter_with_suffix():
    adapter = bound(
        Rule("/files/<path:name>/edit", endpoint="edit"),
        Rule("/files/<path:name>", endpoint="show"),
    )
    assert adapter.match("/files/a/b/edit") == ("edit", {"name": "a/b"})
    assert adapter.match("/files/a/b") == ("show", {"name": "a/b"})
    with pytest.raises(NotFound):
        adapter.match("/files/")


def test_several_variables_in_one_segment():
    adapter = bound(
        Rule("/<int(fixed_digits=3):n>.<any(html, json):ext>", endpoint="e"),
        Rule("/a<x>b", endpoint="ab"),
    )
    assert adapter.match("/001.json") == ("e", {"n": 1, "ext": "json"})
    assert adapter.match("/afoob") == ("ab", {"x": "foo"})
    with pytest.raises(NotFound):
        adapter.match("/ab")
    with pytest.raises(NotFound):
        adapter.match("/01.json")


def test_many_rules_pick_the_right_one():
    rules = [Rule(f"/r{i}/<int:id>/item/<name>", endpoint=f"e{i}") for i in range(300)]
    adapter = bound(*rules)
    assert adapter.match("/r299/42/item/foo") == ("e299", {"id": 42, "name": "foo"})
    assert adapter.match("/r0/1/item/x") == ("e0", {"id": 1, "name": "x"})
    with pytest.raises(NotFound):
        adapter.match("/r300/1/item/x")


# -- methods -------------------------------------------------------------------


def test_head_is_answered_by_get_rules():
    rule = Rule("/x", endpoint="x", methods=["get"])
    assert rule.methods == {"GET", "HEAD"}
    adapter = bound(rule)
    assert adapter.match("/x", "HEAD") == ("x", {})


def test_method_not_allowed_lists_valid_methods():
    adapter = bound(
        Rule("/item", endpoint="read", methods=["GET"]),
        Rule("/item", endpoint="write", methods=["POST", "PUT"]),
    )
    assert adapter.match("/item", "PUT") == ("write", {})
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/item", "DELETE")
    assert info.value.valid_methods == ["GET", "HEAD", "POST", "PUT"]
    assert info.value.code == 405
    assert adapter.allowed_methods("/item") == ["GET", "HEAD", "POST", "PUT"]
    assert adapter.allowed_methods("/missing") == []


def test_options_only_when_a_rule_lists_it():
    adapter = bound(Rule("/post", endpoint="post", methods=["POST"]))
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/post", "OPTIONS")
    assert info.value.valid_methods == ["POST"]
    adapter = bound(Rule("/x", endpoint="x", methods=["GET", "OPTIONS"]))
    assert adapter.allowed_methods("/x") == ["GET", "HEAD", "OPTIONS"]
    assert adapter.match("/x", "OPTIONS") == ("x", {})


def test_rule_without_methods_takes_any_method():
    adapter = bound(Rule("/any", endpoint="any"))
    assert adapter.match("/any", "PATCH") == ("any", {})
    assert adapter.allowed_methods("/any") == []


def test_method_mismatch_falls_through_to_dynamic_rule():
    adapter = bound(
        Rule("/u/me", endpoint="me", methods=["POST"]),
        Rule("/u/<name>", endpoint="user", methods=["GET"]),
    )
    assert adapter.match("/u/me", "GET") == ("user", {"name": "me"})
    assert adapter.match("/u/me", "POST") == ("me", {})


# -- slashes -------------------------------------------------------------------


def test_strict_slashes_redirect_keeps_query_string():
    url_map = Map([Rule("/docs/", endpoint="docs"), Rule("/q/<a>/", endpoint="q")])
    adapter = url_map.bind("example.com", "/app", query_args="a=1&b=%C3%BC")
    assert redirect_target(adapter, "/docs") == "http://example.com/app/docs/?a=1&b=%C3%BC"
    assert redirect_target(adapter, "/q/z") == "http://example.com/app/q/z/?a=1&b=%C3%BC"
    assert adapter.match("/docs/") == ("docs", {})
    assert redirect_target(adapter, "/docs", query_args={"z": ["1", "2"]}) == (
        "http://example.com/app/docs/?z=1&z=2"
    )


def test_rule_without_slash_does_not_match_with_slash():
    adapter = bound(Rule("/nos", endpoint="nos"))
    with pytest.raises(NotFound):
        adapter.match("/nos/")


def test_non_strict_rules_match_both_forms():
    adapter = bound(
        Rule("/ns/", endpoint="ns", strict_slashes=False),
        Rule("/ns2", endpoint="ns2", strict_slashes=False),
    )
    assert adapter.match("/ns") == ("ns", {})
    assert adapter.match("/ns/") == ("ns", {})
    assert adapter.match("/ns2/") == ("ns2", {})
    assert adapter.match("/ns2") == ("ns2", {})
    adapter = bound(Rule("/x/", endpoint="x"), strict_slashes=False)
    assert adapter.match("/x") == ("x", {})


def test_slash_redirect_beats_method_not_allowed():
    adapter = bound(Rule("/both/", endpoint="b1"), Rule("/both", endpoint="b2", methods=["POST"]))
    assert redirect_target(adapter, "/both") == "http://example.com/both/"
    assert adapter.match("/both", "POST") == ("b2", {})


def test_redirect_path_is_quoted():
    adapter = bound(Rule("/wiki/<name>/", endpoint="w"))
    assert redirect_target(adapter, "/wiki/Ünïcode") == (
        "http://example.com/wiki/%C3%9Cn%C3%AFcode/"
    )
    assert redirect_target(adapter, "/wiki/a b") == "http://example.com/wiki/a%20b/"
    assert redirect_target(adapter, "/wiki/a%20b") == "http://example.com/wiki/a%2520b/"
    assert redirect_target(adapter, "/wiki/!$&'()*+,:;=@?#[]") == (
        "http://example.com/wiki/!$&'()*+,:;=@%3F%23%5B%5D/"
    )


def test_merge_slashes_redirects():
    adapter = bound(
        Rule("/a//b", endpoint="ab"),
        Rule("/docs/", endpoint="docs"),
        Rule("/c/<x>/<y>", endpoint="c"),
        Rule("/p/<path:p>", endpoint="p"),
    )
    assert adapter.match("/a/b") == ("ab", {})
    assert redirect_target(adapter, "/a//b") == "http://example.com/a/b"
    assert redirect_target(adapter, "/docs//") == "http://example.com/docs/"
    assert redirect_target(adapter, "/c//x//d") == "http://example.com/c/x/d"
    assert adapter.match("/p/x//d") == ("p", {"p": "x//d"})
    assert redirect_target(adapter, "/p//x//d") == "http://example.com/p/x/d"
    with pytest.raises(NotFound):
        adapter.match("/c/x//")


def test_merge_slashes_off():
    adapter = bound(
        Rule("/a//b", endpoint="ab"), Rule("/c/<p>", endpoint="c"), merge_slashes=False
    )
    assert adapter.match("/a//b") == ("ab", {})
    with pytest.raises(NotFound):
        adapter.match("/a/b")
    with pytest.raises(NotFound):
        adapter.match("/c//d")


def test_empty_path_redirects_to_root():
    adapter = bound(Rule("/", endpoint="index"))
    assert redirect_target(adapter, "") == "http://example.com/"


# -- redirects from rules ------------------------------------------------------


def test_redirect_to_string_and_callable():
    url_map = Map(
        [
            Rule("/o/<int:n>", redirect_to="/new/<n>"),
            Rule("/rel/<n>", redirect_to="new/<n>/x"),
            Rule("/ext/<path:n>", redirect_to="http://other.com/<n>"),
            Rule("/cb/<int:n>", redirect_to=lambda adapter, n: f"/n/{n + 1}"),
            Rule("/old", redirect_to="/new/<x>", defaults={"x": "y z"}),
        ]
    )
    adapter = url_map.bind("example.com", "/app")
    assert redirect_target(adapter, "/o/5") == "http://example.com/new/5"
    assert redirect_target(adapter, "/rel/ü") == "http://example.com/app/new/%C3%BC/x"
    assert redirect_target(adapter, "/ext/a/b c") == "http://other.com/a/b%20c"
    assert redirect_target(adapter, "/cb/4") == "http://example.com/n/5"
    assert redirect_target(adapter, "/old") == "http://example.com/new/y%20z"


def test_alias_redirects_to_canonical_rule():
    url_map = Map(
        [
            Rule("/al/<int:n>", endpoint="al", alias=True),
            Rule("/canonical/<int:n>", endpoint="al"),
        ]
    )
    adapter = url_map.bind("example.com", "/app")
    assert redirect_target(adapter, "/al/3") == "http://example.com/app/canonical/3"
    assert adapter.build("al", {"n": 3}) == "/app/canonical/3"


def test_values_equal_to_defaults_redirect_to_defaults_rule():
    rules = [
        Rule("/", endpoint="index", defaults={"page": 1}),
        Rule("/<int:page>", endpoint="index"),
    ]
    adapter = bound(*rules)
    assert redirect_target(adapter, "/1") == "http://example.com/"
    assert adapter.match("/2") == ("index", {"page": 2})
    assert adapter.match("/") == ("index", {"page": 1})
    adapter = Map(
        [Rule("/", endpoint="i", defaults={"page": 1}), Rule("/<int:page>", endpoint="i")],
        redirect_defaults=False,
    ).bind("example.com")
    assert adapter.match("/1") == ("i", {"page": 1})


def test_request_redirect_is_an_http_exception_with_a_response():
    error = RequestRedirect("http://x/y?a=1")
    assert isinstance(error, HTTPException)
    assert error.code == 308
    assert error.new_url == "http://x/y?a=1"
    response = error.get_response()
    assert response.status_code == 308
    assert response.headers["Location"] == "http://x/y?a=1"


# -- converters ----------------------------------------------------------------


def test_int_converter_options():
    adapter = bound(
        Rule("/i/<int(min=1, max=9):i>", endpoint="bounded"),
        Rule("/s/<int(signed=True):i>", endpoint="signed"),
        Rule("/f/<int(fixed_digits=3):i>", endpoint="fixed"),
    )
    assert adapter.match("/i/5") == ("bounded", {"i": 5})
    assert adapter.match("/i/05") == ("bounded", {"i": 5})
    for path in ("/i/0", "/i/10", "/i/-3", "/i/+3", "/i/x", "/f/12", "/f/1234", "/s/+3"):
        with pytest.raises(NotFound):
            adapter.match(path)
    assert adapter.match("/s/-3") == ("signed", {"i": -3})
    assert adapter.match("/s/3") == ("signed", {"i": 3})
    assert adapter.match("/f/007") == ("fixed", {"i": 7})


def test_failed_validation_tries_the_next_rule():
    adapter = bound(
        Rule("/i/<int(max=9):i>", endpoint="small"), Rule("/i/<int:i>", endpoint="any")
    )
    assert adapter.match("/i/5") == ("small", {"i": 5})
    assert adapter.match("/i/50") == ("any", {"i": 50})


def test_float_converter():
    adapter = bound(
        Rule("/f/<float:f>", endpoint="f"),
        Rule("/g/<float(signed=True, min=-2.0, max=2.5):f>", endpoint="g"),
    )
    assert adapter.match("/f/1.5") == ("f", {"f": 1.5})
    for path in ("/f/1", "/f/-1.5", "/f/.5", "/f/1.", "/g/3.0", "/g/-2.5"):
        with pytest.raises(NotFound):
            adapter.match(path)
    assert adapter.match("/g/-1.5") == ("g", {"f": -1.5})


def test_uuid_converter_accepts_either_case():
    adapter = bound(Rule("/u/<uuid:u>", endpoint="u"))
    value = "AD0B2A4C-8F0B-4C1E-8E57-9A0E7D2B3A11"
    assert adapter.match(f"/u/{value}") == ("u", {"u": uuid.UUID(value)})
    assert adapter.match(f"/u/{value.lower()}")[1]["u"] == uuid.UUID(value)
    with pytest.raises(NotFound):
        adapter.match("/u/ad0b2a4c-8f0b-4c1e-8e57-9a0e7d2b3a1")
    assert adapter.build("u", {"u": uuid.UUID(value)}) == f"/u/{value.lower()}"


def test_string_converter_lengths():
    adapter = bound(
        Rule("/s/<string(length=2):s>", endpoint="two"),
        Rule("/m/<string(minlength=2, maxlength=3):s>", endpoint="range"),
        Rule("/s/<s>", endpoint="any"),
    )
    assert adapter.match("/s/ab") == ("two", {"s": "ab"})
    assert adapter.match("/s/abc") == ("any", {"s": "abc"})
    assert adapter.match("/m/ab") == ("range", {"s": "ab"})
    assert adapter.match("/m/abc") == ("range", {"s": "abc"})
    for path in ("/m/a", "/m/abcd"):
        with pytest.raises(NotFound):
            adapter.match(path)


def test_any_converter():
    adapter = bound(Rule("/<any(about, help, 'a.b'):page>", endpoint="page"))
    assert adapter.match("/about") == ("page", {"page": "about"})
    assert adapter.match("/a.b") == ("page", {"page": "a.b"})
    with pytest.raises(NotFound):
        adapter.match("/axb")
    with pytest.raises(NotFound):
        adapter.match("/other")


def test_custom_converter_with_validation_error():
    class EvenConverter(BaseConverter):
        regex = r"\d+"
        weight = 40

        def to_python(self, value):
            number = int(value)
            if number % 2:
                raise ValidationError()
            return number

        def to_url(self, value):
            return str(value)

    url_map = Map(
        [Rule("/n/<even:n>", endpoint="even"), Rule("/n/<n>", endpoint="other")],
        converters={"even": EvenConverter},
    )
    adapter = url_map.bind("example.com")
    assert adapter.match("/n/4") == ("even", {"n": 4})
    assert adapter.match("/n/5") == ("other", {"n": "5"})
    assert adapter.build("even", {"n": 8}) == "/n/8"


def test_custom_converter_registered_on_map_instance():
    class ListConverter(BaseConverter):
        def to_python(self, value):
            return value.split(",")

        def to_url(self, values):
            return ",".join(super(ListConverter, self).to_url(v) for v in values)

    url_map = Map()
    url_map.converters["list"] = ListConverter
    url_map.add(Rule("/l/<list:items>", endpoint="l"))
    adapter = url_map.bind("example.com")
    assert adapter.match("/l/a,b,c") == ("l", {"items": ["a", "b", "c"]})
    assert adapter.build("l", {"items": ["x", "y z"]}) == "/l/x,y%20z"
    assert "list" not in Map().converters
    assert "list" not in Map.default_converters


def test_custom_slash_matching_converter_is_not_part_isolating():
    class AnythingConverter(BaseConverter):
        regex = "[a-z/]+"

    class DotsConverter(BaseConverter):
        regex = ".*"  # no "/" in the regex: stays within one segment

    assert AnythingConverter.part_isolating is False
    assert DotsConverter.part_isolating is True
    adapter = bound(
        Rule("/x/<anything:rest>", endpoint="x"), converters={"anything": AnythingConverter}
    )
    assert adapter.match("/x/a/b") == ("x", {"rest": "a/b"})


# -- non-ASCII -----------------------------------------------------------------


def test_non_ascii_paths_match_as_decoded_text():
    adapter = bound(Rule("/wiki/<name>", endpoint="wiki"), Rule("/ünï", endpoint="static"))
    assert adapter.match("/wiki/Ünïcode") == ("wiki", {"name": "Ünïcode"})
    assert adapter.match("/ünï") == ("static", {})


def test_bind_to_environ_decodes_wsgi_latin1_path():
    url_map = Map([Rule("/wiki/<name>", endpoint="wiki")])
    raw = "/wiki/Ünïcode".encode().decode("latin-1")
    environ = {
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "example.com",
        "PATH_INFO": raw,
        "SCRIPT_NAME": "",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
    }
    adapter = url_map.bind_to_environ(environ)
    assert adapter.match() == ("wiki", {"name": "Ünïcode"})


# -- websockets ----------------------------------------------------------------


def test_websocket_rules():
    url_map = Map([Rule("/ws", endpoint="ws", websocket=True), Rule("/http", endpoint="http")])
    with pytest.raises(WebsocketMismatch):
        url_map.bind("example.com").match("/ws")
    assert issubclass(WebsocketMismatch, BadRequest)
    assert url_map.bind("example.com").match("/ws", websocket=True) == ("ws", {})
    adapter = url_map.bind("example.com", url_scheme="wss")
    assert adapter.match("/ws") == ("ws", {})
    with pytest.raises(WebsocketMismatch):
        adapter.match("/http")
    assert url_map.bind("example.com").build("ws") == "ws://example.com/ws"
    with pytest.raises(ValueError, match="WebSocket rules can only use"):
        Rule("/y", websocket=True, methods=["POST"])


# -- subdomains and hosts ------------------------------------------------------


def subdomain_map():
    return Map(
        [
            Rule("/", endpoint="index"),
            Rule("/", subdomain="<user>", endpoint="user_index"),
            Rule("/about", subdomain="docs", endpoint="docs"),
            Rule("/s/", endpoint="s"),
        ],
        default_subdomain="www",
    )


def environ_for(host, path="/", scheme="http", **extra):
    environ = {
        "wsgi.url_scheme": scheme,
        "HTTP_HOST": host,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
    }
    environ.update(extra)
    return environ


def test_subdomain_matching_with_bind():
    url_map = subdomain_map()
    assert url_map.bind("example.com", subdomain="bob").match("/") == (
        "user_index",
        {"user": "bob"},
    )
    assert url_map.bind("example.com").match("/") == ("index", {})
    assert url_map.bind("example.com", subdomain="docs").match("/about") == ("docs", {})
    with pytest.raises(NotFound):
        url_map.bind("example.com", subdomain="bob").match("/s/")


@pytest.mark.parametrize(
    "host, subdomain, expected",
    [
        ("bob.example.com", "bob", ("user_index", {"user": "bob"})),
        ("www.example.com", "www", ("index", {})),
        ("BOB.Example.com:80", "bob", ("user_index", {"user": "bob"})),
        ("a.b.example.com", "a.b", ("user_index", {"user": "a.b"})),
    ],
)
def test_subdomain_from_environ(host, subdomain, expected):
    adapter = subdomain_map().bind_to_environ(environ_for(host), server_name="example.com")
    assert adapter.subdomain == subdomain
    assert adapter.match() == expected


def test_bare_server_name_has_empty_subdomain():
    adapter = subdomain_map().bind_to_environ(environ_for("example.com"), server_name="example.com")
    assert adapter.subdomain == ""
    with pytest.raises(NotFound):
        adapter.match()


def test_unknown_host_gets_invalid_subdomain_and_a_warning():
    url_map = Map([Rule("/", endpoint="index")])
    with pytest.warns(UserWarning, match="doesn't match configured server name"):
        adapter = url_map.bind_to_environ(environ_for("other.org"), server_name="example.com")
    assert adapter.subdomain == "<invalid>"
    with pytest.raises(NotFound):
        adapter.match()


def test_bind_to_environ_fields():
    environ = environ_for(
        "bob.example.com:8080", "/s", SCRIPT_NAME="/app", QUERY_STRING="x=1"
    )
    adapter = subdomain_map().bind_to_environ(environ, server_name="example.com:8080")
    assert adapter.server_name == "example.com:8080"
    assert adapter.script_name == "/app/"
    assert adapter.subdomain == "bob"
    assert adapter.path_info == "/s"
    assert adapter.query_args == "x=1"
    assert adapter.default_method == "GET"
    explicit = subdomain_map().bind_to_environ(environ, subdomain="zz")
    assert explicit.subdomain == "zz"
    assert explicit.server_name == "bob.example.com:8080"


def test_bind_to_environ_without_http_host_and_https_port():
    environ = environ_for("ignored")
    del environ["HTTP_HOST"]
    environ.update({"SERVER_NAME": "example.com", "SERVER_PORT": "443", "wsgi.url_scheme": "https"})
    adapter = Map([Rule("/", endpoint="i")]).bind_to_environ(environ)
    assert adapter.server_name == "example.com"
    assert adapter.url_scheme == "https"


def test_bind_to_environ_websocket_upgrade():
    environ = environ_for(
        "example.com", "/ws", HTTP_CONNECTION="keep-alive, Upgrade", HTTP_UPGRADE="websocket"
    )
    adapter = Map([Rule("/ws", endpoint="ws", websocket=True)]).bind_to_environ(environ)
    assert adapter.url_scheme == "ws"
    assert adapter.match() == ("ws", {})


def test_host_matching():
    url_map = Map(
        [
            Rule("/", host="<sub>.example.com", endpoint="sub"),
            Rule("/", host="example.com", endpoint="main"),
            Rule("/x", host="a.com:8080", endpoint="x"),
        ],
        host_matching=True,
    )
    assert url_map.bind("foo.example.com").match("/") == ("sub", {"sub": "foo"})
    assert url_map.bind("Example.com").match("/") == ("main", {})
    assert url_map.bind("a.com:8080").match("/x") == ("x", {})
    with pytest.raises(NotFound):
        url_map.bind("z.org").match("/")
    adapter = url_map.bind_to_environ(environ_for("Foo.Example.com"))
    assert adapter.match() == ("sub", {"sub": "foo"})
    with pytest.raises(RuntimeError):
        url_map.bind("example.com", subdomain="x")


def test_alias_and_defaults_redirects_keep_query_args():
    adapter = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/index.html", endpoint="index", alias=True),
            Rule("/users/", defaults={"page": 1}, endpoint="users"),
            Rule("/users/index.html", defaults={"page": 1}, alias=True, endpoint="users"),
            Rule("/users/page/<int:page>", endpoint="users"),
            Rule("/users/page-<int:page>.html", alias=True, endpoint="users"),
        ]
    ).bind("example.com")
    assert redirect_target(adapter, "/index.html") == "http://example.com/"
    assert redirect_target(adapter, "/users/index.html") == "http://example.com/users/"
    assert redirect_target(adapter, "/users/page-2.html") == "http://example.com/users/page/2"
    assert redirect_target(adapter, "/users/page-1.html", query_args={"foo": "bar"}) == (
        "http://example.com/users/?foo=bar"
    )


def test_defaults_redirect_crosses_subdomains():
    url_map = Map(
        [
            Rule("/foo", defaults={"bar": 42}, subdomain="test"),
            Rule("/foo/<int:bar>", subdomain="other"),
        ]
    )
    adapter = url_map.bind("localhost", "/", subdomain="other")
    assert redirect_target(adapter, "/foo/42") == "http://test.localhost/foo"


def test_non_strict_map_leaves_do_not_consume_branches():
    adapter = Map(
        [
            Rule("/path1", endpoint="leaf"),
            Rule("/path1/", endpoint="branch"),
            Rule("/path2", endpoint="leaf", strict_slashes=False),
            Rule("/path2/", endpoint="branch"),
            Rule("/path5", endpoint="leaf"),
        ],
        strict_slashes=False,
    ).bind("example.com")
    assert adapter.match("/path1") == ("leaf", {})
    assert adapter.match("/path1/") == ("branch", {})
    assert adapter.match("/path2") == ("leaf", {})
    assert adapter.match("/path2/") == ("branch", {})
    assert adapter.match("/path5/") == ("leaf", {})


def test_slash_spanning_converter_with_trailing_slash():
    class TwoConverter(BaseConverter):
        regex = r"\w+/\w+"

        def to_python(self, value):
            return value.split("/")

    adapter = bound(Rule("/<two:values>/", endpoint="two"), converters={"two": TwoConverter})
    assert adapter.match("/a/b/") == ("two", {"values": ["a", "b"]})


def test_converter_with_regex_argument():
    class RegexConverter(BaseConverter):
        def __init__(self, url_map, *items):
            super().__init__(url_map)
            self.regex = items[0]

    adapter = bound(
        Rule("/<regex('[^/]+'):value>/<regex('[a-z]{3}'):v2>", endpoint="r"),
        converters={"regex": RegexConverter},
    )
    assert adapter.match("/x y/abc") == ("r", {"value": "x y", "v2": "abc"})
    with pytest.raises(NotFound):
        adapter.match("/x y/abcd")


def test_allowed_methods_merge_static_and_dynamic_rules():
    adapter = bound(Rule("/<foo>", methods=["GET", "HEAD"]), Rule("/foo", methods=["POST"]))
    assert sorted(adapter.allowed_methods("/foo")) == ["GET", "HEAD", "POST"]


def test_slash_redirect_is_decided_before_backtracking():
    adapter = bound(
        Rule("/docs/", endpoint="docs"),
        Rule("/<path:p>", endpoint="catch_all"),
        Rule("/u/<n>/", endpoint="u"),
        Rule("/<a>/<b>", endpoint="ab"),
    )
    assert redirect_target(adapter, "/docs") == "http://example.com/docs/"
    assert redirect_target(adapter, "/u/x") == "http://example.com/u/x/"
    assert adapter.match("/other") == ("catch_all", {"p": "other"})


def test_non_strict_leaf_beats_catch_all_path():
    adapter = bound(
        Rule("/path1", endpoint="leaf", strict_slashes=False),
        Rule("/path2/", endpoint="branch", strict_slashes=False),
        Rule("/<path:path>", endpoint="any", strict_slashes=False),
    )
    assert adapter.match("/path1/") == ("leaf", {})
    assert adapter.match("/path2") == ("branch", {})
    assert adapter.match("/other/") == ("any", {"path": "other/"})


def test_path_rule_with_closing_slash_redirects():
    adapter = bound(Rule("/p/<path:p>/", endpoint="p"))
    assert redirect_target(adapter, "/p/a/b") == "http://example.com/p/a/b/"
    assert adapter.match("/p/a/b/") == ("p", {"p": "a/b"})
    assert adapter.build("p", {"p": "a/b"}) == "/p/a/b/"


def test_unicode_rules_and_idna_server_name():
    url_map = Map([Rule("/войти/", endpoint="enter"), Rule("/foo+bar/", endpoint="foobar")])
    adapter = url_map.bind("☃.example.com")
    assert redirect_target(adapter, "/войти") == (
        "http://xn--n3h.example.com/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/"
    )
    assert adapter.match("/войти/") == ("enter", {})
    assert adapter.build("enter", force_external=True) == (
        "http://xn--n3h.example.com/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/"
    )
    assert adapter.build("foobar", force_external=True) == "http://xn--n3h.example.com/foo+bar/"


def test_empty_path_under_script_root():
    adapter = Map([Rule("/", endpoint="index")]).bind("example.org", "/test")
    assert redirect_target(adapter, "") == "http://example.org/test/"


def test_http_host_wins_over_server_name():
    environ = {
        "HTTP_HOST": "wiki.example.com",
        "SERVER_NAME": "web0.example.com",
        "SERVER_PORT": "80",
        "SCRIPT_NAME": "",
        "PATH_INFO": "",
        "REQUEST_METHOD": "GET",
        "wsgi.url_scheme": "http",
    }
    url_map = Map([Rule("/", endpoint="index", subdomain="wiki")])
    adapter = url_map.bind_to_environ(environ, server_name="example.com")
    assert adapter.match("/") == ("index", {})
    assert adapter.build("index", force_external=True) == "http://wiki.example.com/"
    assert adapter.build("index") == "/"
    environ["HTTP_HOST"] = "admin.example.com"
    adapter = url_map.bind_to_environ(environ, server_name="example.com")
    assert adapter.build("index") == "http://wiki.example.com/"


def test_redirect_response_location_is_quoted():
    adapter = bound(
        Rule("/<category>", defaults={"page": 1}, endpoint="category"),
        Rule("/<category>/page/<int:page>", endpoint="category"),
    )
    with pytest.raises(RequestRedirect) as info:
        adapter.match("/foo bar/page/1")
    response = info.value.get_response({})
    assert response.headers["Location"] == "http://example.com/foo%20bar"


def test_signed_numbers():
    adapter = bound(
        Rule("/foos/<int(signed=True):page>", endpoint="foos"),
        Rule("/bars/<float(signed=True):page>", endpoint="bars"),
        Rule("/foo/<int:page>", endpoint="foo"),
    )
    assert adapter.match("/foos/-2") == ("foos", {"page": -2})
    assert adapter.match("/bars/-0.185") == ("bars", {"page": -0.185})
    with pytest.raises(NotFound):
        adapter.match("/foo/-2")
    assert adapter.build("foos", {"page": -3}) == "/foos/-3"


def test_request_hosts_do_not_grow_the_static_index():
    url_map = Map([Rule("/", endpoint="index", host="a.com")], host_matching=True)
    for number in range(50):
        with pytest.raises(NotFound):
            url_map.bind(f"h{number}.example.com").match("/")
    assert len(url_map._matcher.static_routes) == 1


def test_literal_rule_added_after_binding_is_found():
    url_map = Map([Rule("/a", endpoint="a")])
    adapter = url_map.bind("example.com", subdomain="api")
    url_map.add(Rule("/late", endpoint="late", subdomain="api"))
    assert adapter.match("/late") == ("late", {})


def test_path_rule_with_literal_tail_beats_more_variables():
    url_map = Map(
        [
            Rule("/<path:rest>/<a>/<b>", endpoint="vars"),
            Rule("/<path:rest>/end", endpoint="tail"),
        ]
    )
    adapter = url_map.bind("localhost")
    assert adapter.match("/x/y/end") == ("tail", {"rest": "x/y"})
    assert adapter.match("/x/y/z") == ("vars", {"rest": "x", "a": "y", "b": "z"})


def test_no_match_carries_what_the_matcher_found():
    from microflask.routing import NoMatch

    error = NoMatch({"POST"}, False)
    assert isinstance(error, Exception)
    assert error.have_match_for == {"POST"}
    assert error.websocket_mismatch is False


# -- one walk: 405s it finds on the way, match_plain, deep paths -----------------


def test_405_counts_rules_found_with_slashes_merged():
    adapter = bound(Rule("/item/x", endpoint="x", methods=["POST"]))
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/item//x", "GET")
    assert info.value.valid_methods == ["POST"]
    adapter = bound(Rule("/item/x", endpoint="x", methods=["POST"]), merge_slashes=False)
    with pytest.raises(NotFound):
        adapter.match("/item//x", "GET")


def test_405_counts_lenient_rules_asked_with_a_slash():
    adapter = bound(Rule("/a", endpoint="a", methods=["PUT"], strict_slashes=False))
    assert adapter.match("/a/", "PUT") == ("a", {})
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/a/", "POST")
    assert info.value.valid_methods == ["PUT"]


def test_405_when_the_converter_would_refuse_too():
    class EvenConverter(BaseConverter):
        def to_python(self, value):
            if int(value) % 2:
                raise ValidationError()
            return int(value)

    adapter = bound(
        Rule("/n/<even:n>", endpoint="n", methods=["POST"]), converters={"even": EvenConverter}
    )
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/n/3", "GET")
    assert info.value.valid_methods == ["POST"]
    with pytest.raises(NotFound):
        adapter.match("/n/3", "POST")


def plain_map():
    return Map(
        [
            Rule("/", endpoint="index"),
            Rule("/docs/", endpoint="docs"),
            Rule("/user/<int:id>", endpoint="user", methods=["GET"]),
            Rule("/page/", defaults={"n": 1}, endpoint="page"),
            Rule("/page/<int:n>", endpoint="page"),
            Rule("/old", redirect_to="/", endpoint="old"),
            Rule("/ws", endpoint="ws", websocket=True),
            Rule("/files/<path:name>", endpoint="files"),
        ]
    )


@pytest.mark.parametrize(
    "path, method, plain",
    [
        ("/", "GET", True),
        ("", "GET", False),  # redirects to "/"
        ("/docs/", "GET", True),
        ("/docs", "GET", False),  # redirects to "/docs/"
        ("/user/7", "GET", True),
        ("/user/7", "HEAD", True),
        ("/user/7", "POST", False),  # 405
        ("/user/x", "GET", False),  # 404
        ("/page/", "GET", True),
        ("/page/1", "GET", False),  # redirects to "/page/"
        ("/page/2", "GET", False),  # a rule that may redirect: the adapter decides
        ("/old", "GET", False),
        ("/ws", "GET", False),  # 400: a WebSocket rule
        ("/files/a/b.txt", "GET", True),
        ("/files/a//b", "GET", True),
        ("/files//a", "GET", False),  # redirects to "/files/a"
        ("/files/", "GET", False),
        ("/missing", "GET", False),
    ],
)
def test_match_plain_is_the_adapter_answer_or_none(path, method, plain):
    url_map = plain_map()
    found = url_map.match_plain("", path, method)
    assert (found is not None) is plain
    if plain:
        assert found == url_map.bind("example.com").match(path, method, return_rule=True)


def test_deep_paths_walk_no_deeper_than_the_rules():
    adapter = bound(Rule("/<a>/<b>", endpoint="ab"), Rule("/<path:p>/end", endpoint="end"))
    deep = "/x" * 5000
    with pytest.raises(NotFound):
        adapter.match(deep)
    assert adapter.match(deep + "/end") == ("end", {"p": deep[1:]})
