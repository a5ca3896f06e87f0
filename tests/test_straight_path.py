"""The straight request path (``Flask._serve_straight``) answers exactly as
Flask's general path (``wsgi_app``'s own steps) does.

Each scenario runs the same requests twice on fresh apps: once as they
come (the straight path, when nothing runs around the views) and once with
the straight path switched off.  Status, headers, body and what the views
and handlers saw must be the same.  The other tests check when the
straight path is taken and when it is not: a hook, a signal receiver, a
subclass that overrides a step, the test client keeping the contexts.
"""

from __future__ import annotations

import asyncio
import io
import threading

import pytest

from microflask import (
    Flask,
    Response,
    abort,
    after_this_request,
    copy_current_request_context,
    current_app,
    g,
    jsonify,
    request,
    session,
    signals,
    stream_with_context,
    url_for,
)
from microflask.app import _STEPS_THE_STRAIGHT_PATH_SKIPS
from microflask.globals import _cv_app, _cv_request, request_ctx
from microflask.sessions import SecureCookieSessionInterface


@pytest.fixture(autouse=True)
def fixed_clock(frozen_session_clock):
    """One clock for both runs, so signed session cookies are byte-equal."""


@pytest.fixture
def straight_taken(monkeypatch) -> list:
    """Records, per request, whether the straight path served it."""
    taken: list = []
    real = Flask._runs_nothing_around_views

    def recording(self, environ):
        result = real(self, environ)
        taken.append(result)
        return result

    monkeypatch.setattr(Flask, "_runs_nothing_around_views", recording)
    return taken


def switch_straight_path_off(monkeypatch) -> None:
    monkeypatch.setattr(Flask, "_runs_nothing_around_views", lambda self, environ: False)


# -- one app that uses what a view can use ---------------------------------------


def make_app(seen: list, **config) -> Flask:
    app = Flask(__name__)
    app.secret_key = "straight path"
    app.config.update(config)

    @app.route("/")
    def index():
        return "Hello, World!"

    @app.route("/bytes")
    def as_bytes():
        return b"raw"

    @app.route("/json/<int:uid>")
    def as_json(uid):
        return jsonify(id=uid, name=request.args.get("name", ""))

    @app.route("/dict")
    def as_dict():
        return {"a": [1, 2]}

    @app.route("/tuple")
    def as_tuple():
        return "made", 201, {"X-Made": "yes"}

    @app.route("/headers-only")
    def headers_only():
        return "h", {"X-Only": "1"}

    @app.route("/response")
    def as_response():
        return Response("own", status=202, headers={"X-Own": "1"})

    @app.route("/none")
    def returns_none():
        return None

    @app.route("/globals/<name>")
    def globals_(name):
        g.name = name
        seen.append(
            (
                current_app.name,
                request.path,
                request.endpoint,
                request.view_args,
                g.name,
                url_for("globals_", name="x"),
                url_for("index", _external=True),
                request_ctx.request is request._get_current_object(),
            )
        )
        return name

    @app.route("/app-ctx-g")
    def app_ctx_g():
        return str(g.get("outer", "none"))

    @app.route("/session/write")
    def session_write():
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    @app.route("/session/read")
    def session_read():
        return str(session.get("n"))

    @app.route("/session/permanent")
    def session_permanent():
        session.permanent = True
        session["p"] = 1
        return "p"

    @app.route("/session/clear")
    def session_clear():
        session.clear()
        return "cleared"

    @app.route("/after-this")
    def after_this():
        @after_this_request
        def add_header(response):
            response.headers["X-After"] = request.path
            return response

        return "after"

    @app.route("/stream")
    def stream():
        def generate():
            yield "a"
            yield request.args.get("q", "")
            yield current_app.name

        return stream_with_context(generate())

    @app.route("/generator")
    def generator():
        return (part for part in ["x", "y"])

    @app.route("/copied")
    def copied():
        @copy_current_request_context
        def in_thread():
            seen.append(("thread", request.path, session.get("n")))

        worker = threading.Thread(target=in_thread)
        worker.start()
        worker.join()
        return "copied"

    @app.route("/async")
    async def async_view():
        await asyncio.sleep(0)
        seen.append(("async", request.path, asyncio.get_running_loop().is_closed()))
        return "async"

    @app.route("/abort")
    def aborts():
        abort(403)

    @app.route("/boom")
    def boom():
        raise ValueError("boom")

    @app.route("/key")
    def missing_key():
        return request.args["missing"]

    @app.route("/post", methods=["POST"])
    def post():
        upload = request.files.get("f")
        if upload is not None:
            seen.append(("upload", upload))
        return request.form.get("a", "") + (upload.read().decode() if upload else "")

    @app.route("/slash/")
    def slash():
        return "slash"

    @app.route("/unencodable")
    def unencodable():
        return "lone surrogate \ud800"  # UTF-8 cannot encode it: a 500 through the handlers

    return app


