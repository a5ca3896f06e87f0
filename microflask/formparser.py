"""Request body parsing: urlencoded forms and streaming multipart/form-data.

Werkzeug calls this ``werkzeug.formparser`` (``parse_form_data``,
``FormDataParser``, ``MultiPartParser``, ``default_stream_factory``).  The
multipart parser reads the body in fixed-size chunks and never holds the
whole body in memory: file parts go to a stream factory, text fields are
kept in memory up to ``max_form_memory_size``.  The helpers that limit the
WSGI input to its Content-Length (Werkzeug's ``wsgi.get_input_stream`` and
``wsgi.LimitedStream``) live here too, because the form parser and the
request both need them; :mod:`microflask.wsgi` re-exports them.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
import typing as t
from urllib.parse import unquote

from microflask.datastructures import FileStorage, Headers, MultiDict
from microflask.exceptions import ClientDisconnected, RequestEntityTooLarge
from microflask.http import parse_options_header

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

_MULTIPART_HEADER_BLOCK_LIMIT = 64 * 1024
_MULTIPART_PREAMBLE = 0
_MULTIPART_HEADERS = 1
_MULTIPART_DATA = 2
_MULTIPART_EPILOGUE = 3


def _parse_multipart_part_headers(block: bytes) -> Headers:
    """Parse the header lines of one part; folded lines are joined."""
    headers = Headers()
    text = block.decode("utf-8", "replace")
    last_name = None
    last_value = ""
    for line in text.splitlines():
        if not line:
            continue
        if line[0] in " \t" and last_name is not None:
            last_value += " " + line.strip()
            continue
        if last_name is not None:
            headers.add(last_name, last_value)
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            # Like Werkzeug, skip a line that is not a header rather than fail.
            last_name = None
            continue
        last_name = name.strip()
        last_value = value.strip()
    if last_name is not None:
        headers.add(last_name, last_value)
    return headers


def _decode_rfc5987_value(value: str) -> str:
    """Decode ``UTF-8''%C3%A9t%C3%A9.txt`` (RFC 5987 ext-value) to text."""
    charset, _, rest = value.partition("'")
    _, _, encoded = rest.partition("'")
    if not encoded and not rest:
        return unquote(value, "utf-8", "replace")
    try:
        codecs.lookup(charset or "utf-8")
    except LookupError:
        charset = "utf-8"
    return unquote(encoded, charset or "utf-8", "replace")


def _filename_from_disposition_options(options: dict[str, str]) -> str | None:
    filename_star = options.get("filename*")
    if filename_star is not None:
        return _decode_rfc5987_value(filename_star)
    return options.get("filename")


_LINE_BREAK_BYTES = frozenset(b"\r\n")
_BOUNDARY_CLOSE = 0
_BOUNDARY_OPEN = 1
_BOUNDARY_JUNK = 2
_BOUNDARY_WAIT = 3


def _classify_boundary_line(buffer: bytes, after: int, eof: bool) -> tuple[int, int]:
    """What follows ``--boundary`` at ``after``: ``--`` (close), a line end
    (open), other bytes (junk: not a delimiter at all), or not enough data yet.

    Line ends may be CRLF, LF or a bare CR.  For an open delimiter the
    second value is the index of the line end's last byte.
    """
    next_two = buffer[after : after + 2]
    if next_two == b"--":
        return _BOUNDARY_CLOSE, -1
    if next_two and next_two[:1] not in b" \t\r\n-":
        return _BOUNDARY_JUNK, -1  # the common junk case, decided without slicing
    window = buffer[after : after + 1025]
    lf = window.find(b"\n")
    cr = window.find(b"\r")
    line_end = -1
    if cr >= 0 and (lf < 0 or cr < lf):
        segment = window[:cr]
        if cr + 1 < len(window):
            line_end = after + cr + (1 if window[cr + 1 : cr + 2] == b"\n" else 0)
        elif eof:
            line_end = after + cr
    elif lf >= 0:
        segment = window[:lf]
        line_end = after + lf
    else:
        segment = window
    if segment.strip(b" \t"):
        if line_end < 0 and segment == b"-" and not eof:
            return _BOUNDARY_WAIT, -1
        return _BOUNDARY_JUNK, -1
    if line_end < 0:
        if len(window) > 1024:
            raise ValueError("Invalid multipart boundary line.")
        return _BOUNDARY_WAIT, -1
    return _BOUNDARY_OPEN, line_end


# The empty line that ends a part's header block: CRLF, LF or bare-CR style.
# A regex scans left to right and stops at the first one, so the cost is
# the size of the header block, not of the buffer.
_multipart_header_end_re = re.compile(rb"\r\n\r\n|\n\r\n|\n\n|\r\r")


class MultiPartParser:
    """Streaming parser for ``multipart/form-data`` bodies.

    The body is read ``buffer_size`` bytes at a time.  The boundary is looked
    for with ``bytes.find`` in the fresh data plus a tail only a boundary long,
    so work stays linear whatever the client sends.
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

    def start_file_streaming(self, headers: Headers, filename: str, total_content_length: int | None) -> t.IO[bytes]:
        content_type = headers.get("Content-Type")
        try:
            part_length: int | None = int(headers["Content-Length"])
        except (KeyError, ValueError):
            part_length = None
        return self.stream_factory(
            total_content_length=total_content_length,
            content_type=content_type,
            filename=filename,
            content_length=part_length,
        )

    def parse(
        self, stream: t.IO[bytes], boundary: bytes, content_length: int | None
    ) -> tuple[MultiDict, MultiDict]:
        """Read the whole body; return ``(form, files)`` multidicts."""
        if not boundary or len(boundary) > 200:
            raise ValueError("Invalid multipart boundary.")
        fields: list[tuple[t.Any, str]] = []
        files: list[tuple[t.Any, FileStorage]] = []
        try:
            self._parse_parts(stream, boundary, content_length, fields, files)
        except BaseException:
            for _, storage in files:
                storage.close()
            raise
        return self.cls(fields), self.cls(files)

    def _parse_parts(
        self,
        stream: t.IO[bytes],
        boundary: bytes,
        content_length: int | None,
        fields: list,
        files: list,
    ) -> None:
        # ``buffer[pos:]`` is the unread data; consuming input only moves
        # ``pos``, so nothing is copied per part, only once per chunk read.
        read = stream.read
        buffer_size = self.buffer_size
        max_memory = self.max_form_memory_size
        max_parts = self.max_form_parts
        first_delimiter = b"--" + boundary
        delimiter_length = len(first_delimiter) + 1  # with the line break before it
        keep = delimiter_length + 4
        header_end_search = _multipart_header_end_re.search
        line_breaks = _LINE_BREAK_BYTES
        state = _MULTIPART_PREAMBLE
        buffer = b""
        pos = 0
        search_from = 0  # where a delimiter's line break may start
        eof = False
        part_count = 0
        part_name: t.Any = None
        part_filename: str | None = None
        part_headers: Headers | None = None
        part_container: t.Any = None
        part_chunks: list[bytes] = []
        part_size = 0

        while True:
            if not eof:
                chunk = read(buffer_size)
                if chunk:
                    buffer = buffer[pos:] + chunk if pos < len(buffer) else chunk
                    search_from = max(0, search_from - pos)
                    pos = 0
                else:
                    eof = True

            progressed = True
            while progressed:
                progressed = False
                if state == _MULTIPART_PREAMBLE:
                    position = buffer.find(first_delimiter, max(pos, search_from))
                    if position < 0:
                        # Drop the preamble, keep a tail that may start the boundary.
                        if len(buffer) - pos > keep:
                            pos = len(buffer) - keep
                        search_from = pos
                        break
                    after = position + len(first_delimiter)
                    kind, line_end = _classify_boundary_line(buffer, after, eof)
                    if kind == _BOUNDARY_CLOSE:
                        state = _MULTIPART_EPILOGUE
                        progressed = True
                    elif kind == _BOUNDARY_JUNK:
                        # ``--boundaryX``: a longer string, not our delimiter.
                        search_from = position + 1
                        progressed = True
                    elif kind == _BOUNDARY_WAIT:
                        pos = search_from = position
                    else:
                        pos = search_from = line_end + 1
                        state = _MULTIPART_HEADERS
                        progressed = True

                elif state == _MULTIPART_HEADERS:
                    match = header_end_search(
                        buffer, pos, pos + _MULTIPART_HEADER_BLOCK_LIMIT + 4
                    )
                    if match is None:
                        if len(buffer) - pos > _MULTIPART_HEADER_BLOCK_LIMIT:
                            self.fail("Multipart part headers are too large.")
                        break
                    block = buffer[pos : match.start()]
                    pos = search_from = match.end()
                    part_count += 1
                    if max_parts is not None and part_count > max_parts:
                        raise RequestEntityTooLarge()
                    part_headers = _parse_multipart_part_headers(block)
                    disposition = part_headers.get("Content-Disposition")
                    if disposition is None:
                        self.fail("Multipart part has no Content-Disposition header.")
                    _, options = parse_options_header(disposition)
                    part_name = options.get("name", "")  # as Werkzeug: a nameless part is ""
                    part_filename = _filename_from_disposition_options(options)
                    part_chunks = []
                    part_size = 0
                    if part_filename is not None:
                        part_container = self.start_file_streaming(
                            part_headers, part_filename, content_length
                        )
                    else:
                        part_container = None
                    state = _MULTIPART_DATA
                    progressed = True

                elif state == _MULTIPART_DATA:
                    # One search for ``--boundary``, then check the line break
                    # before it (LF, or CR for CRLF and bare-CR bodies).
                    position = buffer.find(first_delimiter, search_from + 1)
                    while position > pos and buffer[position - 1] not in line_breaks:
                        position = buffer.find(first_delimiter, position + 1)
                    if position > pos:
                        line_break = position - 1
                        after = line_break + delimiter_length
                        kind, line_end = _classify_boundary_line(buffer, after, eof)
                        if kind == _BOUNDARY_JUNK:
                            # Data that merely contains ``--boundary...``.
                            search_from = line_break + 1
                            progressed = True
                            continue
                        if kind == _BOUNDARY_WAIT:
                            if eof:
                                self.fail("Multipart body ended in a boundary line.")
                            search_from = line_break
                            break
                        data_end = line_break
                        if (
                            line_break > pos
                            and buffer[line_break] == 10  # LF
                            and buffer[line_break - 1] == 13  # CR
                        ):
                            data_end -= 1
                        data = buffer[pos:data_end]
                        if kind == _BOUNDARY_CLOSE:
                            pos = after + 2
                            state = _MULTIPART_EPILOGUE
                        else:
                            pos = line_end + 1
                            state = _MULTIPART_HEADERS
                        search_from = pos
                    else:
                        if len(buffer) - pos <= keep:
                            break
                        split = len(buffer) - keep
                        data = buffer[pos:split]
                        pos = search_from = split
                    if data:
                        if part_container is not None:
                            part_container.write(data)
                        else:
                            part_size += len(data)
                            if max_memory is not None and part_size > max_memory:
                                raise RequestEntityTooLarge()
                            part_chunks.append(data)
                    if state != _MULTIPART_DATA:
                        self._finish_part(
                            part_name, part_filename, part_headers, part_container,
                            part_chunks, fields, files,
                        )
                        part_container = None
                        part_chunks = []
                        progressed = True
                    else:
                        break

                elif state == _MULTIPART_EPILOGUE:
                    # Drain the epilogue so the whole announced body is consumed.
                    while read(buffer_size):
                        pass
                    return

            if eof:
                if state == _MULTIPART_EPILOGUE:
                    return
                if part_container is not None:
                    part_container.close()
                self.fail("Multipart body ended before its closing boundary.")

    def _finish_part(
        self,
        name: t.Any,
        filename: str | None,
        headers: Headers | None,
        container: t.Any,
        chunks: list[bytes],
        fields: list,
        files: list,
    ) -> None:
        if container is not None:
            container.seek(0)
            files.append((name, FileStorage(container, filename, name, headers=headers)))
        else:
            fields.append((name, b"".join(chunks).decode("utf-8", "replace")))


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

    def get_parse_func(self, mimetype: str, options: dict[str, str]) -> t.Callable[..., t.Any] | None:
        if mimetype == "multipart/form-data":
            return self._parse_multipart
        if mimetype == "application/x-www-form-urlencoded":
            return self._parse_urlencoded
        return None

    def parse_from_environ(self, environ: t.Mapping[str, t.Any]) -> tuple[t.Any, MultiDict, MultiDict]:
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
        self, stream: t.IO[bytes], mimetype: str, content_length: int | None, options: dict[str, str]
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
        self, stream: t.IO[bytes], mimetype: str, content_length: int | None, options: dict[str, str]
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


