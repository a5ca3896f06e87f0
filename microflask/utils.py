"""Small WSGI helpers: redirects, file sending, safe file names, imports.

This module plays the role of Werkzeug's ``werkzeug.utils``: ``redirect``,
``send_file``, ``send_from_directory``, ``secure_filename``,
``cached_property``, ``environ_property``/``header_property``,
``import_string`` and friends.  Anything that builds a ``Response`` imports
``microflask.wrappers`` inside the function (wrappers sit one layer up).
"""

from __future__ import annotations

import io
import os
import re
import sys
import typing as t
from time import time
from urllib.parse import quote

from microflask.markup import escape

__all__ = [
    "ImportStringError",
    "FileWrapper",
    "append_slash_redirect",
    "cached_property",
    "environ_property",
    "find_modules",
    "get_content_type",
    "header_property",
    "import_string",
    "redirect",
    "secure_filename",
    "send_file",
    "send_from_directory",
    "wrap_file",
]

if t.TYPE_CHECKING:  # pragma: no cover
    from microflask.wrappers import Response

_T = t.TypeVar("_T")
_cached_property_missing = object()


# -- descriptors ------------------------------------------------------------


class cached_property(t.Generic[_T]):
    """A property computed once per instance, then served from ``__dict__``.

    It defines no ``__set__``, so after the first access the instance
    attribute shadows the descriptor and reads cost a plain dict look-up.
    Assigning sets the cached value; ``del`` forgets it so the next read
    computes again.  A class with ``__slots__`` and no ``__dict__`` must
    declare a slot named ``_cache_<name>`` to hold the value.
    """

    def __init__(
        self,
        fget: t.Callable[[t.Any], _T],
        name: str | None = None,
        doc: str | None = None,
    ) -> None:
        self.fget = fget
        self.__name__ = name or fget.__name__
        self.__doc__ = doc or fget.__doc__
        self.__module__ = fget.__module__

    def __set_name__(self, owner: type, name: str) -> None:
        if self.__name__ == self.fget.__name__:
            self.__name__ = name

    @property
    def slot_name(self) -> str:
        """The slot a class with ``__slots__`` must declare to cache this value."""
        return f"_cache_{self.__name__}"

    def __get__(self, obj: t.Any, owner: type | None = None) -> t.Any:
        if obj is None:
            return self
        instance_dict = getattr(obj, "__dict__", None)
        if instance_dict is None:
            return self._get_from_slot(obj)
        value = instance_dict.get(self.__name__, _cached_property_missing)
        if value is _cached_property_missing:
            value = self.fget(obj)
            instance_dict[self.__name__] = value
        return value

    def _get_from_slot(self, obj: t.Any) -> t.Any:
        slot_name = self.slot_name
        value = getattr(obj, slot_name, _cached_property_missing)
        if value is _cached_property_missing:
            value = self.fget(obj)
            setattr(obj, slot_name, value)
        return value


