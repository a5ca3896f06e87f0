"""The single-file bundle (``python -m microflask.bundle -o FILE``).

The bundler is loaded from the source tree by path, so these tests also run
when the suite itself runs against a bundle (where ``microflask.bundle`` is
not part of the file).  Each built file is imported in a fresh ``python -I``
process with only its own folder on ``sys.path``.
"""

import ast
import functools
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "microflask"
BUNDLER_FILE = PACKAGE / "bundle.py"


def load_bundler():
    spec = importlib.util.spec_from_file_location("microflask_bundler_under_test", BUNDLER_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundler = load_bundler()


def run_isolated(folder, script):
    """Run ``script`` with ``python -I`` and only ``folder`` (or zip) on the
    path; its last output line is JSON."""
    code = "import sys\nsys.path.insert(0, %r)\n" % str(folder) + textwrap.dedent(script)
    done = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=str(folder if os.path.isdir(folder) else os.path.dirname(folder)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@functools.lru_cache(maxsize=None)
def package_modules():
    return bundler.find_package_modules(str(PACKAGE))


def literal_all(module):
    for node in module.tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            try:
                return list(ast.literal_eval(node.value))
            except ValueError:
                return []
    return []


def build_into(folder, *options):
    path = folder / "microflask.py"
    assert bundler.main(["-o", str(path), *options]) == 0
    return path


@pytest.fixture(scope="module")
def bundle_file(tmp_path_factory):
    return build_into(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="module")
def core_bundle_file(tmp_path_factory):
    return build_into(tmp_path_factory.mktemp("core"), "--profile", "core")


@pytest.fixture(scope="module")
def bundle_text(bundle_file):
    return bundle_file.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bundle_tree(bundle_text):
    return ast.parse(bundle_text)


def file_sections(tree):
    """Each ``_bundle_section(module, line, text)`` of a written file, in order."""
    sections = []
    for node in tree.body:
        call = getattr(node, "value", None)
        if isinstance(node, ast.Expr) and isinstance(call, ast.Call) \
                and getattr(call.func, "id", None) == "_bundle_section":
            sections.append(tuple(ast.literal_eval(argument) for argument in call.args))
    return sections


@pytest.fixture(scope="module")
def section_trees(bundle_tree):
    return {dotted: ast.parse(text) for dotted, line, text in file_sections(bundle_tree)}


def layers_table():
    return bundler.load_package_layers(str(PACKAGE))


# -- the file itself ------------------------------------------------------------


def test_bundle_is_valid_python(bundle_file, bundle_text):
    compile(bundle_text, str(bundle_file), "exec")
    assert bundle_text.startswith('"""microflask as one file')
    assert "from __future__ import annotations" in bundle_text


def count_calls(tree, names):
    found = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in names:
            found += 1
    return found


def test_sections_are_plain_text_in_place(bundle_text, bundle_tree):
    # A section is the module's source as a plain string literal, each line of
    # it on the line of the file it says, so that tracebacks and linecache,
    # which get that line number, show the right line.
    file_lines = bundle_text.splitlines()
    sections = file_sections(bundle_tree)
    assert [dotted for dotted, line, text in sections] == section_order(bundle_text)
    for dotted, line, text in sections:
        assert file_lines[line - 1] == "_bundle_section(%r, %d, r\'\'\'" % (dotted, line)
        text_lines = text.splitlines()
        assert text_lines[0] == ""
        assert file_lines[line:line + len(text_lines) - 1] == text_lines[1:], dotted


def test_no_exec_tricks(bundle_text, bundle_tree, section_trees):
    # The template engine compiles templates itself.  The file's own code
    # compiles and runs the sections (one function each), and nothing else;
    # no code is hidden in encoded strings or archives.
    risky = {"exec", "eval", "compile"}
    in_sources = sum(count_calls(m.tree, risky) for m in package_modules().values())
    assert sum(count_calls(tree, risky) for tree in section_trees.values()) == in_sources
    callers = {
        function.name: count_calls(function, risky)
        for function in bundle_tree.body if isinstance(function, ast.FunctionDef)
    }
    assert {name: count for name, count in callers.items() if count} == {
        "_bundle_run_section": 1, "_bundle_section_code": 2}
    assert count_calls(bundle_tree, risky) == 3
    for word in ("zipimport", "b64decode(", "base64.decodebytes", "a85decode", "b85decode"):
        in_sources = sum(m.source.count(word) for m in package_modules().values())
        assert bundle_text.count(word) == in_sources, word
    blobs = [node for node in ast.walk(bundle_tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, bytes)
             and len(node.value) > 100]
    assert blobs == []


def section_order(bundle_text):
    return re.findall(r"^# (microflask[\w.]*)  \(", bundle_text, re.M)


def test_every_module_is_one_section(bundle_text):
    order = section_order(bundle_text)
    assert sorted(order) == sorted(package_modules())
    assert len(order) == len(set(order))
    assert "microflask.bundle" not in order


def test_sections_follow_the_import_graph_and_the_layers(bundle_text):
    order = section_order(bundle_text)
    position = {name: index for index, name in enumerate(order)}
    modules = package_modules()
    resolver = bundler.BundleNameResolver(modules)
    for name, module in modules.items():
        for needed in bundler.module_dependencies(module, resolver):
            assert position[needed] < position[name], (needed, name)
    assert order[0] == "microflask.markup"
    assert order[-1] == "microflask"
    layered = ["microflask.markup", "microflask.datastructures", "microflask.routing",
               "microflask.wrappers", "microflask.templating.environment",
               "microflask.app", "microflask.testing"]
    for lower, upper in zip(layered, layered[1:]):
        assert position[lower] < position[upper], (lower, upper)
    if "microflask.serving" in position:
        assert position["microflask.app"] < position["microflask.serving"]


def test_sections_keep_their_docstrings_and_comments(bundle_text):
    markup = (PACKAGE / "markup.py").read_text(encoding="utf-8")
    first_line = ast.get_docstring(ast.parse(markup)).splitlines()[0]
    assert first_line in bundle_text
    comments = [line.strip() for line in markup.splitlines() if line.strip().startswith("# ")]
    for comment in comments[:5]:
        assert comment in bundle_text


def test_no_intra_package_imports_remain(section_trees):
    missing = set()
    for node in (node for tree in section_trees.values() for node in ast.walk(tree)):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0
            if (node.module or "").startswith("microflask"):
                missing.add(node.module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("microflask"):
                    missing.add(alias.name)
    # only imports of modules that are not in this tree may stay, as real imports
    assert not missing & set(package_modules())


# -- importing it ---------------------------------------------------------------


def test_bundle_imports_alone_and_exposes_the_public_api(bundle_file):
    modules = package_modules()
    expected = {name: literal_all(module) for name, module in modules.items()}
    result = run_isolated(bundle_file.parent, """
        import importlib, json
        before = set(sys.modules)
        import microflask
        report = {"file": microflask.__file__, "missing": [], "not_modules": []}
        expected = json.loads(%r)
        for dotted, names in expected.items():
            module = importlib.import_module(dotted)
            if module.__name__ != dotted:
                report["not_modules"].append(dotted)
            for name in names:
                if not hasattr(module, name):
                    report["missing"].append(dotted + "." + name)
        report["root_all"] = sorted(microflask.__all__)
        report["third_party"] = sorted(
            name for name in set(sys.modules) - before
            if name.split(".")[0] in ("flask", "werkzeug", "jinja2", "markupsafe",
                                      "itsdangerous", "click")
        )
        print(json.dumps(report))
    """ % json.dumps(expected))
    assert pathlib.Path(result["file"]) == bundle_file
    assert result["missing"] == []
    assert result["not_modules"] == []
    assert result["root_all"] == sorted(expected["microflask"])
    assert result["third_party"] == []


def test_submodule_import_forms(bundle_file):
    result = run_isolated(bundle_file.parent, """
        import json
        import microflask.templating
        import microflask.routing
        from microflask.templating import Environment
        from microflask.json.tag import TaggedJSONSerializer
        from microflask.testing import FlaskClient
        from microflask import json as flask_json
        import microflask.json.provider as provider
        import microflask
        out = {
            "routing": microflask.routing.Map.__name__,
            "env_module": Environment.__module__,
            "client_module": FlaskClient.__module__,
            "client_qualname": FlaskClient.__qualname__,
            "json_is_module": flask_json is sys.modules["microflask.json"],
            "tag_attr": microflask.json.tag.TaggedJSONSerializer is TaggedJSONSerializer,
            "provider": provider.DefaultJSONProvider.__name__,
            "dumps": flask_json.dumps({"b": 1}),
            "tagged": TaggedJSONSerializer().loads(TaggedJSONSerializer().dumps({"t": (1, 2)})),
        }
        try:
            import microflask.no_such_module
        except ModuleNotFoundError as error:
            out["missing"] = type(error).__name__
        print(json.dumps(out, default=repr))
    """)
    assert result["routing"] == "Map"
    assert result["env_module"] == "microflask.templating.environment"
    assert result["client_module"] == "microflask.testing"
    assert result["client_qualname"] == "FlaskClient"
    assert result["json_is_module"] and result["tag_attr"]
    assert result["provider"] == "DefaultJSONProvider"
    assert result["dumps"] == '{"b": 1}'
    assert result["tagged"] == {"t": [1, 2]}
    assert result["missing"] == "ModuleNotFoundError"


def test_same_public_name_keeps_its_meaning_per_module(bundle_file):
    result = run_isolated(bundle_file.parent, """
        import json
        import microflask
        import microflask.exceptions, microflask.templating, microflask.utils
        print(json.dumps({
            "security_errors_differ":
                microflask.exceptions.SecurityError is not microflask.templating.SecurityError,
            "template_security": microflask.templating.SecurityError.__module__,
            "root_redirect_is_flask_helper":
                microflask.redirect.__module__ == "microflask.helpers",
            "utils_redirect": microflask.utils.redirect.__module__,
            "json_module": microflask.json.__name__,
            "not_implemented_builtin": (1).__eq__("x") is NotImplemented,
        }))
    """)
    assert result["security_errors_differ"]
    assert result["template_security"].startswith("microflask.templating")
    assert result["root_redirect_is_flask_helper"]
    assert result["utils_redirect"] == "microflask.utils"
    assert result["json_module"] == "microflask.json"
    assert result["not_implemented_builtin"]


def test_renders_a_template_and_serves_a_request(bundle_file):
    result = run_isolated(bundle_file.parent, """
        import json
        from microflask import Blueprint, Flask, render_template_string, session, request
        from microflask.templating import DictLoader, Environment

        env = Environment(loader=DictLoader({"hi.html": "Hi {{ name|title }}!"}),
                          autoescape=True)
        rendered = env.get_template("hi.html").render(name="<ann>")

        app = Flask("bundled")
        app.secret_key = "test"
        pages = Blueprint("pages", "bundled")

        @pages.route("/hello/<name>")
        def hello(name):
            session["seen"] = session.get("seen", 0) + 1
            return render_template_string("<p>{{ name }} {{ n }}</p>", name=name,
                                          n=session["seen"])

        app.register_blueprint(pages)

        @app.post("/echo")
        def echo():
            return {"got": request.get_json()}

        client = app.test_client()
        first = client.get("/hello/<b>")
        second = client.get("/hello/x")
        posted = client.post("/echo", json={"a": [1, 2]})
        missing = client.get("/nope")
        print(json.dumps({
            "rendered": rendered,
            "first": [first.status_code, first.get_data(as_text=True)],
            "second": second.get_data(as_text=True),
            "posted": posted.get_json(),
            "missing": missing.status_code,
        }))
    """)
    assert result["rendered"] == "Hi &lt;Ann&gt;!"
    assert result["first"] == [200, "<p>&lt;b&gt; 1</p>"]
    assert result["second"] == "<p>x 2</p>"
    assert result["posted"] == {"got": {"a": [1, 2]}}
    assert result["missing"] == 404


def test_setting_a_module_attribute_reaches_the_code_that_uses_it(bundle_file):
    result = run_isolated(bundle_file.parent, """
        import json
        import microflask
        import microflask.http as http_module
        original = http_module.http_date
        http_module.http_date = lambda *args: "patched"
        patched = microflask.__dict__["http_date"]("x")
        http_module.http_date = original
        print(json.dumps({"patched": patched,
                          "restored": microflask.__dict__["http_date"] is original}))
    """)
    assert result == {"patched": "patched", "restored": True}


# -- the bundler on a small package of its own ---------------------------------


SAMPLE_PACKAGE = {
    "__init__.py": '''
        """Sample root."""
        from . import json as json
        from .app import App as App
        from .wrappers import Response as Response
        __version__ = "9"
        __all__ = ["App", "Response", "json"]
    ''',
    "markup.py": '''
        """Layer 0."""
        import json

        __all__ = ["to_text", "Problem", "SecurityError"]


        class Problem:
            def __eq__(self, other):
                return NotImplemented


        class MarkupSecurityError(Exception):
            pass


        SecurityError = MarkupSecurityError


        def to_text(value):
            return json.dumps(value)
    ''',
    "exceptions.py": '''
        """Exceptions, one named like a builtin."""
        __all__ = ["NotImplemented", "SecurityError"]


        class NotImplemented(Exception):
            code = 501


        class HTTPSecurityError(Exception):
            pass


        SecurityError = HTTPSecurityError
    ''',
    "wrappers.py": '''
        """Layer 3."""
        import typing as t

        from .markup import to_text

        if t.TYPE_CHECKING:
            from .app import App

        __all__ = ["Response", "make"]


        class Response:
            def __init__(self, body):
                self.body = to_text(body)


        def make(body, Response=None):
            if Response is None:
                from .wrappers import Response
            return Response(body)
    ''',
    "json/__init__.py": '''
        """A package module named like a stdlib module."""
        import json

        __all__ = ["dumps"]


        def dumps(value):
            return "json:" + json.dumps(value)


        _cached_text = None


        def cached():
            global _cached_text
            if _cached_text is None:
                _cached_text = dumps(1)
            return _cached_text
    ''',
    "app.py": '''
        """Layer 4."""
        from . import json as app_json
        from .markup import SecurityError

        __all__ = ["App"]


        class App:
            def render(self, value):
                return app_json.dumps(value)

            def errors(self):
                return SecurityError

            def client(self):
                from .testing import Client
                return Client(self)
    ''',
    "testing.py": '''
        """Imported only on demand, like the test client."""
        import logging

        __all__ = ["Client", "LIMIT", "TEXT"]

        LIMIT: int = 3
        TEXT = """first line
        second line"""
        logger = logging.getLogger(__name__)


        class Client:
            def __init__(self, app):
                self.app = app

            def get(self):
                return self.app.render([LIMIT])


        def __getattr__(name):
            if name == "Runner":
                return "made on demand"
            raise AttributeError(name)
    ''',
}


def write_sample_package(folder, files):
    package = folder / "microflask"
    for relative, text in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return package


def test_sample_package_names_and_lazy_sections(tmp_path):
    package = write_sample_package(tmp_path / "src", SAMPLE_PACKAGE)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    text = bundler.build_bundle(str(package))
    (out_dir / "microflask.py").write_text(text, encoding="utf-8")
    result = run_isolated(out_dir, """
        import json
        lazy_before = "logging" in sys.modules
        import microflask
        import microflask.markup, microflask.exceptions, microflask.wrappers
        loaded_at_import = "logging" in sys.modules
        app = microflask.App()
        from microflask.testing import Client, LIMIT, TEXT, logger
        print(json.dumps({
            "render": app.render([1]),
            "to_text": microflask.markup.to_text({"a": 1}),
            "json_module": microflask.json.__name__,
            "response": microflask.wrappers.make([2]).body,
            "response_class": microflask.wrappers.make(1).__class__.__name__,
            "not_implemented": microflask.markup.Problem() == 1,
            "http_501": microflask.exceptions.NotImplemented.code,
            "markup_security": microflask.markup.SecurityError.__name__,
            "http_security": microflask.exceptions.SecurityError.__name__,
            "app_security": app.errors().__name__,
            "client": app.client().get(),
            "limit": LIMIT,
            "text": TEXT,
            "logger": logger.name,
            "lazy": not lazy_before and not loaded_at_import,
            "client_module": Client.__module__,
            "on_demand": __import__("microflask.testing").testing.Runner,
            "root_has_no_getattr": not hasattr(microflask, "Runner"),
            "live_before": microflask.json._cached_text,
            "live_after": (microflask.json.cached(), microflask.json._cached_text),
            "patched": (setattr(microflask.json, "_cached_text", "patched"),
                        microflask.json.cached())[1],
        }))
    """)
    assert result == {
        "render": 'json:[1]',
        "to_text": '{"a": 1}',
        "json_module": "microflask.json",
        "response": "[2]",
        "response_class": "Response",
        "not_implemented": False,
        "http_501": 501,
        "markup_security": "MarkupSecurityError",
        "http_security": "HTTPSecurityError",
        "app_security": "MarkupSecurityError",
        "client": 'json:[3]',
        "limit": 3,
        "text": "first line\nsecond line",
        "logger": "microflask.testing",
        "lazy": True,
        "client_module": "microflask.testing",
        "on_demand": "made on demand",
        "root_has_no_getattr": True,
        "live_before": None,
        "live_after": ["json:1", "json:1"],
        "patched": "patched",
    }


def test_import_cycle_is_an_error(tmp_path):
    package = write_sample_package(tmp_path, {
        "__init__.py": '"""Root."""\nfrom .a import x\n',
        "a.py": '"""A."""\nfrom .b import y\nx = 1\n',
        "b.py": '"""B."""\nfrom .a import x\ny = 2\n',
    })
    with pytest.raises(bundler.BundleError, match="cycle"):
        bundler.build_bundle(str(package))


def test_command_line_writes_to_stdout_by_default(tmp_path, capsys, monkeypatch):
    package = write_sample_package(tmp_path, {"__init__.py": '"""Tiny."""\nVALUE = 1\n'})
    monkeypatch.setattr(bundler, "BUNDLE_PACKAGE_DIR", str(package))
    assert bundler.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith('"""microflask as one file')
    assert "VALUE = 1" in out


def test_the_suite_can_run_against_the_bundle(bundle_file):
    # The conftest's --bundle option: microflask comes from the one file.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=",
         "--bundle", str(bundle_file), "tests/test_package_names.py"],
        cwd=str(ROOT), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "microflask: single-file bundle %s" % bundle_file in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=",
         "--bundle", str(bundle_file.parent / "nope" / "microflask.py"),
         "tests/test_package_names.py"],
        cwd=str(ROOT), capture_output=True, text=True, timeout=120,
    )
    assert missing.returncode != 0
    assert "bundle not found" in missing.stdout + missing.stderr


