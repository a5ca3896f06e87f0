"""``python -m examples.factory``: build the app and serve it."""

from . import create_app

create_app().run()
