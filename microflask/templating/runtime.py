"""What compiled templates call while they render (Jinja's ``jinja2.runtime``).

Undefined values, the render context, the ``loop`` object, macros, block
references, and the guarded attribute, item, call and operator helpers that
keep a template away from Python internals.
"""

from __future__ import annotations

import string
import types
import typing as t
from collections import ChainMap, abc, deque

from microflask.markup import Markup, escape, soft_str
from microflask.templating.exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateOverflowError,
    TemplateRuntimeError,
    UndefinedError,
)
from microflask.templating.nodes import EvalContext
from microflask.templating.utils import (
    MAX_TEMPLATE_INTEGER_BITS,
    MAX_TEMPLATE_SEQUENCE_LENGTH,
    Namespace,
    check_template_result_size,
    concat,
    escaped_text_length,
    internalcode,
    missing,
    object_type_repr,
    pass_eval_context,
)

__all__ = [
    "missing",
    "Undefined",
    "ChainableUndefined",
    "DebugUndefined",
    "StrictUndefined",
    "make_logging_undefined",
    "EvalContext",
    "Context",
    "new_context",
    "LoopContext",
    "Macro",
    "BlockReference",
    "TemplateReference",
    "markup_join",
    "str_join",
    "concat",
    "identity",
    "escape",
    "Markup",
    "soft_str",
    "TemplateNotFound",
    "MAX_RANGE",
    "safe_range",
    "debug_dump",
    "Namespace",
    "pass_eval_context",
    "exported",
    "template_recursion_message",
]

#: The runtime names Jinja's generated modules import (Jinja's list; each is
#: an attribute of this module).  microflask's generated code gets its
#: names from the environment instead (``Environment._template_namespace``).
exported = [
    "LoopContext",
    "TemplateReference",
    "Macro",
    "Markup",
    "TemplateRuntimeError",
    "missing",
    "escape",
    "markup_join",
    "str_join",
    "identity",
    "TemplateNotFound",
    "Namespace",
    "Undefined",
    "internalcode",
]


#: The most items ``range`` may produce inside a template.
MAX_RANGE = 100000


def identity(value: t.Any) -> t.Any:
    return value


def markup_join(seq: t.Iterable[t.Any]) -> str:
    """Join pieces (``~``); the result is Markup (and the rest escaped) if
    any piece is.  Refuses a result past the size cap."""
    buf = list(map(soft_str, seq))
    has_markup = False
    for arg in buf:
        if hasattr(arg, "__html__"):
            has_markup = True
            break
    size = sum(map(len, buf))
    if has_markup:
        if size * 6 > MAX_TEMPLATE_SEQUENCE_LENGTH:
            size = sum(
                len(arg) if hasattr(arg, "__html__") else escaped_text_length(arg) for arg in buf
            )
        check_template_result_size(size, "the concatenation")
        return Markup("").join(buf)
    check_template_result_size(size, "the concatenation")
    return concat(buf)


def str_join(seq: t.Iterable[t.Any]) -> str:
    """Join pieces (``~``) as plain strings; refuses a result past the size cap."""
    buf = list(map(str, seq))
    check_template_result_size(sum(map(len, buf)), "the concatenation")
    return concat(buf)


# -- Undefined -------------------------------------------------------------


