"""Benchmark: the cost of ``import microflask`` against ``import bottle`` and ``import flask``.

Each sample is a fresh interpreter (``python -S -c "import X"``) timed from
outside; a bare interpreter (``python -S -c pass``) is timed in the same
interleaved rounds and its median subtracted, so what remains is the import
itself.  ``-S`` keeps site-packages ``.pth`` hooks (which import things of
their own) out of the picture; the package directories are put on
``sys.path`` by hand.  Peak memory is the child's ``ru_maxrss`` minus the
bare interpreter's.  Run with system ``python3`` (Bottle and Flask installed):

    python3 benchmarks/bench_import.py [rounds]

Target: microflask costs at most a third of Bottle's import time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
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
    """Run ``statement`` and print the peak RSS, in kilobytes."""
    prefix = "import sys; sys.path.insert(0, %r); " % path_entry if path_entry else ""
    return (
        prefix + statement + "; import resource; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )


def sample(code: str) -> tuple[float, int]:
    """One run: (wall seconds, peak RSS in KiB)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    elapsed = time.perf_counter() - started
    return elapsed, int(out.strip().splitlines()[-1])


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    subjects = {
        "bare python": child_code("pass", None),
        "microflask": child_code("import microflask", ROOT),
    }
    for peer in ("bottle", "flask"):
        entry = site_packages_of(peer)
        if entry is None:
            print("(%s is not installed: skipped)" % peer)
            continue
        subjects[peer] = child_code("import %s" % peer, entry)
    times: dict[str, list[float]] = {name: [] for name in subjects}
    memory: dict[str, list[int]] = {name: [] for name in subjects}
    for name, code in subjects.items():  # warm the OS file cache once
        sample(code)
    for _ in range(rounds):
        for name, code in subjects.items():  # interleaved: noise hits all alike
            elapsed, rss = sample(code)
            times[name].append(elapsed)
            memory[name].append(rss)
    bare_time = statistics.median(times["bare python"])
    bare_rss = statistics.median(memory["bare python"])
    print("import cost over a bare interpreter (median of %d interleaved runs)" % rounds)
    print("%-12s %10s %12s %14s" % ("module", "ms", "imports/s", "peak RSS +KiB"))
    cost = {}
    for name in subjects:
        if name == "bare python":
            continue
        cost[name] = max(statistics.median(times[name]) - bare_time, 1e-9)
        extra_rss = statistics.median(memory[name]) - bare_rss
        print("%-12s %10.1f %12.0f %14d" % (name, cost[name] * 1000, 1 / cost[name], extra_rss))
    print("bare python: %.1f ms, %d KiB" % (bare_time * 1000, bare_rss))
    for peer in ("bottle", "flask"):
        if peer in cost:
            print(
                "microflask / %s import time: %.2f (below 1.0: microflask imports faster)"
                % (peer, cost["microflask"] / cost[peer])
            )


if __name__ == "__main__":
    main()
