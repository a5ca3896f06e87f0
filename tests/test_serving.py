"""microflask.serving: the development server, over real sockets on 127.0.0.1."""

import http.client
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from microflask import Flask, request, stream_with_context
from microflask import serving
from microflask.serving import is_running_from_reloader, make_server, run_app, run_simple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def demo_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "hello"

    @app.route("/whoami")
    def whoami():
        return "%s:%s" % (request.environ["REMOTE_ADDR"], request.environ["REMOTE_PORT"])

    @app.route("/echo", methods=["POST"])
    def echo():
        return request.get_data()

    @app.route("/stream")
    def stream():
        def generate():
            for i in range(3):
                yield "chunk%d;" % i

        return app.response_class(stream_with_context(generate()), mimetype="text/plain")

    @app.route("/upload", methods=["POST"])
    def upload():
        f = request.files["doc"]
        return "%s %s %d %s" % (request.form["title"], f.filename, len(f.read()), f.mimetype)

    @app.route("/fail")
    def fail():
        raise RuntimeError("view failed")

    @app.route("/empty")
    def empty():
        return "", 204

    return app


@pytest.fixture()
def server():
    srv = make_server("127.0.0.1", 0, demo_app(), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    thread.join(5)


def connect(srv):
    return http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)


def multipart_body(boundary):
    return (
        "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nReport\r\n"
        "--{b}\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"r.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\n{data}\r\n--{b}--\r\n"
    ).format(b=boundary, data="x" * 5000).encode()


def test_server_attributes_and_free_port(server):
    assert server.host == "127.0.0.1"
    assert server.port > 0
    assert server.server_address == ("127.0.0.1", server.port)
    assert server.multithread is True


def test_keep_alive_reuses_one_connection(server):
    conn = connect(server)
    conn.request("GET", "/whoami")
    first = conn.getresponse()
    first_body = first.read()
    assert first.status == 200
    assert first.getheader("Connection") is None
    assert first.version == 11
    conn.request("GET", "/whoami")
    second = conn.getresponse()
    assert second.read() == first_body  # same client port: the same TCP connection
    conn.close()


def test_streamed_response_is_chunked_and_keeps_alive(server):
    conn = connect(server)
    conn.request("GET", "/stream")
    response = conn.getresponse()
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.read() == b"chunk0;chunk1;chunk2;"
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"hello"
    conn.close()


def test_post_bodies_known_length_and_chunked(server):
    conn = connect(server)
    conn.request("POST", "/echo", body=b"payload")
    assert conn.getresponse().read() == b"payload"
    conn.request("POST", "/echo", body=iter([b"ab", b"cd", b"ef"]), encode_chunked=True,
                 headers={"Transfer-Encoding": "chunked"})
    assert conn.getresponse().read() == b"abcdef"
    conn.close()


