"""Mount several WSGI apps under URL prefixes (``werkzeug.middleware.dispatcher``).

``DispatcherMiddleware(frontend, {"/api": api, "/admin": admin})`` sends
``/api/users`` to ``api`` with ``SCRIPT_NAME`` extended by ``/api`` and
``PATH_INFO`` ``/users``, so each app builds correct URLs for its mount
point.  The longest matching prefix wins; anything else goes to the default
app.
"""

from __future__ import annotations

import typing as t

__all__ = ["DispatcherMiddleware"]


class DispatcherMiddleware:
    """Route requests to ``mounts[prefix]`` by longest path prefix, else to ``app``."""

    def __init__(self, app: t.Callable, mounts: dict[str, t.Callable] | None = None) -> None:
        self.app = app
        self.mounts = mounts or {}

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        mounts = self.mounts
        prefix = environ.get("PATH_INFO", "")
        rest = ""
        # Drop one segment at a time from the right until a mount matches.
        while "/" in prefix:
            if prefix in mounts:
                app = mounts[prefix]
                break
            prefix, last_segment = prefix.rsplit("/", 1)
            rest = "/%s%s" % (last_segment, rest)
        else:
            app = mounts.get(prefix, self.app)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
        environ["PATH_INFO"] = rest
        return app(environ, start_response)
