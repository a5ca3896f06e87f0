"""Tagged JSON: JSON that round-trips a few more Python types.

This plays the role of Flask's ``flask.json.tag``; the signed-cookie session
stores its data with :class:`TaggedJSONSerializer`.  A value JSON cannot
represent is written as a one-key object whose key is a *tag*::

    (1, 2)         -> {" t": [1, 2]}
    b"\\x00"        -> {" b": "AA=="}
    Markup("<b>")  -> {" m": "<b>"}
    UUID(...)      -> {" u": "<hex>"}
    datetime(...)  -> {" d": "<HTTP date>"}

A real one-key dict whose key happens to be a tag is itself wrapped
(``{" di": {" t__": ...}}``) so it cannot be mistaken for a tagged value.
The output is byte-for-byte what Flask writes, so sessions carry over.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from microflask.json import _json_current_app
from microflask.json import dumps as _tagged_json_dumps
from microflask.json import loads as _tagged_json_loads
from microflask.json.provider import DefaultJSONProvider
from microflask.markup import Markup

__all__ = [
    "JSONTag",
    "PassDict",
    "PassList",
    "TagBytes",
    "TagDateTime",
    "TagDict",
    "TagMarkup",
    "TagTuple",
    "TagUUID",
    "TaggedJSONSerializer",
]


class JSONTag:
    """One tag: recognises a type (``check``), and converts it to JSON
    (``to_json``) and back (``to_python``).  ``key`` is the tag's name in
    the output; a tag with an empty key only rewrites values and is never
    looked up when loading."""

    __slots__ = ("serializer",)

    #: The tag's key in the JSON object, e.g. ``" t"``; empty for pass-through tags.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: Any) -> bool:
        """Whether this tag handles ``value``."""
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        """Convert ``value`` to something JSON can hold (tagging nested values)."""
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        """Rebuild the Python value from what :meth:`to_json` produced."""
        raise NotImplementedError

    def tag(self, value: Any) -> Any:
        """Convert ``value`` and wrap it in ``{key: ...}``."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A one-key dict whose key is a registered tag.

    The key gets a ``"__"`` suffix inside a ``" di"`` wrapper, so loading
    does not treat the dict as a tagged value.
    """

    __slots__ = ()
    key = " di"

    def check(self, value: Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: Any) -> Any:
        only_key = next(iter(value))
        return {only_key + "__": self.serializer.tag(value[only_key])}

    def to_python(self, value: Any) -> Any:
        only_key = next(iter(value))
        return {only_key[:-2]: value[only_key]}


class PassDict(JSONTag):
    """Any other dict: kept as a dict, with its values tagged."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: Any) -> Any:
        # JSON object keys are strings, so only the values need tagging.
        tag = self.serializer.tag
        return {key: tag(item) for key, item in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    """A tuple, stored as a tagged list."""

    __slots__ = ()
    key = " t"

    def check(self, value: Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: Any) -> Any:
        tag = self.serializer.tag
        return [tag(item) for item in value]

    def to_python(self, value: Any) -> Any:
        return tuple(value)


class PassList(JSONTag):
    """A list: kept as a list, with its items tagged."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: Any) -> Any:
        tag = self.serializer.tag
        return [tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    """Bytes, stored as base64 text."""

    __slots__ = ()
    key = " b"

    def check(self, value: Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: Any) -> Any:
        from base64 import b64encode  # only sessions holding bytes need it

        return b64encode(value).decode("ascii")

    def to_python(self, value: Any) -> Any:
        from base64 import b64decode

        return b64decode(value)


class TagMarkup(JSONTag):
    """Anything with ``__html__`` (``Markup`` and friends); loads as ``Markup``."""

    __slots__ = ()
    key = " m"

    def check(self, value: Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: Any) -> Any:
        return str(value.__html__())

    def to_python(self, value: Any) -> Any:
        return Markup(value)


class TagUUID(JSONTag):
    """A ``uuid.UUID``, stored as its 32 hex digits."""

    __slots__ = ()
    key = " u"

    def check(self, value: Any) -> bool:
        # A UUID cannot exist unless uuid was imported: look, don't import
        # (uuid loads platform, which costs milliseconds).
        uuid_module = sys.modules.get("uuid")
        return uuid_module is not None and isinstance(value, uuid_module.UUID)

    def to_json(self, value: Any) -> Any:
        return value.hex

    def to_python(self, value: Any) -> Any:
        from uuid import UUID

        return UUID(value)


class TagDateTime(JSONTag):
    """A ``datetime``, stored as an HTTP date (UTC, whole seconds)."""

    __slots__ = ()
    key = " d"

    def check(self, value: Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: Any) -> Any:
        from microflask.http import http_date

        return http_date(value)

    def to_python(self, value: Any) -> Any:
        from microflask.http import parse_date

        return parse_date(value)


# Exact types no built-in tag matches (Markup, a str subclass, is not among them).
_UNTAGGED_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _needs_no_tags(value: Any, tag_keys: dict[str, Any]) -> bool:
    """Whether the built-in tags would leave ``value`` as it is: plain JSON
    scalars in plain lists and dicts, no one-key dict keyed by a tag name."""
    cls = type(value)
    if cls is dict:
        if len(value) == 1 and next(iter(value)) in tag_keys:
            return False
        items: Any = value.values()
    elif cls is list:
        items = value
    else:
        return cls in _UNTAGGED_SCALAR_TYPES
    scalar_types = _UNTAGGED_SCALAR_TYPES
    for item in items:
        if type(item) not in scalar_types and not _needs_no_tags(item, tag_keys):
            return False
    return True


class TaggedJSONSerializer:
    """Serialize to compact JSON with tags, and back.

    Tags are tried in :attr:`order`; the first whose ``check`` accepts a
    value converts it.  :meth:`register` adds tags of your own.
    """

    __slots__ = ("tags", "order", "_scalars_pass_through", "_untagging_decode")

    #: The tags every serializer starts with, in the order they are tried.
    default_tags: list[type[JSONTag]] = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        for tag_class in self.default_tags:
            self.register(tag_class)
        # With only the built-in tags, plain JSON scalars never need a tag:
        # skip trying every tag on them (most session values are scalars).
        self._scalars_pass_through = all(
            tag_class in _BUILTIN_TAG_CLASSES for tag_class in self.default_tags
        )

    def register(
        self, tag_class: type[JSONTag], force: bool = False, index: int | None = None
    ) -> None:
        """Add a tag.  ``index`` places it in the trial order (default: last).

        A key that is already registered is a ``KeyError`` unless ``force``
        replaces the old tag.
        """
        tag = tag_class(self)
        if tag_class not in _BUILTIN_TAG_CLASSES:
            self._scalars_pass_through = False
        key = tag.key
        if key:
            if not force and key in self.tags:
                raise KeyError("Tag '%s' is already registered." % key)
            self.tags[key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: Any) -> Any:
        """Convert ``value`` to JSON-ready data, tagging where needed."""
        if type(value) in _UNTAGGED_SCALAR_TYPES and self._scalars_pass_through:
            return value
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, Any]) -> Any:
        """Rebuild a tagged value; anything else comes back unchanged."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        if tag is None:
            return value
        return tag.to_python(value[key])

    def _untag_scan(self, value: Any) -> Any:
        # Innermost first: a tag's payload is rebuilt before the tag itself.
        if isinstance(value, dict):
            scan = self._untag_scan
            return self.untag({key: scan(item) for key, item in value.items()})
        if isinstance(value, list):
            scan = self._untag_scan
            return [scan(item) for item in value]
        return value

    def dumps(self, value: Any) -> str:
        """Tag ``value`` and write it as compact JSON."""
        if (
            self._scalars_pass_through
            and type(self).tag is _TAGGED_SERIALIZER_TAG
            and _needs_no_tags(value, self.tags)
        ):
            # Tagging would copy the value unchanged: write it directly.
            app = _json_current_app()
            if app is not None:
                provider = app.json
                if type(provider).dumps is _DEFAULT_PROVIDER_DUMPS:
                    # What provider.dumps(value, separators=(",", ":")) does.
                    return provider._cached_encoder(True)[2](value)
            return _tagged_json_dumps(value, separators=(",", ":"))
        return _tagged_json_dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> Any:
        """Parse JSON from :meth:`dumps` and rebuild the tagged values."""
        if type(value) is str and type(self)._untag_scan is _TAGGED_SERIALIZER_UNTAG_SCAN:
            decode = _json_untagging_decoder(self)
            if decode is not None:
                return decode(value)
        return self._untag_scan(_tagged_json_loads(value))


_BUILTIN_TAG_CLASSES = frozenset(TaggedJSONSerializer.default_tags)
_TAGGED_SERIALIZER_TAG = TaggedJSONSerializer.tag
_TAGGED_SERIALIZER_UNTAG_SCAN = TaggedJSONSerializer._untag_scan
_DEFAULT_PROVIDER_DUMPS = DefaultJSONProvider.dumps


def _json_untagging_decoder(serializer: TaggedJSONSerializer) -> Any:
    """A ``decode(text)`` that parses and untags in one pass, or ``None``
    when the app's JSON provider is not the standard one (its ``loads`` must
    then be called).

    The parser calls the object hook on every object, innermost first, which
    is what ``_untag_scan`` does after parsing, without walking the parsed
    value again in Python.  One decoder is kept per serializer.
    """
    app = _json_current_app()
    if app is not None and type(app.json).loads is not DefaultJSONProvider.loads:
        return None
    decode = getattr(serializer, "_untagging_decode", None)
    if decode is None:
        decode = serializer._untagging_decode = _json_untagging_decode_function(serializer)
    return decode


def _json_untagging_decode_function(serializer: TaggedJSONSerializer) -> Any:
    """``JSONDecoder.decode`` with the serializer's ``untag`` as object hook."""
    return json.JSONDecoder(object_hook=serializer.untag).decode

