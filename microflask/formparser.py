"""Request body parsing: urlencoded forms and streaming multipart/form-data.

Werkzeug calls this ``werkzeug.formparser`` (``parse_form_data``,
``FormDataParser``, ``MultiPartParser``, ``default_stream_factory``).  The
multipart parser reads the body in fixed-size chunks and never holds the
whole body in memory: the sans-IO decoder of :mod:`microflask.sansio.multipart`
(re-exported here, as Werkzeug does) turns the chunks into events, file parts
go to a stream factory, text fields are kept in memory up to
``max_form_memory_size``.  The helpers that limit the WSGI input to its
Content-Length (Werkzeug's ``wsgi.get_input_stream`` and ``wsgi.LimitedStream``)
live here too, because the form parser and the request both need them;
:mod:`microflask.wsgi` re-exports them.
"""

from __future__ import annotations

import codecs
import io
import sys
import typing as t
from urllib.parse import unquote

from microflask.datastructures import FileStorage, MultiDict
from microflask.exceptions import ClientDisconnected, RequestEntityTooLarge
from microflask.http import parse_options_header
from microflask.sansio.multipart import (
    NEED_DATA,
    Data,
    Epilogue,
    Field,
    File,
    MultipartDecoder,
    MultipartEncoder,
    MultipartState,
    NeedData,
    Preamble,
)

__all__ = [
    "Data",
    "Epilogue",
    "Field",
    "File",
    "FormDataParser",
    "LimitedStream",
    "MultipartDecoder",
    "MultipartEncoder",
    "MultiPartParser",
    "NeedData",
    "Preamble",
    "default_stream_factory",
    "parse_form_data",
]

# Bytes that are not valid UTF-8 inside a percent-encoded query or form value
# are put back in their ``%XX`` form instead of becoming U+FFFD, so nothing
# the client sent is silently lost (Werkzeug does the same).


def _requote_undecodable_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join("%%%02X" % byte for byte in bad), error.end


codecs.register_error("microflask.url_quote", _requote_undecodable_bytes)


def _decode_urlencoded_pairs(text: str) -> list[tuple[str, str]]:
    """Split ``a=1&b=2`` into pairs; ``+`` is a space, blank values kept."""
    pairs = []
    append = pairs.append
    for item in text.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, "utf-8", "microflask.url_quote")
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, "utf-8", "microflask.url_quote")
        append((name, value))
    return pairs


# --- the WSGI input, limited to what the client announced ------------------


def _content_length_from_environ(environ: t.Mapping[str, t.Any]) -> int | None:
    """The body length the client announced, or None for chunked/unknown."""
    if environ.get("HTTP_TRANSFER_ENCODING", "") == "chunked":
        return None
    value = environ.get("CONTENT_LENGTH")
    if value is None:
        return None
    if type(value) is str and value.isdigit() and value.isascii():
        return int(value)
    # ``int()`` would also take "+1", "1_0" and non-ASCII digits: those, like
    # anything else that is not plain digits, count as no body.
    value = str(value).strip()
    if value.isdigit() and value.isascii():
        return int(value)
    return 0


_LIMITED_STREAM_CHUNK = 64 * 1024


