"""Hostile input: every item an attack on microflask found, as a regression test.

In process (headers, hosts, JSON, multipart) and against the built-in
server on loopback (chunked bodies, odd request lines, memory while a huge
chunk arrives).  Each asserts a clear 4xx, never a 500 from framework code.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from microflask import Flask, request, url_for
from microflask.datastructures import Headers
from microflask import json as microflask_json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- header names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "X-a\r\nSet-Cookie: injected=1", "X-a\nb", "X-a\rb", "X\x00a", "X a", "X:a", "", "Ä",
])
def test_header_names_must_be_tokens(name):
    headers = Headers()
    for store in (
        lambda: headers.__setitem__(name, "v"),
        lambda: headers.add(name, "v"),
        lambda: headers.set(name, "v"),
        lambda: headers.extend([(name, "v")]),
        lambda: Headers([(name, "v")]),
        lambda: headers.setdefault(name, "v"),
    ):
        with pytest.raises(ValueError, match="RFC 9110 token"):
            store()
    assert list(headers) == []
    headers["X-Fine_1.2!#$%&'*+^`|~"] = "ok"
    assert headers["x-fine_1.2!#$%&'*+^`|~"] == "ok"


def test_a_nul_in_a_header_value_is_named_as_such():
    with pytest.raises(ValueError, match="NUL"):
        Headers().add("X-A", "a\x00b")
    with pytest.raises(ValueError, match="newline"):
        Headers().add("X-A", "a\nb")


def test_a_header_name_from_the_query_cannot_split_the_response(served):
    # The view builds a header name from user input; the name is refused
    # (the view's own error, a 500), and nothing reaches the wire.
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
        sock.sendall(b"GET /header?n=a%0D%0ASet-Cookie:%20injected=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        data = read_until_closed_or_complete(sock)
    assert b"injected" not in data
    assert data.startswith(b"HTTP/1.1 500")


# -- hosts ---------------------------------------------------------------------------------------


def host_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "%s|%s" % (url_for("index", _external=True), request.host)

    return app


@pytest.mark.parametrize("host", ["\x80", "x\x85", "\u00e4" * 70])
def test_a_host_the_url_map_cannot_encode_is_a_400_before_dispatch(host):
    client = host_app().test_client()
    assert client.get("/", headers={"Host": host}).status_code == 400
    assert client.open("/", method="OPTIONS", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize(
    "host, status",
    [
        ("example.com:80:80", 400),
        ("example.com:8x", 400),
        ("example.com:70000", 400),
        ("example.com:", 200),
        ("example.com", 200),
        ("example.com:8080", 200),
        ("sub.example.com", 400),
        ("EXAMPLE.COM", 200),  # host names are case-insensitive: one rule everywhere (see README)
    ],
)
def test_trusted_hosts_refuse_malformed_ports(host, status):
    app = host_app()
    app.config["TRUSTED_HOSTS"] = ["example.com"]
    assert app.test_client().get("/", headers={"Host": host}).status_code == status


# -- JSON and multipart --------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400_not_a_recursion_error():
    app = Flask(__name__)

    @app.post("/")
    def index():
        return repr(request.get_json())

    deep = "[" * 100000 + "]" * 100000
    response = app.test_client().post("/", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert (
        app.test_client().post("/", data="[[1]]", content_type="application/json").data == b"[[1]]"
    )
    with pytest.raises(ValueError, match="nested too deeply"):
        microflask_json.loads(deep)
    with app.app_context():
        with pytest.raises(ValueError, match="nested too deeply"):
            microflask_json.loads(deep)
    with pytest.raises(ValueError):
        json.loads("{")  # unchanged: the standard library's own errors stay


def test_a_multipart_part_without_a_name_is_named_empty_in_form_and_files():
    app = Flask(__name__)

    @app.post("/")
    def index():
        return "%r %r" % (sorted(request.form.keys()), sorted(request.files.keys()))

    body = (b'--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n'
            b'--B\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\nf\r\n'
            b'--B\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--B--\r\n')
    response = app.test_client().post(
        "/", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.data == b"['', 'x'] ['']"


# -- against the built-in server -----------------------------------------------------------------

SERVED_APP = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[1])
    from microflask import Flask, request
    from microflask.serving import serve

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024

    @app.route("/", methods=["GET", "POST"])
    def index():
        return "path=%s" % request.path

    @app.post("/form")
    def form():
        return "form=%r" % sorted(request.form.items())

    @app.post("/data")
    def data():
        return "%d bytes" % len(request.get_data())

    @app.route("/header")
    def header():
        response = app.make_response("ok")
        response.headers["X-" + request.args["n"]] = "v"
        return response

    serve(app, port=0, threads=2, access_log=False, body_timeout=5)
''')


class Served:
    def __init__(self, tmp_path):
        script = tmp_path / "hostile_app.py"
        script.write_text(SERVED_APP)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", FLASK_SKIP_DOTENV="1")
        self.process = subprocess.Popen(
            [sys.executable, str(script), ROOT],
            cwd=str(tmp_path),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        line = self.process.stderr.readline()
        match = re.search(rb"Serving on http://127\.0\.0\.1:(\d+)", line)
        if match is None:
            self.process.kill()
            raise AssertionError("server did not start: %r" % line)
        self.port = int(match.group(1))

    def rss_kib(self):
        with open("/proc/%d/status" % self.process.pid) as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=10)
        self.stderr = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return code


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    running = Served(tmp_path_factory.mktemp("hostile"))
    yield running
    assert running.stop() == 0
    assert b"Traceback" not in running.stderr or b"ValueError: Header names" in running.stderr


def read_until_closed_or_complete(sock, limit=1 << 20):
    data = b""
    while len(data) < limit:
        try:
            piece = sock.recv(65536)
        except socket.timeout:
            break
        if not piece:
            break
        data += piece
        head, sep, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: (\d+)", head)
        if sep and length and len(body) >= int(length.group(1)):
            break
    return data


def exchange(served, raw):
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
        sock.sendall(raw)
        return read_until_closed_or_complete(sock)


@pytest.mark.parametrize("size_line", [
    b"10000000000000000", b"fffffffffff", b"zz", b"-1", b"1" * 2048, b"0x10", b"+5", b"5 5",
])
def test_absurd_or_invalid_chunk_sizes_are_a_400_that_closes(served, size_line):
    raw = (b"POST /data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           + size_line + b"\r\nabcde\r\n0\r\n\r\n")
    reply = exchange(served, raw)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:100]
    assert b"Connection: close" in reply


def test_a_bad_chunk_in_a_form_body_is_a_400_not_an_empty_form(served):
    raw = (
        b"POST /form HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n3\r\na=1\r\nzz\r\n&b=2\r\n0\r\n"
        b"\r\n"
    )
    assert exchange(served, raw).startswith(b"HTTP/1.1 400")


def test_a_request_after_empty_lines_is_answered(served):
    reply = exchange(served, b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"path=/")


def test_a_fragment_in_the_target_is_not_part_of_the_path(served):
    reply = exchange(served, b"GET /#frag HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"path=/")


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the server's memory from /proc"
)
def test_one_huge_chunk_is_refused_while_it_arrives_with_flat_memory(served):
    # A single 64 MiB chunk against MAX_CONTENT_LENGTH = 10 MiB: the 413
    # comes once the limit is passed; the server holds at most what the app
    # buffers (get_data, up to the limit), never the chunk.
    before = served.rss_kib()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(
            b"POST /data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4000000\r\n"
        )
        piece = b"x" * (1 << 20)
        sent = 0
        try:
            for _ in range(64):
                sock.sendall(piece)
                sent += len(piece)
        except OSError:
            pass  # the server answered and closed: the rest is not wanted
        reply = read_until_closed_or_complete(sock)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:100]
    assert served.rss_kib() - before < 20 * 1024  # the 10 MiB the app buffers, not 64 MiB
    assert time.monotonic() - started < 10
