"""The application object: routing, return values, hooks, errors, contexts."""

import pytest

import microflask
from microflask import (
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    request,
    url_for,
)


@pytest.fixture
def app():
    app = Flask("test_app_basic")
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_hello(app, client):
    @app.route("/")
    def index():
        return "Hello, World!"

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"Hello, World!"
    assert rv.mimetype == "text/html"
    assert rv.headers["Content-Type"] == "text/html; charset=utf-8"


def test_method_shortcuts_and_405(app, client):
    @app.get("/thing")
    def get_thing():
        return "got"

    @app.post("/thing")
    def post_thing():
        return "posted"

    assert client.get("/thing").data == b"got"
    assert client.post("/thing").data == b"posted"
    rv = client.delete("/thing")
    assert rv.status_code == 405
    assert sorted(x.strip() for x in rv.headers["Allow"].split(",")) == [
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    ]


def test_route_with_methods_keyword_on_shortcut_is_refused(app):
    with pytest.raises(TypeError):
        app.get("/x", methods=["POST"])


def test_automatic_options_and_head(app, client):
    @app.route("/", methods=["GET", "POST"])
    def index():
        return "body"

    rv = client.open("/", method="OPTIONS")
    assert rv.status_code == 200
    assert sorted(x.strip() for x in rv.headers["Allow"].split(",")) == [
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    ]
    assert rv.data == b""
    head = client.head("/")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == "4"


def test_methods_string_is_refused(app):
    with pytest.raises(TypeError):

        @app.route("/", methods="POST")
        def index():
            return ""


def test_dynamic_routes_and_url_for(app, client):
    @app.route("/user/<int:uid>")
    def user(uid):
        return jsonify(id=uid, name=request.args.get("name", ""))

    @app.route("/page/<path:rest>")
    def page(rest):
        return rest

    rv = client.get("/user/42?name=ada")
    assert rv.get_json() == {"id": 42, "name": "ada"}
    assert rv.mimetype == "application/json"
    assert client.get("/user/abc").status_code == 404
    assert client.get("/page/a/b/c").data == b"a/b/c"
    with app.test_request_context():
        assert url_for("user", uid=7) == "/user/7"
        assert url_for("user", uid=7, q="x y") == "/user/7?q=x+y"
        assert url_for("user", uid=7, _anchor="top") == "/user/7#top"
        assert url_for("user", uid=7, _external=True) == "http://localhost/user/7"
        assert url_for("page", rest="a b/c") == "/page/a%20b/c"


def test_url_for_outside_request_needs_server_name(app):
    @app.route("/x")
    def x():
        return ""

    with app.app_context():
        with pytest.raises(RuntimeError):
            url_for("x")
    app.config["SERVER_NAME"] = "example.com"
    with app.app_context():
        assert url_for("x") == "http://example.com/x"


def test_endpoint_overwrite_is_an_error(app):
    @app.route("/a")
    def view():
        return ""

    def other():
        return ""

    with pytest.raises(AssertionError):
        app.add_url_rule("/b", "view", other)
    # The same function again is fine.
    app.add_url_rule("/c", "view", view)


def test_return_values(app, client):
    @app.route("/bytes")
    def as_bytes():
        return b"raw"

    @app.route("/dict")
    def as_dict():
        return {"a": 1}

    @app.route("/list")
    def as_list():
        return [1, 2]

    @app.route("/tuple-status")
    def tuple_status():
        return "created", 201

    @app.route("/tuple-headers")
    def tuple_headers():
        return "ok", {"X-Thing": "1"}

    @app.route("/tuple-three")
    def tuple_three():
        return "teapot", 418, [("X-A", "b")]

    @app.route("/status-string")
    def status_string():
        return "custom", "299 Custom"

    @app.route("/generator")
    def generator():
        def gen():
            yield "a"
            yield "b"

        return gen()

    @app.route("/response")
    def response():
        rv = make_response("made", 202)
        rv.headers["X-Made"] = "yes"
        return rv

    @app.route("/wsgi")
    def wsgi():
        def app_(environ, start_response):
            start_response("203 NON-AUTHORITATIVE INFORMATION", [("Content-Type", "text/plain")])
            return [b"from wsgi"]

        return app_

    assert client.get("/bytes").data == b"raw"
    assert client.get("/dict").get_json() == {"a": 1}
    assert client.get("/list").get_json() == [1, 2]
    rv = client.get("/tuple-status")
    assert (rv.status_code, rv.data) == (201, b"created")
    assert client.get("/tuple-headers").headers["X-Thing"] == "1"
    rv = client.get("/tuple-three")
    assert rv.status_code == 418 and rv.headers["X-A"] == "b"
    assert client.get("/status-string").status == "299 Custom"
    assert client.get("/generator").data == b"ab"
    rv = client.get("/response")
    assert rv.status_code == 202 and rv.headers["X-Made"] == "yes"
    rv = client.get("/wsgi")
    assert rv.status_code == 203 and rv.data == b"from wsgi"


