"""WSGI helpers: environ look-ups, a length-limited input stream, iterators.

Werkzeug calls this ``werkzeug.wsgi`` (``get_host``, ``get_current_url``,
``get_input_stream``, ``LimitedStream``, ``ClosingIterator``, ``wrap_file``,
``responder``).  It sits with the layer-2 helpers.  The host and URL
functions read their parts from the environ and hand them to
:mod:`microflask.sansio.utils`, as ``Request.host`` and ``Request.url`` do,
so both answer alike.
"""

from __future__ import annotations

import typing as t

from microflask.formparser import (
    LimitedStream,
    _content_length_from_environ,
    _get_input_stream_for_environ,
)
from microflask.http import _wsgi_str_to_text
from microflask.sansio.utils import get_current_url as _url_from_parts
from microflask.sansio.utils import get_host as _host_from_parts
from microflask.sansio.utils import host_is_trusted
from microflask.utils import FileWrapper, wrap_file

__all__ = [
    "ClosingIterator",
    "FileWrapper",
    "LimitedStream",
    "get_content_length",
    "get_current_url",
    "get_host",
    "get_input_stream",
    "get_path_info",
    "host_is_trusted",
    "responder",
    "wrap_file",
]

# --- environ look-ups --------------------------------------------------------


def _server_from_environ(environ: t.Mapping[str, t.Any]) -> tuple[str, int | None] | None:
    """``(SERVER_NAME, SERVER_PORT)``; the port is None when missing or not a
    number (a Unix socket), the whole is None without a SERVER_NAME."""
    name = environ.get("SERVER_NAME")
    if name is None:
        return None
    try:
        port: int | None = int(environ.get("SERVER_PORT", ""))
    except (TypeError, ValueError):
        port = None
    return name, port


def _query_string_bytes(environ: t.Mapping[str, t.Any]) -> bytes:
    """``QUERY_STRING`` as the bytes the client sent (latin-1 by WSGI's
    rule; UTF-8 from a server that already decoded it)."""
    query = environ.get("QUERY_STRING", "")
    try:
        return query.encode("latin-1")
    except UnicodeEncodeError:
        return query.encode("utf-8")


def _wsgi_get_host(environ: t.Mapping[str, t.Any], trusted_hosts: t.Any = None) -> str:
    """``Host`` header, else ``SERVER_NAME:SERVER_PORT``; default ports dropped.

    A malformed host gives ``""``; with ``trusted_hosts`` an untrusted host
    raises ``SecurityError`` (a 400).  See :mod:`microflask.sansio.utils`.
    """
    return _host_from_parts(
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST"),
        _server_from_environ(environ),
        trusted_hosts,
    )


# Plain aliases, so the bundle keeps these apart from the sans-IO
# ``get_host`` and ``get_content_length`` (the header-value versions).
get_host = _wsgi_get_host


