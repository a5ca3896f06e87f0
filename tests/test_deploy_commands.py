"""The README's deploy command lines run as written, from the repository root.

Each gunicorn and waitress line of the Deploy section is read from the
README and run with its port changed to a free one; the test asks for ``/``
and stops the server.  A server that is not installed is skipped, saying
so (both are in the ``test`` extra, so CI runs them).
"""

import os
import shlex
import shutil
import signal
import subprocess
import sys

import pytest

from served import free_port, stop, wait_for_status

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
            page = "/todos" if "todo_api" in line else "/"
            status = wait_for_status(process, port, line, path=page)
            assert status == 200, (line, status)
        finally:
            stop(process, signal.SIGTERM)