def test_returning_none_names_the_view(app, client):
    @app.route("/none")
    def from_none():
        pass

    with pytest.raises(TypeError) as info:
        client.get("/none")
    assert "from_none" in str(info.value)
    assert "returned None" in str(info.value)


def test_bad_tuple_and_type(app, client):
    @app.route("/four")
    def four():
        return "a", 200, {}, 1

    @app.route("/int")
    def an_int():
        return 42

    with pytest.raises(TypeError):
        client.get("/four")
    with pytest.raises(TypeError):
        client.get("/int")


def test_before_request_short_circuits(app, client):
    calls = []

    @app.before_request
    def first():
        calls.append("first")

    @app.before_request
    def second():
        calls.append("second")
        if request.path == "/blocked":
            return "blocked", 403

    @app.route("/blocked")
    def blocked():
        calls.append("view")
        return "view"

    rv = client.get("/blocked")
    assert rv.status_code == 403 and rv.data == b"blocked"
    assert calls == ["first", "second"]


def test_after_request_order_and_after_this_request(app, client):
    order = []

    @app.after_request
    def one(response):
        order.append("one")
        response.headers["X-One"] = "1"
        return response

    @app.after_request
    def two(response):
        order.append("two")
        return response

    @app.route("/")
    def index():
        @microflask.after_this_request
        def once(response):
            order.append("this")
            response.headers["X-This"] = "yes"
            return response

        return "x"

    rv = client.get("/")
    assert order == ["this", "two", "one"]
    assert rv.headers["X-One"] == "1" and rv.headers["X-This"] == "yes"


def test_teardown_runs_with_exception(app):
    seen = []

    @app.teardown_request
    def teardown_request(exc):
        seen.append(("request", type(exc).__name__ if exc else None))

    @app.teardown_appcontext
    def teardown_app(exc):
        seen.append(("app", type(exc).__name__ if exc else None))

    @app.route("/ok")
    def ok():
        return "ok"

    @app.route("/boom")
    def boom():
        raise ZeroDivisionError

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert client.get("/ok").status_code == 200
    assert seen == [("request", None), ("app", None)]
    seen.clear()
    assert client.get("/boom").status_code == 500
    assert seen == [("request", "ZeroDivisionError"), ("app", "ZeroDivisionError")]


def test_error_handlers(app, client):
    class MyError(Exception):
        pass

    class MySubError(MyError):
        pass

    @app.errorhandler(404)
    def not_found(e):
        return "nothing at %s" % request.path, 404

    @app.errorhandler(MyError)
    def my_error(e):
        return "my error: %s" % type(e).__name__, 400

    @app.route("/raise/<kind>")
    def raiser(kind):
        if kind == "sub":
            raise MySubError()
        abort(404)

    rv = client.get("/missing")
    assert rv.status_code == 404 and rv.data == b"nothing at /missing"
    rv = client.get("/raise/sub")
    assert rv.status_code == 400 and rv.data == b"my error: MySubError"
    assert client.get("/raise/x").data == b"nothing at /raise/x"


