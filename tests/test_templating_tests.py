"""The builtin template tests of microflask.templating.tests, called directly.

Expected results come from tests/fixtures/templating_tests_expected.json,
recorded from Jinja2 by tests/fixtures/templating_make_filters_fixture.py.
"""

import json
import pathlib

import pytest

from microflask.markup import Markup
from microflask.templating import tests as builtin_tests
from microflask.templating.filters import FILTERS
from microflask.templating.runtime import Undefined
from microflask.templating.tests import TESTS

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "templating_tests_expected.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))


class EnvironmentWithRegistries:
    filters = FILTERS
    tests = TESTS


def decode(value):
    if isinstance(value, dict) and "$markup" in value:
        return Markup(value["$markup"])
    return value


def call_test(name, value, args):
    func = TESTS[name]
    if getattr(func, "jinja_pass_arg", None) == "environment":
        return func(EnvironmentWithRegistries(), value, *args)
    return func(value, *args)


@pytest.mark.parametrize(
    "case", CASES, ids=["%s-%r-%r" % (c["test"], c["value"], c["args"]) for c in CASES]
)
def test_matches_jinja(case):
    assert call_test(case["test"], decode(case["value"]), case["args"]) == case["expect"]


def test_every_builtin_test_is_registered():
    expected = {
        "odd", "even", "divisibleby", "defined", "undefined", "filter", "test", "none",
        "boolean", "false", "true", "integer", "float", "lower", "upper", "string",
        "mapping", "number", "sequence", "iterable", "callable", "sameas", "escaped",
        "in", "==", "eq", "equalto", "!=", "ne", ">", "gt", "greaterthan", ">=", "ge",
        "<", "lt", "lessthan", "<=", "le",
    }  # fmt: skip
    assert set(TESTS) == expected


def test_defined_and_undefined():
    assert builtin_tests.test_defined(0)
    assert not builtin_tests.test_defined(Undefined())
    assert builtin_tests.test_undefined(Undefined(name="x"))
    assert not builtin_tests.test_undefined(None)


def test_sameas_is_identity():
    marker = object()
    assert builtin_tests.test_sameas(marker, marker)
    assert not builtin_tests.test_sameas([], [])


def test_callable_and_public_names():
    assert builtin_tests.test_callable(len)
    assert not TESTS["callable"](3)
    assert builtin_tests.test_filter.jinja_pass_arg == "environment"
    assert builtin_tests.test_test.jinja_pass_arg == "environment"


def test_sequence_survives_objects_that_raise():
    class Weird:
        def __len__(self):
            raise RuntimeError("no")

    assert not builtin_tests.test_sequence(Weird())


def test_divisibleby_zero_raises():
    with pytest.raises(ZeroDivisionError):
        builtin_tests.test_divisibleby(3, 0)
