"""``python -m examples.blog``: create the database if needed, then serve."""

import os

from . import create_app
from .db import init_db

app = create_app()
if not os.path.exists(app.config["DATABASE"]):
    with app.app_context():
        init_db()
app.run()