class _DictAccessorProperty(t.Generic[_T]):
    """A property that reads and writes one key of a dict on the instance."""

    read_only = False

    def __init__(
        self,
        name: str,
        default: _T | None = None,
        load_func: t.Callable[[str], _T] | None = None,
        dump_func: t.Callable[[_T], str] | None = None,
        read_only: bool | None = None,
        doc: str | None = None,
    ) -> None:
        self.name = name
        self.default = default
        self.load_func = load_func
        self.dump_func = dump_func
        if read_only is not None:
            self.read_only = read_only
        self.__doc__ = doc

    def lookup(self, instance: t.Any) -> t.MutableMapping[str, t.Any]:
        raise NotImplementedError

    def __get__(self, instance: t.Any, owner: type | None = None) -> t.Any:
        if instance is None:
            return self
        storage = self.lookup(instance)
        if self.name not in storage:
            return self.default
        value = storage[self.name]
        if self.load_func is not None:
            try:
                return self.load_func(value)
            except (ValueError, TypeError):
                return self.default
        return value

    def __set__(self, instance: t.Any, value: t.Any) -> None:
        if self.read_only:
            raise AttributeError("read only property")
        if self.dump_func is not None:
            value = self.dump_func(value)
        self.lookup(instance)[self.name] = value

    def __delete__(self, instance: t.Any) -> None:
        if self.read_only:
            raise AttributeError("read only property")
        self.lookup(instance).pop(self.name, None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class environ_property(_DictAccessorProperty[_T]):
    """A read-only view of one key of ``self.environ`` (a WSGI environ)."""

    read_only = True

    def lookup(self, instance: t.Any) -> t.MutableMapping[str, t.Any]:
        return instance.environ


class header_property(_DictAccessorProperty[_T]):
    """A read-write view of one header in ``self.headers``."""

    def lookup(self, instance: t.Any) -> t.MutableMapping[str, t.Any]:
        return instance.headers


def _keeps_methods_of(cls: type, base: type, names: t.Iterable[str]) -> bool:
    """Whether ``cls`` overrides none of ``base``'s attributes ``names``: what
    a class flag of a fast path asks (the steps it skips are ``base``'s own)."""
    return all(getattr(cls, name) is getattr(base, name) for name in names)


# -- content types and file names ------------------------------------------

_charset_application_types = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/sql",
        "application/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
    }
)


def get_content_type(mimetype: str, charset: str) -> str:
    """Append ``; charset=...`` to text-like mimetypes, return others as they are."""
    if (
        mimetype.startswith("text/")
        or mimetype in _charset_application_types
        or mimetype.endswith("+xml")
    ):
        return f"{mimetype}; charset={charset}"
    return mimetype


_filename_unsafe_chars_re = re.compile(r"[^A-Za-z0-9_.-]")
_windows_device_names = frozenset(
    ("CON", "PRN", "AUX", "NUL")
    + tuple(f"COM{i}" for i in range(10))
    + tuple(f"LPT{i}" for i in range(10))
)


def secure_filename(filename: str) -> str:
    """Return a flat ASCII file name that is safe to join to a directory.

    Accents are stripped, path separators and whitespace become ``_``, any
    other character outside ``[A-Za-z0-9_.-]`` is dropped, leading and
    trailing dots and underscores go.  The result may be empty; callers
    must supply a name of their own then.  On Windows, device names such as
    ``NUL`` get a leading underscore.
    """
    import unicodedata  # rarely needed: loaded on first use, not at import

    filename = unicodedata.normalize("NFKD", filename)
    filename = filename.encode("ascii", "ignore").decode("ascii")
    for separator in (os.sep, os.path.altsep):
        if separator:
            filename = filename.replace(separator, " ")
    filename = _filename_unsafe_chars_re.sub("", "_".join(filename.split())).strip("._")
    if (
        os.name == "nt"
        and filename
        and filename.split(".")[0].upper() in _windows_device_names
    ):
        filename = f"_{filename}"
    return filename


# -- imports -----------------------------------------------------------------


class ImportStringError(ImportError):
    """``import_string`` could not find the module or object it was given."""

    import_name: str
    exception: BaseException

    def __init__(self, import_name: str, exception: BaseException) -> None:
        self.import_name = import_name
        self.exception = exception
        dotted = import_name.replace(":", ".")
        steps = []
        parts = dotted.split(".")
        for index in range(1, len(parts) + 1):
            name = ".".join(parts[:index])
            module = sys.modules.get(name)
            if module is None:
                steps.append(f"- {name!r} not found.")
                break
            location = getattr(module, "__file__", None) or "(built-in)"
            steps.append(f"- {name!r} found in {location!r}.")
        message = (
            f"import_string() failed for {import_name!r}. Possible reasons are:\n\n"
            "- missing __init__.py in a package;\n"
            "- package or module path not included in sys.path;\n"
            "- duplicated package or module name taking precedence in sys.path;\n"
            "- missing module, class, function or variable;\n\n"
            "Debugged import:\n\n" + "\n".join(steps) + "\n\n"
            f"Original exception:\n\n{type(exception).__name__}: {exception}"
        )
        super().__init__(message)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.import_name!r}, {self.exception!r})>"


