"""Containers for HTTP data (what Werkzeug calls ``werkzeug.datastructures``).

Multi-value dicts for query strings and forms, case-insensitive header
lists, uploaded files, and the small typed objects that parsed headers turn
into (Accept, Range, ETags, Cache-Control, Authorization, ...).

Header parsing and quoting live in :mod:`microflask.http`; this module
imports it only inside the functions that render or parse header text, so
the two layer-1 modules never import each other at import time.
"""

from __future__ import annotations

import re
import typing as t
from copy import deepcopy as _copy_deepcopy
from datetime import datetime
from itertools import repeat as _itertools_repeat
from collections.abc import MutableSet as _AbstractMutableSet

__all__ = [
    "iter_multi_items",
    "ImmutableListMixin",
    "ImmutableList",
    "ImmutableDictMixin",
    "ImmutableMultiDictMixin",
    "ImmutableDict",
    "UpdateDictMixin",
    "CallbackDict",
    "TypeConversionDict",
    "ImmutableTypeConversionDict",
    "MultiDict",
    "ImmutableMultiDict",
    "OrderedMultiDict",
    "ImmutableOrderedMultiDict",
    "CombinedMultiDict",
    "Headers",
    "ImmutableHeadersMixin",
    "EnvironHeaders",
    "FileStorage",
    "FileMultiDict",
    "HeaderSet",
    "Accept",
    "MIMEAccept",
    "LanguageAccept",
    "CharsetAccept",
    "ETags",
    "IfRange",
    "Range",
    "ContentRange",
    "RequestCacheControl",
    "ResponseCacheControl",
    "ContentSecurityPolicy",
    "Authorization",
    "WWWAuthenticate",
]

_missing_value = object()


def _bad_request_key_error(key: t.Any) -> KeyError:
    """Build the 400-aware KeyError; imported lazily because exceptions sits
    one layer above this module."""
    from microflask.exceptions import BadRequestKeyError

    return BadRequestKeyError(key)


def iter_multi_items(mapping: t.Any) -> t.Iterator[tuple[t.Any, t.Any]]:
    """Yield ``(key, value)`` pairs from a MultiDict, a dict (list and tuple
    values give one pair per item) or an iterable of pairs."""
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, dict):
        for key, value in mapping.items():
            if isinstance(value, (list, tuple, set)):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


# -- immutability ----------------------------------------------------------