# --- sans-IO multipart events (Werkzeug's ``sansio.multipart``) ---------------


class _MultipartEvent:
    """Base of the decoder's events: compared and shown by their fields."""

    __slots__ = ()

    def _fields(self) -> tuple[t.Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self._fields())))

    def __repr__(self) -> str:
        args = ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.__slots__)
        return "%s(%s)" % (type(self).__name__, args)


class NeedData(_MultipartEvent):
    """More bytes must be passed to ``receive_data`` before the next event."""

    __slots__ = ()


class Preamble(_MultipartEvent):
    """Bytes before the first boundary (usually empty)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class Field(_MultipartEvent):
    """A form field part begins; its value follows as ``Data`` events."""

    __slots__ = ("name", "headers")

    def __init__(self, name: str, headers: Headers) -> None:
        self.name = name
        self.headers = headers


class File(_MultipartEvent):
    """A file upload part begins; its content follows as ``Data`` events."""

    __slots__ = ("name", "filename", "headers")

    def __init__(self, name: str, filename: str, headers: Headers) -> None:
        self.name = name
        self.filename = filename
        self.headers = headers


class Data(_MultipartEvent):
    """A piece of the current part's body; ``more_data`` is False on the last."""

    __slots__ = ("data", "more_data")

    def __init__(self, data: bytes, more_data: bool) -> None:
        self.data = data
        self.more_data = more_data


