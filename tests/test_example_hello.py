"""The hello example: importable, answers, and runs as a script on a real socket."""

import importlib.util
import pathlib
import subprocess
import sys
import time
import urllib.request

from served import free_port

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "hello.py"


def load_example():
    spec = importlib.util.spec_from_file_location("hello_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_routes():
    client = load_example().app.test_client()
    assert client.get("/").data == b"Hello, World!"
    assert client.get("/hello/you?greeting=Hi").get_json() == {"message": "Hi, you!"}
    assert client.get("/nope").status_code == 404


def test_runs_as_a_script():
    port = free_port()
    # No PYTHONPATH, isolated mode, no site-packages: the README's first command
    # on a machine where nothing is installed.
    env = {"FLASK_RUN_PORT": str(port), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-I", "-S", str(EXAMPLE)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2) as rv:
                    assert rv.read() == b"Hello, World!"
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