def test_the_suite_skips_exactly_what_the_core_file_leaves_out(core_bundle_file):
    # Against a core file, a test file that imports a left-out module is
    # skipped with that module as the reason; the tests of core modules run.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-rs",
         "--bundle", str(core_bundle_file), "tests/test_cli.py", "tests/test_markup.py"],
        cwd=str(ROOT), capture_output=True, text=True, timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "(core profile: " in output
    assert "SKIPPED [1] tests/test_cli.py: microflask.cli is not in the core single file" in output
    assert re.search(r"\b[1-9]\d* passed, 1 skipped\b", output), output[-1000:]
    assert "skipped: not in the core single file" in output
    assert "microflask.cli: 1 test file" in output


# -- profiles ---------------------------------------------------------------------


def test_core_profile_leaves_out_exactly_the_non_core_modules(bundle_text, core_bundle_file):
    layers = layers_table()
    core_text = core_bundle_file.read_text(encoding="utf-8")
    full_order = section_order(bundle_text)
    kept = [dotted for dotted in full_order if layers.part_of(dotted) == "core"]
    assert section_order(core_text) == kept
    assert len(kept) < len(full_order)
    left_out = {dotted: layers.part_of(dotted) for dotted in full_order if dotted not in kept}
    assert set(left_out.values()) <= {"tools", "compat"}
    result = run_isolated(core_bundle_file.parent, """
        import json
        import microflask
        print(json.dumps({"profile": microflask._bundle_profile,
                          "left_out": microflask._bundle_left_out}))
    """)
    assert result == {"profile": "core", "left_out": left_out}
    assert "``python -m microflask bundle --profile core``" in core_text[:300]