def get_current_url(
    environ: t.Mapping[str, t.Any],
    root_only: bool = False,
    strip_querystring: bool = False,
    host_only: bool = False,
    trusted_hosts: t.Any = None,
) -> str:
    """The URL the request was made to, or a prefix of it (an IRI, not ASCII-only)."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = _wsgi_get_host(environ, trusted_hosts)
    if host_only:
        return _url_from_parts(scheme, host)
    root_path = _wsgi_str_to_text(environ.get("SCRIPT_NAME") or "")
    if root_only:
        return _url_from_parts(scheme, host, root_path)
    path = _wsgi_str_to_text(environ.get("PATH_INFO") or "")
    if strip_querystring:
        return _url_from_parts(scheme, host, root_path, path)
    return _url_from_parts(scheme, host, root_path, path, _query_string_bytes(environ))


def _wsgi_get_content_length(environ: t.Mapping[str, t.Any]) -> int | None:
    """``CONTENT_LENGTH`` as an int; None when absent or the body is chunked."""
    return _content_length_from_environ(environ)


get_content_length = _wsgi_get_content_length


def get_input_stream(
    environ: t.Mapping[str, t.Any],
    safe_fallback: bool = True,
    max_content_length: int | None = None,
) -> t.Any:
    """``wsgi.input`` limited to the announced length (or ``max_content_length``).

    A body of unknown length on a server that does not terminate the input
    reads as empty when ``safe_fallback`` is true (the default).
    """
    if not safe_fallback and _content_length_from_environ(environ) is None:
        stream = environ.get("wsgi.input")
        if stream is not None and not environ.get("wsgi.input_terminated"):
            return stream
    return _get_input_stream_for_environ(environ, max_content_length)


def get_path_info(environ: t.Mapping[str, t.Any]) -> str:
    """``PATH_INFO`` as text (the server hands it over as latin-1 bytes-in-str)."""
    raw = environ.get("PATH_INFO", "").encode("latin1")
    return raw.decode("utf-8", "replace")


def responder(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """Turn a function returning a WSGI app (a response) into a WSGI app."""

    def application(*args: t.Any) -> t.Any:
        return f(*args)(*args[-2:])

    application.__name__ = getattr(f, "__name__", "application")
    application.__doc__ = getattr(f, "__doc__", None)
    application.__wrapped__ = f  # type: ignore[attr-defined]
    return application


# --- response iterators ------------------------------------------------------


class ClosingIterator:
    """Iterate ``iterable``; on ``close()`` close it and run ``callbacks``.

    The one closing iterator of the package: a response's body, the test
    client's app iterator and middleware clean-up all use it.  ``close``
    runs everything once; a second call does nothing (a server and a test
    may both close the same body).
    """

    def __init__(self, iterable: t.Iterable[bytes], callbacks: t.Any = None) -> None:
        iterator = iter(iterable)
        self._next = iterator.__next__
        if callbacks is None:
            callbacks = []
        elif callable(callbacks):
            callbacks = [callbacks]
        else:
            callbacks = list(callbacks)
        iterable_close = getattr(iterable, "close", None)
        if iterable_close is not None:
            callbacks.insert(0, iterable_close)
        self._callbacks = callbacks

    def __iter__(self) -> ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return self._next()  # type: ignore[no-any-return]

    def close(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()


class _RangeWrapper:
    """Yield ``byte_range`` bytes of a body starting at ``start_byte``.

    Seekable bodies are seeked; others are read and the leading bytes
    dropped.  ``byte_range=None`` means to the end.
    """

    def __init__(
        self, iterable: t.Any, start_byte: int = 0, byte_range: int | None = None
    ) -> None:
        self._source = iterable
        self.iterable = iter(iterable)
        self.byte_range = byte_range
        self.start_byte = start_byte
        self.end_byte = None if byte_range is None else start_byte + byte_range
        self.read_length = 0
        self.seekable = hasattr(iterable, "seekable") and iterable.seekable()
        self.end_reached = False
        if self.seekable:
            iterable.seek(start_byte)
            self.read_length = start_byte

    def __iter__(self) -> _RangeWrapper:
        return self

    def _next_chunk(self) -> bytes:
        try:
            chunk = next(self.iterable)
        except StopIteration:
            self.end_reached = True
            raise
        self.read_length += len(chunk)
        return chunk  # type: ignore[no-any-return]

    def __next__(self) -> bytes:
        if self.end_reached or (
            self.end_byte is not None and self.read_length >= self.end_byte
        ):
            self.end_reached = True
            raise StopIteration()
        chunk = self._next_chunk()
        # Skip (or trim) what lies before the range.
        while self.read_length <= self.start_byte:
            chunk = self._next_chunk()
        chunk_start = self.read_length - len(chunk)
        if chunk_start < self.start_byte:
            chunk = chunk[self.start_byte - chunk_start :]
            chunk_start = self.start_byte
        if self.end_byte is not None and self.read_length > self.end_byte:
            chunk = chunk[: self.end_byte - chunk_start]
            self.end_reached = True
        if not chunk:
            self.end_reached = True
            raise StopIteration()
        return chunk

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()
