"""The built-in HTTP server and the reloader (``werkzeug.serving``).

One server, two uses.  ``microflask run``, ``app.run()`` and
:func:`run_simple` serve an app while you develop it (reloader, debugger, a
coloured log line per request).  ``microflask serve`` and :func:`serve` run
the same server with production defaults, for the places where nothing else
can be installed: put it behind nginx (with ``ProxyFix``) and leave it.

How it works.  The thread that calls ``serve_forever`` runs a ``selectors``
loop: it accepts connections and reads each one's request head without
blocking.  When a head is complete, the connection goes to a fixed pool of
worker threads; a worker parses the head, calls the WSGI app, sends the
response (head and a small body in one write, ``TCP_NODELAY`` set) and, if
the connection stays open, hands it back to the loop.  An idle keep-alive
connection or a slow client therefore costs a buffer, never a thread.
Limits on the request line and the headers (414, 431) and timeouts for the
head, the body and idle connections keep any one client from holding the
server.  SIGTERM or Ctrl-C stop it gracefully: no new connections, requests
in progress finish (for at most ``shutdown_timeout`` seconds), exit 0.
"""

from __future__ import annotations

import os
import re
import selectors
import socket
import sys
import threading
import time
import typing as t
from collections import deque
from queue import SimpleQueue

from microflask.exceptions import BadRequest, ClientDisconnected, RequestTimeout

if t.TYPE_CHECKING:  # pragma: no cover
    import ssl

__all__ = [
    "BaseWSGIServer",
    "DechunkedInput",
    "ForkingWSGIServer",
    "ThreadedWSGIServer",
    "WSGIRequestHandler",
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
    "serve",
]

# The child process a reloader starts sees this set to "true"; Werkzeug's
# name is honoured too, so code written for it keeps working.
_RUN_MAIN_ENV = "MICROFLASK_RUN_MAIN"
_SERVER_FD_ENV = "MICROFLASK_SERVER_FD"
# A child exits with this code to ask its parent for a restart.
_RESTART_EXIT_CODE = 3
# Unread request body beyond this is not drained: the connection closes instead.
_MAX_DRAIN_BYTES = 64 * 1024
# How many bytes one recv() asks for.
_RECEIVE_SIZE = 64 * 1024
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
    """What the server answers when the app itself fails: a plain 500."""
    body = b"Internal Server Error\n\nThe server could not complete the request.\n"
    start_response(
        "500 INTERNAL SERVER ERROR",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


# -- TLS -----------------------------------------------------------------------------------


def load_ssl_context(
    cert_file: str, pkey_file: str | None = None, protocol: int | None = None
) -> ssl.SSLContext:
    """An ``ssl.SSLContext`` for a server, from a certificate and private key file."""
    import ssl

    if protocol is None:
        protocol = ssl.PROTOCOL_TLS_SERVER
    context = ssl.SSLContext(protocol)
    context.load_cert_chain(cert_file, pkey_file)
    return context


def generate_adhoc_ssl_context() -> ssl.SSLContext:
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


# -- addresses -----------------------------------------------------------------------------------


def select_address_family(host: str, port: int) -> int:
    """The socket family for ``host``: AF_UNIX for ``unix://path``, AF_INET6 for IPv6."""


    if host.startswith("unix://"):
        return socket.AF_UNIX  # type: ignore[attr-defined,no-any-return]
    if ":" in host and hasattr(socket, "AF_INET6"):
        return socket.AF_INET6
    return socket.AF_INET


def get_sockaddr(host: str, port: int, family: int) -> tuple[str, int] | str:
    """The address to bind for ``host``/``port`` in ``family`` (a path for AF_UNIX)."""


    if family == getattr(socket, "AF_UNIX", None):
        return host.split("://", 1)[1]
    try:
        info = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    except socket.gaierror:
        return host, port
    return info[0][4]


def get_interface_ip(family: int) -> str:
    """This machine's address on the network, to show when serving on all interfaces."""


    probe_host = "fd31:f903:5ab5:1::1" if family == socket.AF_INET6 else "10.253.155.219"
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((probe_host, 58162))  # UDP: nothing is sent
        except OSError:
            return "::1" if family == socket.AF_INET6 else "127.0.0.1"
        return str(probe.getsockname()[0])


# -- request bodies --------------------------------------------------------------------------


class _ConnectionReader:
    """Blocking, buffered reads from a connection, starting with bytes already received.

    The loop reads a request head into the connection's buffer; whatever came
    after the head (the start of the body, or pipelined requests) is still
    there, and is read first.  ``before_first_receive`` runs once, just
    before the first read that has to wait for the client: that is where the
    handler answers ``Expect: 100-continue``, so the interim response goes out
    only when the app really reads the body.
    """

    def __init__(self, connection: t.Any, buffer: bytearray) -> None:
        self._connection = connection
        self.buffer = buffer
        self.before_first_receive: t.Callable[[], None] | None = None

    def _receive(self) -> bool:
        if self.before_first_receive is not None:
            announce, self.before_first_receive = self.before_first_receive, None
            announce()
        try:
            data = self._connection.recv(_RECEIVE_SIZE)
        except socket.timeout:
            raise RequestTimeout() from None
        if not data:
            return False
        self.buffer += data
        return True

    def read(self, size: int) -> bytes:
        """``size`` bytes, or fewer when the client closed the connection first."""
        buffer = self.buffer
        while len(buffer) < size and self._receive():
            pass
        data = bytes(buffer[:size])
        del buffer[:size]
        return data

    def readline(self, limit: int) -> bytes:
        """One line up to and including ``\\n``, cut at ``limit`` bytes."""
        buffer = self.buffer
        searched = 0
        while True:
            end = buffer.find(b"\n", searched, limit)
            if end >= 0:
                end += 1
                break
            searched = len(buffer)
            if searched >= limit or not self._receive():
                end = min(limit, len(buffer))
                break
        data = bytes(buffer[:end])
        del buffer[:end]
        return data


class _LimitedRequestBody:
    """``wsgi.input`` for a body of known length: reads stop at Content-Length.

    Without the limit an app reading "everything" would block on a keep-alive
    connection, waiting for the next request's bytes.  A client that hangs up
    early is a :class:`~microflask.exceptions.ClientDisconnected` (a 400), one
    that stalls past the body timeout a ``RequestTimeout`` (408); either way
    the connection is not reused.
    """

    def __init__(self, reader: _ConnectionReader, length: int) -> None:
        self._reader = reader
        self.remaining = length
        self.intact = True  # False once the body could not be read as framed

    def _disconnected(self) -> ClientDisconnected:
        self.intact = False
        self.remaining = 0
        return ClientDisconnected("The client closed the connection before sending the whole body.")

    def read(self, size: int | None = -1) -> bytes:
        remaining = self.remaining
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        try:
            data = self._reader.read(size)
        except RequestTimeout:
            self.intact = False
            raise
        self.remaining = remaining - len(data)
        if len(data) < size:
            raise self._disconnected()
        return data

    def readline(self, size: int | None = -1) -> bytes:
        remaining = self.remaining
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        try:
            data = self._reader.readline(size)
        except RequestTimeout:
            self.intact = False
            raise
        self.remaining = remaining - len(data)
        if not data.endswith(b"\n") and len(data) < size:
            raise self._disconnected()
        return data

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.readline, b"")

    def drain(self, limit: int) -> bool:
        """Skip the unread rest of the body; False if that is impossible or over ``limit``.

        False means the connection must close: the next request's first byte
        cannot be found.
        """
        if not self.intact or self.remaining > limit:
            return False
        try:
            while self.read(8192):
                pass
        except (BadRequest, RequestTimeout, OSError):
            return False
        return True