def test_a_left_out_module_fails_with_a_clear_error(core_bundle_file):
    result = run_isolated(core_bundle_file.parent, """
        import importlib.util, json
        import microflask
        from microflask import Flask

        app = Flask("core_app")
        attempts = {
            "import microflask.cli": lambda: __import__("microflask.cli"),
            "from microflask import cli": lambda: exec("from microflask import cli"),
            "from microflask.middleware import lint":
                lambda: exec("from microflask.middleware import lint"),
            "import microflask.templating.sandbox":
                lambda: exec("import microflask.templating.sandbox"),
            "from microflask.middleware import LintMiddleware":
                lambda: exec("from microflask.middleware import LintMiddleware"),
            "app.cli": lambda: app.cli,
            "app.run()": lambda: app.run(),
            "app.test_cli_runner()": lambda: app.test_cli_runner(),
            "microflask.run_simple": lambda: microflask.run_simple,
        }
        errors = {}
        for name, attempt in attempts.items():
            try:
                attempt()
                errors[name] = None
            except ImportError as error:
                errors[name] = [error.name, str(error)]
        print(json.dumps({
            "errors": errors,
            "bundler_spec": importlib.util.find_spec("microflask.bundle"),
            "middleware_kept": microflask.middleware.ProxyFix.__name__,
        }))
    """)
    expected_module = {
        "import microflask.cli": "microflask.cli",
        "from microflask import cli": "microflask.cli",
        "from microflask.middleware import lint": "microflask.middleware.lint",
        "import microflask.templating.sandbox": "microflask.templating.sandbox",
        "from microflask.middleware import LintMiddleware": "microflask.middleware.lint",
        "app.cli": "microflask.cli",
        "app.run()": "microflask.serving",
        "app.test_cli_runner()": "microflask.cli",
        "microflask.run_simple": "microflask.serving",
    }
    for attempt, module in expected_module.items():
        name, message = result["errors"][attempt]
        assert name == module, attempt
        assert message.startswith(module + " is not in this single file") or message.startswith(
            "microflask.middleware.LintMiddleware needs " + module + ", which is not"), message
        assert "bundled with the core profile" in message
        assert "'python -m microflask bundle --profile full -o microflask.py'" in message
        assert str(core_bundle_file) in message
    assert result["bundler_spec"] is None  # never in any file: not "left out"
    assert result["middleware_kept"] == "ProxyFix"
    command = subprocess.run([sys.executable, "-I", str(core_bundle_file), "--help"],
                             capture_output=True, text=True, timeout=60)
    assert command.returncode == 1
    assert command.stderr.startswith("microflask.cli is not in this single file")


