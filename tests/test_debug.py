"""microflask.debug: the traceback page (HTML for browsers, text otherwise); never runs code."""

import html
import json
import os
import re

import pytest

from microflask import Flask, render_template, render_template_string
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
    # the app's method the template called raised: it comes first, the template frame is open too
    assert page.index('class="frame user primary" open>') < page.index(
        'class="frame template" open>'
    )
    assert (
        page.index("bomb went off") < page.index("def explode") < page.index("{{ item.explode() }}")
    )
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
    (tmp_path / "templates" / "broken.html").write_text(
        "<p>one</p>\n<p>{% if %}</p>\n<p>three</p>\n"
    )
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
    assert "{% if %}" in page and 'class="frame template primary" open>' in page


# -- what the page shows first, and what it folds -------------------------------------

def load_settings_from(raw):
    settings_text = "<b>%s</b>" % raw  # noqa: F841 - a local shown on the page, escaped
    parsed = json.loads(raw)
    return parsed["name"]


def app_with_a_failing_helper():
    app = Flask(__name__)
    app.debug = True

    @app.route("/")
    def settings_view():
        raw = '{"name": <nope>}'
        return load_settings_from(raw)

    return app


def frame_blocks(page):
    """Each ``<details class="frame ...">`` of the page: (classes, open, html), in page order."""
    return [
        (match.group(1).split(), match.group(2) is not None, match.group(0))
        for match in re.finditer(r'<details class="([^"]*)"( open)?>.*?</details>', page, re.S)
    ]


def test_users_innermost_frame_comes_first_expanded_with_source_and_locals():
    _, _, body, _ = call(DebuggedApplication(app_with_a_failing_helper()))
    page = body.decode()
    frames = frame_blocks(page)
    first_classes, first_open, first_html = frames[0]
    assert first_classes == ["frame", "user", "primary"] and first_open
    assert "load_settings_from" in first_html and "test_debug.py" in first_html
    assert "parsed = json.loads(raw)" in first_html  # its source, current line marked
    assert re.search(
        r'<span class="row current"><span class="ln">\d+</span>\s+parsed = json.loads', first_html
    )
    assert "settings_text" in first_html and "&lt;b&gt;" in first_html  # its locals, escaped
    assert "<b>{" not in page
    # before any framework or library frame, and named in the header
    first_user = page.index('class="frame user primary"')
    assert first_user < page.index('class="frame framework') and first_user < page.index(
        'class="frame library'
    )
    header = page[page.index("<header"):page.index("</header>")]
    assert "JSONDecodeError" in header and "load_settings_from" in header
    # the view that called it is the app's code too: expanded
    view = [f for f in frames if "settings_view" in f[2]][0]
    assert view[0] == ["frame", "user"] and view[1]
    assert "return load_settings_from(raw)" in view[2] and "<nope>" not in view[2]


def test_framework_and_library_frames_are_folded_to_one_line():
    _, _, body, _ = call(DebuggedApplication(app_with_a_failing_helper()))
    page = body.decode()
    frames = frame_blocks(page)
    folded = [f for f in frames if "framework" in f[0] or "library" in f[0]]
    framework = [f for f in folded if "framework" in f[0]]
    library = [f for f in folded if "library" in f[0]]
    assert len(framework) >= 3 and library  # microflask's dispatch, json's decoder
    assert all(not is_open for _, is_open, _ in folded)
    for _, _, block in folded:
        summary = re.search(r"<summary>(.*?)</summary>", block, re.S).group(1)
        assert "\n" not in summary  # one line: file, line, function, current source line
    assert any(
        "microflask/app.py" in block or "microflask.py" in block for _, _, block in framework
    )
    # (CPython's frame is json/decoder.py; PyPy's is json/__init__.py)
    assert any("json/" in block for _, _, block in library)
    # json's frames, called from the user's frame, come right after it
    kinds = [classes[1] for classes, _, _ in frames]
    assert kinds[0] == "user" and kinds[1] == "library"
    # the page has no script: folding is plain <details>
    assert "<script" not in page


def test_source_listings_are_single_spaced():
    _, _, body, _ = call(DebuggedApplication(app_with_a_failing_helper()))
    page = body.decode()
    listings = re.findall(r'<pre class="source">(.*?)</pre>', page, re.S)
    assert listings
    for listing in listings:
        rows = listing.split("\n")
        assert all(row.startswith('<span class="row') and row.endswith("</span>") for row in rows)
        numbers = [int(re.search(r'class="ln">(\d+)<', row).group(1)) for row in rows]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    # the helper's consecutive source lines are consecutive lines of the HTML
    assert re.search(
        r'settings_text = .*</span>\n<span class="row current"><span class="ln">\d+</span>'
        r'\s+parsed = json.loads\(raw\)</span>\n',
        page,
    )


