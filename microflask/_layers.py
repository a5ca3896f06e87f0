"""Where each module of the package sits: its layer, and which part it is.

Flask, Werkzeug and Jinja are separate packages, so their layering is
enforced by what each one depends on.  microflask is one package, so the
layering is written down here instead, once, and read by two things: the
bundler (the order of the single file, and its profiles) and
``tests/test_layers.py`` (imports only go down).  ``docs/architecture.md``
shows the same table.

Layers, bottom up: a module may import from its own layer and those below.

The parts:

- ``core``: what an app serving requests with templates, sessions and JSON
  needs;
- ``tools``: for running, developing and shipping an app (CLI, development
  server, debug page, bundler, development middleware);
- ``compat``: names kept so code written for the peers' older or wider APIs
  runs (Werkzeug 2's URL functions, legacy ``Local`` classes, Jinja's
  re-export modules, sans-IO extras).

A package listed by name (``"microflask.routing"``) places all its modules,
unless one of them is listed itself.
"""

from __future__ import annotations

LAYERS: dict[int, tuple[str, ...]] = {
    0: (
        "microflask.markup",
        "microflask.signing",
        "microflask._internal",
        "microflask._layers",
    ),
    1: (
        "microflask.http",
        "microflask.datastructures",
        # Werkzeug's datastructures raise its BadRequestKeyError and the
        # host check its SecurityError: the HTTP errors sit with them.
        "microflask.exceptions",
        "microflask.urls",
        "microflask._werkzeug2_urls",
        "microflask.sansio",
    ),
    2: (
        "microflask.security",
        "microflask.utils",
        "microflask.formparser",
        "microflask.routing",
        "microflask.wsgi",
    ),
    3: (
        "microflask.wrappers",
        "microflask.local",
        "microflask._legacy_local",
        "microflask.templating",
    ),
    4: (
        "microflask.config",
        "microflask.signals",
        "microflask.globals",
        "microflask.ctx",
        "microflask.json",
        "microflask.scaffold",
        "microflask.sessions",
        "microflask.logging",
        "microflask.helpers",
        "microflask.debughelpers",
        "microflask.typing",
        "microflask._app_wrappers",
        "microflask._app_templates",
        "microflask._app_jinja",
        "microflask._async",
        "microflask.views",
        "microflask.blueprints",
        "microflask.app",
        "microflask.testing",
    ),
    5: (
        "microflask.serving",
        "microflask._dotenv",
        "microflask._clicklike",
        "microflask._realclick",
        "microflask.cli",
        "microflask.debug",
        "microflask.middleware",
        "microflask.bundle",
        "microflask.__main__",
        "microflask",
    ),
}

PARTS: dict[str, tuple[str, ...]] = {
    "tools": (
        "microflask._layers",
        "microflask.serving",
        "microflask._dotenv",
        "microflask._clicklike",
        "microflask._realclick",
        "microflask.cli",
        "microflask.debug",
        "microflask.bundle",
        "microflask.__main__",
        "microflask.middleware.http_proxy",
        "microflask.middleware.lint",
        "microflask.middleware.profiler",
        "microflask.middleware.shared_data",
        "microflask.templating.meta",
        "microflask.templating.sandbox",
    ),
    "compat": (
        "microflask._werkzeug2_urls",
        "microflask._legacy_local",
        "microflask.templating.bccache",
        "microflask.templating.constants",
        "microflask.templating.defaults",
        "microflask.templating.debug",
        "microflask.templating.visitor",
    ),
}


def _placed_by(table: dict, dotted: str) -> str | None:
    """The most specific entry of ``table``'s names that places ``dotted``."""
    best = None
    for names in table.values():
        for name in names:
            # The package itself ("microflask") places only its __init__.
            contains = name != "microflask" and dotted.startswith(name + ".")
            if dotted == name or contains:
                if best is None or len(name) > len(best):
                    best = name
    return best


def rank_of(dotted: str) -> tuple[int, int] | None:
    """``(layer, place in that layer's list)`` of module ``dotted``: the
    order the single file follows.  None where the table has no place for it."""
    placed = _placed_by(LAYERS, dotted)
    if placed is None:
        return None
    return next((layer, names.index(placed)) for layer, names in LAYERS.items() if placed in names)


def layer_of(dotted: str) -> int | None:
    """The layer of module ``dotted``, or None where the table has no place for it."""
    rank = rank_of(dotted)
    return None if rank is None else rank[0]


def part_of(dotted: str) -> str:
    """``core``, ``tools`` or ``compat`` for module ``dotted``."""
    placed = _placed_by(PARTS, dotted)
    if placed is None:
        return "core"
    return next(part for part, names in PARTS.items() if placed in names)
