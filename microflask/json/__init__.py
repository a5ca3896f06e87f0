"""JSON helpers that follow the current app's settings.

This plays the role of Flask's ``flask.json``.  ``dumps``, ``dump``,
``loads``, ``load`` and ``jsonify`` go through ``current_app.json`` (the
app's :class:`~microflask.json.provider.JSONProvider`) while an application
context is active.  Outside one, the ``dumps``/``loads`` family behave like
the standard library's with support for the provider's extra types, and
``jsonify`` uses a default provider (where Flask would raise).
"""

from __future__ import annotations

import json
from typing import IO, Any

from microflask.globals import _cv_app
from microflask.json.provider import (
    DefaultJSONProvider,
    JSONProvider,
    _json_loads,
    _json_provider_default,
)

__all__ = [
    "DefaultJSONProvider",
    "JSONProvider",
    "dump",
    "dumps",
    "jsonify",
    "load",
    "loads",
]

_json_fallback_provider = DefaultJSONProvider(None)


def _json_current_app() -> Any:
    """The app of the active application context, or ``None``."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    return app_context.app


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialize ``obj`` to a JSON string with the current app's provider."""
    app = _json_current_app()
    if app is not None:
        return app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", _json_provider_default)
    return json.dumps(obj, **kwargs)


def dump(obj: Any, fp: IO[str], **kwargs: Any) -> None:
    """Serialize ``obj`` as JSON into the text file ``fp``."""
    app = _json_current_app()
    if app is not None:
        app.json.dump(obj, fp, **kwargs)
        return
    kwargs.setdefault("default", _json_provider_default)
    json.dump(obj, fp, **kwargs)


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """Parse a JSON string or bytes with the current app's provider."""
    app = _json_current_app()
    if app is not None:
        return app.json.loads(s, **kwargs)
    return _json_loads(s, **kwargs)


def load(fp: IO[Any], **kwargs: Any) -> Any:
    """Parse JSON read from the file ``fp``."""
    app = _json_current_app()
    if app is not None:
        return app.json.load(fp, **kwargs)
    return json.load(fp, **kwargs)


def jsonify(*args: Any, **kwargs: Any) -> Any:
    """A ``application/json`` response for the arguments.

    No argument gives ``null``, one gives that value, several give a list,
    keyword arguments give an object; mixing both is a ``TypeError``.
    """
    app = _json_current_app()
    if app is not None:
        return app.json.response(*args, **kwargs)
    return _json_fallback_provider.response(*args, **kwargs)
