"""Call a WSGI application in-process: environ builder and test client.

This module plays the role of Werkzeug's ``werkzeug.test``: build WSGI
environs (``EnvironBuilder``, ``create_environ``), encode form and file
uploads as multipart bodies, run an app (``run_wsgi_app``), and drive it
like a browser with cookies and redirects (``Client``, ``TestResponse``).
The last section adds Flask's side (``flask.testing``): an app-aware
``EnvironBuilder`` and ``FlaskClient``, the client ``app.test_client()``
returns.
"""

from __future__ import annotations

import dataclasses
import json as _json_module
import sys
import typing as t
from contextlib import ExitStack, contextmanager
from copy import copy
from io import BytesIO
from itertools import chain
from random import random
from time import time
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from microflask.datastructures import CallbackDict, FileMultiDict, Headers, MultiDict
from microflask.wrappers import Request, Response
from microflask.wsgi import ClosingIterator

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.app import Flask

__all__ = [
    "AppEnvironBuilder",
    "Client",
    "ClientRedirectError",
    "Cookie",
    "EnvironBuilder",
    "FlaskClient",
    "FlaskCliRunner",  # noqa: F822 - provided lazily by __getattr__
    "TestResponse",
    "create_environ",
    "encode_multipart",
    "run_wsgi_app",
    "stream_encode_multipart",
]

_MULTIPART_READ_SIZE = 64 * 1024


# -- small encoding helpers --------------------------------------------------


def _wsgi_str_from_text(text: str) -> str:
    """Encode text to UTF-8 and carry the bytes in a latin-1 str, as PEP 3333 wants."""
    return text.encode("utf-8").decode("latin-1")