class Epilogue(_MultipartEvent):
    """Bytes after the closing boundary."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


_SANSIO_PREAMBLE = 0
_SANSIO_PART = 1
_SANSIO_DATA = 2
_SANSIO_EPILOGUE = 3
_SANSIO_COMPLETE = 4


class MultipartDecoder:
    """Turn multipart bytes, fed in any pieces, into events.

    Call ``receive_data(chunk)`` as bytes arrive (``None`` at the end), then
    ``next_event()`` until it returns :class:`NeedData` (or, at the end,
    :class:`Epilogue`).  Events: :class:`Preamble`, :class:`Field` or
    :class:`File`, one or more :class:`Data` per part, :class:`Epilogue`.
    """

    def __init__(
        self,
        boundary: bytes,
        max_form_memory_size: int | None = None,
        *,
        max_parts: int | None = None,
    ) -> None:
        self.buffer = bytearray()
        self.complete = False
        self.max_form_memory_size = max_form_memory_size
        self.max_parts = max_parts
        self.state = _SANSIO_PREAMBLE
        self.boundary = boundary
        self._parts_decoded = 0
        self._at_part_start = False
        escaped = re.escape(boundary)
        self._first_boundary_re = re.compile(
            rb"(?:^|\r\n|\n)--" + escaped + rb"(--)?[ \t]*(?:\r\n|\n)", re.S
        )
        self._delimiter = b"\r\n--" + boundary

    def last_newline(self, data: bytes) -> int:
        """Where a trailing line break (that may start a boundary) begins."""
        position = data.rfind(b"\r\n", max(0, len(data) - len(self._delimiter)))
        if position != -1:
            return position
        if data.endswith(b"\r"):
            return len(data) - 1
        return len(data)

    def receive_data(self, data: bytes | None) -> None:
        if data is None:
            self.complete = True
        elif self.max_form_memory_size is not None and (
            len(self.buffer) + len(data) > self.max_form_memory_size
        ):
            raise RequestEntityTooLarge()
        else:
            self.buffer.extend(data)

    def _take(self, end: int) -> bytes:
        data = bytes(self.buffer[:end])
        del self.buffer[:end]
        return data

    def _next_preamble_event(self) -> _MultipartEvent:
        match = self._first_boundary_re.search(self.buffer)
        if match is None:
            closing = b"--" + self.boundary + b"--"
            if self.complete and bytes(self.buffer).strip().endswith(closing):
                self.state = _SANSIO_EPILOGUE
                return Preamble(self._take(self.buffer.rfind(closing)))
            if self.complete:
                raise ValueError("Invalid form-data cannot parse beyond preamble")
            return NeedData()
        preamble = bytes(self.buffer[: match.start()])
        del self.buffer[: match.end()]
        self.state = _SANSIO_EPILOGUE if match.group(1) else _SANSIO_PART
        return Preamble(preamble)

    def _next_part_event(self) -> _MultipartEvent:
        if self.buffer.startswith(b"\r\n"):
            block_end, skip = 0, 2
        else:
            block_end = self.buffer.find(b"\r\n\r\n")
            skip = 4
            if block_end == -1:
                if self.complete:
                    raise ValueError("Unexpected end of file in part headers")
                return NeedData()
        headers = _parse_multipart_part_headers(bytes(self.buffer[:block_end]))
        # The blank line's CRLF is kept: the body begins where a boundary may.
        del self.buffer[: block_end + skip - 2]
        self._at_part_start = True
        self._parts_decoded += 1
        if self.max_parts is not None and self._parts_decoded > self.max_parts:
            raise RequestEntityTooLarge()
        self.state = _SANSIO_DATA
        _kind, options = parse_options_header(headers.get("Content-Disposition", ""))
        name = options.get("name", "")
        filename = _filename_from_disposition_options(options)
        if filename is not None:
            return File(name, filename, headers)
        return Field(name, headers)

    def _next_data_event(self) -> _MultipartEvent:
        buffer = self.buffer
        delimiter = self._delimiter
        at = buffer.find(delimiter)
        if at == -1:
            if self.complete:
                raise ValueError("Unexpected end of file in a part body")
            # Hold back a trailing line break: it may begin the next boundary.
            keep_from = self.last_newline(bytes(buffer))
            if keep_from <= (2 if self._at_part_start else 0):
                return NeedData()
            return Data(self._data_without_lead(keep_from), True)
        rest = bytes(buffer[at + len(delimiter) :])
        if rest.startswith(b"--"):
            data = self._data_without_lead(at)
            del self.buffer[: len(delimiter) + 2]
            if self.buffer.startswith(b"\r\n"):
                del self.buffer[:2]
            self.state = _SANSIO_EPILOGUE
            return Data(data, False)
        padded = rest.lstrip(b" \t")
        if padded.startswith((b"\r\n", b"\n")):
            data = self._data_without_lead(at)
            line_end = len(rest) - len(padded) + (2 if padded.startswith(b"\r") else 1)
            del self.buffer[: len(delimiter) + line_end]
            self.state = _SANSIO_PART
            return Data(data, False)
        if self.complete:
            raise ValueError("Unexpected end of file after a boundary")
        # The boundary is not confirmed yet: pass on what comes before it.
        if at <= (2 if self._at_part_start else 0):
            return NeedData()
        return Data(self._data_without_lead(at), True)

    def _data_without_lead(self, end: int) -> bytes:
        """Take ``end`` bytes of body; a part's body starts after the header CRLF."""
        data = self._take(end)
        if self._at_part_start:
            self._at_part_start = False
            return data[2:]
        return data

    def next_event(self) -> _MultipartEvent:
        state = self.state
        if state == _SANSIO_PREAMBLE:
            return self._next_preamble_event()
        if state == _SANSIO_PART:
            return self._next_part_event()
        if state == _SANSIO_DATA:
            return self._next_data_event()
        if state == _SANSIO_EPILOGUE and self.complete:
            self.state = _SANSIO_COMPLETE
            return Epilogue(self._take(len(self.buffer)))
        return NeedData()