def import_string(import_name: str, silent: bool = False) -> t.Any:
    """Import a module or an object named by a dotted path.

    Both ``package.module.obj`` and ``package.module:obj`` work.  With
    ``silent=True`` a failed import returns ``None`` instead of raising
    :class:`ImportStringError`.
    """
    dotted = import_name.replace(":", ".")
    try:
        try:
            __import__(dotted)
        except ImportError:
            if "." not in dotted:
                raise
        else:
            return sys.modules[dotted]
        module_name, _, attribute = dotted.rpartition(".")
        module = __import__(module_name, globals(), locals(), [attribute])
        try:
            return getattr(module, attribute)
        except AttributeError as error:
            raise ImportError(error) from None
    except ImportError as error:
        if not silent:
            raise ImportStringError(import_name, error).with_traceback(
                sys.exc_info()[2]
            ) from None
    return None


def find_modules(
    import_path: str, include_packages: bool = False, recursive: bool = False
) -> t.Iterator[str]:
    """Yield the dotted names of the modules inside a package."""
    import pkgutil

    package = import_string(import_path)
    search_path = getattr(package, "__path__", None)
    if search_path is None:
        raise ValueError(f"{import_path!r} is not a package")
    prefix = f"{package.__name__}."
    for _finder, module_name, is_package in pkgutil.iter_modules(search_path, prefix):
        if is_package:
            if include_packages:
                yield module_name
            if recursive:
                yield from find_modules(module_name, include_packages, True)
        else:
            yield module_name


# -- redirects ---------------------------------------------------------------


def redirect_response(
    location: str, code: int = 302, Response: type[Response] | None = None
) -> Response:
    """Return a response that sends the client to ``location``.

    The body is a short HTML page linking to the target, for clients that do
    not follow redirects; the location is HTML-escaped there and sent as is
    in the ``Location`` header.
    """
    if Response is None:
        from microflask.wrappers import Response
    html_location = escape(location)
    body = (
        "<!doctype html>\n"
        "<html lang=en>\n"
        "<title>Redirecting...</title>\n"
        "<h1>Redirecting...</h1>\n"
        "<p>You should be redirected automatically to the target URL: "
        f'<a href="{html_location}">{html_location}</a>. If not, click the link.\n'
    )
    response = Response(body, code, mimetype="text/html")
    response.headers["Location"] = location
    return response


# Flask's helpers define functions with these public names too; the single-file
# bundle needs one definition per name, so the peer names are aliases here.
redirect = redirect_response


def append_slash_redirect(environ: t.Mapping[str, t.Any], code: int = 308) -> Response:
    """Redirect to the same path with a trailing slash, keeping the query.

    The location is relative (``name/``) so it stays correct behind a proxy
    that mounts the app under a prefix.
    """
    tail = environ["PATH_INFO"].rpartition("/")[2]
    new_path = f"{tail}/" if tail else "./"
    query_string = environ.get("QUERY_STRING")
    if query_string:
        new_path = f"{new_path}?{query_string}"
    return redirect_response(new_path, code)


# -- sending files -----------------------------------------------------------

_FILE_CHUNK_SIZE = 8192


