"""HTTP servers over loopback: microflask's built-in server vs waitress and
Werkzeug's development server, driven by ``wrk``, side by side in one run.

Every server runs in its own subprocess on a free port on 127.0.0.1 and serves
the same microflask app (so only the server differs):

- ``microflask``: ``microflask.serving.serve(app, threads=4)``; in a tree
  without ``serve`` it falls back to ``run_simple(..., threaded=True)`` and the
  header line says so;
- ``waitress 4 threads``: ``waitress.serve(app, threads=4)``;
- ``werkzeug dev server``: ``werkzeug.serving.run_simple(..., threaded=True)``
  (it logs every request to stderr, as its users run it; the log goes to a file).

A server that answers a keep-alive request with ``Connection: close`` (Werkzeug
3's dev server does) gets a note, since wrk then opens a connection per request.
waitress accepts at most ``connection_limit`` (100 by default) connections at
once; past that, new ones wait in the listen queue, which the memory and
slowloris figures show as unanswered requests.

Cases (``wrk -t1``, keep-alive, ``--seconds`` each, default 3; BENCH_QUICK=1: 1):

- ``hello, 1 connection``: a plain-text hello (13 bytes), one connection;
- ``hello, 16 connections``: the same with 16 connections;
- ``blog index, 16 connections``: the front page of ``examples/blog`` (sqlite
  query + template with inheritance), its database seeded in a temporary
  folder, microflask vs waitress.

All servers stay up at once and the runs go to each in turn, rotating the
order every round (``--rounds``, default 3, or BENCH_ROUNDS); the best round
counts (the median is printed beside it), so a busy moment on the shared
machine hits every server alike.  Ratios read "microflask is N times as fast
as the peer": above 1.0 microflask is faster.

Then, for each hello server, two figures that need no wrk:

- memory per idle keep-alive connection: VmRSS of the server process before and
  after 200 connections that each sent one complete keep-alive request, read
  the response and then stay open, idle; (RSS delta) / connections answered;
- slowloris: 200 connections each send the first bytes of a request head and
  then one more byte a second, never finishing it; meanwhile 20 normal requests
  over fresh connections (1 s timeout each) are timed: answered, median, max.

Every socket has a timeout and every phase a deadline, so these stop by
themselves (about 10 s per server at worst).  Only 127.0.0.1 is contacted.
When ``wrk`` is not on PATH the throughput cases are skipped with a line
saying so; the memory and slowloris figures still run.

    python benchmarks/bench_server.py [--seconds 3] [--rounds 3] [--no-extras]

Standard library only, plus ``wrk`` (``apt-get install -y wrk``) as an
external command; the peers come from ``benchmarks/requirements.txt``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOST = "127.0.0.1"

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DEFAULT_SECONDS = int(os.environ.get("BENCH_SERVER_SECONDS", "1" if QUICK else "3"))
DEFAULT_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

MICROFLASK = "microflask"
WAITRESS = "waitress 4 threads"
WERKZEUG = "werkzeug dev server"
# Display name -> the ``kind`` argument of SERVER_CODE.
SERVER_KINDS = {MICROFLASK: "microflask", WAITRESS: "waitress", WERKZEUG: "werkzeug"}
# (case, app, connections, servers in the order they are printed)
CASES = [
    ("hello, 1 connection", "hello", 1, [MICROFLASK, WERKZEUG, WAITRESS]),
    ("hello, 16 connections", "hello", 16, [MICROFLASK, WAITRESS, WERKZEUG]),
    ("blog index, 16 connections", "blog", 16, [MICROFLASK, WAITRESS]),
]

IDLE_CONNECTIONS = 200
SLOW_CONNECTIONS = 200
NORMAL_REQUESTS = 20
NORMAL_REQUEST_TIMEOUT = 1.0

# Run in each server subprocess as ``python -c SERVER_CODE kind app port database``.
SERVER_CODE = r'''
import os
import sys
import threading


def exit_when_the_benchmark_is_gone():
    # The benchmark holds this process's stdin open; end of file means it has
    # finished or died (even by SIGKILL), so no server outlives it.
    # (os.read on the descriptor: a daemon thread blocked in the buffered
    # sys.stdin would hold its lock and abort the interpreter's shutdown.)
    try:
        while os.read(0, 4096):
            pass
    finally:
        os._exit(0)


threading.Thread(target=exit_when_the_benchmark_is_gone, daemon=True).start()
kind, app_name, port, database = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

if app_name == "hello":
    from microflask import Flask, Response

    app = Flask("hello")

    @app.route("/")
    def hello():
        return Response(b"Hello, World!", mimetype="text/plain")
else:
    from blog import create_app

    app = create_app({"SECRET_KEY": "bench", "DATABASE": database})


def announce(text):
    print("serving with: " + text, flush=True)


if kind == "microflask":
    try:
        from microflask.serving import serve
    except ImportError:
        from microflask.serving import run_simple

        announce("microflask.serving.run_simple(threaded=True) [fallback: no serve() yet]")
        run_simple("127.0.0.1", port, app, threaded=True)
    else:
        announce("microflask.serving.serve(threads=4)")
        serve(app, host="127.0.0.1", port=port, threads=4)
elif kind == "waitress":
    import waitress

    announce("waitress.serve(threads=4)")
    waitress.serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)
elif kind == "werkzeug":
    from werkzeug.serving import run_simple

    announce("werkzeug.serving.run_simple(threaded=True)")
    run_simple("127.0.0.1", port, app, threaded=True)
else:
    sys.exit("unknown server kind %r" % kind)
'''

# Seeds the blog's database: ``python -c SEED_BLOG_CODE database``.
SEED_BLOG_CODE = r'''
import sys

from blog import create_app
from blog.db import get_db, init_db
from microflask.security import generate_password_hash

app = create_app({"SECRET_KEY": "bench", "DATABASE": sys.argv[1]})
with app.app_context():
    init_db()
    db = get_db()
    db.execute(
        "INSERT INTO user (username, password) VALUES (?, ?)",
        ("ada", generate_password_hash("secret", method="pbkdf2:sha256:1000")),
    )
    for number in range(10):
        db.execute(
            "INSERT INTO post (title, body, author_id) VALUES (?, ?, 1)",
            ("Post number %d" % number, "A body <with> markup & text.\n" * 5),
        )
    db.commit()
'''


# -- the server subprocesses -----------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """One server subprocess; ``stop()`` always ends it."""

    def __init__(self, name: str, app_name: str, folder: str, database: str) -> None:
        self.name = name
        self.app_name = app_name
        self.port = free_port()
        label = "%s-%s" % (SERVER_KINDS[name], app_name)
        self.stdout_path = os.path.join(folder, label + ".out")
        self.stderr_path = os.path.join(folder, label + ".err")
        self.keeps_alive = True
        env = dict(os.environ)
        # The blog package is imported from the temporary copy, so its instance
        # folder is made there and not in the work tree.
        env["PYTHONPATH"] = os.pathsep.join([folder, ROOT, env.get("PYTHONPATH", "")])
        env["PYTHONUNBUFFERED"] = "1"
        with open(self.stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVER_CODE, SERVER_KINDS[name], app_name,
                 str(self.port), database],
                cwd=folder, env=env, stdin=subprocess.PIPE, stdout=stdout, stderr=stderr,
            )

    @property
    def label(self) -> str:
        return "%s (%s app)" % (self.name, self.app_name)

    def wait_ready(self, seconds: float = 30.0) -> str:
        """Poll-connect until it listens, then check one real response; "" or why not."""
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                return "exited with status %s: %s" % (self.process.returncode,
                                                      self.stderr_tail())
            try:
                with socket.create_connection((HOST, self.port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    return "not listening after %.0f s: %s" % (seconds, self.stderr_tail())
                time.sleep(0.05)
        try:
            with socket.create_connection((HOST, self.port), timeout=10) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                status, body, _ = read_response(sock, time.monotonic() + 10)
        except (OSError, ValueError) as error:
            return "no answer to GET /: %r" % error
        if status != 200:
            return "GET / answered %d" % status
        if self.app_name == "hello" and body != b"Hello, World!":
            return "GET / answered %r" % body[:60]
        if self.app_name == "blog" and b"Post number 9" not in body:
            return "the blog index lacks its posts: %r" % body[:200]
        try:
            with socket.create_connection((HOST, self.port), timeout=10) as sock:
                sock.sendall(KEEP_ALIVE_REQUEST)
                _, _, headers = read_response(sock, time.monotonic() + 10)
                time.sleep(0.1)
                self.keeps_alive = (headers.get(b"connection", b"").lower() != b"close"
                                    and still_open(sock))
        except (OSError, ValueError) as error:
            return "no answer to a keep-alive GET /: %r" % error
        return ""

    def announced(self) -> str:
        try:
            with open(self.stdout_path, encoding="utf-8", errors="replace") as stdout:
                for line in stdout:
                    if line.startswith("serving with: "):
                        return line[len("serving with: "):].strip()
        except OSError:
            pass
        return "?"

    def stderr_tail(self, limit: int = 600) -> str:
        try:
            with open(self.stderr_path, "rb") as stderr:
                stderr.seek(0, os.SEEK_END)
                stderr.seek(max(0, stderr.tell() - limit))
                text = stderr.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return " ".join(text.split())

    def rss_kib(self) -> int | None:
        """VmRSS of the server process, from /proc (Linux)."""
        try:
            with open("/proc/%d/status" % self.process.pid) as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return None

    def stop(self) -> None:
        process = self.process
        if process.poll() is None:
            try:
                process.stdin.close()  # it exits by itself on end of file
            except OSError:
                pass
            try:
                process.wait(3)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(3)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        elif process.stdin is not None:
            process.stdin.close()


def prepare_blog(folder: str) -> str:
    """Copy examples/blog into ``folder`` and seed its database; returns its path."""
    shutil.copytree(os.path.join(ROOT, "examples", "blog"), os.path.join(folder, "blog"),
                    ignore=shutil.ignore_patterns("__pycache__", "instance"))
    database = os.path.join(folder, "blog.sqlite")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([folder, ROOT, env.get("PYTHONPATH", "")])
    subprocess.run([sys.executable, "-c", SEED_BLOG_CODE, database], cwd=folder, env=env,
                   check=True, capture_output=True, timeout=60)
    return database


def peer_available(name: str) -> str:
    """"" when the peer can be imported, else why not."""
    module = {WAITRESS: "waitress", WERKZEUG: "werkzeug.serving"}.get(name)
    if module is None:
        return ""
    done = subprocess.run([sys.executable, "-c", "import " + module], capture_output=True,
                          text=True, timeout=60)
    if done.returncode:
        return "%s is not installed (pip install -r benchmarks/requirements.txt)" % module
    return ""


# -- plain HTTP over sockets, with deadlines --------------------------------------------


def _receive(sock: socket.socket, deadline: float) -> bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    sock.settimeout(remaining)
    return sock.recv(65536)


def read_response(sock: socket.socket, deadline: float) -> tuple[int, bytes, dict[bytes, bytes]]:
    """Read one HTTP/1.x response (Content-Length, chunked or until close):
    (status, body, {lower-case header name: value})."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = _receive(sock, deadline)
        if not chunk:
            raise ConnectionError("closed before the end of the response head")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers[b"content-length"]) if b"content-length" in headers else None
    chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
    if length is not None:
        while len(body) < length:
            chunk = _receive(sock, deadline)
            if not chunk:
                raise ConnectionError("closed in the middle of the body")
            body += chunk
        return status, body[:length], headers
    if chunked:
        while not body.endswith(b"0\r\n\r\n"):
            chunk = _receive(sock, deadline)
            if not chunk:
                raise ConnectionError("closed in the middle of a chunked body")
            body += chunk
        return status, body, headers
    while True:
        chunk = _receive(sock, deadline)
        if not chunk:
            return status, body, headers
        body += chunk


