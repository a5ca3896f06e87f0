"""Benchmark: the cost of ``import microflask`` against ``import bottle`` and ``import flask``.

Two parts.

The package.  Each sample is a fresh interpreter (``python -S -c "import X"``)
that times the import statement itself with ``time.perf_counter``; the ratios
use that figure.  The whole process is timed from outside too, against a bare
interpreter (``python -S -c pass``) in the same interleaved rounds, as a
cross-check that includes start-up and shutdown (below about a millisecond
that difference of two medians is noise).  ``import microflask`` loads the
package's names on first use, so a second row times what an app's first line
loads: ``from microflask import Flask, request, session, jsonify,
render_template``.  ``-S`` keeps site-packages ``.pth`` hooks (which import
things of their own) out of the picture; the package directories are put on
``sys.path`` by hand.  Peak memory is the child's ``ru_maxrss`` minus the bare
interpreter's.  Target: microflask costs at most a third of Bottle's import time.

The single file.  ``python -m microflask bundle`` writes the full and the core
profile into a temporary folder, next to a copy of ``bottle.py``; each is also
zipped.  Each sample is a fresh ``python -S -B`` (``PYTHONDONTWRITEBYTECODE=1``)
that times, around the statements themselves, either ``import X`` or a first
request: import, build a small app (a template with a session cookie, and a JSON
route) and answer one request on each route through WSGI, for both
frameworks.  Cases: no bytecode cache from a folder (no ``__pycache__``), no
bytecode cache from a zip on ``sys.path``, and with a bytecode cache (one run
first writes it).  Targets, no bytecode cache, folder and zip: importing the
core file costs at most 1.5x importing ``bottle.py``, the full file at most 3x.

Run with system ``python3`` (Bottle and Flask installed):

    python3 benchmarks/bench_import.py [rounds]            # both parts
    python3 benchmarks/bench_import.py --single-file [rounds]

``BENCH_ROUNDS`` sets the rounds too (the package part runs 3x as many).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)


def site_packages_of(module_name: str) -> str | None:
    """The sys.path entry a peer is installed under (None when it is missing)."""
    import importlib.util

    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).resolve()
    # The package directory's parent (or the module file's directory for bottle.py).
    if path.name == "__init__.py":
        path = path.parent
    return str(path.parent)


def child_code(statement: str, path_entry: str | None) -> str:
    """Run ``statement``; print the seconds it took and the peak RSS in KiB."""
    prefix = "import sys; sys.path.insert(0, %r); " % path_entry if path_entry else ""
    return (
        prefix + "import time; started = time.perf_counter(); " + statement + "; "
        "took = time.perf_counter() - started; import resource; "
        "print(took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )


def sample(code: str) -> tuple[float, float, int]:
    """One run: (wall seconds of the whole process, seconds of the statement
    inside it, peak RSS in KiB)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    elapsed = time.perf_counter() - started
    took, rss = out.strip().splitlines()[-1].split()
    return elapsed, float(took), int(rss)


APP_NAMES = "app's names"
APP_NAME_LIST = ("Flask", "request", "session", "jsonify", "render_template")