def test_500_handler_gets_original_exception(app):
    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    logged = []
    app.logger.disabled = False

    @app.errorhandler(500)
    def server_error(e):
        return "handled %s" % type(e.original_exception).__name__, 500

    @app.route("/")
    def index():
        raise KeyError("x")

    app.log_exception = lambda exc_info: logged.append(exc_info[0])
    rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert rv.data == b"handled KeyError"
    assert logged == [KeyError]


def test_unhandled_exception_is_500_or_propagates(app):
    @app.route("/")
    def index():
        raise RuntimeError("bad")

    with pytest.raises(RuntimeError):
        app.test_client().get("/")
    app.config["TESTING"] = False
    app.log_exception = lambda exc_info: None
    rv = app.test_client().get("/")
    assert rv.status_code == 500
    assert b"Internal Server Error" in rv.data


def test_failing_error_handler_does_not_loop(app):
    app.config["TESTING"] = False
    app.log_exception = lambda exc_info: None

    @app.errorhandler(500)
    def broken(e):
        raise ValueError("handler broke")

    @app.route("/")
    def index():
        raise RuntimeError("view broke")

    with pytest.raises(ValueError):
        app.test_client().get("/")


def test_http_errors_reach_handlers(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.errorhandler(413)
    def too_large(e):
        return {"error": "too large"}, 413

    @app.errorhandler(400)
    def bad_request(e):
        return {"error": "bad request"}, 400

    @app.route("/upload", methods=["POST"])
    def upload():
        return str(len(request.form))

    @app.route("/json", methods=["POST"])
    def read_json():
        return request.get_json()

    rv = client.post("/upload", data={"f": "x" * 100})
    assert rv.status_code == 413 and rv.get_json() == {"error": "too large"}
    app.config["MAX_CONTENT_LENGTH"] = None
    rv = client.post("/json", data="{nope", content_type="application/json")
    assert rv.status_code == 400 and rv.get_json() == {"error": "bad request"}


def test_handler_registration_errors(app):
    with pytest.raises(ValueError):
        app.register_error_handler(999, lambda e: "")
    with pytest.raises(TypeError):
        app.register_error_handler(ValueError(), lambda e: "")
    with pytest.raises(ValueError):
        app.register_error_handler(int, lambda e: "")


def test_redirect_and_abort(app, client):
    @app.route("/old")
    def old():
        return redirect(url_for("new"))

    @app.route("/new")
    def new():
        return "new"

    @app.route("/gone")
    def gone():
        abort(410)

    rv = client.get("/old")
    assert rv.status_code == 302 and rv.headers["Location"] == "/new"
    rv = client.get("/old", follow_redirects=True)
    assert rv.data == b"new" and len(rv.history) == 1
    assert client.get("/gone").status_code == 410


def test_strict_slashes_redirect(app, client):
    @app.route("/docs/")
    def docs():
        return "docs"

    rv = client.get("/docs?x=1")
    assert rv.status_code == 308
    assert rv.headers["Location"].endswith("/docs/?x=1")


def test_g_and_contexts(app):
    @app.route("/")
    def index():
        g.value = 1
        assert "value" in g
        assert g.get("missing", 5) == 5
        assert g.pop("value") == 1
        assert g.setdefault("x", 3) == 3
        assert current_app.name == app.name
        return "ok"

    assert app.test_client().get("/").data == b"ok"
    assert not microflask.has_request_context()
    assert not microflask.has_app_context()
    with pytest.raises(RuntimeError) as info:
        request.path
    assert "request context" in str(info.value)
    with pytest.raises(RuntimeError) as info:
        current_app.name
    assert "application context" in str(info.value)
    with app.app_context():
        assert microflask.has_app_context()
        assert current_app._get_current_object() is app
        g.thing = 1
    with app.app_context():
        assert "thing" not in g


def test_test_request_context(app):
    with app.test_request_context("/path?a=1", method="POST", data={"f": "v"}):
        assert request.path == "/path"
        assert request.args["a"] == "1"
        assert request.form["f"] == "v"
        assert microflask.has_request_context()


def test_copy_current_request_context_in_thread(app):
    import threading

    result = {}

    @app.route("/")
    def index():
        @microflask.copy_current_request_context
        def work():
            result["path"] = request.path

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return "ok"

    app.test_client().get("/")
    assert result == {"path": "/"}


def test_threads_see_their_own_request(app):
    import threading

    seen = []
    barrier = threading.Barrier(2)

    @app.route("/<name>")
    def index(name):
        barrier.wait(timeout=5)
        seen.append((name, request.view_args["name"]))
        return name

    def hit(name):
        app.test_client().get("/" + name)

    threads = [threading.Thread(target=hit, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == [("a", "a"), ("b", "b")]


def test_url_value_preprocessor_and_defaults(app, client):
    @app.url_defaults
    def add_lang(endpoint, values):
        if "lang" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = g.lang

    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        g.lang = values.pop("lang", None)

    @app.route("/<lang>/about")
    def about():
        return url_for("about")

    assert client.get("/de/about").data == b"/de/about"


def test_json_helpers(app, client):
    import datetime
    import decimal
    import uuid

    @app.route("/")
    def index():
        return jsonify(
            when=datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
            amount=decimal.Decimal("1.50"),
            uid=uuid.UUID(int=1),
        )

    data = client.get("/").get_json()
    assert data == {
        "when": "Thu, 02 Jan 2020 03:04:05 GMT",
        "amount": "1.50",
        "uid": "00000000-0000-0000-0000-000000000001",
    }
    with app.app_context():
        assert microflask.json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
        assert jsonify(1, 2).get_json() == [1, 2]


def test_async_view_and_hook(app, client):
    @app.before_request
    async def before():
        g.before = True

    @app.route("/")
    async def index():
        return "async %s" % g.before

    assert client.get("/").data == b"async True"


def test_setup_after_first_request_is_refused(app, client):
    @app.route("/")
    def index():
        return ""

    client.get("/")
    with pytest.raises(AssertionError):

        @app.route("/late")
        def late():
            return ""


def test_config_defaults_and_attributes(app):
    assert app.config["MAX_FORM_PARTS"] == 1000
    assert app.testing is True
    app.secret_key = "s3"
    assert app.config["SECRET_KEY"] == "s3"
    app.debug = True
    assert app.config["DEBUG"] is True
    assert app.permanent_session_lifetime.days == 31


def test_instance_path_and_open_resource(tmp_path):
    app = Flask("x", root_path=str(tmp_path))
    (tmp_path / "data.txt").write_text("hello")
    with app.open_resource("data.txt") as f:
        assert f.read() == b"hello"
    with app.open_resource("data.txt", "r") as f:
        assert f.read() == "hello"
    with pytest.raises(ValueError):
        app.open_resource("data.txt", "w")
    with pytest.raises(ValueError):
        Flask("x", instance_path="relative")


def test_static_files(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body {}")
    app = Flask("x", root_path=str(tmp_path))
    client = app.test_client()
    rv = client.get("/static/style.css")
    assert rv.status_code == 200
    assert rv.data == b"body {}"
    assert rv.mimetype == "text/css"
    rv.close()
    assert client.get("/static/../secret").status_code == 404
    assert client.get("/static/missing.css").status_code == 404
    with app.test_request_context():
        assert url_for("static", filename="style.css") == "/static/style.css"


def test_trusted_hosts(app, client):
    app.config["TRUSTED_HOSTS"] = ["good.example"]

    @app.route("/")
    def index():
        return "ok"

    assert client.get("/", base_url="http://good.example").status_code == 200
    assert client.get("/", base_url="http://evil.example").status_code == 400


def test_app_is_wsgi_and_wsgi_app_is_wrappable(app):
    from wsgiref.validate import validator

    from microflask.testing import Client

    @app.route("/")
    def index():
        return "ok"

    calls = []
    inner = app.wsgi_app

    def middleware(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware
    rv = Client(validator(app)).get("/")
    assert rv.data == b"ok" and calls == ["/"]
    rv.close()


def test_url_for_accepts_a_self_argument(app):
    @app.route("/<self>")
    def show(self):
        return self

    with app.test_request_context():
        assert url_for("show", self="2") == "/2"
        assert app.url_for("show", self="3") == "/3"


def test_g_repr_names_the_flask_global(app):
    with app.app_context():
        assert repr(g) == "<flask.g of 'test_app_basic'>"


def test_debug_post_to_slashless_url_explains_the_lost_form(app, monkeypatch):
    from microflask.debughelpers import FormDataRoutingRedirect
    from microflask.routing import RequestRedirect

    app.debug = True

    @app.route("/user/", methods=["GET", "POST"])
    def user():
        return request.form["status"]

    client = app.test_client()
    # The default 308 keeps the body: no error, the form arrives.
    assert client.post("/user", data={"status": "ok"}, follow_redirects=True).data == b"ok"
    monkeypatch.setattr(RequestRedirect, "code", 301)
    with pytest.raises(FormDataRoutingRedirect) as info:
        client.post("/user", data={"status": "lost"})
    text = str(info.value)
    assert "canonical URL 'http://localhost/user/'" in text
    assert "defined with a trailing slash" in text
    assert isinstance(info.value, AssertionError)
    # GET requests, and apps not in debug mode, just get the redirect.
    assert client.get("/user").status_code == 301
    app.debug = False
    assert client.post("/user", data={"status": "x"}).status_code == 301


def test_debug_files_key_error_names_the_submitted_file_name(app):
    from microflask.debughelpers import DebugFilesKeyError, attach_enctype_error_multidict

    with app.test_request_context("/", method="POST", data={"upload": "notes.txt"}):
        attach_enctype_error_multidict(request)
        with pytest.raises(DebugFilesKeyError) as info:
            request.files["upload"]
        with pytest.raises(KeyError) as plain:
            request.files["other"]
    assert not isinstance(plain.value, DebugFilesKeyError)
    text = str(info.value)
    assert "no file contents were transmitted" in text
    assert "This was submitted: 'notes.txt'" in text


def test_stream_with_context_in_an_async_view(app):
    from microflask import session, stream_with_context
    from microflask.globals import request_ctx

    app.secret_key = "streaming"

    @app.route("/")
    async def index():
        session["word"] = "streamed"

        @stream_with_context
        def generate():
            yield session["word"]

        return app.response_class(generate())

    client = app.test_client()
    client.get("/").close()  # closed before reading: nothing leaks
    assert client.get("/").data == b"streamed"
    with client:
        assert client.get("/").data == b"streamed"
    assert not request_ctx


def test_explain_template_loading_logs_every_loader(app, tmp_path, caplog):
    import logging

    from microflask import Blueprint, render_template
    from microflask.templating import TemplateNotFound

    (tmp_path / "app_templates").mkdir()
    (tmp_path / "app_templates" / "page.html").write_text("app page")
    (tmp_path / "bp_templates").mkdir()
    app.template_folder = str(tmp_path / "app_templates")
    bp = Blueprint("shop", "shop_module", template_folder=str(tmp_path / "bp_templates"))

    @bp.route("/missing")
    def missing():
        return render_template("nowhere.html")

    app.register_blueprint(bp)
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        with app.test_request_context():
            assert render_template("page.html") == "app page"
        with pytest.raises(TemplateNotFound):
            app.test_client().get("/missing")
    found, not_found = [r.getMessage() for r in caplog.records]
    assert found.startswith("Locating template 'page.html':\n    1: trying loader of application")
    assert "-> found (" in found and "2: trying loader of blueprint 'shop' (shop_module)" in found
    assert "Error: the template could not be found." in not_found
    assert "belongs to the blueprint 'shop'" in not_found


def test_flask_module_paths_for_types_templates_and_the_app_base():
    import microflask._app_templates as app_templates
    import microflask.typing as flask_typing
    from microflask._app_jinja import AppTemplateEnvironment, DispatchingJinjaLoader
    from microflask.app import App

    assert App is Flask
    assert app_templates.Environment is AppTemplateEnvironment
    assert app_templates.DispatchingJinjaLoader is DispatchingJinjaLoader
    with pytest.raises(AttributeError):
        app_templates.NoSuchThing  # noqa: B018
    for name in flask_typing.__all__:
        assert getattr(flask_typing, name) is not None

    def view() -> flask_typing.ResponseReturnValue:
        return "typed"

    assert view() == "typed"
