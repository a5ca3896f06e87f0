"""Running a real server in a child process for a test: a free port, waiting
until it answers, stopping it.  Shared by the tests that run the README's,
the examples' and the deploy lines' commands as a person would."""

from __future__ import annotations

import http.client
import signal
import socket
import ssl
import subprocess
import time


def free_port() -> int:
    """A loopback port nothing listens on (for the child to bind)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_status(
    process: subprocess.Popen,
    port: int,
    what: str,
    path: str = "/",
    deadline: float = 30.0,
    context: ssl.SSLContext | None = None,
) -> int | None:
    """GET ``path`` until the server answers; its status, or None when it
    does not answer within ``deadline`` seconds.  A server that exits first
    fails the test with its stderr, named by ``what``."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(
                "%s exited: %r" % (what, process.communicate(timeout=5)[1][-2000:])
            )
        try:
            if context is not None:
                conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=2, context=context)
            else:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            time.sleep(0.2)
    return None


def stop(process: subprocess.Popen, how: signal.Signals, wait: float = 15.0) -> None:
    """Send ``how`` (SIGINT as Ctrl-C, SIGTERM as a process manager), give
    the server ``wait`` seconds to stop, kill it otherwise."""
    process.send_signal(how)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
    process.communicate(timeout=10)