def _refuse_mutation(self: t.Any, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    raise TypeError(f"{type(self).__name__!r} objects are immutable")


class ImmutableListMixin:
    """Makes a list subclass read-only (and hashable)."""

    _hash_cache: int | None = None

    def __hash__(self) -> int:  # type: ignore[override]
        if self._hash_cache is not None:
            return self._hash_cache
        rv = self._hash_cache = hash(tuple(self))  # type: ignore[arg-type]
        return rv

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (list(self),)  # type: ignore[call-overload]

    __delitem__ = __iadd__ = __imul__ = __setitem__ = _refuse_mutation
    append = remove = extend = insert = pop = reverse = sort = _refuse_mutation


class ImmutableList(ImmutableListMixin, list):  # type: ignore[misc]
    """A list that refuses every change."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"


class ImmutableDictMixin:
    """Makes a dict subclass read-only (and hashable)."""

    _hash_cache: int | None = None

    @classmethod
    def fromkeys(cls, keys: t.Iterable, value: t.Any = None) -> t.Any:
        instance = super().__new__(cls)  # type: ignore[misc]
        instance.__init__(zip(keys, _itertools_repeat(value)))
        return instance

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (dict(self),)  # type: ignore[call-overload]

    def _iter_hashitems(self) -> t.Iterable:
        return self.items()  # type: ignore[attr-defined]

    def __hash__(self) -> int:  # type: ignore[override]
        if self._hash_cache is not None:
            return self._hash_cache
        rv = self._hash_cache = hash(frozenset(self._iter_hashitems()))
        return rv

    setdefault = update = pop = popitem = clear = _refuse_mutation
    __setitem__ = __delitem__ = __ior__ = _refuse_mutation


class ImmutableMultiDictMixin(ImmutableDictMixin):
    """Makes a MultiDict subclass read-only."""

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (list(self.items(multi=True)),)  # type: ignore[attr-defined]

    def _iter_hashitems(self) -> t.Iterable:
        return self.items(multi=True)  # type: ignore[attr-defined]

    add = popitemlist = poplist = setlist = setlistdefault = _refuse_mutation


class ImmutableDict(ImmutableDictMixin, dict):  # type: ignore[misc]
    """A dict that refuses every change."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def copy(self) -> dict:  # type: ignore[override]
        """A mutable plain-dict copy."""
        return dict(self)

    def __copy__(self) -> ImmutableDict:
        return self


# -- callback dicts --------------------------------------------------------


def _mutating_method(name: str) -> t.Callable:
    """Wrap dict.<name> so that ``on_update(self)`` runs after it."""
    dict_method = getattr(dict, name)

    def call_then_notify(self: t.Any, *args: t.Any, **kwargs: t.Any) -> t.Any:
        rv = dict_method(self, *args, **kwargs)
        if self.on_update is not None:
            self.on_update(self)
        return rv

    call_then_notify.__name__ = name
    return call_then_notify


class UpdateDictMixin(dict):
    """A dict that calls ``self.on_update(self)`` after each change."""

    on_update: t.Callable[[t.Any], None] | None = None

    def setdefault(self, key: t.Any, default: t.Any = None) -> t.Any:
        modified = key not in self
        rv = super().setdefault(key, default)
        if modified and self.on_update is not None:
            self.on_update(self)
        return rv

    def pop(self, key: t.Any, default: t.Any = _missing_value) -> t.Any:
        modified = key in self
        if default is _missing_value:
            rv = super().pop(key)
        else:
            rv = super().pop(key, default)
        if modified and self.on_update is not None:
            self.on_update(self)
        return rv

    __setitem__ = _mutating_method("__setitem__")
    __delitem__ = _mutating_method("__delitem__")
    clear = _mutating_method("clear")
    popitem = _mutating_method("popitem")
    update = _mutating_method("update")
    __ior__ = _mutating_method("__ior__")


class CallbackDict(UpdateDictMixin, dict):
    """A dict that reports every change to ``on_update``."""

    def __init__(self, initial: t.Any = None, on_update: t.Callable | None = None) -> None:
        if initial is None:
            dict.__init__(self)
        else:
            dict.__init__(self, initial)
        self.on_update = on_update

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


# -- type conversion dicts -------------------------------------------------


class TypeConversionDict(dict):
    """A dict whose ``get`` can convert the value; a failed conversion
    returns the default instead of raising."""

    def get(self, key: t.Any, default: t.Any = None, type: t.Callable | None = None) -> t.Any:  # noqa: A002
        try:
            rv = self[key]
        except KeyError:
            return default
        if type is None:
            return rv
        try:
            return type(rv)
        except (ValueError, TypeError):
            return default


class ImmutableTypeConversionDict(ImmutableDictMixin, TypeConversionDict):  # type: ignore[misc]
    """Read-only :class:`TypeConversionDict`."""

    def copy(self) -> TypeConversionDict:  # type: ignore[override]
        return TypeConversionDict(self)

    def __copy__(self) -> ImmutableTypeConversionDict:
        return self


# -- multi dicts -----------------------------------------------------------


class MultiDict(TypeConversionDict):
    """A dict that keeps every value given for a key.

    ``d[key]`` and ``get`` give the first value, ``getlist`` all of them;
    ``add`` appends.  A missing key raises :class:`BadRequestKeyError`, a
    ``KeyError`` that also answers HTTP 400 if left uncaught in a view.
    """

    def __init__(self, mapping: t.Any = None) -> None:
        if mapping is None:
            dict.__init__(self)
        elif mapping.__class__ is list:  # pairs, e.g. a parsed query string
            lists: dict = {}
            for key, value in mapping:
                if key in lists:
                    lists[key].append(value)
                else:
                    lists[key] = [value]
            dict.__init__(self, lists)
        elif isinstance(mapping, MultiDict):
            dict.__init__(self, ((k, v[:]) for k, v in mapping.lists()))
        elif isinstance(mapping, dict):
            lists = {}
            for key, value in mapping.items():
                if isinstance(value, (list, tuple, set)):
                    if not value:
                        continue
                    value = list(value)
                else:
                    value = [value]
                lists[key] = value
            dict.__init__(self, lists)
        else:
            lists = {}
            for key, value in mapping:
                lists.setdefault(key, []).append(value)
            dict.__init__(self, lists)

    def __getstate__(self) -> dict:
        return dict(self.lists())

    def __setstate__(self, value: dict) -> None:
        dict.clear(self)
        dict.update(self, value)

    def __iter__(self) -> t.Iterator:
        return dict.__iter__(self)

    def __getitem__(self, key: t.Any) -> t.Any:
        try:
            values = dict.__getitem__(self, key)
        except KeyError:
            raise _bad_request_key_error(key) from None
        if values:
            return values[0]
        raise _bad_request_key_error(key)

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        dict.__setitem__(self, key, [value])

    def get(self, key: t.Any, default: t.Any = None, type: t.Callable | None = None) -> t.Any:  # noqa: A002
        """The first value of ``key``, converted by ``type`` if given; a
        missing key or failed conversion gives ``default``."""
        # Written out (not via self[key]) so a miss costs no exception object.
        values = dict.get(self, key)
        if not values:
            return default
        if type is None:
            return values[0]
        try:
            return type(values[0])
        except (ValueError, TypeError):
            return default

    def add(self, key: t.Any, value: t.Any) -> None:
        """Append ``value`` to the values of ``key``."""
        dict.setdefault(self, key, []).append(value)

    def getlist(self, key: t.Any, type: t.Callable | None = None) -> list:  # noqa: A002
        """All values of ``key`` (``[]`` if none); with ``type``, converted,
        dropping values that fail to convert."""
        try:
            values = dict.__getitem__(self, key)
        except KeyError:
            return []
        if type is None:
            return list(values)
        converted = []
        for value in values:
            try:
                converted.append(type(value))
            except (ValueError, TypeError):
                pass
        return converted

    def setlist(self, key: t.Any, new_list: t.Iterable) -> None:
        """Replace the values of ``key`` with ``new_list``."""
        dict.__setitem__(self, key, list(new_list))

    def setdefault(self, key: t.Any, default: t.Any = None) -> t.Any:
        if key not in self:
            self[key] = default
        else:
            default = self[key]
        return default

    def setlistdefault(self, key: t.Any, default_list: t.Iterable | None = None) -> list:
        """The live list of ``key``'s values, set to ``default_list`` first
        if the key is missing."""
        if key not in self:
            default_list = list(default_list or ())
            dict.__setitem__(self, key, default_list)
        else:
            default_list = dict.__getitem__(self, key)
        return default_list  # type: ignore[return-value]

    def items(self, multi: bool = False) -> t.Iterator[tuple[t.Any, t.Any]]:  # type: ignore[override]
        """``(key, first value)`` pairs, or every pair with ``multi=True``."""
        for key, values in dict.items(self):
            if multi:
                for value in values:
                    yield key, value
            else:
                yield key, values[0]

    def lists(self) -> t.Iterator[tuple[t.Any, list]]:
        """``(key, list of values)`` pairs."""
        for key, values in dict.items(self):
            yield key, list(values)

    def values(self) -> t.Iterator[t.Any]:  # type: ignore[override]
        """The first value of each key."""
        for values in dict.values(self):
            yield values[0]

    def listvalues(self) -> t.Iterator[list]:
        """The list of values of each key."""
        return iter(dict.values(self))

    def copy(self) -> MultiDict:
        return self.__class__(self)

    def deepcopy(self, memo: t.Any = None) -> MultiDict:
        return self.__class__(_copy_deepcopy(self.to_dict(flat=False), memo))

    def to_dict(self, flat: bool = True) -> dict:
        """A plain dict: first values, or lists with ``flat=False``."""
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def update(self, mapping: t.Any = (), **kwargs: t.Any) -> None:  # type: ignore[override]
        """Add (not replace) the values from ``mapping`` and ``kwargs``."""
        if mapping:
            for key, value in iter_multi_items(mapping):
                self.add(key, value)
        for key, value in iter_multi_items(kwargs):
            self.add(key, value)

    def __or__(self, other: t.Any) -> MultiDict:
        if not isinstance(other, dict):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    def __ior__(self, other: t.Any) -> MultiDict:  # type: ignore[override,misc]
        if not isinstance(other, (dict, MultiDict)):
            return NotImplemented
        self.update(other)
        return self

    def pop(self, key: t.Any, default: t.Any = _missing_value) -> t.Any:
        """Remove ``key``, returning its first value."""
        try:
            values = dict.pop(self, key)
            if not values:
                raise _bad_request_key_error(key)
            return values[0]
        except KeyError:
            if default is not _missing_value:
                return default
            raise _bad_request_key_error(key) from None

    def popitem(self) -> tuple[t.Any, t.Any]:
        """Remove some key, returning ``(key, first value)``."""
        try:
            key, values = dict.popitem(self)
        except KeyError as e:
            raise _bad_request_key_error(e.args[0] if e.args else None) from None
        if not values:
            raise _bad_request_key_error(key)
        return key, values[0]

    def poplist(self, key: t.Any) -> list:
        """Remove ``key``, returning all its values (``[]`` if missing)."""
        return dict.pop(self, key, [])

    def popitemlist(self) -> tuple[t.Any, list]:
        """Remove some key, returning ``(key, list of values)``."""
        try:
            return dict.popitem(self)
        except KeyError as e:
            raise _bad_request_key_error(e.args[0] if e.args else None) from None

    def __copy__(self) -> MultiDict:
        return self.copy()

    def __deepcopy__(self, memo: t.Any) -> MultiDict:
        return self.deepcopy(memo=memo)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class ImmutableMultiDict(ImmutableMultiDictMixin, MultiDict):  # type: ignore[misc]
    """Read-only :class:`MultiDict` (what ``request.args`` and ``form`` are)."""

    def copy(self) -> MultiDict:
        """A mutable :class:`MultiDict` copy."""
        return MultiDict(self)

    def __copy__(self) -> ImmutableMultiDict:
        return self


class OrderedMultiDict(MultiDict):
    """A MultiDict that also remembers the order of values across keys:
    ``items(multi=True)`` yields pairs exactly in insertion order."""

    def __init__(self, mapping: t.Any = None) -> None:
        MultiDict.__init__(self)
        self._pairs: list[list] = []
        if mapping is not None:
            for key, value in iter_multi_items(mapping):
                OrderedMultiDict.add(self, key, value)

    def _rebuild_pairs_for(self, key: t.Any, values: list) -> None:
        """Drop ``key``'s pairs; append its new values at the end."""
        self._pairs = [pair for pair in self._pairs if pair[0] != key]
        self._pairs.extend([key, value] for value in values)

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (list(self.items(multi=True)),)

    def __getstate__(self) -> list:  # type: ignore[override]
        return list(self.items(multi=True))

    def __setstate__(self, values: t.Any) -> None:  # type: ignore[override]
        dict.clear(self)
        self._pairs = []
        for key, value in values:
            OrderedMultiDict.add(self, key, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiDict):
            return NotImplemented
        if isinstance(other, OrderedMultiDict):
            return list(self.items(multi=True)) == list(other.items(multi=True))
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        # Like the peer: the key's old values go, the new one moves to the end.
        if key in self:
            self._pairs = [pair for pair in self._pairs if pair[0] != key]
        dict.__setitem__(self, key, [value])
        self._pairs.append([key, value])

    def __delitem__(self, key: t.Any) -> None:
        dict.__delitem__(self, key)
        self._pairs = [pair for pair in self._pairs if pair[0] != key]

    def add(self, key: t.Any, value: t.Any) -> None:
        dict.setdefault(self, key, []).append(value)
        self._pairs.append([key, value])

    def setlist(self, key: t.Any, new_list: t.Iterable) -> None:
        values = list(new_list)
        dict.__setitem__(self, key, values)
        self._rebuild_pairs_for(key, values)

    def setlistdefault(self, key: t.Any, default_list: t.Iterable | None = None) -> list:
        raise TypeError("setlistdefault is unsupported for ordered multi dicts")

    def keys(self) -> t.Iterator:  # type: ignore[override]
        seen = set()
        for key, _ in self._pairs:
            if key not in seen:
                seen.add(key)
                yield key

    __iter__ = keys  # type: ignore[assignment]

    def values(self) -> t.Iterator[t.Any]:  # type: ignore[override]
        for key in self.keys():
            yield dict.__getitem__(self, key)[0]

    def items(self, multi: bool = False) -> t.Iterator[tuple[t.Any, t.Any]]:  # type: ignore[override]
        if multi:
            for key, value in self._pairs:
                yield key, value
        else:
            for key in self.keys():
                yield key, dict.__getitem__(self, key)[0]

    def lists(self) -> t.Iterator[tuple[t.Any, list]]:
        for key in self.keys():
            yield key, list(dict.__getitem__(self, key))

    def listvalues(self) -> t.Iterator[list]:
        for key in self.keys():
            yield list(dict.__getitem__(self, key))

    def pop(self, key: t.Any, default: t.Any = _missing_value) -> t.Any:
        if key in self:
            self._pairs = [pair for pair in self._pairs if pair[0] != key]
        return MultiDict.pop(self, key, default)

    def popitem(self) -> tuple[t.Any, t.Any]:
        key, values = self.popitemlist()
        return key, values[0]

    def poplist(self, key: t.Any) -> list:
        self._pairs = [pair for pair in self._pairs if pair[0] != key]
        return dict.pop(self, key, [])

    def popitemlist(self) -> tuple[t.Any, list]:
        try:
            key, values = dict.popitem(self)
        except KeyError as e:
            raise _bad_request_key_error(e.args[0] if e.args else None) from None
        self._pairs = [pair for pair in self._pairs if pair[0] != key]
        return key, values

    def clear(self) -> None:
        dict.clear(self)
        self._pairs = []


class ImmutableOrderedMultiDict(ImmutableMultiDictMixin, OrderedMultiDict):  # type: ignore[misc]
    """Read-only :class:`OrderedMultiDict`."""

    def _iter_hashitems(self) -> t.Iterable:
        return enumerate(self.items(multi=True))

    def copy(self) -> OrderedMultiDict:
        return OrderedMultiDict(self)

    def __copy__(self) -> ImmutableOrderedMultiDict:
        return self


# Werkzeug 3.1 keeps the ordered variants under these private names too.
_OrderedMultiDict = OrderedMultiDict
_ImmutableOrderedMultiDict = ImmutableOrderedMultiDict


class CombinedMultiDict(ImmutableMultiDictMixin, MultiDict):  # type: ignore[misc]
    """A read-only view over several MultiDicts, searched in order (what
    ``request.values`` is: args then form)."""

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.Any:
        return type(self), (self.dicts,)

    def __init__(self, dicts: t.Iterable[MultiDict] | None = None) -> None:
        super().__init__()
        self.dicts: list[MultiDict] = list(dicts or ())

    @classmethod
    def fromkeys(cls, keys: t.Any, value: t.Any = None) -> t.NoReturn:
        raise TypeError(f"cannot create {cls.__name__!r} instances by fromkeys")

    def __getitem__(self, key: t.Any) -> t.Any:
        for d in self.dicts:
            if key in d:
                return d[key]
        raise _bad_request_key_error(key)

    def get(self, key: t.Any, default: t.Any = None, type: t.Callable | None = None) -> t.Any:  # noqa: A002
        for d in self.dicts:
            if key in d:
                if type is not None:
                    try:
                        return type(d[key])
                    except (ValueError, TypeError):
                        continue
                return d[key]
        return default

    def getlist(self, key: t.Any, type: t.Callable | None = None) -> list:  # noqa: A002
        rv = []
        for d in self.dicts:
            rv.extend(d.getlist(key, type))
        return rv

    def _keys_impl(self) -> set:
        rv: set = set()
        rv.update(*self.dicts)
        return rv

    def keys(self) -> t.Any:  # type: ignore[override]
        return self._keys_impl()

    def __iter__(self) -> t.Iterator:
        return iter(self._keys_impl())

    def items(self, multi: bool = False) -> t.Iterator[tuple[t.Any, t.Any]]:  # type: ignore[override]
        found = set()
        for d in self.dicts:
            for key, value in d.items(multi):
                if multi:
                    yield key, value
                elif key not in found:
                    found.add(key)
                    yield key, value

    def values(self) -> t.Iterator[t.Any]:  # type: ignore[override]
        for _key, value in self.items():
            yield value

    def lists(self) -> t.Iterator[tuple[t.Any, list]]:
        rv: dict = {}
        for d in self.dicts:
            for key, values in d.lists():
                rv.setdefault(key, []).extend(values)
        return iter(rv.items())

    def listvalues(self) -> t.Iterator[list]:
        return (values for _key, values in self.lists())

    def copy(self) -> MultiDict:  # type: ignore[override]
        """A mutable :class:`MultiDict` with every value."""
        return MultiDict(self)

    def to_dict(self, flat: bool = True) -> dict:
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def __len__(self) -> int:
        return len(self._keys_impl())

    def __contains__(self, key: object) -> bool:
        for d in self.dicts:
            if key in d:
                return True
        return False

    has_key = __contains__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dicts!r})"

    def __copy__(self) -> CombinedMultiDict:
        return self


