"""Real Flask extensions' template tags, run unchanged through the module map.

Optional: each test needs the extension installed (it is not a test
dependency) and skips, saying so, where it is not.
"""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)


def run_mapped(code):
    """Run ``code`` in a fresh interpreter with the module map installed."""
    prelude = "import sys\nsys.path[:0] = [%r, %r]\nimport module_map\nmodule_map.install()\n" % (
        ROOT,
        TESTS,
    )
    result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(
    importlib.util.find_spec("flask_caching") is None
    or importlib.util.find_spec("cachelib") is None,
    reason="Flask-Caching is not installed (pip install flask-caching to run this interop test)",
)
def test_flask_caching_cache_tag():
    out = run_mapped('''
        from flask import Flask, render_template_string
        from flask_caching import Cache, make_template_fragment_key
        import microflask

        app = Flask(__name__)
        assert isinstance(app, microflask.Flask)
        cache = Cache(app, config={"CACHE_TYPE": "SimpleCache"})
        calls = []

        @app.route("/")
        def index():
            return render_template_string(
                "{% cache 60, 'frag', 'x' %}[{{ work() }}]{% endcache %}",
                work=lambda: calls.append(1) or len(calls))

        client = app.test_client()
        print(client.get("/").data, client.get("/").data, len(calls))
        print(cache.get(make_template_fragment_key("frag", vary_on=["x"])))
        cache.delete(make_template_fragment_key("frag", vary_on=["x"]))
        print(client.get("/").data)
    ''')
    assert out.split("\n")[:3] == ["b'[1]' b'[1]' 1", "[1]", "b'[2]'"]