# A chunk-size line: hex digits, then optional chunk extensions.  Ten digits
# allow a 1 TiB chunk; a longer size is absurd and refused (400).
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,10})[ \t]*(?:;[^\r\n]*)?\r?\n\Z")
_MAX_TRAILER_LINES = 100
_MAX_CHUNK_LINE = 4096


class _ChunkedRequestBody(_LimitedRequestBody):
    """``wsgi.input`` for ``Transfer-Encoding: chunked``: decoded as it is read.

    ``remaining`` counts what is left of the current chunk.  A malformed
    chunk is a ``BadRequest`` (400) raised into the app's read.
    """

    def __init__(self, reader: _ConnectionReader) -> None:
        super().__init__(reader, 0)
        self._finished = False

    def _malformed(self, what: str) -> BadRequest:
        self.intact = False
        self._finished = True
        return BadRequest("The chunked request body is malformed: %s." % what)

    def _start_chunk(self) -> bool:
        """Read the next chunk's size line; False after the last chunk and trailers."""
        if self._finished:
            return False
        try:
            line = self._reader.readline(_MAX_CHUNK_LINE)
        except RequestTimeout:
            self.intact = False
            raise
        match = _CHUNK_SIZE_LINE.match(line)
        if match is None:
            if not line.endswith(b"\n") and len(line) < _MAX_CHUNK_LINE:
                raise self._disconnected()
            raise self._malformed("invalid chunk size line")
        size = int(match.group(1), 16)
        if size:
            self.remaining = size
            return True
        for _ in range(_MAX_TRAILER_LINES):  # trailer fields end with an empty line
            line = self._reader.readline(_MAX_CHUNK_LINE)
            if line in (b"\r\n", b"\n"):
                self._finished = True
                return False
            if not line.endswith(b"\n"):
                raise (
                    self._disconnected()
                    if len(line) < _MAX_CHUNK_LINE
                    else self._malformed("trailer line too long")
                )
        raise self._malformed("too many trailer lines")

    def _end_chunk(self) -> None:
        if self._reader.readline(3) not in (b"\r\n", b"\n"):
            raise self._malformed("a chunk is not followed by CRLF")

    def _read_across_chunks(
        self, size: int | None, read_piece: t.Callable[[int], bytes], line: bool
    ) -> bytes:
        """Up to ``size`` bytes (all for None or a negative size), chunk after
        chunk; with ``line``, stop after the first LF."""
        wanted = size if size is not None and size >= 0 else None
        parts: list[bytes] = []
        received = 0
        while wanted is None or received < wanted:
            if self.remaining <= 0 and not self._start_chunk():
                break
            take = self.remaining if wanted is None else min(self.remaining, wanted - received)
            data = read_piece(take)
            if self.remaining == 0:
                self._end_chunk()
            parts.append(data)
            received += len(data)
            if line and data.endswith(b"\n"):
                break
        return b"".join(parts)

    def read(self, size: int | None = -1) -> bytes:
        return self._read_across_chunks(size, super().read, line=False)

    def readline(self, size: int | None = -1) -> bytes:
        return self._read_across_chunks(size, super().readline, line=True)

    def drain(self, limit: int) -> bool:
        if not self.intact:
            return False
        total = 0
        try:
            while True:
                data = self.read(8192)
                if not data:
                    return True
                total += len(data)
                if total > limit:
                    return False
        except (BadRequest, RequestTimeout, OSError):
            return False


# Werkzeug's name for the chunked-body reader.
DechunkedInput = _ChunkedRequestBody


# -- request heads -------------------------------------------------------------------------------

# The end of a request head: a line break, then an empty line (CRLF or a bare LF).
_HEAD_END = re.compile(rb"\n\r?\n")
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_FIELD_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")
_HTTP_VERSION = re.compile(rb"HTTP/([0-9])\.([0-9])\Z")
_NOT_IN_TARGET = re.compile(rb"[\x00-\x20\x7f]")
_NOT_IN_FIELD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _find_head_end(buffer: bytearray, start: int = 0) -> int:
    """The index just past the empty line that ends a request head, or -1."""
    match = _HEAD_END.search(buffer, max(0, start - 2))
    return match.end() if match is not None else -1


def _strip_leading_blank_lines(buffer: bytearray) -> None:
    """RFC 9112 lets a client send empty lines before a request; a server skips them."""
    if buffer and buffer[0] in (10, 13):
        del buffer[: len(buffer) - len(buffer.lstrip(b"\r\n"))]


class _RequestHeadError(Exception):
    """A request the server answers itself with ``status`` and a reason, then closes."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = reason


def _parse_request_head(head: bytes, max_request_line: int, max_header_count: int) -> t.Any:
    """``(method, target, version, [(name, value), ...])`` from a request head's bytes.

    Strict where leniency invites request smuggling: no whitespace before a
    header's colon, no obsolete line folding, no control characters.
    """
    lines = head.split(b"\n")
    request_line = lines[0][:-1] if lines[0].endswith(b"\r") else lines[0]
    if len(request_line) > max_request_line:
        raise _RequestHeadError(
            "414 URI Too Long", "The request line is longer than %d bytes." % max_request_line
        )
    parts = request_line.split(b" ")
    if len(parts) != 3:
        raise _RequestHeadError(
            "400 Bad Request", "The request line is not 'METHOD target HTTP/1.x'."
        )
    method, target, version = parts
    if not _TOKEN.match(method):
        raise _RequestHeadError("400 Bad Request", "The request method is not a valid token.")
    if not target or _NOT_IN_TARGET.search(target):
        raise _RequestHeadError(
            "400 Bad Request", "The request target is empty or contains control characters."
        )
    version_match = _HTTP_VERSION.match(version)
    if version_match is None:
        raise _RequestHeadError("400 Bad Request", "The HTTP version is malformed.")
    if version_match.group(1) != b"1":
        raise _RequestHeadError(
            "505 HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are served."
        )
    headers = []
    for line in lines[1:]:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            raise _RequestHeadError("400 Bad Request", "Header lines may not be folded.")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.match(name):
            raise _RequestHeadError("400 Bad Request", "A header line is not 'Name: value'.")
        value = value.strip(b" \t")
        if _NOT_IN_FIELD_VALUE.search(value):
            raise _RequestHeadError(
                "400 Bad Request", "A header value contains control characters."
            )
        headers.append((name.decode("latin-1"), value.decode("latin-1")))
        if len(headers) > max_header_count:
            raise _RequestHeadError(
                "431 Request Header Fields Too Large",
                "The request has more than %d header fields." % max_header_count,
            )
    return method.decode("ascii"), target.decode("latin-1"), version.decode("ascii"), headers


def _connection_options(value: str) -> set[str]:
    """The tokens of a ``Connection`` header, lowercased (``close``, ``keep-alive``...)."""
    return {token.strip() for token in value.lower().split(",")}


def _plain_response_bytes(status: str, reason: str, protocol: str = "HTTP/1.1") -> bytes:
    """A complete ``text/plain`` response that closes the connection: the server's own errors."""
    body = ("%s\n\n%s\n" % (status, reason)).encode("utf-8")
    head = (
        "%s %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
        "Connection: close\r\n\r\n" % (protocol, status, len(body))
    )
    return head.encode("latin-1") + body


