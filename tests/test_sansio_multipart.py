"""Tests for microflask.sansio.multipart (Werkzeug's werkzeug.sansio.multipart):
the multipart decoder as events, fed in pieces of any size, and the one
form parser built on it (microflask.formparser.MultiPartParser)."""

import io
import random

import pytest

import microflask.formparser as formparser
import microflask.sansio.multipart as multipart
from microflask.exceptions import ClientDisconnected, RequestEntityTooLarge
from microflask.sansio.multipart import (
    NEED_DATA,
    Data,
    Epilogue,
    Field,
    File,
    MultipartDecoder,
    NeedData,
    Preamble,
    State,
)

BODY = (
    b"preamble\r\n"
    b"--bnd\r\n"
    b'Content-Disposition: form-data; name="a"\r\n\r\n'
    b"first value\r\n"
    b"--bnd  \r\n"
    b'Content-Disposition: form-data; name="f"; filename="f.bin"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
    b"line one\r\nline two\r\n--bn not a boundary\r\n--bndX neither\r\n"
    b"--bnd\r\n"
    b'Content-Disposition: form-data; name="empty"\r\n\r\n'
    b"\r\n--bnd--\r\n"
    b"epilogue"
)


def decode(pieces, boundary=b"bnd", **limits):
    """Feed ``pieces`` (then the end) to a decoder; return every event but NEED_DATA."""
    decoder = MultipartDecoder(boundary, **limits)
    events = []
    for piece in list(pieces) + [None]:
        decoder.receive_data(piece)
        event = decoder.next_event()
        while event is not NEED_DATA:
            events.append(event)
            if isinstance(event, Epilogue):
                return events
            event = decoder.next_event()
    raise AssertionError("no Epilogue: %r" % events)


def merged(events):
    """Events with each part's Data joined into one, so any chunking compares equal."""
    out = []
    for event in events:
        if isinstance(event, Data) and out and isinstance(out[-1], Data) and out[-1].more_data:
            event = Data(out.pop().data + event.data, event.more_data)
        out.append(event)
    return out


def pieces_of(body, size):
    return [body[i : i + size] for i in range(0, len(body), size)]


# -- the public names ---------------------------------------------------------------------------


def test_formparser_reexports_the_sansio_decoder_and_events():
    for name in ("MultipartDecoder", "MultipartEncoder", "Data", "Epilogue", "Field", "File",
                 "NeedData", "Preamble"):
        assert getattr(formparser, name) is getattr(multipart, name)
        assert name in formparser.__all__
    assert set(multipart.__all__) >= {"Event", "NEED_DATA", "State", "MultipartDecoder"}
    assert isinstance(NEED_DATA, NeedData) and isinstance(NEED_DATA, multipart.Event)


# -- events ----------------------------------------------------------------------------------


def test_events_of_a_whole_body():
    events = merged(decode([BODY]))
    assert [type(event) for event in events] == [
        Preamble, Field, Data, File, Data, Field, Data, Epilogue,
    ]
    preamble, field, value, upload, content, empty, nothing, epilogue = events
    assert preamble == Preamble(b"preamble")
    assert (field.name, value) == ("a", Data(b"first value", False))
    assert (upload.name, upload.filename) == ("f", "f.bin")
    assert upload.headers["Content-Type"] == "application/octet-stream"
    assert content.data == b"line one\r\nline two\r\n--bn not a boundary\r\n--bndX neither"
    assert (empty.name, nothing) == ("empty", Data(b"", False))
    assert epilogue == Epilogue(b"epilogue")


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6, 7, 11, 64])
def test_any_chunking_gives_the_same_events(size):
    assert merged(decode(pieces_of(BODY, size))) == merged(decode([BODY]))


@pytest.mark.parametrize("newline", [b"\r\n", b"\n", b"\r"])
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_a_part_may_end_right_after_its_blank_line(newline, size):
    # No line of data at all: the blank line's line break is the one before
    # the boundary (Werkzeug reads it the same way).
    body = newline.join([
        b"--bnd", b'Content-Disposition: form-data; name="a"', b"", b"--bnd",
        b'Content-Disposition: form-data; name="b"', b"", b"x", b"--bnd--",
    ])
    events = merged(decode(pieces_of(body, size)))
    values = [(event.name, data.data) for event, data in zip(events[1::2], events[2::2])]
    assert values == [("a", b""), ("b", b"x")]


