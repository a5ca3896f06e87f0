"""The development server and reloader (``werkzeug.serving``).

:func:`run_simple` serves any WSGI app over HTTP/1.1 on the stdlib's
``http.server``/``socketserver`` machinery: one thread per connection,
keep-alive for responses with a known length (chunked encoding for the
others), TLS from a certificate and key, IPv6, a coloured log line per
request, and an optional reloader that restarts the server when a source
file changes, handing the listening socket to the new process so no
request is refused meanwhile.  :func:`run_app` is ``Flask.run()``.

It is for development.  Production belongs to a real WSGI server
(gunicorn, waitress, uWSGI, mod_wsgi), which serves any microflask app as
it is.  ``http.server`` and friends are imported on first use only.
"""

from __future__ import annotations

import os
import sys
import time
import typing as t

# BaseWSGIServer, ThreadedWSGIServer, ForkingWSGIServer and WSGIRequestHandler
# are importable too; they are built on first access (see ``__getattr__``).
__all__ = [
    "DechunkedInput",
    "generate_adhoc_ssl_context",
    "generate_adhoc_ssl_pair",
    "get_interface_ip",
    "get_sockaddr",
    "is_running_from_reloader",
    "is_ssl_error",
    "load_ssl_context",
    "make_server",
    "make_ssl_devcert",
    "run_app",
    "run_simple",
    "select_address_family",
]

# The child process a reloader starts sees this set to "true"; Werkzeug's
# name is honoured too, so code written for it keeps working.
_RUN_MAIN_ENV = "MICROFLASK_RUN_MAIN"
_SERVER_FD_ENV = "MICROFLASK_SERVER_FD"
# A child exits with this code to ask its parent for a restart.
_RESTART_EXIT_CODE = 3
# Unread request body beyond this is not drained: the connection closes instead.
_MAX_DRAIN_BYTES = 64 * 1024
_ANSI_STATUS_STYLES = (
    (500, "\x1b[1;35m"),  # bold magenta: server errors
    (404, "\x1b[33m"),  # yellow: not found
    (400, "\x1b[1;31m"),  # bold red: other client errors
    (304, "\x1b[36m"),  # cyan: not modified
    (300, "\x1b[32m"),  # green: redirects
    (200, ""),
    (100, "\x1b[1m"),  # bold: informational
)


def is_running_from_reloader() -> bool:
    """Whether this process is the reloader's child (the one serving requests)."""
    return (
        os.environ.get(_RUN_MAIN_ENV) == "true" or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
    )


# -- logging -------------------------------------------------------------------------------


def _serving_logger() -> t.Any:
    """The ``werkzeug`` logger Werkzeug's server logs to, with a stderr handler if unset."""
    import logging

    logger = logging.getLogger("werkzeug")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    return logger


def _log_serving(level: str, message: str, *args: t.Any) -> None:
    getattr(_serving_logger(), level)(message.rstrip(), *args)


def _stderr_wants_colour() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _colour_status(status_code: str) -> str:
    if not _stderr_wants_colour():
        return status_code
    try:
        code = int(status_code)
    except ValueError:
        return status_code
    for lowest, style in _ANSI_STATUS_STYLES:
        if code >= lowest:
            return "%s%s\x1b[0m" % (style, status_code) if style else status_code
    return status_code


# -- TLS -----------------------------------------------------------------------------------


def load_ssl_context(cert_file: str, pkey_file: str | None = None, protocol: int | None = None) -> t.Any:
    """An ``ssl.SSLContext`` for a server, from a certificate and private key file."""
    import ssl

    if protocol is None:
        protocol = ssl.PROTOCOL_TLS_SERVER
    context = ssl.SSLContext(protocol)
    context.load_cert_chain(cert_file, pkey_file)
    return context


def generate_adhoc_ssl_context() -> t.Any:
    """Werkzeug makes a throw-away certificate here; that needs ``cryptography``."""
    raise RuntimeError(
        "An ad-hoc TLS certificate needs the 'cryptography' package, which microflask"
        " does not use. Make a certificate once (e.g. 'openssl req -x509 -newkey rsa:2048"
        " -nodes -keyout key.pem -out cert.pem -days 365 -subj /CN=localhost') and pass"
        " ssl_context=('cert.pem', 'key.pem')."
    )