# -- headers ---------------------------------------------------------------

def _checked_header_value(value: t.Any) -> str:
    """Coerce a header value to str and refuse CR, LF and NUL, which would
    let a value start a new header (response splitting)."""
    if value.__class__ is not str:
        value = str(value)
    if "\n" in value or "\r" in value:
        raise ValueError("Header values must not contain newline characters.")  # Werkzeug's words
    if "\x00" in value:
        raise ValueError("Header values must not contain NUL characters.")
    return value


# RFC 9110 section 5.6.2: a field name is a token.
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")


# Names that passed the check; an app uses a few dozen, each checked once.
_valid_header_names: set[str] = set()


def _checked_header_name(name: t.Any) -> str:
    """Refuse a header name that is not an RFC 9110 token: CR, LF, NUL, a
    space or a colon in a name would let it start a header of its own."""
    if name.__class__ is not str:
        name = str(name)
    elif name in _valid_header_names:
        return name  # type: ignore[no-any-return]
    if _HEADER_NAME_RE.match(name) is None:
        raise ValueError("Header names must be RFC 9110 tokens, not %r." % name)
    if len(_valid_header_names) < 512:
        _valid_header_names.add(name)
    return name


def _value_with_options(value: t.Any, options: dict) -> str:
    """Render ``value; key=val`` as ``Headers.add(..., key=val)`` does;
    underscores in option names become dashes."""
    from microflask.http import dump_options_header

    return dump_options_header(value, {k.replace("_", "-"): v for k, v in options.items()})


