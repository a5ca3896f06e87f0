"""The streaming example: chunked text, server-sent events, and a real socket."""

import http.client
import importlib.util
import json
import pathlib
import subprocess
import sys
import time

import pytest

from served import free_port

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "stream.py"


def load_example():
    spec = importlib.util.spec_from_file_location("stream_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    return load_example()


@pytest.fixture
def client(example):
    example.app.testing = True
    return example.app.test_client()


def parse_events(text):
    """Split an event stream into frames, each a dict of its fields."""
    assert text.endswith("\n\n")
    frames = []
    for block in text[:-2].split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            fields[name] = value
        frames.append(fields)
    return frames


def test_stream_chunks_arrive_in_order(client):
    rv = client.get("/stream?count=3&prefix=chunk", buffered=False)
    assert rv.status_code == 200
    assert rv.mimetype == "text/plain"
    assert rv.is_streamed
    # ``prefix`` is read inside the generator, after the view returned:
    # stream_with_context kept the request context alive for it.
    assert list(rv.response) == [b"chunk 1 of 3\n", b"chunk 2 of 3\n", b"chunk 3 of 3\n"]
    rv.close()


def test_stream_is_bounded(client):
    assert client.get("/stream").data.count(b"\n") == 5
    lines = client.get("/stream?count=100000").data.splitlines()
    assert len(lines) == 100
    assert lines[-1] == b"line 100 of 100"
    assert client.get("/stream?count=-3").data == b""
    assert client.get("/stream?count=lots").data.count(b"\n") == 5


def test_request_context_inside_the_generator():
    from microflask import has_request_context, request, stream_with_context

    app = load_example().app  # a fresh app: this one has served no request yet
    seen = []

    @app.get("/probe")
    def probe():
        def generate():
            seen.append(has_request_context())
            yield request.args["word"]
            seen.append(request.path)

        return app.response_class(stream_with_context(generate()))

    with app.test_client() as client:
        rv = client.get("/probe?word=still-here", buffered=False)
        assert rv.get_data() == b"still-here"
        rv.close()
    assert seen == [True, "/probe"]


def test_closing_early_stops_the_generator():
    from microflask import stream_with_context

    app = load_example().app
    events = []

    @app.get("/endless")
    def endless():
        def generate():
            try:
                n = 0
                while True:
                    n += 1
                    yield "%d\n" % n
            finally:
                # A client that goes away closes the response, which closes this.
                events.append("closed after %d" % n)

        return app.response_class(stream_with_context(generate()))

    rv = app.test_client().get("/endless", buffered=False)
    chunks = iter(rv.response)
    assert [next(chunks), next(chunks)] == [b"1\n", b"2\n"]
    rv.close()
    assert events == ["closed after 2"]


def test_server_sent_events(client):
    rv = client.get("/events?count=3")
    assert rv.status_code == 200
    assert rv.mimetype == "text/event-stream"
    assert rv.headers["Cache-Control"] == "no-cache"
    frames = parse_events(rv.get_data(as_text=True))
    assert [f.get("id") for f in frames] == ["1", "2", "3", None]
    assert [json.loads(f["data"])["n"] for f in frames[:3]] == [1, 2, 3]
    assert json.loads(frames[0]["data"]) == {"n": 1, "of": 3, "path": "/events"}
    assert frames[-1] == {"event": "end", "data": "bye"}


def test_server_sent_events_are_bounded(client):
    frames = parse_events(client.get("/events?count=1000&interval=nan").get_data(as_text=True))
    assert len(frames) == 101


def test_sse_frame_splits_multiline_data(example):
    assert example.sse_frame("a\nb", event="note", event_id=7) == (
        "event: note\nid: 7\ndata: a\ndata: b\n\n"
    )


def test_index_page_listens_for_events(client):
    page = client.get("/").get_data(as_text=True)
    assert "new EventSource(" in page


def read_events_over_loopback(port):
    """GET /events from the running script, line by line as a browser reads it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/events?count=3&interval=0.05")
        response = conn.getresponse()
        lines = []
        while True:
            line = response.readline()
            if not line:  # the stream ended by itself
                return response, "".join(lines)
            lines.append(line.decode())
    finally:
        conn.close()


def test_events_over_a_real_socket():
    port = free_port()
    env = {"FLASK_RUN_PORT": str(port), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLE)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response, body = read_events_over_loopback(port)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        assert response.getheader("Cache-Control") == "no-cache"
        frames = parse_events(body)
        assert [json.loads(f["data"])["n"] for f in frames[:3]] == [1, 2, 3]
        assert frames[-1] == {"event": "end", "data": "bye"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