def add_error_handlers(app: Flask, seen: list) -> Flask:
    @app.errorhandler(403)
    def forbidden(e):
        seen.append(("403 handler", request.path))
        return "no entry", 403

    @app.errorhandler(ValueError)
    def value_error(e):
        seen.append(("ValueError handler", str(e)))
        return "handled", 418

    @app.errorhandler(404)
    def not_found(e):
        return jsonify(error="missing", path=request.path), 404

    return app


def add_500_handler(app: Flask, seen: list) -> Flask:
    @app.errorhandler(500)
    def server_error(e):
        seen.append(("500 handler", type(e.original_exception).__name__))
        return "sorry", 500

    return app


REQUESTS = [
    ("GET", "/", {}),
    ("HEAD", "/", {}),
    ("OPTIONS", "/", {}),
    ("GET", "/bytes", {}),
    ("GET", "/json/42", {"query_string": "name=ada"}),
    ("GET", "/dict", {}),
    ("GET", "/tuple", {}),
    ("GET", "/headers-only", {}),
    ("GET", "/response", {}),
    ("GET", "/globals/ada", {}),
    ("GET", "/session/read", {}),
    ("GET", "/session/write", {}),
    ("GET", "/session/write", {}),
    ("GET", "/session/read", {}),
    ("GET", "/session/permanent", {}),
    ("GET", "/session/read", {}),
    ("GET", "/session/clear", {}),
    ("GET", "/session/read", {}),
    ("GET", "/after-this", {}),
    ("GET", "/stream", {"query_string": "q=streamed"}),
    ("GET", "/generator", {}),
    ("GET", "/copied", {}),
    ("GET", "/async", {}),
    ("GET", "/abort", {}),
    ("GET", "/nowhere", {}),
    ("POST", "/", {}),
    ("GET", "/slash", {}),
    ("POST", "/post", {"data": {"a": "form"}}),
    ("POST", "/post", {"data": {"a": "file:", "f": (io.BytesIO(b"content"), "f.txt")}}),
    ("GET", "/boom", {}),
    ("GET", "/key", {}),
    ("GET", "/none", {}),
    ("GET", "/unencodable", {}),
]

class PlainTextResponse(Response):
    default_mimetype = "text/plain"


def with_response_class(app: Flask, response_class: type) -> Flask:
    app.response_class = response_class
    return app


SCENARIOS = {
    "plain": lambda seen: make_app(seen),
    "error handlers": lambda seen: add_error_handlers(make_app(seen), seen),
    "500 handler": lambda seen: add_500_handler(make_app(seen), seen),
    "testing": lambda seen: make_app(seen, TESTING=True),
    "propagate exceptions": lambda seen: make_app(seen, PROPAGATE_EXCEPTIONS=True),
    "debug": lambda seen: make_app(seen, DEBUG=True, PROPAGATE_EXCEPTIONS=False),
    "trap HTTP errors": lambda seen: make_app(seen, TRAP_HTTP_EXCEPTIONS=True),
    "no secret key": lambda seen: make_app(seen, SECRET_KEY=None),
    "text/plain responses": lambda seen: with_response_class(make_app(seen), PlainTextResponse),
}


def copy_request_args(kwargs: dict) -> dict:
    """A fresh copy (uploads are streams, read once)."""
    data = kwargs.get("data")
    if isinstance(data, dict):
        data = {
            key: (io.BytesIO(value[0].getvalue()), value[1]) if isinstance(value, tuple) else value
            for key, value in data.items()
        }
        kwargs = dict(kwargs, data=data)
    return kwargs