def generate_adhoc_ssl_pair(cn: str | None = None) -> t.Any:
    """Werkzeug makes a throw-away certificate and key here; that needs ``cryptography``."""
    return generate_adhoc_ssl_context()


def make_ssl_devcert(base_path: str, host: str | None = None, cn: str | None = None) -> t.Any:
    """Werkzeug writes a development certificate here; that needs ``cryptography``."""
    return generate_adhoc_ssl_context()


def is_ssl_error(error: BaseException | None = None) -> bool:
    """True when ``error`` (default: the exception being handled) is a TLS error."""
    import ssl

    if error is None:
        error = sys.exc_info()[1]
    return isinstance(error, ssl.SSLError)


def _resolve_ssl_context(ssl_context: t.Any) -> t.Any:
    if ssl_context is None:
        return None
    if ssl_context == "adhoc":
        return generate_adhoc_ssl_context()
    if isinstance(ssl_context, tuple):
        return load_ssl_context(*ssl_context)
    return ssl_context


# -- request bodies --------------------------------------------------------------------------


class _LimitedRequestBody:
    """``wsgi.input`` for a body of known length: reads stop at Content-Length.

    Without the limit an app reading "everything" would block on a
    keep-alive connection waiting for the next request's bytes.
    """

    def __init__(self, stream: t.Any, length: int) -> None:
        self._stream = stream
        self.remaining = length

    def read(self, size: int | None = -1) -> bytes:
        remaining = self.remaining
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        data = self._stream.read(size)
        self.remaining = remaining - len(data)
        if not data:
            self.remaining = 0
        return data

    def readline(self, size: int | None = -1) -> bytes:
        remaining = self.remaining
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        data = self._stream.readline(size)
        self.remaining = remaining - len(data)
        if not data:
            self.remaining = 0
        return data

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.readline, b"")

    def drain(self, limit: int) -> bool:
        """Skip the unread rest of the body; False if it is longer than ``limit``."""
        if self.remaining > limit:
            return False
        while self.remaining > 0:
            if not self.read(min(self.remaining, 8192)):
                return False
        return True


class _ChunkedRequestBody(_LimitedRequestBody):
    """``wsgi.input`` for ``Transfer-Encoding: chunked``: decoded as it is read."""

    def __init__(self, stream: t.Any) -> None:
        super().__init__(stream, 0)
        self._buffer = b""
        self._finished = False

    def _fill(self) -> bool:
        if self._finished:
            return False
        size_line = self._stream.readline(1026)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise ValueError("invalid chunk size in request body") from None
        if size < 0:
            raise ValueError("invalid chunk size in request body")
        if size == 0:
            # Trailer headers end with an empty line.
            while self._stream.readline(1026) not in (b"\r\n", b"\n", b""):
                pass
            self._finished = True
            return False
        data = self._stream.read(size)
        self._stream.readline(3)  # the CRLF after each chunk
        self._buffer += data
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            data, self._buffer = self._buffer, b""
            return data
        while len(self._buffer) < size and self._fill():
            pass
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        while b"\n" not in self._buffer and self._fill():
            if size is not None and 0 <= size <= len(self._buffer):
                break
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        if size is not None and 0 <= size < end:
            end = size
        data, self._buffer = self._buffer[:end], self._buffer[end:]
        return data

    def drain(self, limit: int) -> bool:
        total = 0
        while self._fill():
            total += len(self._buffer)
            self._buffer = b""
            if total > limit:
                return False
        return True


# Werkzeug's name for the chunked-body reader.
DechunkedInput = _ChunkedRequestBody


# -- the server classes (built on first use: http.server is heavy) --------------------------

_server_classes_cache: dict[str, type] = {}


