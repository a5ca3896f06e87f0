"""A small blog, in the shape of Flask's tutorial app, running on microflask.

An app factory, two blueprints (``auth`` and ``blog``), sqlite3, password
hashing, a ``login_required`` decorator, flash messages, templates with
inheritance, and CSRF-protected forms.  Run it with::

    microflask --app examples/blog init-db
    microflask --app examples/blog run --debug

or, without the command (it creates the database if needed, then serves)::

    python3 examples/blog
    python3 -m examples.blog        # the same, from the repository root

The database lives in ``examples/blog/instance`` whichever way the app is
started.
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

HERE = os.path.dirname(os.path.abspath(__file__))


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; ``test_config`` overrides the settings (tests use it)."""
    app = Flask(
        __name__, instance_path=os.path.join(HERE, "instance"), instance_relative_config=True
    )
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "blog.sqlite"),
    )
    if test_config is None:
        # The real secret key lives in instance/config.py, outside version control.
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)

    from . import auth, blog, csrf, db

    db.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    # The blog's index is the site's front page.
    app.add_url_rule("/", endpoint="index")
    return app