def test_core_file_serves_templates_sessions_and_json(core_bundle_file):
    test_renders_a_template_and_serves_a_request(core_bundle_file)


def test_core_file_public_api(core_bundle_file):
    # Every name a kept module lists in __all__ is there, or (re-exported
    # from a left-out module) fails with the clear error.
    layers = layers_table()
    expected = {name: literal_all(module) for name, module in package_modules().items()
                if layers.part_of(name) == "core"}
    result = run_isolated(core_bundle_file.parent, """
        import importlib, json
        import microflask
        report = {"missing": [], "refused": []}
        for dotted, names in json.loads(%r).items():
            module = importlib.import_module(dotted)
            for name in names:
                try:
                    getattr(module, name)
                except ImportError as error:
                    report["refused"].append([dotted + "." + name, error.name])
                except AttributeError:
                    report["missing"].append(dotted + "." + name)
        print(json.dumps(report))
    """ % json.dumps(expected))
    assert result["missing"] == []
    for name, module in result["refused"]:
        assert layers.part_of(module) != "core", name


# -- lazy sections: compiled on first use ----------------------------------------

# Child code that records, in ``compiled``, the file name of every compile() call.
COUNT_COMPILES = """
import builtins
compiled = []
real_compile = builtins.compile


def counting_compile(source, filename, *args, **kwargs):
    compiled.append(filename)
    return real_compile(source, filename, *args, **kwargs)


builtins.compile = counting_compile
"""