class FileWrapper:
    """Iterate over a binary file in blocks, closing it when done.

    Pass either an open file or a path; a path is opened on first use, so a
    response that is never sent (HEAD, 304) never opens the file.  The
    ``seek``/``tell`` methods let range requests skip to an offset.
    """

    def __init__(self, file: t.Any, buffer_size: int = _FILE_CHUNK_SIZE) -> None:
        if isinstance(file, (str, bytes, os.PathLike)):
            self._path: t.Any = file
            self.file: t.Any = None
        else:
            self._path = None
            self.file = file
        self.buffer_size = buffer_size
        self._closed = False

    def _open_file(self) -> t.Any:
        file = self.file
        if file is None:
            if self._closed:
                raise ValueError("I/O operation on closed file wrapper.")
            file = self.file = open(self._path, "rb")  # noqa: SIM115 - closed by close()
        return file

    def close(self) -> None:
        self._closed = True
        if self.file is not None and hasattr(self.file, "close"):
            self.file.close()

    def seekable(self) -> bool:
        file = self._open_file()
        if hasattr(file, "seekable"):
            return bool(file.seekable())
        return hasattr(file, "seek")

    def seek(self, *args: t.Any) -> t.Any:
        return self._open_file().seek(*args)

    def tell(self) -> t.Any:
        return self._open_file().tell()

    def read(self, size: int = -1) -> bytes:
        return self._open_file().read(size)

    def __iter__(self) -> FileWrapper:
        return self

    def __next__(self) -> bytes:
        data = self._open_file().read(self.buffer_size)
        if data:
            return data
        raise StopIteration()


def wrap_file(
    environ: t.Mapping[str, t.Any], file: t.Any, buffer_size: int = _FILE_CHUNK_SIZE
) -> t.Iterable[bytes]:
    """Hand a file to the server's ``wsgi.file_wrapper``, or to :class:`FileWrapper`."""
    server_wrapper = environ.get("wsgi.file_wrapper")
    if server_wrapper is None:
        return FileWrapper(file, buffer_size)
    if not hasattr(file, "read"):
        file = open(file, "rb")  # noqa: SIM115 - the server wrapper closes it
    return server_wrapper(file, buffer_size)