class MultipartEncoder:
    """Turn the decoder's events back into multipart bytes (``send_event``)."""

    def __init__(self, boundary: bytes) -> None:
        self.boundary = boundary
        self._part_started = False

    def send_event(self, event: _MultipartEvent) -> bytes:
        if isinstance(event, Preamble):
            return event.data
        if isinstance(event, (Field, File)):
            out = b"\r\n--" + self.boundary + b"\r\n"
            disposition = 'form-data; name="%s"' % event.name
            if isinstance(event, File):
                disposition += '; filename="%s"' % event.filename
            lines = ["Content-Disposition: " + disposition]
            for key, value in event.headers.items():
                if key.lower() != "content-disposition":
                    lines.append("%s: %s" % (key, value))
            self._part_started = True
            return out + "".join(line + "\r\n" for line in lines).encode()
        if isinstance(event, Data):
            if self._part_started:
                self._part_started = False
                # The blank line after the headers, unless the body is empty.
                return b"\r\n" + event.data if event.data else event.data
            return event.data
        if isinstance(event, Epilogue):
            return b"\r\n--" + self.boundary + b"--\r\n" + event.data
        raise ValueError("Cannot encode %r" % (event,))


def __getattr__(name: str) -> t.Any:
    # ``SpooledTemporaryFile`` is looked up (and may be patched) here, but
    # ``tempfile`` is only imported when someone asks for it.
    if name == "SpooledTemporaryFile":
        from tempfile import SpooledTemporaryFile

        return SpooledTemporaryFile
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