# -- one connection's requests -------------------------------------------------------------------


class WSGIRequestHandler:
    """One client connection: answers its requests one at a time, in a worker thread.

    The server's loop owns the connection while it waits for a request head;
    a worker owns it while it answers (:meth:`handle`).  Subclass it and pass
    ``request_handler=`` to :func:`make_server` or :func:`run_simple` to change
    the environ (:meth:`make_environ`) or the log line (:meth:`log_request`).
    """

    protocol_version = "HTTP/1.1"

    def __init__(self, connection: t.Any, client_address: t.Any, server: BaseWSGIServer) -> None:
        self.connection = connection
        self.client_address = client_address
        self.server = server
        self.buffer = bytearray()
        # The loop's bookkeeping while it owns the connection.
        self.deadline = 0.0
        self.searched = 0  # how much of ``buffer`` is known to hold no head end
        self.handshaking = False  # a TLS handshake is still going on
        self.lingering = False  # answered and closing: discard what still arrives
        # The current request.
        self.requestline = self.command = self.path = ""
        self.request_version = "HTTP/1.0"
        self.headers: list[tuple[str, str]] = []
        self.close_connection = True
        self.status_code = "-"

    @property
    def server_version(self) -> str:
        return self.server.server_software

    # -- the worker's part --------------------------------------------------------------

    def handle(self, head_end: int) -> None:
        """Answer each complete request head in the buffer, then give the connection back.

        Pipelined requests are answered here, in order.  When the buffer holds
        no complete head the connection goes back to the loop (keep-alive) or
        is closed.
        """
        server = self.server
        linger = False
        try:
            while True:
                head = bytes(self.buffer[:head_end])
                del self.buffer[:head_end]
                linger = not self.handle_one_request(head)
                if self.close_connection or server.stopping:
                    break
                _strip_leading_blank_lines(self.buffer)
                head_end = _find_head_end(self.buffer)
                if head_end < 0:
                    server.hand_back(self)
                    return
        except (ConnectionError, socket.timeout):
            linger = False
        except Exception:
            server.close_client(self)
            if server.passthrough_errors:
                raise
            self.log_error("Error on request:\n%s", _format_current_exception())
            return
        if linger and not server.stopping:
            server.hand_back(self, linger=True)
        else:
            server.close_client(self)

    def handle_one_request(self, head: bytes) -> bool:
        """Answer one request; False when unread input remains (so close gently)."""
        self._started_at = time.perf_counter()
        self.requestline = ""
        self.close_connection = True
        self.status_code = "-"
        self._response_size = 0
        try:
            self.command, self.path, self.request_version, self.headers = _parse_request_head(
                head, self.server.max_request_line, self.server.max_header_count
            )
            self.requestline = "%s %s %s" % (self.command, self.path, self.request_version)
            self.environ = self.make_environ()
        except _RequestHeadError as error:
            if not self.requestline:
                self.requestline = head.split(b"\n", 1)[0].strip().decode("latin-1")[:200]
            self.send_error_response(error.status, error.reason)
            return False
        return self.run_wsgi()

    def make_environ(self) -> dict[str, t.Any]:
        """The WSGI environ for the current request (its head is already parsed)."""
        server = self.server
        target = self.path
        if "#" in target:  # a fragment is the client's business, never the server's
            target = target.partition("#")[0]
        if target[:1] == "/" and not target.startswith("//"):
            path, _, query = target.partition("?")
        elif target == "*":
            path, query = "*", ""
        else:  # absolute-form, as proxies send it: http://host/path?query
            from urllib.parse import urlsplit

            parts = urlsplit(target)
            path, query = parts.path or "/", parts.query
        if "%" in path:
            from urllib.parse import unquote_to_bytes

            path = unquote_to_bytes(path).decode("latin-1")
        environ = server.environ_base.copy()
        environ["REQUEST_METHOD"] = self.command
        environ["PATH_INFO"] = path
        environ["QUERY_STRING"] = query
        environ["REQUEST_URI"] = environ["RAW_URI"] = self.path
        environ["SERVER_PROTOCOL"] = self.request_version
        environ["werkzeug.socket"] = self.connection
        address = self.client_address
        if isinstance(address, tuple) and address:
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = address[0], address[1]
        else:
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = "<local>", 0
        for name, value in self.headers:
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                if key in environ and environ[key] != value:
                    raise _RequestHeadError(
                        "400 Bad Request", "The request has two different %s headers." % name
                    )
                environ[key] = value
                continue
            key = "HTTP_" + key
            if key in environ:
                if key == "HTTP_HOST":
                    raise _RequestHeadError(
                        "400 Bad Request", "The request has more than one Host header."
                    )
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
            environ[key] = value
        if self.request_version == "HTTP/1.1":
            if "HTTP_HOST" not in environ:
                raise _RequestHeadError(
                    "400 Bad Request", "An HTTP/1.1 request must have a Host header."
                )
            keep_alive = "HTTP_CONNECTION" not in environ or "close" not in _connection_options(
                environ["HTTP_CONNECTION"]
            )
        else:
            keep_alive = "keep-alive" in _connection_options(environ.get("HTTP_CONNECTION", ""))
        self.close_connection = not keep_alive
        self._announce_keep_alive = keep_alive and self.request_version == "HTTP/1.0"
        reader = _ConnectionReader(self.connection, self.buffer)
        environ["wsgi.input"] = self._make_body(environ, reader)
        self._continue_expected = self._continue_sent = False
        if (
            self.request_version == "HTTP/1.1"
            and environ.get("HTTP_EXPECT", "").lower() == "100-continue"
            and environ["wsgi.input"].remaining != 0
        ):
            self._continue_expected = True
            reader.before_first_receive = self._send_continue
        return environ

    def _make_body(
        self, environ: dict[str, t.Any], reader: _ConnectionReader
    ) -> _LimitedRequestBody:
        if "HTTP_TRANSFER_ENCODING" in environ:
            coding = environ["HTTP_TRANSFER_ENCODING"].strip().lower()
            if coding != "chunked":
                if coding.endswith("chunked"):
                    raise _RequestHeadError(
                        "501 Not Implemented", "Only the 'chunked' transfer coding is served."
                    )
                raise _RequestHeadError(
                    "400 Bad Request", "The body's length cannot be determined."
                )
            if "CONTENT_LENGTH" in environ:
                raise _RequestHeadError(
                    "400 Bad Request",
                    "A request may not have both Content-Length and Transfer-Encoding.",
                )
            environ["wsgi.input_terminated"] = True
            body = _ChunkedRequestBody(reader)
            body.remaining = -1  # unknown until the first chunk arrives
            return body
        length_text = environ.get("CONTENT_LENGTH")
        if not length_text:
            return _LimitedRequestBody(reader, 0)
        if not (length_text.isascii() and length_text.isdigit()) or len(length_text) > 18:
            raise _RequestHeadError("400 Bad Request", "The Content-Length header is not a number.")
        return _LimitedRequestBody(reader, int(length_text))

    def _send_continue(self) -> None:
        if not self._head_sent:
            self.connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            self._continue_sent = True

    def run_wsgi(self) -> bool:
        """Call the app and send its response; False when unread input remains."""
        server = self.server
        self._response_start: t.Any = None
        self._head_sent = False
        self._chunked = False
        self._body_allowed = True
        try:
            self._send_app_response(server.app)
        except (ConnectionError, socket.timeout):
            self.close_connection = True
            self.log_request("-", "-")
            return True
        except Exception:
            if server.passthrough_errors:
                raise
            self.close_connection = True
            traceback_text = _format_current_exception()
            if not self._head_sent:
                self._response_start = None
                try:
                    self._send_app_response(_internal_server_error_app)
                except Exception:
                    pass
            self.log_error("Error on request:\n%s", traceback_text)
        self.log_request(self.status_code, self._response_size or "-")
        body = self.environ["wsgi.input"]
        if self._continue_expected and not self._continue_sent:
            # The client waits for a 100 that never came: it may or may not send the body.
            self.close_connection = True
            return False
        if not body.drain(_MAX_DRAIN_BYTES):
            self.close_connection = True
            return False
        return True

    def _send_app_response(self, app: t.Callable) -> None:
        body = app(self.environ, self.start_response)
        try:
            if type(body) is list:
                # Already in memory: the head and the whole body leave in one write.
                self.write(b"".join(body))
            else:
                for data in body:
                    if data:
                        self.write(data)
            if not self._head_sent:
                self.write(b"")
            if self._chunked:
                self.connection.sendall(b"0\r\n\r\n")
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    def start_response(self, status: str, headers: list, exc_info: t.Any = None) -> t.Callable:
        """The WSGI ``start_response``: records the status and headers until the first write."""
        if exc_info:
            try:
                if self._head_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self._response_start is not None:
            raise AssertionError("start_response() called twice")
        self._response_start = (status, headers)
        return self.write

    def write(self, data: bytes) -> None:
        """Send part of the body; the first write carries the status line and headers."""
        if not self._head_sent:
            head = self._response_head()  # decides the framing, so it comes first
            self._head_sent = True
            self.connection.sendall(head + self._framed(data))
        elif data:
            self.connection.sendall(self._framed(data))

    def _framed(self, data: bytes) -> bytes:
        if not data or not self._body_allowed:
            return b""
        self._response_size += len(data)
        if self._chunked:
            return b"%x\r\n%s\r\n" % (len(data), data)
        return data

    def _response_head(self) -> bytes:
        """Status line and headers, adding Date, Server, framing and Connection."""
        if self._response_start is None:
            raise AssertionError("write() before start_response()")
        status, headers = self._response_start
        code = status[:3]
        if len(code) != 3 or not code.isdigit():
            raise ValueError("invalid WSGI status %r" % status)
        self.status_code = code
        has_length = has_coding = has_connection = has_server = has_date = False
        for name, value in headers:
            if _FIELD_NAME.match(name) is None:
                raise ValueError("invalid response header name %r (not an RFC 9110 token)" % name)
            lowered = name.lower()
            if lowered == "content-length":
                has_length = True
            elif lowered == "transfer-encoding":
                has_coding = True
            elif lowered == "connection":
                has_connection = True
                if "close" in _connection_options(value):
                    self.close_connection = True
            elif lowered == "server":
                has_server = True
            elif lowered == "date":
                has_date = True
        body = self.environ["wsgi.input"]
        if (
            not body.intact
            or body.remaining > _MAX_DRAIN_BYTES
            or (self._continue_expected and not self._continue_sent)
        ):
            self.close_connection = True  # the rest of the request cannot be skipped
        no_body = code in ("204", "304") or code[0] == "1"
        self._body_allowed = not no_body and self.command != "HEAD"
        if self.server.stopping:
            self.close_connection = True
        if not has_length and not no_body and self.command != "HEAD":
            if self.request_version == "HTTP/1.1" and not self.close_connection and not has_coding:
                self._chunked = True
            else:
                self.close_connection = True  # the body ends where the connection does
        lines = ["%s %s\r\n" % (self.protocol_version, status)]
        if not has_server:
            lines.append(self.server.server_header)
        if not has_date:
            lines.append(self.server.date_header())
        for name, value in headers:
            lines.append("%s: %s\r\n" % (name, value))
        if self._chunked:
            lines.append("Transfer-Encoding: chunked\r\n")
        if not has_connection:
            if self.close_connection:
                lines.append("Connection: close\r\n")
            elif self._announce_keep_alive:
                lines.append("Connection: keep-alive\r\n")
        lines.append("\r\n")
        text = "".join(lines)
        # Each line holds exactly one CR and one LF: any other would let a header
        # name or value start a header (or a response) of its own.
        if text.count("\n") != len(lines) or text.count("\r") != len(lines) or "\0" in text:
            raise ValueError("a response header name or value contains CR, LF or NUL")
        return text.encode("latin-1")

    def send_error_response(self, status: str, reason: str) -> None:
        """Answer with the server's own plain-text error and close the connection."""
        self.close_connection = True
        self.status_code = status[:3]
        response = _plain_response_bytes(status, reason, self.protocol_version)
        try:
            self.connection.sendall(response)
        except OSError:
            pass
        self.log_request(self.status_code, len(response))

    # -- logging ---------------------------------------------------------------------------

    def log_request(self, code: t.Any = "-", size: t.Any = "-") -> None:
        """One access-log line, in the style the server was made with (or none)."""
        style = self.server.access_log
        if not style:
            return
        if style == "common":
            self.server.logger.info(
                '%s - - [%s] "%s" %s %s',
                self.address_string(),
                time.strftime("%d/%b/%Y:%H:%M:%S %z"),
                self.requestline,
                code,
                size,
            )
            return
        elapsed = ""
        started_at = getattr(self, "_started_at", None)
        if started_at is not None:
            elapsed = " %.1fms" % ((time.perf_counter() - started_at) * 1000)
        self.log("info", '"%s" %s %s%s', self.requestline, _colour_status(str(code)), size, elapsed)

    def log_error(self, format: str, *args: t.Any) -> None:  # noqa: A002
        self.log("error", format, *args)

    def log_message(self, format: str, *args: t.Any) -> None:  # noqa: A002
        self.log("info", format, *args)

    def log(self, type: str, message: str, *args: t.Any) -> None:  # noqa: A002
        getattr(self.server.logger, type)(
            "%s - - [%s] %s"
            % (self.address_string(), self.log_date_time_string(), message.rstrip()),
            *args,
        )

    def log_date_time_string(self) -> str:
        return time.strftime("%d/%b/%Y %H:%M:%S")

    def address_string(self) -> str:
        address = self.client_address
        if isinstance(address, tuple) and address:
            return str(address[0])
        return "<local>"