def describe(value):
    """What a view saw, made comparable across two apps."""
    if isinstance(value, tuple) and value and value[0] == "upload":
        return ("upload", value[1].filename, value[1].stream.closed)
    return value


def answers(make) -> list:
    seen: list = []
    app = make(seen)
    app.logger.disabled = True  # the 500s are logged; the log is not compared
    client = app.test_client()
    result = []
    for method, path, kwargs in REQUESTS:
        seen.clear()
        try:
            response = client.open(path, method=method, **copy_request_args(kwargs))
        except Exception as e:  # propagated (testing, debug): the error is the answer
            answer: tuple = ("raised", type(e).__name__, str(e))
        else:
            answer = (response.status, sorted(response.headers), response.get_data())
        # Both context variables are reset after every request, on both paths.
        contexts_left = (_cv_request.get(None), _cv_app.get(None))
        result.append((method, path, answer, [describe(x) for x in seen], contexts_left))
    return result


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_straight_path_answers_as_the_general_path(scenario, straight_taken, monkeypatch):
    straight = answers(SCENARIOS[scenario])
    assert straight_taken and all(straight_taken)
    switch_straight_path_off(monkeypatch)
    general = answers(SCENARIOS[scenario])
    assert straight == general


def test_uploads_are_closed_after_the_request(straight_taken):
    seen: list = []
    app = make_app(seen)
    data = {"a": "x", "f": (io.BytesIO(b"content"), "f.txt")}
    assert app.test_client().post("/post", data=data).data == b"xcontent"
    assert straight_taken == [True]
    assert seen[0][1].stream.closed


def test_the_async_views_event_loop_is_closed(straight_taken):
    seen: list = []
    app = make_app(seen)
    loops = []

    @app.route("/loop")
    async def loop():
        loops.append(asyncio.get_running_loop())
        return "loop"

    assert app.test_client().get("/loop").data == b"loop"
    assert straight_taken == [True]
    assert loops[0].is_closed()
    assert request_ctx_absent()


def request_ctx_absent() -> bool:
    return _cv_request.get(None) is None and _cv_app.get(None) is None


def test_environ_no_longer_points_at_the_request(straight_taken):
    app = make_app([])
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
    }
    started = []
    body = app(environ, lambda status, headers, exc_info=None: started.append(status))
    assert b"".join(body) == b"Hello, World!"
    assert started == ["200 OK"]
    assert straight_taken == [True]
    assert environ["werkzeug.request"] is None
    assert request_ctx_absent()


def test_a_pushed_app_context_is_joined(straight_taken):
    app = make_app([])
    with app.app_context():
        g.outer = "from outside"
        assert app.test_client().get("/app-ctx-g").data == b"from outside"
        assert _cv_app.get().app is app
    assert straight_taken == [True]
    assert request_ctx_absent()


def test_another_apps_context_is_not_joined(straight_taken):
    app = make_app([])
    other = Flask("other")
    with other.app_context():
        g.outer = "other app"
        assert app.test_client().get("/app-ctx-g").data == b"none"
        assert _cv_app.get().app is other
    assert straight_taken == [True]


def test_errors_propagate_when_testing(straight_taken):
    app = make_app([], TESTING=True)
    with pytest.raises(ValueError, match="boom"):
        app.test_client().get("/boom")
    assert straight_taken == [True]
    assert request_ctx_absent()


def test_got_request_exception_is_sent_on_the_straight_path(straight_taken):
    app = make_app([])
    app.logger.disabled = True
    heard = []

    def receiver(sender, exception, **extra):
        heard.append((sender, type(exception).__name__))

    with signals.got_request_exception.connected_to(receiver, app):
        assert app.test_client().get("/boom").status_code == 500
    assert straight_taken == [True]
    assert heard == [(app, "ValueError")]


