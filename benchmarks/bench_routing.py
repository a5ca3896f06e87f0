"""Routing benchmark: microflask.routing against Werkzeug's Map and Bottle's
Router, side by side in one process.

For N = 10, 100 and 1,000 rules of the form ``/r{i}/<int:id>/item/<name>``
it times matching the LAST rule (``/r{N-1}/42/item/foo``), the worst case
for a router that scans its rules; then matching the last of 1,000 literal
rules, binding to a WSGI environ plus matching (a framework's per-request
cost), and building a URL for a dynamic rule.  Rounds of each router are
interleaved and the best round is kept, so background load hits all of them
alike.  Prints a markdown table of operations per second and microflask's
ratio to each peer.

Run with the system ``python3`` (Werkzeug and Bottle installed):

    python3 benchmarks/bench_routing.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microflask import routing as micro_routing  # noqa: E402

ROUNDS = 7
SIZES = (10, 100, 1000)


def micro_matcher(count: int):
    url_map = micro_routing.Map(
        [micro_routing.Rule(f"/r{i}/<int:id>/item/<name>", endpoint=f"e{i}") for i in range(count)]
    )
    adapter = url_map.bind("example.com")
    path = f"/r{count - 1}/42/item/foo"
    assert adapter.match(path) == (f"e{count - 1}", {"id": 42, "name": "foo"})
    return lambda: adapter.match(path)


def werkzeug_matcher(count: int):
    from werkzeug.routing import Map, Rule

    url_map = Map([Rule(f"/r{i}/<int:id>/item/<name>", endpoint=f"e{i}") for i in range(count)])
    adapter = url_map.bind("example.com")
    path = f"/r{count - 1}/42/item/foo"
    assert adapter.match(path) == (f"e{count - 1}", {"id": 42, "name": "foo"})
    return lambda: adapter.match(path)


def bottle_matcher(count: int):
    import bottle

    router = bottle.Router()
    for i in range(count):
        router.add(f"/r{i}/<id:int>/item/<name>", "GET", f"e{i}")
    environ = {"PATH_INFO": f"/r{count - 1}/42/item/foo", "REQUEST_METHOD": "GET"}
    target, args = router.match(environ)
    assert target == f"e{count - 1}" and args == {"id": 42, "name": "foo"}
    return lambda: router.match(environ)


def static_matchers(count: int):
    """The three routers with ``count`` literal rules ``/s{i}/page``."""
    import bottle
    from werkzeug.routing import Map, Rule

    path = f"/s{count - 1}/page"
    micro = micro_routing.Map(
        [micro_routing.Rule(f"/s{i}/page", endpoint=f"e{i}") for i in range(count)]
    ).bind("example.com")
    peer = Map([Rule(f"/s{i}/page", endpoint=f"e{i}") for i in range(count)]).bind("example.com")
    router = bottle.Router()
    for i in range(count):
        router.add(f"/s{i}/page", "GET", f"e{i}")
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    assert micro.match(path) == peer.match(path) == (f"e{count - 1}", {})
    return {
        "micro": lambda: micro.match(path),
        "werkzeug": lambda: peer.match(path),
        "bottle": lambda: router.match(environ),
    }


def per_request_matchers():
    """What a framework does per request: bind to the WSGI environ, match."""
    from werkzeug.routing import Map, Rule

    environ = {
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "example.com",
        "PATH_INFO": "/user/42",
        "SCRIPT_NAME": "",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "a=1",
    }
    micro = micro_routing.Map([micro_routing.Rule("/user/<int:id>", endpoint="user")])
    peer = Map([Rule("/user/<int:id>", endpoint="user")])
    assert micro.bind_to_environ(environ).match() == peer.bind_to_environ(environ).match()
    return {
        "micro": lambda: micro.bind_to_environ(environ, subdomain="").match(),
        "werkzeug": lambda: peer.bind_to_environ(environ, subdomain="").match(),
    }


def micro_builder():
    adapter = micro_routing.Map(
        [micro_routing.Rule("/user/<int:id>/post/<slug>", endpoint="post")]
    ).bind("example.com")
    values = {"id": 42, "slug": "hello world", "page": 2}
    assert adapter.build("post", values) == "/user/42/post/hello%20world?page=2"
    return lambda: adapter.build("post", values)


def werkzeug_builder():
    from werkzeug.routing import Map, Rule

    adapter = Map([Rule("/user/<int:id>/post/<slug>", endpoint="post")]).bind("example.com")
    values = {"id": 42, "slug": "hello world", "page": 2}
    assert adapter.build("post", values) == "/user/42/post/hello%20world?page=2"
    return lambda: adapter.build("post", values)


def best_rates(candidates: dict[str, object], round_seconds: float = 0.004) -> dict[str, float]:
    """Operations per second for each callable, best of interleaved rounds.
    Each callable gets a call count that makes one round about
    ``round_seconds`` long, so slow routers do not stretch the run."""
    numbers = {}
    for name, func in candidates.items():
        seconds = timeit.timeit(func, number=50)
        numbers[name] = max(50, int(50 * round_seconds / max(seconds, 1e-9)))
    best = {name: 0.0 for name in candidates}
    for _round in range(ROUNDS):
        for name, func in candidates.items():
            seconds = timeit.timeit(func, number=numbers[name])
            best[name] = max(best[name], numbers[name] / seconds)
    return best


def main() -> None:
    print("| case | microflask ops/s | werkzeug ops/s | bottle ops/s | vs werkzeug | vs bottle |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    micro_rates = {}
    for count in SIZES:
        rates = best_rates(
            {
                "micro": micro_matcher(count),
                "werkzeug": werkzeug_matcher(count),
                "bottle": bottle_matcher(count),
            },
        )
        micro_rates[count] = rates["micro"]
        print(
            f"| match, N={count} | {rates['micro']:,.0f} | {rates['werkzeug']:,.0f}"
            f" | {rates['bottle']:,.0f} | {rates['micro'] / rates['werkzeug']:.2f}x"
            f" | {rates['micro'] / rates['bottle']:.2f}x |"
        )
    rates = best_rates(static_matchers(SIZES[-1]))
    print(
        f"| static match, N={SIZES[-1]} | {rates['micro']:,.0f} | {rates['werkzeug']:,.0f}"
        f" | {rates['bottle']:,.0f} | {rates['micro'] / rates['werkzeug']:.2f}x"
        f" | {rates['micro'] / rates['bottle']:.2f}x |"
    )
    rates = best_rates(per_request_matchers())
    print(
        f"| bind_to_environ + match | {rates['micro']:,.0f} | {rates['werkzeug']:,.0f} | - |"
        f" {rates['micro'] / rates['werkzeug']:.2f}x | - |"
    )
    rates = best_rates({"micro": micro_builder(), "werkzeug": werkzeug_builder()})
    print(
        f"| build | {rates['micro']:,.0f} | {rates['werkzeug']:,.0f} | - |"
        f" {rates['micro'] / rates['werkzeug']:.2f}x | - |"
    )
    flatness = micro_rates[SIZES[-1]] / micro_rates[SIZES[0]]
    print(f"\nmicroflask match rate at N={SIZES[-1]} is {flatness:.0%} of its N={SIZES[0]} rate.")


if __name__ == "__main__":
    main()
