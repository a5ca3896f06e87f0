"""Every shell command the README shows is run by a test, as written.

The commands are read from the README's ``sh`` blocks.  Each runs from the
root of a temporary copy of the repository's ``examples/`` (so databases
and files land there); ``microflask`` runs as ``python -m microflask``, the
same command.  Servers get a free port (``FLASK_RUN_PORT`` or
``MICROFLASK_SERVE_PORT``, or the command's own ``8000`` replaced), are
asked for ``/`` and stopped.  The few lines run elsewhere say where.
"""

import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys

import pytest

from served import free_port, stop, wait_for_status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Lines covered elsewhere: the test command by .ci/run itself, the WSGI
# servers by tests/test_deploy_commands.py.
ELSEWHERE = {
    "python3 -m venv": ".ci/run runs the README's test line exactly",
    "gunicorn ": "tests/test_deploy_commands.py",
    "waitress-serve ": "tests/test_deploy_commands.py",
    "uwsgi ": "uWSGI builds a C extension at install: not installed here",
}
ONE_SHOT = ("init-db", " routes", " bundle ")


def readme_commands():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def make_certificate(directory):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: the --cert line needs a certificate to run")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem",
                    "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost"],
                   cwd=str(directory), check=True, capture_output=True, timeout=60)


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command(command, tmp_path):
    for prefix, where in ELSEWHERE.items():
        if command.startswith(prefix):
            pytest.skip("run elsewhere: %s" % where)
    shutil.copytree(os.path.join(ROOT, "examples"), str(tmp_path / "examples"),
                    ignore=shutil.ignore_patterns("instance", "__pycache__", "microflask.py"))
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1", FLASK_SKIP_DOTENV="1")
    words = shlex.split(command)
    program = words.pop(0)
    argv = (
        [sys.executable, "-m", "microflask"] if program == "microflask" else [sys.executable]
    ) + words
    if "--cert" in words:
        make_certificate(tmp_path)
    if any(marker in command for marker in ONE_SHOT) or " shell" in command:
        if "examples/blog" in command and "init-db" not in command:
            subprocess.run(
                [sys.executable, "-m", "microflask", "--app", "examples/blog", "init-db"],
                cwd=str(tmp_path),
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
        done = subprocess.run(argv, cwd=str(tmp_path), env=env, capture_output=True, text=True,
                              input="print('shell app:', app.name)\n", timeout=120)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
        if " shell" in command:
            assert "shell app: blog" in done.stdout
        if " bundle " in command:
            assert (tmp_path / "myapp" / "microflask.py").is_file()
        return
    port = free_port()
    env["FLASK_RUN_PORT"] = env["MICROFLASK_SERVE_PORT"] = str(port)
    argv = [str(port) if word == "8000" else word for word in argv]
    if "examples/blog" in command:
        subprocess.run([sys.executable, "-m", "microflask", "--app", "examples/blog", "init-db"],
                       cwd=str(tmp_path), env=env, check=True, capture_output=True, timeout=60)
    process = subprocess.Popen(argv, cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        context = None
        if "--cert" in words:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        status = wait_for_status(process, port, command, context=context)
        assert status == 200, (command, status)
    finally:
        stop(process, signal.SIGINT)
