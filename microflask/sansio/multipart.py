"""multipart/form-data as a stream of events, with no I/O of its own.

Werkzeug calls this ``werkzeug.sansio.multipart``: :class:`MultipartDecoder`
turns body bytes, fed in pieces of any size, into events (:class:`Preamble`,
:class:`Field` or :class:`File`, :class:`Data`, :class:`Epilogue`, and
:class:`NeedData` when it must be fed more); :class:`MultipartEncoder` turns
events back into bytes.  The decoder is microflask's only multipart parser:
:class:`microflask.formparser.MultiPartParser` reads the request body, feeds
it in here and turns the events into form values and uploaded files.

The decoder holds only what it has not decoded yet, so its memory is one
fed chunk plus a boundary line; the limits it enforces (the size of a text
field, the number of parts, the size of a header block or a preamble) are
checked as the bytes arrive.  Every look-up starts where the last one could
not match, so the work stays linear whatever the client sends.
"""

from __future__ import annotations

import codecs
import re
import typing as t
from enum import Enum
from urllib.parse import unquote

from microflask.datastructures import Headers
from microflask.exceptions import RequestEntityTooLarge
from microflask.http import parse_options_header

__all__ = [
    "Data",
    "Epilogue",
    "Event",
    "Field",
    "File",
    "MultipartDecoder",
    "MultipartEncoder",
    "NEED_DATA",
    "NeedData",
    "Preamble",
    "State",
]


# --- the events ---------------------------------------------------------------


class MultipartEvent:
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


Event = MultipartEvent


class NeedData(MultipartEvent):
    """More bytes must be passed to ``receive_data`` before the next event."""

    __slots__ = ()


# The decoder always answers with this one instance, so ``is`` can test it.
NEED_DATA = NeedData()


class Preamble(MultipartEvent):
    """Bytes before the first boundary line (usually none)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class Field(MultipartEvent):
    """A text field's part begins; its value follows as :class:`Data` events."""

    __slots__ = ("name", "headers")

    def __init__(self, name: str, headers: Headers) -> None:
        self.name = name
        self.headers = headers


class File(MultipartEvent):
    """A file upload's part begins; its content follows as :class:`Data` events."""

    __slots__ = ("name", "filename", "headers")

    def __init__(self, name: str, filename: str, headers: Headers) -> None:
        self.name = name
        self.filename = filename
        self.headers = headers


class Data(MultipartEvent):
    """A piece of the current part's body; ``more_data`` is False on the last."""

    __slots__ = ("data", "more_data")

    def __init__(self, data: bytes, more_data: bool) -> None:
        self.data = data
        self.more_data = more_data


class Epilogue(MultipartEvent):
    """Bytes after the closing boundary line; the last event."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class MultipartState(Enum):
    """Where the decoder is in the body."""

    PREAMBLE = 1  # looking for the first boundary
    PART = 2  # reading a part's header block
    DATA = 3  # reading a part's body, looking for the next boundary
    EPILOGUE = 4  # after the closing boundary, until the end of the input
    COMPLETE = 5  # the Epilogue event has been given


State = MultipartState


# --- part headers -------------------------------------------------------------

_MULTIPART_HEADER_BLOCK_LIMIT = 64 * 1024
_MULTIPART_PREAMBLE_LIMIT = 64 * 1024
_MULTIPART_BOUNDARY_LIMIT = 200  # RFC 2046 allows 70; be lenient, but not unbounded

# The empty line that ends a part's header block: CRLF, LF or bare-CR style.
# A regex scans left to right and stops at the first one, so the cost is
# the size of the header block, not of the buffer.
_multipart_header_end_re = re.compile(rb"\r\n\r\n|\n\r\n|\n\n|\r\r")


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


# --- boundary lines -------------------------------------------------------------

_LINE_BREAK_BYTES = frozenset(b"\r\n")
_BOUNDARY_CLOSE = 0
_BOUNDARY_OPEN = 1
_BOUNDARY_JUNK = 2
_BOUNDARY_WAIT = 3


def _classify_boundary_line(buffer: bytes, after: int, eof: bool) -> tuple[int, int]:
    """What follows ``--boundary`` at ``after``: ``--`` (close), a line end
    (open), other bytes (junk: not a delimiter at all), or not enough data yet.

    Line ends may be CRLF, LF or a bare CR, after optional transport padding
    (spaces and tabs).  For an open delimiter the second value is the index
    of the line end's last byte.
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