def test_import_compiles_nothing_until_a_module_is_used(bundle_file, tmp_path):
    # (a fresh folder: no compiled sections cached by the other tests' runs)
    shutil.copy(bundle_file, tmp_path / "microflask.py")
    result = run_isolated(tmp_path, COUNT_COMPILES + textwrap.dedent("""
        import json
        before = set(sys.modules)
        import microflask
        at_import = {"compiled": list(compiled), "pending": len(microflask._bundle_sections),
                     "stdlib": sorted(n for n in set(sys.modules) - before
                                      if not n.startswith("microflask"))}
        from microflask.markup import Markup
        escaped = str(Markup.escape("<b>"))
        after_markup = sorted(set(microflask._bundle_dotted_names.values())
                              - set(microflask._bundle_sections))
        app = microflask.Flask("lazy")
        print(json.dumps({"at_import": at_import, "escaped": escaped,
                          "after_markup": after_markup, "compiled": compiled,
                          "file": microflask.__file__,
                          "root_ran": "microflask" not in microflask._bundle_sections,
                          "app": type(app).__module__}))
    """))
    modules = section_order(bundle_file.read_text(encoding="utf-8"))
    # The import system compiles the file (its sections are strings), no section
    assert result["at_import"]["compiled"] == [result["file"]]
    assert result["at_import"]["pending"] == len(modules)
    assert set(result["at_import"]["stdlib"]) <= {"__future__", "_thread"}
    assert result["escaped"] == "&lt;b&gt;"
    assert result["after_markup"] == ["microflask.markup"]
    # sections compile under the file's own name (routing compiles its matcher)
    assert result["file"] == str(tmp_path / "microflask.py")
    assert set(result["compiled"]) - {"<microflask routing>"} == {result["file"]}
    assert result["root_ran"] and result["app"] == "microflask.app"


def test_sections_can_run_in_any_order(bundle_file):
    # Whichever module a program uses first, its section runs what it needs;
    # a module never runs the package it is in (the package imports that
    # first), so ``from . import json`` cannot start the package's section in
    # the middle of its own.
    for order in ("reversed", 1, 2):
        result = run_isolated(bundle_file.parent, """
            import json, random
            import microflask
            order = list(microflask._bundle_sections)
            if %(order)r == "reversed":
                order.reverse()
            else:
                random.Random(%(order)r).shuffle(order)
            for dotted in order:
                microflask._bundle_require(dotted)
            response = microflask.Flask("any_order").test_client().get("/")
            print(json.dumps({"left": len(microflask._bundle_sections),
                              "status": response.status_code}))
        """ % {"order": order})
        assert result == {"left": 0, "status": 404}, order


def test_lazy_sections_point_tracebacks_and_source_into_the_file(bundle_file, tmp_path):
    signer_source = (PACKAGE / "signing" / "signer.py").read_text(encoding="utf-8")
    unsign = next(node for node in ast.walk(ast.parse(signer_source))
                  if isinstance(node, ast.FunctionDef) and node.name == "unsign")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.write(bundle_file, "microflask.py")
    script = """
        import inspect, json, linecache, traceback
        from microflask.signing import BadSignature, Signer
        try:
            Signer("key").unsign(b"no separator here")
        except BadSignature as error:
            frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                      if frame.filename.endswith("microflask.py")]
            shown = traceback.format_exc()
        print(json.dumps({
            "file": sys.modules["microflask"].__file__,
            "frames": [[frame.filename, frame.lineno, frame.line] for frame in frames],
            "shown": shown,
            "source": inspect.getsource(Signer.unsign),
        }))
    """
    for folder in (bundle_file.parent, archive):
        result = run_isolated(folder, script)
        assert result["frames"], result["shown"]
        for filename, lineno, line in result["frames"]:
            assert filename == result["file"]
            assert line and line in signer_source, (lineno, line)
            assert line in result["shown"]
        source_lines = result["source"].splitlines()
        assert source_lines[0].strip().startswith("def unsign(")
        assert len(source_lines) == unsign.end_lineno - unsign.lineno + 1


