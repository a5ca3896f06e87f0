"""Check an app and its server against the WSGI spec (``werkzeug.middleware.lint``).

A thin wrapper over the standard library's ``wsgiref.validate``: every
environ, ``start_response`` call, header and body chunk is checked, and a
violation raises ``AssertionError`` naming the rule broken.  For
development and tests only; it slows every request down.
"""

from __future__ import annotations

import typing as t

__all__ = ["LintMiddleware"]


class LintMiddleware:
    """Wrap ``app`` in ``wsgiref.validate.validator`` (imported on first use)."""

    def __init__(self, app: t.Callable) -> None:
        self.app = app
        self._validated_app: t.Callable | None = None

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        validated = self._validated_app
        if validated is None:
            from wsgiref.validate import validator

            validated = self._validated_app = validator(self.app)
        return validated(environ, start_response)
