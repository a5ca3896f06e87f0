"""The app layer's request-path shortcuts give exactly what Flask's general
path gives: a URL matched on the bare map instead of a bound adapter
(``Flask._match_url_without_adapter``), a session nothing opened left
unopened and unsaved (``Flask._unopened_session_needs_no_saving``), and
``Vary: Cookie`` added without a header set (``sessions._add_vary_cookie``).
Each test runs the requests with the shortcut and with it switched off."""

from __future__ import annotations


import pytest

from microflask import Flask, Response, request, session
from microflask.routing import Map
from microflask.sessions import SecureCookieSessionInterface


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "fast paths"
    return app


# -- URL matching without a bound adapter (Flask._match_url_without_adapter) ------


def make_routing_app(app_class: type = Flask, **app_options) -> Flask:
    app = app_class(__name__, **app_options)

    def show(**values):
        return "%s %r" % (request.endpoint, sorted(values.items()))

    app.add_url_rule("/", "index", show, methods=["GET", "POST"])
    app.add_url_rule("/user/<int:uid>", "user", show)
    app.add_url_rule("/folder/", "folder", show)
    app.add_url_rule("/old", "old", redirect_to="/")
    app.add_url_rule("/page/", "page", show, defaults={"page": 1})
    app.add_url_rule("/page/<int:page>", "page", show)
    app.add_url_rule("/post", "post", show, methods=["POST"])
    app.add_url_rule("/files/<path:name>", "files", show)
    app.add_url_rule("/caf\u00e9", "cafe", show)
    app.add_url_rule("/a/b", "ab", show)
    app.add_url_rule("/ws", "ws", show, websocket=True)
    return app


class AdapterOverridingFlask(Flask):
    def create_url_adapter(self, request):
        adapter = super().create_url_adapter(request)
        if adapter is not None and request is not None:
            adapter.default_method = "POST"  # visible in what OPTIONS and matching see
        return adapter


class SubclassedMap(Map):
    pass


def plain(app):
    return app


def trusted_hosts(app):
    app.config["TRUSTED_HOSTS"] = ["localhost", "xn--bcher-kva.example"]
    return app


def subdomains(app):
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "localhost"
    return app


def subclassed_map(app):
    new_map = SubclassedMap()
    for rule in app.url_map.iter_rules():
        new_map.add(rule.empty())
    app.url_map = new_map
    return app


APP_VARIANTS = {
    "plain": lambda: plain(make_routing_app()),
    "trusted hosts": lambda: trusted_hosts(make_routing_app()),
    "subdomain matching": lambda: subdomains(make_routing_app()),
    "subclassed map": lambda: subclassed_map(make_routing_app()),
    "overridden create_url_adapter": lambda: make_routing_app(AdapterOverridingFlask),
    "host matching": lambda: make_routing_app(host_matching=True, static_folder=None),
}
WEBSOCKET_HEADERS = {"Upgrade": "websocket", "Connection": "Upgrade"}
URL_REQUESTS = [
    ("/", "GET", {}),
    ("/", "POST", {}),
    ("/", "HEAD", {}),
    ("/", "OPTIONS", {}),
    ("/user/7", "GET", {}),
    ("/user/x", "GET", {}),
    ("/folder", "GET", {}),
    ("/folder/", "GET", {}),
    ("/old", "GET", {}),
    ("/page/", "GET", {}),
    ("/page/1", "GET", {}),
    ("/page/2", "GET", {}),
    ("/post", "GET", {}),
    ("/post", "POST", {}),
    ("/files/a/b.txt", "GET", {}),
    ("/caf\u00e9", "GET", {}),
    ("/a//b", "GET", {}),
    ("/nowhere", "GET", {}),
    ("/ws", "GET", {}),
    ("/ws", "GET", WEBSOCKET_HEADERS),
    ("/", "GET", WEBSOCKET_HEADERS),
    ("/", "GET", {"Host": "b\u00fccher.example"}),
    ("/", "GET", {"Host": "\u00fc" * 64 + ".example"}),  # no IDNA label: 400
    ("/", "GET", {"Host": "evil.example"}),
    ("/user/3", "GET", {"Host": "api.localhost"}),
]


def answer(app: Flask, path: str, method: str, headers: dict) -> tuple:
    response = app.test_client().open(path, method=method, headers=headers)
    return response.status, list(response.headers), response.get_data()


@pytest.mark.parametrize("variant", list(APP_VARIANTS))
def test_matching_without_adapter_finds_what_the_adapter_finds(variant):
    app = APP_VARIANTS[variant]()
    taken = 0
    for path, method, headers in URL_REQUESTS:
        ctx = app.test_request_context(path, method=method, headers=headers)
        found = app._match_url_without_adapter(ctx.request)
        if found is None:
            continue
        taken += 1
        assert found == app.create_url_adapter(ctx.request).match(return_rule=True)
    # The fast path serves the plain app only; everything else binds an adapter.
    assert (taken > 0) == (variant == "plain")


@pytest.mark.filterwarnings("ignore:Current server name")  # foreign hosts, subdomain matching
@pytest.mark.parametrize("variant", list(APP_VARIANTS))
def test_responses_are_the_same_without_the_matching_shortcut(variant, monkeypatch):
    fast = [answer(APP_VARIANTS[variant](), *request_args) for request_args in URL_REQUESTS]
    monkeypatch.setattr(Flask, "_match_url_without_adapter", lambda self, request: None)
    general = [answer(APP_VARIANTS[variant](), *request_args) for request_args in URL_REQUESTS]
    assert fast == general