# -- the server ----------------------------------------------------------------------------------

_LISTENING = "listening"  # selector data of the listening socket
_WAKE = "wake"  # selector data of the socket workers wake the loop with
_SWEEP_INTERVAL = 0.25  # how often the loop looks for connections past their deadline
_LINGER_SECONDS = 2.0  # how long a closing connection's unread input is discarded


class BaseWSGIServer:
    """Serves a WSGI app over HTTP/1.1 with ``threads`` worker threads (one by default).

    ``serve_forever()`` runs the loop in the calling thread; ``shutdown()``
    (from another thread) stops it gracefully and waits.  The keyword
    arguments set the pool size, the timeouts (seconds) and the head limits.
    """

    multithread = False
    multiprocess = False
    request_queue_size = 1024

    def __init__(
        self,
        host: str,
        port: int,
        app: t.Callable,
        handler: type | None = None,
        passthrough_errors: bool = False,
        ssl_context: t.Any = None,
        fd: int | None = None,
        *,
        threads: int = 1,
        head_timeout: float = 10.0,
        body_timeout: float = 30.0,
        keep_alive_timeout: float = 15.0,
        shutdown_timeout: float = 10.0,
        max_request_line: int = 8190,
        max_header_count: int = 100,
        max_head_bytes: int = 64 * 1024,
        access_log: str | None = "development",
        logger: t.Any = None,
    ) -> None:
        if threads < 1:
            raise ValueError("a server needs at least one worker thread")
        self.RequestHandlerClass = handler or WSGIRequestHandler
        self.app = app
        self.passthrough_errors = passthrough_errors
        self.threads = threads
        self.head_timeout = head_timeout
        self.body_timeout = body_timeout
        self.keep_alive_timeout = keep_alive_timeout
        self.shutdown_timeout = shutdown_timeout
        self.max_request_line = max_request_line
        self.max_header_count = max_header_count
        self.max_head_bytes = max_head_bytes
        self.access_log = access_log
        self.logger = logger if logger is not None else _serving_logger()
        self.host = host.strip("[]") if host else host
        self.address_family = select_address_family(self.host, port)
        self.socket = self._listen(self.host, port, fd)
        self.server_address = self.socket.getsockname()
        if isinstance(self.server_address, tuple):
            self.server_name, self.port = str(self.server_address[0]), self.server_address[1]
        else:
            self.server_name, self.port = str(self.server_address), 0
        self.server_port = self.port
        self.ssl_context = _resolve_ssl_context(ssl_context)
        self.server_software = "microflask/%s" % _serving_package_version()
        self.server_header = "Server: %s\r\n" % self.server_software
        self.environ_base = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if self.ssl_context is not None else "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": self.multithread,
            "wsgi.multiprocess": self.multiprocess,
            "wsgi.run_once": False,
            "SERVER_SOFTWARE": self.server_software,
            "SCRIPT_NAME": "",
            "SERVER_NAME": self.server_name,
            "SERVER_PORT": str(self.port),
        }
        self.stopping = False
        self._stop_requested = False
        self._date = (0, "")
        self._finished_serving = threading.Event()
        self._finished_serving.set()

    def _listen(self, host: str, port: int, fd: int | None) -> socket.socket:
        if fd is not None:  # the reloader's parent opened it and passed it on
            listening = socket.fromfd(fd, self.address_family, socket.SOCK_STREAM)
            os.close(fd)
            self.address_family = listening.family
        else:
            listening = socket.socket(self.address_family, socket.SOCK_STREAM)
            try:
                if self.address_family == getattr(socket, "AF_UNIX", None):
                    address: t.Any = host.split("://", 1)[-1]
                    if os.path.exists(address):
                        os.unlink(address)
                else:
                    address = (host, port)
                    if os.name != "nt":  # on Windows the option would let two servers share a port
                        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    if self.address_family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
                        try:  # "::" answers IPv4 too where the OS allows it
                            listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                        except OSError:
                            pass
                listening.bind(address)
                listening.listen(self.request_queue_size)
            except BaseException:
                listening.close()
                raise
        listening.setblocking(False)
        return listening

    def fileno(self) -> int:
        return self.socket.fileno()

    def date_header(self) -> str:
        """The ``Date`` header line, formatted once a second."""
        now = int(time.time())
        second, line = self._date
        if second != now:
            from microflask.http import http_date

            line = "Date: %s\r\n" % http_date(now)
            self._date = (now, line)
        return line

    # -- the loop --------------------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown`, SIGTERM (see :func:`serve`) or Ctrl-C; then close."""
        self._finished_serving.clear()
        self._stop_requested = self.stopping = False
        self._open_loop()
        try:
            self._run_loop(min(poll_interval, _SWEEP_INTERVAL))
        except KeyboardInterrupt:
            pass
        finally:
            try:
                self._stop_gracefully()
            finally:
                self.server_close()
                self._finished_serving.set()

    def _open_loop(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._watched: set[WSGIRequestHandler] = set()
        self._returned: deque[WSGIRequestHandler] = deque()
        self._requests: SimpleQueue[t.Any] = SimpleQueue()
        self._wake_receiver, self._wake_sender = socket.socketpair()
        self._wake_receiver.setblocking(False)
        self._wake_sender.setblocking(False)
        self._wake_pending = False
        self._would_block: tuple[type, ...] = (BlockingIOError, InterruptedError)
        if self.ssl_context is not None:
            import ssl

            self._would_block += (ssl.SSLWantReadError, ssl.SSLWantWriteError)
        self._selector.register(self.socket, selectors.EVENT_READ, _LISTENING)
        self._selector.register(self._wake_receiver, selectors.EVENT_READ, _WAKE)
        self._accept_paused_until = 0.0
        self._workers = [self._start_worker() for _ in range(self.threads)]

    def _run_loop(self, timeout: float) -> None:
        selector = self._selector
        next_sweep = time.monotonic() + _SWEEP_INTERVAL
        while not self._stop_requested:
            for key, _events in selector.select(timeout):
                owner = key.data
                if owner is _LISTENING:
                    self._accept_connections()
                elif owner is _WAKE:
                    self._take_back_connections()
                else:
                    self._serve_event(owner)
            now = time.monotonic()
            if now >= next_sweep:
                self._close_expired(now)
                next_sweep = now + _SWEEP_INTERVAL

    def _serve_event(self, handler: WSGIRequestHandler) -> None:
        try:
            if handler.handshaking:
                self._continue_handshake(handler)
            elif handler.lingering:
                self._discard_input(handler)
            else:
                self._read_head(handler)
        except Exception:  # a bug here must cost one connection, not the server
            self.logger.error("Error in the server loop:\n%s", _format_current_exception())
            self._close(handler)

    def _accept_connections(self) -> None:
        now = time.monotonic()
        if now < self._accept_paused_until:
            time.sleep(0.01)  # the listening socket stays readable: do not spin
            return
        for _ in range(64):
            try:
                connection, address = self.socket.accept()
            except self._would_block:
                return
            except OSError as error:  # out of file descriptors, say: wait a little
                self.logger.error("Cannot accept a connection: %s", error)
                self._accept_paused_until = now + 0.1
                return
            connection.setblocking(False)
            if self.address_family != getattr(socket, "AF_UNIX", None):
                # Headers and body may leave in separate writes: never hold one back.
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            handler = None
            if self.ssl_context is not None:
                try:
                    connection = self.ssl_context.wrap_socket(
                        connection, server_side=True, do_handshake_on_connect=False
                    )
                except OSError:
                    connection.close()
                    continue
            handler = self.RequestHandlerClass(connection, address, self)
            handler.handshaking = self.ssl_context is not None
            handler.deadline = now + self.head_timeout
            self._watch(handler)

    def _watch(self, handler: WSGIRequestHandler, events: int = selectors.EVENT_READ) -> None:
        self._selector.register(handler.connection, events, handler)
        self._watched.add(handler)

    def _unwatch(self, handler: WSGIRequestHandler) -> None:
        if handler in self._watched:
            self._watched.discard(handler)
            self._selector.unregister(handler.connection)

    def _continue_handshake(self, handler: WSGIRequestHandler) -> None:
        import ssl

        try:
            handler.connection.do_handshake()
        except ssl.SSLWantReadError:
            self._selector.modify(handler.connection, selectors.EVENT_READ, handler)
            return
        except ssl.SSLWantWriteError:
            self._selector.modify(handler.connection, selectors.EVENT_WRITE, handler)
            return
        except OSError:
            self._close(handler)
            return
        handler.handshaking = False
        self._selector.modify(handler.connection, selectors.EVENT_READ, handler)
        self._read_head(handler)

    def _receive(self, handler: WSGIRequestHandler) -> bool | None:
        """Add what has arrived to the buffer: True, None (nothing yet) or False (closed)."""
        connection = handler.connection
        try:
            data = connection.recv(_RECEIVE_SIZE)
            if not data:
                return False
            if self.ssl_context is not None:
                while connection.pending():  # decrypted bytes select() cannot see
                    data += connection.recv(_RECEIVE_SIZE)
        except self._would_block:
            return None
        except OSError:
            return False
        if not handler.buffer:
            handler.deadline = time.monotonic() + self.head_timeout
        handler.buffer += data
        return True

    def _read_head(self, handler: WSGIRequestHandler) -> bool:
        """Read what arrived; hand a complete head to a worker.  True if the loop let go."""
        received = self._receive(handler)
        buffer = handler.buffer
        if received is None and not buffer:
            return False
        _strip_leading_blank_lines(buffer)
        head_end = _find_head_end(buffer, handler.searched)
        if received is False and head_end < 0:  # closed before a whole head arrived
            self._close(handler)
            return True
        if head_end < 0:
            handler.searched = len(buffer)
            if (
                len(buffer) > self.max_request_line + 2
                and buffer.find(b"\n", 0, self.max_request_line + 2) < 0
            ):
                self._reject(
                    handler,
                    "414 URI Too Long",
                    "The request line is longer than %d bytes." % self.max_request_line,
                )
                return True
            if len(buffer) > self.max_head_bytes:
                self._reject(
                    handler,
                    "431 Request Header Fields Too Large",
                    "The request head is larger than %d bytes." % self.max_head_bytes,
                )
                return True
            return False
        if head_end > self.max_head_bytes:
            self._reject(
                handler,
                "431 Request Header Fields Too Large",
                "The request head is larger than %d bytes." % self.max_head_bytes,
            )
            return True
        self._unwatch(handler)
        handler.searched = 0
        self._requests.put((handler, head_end))
        return True

    def _reject(self, handler: WSGIRequestHandler, status: str, reason: str) -> None:
        """Answer a request the loop refuses (too large, too slow) and close gently."""
        handler.requestline = (
            bytes(handler.buffer[:80]).split(b"\n", 1)[0].strip().decode("latin-1")
        )
        handler.request_version = "HTTP/1.1"
        handler.status_code = status[:3]
        response = _plain_response_bytes(status, reason)
        try:
            handler.connection.send(response)  # small: fits the socket's buffer
        except (OSError, ValueError):
            pass
        handler.log_request(status[:3], len(response))
        del handler.buffer[:]
        self._linger(handler)

    def _linger(self, handler: WSGIRequestHandler) -> None:
        """Stop sending, then discard input until the client closes (or a short time passes).

        Closing a socket with unread input makes the kernel send a reset,
        and a reset can destroy the response the client has not read yet.
        """
        try:
            handler.connection.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(handler)
            return
        handler.lingering = True
        handler.deadline = time.monotonic() + _LINGER_SECONDS
        if handler not in self._watched:
            self._watch(handler)

    def _discard_input(self, handler: WSGIRequestHandler) -> None:
        try:
            while handler.connection.recv(_RECEIVE_SIZE):
                pass
        except self._would_block:
            return
        except OSError:
            pass
        self._close(handler)

    def _close(self, handler: WSGIRequestHandler) -> None:
        self._unwatch(handler)
        self.close_client(handler)

    def close_client(self, handler: WSGIRequestHandler) -> None:
        """Close a client's connection (any thread)."""
        try:
            handler.connection.close()
        except OSError:
            pass

    def _close_expired(self, now: float) -> None:
        for handler in [h for h in self._watched if h.deadline <= now]:
            if handler.buffer and not handler.lingering and not handler.handshaking:
                self._reject(
                    handler, "408 Request Timeout", "The request head did not arrive in time."
                )
            else:
                self._close(handler)

    # -- the loop and the workers meet here ----------------------------------------------------

    def hand_back(self, handler: WSGIRequestHandler, linger: bool = False) -> None:
        """A worker is done with a connection: the loop waits for its next request (any thread)."""
        handler.lingering = linger
        self._returned.append(handler)
        # Appended before the flag is read, and the loop clears the flag before
        # it empties the queue: a connection is either taken with an earlier
        # wake-up or sends its own.
        if not self._wake_pending:
            self._wake_pending = True
            try:
                self._wake_sender.send(b"\0")
            except OSError:
                pass

    def _take_back_connections(self) -> None:
        # First empty the wake-up socket, then clear the flag, then the queue:
        # clearing the flag first could swallow the byte of a later wake-up
        # and leave its connection waiting for ever.
        try:
            while self._wake_receiver.recv(4096):
                pass
        except OSError:
            pass
        self._wake_pending = False
        returned = self._returned
        now = time.monotonic()
        while returned:
            handler = returned.popleft()
            handler.connection.setblocking(False)
            if handler.lingering:
                self._linger(handler)
                continue
            handler.deadline = now + (
                self.head_timeout if handler.buffer else self.keep_alive_timeout
            )
            # The next request may be here already: look before waiting for it.
            if not self._read_head(handler) and handler not in self._watched:
                self._watch(handler)

    def _start_worker(self) -> threading.Thread:
        worker = threading.Thread(target=self._work, name="microflask-worker", daemon=True)
        worker.start()
        return worker

    def _work(self) -> None:
        requests = self._requests
        while True:
            item = requests.get()
            if item is None:
                return
            handler, head_end = item
            handler.connection.settimeout(self.body_timeout)
            try:
                handler.handle(head_end)
            except BaseException:
                # passthrough_errors: the error leaves this thread; keep the pool full.
                if not self.stopping:
                    self._workers.append(self._start_worker())
                raise

    # -- stopping --------------------------------------------------------------------------

    def _request_stop(self) -> None:
        """Ask the loop to stop (safe from a signal handler or another thread)."""
        self._stop_requested = True
        try:
            self._wake_sender.send(b"\0")
        except (AttributeError, OSError):
            pass

    def shutdown(self) -> None:
        """Stop ``serve_forever()`` from another thread, and wait until it has finished."""
        self._request_stop()
        self._finished_serving.wait()

    def _stop_gracefully(self) -> None:
        """Refuse new connections, close idle ones, let requests in progress finish."""
        self.stopping = True
        try:
            self._selector.unregister(self.socket)
        except (KeyError, ValueError):
            pass
        self.socket.close()
        for handler in list(self._watched):
            self._close(handler)
        for _ in self._workers:
            self._requests.put(None)
        deadline = time.monotonic() + self.shutdown_timeout
        try:
            for worker in self._workers:
                worker.join(max(0.0, deadline - time.monotonic()))
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            pass
        unfinished = sum(worker.is_alive() for worker in self._workers)
        if unfinished:
            self.logger.warning(
                "Stopping with %d request(s) still running after %ss.",
                unfinished,
                self.shutdown_timeout,
            )
        while self._returned:
            self.close_client(self._returned.popleft())
        self._selector.close()
        self._wake_receiver.close()
        self._wake_sender.close()

    def server_close(self) -> None:
        """Close the listening socket."""
        self.socket.close()

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        error = sys.exc_info()[1]
        if self.passthrough_errors and error is not None:
            raise error
        if isinstance(error, (ConnectionError, socket.timeout)):
            return
        self.logger.error(
            "Error on request from %s:\n%s", client_address, _format_current_exception()
        )

    def log(self, type: str, message: str, *args: t.Any) -> None:  # noqa: A002
        getattr(self.logger, type)(message, *args)


class ThreadedWSGIServer(BaseWSGIServer):
    """A fixed pool of worker threads (eight unless ``threads=`` says otherwise)."""

    multithread = True

    def __init__(self, *args: t.Any, threads: int = 8, **kwargs: t.Any) -> None:
        super().__init__(*args, threads=threads, **kwargs)


class ForkingWSGIServer(BaseWSGIServer):
    """``processes`` worker processes (POSIX), each serving the shared listening socket.

    Werkzeug forks a process per connection; this server forks its workers
    once, up front (each with ``threads`` threads, one by default), replaces
    any that die, and stops them all with SIGTERM when it stops.
    """

    multiprocess = True

    def __init__(
        self,
        host: str,
        port: int,
        app: t.Callable,
        processes: int = 40,
        *args: t.Any,
        **kwargs: t.Any,
    ) -> None:
        if not hasattr(os, "fork"):
            raise ValueError("Your platform does not support forking.")
        super().__init__(host, port, app, *args, **kwargs)
        self.multithread = self.threads > 1
        self.environ_base["wsgi.multithread"] = self.multithread
        self.processes = processes
        self._children: set[int] = set()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        import signal

        self._finished_serving.clear()
        self._stop_requested = self.stopping = False
        self._wake_receiver, self._wake_sender = socket.socketpair()
        try:
            while not self._stop_requested:
                while len(self._children) < self.processes and not self._stop_requested:
                    pid = os.fork()
                    if pid == 0:
                        self._serve_as_child()
                    self._children.add(pid)
                selectors_ready = selectors.DefaultSelector()
                selectors_ready.register(self._wake_receiver, selectors.EVENT_READ)
                selectors_ready.select(min(poll_interval, 0.5))
                selectors_ready.close()
                self._reap_children(block=False)
        except KeyboardInterrupt:
            pass
        finally:
            for pid in self._children:
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
            deadline = time.monotonic() + self.shutdown_timeout + 1
            while self._children and time.monotonic() < deadline:
                if not self._reap_children(block=False):
                    time.sleep(0.05)
            for pid in self._children:
                os.kill(pid, signal.SIGKILL)
            self._reap_children(block=True)
            self.server_close()
            self._wake_receiver.close()
            self._wake_sender.close()
            self._finished_serving.set()

    def _reap_children(self, block: bool) -> bool:
        reaped = False
        while self._children:
            try:
                pid, _status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                self._children.clear()
                return True
            except InterruptedError:
                continue
            if pid == 0:
                return reaped
            self._children.discard(pid)
            reaped = True
        return reaped

    def _serve_as_child(self) -> None:
        import signal

        exit_code = 0
        try:
            self._children = set()
            signal.signal(signal.SIGTERM, lambda signum, frame: self._request_stop())
            signal.signal(signal.SIGINT, lambda signum, frame: self._request_stop())
            BaseWSGIServer.serve_forever(self)
        except BaseException:
            exit_code = 1
        finally:
            os._exit(exit_code)


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
    **options: t.Any,
) -> BaseWSGIServer:
    """A server bound to ``host:port`` (port 0: a free one), ready for ``serve_forever()``.

    ``threaded`` serves with a pool of worker threads (``threads=``, eight by
    default); ``processes > 1`` forks that many worker processes instead.
    ``ssl_context`` is an ``ssl.SSLContext`` or a ``(cert_file, key_file)``
    pair; ``fd`` an already listening socket to adopt (the reloader passes
    its socket on this way).  Other keyword arguments (``threads``,
    ``head_timeout``, ``body_timeout``, ``keep_alive_timeout``,
    ``shutdown_timeout``, ``max_request_line``, ``max_header_count``,
    ``max_head_bytes``, ``access_log``, ``logger``) go to the server.
    """
    if threaded and processes > 1:
        raise ValueError("Cannot have a multi-thread and multi-process server.")
    arguments = (request_handler, passthrough_errors, ssl_context, fd)
    if processes > 1:
        return ForkingWSGIServer(host, port, app, processes, *arguments, **options)
    if threaded or options.get("threads", 1) > 1:
        return ThreadedWSGIServer(host, port, app, *arguments, **options)
    return BaseWSGIServer(host, port, app, *arguments, **options)