class Undefined:
    """A name or attribute that has no value: prints as empty, iterates as
    empty, is false, and raises :class:`UndefinedError` when used otherwise."""

    __slots__ = (
        "_undefined_hint",
        "_undefined_obj",
        "_undefined_name",
        "_undefined_exception",
    )

    def __init__(
        self,
        hint: str | None = None,
        obj: t.Any = missing,
        name: str | None = None,
        exc: type = UndefinedError,
    ) -> None:
        self._undefined_hint = hint
        self._undefined_obj = obj
        self._undefined_name = name
        self._undefined_exception = exc

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            return "%r is undefined" % (self._undefined_name,)
        if not isinstance(self._undefined_name, str):
            return "%s has no element %r" % (
                object_type_repr(self._undefined_obj),
                self._undefined_name,
            )
        return "%r has no attribute %r" % (
            object_type_repr(self._undefined_obj),
            self._undefined_name,
        )

    def _fail_with_undefined_error(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise self._undefined_exception(self._undefined_message)

    def __getattr__(self, name: str) -> t.Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self._fail_with_undefined_error()

    __add__ = __radd__ = __sub__ = __rsub__ = _fail_with_undefined_error
    __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = _fail_with_undefined_error
    __floordiv__ = __rfloordiv__ = _fail_with_undefined_error
    __mod__ = __rmod__ = __pos__ = __neg__ = _fail_with_undefined_error
    __call__ = __getitem__ = _fail_with_undefined_error
    __lt__ = __le__ = __gt__ = __ge__ = _fail_with_undefined_error
    __int__ = __float__ = __complex__ = _fail_with_undefined_error
    __pow__ = __rpow__ = _fail_with_undefined_error

    def __eq__(self, other: t.Any) -> bool:
        return type(self) is type(other)

    def __ne__(self, other: t.Any) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return id(type(self))

    def __str__(self) -> str:
        return ""

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> t.Iterator[t.Any]:
        yield from ()

    async def __aiter__(self) -> t.AsyncIterator[t.Any]:
        for _ in ():
            yield

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "Undefined"


class ChainableUndefined(Undefined):
    """An Undefined whose attributes and items are the same Undefined, so
    ``a.b.c`` prints empty instead of failing."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)

    def __getattr__(self, name: str) -> t.Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self

    def __getitem__(self, key: t.Any) -> ChainableUndefined:  # type: ignore[override]
        return self


class DebugUndefined(Undefined):
    """An Undefined that prints where it came from, e.g. ``{{ name }}``."""

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_hint:
            message = "undefined value printed: %s" % self._undefined_hint
        elif self._undefined_obj is missing:
            message = str(self._undefined_name)
        else:
            message = "no such element: %s[%r]" % (
                object_type_repr(self._undefined_obj),
                self._undefined_name,
            )
        return "{{ %s }}" % message


class StrictUndefined(Undefined):
    """An Undefined that fails on printing, iterating, comparing and testing."""

    __slots__ = ()
    __iter__ = __str__ = __len__ = Undefined._fail_with_undefined_error
    __eq__ = __ne__ = __bool__ = __hash__ = Undefined._fail_with_undefined_error
    __contains__ = Undefined._fail_with_undefined_error


def make_logging_undefined(logger: t.Any = None, base: type = Undefined) -> type:
    """Build an Undefined subclass that logs each failure and each print."""
    if logger is None:
        import logging

        logger = logging.getLogger(__name__)
        logger.addHandler(logging.StreamHandler())

    def _log_undefined_message(undef: Undefined) -> None:
        logger.warning("Template variable warning: %s", undef._undefined_message)

    class LoggingUndefined(base):  # type: ignore[misc, valid-type]
        __slots__ = ()

        def _fail_with_undefined_error(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
            try:
                super()._fail_with_undefined_error(*args, **kwargs)
            except self._undefined_exception as e:
                logger.error("Template variable error: %s", e)
                raise e

        def __str__(self) -> str:
            _log_undefined_message(self)
            return super().__str__()

        def __iter__(self) -> t.Iterator[t.Any]:
            _log_undefined_message(self)
            return super().__iter__()

        def __bool__(self) -> bool:
            _log_undefined_message(self)
            return super().__bool__()

    return LoggingUndefined


# -- Safety: what a template may reach ------------------------------------

#: Attribute names that lead from ordinary objects to frames, code and globals.
UNSAFE_ATTRIBUTE_NAMES = frozenset(
    """mro func_globals func_code func_closure func_defaults im_class im_func im_self
    gi_frame gi_code gi_yieldfrom gi_running cr_frame cr_code cr_await cr_origin
    ag_code ag_frame ag_await ag_running tb_frame tb_next tb_lasti f_globals f_locals
    f_builtins f_back f_code f_trace co_code co_consts""".split()
)
_INTERNAL_OBJECT_TYPES = (types.FrameType, types.CodeType, types.TracebackType)


def attribute_is_internal(obj: t.Any, attr: str) -> bool:
    """True if a template must not read ``attr`` of ``obj``, in any environment.

    Dunder names (``__class__``, ``__globals__``...) and the attributes that
    lead to frames, code and globals are refused: that stops server-side
    template injection; so are name-mangled private names (``_Class__name``),
    which reach the render context.  A single leading underscore
    (``form._fields``) is allowed, as in Jinja; the sandbox refuses those too.
    """
    if attr[:2] == "__" or attr in UNSAFE_ATTRIBUTE_NAMES:
        return True
    if attr[:1] == "_" and "__" in attr[2:]:
        return True  # a name-mangled private (``_TemplateReference__context``)
    return isinstance(obj, _INTERNAL_OBJECT_TYPES)


def unsafe_attribute_undefined(environment: t.Any, obj: t.Any, attribute: t.Any) -> Undefined:
    return environment.undefined(
        "access to attribute %r of %r object is unsafe." % (attribute, type(obj).__name__),
        name=attribute,
        obj=obj,
        exc=SecurityError,
    )


def safe_range(*args: int) -> range:
    """``range`` that refuses to build more than :data:`MAX_RANGE` items."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise TemplateOverflowError(
            "Range too big. The sandbox blocks ranges larger than MAX_RANGE (%d)." % MAX_RANGE
        )
    return rng


# -- Safety: how large a value a template may build -----------------------
#
# Every operation whose result size comes from template data computes that
# size from its inputs and calls ``check_template_result_size`` before it
# builds anything (:data:`MAX_TEMPLATE_SEQUENCE_LENGTH` characters or items,
# :data:`MAX_TEMPLATE_INTEGER_BITS` for integers).

_TEXT_TYPES = (str, bytes, bytearray)


def _nested_content_size(value: t.Any, budget: int) -> int:
    """Items and characters in a list or tuple, counting the strings, lists
    and tuples inside it (shared ones each time); stops past ``budget``."""
    total = 0
    pending = [value]
    while pending:
        current = pending.pop()
        total += len(current)
        for item in current:
            if isinstance(item, _TEXT_TYPES):
                total += len(item)
            elif isinstance(item, (list, tuple)):
                pending.append(item)
            if total > budget:
                return total
    return total


