"""An application factory package: ``microflask --app examples/factory run``.

Without the CLI: ``python3 examples/factory`` (or ``python3 -m examples.factory``
from the repository root).  The instance folder is ``examples/factory/instance``
whichever way the app is started.

Settings are layered, each layer overriding the one before:

1. defaults, written below;
2. ``config.py`` in the instance folder, if there is one (keep secrets there);
3. environment variables prefixed ``FLASK_``: ``FLASK_GREETING=Hi`` sets
   ``GREETING``, and values that parse as JSON (``FLASK_PAGE_SIZE=20``) are
   typed;
4. ``test_config``, the mapping tests pass in.

The views live in two blueprints in the ``views`` package (``main`` and an
``api`` under ``/api``), templates extend ``base.html``, and ``greet`` is a
custom command: ``microflask --app examples/factory greet --name Ada``.
"""

from __future__ import annotations

import os
import sys

try:
    import microflask  # noqa: F401
except ImportError:  # run from a checkout, not installed: use the source tree
    sys.path.insert(
        0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir)
    )

from microflask import Flask  # noqa: E402


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build a new app; ``instance_path`` moves the instance folder (tests use it)."""
    if instance_path is None:
        instance_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        GREETING="Hello",
        SITE_NAME="Factory example",
        PAGE_SIZE=10,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)

    from . import commands, views

    views.register_blueprints(app)
    commands.register_commands(app)
    return app
