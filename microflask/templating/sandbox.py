"""Environments for untrusted templates (Jinja's ``jinja2.sandbox``).

Every environment here already refuses private and internal attributes;
the sandbox adds a check on every call (``unsafe`` callables, Django-style
``alters_data``), optional operator interception, and the immutable variant
refuses methods that change lists, dicts, sets and deques.
"""

from __future__ import annotations

import typing as t
from collections import abc, deque

from microflask.markup import Markup, escape
from microflask.templating.environment import Environment
from microflask.templating.exceptions import SecurityError
from microflask.templating.runtime import (
    MAX_RANGE,
    SafeTemplateFormatter,
    attribute_is_internal,
    call_with_pass_arg,
    safe_modulo,
    safe_multiply,
    safe_power,
    safe_range,
    unsafe_attribute_undefined,
    wrap_str_format,
)
from microflask.templating.utils import internalcode

__all__ = [
    "SandboxedEnvironment",
    "ImmutableSandboxedEnvironment",
    "is_internal_attribute",
    "modifies_known_mutable",
    "unsafe",
    "MAX_RANGE",
    "safe_range",
    "UNSAFE_FUNCTION_ATTRIBUTES",
    "UNSAFE_METHOD_ATTRIBUTES",
    "UNSAFE_GENERATOR_ATTRIBUTES",
    "UNSAFE_COROUTINE_ATTRIBUTES",
    "UNSAFE_ASYNC_GENERATOR_ATTRIBUTES",
    "SandboxedFormatter",
    "SandboxedEscapeFormatter",
]

# Jinja's lists of attribute names the sandbox refuses on each kind of object,
# with Jinja's contents.  For reading only: every environment here refuses
# them (and more) through ``runtime.UNSAFE_ATTRIBUTE_NAMES``.
#: Function attributes refused besides dunder names (none).
UNSAFE_FUNCTION_ATTRIBUTES: set[str] = set()
#: Method attributes refused besides dunder names (none).
UNSAFE_METHOD_ATTRIBUTES: set[str] = set()
#: Generator attributes that lead to frames and code.
UNSAFE_GENERATOR_ATTRIBUTES = {"gi_frame", "gi_code"}
#: Coroutine attributes that lead to frames and code.
UNSAFE_COROUTINE_ATTRIBUTES = {"cr_frame", "cr_code"}
#: Async generator attributes that lead to frames and code.
UNSAFE_ASYNC_GENERATOR_ATTRIBUTES = {"ag_code", "ag_frame"}

_MUTABLE_SEQUENCE_METHODS = frozenset(
    ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort", "__iadd__",
     "__imul__", "__setitem__", "__delitem__"]
)
_MUTABLE_MAPPING_METHODS = frozenset(
    ["clear", "pop", "popitem", "setdefault", "update", "__setitem__", "__delitem__", "__ior__"]
)
_MUTABLE_SET_METHODS = frozenset(
    ["add", "clear", "difference_update", "discard", "pop", "remove",
     "symmetric_difference_update", "update", "intersection_update", "__ior__", "__iand__",
     "__isub__", "__ixor__"]
)
_DEQUE_METHODS = frozenset(
    ["append", "appendleft", "clear", "extend", "extendleft", "pop", "popleft", "remove",
     "rotate", "insert", "reverse", "__setitem__", "__delitem__", "__iadd__", "__imul__"]
)
_KNOWN_MUTABLE_TYPES: tuple[tuple[type, frozenset[str]], ...] = (
    (abc.MutableSet, _MUTABLE_SET_METHODS),
    (abc.MutableMapping, _MUTABLE_MAPPING_METHODS),
    (deque, _DEQUE_METHODS),
    (abc.MutableSequence, _MUTABLE_SEQUENCE_METHODS),
)


