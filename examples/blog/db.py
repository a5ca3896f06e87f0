"""The database: one sqlite3 connection per request, kept on ``g``."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from microflask import current_app, g

# TIMESTAMP columns come back as datetime objects; Python 3.12 deprecated
# sqlite3's built-in converter, so the app registers its own.
sqlite3.register_converter("timestamp", lambda value: datetime.fromisoformat(value.decode()))


def get_db() -> sqlite3.Connection:
    """This request's connection, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(
            current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES
        )
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db() -> None:
    """Create the tables afresh (existing data is dropped)."""
    db = get_db()
    with current_app.open_resource("schema.sql") as f:
        db.executescript(f.read().decode("utf8"))


def init_db_command() -> None:
    """Clear the existing data and create new tables."""
    init_db()
    print("Initialized the database.")


def init_app(app) -> None:
    """Close the connection after each request and add the ``init-db`` command."""
    app.teardown_appcontext(close_db)
    try:
        from microflask.cli import with_appcontext
    except ImportError:  # a build of microflask without the CLI
        return
    app.cli.command("init-db")(with_appcontext(init_db_command))