def _make_server_or_exit(host: str, port: int, app: t.Callable, **options: t.Any) -> BaseWSGIServer:
    """:func:`make_server`, but a port already in use is one line and exit status 1."""
    import errno

    try:
        return make_server(host, port, app, **options)
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        message = error.strerror or str(error)
        if error.errno == errno.EADDRINUSE:
            message += (
                ": port %s is in use by another program. Either identify and stop that"
                " program, or start the server with a different port." % port
            )
            if sys.platform == "darwin" and port == 5000:
                message += " On macOS, try disabling the 'AirPlay Receiver' service."
        sys.stderr.write("%s\n" % message)
        sys.exit(1)


def _serve_until_stopped(server: BaseWSGIServer) -> None:
    """``serve_forever()`` in this thread; SIGTERM, like Ctrl-C, stops it gracefully."""
    import signal

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: server._request_stop())
    try:
        server.serve_forever()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


_development_warning_shown = False


def _warn_development_server_once() -> None:
    global _development_warning_shown
    if _development_warning_shown or is_running_from_reloader():
        return
    _development_warning_shown = True
    message = (
        "WARNING: This is a development server. Do not use it in a production deployment."
        " Use a production WSGI server instead, or 'microflask serve' where nothing can be "
        "installed."
    )
    if _stderr_wants_colour():
        message = "\x1b[31m\x1b[1m%s\x1b[0m" % message
    _log_serving("warning", message)