def test_compiled_sections_are_cached_beside_the_file(bundle_file, tmp_path):
    folder = tmp_path / "cached"
    folder.mkdir()
    shutil.copy(bundle_file, folder / "microflask.py")
    script = COUNT_COMPILES + textwrap.dedent("""
        import json, sys
        sys.path.insert(0, %r)
        import microflask
        compiled.clear()  # (the file itself, when its .pyc is not there)
        from microflask.markup import Markup
        print(json.dumps({"compiled": len(compiled), "escaped": str(Markup.escape("<"))}))
    """) % str(folder)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(*flags):
        done = subprocess.run([sys.executable, "-I", *flags, "-c", script], env=environment,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    # -B: Python writes no bytecode, and neither does the file.
    assert run("-B") == {"compiled": 1, "escaped": "&lt;"}
    assert not (folder / "__pycache__").exists()
    assert run() == {"compiled": 1, "escaped": "&lt;"}
    cached = sorted(path.name for path in (folder / "__pycache__").iterdir())
    tag = sys.implementation.cache_tag
    assert cached == ["microflask.%s.microflask.markup.pyc" % tag, "microflask.%s.pyc" % tag]
    assert run() == {"compiled": 0, "escaped": "&lt;"}
    # A cache that does not match the section (here: damaged) is not used.
    section_cache = folder / "__pycache__" / cached[0]
    section_cache.write_bytes(section_cache.read_bytes()[:-20])
    assert run("-B") == {"compiled": 1, "escaped": "&lt;"}


# -- profiles on a small package of its own ----------------------------------------


PROFILED_PACKAGE = {
    "__init__.py": '''
        """Root."""
        from .app import App as App
        __all__ = ["App"]
    ''',
    "_layers.py": '''
        """Which module is which part (the bundler reads this)."""
        LAYERS = {
            0: ("microflask.urls", "microflask._urls_compat"),
            1: ("microflask.tools", "microflask.extras", "microflask.app"),
            2: ("microflask",),
        }
        PARTS = {"tools": ("microflask.tools",), "compat": ("microflask._urls_compat",)}


        def _placed_by(table, dotted):
            names = [n for ns in table.values() for n in ns
                     if dotted == n or (n != "microflask" and dotted.startswith(n + "."))]
            return max(names, key=len) if names else None


        def rank_of(dotted):
            placed = _placed_by(LAYERS, dotted)
            return next(((k, ns.index(placed)) for k, ns in LAYERS.items() if placed in ns), None)


        def layer_of(dotted):
            placed = _placed_by(LAYERS, dotted)
            return next((k for k, ns in LAYERS.items() if placed in ns), None)


        def part_of(dotted):
            placed = _placed_by(PARTS, dotted)
            return next((k for k, ns in PARTS.items() if placed in ns), "core")
    ''',
    "urls.py": '''
        """A core module whose old names live in a compat sibling."""
        __all__ = ["quote"]


        def quote(text):
            return text.replace(" ", "%20")


        def __getattr__(name):
            if name == "url_fix":
                from ._urls_compat import url_fix

                return url_fix
            raise AttributeError(name)
    ''',
    "_urls_compat.py": '''
        """Compat names."""
        __all__ = ["url_fix"]


        def url_fix(text):
            return "fixed:" + text
    ''',
    "tools.py": '''
        """A tool."""
        __all__ = ["run"]


        def run(app):
            return "ran " + app.name
    ''',
    "extras/__init__.py": '''
        """A core package that re-exports a tool, like middleware does."""
        from ..tools import run as run
        from ..urls import quote as quote
        __all__ = ["quote", "run"]
    ''',
    "app.py": '''
        """The app."""
        __all__ = ["App"]


        class App:
            name = "app"

            def run(self):
                from .tools import run

                return run(self)

            def fix(self, text):
                from .urls import url_fix

                return url_fix(text)
    ''',
}

PROFILED_SCRIPT = """
    import json
    import microflask
    from microflask.extras import quote
    app = microflask.App()
    outcomes = {"quote": quote("a b")}
    attempts = {
        "app.run()": app.run,
        "app.fix()": lambda: app.fix("x"),
        "urls.url_fix": lambda: microflask.urls.url_fix,
        "from extras import run": lambda: exec("from microflask.extras import run"),
        "import tools": lambda: exec("import microflask.tools"),
    }
    for name, attempt in attempts.items():
        try:
            outcomes[name] = repr(attempt())
        except ImportError as error:
            outcomes[name] = ["ImportError", error.name, str(error).split(":")[0]]
    print(json.dumps(outcomes))
"""


def test_profiles_on_a_sample_package(tmp_path):
    package = write_sample_package(tmp_path / "src", PROFILED_PACKAGE)
    results = {}
    for profile in ("full", "core"):
        out_dir = tmp_path / profile
        out_dir.mkdir()
        text = bundler.build_bundle(str(package), profile)
        (out_dir / "microflask.py").write_text(text, encoding="utf-8")
        results[profile] = run_isolated(out_dir, PROFILED_SCRIPT)
    full, core = results["full"], results["core"]
    assert full["quote"] == core["quote"] == "a%20b"
    assert full["app.run()"] == "'ran app'"
    assert full["app.fix()"] == "'fixed:x'"
    assert full["urls.url_fix"].startswith("<function url_fix")
    assert full["from extras import run"] == full["import tools"] == "None"
    core_file = tmp_path / "core" / "microflask.py"
    tools_error = ["ImportError", "microflask.tools",
                   "microflask.tools is not in this single file (%s)" % core_file]
    compat_error = ["ImportError", "microflask._urls_compat",
                    "microflask._urls_compat is not in this single file (%s)" % core_file]
    assert core["app.run()"] == core["import tools"] == tools_error
    assert core["app.fix()"] == core["urls.url_fix"] == compat_error
    assert core["from extras import run"][:2] == ["ImportError", "microflask.tools"]
    assert core["from extras import run"][2].startswith(
        "microflask.extras.run needs microflask.tools, which is not in this single file")


def test_a_core_module_that_uses_a_left_out_name_cannot_be_bundled_core(tmp_path):
    files = dict(PROFILED_PACKAGE)
    files["extras/__init__.py"] = '''
        """Uses the tool at import time."""
        from ..tools import run
        RUNNER = run
        __all__ = ["RUNNER"]
    '''
    package = write_sample_package(tmp_path, files)
    bundler.build_bundle(str(package), "full")
    with pytest.raises(bundler.BundleError, match=r"uses run from microflask\.tools"):
        bundler.build_bundle(str(package), "core")
    with pytest.raises(bundler.BundleError, match="unknown profile 'tiny'"):
        bundler.build_bundle(str(package), "tiny")


def test_a_module_may_not_bind_a_builtin_the_file_itself_reads(tmp_path):
    # The file's own functions (compiling and running sections) read
    # ``compile``, ``exec``, ``open``... from the namespace all modules share.
    package = write_sample_package(tmp_path, {
        "__init__.py": '"""Root."""\nfrom .files import open as open\n',
        "files.py": '"""Shadows a builtin."""\n\n\ndef open(path):\n    return path\n',
    })
    with pytest.raises(bundler.BundleError, match="microflask.files binds open, a builtin"):
        bundler.build_bundle(str(package))


def test_section_text_literals_keep_every_line_where_it_was():
    for text in ['x = """a"""\n', "x = '''a'''\n", "a = '''1'''\nb = \"\"\"2\"\"\"\nc = '\\\\'\n",
                 "path = r'C:\\\\'\n"]:
        literal = bundler._text_literal("\n" + text)
        assert ast.literal_eval(literal) == "\n" + text
        assert literal.count("\n") == text.count("\n") + 1


# -- imports inside functions whose names the function binds otherwise ------------
#
# ``from .a import helper as real`` inside a function becomes ``real = helper``
# in the one namespace; when the function (or one around it) binds ``helper``
# itself, that plain line would read the wrong object (``run_app``'s boolean
# ``load_dotenv`` parameter was called as the dotenv loader).


SHADOWING_PACKAGE = {
    "__init__.py": '''
        """Root."""
        from . import a as a
        from . import b as b
        __all__ = ["a", "b"]
    ''',
    "a.py": '''
        """What the functions import."""
        __all__ = ["helper"]


        def helper():
            return "a.helper"
    ''',
    "late.py": '''
        """Imported only inside functions: a section run on first use."""
        __all__ = ["late_helper"]


        def late_helper():
            return "late.late_helper"
    ''',
    "b.py": '''
        """Local imports whose names the function also binds."""
        import contextlib

        __all__ = ["CASES", "InClassBody"]

        _GLOBAL_HELPER = None


        def by_parameter(helper=True):
            from .a import helper as real
            return real()


        def by_star_args(*helper, **kwargs):
            from .a import helper as real
            return real()


        def by_double_star(**helper):
            from .a import helper as real
            return real()


        def by_keyword_only(*, helper=None):
            from .a import helper as real
            return real()


        def by_assignment():
            helper = "local"
            from .a import helper as real
            return real() + "/" + helper


        def by_later_assignment():
            from .a import helper as real
            found = real()
            helper = "late"
            return found + "/" + helper


        def by_for_target():
            for helper in ["loop"]:
                pass
            from .a import helper as real
            return real() + "/" + helper


        def by_with_target():
            with contextlib.nullcontext("with") as helper:
                from .a import helper as real
                return real() + "/" + helper


        def by_except_name():
            try:
                raise KeyError("x")
            except KeyError as helper:
                assert helper
            from .a import helper as real
            return real()


        def by_nested_def():
            def helper():
                return "nested"
            from .a import helper as real
            return real() + "/" + helper()


        def by_nested_class():
            class helper:
                pass
            from .a import helper as real
            return real() + "/" + helper.__name__


        def by_enclosing_parameter(helper=True):
            def inner():
                from .a import helper as real
                return real()
            return inner()


        def by_enclosing_assignment():
            helper = "outer"

            def inner():
                def innermost():
                    from .a import helper as real
                    return real()
                return innermost()
            return inner() + "/" + helper


        def same_name_as_parameter(helper=None):
            if helper is None:
                from .a import helper
            return helper()


        def same_name_in_enclosing(helper=None):
            def inner():
                from .a import helper
                return helper()
            return inner()


        def same_name_seen_by_nested_nonlocal():
            from .a import helper

            def inner():
                nonlocal helper
                return helper()
            return inner()


        def by_nonlocal():
            helper = None

            def inner():
                nonlocal helper
                from .a import helper
            inner()
            return helper()


        def by_global():
            global _GLOBAL_HELPER
            from .a import helper as _GLOBAL_HELPER
            return _GLOBAL_HELPER()


        def lazy_by_parameter(late_helper=True):
            from .late import late_helper as real
            return real()


        def lazy_same_name_as_parameter(late_helper=None):
            if late_helper is None:
                from .late import late_helper
            return late_helper()


        def plain_kept():
            from .a import helper
            return helper()


        def plain_renamed():
            from .a import helper as real
            return real()


        class InClassBody:
            from .a import helper as helper
            from .a import helper as other

            def method(self, helper=True):
                from .a import helper as real
                return real()


        CASES = {name: value for name, value in globals().items()
                 if name.startswith(("by_", "same_", "lazy_", "plain_"))}
    ''',
}


def test_local_imports_shadowed_by_the_function_still_mean_the_module_object(tmp_path):
    package = write_sample_package(tmp_path / "src", SHADOWING_PACKAGE)
    text = bundler.build_bundle(str(package))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "microflask.py").write_text(text, encoding="utf-8")
    result = run_isolated(out_dir, """
        import json
        import microflask
        results = {}
        for name, function in microflask.b.CASES.items():
            try:
                results[name] = function()
            except Exception as error:
                results[name] = "%s: %s" % (type(error).__name__, error)
        body = microflask.b.InClassBody
        results["class_attribute"] = (body.__dict__["helper"](), body.__dict__["other"]())
        results["method"] = body().method()
        results["global_set"] = microflask.b._GLOBAL_HELPER is microflask.a.helper
        print(json.dumps(results))
    """)
    expected_plain = {
        "by_parameter", "by_star_args", "by_double_star", "by_keyword_only",
        "by_except_name", "by_enclosing_parameter", "same_name_as_parameter",
        "same_name_in_enclosing", "same_name_seen_by_nested_nonlocal", "by_nonlocal",
        "by_global", "plain_kept", "plain_renamed",
    }
    assert {name: result[name] for name in expected_plain} == dict.fromkeys(
        expected_plain, "a.helper")
    assert result["by_assignment"] == "a.helper/local"
    assert result["by_later_assignment"] == "a.helper/late"
    assert result["by_for_target"] == "a.helper/loop"
    assert result["by_with_target"] == "a.helper/with"
    assert result["by_nested_def"] == "a.helper/nested"
    assert result["by_nested_class"] == "a.helper/helper"
    assert result["by_enclosing_assignment"] == "a.helper/outer"
    assert result["lazy_by_parameter"] == "late.late_helper"
    assert result["lazy_same_name_as_parameter"] == "late.late_helper"
    assert result["class_attribute"] == ["a.helper", "a.helper"]
    assert result["method"] == "a.helper"
    assert result["global_set"] is True
    # the plain forms stay where they are right, so the file reads like the package
    assert "real = helper\n" in text
    assert "real = _bundle_namespace['helper']\n" in text
    assert "helper = _bundle_namespace['helper']\n" in text
    plain_kept = text[text.index("def plain_kept():"):text.index("def plain_renamed():")]
    assert "helper =" not in plain_kept and "import" not in plain_kept


