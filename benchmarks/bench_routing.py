"""Routing benchmark: microflask.routing against Werkzeug's Map and Bottle's
Router, side by side in one process.

For N = 10, 100 and 1,000 rules of the form ``/r{i}/<int:id>/item/<name>``
it times matching the LAST rule (``/r{N-1}/42/item/foo``), the worst case
for a router that scans its rules, then times building a URL for a
dynamic rule.  Rounds of each router are interleaved and the best round is
kept, so background load hits all of them alike.  Prints a markdown table
of operations per second and microflask's ratio to each peer.

Run with the system ``python3`` (Werkzeug and Bottle installed):

    python3 benchmarks/bench_routing.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from microflask import routing as micro_routing  # noqa: E402

ROUNDS = 5
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


def best_rates(candidates: dict[str, object], number: int) -> dict[str, float]:
    """Operations per second for each callable, best of interleaved rounds."""
    best = {name: 0.0 for name in candidates}
    for _round in range(ROUNDS):
        for name, func in candidates.items():
            seconds = min(timeit.repeat(func, number=number, repeat=1))
            best[name] = max(best[name], number / seconds)
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
            number=20000,
        )
        micro_rates[count] = rates["micro"]
        print(
            f"| match, N={count} | {rates['micro']:,.0f} | {rates['werkzeug']:,.0f}"
            f" | {rates['bottle']:,.0f} | {rates['micro'] / rates['werkzeug']:.2f}x"
            f" | {rates['micro'] / rates['bottle']:.2f}x |"
        )
    rates = best_rates({"micro": micro_builder(), "werkzeug": werkzeug_builder()}, number=20000)
    print(
        f"| build | {rates['micro']:,.0f} | {rates['werkzeug']:,.0f} | - |"
        f" {rates['micro'] / rates['werkzeug']:.2f}x | - |"
    )
    flatness = micro_rates[SIZES[-1]] / micro_rates[SIZES[0]]
    print(f"\nmicroflask match rate at N={SIZES[-1]} is {flatness:.0%} of its N={SIZES[0]} rate.")


if __name__ == "__main__":
    main()