class Headers:
    """An ordered, case-insensitive list of ``(name, value)`` header pairs.

    ``headers["Content-Type"]`` gives the first value; an int index or a
    slice gives pairs; iterating yields pairs.  Values are converted with
    ``str`` and may not contain CR, LF or NUL.
    """

    def __init__(self, defaults: t.Any = None) -> None:
        self._list: list[tuple[str, str]] = []
        if defaults is not None:
            self.extend(defaults)

    def __getitem__(self, key: t.Any) -> t.Any:
        if key.__class__ is str or isinstance(key, str):
            ikey = key.lower()
            for k, v in self._list:
                if k.lower() == ikey:
                    return v
            raise _bad_request_key_error(key)
        if isinstance(key, slice):
            return self.__class__(self._list[key])
        return self._list[key]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented

        def lowered(item: tuple) -> tuple:
            return (item[0].lower(),) + tuple(item[1:])

        return set(map(lowered, other._list)) == set(map(lowered, self._list))

    __hash__ = None  # type: ignore[assignment]

    def get(self, key: str, default: t.Any = None, type: t.Callable | None = None) -> t.Any:  # noqa: A002
        """The first value of ``key`` (converted by ``type`` if given; a
        failed conversion gives ``default``)."""
        if isinstance(key, str):
            ikey = key.lower()
            for k, rv in self._list:
                if k.lower() == ikey:
                    break
            else:
                return default
        else:
            try:
                rv = self[key]
            except (KeyError, IndexError):
                return default
        if type is None:
            return rv
        try:
            return type(rv)
        except ValueError:
            return default

    def getlist(self, key: str, type: t.Callable | None = None) -> list:  # noqa: A002
        """Every value of ``key``, in order."""
        ikey = key.lower()
        if type is None:
            return [v for k, v in self._list if k.lower() == ikey]
        result = []
        for k, v in self._list:
            if k.lower() == ikey:
                try:
                    result.append(type(v))
                except ValueError:
                    continue
        return result

    def get_all(self, name: str) -> list:
        """Same as :meth:`getlist` (the name ``email.message`` uses)."""
        return self.getlist(name)

    def items(self, lower: bool = False) -> t.Iterator[tuple[str, str]]:
        for key, value in self:
            if lower:
                key = key.lower()
            yield key, value

    def keys(self, lower: bool = False) -> t.Iterator[str]:
        for key, _ in self.items(lower):
            yield key

    def values(self) -> t.Iterator[str]:
        for _, value in self.items():
            yield value

    def extend(self, arg: t.Any = None, /, **kwargs: t.Any) -> None:
        """Add every pair from a mapping or iterable, and ``kwargs``,
        keeping existing values."""
        if arg is not None:
            append = self._list.append
            if isinstance(arg, (list, tuple, Headers)):
                # The common case (a list of pairs): no per-item method call.
                for key, value in arg:
                    append((_checked_header_name(key), _checked_header_value(value)))
            else:
                for key, value in iter_multi_items(arg):
                    append((_checked_header_name(key), _checked_header_value(value)))
        if kwargs:
            for key, value in iter_multi_items(kwargs):
                self.add(key, value)

    def __delitem__(self, key: t.Any) -> None:
        if isinstance(key, (int, slice)):
            del self._list[key]
            return
        ikey = key.lower()
        self._list[:] = [pair for pair in self._list if pair[0].lower() != ikey]

    def remove(self, key: str) -> None:
        """Remove every value of ``key``."""
        self.__delitem__(key)

    def pop(self, key: t.Any = None, default: t.Any = _missing_value) -> t.Any:
        """Remove and return ``key``'s first value (all its values go), or
        the pair at an int index, or the last pair when no key is given."""
        if key is None:
            return self._list.pop()
        if isinstance(key, int):
            return self._list.pop(key)
        try:
            rv = self[key]
        except KeyError:
            if default is not _missing_value:
                return default
            raise
        self.remove(key)
        return rv

    def popitem(self) -> tuple[str, str]:
        """Remove and return the last pair."""
        return self.pop()

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        ikey = key.lower()
        for k, _ in self._list:
            if k.lower() == ikey:
                return True
        return False

    def __iter__(self) -> t.Iterator[tuple[str, str]]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def add(self, key: str, value: t.Any, **kwargs: t.Any) -> None:
        """Append a header; keyword arguments become options, e.g.
        ``add("Content-Disposition", "attachment", filename="a.txt")``."""
        if kwargs:
            value = _value_with_options(value, kwargs)
        self._list.append((_checked_header_name(key), _checked_header_value(value)))

    add_header = add

    def clear(self) -> None:
        del self._list[:]

    def set(self, key: str, value: t.Any, /, **kwargs: t.Any) -> None:
        """Replace every value of ``key`` by this one, keeping the position
        of the first existing value."""
        if kwargs:
            value = _value_with_options(value, kwargs)
        key = _checked_header_name(key)
        value = _checked_header_value(value)
        if not self._list:
            self._list.append((key, value))
            return
        ikey = key.lower()
        pairs = self._list
        for index, (old_key, _) in enumerate(pairs):
            if old_key.lower() == ikey:
                pairs[index] = (key, value)
                pairs[index + 1:] = [p for p in pairs[index + 1:] if p[0].lower() != ikey]
                return
        pairs.append((key, value))

    def setlist(self, key: str, values: t.Iterable) -> None:
        """Replace every value of ``key`` with ``values`` (none removes it)."""
        values_iter = iter(values)
        try:
            first = next(values_iter)
        except StopIteration:
            self.remove(key)
            return
        self.set(key, first)
        for value in values_iter:
            self.add(key, value)

    def setlistdefault(self, key: str, default: t.Iterable) -> list:
        """Every value of ``key``, set to ``default`` first if missing."""
        if key not in self:
            self.setlist(key, default)
        return self.getlist(key)

    def setdefault(self, key: str, default: t.Any) -> t.Any:
        """The first value of ``key``, set to ``default`` first if missing."""
        try:
            return self[key]
        except KeyError:
            pass
        self.set(key, default)
        return self[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        if isinstance(key, int):
            self._list[key] = (_checked_header_name(value[0]), _checked_header_value(value[1]))
        elif isinstance(key, slice):
            self._list[key] = [
                (_checked_header_name(k), _checked_header_value(v)) for k, v in value
            ]
        else:
            self.set(key, value)

    def update(self, arg: t.Any = None, /, **kwargs: t.Any) -> None:
        """Replace headers by those given: list values replace all values
        of a key, a MultiDict or Headers replaces with all its values."""
        if arg is not None:
            if isinstance(arg, (Headers, MultiDict)):
                for key in arg.keys():
                    self.setlist(key, arg.getlist(key))
            elif isinstance(arg, dict):
                for key, value in arg.items():
                    if isinstance(value, (list, tuple)):
                        self.setlist(key, value)
                    else:
                        self.set(key, value)
            else:
                for key, value in arg:
                    self.set(key, value)
        for key, value in kwargs.items():
            if isinstance(value, (list, tuple)):
                self.setlist(key, value)
            else:
                self.set(key, value)

    def __or__(self, other: t.Any) -> Headers:
        if not isinstance(other, (dict, Headers)):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    def __ior__(self, other: t.Any) -> Headers:
        if not isinstance(other, (dict, Headers)):
            return NotImplemented
        self.update(other)
        return self

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """The pairs as a list, ready for ``start_response``."""
        return list(self._list)

    def copy(self) -> Headers:
        return self.__class__(self._list)

    def __copy__(self) -> Headers:
        return self.copy()

    def __str__(self) -> str:
        lines = [f"{key}: {value}" for key, value in self.to_wsgi_list()]
        lines.append("\r\n")
        return "\r\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class ImmutableHeadersMixin:
    """Makes a Headers subclass read-only."""

    def __delitem__(self, key: t.Any, **kwargs: t.Any) -> None:
        _refuse_mutation(self)

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        _refuse_mutation(self)

    set = add = add_header = extend = update = __ior__ = _refuse_mutation
    remove = insert = pop = popitem = setdefault = setlist = setlistdefault = _refuse_mutation
    clear = _refuse_mutation


class EnvironHeaders(ImmutableHeadersMixin, Headers):  # type: ignore[misc]
    """A live, read-only view of the headers in a WSGI environ
    (``HTTP_*`` keys plus ``CONTENT_TYPE`` and ``CONTENT_LENGTH``)."""

    def __init__(self, environ: dict) -> None:
        self.environ = environ

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EnvironHeaders):
            return NotImplemented
        return self.environ is other.environ

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, key: t.Any) -> str:
        if not isinstance(key, str):
            raise _bad_request_key_error(key)
        key = key.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = f"HTTP_{key}"
        try:
            return self.environ[key]
        except KeyError:
            # A KeyError that also answers 400 when a view does
            # request.headers["X"] for a header the client did not send.
            raise _bad_request_key_error(key) from None

    def get(self, key: str, default: t.Any = None, type: t.Callable | None = None) -> t.Any:  # noqa: A002
        if not isinstance(key, str):
            return default
        name = key.upper().replace("-", "_")
        if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = f"HTTP_{name}"
        environ = self.environ
        if name not in environ:
            return default
        rv = environ[name]
        if type is None:
            return rv
        try:
            return type(rv)
        except ValueError:
            return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        key = key.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return key in self.environ
        return f"HTTP_{key}" in self.environ

    def getlist(self, key: str, type: t.Callable | None = None) -> list:  # noqa: A002
        try:
            value = self[key]
        except KeyError:
            return []
        if type is None:
            return [value]
        try:
            return [type(value)]
        except ValueError:
            return []

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __iter__(self) -> t.Iterator[tuple[str, str]]:
        for key, value in self.environ.items():
            if key.startswith("HTTP_") and key not in (
                "HTTP_CONTENT_TYPE",
                "HTTP_CONTENT_LENGTH",
            ):
                yield key[5:].replace("_", "-").title(), value
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").title(), value

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        return list(self)

    def copy(self) -> t.NoReturn:  # type: ignore[override]
        raise TypeError(f"cannot create {type(self).__name__!r} copies")

    def __or__(self, other: t.Any) -> t.NoReturn:
        raise TypeError(f"cannot create {type(self).__name__!r} copies")