class LimitedStream(io.RawIOBase):
    """Read at most ``limit`` bytes from ``stream``.

    A stream that ends (or closes) before the limit means the client went
    away: :meth:`on_disconnect` raises ``ClientDisconnected``.  Reading once
    the limit is reached calls :meth:`on_exhausted`, which returns nothing,
    unless ``is_max`` says the limit is a ceiling and more data follows
    (``RequestEntityTooLarge``).
    """

    def __init__(self, stream: t.Any, limit: int, is_max: bool = False) -> None:
        self._stream = stream
        self._pos = 0
        self.limit = limit
        self._limit_is_max = is_max

    @property
    def is_exhausted(self) -> bool:
        """True once ``limit`` bytes have been read."""
        return self._pos >= self.limit

    def on_exhausted(self) -> None:
        """Called on a read after the limit; a ceiling with more data is a 413."""
        if self._limit_is_max and self._stream.read(1):
            raise RequestEntityTooLarge()

    def on_disconnect(self, error: Exception | None = None) -> None:
        """Called when the input ends early or fails: raises ``ClientDisconnected``."""
        raise ClientDisconnected()

    def exhaust(self) -> None:
        """Read and drop what is left up to the limit."""
        while not self.is_exhausted:
            if not self.read(_LIMITED_STREAM_CHUNK):
                break

    def readable(self) -> bool:
        return True

    def _read_upstream(self, size: int) -> bytes:
        try:
            data = self._stream.read(size)
        except (OSError, ValueError) as error:
            self.on_disconnect(error)
            return b""
        if not data and size:
            if self._limit_is_max:
                # A terminated stream shorter than the ceiling simply ended.
                self.limit = self._pos
                return b""
            self.on_disconnect()
            return b""
        self._pos += len(data)
        if self._limit_is_max and self._pos >= self.limit:
            # Reached the ceiling: one more byte from the client is too much.
            self.on_exhausted()
        return data  # type: ignore[no-any-return]

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if self.is_exhausted:
            self.on_exhausted()
            return b""
        if size == 0:
            return b""
        return self._read_upstream(min(size, self.limit - self._pos))

    def readall(self) -> bytes:
        if self.is_exhausted:
            self.on_exhausted()
            return b""
        chunks = []
        while not self.is_exhausted:
            data = self._read_upstream(min(_LIMITED_STREAM_CHUNK, self.limit - self._pos))
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)

    def readinto(self, buffer: t.Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        if self.is_exhausted:
            self.on_exhausted()
            return b""
        remaining = self.limit - self._pos
        if size is None or size < 0 or size > remaining:
            size = remaining
        read_line = getattr(self._stream, "readline", None)
        if read_line is None:
            return super().readline(size)
        try:
            line = read_line(size)
        except (OSError, ValueError) as error:
            self.on_disconnect(error)
            return b""
        if not line and size:
            if not self._limit_is_max:
                self.on_disconnect()
            return b""
        self._pos += len(line)
        return line  # type: ignore[no-any-return]

    def tell(self) -> int:
        return self._pos


def _get_input_stream_for_environ(
    environ: t.Mapping[str, t.Any], max_content_length: int | None = None
) -> t.Any:
    """The request body stream, never readable past its end (``get_input_stream``)."""
    stream = environ.get("wsgi.input")
    if stream is None:  # a broken server or hand-made environ: no body
        return io.BytesIO()
    content_length = _content_length_from_environ(environ)
    if (
        content_length is not None
        and max_content_length is not None
        and content_length > max_content_length
    ):
        raise RequestEntityTooLarge()
    if environ.get("wsgi.input_terminated"):
        if max_content_length is not None:
            return LimitedStream(stream, max_content_length, is_max=True)
        return stream
    if content_length is None:
        # Chunked or unannounced body on a server that does not terminate the
        # input: reading it could block forever, so it counts as empty.
        return io.BytesIO()
    return LimitedStream(stream, content_length)


# --- where uploaded files go ------------------------------------------------

_IN_MEMORY_UPLOAD_LIMIT = 1024 * 500


def default_stream_factory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> t.IO[bytes]:
    """A writable binary file for one upload: memory first, a temp file past 500 KB."""
    if total_content_length is not None and total_content_length <= _IN_MEMORY_UPLOAD_LIMIT:
        return io.BytesIO()
    import tempfile

    # ``formparser.SpooledTemporaryFile = None`` (as with Werkzeug) means a
    # plain temporary file, for platforms where spooling misbehaves.
    module = sys.modules.get(__name__)
    if module is not None and vars(module).get("SpooledTemporaryFile", True) is None:
        return t.cast(t.IO[bytes], tempfile.TemporaryFile("rb+"))
    return t.cast(
        t.IO[bytes],
        tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_UPLOAD_LIMIT, mode="rb+"),
    )