def _strip_line_break_before(buffer: bytes, start: int, line_break: int) -> int:
    """Where data ends when a boundary's line break is at ``line_break``:
    before the CR of a CRLF, before a lone LF or CR; never before ``start``."""
    if line_break > start and buffer[line_break] == 10 and buffer[line_break - 1] == 13:
        return line_break - 1  # CRLF
    return max(line_break, start)


def _strip_boundary_line_end(epilogue: bytes) -> bytes:
    """The epilogue without what ends the closing boundary line (padding, a line break)."""
    rest = epilogue.lstrip(b" \t")
    if rest.startswith(b"\r\n"):
        return rest[2:]
    if rest[:1] in (b"\r", b"\n"):
        return rest[1:]
    return epilogue


# --- the decoder ----------------------------------------------------------------


class MultipartDecoder:
    """Turn multipart bytes, fed in pieces of any size, into events.

    Call ``receive_data(chunk)`` as bytes arrive (``None`` at the end), then
    ``next_event()`` until it returns :data:`NEED_DATA` (or, at the end,
    :class:`Epilogue`).  Events: :class:`Preamble`, then per part a
    :class:`Field` or :class:`File` and one or more :class:`Data`, then
    :class:`Epilogue`.  A malformed body raises ``ValueError``; a text field
    longer than ``max_form_memory_size`` bytes, or more than ``max_parts``
    parts, raises ``RequestEntityTooLarge`` (files are not limited: they
    stream).
    """

    def __init__(
        self,
        boundary: bytes,
        max_form_memory_size: int | None = None,
        *,
        max_parts: int | None = None,
    ) -> None:
        if not boundary or len(boundary) > _MULTIPART_BOUNDARY_LIMIT:
            raise ValueError("Invalid multipart boundary.")
        self.boundary = boundary
        self.max_form_memory_size = max_form_memory_size
        self.max_parts = max_parts
        self.state = MultipartState.PREAMBLE
        self.complete = False
        self._delimiter = b"--" + boundary
        # ``_buffer[_pos:]`` is what is not decoded yet; consuming only moves
        # ``_pos``, and ``receive_data`` drops the consumed front.  Plain
        # bytes: a chunk that arrives when all is decoded is kept as it is,
        # and a part's data that is the whole buffer is handed on as it is.
        self._buffer = b""
        self._pos = 0
        # Where the next look-up starts: everything before it was searched.
        self._search_from = 0
        # Right after a part's header block, the blank line's line break may
        # be the one before the boundary (a part with an empty body).
        self._at_part_start = False
        self._part_count = 0
        self._field_size: int | None = None  # bytes of the current text field
        self._epilogue: list[bytes] = []

    def receive_data(self, data: bytes | None) -> None:
        """Add the next piece of the body; ``None`` says the body has ended."""
        if data is None:
            self.complete = True
        elif self.state is MultipartState.EPILOGUE:
            self._epilogue.append(bytes(data))
        else:
            if type(data) is not bytes:
                data = bytes(data)  # a copy the caller cannot change under us
            # Drop the decoded front, but keep a part's blank line, which may
            # be the line break before its boundary.  What is kept is small
            # (a header block or a boundary line at most), so this stays linear.
            cut = max(0, self._pos - 1 if self._at_part_start else self._pos)
            if cut >= len(self._buffer):
                self._buffer = data
            else:
                self._buffer = self._buffer[cut:] + data
            self._search_from = max(0, self._search_from - cut)
            self._pos -= cut

    def next_event(self) -> MultipartEvent:
        """The next event, or :data:`NEED_DATA` until more bytes are received."""
        state = self.state
        if state is MultipartState.DATA:
            return self._next_data_event()
        if state is MultipartState.PART:
            return self._next_part_event()
        if state is MultipartState.PREAMBLE:
            return self._next_preamble_event()
        if state is MultipartState.EPILOGUE and self.complete:
            self.state = MultipartState.COMPLETE
            return Epilogue(_strip_boundary_line_end(b"".join(self._epilogue)))
        return NEED_DATA

    def last_newline(self, data: bytes) -> int:
        """Where the tail of ``data`` that may begin a boundary starts
        (its first CR or LF close enough to the end), or ``len(data)``."""
        return self._held_back_from(data, 0)

    # -- one method per state, in the order a body goes through them

    def _next_preamble_event(self) -> MultipartEvent:
        buffer = self._buffer
        delimiter = self._delimiter
        while True:
            # Before the first part, ``--boundary`` counts wherever it is
            # (Werkzeug also reads ``x--boundary`` as a preamble and a boundary).
            position = buffer.find(delimiter, self._search_from)
            if position < 0:
                return self._preamble_needs_data()
            after = position + len(delimiter)
            kind, line_end = _classify_boundary_line(buffer, after, self.complete)
            if kind == _BOUNDARY_JUNK:
                self._search_from = position + 1
                continue
            if kind == _BOUNDARY_WAIT:
                if self.complete:
                    raise ValueError("Multipart body ended in a boundary line.")
                self._search_from = position
                return NEED_DATA
            preamble_end = position
            if position > self._pos and buffer[position - 1] in _LINE_BREAK_BYTES:
                preamble_end = _strip_line_break_before(buffer, self._pos, position - 1)
            preamble = self._take(preamble_end)
            if kind == _BOUNDARY_CLOSE:
                self._enter_epilogue(after + 2)
            else:
                self._pos = self._search_from = line_end + 1
                self.state = MultipartState.PART
            return Preamble(preamble)

    def _preamble_needs_data(self) -> MultipartEvent:
        if self.complete:
            raise ValueError("Multipart body has no boundary line.")
        if len(self._buffer) - self._pos > _MULTIPART_PREAMBLE_LIMIT:
            raise ValueError("Multipart preamble is too large.")
        self._search_from = max(self._pos, len(self._buffer) - len(self._delimiter) + 1)
        return NEED_DATA

    def _next_part_event(self) -> MultipartEvent:
        buffer = self._buffer
        start = self._pos
        # A blank line is at most 4 bytes: it may begin just before the end
        # of the last search.
        match = _multipart_header_end_re.search(
            buffer, max(start, self._search_from - 3), start + _MULTIPART_HEADER_BLOCK_LIMIT + 4
        )
        if match is None:
            if len(buffer) - start > _MULTIPART_HEADER_BLOCK_LIMIT:
                raise ValueError("Multipart part headers are too large.")
            if self.complete:
                raise ValueError("Multipart body ended in a part's headers.")
            self._search_from = len(buffer)
            return NEED_DATA
        self._part_count += 1
        if self.max_parts is not None and self._part_count > self.max_parts:
            raise RequestEntityTooLarge()
        headers = _parse_multipart_part_headers(buffer[start : match.start()])
        self._pos = self._search_from = match.end()
        disposition = headers.get("Content-Disposition")
        if disposition is None:
            raise ValueError("Multipart part has no Content-Disposition header.")
        _, options = parse_options_header(disposition)
        name = options.get("name", "")  # as Werkzeug, but "" rather than None
        filename = _filename_from_disposition_options(options)
        self.state = MultipartState.DATA
        self._at_part_start = True
        if filename is not None:
            self._field_size = None
            return File(name, filename, headers)
        self._field_size = 0
        return Field(name, headers)

    def _next_data_event(self) -> MultipartEvent:
        buffer = self._buffer
        delimiter = self._delimiter
        start = self._pos
        # The lowest index the line break before a boundary may have.
        floor = start - 1 if self._at_part_start else start
        while True:
            # One search for ``--boundary``, then check the line break before
            # it (LF, or CR for CRLF and bare-CR bodies).
            position = buffer.find(delimiter, max(self._search_from, floor + 1))
            if position < 0:
                return self._data_without_boundary(floor)
            line_break = position - 1
            if buffer[line_break] not in _LINE_BREAK_BYTES:
                self._search_from = position + 1
                continue
            after = position + len(delimiter)
            kind, line_end = _classify_boundary_line(buffer, after, self.complete)
            if kind == _BOUNDARY_JUNK:
                # Data that merely contains ``--boundary...``.
                self._search_from = position + 1
                continue
            data_end = _strip_line_break_before(buffer, start, line_break)
            if kind == _BOUNDARY_WAIT:
                if self.complete:
                    raise ValueError("Multipart body ended in a boundary line.")
                self._search_from = position
                return self._partial_data(data_end)
            data = self._part_data(data_end)
            if kind == _BOUNDARY_CLOSE:
                self._enter_epilogue(after + 2)
            else:
                self._pos = self._search_from = line_end + 1
                self.state = MultipartState.PART
            return Data(data, False)

    def _data_without_boundary(self, floor: int) -> MultipartEvent:
        """No boundary in the buffer: give all but a tail that may begin one."""
        if self.complete:
            raise ValueError("Multipart body ended before its closing boundary.")
        buffer = self._buffer
        # A ``--boundary`` found later cannot begin before this.
        self._search_from = max(self._search_from, len(buffer) - len(self._delimiter) + 1)
        return self._partial_data(self._held_back_from(buffer, floor))

    def _held_back_from(self, buffer: bytes | bytearray, start: int) -> int:
        """The first CR or LF among the last bytes of ``buffer`` that could
        still be the line break before ``--boundary``, or ``len(buffer)``."""
        end = len(buffer)
        tail = max(start, end - len(self._delimiter) - 1)
        cr = buffer.find(b"\r", tail)
        lf = buffer.find(b"\n", tail)
        if cr < 0:
            return end if lf < 0 else lf
        return cr if lf < 0 else min(cr, lf)

    def _partial_data(self, end: int) -> MultipartEvent:
        """Data up to ``end`` with more to come, or NEED_DATA if there is none."""
        if end <= self._pos:
            return NEED_DATA
        return Data(self._part_data(end), True)

    def _part_data(self, end: int) -> bytes:
        """Take the part's body up to ``end``; a text field's size is checked."""
        data = self._take(end)
        self._at_part_start = False
        if self._field_size is not None:
            self._field_size += len(data)
            limit = self.max_form_memory_size
            if limit is not None and self._field_size > limit:
                raise RequestEntityTooLarge()
        return data

    def _take(self, end: int) -> bytes:
        """The undecoded bytes up to ``end``, consumed."""
        start = self._pos
        if end <= start:
            return b""
        self._pos = end
        return self._buffer[start:end]

    def _enter_epilogue(self, start: int) -> None:
        self.state = MultipartState.EPILOGUE
        self._epilogue.append(self._buffer[start:])
        self._buffer = b""
        self._pos = self._search_from = 0