def test_a_local_import_read_that_cannot_be_rescued_is_refused(tmp_path):
    # The rescue reads ``_bundle_namespace``; a function that binds that name
    # too cannot be bundled, and the error says where and why.
    files = dict(SHADOWING_PACKAGE)
    files["b.py"] = '''
        """Binds the bundler's own helper name."""
        __all__ = ["stubborn"]


        def stubborn(helper, _bundle_namespace=None):
            from .a import helper as real
            return real()
    '''
    package = write_sample_package(tmp_path, files)
    with pytest.raises(bundler.BundleError) as caught:
        bundler.build_bundle(str(package))
    message = str(caught.value)
    assert "b.py:6: in stubborn: " in message
    assert "'_bundle_namespace'" in message


def test_the_check_catches_the_plain_rewrite_of_a_shadowed_import(tmp_path, monkeypatch):
    # Without the rescue (the bundler as it was: always ``local = shared``),
    # the check on the written section refuses the bundle, naming the place.
    def plain_binding_lines(self, scope, local, target):
        shared = self.plan.bundle_name(self.module.dotted, local, target)
        return [] if shared == local else ["%s = %s" % (local, shared)]

    monkeypatch.setattr(bundler.BundleSectionWriter, "_local_binding_lines",
                        plain_binding_lines)
    package = write_sample_package(tmp_path, SHADOWING_PACKAGE)
    with pytest.raises(bundler.BundleError) as caught:
        bundler.build_bundle(str(package))
    message = str(caught.value)
    for expected in (
        "b.py:10: in by_parameter: 'from .a import helper as real' is written as "
        "\"_bundle_require('microflask.a'); real = helper\", which reads 'helper'; "
        "but by_parameter binds 'helper'",
        "in by_enclosing_parameter.<locals>.inner: ",
        "in by_enclosing_assignment.<locals>.inner.<locals>.innermost: ",
        "in same_name_in_enclosing.<locals>.inner: 'from .a import helper' is dropped",
        "in same_name_seen_by_nested_nonlocal: 'from .a import helper' is dropped",
        "in InClassBody.method: ",
        "in lazy_by_parameter: ",
    ):
        assert expected in message, expected


