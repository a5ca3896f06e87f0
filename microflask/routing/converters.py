"""URL variable converters (what Werkzeug calls ``werkzeug.routing.converters``).

A converter turns one ``<name>`` of a rule into a regular expression for
matching, a Python value for the view (``to_python``) and back into URL
text for building (``to_url``).  ``weight`` orders rules that compete for
the same segment: lower is more specific and is tried first (numbers 50,
strings 100, paths 200).  ``part_isolating`` converters match within one
``/``-separated segment; the others (``path``) may span several.
"""

from __future__ import annotations

import re
import typing as t

__all__ = [
    "ValidationError",
    "BaseConverter",
    "UnicodeConverter",
    "AnyConverter",
    "PathConverter",
    "NumberConverter",
    "IntegerConverter",
    "FloatConverter",
    "UUIDConverter",
    "DEFAULT_CONVERTERS",
]

# Runs of characters a URL path must percent-encode: everything except
# the unreserved characters, RFC 3986 sub-delimiters, ":", "@" and "/".
# (Werkzeug quotes with the same safe set.)
_PATH_UNSAFE_RUN_RE = re.compile(r"[^A-Za-z0-9_.\-~!$&'()*+,/:;=@]+")
_PERCENT_ENCODED_BYTES = tuple(f"%{byte:02X}" for byte in range(256))


def _percent_encode_run(found: re.Match[str]) -> str:
    return "".join([_PERCENT_ENCODED_BYTES[byte] for byte in found.group().encode("utf-8")])


def _quote_url_path(text: str) -> str:
    """Percent-encode ``text`` (as UTF-8) for a URL path; the regex skips
    the common all-safe case without building anything."""
    return _PATH_UNSAFE_RUN_RE.sub(_percent_encode_run, text)


class ValidationError(ValueError):
    """Raised by ``to_python`` to say "this value does not fit this rule";
    the router then tries the next candidate rule (and 404s if none)."""


class BaseConverter:
    """Match one path segment as text.  Subclass it and set ``regex``
    (which must not contain capturing groups), and override ``to_python``
    / ``to_url`` to convert values."""

    regex = "[^/]+"
    weight = 100
    part_isolating = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        # A subclass that changes the regex but says nothing about
        # isolation is isolating exactly when its regex cannot match "/".
        if "regex" in cls.__dict__ and "part_isolating" not in cls.__dict__:
            cls.part_isolating = "/" not in cls.regex

    def __init__(self, map: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
        self.map = map

    def to_python(self, value: str) -> t.Any:
        return value

    def to_url(self, value: t.Any) -> str:
        return _quote_url_path(str(value))


class UnicodeConverter(BaseConverter):
    """The default converter (``<name>``, ``<string:name>``): any text
    without a slash, at least ``minlength`` characters long."""

    def __init__(
        self,
        map: t.Any,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            size = f"{{{int(length)}}}"
        else:
            size = f"{{{int(minlength)},{'' if maxlength is None else int(maxlength)}}}"
        self.regex = f"[^/]{size}"


class AnyConverter(BaseConverter):
    """Match one of the given words: ``<any(about, help):page>``."""

    def __init__(self, map: t.Any, *items: str) -> None:
        super().__init__(map)
        self.items = set(items)
        self.regex = "(?:" + "|".join(re.escape(item) for item in items) + ")"

    def to_url(self, value: t.Any) -> str:
        if value in self.items:
            return str(value)  # as Werkzeug: the words are trusted, not quoted
        choices = ", ".join(repr(item) for item in sorted(self.items))
        raise ValueError(f"{value!r} is not one of {choices}")


class PathConverter(BaseConverter):
    """Like the default converter but also matches slashes:
    ``/files/<path:name>`` matches ``/files/a/b.txt``."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False


class NumberConverter(BaseConverter):
    """Shared base of ``int`` and ``float``: optional sign, bounds and a
    fixed number of digits."""

    weight = 50
    num_convert: t.Callable[[str], t.Any] = int

    def __init__(
        self,
        map: t.Any,
        fixed_digits: int = 0,
        min: t.Any = None,
        max: t.Any = None,
        signed: bool = False,
    ) -> None:
        # Checked now so that a rule like <int(max=x):n> fails when it is
        # added, not with a TypeError on the first request.
        for option, bound in (("min", min), ("max", max)):
            if bound is not None and not isinstance(bound, (int, float)):
                raise TypeError(f"{option}={bound!r} must be a number")
        if not isinstance(fixed_digits, int):
            raise TypeError(f"fixed_digits={fixed_digits!r} must be an integer")
        if signed:
            self.regex = "-?" + self.regex
        super().__init__(map)
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max
        self.signed = signed

    def to_python(self, value: str) -> t.Any:
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        number = self.num_convert(value)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def to_url(self, value: t.Any) -> str:
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """``<int:name>``: decimal digits, converted with ``int``."""

    regex = r"\d+"


class FloatConverter(NumberConverter):
    """``<float:name>``: digits, a dot, digits; converted with ``float``."""

    regex = r"\d+\.\d+"
    num_convert = float

    def __init__(
        self, map: t.Any, min: float | None = None, max: float | None = None, signed: bool = False
    ) -> None:
        super().__init__(map, min=min, max=max, signed=signed)


class UUIDConverter(BaseConverter):
    """``<uuid:name>``: a hex UUID in 8-4-4-4-12 form, either case,
    converted to :class:`uuid.UUID`."""

    regex = (
        "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"
    )

    def to_python(self, value: str) -> t.Any:
        import uuid

        return uuid.UUID(value)

    def to_url(self, value: t.Any) -> str:
        return str(value)


DEFAULT_CONVERTERS: t.Mapping[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}
