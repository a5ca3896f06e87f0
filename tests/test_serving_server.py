"""The built-in server as a person runs it: a subprocess on a free port, over loopback.

Each test talks to a real ``microflask.serving.serve`` (or ``microflask
serve``) process with raw sockets or ``http.client``: keep-alive without a
stall, pipelining, chunked bodies both ways, ``100-continue``, the head
limits and timeouts, many idle and slow connections, a graceful SIGTERM.
"""

import http.client
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the tests signal the server with SIGTERM")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

APP_SOURCE = textwrap.dedent('''
    import sys, time
    from microflask import Flask, request

    app = Flask(__name__)

    @app.route("/")
    def index():
        return "hello"

    @app.route("/path/<name>")
    def path(name):
        return "path=" + name

    @app.route("/read-body", methods=["POST"])
    def read_body():
        return "read %d bytes: %s" % (len(request.get_data()), request.get_data()[:20].decode())

    @app.route("/ignore-body", methods=["POST"])
    def ignore_body():
        return "ignored"

    @app.route("/stream")
    def stream():
        return app.response_class(("part%d;" % i for i in range(3)), mimetype="text/plain")

    @app.route("/slow")
    def slow():
        time.sleep(float(request.args.get("seconds", "1")))
        return "done"

    def injected_header_app(environ, start_response):
        start_response(
            "200 OK", [("X-Name", "a\\r\\nSet-Cookie: injected=1"), ("Content-Length", "2")]
        )
        return [b"ok"]

    def crashing_app(environ, start_response):
        raise RuntimeError("the app itself failed")

    from microflask.middleware import DispatcherMiddleware
    served = DispatcherMiddleware(app, {"/raw": injected_header_app, "/crash": crashing_app})
''')

SERVE_SCRIPT = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[1])
    sys.path.insert(0, sys.argv[2])
    from served_app import served
    from microflask.serving import serve
    serve(served, port=0, threads=int(sys.argv[3]), head_timeout=float(sys.argv[4]),
          body_timeout=1.0, keep_alive_timeout=30, shutdown_timeout=5)