def test_data_is_held_back_only_where_a_boundary_may_begin():
    decoder = MultipartDecoder(b"bnd")
    decoder.receive_data(b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\n')
    assert decoder.next_event() == Preamble(b"")
    assert isinstance(decoder.next_event(), Field)
    assert decoder.state is State.DATA
    decoder.receive_data(b"no line break at all")
    assert decoder.next_event() == Data(b"no line break at all", True)
    decoder.receive_data(b"abc\r")
    assert decoder.next_event() == Data(b"abc", True)
    assert decoder.next_event() is NEED_DATA
    decoder.receive_data(b"\n-")
    assert decoder.next_event() is NEED_DATA
    decoder.receive_data(b"-bnd--")
    assert decoder.next_event() == Data(b"", False)
    assert decoder.state is State.EPILOGUE
    assert decoder.last_newline(b"abc\r\n--bn") == 3
    assert decoder.last_newline(b"abc") == 3
    assert decoder.last_newline(b"\n" + b"x" * 20) == 21  # too far back to begin a boundary


def test_the_closing_line_end_is_not_part_of_the_epilogue_even_when_split():
    start = b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--bnd--'
    assert decode([start, b" \t", b"\r", b"\nafter"])[-1] == Epilogue(b"after")
    assert decode([start + b"\n\nafter"])[-1] == Epilogue(b"\nafter")
    assert decode([start])[-1] == Epilogue(b"")


def test_state_goes_through_the_body_in_order():
    decoder = MultipartDecoder(b"bnd")
    seen = [decoder.state]
    decoder.receive_data(BODY)
    decoder.receive_data(None)
    while decoder.state is not State.COMPLETE:
        decoder.next_event()
        if decoder.state is not seen[-1]:
            seen.append(decoder.state)
    assert seen == [State.PREAMBLE, State.PART, State.DATA, State.PART, State.DATA, State.PART,
                    State.DATA, State.EPILOGUE, State.COMPLETE]
    assert decoder.next_event() is NEED_DATA


# -- limits and malformed bodies ----------------------------------------------------------------


def test_a_text_field_over_the_memory_limit_is_refused_while_it_streams():
    decoder = MultipartDecoder(b"bnd", max_form_memory_size=10)
    decoder.receive_data(b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\n0123456789')
    decoder.next_event(), decoder.next_event()
    assert decoder.next_event() == Data(b"0123456789", True)
    decoder.receive_data(b"x")  # the body has not ended: the limit is checked as data comes
    with pytest.raises(RequestEntityTooLarge):
        decoder.next_event()


def test_files_are_not_held_to_the_memory_limit():
    body = b'--bnd\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n' + b"x" * 100
    events = merged(decode([body + b"\r\n--bnd--"], max_form_memory_size=10))
    assert events[2] == Data(b"x" * 100, False)


def test_too_many_parts_is_refused_at_the_first_one_too_many():
    body = b"".join(
        b'--bnd\r\nContent-Disposition: form-data; name="p"\r\n\r\nv\r\n' for _ in range(3)
    )
    assert len(decode([body + b"--bnd--"], max_parts=3)) == 8
    with pytest.raises(RequestEntityTooLarge):
        decode([body + b"--bnd--"], max_parts=2)


MALFORMED_BODIES = [
    (b"", "no boundary"),
    (b"x" * 70_000, "preamble is too large"),
    (b"--bnd\r\nX-A: " + b"a" * 70_000, "headers are too large"),
    (b"--bnd\r\nContent-Type: text/plain\r\n\r\nx\r\n--bnd--", "no Content-Disposition"),
    (b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\nx', "before its closing boundary"),
    (b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--bnd', "in a boundary line"),
    (b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--bnd' + b" " * 2000,
     "boundary line"),
    (b"--bnd\r\nContent-Disposition: form-data", "in a part's headers"),
]


@pytest.mark.parametrize(
    "body, message", MALFORMED_BODIES, ids=[message for _, message in MALFORMED_BODIES]
)
def test_malformed_bodies_raise_value_error_with_a_reason(body, message):
    for size in (1 if len(body) < 1000 else 7, 4096, len(body) or 1):
        with pytest.raises(ValueError, match=message):
            decode(pieces_of(body, size))


@pytest.mark.parametrize("boundary", [b"", b"b" * 201])
def test_an_empty_or_huge_boundary_is_refused(boundary):
    with pytest.raises(ValueError):
        MultipartDecoder(boundary)


# -- the form parser on top of it -----------------------------------------------------------


def test_file_data_reaches_the_stream_factory_while_the_body_arrives():
    writes = []

    class RecordingFile(io.BytesIO):
        def write(self, data):
            writes.append(len(data))
            return super().write(data)

    opened = []

    def factory(**kwargs):
        opened.append(RecordingFile())
        return opened[-1]

    head = b'--bnd\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
    body = head + b"x" * 50_000  # the client goes away before the closing boundary
    stream = formparser.LimitedStream(io.BytesIO(body), len(body) + 1000)
    parser = formparser.MultiPartParser(stream_factory=factory, buffer_size=4096)
    with pytest.raises(ClientDisconnected):
        parser.parse(stream, b"bnd", None)
    assert sum(writes) > 40_000 and len(writes) > 10
    assert opened[0].closed


def test_the_parser_drains_the_epilogue_without_keeping_it():
    body = (
        b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--bnd--\r\n'
        + b"e" * 300_000
    )
    stream = io.BytesIO(body)
    form, files = formparser.MultiPartParser(buffer_size=1024).parse(stream, b"bnd", len(body))
    assert form.to_dict() == {"a": "v"} and not files
    assert stream.tell() == len(body)


def test_an_empty_value_right_after_the_blank_line_is_parsed_as_werkzeug_does():
    body = (
        b'--bnd\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
        b'--bnd\r\nContent-Disposition: form-data; name="b"\r\n\r\nx\r\n--bnd--\r\n'
    )
    form, _ = formparser.MultiPartParser().parse(io.BytesIO(body), b"bnd", len(body))
    assert list(form.items(multi=True)) == [("a", ""), ("b", "x")]


_ODD_BYTES = [b"\r", b"\n", b"\r\n", b"--", b"--B", b"\r\n--B", b"\r\n--B--", b"\r\n\r\n", b" ",
              b"\x00", b"\xff", b'"', b"Content-Disposition: form-data; name=z\r\n\r\n"]
_SEED_BODIES = [
    b'--B\r\nContent-Disposition: form-data; name="t"\r\n\r\nhi\r\n--B\r\nContent-Disposition: '
    b'form-data; name="f"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile\r\n--B--\r\n',
    b'pre\n--B\nContent-Disposition: form-data; name="t"\n\nhi\n--B\nContent-Disposition: '
    b'form-data; name="f"; filename="a"\n\nfi\rle\n--B--\nepi',
    b'--B\rContent-Disposition: form-data; name="t"\r\rhi\r--B  \rContent-Disposition: '
    b'form-data; name="u"\r\r\r--B--',
]


def _mutated(rng, body):
    data = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        kind, at = rng.random(), rng.randrange(len(data) + 1)
        if kind < 0.3 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind < 0.7:
            data[at:at] = rng.choice(_ODD_BYTES)
        elif kind < 0.85:
            del data[at : at + rng.randint(1, 6)]
        else:
            del data[at:]
    return bytes(data)


def _outcome(body, buffer_size, limits):
    parser = formparser.MultiPartParser(buffer_size=buffer_size, **limits)
    try:
        form, files = parser.parse(io.BytesIO(body), b"B", len(body))
    except RequestEntityTooLarge:
        return "413"
    except ValueError:
        return "400"
    return list(form.items(multi=True)), [
        (k, v.filename, v.read()) for k, v in files.items(multi=True)
    ]


def test_mutated_bodies_give_one_outcome_whatever_the_chunk_size():
    # Only a result, a ValueError (400) or a 413; and never one that depends
    # on how the body was cut into reads.
    rng = random.Random(16)
    for _ in range(300):
        body = _mutated(rng, rng.choice(_SEED_BODIES))
        limits = rng.choice([{}, {"max_form_memory_size": 3}, {"max_form_parts": 1}])
        outcomes = {repr(_outcome(body, size, limits)) for size in (1, 2, 5, 64 * 1024)}
        assert len(outcomes) == 1, (body, outcomes)
