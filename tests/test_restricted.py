"""Restricted environments, proven in fresh interpreters.

- ``import microflask`` writes nothing (no bytecode, no files in the cwd or the package);
- it imports none of the heavy stdlib modules (they load on first use);
- ``import microflask`` loads none of its modules: each public name loads its
  module on first use, so ``microflask.markup`` or ``microflask.signing`` used
  alone costs only what it uses;
- an app runs under ``python -I`` (isolated mode: no env vars, no user site);
- microflask and an app with templates run from a zip file on ``sys.path``
  (templates through ``PackageLoader``: ``FileSystemLoader`` cannot read a zip).
"""

import os
import shutil
import stat
import subprocess
import sys
import textwrap
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "microflask")
HEAVY_MODULES = ("wsgiref", "email", "http.server", "argparse", "asyncio", "tempfile", "mimetypes")


def run_isolated(code, cwd, *flags):
    """Run ``code`` in ``python -I -S`` (no site, no env, no script dir on sys.path)."""
    result = subprocess.run(
        [sys.executable, "-I", "-S", *flags, "-c", code],
        cwd=str(cwd), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def copy_package(destination):
    shutil.copytree(PACKAGE, str(destination / "microflask"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return destination


def snapshot(directory):
    return sorted(
        os.path.relpath(os.path.join(root, name), str(directory))
        for root, dirs, files in os.walk(str(directory))
        for name in dirs + files
    )


def test_import_writes_nothing(tmp_path):
    source = copy_package(tmp_path / "src")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    before_package, before_cwd = snapshot(source), snapshot(workdir)
    code = (
        "import sys; sys.path.insert(0, %r); from microflask import *; import microflask.cli; "
        "print('ok')"
        % str(source)
    )
    assert run_isolated(code, workdir, "-B").strip() == "ok"
    assert snapshot(source) == before_package
    assert snapshot(workdir) == before_cwd


def test_import_works_from_a_read_only_tree(tmp_path):
    # (As root the permissions are not enforced; the -B test above proves no writes.)
    source = copy_package(tmp_path / "src")
    for root, dirs, files in os.walk(str(source)):
        for name in files:
            os.chmod(os.path.join(root, name), stat.S_IRUSR)
        os.chmod(root, stat.S_IRUSR | stat.S_IXUSR)
    try:
        code = textwrap.dedent('''
            import sys
            sys.path.insert(0, %r)
            from microflask import Flask
            app = Flask("ro")
            @app.route("/")
            def index():
                return "read-only ok"
            print(app.test_client().get("/").get_data(as_text=True))
        ''' % str(source))
        assert run_isolated(code, tmp_path).strip() == "read-only ok"
    finally:
        for root, dirs, files in os.walk(str(source)):
            os.chmod(root, stat.S_IRWXU)


def test_import_does_not_load_heavy_stdlib_modules():
    code = textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        before = set(sys.modules)
        from microflask import *  # every name an app imports, not just the package
        loaded = set(sys.modules) - before
        heavy = %r
        print(",".join(sorted(m for m in loaded if m in heavy or m.split(".")[0] in heavy)))
    ''' % (ROOT, HEAVY_MODULES))
    assert run_isolated(code, ROOT).strip() == ""


def test_package_names_load_their_modules_on_first_use():
    code = textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        import microflask
        print(sorted(m for m in sys.modules if m.startswith("microflask.")))
        from microflask.markup import Markup
        from microflask.signing import URLSafeTimedSerializer
        print("microflask.app" in sys.modules, "microflask.globals" in sys.modules)
        from microflask import request
        print("microflask.globals" in sys.modules, "microflask.templating" in sys.modules)
    ''' % ROOT)
    assert run_isolated(code, ROOT).split("\n")[:3] == ["[]", "False False", "True False"]


def test_the_package_reloads_after_its_names_loaded():
    # Once ``microflask.globals`` is loaded, the package's own name
    # ``globals`` is that submodule, not the builtin; a reload still works.
    code = textwrap.dedent('''
        import importlib, sys
        sys.path.insert(0, %r)
        import microflask
        flask_class, request = microflask.Flask, microflask.request
        importlib.reload(microflask)
        print(microflask.Flask is flask_class, microflask.request is request)
    ''' % ROOT)
    assert run_isolated(code, ROOT).strip() == "True True"


def test_cli_serving_and_debug_modules_import_lazily():
    code = textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        import microflask.serving, microflask.debug, microflask.middleware, microflask.cli
        heavy = %r
        print(",".join(sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)))
    ''' % (ROOT, HEAVY_MODULES))
    assert run_isolated(code, ROOT).strip() == ""


def test_app_runs_in_isolated_mode(tmp_path):
    app_file = tmp_path / "isolated_app.py"
    app_file.write_text(textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        from microflask import Flask, render_template_string, session

        app = Flask(__name__)
        app.secret_key = "isolated"

        @app.route("/<name>")
        def hello(name):
            session["seen"] = name
            return render_template_string("Hello {{ name }}!", name=name)

        client = app.test_client()
        response = client.get("/<b>")
        print(response.status_code, response.get_data(as_text=True))
        print(sys.flags.isolated, "set-cookie" in response.headers)
    ''' % ROOT))
    result = subprocess.run([sys.executable, "-I", str(app_file)], cwd=str(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["200 Hello &lt;b&gt;!", "1 True"]


def build_zip(tmp_path):
    archive = tmp_path / "app_bundle.zip"
    with zipfile.ZipFile(str(archive), "w", zipfile.ZIP_DEFLATED) as zf:
        for root, dirs, files in os.walk(PACKAGE):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith(".pyc"):
                    continue
                path = os.path.join(root, name)
                zf.write(path, os.path.relpath(path, ROOT))
        zf.writestr("zipped_site/__init__.py", textwrap.dedent('''
            from microflask import Flask, render_template
            from microflask.templating import PackageLoader

            app = Flask(__name__)
            # Templates inside a zip are read through the package's loader.
            app.jinja_loader = PackageLoader(__name__, "templates")

            @app.route("/hello/<name>")
            def hello(name):
                return render_template("hello.html", name=name)
        '''))
        zf.writestr("zipped_site/templates/base.html",
                    "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}")
        zf.writestr("zipped_site/templates/hello.html",
                    '{% extends "base.html" %}{% block title %}Hi{% endblock %}'
                    "{% block body %}<p>Hello {{ name }}</p>{% endblock %}")
    return archive


def test_runs_from_a_zip_with_templates(tmp_path):
    archive = build_zip(tmp_path)
    code = textwrap.dedent('''
        import sys
        sys.path[:] = [%r] + [p for p in sys.path if "site-packages" not in p]
        import microflask
        assert microflask.__file__.startswith(%r), microflask.__file__
        from zipped_site import app
        response = app.test_client().get("/hello/<zip>")
        print(response.status_code, response.get_data(as_text=True))
    ''' % (str(archive), str(archive)))
    out = run_isolated(code, tmp_path, "-B")
    assert out.strip() == "200 <title>Hi</title><p>Hello &lt;zip&gt;</p>"


@pytest.mark.skipif(os.name == "nt", reason="signals")
def test_cli_runs_from_a_zip(tmp_path):
    archive = build_zip(tmp_path)
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c",
         "import sys; sys.path.insert(0, %r); sys.argv = ['microflask', '--app', 'zipped_site',"
         " 'routes']; from microflask.cli import main; main()" % str(archive)],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "hello     GET      /hello/<name>" in result.stdout


def test_default_loader_in_a_zip_says_to_use_package_loader(tmp_path):
    archive = tmp_path / "zipped_default.zip"
    with zipfile.ZipFile(str(archive), "w") as zf:
        zf.writestr("zipped_default/__init__.py", textwrap.dedent('''
            from microflask import Flask, render_template

            app = Flask(__name__)  # the default loader: templates/ beside the package

            @app.route("/")
            def index():
                return render_template("index.html")
        '''))
        zf.writestr("zipped_default/templates/index.html", "hi")
    code = textwrap.dedent('''
        import sys
        sys.path[:0] = [%r, %r]
        from microflask.templating import TemplateNotFound
        from zipped_default import app
        try:
            with app.app_context():
                app.jinja_env.get_template("index.html")
        except TemplateNotFound as error:
            print(error.message)
    ''' % (str(archive), ROOT))
    out = run_isolated(code, tmp_path, "-B")
    assert "inside the zip file" in out and "PackageLoader" in out and str(archive) in out