# --- the encoder ---------------------------------------------------------------


class MultipartEncoder:
    """Turn the decoder's events back into multipart bytes (``send_event``)."""

    def __init__(self, boundary: bytes) -> None:
        self.boundary = boundary
        self._part_started = False

    def send_event(self, event: MultipartEvent) -> bytes:
        if isinstance(event, Preamble):
            return event.data
        if isinstance(event, (Field, File)):
            return self._part_head(event)
        if isinstance(event, Data):
            if self._part_started:
                self._part_started = False
                # The blank line after the headers, unless the body is empty.
                return b"\r\n" + event.data if event.data else event.data
            return event.data
        if isinstance(event, Epilogue):
            return b"\r\n--" + self.boundary + b"--\r\n" + event.data
        raise ValueError("Cannot encode %r" % (event,))

    def _part_head(self, event: Field | File) -> bytes:
        disposition = 'form-data; name="%s"' % event.name
        if isinstance(event, File):
            disposition += '; filename="%s"' % event.filename
        lines = ["Content-Disposition: " + disposition]
        for key, value in event.headers.items():
            if key.lower() != "content-disposition":
                lines.append("%s: %s" % (key, value))
        self._part_started = True
        head = "".join(line + "\r\n" for line in lines).encode()
        return b"\r\n--" + self.boundary + b"\r\n" + head
