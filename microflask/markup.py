"""HTML-safe strings: the role MarkupSafe plays for Flask and Jinja.

``Markup`` is a ``str`` that is already safe to put into HTML.  Combining it
with plain strings (``+``, ``%``, ``format``, ``join``, ...) escapes the plain
parts, so untrusted text can never smuggle markup into a safe string.
``escape`` turns any object into ``Markup``: objects with an ``__html__``
method are trusted, everything else is converted to text and escaped.

Peer: ``markupsafe`` (import ``microflask.markup`` instead).
"""

from __future__ import annotations

import string
import typing as t

__all__ = ["Markup", "EscapeFormatter", "escape", "escape_silent", "soft_str"]


def _escape_inner(text: str) -> str:
    """Replace the five HTML-special characters, as MarkupSafe spells them.

    ``&`` must go first so the entities added later are not escaped twice.
    :func:`escape` looks this name up at call time, so it can be swapped
    (MarkupSafe's own tests swap theirs between implementations).
    """
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


class _native:
    """Stands in for MarkupSafe's ``markupsafe._native`` module (its pure
    Python escaping), which tests and tools import by that name.  There is
    no ``_speedups``: importing it raises ``ImportError`` as it does where
    MarkupSafe's C extension is missing."""

    _escape_inner = staticmethod(_escape_inner)


def _remove_delimited_spans(text: str, opener: str, closer: str) -> str:
    """Remove ``opener ... closer`` spans until none is left; an unclosed
    opener stays.

    Removing a span can join its neighbours into a new opener, so the next
    search starts just far enough back to see one formed across the join.
    """
    search_from = 0
    while True:
        start = text.find(opener, search_from)
        if start == -1:
            return text
        end = text.find(closer, start)
        if end == -1:
            return text
        text = text[:start] + text[end + len(closer) :]
        search_from = max(0, start - len(opener) + 1)


class EscapeFormatter(string.Formatter):
    """A ``string.Formatter`` that escapes every replacement field.

    Objects may take part in formatting through ``__html_format__(spec)``;
    objects with only ``__html__`` accept no format spec.
    """

    __slots__ = ("escape",)

    def __init__(self, escape: t.Callable[[t.Any], Markup]) -> None:
        self.escape = escape
        super().__init__()

    def format_field(self, value: t.Any, format_spec: str) -> str:
        if hasattr(value, "__html_format__"):
            formatted = value.__html_format__(format_spec)
        elif hasattr(value, "__html__"):
            if format_spec:
                raise ValueError(
                    "Format specifier %s given, but %s does not define __html_format__."
                    " A class that defines __html__ must define __html_format__ to"
                    " work with format specifiers." % (format_spec, type(value))
                )
            formatted = value.__html__()
        else:
            formatted = string.Formatter.format_field(self, value, str(format_spec))
        return str(self.escape(formatted))


class _MarkupEscapeHelper:
    """Wraps one ``%`` operand so that ``%s`` and ``%r`` produce escaped text."""

    __slots__ = ("obj", "escape")

    def __init__(self, obj: t.Any, escape: t.Callable[[t.Any], Markup]) -> None:
        self.obj = obj
        self.escape = escape

    def __getitem__(self, key: t.Any) -> _MarkupEscapeHelper:
        return _MarkupEscapeHelper(self.obj[key], self.escape)

    def __str__(self) -> str:
        return str(self.escape(self.obj))

    def __repr__(self) -> str:
        return str(self.escape(repr(self.obj)))

    def __int__(self) -> int:
        return int(self.obj)

    def __float__(self) -> float:
        return float(self.obj)


