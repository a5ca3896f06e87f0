"""The builtin template tests (what Jinja calls ``jinja2.tests``).

A test answers a yes/no question about a value: ``{% if n is odd %}``,
``{{ users|selectattr("email", "defined") }}``.  Each is a function named
``test_<name>``; :data:`TESTS` maps the names templates use to them,
including the operator spellings (``==``, ``<`` ...) and their aliases.
"""

from __future__ import annotations

import operator
import typing as t
from collections import abc
from numbers import Number

from microflask.templating.runtime import Undefined
from microflask.templating.utils import pass_environment

__all__ = [
    "TESTS",
    "test_odd",
    "test_even",
    "test_divisibleby",
    "test_defined",
    "test_undefined",
    "test_filter",
    "test_test",
    "test_none",
    "test_boolean",
    "test_false",
    "test_true",
    "test_integer",
    "test_float",
    "test_lower",
    "test_upper",
    "test_string",
    "test_mapping",
    "test_number",
    "test_sequence",
    "test_sameas",
    "test_iterable",
    "test_escaped",
    "test_in",
    "test_callable",
]


def test_odd(value: int) -> bool:
    """The value is an odd number."""
    return value % 2 == 1


def test_even(value: int) -> bool:
    """The value is an even number."""
    return value % 2 == 0


def test_divisibleby(value: int, num: int) -> bool:
    """The value divides evenly by ``num``."""
    return value % num == 0


def test_defined(value: t.Any) -> bool:
    """The variable is defined (not an undefined placeholder)."""
    return not isinstance(value, Undefined)


def test_undefined(value: t.Any) -> bool:
    """The variable is undefined."""
    return isinstance(value, Undefined)


@pass_environment
def test_filter(env: t.Any, value: str) -> bool:
    """A filter of that name exists in the environment."""
    return value in env.filters


@pass_environment
def test_test(env: t.Any, value: str) -> bool:
    """A test of that name exists in the environment."""
    return value in env.tests


def test_none(value: t.Any) -> bool:
    """The value is ``None``."""
    return value is None


def test_boolean(value: t.Any) -> bool:
    """The value is ``True`` or ``False``."""
    return value is True or value is False


def test_false(value: t.Any) -> bool:
    """The value is ``False`` itself."""
    return value is False


def test_true(value: t.Any) -> bool:
    """The value is ``True`` itself."""
    return value is True


def test_integer(value: t.Any) -> bool:
    """The value is an int (booleans excluded)."""
    return isinstance(value, int) and value is not True and value is not False


def test_float(value: t.Any) -> bool:
    """The value is a float."""
    return isinstance(value, float)


def test_lower(value: str) -> bool:
    """The value's string is all lower case."""
    return str(value).islower()


def test_upper(value: str) -> bool:
    """The value's string is all upper case."""
    return str(value).isupper()


def test_string(value: t.Any) -> bool:
    """The value is a string."""
    return isinstance(value, str)


def test_mapping(value: t.Any) -> bool:
    """The value is a mapping (a dict or the like)."""
    return isinstance(value, abc.Mapping)


def test_number(value: t.Any) -> bool:
    """The value is a number."""
    return isinstance(value, Number)


def test_sequence(value: t.Any) -> bool:
    """The value has a length and can be indexed."""
    try:
        len(value)
        value.__getitem__  # noqa: B018 - only checking that it exists
    except Exception:
        return False
    return True


def test_sameas(value: t.Any, other: t.Any) -> bool:
    """The value is the very same object as ``other``."""
    return value is other


def test_iterable(value: t.Any) -> bool:
    """The value can be iterated over."""
    try:
        iter(value)
    except TypeError:
        return False
    return True


def test_escaped(value: t.Any) -> bool:
    """The value is already escaped (has ``__html__``)."""
    return hasattr(value, "__html__")


def test_in(value: t.Any, seq: t.Container[t.Any]) -> bool:
    """The value is contained in ``seq``."""
    return value in seq


test_callable = callable


TESTS: dict[str, t.Callable[..., bool]] = {
    "odd": test_odd,
    "even": test_even,
    "divisibleby": test_divisibleby,
    "defined": test_defined,
    "undefined": test_undefined,
    "filter": test_filter,
    "test": test_test,
    "none": test_none,
    "boolean": test_boolean,
    "false": test_false,
    "true": test_true,
    "integer": test_integer,
    "float": test_float,
    "lower": test_lower,
    "upper": test_upper,
    "string": test_string,
    "mapping": test_mapping,
    "number": test_number,
    "sequence": test_sequence,
    "iterable": test_iterable,
    "callable": callable,
    "sameas": test_sameas,
    "escaped": test_escaped,
    "in": test_in,
    "==": operator.eq,
    "eq": operator.eq,
    "equalto": operator.eq,
    "!=": operator.ne,
    "ne": operator.ne,
    ">": operator.gt,
    "gt": operator.gt,
    "greaterthan": operator.gt,
    ">=": operator.ge,
    "ge": operator.ge,
    "<": operator.lt,
    "lt": operator.lt,
    "lessthan": operator.lt,
    "<=": operator.le,
    "le": operator.le,
}