def package_main(rounds: int) -> None:
    subjects = {
        "bare python": child_code("pass", None),
        "microflask": child_code("import microflask", ROOT),
        # ``import microflask`` loads its names on first use; this is what an
        # app's first line loads (Bottle's ``import bottle`` loads all of it).
        APP_NAMES: child_code("from microflask import %s" % ", ".join(APP_NAME_LIST), ROOT),
    }
    for peer in ("bottle", "flask"):
        entry = site_packages_of(peer)
        if entry is None:
            print("(%s is not installed: skipped)" % peer)
            continue
        subjects[peer] = child_code("import %s" % peer, entry)
    wall: dict[str, list[float]] = {name: [] for name in subjects}
    inside: dict[str, list[float]] = {name: [] for name in subjects}
    memory: dict[str, list[int]] = {name: [] for name in subjects}
    for name, code in subjects.items():  # warm the OS file cache once
        sample(code)
    for _ in range(rounds):
        for name, code in subjects.items():  # interleaved: noise hits all alike
            elapsed, took, rss = sample(code)
            wall[name].append(elapsed)
            inside[name].append(took)
            memory[name].append(rss)
    bare_time = statistics.median(wall["bare python"])
    bare_rss = statistics.median(memory["bare python"])
    print("import cost (median of %d interleaved fresh python -S processes): the "
          "statement timed inside the process, and the whole process over a bare one"
          % rounds)
    print("%-12s %12s %16s %14s" % ("module", "ms inside", "ms over bare", "peak RSS +KiB"))
    cost = {}
    for name in subjects:
        if name == "bare python":
            continue
        cost[name] = statistics.median(inside[name])
        over_bare = statistics.median(wall[name]) - bare_time
        extra_rss = statistics.median(memory[name]) - bare_rss
        print("%-12s %12.2f %16.1f %14d" % (name, cost[name] * 1000, over_bare * 1000, extra_rss))
    print("bare python: %.1f ms, %d KiB" % (bare_time * 1000, bare_rss))
    for peer in ("bottle", "flask"):
        if peer in cost:
            print(
                "microflask / %s import time: %.4f (below 1.0: microflask imports faster)"
                % (peer, cost["microflask"] / cost[peer])
            )
    if "bottle" in cost:
        print(
            "microflask, from microflask import %s / bottle import time: %.2f"
            % (", ".join(APP_NAME_LIST), cost[APP_NAMES] / cost["bottle"])
        )


# -- the single file -------------------------------------------------------------------

# What a first request does with each framework: the same two routes, answered
# once each through WSGI.  ``serve`` is defined before the clock starts.
WSGI_DRIVER = """
import io, json, sys, time


def serve(app, method, path, body=b"", cookie=""):
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
        "HTTP_COOKIE": cookie,
    }
    status = []
    chunks = app(environ, lambda code, headers, exc_info=None: status.append(code))
    text = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    assert status[0].startswith("200"), (status, text)
    return text
"""

FIRST_REQUEST = {
    "bottle": """
import bottle

app = bottle.Bottle()


@app.route("/hello/<name>")
def hello(name):
    seen = (bottle.request.get_cookie("seen", secret="key") or 0) + 1
    bottle.response.set_cookie("seen", seen, secret="key")
    return bottle.template("<p>{{name}} {{seen}}</p>", name=name, seen=seen)


@app.post("/echo")
def echo():
    return {"got": bottle.request.json}
""",
    "microflask": """
from microflask import Flask, render_template_string, request, session

app = Flask("bench")
app.secret_key = "key"


@app.route("/hello/<name>")
def hello(name):
    session["seen"] = session.get("seen", 0) + 1
    return render_template_string("<p>{{ name }} {{ seen }}</p>", name=name, seen=session["seen"])


@app.post("/echo")
def echo():
    return {"got": request.get_json()}
""",
}

FIRST_REQUEST_CALLS = """
assert b"ann" in serve(app, "GET", "/hello/ann")
assert b"got" in serve(app, "POST", "/echo", json.dumps({"a": [1, 2]}).encode())
"""


def timed_child_code(path_entry: str, module: str, workload: str) -> str:
    """Child code that prints the seconds ``workload`` takes (``import`` or ``first request``)."""
    if workload == "import":
        body = "import %s\n" % module
    else:
        body = FIRST_REQUEST[module if module == "bottle" else "microflask"] + FIRST_REQUEST_CALLS
    return (
        "import sys\nsys.path.insert(0, %r)\n" % path_entry
        + WSGI_DRIVER
        + "started = time.perf_counter()\n"
        + "exec(compile(%r, '<workload>', 'exec'))\n" % body
        + "print(time.perf_counter() - started)\n"
    )