def still_open(sock: socket.socket) -> bool:
    """Whether the server has not closed this idle connection."""
    try:
        sock.setblocking(False)
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass


def open_connections(port: int, count: int, deadline: float, first_bytes: bytes) -> list:
    """Up to ``count`` connections, each sending ``first_bytes``, until ``deadline``."""
    sockets = []
    for _ in range(count):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            # 3 s: a SYN dropped on a full listen queue is sent again after 1 s.
            sock = socket.create_connection((HOST, port), timeout=min(3.0, remaining))
        except OSError:
            continue
        sockets.append(sock)
        try:
            sock.sendall(first_bytes)
        except OSError:
            pass
    return sockets


# -- wrk ------------------------------------------------------------------------------------


class WrkRun:
    """What one wrk run reported."""

    def __init__(self, rate: float, p99_ms: float | None, errors: dict[str, int]) -> None:
        self.rate = rate
        self.p99_ms = p99_ms
        self.errors = errors


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text: str) -> float | None:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    return float(match.group(1)) * _LATENCY_UNITS[match.group(2)] if match else None


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    match = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return match.group(1) if match else "?"


def run_wrk(port: int, connections: int, seconds: int) -> WrkRun:
    command = ["wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds, "--timeout", "2s",
               "--latency", "http://%s:%d/" % (HOST, port)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    output = done.stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if done.returncode != 0 or not match:
        raise RuntimeError("wrk failed (status %d): %s" % (done.returncode,
                                                           (output + done.stderr)[-400:]))
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    errors: dict[str, int] = {}
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        for kind, count in zip(("connect", "read", "write", "timeout"), socket_errors.groups()):
            if int(count):
                errors[kind] = int(count)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors["non-2xx"] = int(non_2xx.group(1))
    # wrk counts no error for a connection that simply never gets an answer, so
    # a server that stalls shows only as a run with hardly any responses.
    total = re.search(r"(\d+) requests in ", output)
    if total and int(total.group(1)) < 2 * connections:
        errors["stalled runs (< 2 responses per connection)"] = 1
    return WrkRun(float(match.group(1)), _milliseconds(p99.group(1)) if p99 else None, errors)


def throughput(servers: dict[tuple[str, str], Server], seconds: int, rounds: int) -> list:
    """wrk runs for every case and server, interleaved; one result dict per case."""
    runs: dict[tuple[str, str], list[WrkRun]] = {}
    plan = []
    for case, app_name, connections, names in CASES:
        for name in names:
            if (name, app_name) in servers:
                plan.append((case, name, servers[(name, app_name)], connections))
    for _, _, server, connections in plan:
        run_wrk(server.port, connections, 1)  # warm up (imports, caches, templates)
    for round_index in range(rounds):
        shift = round_index % len(plan) if plan else 0
        for case, name, server, connections in plan[shift:] + plan[:shift]:
            print("  round %d/%d: %s, %s ..." % (round_index + 1, rounds, case, name),
                  file=sys.stderr, flush=True)
            runs.setdefault((case, name), []).append(run_wrk(server.port, connections, seconds))
    results = []
    for case, _, _, names in CASES:
        rows = []
        for name in names:
            measured = runs.get((case, name))
            if not measured:
                continue
            best = max(measured, key=lambda run: run.rate)
            errors: dict[str, int] = {}
            for run in measured:
                for kind, count in run.errors.items():
                    errors[kind] = errors.get(kind, 0) + count
            rows.append({
                "server": name,
                "best": best.rate,
                "median": statistics.median(run.rate for run in measured),
                "p99": best.p99_ms,
                "errors": errors,
            })
        if rows:
            results.append({"case": case, "rows": rows})
    return results


# -- memory per idle keep-alive connection, and slowloris ------------------------------------


KEEP_ALIVE_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
CLOSING_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
SLOW_HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slowloris: "


def idle_keepalive_memory(server: Server, count: int = IDLE_CONNECTIONS,
                          seconds: float = 8.0) -> dict:
    """RSS before and after ``count`` answered, then idle, keep-alive connections."""
    before = server.rss_kib()
    deadline = time.monotonic() + seconds
    sockets = open_connections(server.port, count, deadline, KEEP_ALIVE_REQUEST)
    answered = []
    try:
        for sock in sockets:
            try:
                status, _, _ = read_response(sock, deadline)
            except (OSError, ValueError):
                continue
            if status == 200:
                answered.append(sock)
        time.sleep(0.5)  # let the server settle (threads parked, buffers trimmed)
        after = server.rss_kib()
        # Only connections the server answered and still holds count: one that
        # closes them (Connection: close) holds nothing.
        held = sum(still_open(sock) for sock in answered)
    finally:
        close_all(sockets)
    per_connection = None
    if before is not None and after is not None and held:
        per_connection = (after - before) / held
    return {"before": before, "after": after, "opened": len(sockets), "answered": len(answered),
            "held": held, "per_connection": per_connection}


def slowloris(server: Server, slow: int = SLOW_CONNECTIONS, normal: int = NORMAL_REQUESTS,
              open_seconds: float = 5.0, measure_seconds: float = 6.0) -> dict:
    """Latency of ``normal`` fresh requests while ``slow`` heads trickle in."""
    sockets = open_connections(server.port, slow, time.monotonic() + open_seconds,
                               SLOW_HEAD[:8])
    sent = {id(sock): 8 for sock in sockets}
    stop = threading.Event()

    def trickle() -> None:
        # One more byte of the never-ending header value per connection per second.
        while not stop.wait(1.0):
            for sock in sockets:
                offset = sent[id(sock)]
                byte = SLOW_HEAD[offset:offset + 1] or b"a"
                try:
                    sock.settimeout(0.05)
                    sock.send(byte)
                    sent[id(sock)] = offset + 1
                except OSError:
                    pass

    trickler = threading.Thread(target=trickle, daemon=True)
    latencies: list[float | None] = []
    try:
        trickler.start()
        time.sleep(0.5)  # let the server accept them and start reading
        deadline = time.monotonic() + measure_seconds
        for _ in range(normal):
            started = time.monotonic()
            if started >= deadline:
                latencies.append(None)  # not even tried: the time budget is spent
                continue
            ends = min(started + NORMAL_REQUEST_TIMEOUT, deadline)
            try:
                with socket.create_connection((HOST, server.port),
                                              timeout=max(0.01, ends - started)) as sock:
                    sock.sendall(CLOSING_REQUEST)
                    status, _, _ = read_response(sock, ends)
                latencies.append((time.monotonic() - started) * 1000 if status == 200 else None)
            except (OSError, ValueError):
                latencies.append(None)
    finally:
        stop.set()
        trickler.join(5)
        open_now = sum(still_open(sock) for sock in sockets)
        close_all(sockets)
    answered = [value for value in latencies if value is not None]
    # Unanswered requests count as slower than any answer.
    ordered = sorted(latencies, key=lambda value: float("inf") if value is None else value)
    median = ordered[len(ordered) // 2] if ordered else None
    return {"opened": len(sockets), "open": open_now, "answered": len(answered),
            "tried": len(latencies), "median": median,
            "max": ordered[-1] if ordered else None,
            "all_answered": len(answered) == len(latencies)}


# -- printing -------------------------------------------------------------------------------


def _error_text(errors: dict[str, int]) -> str:
    return ", ".join("%s %d" % item for item in errors.items()) or "-"


def print_throughput(results: list, rounds: int) -> None:
    print("| case | server | requests/s (best of %d) | median requests/s | p99 ms (best run) "
          "| errors (all runs) | microflask is |" % rounds)
    print("| --- | --- | ---: | ---: | ---: | --- | ---: |")
    for result in results:
        mine = next((row["best"] for row in result["rows"] if row["server"] == MICROFLASK),
                    None)
        for row in result["rows"]:
            if row["server"] == MICROFLASK:
                ratio = "-"
            elif mine is None or not row["best"]:
                ratio = "n/a"
            else:
                value = mine / row["best"]
                ratio = ("%.2fx" if value >= 0.1 else "%.3fx") % value
            p99 = "-" if row["p99"] is None else "%.2f" % row["p99"]
            print("| %s | %s | %.0f | %.0f | %s | %s | %s |" % (
                result["case"], row["server"], row["best"], row["median"], p99,
                _error_text(row["errors"]), ratio))


def print_memory(figures: dict[str, dict]) -> None:
    print("| server | RSS before KiB | RSS after KiB | connections answered "
          "| answered and still open | KiB per idle connection |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, figure in figures.items():
        if "error" in figure:
            print("| %s | - | - | - | - | %s |" % (name, figure["error"]))
            continue
        per = figure["per_connection"]
        if per is not None:
            per_text = "%.1f" % per
        elif figure["answered"] and not figure["held"]:
            per_text = "n/a (it closed them)"
        else:
            per_text = "n/a"
        print("| %s | %s | %s | %d/%d | %d | %s |" % (
            name, figure["before"], figure["after"], figure["answered"], IDLE_CONNECTIONS,
            figure["held"], per_text))


def _ms(value: float | None) -> str:
    return "> %.0f (no answer)" % (NORMAL_REQUEST_TIMEOUT * 1000) if value is None \
        else "%.1f" % value


def print_slowloris(figures: dict[str, dict]) -> None:
    print("| server | slow connections opened | still open at the end | normal requests "
          "answered | median ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, figure in figures.items():
        if "error" in figure:
            print("| %s | - | - | - | - | %s |" % (name, figure["error"]))
            continue
        print("| %s | %d/%d | %d | %d/%d | %s | %s |" % (
            name, figure["opened"], SLOW_CONNECTIONS, figure["open"], figure["answered"],
            NORMAL_REQUESTS, _ms(figure["median"]), _ms(figure["max"])))


# -- main -------------------------------------------------------------------------------------


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # so the finally blocks stop the servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS,
                        help="length of each wrk run, whole seconds (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help="interleaved rounds; the best counts (default %(default)s)")
    parser.add_argument("--no-extras", action="store_true",
                        help="skip the idle-memory and slowloris figures")
    options = parser.parse_args(argv)
    seconds, rounds = max(1, options.seconds), max(1, options.rounds)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)

    have_wrk = shutil.which("wrk") is not None
    wanted = {MICROFLASK}
    notes = []
    for name in (WAITRESS, WERKZEUG):
        reason = peer_available(name)
        if reason:
            notes.append("%s skipped: %s" % (name, reason))
        else:
            wanted.add(name)

    servers: dict[tuple[str, str], Server] = {}
    exit_status = 0
    with tempfile.TemporaryDirectory(prefix="microflask-bench-server-") as folder:
        try:
            database = prepare_blog(folder)
            apps = [("hello", name) for name in (MICROFLASK, WAITRESS, WERKZEUG)]
            if have_wrk:
                apps += [("blog", MICROFLASK), ("blog", WAITRESS)]
            for app_name, name in apps:
                if name in wanted:
                    servers[(name, app_name)] = Server(name, app_name, folder, database)
            for key, server in list(servers.items()):
                problem = server.wait_ready()
                if problem:
                    notes.append("%s did not start: %s" % (server.label, problem))
                    server.stop()
                    del servers[key]
            microflask_hello = servers.get((MICROFLASK, "hello"))
            if microflask_hello is None:
                exit_status = 1
            variant = microflask_hello.announced() if microflask_hello else "did not start"

            print("HTTP servers over loopback (127.0.0.1), each serving the same microflask app")
            print("microflask server: %s" % variant)
            if have_wrk:
                print("wrk %s, -t1, keep-alive, %d s per run, %d interleaved rounds, best round "
                      "counts (median beside it); microflask is = its requests/s over the "
                      "peer's" % (wrk_version(), seconds, rounds))
            for server in servers.values():
                if not server.keeps_alive and server.app_name == "hello":
                    notes.append("%s closes the connection after every response (it sends "
                                 "Connection: close to an HTTP/1.1 request), so wrk opens a new "
                                 "connection per request" % server.name)
            for note in notes:
                print("note: %s" % note)
            print()
            if not have_wrk:
                print("skipped: the wrk throughput cases: wrk is not on PATH "
                      "(install it with: apt-get install -y wrk)")
                print()
            elif microflask_hello is not None:
                print_throughput(throughput(servers, seconds, rounds), rounds)
                print()

            if not options.no_extras:
                hello_servers = [(name, server) for (name, app_name), server in servers.items()
                                 if app_name == "hello"]
                memory = {}
                for name, server in hello_servers:
                    print("  idle keep-alive memory: %s ..." % name, file=sys.stderr, flush=True)
                    memory[name] = idle_keepalive_memory(server)
                print("Memory per idle keep-alive connection: server VmRSS before and after "
                      "%d connections that each sent one keep-alive request, read the response "
                      "and stay open, idle; (after - before) / connections answered and "
                      "still open" % IDLE_CONNECTIONS)
                print()
                print_memory(memory)
                print()
                slow = {}
                for name, server in hello_servers:
                    print("  slowloris: %s ..." % name, file=sys.stderr, flush=True)
                    slow[name] = slowloris(server)
                print("Slowloris: %d connections each send the first bytes of a request head, "
                      "then one more byte a second, never finishing it; meanwhile %d normal "
                      "requests over fresh connections (%.0f s timeout each, unanswered ones "
                      "count as slowest)" % (SLOW_CONNECTIONS, NORMAL_REQUESTS,
                                             NORMAL_REQUEST_TIMEOUT))
                print()
                print_slowloris(slow)
        finally:
            for server in servers.values():
                server.stop()
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
