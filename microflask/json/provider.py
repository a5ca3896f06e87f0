"""JSON providers: how an app turns Python values into JSON and back.

This plays the role of Flask's ``flask.json.provider``.  ``JSONProvider`` is
the interface an app's ``app.json`` implements; ``DefaultJSONProvider`` uses
the standard library's ``json`` and also encodes dates (as HTTP dates),
``Decimal``, ``UUID``, dataclasses and objects with ``__html__``.

``jsonify`` sits on the hot path of every JSON API, so the default provider
keeps a ready-made ``json.JSONEncoder`` for its current settings instead of
building one per call; the encoder is rebuilt whenever those settings
(``default``, ``ensure_ascii``, ``sort_keys``) change.
"""

from __future__ import annotations

import json
import sys
import weakref
from datetime import date
from typing import IO, Any

__all__ = ["DefaultJSONProvider", "JSONProvider"]

# What ``response`` passes to ``dumps`` in each layout.
_JSON_COMPACT_ARGS: dict[str, Any] = {"separators": (",", ":")}
_JSON_PRETTY_ARGS: dict[str, Any] = {"indent": 2}


def _json_provider_default(o: Any) -> Any:
    """Turn the extra types the default provider supports into JSON values."""
    if isinstance(o, date):
        # Imported here so the JSON layer loads without the HTTP layer.
        from microflask.http import http_date

        return http_date(o)
    # decimal, uuid and dataclasses are slow to import and an object of their
    # types cannot exist unless its module was imported: look, don't import.
    modules = sys.modules
    decimal_module = modules.get("decimal")
    if decimal_module is not None and isinstance(o, decimal_module.Decimal):
        return str(o)
    uuid_module = modules.get("uuid")
    if uuid_module is not None and isinstance(o, uuid_module.UUID):
        return str(o)
    dataclasses_module = modules.get("dataclasses")
    if dataclasses_module is not None and dataclasses_module.is_dataclass(o):
        if isinstance(o, type):  # a dataclass itself, not an instance
            raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)
        return dataclasses_module.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _json_fast_encode_function(encoder: json.JSONEncoder) -> Any:
    """``encoder.encode`` without its per-call Python set-up.

    ``JSONEncoder.encode`` rebuilds its C encoder on every call; this calls
    the C encoder (``json.encoder.c_make_encoder``, the one ``encode`` uses)
    with the same arguments directly.  Strings, indented output and Pythons
    without the C accelerator go through ``encoder.encode`` itself.
    """
    from json import encoder as json_encoder_module

    make_c_encoder = getattr(json_encoder_module, "c_make_encoder", None)
    if make_c_encoder is None or encoder.indent is not None:
        return encoder.encode
    string_encoder = (
        json_encoder_module.encode_basestring_ascii
        if encoder.ensure_ascii
        else json_encoder_module.encode_basestring
    )
    arguments = (
        encoder.default,
        string_encoder,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    check_circular = encoder.check_circular
    slow_encode = encoder.encode
    join = "".join

    def encode(o: Any) -> str:
        if isinstance(o, str):
            return slow_encode(o)
        # A fresh markers dict per call, as encode() makes: circular checks
        # never see another call's objects.
        return join(make_c_encoder({} if check_circular else None, *arguments)(o, 0))

    return encode


def _json_response_class(app: Any) -> Any:
    """The app's ``response_class``, or Flask's Response without an app."""
    if app is not None:
        return app.response_class
    from microflask._app_wrappers import Response

    return Response


def _json_response_value(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What ``jsonify(*args, **kwargs)`` serializes: one value, a list or a dict."""
    if args and kwargs:
        raise TypeError("app.json.response() takes either args or kwargs, not both")
    if not args and not kwargs:
        return None
    if len(args) == 1:
        return args[0]
    return args or kwargs



def _json_loads(s: str | bytes, **kwargs: Any) -> Any:
    """``json.loads``, with a document nested too deeply for the parser's
    recursion a ``JSONDecodeError`` (bad input, a 400 in a request) rather
    than a ``RecursionError``."""
    try:
        return json.loads(s, **kwargs)
    except RecursionError:
        document = s if isinstance(s, str) else ""
        raise json.JSONDecodeError("the JSON document is nested too deeply", document, 0) from None

class JSONProvider:
    """The interface an app's JSON support implements (``app.json``).

    Subclasses implement :meth:`dumps` and :meth:`loads`; the rest is built
    on those two.  The app is held through a weak proxy so the provider does
    not keep it alive.  ``app`` may be ``None`` for use outside any app.
    """

    def __init__(self, app: Any) -> None:
        self._app: Any = None if app is None else weakref.proxy(app)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        raise NotImplementedError

    def dump(self, obj: Any, fp: IO[str], **kwargs: Any) -> None:
        """Serialize ``obj`` as JSON into the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a JSON string or bytes."""
        raise NotImplementedError

    def load(self, fp: IO[Any], **kwargs: Any) -> Any:
        """Parse JSON read from the file ``fp`` (text or binary)."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return _json_response_value(args, kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        """A JSON response for ``args`` (one value or a list) or ``kwargs`` (a dict)."""
        value = self._prepare_response_obj(args, kwargs)
        response_class = _json_response_class(self._app)
        return response_class(self.dumps(value), mimetype="application/json")


class DefaultJSONProvider(JSONProvider):
    """JSON through the standard library, with Flask's defaults.

    Set the attributes on ``app.json`` (or a subclass) to change them.
    """

    #: Encodes values ``json`` does not know; see the module docstring.
    default = staticmethod(_json_provider_default)
    #: Escape non-ASCII characters as ``\\uXXXX``.
    ensure_ascii = True
    #: Sort object keys, which keeps output (and cached responses) stable.
    sort_keys = True
    #: ``None``: compact responses unless the app is in debug mode, where
    #: they are indented.  ``True``/``False`` force one layout.
    compact: bool | None = None
    #: The mimetype of :meth:`response`.
    mimetype = "application/json"

    # (settings key, encoder, encode function) triples, made on first use per layout.
    _plain_encoder: tuple[Any, json.JSONEncoder, Any] | None = None
    _compact_encoder: tuple[Any, json.JSONEncoder, Any] | None = None

    def _cached_encoder(self, compact: bool) -> tuple[Any, json.JSONEncoder, Any]:
        """The cache entry for the current settings, rebuilt if they changed."""
        settings = (self.default, self.ensure_ascii, self.sort_keys)
        cached = self._compact_encoder if compact else self._plain_encoder
        if cached is not None and cached[0] == settings:
            return cached
        encoder = json.JSONEncoder(
            default=settings[0],
            ensure_ascii=settings[1],
            sort_keys=settings[2],
            separators=(",", ":") if compact else None,
        )
        cached = (settings, encoder, _json_fast_encode_function(encoder))
        if compact:
            self._compact_encoder = cached
        else:
            self._plain_encoder = cached
        return cached

    def _encoder_for(self, compact: bool) -> json.JSONEncoder:
        """The cached encoder for the current settings, rebuilt if they changed."""
        return self._cached_encoder(compact)[1]

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize ``obj``; ``kwargs`` go to :func:`json.dumps`.

        ``default``, ``ensure_ascii`` and ``sort_keys`` come from the
        provider unless given.
        """
        if not kwargs:
            return self._cached_encoder(False)[2](obj)
        if len(kwargs) == 1 and kwargs.get("separators") == (",", ":"):
            # The tagged session serializer's call: reuse the compact encoder.
            return self._cached_encoder(True)[2](obj)
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON from ``str`` or ``bytes`` (UTF-8, -16 or -32)."""
        return _json_loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        """A JSON response (``jsonify``), with a trailing newline.

        Compact separators, or an indent of 2 when :attr:`compact` says so
        (by default: when the app is in debug mode).
        """
        value = self._prepare_response_obj(args, kwargs)
        app = self._app
        compact = self.compact
        pretty = compact is False or (compact is None and app is not None and app.debug)
        if type(self).dumps is DefaultJSONProvider.dumps and not pretty:
            body = self._cached_encoder(True)[2](value)
        else:
            body = self.dumps(value, **(_JSON_PRETTY_ARGS if pretty else _JSON_COMPACT_ARGS))
        return _json_response_class(app)(body + "\n", mimetype=self.mimetype)
