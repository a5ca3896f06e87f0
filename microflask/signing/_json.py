"""Compact JSON for URL-safe tokens: no spaces, non-ASCII kept as UTF-8.

Peer: ``itsdangerous._json``.
"""

from __future__ import annotations

import json
import typing as t

__all__ = ["_CompactJSON"]

# Built once: json.dumps with options builds a new encoder on every call.
_compact_json_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class _CompactJSON:
    """A ``json``-like serializer object producing the shortest text."""

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj: t.Any, **kwargs: t.Any) -> str:
        if not kwargs:
            return _compact_json_encoder.encode(obj)
        kwargs.setdefault("ensure_ascii", False)
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, **kwargs)