def test_multipart_upload(server):
    conn = connect(server)
    body = multipart_body("XyZ")
    conn.request("POST", "/upload", body=body,
                 headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
    response = conn.getresponse()
    assert response.status == 200
    assert response.read() == b"Report r.txt 5000 text/plain"
    conn.close()


def test_unread_body_does_not_corrupt_the_next_request(server):
    conn = connect(server)
    conn.request("POST", "/", body=b"ignored by the view")  # 405, body never read
    response = conn.getresponse()
    response.read()
    assert response.status == 405
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"hello"
    conn.close()


def test_not_found_head_and_no_content(server):
    conn = connect(server)
    conn.request("GET", "/missing")
    response = conn.getresponse()
    assert response.status == 404
    assert b"Not Found" in response.read()
    conn.request("HEAD", "/")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Length") == "5"
    assert response.read() == b""
    conn.request("GET", "/empty")
    response = conn.getresponse()
    assert response.status == 204 and response.read() == b""
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"hello"
    conn.close()


def test_http_1_0_client_gets_a_closed_connection(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /stream HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            piece = sock.recv(4096)
            if not piece:
                break
            data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head
    assert body == b"chunk0;chunk1;chunk2;"


def test_percent_encoded_path_and_query(server):
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [("Content-Length", "0")])
        return []

    server.app = app
    conn = connect(server)
    conn.request("GET", "/a%20b/%C3%A9?x=1&y=%20")
    conn.getresponse().read()
    assert seen["PATH_INFO"] == "/a b/\xc3\xa9"  # WSGI: latin-1 decoded bytes
    assert seen["QUERY_STRING"] == "x=1&y=%20"
    assert seen["REQUEST_URI"] == "/a%20b/%C3%A9?x=1&y=%20"
    assert seen["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert seen["wsgi.url_scheme"] == "http"
    conn.close()


def test_app_error_gives_a_500_and_a_log_line(server, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    conn = connect(server)
    conn.request("GET", "/fail")
    response = conn.getresponse()
    assert response.status == 500
    assert b"Internal Server Error" in response.read()
    conn.close()
    time.sleep(0.05)
    messages = [record.getMessage() for record in caplog.records]
    assert any('"GET /fail HTTP/1.1" 500' in message for message in messages)


def test_request_log_line(server, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    conn = connect(server)
    conn.request("GET", "/?q=1")
    conn.getresponse().read()
    conn.close()
    time.sleep(0.05)
    lines = [r.getMessage() for r in caplog.records if "GET /?q=1" in r.getMessage()]
    assert lines, caplog.records
    line = lines[0]
    assert line.startswith("127.0.0.1 - - [")
    assert '"GET /?q=1 HTTP/1.1" 200 5 ' in line
    assert line.endswith("ms")


def test_bad_requests_get_a_4xx_not_a_crash(server):
    for raw in (b"NONSENSE\r\n\r\n", b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(raw)
            reply = sock.recv(200)
        assert reply.split(b" ")[1][:1] == b"4", reply
    conn = connect(server)
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"hello"


def test_ipv6_loopback():
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        srv = make_server("::1", 0, demo_app())
    except OSError:
        pytest.skip("cannot bind ::1")
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("::1", srv.port, timeout=5)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"hello"
        conn.close()
    finally:
        srv.shutdown()
        thread.join(5)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")
def test_tls_from_cert_and_key_files(tmp_path):
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
        check=True, capture_output=True, timeout=30,
    )
    srv = make_server("127.0.0.1", 0, demo_app(), threaded=True, ssl_context=(str(cert), str(key)))
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        conn = http.client.HTTPSConnection("127.0.0.1", srv.port, timeout=5, context=context)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"hello"
        conn.close()
    finally:
        srv.shutdown()
        thread.join(5)


def test_adhoc_tls_is_a_clear_error():
    with pytest.raises(RuntimeError, match="cryptography"):
        make_server("127.0.0.1", 0, demo_app(), ssl_context="adhoc")


def test_threaded_and_processes_conflict():
    with pytest.raises(ValueError):
        make_server("127.0.0.1", 0, demo_app(), threaded=True, processes=2)


def test_lazy_server_classes():
    assert serving.BaseWSGIServer.__name__ == "BaseWSGIServer"
    assert issubclass(serving.ThreadedWSGIServer, serving.BaseWSGIServer)
    assert serving.WSGIRequestHandler.protocol_version == "HTTP/1.1"
    with pytest.raises(AttributeError):
        serving.NoSuchThing  # noqa: B018


def test_is_running_from_reloader(monkeypatch):
    monkeypatch.delenv("MICROFLASK_RUN_MAIN", raising=False)
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert not is_running_from_reloader()
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert is_running_from_reloader()
    monkeypatch.delenv("WERKZEUG_RUN_MAIN")
    monkeypatch.setenv("MICROFLASK_RUN_MAIN", "true")
    assert is_running_from_reloader()


# -- app.run() ------------------------------------------------------------------------------


@pytest.fixture()
def captured_run_simple(monkeypatch):
    calls = []
    monkeypatch.setattr(serving, "run_simple", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_RUN_HOST", raising=False)
    monkeypatch.delenv("FLASK_RUN_PORT", raising=False)
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    return calls


def test_app_run_defaults(captured_run_simple):
    app = Flask(__name__)
    app.run()
    (args, kwargs), = captured_run_simple
    assert args[:2] == ("127.0.0.1", 5000)
    assert args[2] is app
    assert kwargs == {"use_reloader": False, "use_debugger": False, "threaded": True}


def test_app_run_debug_turns_on_reloader_and_debugger(captured_run_simple):
    app = Flask(__name__)
    app.run(debug=True, port=8001, use_reloader=False)
    (args, kwargs), = captured_run_simple
    assert app.debug is True
    assert args[1] == 8001
    assert kwargs["use_debugger"] is True and kwargs["use_reloader"] is False


def test_app_run_host_and_port_from_environment_and_server_name(captured_run_simple, monkeypatch):
    app = Flask(__name__)
    monkeypatch.setenv("FLASK_RUN_HOST", "0.0.0.0")
    monkeypatch.setenv("FLASK_RUN_PORT", "7000")
    app.run()
    assert captured_run_simple[-1][0][:2] == ("0.0.0.0", 7000)
    app.config["SERVER_NAME"] = "example.test:9100"
    app.run()
    assert captured_run_simple[-1][0][:2] == ("example.test", 9100)
    app.run(host="127.0.0.2", port=0)
    assert captured_run_simple[-1][0][:2] == ("127.0.0.2", 0)


def test_run_app_is_what_app_run_calls(captured_run_simple):
    app = Flask(__name__)
    run_app(app, host="127.0.0.3", port=8088, debug=False, load_dotenv=False, threaded=False)
    (args, kwargs), = captured_run_simple
    assert args == ("127.0.0.3", 8088, app)
    assert kwargs["threaded"] is False


def test_app_run_does_nothing_under_the_cli(captured_run_simple, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    Flask(__name__).run()
    assert captured_run_simple == []


def test_run_simple_rejects_a_non_integer_port():
    with pytest.raises(TypeError):
        run_simple("127.0.0.1", "5000", demo_app())


# -- the real thing, in subprocesses ---------------------------------------------------------------


def child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["FLASK_SKIP_DOTENV"] = "1"
    env.pop("FLASK_APP", None)
    env.pop("FLASK_DEBUG", None)
    env.pop("MICROFLASK_RUN_MAIN", None)
    env.pop("WERKZEUG_RUN_MAIN", None)
    return env


def wait_for_port(process, deadline=15.0):
    """Read the child's stderr until it says where it listens; return the port."""
    import re
    import selectors

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
        match = re.search(rb"Running on https?://127\.0\.0\.1:(\d+)", line)
        if match:
            return int(match.group(1))
    process.kill()
    raise AssertionError("server did not start: %r" % seen)


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        raise


APP_SOURCE = textwrap.dedent('''
    from microflask import Flask, request

    app = Flask(__name__)

    @app.route("/")
    def index():
        return "version 1"

    @app.route("/stream")
    def stream():
        return app.response_class((str(i) for i in range(5)), mimetype="text/plain")

    @app.route("/upload", methods=["POST"])
    def upload():
        return "%d bytes" % len(request.files["doc"].read())
''')


@pytest.mark.skipif(os.name == "nt", reason="SIGINT delivery differs on Windows")
def test_cli_run_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    app_file = tmp_path / "served_app.py"
    app_file.write_text(APP_SOURCE)
    process = subprocess.Popen(
        [sys.executable, "-m", "microflask", "--app", str(app_file), "run", "--port", "0"],
        cwd=str(tmp_path), env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: the selector in wait_for_port sees every line
    )
    try:
        port = wait_for_port(process)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"version 1"
        conn.request("GET", "/stream")  # same connection: keep-alive
        response = conn.getresponse()
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read() == b"01234"
        conn.request("POST", "/upload", body=multipart_body("BND"),
                     headers={"Content-Type": "multipart/form-data; boundary=BND"})
        assert conn.getresponse().read() == b"5000 bytes"
        conn.request("GET", "/nope")
        response = conn.getresponse()
        response.read()
        assert response.status == 404
        conn.close()
    finally:
        exit_code = stop(process)
    out, err = process.communicate(timeout=5)
    assert exit_code == 0, err
    assert b"Traceback" not in err
    assert b"Serving Flask app" in out
    assert b'"GET /nope HTTP/1.1" 404' in err


@pytest.mark.skipif(os.name == "nt", reason="SIGINT delivery differs on Windows")
def test_reloader_restarts_on_change_and_survives_a_syntax_error(tmp_path):
    module = tmp_path / "reload_target.py"
    module.write_text("MESSAGE = 'one'\n")
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent('''
        import sys
        sys.path.insert(0, %r)
        from microflask.serving import run_simple

        def app(environ, start_response):
            import reload_target
            body = reload_target.MESSAGE.encode()
            start_response("200 OK", [("Content-Length", str(len(body)))])
            return [body]

        import reload_target  # noqa: E402 - watched from the start
        run_simple("127.0.0.1", 0, app, use_reloader=True, reloader_interval=0.1)
    ''' % str(tmp_path)))
    process = subprocess.Popen([sys.executable, str(script)], cwd=str(tmp_path), env=child_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)

    def fetch(port, expected, deadline=10.0):
        end = time.monotonic() + deadline
        last = None
        while time.monotonic() < end:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/")
                last = conn.getresponse().read()
                conn.close()
                if last == expected:
                    return
            except OSError as e:
                last = e
            time.sleep(0.1)
        raise AssertionError("expected %r, last saw %r" % (expected, last))

    def touch_with(text):
        module.write_text(text)
        stamp = time.time() + 2  # a clearly newer mtime, whatever the clock resolution
        os.utime(str(module), (stamp, stamp))

    try:
        port = wait_for_port(process)
        fetch(port, b"one")
        touch_with("MESSAGE = 'two'\n")
        fetch(port, b"two")  # same port: the socket was handed to the new child
        touch_with("MESSAGE = (\n")  # a syntax error: the child dies, the parent waits
        time.sleep(1.0)
        assert process.poll() is None
        touch_with("MESSAGE = 'three'\n")
        os.utime(str(module), (time.time() + 4, time.time() + 4))
        fetch(port, b"three")
    finally:
        stop(process)
        process.communicate(timeout=5)


def test_address_helpers():
    assert serving.select_address_family("127.0.0.1", 0) == socket.AF_INET
    assert serving.select_address_family("::1", 0) == socket.AF_INET6
    if hasattr(socket, "AF_UNIX"):
        assert serving.select_address_family("unix:///tmp/s.sock", 0) == socket.AF_UNIX
        assert serving.get_sockaddr("unix:///tmp/s.sock", 0, socket.AF_UNIX) == "/tmp/s.sock"
    assert serving.get_sockaddr("127.0.0.1", 80, socket.AF_INET) == ("127.0.0.1", 80)
    assert isinstance(serving.get_interface_ip(socket.AF_INET), str)


def test_banner_and_development_warning(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="werkzeug")
    monkeypatch.setattr(serving, "_development_warning_shown", False)
    srv = make_server("127.0.0.1", 0, demo_app())
    try:
        serving._print_serving_banner(srv, "127.0.0.1")
    finally:
        srv.server_close()
    messages = [record.getMessage() for record in caplog.records]
    assert any("This is a development server" in m for m in messages)
    assert " * Running on http://127.0.0.1:%d" % srv.port in messages
    assert "Press CTRL+C to quit" in messages


def test_single_worker_server_keeps_alive_while_another_client_idles():
    # One worker thread (Werkzeug's threaded=False): an idle keep-alive
    # connection waits in the loop, so it cannot hold the only worker.
    srv = make_server("127.0.0.1", 0, demo_app())
    assert srv.multithread is False and srv.threads == 1
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        idle = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        idle.request("GET", "/")
        assert idle.getresponse().read() == b"hello"  # now idle, connection open
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        conn.request("GET", "/stream")
        response = conn.getresponse()
        assert response.getheader("Connection") is None
        assert response.getheader("Transfer-Encoding") == "chunked"
        assert response.read() == b"chunk0;chunk1;chunk2;"
        conn.request("GET", "/whoami")
        first = conn.getresponse().read()
        conn.request("GET", "/whoami")
        assert conn.getresponse().read() == first  # the same connection
        idle.request("GET", "/")
        assert idle.getresponse().read() == b"hello"
        conn.close()
        idle.close()
    finally:
        srv.shutdown()
        thread.join(5)


@pytest.mark.skipif(os.name == "nt", reason="SIGINT delivery differs on Windows")
def test_cli_run_debug_serves_the_debug_page(tmp_path):
    app_file = tmp_path / "debug_app.py"
    app_file.write_text(textwrap.dedent('''
        from microflask import Flask

        app = Flask(__name__)

        @app.route("/boom")
        def boom():
            secret_local = "<visible>"
            raise ValueError("it broke")
    '''))
    process = subprocess.Popen(
        [sys.executable, "-m", "microflask", "--app", str(app_file), "--debug", "run",
         "--no-reload", "--port", "0"],
        cwd=str(tmp_path), env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        bufsize=0,
    )
    try:
        port = wait_for_port(process)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/boom", headers={"Accept": "text/html"})
        response = conn.getresponse()
        page = response.read().decode()
        assert response.status == 500
        assert "ValueError" in page and "it broke" in page
        assert "secret_local" in page and "&lt;visible&gt;" in page
        conn.request("GET", "/boom", headers={"Accept": "*/*"})
        response = conn.getresponse()
        text = response.read().decode()
        assert response.getheader("Content-Type").startswith("text/plain")
        assert text.rstrip().endswith("ValueError: it broke")
        conn.close()
    finally:
        exit_code = stop(process)
    out, _ = process.communicate(timeout=5)
    assert exit_code == 0
    assert b"Debug mode: on" in out


def test_werkzeug_tls_helper_names_exist_and_explain_what_is_missing():
    import ssl

    from microflask import serving

    for make in (lambda: serving.make_ssl_devcert("/tmp/x"), serving.generate_adhoc_ssl_pair):
        with pytest.raises(RuntimeError, match="cryptography"):
            make()
    assert serving.is_ssl_error(ssl.SSLError("bad handshake"))
    assert not serving.is_ssl_error(ValueError("no"))
    try:
        raise ssl.SSLError("inside a handler")
    except ssl.SSLError:
        assert serving.is_ssl_error()
    assert serving.DechunkedInput is serving._ChunkedRequestBody