''')


def child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["FLASK_SKIP_DOTENV"] = "1"
    for name in ("FLASK_APP", "FLASK_DEBUG", "MICROFLASK_RUN_MAIN", "WERKZEUG_RUN_MAIN"):
        env.pop(name, None)
    return env


def wait_for_line(process, pattern, deadline=15.0):
    """Read the child's stderr until a line matches ``pattern``; return the match."""
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    end = time.monotonic() + deadline
    seen = b""
    while time.monotonic() < end:
        if not selector.select(timeout=max(0.0, end - time.monotonic())):
            break
        line = process.stderr.readline()
        if not line:
            break
        seen += line
        match = re.search(pattern, line)
        if match:
            return match
    process.kill()
    raise AssertionError("no line matching %r in: %r" % (pattern, seen))


class ServerProcess:
    def __init__(self, tmp_path, threads=4, head_timeout=10.0):
        (tmp_path / "served_app.py").write_text(APP_SOURCE)
        script = tmp_path / "serve_it.py"
        script.write_text(SERVE_SCRIPT)
        self.process = subprocess.Popen(
            [sys.executable, str(script), ROOT, str(tmp_path), str(threads), str(head_timeout)],
            cwd=str(tmp_path), env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            bufsize=0,
        )
        self.port = int(wait_for_line(self.process, rb"Serving on http://127\.0\.0\.1:(\d+)").group(1))

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def stop(self, signalled=False):
        if not signalled:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise
        self.stderr = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return code


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = ServerProcess(tmp_path_factory.mktemp("server"), threads=2, head_timeout=0.5)
    yield running
    assert running.stop() == 0


def read_response(sock, buffered=b""):
    """Read one response from a raw socket: (status line, headers dict, body, rest)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            raise AssertionError("connection closed mid-head: %r" % data)
        data += piece
    head, _, data = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(data) < length:
            data += sock.recv(65536)
        return lines[0], headers, data[:length], data[length:]
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in data:
                data += sock.recv(65536)
            size_line, _, data = data.partition(b"\r\n")
            size = int(size_line, 16)
            while len(data) < size + 2:
                data += sock.recv(65536)
            body, data = body + data[:size], data[size + 2:]
            if size == 0:
                return lines[0], headers, body, data
    while True:  # delimited by the connection's end
        piece = sock.recv(65536)
        if not piece:
            return lines[0], headers, data, b""
        data += piece


def request_bytes(path, method="GET", headers=(), body=b""):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: test"]
    lines += ["%s: %s" % pair for pair in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# -- keep-alive, pipelining, bodies ----------------------------------------------------------------


def test_keep_alive_requests_do_not_stall(server):
    # The old server held each body back ~40 ms (Nagle + delayed ACK): 20
    # requests took ~800 ms.  Ten times the normal cost is the bound here.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/")
    conn.getresponse().read()
    first_socket = conn.sock
    started = time.perf_counter()
    for _ in range(20):
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.read() == b"hello"
    elapsed = time.perf_counter() - started
    assert conn.sock is first_socket  # one connection throughout
    conn.close()
    assert elapsed < 0.5, "20 keep-alive requests took %.0f ms" % (elapsed * 1000)


def test_concurrent_keep_alive_clients_all_get_every_answer(server):
    # Workers hand connections back to the loop all the time here; a lost
    # wake-up would leave some connection waiting for its answer for ever.
    failures = []

    def client(number):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            for i in range(40):
                conn.request("GET", "/path/%d-%d" % (number, i))
                assert conn.getresponse().read() == b"path=%d-%d" % (number, i)
            conn.close()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append((number, repr(error)))

    clients = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(30)
    assert failures == []


def test_pipelined_requests_are_answered_in_order(server):
    with server.connect() as sock:
        sock.sendall(b"".join(request_bytes("/path/%d" % i) for i in range(5)))
        rest = b""
        for i in range(5):
            status, _headers, body, rest = read_response(sock, rest)
            assert status == "HTTP/1.1 200 OK"
            assert body == b"path=%d" % i


def test_chunked_request_body_and_chunked_response(server):
    with server.connect() as sock:
        body = b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n"
        sock.sendall(request_bytes("/read-body", "POST", [("Transfer-Encoding", "chunked")], body))
        status, _headers, response_body, rest = read_response(sock)
        assert response_body == b"read 12 bytes: hello, world"
        sock.sendall(request_bytes("/stream"))
        status, headers, response_body, rest = read_response(sock, rest)
        assert headers["transfer-encoding"] == "chunked"
        assert response_body == b"part0;part1;part2;"


def test_malformed_chunked_body_is_a_400(server):
    with server.connect() as sock:
        body = b"zz\r\nhello\r\n0\r\n\r\n"
        sock.sendall(request_bytes("/read-body", "POST", [("Transfer-Encoding", "chunked")], body))
        status, headers, _body, _rest = read_response(sock)
        assert status.startswith("HTTP/1.1 400")
        assert headers["connection"] == "close"


def test_http_1_0_keep_alive_when_asked(server):
    with server.connect() as sock:
        for _ in range(2):
            sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            status, headers, body, _rest = read_response(sock)
            assert body == b"hello" and headers["connection"] == "keep-alive"
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        status, headers, body, _rest = read_response(sock)
        assert headers["connection"] == "close"
        assert sock.recv(10) == b""


def test_100_continue_is_sent_only_when_the_app_reads_the_body(server):
    expect = [("Expect", "100-continue"), ("Content-Length", "5")]
    with server.connect() as sock:
        sock.sendall(request_bytes("/read-body", "POST", expect))
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"abcde")
        status, _headers, body, _rest = read_response(sock)
        assert body == b"read 5 bytes: abcde"
    with server.connect() as sock:
        sock.sendall(request_bytes("/ignore-body", "POST", expect))
        status, headers, body, rest = read_response(sock)
        assert status == "HTTP/1.1 200 OK" and body == b"ignored"
        assert b"100 Continue" not in rest
        # The body never asked for may still come: the connection is not reused.
        assert headers["connection"] == "close"


# -- limits and bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "414"),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: 1\r\n" % i for i in range(101))
            + b"\r\n",
            "431",
        ),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n", "431"),
        (b"GET / HTTP/1.1\r\n\r\n", "400"),  # no Host
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", "400"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "400"),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "400",
        ),
        (b"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501"),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "505"),
        (b"GET /\r\n\r\n", "400"),  # HTTP/0.9 is not served
    ],
)
def test_bad_heads_get_a_4xx_or_5xx_with_a_reason(server, raw, status):
    with server.connect() as sock:
        sock.sendall(raw)
        got_status, headers, body, _rest = read_response(sock)
    assert got_status.split(" ")[1] == status, got_status
    assert headers["connection"] == "close"
    assert body.startswith(status.encode()) and len(body.splitlines()) >= 3  # says why


def test_a_response_header_with_crlf_never_reaches_the_wire(server):
    with server.connect() as sock:
        sock.sendall(request_bytes("/raw"))
        status, headers, body, _rest = read_response(sock)
    assert status.startswith("HTTP/1.1 500")
    assert "set-cookie" not in headers


def test_slow_head_is_timed_out(server):
    # This server's head timeout is 0.5 s: a client that stops mid-head gets a 408.
    with server.connect() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        status, _headers, body, _rest = read_response(sock)
        assert status.startswith("HTTP/1.1 408")
        assert sock.recv(10) == b""
        assert 0.3 < time.monotonic() - started < 3


def test_slow_body_is_timed_out(server):
    # The body timeout is 1 s here: the app's read of a stalled body is a 408.
    with server.connect() as sock:
        sock.sendall(request_bytes("/read-body", "POST", [("Content-Length", "10")], b"abc"))
        started = time.monotonic()
        status, headers, _body, _rest = read_response(sock)
        assert status.startswith("HTTP/1.1 408")
        assert headers["connection"] == "close"
        assert 0.5 < time.monotonic() - started < 5


def test_an_error_escaping_the_app_is_a_plain_500_and_a_logged_traceback(tmp_path):
    running = ServerProcess(tmp_path, threads=1)
    try:
        with running.connect() as sock:
            sock.sendall(request_bytes("/crash/"))
            status, headers, body, _rest = read_response(sock)
        assert status.startswith("HTTP/1.1 500")
        assert headers["content-type"].startswith("text/plain")
        assert body.startswith(b"Internal Server Error")
        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
        conn.request("GET", "/")  # the server goes on
        assert conn.getresponse().read() == b"hello"
        conn.close()
    finally:
        assert running.stop() == 0
    assert b"Traceback" in running.stderr
    assert b"RuntimeError: the app itself failed" in running.stderr
    assert b'"GET /crash/ HTTP/1.1" 500' in running.stderr


def test_many_idle_and_slow_connections_do_not_hold_the_workers(tmp_path):
    # Two workers, 200 idle keep-alive connections and 100 slowloris clients:
    # a normal request still gets its answer at once.
    running = ServerProcess(tmp_path, threads=2, head_timeout=20)
    sockets = []
    try:
        for i in range(200):
            sock = running.connect()
            sock.sendall(request_bytes("/"))
            read_response(sock)
            sockets.append(sock)
        for i in range(100):
            sock = running.connect()
            sock.sendall(b"GET /slowloris HTTP/1.1\r\nHost: x\r\nX-Drip: ")
            sockets.append(sock)
        time.sleep(0.2)
        for _ in range(5):
            started = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
            conn.request("GET", "/")
            assert conn.getresponse().read() == b"hello"
            conn.close()
            assert time.monotonic() - started < 1.0
        # The idle connections are still usable.
        sockets[0].sendall(request_bytes("/path/again"))
        assert read_response(sockets[0])[2] == b"path=again"
    finally:
        for sock in sockets:
            sock.close()
        assert running.stop() == 0


# -- stopping ------------------------------------------------------------------------------------


def test_sigterm_lets_the_request_in_progress_finish(tmp_path):
    running = ServerProcess(tmp_path, threads=2)
    results = {}

    def slow_request():
        conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
        conn.request("GET", "/slow?seconds=1")
        response = conn.getresponse()
        results["status"], results["body"] = response.status, response.read()

    idle = running.connect()  # an idle connection is simply closed
    client = threading.Thread(target=slow_request)
    client.start()
    time.sleep(0.3)
    started = time.monotonic()
    running.process.send_signal(signal.SIGTERM)
    client.join(10)
    assert results == {"status": 200, "body": b"done"}
    assert running.stop(signalled=True) == 0
    assert time.monotonic() - started < 5
    assert idle.recv(10) == b""
    idle.close()
    with pytest.raises(OSError):
        running.connect()
    assert b"Traceback" not in running.stderr
    assert b'"GET /slow?seconds=1 HTTP/1.1" 200 4' in running.stderr


# -- the command line ----------------------------------------------------------------------------


def test_microflask_serve_command(tmp_path):
    app_file = tmp_path / "cli_app.py"
    app_file.write_text(APP_SOURCE)
    process = subprocess.Popen(
        [sys.executable, "-m", "microflask", "--app", "cli_app", "serve", "--port", "0",
         "--threads", "3"],
        cwd=str(tmp_path), env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        bufsize=0,
    )
    try:
        match = wait_for_line(process, rb"Serving on http://127\.0\.0\.1:(\d+) with 3 thread")
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=5)
        conn.request("GET", "/path/cli")
        assert conn.getresponse().read() == b"path=cli"
        conn.close()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
    out, err = process.communicate(timeout=5)
    assert code == 0, err
    assert b"development server" not in err and b"Debugger" not in err
    # The common log format: host ident user [date] "request" status size
    assert re.search(
        rb'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /path/cli '
        rb'HTTP/1\.1" 200 8',
        err,
    ), err


def test_port_in_use_is_one_line_and_exit_status_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = "from microflask.serving import run_simple\nrun_simple('127.0.0.1', %d, None)" % port
        result = subprocess.run([sys.executable, "-c", code], env=child_env(), cwd=str(tmp_path),
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "port %d is in use" % port in result.stderr


# -- the reloader keeps the interpreter's flags ----------------------------------------------------


def test_interpreter_flags_are_passed_on():
    code = (
        "from microflask.serving import _interpreter_flags; print(' '.join(_interpreter_flags()))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-X", "utf8", "-W", "error::DeprecationWarning", "-c",
         "import sys; sys.path.insert(0, %r); %s" % (ROOT, code)],
        capture_output=True, text=True, timeout=30,
    )
    flags = result.stdout.split()
    assert result.returncode == 0, result.stderr
    for expected in ("-I", "-S", "-B", "-Xutf8", "-Werror::DeprecationWarning"):
        assert expected in flags


def test_reloader_child_runs_with_the_same_flags(tmp_path):
    script = tmp_path / "flags_app.py"
    script.write_text(textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        from microflask.serving import run_simple

        def app(environ, start_response):
            body = ("%%d %%d" %% (sys.flags.isolated, sys.flags.no_site)).encode()
            start_response("200 OK", [("Content-Length", str(len(body)))])
            return [body]

        run_simple("127.0.0.1", 0, app, use_reloader=True, reloader_interval=0.2)
    ''' % ROOT))
    process = subprocess.Popen([sys.executable, "-I", "-S", str(script)], cwd=str(tmp_path),
                               env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               bufsize=0)
    try:
        port = int(wait_for_line(process, rb"Running on http://127\.0\.0\.1:(\d+)").group(1))
        body, deadline = None, time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/")
                body = conn.getresponse().read()
                conn.close()
                break
            except OSError:
                time.sleep(0.1)
        assert body == b"1 1"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        process.communicate(timeout=5)
    assert code == 0


