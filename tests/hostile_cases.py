"""Seeded generators of hostile input, shared by the suite and ``fuzz/hostile.py``.

Each generator takes a ``random.Random`` and yields cases; the suite runs a
few thousand of each, the fuzz script a hundred thousand.  What every case
must satisfy: no 500 from framework code, no exception other than the
documented ones.
"""

from __future__ import annotations

import base64
import random
import socket

from microflask import Flask, request, session

ODD_BYTES = [
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\x80",
    b"\xff",
    b" ",
    b":",
    b";",
    b",",
    b"%",
    b"%0",
    b"\t",
    b"\x85",
    b"\xe2\x80\xa8",
    b"..",
    b"/",
    b"\\",
    b"?",
    b"#",
    b"=",
    b"&",
    b"\"",
    b"'",
    b"<",
    b"-1",
    b"99999999999999999999",
    b"0x",
    b"chunked",
    b"gzip",
    b"\x1b",
    b"*",
    b"{",
    b"}",
]


def hostile_app() -> Flask:
    """Views that touch every part of the request: args, form, files, JSON,
    cookies, session, headers, url_for.  Nothing in them can fail by itself."""
    app = Flask(__name__)
    app.secret_key = "fuzz-secret"

    @app.route("/", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def index():
        parts = [request.method, request.path, repr(sorted(request.args.items(multi=True)))]
        parts.append(repr(sorted(request.cookies.items())))
        parts.append(repr(dict(request.headers)))
        return "|".join(parts)

    @app.post("/form")
    def form():
        return "%r %r" % (
            sorted(request.form.items(multi=True)),
            sorted((k, f.filename, len(f.read())) for k, f in request.files.items(multi=True)),
        )

    @app.route("/json", methods=["POST", "PUT"])
    def json_view():
        return repr(request.get_json(silent=True))

    @app.route("/data", methods=["POST", "PUT"])
    def data():
        return "%d bytes" % len(request.get_data())

    @app.route("/session")
    def session_view():
        seen = session.get("n", 0)
        session["n"] = seen + 1 if isinstance(seen, int) else 1
        return "n=%r" % (seen,)

    @app.route("/user/<int:uid>/<path:rest>")
    def user(uid, rest):
        return "%d %s %s" % (uid, rest, request.url)

    return app


# -- raw HTTP requests -------------------------------------------------------------------------

_BASE_REQUESTS = [
    b"GET /?a=1&b=%20x&a=2 HTTP/1.1\r\nHost: example.com\r\nCookie: k=v; w=\"q\"\r\nAccept: */*\r\n"
    b"\r\n",
    b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 11\r\n\r\na=1&b=2&c=3",
    b"POST /data HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\n"
    b"abc\r\n0\r\n\r\n",
    b"POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17\r\n"
    b"\r\n"
    b"{\"a\": [1, 2, 3]}\n",
    b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=BB\r\n"
    b"Content-Length: 121\r\n\r\n--BB\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nhi\r\n"
    b"--BB\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nfile\r\n"
    b"--BB--\r\n",
    b"GET /user/12/a/b?x=%C3%A9 HTTP/1.1\r\nHost: [::1]:8080\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /session HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"GET /session HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
]


def mutated_request(rng: random.Random) -> bytes:
    """One of the base requests with a few random edits."""
    data = bytearray(rng.choice(_BASE_REQUESTS))
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        position = rng.randrange(len(data) + 1)
        if kind < 0.25 and data:  # flip a byte
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif kind < 0.5:  # insert something odd
            data[position:position] = rng.choice(ODD_BYTES)
        elif kind < 0.65 and data:  # delete a span
            del data[position:position + rng.randint(1, 8)]
        elif kind < 0.75:  # repeat a line
            lines = bytes(data).split(b"\r\n")
            index = rng.randrange(len(lines))
            lines.insert(index, lines[index])
            data = bytearray(b"\r\n".join(lines))
        elif kind < 0.85:  # truncate
            del data[position:]
        else:  # change a number
            text = bytes(data)
            digits = [i for i, c in enumerate(text) if 48 <= c <= 57]
            if digits:
                at = rng.choice(digits)
                data[at : at + 1] = rng.choice(
                    [b"0", b"9" * rng.randint(1, 25), b"-1", b"1e3", b"\xd9\xa3"]
                )
    return bytes(data)


# -- WSGI environs --------------------------------------------------------------------------------

_METHODS = [
    "GET",
    "POST",
    "PUT",
    "HEAD",
    "OPTIONS",
    "DELETE",
    "PATCH",
    "TRACE",
    "",
    "G\x00T",
    "get",
]
_PATHS = ["/", "/form", "/json", "/data", "/session", "/user/1/x", "/user/99999999999999999999/a",
          "//", "/../etc/passwd", "/%00", "/\x00", "/\xff\xfe", "/\u00e9", "", "/a?b", "/user/-1/x"]
_HEADER_NAMES = [
    "HTTP_HOST",
    "HTTP_COOKIE",
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "HTTP_ACCEPT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_RANGE",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_TRANSFER_ENCODING",
    "HTTP_IF_NONE_MATCH",
    "HTTP_ORIGIN",
    "HTTP_UPGRADE",
    "HTTP_CONNECTION",
]
_VALUES = [
    "",
    "x",
    "\x00",
    "\xff",
    "\r\n",
    "a=b; c",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=" + "b" * 300,
    "application/json",
    "text/plain; charset=bogus",
    "application/x-www-form-urlencoded",
    "-1",
    "18446744073709551617",
    "bytes=0-1,5-",
    "bytes=-0",
    "Basic !!!",
    "Basic " + base64.b64encode(b"u:p").decode(),
    "Bearer",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "\u00e9\u00e8",
    "*/*;q=0.5, text/html;q=x",
    "en-US,en;q=0.9,*;q=nan",
    "W/\"x\", *",
    "websocket",
    "\x80",
    "[::1]:99999",
    "example.com:80:80",
    "session=" + "A" * 50,
]
_BODIES = [b"", b"a=1&b=2", b"{\"a\": 1}", b"[" * 3000, b"\xff\xfe", b"--x\r\n\r\n", b"x" * 5000,
           b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B--\r\n"]


def random_environ(rng: random.Random) -> dict:
    """A WSGI environ with random, often invalid, parts."""
    import io

    body = rng.choice(_BODIES)
    environ = {
        "REQUEST_METHOD": rng.choice(_METHODS),
        "PATH_INFO": rng.choice(_PATHS),
        "QUERY_STRING": rng.choice(
            ["", "a=1", "a=%zz", "%", "a=\xff", "=&=&", "a" * 3000, "x=%C3%28"]
        ),
        "SCRIPT_NAME": rng.choice(["", "", "/app", "/\xff"]),
        "SERVER_NAME": rng.choice(["localhost", "", "\x00"]),
        "SERVER_PORT": rng.choice(["80", "443", "", "x"]),
        "SERVER_PROTOCOL": rng.choice(["HTTP/1.1", "HTTP/1.0", "", "HTTP/9"]),
        "wsgi.url_scheme": rng.choice(["http", "https", "ftp"]),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "REMOTE_ADDR": rng.choice(["127.0.0.1", "", "::1", "x"]),
    }
    for name in rng.sample(_HEADER_NAMES, rng.randint(0, 6)):
        environ[name] = rng.choice(_VALUES)
    if rng.random() < 0.5:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


# -- session cookies -------------------------------------------------------------------------------


def mutated_cookie(rng: random.Random, valid: str) -> str:
    """A signed session cookie with a few random edits (or a random one)."""
    if rng.random() < 0.1:
        return "".join(
            rng.choice("abcdefAB01._-=\"\\;, \x00\xff") for _ in range(rng.randint(0, 80))
        )
    chars = list(valid)
    for _ in range(rng.randint(1, 3)):
        position = rng.randrange(len(chars))
        kind = rng.random()
        if kind < 0.4:
            chars[position] = rng.choice("abcdefABC01._-=\"")
        elif kind < 0.7:
            del chars[position]
        else:
            chars.insert(position, rng.choice([".", "=", "\\", "\"", "%", "\x00"]))
    return "".join(chars)


def exchange(port: int, raw: bytes, limit: int = 1 << 20) -> tuple[bytes, str | None]:
    """Send ``raw`` to the server on ``port``, close our side, read what
    comes back (at most about ``limit`` bytes): the reply, and the name of
    the socket error that ended it, if one did."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        reply = b""
        try:
            while len(reply) < limit:
                piece = sock.recv(65536)
                if not piece:
                    break
                reply += piece
        except OSError as error:
            return reply, type(error).__name__
    return reply, None