def _text_from_wsgi_str(value: str) -> str:
    """Undo :func:`_wsgi_str_from_text`; bytes that are not UTF-8 are replaced."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _iter_multi_items(data: t.Any) -> t.Iterator[tuple[str, t.Any]]:
    """Yield (key, value) pairs from a MultiDict, a mapping, or pairs; lists fan out."""
    if isinstance(data, MultiDict):
        yield from data.items(multi=True)
        return
    items = data.items() if hasattr(data, "items") else data
    for key, value in items:
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


def _urlencode_form(data: t.Any) -> str:
    """Form-urlencode pairs, spaces as ``+``, dropping ``None`` values."""
    return urlencode([(k, v) for k, v in _iter_multi_items(data) if v is not None])


def _quote_multipart_param(value: str) -> str:
    """Quote a name or filename for a multipart Content-Disposition header."""
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    return value.replace("\r", "%0D").replace("\n", "%0A")


# -- multipart encoding -------------------------------------------------------


class _SpoolingBuffer:
    """Collect bytes in memory, moving to a temporary file past a threshold."""

    def __init__(self, use_tempfile: bool, threshold: int) -> None:
        self.stream: t.Any = BytesIO()
        self.length = 0
        self.on_disk = False
        self.use_tempfile = use_tempfile
        self.threshold = threshold

    def write(self, data: bytes) -> None:
        self.length += len(data)
        if self.use_tempfile and not self.on_disk and self.length > self.threshold:
            import tempfile

            disk = tempfile.TemporaryFile()
            disk.write(self.stream.getvalue())
            self.stream = disk
            self.on_disk = True
        self.stream.write(data)


def stream_encode_multipart(
    data: t.Mapping[str, t.Any],
    use_tempfile: bool = True,
    threshold: int = 1024 * 500,
    boundary: str | None = None,
) -> tuple[t.IO[bytes], int, str]:
    """Encode a dict of values and files as a ``multipart/form-data`` body.

    Values that have a ``read`` method are sent as file parts (name from
    ``filename`` or ``name``, type from ``content_type`` or the name); the
    rest as text fields.  Returns ``(stream, length, boundary)`` with the
    stream rewound; past ``threshold`` bytes it spills to a temporary file.
    """
    if boundary is None:
        boundary = f"---------------MicroflaskFormPart_{time()}{random()}"
    delimiter = f"\r\n--{boundary}\r\n".encode("ascii")
    buffer = _SpoolingBuffer(use_tempfile, threshold)
    write = buffer.write

    for key, value in _iter_multi_items(data):
        name = _quote_multipart_param(str(key))
        reader = getattr(value, "read", None)
        if reader is None:
            if not isinstance(value, str):
                value = str(value)
            write(delimiter)
            write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            write(value.encode())
            continue
        filename = getattr(value, "filename", getattr(value, "name", None))
        if filename is not None and not isinstance(filename, str):
            filename = None  # e.g. the integer name of a file made from a descriptor
        content_type = getattr(value, "content_type", None)
        if content_type is None:
            content_type = "application/octet-stream"
            if filename:
                import mimetypes

                content_type = mimetypes.guess_type(filename)[0] or content_type
        write(delimiter)
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{_quote_multipart_param(filename)}"'
        write(
            f"Content-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n".encode()
        )
        while True:
            chunk = reader(_MULTIPART_READ_SIZE)
            if not chunk:
                break
            if isinstance(chunk, str):
                chunk = chunk.encode()
            write(chunk)

    write(f"\r\n--{boundary}--\r\n".encode("ascii"))
    stream = buffer.stream
    stream.seek(0)
    return stream, buffer.length, boundary


def encode_multipart(
    values: t.Mapping[str, t.Any], boundary: str | None = None
) -> tuple[str, bytes]:
    """Like :func:`stream_encode_multipart`, in memory: returns ``(boundary, body)``."""
    stream, _length, boundary = stream_encode_multipart(
        values, use_tempfile=False, boundary=boundary
    )
    return boundary, stream.read()


# -- building environs ---------------------------------------------------------


def _path_text_for_builder(path: str) -> str:
    """Escape only what would change the meaning of a decoded path given as a URL."""
    return path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def _idna_netloc_for_builder(netloc: str) -> str:
    """A host given as text (``☃.net:8080``) in its ASCII form, as a client sends it."""
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = quote(host, safe="")
    return quote(userinfo, safe=":%") + at + host + colon + port


def _is_file_value(value: t.Any) -> bool:
    return isinstance(value, (tuple, dict)) or hasattr(value, "read")


class EnvironBuilder:
    """Build a WSGI environ from a path, method, headers, query and body.

    ``data`` may be bytes or str (the body), a file object (read as the
    body), or a dict of form fields in which file values (a file, a
    FileStorage, or ``(file, filename[, content_type])``) make the body
    multipart.  ``json`` serializes a value as the body.  ``query_string``
    is a str or a mapping; a ``?query`` in ``path`` is used when it is not
    given.  ``base_url`` sets scheme, host and script root.
    """

    server_protocol = "HTTP/1.1"
    wsgi_version = (1, 0)
    request_class = Request
    json_dumps = staticmethod(_json_module.dumps)

    def __new__(cls, *args: t.Any, **kwargs: t.Any) -> EnvironBuilder:
        # Flask's builder takes the app first: ``EnvironBuilder(app, "/path")``.
        # Both live under this one name, as the module map promises.
        if cls is EnvironBuilder and args and _looks_like_flask_app(args[0]):
            return object.__new__(AppEnvironBuilder)
        return object.__new__(cls)

    def __init__(
        self,
        path: str = "/",
        base_url: str | None = None,
        query_string: t.Mapping[str, str] | str | None = None,
        method: str = "GET",
        input_stream: t.IO[bytes] | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        errors_stream: t.IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: t.Any = None,
        data: t.Any = None,
        environ_base: t.Mapping[str, t.Any] | None = None,
        environ_overrides: t.Mapping[str, t.Any] | None = None,
        mimetype: str | None = None,
        json: t.Any = None,
        auth: t.Any = None,
    ) -> None:
        if isinstance(path, bytes):
            path = path.decode("latin-1")
        self.request_uri = path
        split_path = urlsplit(path)
        if "?" in path:
            if query_string is not None:
                raise ValueError("Query string is defined in the path and as an argument")
            query_string = split_path.query
        self.path = quote(split_path.path, safe="/:@!$&'()*+,;=~%")
        if base_url is None and split_path.scheme and split_path.netloc:
            # A full URL as the path names the host too, as in Flask's client.
            base_url = f"{split_path.scheme}://{split_path.netloc}/"
        self._query_string: str | None = None
        self._args: MultiDict | None = None
        if isinstance(query_string, str):
            self._query_string = query_string
        elif query_string is not None:
            self._args = (
                query_string if isinstance(query_string, MultiDict) else MultiDict(query_string)
            )
        self.base_url = base_url  # type: ignore[assignment]
        self.method = method
        if isinstance(headers, Headers):
            self.headers = headers.copy()
        else:
            self.headers = Headers(headers)
        if content_type is not None:
            self.content_type = content_type
        self.errors_stream = sys.stderr if errors_stream is None else errors_stream
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.run_once = run_once
        self.environ_base = environ_base
        self.environ_overrides = environ_overrides
        self._input_stream: t.IO[bytes] | None = None
        self._form: MultiDict | None = None
        self._files: t.Any = None
        self.input_stream = input_stream
        if content_length is not None:
            self.content_length = content_length
        self.closed = False

        if auth is not None:
            self.headers.set("Authorization", _authorization_header_value(auth))

        if json is not None:
            if data is not None:
                raise TypeError("can't provide both json and data")
            data = self.json_dumps(json)
            if self.content_type is None:
                self.content_type = "application/json"

        if data:
            if input_stream is not None:
                raise TypeError("can't provide input stream and data")
            if hasattr(data, "read"):
                data = data.read()
            if isinstance(data, str):
                data = data.encode()
            if isinstance(data, (bytes, bytearray)):
                self.input_stream = BytesIO(bytes(data))
                if self.content_length is None:
                    self.content_length = len(data)
            else:
                for key, value in _iter_multi_items(data):
                    if _is_file_value(value):
                        self._add_file_from_data(key, value)
                    else:
                        self.form.add(key, value)

        if mimetype is not None:
            self.mimetype = mimetype

    @classmethod
    def from_environ(cls, environ: t.Mapping[str, t.Any], **kwargs: t.Any) -> EnvironBuilder:
        """Start a builder from an existing environ; keyword arguments override."""
        headers = Headers()
        for key, value in environ.items():
            if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                headers.add(key[5:].replace("_", "-").title(), value)
        host = headers.get("Host") or environ.get("SERVER_NAME", "localhost")
        headers.remove("Host")
        url_scheme = environ.get("wsgi.url_scheme", "http")
        script_root = _text_from_wsgi_str(environ.get("SCRIPT_NAME", ""))
        arguments: dict[str, t.Any] = {
            "path": _path_text_for_builder(_text_from_wsgi_str(environ.get("PATH_INFO", ""))),
            "base_url": cls._make_base_url(url_scheme, host, script_root),
            "query_string": _text_from_wsgi_str(environ.get("QUERY_STRING", "")),
            "method": environ.get("REQUEST_METHOD", "GET"),
            "input_stream": environ.get("wsgi.input"),
            "content_type": environ.get("CONTENT_TYPE") or None,
            "content_length": environ.get("CONTENT_LENGTH") or None,
            "errors_stream": environ.get("wsgi.errors"),
            "multithread": environ.get("wsgi.multithread", False),
            "multiprocess": environ.get("wsgi.multiprocess", False),
            "run_once": environ.get("wsgi.run_once", False),
            "headers": headers,
        }
        arguments.update(kwargs)
        return cls(**arguments)

    @staticmethod
    def _make_base_url(scheme: str, host: str, script_root: str) -> str:
        return urlunsplit((scheme, host, quote(script_root), "", "")).rstrip("/") + "/"

    def _add_file_from_data(self, key: str, value: t.Any) -> None:
        """Add an upload given as a file, a FileStorage, a path tuple or a dict."""
        files = self.files
        if isinstance(value, tuple):
            if not 1 <= len(value) <= 3:
                raise TypeError("a file tuple is (file, filename[, content_type])")
            files.add_file(key, *value)
        elif isinstance(value, dict):
            files.add_file(
                key,
                value.get("file", value.get("stream")),
                value.get("filename", value.get("name")),
                value.get("content_type"),
            )
        else:
            files.add_file(key, value)

    # URL parts

    @property
    def base_url(self) -> str:
        """Scheme, host and script root; setting it splits it back into them."""
        return self._make_base_url(self.url_scheme, self.host, self.script_root)

    @base_url.setter
    def base_url(self, value: str | None) -> None:
        if value is None:
            scheme, netloc, script_root = "http", "localhost", ""
        else:
            scheme, netloc, script_root, query, fragment = urlsplit(value)
            if query or fragment:
                raise ValueError("base url must not contain a query string or fragment")
            script_root = unquote(script_root)
            if not netloc.isascii():
                netloc = _idna_netloc_for_builder(netloc)
        self.script_root = script_root.rstrip("/")
        self.host = netloc
        self.url_scheme = scheme

    @property
    def server_name(self) -> str:
        """The host without its port."""
        host = self.host
        if host.startswith("["):
            return host.partition("]")[0] + "]"
        return host.partition(":")[0]

    @property
    def server_port(self) -> int:
        """The port from the host, or the scheme's default."""
        host = self.host
        if host.startswith("["):
            host = host.partition("]")[2]
        _, colon, port = host.partition(":")
        if colon:
            try:
                return int(port)
            except ValueError:
                pass
        return 443 if self.url_scheme == "https" else 80

    # Headers that describe the body

    @property
    def content_type(self) -> str | None:
        """The Content-Type header; without one, form data implies a form type."""
        content_type = self.headers.get("Content-Type")
        if content_type is None and self._input_stream is None:
            if self._files:
                return "multipart/form-data"
            if self._form:
                return "application/x-www-form-urlencoded"
        return content_type

    @content_type.setter
    def content_type(self, value: str | None) -> None:
        if value is None:
            self.headers.remove("Content-Type")
        else:
            self.headers["Content-Type"] = value

    @property
    def mimetype(self) -> str | None:
        """The content type without parameters, lowercased."""
        content_type = self.content_type
        return content_type.split(";", 1)[0].strip().lower() if content_type else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        from microflask.utils import get_content_type

        self.content_type = get_content_type(value, "utf-8")

    @property
    def mimetype_params(self) -> t.Mapping[str, str]:
        """The content type's parameters; changing the dict updates the header."""
        from microflask.http import dump_options_header, parse_options_header

        def write_back(params: t.Mapping[str, str]) -> None:
            self.headers["Content-Type"] = dump_options_header(self.mimetype or "", params)

        params = parse_options_header(self.content_type or "")[1]
        return CallbackDict(params, write_back)

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int, or None."""
        value = self.headers.get("Content-Length")
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self.headers.remove("Content-Length")
        else:
            self.headers["Content-Length"] = str(value)

    # Body

    @property
    def input_stream(self) -> t.IO[bytes] | None:
        """A raw body stream; setting it discards form and files."""
        return self._input_stream

    @input_stream.setter
    def input_stream(self, value: t.IO[bytes] | None) -> None:
        self._input_stream = value
        self._form = None
        self._files = None

    def _refuse_form_with_input_stream(self) -> None:
        if self._input_stream is not None:
            raise AttributeError("an input stream is defined")

    @property
    def form(self) -> MultiDict:
        """Form fields to send (urlencoded, or multipart when there are files)."""
        self._refuse_form_with_input_stream()
        if self._form is None:
            self._form = MultiDict()
        return self._form

    @form.setter
    def form(self, value: MultiDict) -> None:
        self._refuse_form_with_input_stream()
        self._form = value

    @property
    def files(self) -> FileMultiDict:
        """Files to upload, a FileMultiDict; any file makes the body multipart."""
        self._refuse_form_with_input_stream()
        if self._files is None:
            self._files = FileMultiDict()
        return self._files

    @files.setter
    def files(self, value: t.Any) -> None:
        self._refuse_form_with_input_stream()
        self._files = value

    # Query

    @property
    def query_string(self) -> str:
        """The query string; built from :attr:`args` when that was set."""
        if self._query_string is None:
            if self._args is not None:
                return _urlencode_form(self._args)
            return ""
        return self._query_string

    @query_string.setter
    def query_string(self, value: str | None) -> None:
        self._query_string = value
        self._args = None

    @property
    def args(self) -> MultiDict:
        """Query arguments as a MultiDict (not available when a query string was set)."""
        if self._query_string is not None:
            raise AttributeError("a query string is defined")
        if self._args is None:
            self._args = MultiDict()
        return self._args

    @args.setter
    def args(self, value: MultiDict | None) -> None:
        self._query_string = None
        self._args = value

    # Output

    def close(self) -> None:
        """Close the files added to the builder."""
        if self.closed:
            return
        files = self._files
        if files:
            for _key, storage in files.items(multi=True):
                try:
                    storage.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass
        self.closed = True

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def _body_stream_and_headers(self) -> tuple[t.IO[bytes], int | None, str | None]:
        content_type = self.content_type
        input_stream = self._input_stream
        if input_stream is not None:
            content_length = self.content_length
            if hasattr(input_stream, "seek") and hasattr(input_stream, "tell"):
                try:
                    start = input_stream.tell()
                    input_stream.seek(0, 2)
                    end = input_stream.tell()
                    input_stream.seek(start)
                    content_length = end - start
                except (OSError, ValueError):
                    pass
            return input_stream, content_length, content_type
        if content_type is None:
            return BytesIO(), self.content_length, None
        mimetype = content_type.split(";", 1)[0].strip().lower()
        if mimetype == "multipart/form-data":
            fields = list(self._form.items(multi=True)) if self._form else []
            if self._files:
                fields.extend(self._files.items(multi=True))
            stream, length, boundary = stream_encode_multipart(fields)
            return stream, length, f'{mimetype}; boundary="{boundary}"'
        if mimetype == "application/x-www-form-urlencoded":
            encoded = _urlencode_form(self._form or ()).encode("ascii")
            return BytesIO(encoded), len(encoded), content_type
        return BytesIO(), self.content_length, content_type

    def get_environ(self) -> dict[str, t.Any]:
        """Return a fresh WSGI environ for the request described so far."""
        input_stream, content_length, content_type = self._body_stream_and_headers()
        environ: dict[str, t.Any] = {}
        if self.environ_base:
            environ.update(self.environ_base)
        request_uri = _wsgi_str_from_text(self.request_uri)
        environ.update(
            {
                "REQUEST_METHOD": self.method,
                "SCRIPT_NAME": _wsgi_str_from_text(unquote(self.script_root)),
                "PATH_INFO": _wsgi_str_from_text(unquote(self.path)),
                "QUERY_STRING": _wsgi_str_from_text(self.query_string),
                "REQUEST_URI": request_uri,
                "RAW_URI": request_uri,
                "SERVER_NAME": self.server_name,
                "SERVER_PORT": str(self.server_port),
                "HTTP_HOST": self.host,
                "SERVER_PROTOCOL": self.server_protocol,
                "wsgi.version": self.wsgi_version,
                "wsgi.url_scheme": self.url_scheme,
                "wsgi.input": input_stream,
                "wsgi.errors": self.errors_stream,
                "wsgi.multithread": self.multithread,
                "wsgi.multiprocess": self.multiprocess,
                "wsgi.run_once": self.run_once,
            }
        )
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        if content_length is not None:
            environ["CONTENT_LENGTH"] = str(content_length)
        combined: dict[str, list[str]] = {}
        for key, value in self.headers.items():
            lowered = key.lower()
            if lowered == "content-type" or lowered == "content-length":
                continue
            if "\r" in value or "\n" in value:
                raise ValueError(f"Header values must not contain newlines: {key!r}")
            combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
        for key, values in combined.items():
            environ[key] = ", ".join(values)
        if self.environ_overrides:
            environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: type[Request] | None = None) -> Request:
        """Return a Request (``request_class`` unless ``cls``) for the environ."""
        if cls is None:
            cls = self.request_class
        return cls(self.get_environ())


def _authorization_header_value(auth: t.Any) -> str:
    """An ``Authorization`` value from ``(username, password)`` or an object with ``to_header``."""
    if isinstance(auth, tuple):
        if len(auth) != 2:
            raise TypeError("auth must be a (username, password) tuple")
        import base64

        credentials = f"{auth[0]}:{auth[1]}".encode()
        return "Basic " + base64.b64encode(credentials).decode("ascii")
    if hasattr(auth, "to_header"):
        return auth.to_header()
    return str(auth)


def create_environ(*args: t.Any, **kwargs: t.Any) -> dict[str, t.Any]:
    """Build a WSGI environ; takes the same arguments as :class:`EnvironBuilder`."""
    builder = EnvironBuilder(*args, **kwargs)
    try:
        return builder.get_environ()
    finally:
        builder.close()


# -- running an app ------------------------------------------------------------


def _environ_from_any(value: t.Any) -> dict[str, t.Any]:
    if isinstance(value, EnvironBuilder):
        return value.get_environ()
    if isinstance(value, Request):
        return value.environ
    return value


def run_wsgi_app(
    app: t.Callable[..., t.Iterable[bytes]],
    environ: t.Mapping[str, t.Any],
    buffered: bool = False,
) -> tuple[t.Iterable[bytes], str, Headers]:
    """Call a WSGI app and return ``(app_iter, status, headers)``.

    Unbuffered, the body is pulled only until ``start_response`` has been
    called, so streaming responses stay lazy; buffered, it is read whole and
    the app iterator closed.
    """
    environ = _environ_from_any(environ)
    started: list[t.Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list, exc_info: t.Any = None) -> t.Callable:
        if exc_info:
            try:
                raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        started[:] = [status, headers]
        return written.append

    app_result = app(environ, start_response)
    close = getattr(app_result, "close", None)
    app_iter: t.Any = iter(app_result)
    if buffered:
        try:
            app_iter = written + list(app_iter)
        finally:
            if close is not None:
                close()
    else:
        pulled = []
        while not started:
            try:
                pulled.append(next(app_iter))
            except StopIteration:
                break
        if written or pulled:
            app_iter = chain(written, pulled, app_iter)
        if close is not None and app_iter is not app_result:
            app_iter = ClosingIterator(app_iter, close)
    if not started:
        raise RuntimeError("The application did not call start_response.")
    status, headers = started
    return app_iter, status, Headers(headers)


# -- responses and cookies -----------------------------------------------------


class ClientRedirectError(Exception):
    """The test client was asked to follow a redirect loop."""


class TestResponse(Response):
    """A response returned by :class:`Client`: knows its request and history.

    ``request`` is the Request that was sent; ``history`` holds the earlier
    responses when redirects were followed.
    """

    __test__ = False  # not a pytest test class
    default_mimetype = None

    def __init__(
        self,
        response: t.Iterable[bytes],
        status: str,
        headers: Headers,
        request: Request,
        history: tuple[TestResponse, ...] = (),
        **kwargs: t.Any,
    ) -> None:
        super().__init__(response, status, headers, **kwargs)
        self.request = request
        self.history = history
        self._compat_tuple = response, status, headers

    @property
    def text(self) -> str:
        """The body decoded as text."""
        return self.get_data(as_text=True)


@dataclasses.dataclass
class Cookie:
    """A cookie the test client stored from a ``Set-Cookie`` header.

    ``key``/``value`` are the raw strings from the header; ``decoded_key``
    and ``decoded_value`` have quoting undone.  ``origin_only`` is true when
    no Domain attribute was sent (the cookie then goes to that host only).
    """

    key: str
    value: str
    decoded_key: str
    decoded_value: str
    expires: t.Any
    max_age: int | None
    domain: str
    origin_only: bool
    path: str
    secure: bool | None
    http_only: bool | None
    same_site: str | None
    # When the client stored it, so Max-Age can run out between requests.
    _created: float = dataclasses.field(default_factory=time, repr=False, compare=False)

    @classmethod
    def _from_response_header(cls, server_name: str, path: str, header: str) -> Cookie:
        from microflask.http import parse_cookie, parse_date

        pair, _, attributes = header.partition(";")
        key, _, value = pair.partition("=")
        key = key.strip()
        value = value.strip()
        if pair.isascii() and '"' not in pair and "\\" not in pair:
            decoded_key, decoded_value = key, value  # nothing to unquote
        else:
            decoded = parse_cookie(pair)
            decoded_key, decoded_value = next(iter(decoded.items()), (key, value))
        params: dict[str, str | None] = {}
        for item in attributes.split(";"):
            name, equals, param_value = item.partition("=")
            name = name.strip().lower()
            if name:
                params[name] = param_value.strip() if equals else None
        max_age: int | None = None
        if "max-age" in params:
            try:
                max_age = int(params["max-age"] or 0)
            except ValueError:
                max_age = None
        expires = parse_date(params["expires"]) if params.get("expires") else None
        domain = params.get("domain") or ""
        default_path = path.rpartition("/")[0] or "/"
        cookie_path = params.get("path") or ""
        if not cookie_path.startswith("/"):
            cookie_path = default_path
        return cls(
            key=key,
            value=value,
            decoded_key=decoded_key,
            decoded_value=decoded_value,
            expires=expires,
            max_age=max_age,
            domain=domain or server_name,
            origin_only="domain" not in params or not domain,
            path=cookie_path,
            secure="secure" in params,
            http_only="httponly" in params,
            same_site=params.get("samesite"),
        )

    @property
    def _storage_key(self) -> tuple[str, str, str]:
        return self.domain, self.path, self.decoded_key

    @property
    def _should_delete(self) -> bool:
        if self.max_age is not None:
            return self.max_age <= 0
        return self.expires is not None and self.expires.timestamp() <= time()

    def _is_expired(self, now: float) -> bool:
        if self.max_age is not None:
            return now >= self._created + self.max_age
        return self.expires is not None and self.expires.timestamp() <= now

    def _matches_request(self, server_name: str, path: str) -> bool:
        domain = self.domain.lstrip(".").lower()
        domain_matches = server_name == domain or (
            not self.origin_only
            and server_name.endswith(domain)
            and server_name[: -len(domain)].endswith(".")
        )
        if not domain_matches:
            return False
        cookie_path = self.path
        return path == cookie_path or (
            path.startswith(cookie_path)
            and (cookie_path.endswith("/") or path[len(cookie_path)] == "/")
        )

    def _to_request_header(self) -> str:
        return f"{self.key}={self.value}"


# -- the client -----------------------------------------------------------------

_REDIRECT_STATUS_CODES = frozenset({301, 302, 303, 305, 307, 308})


def _server_name_and_path(environ: t.Mapping[str, t.Any]) -> tuple[str, str]:
    """The host name (lowercase, no port) and full path a request was sent to."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "localhost"
    host = host.lower()
    if host.startswith("["):
        server_name = host.partition("]")[0] + "]"
    else:
        server_name = host.partition(":")[0]
    path = _text_from_wsgi_str(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    return server_name or "localhost", path or "/"


def _request_url(environ: t.Mapping[str, t.Any]) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "localhost"
    path = _text_from_wsgi_str(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    query = environ.get("QUERY_STRING")
    url = f"{scheme}://{host}{quote(path, safe='/:@!$&()*+,;=~')}"
    return f"{url}?{_text_from_wsgi_str(query)}" if query else url


class Client:
    """Send requests to a WSGI app without a server, like a small browser.

    Each method (``get``, ``post``, ...) takes :class:`EnvironBuilder`
    arguments and returns a :class:`TestResponse`.  Cookies set by the app
    are kept and sent back where Domain and Path match;
    ``follow_redirects=True`` follows redirects, recording ``history``.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        application: t.Callable[..., t.Iterable[bytes]],
        response_wrapper: type[Response] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
    ) -> None:
        self.application = application
        if response_wrapper is None or response_wrapper is Response:
            response_wrapper = TestResponse
        elif not issubclass(response_wrapper, TestResponse):
            response_wrapper = type(
                "WrapperTestResponse", (TestResponse, response_wrapper), {}
            )
        self.response_wrapper = t.cast("type[TestResponse]", response_wrapper)
        self._cookies: dict[tuple[str, str, str], Cookie] | None = {} if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.application!r}>"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: t.Any, exc_value: t.Any, tb: t.Any) -> None:
        return None

    # Cookies

    def _cookie_jar(self) -> dict[tuple[str, str, str], Cookie]:
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        return self._cookies

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Cookie | None:
        """Return the stored cookie with this key, domain and path, or None."""
        return self._cookie_jar().get((domain, path, key))

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        domain: str = "localhost",
        origin_only: bool = True,
        path: str = "/",
        **kwargs: t.Any,
    ) -> None:
        """Store a cookie as if the app had set it; other keywords as ``dump_cookie``."""
        from microflask.http import dump_cookie

        jar = self._cookie_jar()
        header = dump_cookie(key, value, domain=domain, path=path, **kwargs)
        cookie = Cookie._from_response_header(domain, "/", header)
        cookie.domain = domain
        cookie.origin_only = origin_only
        if cookie._should_delete:
            jar.pop(cookie._storage_key, None)
        else:
            jar[cookie._storage_key] = cookie

    def delete_cookie(self, key: str, *, domain: str = "localhost", path: str = "/") -> None:
        """Forget a stored cookie."""
        self._cookie_jar().pop((domain, path, key), None)

    def _add_cookies_to_wsgi(self, environ: dict[str, t.Any]) -> None:
        jar = self._cookies
        if jar is None:
            return
        server_name, path = _server_name_and_path(environ)
        now = time()
        expired = [key for key, cookie in jar.items() if cookie._is_expired(now)]
        for key in expired:
            del jar[key]
        # Longer paths first, as browsers send them (RFC 6265 section 5.4).
        matching = sorted(
            (c for c in jar.values() if c._matches_request(server_name, path)),
            key=lambda c: -len(c.path),
        )
        if matching:
            environ["HTTP_COOKIE"] = "; ".join(c._to_request_header() for c in matching)
        else:
            environ.pop("HTTP_COOKIE", None)

    def _update_cookies_from_response(
        self, server_name: str, path: str, headers: t.Iterable[str]
    ) -> None:
        jar = self._cookies
        if jar is None:
            return
        for header in headers:
            cookie = Cookie._from_response_header(server_name, path, header)
            if not cookie.key:
                continue  # a blank or nameless Set-Cookie is ignored, as browsers do
            if cookie._should_delete:
                jar.pop(cookie._storage_key, None)
            else:
                jar[cookie._storage_key] = cookie

    # Running

    def run_wsgi_app(
        self, environ: dict[str, t.Any], buffered: bool = False
    ) -> tuple[t.Iterable[bytes], str, Headers]:
        """Run the app with the client's cookies and store the cookies it sets."""
        self._add_cookies_to_wsgi(environ)
        # The app gets a copy: middleware that edits the environ in place must
        # not change the request recorded on the response (redirects reuse it).
        app_iter, status, headers = run_wsgi_app(
            self.application, dict(environ), buffered=buffered
        )
        if self._cookies is not None:
            server_name, path = _server_name_and_path(environ)
            self._update_cookies_from_response(server_name, path, headers.getlist("Set-Cookie"))
        return app_iter, status, headers

    def resolve_redirect(self, response: TestResponse, buffered: bool = False) -> TestResponse:
        """Send the request a redirect response points to."""
        request_environ = response.request.environ
        location = urljoin(_request_url(request_environ), response.headers["Location"])
        scheme, netloc, path, query, _fragment = urlsplit(location)
        builder = EnvironBuilder.from_environ(
            request_environ, path=path, query_string=query
        )
        to_name_parts = netloc.partition(":")[0].lower().split(".")
        from_name_parts = builder.server_name.lower().split(".")
        builder.url_scheme = scheme
        builder.host = netloc
        if to_name_parts != from_name_parts:
            if to_name_parts[-len(from_name_parts):] == from_name_parts:
                if not self.allow_subdomain_redirects:
                    raise RuntimeError("Following subdomain redirects is not enabled.")
            else:
                raise RuntimeError("Following external redirects is not supported.")

        unquoted_path = unquote(path)
        script_root = builder.script_root
        if script_root and (
            unquoted_path == script_root or unquoted_path.startswith(script_root + "/")
        ):
            builder.path = quote(unquoted_path[len(script_root):] or "/")
        else:
            builder.path = path
            builder.script_root = ""

        if response.status_code not in (307, 308):
            if builder.method != "HEAD":
                builder.method = "GET"
            stream = builder.input_stream
            if stream is not None:
                stream.close()
                builder.input_stream = None
            builder.content_type = None
            builder.content_length = None
            builder.headers.remove("Transfer-Encoding")
        else:
            stream = builder.input_stream
            if stream is not None and hasattr(stream, "seek"):
                stream.seek(0)
        return self.open(builder, buffered=buffered)

    def open(
        self,
        *args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        """Send a request; takes EnvironBuilder arguments, a builder, an environ or a Request."""
        request: Request | None = None
        if not kwargs and len(args) == 1:
            arg = args[0]
            if isinstance(arg, EnvironBuilder):
                request = arg.get_request()
            elif isinstance(arg, dict):
                request = EnvironBuilder.from_environ(arg).get_request()
            elif isinstance(arg, Request):
                request = arg
        if request is None:
            builder = EnvironBuilder(*args, **kwargs)
            try:
                request = builder.get_request()
            finally:
                builder.close()

        app_iter, status, headers = self.run_wsgi_app(request.environ, buffered=buffered)
        response = self.response_wrapper(app_iter, status, headers, request=request)
        if not follow_redirects:
            return response

        seen: set[tuple[str, int]] = set()
        history: list[TestResponse] = []
        while response.status_code in _REDIRECT_STATUS_CODES and "Location" in response.headers:
            if not buffered:
                # Drain the body so streaming middleware can clean up.
                response.get_data()
                response.close()
            location = response.headers["Location"]
            entry = (location, response.status_code)
            if entry in seen:
                raise ClientRedirectError(
                    f"Loop detected: A {response.status_code} redirect"
                    f" to {location} was already made."
                )
            seen.add(entry)
            response.history = tuple(history)
            history.append(response)
            response = self.resolve_redirect(response, buffered=buffered)
        response.history = tuple(history)
        return response

    def get(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a GET request."""
        kw["method"] = "GET"
        return self.open(*args, **kw)

    def post(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a POST request."""
        kw["method"] = "POST"
        return self.open(*args, **kw)

    def put(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a PUT request."""
        kw["method"] = "PUT"
        return self.open(*args, **kw)

    def delete(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a DELETE request."""
        kw["method"] = "DELETE"
        return self.open(*args, **kw)

    def patch(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a PATCH request."""
        kw["method"] = "PATCH"
        return self.open(*args, **kw)

    def options(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send an OPTIONS request."""
        kw["method"] = "OPTIONS"
        return self.open(*args, **kw)

    def head(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a HEAD request."""
        kw["method"] = "HEAD"
        return self.open(*args, **kw)

    def trace(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a TRACE request."""
        kw["method"] = "TRACE"
        return self.open(*args, **kw)


# -- Flask's side: the app-aware builder and client (flask.testing) ------------


def _looks_like_flask_app(value: t.Any) -> bool:
    return hasattr(value, "url_map") and hasattr(value, "config") and hasattr(value, "wsgi_app")


def app_base_url(
    app: Flask, path: str, subdomain: str | None = None, url_scheme: str | None = None
) -> tuple[str, str]:
    """``(base_url, path)`` for a test request to ``app``, as Flask's test builder makes them."""
    http_host = app.config.get("SERVER_NAME") or "localhost"
    app_root = app.config["APPLICATION_ROOT"]
    if subdomain:
        http_host = "%s.%s" % (subdomain, http_host)
    if url_scheme is None:
        url_scheme = app.config["PREFERRED_URL_SCHEME"]
    url = urlsplit(path)
    base_url = "%s://%s/%s" % (
        url.scheme or url_scheme,
        url.netloc or http_host,
        app_root.lstrip("/"),
    )
    path = url.path
    if url.query:
        path = "%s?%s" % (path, url.query)
    return base_url, path


class AppEnvironBuilder(EnvironBuilder):
    """An environ builder whose defaults come from an app's configuration."""

    def __init__(
        self,
        app: Flask,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        *args: t.Any,
        **kwargs: t.Any,
    ) -> None:
        if base_url is not None and (subdomain or url_scheme):
            raise AssertionError('Cannot pass "subdomain" or "url_scheme" with "base_url".')
        if base_url is None:
            base_url, path = app_base_url(app, path, subdomain, url_scheme)
        self.app = app
        super().__init__(path, base_url, *args, **kwargs)

    def json_dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return self.app.json.dumps(obj, **kwargs)


class FlaskClient(Client):
    """The test client ``app.test_client()`` returns."""

    application: Flask

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.preserve_context = False
        self._new_contexts: list[t.ContextManager[t.Any]] = []
        self._context_stack = ExitStack()
        self.environ_base = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "microflask-test-client",
        }

    @contextmanager
    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.Iterator[t.Any]:
        """Open the client's session for the test to read or change; saved on exit.

        Takes the same arguments as ``app.test_request_context``.
        """
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        app = self.application
        ctx = app.test_request_context(*args, **kwargs)
        self._add_cookies_to_wsgi(ctx.request.environ)
        with ctx:
            sess = app.session_interface.open_session(app, ctx.request)
        if sess is None:
            raise RuntimeError("Session backend did not open a session.")
        yield sess
        response = app.response_class()
        if app.session_interface.is_null_session(sess):
            return
        with ctx:
            app.session_interface.save_session(app, sess, response)
        self._update_cookies_from_response(
            ctx.request.host.partition(":")[0],
            ctx.request.path,
            response.headers.getlist("Set-Cookie"),
        )

    def _copy_environ(self, other: dict[str, t.Any]) -> dict[str, t.Any]:
        out = {**self.environ_base, **other}
        if self.preserve_context:
            out["werkzeug.debug.preserve_context"] = self._new_contexts.append
        return out

    def _request_from_builder_args(self, args: tuple, kwargs: dict[str, t.Any]) -> Request:
        kwargs["environ_base"] = self._copy_environ(kwargs.get("environ_base", {}))
        builder = AppEnvironBuilder(self.application, *args, **kwargs)
        try:
            return builder.get_request()
        finally:
            builder.close()

    def open(
        self,
        *args: t.Any,
        buffered: bool = False,
        follow_redirects: bool = False,
        **kwargs: t.Any,
    ) -> TestResponse:
        if args and isinstance(args[0], (EnvironBuilder, dict, Request)):
            first = args[0]
            if isinstance(first, EnvironBuilder):
                builder = copy(first)
                builder.environ_base = self._copy_environ(builder.environ_base or {})
                request = builder.get_request()
            elif isinstance(first, dict):
                request = EnvironBuilder.from_environ(
                    first, environ_base=self._copy_environ({})
                ).get_request()
            else:
                request = copy(first)
                request.environ = self._copy_environ(request.environ)
        else:
            request = self._request_from_builder_args(args, kwargs)

        # Contexts kept from the previous request end when a new one starts.
        self._context_stack.close()
        response = super().open(request, buffered=buffered, follow_redirects=follow_redirects)
        response.json_module = self.application.json  # type: ignore[attr-defined]
        # Re-enter in the order the requests kept them, so after redirects the
        # last request's context is the current one.
        for context in self._new_contexts:
            self._context_stack.enter_context(context)
        self._new_contexts.clear()
        return response

    def __enter__(self) -> FlaskClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, exc_type: t.Any, exc_value: t.Any, tb: t.Any) -> None:
        self.preserve_context = False
        self._context_stack.close()


def __getattr__(name: str) -> t.Any:
    # The CLI runner lives with the CLI, which this module should not import eagerly.
    if name == "FlaskCliRunner":
        from microflask.cli import FlaskCliRunner

        return FlaskCliRunner
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