def real_package_local_imports():
    modules = package_modules()
    resolver = bundler.BundleNameResolver(modules)
    plan = bundler.BundleNamePlan(modules, resolver)
    for dotted in bundler.bundle_module_order(modules, resolver):
        writer = bundler.BundleSectionWriter(modules[dotted], plan, lazy_modules=modules)
        text = writer.section_text()  # refuses a shadowed read (BundleError)
        yield writer, text


def test_no_local_import_of_the_real_bundle_reads_a_shadowed_name():
    checked = 0
    rescued = set()
    for writer, text in real_package_local_imports():
        assert writer._check_local_imports(text) == [], writer.module.dotted
        for record in writer.local_imports:
            checked += 1
            if any("_bundle_namespace[" in line for line in record.lines):
                rescued.add((writer.module.dotted, record.scope.qualname,
                             ast.get_source_segment(writer.module.source, record.node)))
    assert checked > 50  # the check really looked at the package's local imports
    serving = (PACKAGE / "serving.py").read_text(encoding="utf-8")
    if "import load_dotenv as load_env_files" in serving:
        assert ("microflask.serving", "run_app",
                "from microflask._dotenv import load_dotenv as load_env_files") in rescued


def test_app_run_loads_dotenv_in_the_bundle(bundle_file, tmp_path):
    # The suite sets FLASK_SKIP_DOTENV=1; here ``app.run()`` takes the real
    # start-up path of the bundle, dotenv on, up to where it would serve.
    work = tmp_path / "project"
    work.mkdir()
    (work / ".env").write_text("FLASK_RUN_PORT=8123\n", encoding="utf-8")
    environment = {
        name: value for name, value in os.environ.items()
        if not name.startswith(("FLASK_", "MICROFLASK_"))
    }
    script = textwrap.dedent("""
        import json, os, sys
        sys.path.insert(0, %r)
        import microflask
        import microflask.serving as serving

        calls = []

        def recording_run_simple(hostname, port, application, **options):
            calls.append({"host": hostname, "port": port,
                          "app": application.name, "options": sorted(options)})

        serving.run_app  # runs the serving section before patching it
        serving.run_simple = recording_run_simple
        app = microflask.Flask("dotenv_app")
        app.run()
        serving.run_app(app, load_dotenv=True)
        print(json.dumps({"file": microflask.__file__, "calls": calls,
                          "port_variable": os.environ.get("FLASK_RUN_PORT")}))
    """) % str(bundle_file.parent)
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], cwd=str(work), env=environment,
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "TypeError" not in done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert pathlib.Path(result["file"]) == bundle_file
    assert result["port_variable"] == "8123"
    assert [call["port"] for call in result["calls"]] == [8123, 8123]
    assert result["calls"][0]["host"] == "127.0.0.1"
    assert result["calls"][0]["app"] == "dotenv_app"