_token_re = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _quote_disposition_value(value: str) -> str:
    """Return a Content-Disposition parameter value, quoted when it must be."""
    if value and _token_re.fullmatch(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _content_disposition(download_name: str, as_attachment: bool) -> str:
    """Build Content-Disposition with an ASCII name and, if needed, RFC 5987 UTF-8."""
    kind = "attachment" if as_attachment else "inline"
    if "\r" in download_name or "\n" in download_name:
        raise ValueError("A download name may not contain CR or LF characters.")
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        import unicodedata

        ascii_name = unicodedata.normalize("NFKD", download_name)
        ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii")
        utf8_name = quote(download_name, safe="!#$&+^`|~")
        return (
            f"{kind}; filename={_quote_disposition_value(ascii_name)}; "
            f"filename*=UTF-8''{utf8_name}"
        )
    return f"{kind}; filename={_quote_disposition_value(download_name)}"


def send_file_response(
    path_or_file: os.PathLike[str] | str | t.IO[bytes],
    environ: t.Mapping[str, t.Any],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: t.Any = None,
    max_age: None | int | t.Callable[[str | None], int | None] = None,
    use_x_sendfile: bool = False,
    response_class: type[Response] | None = None,
    _root_path: os.PathLike[str] | str | None = None,
) -> Response:
    """Send a file, by path or as a binary file object, as a response.

    The mimetype is guessed from ``download_name`` (or the path) when not
    given.  ``as_attachment`` asks the browser to save instead of show.
    With ``conditional`` the response answers ``If-None-Match`` /
    ``If-Modified-Since`` with 304 and ``Range`` with 206.  A path gets an
    ETag built from its modification time, size and name; a file object gets
    one only when ``etag`` is a string.  ``max_age`` (seconds, or a function
    of the path) makes the response publicly cacheable.  Never pass a path
    that came from the client: use :func:`send_from_directory`.
    """
    from microflask.http import http_date, quote_etag

    if response_class is None:
        from microflask.wrappers import Response as response_class
    path: str | None = None
    file: t.Any = None
    size: int | None = None
    mtime: float | None = None
    content_encoding: str | None = None

    if isinstance(path_or_file, (os.PathLike, str)):
        path = os.fspath(path_or_file)
        if _root_path is not None:
            path = os.path.join(os.fspath(_root_path), path)
        stat = os.stat(path)
        size = stat.st_size
        mtime = stat.st_mtime
        if download_name is None:
            download_name = os.path.basename(path)
    else:
        file = path_or_file

    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "Unable to detect the MIME type because a file name is not"
                " available. Either set 'download_name', pass a path instead"
                " of a file, or set 'mimetype'."
            )
        import mimetypes

        mimetype, guessed_encoding = mimetypes.guess_type(download_name)
        if mimetype is None:
            mimetype = "application/octet-stream"
        # A ``.svgz`` shown inline is gzip the browser must undo; a download is kept as is.
        if guessed_encoding is not None and not as_attachment:
            content_encoding = guessed_encoding

    headers: list[tuple[str, str]] = []
    if download_name is None:
        if as_attachment:
            raise TypeError(
                "No name provided for attachment. Either set 'download_name' or"
                " pass a path instead of a file."
            )
    else:
        headers.append(("Content-Disposition", _content_disposition(download_name, as_attachment)))
    if content_encoding is not None:
        headers.append(("Content-Encoding", content_encoding))

    if use_x_sendfile and path is not None:
        headers.append(("X-Sendfile", path))
        data: t.Any = None
    else:
        if file is None:
            data = wrap_file(environ, path)
        else:
            if isinstance(file, io.TextIOBase):
                raise ValueError("Files must be opened in binary mode or use BytesIO.")
            if isinstance(file, io.BytesIO):
                size = file.getbuffer().nbytes
            data = wrap_file(environ, file)

    response = response_class(data, mimetype=mimetype, headers=headers, direct_passthrough=True)
    response_headers = response.headers
    if size is not None:
        response_headers["Content-Length"] = str(size)
    if last_modified is None:
        last_modified = mtime
    if last_modified is not None:
        response_headers["Last-Modified"] = http_date(last_modified)

    if callable(max_age):
        max_age = max_age(path)
    if max_age is None:
        response_headers["Cache-Control"] = "no-cache"
    else:
        max_age = int(max_age)
        if max_age > 0:
            response_headers["Cache-Control"] = f"public, max-age={max_age}"
        else:
            response_headers["Cache-Control"] = f"no-cache, max-age={max_age}"
        response_headers["Expires"] = http_date(int(time() + max_age))

    if isinstance(etag, str):
        response_headers["ETag"] = quote_etag(etag)
    elif etag and path is not None:
        from zlib import adler32

        name_check = adler32(path.encode()) & 0xFFFFFFFF
        response_headers["ETag"] = quote_etag(f"{mtime}-{size}-{name_check}")

    if conditional:
        from microflask.exceptions import RequestedRangeNotSatisfiable

        try:
            response = response.make_conditional(
                environ, accept_ranges=True, complete_length=size
            )
        except RequestedRangeNotSatisfiable:
            if data is not None and hasattr(data, "close"):
                data.close()
            raise
        if response.status_code == 304:
            response.headers.pop("X-Sendfile", None)
    return response


def send_file_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    environ: t.Mapping[str, t.Any],
    **kwargs: t.Any,
) -> Response:
    """Send a file from inside ``directory``; the path may come from the client.

    :func:`microflask.security.safe_join` refuses anything that would leave
    the directory; that, a missing file or a non-file raises
    :class:`~microflask.exceptions.NotFound`.
    """
    from microflask.exceptions import NotFound
    from microflask.security import safe_join

    joined = safe_join(os.fspath(directory), os.fspath(path))
    if joined is None:
        raise NotFound()
    if "_root_path" in kwargs:
        root = os.fspath(kwargs["_root_path"])
        full_path = os.path.join(root, joined)
    else:
        full_path = joined
    if not os.path.isfile(full_path):
        raise NotFound()
    return send_file_response(joined, environ, **kwargs)


send_file = send_file_response
send_from_directory = send_file_from_directory
