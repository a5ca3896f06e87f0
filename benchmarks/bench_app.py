"""Whole-app requests: microflask vs Flask, Bottle and Falcon, side by side.

Each framework's app is written the way its users write it; every request
calls the WSGI callable directly with a prepared environ and consumes the
body, so only framework time is measured.  Rounds are interleaved and the
best of several rounds is kept, which makes the ratios stable on a noisy
machine.  Run: ``python benchmarks/bench_app.py``.
"""

from __future__ import annotations

import io
import json
import os
import sys
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
NUMBER = int(os.environ.get("BENCH_NUMBER", "2000"))


def make_environ(path: str, query: str = "") -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "HTTP_ACCEPT": "*/*",
        "HTTP_USER_AGENT": "bench/1.0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def microflask_app():
    from microflask import Flask, jsonify, request

    app = Flask("bench")

    @app.route("/")
    def hello():
        return "Hello, World!"

    @app.route("/user/<int:uid>")
    def user(uid):
        return jsonify(id=uid, name=request.args.get("name", ""))

    return app


def flask_app():
    from flask import Flask, jsonify, request

    app = Flask("bench")

    @app.route("/")
    def hello():
        return "Hello, World!"

    @app.route("/user/<int:uid>")
    def user(uid):
        return jsonify(id=uid, name=request.args.get("name", ""))

    return app


def bottle_app():
    import bottle

    app = bottle.Bottle()

    @app.route("/")
    def hello():
        return "Hello, World!"

    @app.route("/user/<uid:int>")
    def user(uid):
        bottle.response.content_type = "application/json"
        return json.dumps({"id": uid, "name": bottle.request.query.get("name", "")})

    return app


def falcon_app():
    import falcon

    class Hello:
        def on_get(self, req, resp):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    class User:
        def on_get(self, req, resp, uid):
            resp.media = {"id": uid, "name": req.get_param("name", default="")}

    app = falcon.App()
    app.add_route("/", Hello())
    app.add_route("/user/{uid:int}", User())
    return app


PAGE_TEMPLATE = """<!doctype html>
<title>{{ title }}</title>
<h1>Hello {{ user }}</h1>
<p>You have been here {{ visits }} times.</p>
<ul>{% for item in items %}<li class="{{ loop.cycle('odd', 'even') }}">{{ item }}</li>{% endfor %}</ul>
"""  # noqa: E501
SESSION_SECRET = "bench secret"


def session_app(flask_module, loader_module):
    """A blueprint route that reads and changes the session and renders a template."""
    Flask, Blueprint = flask_module.Flask, flask_module.Blueprint
    session, render_template = flask_module.session, flask_module.render_template
    app = Flask("bench_session")
    app.secret_key = SESSION_SECRET
    app.jinja_loader = loader_module.DictLoader({"page.html": PAGE_TEMPLATE})
    bp = Blueprint("site", "bench_session", url_prefix="/site")

    @bp.route("/visit")
    def visit():
        session["visits"] = session.get("visits", 0) + 1
        return render_template(
            "page.html",
            title="Visit",
            user=session.get("user", "guest"),
            visits=session["visits"],
            items=["<a>", "b & c", "d"],
        )

    app.register_blueprint(bp)
    return app


def session_cookie_for(app) -> str:
    """A session cookie the app itself made, to send with every benchmark request."""
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["user"] = "ada"
        sess["visits"] = 5
        sess["cart"] = [1, 2, 3]
    cookie = client.get_cookie("session")
    return "session=" + cookie.value


def microflask_session_app():
    import microflask
    from microflask import templating

    return session_app(microflask, templating)


def flask_session_app():
    import flask
    import jinja2

    return session_app(flask, jinja2)


FRAMEWORKS = {
    "microflask": microflask_app,
    "flask": flask_app,
    "bottle": bottle_app,
    "falcon": falcon_app,
}
CASES = {
    "hello": ("/", ""),
    "user json": ("/user/42", "name=ada"),
}
# Frameworks for the blueprint + session + template case (Flask's API only).
SESSION_FRAMEWORKS = {
    "microflask": microflask_session_app,
    "flask": flask_session_app,
}


def request_runner(app, path: str, query: str, cookie: str | None = None):
    base = make_environ(path, query)
    if cookie:
        base["HTTP_COOKIE"] = cookie
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def one_request():
        environ = base.copy()
        environ["wsgi.input"] = io.BytesIO(b"")
        body = app(environ, start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()

    one_request()
    assert statuses[-1].startswith("200"), (app, statuses[-1])
    return one_request


def available_frameworks() -> dict:
    apps = {}
    for name, factory in FRAMEWORKS.items():
        try:
            apps[name] = factory()
        except ImportError as e:
            print("skipping %s: %s" % (name, e))
    return apps


def interleaved_rates(runners: dict) -> dict:
    """Requests per second for each runner, best of ROUNDS interleaved rounds."""
    best = {name: float("inf") for name in runners}
    for _round in range(ROUNDS):
        for name, runner in runners.items():
            elapsed = timeit.timeit(runner, number=NUMBER)
            best[name] = min(best[name], elapsed)
    return {name: NUMBER / seconds for name, seconds in best.items()}


def run() -> list[dict]:
    apps = available_frameworks()
    results = []
    for case, (path, query) in CASES.items():
        runners = {name: request_runner(app, path, query) for name, app in apps.items()}
        results.append({"case": case, "rates": interleaved_rates(runners)})
    runners = {}
    for name, factory in SESSION_FRAMEWORKS.items():
        try:
            app = factory()
        except ImportError as e:
            print("skipping %s: %s" % (name, e))
            continue
        runners[name] = request_runner(app, "/site/visit", "", session_cookie_for(app))
    results.append({"case": "blueprint+session+template", "rates": interleaved_rates(runners)})
    return results


def print_table(results: list[dict]) -> None:
    print("| case | framework | requests/s | microflask is |")
    print("| --- | --- | ---: | ---: |")
    for result in results:
        rates = result["rates"]
        mine = rates.get("microflask")
        for name, rate in rates.items():
            ratio = "-" if name == "microflask" else "%.2fx" % (mine / rate)
            print("| %s | %s | %.0f | %s |" % (result["case"], name, rate, ratio))


if __name__ == "__main__":
    print_table(run())
