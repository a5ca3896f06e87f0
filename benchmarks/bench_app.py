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


def request_runner(app, path: str, query: str):
    base = make_environ(path, query)
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


def run() -> list[dict]:
    apps = available_frameworks()
    results = []
    for case, (path, query) in CASES.items():
        runners = {name: request_runner(app, path, query) for name, app in apps.items()}
        best = {name: float("inf") for name in runners}
        for _round in range(ROUNDS):
            for name, runner in runners.items():
                elapsed = timeit.timeit(runner, number=NUMBER)
                best[name] = min(best[name], elapsed)
        rates = {name: NUMBER / seconds for name, seconds in best.items()}
        results.append({"case": case, "rates": rates})
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