# -- skipping the unopened session (Flask._unopened_session_needs_no_saving) ------


class CustomCookieInterface(SecureCookieSessionInterface):
    salt = "custom-salt"


def session_test_app(secret_key, interface=None, after_request_reads=False, **config) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret_key
    app.config.update(config)
    if interface is not None:
        app.session_interface = interface

    @app.route("/quiet")
    def quiet():
        return "quiet"

    @app.route("/read")
    def read():
        return str(session.get("user"))

    @app.route("/write")
    def write():
        session["user"] = "grace"
        return "written"

    if after_request_reads:

        @app.after_request
        def peek(response):
            response.headers["X-User"] = str(session.get("user"))
            return response

    return app


def session_cookie_header(app: Flask, data: dict) -> str:
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    return "%s=%s" % (app.config["SESSION_COOKIE_NAME"], value)


SESSION_SCENARIOS = {
    # name: (app options, cookie maker, whether the shortcut should apply on /quiet)
    "no secret key": (dict(secret_key=None), None, True),
    "no secret key, a cookie": (dict(secret_key=None), lambda app: "session=abc", False),
    "no cookie": (dict(secret_key="k"), None, True),
    "another cookie": (dict(secret_key="k"), lambda app: "other=1", True),
    "session cookie": (
        dict(secret_key="k"),
        lambda app: session_cookie_header(app, {"user": "ada"}),
        False,
    ),
    "permanent session cookie": (
        dict(secret_key="k"),
        lambda app: session_cookie_header(app, {"user": "ada", "_permanent": True}),
        False,
    ),
    "permanent, no refresh": (
        dict(secret_key="k", SESSION_REFRESH_EACH_REQUEST=False),
        lambda app: session_cookie_header(app, {"user": "ada", "_permanent": True}),
        True,
    ),
    "tampered cookie": (dict(secret_key="k"), lambda app: "session=eyJ1c2VyIjoiYWRhIn0.x.y", False),
    "renamed cookie, old name sent": (
        dict(secret_key="k", SESSION_COOKIE_NAME="sid"),
        lambda app: "session=" + session_cookie_header(app, {"user": "ada"}).partition("=")[2],
        True,
    ),
    "renamed cookie sent": (
        dict(secret_key="k", SESSION_COOKIE_NAME="sid"),
        lambda app: session_cookie_header(app, {"user": "ada", "_permanent": True}),
        False,
    ),
    "fresh built-in interface": (
        dict(secret_key="k", interface=SecureCookieSessionInterface()),
        None,
        False,
    ),
    "subclassed interface": (dict(secret_key="k", interface=CustomCookieInterface()), None, False),
    "after_request reads it": (dict(secret_key="k", after_request_reads=True), None, False),
}


def session_answers(options: dict, make_cookie, record: list) -> list:
    options = dict(options)
    interface = options.pop("interface", None)
    app = session_test_app(interface=interface, **options)
    headers = {"Cookie": make_cookie(app)} if make_cookie else {}
    client = app.test_client(use_cookies=False)
    answers = []
    for path in ("/quiet", "/read", "/write"):
        record.clear()
        response = client.get(path, headers=headers)
        answers.append((response.status, list(response.headers), response.get_data(), list(record)))
    return answers


@pytest.mark.parametrize("scenario", list(SESSION_SCENARIOS))
def test_responses_are_the_same_without_the_session_shortcut(
    scenario, monkeypatch, frozen_session_clock
):
    options, make_cookie, shortcut_expected = SESSION_SCENARIOS[scenario]
    # (frozen_session_clock: one clock for both runs, so cookies are equal.)
    shortcut = Flask._unopened_session_needs_no_saving
    taken: list = []

    def recording_shortcut(self, ctx):
        result = shortcut(self, ctx)
        taken.append(result)
        return result

    monkeypatch.setattr(Flask, "_unopened_session_needs_no_saving", recording_shortcut)
    fast = session_answers(options, make_cookie, [])
    quiet_taken = taken[0]
    monkeypatch.setattr(Flask, "_unopened_session_needs_no_saving", lambda self, ctx: False)
    general = session_answers(options, make_cookie, [])
    assert fast == general
    assert quiet_taken is shortcut_expected
    # Routes that read or change the session never take the shortcut (a view's
    # text may ask twice: once to go out without a response object).
    assert len(taken) >= 3 and not any(taken[1:])


def test_session_shortcut_leaves_the_session_unopened(app):
    from microflask.globals import request_ctx

    @app.route("/quiet")
    def quiet():
        return ""

    client = app.test_client(use_cookies=False)
    with client:
        client.get("/quiet")
        assert request_ctx._session is None
    with client:
        client.get("/quiet", headers={"Cookie": "session=x"})
        assert request_ctx._session is not None and not request_ctx._session.accessed


# -- "Vary: Cookie" without a header set (sessions._add_vary_cookie) -------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Vary": "Accept-Encoding"}, {"Vary": "Cookie"}, {"Vary": "cookie, Accept"}, {"Vary": ""}],
    ids=repr,
)
def test_vary_cookie_shortcut_matches_the_header_set(headers):
    from microflask.sessions import _add_vary_cookie

    class OwnVary(Response):
        pass

    for response_class in (Response, OwnVary):
        fast = response_class("x", headers=headers)
        _add_vary_cookie(fast)
        general = response_class("x", headers=headers)
        general.vary.add("Cookie")
        assert list(fast.headers) == list(general.headers)
