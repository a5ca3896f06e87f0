"""microflask.debug: the traceback page (HTML for browsers, text otherwise); never runs code."""

import pytest

from microflask import Flask, render_template_string
from microflask.debug import (
    DebuggedApplication,
    DebugTraceback,
    render_traceback_html,
    render_traceback_text,
)


def call(app, path="/", accept="text/html,application/xhtml+xml,*/*;q=0.8", **extra):
    from microflask.testing import create_environ

    environ = create_environ(path, headers={"Accept": accept} if accept else {}, **extra)
    errors = []

    class Errors:
        def write(self, text):
            errors.append(text)

        def flush(self):
            pass

    environ["wsgi.errors"] = Errors()
    seen = {}

    def start_response(status, headers, exc_info=None):
        if exc_info and seen.get("sent"):
            raise exc_info[1].with_traceback(exc_info[2])
        seen["status"] = status
        seen["headers"] = dict(headers)
        return lambda data: None

    chunks = []
    iterator = app(environ, start_response)
    try:
        for chunk in iterator:
            seen["sent"] = True
            chunks.append(chunk)
    finally:
        if hasattr(iterator, "close"):
            iterator.close()
    return seen.get("status"), seen.get("headers"), b"".join(chunks), "".join(errors)


def failing_app(environ, start_response):
    secret_value = "<script>alert('x')</script>"  # noqa: F841 - shown as a local, escaped
    numbers = list(range(1000))  # noqa: F841 - a long repr is truncated
    raise ZeroDivisionError("division by zero in the view")


def test_html_page_for_browsers():
    status, headers, body, errors = call(DebuggedApplication(failing_app))
    page = body.decode()
    assert status.startswith("500")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "ZeroDivisionError" in page
    assert "division by zero in the view" in page
    assert "failing_app" in page and "test_debug.py" in page
    # source lines around the failing line
    assert "raise ZeroDivisionError" in page
    # locals are escaped and truncated
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "..." in page
    # the plain-text copy for pasting
    assert "<textarea" in page and "Traceback (most recent call last)" in page
    # also logged for the server console
    assert "ZeroDivisionError" in errors


@pytest.mark.parametrize("accept", ["*/*", "application/json", None, "text/plain, text/html;q=0.5"])
def test_plain_text_for_other_clients(accept):
    status, headers, body, _ = call(DebuggedApplication(failing_app), accept=accept)
    assert status.startswith("500")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    text = body.decode()
    assert text.startswith("Traceback (most recent call last):")
    assert text.rstrip().endswith("ZeroDivisionError: division by zero in the view")


def test_no_console_and_no_code_evaluation():
    app = DebuggedApplication(failing_app, evalex=True)
    assert app.evalex is False

    def ok_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"app: " + environ["QUERY_STRING"].encode()]

    wrapped = DebuggedApplication(ok_app, evalex=True)
    for query in ("__debugger__=yes&cmd=1%2B1&frm=0&s=x", "__debugger__=yes&cmd=printpin&s=x"):
        status, _, body, _ = call(wrapped, "/console", query_string=query)
        assert status == "200 OK"
        assert body.startswith(b"app: ")  # passed through, nothing evaluated
    status, _, body, _ = call(DebuggedApplication(failing_app, evalex=True), "/",
                              query_string="__debugger__=yes&cmd=1%2B1&frm=0")
    assert b"<textarea" in body and b"console" not in body.lower().split(b"<body>")[0]


def test_successful_responses_pass_through_untouched():
    def ok_app(environ, start_response):
        start_response("201 CREATED", [("X-Test", "1")])
        return iter([b"a", b"b"])

    status, headers, body, _ = call(DebuggedApplication(ok_app))
    assert (status, headers["X-Test"], body) == ("201 CREATED", "1", b"ab")


def test_error_after_streaming_started_is_logged_not_sent():
    def streaming_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"first"
        raise RuntimeError("mid-stream")

    with pytest.raises(RuntimeError):
        call(DebuggedApplication(streaming_app))


def test_flask_app_in_debug_mode_shows_the_page():
    app = Flask(__name__)
    app.debug = True

    @app.route("/")
    def index():
        return {"x": 1}["missing"]

    status, _, body, _ = call(DebuggedApplication(app))
    assert status.startswith("500")
    assert b"KeyError" in body and b"index" in body


def test_template_frames_point_at_the_template(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        "<h1>{{ title }}</h1>\n{% for item in items %}\n{{ item.explode() }}\n{% endfor %}\n")
    app = Flask(__name__, template_folder=str(tmp_path / "templates"))
    app.debug = True

    class Bomb:
        def explode(self):
            raise ValueError("bomb went off")

    @app.route("/")
    def index():
        from microflask import render_template

        return render_template("page.html", title="T", items=[Bomb()])

    _, _, body, _ = call(DebuggedApplication(app))
    page = body.decode()
    template_path = str(tmp_path / "templates" / "page.html")
    assert template_path in page
    assert "(template)" in page
    assert "{{ item.explode() }}" in page  # the template's own source line
    text = render_traceback_text_for(app)
    assert 'page.html", line 3' in text


def render_traceback_text_for(app):
    with app.test_request_context():
        try:
            from microflask import render_template

            class Bomb:
                def explode(self):
                    raise ValueError("x")

            render_template("page.html", title="T", items=[Bomb()])
        except ValueError as e:
            return render_traceback_text(e)
    raise AssertionError("no error")


def test_helpers_render_any_exception():
    try:
        render_template_string  # keep the import used
        {}["nope"]
    except KeyError as e:
        html = render_traceback_html(e)
        text = render_traceback_text(e)
        tb = DebugTraceback(e)
    assert "KeyError" in html and html.startswith("<!doctype html>")
    assert text.startswith("Traceback") and "KeyError: 'nope'" in text
    assert tb.frames[-1].function == "test_helpers_render_any_exception"


def test_broken_repr_does_not_break_the_page():
    class BadRepr:
        def __repr__(self):
            raise RuntimeError("no repr")

    def app(environ, start_response):
        thing = BadRepr()  # noqa: F841
        raise LookupError("x")

    _, _, body, _ = call(DebuggedApplication(app))
    assert b"repr failed" in body


def test_template_syntax_error_points_at_the_template_line(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.html").write_text("<p>one</p>\n<p>{% if %}</p>\n<p>three</p>\n")
    app = Flask(__name__, template_folder=str(tmp_path / "templates"))
    app.debug = True

    @app.route("/")
    def index():
        from microflask import render_template

        return render_template("broken.html")

    _, _, body, _ = call(DebuggedApplication(app))
    page = body.decode()
    assert "TemplateSyntaxError" in page
    assert 'class="line">2</em>' in page
    assert "{% if %}" in page and "(template)" in page