def _display_url(server: t.Any, hostname: str) -> list[str]:
    scheme = "https" if server.ssl_context is not None else "http"
    port = server.port
    hosts = [hostname]
    if hostname in ("0.0.0.0", "::"):
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
    **server_options: t.Any,
) -> None:
    """Serve ``application`` for development until Ctrl-C or SIGTERM.

    ``use_debugger`` wraps the app in :class:`microflask.debug.DebuggedApplication`
    (``use_evalex`` is accepted for compatibility: the page never runs code).
    ``static_files`` adds a :class:`~microflask.middleware.SharedDataMiddleware`.
    ``use_reloader`` restarts the server when a loaded module or one of
    ``extra_files`` changes (files matching ``exclude_patterns`` are not
    watched), checking every ``reloader_interval`` seconds.  Other keyword
    arguments go to :func:`make_server` (``threads=``, the timeouts...).
    """
    if not isinstance(port, int):
        raise TypeError("port must be an integer")
    if static_files:
        from microflask.middleware.shared_data import SharedDataMiddleware

        application = SharedDataMiddleware(application, static_files)
    if use_debugger:
        from microflask.debug import DebuggedApplication

        application = DebuggedApplication(application, evalex=False)

    fd = None
    if is_running_from_reloader() and os.environ.get(_SERVER_FD_ENV):
        fd = int(os.environ[_SERVER_FD_ENV])
    server = _make_server_or_exit(
        hostname,
        port,
        application,
        threaded=threaded,
        processes=processes,
        request_handler=request_handler,
        passthrough_errors=passthrough_errors,
        ssl_context=ssl_context,
        fd=fd,
        **server_options,
    )
    if use_debugger and (not use_reloader or is_running_from_reloader()):
        _log_serving("info", " * Debugger is active! (tracebacks only: it never runs code)")
    if not use_reloader:
        _print_serving_banner(server, hostname)
        _serve_until_stopped(server)
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

    # The child: serve in a thread, watch files in this one; a change or a
    # SIGTERM ends the process (the parent restarts it after a change only).
    import signal

    known_mtimes = _file_mtimes(_watched_files(extra_files, exclude_patterns))
    serving_thread = threading.Thread(target=server.serve_forever, daemon=True)
    serving_thread.start()
    signal.signal(signal.SIGTERM, lambda signum, frame: _stop_reloader_child(server))
    _watch_files_until_change(extra_files, exclude_patterns, reloader_interval, known_mtimes)


