"""The app's blueprints, registered by :func:`register_blueprints`."""

from __future__ import annotations

from microflask import Flask

from . import api, main


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(main.bp)
    app.register_blueprint(api.bp)