@internalcode
def safe_multiply(left: t.Any, right: t.Any) -> t.Any:
    """``*`` that refuses to build a huge string, list or integer."""
    if type(left) is int and type(right) is int:
        if left.bit_length() + right.bit_length() > MAX_TEMPLATE_INTEGER_BITS:
            raise TemplateOverflowError("the result of the multiplication is too large.")
        return left * right
    for seq, count in ((left, right), (right, left)):
        if isinstance(count, int) and count > 1:
            if isinstance(seq, _TEXT_TYPES):
                check_template_result_size(len(seq) * count, "the multiplication")
            elif isinstance(seq, (list, tuple)):
                size = _nested_content_size(seq, MAX_TEMPLATE_SEQUENCE_LENGTH // count)
                check_template_result_size(size * count, "the multiplication")
    return left * right


@internalcode
def safe_power(left: t.Any, right: t.Any) -> t.Any:
    """``**`` that refuses exponents whose result would not fit in memory."""
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if right * left.bit_length() > MAX_TEMPLATE_INTEGER_BITS:
            raise TemplateOverflowError("the result of the power operation is too large.")
    return left**right


_PRINTF_FLAGS = "-+ #0"
_PRINTF_KEY_NESTING = {"(": 1, ")": -1}


def _printf_digits(text: str, start: int) -> int:
    """Where the run of ASCII digits starting at ``start`` ends."""
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return end


def _printf_number_size(value: t.Any, conversion: str) -> int | None:
    if conversion in "eEfFgG" or isinstance(value, float):
        return 330  # a double has at most 309 digits before the point
    try:
        number = value if isinstance(value, int) else int(value)
    except Exception:
        return None
    return number.bit_length() // 3 + 4  # digits (octal is the longest), sign, prefix


def _printf_field_size(conversion: str, value: t.Any, markup: bool, is_bytes: bool) -> int | None:
    """The length of one ``%`` conversion of ``value`` before width and
    precision; None when it cannot be told (Python then decides)."""
    if conversion in "sbra":
        if type(value) in (int, float) and conversion in "sr" and not is_bytes:
            return 330 if type(value) is float else value.bit_length() // 3 + 2
        try:
            if is_bytes and conversion in "sb":
                if isinstance(value, (bytes, bytearray)):
                    return len(value)
                return memoryview(value).nbytes
            if conversion == "s":
                if markup and hasattr(value, "__html__"):
                    return len(value.__html__())
                text = value if isinstance(value, str) else str(value)
            else:
                text = ascii(value) if conversion == "a" or is_bytes else repr(value)
        except Exception:
            return None
        return escaped_text_length(text) if markup else len(text)
    if conversion in "diuoxXeEfFgG":
        return _printf_number_size(value, conversion)
    if conversion == "c":
        return 1
    return None


def _printf_result_size(fmt: t.Any, values: t.Any) -> int:
    """An upper bound of ``len(fmt % values)``, from the format's widths and
    precisions (``*`` ones included) and the values, without formatting.

    Counting stops where Python's own formatting would fail; what comes
    after is never built.
    """
    markup = hasattr(fmt, "__html__")
    is_bytes = not isinstance(fmt, str)
    if is_bytes:
        fmt = bytes(fmt).decode("latin-1")
    if isinstance(values, tuple):
        args: tuple = values
        mapping = None
    else:
        args = (values,)
        mapping = (
            values
            if hasattr(values, "__getitem__") and not isinstance(values, _TEXT_TYPES)
            else None
        )
    total = 0
    position = 0
    next_arg = 0
    end = len(fmt)
    while total <= MAX_TEMPLATE_SEQUENCE_LENGTH:
        start = fmt.find("%", position)
        if start < 0:
            return total + end - position
        total += start - position
        i = start + 1
        key = None
        if i < end and fmt[i] == "(":
            depth = 1
            j = i + 1
            while j < end and depth:
                depth += _PRINTF_KEY_NESTING.get(fmt[j], 0)
                j += 1
            if depth:
                return total
            key = fmt[i + 1 : j - 1]
            i = j
        while i < end and fmt[i] in _PRINTF_FLAGS:
            i += 1
        sizes = []
        for part in ("width", "precision"):
            if part == "precision":
                if i >= end or fmt[i] != ".":
                    break
                i += 1
            if i < end and fmt[i] == "*":
                if next_arg >= len(args) or not isinstance(args[next_arg], int):
                    return total
                sizes.append(abs(args[next_arg]))
                next_arg += 1
                i += 1
            else:
                j = _printf_digits(fmt, i)
                sizes.append(int(fmt[i:j]) if j > i else 0)
                i = j
        if i < end and fmt[i] in "hlL":
            i += 1
        if i >= end:
            return total
        conversion = fmt[i]
        position = i + 1
        if conversion == "%":
            total += max(sizes[0], 1)
            continue
        if key is not None:
            if mapping is None:
                return total
            try:
                value = mapping[key.encode("latin-1") if is_bytes else key]
            except Exception:
                return total
        else:
            if next_arg >= len(args):
                return total
            value = args[next_arg]
            next_arg += 1
        size = _printf_field_size(conversion, value, markup, is_bytes) or 0
        if conversion in "sbra":
            if len(sizes) > 1:
                size = min(size, sizes[1])  # the precision cuts text
            total += max(size, sizes[0])  # the width pads it
        else:
            total += size + sum(sizes)  # precisions add digits
    return total


_PRINTF_SIZED = None


def _printf_is_small(fmt: str, values: t.Any) -> bool:
    """The quick answer for the usual ``'%s: %d' % (a, b)``: no width or
    precision, strings and numbers only, far under the cap."""
    global _PRINTF_SIZED
    if _PRINTF_SIZED is None:
        import re

        _PRINTF_SIZED = re.compile(r"[0-9*]")
    if _PRINTF_SIZED.search(fmt) is not None:
        return False
    size = len(fmt)
    for value in values if type(values) is tuple else (values,):
        if isinstance(value, str):
            size += len(value)
        elif type(value) is int:
            size += value.bit_length() // 3 + 4
        elif type(value) is float:
            size += 330
        else:
            return False
    return size * 6 <= MAX_TEMPLATE_SEQUENCE_LENGTH  # room for Markup's escaping


@internalcode
def safe_modulo(left: t.Any, right: t.Any) -> t.Any:
    """``%`` that refuses printf-style formatting whose result (widths,
    precisions and values together) would pass the size cap."""
    if isinstance(left, str):
        if "%" in left and not _printf_is_small(left, right):
            check_template_result_size(_printf_result_size(left, right), "the % formatting")
    elif isinstance(left, (bytes, bytearray)) and b"%" in left:
        check_template_result_size(_printf_result_size(left, right), "the % formatting")
    return left % right


_FORMAT_SPEC_NUMBERS = None


def _format_spec_size(format_spec: str) -> int:
    """Width plus precision of a ``str.format`` field (every number in the
    spec counted: a fill digit only makes the bound larger)."""
    global _FORMAT_SPEC_NUMBERS
    if not format_spec:
        return 0
    if _FORMAT_SPEC_NUMBERS is None:
        import re

        _FORMAT_SPEC_NUMBERS = re.compile(r"[0-9]+")
    return sum(int(number) for number in _FORMAT_SPEC_NUMBERS.findall(format_spec))


class SafeTemplateFormatter(string.Formatter):
    """``str.format`` for templates: fields may not reach private attributes,
    and the result may not pass the size cap (checked before each field is
    formatted and as the fields add up)."""

    def __init__(self, environment: t.Any, escape_function: t.Any = None) -> None:
        self.environment = environment
        self.escape_function = escape_function
        self._result_size = 0

    def vformat(
        self, format_string: str, args: t.Sequence[t.Any], kwargs: t.Mapping[str, t.Any]
    ) -> str:
        self._result_size = len(format_string)  # the literal text is at most this
        return super().vformat(format_string, args, kwargs)

    def get_field(self, field_name: str, args: t.Any, kwargs: t.Any) -> t.Any:
        from _string import formatter_field_name_split

        first, rest = formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            if is_attr:
                obj = self.environment.getattr(obj, key)
            else:
                obj = self.environment.getitem(obj, key)
        return obj, first

    def format_field(self, value: t.Any, format_spec: str) -> t.Any:
        size = self._result_size
        check_template_result_size(size + _format_spec_size(format_spec), "str.format()")
        if self.escape_function is not None:
            if hasattr(value, "__html_format__"):
                rv = value.__html_format__(format_spec)
            elif hasattr(value, "__html__"):
                if format_spec:
                    raise ValueError("Format specifier given for an object that has __html__")
                rv = value.__html__()
            else:
                text = format(value, format_spec)
                check_template_result_size(size + escaped_text_length(text), "str.format()")
                rv = self.escape_function(text)
        else:
            rv = format(value, format_spec)
        self._result_size = size + len(rv)
        check_template_result_size(self._result_size, "str.format()")
        return rv


_PADDING_METHODS = frozenset(["center", "ljust", "rjust", "zfill"])


def _replaced_size(text: t.Any, old: t.Any, new_size: int, count: t.Any) -> int:
    """``len(text.replace(old, new, count))`` with ``len(new) == new_size``,
    counted without replacing."""
    if not isinstance(old, type(text)) and not isinstance(text, type(old)):
        return len(text)  # Python refuses the mix
    growth = new_size - len(old)
    if growth <= 0:
        return len(text)
    found = text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * growth


def _translated_size(text: str, table: t.Any) -> int:
    """An upper bound of ``len(text.translate(table))``."""
    if isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        if len(text) * longest <= MAX_TEMPLATE_SEQUENCE_LENGTH or len(table) > 1000:
            return len(text) * longest
        size = len(text)
        for key, value in table.items():
            if (
                isinstance(key, int)
                and isinstance(value, str)
                and len(value) > 1
                and 0 <= key < 0x110000
            ):
                size += text.count(chr(key)) * (len(value) - 1)
        return size
    if isinstance(table, (list, tuple)):
        longest = max((len(v) for v in table if isinstance(v, str)), default=1)
        return len(text) * longest
    return len(text)


def _join_pieces_within_cap(
    separator: t.Any, items: t.Iterable[t.Any], escaped: bool
) -> list[t.Any]:
    """The items of ``separator.join(items)`` as a list, refused as soon as
    the joined result would pass the cap (``escaped``: Markup escapes the
    plain ones)."""
    pieces = []
    step = len(separator)
    total = -step
    for item in items:
        pieces.append(item)
        if escaped and not hasattr(item, "__html__"):
            total += escaped_text_length(item if isinstance(item, str) else str(item))
        elif isinstance(item, _TEXT_TYPES):
            total += len(item)
        total += step
        if total > MAX_TEMPLATE_SEQUENCE_LENGTH:
            check_template_result_size(total, "the join")
    return pieces


@internalcode
def _guarded_builtin_method_call(
    environment: t.Any, method: t.Any, args: tuple, kwargs: dict
) -> t.Any:
    """Call a string method from a template: ``format`` safely, and nothing
    that sizes its result from the arguments past the size cap."""
    owner = method.__self__
    name = method.__name__
    if isinstance(owner, _TEXT_TYPES):
        if isinstance(owner, str) and (name == "format" or name == "format_map"):
            if name == "format_map":
                if len(args) != 1 or kwargs:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs = args[0]
                args = ()
            escape_function = escape if isinstance(owner, Markup) else None
            formatter = SafeTemplateFormatter(environment, escape_function)
            result = formatter.vformat(owner, args, kwargs)
            return Markup(result) if escape_function is not None else result
        what = "%s.%s()" % (type(owner).__name__, name)
        markup = hasattr(owner, "__html__")
        if name in _PADDING_METHODS and args and isinstance(args[0], int):
            check_template_result_size(args[0], what)
        elif name == "expandtabs":
            tabsize = args[0] if args else kwargs.get("tabsize", 8)
            if (
                isinstance(tabsize, int)
                and tabsize > 1
                and len(owner) * tabsize > MAX_TEMPLATE_SEQUENCE_LENGTH
            ):
                tab = "\t" if isinstance(owner, str) else b"\t"
                check_template_result_size(len(owner) + owner.count(tab) * tabsize, what)
        elif name == "replace" and len(args) >= 2 and isinstance(args[1], _TEXT_TYPES):
            new = args[1]
            new_size = (
                escaped_text_length(new) if markup and not hasattr(new, "__html__") else len(new)
            )
            count = args[2] if len(args) > 2 else kwargs.get("count", -1)
            check_template_result_size(_replaced_size(owner, args[0], new_size, count), what)
        elif name == "translate" and args and isinstance(owner, str):
            check_template_result_size(_translated_size(owner, args[0]), what)
        elif name == "join" and len(args) == 1 and not kwargs:
            args = (_join_pieces_within_cap(owner, args[0], markup),)
        result = method(*args, **kwargs)
        if isinstance(result, _TEXT_TYPES):
            check_template_result_size(len(result), what)  # encode, decode and the like
        return result
    if name in ("extend", "extendleft") and isinstance(owner, (list, bytearray, deque)) and args:
        added = args[0]
        if isinstance(
            added, (list, tuple, str, bytes, bytearray, deque, dict, set, frozenset, range)
        ):
            check_template_result_size(
                len(owner) + len(added), "%s.%s()" % (type(owner).__name__, name)
            )
    return method(*args, **kwargs)


_BUILTIN_METHOD_TYPES = (types.BuiltinMethodType, types.MethodWrapperType)


def wrap_str_format(environment: t.Any, obj: t.Any, attribute: str, value: t.Any) -> t.Any:
    """``s.format`` / ``s.format_map`` read from a template: a callable that
    formats safely even when Python code (a filter) calls it later."""
    if isinstance(obj, str) and attribute in ("format", "format_map") and callable(value):

        @internalcode
        def safe_str_format(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return _guarded_builtin_method_call(environment, value, args, kwargs)

        return safe_str_format
    return value


def debug_dump(context: t.Any) -> str:
    """What ``{% debug %}`` prints: the context's variables and the names
    of the environment's filters and tests, pretty-printed."""
    from pprint import pformat

    environment = context.environment
    report = {
        "context": context.get_all(),
        "filters": sorted(environment.filters),
        "tests": sorted(environment.tests),
    }
    return pformat(report, depth=3, compact=True)


@internalcode
def call_with_pass_arg(__context: t.Any, __obj: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
    """Call ``__obj`` from a template, passing the context, eval context or
    environment first when the callable asks for it."""
    loop_vars = block_vars = None
    if kwargs and ("_loop_vars" in kwargs or "_block_vars" in kwargs):
        # What ``{% set %}`` assigned in the calling loop body / block: only
        # pass_context callables see it (through a derived context).
        loop_vars = kwargs.pop("_loop_vars", None)
        block_vars = kwargs.pop("_block_vars", None)
    cls = type(__obj)
    if cls is Macro:
        return __obj._call_with_autoescape(__context.eval_ctx.autoescape, args, kwargs)
    if cls in _BUILTIN_METHOD_TYPES or (
        cls is types.MethodType and isinstance(__obj.__self__, str)
    ):
        # str and bytes methods, and Markup's (Python methods of a str).
        return _guarded_builtin_method_call(__context.environment, __obj, args, kwargs)
    pass_arg = getattr(__obj, "jinja_pass_arg", None)
    if pass_arg is None:
        if cls is types.MethodType:
            pass_arg = getattr(__obj.__func__, "jinja_pass_arg", None)
        if pass_arg is None:
            # Objects that are not functions may carry the marker on __call__.
            call_method = getattr(__obj, "__call__", None)
            pass_arg = getattr(call_method, "jinja_pass_arg", None)
    if pass_arg == "context":
        if loop_vars:
            __context = __context.derived(loop_vars)
        if block_vars:
            __context = __context.derived(block_vars)
        args = (__context,) + args
    elif pass_arg == "eval_context":
        args = (__context.eval_ctx,) + args
    elif pass_arg == "environment":
        args = (__context.environment,) + args
    try:
        return __obj(*args, **kwargs)
    except StopIteration:
        return __context.environment.undefined(
            "value was undefined because a callable raised a StopIteration exception"
        )


# -- Contexts --------------------------------------------------------------


def new_context(
    environment: t.Any,
    template_name: str | None,
    blocks: dict[str, t.Any],
    vars: dict[str, t.Any] | None = None,
    shared: bool = False,
    globals: t.MutableMapping[str, t.Any] | None = None,
    locals: t.Mapping[str, t.Any] | None = None,
) -> Context:
    """Build the context a template renders in."""
    if vars is None:
        vars = {}
    if shared:
        parent = vars
    elif type(globals) is ChainMap:
        # What dict(chain_map) gives, built with C-level updates instead of
        # ChainMap's per-key Python lookups (templates' globals are chains).
        parent = {}
        for layer in reversed(globals.maps):
            parent.update(layer)
        parent.update(**vars)  # keyword form: non-string names fail as in dict(..., **vars)
    else:
        parent = dict(globals or (), **vars)
    if locals:
        if shared:
            parent = dict(parent)
        for key, value in locals.items():
            if value is not missing:
                parent[key] = value
    return environment.context_class(environment, parent, template_name, blocks, globals=globals)


class Context:
    """The variables a template renders with: ``parent`` holds what was
    passed in and the globals, ``vars`` what the template itself set."""

    def __init__(
        self,
        environment: t.Any,
        parent: dict[str, t.Any],
        name: str | None,
        blocks: dict[str, t.Any],
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> None:
        self.parent = parent
        self.vars: dict[str, t.Any] = {}
        self.environment = environment
        self.eval_ctx = EvalContext(environment, name)
        self.exported_vars: set[str] = set()
        self.name = name
        if globals is None:
            self.globals_keys: set[str] = set()
        elif type(globals) is ChainMap:
            self.globals_keys = set().union(*globals.maps)
        else:
            self.globals_keys = set(globals)
        # Each block name maps to its implementations, most derived first.
        self.blocks = {k: [v] for k, v in blocks.items()} if blocks else {}

    def super(self, name: str, current: t.Any) -> t.Any:
        try:
            blocks = self.blocks[name]
            index = blocks.index(current) + 1
            blocks[index]
        except LookupError:
            return self.environment.undefined(
                "there is no parent block called %r." % name, name="super"
            )
        return BlockReference(name, self, blocks, index)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        try:
            return self[key]
        except KeyError:
            return default

    def resolve(self, key: str) -> t.Any:
        rv = self.resolve_or_missing(key)
        if rv is missing:
            return self.environment.undefined(name=key)
        return rv

    def resolve_or_missing(self, key: str) -> t.Any:
        if key in self.vars:
            return self.vars[key]
        if key in self.parent:
            return self.parent[key]
        return missing

    def resolve_names(self, names: tuple[str, ...]) -> list[t.Any]:
        """The value of each name, or an undefined for a missing one: how a
        compiled template function binds, in one statement, every name it
        reads from the context (each as ``resolve`` would give it).

        It reads ``vars`` then ``parent`` itself, as ``resolve_or_missing``
        does; a subclass that overrides ``resolve_or_missing`` (Jinja's way
        to customise look-ups) is given ``_resolve_names_one_by_one``
        instead, when the class is made (see ``__init_subclass__``).
        """
        variables, parent = self.vars, self.parent
        undefined = self.environment.undefined
        return [
            variables[name] if name in variables
            else parent[name] if name in parent
            else undefined(name=name)
            for name in names
        ]

    def _resolve_names_one_by_one(self, names: tuple[str, ...]) -> list[t.Any]:
        """``resolve_names`` through an overridden ``resolve_or_missing``."""
        undefined = self.environment.undefined
        values = []
        for name in names:
            value = self.resolve_or_missing(name)
            values.append(undefined(name=name) if value is missing else value)
        return values

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "resolve_or_missing" in cls.__dict__ and "resolve_names" not in cls.__dict__:
            cls.resolve_names = Context._resolve_names_one_by_one  # type: ignore[method-assign]

    def get_exported(self) -> dict[str, t.Any]:
        return {k: self.vars[k] for k in self.exported_vars}

    def get_all(self) -> dict[str, t.Any]:
        if not self.vars:
            return self.parent
        if not self.parent:
            return self.vars
        return dict(self.parent, **self.vars)

    @internalcode
    def call(__self, __obj: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:  # noqa: N805
        return call_with_pass_arg(__self, __obj, *args, **kwargs)

    def derived(self, locals: dict[str, t.Any] | None = None) -> Context:
        context = new_context(
            self.environment, self.name, {}, self.get_all(), True, None, locals
        )
        context.eval_ctx = self.eval_ctx
        context.blocks.update((k, list(v)) for k, v in self.blocks.items())
        return context

    def keys(self) -> t.KeysView[str]:
        return self.get_all().keys()

    def values(self) -> t.ValuesView[t.Any]:
        return self.get_all().values()

    def items(self) -> t.ItemsView[str, t.Any]:
        return self.get_all().items()

    def __contains__(self, name: str) -> bool:
        return name in self.vars or name in self.parent

    def __getitem__(self, key: str) -> t.Any:
        item = self.resolve_or_missing(key)
        if item is missing:
            raise KeyError(key)
        return item

    def __repr__(self) -> str:
        return "<%s %r of %r>" % (type(self).__name__, self.get_all(), self.name)


abc.Mapping.register(Context)


# -- Blocks and self --------------------------------------------------------


class BlockReference:
    """One block as seen from a template: call it to render, ``.super()``
    for the parent's version."""

    def __init__(self, name: str, context: Context, stack: list[t.Any], depth: int) -> None:
        self.name = name
        self._context = context
        self._stack = stack
        self._depth = depth

    @property
    def super(self) -> t.Any:
        if self._depth + 1 >= len(self._stack):
            return self._context.environment.undefined(
                "there is no parent block called %r." % self.name, name="super"
            )
        return BlockReference(self.name, self._context, self._stack, self._depth + 1)

    def __call__(self) -> str:
        rv = concat(self._stack[self._depth](self._context))
        if self._context.eval_ctx.autoescape:
            return Markup(rv)
        return rv


class TemplateReference:
    """``self`` in a template: ``self.blockname()`` renders a block again."""

    def __init__(self, context: Context) -> None:
        self.__context = context

    def __getitem__(self, name: str) -> t.Any:
        blocks = self.__context.blocks[name]
        return BlockReference(name, self.__context, blocks, 0)

    def __getattr__(self, name: str) -> t.Any:
        if name[:1] == "_":
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return "<%s %r>" % (type(self).__name__, self.__context.name)


# -- Loops -------------------------------------------------------------------


class LoopContext:
    """The ``loop`` variable inside ``{% for %}``."""

    index0 = -1
    _length: int | None = None
    _after: t.Any = missing
    _current: t.Any = missing
    _before: t.Any = missing
    _last_changed_value: t.Any = missing

    def __init__(
        self,
        iterable: t.Iterable[t.Any],
        undefined: t.Any,
        recurse: t.Any = None,
        depth0: int = 0,
    ) -> None:
        self._iterable = iterable
        self._iterator = iter(iterable)
        self._undefined = undefined
        self._recurse = recurse
        self.depth0 = depth0

    @property
    def length(self) -> int:
        if self._length is not None:
            return self._length
        try:
            self._length = len(self._iterable)  # type: ignore[arg-type]
        except TypeError:
            iterable = list(self._iterator)
            self._iterator = iter(iterable)
            self._length = len(iterable) + self.index + (self._after is not missing)
        return self._length

    def __len__(self) -> int:
        return self.length

    @property
    def depth(self) -> int:
        return self.depth0 + 1

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def revindex0(self) -> int:
        return self.length - self.index

    @property
    def revindex(self) -> int:
        return self.length - self.index0

    @property
    def first(self) -> bool:
        return self.index0 == 0

    def _peek_next(self) -> t.Any:
        if self._after is not missing:
            return self._after
        self._after = next(self._iterator, missing)
        return self._after

    @property
    def last(self) -> bool:
        return self._peek_next() is missing

    @property
    def previtem(self) -> t.Any:
        if self.first:
            return self._undefined("there is no previous item")
        return self._before

    @property
    def nextitem(self) -> t.Any:
        rv = self._peek_next()
        if rv is missing:
            return self._undefined("there is no next item")
        return rv

    def cycle(self, *args: t.Any) -> t.Any:
        if not args:
            raise TypeError("no items for cycling given")
        return args[self.index0 % len(args)]

    def changed(self, *value: t.Any) -> bool:
        if self._last_changed_value != value:
            self._last_changed_value = value
            return True
        return False

    def __iter__(self) -> LoopContext:
        return self

    def __next__(self) -> tuple[t.Any, LoopContext]:
        if self._after is not missing:
            rv = self._after
            self._after = missing
        else:
            rv = next(self._iterator)
        self.index0 += 1
        self._before = self._current
        self._current = rv
        return rv, self

    def __call__(self, iterable: t.Iterable[t.Any]) -> str:
        if self._recurse is None:
            raise TypeError("The loop must be marked recursive to be called recursively.")
        return self._recurse(iterable, self._recurse, depth=self.depth)

    def __repr__(self) -> str:
        return "<%s %d/%d>" % (type(self).__name__, self.index, self.length)


# -- Macros -----------------------------------------------------------------


class Macro:
    """A ``{% macro %}`` (or a ``{% call %}`` block's ``caller``) as a
    callable: binds template-style arguments, then renders its body."""

    def __init__(
        self,
        environment: t.Any,
        func: t.Callable[..., str],
        name: str,
        arguments: list[str],
        catch_kwargs: bool,
        catch_varargs: bool,
        caller: bool,
        default_autoescape: bool | None = None,
    ) -> None:
        self._environment = environment
        self._func = func
        self._argument_count = len(arguments)
        self.name = name
        self.arguments = arguments
        self.catch_kwargs = catch_kwargs
        self.catch_varargs = catch_varargs
        self.caller = caller
        self.explicit_caller = "caller" in arguments
        self._default_autoescape = default_autoescape
        # Calls with exactly the declared positional arguments skip binding.
        self._binds_plainly = not (catch_kwargs or catch_varargs or caller)

    @internalcode
    def __call__(self, *args: t.Any, **kwargs: t.Any) -> str:
        # Like Jinja, a leading EvalContext (from Python callers) picks the
        # autoescape mode instead of the defining template's default.
        if args and type(args[0]) is EvalContext:
            return self._call_with_autoescape(args[0].autoescape, args[1:], kwargs)
        return self._call_with_autoescape(self._default_autoescape, args, kwargs)

    @internalcode
    def _call_with_autoescape(self, autoescape: t.Any, args: tuple, kwargs: dict) -> str:
        """Bind the arguments, render, and mark the result safe when the
        calling template autoescapes."""
        if not kwargs and self._binds_plainly and len(args) == self._argument_count:
            rv = self._func(*args)
        else:
            rv = self._func(*self._bind_arguments(args, kwargs))
        if autoescape:
            return Markup(rv)
        return rv

    @internalcode
    def _bind_arguments(self, args: tuple, kwargs: dict) -> list[t.Any]:
        arguments = list(args[: self._argument_count])
        off = len(arguments)
        found_caller = False
        if off != self._argument_count:
            for name in self.arguments[off:]:
                try:
                    value = kwargs.pop(name)
                except KeyError:
                    value = missing
                if name == "caller":
                    found_caller = True
                arguments.append(value)
        else:
            found_caller = self.explicit_caller
        if self.caller and not found_caller:
            caller = kwargs.pop("caller", None)
            if caller is None:
                caller = self._environment.undefined("No caller defined", name="caller")
            arguments.append(caller)
        if self.catch_kwargs:
            arguments.append(kwargs)
        elif kwargs:
            if "caller" in kwargs:
                raise TypeError(
                    "macro %r was invoked with two values for the special caller argument. "
                    "This is most likely a bug." % self.name
                )
            raise TypeError(
                "macro %r takes no keyword argument %r" % (self.name, next(iter(kwargs)))
            )
        if self.catch_varargs:
            arguments.append(args[self._argument_count :])
        elif len(args) > self._argument_count:
            raise TypeError(
                "macro %r takes not more than %d argument(s)" % (self.name, len(self.arguments))
            )
        return arguments

    def __repr__(self) -> str:
        name = "anonymous" if self.name is None else repr(self.name)
        return "<%s %s>" % (type(self).__name__, name)


def template_recursion_message(tb: types.TracebackType | None) -> str:
    """What a ``RecursionError`` that left a template says: the innermost
    template code it went through (a macro, a block, a template's top
    level), with the template's name and line."""
    from microflask.templating.environment import _template_line_of

    where = None
    while tb is not None:
        namespace = tb.tb_frame.f_globals
        debug_info = namespace.get("debug_info")
        if isinstance(debug_info, str) and tb.tb_frame.f_code.co_filename == namespace.get(
            "__file__"
        ):
            where = (tb.tb_frame.f_code.co_name, namespace.get("name"), debug_info, tb.tb_lineno)
        tb = tb.tb_next
    message = "maximum recursion depth exceeded while rendering"
    if where is None:
        return message
    code_name, template_name, debug_info, python_line = where
    return "maximum recursion depth exceeded in %s of template %s, line %d" % (
        code_name,
        "'%s'" % template_name if template_name is not None else "<template>",
        _template_line_of(debug_info, python_line),
    )


@internalcode
def required_block_error(name: str) -> t.NoReturn:
    raise TemplateRuntimeError("Required block %r not found" % name)


@internalcode
def unknown_filter_error(name: str) -> t.NoReturn:
    raise TemplateRuntimeError("No filter named %r found." % name)


@internalcode
def unknown_test_error(name: str) -> t.NoReturn:
    raise TemplateRuntimeError("No test named %r found." % name)


@internalcode
def escape_output(value: t.Any) -> str:
    """The text ``{{ value }}`` writes when autoescaping is on.

    Plain strings (the common case) are escaped in place without building a
    Markup object; Markup passes through; everything else goes to
    :func:`escape`, which honours ``__html__``.
    """
    cls = type(value)
    if cls is str:
        return (
            value.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
    if cls is Markup:
        return value
    if cls is int:
        return str(value)
    return escape(value)


def make_fast_getattr(environment: t.Any) -> t.Callable[[t.Any, str], t.Any]:
    """``obj.name`` for a name the compiler already knows is harmless.

    Attribute first, then item, as Jinja does; dicts (the usual row type)
    go straight to the item because such a name is no dict attribute.
    """
    undefined = environment.undefined

    @internalcode
    def fast_getattr(obj: t.Any, attribute: str) -> t.Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                return undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError):
            return undefined(obj=obj, name=attribute)

    return fast_getattr
