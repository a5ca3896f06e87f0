"""The request path's shortcuts give the same answers as the general code.

Each shortcut (the proxy's attribute lookup, the straight send of a plain
response, reused route matches, the query-string split, the lazy ``g``)
has a fallback; these tests pin both sides.
"""

from __future__ import annotations

import contextvars

import pytest

from microflask import Flask, g, jsonify, request
from microflask.local import LocalProxy
from microflask.routing import BaseConverter, Map, Rule
from microflask.wrappers import Request, Response


def environ_for(path: str = "/", method: str = "GET", query: str = "") -> dict:
    return {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
    }


def sent(response: Response, environ: dict | None = None) -> tuple[str, list, bytes]:
    """What ``response`` sends as a WSGI app: status, headers, body."""
    started: list = []
    body = response(
        environ or environ_for(), lambda status, headers: started.extend([status, headers])
    )
    data = b"".join(body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    return started[0], started[1], data


def sent_the_long_way(response: Response, environ: dict | None = None) -> tuple[str, list, bytes]:
    app_iter, status, headers = response.get_wsgi_response(environ or environ_for())
    return status, headers, b"".join(app_iter)


# -- LocalProxy ------------------------------------------------------------------


def test_proxy_forwards_names_it_does_not_define():
    var: contextvars.ContextVar = contextvars.ContextVar("hot_path_list")
    proxy = LocalProxy(var, unbound_message="nothing bound")
    with pytest.raises(RuntimeError, match="nothing bound"):
        proxy.append  # noqa: B018
    token = var.set([1, 2, 2])
    try:
        assert proxy.count(2) == 2
        assert proxy.__wrapped__ is var
        assert proxy.__class__ is list
        assert isinstance(proxy, list)
        assert getattr(proxy, "missing", "default") == "default"
        with pytest.raises(AttributeError, match="missing"):
            proxy.missing  # noqa: B018
    finally:
        var.reset(token)


def test_proxy_subclass_attributes_stay_its_own():
    class Labelled(LocalProxy):
        label = "mine"

        def describe(self) -> str:
            return "proxy of %r" % self._get_current_object()

    var: contextvars.ContextVar = contextvars.ContextVar("hot_path_sub")
    proxy = Labelled(var)
    token = var.set("text")
    try:
        assert proxy.label == "mine"
        assert proxy.describe() == "proxy of 'text'"
        assert proxy.upper() == "TEXT"
    finally:
        var.reset(token)


class _Recorder:
    """Answers every operator with what it was asked, to see what reached it."""

    def __getitem__(self, key):
        return ("getitem", key)

    def __contains__(self, item):
        return item == "inside"

    def __len__(self):
        return 3

    def __add__(self, other):
        return ("add", other)

    def __radd__(self, other):
        return ("radd", other)

    def __call__(self, *args, **kwargs):
        return ("call", args, kwargs)

    def __round__(self, digits=None):
        return ("round", digits)


def test_proxy_operators_reach_the_bound_object():
    var: contextvars.ContextVar = contextvars.ContextVar("hot_path_ops")
    proxy = LocalProxy(var, unbound_message="no recorder")
    token = var.set(_Recorder())
    try:
        assert proxy["key"] == ("getitem", "key")
        assert "inside" in proxy and "outside" not in proxy
        assert len(proxy) == 3
        assert proxy + 1 == ("add", 1)
        assert 1 + proxy == ("radd", 1)
        assert proxy(2, x=3) == ("call", (2,), {"x": 3})
        assert round(proxy, 2) == ("round", 2)
        assert type(proxy).__len__(proxy) == 3
        assert proxy.__getitem__("k") == ("getitem", "k")
    finally:
        var.reset(token)
    for use in (lambda: proxy["key"], lambda: len(proxy), lambda: proxy + 1, lambda: proxy()):
        with pytest.raises(RuntimeError, match="no recorder"):
            use()
    # repr and bool answer without a bound object.
    assert repr(proxy) == "<LocalProxy unbound>"
    assert not proxy


def test_proxy_mapping_operations_change_the_bound_dict():
    var: contextvars.ContextVar = contextvars.ContextVar("hot_path_dict")
    proxy = LocalProxy(var)
    target: dict = {"a": 1}
    token = var.set(target)
    try:
        proxy["b"] = 2
        del proxy["a"]
        proxy |= {"c": 3}
        assert target == {"b": 2, "c": 3}
        assert proxy == {"b": 2, "c": 3} and proxy != {}
        assert list(proxy) == ["b", "c"] and list(reversed(proxy)) == ["c", "b"]
        assert str(proxy) == str(target)
        assert type(proxy) is LocalProxy
    finally:
        var.reset(token)
    assert hash(LocalProxy(lambda: "text")) == hash("text")


# -- sending a response ----------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: Response("Hello"),
        lambda: Response(b"bytes", status=201, mimetype="text/plain"),
        lambda: Response("moved", status=302, headers={"Location": "/caf\u00e9"}),
        lambda: Response("here", headers=[("Content-Location", "/\u00e9")]),
        lambda: Response("none", status=204),
        lambda: Response("x", status=304),
        lambda: Response("missing", status=404),
        lambda: Response("odd", status="599 ODD"),
        lambda: Response(["a", "b"]),
        lambda: Response(iter([b"streamed"])),
    ],
)
def test_straight_send_matches_the_general_steps(make):
    assert sent(make()) == sent_the_long_way(make())
    head = environ_for(method="HEAD")
    assert sent(make(), head) == sent_the_long_way(make(), head)


