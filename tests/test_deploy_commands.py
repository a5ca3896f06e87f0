"""The README's deploy command lines run as written, from the repository root.

Each gunicorn and waitress line of the Deploy section is read from the
README and run with its port changed to a free one; the test asks for ``/``
and stops the server.  A server that is not installed is skipped, saying
so (both are in the ``test`` extra, so CI runs them).
"""

import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def deploy_lines(program):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("## Deploy", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [
        line.split("  #")[0].strip()
        for line in block.splitlines()
        if line.startswith(program + " ")
    ]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable(program):
    found = shutil.which(
        program, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    )
    if found is None:
        pytest.skip("%s is not installed (pip install '.[test]' brings it)" % program)
    return found


@pytest.mark.parametrize("program, count", [("gunicorn", 2), ("waitress-serve", 1)])
def test_readme_deploy_lines_run_from_the_repository_root(program, count, tmp_path):
    if program == "gunicorn" and os.name == "nt":
        pytest.skip("gunicorn does not run on Windows")
    path = executable(program)
    lines = deploy_lines(program)
    assert len(lines) == count, lines
    for line in lines:
        port = free_port()
        argv = shlex.split(
            line.replace("127.0.0.1:8000", "127.0.0.1:%d" % port).replace("-w 4", "-w 1")
        )
        argv[0] = path
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(os.environ, FLASK_SKIP_DOTENV="1",
                                            TODO_DATABASE=str(tmp_path / "todo.sqlite3")))
        try:
            deadline = time.monotonic() + 30
            status = None
            while time.monotonic() < deadline and status is None:
                if process.poll() is not None:
                    raise AssertionError(
                        "%s exited: %r" % (line, process.communicate(timeout=5)[1][-2000:])
                    )
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    conn.request("GET", "/todos" if "todo_api" in line else "/")
                    status = conn.getresponse().status
                    conn.close()
                except OSError:
                    time.sleep(0.2)
            assert status == 200, (line, status)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            process.communicate(timeout=10)
