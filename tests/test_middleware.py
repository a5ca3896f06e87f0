"""microflask.middleware: ProxyFix, DispatcherMiddleware, SharedDataMiddleware, LintMiddleware."""

import os
import sys
import time
import warnings
import zipfile

import pytest

from microflask.http import http_date
from microflask.middleware import DispatcherMiddleware, ProxyFix
from microflask.middleware.dispatcher import DispatcherMiddleware as DispatcherFromModule
from microflask.middleware.proxy_fix import ProxyFix as ProxyFixFromModule
from microflask.testing import create_environ

ENVIRON_KEYS = ("REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT",
                "SCRIPT_NAME", "PATH_INFO")


def echo_environ_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [repr({key: environ.get(key) for key in ENVIRON_KEYS}).encode()]


def call(app, environ):
    """Run a WSGI app; return (status, headers dict, body bytes)."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        seen["headers"] = dict(headers)

    body_iter = app(environ, start_response)
    try:
        body = b"".join(body_iter)
    finally:
        if hasattr(body_iter, "close"):
            body_iter.close()
    return seen["status"], seen["headers"], body


def proxied(headers, **options):
    environ = create_environ("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    _, _, body = call(ProxyFix(echo_environ_app, **options), environ)
    return eval(body.decode()), environ  # noqa: S307 - our own repr


def test_public_paths_match_werkzeug():
    from microflask.middleware.lint import LintMiddleware as LintFromModule
    from microflask.middleware import LintMiddleware
    from microflask.middleware import SharedDataMiddleware
    from microflask.middleware.shared_data import SharedDataMiddleware as SharedFromModule

    assert ProxyFix is ProxyFixFromModule
    assert DispatcherMiddleware is DispatcherFromModule
    assert SharedDataMiddleware is SharedFromModule
    assert LintMiddleware is LintFromModule


# -- ProxyFix ---------------------------------------------------------------------------------


def test_proxy_fix_trusts_only_the_last_hop_by_default():
    seen, environ = proxied({"X-Forwarded-For": "6.6.6.6, 1.1.1.1, 2.2.2.2",
                             "X-Forwarded-Proto": "https"})
    assert seen["REMOTE_ADDR"] == "2.2.2.2"
    assert seen["wsgi.url_scheme"] == "https"
    assert environ["werkzeug.proxy_fix.orig"]["REMOTE_ADDR"] == "10.0.0.1"
    assert environ["werkzeug.proxy_fix.orig"]["wsgi.url_scheme"] == "http"


def test_proxy_fix_counts_hops_from_the_right():
    seen, _ = proxied({"X-Forwarded-For": "6.6.6.6, 1.1.1.1, 2.2.2.2"}, x_for=2)
    assert seen["REMOTE_ADDR"] == "1.1.1.1"


def test_proxy_fix_ignores_a_header_with_fewer_values_than_hops():
    seen, _ = proxied({"X-Forwarded-For": "2.2.2.2"}, x_for=2)
    assert seen["REMOTE_ADDR"] == "10.0.0.1"


def test_proxy_fix_ignores_empty_items():
    seen, _ = proxied({"X-Forwarded-For": "1.1.1.1, "})
    assert seen["REMOTE_ADDR"] == "1.1.1.1"


def test_proxy_fix_host_port_prefix():
    seen, environ = proxied(
        {"X-Forwarded-Host": "example.com:8443", "X-Forwarded-Port": "9000",
         "X-Forwarded-Prefix": "/p/"},
        x_host=1, x_port=1, x_prefix=1,
    )
    assert seen["HTTP_HOST"] == "example.com:9000"
    assert seen["SERVER_NAME"] == "example.com"
    assert seen["SERVER_PORT"] == "9000"
    assert seen["SCRIPT_NAME"] == "/p/"
    assert environ["werkzeug.proxy_fix.orig"]["HTTP_HOST"] == "localhost"


def test_proxy_fix_ipv6_host_has_no_port():
    seen, _ = proxied({"X-Forwarded-Host": "[::1]"}, x_host=1)
    assert seen["HTTP_HOST"] == "[::1]"
    assert seen["SERVER_NAME"] == "[::1]"


def test_proxy_fix_port_replaces_the_port_of_an_ipv6_host():
    seen, _ = proxied({"X-Forwarded-Port": "81", "Host": "[::1]:5000"}, x_port=1)
    assert seen["HTTP_HOST"] == "[::1]:81"
    assert seen["SERVER_PORT"] == "81"


def test_proxy_fix_disabled_headers_are_ignored():
    seen, _ = proxied({"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "1.2.3.4"}, x_for=0)
    assert seen["HTTP_HOST"] == "localhost"
    assert seen["REMOTE_ADDR"] == "10.0.0.1"


def test_proxy_fix_with_a_microflask_app_builds_external_urls():
    from microflask import Flask, request, url_for

    app = Flask(__name__)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    @app.route("/")
    def index():
        return "%s %s" % (request.remote_addr, url_for("index", _external=True))

    response = app.test_client().get("/", headers={
        "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "shop.example"})
    assert response.get_data(as_text=True) == "203.0.113.9 https://shop.example/"


# -- DispatcherMiddleware -----------------------------------------------------------------------


def named_app(name):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [("%s|%s|%s" % (name, environ["SCRIPT_NAME"], environ["PATH_INFO"])).encode()]

    return app


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "default||/"),
        ("/other", "default||/other"),
        ("/api", "api|/api|"),
        ("/api/", "api|/api|/"),
        ("/api/users/1", "api|/api|/users/1"),
        ("/api/v2/users", "v2|/api/v2|/users"),
        ("/apix", "default||/apix"),
    ],
)
def test_dispatcher_longest_prefix_wins(path, expected):
    app = DispatcherMiddleware(named_app("default"), {
        "/api": named_app("api"), "/api/v2": named_app("v2")})
    _, _, body = call(app, create_environ(path))
    assert body.decode() == expected


def test_dispatcher_extends_an_existing_script_name():
    app = DispatcherMiddleware(named_app("default"), {"/api": named_app("api")})
    environ = create_environ("/api/x")
    environ["SCRIPT_NAME"] = "/root"
    _, _, body = call(app, environ)
    assert body.decode() == "api|/root/api|/x"


def test_dispatcher_mounts_microflask_apps():
    from microflask import Flask, url_for

    front = Flask("front")
    api = Flask("api")

    @api.route("/ping")
    def ping():
        return url_for("ping")

    front.wsgi_app = DispatcherMiddleware(front.wsgi_app, {"/api": api})
    assert front.test_client().get("/api/ping").get_data(as_text=True) == "/api/ping"


# -- SharedDataMiddleware -----------------------------------------------------------------------


def not_found_app(environ, start_response):
    start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
    return [b"app"]


@pytest.fixture()
def static_dir(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text("body { color: red }")
    (tmp_path / "static" / "sub").mkdir()
    (tmp_path / "static" / "sub" / "data.bin").write_bytes(b"\x00\x01")
    (tmp_path / "static" / "secret.env").write_text("KEY=1")
    (tmp_path / "robots.txt").write_text("User-agent: *")
    (tmp_path / "outside.txt").write_text("private")
    return tmp_path


def test_shared_data_serves_a_directory(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(not_found_app, {"/static": str(static_dir / "static")})
    status, headers, body = call(app, create_environ("/static/style.css"))
    assert status == "200 OK"
    assert body == b"body { color: red }"
    assert headers["Content-Type"] == "text/css; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    assert headers["Cache-Control"] == "max-age=43200, public"
    assert "Etag" in headers and "Last-Modified" in headers and "Expires" in headers
    status, headers, body = call(app, create_environ("/static/sub/data.bin"))
    assert body == b"\x00\x01"
    assert headers["Content-Type"] == "application/octet-stream"


def test_shared_data_passes_other_paths_to_the_app(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(not_found_app, {"/static": str(static_dir / "static")})
    for path in ("/", "/static/missing.css", "/static/sub", "/staticky/style.css"):
        status, _, body = call(app, create_environ(path))
        assert (status, body) == ("404 NOT FOUND", b"app"), path


def test_shared_data_cannot_leave_the_directory(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(not_found_app, {"/static": str(static_dir / "static")})
    for path in (
        "/static/../outside.txt",
        "/static/%2e%2e/outside.txt",
        "/static/sub/../../outside.txt",
    ):
        environ = create_environ("/")
        environ["PATH_INFO"] = path.replace("%2e", ".")
        status, _, body = call(app, environ)
        assert body == b"app", path


def test_shared_data_single_file_and_disallow(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(
        not_found_app,
        {"/robots.txt": str(static_dir / "robots.txt"), "/static": str(static_dir / "static")},
        disallow="*.env",
    )
    status, headers, body = call(app, create_environ("/robots.txt"))
    assert body == b"User-agent: *"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert call(app, create_environ("/static/secret.env"))[2] == b"app"


def test_shared_data_conditional_requests(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(not_found_app, {"/static": str(static_dir / "static")})
    _, headers, _ = call(app, create_environ("/static/style.css"))
    etag = headers["Etag"]
    status, headers304, body = call(
        app, create_environ("/static/style.css", headers={"If-None-Match": etag}))
    assert status == "304 Not Modified" and body == b""
    assert headers304["Etag"] == etag
    later = http_date(time.time() + 3600)
    status, _, _ = call(
        app, create_environ("/static/style.css", headers={"If-Modified-Since": later})
    )
    assert status == "304 Not Modified"
    status, _, _ = call(
        app, create_environ("/static/style.css", headers={"If-None-Match": '"other"'})
    )
    assert status == "200 OK"


def test_shared_data_without_cache(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(not_found_app, {"/static": str(static_dir / "static")}, cache=False)
    _, headers, _ = call(app, create_environ("/static/style.css"))
    assert headers["Cache-Control"] == "public"
    assert "Etag" not in headers


def test_shared_data_package_export(tmp_path, monkeypatch):
    from microflask.middleware import SharedDataMiddleware

    package = tmp_path / "mf_shared_pkg"
    (package / "assets").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "assets" / "app.js").write_text("alert(1)")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = SharedDataMiddleware(not_found_app, {"/assets": ("mf_shared_pkg", "assets")})
    status, headers, body = call(app, create_environ("/assets/app.js"))
    assert body == b"alert(1)"
    assert "javascript" in headers["Content-Type"]
    assert call(app, create_environ("/assets/../__init__.py"))[2] == b"app"


def test_shared_data_package_export_from_a_zip(tmp_path, monkeypatch):
    from microflask.middleware import SharedDataMiddleware

    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("mf_zipped_pkg/__init__.py", "")
        zf.writestr("mf_zipped_pkg/assets/hello.txt", "from the zip")
    monkeypatch.syspath_prepend(str(archive))
    try:
        app = SharedDataMiddleware(not_found_app, {"/assets": ("mf_zipped_pkg", "assets")})
        status, headers, body = call(app, create_environ("/assets/hello.txt"))
        assert (status, body) == ("200 OK", b"from the zip")
        assert call(app, create_environ("/assets/missing.txt"))[2] == b"app"
    finally:
        sys.modules.pop("mf_zipped_pkg", None)


def test_shared_data_rejects_an_unknown_export_kind():
    from microflask.middleware import SharedDataMiddleware

    with pytest.raises(TypeError):
        SharedDataMiddleware(not_found_app, {"/x": 42})


# -- LintMiddleware -----------------------------------------------------------------------------


def test_lint_accepts_a_microflask_app_served_by_wsgiref():
    from microflask.middleware import LintMiddleware

    from wsgiref.util import setup_testing_defaults

    from microflask import Flask, jsonify

    app = Flask(__name__)

    @app.route("/json")
    def data():
        return jsonify(ok=True)

    @app.route("/stream")
    def stream():
        return app.response_class(iter([b"a", b"b"]), mimetype="text/plain")

    linted = LintMiddleware(app)
    for path in ("/json", "/stream", "/missing"):
        environ = {}
        setup_testing_defaults(environ)
        environ["PATH_INFO"] = path
        environ["QUERY_STRING"] = ""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            status, headers, body = call(linted, environ)
        assert status[:3] in ("200", "404")
    assert body  # the 404 page


def test_lint_catches_a_broken_app():
    from microflask.middleware import LintMiddleware
    from microflask.middleware.lint import WSGIWarning

    def broken(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ["not bytes"]

    from wsgiref.util import setup_testing_defaults

    environ = {"QUERY_STRING": ""}
    setup_testing_defaults(environ)
    with pytest.warns(WSGIWarning, match="non-bytes chunk"), pytest.raises(TypeError):
        call(LintMiddleware(broken), environ)


def _lint_warnings_for(app, **environ_changes):
    from microflask.middleware import LintMiddleware

    environ = create_environ("/x")
    environ.update(environ_changes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(LintMiddleware(app), environ)
    return [(w.category, str(w.message)) for w in caught]


def _app_sending(status, headers):
    def app(environ, start_response):
        start_response(status, headers)
        return [b"body"]

    return app


def test_lint_warns_about_a_bad_environ_and_still_serves():
    from microflask.middleware.lint import WSGIWarning

    plain = _app_sending("200 OK", [("Content-Type", "text/plain")])
    assert _lint_warnings_for(plain) == []
    found = _lint_warnings_for(plain, **{"wsgi.version": (0, 9), "PATH_INFO": "x"})
    assert (WSGIWarning, "Environ is not a WSGI 1.0 environ.") in found
    assert (WSGIWarning, "'PATH_INFO' does not start with a slash: 'x'") in found


def test_lint_warns_about_status_and_headers():
    from microflask.middleware.lint import HTTPWarning
    from microflask.middleware.lint import WSGIWarning

    found = _lint_warnings_for(_app_sending("20 OK", []))
    assert [category for category, _ in found] == [WSGIWarning] * 3
    found = _lint_warnings_for(_app_sending("200 OK", (("A", "b"),)))
    assert (WSGIWarning, "Header list is not a list.") in found
    found = _lint_warnings_for(_app_sending("200 OK", [("Location", "/relative")]))
    assert found == [(HTTPWarning, "Absolute URLs required for location header.")]
    found = _lint_warnings_for(_app_sending("200 OK", [("ETag", "abc")]))
    assert found == [(HTTPWarning, "Unquoted etag emitted.")]


def test_shared_data_file_is_closed(static_dir):
    from microflask.middleware import SharedDataMiddleware

    app = SharedDataMiddleware(not_found_app, {"/static": str(static_dir / "static")})
    call(app, create_environ("/static/style.css"))
    os.remove(static_dir / "static" / "style.css")  # would fail on Windows if left open


# -- ProfilerMiddleware -------------------------------------------------------------------------


def test_profiler_reports_each_request_and_keeps_the_body():
    import io

    from microflask.middleware.profiler import ProfilerMiddleware

    report = io.StringIO()
    app = ProfilerMiddleware(echo_environ_app, stream=report, restrictions=(5,))
    status, headers, body = call(app, create_environ("/a/b"))
    assert status == "200 OK"
    assert b"'PATH_INFO': '/a/b'" in body
    text = report.getvalue()
    assert text.startswith("-" * 80 + "\nPATH: '/a/b'\n")
    assert "function calls" in text


def test_profiler_saves_a_named_profile_per_request(tmp_path):
    import pstats

    from microflask.middleware.profiler import ProfilerMiddleware

    seen = []

    def name_for(environ):
        seen.append(dict(environ["werkzeug.profiler"]))
        return "custom.prof"

    call(ProfilerMiddleware(echo_environ_app, stream=None, profile_dir=str(tmp_path)),
         create_environ("/a/b", method="POST"))
    (saved,) = os.listdir(tmp_path)
    assert saved.startswith("POST.a.b.") and saved.endswith(".prof")
    pstats.Stats(str(tmp_path / saved))  # a loadable profile
    call(ProfilerMiddleware(echo_environ_app, stream=None, profile_dir=str(tmp_path),
                            filename_format=name_for), create_environ("/"))
    assert (tmp_path / "custom.prof").exists()
    assert set(seen[0]) == {"elapsed", "time"}


# -- ProxyMiddleware ----------------------------------------------------------------------------


@pytest.fixture
def backend_url():
    import json
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    def backend(environ, start_response):
        seen = {k: v for k, v in environ.items() if k.isupper() and isinstance(v, str)}
        start_response("200 OK", [("Content-Type", "application/json"), ("X-Backend", "yes")])
        return [json.dumps(seen).encode()]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, backend, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_port
    server.shutdown()
    server.server_close()


def test_proxy_forwards_prefixed_paths_and_passes_others_on(backend_url):
    import json

    from microflask.middleware.http_proxy import ProxyMiddleware

    app = ProxyMiddleware(not_found_app, {
        "/api": {"target": backend_url, "headers": {"X-Special": "api"}},
        "/cut/": {"target": backend_url + "/base", "remove_prefix": True, "host": None},
    })
    status, headers, body = call(app, create_environ("/api/items?a=1&b=2"))
    seen = json.loads(body)
    assert status == "200 OK" and headers["X-Backend"] == "yes"
    assert seen["PATH_INFO"] == "/api/items" and seen["QUERY_STRING"] == "a=1&b=2"
    assert seen["HTTP_X_SPECIAL"] == "api" and seen["HTTP_HOST"] == "127.0.0.1"
    status, headers, body = call(app, create_environ("/cut/x/y", "http://front.example/"))
    seen = json.loads(body)
    assert seen["PATH_INFO"] == "/base/x/y" and seen["HTTP_HOST"] == "front.example"
    assert call(app, create_environ("/other"))[0].startswith("404")


def test_proxy_answers_502_when_the_target_is_down():
    from microflask.middleware.http_proxy import ProxyMiddleware

    app = ProxyMiddleware(not_found_app, {"/api": {"target": "http://127.0.0.1:9"}}, timeout=2)
    assert call(app, create_environ("/api/x"))[0].startswith("502")