def test_worker_processes_serve_and_stop_together(tmp_path):
    (tmp_path / "pid_app.py").write_text(textwrap.dedent('''
        import os

        def app(environ, start_response):
            body = ("%d %s" % (os.getpid(), environ["wsgi.multiprocess"])).encode()
            start_response("200 OK", [("Content-Length", str(len(body)))])
            return [body]
    '''))
    script = (
        "import sys; sys.path.insert(0, %r); from pid_app import app\n"
        "from microflask.serving import serve\nserve(app, port=0, threads=2, processes=2)"
        % str(tmp_path)
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=str(tmp_path), env=child_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    try:
        match = wait_for_line(
            process, rb"Serving on http://127\.0\.0\.1:(\d+) with 2 thread\(s\) in 2 processes"
        )
        answers = set()
        for _ in range(20):
            conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=5)
            conn.request("GET", "/")
            answers.add(conn.getresponse().read())
            conn.close()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        process.communicate(timeout=5)
    assert code == 0
    pids = {int(answer.split()[0]) for answer in answers}
    assert process.pid not in pids  # the parent only supervises
    assert all(answer.endswith(b" True") for answer in answers)
    for pid in pids:  # every worker process has exited with the parent
        with pytest.raises(OSError):
            os.kill(pid, 0)
