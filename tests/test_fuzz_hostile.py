"""Bounded, seeded hostile-input runs (a few thousand cases each).

The same generators run a hundred thousand times in ``fuzz/hostile.py``;
here they guard against regressions: mutated raw requests against the
built-in server on loopback, random WSGI environs in process, mutated
session cookies.  Each case must get no 500 from framework code (the views
cannot fail by themselves) and raise nothing undocumented.
"""

import os
import random
import re
import signal
import subprocess
import sys
import textwrap

import pytest

import hostile_cases

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.dirname(os.path.abspath(__file__))
SEED = 20261206


def test_random_environs_never_get_a_500():
    app = hostile_cases.hostile_app()
    rng = random.Random(SEED)
    statuses = {}
    for case in range(3000):
        environ = hostile_cases.random_environ(rng)
        seen = []

        def start_response(status, headers, exc_info=None):
            seen.append(status)
            return lambda data: None

        body = app(environ, start_response)
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        code = int(seen[0][:3])
        statuses[code] = statuses.get(code, 0) + 1
        assert code != 500, (case, environ, environ["wsgi.errors"].getvalue())
    assert statuses.get(200, 0) > 100 and len(statuses) > 3  # the cases reached the views too


def test_mutated_session_cookies_are_never_trusted():
    app = hostile_cases.hostile_app()
    client = app.test_client()
    client.get("/session")
    client.get("/session")
    valid = client.get_cookie("session").value
    assert client.get("/session").data == b"n=2"
    rng = random.Random(SEED)
    for case in range(2000):
        cookie = hostile_cases.mutated_cookie(rng, valid)
        fresh = app.test_client()
        response = fresh.get(
            "/session", headers={"Cookie": "session=" + cookie.replace("\x00", "")}
        )
        assert response.status_code == 200, (case, cookie)
        # Changed by even one character, the cookie is not trusted: a new session.
        if cookie != valid:
            assert response.data == b"n=0", (case, cookie)


SERVER_SCRIPT = textwrap.dedent('''
    import sys
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    import hostile_cases
    from microflask.serving import serve
    serve(hostile_cases.hostile_app(), port=0, threads=2, access_log=False,
          head_timeout=0.5, body_timeout=0.5)
''')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    script = tmp_path_factory.mktemp("fuzz") / "serve_fuzz.py"
    script.write_text(SERVER_SCRIPT)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", FLASK_SKIP_DOTENV="1")
    process = subprocess.Popen([sys.executable, str(script), ROOT, TESTS], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    match = re.search(rb"Serving on http://127\.0\.0\.1:(\d+)", process.stderr.readline())
    if match is None:
        process.kill()
        raise AssertionError("the server did not start")
    yield int(match.group(1))
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    errors = process.stderr.read().decode("utf-8", "replace")
    process.stdout.close()
    process.stderr.close()
    assert "Traceback" not in errors, errors[-3000:]


def exchange(port, raw):
    """Send ``raw``, close our side, read what comes back (bounded)."""
    return hostile_cases.exchange(port, raw)[0]


def test_mutated_requests_against_the_server(server):
    rng = random.Random(SEED)
    codes = {}
    for case in range(1500):
        raw = hostile_cases.mutated_request(rng)
        reply = exchange(server, raw)
        for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", reply):
            codes[status] = codes.get(status, 0) + 1
            assert status != b"500", (case, raw, reply[:300])
    assert codes.get(b"200", 0) > 100 and codes.get(b"400", 0) > 50  # both kinds were reached
    assert exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200")
