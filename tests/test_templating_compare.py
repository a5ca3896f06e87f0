"""microflask.templating against real Jinja2 output.

The expected outputs were produced by running Jinja2 on the same cases
(tests/fixtures/make_templating_expectations.py, not run by CI) and are
stored in tests/fixtures/templating_expectations.json.
"""

import json
import pathlib
import sys

import pytest

from microflask import templating
from microflask.templating import DictLoader, Environment

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from templating_cases import CASES  # noqa: E402

EXPECTED = json.loads((FIXTURES / "templating_expectations.json").read_text(encoding="utf-8"))

# Where microflask deliberately differs from Jinja2: case name -> our result.
DEVIATIONS = {
    # Jinja2 leaks a Python SyntaxError from its code generator here.
    "err_break_outside": {
        "error": "TemplateAssertionError",
        "message": "'break' outside of a loop",
    },
    # Jinja2's default environment hands out ``__class__`` through |attr;
    # microflask refuses internals in every environment, not only the sandbox.
    "f_attr": {"output": "[]"},
}


def build_env(case):
    options = dict(case["env"])
    if "undefined" in options:
        options["undefined"] = getattr(templating, options["undefined"])
    options["loader"] = DictLoader(case.get("templates", {}))
    options.setdefault("extensions", ["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    return Environment(**options)


def run(case):
    try:
        env = build_env(case)
        if "templates" in case:
            template = env.get_template(case["render"])
        else:
            template = env.from_string(case["source"])
        return {"output": template.render(**case["context"])}
    except Exception as e:
        result = {"error": type(e).__name__, "message": str(getattr(e, "message", None) or e)}
        if isinstance(e, templating.TemplateSyntaxError):
            result["lineno"] = e.lineno
        return result


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_jinja(case):
    expected = DEVIATIONS.get(case["name"], EXPECTED[case["name"]])
    actual = run(case)
    if "error" in expected and "error" in actual:
        # Only the fields Jinja's result has are compared.
        actual = {key: actual.get(key) for key in expected}
    assert actual == expected


def test_every_case_has_an_expectation():
    assert len(CASES) >= 100
    assert {c["name"] for c in CASES} <= set(EXPECTED)
