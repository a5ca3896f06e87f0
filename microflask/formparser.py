"""Request body parsing: urlencoded forms and streaming multipart/form-data.

Werkzeug calls this ``werkzeug.formparser`` (``parse_form_data``,
``FormDataParser``, ``MultiPartParser``, ``default_stream_factory``).  The
multipart parser reads the body in fixed-size chunks and never holds the
whole body in memory: file parts go to a stream factory, text fields are
kept in memory up to ``max_form_memory_size``.  The helpers that limit the
WSGI input to its Content-Length (Werkzeug's ``wsgi.get_input_stream`` and
``LimitedStream``) live here too, privately, because the form parser and the
request both need them.
"""

from __future__ import annotations

import codecs
import io
import re
import typing as t
from urllib.parse import unquote

from microflask.datastructures import FileStorage, Headers, MultiDict
from microflask.exceptions import ClientDisconnected, RequestEntityTooLarge
from microflask.http import parse_options_header

__all__ = [
    "FormDataParser",
    "MultiPartParser",
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
    try:
        return max(0, int(value))
    except (ValueError, TypeError):
        return 0


class _LimitedInputStream(io.RawIOBase):
    """Reads at most ``limit`` bytes from a WSGI input stream.

    With ``is_max`` the limit is a ceiling (``max_content_length`` on a
    terminated stream of unknown length): more data than that is a 413.
    Without it the limit is the announced length, and a stream that ends
    early means the client went away (400 ``ClientDisconnected``).
    """

    def __init__(self, stream: t.Any, limit: int, is_max: bool = False) -> None:
        self._stream = stream
        self._remaining = limit
        self.limit = limit
        self._is_max = is_max

    def readable(self) -> bool:
        return True

    @property
    def is_exhausted(self) -> bool:
        return self._remaining <= 0

    def _check_over_ceiling(self) -> None:
        # Reached the ceiling: any further byte from the client is too much.
        if self._is_max and self._stream.read(1):
            raise RequestEntityTooLarge()

    def read(self, size: int | None = -1) -> bytes:
        remaining = self._remaining
        if remaining <= 0:
            if self._is_max:
                self._check_over_ceiling()
            return b""
        if size is None or size < 0:
            chunks = []
            while remaining > 0:
                chunk = self._stream.read(min(remaining, 65536))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
        else:
            data = self._stream.read(min(size, remaining))
        self._remaining -= len(data)
        if not data and size != 0:
            if self._is_max:
                return b""
            raise ClientDisconnected()
        if self._remaining <= 0 and self._is_max:
            self._check_over_ceiling()
        if size is None or size < 0:
            if self._remaining > 0 and not self._is_max:
                raise ClientDisconnected()
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: t.Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        remaining = self._remaining
        if remaining <= 0:
            return b""
        if size is None or size < 0 or size > remaining:
            size = remaining
        line = self._stream.readline(size)
        if not line:
            if self._is_max:
                return b""
            raise ClientDisconnected()
        self._remaining -= len(line)
        return line

    def tell(self) -> int:
        return self.limit - self._remaining

    def exhaust(self) -> None:
        """Read and discard what is left, so the server can reuse the socket."""
        while self._remaining > 0:
            if not self.read(65536):
                break


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
            return _LimitedInputStream(stream, max_content_length, is_max=True)
        return stream
    if content_length is None:
        # Chunked or unannounced body on a server that does not terminate the
        # input: reading it could block forever, so it counts as empty.
        return io.BytesIO()
    return _LimitedInputStream(stream, content_length)


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
                    part_name = options.get("name")
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
