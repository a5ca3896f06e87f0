"""The development server (``werkzeug.serving``), on the stdlib's ``wsgiref``.

One thread per request, so a slow client does not hold up the others.  It
is for development: production belongs to a real WSGI server (gunicorn,
waitress, uWSGI, mod_wsgi), which can serve any microflask app as it is.
"""

from __future__ import annotations

import os
import sys
import typing as t

__all__ = ["make_server", "run_simple", "run_app"]


def _server_classes(threaded: bool) -> tuple[type, type]:
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    class DevRequestHandler(WSGIRequestHandler):
        """Logs one line per request to stderr, in the common log style."""

        def log_message(self, format: str, *args: t.Any) -> None:  # noqa: A002
            sys.stderr.write(
                "%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), format % args)
            )

    if threaded:

        class DevServer(socketserver.ThreadingMixIn, WSGIServer):
            daemon_threads = True

    else:

        class DevServer(WSGIServer):  # type: ignore[no-redef]
            pass

    return DevServer, DevRequestHandler


def make_server(
    host: str, port: int, app: t.Callable, threaded: bool = True, **options: t.Any
) -> t.Any:
    """A ready-to-serve wsgiref server for ``app`` on ``host:port`` (port 0: a free one)."""
    import socket
    from wsgiref.simple_server import make_server as wsgiref_make_server

    server_class, handler_class = _server_classes(threaded)
    if ":" in host:  # an IPv6 address
        server_class = type("DevServerV6", (server_class,), {"address_family": socket.AF_INET6})
        host = host.strip("[]")
    return wsgiref_make_server(
        host, port, app, server_class=server_class, handler_class=handler_class
    )


def run_simple(
    hostname: str,
    port: int,
    application: t.Callable,
    use_reloader: bool = False,
    use_debugger: bool = False,
    threaded: bool = True,
    **options: t.Any,
) -> None:
    """Serve ``application`` until Ctrl-C."""
    server = make_server(hostname, port, application, threaded=threaded)
    host, bound_port = server.server_address[:2]
    display_host = "[%s]" % host if ":" in host else host
    sys.stderr.write(" * Running on http://%s:%d (Press CTRL+C to quit)\n" % (display_host, bound_port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def run_app(
    app: t.Any,
    host: str | None = None,
    port: int | None = None,
    debug: bool | None = None,
    load_dotenv: bool = True,
    **options: t.Any,
) -> None:
    """``app.run()``: the development server with Flask's defaults and environment."""
    if debug is not None:
        app.debug = bool(debug)
    host = host or os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if port is None:
        port = int(os.environ.get("FLASK_RUN_PORT") or 5000)
    sys.stderr.write(
        " * Serving microflask app %r\n * This is a development server. Do not use it"
        " in production; use a WSGI server such as gunicorn or waitress instead.\n" % app.name
    )
    options.setdefault("threaded", True)
    run_simple(host, int(port), app, **options)
