"""The vendored example: a script that runs on a one-file bundle in isolated mode.

The bundle is built into a temporary folder for each run (it is never
committed), the script is copied beside it, and ``python -I`` proves that
nothing but that file provides ``microflask``.  The app's own behaviour is
also checked in-process against the package, so it is tested even where the
bundler is not available.
"""

import importlib.util
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

# Imported first on purpose: tool.py puts examples/vendored/ at the front of
# sys.path, and a microflask.py built there by hand must not replace the one
# under test when the tool is loaded in-process below.
import microflask  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "examples" / "vendored" / "tool.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("vendored_tool_example", TOOL)
    module = importlib.util.module_from_spec(spec)
    saved_path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path  # the tool puts its folder first; undo that here
    return module


@pytest.fixture
def tool():
    return load_tool()


@pytest.fixture
def client(tool):
    return tool.create_app().test_client()


def test_notes_service(client):
    rv = client.get("/")
    assert rv.get_json()["service"] == "notes"
    assert rv.get_json()["notes"] == 0
    assert client.get("/notes").get_json() == []
    rv = client.post("/notes", json={"text": "  buy milk "})
    assert rv.status_code == 201
    assert rv.get_json() == {"id": 1, "text": "buy milk"}
    assert client.get("/notes/1").get_json() == {"id": 1, "text": "buy milk"}
    assert client.get("/notes").get_json() == [{"id": 1, "text": "buy milk"}]
    assert client.get("/").get_json()["notes"] == 1


def test_errors_are_json(client):
    rv = client.get("/notes/2")
    assert rv.status_code == 404
    assert rv.get_json() == {"error": "Not Found", "description": "There is no note 2."}
    rv = client.delete("/notes")
    assert rv.status_code == 405
    assert rv.get_json()["error"] == "Method Not Allowed"
    assert set(rv.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    rv = client.post("/notes", data="{nope", content_type="application/json")
    assert rv.status_code == 400
    assert rv.get_json()["error"] == "Bad Request"
    for body in ({"text": ""}, {"text": 3}, ["text"], {"text": "x" * 501}):
        rv = client.post("/notes", json=body)
        assert rv.status_code == 422
        assert rv.get_json()["error"] == "Unprocessable Entity"


def test_answer_once_prints_the_response(tool, capsys):
    assert tool.main(["--once", "/notes", "--json", '{"text": "hi"}']) == 0
    out = capsys.readouterr().out
    head, _, body = out.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 201 CREATED"
    assert "Content-Type: application/json" in head.splitlines()
    assert json.loads(body) == {"id": 1, "text": "hi"}
    assert tool.main(["--once", "/missing"]) == 1
    assert capsys.readouterr().out.startswith("HTTP/1.1 404 NOT FOUND\n")


def test_json_needs_once(tool, capsys):
    with pytest.raises(SystemExit) as info:
        tool.main(["--json", "{}"])
    assert info.value.code == 2
    assert "--json needs --once" in capsys.readouterr().err


@pytest.fixture(scope="module")
def vendored(tmp_path_factory):
    """A folder holding a copy of tool.py and a freshly built microflask.py."""
    # Look in the source tree: the suite may itself be running on a bundle,
    # where microflask is one module and has no submodule files.
    if not (ROOT / "microflask" / "bundle.py").is_file():
        pytest.skip("bundler not available yet: microflask.bundle missing")
    folder = tmp_path_factory.mktemp("vendored")
    shutil.copy(TOOL, folder / "tool.py")
    built = subprocess.run(
        [sys.executable, "-m", "microflask.bundle", "-o", str(folder / "microflask.py")],
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, "the bundler failed:\n" + built.stderr[-3000:]
    return folder


def run_isolated(folder, *args):
    # -I: no PYTHONPATH, no user site, no current directory; -S: no site-packages
    # either, so an installed microflask (CI's editable install) cannot be found.
    return subprocess.run(
        [sys.executable, "-I", "-S", *args],
        cwd=str(folder.parent),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bundle_is_the_only_microflask(vendored):
    probe = (
        "import sys; sys.path.insert(0, %r); import tool, microflask.exceptions;"
        " print(microflask.__file__)" % str(vendored)
    )
    rv = run_isolated(vendored, "-c", probe)
    assert rv.returncode == 0, rv.stderr
    first_line = rv.stdout.splitlines()[0]
    assert pathlib.Path(first_line) == vendored / "microflask.py"


def test_tool_answers_once_from_the_bundle(vendored):
    rv = run_isolated(vendored, str(vendored / "tool.py"), "--once", "/")
    assert rv.returncode == 0, rv.stderr
    head, _, body = rv.stdout.partition("\n\n")
    assert head.splitlines()[0] == "HTTP/1.1 200 OK"
    status = json.loads(body)
    assert status["service"] == "notes"
    assert status["python"] == "%d.%d.%d" % sys.version_info[:3]

    rv = run_isolated(vendored, str(vendored / "tool.py"), "--once", "/notes",
                      "--json", '{"text": "vendored"}')
    assert rv.returncode == 0, rv.stderr
    assert json.loads(rv.stdout.partition("\n\n")[2]) == {"id": 1, "text": "vendored"}

    rv = run_isolated(vendored, str(vendored / "tool.py"), "--once", "/notes/9")
    assert rv.returncode == 1
    assert rv.stdout.startswith("HTTP/1.1 404 NOT FOUND\n")
    assert json.loads(rv.stdout.partition("\n\n")[2])["description"] == "There is no note 9."


def test_tool_without_the_bundle_fails_clearly(vendored, tmp_path):
    # Isolated mode really isolates: without microflask.py beside it, no import.
    shutil.copy(TOOL, tmp_path / "tool.py")
    rv = run_isolated(tmp_path, str(tmp_path / "tool.py"), "--once", "/")
    assert rv.returncode == 1
    assert "Traceback" not in rv.stderr  # one clear message: the command that builds the file
    assert "microflask.py is not next to this script yet" in rv.stderr
    assert "python3 -m microflask bundle -o " in rv.stderr