def timed_sample(code: str) -> float:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-S", "-B", "-c", code], env=env, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def write_single_files(folder: Path) -> dict[str, Path] | None:
    """``bottle.py`` and the two profiles of ``microflask.py``, each in its own folder."""
    files = {}
    bottle_entry = site_packages_of("bottle")
    if bottle_entry is None:
        print("(bottle is not installed: the single-file comparison is skipped)")
        return None
    (folder / "bottle").mkdir()
    files["bottle.py"] = Path(shutil.copy(Path(bottle_entry) / "bottle.py", folder / "bottle"))
    for profile in ("core", "full"):
        (folder / profile).mkdir()
        target = folder / profile / "microflask.py"
        subprocess.run(
            [sys.executable, "-m", "microflask.bundle", "--profile", profile, "-o", str(target)],
            cwd=ROOT, check=True, capture_output=True,
        )
        files[profile] = target
    return files


def single_file_cases(folder: Path, files: dict[str, Path]) -> dict[tuple, str]:
    """(subject, case, workload) -> child code, with the zips and caches they need."""
    cases = {}
    for subject, path in files.items():
        module = path.stem
        archive = folder / ("%s-%s.zip" % (subject, module))
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
            packed.write(path, path.name)
        cached = folder / ("%s-cached" % subject)
        cached.mkdir()
        shutil.copy(path, cached / path.name)
        for workload in ("import", "first request"):
            cases[(subject, "no bytecode cache, folder", workload)] = timed_child_code(
                str(path.parent), module, workload)
            cases[(subject, "no bytecode cache, zip", workload)] = timed_child_code(
                str(archive), module, workload)
            code = timed_child_code(str(cached), module, workload)
            # One run with bytecode writes allowed leaves the cache behind.
            subprocess.run([sys.executable, "-S", "-c", code], check=True, capture_output=True,
                           env={k: v for k, v in os.environ.items()
                                if k != "PYTHONDONTWRITEBYTECODE"})
            cases[(subject, "bytecode cache, folder", workload)] = code
    return cases


def single_file_main(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_import_") as scratch:
        folder = Path(scratch)
        files = write_single_files(folder)
        if files is None:
            return
        lines = {name: path.read_text(encoding="utf-8").count("\n") for name, path in files.items()}
        cases = single_file_cases(folder, files)
        times: dict[tuple, list[float]] = {key: [] for key in cases}
        for code in cases.values():  # warm the OS file cache once
            timed_sample(code)
        for _ in range(rounds):
            for key, code in cases.items():  # interleaved: noise hits all alike
                times[key].append(timed_sample(code))
    print()
    print("single file: %s" % ", ".join("%s %d lines" % item for item in lines.items()))
    print("ms inside a fresh python -S -B, best of %d interleaved runs (median)" % rounds)
    subjects = list(files)
    print("| workload | case | %s | core / bottle.py | full / bottle.py |"
          % " | ".join(subjects))
    print("|---|---|%s---|---|" % ("---|" * len(subjects)))
    for workload in ("import", "first request"):
        for case in ("no bytecode cache, folder", "no bytecode cache, zip",
                     "bytecode cache, folder"):
            best = {s: min(times[(s, case, workload)]) for s in subjects}
            middle = {s: statistics.median(times[(s, case, workload)]) for s in subjects}
            cells = ["%.1f (%.1f)" % (best[s] * 1000, middle[s] * 1000) for s in subjects]
            ratios = ["%.2f" % (best[p] / best["bottle.py"]) for p in ("core", "full")]
            print("| %s | %s | %s | %s |" % (workload, case, " | ".join(cells), " | ".join(ratios)))
    for profile, target in (("core", 1.5), ("full", 3.0)):
        for case in ("no bytecode cache, folder", "no bytecode cache, zip"):
            ratio = (min(times[(profile, case, "import")])
                     / min(times[("bottle.py", case, "import")]))
            print("single file %s / bottle.py import time, %s: %.2f (target <= %.1f: %s)"
                  % (profile, case, ratio, target, "met" if ratio <= target else "MISSED"))


def main() -> None:
    arguments = sys.argv[1:]
    single_file_only = "--single-file" in arguments
    arguments = [a for a in arguments if a != "--single-file"]
    rounds = int(arguments[0]) if arguments else int(os.environ.get("BENCH_ROUNDS", "10"))
    if not single_file_only:
        package_main(rounds * 3)
    single_file_main(rounds)


if __name__ == "__main__":
    main()
