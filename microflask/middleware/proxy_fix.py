"""Trust ``X-Forwarded-*`` headers set by reverse proxies (``werkzeug.middleware.proxy_fix``).

Behind nginx or a load balancer the WSGI server sees the proxy's address
and scheme, not the client's.  Proxies append what they saw to the
``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Port`` and ``-Prefix``
headers; :class:`ProxyFix` believes only the last *n* values of each (one
per proxy you run), because anything further left was written by the
client and may be forged.
"""

from __future__ import annotations

import typing as t

__all__ = ["ProxyFix"]

# The environ keys ProxyFix may rewrite; their originals are kept for inspection.
_PROXY_FIX_ORIGINAL_KEYS = (
    "REMOTE_ADDR",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
)


def _trusted_forwarded_value(trusted_hops: int, header_value: str | None) -> str | None:
    """The value written by the outermost trusted proxy, or None.

    With ``trusted_hops`` proxies in front of the app, the value they wrote
    is the ``trusted_hops``-th from the right.  Fewer values than that means
    the request did not pass through all the proxies: trust none.
    """
    if not trusted_hops or not header_value:
        return None
    # Empty items (a stray trailing comma) are not values, as in Werkzeug's list parsing.
    values = [part.strip() for part in header_value.split(",") if part.strip()]
    if len(values) < trusted_hops:
        return None
    return values[-trusted_hops]


class ProxyFix:
    """Rewrite the environ from ``X-Forwarded-*`` headers of trusted proxies.

    Each argument is how many proxies set that header (0: ignore it).
    ``X-Forwarded-For`` sets ``REMOTE_ADDR``; ``-Proto`` the URL scheme;
    ``-Host`` ``HTTP_HOST``/``SERVER_NAME``/``SERVER_PORT``; ``-Port`` the
    port; ``-Prefix`` ``SCRIPT_NAME``.  The values that were replaced stay
    in ``environ["werkzeug.proxy_fix.orig"]``.
    """

    def __init__(
        self,
        app: t.Callable,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        self.app = app
        self.x_for = x_for
        self.x_proto = x_proto
        self.x_host = x_host
        self.x_port = x_port
        self.x_prefix = x_prefix

    def __call__(self, environ: dict, start_response: t.Callable) -> t.Iterable[bytes]:
        get = environ.get
        environ["werkzeug.proxy_fix.orig"] = {key: get(key) for key in _PROXY_FIX_ORIGINAL_KEYS}

        client_address = _trusted_forwarded_value(self.x_for, get("HTTP_X_FORWARDED_FOR"))
        if client_address:
            environ["REMOTE_ADDR"] = client_address

        scheme = _trusted_forwarded_value(self.x_proto, get("HTTP_X_FORWARDED_PROTO"))
        if scheme:
            environ["wsgi.url_scheme"] = scheme

        host = _trusted_forwarded_value(self.x_host, get("HTTP_X_FORWARDED_HOST"))
        if host:
            environ["HTTP_HOST"] = environ["SERVER_NAME"] = host
            # A trailing "]" is a bare IPv6 address: its colons are not a port.
            if ":" in host and not host.endswith("]"):
                environ["SERVER_NAME"], environ["SERVER_PORT"] = host.rsplit(":", 1)

        port = _trusted_forwarded_value(self.x_port, get("HTTP_X_FORWARDED_PORT"))
        if port:
            current_host = environ.get("HTTP_HOST")
            if current_host:
                if ":" in current_host and not current_host.endswith("]"):
                    current_host = current_host.rsplit(":", 1)[0]
                environ["HTTP_HOST"] = "%s:%s" % (current_host, port)
            environ["SERVER_PORT"] = port

        prefix = _trusted_forwarded_value(self.x_prefix, get("HTTP_X_FORWARDED_PREFIX"))
        if prefix:
            environ["SCRIPT_NAME"] = prefix

        return self.app(environ, start_response)