def _build_server_classes() -> dict[str, type]:
    """Define the handler and server classes once, importing ``http.server`` then."""
    if _server_classes_cache:
        return _server_classes_cache
    import socket
    import socketserver
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from urllib.parse import unquote_to_bytes, urlsplit

    class WSGIRequestHandler(BaseHTTPRequestHandler):
        """Turns each HTTP/1.1 request into a WSGI call; keeps connections alive."""

        protocol_version = "HTTP/1.1"
        server_version = "microflask/%s" % _serving_package_version()

        def make_environ(self) -> dict[str, t.Any]:
            request_target = self.path
            if "://" in request_target[:10] or request_target.startswith("//"):
                parts = urlsplit(request_target)
                path, query = parts.path or "/", parts.query
            else:
                path, _, query = request_target.partition("?")
            server = self.server
            url_scheme = "https" if getattr(server, "ssl_context", None) else "http"
            client_address = self.client_address
            if not isinstance(client_address, tuple):
                client_address = ("<local>", 0)
            environ: dict[str, t.Any] = {
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": url_scheme,
                "wsgi.input": None,
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": getattr(server, "multithread", False),
                "wsgi.multiprocess": getattr(server, "multiprocess", False),
                "wsgi.run_once": False,
                "werkzeug.socket": self.connection,
                "SERVER_SOFTWARE": self.server_version,
                "REQUEST_METHOD": self.command,
                "SCRIPT_NAME": "",
                "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
                "QUERY_STRING": query,
                "REQUEST_URI": request_target,
                "RAW_URI": request_target,
                "REMOTE_ADDR": client_address[0],
                "REMOTE_PORT": client_address[1],
                "SERVER_NAME": server.server_address[0],
                "SERVER_PORT": str(server.server_address[1]),
                "SERVER_PROTOCOL": self.request_version,
            }
            for key, value in self.headers.items():
                key = key.upper().replace("-", "_")
                value = value.replace("\r\n", "")
                if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                    environ[key] = value
                    continue
                key = "HTTP_" + key
                if key in environ:
                    value = "%s,%s" % (environ[key], value)
                environ[key] = value
            if environ.get("HTTP_TRANSFER_ENCODING", "").strip().lower() == "chunked":
                environ["wsgi.input_terminated"] = True
                environ["wsgi.input"] = _ChunkedRequestBody(self.rfile)
                environ.pop("CONTENT_LENGTH", None)
            else:
                try:
                    length = int(environ.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    length = -1
                if length < 0:
                    raise ValueError("invalid Content-Length")
                environ["wsgi.input"] = _LimitedRequestBody(self.rfile, length)
            return environ

        def handle_one_request(self) -> None:
            # BaseHTTPRequestHandler's version, with the body handling WSGI needs.
            try:
                self.raw_requestline = self.rfile.readline(65537)
            except (ConnectionError, TimeoutError, OSError):
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            try:
                self.run_wsgi()
            except (ConnectionError, TimeoutError):
                self.close_connection = True
            except Exception:
                if getattr(self.server, "passthrough_errors", False):
                    raise
                self.close_connection = True
                self.log_error("Error on request:\n%s", _format_current_exception())
            try:
                self.wfile.flush()
            except OSError:
                self.close_connection = True

        def run_wsgi(self) -> None:
            if self.headers.get("Expect", "").lower().strip() == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            try:
                environ = self.environ = self.make_environ()
            except ValueError:
                self.send_error(400, "Bad Request")
                self.close_connection = True
                return
            started: list[t.Any] = []  # [status, headers, chunked] once sent
            pending: list[t.Any] = []  # [status, headers] until the first body byte
            self._response_size = 0
            self._started_at = time.perf_counter()
            write_raw = self.wfile.write
            is_head = environ["REQUEST_METHOD"] == "HEAD"

            def send_headers() -> None:
                status, headers = pending
                code, _, reason = status.partition(" ")
                names = {name.lower() for name, _ in headers}
                chunked = False
                # A single-threaded server must not let one idle client hold the
                # only thread: keep-alive needs threads (or processes).
                server = self.server
                if self.request_version != "HTTP/1.1" or not (
                    getattr(server, "multithread", False) or getattr(server, "multiprocess", False)
                ):
                    self.close_connection = True
                for name, value in headers:
                    if name.lower() == "connection" and value.lower() == "close":
                        self.close_connection = True
                no_body_status = code in ("204", "304") or code.startswith("1")
                if "content-length" not in names and not no_body_status and not is_head:
                    if not self.close_connection and "transfer-encoding" not in names:
                        chunked = True
                        headers.append(("Transfer-Encoding", "chunked"))
                    else:
                        self.close_connection = True  # the body ends where the connection does
                if self.close_connection and "connection" not in names:
                    headers.append(("Connection", "close"))
                self.status_code = code
                lines = ["%s %s\r\n" % (self.protocol_version, status)]
                if "server" not in names:
                    lines.append("Server: %s\r\n" % self.version_string())
                if "date" not in names:
                    lines.append("Date: %s\r\n" % self.date_time_string())
                for name, value in headers:
                    lines.append("%s: %s\r\n" % (name, value))
                lines.append("\r\n")
                write_raw("".join(lines).encode("latin-1"))
                started[:] = [status, headers, chunked]

            def write(data: bytes) -> None:
                if not started:
                    if not pending:
                        raise AssertionError("write() before start_response()")
                    send_headers()
                if not data or is_head:
                    return
                self._response_size += len(data)
                if started[2]:
                    write_raw(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    write_raw(data)

            def start_response(status: str, headers: list, exc_info: t.Any = None) -> t.Callable:
                if exc_info:
                    try:
                        if started:
                            raise exc_info[1].with_traceback(exc_info[2])
                    finally:
                        exc_info = None
                elif pending:
                    raise AssertionError("start_response() called twice")
                pending[:] = [status, list(headers)]
                return write

            def execute(app: t.Callable) -> None:
                body = app(environ, start_response)
                try:
                    for data in body:
                        write(data)
                    if not started:
                        write(b"")
                    if started[2] and not is_head:
                        write_raw(b"0\r\n\r\n")
                finally:
                    close = getattr(body, "close", None)
                    if close is not None:
                        close()

            try:
                execute(self.server.app)
            except (ConnectionError, TimeoutError):
                self.close_connection = True
                self.log_request("-", "-")
                return
            except Exception:
                if getattr(self.server, "passthrough_errors", False):
                    raise
                self.close_connection = True
                traceback_text = _format_current_exception()
                if not started:
                    pending[:] = []
                    try:
                        execute(_internal_server_error_app)
                    except Exception:
                        pass
                self.log_error("Error on request:\n%s", traceback_text)
            if not environ["wsgi.input"].drain(_MAX_DRAIN_BYTES):
                self.close_connection = True
            self.log_request(self.status_code, self._response_size or "-")

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            # HTTP/0.9 is not served: answer garbage with a proper HTTP/1.0 error.
            if getattr(self, "request_version", "") in ("HTTP/0.9", "", None):
                self.request_version = "HTTP/1.0"
            self.close_connection = True
            super().send_error(code, message, explain)

        def log_request(self, code: t.Any = "-", size: t.Any = "-") -> None:
            try:
                path = self.path
            except AttributeError:
                path = ""
            elapsed = ""
            started_at = getattr(self, "_started_at", None)
            if started_at is not None:
                elapsed = " %.1fms" % ((time.perf_counter() - started_at) * 1000)
            self.log(
                "info",
                '"%s %s %s" %s %s%s',
                self.command or "-",
                path,
                self.request_version,
                _colour_status(str(code)),
                size,
                elapsed,
            )

        def log_error(self, format: str, *args: t.Any) -> None:  # noqa: A002
            self.log("error", format, *args)

        def log_message(self, format: str, *args: t.Any) -> None:  # noqa: A002
            self.log("info", format, *args)

        def log(self, type: str, message: str, *args: t.Any) -> None:  # noqa: A002
            _log_serving(
                type,
                "%s - - [%s] %s" % (self.address_string(), self.log_date_time_string(), message),
                *args,
            )

        def address_string(self) -> str:
            address = getattr(self, "client_address", None)
            if isinstance(address, tuple) and address:
                return str(address[0])
            return "<local>"

    class BaseWSGIServer(HTTPServer):
        """A single-threaded WSGI server; ``ThreadedWSGIServer`` serves connections in threads."""

        multithread = False
        multiprocess = False
        request_queue_size = 128
        allow_reuse_address = True

        def __init__(
            self,
            host: str,
            port: int,
            app: t.Callable,
            handler: type | None = None,
            passthrough_errors: bool = False,
            ssl_context: t.Any = None,
            fd: int | None = None,
        ) -> None:
            if handler is None:
                handler = WSGIRequestHandler
            host = host.strip("[]") if host else host
            self.address_family = select_address_family(host, port)
            self.host = host
            self.app = app
            self.passthrough_errors = passthrough_errors
            if fd is not None:
                listening = socket.fromfd(fd, self.address_family, socket.SOCK_STREAM)
                os.close(fd)
                self.address_family = listening.family
                super().__init__(listening.getsockname()[:2], handler, bind_and_activate=False)
                self.socket.close()
                self.socket = listening
                self.server_address = listening.getsockname()
            else:
                if self.address_family == getattr(socket, "AF_UNIX", None):
                    address: t.Any = host.split("://", 1)[-1]
                    if os.path.exists(address):
                        os.unlink(address)
                else:
                    address = (host, port)
                super().__init__(address, handler)
            if isinstance(self.server_address, tuple):
                self.port = self.server_address[1]
            else:
                self.port = 0
            self.ssl_context = _resolve_ssl_context(ssl_context)
            if self.ssl_context is not None:
                self.socket = self.ssl_context.wrap_socket(self.socket, server_side=True)

        def server_bind(self) -> None:
            if self.address_family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
                # "::" should also answer IPv4 where the OS allows it.
                try:
                    self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                except OSError:
                    pass
            socketserver.TCPServer.server_bind(self)
            address = self.server_address
            self.server_name = address[0] if isinstance(address, tuple) else str(address)
            self.server_port = address[1] if isinstance(address, tuple) else 0

        def serve_forever(self, poll_interval: float = 0.5) -> None:
            try:
                super().serve_forever(poll_interval=poll_interval)
            except KeyboardInterrupt:
                pass
            finally:
                self.server_close()

        def handle_error(self, request: t.Any, client_address: t.Any) -> None:
            error = sys.exc_info()[1]
            if self.passthrough_errors and error is not None:
                raise error
            if isinstance(error, (ConnectionError, TimeoutError)):
                return
            _log_serving("error", "Error on request from %s:\n%s", client_address, _format_current_exception())

        def log(self, type: str, message: str, *args: t.Any) -> None:  # noqa: A002
            _log_serving(type, message, *args)

    class ThreadedWSGIServer(socketserver.ThreadingMixIn, BaseWSGIServer):
        """One thread per connection, so a slow client does not hold up the others."""

        multithread = True
        daemon_threads = True

    class ForkingWSGIServer(socketserver.ForkingMixIn, BaseWSGIServer):  # type: ignore[misc]
        """One process per connection (POSIX only), at most ``processes`` at once."""

        multiprocess = True

        def __init__(self, host: str, port: int, app: t.Callable, processes: int = 40, *args: t.Any, **kwargs: t.Any) -> None:
            BaseWSGIServer.__init__(self, host, port, app, *args, **kwargs)
            self.max_children = processes

    _server_classes_cache.update(
        WSGIRequestHandler=WSGIRequestHandler,
        BaseWSGIServer=BaseWSGIServer,
        ThreadedWSGIServer=ThreadedWSGIServer,
        ForkingWSGIServer=ForkingWSGIServer,
    )
    return _server_classes_cache


def __getattr__(name: str) -> t.Any:
    # The server classes are defined on first access so ``import microflask.serving`` stays light.
    if name in ("WSGIRequestHandler", "BaseWSGIServer", "ThreadedWSGIServer", "ForkingWSGIServer"):
        return _build_server_classes()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def _serving_package_version() -> str:
    try:
        from microflask import __version__

        return __version__
    except ImportError:
        return "0"


def _format_current_exception() -> str:
    import traceback

    return traceback.format_exc()


def _internal_server_error_app(environ: dict, start_response: t.Callable) -> list[bytes]:
    body = (
        b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
        b"<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and"
        b" was unable to complete your request. Either the server is overloaded or there"
        b" is an error in the application.</p>\n"
    )
    start_response(
        "500 INTERNAL SERVER ERROR",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def select_address_family(host: str, port: int) -> int:
    """The socket family for ``host``: AF_UNIX for ``unix://path``, AF_INET6 for IPv6."""
    import socket

    if host.startswith("unix://"):
        return socket.AF_UNIX  # type: ignore[attr-defined,no-any-return]
    if ":" in host and hasattr(socket, "AF_INET6"):
        return socket.AF_INET6
    return socket.AF_INET


def get_sockaddr(host: str, port: int, family: int) -> t.Any:
    """The address to bind for ``host``/``port`` in ``family`` (a path for AF_UNIX)."""
    import socket

    if family == getattr(socket, "AF_UNIX", None):
        return host.split("://", 1)[1]
    try:
        info = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except socket.gaierror:
        return host, port
    return info[0][4]


def get_interface_ip(family: int) -> str:
    """This machine's address on the network, to show when serving on all interfaces."""
    import socket

    probe_host = "fd31:f903:5ab5:1::1" if family == socket.AF_INET6 else "10.253.155.219"
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((probe_host, 58162))  # UDP: nothing is sent
        except OSError:
            return "::1" if family == socket.AF_INET6 else "127.0.0.1"
        return str(probe.getsockname()[0])


# -- making and running a server ------------------------------------------------------------


def make_server(
    host: str,
    port: int,
    app: t.Callable,
    threaded: bool = False,
    processes: int = 1,
    request_handler: type | None = None,
    passthrough_errors: bool = False,
    ssl_context: t.Any = None,
    fd: int | None = None,
) -> t.Any:
    """A server bound to ``host:port`` (port 0: a free one), ready for ``serve_forever()``.

    ``threaded`` serves each connection in a thread; ``processes > 1``
    forks a process per connection instead (not both).  ``ssl_context`` is
    an ``ssl.SSLContext`` or a ``(cert_file, key_file)`` tuple.  ``fd`` is
    an already listening socket to adopt (how the reloader passes it on).
    """
    if threaded and processes > 1:
        raise ValueError("Cannot have a multi-thread and multi-process server.")
    classes = _build_server_classes()
    if threaded:
        return classes["ThreadedWSGIServer"](
            host, port, app, request_handler, passthrough_errors, ssl_context, fd=fd
        )
    if processes > 1:
        if not hasattr(os, "fork"):
            raise ValueError("Your platform does not support forking.")
        return classes["ForkingWSGIServer"](
            host, port, app, processes, request_handler, passthrough_errors, ssl_context, fd=fd
        )
    return classes["BaseWSGIServer"](
        host, port, app, request_handler, passthrough_errors, ssl_context, fd=fd
    )


_development_warning_shown = False


def _warn_development_server_once() -> None:
    global _development_warning_shown
    if _development_warning_shown or is_running_from_reloader():
        return
    _development_warning_shown = True
    message = (
        "WARNING: This is a development server. Do not use it in a production deployment."
        " Use a production WSGI server instead."
    )
    if _stderr_wants_colour():
        message = "\x1b[31m\x1b[1m%s\x1b[0m" % message
    _log_serving("warning", message)


def _display_url(server: t.Any, hostname: str) -> list[str]:
    scheme = "https" if server.ssl_context is not None else "http"
    port = server.port
    hosts = [hostname]
    if hostname in ("0.0.0.0", "::"):
        import socket

        hosts = ["127.0.0.1" if hostname == "0.0.0.0" else "::1"]
        family = socket.AF_INET if hostname == "0.0.0.0" else socket.AF_INET6
        own_address = get_interface_ip(family)
        if own_address not in hosts:
            hosts.append(own_address)
    urls = []
    for host in hosts:
        if ":" in host:
            host = "[%s]" % host
        urls.append("%s://%s:%d" % (scheme, host, port))
    return urls


def _print_serving_banner(server: t.Any, hostname: str) -> None:
    _warn_development_server_once()
    if hostname in ("0.0.0.0", "::"):
        _log_serving("info", " * Running on all addresses (%s)", hostname)
    for url in _display_url(server, hostname):
        _log_serving("info", " * Running on %s", url)
    _log_serving("info", "Press CTRL+C to quit")


def run_simple(
    hostname: str,
    port: int,
    application: t.Callable,
    use_reloader: bool = False,
    use_debugger: bool = False,
    use_evalex: bool = True,
    extra_files: t.Iterable[str] | None = None,
    exclude_patterns: t.Iterable[str] | None = None,
    reloader_interval: int = 1,
    reloader_type: str = "auto",
    threaded: bool = False,
    processes: int = 1,
    request_handler: type | None = None,
    static_files: dict[str, str | tuple[str, str]] | None = None,
    passthrough_errors: bool = False,
    ssl_context: t.Any = None,
) -> None:
    """Serve ``application`` until Ctrl-C, optionally with the debugger and reloader.

    ``use_debugger`` wraps the app in :class:`microflask.debug.DebuggedApplication`
    (``use_evalex`` is accepted for compatibility: the page never runs code).
    ``static_files`` adds a :class:`~microflask.middleware.SharedDataMiddleware`.
    ``use_reloader`` restarts the server when a loaded module or one of
    ``extra_files`` changes (files matching ``exclude_patterns`` are not
    watched), checking every ``reloader_interval`` seconds.
    """
    if not isinstance(port, int):
        raise TypeError("port must be an integer")
    if static_files:
        from microflask.middleware.shared_data import SharedDataMiddleware

        application = SharedDataMiddleware(application, static_files)
    if use_debugger:
        from microflask.debug import DebuggedApplication

        application = DebuggedApplication(application, evalex=False)

    if not is_running_from_reloader():
        fd = None
    else:
        fd = int(os.environ[_SERVER_FD_ENV]) if os.environ.get(_SERVER_FD_ENV) else None

    server = make_server(
        hostname,
        port,
        application,
        threaded,
        processes,
        request_handler,
        passthrough_errors,
        ssl_context,
        fd=fd,
    )
    if use_debugger and (not use_reloader or is_running_from_reloader()):
        _log_serving("info", " * Debugger is active! (tracebacks only: it never runs code)")
    if not use_reloader:
        _print_serving_banner(server, hostname)
        server.serve_forever()
        return

    if not is_running_from_reloader():
        # The parent: keep the socket open and (re)start children that serve on it.
        server.socket.set_inheritable(True)
        os.environ[_SERVER_FD_ENV] = str(server.socket.fileno())
        _print_serving_banner(server, hostname)
        try:
            _run_reloader_parent(
                server.socket.fileno(), extra_files, exclude_patterns, reloader_interval
            )
        finally:
            server.server_close()
        return

    import threading

    # Look at the files before serving, so no edit made after a response can be missed.
    known_mtimes = _file_mtimes(_watched_files(extra_files, exclude_patterns))
    serving_thread = threading.Thread(target=server.serve_forever, daemon=True)
    serving_thread.start()
    _watch_files_until_change(extra_files, exclude_patterns, reloader_interval, known_mtimes)


# -- the reloader -------------------------------------------------------------------------------


def _command_to_restart() -> list[str]:
    """The command line that started this process, to run it again."""
    main_module = sys.modules.get("__main__")
    spec = getattr(main_module, "__spec__", None)
    arguments = sys.argv[1:]
    command = [sys.executable]
    command.extend("-W%s" % option for option in sys.warnoptions)
    if spec is not None and spec.name:
        name = spec.name
        if name.endswith(".__main__"):
            name = name[: -len(".__main__")]
        return command + ["-m", name] + arguments
    script = sys.argv[0]
    if not os.path.exists(script) and os.path.exists(script + ".exe"):
        script += ".exe"
    if script.endswith(".exe"):
        return [script] + arguments  # a Windows console-script launcher runs itself
    return command + [script] + arguments


def _watched_files(extra_files: t.Iterable[str] | None, exclude_patterns: t.Iterable[str] | None) -> set[str]:
    import fnmatch

    files: set[str] = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if not filename:
            continue
        if filename.endswith((".pyc", ".pyo")):
            filename = filename[:-1]
        files.add(os.path.abspath(filename))
    for extra in extra_files or ():
        extra = os.path.abspath(extra)
        if os.path.isdir(extra):
            for root, _dirs, names in os.walk(extra):
                files.update(os.path.join(root, name) for name in names)
        else:
            files.add(extra)
    patterns = list(exclude_patterns or ())
    if patterns:
        files = {f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)}
    return files


def _file_mtimes(files: t.Iterable[str]) -> dict[str, float]:
    mtimes = {}
    for filename in files:
        try:
            mtimes[filename] = os.stat(filename).st_mtime
        except OSError:
            continue
    return mtimes


def _wait_for_file_change(
    extra_files: t.Iterable[str] | None,
    exclude_patterns: t.Iterable[str] | None,
    interval: float,
    known: dict[str, float] | None = None,
) -> str:
    """Block until a watched file changes (from the ``known`` mtimes); return its name."""
    if known is None:
        known = _file_mtimes(_watched_files(extra_files, exclude_patterns))
    while True:
        time.sleep(interval)
        current = _file_mtimes(_watched_files(extra_files, exclude_patterns))
        for filename, mtime in current.items():
            old = known.get(filename)
            if old is None:
                # A module imported since the last look: start watching it.
                known[filename] = mtime
            elif mtime != old:
                return filename


def _watch_files_until_change(
    extra_files: t.Iterable[str] | None,
    exclude_patterns: t.Iterable[str] | None,
    interval: float,
    known: dict[str, float] | None = None,
) -> None:
    """The child: watch files; on a change exit so the parent restarts us."""
    try:
        changed = _wait_for_file_change(extra_files, exclude_patterns, interval, known)
    except KeyboardInterrupt:
        sys.exit(0)
    _log_serving("info", " * Detected change in %r, reloading", changed)
    sys.exit(_RESTART_EXIT_CODE)


def _run_reloader_parent(
    fd: int,
    extra_files: t.Iterable[str] | None,
    exclude_patterns: t.Iterable[str] | None,
    interval: float,
) -> None:
    """Start children until one exits for a reason other than a reload."""
    import subprocess

    while True:
        _log_serving("info", " * Restarting with stat")
        # Taken before the child starts: a fix saved while it fails is still seen.
        mtimes_at_start = _file_mtimes(_watched_files(extra_files, exclude_patterns))
        environ = dict(os.environ)
        environ[_RUN_MAIN_ENV] = "true"
        environ[_SERVER_FD_ENV] = str(fd)
        kwargs: dict[str, t.Any] = {"env": environ, "close_fds": False}
        if os.name != "nt":
            kwargs = {"env": environ, "pass_fds": (fd,)}
        process = subprocess.Popen(_command_to_restart(), **kwargs)
        try:
            exit_code = process.wait()
        except KeyboardInterrupt:
            # A terminal's Ctrl-C reaches the child too; a plain SIGINT to this
            # process does not, so pass it on, then give the child a moment.
            if process.poll() is None:
                import signal

                try:
                    process.send_signal(signal.SIGINT)
                except OSError:
                    pass
            try:
                process.wait(timeout=5)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                process.kill()
            return
        if exit_code == _RESTART_EXIT_CODE:
            continue
        if exit_code == 0 or exit_code < 0:
            sys.exit(0 if exit_code < 0 else exit_code)
        # The child died (a syntax error while importing, say): wait for a fix.
        _log_serving("info", " * Restart failed; waiting for a file to change")
        try:
            changed = _wait_for_file_change(
                extra_files, exclude_patterns, interval, mtimes_at_start
            )
        except KeyboardInterrupt:
            return
        _log_serving("info", " * Detected change in %r, reloading", changed)


# -- app.run() ------------------------------------------------------------------------------------

def run_app(
    app: t.Any,
    host: str | None = None,
    port: int | None = None,
    debug: bool | None = None,
    load_dotenv: bool = True,
    **options: t.Any,
) -> None:
    """``app.run()``: the development server with Flask's defaults and environment."""
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        # ``microflask run`` is already serving this app: running again would block it.
        if not is_running_from_reloader():
            sys.stderr.write(
                " * Ignoring a call to 'app.run()' that would block the current"
                " 'microflask' CLI command.\n   Only call 'app.run()' in an"
                " 'if __name__ == \"__main__\"' guard.\n"
            )
        return

    from microflask.helpers import get_load_dotenv

    if get_load_dotenv(load_dotenv):
        from microflask._dotenv import load_dotenv as load_env_files

        load_env_files()
        if "FLASK_DEBUG" in os.environ:
            from microflask.helpers import get_debug_flag

            app.debug = get_debug_flag()
    if debug is not None:
        app.debug = bool(debug)

    server_name = app.config.get("SERVER_NAME")
    sn_host = sn_port = None
    if server_name:
        sn_host, _, sn_port = server_name.partition(":")
    if not host:
        host = sn_host or os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if port or port == 0:
        port = int(port)
    elif sn_port:
        port = int(sn_port)
    else:
        port = int(os.environ.get("FLASK_RUN_PORT") or 5000)

    options.setdefault("use_reloader", app.debug)
    options.setdefault("use_debugger", app.debug)
    options.setdefault("threaded", True)
    from microflask.cli import show_server_banner

    show_server_banner(app.debug, app.name)
    run_simple(t.cast(str, host), port, app, **options)