def test_straight_send_notices_changed_headers():
    response = Response("body")
    del response.headers["Content-Length"]
    response.headers["Location"] = "/x"
    status, headers, body = sent(response)
    assert ("Content-Length", "4") in headers
    assert ("Location", "/x") in headers
    assert body == b"body"


def test_straight_send_runs_close_callbacks():
    closed = []
    response = Response("body")
    response.call_on_close(lambda: closed.append(True))
    assert sent(response)[2] == b"body"
    assert closed == [True]


def test_response_subclass_overriding_a_step_is_sent_through_it():
    class Tagged(Response):
        def get_wsgi_headers(self, environ):
            headers = super().get_wsgi_headers(environ).copy()
            headers["X-Tag"] = "on"
            return headers

    status, headers, body = sent(Tagged("tagged"))
    assert ("X-Tag", "on") in headers
    assert body == b"tagged"


# -- reused route matches ---------------------------------------------------------


def test_repeated_match_gives_each_request_its_own_values():
    url_map = Map([Rule("/user/<int:uid>", endpoint="user")])
    rule, values = url_map.match_plain("", "/user/7", "GET")
    values["uid"] = "changed"
    assert url_map.match_plain("", "/user/7", "GET") == (rule, {"uid": 7})


def test_custom_converters_are_asked_every_time():
    calls = []

    class Counting(BaseConverter):
        def to_python(self, value):
            calls.append(value)
            return value

    url_map = Map([Rule("/item/<counted:name>", endpoint="item")], converters={"counted": Counting})
    for _ in range(3):
        assert url_map.match_plain("", "/item/a", "GET")[1] == {"name": "a"}
    assert calls == ["a", "a", "a"]


def test_added_rule_is_seen_after_matches_were_reused():
    url_map = Map([Rule("/<name>", endpoint="any")])
    assert url_map.match_plain("", "/x", "GET")[0].endpoint == "any"
    url_map.add(Rule("/x", endpoint="exact"))
    assert url_map.match_plain("", "/x", "GET")[0].endpoint == "exact"


# -- the app --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["a=1&b=2", "a", "a=&b", "&&a=1&&", "x=1=2", "a=%41+b", "a=1&a=2", "n=caf%C3%A9"],
)
def test_query_string_split_matches_the_decoder(query):
    from microflask.formparser import _decode_urlencoded_pairs

    args = Request(environ_for(query=query)).args
    assert list(args.items(multi=True)) == _decode_urlencoded_pairs(query)


def test_g_is_fresh_for_every_request_and_torn_down():
    app = Flask(__name__)
    seen = []
    torn_down = []

    @app.route("/")
    def index():
        seen.append(g.get("mark"))
        g.mark = request.args.get("n")
        return jsonify(mark=g.mark)

    @app.teardown_appcontext
    def teardown(exc):
        torn_down.append(exc)

    client = app.test_client()
    assert client.get("/?n=1").json == {"mark": "1"}
    assert client.get("/?n=2").json == {"mark": "2"}
    assert seen == [None, None]
    assert torn_down == [None, None]


def test_a_replaced_url_map_that_binds_its_own_way_is_bound():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "first"

    assert app.test_client().get("/").data == b"first"

    class HostMap(Map):
        def bind_to_environ(self, environ, server_name=None, subdomain=None):
            adapter = super().bind_to_environ(environ, server_name, subdomain)
            seen.append(True)
            return adapter

    seen: list = []
    new_map = HostMap()
    for rule in app.url_map.iter_rules():
        new_map.add(rule.empty())
    app.url_map = new_map
    assert app.test_client().get("/").data == b"first"
    assert seen
