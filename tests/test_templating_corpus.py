"""microflask.templating against Jinja2 on a seeded random corpus.

Hundreds of generated templates (expressions, whitespace control, line
statements, inheritance/include/import/macro programs) with the text or
error type real Jinja2 produced for each, stored in
tests/fixtures/templating_random_corpus.json by
tests/fixtures/make_templating_random_corpus.py (not run by CI).
"""

import json
import pathlib

import pytest

from microflask.templating import DictLoader, Environment

CORPUS = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "templating_random_corpus.json").read_text(
        encoding="utf-8"
    )
)
CONTEXTS = CORPUS["contexts"]


def render(case):
    env = Environment(loader=DictLoader(case["templates"]), **case["env"])
    try:
        return {"output": env.get_template("main").render(CONTEXTS[case["context"]])}
    except Exception as e:
        return {"error": type(e).__name__}


@pytest.mark.parametrize("kind", ["expression", "whitespace", "program"])
def test_corpus_matches_jinja(kind):
    cases = [case for case in CORPUS["cases"] if case["kind"] == kind]
    assert len(cases) > 100
    mismatches = []
    for case in cases:
        expected = {k: case[k] for k in ("output", "error") if k in case}
        if expected.get("error") == "RecursionError":
            # Jinja lets Python's RecursionError out; microflask reports runaway
            # recursion as a TemplateRuntimeError naming the macro and line (README).
            expected["error"] = "TemplateRuntimeError"
        actual = render(case)
        if actual != expected:
            mismatches.append((case["templates"], expected, actual))
    assert not mismatches, mismatches[:3]