def unsafe(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """Mark a function or method so sandboxed templates may not call it."""
    f.unsafe_callable = True  # type: ignore[attr-defined]
    return f


def is_internal_attribute(obj: t.Any, attr: str) -> bool:
    """True for attributes that lead to Python internals (frames, code,
    globals, private names)."""
    return attribute_is_internal(obj, attr)


def modifies_known_mutable(obj: t.Any, attr: str) -> bool:
    """True if ``attr`` is a method that changes a list, dict, set or deque."""
    for type_, methods in _KNOWN_MUTABLE_TYPES:
        if isinstance(obj, type_):
            return attr in methods
    return False


class SandboxedEnvironment(Environment):
    """An environment for templates written by people you do not trust."""

    sandboxed = True
    #: Operators (``+``, ``-``, ``*``, ``/``, ``//``, ``%``, ``**``) routed
    #: through :meth:`call_binop`; none by default.
    intercepted_binops: frozenset[str] = frozenset()
    #: Unary operators (``+``, ``-``, ``not``) routed through :meth:`call_unop`.
    intercepted_unops: frozenset[str] = frozenset()

    default_binop_table: dict[str, t.Callable[[t.Any, t.Any], t.Any]] = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "//": lambda a, b: a // b,
        "**": lambda a, b: a**b,
        "%": lambda a, b: a % b,
    }
    default_unop_table: dict[str, t.Callable[[t.Any], t.Any]] = {
        "+": lambda a: +a,
        "-": lambda a: -a,
        "not": lambda a: not a,
    }

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.binop_table = dict(self.default_binop_table)
        self.unop_table = dict(self.default_unop_table)

    def is_safe_attribute(self, obj: t.Any, attr: str, value: t.Any) -> bool:
        """Whether a template may read ``obj.attr`` (override to restrict)."""
        return not (attr.startswith("_") or is_internal_attribute(obj, attr))

    def is_safe_callable(self, obj: t.Any) -> bool:
        """Whether a template may call ``obj`` (override to restrict)."""
        return not (
            getattr(obj, "unsafe_callable", False) or getattr(obj, "alters_data", False)
        )

    @internalcode
    def call_binop(self, context: t.Any, operator: str, left: t.Any, right: t.Any) -> t.Any:
        """Run an intercepted binary operator."""

        if operator == "*":
            return safe_multiply(left, right)
        if operator == "**":
            return safe_power(left, right)
        if operator == "%":
            return safe_modulo(left, right)
        return self.binop_table[operator](left, right)

    @internalcode
    def call_unop(self, context: t.Any, operator: str, arg: t.Any) -> t.Any:
        """Run an intercepted unary operator."""
        return self.unop_table[operator](arg)

    @internalcode
    def getitem(self, obj: t.Any, argument: t.Any) -> t.Any:
        try:
            return obj[argument]
        except (TypeError, LookupError):
            if argument.__class__ is slice:
                raise  # as in Jinja, slicing is plain Python: ``5[1:2]`` is a TypeError
            if isinstance(argument, str):
                try:
                    attr = str(argument)
                except Exception:
                    pass
                else:
                    try:
                        value = getattr(obj, attr)
                    except AttributeError:
                        pass
                    else:
                        if self.is_safe_attribute(obj, argument, value):
                            return wrap_str_format(self, obj, argument, value)
                        return self.unsafe_undefined(obj, argument)
        return self.undefined(obj=obj, name=argument)

    @internalcode
    def getattr(self, obj: t.Any, attribute: str) -> t.Any:
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                pass
        else:
            if self.is_safe_attribute(obj, attribute, value):
                return wrap_str_format(self, obj, attribute, value)
            return self.unsafe_undefined(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def unsafe_undefined(self, obj: t.Any, attribute: str) -> t.Any:
        return unsafe_attribute_undefined(self, obj, attribute)

    def format_string(
        self,
        s: str,
        args: tuple[t.Any, ...],
        kwargs: dict[str, t.Any],
        format_func: t.Any = None,
    ) -> str:
        """``s.format(*args, **kwargs)`` without reaching unsafe attributes
        (and escaping the arguments when ``s`` is Markup)."""

        if format_func is not None and getattr(format_func, "__name__", "") == "format_map":
            if len(args) != 1 or kwargs:
                raise TypeError("format_map() takes exactly one argument")
            kwargs = args[0]
            args = ()
        escape_function = escape if isinstance(s, Markup) else None
        rv = SafeTemplateFormatter(self, escape_function).vformat(s, args, kwargs)
        return Markup(rv) if escape_function is not None else rv

    @internalcode
    def call(__self, __context: t.Any, __obj: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:  # noqa: N805
        """Call ``__obj`` for a template, after checking it is safe."""
        if not __self.is_safe_callable(__obj):
            raise SecurityError("%r is not safely callable" % (__obj,))
        return call_with_pass_arg(__context, __obj, *args, **kwargs)


#: Jinja's name for the ``str.format`` helper that keeps fields away from
#: unsafe attributes: ``SandboxedFormatter(environment)``.
SandboxedFormatter = SafeTemplateFormatter


class SandboxedEscapeFormatter(SafeTemplateFormatter):
    """The same, escaping each field: ``SandboxedEscapeFormatter(env, escape=escape)``."""

    def __init__(self, env: t.Any, escape: t.Callable[[t.Any], t.Any]) -> None:
        super().__init__(env, escape)


class ImmutableSandboxedEnvironment(SandboxedEnvironment):
    """A sandbox that also refuses methods changing builtin containers."""

    def is_safe_attribute(self, obj: t.Any, attr: str, value: t.Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return not modifies_known_mutable(obj, attr)
