"""A large hostile-input run: the suite's seeded generators, 100,000 cases each.

    python fuzz/hostile.py                 # 100,000 cases per kind (several minutes)
    python fuzz/hostile.py --cases 5000    # a shorter run
    python fuzz/hostile.py --seed 7        # another corpus

Kinds: random WSGI environs against a Flask-style app in process; mutated
signed session cookies; mutated and random template sources (sandboxed,
compiled and rendered); mutated raw HTTP requests against the built-in
server on loopback.  Prints, per kind, how many cases ran, how fast, the
outcomes, and every failure (a 500 from framework code, an undocumented
exception, an untrusted cookie accepted); exits 1 if there was one.
The same generators run a few thousand times in ``tests/test_fuzz_hostile.py``.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
sys.path[:0] = [ROOT, TESTS]

import hostile_cases  # noqa: E402
import test_templating_fuzz as template_fuzz  # noqa: E402


def report(
    kind: str, cases: int, seconds: float, outcomes: collections.Counter, failures: list
) -> None:
    shown = ", ".join("%s %d" % item for item in sorted(outcomes.items(), key=lambda i: -i[1])[:8])
    print("| %s | %d | %.0f | %s | %d |" % (kind, cases, cases / seconds, shown, len(failures)))
    for failure in failures[:5]:
        print("    failure: %s" % (failure,)[:400])


def run_environs(rng: random.Random, cases: int) -> tuple:
    app = hostile_cases.hostile_app()
    outcomes: collections.Counter = collections.Counter()
    failures = []
    for case in range(cases):
        environ = hostile_cases.random_environ(rng)
        seen = []

        def start_response(status, headers, exc_info=None):
            seen.append(status)
            return lambda data: None

        try:
            body = app(environ, start_response)
            b"".join(body)
            getattr(body, "close", lambda: None)()
        except Exception as error:  # any exception escaping the app is a failure
            failures.append((case, repr(error)))
            continue
        outcomes[seen[0][:3]] += 1
        if seen[0].startswith("500"):
            failures.append((case, environ["wsgi.errors"].getvalue()[-300:]))
    return outcomes, failures


def run_cookies(rng: random.Random, cases: int) -> tuple:
    app = hostile_cases.hostile_app()
    client = app.test_client()
    client.get("/session")
    valid = client.get_cookie("session").value
    outcomes: collections.Counter = collections.Counter()
    failures = []
    for case in range(cases):
        cookie = hostile_cases.mutated_cookie(rng, valid).replace("\x00", "")
        response = app.test_client().get("/session", headers={"Cookie": "session=" + cookie})
        trusted = response.data != b"n=0"
        outcomes["%d %s" % (response.status_code, "trusted" if trusted else "new session")] += 1
        if response.status_code != 200 or (trusted and cookie != valid):
            failures.append((case, cookie, response.status_code, response.data[:80]))
    return outcomes, failures


def run_templates(rng: random.Random, cases: int) -> tuple:
    from microflask.templating import DictLoader, TemplateError
    from microflask.templating.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(loader=DictLoader(template_fuzz.TEMPLATES), autoescape=True)
    outcomes: collections.Counter = collections.Counter()
    failures = []
    for case in range(cases):
        if rng.random() < 0.5:
            source = template_fuzz.random_source(rng)
        else:
            source = template_fuzz.mutate(rng, rng.choice(template_fuzz.SEEDS_SOURCES))
        try:
            template = env.from_string(source)
        except TemplateError:
            outcomes["refused at compile"] += 1
            continue
        except Exception as error:
            failures.append((case, source, "compile: %r" % error))
            continue
        try:
            template.render(template_fuzz.CONTEXT)
            outcomes["rendered"] += 1
        except TemplateError:
            outcomes["template error at render"] += 1
        except template_fuzz.ALLOWED_RENDER_ERRORS as error:
            where = template_fuzz.innermost_file(error)
            if where in template_fuzz.ENGINE_FILES:
                failures.append((case, source, "render, in %s: %r" % (where, error)))
            else:
                outcomes["the template's own error"] += 1
        except Exception as error:
            failures.append((case, source, "render: %r" % error))
    return outcomes, failures


SERVER_SCRIPT = textwrap.dedent('''
    import sys
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    import hostile_cases
    from microflask.serving import serve
    serve(hostile_cases.hostile_app(), port=0, threads=4, access_log=False,
          head_timeout=0.5, body_timeout=0.5)
''')


def run_requests(rng: random.Random, cases: int) -> tuple:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        script = os.path.join(scratch, "serve_fuzz.py")
        with open(script, "w") as f:
            f.write(SERVER_SCRIPT)
        process = subprocess.Popen(
            [sys.executable, script, ROOT, TESTS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ, FLASK_SKIP_DOTENV="1"),
        )
        try:
            match = re.search(rb":(\d+) with", process.stderr.readline())
            port = int(match.group(1))
            outcomes: collections.Counter = collections.Counter()
            failures = []
            for case in range(cases):
                raw = hostile_cases.mutated_request(rng)
                reply, error_name = hostile_cases.exchange(port, raw)
                if error_name is not None:
                    outcomes[error_name] += 1
                statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", reply) or [b"closed, no answer"]
                for status in statuses:
                    outcomes[status.decode()] += 1
                    if status == b"500":
                        failures.append((case, raw[:200], reply[:200]))
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=20)
            errors = process.stderr.read().decode("utf-8", "replace")
            process.stdout.close()
            process.stderr.close()
        if code != 0 or "Traceback" in errors:
            failures.append(("server", code, errors[-500:]))
    return outcomes, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--only", choices=["environs", "cookies", "templates", "requests"])
    options = parser.parse_args()
    kinds = [("environs", "random WSGI environs, in process", run_environs),
             ("cookies", "mutated session cookies", run_cookies),
             ("templates", "random and mutated templates, sandboxed", run_templates),
             ("requests", "mutated raw requests, built-in server on loopback", run_requests)]
    print("| kind | cases | cases/s | outcomes | failures |")
    print("| --- | ---: | ---: | --- | ---: |")
    total_failures = 0
    for name, title, run in kinds:
        if options.only and options.only != name:
            continue
        rng = random.Random("%s-%d" % (name, options.seed))
        started = time.perf_counter()
        outcomes, failures = run(rng, options.cases)
        report(title, options.cases, time.perf_counter() - started, outcomes, failures)
        total_failures += len(failures)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