# --- multipart/form-data ----------------------------------------------------


class MultiPartParser:
    """Reads a ``multipart/form-data`` body from a stream into ``(form, files)``.

    The body is read ``buffer_size`` bytes at a time and fed to a
    :class:`~microflask.sansio.multipart.MultipartDecoder`, which does all
    the parsing and enforces the limits; this class only turns its events
    into values: a text field's bytes are kept in memory and decoded at its
    end, a file's bytes are written to the stream factory as they arrive.
    """

    def __init__(
        self,
        stream_factory: t.Callable[..., t.IO[bytes]] | None = None,
        max_form_memory_size: int | None = None,
        cls: type[MultiDict] | None = None,
        buffer_size: int = 64 * 1024,
        max_form_parts: int | None = None,
    ) -> None:
        self.stream_factory = default_stream_factory if stream_factory is None else stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.cls = MultiDict if cls is None else cls
        self.buffer_size = buffer_size
        self.max_form_parts = max_form_parts

    def fail(self, message: str) -> t.NoReturn:
        raise ValueError(message)

    def start_file_streaming(self, event: File, total_content_length: int | None) -> t.IO[bytes]:
        """A writable file for the upload that ``event`` begins."""
        try:
            part_length: int | None = int(event.headers["Content-Length"])
        except (KeyError, ValueError):
            part_length = None
        return self.stream_factory(
            total_content_length=total_content_length,
            content_type=event.headers.get("Content-Type"),
            filename=event.filename,
            content_length=part_length,
        )

    def parse(
        self, stream: t.IO[bytes], boundary: bytes, content_length: int | None
    ) -> tuple[MultiDict, MultiDict]:
        """Read the whole body; return ``(form, files)`` multidicts."""
        decoder = MultipartDecoder(
            boundary, self.max_form_memory_size, max_parts=self.max_form_parts
        )
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        try:
            self._collect_parts(decoder, stream, content_length, fields, files)
            # Drain the epilogue, unparsed, so the whole announced body is consumed.
            while stream.read(self.buffer_size):
                pass
        except BaseException:
            for _, storage in files:
                storage.close()
            raise
        return self.cls(fields), self.cls(files)

    def _collect_parts(
        self,
        decoder: MultipartDecoder,
        stream: t.IO[bytes],
        content_length: int | None,
        fields: list,
        files: list,
    ) -> None:
        """Feed the body to ``decoder`` until its closing boundary; collect the parts."""
        read = stream.read
        buffer_size = self.buffer_size
        receive_data = decoder.receive_data
        next_event = decoder.next_event
        part: t.Any = None  # the Field or File event that began the current part
        chunks: list[bytes] = []  # a text field's bytes so far
        upload: t.IO[bytes] | None = None  # a file part's stream
        write: t.Callable[[bytes], t.Any] = chunks.append
        try:
            while decoder.state is not MultipartState.EPILOGUE:
                if decoder.complete:  # it raises before this; but never read past the end
                    self.fail("Multipart body ended before its closing boundary.")
                receive_data(read(buffer_size) or None)
                event = next_event()
                while event is not NEED_DATA:
                    kind = type(event)
                    if kind is Data:
                        write(event.data)
                        if not event.more_data:
                            self._finish_part(part, chunks, upload, fields, files)
                            upload = None
                    elif kind is Field:
                        part = event
                        chunks = []
                        write = chunks.append
                    elif kind is File:
                        part = event
                        upload = self.start_file_streaming(event, content_length)
                        write = upload.write
                    event = next_event()
        except BaseException:
            if upload is not None:
                upload.close()
            raise

    def _finish_part(
        self,
        part: Field | File,
        chunks: list[bytes],
        upload: t.IO[bytes] | None,
        fields: list,
        files: list,
    ) -> None:
        if upload is None:
            fields.append((part.name, b"".join(chunks).decode("utf-8", "replace")))
            return
        upload.seek(0)
        storage = FileStorage(upload, part.filename, part.name, headers=part.headers)  # type: ignore[union-attr]
        files.append((part.name, storage))


