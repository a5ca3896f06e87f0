"""Run every benchmark and write ``results.md`` and ``results.svg``.

    python benchmarks/run.py              # full run (a few minutes on 2 cores)
    BENCH_QUICK=1 python benchmarks/run.py  # smoke run: short, prints only

Each ``benchmarks/bench_*.py`` runs in its own process (microflask and its
peer side by side, interleaved rounds); this script reads the ratios from
their printed tables, adds an over-loopback run of each framework's hello app
under gunicorn (when gunicorn is installed), and checks every ratio target
the project set itself.  ``bench_server`` drives microflask's built-in server,
waitress and Werkzeug's development server with ``wrk`` (skipped, with a note,
when wrk is not installed).  All ratios read "microflask is N times as fast as
the peer": above 1.0 is faster.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from typing import NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(1, ROOT)

from _svg import ChartBar, ratio_chart_svg  # noqa: E402

BENCHMARKS = ["markup", "signing", "http", "routing", "templates", "themes", "app", "import",
              "server"]
PEER_DISTRIBUTIONS = ["markupsafe", "itsdangerous", "werkzeug", "flask", "jinja2", "mako",
                      "bottle", "falcon", "gunicorn", "waitress", "sphinx", "mkdocs",
                      "alabaster", "furo", "sphinx_rtd_theme"]
BENCH_TIMEOUT_SECONDS = 150
# bench_server runs wrk for 3 s x 8 server/case pairs x 3 rounds, then the
# slowloris and idle-memory figures (bounded, about 10 s per server at worst).
BENCH_TIMEOUTS = {"server": 420}


class Ratio(NamedTuple):
    """One measured ratio: microflask's speed over the peer's."""

    benchmark: str
    case: str
    peer: str
    ratio: float


class Target(NamedTuple):
    """A ratio the project promised, and what was measured for it."""

    description: str
    required: float
    measured: float | None

    @property
    def met(self) -> bool | None:
        return None if self.measured is None else self.measured >= self.required


# -- running the benchmark scripts ----------------------------------------------


def run_benchmark_script(name: str, quick: bool) -> tuple:
    """Run ``bench_<name>.py``; return (stdout, error text or "")."""
    path = os.path.join(HERE, "bench_%s.py" % name)
    if not os.path.exists(path):
        return "", "benchmarks/bench_%s.py does not exist" % name
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    if quick:
        env.setdefault("BENCH_ROUNDS", "1")
        env.setdefault("BENCH_NUMBER", "300")
    timeout = BENCH_TIMEOUTS.get(name, BENCH_TIMEOUT_SECONDS)
    try:
        done = subprocess.run(
            [sys.executable, path], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "", "timed out after %d s" % timeout
    if done.returncode != 0:
        return done.stdout, "exit status %d: %s" % (done.returncode, done.stderr.strip()[-800:])
    return done.stdout, ""


# -- reading their output ---------------------------------------------------------


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    """Every markdown table in ``text``, as lists of {header: cell} rows."""
    tables = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith("|") and index + 1 < len(lines) \
                and set(lines[index + 1].strip()) <= set("|-: "):
            headers = [cell.strip() for cell in line.strip("|").split("|")]
            rows = []
            index += 2
            while index < len(lines) and lines[index].strip().startswith("|"):
                cells = [cell.strip() for cell in lines[index].strip().strip("|").split("|")]
                rows.append(dict(zip(headers, cells)))
                index += 1
            tables.append(rows)
        else:
            index += 1
    return tables


def _number(text: str) -> float | None:
    match = re.search(r"[-+]?\d[\d,]*\.?\d*", text or "")
    if not match:
        return None
    return float(match.group(0).replace(",", ""))


def parse_titled_ratios(benchmark: str, text: str) -> list[Ratio]:
    """``title`` lines followed by ``... microflask/<peer> = 1.23x`` lines
    (bench_markup, bench_signing) or ``ratio microflask/<peer>: 1.23x``
    (bench_http, under ``== title`` lines)."""
    ratios = []
    title = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            title = line.strip().lstrip("= ").strip()
            continue
        match = re.search(r"microflask/(.+?) = ([\d.]+)x", line)
        if match:
            ratios.append(Ratio(benchmark, title, match.group(1).strip(), float(match.group(2))))
            continue
        match = re.match(r"\s*(throughput )?ratio microflask/(\w+): ([\d.]+)x", line)
        if match:
            ratios.append(Ratio(benchmark, title, match.group(2), float(match.group(3))))
    return ratios


def parse_routing(text: str) -> tuple:
    ratios = []
    for table in markdown_tables(text):
        for row in table:
            for column, peer in (("vs werkzeug", "werkzeug"), ("vs bottle", "bottle")):
                value = _number(row.get(column, ""))
                if value is not None:
                    ratios.append(Ratio("routing", row.get("case", "?"), peer, value))
    flatness = None
    match = re.search(r"rate at N=(\d+) is (\d+)% of its N=(\d+) rate", text)
    if match:
        flatness = int(match.group(2)) / 100.0
    return ratios, flatness


def parse_templates(text: str) -> list[Ratio]:
    ratios = []
    tables = markdown_tables(text)
    for table_index, table in enumerate(tables):
        for row in table:
            engine = row.get("engine") or row.get("compile page.html") or ""
            if engine.lower() == "microflask" or not engine:
                continue
            value = _number(row.get("microflask ratio", ""))
            if value is None:
                continue
            case = "render page.html" if "engine" in row else "compile page.html"
            ratios.append(Ratio("templates", case, engine, value))
    return ratios


def parse_themes(text: str) -> tuple:
    """bench_themes' tables (``case`` and ``microflask ratio`` columns, Jinja2
    the peer), and as notes: its ``skipped:`` / ``note:`` lines and the items
    listed under its ``compile failures`` and ``render failures`` headings."""
    ratios = []
    for table in markdown_tables(text):
        for row in table:
            value = _number(row.get("microflask ratio", ""))
            if row.get("case") and value is not None:
                ratios.append(Ratio("themes", row["case"], "Jinja2", value))
    notes = []
    heading = ""
    for line in text.splitlines():
        if line in ("compile failures", "render failures"):
            heading = line
        elif heading and line.startswith("- "):
            notes.append("bench_themes %s: %s" % (heading[:-1], line[2:].strip()))
        elif line.startswith(("skipped: ", "note: ")):
            notes.append("bench_themes: " + line.strip())
    return ratios, notes


def parse_app(text: str) -> list[Ratio]:
    ratios = []
    for table in markdown_tables(text):
        for row in table:
            framework = row.get("framework", "")
            value = _number(row.get("microflask is", ""))
            if framework and framework != "microflask" and value is not None:
                ratios.append(Ratio("app", row.get("case", "?"), framework, value))
    return ratios


def parse_import(text: str) -> list[Ratio]:
    """bench_import prints microflask's import time over the peer's (lower is
    better); turned around here so that above 1.0 means faster."""
    ratios = []
    for match in re.finditer(r"microflask / (\w+) import time: ([\d.]+)", text):
        value = float(match.group(2))
        if value > 0:
            ratios.append(Ratio("import", "import cost", match.group(1), 1.0 / value))
    match = re.search(r"microflask, from microflask import [\w, ]+ / (\w+) import time: ([\d.]+)",
                      text)
    if match and float(match.group(2)) > 0:
        ratios.append(Ratio("import", "an app's names (from microflask import Flask, ...)",
                            match.group(1), 1.0 / float(match.group(2))))
    return ratios


def parse_server(text: str) -> tuple:
    """bench_server's throughput table (``server`` and ``microflask is``
    columns), and its ``skipped:`` / ``note:`` lines as notes."""
    ratios = []
    for table in markdown_tables(text):
        for row in table:
            server = row.get("server", "")
            value = _number(row.get("microflask is", ""))
            if server and server != "microflask" and value is not None:
                ratios.append(Ratio("server", row.get("case", "?"), server, value))
    notes = []
    for line in text.splitlines():
        for prefix in ("skipped: ", "note: "):
            if line.startswith(prefix):
                notes.append("bench_server: " + line[len(prefix):].strip())
    return ratios, notes


# -- over loopback: each hello app under the same gunicorn ------------------------


HELLO_APPS = {
    "microflask": """
        from microflask import Flask
        app = Flask(__name__)

        @app.route("/")
        def hello():
            return "Hello, World!"
    """,
    "flask": """
        from flask import Flask
        app = Flask(__name__)

        @app.route("/")
        def hello():
            return "Hello, World!"
    """,
    "bottle": """
        import bottle
        app = bottle.Bottle()

        @app.route("/")
        def hello():
            return "Hello, World!"
    """,
    "falcon": """
        import falcon

        class Hello:
            def on_get(self, req, resp):
                resp.content_type = falcon.MEDIA_TEXT
                resp.text = "Hello, World!"

        app = falcon.App()
        app.add_route("/", Hello())
    """,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def drive_load(port: int, seconds: float, threads: int = 4, limit: int = 200_000) -> float:
    """Requests per second from ``threads`` HTTP/1.1 clients for ``seconds``
    (keep-alive where the server allows it; gunicorn's sync worker closes
    each connection, so then every request opens a new one)."""
    counts = [0] * threads
    errors = [0] * threads
    stop_at = time.monotonic() + seconds

    def client(slot: int) -> None:
        connection = None
        while time.monotonic() < stop_at and counts[slot] < limit:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    counts[slot] += 1
                else:
                    errors[slot] += 1
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                if connection is not None:
                    connection.close()
                connection = None
                if errors[slot] > 1000:
                    return
        if connection is not None:
            connection.close()

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(slot,), daemon=True)
               for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 10)
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed if elapsed > 0 else 0.0


def gunicorn_available() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def loopback_hello(quick: bool) -> tuple:
    """Requests/s of each framework's hello app under gunicorn (1 sync
    worker, 127.0.0.1), interleaved rounds; returns (rates, notes)."""
    notes = []
    frameworks = []
    for name in HELLO_APPS:
        module = "microflask" if name == "microflask" else name
        try:
            __import__(module)
        except ImportError:
            notes.append("%s is not installed: skipped" % name)
            continue
        frameworks.append(name)
    # wrk (C, one thread) leaves the server most of this 2-core machine; the
    # Python load generator costs more CPU than a sync worker answering hello
    # (the same gunicorn server gave about 3,000 requests/s to it and about
    # 4,900 to wrk), so with it the ratios mostly measure the client.
    use_wrk = shutil.which("wrk") is not None
    if use_wrk:
        from bench_server import run_wrk

        def load(port: int, seconds: float) -> float:
            return run_wrk(port, 4, max(1, int(seconds))).rate

        rounds = 1 if quick else 6
        seconds = 1.0 if quick else 2.0
        notes.append("gunicorn loopback: driven by wrk -t1 -c4 (a new connection per request)")
    else:
        load = drive_load
        rounds = 1 if quick else 8
        seconds = 0.4 if quick else 0.8
        notes.append("gunicorn loopback: wrk is not on PATH, so a Python load generator "
                     "drove it (4 threads); it costs more CPU than the server, so the "
                     "ratios read closer to 1")
    best: dict[str, float] = {}
    servers: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory(prefix="microflask-bench-") as folder:
        for name in frameworks:
            with open(os.path.join(folder, "hello_%s.py" % name), "w") as module_file:
                module_file.write(textwrap.dedent(HELLO_APPS[name]))
        env = dict(os.environ)
        env["PYTHONPATH"] = folder + os.pathsep + ROOT
        try:
            # All servers stay up (an idle sync worker costs nothing) and the
            # load goes to each in turn, so a busy moment on the machine hits
            # every framework alike.
            for name in frameworks:
                port = free_port()
                command = [
                    sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class",
                    "sync", "--bind", "127.0.0.1:%d" % port, "--log-level", "warning",
                    "--chdir", folder, "hello_%s:app" % name,
                ]
                server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
                servers[name] = (server, port)
            for name, (server, port) in list(servers.items()):
                if not wait_until_listening(port, server, 20):
                    notes.append("%s: gunicorn did not start" % name)
                    del servers[name]
                    continue
                load(port, 0.2)  # warm up
            names = list(servers)
            for round_index in range(rounds):
                shift = round_index % len(names) if names else 0
                for name in names[shift:] + names[:shift]:
                    rate = load(servers[name][1], seconds)
                    best[name] = max(best.get(name, 0.0), rate)
        finally:
            for server, _ in servers.values():
                server.terminate()
            for server, _ in servers.values():
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    return best, notes


# -- targets ------------------------------------------------------------------------


# (description, required ratio, benchmark, case prefix, peer substring)
RATIO_TARGETS = [
    ("escape, text full of specials >= 1.0x markupsafe._native", 1.0,
     "markup", "escape: text full of", "pure python"),
    ("escape, clean text >= 1.0x markupsafe._native", 1.0,
     "markup", "escape: clean text", "pure python"),
    ("URLSafeTimedSerializer round trip >= 1.5x itsdangerous", 1.5,
     "signing", "urlsafetimedserializer dumps+loads, session dict", "itsdangerous"),
    ("URLSafeTimedSerializer round trip, Flask session options >= 1.5x itsdangerous", 1.5,
     "signing", "urlsafetimedserializer dumps+loads, flask session", "itsdangerous"),
    ("routing match at N=1000 >= 3x Werkzeug", 3.0, "routing", "match, n=1000", "werkzeug"),
    ("templates >= 2.5x Jinja2", 2.5, "templates", "render", "jinja2"),
    ("templates >= 1.0x Mako", 1.0, "templates", "render", "mako"),
    ("compile real themes' templates from source >= 2x Jinja2", 2.0,
     "themes", "compile all real theme templates", "jinja2"),
    ("load+render Sphinx basic/layout.html page >= 2x Jinja2", 2.0,
     "themes", "sphinx page cold", "jinja2"),
    ("app hello >= 1.0x Falcon", 1.0, "app", "hello", "falcon"),
    ("app hello >= 2.0x Bottle", 2.0, "app", "hello", "bottle"),
    ("app user-json >= 1.0x Falcon", 1.0, "app", "user json", "falcon"),
    ("app user-json >= 2.0x Bottle", 2.0, "app", "user json", "bottle"),
    ("blueprint+session+template request >= 5x Flask", 5.0, "app", "blueprint", "flask"),
    ("import cost <= 1/3 of Bottle's (3x as fast)", 3.0, "import", "import", "bottle"),
    ("an app's names (from microflask import Flask, ...) <= 1/3 of Bottle's import", 3.0,
     "import", "an app's names", "bottle"),
    ("gunicorn sync worker, hello >= 1.3x Flask", 1.3, "loopback", "gunicorn", "flask"),
    ("gunicorn sync worker, hello >= 1.0x Bottle", 1.0, "loopback", "gunicorn", "bottle"),
    ("built-in server, hello, 1 connection (wrk) >= 1.0x Werkzeug dev server", 1.0,
     "server", "hello, 1 connection", "werkzeug"),
    ("built-in server, hello, 16 connections (wrk) >= 1.0x waitress 4 threads", 1.0,
     "server", "hello, 16 connections", "waitress"),
    ("built-in server, blog index, 16 connections (wrk) >= 1.0x waitress 4 threads", 1.0,
     "server", "blog index, 16 connections", "waitress"),
]
FLATNESS_TARGET = ("routing: microflask N=1000 rate >= 2/3 of its N=10 rate", 2.0 / 3.0)


def _matches(item: Ratio, benchmark: str, case_prefix: str, peer: str) -> bool:
    return (item.benchmark == benchmark and item.case.lower().startswith(case_prefix)
            and peer in item.peer.lower())


def targets_for(ratios: list[Ratio], flatness: float | None) -> list[Target]:
    targets = []
    for description, required, benchmark, case_prefix, peer in RATIO_TARGETS:
        measured = next((item.ratio for item in ratios
                         if _matches(item, benchmark, case_prefix, peer)), None)
        targets.append(Target(description, required, measured))
    targets.insert(5, Target(FLATNESS_TARGET[0], FLATNESS_TARGET[1], flatness))
    return targets


# -- the report ---------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peer_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for name in PEER_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _format_ratio(value: float | None) -> str:
    if value is None:
        return "not measured"
    # Three decimals below 0.1 so that a very slow case does not read 0.00x.
    return ("%.2fx" if value >= 0.1 else "%.3fx") % value


def render_markdown(ratios: list[Ratio], targets: list[Target], outputs: dict[str, str],
                    errors: dict[str, str], loopback: dict[str, float],
                    notes: list[str], seconds: float, quick: bool) -> str:
    lines = [
        "# microflask benchmark results",
        "",
        "Written by `python benchmarks/run.py`%s on %s UTC in %.0f s. Every ratio is "
        "microflask's speed over the peer's: above 1.00x microflask is faster. Each "
        "benchmark runs microflask and the peer in one process with interleaved rounds."
        % (" (BENCH_QUICK=1 smoke run)" if quick else "",
           datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"), seconds),
        "",
        "## Machine",
        "",
        "- CPU: %s (nproc: %d)" % (cpu_model(), os.cpu_count() or 0),
        "- Python %s (%s), %s" % (platform.python_version(), platform.python_implementation(),
                                  platform.platform()),
        "- Peers: " + ", ".join("%s %s" % item for item in peer_versions().items()),
        "",
        "## Targets",
        "",
        "| target | required | measured | met |",
        "| --- | ---: | ---: | :---: |",
    ]
    for target in targets:
        met = {True: "yes", False: "**no**", None: "not measured"}[target.met]
        lines.append("| %s | %.2fx | %s | %s |" % (target.description, target.required,
                                                   _format_ratio(target.measured), met))
    lines += ["", "## All ratios", "", "| benchmark | case | peer | microflask is |",
              "| --- | --- | --- | ---: |"]
    for item in ratios:
        lines.append("| %s | %s | %s | %s |" % (item.benchmark, item.case, item.peer,
                                                  _format_ratio(item.ratio)))
    if loopback:
        lines += ["", "## Over loopback: hello app under gunicorn", "",
                  "One sync worker per framework on 127.0.0.1, all four servers up at "
                  "once; a load generator (see the notes for which: wrk, or Python "
                  "threads where wrk is missing; a new connection "
                  "per request since the sync worker closes each) sends load to each in "
                  "turn for several rounds and the best round counts. The "
                  "server and the network stack dominate here, so these ratios are "
                  "much closer to 1 than the in-process ones.", "",
                  "| framework | requests/s | microflask is |", "| --- | ---: | ---: |"]
        ours = loopback.get("microflask")
        for name, rate in loopback.items():
            shown = "-" if name == "microflask" or not ours or not rate else \
                "%.2fx" % (ours / rate)
            lines.append("| %s | %.0f | %s |" % (name, rate, shown))
    server_text = outputs.get("server", "").strip()
    if server_text:
        lines += ["", "## Over loopback: the built-in server vs waitress and Werkzeug (wrk)", "",
                  "`benchmarks/bench_server.py`: each server in its own process on "
                  "127.0.0.1 serving the same microflask app, driven by `wrk -t1` with "
                  "keep-alive; all servers up at once, runs interleaved over rounds, best "
                  "round counts. Then, without wrk, the memory each idle keep-alive "
                  "connection costs the server and how fast it still answers fresh requests "
                  "while 200 slowloris connections are open.", "", server_text]
    if notes or errors:
        lines += ["", "## Notes", ""]
        lines += ["- %s" % note for note in notes]
        lines += ["- bench_%s: %s" % item for item in errors.items()]
    lines += ["", "## Raw output", ""]
    for name, text in outputs.items():
        if name == "server" and server_text:
            continue  # shown whole in its own section above
        lines += ["### bench_%s" % name, "", "```", text.rstrip() or "(no output)", "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def _short_label(text: str, limit: int = 46) -> str:
    text = text.split(" (")[0]
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def chart_bars(ratios: list[Ratio], targets: list[Target]):
    bars = []
    for item in ratios:
        target = None
        for _, required, benchmark, case_prefix, peer in RATIO_TARGETS:
            if _matches(item, benchmark, case_prefix, peer):
                target = required
        label = "%s: %s vs %s" % (item.benchmark, _short_label(item.case), item.peer)
        bars.append(ChartBar(label, item.ratio, target))
    for target in targets:
        if target.description == FLATNESS_TARGET[0] and target.measured:
            bars.append(ChartBar("routing: N=1000 rate / N=10 rate", target.measured,
                                 target.required))
    return bars


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=BENCHMARKS + ["loopback"],
                        help="run only these (repeatable)")
    parser.add_argument("--markdown", default=None, help="where to write results.md")
    parser.add_argument("--svg", default=None, help="where to write results.svg")
    options = parser.parse_args(argv)
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    # A smoke run prints its report and leaves the committed results alone.
    markdown_path = options.markdown or (None if quick else os.path.join(HERE, "results.md"))
    svg_path = options.svg or (None if quick else os.path.join(HERE, "results.svg"))
    selected = options.only or BENCHMARKS + ["loopback"]
    started = time.monotonic()
    outputs: dict[str, str] = {}
    errors: dict[str, str] = {}
    ratios: list[Ratio] = []
    bench_notes: list[str] = []
    flatness = None
    for name in BENCHMARKS:
        if name not in selected:
            continue
        print("running bench_%s ..." % name, file=sys.stderr, flush=True)
        text, error = run_benchmark_script(name, quick)
        outputs[name] = text
        if error:
            errors[name] = error
        if name in ("markup", "signing", "http"):
            ratios += parse_titled_ratios(name, text)
        elif name == "routing":
            found, flatness = parse_routing(text)
            ratios += found
        elif name == "templates":
            ratios += parse_templates(text)
        elif name == "themes":
            found, theme_notes = parse_themes(text)
            ratios += found
            bench_notes += theme_notes
        elif name == "app":
            ratios += parse_app(text)
        elif name == "import":
            ratios += parse_import(text)
        elif name == "server":
            found, server_notes = parse_server(text)
            ratios += found
            bench_notes += server_notes
    loopback: dict[str, float] = {}
    notes: list[str] = list(bench_notes)
    if "loopback" in selected:
        if gunicorn_available():
            print("running the gunicorn loopback comparison ...", file=sys.stderr, flush=True)
            loopback, loopback_notes = loopback_hello(quick)
            notes += loopback_notes
        else:
            notes.append("gunicorn is not installed: the over-loopback comparison was skipped")
    ours = loopback.get("microflask")
    for name, rate in loopback.items():
        if name != "microflask" and ours and rate:
            ratios.append(Ratio("loopback", "gunicorn sync worker, hello", name, ours / rate))
    targets = targets_for(ratios, flatness)
    elapsed = time.monotonic() - started
    report = render_markdown(ratios, targets, outputs, errors, loopback, notes, elapsed, quick)
    svg = ratio_chart_svg(
        chart_bars(ratios, targets),
        "microflask speed over each peer (log scale; higher is faster)",
        "%s, nproc %d, Python %s" % (cpu_model(), os.cpu_count() or 0,
                                      platform.python_version()),
    )
    if markdown_path:
        with open(markdown_path, "w", encoding="utf-8") as output:
            output.write(report)
        print("wrote %s" % markdown_path, file=sys.stderr)
    if svg_path:
        with open(svg_path, "w", encoding="utf-8") as output:
            output.write(svg)
        print("wrote %s" % svg_path, file=sys.stderr)
    if not markdown_path:
        print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
