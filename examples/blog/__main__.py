"""``python3 examples/blog`` or ``python3 -m examples.blog``: create the database if
needed, then serve."""

import os
import sys

if __package__:
    from . import create_app
    from .db import init_db
else:  # run as a folder: python3 examples/blog
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from blog import create_app
    from blog.db import init_db

app = create_app()
if not os.path.exists(app.config["DATABASE"]):
    with app.app_context():
        init_db()
app.run()
