"""Every command an example's docstring shows runs as shown.

The commands are read from the docstrings themselves (``python3 ...`` and
``microflask ...``, in the order written) and run from the root of a copy
of the repository's ``examples/`` (so databases and bundles land in a
temporary folder).  ``microflask`` runs as ``python -m microflask``, the
same command.  A server is started on a free port (``FLASK_RUN_PORT``),
asked for ``/``, and stopped; anything else must exit 0.
"""

import ast
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys

import pytest

from served import free_port, stop, wait_for_status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
MODULES = ["hello.py", "todo_api.py", "upload.py", "stream.py", "blog/__init__.py",
           "blog/__main__.py", "factory/__init__.py", "factory/__main__.py", "vendored/tool.py"]
ONE_SHOT = ("init-db", "greet", " bundle ", "--once")
COMMAND = re.compile(
    r"(?:``|^\s+)((?:[A-Z_]+=\S+ )*(?:python3|microflask) [^`\n#]*?)\s*(?:``|#|$)", re.M
)


def docstring_commands(relative):
    with open(os.path.join(EXAMPLES, relative), encoding="utf-8") as f:
        docstring = ast.get_docstring(ast.parse(f.read())) or ""
    return [" ".join(command.split()) for command in COMMAND.findall(docstring)]


def argv_and_env(command, workdir):
    words = shlex.split(command)
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1", FLASK_SKIP_DOTENV="1")
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value.replace("/tmp/", str(workdir) + os.sep)
    program = words.pop(0)
    if program == "microflask":
        return [sys.executable, "-m", "microflask"] + words, env
    return [sys.executable] + words, env


@pytest.mark.parametrize("relative", MODULES)
def test_every_docstring_command_runs_as_shown(relative, tmp_path):
    commands = docstring_commands(relative)
    if relative.endswith(("hello.py", "todo_api.py", "tool.py", "blog/__init__.py")):
        assert commands, "no command found in %s's docstring" % relative
    shutil.copytree(EXAMPLES, str(tmp_path / "examples"),
                    ignore=shutil.ignore_patterns("instance", "__pycache__", "microflask.py"))
    for command in commands:
        argv, env = argv_and_env(command, tmp_path)
        if any(marker in " %s " % command for marker in ONE_SHOT):
            # -I ignores PYTHONPATH: the vendored tool finds microflask.py beside it.
            done = subprocess.run(argv, cwd=str(tmp_path), env=env, capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
            continue
        port = free_port()
        env["FLASK_RUN_PORT"] = str(port)
        process = subprocess.Popen(argv, cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        try:
            status = wait_for_status(process, port, command, deadline=20.0)
            assert status is not None and status < 500, (command, status)
        finally:
            stop(process, signal.SIGINT, wait=10.0)