def test_template_syntax_error_header_names_template_and_line(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.html").write_text(
        "<p>one</p>\n<p>{% if %}</p>\n<p>three</p>\n"
    )
    app = Flask(__name__, template_folder=str(tmp_path / "templates"))
    app.debug = True
    app.add_url_rule("/", "index", lambda: render_template("broken.html"))
    _, _, body, _ = call(DebuggedApplication(app))
    page = body.decode()
    header = page[page.index("<header"):page.index("</header>")]
    assert "TemplateSyntaxError" in header
    assert re.search(
        r'in template <cite class="template">broken\.html</cite>, line <em class="line">2</em>',
        header,
    )
    assert str(tmp_path / "templates" / "broken.html") in header
    # the template's line is the frame the page opens with, shown once
    frames = frame_blocks(page)
    assert frames[0][0] == ["frame", "template", "primary"] and frames[0][1]
    assert "{% if %}" in frames[0][2]
    assert sum("template" in classes for classes, _, _ in frames) == 1


def test_template_frame_shows_the_template_line_and_variables(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "list.html").write_text(
        "<h1>{{ heading }}</h1>\n{% for post in posts %}\n<p>{{ post.author.upper() }}</p>\n"
        "{% endfor %}\n"
    )
    app = Flask(__name__, template_folder=str(tmp_path / "templates"))
    app.debug = True

    @app.route("/")
    def listing():
        posts = [{"author": None}]
        return render_template("list.html", heading="<Posts>", posts=posts)

    _, _, body, _ = call(DebuggedApplication(app))
    page = body.decode()
    frames = frame_blocks(page)
    classes, is_open, block = frames[0]
    assert classes == ["frame", "template", "primary"] and is_open
    assert 'line <em class="line">3</em>' in block and "list.html" in block
    assert (
        '<span class="row current"><span class="ln">3</span>&lt;p&gt;{{ post.author.upper() }}'
        in block
    )
    assert "Template variable" in block
    for name in ("heading", "posts", "post"):
        assert "<td><code>%s</code></td>" % name in block
    assert "&#39;&lt;Posts&gt;&#39;" in block and "url_for" not in block  # globals left out
    # the engine's own frames (templating) are folded, the view is open
    assert frames[[f[2] for f in frames].index(next(f[2] for f in frames if "listing" in f[2]))][1]
    engine = [f for f in frames if "microflask/templating/" in f[2] or "runtime.py" in f[2]]
    assert all("framework" in f[0] and not f[1] for f in engine)


def test_plain_text_traceback_is_on_the_page():
    try:
        load_settings_from("{")
    except ValueError as e:
        page = render_traceback_html(e)
        text = render_traceback_text(e)
    textarea = re.search(r"<textarea readonly[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert html.unescape(textarea) == text
    assert text.startswith("Traceback (most recent call last):")
    assert 'in load_settings_from\n' in text and "json.decoder.JSONDecodeError" in text


def test_chained_exceptions_are_shown_below():
    try:
        try:
            {}["missing-key"]
        except KeyError as e:
            raise RuntimeError("lookup failed") from e
    except RuntimeError as e:
        page = render_traceback_html(e)
    assert page.index("RuntimeError") < page.index("The direct cause of the exception above:")
    assert page.index("The direct cause") < page.index("&#39;missing-key&#39;")


def test_frames_are_sorted_into_app_framework_and_library():
    from microflask import debug

    framework_file = debug.__file__
    kind, badge, short = debug._classify_frame_file(framework_file)
    assert (kind, badge) == ("framework", "microflask")
    assert short in (os.path.join("microflask", "debug.py"), "microflask.py")
    kind, badge, short = debug._classify_frame_file(json.decoder.__file__)
    assert (kind, badge, short) == ("library", "stdlib", os.path.join("json", "decoder.py"))
    assert debug._classify_frame_file(__file__)[0] == "user"
    assert debug._classify_frame_file("<frozen importlib._bootstrap>")[0] == "library"


def test_template_syntax_error_raised_by_hand_still_points_at_the_template():
    from microflask.templating.exceptions import TemplateSyntaxError

    error = TemplateSyntaxError("unexpected '}'", 2, name="hand.html")
    error.source = "<p>ok</p>\n<p>{{ x }}}</p>\n"
    try:
        raise error
    except TemplateSyntaxError as e:
        page = render_traceback_html(e)
    header = page[page.index("<header"):page.index("</header>")]
    assert 'hand.html</cite>, line <em class="line">2</em>' in header
    first = frame_blocks(page)[0]
    assert first[0] == ["frame", "template", "primary"]
    assert (
        '<span class="row current"><span class="ln">2</span>&lt;p&gt;{{ x }}}&lt;/p&gt;</span>'
        in first[2]
    )