def _stop_reloader_child(server: BaseWSGIServer) -> None:
    server.shutdown()
    sys.exit(0)


def serve(
    app: t.Callable,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 8,
    processes: int = 1,
    ssl_context: t.Any = None,
    access_log: bool = True,
    **options: t.Any,
) -> None:
    """Serve ``app`` in production until SIGTERM or Ctrl-C (then stop gracefully).

    The same server as :func:`run_simple`, with production defaults: no
    reloader, no debugger, no development banner, a pool of ``threads``
    worker threads (in each of ``processes`` processes, POSIX only), an
    access log in the common log format on the ``microflask.serving``
    logger, and errors logged with their tracebacks and answered with a
    plain 500.  Keyword arguments set the timeouts and limits
    (see :func:`make_server`).  Behind nginx, wrap the app in
    :class:`~microflask.middleware.ProxyFix`.
    """
    import logging

    logger = logging.getLogger("microflask.serving")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    server = _make_server_or_exit(
        host,
        port,
        app,
        processes=processes,
        ssl_context=ssl_context,
        threads=threads,
        access_log="common" if access_log else None,
        logger=logger,
        **options,
    )
    name = server.server_name
    logger.info(
        "Serving on %s://%s:%d with %d thread(s)%s (pid %d)",
        "https" if server.ssl_context is not None else "http",
        "[%s]" % name if ":" in name else name,
        server.port,
        threads,
        " in %d processes" % processes if processes > 1 else "",
        os.getpid(),
    )
    _serve_until_stopped(server)
    logger.info("Stopped.")