# -- uploaded files --------------------------------------------------------


class FileStorage:
    """An uploaded file: a stream plus its form field ``name``, client
    ``filename`` and headers.  Unknown attributes are looked up on the
    stream, so ``read``, ``seek`` and friends work directly."""

    def __init__(
        self,
        stream: t.Any = None,
        filename: str | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.name = name
        if stream is None:
            from io import BytesIO

            stream = BytesIO()
        self.stream = stream
        if filename is None:
            filename = getattr(stream, "name", None)
            if isinstance(filename, bytes):
                filename = filename.decode("utf-8", "replace")
            if isinstance(filename, str) and filename[:1] == "<" and filename[-1:] == ">":
                filename = None
            elif not isinstance(filename, str):
                filename = None
        self.filename = filename
        if headers is None:
            headers = Headers()
        self.headers = headers
        if content_type is not None:
            headers["Content-Type"] = content_type
        if content_length is not None:
            headers["Content-Length"] = str(content_length)

    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        from microflask.http import parse_options_header

        return parse_options_header(self.content_type)

    @property
    def content_type(self) -> str | None:
        """The Content-Type header the client sent for this part."""
        return self.headers.get("content-type")

    @property
    def content_length(self) -> int:
        """The Content-Length header of this part, or 0."""
        value = self.headers.get("content-length", 0)
        try:
            return int(value)
        except (ValueError, TypeError):
            return 0

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lowercased."""
        return self._parsed_content_type()[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The content type's parameters, e.g. ``{"charset": "utf-8"}``."""
        return self._parsed_content_type()[1]

    def save(self, dst: t.Any, buffer_size: int = 16384) -> None:
        """Copy the file to ``dst``, a path or a writable binary file object
        (a path is opened and closed here; a file object is left open)."""
        import os
        from shutil import copyfileobj

        close_dst = False
        if hasattr(dst, "__fspath__"):
            dst = os.fspath(dst)
        if isinstance(dst, str):
            dst = open(dst, "wb")
            close_dst = True
        try:
            copyfileobj(self.stream, dst, buffer_size)
        finally:
            if close_dst:
                dst.close()

    def close(self) -> None:
        """Close the underlying stream, if it can be closed."""
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> t.Any:
        stream = self.__dict__.get("stream")
        if stream is None or name.startswith("__"):
            # Not set up yet (e.g. while unpickling): no proxying.
            raise AttributeError(name)
        try:
            return getattr(stream, name)
        except AttributeError:
            # SpooledTemporaryFile hides some attributes on its _file.
            if hasattr(stream, "_file"):
                return getattr(stream._file, name)
            raise

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"


class FileMultiDict(MultiDict):
    """A MultiDict with :meth:`add_file` (used to build test requests)."""

    def add_file(
        self,
        name: str,
        file: t.Any,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Add a file from a path, a file object or a FileStorage."""
        if isinstance(file, FileStorage):
            value = file
        else:
            if isinstance(file, str):
                if filename is None:
                    filename = file
                file = open(file, "rb")
            if filename and content_type is None:
                import mimetypes

                content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            value = FileStorage(file, filename, name, content_type)
        self.add(name, value)


# -- header sets -----------------------------------------------------------


class HeaderSet(_AbstractMutableSet):
    """A case-insensitive, ordered set of header tokens (Allow, Vary,
    Content-Language, ...).  ``on_update(self)`` runs after each change.
    It is a :class:`~collections.abc.MutableSet`: it compares equal to a
    set with the same tokens and supports ``&``, ``|``, ``<=``..."""

    def __init__(
        self, headers: t.Iterable[str] | None = None, on_update: t.Callable | None = None
    ) -> None:
        self._headers = list(headers or ())
        self._set = {x.lower() for x in self._headers}
        self.on_update = on_update

    def _notify(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def add(self, header: str) -> None:
        """Add a token unless already present (any casing)."""
        self.update((header,))

    def remove(self, header: str) -> None:
        """Remove a token; ``KeyError`` if absent."""
        key = header.lower()
        if key not in self._set:
            raise KeyError(header)
        self._set.remove(key)
        for index, item in enumerate(self._headers):
            if item.lower() == key:
                del self._headers[index]
                break
        self._notify()

    def update(self, iterable: t.Iterable[str]) -> None:
        """Add several tokens."""
        inserted_any = False
        for header in iterable:
            key = header.lower()
            if key not in self._set:
                self._headers.append(header)
                self._set.add(key)
                inserted_any = True
        if inserted_any:
            self._notify()

    def discard(self, header: str) -> None:
        """Remove a token if present."""
        try:
            self.remove(header)
        except KeyError:
            pass

    def find(self, header: str) -> int:
        """Index of a token, or -1."""
        key = header.lower()
        for index, item in enumerate(self._headers):
            if item.lower() == key:
                return index
        return -1

    def index(self, header: str) -> int:
        """Index of a token; ``IndexError`` if absent."""
        rv = self.find(header)
        if rv < 0:
            raise IndexError(header)
        return rv

    def clear(self) -> None:
        self._set.clear()
        self._headers.clear()
        self._notify()

    def as_set(self, preserve_casing: bool = False) -> set:
        """The tokens as a plain set (lowercased unless told otherwise)."""
        if preserve_casing:
            return set(self._headers)
        return set(self._set)

    def to_header(self) -> str:
        from microflask.http import quote_header_value

        return ", ".join(map(quote_header_value, self._headers))

    def __getitem__(self, index: t.Any) -> t.Any:
        return self._headers[index]

    def __delitem__(self, index: t.Any) -> None:
        rv = self._headers.pop(index)
        self._set.remove(rv.lower())
        self._notify()

    def __setitem__(self, index: t.Any, value: str) -> None:
        old = self._headers[index]
        self._set.remove(old.lower())
        self._headers[index] = value
        self._set.add(value.lower())
        self._notify()

    def __contains__(self, header: object) -> bool:
        return isinstance(header, str) and header.lower() in self._set

    def __len__(self) -> int:
        return len(self._set)

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._headers)

    def __bool__(self) -> bool:
        return bool(self._set)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._headers!r})"


# -- accept headers --------------------------------------------------------


class Accept(ImmutableList):
    """A parsed Accept-style header: ``(value, quality)`` pairs, most
    specific and best first.  ``accept["x"]`` is the quality of ``x``;
    ``best_match`` picks the server's best offer."""

    def __init__(self, values: t.Any = ()) -> None:
        if values is None:
            list.__init__(self)
            self.provided = False
        elif isinstance(values, Accept):
            self.provided = values.provided
            list.__init__(self, values)
        else:
            self.provided = True
            values = sorted(
                values, key=lambda item: (self._specificity(item[0]), item[1]), reverse=True
            )
            list.__init__(self, values)

    def _specificity(self, value: str) -> tuple[bool, ...]:
        """Sort key: concrete values before wildcards."""
        return (value != "*",)

    def _value_matches(self, value: str, item: str) -> bool:
        """Whether the client's ``item`` accepts the server's ``value``."""
        return item == "*" or item.lower() == value.lower()

    def __getitem__(self, key: t.Any) -> t.Any:  # type: ignore[override]
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def quality(self, key: str) -> float:
        """The quality the client gives ``key`` (0 if not accepted)."""
        for item, quality in self:
            if self._value_matches(key, item):
                return quality
        return 0

    def __contains__(self, value: object) -> bool:
        for item, _quality in self:
            if self._value_matches(value, item):  # type: ignore[arg-type]
                return True
        return False

    def __repr__(self) -> str:
        pairs = ", ".join(f"({x!r}, {y})" for x, y in self)
        return f"{type(self).__name__}([{pairs}])"

    def index(self, key: t.Any) -> int:  # type: ignore[override]
        """Position of the first entry accepting ``key``; ``ValueError`` if none."""
        if isinstance(key, str):
            for index, (item, _quality) in enumerate(self):
                if self._value_matches(key, item):
                    return index
            raise ValueError(key)
        return list.index(self, key)

    def find(self, key: t.Any) -> int:
        """Like :meth:`index` but -1 when nothing accepts ``key``."""
        try:
            return self.index(key)
        except ValueError:
            return -1

    def values(self) -> t.Iterator[str]:
        """The accepted values, best first."""
        for item in self:
            yield item[0]

    def to_header(self) -> str:
        result = []
        for value, quality in self:
            if quality != 1:
                value = f"{value};q={quality}"
            result.append(value)
        return ",".join(result)

    def __str__(self) -> str:
        return self.to_header()

    def _best_single_match(self, match: str) -> tuple[str, float] | None:
        for client_item, quality in self:
            if self._value_matches(match, client_item):
                return client_item, quality
        return None

    def best_match(self, matches: t.Iterable[str], default: t.Any = None) -> t.Any:
        """The offer in ``matches`` the client likes best (ties go to the
        more specific client entry, then to the earlier offer)."""
        result = default
        best_quality: float = -1
        best_specificity: tuple = (-1,)
        for server_item in matches:
            match = self._best_single_match(server_item)
            if not match:
                continue
            client_item, quality = match
            specificity = self._specificity(client_item)
            if quality <= 0 or quality < best_quality:
                continue
            if quality > best_quality or specificity > best_specificity:
                result = server_item
                best_quality = quality
                best_specificity = specificity
        return result

    @property
    def best(self) -> str | None:
        """The client's favourite value, or ``None``."""
        if self:
            return self[0][0]
        return None


_mime_split_re = re.compile(r"/|(?:\s*;\s*)")


def _normalize_mime_parts(value: str) -> list[str]:
    return _mime_split_re.split(value.lower())


class MIMEAccept(Accept):
    """Accept for media types, with ``*/*`` and ``type/*`` wildcards and
    parameters compared too."""

    def _specificity(self, value: str) -> tuple[bool, ...]:
        return tuple(x != "*" for x in _mime_split_re.split(value))

    def _value_matches(self, value: str, item: str) -> bool:
        if "/" not in item:
            return False
        if "/" not in value:
            raise ValueError(f"invalid mimetype {value!r}")
        value_parts = _normalize_mime_parts(value)
        value_type, value_subtype = value_parts[:2]
        value_params = sorted(value_parts[2:])
        if value_type == "*" and value_subtype != "*":
            raise ValueError(f"invalid mimetype {value!r}")
        item_parts = _normalize_mime_parts(item)
        item_type, item_subtype = item_parts[:2]
        item_params = sorted(item_parts[2:])
        if item_type == "*" and item_subtype != "*":
            return False
        return (
            (item_type == "*" and item_subtype == "*")
            or (value_type == "*" and value_subtype == "*")
            or (
                item_type == value_type
                and (
                    item_subtype == "*"
                    or value_subtype == "*"
                    or (item_subtype == value_subtype and item_params == value_params)
                )
            )
        )

    @property
    def accept_html(self) -> bool:
        """Whether HTML is accepted."""
        return "text/html" in self or "application/xhtml+xml" in self or self.accept_xhtml

    @property
    def accept_xhtml(self) -> bool:
        """Whether XHTML (or XML) is accepted."""
        return "application/xhtml+xml" in self or "application/xml" in self

    @property
    def accept_json(self) -> bool:
        """Whether JSON is accepted."""
        return "application/json" in self


_locale_delimiter_re = re.compile(r"[_-]")


def _normalize_language_tag(value: str) -> list[str]:
    return _locale_delimiter_re.split(value.lower())


class LanguageAccept(Accept):
    """Accept-Language: ``en_US`` equals ``en-us``; ``best_match`` falls
    back to the primary language (``en-US`` <-> ``en``)."""

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _normalize_language_tag(value) == _normalize_language_tag(item)

    def best_match(self, matches: t.Iterable[str], default: t.Any = None) -> t.Any:
        matches = list(matches)
        result = super().best_match(matches)
        if result is not None:
            return result
        # The client asked for "en-US", the server offers "en".
        fallback = Accept(
            [(_locale_delimiter_re.split(item[0], 1)[0], item[1]) for item in self]
        )
        result = fallback.best_match(matches)
        if result is not None:
            return result
        # The client asked for "en", the server offers "en-US".
        fallback_matches = [_locale_delimiter_re.split(item, 1)[0] for item in matches]
        result = super().best_match(fallback_matches)
        if result is not None:
            return next(item for item in matches if item.startswith(result))
        return default


def _normalize_charset_name(name: str) -> str:
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


class CharsetAccept(Accept):
    """Accept-Charset: names compare by codec (``utf8`` equals ``UTF-8``)."""

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _normalize_charset_name(value) == _normalize_charset_name(item)


# -- etags and ranges ------------------------------------------------------


class ETags:
    """A set of entity tags from If-Match / If-None-Match (or ``*``)."""

    def __init__(
        self,
        strong_etags: t.Iterable[str] | None = None,
        weak_etags: t.Iterable[str] | None = None,
        star_tag: bool = False,
    ) -> None:
        if not star_tag and strong_etags:
            self._strong = frozenset(strong_etags)
        else:
            self._strong = frozenset()
        self._weak = frozenset(weak_etags or ())
        self.star_tag = star_tag

    def as_set(self, include_weak: bool = False) -> set[str]:
        rv = set(self._strong)
        if include_weak:
            rv.update(self._weak)
        return rv

    def is_weak(self, etag: str) -> bool:
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        return etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Weak comparison: matches strong or weak tags."""
        return self.is_weak(etag) or self.contains(etag)

    def contains(self, etag: str) -> bool:
        """Strong comparison (``*`` matches everything)."""
        if self.star_tag:
            return True
        return self.is_strong(etag)

    def contains_raw(self, etag: str) -> bool:
        """Compare a quoted etag, weak if it is ``W/``-prefixed."""
        from microflask.http import unquote_etag

        unquoted, weak = unquote_etag(etag)
        if weak:
            return self.contains_weak(unquoted)  # type: ignore[arg-type]
        return self.contains(unquoted)  # type: ignore[arg-type]

    def to_header(self) -> str:
        if self.star_tag:
            return "*"
        return ", ".join([f'"{x}"' for x in self._strong] + [f'W/"{x}"' for x in self._weak])

    def __call__(self, etag: str | None = None, data: bytes | None = None,
                 include_weak: bool = False) -> bool:
        if etag is None:
            if data is None:
                raise TypeError("'data' is required when 'etag' is not given.")
            from microflask.http import generate_etag

            etag = generate_etag(data)
        if include_weak and etag in self._weak:
            return True
        return etag in self._strong

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __str__(self) -> str:
        return self.to_header()

    def __len__(self) -> int:
        return len(self._strong)

    def __iter__(self) -> t.Iterator[str]:
        return iter(self._strong)

    def __contains__(self, etag: object) -> bool:
        return self.contains(etag)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


class IfRange:
    """A parsed If-Range header: an ``etag`` or a ``date`` (or neither)."""

    def __init__(self, etag: str | None = None, date: datetime | None = None) -> None:
        self.etag = etag
        self.date = date

    def to_header(self) -> str:
        if self.date is not None:
            from microflask.http import http_date

            return http_date(self.date)
        if self.etag is not None:
            from microflask.http import quote_etag

            return quote_etag(self.etag)
        return ""

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


class Range:
    """A parsed Range header: ``units`` and half-open ``(start, stop)``
    pairs (``stop`` None means to the end; a negative start counts from it)."""

    def __init__(self, units: str, ranges: t.Sequence[tuple[int, int | None]]) -> None:
        self.units = units
        self.ranges = ranges
        for start, end in ranges:
            if start is None or (end is not None and (start < 0 or start >= end)):
                raise ValueError(f"{(start, end)} is not a valid range.")

    def range_for_length(self, length: int | None) -> tuple[int, int] | None:
        """The single byte range as absolute ``(start, stop)`` for a body of
        ``length`` bytes, or ``None`` if not satisfiable/not a single range."""
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, end = self.ranges[0]
        if end is None:
            end = length
            if start < 0:
                start += length
        from microflask.http import is_byte_range_valid

        if is_byte_range_valid(start, end, length):
            return start, min(end, length)
        return None

    def make_content_range(self, length: int | None) -> ContentRange | None:
        """The matching :class:`ContentRange` for a body of ``length`` bytes."""
        rng = self.range_for_length(length)
        if rng is not None:
            return ContentRange(self.units, rng[0], rng[1], length)
        return None

    def to_header(self) -> str:
        ranges = []
        for begin, end in self.ranges:
            if end is None:
                ranges.append(f"{begin}-" if begin >= 0 else str(begin))
            else:
                ranges.append(f"{begin}-{end - 1}")
        return f"{self.units}={','.join(ranges)}"

    def to_content_range_header(self, length: int | None) -> str | None:
        """The Content-Range header value for a body of ``length`` bytes."""
        rng = self.range_for_length(length)
        if rng is not None:
            return f"{self.units} {rng[0]}-{rng[1] - 1}/{length}"
        return None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


def _content_range_attribute(name: str) -> property:
    """A ContentRange attribute whose changes call ``on_update``."""
    slot = f"_{name}"

    def get_attribute(self: t.Any) -> t.Any:
        return getattr(self, slot)

    def set_attribute(self: t.Any, value: t.Any) -> None:
        setattr(self, slot, value)
        if self.on_update is not None:
            self.on_update(self)

    return property(get_attribute, set_attribute)


class ContentRange:
    """A parsed Content-Range header; ``stop`` is exclusive."""

    def __init__(
        self,
        units: str | None,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        on_update: t.Callable | None = None,
    ) -> None:
        self.on_update = on_update
        self.set(start, stop, length, units)

    units = _content_range_attribute("units")
    start = _content_range_attribute("start")
    stop = _content_range_attribute("stop")
    length = _content_range_attribute("length")

    def set(self, start: int | None, stop: int | None, length: int | None = None,
            units: str | None = "bytes") -> None:
        """Set every field at once (one ``on_update`` call)."""
        from microflask.http import is_byte_range_valid

        if not is_byte_range_valid(start, stop, length):
            raise AssertionError("Bad range provided")
        self._units = units
        self._start = start
        self._stop = stop
        self._length = length
        if self.on_update is not None:
            self.on_update(self)

    def unset(self) -> None:
        """Clear the range (the header is then removed)."""
        self.set(None, None, units=None)

    def to_header(self) -> str:
        if self._units is None:
            return ""
        length: t.Any = "*" if self._length is None else self._length
        if self._start is None:
            return f"{self._units} */{length}"
        return f"{self._units} {self._start}-{self._stop - 1}/{length}"  # type: ignore[operator]

    def __bool__(self) -> bool:
        return self._units is not None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self)!r}>"


# -- cache control and CSP -------------------------------------------------


def _cache_control_directive(key: str, empty: t.Any, value_type: t.Any) -> property:
    """An attribute for one Cache-Control directive.

    ``value_type`` bool: present or not.  Otherwise: missing gives None,
    present without a value gives ``empty``, a value is converted with
    ``value_type`` (None if that fails).  Setting True writes the bare
    directive, None or False removes it."""

    def get_directive(self: t.Any) -> t.Any:
        if value_type is bool:
            return key in self
        if key not in self:
            return None
        value = self[key]
        if value is None:
            return empty
        if value_type is not None:
            try:
                return value_type(value)
            except (ValueError, TypeError):
                return None
        return value

    def set_directive(self: t.Any, value: t.Any) -> None:
        if value_type is bool:
            if value:
                self[key] = None
            else:
                self.pop(key, None)
            return
        if value is None or value is False:
            self.pop(key, None)
        elif value is True:
            self[key] = None
        elif value_type is not None:
            # Stored as header text, like a parsed header would hold it.
            self[key] = str(value_type(value))
        else:
            self[key] = value

    def delete_directive(self: t.Any) -> None:
        self.pop(key, None)

    return property(get_directive, set_directive, delete_directive)


class _CacheControlBase(UpdateDictMixin, dict):
    """Cache-Control directives as a dict (value None for bare directives)
    with typed attributes; ``provided`` tells if the header was present."""

    def __init__(self, values: t.Any = (), on_update: t.Callable | None = None) -> None:
        dict.__init__(self, values or ())
        self.on_update = on_update
        self.provided = values is not None

    # Werkzeug exposes its directive-property factory here for subclasses
    # that add directives: ``cache_property(key, empty, type)``.
    cache_property = staticmethod(_cache_control_directive)

    no_cache = _cache_control_directive("no-cache", True, bool)
    no_store = _cache_control_directive("no-store", None, bool)
    max_age = _cache_control_directive("max-age", None, int)
    no_transform = _cache_control_directive("no-transform", None, bool)
    stale_if_error = _cache_control_directive("stale-if-error", None, int)

    def to_header(self) -> str:
        from microflask.http import dump_header

        return dump_header(self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        kv_str = " ".join(f"{k}={v!r}" for k, v in sorted(self.items()))
        return f"<{type(self).__name__} {kv_str}>"


class RequestCacheControl(ImmutableDictMixin, _CacheControlBase):  # type: ignore[misc]
    """The request's Cache-Control header, read-only."""

    max_stale = _cache_control_directive("max-stale", True, int)
    min_fresh = _cache_control_directive("min-fresh", None, int)
    only_if_cached = _cache_control_directive("only-if-cached", None, bool)


class ResponseCacheControl(_CacheControlBase):
    """The response's Cache-Control header; setting attributes rewrites it."""

    no_cache = _cache_control_directive("no-cache", True, None)
    public = _cache_control_directive("public", None, bool)
    private = _cache_control_directive("private", True, None)
    must_revalidate = _cache_control_directive("must-revalidate", None, bool)
    proxy_revalidate = _cache_control_directive("proxy-revalidate", None, bool)
    s_maxage = _cache_control_directive("s-maxage", None, int)
    immutable = _cache_control_directive("immutable", None, bool)
    must_understand = _cache_control_directive("must-understand", None, bool)
    stale_while_revalidate = _cache_control_directive("stale-while-revalidate", None, int)


def _csp_directive(key: str) -> property:
    def get_directive(self: t.Any) -> str | None:
        return self.get(key)

    def set_directive(self: t.Any, value: str | None) -> None:
        if value is None:
            self.pop(key, None)
        else:
            self[key] = value

    def delete_directive(self: t.Any) -> None:
        self.pop(key, None)

    return property(get_directive, set_directive, delete_directive)


class ContentSecurityPolicy(UpdateDictMixin, dict):
    """Content-Security-Policy directives as a dict with attributes
    (``csp.default_src = "'self'"``)."""

    base_uri = _csp_directive("base-uri")
    child_src = _csp_directive("child-src")
    connect_src = _csp_directive("connect-src")
    default_src = _csp_directive("default-src")
    font_src = _csp_directive("font-src")
    form_action = _csp_directive("form-action")
    frame_ancestors = _csp_directive("frame-ancestors")
    frame_src = _csp_directive("frame-src")
    img_src = _csp_directive("img-src")
    manifest_src = _csp_directive("manifest-src")
    media_src = _csp_directive("media-src")
    navigate_to = _csp_directive("navigate-to")
    object_src = _csp_directive("object-src")
    prefetch_src = _csp_directive("prefetch-src")
    plugin_types = _csp_directive("plugin-types")
    report_to = _csp_directive("report-to")
    report_uri = _csp_directive("report-uri")
    sandbox = _csp_directive("sandbox")
    script_src = _csp_directive("script-src")
    script_src_attr = _csp_directive("script-src-attr")
    script_src_elem = _csp_directive("script-src-elem")
    style_src = _csp_directive("style-src")
    style_src_attr = _csp_directive("style-src-attr")
    style_src_elem = _csp_directive("style-src-elem")
    worker_src = _csp_directive("worker-src")

    def __init__(self, values: t.Any = (), on_update: t.Callable | None = None) -> None:
        dict.__init__(self, values or ())
        self.on_update = on_update
        self.provided = values is not None

    def to_header(self) -> str:
        from microflask.http import dump_csp_header

        return dump_csp_header(self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        kv_str = " ".join(f"{k}={v!r}" for k, v in sorted(self.items()))
        return f"<{type(self).__name__} {kv_str}>"


# -- authentication --------------------------------------------------------


class Authorization:
    """A parsed Authorization header: ``type`` (lowercase scheme) and either
    ``parameters`` (``username``/``password`` for Basic) or a ``token``."""

    def __init__(self, auth_type: str, data: dict | None = None, token: str | None = None) -> None:
        self.type = auth_type
        self.parameters = {} if data is None else data
        self.token = token

    def __getattr__(self, name: str) -> t.Any:
        if name.startswith("__") or name in ("type", "parameters", "token"):
            raise AttributeError(name)
        return self.parameters.get(name)

    def __getitem__(self, name: str) -> str | None:
        return self.parameters.get(name)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        return self.parameters.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (
            other.type == self.type
            and other.token == self.token
            and other.parameters == self.parameters
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse an Authorization header value; ``None`` if empty or bad."""
        if not value:
            return None
        scheme, _, rest = value.partition(" ")
        scheme = scheme.lower()
        rest = rest.strip()
        if scheme == "basic":
            import base64
            import binascii

            try:
                decoded = base64.b64decode(rest, validate=False).decode()
            except (binascii.Error, UnicodeError, ValueError):
                return None
            username, _, password = decoded.partition(":")
            return cls(scheme, {"username": username, "password": password})
        if "=" in rest.rstrip("="):
            from microflask.http import parse_dict_header

            return cls(scheme, parse_dict_header(rest), None)
        return cls(scheme, None, rest)

    def to_header(self) -> str:
        if self.type == "basic":
            import base64

            credentials = f"{self.username}:{self.password}".encode()
            return f"Basic {base64.b64encode(credentials).decode('ascii')}"
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        from microflask.http import dump_header

        return f"{self.type.title()} {dump_header(self.parameters)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"


class WWWAuthenticate:
    """A WWW-Authenticate challenge: ``type``, ``parameters`` (``realm``,
    ...) or a ``token``.  Parameters are also attributes and items."""

    _known_attributes = frozenset(["type", "parameters", "token"])

    def __init__(
        self, auth_type: str, values: dict | None = None, token: str | None = None
    ) -> None:
        object.__setattr__(self, "_type", auth_type.lower())
        object.__setattr__(self, "_parameters", CallbackDict(values, self._trigger_on_update))
        object.__setattr__(self, "_token", token)
        object.__setattr__(self, "_on_update", None)

    def _trigger_on_update(self, value: t.Any = None) -> None:
        if self._on_update is not None:
            self._on_update(self)

    @property
    def type(self) -> str:
        return self._type

    @type.setter
    def type(self, value: str) -> None:
        object.__setattr__(self, "_type", value)
        self._trigger_on_update()

    @property
    def parameters(self) -> CallbackDict:
        return self._parameters

    @parameters.setter
    def parameters(self, value: dict) -> None:
        object.__setattr__(self, "_parameters", CallbackDict(value, self._trigger_on_update))
        self._trigger_on_update()

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        object.__setattr__(self, "_token", value)
        self._trigger_on_update()

    def __getitem__(self, key: str) -> str | None:
        return self.parameters.get(key)

    def __setitem__(self, key: str, value: str | None) -> None:
        if value is None:
            if key in self.parameters:
                del self.parameters[key]
        else:
            self.parameters[key] = value
        self._trigger_on_update()

    def __delitem__(self, key: str) -> None:
        if key in self.parameters:
            del self.parameters[key]
            self._trigger_on_update()

    def __getattr__(self, name: str) -> t.Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __setattr__(self, name: str, value: t.Any) -> None:
        if name.startswith("_") or name in self._known_attributes:
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        if name.startswith("_") or name in self._known_attributes:
            object.__delattr__(self, name)
        else:
            del self[name]

    def __contains__(self, key: object) -> bool:
        return key in self.parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WWWAuthenticate):
            return NotImplemented
        return (
            other.type == self.type
            and other.token == self.token
            and other.parameters == self.parameters
        )

    __hash__ = None  # type: ignore[assignment]

    def get(self, key: str, default: t.Any = None) -> t.Any:
        return self.parameters.get(key, default)

    @classmethod
    def from_header(cls, value: str | None) -> WWWAuthenticate | None:
        """Parse a WWW-Authenticate header value; ``None`` if empty."""
        if not value:
            return None
        scheme, _, rest = value.partition(" ")
        scheme = scheme.lower()
        rest = rest.strip()
        if "=" in rest.rstrip("="):
            from microflask.http import parse_dict_header

            return cls(scheme, parse_dict_header(rest), None)
        return cls(scheme, None, rest)

    def to_header(self) -> str:
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        from microflask.http import dump_header, quote_header_value

        if self.type == "digest":
            items = []
            for key, value in self.parameters.items():
                if key in {"realm", "domain", "nonce", "opaque", "qop"}:
                    value = quote_header_value(value, allow_token=False)
                else:
                    value = quote_header_value(value)
                items.append(f"{key}={value}")
            return f"Digest {', '.join(items)}"
        if not self.parameters:
            return self.type.title()
        return f"{self.type.title()} {dump_header(self.parameters)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"