class Markup(str):
    """A string that is ready to be inserted into HTML without escaping.

    Operations that mix it with plain strings escape the plain strings and
    return ``Markup`` again (of the same subclass).  ``Markup(obj)`` uses
    ``obj.__html__()`` when the object provides it; bytes can be decoded
    with ``Markup(data, encoding, errors)``.
    """

    __slots__ = ()

    def __new__(
        cls, object: t.Any = "", encoding: str | None = None, errors: str = "strict"
    ) -> Markup:
        if type(object) is not str and hasattr(object, "__html__"):
            object = object.__html__()
        if encoding is None:
            return str.__new__(cls, object)
        return str.__new__(cls, object, encoding, errors)

    def __html__(self) -> Markup:
        return self

    def __html_format__(self, format_spec: str) -> Markup:
        if format_spec:
            raise ValueError("Unsupported format specification for Markup.")
        return self

    # -- operators --------------------------------------------------------

    def __add__(self, value: t.Any) -> Markup:
        if isinstance(value, str) or hasattr(value, "__html__"):
            return self.__class__(str.__add__(self, self.escape(value)))
        return NotImplemented

    def __radd__(self, value: t.Any) -> Markup:
        if isinstance(value, str) or hasattr(value, "__html__"):
            return self.escape(value).__add__(self)
        return NotImplemented

    def __mul__(self, count: t.SupportsIndex) -> Markup:
        repeated = str.__mul__(self, count)
        if repeated is NotImplemented:  # PyPy returns it for a non-integer count
            return NotImplemented
        return self.__class__(repeated)

    __rmul__ = __mul__

    def __mod__(self, value: t.Any) -> Markup:
        escape_value = self.escape
        if isinstance(value, tuple):
            value = tuple([_MarkupEscapeHelper(item, escape_value) for item in value])
        elif hasattr(type(value), "__getitem__") and not isinstance(value, str):
            # A mapping for "%(name)s" placeholders: escape items on look-up.
            value = _MarkupEscapeHelper(value, escape_value)
        else:
            value = (_MarkupEscapeHelper(value, escape_value),)
        return self.__class__(str.__mod__(self, value))

    def __getitem__(self, key: t.SupportsIndex | slice) -> Markup:
        return self.__class__(str.__getitem__(self, key))

    def __repr__(self) -> str:
        return "%s(%s)" % (self.__class__.__name__, str.__repr__(self))

    # -- methods that take strings to insert: those get escaped -------------

    def join(self, iterable: t.Iterable[t.Any], /) -> Markup:
        return self.__class__(str.join(self, map(self.escape, iterable)))

    def replace(self, old: str, new: str, count: t.SupportsIndex = -1, /) -> Markup:
        return self.__class__(str.replace(self, old, self.escape(new), count))

    def center(self, width: t.SupportsIndex, fillchar: str = " ", /) -> Markup:
        return self.__class__(str.center(self, width, self.escape(fillchar)))

    def ljust(self, width: t.SupportsIndex, fillchar: str = " ", /) -> Markup:
        return self.__class__(str.ljust(self, width, self.escape(fillchar)))

    def rjust(self, width: t.SupportsIndex, fillchar: str = " ", /) -> Markup:
        return self.__class__(str.rjust(self, width, self.escape(fillchar)))

    def format(self, *args: t.Any, **kwargs: t.Any) -> Markup:
        formatter = EscapeFormatter(self.escape)
        return self.__class__(formatter.vformat(self, args, kwargs))

    def format_map(self, mapping: t.Mapping[str, t.Any], /) -> Markup:
        formatter = EscapeFormatter(self.escape)
        return self.__class__(formatter.vformat(self, (), mapping))

    # -- methods that split: every piece stays Markup ---------------------

    def split(self, sep: str | None = None, maxsplit: t.SupportsIndex = -1) -> list[Markup]:
        cls = self.__class__
        return [cls(piece) for piece in str.split(self, sep, maxsplit)]

    def rsplit(
        self, sep: str | None = None, maxsplit: t.SupportsIndex = -1
    ) -> list[Markup]:
        cls = self.__class__
        return [cls(piece) for piece in str.rsplit(self, sep, maxsplit)]

    def splitlines(self, keepends: bool = False) -> list[Markup]:
        cls = self.__class__
        return [cls(piece) for piece in str.splitlines(self, keepends)]

    def partition(self, sep: str, /) -> tuple[Markup, Markup, Markup]:
        cls = self.__class__
        head, found, tail = str.partition(self, sep)
        return cls(head), cls(found), cls(tail)

    def rpartition(self, sep: str, /) -> tuple[Markup, Markup, Markup]:
        cls = self.__class__
        head, found, tail = str.rpartition(self, sep)
        return cls(head), cls(found), cls(tail)

    # -- methods that only rearrange the text: result stays Markup ---------

    def capitalize(self) -> Markup:
        return self.__class__(str.capitalize(self))

    def casefold(self) -> Markup:
        return self.__class__(str.casefold(self))

    def lower(self) -> Markup:
        return self.__class__(str.lower(self))

    def upper(self) -> Markup:
        return self.__class__(str.upper(self))

    def swapcase(self) -> Markup:
        return self.__class__(str.swapcase(self))

    def title(self) -> Markup:
        return self.__class__(str.title(self))

    def strip(self, chars: str | None = None, /) -> Markup:
        return self.__class__(str.strip(self, chars))

    def lstrip(self, chars: str | None = None, /) -> Markup:
        return self.__class__(str.lstrip(self, chars))

    def rstrip(self, chars: str | None = None, /) -> Markup:
        return self.__class__(str.rstrip(self, chars))

    def removeprefix(self, prefix: str, /) -> Markup:
        return self.__class__(str.removeprefix(self, prefix))

    def removesuffix(self, suffix: str, /) -> Markup:
        return self.__class__(str.removesuffix(self, suffix))

    def translate(self, table: t.Any, /) -> Markup:
        return self.__class__(str.translate(self, table))

    def expandtabs(self, tabsize: t.SupportsIndex = 8) -> Markup:
        return self.__class__(str.expandtabs(self, tabsize))

    def zfill(self, width: t.SupportsIndex, /) -> Markup:
        return self.__class__(str.zfill(self, width))

    # -- leaving the safe world ------------------------------------------

    def unescape(self) -> str:
        """Turn entities back into characters; the result is plain text."""
        from html import unescape

        return unescape(str(self))

    def striptags(self) -> str:
        """Drop comments and tags, collapse whitespace, then unescape.

        Comments go first, on their own, so a tag written inside a comment
        cannot end the comment early and leave half of it behind.
        """
        text = str(self)
        text = _remove_delimited_spans(text, "<!--", "-->")
        text = _remove_delimited_spans(text, "<", ">")
        return self.__class__(" ".join(text.split())).unescape()

    @classmethod
    def escape(cls, s: t.Any, /) -> Markup:
        """Escape ``s`` like :func:`escape`, returning this class."""
        escaped = escape(s)
        if escaped.__class__ is not cls:
            return cls(escaped)
        return escaped


_new_str_instance = str.__new__


def escape(s: t.Any, /) -> Markup:
    """Return ``s`` as ``Markup`` with ``& < > ' "`` replaced by entities.

    Objects with ``__html__`` are trusted and not escaped again; anything
    else that is not a string is converted with ``str`` first.
    """
    if type(s) is str:
        # The common case.  Calling str.__new__ directly skips Markup.__new__'s
        # __html__ probe, which plain text cannot have.
        # Membership tests are cheaper than five replace calls, and clean
        # text is the common case.
        if "&" in s or "<" in s or ">" in s or "'" in s or '"' in s:
            s = _escape_inner(s)
        return _new_str_instance(Markup, s)
    if type(s) is Markup:
        return s  # already safe, and immutable: no need for a copy
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    return _new_str_instance(Markup, _escape_inner(str(s)))


def escape_silent(s: t.Any, /) -> Markup:
    """Like :func:`escape`, but ``None`` becomes an empty ``Markup``."""
    if s is None:
        return _new_str_instance(Markup, "")
    return escape(s)


def soft_str(s: t.Any, /) -> str:
    """Convert to ``str`` unless it already is one (so ``Markup`` stays safe)."""
    if isinstance(s, str):
        return s
    return str(s)