# --- the parser the request uses --------------------------------------------


class FormDataParser:
    """Turns a request body into ``(stream, form, files)``.

    Malformed bodies give empty multidicts when ``silent`` (the default);
    limits (``max_content_length``, ``max_form_memory_size``,
    ``max_form_parts``) always raise 413 ``RequestEntityTooLarge``.
    """

    def __init__(
        self,
        stream_factory: t.Callable[..., t.IO[bytes]] | None = None,
        max_form_memory_size: int | None = None,
        max_content_length: int | None = None,
        cls: type[MultiDict] | None = None,
        silent: bool = True,
        *,
        max_form_parts: int | None = None,
    ) -> None:
        self.stream_factory = default_stream_factory if stream_factory is None else stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.max_content_length = max_content_length
        self.max_form_parts = max_form_parts
        self.cls = MultiDict if cls is None else cls
        self.silent = silent

    def get_parse_func(
        self, mimetype: str, options: dict[str, str]
    ) -> t.Callable[..., t.Any] | None:
        if mimetype == "multipart/form-data":
            return self._parse_multipart
        if mimetype == "application/x-www-form-urlencoded":
            return self._parse_urlencoded
        return None

    def parse_from_environ(
        self, environ: t.Mapping[str, t.Any]
    ) -> tuple[t.Any, MultiDict, MultiDict]:
        """Parse the body of a WSGI environ."""
        stream = _get_input_stream_for_environ(environ, self.max_content_length)
        content_length = _content_length_from_environ(environ)
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE") or "")
        return self.parse(stream, mimetype.lower(), content_length, options)

    def parse(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> tuple[t.Any, MultiDict, MultiDict]:
        """Parse ``stream`` as ``mimetype``; unknown types give empty results."""
        if (
            self.max_content_length is not None
            and content_length is not None
            and content_length > self.max_content_length
        ):
            raise RequestEntityTooLarge()
        parse_func = self.get_parse_func(mimetype, options or {})
        if parse_func is not None:
            try:
                return parse_func(stream, mimetype, content_length, options or {})
            except ValueError:
                if not self.silent:
                    raise
        return stream, self.cls(), self.cls()

    def _parse_multipart(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.Any, MultiDict, MultiDict]:
        parser = MultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        boundary = options.get("boundary", "")
        try:
            boundary_bytes = boundary.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("Invalid multipart boundary.") from None
        if not boundary_bytes:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary_bytes, content_length)
        return stream, form, files

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.Any, MultiDict, MultiDict]:
        limit = self.max_form_memory_size
        if limit is not None:
            if content_length is not None and content_length > limit:
                raise RequestEntityTooLarge()
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestEntityTooLarge()
        else:
            body = stream.read()
        text = body.decode()  # invalid UTF-8 is a ValueError: a malformed body
        return stream, self.cls(_decode_urlencoded_pairs(text)), self.cls()


def parse_form_data(
    environ: t.Mapping[str, t.Any],
    stream_factory: t.Callable[..., t.IO[bytes]] | None = None,
    max_form_memory_size: int | None = None,
    max_content_length: int | None = None,
    cls: type[MultiDict] | None = None,
    silent: bool = True,
    *,
    max_form_parts: int | None = None,
) -> tuple[t.Any, MultiDict, MultiDict]:
    """Parse the form body of a WSGI environ into ``(stream, form, files)``."""
    return FormDataParser(
        stream_factory=stream_factory,
        max_form_memory_size=max_form_memory_size,
        max_content_length=max_content_length,
        cls=cls,
        silent=silent,
        max_form_parts=max_form_parts,
    ).parse_from_environ(environ)


def __getattr__(name: str) -> t.Any:
    # ``SpooledTemporaryFile`` is looked up (and may be patched) here, but
    # ``tempfile`` is only imported when someone asks for it.
    if name == "SpooledTemporaryFile":
        from tempfile import SpooledTemporaryFile

        return SpooledTemporaryFile
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