# -- the reloader -------------------------------------------------------------------------------


def _command_to_restart() -> list[str]:
    """The command line that started this process, to run it again."""
    main_module = sys.modules.get("__main__")
    spec = getattr(main_module, "__spec__", None)
    arguments = sys.argv[1:]
    command = [sys.executable] + _interpreter_flags()
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


def _interpreter_flags() -> list[str]:
    """The interpreter options this process runs with (``-I``, ``-S``, ``-B``, ``-X``, ``-W``...).

    A restarted child must run as its parent did: ``-I -S`` in a restricted
    environment must not turn into a child that reads ``PYTHON*`` variables
    and site-packages.
    """
    flags = sys.flags
    options = []
    if flags.isolated:
        options.append("-I")
    else:
        if flags.ignore_environment:
            options.append("-E")
        if flags.no_user_site:
            options.append("-s")
    for name, letter in (("no_site", "S"), ("dont_write_bytecode", "B"), ("optimize", "O"),
                         ("verbose", "v"), ("quiet", "q"), ("bytes_warning", "b")):
        count = getattr(flags, name, 0)
        if count:
            options.append("-" + letter * int(count))
    # sys._xoptions is CPython's record of -X options (documented as such);
    # other interpreters may not have it, and then there is nothing to pass on.
    for name, value in getattr(sys, "_xoptions", {}).items():
        options.append("-X%s" % name if value is True else "-X%s=%s" % (name, value))
    implied_by_bytes_warning = {"default::BytesWarning", "error::BytesWarning"}
    implied_by_dev_mode = {"default"} if getattr(flags, "dev_mode", False) else set()
    for warning in sys.warnoptions:
        if warning in implied_by_bytes_warning and flags.bytes_warning:
            continue
        if warning in implied_by_dev_mode:
            continue
        options.append("-W%s" % warning)
    return options


def _watched_files(
    extra_files: t.Iterable[str] | None, exclude_patterns: t.Iterable[str] | None
) -> set[str]:
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
        _forward_sigterm_to(process)
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


def _forward_sigterm_to(process: t.Any) -> None:
    """A SIGTERM to the reloader's parent stops the child gracefully, then the parent."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return

    def stop_child(signum: int, frame: t.Any) -> None:
        # Only pass it on: the parent is inside process.wait(), which then sees the
        # child exit and ends the parent too.  Waiting here would deadlock.
        if process.poll() is not None:
            raise SystemExit(0)
        try:
            process.send_signal(signal.SIGTERM)
        except OSError:
            pass

    signal.signal(signal.SIGTERM, stop_child)


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