def test_a_middleware_around_wsgi_app_still_leads_to_the_straight_path(straight_taken):
    app = make_app([])
    calls = []
    inner = app.wsgi_app

    def middleware(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware
    assert app.test_client().get("/").data == b"Hello, World!"
    assert calls == ["/"]
    assert straight_taken == [True]


# -- text sent without a response object -----------------------------------------


@pytest.fixture
def texts_sent_without_object(monkeypatch) -> list:
    """Records the texts that went out through ``_send_text_without_object``."""
    sent: list = []
    real = Response._send_text_without_object.__func__

    def recording(cls, body, environ, start_response):
        sent.append(body.decode("utf-8"))
        return real(cls, body, environ, start_response)

    monkeypatch.setattr(Response, "_send_text_without_object", classmethod(recording))
    return sent


def test_text_nothing_else_sees_goes_out_without_a_response_object(
    straight_taken, texts_sent_without_object
):
    app = make_app([])
    client = app.test_client()
    assert client.get("/").data == b"Hello, World!"
    assert client.get("/globals/ada").data == b"ada"
    assert client.get("/bytes").data == b"raw"  # bytes: made into a response
    assert client.get("/after-this").headers["X-After"] == "/after-this"
    assert client.get("/session/write").data == b"1"  # the cookie must be set
    assert client.get("/session/read").data == b"1"  # a read session adds Vary: Cookie
    assert client.get("/session/read").headers["Vary"] == "Cookie"
    assert straight_taken == [True] * 7
    assert texts_sent_without_object == ["Hello, World!", "ada"]


def test_overriding_a_response_step_sees_every_response(texts_sent_without_object):
    made = []

    class OwnMakeResponse(Flask):
        def make_response(self, rv):
            made.append(rv)
            return super().make_response(rv)

    class OwnProcessResponse(Flask):
        def process_response(self, response):
            response.headers["X-Processed"] = "yes"
            return super().process_response(response)

    assert not OwnMakeResponse._keeps_flask_response_steps
    assert not OwnProcessResponse._keeps_flask_response_steps
    for cls in (OwnMakeResponse, OwnProcessResponse):
        app = cls(__name__)
        app.add_url_rule("/", "index", lambda: "text")
        response = app.test_client().get("/")
        assert response.data == b"text"
    assert made == ["text"]
    assert response.headers["X-Processed"] == "yes"
    assert texts_sent_without_object == []


def test_a_response_class_that_builds_text_its_own_way_is_used(texts_sent_without_object):
    class Shouting(Response):
        def set_data(self, value):
            super().set_data(value.upper() if isinstance(value, str) else value)

    class Created(Response):
        default_status = 201

    app = make_app([])
    expected = [(Shouting, 200, b"HELLO, WORLD!"), (Created, 201, b"Hello, World!")]
    for response_class, status, body in expected:
        app.response_class = response_class
        response = app.test_client().get("/")
        assert (response.status_code, response.data) == (status, body)
    assert texts_sent_without_object == []


# -- when the straight path is not taken -----------------------------------------


def register_before_request(app, log):
    app.before_request(lambda: log.append("before"))


def register_after_request(app, log):
    @app.after_request
    def after(response):
        log.append("after")
        return response


def register_teardown_request(app, log):
    app.teardown_request(lambda exc: log.append("teardown request"))


def register_teardown_appcontext(app, log):
    app.teardown_appcontext(lambda exc: log.append("teardown appcontext"))


def register_url_value_preprocessor(app, log):
    app.url_value_preprocessor(lambda endpoint, values: log.append("preprocess"))


HOOKS = {
    "before_request": (register_before_request, ["before"]),
    "after_request": (register_after_request, ["after"]),
    "teardown_request": (register_teardown_request, ["teardown request"]),
    "teardown_appcontext": (register_teardown_appcontext, ["teardown appcontext"]),
    "url_value_preprocessor": (register_url_value_preprocessor, ["preprocess"]),
}


@pytest.mark.parametrize("hook", list(HOOKS))
def test_a_registered_hook_takes_the_general_path(hook, straight_taken):
    register, expected = HOOKS[hook]
    log: list = []
    app = make_app([])
    register(app, log)
    assert app.test_client().get("/").data == b"Hello, World!"
    assert straight_taken == [False]
    assert log == expected


@pytest.mark.parametrize("hook", [name for name in HOOKS if name != "teardown_appcontext"])
def test_a_hook_on_a_blueprint_takes_the_general_path(hook, straight_taken):
    from microflask import Blueprint

    register, expected = HOOKS[hook]
    log: list = []
    app = make_app([])
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/bp", "bp_view", lambda: "bp")
    register(bp, log)
    app.register_blueprint(bp)
    assert app.test_client().get("/bp").data == b"bp"
    assert straight_taken == [False]
    assert log == expected


def test_a_hook_added_to_the_records_after_the_first_request_is_run(straight_taken):
    # Extensions sometimes append to the records directly; that counts too.
    log: list = []
    app = make_app([])
    client = app.test_client()
    client.get("/")
    app.before_request_funcs.setdefault(None, []).append(lambda: log.append("before"))
    client.get("/")
    assert straight_taken == [True, False]
    assert log == ["before"]


REQUEST_SIGNALS = [
    "request_started",
    "request_finished",
    "request_tearing_down",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "appcontext_popped",
]


@pytest.mark.parametrize("name", REQUEST_SIGNALS)
def test_a_receiver_connected_after_the_first_request_hears_the_next(name, straight_taken):
    app = make_app([])
    client = app.test_client()
    client.get("/")
    heard = []

    def receiver(sender, **extra):
        heard.append(sender)

    with getattr(signals, name).connected_to(receiver, app):
        client.get("/")
    client.get("/")
    assert straight_taken == [True, False, True]
    assert heard == [app]


@pytest.mark.parametrize("step", _STEPS_THE_STRAIGHT_PATH_SKIPS)
def test_a_subclass_overriding_a_skipped_step_takes_the_general_path(step, straight_taken):
    calls = []
    original = getattr(Flask, step)

    def override(self, *args, **kwargs):
        calls.append(step)
        return original(self, *args, **kwargs)

    def fails():
        raise ValueError("reaches every step, should_ignore_error included")

    subclass = type("StepFlask", (Flask,), {step: override})
    assert subclass._keeps_flask_request_path is False
    app = subclass(__name__)
    app.logger.disabled = True
    app.add_url_rule("/", "index", fails)
    assert app.test_client().get("/").status_code == 500
    assert straight_taken == [False]
    assert step in calls


def test_a_mixin_overriding_a_step_is_noticed():
    class Mixin:
        def full_dispatch_request(self):
            return super().full_dispatch_request()

    class MixedFlask(Mixin, Flask):
        pass

    class PlainSubclass(Flask):
        def make_response(self, rv):  # called by both paths, so no reason to leave
            return super().make_response(rv)

    assert MixedFlask._keeps_flask_request_path is False
    assert PlainSubclass._keeps_flask_request_path is True
    assert Flask._keeps_flask_request_path is True


def test_preserved_contexts_take_the_general_path(straight_taken):
    app = make_app([])
    client = app.test_client()
    with client:
        client.get("/globals/kept")
        assert request.path == "/globals/kept"
        assert g.name == "kept"
    assert straight_taken == [False]
    assert request_ctx_absent()


def test_a_replaced_session_interface_is_used(straight_taken):
    class CountingInterface(SecureCookieSessionInterface):
        saves = 0

        def save_session(self, app, session, response):
            CountingInterface.saves += 1
            super().save_session(app, session, response)

    app = make_app([])
    app.session_interface = CountingInterface()
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/session/write").data == b"1"
    assert client.get("/session/read").data == b"1"
    assert straight_taken == [True, True, True]
    # A replaced interface is opened and saved on every request, as in Flask.
    assert CountingInterface.saves == 3


def test_a_response_class_of_another_family_is_used(texts_sent_without_object):
    class Minimal:
        """A WSGI response class that shares nothing with the toolkit's."""

        default_status = 200
        automatically_set_content_length = True

        def __init__(self, body):
            self.body = body.encode("utf-8")

        def __call__(self, environ, start_response):
            start_response("200 OK", [("X-Minimal", "1")])
            return [self.body]

    app = make_app([])
    app.response_class = Minimal
    response = app.test_client().get("/")
    assert (response.headers["X-Minimal"], response.data) == ("1", b"Hello, World!")
    assert texts_sent_without_object == []
