"""Compact JSON for URL-safe tokens: no spaces, non-ASCII kept as UTF-8.

Peer: ``itsdangerous._json``.
"""

from __future__ import annotations

import json
import json.decoder
import json.encoder
import typing as t

__all__ = ["_CompactJSON"]

_compact_json_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_plain_json_decoder = json.JSONDecoder()
_scan_json_value = _plain_json_decoder.scan_once


def _make_compact_json_encode() -> t.Callable[[t.Any], str]:
    """The fastest way to write compact JSON that this Python offers.

    ``JSONEncoder.encode`` goes through several Python layers before it
    reaches the C encoder; building that C encoder directly (with a fresh
    circular-reference memo each time) gives the same text sooner.  It is
    a private hook of the ``json`` package, so it is checked on a sample
    and skipped if missing or different.
    """
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    basestring_encoder = getattr(json.encoder, "encode_basestring", None)
    slow_encode = _compact_json_encoder.encode
    if make_encoder is None or basestring_encoder is None:
        return slow_encode
    default = _compact_json_encoder.default

    def encode(obj: t.Any) -> str:
        chunks = make_encoder(
            {}, default, basestring_encoder, None, ":", ",", False, False, True
        )(obj, 0)
        return "".join(chunks)

    sample = {"a": [1, 2.5, None, True, "\u00e9\"<"], "b": {"c": -1e300}}
    try:
        if encode(sample) == slow_encode(sample) and encode("x") == slow_encode("x"):
            return encode
    except Exception:
        pass
    return slow_encode


_compact_json_encode = _make_compact_json_encode()


class _CompactJSON:
    """A ``json``-like serializer object producing the shortest text."""

    @staticmethod
    def loads(payload: t.Union[str, bytes]) -> t.Any:
        if type(payload) is str:
            # Compact tokens have no surrounding whitespace: scan the value
            # directly; anything unusual takes json.loads for its errors.
            try:
                value, end = _scan_json_value(payload, 0)
                if end == len(payload):
                    return value
            except Exception:
                pass
        return json.loads(payload)

    @staticmethod
    def dumps(obj: t.Any, **kwargs: t.Any) -> str:
        if not kwargs:
            return _compact_json_encode(obj)
        kwargs.setdefault("ensure_ascii", False)
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, **kwargs)
